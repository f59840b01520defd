"""Numbers large and small: rows scaled for the solvers, tolerances relative
to the numbers they compare, and no solver claim believed that a cheap check refutes."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from samples import Answering
from typer.testing import CliRunner

from defplan import SolveOptions, Status, backends, optimise, parse_portfolio
from defplan.analysis.explain import explain
from defplan.analysis.sweep import sweep
from defplan.backends import Limits, Outcome, registered
from defplan.backends.cbc import SECOND_TRY, Cbc, CbcRun, doubtful
from defplan.backends.race import race
from defplan.cli import app
from defplan.errors import ExitCode, SolverFailure
from defplan.formulation import Row, formulate, solver_row
from defplan.result import CommitmentOutcome
from defplan.solving import COST, VALUE, Bound, Engine
from defplan.solving.engine import REPAIRS
from defplan.tolerance import shortfall

SOLVERS = ("auto", "highs", "cbc")
TOTALS = (1e9, 1e11, 1e12)


def in_euros(total: float, mandatory: tuple[str, ...] = ()) -> str:
    """Two candidates of equal value, together over the budget by 2, in euros."""
    costs = {"x": f"{total / 2:.0f}", "y": f"{total / 2 + 2:.0f}"}
    lines = ["objectives: {a: {weight: 1}}", f"budget: {{total: {total:.0f}}}", "candidates:"]
    for cid, cost in costs.items():
        forced = ", mandatory: true" if cid in mandatory else ""
        lines.append(f"  - {{id: {cid}, cost: {cost}, value: {{a: 1}}{forced}}}")
    return "\n".join(lines) + "\n"


# -- large numbers: the budget in euros ------------------------------------------------
@pytest.mark.parametrize("name", SOLVERS)
@pytest.mark.parametrize("total", TOTALS)
def test_a_budget_in_euros_is_met_not_declared_infeasible(total: float, name: str) -> None:
    # CBC said "infeasible" (exit 3, naming budget.total); {x} is the optimum
    result = optimise(parse_portfolio(in_euros(total)), options=SolveOptions(solver=name))
    assert result.status is Status.OPTIMAL
    assert result.selected_ids == ("x",) and result.cost_total == total / 2


@pytest.mark.parametrize("name", SOLVERS)
@pytest.mark.parametrize("total", TOTALS)
def test_explain_and_sweep_of_a_budget_in_euros(total: float, name: str) -> None:
    p = parse_portfolio(in_euros(total))
    options = SolveOptions(solver=name)
    why = explain(p, "y", options=options)
    assert why.result.selected_ids == ("x",) and not why.selected and why.complete
    assert why.binding == ("budget.total",)  # without it, x and y together
    points = sweep(p, budgets=[total / 2 - 1, total / 2, total], options=options)
    assert [point.result.selected_ids for point in points] == [(), ("x",), ("x",)]
    assert all(point.result.status is Status.OPTIMAL for point in points)


def test_the_command_line_optimises_a_budget_of_1e12_with_cbc(tmp_path: Any) -> None:
    path = tmp_path / "euros.yaml"
    path.write_text(in_euros(1e12), encoding="utf-8")
    said = CliRunner().invoke(app, ["optimise", str(path), "--solver", "cbc", "--format", "json"])
    assert said.exit_code == ExitCode.OK, said.output
    assert [c["id"] for c in json.loads(said.stdout)["selected"]] == ["x"]


def test_an_entry_budget_search_stays_within_the_largest_budget() -> None:
    # explain's search used the sum of all costs (1e12 + 2) as a budget: exit 2
    why = explain(parse_portfolio(in_euros(1e12)), "x", options=SolveOptions())
    assert why.entry_budget == 5e11


# -- solver claims checked -------------------------------------------------------------
@pytest.fixture
def cbc_says_infeasible() -> Iterator[None]:
    """CBC answers "no portfolio" to every search, whatever the model."""

    def says_infeasible(run: Any) -> Outcome:
        return Outcome(Status.INFEASIBLE, None, None)

    with registered(Answering(backends.lookup("cbc"), says_infeasible)):
        yield


@pytest.mark.usefixtures("cbc_says_infeasible")
def test_an_infeasible_claim_the_empty_selection_refutes_is_refused() -> None:
    p = parse_portfolio(in_euros(1e9))
    with pytest.raises(SolverFailure, match="CBC found no portfolio, though the empty selection"):
        optimise(p, options=SolveOptions(solver="cbc"))
    # in a race the claim proves nothing: HiGHS decides, though CBC answered first
    assert optimise(p, options=SolveOptions(solver="auto")).selected_ids == ("x",)


@pytest.mark.usefixtures("cbc_says_infeasible")
def test_an_infeasible_claim_the_forced_candidates_refute_is_refused() -> None:
    p = parse_portfolio(in_euros(1e9, mandatory=("y",)))  # the empty selection breaks it
    with pytest.raises(
        SolverFailure, match="though the selection of the forced candidates alone meets"
    ):
        optimise(p, options=SolveOptions(solver="cbc"))
    assert optimise(p, options=SolveOptions(solver="auto")).selected_ids == ("y",)


def test_only_a_selection_meeting_every_row_and_the_cutoff_refutes_a_claim() -> None:
    p = parse_portfolio(in_euros(1e9, mandatory=("x", "y")))
    e = Engine(formulate(p, SolveOptions()), SolveOptions())
    assert e.disproof([[1, 1], [1, 0]]) == ""  # over the budget by 2; y left out
    others = [k for k, b in enumerate(e.form.blocks) if b.name != "budget.total"]
    assert e.disproof([], others) == "the selection of the forced candidates alone"
    free = Engine(formulate(parse_portfolio(in_euros(1e9)), SolveOptions()), SolveOptions())
    assert free.disproof([]) == "the empty selection"
    worth = -free.value_expr  # a search for a value of at least 1: not the empty one
    assert free.disproof([], objective=worth, cutoff=-1.0) == ""
    assert free.disproof([[0, 1]], objective=worth, cutoff=-1.0) == "the other solver's portfolio"
    floor = Bound("floor", VALUE, lower=2)
    assert free.disproof([[0, 1]], rows=[floor]) == ""  # the extra rows count too


class _Fixed:
    """A racer that answers `outcome` after `delay` seconds."""

    wait_when_cancelled = True

    def __init__(self, label: str, outcome: Outcome, delay: float) -> None:
        self.name = self.label = label
        self.outcome, self.delay = outcome, delay

    def __call__(self) -> Outcome:
        time.sleep(self.delay)
        return self.outcome

    def cancel(self) -> None:
        pass

    def close(self) -> None:
        pass


def test_a_race_does_not_end_on_an_infeasible_claim_a_portfolio_in_hand_refutes() -> None:
    found = Outcome(Status.FEASIBLE, [1, 0], 0.5, objective=-1.0)
    runs = [
        _Fixed("HiGHS", found, 0.0),  # a time limit: a portfolio, unproven
        _Fixed("CBC", Outcome(Status.INFEASIBLE, None, None), 0.2),
    ]

    def refute(held: list[list[int]]) -> str:
        return "the other solver's portfolio" if [1, 0] in held else ""

    kept = race(runs, lambda x: "", refute)
    assert kept.status is Status.FEASIBLE and kept.x == [1, 0]
    # without a portfolio in hand nor a witness the claim stands
    runs[0] = _Fixed("HiGHS", Outcome(Status.UNKNOWN, None, None), 0.0)
    assert race(runs, lambda x: "", refute).status is Status.INFEASIBLE


def test_an_answer_off_by_a_rounding_error_is_ruled_out_and_solved_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = backends.solve
    calls: list[Outcome] = []

    def first_over_budget(*args: Any, **kwargs: Any) -> Outcome:
        if not calls:  # x and y: 2 over the budget, as CBC answered
            outcome = Outcome(Status.UNKNOWN, None, None, rejected="CBC's ...", refused=[1, 1])
        else:
            outcome = real(*args, **kwargs)
        calls.append(outcome)
        return outcome

    monkeypatch.setattr(backends, "solve", first_over_budget)
    result = optimise(parse_portfolio(in_euros(1e9)), options=SolveOptions(solver="highs"))
    assert result.selected_ids == ("x",) and len(calls) > 2


def test_a_solver_that_keeps_breaking_a_row_fails_after_a_bounded_number_of_tries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []

    def always_over(*args: Any, **kwargs: Any) -> Outcome:
        calls.append(1)
        said = "CBC's answer breaks budget.total by a rounding error"
        return Outcome(Status.UNKNOWN, None, None, rejected=said, refused=[1, 1])

    monkeypatch.setattr(backends, "solve", always_over)
    with pytest.raises(SolverFailure, match=r"budget\.total by a rounding error; try another"):
        optimise(parse_portfolio(in_euros(1e9)), options=SolveOptions(solver="cbc"))
    assert len(calls) == REPAIRS + 1


# -- the rows the solvers get ------------------------------------------------------------
def test_solver_rows_are_scaled_by_powers_of_two_and_keep_their_selections() -> None:
    budget, scale = solver_row(Row({0: 5e11, 1: 5e11 + 2}, upper=1e12))
    assert all(0.5 <= c <= 2 for c in budget.coefs.values())
    assert scale == 2**39 and budget.coefs[1] * scale == 5e11 + 2  # scaled exactly
    # a target of 5e-10 over contributions of 1: capped at the target, then scaled up
    target, _ = solver_row(Row({0: 1.0, 1: 3e-10}, lower=5e-10, tolerance=1e-9))
    assert target.lower is not None and 0.5 <= target.lower <= 2
    assert target.coefs[0] >= target.lower > target.coefs[1]
    # with a negative contribution a term of 1 does not always meet the target alone
    mixed, _ = solver_row(Row({0: 1.0, 1: -1.0}, lower=5e-10))
    assert mixed.coefs[0] == -mixed.coefs[1]


# -- relative tolerances -----------------------------------------------------------------
def test_a_tiny_target_is_not_met_by_nothing_while_rounding_still_meets_targets() -> None:
    assert shortfall(5e-10, 0.0) == 5e-10
    assert not CommitmentOutcome(label="t", framework=None, hard=True, target=5e-10, achieved=0).met
    assert CommitmentOutcome(
        label="t", framework=None, hard=True, target=0.8, achieved=0.7 + 0.1
    ).met
    assert shortfall(1e12, 1e12 - 999) == 0  # within a relative 1e-9
    assert shortfall(1e12, 1e12 - 1001) == 1001


def tiny_targets(contribution: float, count: int, hard: bool = True) -> Any:
    """Candidate a (value 1, no contribution) and `count` contributors worth 0.6 each."""
    kind = "" if hard else ", hard: false, penalty: 1e9"
    lines = [
        "objectives: {v: {weight: 1}}",
        f"commitments: {{k: {{target: 5e-10{kind}}}}}",
        "budget: {total: 100}",
        "candidates:",
        "  - {id: a, cost: 1, value: {v: 1}}",
    ]
    lines += [
        f"  - {{id: c{i}, cost: 1, value: {{v: 0.6}}, commitments: {{k: {contribution}}}}}"
        for i in range(count)
    ]
    return parse_portfolio("\n".join(lines) + "\n")


@pytest.mark.parametrize("name", SOLVERS)
def test_a_hard_target_of_5e_10_needs_its_contributions(name: str) -> None:
    options = SolveOptions(solver=name, budget=1)  # one candidate only
    met = optimise(tiny_targets(1.0, 1), options=options)
    assert met.selected_ids == ("c0",) and met.commitments["k"].met
    # contributions of 1e-10: five reach 5e-10, four do not
    five = optimise(tiny_targets(1e-10, 5), options=SolveOptions(solver=name))
    assert five.selected_ids == ("a", "c0", "c1", "c2", "c3", "c4")
    assert five.commitments["k"].met
    four = optimise(tiny_targets(1e-10, 4), options=SolveOptions(solver=name))
    assert four.status is Status.INFEASIBLE and four.conflicts == ("commitment.k",)


@pytest.mark.parametrize("name", SOLVERS)
def test_a_soft_target_of_5e_10_is_penalised_when_missed(name: str) -> None:
    # missing it by 5e-10 costs 1e9 * 5e-10 = 0.5: c0 (0.6) beats a (1 - 0.5)
    result = optimise(tiny_targets(1.0, 1, hard=False), options=SolveOptions(solver=name, budget=1))
    assert result.selected_ids == ("c0",) and result.value == 0.6
    alone = optimise(
        tiny_targets(1.0, 1, hard=False),
        options=SolveOptions(solver=name, budget=1, exclude=("c0",)),
    )
    assert alone.value == 0.5 and alone.commitments["k"].shortfall == 5e-10


def many_ones(target: float) -> Any:
    """50 contributors of 1 each and a hard target near 50: all must be chosen."""
    lines = ["objectives: {v: {weight: 1}}", f"commitments: {{k: {{target: {target!r}}}}}"]
    lines += ["budget: {total: 100}", "candidates:"]
    lines += [
        f"  - {{id: c{i}, cost: 1, value: {{v: -1}}, commitments: {{k: 1}}}}" for i in range(50)
    ]
    return parse_portfolio("\n".join(lines) + "\n")


@pytest.mark.parametrize("name", SOLVERS)
def test_a_target_met_within_the_relative_tolerance_is_feasible_for_the_solvers(name: str) -> None:
    # 50 meets 50 * (1 + 5e-10) (within 1e-9), so the solvers must accept it too; a
    # solver's own tolerance is absolute: 2.5e-8 off would be refused
    within = optimise(many_ones(50 * (1 + 5e-10)), options=SolveOptions(solver=name))
    assert within.status is Status.OPTIMAL and len(within.selected_ids) == 50
    assert within.commitments["k"].met
    beyond = optimise(many_ones(50 * (1 + 3e-9)), options=SolveOptions(solver=name))
    assert beyond.status is Status.INFEASIBLE and beyond.conflicts == ("commitment.k",)


@pytest.mark.parametrize("name", SOLVERS)
def test_tiny_costs_and_budgets(name: str) -> None:
    p = parse_portfolio(
        "objectives: {v: {weight: 1}}\nbudget: {total: 3e-6}\ncandidates:\n"
        "  - {id: a, cost: 2e-6, value: {v: 3}}\n"
        "  - {id: b, cost: 1.5e-6, value: {v: 2}}\n"
        "  - {id: c, cost: 1.5000001e-6, value: {v: 2}}\n"
    )
    result = optimise(p, options=SolveOptions(solver=name))
    assert result.selected_ids == ("a",)  # b and c together pass the budget by 1e-13
    assert optimise(p, options=SolveOptions(solver=name, budget=3.0000001e-6)).selected_ids == (
        "b",
        "c",
    )


# -- the tie rule's searches: every row checked, doubtful claims asked again ------------
NEAR_TIES = """\
objectives: {a: {weight: 1}}
budget: {total: 6}
candidates:
  - {id: c2, cost: 2.000000006, value: {a: 10000}}
  - {id: c5, cost: 1, value: {a: 20000}}
  - {id: c7, cost: 3, value: {a: 30000.000015}}
  - {id: c8, cost: 2.000000006, value: {a: 30000}}
  - {id: c9, cost: 3, value: {a: 30000.000015}}
