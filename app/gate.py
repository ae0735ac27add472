"""The clean-text fast path: which lines of a text may need a repair at all.

Every pass of the engine acts on one line at a time (a repair never crosses a
line break: a GBK decoder falls back into step at the ASCII newline byte, a
ruby annotation follows its character on the same line). This module finds
the lines where some pass could act, with a few compiled scans over the whole
text and no loop over characters in Python; the engine then searches only
those lines, and a text with none comes back untouched for little more than
the cost of the scans (issue 6; `benchmarks/speed.py` measures it).

A line is *suspect* when it holds any of these signals, each a necessary
condition of some repair (or of a ``lost`` report), stated as loosely as its
pass states it:

* ``odd_pair``: two odd characters at most two apart
  (`CharModel.odd_pair_re`): what every CJK round trip leaves (UTF-8 read as
  GBK or Big5, Big5 read as GBK, layered damage) and what a misaligned GBK
  decode makes (families ``utf8``, ``cjk``, ``realign``), unless both lie in
  dictionary words written there (涟漪, 忧心忡忡: `CharModel.in_word`; not a
  necessary condition, but one no case of the generated set or the tests
  breaks: gated and whole search give the same output on all of them); for
  ``utf8`` only where their GBK or Big5 bytes hold the head of a UTF-8
  sequence (`_holds_utf8`);
* ``latin_run``: two or more characters of a single-byte decode of bytes
  0x80..0xFF in a row (GBK/Big5/UTF-8 read as Latin-1 or cp1252: ``¡£`` is
  GBK's ``。``), unless every non-ASCII one is punctuation Chinese uses
  itself (``……``, ``——``, ``”“``);
* ``ftfy``: a character ftfy's badness measure is built from (its
  ``MOJIBAKE_CATEGORIES`` and Latin-1's upper half, less that punctuation)
  where ftfy's ``BADNESS_RE`` matches around it;
* ``annotation``: a reading in parentheses (pinyin letter or zhuyin after
  ``(`` or ``（``) or a tone-marked letter (``創chuàng建``);
* ``byte_loss``: U+FFFD, a symbol ``@[\\]^_`{|}~`` or a lone letter right
  after non-ASCII text, an ASCII symbol between non-ASCII text and a Chinese
  mark (`detect.SKIPPED_TRAIL_RE`), or an ASCII letter or digit after an odd
  character and three characters that read badly
  (`candidates.reads_badly_before`, `chardata.MIN_REALIGN_BITS_PER_CHAR`):
  the points of `engine._realign_points`;
* ``lost``: 锟斤拷, 烫烫烫, 屯屯屯 (`chardata.LOST_RE`);
* ``utf8_in_gbk``: three characters whose GBK bytes are two UTF-8
  sequences in a row, or one that swallowed an ASCII letter
  (`_utf8_in_gbk_pattern`; family ``utf8``);
* ``mark_mojibake``: what a wrong CJK decode makes of a punctuation mark
  (``ㄛ`` for ``，``: `_mark_mojibake`; ``锛`` for UTF-8's ``，``:
  `_utf8_mark_mojibake`); Greek or Cyrillic beside Han;
* ``minority_script``: a character of the text's minority script (GBK text
  read as Big5 is made of common Traditional characters, which no rarity
  measure flags; in Simplified text around it, it shows; Big5 read as GBK
  likewise): Simplified-only is in GB2312 and not in Big5, Traditional-only
  the reverse, by Python's codec tables;
* ``cp1251``, ``cp1250``, ``cp932``, ``cp949``: what a decode with the wrong
  codec of another script makes (`OTHER_SCRIPT_SIGNALS`: Cyrillic or
  Central European letters beside that code page's symbols, half-width
  katakana, hangul); the engine tests the same signal on every line before
  it tries those round trips.

Texts of at most `chardata.GATE_MIN_CHARS` characters are searched whole: a
title or a table cell holds too little text for these signals, and the full
search of it is cheap.
"""

from __future__ import annotations

import bisect
import re
import sys
import threading
import time

import ftfy.bad_codecs  # noqa: F401  (registers the sloppy codecs)
from ftfy import badness

from . import annotations, chardata, detect, escapes
from .candidates import reads_badly_before, run_reads_as_utf8
from .model import CharModel

# `detect.LATIN_RUN_RE`, two characters or more
LATIN_RUN_RE = re.compile(f"[{detect.LATIN_HIGH}][{detect.LATIN_HIGH}\\x40-\\x7e]+")
_PUNCT = frozenset(chardata.CHINESE_CP1252_PUNCT)

# Characters either side of an ftfy character looked at by its badness
# measure: BADNESS_RE's matches on ftfy's test cases and the corpus pages
# are at most 4 characters long, and this window finds every line of them
# that `badness.is_bad` finds (117 of 117).
FTFY_WINDOW = 4
_FTFY_CLASS_RE = re.compile("|".join(f"[{body}]" for body in badness.MOJIBAKE_CATEGORIES.values()))
_FTFY_CHARS = ({chr(c) for c in range(0x80, 0x10000) if _FTFY_CLASS_RE.match(chr(c))}
               | {chr(c) for c in range(0x80, 0x100)}) - _PUNCT
