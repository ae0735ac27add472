"""HTML and XML: in-document charset declarations, and where the text of an
HTML document is (``html=true``).

Parsing is the standard library's: `html.parser.HTMLParser` (a tolerant
tokenizer of the HTML syntax) for ``<meta>`` tags and `xml.parsers.expat`
for the XML declaration. No regular expression reads markup here.

Why these: the page arrives as bytes in an unknown encoding, and every
charset that can declare a page's encoding is ASCII-compatible where markup
is concerned, so the first bytes read as Latin-1 keep every tag intact (GBK
and Big5 trail bytes are 0x40 and above, never ``<``, ``>``, ``"`` or
``=``). A browser does the same (WHATWG HTML, 13.2.3.2 "Determining the
character encoding": the prescan reads ``<meta>`` attributes from bytes).
"""

from __future__ import annotations

import html
import xml.parsers.expat
from dataclasses import dataclass
from email.message import Message
from html.parser import HTMLParser

from . import chardata


def content_type_charset(value: str) -> str | None:
    """The ``charset`` parameter of a Content-Type value (RFC 9110, 8.3), or None.

    >>> content_type_charset('text/html; charset="GB2312"')
    'GB2312'
    """
    msg = Message()
    msg["content-type"] = value
    charset = msg.get_param("charset")
    if isinstance(charset, tuple):  # RFC 2231 form: (charset, language, value)
        charset = charset[2]
    return charset.strip() if isinstance(charset, str) and charset.strip() else None


