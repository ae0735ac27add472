"""Measure the rules on plain evidence of mojibake (sessions 8 and 9): private
use, C1 controls, one lead byte with different ASCII trails, zhuyin, and
symbols at the edges of a misread stretch, Big5 read as GB18030.

Usage:
    python scripts/measure_evidence.py

Six sweeps, each repaired with `repair_text` and counted:

* ``private_use``: 920 clean texts with one private-use character put in
  (each of the project's passages, ``benchmarks/data/passages.jsonl``, four
  times at random places, and 400 short names; seed 8): how many change.
  The rule (`score._bar`, `chardata.MAX_BITS_PER_HAN_PRIVATE_USE`) must
  change none.
* ``icons``: 400 texts with one to four icon-font glyphs (private use,
  U+E600..U+E765, where iconfont numbers them) in six page templates (seed
  5): how many change (`candidates._private_use_only`).
* ``c1``: jieba's commonest two- and three-character words whose GBK bytes
  hold 0x80..0x9F (the first 800 of them), read as Latin-1 (a C1 control
  among the characters): right, and wrong at confidence 0.9 or more.
* ``same_lead``: of jieba's 60,000 commonest two- to four-character words,
  those whose Big5 (Traditional, OpenCC ``s2t``) or GBK bytes read as
  Latin-1 repeat one non-ASCII character with ASCII between
  (``½s½X`` for Big5 編碼): right, and wrong at 0.9 or more.
* ``symbol_edges`` (session 9): symbols pages set around headings (★, ●,
  ※, ±: `EDGE_SYMBOLS`) at the edges or in the middle of jieba's commonest
  four-character words, GBK read as Big5 or cp949 and Big5 read as GBK:
  right, wrong at 0.9 or more, and the same texts clean changed
  (`candidates._refined_stretch`'s tie between symbols).
* ``big5_as_gb18030`` (session 9): the passages and their clauses in
  Traditional, Big5 read as GB18030 (the browser's "GBK", which makes
  private use and kana of some pairs): right, wrong at 0.9 or more, and
  kept as it came at 0.9 or more (`detect.looks_japanese`'s hiragana share,
  `engine._big5_private_use`).
* ``zhuyin``: 2,808 clean texts of zhuyin (pypinyin's ``BOPOMOFO`` style of
  jieba's 700 commonest two- and three-character words, alone, after
  ``的注音是`` and ``注音：``, and as Taiwanese slang particles): how many
  change; and 14 shop and notice lines with GBK's full-width forms read as
  Big5 (ㄩㄓ for ：￥): how many are repaired.

Data: jieba's bundled dictionary (MIT) and pypinyin (MIT), both dependencies
of the project; OpenCC for ``s2t``.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import repair_text  # noqa: E402
from app.convert import convert  # noqa: E402

SHOP_LINES = ("价格：￥1299元（含税）", "原价：￥199，现价：￥99", "运费：￥10",
              "２０２４年１月１日发布的通知", "电话：（０１０）１２３４５６７８", "数据抓取结果（共１２条）",
              "关于我们！！", "￥99", "限时特价：￥５９９，包邮！", "第１章　总则", "会员价：￥８８．００",
              "库存：１２件", "评分：４．８分（共２３条评价）", "联系我们：４００－８８８－８８８８")
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林高罗"


def jieba_words(shortest: int, longest: int) -> list[str]:
    """jieba's dictionary words of `shortest`..`longest` characters, commonest first."""
    import jieba

    rows = [line.split() for line in
            (Path(jieba.__file__).parent / "dict.txt").read_text(encoding="utf-8").splitlines()]
    rows = [r for r in rows if len(r) >= 2 and shortest <= len(r[0]) <= longest]
    rows.sort(key=lambda r: -int(r[1]))
    return [r[0] for r in rows]


