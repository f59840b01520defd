"""`defplan robust` with `cost_risk`: each sample draws cost factors after its weights
and values, is solved at those costs, and counts in `infeasible_samples` when they leave
no feasible portfolio; and how local workers pick a solver per sample.

The draws are replayed here from the contract (one `random.Random` per sample, weight
factors, then ranges, then each risky candidate's factor by the inverse of its
distribution), and each sample's optimum is checked against the exact reference of
tests/bruteforce_time.py with every candidate's money times its drawn factor.
"""

from __future__ import annotations

import json
import math
import random
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from bruteforce import to_yaml
from bruteforce_time import Run, oracle
from hypothesis import event, given, note, settings
from hypothesis import strategies as st
from samples import invoke
from test_risk import risky_docs

from defplan import SolveOptions, parse_portfolio
from defplan.analysis import robust as module
from defplan.analysis.robust import robust, sample_problem
from defplan.errors import ExitCode
from defplan.render.documents import document_of


def inverse(risk: list[float], u: float) -> float:
    """The factor at cumulative probability u, worked out from the distributions."""
    if len(risk) == 2:
        low, high = risk
        return low + u * (high - low)
    a, c, b = risk
    if a == b:
        return a
    if u < (c - a) / (b - a):
        return a + math.sqrt(u * (b - a) * (c - a))
    return b - math.sqrt((1 - u) * (b - a) * (b - c))


def drawn_factors(doc: dict[str, Any], seed: int, k: int) -> dict[str, float]:
    """Sample k's cost factors by id, replaying its stream: a weight factor per
    objective, a value per range (candidates, then objectives, in file order), then one
    uniform per candidate with cost_risk, in file order."""
    rng = random.Random(f"defplan-robust/{seed}/{k}")
    for _ in doc["objectives"]:
        rng.random()
    for cand in doc["candidates"]:
        for name in doc["objectives"]:
            if isinstance(cand["value"].get(name), list):
                rng.random()
    return {
        c["id"]: inverse(c["cost_risk"], rng.random())
        for c in doc["candidates"]
        if "cost_risk" in c
    }


def test_factors_come_after_weights_and_values_in_file_order() -> None:
    doc = {
        "name": "order",
        "objectives": {"x": {"weight": 1}, "y": {"weight": 1}},
        "budget": {"total": 10},
        "candidates": [
            {"id": "a", "cost": 2, "value": {"x": [0, 4]}, "cost_risk": [0.9, 1.3]},
            {"id": "b", "cost": 3, "value": {"x": 1, "y": [1, 2]}},
            {"id": "c", "cost": 1, "value": {"y": 2}, "cost_risk": [0.5, 1.4, 1.6]},
        ],
    }
    portfolio = parse_portfolio(to_yaml(doc), filename="order.yaml")
    for k in range(20):
        _, options = sample_problem(portfolio, SolveOptions(), seed=5, k=k, spread=0.3)
        expected = drawn_factors(doc, 5, k)
        assert options.cost_factors == pytest.approx((expected["a"], 1.0, expected["c"]), rel=1e-15)
        assert options.cost_level is None
    _, plain = sample_problem(
        parse_portfolio(to_yaml({**doc, "candidates": [doc["candidates"][1]]}), filename="p"),
        SolveOptions(),
        seed=5,
        k=0,
        spread=0,
    )
    assert plain.cost_factors == ()  # no cost_risk, nothing drawn


@st.composite
def squeezable_docs(draw: Any) -> dict[str, Any]:
    """risky_docs' plans, in about half of them with a risky candidate mandatory, so
    that some drawn costs leave no feasible portfolio."""
    doc, _ = draw(risky_docs())
    risky = [c for c in doc["candidates"] if "cost_risk" in c]
    if risky and draw(st.booleans()):
        squeezed = draw(st.sampled_from(risky))
        squeezed["mandatory"] = True
        squeezed["cost_risk"] = [0.7, 1.0, 1.8]
    return doc


@settings(max_examples=40, derandomize=True, deadline=None)
@given(doc=squeezable_docs())
def test_each_sample_is_the_optimum_at_its_drawn_costs(doc: dict[str, Any]) -> None:
    # sample 0 of seeds 0..3, each a robust run of one sample, against the reference at
    # the factors replayed from the contract
    text = to_yaml(doc)
    portfolio = parse_portfolio(text, filename="risky.yaml")
    base_expected = oracle(portfolio)
    for seed in range(4):
        found = robust(portfolio, options=SolveOptions(), samples=1, seed=seed, spread=0)
        if base_expected.plan is None:
            event("no portfolio at the file's costs")
            assert found.samples == 0  # nothing sampled when the file's costs fit nothing
            return
        factors = {cid: Fraction(f) for cid, f in drawn_factors(doc, seed, 0).items()}
        expected = oracle(portfolio, Run(factors=factors))
        note(f"{text}\nseed {seed}: factors {drawn_factors(doc, seed, 0)}")
        at_file = {cid for cid, _, _ in base_expected.selected}
        if expected.plan is None:
            event("a sample with no feasible portfolio")
            assert (found.infeasible, sum(found.counts)) == (1, 0)
            assert document_of(found)["infeasible_samples"] == 1
            assert found.core == found.borderline == ()
        else:
            chosen = {cid for cid, _, _ in expected.selected}
            event("drawn costs change the selection" if chosen != at_file else "the same")
            got = {cid for cid, n in zip(found.ids, found.counts, strict=True) if n}
            assert (found.infeasible, got) == (0, chosen)


