"""Word lists of the other scripts a wrong decode makes of Chinese bytes.

GBK read as cp949 makes hangul syllables, Big5 read as GBK makes kana, GBK
or Big5 read as windows-1251 makes Cyrillic letters. The language model
(`model.CharModel.cost`) prices a letter of those scripts by its class
(`model.CLASS_BITS`), uniform over the letters, as mojibake is uniform over
its code page's rows. A word that a Chinese text quotes (标签：소주,
他去了Київ。, 品牌：セブンイレブン) is no such accident: it is a word of
its language, and its cost is that word's frequency there. `Lexicon` holds
those frequencies for the model's segmentation (`Lexicon.words_at`).

Data: wordfreq 3.1 (``wordfreq`` on PyPI, https://github.com/rspeer/wordfreq;
code Apache-2.0, word lists CC BY-SA 4.0, built from Wikipedia, subtitles
(OpenSubtitles), news, books (Google Books), web text, Twitter and Reddit),
its "small" lists (words of frequency 1e-6 and up) of Korean, Japanese,
Russian and Ukrainian, read through `wordfreq.get_frequency_dict`, which
needs no MeCab (only `wordfreq.tokenize` does). Only the words written
wholly in their script's letters are kept (`SCRIPT_LETTERS`: kanji are Han,
which the Chinese model scores): 126,689 words (26,795 hangul, 8,920 kana,
90,974 Cyrillic), about 8 MB. The lists ship inside the package; nothing is
downloaded. Loaded once per process, with the model (`model.get_model`,
which `engine.warm_up` calls).
"""

from __future__ import annotations

import math
import re

from .detect import cased_like_a_word

# script -> (wordfreq languages, the letters a word of it is written in).
# Kana: hiragana and katakana with the prolonged sound mark and the
# iteration marks (U+3041..U+309F, U+30A0..U+30FF less the middle dot,
# which separates words). Cyrillic: the Cyrillic block (U+0400..U+04FF),
# Russian and Ukrainian alike (Київ, Львів).
SCRIPT_LETTERS: dict[str, tuple[tuple[str, ...], str]] = {
    "hangul": (("ko",), "\uac00-\ud7a3"),
    "kana": (("ja",), "\u3041-\u309f\u30a1-\u30fa\u30fc-\u30ff"),
    "cyrillic": (("ru", "uk"), "\u0400-\u04ff"),
}
# Scripts whose words are written apart (a space or a mark between them):
# a run of their letters is one word or none. Korean writes particles and
# endings against the word (소주를) and Japanese writes no spaces, so their
# runs are segmented into words (セブン + イレブン).
WHOLE_RUN_SCRIPTS = frozenset({"cyrillic"})
# Longest word looked up, in letters (longer runs are segmented).
MAX_WORD_LETTERS = 12


class Lexicon:
    """Bits of each word of the other scripts' languages.

    A word's bits are ``-log2`` of its frequency among the tokens of its
    language; where a script serves two languages (Cyrillic: Russian and
    Ukrainian), of the mean of its frequencies in both (a mixture with equal
    weights: a Russian word pays one bit for not knowing which).
    """

    def __init__(self, words: dict[str, dict[str, float]]):
        """Args: words: script (a key of `SCRIPT_LETTERS`) -> word (lower
        case) -> bits."""
        self._words = words
        self._script_re = {script: re.compile(f"[{letters}]+")
                           for script, (_, letters) in SCRIPT_LETTERS.items()}

    @classmethod
    def from_wordfreq(cls) -> "Lexicon":
        """Read wordfreq's small lists (see the module docstring).

        Raises:
            ImportError: if the wordfreq package is not installed.
            OSError: if its data files cannot be read.
        """
        import wordfreq

        words: dict[str, dict[str, float]] = {}
        for script, (languages, letters) in SCRIPT_LETTERS.items():
            written = re.compile(f"[{letters}]+")
            share: dict[str, float] = {}
            for lang in languages:
                for word, freq in wordfreq.get_frequency_dict(lang, "small").items():
                    if len(word) <= MAX_WORD_LETTERS and written.fullmatch(word):
                        share[word] = share.get(word, 0.0) + freq / len(languages)
            words[script] = {w: -math.log2(f) for w, f in share.items()}
        return cls(words)

    def __len__(self) -> int:
        return sum(len(w) for w in self._words.values())

    def runs(self, script: str) -> re.Pattern[str]:
        """The compiled regex of a run of `script`'s letters (`SCRIPT_LETTERS`)."""
        return self._script_re[script]

    @staticmethod
    def whole_run(script: str) -> bool:
        """Whether a word of `script` is always a whole run of its letters
        (`WHOLE_RUN_SCRIPTS`)."""
        return script in WHOLE_RUN_SCRIPTS

    def bits(self, word: str, script: str) -> float | None:
        """Bits of `word` as written (a Cyrillic word must be cased as words
        are: Київ, КИЇВ, київ), or None if it is not a word of `script`."""
        table = self._words.get(script)
        if table is None:
            return None
        if script == "cyrillic":
            if not cased_like_a_word(word):
                return None
            word = word.lower()
        return table.get(word)

    def words_at(self, text: str, start: int, script: str) -> list[tuple[int, float]]:
        """The words of `script` that begin at code-point offset `start` of
        `text`, as ``(length in characters, bits)``, shortest first. For a
        script of `WHOLE_RUN_SCRIPTS`, only the whole run of its letters, and
        only where `start` begins that run."""
        letters = self._script_re[script]
        if script in WHOLE_RUN_SCRIPTS and start > 0 and letters.match(text, start - 1, start):
            return []  # not where the run begins (one letter looked at)
        # (no longer than a word looked up, and one more letter: linear in a
        # long run, which is looked up from every letter)
        run = letters.match(text, start, start + MAX_WORD_LETTERS + 1)
        if run is None:
            return []
        if script in WHOLE_RUN_SCRIPTS:
            if run.end() - start > MAX_WORD_LETTERS:
                return []  # a run longer than any word looked up
            bits = self.bits(run.group(), script)
            return [] if bits is None else [(run.end() - start, bits)]
        out = []
        for length in range(1, min(MAX_WORD_LETTERS, run.end() - start) + 1):
            bits = self.bits(text[start : start + length], script)
            if bits is not None:
                out.append((length, bits))
        return out


def script_of(ch: str) -> str | None:
    """The script of `SCRIPT_LETTERS` that `ch` is a letter of, or None."""
    if "\uac00" <= ch <= "\ud7a3":
        return "hangul"
    if "\u3041" <= ch <= "\u30ff" and ch not in "\u30a0\u30fb":
        return "kana"
    if "\u0400" <= ch <= "\u04ff":
        return "cyrillic"
    return None
