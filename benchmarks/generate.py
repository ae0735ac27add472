"""Generate damaged text with known truth from clean passages.

Usage:
    python benchmarks/generate.py [PASSAGES.jsonl] [-o OUT.jsonl] [--seed N]

Reads passages (``benchmarks/data/passages.jsonl``: ``{"id", "script", "kind",
"text"}``, written by the project for this purpose), applies each kind of
damage that can apply to each passage, and writes one case per line::

    {"id", "passage", "script", "damage", "scope", "recoverable", "original",
     "expected", "split"}

``damage`` is one of `KINDS`; ``recoverable`` kinds keep every byte of the
original, so a repair must give ``expected`` exactly; ``lossy`` kinds lost
bytes; ``clean`` is the passage itself (a repair must change nothing).
``scope`` is ``whole`` (the passage damaged) or ``span0``..``span2`` (one
piece of it between punctuation marks damaged, the rest clean). ``split`` is
``calibration`` or ``heldout``, by a hash of the passage id, so
that one passage's cases never fall on both sides.

Every damage is a real decoder's behaviour (Python's codecs, ftfy's
``sloppy-windows-1252`` for a browser's windows-1252, which maps the five
bytes cp1252 leaves undefined to C1 controls as the WHATWG index does, and
likewise ``sloppy-windows-1250`` and ``sloppy-windows-1251``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from pathlib import Path

import ftfy.bad_codecs  # noqa: F401

HERE = Path(__file__).resolve().parent

# kind -> whether every byte survives
KINDS: dict[str, bool] = {
    "clean": True,
    "utf8_as_gbk": True,
    "utf8_as_gbk_twice": True,
    "utf8_as_big5": True,
    "utf8_as_cp1252": True,
    "gbk_as_latin1": True,
    "gbk_as_cp1252": True,
    "big5_as_latin1": True,
    "big5_as_gbk": True,
    "gbk_as_big5": True,
    "ruby_annotation": True,
    "gbk_byte_loss": False,
    "utf8_as_gbk_odd_byte": False,
    # the wrong codecs of other scripts (issue 3)
    "utf8_as_cp1251": True,
    "gbk_as_cp1251": True,
    "utf8_as_cp1250": True,
    "gbk_as_cp1250": True,
    "big5_as_cp1251": True,
    "gbk_as_cp949": True,
    "gbk_as_cp932": True,
    "utf8_as_cp932": False,
    "utf8_as_cp949": False,
    # mojibake made twice through Latin-1, whose C1 controls (bytes
    # 0x80..0x9F) the second save keeps as UTF-8 C2 80..C2 9F and GB18030
    # reads as byte pairs: every byte survives. Last in this table: a kind's
    # span cases draw from the passage's random stream, so the kinds before
    # keep their cases.
    "utf8_as_latin1_as_gbk": True,
    "gbk_as_latin1_as_gbk": True,
}


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _encode(text: str, codec: str) -> bytes | None:
    try:
        return text.encode(codec)
    except UnicodeEncodeError:
        return None


def _round_trip(text: str, right: str, wrong: str) -> str | None:
    data = _encode(text, right)
    if data is None:
        return None
    out = _strict(data, wrong)
    return out if out is not None and out != text else None


def _ruby(text: str, rng: random.Random) -> str | None:
    """Annotate the Han characters of a few words with their readings in
    context (pypinyin's phrase-aware readings), as `<ruby>` flattened."""
    from pypinyin import Style, pinyin

    readings = pinyin(text, style=Style.TONE, errors=lambda s: [None] * len(s))
    if len(readings) != len(text):
        return None
    han = [i for i, r in enumerate(readings) if r and r[0] and "\u4e00" <= text[i] <= "\u9fff"]
    if not han:
        return None
    chosen = set(rng.sample(han, max(1, len(han) // 3)))
    parens = ("(", ")") if rng.random() < 0.7 else ("（", "）")
    out = []
    for i, ch in enumerate(text):
        out.append(ch)
        if i in chosen:
            out.append(f"{parens[0]}{readings[i][0]}{parens[1]}")
    return "".join(out)


def _byte_loss(text: str, rng: random.Random) -> tuple[str, str] | None:
    """Drop the lead byte of one double-byte character of the GBK bytes and
    decode as a browser does (GB18030 decoder, U+FFFD for invalid pairs)."""
    data = _encode(text, "gbk")
    if data is None:
        return None
    leads, pos = [], 0
    for ch in text:
        n = len(ch.encode("gbk"))
        if n == 2:
            leads.append(pos)
        pos += n
    if not leads:
        return None
    cut = rng.choice(leads)
    damaged = (data[:cut] + data[cut + 1 :]).decode("gb18030", "replace")
    return (damaged, text) if damaged != text else None


def _odd_byte(text: str) -> tuple[str, str] | None:
    """UTF-8 read as GBK where the decoder met a byte it could not pair:
    Python's decoder replaces it with U+FFFD."""
    data = _encode(text, "utf-8")
    damaged = data.decode("gb18030", "replace")
    if "\ufffd" not in damaged or _strict(data, "gb18030") is not None:
        return None
    return damaged, text


# Kinds made by encoding with the right codec and decoding with the wrong one,
# once or more: kind -> [(right, wrong), ...].
ROUND_TRIP_KINDS: dict[str, list[tuple[str, str]]] = {
    "utf8_as_gbk": [("utf-8", "gb18030")],
    "utf8_as_gbk_twice": [("utf-8", "gb18030"), ("utf-8", "gb18030")],
    "utf8_as_big5": [("utf-8", "big5hkscs")],
    "utf8_as_cp1252": [("utf-8", "sloppy-windows-1252")],
    "gbk_as_latin1": [("gbk", "latin-1")],
    "gbk_as_cp1252": [("gbk", "sloppy-windows-1252")],
    "big5_as_latin1": [("big5", "latin-1")],
    "big5_as_gbk": [("big5", "gbk")],
    "gbk_as_big5": [("gbk", "big5")],
    "utf8_as_cp1251": [("utf-8", "sloppy-windows-1251")],
    "gbk_as_cp1251": [("gbk", "sloppy-windows-1251")],
    "utf8_as_cp1250": [("utf-8", "sloppy-windows-1250")],
    "gbk_as_cp1250": [("gbk", "sloppy-windows-1250")],
    "big5_as_cp1251": [("big5", "sloppy-windows-1251")],
    "gbk_as_cp949": [("gbk", "cp949")],
    "gbk_as_cp932": [("gbk", "cp932")],
    "utf8_as_latin1_as_gbk": [("utf-8", "latin-1"), ("utf-8", "gb18030")],
    "gbk_as_latin1_as_gbk": [("gbk", "latin-1"), ("utf-8", "gb18030")],
}
# Kinds decoded as Python's decoder does with errors="replace": each byte it
# cannot use becomes one U+FFFD (UTF-8 read as Shift_JIS or EUC-KR loses
# bytes in most passages: of 130, 10 and 4 decode whole).
LOSSY_ROUND_TRIP_KINDS: dict[str, tuple[str, str]] = {
    "utf8_as_cp932": ("utf-8", "cp932"),
    "utf8_as_cp949": ("utf-8", "cp949"),
}


def damage(text: str, kind: str, rng: random.Random) -> tuple[str, str] | None:
    """Apply one kind of damage to `text`.

    Returns:
        ``(damaged, expected)`` or None when the kind does not apply (the text
        cannot be encoded, or the wrong decode fails, or changes nothing).
    """
    if kind == "clean":
        return text, text
    if kind in ROUND_TRIP_KINDS:
        out: str | None = text
        for right, wrong in ROUND_TRIP_KINDS[kind]:
            out = _round_trip(out, right, wrong) if out else None
    elif kind == "ruby_annotation":
        out = _ruby(text, rng)
    elif kind == "gbk_byte_loss":
        return _byte_loss(text, rng)
    elif kind == "utf8_as_gbk_odd_byte":
        return _odd_byte(text)
    elif kind in LOSSY_ROUND_TRIP_KINDS:
        right, wrong = LOSSY_ROUND_TRIP_KINDS[kind]
        data = _encode(text, right)
        out = data.decode(wrong, "replace") if data is not None else None
        return (out, text) if out and out != text else None
    else:
        raise ValueError(f"unknown kind {kind!r}")
    return (out, text) if out else None


# Where a page garbles only part of its text (a title, one field), the damage
# sits between clean neighbours. Span cases cut the passage at a punctuation
# mark or space and damage one piece.
_CUT = re.compile(r"[，。、；：？！,.;:?!\s]")
# Span cases per passage and kind, each on a different piece.
SPANS_PER_PASSAGE = 3


def damage_spans(text: str, kind: str, rng: random.Random, count: int = SPANS_PER_PASSAGE
                 ) -> list[tuple[str, str]]:
    """Damage one piece of `text` (between punctuation marks) with `kind`,
    leaving the rest clean; up to `count` such cases, each a different piece.
    Empty when the passage has one piece or the kind applies to no piece."""
    cuts = [0] + [m.end() for m in _CUT.finditer(text)] + [len(text)]
    pieces = [(a, b) for a, b in zip(cuts, cuts[1:]) if b - a >= 2]
    if len(pieces) < 2:
        return []
    rng.shuffle(pieces)
    out = []
    for a, b in pieces:
        made = damage(text[a:b], kind, rng)
        if made is not None:
            out.append((text[:a] + made[0] + text[b:], text))
            if len(out) == count:
                break
    return out


def split_of(passage_id: str) -> str:
    """``calibration`` or ``heldout``: half the passages each, by SHA-256."""
    return "calibration" if hashlib.sha256(passage_id.encode()).digest()[0] % 2 == 0 else "heldout"


def generate(passages: list[dict], seed: int = 0) -> list[dict]:
    """All cases for all passages, deterministic for a given seed."""
    cases = []
    for p in passages:
        rng = random.Random(f"{seed}:{p['id']}")
        for kind in KINDS:
            made = damage(p["text"], kind, rng)
            variants = [("whole", made)] if made else []
            if kind not in ("clean", "ruby_annotation"):
                variants += [(f"span{n}", m) for n, m in
                             enumerate(damage_spans(p["text"], kind, rng))]
            for scope, (original, expected) in variants:
                cases.append({
                    "id": f"{p['id']}-{kind}-{scope}", "passage": p["id"],
                    "script": p.get("script"), "damage": kind, "scope": scope,
                    "recoverable": KINDS[kind], "original": original, "expected": expected,
                    "split": split_of(p["id"]),
                })
    return cases


def load_passages(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("passages", nargs="?", default=str(HERE / "data" / "passages.jsonl"))
    ap.add_argument("-o", "--output", default="-")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    cases = generate(load_passages(Path(args.passages)), args.seed)
    out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8")
    for c in cases:
        out.write(json.dumps(c, ensure_ascii=False) + "\n")
    if out is not sys.stdout:
        out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
