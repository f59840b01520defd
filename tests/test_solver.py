"""The optimiser: the model of docs/model.md, canonical ties, time limits, infeasibility,
solvers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from samples import exclusion_chain, hard_knapsack, requires_chain

from defplan import SolveOptions, Status, UsageError, load_portfolio, optimise, parse_portfolio
from defplan.formulation import formulate
from defplan.render.documents import document_of
from defplan.solving import VALUE, Engine
from defplan.solving.canonical import canonical, prove

PORTFOLIOS = Path(__file__).resolve().parent.parent / "portfolios"


def portfolio(candidates: list[dict[str, Any]], **extra: Any) -> Any:
    doc = {"objectives": {"v": {"weight": 1}}, "budget": {"total": 10}, **extra}
    doc["candidates"] = candidates
    return parse_portfolio(json.dumps(doc), filename="t.yaml")


def run(p: Any, **options: Any) -> Any:
    return optimise(p, options=SolveOptions(**options))


def test_knapsack_optimum() -> None:
    p = portfolio(
        [
            {"id": "a", "cost": 6, "value": {"v": 10}},
            {"id": "b", "cost": 5, "value": {"v": 6}},
            {"id": "c", "cost": 5, "value": {"v": 6}},
        ]
    )
    result = run(p)
    assert result.status is Status.OPTIMAL
    assert result.selected_ids == ("b", "c")
    assert result.value == 12
    assert result.cost_total == 10
    assert result.solver.gap == 0


def test_equal_value_cheaper_portfolio_wins() -> None:
    p = portfolio(
        [
            {"id": "a", "cost": 5, "value": {"v": 4}},
            {"id": "b", "cost": 3, "value": {"v": 4}},
            {"id": "free-nothing", "cost": 2, "value": {"v": 0}},
        ]
    )
    assert run(p).selected_ids == ("a", "b")
    assert run(p, budget=5).selected_ids == ("b",)


def test_equal_value_and_cost_prefers_earlier_candidates() -> None:
    p = portfolio(
        [
            {"id": "late-1", "cost": 2, "value": {"v": 3}},
            {"id": "x", "cost": 4, "value": {"v": 6}},
            {"id": "late-2", "cost": 2, "value": {"v": 3}},
        ]
    )
    # {x} and {late-1, late-2} tie on value 6 and cost 4: the one with late-1 wins
    assert run(p, budget=4).selected_ids == ("late-1", "late-2")
    q = portfolio(
        [
            {"id": "x", "cost": 4, "value": {"v": 6}},
            {"id": "late-1", "cost": 2, "value": {"v": 3}},
            {"id": "late-2", "cost": 2, "value": {"v": 3}},
        ]
    )
    assert run(q, budget=4).selected_ids == ("x",)


def test_same_answer_run_after_run_and_across_solvers() -> None:
    p = load_portfolio(Path(__file__).resolve().parent / "data" / "netherlands-static.yaml")
    runs = [run(p, budget=6000), run(p, budget=6000), run(p, budget=6000, solver="cbc")]
    assert {r.selected_ids for r in runs} == {runs[0].selected_ids}
    texts = {json.dumps({**document_of(r), "solver": None}) for r in runs[:2]}
    assert len(texts) == 1


def test_weights_are_normalised_and_overridable() -> None:
    doc = {"objectives": {"a": {"weight": 3}, "b": {"weight": 1}}, "budget": {"total": 1}}
    doc["candidates"] = [
        {"id": "pa", "cost": 1, "value": {"a": 1}},
        {"id": "pb", "cost": 1, "value": {"b": 2}},
    ]
    p = parse_portfolio(json.dumps(doc))
    result = run(p)
    assert result.weights == {"a": 0.75, "b": 0.25}
    assert result.selected_ids == ("pa",)
    flipped = run(p, weights={"a": 1, "b": 3})
    assert flipped.weights == {"a": 0.25, "b": 0.75}
    assert flipped.selected_ids == ("pb",)
    assert flipped.value == 1.5
    with pytest.raises(UsageError, match="did you mean 'a'"):
        run(p, weights={"aa": 1})
    with pytest.raises(UsageError, match="all 0"):
        run(p, weights={"a": 0, "b": 0})


def test_value_range_counts_at_its_midpoint() -> None:
    p = portfolio([{"id": "a", "cost": 1, "value": {"v": [2, 6]}}])
    assert run(p).value == 4


def test_soft_commitment_trades_penalty_against_value() -> None:
    extra = {"commitments": {"c": {"target": 2, "hard": False, "penalty": 3}}}
    cands = [
        {"id": "contributes", "cost": 5, "value": {"v": 1}, "commitments": {"c": 2}},
        {"id": "valuable", "cost": 5, "value": {"v": 6}},
    ]
    result = run(portfolio(cands, **extra), budget=5)
    assert result.selected_ids == ("contributes",)  # 1 beats 6 - 3 * 2 = 0
    assert result.value == 1 and result.commitments["c"].met
    extra["commitments"]["c"]["penalty"] = 1  # now 6 - 1 * 2 = 4 beats 1
    result = run(portfolio(cands, **extra), budget=5)
    assert result.selected_ids == ("valuable",)
    assert result.value == 4
    assert result.commitments["c"].shortfall == 2
    assert not result.commitments["c"].met


def test_hard_commitment_and_requires_cycle() -> None:
    extra = {"commitments": {"c": {"target": 1}}}
    cands = [
        {"id": "a", "cost": 3, "value": {"v": 1}, "requires": ["b"]},
        {"id": "b", "cost": 3, "value": {"v": 1}, "requires": ["a"], "commitments": {"c": 1}},
        {"id": "c", "cost": 4, "value": {"v": 5}},
    ]
    result = run(portfolio(cands, **extra))
    assert result.selected_ids == ("a", "b", "c")  # a and b come as a package
    assert run(portfolio(cands, **extra), budget=6).selected_ids == ("a", "b")


def test_groups_rules_excludes_and_forced_choices() -> None:
    cands = [
        {"id": "e1", "group": "equipment", "cost": 4, "value": {"v": 1}},
        {"id": "p1", "group": "people", "cost": 4, "value": {"v": 5}, "excludes": ["p2"]},
        {"id": "p2", "group": "people", "cost": 2, "value": {"v": 4}},
        {"id": "p3", "group": "people", "cost": 2, "value": {"v": 3}},
    ]
    p = portfolio(
        cands, groups={"equipment": {"min_share": 0.4}}, rules=[{"at_most": 1, "of": ["p2", "p3"]}]
    )
    result = run(p)
    assert result.selected_ids == ("e1", "p1", "p3")  # equipment share 4/10 >= 0.4
    assert result.groups["equipment"] == 4
    assert run(p, exclude=("e1",)).selected_ids == ()  # empty satisfies every share
    assert run(p, include=("p2",)).selected_ids == ("e1", "p2")


def test_plain_costs_with_only_annual_caps_are_refused() -> None:
    doc = {
        "objectives": {"v": {}},
        "budget": {"per_year": {2026: 5}},
        "candidates": [
            {"id": "phased", "cost": {2026: 3}},
            {"id": "lump", "cost": 7},
            {"id": "nothing", "cost": 0},
        ],
    }
    p = parse_portfolio(json.dumps(doc))
    with pytest.raises(UsageError, match="lump") as info:
        run(p)
    assert "nothing" not in str(info.value) and "phased" not in str(info.value)
    assert run(p, budget=10).status is Status.OPTIMAL


def test_a_run_needs_a_budget() -> None:
    doc = {"objectives": {"v": {}}, "candidates": [{"id": "a", "cost": 1}]}
    with pytest.raises(UsageError, match="no budget"):
        run(parse_portfolio(json.dumps(doc)))


def test_infeasible_names_an_irreducible_set_of_constraints() -> None:
    cands = [
        {"id": "a", "cost": {2026: 3}, "value": {"v": 1}, "commitments": {"c": 1}},
        {"id": "b", "cost": {2026: 3}, "value": {"v": 1}, "commitments": {"c": 1}},
        {"id": "m", "cost": {2026: 1}, "value": {"v": 1}, "mandatory": True},
    ]
    p = portfolio(
        cands,
        commitments={"c": {"target": 2, "framework": "NATO"}},
        budget={"total": 100, "per_year": {2026: 6, 2027: 1}},
    )
    result = run(p)
    assert result.status is Status.INFEASIBLE
    assert result.value is None and result.selected_ids == ()
    assert result.conflicts == ("budget.per_year.2026", "commitment.c", "mandatory.m")
    cap, target, forced = result.conflict_details
    # the one number that alone restores feasibility, with every other constraint kept
    assert cap == (
        "budget.per_year.2026: budget cap for 2026: 6 M EUR; "
        "raising it alone to 7 M EUR (by 1) would admit a portfolio"
    )
    assert target == (
        "commitment.c: commitment 'c' (NATO): reach 2; "
        "lowering it alone to 1 (by 1) would admit a portfolio"
    )
    assert forced == "mandatory.m: mandatory candidate 'm' (cost 1 M EUR)"


def test_mandatory_and_exclude_on_one_candidate_conflict() -> None:
    p = portfolio([{"id": "m", "cost": 1, "mandatory": True}, {"id": "n", "cost": 1}])
    result = run(p, exclude=("m",))
    assert result.status is Status.INFEASIBLE
    assert result.conflicts == ("mandatory.m", "exclude.m")
    assert result.conflict_details[1] == "exclude.m: --exclude 'm'"


def solves_counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that gets an entry for each solver call from now on."""
    from defplan import backends

    calls: list[int] = []
    solve = backends.solve

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return solve(*args, **kwargs)

    monkeypatch.setattr(backends, "solve", counting)
    return calls


