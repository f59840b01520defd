"""One solver call on a PuLP problem: HiGHS in this process, CBC as a child process, or
both at once with the first proof kept (`--solver auto`, the default).

Neither solver wins everywhere: on small, tightly packed knapsacks CBC proves optimality
several times faster; on big portfolios HiGHS does. A race costs a second core and
returns as soon as either solver has a proof, and the loser is told to stop. Every
problem here is a minimisation, so a cutoff means the same to both solvers, and both
run with the same tolerances, so either gives the same answers.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import io
import math
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from defplan import warmstart
from defplan.errors import DefplanError, SolverError, SolverFailure
from defplan.result import Status

SOLVERS = ("auto", "highs", "cbc")
GAP = 1e-9
"""Relative and absolute MIP gap: "optimal" means proven within it."""
FEASIBILITY = 1e-9
"""How far HiGHS lets a row or an integer be off (its default is larger). CBC keeps its
own defaults: tighter, it returned worse portfolios as "optimal"."""


SECOND_TRY = ["-preprocess", "off", "-primalT", "1e-10", "-integerT", "1e-10"]
"""CBC's options, added for a second try at a claim of "no portfolio" it made in doubt
(DOUBTED): without pre-processing and with tighter tolerances it found the tied
portfolios of the tie searches that had ended so. Only for those: as a default, tighter
tolerances returned worse portfolios as optimal."""
DOUBTED = "CBC claimed there is no portfolio, but only after pre-processing or after refusing one"


@dataclass
class Outcome:
    """What one solver call returned; `answered` is False when it stopped without a reason."""

    status: Status
    x: list[int] | None
    gap: float | None
    answered: bool = True
    objective: float | None = None  # of x, as the solver minimised it
    rejected: str = ""  # why a solver's answer was refused (a sentence)
    refused: list[int] | None = None  # the refused selection, when it broke a constraint
    bound: float | None = None  # no answer's objective is below this (the dual bound)
    within: float = GAP  # the relative gap within which an OPTIMAL status is proven

    @property
    def proven(self) -> bool:
        return self.status in (Status.OPTIMAL, Status.INFEASIBLE)


@functools.cache
def _version_of(package: str) -> str:
    """An installed package's version (read once: each lookup scans the site folder)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"


def identity(name: str) -> tuple[str, str]:
    """The solver's name and version as a result reports them."""
    highs = ("HiGHS", _version_of("highspy"))
    cbc = ("CBC", _cbc_origin())
    if name == "highs":
        return highs
    if name == "cbc":
        return cbc
    if name == "auto":
        racers = _racers()
        if racers == ("highs", "cbc"):
            return "HiGHS+CBC", f"HiGHS {highs[1]}, CBC {cbc[1]}"
        return highs if racers == ("highs",) else cbc
    raise SolverError(f"unknown solver '{name}'; choose one of: {', '.join(SOLVERS)}")


def solve(
    prob: Any,
    variables: Sequence[Any],
    *,
    solver: str,
    deadline: float | None,
    cutoff: float | None = None,
    broken: Callable[[list[int]], str] = lambda x: "",
    disproof: Callable[[list[list[int]]], str] = lambda found: "",
    race_gap: float = GAP,
    heuristics: bool = True,
    warm_start: bool = False,
) -> Outcome:
    """Solve the minimisation prob; x is read from `variables` (binary, in order).

    `deadline` is a time.monotonic() by which to stop. `cutoff`: no wanted answer has an
    objective above it; a solve that finds none reports INFEASIBLE. `broken(x)` names a
    constraint an answer breaks ("" for none): solvers allow rounding errors, and an
    answer that breaks a constraint by one is refused (in a race, the other may prove).
    `disproof(found)` names a selection (among `found`, the portfolios in hand, or its
    own witnesses) that meets every row; an INFEASIBLE claim it names one against is
    refused too (see Engine.disproof), so a race never ends on a claim it can refute.
    `race_gap`: in a race, HiGHS stops within this relative gap (CBC still proves):
    HiGHS finds big portfolios' best quickly and proves it slowly, CBC proves tight
    knapsacks quickly; a loose answer says so in `Outcome.within`.
    `heuristics=False` turns the solvers' primal heuristics off: for searches that
    expect no answer (a proof that nothing beats a cutoff), where they only cost time.
    `warm_start=True` gives HiGHS a start from the LP relaxation on big models
    (warmstart.py): for a first search, which has nothing else to start from. (Not for
    every search: on models full of ties, with ~100 short searches, it cost 9-14%.)
    """
    names = {"auto": _racers(), "highs": ("highs",), "cbc": ("cbc",)}.get(solver)
    if names is None:
        raise SolverError(f"unknown solver '{solver}'; choose one of: {', '.join(SOLVERS)}")
    if not names:
        raise SolverError("no solver is available: install 'highspy' (HiGHS) or 'pulp[cbc]' (CBC)")
    if solver == "highs" and not _highs_available():
        other = " or use --solver cbc" if _cbc_path() is not None else ""
        if _highs_failure:
            raise SolverError(
                f"HiGHS could not be loaded ({_highs_failure[0]}): reinstall the 'highspy' "
                f"package{other}"
            )
        raise SolverError(f"HiGHS is not available: install the 'highspy' package{other}")
    if solver == "cbc" and _cbc_path() is None:
        raise SolverError(
            "CBC is not available in this installation: install 'pulp[cbc]' or use --solver highs"
        )
    runs: list[_Run] = []
    try:
        with _stdout_silenced():  # highspy prints a banner when a model is made
            for name in names:
                if name == "cbc":
                    runs.append(_CbcRun(prob, variables, deadline, cutoff, heuristics))
                else:
                    gap = race_gap if len(names) > 1 else GAP
                    run = _HighsRun(prob, variables, deadline, cutoff, gap, heuristics, warm_start)
                    runs.append(run)
            return _race(runs, broken, disproof)
    finally:
        for run in runs:
            run.close()


