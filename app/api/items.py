"""One document with its options, as a JSON body, a batch array element or
an NDJSON line carries it: validation, the engine call, and the error
detail of a bad item.

No FastAPI here: the CLI's ``--ndjson`` mode uses the same functions.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from dataclasses import dataclass

from pydantic import ValidationError

from .. import __version__
from ..convert import check_config
from ..decode import canonical_codec
from ..engine import repair_bytes, repair_text
from ..errors import (InputTooLarge, InvalidOption, RepairError, UnknownCodec, UnknownConversion,
                      shown)
from ..model import get_model
from ..types import RepairResult
from .schemas import BatchItem, RepairRequest


class ItemError(Exception):
    """A client error in a request or an item, found outside the engine.

    Attributes:
        status: the HTTP status it maps to (4xx).
        code: stable machine-readable name (`error.code`).
        message: one sentence for a person.
        field: the request field at fault, or None.
    """

    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


# Status of each engine error; every other RepairError is 422.
_STATUS = {InputTooLarge: 413}
_FIELD = {UnknownConversion: "convert", UnknownCodec: "charset"}


def error_detail(exc: ItemError | RepairError) -> tuple[int, dict]:
    """The HTTP status and the ``error`` object (`schemas.ErrorDetail` shape)
    of an item or engine error: ``{"code", "message", "field"?, "valid"?}``."""
    if isinstance(exc, ItemError):
        status, code, message, field, valid = exc.status, exc.code, exc.message, exc.field, None
    else:
        status, code, message = _STATUS.get(type(exc), 422), exc.code, str(exc)
        field = exc.field if isinstance(exc, InvalidOption) else _FIELD.get(type(exc))
        valid = exc.valid if isinstance(exc, UnknownConversion) else None
    detail = {"code": code, "message": message}
    if field is not None:
        detail["field"] = field
    if valid is not None:
        detail["valid"] = valid
    return status, detail


@dataclass(frozen=True)
class Defaults:
    """Options a request's query string (or the CLI) gives every document;
    an item's own JSON fields win over them."""

    charset: str | None = None
    convert: str | None = None
    strip_annotations: bool = True
    min_confidence: float | None = None
    detect_only: bool = False
    html: bool = False
    page_charset: str | None = None  # X-Source-Content-Type's charset (single requests)


# The query parameters of POST /v1/repair and /v1/repair/batch.
QUERY_OPTIONS = ("charset", "convert", "strip_annotations", "min_confidence", "detect_only",
                 "html")


def check_query(params) -> None:
    """Refuse a query parameter no endpoint takes, as an unknown JSON field
    is refused: a misspelt option (``?conver=t2s``) must not pass unnoticed;
    one given twice (``?convert=t2s&convert=s2t``), which no reading
    settles; and one given empty (``?convert``, ``?charset=``), which is
    neither a value nor leaving the option out (as ``?min_confidence=`` is
    no number).

    Args:
        params: the request's query parameters as (name, value) pairs, each
            as often as given (Starlette's ``query_params.multi_items()``).

    Raises:
        ItemError: 422 ``invalid_field`` naming the first unknown, repeated
            or empty parameter (its ``field``); for an unknown one, listing
            the known ones.
    """
    seen: set[str] = set()
    for name, value in params:
        if name not in QUERY_OPTIONS:
            raise ItemError(422, "invalid_field", f"unknown query parameter {shown(name)}; known: "
                            f"{', '.join(QUERY_OPTIONS)}", name)
        if name in seen:
            raise ItemError(422, "invalid_field", f"query parameter {shown(name)} is given more "
                            "than once", name)
        if not value.strip():
            raise ItemError(422, "invalid_field", f"query parameter {shown(name)} is empty; give "
                            "it a value or leave it out", name)
        seen.add(name)


