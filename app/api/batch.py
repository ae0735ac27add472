"""``POST /v1/repair/batch``: many documents in one request, as a JSON
array (read whole, up to `Settings.max_batch_bytes`) or as an NDJSON stream
(no total limit; repaired line by line in bounded memory).

NDJSON memory bound, per stream: one read chunk (64 KiB, inflated from gzip
at most 64 KiB at a time), one line (at most 4 x `max_document_bytes`; a
longer line is skipped as it arrives and answered ``input_too_large``), and
one item in the engine at a time, with its parsed JSON and its result. What
the client sends ahead of the repairs waits in a temporary file of at most
`Settings.stream_spool_bytes`, not in memory, so a client that sends the
whole stream before reading any of the answer does not stall the server
(up to that many bytes; past it, luanma stops reading until the client
reads its answers, as TCP does).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import tempfile

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from ..errors import shown
from ..settings import Settings, get_settings
from .inflate import BadGzip
from .items import (Defaults, ItemError, batch_slot, check_defaults, check_query, error_slot,
                    ndjson_slot, parse_json)
from .ops import observe, run_engine
from .routes import _ERRORS, gzip_inflater, header_value, media_type, read_body
from .schemas import BatchError, BatchItem, BatchResult

router = APIRouter()

CHUNK_BYTES = 64 * 1024  # read and inflate granularity of an NDJSON stream
NDJSON = "application/x-ndjson"

_REQUEST_BODY = {
    "required": True,
    "description": (
        "Items to repair. `application/json`: an array of items (the whole body at most "
        "LUANMA_MAX_BATCH_BYTES). `application/x-ndjson`: one item per line, no total limit, "
        "blank lines skipped. Each item is the JSON body of POST /v1/repair plus an optional "
        "`id` (string or integer), echoed back."
    ),
    "content": {
        "application/json": {
            "schema": {"type": "array", "items": BatchItem.model_json_schema()},
            "example": [{"id": 1, "text": "鏁版嵁鎶撳彇缁撴灉"},
                        {"id": "p2", "base64": "yv2+3delyKE=", "charset": "gbk"}],
        },
        NDJSON: {
            "schema": {"type": "string", "description": "one JSON item per line"},
            "example": '{"id": 1, "text": "鏁版嵁鎶撳彇缁撴灉"}\n{"id": 2, "text": "´´½¨¹ú¼Ò"}\n',
        },
    },
}
_RESPONSES = {
    200: {
        "description": (
            "One slot per item, in order: the repair (as POST /v1/repair answers) plus `id`, "
            "or `{id, error}` for a bad item (`line` too, for NDJSON). NDJSON in gives NDJSON "
            "out, streamed, one line per non-blank input line."),
        "model": list[BatchResult | BatchError],
        "content": {NDJSON: {"schema": {"type": "string", "description": "one slot per line"}}},
    },
    **_ERRORS,
    413: {**_ERRORS[413], "description": "A JSON-array body larger than "
          "LUANMA_MAX_BATCH_BYTES (an item over the document limit gets its own slot)"},
}


@router.post(
    "/v1/repair/batch",
    responses=_RESPONSES,
    openapi_extra={"requestBody": _REQUEST_BODY},
    summary="Repair many documents: a JSON array, or an NDJSON stream",
    response_class=Response,
)
async def batch_endpoint(
    request: Request,
    charset: str | None = Query(None, description="Default declared charset of base64 items."),
    convert: str | None = Query(None, description="Default OpenCC config id."),
    strip_annotations: bool = Query(True, description="Default: remove flattened ruby."),
    min_confidence: float | None = Query(
        None, ge=0, le=1, allow_inf_nan=False,
        description="Default: below it, return an item unchanged."),
    detect_only: bool = Query(False, description="Default: report spans; change nothing."),
    html: bool = Query(False, description="Default: items are HTML pages (HTML mode)."),
) -> Response:
    """Repair many documents. Query options are defaults for every item; an
    item's own fields win. A bad item gets an error in its own slot; a bad
    query option and whole-body problems (not JSON, not an array) are 422
    for the whole request, decided before an NDJSON answer starts."""
    settings = get_settings()
    media, _ = media_type(request)
    defaults = Defaults(charset=charset, convert=convert or settings.default_convert,
                        strip_annotations=strip_annotations, min_confidence=min_confidence,
                        detect_only=detect_only, html=html)
    check_query(request.query_params.multi_items())
    check_defaults(defaults)
    if media == NDJSON:
        return NdjsonStream(gzip_inflater(request), defaults, settings)
    if media != "application/json":
        # (a body without a Content-Type is octet-stream to /v1/repair; a
        # batch has no such default, and says so rather than name a type
        # the client did not send: fresh-eyes report fe12 S3-4)
        given = (f"content type {shown(media)} is not accepted for batches"
                 if header_value(request, "content-type") else "a batch needs a Content-Type")
        raise ItemError(415, "unsupported_media_type",
                        f"{given}; use application/json (an array) or {NDJSON}")
    body = await read_body(request, settings.max_batch_bytes)
    items = parse_json(body)
    if not isinstance(items, list):
        raise ItemError(422, "invalid_json", "a batch body must be a JSON array of items "
                        f"(or {NDJSON}, one item per line)")
    del body
    slots = []
    for item in items:  # one engine turn per item: other requests interleave
        slots.append(await run_engine(
            batch_slot, item, defaults, max_bytes=settings.max_document_bytes,
            deadline_seconds=settings.deadline_seconds, observe=observe))
    content = await run_in_threadpool(json.dumps, slots, ensure_ascii=False)
    return Response(content.encode("utf-8"), media_type="application/json")


class _Spool:
    """Bytes of a stream received but not yet split into lines, in a
    temporary file: the reader appends, the consumer reads from its own
    offset; once the consumer has caught up the file is emptied, and the
    reader waits while the file holds `cap` bytes."""

    def __init__(self, cap: int):
        self.file = tempfile.TemporaryFile(prefix="luanma-ndjson-")  # noqa: SIM115 (closed by close())
        self.fd = self.file.fileno()
        self.cap = cap
        self.write_pos = self.read_pos = 0
        self.done = self.disconnected = False
        self.error: ItemError | None = None
        self.arrived = asyncio.Event()
        self.room = asyncio.Event()
        self.room.set()

    async def write(self, data: bytes) -> None:
        while self.write_pos >= self.cap:
            self.room.clear()
            await self.room.wait()
        os.pwrite(self.fd, data, self.write_pos)
        self.write_pos += len(data)
        self.arrived.set()

    def finish(self, error: ItemError | None = None) -> None:
        self.done, self.error = True, error
        self.arrived.set()

    async def read(self) -> bytes:
        """Up to CHUNK_BYTES of what arrived; b"" once the stream is over."""
        while self.read_pos == self.write_pos:
            if self.read_pos:  # caught up: empty the file
                self.file.truncate(0)
                self.read_pos = self.write_pos = 0
                self.room.set()
            if self.done:
                return b""
            self.arrived.clear()
            await self.arrived.wait()
        data = os.pread(self.fd, min(CHUNK_BYTES, self.write_pos - self.read_pos), self.read_pos)
        self.read_pos += len(data)
        return data

    async def lines(self, limit: int):
        """(number, line) for each line, numbered from 1, without its
        newline; line None when it is longer than `limit` bytes (skipped as it
        arrives, never held). A last line without a newline is a line when
        the stream ends well; when it ends with an error (broken gzip, a
        body timeout), that line is the part of a line the fault cut off and
        is not yielded: the error's own slot stands for it."""
        buf = bytearray()
        number, skipping = 0, False
        while chunk := await self.read():
            pos = 0
            while (nl := chunk.find(b"\n", pos)) >= 0:
                number += 1
                if skipping or len(buf) + nl - pos > limit:
                    skipping = False
                    buf.clear()
                    yield number, None
                else:
                    buf += chunk[pos:nl]
                    line = bytes(buf)
                    buf.clear()
                    yield number, line
                pos = nl + 1
            if not skipping:
                buf += chunk[pos:]
                if len(buf) > limit:
                    skipping = True
                    buf = bytearray()
        if self.error is None and (skipping or buf.strip()):
            yield number + 1, None if skipping else bytes(buf)

    def close(self) -> None:
        self.file.close()