def _racers() -> tuple[str, ...]:
    """The solvers `auto` runs: both when both are installed."""
    found = []
    if _highs_available():
        found.append("highs")
    if _cbc_path() is not None:
        found.append("cbc")
    return tuple(found)


@functools.cache
def _highs_available() -> bool:
    """True when highspy imports (one that is installed but broken counts as missing, and
    why is kept for `missing_solver_notes`)."""
    try:
        _import_highspy()
    except ImportError as exc:
        if _version_of("highspy") != "unknown":  # installed, but it would not load
            _highs_failure.append(f"{type(exc).__name__}: {exc}")
        return False
    return True


_highs_failure: list[str] = []


def _import_highspy() -> None:
    import highspy  # noqa: F401 - PuLP has imported it already when a solve runs


def missing_solver_notes(solver: str) -> tuple[str, ...]:
    """A note for a result when `auto` raced without HiGHS although highspy is installed
    (it failed to load: say, too little memory): the answer is CBC's alone, and a user
    comparing runs should know why the solver's name changed."""
    if solver != "auto" or _highs_available() or not _highs_failure:
        return ()
    return (f"HiGHS is installed but could not be loaded ({_highs_failure[0]}): CBC solved alone",)


def _cbc_path() -> str | None:
    """PuLP 3's bundled CBC binary, else cbcbox's (PuLP 4's `pulp[cbc]`), else a `cbc` on
    PATH (PuLP 4 alone has none)."""
    for path in (_bundled_cbc(), _cbcbox_cbc()):
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return shutil.which("cbc")


@functools.cache
def _bundled_cbc() -> str | None:
    """The CBC binary inside PuLP 3 (PuLP 4 has no `coin_api` module)."""
    try:
        from pulp.apis import coin_api
    except ImportError:
        return None
    bundled = getattr(coin_api, "pulp_cbc_path", None)
    return coin_api.COIN_CMD.executableExtension(bundled) if bundled else None


@functools.cache
def _cbcbox_cbc() -> str | None:
    """The CBC binary of the cbcbox package, which `pulp[cbc]` installs with PuLP 4
    (read once: it reads /proc/cpuinfo to pick a build, and may print which)."""
    try:
        import cbcbox  # type: ignore[import-not-found]
    except ImportError:
        return None
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            return str(cbcbox.cbc_bin_path())
        except Exception:  # a bad CBCBOX_BUILD: as if not installed
            return None


def _cbc_origin() -> str:
    """Where the CBC binary comes from, as a result reports it."""
    path = _cbc_path()
    if path is None:
        return "not installed"
    if path == _bundled_cbc():
        return f"bundled with PuLP {_version_of('pulp')}"
    if path == _cbcbox_cbc():
        return f"cbcbox {_version_of('cbcbox')}"
    return path


class _Run:
    """One solver working on the problem; `__call__` runs in a thread."""

    name = ""
    label = ""  # as messages name it
    wait_when_cancelled = True

    def __call__(self) -> Outcome:
        raise NotImplementedError

    def cancel(self) -> None:
        """Stop as soon as possible; the call then returns soon with any outcome."""

    def close(self) -> None:
        """Remove whatever the run left behind."""


