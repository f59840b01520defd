"""The process boundary (defplan.boundary): a machine that cannot take the run (standard
streams closed or full, an encoding without the characters, too little memory for a
thread) is exit 2 with one line on stderr, never an internal error or a traceback; a
reader that closes the pipe early ends the run quietly.

Each condition is set up for a real `python -m defplan` process, as a shell would.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from samples import (
    SMALL,
    SMALL_WARNING,
    run_defplan,
)
from typer.testing import CliRunner

from defplan.cli import app
from defplan.errors import ExitCode
from defplan.signals import LEAST_ADDRESS_SPACE

FULL = "defplan: error: cannot write to standard output: No space left on device\n"
CLOSED = "defplan: error: standard output is closed: there is nowhere to print the answer\n"


def closing(fd: int) -> Callable[[], None]:
    """A preexec_fn that closes fd in the child, as `>&-` (1) or `<&-` (0) does."""
    return lambda: os.close(fd)


@pytest.mark.parametrize("output_format", ["table", "json", "csv"])
def test_a_closed_standard_output_is_a_usage_error(small_file: Path, output_format: str) -> None:
    result = small_file.parent / "r.json"
    done = run_defplan(
        "optimise", small_file, "--format", output_format, "--output", result,
        stdout=None, preexec_fn=closing(1),
    )  # fmt: skip
    assert (done.returncode, done.stderr.decode()) == (ExitCode.USAGE, CLOSED)
    assert not result.exists()  # refused before any work


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    "args",
    [
        ["optimise", "FILE"],  # a table: Rich writes as it goes
        ["optimise", "FILE", "--format", "json"],  # small: only the last flush fails
        ["optimise", "FILE", "--format", "csv"],
        ["sweep", "FILE", "--budget", "50,60"],
        ["--version"],
        ["--help"],
    ],
    ids=["table", "json", "csv", "sweep", "version", "help"],
)
def test_a_full_standard_output_is_a_usage_error(small_file: Path, args: list[str]) -> None:
    with open("/dev/full", "w") as full:
        done = run_defplan(*(small_file if a == "FILE" else a for a in args), stdout=full)
    # one line (after SMALL's warning), and no "Exception ignored" when the interpreter
    # flushes at exit
    warned = SMALL_WARNING if "FILE" in args else ""
    assert (done.returncode, done.stderr.decode()) == (ExitCode.USAGE, warned + FULL)


def test_a_closed_standard_input_read_as_the_file_is_a_usage_error(small_file: Path) -> None:
    done = run_defplan("optimise", "-", preexec_fn=closing(0))
    assert done.returncode == ExitCode.USAGE
    assert done.stderr.decode() == "<stdin>: error: standard input is closed; give a FILE\n"
    assert done.stdout == b""


def test_a_closed_standard_input_is_no_matter_when_a_file_is_named(small_file: Path) -> None:
    result = small_file.parent / "r.json"
    done = run_defplan(
        "optimise", small_file, "--format", "json", "--output", result, stdin=None,
        preexec_fn=closing(0),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()
    assert json.loads(done.stdout) == json.loads(result.read_text())


def test_a_closed_standard_error_leaves_the_exit_code(tmp_path: Path) -> None:
    done = run_defplan("validate", tmp_path / "missing.yaml", stderr=None, preexec_fn=closing(2))
    assert (done.returncode, done.stdout) == (ExitCode.USAGE, b"")


def test_a_symbolic_link_loop_as_output_is_a_usage_error(small_file: Path) -> None:
    loop = small_file.parent / "loop.json"
    loop.symlink_to(loop.name)
    done = run_defplan("optimise", small_file, "--output", loop)
    assert done.returncode == ExitCode.USAGE
    assert done.stderr.decode() == (
        f"defplan: error: --output {loop}: cannot write: Too many levels of symbolic links\n"
    )
    assert done.stdout == b"" and loop.is_symlink()


def no_thread_fits() -> None:
    """preexec_fn: an address-space limit (`ulimit -v`) that the run fits in, but no
    thread does: a new thread's stack is RLIMIT_STACK (`ulimit -s`) big."""
    resource.setrlimit(resource.RLIMIT_STACK, (4 << 30, 4 << 30))
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def test_too_little_memory_for_a_thread_is_a_usage_error(small_file: Path) -> None:
    done = run_defplan("optimise", small_file, preexec_fn=no_thread_fits)
    assert done.returncode == ExitCode.USAGE, done.stderr.decode()
    assert done.stderr.decode() == SMALL_WARNING + (
        "defplan: error: cannot start a thread: out of memory or over a process limit "
        "(is `ulimit -v` or `ulimit -u` set too low?)\n"
    )  # and no complaint from OpenBLAS, which defplan keeps to the main thread
    assert done.stdout == b""


