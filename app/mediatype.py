"""Content-Type values (RFC 9110, section 8.3): a request's own, read
strictly, and a scraped page's, which is evidence and read leniently.

The service (`app.api.routes`), the client (`app.client`) and the Scrapy
middleware read them here, so that a value means the same over HTTP and in
process. Parameters are parsed by the standard library's `email.message`
(RFC 2045's grammar, which RFC 9110's ``parameters`` follows).
"""

from __future__ import annotations

import re
from email.message import Message

from .errors import shown

# type "/" subtype (RFC 9110, section 8.3.1: both are tokens; the letters,
# digits and ".+-_" that registered media types use, ASCII only).
_MEDIA_TYPE_RE = re.compile(r"^[\w.+-]+/[\w.+-]+$", re.ASCII)

# What a header value may hold that luanma reads as one (RFC 9110, section
# 5.5: field-vchar, SP and HTAB; obs-text is left out, as a client such as
# httpx cannot send it from a str and no charset label uses it).
_FIELD_VALUE_RE = re.compile(r"^[\t\x20-\x7e]*$")


def parse_content_type(value: str) -> tuple[str, dict[str, str]]:
    """A Content-Type value's media type (lower case) and parameters.

    Args:
        value: the header's value, as received.

    Returns:
        ``(media_type, {name: value})``, names in lower case; an empty
        parameter (``text/plain;;charset=gbk``, a trailing ``;``) is skipped,
        and an RFC 2231 value (``charset*=...``) reads as ``""``.

    Raises:
        ValueError: `value` is not a media type, or gives a parameter twice
            (RFC 6838, section 4.3: "It is an error for a specific parameter
            to be specified more than once"; ``charset=utf-8; charset=gbk``
            has no one reading). The message quotes `value` and says which.

    >>> parse_content_type('Text/HTML; Charset="GB2312"')
    ('text/html', {'charset': 'GB2312'})
    """
    try:
        return _parse(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} {exc}") from None


def _parse(value: str) -> tuple[str, dict[str, str]]:
    """`parse_content_type`, its ValueError saying what is wrong without
    quoting `value`."""
    if not _MEDIA_TYPE_RE.match(value.split(";", 1)[0].strip()):
        raise ValueError("is not a media type")
    msg = Message()
    msg["content-type"] = value
    params: dict[str, str] = {}
    for name, param in msg.get_params()[1:]:
        name = name.lower()
        if not name:
            continue
        if name in params:
            raise ValueError(f"gives its {name!r} parameter more than once")
        params[name] = param if isinstance(param, str) else ""
    return msg.get_content_type(), params


def page_charset(value: str | None) -> tuple[str | None, str | None]:
    """The charset label of a scraped page's own Content-Type (evidence for
    `app.engine.repair_bytes`'s `page_charset`), and why the value was
    ignored, if it was.

    The value is what the page's server sent, forwarded as the scraper got
    it: a malformed one (no media type, ``text/html charset=gbk``, two
    headers joined by a proxy, a parameter given twice, control or
    non-ASCII characters) says nothing sure about the bytes, so it is
    ignored with a warning, as a charset label no codec answers to is; it
    never fails the request. An absent or blank value, or an empty
    ``charset=``, is no charset and no warning.

    Args:
        value: the Content-Type value, or None.

    Returns:
        ``(label, None)`` with the charset parameter as given (not yet
        mapped to a codec: the engine checks it against the bytes), or
        ``(None, None)``; ``(None, warning)`` for a malformed value, the
        warning a sentence for `RepairResult.warnings` that quotes the
        value as `errors.shown` quotes it.

    >>> page_charset("text/html; charset=gbk")
    ('gbk', None)
    >>> page_charset("text/html charset=gbk")
    (None, "the page's Content-Type 'text/html charset=gbk' is not a media type; ignored")
    """
    if value is None or not value.strip():
        return None, None
    if not _FIELD_VALUE_RE.match(value):
        return None, (f"the page's Content-Type {shown(value)} holds characters other than "
                      "visible ASCII, spaces and tabs; ignored")
    try:
        _, params = _parse(value)
    except ValueError as exc:
        return None, f"the page's Content-Type {shown(value)} {exc}; ignored"
    return (params.get("charset") or "").strip() or None, None
