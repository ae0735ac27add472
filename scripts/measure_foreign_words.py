"""Measure how words of other scripts quoted in Chinese text fare.

Usage:
    python scripts/measure_foreign_words.py [COUNT]

Takes wordfreq's COUNT (default 1,000) most frequent Korean, Japanese,
Russian and Ukrainian words written wholly in hangul, kana or Cyrillic (the
Cyrillic ones also capitalised, as names are, half as many), puts each in
four Chinese templates (``标签：{w}``, ``我最喜欢{w}。``, ``{w}，这是我的``
and alone), repairs each with `repair_text` and prints per language how many
came back changed, how many of those at confidence 0.9 or more, and the
first ten changed at 0.9 or more. Clean text: every change is a false
repair. The words are those of the lists `app/lexicons.py` prices, so this
measures that they stay; what keeping them costs the repairs is measured by
``scripts/measure_short_words.py`` (GBK read as cp949, Big5 read as GBK,
either read as windows-1251).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import wordfreq  # noqa: E402

from app import repair_text  # noqa: E402
from app.lexicons import SCRIPT_LETTERS  # noqa: E402

LANGUAGES = {"ko": "hangul", "ja": "kana", "ru": "cyrillic", "uk": "cyrillic"}
TEMPLATES = ("标签：{}", "我最喜欢{}。", "{}，这是我的", "{}")


def words(lang: str, count: int) -> list[str]:
    """wordfreq's `count` most frequent words of `lang` written wholly in
    its script's letters, then (Cyrillic) capitalised ones, half as many."""
    letters = re.compile(f"[{SCRIPT_LETTERS[LANGUAGES[lang]][1]}]+")
    found = [w for w in wordfreq.top_n_list(lang, 3 * count) if letters.fullmatch(w)][:count]
    if LANGUAGES[lang] == "cyrillic":
        found += [w.title() for w in found if len(w) > 1][: count // 2]
    return found


def main(argv: list[str]) -> None:
    count = int(argv[0]) if argv else 1000
    for lang in LANGUAGES:
        inputs = changed = sure = 0
        shown = []
        for word in words(lang, count):
            for template in TEMPLATES:
                text = template.format(word)
                r = repair_text(text)
                inputs += 1
                if r.text != text:
                    changed += 1
                    if r.confidence >= 0.9:
                        sure += 1
                        if len(shown) < 10:
                            shown.append((text, r.text, r.confidence))
        print(f"{lang}: {inputs} inputs, changed {changed}, at 0.9 or more {sure}")
        for row in shown:
            print(f"    {row}")


if __name__ == "__main__":
    main(sys.argv[1:])
