"""Engine options: min_confidence, detect_only and the deadline."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import apply_plan, repair, repair_bytes, repair_text
from app.engine import DEADLINE_WARNING
from app.errors import InvalidOption

GARBLED = "鏁版嵁鎶撳彇缁撴灉"
FIXED = "数据抓取结果"
LATIN1 = "´´½¨¹ú¼Ò"


@pytest.mark.parametrize("text", [GARBLED, (GARBLED + "。\n") * 100],
                         ids=["short", "gated-long"])
def test_deadline_already_past_gives_the_input_back(text):
    past = time.monotonic() - 1
    first = repair_text(text, deadline=past)
    assert (first.text, first.changed, first.confidence) == (text, False, 0.0)
    assert first.warnings == (DEADLINE_WARNING,)
    assert first.spans == () and first.steps == ()
    assert repair_text(text, deadline=past) == first  # deterministic


def test_deadline_past_for_bytes_gives_them_decoded():
    r = repair_bytes(LATIN1.encode("utf-8"), deadline=time.monotonic() - 1)
    assert (r.text, r.encoding, r.changed) == (LATIN1, "utf-8", False)
    assert apply_plan(LATIN1.encode("utf-8"), r.steps) == LATIN1
    assert DEADLINE_WARNING in r.warnings


def test_deadline_past_still_converts():
    r = repair_text("創建國家", convert="t2s", deadline=time.monotonic() - 1)
    assert r.text == "创建国家"


def test_distant_deadline_changes_nothing():
    assert repair_text(GARBLED, deadline=time.monotonic() + 3600) == repair_text(GARBLED)


def test_ascii_text_is_not_cut():
    r = repair_text("plain ASCII", deadline=time.monotonic() - 1)
    assert r.warnings == () and r.confidence > 0.9


def test_detect_only():
    r = repair_text(GARBLED, detect_only=True)
    assert (r.text, r.changed) == (GARBLED, False)
    assert r.confidence == repair_text(GARBLED).confidence
    [span] = r.spans
    assert (span.kind, span.start, span.end, span.out_start, span.out_end, span.repaired) == \
        ("utf8_as_gbk", 0, 9, 0, 9, FIXED)
    assert apply_plan(GARBLED, r.steps) == GARBLED
    assert r.warnings == ()


def test_detect_only_bytes_keeps_the_decode_step():
    data = LATIN1.encode("utf-8")
    r = repair_bytes(data, detect_only=True, convert="s2t")
    assert r.text == LATIN1
    assert [s.action for s in r.steps] == ["decode"]
    assert r.spans[0].kind == "gbk_as_latin1" and r.spans[0].start_byte == 0


def test_min_confidence_withholds_below_and_keeps_at_or_above():
    conf = repair_text(GARBLED).confidence
    kept = repair_text(GARBLED, min_confidence=conf)
    assert kept.text == FIXED and kept.warnings == ()
    withheld = repair_text(GARBLED, min_confidence=min(1.0, conf + 0.0001))
    assert (withheld.text, withheld.changed) == (GARBLED, False)
    assert withheld.warnings == ((f"confidence {conf:.4f} is below min_confidence "
                                  f"{min(1.0, conf + 0.0001)}: the input is returned unchanged"),)
    assert withheld.spans[0].repaired == FIXED


def test_min_confidence_on_clean_text_warns_of_nothing():
    r = repair_text("干净的中文", min_confidence=1.0)
    assert r.text == "干净的中文" and r.warnings == ()


def test_repair_passes_the_options():
    assert repair(GARBLED, detect_only=True).text == GARBLED
    assert repair(GARBLED.encode(), min_confidence=1.0).text == GARBLED
    assert repair(GARBLED.encode(), min_confidence=0.5).text == FIXED


@pytest.mark.parametrize("value", [-0.1, 1.5, float("nan"), True, "0.5"])
def test_bad_min_confidence(value):
    with pytest.raises(InvalidOption) as err:
        repair_text("x", min_confidence=value)
    assert err.value.field == "min_confidence" and err.value.code == "invalid_field"
    with pytest.raises(InvalidOption):
        repair_bytes(b"x", min_confidence=value)


def test_repair_of_neither_str_nor_bytes_names_repair():
    with pytest.raises(TypeError, match="^repair takes str or bytes, not NoneType$"):
        repair(None)


def test_charset_with_str_is_an_invalid_option():
    """A charset describes bytes; with a str (already decoded) it is a
    mistake, refused as the API refuses it for a JSON item's text."""
    with pytest.raises(InvalidOption) as err:
        repair(GARBLED, charset="gbk")
    assert err.value.field == "charset"
    assert repair(GARBLED).text == FIXED
    assert repair(GARBLED.encode("utf-8"), charset="utf-8").text == FIXED


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_detect_only_never_changes_text(text):
    r = repair_text(text, detect_only=True)
    assert r.text == text and not r.changed
    assert all(s.out_start == s.start and s.out_end == s.end for s in r.spans)


def test_deadline_inside_a_long_line_keeps_the_pieces_decided_before_it(monkeypatch):
    """A line longer than `chardata.LONG_LINE_CHARS` is searched piece by
    piece, each piece's repairs decided before the next is searched; when
    the deadline passes while the second piece is searched, the first
    piece's repairs stay (a page with no line breaks is not left wholly
    garbled), the rest comes as it came. The clock is the engine's own
    `_past`, made to pass once two pieces were searched."""
    from app import chardata, engine

    unit = GARBLED + " "
    line = unit * (2 * chardata.LONG_LINE_CHARS // len(unit) + 50)
    searched = []
    real_piece = engine._piece_round_trips

    def piece(*args, **kwargs):
        found = real_piece(*args, **kwargs)
        searched.append(args[1:3])
        return found

    monkeypatch.setattr(engine, "_piece_round_trips", piece)
    monkeypatch.setattr(engine, "_past", lambda deadline: deadline == 1e18 and len(searched) >= 2)
    r = repair_text(line, deadline=1e18, _gate=False)
    assert len(searched) == 2
    (_, first_end), (_, second_end) = searched
    assert first_end % len(unit) == 0  # (cut after a space: whole units)
    done = first_end // len(unit)
    assert r.text == (FIXED + " ") * done + line[first_end:]
    assert DEADLINE_WARNING in r.warnings and r.confidence == 0.0
