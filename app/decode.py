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
import threading
from dataclasses import dataclass, replace

from . import chardata
from .detect import cased_like_a_word, cyrillic_spelling, looks_japanese, looks_korean
from .errors import NotText, UnknownCodec, shown
from .markup import declared_charsets
from .mixed import Segment, looks_mixed, split_mixed
from .model import CharModel, get_model


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
        replaced: for bytes decoded with replacement, ``(index, byte
            length)`` of each U+FFFD that stands for undecodable bytes:
            its code-point index into `text` and how many bytes it replaced
            (so that byte offsets after it are right). Empty otherwise.
        confidence_cap: the most a repair of `text` can be sure of, where
            the bytes had readings nothing in them tells apart (a short
            undeclared string: `_single_byte`, `_chinese_over_single_byte`);
            None otherwise.
        head_bytes: bytes at the start that are the trail of a character
            cut off before them (`_head_cut`): `text` starts with one
            U+FFFD for them, the rest is the bytes after them decoded
            strictly with `codec`; 0 otherwise.
    """

    text: str
    codec: str
    bom_bytes: int = 0
    warnings: tuple[str, ...] = ()
    segments: tuple[Segment, ...] = ()
    replaced: tuple[tuple[int, int], ...] = ()
    confidence_cap: float | None = None
    head_bytes: int = 0


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
    if not chardata.CHARSET_LABEL_RE.fullmatch(key):
        raise UnknownCodec(f"unknown charset {shown(label)}")
    name = chardata.WHATWG_LABELS.get(key, key)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError, UnicodeError):  # ValueError: an embedded NUL
        raise UnknownCodec(f"unknown charset {shown(label)}") from None
    if not getattr(info, "_is_text_encoding", True) or info.name in chardata.NOT_PAGE_CODECS:
        raise UnknownCodec(f"{shown(label)} is not a character encoding of web pages")
    return info.name


_KANA_HANGUL_RE = re.compile("[\u3040-\u30ff\uac00-\ud7af]")
_HANGUL_RUN_RE = re.compile("[\uac00-\ud7af]+")
_NON_ASCII_RE = re.compile("[^\x00-\x7f]")
# Control characters that ASCII text does not hold: C0 controls other than
# TAB, LF and CR, DEL, and a CR that no LF follows (a line break is CR LF or
# LF). UTF-16 whose bytes all fall below 0x80 has them (對啊 is 0D 5C 4A 55).
_ODD_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)")


def _plainly_japanese_or_korean(text: str) -> bool:
    """Japanese with its particles, Korean written in words
    (`detect.looks_korean`), or Korean: at least
    `chardata.MIN_HANGUL_SYLLABLES` syllables, most of the non-ASCII text,
    written in words (at most `chardata.MAX_MEAN_HANGUL_RUN` syllables per
    run on average: Chinese bytes read as Korean are one long run)."""
    if looks_japanese(text) or looks_korean(text):
        return True  # (Korean with hanja: 韓國語는 어렵다 has 4 hangul of 7)
    runs = [len(r) for r in _HANGUL_RUN_RE.findall(text)]
    hangul = sum(runs)
    return (hangul >= chardata.MIN_HANGUL_SYLLABLES
            and hangul >= chardata.MIN_HANGUL_SHARE * len(_NON_ASCII_RE.findall(text))
            and hangul <= chardata.MAX_MEAN_HANGUL_RUN * len(runs))


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
    """Codec names charset-normalizer proposes, best first (canonical names).
    Among guesses it ranks equal (same chaos and coherence: short text, where
    cp1250, cp1252 and cp1257 all read French letters as letters), cp1252
    comes first: WHATWG's default for Western locales, the web's most common
    single-byte codec (Très bien read as cp1250 is Trčs)."""
    from charset_normalizer import from_bytes

    ranked = []
    for match in from_bytes(data[:65536]):
        try:
            name = codecs.lookup(match.encoding).name
        except LookupError:
            continue
        if name not in chardata.NOT_PAGE_CODECS:
            ranked.append((match.chaos, -match.coherence, name != "cp1252", len(ranked), name))
    return [name for *_, name in sorted(ranked)]


def _strict_family(data: bytes, codec: str) -> tuple[str, str] | None:
    """``(text, codec)`` from a strict decode with `codec`, else with the
    first of its `chardata.ALTERNATE_CODECS` that decodes; None if none does.
    Big5-HKSCS that cp950 also decodes is read as cp950 where every
    character the two read apart stands alone among Han as HKSCS reads it
    (`_lone_kana`: Windows' Big5 writes ① ② at C7E9 C7EA, where HKSCS has
    katakana ロ ヮ; Japanese kana come in words)."""
    for name in (codec, *chardata.ALTERNATE_CODECS.get(codec, ())):
        text = _strict(data, name)
        if text is not None:
            if name == "big5hkscs" and _HKSCS_KANA_RE.search(text):
                windows = _strict(data, "cp950")
                if windows is not None and windows != text and _lone_kana(text, windows):
                    return windows, "cp950"
            return text, name
    return None


# What HKSCS reads in Big5's C6A1..C7FC, where cp950 has circled and
# parenthesised numbers and Roman numerals: kana and Cyrillic.
_HKSCS_KANA_RE = re.compile("[\u3040-\u30ff\u0400-\u04ff]")


def _lone_kana(hkscs: str, cp950: str) -> bool:
    """Whether every character where `hkscs` and `cp950` (two readings of
    the same bytes, the same length) differ is, in `hkscs`, kana or
    Cyrillic with no kana or Cyrillic beside it and a Han character on one
    side (a lone character is no evidence either way)."""
    if len(hkscs) != len(cp950):
        return False
    apart = [k for k, (a, b) in enumerate(zip(hkscs, cp950)) if a != b]
    return bool(apart) and all(
        _HKSCS_KANA_RE.match(hkscs[k])
        and not _HKSCS_KANA_RE.match(hkscs[k - 1:k] or " ")
        and not _HKSCS_KANA_RE.match(hkscs[k + 1:k + 2] or " ")
        and (chardata.HAN_RE.match(hkscs[k - 1:k] or " ")
             or chardata.HAN_RE.match(hkscs[k + 1:k + 2] or " ")) for k in apart)


# Characters UTF-8 encodes in two bytes beyond Latin letters: IPA and
# spacing modifier letters (U+0250..U+02FF), combining marks, Greek,
# Cyrillic, Armenian, Hebrew, Arabic, Syriac, Thaana, N'Ko (U+0300..U+07FF).
_TWO_BYTE_NON_LATIN_RE = re.compile("[\u0250-\u07ff]")


def _stray(text: str, k: int) -> bool:
    """Whether `text[k]` (one of `_TWO_BYTE_NON_LATIN_RE`) stands as no
    writer puts it: it is no common letter of a script
    (`chardata.COMMON_LETTER_RANGES`: ϵ ͳ һ Ҳ, modifier letters, points),
    or no neighbour is a letter of its script or an ASCII letter (a unit,
    μm); a Greek, Cyrillic or Armenian word has more than one letter
    (一位 in GBK reads һλ in UTF-8: Cyrillic beside Greek)."""
    script = _letter_script(text[k])
    if script is None:
        return True
    return not any(0 <= n < len(text) and (
        text[n].isascii() and text[n].isalpha() or _letter_script(text[n]) == script)
        for n in (k - 1, k + 1))


# Characters of Chinese text: Han, CJK punctuation, full-width forms, the
# general punctuation it borrows (“ ” ‘ ’ …), ¥ and ·, emoji and their
# modifiers (chardata.EMOJI_RE's blocks).
_CHINESE_CHAR_RE = re.compile(
    "[\u3000-\u303f\uff00-\uffef\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\U00020000-\U000323af\u2000-\u206f\u00a5\u00b7\u2600-\u27bf\ufe0f"
    "\U0001f000-\U0001faff]")


def _chinese_share(text: str) -> float:
    """Share of the non-ASCII characters of `text` that Chinese text is made
    of (`_CHINESE_CHAR_RE`); 0.0 without non-ASCII characters."""
    non_ascii = len(_NON_ASCII_RE.findall(text))
    return len(_CHINESE_CHAR_RE.findall(text)) / non_ascii if non_ascii else 0.0


# Characters above Latin-1 (U+0100 and up).
_ABOVE_LATIN1_RE = re.compile("[^\x00-\xff]")


def _utf16_chinese_share(text: str) -> float:
    """`_chinese_share` of a UTF-16 reading, Latin-1 characters (U+0080..
    U+00FF) counted as ASCII is: in UTF-16 each is a NUL byte and one
    other, which no GBK, Big5 or UTF-8 text holds, so they are no sign of
    such bytes misread, while Chinese text writes × ° ± § ¨ (all in GB 2312's
    first row: 尺寸：30×40cm). 0.0 without characters above U+00FF."""
    wide = len(_ABOVE_LATIN1_RE.findall(text))
    # (¥ and · are _CHINESE_CHAR_RE's two characters of Latin-1)
    chinese = len(_CHINESE_CHAR_RE.findall(text)) - text.count("\u00a5") - text.count("\u00b7")
    return chinese / wide if wide else 0.0


# Non-ASCII characters a UTF-8 reading plausibly holds besides Han: Latin
# letters and signs (U+00A0..U+024F, U+1E00..U+1EFF), general punctuation
# and symbols (U+2000..U+2BFF), CJK, kana and hangul (U+2E80..U+9FFF,
# U+AC00..U+D7AF; not Yi or Vai), full-width forms, emoji and the
# supplementary planes.
_PLAUSIBLE_UTF8_RE = re.compile(
    "[\u00a0-\u024f\u1e00-\u1eff\u2000-\u2bff\u2e80-\u9fff\uac00-\ud7af\uf900-\uffff"
    "\U00010000-\U0010ffff]")


def _utf8_implausible(text: str) -> bool:
    """A UTF-8 reading with no Han character whose other non-ASCII
    characters include letters of scripts a Chinese page rarely holds
    alone (Greek, Cyrillic, Armenian, Vai ...: what GBK or UTF-16 bytes make
    when read as UTF-8)."""
    return (chardata.HAN_RE.search(text) is None
            and any(not _PLAUSIBLE_UTF8_RE.match(ch) for ch in _NON_ASCII_RE.findall(text)))


def _no_latin_word(text: str) -> bool:
    """Whether a UTF-8 reading holds, besides ASCII, only Latin-1's upper
    half and Latin Extended-A/B and IPA (U+0080..U+02AF), a letter of the
    latter at least (`_EXTENDED_LETTER_RE`), and no word with a non-ASCII
    letter in it that is written in Latin letters with ASCII ones among
    them (café, Müller): what two GBK or Big5 bytes make when read as UTF-8
    (Ů, ʮ, Ŀ¼), which a page that declares a Chinese codec does not hold; not
    the signs and Greek a page mislabelled gbk holds (© 2024, α + β)."""
    if text.isascii() or any(ch > "\u02af" for ch in text) or not _EXTENDED_LETTER_RE.search(text):
        return False
    return not any(not w.isascii() and any(ch.isascii() for ch in w)
                   for w in _LETTER_RUN_RE.findall(text))


def _chinese_instead_of_utf8(data: bytes, utf8: str, evidence: list[tuple[str, str, str]],
                             model) -> bool:
    """Whether bytes that are valid UTF-8 are rather Chinese in another codec.

    A short GBK string can be valid UTF-8 (元 D4 AA reads as Ԫ), and UTF-16
    whose bytes all fall below 0x80 is (下雪了 is 0B 4E EA 96 86 4E). The
    other reading wins when it reads as Chinese (`chardata.MAX_BITS_PER_HAN`;
    `chardata.MAX_BITS_PER_HAN_UNDECLARED` for a declared codec's reading)
    and either a declaration names its codec while the UTF-8 reading is
    implausible (`_utf8_implausible`) or made of two-byte sequences that
    spell no Latin word (`_no_latin_word`: GBK 女 labelled gbk, C5 AE, is no
    Ů; 目录 no Ŀ¼), where a Chinese codec is declared the other Chinese
    codec's reading too (GBK 什么 labelled big5); or, undeclared, the UTF-8
    reading is implausible and a UTF-16 reading reads as Chinese; or,
    undeclared or labelled with a codec other than a Chinese one (UTF-8,
    cp1252: a scraper's default as often as the page's word), the UTF-8
    reading is two non-ASCII characters or more of Latin letters that spell
    no word (`_no_latin_word`: 目前 is no Ŀǰ), or of two-byte sequences
    whose characters outside Latin all stand as no writer puts them
    (`_stray`: 系统 CF B5 CD B3 is no Greek ϵͳ), and a Chinese reading
    reads as Chinese (`chardata.MAX_BITS_PER_HAN`)."""
    codec = evidence[0][2] if evidence else None
    if codec is not None and codec != "utf-8":
        bar = None
        if _no_latin_word(utf8):
            # (as lenient as undeclared bytes are: the declaration is
            # evidence too, and one character, 十 or 郑, costs 13 to 16 bits)
            bar = chardata.MAX_BITS_PER_HAN_UNDECLARED
        elif _utf8_implausible(utf8):
            # one character (郑 is Hebrew ֣) as leniently; more (α + β) as
            # any reading is judged
            bar = (chardata.MAX_BITS_PER_HAN_UNDECLARED if len(chardata.non_ascii(utf8)) == 1
                   else chardata.MAX_BITS_PER_HAN)
        decoded = _strict_family(data, codec) if bar is not None else None
        if decoded is not None and (model.bits_per_han(decoded[0]) <= bar or (
                codec in chardata.DOUBLE_BYTE_CODECS and len(chardata.non_ascii(utf8)) == 1
                and chardata.HAN_RE.fullmatch(chardata.non_ascii(decoded[0])))):
            # (One declared Han character, however rare, against one letter
            # of Latin Extended or IPA (`bar` is set only then) or of a
            # script a Chinese page rarely holds, or an unassigned code
            # point: GBK 蔻 DE A2 labelled gbk is no Thaana ޢ, 谆 D7 BB no
            # U+05FB. Latin-1's letters and signs stay UTF-8: © and é on a
            # mislabelled page.)
            return True
        if codec in chardata.DOUBLE_BYTE_CODECS:
            # A page labelled with one Chinese codec whose bytes are the
            # other's (GBK 什么 labelled big5, CA B2 C3 B4: Big5 妦繫, UTF-8
            # ʲô): the label still says Chinese, and a reading that reads
            # as Chinese wins as it does for undeclared bytes; the
            # declaration's own reading is weighed against it next
            # (`_decode_bytes`).
            return bar is not None and reads_chinese_in(data, model, besides=codec)
    if not evidence:
        if _utf8_implausible(utf8) and len(data) >= 2 * chardata.MIN_REPAIRED_HAN and any(
                _utf16_chinese(data, c) is not None for c in chardata.UTF16_CODECS):
            return True
        if _two_bytes_among_ascii(data) and _EXTENDED_LETTER_RE.search(utf8) and any(
                (t := _strict(data, c)) is not None and _one_han_amid_signs(t)
                and not model.odd_run_re.search(t) for c in chardata.CHINESE_CODECS):
            # One common Han character among ASCII signs, (十), against one
            # UTF-8 letter, (ʮ): two bytes cannot tell them apart, and
            # Chinese is kept (`_one_character` caps it), as for the
            # single-byte codecs; not a rare one, nor against a letter of
            # Latin-1 ((é), (û): Western text's own letters stay UTF-8,
            # capped alike) or a sign (© · ±).
            return True
    # Undeclared, or labelled UTF-8 or a codec of another script (a label
    # that says nothing of Chinese, and a scraper's default more often than
    # the page's word): two-byte sequences no writer puts that way.
    # Latin letters of no word (目前 C4 BF C7 B0 is Ŀǰ, 偶然 żȻ), or stray
    # two-byte letters outside Latin (系统 is ϵͳ)
    no_writer = (len(chardata.non_ascii(utf8)) >= 2 and _no_latin_word(utf8)) or (
        all(ch < "\u0800" for ch in utf8) and stray_letters(utf8))
    return no_writer and reads_chinese_in(data, model)


def stray_letters(text: str) -> bool:
    """Whether `text` (a str) holds characters that UTF-8 encodes in two
    bytes beyond Latin letters (`_TWO_BYTE_NON_LATIN_RE`) and every one of
    them stands as no writer puts it (`_stray`: ϵͳ, ʱϰ, a lone Syriac ܬ):
    what UTF-8 makes of GBK or Big5 bytes, not Greek, Cyrillic or IPA
    written on purpose."""
    found = [m.start() for m in _TWO_BYTE_NON_LATIN_RE.finditer(text)]
    return bool(found) and all(_stray(text, k) for k in found)


def reads_chinese_in(data: bytes, model, besides: str | None = None) -> bool:
    """Whether a strict reading of `data` in one of `chardata.CHINESE_CODECS`
    (other than `besides`) reads as Chinese (`chardata.MAX_BITS_PER_HAN`
    bits per Han character at most, `CharModel.bits_per_han`)."""
    return any(model.bits_per_han(t) <= chardata.MAX_BITS_PER_HAN
               for c in chardata.CHINESE_CODECS
               if c != besides and (t := _strict(data, c)) is not None)


def _utf16_chinese(data: bytes, codec: str) -> str | None:
    """The reading of `data` in `codec` when that is UTF-16 and reads as
    Chinese (mostly Chinese characters, `chardata.MAX_BITS_PER_HAN`), else None."""
    if codec not in chardata.UTF16_CODECS:
        return None
    text = _strict(data, codec)
    if (text is None or _control_share(text) > chardata.MAX_CONTROL_SHARE
            or _utf16_chinese_share(text) < chardata.MIN_UTF16_HAN_SHARE
            or get_model().bits_per_han(text) > chardata.MAX_BITS_PER_HAN):
        return None
    return text


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
            warnings.append(f"{where} names charset {shown(label)}, which no codec answers to; "
                            "ignored")
    seen: set[str] = set()
    return [e for e in found if not (e[2] in seen or seen.add(e[2]))]


def _ignored(label: str, where: str) -> str:
    return (f"declared charset {label} ignored" if where == "declared charset"
            else f"charset {label} of {where} ignored")


def _utf8_sequence_at(data: bytes, pos: int) -> bool:
    """Whether a whole, valid UTF-8 sequence of two or more bytes starts at
    `data[pos]` (RFC 3629, section 4)."""
    lead = data[pos]
    width = 2 if 0xC2 <= lead <= 0xDF else 3 if 0xE0 <= lead <= 0xEF else \
        4 if 0xF0 <= lead <= 0xF4 else 0
    return bool(width) and _strict(data[pos:pos + width], "utf-8") is not None


# Bytes that are control characters text does not hold: C0 controls other
# than TAB, LF and CR, and DEL.
_CONTROL_BYTES = frozenset([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def _utf8_damaged_end(data: bytes, start: int, end: int) -> int:
    """Where the damaged UTF-8 character whose first undecodable bytes are
    `data[start:end]` (a UnicodeDecodeError's range) ends: what one
    corrupted byte leaves is one character's bytes, so the range takes in
    the bytes after it that belong to the same character (RFC 3629,
    section 4: a lead byte 0xC2..0xF4 and its 1 to 3 continuation bytes
    0x80..0xBF):

    * after a lead byte, its sequence with one byte in a continuation
      byte's place (E8 FF 8E, E8 41 8E, E8 BF FF: 迎 is E8 BF 8E), where the
      bytes after that one fill the sequence with continuation bytes; a
      last byte below 0x80 stays a character of its own (E8 BF 41 is
      U+FFFD and A: UTF-8 cut inside a character before ASCII text) unless
      it is a control character no text holds (`_CONTROL_BYTES`: E8 BF 16
      is one U+FFFD), as does a byte that starts a valid sequence (E4 B8
      E5 A5 BD is U+FFFD and 好);
    * after a byte that is no lead byte (a corrupted lead byte: FF BF 8E),
      the continuation bytes it stranded, 4 bytes at most in all.

    Returns:
        A byte offset into `data`, at least `end`."""
    lead = data[start]
    width = 2 if 0xC2 <= lead <= 0xDF else 3 if 0xE0 <= lead <= 0xEF else \
        4 if 0xF0 <= lead <= 0xF4 else 0
    if not width:
        while end < len(data) and end - start < 4 and 0x80 <= data[end] <= 0xBF:
            end += 1
        return end
    pos = start + 1
    while pos < len(data) and pos - start < width and 0x80 <= data[pos] <= 0xBF:
        pos += 1
    last = start + width
    if pos < min(last, len(data)):
        # data[pos] took a continuation byte's place
        rest = data[pos + 1:last]
        fills = len(rest) == last - pos - 1 and all(0x80 <= b <= 0xBF for b in rest)
        if fills and (rest or data[pos] in _CONTROL_BYTES
                      or data[pos] >= 0x80 and not _utf8_sequence_at(data, pos)):
            return max(end, last)
    return max(end, pos)


_recorded = threading.local()


def _replace_error(e: UnicodeDecodeError) -> tuple[str, int]:
    """A codec error handler (``luanma-replace``): Python's ``replace``,
    except that in UTF-8 the bytes of one damaged character are one U+FFFD
    (`_utf8_damaged_end`; Python's gives one per stranded byte: three for
    one corrupted byte of a Chinese character); it records the byte range
    each U+FFFD stands for while `_recorded.ranges` is a list."""
    end = e.end
    if codecs.lookup(e.encoding).name == "utf-8":
        end = _utf8_damaged_end(e.object, e.start, end)
    ranges = getattr(_recorded, "ranges", None)
    if ranges is not None:
        ranges.append((e.start, end))
    return "\ufffd", end


codecs.register_error("luanma-replace", _replace_error)


def decode_replacing(data: bytes, codec: str) -> str:
    """`data` decoded with `codec`, each undecodable sequence one U+FFFD;
    in UTF-8 each damaged character one U+FFFD (`_utf8_damaged_end`):
    ``b"\\xe6\\xac\\xa2\\xff\\xbf\\x8e"`` (欢 and 迎 whose lead byte is
    0xFF) is ``欢�``, where ``bytes.decode(..., "replace")`` gives ``欢���``.
    What a `decode` step of `decode_bytes`'s result replays with
    (`engine.apply_plan`).

    Raises:
        LookupError: `codec` names no codec."""
    return data.decode(codec, "luanma-replace")


def _replaced(data: bytes, codec: str, most: float | None = None) -> tuple[str, int]:
    """`data` decoded with `decode_replacing`, and how many U+FFFD stand for
    undecodable bytes (damaged characters, in UTF-8; U+FFFD the bytes
    themselves encode are not counted).

    Python's own ``replace`` decode comes first, in C: where it replaces
    nothing, or `codec` is not UTF-8 (where `decode_replacing` is that
    decode), it is the answer; where it replaces more than four times
    `most` (a damaged UTF-8 character is at most four bytes, each at most
    one of its U+FFFD), the count returned is its own, over `most` as the
    exact one is, and the text is its own (the caller, which takes at most
    `most`, refuses both). Only otherwise does the error handler run in
    Python, once per damaged character (a GBK page read as UTF-8 has
    thousands: 155 ms on 224 KB)."""
    plain = data.decode(codec, "replace")
    own = data.decode(codec, "ignore").count("\ufffd")
    stranded = plain.count("\ufffd") - own
    if stranded == 0 or codecs.lookup(codec).name != "utf-8" or (
            most is not None and stranded > 4 * most):
        return plain, stranded
    text = decode_replacing(data, codec)
    return text, text.count("\ufffd") - own


def _replacements(data: bytes, codec: str) -> tuple[tuple[int, int], ...]:
    """``(index, byte length)`` of each U+FFFD that `decode_replacing` puts
    for undecodable bytes (see `Decoded.replaced`): one decode that records
    the replaced byte ranges, then each gap between them decoded once
    (linear in the length of `data`)."""
    _recorded.ranges = []
    try:
        decode_replacing(data, codec)
        ranges = _recorded.ranges
    finally:
        _recorded.ranges = None
    out = []
    pos = chars = 0
    for start, end in ranges:
        chars += len(data[pos:start].decode(codec, "replace"))
        out.append((chars, end - start))
        chars += 1
        pos = end
    return tuple(out)


def _truncated_utf8(data: bytes) -> int:
    """How many bytes (1 to 3) at the end of `data` begin a UTF-8 sequence
    that the data ends before completing, when everything before them is
    valid UTF-8 (text cut at a byte limit); 0 otherwise.

    Source: the UTF-8 byte patterns of RFC 3629, section 4."""
    for k in (1, 2, 3):
        if len(data) <= k:
            break
        lead = data[-k]
        width = 2 if 0xC2 <= lead <= 0xDF else 3 if 0xE0 <= lead <= 0xEF else \
            4 if 0xF0 <= lead <= 0xF4 else 0
        if width:
            tail = data[-k + 1:] if k > 1 else b""
            if width > k and all(0x80 <= b <= 0xBF for b in tail) and \
                    _strict(data[:-k], "utf-8") is not None:
                return k
            return 0
        if not 0x80 <= lead <= 0xBF:
            return 0
    return 0


def _lossy_chinese(data: bytes, codecs_: list[str], model: CharModel
                   ) -> tuple[str, str, int] | None:
    """The best reading of `data` in one of `codecs_` with its undecodable
    sequences replaced by U+FFFD: among the readings that replace at least
    one and at most `chardata.MAX_LOSSY_SHARE` of the bytes (or
    `chardata.MAX_LOSSY_SEQUENCES`, if more: a stream that lost or corrupted
    a few bytes: one 0xFF in UTF-8, GBK cut after a lead byte) and read as
    Chinese (`CharModel.bits_per_han` at most
    `chardata.MAX_BITS_PER_HAN_UNDECLARED` on the first 4,096 characters)
    or replace at most `chardata.MAX_LOSSY_SEQUENCES`, the one that reads
    best; ties go to the earlier codec.

    Returns:
        ``(text, codec, replaced sequences)`` or None."""
    best = None
    for codec in dict.fromkeys(codecs_):
        most = max(chardata.MAX_LOSSY_SEQUENCES, chardata.MAX_LOSSY_SHARE * len(data))
        text, count = _replaced(data, codec, most)
        if not 1 <= count <= most:
            continue
        bits = model.bits_per_han(text[:4096])
        # A corrupted GBK lead byte leaves the rest of its run out of step
        # (rare characters: the engine's byte-loss pass reads them back), so
        # one or two replaced sequences are taken whatever the reading costs,
        # in a text that is Chinese at all: not where ASCII letters outnumber
        # its Han characters (Latin-1 French, Tr\xe8s bien, \xe0 bient\xf4t,
        # is no GB18030 Tr鑣 bien, � bient魌).
        if (bits <= chardata.MAX_BITS_PER_HAN_UNDECLARED
                or count <= chardata.MAX_LOSSY_SEQUENCES and _mostly_han(text)) and (
                best is None or bits < best[0]):
            best = (bits, text, codec, count)
    return None if best is None else best[1:]


def _head_cut(data: bytes, evidence: list[tuple[str, str, str]], best: str | None,
              model: CharModel) -> tuple[str, str] | None:
    """Chinese double-byte text that lost its first byte (a range request or
    a chunk that starts inside a character): its first byte, a trail byte
    0x81..0xFE, pairs with the next character's lead byte and puts the run
    out of step. ``("\\ufffd" + text, codec)``: `text` the strict reading of
    all but the first byte in a Chinese codec (the declared ones, where
    the first declaration is a double-byte codec; `chardata.CHINESE_CODECS`
    undeclared), holding 2 * `chardata.MIN_REPAIRED_HAN` Han characters at
    least, reading as Chinese (`chardata.MAX_BITS_PER_HAN`) and better by
    `chardata.DECLARED_OVERRIDE_MARGIN_BITS` per Han character than `best`,
    the best strict reading of all the bytes (the declared codec's, where
    declared), or, where none decodes them, than their best reading with
    replacement (`_lossy_chinese`, each U+FFFD priced as a space: GBK
    红烧排骨 with a trail byte become ASCII reads well but for one
    character, and is no cut). None otherwise, and for a first byte below
    0x81 (an ASCII byte is read alone, so the rest is in step).

    Source: the byte ranges of GB 18030-2005 and Big5 (lead bytes 0x81..0xFE)."""
    if len(data) < 4 * chardata.MIN_REPAIRED_HAN + 1 or not 0x81 <= data[0] <= 0xFE:
        return None
    if evidence:
        if not (evidence[0][2] in chardata.CHINESE_CODECS
                or evidence[0][2] in chardata.DOUBLE_BYTE_CODECS):
            return None
        codecs_ = [evidence[0][2]]
        best = (_strict_family(data, evidence[0][2]) or (None,))[0]
    else:
        codecs_ = list(chardata.CHINESE_CODECS)
    if best is None:
        # no strict reading: the best with replacement, each U+FFFD a space
        lossy = _lossy_chinese(data, codecs_, model)
        if lossy is None:
            return None
        best = lossy[0].replace("\ufffd", " ")
    full_bits = model.bits_per_han(best[:4096])
    for codec in codecs_:
        decoded = _strict_family(data[1:], codec)
        if decoded is None or len(chardata.HAN_RE.findall(decoded[0][:4096])) \
                < 2 * chardata.MIN_REPAIRED_HAN:
            continue
        bits = model.bits_per_han(decoded[0][:4096])
        if bits <= chardata.MAX_BITS_PER_HAN and \
                bits <= full_bits - chardata.DECLARED_OVERRIDE_MARGIN_BITS:
            return "\ufffd" + decoded[0], decoded[1]
    return None


def _cut_utf16(data: bytes, evidence: list[tuple[str, str, str]], best: str | None,
               model: CharModel) -> tuple[str, str, str] | None:
    """UTF-16 without a BOM cut by one byte (a byte limit; an odd number of
    bytes): ``(text, codec, side)``, `text` the reading of all but the last
    byte in one of `chardata.UTF16_CODECS` that reads as Chinese
    (`_utf16_chinese`) followed by one U+FFFD for the cut character (`side`
    ``"end"``), or else of all but the first byte (a range or chunk that
    starts inside a code unit), after one U+FFFD (``"head"``), where
    no declaration decodes `data` strictly, the reading holds at least
    2 * `chardata.MIN_REPAIRED_HAN` Han characters (GBK 請問有 cut after
    有's lead byte is UTF-16LE 裕隆 and a cut byte), reads better
    (`CharModel.bits_per_non_ascii`) than `best`, the best strict Chinese
    reading of `data` (or there is none), and better per Han character
    than GBK or Big5 cut after a lead byte (`_cut_chinese`), where the
    bytes read so. None otherwise, and where the cut
    falls inside a surrogate pair (a character beyond the BMP last: the
    head then ends in a lone surrogate and decodes strictly in no codec)."""
    if len(data) % 2 == 0 or len(data) < 2 * chardata.MIN_REPAIRED_HAN + 1 or any(
            _strict(data, codec) is not None for _, _, codec in evidence):
        return None
    cut = _cut_chinese(data, [c for _, _, c in evidence], model)
    for side, piece in (("end", data[:-1]), ("head", data[1:])):
        for codec in chardata.UTF16_CODECS:
            text = _utf16_chinese(piece, codec)
            if text is None or len(chardata.HAN_RE.findall(text[:4096])) \
                    < 2 * chardata.MIN_REPAIRED_HAN:
                continue
            if (best is None or model.bits_per_non_ascii(text[:4096])
                    < model.bits_per_non_ascii(best[:4096])) and (
                    cut is None or model.bits_per_han(text[:4096]) < cut[2]):
                return (text + "\ufffd", codec, side) if side == "end" else \
                    ("\ufffd" + text, codec, side)
    return None


def _lossy_utf8(data: bytes, evidence: list[tuple[str, str, str]], chinese: dict[str, str],
                model: CharModel) -> tuple[str, int] | None:
    """UTF-8 with a few damaged characters (a corrupted or cut byte): the
    `decode_replacing` reading of `data`, one U+FFFD per damaged character,
    when it damages at least one character and at most
    `chardata.MAX_LOSSY_SEQUENCES` (or `chardata.MAX_LOSSY_SHARE` of the
    bytes, if more), holds at least `chardata.MIN_UTF8_CHARS_PER_DAMAGED`
    whole characters of three bytes or more (U+0800 and up: CJK) for each
    damaged one, and either the first declaration (`evidence`) names UTF-8,
    or no declaration decodes `data` strictly, the reading reads as Chinese
    (`chardata.MAX_BITS_PER_HAN`, each U+FFFD priced as a space) and reads
    better than every strict
    Chinese reading in `chinese` (codec -> text). GBK or Big5 bytes are
    almost never UTF-8 in long stretches (a character of three bytes needs
    0xE0..0xEF and two bytes 0x80..0xBF), so a few damaged characters among
    many whole ones are damage, not another codec.

    Returns:
        ``(text, damaged characters)`` or None."""
    most = max(chardata.MAX_LOSSY_SEQUENCES, chardata.MAX_LOSSY_SHARE * len(data))
    text, count = _replaced(data, "utf-8", most)
    if not 1 <= count <= most:
        return None
    wide = sum(1 for ch in text if ch >= "\u0800" and ch != "\ufffd")
    if wide < chardata.MIN_UTF8_CHARS_PER_DAMAGED * count:
        return None
    if evidence and evidence[0][2] == "utf-8":
        return text, count
    if any(_strict_family(data, codec) is not None for _, _, codec in evidence):
        return None  # a declaration that decodes the bytes is weighed as before
    # (each U+FFFD read as a break between words: the model prices it as a
    # rare character)
    bits = model.bits_per_han(text[:4096].replace("\ufffd", " "))
    if bits > chardata.MAX_BITS_PER_HAN or any(
            model.bits_per_han(t[:4096]) <= bits for t in chinese.values()):
        return None
    return text, count


def _reads_better(segments, data: bytes, model: CharModel) -> bool:
    """Whether each part of a mixed stream's `segments` in another codec
    than UTF-8 reads at least as well (`CharModel.bits_per_han`) read as
    UTF-8 by `decode_replacing`, each U+FFFD priced as a space, as in its
    own codec: UTF-8 欢迎光临 with 光's last byte 0xC6 splits into a GB18030
    part 鍏其复, which as UTF-8 is U+FFFD and 临; Big5 設定 inside UTF-8 is
    no Han at all as UTF-8."""
    for s in segments:
        if s.codec == "utf-8":
            continue
        raw = data[s.start_byte:s.end_byte]
        own = _strict(raw, s.codec)
        if own is not None and model.bits_per_han(
                decode_replacing(raw, "utf-8")[:4096].replace("\ufffd", " ")) \
                > model.bits_per_han(own[:4096]):
            return False
    return True


def _reads_as_chinese(data: bytes, codec: str, model: CharModel) -> bool:
    """Whether `data` decodes strictly in `codec` to text holding Han that
    reads as Chinese (`CharModel.bits_per_han` at most
    `chardata.MAX_BITS_PER_HAN` on the first 4,096 characters)."""
    text = _strict(data, codec)
    return text is not None and model.bits_per_han(text[:4096]) <= chardata.MAX_BITS_PER_HAN


def _mostly_han(text: str) -> bool:
    """Whether `text`'s Han characters (first 4,096 characters) are at least
    as many as its ASCII letters."""
    sample = text[:4096]
    return len(chardata.HAN_RE.findall(sample)) >= sum(
        1 for ch in sample if ch.isascii() and ch.isalpha())


# A word of Greek or Cyrillic letters (two or more).
_GREEK_CYRILLIC_WORD_RE = re.compile("[\u0370-\u03ff\u0400-\u04ff]{2,}")


def _plainly_greek_or_cyrillic(text: str) -> bool:
    """Whether every non-ASCII character of `text` (first 4,096) is a Greek
    or Cyrillic letter in a word of two or more, four at least: what a
    cp1251 or cp1253 page is, and GBK read with them is not (its lead bytes
    0xB0..0xBF are symbols there: °±Ііґµ¶·)."""
    sample = text[:4096]
    letters = sum(len(m.group()) for m in _GREEK_CYRILLIC_WORD_RE.finditer(sample))
    return letters >= 4 and letters == sum(1 for ch in sample if not ch.isascii())


def _letter_script(ch: str) -> str | None:
    """``latin`` for ASCII letters and the Latin letters of U+00C0..U+024F
    and U+1E00..U+1EFF (not × ÷), the script of `ch` when it is a letter of
    `chardata.COMMON_LETTER_RANGES`, else None (a symbol, a rare letter)."""
    if ch.isascii():
        return "latin" if ch.isalpha() else None
    code = ord(ch)
    if (0xC0 <= code <= 0x24F or 0x1E00 <= code <= 0x1EFF) and ch.isalpha():
        return "latin"
    for script, ranges in chardata.COMMON_LETTER_RANGES.items():
        if any(a <= code <= b for a, b in ranges):
            return script
    return None


# Greek letters with tonos or dialytika and tonos (monotonic orthography).
_GREEK_ACCENTED = frozenset("ΆΈΉΊΌΎΏΐΰάέήίόύώ")
# Greek vowel groups: a run of vowels is one syllable at most (diphthongs
# αι ει οι ου υι αυ ευ; a run of two separate vowels counts once, which only
# makes the rule below looser).
_GREEK_VOWEL_GROUP_RE = re.compile("[αεηιουωάέήίόύώϊϋΐΰ]+")
_GREEK_ACCENTED_MONOSYLLABLES = frozenset({"ή", "πού", "πώς"})


def _greek_spelling(word: str) -> bool:
    """Whether a Greek `word` is spelled as monotonic Greek is: final sigma ς
    at the end only and σ never there (Unicode 15, section 7.2, "Final
    sigma"); a vowel in any word of two letters or more; and, in the
    monotonic system (Greek law 1228/1982: one tonos marks the stressed
    vowel of every word of two syllables or more, none on words of one,
    bar the few that need it to be told apart: ή, πού, πώς), one accent on a
    word of two vowel groups or more, none on a word of one, an accented
    capital only first before lower case, none in an all-capital word. What
    windows-1251 or KOI8-R Russian reads as in windows-1253 breaks these
    (Οπθβες for Привет has two syllables and no accent, Μξρκβΰ for Москва
    one syllable and an accent)."""
    if "ς" in word[:-1] or word[-1] == "σ":
        return False
    low = word.lower()
    groups = len(_GREEK_VOWEL_GROUP_RE.findall(low))
    if len(word) > 1 and not groups:
        return False
    accented = [k for k, ch in enumerate(word) if ch in _GREEK_ACCENTED]
    if word.isupper() and len(word) > 1:
        return not accented
    if groups >= 2:
        if len(accented) != 1:
            return False
    elif accented and low not in _GREEK_ACCENTED_MONOSYLLABLES:
        return False
    return all(word[k].islower() or (k == 0 and word[1:].islower()) for k in accented)


_LETTER_RUN_RE = re.compile(r"[^\W\d_]+")


def _plain_words(text: str) -> str | None:
    """The script of `text`'s letters when it reads as words of one script:
    every non-ASCII character is a letter of `_letter_script` or a mark of
    `chardata.SINGLE_BYTE_MARKS` (an opening mark after no letter, a
    closing one before none but the apostrophe ’, any other beside no
    letter), at least
    one is a letter, and each word (run of letters) holding one is of one
    script, cased like a word (`detect.cased_like_a_word`); a Latin word also has
    an ASCII letter or is one letter long (à, é: Ìîñêâà, Москва's
    windows-1251 bytes read as windows-1252, is no word); a Greek word ends
    in ς and nowhere else and carries at most one accent (`_greek_spelling`);
    a Cyrillic word puts й after a vowel and ь ъ after a consonant
    (`detect.cyrillic_spelling`). Returns ``latin``, ``cyrillic``, ``greek`` ... or None."""
    found = None
    for k, ch in enumerate(text):
        if ch.isascii():
            continue
        if ch in chardata.SINGLE_BYTE_MARKS:
            before = k > 0 and text[k - 1].isalpha()
            after = k + 1 < len(text) and text[k + 1].isalpha()
            if (before if ch in chardata.OPENING_MARKS else after and ch != "’"
                    if ch in chardata.CLOSING_MARKS else before or after):
                return None
        elif _letter_script(ch) is None:
            return None
    for m in _LETTER_RUN_RE.finditer(text):
        run = m.group()
        if run.isascii():
            continue
        scripts = {_letter_script(ch) for ch in run}
        if len(scripts) != 1 or None in scripts or not cased_like_a_word(run):
            return None
        script = scripts.pop()
        if script == "latin" and len(run) > 1 and not any(ch.isascii() for ch in run):
            return None
        if script == "greek" and not _greek_spelling(run):
            return None
        if script == "cyrillic" and not cyrillic_spelling(run):
            return None
        found = found if found and found != "latin" else script
    return found


def _single_byte_readings(data: bytes) -> list[tuple[str, str, str]]:
    """``(codec, text, script)`` for each of `chardata.SINGLE_BYTE_CODECS`
    that decodes `data` strictly, without control characters, into words of
    one script (`_plain_words`), in that order; empty for bytes that are no
    such text (every GBK or Big5 string holding a symbol or a word of
    accented letters alone in windows-1252)."""
    out = []
    for codec in chardata.SINGLE_BYTE_CODECS:
        text = _strict(data, codec)
        if text is None or chardata.CONTROL_RE.search(text):
            continue
        script = _plain_words(text[:4096])
        if script is not None:
            out.append((codecs.lookup(codec).name, text, script))
    # Running text is mostly lower case: a reading whose words are all
    # capitals yields to one of the same bytes with lower case (KOI8-R
    # спасибо reads УРБУЙВП in windows-1251; the two swap cases).
    return sorted(out, key=lambda r: len(r[1]) > 1 and not any(
        ch.islower() for ch in r[1][:4096] if not ch.isascii()))


def _lossy_warning(codec: str, count: int) -> str:
    return (f"the bytes are {codec} with {count} undecodable sequence"
            f"{'s' if count > 1 else ''} (corrupted or cut bytes), shown as U+FFFD")


def _lower_case_rival(reading: tuple[str, str, str]) -> bool:
    """Whether a reading of `_single_byte_readings` rivals another: a Latin
    one always; one of another script when it has a lower case letter or is
    one letter long. An all-capital reading (25ФЄ for GBK 25元, ЙАИ for
    Greek και in KOI8-R) is no rival: running text is mostly lower case."""
    _, text, script = reading
    letters = [ch for ch in text if not ch.isascii() and ch.isalpha()]
    return script == "latin" or len(letters) <= 1 or any(ch.islower() for ch in letters)


def _single_byte(single: list[tuple[str, str, str]], warnings: list[str]) -> Decoded:
    """The first of `single`'s readings (`_single_byte_readings`); when
    readings of other scripts are as plain (Москва's windows-1251 bytes are
    the Greek Μξρκβΰ in windows-1253), nothing in the bytes tells them
    apart: a warning names them and `Decoded.confidence_cap` is one over the
    number of scripts (each as likely). Only rivals count
    (`_lower_case_rival`)."""
    codec, text, script = single[0]
    others = {s: (c, t) for c, t, s in single if s != script and _lower_case_rival((c, t, s))}
    cap = None
    if others:
        cap = 1 / (len(others) + 1)
        named = ", ".join(f"{c} {t[:12]!r} ({s})" for s, (c, t) in others.items())
        warnings.append(f"the bytes are as plainly {named}: nothing in them tells the "
                        f"scripts apart; {codec} chosen, the first of "
                        f"{', '.join(chardata.SINGLE_BYTE_CODECS)}")
    _check_controls(text)
    return Decoded(text, codec, 0, tuple(warnings), confidence_cap=cap)


# Kana (hiragana U+3041..U+309F, katakana U+30A1..U+30FF with ・ and ー).
_KANA_RE = re.compile("[\u3041-\u309f\u30a1-\u30ff]")
# What Japanese writing holds besides ASCII: kana, Han, CJK symbols and
# punctuation (U+3000..U+303F: 、。「」), full-width ASCII forms
# (U+FF01..U+FF5E); not half-width katakana, which is what cp932 makes of
# GBK and Big5 lead bytes 0xA1..0xDF.
_JAPANESE_TEXT_RE = re.compile(
    f"[\u3000-\u303f\u3041-\u309f\u30a1-\u30ff\uff01-\uff5e{chardata.HAN_RE.pattern[1:-1]}]")
# Full-width ASCII forms (U+FF01..U+FF5E) and the ideographic space.
_FULL_WIDTH_ONLY_RE = re.compile("[\u3000\uff01-\uff5e]+")
# Runs the Chinese model does not price in a Japanese reading: ASCII (read
# alike in every codec) and kana (`chardata.KANA_LETTER_BITS` each).
_ASCII_OR_KANA_RUN_RE = re.compile("[\x00-\x7f\u3041-\u309f\u30a1-\u30ff]+")


# Small kana (Unicode 15 names them SMALL): yōon ゃゅょ follow a kana of the
# i row (きゃ, シュ: the Japanese syllabary's contracted sounds); the others
# (ぁぃぅぇぉゎ, っ) follow a kana too: none starts a word or follows a
# kanji (中文 in Big5 is EUC-JP いゅ, which no Japanese writes).
_SMALL_KANA = frozenset("ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ")
_YOON = frozenset("ゃゅょャュョ")
_I_ROW_KANA = frozenset("きぎしじちぢにひびぴみりキギシジチヂニヒビピミリ")


def _kana_spelling(text: str) -> bool:
    """Whether each small kana of `text` (`_SMALL_KANA`) follows a kana
    that is not small, and each of ゃゅょ a kana of the i row (katakana loan
    spelling writes ャュョ after any katakana: ヴュ); and whether ん, ン and
    ー follow a kana (the moraic nasal and the long vowel mark end a
    syllable: no word starts with them; 件件 in Big5 is EUC-JP ンン)."""
    for k, ch in enumerate(text):
        prev = text[k - 1] if k else ""
        if ch in "んンー" and not _KANA_RE.match(prev):
            return False  # no Japanese word starts with ん or ー
        if ch not in _SMALL_KANA:
            continue
        if not _KANA_RE.match(prev) or prev in _SMALL_KANA:
            return False
        if ch in _YOON and prev not in _I_ROW_KANA and not ("\u30a1" <= prev <= "\u30ff"):
            return False
    return True


def _japanese_reading(data: bytes, model: CharModel) -> tuple[str, str, float, int] | None:
    """The cheapest reading of `data` in one of `chardata.JAPANESE_CODECS`
    that decodes it strictly into Japanese writing: at least one non-ASCII
    character, each a kana, Han, a CJK mark or a full-width form
    (`_JAPANESE_TEXT_RE`).

    Returns:
        ``(text, codec, bits, kana)``: `bits` its cost in bits as Japanese
        (first 4,096 characters): `chardata.JAPANESE_SCRIPT_BITS` once,
        `chardata.KANA_LETTER_BITS` a kana, and the model's cost of each
        run between kana and ASCII runs (kanji words are mostly Chinese
        words too: 東京, 天気); `kana` how many kana it holds. None when no
        codec gives such a reading.
    """
    best = None
    for codec in chardata.JAPANESE_CODECS:
        text = _strict(data, codec)
        if text is None:
            continue
        sample = text[:4096]
        non_ascii = _NON_ASCII_RE.findall(sample)
        if not non_ascii or not all(_JAPANESE_TEXT_RE.match(ch) for ch in non_ascii) \
                or not _kana_spelling(sample):
            continue
        kana = len(_KANA_RE.findall(sample))
        bits = (chardata.JAPANESE_SCRIPT_BITS + chardata.KANA_LETTER_BITS * kana
                + sum(model.cost(run) for run in _ASCII_OR_KANA_RUN_RE.split(sample) if run))
        if best is None or bits < best[2]:
            best = (text, codec, bits, kana)
    return best


def _total_bits(text: str, model: CharModel) -> float:
    """The model's cost of the non-ASCII characters of `text` (first 4,096
    characters), ASCII runs set aside (`CharModel.bits_per_non_ascii`)."""
    sample = text[:4096]
    n = len(_NON_ASCII_RE.findall(sample))
    return model.bits_per_non_ascii(sample) * n if n else float("inf")


def _one_han_amid_signs(text: str) -> bool:
    """Whether `text` is one Han character with ASCII signs or digits
    around it, and no ASCII letter right beside it: ``(七)``, ``7七``; not
    ``Gr鲞e`` (Größe read as GB18030) nor the character alone."""
    k = next((n for n, ch in enumerate(text) if not ch.isascii()), -1)
    if k < 0 or not text[k + 1:].isascii() or len(text) == 1 or not chardata.HAN_RE.match(text[k]):
        return False
    return not any(ch.isascii() and ch.isalpha() for ch in text[max(0, k - 1):k + 2])


def _chinese_over_single_byte(text: str, codec: str, single: list[tuple[str, str, str]] | None,
                              warnings: list[str], rival: tuple[str, str] | None = None
                              ) -> Decoded:
    """`text` in `codec`, a Chinese reading that reads as Chinese. When it
    is one Han character (two bytes) and the bytes are also words of a
    single-byte codec (泥 is Да in windows-1251), two bytes cannot tell
    them apart: Chinese is kept (luanma's inputs are Chinese far more often
    than not), with a warning and `Decoded.confidence_cap` 1/2. The same,
    `chardata.AMBIGUOUS_READING_CAP`, when `rival`, ``(codec, text)``, is a
    Japanese reading about as plausible (`decode_bytes`)."""
    cap = None
    if rival is not None:
        cap = chardata.AMBIGUOUS_READING_CAP
        warnings.append(f"undeclared bytes read as {codec} {text[:12]!r}; they also read as "
                        f"{rival[0]} {rival[1][:12]!r}: too few bytes to tell")
    single = [r for r in single or () if _lower_case_rival(r)]
    if single and len(chardata.HAN_RE.findall(text)) < chardata.MIN_REPAIRED_HAN:
        cap = chardata.AMBIGUOUS_READING_CAP
        c, t, script = single[0]
        warnings.append(f"undeclared bytes read as {codec} {text[:12]!r}; they are as plainly "
                        f"{c} {t[:12]!r} ({script}): too few bytes to tell")
    return Decoded(text, codec, 0, tuple(warnings), confidence_cap=cap)


# A Han character right between two ASCII letters: what a CJK codec makes
# of a Latin word's accented letter and the ASCII letter after it
# (Frühstück read as GB18030 is Fr黨st點k); Chinese text writes Han beside
# a Latin word (T恤, iPhone手机), not inside one.
_HAN_INSIDE_LATIN_RE = re.compile(f"[A-Za-z]{chardata.HAN_RE.pattern}[A-Za-z]")


def _clearly_chinese(text: str, bits: float, single: list[tuple[str, str, str]]) -> bool:
    """Whether a Chinese reading costing `bits` per Han character beats the
    single-byte readings `single` of the same bytes: it reads as Chinese
    (`chardata.MAX_BITS_PER_HAN`, the bar a repair must pass) and, against
    Latin words, has no Han character inside a Latin word
    (`_HAN_INSIDE_LATIN_RE`)."""
    return bits <= chardata.MAX_BITS_PER_HAN and not (
        single[0][2] == "latin" and _HAN_INSIDE_LATIN_RE.search(text[:4096]))


def _cut_chinese(data: bytes, declared: list[str], model: CharModel
                 ) -> tuple[str, str, float] | None:
    """``(text, codec, bits)`` for Chinese double-byte text cut after the
    lead byte of its last character (a byte limit): everything before the
    last byte decodes strictly in one of `declared` or
    `chardata.CHINESE_CODECS`, the first that does, holds a Han character
    and costs at most `chardata.MAX_BITS_PER_HAN_UNDECLARED` bits per Han
    character (`bits`: one character alone costs 8 to 15), and the last byte
    is a lead byte of that codec (0x81..0xFE: GB 18030 and Big5 lead bytes);
    `text` ends in one U+FFFD for the cut character. None otherwise.

    Source: the lead-byte ranges of GB 18030-2005 (0x81..0xFE) and Big5
    (0x81..0xFE with HKSCS)."""
    if len(data) < 3 or not 0x81 <= data[-1] <= 0xFE:
        return None
    for codec in dict.fromkeys([*declared, *chardata.CHINESE_CODECS]):
        if codec not in chardata.CHINESE_CODECS and codec not in chardata.DOUBLE_BYTE_CODECS:
            continue
        decoded = _strict_family(data[:-1], codec)
        if decoded is None:
            continue
        head, name = decoded
        if _strict(data, name) is None and chardata.HAN_RE.search(head):
            bits = model.bits_per_han(head[:4096])
            if bits <= chardata.MAX_BITS_PER_HAN_UNDECLARED:
                return head + "\ufffd", name, bits
    return None


# Codecs whose readings of one undeclared character compete (`_one_character`).
_ONE_CHARACTER_CODECS = ("utf-8", *chardata.CHINESE_CODECS, *chardata.JAPANESE_KOREAN_CODECS)


# ASCII that reads as words: letters, digits, spaces and the marks words
# carry (`decode_bytes`: short ASCII bytes that are also UTF-16 Chinese).
_WORDS_RE = re.compile(r"[A-Za-z0-9 .,!?'-]*")


# Letters of Latin Extended-A/B and IPA (U+0100..U+02AF): what GBK and Big5
# pairs with a lead byte 0xC4..0xCA read as in UTF-8 (女 C5 AE is Ů, 十 CA AE
# ʮ), which Western text rarely writes alone.
_EXTENDED_LETTER_RE = re.compile("[\u0100-\u02af]")
_LATIN1_LETTER_RE = re.compile("[\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff]")


def _letter_or_han(decoded: Decoded, text: str, codec: str) -> bool:
    """Whether `decoded` and `text` (in `codec`) are the two readings that
    two bytes among ASCII cannot tell apart: a letter of Latin-1 in UTF-8
    ((û), (é)) and one Han character among signs in another codec ((没),
    (茅)), either way round."""
    pair = {decoded.codec: decoded.text, codec: text}
    if "utf-8" not in pair or len(pair) != 2:
        return False
    chinese = next(t for c, t in pair.items() if c != "utf-8")
    return (_LATIN1_LETTER_RE.search(pair["utf-8"]) is not None
            and _one_han_amid_signs(chinese))


_ASCII_BYTES = bytes(range(0x80))


def _two_bytes_among_ascii(data: bytes) -> bool:
    """Whether `data` holds exactly two non-ASCII bytes, side by side, and
    ASCII around them, if any (``28 CA AE 29``: GBK (十))."""
    high = data.translate(None, _ASCII_BYTES)
    return len(high) == 2 and high in data


def _one_character(data: bytes, decoded: Decoded, what: str = "undeclared bytes") -> Decoded:
    """`decoded` capped at `chardata.AMBIGUOUS_READING_CAP`, with a warning,
    when `data` is two bytes, one at least non-ASCII, that a codec
    (`_ONE_CHARACTER_CODECS`) reads as one letter or Han character other
    than `decoded.text`, or two non-ASCII bytes among ASCII
    (`_two_bytes_among_ascii`) that UTF-8 reads as a letter of Latin-1 where
    the decode is one Han character among signs ((没) is UTF-8 (û)): nothing in two bytes tells the codecs apart (GBK 业
    is D2 B5, UTF-8 ҵ; Big5 政 is AC 46, GBK 現, cp1250 ĄN), and which
    character is commoner is no evidence of which codec wrote it. One
    warning says so: none is added where the decode gave one already.
    Unchanged otherwise."""
    if not (len(data) == 2 and not data.isascii() or _two_bytes_among_ascii(data)):
        return decoded
    others = {}
    for codec in _ONE_CHARACTER_CODECS:
        text = _strict(data, codec)
        if text is None or text == decoded.text:
            continue
        core = [ch for ch in text if not ch.isascii()]
        if len(core) == 1 and (core[0].isalpha() or chardata.HAN_RE.match(core[0])) and (
                len(data) == 2 or _letter_or_han(decoded, text, codec)):
            others.setdefault(text, codec)
    if not others:
        return decoded
    text, codec = next(iter(others.items()))
    warning = (f"{what} hold one non-ASCII character, read as {decoded.codec} "
               f"{decoded.text[:12]!r}; {codec} reads {text[:12]!r}: too few bytes to tell")
    if any(w.endswith("too few bytes to tell") for w in decoded.warnings):
        warning = None  # the decode has said so already, of another reading
    return replace(decoded, warnings=decoded.warnings + ((warning,) if warning else ()),
                   confidence_cap=min(
        decoded.confidence_cap or 1.0, chardata.AMBIGUOUS_READING_CAP))


def decode_bytes(data: bytes, declared: str | None = None, *,
                 page_charset: str | None = None, deadline: float | None = None) -> Decoded:
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
        deadline: a `time.monotonic()` value past which the search for a
            mixed stream's parts gives up (`mixed.split_mixed`), the bytes
            then read in one codec; None: no deadline.

    Returns:
        A `Decoded`.

    Raises:
        NotText: the bytes carry a binary signature, or more than
            `chardata.MAX_CONTROL_SHARE` of the decoded text is control
            characters.
        UnknownCodec: `declared` names no codec.

    Undeclared bytes (or bytes labelled utf-8 and so read) holding one
    two-byte character that another codec reads as another character come
    with `chardata.AMBIGUOUS_READING_CAP` (`_one_character`).

    Damaged bytes stay in their codec where the rest reads so, each
    damaged place one U+FFFD listed in `Decoded.replaced`: UTF-8 with a few
    damaged characters (`_lossy_utf8`; one U+FFFD per character,
    `decode_replacing`), UTF-8 or GBK/Big5 cut inside their last character,
    UTF-16 without a BOM cut by one byte (`_cut_utf16`), GBK or Big5 that
    begins inside a character (`_head_cut`, `Decoded.head_bytes`).
    """
    decoded = _decode_bytes(data, declared, page_charset, deadline)
    # (a utf-8 label, a scraper's default as often as the page's word, is no
    # more evidence than none where its reading is one two-byte character:
    # GBK 女 labelled utf-8 is UTF-8 Ů)
    labelled_utf8 = (declared is not None and page_charset is None
                     and canonical_codec(declared) == "utf-8" and decoded.codec == "utf-8")
    if (declared is None and page_charset is None or labelled_utf8) and not decoded.bom_bytes \
            and not decoded.segments:
        return _one_character(data, decoded, "bytes labelled utf-8" if labelled_utf8
                              else "undeclared bytes")
    return decoded


def _decode_bytes(data: bytes, declared: str | None, page_charset: str | None,
                  deadline: float | None) -> Decoded:
    """`decode_bytes` before `_one_character`."""
    warnings: list[str] = []
    declared_codec = canonical_codec(declared) if declared else None
    for bom, codec in chardata.BOMS:
        if data.startswith(bom):
            body = data[len(bom):]
            text = _strict(body, codec)
            replaced: tuple[tuple[int, int], ...] = ()
            if text is None:
                # A BOM and a few corrupted or cut bytes: still that codec.
                most = max(chardata.MAX_LOSSY_SEQUENCES, chardata.MAX_LOSSY_SHARE * len(body))
                text, count = _replaced(body, codec, most)
                if count > most:
                    continue
                replaced = _replacements(body, codec)
                warnings.append(_lossy_warning(codec, count))
            _check_controls(text, len(replaced))
            if declared_codec and declared_codec != codec:
                warnings.insert(0, f"declared charset {declared} ignored: the bytes carry a "
                                   f"{codec} BOM")
            return Decoded(text, codec, len(bom), tuple(warnings), replaced=replaced)
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
        codec = "utf-8"
        for label, where, candidate in evidence:
            if _strict(data, candidate) == text:
                codec = candidate
                break
            wide = _utf16_chinese(data, candidate)
            if wide is not None:
                # Declared UTF-16 whose bytes all fall in ASCII's range (登录
                # is 7B 76 55 5F) and read as Chinese.
                return Decoded(wide, candidate, 0, tuple(warnings))
            warnings.append(f"{_ignored(label, where)}: the bytes are ASCII")
        if _control_share(text) > chardata.MAX_CONTROL_SHARE or _ODD_CONTROL_RE.search(text):
            # Not ASCII text: UTF-16 (会期半天 is 1A 4F 1F 67 4A 53 29 59,
            # 對啊 0D 5C 4A 55)?
            for candidate in chardata.UTF16_CODECS:
                wide = _utf16_chinese(data, candidate)
                if wide is not None:
                    return Decoded(wide, candidate, 0, tuple(warnings))
        _check_controls(text)
        if not evidence and len(data) <= chardata.SHORT_ASCII_UTF16_BYTES and not _WORDS_RE.fullmatch(text):
            # A few ASCII signs that are also UTF-16 Chinese (登录 is 7B 76 55
            # 5F, {vU_; 张三 20 5F 09 4E): ASCII is kept, not vouched for.
            for candidate in chardata.UTF16_CODECS:
                wide = _utf16_chinese(data, candidate)
                if wide is not None:
                    warnings.append(f"undeclared bytes read as ASCII {text!r}; they also read as "
                                    f"{candidate} {wide[:12]!r}: too few bytes to tell")
                    return Decoded(text, codec, 0, tuple(warnings),
                                   confidence_cap=chardata.AMBIGUOUS_READING_CAP)
        return Decoded(text, codec, 0, tuple(warnings))

    model = get_model()
    utf8 = _strict(data, "utf-8")
    if (utf8 is not None and _control_share(utf8) <= chardata.MAX_CONTROL_SHARE
            and not _chinese_instead_of_utf8(data, utf8, evidence, model)):
        for label, where, codec in evidence:
            if codec != "utf-8":
                warnings.append(f"{_ignored(label, where)}: the bytes are valid UTF-8")
            break
        return Decoded(utf8, "utf-8", 0, tuple(warnings))

    # UTF-8 cut inside its last character (a scraper's byte limit): UTF-8,
    # the cut character one U+FFFD; only where the rest holds UTF-8's own
    # multi-byte sequences (ASCII and a last byte that could start one is as
    # likely UTF-16: 即可 is 53 73 53 EF) and no declaration decodes the bytes.
    cut = _truncated_utf8(data) if utf8 is None else 0
    if cut and not (head := data[:-cut].decode("utf-8")).isascii() and _control_share(head) <= \
            chardata.MAX_CONTROL_SHARE and not any(
                _strict(data, c) is not None for _, _, c in evidence) \
            and not _chinese_instead_of_utf8(data[:-cut], head, evidence, model) \
            and not (chardata.HAN_RE.search(head) is None
                     and not any(ch.isascii() and ch.isalpha() for ch in head)
                     and _cut_chinese(data, [c for _, _, c in evidence], model) is not None):
        # (A UTF-8 head of no Han and no ASCII letter, ÿ for GBK 每 cut
        # after its lead byte, loses to a Chinese cut: `_cut_chinese`.)
        warnings.append(f"the bytes end inside a UTF-8 sequence ({cut} of its bytes): the cut "
                        "character is shown as U+FFFD")
        return Decoded(head + "\ufffd", "utf-8", 0, tuple(warnings),
                       replaced=((len(head), cut),))

    # A mixed stream (a UTF-8 template around a GBK block): each part in its
    # own codec, before any declaration, which can speak for one part only.
    if utf8 is None and looks_mixed(data):
        segments = split_mixed(data, model, deadline)
        others = [s for s in segments or () if s.codec != "utf-8"]
        if others and (lossy_utf8 := _replaced(data, "utf-8", chardata.MAX_LOSSY_SEQUENCES))[1] \
                <= chardata.MAX_LOSSY_SEQUENCES and (
                    (sum(s.end_byte - s.start_byte for s in others)
                     <= chardata.MAX_MIXED_SLIVER_BYTES
                     # (counted as Python's decoder counts, one per stranded
                     # byte: Big5 設定 inside UTF-8 is two damaged characters)
                     and data.decode("utf-8", "replace").count("\ufffd")
                     - data.decode("utf-8", "ignore").count("\ufffd")
                     <= chardata.MAX_LOSSY_SEQUENCES)
                    or not any(_reads_as_chinese(data[s.start_byte:s.end_byte], s.codec, model)
                               for s in others)
                    or _reads_better(segments, data, model)):
            # A sliver of a few bytes in another codec inside UTF-8 is a
            # corrupted character, not a part written in GBK (卫A敓 for 卫生);
            # so is a longer part where the UTF-8 reading loses a character
            # or two and the part does not read as Chinese (UTF-8 预报 with
            # its last byte corrupted, E6 A2 84 E6 8A 62, is GBK 棰勬奲), or
            # where the UTF-8 reading reads as well as the parts (欢迎光临
            # with 光's last byte 0xC6 is no 欢迎鍏其复).
            text, count = lossy_utf8
            _check_controls(text, count)
            warnings.append(_lossy_warning("utf-8", count))
            return Decoded(text, "utf-8", 0, tuple(warnings), replaced=_replacements(data, "utf-8"))
        if segments:
            try:
                text = "".join(data[s.start_byte:s.end_byte].decode(s.codec) for s in segments)
            except UnicodeDecodeError:
                segments = None  # a corrupted byte inside a part: read as one codec below
        if segments:
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
    if len(data) % 2 == 0 and len(data) >= 2 * chardata.MIN_REPAIRED_HAN:
        # UTF-16 without a BOM, where it reads as Chinese (mostly Han), is
        # ranked with the others by the same model (GBK or Big5 bytes read
        # as UTF-16 are Yi, hangul, private use or Han in random order).
        # Two characters at least: two bytes are no evidence of UTF-16 (où
        # in windows-1252, 6F F9, is the one ideograph 說 U+F96F).
        for c in chardata.UTF16_CODECS:
            text = _strict(data, c)
            if (text is not None and _control_share(text) <= chardata.MAX_CONTROL_SHARE
                    and _utf16_chinese_share(text) >= chardata.MIN_UTF16_HAN_SHARE):
                chinese[c] = text
    best = (min(chinese, key=lambda c: model.bits_per_non_ascii(chinese[c][:4096]))
            if chinese else None)
    best_bits = model.bits_per_han(chinese[best][:4096]) if best else float("inf")

    cut16 = _cut_utf16(data, evidence, chinese.get(best), model)
    if cut16 is not None:
        text, codec, side = cut16
        if side == "head":
            warnings.append(f"the bytes begin inside a {codec} code unit (an odd number of "
                            "bytes, the first one alone): the cut character is shown as U+FFFD")
            return Decoded(text, codec, 0, tuple(warnings), replaced=((0, 1),), head_bytes=1)
        warnings.append(f"the bytes end inside a {codec} code unit (an odd number of bytes): "
                        "the cut character is shown as U+FFFD")
        return Decoded(text, codec, 0, tuple(warnings), replaced=((len(text) - 1, 1),))
    head_cut = _head_cut(data, evidence, chinese.get(best), model)
    if head_cut is not None:
        text, codec = head_cut
        warnings.append(f"the bytes begin inside a {codec} character (its trail byte alone, "
                        "the lead byte cut off): the cut character is shown as U+FFFD")
        return Decoded(text, codec, 0, tuple(warnings), replaced=((0, 1),), head_bytes=1)
    lossy_utf8 = None if utf8 is not None else _lossy_utf8(data, evidence, chinese, model)
    if lossy_utf8 is not None:
        text, count = lossy_utf8
        _check_controls(text, count)
        warnings.append(_lossy_warning("utf-8", count))
        return Decoded(text, "utf-8", 0, tuple(warnings), replaced=_replacements(data, "utf-8"))

    for label, where, codec in evidence:
        decoded = _strict_family(data, codec)
        if decoded is None:
            warnings.append(f"{_ignored(label, where)}: it does not decode these bytes")
            continue
        text, codec = decoded
        if _control_share(text) > chardata.MAX_CONTROL_SHARE:
            # UTF-16 bytes labelled gbk: NUL bytes everywhere.
            warnings.append(f"{_ignored(label, where)}: it reads as control characters")
            continue
        # Checked against the bytes: a Chinese reading that reads far
        # better wins over the declaration (GBK bytes labelled euc-kr).
        declared_bits = model.bits_per_han(text[:4096])
        bar = (chardata.DECLARED_OVERRIDE_BITS if declared_bits == float("inf")
               else declared_bits - chardata.DECLARED_OVERRIDE_MARGIN_BITS)
        if _ODD_CONTROL_RE.search(text[:4096]) and declared_bits == float("inf"):
            # No Han and a control character that text does not hold (a
            # lone CR: UTF-16 bytes labelled gbk): any Chinese reading wins.
            bar = chardata.MAX_BITS_PER_HAN
        # A declared reading with private-use characters (Big5 bytes
        # labelled gbk), or one made of Chinese characters that read as no
        # Chinese does (GBK 梁燊说 labelled big5 reads 褽踨佽; not Korean
        # with a few Han among its hangul), yields to any reading that is
        # Chinese at all (chardata.MAX_BITS_PER_HAN_UNDECLARED).
        cap = (chardata.MAX_BITS_PER_HAN_UNDECLARED
               if chardata.PRIVATE_USE_RE.search(text[:4096])
               or (declared_bits > chardata.MAX_BITS_PER_HAN_UNDECLARED
                   and _chinese_share(text[:4096]) >= chardata.MIN_UTF16_HAN_SHARE)
               else chardata.MAX_BITS_PER_HAN)
        # One Han character, and nothing else but ASCII, that reads as
        # Chinese either way (GBK 程, Big5 最; GBK or Big5 both, not UTF-16;
        # not 磅︽, GBK's reading of Big5 執行): its frequency is all that tells
        # them apart, and the declaration says more
        # (chardata.MIN_DECLARED_OVERRIDE_HAN); not a rare one's against a
        # common one (GBK 元 labelled big5 is Big5 啋, a lying label far
        # likelier than 啋 alone; GBK 鄞 labelled gbk goes to Big5 蛓 too,
        # at a confidence near 0.1).
        core = chardata.non_ascii(text[:4096])
        if chardata.private_use_only(core):
            # Nothing but private use besides ASCII (Big5 乙 A4 41 labelled
            # gbk is GB18030's U+E4C6): the other Chinese codec's reading
            # wins where it reads as Chinese at all, one character too.
            other = min((c for c in chinese if c != codec and c not in chardata.UTF16_CODECS
                         and chardata.HAN_RE.search(chinese[c])),
                        key=lambda c: model.bits_per_han(chinese[c][:4096]), default=None)
            if other is not None and model.bits_per_han(
                    chinese[other][:4096]) <= chardata.MAX_BITS_PER_HAN_UNDECLARED:
                warnings.append(f"{_ignored(label, where)}: it reads as private-use characters; "
                                f"the bytes read as Chinese in {other}")
                return Decoded(chinese[other], other, 0, tuple(warnings))
        if (best and best != codec and best_bits <= min(bar, cap)
                and not (0 < len(core) < chardata.MIN_DECLARED_OVERRIDE_HAN
                         and all(chardata.HAN_RE.match(ch) for ch in core)
                         and cap == chardata.MAX_BITS_PER_HAN
                         and best not in chardata.UTF16_CODECS)):
            warnings.append(f"{_ignored(label, where)}: the bytes read as Chinese in {best}")
            _check_controls(chinese[best])
            return Decoded(chinese[best], best, 0, tuple(warnings))
        _check_controls(text)
        return Decoded(text, codec, 0, tuple(warnings))

    # Undeclared. luanma's inputs are Chinese far more often than not: the
    # best Chinese reading wins unless it reads badly and another reading is
    # plainly Japanese (its own particles) or Korean (mostly hangul, a few
    # syllables at least), from charset-normalizer's guesses or our own, or
    # European words in a single-byte codec (`_short_or_single_byte`).
    # Japanese writing (`_japanese_reading`) that costs less as Japanese
    # than the best Chinese reading costs as Chinese: with kana (カタカナ in
    # EUC-JP, which Big5 reads as 市正市瓜), or, where no Chinese reading
    # reads as Chinese, with one kana or kanji that read as Chinese words
    # (東京 in Shift_JIS is GB18030 搶嫗). Readings whose costs differ by
    # less than `chardata.JAPANESE_SURE_MARGIN_BITS` are both plausible:
    # the cheaper one is chosen with `chardata.AMBIGUOUS_READING_CAP` (the
    # Chinese one too, further down: `rival_cap`).
    chinese_reads = bool(best) and (best_bits <= chardata.MAX_BITS_PER_HAN or (
        best_bits <= chardata.MAX_BITS_PER_HAN_UNDECLARED
        and model.fluent_share(chinese[best][:4096]) >= chardata.MIN_FLUENT_SHARE))
    rival: tuple[str, str] | None = None
    japanese = _japanese_reading(data, model)
    if japanese is not None and japanese[0] != (chinese[best] if best else None):
        text, codec, bits, kana = japanese
        margin = (_total_bits(chinese[best], model) if best else float("inf")) - bits
        sure = margin >= chardata.JAPANESE_SURE_MARGIN_BITS
        # (Against Chinese that reads as Chinese, only a sure margin: luanma's
        # inputs are Chinese far more often than not; 及公 in Big5 is のそ.)
        if (sure if chinese_reads else margin > 0) and (
                kana >= chardata.MIN_JAPANESE_KANA or not chinese_reads and (
                kana or model.bits_per_han(text[:4096]) <= chardata.MAX_BITS_PER_HAN)):
            if not sure:
                warnings.append(f"undeclared bytes read as {codec} {text[:12]!r}; they also read "
                                f"as {best} {chinese[best][:12]!r}: too few bytes to tell")
            _check_controls(text)
            return Decoded(text, codec, 0, tuple(warnings),
                           confidence_cap=None if sure else chardata.AMBIGUOUS_READING_CAP)
        if -margin < chardata.JAPANESE_SURE_MARGIN_BITS:
            rival = (codec, text)
    single: list[tuple[str, str, str]] | None = None
    if best and (best_bits <= chardata.MAX_BITS_PER_HAN or (
            best_bits <= chardata.MAX_BITS_PER_HAN_UNDECLARED
            and model.fluent_share(chinese[best][:4096]) >= chardata.MIN_FLUENT_SHARE)):
        few = len(chardata.HAN_RE.findall(chinese[best][:64])) < chardata.MIN_REPAIRED_HAN
        single = (_single_byte_readings(data)
                  if few or best_bits > chardata.MAX_BITS_PER_HAN
                  or _HAN_INSIDE_LATIN_RE.search(chinese[best][:4096]) else [])
        if not single or _clearly_chinese(chinese[best], best_bits, single):
            _check_controls(chinese[best])
            return _chinese_over_single_byte(chinese[best], best, single, warnings, rival)
    # Chinese cut after a lead byte (a byte limit): the head in its codec,
    # the cut character one U+FFFD; against words with lower case letters
    # of a single-byte codec (Très bien, café: its é is a GBK lead byte;
    # KOI8-R спасибо) only where the head is clearly Chinese.
    cut = _cut_chinese(data, [c for _, _, c in evidence], model)
    if cut is not None:
        text, codec, bits = cut
        if single is None:
            single = _single_byte_readings(data)
        rivals = [r for r in single if _lower_case_rival(r)]
        if not rivals or _clearly_chinese(text[:-1], bits, rivals):
            _check_controls(text[:-1])
            warnings.append(f"the bytes end inside a {codec} character (its lead byte alone): "
                            "the cut character is shown as U+FFFD")
            if single:
                c, t, script = single[0]
                warnings.append(f"the bytes also read as {c} {t[:12]!r} ({script}): too few "
                                "bytes to tell")
            return Decoded(text, codec, 0, tuple(warnings), replaced=((len(text) - 1, 1),))
    # No Chinese codec decodes the bytes strictly: one that does with a few
    # bytes replaced (the declared one first) beats a Japanese or Korean
    # codec that decodes them only by reading them as other characters
    # (cp932 decodes almost any bytes), unless that reading is plainly
    # Japanese or Korean.
    lossy = None if best else _lossy_chinese(
        data, [c for _, _, c in evidence] + ["utf-8", *chardata.CHINESE_CODECS], model)
    if single is None:
        single = _single_byte_readings(data)
    guesses = [*_detected(data), *chardata.JAPANESE_KOREAN_CODECS]
    for codec in dict.fromkeys(guesses):
        if codec in chinese or (codec.startswith("utf-16") and b"\x00" not in data):
            # UTF-16 text of any length holds ASCII (spaces, digits: NUL
            # bytes); Chinese bytes read as UTF-16 hangul hold none.
            continue
        text = _strict(data, codec)
        if text is None:
            continue
        # European words in a single-byte codec are ours to choose (the
        # detector ranks cp1250 with cp1252 on short French, and reads
        # short Russian as cp1125).
        if (_plainly_japanese_or_korean(text) or not single and (
                (best is None and lossy is None)
                or lossy is not None and _plainly_greek_or_cyrillic(text))):
            _check_controls(text)
            return Decoded(text, codec, 0, tuple(warnings))
    if best and single and _FULL_WIDTH_ONLY_RE.fullmatch(
            "".join(_NON_ASCII_RE.findall(chinese[best][:4096]))):
        # Full-width letters, digits and signs alone (ＡＢＣ, １２３): row 3
        # of GB 2312, KS X 1001 and JIS X 0208 alike, what CJK text writes;
        # a single-byte codec reads its bytes as one letter or sign
        # repeated between others (ёаёбёц, ЈБЈВЈГ). Too few bytes to be
        # sure: one over the number of readings.
        rivals = [r for r in single if _lower_case_rival(r)]
        warnings.append(f"undeclared bytes read as {best} {chinese[best][:12]!r}; they also "
                        f"decode as {single[0][0]} {single[0][1][:12]!r} ({single[0][2]})")
        _check_controls(chinese[best])
        return Decoded(chinese[best], best, 0, tuple(warnings),
                       confidence_cap=1 / (1 + max(1, len(rivals))))
    if best and single and _one_han_amid_signs(chinese[best]):
        # One Han character (two bytes) among ASCII signs or digits, no
        # letter beside it: it costs more than the bar for Chinese alone (七
        # 13.5 bits), but a single-byte codec's two letters are no likelier
        # a word ((七) is KOI8-R (фъ)): two bytes cannot tell them apart, and
        # Chinese is kept as for a character that reads as Chinese
        # (`_chinese_over_single_byte`). (Two bytes alone stay the tie they
        # were; Gr鲞e is Größe.)
        return _chinese_over_single_byte(chinese[best], best, single, warnings)
    if (best or lossy) and single:
        # A Chinese reading that reads badly, or one with replaced bytes,
        # loses to words of a single-byte codec (niño is no UTF-16 楮濱,
        # Москва no GB18030 填耜忄, été no GB18030 閠 and a U+FFFD).
        shown = chinese[best] if best else lossy[0]
        codec = best or lossy[1]
        warnings.append(
            f"undeclared bytes read as {single[0][0]} ({single[0][2]} words); they also "
            f"decode as {codec} {shown[:12]!r}, which is not clearly Chinese")
        decoded = _single_byte(single, warnings)
        if sum(1 for ch in single[0][1] if ch.isalpha()) <= 1:
            # One letter is no word (GBK's × is A1 C1, cp1252's ¡Á): the
            # bytes do not tell the readings apart (AMBIGUOUS_READING_CAP).
            decoded = replace(decoded, confidence_cap=min(
                decoded.confidence_cap or 1.0, chardata.AMBIGUOUS_READING_CAP))
        return decoded
    if single:
        return _single_byte(single, warnings)
    if best:
        # A Chinese reading that does not read as Chinese (ＫＬＭ, フ措), taken
        # because no other reading is plain text: where another CJK codec
        # reads the bytes about as well (within
        # `chardata.JAPANESE_SURE_MARGIN_BITS`, the model's margin between
        # two plausible readings; 한국 in cp949 is Big5 フ措), or, for a
        # reading without Han, as another without Han (①②③ in GBK is ＫＬＭ
        # in Big5), nothing in them tells which:
        # `chardata.AMBIGUOUS_READING_CAP`.
        own = _total_bits(chinese[best], model)
        has_han = chardata.HAN_RE.search(chinese[best][:4096]) is not None
        others = {c: t for c in (*chardata.CHINESE_CODECS, *chardata.JAPANESE_KOREAN_CODECS)
                  if c != best and (t := _strict(data, c)) is not None
                  and t != chinese[best] and not chardata.PRIVATE_USE_RE.search(t)
                  and (_total_bits(t, model) - own < chardata.JAPANESE_SURE_MARGIN_BITS
                       if has_han else chardata.HAN_RE.search(t[:4096]) is None)}
        cap = None
        if others:
            cap = chardata.AMBIGUOUS_READING_CAP
            c, t = next(iter(others.items()))
            warnings.append(f"undeclared bytes read as {best} {chinese[best][:12]!r}, which is not "
                            f"clearly Chinese; they also decode as {c} {t[:12]!r}")
        _check_controls(chinese[best])
        return Decoded(chinese[best], best, 0, tuple(warnings), confidence_cap=cap)
    if lossy:
        text, codec, count = lossy
        _check_controls(text, count)
        # A declaration of this codec was right after all: not "ignored".
        refused = {f"{_ignored(label, where)}: it does not decode these bytes"
                   for label, where, c in evidence if c == codec}
        warnings = [w for w in warnings if w not in refused]
        warnings.append(_lossy_warning(codec, count))
        return Decoded(text, codec, 0, tuple(warnings), replaced=_replacements(data, codec))

    # Nothing decodes strictly: UTF-8 or GB18030 with replacement, whichever
    # replaces fewer bytes.
    counts = {codec: _replaced(data, codec)[1] for codec in ("utf-8", "gb18030")}
    fallback = min(counts, key=counts.__getitem__)
    text = decode_replacing(data, fallback)
    _check_controls(text, counts[fallback])
    warnings.append(
        f"no codec decodes these bytes cleanly; decoded as {fallback} with "
        f"{counts[fallback]} undecodable sequences replaced by U+FFFD"
    )
    return Decoded(text, fallback, 0, tuple(warnings), replaced=_replacements(data, fallback))
