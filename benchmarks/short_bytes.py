"""Short and undeclared bytes, and characters guessed back from lost bytes.

Usage:
    python benchmarks/short_bytes.py [--only european,utf8_words,cut,lost_utf8,lost_twice,cjk,one_char]

Seven measurements, each counted (right, and what else came out):

* ``european``: European words and phrases (a list written for this, below)
  encoded in their single-byte codecs (Latin-1, cp1252, cp1251, KOI8-R,
  cp1253), undeclared, through `repair_bytes`: right when the text and the
  codec come back as written.
* ``utf8_words``: Han runs of 2 to 4 characters of
  ``benchmarks/data/passages.jsonl`` (windows) and jieba's words of 2 or 4
  characters with frequency >= 1,000, encoded in GBK, kept where the bytes
  are also valid UTF-8 (系统 CF B5 CD B3 is UTF-8 ϵͳ); right when read as
  GBK; the jieba words also labelled (``charset``) utf-8, windows-1252,
  euc-kr and big5, a label a scraper sends by default or from a page that
  lies. And short real Greek, Russian (and other) UTF-8 words, which must
  stay UTF-8, undeclared and labelled utf-8.
* ``cut``: GBK text of the passages (Han runs cut to 2, 3, 4 and 6
  characters, and whole passages ending in Han) with its last byte cut (the
  lead byte of the last character stays): right when the rest comes back
  with one U+FFFD.
* ``lost_utf8``: text of the passages (passages, lines, and windows of 2, 3,
  4 and 6 characters of their Chinese runs) encoded as UTF-8 and decoded as
  ``gbk`` and ``web-gbk`` with replacement, kept where a U+FFFD appears and
  no ASCII character was swallowed with a lost byte (unknowable); through
  `repair_text`: right, left (unchanged, or every difference a U+FFFD for a
  lost character), or wrong (other text), and how many of each with a
  confidence of 0.9 or more.
* ``lost_twice``: jieba's words (as ``utf8_words``) encoded as UTF-8,
  decoded as GBK with ``errors="replace"``, and so again (閻戯拷闂傦拷 for
  热门): right, left (unchanged, or every difference a U+FFFD), or wrong,
  and how many of each at confidence 0 and at 0.9 or more.
* ``one_char``: one common Han character as two undeclared bytes, GBK and
  Big5 (`one_char`).
* ``cjk``: short East Asian strings (lists written for this, below) in the
  codec they are written in, undeclared, each alone and wrapped in a little
  ASCII markup (``<p>..</p>``, ``<td>..</td>``), through `repair_bytes`:
  full-width digits, letters and symbols, circled and Roman numbers in GBK
  and Big5; Japanese kanji words, kana words and mixed phrases in
  Shift_JIS, cp932 and EUC-JP; Korean words in cp949; and Chinese words
  of 2 to 4 characters (Han runs of the passages, a window every third
  character; the Traditional ones through OpenCC s2t) in GBK and Big5. Right
  when the text comes back as written; per set: right, wrong, and wrong with
  a confidence of 0.9 or more (the product promises that at least 99% of
  the outputs at 0.9 or more are right).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import repair_bytes, repair_text
from app.errors import RepairError

HERE = Path(__file__).resolve().parent
HAN_RUN_RE = re.compile("[\u4e00-\u9fff]+")

LATIN = """été café niño señor Größe Grüße aus München Straße über Müller Köln Zürich Bär
Äpfel Öl Tür schön müde français garçon déjà très où là à voilà crème brûlée forêt hôtel
île noël naïve Noël élève réponse fenêtre año mañana español canción corazón sí más qué
cómo está niña pequeño jalapeño acción información São Paulo não coração irmã avó avô lições
ação você família Ångström Malmö Göteborg smörgåsbord fjäll blåbär Øresund København Ça
va? Très bien, merci. À bientôt! Où est la gare? C'est déjà l'été. ¿Qué tal? ¡Olé! Mañana
es sábado. Privé Réservé Fermé Entrée Sortie Soldes Prix spécial Livraison gratuite Ärger
Übung Öffnungszeiten Frühstück Gemüse Käse Brötchen""".split()
CYRILLIC = """Москва Привет Россия спасибо до свидания Да Нет мир Он Я мы вы они Новости
Главная Войти Поиск Ещё Київ Україна Беларусь Ташкент Ереван Иван Петров Пн Вт Ср Чт Пт Сб
Вс кг км руб шт хорошо пожалуйста Санкт-Петербург Новосибирск Екатеринбург Казань улица дом
квартира телефон адрес""".split()
GREEK = """Ελλάδα Αθήνα Γειά και το ένα είναι Ναι Όχι καλημέρα ευχαριστώ Θεσσαλονίκη Κρήτη
θάλασσα ήλιος νερό ψωμί κρασί σπίτι δρόμος""".split()
UTF8_NEGATIVES = """Да Нет Мир Он Я мы Привет Москва Россия спасибо Ок до по не на Ναι Όχι
και το Γειά Αθήνα ένα Ελλάδα είναι ΔΕΗ ΟΚ Ψ Ж Київ Україна Беларусь Ташкент Ереван Ёж ψ π α
Ω Σύνταγμα Новости Главная Войти Поиск Ещё ещё Пн Вт Ср Чт Пт Сб Вс кг км руб шт μm λ Δ
шалом שלום مرحبا Հայաստան""".split()


def _passages() -> list[str]:
    path = HERE / "data" / "passages.jsonl"
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").split("\n")
            if line.strip()]


def european() -> None:
    print("European words in single-byte codecs, undeclared (repair_bytes):")
    total: collections.Counter[str] = collections.Counter()
    for encode_as, words, codec in [("latin-1", LATIN, "cp1252"), ("cp1252", LATIN, "cp1252"),
                                    ("cp1251", CYRILLIC, "cp1251"),
                                    ("koi8_r", CYRILLIC, "koi8-r"), ("cp1253", GREEK, "cp1253")]:
        counts: collections.Counter[str] = collections.Counter()
        for word in words:
            try:
                data = word.encode(encode_as)
            except UnicodeEncodeError:  # Ukrainian ї in KOI8-R
                continue
            if data.isascii():
                continue
            try:
                r = repair_bytes(data)
            except RepairError:
                counts["error"] += 1
                continue
            counts["right" if (r.text, r.encoding) == (word, codec)
                   else "same text" if r.text == word else "wrong"] += 1
        total.update(counts)
        print(f"  {encode_as:8} {dict(counts)}")
    print(f"  all      {dict(total)}")


def _jieba_words() -> list[str]:
    import jieba

    out = []
    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as f:
        for line in f:
            word, freq, *_ = line.split()
            if int(freq) >= 1000 and len(word) in (2, 4) and HAN_RUN_RE.fullmatch(word):
                out.append(word)
    return out


def utf8_words() -> None:
    print("GBK words whose bytes are valid UTF-8, undeclared (repair_bytes):")
    windows = sorted({run[i:i + n] for text in _passages() for run in HAN_RUN_RE.findall(text)
                      for n in (2, 3, 4) for i in range(len(run) - n + 1)})
    for name, words in [("passages", windows), ("jieba", _jieba_words())]:
        right = wrong = 0
        for word in words:
            try:
                data = word.encode("gbk")
                data.decode("utf-8")
            except UnicodeError:
                continue
            if repair_bytes(data).text == word:
                right += 1
            else:
                wrong += 1
        print(f"  {name:8} read as GBK {right}, not {wrong}")
    valid = [w for w in _jieba_words() if _valid_utf8(w.encode("gbk"))]
    for label in ("utf-8", "windows-1252", "euc-kr", "big5"):
        right = sum(1 for w in valid if repair_bytes(w.encode("gbk"), charset=label).text == w)
        print(f"  jieba labelled {label}: read as GBK {right}, not {len(valid) - right}")
    for label in (None, "utf-8"):
        stay = sum(1 for w in UTF8_NEGATIVES
                   if (r := repair_bytes(w.encode("utf-8"), charset=label)).text == w
                   and r.encoding == "utf-8")
        print(f"  real short UTF-8 words kept as UTF-8, {label or 'undeclared'}: "
              f"{stay} of {len(UTF8_NEGATIVES)}")


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def one_char() -> None:
    """The 600 commonest Han characters of jieba's dictionary (by the model's
    unigram counts), each alone as two undeclared bytes: in GBK (gb18030)
    and, converted with OpenCC s2t, in Big5 (where it is two bytes there):
    right or wrong, at a confidence of 0.9 or more or below."""
    from app.convert import convert
    from app.model import get_model

    counts = get_model()._u
    chars = sorted((ch for ch in counts if HAN_RUN_RE.fullmatch(ch)),
                   key=lambda ch: (-counts[ch], ch))[:600]
    tally: dict[str, int] = {}
    for ch in chars:
        for codec, text in (("gb18030", ch), ("big5", convert(ch, "s2t"))):
            try:
                data = text.encode(codec)
            except UnicodeEncodeError:
                continue
            if len(data) != 2:
                continue
            r = repair_bytes(data)
            key = ("right" if r.text == text else "wrong") + (" >= 0.9" if r.confidence >= 0.9
                                                              else " < 0.9")
            tally[key] = tally.get(key, 0) + 1
    print("One Han character as two undeclared bytes, GBK and Big5 (repair_bytes):")
    print("  " + ", ".join(f"{k}: {tally[k]}" for k in sorted(tally)))


def cut() -> None:
    print("GBK cut after the lead byte of its last character (repair_bytes):")
    items = set()
    for text in _passages():
        try:
            text.encode("gbk")
        except UnicodeEncodeError:
            continue
        if HAN_RUN_RE.match(text[-1:]):
            items.add(text)
        for run in HAN_RUN_RE.findall(text):
            items.update(run[:n] for n in (2, 3, 4, 6) if len(run) >= n)
    counts: collections.Counter[str] = collections.Counter()
    for text in sorted(items):
        try:
            r = repair_bytes(text.encode("gbk")[:-1])
        except RepairError:
            counts["error"] += 1
            continue
        counts["one U+FFFD" if r.text == text[:-1] + "\ufffd" else "other"] += 1
    print(f"  {len(items)} strings: {dict(counts)}")


def _marked(output: str, expected: str) -> bool:
    """`output` equals `expected` where each U+FFFD stands for one or more
    characters of it."""
    pattern = "".join(".+?" if ch == "\ufffd" else re.escape(ch) for ch in output)
    return re.fullmatch(pattern, expected, re.DOTALL) is not None


def lost_utf8() -> None:
    print("UTF-8 read as GBK with lost bytes (repair_text):")
    texts = set()
    for text in _passages():
        texts.add(text)
        texts.update(line for line in text.split("\n") if line)
        for run in re.findall("[\u4e00-\u9fff\uff00-\uffef\u3000-\u303f0-9]+", text):
            for n in (2, 3, 4, 6):
                texts.update(run[i:i + n] for i in range(0, max(1, len(run) - n + 1), 2))
    cases: dict[str, str] = {}
    for text in sorted(texts):
        if not HAN_RUN_RE.search(text):
            continue
        for codec in ("gbk", "web-gbk"):
            damaged = text.encode("utf-8").decode(codec, "replace")
            if "\ufffd" in damaged and sum(map(str.isascii, damaged)) == sum(
                    map(str.isascii, text)):
                cases.setdefault(damaged, text)
    counts: collections.Counter[str] = collections.Counter()
    for damaged, text in cases.items():
        r = repair_text(damaged)
        kind = ("right" if r.text == text
                else "left" if r.text == damaged or _marked(r.text, text) else "wrong")
        counts[kind] += 1
        if r.confidence >= 0.9:
            counts[f"{kind} at >= 0.9"] += 1
        if kind == "right" and any(s.guessed for s in r.spans):
            counts["right, guessed"] += 1
    print(f"  {len(cases)} strings: {dict(sorted(counts.items()))}")


def lost_twice() -> None:
    print("UTF-8 read as GBK with errors='replace' twice (repair_text):")
    counts: collections.Counter[str] = collections.Counter()
    for word in _jieba_words():
        once = word.encode("utf-8").decode("gbk", "replace")
        twice = once.encode("utf-8").decode("gbk", "replace")
        if "\ufffd" not in once or twice == once:
            continue
        r = repair_text(twice)
        kind = ("right" if r.text == word
                else "left" if r.text == twice or _marked(r.text, word) else "wrong")
        counts[kind] += 1
        counts[f"{kind}, confidence 0"] += r.confidence == 0.0
        counts[f"{kind} at >= 0.9"] += r.confidence >= 0.9
    print(f"  {sum(counts[k] for k in ('right', 'left', 'wrong'))} words: "
          + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if v))


# Full-width forms and symbols, each in both GBK and Big5 where it encodes.
FULL_WIDTH = """１２３ ２０２４ ０ ９ ＡＢＣ ＸＹＺ ａｂｃ ＯＫ ＴＶ ＣＰＵ ＵＳＢ Ａ ｘｙｚ
（１） １． ＃１ ＠ ＆ ％ ＋ ＝ ～ １０％ ＡＢ＋""".split()
SYMBOLS = """★☆ ※ ○● →← ■□ ◆◇ △▲ 【】 《》 “” 、。 ℃ ‰ §№ ￥ ±× ÷ ∞ √ ≠ ≤≥ ♂♀
…… —— ·""".split()
NUMBERS = """①②③ ① ⑩ ⑴⑵⑶ ⒈⒉⒊ ⅠⅡⅢ Ⅳ ⅰⅱⅲ ㈠㈡ ⑤⑥""".split()
JAPANESE_KANJI = """東京 大阪 日本 京都 会社 新聞 天気 時間 電話 学校 先生 銀行 名古屋 北海道
横浜 駅 社長 部長 株式会社 営業時間 検索 会員登録 住所 価格 送料無料""".split()
JAPANESE_KANA = """ありがとう こんにちは カタカナ テスト ニュース さくら ログイン メール
ホーム ください です ひらがな お問い合わせ ショッピング""".split()
JAPANESE_MIXED = """東京都の天気 日本語を話す 今日は晴れ 食べる 新しい お知らせ 会員ログイン
利用規約について 東京の駅 大阪へ行く 私は学生です 日本の首都""".split()
KOREAN = """한국 서울 안녕하세요 감사합니다 뉴스 로그인 검색 대한민국 사랑 회원가입 날씨
오늘의 뉴스 부산 사진""".split()
WRAPS = ("{}", "<p>{}</p>", "<td>{}</td>")


def _cjk_sets() -> list[tuple[str, list[str], str]]:
    from app.convert import converter

    runs = sorted({run for text in _passages() for run in HAN_RUN_RE.findall(text)})
    windows = sorted({run[i:i + n] for run in runs for n in (2, 3, 4)
                      for i in range(0, max(1, len(run) - n + 1), 3) if len(run) >= n})
    hant = sorted({converter("s2t").convert(w) for w in windows})
    return [("full-width gbk", FULL_WIDTH, "gbk"), ("full-width big5", FULL_WIDTH, "big5"),
            ("symbols gbk", SYMBOLS, "gbk"), ("symbols big5", SYMBOLS, "big5"),
            ("numbers gbk", NUMBERS, "gbk"), ("numbers big5", NUMBERS, "big5"),
            ("kanji shift_jis", JAPANESE_KANJI, "shift_jis"),
            ("kanji cp932", JAPANESE_KANJI, "cp932"), ("kanji euc_jp", JAPANESE_KANJI, "euc_jp"),
            ("kana shift_jis", JAPANESE_KANA, "shift_jis"),
            ("kana euc_jp", JAPANESE_KANA, "euc_jp"),
            ("mixed shift_jis", JAPANESE_MIXED, "shift_jis"),
            ("mixed cp932", JAPANESE_MIXED, "cp932"), ("mixed euc_jp", JAPANESE_MIXED, "euc_jp"),
            ("korean cp949", KOREAN, "cp949"),
            ("words gbk", windows, "gbk"), ("words big5", hant, "big5")]


def cjk(show: int = 0) -> None:
    print("Short CJK strings in their codecs, undeclared, alone and in markup (repair_bytes):")
    print(f"  {'set':18} {'inputs':>6} {'right':>6} {'right < 0.9':>11} {'wrong':>6} "
          f"{'wrong >= 0.9':>12}")
    total: collections.Counter[str] = collections.Counter()
    for name, words, codec in _cjk_sets():
        counts: collections.Counter[str] = collections.Counter()
        shown = []
        for word in words:
            for wrap in WRAPS:
                text = wrap.format(word)
                try:
                    data = text.encode(codec)
                except UnicodeEncodeError:
                    continue
                counts["inputs"] += 1
                try:
                    r = repair_bytes(data)
                except RepairError:
                    counts["wrong"] += 1
                    continue
                if r.text == text:
                    counts["right"] += 1
                    counts["right < 0.9"] += r.confidence < 0.9
                    continue
                counts["wrong"] += 1
                if r.confidence >= 0.9:
                    counts["wrong >= 0.9"] += 1
                if len(shown) < show:
                    shown.append(f"{text} -> {r.text} ({r.encoding}, {r.confidence:.3f})")
        total.update(counts)
        print(f"  {name:18} {counts['inputs']:6} {counts['right']:6} {counts['right < 0.9']:11} "
              f"{counts['wrong']:6} {counts['wrong >= 0.9']:12}")
        for line in shown:
            print(f"      {line}")
    print(f"  {'all':18} {total['inputs']:6} {total['right']:6} {total['right < 0.9']:11} "
          f"{total['wrong']:6} {total['wrong >= 0.9']:12}")


def main(argv: list[str] | None = None) -> int:
    measures = {"european": european, "utf8_words": utf8_words, "cut": cut,
                "lost_utf8": lost_utf8, "lost_twice": lost_twice, "cjk": cjk,
                "one_char": one_char}
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", default=",".join(measures))
    ap.add_argument("--show", type=int, default=0,
                    help="cjk: print up to this many wrong outputs per set")
    args = ap.parse_args(argv)
    for name in args.only.split(","):
        if name == "cjk":
            cjk(args.show)
        else:
            measures[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main())
