"""Measure the leftover-mojibake test (`engine._left_beside`,
`chardata.LEFT_BESIDE_MAX_GAP_CHARS`).

Usage:
    python scripts/measure_leftovers.py

Prints:

* over the generated evaluation set (`benchmarks/generate.py` on
  `benchmarks/data/passages.jsonl`, both halves), how many outputs carry the
  leftover warning while they are exactly right (the test must never fire
  there) and while they are wrong;
* over the sentences and cells of the real sample
  (`samples/000_cc1ae68ad79e1051.txt`, split at ，。； and line breaks, the
  first 200 of more than six characters) encoded as UTF-8 and decoded as
  GBK with ``errors="ignore"`` (a scraper's
  ``resp.content.decode("gbk", "ignore")``), how many come out wrong, how
  many of those the test catches (warning, confidence 0), and how many
  others keep a confidence of 0.9 or more.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from app import repair_text  # noqa: E402
from generate import generate, load_passages  # noqa: E402

MARK = "could not be read back"


def main() -> int:
    right = wrong = 0
    for case in generate(load_passages(ROOT / "benchmarks" / "data" / "passages.jsonl")):
        r = repair_text(case["original"])
        if any(MARK in w for w in r.warnings):
            if r.text == case["expected"]:
                right += 1
                print("fires on a right output:", case["id"])
            else:
                wrong += 1
    print(f"generated set: fires on {right} right outputs, {wrong} wrong ones")
    sample = (ROOT / "samples" / "000_cc1ae68ad79e1051.txt").read_text(encoding="utf-8")
    pieces = [p for p in re.split("[，。；\n]", sample) if len(p) > 6][:200]
    damaged = wrong_out = caught = sure = 0
    for clean in pieces:
        text = clean.encode("utf-8").decode("gbk", "ignore")
        if text == clean:
            continue
        damaged += 1
        r = repair_text(text)
        if r.text != clean:
            wrong_out += 1
            if any(MARK in w for w in r.warnings):
                caught += 1
            elif r.confidence >= 0.9:
                sure += 1
    print(f"sample, UTF-8 decoded as GBK with errors='ignore': {damaged} pieces, {wrong_out} "
          f"wrong, {caught} caught, {sure} others at confidence >= 0.9")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
