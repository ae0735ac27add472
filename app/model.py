"""A Chinese language model: how Chinese does a string look?

Data: jieba's dictionary (``jieba/dict.txt`` in the ``jieba`` package, MIT
licence): 349,046 words with corpus frequencies, 99.9 million character
occurrences over 12,045 distinct characters. Why jieba's dictionary: Simplified
Chinese with real frequencies, shipped inside a well-kept, permissively
licensed package (no download at run time), covering GB2312 levels 1 and 2.
wordfreq's Chinese list would do too but carries CC BY-SA.

Two views of it:

* `CharModel.cost`: the cheapest segmentation of a string into dictionary
  words, punctuation marks and single characters (dynamic programming over
  words of up to `MAX_WORD_LEN` characters): the main score.
* `CharModel.char_bits`: a character bigram for fast local decisions (which
  lost byte to guess, gates): within-word pairs with Witten-Bell smoothing,
  and across word boundaries the word-final and word-initial shares.

A word list knows nothing of punctuation or sentence boundaries: the
punctuation statistics (share of marks among tokens, each mark's share, which
mark follows which) were measured on running text, People's Daily of January
1998, by ``scripts/measure_punctuation.py`` (tables in `chardata`). Other
non-Han characters are scored by class (`CLASS_BITS`), with a cost for
switching script next to a Han character; a run of hangul, kana or Cyrillic
letters that reads as words of its language (wordfreq's lists,
`lexicons.Lexicon`) may be priced as those words instead.

Traditional text is scored after a character-by-character OpenCC ``t2s``
mapping, so 區 scores as 区. Scoring unit: bits (``-log2 P``), lower is more
Chinese-like. The model is built once per process (`get_model`, about a
second) before the service reports ready.
"""

from __future__ import annotations

import math
import os
import re
import threading
import unicodedata
from array import array
from collections import Counter
from functools import lru_cache

from . import chardata
from .lexicons import Lexicon, script_of

# Size of the Han character space the unigram is smoothed over: CJK Unified
# Ideographs (20,992) plus Extension A (6,592), Unicode 15.
HAN_SPACE = 20992 + 6592
# Additive smoothing constant for unseen characters (Lidstone, k = 0.5,
# "expected likelihood estimation"); an unseen Han character costs
# about log2(N / 0.5) = 27.6 bits, a rare seen one about 23.
UNIGRAM_K = 0.5

# Longest dictionary word the segmenter looks up (characters); jieba's
# dictionary has longer entries, but few, and idioms are four characters.
MAX_WORD_LEN = 8
# Longest word `CharModel.in_word` looks for: idioms are four characters.
IN_WORD_MAX_LEN = 4
# Context characters taken on each side of a scored span.
CONTEXT_CHARS = 4
# Extra cost of a Han character that jieba does not list as a word on its own:
# the model must spend bits saying a word boundary falls there (about 1 in 16
# single-character tokens of this kind is a prior, not a measurement).
OOV_WORD_BITS = 4.0

# Cost in bits of a non-Han character, by class. These are priors, not
# measurements: a character of Chinese running text is punctuation about one
# time in eight (so about 3 bits, less 1 bit for the common marks), ASCII
# letters and digits appear in runs (mixed text), and private-use, unassigned
# and replacement characters are what broken decoding produces.
CLASS_BITS: dict[str, float] = {
    "punct": 9.0,  # CJK punctuation not in chardata.PUNCT_SHARES
    "space": 5.0,
    "ascii": 6.0,  # ASCII letters, digits, ASCII punctuation
    "latin": 12.0,  # other Latin letters (accented)
    "latin_in_word": 7.0,  # an accented letter after a Latin letter (égalité)
    "kana": 14.0,  # Japanese kana inside Chinese text
    # Hangul inside Chinese text: as kana, a letter of another East Asian
    # script, priced the same way: kana's 14 is log2 of its ~90 letters (6.5
    # bits) plus 7.5 bits for the odds of the other script in Chinese text;
    # hangul has KS X 1001's 2,350 syllables (11.2 bits) plus the same 7.5.
    # As "symbol" (12), the two hangul that GBK 毫米 read as cp949 makes
    # (봐쵠) cost less than the two Han characters in context.
    "hangul": 19.0,
    # A syllable outside KS X 1001's 2,350 (`chardata.in_ks_x_1001`), which
    # Korean text hardly writes: 2 of 13,529 syllables on the Korean pages
    # of the shared corpora (chardet's EUC-KR and CP949 feeds and
    # CulturaX samples, ``scripts/measure_rare_classes.py``), so with one added
    # count a share of 3/13,531 (12.1 bits) spread over the 8,822 others
    # (13.1 bits) and the same 7.5 for the script: 32.7, where a KS X 1001
    # syllable's 11.2 + 7.5 is "hangul" (잫 of 梁燊说 read as cp949).
    "hangul_rare": 32.7,
    "currency": 7.0,  # ¥ ￥ € £ before prices
    # chardata.RARE_FORMS_RE: bopomofo, small and vertical forms, circled and
    # parenthesised numbers: as an unseen Han character (log2(N / 0.5), see
    # UNIGRAM_K), as chardata says; at 20 they undercut rare seen characters
    # of names (⒋ for 喆, 22 bits, in GBK 李喆 read back through cp932's
    # other form of 裵)
    "rare_form": 27.6,
    "symbol": 12.0,  # other symbols and punctuation
    # chardata.WESTERN_SYMBOLS (¦ ¿ « ...: Latin-1 symbols neither GBK nor
    # Big5 holds): none in 17,457 characters of Chinese UTF-8 and GB18030
    # text in the shared corpora (``scripts/measure_rare_classes.py``); by the
    # rule of three their share is below 3 in 17,457 (12.5 bits, 95%
    # confidence) spread over the 10 of them (3.3 bits): at least 15.8,
    # where "symbol" gave ¦ (¦b for Big5 在 read as cp1251) 12.
    "western_symbol": 15.8,
    "junk": 30.0,  # private use, unassigned, U+FFFD, controls
}
# A word of another script's language (`lexicons.Lexicon`: 소주, Київ,
# セブン) costs its bits in that language plus the odds of the other script
# in Chinese text (`chardata.JAPANESE_SCRIPT_BITS`, 7.5 bits, what the "kana" and "hangul" classes charge
# each letter, here once per run of words (and the switch out of Han,
# `SCRIPT_SWITCH_BITS`, as for a letter). A letter the words do not explain
# keeps its class cost: mojibake is letters uniform over its code page's
# rows, rarely words.
FOREIGN_WORD_ENTRY_BITS = chardata.JAPANESE_SCRIPT_BITS


