"""Which encoding do luanma and the charset detectors find for real pages
and for generated ones?

Usage:
    pip install '.[bench]'   # chardet and cchardet, for comparison
    python benchmarks/detection.py [CORPUS_DIR]

Two measurements in one run, for luanma (``app.decode.decode_bytes``),
charset-normalizer, chardet and cchardet (where installed):

1. The corpus. CORPUS_DIR defaults to ../shared/corpora when present; it
   must hold MANIFEST.json (``files``: ``file``, ``python_codec``, ``role``,
   optional ``duplicate_of``). Truth is a file's ``python_codec`` read the way
   a browser reads that label under the WHATWG Encoding Standard (gb2312 as
   GB18030, big5 as Big5-HKSCS): a file counts as right when the encoding a
   tool names decodes it to the same text as the truth does. Files Python
   cannot decode (EUC-TW) and provenance notes are left out; duplicates count
   once. Accuracy per role (Chinese, Japanese, Korean, UTF-8 Chinese).

2. Generated inputs (`generated`), from benchmarks/data/passages.jsonl:
   clauses and titles of at most 12 characters, the passages (up to 100),
   and passages joined past 100 characters; each in GBK, GB18030 (with a
   four-byte character), Big5, Big5-HKSCS (with an HKSCS character), UTF-8
   and UTF-16 (with a BOM, and LE and BE without), with the right charset
   declared, none, or a wrong one (what luanma is told; the detectors take no
   declaration), and mixed streams (a UTF-8 page around a GBK or Big5 part).
   An input is right for luanma when its text is the truth, for a detector
   when the encoding it names decodes the bytes to the truth (a mixed stream
   has none). Accuracy per encoding, per length band (<= 12 characters,
   <= 100, longer) and per declaration; the short GBK strings on their own.

Then the inputs some tool gets wrong (the corpus) and those luanma gets
wrong (generated).
"""

from __future__ import annotations

import codecs
import json
import re
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


def _codec_name(codec: str | None) -> str | None:
    """Python's codec for a label (WHATWG or Python), or None."""
    if not codec:
        return None
    try:
        return canonical_codec(codec)
    except RepairError:
        try:
            return codecs.lookup(codec).name
        except LookupError:
            return None


def decodes_to(data: bytes, codec: str | None, truth: str) -> bool:
    """Whether `codec` (any label) decodes `data` to what `truth` gives."""
    name = _codec_name(codec)
    if name is None:
        return False
    try:
        return data.decode(name) == data.decode(truth)
    except (UnicodeDecodeError, LookupError):
        return False


# --- generated inputs -------------------------------------------------------------

PASSAGES = Path(__file__).resolve().parent / "data" / "passages.jsonl"
# Clause boundaries: Chinese and ASCII sentence punctuation, spaces, quotes.
_CLAUSE_RE = re.compile(r"[，。；！？、：,.;!?\s“”「」（）()《》]+")
# A GB18030 four-byte character (CJK Extension B, U+20BB7, a variant of 吉
# used in names) and an HKSCS character (嘅, Cantonese): inputs that GBK and
# Big5 cannot encode.
GB18030_ONLY = "𠮷"
HKSCS_ONLY = "嘅"
# A page template for mixed streams (UTF-8 around a part in GBK or Big5).
_HEAD = ("<html><head><meta charset='utf-8'><title>新闻中心</title></head><body>"
         "<div class=nav>首页 | 新闻 | 联系我们</div>\n<div class=content>")
_FOOT = "</div>\n<div class=footer>版权所有 © 2024 某某网</div></body></html>"
# Declarations: the label a page would carry, and a wrong one.
_LABELS = {"gbk": ("gbk", "big5"), "gb18030": ("gb18030", "big5"), "big5": ("big5", "gbk"),
           "big5-hkscs": ("big5-hkscs", "gbk"), "utf-8": ("utf-8", "gb2312"),
           "utf-16 (BOM)": ("utf-16", "utf-8"), "utf-16le": ("utf-16le", "gbk"),
           "utf-16be": ("utf-16be", "gbk")}
_CODECS = {"gbk": "gbk", "gb18030": "gb18030", "big5": "big5", "big5-hkscs": "big5hkscs",
           "utf-8": "utf-8", "utf-16 (BOM)": "utf-16", "utf-16le": "utf-16-le",
           "utf-16be": "utf-16-be"}


def _band(text: str) -> str:
    return "<=12" if len(text) <= 12 else "<=100" if len(text) <= 100 else "longer"


