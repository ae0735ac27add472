"""Routes: parse the request, call the engine, map the result to a schema."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import mimeparse
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.requests import ClientDisconnect

from .. import __version__
from ..decode import canonical_codec
from ..engine import is_warm, repair_bytes
from ..errors import InputTooLarge, shown
from ..mediatype import page_charset as source_charset
from ..mediatype import parse_content_type
from ..model import get_model
from ..settings import get_settings
from ..types import RepairResult
from .inflate import BadGzip, GzipInflater
from .items import (Defaults, ItemError, check_defaults, check_query, deadline_after,
                    parse_json, repair_item)
from .ops import observe, run_engine
from .schemas import ErrorResponse, RepairRequest, RepairResponse

router = APIRouter()

# A client error found by the HTTP layer (not the engine).
ApiError = ItemError


_EXAMPLE_GARBLED = "鏁版嵁鎶撳彇缁撴灉"
_REQUEST_BODY = {
    "required": False,
    "description": (
        "The text or bytes to repair. Raw bytes as application/octet-stream (the page's "
        "charset, if known, in the `charset` query parameter or its own Content-Type in the "
        "`X-Source-Content-Type` header); text/plain with its charset parameter; text/html "
        "(a page, repaired in HTML mode: text nodes and attribute values only); or JSON with "
        "`text` or `base64` plus options."
    ),
    "content": {
        "application/octet-stream": {
            "schema": {"type": "string", "format": "binary"},
            "example": "(raw bytes of a scraped page)",
        },
        "text/plain": {
            "schema": {"type": "string"},
            "examples": {
                "utf8_as_gbk": {"summary": "UTF-8 read as GBK", "value": _EXAMPLE_GARBLED},
                "gbk_as_latin1": {"summary": "GBK read as Latin-1", "value": "´´½¨¹ú¼Ò"},
            },
        },
        "text/html": {
            "schema": {"type": "string"},
            "example": "<html><head><meta charset=\"gbk\"><title>(GBK bytes)</title></head>...",
        },
        "application/json": {
            "schema": RepairRequest.model_json_schema(),
            "examples": {
                "text": {"summary": "Text", "value": {"text": _EXAMPLE_GARBLED}},
                "base64": {
                    "summary": "GBK bytes, base64, converted to Traditional",
                    "value": {"base64": "yv2+3delyKE=", "charset": "gbk", "convert": "s2t"},
                },
                "ruby": {"summary": "Flattened ruby", "value": {"text": "創(chuàng)建國家"}},
            },
        },
    },
}

_ERRORS = {
    408: {"model": ErrorResponse, "description": "The body took longer than "
          "LUANMA_BODY_TIMEOUT_SECONDS to arrive"},
    413: {"model": ErrorResponse, "description": "Document larger than LUANMA_MAX_DOCUMENT_BYTES "
          "(a body; a JSON body's decoded text or bytes)"},
    415: {"model": ErrorResponse, "description": "Unsupported content type"},
    422: {"model": ErrorResponse, "description": "Invalid JSON, base64 or option; bytes not text"},
    503: {"model": ErrorResponse, "description": "Overloaded (LUANMA_MAX_IN_FLIGHT requests in "
          "this worker); retry after the Retry-After header's seconds",
          "headers": {"Retry-After": {"schema": {"type": "integer"},
                                      "description": "Seconds to wait before retrying"}}},
}

# Most bytes inflated from a gzip body at a time.
_INFLATE_PIECE_BYTES = 64 * 1024


def header_value(request: Request, name: str) -> str | None:
    """The request's header `name` as one value: its field lines joined by
    ``", "``, as RFC 9110 (section 5.3) says several lines of one field
    mean; None when absent. A proxy may send a header twice as well as one
    line with a list, and both then mean the same (a second Content-Type
    line is no more readable than ``text/plain, application/json``: fresh-eyes
    report fe11a S2-2, where the first line was read and the second dropped)."""
    values = request.headers.getlist(name)
    return ", ".join(values) if values else None


def media_type(request: Request) -> tuple[str, dict[str, str]]:
    """The request's media type and parameters (RFC 9110, section 8.3).

    Raises:
        ApiError: 415 ``unsupported_media_type`` for a Content-Type that is
            not a media type, that gives a parameter twice, or that comes on
            two header lines (`header_value`).
    """
    raw = header_value(request, "content-type")
    if not raw:
        return "application/octet-stream", {}
    if len(request.headers.getlist("content-type")) > 1:
        raise ApiError(415, "unsupported_media_type", f"Content-Type came on several header "
                       f"lines ({shown(raw)}); a request has one media type: send one")
    try:
        return parse_content_type(raw)
    except ValueError as exc:
        raise ApiError(415, "unsupported_media_type", f"Content-Type {exc}") from None


def body_charset(params: dict[str, str], query_charset: str | None) -> str | None:
    """The charset a bytes body is declared in: its Content-Type's
    ``charset`` parameter, or the ``charset`` query option; both may be
    given only when they name the same codec (`decode.canonical_codec`:
    ``gb2312`` and ``gbk`` do).

    Raises:
        ApiError: 422 ``invalid_field`` (field ``charset``) for an empty
            ``charset`` parameter, or one that names another codec than the
            query's.
        UnknownCodec: either names no codec of web pages.
    """
    if "charset" not in params:
        return query_charset
    header = params["charset"].strip()
    if not header:
        raise ApiError(422, "invalid_field", "the Content-Type's charset parameter is empty; "
                       "name the charset or leave the parameter out", "charset")
    if query_charset is not None and canonical_codec(header) != canonical_codec(query_charset):
        raise ApiError(422, "invalid_field", f"the Content-Type says charset={header} and the "
                       f"query says charset={query_charset}: they name different codecs "
                       f"({canonical_codec(header)}, {canonical_codec(query_charset)}); "
                       "give one", "charset")
    return header


def gzip_inflater(request: Request) -> GzipInflater | None:
    """A `GzipInflater` for a gzip body (RFC 1952: every member, in order),
    or None for an identity one.

    Raises:
        ApiError: 415 ``unsupported_content_encoding`` for another encoding.
    """
    encoding = (header_value(request, "content-encoding") or "identity").strip().lower()
    if encoding not in ("identity", "gzip", "x-gzip"):
        raise ApiError(415, "unsupported_content_encoding",
                       f"content encoding {shown(encoding)} is not accepted; use gzip or none")
    return GzipInflater() if encoding != "identity" else None


async def read_body(request: Request, limit: int) -> bytes:
    """The body, read as it arrives (gzip-inflated when its Content-Encoding
    says so) and refused once it passes `limit` bytes, so a huge, chunked or
    compressed body never sits whole in memory.

    Raises:
        InputTooLarge: the body, inflated, or its declared Content-Length, is
            over `limit`.
        ApiError: 415 for another content encoding, 422 for broken gzip.
        ItemError: 408 ``body_timeout`` when the body takes longer than
            `Settings.body_timeout_seconds` to arrive; 499
            ``client_disconnected`` when the client goes away before its end
            (nginx's code: nobody reads the answer, and it is not luanma's fault).
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise InputTooLarge(f"body of {declared} bytes is over the {limit}-byte limit")
    timeout = get_settings().body_timeout_seconds
    try:
        async with asyncio.timeout(timeout):
            return await _read_body(request, limit)
    except TimeoutError:
        raise ItemError(408, "body_timeout", f"the request body did not arrive within "
                        f"{timeout:g} s (LUANMA_BODY_TIMEOUT_SECONDS)") from None
    except ClientDisconnect:
        raise ItemError(499, "client_disconnected",
                        "the client went away before the end of its request body") from None


