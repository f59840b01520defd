"""result.py: the Result's derived figures and its SPEC §5 JSON form."""

from __future__ import annotations

import json

from defplan.result import (
    CandidateOutcome,
    CommitmentOutcome,
    Result,
    SolverInfo,
    Status,
    clean,
    reported_sum,
)


def candidate(cid: str, selected: bool, cost: float, profile: dict[int, float]) -> CandidateOutcome:
    return CandidateOutcome(
        id=cid,
        name=cid.upper(),
        group=None,
        selected=selected,
        cost=cost,
        value=cost / 10,
        objectives={"a": cost / 10},
        profile=profile,
    )


def result(status: Status = Status.OPTIMAL) -> Result:
    return Result(
        status=status,
        name="n",
        file="f.yaml",
        sha256="abc",
        currency="EUR",
        unit="M",
        budget_total=None,
        budget_per_year={2027: 50.0, 2026: 40.0},
        weights={"a": 1.0},
        objective_labels={"a": "A"},
        candidates=(
            candidate("p", True, 30, {2026: 10, 2027: 20}),
            candidate("q", True, 7, {}),
            candidate("r", False, 99, {2026: 99}),
        ),
        commitments={
            "c": CommitmentOutcome(label="C", framework="NATO", hard=False, target=5, achieved=3)
        },
        groups={},
        value=3.7,
        solver=SolverInfo(name="HiGHS", version="1", gap=0.0, seconds=0.1),
    )


def test_costs_are_summed_from_the_selection() -> None:
    r = result()
    assert r.selected_ids == ("p", "q")
    assert r.cost_per_year == {2026: 10, 2027: 20}
    assert r.cost_unphased == 7
    assert r.cost_total == 37 == sum(r.cost_per_year.values()) + r.cost_unphased
    assert r.objectives == {"a": 3.7}


def test_json_has_the_spec_fields() -> None:
    d = json.loads(result().to_json())
    assert d["format"] == "defplan-result/1"
    assert d["portfolio"] == {"name": "n", "file": "f.yaml", "sha256": "abc"}
    assert d["budget"] == {"total": None, "per_year": {"2026": 40.0, "2027": 50.0}}
    assert d["cost"] == {"total": 37, "per_year": {"2026": 10, "2027": 20}, "unphased": 7}
    assert [s["id"] for s in d["selected"]] == ["p", "q"]
    assert d["commitments"]["c"] == {
        "label": "C",
        "framework": "NATO",
        "hard": False,
        "target": 5,
        "achieved": 3,
        "met": False,
        "shortfall": 2,
    }
    assert d["solver"]["gap"] == 0


def test_no_portfolio_means_null_value_and_nothing_selected() -> None:
    d = result(Status.INFEASIBLE).to_dict()
    assert d["status"] == "infeasible" and d["value"] is None and d["selected"] == []
    assert not any(c["selected"] for c in d["candidates"])
    assert d["cost"]["total"] == 0


def test_clean_drops_negative_zero_and_float_noise() -> None:
    assert str(clean(-0.0)) == "0.0"
    assert clean(0.1 + 0.2) == 0.3
    assert clean(13.799999999999999) == 13.8
    assert clean(123456789.125) == 123456789.125


def test_reported_sums_are_taken_in_decimal() -> None:
    assert reported_sum(2903.04475, -2903.01625) == 0.0285  # floats: 0.0284999999999
    assert reported_sum(0.1, 0.2) == 0.3 and reported_sum() == 0
    assert str(reported_sum(1.5, -1.5)) == "0.0"  # never -0.0
