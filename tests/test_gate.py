"""The clean-text fast path (app/gate.py): which lines are searched, and that
searching only those loses nothing."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import apply_plan, repair_text
from app import gate
from app.gate import get_gate
from conftest import CASES, load_cases

# Long clean texts to embed lines in: Simplified (with a technical line) and Traditional.
CLEAN = "\n".join([
    "今天天气很好，我们去公园散步。公园里有很多人在锻炼身体，有的跑步，有的打太极拳。",
    "使用Python 3.11和FastAPI开发接口，端口为8000，详见文档。",
] * 30)
CLEAN_TRADITIONAL = "\n".join([
    "今天天氣很好，我們去公園散步。公園裡有很多人在鍛鍊身體，有的跑步，有的打太極拳。",
] * 40)
MAJORITY = "今天天气很好，我们去公园散步。公园里有很多人在锻炼身体。" * 40


def _gate_cases():
    rows = []
    for line in (CASES / "gate.jsonl").read_text(encoding="utf-8").split("\n"):
        if line.strip():
            case = json.loads(line)
            rows.append(pytest.param(case, id=case["id"]))
    return rows


@pytest.mark.parametrize("case", _gate_cases())
def test_families_of_a_line(case):
    """A line after a long Simplified paragraph (so the text has a majority
    script) is suspect for exactly the listed families."""
    text = MAJORITY + "\n" + case["line"]
    lines = get_gate().suspect_lines(text)
    assert [s for s, e, f in lines if s <= len(MAJORITY)] == []
    found = [f for s, e, f in lines if s == len(MAJORITY) + 1]
    assert sorted(found[0] if found else []) == sorted(case["families"])


@pytest.mark.parametrize("text", [CLEAN, CLEAN_TRADITIONAL])
def test_clean_text_has_no_suspect_lines(text):
    assert get_gate().suspect_lines(text) == []
    result = repair_text(text)
    assert result.text == text and not result.changed and not result.spans


@pytest.mark.parametrize("case", load_cases("synthetic", "in_the_wild", "negative",
                                            "known_failures", "escaped", xfail=False))
def test_gated_search_equals_whole_search(case):
    """Searching only the suspect lines gives what searching all gives."""
    whole = repair_text(case["original"], _gate=False)
    gated = repair_text(case["original"], _gate=True)
    assert gated.text == whole.text
    assert [(s.kind, s.start, s.end, s.repaired) for s in gated.spans] == \
        [(s.kind, s.start, s.end, s.repaired) for s in whole.spans]


@pytest.mark.parametrize("damaged, expected", [
    ("标题：鏁版嵁鎶撳彇缁撴灉，共3条", "标题：数据抓取结果，共3条"),
    ("´´½¨¹ú¼Ò", "创建国家"),
    ("創(chuàng)建國家", "創建國家"),
    ("订单号：20240315-8842锛�实付金额¥89.90，预计3月18日前送达。",
     "订单号：20240315-8842，实付金额¥89.90，预计3月18日前送达。"),
])
def test_damage_inside_a_long_text(damaged, expected):
    """A garbled line in the middle of a long clean text: repaired, with
    offsets into the whole input and output, and steps that replay."""
    head, tail = CLEAN[:1500], CLEAN[1500:]
    text = head + "\n" + damaged + "\n" + tail
    result = repair_text(text)
    assert result.text == head + "\n" + expected + "\n" + tail
    assert apply_plan(text, result.steps) == result.text
    assert result.spans
    for span in result.spans:
        assert len(head) < span.start and span.end <= len(head) + 1 + len(damaged)
        assert text[span.start:span.end] == span.original
        assert result.text[span.out_start:span.out_end] == span.repaired


SENTENCE = "今天天气很好，我们去公园散步，然后回家吃饭。"


@pytest.mark.parametrize("damaged, expected", [
    # one long line of mojibake has no sentence mark of its own: not cut
    (("你好世界" * 300).encode().decode("gbk"), "你好世界" * 300),
    ((SENTENCE * 60).encode().decode("latin-1"), SENTENCE * 60),
    # an escaped line break: the unescaped text has more lines than the gate saw
    ("".join(f"\\u{ord(c):04x}" for c in SENTENCE * 8 + "\n创"), SENTENCE * 8 + "\n创"),
])
def test_long_lines_repaired_whole(damaged, expected):
    """Found by a fresh-eyes test: pieces cut every 512 characters left
    mojibake at the seams, and an unescaped \\u000a crashed the gated search."""
    result = repair_text(damaged)
    assert result.text == expected
    assert result.confidence > 0.9


def test_replacement_character_in_output_means_no_confidence():
    """A repair that leaves U+FFFD (bytes lost before luanma saw them) is not
    vouched for, whether or not a span marks the loss."""
    result = repair_text("数据抓取".encode().decode("cp1252", "replace"))
    assert "\ufffd" in result.text
    assert result.confidence == 0.0


def test_pieces_keep_only_the_units_with_a_signal():
    """In a suspect line, a unit whose only candidate signals are a letter
    before Han text (HY这时: a byte-loss signal only at the start of the
    whole text) or rare characters in a word (涟漪) is not searched; the unit
    with ``[`` after Han text is, and so is the mojibake with the unit before
    it (a misaligned GBK run can make a sentence mark of its own bytes)."""
    line = "参见文献[3]。水面泛起涟漪。HY这时更加理直气壮地说。我们去公园散步。鏁版嵁鎶撳彇。"
    text = MAJORITY + "\n" + line
    pieces = [(text[s:e], sorted(f)) for s, e, f in get_gate().suspect_pieces(text)]
    assert pieces == [("参见文献[3]。", ["realign"]),
                      ("我们去公园散步。鏁版嵁鎶撳彇。", ["cjk", "realign", "utf8"])]


_OTHER_SCRIPT_ALPHABET = "".join(sorted(set(gate._CP1251_CHARS) | set(gate._CP1250_CHARS))) + "中文ab[~ @\n"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_OTHER_SCRIPT_ALPHABET, max_size=16), st.integers(0, 4))
def test_led_signal_matches_like_its_regex(text, pos):
    """The cp1251 and cp1250 signals, searched from their leading class on,
    match exactly where their regex does (also with a start offset)."""
    for family in ("cp1251", "cp1250"):
        led = gate.OTHER_SCRIPT_FAMILY_SIGNALS[family]
        assert [m.span() for m in led.finditer(text, pos)] == [
            m.span() for m in led.pattern.finditer(text, pos)]
        found, expected = led.search(text, pos), led.pattern.search(text, pos)
        assert (found and found.span()) == (expected and expected.span())