class _MetaScanner(HTMLParser):
    """Collects charset declarations from ``<meta>`` tags until ``<body>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        if tag == "body":
            self.done = True
            return
        if tag != "meta":
            return
        values = {name.lower(): (value or "") for name, value in attrs}
        if values.get("charset", "").strip():
            self.found.append((values["charset"].strip(), "<meta charset>"))
        elif values.get("http-equiv", "").strip().lower() == "content-type":
            charset = content_type_charset(values.get("content", ""))
            if charset:
                self.found.append((charset, "<meta http-equiv>"))

    handle_startendtag = handle_starttag


def _xml_declared(data: bytes) -> str | None:
    """The encoding an XML declaration at the start of `data` names, or None
    (expat reports it before it refuses the multi-byte encodings it cannot
    decode itself)."""
    if not data.lstrip(b"\xef\xbb\xbf").startswith(b"<?xml"):
        return None
    end = data.find(b"?>")
    if end < 0:
        return None
    found: list[str | None] = []
    parser = xml.parsers.expat.ParserCreate()
    parser.XmlDeclHandler = lambda version, encoding, standalone: found.append(encoding)
    try:
        parser.Parse(data[: end + 2], False)
    except (xml.parsers.expat.ExpatError, ValueError, LookupError):
        pass
    return found[0] if found and found[0] else None


def declared_charsets(data: bytes) -> list[tuple[str, str]]:
    """Charset labels the document declares about itself, in the order a
    browser trusts them.

    Args:
        data: the raw bytes of a page; only the first
            `chardata.MARKUP_SNIFF_BYTES` are read.

    Returns:
        ``[(label, where), ...]``: each ``<meta charset>`` and ``<meta
        http-equiv="Content-Type">`` before ``<body>``, in document order,
        then the XML declaration's ``encoding`` (the order of the issue's
        evidence; HTML parsers read no XML declaration at all); ``where`` names the source
        (``<meta charset>``, ``<meta http-equiv>``, ``<?xml encoding>``).
        Labels are as written (map them with `decode.canonical_codec`).
        Empty for bytes that do not start like markup.

    >>> declared_charsets(b'<html><head><meta charset="gbk"><title>x</title>')
    [('gbk', '<meta charset>')]
    """
    head = data[: chardata.MARKUP_SNIFF_BYTES]
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return []
    scanner = _MetaScanner()
    try:
        scanner.feed(head.decode("latin-1"))
        scanner.close()
    except (AssertionError, ValueError):  # html.parser's few hard failures
        pass
    xml_label = _xml_declared(head)
    return scanner.found + ([(xml_label, "<?xml encoding>")] if xml_label else [])


# --- HTML mode: where the text is ------------------------------------------------


@dataclass(frozen=True)
class Markup:
    """Where an HTML document's text is, found by `scan`.

    Every offset is a code-point index into the document string, half-open.

    Attributes:
        text: regions of text a person reads: text nodes (outside
            ``<script>`` and ``<style>``, character references left out)
            and attribute values other than `chardata.NON_TEXT_ATTRIBUTES`.
        annotations: contents of ``<rt>`` and ``<rp>`` elements (ruby
            readings and their fallback parentheses).
        declarations: charset declarations: each whole ``<meta charset>`` /
            ``<meta http-equiv="Content-Type">`` tag, and an XML
            declaration that names an encoding.
        length: the document's length.
    """

    text: tuple[tuple[int, int], ...]
    annotations: tuple[tuple[int, int], ...]
    declarations: tuple[tuple[int, int], ...]
    length: int

    def blocked(self) -> list[tuple[int, int]]:
        """Everything that is not `text`: markup, character references,
        scripts, styles and comments, as sorted regions."""
        out, pos = [], 0
        for a, b in self.text:
            if a > pos:
                out.append((pos, a))
            pos = max(pos, b)
        if pos < self.length:
            out.append((pos, self.length))
        return out


_SPACE = " \t\n\r\f"


def attribute_values(raw: str) -> list[tuple[str, int, int]]:
    """Attribute names and the offsets of their values in a start tag's
    source text, as the HTML tokenizer reads them (WHATWG HTML, 13.2.5.32
    to 13.2.5.40: attribute name, before/after value, quoted and unquoted
    value states).

    Args:
        raw: a whole start tag as written (``<p title="x">``), as
            `HTMLParser.get_starttag_text` gives it.

    Returns:
        ``[(name lower-cased, start, end), ...]`` with offsets into `raw`;
        attributes without a value are left out.

    >>> raw = "<img alt='猫' src=a.png hidden>"
    >>> [(n, raw[a:b]) for n, a, b in attribute_values(raw)]
    [('alt', '猫'), ('src', 'a.png')]
    """
    n = len(raw)
    i = 1
    while i < n and raw[i] not in _SPACE + "/>":
        i += 1
    out = []
    while True:
        while i < n and raw[i] in _SPACE + "/":
            i += 1
        if i >= n or raw[i] == ">":
            return out
        name_start = i
        i += 1  # a first "=" belongs to the name
        while i < n and raw[i] not in _SPACE + "/>=":
            i += 1
        name = raw[name_start:i].lower()
        while i < n and raw[i] in _SPACE:
            i += 1
        if i >= n or raw[i] != "=":
            continue
        i += 1
        while i < n and raw[i] in _SPACE:
            i += 1
        if i < n and raw[i] in "\"'":
            end = raw.find(raw[i], i + 1)
            end = n if end < 0 else end
            out.append((name, i + 1, end))
            i = end + 1
        else:
            start = i
            while i < n and raw[i] not in _SPACE + ">":
                i += 1
            out.append((name, start, i))


def _around_references(raw: str, start: int, end: int) -> list[tuple[int, int]]:
    """The parts of raw[start:end] (an attribute value) between character
    references (``&`` followed by a name or ``#`` and digits, up to an
    optional ``;``: WHATWG HTML 13.2.5.72 "Character reference state"),
    which are markup."""
    out, pos, i = [], start, start
    while i < end:
        if raw[i] == "&" and i + 1 < end and (raw[i + 1].isalnum() or raw[i + 1] == "#"):
            j = i + 2
            while j < end and raw[j].isascii() and raw[j].isalnum():
                j += 1
            if j < end and raw[j] == ";":
                j += 1
            if i > pos:
                out.append((pos, i))
            pos = i = j
        else:
            i += 1
    if end > pos:
        out.append((pos, end))
    return out


class _Scanner(HTMLParser):
    """Records where text, ruby readings and charset declarations are."""

    def __init__(self, doc: str) -> None:
        super().__init__(convert_charrefs=False)
        self.line_starts = [0]
        for k, ch in enumerate(doc):
            if ch == "\n":
                self.line_starts.append(k + 1)
        self.text: list[tuple[int, int]] = []
        self.annotations: list[tuple[int, int]] = []
        self.declarations: list[tuple[int, int]] = []
        self.open_annotation: int | None = None

    def _pos(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def _close_annotation(self, at: int) -> None:
        if self.open_annotation is not None and at > self.open_annotation:
            self.annotations.append((self.open_annotation, at))
        self.open_annotation = None

    def handle_data(self, data: str) -> None:
        if self.cdata_elem is None:  # not inside <script> or <style>
            start = self._pos()
            self.text.append((start, start + len(data)))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        start = self._pos()
        raw = self.get_starttag_text() or ""
        values = {name: value or "" for name, value in attrs}
        if tag in ("rt", "rp"):
            self._close_annotation(start)
            self.open_annotation = start + len(raw)
        if tag == "meta" and (values.get("charset", "").strip() or (
                values.get("http-equiv", "").strip().lower() == "content-type"
                and content_type_charset(values.get("content", "")))):
            self.declarations.append((start, start + len(raw)))
            return
        found = attribute_values(raw)
        # Trust the positions only where they read as the parser read them.
        if [(name, html.unescape(raw[a:b])) for name, a, b in found] != [
                (name, value) for name, value in attrs if value is not None]:
            return
        for name, a, b in found:
            if b > a and name not in chardata.NON_TEXT_ATTRIBUTES and not name.startswith("on"):
                self.text += [(start + x, start + y) for x, y in _around_references(raw, a, b)]

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("rt", "rp"):
            self.open_annotation = None  # <rt/> has no contents

    def handle_endtag(self, tag: str) -> None:
        if tag in ("rt", "rp", "ruby"):
            self._close_annotation(self._pos())

    def handle_pi(self, data: str) -> None:
        if data.startswith("xml ") and _xml_encoding_value(data) is not None:
            start = self._pos()
            self.declarations.append((start, start + len(data) + 3))  # "<?" data ">"


def _xml_encoding_value(decl: str) -> tuple[int, int] | None:
    """Offsets of the encoding value in an XML declaration's text (``xml
    version="1.0" encoding="gbk"?`` or the whole ``<?xml ...?>``), by the
    XML 1.0 grammar (section 2.8, EncodingDecl: ``S 'encoding' Eq ('"'
    EncName '"' | "'" EncName "'")``); None without one."""
    at = decl.find("encoding")
    while at >= 0:
        i = at + len("encoding")
        if at > 0 and decl[at - 1] in _SPACE:
            while i < len(decl) and decl[i] in _SPACE:
                i += 1
            if i < len(decl) and decl[i] == "=":
                i += 1
                while i < len(decl) and decl[i] in _SPACE:
                    i += 1
                if i < len(decl) and decl[i] in "\"'":
                    end = decl.find(decl[i], i + 1)
                    if end > i:
                        return i + 1, end
        at = decl.find("encoding", at + 1)
    return None


def declare_utf8(declaration: str) -> str:
    """A charset declaration made to say UTF-8: an XML declaration keeps
    everything but its encoding's value; any other (a ``<meta>`` tag)
    becomes ``<meta charset="utf-8">``.

    >>> declare_utf8('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
    '<meta charset="utf-8">'
    >>> declare_utf8("<?xml version='1.0' encoding='GBK'?>")
    "<?xml version='1.0' encoding='utf-8'?>"
    """
    if declaration.startswith("<?xml"):
        where = _xml_encoding_value(declaration)
        if where is not None:
            return declaration[: where[0]] + "utf-8" + declaration[where[1]:]
        return declaration
    return '<meta charset="utf-8">'


def scan(doc: str) -> Markup:
    """Find the text of an HTML document (`Markup`), with the standard
    library's tokenizer (`html.parser.HTMLParser`, which reports where each
    token starts) and `attribute_values` for positions inside start tags.

    Args:
        doc: the decoded document.

    Returns:
        A `Markup`; text regions sorted and merged where they touch.
    """
    scanner = _Scanner(doc)
    try:
        scanner.feed(doc)
        scanner.close()
    except (AssertionError, ValueError):  # html.parser's few hard failures
        pass
    scanner._close_annotation(len(doc))
    merged: list[tuple[int, int]] = []
    for a, b in sorted(scanner.text):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return Markup(tuple(merged), tuple(scanner.annotations), tuple(sorted(scanner.declarations)),
                  len(doc))
