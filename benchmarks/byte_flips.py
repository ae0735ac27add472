"""One corrupted byte in Chinese bytes, and bytes that are no text at all.

Usage:
    python benchmarks/byte_flips.py [flips,drops,binary]

Three measurements, through `repair_bytes` (undeclared, and with the right
charset declared):

* ``flips``: titles of 6 to 14 characters ("short") and passages of 40
  characters or more ("long") of ``benchmarks/data/passages.jsonl``,
  Simplified in UTF-8 and GBK, Traditional in UTF-8 and Big5; in each, one
  byte of a non-ASCII character replaced, once by 0xFF and once by a byte
  drawn at random (seeded; every position of a short string, every third of
  a long one). Counted as ``right`` when the codec is the one written and
  the text is the original with at most two characters shown as U+FFFD and
  no other change (one damaged character: one U+FFFD, or two where the
  damaged byte became ASCII between them); ``refused`` (an error: 422
  ``not_text`` over HTTP); ``other`` (another codec, or characters changed
  or invented).
* ``drops``: the GBK passages of 40 characters or more (Simplified), each
  with two bytes of Chinese characters deleted (seeded; one in each half),
  which a GBK decoder reads out of step between the two and in step after
  (`repair_bytes`, undeclared): ``right`` (the original, every difference a
  U+FFFD standing for one character), ``wrong`` and ``wrong at >= 0.9``,
  and how many of the wrong outputs carry a warning.
* ``binary``: random bytes (seeded; 16 to 4,096 bytes), random bytes with a
  NUL every 8 bytes, random bytes with the high bit set, and a PNG and a
  gzip header before random bytes: how many are refused (all should be).
"""

from __future__ import annotations

import collections
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import repair_bytes  # noqa: E402
from app.errors import RepairError  # noqa: E402

HERE = Path(__file__).resolve().parent


def _texts() -> tuple[list[str], list[str], list[str], list[str]]:
    rows = [json.loads(line) for line in
            (HERE / "data" / "passages.jsonl").read_text(encoding="utf-8").splitlines() if line]
    short = {s: [r["text"] for r in rows if r["script"] == s and 6 <= len(r["text"]) <= 14]
             for s in ("hans", "hant")}
    long = {s: [r["text"] for r in rows if r["script"] == s and len(r["text"]) >= 40]
            for s in ("hans", "hant")}
    return short["hans"][:12], short["hant"][:12], long["hans"][:4], long["hant"][:4]


def _outcome(text: str, codec: str, data: bytes, declared: str | None) -> str:
    try:
        r = repair_bytes(data, charset=declared)
    except RepairError:
        return "refused"
    if r.encoding != codec:
        return "other"
    return "right" if _one_lost(text, r.text) else "other"


def _one_lost(text: str, out: str) -> bool:
    """Whether `out` is `text` with one character shown as U+FFFD (or two
    neighbouring ones), or, where the damaged byte became ASCII, as that
    character with U+FFFD before or after it, or both."""
    p = next((k for k, (a, b) in enumerate(zip(text, out)) if a != b), min(len(text), len(out)))
    if out[p:p + 1].isascii() and out[p + 1:p + 2] == "\ufffd" and out[p + 2:] == text[p + 1:]:
        return True  # the damaged byte is ASCII now, in the lead byte's place
    if out == text or out[p:p + 1] != "\ufffd":
        return out == text
    if out[p + 1:] == text[p + 1:]:
        return True
    if out[p + 1:p + 2] == "\ufffd" and out[p + 2:] == text[p + 2:]:
        return True
    if out[p + 1:p + 2].isascii() and out[p + 2:] == text[p + 1:]:
        return True  # the damaged byte is ASCII now, after the character's lead byte
    return (out[p + 2:p + 3] == "\ufffd" and out[p + 1:p + 2].isascii()
            and out[p + 3:] == text[p + 1:])


