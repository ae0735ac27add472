"""The service as operated: batches, NDJSON streams, options, deadline,
the in-flight bound, metrics, request ids, logs, and the OpenAPI contract."""

from __future__ import annotations

import base64
import gzip
import io
import json
import logging
import socket
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from app.engine import DEADLINE_WARNING
from conftest import api_error as _error

GARBLED = "鏁版嵁鎶撳彇缁撴灉"
FIXED = "数据抓取结果"
ROOT = Path(__file__).resolve().parent.parent


def _ndjson(client, body: bytes, query: str = "", **headers):
    r = client.post(f"/v1/repair/batch{query}", content=body,
                    headers={"content-type": "application/x-ndjson", **headers})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in r.text.splitlines()]


@pytest.fixture
def settings(monkeypatch):
    """The process's settings, changeable for one test."""
    from app.settings import get_settings

    s = get_settings()

    def set_(**values):
        for k, v in values.items():
            monkeypatch.setattr(s, k, v)

    return set_


# --- single document: min_confidence, detect_only, deadline ---------------------


def test_detect_only_reports_without_changing(client):
    r = client.post("/v1/repair", json={"text": GARBLED, "detect_only": True})
    body = r.json()
    assert body["text"] == GARBLED
    assert body["changed"] is False
    assert body["confidence"] > 0.9
    assert [(s["kind"], s["repaired"], s["out_start"], s["out_end"]) for s in body["spans"]] == \
        [("utf8_as_gbk", FIXED, 0, 9)]
    assert body["steps"] == []


def test_detect_only_in_query_for_bytes(client):
    r = client.post("/v1/repair?detect_only=true", content=GARBLED.encode("utf-8"),
                    headers={"content-type": "application/octet-stream"})
    assert r.json()["text"] == GARBLED
    assert [s["action"] for s in r.json()["steps"]] == ["decode"]
    assert r.json()["spans"][0]["start_byte"] == 0


def test_min_confidence_withholds_a_doubtful_repair(client):
    r = client.post("/v1/repair?min_confidence=1", json={"text": GARBLED})
    body = r.json()
    assert body["text"] == GARBLED and body["changed"] is False
    assert body["spans"][0]["repaired"] == FIXED
    assert any("below min_confidence 1" in w for w in body["warnings"])


def test_min_confidence_withholds_a_repair_and_its_conversion(client):
    # a withheld repair comes back as it came: not converted either
    r = client.post("/v1/repair", json={"text": GARBLED, "convert": "s2t", "min_confidence": 1})
    body = r.json()
    assert (body["text"], body["changed"]) == (GARBLED, False)
    assert [s["action"] for s in body["steps"]] == []
    assert any("below min_confidence 1" in w for w in body["warnings"])


@pytest.mark.parametrize("request_, content_type", [
    ({"json": {"text": "標題", "convert": "t2s", "min_confidence": 0.9999}}, None),
    ({"content": "標題".encode("big5")}, "application/octet-stream"),
])
def test_min_confidence_does_not_hold_back_a_conversion_alone(client, request_, content_type):
    # min_confidence gates repairs; text that needed none is converted
    # whatever its confidence (README: `min_confidence`)
    query = "" if "json" in request_ else "?convert=t2s&min_confidence=0.9999"
    headers = {"content-type": content_type} if content_type else {}
    r = client.post(f"/v1/repair{query}", headers=headers, **request_)
    body = r.json()
    assert (body["text"], body["changed"]) == ("标题", True)
    assert [s["action"] for s in body["steps"] if s["action"] != "decode"] == ["convert"]
    assert not any("min_confidence" in w for w in body["warnings"])


def test_min_confidence_json_wins_over_query(client):
    r = client.post("/v1/repair?min_confidence=1", json={"text": GARBLED, "min_confidence": 0.5})
    assert r.json()["text"] == FIXED
    assert r.json()["warnings"] == []


def test_min_confidence_for_bytes_returns_them_decoded(client):
    r = client.post("/v1/repair?min_confidence=1", content="´´½¨¹ú¼Ò".encode(),
                    headers={"content-type": "text/plain; charset=utf-8"})
    assert r.json()["text"] == "´´½¨¹ú¼Ò"
    assert r.json()["encoding"] == "utf-8"
    assert r.json()["spans"][0]["repaired"] == "创建国家"


@pytest.mark.parametrize("query", ["min_confidence=1.5", "min_confidence=-0.1",
                                   "min_confidence=nan", "min_confidence=x"])
def test_min_confidence_out_of_range_in_query(client, query):
    err = _error(client.post(f"/v1/repair?{query}", json={"text": "a"}), 422, "invalid_field")
    assert err["field"] == "min_confidence"


@pytest.mark.parametrize("value", [1.5, -1, "high", True])
def test_min_confidence_out_of_range_in_json(client, value):
    err = _error(client.post("/v1/repair", json={"text": "a", "min_confidence": value}), 422,
                 "invalid_field")
    assert err["field"] == "min_confidence"


def test_bad_detect_only(client):
    err = _error(client.post("/v1/repair", json={"text": "a", "detect_only": "perhaps"}), 422,
                 "invalid_field")
    assert err["field"] == "detect_only"


def test_deadline_cuts_the_search(client, settings):
    settings(deadline_seconds=1e-9)  # over before the first pass begins
    r = client.post("/v1/repair", json={"text": GARBLED})
    body = r.json()
    assert r.status_code == 200
    assert body["text"] == GARBLED
    assert body["changed"] is False
    assert body["confidence"] == 0.0
    assert body["warnings"] == [DEADLINE_WARNING]


