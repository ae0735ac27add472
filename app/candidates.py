"""Candidate repairs for one region: plans of encode/decode/realign steps.

Each function takes the text and a region found by `detect` and returns
`Candidate`s (possibly none). A candidate's `plan` replays its `original`
into its `replacement` with `engine.apply_plan`; nothing here decides.
"""

from __future__ import annotations

import bisect
import codecs
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple
from functools import lru_cache
from itertools import accumulate, chain, product

import ftfy.bad_codecs  # noqa: F401  (registers sloppy-windows-1252)

from . import chardata, detect
from .annotations import ANNOTATION_RE, context_before
from .model import CharModel
from .types import PlanItem


@dataclass(frozen=True)
class Candidate:
    """A possible repair of ``text[start:end]``.

    Attributes:
        start: code-point offset into the text being repaired; `end` exclusive.
        replacement: the repaired text of the region.
        plan: replays ``text[start:end]`` into `replacement`.
        kind: a key of `chardata.SPAN_KINDS`.
        guessed_bytes: number of bytes the repair had to guess (0 when every
            byte of the original survives in the input).
        guessed: offsets into `replacement` of characters guessed back.
        lost: offsets into `replacement` of characters left as U+FFFD.
        guess_confidence: the model's posterior that every guessed character
            is right (product over them); 0.0 when a character is lost, since
            the text then cannot be what the author wrote.
        defer: a reading that is not Chinese (ftfy's domain): it competes
            with the others but, if it wins, luanma leaves the text to ftfy.
        layers: how many wrong decodes the repair undoes (mojibake made twice
            is 2).
        lost_form: for a repair with guessed characters, the same repair
            with each of them left as one U+FFFD: ``(replacement, plan,
            lost offsets)``, used when the guess is not sure enough.
        loss_events: for a ``skipped`` byte-loss repair, the bytes its
            story says were lost without a trace in the input (the run's
            lead and its last trail: 2); in a page shown to lose bytes such
            a repair pays the prior of each loss event, not
            `chardata.GUESS_BITS` per guessed byte (`score._prior_bits`).
            0 for every other repair (the other byte-loss variants keep
            the per-byte charge: not measured yet).
        edge_bits: prior cost in bits of where the repair's edges fall
            (`chardata.EDGE_INSIDE_HAN_BITS` for each edge between two Han
            characters of the repaired text; set for Big5 <-> GBK repairs,
            whose edges the model places: `_refined_stretch`).
    """

    start: int
    end: int
    replacement: str
    plan: tuple[PlanItem, ...]
    kind: str
    guessed_bytes: int = 0
    guessed: tuple[int, ...] = ()
    lost: tuple[int, ...] = ()
    guess_confidence: float = 1.0
    defer: bool = False
    lost_form: tuple[str, tuple[PlanItem, ...], tuple[int, ...]] | None = None
    layers: int = 1
    edge_bits: float = 0.0
    loss_events: int = 0


_WEB_SYMBOLS_RE = re.compile(f"[{chardata.WEB_SYMBOLS}]+")


def _symbols_only(pieces: list[bytes | None]) -> bool:
    """Whether the bytes `pieces` leave out of a UTF-8 segment's core
    (`detect.utf8_core`) or narrower stretch are symbols a web page writes
    beside Chinese (`chardata.WEB_SYMBOLS`) in UTF-8, with ASCII at most:
    then they belong to the damage, not to clean text beside it, and the core
    is not offered alone (版权©2024 read as GBK is 鐗堟潈漏2024, © being C2 A9,
    GBK's 漏, which the model prices below © after Han text; a clean
    neighbour whose GBK bytes are two-byte UTF-8 makes a letter: 学, D1 A7,
    is ѧ; 路, C2 B7, is ·, which is why · is not one of them)."""
    if any(p is None for p in pieces):
        return False
    try:
        decoded = b"".join(pieces).decode("utf-8")
    except UnicodeDecodeError:
        return False
    core = chardata.non_ascii(decoded)
    return _WEB_SYMBOLS_RE.fullmatch(core) is not None


# Lead bytes kept per start of a byte-loss run: the bigram model ranks the
# 126 possible lead bytes by the first character alone; the word model then
# scores whole candidates. The right byte ranked within the top 3 on every run
# of samples/000_cc1ae68ad79e1051.txt; 8 leaves a margin. Trail bytes guessed
# at a run's end likewise, fewer (they multiply the candidates).
LEADS_PER_START = 8
TRAILS_PER_END = 4


def _has_han(s: str) -> bool:
    return chardata.HAN_RE.search(s) is not None


# The readings judged below are pure functions of short strings met again and
# again (what a wrong codec makes of two or three bytes): their answers are
# kept for the next time (4,096 each).
@lru_cache(maxsize=4096)
def _chinese_reading(s: str) -> bool:
    """A reading luanma makes itself: one with Han characters, Chinese
    punctuation with symbols (¡A read back through Big5 is ，; 鈩冿紝 through
    GBK is ℃，), or emoji (馃憤 read back through GBK is 👍)."""
    core = chardata.non_ascii(s)  # numbers and codes aside
    return (_has_han(core) or chardata.chinese_marks_only(core)
            or (bool(core) and all(chardata.EMOJI_RE.match(ch) for ch in core)))


@lru_cache(maxsize=4096)
def _marks_only_reading(s: str) -> bool:
    """A reading whose non-ASCII part is punctuation and symbols alone (not
    emoji: 馃憤 read back is 👍 wherever it stands)."""
    core = chardata.non_ascii(s)
    return chardata.chinese_marks_only(core) and not all(chardata.EMOJI_RE.match(ch)
                                                         for ch in core)


def _beside_word(text: str, start: int, end: int) -> bool:
    """Whether the non-ASCII part of ``text[start:end]`` touches a letter, a
    digit or a Han character: a punctuation mark read back (ㄛ for ，, ﹝ for
    。) is written against the text it punctuates (8842ㄛ实付, 21:00﹝,
    3¡¢timeout); ``: ㄛ~`` between a space and a tilde is Taiwanese writing
    (ㄛ for o). After a Han character the mark must also be followed by a
    word: a comma joins two clauses, while Taiwanese writing ends a sentence
    with the particle (一定要的ㄛ~~, 給我回應ㄛ!: chardet's Big5 test feed)."""
    core = [k for k in range(start, end) if not text[k].isascii()]
    if not core:
        return False
    if core[0] > 0 and text[core[0] - 1] == "%":
        return True  # 降低 15%。 (¡£ through cp1252): a mark ends the figure
    before, after = core[0] - 1, core[-1] + 1
    word_after = after < len(text) and text[after].isalnum()
    if before >= 0 and chardata.HAN_RE.match(text, before):
        return word_after
    return word_after or (before >= 0 and text[before].isalnum())


