"""defplan.backends: one solve by HiGHS, CBC or both racing; what each answer may be trusted for."""

from __future__ import annotations

import os
import sys
from typing import Any

import pytest
from samples import SMALL, engine, hard_knapsack, knapsack_cbc_wins

from defplan import SolveOptions, Status, backends, optimise, parse_portfolio
from defplan.backends import Limits, Outcome, registered, solve
from defplan.backends.base import relative_gap
from defplan.backends.cbc import Cbc, cbcbox_binary, on_path
from defplan.backends.highs import HiGHS
from defplan.backends.race import pick
from defplan.errors import SolverError, SolverFailure
from defplan.solving import VALUE


@pytest.mark.parametrize("heuristics", [True, False])
@pytest.mark.parametrize("solver", ["highs", "cbc", "auto"])
def test_a_cutoff_nothing_beats_is_reported_infeasible(solver: str, heuristics: bool) -> None:
    # heuristics off (proof searches) changes the speed, never the answer
    e = engine(hard_knapsack(25, 3, seed=3))
    best = e.maximise(VALUE)
    assert best.status is Status.OPTIMAL and best.objective is not None
    prob = e.problem(-e.value_expr)
    common = {"solver": solver, "deadline": None, "heuristics": heuristics}
    beyond = solve(prob, e.x, cutoff=best.objective - 1, **common)
    assert beyond.status is Status.INFEASIBLE  # HiGHS alone would say "optimal", and worse
    within = solve(prob, e.x, cutoff=best.objective + 1e-6, **common)
    assert within.status is Status.OPTIMAL and within.objective == pytest.approx(best.objective)


def test_each_solver_takes_the_options_for_heuristics_off() -> None:
    # a misspelt option would pass unnoticed: CBC prints "No match" and solves on,
    # HiGHS returns an error status from setOptionValue
    import subprocess

    e = engine(hard_knapsack(10, 2, seed=1))
    prob = e.problem(-e.value_expr)
    highs = HiGHS().start(prob, e.x, Limits(heuristics=False))
    for name in ("feasibility_jump", "rins", "rens", "root_reduced_cost"):
        value = highs.model.getOptionValue(f"mip_heuristic_run_{name}")
        assert (value[-1] if isinstance(value, tuple) else value) is False
    cbc = Cbc().path()
    if cbc is not None:
        run = Cbc().start(prob, e.x, Limits(cutoff=-1.0, heuristics=False))
        assert "-heuristicsOnOff" in run.options
        said = subprocess.run([cbc, *run.options, "-quit"], capture_output=True, text=True)
        assert said.returncode == 0 and "No match" not in said.stdout  # a bad one: "No match"


def test_a_time_limited_race_keeps_the_better_portfolio() -> None:
    worse = Outcome(Status.FEASIBLE, [1, 0], 0.2, objective=-5.0)
    better = Outcome(Status.FEASIBLE, [0, 1], None, objective=-7.0)
    assert pick({0: worse, 1: better}) is better
    assert pick({0: better, 1: worse}) is better
    proof = Outcome(Status.OPTIMAL, [1, 1], 0.0, objective=-6.0)
    assert pick({0: better, 1: proof}) is proof  # a proof beats any unproven answer


def test_the_kept_portfolio_is_measured_against_the_best_bound_of_either_solver() -> None:
    # a race stopped by the time limit: CBC's portfolio is better, HiGHS's bound tighter
    highs = Outcome(Status.FEASIBLE, [1, 0], 0.5, objective=-5.0, bound=-8.0)
    cbc = Outcome(Status.FEASIBLE, [0, 1], 0.3, objective=-7.0, bound=-10.0)
    kept = pick({0: highs, 1: cbc})
    assert kept.x == [0, 1] and kept.gap == pytest.approx(1 / 7)
    assert relative_gap(-7.0, -7.0) == 0 and relative_gap(0.0, -1.0) is None


def test_cbc_cut_short_in_pre_processing_proves_nothing() -> None:
    # CBC 2.10's pre-processing, stopped by a tiny time limit, writes "Integer
    # infeasible" for this feasible model: that must not become exit 3
    p = hard_knapsack(2000, 5, seed=2)
    for limit in (0.01, 0.02):
        result = optimise(p, options=SolveOptions(solver="cbc", time_limit=limit))
        assert result.status in (Status.UNKNOWN, Status.FEASIBLE), limit