FTFY_CHAR_RE = re.compile("[" + "".join(re.escape(c) for c in sorted(_FTFY_CHARS)) + "]")
del _FTFY_CLASS_RE, _FTFY_CHARS

# A reading after a Han character: an opening parenthesis, then a lower-case
# pinyin letter or zhuyin (a capital is a name's gloss: 北京(Beijing)); or a
# tone-marked letter anywhere (創chuàng建).
OPEN_PAREN_RE = re.compile("[(（]")
_READING_START_RE = re.compile("[a-z\u00e0-\u00fc\u0101-\u01dc\u3105-\u312f\u31a0-\u31bf]")
TONE_MARK_RE = re.compile("[\u00e0-\u00f6\u00f8-\u00fc\u0101-\u01dc]")

# Where a line is cut into pieces searched on their own: after a full-width
# sentence mark, which mojibake and a misaligned GBK run swallow rather than
# show (GBK's 。 is A1 A3; UTF-8's is E3 80 82); and after a half-width ! or
# ?, bytes 0x21 and 0x3F, below every trail byte of GBK, Big5 and UTF-8, so
# that no double-byte or UTF-8 reading spans one, except where a Chinese mark
# follows: there a GBK lead byte may have lost its trail and left the ASCII
# byte after it (`detect.SKIPPED_TRAIL_RE`). Not ``;`` (it ends an HTML
# character reference, whose line's escapes are judged together) nor ``,``
# (a clause is too little text to judge ruby readings by: cut there, the
# real sample's 生態(tài)環(huán)境優(yōu)良 was left as it came). Pages with
# half-width punctuation (the real sample, forum posts) then search a
# sentence, not a paragraph, around a signal.
CUT_RE = re.compile("[。！？；]|[!?](?![。，、；：？！])")

# Each begins with the ASCII character and looks behind, so that the regex
# engine skips ahead over Han text to ASCII.
SYMBOL_AFTER_TEXT_RE = re.compile(r"[@\[\\\]^_`{|}~](?<=[^\x00-\x7f].)")
LONE_LETTER_RE = re.compile(r"[A-Za-z](?<=[^\x00-\x7f].)(?=[^\x00-\x7f]|$)", re.MULTILINE)
# A letter opening the text before non-ASCII text (`detect.LONE_LETTER_RE`'s
# other branch): only at the start of the whole text, also in `finditer`.
FIRST_LONE_LETTER_RE = re.compile(r"\A[A-Za-z](?=[^\x00-\x7f]|$)", re.MULTILINE)
FFFD_RE = re.compile("\ufffd")

LOST_HINT_RE = re.compile("[锟烫屯拷]")

# Greek or Cyrillic beside a Han character: GBK's rows 6 and 7, where Big5
# lead bytes 0xA6/0xA7 land (叫荷Ν碞洛 for 叫盡早就醫).
GREEK_RE = re.compile("[\u0391-\u03c9\u0400-\u045f]")

FAMILIES = ("utf8", "cjk", "latin", "ftfy", "realign", "annotation", "lost", "escape",
            "cp1251", "cp1250", "cp932", "cp949")


def _class(chars) -> str:
    return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"


def _letter_beside(letters: set[str], chars: set[str], alone: bool = False) -> _Led:
    """A letter of `letters` and a character of `chars` next to each other,
    or with one ASCII character 0x40..0x7E between (a GBK or Big5 trail
    byte in the ASCII range reads as itself); with `alone`, also a letter of
    `letters` outside a word of them followed by such an ASCII character:
    one double-byte character alone, whose lead byte the single-byte codec
    reads as a letter and whose trail byte stays ASCII (Big5 ，。、 are
    A1 41, A1 43, A1 42: ``ЎA`` ``ЎC`` ``ЎB`` through cp1251, in
    ``158.62ЎA缴费`` or ``3ЎBtimeout``); or one of `chardata.WESTERN_SYMBOLS`
    among `chars` so followed (Big5 在 is A6 62: ``¦b``). Not a symbol Chinese
    text writes so followed: ``30°C`` is clean. Only for Cyrillic: cp1250's
    letters (ě š ł) stand before ASCII letters in every Czech or Polish
    word."""
    a, b = _class(letters), _class(chars)
    lone = ""
    if alone:
        lone = f"|(?<!{a}){a}[\x40-\x7e]"
        western = chardata.WESTERN_SYMBOLS & chars
        if western:  # a character of `chars` too: the matches still begin with one
            lone += f"|{_class(western)}[\x40-\x7e]"
    return _Led(re.compile(f"{a}[\x40-\x7e]?{b}|{b}[\x40-\x7e]?{a}{lone}"), re.compile(b))


class _Led:
    """A regex each of whose matches begins with a character of the class
    `first` (which the text rarely holds): searched from the first such
    character on. Python's regex engine skips ahead fast only to a pattern's
    one leading class, not through an alternation of them (cp1251's signal:
    2.1 ms on a clean 100 KB page, its leading class 0.2 ms). `search` and
    `finditer` take what `re.Pattern`'s do and give the same matches."""

    def __init__(self, pattern: re.Pattern[str], first: re.Pattern[str]):
        self.pattern = pattern
        self.first = first

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        lead = self.first.search(text, pos, endpos)
        return None if lead is None else self.pattern.search(text, lead.start(), endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize):
        while (m := self.search(text, pos, endpos)) is not None:
            yield m
            pos = max(m.end(), m.start() + 1)


