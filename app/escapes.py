"""Escaped text: ``\\u521b\\u5efa``, ``&#21019;``, ``%E5%88%9B`` -> 创.

Scraped strings often arrive escaped once too often: a JSON or JavaScript
string's ``\\uXXXX`` escapes copied as they are (surrogate pairs for
characters beyond the BMP: ``\\ud83d\\ude00``), HTML character references
(``&#21019;``, ``&#x521b;``, ``&amp;``) taken from page source, a URL's
percent-encoded bytes (``%E5%88%9B`` in UTF-8, ``%B4%B4`` in GBK), Python's
``\\xe5\\x88\\x9b`` byte escapes. This module finds runs of such escapes and
says which to unescape; the engine applies them before its other passes, so
that an unescaped result that is itself mojibake (``\\u93c1\\u7248``, 鏁版)
is repaired too: the run's plan then ends with the round trip.

Four forms (`FORMS`), each a plan action ``("unescape", form)`` that
`apply_unescape` replays:

=========  ======================================  ==========================
form       tokens                                  result
=========  ======================================  ==========================
unicode    ``\\uXXXX``, ``\\UXXXXXXXX``            str; pairs of surrogate
                                                   escapes make one character,
                                                   a lone one stays as it is
html       ``&#NNN;``, ``&#xHHH;``, ``&name;``     str; one level (``&amp;lt;``
           (names of the HTML5 table, with their   gives ``&lt;``)
           semicolon; a numeric one without it
           where no letter or digit follows)
percent    ``%HH``                                 bytes (RFC 3986 section
                                                   2.1), then a ``decode``
hex        ``\\xHH``                               bytes, then a ``decode``
=========  ======================================  ==========================

Left alone (the escapes are meant): a text that is a JSON document, lines of
code (`_CODE_LINE_RE`) and escapes inside ASCII quotes or backticks (string
literals), escapes inside a URL, a query string or a file path (the
whitespace-delimited token around the run has ``://``; for percent runs
also ``?``, ``=``, ``&`` or ``/``, not ``+``, which a form encoder writes
for a space in a search term: ``%E5%8D%8E%E4%B8%BA+%E6%89%8B%E6%9C%BA`` is
two runs, each unescaped, the ``+`` kept; for ``\\u`` and ``\\x`` runs another
backslash), ``\\u`` and ``\\x`` ends of a range in a regular expression's
character class (``[\\u4e00-\\u9fa5]``), HTML entities in a line with markup or anywhere in a markup
document (`is_markup_document`: HTML or XML source sent as text, whose
entities are its own escaping), lines that
talk about escaping (`ESCAPE_TALK_RE`), and a run whose result the line also
shows unescaped (``\\u4e2d 就是 中``). Everything else is unescaped only where
the language model finds the result clearly better text (read in the line
as this pass leaves it, `_line_runs`, so that a second repair decides as the
first did): more probable than
the escapes by `chardata.UNESCAPE_PRIOR_BITS`, with no control, private-use,
unassigned or replacement character in it. Where one run of a form in a
line is unescaped, the line is escaped text, and every other run of that
form in it (not meant) is unescaped too where its plain reading is text:
℃, ～, an emoji or ``%3A`` beside escaped Chinese, and a run the line seemed
to explain (`SHOWN_NEAR`), so that no line is left half undone.

Never unescaped: a token that stands for ``<`` or ``>`` (`TAG_CHARS`; in HTML
or XML source also ``&`` and quotes, `MARKUP_CHARS`), which splits its run;
bytes at the end of a percent or ``\\x`` run that begin a UTF-8 character
the run ends inside (`utf8_cut`: a URL cut at a byte limit; the bytes
before them are read as UTF-8, and the caller is warned). A result that
still reads as UTF-8 read as GBK with bytes dropped (`dropped_leftovers`:
涓鍥, escaped) is unescaped with confidence 0 and a warning.
"""

from __future__ import annotations

import bisect
import codecs
import html
import html.entities
import json
import math
import re
import time
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote_to_bytes

import ftfy
import ftfy.bad_codecs  # noqa: F401  (registers sloppy-windows-1252 for ROUND_TRIPS)

from . import chardata
from .model import CONTEXT_CHARS, CharModel  # (the characters either side a run is read with)
from .types import PlanItem

FORMS = ("unicode", "html", "percent", "hex")

# Anything `find_escaped` could act on contains a match: a cheap necessary
# condition (a text without one is left as it is by this pass).
ESCAPE_SIGNAL_RE = re.compile(
    r"\\(?:u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|x[0-9A-Fa-f]{2})|&#?[0-9A-Za-z]{1,32};|%[0-9A-Fa-f]{2}"
    r"|&#[0-9xX]")
# The same without HTML entities: the signal in a markup document.
NON_HTML_ESCAPE_SIGNAL_RE = re.compile(
    r"\\(?:u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|x[0-9A-Fa-f]{2})|%[0-9A-Fa-f]{2}")

_HEX = "[0-9A-Fa-f]"
# A surrogate pair written as two escapes (UTF-16, The Unicode Standard 3.8).
_UNICODE_TOKEN_RE = re.compile(
    rf"\\u([dD][89abAB]{_HEX}{{2}})\\u([dD][c-fC-F]{_HEX}{{2}})|\\u({_HEX}{{4}})|\\U({_HEX}{{8}})")
# One character reference (WHATWG HTML, 13.1.4 "Character references"):
# decimal, hexadecimal, or a named one with its semicolon.
# A numeric reference may lack its semicolon where no letter or digit
# follows (13.2.5.80 "Numeric character reference end state": the missing
# semicolon is a parse error, the reference is still read; ``&#29233`` at
# the end of a text).
_NUMBER = r"(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6})"
_NO_SEMICOLON = rf"{_NUMBER}(?![0-9A-Za-z;])"
_ENTITY_RE = re.compile(
    rf"&(?:(?:{_NUMBER}|[A-Za-z][A-Za-z0-9]{{1,31}});|{_NO_SEMICOLON})")