# A mandatory candidate whose cost may pass the budget: factor f in [0.8, 1.2] on 100
# against a total of 105 leaves no portfolio when f > 1.05, and room for `extra` (10)
# when f <= 0.95.
SQUEEZED = {
    "name": "squeezed",
    "objectives": {"v": {"weight": 1}},
    "budget": {"total": 105},
    "candidates": [
        {"id": "core", "cost": 100, "value": {"v": 5}, "mandatory": True, "cost_risk": [0.8, 1.2]},
        {"id": "extra", "cost": 10, "value": {"v": 1}},
    ],
}


def test_infeasible_samples_count_in_no_share() -> None:
    portfolio = parse_portfolio(to_yaml(SQUEEZED), filename="squeezed.yaml")
    n = 200
    found = robust(portfolio, options=SolveOptions(), samples=n, seed=4, spread=0)
    factors = [drawn_factors(SQUEEZED, 4, k)["core"] for k in range(n)]
    infeasible = sum(f > 1.05 for f in factors)
    extra = sum(f <= 0.95 for f in factors)
    assert 0 < infeasible < n and extra > 0  # the draws do fall on every side
    assert found.infeasible == infeasible
    assert found.counts == (n - infeasible, extra)
    shares = document_of(found)
    assert shares["infeasible_samples"] == infeasible
    share = extra / (n - infeasible)  # JSON keeps 12 significant digits
    assert [c["share"] for c in shares["candidates"]] == [1, pytest.approx(share, rel=1e-11)]
    assert shares["core"] == ["core"] and shares["borderline"] == ["extra"]


def test_the_cost_level_sets_the_base_only(tmp_path: Path) -> None:
    # samples draw their factors; --cost-level moves only the unperturbed plan
    portfolio = parse_portfolio(to_yaml(SQUEEZED), filename="squeezed.yaml")
    at_file = robust(portfolio, options=SolveOptions(), samples=30, seed=1, spread=0)
    at_p20 = robust(portfolio, options=SolveOptions(cost_level=0.2), samples=30, seed=1, spread=0)
    assert at_file.counts == at_p20.counts and at_file.infeasible == at_p20.infeasible
    assert at_file.base.selected_ids == ("core",)
    assert at_p20.base.selected_ids == ("core", "extra")  # 100 * 0.88 + 10 <= 105


def test_the_command_says_how_many_samples_had_no_portfolio(tmp_path: Path) -> None:
    path = tmp_path / "squeezed.yaml"
    path.write_text(to_yaml(SQUEEZED), encoding="utf-8")
    args = ["robust", path, "--samples", "40", "--seed", "2"]
    data = json.loads(invoke(*args, "--format", "json").stdout)
    infeasible = sum(drawn_factors(SQUEEZED, 2, k)["core"] > 1.05 for k in range(40))
    assert data["infeasible_samples"] == infeasible > 0
    table = invoke(*args)
    assert table.exit_code == ExitCode.OK
    words = " ".join(table.stdout.split())
    assert "costs drawn from their cost_risk" in words
    assert f"{infeasible} of them had no feasible portfolio at their drawn costs" in words
    assert f"shares are of the other {40 - infeasible}" in words
    csv = invoke(*args, "--format", "csv").stdout.splitlines()
    assert csv[1].split(",")[5] == "core"  # in every feasible sample


def test_workers_that_fill_the_cores_give_each_sample_one_solver(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # each solver is tried once, then the one with the least mean time so far
    monkeypatch.setattr(module._SolverClock, "seconds", {})
    clock = module._SolverClock
    assert clock.pick(("highs", "cbc")) == "highs"
    clock.record("highs", 3.0)
    assert clock.pick(("highs", "cbc")) == "cbc"
    clock.record("cbc", 1.0)
    assert clock.pick(("highs", "cbc")) == "cbc"
    clock.record("cbc", 6.0)  # cbc's mean is now 3.5
    assert clock.pick(("highs", "cbc")) == "highs"
    # only when local workers would race two solvers each
    assert module._one_each(SolveOptions(), 2, None) == ("highs", "cbc")
    assert module._one_each(SolveOptions(), 1, None) == ()
    assert module._one_each(SolveOptions(solver="highs"), 2, None) == ()
    assert module._one_each(SolveOptions(), 2, "tcp://127.0.0.1:8786") == ()


def test_a_job_with_solvers_solves_with_the_one_picked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(module._SolverClock, "seconds", {})
    seen: list[str] = []
    original = module.optimise

    def spy(p: Any, *, options: SolveOptions, **kw: Any) -> Any:
        seen.append(options.solver)
        return original(p, options=options, **kw)

    monkeypatch.setattr(module, "optimise", spy)
    portfolio = parse_portfolio(to_yaml(SQUEEZED), filename="squeezed.yaml")
    job = module._Job(portfolio, SolveOptions(), 0, 0.0, ("highs", "cbc"))
    outcomes = [job.solve(k) for k in range(4)]
    assert seen[:2] == ["highs", "cbc"]  # each tried once, then either
    assert set(seen) <= {"highs", "cbc"}
    plain = module._Job(portfolio, SolveOptions(), 0, 0.0)
    assert [plain.solve(k) for k in range(4)] == outcomes  # the same answers