# What a single-byte decode with cp1251 or cp1250 makes of bytes 0x80..0xFF,
# less the punctuation Chinese text uses itself (…—“”) and the no-break space.
_CP1251_CHARS = chardata.single_byte_leftovers("sloppy-windows-1251")
_CP1250_CHARS = chardata.single_byte_leftovers("sloppy-windows-1250")

def _pairs(codec: str, leads, trails) -> list[str]:
    """The characters `codec` decodes each two-byte sequence (lead, trail) to."""
    out = []
    for lead in leads:
        for trail in trails:
            try:
                out.append(bytes((lead, trail)).decode(codec))
            except UnicodeDecodeError:
                continue
    return out


def _char_class(chars: list[str]) -> str:
    """A regex character class of `chars`, as ranges."""
    ranges: list[list[int]] = []
    for cp in sorted(map(ord, chars)):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return "[" + "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in ranges) + "]"


def _cp932_utf8_pattern() -> re.Pattern[str]:
    """The pattern of cp932's signal (`_CP932_SIGNAL`): one character of
    `chardata.CP932_SINGLE_BYTE_RE`, or two characters whose cp932 bytes
    are a UTF-8 three-byte sequence of a CJK ideograph and the lead byte of
    the next three-byte sequence: a pair (E4..E9, 80..BF) (U+4000..U+9FFF's
    lead byte and first continuation byte, RFC 3629), then a pair (81..9F,
    E2..E9 or EF) (the last continuation byte read as a lead, and a lead of
    punctuation, an ideograph or a full-width form after it). UTF-8 Chinese
    read as cp932 shows one or the other: its continuation bytes 80, A0..BF
    come out as the single-byte characters; where every one of them is
    81..9F, they pair, and a three-byte sequence that starts a character
    (as every run after ASCII does, and every second one in a run) is the
    first pair (刚才 is E5 88 9A E6 89 8D: 蛻壽燕, 蛻壽 the match), its
    neighbour the second when a Chinese character or mark follows. One
    UTF-8 character alone between ASCII is left out: too little evidence.

    Clean text rarely holds it: the first pair is a level-2 kanji of rows
    E4..E9 (范 讓 關 體), the second a level-1 kanji or kana whose trail
    byte is E2..E9 or EF (我 懷 台): 39 of 10,702 lines of the Chinese
    corpus pages (讓我, 關懷, 范大), none of their 1,627 Japanese lines;
    and the signal takes a two-character match only in a run that decodes
    as UTF-8 whole (`candidates.run_reads_as_utf8`), which none of those 39
    holds (one has the signal by its half-width ､). Written to begin with
    one class, so that the regex engine skips ahead to it (as fast as the
    single-byte class alone on 100 KB of clean text).

    Source: RFC 3629's byte patterns and Python's ``cp932`` codec table."""
    single = chardata.CP932_SINGLE_BYTE_RE.pattern[1:-1]
    lead = _pairs("cp932", range(0xE4, 0xEA), range(0x80, 0xC0))
    last = _pairs("cp932", range(0x81, 0xA0), [*range(0xE2, 0xEA), 0xEF])
    lead_class = _char_class(lead)
    return re.compile(f"[{single}{lead_class[1:-1]}]"
                      f"(?:(?<=[{single}])|(?<={lead_class}){_char_class(last)})")


class _Accepted:
    """A regex whose matches count only where `accept(match)` holds;
    `search` and `finditer` take what `re.Pattern`'s do and give those
    matches alone."""

    def __init__(self, pattern: re.Pattern[str], accept):
        self.pattern = pattern
        self.accept = accept

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        while (m := self.pattern.search(text, pos, endpos)) is not None:
            if self.accept(m):
                return m
            pos = m.start() + 1
        return None

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize):
        while (m := self.search(text, pos, endpos)) is not None:
            yield m
            pos = max(m.end(), m.start() + 1)


# cp932's signal: a single byte's character, or the two characters of a
# UTF-8 character in a run of the reading that decodes as UTF-8 whole
# (`candidates.run_reads_as_utf8`: only such a run is repaired where no
# single byte shows, `candidates._part_of_kanji_run`).
_CP932_SIGNAL = _Accepted(_cp932_utf8_pattern(), lambda m: m.end() - m.start() == 1
                          or run_reads_as_utf8(m.string, m.start()))