def private_use() -> tuple[int, int]:
    """(changed, texts) over clean texts with one private-use character."""
    rng = random.Random(8)
    texts = []
    for line in (ROOT / "benchmarks" / "data" / "passages.jsonl").read_text(
            encoding="utf-8").splitlines():
        text = json.loads(line)["text"]
        for _ in range(4):
            k = rng.randrange(len(text))
            cp = rng.choice([rng.randrange(0xE000, 0xE800), rng.randrange(0xE000, 0xF8FF)])
            texts.append(text[:k] + chr(cp) + text[k:])
    for _ in range(400):
        texts.append(rng.choice(SURNAMES) + chr(rng.randrange(0xE000, 0xF8FF))
                     + rng.choice(["", "明", "华", "伟"]))
    return sum(repair_text(t).changed for t in texts), len(texts)


def icons() -> tuple[int, int, int]:
    """(changed, changed at >= 0.9, texts) over texts with icon glyphs."""
    rng = random.Random(5)
    templates = ("{}", "首页 {} 购物车", "{}登录", "<li>{}</li>", "价格 {} ￥99", "{} 我的订单")
    changed = sure = 0
    for _ in range(400):
        glyphs = "".join(chr(rng.randrange(0xE600, 0xE766)) for _ in range(rng.randint(1, 4)))
        r = repair_text(rng.choice(templates).format(glyphs))
        changed += r.changed
        sure += r.changed and r.confidence >= 0.9
    return changed, sure, 400


def right_and_sure_wrong(pairs: list[tuple[str, str]]) -> tuple[int, int, int]:
    """(right, wrong at >= 0.9, cases) for (damaged, original) pairs."""
    right = sure_wrong = 0
    for damaged, original in pairs:
        r = repair_text(damaged)
        right += r.text == original
        sure_wrong += r.text != original and r.confidence >= 0.9
    return right, sure_wrong, len(pairs)


def c1_words() -> list[tuple[str, str]]:
    out = []
    for w in jieba_words(2, 3):
        data = w.encode("gbk")
        if any(0x80 <= b <= 0x9F for b in data):
            out.append((data.decode("latin-1"), w))
            if len(out) == 800:
                break
    return out


def same_lead_words() -> list[tuple[str, str]]:
    out = []
    for w in jieba_words(2, 4)[:60000]:
        for text, codec in ((convert(w, "s2t"), "big5"), (w, "gbk")):
            try:
                damaged = text.encode(codec).decode("latin-1")
            except UnicodeEncodeError:
                continue
            core = [ch for ch in damaged if not ch.isascii()]
            if len(core) > 1 and len(set(core)) == 1 and not damaged.isascii() and any(
                    ch.isascii() for ch in damaged):
                out.append((damaged, text))
    return out


def zhuyin() -> tuple[int, int, int, int]:
    """(clean changed, clean texts, shop lines repaired, shop lines)."""
    from pypinyin import Style, pinyin

    texts = []
    for w in jieba_words(2, 3)[:700]:
        notation = " ".join(p[0] for p in pinyin(w, style=Style.BOPOMOFO))
        tw = convert(w, "s2t")
        texts += [notation, f"{tw}的注音是{notation}", f"注音：{notation}", f"今天{tw}ㄛ，好開心ㄉ"]
    texts += ["ㄏㄏ", "ㄎㄎ我也不知道", "好ㄉ，謝謝", "真ㄉ假ㄉ", "ㄅ要這樣", "我ㄇ明天見", "ㄋ好",
              "ㄜ...我想想"]
    changed = sum(repair_text(t).changed for t in texts)
    repaired = sum(repair_text(s.encode("gbk").decode("big5hkscs", "replace")).text == s
                   for s in SHOP_LINES)
    return changed, len(texts), repaired, len(SHOP_LINES)


# Symbols Chinese pages set before, after or around a heading, all in GBK's
# and Big5's symbol rows (GB2312 rows 1, 2 and 8; Big5 A1..A3).
EDGE_SYMBOLS = "★☆●○■□◆◇▲△※→←↑↓①②③±×÷℃°§№"