"""
HIGHS_SOLVE_ERROR = """\
objectives: {a: {weight: 1}}
budget: {total: 7}
candidates:
  - {id: c1, cost: 3, value: {a: 2}}
  - {id: c2, cost: 1.000000003, value: {a: 2}}
  - {id: c4, cost: 3, value: {a: 1.0000000005}}
  - {id: c5, cost: 3, value: {a: -1.000000003}}
  - {id: c6, cost: 3, value: {a: 3}}
"""


def test_an_answer_breaking_an_extra_row_by_a_hair_is_ruled_out_for_that_solve() -> None:
    # CBC's search for the file-order first returned {c2, c5, c8}, over the tie's cost
    # cap by 1e-9; only the blocks were checked, so it was taken, and the tie search
    # ended there. Every row of the solve counts: it is refused, ruled out, solved again.
    options = SolveOptions(solver="cbc")
    e = Engine(formulate(parse_portfolio(NEAR_TIES), options), options)
    rows = [Bound("tie_cost", COST, upper=5.000000011)]
    answers: list[Outcome] = []

    def first_over_the_cap(run: Any) -> Outcome:
        hair = Outcome(Status.OPTIMAL, [1, 1, 0, 1, 0], 0.0, objective=-15000.0)
        answers.append(run() if answers else hair)
        return answers[-1]

    with registered(Answering(backends.lookup("cbc"), first_over_the_cap)):
        found = e.maximise(VALUE, rows=rows)
    assert found.status is Status.OPTIMAL and found.x in ([0, 0, 1, 1, 0], [0, 0, 0, 1, 1])
    assert len(answers) == 2
    assert [r.name for r in rows] == ["tie_cost"]  # the no-good was for that solve alone


def test_a_cbc_claim_of_no_portfolio_is_doubted_after_pre_processing_or_a_refusal() -> None:
    said = "Cbc0038I Solution found of -13312\nResult - Problem proven infeasible\n"
    assert doubtful(said, cutoff=-1280.0)  # found one within it, then refused it
    assert not doubtful(said, cutoff=-20000.0)  # beyond it: rightly dropped
    assert doubtful("Pre-processing says infeasible or unbounded\n", cutoff=None)
    assert not doubtful("Result - Problem proven infeasible\n", cutoff=-1.0)


def test_a_highs_solve_error_is_asked_again_without_presolve(tmp_path: Any) -> None:
    # HiGHS: "Solution with objective ... has untransformed violations ... Solve error";
    # exit 1, and exit 4 (a time limit) after 0.6 s with --time-limit 10
    path = tmp_path / "error.yaml"
    path.write_text(HIGHS_SOLVE_ERROR, encoding="utf-8")
    for limit in ([], ["--time-limit", "10"]):
        args = ["optimise", str(path), "--solver", "highs", "--format", "json", *limit]
        said = CliRunner().invoke(app, args)
        assert said.exit_code == ExitCode.OK, said.output
        assert [c["id"] for c in json.loads(said.stdout)["selected"]] == ["c2", "c6"]


def test_a_solver_error_is_a_failure_never_a_time_limit() -> None:
    def error(run: Any) -> Outcome:
        return Outcome(Status.UNKNOWN, None, None, answered=False)

    p = parse_portfolio(HIGHS_SOLVE_ERROR)
    with registered(Answering(backends.lookup("highs"), error)):
        for limit in (None, 10.0):
            with pytest.raises(SolverFailure, match="solver highs stopped without an answer"):
                optimise(p, options=SolveOptions(solver="highs", time_limit=limit))


def test_a_cbc_second_try_that_crashes_leaves_the_claim_as_cbc_made_it() -> None:
    # CBC 2.10 crashes (SIGSEGV) without pre-processing on this model, whose
    # pre-processing rightly says infeasible: the claim stands (the witnesses still
    # check it), not "CBC crashed"
    p = parse_portfolio(
        "objectives: {a: {weight: 1}, b: {weight: 0}}\n"
        "commitments: {k: {hard: false, penalty: 0, target: 1}}\n"
        "budget: {per_year: {2026: 4}}\n"
        "groups: {eq: {min: 0, max: 1, min_share: 0.25}}\n"
        "rules: [{at_most: 0, of: [c0, c1]}]\n"
        "candidates:\n"
        "  - {id: c0, cost: {2026: 0, 2027: 0, 2028: 2}, value: {}}\n"
        "  - {id: c1, cost: {2026: 1}, value: {}}\n"
        "  - {id: c2, cost: 0, value: {}}\n"
        "  - {id: c5, cost: {2026: 0, 2027: 0, 2028: 2}, value: {}}\n"
        "  - {id: c6, group: eq, cost: {2026: 0, 2027: 0, 2028: 2}, value: {}}\n"
    )
    result = optimise(p, options=SolveOptions(solver="cbc", include=("c1",)))
    assert result.status is Status.INFEASIBLE
    assert result.conflicts == ("rule.0", "include.c1")


def test_a_cbc_second_try_that_fails_keeps_the_first_claim() -> None:
    tries: list[list[str]] = []

    class CrashOnTheSecond(CbcRun):
        def attempt(self, *args: Any) -> Outcome:
            tries.append(args[-1])
            if len(tries) == 1:
                return Outcome(Status.UNKNOWN, None, None, rejected=backends.DOUBTED)
            raise SolverFailure("CBC crashed (SIGSEGV) without an answer; try --solver highs")

    class CrashingCbc(Cbc):
        def start(self, problem: Any, variables: Any, limits: Limits) -> CbcRun:
            return CrashOnTheSecond(str(self.path()), problem, variables, limits)

    p = parse_portfolio(in_euros(1e9, mandatory=("x", "y")))
    e = Engine(formulate(p, SolveOptions(solver="cbc")), SolveOptions(solver="cbc"))
    with registered(CrashingCbc()):
        assert e.solve(e.linear([])).status is Status.INFEASIBLE
    assert tries[1][-len(SECOND_TRY) :] == SECOND_TRY


def test_rounding_noise_in_contributions_is_no_shortfall() -> None:
    text = """\
objectives:
  a: {weight: 1}
commitments:
  t: {target: 0.8, hard: false, penalty: 1000000000}
budget: {total: 2}
candidates:
  - {id: c1, cost: 1, value: {a: 1}, commitments: {t: 0.7}}
  - {id: c2, cost: 1, value: {a: 1}, commitments: {t: 0.1}}
  - {id: c3, cost: 1, value: {a: 1}, commitments: {t: 0.8}}
"""
    p = parse_portfolio(text)
    result = optimise(p)
    assert result.selected_ids == ("c1", "c2")  # 0.7 + 0.1 meets 0.8: a tie, file order
    assert result.value == 2
    alone = optimise(p, options=SolveOptions(exclude=("c3",)))
    assert alone.value == 2
    assert alone.commitments["t"].met and alone.commitments["t"].shortfall == 0