# Signals of the round trips through the wrong codecs of other scripts
# (`chardata.OTHER_SCRIPT_ROUND_TRIPS`), by wrong codec: (family, pattern).
# Each is a necessary condition of its round trip's repair, and the engine
# tests it on every line before trying the round trip (`engine._round_trip_pass`),
# short texts too, so that a text without it costs nothing more:
#
# * ``cp1251``: a Cyrillic letter beside another character cp1251 makes of
#   bytes 0x80..0xFF. A UTF-8 lead byte of a Chinese character (0xE3..0xE9)
#   is a Cyrillic letter (г..й), its continuation bytes (0x80..0xBF) are
#   cp1251's symbols and rarer letters (€›»Ѕ®¶); GBK and Big5 lead bytes
#   0xC0.. are Cyrillic letters too.
# * ``cp1250``: likewise a letter of cp1250's upper half (ĺ ć ä Ľ Ň ...).
# * ``cp932``: a half-width katakana (U+FF61..U+FF9F: bytes 0xA1..0xDF alone),
#   what a Shift_JIS decode makes of UTF-8 continuation bytes and of GBK and
#   Big5 lead bytes 0xA1..0xDF between its kanji, or what cp932 makes of the
#   other single bytes (U+0080, U+F8F0..U+F8F3: `chardata.CP932_SINGLE_BYTE_RE`);
#   or, where the reading holds only kanji and symbols (刚才 as 蛻壽燕), two
#   characters whose bytes are a UTF-8 Chinese character's three and the
#   lead byte of the next (`_cp932_utf8_pattern`).
# * ``cp949``: a hangul syllable or jamo: what an EUC-KR decode makes of GBK
#   and Big5 pairs with lead bytes 0xA4 and 0xB0..0xC8, and of UTF-8 bytes.
OTHER_SCRIPT_SIGNALS: dict[str, tuple[str, re.Pattern[str] | _Led | _Accepted]] = {
    "sloppy-windows-1251": ("cp1251", _letter_beside(
        {c for c in _CP1251_CHARS if c.isalpha()}, _CP1251_CHARS, alone=True)),
    "sloppy-windows-1250": ("cp1250", _letter_beside(
        {c for c in _CP1250_CHARS if c.isalpha()}, _CP1250_CHARS)),
    "cp932": ("cp932", _CP932_SIGNAL),
    "shift_jis": ("cp932", _CP932_SIGNAL),
    "web-shift_jis": ("cp932", _CP932_SIGNAL),
    "cp949": ("cp949", chardata.HANGUL_OR_JAMO_RE),
}
# family -> its signal, once each
OTHER_SCRIPT_FAMILY_SIGNALS: dict[str, re.Pattern[str] | _Led | _Accepted] = {
    family: pattern for family, pattern in OTHER_SCRIPT_SIGNALS.values()}


def mask_readings(text: str) -> str:
    """`text` with each flattened ruby reading the annotation pass would
    look at (`annotations.ANNOTATION_RE`: ``創(chuàng)`` keeps its
    parentheses; `annotations.BARE_RE`: ``創chuàng建``) replaced by as many
    spaces, so that offsets stay; `text` itself (the same object) when it
    holds no parenthesis or tone mark. Which readings the annotation pass
    then removes is its own decision; the gate only stops counting tone
    marks and pinyin letters as signals of other damage."""
    # Only where a reading can begin: a parenthesis after a Han character
    # (`annotations.ANNOTATION_RE`'s matches begin there), or a line with a
    # tone mark (`annotations.BARE_RE`'s readings hold one and never cross a
    # line break). The readings' own patterns look behind first and cost ten
    # times as much as these scans over a whole page.
    parens = [m.start() for m in _PAREN_AFTER_HAN_RE.finditer(text)]
    toned = [m.start() for m in _line_firsts(text, TONE_MARK_RE)]
    if not parens and not toned:
        return text
    parts, pos = [], 0
    for p in parens:
        m = annotations.ANNOTATION_RE.match(text, p)
        if m is not None and p >= pos:
            parts += [text[pos:p], m.group()[0], " " * (len(m.group()) - 2), m.group()[-1]]
            pos = m.end()
    parts.append(text[pos:])
    masked = "".join(parts)
    parts, pos = [], 0
    for p in toned:
        start = masked.rfind("\n", 0, p) + 1
        end = _line_end(masked, p)
        parts += [masked[pos:start],
                  annotations.BARE_RE.sub(lambda m: " " * len(m.group()), masked[start:end])]
        pos = end
    parts.append(masked[pos:])
    return "".join(parts)


# A parenthesis right after a Han character, where `annotations.ANNOTATION_RE`
# matches begin (its look-behind, checked after the rarer parenthesis).
_PAREN_AFTER_HAN_RE = re.compile(f"[(（](?<={chardata.HAN_RE.pattern}.)")


def _line_firsts(text: str, pattern: re.Pattern[str]):
    """The first match of `pattern` on each line of `text` where it matches."""
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        yield m
        pos = _line_end(text, m.start()) + 1


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


def _reading_after(text: str, m: re.Match) -> bool:
    return (m.start() > 0 and chardata.HAN_RE.match(text, m.start() - 1) is not None
            and _READING_START_RE.match(text, m.end()) is not None)


def _beside_han(text: str, pos: int) -> bool:
    return any(chardata.HAN_RE.match(text, k) for k in (pos - 1, pos + 1) if 0 <= k < len(text))

# Symbols that decorate Chinese web pages themselves (ratings, bullets), though
# a wrong decode also makes them of 「」《》『』…: not a signal alone.
PAGE_SYMBOLS = "※▲◎◇◆☆★＃＊＆"


