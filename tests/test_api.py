"""The HTTP API: content types, options, Accept, and the one error shape."""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path

import pytest

from conftest import api_error as _error
from conftest import load_cases

GARBLED = "鏁版嵁鎶撳彇缁撴灉"
FIXED = "数据抓取结果"


def test_json_text(client):
    r = client.post("/v1/repair", json={"text": GARBLED})
    assert r.status_code == 200
    body = r.json()
    assert body["text"] == FIXED
    assert body["changed"] is True
    assert body["encoding"] is None
    assert body["spans"][0]["kind"] == "utf8_as_gbk"
    assert body["spans"][0]["plan"] == [["encode", "gb18030"], ["decode", "utf-8"]]
    assert body["steps"][0]["action"] == "fix_encoding"
    assert body["version"] == "0.1.0"
    assert body["model"].startswith("jieba-")


def test_json_base64_with_charset_and_convert(client):
    data = base64.b64encode("数据抓取".encode("gbk")).decode()
    r = client.post("/v1/repair", json={"base64": data, "charset": "gb2312", "convert": "s2t"})
    assert r.status_code == 200
    assert r.json()["text"] == "數據抓取"
    assert r.json()["encoding"] == "gb18030"


def test_options_from_query_string(client):
    r = client.post("/v1/repair?convert=t2s&strip_annotations=false", json={"text": "創(chuàng)建"})
    assert r.json()["text"] == "创(chuàng)建"


def test_json_options_override_query(client):
    r = client.post("/v1/repair?convert=t2s", json={"text": "創建", "convert": "t2tw"})
    assert r.json()["text"] == "創建"


def test_octet_stream_gbk_bytes(client):
    r = client.post("/v1/repair", content="创建国家卫生区".encode("gbk"),
                    headers={"content-type": "application/octet-stream"})
    assert r.json()["text"] == "创建国家卫生区"
    assert r.json()["encoding"] == "gb18030"


def test_text_plain_with_charset(client):
    r = client.post("/v1/repair", content="創建國家".encode("big5"),
                    headers={"content-type": "text/plain; charset=big5"})
    assert r.json()["text"] == "創建國家"
    assert r.json()["encoding"] == "big5hkscs"