def test_a_long_requires_chain_in_the_conflict_takes_a_few_solves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # every one of the 401 blocks is needed: one at a time took a solve each, over all
    # of them; portfolios that break exactly one block show it needed without a solve
    calls = solves_counted(monkeypatch)
    result = optimise(parse_portfolio(requires_chain(400)))
    links = tuple(f"requires.c{i}.c{i + 1}" for i in range(399))
    assert result.conflicts == ("budget.total", "commitment.k", *links)
    assert len(calls) <= 10


def test_a_long_requires_chain_outside_the_conflict_takes_a_few_solves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # none of the 399 links is needed: runs of them are dropped together
    calls = solves_counted(monkeypatch)
    result = optimise(parse_portfolio(requires_chain(400, idle=True)))
    assert result.conflicts == ("budget.total", "mandatory.c399")
    assert len(calls) <= 25


def test_alternating_needed_blocks_take_a_solve_a_block_at_most(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # every other link is needed: runs doubled after each success and failed on the next
    # block, 1.5 solves a block (91 solves in all here, 601 at 400 candidates), where the
    # one-by-one filter takes one: 61 blocks, and a search and an explanation
    calls = solves_counted(monkeypatch)
    result = optimise(parse_portfolio(exclusion_chain(60)))
    assert result.conflicts[0] == "commitment.k"
    assert result.conflicts[1:] == tuple(f"excludes.m{i}.m{i + 1}" for i in range(0, 59, 2))
    assert len(calls) <= 63


@pytest.mark.parametrize("shape", ["needed", "idle", "alternating"])
def test_shortcuts_of_the_conflict_search_keep_its_answer(
    shape: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the deletion filter one block at a time, as it was, against the search
    from defplan.solving import conflicts

    text = (
        exclusion_chain(40) if shape == "alternating" else requires_chain(40, idle=shape == "idle")
    )
    p = parse_portfolio(text)
    engine = Engine(formulate(p, SolveOptions()), SolveOptions())
    keep = list(engine.active)
    for block in list(keep):
        rest = [k for k in keep if k != block]
        if engine.solve(engine.linear([]), blocks=rest).status is Status.INFEASIBLE:
            keep = rest
    assert conflicts.irreducible_blocks(engine) == keep
    monkeypatch.setattr(conflicts, "WALK_WORK", 0)  # runs alone, no witness walks
    assert conflicts.irreducible_blocks(engine) == keep


def test_time_limit_returns_best_found_with_its_gap() -> None:
    # 250 items: no solver here proves it in 20 s (120 items: cbcbox's CBC did in 0.3 s)
    result = run(hard_knapsack(250, 5, seed=1), time_limit=0.3)
    assert result.status is Status.FEASIBLE
    assert result.value is not None and result.selected_ids
    assert result.solver.gap is not None and 0 < result.solver.gap < 0.5


def test_time_limit_without_any_portfolio_is_unknown() -> None:
    p = hard_knapsack(3000, 10, seed=1, commitments={"c": {"target": 5000}})
    result = run(p, time_limit=0.01)
    assert result.status is Status.UNKNOWN
    assert result.value is None and result.selected_ids == ()


def test_reported_numbers_are_tidy() -> None:
    p = portfolio(
        [
            {"id": "a", "cost": 0.1, "value": {"v": 0.1}},
            {"id": "b", "cost": 0.2, "value": {"v": 0.2}},
        ]
    )
    result = run(p)
    assert result.value == 0.3 and result.cost_total == 0.3
    empty = run(portfolio([{"id": "a", "cost": 1, "value": {"v": -1}}]))
    assert empty.selected_ids == () and str(empty.value) == "0.0"


@pytest.mark.parametrize("path", sorted(PORTFOLIOS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_portfolio_solves(path: Path) -> None:
    p = load_portfolio(path)
    result = optimise(p, options=SolveOptions(), file=str(path), data=path.read_bytes())
    assert result.status is Status.OPTIMAL, result.conflicts
    assert result.selected_ids
    assert len(result.selected_ids) < len(p.candidates)


def test_file_order_ties_across_many_candidates() -> None:
    # 50 interchangeable candidates: ties everywhere, settled over several chunks of solves
    cands: list[dict[str, Any]] = [{"id": f"c{i}", "cost": 1, "value": {"v": 1}} for i in range(50)]
    cands[26]["excludes"] = ["c25"]
    p = portfolio(cands, rules=[{"at_most": 1, "of": [f"c{i}" for i in range(25)]}])
    result = run(p)
    expected = ("c0", "c25", *(f"c{i}" for i in range(27, 35)))
    assert result.selected_ids == expected
    assert result.value == 10 and result.cost_total == 10


def counted_solves(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """A list that gets each Engine.solve's objective from now on (the solves made)."""
    solves: list[Any] = []
    original = Engine.solve

    def counted(self: Any, objective: Any, **how: Any) -> Any:
        solves.append(objective)
        return original(self, objective, **how)

    monkeypatch.setattr(Engine, "solve", counted)
    return solves


def test_a_proven_answer_at_a_smaller_budget_saves_the_tie_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Budget 10 buys a (value 5); budget 12 buys nothing better. Knowing a was the
    # proven answer at 10 with room to spare, the run at 12 needs no search for rivals.

    p = portfolio(
        [
            {"id": "a", "cost": 8, "value": {"v": 5}},
            {"id": "b", "cost": 11, "value": {"v": 4}},
            {"id": "c", "cost": 9, "value": {"v": 4}},
        ]
    )
    solves = counted_solves(monkeypatch)
    alone = optimise(p, options=SolveOptions(budget=12))
    without = len(solves)
    solves.clear()
    reused = optimise(p, options=SolveOptions(budget=12), below=(10.0, {"a": None}))
    assert reused.selected_ids == alone.selected_ids == ("a",)
    assert reused.value == alone.value
    assert len(solves) < without


def test_a_tie_prove_met_saves_the_search_for_one(monkeypatch: pytest.MonkeyPatch) -> None:
    # a and b tie on value and cost, c is worth less: prove meets the tie while proving
    # the best, so the tie rule goes straight to the cheapest of the tied portfolios
    p = portfolio(
        [
            {"id": "a", "cost": 5, "value": {"v": 4}},
            {"id": "b", "cost": 5, "value": {"v": 4}},
            {"id": "c", "cost": 4, "value": {"v": 3}},
        ]
    )
    options = SolveOptions(budget=5)
    engine = Engine(formulate(p, options), options)
    _, alone, tie = prove(engine, [0, 1, 0])
    assert (alone, tie) == (False, [1, 0, 0])
    solves = counted_solves(monkeypatch)
    assert canonical(engine, [0, 1, 0]) == [1, 0, 0]
    searched = len(solves)
    solves.clear()
    assert canonical(engine, [0, 1, 0], tie=tie) == [1, 0, 0]
    assert len(solves) == searched - 1


@pytest.mark.parametrize("solver_name", ["highs", "cbc"])
def test_prove_settles_a_first_answer(solver_name: str) -> None:
    # optimise's first search may stop short of the best (within FIRST_GAP); prove
    # replaces a worse answer by the best one and says whether a tie is left to break
    p = portfolio(
        [
            {"id": "a", "cost": 6, "value": {"v": 10}},
            {"id": "b", "cost": 5, "value": {"v": 6}},
            {"id": "c", "cost": 5, "value": {"v": 8}},
            {"id": "d", "cost": 4, "value": {"v": 2}},
        ]
    )
    options = SolveOptions(solver=solver_name)
    engine = Engine(formulate(p, options), options)
    worse, best = [1, 0, 0, 1], [0, 1, 1, 0]  # a+d is worth 12; b+c, the best, 14
    outcome, alone, tie = prove(engine, worse)  # better is not a tie: none is known
    assert (outcome.status, outcome.x, alone, tie) == (Status.OPTIMAL, best, False, None)
    outcome, alone, tie = prove(engine, best)
    assert (outcome.status, outcome.x, alone, tie) == (Status.OPTIMAL, best, True, None)
    tied = portfolio(
        [
            {"id": "a", "cost": 5, "value": {"v": 4}},
            {"id": "b", "cost": 5, "value": {"v": 4}},
        ]
    )
    tie_options = SolveOptions(solver=solver_name, budget=5)
    engine = Engine(formulate(tied, tie_options), tie_options)
    outcome, alone, tie = prove(engine, [0, 1])
    assert (outcome.status, outcome.x, alone, tie) == (Status.OPTIMAL, [0, 1], False, [1, 0])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_each_solver_and_the_race_give_one_answer(seed: int) -> None:
    # --solver auto keeps whichever solver proves first; the answer must not depend on it
    p = hard_knapsack(40, 5, seed=seed)
    results = [run(p, solver=name) for name in ("auto", "highs", "cbc")]
    assert len({r.selected_ids for r in results}) == 1
    assert len({r.value for r in results}) == 1
    assert [r.solver.name for r in results] == ["HiGHS+CBC", "HiGHS", "CBC"]


def test_auto_races_only_the_solvers_installed() -> None:
    from defplan import backends
    from defplan.errors import SolverError

    p = hard_knapsack(12, 3, seed=4)
    expected = run(p).selected_ids
    with backends.hidden("cbc"):  # as with PuLP 4 alone
        alone = run(p)
        assert alone.solver.name == "HiGHS" and alone.selected_ids == expected
        with pytest.raises(SolverError, match=r"CBC is not available.*pulp\[cbc\]"):
            run(p, solver="cbc")
    with backends.hidden("highs"):
        alone = run(p)
        assert alone.solver.name == "CBC" and alone.selected_ids == expected
        with pytest.raises(SolverError, match=r"HiGHS is not available.*highspy"):
            run(p, solver="highs")


@pytest.mark.parametrize("solver", ["auto", "cbc"])
def test_cbc_leaves_no_temporary_files(
    solver: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert run(hard_knapsack(30, 4, seed=2), solver=solver).status is Status.OPTIMAL
    assert run(hard_knapsack(30, 4, seed=2), solver=solver, time_limit=0.05).selected_ids
    assert list(tmp_path.iterdir()) == []


def test_proof_searches_turn_heuristics_off_unless_time_is_limited(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a search that mostly proves "none" runs faster without them; under a time limit
    # it may end as a hunt for better portfolios, where they help
    from defplan import backends

    asked: list[bool] = []
    solve = backends.solve

    def recording(*args: Any, **kwargs: Any) -> Any:
        asked.append(kwargs.get("heuristics", True))
        return solve(*args, **kwargs)

    monkeypatch.setattr(backends, "solve", recording)
    p = hard_knapsack(12, 2, seed=4)
    for limit, expected in ((None, False), (30.0, True)):
        options = SolveOptions(time_limit=limit)
        engine = Engine(formulate(p, options), options)
        best = engine.maximise(VALUE)
        assert best.x is not None
        asked.clear()
        prove(engine, best.x)
        assert asked == [expected]