class Gate:
    """The compiled scans for one language model (see the module docstring).

    Build once per process with `get_gate`.
    """

    def __init__(self, model: CharModel):
        self.model = model
        self.odd_pair_re = model.odd_pair_re
        simplified, traditional = _script_only_chars()
        self.simplified_re = re.compile(_char_class(simplified))
        self.traditional_re = re.compile(_char_class(traditional))
        self.mark_mojibake_re = re.compile(_char_class(_mark_mojibake()))
        self.utf8_in_gbk_re = re.compile(_utf8_in_gbk_pattern())
        self.latin1_in_gbk_re = re.compile(_latin1_in_gbk_pattern())
        self.utf8_mark_re = re.compile(_char_class(_utf8_mark_mojibake()))
        self._char_signal_cache: dict = {}
        self._union_cache: dict[tuple[str, ...], re.Pattern[str]] = {}
        odd = model.odd_class
        # An odd character shortly before an ASCII letter or digit: where a
        # misaligned GBK run meets the ASCII byte that ends it.
        self.odd_before_ascii_re = re.compile(f"{odd}[^\\x00-\\x7f\\n]{{0,2}}[A-Za-z0-9]")
        # Tests a match of a signal must pass, in `suspect_lines` and
        # `suspect_pieces` alike: a Latin-1 run is not only the punctuation
        # Chinese uses itself; a parenthesis opens a reading after a Han
        # character; an odd pair of characters in dictionary
        # words is not mojibake; an ASCII letter or digit after odd text is a
        # byte-loss point only where the text before it reads badly, the
        # engine's own test (`candidates.reads_badly_before`; a letter alone
        # between non-ASCII characters is `LONE_LETTER_RE`'s signal).
        self._accept = {
            self.odd_pair_re: lambda m: not self._in_words(m),
            self.odd_before_ascii_re: lambda m: reads_badly_before(m.string, m.end() - 1, model),
            LATIN_RUN_RE: lambda m: any(c not in _PUNCT for c in m.group() if c >= "\x80"),
            OPEN_PAREN_RE: lambda m: _reading_after(m.string, m),
        }
        # ...and for the utf8 family, an odd pair also holds what UTF-8 read
        # as GBK or Big5 leaves (`_holds_utf8`).
        self._utf8_odd_pair = lambda m: _holds_utf8(m.group()) and not self._in_words(m)

    def suspect_lines(self, text: str, minority: tuple[re.Pattern[str], ...] | None = None,
                      masked: str | None = None) -> list[tuple[int, int, frozenset[str]]]:
        """Lines of `text` where some pass of the engine could act, and which.

        Args:
            text: the text to repair.
            minority: the classes of its minority script (`_minority`),
                if already known.
            masked: `mask_readings` of `text`, if already made.

        Returns:
            ``(start, end, families)`` for each suspect line: code-point
            offsets into `text`, without the line break, sorted and disjoint;
            `families` names the passes that may act there: ``utf8`` (UTF-8
            read as a CJK codec), ``cjk`` (round trips between CJK codecs),
            ``latin`` (round trips through
            single-byte codecs), ``ftfy``, ``realign`` (byte loss),
            ``annotation``, ``lost``, ``escape`` (`escapes.escape_signal`).
        """
        found: dict[str, set[int]] = {f: set() for f in FAMILIES}
        scan = self._scan
        cjk, utf8, realign = found["cjk"], found["utf8"], found["realign"]
        # The annotation family is found on the text as it is; every other
        # signal on the text with its flattened ruby readings blanked out
        # (tone-marked pinyin is not Latin-1 mojibake, nor its letters after
        # a Han character a GBK stream's fallen-out bytes).
        unmasked = text
        text = mask_readings(text) if masked is None else masked
        if text is not unmasked:
            scan(unmasked, TONE_MARK_RE, found["annotation"])
        self._scan_chars(text, found, minority or self._minority(text))
        scan(text, self.odd_pair_re, cjk, accept=self._accept[self.odd_pair_re])
        scan(text, self.odd_pair_re, utf8, accept=self._utf8_odd_pair)
        scan(text, self.utf8_in_gbk_re, utf8)
        scan(text, self.latin1_in_gbk_re, utf8)
        scan(text, LATIN_RUN_RE, found["latin"], accept=self._accept[LATIN_RUN_RE])
        scan(unmasked, OPEN_PAREN_RE, found["annotation"], accept=self._accept[OPEN_PAREN_RE])
        realign |= cjk | utf8  # misaligned GBK makes the same odd characters
        scan(text, SYMBOL_AFTER_TEXT_RE, realign)
        scan(text, LONE_LETTER_RE, realign)
        scan(text, detect.SKIPPED_TRAIL_RE, realign)
        if FIRST_LONE_LETTER_RE.match(text):
            realign.add(0)
        scan(text, self.odd_before_ascii_re, realign, accept=self._accept[self.odd_before_ascii_re])
        scan(text, escapes.escape_signal(text), found["escape"])
        for family, pattern in OTHER_SCRIPT_FAMILY_SIGNALS.items():
            scan(text, pattern, found[family])
        by_start: dict[int, set[str]] = {}
        for family, starts in found.items():
            for start in starts:
                by_start.setdefault(start, set()).add(family)
        out = []
        for start in sorted(by_start):
            end = text.find("\n", start)
            out.append((start, len(text) if end < 0 else end, frozenset(by_start[start])))
        return out

    def suspect_pieces(self, text: str, deadline: float | None = None
                       ) -> list[tuple[int, int, frozenset[str]]]:
        """`suspect_lines`, each cut after its sentence marks
        (`CUT_RE`) into units, keeping the units where a signal matched, each
        with the families whose signals matched there; neighbouring units
        join into pieces of at most `chardata.GATE_MAX_PIECE` characters (a
        unit longer than that stays whole: a cut inside one could split a
        mojibake run, which has no sentence mark of its own). A line of at
        most that length with the ``annotation`` or ``escape`` family stays
        whole: whether a paragraph teaches pronunciation, or a line shows
        code or talks about escaping, is judged on all of it.

        Args:
            text: the text to repair.
            deadline: a `time.monotonic()` value; past it, the lines not yet
                cut into pieces are left out (the engine's search, which
                checks the same deadline, then stops at once). None: none.

        Returns:
            ``(start, end, families)``: code-point offsets into `text`,
            sorted and disjoint, each within one line.
        """
        out = []
        minority = self._minority(text)
        patterns = self._family_patterns(text, minority)
        masked = mask_readings(text)
        for start, end, families in self.suspect_lines(text, minority, masked):
            if deadline is not None and time.monotonic() >= deadline:
                break
            if families & {"annotation", "escape"} and end - start <= chardata.GATE_MAX_PIECE:
                out.append((start, end, families))
                continue
            cuts = [start] + [m.end() for m in CUT_RE.finditer(text, start, end)]
            if cuts[-1] != end:
                cuts.append(end)
            # unit k (cuts[k]..cuts[k + 1]) -> the families whose signals hit it
            hit: dict[int, set[str]] = {}
            for family in families:
                where = text if family == "annotation" else masked
                for pattern in patterns[family]:
                    accept = (self._utf8_odd_pair if family == "utf8" and pattern is self.odd_pair_re
                              else self._accept.get(pattern))
                    for m in pattern.finditer(where, start, end):
                        p, q = m.start(), max(m.end(), m.start() + 1)
                        first = bisect.bisect_right(cuts, p) - 1
                        last = min(max(first, bisect.bisect_left(cuts, q) - 1), len(cuts) - 2)
                        if family == "realign":
                            # A misaligned GBK run can make a sentence mark of
                            # its own bytes (iPhone；た� for iPhone保护壳): the
                            # unit before is searched for byte loss too.
                            first = max(0, first - 1)
                        units = range(first, last + 1)
                        if accept is not None and (
                                all(family in hit.get(k, ()) for k in units) or not accept(m)):
                            continue  # nothing to add, or not a signal: no test run
                        for k in units:
                            hit.setdefault(k, set()).add(family)
            piece: list | None = None
            for k in sorted(hit):
                a, b = cuts[k], cuts[k + 1]
                if piece and piece[1] == a and b - piece[0] <= chardata.GATE_MAX_PIECE:
                    piece[1] = b
                    piece[2] |= hit[k]
                else:
                    if piece:
                        out.append((piece[0], piece[1], frozenset(piece[2])))
                    piece = [a, b, set(hit[k])]
            if piece:
                out.append((piece[0], piece[1], frozenset(piece[2])))
        return out

    def _family_patterns(self, text: str, minority: tuple[re.Pattern[str], ...]
                         ) -> dict[str, list[re.Pattern[str]]]:
        """The signals of each family in `text`, with `minority`'s script
        classes."""
        cjk = [self.odd_pair_re, self.mark_mojibake_re, GREEK_RE, *minority]
        utf8 = [self.odd_pair_re, self.utf8_in_gbk_re, self.latin1_in_gbk_re, self.utf8_mark_re]
        return {
            "cjk": cjk,
            "utf8": utf8,
            "realign": cjk + utf8 + [FFFD_RE, SYMBOL_AFTER_TEXT_RE, LONE_LETTER_RE,
                                     FIRST_LONE_LETTER_RE, detect.SKIPPED_TRAIL_RE,
                                     self.odd_before_ascii_re],
            "latin": [LATIN_RUN_RE],
            "ftfy": [FTFY_CHAR_RE],
            "lost": [LOST_HINT_RE],
            "annotation": [OPEN_PAREN_RE, TONE_MARK_RE],
            "escape": [escapes.escape_signal(text)],
            **{family: [pattern] for family, pattern in OTHER_SCRIPT_FAMILY_SIGNALS.items()},
        }

    def _in_words(self, m: re.Match[str]) -> bool:
        """Whether both odd characters of an `odd_pair_re` match lie in
        dictionary words written there (`CharModel.in_word`): 涟漪, 忧心忡忡,
        闽语、粤语 are rare characters in words, not mojibake, whose runs
        (鏁版嵁, 鍙戝竷) chain odd characters no dictionary lists."""
        return self.model.in_word(m.string, m.start()) and self.model.in_word(m.string,
                                                                              m.end() - 1)

    @staticmethod
    def _scan(text: str, pattern: re.Pattern[str], starts: set[int], accept=None) -> None:
        """Add to `starts` the start of each line where `pattern` matches and
        `accept(match)` (if given) holds; lines already in `starts` are
        skipped."""
        pos = 0
        n = len(text)
        while pos < n:
            m = pattern.search(text, pos)
            if m is None:
                return
            start = text.rfind("\n", 0, m.start()) + 1
            end = text.find("\n", m.start())
            end = n if end < 0 else end
            if start in starts:
                pos = end + 1
            elif accept is not None and not accept(m):
                pos = m.start() + 1
            else:
                starts.add(start)
                pos = end + 1

    def _minority(self, text: str) -> tuple[re.Pattern[str], ...]:
        """The classes of the text's minority script (Simplified-only or
        Traditional-only, judged on the first `chardata.GATE_SCRIPT_SAMPLE`
        characters; both, when that sample holds fewer than
        `chardata.GATE_SCRIPT_MIN` of either)."""
        sample = text[: chardata.GATE_SCRIPT_SAMPLE]
        simplified = len(self.simplified_re.findall(sample))
        traditional = len(self.traditional_re.findall(sample))
        if max(simplified, traditional) < chardata.GATE_SCRIPT_MIN:
            return (self.simplified_re, self.traditional_re)
        if simplified >= traditional:
            return (self.traditional_re,)
        return (self.simplified_re,)

    def _scan_chars(self, text: str, found: dict[str, set[int]],
                    minority: tuple[re.Pattern[str], ...]) -> None:
        """The one-character signals in scans of their union: each hit is
        tried against each signal's class (and test) and its line added to
        that signal's family; the rest of a line is scanned for the signals
        whose family it is not yet in (garbled text is a hit every
        character), and not at all once it is in all of them."""
        union, tests = self._char_signals(minority)
        pos, n = 0, len(text)
        while pos < n:
            m = union.search(text, pos)
            if m is None:
                return
            p = m.start()
            start = text.rfind("\n", 0, p) + 1
            end = _line_end(text, p)
            remaining = tests
            while remaining:
                for family, pattern, test in remaining:
                    if start not in found[family] and pattern.match(text, p) and (
                            test is None or test(text, p, start)):
                        found[family].add(start)
                left = tuple(t for t in remaining if start not in found[t[0]])
                if left != remaining:
                    remaining = left
                    if not remaining:
                        break
                m = self._union_of(remaining).search(text, p + 1, end)
                if m is None:
                    break
                p = m.start()
            pos = end + 1

    def _union_of(self, tests: tuple) -> re.Pattern[str]:
        """One regex for the classes of `tests` (cached)."""
        key = tuple(pattern.pattern for _, pattern, _ in tests)
        union = self._union_cache.get(key)
        if union is None:
            union = self._union_cache[key] = re.compile("|".join(key))
        return union

    def _char_signals(self, minority: tuple[re.Pattern[str], ...]):
        """(union regex, [(family, class regex, test or None)]) for the
        one-character signals, with `minority`'s classes; built once per
        choice of minority."""
        key = tuple(p.pattern for p in minority)
        if key not in self._char_signal_cache:
            tests = [
                ("utf8", self.utf8_mark_re, None),
                ("cjk", self.mark_mojibake_re, None),
                ("cjk", GREEK_RE, lambda t, p, _: _beside_han(t, p)),
                *[("cjk", c, None) for c in minority],
                ("ftfy", FTFY_CHAR_RE, lambda t, p, _: badness.BADNESS_RE.search(
                    t, max(0, p - FTFY_WINDOW), p + 1 + FTFY_WINDOW) is not None),
                ("annotation", TONE_MARK_RE, None),
                ("realign", FFFD_RE, None),
                ("lost", LOST_HINT_RE, lambda t, p, start: chardata.LOST_RE.search(
                    t, start, _line_end(t, p)) is not None),
            ]
            tests = tuple(tests)
            # A branch of one-character classes compiles to one class.
            self._char_signal_cache[key] = (self._union_of(tests), tests)
        return self._char_signal_cache[key]