def test_accept_text_plain(client):
    r = client.post("/v1/repair", json={"text": GARBLED}, headers={"accept": "text/plain"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    assert r.text == FIXED
    assert 0.9 <= float(r.headers["x-repair-confidence"]) <= 1.0


@pytest.mark.parametrize("accept, media", [
    ("text/*", "text/plain"),  # fresh-eyes report (session 9b, item 22): was JSON
    ("text/plain, */*;q=0.1", "text/plain"),
    ("text/plain;q=0.5, application/json", "application/json"),
    ("text/plain, application/json", "application/json"),  # a tie: JSON, as before
    ("*/*", "application/json"),
    ("text/html", "application/json"),  # neither: JSON, not a 406
    ("garbage", "application/json"),
])
def test_accept_is_negotiated(client, accept, media):
    r = client.post("/v1/repair", json={"text": GARBLED}, headers={"accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    assert (r.text if media == "text/plain" else r.json()["text"]) == FIXED


def test_clean_text_unchanged(client):
    r = client.post("/v1/repair", json={"text": "干净的中文文本。"})
    assert r.json()["changed"] is False
    assert r.json()["text"] == "干净的中文文本。"
    assert r.json()["spans"] == []


def test_empty_body(client):
    r = client.post("/v1/repair", content=b"", headers={"content-type": "application/octet-stream"})
    assert r.status_code == 200
    assert r.json()["text"] == ""


def test_unknown_convert_lists_valid(client):
    err = _error(client.post("/v1/repair", json={"text": "x", "convert": "nope"}), 422,
                 "unknown_conversion")
    assert err["field"] == "convert"
    assert {"t2s", "s2t", "tw2sp", "hk2s", "s2twp"} <= set(err["valid"])


def test_unknown_convert_in_query(client):
    _error(client.post("/v1/repair?convert=zz", content=b"abc",
                       headers={"content-type": "application/octet-stream"}), 422,
           "unknown_conversion")


def test_malformed_json(client):
    _error(client.post("/v1/repair", content=b"{bad", headers={"content-type": "application/json"}),
           422, "invalid_json")


def test_json_not_an_object(client):
    _error(client.post("/v1/repair", json=["text"]), 422, "invalid_json")


def test_malformed_base64(client):
    err = _error(client.post("/v1/repair", json={"base64": "***"}), 422, "invalid_base64")
    assert err["field"] == "base64"


def test_text_and_base64_both(client):
    _error(client.post("/v1/repair", json={"text": "a", "base64": "YQ=="}), 422, "invalid_field")


def test_unknown_json_field(client):
    err = _error(client.post("/v1/repair", json={"text": "a", "bogus": 1}), 422, "invalid_field")
    assert err["field"] == "bogus"


@pytest.mark.parametrize("path", ["/v1/repair", "/v1/repair/batch"])
@pytest.mark.parametrize("query, field, said", [
    # a misspelt option is refused like an unknown JSON field, not ignored
    ("conver=t2s", "conver", "convert"),
    # ?convert=t2s&convert=s2t has no one meaning: refused, not the last taken
    ("convert=t2s&convert=s2t", "convert", "more than once"),
])
def test_unknown_or_repeated_query_parameter(client, path, query, field, said):
    body = {"text": "a"} if path == "/v1/repair" else []
    err = _error(client.post(f"{path}?{query}", json=body), 422, "invalid_field")
    assert err["field"] == field
    assert said in err["message"]


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_min_confidence_must_be_finite(client, value):
    err = _error(client.post(f"/v1/repair?min_confidence={value}", json={"text": "a"}), 422,
                 "invalid_field")
    assert err["field"] == "min_confidence"
    assert "finite" in err["message"]


def test_wrong_type_json_field(client):
    err = _error(client.post("/v1/repair", json={"text": 5}), 422, "invalid_field")
    assert err["field"] == "text"


def test_bad_query_bool(client):
    err = _error(client.post("/v1/repair?strip_annotations=maybe", json={"text": "a"}), 422,
                 "invalid_field")
    assert err["field"] == "strip_annotations"


def test_unknown_charset(client):
    _error(client.post("/v1/repair?charset=klingon", content="数据".encode("gbk"),
                       headers={"content-type": "application/octet-stream"}), 422, "unknown_codec")


def test_binary_is_not_text(client):
    err = _error(client.post("/v1/repair", content=b"\x89PNG\r\n\x1a\n" + bytes(100),
                             headers={"content-type": "application/octet-stream"}), 422, "not_text")
    assert "PNG" in err["message"]


def test_unsupported_media_type(client):
    _error(client.post("/v1/repair", content=b"x", headers={"content-type": "image/png"}), 415,
           "unsupported_media_type")


def test_too_large(client, monkeypatch):
    from app.settings import get_settings

    monkeypatch.setattr(get_settings(), "max_document_bytes", 10)
    _error(client.post("/v1/repair", content=b"x" * 11,
                       headers={"content-type": "application/octet-stream"}), 413,
           "input_too_large")


def test_not_found_has_error_shape(client):
    _error(client.get("/nope"), 404, "not_found")


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_health_checks_answer_head(client):
    # (some load balancers' health checks send HEAD: fresh-eyes report, session 10)
    assert client.head("/healthz").status_code == 200
    assert client.head("/readyz").status_code == 200


@pytest.mark.parametrize("media", ["application/octet-stream", "text/plain", "application/json"])
def test_openapi_documents_each_content_type(client, media):
    spec = client.get("/openapi.json").json()
    content = spec["paths"]["/v1/repair"]["post"]["requestBody"]["content"]
    assert media in content
    assert "example" in content[media] or "examples" in content[media]


def test_lone_surrogate_in_json_text(client):
    r = client.post("/v1/repair", content=b'{"text": "\\ud800abc"}',
                    headers={"content-type": "application/json"})
    assert _error(r, 422, "invalid_field")["field"] == "text"


def test_charset_with_text_is_refused(client):
    err = _error(client.post("/v1/repair", json={"text": "abc", "charset": "gbk"}), 422,
                 "invalid_field")
    assert err["field"] == "charset"


def test_deeply_nested_json(client):
    body = b"[" * 100000 + b"]" * 100000
    _error(client.post("/v1/repair", content=body, headers={"content-type": "application/json"}),
           422, "invalid_json")


@pytest.mark.parametrize("charset", ["rot13", "base64", "zlib", "uu", "undefined", "unicode_escape",
                                     "cp037", "gbk%00", "punycode"])
def test_charsets_that_are_not_page_encodings(client, charset):
    r = client.post(f"/v1/repair?charset={charset}", content="中文".encode("gbk"),
                    headers={"content-type": "application/octet-stream"})
    assert _error(r, 422, "unknown_codec")["field"] == "charset"


def test_garbage_content_type(client):
    _error(client.post("/v1/repair", content=b"x", headers={"content-type": "!!!"}), 415,
           "unsupported_media_type")


def test_streamed_body_over_the_limit(client, monkeypatch):
    from app.settings import get_settings

    monkeypatch.setattr(get_settings(), "max_document_bytes", 1000)

    def chunks():
        for _ in range(50):
            yield b"x" * 100

    _error(client.post("/v1/repair", content=chunks(),
                       headers={"content-type": "application/octet-stream"}), 413,
           "input_too_large")


def test_utf16_ascii_with_declared_charset(client):
    r = client.post("/v1/repair", content="hello".encode("utf-16-le"),
                    headers={"content-type": "text/plain; charset=utf-16le"})
    assert r.status_code == 200
    assert r.json()["text"] == "hello"
    assert r.json()["encoding"] == "utf-16-le"


def test_bytes_with_literal_replacement_characters_are_text(client):
    r = client.post("/v1/repair", content="数据抓取结果\ufffd\ufffd".encode(),
                    headers={"content-type": "application/octet-stream"})
    assert r.status_code == 200
    assert [s["kind"] for s in r.json()["spans"]] == ["lost"]


def test_ascii_bytes_report_the_codec_used(client):
    r = client.post("/v1/repair", content=b"ab", headers={"content-type": "text/plain; charset=utf-16"})
    assert r.json()["encoding"] == "utf-8"
    assert r.json()["warnings"]


def test_bad_default_convert_setting_fails_at_start():
    from pydantic import ValidationError

    from app.settings import Settings

    with pytest.raises(ValidationError):
        Settings(default_convert="xx")
    assert Settings(default_convert="t2s").default_convert == "t2s"


@pytest.mark.parametrize("name, values, status, code", [
    ("content-type", ["text/plain", "application/json"], 415, "unsupported_media_type"),
    ("content-type", ["text/plain", "text/plain"], 415, "unsupported_media_type"),
    ("content-encoding", ["identity", "gzip"], 415, "unsupported_content_encoding"),
])
def test_a_header_on_two_lines_is_read_as_one_list(client, name, values, status, code):
    # fresh-eyes report fe11a S2-2: the first line was read, the second dropped
    r = client.post("/v1/repair", content=b"abc", headers=[(name, v) for v in values])
    assert r.status_code == status
    assert r.json()["error"]["code"] == code


def test_a_source_content_type_on_two_lines_is_ignored_with_a_warning(client):
    r = client.post("/v1/repair", content="鏁版嵁".encode(), headers=[
        ("x-source-content-type", "text/html"),
        ("x-source-content-type", "text/html; charset=gbk")])
    assert r.status_code == 200
    assert r.json()["text"] == "数据"
    assert r.json()["warnings"] == [
        "the page's Content-Type 'text/html, text/html; charset=gbk' is not a media type; ignored"]


def test_operation_ids_are_unique(client):
    # fresh-eyes report fe11a S3-2: GET and HEAD of /healthz shared one id
    ids = [op["operationId"] for path in client.get("/openapi.json").json()["paths"].values()
           for op in path.values()]
    assert len(ids) == len(set(ids))
    assert {"healthz", "healthz_head", "readyz", "readyz_head"} <= set(ids)


def test_a_trailing_slash_is_a_json_404(client):
    # fresh-eyes report fe11a S3-4: it was a 307 to /v1/repair
    _error(client.post("/v1/repair/", json={"text": "a"}), 404, "not_found")


def test_accept_is_read_case_insensitively(client):
    r = client.post("/v1/repair", content="鏁版嵁".encode(), headers={"accept": "TEXT/PLAIN"})
    assert r.headers["content-type"].startswith("text/plain") and r.text == "数据"


def test_ndjson_lines_escape_unicode_line_separators(client):
    # fresh-eyes report fe11a S3-12: str.splitlines() split a slot at U+2028
    r = client.post("/v1/repair/batch", content=b'{"text": "a\\u2028b"}\n',
                    headers={"content-type": "application/x-ndjson"})
    assert "\u2028" not in r.text and len(r.text.splitlines()) == 1
    assert json.loads(r.text)["text"] == "a\u2028b"


def test_gzip_body(client):
    import gzip

    body = gzip.compress("鏁版嵁鎶撳彇缁撴灉".encode())
    r = client.post("/v1/repair", content=body, headers={
        "content-type": "text/plain; charset=utf-8", "content-encoding": "gzip"})
    assert r.status_code == 200
    assert r.json()["text"] == "数据抓取结果"


def test_gzip_bomb_is_refused(client, monkeypatch):
    import gzip

    from app.settings import get_settings

    monkeypatch.setattr(get_settings(), "max_document_bytes", 10_000)
    body = gzip.compress(b"a" * 1_000_000)
    _error(client.post("/v1/repair", content=body, headers={
        "content-type": "application/octet-stream", "content-encoding": "gzip"}), 413,
        "input_too_large")


@pytest.mark.parametrize("tail, status, text", [
    # every member, as zcat gives them (RFC 1952: a gzip file is a series of members)
    (gzip.compress("第二部分。".encode()), 200, "第一部分。第二部分。"),
    (gzip.compress(b"") + gzip.compress("第二部分。".encode()), 200, "第一部分。第二部分。"),
    (b"\0" * 8, 200, "第一部分。"),  # zero padding, as gzip and Python's gzip skip it
    (b"junk", 422, "neither another member nor zero padding"),
    (b"\0\0junk", 422, "neither another member nor zero padding"),
    (gzip.compress("第二部分。".encode())[:-4], 422, "ends before its end"),
])
def test_gzip_members(client, tail, status, text):
    body = gzip.compress("第一部分。".encode()) + tail
    r = client.post("/v1/repair", content=body, headers={
        "content-type": "text/plain; charset=utf-8", "content-encoding": "gzip"})
    if status == 200:
        assert r.status_code == 200, r.text
        assert r.json()["text"] == text
    else:
        assert text in _error(r, status, "invalid_gzip")["message"]


@pytest.mark.parametrize("path, content_type, body", [
    ("/v1/repair", "application/octet-stream", b"a" * 3_000),
    ("/v1/repair/batch", "application/json", json.dumps([{"text": "a" * 3_000}]).encode()),
])
def test_gzip_bomb_over_members_is_refused(client, monkeypatch, path, content_type, body):
    # each member under the limit, all of them over it: 413, as for one member
    from app.settings import get_settings

    monkeypatch.setattr(get_settings(), "max_document_bytes", 10_000)
    monkeypatch.setattr(get_settings(), "max_batch_bytes", 10_000)
    half = len(body) // 2
    members = gzip.compress(body[:half]) + gzip.compress(body[half:])
    r = client.post(path, content=members, headers={
        "content-type": content_type, "content-encoding": "gzip"})
    assert r.status_code == 200, r.text  # the two halves make the body again
    bomb = b"".join(gzip.compress(b"a" * 3_000) for _ in range(4))
    _error(client.post(path, content=bomb, headers={
        "content-type": content_type, "content-encoding": "gzip"}), 413, "input_too_large")


def test_broken_gzip(client):
    _error(client.post("/v1/repair", content=b"\x1f\x8b\x08\x00garbage", headers={
        "content-type": "application/octet-stream", "content-encoding": "gzip"}), 422,
        "invalid_gzip")


@pytest.mark.parametrize("path, content_type, body", [
    ("/v1/repair", "application/octet-stream", b"x"),
    ("/v1/repair/batch", "application/x-ndjson", b"{}"),
])
def test_other_content_encoding(client, path, content_type, body):
    _error(client.post(path, content=body, headers={
        "content-type": content_type, "content-encoding": "br"}), 415,
        "unsupported_content_encoding")


def test_readyz(client):
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {"status": "ready"}


def test_debugging_page_lists_every_conversion(client):
    import re

    from app.convert import CONFIGS

    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'self'" in r.headers["content-security-policy"]
    select = r.text[r.text.index('<select id="convert">'):r.text.index("</select>")]
    assert re.findall(r'<option value="([^"]*)">', select) == ["", *CONFIGS]
    assert "<!-- convert options -->" not in r.text


def test_debugging_page_static_files(client):
    for name, media in [("page.js", "text/javascript"), ("page.css", "text/css")]:
        r = client.get(f"/static/{name}")
        assert r.status_code == 200
        assert r.headers["content-type"].startswith(media)
    _error(client.get("/static/missing.js"), 404, "not_found")


def test_source_content_type_charset_is_evidence(client):
    body = "繁體中文".encode("big5")
    r = client.post("/v1/repair", content=body,
                    headers={"x-source-content-type": "text/html; charset=big5"})
    assert (r.json()["text"], r.json()["encoding"]) == ("繁體中文", "big5hkscs")


def test_source_content_type_that_lies(client):
    body = "这是一段简体中文的测试文字。".encode("utf-8")
    r = client.post("/v1/repair", content=body,
                    headers={"x-source-content-type": "text/html; charset=gb2312"})
    assert r.json()["encoding"] == "utf-8"
    assert "the page's Content-Type" in r.json()["warnings"][0]


def test_source_content_type_not_a_media_type_is_ignored(client):
    # evidence, not the request's format: ignored with a warning, as an
    # unknown charset label is (fresh-eyes session 9, F10; was a 422)
    body = "繁體中文".encode("big5")
    r = client.post("/v1/repair", content=body,
                    headers={"x-source-content-type": "big5"})
    assert r.status_code == 200, r.text
    assert (r.json()["text"], r.json()["encoding"]) == ("繁體中文", "big5hkscs")
    assert r.json()["warnings"][0] == \
        "the page's Content-Type 'big5' is not a media type; ignored"
    long = "text/html " + "x" * 5000
    r = client.post("/v1/repair", content=body, headers={"x-source-content-type": long})
    assert r.json()["warnings"][0] == (  # the value's repr cut to 60 characters
        f"the page's Content-Type 'text/html {'x' * 48}… is not a media type; ignored")


def test_long_values_the_caller_gave_are_cut_in_messages(client):
    """An option or label of 60,000 characters is quoted cut to 60, in an
    error and in a warning (fresh-eyes report fe12 S3-3: echoed whole)."""
    r = client.post("/v1/repair", params={"convert": "a" * 60_000}, content="数据")
    assert r.status_code == 422
    message = r.json()["error"]["message"]
    assert message.startswith(f"unknown OpenCC config '{'a' * 58}…; valid: ")
    assert len(message) < 1000
    r = client.post("/v1/repair", content="繁體中文".encode("big5"),
                    headers={"x-source-content-type": "text/html; charset=" + "a" * 60_000})
    assert r.status_code == 200
    assert any(w.startswith(f"the page's Content-Type names charset '{'a' * 58}…, which no "
                            "codec answers to") for w in r.json()["warnings"]), r.json()["warnings"]


_HTML_PAGE = ('<html><head><meta charset="gbk"><title>´´½¨¹ú¼Ò</title></head>'
              '<body><p>´´½¨¹ú¼Ò</p><script>var s = "´´½¨¹ú¼Ò";</script></body></html>')


def test_text_html_is_repaired_as_html(client):
    r = client.post("/v1/repair", content=_HTML_PAGE.encode("gb18030"),
                    headers={"content-type": "text/html; charset=gbk"})
    assert r.status_code == 200, r.text
    assert r.json()["text"] == _HTML_PAGE.replace('charset="gbk"', 'charset="utf-8"').replace(
        "<title>´´½¨¹ú¼Ò", "<title>创建国家").replace("<p>´´½¨¹ú¼Ò", "<p>创建国家")
    assert r.json()["encoding"] == "gb18030"
    kinds = [s["kind"] for s in r.json()["spans"]]
    assert kinds == ["charset_declaration", "gbk_as_latin1", "gbk_as_latin1"]


def test_html_false_overrides_the_content_type(client):
    r = client.post("/v1/repair?html=false", content=_HTML_PAGE.encode("gb18030"),
                    headers={"content-type": "text/html"})
    # Read as text: no declaration rewritten (and the line that names a
    # charset counts as talk about encodings, so its mojibake stays).
    assert r.json()["text"] == _HTML_PAGE
    assert r.json()["spans"] == []


def test_html_option_in_json(client):
    r = client.post("/v1/repair", json={"text": _HTML_PAGE, "html": True})
    assert 'var s = "´´½¨¹ú¼Ò"' in r.json()["text"]
    assert "<p>创建国家</p>" in r.json()["text"]


def test_openapi_documents_html_and_source_content_type(client):
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/v1/repair"]["post"]
    assert "text/html" in op["requestBody"]["content"]
    names = {p["name"].lower() for p in op["parameters"]}
    assert {"html", "x-source-content-type"} <= names


_FIRST_REPAIR = """
import sys
from app.convert import converter
from app.engine import is_warm, repair_text, warm_up
from app.model import get_model
if sys.argv[1] == "warm":
    warm_up()
else:
    get_model(); converter("t2s")  # what start-up loaded before warm_up existed
built = converter.cache_info().misses
repair_text("黃堃燊自小在香港長大，大學畢業後到臺中從事咖啡烘焙工作。" * 20)
print(is_warm(), converter.cache_info().misses - built)
"""


@pytest.mark.parametrize("start, expected", [("warm", "True 0"), ("cold", "False 1")])
def test_a_request_after_warm_up_builds_no_converter(start, expected):
    """The service warms up before it reports ready (engine.warm_up): the
    first request then loads nothing (the model folds Traditional characters
    with OpenCC's s2t, which start-up did not load before)."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _FIRST_REPAIR, start], capture_output=True,
                         text=True, check=True, cwd=str(Path(__file__).resolve().parents[1]))
    assert out.stdout.split() == expected.split()


@pytest.mark.parametrize("field, value", [("detect_only", "yes"), ("html", 1),
                                          ("strip_annotations", "false")])
def test_json_options_must_be_booleans(client, field, value):
    """A string or a number is not silently taken for a boolean (the query's
    detect_only=maybe is a 422 too)."""
    r = client.post("/v1/repair", json={"text": "鏁版嵁", field: value})
    _error(r, 422, "invalid_field")
    assert r.json()["error"]["field"] == field


# --- option handling, table-driven (tests/cases/http_options.jsonl) -------------------


@pytest.mark.parametrize("case", load_cases("http_options"))
def test_http_option_case(client, case):
    """One request of the table: its status and error (code, field, words of
    the message), or the text and encoding it answers (per batch slot:
    ``[id, text or error, encoding]``)."""
    if "json" in case:
        content, headers = json.dumps(case["json"]).encode(), {"content-type": "application/json"}
    else:
        content = (case["text"].encode() if "text" in case else bytes.fromhex(case["hex"]))
        headers = {}
    headers.update(case.get("headers", {}))
    query = f"?{case['query']}" if "query" in case else ""
    r = client.post(case["path"] + query, content=content, headers=headers)
    if "code" in case:
        err = _error(r, case["status"], case["code"])
        assert err.get("field") == case.get("field")
        assert case.get("message", "") in err["message"]
        return
    assert r.status_code == case["status"], r.text
    ndjson = r.headers["content-type"].startswith("application/x-ndjson")
    body = [json.loads(line) for line in r.text.splitlines() if line] if ndjson else r.json()
    if "expected_slots" in case:
        got = [[s["id"], s["error"] if "error" in s else s["text"],
                None if "error" in s else s["encoding"]] for s in body]
        for slot, want in zip(got, case["expected_slots"], strict=True):
            if isinstance(want[1], dict):  # an error slot: its code and field
                slot[1] = {k: slot[1].get(k) for k in want[1]}
            assert slot == want
    else:
        assert (body["text"], body["encoding"]) == (case["expected_text"],
                                                     case["expected_encoding"])
        assert body["warnings"] == ([case["warning"]] if "warning" in case else [])


@pytest.mark.parametrize("path", ["/v1/repair", "/v1/repair/batch"])
@pytest.mark.parametrize("option", ["charset", "convert", "strip_annotations", "min_confidence",
                                    "detect_only", "html"])
@pytest.mark.parametrize("form", ["{}", "{}="])
def test_empty_query_option_is_refused(client, path, option, form):
    # ?convert and ?convert= are neither a value nor the option left out:
    # 422 naming it, for every option alike (as ?min_confidence= always was)
    body = {"text": "標題"} if path == "/v1/repair" else [{"text": "標題"}]
    err = _error(client.post(f"{path}?{form.format(option)}", json=body), 422, "invalid_field")
    assert err["field"] == option
