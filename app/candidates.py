"""Candidate repairs for one region: plans of encode/decode/realign steps.

Each function takes the text and a region found by `detect` and returns
`Candidate`s (possibly none). A candidate's `plan` replays its `original`
into its `replacement` with `engine.apply_plan`; nothing here decides.
"""

from __future__ import annotations

from dataclasses import dataclass

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
        guessed: number of bytes the repair had to guess (0 when every byte of
            the original survives in the input).
    """

    start: int
    end: int
    replacement: str
    plan: tuple[PlanItem, ...]
    kind: str
    guessed: int = 0


# Lead bytes kept per start of a byte-loss run: the bigram model ranks the
# 126 possible lead bytes by the first character alone; the word model then
# scores whole candidates. The right byte ranked within the top 3 on every run
# of samples/000_cc1ae68ad79e1051.txt; 8 leaves a margin.
LEADS_PER_START = 8


def _has_han(s: str) -> bool:
    return chardata.HAN_RE.search(s) is not None


def round_trips(text: str, start: int, end: int, wrong: str, right: str, kind: str
                ) -> list[Candidate]:
    """Candidates for ``text[start:end]`` read with codec `wrong` instead of `right`.

    The run is encoded back with `wrong`; the segments of its bytes that
    decode strictly with `right` (for `right` = utf-8, as found by
    `detect.utf8_segments`; for a double-byte `right`, maximal runs of whole
    double-byte characters) become candidates. Only results holding Han
    characters are kept: Latin mix-ups are ftfy's.

    Returns:
        Candidates with offsets into `text`, non-overlapping, sorted.
    """
    pieces = []
    for ch in text[start:end]:
        try:
            pieces.append(ch.encode(wrong))
        except UnicodeEncodeError:
            pieces.append(b"")  # cuts segments: empty pieces never decode to a pair
    if right == "utf-8":
        segments = detect.utf8_segments(pieces)
    else:
        segments = _double_byte_segments(pieces, right)
    out = []
    for i, j in segments:
        raw = b"".join(pieces[i:j])
        if not raw or any(not p for p in pieces[i:j]):
            continue
        try:
            fixed = raw.decode(right)
        except UnicodeDecodeError:
            continue
        if fixed and _has_han(fixed) and fixed != text[start + i : start + j]:
            out.append(Candidate(start + i, start + j, fixed,
                                 (("encode", wrong), ("decode", right)), kind))
    return out


def _double_byte_segments(pieces: list[bytes], codec: str) -> list[tuple[int, int]]:
    """Maximal piece ranges whose bytes parse as double-byte characters of `codec`.

    A lead byte 0x81..0xFE and the byte after it must decode together; ranges
    must begin and end on piece boundaries and hold at least two pieces.
    """
    bounds = [0]
    for p in pieces:
        bounds.append(bounds[-1] + len(p))
    data = b"".join(pieces)
    at = {b: k for k, b in enumerate(bounds)}
    out = []
    i = 0
    while i < len(pieces) - 1:
        pos, best = bounds[i], None
        while pos + 1 < len(data) and 0x81 <= data[pos] <= 0xFE and pieces[i]:
            try:
                data[pos : pos + 2].decode(codec)
            except UnicodeDecodeError:
                break
            pos += 2
            k = at.get(pos)
            if k is not None and k - i >= 2:
                best = k
        if best is None:
            i += 1
        else:
            out.append((i, best))
            i = best
    return out


def realignments(text: str, j: int, model: CharModel) -> list[Candidate]:
    """Candidates for a GBK stream that lost its first byte before offset `j`.

    A GBK decoder that loses one lead byte pairs each trail byte with the
    next lead byte until an ASCII-range trail byte (0x40..0x7E, here
    ``text[j]``) falls out alone and puts it back in step. Many pages then
    fold full-width forms (U+FF01..U+FF5E) to ASCII. For each start ``i`` up
    to `chardata.MAX_BYTE_LOSS_RUN` characters back, the run
    ``text[i:j+1]`` is re-widened, re-encoded (GB18030, which also encodes
    the private-use characters a browser's decoder makes of user-defined
    byte pairs), and the lost byte put back before it. Only the first
    character depends on the lost byte, so the model picks that byte for each
    start; the caller's scorer then picks the start.

    Args:
        text: the text being repaired.
        j: offset of the realignment point (see `detect.realign_points`).
        model: scores the first character of each candidate in context.

    Returns:
        Up to `LEADS_PER_START` candidates per start (the lead bytes whose
        first character the bigram model likes best), each replacing
        ``text[i:j+1]``.
    """
    out = []
    # A run never crosses a flattened annotation: its parentheses were ASCII
    # bytes, which a GBK decoder never pairs, so the run starts after it.
    floor = max(-1, j - chardata.MAX_BYTE_LOSS_RUN - 1)
    window_start = floor + 1
    for m in ANNOTATION_RE.finditer(text, window_start, j):
        floor = max(floor, m.end() - 1)
    for i in range(j - 1, floor, -1):
        if text[i] in "\r\n":
            break
        pieces = [ch.encode("gb18030") for ch in text[i:j].translate(chardata.WIDEN_TABLE)]
        if len(pieces[0]) != 2:
            break  # every character of a misaligned GBK run is a byte pair
        run = b"".join(pieces) + text[j].encode("ascii")
        try:
            tail = run[1:].decode("gb18030")
        except UnicodeDecodeError:
            continue
        if not tail or tail[-1] < "\x80" or tail.encode("gb18030") != run[1:]:
            continue
        if len(tail) >= 2 * chardata.MIN_REPAIRED_HAN and not model.reads_as_chinese(tail):
            continue  # started too early: clean characters re-read out of step
        before = context_before(text, i)
        firsts = []
        for lead in range(0x81, 0xFF):
            try:
                first = bytes((lead, run[0])).decode("gb18030")
            except UnicodeDecodeError:
                continue
            bits = model.char_bits(before, first) + model.char_bits(first, tail[0])
            firsts.append((bits, lead, first))
        firsts.sort()
        for _, lead, first in firsts[:LEADS_PER_START]:
            plan: tuple[PlanItem, ...] = (
                ("widen", "except_last"),
                ("encode", "gb18030"),
                ("realign", f"{lead:02x}"),
                ("decode", "gb18030"),
            )
            out.append(Candidate(i, j + 1, first + tail, plan, "gbk_byte_loss", guessed=1))
    return out