# A UTF-8 lead byte and a continuation byte: the start of a three- or
# four-byte sequence (RFC 3629: Chinese, emoji), or of a two-byte one of
# Latin-1's upper half (C2, C3: UTF-8 read as Latin-1, then again as UTF-8
# read as GBK, 脢媒 for 数 through ÊÝ).
_UTF8_HEAD_BYTES_RE = re.compile(rb"[\xc2\xc3\xe0-\xf4][\x80-\xbf]")


def _holds_utf8(chars: str) -> bool:
    """Whether the GBK or Big5 bytes of `chars` hold the start of a UTF-8
    sequence, or `chars` a U+FFFD or a private-use character (what a GBK or
    Big5 decoder makes of the bytes it cannot pair): UTF-8 read as GBK or
    Big5 leaves nothing else (鏁 is E6 95, 涓� is E4 B8 then a lost byte,
    脢 is C3 A2).
    Rare characters of clean text mostly fail it (焯撇: EC CC, C6 B2)."""
    if "\ufffd" in chars or chardata.PRIVATE_USE_RE.search(chars):
        return True
    return any(_UTF8_HEAD_BYTES_RE.search(chars.encode(codec, "ignore"))
               for codec in ("gb18030", "big5hkscs"))


def _script_only_chars() -> tuple[list[str], list[str]]:
    """Han characters only GB2312 encodes, and only Big5 encodes.

    Source: Python's ``gb2312`` and ``big5`` codecs (the GB 2312-80 and Big5
    (CP950 base) tables), enumerated over their double-byte code spaces.
    """
    gb = {c for c in _pairs("gb2312", range(0xB0, 0xF8), range(0xA1, 0xFF))
          if chardata.HAN_RE.match(c)}
    big5 = {c for c in _pairs("big5", range(0xA4, 0xFA), [*range(0x40, 0x7F), *range(0xA1, 0xFF)])
            if chardata.HAN_RE.match(c)}
    return sorted(gb - big5), sorted(big5 - gb)