# A letter of another script right after a Han character (大ѧ, 學Ӌ) is what
# a wrong decode makes; in Chinese text a script switch happens at word
# boundaries, with ASCII (A股, T恤), rarely with accented Latin, Cyrillic or
# kana. Prior cost of the switch, on top of the class cost.
SCRIPT_SWITCH_BITS = 8.0
SWITCH_CLASSES = frozenset({"latin", "symbol", "western_symbol", "kana", "hangul",
                            "hangul_rare"})
# ...and a letter of those classes right after a Chinese punctuation mark
# that does not open a quotation or a title (，뻘청켱 for GBK 还没呢 read as
# cp949; 3ЎB for Big5 、 read as cp1251): the mark belongs to the Chinese
# text, so the letter switches script as it would after a Han character
# (the same prior). After an opening mark (《さくら》, “안녕하세요”) a
# quotation in another script is ordinary and costs no switch.
OPENING_MARKS = frozenset("“‘（《〈【「『")
SWITCH_AFTER_MARKS = frozenset(chardata.CJK_PUNCTUATION) - OPENING_MARKS
# A quotation let in free after an opening mark must be one in the other
# script: the full-width comma is Chinese writing's own (Japanese writes 、,
# Korean and Russian the ASCII comma), so a run of letters of those scripts
# from an opening mark to ， was Chinese after all (「봤， for GBK 「好，
# read as cp949), and the switch the mark waived is paid at the comma
# (`CharModel.cost`). Letters: kana (full and half width), hangul syllables
# and jamo, Cyrillic; not accented Latin: Chinese text writes Western names
# with its own comma (“Beyoncé，”).
COMMA_SWITCH_LETTER_RE = re.compile(
    f"[\u3040-\u30ff{chardata.HALF_WIDTH_KATAKANA}{chardata.HANGUL_OR_JAMO}\u0400-\u04ff]")
# Switching between Han and ASCII letters (iPhone手机, T恤) is ordinary in
# mixed text but happens at word boundaries only: a smaller prior cost, each
# way.
ASCII_SWITCH_BITS = 4.0
# A Traditional-only character in a stretch that also has a Simplified-only
# one: pages are written in one script (a prior, 1 in 64).
SCRIPT_MIX_BITS = 6.0

_ONLY_ASCII_RUN_RE = re.compile("[\x00-\x7f]+")
# A run of Han characters (chardata.HAN_RE, one character, repeated)
_HAN_RUN_RE = re.compile(chardata.HAN_RE.pattern + "+")
# One Chinese punctuation mark (a key of chardata.PUNCT_SHARES: single characters)
_PUNCT_MARK_RE = re.compile("[" + re.escape("".join(chardata.PUNCT_SHARES)) + "]")
# Runs of ASCII, Latin letters and their full-width forms (numbers, codes,
# Latin words, accented names: Hà Nội, ＡＢＣ) and the Latin-1 symbols web
# pages write beside Chinese (© ® ° ± × ÷: 版权©2024, chardata.WEB_SYMBOLS):
# set aside when judging whether a reading is Chinese.
_ASCII_RUN_RE = re.compile(
    f"[\x00-\x7f{chardata.WEB_SYMBOLS}\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
    "\u1e00-\u1eff\uff01-\uff5e]+")


# Person names as tokens of the segmentation (`CharModel.cost`): a surname
# and one or two given-name characters, all Han. Their statistics are
# jieba's own: the words its dictionary tags ``nr`` (person name), two or
# three Han characters long (64,995 of them), give the surname (first
# character) and given-name (the rest) distributions by type count, and the
# share of name tokens among its word tokens by frequency (3.3%: 4.9 bits).
# A given-name character unseen in them gets NAME_GIVEN_K of a count.
NAME_LENGTHS = (2, 3)
NAME_GIVEN_K = 0.5

CHAR_BITS_CACHE = 1 << 16  # pairs; about 11 MB when full
# Tables of candidate characters (`CharModel.bits_around`): the byte-loss
# search has 190 lead and 126 trail tables.
HAN_TABLE_CACHE = 512


@lru_cache(maxsize=65536)
def _char_class(ch: str) -> str:
    """The class `char_bits` scores a non-Han character by (`CLASS_BITS`)."""
    if ch in chardata.CJK_PUNCTUATION:
        return "punct"
    if ch in " \t\n\r\f\v\u3000\u00a0":
        return "space"
    if ch < "\x7f":
        return "ascii" if ch.isprintable() else "junk"
    cat = unicodedata.category(ch)
    if cat in ("Co", "Cn", "Cs", "Cc") or ch == "\ufffd":
        return "junk"  # U+0085 and the other C1 controls included
    if cat.startswith("Z"):
        return "space"
    if "\u3040" <= ch <= "\u30ff":
        return "kana"
    if "\uac00" <= ch <= "\ud7a3":
        return "hangul" if chardata.in_ks_x_1001(ch) else "hangul_rare"
    if "\u3131" <= ch <= "\u318e":
        return "hangul"  # compatibility jamo (chardata.HANGUL_OR_JAMO)
    if ch in chardata.WESTERN_SYMBOLS:
        return "western_symbol"
    if ch in "¥￥€£$":
        return "currency"
    if chardata.RARE_FORMS_RE.match(ch):
        return "rare_form"
    if cat.startswith("L") and ch < "\u0250":
        return "latin"
    return "symbol"


