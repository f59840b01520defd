"""HiGHS's warm start from the LP relaxation: it may speed, never change, answers."""

from __future__ import annotations

import math
import threading
import time
from typing import Any

import pytest
from samples import engine, generated, hard_knapsack

from defplan import SolveOptions, Status, optimise, parse_portfolio
from defplan.backends import Limits
from defplan.backends import highs_warmstart as warmstart
from defplan.backends.base import relative_gap
from defplan.backends.highs import HiGHS
from defplan.render.documents import document_of
from defplan.solving import Engine, objective_value


def highs_run(e: Engine, **kwargs: Any) -> Any:
    kwargs.setdefault("warm_start", True)
    return HiGHS().start(e.problem(-e.value_expr), e.x, Limits(**kwargs))


def test_only_models_with_many_binaries_get_a_start() -> None:
    assert not warmstart.worth_trying(100)  # mknapcb1's size: nothing would be fixed
    assert not warmstart.worth_trying(399)
    assert warmstart.worth_trying(400) and warmstart.worth_trying(20_000)
    assert not highs_run(engine(hard_knapsack(100, 3, seed=1))).warm_start
    assert highs_run(engine(hard_knapsack(600, 3, seed=1))).warm_start
    assert not highs_run(engine(hard_knapsack(600, 3, seed=1)), warm_start=False).warm_start


def test_the_start_is_a_feasible_portfolio_near_the_lp_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(warmstart, "WITHIN_OF_LP", 0.01)  # this knapsack's is ~1e-4 off
    e = engine(hard_knapsack(600, 5, seed=3))
    run = highs_run(e)
    started: list[Any] = []
    start, bound = warmstart.start_from_lp(
        run.model, run.settings, None, lambda h: not started.append(h)
    )
    assert start is not None and len(started) == 2  # the LP relaxation, then the small MIP
    x = [1 if start.col_value[k] > 0.5 else 0 for k in run.picks]
    assert e.broken(x) == ""
    relaxed, small = (h.getInfo().objective_function_value for h in started)  # minimised
    assert bound == relaxed <= small <= relaxed + 0.01 * abs(relaxed)
    assert objective_value(e.form, x) > 0


def test_a_start_far_from_the_lp_bound_is_not_handed_on() -> None:
    # a start worse than WITHIN_OF_LP steered HiGHS into long searches: HiGHS goes alone
    run = highs_run(engine(hard_knapsack(600, 5, seed=3)))
    started: list[Any] = []
    start, bound = warmstart.start_from_lp(
        run.model, run.settings, None, lambda h: not started.append(h)
    )
    found = started[-1].getInfo().objective_function_value
    assert found - bound > warmstart.WITHIN_OF_LP * abs(found)
    assert start is None and math.isfinite(bound)


def test_a_cancelled_start_gives_nothing() -> None:
    run = highs_run(engine(hard_knapsack(600, 5, seed=3)))
    assert warmstart.start_from_lp(run.model, run.settings, None, lambda h: False)[0] is None
    run.cancel()
    assert run().status is Status.UNKNOWN


def test_an_infeasible_model_gives_no_start() -> None:
    p = hard_knapsack(600, 3, seed=1, commitments={"c": {"target": 10**6}})
    run = highs_run(engine(p))
    assert warmstart.start_from_lp(run.model, run.settings, None, lambda h: True)[0] is None
    assert run().status is Status.INFEASIBLE


def test_a_run_cancelled_from_another_thread_stops_soon() -> None:
    # HiGHS alone takes minutes to prove this one; cancel lands in the start or after it
    run = highs_run(engine(hard_knapsack(3000, 10, seed=1)))
    outcome: list[Any] = []
    thread = threading.Thread(target=lambda: outcome.append(run()))
    thread.start()
    time.sleep(0.4)
    cancelled = time.monotonic()
    run.cancel()
    thread.join(timeout=20)
    assert not thread.is_alive() and time.monotonic() - cancelled < 5
    assert outcome[0].status is Status.UNKNOWN


def test_a_time_limited_answer_is_measured_against_the_tighter_bound() -> None:
    e = engine(hard_knapsack(3000, 10, seed=1))
    limits = Limits(deadline=time.monotonic() + 1.5, warm_start=True)
    run = HiGHS().start(e.problem(-e.value_expr), e.x, limits)
    outcome = run()
    assert outcome.status is Status.FEASIBLE and outcome.objective is not None
    assert math.isfinite(run.lp_bound) and outcome.bound is not None
    assert run.lp_bound <= outcome.bound <= outcome.objective  # minimised: bounds below
    assert outcome.gap == relative_gap(outcome.objective, outcome.bound)
    assert outcome.gap is not None and outcome.gap < 0.01


def test_no_start_when_little_time_is_left() -> None:
    e = engine(hard_knapsack(3000, 10, seed=1))
    soon = time.monotonic() + warmstart.TIME_AT_LEAST / 2
    run = HiGHS().start(e.problem(-e.value_expr), e.x, Limits(deadline=soon, warm_start=True))
    outcome = run()
    assert math.isnan(run.lp_bound)  # never tried
    assert outcome.status in (Status.FEASIBLE, Status.UNKNOWN)


def test_a_time_limit_covers_the_start_too() -> None:
    started = time.monotonic()
    result = optimise(
        hard_knapsack(3000, 10, seed=1), options=SolveOptions(solver="highs", time_limit=1.0)
    )
    assert time.monotonic() - started < 4
    assert result.status in (Status.FEASIBLE, Status.UNKNOWN)


@pytest.mark.parametrize("solver", ["auto", "highs"])
@pytest.mark.parametrize("seed", [1, 2])
def test_answers_are_the_same_with_and_without_a_start(
    solver: str, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 500 candidates with integer values: ties are common, so the canonical choice among
    # them is checked too, not only the best value. Every start is handed on here (these
    # would be too far from the LP bound): any start may speed, never change, an answer
    handed: list[bool] = []
    start_from_lp = warmstart.start_from_lp

    def counted(*args: Any) -> Any:
        start, bound = start_from_lp(*args)
        handed.append(start is not None)
        return start, bound

    p = parse_portfolio(generated(seed=seed, n=500))
    for budget in (400.0, 1000.0):
        options = SolveOptions(solver=solver, budget=budget)
        with monkeypatch.context() as patch:
            patch.setattr(warmstart, "WITHIN_OF_LP", 1.0)
            patch.setattr(warmstart, "start_from_lp", counted)
            with_start = document_of(optimise(p, options=options))
        # (in a race CBC may prove before HiGHS gets to its start, or during it)
        assert handed == [True] or solver == "auto"
        handed.clear()
        with monkeypatch.context() as patch:
            patch.setattr(warmstart, "worth_trying", lambda binaries: False)
            without = document_of(optimise(p, options=options))
        for result in (with_start, without):
            result["solver"].pop("seconds")
        assert with_start == without
        assert with_start["status"] == "optimal"
