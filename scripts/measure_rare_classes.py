"""Measure three statistics of app/model.py and app/score.py on real pages.

Usage:
    python scripts/measure_rare_classes.py [CORPORA]

CORPORA is the shared corpus directory (default ``/work/shared/corpora``:
chardet's test feeds and retraining samples, charset_normalizer's samples;
see its README for sources and licences). Prints:

* hangul syllables on the Korean pages (chardet's EUC-KR and CP949 feeds,
  its euc-kr and cp949 CulturaX samples, charset_normalizer's Korean
  sample) and how many are outside KS X 1001's 2,350
  (`chardata.in_ks_x_1001`): model CLASS_BITS "hangul_rare";
* characters of the Chinese UTF-8 and GB18030 pages (chardet's retraining
  samples and UTF-8 feeds with at least a fifth Han characters) and how
  many are `chardata.WESTERN_SYMBOLS`: model CLASS_BITS "western_symbol";
* the Han characters of all Chinese pages (GB2312, Big5, UTF-8, GB18030)
  with no Han character beside them that cp949 re-reads as another Han
  character through GBK, and the largest gain in bits (`CharModel.cost`
  over four characters of context each side) of such a re-reading:
  `score._lone_word`.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import chardata  # noqa: E402
from app.model import get_model  # noqa: E402


def _read(path: Path, codecs: tuple[str, ...]) -> str | None:
    data = path.read_bytes()
    for codec in codecs:
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    return None


def main(argv: list[str]) -> int:
    root = Path(argv[0] if argv else "/work/shared/corpora")
    korean = [*root.glob("chardet-main/EUC-KR/*"), *root.glob("chardet-main/CP949/*"),
              *root.glob("chardet-retrain/*-korean/*"), root / "charset_normalizer/sample-korean.txt"]
    syllables = outside = 0
    for path in korean:
        text = path.read_bytes().decode("cp949", "replace")
        for ch in text:
            if "\uac00" <= ch <= "\ud7a3":
                syllables += 1
                outside += not chardata.in_ks_x_1001(ch)
    print(f"hangul syllables {syllables}, outside KS X 1001 {outside}; with one added, "
          f"{-math.log2((outside + 1) / (syllables + 2)):.1f} bits for the share")

    chars = symbols = 0
    utf8_pages = [*root.glob("chardet-retrain/utf-8-chinese/*"),
                  *root.glob("chardet-retrain/gb18030-chinese/*"), *root.glob("chardet-main/utf-8/*")]
    for path in utf8_pages:
        text = _read(path, ("gb18030",) if "gb18030" in str(path) else ("utf-8",))
        if text is None or len(chardata.HAN_RE.findall(text)) < len(text) / 5:
            continue
        chars += len(text)
        symbols += sum(1 for ch in text if ch in chardata.WESTERN_SYMBOLS)
    print(f"Chinese UTF-8/GB18030 characters {chars}, Western symbols {symbols}; rule of three: "
          f"{-math.log2(3 / chars / len(chardata.WESTERN_SYMBOLS)):.1f} bits a symbol at least")

    model = get_model()
    pages = [(p, ("gb18030",)) for p in root.glob("chardet-main/GB2312/*")]
    pages += [(p, ("big5hkscs",)) for p in root.glob("chardet-main/Big5/*")]
    pages += [(p, ("utf-8", "gb18030")) for p in utf8_pages]
    tried, best = 0, (0.0, "")
    for path, codecs in pages:
        text = _read(path, codecs) if len(codecs) > 1 else path.read_bytes().decode(codecs[0], "replace")
        if text is None or len(chardata.HAN_RE.findall(text)) < len(text) / 5:
            continue  # not Chinese text (a feed misdeclared in its folder)
        for k, ch in enumerate(text):
            if not chardata.HAN_RE.match(ch) or any(
                    0 <= n < len(text) and chardata.HAN_RE.match(text, n) for n in (k - 1, k + 1)):
                continue
            try:
                other = ch.encode("cp949").decode("gbk")
            except UnicodeError:
                continue
            if other == ch or not chardata.HAN_RE.match(other):
                continue
            tried += 1
            left, right = text[max(0, k - 4) : k], text[k + 1 : k + 5]
            gain = model.cost(ch, left, right) - model.cost(other, left, right)
            if gain > best[0]:
                best = (gain, f"{left}[{ch}->{other}]{right}")
    print(f"lone Han characters cp949 re-reads: {tried}, largest gain {best[0]:.1f} bits "
          f"({best[1]!r})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