def test_without_deadline_output_is_deterministic(client, settings):
    settings(deadline_seconds=0)
    first = client.post("/v1/repair", json={"text": GARBLED}).json()
    second = client.post("/v1/repair", json={"text": GARBLED}).json()
    assert first == second
    assert first["text"] == FIXED


# --- batches: JSON array ------------------------------------------------------------


def test_batch_array_keeps_order_and_ids(client):
    items = [
        {"id": 1, "text": GARBLED},
        {"id": "two", "base64": base64.b64encode("数据抓取".encode("gbk")).decode(),
         "charset": "gbk"},
        {"id": 3, "base64": "***"},
        {"text": "创(chuàng)建", "strip_annotations": False},
        {"id": 5, "text": "創建", "convert": "nope"},
        "not an object",
        {"id": 7, "text": "a", "bogus": True},
    ]
    r = client.post("/v1/repair/batch?convert=t2s", json=items)
    assert r.status_code == 200
    slots = r.json()
    assert len(slots) == len(items)
    assert [s["id"] for s in slots] == [1, "two", 3, None, 5, None, 7]
    assert slots[0]["text"] == FIXED and slots[0]["version"] == "0.1.0"
    assert slots[0]["model"].startswith("jieba-")
    assert slots[1]["text"] == "数据抓取" and slots[1]["encoding"] == "gb18030"
    assert slots[2]["error"]["code"] == "invalid_base64"
    assert slots[3]["text"] == "创(chuàng)建"
    assert slots[4]["error"]["code"] == "unknown_conversion"
    assert "t2s" in slots[4]["error"]["valid"]
    assert slots[5]["error"]["code"] == "invalid_json"
    assert slots[6]["error"] == {"code": "invalid_field", "message": slots[6]["error"]["message"],
                                 "field": "bogus"}


@pytest.mark.parametrize("ident, kind", [
    (1.5, "a number with a decimal point or exponent"), (1.0, "a number with a decimal point "
    "or exponent"), (True, "a boolean"), ([1], "an array"), ({"a": 1}, "an object")])
def test_batch_item_id_of_another_type(client, ident, kind):
    error = {"code": "invalid_field", "field": "id", "message": "id: must be a string or an "
             f"integer (or null, or absent), not {kind}"}
    r = client.post("/v1/repair/batch", json=[{"id": ident, "text": "a"}, {"id": 2, "text": "a"}])
    assert r.json()[0] == {"id": None, "error": error}
    assert r.json()[1]["id"] == 2 and r.json()[1]["text"] == "a"
    slots = _ndjson(client, json.dumps({"id": ident, "text": "a"}).encode())
    assert slots == [{"id": None, "error": error, "line": 1}]


def test_batch_query_options_are_defaults(client):
    r = client.post("/v1/repair/batch?detect_only=true",
                    json=[{"text": GARBLED}, {"text": GARBLED, "detect_only": False}])
    assert [s["text"] for s in r.json()] == [GARBLED, FIXED]


def test_batch_item_over_the_document_limit(client, settings):
    settings(max_document_bytes=12)
    r = client.post("/v1/repair/batch", json=[{"id": "a", "text": "数据抓取"},  # 12 bytes
                                              {"id": "b", "text": "数据抓取结果"},
                                              {"id": "c", "base64": base64.b64encode(b"x" * 13)
                                               .decode()}])
    slots = r.json()
    assert slots[0]["text"] == "数据抓取"
    assert slots[1] == {"id": "b", "error": slots[1]["error"]}
    assert slots[1]["error"]["code"] == "input_too_large"
    assert slots[2]["error"]["code"] == "input_too_large"


_DOC = "数据抓取结果".encode("gbk") * 25  # 300 bytes of clean GBK


@pytest.mark.parametrize("form", ["base64", "text"])
@pytest.mark.parametrize("extra, ok", [(b"", True), (b"x", False)])
def test_document_limit_is_on_the_document_in_both_endpoints(client, settings, form, extra,
                                                              ok):
    # The limit holds the decoded document (bytes, or text as UTF-8: 300
    # bytes is 100 Chinese characters), not the JSON that carries it, which
    # is 1.3x (base64) or 2x (\uXXXX escapes) larger.
    settings(max_document_bytes=300)
    doc = _DOC + extra if form == "base64" else ("数据抓取结果" * 50)[:100].encode() + extra
    item = ({"base64": base64.b64encode(doc).decode()} if form == "base64"
            else {"text": doc.decode()})
    body = json.dumps(item).encode()  # ASCII-only: text as \uXXXX escapes
    assert len(body) > 300
    single = client.post("/v1/repair", content=body, headers={"content-type": "application/json"})
    slot = client.post("/v1/repair/batch", content=b"[" + body + b"]",
                       headers={"content-type": "application/json"}).json()[0]
    line = _ndjson(client, body)[0]
    if ok:
        expected = doc.decode("gbk" if form == "base64" else "utf-8")
        assert single.status_code == 200 and single.json()["text"] == expected
        assert slot["text"] == expected and line["text"] == expected
    else:
        _error(single, 413, "input_too_large")
        assert slot["error"]["code"] == "input_too_large"
        assert line["error"]["code"] == "input_too_large"