class NdjsonStream(Response):
    """The answer to an NDJSON batch: one slot line per item line, sent as
    each is repaired, while a reader task keeps taking the request body into
    a `_Spool` (see the module doc for the memory bound)."""

    media_type = NDJSON

    def __init__(self, inflater, defaults: Defaults, settings: Settings):
        self.status_code = 200
        self.background = None
        self.inflater = inflater
        self.defaults = defaults
        self.settings = settings
        self.init_headers({"content-type": NDJSON})

    async def _read(self, receive, spool: _Spool) -> None:
        inflater, received = self.inflater, 0
        try:
            timeout = self.settings.body_timeout_seconds
            while True:
                try:
                    message = await asyncio.wait_for(receive(), timeout)
                except TimeoutError:
                    spool.finish(ItemError(408, "body_timeout", f"no bytes of the stream for "
                                           f"{timeout:g} s (LUANMA_BODY_TIMEOUT_SECONDS)"))
                    return
                if message["type"] == "http.disconnect":
                    spool.disconnected = True  # nobody reads the answer: stop
                    spool.finish()
                    return
                chunk = message.get("body", b"")
                received += len(chunk)
                if inflater is None:
                    if chunk:
                        await spool.write(chunk)
                else:
                    # every piece before a fault is written (its lines are
                    # answered) before the fault ends the stream
                    for piece in inflater.inflate(chunk, CHUNK_BYTES):
                        await spool.write(piece)
                if not message.get("more_body", False):
                    if inflater is not None and received and not inflater.eof:
                        spool.finish(ItemError(422, "invalid_gzip",
                                               "the gzip body ends before its end"))
                    else:
                        spool.finish()
                    return
        except BadGzip as exc:
            spool.finish(ItemError(422, "invalid_gzip", f"bad gzip body: {exc}"))

    async def __call__(self, scope, receive, send) -> None:
        spool = _Spool(self.settings.stream_spool_bytes)
        reader = asyncio.create_task(self._read(receive, spool))
        max_bytes = self.settings.max_document_bytes
        try:
            await send({"type": "http.response.start", "status": 200,
                        "headers": self.raw_headers})
            last = 0
            async for number, raw in spool.lines(self.settings.max_item_json_bytes):
                if spool.disconnected:
                    break
                last = number
                out = await run_engine(
                    ndjson_slot, raw, number, self.defaults, max_bytes=max_bytes,
                    deadline_seconds=self.settings.deadline_seconds, observe=observe)
                if out:
                    await send({"type": "http.response.body", "body": out, "more_body": True})
            if spool.error is not None:
                out = json.dumps(error_slot(spool.error, None, last + 1)).encode() + b"\n"
                await send({"type": "http.response.body", "body": out, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
            spool.close()
