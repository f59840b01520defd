"""formulation.py: the model of docs/model.md as labelled blocks of rows, before any solver."""

from __future__ import annotations

import json
from typing import Any

import pytest
from samples import WARM_START_TRAP

from defplan import SolveOptions, UsageError, parse_portfolio
from defplan.formulation import formulate


def portfolio(**doc: Any) -> Any:
    base: dict[str, Any] = {
        "objectives": {"a": {"weight": 3}, "b": {"weight": 1}},
        "budget": {"total": 100, "per_year": {2026: 40}},
        "candidates": [
            {
                "id": "x",
                "group": "eq",
                "cost": {2026: 30, 2027: 10},
                "value": {"a": 4, "b": [0, 8]},
            },
            {"id": "y", "cost": {2026: 5}, "value": {"a": -1}, "commitments": {"c": 2}},
        ],
        "commitments": {"c": {"target": 1, "framework": "NATO"}},
    }
    base.update(doc)
    return parse_portfolio(json.dumps(base))


def labels(form: Any) -> list[str]:
    return [b.label for b in form.blocks]


def test_values_use_normalised_weights_and_midpoints() -> None:
    form = formulate(portfolio(), SolveOptions())
    assert form.weights == {"a": 0.75, "b": 0.25}
    assert form.values == (0.75 * 4 + 0.25 * 4, -0.75)
    assert form.costs == (40, 5)


def test_budget_blocks_and_overrides() -> None:
    form = formulate(portfolio(), SolveOptions(budget=50, budget_per_year={2027: 9}))
    assert form.budget_total == 50
    assert form.budget_per_year == {2026: 40, 2027: 9}
    assert labels(form)[:3] == [
        "total budget 50 M EUR",
        "budget cap for 2026: 40 M EUR",
        "budget cap for 2027: 9 M EUR",
    ]
    cap_2027 = form.blocks[2].rows[0]
    assert cap_2027.coefs == {0: 10.0} and cap_2027.upper == 9


def test_share_rule_is_linear_in_the_selection() -> None:
    form = formulate(portfolio(groups={"eq": {"min_share": 0.25}}), SolveOptions())
    (block,) = [b for b in form.blocks if "eq" in b.label]
    (row,) = block.rows
    # 0.25 * (40 x + 5 y) <= 40 x   <=>   (1 - 0.25) * 40 x - 0.25 * 5 y >= 0
    assert row.coefs == {0: 30.0, 1: -1.25} and row.lower == 0 and row.upper is None


def test_commitments_rules_links_and_forced_choices_become_blocks() -> None:
    form = formulate(
        portfolio(rules=[{"exactly": 1, "of": ["x", "y", "x"]}]),
        SolveOptions(include=("y",), exclude=("x",)),
    )
    names = labels(form)
    assert "commitment 'c' (NATO): reach 1" in names
    assert "exactly 1 of x, y, x" in names
    rule = form.blocks[names.index("exactly 1 of x, y, x")].rows[0]
    assert rule.coefs == {0: 1.0, 1: 1.0}  # an id listed twice counts once
    assert names[-2:] == ["--include 'y' (cost 5 M EUR)", "--exclude 'x'"]


def test_every_constraint_has_a_name_in_one_fixed_order() -> None:
    # names follow one scheme, and the order (which the conflict search
    # follows) is budget, annual caps, hard commitments, groups, rules, each
    # candidate's links in file order, then mandatory, --include and --exclude
    doc = portfolio(
        candidates=[
            {"id": "x", "group": "eq", "cost": {2026: 30}, "value": {"a": 1}, "mandatory": True},
            {"id": "y", "cost": {2026: 5}, "requires": ["x", "z"], "excludes": ["z"]},
            {"id": "z", "cost": 1, "excludes": ["y"], "commitments": {"c": 2}},
        ],
        groups={"eq": {"min": 1, "max": 90, "min_share": 0.1, "max_share": 0.9}},
        rules=[{"at_most": 2, "of": ["x", "y"]}, {"at_least": 1, "of": ["y", "z"]}],
        budget={"total": 100, "per_year": {2027: 9, 2026: 40}},
    )
    form = formulate(doc, SolveOptions(include=("z",), exclude=("y",)))
    assert [b.name for b in form.blocks] == [
        "budget.total",
        "budget.per_year.2026",
        "budget.per_year.2027",
        "commitment.c",
        "group.eq.min",
        "group.eq.max",
        "group.eq.min_share",
        "group.eq.max_share",
        "rule.0",
        "rule.1",
        "requires.y.x",
        "requires.y.z",
        "excludes.y.z",  # declared by both: named after the first to declare it
        "mandatory.x",
        "include.z",
        "exclude.y",
    ]
    assert form.blocks[1].unit == "M EUR" and form.blocks[8].unit == "candidates"


def test_soft_commitments_are_not_constraints() -> None:
    form = formulate(
        portfolio(commitments={"c": {"target": 3, "hard": False, "penalty": 2}}), SolveOptions()
    )
    assert not any("commitment" in b.label for b in form.blocks)
    (soft,) = form.soft
    assert (soft.target, soft.penalty, soft.coefs) == (3, 2, {1: 2.0})


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (SolveOptions(include=("x",), exclude=("x",)), "both --include and --exclude"),
        (SolveOptions(include=("z",)), "unknown candidate 'z'"),
        (SolveOptions(weights={"c": 1}), "unknown objective 'c'"),
        (SolveOptions(weights={"a": -1}), "--weight a"),
        (SolveOptions(budget=-1), "--budget"),
        (SolveOptions(budget=2e12), "--budget"),
        (SolveOptions(budget_per_year={2026: float("nan")}), "--budget-year 2026"),
    ],
)
def test_options_that_do_not_fit_the_file(options: SolveOptions, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        formulate(portfolio(), options)


def test_budget_year_outside_the_horizon() -> None:
    with pytest.raises(UsageError, match="outside the planning horizon 2026-2030"):
        formulate(portfolio(years=[2026, 2030]), SolveOptions(budget_per_year={2031: 5}))


def test_negative_zero_budget_reads_as_zero() -> None:
    p = parse_portfolio(WARM_START_TRAP)
    form = formulate(p, SolveOptions(budget=-0.0, budget_per_year={2026: -0.0}))
    labels = [b.label for b in form.blocks]
    assert labels[0].startswith("total budget 0 ")
    assert labels[1].startswith("budget cap for 2026: 0 ")