def flips() -> None:
    hans_short, hant_short, hans_long, hant_long = _texts()
    sets = [("short", "utf-8", "utf-8", hans_short + hant_short),
            ("short", "gbk", "gb18030", hans_short), ("short", "big5", "big5hkscs", hant_short),
            ("long", "utf-8", "utf-8", hans_long + hant_long),
            ("long", "gbk", "gb18030", hans_long), ("long", "big5", "big5hkscs", hant_long)]
    print("One byte replaced (0xFF, or a random byte) in Chinese bytes (repair_bytes):")
    for band, write, codec, texts in sets:
        for declared in (None, write):
            rng = random.Random(8)  # the same bytes with and without the declaration
            counts: collections.Counter[str] = collections.Counter()
            for text in texts:
                try:
                    data = text.encode(write)
                except UnicodeEncodeError:
                    continue
                step = 1 if band == "short" else 3
                for pos in range(0, len(data), step):
                    if data[pos] < 0x80:
                        continue
                    for value in (0xFF, rng.randrange(256)):
                        if value == data[pos]:
                            continue
                        flipped = data[:pos] + bytes([value]) + data[pos + 1:]
                        counts[_outcome(text, codec, flipped, declared)] += 1
            total = sum(counts.values())
            print(f"  {band:5} {write:6} declared={str(declared):6} {total:5} inputs: "
                  + ", ".join(f"{k} {counts[k]}" for k in ("right", "refused", "other")))


def drops() -> None:
    rows = [json.loads(line) for line in
            (HERE / "data" / "passages.jsonl").read_text(encoding="utf-8").splitlines() if line]
    texts = [r["text"] for r in rows if r["script"] == "hans" and len(r["text"]) >= 40]
    rng = random.Random(10)
    counts: collections.Counter[str] = collections.Counter()
    for text in texts:
        try:
            data = text.encode("gbk")
        except UnicodeEncodeError:
            continue
        high = [k for k, b in enumerate(data) if b >= 0x80]
        half = len(high) // 2
        for _ in range(4):
            first, second = rng.choice(high[:half]), rng.choice(high[half:])
            cut = data[:first] + data[first + 1:second] + data[second + 1:]
            r = repair_bytes(cut)
            if len(r.text) == len(text) and all(a == b or a == "\ufffd"
                                                for a, b in zip(r.text, text)):
                counts["right"] += 1
                continue
            counts["wrong"] += 1
            counts["wrong at >= 0.9"] += r.confidence >= 0.9
            counts["wrong, with a warning"] += bool(r.warnings)
    print("Two bytes deleted from GBK passages (repair_bytes, undeclared):")
    print(f"  {sum(counts[k] for k in ('right', 'wrong'))} inputs: "
          + ", ".join(f"{k} {counts[k]}" for k in ("right", "wrong", "wrong at >= 0.9",
                                                     "wrong, with a warning")))


def binary() -> None:
    rng = random.Random(9)
    samples = []
    for n in (16, 24, 32, 48, 64, 128, 512, 4096):
        for _ in range(25):
            raw = bytes(rng.randrange(256) for _ in range(n))
            samples.append(("random", raw))
            samples.append(("random with NULs", bytes(0 if k % 8 == 0 else b
                                                       for k, b in enumerate(raw))))
            samples.append(("random high bytes", bytes(b | 0x80 for b in raw)))
            samples.append(("PNG", b"\x89PNG\r\n\x1a\n" + raw))
            samples.append(("gzip", b"\x1f\x8b\x08\x00" + raw))
    counts: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for kind, data in samples:
        try:
            repair_bytes(data)
        except RepairError:
            counts[kind]["refused"] += 1
        else:
            counts[kind]["decoded"] += 1
    print("Binary bytes (repair_bytes, undeclared):")
    for kind, c in counts.items():
        print(f"  {kind:18} refused {c['refused']} of {sum(c.values())}")


if __name__ == "__main__":
    only = set(sys.argv[1].split(",")) if len(sys.argv) > 1 else {"flips", "drops", "binary"}
    for name, run in (("flips", flips), ("drops", drops), ("binary", binary)):
        if name in only:
            run()
