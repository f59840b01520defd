"""`defplan robust`: shares of sampled optima, reproducibility and arguments.

With no spread and no ranges every sample is the unperturbed problem, so each share is
0 or 1 and must match the brute-force optimum of tests/bruteforce.py.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from bruteforce import Case, brute_force, cases, to_yaml
from hypothesis import event, given, note, settings
from samples import (
    invoke,
    pool_sizes,
)

from defplan import Portfolio, SolveOptions, Status, UsageError, parse_portfolio
from defplan.analysis.robust import robust, sample_problem
from defplan.errors import ExitCode
from defplan.formats import ROBUST_FORMAT
from defplan.render.documents import document_of


def _portfolio(doc: dict[str, Any]) -> Portfolio:
    return parse_portfolio(to_yaml(doc), filename="robust.yaml")


def _without_ranges(doc: dict[str, Any]) -> dict[str, Any]:
    """doc with every value range [low, high] replaced by its low end."""
    candidates = [
        {**c, "value": {k: v[0] if isinstance(v, list) else v for k, v in c["value"].items()}}
        for c in doc["candidates"]
    ]
    return {**doc, "candidates": candidates}


@settings(max_examples=40, derandomize=True, deadline=None)
@given(cases())
def test_no_spread_no_ranges_gives_the_optimum(case: Case) -> None:
    case = Case(
        _without_ranges(case.doc),
        case.budget,
        case.budget_per_year,
        case.weights,
        case.include,
        case.exclude,
    )
    note(case.describe())
    expected = brute_force(case)
    event(expected.status)
    found = robust(_portfolio(case.doc), options=case.options(), samples=3, spread=0)
    ids = [str(c["id"]) for c in case.doc["candidates"]]
    if expected.status == "infeasible":
        assert found.base.status is Status.INFEASIBLE
        assert found.samples == 0
        assert document_of(found)["candidates"] == []
        assert document_of(found)["conflicts"]
        return
    assert found.base.selected_ids == expected.selected
    assert found.samples == 3
    assert found.shares == {i: 1.0 if i in expected.selected else 0.0 for i in ids}
    assert found.core == expected.selected
    assert found.exterior == tuple(i for i in ids if i not in expected.selected)
    assert found.borderline == ()


# Budget for one of a and b: b's value is drawn in [0, 2] against a's fixed 1, so each
# sample picks whichever is worth more; c is free and always in; d never fits.
COIN = {
    "name": "coin",
    "objectives": {"v": {"weight": 1}},
    "budget": {"total": 1},
    "candidates": [
        {"id": "a", "cost": 1, "value": {"v": 1}},
        {"id": "b", "cost": 1, "value": {"v": [0, 2]}},
        {"id": "c", "cost": 0, "value": {"v": 1}},
        {"id": "d", "cost": 5, "value": {"v": 9}},
    ],
}

# Two objectives, two ranges and a rule: weights and values both matter.
MIXED = {
    "name": "mixed",
    "objectives": {"x": {"weight": 1}, "y": {"weight": 2}},
    "budget": {"total": 4},
    "rules": [{"at_most": 2, "of": ["p", "q", "r"]}],
    "candidates": [
        {"id": "p", "cost": 2, "value": {"x": 3, "y": [0, 2]}},
        {"id": "q", "cost": 2, "value": {"y": 1.5}},
        {"id": "r", "cost": 1, "value": {"x": [1, 4], "y": 0.5}},
        {"id": "s", "cost": 1, "value": {"x": 1}},
    ],
}


def test_a_range_splits_the_candidates() -> None:
    found = robust(_portfolio(COIN), options=SolveOptions(), samples=20, spread=0)
    shares = found.shares
    assert found.base.selected_ids == ("a", "c")  # b's midpoint ties a; a comes first
    assert 0 < shares["a"] < 1 and 0 < shares["b"] < 1
    assert shares["a"] + shares["b"] == pytest.approx(1)  # one of them in every sample
    assert (shares["c"], shares["d"]) == (1.0, 0.0)
    assert (found.core, found.borderline, found.exterior) == (("c",), ("a", "b"), ("d",))
    document = document_of(found)
    assert document["format"] == ROBUST_FORMAT == "defplan-robust/1"
    assert document["samples"] == 20
    assert document["candidates"] == [{"id": i, "share": shares[i]} for i in "abcd"]
    assert (document["core"], document["borderline"], document["exterior"]) == (
        ["c"],
        ["a", "b"],
        ["d"],
    )
    assert (document["status"], document["selected"], document["unproven"]) == (
        "optimal",
        ["a", "c"],
        0,
    )


def test_each_sample_picks_what_its_draw_favours() -> None:
    # Sample k's b is the uniform draw after one weight factor, from (seed, k) alone.
    portfolio = _portfolio(COIN)
    wins = 0
    for k in range(12):
        rng = random.Random(f"defplan-robust/7/{k}")
        rng.random()  # the weight factor of objective v
        b = rng.uniform(0, 2)
        sampled, _ = sample_problem(portfolio, SolveOptions(), seed=7, k=k, spread=0.3)
        assert sampled.candidates[1].value == {"v": b}
        wins += b > 1
    found = robust(portfolio, options=SolveOptions(), samples=12, seed=7, spread=0.3)
    assert found.counts == (12 - wins, wins, 12, 0)


def test_sampled_weights_are_the_run_weights_times_factors() -> None:
    portfolio = _portfolio(MIXED)
    options = SolveOptions(weights={"x": 3})  # normalised: x 0.6, y 0.4
    sampled, sampled_options = sample_problem(portfolio, options, seed=1, k=4, spread=0.5)
    rng = random.Random("defplan-robust/1/4")
    fx, fy = rng.uniform(0.5, 1.5), rng.uniform(0.5, 1.5)
    assert sampled_options.weights == pytest.approx({"x": 0.6 * fx, "y": 0.4 * fy})
    py, rx = rng.uniform(0, 2), rng.uniform(1, 4)  # p's y, then r's x (file order)
    assert sampled.candidates[0].value == {"x": 3, "y": py}
    assert sampled.candidates[2].value == {"x": rx, "y": 0.5}
    assert portfolio.candidates[0].value == {"x": 3, "y": [0, 2]}  # the original is kept
    _, unchanged = sample_problem(portfolio, options, seed=1, k=4, spread=0)
    assert unchanged is options


def test_same_seed_same_output_with_any_workers() -> None:
    portfolio = _portfolio(MIXED)
    runs = [
        robust(portfolio, options=SolveOptions(), samples=8, seed=3, spread=0.5, workers=w)
        for w in (1, 1, 2)
    ]
    first = document_of(runs[0])
    assert first["borderline"]  # the samples do disagree, so the comparison means something
    assert document_of(runs[1]) == first
    assert document_of(runs[2]) == first
    assert first["seed"] == 3 and first["spread"] == 0.5


def test_progress_is_reported_once_per_sample() -> None:
    for workers in (1, 2):
        ticks: list[None] = []
        robust(
            _portfolio(COIN),
            options=SolveOptions(),
            samples=5,
            workers=workers,
            on_sample=lambda ticks=ticks: ticks.append(None),
        )
        assert len(ticks) == 5


def test_an_infeasible_portfolio_samples_nothing() -> None:
    ticks: list[None] = []
    found = robust(
        _portfolio(COIN),
        options=SolveOptions(include=("d",)),
        samples=5,
        on_sample=lambda: ticks.append(None),
    )
    assert found.base.status is Status.INFEASIBLE
    assert ticks == []
    document = document_of(found)
    assert (document["samples"], document["status"]) == (0, "infeasible")
    assert document["candidates"] == document["core"] == document["exterior"] == []
    assert set(document["conflicts"]) == {"budget.total", "include.d"}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"samples": 0}, "--samples 0"),
        ({"samples": -3}, "--samples -3"),
        ({"spread": 1}, "--weight-spread 1"),
        ({"spread": -0.1}, "--weight-spread -0.1"),
        ({"spread": float("nan")}, "--weight-spread nan"),
        ({"workers": 0}, "--workers 0"),
    ],
)
def test_bad_arguments_are_usage_errors(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        robust(_portfolio(COIN), options=SolveOptions(), **arguments)


def test_an_unknown_weight_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown objective 'z'"):
        robust(_portfolio(COIN), options=SolveOptions(weights={"z": 1}), samples=2)


def test_workers_really_spread_the_samples(monkeypatch: pytest.MonkeyPatch) -> None:
    from defplan.analysis import robust as module

    pools = pool_sizes(monkeypatch, module)
    portfolio = _portfolio(MIXED)
    robust(portfolio, options=SolveOptions(), samples=4, seed=3, spread=0.5, workers=1)
    assert pools == []
    robust(portfolio, options=SolveOptions(), samples=4, seed=3, spread=0.5, workers=2)
    assert pools == [2]


def test_robust_json_is_reproducible_with_any_workers(small_file: Path) -> None:
    args = ("robust", small_file, "--samples", "12", "--seed", "7", "--format", "json")
    one = invoke(*args)
    assert one.exit_code == 0, one.output
    data = json.loads(one.stdout)
    assert data["format"] == "defplan-robust/1" and data["samples"] == 12
    ids = [c["id"] for c in data["candidates"]]
    assert ids == ["alpha", "bravo", "charlie", "delta", "echo"]
    assert sorted(data["core"] + data["borderline"] + data["exterior"]) == sorted(ids)
    for c in data["candidates"]:
        where = "core" if c["share"] == 1 else "exterior" if c["share"] == 0 else "borderline"
        assert c["id"] in data[where]
    again = invoke(*args, "--workers", "2")
    assert again.exit_code == 0, again.output
    assert again.stdout == one.stdout


def test_robust_checks_its_options_and_exits_3_when_infeasible(small_file: Path) -> None:
    for spread in ("1", "-0.1", "x"):
        bad = invoke("robust", small_file, "--weight-spread", spread)
        assert bad.exit_code == ExitCode.USAGE, (spread, bad.output)
        assert "--weight-spread" in bad.output
    infeasible = invoke("robust", small_file, "--budget", "1", "--format", "json")
    assert infeasible.exit_code == ExitCode.INFEASIBLE
    assert json.loads(infeasible.stdout)["conflicts"] == ["budget.total", "commitment.nato"]
