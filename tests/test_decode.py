"""Bytes to text: the evidence of tests/cases/bytes.jsonl (declarations that
lie, supersets, in-document declarations) through `repair_bytes`."""

from __future__ import annotations

import json

import pytest

from app import apply_plan, repair_bytes
from app.markup import content_type_charset, declared_charsets
from conftest import CASES


def _bytes_cases(*names: str) -> list:
    out = []
    for name in names:
        for line in (CASES / f"{name}.jsonl").read_text(encoding="utf-8").split("\n"):
            if line.strip():
                case = json.loads(line)
                marks = [pytest.mark.xfail(strict=True, reason=case["source"])] \
                    if case["expect"] == "fail" else []
                out.append(pytest.param(case, id=case["id"], marks=marks))
    return out


@pytest.mark.parametrize("case", _bytes_cases("bytes", "bytes_known_failures"))
def test_bytes_case(case):
    data = bytes.fromhex(case["original_hex"])
    r = repair_bytes(data, charset=case.get("charset"), page_charset=case.get("page_charset"))
    assert (r.text, r.encoding) == (case["expected"], case["encoding"])
    assert data.decode(r.encoding) == case["expected"]
    if "warning" in case:
        assert any(case["warning"] in w for w in r.warnings), r.warnings
    else:
        assert r.warnings == ()
    assert apply_plan(data, r.steps) == r.text


@pytest.mark.parametrize("head,found", [
    (b'<meta charset="GBK">', [("GBK", "<meta charset>")]),
    (b"<META HTTP-EQUIV='content-type' CONTENT='text/html;charset=big5'>",
     [("big5", "<meta http-equiv>")]),
    (b'<?xml version="1.0" encoding="gb2312"?>\n<html><head><meta charset=utf-8>',
     [("utf-8", "<meta charset>"), ("gb2312", "<?xml encoding>")]),
    (b"<html><body><meta charset=gbk>", []),  # after <body>: not the page's declaration
    (b"<!-- <meta charset=gbk> --><p>", []),  # in a comment
    (b"plain text that says <meta charset=gbk>", []),  # not markup
])
def test_declared_charsets(head, found):
    assert declared_charsets(head) == found


@pytest.mark.parametrize("value,charset", [
    ("text/html; charset=gb2312", "gb2312"), ('text/html;charset="Big5"', "Big5"),
    ("text/html", None), ("text/html; charset=", None),
])
def test_content_type_charset(value, charset):
    assert content_type_charset(value) == charset
