"""Optional Traditional/Simplified conversion with OpenCC (the official
``opencc`` wheel, Apache-2.0).

Which config suits which text (OpenCC 1.4.2's own README):

* ``t2s``: Traditional (OpenCC standard) to Simplified;
* ``tw2s`` / ``tw2sp``: Taiwan Traditional to Simplified, ``tw2sp`` also
  maps Taiwanese vocabulary (滑鼠 -> 鼠标);
* ``hk2s``: Hong Kong Traditional to Simplified;
* ``s2t``, ``s2tw``, ``s2twp``, ``s2hk``: the other way.
"""

from __future__ import annotations

from functools import lru_cache

import opencc

from .errors import UnknownConversion

# Config ids as OpenCC spells them: the wheel's bundled *.json names.
CONFIGS: tuple[str, ...] = tuple(sorted(name.removesuffix(".json") for name in opencc.CONFIGS))


@lru_cache(maxsize=None)
def converter(config: str) -> opencc.OpenCC:
    """A loaded OpenCC converter for `config`, one per process.

    Args:
        config: an OpenCC config id such as ``t2s`` (``.json`` may follow).

    Raises:
        UnknownConversion: `config` is not one of `CONFIGS`.
    """
    name = config.removesuffix(".json")
    if name not in CONFIGS:
        raise UnknownConversion(config, list(CONFIGS))
    return opencc.OpenCC(name)


def check_config(config: str | None) -> str | None:
    """Normalise a config id (``t2s.json`` -> ``t2s``), or pass None through.

    Raises:
        UnknownConversion: `config` is not one of `CONFIGS`.
    """
    if config is None:
        return None
    converter(config)
    return config.removesuffix(".json")


def convert(text: str, config: str) -> str:
    """Convert `text` with OpenCC `config`.

    Returns:
        The converted text; OpenCC converts phrase by phrase, so the length
        in code points may differ from the input's.

    Raises:
        UnknownConversion: `config` is not one of `CONFIGS`.
    """
    return converter(config).convert(text)