async def _read_body(request: Request, limit: int) -> bytes:
    # gzip (RFC 1952) is inflated as it arrives, a piece at a time, and
    # refused at the first piece past `limit` bytes in all (every member
    # counts): never more than one piece over the limit in memory.
    inflater = gzip_inflater(request)
    chunks, size, received = [], 0, 0
    async for chunk in request.stream():
        received += len(chunk)
        pieces = [chunk] if inflater is None else inflater.inflate(chunk, _INFLATE_PIECE_BYTES)
        try:
            for piece in pieces:
                size += len(piece)
                if size > limit:
                    said = "is" if inflater is None else "inflates to"
                    raise InputTooLarge(f"body {said} over the {limit}-byte limit")
                chunks.append(piece)
        except BadGzip as exc:
            raise ApiError(422, "invalid_gzip", f"bad gzip body: {exc}") from None
    if inflater is not None and received and not inflater.eof:
        raise ApiError(422, "invalid_gzip", "the gzip body ends before its end")
    return b"".join(chunks)


# What a repair answers in, by the request's Accept header (RFC 9110,
# section 12.5.1): JSON on a tie or where neither is acceptable, as before.
_ANSWER_TYPES = ("text/plain", "application/json")


def _wants_text(accept: str) -> bool:
    """Whether an Accept value prefers ``text/plain`` to ``application/json``
    (q-values and ranges such as ``text/*`` weighed by python-mimeparse); a
    value it cannot parse asks for JSON."""
    try:
        # (media types are case-insensitive, RFC 9110 section 8.3.1: TEXT/PLAIN)
        return mimeparse.best_match(_ANSWER_TYPES, accept.lower() or "*/*") == "text/plain"
    except mimeparse.MimeTypeParseException:
        return False