def round_trips(text: str, start: int, end: int, wrong: str, right: str, kind: str,
                model: CharModel) -> list[Candidate]:
    """Candidates for ``text[start:end]`` read with codec `wrong` instead of `right`.

    The run is encoded back with `wrong`; the segments of its bytes that
    decode with `right` (for `right` = utf-8, as found by
    `detect.utf8_segments`, where a U+FFFD stands for one lost continuation
    byte; for a double-byte `right`, maximal runs of whole double-byte
    characters) become candidates. A character with lost bytes is guessed
    back when the model is sure enough (`chardata.GUESS_MIN_POSTERIOR`),
    else it becomes one U+FFFD. Only results holding Han characters are
    kept: Latin mix-ups are ftfy's. Layered damage is peeled up to
    `chardata.MAX_LAYERS` deep.

    Returns:
        Candidates with offsets into `text`, sorted by start; alternatives
        for one segment overlap.
    """
    # A Shift_JIS reading whose line holds no character of cp932's single-byte
    # signal (`chardata.CP932_SINGLE_BYTE_RE`): only kanji, kana and symbols.
    # What signals it is UTF-8's bytes (`gate._cp932_utf8_pattern`), so only
    # the round trip to UTF-8 is tried, and only a run read whole is taken
    # (`_part_of_kanji_run`).
    kanji_line = False
    if wrong in _SHIFT_JIS_CODECS:
        line_end = text.find("\n", end)
        kanji_line = chardata.CP932_SINGLE_BYTE_RE.search(
            text, text.rfind("\n", 0, start) + 1, len(text) if line_end < 0 else line_end) is None
        if kanji_line and right != "utf-8":
            return []
    # b"" cuts segments: never decodes to a pair
    region, table = text[start:end], _piece_table(wrong)
    pieces: list[bytes | None]
    if right == "utf-8" and "\ufffd" in region:
        pieces = [None if ch == "\ufffd" else table[ch] for ch in region]
    else:
        pieces = list(map(table.__getitem__, region))
    if wrong in _SINGLE_BYTE_WRONG and right in chardata.DOUBLE_BYTE_CODECS:
        _cut_at_quotes(region, pieces)
    swaps: dict[int, bytes] = {}
    if wrong in chardata.DUPLICATE_FORM_CODECS and right in chardata.DOUBLE_BYTE_CODECS:
        swaps = _chosen_forms(text, start, pieces, wrong, right, model)
        for k, form in swaps.items():
            pieces[k] = form
    if right == "utf-8":
        segments = []
        for i, j in detect.utf8_segments(pieces):
            segments.append((i, j))
            core = detect.utf8_core(pieces[i:j])
            if core and not _symbols_only(pieces[i : i + core[0]] + pieces[i + core[1] : j]):
                segments.append((i + core[0], i + core[1]))
    else:
        segments = _double_byte_segments(pieces, right)
    kept = []
    both_double_byte = (right in chardata.DOUBLE_BYTE_CODECS
                        and wrong in chardata.HAN_READING_WRONG_CODECS)
    for i, j in segments:
        if both_double_byte:
            # Big5 and GBK: both readings are Han, so where the damage ends is
            # the model's call, one character at a time (`_refined_stretch`);
            # only that stretch is offered.
            stretch = _refined_stretch(text, start, end, pieces, i, j, right, model,
                                       residue_re(wrong))
            if stretch is not None and not _russian_words(
                    text, start + stretch[0], start + stretch[1]) and not chardata.private_use_only(
                    text[start + stretch[0] : start + stretch[1]]):
                # (GBK's row of Cyrillic letters is Big5's of common
                # characters: Нееееет read as Big5 is Н快快快快快找. A stretch
                # of private use alone is not offered: icon fonts write their
                # glyphs there (Alibaba's iconfont from U+E600: a page's <i
                # class="iconfont">&#xe610;</i> scraped as text), which is
                # where GB18030 puts Big5 pairs with a trail byte below 0xA1
                # (Big5 大女 is A4 6A A4 6B, U+E610 U+E611 read as GB18030);
                # with no other character of the stretch misread, icons are
                # far likelier. 祅 U+E5F0, Big5 登入, still is: 祅 is misread
                # too.)
                kept.append(stretch)
            continue
        gain, narrower = _best_subsegment(text, start, pieces, i, j, right, model)
        c1, runs = _latin1_runs(pieces, i, j) if right == "utf-8" else (False, [])
        if gain is not None and gain <= chardata.MIN_BIGRAM_GAIN_BITS and not narrower \
                and not c1:
            continue  # cheap check: the re-reading reads worse; skip the word model
        kept.append((i, j))
        kept += [n for n in narrower + runs if n not in segments and n not in kept]
    segments = kept
    out = []
    residue = residue_re(wrong)
    for i, j in segments:
        seg = pieces[i:j]
        if b"" in seg:
            continue
        if residue is not None and _beside_residue(text, start, pieces, i, j, residue):
            continue  # a half repair: the wrong codec's work goes on beside it
        if kanji_line and _part_of_kanji_run(text, start, pieces, i, j, residue):
            continue  # kanji a Japanese word or name is written in, not UTF-8 read as cp932
        if wrong == "sloppy-windows-1251" and _russian_words(text, start + i, start + j):
            continue  # Сочи, Яндекс: words written in Russian, not GBK read as cp1251
        if wrong in _SINGLE_BYTE_WRONG and one_repeated(text[start + i : start + j]):
            # ¿¿¿¿ or »»»» is one byte repeated, a GBK pair whose lead is its
            # trail (靠靠, 遙遙), which a run of one symbol makes whatever
            # it is: no more evidence than one character
            continue
        if None in seg:
            decoded = _decode_utf8_gaps(seg, model, context_before(text, start + i),
                                        text[start + j : start + j + 1], wrong)
            if decoded is None:
                continue
            fixed, fills, guessed, lost, posterior = decoded
            if encode_filled(text[start + i : start + j], fills, wrong).decode(
                    right, "replace") != fixed:
                # (a lost character whose bytes Python's decoder splits
                # otherwise, E0 and 80 around a lost byte: two U+FFFD, not
                # one; a reading whose plan would not replay is not offered:
                # fresh-eyes report fe12 S2-1)
                continue
            plan: tuple[PlanItem, ...] = (("fill", ",".join(fills)), ("encode", wrong),
                                          ("decode_lossy", right))
        else:
            try:
                fixed = b"".join(seg).decode(right)
            except UnicodeDecodeError:
                continue
            plan, guessed, lost, posterior = (("encode", wrong), ("decode", right)), (), (), 1.0
            swapped = _swap_edits(pieces, i, j, swaps)
            if swapped:
                plan = (("encode", wrong), ("swap", swapped), ("decode", right))
        n_guessed = sum(len(f) // 2 for f in plan[0][1].split(",")) if plan[0][0] == "fill" else 0
        layers = [(fixed, plan)] if (guessed or lost) else _layers(fixed, plan, model)
        for layer_text, layer_plan in layers:
            if layer_text != text[start + i : start + j]:
                # A reading without Han characters is ftfy's to make, but it
                # competes: if it explains the bytes better, nothing is done.
                out.append(Candidate(start + i, start + j, layer_text, layer_plan, kind,
                                     n_guessed, guessed, lost, 0.0 if lost else posterior,
                                     defer=not _chinese_reading(layer_text) or (
                                         _marks_only_reading(layer_text)
                                         and not _beside_word(text, start + i, start + j)),
                                     layers=sum(1 for a, _ in layer_plan if a.startswith("decode")),
                                     edge_bits=(_edge_bits(text, start, end, start + i, start + j,
                                                           layer_text) if both_double_byte else 0.0)))
    return out


# Quotation marks and dashes that Chinese text writes and that cp1252, cp1250
# and cp1251 make of bytes 0x85 and 0x91..0x97. As GBK bytes those are a
# lead of GBK/3 (Traditional and rare characters: 會 is 95 FE, •þ) or a
# trail below 0xA1 (Big5 has no such byte), so beside Han text or a Chinese
# mark, where a damaged stretch would have to begin or end just there, they
# are the writer's; within damage they may be bytes.
_QUOTE_BYTES = frozenset("…—–“”‘’•")


def _cut_at_quotes(region: str, pieces: list[bytes | None]) -> None:
    """Cut the pieces of `region` (one per character, in place: ``b""``
    cuts a double-byte segment) at each of `_QUOTE_BYTES` with a character
    from U+2E80 on (Han, a CJK or full-width mark) beside it, or doubled
    (`_DOUBLED`: —— and ……), so that a
    round trip through a single-byte codec to GBK or Big5 never pairs the
    writer's quotation mark with the damage it quotes (他说“´íÎó´úÂë”: the
    “ read as byte 0x93 put every pair out of step; fresh-eyes report fe11b
    S1-1 and S2-1: 0 of 47 such quotes were repaired right)."""
    last = len(region) - 1
    for k, ch in enumerate(region):
        if ch in _QUOTE_BYTES and (k > 0 and region[k - 1] >= "\u2e80"
                                   or k < last and region[k + 1] >= "\u2e80"
                                   or ch in _DOUBLED and (k > 0 and region[k - 1] == ch
                                                          or k < last and region[k + 1] == ch)):
            pieces[k] = b""


# Marks a writer doubles (——, ……): doubled, their bytes are 棗 and 厖, rare
# Traditional characters, where ““ and ”” are 擔 and 敂 (負擔 in GBK read as
# cp1252 is 袚““). Between two damaged stretches —— read 棗 at 0.9975
# (fresh-eyes report fe11c S2-1).
_DOUBLED = frozenset("—…")


# Wrong codecs that make one character of each byte.
_SINGLE_BYTE_WRONG = frozenset({"cp1252", "latin-1", "sloppy-windows-1252",
                                "sloppy-windows-1251", "sloppy-windows-1250"})


def one_repeated(region: str) -> bool:
    """Whether the non-ASCII characters of `region` are one character, more
    than once, and every ASCII character right after one of them that could
    be a double-byte trail byte (0x40..0x7E) is one character too: Big5 編碼
    (BD 73 BD 58) read as Latin-1 is ``½s½X``, two characters whose lead
    bytes are the same, not one repeated."""
    core = chardata.non_ascii(region)
    if len(core) < 2 or len(set(core)) != 1:
        return False
    trails = {m.group(1) for m in _TRAIL_AFTER_NON_ASCII_RE.finditer(region)}
    return len(trails) <= 1


_TRAIL_AFTER_NON_ASCII_RE = re.compile("[^\x00-\x7f]([\x40-\x7e])")


# A run of Russian letters (the 33 of the alphabet; no Ukrainian, Serbian
# or Macedonian one, which windows-1251 also makes of GBK bytes).
_RUSSIAN_RUN_RE = re.compile("[А-Яа-яЁё]+")
_RUSSIAN_VOWELS = frozenset("аеёиоуыэюя")


def _russian_words(text: str, a: int, b: int) -> bool:
    """Whether every run of Cyrillic letters that ``text[a:b]`` touches (the
    whole run, past `a` and `b`) is a Russian word: Russian letters only,
    three or more, a vowel, cased as words are (`detect.cased_like_a_word`)
    and spelled as Russian is (`detect.cyrillic_spelling`), and nothing else
    non-ASCII in ``text[a:b]``. GBK read as windows-1251 makes letters of
    either case by the byte's value, and symbols (ґ №) between them, so its
    runs are rarely cased as words; a Russian name in a Chinese sentence
    (2014年Сочи冬奥会: GBK 杨麒 by its bytes) is written so."""
    region = text[a:b]
    if any(not ch.isascii() and not _RUSSIAN_RUN_RE.match(ch) for ch in region):
        return False
    while a > 0 and _RUSSIAN_RUN_RE.match(text[a - 1]):
        a -= 1
    while b < len(text) and _RUSSIAN_RUN_RE.match(text[b]):
        b += 1
    words = _RUSSIAN_RUN_RE.findall(text, a, b)
    return bool(words) and all(
        len(w) >= 3 and any(ch in _RUSSIAN_VOWELS for ch in w.lower())
        and detect.cased_like_a_word(w) and detect.cyrillic_spelling(w) for w in words)


@lru_cache(maxsize=65536)
def _piece(ch: str, wrong: str) -> bytes:
    """`ch` encoded with the codec `wrong`, or b"" where it cannot be, or
    where its bytes do not decode back to it: such a character was not made
    by that codec's decoder. Python's cp932 encodes ¢ £ ¬ ‖ − 〜 by best fit
    to the bytes of ￠ ￡ ￢ ∥ － ～, its shift_jis ¥ and ‾ to 5C and 7E, which
    it decodes as \\ and ~ (so a clean ¥ beside GBK read as Shift_JIS was
    read back as \\)."""
    try:
        data = ch.encode(wrong)
        return data if data.decode(wrong) == ch else b""
    except UnicodeError:
        return b""


# Characters a `_PieceTable` holds before it starts afresh (as `_piece`'s
# cache: text with every code point must not grow it without bound).
_PIECE_TABLE_CHARS = 65536


class _PieceTable(dict):
    """`_piece` of each character met, for one wrong codec, looked up as a
    dict (`round_trips` asks for every character of every piece)."""

    def __init__(self, wrong: str):
        super().__init__()
        self.wrong = wrong

    def __missing__(self, ch: str) -> bytes:
        if len(self) >= _PIECE_TABLE_CHARS:
            self.clear()
        data = self[ch] = _piece(ch, self.wrong)
        return data


@lru_cache(maxsize=None)
def _piece_table(wrong: str) -> _PieceTable:
    return _PieceTable(wrong)


@lru_cache(maxsize=None)
def duplicate_forms(codec: str) -> dict[str, tuple[bytes, ...]]:
    """Characters that the double-byte `codec` decodes from more than one
    byte pair, each with all its pairs in byte order (cp932: NEC row 13 and
    the NEC-selected and IBM extensions repeat ∵ ≒ Ⅰ..Ⅹ ￢ and 360 kanji;
    396 characters). Source: Python's codec table, every pair with a lead
    byte 0x81..0xFE."""
    forms: dict[str, list[bytes]] = {}
    for lead in range(0x81, 0xFF):
        for trail in range(0x40, 0x100):
            pair = bytes((lead, trail))
            try:
                ch = pair.decode(codec)
            except UnicodeDecodeError:
                continue
            if len(ch) == 1:
                forms.setdefault(ch, []).append(pair)
    return {ch: tuple(v) for ch, v in forms.items() if len(v) > 1}


def _chosen_forms(text: str, start: int, pieces: list[bytes | None], wrong: str, right: str,
                  model: CharModel) -> dict[int, bytes]:
    """For each character of the line that `wrong` decodes from more than one
    byte pair (`duplicate_forms`), the pair the bytes most likely were.

    A page's bytes are one form or the other; the decoded text no longer
    says which, and one line may need both (GBK 暑假 read as cp932 holds 錡
    from EE BC, the NEC-selected form; 他们 holds 鈊 from FB 9C, the IBM
    one). Both forms are two bytes, so the choice never moves how the
    `right` codec pairs the bytes: each character in turn (left to right,
    the ones before it already chosen) takes the form whose re-reading of
    the stretch from the last cut (an unencodable piece) to
    `chardata.FORM_WINDOW_PIECES` pieces past it costs the fewest bits by
    the word model (`CharModel.cost`: 李喆, a name, against 利⒋, which the
    bigram alone prefers; U+FFFD for an undecodable pair counts as junk).

    Args:
        text: the text; ``text[start:start + len(pieces)]`` is the line.
        pieces: the line's characters encoded with `wrong` (b"" cut).

    Returns:
        ``{piece index: chosen pair}`` for the pieces whose chosen pair is
        not `wrong`'s own encoding.
    """
    forms = duplicate_forms(wrong)
    chosen: dict[int, bytes] = {}
    work = list(pieces)
    cut = 0
    for k, piece in enumerate(work):
        if not piece:
            cut = k + 1
            continue
        alternatives = forms.get(text[start + k])
        if not alternatives:
            continue
        hi = min(len(work), k + 1 + chardata.FORM_WINDOW_PIECES)
        stop = next((m for m in range(k + 1, hi) if not work[m]), hi)

        def bits(form: bytes) -> float:
            raw = b"".join(work[cut:k]) + form + b"".join(work[k + 1 : stop])
            return model.cost(raw.decode(right, "replace"))

        best = min(alternatives, key=lambda form: (bits(form), form != piece))
        if best != piece:
            work[k] = best
            chosen[k] = best
    return chosen


def _swap_edits(pieces: list[bytes | None], i: int, j: int, swaps: dict[int, bytes]) -> str:
    """The ``swap`` step's parameter for segment ``(i, j)``: ``offset:hex``
    for each swapped piece in it, the offset in bytes into the segment's
    bytes as `wrong` encodes them (the same length either way); "" when
    none."""
    if not swaps:
        return ""
    edits, offset = [], 0
    for k in range(i, j):
        if k in swaps:
            edits.append(f"{offset}:{swaps[k].hex()}")
        offset += len(pieces[k] or b"")
    return ",".join(edits)


_RESIDUE_CACHE: dict[str, re.Pattern[str]] = {}


def residue_re(wrong: str) -> re.Pattern[str] | None:
    """For a wrong codec of another script (`chardata.OTHER_SCRIPT_ROUND_TRIPS`),
    the characters it makes of non-ASCII bytes that clean Chinese text does
    not hold: a repair through it must not stop beside one, nor beside a
    U+FFFD (bytes it could not decode), or it would leave part of the
    damage as it was (issue 3: never a half repair). Single-byte codecs:
    their upper half 0x80..0xFF less the punctuation Chinese uses itself
    (…—–“”‘’•·) and the no-break space; cp932: half-width katakana and the
    private-use characters it makes of bytes F0..F9 and FD..FF; cp949:
    hangul. None for the other codecs.

    Source: Python's codec tables (ftfy's sloppy codecs for cp1250/cp1251)."""
    if wrong not in chardata.OTHER_SCRIPT_CODECS:
        return None
    if wrong not in _RESIDUE_CACHE:
        if wrong.startswith("sloppy-windows-"):
            body = "".join(re.escape(c) for c in sorted(chardata.single_byte_leftovers(wrong)))
        elif wrong == "cp949":
            body = chardata.HANGUL_OR_JAMO
        else:  # cp932, shift_jis, web-shift_jis
            body = chardata.HALF_WIDTH_KATAKANA + "\ue000-\uf8ff"
        _RESIDUE_CACHE[wrong] = re.compile(f"[{body}\ufffd]")
    return _RESIDUE_CACHE[wrong]


def _beside_residue(text: str, start: int, pieces: list[bytes | None], i: int, j: int,
                    residue: re.Pattern[str]) -> bool:
    """Whether the run of segment ``(i, j)`` holds a character of `residue`
    outside the segment.

    Args:
        text: the text; ``text[start:start + len(pieces)]`` is the line.
        pieces: the line's characters encoded with the wrong codec (b"" for
            one it cannot encode).
        i, j: piece indices (character offsets from `start`) of the segment.
        residue: `residue_re` of the wrong codec.

    The run is the stretch around the segment that the wrong codec could
    have made: it ends at white space (mojibake holds no spaces of its own)
    and at a character that codec cannot encode (和 between two stretches of
    cp1251 mojibake is clean text, and each stretch is its own run)."""
    def made_by_codec(k: int) -> bool:
        return pieces[k] != b"" and not text[start + k].isspace()

    k = i - 1
    while k >= 0 and made_by_codec(k):
        if residue.match(text, start + k):
            return True
        k -= 1
    k = j
    while k < len(pieces) and made_by_codec(k):
        if residue.match(text, start + k):
            return True
        k += 1
    return False


# Shift_JIS decoders (chardata.OTHER_SCRIPT_ROUND_TRIPS).
_SHIFT_JIS_CODECS = frozenset({"cp932", "shift_jis", "web-shift_jis"})


def _in_kanji_run(ch: str, wrong: str) -> bool:
    """Whether `ch` can stand in a run of a Shift_JIS reading (`wrong`):
    U+FFFD (a lost byte's mark, as in `round_trips`), or a character
    `wrong` encodes that is no white space and no punctuation mark of
    Chinese text (`chardata.PUNCT_SHARES`: cp932 has each as 81 and an
    ASCII byte, which UTF-8 Chinese makes only where a continuation byte 81
    stands before ASCII text)."""
    return ch == "\ufffd" or (not ch.isspace() and ch not in chardata.PUNCT_SHARES
                               and _piece(ch, wrong) != b"")


def run_reads_as_utf8(text: str, pos: int, wrong: str = "cp932") -> bool:
    """Whether the run of a Shift_JIS reading around ``text[pos]`` (the
    characters either side for which `_in_kanji_run` holds) decodes as
    UTF-8 whole once encoded with `wrong`, or holds a character of
    `residue_re(wrong)` (private-use, U+FFFD: undecodable or lost bytes,
    which `round_trips` judges by its own rules).

    Args:
        text: the text; pos: a code-point offset into it, of a character
            `wrong` encodes.
        wrong: a Shift_JIS codec (``cp932``, ``shift_jis``, ``web-shift_jis``).

    A line of kanji only is repaired through cp932 only by a run read
    whole (`_part_of_kanji_run`): cp932's signal asks for this too
    (`gate._cp932_utf8_pattern`), so that clean Traditional text, which
    cp932 mostly encodes (96% of the Han characters of the corpus pages),
    holds a signal only where a run of it happens to be UTF-8."""
    a = pos
    while a > 0 and _in_kanji_run(text[a - 1], wrong):
        a -= 1
    b = pos
    while b < len(text) and _in_kanji_run(text[b], wrong):
        b += 1
    run = text[a:b]
    if residue_re(wrong).search(run):
        return True
    try:
        run.encode(wrong).decode("utf-8")
    except UnicodeError:
        return False
    return True


def _part_of_kanji_run(text: str, start: int, pieces: list[bytes | None], i: int, j: int,
                       residue: re.Pattern[str]) -> bool:
    """Whether segment ``(i, j)`` is part of a run of a Shift_JIS reading
    that holds no character of `residue` (no half-width katakana, nothing
    private-use, no U+FFFD: only kanji, kana and symbols), with a non-ASCII
    character of that run outside the segment.

    Args: as `_beside_residue`; the run: the characters either side for
    which `_in_kanji_run` holds (white space, a punctuation mark of Chinese
    text and a character the codec cannot encode end it). ASCII characters
    inside it do not count against the segment (a lead byte 81..9F takes
    an ASCII trail).

    Such a run reads as Japanese itself, and re-reads as UTF-8 only where
    its bytes happen to: 依莉大黒家 has 莉大黒 (E4 BF 91 E5 8D 95, 仑单),
    蜩大奮 in 茅蜩大奮. UTF-8 Chinese read as cp932 is read whole: each
    non-ASCII byte of the run is one of its characters' (a wrong decode
    covers a whole field, title or clause), and where no continuation byte
    came out alone as katakana, only the whole run is evidence of it.
    Measured on the words of IPADIC (janome's dictionary; a scratch check,
    nothing shipped) joined two at random where cp932's pattern matches:
    without this test 14 of 3,000 more were changed, at 0.96-0.996, than
    without the signal; with it, none."""
    def made_by_codec(k: int) -> bool:
        return pieces[k] != b"" and not text[start + k].isspace() and \
            text[start + k] not in chardata.PUNCT_SHARES

    outside = False
    k = i - 1
    while k >= 0 and made_by_codec(k):
        if residue.match(text, start + k):
            return False
        outside = outside or not text[start + k].isascii()
        k -= 1
    k = j
    while k < len(pieces) and made_by_codec(k):
        if residue.match(text, start + k):
            return False
        outside = outside or not text[start + k].isascii()
        k += 1
    return outside and not any(residue.match(text, start + k) for k in range(i, j))


# Codecs whose every character decodes from, and encodes back to, the same
# bytes (Big5-HKSCS decodes some pairs to two code points).
_BIJECTIVE_CODECS = frozenset({"utf-8", "gb18030"})

# Latin-1's upper half (U+0080..U+00FF): what a wrong single-byte decode makes
# of lead bytes. (Not cp1252's “ ” ‘ ’ …, which Chinese text uses itself.)
_LATIN1_HIGH_RE = re.compile("[\u0080-\u00ff]")


def _best_subsegment(text: str, start: int, pieces: list[bytes | None], i: int, j: int,
                     right: str, model: CharModel
                     ) -> tuple[float | None, list[tuple[int, int]]]:
    """The part of segment ``(i, j)`` whose re-reading gains the most.

    A greedy segment can run on into clean text that the wrong codec happens
    to encode and the right one to decode (damage in one clause of a clean
    paragraph). Where character boundaries of both readings fall together,
    the bigram gain of re-reading (input bits minus output bits) is summed,
    and the stretch with the largest sum (Kadane's maximum subarray) is
    offered beside the whole segment; the scorer chooses.

    Returns:
        ``(gain, narrower)``: the bigram gain in bits of re-reading the whole
        segment (None where it cannot be measured: lost bytes), and ``(i',
        j')`` piece indices of the best narrower stretch and of that stretch
        less or plus its first or last character (a bigram is unsure at the
        edges), or an empty list.
    """
    seg = pieces[i:j]
    if None in seg or b"" in seg:
        return None, []
    raw = b"".join(seg)
    try:
        decoded = raw.decode(right)
    except UnicodeDecodeError:
        return None, []
    text_bits = model.prefix_bits(text)
    base = start + i
    # new_bits[n]: bits of the first n decoded characters, after text[base - 1]
    new_bits = list(accumulate(map(model.char_bits, chain((text[base - 1 : base],), decoded),
                                   decoded), initial=0.0))
    full_gain = text_bits[start + j] - text_bits[base] - new_bits[-1]
    if len(decoded) < 2:
        return full_gain, []  # (one alignment point past the start at most)
    # Alignment points: (piece index, decoded index) where both readings
    # have a character boundary; piece k starts `sum(map(len, seg[:k]))` bytes in.
    points = [(0, 0)]
    if right in _BIJECTIVE_CODECS:
        # Each decoded character's own bytes, end to end: the characters
        # complete at or before byte b are those whose bytes end by b.
        ends = list(accumulate(len(ch.encode(right)) for ch in decoded))
        b = produced = 0
        for k, p in enumerate(seg, 1):
            b += len(p)
            while produced < len(ends) and ends[produced] <= b:
                produced += 1
            if produced and points[-1][1] != produced:
                points.append((k, produced))
    else:
        # Characters the decoder has put out once it has read each piece
        # (it holds back a lead byte whose trail is in the next piece).
        decoder = codecs.getincrementaldecoder(right)()
        produced = 0
        for k, p in enumerate(seg, 1):
            produced += len(decoder.decode(p))
            if produced and points[-1][1] != produced:
                points.append((k, produced))
    if len(points) < 3:
        return full_gain, []
    best_gain, best = 0.0, None
    low_value, low_point = 0.0, points[0]
    for k, m in points[1:]:
        value = text_bits[base + k] - text_bits[base] - new_bits[m]
        if value - low_value > best_gain:
            best_gain, best = value - low_value, (low_point[0], k)
        if value < low_value:
            low_value, low_point = value, (k, m)
    if best is None or best[1] - best[0] < 2:
        return full_gain, []
    ks = [k for k, _ in points]
    a, b = ks.index(best[0]), ks.index(best[1])
    spans = {best}
    if b - a >= 2:
        spans |= {(ks[a + 1], best[1]), (best[0], ks[b - 1])}
    # ...and one character wider each side (the bigram is unsure at the edges:
    # 球 after a misread ， gains less than it is worth).
    if a > 0:
        spans.add((ks[a - 1], best[1]))
    if b + 1 < len(ks):
        spans.add((best[0], ks[b + 1]))
    # ...and from after a space inside it: a word before the space that the
    # wrong codec happens to encode and the right one to decode (第3章 before
    # ﾈﾋｹ､…, whose 章 is 復) ends where the text's words do.
    inner = set(ks[a:b])
    after_space = [k + 1 for k in range(best[0], best[1] - 2)
                   if seg[k] == b" " and k + 1 in inner]
    spans.update((k, best[1]) for k in after_space[:2])
    spans.discard((0, len(seg)))

    def leaves_out_damage(x: int, y: int) -> bool:
        """What a stretch leaves out must be text that reads fine as it is:
        never the Latin-1 letters a wrong single-byte decode makes (ÁÖçü
        for 林琰, a rare name the bigram gain undervalues; Ì¨ for 台 before
        積電), nor web symbols in UTF-8 (版权©2024: `_symbols_only`)."""
        left_out = text[start + i : start + i + x] + text[start + i + y : start + j]
        return _LATIN1_HIGH_RE.search(left_out) is not None or right == "utf-8" and any(
            _symbols_only(side) for side in (seg[:x], seg[y:]))

    return full_gain, sorted((i + x, i + y) for x, y in spans
                             if y - x >= 2 and not leaves_out_damage(x, y))


def _refined_stretch(text: str, start: int, end: int, pieces: list[bytes | None], i: int,
                     j: int, right: str, model: CharModel,
                     residue: re.Pattern[str] | None = None) -> tuple[int, int] | None:
    """The stretch of a Big5 <-> GBK segment ``(i, j)`` that is damage.

    Both codecs are double-byte, so every piece of the segment (one
    character of ``text[start:end]``, the line) re-reads on its own: an
    ASCII character as itself, any other as one character (two for a
    four-byte GB18030 piece). Clean text beside the damage often re-reads
    as common characters too (做做 as 暗暗 after GBK's ， read as Big5 ㄛ), and
    a damaged character can read as a plausible one (逛 as 嫣), so the
    greedy segment's edges say little. Two steps:

    1. Seed (cheap, bigram): the stretch whose re-reading gains the most
       bits by `CharModel.char_bits`, the transitions into and out of it
       counted (ㄛ before 缴 costs what ， before 缴 does not); a single
       character may be a stretch (158.62ㄛ). None when no stretch gains
       more than `chardata.MIN_BIGRAM_GAIN_BITS`.
    2. Edges (word model): each edge in turn is moved up to
       `chardata.EDGE_STEP_CHARS` changed characters inwards or outwards
       (outwards only over adjacent characters of the segment that re-read
       differently); each position is scored by `CharModel.cost` of the
       same window of the line (`chardata.EDGE_WINDOW_CHARS` either side of
       the positions tried) with the stretch re-read, plus
       `chardata.EDGE_INSIDE_HAN_BITS` when the edge falls between two Han
       characters. The cheapest position wins; on a tie the character stays
       as it was. The edge moves on while it keeps moving the same way.

    Args:
        text: the text being repaired; ``text[start:end]`` is one line.
        pieces: the line's characters encoded with the wrong codec, one
            piece per character.
        i, j: piece indices (= character offsets from `start`) of a segment
            from `_double_byte_segments`.
        right: the codec the bytes are re-read with.
        residue: `residue_re` of the wrong codec, or None: a stretch of
            one character (or of one character repeated) is kept when it
            is a Chinese mark or, with this,
            a character clean Chinese does not hold (봤 for GBK 好 read as
            cp949 in 「봤，請稍等。」).

    Returns:
        ``(i', j')``, piece indices of the stretch (inside ``(i, j)``, with
        at least one character that re-reads differently, its first and
        last such), or None.
    """
    readings = []
    for k in range(i, j):
        p = pieces[k]
        if not p:
            return None
        try:
            readings.append(p.decode(right))
        except UnicodeDecodeError:
            return None
    if not readings:
        return None
    lo_seg, hi_seg = start + i, start + j  # text offsets of the segment
    reading = dict(zip(range(lo_seg, hi_seg), readings))
    changed = [k for k in range(lo_seg, hi_seg) if reading[k] != text[k]]
    if not changed:
        return None

    # 1. Seed by the bigram model: value(a, b) = original bits of text[a:b]
    # and of the transition out of it, less the re-read bits of the same.
    def bits(prev: str, s: str) -> float:
        total = 0.0
        for ch in s:
            total += model.char_bits(prev, ch)
            prev = ch
        return total

    before = text[lo_seg - 1] if lo_seg > start else ""
    orig = [model.char_bits(text[k - 1] if k > start else "", text[k]) for k in range(lo_seg, hi_seg)]
    chain = [bits(readings[n - 1][-1] if n else before, readings[n]) for n in range(len(readings))]
    entry = [bits(text[k - 1] if k > start else "", reading[k]) for k in range(lo_seg, hi_seg)]
    best_value, seed = chardata.KEEP_PRIOR_BITS - chardata.STRETCH_BOUND_SLACK_BITS, None
    best_open, open_at = -math.inf, 0  # max over a of (-O[a] - entry[a] + C[a+1])
    o_sum = c_sum = 0.0  # O[n], C[n]: prefix sums of orig and chain
    for n in range(len(readings)):
        value_open = -o_sum - entry[n] + (c_sum + chain[n])
        if value_open > best_open:
            best_open, open_at = value_open, n
        o_sum += orig[n]
        c_sum += chain[n]
        k = lo_seg + n + 1  # the character after the stretch
        exit_gain = 0.0
        if k < end:
            exit_gain = model.char_bits(text[k - 1], text[k]) - model.char_bits(readings[n][-1], text[k])
        value = o_sum + best_open - c_sum + exit_gain
        if value > best_value:
            best_value, seed = value, (lo_seg + open_at, lo_seg + n + 1)
    if seed is None:
        return None
    s, e = seed
    inside = [k for k in changed if s <= k < e]
    if not inside:
        return None
    s, e = inside[0], inside[-1] + 1

    # 2. Edges by the word model and the edge prior.
    def render(lo: int, hi: int, s: int, e: int) -> str:
        return "".join(reading[k] if s <= k < e else text[k] for k in range(lo, hi))

    def cost_at(positions: list[tuple[int, int]], moving: list[int]) -> list[float]:
        # One window for all positions, the stretch's both edges in it; on a
        # stretch longer than `chardata.MAX_SHARED_WINDOW`, the window around
        # the edge being moved (`moving`) alone, the same for every option,
        # so that each costs O(window), not O(stretch).
        every = [p for pair in positions for p in pair]
        lo = max(start, min(every) - chardata.EDGE_WINDOW_CHARS)
        hi = min(end, max(every) + chardata.EDGE_WINDOW_CHARS)
        if hi - lo > chardata.MAX_SHARED_WINDOW:
            lo = max(start, min(moving) - chardata.EDGE_WINDOW_CHARS)
            hi = min(end, max(moving) + chardata.EDGE_WINDOW_CHARS)
        out = []
        for a, b in positions:
            c = model.cost(render(lo, hi, a, b))
            # (the re-read text's first and last characters: all _edge_bits reads)
            c += _edge_bits(text, start, end, a, b, reading[a] + reading[b - 1] if a < b else "")
            out.append(c)
        return out

    def n_changed(a: int, b: int) -> int:
        """How many of `changed` (ascending) lie in [a, b)."""
        return bisect.bisect_left(changed, b) - bisect.bisect_left(changed, a)

    def n_symbols(a: int, b: int) -> int:
        """How many of `changed` in [a, b) re-read as a symbol and are
        neither Han nor a Chinese mark as they stand (★ for GBK's bytes of ∴
        read as Big5, ① for Ｋ), counted where they touch other changed
        characters that are not such (∴薊炵扂蠅, not a clean ℃ with a ，
        that re-reads as itself between it and the damage): the model prices
        symbols and letters of other scripts alike, so it cannot tell the
        two apart, but bytes the wrong codec read beside the damage were
        read by it too."""
        count = 0
        run: list[bool] = []  # a run of consecutive changed characters: symbol or not
        for n, k in enumerate(changed[bisect.bisect_left(changed, a):bisect.bisect_left(changed, b)]):
            if n and k != last + 1:
                count += sum(run) if not all(run) else 0
                run = []
            run.append(_symbol(reading[k]) and not text[k].isascii()
                       and text[k] not in chardata.PUNCT_SHARES
                       and not chardata.HAN_RE.match(text[k]))
            last = k
        return count + (sum(run) if run and not all(run) else 0)

    for side in ("start", "end"):
        direction = 0
        while True:
            pos = s if side == "start" else e
            inward, outward = [], []
            # changed[i0:i1]: the changed characters inside the stretch
            i0, i1 = bisect.bisect_left(changed, s), bisect.bisect_left(changed, e)
            if side == "start":
                # Dropping the first n changed characters starts at the next one.
                inward = changed[min(i1, i0 + 1) : min(i1, i0 + 1 + chardata.EDGE_STEP_CHARS)]
                outward = [k for k in reversed(changed) if k < s
                           and s - k <= chardata.EDGE_WINDOW_CHARS][: chardata.EDGE_STEP_CHARS]
            else:
                inward = [k + 1 for k in reversed(
                    changed[max(i0, i1 - 1 - chardata.EDGE_STEP_CHARS) : max(i0, i1 - 1)])]
                outward = [k + 1 for k in changed if k >= e
                           and k - e < chardata.EDGE_WINDOW_CHARS][: chardata.EDGE_STEP_CHARS]
            options = [pos] + (inward if direction >= 0 else []) + (outward if direction <= 0 else [])
            if len(options) == 1:
                break
            pairs = [(p, e) if side == "start" else (s, p) for p in options]
            costs = cost_at(pairs, options)
            # Cheapest; on a tie the most symbols re-read beside the damage,
            # then the fewest re-read characters.
            cheapest = min(costs)
            tied = [n for n in range(len(options)) if costs[n] == cheapest]
            # (symbols are counted only where costs tie: one walk of the stretch each)
            best = tied[0] if len(tied) == 1 else min(
                tied, key=lambda n: (-n_symbols(*pairs[n]), n_changed(*pairs[n])))
            if options[best] == pos:
                break
            moved_in = options[best] in inward
            direction = 1 if moved_in else -1
            if side == "start":
                s = options[best]
            else:
                e = options[best]
    alone = [k for k in changed if s <= k < e]
    if (len(alone) == 1 or one_repeated("".join(text[k] for k in alone))) and not (
            all(ch in chardata.PUNCT_SHARES and ch >= "\u3000" for ch in reading[alone[0]])
            or residue is not None and residue.match(text, alone[0]) is not None):
        # one character alone, or one repeated (clean ﹏﹏﹏ re-reads as 姊姊姊,
        # ＵＵＵ as €€€: each re-reads on its own, so a repeat is no more
        # evidence than the first): only a Chinese mark (158.62ㄛ), as in
        # reads_as_chinese, or the wrong codec's plain residue (score._plainly_residue)
        return None
    return s - start, e - start


def _symbol(s: str) -> bool:
    """Whether `s` is one non-ASCII symbol, mark or enclosed number (★, ※,
    ①: Unicode categories S*, P*, No), not a Chinese mark
    (`chardata.PUNCT_SHARES`, which the model prices each on its own)."""
    return (len(s) == 1 and not s.isascii() and s not in chardata.PUNCT_SHARES
            and (unicodedata.category(s)[0] in "SP" or unicodedata.category(s) == "No"))


def _edge_bits(text: str, start: int, end: int, a: int, b: int, replacement: str) -> float:
    """Prior cost in bits of a repair of ``text[a:b]`` into `replacement`
    having its edges where they are: `chardata.EDGE_INSIDE_HAN_BITS` for
    each edge between two Han characters (the one outside from the text,
    the one inside from `replacement`); ``text[start:end]`` is the line,
    whose ends are no neighbours."""
    def han(ch: str) -> bool:
        return bool(ch) and chardata.HAN_RE.match(ch) is not None

    bits = 0.0
    if a > start and han(text[a - 1]) and han(replacement[:1]):
        bits += chardata.EDGE_INSIDE_HAN_BITS
    if b < end and han(text[b]) and han(replacement[-1:]):
        bits += chardata.EDGE_INSIDE_HAN_BITS
    return bits


# A run of Latin-1 text (printable ASCII and U+0080..U+00FF) from and to a
# character of the upper half.
_LATIN1_RUN_RE = re.compile("[\u0080-\u00ff][\u0020-\u00ff]*[\u0080-\u00ff]|[\u0080-\u009f]")


def _latin1_runs(pieces: list[bytes | None], i: int, j: int) -> tuple[bool, list[tuple[int, int]]]:
    """The stretches of UTF-8 segment ``(i, j)`` whose reading is a layer
    below: a run of Latin-1 text (`_LATIN1_RUN_RE`, two upper-half
    characters at least or a C1 control), and in it each stretch that is
    valid UTF-8 once encoded as Latin-1 (`detect.utf8_segments`), as piece
    indices.

    Mojibake made twice through Latin-1 (数据 read as Latin-1, saved as
    UTF-8, read as GBK: 忙聲掳忙聧庐; GBK 后来 read as Latin-1, saved as UTF-8,
    read as GBK: 潞贸脌麓) reads first as such a run (æ\x95°æ\x8d®, ºóÀ´),
    and a clean character beside it whose GBK bytes happen to be valid
    UTF-8 (悉 is CF A4: Ϥ; 学 is D1 A7: ѧ; 每 is C3 BF: ÿ, Latin-1 too but
    no UTF-8 of what lies below) is no part of it: the greedy segment's
    edges are not the damage's, and its narrower stretches are found by the
    bigram gain, which a run's C1 controls make useless.

    Returns:
        ``(c1, stretches)``: whether a run holds a C1 control (no text holds
        those: a Latin-1 decode made them, so the reading is a layer to peel
        whatever the bigram says of it: æ\x95°æ\x8d® costs more than
        忙聲掳忙聧庐), and the stretches, ``(i, j)`` itself included when it
        is one. Only runs whose ends fall on piece boundaries; none when the
        segment has U+FFFD or unencodable pieces.
    """
    seg = pieces[i:j]
    if None in seg or b"" in seg:
        return False, []
    raw = b"".join(seg)
    if b"\xc2" not in raw and b"\xc3" not in raw:
        return False, []  # U+0080..U+00FF are C2 80..C3 BF in UTF-8
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False, []
    # character offset -> piece index, where both readings have a boundary
    at, pos = {0: 0}, 0
    ends = list(accumulate(len(ch.encode("utf-8")) for ch in decoded))
    for k, p in enumerate(seg, 1):
        pos += len(p)
        n = bisect.bisect_right(ends, pos)
        if n and ends[n - 1] == pos:
            at[n] = k
    c1, out = False, []
    for m in _LATIN1_RUN_RE.finditer(decoded):
        run = m.group()
        has_c1 = chardata.C1_RE.search(run) is not None
        if not has_c1 and sum(1 for ch in run if ch >= "\x80") < 2:
            continue
        c1 = c1 or has_c1
        stretches = [(0, len(run))] + detect.utf8_segments([bytes((ord(ch),)) for ch in run])
        for a, b in stretches:
            a, b = m.start() + a, m.start() + b
            if a in at and b in at and (i + at[a], i + at[b]) not in out:
                out.append((i + at[a], i + at[b]))
    return c1, out
# A UTF-8 three-byte sequence's lead and first continuation byte (RFC 3629).
_UTF8_HEAD_RE = re.compile(rb"[\xe0-\xef][\x80-\xbf]\Z")


@lru_cache(maxsize=4096)  # (pure: see _chinese_reading)
def _looks_like_mojibake(text: str, model: CharModel, from_utf8: bool = False) -> bool:
    """Whether a layer's reading still shows what a wrong decode makes, so
    that peeling another layer off it can be worth trying: two odd
    characters close together (`CharModel.odd_pair_re`), three whose GBK
    bytes are two UTF-8 sequences (`gate.Gate.utf8_in_gbk_re`; both UTF-8
    read as GBK), a run of Latin-1 or cp1252 letters from bytes 0x80..0xFF
    (`detect.LATIN_RUN_RE`), a U+FFFD, or, in a reading made by a UTF-8
    decode (`from_utf8`), a private-use character: what a GBK or Big5
    decoder made of its user-defined areas, which UTF-8 bytes fall in, before
    the text was saved as UTF-8 (大学 read as GBK is 澶у\ue11f, read so
    again 婢堆冾劅). (A GBK or Big5 decode's own private-use characters are
    no such sign: they are what that wrong reading makes of the bytes.) A
    reading without any is either
    the repair or an accident of decoding; chains of round trips through it
    only make more accidents (one 309-character line of UTF-8 read as
    cp1252 gave 986 deeper readings, 11 of them Chinese-looking, none
    right)."""
    from .gate import get_gate

    return (model.odd_pair_re.search(text) is not None
            or get_gate().utf8_in_gbk_re.search(text) is not None
            or detect.LATIN_RUN_RE.search(text) is not None or "\ufffd" in text
            or from_utf8 and chardata.PRIVATE_USE_RE.search(text) is not None)


def _layers(text: str, plan: tuple[PlanItem, ...], model: CharModel, depth: int = 1
            ) -> list[tuple[str, tuple[PlanItem, ...]]]:
    """`text` and every deeper reading of it, up to `chardata.MAX_LAYERS`
    layers in all: mojibake made more than once (UTF-8 read as GBK, saved,
    read as GBK again; GBK read as Latin-1, saved as UTF-8, read as GBK) is
    peeled by applying any of `chardata.BASE_ROUND_TRIPS` to the whole text
    (the other scripts' codecs are not: issue 3 names no layered damage
    through them, and each would multiply the work). A layer that already
    reads as Chinese is not peeled further: chains of round trips can turn
    good text into other text by accident."""
    out = [(text, plan)]
    if (depth >= chardata.MAX_LAYERS or text.isascii()
            or not _looks_like_mojibake(text, model, plan[-1] == ("decode", "utf-8"))
            or model.reads_as_chinese(text)):
        return out
    seen = {text}
    highest = max(text)
    # the last layer peeled, as (wrong, right) codecs
    last = (plan[-2][1], plan[-1][1]) if len(plan) >= 2 else None
    for wrong, right, _ in chardata.BASE_ROUND_TRIPS:
        if not _encodes(highest, wrong):
            continue  # (the encode would fail: spares raising and catching it)
        if last is not None and _between_cjk(last) and _between_cjk((wrong, right)):
            # Big5 and GBK read as each other twice in a row: every layer
            # reads Han, so a chain of them turns a rare name into a common
            # word by accident (宓淼, GBK read as Big5, read back three times
            # as 揾能 at 0.998: fresh-eyes report fe11b S2-4)
            continue
        try:
            deeper = text.encode(wrong).decode(right)
        except UnicodeError:
            continue
        if deeper not in seen:
            seen.add(deeper)
            out += _layers(deeper, plan + (("encode", wrong), ("decode", right)), model, depth + 1)
    return out


def _between_cjk(pair: tuple[str, str]) -> bool:
    """Whether a round trip's (wrong, right) codecs are both double-byte
    CJK codecs (`chardata.DOUBLE_BYTE_CODECS`)."""
    return pair[0] in chardata.DOUBLE_BYTE_CODECS and pair[1] in chardata.DOUBLE_BYTE_CODECS


@lru_cache(maxsize=65536)
def _encodes(ch: str, codec: str) -> bool:
    """Whether `codec` encodes `ch` (strictly)."""
    try:
        ch.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


_STRICTEST_DECODER = {"gbk": "gbk", "gb18030": "gbk", "web-gbk": "gbk",
                      "big5": "big5", "big5hkscs": "big5", "cp950": "big5"}


@lru_cache(maxsize=4096)
def _replaced_by(wrong: str | None, byte: int, nxt: int | None) -> bool:
    """Whether a decoder of `wrong`'s family (a GBK or Big5 codec; any other
    answers True) that met `byte` followed by `nxt` (None: unknown, or the
    end of the text) may have put a U+FFFD for `byte`: its strictest member
    decodes neither `byte` with `nxt` as one character nor `byte` alone. A
    lost byte of UTF-8 read as GBK can only be one of these (鐨勮�叉キ,
    的課業, lost AA before B2; 農's BE would have made 静 with it)."""
    # The strictest decoder of the family replaces the most: Python's gbk
    # maps neither GBK's user-defined areas (AA E4 is U+E043 in gb18030 and
    # in a browser) nor 0x80; big5 maps no HKSCS pair. A U+FFFD may come
    # from any of the family, so a byte is possible if that one replaces it.
    strictest = _STRICTEST_DECODER.get(wrong or "")
    if strictest is None:
        return True
    wrong = strictest
    try:
        bytes((byte,)).decode(wrong)
        return False
    except UnicodeDecodeError:
        pass
    if nxt is None:
        return True
    try:
        bytes((byte, nxt)).decode(wrong)
        return False
    except UnicodeDecodeError:
        return True


def encode_filled(text: str, fills: list[str], codec: str) -> bytes:
    """`text` encoded with `codec`, each U+FFFD in it replaced by the bytes of
    its entry in `fills` (hex; "" puts back nothing): the ``fill`` and
    ``encode`` items of a plan that guessed lost bytes back
    (`_decode_utf8_gaps`), as `engine.apply_plan` replays them.

    Raises:
        ValueError: `fills` has not one entry per U+FFFD, or an entry is
            not hex.
        UnicodeEncodeError: `codec` cannot encode the text.
    """
    parts = text.split("\ufffd")
    if len(parts) != len(fills) + 1:
        raise ValueError(f"fill has {len(fills)} entries for {len(parts) - 1} U+FFFD")
    out = bytearray(parts[0].encode(codec))
    for hexbytes, part in zip(fills, parts[1:]):
        out += bytes.fromhex(hexbytes) + part.encode(codec)
    return bytes(out)


def _decode_utf8_gaps(pieces: list[bytes | None], model: CharModel, before: str, after: str,
                      wrong: str | None = None
                      ) -> tuple[str, list[str], tuple[int, ...], tuple[int, ...], float] | None:
    """Decode UTF-8 bytes some of which are unknown (None), guessing each
    character with unknown bytes by the model or leaving it as one U+FFFD.

    `wrong` is the codec that read the bytes (U+FFFD for each unknown one):
    a fill is tried only where that codec would have replaced it given the
    byte after it in the pieces (`_replaced_by`).

    Returns:
        ``(text, fills, guessed, lost, posterior)``: the text; for each unknown
        byte in order, the hex of the byte put back or "" if left lost;
        offsets into the text of guessed characters and of U+FFFD ones; the
        product of the guesses' posteriors. None when a sequence cannot be
        UTF-8.
    """
    tokens: list[int | None] = []
    for p in pieces:
        tokens.extend([None] if p is None else p)
    # each character: its text, or (the options for its lost bytes, how many)
    chars: list[str | tuple[list[tuple[str, tuple[int, ...]]], int]] = []
    pos = 0
    while pos < len(tokens):
        width = detect._utf8_width(tokens[pos])
        if width == 0:
            return None
        seq = tokens[pos : pos + width]
        pos += width
        gaps = [k for k, t in enumerate(seq) if t is None]
        if not gaps:
            try:
                chars.append(bytes(seq).decode("utf-8"))
            except UnicodeDecodeError:
                return None
            continue
        if len(gaps) > chardata.MAX_GAPS_PER_CHAR:
            chars.append(([], len(gaps)))
            continue
        options = []
        start_pos = pos - width
        # The byte after a lost one, where the pieces hold it: the text
        # after them may be clean text the damage stopped before (a clause
        # of mojibake in a clean page), not what the decoder met.
        nexts = [tokens[start_pos + k + 1] if start_pos + k + 1 < len(tokens) else None
                 for k in gaps]
        for values in product(range(0x80, 0xC0), repeat=len(gaps)):
            if not all(_replaced_by(wrong, v, n) for v, n in zip(values, nexts)):
                continue
            filled = list(seq)
            for k, v in zip(gaps, values):
                filled[k] = v
            try:
                options.append((bytes(filled).decode("utf-8"), values))
            except UnicodeDecodeError:
                continue
        chars.append((options, len(gaps)))
    text_parts: list[str] = []
    fills: list[str] = []
    guessed: list[int] = []
    lost: list[int] = []
    posterior = 1.0
    for n, item in enumerate(chars):
        if isinstance(item, str):
            text_parts.append(item)
            continue
        prev = text_parts[-1] if text_parts else before[-1:]
        nxt = chars[n + 1] if n + 1 < len(chars) and isinstance(chars[n + 1], str) else (
            after[:1] if n + 1 == len(chars) else "")
        options, n_gaps = item
        best = _guess(options, prev, nxt, model)
        if best is None:
            text_parts.append("\ufffd")
            lost.append(len(text_parts) - 1)
            fills.extend([""] * n_gaps)
        else:
            ch, values, p = best
            posterior *= p
            text_parts.append(ch)
            guessed.append(len(text_parts) - 1)
            fills.extend(f"{v:02x}" for v in values)
    return "".join(text_parts), fills, tuple(guessed), tuple(lost), posterior


def _guess(options: list[tuple[str, tuple[int, ...]]], prev: str, nxt: str, model: CharModel
           ) -> tuple[str, tuple[int, ...], float] | None:
    """The option the model finds most probable between `prev` and `nxt`, with
    its posterior among the options, if that is at least
    `chardata.GUESS_MIN_POSTERIOR`."""
    if not options:
        return None
    scored = []
    for ch, values in options:
        if not ch.isprintable() or (len(values) > 1 and not model.knows(ch)):
            continue  # two lost bytes: only characters the model knows are guessed
        bits = model.char_bits(prev, ch) + (model.char_bits(ch, nxt) if nxt else 0.0)
        scored.append((bits, ch, values))
    if not scored:
        return None
    scored.sort()
    if nxt.isascii() and nxt.isdigit() and chardata.HAN_RE.match(prev or " ") \
            and not chardata.HAN_RE.match(scored[0][1]) and not scored[0][1].isascii():
        # A mark between a Han character and a digit (电话：138 lost 9A of
        # ：): a label and its value, as often ： as ，. The model's
        # punctuation statistics (chardata.PUNCT_SHARES, People's Daily
        # 1998) pick ， (43% of marks) over ： (2%) wherever both fit the
        # bytes, and what follows hardly moves them (the same corpus puts a
        # number after 1.5% of its ： and 0.7% of its ，: a factor of 2
        # against 23); measured on UTF-8 read as GBK with lost bytes from
        # the passages (benchmarks/short_bytes.py, lost_utf8), such guesses
        # were right 2 times of 7. Left lost.
        return None
    floor = scored[0][0]
    total = sum(2.0 ** (floor - b) for b, _, _ in scored)
    if 1.0 / total < chardata.GUESS_MIN_POSTERIOR:
        return None
    return scored[0][1], scored[0][2], 1.0 / total


def _double_byte_segments(pieces: list[bytes | None], codec: str) -> list[tuple[int, int]]:
    """Piece ranges whose bytes parse as text of the double-byte `codec`.

    ASCII bytes stand alone; a lead byte 0x81..0xFE and the byte after it
    must decode together. A range starts at a piece whose first byte is a
    lead byte, ends right after a double-byte character on a piece boundary,
    and covers at least two pieces; greedy, left to right. A piece the wrong
    codec could not encode (b"") or a U+FFFD (None) ends a range.
    """
    bounds = [0]
    if None in pieces or b"" in pieces:
        tokens = detect._tokens(pieces)
        bounds += accumulate(len(p) if p else 1 for p in pieces)
    else:
        tokens = list(b"".join(pieces))
        bounds += accumulate(map(len, pieces))
    at = {b: k for k, b in enumerate(bounds)}
    pairs = _double_byte_pairs(codec)
    n_tokens = len(tokens)
    out = []
    i = 0
    while i < len(pieces):
        if not pieces[i] or pieces[i][0] < 0x81:
            i += 1
            continue
        pos, best = bounds[i], None
        while pos < n_tokens:
            t = tokens[pos]
            if t is None or t < 0:
                break
            if t < 0x80:
                pos += 1
                continue
            nxt = tokens[pos + 1] if pos + 1 < n_tokens else None
            if nxt is None or nxt < 0 or not pairs[t << 8 | nxt]:
                break
            pos += 2
            k = at.get(pos)
            if k is not None and (k - i >= 2 or len(pieces[i]) == 2):
                best = k  # one piece of two bytes: Big5 read as GBK, one character
        if best is None:
            i += 1
        else:
            out.append((i, best))
            i = best
    return out


@lru_cache(maxsize=None)
def _double_byte_pairs(codec: str) -> bytes:
    """For each byte pair ``(t, u)`` with ``t >= 0x80``, at index
    ``t << 8 | u`` (a table of 65,536 bytes), 1 where ``bytes((t, u))``
    decodes with `codec` (strictly), else 0 (0 for every ``t < 0x80``,
    never looked up): what `_double_byte_segments` asks of every pair it
    meets, decoded once (about 30 ms per codec, built by `warm_up`)."""
    table = bytearray(65536)
    for t in range(0x80, 0x100):
        for u in range(256):
            try:
                bytes((t, u)).decode(codec)
            except UnicodeDecodeError:
                continue
            table[t << 8 | u] = 1
    return bytes(table)


def _utf8_before(text: str, j: int) -> bool:
    """Whether the characters right before offset `j` are UTF-8 read as
    GBK: their GB18030 bytes (up to four characters back, the line's start
    at most) hold a whole UTF-8 character of three bytes or more and end
    in valid UTF-8 with only the last character incomplete, the one whose
    byte the U+FFFD at `j` replaced. Random GBK text is rarely UTF-8 (see
    `decode`); a run of GBK that lost a byte is GBK."""
    a = j
    while a > max(0, j - 4) and text[a - 1] not in "\r\n\ufffd":
        a -= 1
    for codec in ("gb18030", "web-gbk"):  # a browser's GBK: € is 0x80
        try:
            if _utf8_suffix(text[a:j].encode(codec)):
                return True
        except UnicodeEncodeError:
            continue
    return False


def _utf8_suffix(data: bytes) -> bool:
    """Whether `data`, less up to two bytes at its start, is UTF-8 of
    Chinese (a Han character; nothing non-ASCII below U+3000: GBK bytes
    make Hangul, Arabic and the like as UTF-8 by chance) ending inside one
    more character."""
    for skip in range(min(3, len(data))):
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            done = decoder.decode(data[skip:], final=False)
        except UnicodeDecodeError:
            continue
        if decoder.getstate()[0] and chardata.HAN_RE.search(done) and all(
                ch.isascii() or ch >= "\u3000" for ch in done):
            return True
    return False


def realignments(text: str, j: int, model: CharModel, variant: str = "ascii",
                 min_gain_bits: float | None = None) -> list[Candidate]:
    """Candidates for a GBK stream that lost one byte before offset `j`.

    A GBK decoder that loses one lead byte pairs each trail byte with the
    next lead byte until something puts it back in step. Many pages then
    fold full-width forms (U+FF01..U+FF5E) to ASCII, so the run is re-widened
    and re-encoded (GB18030, which also encodes the private-use characters a
    browser's decoder makes of user-defined byte pairs) before the lost byte
    is put back in front. What put the decoder back in step is `variant`:

    * ``ascii``: ``text[j]`` is an ASCII-range trail byte (0x40..0x7E) that
      fell out alone; the region is ``text[i:j+1]``. Also tried: the lost
      byte was the first character's trail, not its lead.
    * ``fffd``: ``text[j]`` is a U+FFFD: the run's last trail byte met a byte
      it could not pair with and was replaced; that byte is guessed too. The
      region is ``text[i:j+1]``.
    * ``eaten``: the run's last trail byte took the ASCII character after it
      as its trail (``text[j-1]`` is such a pair); once the lead is back the
      ASCII character falls out again. The region is ``text[i:j]``.
    * ``skipped``: the run's last trail byte is gone without a trace (lost,
      or an invalid pair the decoder skipped a byte of), so ``text[j]`` is
      read in step again; the run's last byte is a lead whose trail is
      guessed, as for ``fffd``. The region is ``text[i:j]``
      (`detect.SKIPPED_TRAIL_RE` finds such points: ``保潔經;。``).

    Only the first character depends on the lost lead byte (and only the
    last on a guessed trail), so the bigram model ranks those bytes for each
    start; the caller's scorer picks among the candidates.

    Args:
        text: the text being repaired.
        j: offset of the realignment point.
        model: ranks the guessed bytes.
        variant: ``ascii``, ``eaten``, ``fffd`` or ``skipped``.
        min_gain_bits: for the ``ascii`` variant, the bits a repair must gain
            over the input to be worth ranking (the decision's priors less
            `chardata.REALIGN_BOUND_SLACK_BITS`); a start whose re-read text
            cannot gain that much by the bigram model is not ranked
            (`_GainBound`). None: every start is ranked.

    Returns:
        Candidates for the `chardata.REALIGN_STARTS` starts whose re-read
        middle reads as Chinese and whose best guess gains most over the
        input by the bigram model, each with up to
        `LEADS_PER_START` first bytes (and `TRAILS_PER_END` last bytes),
        guessed characters marked, and the same repair with them lost
        (`Candidate.lost_form`).
    """
    # A run never crosses a flattened annotation: its parentheses were ASCII
    # bytes, which a GBK decoder never pairs, so the run starts after it.
    floor = max(-1, j - chardata.MAX_BYTE_LOSS_RUN - 1)
    for m in ANNOTATION_RE.finditer(text, floor + 1, j):
        floor = max(floor, m.end() - 1)
    if not reads_badly_before(text, j, model):
        # The characters of a misaligned run are out-of-step byte pairs, which
        # read badly; where the three before `j` read as Chinese, a run that
        # holds all three is not tried (only the character lost at `j` and
        # up to two before it).
        floor = max(floor, j - 3)
    if variant == "fffd" and _utf8_before(text, j):
        # UTF-8 read as GBK that lost a byte here (31鏃ユ�� for 31日止: 鏃ユ
        # is E6 97 A5 E6, 日 and the lead byte of 止): the round-trip pass
        # reads it or leaves it; as GBK byte loss its characters would be
        # re-read out of step (31鏃���).
        return []
    if variant == "ascii":
        if text[j].isalpha() and text[j + 1 : j + 2] in ("", "\n", "\r"):
            # A letter ending its line after non-ASCII text (麚P) has no
            # in-step text after it to show that the decoder fell back in
            # step there; the run before it would be guessed on the letter
            # alone (宣揚), and a repaired text would be repaired again.
            return []
        suffix = text[j].encode("ascii")
        end = j + 1
    else:
        suffix = b""
        end = j + 1 if variant == "fffd" else j
    starts: list[tuple[int, bytes, str]] = []
    first_i = j if variant == "ascii" and _isolated_letter(text, j) else j - 1
    body = b""  # text[i:j] widened and encoded, grown one character a start
    bound = _GainBound(model, text, end) if (
        min_gain_bits is not None and variant == "ascii") else None
    for i in range(first_i, floor, -1):
        if i < j:
            if text[i] in "\r\n":
                break
            try:
                piece = text[i].translate(chardata.WIDEN_TABLE).encode("gb18030")
            except UnicodeEncodeError:  # a lone surrogate
                break
            if len(piece) != 2:
                break  # every character of a misaligned GBK run is a byte pair
            body = piece + body
        if variant != "ascii" and not body:
            continue
        if variant == "eaten":
            middle_bytes = body[1:]
        elif variant != "ascii":
            middle_bytes = body[1:-1]
        else:  # a lone letter is itself the trail of the one character lost
            middle_bytes = body[1:] + suffix if body else b""
        if variant == "fffd" and not middle_bytes and _UTF8_HEAD_RE.match(body):
            # Both characters would be half guessed (X� -> 清涼 from X's two
            # bytes) where X's bytes are a UTF-8 lead and continuation byte:
            # UTF-8 read as GBK that lost its third byte (鍥� is 回 less
            # one byte) explains it with nothing guessed out of step.
            continue
        try:
            middle = middle_bytes.decode("gb18030")
        except UnicodeDecodeError:
            continue
        if middle.encode("gb18030") != middle_bytes:
            continue
        if variant == "ascii" and body and (not middle or middle[-1] < "\x80"):
            continue  # the ASCII byte must end a pair once the lead is back
        if variant == "eaten" and (not middle or not middle[-1].isascii() or len(middle) < 2):
            continue  # the last pair's ASCII trail must fall out once the lead is back
        if bound is not None and bound.at(i, middle) < min_gain_bits:
            continue  # no guess could make this start win (cheaper than the next test)
        if len(middle) >= 2 * chardata.MIN_REPAIRED_HAN and not model.reads_as_chinese(middle):
            continue  # started too early: clean characters re-read out of step
        if variant == "ascii" and i == j - 1 and not chardata.HAN_RE.match(text[i - 1 : i] or " "):
            # One character before the point and no Han text before it: the
            # bytes of one rare character and an ASCII byte (麚P) are too
            # little to tell byte loss from a character written so; the
            # repair would guess on them alone, and a repaired text be
            # repaired again (ץ麚P0 from a first repair read as ץ宣揚0).
            continue
        starts.append((i, body, middle))
    if len(starts) > chardata.REALIGN_PROXY_STARTS:
        # Ranking the guessed bytes is the costly part (126 leads a start):
        # it is done only for the starts whose re-read middle alone gains
        # most over the input (the guesses change a character or two).
        profile = model.prefix_bits(text)

        def middle_gain(entry: tuple[int, bytes, str]) -> float:
            i, _, middle = entry
            return profile[end] - profile[i] - _bigram_bits(model, middle, "")

        kept = {entry[0] for entry in sorted(starts, key=middle_gain, reverse=True)[
            : chardata.REALIGN_PROXY_STARTS]}
        starts = [entry for entry in starts if entry[0] in kept]
    plans = []
    two_guesses = variant in ("fffd", "skipped")
    for i, body, middle in starts:
        before = context_before(text, i)
        after_text = text[end : end + 1]
        head = body[:1] if body else suffix
        # Where the run re-reads as two guessed characters and nothing
        # between (保潔經;。: B3 A3 BB ?? is 常化), each is the other's
        # neighbour: the first is ranked after `before` alone, and the last
        # after each first.
        adjacent = two_guesses and not middle
        firsts = _rank_pairs(model, before, _with_lead(head[0]),
                             "" if adjacent else (middle[:1] or after_text), LEADS_PER_START)
        trails = _with_trail(body[-1]) if two_guesses else _Options((), ())
        shared = _rank_pairs(model, middle[-1:], trails, after_text, TRAILS_PER_END) if (
            two_guesses and not adjacent) else [(0.0, None, "")]
        pairs = [(first, _rank_pairs(model, first[2], trails, after_text, TRAILS_PER_END)
                  if adjacent else shared) for first in firsts]
        plans.append((i, body, middle, pairs))
    # Keep the starts whose best guess gains most over the input by the
    # bigram model (a run of n characters has n starts; most re-read well).
    def gain(entry) -> float:
        i, _, middle, pairs = entry
        if not pairs or not pairs[0][1]:
            return float("-inf")
        (_, _, first), lasts = pairs[0]
        guess = first + middle + lasts[0][2]
        before = context_before(text, i)
        return _bigram_bits(model, text[i:end], before) - _bigram_bits(model, guess, before)

    plans = sorted(plans, key=gain, reverse=True)[: chardata.REALIGN_STARTS]
    out = []
    for i, body, middle, pairs in plans:
        for (_, lead, first), lasts in pairs:
            for _, trail, last in lasts:
                replacement = first + middle + last
                edits = [f"0:{lead[0]:02x}"]
                if trail is not None and two_guesses:
                    edits.append(f"end:{trail[1]:02x}")
                plan = _realign_plan(variant, ",".join(edits))
                guessed = (0,) + ((len(replacement) - 1,) if two_guesses else ())
                lost_replacement = "\ufffd" + middle + ("\ufffd" if two_guesses else "")
                lost_plan = _realign_plan(variant, "0:lost" + (",end:lost" if two_guesses
                                                                 else ""))
                out.append(Candidate(
                    i, end, replacement, plan, "gbk_byte_loss",
                    guessed_bytes=len(guessed), guessed=guessed,
                    loss_events=2 if variant == "skipped" else 0,
                    lost_form=(lost_replacement, lost_plan,
                               tuple(k for k, ch in enumerate(lost_replacement) if ch == "\ufffd")),
                ))
    return out


class _GainBound:
    """An upper bound, by the bigram model, on the bits a byte-loss repair of
    ``text[i:end]`` into a guessed character followed by `middle` (the run
    re-read in step) can gain over the input, the character after the run
    included: the input's cost less the cost of `middle` after its first
    character and of the next character after `middle`. The guessed
    character's own bits, and those of `middle`'s first character after
    it, are at least 0 whatever it is, so no guess gains more.

    `at` is called with ever smaller starts `i` (the search walks back from
    the point); both costs grow by one `CharModel.char_bits` a character
    (where `middle` grows by one character at its front, as it does unless
    a byte pair re-reads as an ASCII character), so a walk of n starts costs
    O(n) calls, where ranking the guesses of one start costs some 250
    (`_rank_pairs`) and testing its middle (`CharModel.reads_as_chinese`)
    O(n)."""

    def __init__(self, model: CharModel, text: str, end: int):
        self.model, self.text, self.end = model, text, end
        self.after = text[end : end + 1]
        self.i = end  # text[self.i:end] is costed: self.tail is its cost after text[self.i]
        self.tail = 0.0
        self.middle = ""
        self.middle_cost = 0.0

    def at(self, i: int, middle: str) -> float:
        """The bound for start `i` (bits; offsets into the text given)."""
        bits, text = self.model.char_bits, self.text
        while self.i > i:  # the input's cost after its first character
            self.i -= 1
            nxt = text[self.i + 1] if self.i + 1 < self.end else self.after
            self.tail += bits(text[self.i], nxt) if nxt else 0.0
        cost_in = bits(context_before(text, i)[-1:], text[i]) + self.tail
        if len(middle) == len(self.middle) + 1 and middle.endswith(self.middle):
            nxt = self.middle[:1] or self.after
            self.middle_cost += bits(middle[0], nxt) if nxt else 0.0
        else:
            self.middle_cost = (_bigram_bits(self.model, middle[1:] + self.after, middle[:1])
                                if middle else 0.0)
        self.middle = middle
        return cost_in - self.middle_cost


def reads_badly_before(text: str, j: int, model: CharModel) -> bool:
    """Whether the (up to) three characters before offset `j` of `text` cost
    at least `chardata.MIN_REALIGN_BITS_PER_CHAR` bits each on average by the
    bigram model: what a misaligned GBK run that ends at `j` looks like.
    False at the start of the text."""
    a = max(0, j - 3)
    if a == j:
        return False
    bits = sum(model.char_bits(text[k - 1] if k else "", text[k]) for k in range(a, j))
    return bits / (j - a) >= chardata.MIN_REALIGN_BITS_PER_CHAR


def _bigram_bits(model: CharModel, s: str, before: str) -> float:
    total, prev = 0.0, before[-1:]
    for ch in s:
        total += model.char_bits(prev, ch)
        prev = ch
    return total


def _isolated_letter(text: str, j: int) -> bool:
    """An ASCII letter alone between non-ASCII characters (or the text's
    ends): what a GBK character becomes when its lead byte is lost and its
    trail is ASCII-range (衛 is D0 6C: ``l``)."""
    if not text[j].isalpha():
        return False
    before, after = text[j - 1 : j], text[j + 1 : j + 2]
    return (not before or not before.isascii()) and (not after or not after.isascii()) and (
        bool(before) or bool(after))


class _Options(NamedTuple):
    """Byte pairs that decode to one character each, and those characters."""

    pairs: tuple[tuple[int, int], ...]
    chars: tuple[str, ...]


def _single_characters(pairs) -> _Options:
    """The pairs among `pairs` that GB18030 decodes to one character.
    Source: Python's ``gb18030`` codec."""
    found = [(pair, ch) for pair in pairs
             if len(ch := bytes(pair).decode("gb18030", "replace")) == 1 and ch != "\ufffd"]
    return _Options(tuple(p for p, _ in found), tuple(ch for _, ch in found))


@lru_cache(maxsize=256)
def _with_lead(trail: int) -> _Options:
    """The candidates for a lost lead byte (0x81..0xFE) before `trail`."""
    return _single_characters((lead, trail) for lead in range(0x81, 0xFF))


@lru_cache(maxsize=256)
def _with_trail(lead: int) -> _Options:
    """The candidates for a lost trail byte (0x40..0xFE, not 0x7F) after `lead`."""
    return _single_characters((lead, trail) for trail in range(0x40, 0xFF) if trail != 0x7F)


def warm_up(model: CharModel) -> None:
    """Build the byte-loss search's tables of candidate characters for every
    lost lead and trail byte (`_with_lead`, `_with_trail`) and `model`'s
    statistics of them (`CharModel.bits_around`), which a first search would
    otherwise build one by one (about 0.3 s in all), and the pair tables of
    the round trips' double-byte codecs (`_double_byte_pairs`)."""
    for right in {right for _, right, _ in chardata.ROUND_TRIPS if right != "utf-8"}:
        _double_byte_pairs(right)
    tables = [_with_lead(t) for t in range(0x40, 0xFF) if t != 0x7F]
    tables += [_with_trail(lead) for lead in range(0x81, 0xFF)]
    for options in tables:
        model.bits_around("", options.chars, "")


def _rank_pairs(model: CharModel, before: str, options: _Options, after: str,
                keep: int) -> list[tuple[float, tuple[int, int], str]]:
    """`options`' byte pairs ranked by the bigram model between `before` and
    `after`; the best `keep` as ``(bits, pair, character)``."""
    ranked = sorted(zip(model.bits_around(before[-1:], options.chars, after[:1]),
                        options.pairs, options.chars))
    return ranked[:keep]


def _realign_plan(variant: str, edits: str) -> tuple[PlanItem, ...]:
    lossy = "lost" in edits
    if variant == "ascii":
        head: tuple[PlanItem, ...] = (("widen", "except_last"), ("encode", "gb18030"))
    elif variant == "eaten":
        head = (("widen", "all"), ("encode", "gb18030"))
    elif variant == "fffd":
        # The U+FFFD is the lost trail: it encodes to nothing; the realign
        # step puts the guessed byte back at the end.
        head = (("widen", "all"), ("fill", ""), ("encode", "gb18030"))
    else:
        head = (("widen", "all"), ("encode", "gb18030"))
    return head + (("realign", edits), ("decode_lossy" if lossy else "decode", "gb18030"))
