"""Flattened ruby annotations: ``創(chuàng)建`` back to ``創建``.

A page that marks readings with ``<ruby>創<rp>(</rp><rt>chuàng</rt><rp>)</rp></ruby>``
reaches a scraper that keeps only text nodes as ``創(chuàng)``; without ``<rp>``
as ``創chuàng建``. Forms recognised:

* a reading in half- or full-width parentheses after one Han character, or
  after a word (``創建(chuàngjiàn)``, ``創建(chuàng jiàn)``), one syllable per
  character;
* pinyin with tone marks, with tone digits (``chuang4``), or zhuyin
  (``ㄔㄨㄤˋ``); plain pinyin without tones (``(chuang)``) only in a text that
  also carries marked annotations, since ``张(Zhang)`` and ``他(ta)`` are
  ordinary writing otherwise;
* a tone-marked syllable with no parentheses glued to the character it reads
  (``創chuàng建``): tone marks never touch Han characters in ordinary text.

An annotation is removed only when every syllable is a reading of the Han
character it belongs to, by pypinyin's readings (heteronyms included), so that
``專(兼)職`` or ``(1993年-1995年)`` stay. A paragraph that teaches
pronunciation keeps its annotations: one that talks about it (拼音, 声调,
读音, 注音, ...: `LESSON_WORDS`), or one where most Han characters carry a
reading, a word's reading counting each character it reads (a flattened
ruby page annotates a few: the sample, 704 readings over about 9,000
characters). A reading of characters in quotation marks
(“彧(yù)”) is the writer's too.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from functools import lru_cache

from . import chardata

_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
# Pinyin letters: ASCII, ü, and the tone-marked vowels (GB/T 16159-2012).
_PINYIN_LETTER = r"[a-zA-Z\u00e0-\u00fc\u0101-\u01dc\u0300-\u0304\u030c]"
_SYLLABLE = _PINYIN_LETTER + r"{1,7}[1-5]?"
_ZHUYIN = r"[\u3105-\u312f\u31a0-\u31bf]{1,4}[ˊˇˋ˙]?"
_READING = rf"(?:{_SYLLABLE}|{_ZHUYIN})(?:[ '’]?(?:{_SYLLABLE}|{_ZHUYIN})){{0,5}}"
ANNOTATION_RE = re.compile(rf"(?<={_HAN})[(（]({_READING})[)）]")
_READING_RE = re.compile(_READING)
# A tone-marked syllable glued to a Han character, no parentheses.
BARE_RE = re.compile(
    rf"(?<={_HAN})((?:[a-z\u00fc]*[\u00e0-\u00fc\u0101-\u01dc][a-z\u00fc]*)+)(?={_HAN}|[，。、；：？！,.;:?!\s]|$)"
)
# A toneless syllable glued likewise (neutral tone: 爸bà爸ba), read only in a
# text that glues marked ones (find_annotations).
BARE_PLAIN_RE = re.compile(rf"(?<={_HAN})([a-z\u00fc]{{1,6}})(?={_HAN}|[，。、；：？！,.;:?!\s]|$)")
# The same parenthesised shape at the end of a string: used to skip an
# annotation when looking at the character before a position.
TRAILING_ANNOTATION_RE = re.compile(rf"[(（]{_READING}[)）]$")
_SEPARATOR_RE = re.compile("[ '’]+")
_BLANK_LINE_RE = re.compile("\n[ \t\u3000]*\n")

# Words of a text that teaches pronunciation (Simplified and Traditional):
# pinyin, tone(s), reading, phonetic notation, pronunciation, "read as".
# Also the phrases that ask or tell how a character is read (怎么读, 读成,
# 字音, 音同: 堃(kūn)字怎么读？, 请读准字音：龃龉(jǔ yǔ)。), and the headings
# of a list of new characters or words (生字, 生词, 学的字).
LESSON_WORDS = re.compile(
    "拼音|声调|聲調|读音|讀音|注音|发音|發音|读作|讀作|念作|四声|四聲|多音字|轻声|輕聲|认读|認讀"
    "|拼读|拼讀|怎么读|怎麼讀|怎么念|怎麼唸|怎麼念|怎样读|怎樣讀|读成|讀成|念成|唸成|读为|讀為"
    "|读准|讀準|字音|读法|讀法|音同|同音|念“|念「|读“|讀「"
    "|生字|生词|生詞|学的字|學的字")


def _fold(syllable: str) -> str:
    """Lower-case, NFC, ü spelled as v: the form readings are compared in."""
    return unicodedata.normalize("NFC", syllable.lower()).replace("ü", "v")


def _marked(reading: str) -> bool:
    """Whether a reading is written with its tone: a tone mark, a tone digit, or zhuyin."""
    folded = unicodedata.normalize("NFC", reading)
    return (not folded.isascii()) or any(ch.isdigit() for ch in folded)


@lru_cache(maxsize=32768)
def marked_readings(han: str) -> frozenset[str]:
    """`readings` that carry their tone: tone marks (a neutral-tone reading
    such as 的 ``de`` has none and is complete without), tone digits, zhuyin."""
    from pypinyin import Style, pinyin

    out: set[str] = set()
    for style in (Style.TONE, Style.TONE3, Style.BOPOMOFO):
        for reading in pinyin(han, style=style, heteronym=True, errors="ignore")[0:1]:
            out.update(_fold(r) for r in reading)
    return frozenset(out)


@lru_cache(maxsize=32768)
def readings(han: str) -> frozenset[str]:
    """All readings pypinyin knows for one Han character, in four spellings.

    Args:
        han: a single character.

    Returns:
        Folded readings with tone marks (``chuàng``), with a tone digit
        (``chuang4``), without tone (``chuang``) and in zhuyin (``ㄔㄨㄤˋ``);
        empty if pypinyin has none.

    Source: pypinyin's character dictionary (from Unihan kMandarin,
    kHanyuPinyin and others; MIT licence).
    """
    from pypinyin import Style, pinyin

    out: set[str] = set()
    for style in (Style.TONE, Style.TONE3, Style.NORMAL, Style.BOPOMOFO):
        for reading in pinyin(han, style=style, heteronym=True, errors="ignore")[0:1]:
            out.update(_fold(r) for r in reading)
    return frozenset(out)


def _reads(chars: str, annotation: str, table=readings) -> bool:
    """Whether `annotation` splits into one reading per character of `chars`,
    readings taken from `table` (`readings` or `marked_readings`)."""
    syllables = [s for s in _SEPARATOR_RE.split(annotation) if s]
    if len(syllables) == len(chars) and all(
        _fold(s) in table(c) for s, c in zip(syllables, chars)
    ):
        return True
    # Syllables written together (chuàngjiàn): split by trying readings.
    return _split(_fold(_SEPARATOR_RE.sub("", annotation)), chars, table)


def _split(rest: str, chars: str, table) -> bool:
    if not chars:
        return not rest
    for r in table(chars[0]):
        if rest.startswith(r) and _split(rest[len(r):], chars[1:], table):
            return True
    return False


def _read_width(text: str, pos: int, reading: str) -> int:
    """How many Han characters right before `pos` in `text` the parenthesised
    `reading` reads: the fewest, from 1 to `chardata.MAX_ANNOTATED_WORD`, that
    `reading` splits into one syllable each of (``苹果(píngguǒ)``: 2); 0 if
    none (``專(兼)職``, ``Zhang``'s parenthesis after a Latin letter)."""
    for k in range(1, chardata.MAX_ANNOTATED_WORD + 1):
        chars = text[max(0, pos - k) : pos]
        if len(chars) < k or not chardata.HAN_RE.match(chars[0]):
            return 0  # the run of Han characters before `pos` is shorter
        if _reads(chars, reading):
            return k
    return 0


def find_annotations(text: str, glosses: list[tuple[int, int, str]] | None = None
                     ) -> list[tuple[int, int, str]]:
    """Find flattened ruby annotations that read the characters before them.

    Args:
        text: decoded text.
        glosses: if given, receives ``(start, end, reading)`` of each reading
            kept as a writer's gloss although flattened ruby reads the same
            (`_glossed`: a sparse text's reading of an uncommon character;
            `_aside`: its only reading, in full-width parentheses after a
            whole word); here `start` is that
            of the characters it reads (``text[start:end]`` is ``喆(zhé)``).

    Returns:
        ``(start, end, reading)`` for each annotation, code-point offsets into
        `text`, half-open, covering the parentheses if any; sorted by start.
    """
    found = []
    marked_count = 0
    plain = []
    lessons: dict[int, bool] = {}  # paragraph start -> teaches pronunciation
    line_stats: dict[int, tuple] = {}  # line start -> its `_stats`
    blanks: list[int] | None = None  # where the blocks of lines end (`_lesson`)

    def lesson(pos: int) -> bool:
        nonlocal blanks
        start = text.rfind("\n", 0, pos) + 1
        if start not in lessons:
            if blanks is None:
                blanks = [m.start() + 1 for m in _BLANK_LINE_RE.finditer(text)]
            lessons[start] = _lesson(text, pos, blanks, line_stats)
        return lessons[start]

    for m in ANNOTATION_RE.finditer(text):
        reading = m.group(1)
        if reading[:1].isupper() or lesson(m.start()):
            continue  # 北京(Běijīng), 李白(Lǐ Bái): a writer's gloss of a name
        k = _read_width(text, m.start(), reading)
        if k:
            chars = text[m.start() - k : m.start()]
            # (quotation marks around a character and its reading, 这个字念
            # “彧(yù)”, “的(de)”和“地(de)”: the text mentions the character,
            # it does not run through it, so the reading is the writer's)
            if (text[m.start() - k - 1 : m.start() - k] in chardata.OPEN_QUOTES
                    and text[m.end() : m.end() + 1] in chardata.CLOSE_QUOTES):
                continue  # “彧(yù)”: a quoted character and its reading
            if _marked(reading) or _reads(chars, reading, marked_readings):
                marked_count += 1
                found.append((m.start(), m.end(), reading, k))
            elif reading.islower():
                plain.append((m.start(), m.end(), reading, k))
    if marked_count >= chardata.MIN_MARKED_FOR_PLAIN:
        found += plain
    if _listed(text, found):
        # 今天我们学习：山（shān）、水（shuǐ）、田（tián）。: a list of words
        # and their readings, each an item of its own, is a lesson; a ruby
        # page reads characters inside running words.
        found = []
    bare = [(m.start(), m.end(), m.group(1)) for m in BARE_RE.finditer(text)
            if not lesson(m.start()) and _reads(text[m.start() - 1], m.group(1))]
    if bare:
        # A text that glues marked readings to its characters glues the
        # neutral-tone ones too (爸bà爸ba, 我们men, 的de), which carry no mark.
        bare += [(m.start(), m.end(), m.group(1)) for m in BARE_PLAIN_RE.finditer(text)
                 if not lesson(m.start()) and _reads(text[m.start() - 1], m.group(1))]
        bare.sort()
    read = sum(k for *_, k in found) + len(bare)
    # Each reading a writer's aside (`_aside`) or gloss (`_glossed`): up to
    # MAX_GLOSSES readings, or characters read where none is an aside.
    asides = [not bare and _aside(text, a, b, r, k, alone=len(found) == 1)
              for a, b, r, k in found]
    if (not bare and 0 < (len(found) if any(asides) else read) <= chardata.MAX_GLOSSES
            and all(x or _glossed(text, a, r, k) for x, (a, _, r, k) in zip(asides, found))) or (
            read <= chardata.SPARSE_ANNOTATIONS
            and any(_glossed(text, a, r, k, every=False) for a, _, r, k in found)):
        if glosses is not None:
            glosses += [(a - k, b, r) for a, b, r, k in found]
        found = []
    return sorted([(a, b, r) for a, b, r, _ in found] + bare)


# What sets a list's items apart (a lesson's words and their readings).
_ITEM_SEPARATORS = frozenset("、，,；;：:。.！!？?/ \t\n\u3000")


def _listed(text: str, found: list[tuple[int, int, str, int]]) -> bool:
    """Whether the parenthesised readings `found` (``(start, end, reading,
    width)``, code-point offsets into `text`, `width` characters before each
    read) are a list's: two items at least, each item (what lies between
    separators, `_ITEM_SEPARATORS`, or the text's edges) that holds a
    reading read whole, every Han character of it read (山（shān）、水（shuǐ）,
    per word or per character alike: 苹果(píngguǒ)、 and 苹(píng)果(guǒ)、)."""
    if len(found) < 2:
        return False
    items: dict[int, list[tuple[int, int, int]]] = {}  # item start -> readings
    for a, b, _, k in found:
        left = a - k
        while left > 0 and text[left - 1] not in _ITEM_SEPARATORS:
            left -= 1
        items.setdefault(left, []).append((a, b, k))
    if len(items) < 2:
        return False
    for left, readings in items.items():
        right = readings[-1][1]
        while right < len(text) and text[right] not in _ITEM_SEPARATORS:
            right += 1
        # the item less its readings' parentheses: all of it read
        bare = len(text[left:right]) - sum(b - a for a, b, _ in readings)
        if bare != sum(k for _, _, k in readings):
            return False
    return True


def _aside(text: str, start: int, end: int, reading: str, width: int, alone: bool) -> bool:
    """Whether the parenthesised `reading` at code-point offsets
    ``start..end`` of `text` (parentheses included), of the `width`
    characters before it, is a writer's aside: in full-width parentheses or
    with a space between its syllables, as a writer types it (李白（lǐ bái）,
    李白(lǐ bái), 麻婆豆腐（mápó dòufu）), or the text's only reading
    (`alone`), of a word of two characters or more (成都(chéngdū)是四川的省会:
    a ruby page that read one word would as likely read its neighbours), or
    of one character that does not part a word of jieba's dictionary. One
    character's reading that parts a word (設（shè）定, 首（shǒu）页) is
    flattened ruby: a writer glosses a word after it, not inside it. Where
    the text holds other readings (not `alone`), only one spaced as a
    writer types it, or one of a whole word in full-width parentheses
    (深圳（shēnzhèn）…，广州（guǎngzhōu）…: fresh-eyes report fe11c S2-5), is
    an aside: a page that flattened ruby puts one character's readings in
    full-width parentheses too (「唔（wú）該（gāi），一杯凍（dòng）…), and reads
    word after word (創建(chuàngjiàn)國家(guójiā)).

    Source of the rule: fresh-eyes sweeps of glossed words (session 10:
    158 of 225 unspaced glosses such as 成都(chéngdū) were removed at
    0.998); the generated set's ruby reads one character at a time, and
    its single-character readings decide as before."""
    if " " not in reading and (text[start] != "（" or not alone) and not (
            width > 1 and (alone or text[start] == "（")):
        return False
    if width > 1:
        return True  # a word's reading, though a longer word go on (北京（běi jīng）大学)
    from .model import IN_WORD_MAX_LEN, get_model

    before = text[max(0, start - IN_WORD_MAX_LEN + 1) : start]
    return not get_model().word_across(before + text[end : end + IN_WORD_MAX_LEN - 1],
                                       len(before))


def _glossed(text: str, start: int, reading: str, width: int, every: bool = True) -> bool:
    """Whether every character the parenthesised `reading` at `start` (a
    code-point offset into `text`) reads, `width` of them before it, is one
    a writer glosses: outside the common core (`CharModel.odd_class`), or,
    read alone, by a reading other than its commonest. Judged character by
    character, so that 魑魅魍魉(chīmèiwǎngliǎng) and 魑(chī)魅(mèi)… decide
    alike. With `every` False, one such character is enough."""
    from .model import get_model

    chars = text[start - width : start]
    if not chars:
        return False
    odd = get_model().odd_run_re
    if (odd.fullmatch(chars) if every else odd.search(chars)) is not None:
        return True
    return width == 1 and _fold(reading) not in _default_readings(chars)


@lru_cache(maxsize=32768)
def _default_readings(han: str) -> frozenset[str]:
    """pypinyin's first reading of `han` (its commonest), folded, in the
    four spellings of `readings`: ``dān``, ``dan1``, ``dan``, ``ㄉㄢ`` for 单."""
    from pypinyin import Style, pinyin

    out = set()
    for style in (Style.TONE, Style.TONE3, Style.NORMAL, Style.BOPOMOFO):
        first = pinyin(han, style=style, errors="ignore")
        if first and first[0]:
            out.add(_fold(first[0][0]))
    return frozenset(out)


def _lesson(text: str, pos: int, blanks: list[int], stats: dict[int, tuple]) -> bool:
    """Whether the paragraph around `pos` teaches pronunciation: it talks
    about it (`LESSON_WORDS`), or at least
    `chardata.LESSON_ANNOTATION_SHARE` of its Han characters, and
    `chardata.LESSON_MIN_ANNOTATIONS` of them at least, carry a reading
    (妈(mā) 麻(má) 马(mǎ) 骂(mà)), where pages that flatten ruby annotate a
    few characters of running text. A reading of a word counts each
    character it reads (生词：苹果(píngguǒ)、香蕉(xiāngjiāo)、橙子(chéngzi)。
    is six of eight), so per-word and per-character readings weigh alike.
    A paragraph is a line, or the block of lines around it up to a blank
    line and at most `chardata.LESSON_BLOCK_LINES` lines either side,
    whichever teaches: a list of one entry a line
    (生字：\n妈(mā)\n爸(bà)\n我(wǒ)) is a lesson as the same entries on one
    line are.

    Args:
        text: decoded text; paragraphs end at ``\n``.
        pos: a code-point offset into `text`.
        blanks: sorted offsets into `text` of the blank lines (the first
            character after the ``\n`` that ends the line before each).
        stats: a cache of each line's `_stats`, by line start: a block's
            are its lines' summed (no match crosses a line break), so each
            line is read once however many blocks hold it.

    Source: the thresholds in chardata, set against
    samples/000_cc1ae68ad79e1051.txt (704 readings, under a tenth of its
    characters) and tests/cases/negative.jsonl."""
    start = text.rfind("\n", 0, pos) + 1

    def line_stats(a: int) -> tuple:
        if a not in stats:
            b = text.find("\n", a)
            stats[a] = _stats(text[a:b if b >= 0 else len(text)])
        return stats[a]

    if _teaches(line_stats(start)):
        return True
    k = bisect.bisect_right(blanks, start)
    block_start = blanks[k - 1] if k else 0
    block_end = blanks[k] - 1 if k < len(blanks) else len(text)
    # at most chardata.LESSON_BLOCK_LINES lines either side: a scraped page
    # often has no blank line, and one 发音 in it teaches nothing elsewhere
    starts = [start]
    for _ in range(chardata.LESSON_BLOCK_LINES):
        if starts[0] > block_start:
            starts.insert(0, text.rfind("\n", block_start, starts[0] - 1) + 1 or block_start)
        nxt = text.find("\n", starts[-1], block_end)
        if nxt >= 0:
            starts.append(nxt + 1)
    if len(starts) == 1:
        return False
    return _teaches(tuple(map(sum, zip(*map(line_stats, starts)))))


def _stats(paragraph: str) -> tuple[int, int, int, int, int]:
    """What `_teaches` reads of a paragraph (or a line), as counts that add
    up over lines: lesson words (`LESSON_WORDS`), characters read by a
    parenthesised reading (苹果(píngguǒ) is two, as 苹(píng)果(guǒ) is; a
    parenthesis that reads no character before it counts one), tone-marked
    readings glued to their character (好hǎo), toneless ones so glued
    (爸bà爸ba), and Han characters outside the parentheses."""
    words = 1 if LESSON_WORDS.search(paragraph) is not None else 0
    read = sum(max(1, _read_width(paragraph, m.start(), m.group(1)))
               for m in ANNOTATION_RE.finditer(paragraph))
    marked = sum(1 for m in BARE_RE.finditer(paragraph)
                 if _reads(paragraph[m.start() - 1], m.group(1)))
    plain = sum(1 for m in BARE_PLAIN_RE.finditer(paragraph)
                if _reads(paragraph[m.start() - 1], m.group(1))) if marked else 0
    han = len(chardata.HAN_RE.findall(ANNOTATION_RE.sub("", paragraph)))
    return words, read, marked, plain, han


def _teaches(stats: tuple[int, int, int, int, int]) -> bool:
    """`_lesson`'s test of a paragraph's (or block's) `_stats`: a lesson
    word, or enough of its Han characters read; a toneless glued syllable
    counts only beside a marked one."""
    words, read, marked, plain, han = stats
    if words:
        return True
    annotated = read + (marked + plain if marked else 0)
    return (annotated >= chardata.LESSON_MIN_ANNOTATIONS
            and annotated / max(han, 1) >= chardata.LESSON_ANNOTATION_SHARE)


def lesson_page(doc: str, text: tuple[tuple[int, int], ...],
                readings: tuple[tuple[int, int], ...]) -> bool:
    """Whether an HTML page with ruby markup teaches pronunciation, so that
    its ``<rt>`` and ``<rp>`` contents stay in HTML mode: its text talks about
    pronunciation (`LESSON_WORDS`), or at least
    `chardata.LESSON_ANNOTATION_SHARE` of its Han characters, and
    `chardata.LESSON_MIN_ANNOTATIONS` at least, carry a reading (the rules
    `_lesson` applies to a flattened paragraph, applied here to the page).

    Args:
        doc: the decoded document.
        text: its text regions (`markup.Markup.text`), code-point offsets
            into `doc`, sorted, half-open.
        readings: the contents of its ``<rt>`` and ``<rp>`` elements
            (`markup.Markup.annotations`), offsets likewise.

    Returns:
        True for a lesson page. A page is judged whole: a page that teaches
        in one part and gives ruby to running text in another keeps all.
    """
    inside = [doc[a:b] for a, b in readings]
    read = sum(1 for r in inside if _READING_RE.fullmatch(r.strip()))
    if not read:
        return False
    # (the readings lie inside the text regions: their Han characters, if
    # any, are taken back out)
    body = "\n".join(doc[a:b] for a, b in text)
    if LESSON_WORDS.search(body):
        return True
    han = len(chardata.HAN_RE.findall(body)) - sum(len(chardata.HAN_RE.findall(r)) for r in inside)
    return (read >= chardata.LESSON_MIN_ANNOTATIONS
            and read / max(han, 1) >= chardata.LESSON_ANNOTATION_SHARE)


def context_before(text: str, i: int, n: int = 1) -> str:
    """The `n` characters before offset `i`, skipping one flattened annotation.

    The language model should see ``環保`` in ``環(huán)保``, not ``)保``.
    """
    head = text[max(0, i - 24) : i]
    m = TRAILING_ANNOTATION_RE.search(head)
    if m and m.start() > 0 and chardata.HAN_RE.match(head[m.start() - 1]):
        return text[max(0, i - len(head) + m.start() - n) : i - len(head) + m.start()]
    return text[max(0, i - n) : i]
