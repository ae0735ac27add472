"""HTML and XML as the byte path sees them: in-document charset declarations.

Parsing is the standard library's: `html.parser.HTMLParser` (a tolerant
tokenizer of the HTML syntax) for ``<meta>`` tags and `xml.parsers.expat`
for the XML declaration. No regular expression reads markup here.

Why these: the page arrives as bytes in an unknown encoding, and every
charset that can declare a page's encoding is ASCII-compatible where markup
is concerned, so the first bytes read as Latin-1 keep every tag intact (GBK
and Big5 trail bytes are 0x40 and above, never ``<``, ``>``, ``"`` or
``=``). A browser does the same (WHATWG HTML, 13.2.3.2 "Determining the
character encoding": the prescan reads ``<meta>`` attributes from bytes).
"""

from __future__ import annotations

import xml.parsers.expat
from email.message import Message
from html.parser import HTMLParser

from . import chardata


def content_type_charset(value: str) -> str | None:
    """The ``charset`` parameter of a Content-Type value (RFC 9110, 8.3), or None.

    >>> content_type_charset('text/html; charset="GB2312"')
    'GB2312'
    """
    msg = Message()
    msg["content-type"] = value
    charset = msg.get_param("charset")
    if isinstance(charset, tuple):  # RFC 2231 form: (charset, language, value)
        charset = charset[2]
    return charset.strip() if isinstance(charset, str) and charset.strip() else None


class _MetaScanner(HTMLParser):
    """Collects charset declarations from ``<meta>`` tags until ``<body>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        if tag == "body":
            self.done = True
            return
        if tag != "meta":
            return
        values = {name.lower(): (value or "") for name, value in attrs}
        if values.get("charset", "").strip():
            self.found.append((values["charset"].strip(), "<meta charset>"))
        elif values.get("http-equiv", "").strip().lower() == "content-type":
            charset = content_type_charset(values.get("content", ""))
            if charset:
                self.found.append((charset, "<meta http-equiv>"))

    handle_startendtag = handle_starttag


def _xml_declared(data: bytes) -> str | None:
    """The encoding an XML declaration at the start of `data` names, or None
    (expat reports it before it refuses the multi-byte encodings it cannot
    decode itself)."""
    if not data.lstrip(b"\xef\xbb\xbf").startswith(b"<?xml"):
        return None
    end = data.find(b"?>")
    if end < 0:
        return None
    found: list[str | None] = []
    parser = xml.parsers.expat.ParserCreate()
    parser.XmlDeclHandler = lambda version, encoding, standalone: found.append(encoding)
    try:
        parser.Parse(data[: end + 2], False)
    except (xml.parsers.expat.ExpatError, ValueError, LookupError):
        pass
    return found[0] if found and found[0] else None


def declared_charsets(data: bytes) -> list[tuple[str, str]]:
    """Charset labels the document declares about itself, in the order a
    browser trusts them.

    Args:
        data: the raw bytes of a page; only the first
            `chardata.MARKUP_SNIFF_BYTES` are read.

    Returns:
        ``[(label, where), ...]``: each ``<meta charset>`` and ``<meta
        http-equiv="Content-Type">`` before ``<body>``, in document order,
        then the XML declaration's ``encoding`` (the order of the issue's
        evidence; HTML parsers read no XML declaration at all); ``where`` names the source
        (``<meta charset>``, ``<meta http-equiv>``, ``<?xml encoding>``).
        Labels are as written (map them with `decode.canonical_codec`).
        Empty for bytes that do not start like markup.

    >>> declared_charsets(b'<html><head><meta charset="gbk"><title>x</title>')
    [('gbk', '<meta charset>')]
    """
    head = data[: chardata.MARKUP_SNIFF_BYTES]
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return []
    scanner = _MetaScanner()
    try:
        scanner.feed(head.decode("latin-1"))
        scanner.close()
    except (AssertionError, ValueError):  # html.parser's few hard failures
        pass
    xml_label = _xml_declared(head)
    return scanner.found + ([(xml_label, "<?xml encoding>")] if xml_label else [])
