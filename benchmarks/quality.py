"""Repair quality per kind of damage, luanma next to ftfy's encoding fixer.

Usage:
    python benchmarks/quality.py [PASSAGES.jsonl] [--split heldout|calibration|all]
                                 [--gate auto|always]

Generates the evaluation set (`generate.py`) from the passages and prints, per
kind: cases, exact-match rate and character error rate for luanma and for
``ftfy.fix_encoding`` (the baseline, same run), the false-positive rate on
clean inputs, and the confidence's precision: among damaged inputs whose
output has confidence >= 0.9, the share that is exactly right.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import defaultdict
from pathlib import Path

import ftfy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import HERE, generate, load_passages  # noqa: E402

from app import repair_text, score  # noqa: E402
from app.model import get_model  # noqa: E402


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


def evaluate(cases: list[dict], gate: bool | None = None) -> list[dict]:
    """Run luanma and ftfy on every case; returns one row per case.

    `gate`: None searches texts the way `repair_text` does by default (short
    ones whole); True searches only their suspect lines (`app.gate`), as a
    long text is, to measure that the fast path loses nothing."""
    rows = []
    for c in cases:
        result = repair_text(c["original"], _gate=gate)
        baseline = ftfy.fix_encoding(c["original"])
        rows.append({
            **c,
            "output": result.text,
            "confidence": result.confidence,
            "right": result.text == c["expected"],
            "marked": _right_or_marked(result.text, c["expected"]),
            "cer": edit_distance(result.text, c["expected"]) / max(1, len(c["expected"])),
            "features": (None if result.confidence == 0.0 else score.result_features(
                result.text, result.spans, result.changed, get_model())),
            "ftfy_right": baseline == c["expected"],
            "ftfy_cer": edit_distance(baseline, c["expected"]) / max(1, len(c["expected"])),
        })
    return rows


# Features that can only speak against the output (app/score.py features():
# unsure spans, worst stretch, misfits, guessed, lone ASCII, surprising,
# Latin-1 left, any character guessed, other scripts' letters): their weights
# are held at or below 0.
NON_POSITIVE = (2, 3, 4, 6, 7, 8, 9, 11, 12)
# Features that can only speak for it (span confidences): held at or above 0.
NON_NEGATIVE = (1, 10)


def fit_constrained(rows: list[dict]) -> list[float]:
    """`fit_logistic`, then again without each feature that came out with the
    wrong sign (`NON_POSITIVE`, `NON_NEGATIVE`: correlated features can swap
    signs), until none does."""
    dropped: set[int] = set()
    while True:
        weights = fit_logistic(rows, dropped=dropped)
        wrong = ({k for k in NON_POSITIVE if weights[k] > 0}
                 | {k for k in NON_NEGATIVE if weights[k] < 0}) - dropped
        if not wrong:
            return weights
        dropped |= wrong


def fit_logistic(rows: list[dict], l2: float = 1.0, steps: int = 50,
                 dropped: set[int] = frozenset()) -> list[float]:
    """Weights of P(right | features) by Newton's method with an L2 penalty
    (none on the bias); rows whose confidence is fixed at 0 are left out.

    Clean inputs are weighted so that they make up half the fit: the
    generated set damages each passage a dozen ways, while most of what
    scrapers send is clean.
    """
    data = [(r["features"], 1.0 if r["right"] else 0.0, r["damage"] == "clean")
            for r in rows if r["features"]]
    n_clean = sum(1 for _, _, c in data if c)
    clean_weight = (len(data) - n_clean) / max(1, n_clean)
    data = [([0.0 if k in dropped else v for k, v in enumerate(x)], y, clean_weight if c else 1.0)
            for x, y, c in data]
    k = len(data[0][0])
    w = [0.0] * k
    for _ in range(steps):
        grad = [0.0] * k
        hess = [[0.0] * k for _ in range(k)]
        for x, y, weight in data:
            z = max(min(sum(a * b for a, b in zip(w, x)), 40.0), -40.0)
            p = 1.0 / (1.0 + math.exp(-z))
            for a in range(k):
                grad[a] += weight * (p - y) * x[a]
                for b in range(k):
                    hess[a][b] += weight * p * (1 - p) * x[a] * x[b]
        for a in range(1, k):
            grad[a] += l2 * w[a]
            hess[a][a] += l2
        step = _solve(hess, grad)
        w = [a - b for a, b in zip(w, step)]
        if max(abs(v) for v in step) < 1e-8:
            break
    return [round(v, 4) for v in w]


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Solve a x = b by Gaussian elimination with partial pivoting."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        piv = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[piv] = m[piv], m[col]
        if abs(m[col][col]) < 1e-12:
            continue
        for r in range(n):
            if r != col:
                f = m[r][col] / m[col][col]
                m[r] = [x - f * y for x, y in zip(m[r], m[col])]
    return [m[i][n] / m[i][i] if abs(m[i][i]) > 1e-12 else 0.0 for i in range(n)]


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
    print("\nconfidence band   cases  exactly right")
    for lo, hi in ((0.9, 1.01), (0.7, 0.9), (0.5, 0.7), (0.0, 0.5)):
        band = [r for r in rows if lo <= r["confidence"] < hi]
        if band:
            print(f"[{lo:.1f}, {min(hi, 1.0):.1f}{']' if hi > 1 else ')'}      {len(band):5d}  "
                  f"{sum(r['right'] for r in band) / len(band):8.2%}")
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
    ap.add_argument("--calibrate", action="store_true",
                    help="fit the document confidence's weights on the calibration half "
                    "and print them for app/chardata.py (CONFIDENCE_WEIGHTS)")
    ap.add_argument("--gate", default="auto", choices=["auto", "always"],
                    help="always: search only suspect lines (app/gate.py) even in short texts")
    args = ap.parse_args(argv)
    gate = True if args.gate == "always" else None
    cases = generate(load_passages(Path(args.passages)))
    if args.calibrate:
        rows = evaluate([c for c in cases if c["split"] == "calibration"])
        weights = fit_constrained(rows)
        print(f"CONFIDENCE_WEIGHTS = {tuple(weights)}  # {len(rows)} calibration cases")
        return 0
    if args.split != "all":
        cases = [c for c in cases if c["split"] == args.split]
    start = time.perf_counter()
    rows = evaluate(cases, gate)
    print(f"{len(rows)} cases ({args.split}, gate {args.gate}) in {time.perf_counter() - start:.1f} s\n")
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
