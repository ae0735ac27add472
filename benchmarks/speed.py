"""Throughput of luanma next to decoding, ftfy and charset-normalizer, in one run.

Usage:
    python benchmarks/speed.py [CORPUS_DIR] [--sizes 1K,100K,4M] [--quick]
                               [--documents clean_hans,clean_hant,...]

CORPUS_DIR is a folder with a ``MANIFEST.json`` in the shape of
``../shared/corpora`` (files with ``python_codec`` and ``language``): its
Simplified (``zh-Hans``, GB2312/GB18030) and Traditional (``zh-Hant``, Big5)
pages, decoded, their lines in one fixed shuffled order, are the clean
text. Without it, the project's own passages
(``benchmarks/data/passages.jsonl``, 13 KB) are used. Either is repeated to
reach a size, cut at a line break.

Documents per size (MB = 10**6 bytes of the document's UTF-8):

* ``clean_hans`` / ``clean_hant``: the clean text;
* ``unflagged_hans`` / ``unflagged_hant``: the clean text without the lines
  the gate flags as suspect (`gate.Gate.suspect_lines`, until it flags
  none): what the fast path costs when it searches nothing, its scans alone;
* one per main kind of damage (``generate.damage`` applied line by line to
  ``clean_hans``; a line the kind cannot damage stays clean);
* ``mixed``: clean text with every 20th line damaged, kinds in turn.

Columns (MB/s, median of repeated runs after one untimed run, all in this
process):

* ``utf8`` / ``gbk``: ``bytes.decode('utf-8')`` of the UTF-8 bytes and
  ``bytes.decode('gbk')`` of the document encoded in GBK (replacing what GBK
  cannot encode), the floor every tool pays;
* ``cn``: charset-normalizer's ``from_bytes(...).best()`` on the UTF-8 bytes;
* ``ftfy``: ``ftfy.fix_text`` with its default config; ``ftfy_enc``:
  ``ftfy.fix_encoding`` (its encoding fixer alone);
* ``first``: luanma's first ``repair_text`` of the document, one run (its
  language model's pair caches hold only what earlier documents left);
* ``luanma``: ``repair_text`` without conversion; ``bytes``: ``repair_bytes``
  of the UTF-8 bytes (decoding and detection included).

Then the ratios the speed targets are stated in (luanma / gbk, luanma /
ftfy), the growth exponent of luanma's time from the middle size to the
largest (``log(t_large / t_mid) / log(size_large / size_mid)``: 1.0 is
linear), tracemalloc's peak for the largest size (above the baseline after
start-up, as a multiple of the document's UTF-8 size), conversion
(``repair_text(convert='t2s')`` on ``clean_hant``) next to OpenCC's t2s
alone, and pathological inputs of the middle size (one mojibake character
repeated, no line breaks, Han and Latin letters alternating).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import ftfy
from charset_normalizer import from_bytes

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import HERE, damage, load_passages  # noqa: E402

from app import repair_bytes, repair_text  # noqa: E402
from app.convert import converter  # noqa: E402
from app.engine import warm_up  # noqa: E402
from app.gate import get_gate  # noqa: E402

KINDS = ("utf8_as_gbk", "gbk_as_latin1", "utf8_as_cp1252", "gbk_as_big5", "big5_as_gbk",
         "ruby_annotation", "gbk_byte_loss")
SIZES = {"1K": 1_000, "100K": 100_000, "1M": 1_000_000, "4M": 4_000_000}


def clean_texts(corpus: Path | None) -> dict[str, str]:
    """Clean Simplified and Traditional text: ``{"hans": str, "hant": str}``.

    From a corpus, the lines of all its pages in one fixed shuffled order
    (seed 0): every size is then cut from the same mix of pages (in page
    order a 100 KB document held the first few pages only, so the growth
    exponent compared different text, not different sizes)."""
    if corpus is None:
        passages = load_passages(HERE / "data" / "passages.jsonl")
        return {script: "\n".join(p["text"] for p in passages if p["script"] == script)
                for script in ("hans", "hant")}
    manifest = json.loads((corpus / "MANIFEST.json").read_text(encoding="utf-8"))
    out = {"hans": [], "hant": []}
    for f in manifest["files"]:
        lang, codec = f.get("language"), f.get("python_codec")
        if f.get("role") != "zh-positive" or not codec or codec == "hz":
            continue
        script = {"zh-Hans": "hans", "zh-Hant": "hant"}.get(lang)
        if script:
            data = (corpus / f["file"]).read_bytes()
            # gb2312 and big5 labels as a browser reads them
            codec = {"gb2312": "gb18030", "big5": "big5hkscs"}.get(codec, codec)
            out[script].extend(data.decode(codec, "replace").replace("\r\n", "\n").split("\n"))
    for lines in out.values():
        random.Random(0).shuffle(lines)
    return {k: "\n".join(v) for k, v in out.items()}


def to_size(text: str, size: int) -> str:
    """`text` repeated and cut at a line break so its UTF-8 is about `size` bytes."""
    unit = len(text.encode("utf-8"))
    whole = text * (size // unit + 1)
    cut = 0
    out = []
    total = 0
    for line in whole.split("\n"):
        n = len(line.encode("utf-8")) + 1
        if total + n > size and out:
            break
        out.append(line)
        total += n
        cut += 1
    return "\n".join(out)


def unflagged(text: str) -> str:
    """`text` without the lines the gate flags (`gate.Gate.suspect_lines`),
    taken out until it flags none (the gate judges a text's minority script
    on its opening, which taking lines out moves)."""
    gate = get_gate()
    while True:
        flagged = {text.rfind("\n", 0, start) + 1 for start, _, _ in gate.suspect_lines(text)}
        if not flagged:
            return text
        kept, pos = [], 0
        for line in text.split("\n"):
            if pos not in flagged:
                kept.append(line)
            pos += len(line) + 1
        text = "\n".join(kept)


def damaged(text: str, kind: str, seed: int = 0) -> str:
    """`text` with `kind` applied line by line (lines it cannot damage stay)."""
    rng = random.Random(seed)
    out = []
    for line in text.split("\n"):
        made = damage(line, kind, rng) if line and not line.isascii() else None
        out.append(made[0] if made else line)
    return "\n".join(out)


def mixed(text: str, seed: int = 0) -> str:
    """`text` with every 20th non-ASCII line damaged, the kinds in turn."""
    rng = random.Random(seed)
    out, n = [], 0
    for line in text.split("\n"):
        if line and not line.isascii():
            n += 1
            if n % 20 == 0:
                made = damage(line, KINDS[(n // 20) % len(KINDS)], rng)
                line = made[0] if made else line
        out.append(line)
    return "\n".join(out)


def timed(fn, budget: float = 1.0, most: int = 25) -> float:
    """Median seconds of `fn()` after one untimed run (every tool's caches
    warm for this input): repeated until `budget` seconds or `most` runs."""
    fn()
    times = []
    spent = 0.0
    while len(times) < most and (spent < budget or len(times) < 3):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
        spent += times[-1]
        if times[-1] > budget:  # one slow run is enough to know
            break
    return statistics.median(times)


def measure(doc: str, budget: float) -> dict[str, float]:
    """Seconds per tool on `doc`; ``first``: luanma's first repair of `doc`
    in this process (the language model's caches hold what the documents
    before it left, not this one's pairs), before the timed runs."""
    utf8 = doc.encode("utf-8")
    gbk = doc.encode("gbk", "replace")
    t = time.perf_counter()
    repair_text(doc)
    first = time.perf_counter() - t
    return {
        "first": first,
        "utf8": timed(lambda: utf8.decode("utf-8"), budget),
        "gbk": timed(lambda: gbk.decode("gbk"), budget),
        "cn": timed(lambda: from_bytes(utf8).best(), budget),
        "ftfy": timed(lambda: ftfy.fix_text(doc), budget),
        "ftfy_enc": timed(lambda: ftfy.fix_encoding(doc), budget),
        "luanma": timed(lambda: repair_text(doc), budget),
        "bytes": timed(lambda: repair_bytes(utf8), budget),
    }


def peak_memory(doc: str) -> float:
    """tracemalloc's peak during ``repair_text(doc)`` above the baseline, as a
    multiple of the document's UTF-8 size."""
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    repair_text(doc)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return (peak - base) / len(doc.encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", nargs="?", type=Path, help="folder with MANIFEST.json")
    ap.add_argument("--sizes", default="1K,100K,4M", help="comma-separated, of " + ",".join(SIZES))
    ap.add_argument("--budget", type=float, default=1.0, help="seconds per measurement")
    ap.add_argument("--quick", action="store_true", help="sizes 1K,100K,1M; budget 0.3 s")
    ap.add_argument("--documents", help="comma-separated subset of the documents, e.g. "
                    "clean_hans,clean_hant (default: all)")
    args = ap.parse_args(argv)
    sizes = ["1K", "100K", "1M"] if args.quick else args.sizes.split(",")
    budget = 0.3 if args.quick else args.budget

    t = time.perf_counter()
    warm_up()  # what the service does before it reports ready
    print(f"start-up (engine.warm_up: model, gate, OpenCC, tables): "
          f"{time.perf_counter() - t:.2f} s")
    clean = clean_texts(args.corpus)
    source = args.corpus or "benchmarks/data/passages.jsonl"
    print(f"clean text from {source}: Simplified {len(clean['hans'].encode()):,} B, "
          f"Traditional {len(clean['hant'].encode()):,} B (repeated to size)\n")

    largest = SIZES[sizes[-1]]
    base = {"clean_hans": to_size(clean["hans"], largest),
            "clean_hant": to_size(clean["hant"], largest),
            "unflagged_hans": to_size(unflagged(clean["hans"]), largest),
            "unflagged_hant": to_size(unflagged(clean["hant"]), largest)}
    for kind in KINDS:
        base[kind] = damaged(base["clean_hans"], kind)
    base["mixed"] = mixed(base["clean_hans"])
    if args.documents:
        base = {k: v for k, v in base.items() if k in args.documents.split(",")}

    def sized(name: str, size: int) -> str:
        return to_size(base[name], size) if size < largest else base[name]

    cols = ("utf8", "gbk", "cn", "ftfy", "ftfy_enc", "first", "luanma", "bytes")
    seconds: dict[tuple[str, str], dict[str, float]] = {}
    for label in sizes:
        print(f"== {label} (MB/s; ratios: luanma/gbk, luanma/ftfy)")
        print(f"{'document':16}" + "".join(f"{c:>10}" for c in cols) + f"{'/gbk':>8}{'/ftfy':>8}")
        for name in base:
            doc = sized(name, SIZES[label])
            mb = len(doc.encode("utf-8")) / 1e6
            s = measure(doc, budget)
            seconds[(label, name)] = {**s, "mb": mb}
            rate = {c: mb / s[c] for c in cols}
            print(f"{name:16}" + "".join(f"{rate[c]:>10.1f}" for c in cols)
                  + f"{rate['luanma'] / rate['gbk']:>8.3f}{rate['luanma'] / rate['ftfy']:>8.2f}")
        print()

    if len(sizes) >= 2:
        mid, big = sizes[-2], sizes[-1]
        print(f"== growth exponent of luanma's time, {mid} -> {big} (1.0 is linear)")
        for name in base:
            a, b = seconds[(mid, name)], seconds[(big, name)]
            print(f"{name:16}{math.log(b['luanma'] / a['luanma']) / math.log(b['mb'] / a['mb']):>8.2f}")
        print()

    print(f"== peak memory, {sizes[-1]} (tracemalloc peak above baseline / UTF-8 size)")
    for name in ("clean_hans", "clean_hant", "utf8_as_gbk", "gbk_byte_loss", "mixed"):
        if name in base:
            print(f"{name:16}{peak_memory(base[name]):>8.2f}x")
    print()

    print("== conversion, clean_hant (MB/s): luanma repair_text(convert='t2s') vs OpenCC t2s")
    cc = converter("t2s")
    for label in sizes[1:]:
        doc = to_size(clean["hant"], SIZES[label])
        mb = len(doc.encode("utf-8")) / 1e6
        ours = timed(lambda: repair_text(doc, convert="t2s"), budget)
        theirs = timed(lambda: cc.convert(doc), budget)
        print(f"{label:6} luanma {mb / ours:8.1f}  opencc {mb / theirs:8.1f}  "
              f"cost ratio {ours / theirs:5.2f}")
    print()

    mid = SIZES[sizes[-2] if len(sizes) >= 2 else sizes[-1]]
    hans = to_size(clean["hans"], mid)
    patho = {
        "one_char": "鏁" * (mid // 3),
        "no_breaks": hans.replace("\n", ""),
        "alternating": ("中a文B" * (mid // 8 + 1))[: mid // 2],
    }
    print(f"== pathological inputs, about {mid:,} B (MB/s; ratio to clean_hans)")
    ref = len(hans.encode("utf-8")) / 1e6 / timed(lambda: repair_text(hans), budget)
    for name, doc in patho.items():
        mb = len(doc.encode("utf-8")) / 1e6
        rate = mb / timed(lambda: repair_text(doc), budget)
        print(f"{name:16}{rate:>10.2f}{rate / ref:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