_interrupted = False


def interrupt() -> None:
    """Stop the solve under way, and every later one, at its next check (within 0.05 s)
    with KeyboardInterrupt: for a signal handler, which raising itself could cut a
    clean-up short (a stopped sweep or robust worker)."""
    global _interrupted
    _interrupted = True


def _race(
    runs: list[_Run],
    broken: Callable[[list[int]], str],
    disproof: Callable[[list[list[int]]], str] = lambda found: "",
) -> Outcome:
    """Start every run; keep the first proof (else the best answer); stop the others.

    An answer that `broken` faults, or an INFEASIBLE that `disproof` refutes (with the
    portfolios the other runs returned so far, or a witness of its own), is refused and
    proves nothing: the race goes on. The calls run in threads so that Ctrl-C reaches
    this (main) thread at once.
    """
    done: queue.Queue[tuple[int, Outcome | BaseException]] = queue.Queue()

    def work(k: int, run: _Run) -> None:
        try:
            done.put((k, run()))
        except (DefplanError, KeyboardInterrupt) as exc:  # handed to the main thread
            done.put((k, exc))
        except BaseException as exc:  # a bug or a solver library's own error
            failure = SolverFailure(f"{run.label} failed: {type(exc).__name__}: {exc}")
            failure.__cause__ = exc  # for a library caller's traceback
            done.put((k, failure))

    threads = [
        threading.Thread(target=work, args=(k, run), name=f"defplan-{run.name}", daemon=True)
        for k, run in enumerate(runs)
    ]
    for thread in threads:
        thread.start()
    results: dict[int, Outcome | BaseException] = {}
    try:
        while len(results) < len(runs):
            if _interrupted:
                raise KeyboardInterrupt
            try:
                k, outcome = done.get(timeout=0.05)
            except queue.Empty:
                continue
            if isinstance(outcome, Outcome):
                outcome = _checked(outcome, runs[k].label, broken, disproof, results)
            results[k] = outcome
            if isinstance(outcome, Outcome) and outcome.proven:
                break
    except BaseException:  # Ctrl-C: stop the solvers and leave without waiting
        for run in runs:
            run.cancel()
        raise
    for run in runs:
        run.cancel()
    for run, thread in zip(runs, threads, strict=True):
        if run.wait_when_cancelled:  # a killed CBC returns at once
            thread.join()
    return _pick(results)


def _checked(
    outcome: Outcome,
    label: str,
    broken: Callable[[list[int]], str],
    disproof: Callable[[list[list[int]]], str],
    results: dict[int, Outcome | BaseException],
) -> Outcome:
    """outcome, or an UNKNOWN that says why it was refused (see _race)."""
    if outcome.x is not None:
        why = broken(outcome.x)
        if why:
            said = f"{label}'s answer breaks {why} by a rounding error"
            return Outcome(Status.UNKNOWN, None, None, rejected=said, refused=outcome.x)
    if outcome.status is Status.INFEASIBLE:
        found = [r.x for r in results.values() if isinstance(r, Outcome) and r.x is not None]
        witness = disproof(found)
        if witness:
            said = f"{label} found no portfolio, though {witness} meets every constraint"
            return Outcome(Status.UNKNOWN, None, None, rejected=said)
    return outcome


def _pick(results: dict[int, Outcome | BaseException]) -> Outcome:
    """A proof if there is one; else the best portfolio in hand (a time limit); else an
    answer refused for a rounding error (the engine rules it out and solves again)."""
    outcomes = [r for _, r in sorted(results.items()) if isinstance(r, Outcome)]
    for outcome in outcomes:
        if outcome.proven:
            return outcome
    found = [o for o in outcomes if o.x is not None and o.objective is not None]
    if found:
        best = min(found, key=lambda o: o.objective or 0.0)  # the first of equals: HiGHS
        return _with_gap(best, [o.bound for o in outcomes if o.bound is not None])
    refused = [o for o in outcomes if o.refused is not None]
    if refused or outcomes:
        return (refused or outcomes)[0]  # a refused selection can be ruled out and solved again
    failure = next(iter(results.values()))
    assert isinstance(failure, BaseException)
    if isinstance(failure, DefplanError | KeyboardInterrupt):
        raise failure
    raise SolverFailure(f"the solver failed: {failure}") from failure


