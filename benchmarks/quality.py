"""Repair quality per kind of damage, luanma next to ftfy's encoding fixer.

Usage:
    python benchmarks/quality.py [PASSAGES.jsonl] [--split heldout|calibration|all]

Generates the evaluation set (`generate.py`) from the passages and prints, per
kind: cases, exact-match rate and character error rate for luanma and for
``ftfy.fix_encoding`` (the baseline, same run), the false-positive rate on
clean inputs, and the confidence's precision: among damaged inputs whose
output has confidence >= 0.9, the share that is exactly right.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

import ftfy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import HERE, generate, load_passages  # noqa: E402

from app import repair_text  # noqa: E402


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance in code points (insertions, deletions, substitutions)."""
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _right_or_marked(output: str, expected: str) -> bool:
    """Equal to `expected` where every difference is a U+FFFD in `output`
    standing for one character of `expected` (a loss marked as such)."""
    return len(output) == len(expected) and all(
        o == e or o == "\ufffd" for o, e in zip(output, expected))


def evaluate(cases: list[dict]) -> list[dict]:
    """Run luanma and ftfy on every case; returns one row per case."""
    rows = []
    for c in cases:
        result = repair_text(c["original"])
        baseline = ftfy.fix_encoding(c["original"])
        rows.append({
            **c,
            "output": result.text,
            "confidence": result.confidence,
            "right": result.text == c["expected"],
            "marked": _right_or_marked(result.text, c["expected"]),
            "cer": edit_distance(result.text, c["expected"]) / max(1, len(c["expected"])),
            "ftfy_right": baseline == c["expected"],
            "ftfy_cer": edit_distance(baseline, c["expected"]) / max(1, len(c["expected"])),
        })
    return rows


def report(rows: list[dict], threshold: float = 0.9) -> dict:
    """Print the table; return the summary numbers."""
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_kind[r["damage"]].append(r)
    print(f"{'kind':24} {'cases':>5} {'exact':>8} {'marked':>8} {'CER':>7} {'ftfy exact':>10}"
          f" {'ftfy CER':>9} {'mean conf':>9}")
    for kind in sorted(by_kind):
        rs = by_kind[kind]
        n = len(rs)
        print(f"{kind:24} {n:5d} {sum(r['right'] for r in rs) / n:8.2%} "
              f"{sum(r['marked'] for r in rs) / n:8.2%} "
              f"{sum(r['cer'] for r in rs) / n:7.2%} {sum(r['ftfy_right'] for r in rs) / n:10.2%} "
              f"{sum(r['ftfy_cer'] for r in rs) / n:9.2%} "
              f"{sum(r['confidence'] for r in rs) / n:9.3f}")
    clean = by_kind.get("clean", [])
    fp = sum(not r["right"] for r in clean)
    damaged = [r for r in rows if r["damage"] != "clean"]
    sure = [r for r in damaged if r["confidence"] >= threshold]
    precision = sum(r["right"] for r in sure) / len(sure) if sure else float("nan")
    print(f"\nfalse positives on clean inputs: {fp} of {len(clean)}")
    print(f"damaged inputs with confidence >= {threshold}: {len(sure)} of {len(damaged)}; "
          f"precision {precision:.2%}")
    wrong_sure = [r for r in sure if not r["right"]]
    for r in wrong_sure[:10]:
        print(f"  wrong but sure: {r['id']} conf={r['confidence']} "
              f"{r['original'][:30]!r} -> {r['output'][:30]!r}")
    return {"false_positives": fp, "sure": len(sure), "precision": precision}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("passages", nargs="?", default=str(HERE / "data" / "passages.jsonl"))
    ap.add_argument("--split", default="heldout", choices=["heldout", "calibration", "all"])
    ap.add_argument("--show-failures", type=int, default=0, metavar="N",
                    help="print N wrong outputs per kind")
    args = ap.parse_args(argv)
    cases = generate(load_passages(Path(args.passages)))
    if args.split != "all":
        cases = [c for c in cases if c["split"] == args.split]
    start = time.perf_counter()
    rows = evaluate(cases)
    print(f"{len(rows)} cases ({args.split}) in {time.perf_counter() - start:.1f} s\n")
    report(rows)
    if args.show_failures:
        shown: dict[str, int] = defaultdict(int)
        for r in rows:
            if not r["right"] and shown[r["damage"]] < args.show_failures:
                shown[r["damage"]] += 1
                print(f"\n[{r['damage']}] {r['id']} conf={r['confidence']}\n  in:  {r['original']!r}"
                      f"\n  out: {r['output']!r}\n  exp: {r['expected']!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
