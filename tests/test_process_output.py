"""Real `python -m defplan` processes: only the answer on stdout, no escape codes on a
pipe, colour on a terminal, bad input never a traceback, identical bytes run after run.

Start-up dominates a subprocess test, so most cases run together, in parallel, once per
module (see `processes`), and each test reads its own run.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from samples import (
    ANSI,
    SMALL,
    SMALL_WARNING,
    clean_env,
    invoke,
    run_many,
    selected_ids,
    timings_zeroed,
)

from defplan.errors import ExitCode

BAD_INPUTS = [
    # (id, file text, or None for a missing file, or "{dir}" for a folder; args;
    #  True to run it as a process too, where start-up, decoding or recursion differ)
    ("missing-file", None, ["optimise", "{file}", "--budget", "5"], True),
    ("folder", "{dir}", ["optimise", "{dir}", "--budget", "5"], False),
    ("empty", "", ["optimise", "{file}", "--budget", "5"], False),
    ("malformed", "objectives: [\n  a\n", ["optimise", "{file}", "--budget", "5"], False),
    ("not-utf8", "\udcff\udcfe", ["optimise", "{file}", "--budget", "5"], True),
    ("a-list", "- 1\n- 2\n", ["validate", "{file}"], False),
    ("alias", "objectives: &o {a: {weight: 1}}\nx: *o\n", ["validate", "{file}"], True),
    ("deep", "x: " + "[" * 5000 + "]" * 5000 + "\n", ["validate", "{file}"], True),
    ("wrong-types", "objectives: 5\ncandidates: {a: 1}\n", ["validate", "{file}"], False),
    ("huge-number", SMALL.replace("cost: 30", "cost: 1e400"), ["optimise", "{file}"], True),
    ("bad-budget", SMALL, ["optimise", "{file}", "--budget", "lots"], True),
    ("unknown-option", SMALL, ["optimise", "{file}", "--frobnicate"], True),
    ("no-file-argument", SMALL, ["optimise"], True),
    ("bad-weight", SMALL, ["optimise", "{file}", "--weight", "a==1"], False),
]


def bad_input_args(folder: Path, text: str | None, args: list[str]) -> list[str]:
    """Write the case's file into folder; its arguments, with --format json for optimise."""
    path = folder / "bad.yaml"
    if text is not None and text != "{dir}":
        path.write_bytes(text.encode("utf-8", "surrogateescape"))
    args = [a.replace("{file}", str(path)).replace("{dir}", str(folder)) for a in args]
    return [*args, "--format", "json"] if args[0] == "optimise" else args


@pytest.mark.parametrize(
    ("text", "args"), [c[1:3] for c in BAD_INPUTS], ids=[c[0] for c in BAD_INPUTS]
)
def test_bad_input_in_process(tmp_path: Path, text: str | None, args: list[str]) -> None:
    result = invoke(*bad_input_args(tmp_path, text, args))
    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.strip()
    if args[0] == "optimise":
        assert result.stdout == ""


GOOD_RUNS = {
    # name: (args after FILE, extra environment)
    "json-highs": (["--format", "json"], {}),
    "json-cbc": (["--format", "json", "--solver", "cbc"], {}),
    "json-infeasible": (["--format", "json", "--budget", "10"], {}),
    "csv": (["--format", "csv"], {}),
    "table-pipe": ([], {}),
    "table-pipe-force-color": ([], {"FORCE_COLOR": "1"}),
    "validate-pipe": ([], {}),
    "table-seed-1": (["--output", "{out}/1.json"], {"PYTHONHASHSEED": "1"}),
    "table-seed-2": (["--output", "{out}/2.json"], {"PYTHONHASHSEED": "2"}),
}


Runs = dict[str, tuple[list[str], subprocess.CompletedProcess[bytes]]]