def _with_gap(outcome: Outcome, bounds: list[float]) -> Outcome:
    """outcome with its gap measured against the best of the bounds any solver proved.

    In a race the portfolio kept may be CBC's while HiGHS proved the tighter bound: any
    solver's bound holds for every answer, so the kept one is measured against the best.
    """
    if not bounds or outcome.objective is None:
        return outcome
    gap = relative_gap(outcome.objective, max(bounds))
    if gap is None or (outcome.gap is not None and outcome.gap <= gap):
        return outcome
    return replace(outcome, gap=gap, bound=max(bounds))


def relative_gap(objective: float, bound: float) -> float | None:
    """|objective - bound| / |objective|, HiGHS's definition; None when it has none."""
    if not (math.isfinite(objective) and math.isfinite(bound)):
        return None
    if objective == bound:
        return 0.0
    if objective == 0:
        return None
    return abs(objective - bound) / abs(objective)


def _seconds_left(deadline: float | None) -> float | None:
    return None if deadline is None else max(0.01, deadline - time.monotonic())


def _beyond(objective: float, cutoff: float | None) -> bool:
    """True when objective is above the cutoff by more than the gap."""
    return cutoff is not None and objective > cutoff + GAP * max(1.0, abs(cutoff))


_HIGHS_TURN = threading.Lock()
"""One HiGHS solve at a time: a cancelled one may still be winding down in its thread."""


def _new_turn_after_fork() -> None:
    """A forked worker has no HiGHS thread, whatever the lock it copied says."""
    global _HIGHS_TURN
    _HIGHS_TURN = threading.Lock()


os.register_at_fork(after_in_child=_new_turn_after_fork)


@atexit.register
def _let_highs_finish() -> None:
    """Wait for a cancelled HiGHS solve: C++ aborts the process if it exits mid-solve."""
    with _HIGHS_TURN:
        pass