def symbol_edges() -> dict[str, tuple[int, int, int, int]]:
    """By codec pair: (right, wrong at >= 0.9, cases, clean texts changed)
    for jieba's 40 commonest four-character words (Traditional for Big5,
    OpenCC ``s2t``) with one of `EDGE_SYMBOLS` before, after, around or in
    the middle, read with the wrong codec; the same texts clean must not
    change."""
    words = [w for w in jieba_words(4, 4)][:40]
    out = {}
    for wrong_codec, codec, traditional in (("big5", "gbk", False), ("cp949", "gbk", False),
                                            ("gbk", "big5", True)):
        pairs, clean = [], []
        for n, w in enumerate(words):
            w = convert(w, "s2t") if traditional else w
            x = EDGE_SYMBOLS[n % len(EDGE_SYMBOLS)]
            for text in (x + w, w + x, x + w + x, w[:2] + x + w[2:]):
                try:
                    damaged = text.encode(codec).decode(wrong_codec)
                except (UnicodeEncodeError, UnicodeDecodeError):
                    continue
                pairs.append((damaged, text))
                clean.append(text)
        right, sure, n = right_and_sure_wrong(pairs)
        out[f"{codec}_as_{wrong_codec}"] = (right, sure, n,
                                           sum(repair_text(t).changed for t in clean))
    return out


def big5_as_gb18030() -> tuple[int, int, int, int]:
    """(right, wrong at >= 0.9 changed, kept as it came at >= 0.9, cases):
    the project's passages and each of their clauses in Traditional (OpenCC
    ``s2t``) encoded as Big5 and read as GB18030, the browser's decoder for
    a page labelled GBK (private use for pairs with a trail byte below 0xA1,
    kana for some others)."""
    passages = [json.loads(line)["text"] for line in
                (ROOT / "benchmarks" / "data" / "passages.jsonl").read_text(
                    encoding="utf-8").splitlines() if line.strip()]
    texts = []
    for p in passages:
        tw = convert(p, "s2t")
        texts += [tw, *[c for c in tw.replace("。", "，").split("，") if len(c) >= 4]]
    right = wrong = kept = n = 0
    for t in dict.fromkeys(texts):
        try:
            damaged = t.encode("big5").decode("gb18030")
        except UnicodeError:
            continue
        if damaged == t:
            continue
        n += 1
        r = repair_text(damaged)
        right += r.text == t
        wrong += r.text != t and r.changed and r.confidence >= 0.9
        kept += not r.changed and r.confidence >= 0.9
    return right, wrong, kept, n


def main() -> None:
    changed, n = private_use()
    print(f"private_use: {changed} of {n} clean texts with a private-use character changed")
    changed, sure, n = icons()
    print(f"icons: {changed} of {n} texts with icon-font glyphs changed ({sure} at >= 0.9)")
    right, sure, n = right_and_sure_wrong(c1_words())
    print(f"c1: GBK words with bytes 0x80..0x9F read as Latin-1: right {right} of {n}, "
          f"wrong at >= 0.9 {sure}")
    right, sure, n = right_and_sure_wrong(same_lead_words())
    print(f"same_lead: one lead byte, different ASCII trails, read as Latin-1: right {right} of "
          f"{n}, wrong at >= 0.9 {sure}")
    changed, n, repaired, lines = zhuyin()
    print(f"zhuyin: {changed} of {n} clean zhuyin texts changed; {repaired} of {lines} lines of "
          "GBK full-width forms read as Big5 repaired")
    right, wrong, kept, n = big5_as_gb18030()
    print(f"big5_as_gb18030: right {right} of {n}, wrong at >= 0.9 {wrong}, "
          f"kept as it came at >= 0.9 {kept}")
    for pair, (right, sure, n, changed) in symbol_edges().items():
        print(f"symbol_edges {pair}: right {right} of {n}, wrong at >= 0.9 {sure}; "
              f"clean changed {changed} of {n}")


if __name__ == "__main__":
    main()