def check_defaults(defaults: Defaults) -> None:
    """Check the request-level options (query string, headers, CLI flags)
    before any document is read, so that a bad one fails the whole request
    (422, or the CLI's exit 2) instead of every item on its own; an item's
    own fields are checked with the item. Empty strings are refused before
    this (`check_query`; the CLI's own check).

    Raises:
        UnknownConversion: `defaults.convert` is no OpenCC config (field ``convert``).
        UnknownCodec: `defaults.charset` names no codec of web pages (field ``charset``).
    """
    if defaults.convert:
        check_config(defaults.convert)
    if defaults.charset:
        canonical_codec(defaults.charset)


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    """``object_pairs_hook`` of `parse_json`: a dict, or `_DuplicateKey`."""
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def parse_json(raw: bytes, what: str = "the JSON body") -> object:
    """Parse a JSON request body, a batch or an NDJSON line.

    JSON exchanged between systems is UTF-8 (RFC 8259, section 8.1: "JSON
    text exchanged between systems that are not part of a closed ecosystem
    MUST be encoded using UTF-8"), with an optional byte order mark; the
    media type has no charset parameter (section 11: "No 'charset'
    parameter is defined for this registration"), so one is not honoured:
    GBK bytes labelled ``application/json; charset=gbk`` are refused,
    naming UTF-8 and the place. An object that gives a name twice is
    refused too: RFC 8259 (section 4) leaves what it means to each parser
    (Python's keeps the last, others the first), as a query parameter given
    twice is refused (`check_query`).

    Args:
        raw: the bytes received.
        what: how messages name them (``the JSON body``, ``line 3``).

    Returns:
        The parsed value (any JSON value; callers check its type).

    Raises:
        ItemError: 422 ``invalid_json``: not UTF-8, not JSON, nested too
            deeply, or a name given twice in one object (``field``: the name).
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ItemError(422, "invalid_json", f"{what} is not UTF-8 (byte 0x{raw[exc.start]:02x} "
                        f"at offset {exc.start}): JSON must be UTF-8 (RFC 8259, section 8.1), "
                        "whatever charset the Content-Type names; send text as UTF-8 JSON, or "
                        "the raw bytes as 'base64' with their 'charset'") from None
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except _DuplicateKey as exc:
        raise ItemError(422, "invalid_json", f"{what} gives the name {shown(exc.key)} twice in one "
                        "object; give each field once", exc.key) from None
    except ValueError as exc:
        raise ItemError(422, "invalid_json", f"{what} is not valid JSON: {exc}") from None
    except RecursionError:
        raise ItemError(422, "invalid_json", f"{what} is nested too deeply") from None


# ASCII whitespace, dropped from `base64` before it is decoded: the line
# breaks of MIME (RFC 2045, section 6.8: lines of at most 76 characters)
# and of the base64 tool (GNU coreutils wraps at 76 by default). RFC 4648,
# section 3.3, lets a specification that refers to it say so ("unless the
# specification referring to this document explicitly states otherwise");
# every other character outside the alphabet is refused.
_BASE64_SPACE = str.maketrans("", "", " \t\n\r\f\v")

# Lone surrogates: JSON's \ud800 escapes that pair with nothing.
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def repair_item(payload: object, defaults: Defaults, *, max_bytes: int,
                deadline: float | None = None, model: type[RepairRequest] = RepairRequest,
                own_charset: bool = False) -> RepairResult:
    """Validate one JSON item and repair it.

    Args:
        payload: the parsed JSON value (must be an object).
        defaults: options for fields the item does not give.
        max_bytes: largest document (bytes: `text` as UTF-8, or the bytes
            `base64` decodes to).
        deadline: the engine's deadline, a `time.monotonic()` value, or None.
        model: `RepairRequest`, or `BatchItem` (which also takes `id`).
        own_charset: `defaults.charset` was given for this one document
            (``POST /v1/repair``'s query), so with `text` it is refused as a
            JSON ``charset`` is; False for a batch, where it is the default
            of the items that carry ``base64``.

    Returns:
        The engine's `RepairResult`.

    Raises:
        ItemError: 422 ``invalid_json`` (not an object), ``invalid_field``
            (a field is wrong; named: ``charset`` with `text`, from the item
            or, with `own_charset`, from `defaults`), ``invalid_base64``.
        RepairError: from the engine (``InputTooLarge`` for an item over
            `max_bytes`, ``NotText``, ``UnknownCodec``, ...).
    """
    if not isinstance(payload, dict):
        raise ItemError(422, "invalid_json", "an item must be a JSON object")
    try:
        req = model.model_validate(payload)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or None
        raise ItemError(422, "invalid_field", f"{field}: {err['msg']}", field) from None
    options = {
        "convert": req.convert if req.convert is not None else defaults.convert,
        "strip_annotations": (req.strip_annotations if req.strip_annotations is not None
                              else defaults.strip_annotations),
        "min_confidence": (req.min_confidence if req.min_confidence is not None
                           else defaults.min_confidence),
        "detect_only": req.detect_only if req.detect_only is not None else defaults.detect_only,
        "html": req.html if req.html is not None else defaults.html,
        "deadline": deadline,
    }
    if (req.text is None) == (req.base64 is None):
        raise ItemError(422, "invalid_field", "give exactly one of 'text' and 'base64'", "text")
    if req.text is not None:
        if _SURROGATE_RE.search(req.text):
            raise ItemError(422, "invalid_field", "text holds lone surrogates (\\ud800..\\udfff "
                            "escapes that pair with nothing): that is not Unicode text; send "
                            "the raw bytes as base64 instead", "text")
        if req.charset is not None or (own_charset and defaults.charset is not None):
            where = "'charset'" if req.charset is not None else "the 'charset' query parameter"
            raise ItemError(422, "invalid_field", f"{where} applies to 'base64' bytes, not to "
                            "'text', which is already decoded", "charset")
        if len(req.text) > max_bytes or len(req.text.encode("utf-8")) > max_bytes:
            raise InputTooLarge(f"text is over the {max_bytes}-byte limit (as UTF-8)")
        return repair_text(req.text, **options)
    encoded = req.base64.translate(_BASE64_SPACE)
    if len(encoded) // 4 * 3 > max_bytes + 3:
        raise InputTooLarge(f"base64 decodes to over the {max_bytes}-byte limit")
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ItemError(422, "invalid_base64", "base64: not base64 (RFC 4648: A-Z a-z 0-9 + /, "
                        f"padded with = to a multiple of 4; spaces and line breaks are ignored): "
                        f"{exc}", "base64") from None
    if len(data) > max_bytes:
        raise InputTooLarge(f"base64 decodes to {len(data)} bytes, over the {max_bytes}-byte limit")
    return repair_bytes(data, charset=req.charset or defaults.charset,
                        page_charset=defaults.page_charset, **options)


def deadline_after(seconds: float) -> float | None:
    """The `time.monotonic()` value `seconds` from now, or None for 0 (no deadline)."""
    return time.monotonic() + seconds if seconds else None


def item_id(payload: object) -> str | int | None:
    """The item's `id` when it is a string or an integer (not a bool), else None."""
    if isinstance(payload, dict):
        value = payload.get("id")
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return value
    return None


def result_body(result: RepairResult) -> dict:
    """The JSON object of a repaired document (`schemas.RepairResponse`)."""
    body = result.to_dict()
    body["version"] = __version__
    body["model"] = get_model().version
    return body


def batch_slot(payload: object, defaults: Defaults, *, max_bytes: int,
               deadline_seconds: float = 0, line: int | None = None,
               observe=None) -> dict:
    """One slot of a batch response: the result object plus ``id``, or
    ``{"id", "error"}`` (plus ``"line"`` for an NDJSON line) for a bad item.

    Args:
        payload: the item, parsed JSON.
        defaults, max_bytes: as for `repair_item`.
        deadline_seconds: the item's deadline, counted from this call; 0 for none.
        line: the item's NDJSON line number (from 1), or None.
        observe: called with each `RepairResult` (metrics), or None.

    Never raises for bad input: every `ItemError` and `RepairError` becomes
    the slot's ``error``.
    """
    ident = item_id(payload)
    try:
        result = repair_item(payload, defaults, max_bytes=max_bytes,
                             deadline=deadline_after(deadline_seconds), model=BatchItem)
    except (ItemError, RepairError) as exc:
        return error_slot(exc, ident, line)
    if observe is not None:
        observe(result)
    body = result_body(result)
    body["id"] = ident
    return body


def error_slot(exc: ItemError | RepairError, ident: str | int | None = None,
               line: int | None = None) -> dict:
    """``{"id", "error"}`` (with ``"line"`` when given) for a bad item."""
    slot = {"id": ident, "error": error_detail(exc)[1]}
    if line is not None:
        slot["line"] = line
    return slot


def ndjson_slot(raw: bytes | None, line: int, defaults: Defaults, *, max_bytes: int,
                deadline_seconds: float = 0, observe=None) -> bytes:
    """The response line (UTF-8 JSON and a newline) for one NDJSON request line.

    Args:
        raw: the line without its newline, or None for a line longer than
            the read buffer (answered ``input_too_large``).
        line: its number in the stream, from 1.

    Returns:
        ``b""`` for a blank line (no slot), else one JSON object and ``\\n``.
    """
    if raw is None:
        slot = error_slot(InputTooLarge(f"line {line} is over the {4 * max_bytes}-byte line "
                                        "limit (4 times the document limit)"), None, line)
    else:
        raw = raw.strip()
        if not raw:
            return b""
        try:
            payload = parse_json(raw, f"line {line}")
        except ItemError as exc:
            slot = error_slot(exc, None, line)
        else:
            if not isinstance(payload, dict):
                slot = error_slot(ItemError(422, "invalid_json",
                                            f"line {line} is not a JSON object"), None, line)
            else:
                slot = batch_slot(payload, defaults, max_bytes=max_bytes,
                                  deadline_seconds=deadline_seconds, observe=observe)
                if "error" in slot:
                    slot["line"] = line
    # U+2028 and U+2029 escaped: valid in JSON strings, they are line breaks
    # to str.splitlines and to JavaScript before ES2019, so a line of the
    # stream would split there (fresh-eyes report fe11a S3-12).
    line = json.dumps(slot, ensure_ascii=False)
    return line.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode("utf-8") + b"\n"
