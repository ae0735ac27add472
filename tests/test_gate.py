"""The clean-text fast path (app/gate.py): which lines are searched, and that
searching only those loses nothing."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import apply_plan, repair_text
from app import chardata, gate
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


def test_pieces_cut_after_half_width_sentence_marks():
    """A line punctuated with half-width marks is cut after ``!`` and ``?``
    as after 。: only the sentence with the mojibake is searched (with the
    one before it, for byte loss). Not between ``?`` and a Chinese mark
    (``?。``): there the ASCII byte may be what a GBK lead byte left when
    its trail was lost, and that unit is searched whole."""
    line = "我们去公园散步!今天天气很好?鏁版嵁鎶撳彇,共3条!明天见!"
    pieces = [(text[s:e], sorted(f)) for text in [MAJORITY + "\n" + line]
              for s, e, f in get_gate().suspect_pieces(text)]
    assert pieces == [("今天天气很好?鏁版嵁鎶撳彇,共3条!", ["cjk", "realign", "utf8"])]
    line = "我们去公园散步!今天很好!明天见?。再见!"
    pieces = [(text[s:e], sorted(f)) for text in [MAJORITY + "\n" + line]
              for s, e, f in get_gate().suspect_pieces(text)]
    assert pieces == [("今天很好!明天见?。", ["realign"])]


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


# Characters for cp932's signal: kanji of rows E4..E9 with trails 80..BF, of
# rows 81..9F with trails E2..E9 and EF, their neighbours in the code table,
# a half-width katakana, ASCII and a character cp932 cannot encode.
_CP932_ALPHABET = sorted({bytes(p).decode("cp932", "replace") for p in (
    [(lead, trail) for lead in (0x88, 0x89, 0x8B, 0x93, 0xE3, 0xE4, 0xE6, 0xE9, 0xEA)
     for trail in (0x7E, 0x80, 0x9A, 0xBF, 0xC0, 0xE1, 0xE2, 0xE5, 0xE9, 0xEA, 0xEF, 0xF0)])
    } - {"\ufffd"}) + ["ｱ", "a", "们"]
_CP932_ALPHABET = [c for c in _CP932_ALPHABET if len(c) == 1]
_UTF8_THEN_LEAD_RE = re.compile(rb"[\xe4-\xe9][\x80-\xbf][\x81-\x9f][\xe2-\xe9\xef]")


def _cp932_signal_expected(text: str) -> bool:
    return any(chardata.CP932_SINGLE_BYTE_RE.match(ch) for ch in text) or any(
        _UTF8_THEN_LEAD_RE.fullmatch((a + b).encode("cp932", "replace"))
        for a, b in zip(text, text[1:]))


def test_cp932_signal_on_every_pair():
    """cp932's signal's pattern matches two characters exactly where one is a
    character of `chardata.CP932_SINGLE_BYTE_RE`, or their cp932 bytes are
    a UTF-8 three-byte sequence of U+4000..U+9FFF and a lead byte of the
    next (E2..E9, EF), both pairs starting a character: every pair of
    `_CP932_ALPHABET`."""
    signal = gate.OTHER_SCRIPT_FAMILY_SIGNALS["cp932"].pattern
    pairs = [a + b for a in _CP932_ALPHABET for b in _CP932_ALPHABET]
    assert [p for p in pairs if (signal.search(p) is not None) != _cp932_signal_expected(p)] == []
    assert sum(1 for p in pairs if _UTF8_THEN_LEAD_RE.fullmatch(p.encode("cp932", "replace"))) > 50


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_CP932_ALPHABET), max_size=12))
def test_cp932_signal_is_its_byte_pattern(chars):
    """The same on strings of those characters. (The signal then takes a
    two-character match only in a run that decodes as UTF-8 whole:
    tests/cases/gate.jsonl, cp932-kanji-only and cp932-clean-traditional-pair.)"""
    text = "".join(chars)
    assert (gate.OTHER_SCRIPT_FAMILY_SIGNALS["cp932"].pattern.search(text) is not None) == \
        _cp932_signal_expected(text)
