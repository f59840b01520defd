"""HiGHS, through highspy, in this process: the backend and its runs.

Each run copies the PuLP problem into a highspy object of its own and solves it in one
thread; a cancelled run stops at HiGHS's next interrupt check and may finish in the
background. One HiGHS solve runs at a time (TURN).
"""

from __future__ import annotations

import atexit
import math
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

from defplan.backends import highs_warmstart
from defplan.backends.base import (
    GAP,
    Limits,
    Outcome,
    cutoff_limit,
    package_version,
    relative_gap,
    seconds_left,
)
from defplan.result import Status

FEASIBILITY = 1e-9
"""How far HiGHS lets a row or an integer be off (its default is larger). CBC keeps its
own defaults: tighter, it returned worse portfolios as "optimal"."""


def import_highspy() -> None:
    """Load highspy (an ImportError when it is missing or will not load)."""
    import highspy  # noqa: F401 - PuLP has imported it already when a solve runs


class HiGHS:
    """The HiGHS backend. `load` imports highspy (a test passes one that fails): an
    ImportError makes HiGHS unavailable, and when highspy is installed its message is
    kept as the reason."""

    name = "highs"
    label = "HiGHS"
    install = "'highspy'"

    def __init__(self, load: Callable[[], object] = import_highspy) -> None:
        self.load = load
        self._loaded: bool | None = None  # tried once: an import is not retried
        self._failure = ""

    def available(self) -> bool:
        if self._loaded is None:
            try:
                self.load()
            except ImportError as exc:
                if package_version("highspy") != "unknown":  # installed, but would not load
                    self._failure = f"{type(exc).__name__}: {exc}"
                self._loaded = False
            else:
                self._loaded = True
        return self._loaded

    def version(self) -> str:
        return package_version("highspy")

    def failure(self) -> str:
        self.available()
        return self._failure

    def missing(self, others: Sequence[str]) -> str:
        other = f" or use --solver {others[0]}" if others else ""
        if self.failure():
            return (
                f"HiGHS could not be loaded ({self._failure}): reinstall the {self.install} "
                f"package{other}"
            )
        return f"HiGHS is not available: install the {self.install} package{other}"

    def start(self, problem: Any, variables: Sequence[Any], limits: Limits) -> HighsRun:
        return HighsRun(problem, variables, limits)


def _beyond(objective: float, cutoff: float | None) -> bool:
    """True when objective is above the cutoff by more than the gap."""
    return objective > cutoff_limit(cutoff)


TURN = threading.Lock()
"""One HiGHS solve at a time: a cancelled one may still be winding down in its thread."""


def _new_turn_after_fork() -> None:
    """A forked worker has no HiGHS thread, whatever the lock it copied says."""
    global TURN
    TURN = threading.Lock()


os.register_at_fork(after_in_child=_new_turn_after_fork)


@atexit.register
def _let_highs_finish() -> None:
    """Wait for a cancelled HiGHS solve: C++ aborts the process if it exits mid-solve."""
    with TURN:
        pass


class HighsRun:
    """HiGHS on its own copy of the problem, stoppable through its interrupt callback.

    The model is copied into a private highspy object in the calling thread, so a
    cancelled run can finish in the background without touching anything shared.
    """

    name = "highs"
    label = "HiGHS"
    wait_when_cancelled = False

    def __init__(self, problem: Any, variables: Sequence[Any], limits: Limits) -> None:
        import highspy

        self.highspy, self.deadline, self.cutoff = highspy, limits.deadline, limits.cutoff
        self.gap = limits.gap
        self.lock = threading.Lock()
        self.stopped = False
        self.settings = _settings(limits)
        model = highspy.Highs()
        for option, value in self.settings.items():
            model.setOptionValue(option, value)
        self.active = model  # the highspy object running now (cancel stops it)
        where, integers = _copy_into(model, problem)
        self.picks = [where[v.name] for v in variables]
        model.HandleUserInterrupt = True
        self.model = model
        self.warm_start = limits.warm_start and highs_warmstart.worth_trying(integers)
        self.lp_bound = math.nan  # the LP relaxation's objective, when a start solved it

    def __call__(self) -> Outcome:
        highspy, model = self.highspy, self.model
        with TURN:
            if self.stopped:
                return Outcome(Status.UNKNOWN, None, None)
            left = seconds_left(self.deadline)
            if self.warm_start and (left is None or left >= highs_warmstart.TIME_AT_LEAST):
                start, self.lp_bound = highs_warmstart.start_from_lp(
                    model, self.settings, self.deadline, self._running
                )
                if start is not None:
                    model.setSolution(start)
            self._run(model)
            if not self.stopped and self._doubtful(model):
                model.setOptionValue("presolve", "off")
                self._run(model)
        if self.stopped:
            return Outcome(Status.UNKNOWN, None, None)
        status = model.getModelStatus()
        kind = highspy.HighsModelStatus
        if status in (kind.kInfeasible, kind.kUnboundedOrInfeasible):
            return Outcome(Status.INFEASIBLE, None, None)
        info = model.getInfo()
        if status == kind.kOptimal or info.primal_solution_status == 2:  # 2: feasible
            objective = float(info.objective_function_value)
            if _beyond(objective, self.cutoff):
                # HiGHS hands back a solution worse than the cutoff as "optimal" when
                # nothing beats it; CBC says infeasible, and so do we
                if status == kind.kOptimal:
                    return Outcome(Status.INFEASIBLE, None, None)
                return Outcome(Status.UNKNOWN, None, None)
            values = model.getSolution().col_value
            x = [1 if values[k] > 0.5 else 0 for k in self.picks]
            if status == kind.kOptimal:
                within = self.gap
                reached = float(info.mip_gap)  # a loose search may have come closer
                if within > GAP and math.isfinite(reached) and reached < within:
                    within = max(GAP, reached)
                return Outcome(Status.OPTIMAL, x, 0.0, objective=objective, within=within)
            bound = float(info.mip_dual_bound)
            if math.isfinite(self.lp_bound) and not bound >= self.lp_bound:
                bound = self.lp_bound  # the start's LP bound: tighter, or all there is
            return Outcome(
                Status.FEASIBLE,
                x,
                relative_gap(objective, bound),
                objective=objective,
                bound=bound if math.isfinite(bound) else None,
            )
        stopped_by_limit = status in (
            kind.kTimeLimit,
            kind.kIterationLimit,
            kind.kSolutionLimit,
            kind.kInterrupt,
        )
        return Outcome(Status.UNKNOWN, None, None, answered=stopped_by_limit)

    def _run(self, model: Any) -> None:
        """One HiGHS run, within the time left (none once the run is cancelled)."""
        left = seconds_left(self.deadline)
        if left is not None:
            model.setOptionValue("time_limit", left)
        if self._running(model):
            model.run()

    def _doubtful(self, model: Any) -> bool:
        """True when HiGHS's answer should be asked again without presolve: a solve error
        ("untransformed violations" of a solution it found), or "infeasible" before any
        branching. Its presolve has refused feasible models whose rows differ from a
        bound by a few 1e-9 (and accepted the same rows in another order); branch and
        bound without it decides, at the cost of one more root solve."""
        kind = self.highspy.HighsModelStatus
        status = model.getModelStatus()
        if status == kind.kSolveError:
            return True
        infeasible = status in (kind.kInfeasible, kind.kUnboundedOrInfeasible)
        return infeasible and model.getInfo().mip_node_count == 0

    def _running(self, highs: Any) -> bool:
        """Note highs as the object to cancel; False once the run is cancelled."""
        with self.lock:
            self.active = highs
            return not self.stopped

    def cancel(self) -> None:
        with self.lock:
            self.stopped = True
            self.active.cancelSolve()

    def close(self) -> None:
        """Nothing to remove: the highspy objects go with the run."""