def _punctuates(marks: str, left: str, right: str) -> bool:
    """Whether Chinese `marks` between `left` and `right` (the text either
    side) stand where they punctuate: beside a Han character or a digit; or,
    full-width marks (U+3000 on), right after an ASCII letter or ``%`` (a
    mark is written against the text it ends: 容量 32GB。, 降低 15%。; Big5 。
    read as cp1251 is ``ЎC`` there). Not after a space (``¡C`` opens a
    Spanish word: ¡Claro!), and not ’ or — after a letter, which Western
    typography writes (l’ouest: ftfy's)."""
    if any(chardata.HAN_RE.match(c) is not None or c.isdigit()
           for c in (left[-1:], right[:1]) if c):
        return True
    return (bool(left) and left[-1].isascii() and (left[-1].isalpha() or left[-1] == "%")
            and all(ch >= "\u3000" for ch in marks))


def _quotation_turned_chinese(chars: list[str], k: int) -> bool:
    """Whether the characters before offset `k` of `chars` (a ， there) are
    a run of letters of another script (`COMMA_SWITCH_LETTER_RE`) that an
    opening mark (`OPENING_MARKS`) opened: a quotation in another script
    that goes on with a Chinese comma."""
    n = k - 1
    while n >= 0 and COMMA_SWITCH_LETTER_RE.match(chars[n]) \
            and unicodedata.category(chars[n])[0] == "L":
        n -= 1
    return n < k - 1 and n >= 0 and chars[n] in OPENING_MARKS


def _whole_in(start: int, end: int, n: int, context: tuple[bool, bool], made_from: int,
              made_to: int) -> bool:
    """Whether a run of letters at ``[start, end)`` of a scored string of
    `n` characters is whole as written: not cut by the edge of the context
    taken (`context`: whether there was text before and after), nor beside
    what a repair made (``[made_from, made_to)``, where the original's
    letters may have gone on). A word of a script written with spaces
    (`lexicons.WHOLE_RUN_SCRIPTS`) must be its whole run: пление cut to
    плен by the context is no word."""
    if (start == 0 and context[0]) or (end == n and context[1]):
        return False
    return made_from >= made_to or (end != made_from and start != made_to)


