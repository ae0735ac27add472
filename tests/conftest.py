"""Shared fixtures and the one loader of tests/cases/*.jsonl."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"
SAMPLES = ROOT / "samples"
REAL_SAMPLE = SAMPLES / "000_cc1ae68ad79e1051.txt"


def load_cases(*names: str, xfail: bool = True) -> list:
    """Cases from tests/cases/<name>.jsonl as pytest params, ids = case ids;
    with `xfail`, `expect: fail` cases are xfail(strict=True).

    Raises:
        ValueError: two cases share an id (pytest would run both under one
            name, and a failure report would not say which).
    """
    params, seen = [], set()
    for name in names:
        # split on LF only: cases hold U+0085 and U+2028, which splitlines() splits on
        for line in (CASES / f"{name}.jsonl").read_text(encoding="utf-8").split("\n"):
            if not line.strip():
                continue
            case = json.loads(line)
            if case["id"] in seen:
                raise ValueError(f"tests/cases/{name}.jsonl: duplicate case id {case['id']!r}")
            seen.add(case["id"])
            marks = [pytest.mark.xfail(strict=True, reason=case["source"])] \
                if xfail and case["expect"] == "fail" else []
            params.append(pytest.param(case, id=case["id"], marks=marks))
    return params


def api_error(r, status: int, code: str) -> dict:
    """Assert that response `r` is the API's one error shape with `status`
    and `code`; return its ``error`` object."""
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


@pytest.fixture(scope="session")
def client():
    from fastapi.testclient import TestClient

    from app.api.main import app

    with TestClient(app) as c:
        yield c
