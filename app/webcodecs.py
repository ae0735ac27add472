"""Codecs of the web that Python lacks, registered on import.

``web-gbk``: GBK as browsers decode it under the WHATWG Encoding Standard
(its ``gbk`` decoder is gb18030's, except that byte 0x80 alone is U+20AC
EURO SIGN, as in Windows code page 936). UTF-8 Chinese read by a browser as
GBK keeps its 0x80 bytes as ``€`` (一, E4 B8 80, shows as 涓€), which Python's
gb18030 encodes as A2 E3: repairing such text needs this codec's encoder.

Encoding: ``€`` -> 0x80, every other character as gb18030. Decoding: as
gb18030, with a lone 0x80 read as ``€``.

Source: WHATWG Encoding Standard, section 10.1.1 (gb18030 decoder: "If byte
is 0x80, return code point U+20AC").
"""

from __future__ import annotations

import codecs

NAME = "web-gbk"


def _encode(text: str, errors: str = "strict") -> tuple[bytes, int]:
    parts = text.split("\u20ac")
    out = b"\x80".join(part.encode("gb18030", errors) for part in parts)
    return out, len(text)


def _euro(exc: UnicodeDecodeError) -> tuple[str, int]:
    if exc.object[exc.start : exc.start + 1] == b"\x80":
        return "\u20ac", exc.start + 1
    raise exc


def _euro_or_replace(exc: UnicodeDecodeError) -> tuple[str, int]:
    if exc.object[exc.start : exc.start + 1] == b"\x80":
        return "\u20ac", exc.start + 1
    return "\ufffd", exc.end


def _decode(data: bytes, errors: str = "strict") -> tuple[str, int]:
    """Decode `data`; `errors` is ``strict`` or ``replace`` (a lone 0x80 is
    the euro sign either way).

    Raises:
        UnicodeDecodeError: bytes that are not web GBK, with ``strict``.
        ValueError: another `errors` policy.
    """
    data = bytes(data)
    handler = {"strict": "luanma-web-gbk-euro",
               "replace": "luanma-web-gbk-euro-replace"}.get(errors)
    if handler is None:
        raise ValueError(f"web-gbk decodes with errors='strict' or 'replace', not {errors!r}")
    return data.decode("gb18030", handler), len(data)


codecs.register_error("luanma-web-gbk-euro", _euro)
codecs.register_error("luanma-web-gbk-euro-replace", _euro_or_replace)


def _search(name: str) -> codecs.CodecInfo | None:
    if name.replace("_", "-") != NAME:
        return None
    return codecs.CodecInfo(_encode, _decode, name=NAME)


codecs.register(_search)
