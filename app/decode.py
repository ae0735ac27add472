"""Bytes to text: which codec, checked against the bytes, never believed blindly.

Evidence, in order of trust: a byte-order mark; the charset the caller
declares (a WHATWG label such as a page's ``charset``); then detection. Each
is checked by decoding strictly, and a declaration also against the Chinese
readings: one that reads far better (`chardata.DECLARED_OVERRIDE_MARGIN_BITS`)
wins, with a warning. UTF-8 wins over a declaration when the bytes
are valid UTF-8 and not plain ASCII (random GBK or Big5 text is almost never
valid UTF-8: a two-byte GBK character is valid UTF-8 only for lead bytes
0xC2..0xDF followed by 0x80..0xBF).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from . import chardata
from .detect import looks_japanese
from .errors import NotText, UnknownCodec
from .model import get_model


@dataclass(frozen=True)
class Decoded:
    """Result of `decode_bytes`.

    Attributes:
        text: the decoded text (without a BOM).
        codec: Python's canonical codec name (``codecs.lookup(x).name``).
        bom_bytes: length in bytes of the BOM that was stripped (0 if none).
        warnings: what the caller should know (a declaration that did not
            match the bytes, bytes replaced by U+FFFD).
    """

    text: str
    codec: str
    bom_bytes: int = 0
    warnings: tuple[str, ...] = ()


def canonical_codec(label: str) -> str:
    """Map a charset label (WHATWG or Python) to Python's canonical codec name.

    Args:
        label: e.g. ``GB2312``, ``x-gbk``, ``utf8``, ``big5``, ``latin1``.

    Returns:
        e.g. ``gb18030``, ``utf-8``, ``big5hkscs``, ``cp1252``: a label is
        read the way a browser reads it (WHATWG Encoding Standard), so
        ``gb2312`` gives ``gb18030`` and ``iso-8859-1`` gives ``cp1252``.

    Raises:
        UnknownCodec: neither table knows the label.
    """
    key = label.strip().strip("\"'").lower()
    name = chardata.WHATWG_LABELS.get(key, key)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError, UnicodeError):  # ValueError: an embedded NUL
        raise UnknownCodec(f"unknown charset {label!r}") from None
    if not getattr(info, "_is_text_encoding", True) or info.name in chardata.NOT_PAGE_CODECS:
        raise UnknownCodec(f"{label!r} is not a character encoding of web pages")
    return info.name


_KANA_HANGUL_RE = re.compile("[\u3040-\u30ff\uac00-\ud7af]")
_HANGUL_RE = re.compile("[\uac00-\ud7af]")
_NON_ASCII_RE = re.compile("[^\x00-\x7f]")


def _plainly_japanese_or_korean(text: str) -> bool:
    """Japanese with its particles, or Korean: at least
    `chardata.MIN_HANGUL_SYLLABLES` syllables, most of the non-ASCII text."""
    hangul = len(_HANGUL_RE.findall(text))
    return looks_japanese(text) or (
        hangul >= chardata.MIN_HANGUL_SYLLABLES
        and hangul >= chardata.MIN_HANGUL_SHARE * len(_NON_ASCII_RE.findall(text)))


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"


def _check_binary(data: bytes) -> None:
    for magic, what in chardata.BINARY_SIGNATURES:
        if data.startswith(magic):
            raise NotText(f"the bytes are {_article(what)} {what}, not text (signature {magic[:4].hex()})")


def _control_share(text: str, replaced: int = 0) -> float:
    """Share of control characters, plus `replaced` undecodable sequences, in `text`."""
    return (len(chardata.CONTROL_RE.findall(text)) + replaced) / len(text) if text else 0.0


def _check_controls(text: str, replaced: int = 0) -> None:
    """Raise NotText when control characters, plus `replaced` undecodable
    byte sequences, exceed `chardata.MAX_CONTROL_SHARE` of the text."""
    if _control_share(text, replaced) > chardata.MAX_CONTROL_SHARE:
        controls = len(chardata.CONTROL_RE.findall(text)) + replaced
        raise NotText(
            f"{controls} of {len(text)} characters are control characters or undecodable "
            f"bytes (more than {chardata.MAX_CONTROL_SHARE:.0%}): not text"
        )


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _detected(data: bytes) -> list[str]:
    """Codec names charset-normalizer proposes, best first (canonical names)."""
    from charset_normalizer import from_bytes

    names = []
    for match in from_bytes(data[:65536]):
        try:
            name = codecs.lookup(match.encoding).name
        except LookupError:
            continue
        if name not in chardata.NOT_PAGE_CODECS:
            names.append(name)
    return names


def decode_bytes(data: bytes, declared: str | None = None) -> Decoded:
    """Decode raw bytes, choosing the codec from the evidence.

    Args:
        data: the raw bytes, as received.
        declared: a charset label from the caller or the page, or None.

    Returns:
        A `Decoded`.

    Raises:
        NotText: the bytes carry a binary signature, or more than
            `chardata.MAX_CONTROL_SHARE` of the decoded text is control
            characters.
        UnknownCodec: `declared` names no codec.
    """
    warnings: list[str] = []
    declared_codec = canonical_codec(declared) if declared else None
    for bom, codec in chardata.BOMS:
        if data.startswith(bom):
            text = _strict(data[len(bom):], codec)
            if text is not None:
                _check_controls(text)
                if declared_codec and declared_codec != codec:
                    warnings.append(f"declared charset {declared} ignored: the bytes carry a {codec} BOM")
                return Decoded(text, codec, len(bom), tuple(warnings))
    _check_binary(data)

    if data.isascii() and b"\x00" not in data:
        for marker, codec in chardata.SEVEN_BIT_MARKERS:
            if marker in data:
                text = _strict(data, codec)
                if text is not None:
                    _check_controls(text)
                    return Decoded(text, codecs.lookup(codec).name, 0, tuple(warnings))
        text = data.decode("ascii")
        _check_controls(text)
        codec = "utf-8"
        if declared_codec and _strict(data, declared_codec) == text:
            codec = declared_codec
        elif declared_codec:
            warnings.append(f"declared charset {declared} ignored: the bytes are ASCII")
        return Decoded(text, codec, 0, tuple(warnings))

    utf8 = _strict(data, "utf-8")
    if utf8 is not None and not (declared_codec and _control_share(utf8) > chardata.MAX_CONTROL_SHARE):
        if declared_codec and declared_codec != "utf-8":
            warnings.append(f"declared charset {declared} ignored: the bytes are valid UTF-8")
        _check_controls(utf8)
        return Decoded(utf8, "utf-8", 0, tuple(warnings))

    # Chinese codecs: the best of them by the language model.
    model = get_model()
    chinese = {c: t for c in chardata.CHINESE_CODECS if (t := _strict(data, c)) is not None}
    best = (min(chinese, key=lambda c: model.bits_per_non_ascii(chinese[c][:4096]))
            if chinese else None)
    best_bits = model.bits_per_han(chinese[best][:4096]) if best else float("inf")

    if declared_codec:
        text = _strict(data, declared_codec)
        if text is not None:
            # Checked against the bytes: a Chinese reading that reads far
            # better wins over the declaration (GBK bytes labelled euc-kr).
            declared_bits = model.bits_per_han(text[:4096])
            bar = (chardata.DECLARED_OVERRIDE_BITS if declared_bits == float("inf")
                   else declared_bits - chardata.DECLARED_OVERRIDE_MARGIN_BITS)
            if best and best != declared_codec and best_bits <= min(bar, chardata.MAX_BITS_PER_HAN):
                warnings.append(f"declared charset {declared} ignored: the bytes read as "
                                f"Chinese in {best}")
                _check_controls(chinese[best])
                return Decoded(chinese[best], best, 0, tuple(warnings))
            _check_controls(text)
            return Decoded(text, declared_codec, 0, tuple(warnings))
        warnings.append(f"declared charset {declared} does not decode these bytes")

    # Undeclared. luanma's inputs are Chinese far more often than not: the
    # best Chinese reading wins unless it reads badly and another reading is
    # plainly Japanese (its own particles) or Korean (mostly hangul, a few
    # syllables at least), from charset-normalizer's guesses or our own.
    if best and (best_bits <= chardata.MAX_BITS_PER_HAN or (
            best_bits <= chardata.MAX_BITS_PER_HAN_UNDECLARED
            and model.fluent_share(chinese[best][:4096]) >= chardata.MIN_FLUENT_SHARE)):
        _check_controls(chinese[best])
        return Decoded(chinese[best], best, 0, tuple(warnings))
    guesses = [*_detected(data), *chardata.JAPANESE_KOREAN_CODECS]
    for codec in dict.fromkeys(guesses):
        if codec in chinese:
            continue
        text = _strict(data, codec)
        if text is None:
            continue
        if best is None or _plainly_japanese_or_korean(text):
            _check_controls(text)
            return Decoded(text, codec, 0, tuple(warnings))
    if best:
        _check_controls(chinese[best])
        return Decoded(chinese[best], best, 0, tuple(warnings))

    # Nothing decodes strictly: UTF-8 or GB18030 with replacement, whichever
    # replaces fewer bytes.
    def replaced(codec: str) -> int:
        return data.decode(codec, "replace").count("\ufffd") - data.decode(codec, "ignore").count(
            "\ufffd")

    counts = {codec: replaced(codec) for codec in ("utf-8", "gb18030")}
    fallback = min(counts, key=counts.__getitem__)
    text = data.decode(fallback, "replace")
    _check_controls(text, counts[fallback])
    warnings.append(
        f"no codec decodes these bytes cleanly; decoded as {fallback} with "
        f"{counts[fallback]} undecodable sequences replaced by U+FFFD"
    )
    return Decoded(text, fallback, 0, tuple(warnings))
