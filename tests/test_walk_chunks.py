"""The tie rule's file-order walk across several chunks, against enumeration.

The walk settles CHUNK candidates a solve (20), so the small portfolios the brute-force
checks draw fit in one chunk. Here CHUNK is 1, 2 or 3: every walk crosses chunks, and
each chunk's one solve must both find the chunk's lexicographic best among the tied
portfolios and end the walk once no other tie is left. Static portfolios full of
ties (tests/bruteforce.py) and plans in time (several start years a candidate: the walk
over candidates, then over their starts; tests/bruteforce_time.py).
"""

from __future__ import annotations

import importlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from bruteforce import cases, near_a_boundary, tie_cases
from bruteforce_time import FEATURES, time_docs
from hypothesis import assume, event, given, settings
from test_bruteforce import TIE_LEX_FREE_ZERO, TIE_LEX_PAIRS, check
from test_time_bruteforce import FAST, check_doc

# the module (defplan.solving's `canonical` is its function of that name)
canonical = importlib.import_module("defplan.solving.canonical")


@pytest.fixture(params=[1, 2, 3], ids=lambda k: f"chunk{k}")
def small_chunks(request: pytest.FixtureRequest) -> Any:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(canonical, "CHUNK", request.param)
        yield request.param


@pytest.mark.parametrize("solver", ["auto", "highs", "cbc"])
def test_static_ties_walk_in_small_chunks(small_chunks: int, solver: str) -> None:
    @settings(max_examples=60, derandomize=True, deadline=None)
    @given(cases())
    def each(case: Any) -> None:
        expected = check(replace(case, solver=solver))
        event(f"{expected.status}, decided by {expected.decided_by or '-'}")

    each()
    check(replace(TIE_LEX_PAIRS, solver=solver))
    check(replace(TIE_LEX_FREE_ZERO, solver=solver))


def test_near_ties_walk_in_small_chunks(small_chunks: int) -> None:
    @settings(max_examples=60, derandomize=True, deadline=None)
    @given(tie_cases())
    def each(case: Any) -> None:
        assume(not near_a_boundary(case))
        check(case)

    each()


def test_plans_in_time_walk_in_small_chunks(small_chunks: int, tmp_path: Path) -> None:
    @FAST
    @given(time_docs(FEATURES))
    def each(doc: dict[str, Any]) -> None:
        check_doc(doc, tmp_path)

    each()

    @FAST
    @given(time_docs(("windows",)))
    def windows(doc: dict[str, Any]) -> None:
        check_doc(doc, tmp_path)

    windows()
