"""Bytes to text: which codec, checked against the bytes, never believed blindly.

Evidence, in order of trust: a byte-order mark; the charset the caller
declares (a WHATWG label such as a page's ``charset``); the charset of the
page's own HTTP Content-Type as the caller forwards it; the page's ``<meta>``
declarations and XML declaration (`markup.declared_charsets`); then
detection. Each is checked by decoding strictly, and a declaration also against the Chinese
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
from .markup import declared_charsets
from .mixed import Segment, looks_mixed, split_mixed
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
        segments: for a mixed stream (`mixed.split_mixed`), its parts in
            order, each with its codec; `codec` is then the codec of the most
            bytes. Empty for bytes in one encoding.
    """

    text: str
    codec: str
    bom_bytes: int = 0
    warnings: tuple[str, ...] = ()
    segments: tuple[Segment, ...] = ()


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


def _strict_family(data: bytes, codec: str) -> tuple[str, str] | None:
    """``(text, codec)`` from a strict decode with `codec`, else with the
    first of its `chardata.ALTERNATE_CODECS` that decodes; None if none does."""
    for name in (codec, *chardata.ALTERNATE_CODECS.get(codec, ())):
        text = _strict(data, name)
        if text is not None:
            return text, name
    return None


def _evidence(data: bytes, declared: str | None, page_charset: str | None,
              warnings: list[str]) -> list[tuple[str, str, str]]:
    """Declarations in order of trust, as ``(label, where, codec)``: the
    caller's `declared` charset, the page's own Content-Type charset, then
    the document's ``<meta>`` tags and XML declaration (`markup`). Labels
    no codec answers to are dropped with a warning, except the caller's own.

    Raises:
        UnknownCodec: `declared` names no codec.
    """
    found: list[tuple[str, str, str]] = []
    if declared:
        found.append((declared, "declared charset", canonical_codec(declared)))
    sources = [(page_charset, "the page's Content-Type")] if page_charset else []
    sources += [(label, where) for label, where in declared_charsets(data)]
    for label, where in sources:
        try:
            found.append((label, where, canonical_codec(label)))
        except UnknownCodec:
            warnings.append(f"{where} names charset {label!r}, which no codec answers to; ignored")
    seen: set[str] = set()
    return [e for e in found if not (e[2] in seen or seen.add(e[2]))]


def _ignored(label: str, where: str) -> str:
    return (f"declared charset {label} ignored" if where == "declared charset"
            else f"charset {label} of {where} ignored")


def decode_bytes(data: bytes, declared: str | None = None, *,
                 page_charset: str | None = None) -> Decoded:
    """Decode raw bytes, choosing the codec from the evidence.

    Evidence in order of trust, each checked against the bytes: a BOM; the
    caller's `declared` charset; the page's own `page_charset` (from its
    HTTP Content-Type, as a scraper forwards it); the document's ``<meta
    charset>`` / ``<meta http-equiv>`` and XML declaration
    (`markup.declared_charsets`); then detection. A declaration is taken
    when it decodes the bytes strictly (or one of its
    `chardata.ALTERNATE_CODECS` does: Big5 with a euro sign) and no Chinese
    reading reads far better; bytes that are valid UTF-8 are read as UTF-8.

    Args:
        data: the raw bytes, as received.
        declared: a charset label from the caller, or None.
        page_charset: the charset of the page's own Content-Type header, or
            None; a label no codec answers to is ignored with a warning.

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
    evidence = _evidence(data, declared, page_charset, warnings)

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
        for label, where, candidate in evidence:
            if _strict(data, candidate) == text:
                codec = candidate
                break
            warnings.append(f"{_ignored(label, where)}: the bytes are ASCII")
        return Decoded(text, codec, 0, tuple(warnings))

    utf8 = _strict(data, "utf-8")
    if utf8 is not None and not (evidence and _control_share(utf8) > chardata.MAX_CONTROL_SHARE):
        for label, where, codec in evidence:
            if codec != "utf-8":
                warnings.append(f"{_ignored(label, where)}: the bytes are valid UTF-8")
            break
        _check_controls(utf8)
        return Decoded(utf8, "utf-8", 0, tuple(warnings))

    model = get_model()
    # A mixed stream (a UTF-8 template around a GBK block): each part in its
    # own codec, before any declaration, which can speak for one part only.
    if utf8 is None and looks_mixed(data):
        segments = split_mixed(data, model)
        if segments:
            text = "".join(data[s.start_byte:s.end_byte].decode(s.codec) for s in segments)
            _check_controls(text)
            share: dict[str, int] = {}
            for s in segments:
                share[s.codec] = share.get(s.codec, 0) + s.end_byte - s.start_byte
            codec = max(share, key=share.__getitem__)
            parts = ", ".join(f"bytes {s.start_byte}..{s.end_byte} {s.codec}" for s in segments)
            warnings.append(f"mixed stream, decoded part by part ({parts}); 'encoding' names the "
                            f"codec of most bytes, {codec}")
            return Decoded(text, codec, 0, tuple(warnings), tuple(segments))

    # Chinese codecs: the best of them by the language model.
    chinese: dict[str, str] = {}
    for c in chardata.CHINESE_CODECS:
        decoded = _strict_family(data, c)
        if decoded is not None:
            chinese[decoded[1]] = decoded[0]
    best = (min(chinese, key=lambda c: model.bits_per_non_ascii(chinese[c][:4096]))
            if chinese else None)
    best_bits = model.bits_per_han(chinese[best][:4096]) if best else float("inf")

    for label, where, codec in evidence:
        decoded = _strict_family(data, codec)
        if decoded is None:
            warnings.append(f"{_ignored(label, where)}: it does not decode these bytes")
            continue
        text, codec = decoded
        # Checked against the bytes: a Chinese reading that reads far
        # better wins over the declaration (GBK bytes labelled euc-kr).
        declared_bits = model.bits_per_han(text[:4096])
        bar = (chardata.DECLARED_OVERRIDE_BITS if declared_bits == float("inf")
               else declared_bits - chardata.DECLARED_OVERRIDE_MARGIN_BITS)
        if best and best != codec and best_bits <= min(bar, chardata.MAX_BITS_PER_HAN):
            warnings.append(f"{_ignored(label, where)}: the bytes read as Chinese in {best}")
            _check_controls(chinese[best])
            return Decoded(chinese[best], best, 0, tuple(warnings))
        _check_controls(text)
        return Decoded(text, codec, 0, tuple(warnings))

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
