"""Flattened ruby annotations: ``創(chuàng)建`` back to ``創建``.

A page that marks readings with ``<ruby>創<rp>(</rp><rt>chuàng</rt><rp>)</rp></ruby>``
reaches a scraper that keeps only text nodes as ``創(chuàng)``. An annotation is
removed only when it is a reading of the Han character right before it, by
pypinyin's readings (heteronyms included), so that ``專(兼)職`` or
``(1993年-1995年)`` stay.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from . import chardata

# One parenthesised pinyin syllable after a Han character: half- or
# full-width parentheses; letters with tone marks (Hanyu Pinyin, GB/T
# 16159-2012) or a trailing tone digit 1-5; ü written as ü or v.
_SYLLABLE = r"[a-zA-Z\u00e0-\u00fc\u0101-\u01dc\u0300-\u0304\u030c]{1,7}[1-5]?"
ANNOTATION_RE = re.compile(
    r"(?<=[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])[(（](" + _SYLLABLE + r")[)）]"
)
# The same shape at the end of a string: used to skip an annotation when
# looking at the character before a position.
TRAILING_ANNOTATION_RE = re.compile(r"[(（]" + _SYLLABLE + r"[)）]$")


def _fold(syllable: str) -> str:
    """Lower-case, NFC, ü spelled as v: the form readings are compared in."""
    return unicodedata.normalize("NFC", syllable.lower()).replace("ü", "v")


@lru_cache(maxsize=32768)
def readings(han: str) -> frozenset[str]:
    """All readings pypinyin knows for one Han character, in three spellings.

    Args:
        han: a single character.

    Returns:
        Folded readings with tone marks (``chuàng``), with a tone digit
        (``chuang4``) and without tone (``chuang``); empty if pypinyin has none.

    Source: pypinyin's character dictionary (from Unihan kMandarin,
    kHanyuPinyin and others; MIT licence).
    """
    from pypinyin import Style, pinyin

    out: set[str] = set()
    for style in (Style.TONE, Style.TONE3, Style.NORMAL):
        for reading in pinyin(han, style=style, heteronym=True, errors="ignore")[0:1]:
            out.update(_fold(r) for r in reading)
    return frozenset(out)


def find_annotations(text: str) -> list[tuple[int, int, str]]:
    """Find flattened ruby annotations that read the character before them.

    Args:
        text: decoded text.

    Returns:
        ``(start, end, reading)`` for each annotation, code-point offsets into
        `text`, half-open, covering the parentheses; sorted by start.
    """
    found = []
    for m in ANNOTATION_RE.finditer(text):
        han = text[m.start() - 1]
        if _fold(m.group(1)) in readings(han):
            found.append((m.start(), m.end(), m.group(1)))
    return found


def context_before(text: str, i: int, n: int = 1) -> str:
    """The `n` characters before offset `i`, skipping one flattened annotation.

    The language model should see ``環保`` in ``環(huán)保``, not ``)保``.
    """
    head = text[max(0, i - 16) : i]
    m = TRAILING_ANNOTATION_RE.search(head)
    if m and m.start() > 0 and chardata.HAN_RE.match(head[m.start() - 1]):
        return text[max(0, i - len(head) + m.start() - n) : i - len(head) + m.start()]
    return text[max(0, i - n) : i]