def _mark_mojibake() -> list[str]:
    """What GBK read as Big5, and Big5 read as GBK, make of the punctuation
    marks Chinese text uses (`chardata.PUNCT_SHARES`): ``，`` -> ``ㄛ``,
    ``。`` -> ``﹝``, less `PAGE_SYMBOLS` and the marks themselves.

    Source: Python's ``gbk`` and ``big5`` codec tables."""
    out = set()
    for mark in chardata.PUNCT_SHARES:
        for right, wrong in (("gbk", "big5"), ("big5", "gbk")):
            try:
                out.add(mark.encode(right).decode(wrong))
            except UnicodeError:
                continue
    return sorted(c for c in out if len(c) == 1 and c not in PAGE_SYMBOLS
                  and c not in chardata.PUNCT_SHARES)


def _utf8_mark_mojibake() -> list[str]:
    """The first character UTF-8 read as GBK makes of each punctuation mark
    of `chardata.PUNCT_SHARES`: 锛 (full-width forms, EF BC), 銆 (CJK
    symbols, E3 80), 鈥 (general punctuation, E2 80): a one-character
    mojibake (锛� for ，) has no other sign.

    Source: Python's ``utf-8`` and ``gbk`` codecs."""
    out = set()
    for mark in chardata.PUNCT_SHARES:
        if len(mark.encode("utf-8")) != 3:
            continue  # · is C2 B7, GBK's 路: a common character, not a sign
        first = mark.encode("utf-8").decode("gbk", "replace")[:1]
        if first != "\ufffd" and first not in chardata.PUNCT_SHARES:
            out.add(first)
    return sorted(out)