def generated(passages_path: Path = PASSAGES) -> list[dict]:
    """The generated inputs: dicts with ``data`` (bytes), ``truth`` (text),
    ``encoding`` (a name of `_CODECS`, or ``mixed``), ``declared`` (label or
    None), ``declaration`` (``right``, ``none``, ``wrong``) and ``band``."""
    passages = [json.loads(line) for line in passages_path.read_text(encoding="utf-8").split("\n")
                if line.strip()]
    texts: dict[str, set[str]] = {"hans": set(), "hant": set(), "mixed": set()}
    for p in passages:
        texts[p["script"]].add(p["text"])
        for clause in _CLAUSE_RE.split(p["text"]):
            if 2 <= len(clause) <= 12 and re.search("[\u4e00-\u9fff]", clause):
                texts[p["script"]].add(clause)
    for script in ("hans", "hant"):
        long = sorted(p["text"] for p in passages if p["script"] == script)
        for k in range(0, len(long) - 3, 3):
            texts[script].add("".join(long[k:k + 4]))
    out = []
    for script, pool in texts.items():
        for text in sorted(pool):
            variants = {"utf-8": text, "utf-16 (BOM)": text, "utf-16le": text, "utf-16be": text}
            if script in ("hans", "mixed"):
                variants.update({"gbk": text, "gb18030": text + GB18030_ONLY})
            if script in ("hant", "mixed"):
                variants.update({"big5": text, "big5-hkscs": text + HKSCS_ONLY})
            for name, truth in variants.items():
                try:
                    data = truth.encode(_CODECS[name])
                except UnicodeEncodeError:
                    continue
                right, wrong = _LABELS[name]
                for declaration, declared in (("none", None), ("right", right), ("wrong", wrong)):
                    out.append({"data": data, "truth": truth, "encoding": name,
                                "declared": declared, "declaration": declaration,
                                "band": _band(truth)})
    for text in sorted(p["text"] for p in passages if p["script"] != "mixed"):
        codec = "gbk" if any(p["text"] == text and p["script"] == "hans" for p in passages) \
            else "big5"
        for template, part in (("utf-8", codec), (codec, "utf-8")):
            truth = _HEAD + text + _FOOT
            try:
                data = (_HEAD.encode(template) + text.encode(part) + _FOOT.encode(template))
            except UnicodeEncodeError:
                continue
            out.append({"data": data, "truth": truth, "encoding": "mixed", "declared": None,
                        "declaration": "none", "band": "longer"})
    return out


def names_truth(data: bytes, codec: str | None, truth: str) -> bool:
    """Whether `codec` (any label) decodes `data` to `truth` (a BOM dropped,
    as a browser drops it)."""
    name = _codec_name(codec)
    if name is None:
        return False
    if codec.lower().replace("_", "-") in ("utf-16", "utf-32"):
        name = codec  # Python's BOM-reading codecs, as the detectors mean them
    try:
        text = data.decode(name)
    except (UnicodeDecodeError, LookupError):
        return False
    return text.removeprefix("\ufeff") == truth


def _table(title: str, scores: dict[str, dict[str, list[bool]]], keys: list[str],
           elapsed: dict[str, float] | None = None) -> None:
    print(title)
    width = max(14, *(len(k) + 2 for k in keys))
    print(f"{'tool':20}" + "".join(f"{k:>{width + 8}}" for k in keys)
          + (f"{'seconds':>10}" if elapsed else ""))
    for name, by in scores.items():
        cells = []
        for k in keys:
            results = by.get(k, [])
            cells.append(f"{sum(results)}/{len(results)} {sum(results) / len(results):6.1%}"
                         if results else "-")
        print(f"{name:20}" + "".join(f"{c:>{width + 8}}" for c in cells)
              + (f"{elapsed[name]:10.2f}" if elapsed else ""))
    print()


def run_generated(runners: dict) -> None:
    """Score every tool on `generated` inputs and print the tables."""
    inputs = generated()
    by_encoding: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    by_band: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    by_declaration: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    short_gbk: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    elapsed: dict[str, float] = defaultdict(float)
    wrong: list[str] = []
    beaten: list[str] = []
    detected: dict[tuple[str, bytes], str | None] = {}
    for item in inputs:
        data, truth = item["data"], item["truth"]
        outcome: dict[str, bool] = {}
        for name, fn in runners.items():
            start = time.perf_counter()
            if name == "luanma":
                try:
                    ok = decode_bytes(data, item["declared"]).text == truth
                except RepairError:
                    ok = False
                if not ok:
                    wrong.append(f"  {item['encoding']:>12} {item['declaration']:>5} "
                                 f"{item['declared'] or '-':>10}  {truth[:40]!r}")
            else:
                key = (name, data)
                if key not in detected:  # the same bytes, another declaration
                    detected[key] = fn(data)
                ok = names_truth(data, detected[key], truth)
            elapsed[name] += time.perf_counter() - start
            outcome[name] = ok
            by_encoding[name][item["encoding"]].append(ok)
            by_encoding[name]["all"].append(ok)
            by_band[name][item["band"]].append(ok)
            by_declaration[name][item["declaration"]].append(ok)
            if item["band"] == "<=12" and item["encoding"] == "gbk":
                short_gbk[name][item["declaration"]].append(ok)
        if not outcome["luanma"] and any(outcome.values()):
            beaten.append(f"  {item['encoding']:>12} {item['declaration']:>5} "
                          f"{item['declared'] or '-':>10}  {truth[:40]!r}: "
                          + ", ".join(n for n, ok in outcome.items() if ok))
    print(f"{len(inputs)} generated inputs from {PASSAGES.name}\n")
    encodings = [*_CODECS, "mixed", "all"]
    _table("per encoding:", by_encoding, encodings, elapsed)
    _table("per length band (characters):", by_band, ["<=12", "<=100", "longer"])
    _table("per declaration given to luanma (the detectors get none):", by_declaration,
           ["right", "none", "wrong"])
    _table("short GBK strings (<= 12 characters), per declaration:", short_gbk,
           ["right", "none", "wrong"])
    print("generated inputs luanma gets wrong:")
    print("\n".join(wrong) if wrong else "  none")
    print("\n...of which another tool gets right (that tool named):")
    print("\n".join(beaten) if beaten else "  none")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    default = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
    corpus = Path(args[0]) if args else default
    runners = tools()
    if not (corpus / "MANIFEST.json").exists():
        print(f"(no corpus at {corpus}: generated inputs only)\n")
        run_generated(runners)
        return 0
    manifest = json.loads((corpus / "MANIFEST.json").read_text(encoding="utf-8"))
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
    print()
    run_generated(runners)
    return 0


if __name__ == "__main__":
    sys.exit(main())
