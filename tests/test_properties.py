"""Property tests (hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import RepairError, apply_plan, repair_bytes, repair_text

# Clean Chinese: passages written for these tests, cut at random places.
PASSAGES = [
    "天津市大港区地处天津市东南部，是全国重要的石油和石油化工基地。",
    "大港區地處天津市東南部，是全國重要的石油和石油化工基地。",
    "经过全区人民多年的艰苦创业和不懈奋斗，相继获得了国家环境保护模范城区等荣誉称号。",
    "今天下午三点，我们在会议室讨论下个季度的工作计划和预算安排。",
    "這家餐廳的牛肉麵非常有名，每天中午都有很多人排隊。",
]
CLEAN = st.sampled_from(PASSAGES).flatmap(
    lambda p: st.tuples(st.integers(0, len(p)), st.integers(0, len(p))).map(
        lambda ij: p[min(ij) : max(ij)]
    )
)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.text())
def test_any_text_gives_a_result(text):
    r = repair_text(text)
    assert isinstance(r.text, str)
    assert 0.0 <= r.confidence <= 1.0
    assert apply_plan(text, r.steps) == r.text


@FAST
@given(st.binary(max_size=400))
def test_any_bytes_give_a_result_or_a_repair_error(data):
    try:
        r = repair_bytes(data)
    except RepairError:
        return
    assert isinstance(r.text, str)
    assert r.encoding


# Text without C1 controls (U+0080..U+009F). With them, ftfy's fixer can need a
# whole line where luanma already repaired part of it, and luanma never lets one
# pass re-read another's repair: 'Â\x80\x95l¼\x81' repairs to 'Â\x80西覺',
# which repairs again to '€西覺' (a known limit, README).
NO_C1 = st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                       blacklist_characters=[chr(c) for c in range(0x80, 0xA0)]))


@FAST
@given(NO_C1)
def test_repairing_twice_is_repairing_once(text):
    once = repair_text(text).text
    assert repair_text(once).text == once


@FAST
@given(st.sampled_from(PASSAGES), st.sampled_from(["gb18030", "latin-1", "sloppy-windows-1252"]),
       st.integers(0, 30), st.integers(1, 12))
def test_repairing_damaged_text_twice_is_repairing_once(passage, wrong, at, length):
    """Clean text with one clause garbled, the realistic case."""
    import ftfy.bad_codecs  # noqa: F401

    right = "utf-8" if wrong == "gb18030" else "gbk"
    piece = passage[at : at + length]
    try:
        garbled = piece.encode(right).decode(wrong)
    except UnicodeError:
        return
    result = repair_text(passage[:at] + garbled + passage[at + length :])
    once = result.text
    assert repair_text(once).text == once
    # the document is right only if each of its repairs is: no surer than any
    assert all(result.confidence <= s.confidence for s in result.spans)


@FAST
@given(CLEAN)
def test_clean_chinese_unchanged(text):
    r = repair_text(text)
    assert r.text == text
    assert not r.changed


@FAST
@given(CLEAN.filter(lambda t: len(t) >= 4))
def test_clean_chinese_unchanged_as_utf8_and_gb18030_bytes(text):
    """Four characters or more: the GBK bytes of one or two characters can be
    valid UTF-8 too (全 is C8 AB, which UTF-8 reads as ȫ), and valid UTF-8
    wins (see app/decode.py)."""
    for codec in ("utf-8", "gb18030"):
        assert repair_bytes(text.encode(codec)).text == text


_CHINESE = "这是一段很长的中文文本，用来测试解码。國家環保總局授予大港區。"


@FAST
@given(st.sampled_from(["utf-8", "gb18030", "big5hkscs"]), st.integers(1, 4),
       st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=3))
def test_corrupted_chinese_bytes_give_a_result(codec, repeat, changes):
    """Chinese bytes with one to three bytes changed (a corrupted stream)
    give a result or a documented RepairError, never another exception (a
    corrupted byte inside a mixed stream's part raised UnicodeDecodeError, a
    500 over HTTP); the replay gives the text."""
    data = bytearray((_CHINESE * repeat).encode(codec, "replace"))
    for at, value in changes:
        data[at % len(data)] = value
    try:
        r = repair_bytes(bytes(data))
    except RepairError:
        return
    assert apply_plan(bytes(data), r.steps) == r.text


def _assert_spans_disjoint_and_readable(source, r) -> None:
    """Each span's `original` is the input at start..end, its `repaired` the
    output at out_start..out_end; spans are sorted and no two overlap, in
    the input or in the output."""
    for s in r.spans:
        assert 0 <= s.start <= s.end <= len(source), s
        assert 0 <= s.out_start <= s.out_end <= len(r.text), s
        assert s.original == source[s.start:s.end], s
        assert s.repaired == r.text[s.out_start:s.out_end], s
    for a, b in zip(r.spans, r.spans[1:]):
        assert a.end <= b.start and a.out_end <= b.out_start, (a, b)


LOSSY_BASE = st.sampled_from(PASSAGES + ["欢迎光临本店", "数据抓取结果：共100条",
                                         "联系电话：010-12345678，欢迎咨询我们的产品"])


@FAST
@given(LOSSY_BASE, st.sampled_from(["utf-8", "gb18030", "big5hkscs"]),
       st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=2),
       st.booleans())
def test_lossy_bytes_spans_are_disjoint_and_match_the_output(text, codec, changes, declared):
    """Fresh-eyes report 8, item 11: Chinese bytes with one or two bytes
    changed, undeclared or declared, decoded and repaired: spans never
    overlap and each shows what the input and the output hold at its
    offsets (a lost run that a repair took in part overlapped that repair)."""
    data = bytearray(text.encode(codec, "replace"))
    for at, value in changes:
        data[at % len(data)] = value
    try:
        r = repair_bytes(bytes(data), charset=codec if declared else None)
    except RepairError:
        return
    decoded = apply_plan(bytes(data), [r.steps[0]])
    _assert_spans_disjoint_and_readable(decoded, r)


@FAST
@given(LOSSY_BASE, st.sampled_from(["utf-8", "gb18030", "big5hkscs"]),
       st.sampled_from(["gb18030", "gbk", "big5hkscs"]), st.integers(0, 10**6),
       st.integers(0, 255))
def test_lossy_text_spans_are_disjoint_and_match_the_output(text, codec, wrong, at, value):
    """The same for text: bytes with one byte changed, decoded with the
    wrong codec and replacement (what a scraper hands over)."""
    data = bytearray(text.encode(codec, "replace"))
    data[at % len(data)] = value
    source = bytes(data).decode(wrong, "replace")
    r = repair_text(source)
    _assert_spans_disjoint_and_readable(source, r)


# One damaged UTF-8 character in short Chinese (fresh-eyes report 8, item 9):
# the lead byte or a continuation byte replaced by any byte that leaves the
# bytes invalid UTF-8.
@FAST
@given(st.sampled_from(["欢迎光临本店", "今天天气很好", "数据抓取结果：共100条", "请稍后再试一下",
                        "這家餐廳很有名"]), st.integers(0, 10**6),
       st.integers(0x80, 0xFF).filter(lambda v: not 0xC2 <= v <= 0xDF))
def test_one_damaged_utf8_character_is_one_lost_character(text, at, value):
    """A non-ASCII byte of a title of 6 to 14 characters replaced by a byte
    0x80..0xFF, undeclared, is never refused as not text; where the bytes
    are no longer UTF-8 they stay UTF-8 with the damaged character one
    U+FFFD and nothing else changed. Not a two-byte lead byte 0xC2..0xDF
    (a limit, README): in a lead byte's place it begins a valid two-byte
    character with the next byte (欢 E6 AC A2 with C2 is ¬ and a stray
    byte), and those bytes often read as GB18030 instead."""
    data = bytearray(text.encode("utf-8"))
    positions = [k for k, b in enumerate(data) if b >= 0x80]
    pos = positions[at % len(positions)]
    data[pos] = value
    data = bytes(data)
    try:
        data.decode("utf-8")
        return  # another valid character: nothing to tell
    except UnicodeDecodeError:
        pass
    r = repair_bytes(data)
    assert r.encoding == "utf-8"
    assert r.text.count("\ufffd") == 1
    assert len(r.text) == len(text), r.text
    assert [a for a, b in zip(r.text, text) if a != b] == ["\ufffd"]
    assert r.confidence == 0.0