_HEX_BYTE_RE = re.compile(rb"\\x([0-9A-Fa-f]{2})")

# Runs: consecutive tokens of one form, not after a backslash (``\\u4e2d``
# is JSON's way to write the six characters \u4e2d). A percent run may hold
# URL-unreserved ASCII (RFC 3986 section 2.3) between its tokens: a form
# encoder leaves those bytes as they are. An HTML token may carry ``amp;``
# levels of double escaping (``&amp;#21019;``), a percent token ``25`` ones
# (``%25E5``).
_RUN_RES: dict[str, re.Pattern[str]] = {
    "unicode": re.compile(rf"(?<!\\)(?:\\u{_HEX}{{4}}|\\U{_HEX}{{8}})+"),
    "html": re.compile(
        rf"(?:&(?:amp;){{0,2}}(?:{_NUMBER}|[A-Za-z][A-Za-z0-9]{{1,31}});)+"
        rf"(?:&(?:amp;){{0,2}}{_NO_SEMICOLON})?|&(?:amp;){{0,2}}{_NO_SEMICOLON}"),
    "percent": re.compile(
        rf"(?:%(?:25){{0,2}}{_HEX}{{2}})+(?:[A-Za-z0-9._~-]*(?:%(?:25){{0,2}}{_HEX}{{2}})+)*"),
    "hex": re.compile(rf"(?<!\\)(?:\\x{_HEX}{{2}})+"),
}
_PERCENT_TOKEN_RE = re.compile(rf"%{_HEX}{{2}}")
# One token of a run, which gives one character (``unicode``, ``html``; a
# surrogate pair is one token) or one byte (``percent``, ``hex``; a percent
# run's unreserved ASCII between tokens is one byte a character).
_TOKEN_RES: dict[str, re.Pattern[str]] = {
    "unicode": _UNICODE_TOKEN_RE,
    "html": re.compile(rf"&(?:amp;){{0,2}}(?:(?:{_NUMBER}|[A-Za-z][A-Za-z0-9]{{1,31}});"
                       rf"|{_NO_SEMICOLON})"),
    "percent": re.compile(rf"%(?:25){{0,2}}{_HEX}{{2}}"),
    "hex": re.compile(rf"\\x{_HEX}{{2}}"),
}
# Characters that make markup. A token that stands for ``<`` or ``>`` is
# never unescaped, and splits its run: the source escaped it on purpose
# (JSON encoders write < > & as \u003c \u003e \u0026 so that a string
# cannot close a <script> element: Go's encoding/json HTMLEscape, Django's
# json_script), and undoing it makes a tag (\u003cscript\u003e) in text
# that a caller puts in a page. In HTML or XML source (`is_markup_document`,
# and so in HTML mode) ``&`` and the quotes are markup too and stay as
# well: the engine refuses any edit there that adds one of the five
# (`engine._adds_markup`), which took the Chinese beside them down with it.
TAG_CHARS = "<>"
MARKUP_CHARS = "<>&\"'"
# What a single-byte decode makes of bytes 0x80..0xFF (Latin-1's upper half,
# cp1252's extra characters): mojibake that may continue an escape run.
_LATIN_HIGH_RE = re.compile(f"[\u0080-\u00ff{re.escape(chardata.CP1252_HIGH)}]")

# Codecs tried on the bytes of a percent or hex run: the web's Chinese
# encodings (the three of chardata.CHINESE_CODECS and UTF-8); the reading the
# model scores best wins.
BYTE_CODECS: tuple[str, ...] = ("utf-8", "gb18030", "big5hkscs")

# Words of text that explains escapes (and so shows them on purpose): terms
# for escaping, character references, code points and markup, phrases that
# say what a thing stands for, and what a system stores, returns or shows
# (数据库里存的是\xe5\x88\x9b: the escapes are what it holds)
# (tests/cases/negative.jsonl). Checked per line, with
# detect.ENCODING_TALK_RE (which the engine applies to every pass).
ESCAPE_TALK_RE = re.compile(
    "转义|轉義|实体|實體|码点|碼點|码位|碼位|百分号|百分號|表示|代表|意思|意为|意為|写作|寫作|写成|寫成"
    "|标签|標籤"
    "|存的是|存的都是|存储的是|儲存的是|存储为|儲存為|保存的是|保存为|保存為|返回的是|傳回的是|输出的是"
    "|輸出的是|打印出|印出來|显示的是|顯示的是|显示为|顯示為|显示成|顯示成"
    # what a program, a page or the wire gives (接口返回 \u6210\u529f, 控制台输出,
    # 地址栏显示 %E4%B8%AD, 收到的字节是 \xe4\xb8\xad, 源码里是 &#20013;, 抓包看到:
    # fresh-eyes report fe12 S1-3)
    "|返回|傳回|传回|输出|輸出|显示|顯示|字节|字節|源码|源碼|抓包|收到|发送|發送|控制台"
    "|地址栏|地址欄"
    r"|\b(?:stored|saved) as\b"
    r"|\bescap|\bentit(?:y|ies)\b|\bunicode\b|code ?point|percent|url-?encod|\bmeans?\b"
    r"|stands? for|written as|\bhtml\b|\bxml\b|\bmarkup\b|\btags?\b",
    re.IGNORECASE,
)
# A line of source code: a statement keyword at its start, a statement end
# or brace at its end, an assignment to an identifier, an arrow or a
# comparison. Escapes in such a line are the program's.
_CODE_LINE_RE = re.compile(
    r"^\s*(?:var|let|const|def|function|return|import|from|print|printf|echo|console\.log"
    r"|System\.out|#include|public|private|static|if|for|while)\b"
    r"|[;{}]\s*$|^\s*[A-Za-z_$][\w$.\[\]'\"]*\s*=[^=]|=>|==|!="
)
# An HTML tag in a line: its entities belong to the markup.
_MARKUP_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
# The start of HTML or XML source: after white space or a BOM, an XML
# declaration, a doctype or comment, or a tag (`_MARKUP_RE`).
_MARKUP_DOCUMENT_RE = re.compile(
    r"[\s\ufeff]*(?:<\?xml\b|<!(?:doctype\b|--)|</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>)",
    re.IGNORECASE)
