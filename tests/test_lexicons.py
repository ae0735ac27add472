"""The other scripts' word lists (app/lexicons.py) and how the model prices them."""

from __future__ import annotations

import math

import pytest
import wordfreq

from app.lexicons import script_of
from app.model import CLASS_BITS, FOREIGN_WORD_ENTRY_BITS, SCRIPT_SWITCH_BITS, get_model


def _frequency(word: str, lang: str) -> float:
    # (wordfreq.word_frequency tokenizes Korean and Japanese with MeCab)
    return wordfreq.get_frequency_dict(lang, "small").get(word, 0.0)


@pytest.fixture(scope="module")
def lexicon():
    return get_model().lexicon


def test_a_cyrillic_word_is_its_whole_run_cased_as_words_are(lexicon):
    text = "他去了Київ。"
    mean = (_frequency("київ", "ru") + _frequency("київ", "uk")) / 2
    [(length, bits)] = lexicon.words_at(text, 3, "cyrillic")
    assert length == 4 and bits == pytest.approx(-math.log2(mean), abs=0.01)
    assert lexicon.words_at(text, 4, "cyrillic") == []  # inside the run
    assert lexicon.words_at("КиЇв", 0, "cyrillic") == []  # not cased as words are
    assert lexicon.words_at("КИЇВ", 0, "cyrillic")[0][0] == 4


def test_kana_and_hangul_runs_are_segmented_into_words(lexicon):
    assert 3 in [n for n, _ in lexicon.words_at("セブンイレブン", 0, "kana")]  # セブン
    assert 4 in [n for n, _ in lexicon.words_at("セブンイレブン", 3, "kana")]  # イレブン
    assert 2 in [n for n, _ in lexicon.words_at("소주를", 0, "hangul")]
    # いゅ is no Japanese spelling (Big5 中文 read as GBK): only words of one
    # letter, which go on from a word only (model._segment_cost)
    assert [n for n, _ in lexicon.words_at("いゅ", 0, "kana")] == [1]
    assert [n for n, _ in lexicon.words_at("いゅ", 1, "kana")] == [1]


def test_script_of():
    assert [script_of(ch) for ch in "소セさЖї・中a"] == [
        "hangul", "kana", "kana", "cyrillic", "cyrillic", None, None, None]


def test_a_word_counts_in_the_text_as_it_came_not_in_what_a_repair_made():
    model = get_model()
    as_came = model.cost("소주", "标签：", "", names=(0, 0))
    as_made = model.cost("소주", "标签：", "", names=(0, 2))
    letters = 2 * CLASS_BITS["hangul"]
    # as made, two letters of their class and the switch after ：
    assert as_made - model.cost("", "标签：", "", names=(0, 0)) == pytest.approx(
        letters + SCRIPT_SWITCH_BITS)
    word = -math.log2(_frequency("소주", "ko"))
    assert as_made - as_came == pytest.approx(letters - FOREIGN_WORD_ENTRY_BITS - word, abs=0.1)


def test_a_one_letter_word_only_goes_on_from_a_word():
    model = get_model()
    # 를 alone is priced as a letter, after 소주 as a word of the run
    alone = model.cost("를", "标签：", "", names=(0, 0))
    assert alone == pytest.approx(model.cost("를", "标签：", "", names=(0, 1)))
    run = model.cost("소주를", "标签：", "", names=(0, 0))
    assert run < model.cost("소주", "标签：", "", names=(0, 0)) + CLASS_BITS["hangul"]
