"""HTML mode (``html=True``): text nodes and attribute values are repaired,
everything else stays byte for byte, except the charset declaration."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import apply_plan, repair_bytes, repair_text
from app.markup import attribute_values, declare_utf8, scan

GARBLED = "数据抓取".encode("utf-8").decode("gb18030")  # 鏁版嵁鎶撳彇
LATIN = "创建国家".encode("gbk").decode("latin-1")  # ´´½¨¹ú¼Ò

PAGE = (
    '<!DOCTYPE html>\n<html><head>'
    '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
    f"<title>{GARBLED}</title>\n"
    f'<script>var s = "{GARBLED}"; if (a < b && c) {{}}</script>'
    f"<style>p::after {{ content: '{GARBLED}' }}</style></head>\n"
    f'<body><!-- {GARBLED} --><p title="{GARBLED} &amp; co" class="{GARBLED}">'
    f"Tom &amp; Jerry &#21019; {LATIN}</p>\n"
    f'<a href="/{GARBLED}?q=%E4%B8%AD">{GARBLED}</a>'
    "<ruby>創<rp>(</rp><rt>chuàng</rt><rp>)</rp></ruby>建"
    f"<p>創(chuàng)建 \\u521b\\u5efa</p></body></html>"
)
EXPECTED = (
    '<!DOCTYPE html>\n<html><head>'
    '<meta charset="utf-8">'
    "<title>数据抓取</title>\n"
    f'<script>var s = "{GARBLED}"; if (a < b && c) {{}}</script>'
    f"<style>p::after {{ content: '{GARBLED}' }}</style></head>\n"
    f'<body><!-- {GARBLED} --><p title="数据抓取 &amp; co" class="{GARBLED}">'
    "Tom &amp; Jerry &#21019; 创建国家</p>\n"
    f'<a href="/{GARBLED}?q=%E4%B8%AD">数据抓取</a>'
    "<ruby>創<rp></rp><rt></rt><rp></rp></ruby>建"
    "<p>創建 创建</p></body></html>"
)


def _check(original: str, result, data: bytes | None = None) -> None:
    assert apply_plan(original if data is None else data, result.steps) == result.text
    for s in result.spans:
        assert original[s.start:s.end] == s.original
        assert result.text[s.out_start:s.out_end] == s.repaired
        if s.plan:
            assert apply_plan(s.original, s.plan) == s.repaired


def test_html_round_trip_keeps_markup_byte_for_byte():
    r = repair_text(PAGE, html=True)
    assert r.text == EXPECTED
    _check(PAGE, r)
    assert {s.kind for s in r.spans} == {"charset_declaration", "utf8_as_gbk", "gbk_as_latin1",
                                         "ruby_annotation", "escaped"}


def test_html_from_gbk_bytes():
    """A GBK page (its mojibake here GBK read as Latin-1: the GBK bytes of
    UTF-8 mojibake are UTF-8, which makes a mixed stream)."""
    page = PAGE.replace(GARBLED, LATIN)
    data = page.encode("gb18030")
    r = repair_bytes(data, html=True)
    assert r.encoding == "gb18030"
    assert r.text == EXPECTED.replace(GARBLED, LATIN).replace("数据抓取", "创建国家")
    _check(page, r, data)
    for s in r.spans:  # offsets into the decoded document, bytes into the input
        assert data[s.start_byte:s.end_byte] == s.original.encode("gb18030")


def test_without_strip_annotations_ruby_stays():
    r = repair_text(PAGE, html=True, strip_annotations=False)
    assert "<rp>(</rp><rt>chuàng</rt><rp>)</rp>" in r.text
    assert "<p>創(chuàng)建 创建</p>" in r.text


LESSON_PAGE = ("<html><head><title>拼音课</title></head><body><p>"
               + "".join(f"<ruby>{c}<rt>{r}</rt></ruby>" for c, r in zip("妈麻马骂", ("mā", "má", "mǎ", "mà")))
               + "</p></body></html>")


@pytest.mark.parametrize("doc", [
    LESSON_PAGE,  # fresh-eyes report (session 8, item 5): the title says 拼音
    LESSON_PAGE.replace("拼音课", "第一课"),  # every Han character of the text carries a reading
])
def test_a_page_that_teaches_pronunciation_keeps_its_ruby(doc):
    r = repair_text(doc, html=True)
    assert r.text == doc
    assert not r.changed and not r.spans


def test_japanese_furigana_are_no_chinese_ruby():
    # fresh-eyes report (session 9b, item 17): <rt>かんじ</rt> was emptied
    doc = "<p><ruby>漢字<rt>かんじ</rt></ruby>を勉強します。</p>"
    r = repair_text(doc, html=True)
    assert r.text == doc and not r.spans


def test_a_page_that_gives_ruby_to_a_few_characters_loses_it():
    doc = LESSON_PAGE.replace("拼音课", "第一课").replace("<p>", "<p>第一课的四个字，请大家一起来认一认：", 1)
    r = repair_text(doc, html=True)
    assert "<rt></rt>" in r.text and "mā" not in r.text
    assert [s.kind for s in r.spans] == ["ruby_annotation"] * 4


def test_a_node_that_lost_bytes_does_not_cost_its_neighbours_their_repair():
    # fresh-eyes report (session 9, F6): UTF-8 read as GBK with errors="replace"
    # on one line; 中心 lost a byte. The round trip read both nodes and the
    # tags between as one segment and, lossy, could not be cut back to them.
    doc = "<p>关于我们</p><p>新闻中心</p>".encode("utf-8").decode("gbk", errors="replace")
    r = repair_text(doc, html=True)
    assert r.text.startswith("<p>关于我们</p><p>新闻")
    assert r.text.endswith("</p>") and "<p>" in r.text
    assert [s.original for s in r.spans] == ["鍏充簬鎴戜滑", "鏂伴椈涓\ufffd蹇\ufffd"]
    assert r.spans[1].guessed and r.confidence < 0.9


def test_convert_touches_text_only():
    page = '<p title="國家">國家</p><script>var s = "國家";</script>'
    r = repair_text(page, html=True, convert="t2s")
    assert r.text == '<p title="国家">国家</p><script>var s = "國家";</script>'
    _check(page, r)


def test_plain_mode_leaves_markup_alone_only_by_luck():
    """Without html=True the whole page is text: the script's mojibake is repaired too."""
    assert f'var s = "{GARBLED}"' not in repair_text(PAGE).text