# Characters that are not text: C0 and C1 controls other than TAB, LF and
# CR, private use, surrogates, unassigned (checked with unicodedata), U+FFFD.
_NOT_TEXT_RE = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff\ufffd]")


@dataclass(frozen=True)
class Unescaped:
    """A run of escapes to unescape.

    Attributes:
        start, end: code-point offsets of the run in the text, half-open.
        replacement: what the run becomes.
        plan: replays the run into `replacement` (``unescape`` items, then
            ``decode`` for bytes forms, then a round trip where the result
            was itself mojibake).
        confidence: posterior of `replacement` among leaving the run and
            the other readings, in [0, 1].
        explanation: one sentence a person can read.
    """

    start: int
    end: int
    replacement: str
    plan: tuple[PlanItem, ...]
    confidence: float
    explanation: str


# --- the unescapers (also what apply_plan replays) -----------------------------


def _unicode_token(m: re.Match[str]) -> str:
    if m.group(1):
        high, low = int(m.group(1), 16), int(m.group(2), 16)
        return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
    code = int(m.group(3) or m.group(4), 16)
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return m.group()  # a lone surrogate or no code point: left as written
    return chr(code)


def unescape_unicode(text: str) -> str:
    """Replace each ``\\uXXXX`` / ``\\UXXXXXXXX`` escape in `text` by its
    character; a pair of surrogate escapes gives one character, a lone
    surrogate escape stays as written.

    >>> unescape_unicode("\\\\u521b\\\\u5efa \\\\ud83d\\\\ude00")
    '创建 😀'
    """
    return _UNICODE_TOKEN_RE.sub(_unicode_token, text)


def _entity(m: re.Match[str]) -> str:
    token = m.group()
    if token[1] != "#" and token[1:] not in html.entities.html5:
        return token  # no such name: not a reference
    # html.unescape drops a reference to a noncharacter (&#xFFFE;) that the
    # HTML standard keeps; nothing the user sent is lost: it stays as written.
    return html.unescape(token) or token


def unescape_html(text: str) -> str:
    """Replace each character reference in `text` (``&#21019;``, ``&#x521b;``,
    a named one with its semicolon) by what it stands for, one level
    (``&amp;lt;`` gives ``&lt;``). Numbers are mapped as the HTML standard
    says (``&#128;`` is €, a surrogate or 0 gives U+FFFD; `html.unescape`);
    a reference to a noncharacter (``&#xFFFE;``) stays as written.

    >>> unescape_html("&#21019;&#x5efa; &amp;amp;")
    '创建 &amp;'
    """
    return _ENTITY_RE.sub(_entity, text)


def _as_bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def unescape_percent(value: str | bytes) -> bytes:
    """Bytes of percent-encoded `value` (RFC 3986 section 2.1), one level.

    >>> unescape_percent("%E5%88%9B%B4%B4")
    b'\\xe5\\x88\\x9b\\xb4\\xb4'
    """
    return unquote_to_bytes(_as_bytes(value))


def unescape_hex(value: str | bytes) -> bytes:
    """Bytes of `value` with each ``\\xHH`` escape made the byte it names.

    >>> unescape_hex("\\\\xe5\\\\x88\\\\x9b")
    b'\\xe5\\x88\\x9b'
    """
    return _HEX_BYTE_RE.sub(lambda m: bytes([int(m.group(1), 16)]), _as_bytes(value))


def apply_unescape(value: str | bytes, form: str) -> str | bytes:
    """One ``("unescape", form)`` plan item.

    Args:
        value: str for ``unicode`` and ``html``; str or bytes for ``percent``
            and ``hex``.
        form: one of `FORMS`.

    Returns:
        str for ``unicode`` and ``html``, bytes for ``percent`` and ``hex``.

    Raises:
        ValueError: an unknown form, or ``unicode`` / ``html`` given bytes.
    """
    if form in ("percent", "hex"):
        return unescape_percent(value) if form == "percent" else unescape_hex(value)
    if form in ("unicode", "html") and isinstance(value, str):
        return unescape_unicode(value) if form == "unicode" else unescape_html(value)
    raise ValueError(f"cannot unescape {form!r} on {type(value).__name__}")


# --- where escapes are meant ------------------------------------------------------


def is_markup_document(text: str) -> bool:
    """Whether `text` is HTML or XML source.

    Args:
        text: decoded text (code points).

    Returns:
        True when it begins, after white space or a BOM, with an XML
        declaration (XML 1.0 section 2.8), a doctype (HTML, "the DOCTYPE"),
        a comment or a tag (`_MARKUP_DOCUMENT_RE`). Its HTML entities
        (``&lt;``, ``&#8230;``) are then the markup's own escaping and stay
        in text mode (HTML mode never unescapes entities).
    """
    return _MARKUP_DOCUMENT_RE.match(text) is not None


def escape_signal(text: str, markup_document: bool | None = None) -> re.Pattern[str]:
    """The signal regex that matches within everything `find_escaped` could
    act on in `text`.

    Args:
        text: decoded text.
        markup_document: whether `text` (or the whole input it is part of)
            is HTML or XML source; None: `is_markup_document(text)`.

    Returns:
        `NON_HTML_ESCAPE_SIGNAL_RE` for a markup document (its entities
        stay), else `ESCAPE_SIGNAL_RE`.
    """
    if markup_document is None:
        markup_document = is_markup_document(text)
    return NON_HTML_ESCAPE_SIGNAL_RE if markup_document else ESCAPE_SIGNAL_RE


def _is_json_document(text: str) -> bool:
    stripped = text.strip()
    if not stripped[:1] in ("{", "[") or stripped[-1:] not in ("}", "]"):
        return False
    try:
        return isinstance(json.loads(stripped), (dict, list))
    except (ValueError, RecursionError):
        return False


