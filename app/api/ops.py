"""Operations: request ids, JSON logs, Prometheus metrics and the bound on
requests in flight.

`OpsMiddleware` (pure ASGI, so streamed bodies pass through untouched)
gives each request an id (the client's ``X-Request-ID`` when it is a
sensible token, else a new one; echoed in the response), refuses requests
to ``/v1/`` beyond `Settings.max_in_flight` with 503 and ``Retry-After``,
counts requests, latency and bytes in, and logs one JSON line per request.
Logs never hold a request body, a text or a query string: scraped text can
hold personal data.

Metrics (`prometheus_client`, the process's default registry):

==================================  =========  ==================================
name                                type       labels / meaning
==================================  =========  ==================================
luanma_requests_total               counter    path, method, status
luanma_request_duration_seconds     histogram  path; until the last body byte sent
luanma_request_bytes_total          counter    path; body bytes as sent (gzip too)
luanma_requests_in_flight           gauge      requests being served
luanma_requests_rejected_total      counter    503s of the in-flight bound
luanma_repairs_total                counter    kind; spans found, by kind
luanma_documents_total              counter    outcome: changed, unchanged
luanma_confidence                   histogram  documents' confidence
==================================  =========  ==================================

With several worker processes each has its own registry: set
``PROMETHEUS_MULTIPROC_DIR`` to an empty directory before start and
``/metrics`` adds up every worker's files (prometheus_client's multiprocess
mode; the gauge then sums the workers).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import re
import time
import traceback
import uuid
import weakref
from contextvars import ContextVar

import anyio
import anyio.to_thread
from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

from ..settings import get_settings
from ..types import RepairResult

REQUEST_ID: ContextVar[str | None] = ContextVar("luanma_request_id", default=None)
access_log = logging.getLogger("luanma.access")
log = logging.getLogger("luanma")

# Paths known by name in metrics and logs (and /static for the debugging
# page's files); any other is "other", so that
# scanners probing random URLs cannot grow the label set.
_KNOWN_PATHS = ("/v1/repair", "/v1/repair/batch", "/healthz", "/readyz", "/metrics", "/",
                "/docs", "/openapi.json")
# An X-Request-ID worth echoing: a token of up to 128 visible ASCII characters.
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:/+=-]{1,128}$")

_MULTIPROC = "PROMETHEUS_MULTIPROC_DIR" in os.environ
disable_created_metrics()  # the *_created series only double the output
REQUESTS = Counter("luanma_requests_total", "HTTP requests answered.",
                   ["path", "method", "status"])
LATENCY = Histogram("luanma_request_duration_seconds",
                    "Time from a request's arrival to its last response byte.", ["path"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
BYTES_IN = Counter("luanma_request_bytes_total",
                   "Request body bytes received, as sent (before gzip inflation).", ["path"])
IN_FLIGHT = Gauge("luanma_requests_in_flight", "Requests being served.",
                  multiprocess_mode="livesum")
REJECTED = Counter("luanma_requests_rejected_total",
                   "Requests refused with 503: the worker had max_in_flight requests.")
REPAIRS = Counter("luanma_repairs_total", "Spans found in documents, by kind.", ["kind"])
DOCUMENTS = Counter("luanma_documents_total", "Documents repaired, by outcome.", ["outcome"])
CONFIDENCE = Histogram("luanma_confidence", "Documents' confidence.",
                       buckets=(0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0))


# One engine limiter per event loop (a TestClient and a test server run
# their own loops in one process).
_LIMITERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


async def run_engine(fn, /, *args, **kwargs):
    """``fn(*args, **kwargs)`` in a worker thread, at most
    `Settings.engine_threads` at once in this process; the others wait their
    turn in order of arrival (anyio's CapacityLimiter). The engine is
    CPU-bound Python: under the GIL, many threads would only make every
    document slower together (and the deadline would then cut them all)."""
    loop = asyncio.get_running_loop()
    tokens = get_settings().engine_threads
    limiter = _LIMITERS.get(loop)
    if limiter is None or limiter.total_tokens != tokens:
        limiter = _LIMITERS[loop] = anyio.CapacityLimiter(tokens)
    return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs),
                                          limiter=limiter)


def observe(result: RepairResult) -> None:
    """Count one document's spans by kind and its confidence (thread-safe)."""
    for span in result.spans:
        REPAIRS.labels(span.kind).inc()
    DOCUMENTS.labels("changed" if result.changed else "unchanged").inc()
    CONFIDENCE.observe(result.confidence)


router = APIRouter()


@router.get("/metrics", summary="Prometheus metrics", response_class=Response,
            responses={200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}}})
