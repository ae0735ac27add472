"""Orchestration: `repair_text`, `repair_bytes`, `repair` and `apply_plan`.

Passes, in order (each a `Step` in the result):

1. ``decode`` (bytes only): `decode.decode_bytes`.
1a. ``unescape``: runs of ``\\u`` escapes, HTML character references,
   percent or ``\\x`` bytes whose result the model reads as better text
   (`escapes.find_escaped`); before the round trips, which then see what
   the escapes stood for.
2. ``fix_encoding``: round trips for text decoded with the wrong codec
   (UTF-8 read as GBK, GBK read as Latin-1/cp1252, ...), chosen by the
   language model. These must see the text before ftfy, which damages
   GBK-read-as-Latin-1 text (it 'fixes' pairs such as ``Ñ§``).
3. ``fix_encoding`` (ftfy): ftfy's encoding fixer alone, with its other
   fixes off, on the lines it finds bad.
4. ``realign``: GBK streams that lost a byte and decoded misaligned.
5. ``strip_annotations``: flattened ruby (after 4, since an annotation can
   follow a character that 4 restores).
6. ``convert``: OpenCC, when asked for.
"""

from __future__ import annotations

import bisect
import os
import re
import time
import unicodedata
from dataclasses import replace

import ftfy
import ftfy.bad_codecs  # noqa: F401  (registers sloppy-windows-1252)
from ftfy import badness

from . import candidates as cand
from . import chardata, detect, escapes, score
from .annotations import find_annotations, lesson_page
from .convert import check_config
from .convert import convert as opencc_convert
from .decode import decode_bytes, decode_replacing, reads_chinese_in, stray_letters
from .gate import (OTHER_SCRIPT_FAMILY_SIGNALS, OTHER_SCRIPT_SIGNALS, _holds_utf8, _line_end,
                   get_gate)
from .errors import InvalidOption, InvalidPlan, RepairError
from .markup import Markup, declare_utf8
from .markup import scan as scan_markup
from .model import CharModel, get_model
from .types import Edit, PlanItem, RepairResult, Span, Step


class _Accepted:
    """A repair decided on: offsets into the text before its pass."""

    __slots__ = ("start", "end", "replacement", "plan", "kind", "confidence", "explanation",
                 "guessed", "lost")

    def __init__(self, start, end, replacement, plan, kind, confidence, explanation,
                 guessed=(), lost=()):
        self.start, self.end, self.replacement = start, end, replacement
        self.plan, self.kind, self.confidence = tuple(plan), kind, confidence
        self.explanation = explanation
        self.guessed, self.lost = tuple(guessed), tuple(lost)

    @classmethod
    def of(cls, decision: score.Decision) -> "_Accepted":
        w = decision.candidate
        explanation = _explain_plan(w.kind, w.plan)
        if w.guessed:
            explanation += f"; {len(w.guessed)} character(s) guessed back"
        if w.lost:
            explanation += f"; {len(w.lost)} character(s) lost, shown as U+FFFD"
        return cls(w.start, w.end, w.replacement, w.plan, w.kind,
                   round(decision.confidence * w.guess_confidence, 4), explanation, w.guessed, w.lost)


def _explain_plan(kind: str, plan: tuple[PlanItem, ...]) -> str:
    what = chardata.SPAN_KINDS[kind]
    steps = ", then ".join(f"{a} {p}" if p else a for a, p in plan)
    return f"{what}: {steps}"


# --- passes ---------------------------------------------------------------


_LATIN_CODECS = ("cp1252", "latin-1", "sloppy-windows-1252")
# C1 controls: what latin-1 (and ftfy's sloppy codecs) make of bytes
# 0x80..0x9F that cp1252 maps to € ‚ ƒ „ … or leaves undefined.
_NON_ASCII_RE = re.compile("[^\x00-\x7f]")
_LAST_NON_ASCII_RE = re.compile("[^\x00-\x7f](?=[\x00-\x7f]*$)")


def _reads_whole(found: list[cand.Candidate], first: int, last: int, accept) -> bool:
    """Whether one of `found` reads ``text[first:last]`` (a piece's first to
    last non-ASCII character) whole, through one wrong decode and back
    (``encode``, ``decode``), nothing guessed, lost or deferred, and
    `accept(candidate)` holds."""
    return any(c.start <= first and c.end >= last and c.layers == 1 and not c.guessed
               and not c.lost and not c.defer and len(c.plan) == 2
               and c.plan[0][0] == "encode" and c.plan[1][0] == "decode" and accept(c)
               for c in found)


def _whole_utf8(found: list[cand.Candidate], first: int, last: int) -> bool:
    """Whether one of `found` reads ``text[first:last]`` (a line's first to
    last non-ASCII character) whole as strict UTF-8 through one wrong decode,
    into at least `chardata.WHOLE_UTF8_MIN_CHARS` non-ASCII characters:
    GBK or Big5 text makes valid multi-byte UTF-8 by accident about once in
    fifty characters (a lead byte 0xE0..0xEF before two bytes 0x80..0xBF),
    so four in a row are one chance in millions, and the other codecs'
    readings of the line need not be tried (the scorer still weighs this
    one against keeping the line)."""
    return _reads_whole(found, first, last, lambda c: c.plan[1][1] == "utf-8" and sum(
        1 for ch in c.replacement if ord(ch) >= 0x800) >= chardata.WHOLE_UTF8_MIN_CHARS)


# Index in `chardata.ROUND_TRIPS` of the first pair after the last whose
# wrong codec is a Western single-byte one (`_LATIN_CODECS`): the pairs from
# there on are the double-byte codecs' and the other scripts'.
_AFTER_LATIN = 1 + max(n for n, (w, _, _) in enumerate(chardata.ROUND_TRIPS)
                       if w in _LATIN_CODECS)


def _whole_single_byte(found: list[cand.Candidate], first: int, last: int) -> bool:
    """Whether one of `found` reads ``text[first:last]`` (a line's first to
    last non-ASCII character) whole, strictly, through one wrong decode by
    a Western single-byte codec (`_LATIN_CODECS`: GBK or Big5 read as
    Latin-1 or cp1252) into at least `chardata.WHOLE_UTF8_MIN_CHARS` Han
    characters. Every non-ASCII character of the line is then one that
    codec makes of a byte. The later round trips' wrong codecs make of
    Chinese bytes what the line does not hold (Big5, GBK, cp949 and
    Shift_JIS: Han, kana, hangul, bopomofo; cp1251: Cyrillic), or, cp1250,
    the letters it shares with cp1252 from the same bytes: the same
    readings again. They are not tried; the scorer still weighs this
    reading against keeping the line. (Outputs and confidences were the
    same with and without this on the generated set, the case tables, the
    real sample and 200 KB of the corpora's pages: 7,042 inputs.)"""
    return _reads_whole(found, first, last, lambda c: c.plan[0][1] in _LATIN_CODECS and len(
        chardata.HAN_RE.findall(c.replacement)) >= chardata.WHOLE_UTF8_MIN_CHARS)


def _past(deadline: float | None) -> bool:
    """Whether `deadline` (a `time.monotonic()` value, or None for none) has passed."""
    return deadline is not None and time.monotonic() >= deadline


def _round_trip_pass(text: str, model: CharModel, allow=None, deadline: float | None = None,
                     explained: list[tuple[int, int]] | None = None,
                     doubts: list[score.Doubt] | None = None) -> list[_Accepted]:
    """Round trips, line by line: each applicable (wrong, right) codec pair
    proposes segments; overlapping candidates form a group and the scorer
    picks one per group (or none). `allow(pos, family)`, if given, says
    whether the line at `pos` may hold the ``latin``, ``utf8`` or ``cjk``
    family's damage (`gate.Gate.suspect_lines`). Past `deadline` (a
    `time.monotonic()` value), the lines and codec pairs not yet searched
    are left as they are. `explained`, if given, receives the regions
    (offsets into `text`) that a sure reading in another script explains,
    with two letters of it at least (`chardata.OTHER_SCRIPT_LETTER_RE`:
    UTF-8 Korean read as GBK is not Chinese, so not repaired here, and not
    for the byte-loss pass to read as Chinese either). A line longer than
    `chardata.LONG_LINE_CHARS` is searched piece by piece
    (`detect.line_pieces`, `_piece_round_trips`); the whole line still
    decides which families apply (Japanese kana anywhere in it) and which
    of its readings are made. `doubts`, if given, receives each group
    kept as it came although a Chinese reading of it came close
    (`score.Doubt`)."""
    accepted: list[_Accepted] = []
    japanese = detect.looks_japanese(text)
    for start, end, latin, cjk in detect.lines_to_check(text):
        if _past(deadline):
            break
        utf8 = cjk
        # The other scripts' round trips: only on a line with their signal
        # (gate.OTHER_SCRIPT_SIGNALS), gated or not.
        other = {family: pattern.search(text, start, end) is not None
                 and (allow is None or allow(start, family))
                 for family, pattern in OTHER_SCRIPT_FAMILY_SIGNALS.items()}
        if allow is not None:
            latin = latin and allow(start, "latin")
            utf8 = cjk and allow(start, "utf8")
            cjk = cjk and allow(start, "cjk")
            if not (latin or cjk or utf8 or any(other.values())):
                continue
        if (cjk or utf8 or other["cp932"] or other["cp949"]) and (
                japanese and detect.KANA_RE.search(text, start, end)
                or detect.looks_japanese(text[start:end])
                or detect.ZHUYIN_RUN_RE.search(text, start, end)):
            # Japanese kana and zhuyin are not Big5 read as GBK, nor
            # Chinese read as Shift_JIS or EUC-KR
            cjk = utf8 = other["cp932"] = other["cp949"] = False
        korean = (cjk or other["cp949"]) and detect.looks_korean(text[start:end])
        line_accepted, deferred = [], []
        group_doubts: list[list[score.Doubt]] = []
        # Piece by piece, each piece's groups decided before the next is
        # searched (no candidate crosses a piece, so the groups are the
        # line's): where the deadline cuts a long line, what was found
        # before it is kept.
        for a, b in detect.line_pieces(text, start, end):
            if _past(deadline):
                break
            found = _piece_round_trips(text, a, b, model, latin, utf8, cjk, other, korean,
                                       deadline)
            for group in _overlapping_groups(found):
                if _past(deadline):
                    break  # (a long line holds many groups)
                doubt: list[score.Doubt] = []
                decision = score.choose(text, group, model, doubts=doubt)
                if decision:
                    line_accepted.append(decision)
                else:
                    deferred.append(group)
                    group_doubts.append(doubt)
        # A line shown to be read with the wrong codec (a Chinese repair made)
        # is so read throughout: its non-Chinese segments read through the
        # same codecs are repaired too (河内 Hà Ná»™i: the Vietnamese as well).
        pairs = {d.candidate.plan[:2] for d in line_accepted}
        for group, doubt in zip(deferred, group_doubts):
            if _past(deadline):
                break
            if not pairs and (explained is None or not any(
                    _other_script_reading(c.replacement) for c in group)):
                if doubts is not None:
                    doubts += doubt
                continue
            decision = score.choose(text, group, model, allow_defer=True)
            if decision and decision.candidate.plan[:2] in pairs:
                line_accepted.append(decision)
                continue
            if (decision and explained is not None and decision.candidate.defer
                    and decision.confidence >= chardata.DAMAGED_DOC_MIN_CONFIDENCE
                    and _other_script_reading(decision.candidate.replacement)):
                explained.append((decision.candidate.start, decision.candidate.end))
            if doubts is not None:
                doubts += doubt
        accepted += [_Accepted.of(d) for d in line_accepted]
    return _non_overlapping(accepted)


def _overlapping_groups(found: list[cand.Candidate]) -> list[list[cand.Candidate]]:
    """`found` sorted by start and cut into groups of overlapping candidates
    (each group one region the scorer decides)."""
    groups: list[list[cand.Candidate]] = []
    group_end = -1
    for c in sorted(found, key=lambda c: c.start):
        if groups and c.start < group_end:
            groups[-1].append(c)
            group_end = max(group_end, c.end)
        else:
            groups.append([c])
            group_end = c.end
    return groups