def talks_about_escaping(line: str) -> bool:
    """Whether `line` explains escapes (`ESCAPE_TALK_RE`)."""
    return ESCAPE_TALK_RE.search(line) is not None


class _Line:
    """What `_meant` asks of one line, found once (a line of a megabyte of
    escapes holds a hundred thousand runs; asked per run by slicing and
    counting, the questions made the pass quadratic): the positions of the
    ASCII quotes, and each whitespace-delimited token's span and marks.

    Args:
        bare: the line with every escape run blanked out (as many ``x``).
    """

    def __init__(self, bare: str):
        self.quotes = {q: [m.start() for m in re.finditer(re.escape(q), bare)]
                       for q in ('"', "`", "'")}
        self.bare = bare
        self.tokens = [(m.start(), m.end()) for m in _TOKEN_RE.finditer(bare)]
        self.token_starts = [a for a, _ in self.tokens]
        self._marks: dict[int, str] = {}

    def inside_quotes(self, start: int, end: int) -> bool:
        """Whether bare[start:end] sits inside an ASCII string literal:
        between double quotes or backticks (an odd number before it, one
        after), or single quotes whose opening one follows no ASCII letter
        or digit (not an apostrophe)."""
        for q in ('"', "`"):
            at = self.quotes[q]
            before = bisect.bisect_left(at, start)
            if before % 2 == 1 and at and at[-1] >= end:
                return True
        at = self.quotes["'"]
        k = bisect.bisect_left(at, start)
        if k == 0 or at[-1] < end:
            return False
        opening = at[k - 1]
        return opening == 0 or not (self.bare[opening - 1].isascii()
                                    and self.bare[opening - 1].isalnum())

    def token(self, start: int) -> tuple[int, str]:
        """The start of the token holding offset `start` and the marks of
        that token that `_meant` asks about (``:``, ``w`` for a leading
        ``www.``, and those of ``/?=&+\\`` in it), found once a token."""
        k = bisect.bisect_right(self.token_starts, start) - 1
        if k < 0:
            return start, ""
        if k not in self._marks:
            a, b = self.tokens[k]
            token = self.bare[a:b]
            self._marks[k] = ((":" if "://" in token else "")
                              + ("w" if token[:4].lower() == "www." else "")
                              + "".join(c for c in "/?=&+\\" if c in token))
        return self.tokens[k][0], self._marks[k]


_TOKEN_RE = re.compile(r"\S+")


def _meant(form: str, line: _Line, start: int, end: int) -> bool:
    """Whether the run at [start, end) of a line (`_Line` of the line with
    every escape run blanked out, so that neighbouring escapes do not count
    as URL or path characters) is written on purpose: in a string literal,
    a URL, a query string, a path or a regular expression's character
    class (see the module doc)."""
    if line.inside_quotes(start, end):
        return True
    a, marks = line.token(start)  # the run itself is x's: it adds no mark
    if ":" in marks or (a < start and "w" in marks):
        return True
    if form == "percent":
        return any(c in marks for c in "?=&/")
    if form in ("unicode", "hex"):
        # a Windows path (C:\\Users\\u1234), or an end of a range in a
        # regular expression's character class ([\\u4e00-\\u9fa5])
        return "\\" in marks or (line.bare[start - 1: start] in ("[", "-", "^")
                                  and line.bare[end: end + 1] in ("-", "]"))
    return "=" in marks  # html: a=1&amp;b=2


# --- deciding ---------------------------------------------------------------------


def _is_text(s: str) -> bool:
    return _NOT_TEXT_RE.search(s) is None and not any(
        unicodedata.category(ch) == "Cn" for ch in s if ch > "\x7f")


def _layers(form: str, run: str) -> tuple[str | bytes, int]:
    """Unescape `run` until nothing of its form is left (at most
    `chardata.MAX_UNESCAPE_LAYERS` levels: ``&amp;#21019;``, ``%25E5``)."""
    value: str | bytes = run
    layers = 0
    while layers < chardata.MAX_UNESCAPE_LAYERS:
        nxt = apply_unescape(value, form)
        if nxt == value:
            break
        value, layers = nxt, layers + 1
        if form == "unicode":
            break  # \\u005c is a backslash, not a second level
        if form == "percent" and not (value.isascii() and _PERCENT_TOKEN_RE.search(
                value.decode("ascii"))):
            break
        if form == "hex" and not (value.isascii() and _HEX_BYTE_RE.search(value)):
            break
        if form == "html" and not _ENTITY_RE.search(value):
            break
    return value, layers


def _readings(form: str, run: str) -> list[tuple[str, tuple[PlanItem, ...], str]]:
    """Readings of `run`: ``(text, plan, what)`` for each codec that decodes
    its bytes (bytes forms) or its one unescaped text."""
    value, layers = _layers(form, run)
    if not layers:
        return []
    plan: tuple[PlanItem, ...] = (("unescape", form),) * layers
    if isinstance(value, str):
        return [(value, plan, form)]
    if value.isascii():
        return []  # percent and hex runs are unescaped for their non-ASCII bytes
    out = []
    for codec in BYTE_CODECS:
        try:
            out.append((value.decode(codec), plan + (("decode", codec),), f"{form} {codec}"))
        except UnicodeDecodeError:
            continue
    return out


def _chinese(text: str) -> bool:
    """Whether `text` holds a Han character or a Chinese punctuation mark."""
    return chardata.HAN_RE.search(text) is not None or any(
        c in chardata.PUNCT_SHARES for c in text)


