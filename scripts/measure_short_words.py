"""Measure short words damaged each way: titles and table cells.

Usage:
    python scripts/measure_short_words.py [KIND ...]

Takes jieba's 3,000 most frequent words of two to four characters (in
Traditional, through OpenCC ``s2t``, for the kinds whose right codec is
Big5), damages each with one kind (the right codec's bytes decoded with the
wrong one, strictly; words the codecs cannot carry are skipped, as are
words the damage leaves as they were), repairs it with `repair_text`, and
prints per kind how many came back right, unchanged or as other text, each
split at confidence 0.9, and up to six unchanged or wrong ones at 0.9 or
more. Without arguments, every kind below.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import ftfy.bad_codecs  # noqa: E402,F401  (sloppy-windows-1252)

from app import repair_text  # noqa: E402
from app.convert import convert  # noqa: E402

# kind -> (right codec, wrong codec); utf8_as_gbk_twice is UTF-8 read as GBK twice
KINDS: dict[str, tuple[str, str] | None] = {
    "utf8_as_gbk": ("utf-8", "gb18030"),
    "gbk_as_latin1": ("gb18030", "latin-1"),
    "gbk_as_cp1252": ("gb18030", "sloppy-windows-1252"),
    "utf8_as_cp1252": ("utf-8", "sloppy-windows-1252"),
    "utf8_as_big5": ("utf-8", "big5hkscs"),
    "big5_as_gbk": ("big5hkscs", "gb18030"),
    "gbk_as_big5": ("gb18030", "big5hkscs"),
    "gbk_as_cp949": ("gb18030", "cp949"),
    "big5_as_latin1": ("big5hkscs", "latin-1"),
    "gbk_as_cp1251": ("gb18030", "sloppy-windows-1251"),
    "big5_as_cp1251": ("big5hkscs", "sloppy-windows-1251"),
    "utf8_as_gbk_twice": None,
    # ...the second time with errors="ignore": bytes dropped without a trace
    "utf8_as_gbk_twice_ignore": None,
}


def words(count: int = 3000) -> list[str]:
    """jieba's `count` most frequent words of 2 to 4 characters (ties by
    the word), also `measure_cp932_words`'s."""
    import jieba

    found = []
    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as f:
        for line in f:
            word, freq, *_ = line.split()
            if 2 <= len(word) <= 4:
                found.append((-int(freq), word))
    return [w for _, w in sorted(found)[:count]]


def damage(word: str, kind: str) -> str | None:
    """`word` damaged with `kind`, or None where the codecs cannot carry it."""
    try:
        if kind == "utf8_as_gbk_twice_ignore":
            once = word.encode("utf-8").decode("gbk", "ignore")
            return once.encode("utf-8").decode("gbk", "ignore") or None
        if KINDS[kind] is None:
            return word.encode("utf-8").decode("gb18030").encode("utf-8").decode("gb18030")
        right, wrong = KINDS[kind]
        return word.encode(right).decode(wrong)
    except UnicodeError:
        return None


def main(argv: list[str]) -> None:
    kinds = argv or list(KINDS)
    for kind in kinds:
        tally: Counter[str] = Counter()
        shown = []
        for word in words():
            if kind.startswith("big5"):
                word = convert(word, "s2t")
            garbled = damage(word, kind)
            if garbled is None or garbled == word:
                continue
            r = repair_text(garbled)
            outcome = "right" if r.text == word else "unchanged" if r.text == garbled else "wrong"
            sure = r.confidence >= 0.9
            tally[f"{outcome} {'>= 0.9' if sure else '< 0.9'}"] += 1
            if outcome != "right" and sure and len(shown) < 6:
                shown.append((word, garbled, r.text, r.confidence))
        print(f"{kind}: " + ", ".join(f"{k}: {tally[k]}" for k in sorted(tally)))
        for row in shown:
            print(f"    {row}")


if __name__ == "__main__":
    main(sys.argv[1:])
