"""Bytes to text: the evidence of tests/cases/bytes.jsonl (declarations that
lie, supersets, in-document declarations) through `repair_bytes`."""

from __future__ import annotations

import json

import pytest

from app import apply_plan, repair_bytes, repair_text
from app.decode import decode_bytes, decode_replacing
from app.errors import NotText
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
    if "max_confidence" in case:
        assert r.confidence <= case["max_confidence"]


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


@pytest.mark.parametrize("case", _bytes_cases("bytes_lossy"))
def test_lossy_bytes_case(case):
    """Bytes of a Chinese codec with a few corrupted or cut bytes: that codec,
    each undecodable sequence one U+FFFD reported as lost (confidence 0),
    never a Japanese or Korean codec that reads every byte as something
    else."""
    data = bytes.fromhex(case["original_hex"])
    decoded = decode_bytes(data, case.get("charset"))
    assert (decoded.text, decoded.codec) == (case["expected"], case["encoding"])
    if not decoded.head_bytes:
        assert decode_replacing(data, decoded.codec) == case["expected"]
    r = repair_bytes(data, charset=case.get("charset"))
    assert r.encoding == case["encoding"]
    assert any(case["warning"] in w for w in r.warnings), r.warnings
    # every replaced sequence is in a span (lost, or the byte-loss repair of
    # the run a corrupted lead byte put out of step), and nothing is vouched for
    holes = [k for k, ch in enumerate(case["expected"]) if ch == "\ufffd"]
    assert all(any(s.start <= k < s.end for s in r.spans) for k in holes), r.spans
    assert r.confidence == 0.0
    assert apply_plan(data, r.steps) == r.text


@pytest.mark.parametrize("text, codec", [
    ("こんにちは、世界。今日はいい天気ですね。", "cp932"),
    ("안녕하세요 여러분 반갑습니다", "cp949"),
])
def test_japanese_and_korean_bytes_stay_theirs(text, codec):
    assert (repair_bytes(text.encode(codec)).text, repair_bytes(text.encode(codec)).encoding) \
        == (text, codec)


def test_a_declaration_right_but_for_a_corrupted_byte_is_not_called_ignored():
    data = "这是一段简体中文的测试文字。".encode() + b"\xc0" + "用来检查程序。".encode()
    r = repair_bytes(data, charset="utf-8")
    assert r.encoding == "utf-8"
    assert not any("ignored" in w for w in r.warnings), r.warnings


@pytest.mark.parametrize("charset", ["utf-16be", None])
def test_utf16_ending_in_a_utf8_lead_byte_is_not_cut_utf8(charset):
    """即可 in UTF-16BE is 53 73 53 EF: ASCII and a byte that could begin a
    UTF-8 sequence, which is not evidence of UTF-8 cut short."""
    data = "即可".encode("utf-16-be")
    r = repair_bytes(data, charset=charset)
    assert r.text == "即可"
    assert r.encoding == "utf-16-be"


@pytest.mark.parametrize("data, spans", [
    ("标题：".encode() + b"\xff" + "鏁版嵁鎶撳彇缁撴灉".encode(),
     [("lost", b"\xff"), ("utf8_as_gbk", "鏁版嵁鎶撳彇缁撴灉".encode())]),
    ("数据抓取结果，共三条。".encode()[:-1], [("lost", b"\xe3\x80")]),
    (("创建国家卫生区" * 5).encode("gbk") + b"\xff\xff" + "国家".encode("gbk") + b"\x81",
     [("lost", b"\xff\xff"), ("lost", b"\x81")]),
])
def test_byte_offsets_after_replaced_bytes(data, spans):
    """A U+FFFD that stands for undecodable bytes covers those bytes in the
    span offsets, not its own encoding's three."""
    r = repair_bytes(data)
    assert [(s.kind, data[s.start_byte:s.end_byte]) for s in r.spans] == spans