def _decide(form: str, run: str, left: str, right: str, model: CharModel
            ) -> tuple[str, tuple[PlanItem, ...], float, str] | None:
    """The reading of `run` to take, its plan, confidence and a description;
    None when leaving the run as it is reads as well (see the module doc).

    Readings: each unescaped reading of the run, and for each one that is
    itself mojibake, a round trip of `chardata.BASE_ROUND_TRIPS` whose result
    reads as Chinese (with the prior `chardata.KEEP_PRIOR_BITS` that any
    round trip pays) or ftfy's encoding fix (ftfy's own judgement is its
    prior). Costs are `CharModel.cost` in the run's context (`left`,
    `right`); the posterior is the softmax of minus the costs, leaving the
    run favoured by `chardata.UNESCAPE_PRIOR_BITS`.
    """
    readings = [(text, plan, what, 0.0) for text, plan, what in _readings(form, run)]
    for text, plan, what, _ in list(readings):
        if text.isascii():
            continue
        for wrong, right_codec, kind in chardata.BASE_ROUND_TRIPS:
            try:
                again = text.encode(wrong).decode(right_codec)
            except UnicodeError:
                continue
            # Read as Chinese in its context or alone: Traditional text in a
            # Simplified paragraph pays the script switch at its edges
            # (軟體 between 阅读。 and 以下是: 16.6 bits a character, alone
            # 10.6), yet beats the mojibake it was (杌熼珨) by the costs below.
            if again != text and all(again != r[0] for r in readings) and (
                    model.reads_as_chinese(again, left, right, chardata.MAX_BITS_PER_HAN_UTF8)
                    or model.reads_as_chinese(again, "", "", chardata.MAX_BITS_PER_HAN_UTF8)):
                readings.append((again, plan + (("encode", wrong), ("decode", right_codec)),
                                 f"{what}, then {chardata.SPAN_KINDS[kind]} undone",
                                 chardata.KEEP_PRIOR_BITS))
        # ftfy's encoding fixer for the rest (UTF-8 read as Latin-1 or
        # MacRoman: 10Î&frac14;s is 10μs), where its plan is plain codecs.
        fixed = ftfy.fix_encoding_and_explain(text)
        steps = tuple((a, p) for a, p in (fixed.explanation or ()))
        if fixed.text != text and steps and all(a in ("encode", "decode") for a, _ in steps):
            readings.append((fixed.text, plan + steps,
                             f"{what}, then {chardata.SPAN_KINDS['mojibake']} undone", 0.0))
    # luanma repairs Chinese text: a reading with no Han character or Chinese
    # punctuation (&nbsp;, &lt;, %20 in a scraped XML feed) is the page's
    # own escaping, not damage.
    costs = [model.cost(text, left, right) + prior if _is_text(text) and _chinese(text)
             else math.inf for text, _, _, prior in readings]
    if not readings or min(costs) == math.inf:
        return None
    keep = model.cost(run, left, right) - chardata.UNESCAPE_PRIOR_BITS
    best = min(range(len(readings)), key=costs.__getitem__)
    if costs[best] >= keep:
        return None
    floor = costs[best]
    total = sum(2.0 ** (floor - c) for c in costs if c != math.inf) + 2.0 ** (floor - keep)
    confidence = min(round(1.0 / total, 4), chardata.MAX_SPAN_CONFIDENCE)
    text, plan, what, _ = readings[best]
    return text, plan, confidence, what


def _lines(text: str, cuts: list[tuple[int, int]]) -> list[tuple[int, str]]:
    """``(offset, line)`` for each line of `text`, each further cut at the
    `cuts` regions, which are left out (markup in an HTML document)."""
    out, pos = [], 0
    ordered = sorted(cuts)
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        for a, b in ordered:
            if b <= start or a >= end:
                continue
            if a > start:
                out.append((start, text[start:a]))
            start = max(start, b)
        if end > start:
            out.append((start, text[start:end]))
    return out


def find_escaped(text: str, model: CharModel, cuts: list[tuple[int, int]] = (),
                 markup_document: bool | None = None,
                 deadline: float | None = None,
                 warnings: list[str] | None = None) -> list[Unescaped]:
    """Runs of escapes in `text` to unescape, with their replacements.

    Args:
        text: decoded text (code points).
        model: the language model that judges each result.
        cuts: regions that are not text (an HTML document's markup): left
            out, and each ends the line it is in.
        markup_document: whether the whole text is HTML or XML source
            (`is_markup_document`); None: judged on `text` (the engine
            passes the judgement of the whole input when it searches only
            some of its lines).
        deadline: a `time.monotonic()` value; past it, the runs found so
            far are returned. None: none.
        warnings: a list to which a sentence is appended per run left
            partly as it came because its bytes end inside a UTF-8
            character (`utf8_cut`), and per unescaped run that still reads
            as mojibake that cannot be read back (`dropped_leftovers`);
            None: not reported.

    Returns:
        Non-overlapping `Unescaped` runs sorted by start; offsets are code
        points into `text`. Empty when `escape_signal` finds nothing or
        `text` is a JSON document.

    Heuristic: see the module docstring; the prior is
    `chardata.UNESCAPE_PRIOR_BITS`.

    >>> from app.model import get_model
    >>> [(u.replacement, u.plan) for u in find_escaped("标题：\\\\u521b\\\\u5efa", get_model())]
    [('创建', (('unescape', 'unicode'),))]
    """
    signal = escape_signal(text, markup_document)
    markup_document = signal is NON_HTML_ESCAPE_SIGNAL_RE
    if not signal.search(text) or _is_json_document(text):
        return []
    found: list[Unescaped] = []
    for offset, line in _lines(text, cuts):
        if not signal.search(line) or talks_about_escaping(line):
            continue
        bare = _blanked(line)
        code = _CODE_LINE_RE.search(bare) is not None or _is_json_document(line)
        if code:
            continue
        markup = _MARKUP_RE.search(line) is not None
        forms = [f for f in FORMS if not (f == "html" and (markup or markup_document))]
        runs = _line_runs(line, forms, _Line(bare), model,
                          MARKUP_CHARS if markup_document else TAG_CHARS, deadline, warnings)
        found += [Unescaped(offset + s, offset + e, *rest) for s, e, *rest in runs]
        if deadline is not None and time.monotonic() >= deadline:
            break
    return _first_of_overlaps(found)


# Rounds of judging a line's runs in the line as the runs taken before leave
# it (`_line_runs`), which stop at the first round that takes no run more.
CONTEXT_ROUNDS = 4


