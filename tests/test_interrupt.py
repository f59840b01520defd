"""Ctrl-C and SIGTERM during `sweep` and `robust --workers 2` (real processes, Linux /proc).

Ctrl-C sends SIGINT to the whole foreground process group, workers and CBC included;
SIGTERM (`kill`, a scheduler) reaches the parent alone. Either way the run must end as a
single-process run does: one line on stderr, exit 130 or 143, no traceback from any
process, no worker or CBC left running and no `defplan-cbc-*` folder left behind.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_cli import hard_portfolio

from defplan.errors import ExitCode

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")

STOPS = {
    "ctrl-c": (signal.SIGINT, ExitCode.INTERRUPTED, b"defplan: interrupted\n"),
    "sigterm": (signal.SIGTERM, ExitCode.TERMINATED, b"defplan: terminated\n"),
}


def runs(folder: Path) -> dict[str, tuple[list[str], int]]:
    """Runs whose work in each worker takes far longer than the test waits (20 s and
    more), so that a run stopped late fails it: the command, and how many workers are
    in CBC (the others idle) when the signal comes."""
    hard = folder / "hard.yaml"
    hard.write_text(hard_portfolio())
    target = int(re.findall(r"target: (\d+)", hard.read_text())[0])  # no proof in sight
    slow = folder / "slow.yaml"  # with its commitment soft, a time limit ends with a portfolio
    slow.write_text(
        hard.read_text().replace("  c: {target:", "  c: {hard: false, penalty: 1e-3, target:")
    )
    common = ["--format", "json", "--workers", "2"]
    sweep = ["sweep", str(hard), *common, "--plot", str(folder / "plot.svg")]
    robust = ["robust", str(slow), *common, "--samples", "400", "--time-limit", "1"]
    return {
        "sweep": ([*sweep, "--budget", f"{target},{target + 1}"], 2),
        # the second worker solves the point 1e11 (all candidates fit) and waits for more
        "sweep-one-idle": ([*sweep, "--budget", f"{target},1e11"], 1),
        # the time limit ends the base solve (before the pool) and each sample; 25 a task
        "robust": (robust, 2),
    }


def session(sid: int) -> dict[int, tuple[int, str, str]]:
    """The live (not zombie) processes of session sid: pid -> (parent pid, state, command)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # gone meanwhile
            continue
        state, parent, session_id = stat[0], int(stat[1]), int(stat[3])
        if session_id == sid and state != "Z":
            found[int(entry.name)] = (parent, state, command)
    return found


def wait_for_workers(proc: subprocess.Popen[bytes], temp: Path, busy: int) -> None:
    """Poll until proc's two workers are there, `busy` of them running CBC on a model
    file in temp and the others idle (waiting for work on the pool's pipe)."""
    deadline = time.monotonic() + 30
    while True:
        running = session(proc.pid)
        cbc = {pid for pid, (_, _, command) in running.items() if str(temp) in command}
        workers = {pid for pid in running if running[pid][0] == proc.pid} - cbc
        solving = {running[pid][0] for pid in cbc} & workers
        idle = {pid for pid in workers - solving if "pipe" in _wchan(pid)}
        if len(workers) == 2 and len(solving) == busy and len(idle) == 2 - busy:
            return
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"never {busy} workers in CBC and the others idle; processes: {running}")
        time.sleep(0.02)


def _wchan(pid: int) -> str:
    """Where in the kernel pid's main thread waits ('anon_pipe_read' on a pipe)."""
    try:
        return Path(f"/proc/{pid}/wchan").read_text()
    except OSError:
        return ""


@pytest.mark.parametrize("stop", STOPS)
@pytest.mark.parametrize("run", ["sweep", "sweep-one-idle", "robust"])
def test_stopping_workers_is_like_stopping_one_process(tmp_path: Path, run: str, stop: str) -> None:
    sig, code, message = STOPS[stop]
    args, busy = runs(tmp_path)[run]
    temp = tmp_path / "temp"
    temp.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "defplan", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "TMPDIR": str(temp)},
        start_new_session=True,  # its own process group, as a shell gives a command
    )
    try:
        wait_for_workers(proc, temp, busy)
        if sig == signal.SIGINT:
            os.killpg(proc.pid, sig)  # Ctrl-C: the terminal signals the whole group
        else:
            proc.send_signal(sig)  # `kill PID`: the parent alone
        out, err = proc.communicate(timeout=10)  # the work would take 20 s and more
        assert (proc.returncode, err) == (code, message), err.decode()
        assert out == b""
        assert session(proc.pid) == {}  # no worker, no CBC
        assert list(temp.iterdir()) == []  # no defplan-cbc-* folder
        assert not (tmp_path / "plot.svg").exists()
    finally:  # should this fail: nothing of this run left running
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
