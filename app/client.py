"""Clients for luanma, over HTTP (a luanma service) or in process (the
engine), with one interface and one result type, `RepairResult`.

>>> from app.client import Client
>>> with Client() as c:                  # in process; Client("http://localhost:8000") over HTTP
...     c.repair("鏁版嵁").text
'数据'

`Client` is synchronous, `AsyncClient` the same with ``await`` (and
``async for`` over `AsyncClient.repair_stream`). Each has three calls:

- ``repair(data)``: one document, ``str`` or ``bytes``, to a `RepairResult`
  (``POST /v1/repair``);
- ``repair_batch(items)``: many, to a list in the same order, each slot a
  `RepairResult` or an `ItemError` (``POST /v1/repair/batch``, JSON arrays of
  at most `batch_size` items and about `batch_bytes` bytes per request);
- ``repair_stream(items)``: the same as an iterator that reads its input
  and yields its results as it goes (NDJSON, one request per
  `batch_size` items), for dumps that do not fit in memory.

Over HTTP, the client needs the ``client`` extra (``pip install
'luanma[client]'``: httpx2). A request that gets 429, 502, 503 or 504, or
that fails to connect or times out, is sent again up to `retries` times:
after the number of seconds in the response's ``Retry-After`` header (RFC
9110, section 10.2.3: seconds or an HTTP date) when there is one, else
after an exponential backoff (``backoff * 2**n`` seconds, the second half
of it random). A ``Retry-After`` longer than `max_wait` is not waited for.
Repairing is a pure function of the request, so sending again is safe.

In process (``base_url=None``), the same calls run the engine
(`app.engine.repair_bytes` and `repair_text`; `AsyncClient` in a worker
thread, so the event loop keeps running); the language model loads on the
first call, once per process.

Options (each call, or per `Item`): ``charset`` (bytes only: the declared
charset, evidence), ``convert`` (OpenCC config id), ``strip_annotations``,
``html`` (the input is an HTML page: only its text nodes and attribute
values are repaired, its charset declaration made to say UTF-8),
``min_confidence`` (in [0, 1]; a repair whose confidence is below it is not
made: the input comes back, decoded, with ``changed=False`` and a warning),
and ``detect_only`` (nothing is changed: the input comes back, decoded, with
the spans that were found and the confidence of their repair).

Exception tree (all are `app.errors.RepairError`, as the engine raises)::

    RepairError
    ├── NotText, InputTooLarge,      the engine's own classes; over HTTP,
    │   UnknownConversion,           raised from the error response's code,
    │   UnknownCodec                 with `status` and `field` set
    └── ServiceError                 an error response no engine class
        │                            names (`status`, `code`, `message`,
        │                            `field`, `valid`), e.g. invalid_field
        └── ServiceUnavailable       429, 502, 503, 504, a timeout or no
                                     connection, still so after the retries

`TypeError` for an item that is neither str, bytes nor `Item`, `ValueError`
for a `min_confidence` outside [0, 1]: both before anything is sent.
"""

from __future__ import annotations

import asyncio
import base64
import email.utils
import json
import random
import time
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any, Callable

from .engine import apply_plan, repair_bytes, repair_text
from .errors import (InputTooLarge, InvalidOption, NotText, RepairError, UnknownCodec,
                     UnknownConversion)
from .mediatype import page_charset
from .types import RepairResult

__all__ = ["AsyncClient", "Client", "Item", "ItemError", "ServiceError", "ServiceUnavailable"]

# Statuses sent again: 429 Too Many Requests and 503 Service Unavailable
# (RFC 9110 section 15.6.4 / RFC 6585 section 4: may carry Retry-After),
# 502 and 504 (a proxy in front of the service lost it for a moment).
RETRY_STATUSES = frozenset({429, 502, 503, 504})

# Error codes of the HTTP API (README, "Errors") raised as the engine's class.
_ENGINE_ERRORS: dict[str, type[RepairError]] = {
    "not_text": NotText,
    "input_too_large": InputTooLarge,
    "unknown_conversion": UnknownConversion,
    "unknown_codec": UnknownCodec,
}


