"""What the benchmark scripts share: timing a command as a whole process, medians, records.

`timed(cmd, limit)` runs a command as a child process and returns its wall seconds, peak
memory, output and whether a time limit stopped it; `phases` reads the seconds of each
phase that `defplan --profile` prints; `median_run` picks the run at the median;
`record` appends lines to bench/results.md under a heading naming the machine and code.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from importlib.metadata import version
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
PHASES = ("load", "validate", "build", "solve", "render", "other", "total")


class Run(NamedTuple):
    """One run of a command: wall seconds, the child's peak memory (MB), stdout, stderr,
    whether the time limit stopped it, and its exit code."""

    seconds: float
    peak_mb: int
    out: str
    err: str
    over: bool = False
    code: int = 0


def timed(cmd: list[str], limit: float | None = None) -> Run:
    """Run cmd as a whole process, killed with every process it started after limit
    seconds (none: no limit)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        # A session of its own, so that the limit stops the solvers it started too (a
        # killed defplan left its CBC running otherwise).
        child = subprocess.Popen(cmd, stdout=out, stderr=err, start_new_session=True)
        stopped = threading.Event()

        def stop() -> None:
            stopped.set()
            os.killpg(child.pid, signal.SIGKILL)

        timer = threading.Timer(limit, stop) if limit else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        if timer:
            timer.cancel()
        code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, errors = out.read().decode(), err.read().decode()
        return Run(seconds, usage.ru_maxrss // 1024, text, errors, stopped.is_set(), code)


def phases(stderr: str) -> dict[str, float]:
    """The seconds of each phase in what `defplan --profile` printed."""
    found = {}
    for line in stderr.splitlines():
        words = line.split()
        if words and words[0] in PHASES:
            found[words[0]] = float(words[1])
    return found


def median_run(runs: list[Run]) -> tuple[float, Run]:
    """The median wall time, and the run closest to it."""
    wall = statistics.median(r[0] for r in runs)
    return wall, min(runs, key=lambda r: abs(r[0] - wall))


def record(title: str, lines: list[str]) -> None:
    """Append lines to bench/results.md under a heading naming machine, versions and code."""
    git = subprocess.run(
        ["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    versions = ", ".join(f"{name} {version(name)}" for name in ("PuLP", "highspy"))
    where = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    code = f", commit {git.stdout.strip()}" if git.returncode == 0 else ""
    load = ", load {:.2f} {:.2f} {:.2f} at the start".format(*os.getloadavg())
    heading = f"## {dt.date.today()} {title}: {where}, {versions}{code}{load}"
    with (HERE / "results.md").open("a", encoding="utf-8") as handle:
        handle.write("\n".join([heading, "", *lines]) + "\n\n")
