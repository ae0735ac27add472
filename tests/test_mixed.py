"""Mixed streams (app/mixed.py): pages whose parts are in different
encodings, decoded part by part; pages in one encoding are never split."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app import apply_plan, repair_bytes
from app.mixed import looks_mixed, split_mixed
from app.model import get_model

HEAD = "<html><head><meta charset='utf-8'><title>新闻中心 - 某某网</title></head><body>" \
       "<div class=nav>首页 | 新闻 | 联系我们</div>\n"
BODY = "<div class=content>天津市大港区地处天津市东南部，是全国重要的石油和石油化工基地。</div>\n"
TRAD = "<div class=content>大港區地處天津市東南部，是全國重要的石油和石油化工基地。</div>\n"
FOOT = "<div class=footer>版权所有 © 2024 某某网</div></body></html>"


@pytest.mark.parametrize("template,content,body", [
    ("utf-8", "gb18030", BODY), ("gb18030", "utf-8", BODY), ("utf-8", "big5hkscs", TRAD),
])
def test_mixed_page_decoded_part_by_part(template, content, body):
    data = HEAD.encode(template) + body.encode(content) + FOOT.encode(template)
    r = repair_bytes(data)
    assert r.text == HEAD + body + FOOT
    parts = [s for s in r.spans if s.kind == "mixed_encoding"]
    # The content part starts at its first non-ASCII byte, after the ASCII markup.
    start = len(HEAD.encode(template)) + len("<div class=content>")
    end = len(HEAD.encode(template)) + len(body.encode(content))
    # ...and the footer part at its first non-ASCII byte, after <div class=footer>.
    foot = end + len("<div class=footer>")
    assert [(s.start_byte, s.end_byte) for s in parts] == [(0, start), (start, foot),
                                                           (foot, len(data))]
    assert [s.explanation.rsplit(" ", 1)[1] for s in parts] == [template, content, template]
    for s in parts:
        codec = s.explanation.rsplit(" ", 1)[1]
        assert data[s.start_byte:s.end_byte].decode(codec) == s.original == r.text[s.start:s.end]
    assert r.encoding == max((template, content), key=lambda c: sum(
        s.end_byte - s.start_byte for s in parts if s.explanation.endswith(c)))
    assert "mixed stream" in r.warnings[0]
    assert apply_plan(data, r.steps) == r.text
    assert apply_plan(data, [s.to_dict() for s in r.steps]) == r.text


def test_byte_offsets_of_a_repair_inside_a_mixed_stream():
    garbled = "数据抓取".encode("utf-8").decode("gb18030")  # mojibake the page itself holds
    data = (HEAD.encode("utf-8") + ("<p>天津市大港区地处天津市东南部。" + "</p>").encode("gbk")
            + ("<p>标题：" + garbled + "</p>").encode("utf-8"))
    r = repair_bytes(data)
    assert r.text.endswith("<p>标题：数据抓取</p>")
    (fix,) = [s for s in r.spans if s.kind == "utf8_as_gbk"]
    assert fix.original.startswith(garbled)
    assert data[fix.start_byte:fix.end_byte] == fix.original.encode("utf-8")


PASSAGES = [json.loads(line)["text"] for line in
            (Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "passages.jsonl")
            .read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("codec", ["gb18030", "big5hkscs"])
def test_pages_in_one_encoding_are_never_split(codec):
    model = get_model()
    split = []
    for text in PASSAGES:
        for page in (text, HEAD + text * 3 + FOOT):
            try:
                data = page.encode(codec)
            except UnicodeEncodeError:
                continue
            if looks_mixed(data) and split_mixed(data, model):
                split.append(page[:20])
    assert split == []


def test_valid_utf8_is_never_mixed():
    assert not looks_mixed((HEAD + BODY + FOOT).encode("utf-8"))


def test_the_mixed_search_gives_up_at_the_deadline_and_above_its_size():
    """The search costs about 20 us a byte and a list per codec as long as
    the bytes: a request's deadline cuts it (the bytes are then read in one
    codec) and a stream over `chardata.MAX_MIXED_BYTES` is not searched."""
    import time

    from app import chardata

    data = HEAD.encode("utf-8") + BODY.encode("gb18030") + FOOT.encode("utf-8")
    assert split_mixed(data, get_model()) is not None
    assert split_mixed(data, get_model(), deadline=time.monotonic() - 1) is None
    assert looks_mixed(data)
    padding = b"<!-- " + b"x" * chardata.MAX_MIXED_BYTES + b" -->"
    assert not looks_mixed(data + padding)