class CharModel:
    """A word-boundary character bigram model over Han characters.

    From a word list with frequencies, a character's successor is either the
    next character of the same word or, after the word ends, the first
    character of the next token (a word or a punctuation mark)::

        P(b | a) = (1 - E(a)) * P_in(b | a) + E(a) * P_next(b)

    where ``E(a)`` is the share of ``a``'s occurrences that end a word,
    ``P_in`` the within-word successor distribution (Witten-Bell smoothed
    towards the unigram), and ``P_next(b) = (1 - PUNCT_TOKEN_SHARE) * S(b)`` for
    a Han ``b`` (``S``: word-initial distribution, Lidstone-smoothed) or
    ``PUNCT_TOKEN_SHARE * PUNCT_SHARES[b]`` for a punctuation mark. After any
    non-Han character the next Han character costs ``-log2 S(b)``.

    Build with `CharModel.from_jieba()`; one instance per process via
    `get_model()`.
    """

    def __init__(self, unigrams: dict[str, int], bigrams: dict[str, int],
                 initials: dict[str, int], finals: dict[str, int], words: dict[str, int],
                 version: str, names: tuple[dict[str, int], dict[str, int], float] | None = None,
                 lexicon: Lexicon | None = None):
        self.version = version
        self.lexicon = lexicon
        self._prefix_cache = lru_cache(maxsize=2)(self._prefix_bits)
        # The same window is scored again for each candidate that shares it
        # (and by the keep-or-repair comparison): cost once.
        self._segment_cost = lru_cache(maxsize=8192)(self._segment_cost)
        # Every pass asks for the same pairs again (each byte-loss start ranks
        # the same 126 lead bytes; each candidate rescores its neighbours): a
        # pair costs about 3 us to compute and 0.1 us to look up.
        self.char_bits = lru_cache(maxsize=CHAR_BITS_CACHE)(self.char_bits)
        self._han_stats_cache: dict[str, tuple] = {}
        self._han_table_cache: dict[tuple[str, ...], list] = {}
        total_words = sum(words.values())
        word_share = 1.0 - chardata.PUNCT_TOKEN_SHARE
        self._word_cost = {
            w: -math.log2(word_share * n / total_words)
            for w, n in words.items()
            if len(w) <= MAX_WORD_LEN
        }
        # first two characters of a word -> length of the longest such word
        self._longest_from: dict[str, int] = {}
        for w in self._word_cost:
            if len(w) >= 2 and len(w) > self._longest_from.get(w[:2], 0):
                self._longest_from[w[:2]] = len(w)
        # ...and the first characters of those
        self._word_firsts = frozenset(pair[0] for pair in self._longest_from)
        self._u = unigrams
        self._b = bigrams
        n = sum(unigrams.values())
        self._uni_denominator = n + UNIGRAM_K * HAN_SPACE
        self._s = initials
        self._start_denominator = sum(initials.values()) + UNIGRAM_K * HAN_SPACE
        # Witten-Bell: C(a) = tokens following a inside words, T(a) = types.
        follow_tokens: Counter[str] = Counter()
        follow_types: Counter[str] = Counter()
        for pair, count in bigrams.items():
            follow_tokens[pair[0]] += count
            follow_types[pair[0]] += 1
        self._c = dict(follow_tokens)
        self._t = dict(follow_types)
        self._end = {ch: finals.get(ch, 0) / count for ch, count in unigrams.items()}
        self._punct_bits = {
            mark: -math.log2(chardata.PUNCT_TOKEN_SHARE * share)
            for mark, share in chardata.PUNCT_SHARES.items()
        }
        self._word_bits = -math.log2(1 - chardata.PUNCT_TOKEN_SHARE)
        self._odd_pair_re: re.Pattern[str] | None = None
        self._odd_run_re: re.Pattern[str] | None = None
        self._odd_class: str | None = None
        self._letter_words: dict[str, list[tuple[str, int]]] | None = None
        self._t2s = _t2s_char
        # Han characters of GB2312 that the character-wise t2s folding maps to
        # another (乾 -> 干, 於 -> 于; 16 of them): Simplified text writes them
        # too, in words of their own (乾隆, 乾坤), which `_segment_cost` also
        # looks up unfolded.
        self._both_forms = frozenset(_gb2312_folded())
        # surname -> bits of a name token starting with it (the token's share
        # and the surname's); given-name character -> bits
        self._surname_bits: dict[str, float] = {}
        self._given_bits: dict[str, float] = {}
        self._given_unseen_bits = math.inf
        if names:
            surnames, given, share = names
            s_total, g_total = sum(surnames.values()), sum(given.values())
            self._surname_bits = {ch: -math.log2(share * k / s_total)
                                  for ch, k in surnames.items()}
            g_denominator = g_total + NAME_GIVEN_K * HAN_SPACE
            self._given_bits = {ch: -math.log2((k + NAME_GIVEN_K) / g_denominator)
                                for ch, k in given.items()}
            self._given_unseen_bits = -math.log2(NAME_GIVEN_K / g_denominator)

    @classmethod
    def from_jieba(cls) -> "CharModel":
        """Build the model from jieba's bundled dictionary (about 1 s), with
        the other scripts' word lists (`lexicons.Lexicon.from_wordfreq`).

        Raises:
            OSError: if the jieba package's dict.txt or wordfreq's lists
                cannot be read.
        """
        import jieba

        path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
        unigrams: Counter[str] = Counter()
        bigrams: Counter[str] = Counter()
        initials: Counter[str] = Counter()
        finals: Counter[str] = Counter()
        words: dict[str, int] = {}
        surnames: Counter[str] = Counter()
        given: Counter[str] = Counter()
        name_tokens = all_tokens = 0
        with open(path, encoding="utf-8") as f:
            for line in f:
                word, freq, tag = line.split(" ", 2)
                n = int(freq)
                all_tokens += n
                if tag.strip() == "nr":
                    name_tokens += n
                    if len(word) in NAME_LENGTHS and all(chardata.HAN_RE.match(ch)
                                                         for ch in word):
                        surnames[word[0]] += 1
                        for ch in word[1:]:
                            given[ch] += 1
                for ch in word:
                    unigrams[ch] += n
                for i in range(len(word) - 1):
                    bigrams[word[i : i + 2]] += n
                initials[word[0]] += n
                finals[word[-1]] += n
                words[word] = words.get(word, 0) + n
        for ch in chardata.CANTONESE_CHARS:  # see chardata: jieba is Mandarin
            n = max(0, chardata.COMMON_CANTONESE_COUNT - unigrams[ch])
            unigrams[ch] += n
            initials[ch] += n
            finals[ch] += n
            words[ch] = words.get(ch, 0) + n
        return cls(dict(unigrams), dict(bigrams), dict(initials), dict(finals), words,
                   version=f"jieba-{jieba.__version__}-dict",
                   names=(dict(surnames), dict(given), name_tokens / all_tokens),
                   lexicon=Lexicon.from_wordfreq())

    @property
    def odd_pair_re(self) -> re.Pattern[str]:
        """Two odd characters (`odd_class`) at most two apart: what mojibake
        of every CJK kind leaves (鏁版嵁, 忳濮諾ァ) and clean text has less
        often (names such as 彧, 堃燊)."""
        if self._odd_pair_re is None:
            odd = self.odd_class
            self._odd_pair_re = re.compile(f"{odd}[^\n]{{0,2}}{odd}")
        return self._odd_pair_re

    @property
    def odd_run_re(self) -> re.Pattern[str]:
        """A run of odd characters (`odd_class`), one or more; compiled once."""
        if self._odd_run_re is None:
            self._odd_run_re = re.compile(self.odd_class + "+")
        return self._odd_run_re

    @property
    def odd_class(self) -> str:
        """A regex character class of odd characters: a Han character outside
        the common core (jieba count below `chardata.COMMON_CHAR_MIN_COUNT`,
        Traditional forms judged by their Simplified ones), private use, kana,
        bopomofo, CJK compatibility and small forms, U+FFFD. Built on first
        use."""
        if self._odd_class is None:
            common = {ch for ch, n in self._u.items() if n >= chardata.COMMON_CHAR_MIN_COUNT}
            ranges: list[tuple[int, int]] = []
            for cp in [*range(0x3400, 0x4DC0), *range(0x4E00, 0xA000)]:
                ch = chr(cp)
                if ch in common or self._t2s(ch) in common:
                    continue
                if ranges and ranges[-1][1] == cp - 1:
                    ranges[-1] = (ranges[-1][0], cp)
                else:
                    ranges.append((cp, cp))
            han = "".join(f"{chr(a)}-{chr(b)}" for a, b in ranges)
            self._odd_class = (
                f"[{han}\uf900-\ufaff\ue000-\uf8ff\u3040-\u30ff\u3100-\u312f\ufe30-\ufe6f\ufffd]")
        return self._odd_class

    def knows(self, ch: str) -> bool:
        """Whether `ch` is a character of jieba's dictionary (its Simplified
        form for Traditional) or a Chinese punctuation mark."""
        return ch in chardata.PUNCT_SHARES or (
            chardata.HAN_RE.match(ch) is not None and self._t2s(ch) in self._u)

    def in_word(self, text: str, pos: int) -> bool:
        """Whether the character at code-point offset `pos` of `text` lies
        inside a word of jieba's dictionary of 2 to `IN_WORD_MAX_LEN`
        characters written there (each character folded to Simplified), or
        repeats a neighbour that does (钓钓鱼: reduplication).

        Raises:
            IndexError: `pos` is not an offset into `text`.
        """
        if self._covered(text, pos):
            return True
        return any(0 <= q < len(text) and text[q] == text[pos] and self._covered(text, q)
                   for q in (pos - 1, pos + 1))

    def word_across(self, text: str, pos: int) -> bool:
        """Whether a word of jieba's dictionary of 2 to `IN_WORD_MAX_LEN`
        characters is written across code-point offset `pos` of `text`: it
        holds both ``text[pos - 1]`` and ``text[pos]`` (each character folded
        to Simplified). False where `pos` is 0 or ``len(text)``."""
        if not 0 < pos < len(text):
            return False
        lo = max(0, pos - IN_WORD_MAX_LEN + 1)
        window = self._fold(text[lo:pos + IN_WORD_MAX_LEN - 1])
        p = pos - lo  # the second character of the pair, in `window`
        words = self._word_cost
        for length in range(2, IN_WORD_MAX_LEN + 1):
            for start in range(max(0, p - length + 1), min(p - 1, len(window) - length) + 1):
                if window[start:start + length] in words:
                    return True
        return False

    def in_letter_word(self, text: str, pos: int) -> bool:
        """Whether the ASCII letter at code-point offset `pos` of `text` is
        part of a word of jieba's dictionary written there that mixes
        letters and Han characters (A股, T恤, X光, U盘, 4S店: 64 such words),
        each Han character folded to Simplified. A few comparisons a letter.

        Raises:
            IndexError: `pos` is not an offset into `text`.
        """
        if self._letter_words is None:
            index: dict[str, list[tuple[str, int]]] = {}
            for w in self._word_cost:
                if chardata.HAN_RE.search(w) and not w.isascii():
                    for i, ch in enumerate(w):
                        if ch.isascii() and ch.isalpha():
                            index.setdefault(ch, []).append((w, i))
            self._letter_words = index
        for word, i in self._letter_words.get(text[pos], ()):
            start = pos - i
            if start >= 0 and self._fold(text[start:start + len(word)]) == word:
                return True
        return False

    def _fold(self, s: str) -> str:
        """`s` with each character folded to Simplified (one to one), as
        dictionary words are written."""
        return "".join(self._t2s(c) for c in s)

    def _covered(self, text: str, pos: int) -> bool:
        lo = max(0, pos - IN_WORD_MAX_LEN + 1)
        window = self._fold(text[lo:pos + IN_WORD_MAX_LEN])
        p = pos - lo
        words = self._word_cost
        for length in range(2, IN_WORD_MAX_LEN + 1):
            for start in range(max(0, p - length + 1), min(p, len(window) - length) + 1):
                if window[start:start + length] in words:
                    return True
        return False

    def unigram_bits(self, ch: str) -> float:
        """Cost in bits of Han `ch` (Simplified) on its own."""
        return -math.log2((self._u.get(ch, 0) + UNIGRAM_K) / self._uni_denominator)

    def start_bits(self, ch: str) -> float:
        """Cost in bits of Han `ch` (Simplified) opening a word."""
        return -math.log2((self._s.get(ch, 0) + UNIGRAM_K) / self._start_denominator)

    def _han_stats(self, s: str) -> tuple[float, float, float, int | None, int]:
        """What `_han_after` needs of Simplified Han `s`, looked up once (a few
        megabytes at most: one entry per Han character met):
        ``(P_next, P_uni, word-end share, C, T)`` (see the class docstring)."""
        stats = self._han_stats_cache.get(s)
        if stats is None:
            c = self._c.get(s)
            stats = self._han_stats_cache[s] = (
                (1.0 - chardata.PUNCT_TOKEN_SHARE)
                * ((self._s.get(s, 0) + UNIGRAM_K) / self._start_denominator),
                (self._u.get(s, 0) + UNIGRAM_K) / self._uni_denominator,
                self._end.get(s, 1.0), c, self._t[s] if c else 0)
        return stats

    def _han_after(self, prev: str, prev_stats: tuple, ch: str, stats: tuple) -> float:
        """Bits of Simplified Han `ch` after Simplified Han `prev`, with their
        `_han_stats`: the word-boundary bigram of the class docstring."""
        end, c, t = prev_stats[2], prev_stats[3], prev_stats[4]
        if not c or end >= 1.0:
            return -math.log2(stats[0])
        p_in = (self._b.get(prev + ch, 0) + t * stats[1]) / (c + t)
        return -math.log2((1.0 - end) * p_in + end * stats[0])

    def _han_after_han(self, prev: str, ch: str) -> float:
        return self._han_after(prev, self._han_stats(prev), ch, self._han_stats(ch))

    def char_bits(self, prev: str, ch: str) -> float:
        """Cost in bits of `ch` following `prev` (either may be any character;
        `prev` may be "" at the start of text)."""
        prev_han = bool(prev) and chardata.HAN_RE.match(prev) is not None
        if chardata.HAN_RE.match(ch):
            s = self._t2s(ch)
            if prev_han:
                return self._han_after_han(self._t2s(prev), s)
            if prev.isascii() and prev.isalpha():
                return self.start_bits(s) + self._word_bits + ASCII_SWITCH_BITS
            mark = chardata.HALF_TO_FULL_PUNCT.get(prev, prev)
            after_mark = chardata.PUNCT_FOLLOWED_BY_PUNCT.get(mark)
            if after_mark is not None:
                return self.start_bits(s) - math.log2(1.0 - after_mark)
            return self.start_bits(s) + self._word_bits
        if prev_han and ch in chardata.HALF_TO_FULL_PUNCT:
            # Pages often write Chinese punctuation half-width: score "考核?"
            # as the "考核？" it stands for.
            ch = chardata.HALF_TO_FULL_PUNCT[ch]
        punct = self._punct_bits.get(ch)
        if punct is not None:
            if prev_han:
                end = self._end.get(self._t2s(prev), 1.0)
                return punct - math.log2(max(end, chardata.MIN_WORD_END_SHARE))
            mark = chardata.HALF_TO_FULL_PUNCT.get(prev, prev)
            if mark in chardata.PUNCT_FOLLOWED_BY_PUNCT:
                # Two marks in a row: measured pairs (”， and ：“ are common,
                # ；。 is not: two clause marks get their class's rate).
                floor = (chardata.CLAUSE_MARK_PAIR_SHARE if mark in chardata.CLAUSE_MARKS
                         and ch in chardata.CLAUSE_MARKS else chardata.PUNCT_PAIR_FLOOR)
                return -math.log2(chardata.PUNCT_AFTER_PUNCT.get((mark, ch), floor))
            return punct
        cls = _char_class(ch)
        if prev_han and ch.isascii() and ch.isalpha():
            return CLASS_BITS["ascii"] + ASCII_SWITCH_BITS
        if cls == "latin" and prev and (prev.isascii() and prev.isalpha()
                                        or _char_class(prev) == "latin"):
            return CLASS_BITS["latin_in_word"]
        bits = CLASS_BITS[cls]
        if cls in SWITCH_CLASSES and (prev_han or prev in SWITCH_AFTER_MARKS
                                      and unicodedata.category(ch)[0] == "L"):
            bits += SCRIPT_SWITCH_BITS
        elif prev and not prev.isascii() and "kana" in (cls, _char_class(prev)) and \
                _char_class(prev) != cls and unicodedata.category(ch)[0] == "L" and \
                unicodedata.category(prev)[0] == "L":
            # Kana touching a letter of another script other than Han with
            # no space between (い then Cyrillic р: Big5 中把 read as GBK) is
            # as rare as a switch out of Han.
            bits += SCRIPT_SWITCH_BITS
        return bits

    def bits_around(self, prev: str, chars: tuple[str, ...], nxt: str) -> list[float]:
        """``char_bits(prev, ch) + char_bits(ch, nxt)`` for each of `chars`
        (without the second term when `nxt` is ""), equal to those sums: the
        byte-loss search ranks the same tables of candidate characters
        (`candidates._with_lead`) between ever new neighbours, so the Han
        ones go straight to the bigram (`_han_after`) with their statistics
        found once per table, the rest through `char_bits`.

        Args:
            prev, nxt: one character or "".
            chars: the candidates, a tuple (its Han forms are cached by it).

        Returns:
            Bits per character of `chars`, in order.
        """
        forms = self._han_forms(chars)
        prev_s = self._t2s(prev) if prev and chardata.HAN_RE.match(prev) else None
        nxt_s = self._t2s(nxt) if nxt and chardata.HAN_RE.match(nxt) else None
        prev_st = self._han_stats(prev_s) if prev_s is not None else None
        nxt_st = self._han_stats(nxt_s) if nxt_s is not None else None
        after = self._han_after
        out = []
        for ch, form in zip(chars, forms):
            if form is None or prev_s is None:
                bits = self.char_bits(prev, ch)
            else:
                bits = after(prev_s, prev_st, form[0], form[1])
            if nxt:
                if form is None or nxt_s is None:
                    bits += self.char_bits(ch, nxt)
                else:
                    bits += after(form[0], form[1], nxt_s, nxt_st)
            out.append(bits)
        return out

    def _han_forms(self, chars: tuple[str, ...]) -> list[tuple[str, tuple] | None]:
        """For each of `chars`: None if not Han, else its Simplified form and
        that form's `_han_stats`; cached per tuple (`HAN_TABLE_CACHE`)."""
        forms = self._han_table_cache.get(chars)
        if forms is None:
            forms = [(s, self._han_stats(s)) if chardata.HAN_RE.match(ch)
                     and (s := self._t2s(ch)) else None for ch in chars]
            if len(self._han_table_cache) < HAN_TABLE_CACHE:
                self._han_table_cache[chars] = forms
        return forms

    def prefix_bits(self, text: str) -> array:
        """Cumulative bigram cost of `text`: ``out[n]`` is the cost in bits of
        ``text[:n]`` by `char_bits` (the first character after ""), so
        ``out[b] - out[a]`` is the cost of ``text[a:b]`` after ``text[a - 1]``.

        Returns:
            An ``array('d')`` of ``len(text) + 1`` floats (8 bytes each). The
            last two texts' profiles are cached: the round-trip and
            byte-loss passes read the same text's profile.
        """
        return self._prefix_cache(text)

    def _prefix_bits(self, text: str) -> array:
        out, total, prev = array("d", [0.0]), 0.0, ""
        for ch in text:
            total += self.char_bits(prev, ch)
            out.append(total)
            prev = ch
        return out

    def cost(self, text: str, left: str = "", right: str = "",
             names: tuple[int, int] | None = None) -> float:
        """Cost in bits of `text` between its context, by word segmentation.

        The string ``left[-CONTEXT_CHARS:] + text + right[:CONTEXT_CHARS]`` is
        segmented into jieba dictionary words, punctuation marks and single
        characters so that the sum of costs is least (dynamic programming,
        words up to `MAX_WORD_LEN` characters, after a character-wise t2s
        mapping). A word costs ``-log2((1 - PUNCT_TOKEN_SHARE) * f / F)``
        (``f`` its jieba frequency, ``F`` the total); a Han character that is
        no word on its own costs its unigram bits plus `OOV_WORD_BITS`; other
        characters cost `char_bits` from the previous character.

        Args:
            text: the characters scored.
            left: text before it (context; its last `CONTEXT_CHARS` are used).
            right: text after it (its first `CONTEXT_CHARS` are used).
            names: None, no person names or words of other scripts as
                tokens; else ``(a, b)``, code-point offsets into `text`: a
                person's name (a surname and one or two given-name
                characters, `NAME_LENGTHS`, priced by jieba's ``nr`` words)
                and a word of Korean, Japanese kana, Russian or Ukrainian
                (`lexicons.Lexicon`, `FOREIGN_WORD_ENTRY_BITS`) are tokens
                too, except over ``text[a:b]`` (``(0, 0)``: anywhere). The
                scorer reads them in the text as it came and around a
                repair, never in what the repair made (`score.choose`): a
                reading that happens to look like a name (林茂則 for the
                name 林璟玥) or a word (さら for Big5 今日 read as GBK) is
                no better for it.

        Returns:
            The least total cost in bits of context and text together; costs
            of candidates for the same span with the same context compare.
        """
        left = left[-CONTEXT_CHARS:]
        full = left + text + right[:CONTEXT_CHARS]
        if names is not None:
            names = (len(left) + names[0], len(left) + names[1])
        return self._segment_cost(full, names, (bool(left), bool(right)))

    def _segment_cost(self, full: str, names: tuple[int, int] | None = None,
                      context: tuple[bool, bool] = (False, False)) -> float:
        n = len(full)
        # The characters as scored: each Han one folded to Simplified (one to
        # one); han[k]: whether mapped[k] is Han (only a Han character of
        # `full` can be, and its folded form is Han too, but not by rule).
        mapped = list(full)
        han = [False] * n
        kept_han: list[str] = []  # Han characters the folding leaves as they are
        folded = 0
        t2s = self._t2s
        for run in _HAN_RUN_RE.finditer(full):
            for k in range(run.start(), run.end()):
                ch = full[k]
                mapped[k] = simple = t2s(ch)
                if simple == ch:
                    kept_han.append(ch)
                    han[k] = True
                else:
                    folded += 1
                    han[k] = chardata.HAN_RE.match(simple) is not None
        best = [0.0] + [math.inf] * n
        words = self._word_cost
        # Simplified and Traditional forms do not mix: in a stretch that has a
        # Simplified-only character, each Traditional-only one costs
        # SCRIPT_MIX_BITS more (噹 scored as 当 beside 请谅解 is no 当).
        mix = 0.0
        if any(_s2t_char(ch) != ch for ch in kept_han):
            mix = SCRIPT_MIX_BITS * folded
        # Forward over start positions: a single character, then the words
        # starting there (no longer than the longest dictionary word with the
        # same first two characters, `_longest_from`; none unless the first
        # is one of `_word_firsts`).
        joined = "".join(mapped)
        # ...and with the characters Simplified writes too left as they are
        # (乾隆 is a word, 干隆 none; 乾淨 folds to the word 干净): a word
        # costs the least of its two spellings.
        spellings: tuple[str, ...] = (joined,) if self._both_forms.isdisjoint(full) else (
            joined, "".join(ch if ch in self._both_forms else m for ch, m in zip(full, mapped)))
        longest = self._longest_from
        firsts = self._word_firsts
        char_bits = self.char_bits
        surname_bits = self._surname_bits if names is not None else {}
        given_bits = self._given_bits
        plain_from, plain_to = names if names is not None else (0, 0)
        lexicon = self.lexicon if names is not None else None
        # least cost of text[:k] whose last token is a word of another
        # script (`lexicons.Lexicon`): the next word of the run pays no entry
        in_words: dict[int, float] = {}
        for start in range(n):
            base = best[start]
            ch = mapped[start]
            if han[start]:
                single = words.get(ch)
                if single is None:
                    single = self.unigram_bits(ch) + OOV_WORD_BITS
            else:
                prev = mapped[start - 1] if start else ""
                single = char_bits(prev, ch)
                if ch == "，" and _quotation_turned_chinese(mapped, start):
                    single += SCRIPT_SWITCH_BITS
                script = script_of(ch) if lexicon is not None else None
                if script is not None:
                    found = lexicon.words_at(joined, start, script)
                    if found:
                        # the letter's class cost gives way to the word's
                        # bits; its switch out of Han stays
                        entry = (base + single - CLASS_BITS[_char_class(ch)]
                                 + FOREIGN_WORD_ENTRY_BITS)
                        after_word = in_words.get(start, math.inf)
                        if lexicon.whole_run(script) and not _whole_in(
                                start, start + found[0][0], n, context, plain_from, plain_to):
                            found = []
                        for length, bits in found:
                            end = start + length
                            if start < plain_to and end > plain_from:
                                break  # not in what a repair made
                            # a word of one letter (a particle, an ending:
                            # 를, ね) only goes on from a word
                            entry_here = min(entry, after_word) if length > 1 else after_word
                            bits += entry_here
                            if bits < best[end]:
                                best[end] = bits
                            if bits < in_words.get(end, math.inf):
                                in_words[end] = bits
            if base + single < best[start + 1]:
                best[start + 1] = base + single
            for spelled in spellings:
                if spelled[start] in firsts:
                    for length in range(2, min(longest.get(spelled[start : start + 2], 0),
                                               n - start) + 1):
                        w_cost = words.get(spelled[start : start + length])
                        if w_cost is not None and base + w_cost < best[start + length]:
                            best[start + length] = base + w_cost
            name_cost = surname_bits.get(ch)
            if name_cost is not None:
                # a person's name: the surname, then one or two given-name characters
                name_cost += base
                for length in range(2, min(NAME_LENGTHS[-1], n - start) + 1):
                    given = mapped[start + length - 1]
                    if not han[start + length - 1] or (
                            start < plain_to and start + length > plain_from):
                        break
                    name_cost += given_bits.get(given, self._given_unseen_bits)
                    if name_cost < best[start + length]:
                        best[start + length] = name_cost
        return best[n] + mix

    def reads_as_chinese(self, text: str, left: str = "", right: str = "",
                         max_bits: float = chardata.MAX_BITS_PER_HAN,
                         min_units: int = chardata.MIN_REPAIRED_HAN) -> bool:
        """Whether a repair's text reads as Chinese, not as an accident of decoding.

        Many strings in other scripts decode to Han characters through a CJK
        codec (``NicolÃ¡s`` read back through GBK gives ``Nicol谩s``; Greek
        UTF-8 read as cp1252 then GBK gives ``螘位位畏``). Real repairs give
        common words.

        Args:
            text: the repaired text.
            left, right: the text around it; a fragment such as ``報減`` reads
                as Chinese only inside ``舉報減少``.
            min_units: the fewest Chinese characters (Han or marks) a reading
                needs (`chardata.MIN_REPAIRED_HAN`; 1 where the bytes were
                valid UTF-8: 是x from 鏄痻).
            max_bits: the most bits per Han character allowed
                (`chardata.MAX_BITS_PER_HAN`, or `MAX_BITS_PER_HAN_UTF8` where
                the bytes were valid UTF-8).

        Returns:
            True when `text` holds at least `chardata.MIN_REPAIRED_HAN`
            Chinese characters (Han or Chinese punctuation marks), one of them
            Han, and adds at most `max_bits` bits per Chinese character (full-
            width digits and ￥ before one counted with them:
            `chardata.FULLWIDTH_ALNUM_RE`) to the cost of its context; or when it is a lone Chinese mark beside a Han
            character; or only emoji.
        """
        han = len(chardata.HAN_RE.findall(text))
        marks = len(_PUNCT_MARK_RE.findall(text))
        if han == 0 and text and all(chardata.EMOJI_RE.match(ch) for ch in text):
            return True  # emoji from valid four-byte UTF-8: no accident makes those
        core = chardata.non_ascii(text)
        if han == 0 and len(core) <= 3 and chardata.chinese_marks_only(core) and _punctuates(
                core, left, right):
            return True  # marks and symbols beside Han or digits (鈩冿紝 for ℃，)
        if han + marks < min_units:
            # A lone Chinese mark beside a Han character or a digit (¡A for ，
            # in Big5, 21:00¡£ for 21:00。 in GBK) reads as Chinese too; not
            # ’ “ … —, which Western typography shares (â€™ is ftfy's).
            return (marks == 1 and len(text) == 1 and text >= "\u3000"
                    and _punctuates(text, left, right))
        if han == 0:
            return False
        # ASCII runs (numbers, codes, Latin words) are not what is judged:
        # each becomes one space, which breaks words as the run did, and the
        # spaces' cost is taken back out.
        core, seps = _ASCII_RUN_RE.subn(" ", text)
        left, right = left[-CONTEXT_CHARS:], right[:CONTEXT_CHARS]
        added = (self.cost(core, left, right) - seps * CLASS_BITS["space"]
                 - self._segment_cost(left) - self._segment_cost(right))
        wide = len(chardata.FULLWIDTH_ALNUM_RE.findall(text))
        return added / (han + marks + wide) <= max_bits

    def bits_per_han(self, text: str) -> float:
        """Cost of `text` per Han character in it, ASCII runs (numbers, codes,
        Latin words) set aside as in `reads_as_chinese`; infinite when it has
        no Han character."""
        han = len(chardata.HAN_RE.findall(text))
        if not han:
            return math.inf
        core, seps = _ASCII_RUN_RE.subn(" ", text)
        return (self.cost(core) - seps * CLASS_BITS["space"]) / han

    def bits_per_non_ascii(self, text: str) -> float:
        """Cost of `text` per non-ASCII character, ASCII runs set aside (they
        read the same in every codec): how to rank readings of one byte
        string (München read as GBK is ü, as Big5 邦). Infinite without
        non-ASCII characters."""
        core, seps = _ONLY_ASCII_RUN_RE.subn(" ", text)
        n = len(core) - core.count(" ")
        return (self.cost(core) - seps * CLASS_BITS["space"]) / n if n > 0 else math.inf

    def fluent_share(self, text: str) -> float:
        """Share of the Han characters of `text` that follow the character
        before them for at most `chardata.FLUENT_BITS` bits (bigram). Chinese
        with a stretch of mojibake in it stays fluent in most places; Korean
        or Japanese bytes read as GBK are common characters in rare order.
        Returns 0.0 for text without Han characters."""
        prev, han, fluent = "", 0, 0
        for ch in text:
            bits = self.char_bits(prev, ch)
            if chardata.HAN_RE.match(ch):
                han += 1
                fluent += bits <= chardata.FLUENT_BITS
            prev = ch
        return fluent / han if han else 0.0

    def bits_per_char(self, text: str) -> float:
        """Mean cost of `text`, in bits per character (0.0 for empty text)."""
        return self.cost(text) / len(text) if text else 0.0


@lru_cache(maxsize=65536)
def _s2t_char(ch: str) -> str:
    from .convert import converter

    out = converter("s2t").convert(ch)
    return out if len(out) == 1 else ch


def _gb2312_folded() -> list[str]:
    """The Han characters of GB2312 that `_t2s_char` maps to another
    character. Source: Python's ``gb2312`` codec (levels 1 and 2, rows
    0xB0..0xF7) and OpenCC's t2s table."""
    out = []
    for lead in range(0xB0, 0xF8):
        for trail in range(0xA1, 0xFF):
            try:
                ch = bytes((lead, trail)).decode("gb2312")
            except UnicodeDecodeError:
                continue
            if _t2s_char(ch) != ch:
                out.append(ch)
    return out


@lru_cache(maxsize=65536)
def _t2s_char(ch: str) -> str:
    from .convert import converter

    out = converter("t2s").convert(ch)
    return out if len(out) == 1 else ch


_lock = threading.Lock()
_model: CharModel | None = None


def model_loaded() -> bool:
    """Whether `get_model` has built the model (the service is ready)."""
    return _model is not None


def get_model() -> CharModel:
    """The process-wide model, built on first call (about one second)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = CharModel.from_jieba()
    return _model