@pytest.mark.parametrize("extra, status", [(b"", 200), (b"x", 413)])
def test_document_limit_on_a_bytes_body(client, settings, extra, status):
    settings(max_document_bytes=300)
    r = client.post("/v1/repair", content=_DOC + extra,
                    headers={"content-type": "application/octet-stream"})
    assert r.status_code == status, r.text
    if status == 200:
        assert r.json()["text"] == "数据抓取结果" * 25
    else:
        _error(r, 413, "input_too_large")


def test_json_body_limit_is_four_times_the_document(client, settings):
    settings(max_document_bytes=300)
    padded = b'{"text": "a"' + b" " * (1200 - 13) + b"}"
    assert len(padded) == 1200
    r = client.post("/v1/repair", content=padded, headers={"content-type": "application/json"})
    assert r.status_code == 200 and r.json()["text"] == "a"
    _error(client.post("/v1/repair", content=padded + b" ",
                       headers={"content-type": "application/json"}), 413, "input_too_large")


def test_batch_body_over_the_total_limit(client, settings):
    settings(max_batch_bytes=100)
    _error(client.post("/v1/repair/batch", json=[{"text": "x" * 50}, {"text": "y" * 50}]), 413,
           "input_too_large")


def test_batch_empty_array(client):
    r = client.post("/v1/repair/batch", json=[])
    assert r.status_code == 200 and r.json() == []


@pytest.mark.parametrize("body", [b"{not json", b'{"text": "a"}', b"", b"[" * 100000])
def test_batch_whole_body_problems(client, body):
    _error(client.post("/v1/repair/batch", content=body,
                       headers={"content-type": "application/json"}), 422, "invalid_json")


def test_batch_other_media_type(client):
    r = client.post("/v1/repair/batch", content=b"x", headers={"content-type": "text/plain"})
    _error(r, 415, "unsupported_media_type")
    assert r.json()["error"]["message"].startswith(
        "content type 'text/plain' is not accepted for batches; use application/json")
    # none at all: said so, not named as the octet-stream /v1/repair takes it for
    r = client.post("/v1/repair/batch", content=b'[{"text": "a"}]')
    _error(r, 415, "unsupported_media_type")
    assert r.json()["error"]["message"] == ("a batch needs a Content-Type; use application/json "
                                            "(an array) or application/x-ndjson")


def test_batch_gzip_array(client):
    body = gzip.compress(json.dumps([{"text": GARBLED}]).encode())
    r = client.post("/v1/repair/batch", content=body, headers={
        "content-type": "application/json", "content-encoding": "gzip"})
    assert r.json()[0]["text"] == FIXED


def test_batch_bad_query_option(client):
    err = _error(client.post("/v1/repair/batch?min_confidence=2", json=[]), 422, "invalid_field")
    assert err["field"] == "min_confidence"


_ITEMS = [{"id": 1, "text": "創建"}, {"id": 2, "base64": "yv2+3delyKE=", "convert": "t2s"}]


@pytest.mark.parametrize("query, code, field", [
    ("convert=zzz", "unknown_conversion", "convert"),
    ("charset=zzz", "unknown_codec", "charset"),
    ("charset=rot13", "unknown_codec", "charset"),
    ("min_confidence=5", "invalid_field", "min_confidence"),
    ("strip_annotations=maybe", "invalid_field", "strip_annotations"),
])
@pytest.mark.parametrize("media", ["application/json", "application/x-ndjson"])
def test_bad_query_option_fails_the_whole_request(client, query, code, field, media):
    # A request-level option is checked once, before any item (and before an
    # NDJSON answer starts), even where every item names its own value.
    body = (json.dumps(_ITEMS) if media == "application/json"
            else "\n".join(json.dumps(i) for i in _ITEMS)).encode()
    r = client.post(f"/v1/repair/batch?{query}", content=body, headers={"content-type": media})
    assert _error(r, 422, code)["field"] == field
    assert r.headers["content-type"] == "application/json"
    r = client.post(f"/v1/repair?{query}", json={"text": "創建", "convert": "t2s"})
    assert _error(r, 422, code)["field"] == field


def test_bad_item_option_stays_in_its_slot(client):
    items = [{"id": 1, "text": "創建"}, {"id": 2, "text": "創建", "convert": "zzz"},
             {"id": 3, "base64": "yv2+3delyKE=", "charset": "zzz"}]
    for media in ("application/json", "application/x-ndjson"):
        body = (json.dumps(items) if media == "application/json"
                else "\n".join(json.dumps(i) for i in items)).encode()
        r = client.post("/v1/repair/batch?convert=t2s", content=body,
                        headers={"content-type": media})
        assert r.status_code == 200
        slots = (r.json() if media == "application/json"
                 else [json.loads(line) for line in r.text.splitlines()])
        assert slots[0]["text"] == "创建"
        assert (slots[1]["id"], slots[1]["error"]["code"], slots[1]["error"]["field"]) == (
            2, "unknown_conversion", "convert")
        assert (slots[2]["id"], slots[2]["error"]["code"], slots[2]["error"]["field"]) == (
            3, "unknown_codec", "charset")


# --- batches: NDJSON ----------------------------------------------------------------


def test_ndjson_stream(client):
    lines = [json.dumps({"id": 1, "text": GARBLED}), "", "[1, 2]", "not json",
             json.dumps({"id": "x", "text": "´´½¨¹ú¼Ò"}), "   ", json.dumps({"text": 5})]
    slots = _ndjson(client, "\n".join(lines).encode("utf-8"))
    assert len(slots) == 5
    assert slots[0]["id"] == 1 and slots[0]["text"] == FIXED
    assert slots[1] == {"id": None, "error": slots[1]["error"], "line": 3}
    assert slots[1]["error"]["code"] == "invalid_json"
    assert slots[2]["line"] == 4 and slots[2]["error"]["code"] == "invalid_json"
    assert slots[3]["id"] == "x" and slots[3]["text"] == "创建国家"
    assert slots[4]["line"] == 7 and slots[4]["error"]["field"] == "text"


