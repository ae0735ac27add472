"""Measure UTF-8 Chinese words read as cp932 (Shift_JIS) and repaired.

Usage:
    python scripts/measure_cp932_words.py

Takes the 6,000 most frequent words of two to four characters in jieba's
dictionary, encodes each as UTF-8 and decodes it strictly as cp932 (words
whose bytes cp932 does not decode are skipped), repairs the result with
`repair_text`, and prints how many came back right, unchanged or as other
text, each split at confidence 0.9; then up to ten of the unchanged and the
wrong ones at 0.9 or more.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import repair_text  # noqa: E402
from measure_short_words import words  # noqa: E402  (this folder is sys.path[0])


def main() -> None:
    tally: Counter[str] = Counter()
    shown: dict[str, list] = {"unchanged >= 0.9": [], "wrong >= 0.9": []}
    for word in words(6000):
        try:
            garbled = word.encode("utf-8").decode("cp932")
        except UnicodeDecodeError:
            continue
        r = repair_text(garbled)
        outcome = "right" if r.text == word else "unchanged" if r.text == garbled else "wrong"
        key = f"{outcome} {'>= 0.9' if r.confidence >= 0.9 else '< 0.9'}"
        tally[key] += 1
        if key in shown and len(shown[key]) < 10:
            shown[key].append((word, garbled, r.text, r.confidence))
    print(f"{sum(tally.values())} words read as cp932: " +
          ", ".join(f"{k}: {tally[k]}" for k in sorted(tally)))
    for key, rows in shown.items():
        for row in rows:
            print(f"  {key}: {row}")


if __name__ == "__main__":
    main()
