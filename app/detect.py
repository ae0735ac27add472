"""Find runs of text that may be mojibake: str -> candidate regions.

Detection is cheap and generous; `candidates` and `score` decide. Every
offset here is a code-point index into the text given, half-open.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import accumulate

from . import chardata

# Characters a wrong single-byte decode (Latin-1, cp1252, sloppy cp1252) of
# bytes 0x80..0xFF produces, and ASCII '@'..'~' (0x40..0x7E), which GBK and
# Big5 use as trail bytes. A run must start with a high character.
LATIN_HIGH = "\u0080-\u00ff" + re.escape(chardata.CP1252_HIGH)
LATIN_RUN_RE = re.compile(f"[{LATIN_HIGH}][{LATIN_HIGH}\\x40-\\x7e]*")

# Non-ASCII characters other than whitespace: what a CJK codec makes of
# UTF-8 multi-byte sequences (lead and continuation bytes are all >= 0x80).
CJK_RUN_RE = re.compile(r"[^\x00-\x7f\s\u3000]+")

# Where a misaligned GBK decode falls back into step: an ASCII character that
# can be a GBK trail byte (0x40..0x7E), right after a non-ASCII character.
REALIGN_POINT_RE = re.compile(r"(?<=[^\x00-\x7f])[\x40-\x7e]")


def lines_to_check(text: str) -> Iterator[tuple[int, int, bool, bool]]:
    """Lines that a round trip may repair, with which codec families apply.

    Yields:
        ``(start, end, latin, cjk)`` for each line (without its line break)
        holding non-ASCII text: `latin` when it has at least two characters a
        single-byte decode of bytes 0x80..0xFF makes (`LATIN_RUN_RE`), `cjk`
        when it has a run of at least two non-ASCII characters.
    """
    pos = 0
    # Split on LF only: str.splitlines would also split on U+0085 and
    # U+001C..U+001E, which Latin-1 makes of GBK bytes 0x85 and 0x1C..0x1E.
    for line in text.split("\n"):
        start, pos = pos, pos + len(line) + 1
        body = line.rstrip("\r")
        if body.isascii():
            continue
        latin = sum(m.end() - m.start() for m in LATIN_RUN_RE.finditer(body)) >= 2
        cjk = any(m.end() - m.start() >= 2 for m in CJK_RUN_RE.finditer(body))
        if latin or cjk:
            yield start, start + len(body), latin, cjk


# What a long line is cut after (`line_pieces`): ASCII below 0x40 (space,
# digits, most ASCII marks), a byte no codec luanma reads makes part of a
# multi-byte character (GBK, Big5, Shift_JIS and cp949 trail bytes are 0x40
# and up, UTF-8 continuation bytes 0x80 and up), so no character's bytes
# straddle the cut in any reading.
_SAFE_CUT_RE = re.compile("[\t\x20-\x3f]")


# How far back from the limit `_utf8_step` looks for a cut (code points).
_STEP_SEARCH_CHARS = 64


def _utf8_step(text: str, lo: int, hi: int) -> int | None:
    """The last offset p of ``(max(lo, hi - _STEP_SEARCH_CHARS), hi]`` where
    the character at p begins, in GB18030, with a byte that begins a UTF-8
    sequence (0xC2..0xF4): in UTF-8 read as GB18030, the commonest mojibake,
    a cut there falls between two of the UTF-8 characters, so no character's
    bytes straddle it; None if there is none (or p would be `hi` itself)."""
    for p in range(hi - 1, max(lo, hi - _STEP_SEARCH_CHARS), -1):
        ch = text[p]
        if ch >= "\x80":
            try:
                first = ch.encode("gb18030")[0]
            except UnicodeEncodeError:
                continue
            if 0xC2 <= first <= 0xF4:
                return p
    return None


def line_pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The line ``text[start:end]`` cut into pieces of at most
    `chardata.LONG_LINE_CHARS` code points, each cut right after the last
    `_SAFE_CUT_RE` character of the piece's second half, or, where it has
    none (a megabyte of mojibake with no space or digit), where UTF-8 read as
    GB18030 is in step (`_utf8_step`), or else at the limit: a character
    whose bytes straddle such a cut stays as it is.

    Returns:
        ``(a, b)`` offsets into `text`, in order, covering ``[start, end)``;
        one piece for a line within the limit. The round trips search each
        piece on its own (what the line as a whole says, such as Japanese
        kana in it, still applies to every piece), so that one unit of work,
        which the deadline cannot stop, stays small (issue 5).
    """
    limit = chardata.LONG_LINE_CHARS
    out, a = [], start
    while end - a > limit:
        b = a + limit
        cut = None
        for m in _SAFE_CUT_RE.finditer(text, a + limit // 2, b):
            cut = m.end()
        b = cut or _utf8_step(text, a + limit // 2, b) or b
        out.append((a, b))
        a = b
    out.append((a, end))
    return out


# Hiragana particles and endings that only Japanese writes (の を は が に で
# て た す ま): a line with three or more hiragana, one of them these, is
# Japanese, and its kana are not mojibake (はいい is not Big5 read as GBK).
_HIRAGANA_RE = re.compile("[\u3041-\u309f]")
KANA_RE = re.compile("[\u3041-\u30ff]")
_PARTICLE_RE = re.compile("[のをはがにでてたすま]")


# Korean words (eojeol) are written apart and end in a particle or an ending
# (는 은 이 가 을 를 의 에 도 로 와 과 고 서 며 면 지 다 요 …): 韓國語는 어렵다
# is two such words. Chinese bytes read as EUC-KR make hangul of lead bytes
# 0xB0..0xC8 with no space between (Chinese writes none), each syllable one
# of 1,175 about equally, so a word ending in one of these 24 is about
# 2% likely, two in a line about 4 in 10,000 (`looks_korean`).
_HANGUL_SYLLABLE_RE = re.compile("[\uac00-\ud7af]")
_WORD_RE = re.compile(r"\S+")
_KOREAN_WORD_END_RE = re.compile(
    "[은는이가을를의에도로와과고서며면지다요나만까게야서한할]"
    r"[\s!-/:-@\[-`{-~。，、！？]*$")


def looks_korean(line: str) -> bool:
    """Whether `line` is Korean written as Korean: at least two words
    (whitespace-delimited) holding hangul, at least two of them ending in a
    particle or a verb ending (韓國語는 어렵다, with its hanja). Chinese
    read as EUC-KR (cp949) makes hangul too, but in one run of text with no
    word spaces. One Korean word alone is too little to tell."""
    if _HANGUL_SYLLABLE_RE.search(line) is None:
        return False
    words = [w for w in _WORD_RE.findall(line) if _HANGUL_SYLLABLE_RE.search(w)]
    return len(words) >= 2 and sum(
        _KOREAN_WORD_END_RE.search(w) is not None for w in words) >= 2


# Zhuyin written on purpose (ㄔㄨㄤˋ): a bopomofo letter with a tone mark
# after it, or two letters in a row of which one is not what Big5 makes of
# GBK's full-width forms. Big5 A3A1..A3BA are ㄐ..ㄩ, the bytes of GBK's
# ！＂＃￥％＆＇（）＊＋，－．／０..９：, and A3BB..A3BF the tone marks ˙ˉˊˇˋ,
# GBK's ；＜＝＞？ (Python's big5 and gbk tables): a run of those letters
# alone (ㄩㄓ for ：￥ in 价格：￥1299, ㄐㄐ for ！！) may be GBK read as
# Big5, and the scorer decides; ㄅ..ㄏ and the extended letters
# (U+312A.., U+31A0..) are no GBK character's bytes. A letter alone
# beside Han text is what Big5 makes of GBK's ， (ㄛ).
_BOPOMOFO = "\u3105-\u312f\u31a0-\u31bf"
_NOT_GBK_FORM = "\u3105-\u310f\u312a-\u312f\u31a0-\u31bf"
ZHUYIN_RUN_RE = re.compile(
    f"[{_BOPOMOFO}][\u02ca\u02c7\u02cb\u02d9]|[{_NOT_GBK_FORM}][{_BOPOMOFO}]"
    f"|[{_BOPOMOFO}][{_NOT_GBK_FORM}]")


def looks_japanese(line: str) -> bool:
    """Whether `line` (or a whole text) is Japanese: its kana are then left
    alone, in a Japanese text on every line that has kana. Three hiragana
    at least, one a particle, and at least `chardata.MIN_HIRAGANA_SHARE` of
    the non-ASCII characters: Japanese writes its grammar in hiragana (a
    fifth to a half of a sentence), where Big5 read as GB18030 makes a few
    among many Han (大港歷史上曾是退海之地,隨著… holds ぇ, て and ら in 45)."""
    hiragana = len(_HIRAGANA_RE.findall(line))
    return (hiragana >= 3 and _PARTICLE_RE.search(line) is not None
            and hiragana >= chardata.MIN_HIRAGANA_SHARE * len(chardata.non_ascii(line)))


# Words of text that talks about encodings and quotes mojibake on purpose
# (“鏁版嵁”就是“数据”的乱码): Chinese terms for garbled text, encoding and
# decoding, and the names of the codecs themselves; and the words a writer
# uses for garbled characters without naming encodings (中文全变成了鏁版嵁这种怪字,
# 像天书一样, 火星文, 字符显示异常：…, 文件名显示成æ—¶é—´: fresh-eyes report
# fe11b S1-2, 85 of 192 such lines were repaired at 0.998).
# (The look-ahead names every branch's first character, so that the regex
# engine tries the branches only there: three times as fast over a page.)
# 编码 as an identifier is no such talk: a field label (编码：A1024) or a
# kind of code number (邮政编码, 商品编码, 员工编码: fresh-eyes report fe11c
# S2-3, where real mojibake beside them was kept at 0.97).
_ID_CODE = ("(?<!邮政|郵政|商品|产品|產品|员工|員工|物料|客户|客戶|订单|訂單|项目|項目|资产|資產"
            "|设备|設備|身份|区域|區域|行政)")
ENCODING_TALK_RE = re.compile(
    "(?=[乱亂编編解转轉字怪天火显顯mecugbliw])(?:"
    f"乱码|亂碼|{_ID_CODE}(?:编码|編碼)(?![:：])|解码|解碼|转码|轉碼|字符集|字元集"
    "|怪字|天书(?!奇)|天書(?!奇)|火星文|显示异常|顯示異常|显示成(?![绩績功])|顯示成(?![绩績功])"
    "|mojibake|encoding|charset|UTF-?8|GBK|GB2312|GB18030|Big5|Latin-?1|ISO-8859|"
    "cp1252|Windows-1252|mis-?decod|mis-?encod|garbled)",
    re.IGNORECASE,
)


def talks_about_encoding(line: str) -> bool:
    """Whether `line` discusses encodings (its mojibake is then quoted, not damage)."""
    return ENCODING_TALK_RE.search(line) is not None


def realign_points(text: str) -> Iterator[int]:
    """Offsets where a GBK decode that lost a byte may have fallen back in step.

    Yields:
        Offsets of ASCII characters 0x40..0x7E that follow a non-ASCII one.
    """
    for m in REALIGN_POINT_RE.finditer(text):
        yield m.start()


# A lone ASCII letter between non-ASCII characters: a GBK character whose lead
# byte was lost and whose trail is ASCII-range (衛 D0 6C is left as "l").
LONE_LETTER_RE = re.compile(r"(?:(?<=[^\x00-\x7f])|^)[A-Za-z](?=[^\x00-\x7f]|$)")
# A U+FFFD right after non-ASCII text: a misaligned GBK run whose last trail
# byte met a byte it could not pair with.
FFFD_AFTER_TEXT_RE = re.compile(r"(?<=[^\x00-\x7f\ufffd])\ufffd")


# A private-use character of GB18030's user-defined byte pairs (AAA1..AFFE,
# F8A1..FEFE, A140..A7A0: U+E000..U+E765) beside non-ASCII text: what a GBK
# decoder out of step makes of a trail byte and the next lead byte (今天唐\ue24d
# 芎茫\ue0e9: a stream that lost a byte, and another further on, which put it
# back in step with nothing ASCII to show where). Below U+E600, where icon
# fonts such as Alibaba's iconfont number their glyphs (首页\ue610 scraped
# from an <i class="iconfont">): AAA1..AFFE and F8A1..FEFE are all below it.
MISALIGNED_PUA_RE = re.compile(r"(?<=[^\x00-\x7f])[\ue000-\ue5ff]|[\ue000-\ue5ff](?=[^\x00-\x7f])")

# ...one between two other non-ASCII characters (not beside another one: a
# row of user-defined characters or icons, 设置\ue001\ue002完成)
THREADED_PUA_RE = re.compile(r"(?<=[^\x00-\x7f\ue000-\uf8ff])[\ue000-\ue5ff]"
                             r"(?=[^\x00-\x7f\ue000-\uf8ff])")


def misaligned_private_use(text: str, gap: int, skip=None) -> list[list[int]]:
    """Groups of `MISALIGNED_PUA_RE` characters in `text` (their code-point
    offsets, ascending) that a GBK run out of step threads through text:
    two at least in one line, each at most `gap` characters after the one
    before, with other text between at least once (a row of icons or of
    user-defined characters side by side, 设置\ue001\ue002, is no such
    run). `skip(offset)`, if given, leaves such characters out first."""
    marks = [m.start() for m in MISALIGNED_PUA_RE.finditer(text)
             if skip is None or not skip(m.start())]
    groups: list[list[int]] = []
    for k in marks:
        if groups and k - groups[-1][-1] <= gap and "\n" not in text[groups[-1][-1]:k]:
            groups[-1].append(k)
        else:
            groups.append([k])
    return [g for g in groups if any(b - a > 1 for a, b in zip(g, g[1:]))]


# An ASCII symbol squeezed between non-ASCII text and a Chinese clause or
# sentence mark: a misaligned GBK run whose last pair was a full-width form
# (lead byte 0xA3, folded to ASCII by the page) and whose next trail byte was
# lost or skipped by the decoder, which so fell back in step at the mark
# (保潔經;。 for 保潔經常化。: B3 lost, A3 BB is ；, AF skipped, A1 A3 is 。;
# samples/000_cc1ae68ad79e1051.txt). Letters and digits are left out (维生素C。
# is clean text), and so are quotes and brackets, which close a phrase before
# its mark (他说"好"。, 见附件)。).
SKIPPED_TRAIL_RE = re.compile(r"[!#-&*-/:-@\\^_|~](?<=[^\x00-\x7f].)(?=[。，、；：？！])")


# A non-ASCII character right before an ASCII letter or digit: where a
# misaligned GBK run may have taken the first letter of a Latin word as a
# trail byte (拿到offer losing 到's lead byte leaves 拿搅薿ffer).
EATEN_ASCII_RE = re.compile(r"[^\x00-\x7f](?=[A-Za-z0-9])")


def lost_runs(text: str) -> Iterator[tuple[int, int, str]]:
    """Runs where nothing survives: U+FFFD runs, 锟斤拷 chains, 烫烫烫 / 屯屯屯 fill.

    Yields:
        ``(start, end, matched text)``.
    """
    for m in chardata.LOST_RE.finditer(text):
        yield m.start(), m.end(), m.group()


def utf8_segments(pieces: list[bytes | None]) -> list[tuple[int, int]]:
    """Split a run into segments whose bytes are valid multi-byte UTF-8.

    Args:
        pieces: the bytes of each character of a run in the codec it was
            wrongly decoded with (one entry per code point); None for a
            U+FFFD, which stands for one byte the wrong decoder could not
            use: a UTF-8 continuation byte (0x80..0xBF) whose value is lost.

    Returns:
        ``(i, j)`` piece-index ranges, non-overlapping, sorted, each covering
        at least two pieces whose concatenated bytes are UTF-8, starting and
        ending with a multi-byte sequence, with character boundaries of both
        encodings falling together at `i` and `j`. Greedy, left to right
        (`utf8_core` narrows a segment to its CJK part).

    Source: the UTF-8 byte patterns of RFC 3629, section 4.
    """
    widths, follows, bounds = _utf8_layout(pieces)
    n = len(widths)
    at_boundary = {b: k for k, b in enumerate(bounds)}
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(pieces) - 1:
        if widths[bounds[i]] < 2:
            i += 1  # a segment starts with a multi-byte sequence
            continue
        pos = bounds[i]
        best = None
        prev_width = 0
        while pos < n:
            width = widths[pos]
            if width == 0 or pos + width > n or 0 in follows[pos + 1 : pos + width]:
                break
            pos += width
            k = at_boundary.get(pos)
            # End after a multi-byte sequence, or after one ASCII byte that a
            # GBK pair had swallowed as its trail (是x: E6 98 | AF 78 = 鏄疈).
            if k is not None and k - i >= 2 and (width >= 2 or prev_width >= 2):
                best = k
            prev_width = width
        if best is None:
            i += 1
            continue
        out.append((i, best))
        i = best
    return out


def utf8_core(pieces: list[bytes | None]) -> tuple[int, int] | None:
    """Narrow a UTF-8 segment to its first and last three- or four-byte
    sequences (what Chinese is made of in UTF-8), on piece boundaries.

    A greedy segment can swallow a clean neighbour whose GBK bytes happen to
    be a two-byte UTF-8 sequence (学 is D1 A7, UTF-8 for ѧ); the narrowed
    segment is offered beside it and the model chooses.

    Returns:
        ``(i, j)`` piece indices into `pieces`, or None when no narrower
        segment exists.
    """
    widths, _, bounds = _utf8_layout(pieces)
    n = len(widths)
    at_boundary = {b: k for k, b in enumerate(bounds)}
    pos, first, last = 0, None, None
    while pos < n:
        width = widths[pos] or 1
        if width >= 3:
            if first is None and pos in at_boundary:
                first = at_boundary[pos]
            if pos + width in at_boundary:
                last = at_boundary[pos + width]
        pos += width
    if first is None or last is None or last <= first or (first, last) == (0, len(pieces)):
        return None
    return first, last


def _tokens(pieces: list[bytes | None]) -> list[int | None]:
    """Bytes of the pieces in a row; None for an unknown byte (a U+FFFD
    piece), -1 for a character the wrong codec cannot encode (b"" piece),
    which no UTF-8 sequence crosses."""
    tokens: list[int | None] = []
    for p in pieces:
        if p is None:
            tokens.append(None)
        elif not p:
            tokens.append(-1)
        else:
            tokens.extend(p)
    return tokens


def _utf8_width(lead: int | None) -> int:
    """Length of the UTF-8 sequence `lead` starts; 0 if it starts none (an
    unknown byte is never taken for a lead)."""
    if lead is None or lead < 0:
        return 0
    if lead < 0x80:
        return 1
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


# `_utf8_width` and "may follow a lead" (a continuation byte 0x80..0xBF) of
# each byte value, as `bytes.translate` tables.
_WIDTH_TABLE = bytes(_utf8_width(b) for b in range(256))
_FOLLOWS_TABLE = bytes(1 if 0x80 <= b <= 0xBF else 0 for b in range(256))


def _utf8_layout(pieces: list[bytes | None]) -> tuple[bytes, bytes, list[int]]:
    """The pieces' tokens (`_tokens`) as what the UTF-8 scans read of them.

    Returns:
        ``(widths, follows, bounds)``: per token, `_utf8_width` of it and
        whether it may stand inside a sequence (1 for a continuation byte
        and for an unknown byte, 0 else), each as bytes of the tokens'
        length; and ``bounds[k]``, the token offset where piece k starts
        (``len(pieces) + 1`` entries, the last the number of tokens).
    """
    bounds = [0]
    if None in pieces or b"" in pieces:
        bounds += accumulate(len(p) if p else 1 for p in pieces)
        tokens = _tokens(pieces)
        widths = bytes(_utf8_width(t) for t in tokens)
        follows = bytes(1 if t is None or 0x80 <= t <= 0xBF else 0 for t in tokens)
        return widths, follows, bounds
    bounds += accumulate(map(len, pieces))
    raw = b"".join(pieces)
    return raw.translate(_WIDTH_TABLE), raw.translate(_FOLLOWS_TABLE), bounds


def cased_like_a_word(run: str) -> bool:
    """Whether the cased letters of `run` are all lower case, all upper
    case, or one capital followed by lower case: how words are written in
    the Latin, Greek and Cyrillic scripts, not what two byte codecs mixed
    make (лНЯЙБЮ, Москва's windows-1251 bytes read as KOI8-R)."""
    cased = [ch for ch in run if ch.lower() != ch.upper()]
    return (all(ch.islower() for ch in cased) or all(ch.isupper() for ch in cased)
            or (cased[0].isupper() and all(ch.islower() for ch in cased[1:])))


# Cyrillic vowels (Russian, Ukrainian, Belarusian, Serbian, Bulgarian).
_CYRILLIC_VOWELS = frozenset("аеёиоуыэюяіїєѣАЕЁИОУЫЭЮЯІЇЄ")


def cyrillic_spelling(word: str) -> bool:
    """Whether a Cyrillic `word` puts й only first or after a vowel, and ь ъ
    only after a consonant, never first (Russian orthography: й is a
    semivowel closing a syllable, ь ъ mark the consonant before them).
    Greek read as windows-1251 breaks these (και reads кбй)."""
    low = word.lower()
    for k, ch in enumerate(low):
        if ch == "й" and k > 0 and low[k - 1] not in _CYRILLIC_VOWELS:
            return False
        if ch in "ьъ" and (k == 0 or low[k - 1] in _CYRILLIC_VOWELS or low[k - 1] in "ьъ"):
            return False
    return True