def test_ndjson_crlf_and_no_final_newline(client):
    body = (json.dumps({"id": 1, "text": "a"}) + "\r\n" + json.dumps({"id": 2, "text": "b"}))
    assert [s["text"] for s in _ndjson(client, body.encode())] == ["a", "b"]


def test_ndjson_line_over_the_limit_is_skipped(client, settings):
    settings(max_document_bytes=100)  # lines up to 400 bytes
    long_line = json.dumps({"id": "long", "text": "x" * 1000})
    body = "\n".join([json.dumps({"id": 1, "text": "a"}), long_line,
                      json.dumps({"id": 3, "text": "y" * 150}), json.dumps({"id": 4, "text": "b"})])
    slots = _ndjson(client, body.encode())
    assert [s.get("text") for s in slots] == ["a", None, None, "b"]
    assert slots[1] == {"id": None, "error": slots[1]["error"], "line": 2}
    assert slots[1]["error"]["code"] == "input_too_large"
    assert slots[2]["id"] == 3 and slots[2]["error"]["code"] == "input_too_large"


def test_ndjson_gzip(client):
    body = gzip.compress(("\n".join(json.dumps({"id": i, "text": GARBLED}) for i in range(3))
                          + "\n").encode())
    slots = _ndjson(client, body, **{"content-encoding": "gzip"})
    assert [(s["id"], s["text"]) for s in slots] == [(0, FIXED), (1, FIXED), (2, FIXED)]


def test_ndjson_broken_gzip_ends_with_an_error_line(client):
    body = gzip.compress(json.dumps({"id": 1, "text": "a"}).encode() + b"\n")[:-6]
    slots = _ndjson(client, body, **{"content-encoding": "gzip"})
    assert [s.get("text") for s in slots] == ["a", None]  # the line is whole; the trailer cut
    assert (slots[1]["line"], slots[1]["error"]["code"]) == (2, "invalid_gzip")


def _items(*ids: int) -> bytes:
    return b"".join(json.dumps({"id": i, "text": f"t{i}"}).encode() + b"\n" for i in ids)


def test_ndjson_gzip_cut_mid_line_gives_no_slot_to_the_half_line(client):
    # fresh-eyes session 9, F11: the second member cut inside line 2 was
    # answered line 1, an invalid_json slot for half of line 2, then
    # invalid_gzip: one slot too many for a client that matches slots to lines
    second = gzip.compress(_items(2, 3), compresslevel=0)  # stored: bytes inflate as they come
    cut = second.index(b'"t2"')  # inside line 2
    body = gzip.compress(_items(1)) + second[:cut]
    slots = _ndjson(client, body, **{"content-encoding": "gzip"})
    assert len(slots) == 2
    assert (slots[0]["id"], slots[0]["text"]) == (1, "t1")
    assert slots[1] == {"id": None, "line": 2, "error": slots[1]["error"]}
    assert slots[1]["error"]["code"] == "invalid_gzip"


def test_ndjson_gzip_cut_anywhere_answers_every_whole_line_then_the_fault(client):
    # at every cut of the second member: a slot for each line inflated whole
    # before the cut (zlib, fed the same bytes, says which), then one
    # invalid_gzip slot numbered as the line the fault is in
    first, second = gzip.compress(_items(1, 2)), gzip.compress(_items(3, 4, 5), compresslevel=0)
    for cut in range(1, len(second)):
        inflated = _items(1, 2) + zlib.decompressobj(wbits=31).decompress(second[:cut])
        whole = inflated.count(b"\n")
        slots = _ndjson(client, first + second[:cut], **{"content-encoding": "gzip"})
        assert [s.get("id") for s in slots] == [*range(1, whole + 1), None], cut
        assert (slots[-1]["line"], slots[-1]["error"]["code"]) == (whole + 1, "invalid_gzip"), cut


def test_ndjson_gzip_members(client):
    # a stream of several gzip members (each writer flushing its own, or
    # files joined with cat): every line of every member gets its slot
    lines = [json.dumps({"id": i, "text": GARBLED}).encode() + b"\n" for i in range(4)]
    body = gzip.compress(lines[0] + lines[1][:9]) + gzip.compress(lines[1][9:]) + \
        b"".join(gzip.compress(line) for line in lines[2:])
    slots = _ndjson(client, body, **{"content-encoding": "gzip"})
    assert [(s["id"], s["text"]) for s in slots] == [(i, FIXED) for i in range(4)]


def test_ndjson_gzip_trailing_garbage_ends_with_an_error_line(client):
    body = gzip.compress(json.dumps({"id": 1, "text": GARBLED}).encode() + b"\n") + b"junk"
    slots = _ndjson(client, body, **{"content-encoding": "gzip"})
    assert slots[0]["id"] == 1 and slots[0]["text"] == FIXED
    assert slots[1]["error"]["code"] == "invalid_gzip"
    assert "neither another member nor zero padding" in slots[1]["error"]["message"]
    assert len(slots) == 2