def _line_runs(line: str, forms: list[str], index: _Line, model: CharModel, kept: str,
               deadline: float | None, warnings: list[str] | None
               ) -> list[tuple[int, int, str, tuple[PlanItem, ...], float, str]]:
    """The runs of `forms` in `line` to unescape (`_form_runs` per form):
    ``(start, end, replacement, plan, confidence, explanation)``, offsets
    into `line`, overlaps left in (`_first_of_overlaps` drops them).

    A run is read in its context, `CONTEXT_CHARS` characters either side,
    and that context is the line as this pass leaves it. The first round
    reads every run in the line as it came; each further round (up to
    `CONTEXT_ROUNDS` in all) reads the runs not taken yet in the line with
    those taken replaced by their results, and takes more, until a round
    takes none. A run left as it came is thus judged in the context a
    second repair sees it in (``%E5%E4`` before ``&#29233\\u521b``, left
    beside the escapes, was taken by a second repair beside 爱创, so that
    repairing twice differed from repairing once). A run taken stays taken
    as first read (judging every run again each round can go round in a
    circle: ``\\u75eb`` between ``%C6%E4`` and ``%BB%B4`` was taken, left,
    taken). Warnings: each run cut at a UTF-8 character
    (`utf8_cut`, first round) and each run taken that `_vouched` does not
    vouch for."""
    memo: dict[tuple[str, str, str, str], object] = {}
    taken: list[tuple[int, int, str, tuple[PlanItem, ...], float, str]] = []
    notes: list[str] = []
    around = _context_in(line, [])
    covered = bytearray(len(line))  # 1 where a run taken in a round before is
    for round_ in range(CONTEXT_ROUNDS):
        found: list[tuple[int, int, str, tuple[PlanItem, ...], float, str]] = []
        for form in forms:
            found += _form_runs(form, line, index, _RUN_RES[form], model, kept, deadline,
                                notes if round_ == 0 else None, around, memo,
                                covered if round_ else None)
            if deadline is not None and time.monotonic() >= deadline:
                break
        added = [t for t in found if covered.find(1, t[0], t[1]) < 0] if round_ else found
        for s, e, *_ in added:
            covered[s:e] = b"\x01" * (e - s)
        taken += added
        if not added or (deadline is not None and time.monotonic() >= deadline):
            break
        around = _context_in(line, sorted((s, e, r) for s, e, r, *_ in taken))
    if warnings is not None:
        warnings += notes
    return _vouched(line, taken, model, warnings)


def _context_in(line: str, results: list[tuple[int, int, str]]):
    """A function of a span ``(start, end)`` of `line` that gives the
    `CONTEXT_CHARS` characters before and after it in `line` with each of
    `results` (``(start, end, replacement)``, sorted; one that overlaps one
    before it is left out) replaced."""
    pieces, starts, shifts = [], [], []
    pos = shift = 0
    for s, e, replacement in results:
        if s < pos:
            continue
        pieces += [line[pos:s], replacement]
        shift += len(replacement) - (e - s)
        starts.append(e)
        shifts.append(shift)
        pos = e
    pieces.append(line[pos:])
    projected = "".join(pieces)

    def at(p: int) -> int:
        k = bisect.bisect_right(starts, p)
        return p + (shifts[k - 1] if k else 0)

    def around(s: int, e: int) -> tuple[str, str]:
        a, b = at(s), at(e)
        return projected[max(0, a - CONTEXT_CHARS): a], projected[b: b + CONTEXT_CHARS]

    return around


def _blanked(line: str) -> str:
    """`line` with every escape run of every form blanked out (as many
    ``x``), so that the escapes themselves (an entity ends with ";", a
    reference begins with "&") are not read as code, a query string or a
    path. Runs are found in `line` as it came: blanking one form first
    would hide another's run (``&#29233`` before ``\\u521b`` is a
    reference only where no letter follows, and its blanked neighbour is
    x's), whose ``&`` then made the line a query string until that
    neighbour was unescaped, so that a second repair differed."""
    spans = [m.span() for run_re in _RUN_RES.values() for m in run_re.finditer(line)]
    chars = list(line)
    for a, b in spans:
        chars[a:b] = "x" * (b - a)
    return "".join(chars)


def _split_at_markup(form: str, line: str, start: int, end: int, kept: str
                     ) -> list[tuple[int, int]]:
    """The pieces of the run at [start, end) of `line` between its tokens
    that stand for a character of `kept` (`TAG_CHARS`, or `MARKUP_CHARS` in
    markup; those tokens are left escaped), each from its first token's
    start to its last token's end; offsets into `line`."""
    pieces: list[tuple[int, int]] = []
    first = last = None
    for m in _TOKEN_RES[form].finditer(line, start, end):
        char = _token_ascii(form, m.group())
        if char and char in kept:
            if first is not None:
                pieces.append((first, last))
            first = None
            continue
        if first is None:
            first = m.start()
        last = m.end()
    if first is not None:
        pieces.append((first, last))
    return pieces


@lru_cache(maxsize=4096)
def _token_ascii(form: str, token: str) -> str:
    """The ASCII character one token of `form` stands for (all its levels
    undone), or "" (not one ASCII character)."""
    value, _ = _layers(form, token)
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return value if len(value) == 1 and value.isascii() else ""


def _byte_ends(form: str, run: str) -> list[int] | None:
    """End offset in `run` (a percent or hex run) of the text that gives
    each byte of its unescaped value: a token, or one unreserved character
    of a percent run; None when the levels of escaping differ between its
    tokens (``%E5%25E5``), which does not map byte for byte."""
    ends, pos = [], 0
    for m in _TOKEN_RES[form].finditer(run):
        ends += range(pos + 1, m.start() + 1)  # unreserved characters
        ends.append(m.end())
        pos = m.end()
    value, _ = _layers(form, run)
    return ends if isinstance(value, bytes) and len(value) == len(ends) else None