def test_an_answer_over_budget_by_a_rounding_error_is_refused() -> None:
    # CBC accepts rows 1e-7 off: at this budget its "optimal" portfolio costs 12155.6
    p = parse_portfolio(knapsack_cbc_wins())
    budget = 12155.5999999
    alone = optimise(p, options=SolveOptions(budget=budget, solver="highs"))
    raced = optimise(p, options=SolveOptions(budget=budget))
    assert alone.cost_total <= budget and raced.cost_total <= budget
    assert raced.selected_ids == alone.selected_ids
    try:
        cbc = optimise(p, options=SolveOptions(budget=budget, solver="cbc"))
    except SolverFailure as error:
        assert "budget.total" in str(error) and "rounding error" in str(error)
    else:
        assert cbc.cost_total <= budget and cbc.selected_ids == alone.selected_ids


def test_broken_names_the_constraint_an_answer_breaks() -> None:
    p = parse_portfolio(
        "objectives: {v: {}}\nbudget: {total: 0.3}\ncandidates:\n"
        "  - {id: a, cost: 0.1, value: {v: 1}}\n  - {id: b, cost: 0.2000001, value: {v: 1}}\n"
        "rules:\n  - {at_least: 1, of: [a, b]}\n"
    )
    e = engine(p)
    assert e.broken([1, 0]) == ""
    assert e.broken([1, 1]) == "budget.total"  # 0.3000001 > 0.3, however slightly
    assert e.broken([0, 0]) == "rule.0"


def test_solvers_mix_in_one_process() -> None:
    # HiGHS fails a solve whose thread count differs from an earlier one in the process
    p = hard_knapsack(30, 4, seed=5)
    answers = [optimise(p, options=SolveOptions(solver=s)) for s in ("highs", "auto", "highs")]
    assert len({r.selected_ids for r in answers}) == 1
    e = engine(p, solver="highs")
    alone = solve(e.problem(-e.value_expr), e.x, solver="highs", deadline=None)
    assert alone.status is Status.OPTIMAL


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_worker_gets_its_own_highs_turn() -> None:
    # a fork while a cancelled HiGHS run holds the turn must not hang the child
    from defplan import backends
    from defplan.backends import highs

    with highs.TURN:
        pid = os.fork()
        if pid == 0:  # the child: no HiGHS thread here, so the turn must be free
            free = highs.TURN.acquire(timeout=5)
            os._exit(0 if free else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert sys.modules["defplan.backends"] is backends


def test_cbc_is_found_in_pulp_then_cbcbox_then_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    # PuLP 4 bundles no CBC; `pulp[cbc]` brings it as the cbcbox package
    import types

    real = Cbc().path()
    assert real is not None
    boxed = tmp_path / "cbc"
    boxed.symlink_to(real)
    without_pulp = Cbc(places=(cbcbox_binary, on_path))  # as if PuLP bundled none
    fake = types.ModuleType("cbcbox")
    fake.cbc_bin_path = lambda: str(boxed)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "cbcbox", fake)
    cbcbox_binary.cache_clear()
    try:
        with registered(without_pulp):
            assert without_pulp.path() == str(boxed)
            assert backends.identity("cbc")[1].startswith("cbcbox ")
            result = optimise(hard_knapsack(12, 3, seed=4), options=SolveOptions(solver="cbc"))
            assert result.status is Status.OPTIMAL
            monkeypatch.setitem(sys.modules, "cbcbox", None)  # not installed
            cbcbox_binary.cache_clear()
            monkeypatch.setenv("PATH", str(tmp_path))
            assert without_pulp.path() == str(boxed)
            assert backends.identity("cbc")[1] == str(boxed)
            monkeypatch.setenv("PATH", "")
            assert without_pulp.path() is None
    finally:
        cbcbox_binary.cache_clear()