def test_batch_gzip_array_over_members(client):
    # a JSON array cut mid-value between two members: one body once inflated
    body = json.dumps([{"id": 1, "text": GARBLED}, {"id": 2, "text": "´´½¨¹ú¼Ò"}]).encode()
    r = client.post("/v1/repair/batch", content=gzip.compress(body[:9]) + gzip.compress(body[9:]),
                    headers={"content-type": "application/json", "content-encoding": "gzip"})
    assert r.status_code == 200, r.text
    assert [(s["id"], s["text"]) for s in r.json()] == [(1, FIXED), (2, "创建国家")]


def test_batch_gzip_array_trailing_garbage(client):
    body = gzip.compress(json.dumps([{"text": "a"}]).encode()) + b"junk"
    _error(client.post("/v1/repair/batch", content=body, headers={
        "content-type": "application/json", "content-encoding": "gzip"}), 422, "invalid_gzip")


def test_ndjson_query_defaults(client):
    slots = _ndjson(client, json.dumps({"text": "創建"}).encode(), "?convert=t2s")
    assert slots[0]["text"] == "创建"


def test_wrong_method_names_the_allowed_ones(client):
    r = client.get("/v1/repair/batch")
    _error(r, 405, "method_not_allowed")
    assert r.headers["allow"] == "POST"


# --- operations ---------------------------------------------------------------------


def test_request_id_echoed_or_made(client):
    r = client.post("/v1/repair", json={"text": "a"}, headers={"x-request-id": "scrape-42"})
    assert r.headers["x-request-id"] == "scrape-42"
    made = client.get("/healthz").headers["x-request-id"]
    assert len(made) == 32 and made != client.get("/healthz").headers["x-request-id"]
    bad = client.get("/healthz", headers={"x-request-id": "no spaces\tor tabs"})
    assert bad.headers["x-request-id"] != "no spaces\tor tabs"
    # two lines are one list, "a, b": no id, a new one is made (not the last line's)
    two = client.get("/healthz", headers=[("x-request-id", "a"), ("x-request-id", "b")])
    assert len(two.headers["x-request-id"]) == 32


def _metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics(client):
    before = client.get("/metrics").text
    client.post("/v1/repair", json={"text": GARBLED})
    client.post("/v1/repair/batch", json=[{"text": GARBLED}, {"text": "干净"}])
    r = client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    text = r.text
    kind = 'luanma_repairs_total{kind="utf8_as_gbk"}'
    assert _metric(text, kind) - _metric(before, kind) == 2
    ok = 'luanma_requests_total{method="POST",path="/v1/repair",status="200"}'
    assert _metric(text, ok) - _metric(before, ok) == 1
    for name in ("luanma_request_duration_seconds_bucket", "luanma_request_bytes_total",
                 "luanma_confidence_bucket", "luanma_requests_in_flight"):
        assert name in text
    count = "luanma_confidence_count"
    assert _metric(text, count) - _metric(before, count) == 3


def test_docs_load_nothing_from_elsewhere(client):
    import re

    r = client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "//" not in r.text  # no http://, https:// or //host URL
    assert '"validatorUrl": null' in r.text  # no badge from Swagger's online validator
    refs = re.findall(r'(?:src|href)="([^"]+)"', r.text) + re.findall(r"url: '([^']+)'", r.text)
    assert sorted(refs) == ["/openapi.json", "/static/swagger-ui/favicon-32x32.png",
                            "/static/swagger-ui/swagger-ui-bundle.js",
                            "/static/swagger-ui/swagger-ui.css"]
    types = {"/openapi.json": "application/json", ".js": "text/javascript",
             ".css": "text/css", ".png": "image/png"}
    for ref in refs:
        asset = client.get(ref)
        assert asset.status_code == 200, ref
        kind = next(v for k, v in types.items() if ref.endswith(k))
        assert asset.headers["content-type"].startswith(kind), ref
    assert b"SwaggerUIBundle" in client.get("/static/swagger-ui/swagger-ui-bundle.js").content
    assert client.get("/static/page.js").status_code == 200  # the page's own files still there
    _error(client.get("/redoc"), 404, "not_found")  # its script would come from a CDN


def test_unknown_paths_share_one_metrics_label(client):
    client.get("/some/random/path")
    assert 'path="/some/random/path"' not in client.get("/metrics").text
    assert 'path="other"' in client.get("/metrics").text


@pytest.fixture
def json_logs():
    """The JSON log lines (as `logging_config` formats them, from DEBUG up)
    written while the test runs: ``json_logs()`` parses them,
    ``json_logs.raw()`` is the text as written."""
    from pythonjsonlogger.json import JsonFormatter

    from app.api.ops import RequestIdFilter, logging_config

    fmt = logging_config()["formatters"]["json"]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(fmt["fmt"], rename_fields=fmt["rename_fields"]))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)

    def records() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    records.raw = stream.getvalue
    try:
        yield records
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def test_logs_hold_no_text_and_carry_the_request_id(client, json_logs):
    secret = "张三的身份证号码是一二三"
    garbled = secret.encode("utf-8").decode("gb18030", "replace")
    r = client.post("/v1/repair?strip_annotations=false", json={"text": garbled},
                    headers={"x-request-id": "log-test-1"})
    assert r.status_code == 200
    client.post("/v1/repair/batch", json=[{"text": garbled}], headers={"x-request-id": "b-2"})
    client.post("/v1/repair", content=b"{bad " + garbled.encode(),
                headers={"content-type": "application/json"})
    out = json_logs.raw()
    records = json_logs()
    access = [r for r in records if r["logger"] == "luanma.access"]
    assert {(r["path"], r["status"], r["request_id"]) for r in access} >= {
        ("/v1/repair", 200, "log-test-1"), ("/v1/repair/batch", 200, "b-2"),
        ("/v1/repair", 422, access[-1]["request_id"])}
    assert all(r["bytes_in"] > 0 for r in access)
    for text in (secret, garbled, secret[:4], garbled[:4]):
        assert text not in out
    server = [r for r in records if r["logger"].startswith(("luanma", "uvicorn"))]
    assert "strip_annotations=false" not in json.dumps(server)  # nor are query strings