def _settings(limits: Limits) -> dict[str, Any]:
    """The HiGHS options of a run within limits."""
    settings: dict[str, Any] = {
        "output_flag": False,
        "mip_rel_gap": limits.gap,
        "mip_abs_gap": GAP,
        "mip_feasibility_tolerance": FEASIBILITY,
        "primal_feasibility_tolerance": FEASIBILITY,
        # one thread, always: leaves a core to CBC in a race, and HiGHS fails a
        # solve whose thread count differs from an earlier one in the same process
        "threads": 1,
    }
    if limits.cutoff is not None:
        settings["objective_bound"] = float(limits.cutoff)
    # feasibility jump and RINS never paid for themselves on the benchmarks, and the
    # answers were the same without them (bench/results.md, backends)
    off = ["feasibility_jump", "rins"]
    if not limits.heuristics:
        settings["mip_heuristic_effort"] = 0.0
        off += ["rens", "root_reduced_cost"]
    for heuristic in off:
        settings[f"mip_heuristic_run_{heuristic}"] = False
    return settings


def _copy_into(model: Any, problem: Any) -> tuple[dict[str, int], int]:
    """Copy the PuLP problem's columns, objective and rows into the highspy model; the
    column of each variable (by name), and how many are integer."""
    import highspy
    import numpy as np

    inf = highspy.kHighsInf
    columns = problem.variables()
    where = {v.name: k for k, v in enumerate(columns)}
    n = len(columns)
    lower = np.array([-inf if v.lowBound is None else v.lowBound for v in columns], float)
    upper = np.array([inf if v.upBound is None else v.upBound for v in columns], float)
    model.addVars(n, lower, upper)
    cost = np.zeros(n)
    for v, c in problem.objective.items():
        cost[where[v.name]] = c
    model.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
    integer = [k for k, v in enumerate(columns) if v.cat == "Integer"]
    model.changeColsIntegrality(
        len(integer),
        np.array(integer, dtype=np.int32),
        np.full(len(integer), highspy.HighsVarType.kInteger.value, dtype=np.uint8),
    )
    rows = problem.constraints()  # a list (the PuLP 4 form, also in PuLP 3.3)
    starts, indices, values = [], [], []
    for row in rows:
        starts.append(len(indices))
        for v, c in row.items():
            indices.append(where[v.name])
            values.append(c)
    row_lower = [-inf if (b := r.getLb()) is None else b for r in rows]
    row_upper = [inf if (b := r.getUb()) is None else b for r in rows]
    add_rows(model, row_lower, row_upper, starts, indices, values)
    return where, len(integer)


def add_rows(
    model: Any,
    lower: list[float],
    upper: list[float],
    starts: list[int],
    indices: list[int],
    values: list[float],
) -> None:
    """Add rows, given row by row (`starts` into `indices` and `values`), to a model."""
    import numpy as np

    model.addRows(
        len(lower),
        np.array(lower, float),
        np.array(upper, float),
        len(indices),
        np.array(starts, dtype=np.int32),
        np.array(indices, dtype=np.int32),
        np.array(values, float),
    )
