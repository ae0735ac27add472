"""The Scrapy middleware in real crawls (tests/scrapy/crawl.py in a
subprocess, Scrapy's CrawlerProcess) against a local HTTP server serving
GBK, Big5, lying-charset and garbled pages; in process and with a luanma
sidecar (uvicorn on localhost)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

pytest.importorskip("scrapy", reason="needs the scrapy extra: pip install '.[scrapy]'")

from conftest import ROOT  # noqa: E402

TITLE, BODY = "数据抓取结果", "创建国家卫生区"
TRAD = "創建國家衛生區"


def _html(title: str, paragraph: str, head: str = "") -> str:
    return (f"<!DOCTYPE html><html><head>{head}<title>{title}</title></head>"
            f"<body><p>{paragraph}</p></body></html>")


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"

# path -> (Content-Type header, body bytes)
PAGES = {
    "/gbk": ("text/html; charset=gbk", _html(TITLE, BODY).encode("gbk")),
    "/big5": ("text/html; charset=big5", _html("資料擷取", TRAD).encode("big5")),
    "/lying-header": ("text/html; charset=utf-8", _html(TITLE, BODY).encode("gbk")),
    "/dont": ("text/html; charset=utf-8", _html(TITLE, BODY).encode("gbk")),
    "/lying-meta": ("text/html", _html(TITLE, BODY, '<meta charset="iso-8859-1">').encode("gbk")),
    "/meta-big5": ("text/html", _html("資料擷取", TRAD, '<meta http-equiv="Content-Type" '
                                      'content="text/html; charset=big5">').encode("big5")),
    "/garbled": ("text/html; charset=utf-8", _html(TITLE, "鏁版嵁鎶撳彇缁撴灉").encode("utf-8")),
    "/latin1.txt": ("text/plain; charset=utf-8", "´´½¨¹ú¼Ò\n".encode("utf-8")),
    # malformed page Content-Types: ignored with a warning (fresh-eyes session 9, F10)
    "/charset-twice": ("text/html; charset=big5; charset=big5", _html(TITLE, BODY).encode("gbk")),
    "/joined-header": ("text/html, text/html; charset=big5", _html(TITLE, BODY).encode("gbk")),
    "/image.png": ("image/png", PNG),
    "/binary.txt": ("text/plain", PNG),
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path not in PAGES:
            self.send_error(404)
            return
        content_type, body = PAGES[self.path]
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def crawl(tmp_path, site: str, paths, **settings) -> tuple[dict, dict]:
    """Crawl `paths` in a new process; the items by path, and the stats."""
    out = tmp_path / "items.jsonl"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "scrapy" / "crawl.py"), str(out),
         json.dumps(settings), *(site + p for p in paths)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    by_path = {item["url"][len(site):]: item for item in items}
    assert sorted(by_path) == sorted(paths), proc.stderr[-3000:]
    stats = json.loads((tmp_path / "items.jsonl.stats.json").read_text(encoding="utf-8"))
    return by_path, stats


@pytest.fixture(scope="module")
def in_process(site, tmp_path_factory):
    return crawl(tmp_path_factory.mktemp("in_process"), site, list(PAGES))


def test_declared_charsets_are_read(in_process):
    items, _ = in_process
    gbk = items["/gbk"]
    assert (gbk["class"], gbk["encoding"]) == ("HtmlResponse", "utf-8")
    assert (gbk["title"], gbk["paragraph"]) == (TITLE, BODY)
    assert gbk["luanma_encoding"] == "gb18030"
    assert gbk["luanma_changed"] is False and gbk["luanma_spans"] == []
    assert gbk["luanma_confidence"] > 0.9
    big5 = items["/big5"]
    assert (big5["paragraph"], big5["luanma_encoding"]) == (TRAD, "big5hkscs")


def test_lying_header_charset(in_process):
    items, _ = in_process
    page = items["/lying-header"]
    assert (page["title"], page["paragraph"]) == (TITLE, BODY)
    assert page["luanma_encoding"] == "gb18030"
    assert page["luanma_warnings"] == ["charset utf-8 of the page's Content-Type ignored: "
                                       "it does not decode these bytes"]
    # The same bytes, left to Scrapy (dont_repair): the lie wins.
    plain = items["/dont"]
    assert plain["encoding"] == "utf-8" and "\ufffd" in plain["paragraph"]
    assert not any(k.startswith("luanma_") for k in plain)


def test_malformed_header_is_ignored_with_a_warning(in_process):
    items, _ = in_process
    twice, joined = items["/charset-twice"], items["/joined-header"]
    assert twice["class"] == "HtmlResponse"  # (Scrapy's class for the joined one: its choice)
    for page in (twice, joined):
        assert (page["title"], page["paragraph"]) == (TITLE, BODY)
        assert page["luanma_encoding"] == "gb18030" and "luanma_error" not in page
    assert twice["luanma_warnings"] == [(
        "the page's Content-Type 'text/html; charset=big5; charset=big5' gives its 'charset' "
        "parameter more than once; ignored")]
    assert joined["luanma_warnings"] == [(
        "the page's Content-Type 'text/html, text/html; charset=big5' is not a media type; "
        "ignored")]


def test_meta_tag_charsets(in_process):
    items, _ = in_process
    lying = items["/lying-meta"]          # GBK bytes under <meta charset="iso-8859-1">
    assert lying["luanma_encoding"] == "gb18030"
    assert (lying["title"], lying["paragraph"]) == (TITLE, BODY)
    assert lying["luanma_warnings"] == ["charset iso-8859-1 of <meta charset> ignored: "
                                        "the bytes read as Chinese in gb18030"]
    meta = items["/meta-big5"]
    assert (meta["luanma_encoding"], meta["paragraph"]) == ("big5hkscs", TRAD)
    # HTML mode: the page's charset declarations now say what the body is
    for page in (lying, meta):
        assert '<head><meta charset="utf-8"><title>' in page["text"]
        assert [s[0] for s in page["luanma_spans"]] == ["charset_declaration"]
        assert page["luanma_changed"] is True


def test_garbled_pages_are_repaired(in_process):
    items, stats = in_process
    page = items["/garbled"]
    assert (page["title"], page["paragraph"]) == (TITLE, "数据抓取结果")
    assert page["luanma_changed"] is True and page["luanma_encoding"] == "utf-8"
    assert page["luanma_spans"] == [["utf8_as_gbk", "鏁版嵁鎶撳彇缁撴灉", "数据抓取结果"]]
    assert page["text"] == _html(TITLE, "数据抓取结果")   # the markup byte for byte
    text = items["/latin1.txt"]
    assert (text["class"], text["text"]) == ("TextResponse", "创建国家\n")
    assert text["luanma_spans"][0][0] == "gbk_as_latin1"
    assert stats["luanma/repaired"] == 4   # garbled, latin1.txt, lying-meta, meta-big5


def test_other_types_and_non_text_pass_untouched(in_process):
    items, stats = in_process
    image = items["/image.png"]
    assert image["class"] == "Response" and image["body_hex"] == PNG.hex()
    assert not any(k.startswith("luanma_") for k in image)
    binary = items["/binary.txt"]
    assert binary["luanma_error"].startswith("not_text: ")
    assert "luanma_confidence" not in binary
    assert stats["luanma/error/not_text"] == 1
    assert stats["luanma/unchanged"] == 5   # gbk, big5, lying-header, charset-twice, joined-header


def test_min_confidence_and_plain_text_mode(site, tmp_path):
    items, _ = crawl(tmp_path, site, ["/garbled", "/lying-meta"],
                     LUANMA_MIN_CONFIDENCE=1.0, LUANMA_HTML=False)
    page = items["/garbled"]
    assert page["paragraph"] == "鏁版嵁鎶撳彇缁撴灉"
    assert page["luanma_changed"] is False
    assert "below min_confidence 1.0" in page["luanma_warnings"][-1]
    # as plain text, the page is decoded but its <meta charset> stays as it was
    lying = items["/lying-meta"]
    assert (lying["paragraph"], lying["luanma_encoding"]) == (BODY, "gb18030")
    assert '<meta charset="iso-8859-1">' in lying["text"] and lying["luanma_changed"] is False


@pytest.fixture(scope="module")
def sidecar(tmp_path_factory):
    """`luanma serve` on a free localhost port, ready."""
    import socket
    import time

    import httpx2

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path_factory.mktemp("sidecar") / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "app.api.main:app",
                                 "--host", "127.0.0.1", "--port", str(port)],
                                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                if httpx2.get(url + "/readyz").status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            assert proc.poll() is None, log.read_text()
            time.sleep(0.25)
        else:
            pytest.fail("the sidecar did not get ready in 60 s: " + log.read_text())
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_sidecar_with_conversion(site, sidecar, tmp_path):
    items, stats = crawl(tmp_path, site, ["/big5", "/garbled", "/lying-header", "/binary.txt",
                                          "/charset-twice"],
                         LUANMA_URL=sidecar, LUANMA_CONVERT="t2s")
    big5 = items["/big5"]
    assert (big5["title"], big5["paragraph"]) == ("资料撷取", BODY)
    assert big5["luanma_encoding"] == "big5hkscs" and big5["luanma_changed"] is True
    garbled = items["/garbled"]
    assert garbled["paragraph"] == "数据抓取结果"
    assert garbled["luanma_spans"] == [["utf8_as_gbk", "鏁版嵁鎶撳彇缁撴灉", "数据抓取结果"]]
    assert items["/lying-header"]["paragraph"] == BODY
    assert items["/binary.txt"]["luanma_error"].startswith("not_text: ")
    # over HTTP too, a malformed page Content-Type is a warning, not an error (was a 422)
    twice = items["/charset-twice"]
    assert (twice["paragraph"], twice["luanma_encoding"]) == (BODY, "gb18030")
    assert "gives its 'charset' parameter more than once; ignored" in twice["luanma_warnings"][0]
    assert stats == {"luanma/repaired": 2, "luanma/unchanged": 2, "luanma/error/not_text": 1}