def _raise_inside(monkeypatch):
    import app.api.items

    def broken(*args, **kwargs):
        raise RuntimeError("a bug that quotes the text: 张三的身份证")

    monkeypatch.setattr(app.api.items, "repair_text", broken)


def test_internal_error_carries_the_request_id(client, monkeypatch, json_logs):
    _raise_inside(monkeypatch)
    r = client.post("/v1/repair", json={"text": "a"}, headers={"x-request-id": "bug-1"})
    err = _error(r, 500, "internal_error")
    assert err == {"code": "internal_error",
                   "message": "luanma failed on this request; it has been logged"}
    assert r.headers["x-request-id"] == "bug-1"
    records = json_logs()
    errors = [x for x in records if x["message"] == "internal error"]
    assert len(errors) == 1
    assert (errors[0]["request_id"], errors[0]["exception"], errors[0]["level"]) == (
        "bug-1", "RuntimeError", "ERROR")
    assert errors[0]["stack"][-1].startswith("test_service.py:")  # where it was raised
    assert [(x["request_id"], x["status"]) for x in records
            if x["logger"] == "luanma.access"] == [("bug-1", 500)]
    assert "张三" not in json.dumps(records)


def test_internal_error_mid_stream_carries_the_request_id(client, monkeypatch, json_logs):
    # An NDJSON answer has started (200) when the item fails: the connection
    # is dropped; the log line still names the request.
    _raise_inside(monkeypatch)
    with pytest.raises(RuntimeError):
        client.post("/v1/repair/batch", content=b'{"text": "a"}\n',
                    headers={"content-type": "application/x-ndjson", "x-request-id": "bug-2"})
    errors = [x for x in json_logs() if x["message"] == "internal error"]
    assert [(x["request_id"], x["exception"]) for x in errors] == [("bug-2", "RuntimeError")]


def test_logging_config_loads_and_writes_json():
    code = ("import logging, logging.config; from app.api.ops import logging_config; "
            "logging.config.dictConfig(logging_config('info')); "
            "logging.getLogger('luanma.access').info('request', extra={'status': 200})")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    record = json.loads(out.stderr)
    assert record["message"] == "request" and record["status"] == 200
    assert record["level"] == "INFO" and record["request_id"] is None


def test_settings_from_environment(monkeypatch):
    from pydantic import ValidationError

    from app.settings import Settings

    monkeypatch.setenv("LUANMA_DEADLINE_SECONDS", "2.5")
    monkeypatch.setenv("LUANMA_MAX_IN_FLIGHT", "3")
    monkeypatch.setenv("LUANMA_MAX_BATCH_BYTES", "1000")
    monkeypatch.setenv("LUANMA_LOG_LEVEL", "WARNING")
    monkeypatch.setenv("LUANMA_ENGINE_THREADS", "2")
    s = Settings()
    assert (s.deadline_seconds, s.max_in_flight, s.max_batch_bytes, s.log_level,
            s.engine_threads) == (2.5, 3, 1000, "warning", 2)
    for name, value in [("LUANMA_MAX_IN_FLIGHT", "0"), ("LUANMA_DEADLINE_SECONDS", "-1"),
                        ("LUANMA_ENGINE_THREADS", "0"), ("LUANMA_DEADLINE_SECONDS", "inf"),
                        ("LUANMA_LOG_LEVEL", "loud"), ("LUANMA_WORKERS", "0")]:
        monkeypatch.setenv(name, value)
        with pytest.raises(ValidationError):
            Settings()
        monkeypatch.delenv(name)


def test_bad_setting_names_its_variable(monkeypatch):
    from app.settings import SettingsError, get_settings

    monkeypatch.setenv("LUANMA_DEADLINE_SECONDS", "abc")
    monkeypatch.setenv("LUANMA_WORKERS", "0")
    get_settings.cache_clear()
    try:
        with pytest.raises(SettingsError) as err:
            get_settings()
    finally:
        get_settings.cache_clear()
    message = str(err.value)
    assert message.startswith("LUANMA_DEADLINE_SECONDS='abc': Input should be a valid number")
    assert "; LUANMA_WORKERS='0': Input should be greater than or equal to 1" in message


# --- the in-flight bound, on a real server --------------------------------------------


@pytest.fixture
def live_server():
    """The app served by uvicorn on a loopback port, in a thread; yields the port."""
    import uvicorn

    from app.api.main import app

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(600):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started
    yield server.servers[0].sockets[0].getsockname()[1]
    server.should_exit = True
    thread.join(30)


def _in_flight(port: int) -> float:
    import httpx2 as httpx

    text = httpx.get(f"http://127.0.0.1:{port}/metrics").text
    return _metric(text, "luanma_requests_in_flight")


