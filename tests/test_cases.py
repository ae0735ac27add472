"""Every table-driven case in tests/cases/ through the engine."""

from __future__ import annotations

import pytest

from app import apply_plan, repair_text
from conftest import load_cases

FILES = ("synthetic", "escaped", "in_the_wild", "negative", "known_failures")
ALL = load_cases(*FILES)


@pytest.mark.parametrize("case", ALL)
def test_case(case):
    result = repair_text(case["original"])
    assert result.text == case["expected"]
    assert result.changed == (case["expected"] != case["original"])
    if "plan" in case:
        changed = [s for s in result.spans if s.kind != "lost"]
        assert len(changed) == 1
        assert [list(p) for p in changed[0].plan] == case["plan"]
    if "warning" in case:
        assert any(case["warning"] in w for w in result.warnings), result.warnings
    if "max_confidence" in case:
        assert result.confidence <= case["max_confidence"]
    if "min_confidence" in case:
        assert result.confidence >= case["min_confidence"]


@pytest.mark.parametrize("case", load_cases(*FILES, xfail=False))
def test_case_replays_and_is_stable(case):
    """Holds for known failures too: a wrong repair must still replay."""
    result = repair_text(case["original"])
    assert apply_plan(case["original"], result.steps) == result.text
    for span in result.spans:
        assert case["original"][span.start : span.end] == span.original
        assert result.text[span.out_start : span.out_end] == span.repaired
        if span.plan:
            assert apply_plan(span.original, span.plan) == span.repaired
        assert 0.0 <= span.confidence <= 1.0
    again = repair_text(result.text)
    assert again.text == result.text
    assert not [s for s in again.spans if s.kind != "lost"]
