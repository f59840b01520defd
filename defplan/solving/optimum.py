"""Portfolio + options -> Result: the front door the CLI and the analyses call.

`optimise` builds the engine, finds the best value, settles ties by the rule
(canonical.py) or, when nothing is feasible, names the conflicting constraints
(conflicts.py), and reports the selection (answer.py).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Collection, Mapping

from defplan import backends
from defplan.backends import GAP
from defplan.formulation import Formulation, SolveOptions, formulate
from defplan.model import Portfolio
from defplan.result import Result, SolverInfo, Status
from defplan.signals import import_pulp
from defplan.solving.answer import Found, build_result
from defplan.solving.canonical import FIRST_GAP, canonical, objective_value, prove
from defplan.solving.conflicts import conflicting_blocks, describe_conflict
from defplan.solving.engine import VALUE, Engine
from defplan.timing import phase


def optimise(
    portfolio: Portfolio,
    *,
    options: SolveOptions | None = None,
    file: str = "",
    data: bytes = b"",
    below: tuple[float, Mapping[str, int | None]] | None = None,
    without: Collection[str] = (),
    settled: bool = False,
) -> Result:
    """Find the best portfolio; `file` and `data` (the input bytes) label the result.

    `below` is (budget, selection): this same run's proven answer at a total budget no
    larger than this one (a sweep's previous point), as its candidates' ids and their
    start years. It only shortens the search. `settled`: that answer is proven the
    answer at every larger total budget too (solving.budget_free): it is taken as found.
    `without` names constraints (blocks, by name: budget.total, rule.0, ...) to leave out,
    as if never written.
    """
    import_pulp()  # here, so that --profile counts it as start-up

    options = options or SolveOptions()
    started = time.perf_counter()
    with phase("build"):
        form = formulate(portfolio, options)
    if below is not None and settled and not without:
        x = selection_columns(portfolio, form, below[1])
        missing = backends.missing_solver_notes(options.solver)
        found = Found(Status.OPTIMAL, x, _info(options, 0.0, started), (), (), missing)
    else:
        found = _search(portfolio, form, options, below, without, started)
    sha256 = hashlib.sha256(data).hexdigest()
    return build_result(portfolio, form, found, file=file, sha256=sha256, options=options)


def _search(
    portfolio: Portfolio,
    form: Formulation,
    options: SolveOptions,
    below: tuple[float, Mapping[str, int | None]] | None,
    without: Collection[str],
    started: float,
) -> Found:
    """The best portfolio by the tie rule, or the conflict when there is none."""
    with phase("build"):
        engine = Engine(form, options, without=without)
    lower = None
    unique = False
    tie: list[int] | None = None
    if below is None:
        first = engine.maximise(VALUE, race_gap=FIRST_GAP, warm_start=True)
    else:  # the smaller budget's answer is feasible here too: its value is a floor
        lower = (below[0], selection_columns(portfolio, form, below[1]))
        y_value = objective_value(form, lower[1])
        first = engine.maximise(
            VALUE,
            floor=y_value - 2 * engine.value_tie(y_value),
            race_gap=FIRST_GAP,
            warm_start=True,
        )
        if first.status is Status.INFEASIBLE:
            first = engine.maximise(VALUE)  # never expected: y is above it
    if first.status is Status.OPTIMAL and first.x is not None and first.within > GAP:
        first, unique, tie = prove(engine, first.x, first.within)
    conflicts: tuple[str, ...] = ()
    details: tuple[str, ...] = ()
    x: list[int] | None = first.x
    status = first.status
    notes: tuple[str, ...] = ()
    if status is Status.OPTIMAL and x is not None and not unique:
        x = canonical(engine, x, below=lower, tie=tie)
        if engine.cut_short:
            notes = (
                "the time limit ran out while settling ties: the portfolio is optimal, "
                "but another of equal value may be cheaper or earlier in the file",
            )
    elif status is Status.INFEASIBLE:
        blocks = conflicting_blocks(engine)
        conflicts = tuple(b.name for b in blocks)
        details = tuple(describe_conflict(engine, b) for b in blocks)
        if engine.cut_short:
            notes = (
                "the time limit ran out while narrowing down the conflict: "
                "some listed constraints may not be needed for it",
            )
    notes += backends.missing_solver_notes(options.solver)
    gap = 0.0 if status is Status.OPTIMAL else first.gap if status is Status.FEASIBLE else None
    return Found(status, x, _info(options, gap, started), conflicts, details, notes)


def selection_columns(
    portfolio: Portfolio, form: Formulation, selection: Mapping[str, int | None]
) -> list[int]:
    """The columns of a selection given by candidate id and start year."""
    index = portfolio.candidate_index()
    return form.columns_taking({index[c]: s for c, s in selection.items()})


def _info(options: SolveOptions, gap: float | None, started: float) -> SolverInfo:
    """The solver's name and version, the gap reached and the seconds since `started`."""
    name, version = backends.identity(options.solver)
    return SolverInfo(name=name, version=version, gap=gap, seconds=time.perf_counter() - started)