def test_overload_gives_503_with_retry_after(live_server, settings):
    import httpx2 as httpx

    port = live_server
    settings(max_in_flight=1)
    base = f"http://127.0.0.1:{port}"
    # Fill the bound: a request whose body has not all arrived is in flight.
    held = socket.create_connection(("127.0.0.1", port))
    held.sendall(b"POST /v1/repair HTTP/1.1\r\nHost: x\r\n"
                 b"Content-Type: text/plain; charset=utf-8\r\nContent-Length: 6\r\n\r\nabc")
    for _ in range(400):  # wait until the server has taken it (the gauge counts /metrics too)
        if _in_flight(port) >= 2:
            break
        time.sleep(0.05)
    r = httpx.post(f"{base}/v1/repair", json={"text": "a"})
    _error(r, 503, "overloaded")
    assert r.headers["retry-after"] == "1"
    _error(httpx.post(f"{base}/v1/repair/batch", json=[]), 503, "overloaded")
    assert httpx.get(f"{base}/healthz").status_code == 200  # probes are not bounded
    held.sendall(b"def")
    reply = b""
    while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"}"):
        reply += held.recv(65536)
    held.close()
    assert reply.startswith(b"HTTP/1.1 200")
    assert b'"text":"abcdef"' in reply
    assert httpx.post(f"{base}/v1/repair", json={"text": "a"}).status_code == 200


def _recv_all(sock: socket.socket) -> bytes:
    reply = b""
    while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"}"):
        part = sock.recv(65536)
        if not part:
            break
        reply += part
    return reply


def test_stalled_body_gets_408_and_frees_its_slot(live_server, settings):
    """A client that sends headers and part of its body, then nothing (a
    slow-loris), is answered 408 after LUANMA_BODY_TIMEOUT_SECONDS and no
    longer holds an in-flight slot; an NDJSON stream that stalls ends with
    an error slot."""
    settings(body_timeout_seconds=0.5, max_in_flight=2)
    port = live_server
    held = socket.create_connection(("127.0.0.1", port))
    held.sendall(b"POST /v1/repair HTTP/1.1\r\nHost: x\r\n"
                 b"Content-Type: text/plain; charset=utf-8\r\nContent-Length: 1000\r\n\r\nabc")
    reply = _recv_all(held)
    held.close()
    assert reply.startswith(b"HTTP/1.1 408")
    assert b'"code":"body_timeout"' in reply
    stream = socket.create_connection(("127.0.0.1", port))
    line = json.dumps({"text": "鏁版嵁"}).encode() + b"\n" + b'{"text": "half'  # then stalls
    stream.sendall(b"POST /v1/repair/batch HTTP/1.1\r\nHost: x\r\n"
                   b"Content-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n"
                   + b"%x\r\n%s\r\n" % (len(line), line))
    answer = b""
    while b"body_timeout" not in answer:
        part = stream.recv(65536)
        if not part:
            break
        answer += part
    stream.close()
    assert '"text": "数据"'.encode() in answer  # the item that arrived
    assert b"body_timeout" in answer
    # the half line the stall cut off has no slot of its own: the error's is line 2
    assert b"invalid_json" not in answer and b'"line": 2}' in answer
    give_up = time.monotonic() + 10
    while _in_flight(port) != 1 and time.monotonic() < give_up:
        time.sleep(0.05)
    assert _in_flight(port) == 1


def _requests_total(port: int, path: str, status: str) -> float:
    """The live server's ``luanma_requests_total`` for POST `path` answered `status`."""
    import httpx2 as httpx

    text = httpx.get(f"http://127.0.0.1:{port}/metrics").text
    return _metric(text, f'luanma_requests_total{{method="POST",path="{path}",status="{status}"}}')


def _counted_as_499(port: int, path: str, act) -> None:
    """Run `act(socket)` on a fresh connection to the live server, then
    assert that POST `path` was counted once more as 499 and never as 500."""
    before_499 = _requests_total(port, path, "499")
    before_500 = _requests_total(port, path, "500")
    conn = socket.create_connection(("127.0.0.1", port))
    try:
        act(conn)
    finally:
        conn.close()
    give_up = time.monotonic() + 10
    while _requests_total(port, path, "499") == before_499 and time.monotonic() < give_up:
        time.sleep(0.05)
    assert _requests_total(port, path, "499") == before_499 + 1
    assert _requests_total(port, path, "500") == before_500


def test_client_gone_mid_body_is_499_not_500(live_server):
    """A client that closes its connection before its body's end is counted
    as 499 (nginx's client-closed-request), never as luanma's 500."""
    def leave(conn: socket.socket) -> None:
        conn.sendall(b"POST /v1/repair HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: text/plain; charset=utf-8\r\nContent-Length: 100\r\n\r\nabc")
        time.sleep(0.3)

    _counted_as_499(live_server, "/v1/repair", leave)


