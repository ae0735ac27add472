"""Optional Traditional/Simplified conversion with OpenCC (the official
``opencc`` wheel, Apache-2.0).

Which config suits which text (checked on OpenCC 1.4.2 with 他看著滑鼠和軟體):

* ``t2s``: Traditional in OpenCC's standard forms to Simplified; leaves
  Taiwan's 著 (for 着) alone: 他看著滑鼠和软体;
* ``tw2s``: Taiwan Traditional: converts 著 too: 他看着滑鼠和软体;
* ``tw2sp``: Taiwan Traditional with Taiwanese vocabulary mapped to
  mainland usage: 他看着鼠标和软件;
* ``hk2s``: Hong Kong Traditional to Simplified;
* ``s2t``, ``s2tw``, ``s2twp``, ``s2hk``: the other way.

Overrides: OpenCC 1.4.2's phrase tables miss most era names with 乾, so
every Traditional-to-Simplified config turns 乾 into 干 there (乾寧元年 ->
干宁元年). `ERA_QIAN_RE` finds them and the conversion keeps 乾.
"""

from __future__ import annotations

import re
from functools import lru_cache

import opencc

from .errors import UnknownConversion

# Config ids as OpenCC spells them: the wheel's bundled *.json names.
CONFIGS: tuple[str, ...] = tuple(sorted(name.removesuffix(".json") for name in opencc.CONFIGS))


def config_id(config: str) -> str:
    """The config id `config` spells, as `CONFIGS` holds it: config ids are
    matched without regard to case, and OpenCC's file name of the config
    (``t2s.json``, the name OpenCC's own tools take) is its id; so ``t2s``,
    ``T2S``, ``t2s.json`` and ``T2S.JSON`` are all ``t2s``. Nothing else is
    read into it (no spaces trimmed: `` t2s`` is no id).

    Raises:
        UnknownConversion: the id is not one of `CONFIGS`.
    """
    name = config.lower().removesuffix(".json")
    if name not in CONFIGS:
        raise UnknownConversion(config, list(CONFIGS))
    return name


@lru_cache(maxsize=64)
def converter(config: str) -> opencc.OpenCC:
    """A loaded OpenCC converter for `config`, one per process.

    Args:
        config: an OpenCC config id such as ``t2s`` (any spelling
            `config_id` takes).

    Raises:
        UnknownConversion: `config` is not one of `CONFIGS`.
    """
    return _converter(config_id(config))


@lru_cache(maxsize=None)
def _converter(name: str) -> opencc.OpenCC:
    return opencc.OpenCC(name)


def check_config(config: str | None) -> str | None:
    """The config id `config` spells (`config_id`: ``T2S``, ``t2s.json`` ->
    ``t2s``), its converter loaded; None passes through.

    Raises:
        UnknownConversion: `config` is not one of `CONFIGS`.
    """
    if config is None:
        return None
    converter(config)
    return config_id(config)


# Era names (年号) whose 乾 OpenCC 1.4.2 turns into 干, each followed by a
# year (乾寧元年, 乾德三年) or 年間/間, so that 乾和濕 (dry and wet) still
# becomes 干和湿. Eras from the list of Chinese era names (中国年号列表):
# 乾封 (唐高宗), 乾寧 乾符 (唐), 乾化 (後梁), 乾祐 (後漢), 乾德 乾興 (宋),
# 乾亨 乾統 (遼), 乾貞 (吳), 乾和 (南漢), 乾明 (北齊), 乾定 (西夏). OpenCC
# already keeps 乾元, 乾道, 乾隆 and 乾坤. Issue 3 names 乾寧 乾德 乾封 乾符.
ERA_QIAN_RE = re.compile(
    "乾(?=[寧宁德封符亨興兴祐化統统定明和貞贞](?:[元正一二三四五六七八九十]+年|年間|年间|間|间))")
# Configs that turn Traditional into Simplified (where 乾 -> 干 happens).
TO_SIMPLIFIED = frozenset({"t2s", "tw2s", "tw2sp", "hk2s", "hk2sp"})


def convert(text: str, config: str) -> str:
    """Convert `text` with OpenCC `config`, keeping 乾 in era names.

    Returns:
        The converted text; OpenCC converts phrase by phrase, so the length
        in code points may differ from the input's.

    Raises:
        UnknownConversion: `config` is not one of `CONFIGS`.
    """
    cc = converter(config)
    name = config_id(config)
    if name not in TO_SIMPLIFIED or "乾" not in text:
        return cc.convert(text)
    parts, pos = [], 0
    for m in ERA_QIAN_RE.finditer(text):
        parts.append(cc.convert(text[pos : m.start()]))
        parts.append("乾")
        pos = m.end()
    parts.append(cc.convert(text[pos:]))
    return "".join(parts)