class ServiceError(RepairError):
    """An error response from the service that no engine error class names.

    Attributes:
        status: the HTTP status code.
        code: the error body's ``code`` (``http_error`` if the body had none).
        message: the error body's ``message``.
        field: the request field at fault, if the service named one.
        valid: accepted values, when the fault is a choice.
    """

    code = "service_error"

    def __init__(self, status: int, code: str, message: str, field: str | None = None,
                 valid: list[str] | None = None):
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message
        self.field, self.valid = field, valid


class ServiceUnavailable(ServiceError):
    """The service answered 429/502/503/504, timed out or could not be
    reached, and still did after the retries.

    Attributes:
        retry_after: seconds the last response asked to wait, if it did.
    """

    def __init__(self, status: int, code: str, message: str, retry_after: float | None = None):
        super().__init__(status, code, message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Item:
    """One document of a batch, with options that override the call's.

    Attributes:
        data: the text (str) or the raw bytes.
        id: echoed back in errors (`ItemError.id`); str or int.
        charset, convert, strip_annotations, html, min_confidence,
            detect_only: as the call's options; None takes the call's value.
    """

    data: str | bytes
    id: str | int | None = None
    charset: str | None = None
    convert: str | None = None
    strip_annotations: bool | None = None
    html: bool | None = None
    min_confidence: float | None = None
    detect_only: bool | None = None


@dataclass(frozen=True)
class ItemError:
    """A batch item that could not be repaired (the others were).

    Attributes:
        index: the item's 0-based position in the input.
        id: the item's id, if it had one.
        code: the error code (``not_text``, ``unknown_codec``,
            ``invalid_field``, ... as in the HTTP API's errors).
        message: what went wrong, for a person.
        field: the item field at fault, if known.
    """

    index: int
    id: str | int | None
    code: str
    message: str
    field: str | None = None


Result = RepairResult | ItemError


# --- shared pieces: options, request bodies, responses ------------------------------


def _options(charset, convert, strip_annotations, html, min_confidence, detect_only) -> dict:
    return {"charset": charset, "convert": convert, "strip_annotations": strip_annotations,
            "html": html, "min_confidence": min_confidence, "detect_only": detect_only}


def _source(content_type: str | None) -> tuple[str | None, dict | None, str | None]:
    """What a page's own Content-Type (`source_content_type`) gives a call:
    the charset label for the engine, the ``X-Source-Content-Type`` header
    to send (None when absent or blank, or malformed: the client then says
    so itself, as in process), and the warning for a malformed value
    (`app.mediatype.page_charset`), or None.

    >>> _source('text/html; charset="GB2312"')
    ('GB2312', {'x-source-content-type': 'text/html; charset="GB2312"'}, None)
    >>> _source("gbk")
    (None, None, "the page's Content-Type 'gbk' is not a media type; ignored")
    """
    charset, ignored = page_charset(content_type)
    if ignored or content_type is None or not content_type.strip():
        return charset, None, ignored
    return charset, {"x-source-content-type": content_type}, None


def _warned(result: RepairResult, warning: str | None) -> RepairResult:
    """`result` with `warning` first among its warnings (the service puts
    an ignored page Content-Type's there too), or as it is for None."""
    return replace(result, warnings=(warning, *result.warnings)) if warning else result


def _one(data: str | bytes, charset: str | None) -> None:
    """InvalidOption for a `charset` given with text, as `app.engine.repair`
    raises it and the service answers it (422): text is already decoded.
    (Over HTTP the client left the charset out of the body and succeeded:
    fresh-eyes report fe12 S3-2.) A batch's call-wide charset applies to its
    bytes items only."""
    if isinstance(data, str) and charset is not None:
        raise InvalidOption("charset", "charset applies to bytes, not to str, which is "
                            "already decoded")


def _item(value: Any, index: int, defaults: dict) -> tuple[Item, dict]:
    """An `Item` and its effective options (its own over the call's)."""
    if isinstance(value, (str, bytes, bytearray, memoryview)):
        value = Item(value if isinstance(value, str) else bytes(value))
    if not isinstance(value, Item):
        raise TypeError(f"item {index} is {type(value).__name__}, not str, bytes or Item")
    if not isinstance(value.data, (str, bytes)):
        raise TypeError(f"item {index}'s data is {type(value.data).__name__}, not str or bytes")
    conf = value.min_confidence if value.min_confidence is not None else defaults["min_confidence"]
    if conf is not None and (isinstance(conf, bool) or not isinstance(conf, (int, float))
                             or not 0 <= conf <= 1):
        raise ValueError(f"item {index}: min_confidence must be a number in [0, 1], not {conf!r}")
    options = {k: (getattr(value, k) if getattr(value, k) is not None else v)
               for k, v in defaults.items()}
    return value, options


def _body(item: Item, options: dict) -> dict:
    """The JSON object the HTTP API reads for one document (README,
    "POST /v1/repair"); options at their defaults are left out."""
    if isinstance(item.data, str):
        body: dict[str, Any] = {"text": item.data}
    else:
        body = {"base64": base64.b64encode(item.data).decode("ascii")}
        if options["charset"] is not None:
            body["charset"] = options["charset"]
    if options["convert"] is not None:
        body["convert"] = options["convert"]
    if options["strip_annotations"] is False:
        body["strip_annotations"] = False
    if options["html"]:
        body["html"] = True
    if options["min_confidence"] is not None:
        body["min_confidence"] = options["min_confidence"]
    if options["detect_only"]:
        body["detect_only"] = True
    if item.id is not None:
        body["id"] = item.id
    return body


def _error_from(status: int, payload: Any, text: str) -> RepairError:
    """The exception for an error response: the engine's class for the
    engine's codes, else `ServiceError`."""
    detail = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(detail, dict):
        return ServiceError(status, "http_error", text[:300] or f"HTTP {status}")
    code = str(detail.get("code", "http_error"))
    message = str(detail.get("message", ""))
    cls = _ENGINE_ERRORS.get(code)
    if cls is None:
        return ServiceError(status, code, message, detail.get("field"), detail.get("valid"))
    exc = cls.__new__(cls)
    Exception.__init__(exc, message)
    exc.status, exc.field = status, detail.get("field")
    if cls is UnknownConversion:
        exc.name, exc.valid = None, detail.get("valid") or []
    return exc


def _slot(obj: Any, index: int, item: Item) -> Result:
    """One slot of a batch or stream answer: a result or an `ItemError`."""
    if not isinstance(obj, dict):
        return ItemError(index, item.id, "invalid_response", f"the service sent {obj!r}")
    if "error" in obj:
        err = obj["error"] if isinstance(obj["error"], dict) else {"message": str(obj["error"])}
        return ItemError(index, obj.get("id", item.id), str(err.get("code", "error")),
                         str(err.get("message", "")), err.get("field"))
    return RepairResult.from_dict(obj)


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header value (RFC 9110,
    section 10.2.3: ``delay-seconds`` or an ``HTTP-date``), or None.

    >>> _retry_after("3"), _retry_after(None), _retry_after("soon")
    (3.0, None, None)
    >>> _retry_after("Wed, 21 Oct 2015 07:28:00 GMT")  # in the past: no wait
    0.0
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _decoded_input(data: str | bytes, result: RepairResult) -> str:
    """The input as text: `data` itself, or the bytes decoded as the
    result's ``decode`` step decoded them."""
    if isinstance(data, str):
        return data
    decode = [s for s in result.steps if s.action == "decode"]
    return apply_plan(data, decode) if decode else data.decode(result.encoding or "utf-8")


def _repair_local(item: Item, options: dict, page_charset: str | None = None) -> RepairResult:
    """One document through the engine, with `min_confidence` and
    `detect_only` applied as the service applies them: the input comes back
    (decoded, for bytes) with ``changed=False``, only the ``decode`` step,
    the confidence of the repair withheld, its spans for information (their
    `out_start`/`out_end` equal to `start`/`end`: the output is the input),
    and, for `min_confidence`, a warning.

    Raises:
        RepairError: as `app.engine.repair_bytes` and `repair_text`.
    """
    common = {"convert": options["convert"], "html": bool(options["html"]),
              "strip_annotations": options["strip_annotations"] is not False}
    if isinstance(item.data, bytes):
        result = repair_bytes(item.data, charset=options["charset"], page_charset=page_charset,
                              **common)
    else:
        result = repair_text(item.data, **common)
    min_conf, detect_only = options["min_confidence"], options["detect_only"]
    if detect_only:
        warning = None
    elif min_conf is not None and result.changed and result.confidence < min_conf:
        warning = (f"confidence {result.confidence:.4f} is below min_confidence {min_conf}: "
                   "the input is returned unchanged")
    else:
        return result
    return replace(
        result, text=_decoded_input(item.data, result), changed=False,
        steps=tuple(s for s in result.steps if s.action == "decode"),
        spans=tuple(replace(s, out_start=s.start, out_end=s.end) for s in result.spans),
        warnings=result.warnings + ((warning,) if warning else ()))


def _local_slot(item: Item, options: dict, index: int) -> Result:
    try:
        return _repair_local(item, options)
    except RepairError as exc:
        return ItemError(index, item.id, exc.code, str(exc),
                         {UnknownCodec: "charset", UnknownConversion: "convert"}.get(type(exc)))


def _chunks(items: Iterable, defaults: dict, size: int, max_bytes: int, start: int = 0
            ) -> Iterator[list[tuple[int, Item, dict]]]:
    """Items in groups of at most `size` items and about `max_bytes` bytes
    of data (a group holds at least one item); indexes count from `start`."""
    group: list[tuple[int, Item, dict]] = []
    nbytes = 0
    for index, value in enumerate(items, start):
        item, options = _item(value, index, defaults)
        n = len(item.data.encode("utf-8", "surrogatepass")) if isinstance(item.data, str) \
            else len(item.data) * 4 // 3
        if group and (len(group) >= size or nbytes + n > max_bytes):
            yield group
            group, nbytes = [], 0
        group.append((index, item, options))
        nbytes += n
    if group:
        yield group


def _dumps(obj: Any) -> bytes:
    """JSON as UTF-8; text with lone surrogates (not encodable) goes as
    ``\\ud800`` escapes, which the service refuses with a clear 422."""
    try:
        return json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(obj).encode("ascii")


def _ndjson(group: list[tuple[int, Item, dict]]) -> bytes:
    return b"".join(_dumps(_body(item, options)) + b"\n" for _, item, options in group)


def _json_array(group: list[tuple[int, Item, dict]]) -> bytes:
    return _dumps([_body(item, options) for _, item, options in group])


def _answer_slots(payload: Any, group: list[tuple[int, Item, dict]]) -> list[Result]:
    if not isinstance(payload, list) or len(payload) != len(group):
        raise ServiceError(200, "invalid_response",
                           f"expected a JSON array of {len(group)} results")
    return [_slot(obj, index, item) for obj, (index, item, _) in zip(payload, group)]


def _line_slot(line: str, group, k: int) -> Result:
    index, item, _ = group[k]
    try:
        obj = json.loads(line)
    except ValueError:
        return ItemError(index, item.id, "invalid_response", f"not JSON: {line[:100]!r}")
    return _slot(obj, index, item)


class _Base:
    _HTTP_CLASS = ""  # httpx2's Client or AsyncClient

    def __init__(self, base_url: str | None = None, *, timeout: float = 300.0, retries: int = 3,
                 backoff: float = 0.5, max_wait: float = 60.0, batch_size: int = 64,
                 batch_bytes: int = 8 * 1024 * 1024,
                 on_retry: Callable[[int, float, str], None] | None = None, transport=None):
        if retries < 0 or backoff < 0 or max_wait < 0 or batch_size < 1 or batch_bytes < 1:
            raise ValueError("retries, backoff and max_wait must be >= 0, "
                             "batch_size and batch_bytes >= 1")
        self.base_url = base_url.rstrip("/") if base_url else None
        self.timeout, self.retries, self.backoff = timeout, retries, backoff
        self.max_wait, self.batch_size, self.batch_bytes = max_wait, batch_size, batch_bytes
        self.on_retry = on_retry
        self._http = None
        if self.base_url is not None:
            self._http = getattr(_httpx(), self._HTTP_CLASS)(
                base_url=self.base_url, timeout=timeout, headers=_HEADERS, transport=transport)

    def _wait(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after
        full = min(self.max_wait, self.backoff * 2 ** attempt)
        return full / 2 + random.uniform(0, full / 2)

    def _give_up(self, attempt: int, wait: float, status: int, code: str, message: str,
                 retry_after: float | None) -> ServiceUnavailable | None:
        """None to try again after `wait`, else the error to raise."""
        if attempt < self.retries and wait <= self.max_wait:
            if self.on_retry is not None:
                self.on_retry(attempt + 1, wait, f"{status or ''} {code}".strip())
            return None
        tries = f"after {attempt + 1} tries" if attempt else "on the first try"
        return ServiceUnavailable(status, code, f"{message} ({tries})", retry_after)

    def _request(self, path: str, content: bytes, content_type: str, headers: dict | None):
        return self._http.build_request(
            "POST", path, content=content, headers={"content-type": content_type,
                                                    **(headers or {})})

    def _wait_after_transport_error(self, attempt: int, exc: Exception) -> float:
        """Seconds to wait before trying again after `exc` (the connection
        failed); raises `ServiceUnavailable` when no try is left."""
        wait = self._wait(attempt, None)
        error = self._give_up(attempt, wait, 0, type(exc).__name__,
                              f"{self.base_url}: {exc or type(exc).__name__}", None)
        if error is not None:
            raise error from exc
        return wait

    def _wait_after_status(self, attempt: int, response) -> float:
        """Seconds to wait before trying again after a `RETRY_STATUSES`
        answer (read); raises `ServiceUnavailable` when no try is left."""
        after = _retry_after(response.headers.get("retry-after"))
        wait = self._wait(attempt, after)
        error = self._give_up(attempt, wait, response.status_code,
                              f"http_{response.status_code}", response.text[:300], after)
        if error is not None:
            raise error
        return wait

    @staticmethod
    def _check(response) -> None:
        if response.status_code >= 400:
            try:
                payload = response.json()
            except ValueError:
                payload = None
            raise _error_from(response.status_code, payload, response.text)


def _httpx():
    try:
        import httpx2
    except ImportError:  # pragma: no cover - depends on the install
        raise ImportError("luanma's HTTP client needs httpx2: pip install 'luanma[client]' "
                          "(or use Client() without a URL, in process)") from None
    return httpx2


_HEADERS = {"accept": "application/json", "user-agent": "luanma-client"}


class Client(_Base):
    """Synchronous client: over HTTP when given a URL, else in process.

    Args:
        base_url: the service, e.g. ``http://localhost:8000``; None: call
            the engine in this process.
        timeout: seconds for each HTTP request to connect, send and answer
            (a 10 MiB page can take minutes to repair); ignored in process.
        retries: how many times a request is sent again (see the module
            docstring); 0 for never.
        backoff: seconds of the first backoff, doubled each retry.
        max_wait: longest wait between tries, seconds; a longer
            ``Retry-After`` ends the retries.
        batch_size: items per batch or stream request.
        batch_bytes: about how many bytes of item data per batch or stream
            request (base64 bytes count 4/3), below the service's limit.
        on_retry: called as ``on_retry(retry_number, wait_seconds, reason)``
            before each wait (for logs and metrics).
        transport: an httpx2 transport (e.g. ``httpx2.WSGITransport``), for
            tests and custom networking.

    Raises:
        ValueError: a negative count or wait, or a batch size below 1.
        ImportError: a `base_url` without httpx2 installed.
    """

    _HTTP_CLASS = "Client"

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connections (nothing to do in process)."""
        if self._http is not None:
            self._http.close()

    def _send(self, path: str, content: bytes, content_type: str, *, stream: bool = False,
              headers: dict | None = None):
        """POST with retries; the response, status checked (streamed,
        unread, when `stream`: the caller closes it)."""
        httpx = _httpx()
        for attempt in range(self.retries + 1):
            request = self._request(path, content, content_type, headers)
            try:
                response = self._http.send(request, stream=stream)
            except httpx.TransportError as exc:
                time.sleep(self._wait_after_transport_error(attempt, exc))
                continue
            if response.status_code not in RETRY_STATUSES:
                if response.status_code >= 400 and stream:
                    response.read()
                    response.close()
                self._check(response)
                return response
            response.read()
            response.close()
            time.sleep(self._wait_after_status(attempt, response))
        raise AssertionError("unreachable")  # pragma: no cover

    def repair(self, data: str | bytes, *, charset: str | None = None, convert: str | None = None,
               strip_annotations: bool = True, html: bool = False,
               min_confidence: float | None = None, detect_only: bool = False,
               source_content_type: str | None = None) -> RepairResult:
        """Repair one document.

        Args:
            data: text (str) or raw bytes.
            charset: for bytes, the declared charset (evidence, not an order).
            convert: OpenCC config id (``t2s``, ``s2t``, ...), or None.
            strip_annotations: remove flattened ruby annotations.
            html: `data` is an HTML page (text nodes and attribute values
                are repaired, the markup kept byte for byte).
            min_confidence: in [0, 1]; a repair below it is not made.
            detect_only: report what is found, change nothing.
            source_content_type: for bytes, the page's own HTTP Content-Type
                as a scraper got it (``text/html; charset=gbk``); its charset
                is evidence after `charset`, and one that names no codec is
                ignored with a warning, as is a value that is not a media
                type or gives a parameter twice (over HTTP: the
                ``X-Source-Content-Type`` header, sent only when well formed).

        Returns:
            The `RepairResult`, as `app.engine.repair` returns it.

        Raises:
            RepairError: see the module docstring; `InvalidOption` for a
                `charset` with str `data`.
        """
        _one(data, charset)
        item, options = _item(data, 0, _options(charset, convert, strip_annotations, html,
                                                min_confidence, detect_only))
        page_charset, headers, ignored = _source(source_content_type)
        if self._http is None:
            return _warned(_repair_local(item, options, page_charset), ignored)
        body = _dumps(_body(item, options))
        response = self._send("/v1/repair", body, "application/json", headers=headers)
        return _warned(RepairResult.from_dict(response.json()), ignored)

    def repair_batch(self, items: Iterable[str | bytes | Item], *, charset: str | None = None,
                     convert: str | None = None, strip_annotations: bool = True,
                     html: bool = False, min_confidence: float | None = None,
                     detect_only: bool = False) -> list[Result]:
        """Repair many documents, one JSON batch request per `batch_size` items.

        Args:
            items: str, bytes or `Item` (with its own id and options).
            charset, convert, strip_annotations, html, min_confidence,
                detect_only: as for `repair`, for items that do not set their own.

        Returns:
            One slot per item, in input order: its `RepairResult`, or an
            `ItemError` for an item the service refused (the others are
            repaired).

        Raises:
            TypeError: an item is not str, bytes or `Item`.
            ServiceError: the whole request was refused (e.g. 413, 415).
        """
        defaults = _options(charset, convert, strip_annotations, html, min_confidence, detect_only)
        out: list[Result] = []
        for group in _chunks(items, defaults, self.batch_size, self.batch_bytes):
            if self._http is None:
                out += [_local_slot(item, options, index) for index, item, options in group]
                continue
            response = self._send("/v1/repair/batch", _json_array(group), "application/json")
            out += _answer_slots(response.json(), group)
        return out

    def repair_stream(self, items: Iterable[str | bytes | Item], *, charset: str | None = None,
                      convert: str | None = None, strip_annotations: bool = True,
                      html: bool = False, min_confidence: float | None = None,
                      detect_only: bool = False) -> Iterator[Result]:
        """Repair an iterable of documents lazily: NDJSON requests of
        `batch_size` items, each result yielded as its line arrives. Memory
        holds one request's items and results.

        Args and slots: as for `repair_batch`.

        Raises:
            TypeError, ServiceError: as for `repair_batch`, when reached.
        """
        defaults = _options(charset, convert, strip_annotations, html, min_confidence, detect_only)
        for group in _chunks(items, defaults, self.batch_size, self.batch_bytes):
            if self._http is None:
                for index, item, options in group:
                    yield _local_slot(item, options, index)
                continue
            response = self._send("/v1/repair/batch", _ndjson(group), "application/x-ndjson",
                                  stream=True)
            k = 0
            try:
                for line in response.iter_lines():
                    if line.strip() and k < len(group):
                        yield _line_slot(line, group, k)
                        k += 1
            finally:
                response.close()
            if k != len(group):
                raise ServiceError(response.status_code, "invalid_response",
                                   f"the stream ended after {k} of {len(group)} results")

    def ready(self) -> bool:
        """Whether the service answers ``GET /readyz`` with 200 (in process:
        always True). Not retried."""
        if self._http is None:
            return True
        try:
            return self._http.get("/readyz").status_code == 200
        except _httpx().TransportError:
            return False


class AsyncClient(_Base):
    """`Client` for asyncio: the same arguments, calls awaited, and
    ``async for`` over `repair_stream`. In process, each document is
    repaired in a worker thread (`asyncio.to_thread`).
    """

    _HTTP_CLASS = "AsyncClient"

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP connections (nothing to do in process)."""
        if self._http is not None:
            await self._http.aclose()

    async def _send(self, path: str, content: bytes, content_type: str, *, stream: bool = False,
                    headers: dict | None = None):
        httpx = _httpx()
        for attempt in range(self.retries + 1):
            request = self._request(path, content, content_type, headers)
            try:
                response = await self._http.send(request, stream=stream)
            except httpx.TransportError as exc:
                await asyncio.sleep(self._wait_after_transport_error(attempt, exc))
                continue
            if response.status_code not in RETRY_STATUSES:
                if response.status_code >= 400 and stream:
                    await response.aread()
                    await response.aclose()
                self._check(response)
                return response
            await response.aread()
            await response.aclose()
            await asyncio.sleep(self._wait_after_status(attempt, response))
        raise AssertionError("unreachable")  # pragma: no cover

    async def repair(self, data: str | bytes, *, charset: str | None = None,
                     convert: str | None = None, strip_annotations: bool = True,
                     html: bool = False, min_confidence: float | None = None,
                     detect_only: bool = False, source_content_type: str | None = None
                     ) -> RepairResult:
        """As `Client.repair`."""
        _one(data, charset)
        item, options = _item(data, 0, _options(charset, convert, strip_annotations, html,
                                                min_confidence, detect_only))
        page_charset, headers, ignored = _source(source_content_type)
        if self._http is None:
            return _warned(await asyncio.to_thread(_repair_local, item, options, page_charset),
                           ignored)
        body = _dumps(_body(item, options))
        response = await self._send("/v1/repair", body, "application/json", headers=headers)
        return _warned(RepairResult.from_dict(response.json()), ignored)

    async def repair_batch(self, items: Iterable[str | bytes | Item], *,
                           charset: str | None = None, convert: str | None = None,
                           strip_annotations: bool = True, html: bool = False,
                           min_confidence: float | None = None, detect_only: bool = False
                           ) -> list[Result]:
        """As `Client.repair_batch`."""
        defaults = _options(charset, convert, strip_annotations, html, min_confidence, detect_only)
        out: list[Result] = []
        for group in _chunks(items, defaults, self.batch_size, self.batch_bytes):
            if self._http is None:
                out += await asyncio.to_thread(
                    lambda g=group: [_local_slot(it, op, ix) for ix, it, op in g])
                continue
            response = await self._send("/v1/repair/batch", _json_array(group),
                                        "application/json")
            out += _answer_slots(response.json(), group)
        return out

    async def repair_stream(self, items: Iterable[str | bytes | Item]
                            | AsyncIterable[str | bytes | Item], *, charset: str | None = None,
                            convert: str | None = None, strip_annotations: bool = True,
                            html: bool = False, min_confidence: float | None = None,
                            detect_only: bool = False) -> AsyncIterator[Result]:
        """As `Client.repair_stream`; `items` may also be an async iterable."""
        defaults = _options(charset, convert, strip_annotations, html, min_confidence, detect_only)
        async for group in _achunks(items, defaults, self.batch_size, self.batch_bytes):
            if self._http is None:
                for index, item, options in group:
                    yield await asyncio.to_thread(_local_slot, item, options, index)
                continue
            response = await self._send("/v1/repair/batch", _ndjson(group),
                                        "application/x-ndjson", stream=True)
            k = 0
            try:
                async for line in response.aiter_lines():
                    if line.strip() and k < len(group):
                        yield _line_slot(line, group, k)
                        k += 1
            finally:
                await response.aclose()
            if k != len(group):
                raise ServiceError(response.status_code, "invalid_response",
                                   f"the stream ended after {k} of {len(group)} results")

    async def ready(self) -> bool:
        """As `Client.ready`."""
        if self._http is None:
            return True
        try:
            return (await self._http.get("/readyz")).status_code == 200
        except _httpx().TransportError:
            return False


async def _achunks(items, defaults: dict, size: int, max_bytes: int):
    """`_chunks` over an iterable or an async iterable."""
    if not isinstance(items, AsyncIterable):
        for group in _chunks(items, defaults, size, max_bytes):
            yield group
        return
    buffered: list = []
    base = 0
    async for value in items:
        buffered.append(value)
        if len(buffered) >= size:
            for group in _chunks(buffered, defaults, size, max_bytes, base):
                yield group
            base += len(buffered)
            buffered = []
    for group in _chunks(buffered, defaults, size, max_bytes, base):
        yield group