def _utf8_in_gbk_pattern() -> str:
    """Three characters whose GBK bytes hold two UTF-8 three-byte sequences
    in a row: UTF-8 Chinese read as GBK, aligned (``E6 95 | B0 E6 | 8D AE``:
    lead+continuation, continuation+lead, continuation+continuation, as in
    鏁版嵁) or a byte out of step (continuation+continuation, then
    lead+continuation, continuation+lead). A one-character mojibake is left
    to ``odd_pair``.

    Source: RFC 3629's byte patterns and Python's ``gbk`` codec table."""
    def chars(leads: range, trails: range) -> str:
        return _char_class(_pairs("gbk", leads, trails))

    lead_cont = chars(range(0xE0, 0xF0), range(0x80, 0xC0))
    cont_lead = chars(range(0x81, 0xC0), range(0xE0, 0xF0))
    cont_cont = chars(range(0x81, 0xC0), range(0x80, 0xC0))
    # ...or one sequence whose last byte took an ASCII letter as its trail
    # (是x: E6 98 | AF 78 = 鏄痻, the x gone from the text).
    cont_ascii = chars(range(0x81, 0xC0), range(0x41, 0x7B))
    # Written to begin with lead_cont, the rarest class, so that the regex
    # engine skips ahead to it; the out-of-step form looks behind.
    # ...or a browser's GBK (app/webcodecs.py), where a continuation byte
    # 0x80 alone shows as € (涓€ for 一).
    return (f"{lead_cont}(?:{cont_lead}{cont_cont}|(?<={cont_cont}{lead_cont}){cont_lead}"
            f"|{cont_ascii}(?=[A-Za-z])|\u20ac)")


def _latin1_in_gbk_pattern() -> str:
    """Two characters in a row whose GBK bytes are UTF-8 of Latin-1's upper
    half (C2 80..C3 BF): mojibake made twice through Latin-1 and read as GBK
    the second time (数据 is 忙聲掳忙聧庐, GBK ， is 拢卢), whose every
    character but ASCII is such a pair; or with one ASCII character 0x40..0x7E
    between, the first layer's trail byte in the ASCII range (GBK 營業 is
    A0 49 98 49: 聽I聵I). Clean text holds a few such pairs (忙碌): a signal
    to search the piece, no more.

    Source: RFC 3629's byte patterns and Python's ``gbk`` codec table."""
    both = _char_class(_pairs("gbk", range(0xC2, 0xC4), range(0x80, 0xC0)))
    return f"{both}[\x40-\x7e]?{both}"


_lock = threading.Lock()
_gate: Gate | None = None


def get_gate() -> Gate:
    """The process-wide `Gate`, built on first call from `model.get_model`
    (tens of milliseconds; the service builds it before it reports ready)."""
    global _gate
    if _gate is None:
        with _lock:
            if _gate is None:
                from .model import get_model

                _gate = Gate(get_model())
    return _gate