class _HighsRun(_Run):
    """HiGHS on its own copy of the problem, stoppable through its interrupt callback.

    The model is copied into a private highspy object in the calling thread, so a
    cancelled run can finish in the background without touching anything shared.
    """

    name = "highs"
    label = "HiGHS"
    wait_when_cancelled = False

    def __init__(
        self,
        prob: Any,
        variables: Sequence[Any],
        deadline: float | None,
        cutoff: float | None,
        gap: float = GAP,
        heuristics: bool = True,
        warm_start: bool = False,
    ) -> None:
        import highspy
        import numpy as np

        self.highspy, self.deadline, self.cutoff, self.gap = highspy, deadline, cutoff, gap
        self.lock = threading.Lock()
        self.stopped = False
        columns = prob.variables()
        where = {v.name: k for k, v in enumerate(columns)}
        self.picks = [where[v.name] for v in variables]
        inf = highspy.kHighsInf
        model = highspy.Highs()
        self.settings: dict[str, Any] = {
            "output_flag": False,
            "mip_rel_gap": gap,
            "mip_abs_gap": GAP,
            "mip_feasibility_tolerance": FEASIBILITY,
            "primal_feasibility_tolerance": FEASIBILITY,
            # one thread, always: leaves a core to CBC in a race, and HiGHS fails a
            # solve whose thread count differs from an earlier one in the same process
            "threads": 1,
        }
        if cutoff is not None:
            self.settings["objective_bound"] = float(cutoff)
        # feasibility jump and RINS never paid for themselves here: without them the
        # first search of the 1,000-20,000 candidate benchmarks (three seeds) took 3-13%
        # less time, HiGHS alone on OR-Library mknapcb1 8-46% less; the same answers
        off = ["feasibility_jump", "rins"]
        if not heuristics:
            self.settings["mip_heuristic_effort"] = 0.0
            off += ["rens", "root_reduced_cost"]
        for heuristic in off:
            self.settings[f"mip_heuristic_run_{heuristic}"] = False
        for option, value in self.settings.items():
            model.setOptionValue(option, value)
        self.active = model  # the highspy object running now (cancel stops it)
        n = len(columns)
        lower = np.array([-inf if v.lowBound is None else v.lowBound for v in columns], float)
        upper = np.array([inf if v.upBound is None else v.upBound for v in columns], float)
        model.addVars(n, lower, upper)
        cost = np.zeros(n)
        for v, c in prob.objective.items():
            cost[where[v.name]] = c
        model.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
        integer = [k for k, v in enumerate(columns) if v.cat == "Integer"]
        model.changeColsIntegrality(
            len(integer),
            np.array(integer, dtype=np.int32),
            np.full(len(integer), highspy.HighsVarType.kInteger.value, dtype=np.uint8),
        )
        rows = prob.constraints()  # a list (the PuLP 4 form, also in PuLP 3.3)
        starts, indices, values = [], [], []
        for row in rows:
            starts.append(len(indices))
            for v, c in row.items():
                indices.append(where[v.name])
                values.append(c)
        row_lower = [-inf if (b := r.getLb()) is None else b for r in rows]
        row_upper = [inf if (b := r.getUb()) is None else b for r in rows]
        model.addRows(
            len(rows),
            np.array(row_lower, float),
            np.array(row_upper, float),
            len(indices),
            np.array(starts, dtype=np.int32),
            np.array(indices, dtype=np.int32),
            np.array(values, float),
        )
        model.HandleUserInterrupt = True
        self.model = model
        self.warm_start = warm_start and warmstart.worth_trying(len(integer))
        self.lp_bound = math.nan  # the LP relaxation's objective, when a start solved it

    def __call__(self) -> Outcome:
        highspy, model = self.highspy, self.model
        with _HIGHS_TURN:
            if self.stopped:
                return Outcome(Status.UNKNOWN, None, None)
            left = _seconds_left(self.deadline)
            if self.warm_start and (left is None or left >= warmstart.TIME_AT_LEAST):
                start, self.lp_bound = warmstart.start_from_lp(
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
        left = _seconds_left(self.deadline)
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


class _CbcRun(_Run):
    """The CBC binary on an MPS copy of the problem, in a folder of its own."""

    name = "cbc"
    label = "CBC"

    def __init__(
        self,
        prob: Any,
        variables: Sequence[Any],
        deadline: float | None,
        cutoff: float | None,
        heuristics: bool = True,
    ) -> None:
        path = _cbc_path()
        assert path is not None
        self.prob, self.variables, self.deadline, self.cutoff = prob, variables, deadline, cutoff
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.process: subprocess.Popen[bytes] | None = None
        self.folder: Path | None = None
        self.finished = threading.Event()  # __call__ is done with the folder
        # cuts off: measured faster on every benchmark here (the 300-candidate sweep
        # 1.5x, the OR-Library mknapcb1 cases 1.2-1.6x); the proofs are the same
        self.options = ["-ratio", repr(GAP), "-allow", repr(GAP), "-cuts", "off"]
        if cutoff is not None:
            self.options += ["-cutoff", repr(float(cutoff))]
        if not heuristics:
            self.options += ["-heuristicsOnOff", "off"]
        self.path = path

    def __call__(self) -> Outcome:
        try:
            return self._solve()
        finally:
            self.finished.set()

    def _solve(self) -> Outcome:
        with self.lock:
            if self.stop.is_set():
                return Outcome(Status.UNKNOWN, None, None)
            self.folder = folder = Path(tempfile.mkdtemp(prefix="defplan-cbc-"))
        # the model file is written here, while HiGHS already runs on its own copy
        model, solution, log = (folder / name for name in ("model.mps", "solution.txt", "log"))
        written = self.prob.writeMPS(str(model), rename=1)
        if isinstance(written[1], dict):  # PuLP 3: (variables, {name: name in the file}, ...)
            renamed = written[1]
        else:  # PuLP 4: (names in the file, rows, objective, PuLP's names in the same order)
            renamed = dict(zip(written[3], written[0], strict=True))
        self.column = {renamed[v.name]: i for i, v in enumerate(self.variables)}
        outcome = self._run(model, solution, log, self.options)
        if not outcome.rejected or self.stop.is_set():
            return outcome
        try:
            return self._run(model, solution, log, [*self.options, *SECOND_TRY])
        except SolverFailure:  # CBC 2.10 crashes without pre-processing on a few models
            # the claim as CBC made it; pre-processing cut short by a time limit proves
            # nothing (it has said so of feasible models)
            status = Status.INFEASIBLE if self.deadline is None else Status.UNKNOWN
            return Outcome(status, None, None)

    def _run(self, model: Path, solution: Path, log: Path, options: list[str]) -> Outcome:
        """One CBC process on the model file, and what it answered."""
        args = [self.path, str(model), *options]
        left = _seconds_left(self.deadline)
        if left is not None:
            args += ["-sec", repr(left), "-timeMode", "elapsed"]
        args += ["-solve", "-solution", str(solution)]
        with self.lock, log.open("wb") as log_file:
            if self.stop.is_set():
                return Outcome(Status.UNKNOWN, None, None)
            self.process = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT
            )
        code = self.process.wait()
        if self.stop.is_set():
            return Outcome(Status.UNKNOWN, None, None)
        if code != 0 or not solution.is_file():
            raise SolverFailure(f"CBC {_how_it_ended(code)} without an answer; try --solver highs")
        return self._read(solution, log)

    def _read(self, solution: Path, log: Path) -> Outcome:
        lines = solution.read_text(encoding="utf-8", errors="replace").splitlines()
        words = lines[0].split() if lines else []
        head = words[0] if words else ""
        objective = _number(words[-1]) if words else math.nan
        if head in ("Infeasible", "Integer"):
            said = log.read_text(encoding="utf-8", errors="replace")
            if _doubtful(said, self.cutoff):
                return Outcome(Status.UNKNOWN, None, None, rejected=DOUBTED)
            return Outcome(Status.INFEASIBLE, None, None)
        has_answer = head == "Optimal" or (
            head == "Stopped"
            and len(words) >= 7
            and words[4] == "objective"
            and objective < 1e49  # CBC writes 1e+50 when it has no solution
        )
        if head not in ("Stopped", "Optimal", "Unbounded"):  # an empty or torn file
            raise SolverFailure("CBC wrote a solution file defplan cannot read; try --solver highs")
        if not has_answer:
            return Outcome(Status.UNKNOWN, None, None, answered=head == "Stopped")
        x = [0] * len(self.variables)
        for line in lines[1:]:
            parts = line.split()
            if parts[:1] == ["**"]:
                parts = parts[1:]
            if len(parts) >= 3 and parts[1] in self.column:
                x[self.column[parts[1]]] = 1 if _number(parts[2]) > 0.5 else 0
        if head == "Optimal":
            return Outcome(Status.OPTIMAL, x, 0.0, objective=objective)
        # CBC's solution file has no bound; its log ends with "Lower bound: NUMBER"
        said = log.read_text(encoding="utf-8", errors="replace")
        found = re.findall(r"^Lower bound:\s+(\S+)", said, flags=re.MULTILINE)
        bound = _number(found[-1]) if found else math.nan
        if not math.isfinite(bound):
            return Outcome(Status.FEASIBLE, x, None, objective=objective)
        gap = relative_gap(objective, bound)
        return Outcome(Status.FEASIBLE, x, gap, objective=objective, bound=bound)

    def cancel(self) -> None:
        with self.lock:
            self.stop.set()
            if self.process is not None and self.process.poll() is None:
                self.process.kill()

    def close(self) -> None:
        self.cancel()  # after it, the folder is made (and __call__ ends soon) or never is
        if self.folder is None:
            return
        self.finished.wait()  # a stopped race does not wait: the model may be half written
        if self.process is not None:
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _doubtful(log: str, cutoff: float | None) -> bool:
    """True when CBC's log shows its claim of "no portfolio" made in doubt.

    Its pre-processing has said so of feasible models given a cutoff (a tie search
    whose tied portfolio was there), and so has a search that accepted a selection
    within its tolerances (x = 1 - 5e-9, a row passed by 1e-9 of it), pruned everything
    not better, then refused that selection in its final check: the log shows a
    solution found within the cutoff. (Solutions beyond it are found and dropped in
    searches that rightly end with none.)
    """
    if "Pre-processing says infeasible" in log:
        return True
    found = re.findall(r"(?:Solution found of|Integer solution of) (\S+)", log)
    limit = math.inf if cutoff is None else cutoff + GAP * max(1.0, abs(cutoff))
    return any(_number(objective) <= limit for objective in found)


def _how_it_ended(code: int) -> str:
    """'crashed (SIGSEGV)' for a process killed by a signal, else its exit code."""
    if code < 0:
        try:
            return f"crashed ({signal.Signals(-code).name})"
        except ValueError:
            return f"crashed (signal {-code})"
    return f"stopped with exit code {code}"


def _number(text: str) -> float:
    """A number from CBC's solution file; NaN (never > anything) when unreadable."""
    try:
        return float(text)
    except ValueError:
        return float("nan")


@contextlib.contextmanager
def _stdout_silenced() -> Iterator[None]:
    """Send file descriptor 1 to /dev/null: HiGHS prints from C, past sys.stdout."""
    fd = 1  # whatever sys.stdout is (a test runner may swap it), C writes to this
    with contextlib.suppress(AttributeError, OSError, ValueError):
        sys.stdout.flush()
    try:
        saved = os.dup(fd)
    except OSError:  # no file descriptor 1 at all
        yield
        return
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