def test_a_highspy_that_will_not_load_is_named() -> None:
    """Installed but failing to load (too little memory, a broken library): `auto` says
    that CBC solved alone, and `--solver highs` says why HiGHS is missing."""

    def broken() -> None:
        raise ImportError("libhighs.so: failed to map segment from shared object")

    with registered(HiGHS(load=broken)):
        portfolio = parse_portfolio(SMALL, filename="small.yaml")
        result = optimise(portfolio, options=SolveOptions())
        assert result.solver.name == "CBC"
        assert result.notes == (
            "HiGHS is installed but could not be loaded (ImportError: libhighs.so: failed to "
            "map segment from shared object): CBC solved alone",
        )
        with pytest.raises(SolverError, match=r"HiGHS could not be loaded \(ImportError: libhighs"):
            optimise(portfolio, options=SolveOptions(solver="highs"))


class BruteForce:
    """A backend in pure Python: it tries every selection of a small all-binary model."""

    name = "brute"
    label = "Brute force"
    install = "nothing"

    def available(self) -> bool:
        return True

    def version(self) -> str:
        return "1.0"

    def failure(self) -> str:
        return ""

    def missing(self, others: Any) -> str:
        return ""

    def start(self, problem: Any, variables: Any, limits: Limits) -> Any:
        return BruteForceRun(problem, variables, limits)


class BruteForceRun:
    name = "brute"
    label = "Brute force"
    wait_when_cancelled = True

    def __init__(self, problem: Any, variables: Any, limits: Limits) -> None:
        self.columns = problem.variables()
        assert all(v.cat == "Integer" and (v.lowBound, v.upBound) == (0, 1) for v in self.columns)
        self.rows = [
            (dict((v.name, c) for v, c in row.items()), row.getLb(), row.getUb())
            for row in problem.constraints()
        ]
        self.cost = {v.name: c for v, c in problem.objective.items()}
        self.picks = [v.name for v in variables]
        self.cutoff = limits.cutoff
        self.stopped = False

    def __call__(self) -> Outcome:
        import itertools

        best: tuple[float, dict[str, int]] | None = None
        names = [v.name for v in self.columns]
        for values in itertools.product((0, 1), repeat=len(names)):
            if self.stopped:
                return Outcome(Status.UNKNOWN, None, None)
            x = dict(zip(names, values, strict=True))
            if all(self.holds(row, x) for row in self.rows):
                objective = sum(c * x[name] for name, c in self.cost.items())
                if best is None or objective < best[0]:
                    best = (objective, x)
        cutoff = self.cutoff
        if best is None or (cutoff is not None and best[0] > cutoff + 1e-9 * max(1, abs(cutoff))):
            return Outcome(Status.INFEASIBLE, None, None)
        objective, x = best
        return Outcome(Status.OPTIMAL, [x[name] for name in self.picks], 0.0, objective=objective)

    @staticmethod
    def holds(row: tuple[dict[str, float], Any, Any], x: dict[str, int]) -> bool:
        terms, lower, upper = row
        total = sum(c * x[name] for name, c in terms.items())
        return (lower is None or total >= lower - 1e-9) and (upper is None or total <= upper + 1e-9)

    def cancel(self) -> None:
        self.stopped = True

    def close(self) -> None:
        pass


def test_a_registered_backend_solves_end_to_end() -> None:
    # a backend is anything with the Backend protocol's members: registered, it can be
    # chosen by name, and its answers go through the same checks and tie rules
    feasible = hard_knapsack(10, 3, seed=2)
    infeasible = hard_knapsack(8, 2, seed=2, commitments={"c": {"target": 10**6}})
    with registered(BruteForce()):
        assert backends.names() == ("highs", "cbc", "brute")
        brute = optimise(feasible, options=SolveOptions(solver="brute"))
        none = optimise(infeasible, options=SolveOptions(solver="brute"))
    assert backends.names() == ("highs", "cbc")
    highs = optimise(feasible, options=SolveOptions(solver="highs"))
    assert brute.status is Status.OPTIMAL and brute.selected_ids == highs.selected_ids
    assert brute.value == highs.value
    assert (brute.solver.name, brute.solver.version) == ("Brute force", "1.0")
    expected = optimise(infeasible, options=SolveOptions(solver="highs")).conflicts
    assert none.status is Status.INFEASIBLE and none.conflicts == expected