def test_running_out_of_memory_is_a_usage_error(
    small_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def exhausted(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr("defplan.loading.parse_portfolio", exhausted)
    result = CliRunner().invoke(app, ["optimise", str(small_file)])
    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.stderr == (
        "defplan: error: out of memory (is a memory limit such as `ulimit -v` set too low?)\n"
    )


NON_ASCII = SMALL.replace("Alpha radar", "Ålpha radar 防衛")


def test_an_ascii_standard_output_gets_json_whole_with_escapes(
    write_portfolio: Callable[..., Path],
) -> None:
    path = write_portfolio(NON_ASCII)
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    done = run_defplan("optimise", path, "--format", "json", env=env)
    assert (done.returncode, done.stderr.decode()) == (0, SMALL_WARNING)
    out = done.stdout.decode("ascii")  # not one byte outside ASCII
    assert "\\u00c5lpha radar \\u9632\\u885b" in out
    assert json.loads(out)["selected"][0]["name"] == "Ålpha radar 防衛"  # the same data


@pytest.mark.parametrize("output_format", ["table", "csv"])
def test_an_ascii_standard_output_that_cannot_show_the_answer_is_a_usage_error(
    write_portfolio: Callable[..., Path], output_format: str
) -> None:
    """Not half a table, and not '?' in place of letters: nothing, and one line."""
    path = write_portfolio(NON_ASCII)
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    done = run_defplan("optimise", path, "--format", output_format, env=env)
    assert done.returncode == ExitCode.USAGE
    assert done.stderr.decode() == SMALL_WARNING + (
        "defplan: error: standard output's encoding (ascii) cannot show the character "
        "U+00C5 of the answer; set PYTHONIOENCODING=utf-8, or use --format json\n"
    )
    assert done.stdout == b""


def test_an_ascii_standard_output_prints_an_ascii_answer(small_file: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    done = run_defplan("optimise", small_file, env=env)
    assert (done.returncode, done.stderr.decode()) == (0, SMALL_WARNING)
    assert "Alpha radar" in done.stdout.decode("ascii")
    assert done.stdout.decode().rstrip().endswith("+")  # Rich's ASCII frame, to the end


_PEAK = """\
import atexit, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def peak():
    status = open("/proc/self/status").read().split("\\n")
    sys.stderr.write([line for line in status if line.startswith("VmPeak")][0] + "\\n")


atexit.register(peak)
from defplan.boundary import main
sys.argv = ["defplan", "robust", sys.argv[1], "--samples", "5", "--format", "json"]
main()
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's /proc")
def test_under_an_address_space_limit_a_run_reserves_less_than_the_floor(
    small_file: Path,
) -> None:
    """Under `ulimit -v` malloc keeps one arena: each solver thread would otherwise reserve
    one of 64 MiB, and a run of the race, well within 256 MiB, would reserve more."""
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, str(small_file)], capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr.decode()
    kib = int(done.stderr.decode().rsplit("VmPeak:", 1)[1].split()[0])
    assert kib * 1024 < LEAST_ADDRESS_SPACE, kib


@pytest.mark.parametrize("mib", range(64, 416, 32))
def test_any_address_space_limit_is_exit_0_or_a_usage_error(small_file: Path, mib: int) -> None:
    """`ulimit -v` anywhere from too small to enough: never exit 1 or a crash (OpenBLAS,
    the dynamic linker and HiGHS end the process themselves when an allocation fails near
    the edge), never a silent CBC alone."""

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (mib * 2**20, mib * 2**20))

    done = run_defplan("optimise", small_file, "--format", "json", preexec_fn=limited)
    err = done.stderr.decode()
    assert done.returncode in (0, ExitCode.USAGE), err
    if mib * 2**20 < LEAST_ADDRESS_SPACE:
        assert "allow at least 256 MiB" in err, err
    if mib * 2**20 >= LEAST_ADDRESS_SPACE + 64 * 2**20:  # well clear of the edge
        assert done.returncode == 0, err
    if done.returncode == 0:
        assert json.loads(done.stdout)["solver"]["name"] == "HiGHS+CBC", err
    else:
        assert err.startswith(SMALL_WARNING) or err.startswith("defplan: error:"), err
        assert len(err.removeprefix(SMALL_WARNING).splitlines()) == 1, err


# -- a reader that closes the pipe ------------------------------------------------------


def big_portfolio(n: int) -> str:
    lines = ["name: Big", "objectives:", "  a: {weight: 1}", "budget: {total: 1e9}", "candidates:"]
    lines += [
        f"  - {{id: cand-{i:05d}, name: Candidate {i} with a long descriptive name, "
        f"cost: {1000 + i}, value: {{a: {1 + i % 97 + i / 10000}}}}}"
        for i in range(n)
    ]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_closed_pipe_ends_quietly(write_portfolio: Callable[..., Path], fmt: str) -> None:
    """`defplan optimise big.yaml | head -1`: more output than a pipe holds, reader gone."""
    path = write_portfolio(big_portfolio(700), "big.yaml")
    proc = subprocess.Popen(
        [sys.executable, "-m", "defplan", "optimise", str(path), "--format", fmt],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    code = proc.wait(timeout=60)
    assert first.strip()
    assert err == ""
    assert code == 0


def test_closed_pipe_in_a_shell(write_portfolio: Callable[..., Path]) -> None:
    path = write_portfolio(big_portfolio(300), "big.yaml")
    script = (
        f'set -o pipefail; "{sys.executable}" -m defplan optimise "{path}" --format csv | head -1'
    )
    proc = subprocess.run(["bash", "-c", script], capture_output=True, timeout=60, check=False)
    assert proc.stdout.decode() == "id,name,group,selected,cost,value,a\n"
    assert proc.stderr == b""
    assert proc.returncode == 0


# -- the cycle collector ---------------------------------------------------------------

_COLLECTOR = """\
import atexit, gc, sys


def report():
    sys.stderr.write(f"collector on: {gc.isenabled()}, frozen: {gc.get_freeze_count() > 0}\\n")


atexit.register(report)
from defplan.boundary import main
sys.argv = ["defplan", *sys.argv[1:]]
main()
"""


def test_the_collector_runs_again_once_the_portfolio_is_loaded(small_file: Path) -> None:
    """The command's process pauses the collector through start-up; after the load it
    runs (a sweep's solves make garbage cycles), with what lived then frozen."""
    done = subprocess.run(
        [sys.executable, "-c", _COLLECTOR, "optimise", str(small_file), "--format", "json"],
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert "collector on: True, frozen: True" in done.stderr.decode()
    assert json.loads(done.stdout)["status"] == "optimal"


def test_the_commands_called_in_process_leave_the_collector_alone(small_file: Path) -> None:
    frozen = gc.get_freeze_count()
    done = CliRunner().invoke(app, ["optimise", str(small_file), "--format", "json"])
    assert done.exit_code == 0, done.output
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen
