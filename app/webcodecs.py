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

``web-shift_jis``: Shift_JIS as browsers encode it. Decoding is Python's
cp932 (the WHATWG Shift_JIS decoder's index-jis0208 holds the same NEC and
IBM rows). Python's cp932 encodes the IBM extension kanji (bytes FA40..FC4B)
as their NEC-selected duplicates (ED40..EEFC); the WHATWG encoder does the
reverse ("index Shift_JIS pointer ... excluding pointers 8272 to 8835",
section 13.3). GBK or Big5 read as Shift_JIS holds either form of those
bytes, so a repair needs both encoders: cp932's and this one. Encoding: as
cp932, except that a character cp932 encodes to ED xx or EE xx goes to its
FA..FC bytes where it has them.
"""

from __future__ import annotations

import codecs
from functools import lru_cache

NAME = "web-gbk"


def _encode(text: str, errors: str = "strict") -> tuple[bytes, int]:
    parts = text.split("\u20ac")
    out = b"\x80".join(part.encode("gb18030", errors) for part in parts)
    return out, len(text)


@lru_cache(maxsize=None)
def _euro_then(errors: str) -> str:
    """The name of an error handler, registered on first use, that reads a
    lone 0x80 as ``€`` and hands every other undecodable byte to the handler
    `errors` (Python's own, ``strict`` among them, and luanma's, such as
    ``luanma-replace``, which the replay of a plan uses).

    Raises:
        LookupError: `errors` names no registered error handler.
    """
    other = codecs.lookup_error(errors)

    def handler(exc: UnicodeDecodeError) -> tuple[str, int]:
        if exc.object[exc.start : exc.start + 1] == b"\x80":
            return "\u20ac", exc.start + 1
        return other(exc)
    name = f"luanma-web-gbk-euro+{errors}"
    codecs.register_error(name, handler)
    return name


def _decode(data: bytes, errors: str = "strict") -> tuple[str, int]:
    """Decode `data`; a lone 0x80 is the euro sign whatever `errors` is,
    and every other byte gb18030 cannot decode goes to the handler `errors`.

    Raises:
        UnicodeDecodeError: bytes that are not web GBK, with ``strict``.
        LookupError: `errors` names no registered error handler.
    """
    return bytes(data).decode("gb18030", _euro_then(errors)), len(data)


SHIFT_JIS_NAME = "web-shift_jis"


def _ibm_forms() -> dict[str, bytes]:
    """Characters cp932 encodes to ED/EE whose IBM form FA40..FCFC decodes
    to them (Python's cp932 table)."""
    out = {}
    for lead in (0xFA, 0xFB, 0xFC):
        for trail in range(0x40, 0xFD):
            pair = bytes((lead, trail))
            try:
                ch = pair.decode("cp932")
            except UnicodeDecodeError:
                continue
            if ch.encode("cp932")[:1] in (b"\xed", b"\xee"):
                out.setdefault(ch, pair)
    return out


_IBM_FORMS: dict[str, bytes] | None = None


def _encode_shift_jis(text: str, errors: str = "strict") -> tuple[bytes, int]:
    global _IBM_FORMS
    if _IBM_FORMS is None:
        _IBM_FORMS = _ibm_forms()
    forms = _IBM_FORMS
    out = bytearray()
    for k, ch in enumerate(text):
        form = forms.get(ch)
        if form is None:
            try:
                form = ch.encode("cp932", errors)
            except UnicodeEncodeError as e:
                # where in `text`, not in the one character
                raise UnicodeEncodeError(SHIFT_JIS_NAME, text, k, k + 1, e.reason) from None
        out += form
    return bytes(out), len(text)


def _decode_shift_jis(data: bytes, errors: str = "strict") -> tuple[str, int]:
    data = bytes(data)
    return data.decode("cp932", errors), len(data)


def _search(name: str) -> codecs.CodecInfo | None:
    key = name.replace("_", "-")
    if key == NAME:
        return codecs.CodecInfo(_encode, _decode, name=NAME)
    if key == SHIFT_JIS_NAME.replace("_", "-"):
        return codecs.CodecInfo(_encode_shift_jis, _decode_shift_jis, name=SHIFT_JIS_NAME)
    return None


codecs.register(_search)