def utf8_cut(data: bytes) -> int:
    """How many bytes at the end of `data` begin a UTF-8 character that
    `data` ends inside, when the bytes before them are well-formed UTF-8
    (RFC 3629) and hold a character beyond ASCII or are none; else 0.

    What a byte limit leaves of percent-encoded UTF-8 (a URL cut at 2,000
    bytes: ``%E6%88%91%E4`` is 我 and the first byte of a second
    character). A GBK or Big5 decoder reads such bytes out of step
    (鎴戠埍鍖椾 for 我爱北 and a cut 京), so the bytes before the cut are
    read alone and the cut ones are left as they came.

    >>> utf8_cut(b"\\xe6\\x88\\x91\\xe4"), utf8_cut(b"\\xe6\\x88"), utf8_cut(b"\\xe6\\x88\\x91")
    (1, 2, 0)
    """
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        done = decoder.decode(data, final=False)
    except UnicodeDecodeError:
        return 0
    pending = len(decoder.getstate()[0])
    return pending if pending and (not done or not done.isascii()) else 0


# What is left, after a decode that dropped bytes (``errors="ignore"``), of
# UTF-8 read as GBK: characters whose GBK bytes are a three-byte UTF-8
# sequence less its last byte (涓 for 中, E4 B8 AD; 鍥 for 国, E5 9B BD).
# A run of two or more of them in no dictionary word cannot be read back
# (the dropped bytes are gone); `engine._left_beside` warns of the same
# leftovers beside a UTF-8 repair (with `truncated_utf8` too).
_HAN_RUN_RE = re.compile(f"{chardata.HAN_RE.pattern}{{2,}}")


@lru_cache(maxsize=4096)
def truncated_utf8(ch: str) -> bool:
    """Whether the GBK bytes of `ch` (a one-character str) are a three-byte
    UTF-8 sequence less its last byte (a lead E0..EF, a continuation
    80..BF): what is left of a UTF-8 character whose last byte a decoder
    dropped (銆 for 。, E3 80 82; 涓 for 中, E4 B8 AD). False where GBK
    (gb18030) has no two-byte form of `ch`."""
    try:
        b = ch.encode("gb18030")
    except UnicodeEncodeError:
        return False
    return len(b) == 2 and 0xE0 <= b[0] <= 0xEF and 0x80 <= b[1] <= 0xBF


def dropped_leftovers(text: str, model: CharModel) -> list[str]:
    """Runs of `text` that read as UTF-8 read as GBK with bytes dropped
    (see `truncated_utf8`): two or more Han characters, each a three-byte
    UTF-8 sequence less its last byte in GBK, none in a dictionary word
    (`CharModel.in_word`).

    >>> from app.model import get_model
    >>> dropped_leftovers("涓鍥", get_model()), dropped_leftovers("数据", get_model())
    (['涓鍥'], [])
    """
    return [m.group() for m in _HAN_RUN_RE.finditer(text)
            if all(truncated_utf8(c) for c in m.group())
            and not any(model.in_word(text, k) for k in range(m.start(), m.end()))]


def _follow(form: str, run: str, codecs_used: list[str]
            ) -> tuple[str, tuple[PlanItem, ...], str] | None:
    """The plain unescaped reading of `run` (for bytes forms in the first of
    `codecs_used` that decodes it strictly), when it is text (`_is_text`);
    else None."""
    value, layers = _layers(form, run)
    if not layers:
        return None
    plan: tuple[PlanItem, ...] = (("unescape", form),) * layers
    if isinstance(value, str):
        return (value, plan, form) if _is_text(value) else None
    for codec in codecs_used:
        try:
            reading = value.decode(codec)
        except UnicodeDecodeError:
            continue
        if _is_text(reading):
            return reading, plan + (("decode", codec),), f"{form} {codec}"
    return None