def test_unescaping_never_makes_markup():
    page = "<p>\\u003cscript\\u003e \\u521b\\u5efa</p>"
    assert repair_text(page, html=True).text == "<p>\\u003cscript\\u003e 创建</p>"


@pytest.mark.parametrize("declaration,utf8", [
    ('<meta charset="gbk">', '<meta charset="utf-8">'),
    ("<META CHARSET=big5 >", '<meta charset="utf-8">'),
    ('<meta http-equiv="content-type" content="text/html;charset=gb2312" />',
     '<meta charset="utf-8">'),
    ("<?xml version='1.0' encoding='GBK' standalone='yes'?>",
     "<?xml version='1.0' encoding='utf-8' standalone='yes'?>"),
])
def test_charset_declarations(declaration, utf8):
    assert declare_utf8(declaration) == utf8
    page = declaration + "<p>中文</p>"
    r = repair_text(page, html=True)
    assert r.text == utf8 + "<p>中文</p>"
    (span,) = r.spans
    assert (span.kind, span.plan) == ("charset_declaration", (("declare", "utf-8"),))


def test_meta_that_is_no_declaration_stays():
    page = '<meta name="description" content="鏁版嵁鎶撳彇"><meta charset="utf-8"><p>x</p>'
    assert repair_text(page, html=True).text == \
        '<meta name="description" content="数据抓取"><meta charset="utf-8"><p>x</p>'


@pytest.mark.parametrize("raw,values", [
    ('<a href="x" title=\'t\' data-x=y hidden>', [("href", "x"), ("title", "t"), ("data-x", "y")]),
    ("<p\ttitle = \"a b\"/>", [("title", "a b")]),
    ('<img alt="">', [("alt", "")]),
])
def test_attribute_values(raw, values):
    assert [(n, raw[a:b]) for n, a, b in attribute_values(raw)] == values


_PIECES = st.sampled_from([
    "<p>", "</p>", '<a href="/x?q=1&amp;b">', "</a>", '<img alt="', '">', "<br/>", "<!-- c -->",
    "<script>if (a<b) x();</script>", "<style>p{}</style>", "&amp;", "&#21019;", "&nbsp",
    GARBLED, LATIN, "中文", "創(chuàng)", "<rt>ㄔㄨㄤˋ</rt>", "<rp>(</rp>", " ", "\n",
    '<meta charset="gbk">', "\\u521b", "%E5%88%9B", "<", ">", '"',
])
DOCS = st.lists(_PIECES, max_size=14).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCS)
def test_markup_is_kept_byte_for_byte(doc):
    """Everything outside the text (and the declarations, and <rt>/<rp>
    contents) comes out as it went in, in order."""
    r = repair_text(doc, html=True)
    _check(doc, r)
    page = scan(doc)
    kept = [(a, b) for a, b in page.blocked()]
    changed = [(s.start, s.end) for s in r.spans if s.kind in ("charset_declaration",
                                                               "ruby_annotation")]
    pos_out = 0
    for a, b in kept:
        piece = doc[a:b]
        if any(x < b and a < y for x, y in changed):
            continue
        found = r.text.find(piece, pos_out)
        assert found >= 0, (piece, r.text)
        pos_out = found + len(piece)
    for s in r.spans:
        if s.kind not in ("charset_declaration", "ruby_annotation"):
            assert not any(a < s.end and s.start < b for a, b in kept), s