@pytest.mark.parametrize("data, codec, text, lost", [
    (b"\xff\xfe" + "中文测试内容".encode("utf-16-le") * 5 + b"A", "utf-16-le",
     "中文测试内容" * 5 + "\ufffd", b"A"),
    (b"\xef\xbb\xbf" + "中文测试内容".encode() + b"\xff" + "中文".encode(), "utf-8",
     "中文测试内容\ufffd中文", b"\xff"),
])
def test_a_bom_with_a_corrupted_or_cut_byte_keeps_its_codec(data, codec, text, lost):
    """A BOM names the codec even when a byte after it is corrupted or cut
    (a cut UTF-16 file was read as GB18030 with its BOM as the damage)."""
    r = repair_bytes(data)
    assert (r.text, r.encoding) == (text, codec)
    (span,) = r.spans
    assert (span.kind, data[span.start_byte:span.end_byte]) == ("lost", lost)


def test_web_shift_jis_reports_where_a_character_cannot_be_encoded():
    """The registered `web-shift_jis` codec (app/webcodecs.py) names the
    position in the whole text, as Python's codecs do."""
    import app.webcodecs  # noqa: F401  (registers the codecs)

    with pytest.raises(UnicodeEncodeError) as raised:
        "中é".encode("web-shift_jis")
    assert (raised.value.start, raised.value.end, raised.value.object) == (1, 2, "中é")
    assert "中é".encode("web-shift_jis", "replace") == "中".encode("cp932") + b"?"


@pytest.mark.parametrize("original, guessed", [
    ("涓€瀹�", "一定"),  # 一家, 家's last byte lost: the model guesses 定
    ("鐨勮�叉キ", "的課業"),
    ("姣�鏃�", "毫无"),
])
def test_a_guess_from_lost_utf8_bytes_stays_below_sure(original, guessed):
    """A character guessed back from lost UTF-8 bytes: the repair says so
    and its confidence stays below 0.9 (chardata.MAX_GUESSED_CONFIDENCE:
    no band of such guesses was right 99% of the time), and below its least
    sure guess."""
    r = repair_text(original)
    assert r.text == guessed
    guesses = [s for s in r.spans if s.guessed]
    assert guesses
    assert r.confidence <= min([0.89] + [s.confidence for s in guesses])


@pytest.mark.parametrize("text, codec, rival", [
    ("Москва", "cp1251", None),  # windows-1253 Μξρκβΰ breaks Greek spelling
    ("Нет", "cp1251", "cp1253"),  # windows-1253 Νες: too short to refute
    ("Мир", "cp1251", None),  # windows-1253 Μθπ has no vowel
])
def test_single_byte_scripts_nothing_tells_apart(text, codec, rival):
    """Undeclared Cyrillic or Greek bytes that read as words in two scripts
    come back in the first codec with a warning naming the other and a
    confidence of at most one half; where the other's spelling refutes it,
    neither."""
    r = repair_bytes(text.encode(codec))
    assert (r.text, r.encoding) == (text, codec)
    named = [w for w in r.warnings if "nothing in them tells the scripts apart" in w]
    if rival:
        assert named and rival in named[0]
        assert r.confidence <= 0.5
    else:
        assert not named


@pytest.mark.parametrize("symbol", ["×", "÷", "≤", "√"])
def test_one_gbk_symbol_against_one_latin_letter_is_a_tie(symbol):
    # GBK × is A1 C1, cp1252 ¡Á: one letter is no word, and two bytes cannot
    # tell the readings apart, so whichever is taken is at most 0.5 sure
    # (was cp1252 at 0.90).
    r = repair_bytes(symbol.encode("gbk"))
    assert r.confidence <= 0.5
    assert any("gb18030" in w for w in r.warnings)


@pytest.mark.parametrize("data", [
    b"\x1b[0m", b"OK\x07\x07", b"\x08\x08ab", b"\x01\x02\x03\x04", b"ab\x1f\x1f",
])
def test_ascii_controls_stay_refused(data):
    # bytes that read as ASCII with control characters are not text, even
    # where a BOM-less UTF-16 reading exists (1B 5B 30 6D as UTF-16LE is 嬛洰)
    with pytest.raises(NotText):
        decode_bytes(data)


