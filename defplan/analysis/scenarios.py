"""Budget scenarios -> the two-stage plan (docs/model.md, "Budget scenarios"): what to
commit now, each scenario's plan, the expected value, and beside it what planning for
each scenario alone gives (wait and see) and what committing to its early decisions is
worth over all scenarios.

One integer program over all scenarios (scenarios.stack), solved by the engine and
settled by the tie rule as any formulation.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from defplan import backends
from defplan.backends import GAP
from defplan.formulation import SolveOptions
from defplan.model import Portfolio
from defplan.result import Result, SolverInfo, Status, clean
from defplan.scenarios import COMMIT_BLOCK, Stack, stack
from defplan.solving import VALUE, Bound, Engine, build_result, canonical, optimise
from defplan.solving.answer import Found
from defplan.solving.canonical import FIRST_GAP, prove


@dataclass(frozen=True)
class Commit:
    """A choice made now: a candidate and its start year (None for a plain cost)."""

    id: str
    start: int | None


@dataclass(frozen=True)
class Alone:
    """Planning for one scenario alone: its best value and that plan's money (None when
    it has no portfolio), and the expected value over all scenarios of committing to its
    early decisions (None when some scenario cannot live with them)."""

    value: float | None
    money: float | None
    followed: float | None

    @classmethod
    def of(cls, result: Result, followed: float | None) -> Alone:
        """A scenario's own result, and what committing to its early decisions gives."""
        has = result.status.has_portfolio
        return cls(result.value, result.cost_total if has else None, followed)


@dataclass(frozen=True)
class ScenarioPlan:
    """The two-stage plan: its status, expected value and money (None without a plan),
    what to commit now, each scenario's result (file order), the scenarios' chances,
    planning for each alone, the conflicting scenarios (or commit_by) and notes."""

    status: Status
    commit_by: int
    expected_value: float | None
    expected_money: float | None
    commit: tuple[Commit, ...]
    results: dict[str, Result]
    probabilities: dict[str, float]
    alone: dict[str, Alone]
    conflicts: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def knowing(self) -> float | None:
        """The expected value knowing the budget before committing: each scenario's own
        best value, weighted by its probability (None when one has no portfolio)."""
        return _expected(self.probabilities, {n: a.value for n, a in self.alone.items()})

    @property
    def result(self) -> Result:
        """A scenario's result, for the exit code and notes (the first scenario's)."""
        return next(iter(self.results.values()))


def plan_scenarios(
    portfolio: Portfolio, *, options: SolveOptions | None = None, file: str = "", data: bytes = b""
) -> ScenarioPlan:
    """The two-stage plan of a file with scenarios."""
    options = options or SolveOptions()
    started = time.perf_counter()
    st = stack(portfolio, options)
    engine = Engine(st.form, options)
    first = engine.maximise(VALUE, race_gap=FIRST_GAP, warm_start=True)
    unique, tie = False, None
    if first.status is Status.OPTIMAL and first.x is not None and first.within > GAP:
        first, unique, tie = prove(engine, first.x, first.within)
    x, status = first.x, first.status
    notes: tuple[str, ...] = ()
    if status is Status.OPTIMAL and x is not None and not unique:
        x = canonical(engine, x, tie=tie)
        if engine.cut_short:
            notes = (
                "the time limit ran out while settling ties: the plan is optimal, "
                "but another of equal expected value may come first by the tie rule",
            )
    name, version = backends.identity(options.solver)
    gap = 0.0 if status is Status.OPTIMAL else first.gap if status is Status.FEASIBLE else None
    info = SolverInfo(name=name, version=version, gap=gap, seconds=time.perf_counter() - started)
    sha256 = hashlib.sha256(data).hexdigest()
    alone = {
        n: optimise(own, options=options, file=file, data=data)
        for n, own in zip(st.names, st.portfolios, strict=True)
    }
    chances = dict(zip(st.names, st.probabilities, strict=True))
    if x is None or not status.has_portfolio:
        return _without_plan(st, status, alone, info, file, sha256, options, notes)
    results = {
        n: build_result(
            own, form, Found(status, st.part(x, s), info), file=file, sha256=sha256, options=options
        )
        for s, (n, own, form) in enumerate(zip(st.names, st.portfolios, st.forms, strict=True))
    }
    options_now = [st.forms[0].options[k] for k in st.decided_now if x[k]]
    ids = [c.id for c in portfolio.candidates]
    return ScenarioPlan(
        status=status,
        commit_by=st.commit_by,
        expected_value=_expected(chances, {n: r.value for n, r in results.items()}),
        expected_money=_expected(chances, {n: r.cost_total for n, r in results.items()}),
        commit=tuple(Commit(ids[o.candidate], o.start) for o in options_now),
        results=results,
        probabilities=chances,
        alone={n: Alone.of(r, _followed(engine, st, r)) for n, r in alone.items()},
        notes=notes,
    )


def _expected(chances: dict[str, float], amounts: dict[str, float | None]) -> float | None:
    """sum of probability * amount over the scenarios; None when one has no amount."""
    if any(a is None for a in amounts.values()):
        return None
    return clean(math.fsum(p * (amounts[n] or 0.0) for n, p in chances.items()))


def _followed(engine: Engine, st: Stack, alone: Result) -> float | None:
    """The expected value of committing now to what a scenario's own best plan decides
    by commit_by, the rest planned per scenario; None when some scenario cannot."""
    if not alone.status.has_portfolio:
        return None
    form = st.forms[0]
    starts = {i: c.start for i, c in enumerate(alone.candidates) if c.selected}
    mine = form.columns_taking(starts)
    fixed = [
        Bound(
            f"follow{k}", {k: 1.0}, lower=1.0 if mine[k] else None, upper=None if mine[k] else 0.0
        )
        for k in st.decided_now
    ]
    found = engine.maximise(VALUE, rows=fixed)
    if found.x is None or not found.status.has_portfolio:
        return None
    from defplan.solving import objective_value

    return clean(objective_value(st.form, found.x))


def _without_plan(
    st: Stack,
    status: Status,
    alone: dict[str, Result],
    info: SolverInfo,
    file: str,
    sha256: str,
    options: SolveOptions,
    notes: tuple[str, ...],
) -> ScenarioPlan:
    """No plan (infeasible, or none found in time): the scenarios that have no portfolio
    alone, with their own conflicts; or commit_by when only the shared choices fail."""
    lost = tuple(n for n, r in alone.items() if r.status is Status.INFEASIBLE)
    conflicts = lost if status is Status.INFEASIBLE and lost else ()
    if status is Status.INFEASIBLE and not lost:
        conflicts = (COMMIT_BLOCK,)
    results = {}
    for n, own, form in zip(st.names, st.portfolios, st.forms, strict=True):
        if n in lost:
            results[n] = alone[n]
            continue
        why = (COMMIT_BLOCK,) if conflicts == (COMMIT_BLOCK,) else ()
        words = tuple(b.label for b in st.form.blocks if b.name in why)
        found = Found(status, None, info, why, words)
        results[n] = build_result(own, form, found, file=file, sha256=sha256, options=options)
    return ScenarioPlan(
        status=status,
        commit_by=st.commit_by,
        expected_value=None,
        expected_money=None,
        commit=(),
        results=results,
        probabilities=dict(zip(st.names, st.probabilities, strict=True)),
        alone={n: Alone.of(r, None) for n, r in alone.items()},
        conflicts=conflicts,
        notes=notes,
    )
