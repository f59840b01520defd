"""CBC, as a child process on an MPS file: the backend, where its binary is, its runs.

CBC is looked for in PuLP 3's package, then in cbcbox's (PuLP 4's `pulp[cbc]`), then on
PATH. A run writes the model to a folder of its own, runs the binary on it, reads its
solution file and log, and removes the folder; a cancelled run kills the process.
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from defplan.backends.base import (
    GAP,
    Limits,
    Outcome,
    cutoff_limit,
    package_version,
    relative_gap,
    seconds_left,
)
from defplan.errors import SolverFailure
from defplan.result import Status

SECOND_TRY = ["-preprocess", "off", "-primalT", "1e-10", "-integerT", "1e-10"]
"""CBC's options, added for a second try at a claim of "no portfolio" it made in doubt
(DOUBTED): without pre-processing and with tighter tolerances it found the tied
portfolios of the tie searches that had ended so. Only for those: as a default, tighter
tolerances returned worse portfolios as optimal."""
DOUBTED = "CBC claimed there is no portfolio, but only after pre-processing or after refusing one"


@functools.cache
def bundled_binary() -> str | None:
    """The CBC binary inside PuLP 3 (PuLP 4 has no `coin_api` module)."""
    try:
        from pulp.apis import coin_api
    except ImportError:
        return None
    bundled = getattr(coin_api, "pulp_cbc_path", None)
    return coin_api.COIN_CMD.executableExtension(bundled) if bundled else None


@functools.cache
def cbcbox_binary() -> str | None:
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


def on_path() -> str | None:
    """A `cbc` on PATH (PuLP 4 alone has none)."""
    return shutil.which("cbc")


PLACES: tuple[Callable[[], str | None], ...] = (bundled_binary, cbcbox_binary, on_path)
"""Where CBC is looked for, in order."""


class Cbc:
    """The CBC backend: the first executable file `places` name (PLACES by default)."""

    name = "cbc"
    label = "CBC"
    install = "'pulp[cbc]'"

    def __init__(self, places: Sequence[Callable[[], str | None]] = PLACES) -> None:
        self.places = tuple(places)

    def path(self) -> str | None:
        """The CBC binary this backend runs, None when there is none."""
        for place in self.places:
            path = place()
            if path and os.path.isfile(path) and os.access(path, os.X_OK):
                return path
        return None

    def available(self) -> bool:
        return self.path() is not None

    def version(self) -> str:
        """Where the CBC binary comes from, as a result reports it."""
        path = self.path()
        if path is None:
            return "not installed"
        if path == bundled_binary():
            return f"bundled with PuLP {package_version('pulp')}"
        if path == cbcbox_binary():
            return f"cbcbox {package_version('cbcbox')}"
        return path

    def failure(self) -> str:
        return ""  # a binary is there or not

    def missing(self, others: Sequence[str]) -> str:
        other = f" or use --solver {others[0]}" if others else ""
        return f"CBC is not available in this installation: install {self.install}{other}"

    def start(self, problem: Any, variables: Sequence[Any], limits: Limits) -> CbcRun:
        path = self.path()
        assert path is not None, "start() of a backend that is not available"
        return CbcRun(path, problem, variables, limits)


class CbcRun:
    """The CBC binary at `path` on an MPS copy of the problem, in a folder of its own."""

    name = "cbc"
    label = "CBC"
    wait_when_cancelled = True

    def __init__(self, path: str, problem: Any, variables: Sequence[Any], limits: Limits) -> None:
        self.prob, self.variables = problem, variables
        self.deadline, self.cutoff = limits.deadline, limits.cutoff
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.process: subprocess.Popen[bytes] | None = None
        self.folder: Path | None = None
        self.finished = threading.Event()  # __call__ is done with the folder
        # cuts off: faster on every benchmark, with the same proofs (bench/results.md,
        # backends)
        self.options = ["-ratio", repr(GAP), "-allow", repr(GAP), "-cuts", "off"]
        if limits.cutoff is not None:
            self.options += ["-cutoff", repr(float(limits.cutoff))]
        if not limits.heuristics:
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
        outcome = self.attempt(model, solution, log, self.options)
        if not outcome.rejected or self.stop.is_set():
            return outcome
        try:
            return self.attempt(model, solution, log, [*self.options, *SECOND_TRY])
        except SolverFailure:  # CBC 2.10 crashes without pre-processing on a few models
            # the claim as CBC made it; pre-processing cut short by a time limit proves
            # nothing (it has said so of feasible models)
            status = Status.INFEASIBLE if self.deadline is None else Status.UNKNOWN
            return Outcome(status, None, None)

    def attempt(self, model: Path, solution: Path, log: Path, options: list[str]) -> Outcome:
        """One CBC process on the model file, and what it answered."""
        args = [self.path, str(model), *options]
        left = seconds_left(self.deadline)
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
            if doubtful(said, self.cutoff):
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


def doubtful(log: str, cutoff: float | None) -> bool:
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
    return any(_number(objective) <= cutoff_limit(cutoff) for objective in found)


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