@pytest.mark.parametrize("hex_, reading, other", [
    ("d2b5", "ҵ", "业"),    # GBK 业 is valid UTF-8
    ("ac46", "現", "政"),    # Big5 政 is GBK 現
    ("b5f3", "街", "刁"),    # GBK 刁 is Big5 街
    ("c7e9", "Ηι", "情"),    # GBK 情 is cp1253 Greek
])
def test_one_undeclared_character_is_a_tie(hex_, reading, other):
    # two bytes cannot tell the codecs apart, and the commoner character is
    # no evidence of the codec (these were read at 0.99 either way)
    d = decode_bytes(bytes.fromhex(hex_))
    assert d.text == reading and d.confidence_cap == 0.5
    assert any(f"reads {other!r}: too few bytes to tell" in w for w in d.warnings)
    assert repair_bytes(bytes.fromhex(hex_)).confidence <= 0.5
    # declared, or longer, the reading is not capped
    assert decode_bytes(bytes.fromhex(hex_), "gb18030").confidence_cap is None
    assert decode_bytes("中文".encode()).confidence_cap is None


def test_undeclared_utf16_with_latin1_signs_decodes_whole_and_cut():
    # × ° ± are Latin-1 (a NUL byte and one other in UTF-16), which Chinese
    # text writes; a cut by one byte must not turn the reading into "not text"
    text = "温度：25°C±2°C×3°，尺寸：30×40cm，重量五公斤"
    data = text.encode("utf-16-le")
    assert decode_bytes(data).text == text
    cut = decode_bytes(data[:-1])
    assert cut.codec == "utf-16-le" and cut.text == text[:-1] + "\ufffd"


def test_two_bytes_that_read_alike_get_one_warning():
    # Big5 中 (A4 A4) is EUC-JP い and GB18030 い: one "too few bytes" is enough
    d = decode_bytes(bytes.fromhex("a4a4"))
    assert d.text == "中" and d.confidence_cap == 0.5
    assert sum(w.endswith("too few bytes to tell") for w in d.warnings) == 1


@pytest.mark.parametrize("word", ["张三", "登录", "严格"])
def test_short_ascii_that_is_also_utf16_chinese_is_not_vouched_for(word):
    # fresh-eyes report (session 8, item 10): ' _\tN' came back at 0.99
    data = word.encode("utf-16-le")
    d = decode_bytes(data)
    assert d.text == data.decode("ascii") and d.confidence_cap == 0.5
    assert any(f"utf-16-le {word!r}: too few bytes to tell" in w for w in d.warnings)
    assert decode_bytes(b"Nice").confidence_cap is None  # ASCII words stay sure


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_that_lost_its_first_byte_is_read_from_the_second(codec):
    # fresh-eyes report (session 8, item 8): a chunk that starts inside a
    # code unit was refused as not text
    text = "大港区地处天津市东南部，是全国重要的石油化工基地。"
    d = decode_bytes(text.encode(codec)[1:])
    assert d.text == "\ufffd" + text[1:] and d.codec == codec and d.head_bytes == 1
    assert any("begin inside a" in w for w in d.warnings)


@pytest.mark.parametrize("errors,expected", [
    ("strict", None), ("replace", "欧\ufffd€"), ("ignore", "欧€"),
    ("luanma-replace", "欧\ufffd€"),
])
def test_web_gbk_reads_a_lone_0x80_as_euro_with_any_error_handler(errors, expected):
    """web-gbk reads byte 0x80 as € whatever the error handler, and hands
    the bytes gb18030 cannot decode to that handler: the replay of a plan
    decodes with luanma's own (fresh-eyes report fe12 S1-2: the plan of a
    GBK page with € did not replay)."""
    import app.webcodecs  # noqa: F401  (registers web-gbk)

    data = "欧".encode("gbk") + b"\xff" + b"\x80"
    if expected is None:
        with pytest.raises(UnicodeDecodeError):
            data.decode("web-gbk", errors)
    else:
        assert data.decode("web-gbk", errors) == expected
