"""ftfy's own test cases (tests/data/ftfy/, Apache-2.0) by ftfy's rule for its
encoding fixer: every `pass` case's output equals `fixed-encoding`, else `fixed`.
(luanma unescapes HTML character references only where the result is Chinese,
app/escapes.py, so ftfy's entity cases keep their references, as its encoding
fixer does.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app import repair_text

DATA = Path(__file__).resolve().parent / "data" / "ftfy"


def _cases():
    for path in sorted(DATA.glob("*.json")):
        for n, case in enumerate(json.loads(path.read_text(encoding="utf-8"))):
            if case["expect"] == "pass":
                yield pytest.param(case, id=f"{path.stem}-{n:03d}")


@pytest.mark.parametrize("case", list(_cases()))
def test_ftfy_case(case):
    expected = case.get("fixed-encoding", case["fixed"])
    assert repair_text(case["original"]).text == expected


def test_ftfy_suite_is_all_there():
    assert len(list(_cases())) == 151