# What a numeric reference cut at a byte limit must read as to be taken:
# Han, CJK punctuation or full-width forms (what Chinese pages escape).
_CHINESE_REFERENCE_RE = re.compile("[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _cut_reference(token: str) -> bool:
    """Whether an HTML token (`_TOKEN_RES` ``html``) is a numeric reference
    without its ';' that reads as no Chinese character: the end of a text
    cut inside a reference (``&#29579;&#2025`` is 王 and ``&#20255;`` cut
    after its fourth digit, whose reading U+07E9 is an NKo letter)."""
    if token.endswith(";") or "#" not in token:
        return False
    value = html.unescape(token.replace("&amp;", "&") + ";")
    return not (len(value) == 1 and _CHINESE_REFERENCE_RE.match(value))


def _form_runs(form: str, line: str, index: _Line, run_re: re.Pattern[str], model: CharModel,
               kept: str, deadline: float | None, warnings: list[str] | None,
               around=None, memo: dict | None = None, covered: bytearray | None = None
               ) -> list[tuple[int, int, str, tuple[PlanItem, ...], float, str]]:
    """The runs of `form` in `line` to unescape: ``(start, end, replacement,
    plan, confidence, what)``, offsets into `line` (`what`: the reading, for
    `_vouched` to explain).

    Each run not meant (`_meant`) is judged by `_decide`. When one run of the
    form in the line is taken, the line is escaped text, and every other run
    of the form in it that was not meant is unescaped too where its plain
    reading is text (`_follow`; ℃, ～, 😀, ``%3A`` beside escaped Chinese),
    as sure as the least sure run taken. Tokens that stand for a character
    of `kept` stay (`_split_at_markup`); bytes that end inside a
    UTF-8 character (`utf8_cut`) stay, with a note in `warnings`. Each run
    is read in the context `around` gives (`_line_runs`; None: the line as
    it came); `memo` keeps `_decide`'s answers across calls; a run that
    overlaps a 1 of `covered` (a run taken already) is passed over.
    """
    if around is None:
        around = _context_in(line, [])
    taken: list[tuple[int, int, str, tuple[PlanItem, ...], float, str]] = []
    waiting: list[tuple[int, int]] = []
    for m in run_re.finditer(line):
        if deadline is not None and time.monotonic() >= deadline:
            break
        for s, e in _split_at_markup(form, line, *m.span(), kept):
            if _meant(form, index, s, e) or (covered is not None
                                             and covered.find(1, s, e) >= 0):
                continue
            if form in ("percent", "hex"):
                ends = _byte_ends(form, line[s:e])
                value, _ = _layers(form, line[s:e])
                cut = utf8_cut(value) if ends and isinstance(value, bytes) else 0
                if cut:
                    whole, e = line[s:e], s + (ends[-cut - 1] if cut < len(ends) else 0)
                    if warnings is not None:
                        warnings.append(
                            f"{whole[e - s:]!r} at the end of {whole!r} begins a UTF-8 "
                            "character that the text ends inside (cut at a byte limit?); left "
                            "as it came")
                    if e == s:
                        continue
            elif form == "html" and (e == len(line) or line[e].isspace()):
                last = list(_TOKEN_RES["html"].finditer(line, s, e))[-1]
                if last.start() > s and _cut_reference(last.group()):
                    if warnings is not None:
                        warnings.append(
                            f"{last.group()!r} at the end of {line[s:e]!r} is a numeric "
                            "reference without its ';' that reads as no Chinese character "
                            "(cut at a byte limit?); left as it came")
                    e = last.start()
            decided = _judged(form, line, s, e, model, around, memo)
            if decided is None:
                waiting.append((s, e))
                continue
            s, e, (replacement, plan, confidence, what) = decided
            shown = replacement.strip()
            if not shown.isascii() and shown in (line[max(0, s - SHOWN_NEAR): s] + " "
                                                 + line[e: e + SHOWN_NEAR]):
                waiting.append((s, e))  # the line shows the result too: it explains the escape
                continue
            taken.append((s, e, replacement, plan, confidence, what))
    if not taken:
        return []
    least = min(t[4] for t in taken)
    # the codec of each bytes run taken (its first decode)
    codecs_used = list(dict.fromkeys(next((p for a, p in t[3] if a == "decode"), "utf-8")
                                     for t in taken))
    for s, e in waiting:
        followed = _follow(form, line[s:e], codecs_used)
        if followed is not None:
            replacement, plan, what = followed
            taken.append((s, e, replacement, plan, least,
                          f"{what}, as the {form} escapes beside it"))
    return taken


def _vouched(line: str, taken: list[tuple[int, int, str, tuple[PlanItem, ...], float, str]],
             model: CharModel, warnings: list[str] | None
             ) -> list[tuple[int, int, str, tuple[PlanItem, ...], float, str]]:
    """The runs `taken` in `line` (``(start, end, replacement, plan,
    confidence, what)``) with their explanations, and a confidence of 0 and
    a note in `warnings` for each whose result still reads as UTF-8 read as
    GBK with bytes dropped (`dropped_leftovers`)."""
    out = []
    for s, e, replacement, plan, confidence, what in taken:
        levels = sum(a == "unescape" for a, _ in plan)
        explanation = (f"{chardata.SPAN_KINDS['escaped']}: {what}"
                       + (f" ({levels} levels of escaping)" if levels > 1 else ""))
        left = dropped_leftovers(replacement, model) if not any(
            a == "encode" for a, _ in plan) else []
        if left:
            # UTF-8 read as GBK with bytes dropped, escaped: nothing reads
            # it back (see `dropped_leftovers`); shown, but not vouched for.
            confidence = 0.0
            explanation += (f"; {', '.join(left)} still reads as UTF-8 read as GBK with bytes "
                            "dropped and could not be read back")
            if warnings is not None:
                warnings.append(f"{line[s:e]!r} unescaped is {replacement!r}, which still reads "
                                "as UTF-8 read as GBK with bytes dropped (as errors='ignore' drops "
                                "them) and could not be read back; left as unescaped")
        out.append((s, e, replacement, plan, confidence, explanation))
    return out


def _judged(form: str, line: str, s: int, e: int, model: CharModel, around, memo: dict | None
            ) -> tuple[int, int, tuple[str, tuple[PlanItem, ...], float, str]] | None:
    """`_decide` of the run at [s, e) of `line`, with the mojibake around it
    that its result belongs to (``unicode``, ``html``) or a trail byte an
    encoder left as a letter (``percent``); the run's span as taken.
    `around` gives a span's context (`_context_in`); `memo` keeps
    `_decide`'s answers (None: none kept)."""
    def decide(a: int, b: int):
        left, right = around(a, b)
        key = (form, line[a:b], left, right)
        if memo is None or key not in memo:
            value = _decide(form, line[a:b], left, right, model)
            if memo is None:
                return value
            memo[key] = value
        return memo[key]

    if form in ("unicode", "html"):
        # Mojibake around the run that its result belongs to (Î&frac14; is
        # Î¼, UTF-8 of μ read as Latin-1): the run with it, when a round
        # trip then reads better.
        s2, e2 = s, e
        while s2 > 0 and _LATIN_HIGH_RE.match(line[s2 - 1]):
            s2 -= 1
        while e2 < len(line) and _LATIN_HIGH_RE.match(line[e2]):
            e2 += 1
        if (s2, e2) != (s, e):
            decided = decide(s2, e2)
            if decided and any(a == "encode" for a, _ in decided[1]):
                return s2, e2, decided
    decided = decide(s, e)
    if decided is None and form == "percent" and line[e: e + 1].isascii() \
            and line[e: e + 1].isalpha():
        # A GBK or Big5 trail byte an encoder left as a letter (家 is Big5
        # AE 61: %AEa).
        decided = decide(s, e + 1)
        e += 1
    return (s, e, decided) if decided is not None else None


def _first_of_overlaps(found: list[Unescaped]) -> list[Unescaped]:
    """`found` sorted by start, each run that overlaps one before it left out."""
    found.sort(key=lambda u: (u.start, -u.end))
    out: list[Unescaped] = []
    for u in found:
        if not out or u.start >= out[-1].end:
            out.append(u)
    return out


# Characters either side of a run in which its result, shown unescaped,
# explains the escape (\u4e2d 就是 中): a sentence or two, so that a line of
# a megabyte is not searched once per run.
SHOWN_NEAR = 256
