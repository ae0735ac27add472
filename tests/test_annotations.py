"""Flattened ruby annotations: a reading per word weighs as readings per character."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.annotations import find_annotations

# Words with their tone-marked reading per character (pypinyin's readings;
# no neutral tones, which are removed only beside three marked readings).
WORDS = [
    ("苹果", ("píng", "guǒ")),
    ("香蕉", ("xiāng", "jiāo")),
    ("創建", ("chuàng", "jiàn")),
    ("國家", ("guó", "jiā")),
    ("蚌埠", ("bèng", "bù")),
    ("天气", ("tiān", "qì")),
    ("喆", ("zhé",)),
]
FILLER = ["生词：", "他的名字是", "工作", "很好", "地区"]

# A paragraph: words, each annotated or not, with filler between some.
ITEMS = st.lists(
    st.one_of(
        st.tuples(st.just("word"), st.sampled_from(WORDS), st.booleans(),
                  st.sampled_from(["", "、", " "])),
        st.tuples(st.just("filler"), st.sampled_from(FILLER), st.just(False), st.just("")),
    ),
    min_size=1, max_size=8,
)


def _paragraph(items, per_word: bool) -> str:
    out = []
    for kind, item, annotated, sep in items:
        if kind == "filler":
            out.append(item)
            continue
        word, syllables = item
        if not annotated:
            out.append(word + sep)
        elif per_word:
            out.append(f"{word}({''.join(syllables)}){sep}")
        else:
            out.append("".join(f"{c}({s})" for c, s in zip(word, syllables)) + sep)
    return "".join(out)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ITEMS)
def test_per_word_and_per_character_readings_decide_alike(items):
    per_word = _paragraph(items, per_word=True)
    per_char = _paragraph(items, per_word=False)
    read = [item[0] for kind, item, a, _ in items if kind == "word" and a]
    annotated = sum(map(len, read))
    if len(read) == 1 and len(read[0]) > 1:
        # The text's only reading, of a whole word, is a writer's aside
        # (成都(chéngdū)是…) or a lesson's: kept either way; read character
        # by character (成(chéng)都(dū)) it is ruby unless a lesson.
        assert find_annotations(per_word) == []
        return
    # Kept (a lesson) in one form exactly when kept in the other.
    assert (find_annotations(per_word) == []) == (find_annotations(per_char) == [])
    if find_annotations(per_char):
        assert len(find_annotations(per_char)) == annotated


def test_user_lists_are_lessons():
    # fresh-eyes report (ruby-fe7): six of eight, four of six characters read.
    words = "苹果(píngguǒ)、香蕉(xiāngjiāo)、橙子(chéngzi)。"
    assert find_annotations("生词：" + words) == []
    assert find_annotations("地名：六安(lù ān)、蚌埠(bèng bù)。") == []
    assert find_annotations("爸爸(bàba)") == []


def test_a_sparse_gloss_of_an_uncommon_character_is_kept_and_reported():
    text = "他的名字是王喆(wángzhé)，不是王哲。"
    glosses: list = []
    assert find_annotations(text, glosses) == []
    assert glosses == [(5, 16, "wángzhé")]
    glosses = []
    assert find_annotations("他的名字是王喆(zhé)，不是王哲。", glosses) == []
    assert glosses == [(6, 12, "zhé")]
    # a common character's only reading in half-width parentheses is ruby
    glosses = []
    assert find_annotations("創(chuàng)建", glosses) == [(1, 9, "chuàng")]
    assert glosses == []


@pytest.mark.parametrize("text, pos, expected", [
    ("首页", 1, True),          # the word itself
    ("設定", 1, True),          # Traditional, folded to 设定
    ("北京大学", 2, True),      # a four-character word across the middle
    ("李白是唐代", 2, False),    # 白|是: no word holds both
    ("重庆。", 2, False),        # punctuation after the word
    ("首页", 0, False),          # no character before offset 0
    ("首页", 2, False),          # nor after the end
])
def test_word_across(text, pos, expected):
    from app.model import get_model

    assert get_model().word_across(text, pos) is expected


def test_the_only_reading_of_a_whole_word_is_an_aside():
    # fresh-eyes S1-a (session 10): 158 of 225 such glosses were removed.
    glosses: list = []
    assert find_annotations("成都(chéngdū)是四川的省会。", glosses) == []
    assert glosses == [(0, 11, "chéngdū")]
    # read character by character, or word after word, it is ruby
    assert find_annotations("北(běi)京(jīng)是中国的首都。") == [(1, 6, "běi"), (7, 13, "jīng")]
    assert len(find_annotations("創建(chuàngjiàn)國家(guójiā)衛生區的工作")) == 2