def _response(result: RepairResult, request: Request) -> Response:
    if _wants_text(request.headers.get("accept", "")):
        return PlainTextResponse(
            result.text, headers={"X-Repair-Confidence": f"{result.confidence:.4f}"}
        )
    body = RepairResponse(**result.to_dict(), version=__version__, model=get_model().version)
    return Response(body.model_dump_json(), media_type="application/json",
                    headers={"X-Repair-Confidence": f"{result.confidence:.4f}"})


@router.post(
    "/v1/repair",
    response_model=RepairResponse,
    responses={200: {"content": {"text/plain": {}}}, **_ERRORS},
    openapi_extra={"requestBody": _REQUEST_BODY},
    summary="Repair garbled Chinese text",
)
async def repair_endpoint(
    request: Request,
    charset: str | None = Query(None, description="The page's declared charset (evidence)."),
    convert: str | None = Query(None, description="OpenCC config id: t2s, s2t, tw2sp, ..."),
    strip_annotations: bool = Query(True, description="Remove flattened ruby annotations."),
    min_confidence: float | None = Query(
        None, ge=0, le=1, allow_inf_nan=False,
        description="Below this confidence, return the input unchanged."),
    detect_only: bool = Query(False, description="Report spans; change nothing."),
    html: bool | None = Query(None, description=(
        "Treat the input as an HTML document: repair text nodes and attribute values only. "
        "Default: true for a text/html body, else false.")),
    x_source_content_type: str | None = Header(None, description=(
        "The page's own HTTP Content-Type as the scraper got it; its charset is evidence. "
        "A malformed value is ignored with a warning.")),
) -> Response:
    """Repair one document. Answers JSON, or the text alone with `Accept: text/plain`
    (confidence in the `X-Repair-Confidence` header)."""
    settings = get_settings()
    media, params = media_type(request)
    # Evidence, not the request's format: a malformed value is ignored with
    # a warning, as a charset label no codec answers to is.
    page_charset, ignored = source_charset(header_value(request, "x-source-content-type"))
    defaults = Defaults(charset=charset, convert=convert or settings.default_convert,
                        strip_annotations=strip_annotations, min_confidence=min_confidence,
                        detect_only=detect_only, html=bool(html), page_charset=page_charset)
    check_query(request.query_params.multi_items())
    check_defaults(defaults)  # a bad query option fails even when the JSON body overrides it
    bytes_body = media in ("application/octet-stream", "text/plain", "text/html")
    declared = body_charset(params, charset) if bytes_body else None
    # A JSON body carries the document as base64 or escaped text: its own
    # limit is larger; the document inside is held to max_document_bytes.
    body = await read_body(request, settings.max_item_json_bytes if media == "application/json"
                           else settings.max_document_bytes)
    # The deadline counts from the body's arrival, so time spent waiting for
    # the engine under load counts too (late requests answer early).
    deadline = deadline_after(settings.deadline_seconds)

    if media == "application/json":
        payload = parse_json(body or b"{}")
        if not isinstance(payload, dict):
            raise ApiError(422, "invalid_json", "the JSON body must be an object")
        result = await run_engine(
            repair_item, payload, defaults, max_bytes=settings.max_document_bytes,
            deadline=deadline, own_charset=True)
    elif bytes_body:
        result = await run_engine(
            repair_bytes, body, charset=declared, convert=defaults.convert,
            strip_annotations=strip_annotations, min_confidence=min_confidence,
            detect_only=detect_only, deadline=deadline, page_charset=page_charset,
            html=html if html is not None else media == "text/html",
        )
    else:
        hint = (" (curl sends application/x-www-form-urlencoded unless told otherwise: "
                "add -H 'content-type: application/octet-stream')"
                if media == "application/x-www-form-urlencoded" else "")
        raise ApiError(
            415, "unsupported_media_type",
            f"content type {shown(media)} is not accepted; use application/octet-stream, "
            f"text/plain, text/html or application/json{hint}",
        )
    if ignored:
        result = replace(result, warnings=(ignored, *result.warnings))
    observe(result)
    return _response(result, request)


@router.api_route("/healthz", methods=["GET", "HEAD"], summary="Liveness",
                  operation_id="healthz")
def healthz() -> dict[str, str]:
    """Always ``{"status": "ok"}`` while the process serves requests (HEAD
    too, as some load balancers' health checks send it)."""
    return {"status": "ok"}


@router.api_route("/readyz", methods=["GET", "HEAD"], summary="Readiness", operation_id="readyz",
                  responses={503: {"model": ErrorResponse, "description": "Still loading"}})
def readyz() -> Response:
    """``{"status": "ready"}`` once the language model, the gate and the
    OpenCC converters are loaded and one repair has run
    (`engine.warm_up`, at start-up, before the first request), else 503."""
    if not is_warm():
        return Response('{"error": {"code": "not_ready", "message": "still loading the model"}}',
                        status_code=503, media_type="application/json")
    return Response('{"status": "ready"}', media_type="application/json")
