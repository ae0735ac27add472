"""Which encoding do luanma and the charset detectors find for real pages?

Usage:
    pip install chardet cchardet   # the other detectors, for comparison
    python benchmarks/detection.py [CORPUS_DIR]

CORPUS_DIR defaults to ../shared/corpora when present; it must hold
MANIFEST.json (``files``: ``file``, ``python_codec``, ``role``, optional
``duplicate_of``). Truth is a file's ``python_codec`` read the way a browser
reads that label under the WHATWG Encoding Standard (gb2312 as GB18030, big5
as Big5-HKSCS): a file counts as right when the encoding a tool names decodes
it to the same text as the truth does. Files Python cannot decode (EUC-TW) and
provenance notes are left out; duplicates count once.

Prints accuracy per role (Chinese, Japanese, Korean, UTF-8 Chinese) and
overall for luanma (``app.decode.decode_bytes``), charset-normalizer, chardet
and cchardet where installed, in the same run, then the files any tool gets
wrong.
"""

from __future__ import annotations

import codecs
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.decode import canonical_codec, decode_bytes  # noqa: E402
from app.errors import RepairError  # noqa: E402


def _luanma(data: bytes) -> str | None:
    try:
        return decode_bytes(data).codec
    except RepairError:
        return None


def _charset_normalizer(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return best.encoding if best else None


def _chardet(data: bytes) -> str | None:
    import chardet

    return chardet.detect(data)["encoding"]


def _cchardet(data: bytes) -> str | None:
    import cchardet

    return cchardet.detect(data)["encoding"]


def tools() -> dict:
    """The tools that can run here, by name."""
    out = {"luanma": _luanma, "charset-normalizer": _charset_normalizer}
    for name, fn, module in (("chardet", _chardet, "chardet"), ("cchardet", _cchardet, "cchardet")):
        try:
            __import__(module)
            out[name] = fn
        except ImportError:
            print(f"({name} is not installed: left out)")
    return out


def decodes_to(data: bytes, codec: str | None, truth: str) -> bool:
    """Whether `codec` (any label) decodes `data` to what `truth` gives."""
    if not codec:
        return False
    try:
        name = canonical_codec(codec)
    except RepairError:
        try:
            name = codecs.lookup(codec).name
        except LookupError:
            return False
    try:
        return data.decode(name) == data.decode(truth)
    except (UnicodeDecodeError, LookupError):
        return False


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    default = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
    corpus = Path(args[0]) if args else default
    manifest = json.loads((corpus / "MANIFEST.json").read_text(encoding="utf-8"))
    runners = tools()
    scores: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    wrong: list[str] = []
    elapsed: dict[str, float] = defaultdict(float)
    files = 0
    for entry in manifest["files"]:
        codec, role = entry.get("python_codec"), entry.get("role", "")
        if not codec or entry.get("duplicate_of") or role in ("provenance-note", "ftfy-peer-suite"):
            continue
        try:
            truth = canonical_codec(codec)
        except RepairError:
            continue
        data = (corpus / entry["file"]).read_bytes()
        try:
            data.decode(truth)
        except UnicodeDecodeError:
            continue
        files += 1
        line = []
        for name, fn in runners.items():
            start = time.perf_counter()
            found = fn(data)
            elapsed[name] += time.perf_counter() - start
            ok = decodes_to(data, found, truth)
            scores[name][role].append(ok)
            scores[name]["all"].append(ok)
            line.append(f"{name}={found}{'' if ok else ' (wrong)'}")
        if not all(scores[n]["all"][-1] for n in runners):
            wrong.append(f"  {entry['file']} [{truth}]: " + ", ".join(line))
    roles = sorted({r for n in scores for r in scores[n]} - {"all"}) + ["all"]
    print(f"{files} files from {corpus}\n")
    print(f"{'tool':20}" + "".join(f"{r:>22}" for r in roles) + f"{'seconds':>10}")
    for name in runners:
        cells = []
        for r in roles:
            results = scores[name][r]
            cells.append(f"{sum(results)}/{len(results)} {sum(results) / len(results):6.1%}"
                         if results else "-")
        print(f"{name:20}" + "".join(f"{c:>22}" for c in cells) + f"{elapsed[name]:10.2f}")
    print("\nfiles some tool gets wrong:")
    print("\n".join(wrong) if wrong else "  none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