@pytest.fixture(scope="module")
def processes(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    """The BAD_INPUTS marked for it and every GOOD_RUNS case, at once, in parallel."""
    jobs: list[tuple[str, list[str], dict[str, str]]] = []
    for name, text, args, as_process in BAD_INPUTS:
        if as_process:
            jobs.append((name, bad_input_args(tmp_path_factory.mktemp(name), text, args), {}))
    folder = tmp_path_factory.mktemp("good")
    small = folder / "small.yaml"
    small.write_text(SMALL)
    for name, (args, env) in GOOD_RUNS.items():
        command = "validate" if name.startswith("validate") else "optimise"
        rest = [a.replace("{out}", str(folder)) for a in args]
        jobs.append((name, [command, str(small), *rest], env))
    runs = run_many([args for _, args, _ in jobs], [env for _, _, env in jobs])
    return {name: (args, run) for (name, args, _), run in zip(jobs, runs, strict=True)}


@pytest.mark.parametrize("name", [c[0] for c in BAD_INPUTS if c[3]])
def test_bad_input_never_shows_a_traceback(processes: Runs, name: str) -> None:
    args, proc = processes[name]
    err = proc.stderr.decode()
    assert proc.returncode == ExitCode.USAGE, err
    assert "Traceback" not in err
    assert "internal error" not in err
    assert err.strip()  # says what is wrong
    if args[0] == "optimise":
        assert proc.stdout == b""


@pytest.mark.parametrize("name", ["json-highs", "json-cbc"])
def test_json_stdout_is_only_json(processes: Runs, name: str) -> None:
    _, proc = processes[name]
    assert proc.returncode == 0, proc.stderr.decode()
    data = json.loads(proc.stdout)  # no solver banner or log around it
    assert selected_ids(data) == ["alpha", "bravo", "charlie"]
    assert proc.stderr == SMALL_WARNING.encode()


def test_json_stdout_is_only_json_when_infeasible(processes: Runs) -> None:
    _, proc = processes["json-infeasible"]
    assert proc.returncode == ExitCode.INFEASIBLE, proc.stderr.decode()
    assert json.loads(proc.stdout)["status"] == "infeasible"
    assert b"nato" in proc.stderr


def test_csv_stdout_is_only_csv(processes: Runs) -> None:
    _, proc = processes["csv"]
    assert proc.returncode == 0, proc.stderr.decode()
    lines = proc.stdout.decode().splitlines()
    assert lines[0].startswith("id,name,group,selected,cost,value")
    assert len(lines) == 6
    assert proc.stderr == SMALL_WARNING.encode()


@pytest.mark.parametrize(
    "name",
    [
        "table-pipe",
        "table-pipe-force-color",
        "validate-pipe",
    ],
)
def test_no_escape_codes_on_a_pipe(processes: Runs, name: str) -> None:
    _, proc = processes[name]
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.strip()
    assert not ANSI.search(proc.stdout.decode())
    assert not ANSI.search(proc.stderr.decode())


def test_two_runs_give_identical_bytes(processes: Runs) -> None:
    """Same input, same bytes (apart from solver.seconds), whatever the hash seed."""
    (args1, one), (args2, two) = processes["table-seed-1"], processes["table-seed-2"]
    assert one.returncode == two.returncode == 0, (one.stderr, two.stderr)
    assert one.stdout == two.stdout
    json1, json2 = (Path(args[-1]).read_bytes() for args in (args1, args2))
    assert timings_zeroed(json1) == timings_zeroed(json2)


SHIPPED = sorted((Path(__file__).resolve().parent.parent / "portfolios").glob("*.yaml"))


HASH_SEEDS_AND_SOLVERS = [("highs", "1"), ("highs", "2"), ("cbc", "3")]


def test_shipped_portfolios_give_one_answer_whatever_the_run_or_solver() -> None:
    """Each shipped example: byte-identical JSON from two HiGHS processes (other hash
    seeds), and the same selection, value and figures from CBC."""
    jobs = [(p, solver, seed) for p in SHIPPED for solver, seed in HASH_SEEDS_AND_SOLVERS]
    args = [["optimise", str(p), "--solver", solver, "--format", "json"] for p, solver, _ in jobs]
    runs = run_many(args, [{"PYTHONHASHSEED": seed} for *_, seed in jobs])
    for k, path in enumerate(SHIPPED):
        one, two, cbc_run = runs[3 * k : 3 * k + 3]
        for run in (one, two, cbc_run):
            assert run.returncode == 0, (path.name, run.stderr)
        assert timings_zeroed(one.stdout) == timings_zeroed(two.stdout), path.name
        highs, cbc = json.loads(one.stdout), json.loads(cbc_run.stdout)
        assert selected_ids(highs) == selected_ids(cbc) and highs["value"] == cbc["value"], (
            path.name
        )
        assert (highs["run"]["solver"], cbc["run"]["solver"]) == ("highs", "cbc")
        unsolved = {"solver": None, "run": None}
        assert {**highs, **unsolved} == {**cbc, **unsolved}, path.name


def test_two_runs_in_process_give_identical_output(small_file: Path) -> None:
    for fmt in ("csv", "table"):
        one, two = (invoke("optimise", small_file, "--format", fmt) for _ in range(2))
        assert one.exit_code == two.exit_code == 0, one.output
        assert one.stdout == two.stdout


def run_on_terminal(*args: str | Path, env: dict[str, str]) -> tuple[int, str]:
    """Run with stdout on a pseudo-terminal; return the exit code and what it showed."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "defplan", *map(str, args)],
        stdout=slave,
        stderr=subprocess.DEVNULL,
        env=clean_env(env),
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO once the child has closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return proc.wait(timeout=60), b"".join(chunks).decode()


def test_no_escape_codes_on_a_terminal_with_no_color(small_file: Path) -> None:
    code, shown = run_on_terminal("optimise", small_file, env={"NO_COLOR": "1"})
    assert code == 0
    assert "Alpha radar" in shown
    assert not ANSI.search(shown)


def test_terminal_without_no_color_is_styled(small_file: Path) -> None:
    """The control for the test above: the pty does show styling when allowed."""
    code, shown = run_on_terminal("optimise", small_file, env={})
    assert code == 0
    assert ANSI.search(shown)
