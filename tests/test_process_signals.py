"""Stop signals at start-up, during a long solve, and during `sweep` and
`robust --workers 2` (real processes, Linux /proc).

Ctrl-C (SIGINT), Ctrl-\\ (SIGQUIT) and a closed terminal (SIGHUP) reach the whole
foreground process group, workers and CBC included; SIGTERM (`kill`, a scheduler) reaches
the parent alone. Whenever it comes, a stop must end the run as a single-process run
ends: one line on stderr, exit 128 + the signal's number, no traceback from any process,
no worker or CBC left running and no `defplan-cbc-*` folder left behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from samples import (
    hard_portfolio,
    knapsack_cbc_wins,
)

from defplan.errors import ExitCode

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")

STOPS = {
    "ctrl-c": (signal.SIGINT, ExitCode.INTERRUPTED, b"defplan: interrupted\n"),
    "sigterm": (signal.SIGTERM, ExitCode.TERMINATED, b"defplan: terminated\n"),
    "ctrl-backslash": (signal.SIGQUIT, ExitCode.QUIT, b"defplan: quit\n"),
    "hangup": (signal.SIGHUP, ExitCode.HUNG_UP, b"defplan: hung up\n"),
}
SHELL_STOPS = ("ctrl-c", "sigterm")
"""The stops used most, tried with every run; the others with one run each."""
GROUP_WIDE = {signal.SIGINT, signal.SIGQUIT, signal.SIGHUP}
"""What the terminal sends to the whole foreground process group."""


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
    # --solver cbc: with auto, each worker picks HiGHS or CBC per sample by their times so
    # far (analysis/robust.py), and the test needs both workers in CBC at once
    robust = ["robust", str(slow), *common, "--samples", "400", "--time-limit", "1"]
    robust += ["--solver", "cbc"]
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


@pytest.mark.parametrize(
    ("run", "stop"),
    [
        *((run, stop) for run in ("sweep", "sweep-one-idle", "robust") for stop in SHELL_STOPS),
        ("sweep-one-idle", "ctrl-backslash"),  # the worker in CBC and the idle one
        ("robust", "hangup"),  # both in CBC
    ],
)
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
        if sig in GROUP_WIDE:
            os.killpg(proc.pid, sig)  # the terminal signals the whole group
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


def catches_every_stop(pid: int) -> bool:
    """True once process pid has its own handler for each stop signal (its SigCgt mask):
    defplan's first line has run. Before, in the interpreter's start-up, a signal has
    its default effect (and SIGINT Python's own), which defplan cannot change."""
    status = Path(f"/proc/{pid}/status").read_text()
    mask = int(next(line for line in status.splitlines() if line.startswith("SigCgt:"))[7:], 16)
    return all(mask >> (sig - 1) & 1 for sig, _, _ in STOPS.values())


START_UP_RUNS = 32
"""Signals sent during start-up: eight of each, at moments spread over START_UP_SECONDS."""
START_UP_SECONDS = 0.5
"""From defplan's first line on: typer's import, reading the file, PuLP's import (where a
Ctrl-C was swallowed), building the model, starting the solvers (CBC) or the workers."""


def _ended_or_dumped(proc: subprocess.Popen[bytes], shown: str) -> tuple[bytes, bytes]:
    """The output of a run that ends within 15 s of its signal; else a failure that shows
    where each of its threads was (faulthandler's dump on SIGABRT) and its kernel waits."""
    try:
        return proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        tasks = Path(f"/proc/{proc.pid}/task")
        waits = {t.name: (t / "wchan").read_text() for t in tasks.iterdir()}
        os.kill(proc.pid, signal.SIGABRT)
        _, err = proc.communicate()
        pytest.fail(f"{shown}: still running 15 s later; waits {waits}\n{err.decode()}")


def test_a_stop_at_any_moment_of_start_up_ends_the_run(tmp_path: Path) -> None:
    # Each run would take far longer than the test waits (20 s and more), so a signal
    # that is lost shows as a run that goes on, or one that ends with its answer.
    made = runs(tmp_path)
    hard, slow = made["sweep"][0][1], made["robust"][0][1]
    result = tmp_path / "r.json"
    commands = [
        ["optimise", hard, "--output", str(result)],
        ["robust", slow, "--workers", "2", "--samples", "400", "--time-limit", "1"],
    ]
    temp = tmp_path / "temp"
    temp.mkdir()
    stops = list(STOPS.values())
    for k in range(START_UP_RUNS):
        sig, code, message = stops[k % len(stops)]
        command = commands[k // len(stops) % len(commands)]
        moment = START_UP_SECONDS * k / START_UP_RUNS
        result.write_text("earlier")
        proc = subprocess.Popen(
            [sys.executable, "-m", "defplan", *command],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
            # faulthandler: a run that outlives its signal is dumped (every thread's stack)
            env={**os.environ, "TMPDIR": str(temp), "PYTHONFAULTHANDLER": "1"},
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 30
            while not catches_every_stop(proc.pid):
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline, "defplan never took the stop signals"
                time.sleep(0.001)
            time.sleep(moment)
            proc.send_signal(sig)  # `kill -SIG PID`
            shown = f"{command[0]}, {signal.Signals(sig).name} at {moment:.3f} s"
            out, err = _ended_or_dumped(proc, shown)
            assert (proc.returncode, err) == (code, message), f"{shown}: {err.decode()}"
            assert out == b"", shown
            assert session(proc.pid) == {}, shown  # no worker, no CBC
            assert list(temp.iterdir()) == [], shown  # no defplan-cbc-* folder
            assert sorted(p.name for p in tmp_path.iterdir()) == [
                "hard.yaml", "r.json", "slow.yaml", "temp"
            ], shown  # fmt: skip
            assert result.read_text() == "earlier", shown
        finally:  # should this fail: nothing of this run left running
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGINT], ids=["nohup", "background"])
def test_a_signal_the_caller_ignores_stays_ignored(signum: int) -> None:
    """`nohup defplan ...` goes on when the terminal hangs up, and so does a shell's
    background job on Ctrl-C: the caller set the signal to be ignored."""
    portfolio = Path(__file__).resolve().parent / "data" / "netherlands-static.yaml"

    def ignoring() -> None:
        signal.signal(signum, signal.SIG_IGN)

    run = subprocess.Popen(
        [sys.executable, "-m", "defplan", "sweep", str(portfolio), "--budget", "2000:8000:500"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=ignoring,
    )
    sent = 0
    while run.poll() is None and sent < 20:
        time.sleep(0.1)
        with contextlib.suppress(ProcessLookupError):
            run.send_signal(signum)
            sent += 1
    out, err = run.communicate(timeout=120)
    assert sent > 3  # while it ran
    assert run.returncode == 0, err.decode()
    assert b"8,000" in out


# -- Ctrl-C in a long solve, and a race's loser winding down --------------------------------


def wait_for_cpu_seconds(pid: int, seconds: float, timeout: float = 30) -> None:
    """Wait until process pid has used this much CPU time (robust on a busy machine)."""
    tick = os.sysconf("SC_CLK_TCK")
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        if (int(fields[11]) + int(fields[12])) / tick >= seconds:  # utime + stime
            return
        time.sleep(0.05)
    pytest.fail(f"process {pid} used less than {seconds} s of CPU in {timeout} s")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_ctrl_c_ends_a_long_solve_with_130(write_portfolio: Callable[..., Path]) -> None:
    """Ctrl-C ends a run with exit 130 (docs/commands.md), also in the middle of a long solve."""
    path = write_portfolio(hard_portfolio())
    proc = subprocess.Popen(
        [sys.executable, "-m", "defplan", "optimise", str(path), "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    wait_for_cpu_seconds(proc.pid, 1.0)  # past start-up (about 0.3 s) and into the solve
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=3)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("still solving 3 s after Ctrl-C")
    assert proc.returncode == ExitCode.INTERRUPTED, err.decode()
    assert b"Traceback" not in err


def test_a_race_exits_cleanly_while_the_loser_winds_down(
    write_portfolio: Callable[..., Path],
) -> None:
    # HiGHS is still stopping when CBC's proof ends the run: the process must wait for
    # it rather than exit mid-solve (which C++ punishes with SIGABRT)
    path = write_portfolio(knapsack_cbc_wins())
    command = [sys.executable, "-m", "defplan", "optimise", str(path), "--format", "json"]
    for _ in range(3):
        proc = subprocess.run(command, capture_output=True, timeout=120)
        assert proc.returncode == 0, proc.stderr.decode()
        assert json.loads(proc.stdout)["status"] == "optimal"


# -- a stop signal to defplan alone stops CBC too --------------------------------------


def processes_naming(text: str) -> list[int]:
    """Ids of the running processes whose command line contains text."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and text.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:  # gone meanwhile
            continue
    return found


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize(
    ("sig", "code", "word"),
    [
        (signal.SIGTERM, ExitCode.TERMINATED, "terminated"),  # kill PID, a scheduler, CI
        (signal.SIGHUP, ExitCode.HUNG_UP, "hung up"),  # ssh dropped: left CBC running
        (signal.SIGQUIT, ExitCode.QUIT, "quit"),  # kill -QUIT: left CBC running
    ],
)
def test_a_stop_signal_stops_cbc_and_removes_its_files(
    tmp_path: Path, sig: int, code: int, word: str
) -> None:
    # a signal to defplan alone: CBC must not run on as an orphan
    temp = tmp_path / "temp"
    temp.mkdir()
    portfolio = tmp_path / "hard.yaml"
    portfolio.write_text(hard_portfolio())
    out = tmp_path / "r.json"
    out.write_text("earlier")
    args = ["optimise", str(portfolio), "--solver", "cbc", "--output", str(out)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "defplan", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "TMPDIR": str(temp)},
    )
    started = time.monotonic()
    try:
        while not processes_naming(str(temp)):  # CBC is solving, on a model file in temp
            assert proc.poll() is None and time.monotonic() - started < 30, "no CBC started"
            time.sleep(0.02)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=10)
        assert proc.returncode == code, err.decode()
        assert err.decode() == f"defplan: {word}\n"
        assert out.read_text() == "earlier" and list(temp.iterdir()) == []
        assert processes_naming(str(temp)) == []
    finally:  # should this fail: no CBC left running on this test's files
        proc.kill()
        for pid in processes_naming(str(temp)):
            os.kill(pid, signal.SIGKILL)