def test_malformed_chunked_stream_is_no_internal_error(live_server):
    """A chunked NDJSON body whose chunk size is not hex: the server answers
    400 itself, and luanma, which had begun its streamed answer, counts the
    request as 499, not as an internal error (was logged as one)."""
    def send_bad_chunk(conn: socket.socket) -> None:
        conn.sendall(b"POST /v1/repair/batch HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"ZZ\r\n{}\n\r\n")
        assert conn.recv(65536).startswith(b"HTTP/1.1 400")

    _counted_as_499(live_server, "/v1/repair/batch", send_bad_chunk)


def test_ndjson_client_that_goes_away_frees_the_worker(live_server):
    # 20,000 items: minutes of work if the server went on after the client left
    line = json.dumps({"text": "鏁版嵁鎶撳彇缁撴灉"}).encode() + b"\n"
    chunk = line * 20000
    gone = socket.create_connection(("127.0.0.1", live_server))
    gone.sendall(b"POST /v1/repair/batch HTTP/1.1\r\nHost: x\r\n"
                 b"Content-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n"
                 + b"%x\r\n%s\r\n" % (len(chunk), chunk))
    gone.recv(100)  # the answer has started: the stream is being repaired
    gone.close()
    give_up = time.monotonic() + 20  # far less than the 20,000 items would take
    while _in_flight(live_server) != 1 and time.monotonic() < give_up:
        time.sleep(0.05)  # until only the /metrics request itself is in flight
    assert _in_flight(live_server) == 1


def test_concurrent_requests_through_one_engine_thread(live_server, settings):
    from concurrent.futures import ThreadPoolExecutor

    import httpx2 as httpx

    settings(engine_threads=1)
    texts = [GARBLED, "´´½¨¹ú¼Ò", "干净的中文", "鏁版嵁"] * 2
    url = f"http://127.0.0.1:{live_server}/v1/repair"
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda t: httpx.post(url, json={"text": t}, timeout=60), texts))
    assert [a.json()["text"] for a in answers] == [FIXED, "创建国家", "干净的中文", "数据"] * 2


def test_ndjson_client_may_send_everything_before_reading(live_server):
    """A half-duplex client (httpx sends the whole body first) streaming more
    than TCP buffers hold: the server spools what it reads ahead."""
    import httpx2 as httpx

    n = 3000
    line = json.dumps({"text": "x" * 2000}).encode() + b"\n"

    def body():
        for i in range(n):
            yield line

    r = httpx.post(f"http://127.0.0.1:{live_server}/v1/repair/batch", content=body(),
                   headers={"content-type": "application/x-ndjson"}, timeout=120)
    assert r.status_code == 200
    lines = r.content.splitlines()
    assert len(lines) == n
    assert json.loads(lines[-1])["text"] == "x" * 2000


# --- the OpenAPI contract (schemathesis) ------------------------------------------------


def _schemathesis_test():
    import schemathesis
    from schemathesis.checks import negative_data_rejection, positive_data_acceptance

    from app.api.main import app

    @schemathesis.serializer("application/x-ndjson")
    def _ndjson(ctx, value):  # the schema's NDJSON body is a string of lines
        return value.encode("utf-8") if isinstance(value, str) else json.dumps(value).encode()

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)

    @schema.parametrize()
    @hsettings(max_examples=25, deadline=None, derandomize=True,
               suppress_health_check=list(HealthCheck))
    def test_api_conforms_to_its_schema(case):
        # No 5xx, documented status codes, content types, headers and bodies
        # that match the schema. Left out: semantic 422s (an unknown codec or
        # conversion, bytes that are not text) are valid by the schema's types,
        # and a batch answers a bad item in its slot with 200, by design.
        case.call_and_validate(excluded_checks=[positive_data_acceptance,
                                                negative_data_rejection])

    return test_api_conforms_to_its_schema


test_api_conforms_to_its_schema = _schemathesis_test()


# --- any input through HTTP (hypothesis) ------------------------------------------------

_DOCUMENTED = {200, 413, 415, 422}
_HTTP = hsettings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@_HTTP
@given(data=st.binary(max_size=600), media=st.sampled_from(
    ["application/octet-stream", "text/plain; charset=gbk", "text/plain", "application/json",
     "application/x-ndjson"]))
def test_any_bytes_through_http(client, data, media):
    path = "/v1/repair/batch" if media == "application/x-ndjson" else "/v1/repair"
    r = client.post(path, content=data, headers={"content-type": media})
    assert r.status_code in _DOCUMENTED
    if r.status_code != 200:
        assert set(r.json()) == {"error"}


@_HTTP
@given(text=st.text(max_size=300), batch=st.booleans())
def test_any_text_through_http(client, text, batch):
    if batch:
        r = client.post("/v1/repair/batch", json=[{"id": 0, "text": text}])
        assert r.status_code == 200
        slot = r.json()[0]
        assert slot["id"] == 0 and ("text" in slot or slot["error"]["code"] == "invalid_field")
    else:
        r = client.post("/v1/repair", json={"text": text})
        assert r.status_code in (200, 422)


# --- docker-compose example ------------------------------------------------------------


def test_docker_compose_example_is_valid():
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"luanma", "scraper"}
    luanma = services["luanma"]
    assert luanma["build"] == "."
    assert {"LUANMA_WORKERS", "LUANMA_MAX_IN_FLIGHT", "LUANMA_DEADLINE_SECONDS"} <= \
        set(luanma["environment"])
    assert "healthcheck" in luanma and "/readyz" in " ".join(luanma["healthcheck"]["test"])
    scraper = services["scraper"]
    assert scraper["depends_on"]["luanma"]["condition"] == "service_healthy"
    assert "http://luanma:8000" in scraper["environment"]["LUANMA_URL"]


def test_batch_html_default_and_item_override(client):
    page = '<meta charset="gbk"><p>鏁版嵁</p>'
    r = client.post("/v1/repair/batch?html=true",
                    json=[{"id": 1, "text": page}, {"id": 2, "text": page, "html": False}])
    first, second = r.json()
    assert (first["id"], first["text"]) == (1, '<meta charset="utf-8"><p>数据</p>')
    assert second["id"] == 2 and second["text"].startswith('<meta charset="gbk">')  # plain text