def metrics() -> Response:
    """The process's metrics in Prometheus' text format (all workers' with
    ``PROMETHEUS_MULTIPROC_DIR``)."""
    if _MULTIPROC:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (the current request's, or None) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


def logging_config(level: str = "info") -> dict:
    """A `logging.config.dictConfig` dict (also uvicorn's ``log_config``):
    JSON lines on stderr (python-json-logger) with ``request_id``, for
    luanma's and uvicorn's loggers; uvicorn's own access log is off, as
    `OpsMiddleware` logs each request without its query string."""
    handler = {"class": "logging.StreamHandler", "formatter": "json",
               "filters": ["request_id"], "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "app.api.ops.RequestIdFilter"}},
        "formatters": {"json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }},
        "handlers": {"json": handler},
        "loggers": {
            "luanma": {"handlers": ["json"], "level": level.upper(), "propagate": False},
            "uvicorn": {"handlers": ["json"], "level": level.upper(), "propagate": False},
            "uvicorn.error": {"level": level.upper()},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }


def _path_label(path: str) -> str:
    if path in _KNOWN_PATHS:
        return path
    return "/static" if path.startswith("/static/") else "other"


_OVERLOADED = (b'{"error": {"code": "overloaded", "message": "this worker is serving its '
               b'maximum of requests (LUANMA_MAX_IN_FLIGHT); retry after the seconds in '
               b'Retry-After"}}')
RETRY_AFTER_SECONDS = 1
_INTERNAL = (b'{"error": {"code": "internal_error", "message": "luanma failed on this request; '
             b'it has been logged"}}')


def log_internal_error(exc: BaseException) -> None:
    """Log an unexpected exception (a bug, not bad input) once, as one JSON
    line with the current request's id: its type and where it was raised
    (the innermost 12 ``file:line in function`` frames), never its message
    or locals, which could quote the text."""
    if getattr(exc, "_luanma_logged", False):
        return
    frames = traceback.extract_tb(exc.__traceback__)[-12:]
    log.error("internal error", extra={
        "exception": type(exc).__name__,
        "stack": [f"{os.path.basename(f.filename)}:{f.lineno} in {f.name}" for f in frames]})
    exc._luanma_logged = True


class _ConnectionGone(Exception):
    """The server could not send on the request's connection any more."""


class OpsMiddleware:
    """Request id, in-flight bound, metrics and the access log (see module doc)."""

    def __init__(self, app):
        self.app = app
        self.in_flight = 0  # requests to /v1/ being served by this worker

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        # (several lines of the header are one list, RFC 9110 section 5.3:
        # "a, b" is no request id, and a new one is made; the last line was
        # taken, fresh-eyes report fe12 S3-6)
        given = b", ".join(v for k, v in scope["headers"] if k == b"x-request-id").decode(
            "latin-1")
        rid = given if _REQUEST_ID_RE.match(given) else uuid.uuid4().hex
        token = REQUEST_ID.set(rid)
        path, method = scope["path"], scope["method"]
        label = _path_label(path)
        status = [500]
        received = [0]
        rid_header = (b"x-request-id", rid.encode("ascii"))

        async def counting_receive():
            message = await receive()
            if message["type"] == "http.request":
                received[0] += len(message.get("body", b""))
            return message

        answered = [False]

        async def tagging_send(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                answered[0] = True
                message["headers"] = list(message.get("headers", [])) + [rid_header]
            try:
                await send(message)
            except Exception as exc:
                # The server can no longer answer on this connection (it has
                # answered a malformed request itself, 400, or the client is
                # gone): not a fault of luanma's; counted as 499.
                status[0] = 499
                raise _ConnectionGone from exc

        bounded = path.startswith("/v1/")
        try:
            if bounded and self.in_flight >= get_settings().max_in_flight:
                REJECTED.inc()
                await tagging_send({"type": "http.response.start", "status": 503, "headers": [
                    (b"content-type", b"application/json"),
                    (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
                    (b"content-length", str(len(_OVERLOADED)).encode())]})
                await send({"type": "http.response.body", "body": _OVERLOADED})
                return
            if bounded:
                self.in_flight += 1
            IN_FLIGHT.inc()
            try:
                await self.app(scope, counting_receive, tagging_send)
            except _ConnectionGone:
                log.info("connection closed before the answer was sent")
            except Exception as exc:
                # Handled here, where the request id is known, rather than by
                # Starlette's outermost handler (which logs it as null).
                log_internal_error(exc)
                if answered[0]:
                    # Mid-answer: the server drops the connection. The id
                    # stays set for its log line (this task ends with it).
                    token = None
                    raise
                await tagging_send({"type": "http.response.start", "status": 500, "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(_INTERNAL)).encode())]})
                await send({"type": "http.response.body", "body": _INTERNAL})
            finally:
                IN_FLIGHT.dec()
                if bounded:
                    self.in_flight -= 1
        finally:
            elapsed = time.perf_counter() - started
            REQUESTS.labels(label, method, str(status[0])).inc()
            LATENCY.labels(label).observe(elapsed)
            BYTES_IN.labels(label).inc(received[0])
            access_log.info("request", extra={
                "method": method, "path": label,
                "status": status[0], "duration_ms": round(elapsed * 1000, 2),
                "bytes_in": received[0]})
            if token is not None:
                REQUEST_ID.reset(token)