def _piece_round_trips(text: str, start: int, end: int, model: CharModel, latin: bool,
                       utf8: bool, cjk: bool, other: dict[str, bool], korean: bool,
                       deadline: float | None) -> list[cand.Candidate]:
    """The candidates of every applicable codec pair for the piece
    ``text[start:end]`` of a line (`detect.line_pieces`); which families
    apply was decided on the whole line (`_round_trip_pass`)."""
    found: list[cand.Candidate] = []
    # (right codec, the piece's bytes in the wrong one) already searched:
    # cp1252, latin-1 and ftfy's sloppy cp1252 (or big5 and big5hkscs)
    # mostly give the same bytes, hence the same candidates, of which the
    # scorer keeps the first plan anyway (`score.choose`).
    searched: set[tuple[str, bytes]] = set()
    c1 = chardata.C1_RE.search(text, start, end) is not None
    first = _NON_ASCII_RE.search(text, start, end)
    last = _LAST_NON_ASCII_RE.search(text, start, end)
    for n, (wrong, right, kind) in enumerate(chardata.ROUND_TRIPS):
        if n == _AFTER_LATIN and first and _whole_single_byte(found, first.start(), last.end()):
            # Every non-ASCII character of the piece is a single-byte
            # decode's, read back whole: the later codecs' damage makes
            # characters the piece does not hold (`_whole_single_byte`).
            break
        if wrong in OTHER_SCRIPT_SIGNALS:
            applies = other[OTHER_SCRIPT_SIGNALS[wrong][0]]
            if korean and OTHER_SCRIPT_SIGNALS[wrong][0] == "cp949":
                continue  # Korean written in words is not Chinese read as EUC-KR
            if wrong in chardata.HAN_READING_WRONG_CODECS and right != "utf-8":
                # GBK or Big5 read as cp949 reads as hanja where both
                # bytes are 0xCA.. (鷺寧逞鷺巧 for 周一至周五): no hangul
                # need show, as none shows in Big5 read as GBK; the same
                # lines are searched (`cjk`), the model places the edges.
                applies = applies or cjk
        else:
            applies = latin if wrong in _LATIN_CODECS else utf8 if right == "utf-8" else cjk
        if not applies or _past(deadline):
            continue
        if wrong == "web-gbk" and "\u20ac" not in text[start:end]:
            continue  # a browser's GBK differs from gb18030 only in €
        if wrong == "latin-1" and not c1:
            # Without a C1 control (U+0080..U+009F) in the piece, latin-1
            # encodes what cp1252 does to the same bytes and fails on the
            # rest (€ ‚ … œ): its segments are pieces of cp1252's.
            continue
        try:
            key = (right, text[start:end].encode(wrong))
        except UnicodeEncodeError:
            key = None
        # (not the other scripts' codecs: their candidates also depend on
        # the leftovers beside them, `candidates.residue_re`)
        if key is not None and wrong not in chardata.OTHER_SCRIPT_CODECS:
            if key in searched:
                continue
            searched.add(key)
        new = cand.round_trips(text, start, end, wrong, right, kind, model)
        found += new
        if right == "utf-8" and first and _whole_utf8(new, first.start(), last.end()):
            # Every non-ASCII character of the piece is one strict UTF-8
            # reading: no other codec's reading competes with that
            # (`_whole_utf8`).
            break
    return found


def _other_script_reading(text: str) -> bool:
    """Whether `text` holds two letters of another script at least
    (`chardata.OTHER_SCRIPT_LETTER_RE`): a reading that explains bytes as
    Korean, Japanese or Russian rather than Chinese."""
    return len(chardata.OTHER_SCRIPT_LETTER_RE.findall(text)) >= 2


def _ftfy_pass(text: str, model: CharModel, blocked: list[tuple[int, int]] = (),
               allow=None, deadline: float | None = None) -> list[_Accepted]:
    """ftfy's encoding fixer on the lines it finds bad, each line cut around
    `blocked` regions (what a round trip already repaired: ftfy then fixes the
    Latin text beside it, 河内 Hà Ná»™i). A fix whose result a round trip would
    read again (ftfy made Latin-1 of GBK mojibake, not text) is not taken, so
    that repairing twice gives what repairing once gave. Past `deadline`,
    the lines not yet seen are left as they are."""
    accepted = []
    pos = 0
    for line in text.split("\n"):
        start = pos
        pos += len(line) + 1
        if _past(deadline):
            break
        if line.isascii() or (allow is not None and not allow(start, "ftfy")):
            continue
        if not badness.is_bad(line):
            continue
        cuts = sorted((max(a, start), min(b, start + len(line))) for a, b in blocked
                      if a < start + len(line) and start < b)
        piece_start = start
        for cut_start, cut_end in cuts + [(start + len(line), start + len(line))]:
            if cut_start > piece_start:
                fix = _ftfy_piece(text, piece_start, cut_start, model)
                if fix:
                    accepted.append(fix)
            piece_start = max(piece_start, cut_end)
    return accepted


# An accented Latin letter (what a single-byte decode makes of bytes
# 0xC0..0xFF) and a Greek or Cyrillic one side by side, either way round
# (Unicode blocks: Latin-1 Supplement and Latin Extended-A/B letters; Greek
# and Coptic; Cyrillic). Not ASCII letters: IL2Rγc is how biology writes.
_LATIN_LETTER = "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
_GREEK_OR_CYRILLIC_LETTER = "\u0386-\u03ff\u0400-\u04ff"
_GLUED_SCRIPTS_RE = re.compile(
    f"[{_LATIN_LETTER}](?=[{_GREEK_OR_CYRILLIC_LETTER}])|"
    f"[{_GREEK_OR_CYRILLIC_LETTER}](?=[{_LATIN_LETTER}])")
