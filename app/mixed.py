"""Mixed streams: bytes whose parts are in different encodings.

A page assembled from parts (a UTF-8 template around a content block that a
GBK database gave, or the reverse) is no single encoding: decoded whole,
one part comes out as mojibake or does not decode at all. `split_mixed`
finds where the encodings change and decodes each part with its own codec.

How: a Viterbi search over byte positions with one state per codec
(`chardata.MIXED_CODECS`). In each state the next character is what that
codec decodes at the position; its cost is the language model's bigram
(`CharModel.char_bits`) after the character before; a byte a codec cannot
decode costs `chardata.MIXED_JUNK_BITS`. Changing state costs
`chardata.MIXED_SWITCH_BITS` and happens only in front of a non-ASCII byte
(ASCII reads the same in every one of these codecs), `chardata.
MIXED_INNER_SWITCH_BITS` more between two non-ASCII bytes. The cheapest path's
runs of one state are the segments. A clean page in one encoding never
pays for a switch: its other readings are rare characters in rare order.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass

from . import chardata
from .model import CharModel

# A run of Chinese characters (CJK punctuation, kana-free Han, full-width
# forms) in the UTF-8 reading of the bytes: a UTF-8 part worth looking for.
_CJK_RUN_RE = re.compile(
    "[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]{%d,}" % chardata.MIN_MIXED_UTF8_RUN)


@dataclass(frozen=True)
class Segment:
    """One part of a mixed stream.

    Attributes:
        start_byte, end_byte: byte offsets into the data, half-open.
        codec: Python's canonical codec name that decodes the part.
        confidence: posterior of the split against the best reading in one
            codec (the same for every segment of a split), in [0, 1].
    """

    start_byte: int
    end_byte: int
    codec: str
    confidence: float = 1.0


def _char_at(data: bytes, i: int, codec: str) -> tuple[str, int] | None:
    """The character(s) `codec` decodes at byte `i` and how many bytes they
    take; None when the bytes there are no character of `codec`."""
    b = data[i]
    if b < 0x80:
        return chr(b), 1
    if codec == "utf-8":
        n = 2 if 0xC2 <= b <= 0xDF else 3 if 0xE0 <= b <= 0xEF else 4 if 0xF0 <= b <= 0xF4 else 0
    elif codec == "gb18030":
        # GB 18030: two bytes, or four when the second is a digit 0x30..0x39.
        n = 0 if b in (0x80, 0xFF) else (
            4 if i + 1 < len(data) and 0x30 <= data[i + 1] <= 0x39 else 2)
    else:  # big5hkscs: lead 0x81..0xFE, two bytes
        n = 2 if 0x81 <= b <= 0xFE else 0
    if n == 0 or i + n > len(data):
        return None
    try:
        return data[i : i + n].decode(codec), n
    except UnicodeDecodeError:
        return None


def looks_mixed(data: bytes) -> bool:
    """Cheap test before `split_mixed`: the bytes are not valid UTF-8, yet
    their UTF-8 reading holds a run of at least `chardata.MIN_MIXED_UTF8_RUN`
    Chinese characters (in GBK or Big5 bytes such runs are rare accidents),
    and they are at most `chardata.MAX_MIXED_BYTES` long (the search keeps
    twelve lists as long as the bytes)."""
    if len(data) > chardata.MAX_MIXED_BYTES:
        return False
    try:
        data.decode("utf-8")
        return False
    except UnicodeDecodeError:
        pass
    return _CJK_RUN_RE.search(data.decode("utf-8", "replace")) is not None


def split_mixed(data: bytes, model: CharModel, deadline: float | None = None
                ) -> list[Segment] | None:
    """Segments of a mixed stream, or None when one codec reads it best.

    Args:
        data: the raw bytes (no BOM).
        model: the language model.
        deadline: a `time.monotonic()` value; past it the search gives up
            (None: the stream is read in one codec). The search costs about
            20 us a byte: 20 s for a megabyte, which a request's deadline
            must be able to cut.

    Returns:
        Segments covering `data` in order, each with its codec, adjacent
        segments in different codecs, at least two codecs among them; a
        segment starts at a non-ASCII byte (the ASCII before it belongs to
        the segment before). None when the cheapest reading stays in one
        codec.

    Heuristic: the Viterbi search of the module docstring, with
    `chardata.MIXED_SWITCH_BITS` and `chardata.MIXED_JUNK_BITS`.
    """
    codecs_ = chardata.MIXED_CODECS
    n = len(data)
    inf = math.inf
    cost = [[inf] * (n + 1) for _ in codecs_]
    back: list[list[int]] = [[-1] * (n + 1) for _ in codecs_]  # state before the last char
    start: list[list[int]] = [[-1] * (n + 1) for _ in codecs_]  # byte where the last char began
    last = [[""] * (n + 1) for _ in codecs_]
    for s in range(len(codecs_)):
        cost[s][0] = 0.0
    for i in range(n):
        if not i % 4096 and deadline is not None and time.monotonic() > deadline:
            return None
        ascii_byte = data[i] < 0x80
        for t, codec in enumerate(codecs_):
            # Best way to be in state t at i: stay, or switch (before non-ASCII only).
            src, base = t, cost[t][i]
            if not ascii_byte:
                switch = chardata.MIXED_SWITCH_BITS + (
                    chardata.MIXED_INNER_SWITCH_BITS if i and data[i - 1] >= 0x80 else 0.0)
                for s in range(len(codecs_)):
                    if s != t and cost[s][i] + switch < base:
                        src, base = s, cost[s][i] + switch
            if base == inf:
                continue
            prev = last[src][i]
            got = _char_at(data, i, codec)
            if got is None:
                chars, width, bits = "\ufffd", 1, chardata.MIXED_JUNK_BITS
            else:
                chars, width = got
                bits = 0.0
                for ch in chars:
                    bits += model.char_bits(prev, ch)
                    prev = ch
            total = base + bits
            if total < cost[t][i + width]:
                cost[t][i + width] = total
                back[t][i + width] = src
                start[t][i + width] = i
                last[t][i + width] = chars[-1]
    state = min(range(len(codecs_)), key=lambda s: cost[s][n])
    # Walk back: the state of each character.
    states: list[tuple[int, int]] = []  # (byte where a char begins, state)
    pos = n
    while pos > 0:
        i = start[state][pos]
        states.append((i, state))
        state, pos = back[state][pos], i
    states.reverse()
    segments: list[list] = []
    for i, s in states:
        if not segments or segments[-1][2] != s:
            segments.append([i, i, s])
        segments[-1][1] = i
    if len({s for _, _, s in segments}) < 2:
        return None
    out = []
    for k, (a, _, s) in enumerate(segments):
        b = segments[k + 1][0] if k + 1 < len(segments) else n
        out.append([a, b, s])
    # A segment begins at its first non-ASCII byte: ASCII in front of it
    # reads the same in the codec before.
    for k in range(1, len(out)):
        a = out[k][0]
        while a < out[k][1] and data[a] < 0x80:
            a += 1
        out[k - 1][1] = out[k][0] = a
    out = [seg for seg in out if seg[1] > seg[0]]
    merged: list[list] = []
    for seg in out:
        if merged and merged[-1][2] == seg[2]:
            merged[-1][1] = seg[1]
        else:
            merged.append(seg)
    if len({s for _, _, s in merged}) < 2:
        return None
    # The split against reading everything in one codec (a gain of g bits
    # is odds of 2**g to 1).
    solo = min(_solo_cost(data, codec, model) for codec in codecs_)
    gain = solo - cost[min(range(len(codecs_)), key=lambda s: cost[s][n])][n]
    confidence = min(chardata.MAX_SPAN_CONFIDENCE, round(1.0 / (1.0 + 2.0 ** -gain), 4))
    return [Segment(a, b, codecs_[s], confidence) for a, b, s in merged]


def _solo_cost(data: bytes, codec: str, model: CharModel) -> float:
    """Cost of reading all of `data` in `codec` (the search's costs)."""
    total, prev, i = 0.0, "", 0
    while i < len(data):
        got = _char_at(data, i, codec)
        if got is None:
            total += chardata.MIXED_JUNK_BITS
            i += 1
            continue
        chars, width = got
        for ch in chars:
            total += model.char_bits(prev, ch)
            prev = ch
        i += width
    return total
