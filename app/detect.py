"""Find runs of text that may be mojibake: str -> candidate regions.

Detection is cheap and generous; `candidates` and `score` decide. Every
offset here is a code-point index into the text given, half-open.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from . import chardata

# Characters a wrong single-byte decode (Latin-1, cp1252, sloppy cp1252) of
# bytes 0x80..0xFF produces, and ASCII '@'..'~' (0x40..0x7E), which GBK and
# Big5 use as trail bytes. A run must start with a high character.
_HIGH = "\u0080-\u00ff" + re.escape(chardata.CP1252_HIGH)
LATIN_RUN_RE = re.compile(f"[{_HIGH}][{_HIGH}\\x40-\\x7e]*")

# Non-ASCII characters other than whitespace: what a CJK codec makes of
# UTF-8 multi-byte sequences (lead and continuation bytes are all >= 0x80).
CJK_RUN_RE = re.compile(r"[^\x00-\x7f\s\u3000]+")

# Where a misaligned GBK decode falls back into step: an ASCII character that
# can be a GBK trail byte (0x40..0x7E), right after a non-ASCII character.
REALIGN_POINT_RE = re.compile(r"(?<=[^\x00-\x7f])[\x40-\x7e]")


def latin_runs(text: str) -> Iterator[tuple[int, int]]:
    """Runs that a CJK or UTF-8 byte stream read as Latin-1/cp1252 leaves.

    Yields:
        ``(start, end)`` of runs of at least two characters.
    """
    for m in LATIN_RUN_RE.finditer(text):
        if m.end() - m.start() >= 2:
            yield m.start(), m.end()


def cjk_runs(text: str) -> Iterator[tuple[int, int]]:
    """Runs of non-ASCII characters that UTF-8 read as GBK or Big5 leaves.

    Yields:
        ``(start, end)`` of runs of at least two characters.
    """
    for m in CJK_RUN_RE.finditer(text):
        if m.end() - m.start() >= 2:
            yield m.start(), m.end()


def realign_points(text: str) -> Iterator[int]:
    """Offsets where a GBK decode that lost a byte may have fallen back in step.

    Yields:
        Offsets of ASCII characters 0x40..0x7E that follow a non-ASCII one.
    """
    for m in REALIGN_POINT_RE.finditer(text):
        yield m.start()


def lost_runs(text: str) -> Iterator[tuple[int, int, str]]:
    """Runs where nothing survives: U+FFFD runs, 锟斤拷 chains, 烫烫烫 / 屯屯屯 fill.

    Yields:
        ``(start, end, matched text)``.
    """
    for m in chardata.LOST_RE.finditer(text):
        yield m.start(), m.end(), m.group()


def utf8_segments(pieces: list[bytes]) -> list[tuple[int, int]]:
    """Split a run into segments whose bytes are valid multi-byte UTF-8.

    Args:
        pieces: the bytes of each character of a run in the codec it was
            wrongly decoded with (one entry per code point).

    Returns:
        ``(i, j)`` piece-index ranges, non-overlapping, sorted, each covering
        at least two pieces whose concatenated bytes are UTF-8 holding at
        least one multi-byte sequence, with character boundaries of both
        encodings falling together at `i` and `j`. Greedy, left to right;
        linear in the run's length in bytes except where valid prefixes
        are abandoned.

    Source: the UTF-8 byte patterns of RFC 3629, section 4.
    """
    bounds = [0]
    for p in pieces:
        bounds.append(bounds[-1] + len(p))
    data = b"".join(pieces)
    at_boundary = {b: k for k, b in enumerate(bounds)}
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(pieces) - 1:
        pos = bounds[i]
        best = None
        multibyte = False
        while pos < len(data):
            lead = data[pos]
            if lead < 0x80:
                width = 1
            elif 0xC2 <= lead <= 0xDF:
                width = 2
            elif 0xE0 <= lead <= 0xEF:
                width = 3
            elif 0xF0 <= lead <= 0xF4:
                width = 4
            else:
                break
            if pos + width > len(data) or any(
                not 0x80 <= b <= 0xBF for b in data[pos + 1 : pos + width]
            ):
                break
            multibyte = multibyte or width > 1
            pos += width
            k = at_boundary.get(pos)
            if k is not None and multibyte and k - i >= 2:
                best = k
        if best is None:
            i += 1
            continue
        out.append((i, best))
        i = best
    return out