# A combining mark (the combining diacritical blocks: U+0300..U+036F and
# kin) at the start of the text or after a space, with nothing to combine
# with. Text writes such marks after letters, and in emoticons and
# strikethrough after symbols too ((ง'̀⌣'́)ง, $̶6̶3̶: ftfy's test cases), not
# alone; ftfy's cp437 reading of GBK's ═ó (Big5 汽車 read as GBK) makes
# U+0362 alone.
_BASELESS_MARK_RE = re.compile(
    "(?:^|(?<=\\s))[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def _reads_chinese_as_bytes(original: str, model: CharModel) -> bool:
    """Whether the bytes ftfy's sloppy cp1252 gives for `original` read as
    Chinese in a Chinese codec (`decode.reads_chinese_in`)."""
    try:
        data = original.encode("sloppy-windows-1252")
    except UnicodeEncodeError:
        return False
    return reads_chinese_in(data, model)


def _ftfy_piece(text: str, start: int, end: int, model: CharModel) -> _Accepted | None:
    """ftfy's encoding fix of ``text[start:end]``, narrowed to the changed
    middle where the plan replays there; None when ftfy changes nothing, or
    when its fix glues letters of two alphabets together where the line had
    no such pair (`_GLUED_SCRIPTS_RE`: GBK 张伟 read as cp1252 is ÕÅÎ°, whose
    Î° ftfy reads as UTF-8 ΰ, giving ÕÅΰ; no word is so spelled), or
    makes a combining mark at the start or after a space, with nothing to
    combine with (`_BASELESS_MARK_RE`: ═ó, Big5 汽車 read as GBK, read by ftfy as cp437
    made of UTF-8, is U+0362 alone), or makes only letters no writer puts so
    (`decode.stray_letters`: ʱϰ for Ê±Ï°, ܬ for Ü¬) of bytes that a Chinese
    codec reads as Chinese, its changed middle's or the piece's
    (`_reads_chinese_as_bytes`): GBK read as Latin-1 whose bytes happen to
    be valid UTF-8 (时习 is CA B1 CF B0; fresh-eyes report fe11b S2-2: such
    fixes were taken at 0.95), as the bytes path decides for undeclared
    bytes (`decode`)."""
    line = text[start:end]
    if line.isascii() or not badness.is_bad(line):
        return None
    fixed, plan = ftfy.fix_encoding_and_explain(line)
    if fixed == line or not plan or _round_trip_pass(fixed, model):
        return None
    if len(_GLUED_SCRIPTS_RE.findall(fixed)) > len(_GLUED_SCRIPTS_RE.findall(line)):
        return None
    if len(_BASELESS_MARK_RE.findall(fixed)) > len(_BASELESS_MARK_RE.findall(line)):
        return None
    a = 0
    while a < min(len(line), len(fixed)) and line[a] == fixed[a]:
        a += 1
    b = 0
    while b < min(len(line), len(fixed)) - a and line[-1 - b] == fixed[-1 - b]:
        b += 1
    if stray_letters(fixed[a: len(fixed) - b]) and any(
            _reads_chinese_as_bytes(piece, model) for piece in (line[a: len(line) - b], line)):
        return None
    ftfy_plan = tuple((step[0], step[1]) for step in plan)
    s, e, repl = start, end, fixed
    try:
        if ftfy.apply_plan(line[a: len(line) - b], list(plan)) == fixed[a: len(fixed) - b]:
            s, e, repl = start + a, end - b, fixed[a: len(fixed) - b]
    except Exception:  # noqa: BLE001 (ftfy raises bare errors on plans that do not replay)
        pass
    return _Accepted(s, e, repl, ftfy_plan, "mojibake", chardata.FTFY_CONFIDENCE,
                     _explain_plan("mojibake", ftfy_plan))


def _realign_pass(text: str, model: CharModel, warnings: list[str] | None = None,
                  blocked: list[tuple[int, int]] = (), allow=None,
                  deadline: float | None = None) -> list[_Accepted]:
    """Byte-loss repairs (`candidates.realignments`).

    Points: ASCII-range letters after non-ASCII text and lone letters
    between Han characters (``ascii``), U+FFFD after non-ASCII text
    (``fffd``), a Chinese mark after an ASCII symbol after non-ASCII text
    (``skipped``: `detect.SKIPPED_TRAIL_RE`), the few characters after the
    last of a stretch of private-use characters of GBK's user-defined pairs
    between other non-ASCII characters, where no other point follows
    (``skipped``: `detect.THREADED_PUA_RE`, two lost bytes); where the text before a point reads as Chinese, it is
    skipped. Candidates whose regions overlap form one group and the scorer
    picks one per group. Once a repair is sure (confidence at least
    `chardata.DAMAGED_DOC_MIN_CONFIDENCE`: the page shows byte loss), a
    second round looks again with the prior of a damaged page
    (`chardata.DAMAGED_DOC_KEEP_PRIOR_BITS`). A guess below
    `chardata.GUESS_MIN_POSTERIOR` is not made: its characters become U+FFFD.
    Past `deadline`, the points not yet searched are left as they are.
    """
    points = _realign_points(text, model, blocked)
    if allow is not None:
        points = [p for p in points if allow(p[0], "realign")]
    if len(points) > chardata.MAX_REALIGN_POINTS:
        if warnings is not None:
            warnings.append(f"the byte-loss search stopped after {chardata.MAX_REALIGN_POINTS} "
                            "places; the rest of the text was not searched")
        points = points[: chardata.MAX_REALIGN_POINTS]  # bounded work; see chardata
    if not points:
        return []
    first = _realign_round(text, model, points, chardata.KEEP_PRIOR_BITS, deadline)
    if (not any(a.confidence >= chardata.DAMAGED_DOC_MIN_CONFIDENCE for a in first)
            or _past(deadline)):
        return first
    return _realign_round(text, model, points, chardata.DAMAGED_DOC_KEEP_PRIOR_BITS, deadline,
                          loss_shown=True)


def _realign_points(text: str, model: CharModel, blocked: list[tuple[int, int]] = ()
                    ) -> list[tuple[int, str]]:
    """Byte-loss points (see `_realign_pass`), none inside `blocked` regions
    (already repaired, or lines that talk about encodings)."""
    points: list[tuple[int, str]] = []
    lone = [m.start() for m in detect.LONE_LETTER_RE.finditer(text)
            if cand._isolated_letter(text, m.start())]
    dense = _dense_letters(text, lone)
    for j in detect.realign_points(text):
        if j in dense:
            continue
        if (not text[j].isalnum() or cand._isolated_letter(text, j)
                or cand.reads_badly_before(text, j, model)):
            # @ [ \ ] ^ _ ` { | } ~ right after Han text are themselves rare
            points.append((j, "ascii"))
    points += [(j, "ascii") for j in lone if j not in dense]
    for m in detect.FFFD_AFTER_TEXT_RE.finditer(text):
        points.append((m.start(), "fffd"))
    for m in detect.SKIPPED_TRAIL_RE.finditer(text):
        points.append((m.end(), "skipped"))
    for m in detect.EATEN_ASCII_RE.finditer(text):
        j = m.end()
        if (j not in dense and cand.reads_badly_before(text, j, model)
                and _ascii_trail(text[j - 1])):
            points.append((j, "eaten"))
    # (the points found so far, for the test below: a run that one of them
    # ends is searched from there)
    threaded = [m.start() for m in detect.THREADED_PUA_RE.finditer(text)]
    later = sorted(j for j, _ in points) if threaded else []
    for n, p in enumerate(threaded):
        # A run out of step between two lost bytes ends a little after the
        # last such character of a stretch (the next at most
        # MISALIGNED_PUA_GAP on), where the text reads in step again; each
        # of the next few places is tried as ``skipped``'s point (its last
        # pair a lead byte whose trail was lost), and the scorer picks. Not
        # where another point follows within a run's reach on the line: one
        # lost byte, and the ASCII or U+FFFD that put the decoder back in step.
        line_end = _line_end(text, p)
        if n + 1 < len(threaded) and threaded[n + 1] - p <= chardata.MISALIGNED_PUA_GAP \
                and threaded[n + 1] < line_end:
            continue
        k = bisect.bisect_right(later, p)
        if k < len(later) and later[k] <= min(line_end, p + chardata.MAX_BYTE_LOSS_RUN):
            continue
        points += [(j, "skipped")
                   for j in range(p + 1, min(p + 1 + chardata.PUA_POINT_REACH, line_end))
                   if not text[j].isascii()]
    overlaps = _overlap_test(blocked)
    return sorted(p for p in set(points) if not overlaps(p[0], p[0] + 1))


def _dense_letters(text: str, lone: list[int]) -> set[int]:
    """The offsets in `lone` (letters alone between non-ASCII characters,
    sorted) on lines that hold at least `chardata.DENSE_LONE_LETTERS` of them,
    one per `chardata.DENSE_LONE_LETTER_CHARS` characters or closer: a GBK
    stream that lost a byte leaves one such letter per loss (the real sample:
    one in some 9,000 characters), while a line with a letter between Han
    characters every few characters writes them on purpose (中a文B..., a
    list of grades), and searching each would cost milliseconds apiece."""
    by_line: dict[int, list[int]] = {}
    for j in lone:
        by_line.setdefault(text.rfind("\n", 0, j) + 1, []).append(j)
    out: set[int] = set()
    for start, letters in by_line.items():
        end = text.find("\n", start)
        length = (len(text) if end < 0 else end) - start
        if (len(letters) >= chardata.DENSE_LONE_LETTERS
                and len(letters) * chardata.DENSE_LONE_LETTER_CHARS >= length):
            out.update(letters)
    return out


def _ascii_trail(ch: str) -> bool:
    """Whether `ch` is a GBK pair whose trail byte is ASCII-range (0x40..0x7E)."""
    try:
        data = ch.encode("gb18030")
    except UnicodeEncodeError:
        return False
    return len(data) == 2 and 0x40 <= data[1] <= 0x7E


def _realign_round(text: str, model: CharModel, points: list[tuple[int, str]],
                   keep_prior: float, deadline: float | None = None,
                   loss_shown: bool = False) -> list[_Accepted]:
    accepted: list[_Accepted] = []
    group: list[cand.Candidate] = []
    group_end = -1
    # An ``ascii`` candidate guesses one byte (`score._prior_bits`): to win it
    # must gain the keep prior and that byte's bits; starts that cannot come
    # near are not ranked.
    min_gain = keep_prior + chardata.GUESS_BITS - chardata.REALIGN_BOUND_SLACK_BITS

    def decide() -> None:
        decision = score.choose(text, group, model, keep_prior=keep_prior,
                                loss_shown=loss_shown)
        if not decision:
            return
        w = decision.candidate
        if decision.confidence < chardata.GUESS_MIN_POSTERIOR and w.lost_form:
            replacement, plan, lost = w.lost_form
            accepted.append(_Accepted(
                w.start, w.end, replacement, plan, w.kind, 0.0,
                _explain_plan(w.kind, plan) + f"; {len(lost)} character(s) lost, shown as U+FFFD",
                (), lost))
        else:
            accepted.append(_Accepted.of(decision))

    for j, variant in points:
        if _past(deadline):
            break
        found = cand.realignments(text, j, model, variant, min_gain)
        if not found:
            continue
        if group and min(c.start for c in found) >= group_end:
            decide()
            group, group_end = [], -1
        group += found
        group_end = max(group_end, max(c.end for c in found))
    if group:
        decide()
    return _non_overlapping(accepted)


def _annotation_pass(text: str, doubts: list[score.Doubt]) -> list[_Accepted]:
    """Remove flattened ruby annotations (`find_annotations`); a reading
    kept as a writer's gloss goes to `doubts`, at
    `chardata.SPARSE_GLOSS_KEEP_POSTERIOR`."""
    glosses: list[tuple[int, int, str]] = []
    found = find_annotations(text, glosses)
    for s, e, reading in glosses:
        # text[s:e] is 喆(zhé): the reading and its two parentheses end it
        doubts.append(score.Doubt(s, e, text[s:e], text[s:e - len(reading) - 2],
                                  "ruby_annotation", chardata.SPARSE_GLOSS_KEEP_POSTERIOR))
    return [
        _Accepted(s, e, "", (("delete", None),), "ruby_annotation",
                  chardata.ANNOTATION_CONFIDENCE[
                      "digit" if any(c.isdigit() for c in reading)
                      else "marked" if not reading.isascii() else "plain"],
                  f"flattened ruby annotation: {reading!r} is a reading of {text[s - 1]!r}")
        for s, e, reading in found
    ]


def _non_overlapping(accepted: list[_Accepted]) -> list[_Accepted]:
    out: list[_Accepted] = []
    for a in sorted(accepted, key=lambda a: (a.start, -a.end)):
        if not out or a.start >= out[-1].end:
            out.append(a)
    return out


# --- edits and offsets --------------------------------------------------------


class _Pass:
    """One applied pass: its edits and how offsets move through it."""

    def __init__(self, accepted: list[_Accepted]):
        self.accepted = accepted
        self.starts = [a.start for a in accepted]
        shift = 0
        self.shift_after: list[int] = []  # cumulative length change after edit k
        self.new_starts: list[int] = []
        for a in accepted:
            self.new_starts.append(a.start + shift)
            shift += len(a.replacement) - (a.end - a.start)
            self.shift_after.append(shift)

    def forward(self, pos: int, *, is_end: bool) -> int:
        k = bisect.bisect_right(self.starts, pos) - 1
        if k < 0:
            return pos
        a = self.accepted[k]
        if pos >= a.end:
            return pos + self.shift_after[k]
        if pos == a.start:  # a start, or the end of a region just before the edit
            return self.new_starts[k]
        return self.new_starts[k] + len(a.replacement) if is_end else self.new_starts[k]

    def backward(self, pos: int, *, is_end: bool) -> int:
        k = bisect.bisect_right(self.new_starts, pos) - 1
        if k < 0:
            return pos
        a = self.accepted[k]
        new_end = self.new_starts[k] + len(a.replacement)
        if pos >= new_end and not (pos == new_end == self.new_starts[k] and not is_end):
            return pos - self.shift_after[k]
        if pos == self.new_starts[k]:  # a start, or the end of a region just before the edit
            return a.start
        return a.end if is_end else a.start


def _apply(text: str, accepted: list[_Accepted]) -> str:
    parts, pos = [], 0
    for a in accepted:
        parts.append(text[pos : a.start])
        parts.append(a.replacement)
        pos = a.end
    parts.append(text[pos:])
    return "".join(parts)


# --- public API -----------------------------------------------------------------


class _Search:
    """What searching one text gave, before conversion.

    Attributes:
        repaired: the text with every repair applied.
        steps: the passes applied (no ``decode`` or ``convert``).
        stages: for each step, the text it was applied to.
        spans: changed and lost regions; `start`/`end` into the text
            searched, `out_start`/`out_end` into `repaired`, no conversion in
            `plan`.
        scored: the text the document confidence reads: `repaired`, or for
            a search of suspect lines, those lines repaired.
        markup: in HTML mode, the markup's regions in `repaired`.
        forward: ``forward(pos, is_end)`` moves an offset into the text
            searched to `repaired`.
        cut: whether the deadline may have cut a pass short.
        doubts: regions kept although a Chinese reading came close
            (`score.Doubt`; offsets into the text the round trips read,
            used for their posteriors and quoted characters only).
    """

    __slots__ = ("repaired", "steps", "stages", "spans", "scored", "markup", "forward", "cut",
                 "doubts")

    def __init__(self, repaired: str, steps: list[Step], stages: list[str], spans: list[Span],
                 forward, scored: str | None = None, markup: list[tuple[int, int]] = (),
                 cut: bool = False, doubts: list[score.Doubt] = ()):
        self.repaired, self.steps, self.stages, self.spans = repaired, steps, stages, spans
        self.forward, self.cut = forward, cut
        self.scored = repaired if scored is None else scored
        self.markup = list(markup)
        self.doubts = list(doubts)


def _search(text: str, model: CharModel, strip_annotations: bool, warnings: list[str],
            families: list[frozenset[str]] | None = None, page: Markup | None = None,
            deadline: float | None = None, markup_document: bool | None = None,
            end_cut: bool = False, damaged: tuple[tuple[int, int], ...] = ()) -> _Search:
    """Run every pass over `text` (see the module docstring); with
    `families` (one set per line of `text`, `gate.FAMILIES`), each pass only
    on the lines whose set names it; with `page` (HTML mode), only on its
    text nodes and attribute values. Past `deadline`, no further pass runs
    and the running one stops at its next line or place. `markup_document`:
    whether the whole input is HTML or XML source
    (`escapes.is_markup_document`; None: judged on `text`). `end_cut`: the
    U+FFFD that ends `text` stands for bytes the input ended inside (a
    byte limit cut its last character: `repair_bytes`); the byte-loss pass
    leaves it alone (one lost character, never two guessed: 南 and the lead
    byte of a cut character, 南�, stayed as ��). `damaged`: regions of
    `text` (code points, half-open) that are a UTF-8 decode's U+FFFD for
    a damaged character (`repair_bytes`); the byte-loss pass leaves them
    alone too (欢 before one, 欢�, is no GBK pair out of step: it became
    ��)."""
    def allow_now(stage: str):
        """`families` as a test on offsets into `stage` (no pass moves a
        line break, so line k of every stage is line k of `text`)."""
        if families is None:
            return None
        starts = [0] + [m.end() for m in re.finditer("\n", stage)]
        if len(starts) != len(families):
            return None  # an unescaped \u000a made a line break: no gating
        return lambda pos, family: family in families[bisect.bisect_right(starts, pos) - 1]

    steps: list[Step] = []
    stages: list[str] = []
    passes: list[_Pass] = []
    span_sources: list[tuple[int, _Accepted]] = []

    current = text
    cut = False
    # Regions kept against a reading almost as likely (`_round_trip_pass`)
    doubts: list[score.Doubt] = []
    # What the unescape pass has to say (a cut escape left as it came); a
    # second search of the whole text (`repair_text`) says it once
    escape_warnings: list[str] = []
    # HTML mode: only text nodes and attribute values are read; the charset
    # declarations and the readings inside <rt>/<rp> are the markup's own edits.
    markup: list[tuple[int, int]] = page.blocked() if page else []
    # `_talk_lines` of `current`, found again once a pass has changed it
    talk: list[tuple[int, int]] | None = None
    if not text.isascii() or escapes.ESCAPE_SIGNAL_RE.search(text) or page:
        stages_run = [
            ("unescape", lambda t, blocked: [
                _Accepted(u.start, u.end, u.replacement, u.plan, "escaped", u.confidence,
                          u.explanation)
                for u in escapes.find_escaped(t, model, blocked, markup_document, deadline,
                                              escape_warnings)],
             "unescaped escaped text"),
            ("fix_encoding", lambda t, _: _round_trip_pass(t, model, allow_now(t), deadline,
                                                           explained, doubts),
             "undid text decoded with the wrong codec"),
            ("fix_encoding", lambda t, blocked: _ftfy_pass(t, model, blocked, allow_now(t),
                                                           deadline),
             "ftfy's encoding fixer"),
            ("realign", lambda t, blocked: _realign_pass(
                t, model, warnings,
                blocked + explained + marks + ([(len(t) - 1, len(t))]
                                       if end_cut and t.endswith("\ufffd") else []),
                allow_now(t), deadline),
             "restored bytes lost from a GBK stream"),
        ]
        if strip_annotations:
            stages_run.append(("strip_annotations", lambda t, _: _annotation_pass(t, doubts),
                               "removed flattened ruby annotations"))
        if page:
            stages_run.insert(0, ("html", lambda t, _: _markup_edits(page, t, strip_annotations),
                                  "rewrote the markup's own parts"))
        protected: list[tuple[int, int]] = list(markup)
        # Regions a sure reading in another script explains (`_round_trip_pass`)
        explained: list[tuple[int, int]] = []
        # The decode's damaged UTF-8 characters, followed through the passes
        marks = list(damaged)
        for action, run, explanation in stages_run:
            if _past(deadline) and action != "html":
                break
            if talk is None:
                talk = _talk_lines(current, markup)
            blocked = protected + talk
            # HTML mode: the round trips and the realignment read the text
            # with the markup as line breaks, so that no repair reaches
            # across a tag (one that lost bytes could not be cut back to
            # the text around it: `_fit`), each text node read on its own.
            view = (_markup_as_line_breaks(current, markup)
                    if page and markup and action in ("fix_encoding", "realign") else current)
            accepted = run(view, blocked)
            if action not in ("strip_annotations", "html"):
                blocked_hits = _hits_test(blocked)
                kept = [f for a in accepted for f in _fit(current, a, blocked_hits)
                        if not (page and _adds_markup(current[f.start:f.end], f.replacement))]
                if len(kept) < len(accepted) and talk:
                    warnings.append(TALK_WARNING)
                if action == "fix_encoding":
                    # Mojibake quoted beside its meaning: kept, as a reading
                    # as likely as the text (the warning names it).
                    shown = [a for a in kept if _shown_beside(view, a)]
                    kept = [a for a in kept if a not in shown]
                    doubts += [score.Doubt(a.start, a.end, current[a.start:a.end],
                                           a.replacement, a.kind,
                                           chardata.QUOTED_MOJIBAKE_KEEP_POSTERIOR)
                               for a in shown]
                    # (and no later pass reads them: ftfy would make û of Ã»)
                    protected += [(a.start, a.end) for a in shown]
                    if shown and QUOTED_WARNING not in warnings:
                        warnings.append(QUOTED_WARNING)
                accepted = kept
            elif action == "strip_annotations" and markup:
                in_markup = _overlap_test(markup)
                accepted = [a for a in accepted if not in_markup(a.start, a.end)]
            if not accepted:
                continue
            steps.append(Step(action, None, f"{explanation} ({len(accepted)} spans)",
                              tuple(Edit(a.start, a.end, a.plan) for a in accepted)))
            stages.append(current)
            span_sources += [(len(passes), a) for a in accepted]
            done = _Pass(accepted)
            passes.append(done)
            # What a pass repaired is not re-read by a later one (its plan
            # must keep replaying to what the span shows).
            protected = [(done.forward(a, is_end=False), done.forward(b, is_end=True))
                         for a, b in protected]
            protected += [(done.new_starts[n], done.new_starts[n] + len(x.replacement))
                          for n, x in enumerate(accepted) if x.replacement]
            markup = [(done.forward(a, is_end=False), done.forward(b, is_end=True))
                      for a, b in markup]
            explained[:] = [(done.forward(a, is_end=False), done.forward(b, is_end=True))
                            for a, b in explained]
            marks = [(done.forward(a, is_end=False), done.forward(b, is_end=True))
                     for a, b in marks]
            current = _apply(current, accepted)
            talk = None
        cut = _past(deadline)
    warnings += [w for w in escape_warnings if w not in warnings]

    def to_output(pos: int, first_pass: int, is_end: bool) -> int:
        for p in passes[first_pass:]:
            pos = p.forward(pos, is_end=is_end)
        return pos

    def to_input(pos: int, k: int, is_end: bool) -> int:
        for p in reversed(passes[:k]):
            pos = p.backward(pos, is_end=is_end)
        return pos

    spans: list[Span] = []
    for k, a in span_sources:
        start, end = to_input(a.start, k, False), to_input(a.end, k, True)
        new_start = passes[k].forward(a.start, is_end=False)
        out_start = to_output(new_start, k + 1, False)
        out_end = to_output(new_start + len(a.replacement), k + 1, True)
        spans.append(Span(a.kind, start, end, out_start, out_end, text[start:end],
                          current[out_start:out_end], a.confidence, a.plan, a.explanation,
                          lost=a.lost, guessed=a.guessed))
    # A lost run inside a region some pass repaired (not a ruby reading's) is
    # that repair's; one in a line that talks about encodings is quoted, and
    # so is a fill (not U+FFFD) in quotation marks of its own. A
    # run that a repair took in part (its U+FFFD counted among the repair's
    # `lost`) keeps only what lies outside every span: a span's offsets in
    # the output are those of text no pass changed, and spans never overlap.
    inside_repair = _containment_test([(sp.start, sp.end) for sp in spans
                                       if sp.kind != "ruby_annotation"])
    uncovered = _uncovered_test([(sp.start, sp.end) for sp in spans])
    in_talk = _overlap_test(talk if talk is not None and not passes and page is None
                            else _talk_lines(text))
    for s, e, run in detect.lost_runs(text):
        if inside_repair(s, e) or in_talk(s, e) or (
                "\ufffd" not in run and text[s - 1 : s] in chardata.OPEN_QUOTES
                and text[e : e + 1] in chardata.CLOSE_QUOTES):
            # (a fill quoted whole is named, not lost: “烫烫烫”是VC调试的填充)
            continue
        for a, b in uncovered(s, e):
            o_start, o_end = to_output(a, 0, False), to_output(b, 0, True)
            spans.append(Span("lost", a, b, o_start, o_end, text[a:b], current[o_start:o_end],
                              0.0, (), f"{chardata.SPAN_KINDS['lost']}: {b - a} characters left "
                              "as they are"))
    return _Search(current, steps, stages, spans,
                   lambda pos, is_end: to_output(pos, 0, is_end), markup=markup, cut=cut,
                   doubts=doubts)


def _search_lines(text: str, lines: list[tuple[int, int, frozenset[str]]], model: CharModel,
                  strip_annotations: bool, warnings: list[str], deadline: float | None = None,
                  end_cut: bool = False, damaged: tuple[tuple[int, int], ...] = ()
                  ) -> _Search | None:
    """`_search` of the suspect `lines` of `text` alone (joined by line
    breaks), with every offset moved back into `text`. None when a repair
    crossed a line break (never expected: every pass works within a line),
    in which case the caller searches the whole text."""
    reduced = "\n".join(text[s:e] for s, e, _ in lines)
    # `damaged` moved into `reduced` (regions outside the lines are not searched)
    at, r = [], 0
    for s, e, _ in lines:
        at += [(a - s + r, b - s + r) for a, b in damaged if s <= a and b <= e]
        r += e - s + 1
    sub = _search(reduced, model, strip_annotations, warnings, [f for _, _, f in lines],
                  deadline=deadline, markup_document=escapes.is_markup_document(text),
                  end_cut=end_cut and bool(lines) and lines[-1][1] == len(text),
                  damaged=tuple(at))
    if not sub.steps and not sub.spans:
        return _Search(text, [], [], [], lambda pos, is_end: pos, scored=reduced, cut=sub.cut,
                       doubts=sub.doubts)
    if sub.repaired.count("\n") != len(lines) - 1:
        return None
    # gaps[i]: the text of `text` before suspect line i (after line i - 1).
    gaps, prev = [], 0
    for s, e, _ in lines:
        gaps.append(text[prev:s])
        prev = e
    tail = text[prev:]

    def mover(stage: str):
        """Map offsets into a reduced stage text to the full text at that stage."""
        reduced_starts, full_starts = [], []
        r = f = 0
        for i, line in enumerate(stage.split("\n")):
            f += len(gaps[i])
            reduced_starts.append(r)
            full_starts.append(f)
            r += len(line) + 1
            f += len(line)

        def move(pos: int) -> int:
            i = bisect.bisect_right(reduced_starts, pos) - 1
            return pos - reduced_starts[i] + full_starts[i]
        return move

    repaired_lines = sub.repaired.split("\n")
    repaired = "".join(g + r for g, r in zip(gaps, repaired_lines)) + tail
    steps = []
    for step, stage in zip(sub.steps, sub.stages):
        move = mover(stage)
        steps.append(Step(step.action, step.parameter, step.explanation,
                          tuple(Edit(move(e.start), move(e.end), e.plan) for e in step.edits)))
    from_input, from_output = mover(reduced), mover(sub.repaired)
    spans = [replace(s, start=from_input(s.start), end=from_input(s.end),
                     out_start=from_output(s.out_start), out_end=from_output(s.out_end))
             for s in sub.spans]
    # An offset into `text`: inside a piece, through the piece's search; in a
    # gap, by the length change of the pieces before it. Piece i starts at
    # in_starts[i] in `reduced`, rep_starts[i] in its repair, out_starts[i]
    # in `repaired`.
    piece_starts = [s for s, _, _ in lines]
    in_starts, rep_starts, out_starts = [], [], []
    r_in = r_out = f_out = 0
    for i, ((s, e, _), line) in enumerate(zip(lines, repaired_lines)):
        f_out += len(gaps[i])
        in_starts.append(r_in)
        rep_starts.append(r_out)
        out_starts.append(f_out)
        r_in += e - s + 1
        r_out += len(line) + 1
        f_out += len(line)

    def forward(pos: int, is_end: bool) -> int:
        i = bisect.bisect_right(piece_starts, pos) - 1
        if i < 0:
            return pos
        s, e, _ = lines[i]
        if pos <= e:
            return out_starts[i] + sub.forward(in_starts[i] + pos - s, is_end) - rep_starts[i]
        return out_starts[i] + len(repaired_lines[i]) + pos - e

    return _Search(repaired, steps, [], spans, forward, scored=sub.repaired, cut=sub.cut,
                   doubts=sub.doubts)


# Text whose repair builds what the engine makes on first use (the gate's
# compiled scans, the model's odd-character class and word lengths, the
# OpenCC converters of its Traditional/Simplified folding, ftfy's tables):
# a line of each kind of damage, a clean Traditional line and a long tail so
# that the gated path runs.
_WARM_UP_TEXT = "\n".join([
    "标题：鏁版嵁鎶撳彇缁撴灉，共3条", "´´½¨¹ú¼Ò", "æ—¶é—´", "創(chuàng)建國家",
    "\\u521b\\u5efa &#21019; %E5%88%9B", "國家環保總局授予大港區", "锟斤拷",
]) + "\n" + "这是一段用来预热的干净中文文本，没有任何乱码。" * 12


def warm_up(convert: str | None = None) -> None:
    """Build everything a repair loads or compiles on first use, so that the
    first request of a process costs no more than the second (issue 6): the
    language model, the gate, OpenCC's ``t2s`` and ``s2t`` converters (the
    model folds characters with them) and `convert` (a config id, e.g. the
    service's default conversion), the byte-loss search's tables
    (`candidates.warm_up`), then one repair of `_WARM_UP_TEXT`.
    About two seconds, most of it the model.

    Raises:
        UnknownConversion: `convert` is not an OpenCC config id.
    """
    from .convert import converter

    model = get_model()
    get_gate()
    for config in ("t2s", "s2t") + ((convert,) if convert else ()):
        converter(config)
    cand.warm_up(model)
    repair_text(_WARM_UP_TEXT, convert=convert)
    repair_text(_WARM_UP_TEXT, html=True)
    global _warm
    _warm = True


_warm = False


def is_warm() -> bool:
    """Whether `warm_up` has run in this process (the service is ready)."""
    return _warm


def repair_text(text: str, *, convert: str | None = None, strip_annotations: bool = True,
                html: bool = False, min_confidence: float | None = None,
                detect_only: bool = False, deadline: float | None = None, _encoding: str | None = None, _decode_step: Step | None = None,
                _bom_bytes: int = 0, _warnings: tuple[str, ...] = (),
                _parts: tuple[tuple[int, int, int, int, str, float], ...] = (),
                _replaced: tuple[tuple[int, int], ...] = (),
                _confidence_cap: float | None = None,
                _gate: bool | None = None) -> RepairResult:
    """Repair mojibake in decoded text.

    A text longer than `chardata.GATE_MIN_CHARS` characters is searched only
    on the lines where some repair could apply (`gate.Gate.suspect_lines`);
    a clean one comes back after a few compiled scans.

    Args:
        text: the text to repair.
        convert: an OpenCC config id (``t2s``, ``s2t``, ``tw2sp``, ...)
            applied after repair, or None.
        strip_annotations: remove flattened ruby annotations (``創(chuàng)``);
            in HTML, also the contents of ``<rt>`` and ``<rp>``.
        html: `text` is an HTML document: only its text nodes and attribute
            values (`markup.scan`) are repaired and converted; everything
            else stays as it was, except each charset declaration, which
            becomes ``<meta charset="utf-8">`` (an XML declaration's
            encoding becomes ``utf-8``).
        min_confidence: a probability in [0, 1]; when the repair changed
            the text but its confidence is below this, the input comes back
            unchanged (see `withhold`), with a warning. None: no floor.
        detect_only: report spans, kinds and confidence, change nothing
            (see `withhold`).
        deadline: a `time.monotonic()` value; the search stops at the first
            pass, line, codec pair or byte-loss place it reaches after this
            time and the result is what was found by then, with confidence 0
            and `DEADLINE_WARNING` (conversion still applies). None: no
            deadline, and the output is deterministic.

    Returns:
        A `RepairResult`; span offsets are code points into `text` (the
        document, in HTML mode) and into the result's text.

    Raises:
        TypeError: `text` is not a str, `convert` not a str or None, or a
            flag not a bool.
        UnknownConversion: `convert` is not an OpenCC config id.
        InvalidOption: `min_confidence` is not a number in [0, 1].

    >>> repair_text("鏁版嵁鎶撳彇缁撴灉").text
    '数据抓取结果'
    >>> repair_text("´´½¨¹ú¼Ò").text
    '创建国家'
    >>> repair_text("干净的中文").changed
    False
    """
    if not isinstance(text, str):
        raise TypeError(f"repair_text takes str, not {type(text).__name__}")
    _check_option_types(convert=convert, strip_annotations=strip_annotations, html=html,
                        detect_only=detect_only)
    _check_min_confidence(min_confidence)
    config = check_config(convert)
    model = get_model()
    warnings = list(_warnings)

    page = scan_markup(text) if html else None
    # Bytes that ended inside their last character (decode: one U+FFFD at
    # the end for the undecodable tail): a cut, not byte loss.
    end_cut = bool(_replaced) and _replaced[-1][0] == len(text) - 1 and text.endswith("\ufffd")
    # Bytes read as UTF-8 with damaged characters (decode: one U+FFFD each):
    # lost characters of the page's own text, not GBK bytes out of step.
    damaged = tuple((i, i + 1) for i, _ in _replaced) if _encoding == "utf-8" else ()
    found = None
    if _gate is None:
        _gate = len(text) > chardata.GATE_MIN_CHARS
    if _gate and page is None and (not text.isascii() or escapes.ESCAPE_SIGNAL_RE.search(text)):
        pieces = get_gate().suspect_pieces(text, deadline)
        gate_cut = _past(deadline)  # the pieces may be cut short
        found = _search_lines(text, pieces, model, strip_annotations, warnings, deadline,
                              end_cut, damaged)
        if found is not None and gate_cut:
            found.cut = True
    if found is None:
        found = _search(text, model, strip_annotations, warnings, page=page, deadline=deadline,
                        end_cut=end_cut, damaged=damaged)
    repaired = found.repaired
    steps = ([_decode_step] if _decode_step else []) + found.steps
    converted: _Pass | None = None
    if config and page:
        # HTML: the text is converted, the markup is not.
        edits = []
        for a, b in _complement(found.markup, len(repaired)):
            piece = opencc_convert(repaired[a:b], config)
            if piece != repaired[a:b]:
                edits.append(_Accepted(a, b, piece, (("convert", config),), "", 1.0, ""))
        converted = _Pass(edits)
        output = _apply(repaired, edits)
        steps.append(Step("convert", config, f"converted the text with OpenCC {config}",
                          tuple(Edit(e.start, e.end, e.plan) for e in edits)))
    else:
        output = opencc_convert(repaired, config) if config else repaired
        if config:
            steps.append(Step("convert", config, f"converted with OpenCC {config}"))

    def to_output(pos: int, is_end: bool) -> int:
        """An offset into `repaired` moved into `output`."""
        if converted is not None:
            return converted.forward(pos, is_end=is_end)
        if config and len(output) != len(repaired):
            return len(opencc_convert(repaired[:pos], config))
        return pos

    spans = found.spans
    if config:
        spans = [replace(s, out_start=to_output(s.out_start, False),
                         out_end=to_output(s.out_end, True),
                         repaired=output[to_output(s.out_start, False):to_output(s.out_end, True)],
                         plan=s.plan + (("convert", config),))
                 for s in spans]
    for s, e, a, b, codec, conf in _parts:  # a mixed stream's parts (repair_bytes)
        o_start = to_output(found.forward(s, False), False)
        o_end = to_output(found.forward(e, True), True)
        spans.append(Span("mixed_encoding", s, e, o_start, o_end, text[s:e], output[o_start:o_end],
                          conf, (), f"{chardata.SPAN_KINDS['mixed_encoding']}: bytes {a}..{b} "
                          f"decoded as {codec}", start_byte=a, end_byte=b))
    spans.sort(key=lambda s: (s.start, s.end))
    lossy = [s for s in spans if s.kind == "lost" or s.lost]
    for s in lossy[: chardata.MAX_LOST_WARNINGS]:
        if s.kind == "lost":
            shown = s.original if len(s.original) <= 12 else s.original[:12] + "…"
            warnings.append(f"characters {s.start}..{s.end} ({shown!r}) are lost beyond repair; "
                            "left as they are")
        else:
            warnings.append(f"{len(s.lost)} character(s) of the {s.kind} repair of characters "
                            f"{s.start}..{s.end} are lost: shown as U+FFFD")
    if len(lossy) > chardata.MAX_LOST_WARNINGS:
        warnings.append(f"... and {len(lossy) - chardata.MAX_LOST_WARNINGS} more places with lost "
                        "characters (see the spans: kind 'lost', or a span's 'lost')")

    left = _left_beside(output, spans, model)
    twice = _unread_twice(output, spans, model)
    misaligned = _misaligned_private_use(output, spans)
    # (not where the text quotes its mojibake beside its meaning, nor where
    # the deadline cut the search before it could read anything)
    unread = ([] if QUOTED_WARNING in warnings or found.cut
              else _unread_utf8(output, spans, model, twice + left))
    for places, what in ((left, "still read as UTF-8 decoded with the wrong codec beside a repair "
                                "of it and could not be read back (bytes dropped without a "
                                "trace, as errors='ignore' drops them, or a character too rare "
                                "to tell)"),
                         (twice, "read as UTF-8 decoded as GBK twice, with bytes lost or dropped "
                                 "on the way, and could not be read back"),
                         (misaligned, "hold private-use characters of GBK's user-defined byte "
                                      "pairs among other text, what a GBK decoder makes out of "
                                      "step (bytes were lost before them), and could not be read "
                                      "back"),
                         (unread, "read as UTF-8 decoded as GBK, and no reading of their bytes "
                                  "was found (bytes lost or dropped on the way, or a character "
                                  "too rare to tell)")):
        for a, b, chars in places[: chardata.MAX_LOST_WARNINGS]:
            if len(chars) > chardata.LEFTOVER_QUOTE_CHARS:
                chars = chars[: chardata.LEFTOVER_QUOTE_CHARS] + "…"
            warnings.append(f"characters {a}..{b} of the output ({chars!r}) {what}; left as "
                            "they are")
    left += twice + misaligned + unread
    for sp in [sp for sp in spans if sp.guessed][: chardata.MAX_LOST_WARNINGS]:
        warnings.append(f"{len(sp.guessed)} character(s) of the {sp.kind} repair of characters "
                        f"{sp.start}..{sp.end} were guessed back from lost bytes (span "
                        f"confidence {sp.confidence:.2f}); a text with guessed characters "
                        f"claims at most {chardata.MAX_GUESSED_CONFIDENCE} and its least sure "
                        "guess")
    found.doubts += _big5_private_use(output, spans, model)
    doubtful = sorted((d for d in found.doubts
                       if d.keep_posterior < chardata.DAMAGED_DOC_MIN_CONFIDENCE),
                      key=lambda d: d.keep_posterior)
    for d in doubtful[: chardata.MAX_LOST_WARNINGS]:
        warnings.append(f"{d.original!r} may be {chardata.SPAN_KINDS[d.kind]} ({d.reading!r}): "
                        "that reading is almost as likely as the text as it came (posterior of "
                        f"keeping it {d.keep_posterior:.2f}); left as it came")
    if _encoding is not None:
        spans = _with_byte_offsets(
            text, spans, [(s, a, codec) for s, _, a, _, codec, _ in _parts]
            or [(0, _bom_bytes, _encoding)], _replaced)
    if found.cut:
        warnings.append(DEADLINE_WARNING)
    if (found.cut or any(s.kind == "lost" or s.lost for s in spans) or "\ufffd" in output
            or left or any(s.kind == "escaped" and s.confidence == 0.0 for s in spans)):
        # characters are gone (U+FFFD anywhere in the output: bytes lost
        # before luanma saw them, or in its repair; mojibake left beside a
        # repair: bytes dropped without a trace), or the search was cut: the
        # text is not vouched for
        confidence = 0.0
    else:
        feats = score.result_features(found.scored, spans, output != text, model,
                                      len(found.repaired))
        confidence = score.document_confidence(feats)
        guesses = [s.confidence for s in spans if s.guessed]
        if guesses:
            # A character guessed back from lost bytes (UTF-8's or a GBK
            # stream's): the whole is no surer than its least sure guess,
            # nor than such guesses are (chardata.MAX_GUESSED_CONFIDENCE).
            confidence = min(confidence, *guesses, chardata.MAX_GUESSED_CONFIDENCE)
        if _confidence_cap is not None:
            # bytes whose decode nothing in them could choose (repair_bytes)
            confidence = min(confidence, _confidence_cap)
        if found.doubts:
            # a region kept against a Chinese reading of it is no surer
            # than keeping it was (`score.Doubt`)
            confidence = min(confidence, *(d.keep_posterior for d in found.doubts))
        if spans:
            # the document is right only if each of its repairs is
            confidence = min(confidence, *(s.confidence for s in spans))
        if confidence < chardata.EXPLAINED_CONFIDENCE and not warnings:
            # a low confidence says why, where nothing else has
            reason = score.low_confidence_reason(feats)
            if reason:
                warnings.append(f"confidence {confidence:.2f}: {reason}")
    result = RepairResult(output, confidence, output != text, _encoding, tuple(steps),
                          tuple(spans), tuple(warnings))
    if detect_only:
        return withhold(result, text)
    if min_confidence is not None and repaired != text and confidence < min_confidence:
        # (a conversion alone is not a repair: it is not held back)
        return withhold(result, text, f"confidence {confidence:.4f} is below min_confidence "
                                      f"{min_confidence}: the input is returned unchanged")
    return result


_UTF8_REPAIR_KINDS = frozenset({"utf8_as_gbk", "utf8_as_big5"})
# What a GBK or Big5 decoder makes of the user-defined byte pairs a UTF-8
# four-byte sequence can hold (𠮷 is F0 A0 AE B7: GB18030 馉 and U+E18E).
_PRIVATE_USE_RUN_RE = re.compile(chardata.PRIVATE_USE_RE.pattern + "+")
# A run of Han characters (`escapes.truncated_utf8` tests each).
_TRUNCATED_UTF8_RUN_RE = re.compile(f"{chardata.HAN_RE.pattern}+")


def _left_beside(output: str, spans: list[Span], model: CharModel) -> list[tuple[int, int, str]]:
    """Mojibake left beside a repair of UTF-8 read as GBK or Big5, which a
    decoder that dropped bytes without a trace (``errors="ignore"``) leaves
    where it broke a sequence, and which cannot be read back
    (加大城乡结合部环境卫鐢熺＄悊): just outside such a repair, on its line and
    outside every span,

    * an odd pair (`CharModel.odd_pair_re`) at most
      `chardata.LEFT_BESIDE_MAX_GAP_CHARS` characters from the repair's
      edge, every Han character in it odd (`CharModel.odd_class`; not
      彧和李喆), not all in dictionary words (`CharModel.in_word`), its GBK or
      Big5 bytes holding the start of a UTF-8 sequence (`gate._holds_utf8`);
    * a run of odd characters touching the edge, in no word, with such
      bytes (大娓鍗 for 大港區), or of characters whose GBK bytes are a
      three-byte UTF-8 sequence less its last byte (`escapes.truncated_utf8`:
      北京鏄涓国 for 北京是中国, 首都銆 for 首都。);
    * private-use characters as near: what GB18030 makes of part of a
      four-byte sequence (𠮷 is F0 A0 AE B7: 馉 and U+E18E);
    * Han characters right after the repair, in no word, whose GBK bytes
      are UTF-8 of Chinese cut inside its last character (`_cut_utf8_prefix`:
      用户评论 read with ``errors="ignore"`` is 用户璇勮).

    Beside a repair of UTF-8 read as cp932, cp949 or a Windows code page
    (`_OTHER_UTF8_REPAIR_KINDS`), a run touching it whose bytes in that
    codec are UTF-8 cut inside a character (`_cut_utf8`: 人民 read as cp932
    with ``errors="ignore"`` is 莠ｺ豌, 豌 E6 B0; 联系我们 as cp1252 is
    è”ç³»æˆ‘ä»¬, è” E8 94).

    Args:
        output: the repaired text.
        spans: the result's spans (``out_start``/``out_end`` index `output`).
        model: the language model.

    Returns:
        ``(start, end, characters)`` per leftover, offsets into `output`,
        in order.
    """
    repairs = [s for s in spans if s.kind in _UTF8_REPAIR_KINDS]
    others = [s for s in spans if s.kind in _OTHER_UTF8_REPAIR_KINDS
              and s.plan and s.plan[0][0] == "encode"]
    if not repairs and not others:
        return []
    inside = _overlap_test(sorted((s.out_start, s.out_end) for s in spans))
    gap = chardata.LEFT_BESIDE_MAX_GAP_CHARS
    odd_run = model.odd_run_re
    reach = gap + 4  # an odd pair is at most 4 characters long
    found: dict[int, tuple[int, int, str]] = {}

    def add(m: re.Match[str]) -> None:
        if not inside(m.start(), m.end()) and "\n" not in m.group():
            found[m.start()] = (m.start(), m.end(), m.group())

    for s in repairs:
        # the text just before the repair's start and just after its end
        for lo, hi in ((max(0, s.out_start - reach), s.out_start),
                       (s.out_end, min(len(output), s.out_end + reach))):
            if "\n" in output[lo:hi]:
                lo, hi = (output.rfind("\n", lo, hi) + 1, hi) if hi == s.out_start else (
                    lo, output.find("\n", lo, hi))
            for m in model.odd_pair_re.finditer(output, lo, hi):
                if (m.end() >= s.out_start - gap and m.start() <= s.out_end + gap
                        and all(odd_run.match(ch) for ch in chardata.HAN_RE.findall(m.group()))
                        and not (model.in_word(output, m.start())
                                 and model.in_word(output, m.end() - 1))
                        and _holds_utf8(m.group())):
                    add(m)
            for m in odd_run.finditer(output, lo, hi):
                if ((m.end() == s.out_start or m.start() == s.out_end)
                        and not any(model.in_word(output, k) for k in range(m.start(), m.end()))
                        and _holds_utf8(m.group())):
                    add(m)
            for m in _TRUNCATED_UTF8_RUN_RE.finditer(output, lo, hi):
                if ((m.end() == s.out_start or m.start() == s.out_end)
                        and all(escapes.truncated_utf8(ch) for ch in m.group())
                        and not any(model.in_word(output, k) for k in range(m.start(), m.end()))):
                    add(m)
            for m in _PRIVATE_USE_RUN_RE.finditer(output, lo, hi):
                add(m)
        after = _TRUNCATED_UTF8_RUN_RE.match(output, s.out_end,
                                             s.out_end + chardata.LEFTOVER_MAX_CHARS)
        cut = _cut_utf8_prefix(after.group()) if after else 0
        if cut and not any(model.in_word(output, k) for k in range(s.out_end, s.out_end + cut)):
            add(_TRUNCATED_UTF8_RUN_RE.match(output, s.out_end, s.out_end + cut))
    for s in others:
        # UTF-8 read as cp932, cp949 or a Windows code page with bytes
        # dropped: what touches the repair and is, in that codec's bytes,
        # UTF-8 cut inside a character (人民 read as cp932 with
        # errors="ignore" is 莠ｺ豌, 豌 being E6 B0; 联系 as cp1252, è” E8 94)
        wrong = s.plan[0][1]
        after = _LEFTOVER_RUN_RE.match(output, s.out_end, s.out_end + chardata.LEFTOVER_MAX_CHARS)
        k = _cut_utf8_prefix(after.group(), wrong, 1, chinese=False) if after else 0
        if k:
            add(_LEFTOVER_RUN_RE.match(output, s.out_end, s.out_end + k))
        line_start = max(output.rfind("\n", 0, s.out_start) + 1,
                         s.out_start - chardata.LEFTOVER_MAX_CHARS)
        before = [m for m in _LEFTOVER_RUN_RE.finditer(output, line_start, s.out_start)
                  if m.end() == s.out_start]
        if before:
            run = before[0]
            for a in range(run.start(), run.end()):
                if _cut_utf8(output[a : run.end()], wrong) is not None:
                    add(_LEFTOVER_RUN_RE.match(output, a, run.end()))
                    break
    return [found[k] for k in sorted(found)]


# Private-use characters that GB18030 makes of Big5 pairs, in a run: its
# user-defined areas (AAA1..AFFE, F8A1..FEFE: U+E000..U+E4C5; Big5 表 AAED is
# U+E04C) and its mapping of A140..A7A0 (U+E4C6..U+E765: Big5's symbols and
# commonest Han with a trail byte below 0xA1, 人 A448 is U+E5EE).
_BIG5_PRIVATE_USE_RUN_RE = re.compile("[\ue000-\ue765]{2,}")


def _big5_private_use(output: str, spans: list[Span], model: CharModel) -> list[score.Doubt]:
    """Runs of the output, outside every span, of private-use characters
    that are Big5 text read as GB18030 as likely as they are icons:
    `_BIG5_PRIVATE_USE_RUN_RE` runs that hold a character below U+E600
    (icon fonts such as Alibaba's iconfont number their glyphs from U+E600;
    GB18030 puts Big5 人 at U+E5EE, and 們 in its user-defined area at
    U+E145: Big5 他們 read so was kept at 0.9765, 238 of the 271 Big5 words
    of `scripts/measure_short_words.py big5_as_gbk` kept at 0.9 or more) and
    whose Big5 reading reads as Chinese
    (`CharModel.reads_as_chinese`). The round trips leave such a run as it
    came (`candidates.round_trips`: icons are likelier); this says so, as a
    `score.Doubt` with `chardata.BIG5_PRIVATE_USE_KEEP_POSTERIOR`: Big5 人大
    read as GB18030 was kept at 0.98 with no word said (fresh-eyes session 9).

    Returns:
        One Doubt per run, offsets into `output`.
    """
    if not chardata.PRIVATE_USE_RE.search(output):
        return []
    inside = _overlap_test(sorted((s.out_start, s.out_end) for s in spans))
    out = []
    for m in _BIG5_PRIVATE_USE_RUN_RE.finditer(output):
        if not any(ch < "\ue600" for ch in m.group()) or inside(m.start(), m.end()):
            continue
        try:
            reading = m.group().encode("gb18030").decode("big5hkscs")
        except UnicodeError:
            continue
        if model.reads_as_chinese(reading, output[max(0, m.start() - 4):m.start()],
                                  output[m.end():m.end() + 4]):
            out.append(score.Doubt(m.start(), m.end(), m.group(), reading, "big5_as_gbk",
                                   chardata.BIG5_PRIVATE_USE_KEEP_POSTERIOR))
    return out


def _misaligned_private_use(output: str, spans: list[Span]) -> list[tuple[int, int, str]]:
    """Stretches of the output, outside every span, where private-use
    characters of GBK's user-defined pairs are threaded through other text
    (`detect.misaligned_private_use`, `chardata.MISALIGNED_PUA_GAP`:
    今天唐\ue24d芎茫\ue0e9颐, a GBK stream out of step between two lost
    bytes, which the byte-loss pass could not read back).

    Returns:
        ``(start, end, characters)`` per stretch, offsets into `output`.
    """
    if not chardata.PRIVATE_USE_RE.search(output):
        return []
    inside = _overlap_test(sorted((s.out_start, s.out_end) for s in spans))
    return [(g[0], g[-1] + 1, output[g[0]:g[-1] + 1])
            for g in detect.misaligned_private_use(output, chardata.MISALIGNED_PUA_GAP,
                                                   lambda k: inside(k, k + 1))]


def _unread_utf8(output: str, spans: list[Span], model: CharModel,
                 named: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Stretches of the output, outside every span, every place already
    `named`, every fill (`chardata.LOST_RE`) and every line that talks about
    encodings (`detect.talks_about_encoding`), that are UTF-8 read as GBK
    (`score.utf8_mojibake_stretches`) and were not read back: words garbled
    twice with ``errors="ignore"`` (閸ョ姳璐 for 因为, kept at 0.97), or whose
    right reading the model could not tell (fresh-eyes reports fe10c S2-b
    and fe11b S2-4). Joined where they touch.

    Returns:
        ``(start, end, characters)`` per stretch, offsets into `output`.
    """
    stretches = score.utf8_mojibake_stretches(output, model)
    if not stretches:
        return []
    # (not a fill, 锟斤拷 is U+FFFD's UTF-8 read as GBK: lost, and reported so,
    # or quoted; nor what a line that talks about encodings quotes)
    taken = _overlap_test(sorted([(s.out_start, s.out_end) for s in spans]
                                 + [(a, b) for a, b, _ in named]
                                 + [m.span() for m in chardata.LOST_RE.finditer(output)]))
    out: list[tuple[int, int, str]] = []
    for a, b in stretches:
        line = output[output.rfind("\n", 0, a) + 1 : _line_end(output, b)]
        if taken(a, b) or detect.talks_about_encoding(line):
            continue
        if out and a <= out[-1][1]:
            a = out.pop()[0]
        out.append((a, b, output[a:b]))
    return out


def _unread_twice(output: str, spans: list[Span], model: CharModel
                  ) -> list[tuple[int, int, str]]:
    """Runs of the output, outside every span, that are UTF-8 read as GBK
    twice with bytes lost or dropped on the way, which the round trips
    cannot peel (`candidates._layers` peels strict decodes only): a run of
    at least `chardata.TWICE_MIN_CHARS` characters (`_LEFTOVER_RUN_RE`)
    whose GB18030 bytes are well-formed UTF-8, perhaps cut inside its last
    character (`escapes.utf8_cut`), and whose reading so holds a stretch
    between its U+FFFD (what a lossy first decode left: 锟斤拷's EF BF BD)
    of at least `chardata.TWICE_MIN_READING_CHARS` characters that is such UTF-8
    again and reads as Chinese (`CharModel.reads_as_chinese`, the UTF-8
    bar). 数据抓取结果 read as GBK twice, the second time with
    ``errors="ignore"``, is 閺佺増宓侀幎鎾冲絿缂佹挻鐏 (was kept at 0.966).
    Clean text's GB18030 bytes are well-formed UTF-8 by accident about once
    in fifty characters, so a run of six twice over is not clean text.

    Returns:
        ``(start, end, characters)`` per run, offsets into `output`.
    """
    # (a lost span inside such a run, 夛拷, is part of what it names)
    inside = _overlap_test(sorted((s.out_start, s.out_end) for s in spans
                                  if s.kind != "lost"))
    least = chardata.TWICE_MIN_CHARS
    out = []
    # Only runs that hold an odd pair (`CharModel.odd_pair_re`), as every
    # such run does (its characters are a GBK reading of UTF-8 bytes, twice):
    # one scan of the text, not an encode of each of its runs (a clean 100 KB
    # page: 6 ms).
    pairs = [m.start() for m in model.odd_pair_re.finditer(output)]
    seen = -1
    for k in pairs:
        if k < seen:
            continue
        a = k
        while a > 0 and _LEFTOVER_RUN_RE.match(output, a - 1, a):
            a -= 1
        m = _LEFTOVER_RUN_RE.match(output, a)
        if m is None:
            continue
        seen = m.end()
        if m.end() - m.start() < least or inside(m.start(), m.end()):
            continue
        first = _utf8_reading(m.group())
        if first is None:
            continue
        for piece in first.split("\ufffd"):
            if len(piece) < chardata.TWICE_MIN_READING_CHARS:
                continue
            second = _utf8_reading(piece)
            if second is not None and model.reads_as_chinese(
                    second, max_bits=chardata.MAX_BITS_PER_HAN_UTF8):
                out.append((m.start(), m.end(), m.group()))
                break
    return out


def _utf8_reading(chars: str) -> str | None:
    """`chars`' GB18030 bytes read as UTF-8 where they are well-formed UTF-8
    or that cut inside its last character (the cut bytes left out), holding
    a character beyond ASCII; else None."""
    try:
        data = chars.encode("gb18030")
    except UnicodeEncodeError:
        return None
    data = data[: len(data) - escapes.utf8_cut(data)]
    try:
        reading = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if reading.isascii() else reading


# Repairs of UTF-8 read with a codec other than GBK or Big5, whose leftovers
# `_left_beside` reads in that codec's bytes.
_OTHER_UTF8_REPAIR_KINDS = frozenset({"utf8_as_cp932", "utf8_as_cp949", "utf8_as_cp1252",
                                      "utf8_as_cp1251", "utf8_as_cp1250"})
# A run of non-ASCII characters that are neither white space nor CJK
# punctuation or full-width forms (U+3000..U+303F, U+FF00..U+FFEF): what a
# wrong decode left of a few UTF-8 bytes (cp1252's ” for 0x94 included).
_LEFTOVER_RUN_RE = re.compile("[^\x00-\x7f\\s\u3000-\u303f\uff00-\uffef]+")


def _cut_utf8(chars: str, codec: str) -> str | None:
    """Where `chars`, encoded with `codec`, are UTF-8 cut inside a character
    (`escapes.utf8_cut`: whole sequences or none, then the start of
    another), the whole characters before the cut; else None."""
    try:
        data = chars.encode(codec)
    except UnicodeEncodeError:
        return None
    pending = escapes.utf8_cut(data)
    return data[: len(data) - pending].decode("utf-8") if pending else None


def _cut_utf8_prefix(run: str, codec: str = "gb18030", shortest: int = 2,
                     chinese: bool = True) -> int:
    """How many characters at the start of `run` (`shortest` at least) have
    `codec` bytes that are UTF-8 cut inside a character (`_cut_utf8`), the
    longest such prefix; with `chinese`, one whole three-byte sequence or
    more before the cut (用户评论 read as GBK with ``errors="ignore"``
    leaves 璇勮, E8 AF 84 E8: 评 and the lead of 论); 0 if none."""
    for k in range(len(run), shortest - 1, -1):
        done = _cut_utf8(run[:k], codec)
        if done is not None and (not chinese or any(ch >= "\u0800" for ch in done)):
            return k
    return 0


DEADLINE_WARNING = ("the deadline cut the search: the result is what was found by then "
                    "(confidence 0)")


def _check_option_types(**options) -> None:
    """TypeError for an option of the wrong type: a str or None for
    ``convert``, ``charset`` and ``page_charset``, a bool for the flags
    (`repair_text`, `repair_bytes`: nothing else escapes but their
    documented errors; ``convert=5`` raised AttributeError, fresh-eyes
    report fe12 S3-1)."""
    for name, value in options.items():
        want = bool if name in ("strip_annotations", "html", "detect_only") else str
        if not (isinstance(value, want) or (want is str and value is None)):
            kind = "True or False" if want is bool else "a str or None"
            raise TypeError(f"{name} must be {kind}, not {type(value).__name__}")


def _check_min_confidence(value: float | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                              or not 0 <= value <= 1):
        raise InvalidOption("min_confidence", f"min_confidence must be a number in [0, 1], "
                            f"not {value!r}")


def withhold(result: RepairResult, text: str, warning: str | None = None) -> RepairResult:
    """`result` with nothing changed: what ``detect_only`` and ``min_confidence`` return.

    Args:
        result: a result of `repair_text` on `text`.
        text: the input of that call (for bytes, the decoded input).
        warning: appended to the result's warnings, if given.

    Returns:
        A `RepairResult` whose `text` is `text`, `changed` False, `steps`
        only the ``decode`` step (so ``apply_plan`` still replays to `text`),
        and `confidence` the withheld repair's. Its `spans` are the repair's,
        for information: `original`, `repaired`, `plan` and `confidence` as
        found, `out_start`/`out_end` equal to `start`/`end` (the output is
        the input).

    >>> r = withhold(repair_text("鏁版嵁"), "鏁版嵁")
    >>> r.text, r.changed, r.spans[0].repaired
    ('鏁版嵁', False, '数据')
    """
    return replace(
        result, text=text, changed=False,
        steps=tuple(s for s in result.steps if s.action == "decode"),
        spans=tuple(replace(s, out_start=s.start, out_end=s.end) for s in result.spans),
        warnings=result.warnings + ((warning,) if warning else ()),
    )


def _reach(intervals: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """The starts of `intervals` sorted, and for each k the furthest end of
    the first k + 1 of them in that order."""
    ordered = sorted(intervals)
    furthest, reach = [], -1
    for _, b in ordered:
        reach = max(reach, b)
        furthest.append(reach)
    return [a for a, _ in ordered], furthest


def _overlap_test(intervals: list[tuple[int, int]]):
    """Whether [start, end) overlaps one of fixed `intervals` (``a < end``
    and ``start < b``), each question in O(log n): the
    intervals that start before `end` are a prefix of them sorted by start,
    and one of those reaches past `start` when the prefix's furthest end does
    (a page of ten thousand repaired escapes asked once per byte-loss point
    took seconds)."""
    starts, furthest = _reach(intervals)

    def overlaps(start: int, end: int) -> bool:
        k = bisect.bisect_left(starts, end) - 1
        return k >= 0 and furthest[k] > start
    return overlaps


def _containment_test(intervals: list[tuple[int, int]]):
    """Whether some interval of `intervals` holds [start, end), each question
    in O(log n) (the intervals that start at or before `start` are a prefix
    of them sorted by start; one holds [start, end) when the prefix's
    furthest end reaches `end`): a page's thousands of lost runs against its
    thousands of repairs took seconds asked one by one."""
    starts, furthest = _reach(intervals)

    def contains(start: int, end: int) -> bool:
        k = bisect.bisect_right(starts, start) - 1
        return k >= 0 and furthest[k] >= end
    return contains


def _hits_test(intervals: list[tuple[int, int]]):
    """For [start, end), the intervals of `intervals` that overlap it (``a <
    end`` and ``start < b``; an empty one strictly inside counts, as in
    `_overlap_test`), sorted; each question in O(log n + k) for k intervals
    that reach into it (a page of thousands of tags asked once per repair
    took seconds, and minutes for a megabyte: fresh-eyes report fe12 S1-1)."""
    ordered = sorted(intervals)
    starts, furthest = _reach(ordered)

    def hits(start: int, end: int) -> list[tuple[int, int]]:
        k = bisect.bisect_left(starts, end) - 1
        out = []
        while k >= 0 and furthest[k] > start:
            if ordered[k][1] > start:
                out.append(ordered[k])
            k -= 1
        out.reverse()
        return out
    return hits


def _uncovered_test(intervals: list[tuple[int, int]]):
    """For [start, end), the stretches of it that no interval of `intervals`
    covers, in order (``(a, b)`` pairs, half-open, none empty); each
    question in O(log n + k) for k intervals that reach into it."""
    hits = _hits_test([iv for iv in intervals if iv[1] > iv[0]])

    def uncovered(start: int, end: int) -> list[tuple[int, int]]:
        out, pos = [], start
        for a, b in hits(start, end):
            if a > pos:
                out.append((pos, min(a, end)))
            pos = max(pos, b)
        if pos < end:
            out.append((pos, end))
        return out
    return uncovered


def _fit(text: str, a: _Accepted, blocked_hits) -> list[_Accepted]:
    """`a` if it touches no blocked region; else `a`'s plan applied to each
    stretch of its region between the blocked ones, where it replays there
    on its own to a piece of `a`'s replacement (a round trip reads mojibake,
    the markup between and more mojibake as one segment, and can take the
    ``<`` after it along: 鏁版嵁< to 数据<). `blocked_hits` is `_hits_test`
    of the blocked regions (offsets into `text`)."""
    inside = blocked_hits(a.start, a.end)
    if not inside:
        return [a]
    if a.guessed or a.lost:
        return []  # offsets into the replacement: not cut
    out = []
    for s, e in _complement([(max(x, a.start) - a.start, min(y, a.end) - a.start)
                             for x, y in inside], a.end - a.start):
        s, e = a.start + s, a.start + e
        try:
            piece = apply_plan(text[s:e], a.plan)
        except RepairError:
            continue
        # Only the changed middle (the ASCII around a piece reads the same).
        head = 0
        while head < min(e - s, len(piece)) and text[s + head] == piece[head]:
            head += 1
        tail = 0
        while tail < min(e - s, len(piece)) - head and text[e - 1 - tail] == piece[-1 - tail]:
            tail += 1
        core = piece[head:len(piece) - tail]
        if s + head < e - tail and core in a.replacement:
            try:
                if apply_plan(text[s + head:e - tail], a.plan) != core:
                    continue
            except RepairError:
                continue
            out.append(_Accepted(s + head, e - tail, core, a.plan, a.kind, a.confidence,
                                 a.explanation))
    return out


TALK_WARNING = "lines that talk about encodings keep the mojibake they quote"
QUOTED_WARNING = ("lines that show what their mojibake would repair to quote it beside its "
                  "meaning: kept as it came")


def _shown_beside(text: str, a: _Accepted) -> bool:
    """Whether the line of `text` that repair `a` (offsets into `text`)
    lies in also shows its result, two characters or more with a Han one,
    within `escapes.SHOWN_NEAR` characters either side, with no tag
    between, and not glued to it (``鏁版嵁 → 数据``,
    ``截图里写着鏁版嵁，应该是数据``, a JSON test case's input and expected
    output), or, where it stands in ASCII double quotes, another line of the
    same block shows it so quoted (a pretty-printed JSON or YAML test case):
    mojibake a writer quotes beside its meaning, as an escape shown with its
    result is (`escapes.find_escaped`)."""
    # what the repair changes, less what it keeps at either end (ftfy's
    # encoding fixer hands back a whole line)
    old, new = text[a.start:a.end], a.replacement
    head = len(os.path.commonprefix([old, new]))
    tail = len(os.path.commonprefix([old[head:][::-1], new[head:][::-1]]))
    start, end = a.start + head, a.end - tail
    result = new[head:len(new) - tail].strip()
    if len(result) < 2 or chardata.HAN_RE.search(result) is None:
        return False
    lo = max(start - escapes.SHOWN_NEAR, 0)
    hi = min(end + escapes.SHOWN_NEAR, len(text))
    # the line, and in it the stretch no tag cuts (HTML sent as text: a
    # page's <title> repeats its heading, which may be the damaged one)
    left = max(lo, max(text.rfind(c, lo, start) for c in "\n<>") + 1)
    right = min((i for c in "\n<>" if (i := text.find(c, end, hi)) >= 0), default=hi)
    # (not glued to it: 数据鏁版嵁 is one word written twice, once damaged)
    if result in (text[left : max(left, start - 1)] + "\n" + text[end + 1 : right]):
        return True
    if _shown_on_labelled_line(text, start, end, result):
        return True
    # A string of a JSON or YAML record, its meaning a string of the same
    # record on another line ("input": "鏁版嵁",\n  "expected": "数据"): both
    # in ASCII double quotes, no blank line or tag between.
    if text[start - 1 : start] != '"' or text[end : end + 1] != '"':
        return False
    block = text[lo:hi]
    at = block.find(f'"{result}"')
    while at >= 0:
        a, b = sorted((lo + at, start))
        if "\n\n" not in text[a:b] and "<" not in text[a:b] and ">" not in text[a:b]:
            return True
        at = block.find(f'"{result}"', at + 1)
    return False


# A line's label: what a record or a writer's example puts before a value
# (``错误示例：``, ``- input: ``, ``原文：``), up to 16 characters and a colon.
_LABEL_RE = re.compile("[ \t]*(?:[-*][ \t]+)?[^\\s:：\"'<>]{1,16}[ \t]*[:：][ \t]*")


def _shown_on_labelled_line(text: str, start: int, end: int, result: str) -> bool:
    """Whether ``text[start:end]`` (code-point offsets) is the whole value of
    a labelled line (`_LABEL_RE`) and the line before or after it is
    labelled too, its value exactly `result`: a writer's example or a test
    record that shows mojibake and its meaning (``错误示例：鏂伴椈\n正确写法：新闻``,
    ``- input: 鏁版嵁\n  expected: 数据``; fresh-eyes report fe10c S1-b, 18
    of 20 such YAML records and every prose pair were repaired at 0.998). A
    heading repeated on the next line, which carries no label, is not so
    read."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = _line_end(text, end)
    label = _LABEL_RE.match(text, line_start, start)
    if label is None or label.end() != start or text[end:line_end].strip():
        return False
    neighbours = []
    if line_start > 0:
        neighbours.append((text.rfind("\n", 0, line_start - 1) + 1, line_start - 1))
    if line_end < len(text):
        neighbours.append((line_end + 1, _line_end(text, line_end + 1)))
    for a, b in neighbours:
        other = _LABEL_RE.match(text, a, b)
        if other is not None and text[other.end() : b].strip() == result:
            return True
    return False


def _markup_as_line_breaks(text: str, markup: list[tuple[int, int]]) -> str:
    """`text` with each of the sorted, non-overlapping `markup` regions
    (code-point offsets into `text`) replaced by as many ``\n``: the same
    length, so offsets hold, and no line runs across markup."""
    out, pos = [], 0
    for a, b in markup:
        a, b = max(a, pos), min(b, len(text))
        if a >= b:
            continue
        out += [text[pos:a], "\n" * (b - a)]
        pos = b
    out.append(text[pos:])
    return "".join(out)


def _adds_markup(original: str, replacement: str) -> bool:
    """Whether `replacement` holds more of ``< > & " '`` than `original`: in
    an HTML document's text that would make markup (\u003c unescaped)."""
    return any(replacement.count(c) > original.count(c) for c in "<>&\"'")


def _complement(regions: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """The parts of [0, length) outside sorted, non-overlapping `regions`."""
    out, pos = [], 0
    for a, b in regions:
        if a > pos:
            out.append((pos, a))
        pos = max(pos, b)
    if pos < length:
        out.append((pos, length))
    return out


def _talk_lines(text: str, markup: list[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Lines that talk about encodings (`detect.talks_about_encoding`): the
    mojibake they quote stays, and their 锟斤拷 is not reported as lost. In
    HTML, each stretch of text between markup counts as a line (a minified
    page is one line)."""
    if not markup:
        # One scan of the whole text (no match crosses a line break).
        out = []
        for m in detect.ENCODING_TALK_RE.finditer(text):
            if out and m.start() < out[-1][1]:
                continue
            start = text.rfind("\n", 0, m.start()) + 1
            end = text.find("\n", m.end())
            out.append((start, len(text) if end < 0 else end))
        return out
    out, pos = [], 0
    for line in text.split("\n"):
        for a, b in _complement([(max(a, pos) - pos, min(b, pos + len(line)) - pos)
                                 for a, b in markup if a < pos + len(line) and pos < b]
                                if markup else [], len(line)):
            if detect.talks_about_encoding(line[a:b]):
                out.append((pos + a, pos + b))
        pos += len(line) + 1
    return out


def _markup_edits(page: Markup, text: str, strip_annotations: bool) -> list[_Accepted]:
    """HTML mode's own edits (offsets into the document): each charset
    declaration made to say UTF-8, and, with `strip_annotations`, the
    contents of <rt> and <rp> dropped unless the page teaches pronunciation
    (`annotations.lesson_page`) or they hold kana (Japanese furigana: 漢字
    read かんじ is no Chinese ruby)."""
    out = [_Accepted(a, b, declare_utf8(text[a:b]), (("declare", "utf-8"),), "charset_declaration",
                     chardata.MAX_SPAN_CONFIDENCE,
                     f"{chardata.SPAN_KINDS['charset_declaration']}: declare utf-8")
           for a, b in page.declarations]
    if strip_annotations and not lesson_page(text, page.text, page.annotations):
        out += [_Accepted(a, b, "", (("delete", None),), "ruby_annotation",
                          chardata.MAX_SPAN_CONFIDENCE,
                          "the contents of an <rt> or <rp> element (a ruby reading)")
                for a, b in page.annotations if not detect.KANA_RE.search(text, a, b)]
    return _non_overlapping(out)


def _with_byte_offsets(text: str, spans: list[Span], parts: list[tuple[int, int, str]],
                       replaced: tuple[tuple[int, int], ...] = ()) -> list[Span]:
    """Fill start_byte/end_byte by encoding the text between span edges once.

    `parts` are ``(start, start_byte, codec)``: from code point `start` on,
    the text was decoded from bytes at `start_byte` with `codec` (one part
    for bytes in one encoding, its BOM's length as `start_byte`).
    `replaced` (`decode.Decoded.replaced`): U+FFFD that stand for that many
    undecodable bytes rather than for their own encoding."""
    starts = [p[0] for p in parts]
    at = [i for i, _ in replaced]
    offsets = {}
    last: tuple[int, int, int] | None = None  # (part, edge, offset) of the edge before
    for edge in sorted({s.start for s in spans} | {s.end for s in spans}):
        k = max(0, bisect.bisect_right(starts, edge) - 1)
        if k and edge == starts[k]:
            k -= 1  # an edge where a part begins ends the part before (same offset)
        start, start_byte, codec = parts[k]
        if last is not None and last[0] == k and not _STATEFUL_CODEC_RE.match(codec):
            # on from the edge before: linear in the text, not in edges x text
            # (a page of random bytes has tens of thousands of lost spans)
            start, start_byte = last[1], last[2]
        offsets[edge] = start_byte + len(text[start:edge].encode(codec, "replace")) + sum(
            n - len("\ufffd".encode(codec, "replace"))
            for i, n in replaced[bisect.bisect_left(at, start):bisect.bisect_left(at, edge)])
        last = (k, edge, offsets[edge])
    return [replace(s, start_byte=offsets[s.start], end_byte=offsets[s.end]) for s in spans]


# Codecs whose encoder carries state between characters (escape sequences):
# a stretch of their text is encoded from the start of its part.
_STATEFUL_CODEC_RE = re.compile("iso2022|hz|utf[-_]?7")


def repair_bytes(data: bytes, *, charset: str | None = None, convert: str | None = None,
                 strip_annotations: bool = True, page_charset: str | None = None,
                 html: bool = False, min_confidence: float | None = None,
                 detect_only: bool = False, deadline: float | None = None) -> RepairResult:
    """Decode raw bytes, then repair the text.

    Args:
        data: the bytes as received.
        charset: the charset the page or the caller declares (a WHATWG or
            Python label); evidence checked against the bytes, not an order.
        page_charset: the charset of the page's own HTTP Content-Type (as a
            scraper forwards it); evidence after `charset`, and a label no
            codec answers to is ignored with a warning. The page's ``<meta>``
            and XML declarations are read from the bytes themselves.
        html: as for `repair_text`; span offsets then point into the decoded
            document.
        convert: as for `repair_text`.
        strip_annotations: as for `repair_text`.
        min_confidence, detect_only, deadline: as for `repair_text` (an
            input left unchanged is the decoded text).

    Returns:
        A `RepairResult` whose `encoding` is the codec used; spans carry
        `start_byte`/`end_byte` into `data`.

    Raises:
        TypeError: `data` is not bytes, `charset` or `page_charset` not a
            str or None (the other options as for `repair_text`).
        NotText: the bytes are not text.
        UnknownCodec: `charset` names no codec.
        UnknownConversion: `convert` is not an OpenCC config id.
        InvalidOption: `min_confidence` is not a number in [0, 1].
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"repair_bytes takes bytes, not {type(data).__name__}")
    _check_option_types(charset=charset, page_charset=page_charset)
    data = bytes(data)
    _check_min_confidence(min_confidence)
    check_config(convert)
    decoded = decode_bytes(data, charset, page_charset=page_charset, deadline=deadline)
    step = Step("decode", decoded.codec, f"decoded the bytes as {decoded.codec}")
    if decoded.head_bytes:
        # The bytes begin inside a character: its trail byte is one U+FFFD,
        # the rest decodes in step from the byte after it.
        n = decoded.head_bytes
        step = Step("decode", decoded.codec,
                    f"decoded the bytes as {decoded.codec} from byte {n} (the first {n} the "
                    "trail of a character cut off: one U+FFFD)",
                    (Edit(0, n, (("decode_lossy", decoded.codec),)),
                     Edit(n, len(data), (("decode", decoded.codec),))))
    parts: list[tuple[int, int, int, int, str, float]] = []
    if decoded.segments:
        # A mixed stream: the decode step's edits say which codec reads
        # which bytes (offsets into the bytes).
        step = Step("decode", decoded.codec,
                    f"decoded a mixed stream part by part ({len(decoded.segments)} parts)",
                    tuple(Edit(g.start_byte, g.end_byte, (("decode", g.codec),))
                          for g in decoded.segments))
        pos = 0
        for g in decoded.segments:
            length = len(data[g.start_byte:g.end_byte].decode(g.codec))
            parts.append((pos, pos + length, g.start_byte, g.end_byte, g.codec, g.confidence))
            pos += length
    return repair_text(decoded.text, convert=convert, strip_annotations=strip_annotations,
                       html=html, min_confidence=min_confidence, detect_only=detect_only,
                       deadline=deadline, _encoding=decoded.codec, _decode_step=step, _bom_bytes=decoded.bom_bytes,
                       _warnings=decoded.warnings, _parts=tuple(parts),
                       _replaced=decoded.replaced, _confidence_cap=decoded.confidence_cap)


def repair(data: str | bytes, *, charset: str | None = None, convert: str | None = None,
           strip_annotations: bool = True, html: bool = False,
           min_confidence: float | None = None, detect_only: bool = False,
           deadline: float | None = None) -> RepairResult:
    """`repair_bytes` for bytes, `repair_text` for str.

    Raises:
        TypeError: `data` is neither str nor bytes.
        InvalidOption: `charset` given with str `data`, which is already
            decoded (the API's rule for a JSON item's ``text``).
        RepairError: see `repair_bytes` and `repair_text`.
    """
    options = {"convert": convert, "strip_annotations": strip_annotations, "html": html,
               "min_confidence": min_confidence, "detect_only": detect_only,
               "deadline": deadline}
    if not isinstance(data, (str, bytes, bytearray, memoryview)):
        raise TypeError(f"repair takes str or bytes, not {type(data).__name__}")
    if isinstance(data, str):
        if charset is not None:
            raise InvalidOption("charset", "charset applies to bytes, not to str, which is "
                                "already decoded")
        return repair_text(data, **options)
    return repair_bytes(data, charset=charset, **options)


# --- replay -----------------------------------------------------------------------


def _apply_item(value: str | bytes, action: str, parameter: str | None,
                fill: list[str] | None = None) -> str | bytes:
    try:
        if action == "encode" and isinstance(value, str):
            if fill is not None:
                return cand.encode_filled(value, fill, parameter)
            return value.encode(parameter)
        if action == "decode_lossy" and isinstance(value, bytes):
            return value.decode(parameter, "replace")
        if action == "decode" and isinstance(value, bytes):
            return value.decode(parameter)
        if action == "widen" and isinstance(value, str):
            if parameter == "except_last":
                return value[:-1].translate(chardata.WIDEN_TABLE) + value[-1:]
            if parameter == "all":
                return value.translate(chardata.WIDEN_TABLE)
        if action == "realign" and isinstance(value, bytes) and parameter:
            return _realign(value, parameter)
        if action == "swap" and isinstance(value, bytes) and parameter:
            return _swap(value, parameter)
        if action in ("apply", "transcode") and parameter in ftfy.FIXERS:
            return ftfy.FIXERS[parameter](value)  # as ftfy.apply_plan does, on str or bytes
        if action == "unescape" and parameter in escapes.FORMS:
            return escapes.apply_unescape(value, parameter)
        if action == "declare" and parameter == "utf-8" and isinstance(value, str):
            return declare_utf8(value)
        if action == "delete" and isinstance(value, str):
            return ""
        if action == "convert" and isinstance(value, str) and parameter:
            return opencc_convert(value, parameter)
        if action == "normalize" and isinstance(value, str) and parameter:
            return unicodedata.normalize(parameter, value)
    except (UnicodeError, LookupError, ValueError) as exc:
        raise InvalidPlan(f"step ({action!r}, {parameter!r}) failed: {exc}") from exc
    except RepairError as exc:
        raise InvalidPlan(str(exc)) from exc
    raise InvalidPlan(f"cannot replay ({action!r}, {parameter!r}) on {type(value).__name__}")


def _realign(data: bytes, edits: str) -> bytes:
    """Put lost bytes back: ``0:b1`` puts B1 in front, ``end:af`` puts AF at
    the end; ``0:lost`` marks a lost lead byte (its orphan trail becomes
    0xFF, which decodes to one U+FFFD), ``end:lost`` a lost trail (nothing is
    added; the lone lead decodes to one U+FFFD)."""
    head, tail = b"", b""
    for edit in edits.split(","):
        where, _, value = edit.partition(":")
        if where == "0":
            if value == "lost":
                data = b"\xff" + data[1:]
            else:
                head = bytes.fromhex(value)
        elif where == "end":
            if value != "lost":
                tail = bytes.fromhex(value)
        else:
            raise InvalidPlan(f"realign edit {edit!r}: expected 0:XX or end:XX")
    return head + data + tail


def _swap(data: bytes, edits: str) -> bytes:
    """Put other bytes of the same length in place: ``4:fb9c`` writes FB 9C
    at byte offset 4 (comma-separated): a character the wrong codec reads
    from more than one byte pair goes back to the pair it was read from
    (`candidates.duplicate_forms`)."""
    out = bytearray(data)
    for edit in edits.split(","):
        where, _, value = edit.partition(":")
        if not where.isdigit() or not value:
            raise InvalidPlan(f"swap edit {edit!r}: expected OFFSET:HEX")
        new = bytes.fromhex(value)
        at = int(where)
        if at + len(new) > len(out):
            raise InvalidPlan(f"swap edit {edit!r}: past the end of {len(out)} bytes")
        out[at : at + len(new)] = new
    return bytes(out)


def apply_plan(value: str | bytes, plan) -> str:
    """Replay a plan or a list of steps.

    Args:
        value: the original text, or bytes when the plan starts by decoding.
        plan: either a span's plan (``[(action, parameter), ...]``) or a
            result's `steps` (`Step` objects or their dicts).

    Returns:
        The text the plan produces.

    Raises:
        InvalidPlan: a step cannot be replayed on what it receives, or an
            edit's offsets fall outside the text.

    >>> apply_plan("鏁版嵁", [("encode", "gb18030"), ("decode", "utf-8")])
    '数据'
    """
    if isinstance(plan, (str, bytes)):
        raise InvalidPlan("a plan is a list of (action, parameter) pairs or of steps, "
                          f"not {type(plan).__name__}")
    items = list(plan)
    if items and (isinstance(items[0], Step) or isinstance(items[0], dict)):
        return _apply_steps(value, items)
    if any(not isinstance(item, (tuple, list)) or len(item) != 2 for item in items):
        raise InvalidPlan("each plan item is an (action, parameter) pair")
    fill: list[str] | None = None
    for action, parameter in items:
        if action == "fill" and isinstance(value, str) and parameter is not None:
            fill = parameter.split(",")
            continue
        value = _apply_item(value, action, parameter, fill)
        fill = None
    if not isinstance(value, str):
        raise InvalidPlan("the plan ends with bytes, not text")
    return value


def _apply_steps(value: str | bytes, steps: list) -> str:
    for step in steps:
        d = step if isinstance(step, dict) else step.to_dict()
        action, parameter = d.get("action"), d.get("parameter")
        if not isinstance(action, str):
            raise InvalidPlan("each step has an action (a string)")
        if action == "decode":
            if not isinstance(value, bytes):
                raise InvalidPlan("a decode step needs bytes")
            if d.get("edits"):  # a mixed stream: byte ranges, each with its plan
                value = "".join(apply_plan(value[e["start"]:e["end"]],
                                           [tuple(p) for p in e["plan"]]) for e in d["edits"])
                continue
            value = decode_bytes(value, parameter).text if parameter is None else \
                decode_replacing(value, parameter)
            for bom, codec in chardata.BOMS:
                if codec == parameter and value.startswith("\ufeff"):
                    value = value[1:]
            continue
        if not isinstance(value, str):
            raise InvalidPlan(f"step {action!r} needs text")
        if action == "convert" and not d.get("edits"):
            value = opencc_convert(value, parameter)
            continue
        parts, pos = [], 0
        edits = d.get("edits")
        if not isinstance(edits, (list, tuple)) or not all(
                isinstance(e, dict) and isinstance(e.get("start"), int)
                and isinstance(e.get("end"), int) and isinstance(e.get("plan"), (list, tuple))
                for e in edits):
            raise InvalidPlan(f"step {action!r} needs edits: a list of objects with start, "
                              "end and plan")
        for e in edits:
            start, end = e["start"], e["end"]
            if not pos <= start <= end <= len(value):
                raise InvalidPlan(f"edit {start}..{end} is outside the text or out of order")
            parts.append(value[pos:start])
            parts.append(apply_plan(value[start:end], [tuple(p) for p in e["plan"]]))
            pos = end
        parts.append(value[pos:])
        value = "".join(parts)
    if not isinstance(value, str):
        raise InvalidPlan("the steps end with bytes, not text")
    return value
