"""A Scrapy downloader middleware that repairs responses as they arrive
(``pip install 'luanma[scrapy]'``; with a sidecar, ``'luanma[scrapy,client]'``).

In ``settings.py``::

    DOWNLOADER_MIDDLEWARES = {"app.integrations.scrapy.RepairMiddleware": 540}
    LUANMA_URL = None            # or "http://localhost:8000", a luanma sidecar
    LUANMA_CONVERT = "t2s"       # optional

The middleware sends the body's bytes to luanma's bytes path with the
response's ``Content-Type`` header as the page's own (its charset is
evidence, after which the page's ``<meta charset>`` and XML declaration,
each checked against the bytes, never obeyed blindly), in process (in a
thread of the reactor's pool, so downloads go on) or on the sidecar
(`app.client.Client`, with its retries). HTML pages are repaired in HTML
mode: text nodes and attribute values change, the markup stays byte for
byte, and each ``<meta charset>`` comes out as ``<meta charset="utf-8">``.
The spider then gets a response of the same class (a `TextResponse` for a
type Scrapy does not read as text) whose body is the repaired text in
UTF-8, with ``encoding="utf-8"`` and the header's charset set to ``utf-8``.

Priority 540 puts it after HttpCompressionMiddleware (590, which inflates
gzip bodies) and RetryMiddleware (550) on the way back, and after
HttpCacheMiddleware (900), which keeps the bytes as they were sent.

Settings:

==========================  =================  ==========================================
setting                     default            meaning
==========================  =================  ==========================================
LUANMA_ENABLED              True               off: the middleware is not loaded
LUANMA_URL                  None               a luanma service's base URL; None: in process
LUANMA_CONVERT              None               OpenCC config id (``t2s``, ``s2t``, ...)
LUANMA_STRIP_ANNOTATIONS    True               remove flattened ruby annotations
LUANMA_HTML                 True               text/html and application/xhtml+xml
                                               in HTML mode (False: as plain text)
LUANMA_MIN_CONFIDENCE       None               below it, the page is only decoded, not repaired
LUANMA_CONTENT_TYPES        text/html,         media types repaired; others pass untouched
                            application/xhtml
                            +xml, text/plain
LUANMA_MAX_BYTES            10485760           larger bodies pass untouched (the service's
                                               default limit)
LUANMA_TIMEOUT              300                seconds per sidecar request
LUANMA_RETRIES              3                  sidecar retries (429, 502-504, no connection)
==========================  =================  ==========================================

Keys it sets in ``response.meta`` (the request's meta):

========================  ==================================================
key                       value
========================  ==================================================
luanma_confidence         float in [0, 1], `RepairResult.confidence`
luanma_changed            bool: the text differs from the body decoded
luanma_encoding           codec luanma decoded the body with (Python's name)
luanma_spans              tuple of `app.types.Span` (offsets: code points of
                          the decoded body and of ``response.text``; in HTML
                          mode a rewritten ``<meta charset>`` is a span of
                          kind ``charset_declaration``)
luanma_warnings           tuple of str (a charset that lied, lost text, ...)
luanma_error              ``code: message`` when the body was left as it
                          came (``not_text``, ``input_too_large``, the
                          sidecar unreachable); the other keys are then unset
========================  ==================================================

A request with ``meta={"dont_repair": True}`` is left alone. Stats:
``luanma/repaired``, ``luanma/unchanged``, ``luanma/error/<code>``.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Response, TextResponse
from scrapy.responsetypes import responsetypes
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from ..client import Client
from ..errors import RepairError
from ..mediatype import parse_content_type

logger = logging.getLogger(__name__)

DEFAULT_CONTENT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# The service's default LUANMA_MAX_DOCUMENT_BYTES (app/settings.py).
DEFAULT_MAX_BYTES = 10 * 1024 * 1024

_META_KEYS = ("luanma_confidence", "luanma_changed", "luanma_encoding", "luanma_spans",
              "luanma_warnings", "luanma_error")


def _content_type(response: Response) -> tuple[str, str | None]:
    """The response's media type, lower case, and its Content-Type header
    as received (None without one). Without a header, or with one that is
    no media type, the media type is the one Scrapy's response class stands
    for; a malformed header is still passed on, and luanma ignores it with a
    warning (`app.mediatype.page_charset`)."""
    raw = response.headers.get(b"Content-Type")
    header = raw.decode("latin-1").strip() if raw else ""
    try:
        return parse_content_type(header)[0], header
    except ValueError:
        pass
    from scrapy.http import HtmlResponse, XmlResponse

    media = ("text/html" if isinstance(response, HtmlResponse) else
             "text/xml" if isinstance(response, XmlResponse) else
             "text/plain" if isinstance(response, TextResponse) else "")
    return media, header or None


class RepairMiddleware:
    """The downloader middleware; see the module docstring for settings
    and meta keys.

    Args:
        client: the `app.client.Client` that repairs (in process or a
            sidecar).
        convert, strip_annotations, min_confidence: options for every page.
        html: repair HTML media types in HTML mode.
        content_types: media types to repair (lower case, no parameters).
        max_bytes: bodies longer than this pass untouched.
        stats: the crawler's stats collector, or None.
    """

    def __init__(self, client: Client, *, convert: str | None = None,
                 strip_annotations: bool = True, min_confidence: float | None = None,
                 html: bool = True, content_types=DEFAULT_CONTENT_TYPES,
                 max_bytes: int = DEFAULT_MAX_BYTES, stats=None):
        self.client = client
        self.html = html
        self.options = {"convert": convert, "strip_annotations": strip_annotations,
                        "min_confidence": min_confidence}
        self.content_types = frozenset(t.strip().lower() for t in content_types)
        self.max_bytes = max_bytes
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler) -> "RepairMiddleware":
        """Build from the crawler's settings.

        Raises:
            NotConfigured: LUANMA_ENABLED is false.
            app.errors.UnknownConversion: LUANMA_CONVERT is no OpenCC config
                (the crawl stops at start, not on every page).
            ImportError: LUANMA_URL is set without httpx2 installed.
        """
        settings = crawler.settings
        if not settings.getbool("LUANMA_ENABLED", True):
            raise NotConfigured("LUANMA_ENABLED is off")
        from ..convert import check_config

        convert = settings.get("LUANMA_CONVERT") or None
        check_config(convert)
        min_confidence = settings.get("LUANMA_MIN_CONFIDENCE")
        client = Client(settings.get("LUANMA_URL") or None,
                        timeout=settings.getfloat("LUANMA_TIMEOUT", 300.0),
                        retries=settings.getint("LUANMA_RETRIES", 3))
        mw = cls(client, convert=convert,
                 strip_annotations=settings.getbool("LUANMA_STRIP_ANNOTATIONS", True),
                 min_confidence=float(min_confidence) if min_confidence is not None else None,
                 html=settings.getbool("LUANMA_HTML", True),
                 content_types=settings.getlist("LUANMA_CONTENT_TYPES",
                                                list(DEFAULT_CONTENT_TYPES)),
                 max_bytes=settings.getint("LUANMA_MAX_BYTES", DEFAULT_MAX_BYTES),
                 stats=crawler.stats)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def spider_closed(self, spider=None) -> None:
        self.client.close()

    def _inc(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)

    async def process_response(self, request, response: Response, spider=None) -> Response:
        """Repair `response`'s body; the response itself when the request
        says ``dont_repair``, the media type is not listed, or the body is
        empty or too long."""
        if request.meta.get("dont_repair") or not response.body:
            return response
        media, header = _content_type(response)
        if media not in self.content_types:
            return response
        for key in _META_KEYS:
            request.meta.pop(key, None)
        if len(response.body) > self.max_bytes:
            return self._failed(request, response, "input_too_large",
                                f"body of {len(response.body)} bytes is over LUANMA_MAX_BYTES")
        try:
            result = await maybe_deferred_to_future(deferToThread(
                self.client.repair, response.body, source_content_type=header,
                html=self.html and media in HTML_TYPES, **self.options))
        except RepairError as exc:
            return self._failed(request, response, getattr(exc, "code", "repair_error"), str(exc))
        cls = type(response) if isinstance(response, TextResponse) else None
        if cls is None:
            cls = responsetypes.from_mimetype(media)
            cls = cls if issubclass(cls, TextResponse) else TextResponse
        headers = response.headers.copy()
        headers[b"Content-Type"] = f"{media}; charset=utf-8".encode("latin-1")
        repaired = response.replace(cls=cls, body=result.text.encode("utf-8"),
                                    encoding="utf-8", headers=headers)
        request.meta.update({
            "luanma_confidence": result.confidence,
            "luanma_changed": result.changed,
            "luanma_encoding": result.encoding,
            "luanma_spans": result.spans,
            "luanma_warnings": result.warnings,
        })
        self._inc("luanma/repaired" if result.changed else "luanma/unchanged")
        return repaired

    def _failed(self, request, response: Response, code: str, message: str) -> Response:
        request.meta["luanma_error"] = f"{code}: {message}"
        self._inc(f"luanma/error/{code}")
        logger.warning("luanma left %s as it came: %s: %s", response.url, code, message)
        return response
