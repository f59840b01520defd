"""Options every command shares, as the edge parses them: each single-valued option at
most once, numbers by the portfolio file's grammar, --workers within the machine's cores,
--bom with csv only, and the global --version, --debug, --profile and --help."""

from __future__ import annotations

import csv
import importlib
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from samples import (
    SMALL,
    SMALL_WARNING,
    TRACEBACK,
    invoke,
    pool_sizes,
)

import defplan
from defplan.cli import app
from defplan.errors import ExitCode

# -- each single-valued option at most once ---------------------------------------------------


def single_valued_options() -> list[tuple[str, str]]:
    """(command, option) for every option of every command that takes one value."""
    group = typer.main.get_command(app)
    found = []
    for name, command in sorted(group.commands.items()):  # type: ignore[attr-defined]
        for param in command.params:
            if param.param_type_name == "option" and not (param.multiple or param.is_flag):
                found.append((name, param.opts[0]))
    return found


SINGLE = single_valued_options()


def test_every_command_has_single_valued_options_to_check() -> None:
    commands = {command for command, _ in SINGLE}
    assert commands >= {"optimise", "sweep", "explain", "frontier", "robust", "diff"}
    assert ("optimise", "--budget") in SINGLE and ("diff", "--budget") not in SINGLE


@pytest.mark.parametrize(("command", "option"), SINGLE, ids=[f"{c}{o}" for c, o in SINGLE])
def test_a_single_valued_option_given_twice_is_a_usage_error(command: str, option: str) -> None:
    # click kept the last silently: `--budget 5000 --budget 6000` solved at 6000
    result = invoke(command, "portfolio.yaml", option, "1", f"{option}=2")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert f"Invalid value for '{option}': given twice; give it once" in result.stderr
    assert result.stdout == ""


def test_options_meant_to_repeat_still_do(small_file: Path) -> None:
    twice = invoke("diff", small_file, "--budget", "60", "--budget", "100")  # left, right
    assert twice.exit_code == 0, twice.output
    weights = invoke("optimise", small_file, "--weight", "a=1", "--weight", "b=2")
    assert weights.exit_code == 0, weights.output


# -- one number grammar: the portfolio file's (YAML 1.2) ----------------------------------

SPELLINGS = [
    # read as numbers by both
    "1000", "+1000", "1e3", ".5e4", "1000.", "0x3E8", "0o1750", ".inf", ".nan",
    # by neither, though Python's float() takes the first six (the third: fullwidth 1000)
    "1_000", "٣٠٠", "\uff11\uff10\uff10\uff10", "inf", "nan", "Infinity",
    "1,000", "0b1111101000", "1e3.5",
]  # fmt: skip


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_a_budget_reads_the_same_in_the_file_and_on_the_command_line(
    write_portfolio: Callable[..., Path], spelling: str
) -> None:
    in_file = invoke("validate", write_portfolio(SMALL.replace("total: 100", f"total: {spelling}")))
    on_line = invoke("optimise", write_portfolio(), "--budget", spelling)
    file_reads_it = "expected a number" not in in_file.stderr
    line_reads_it = "--budget takes a number such as 6000" not in on_line.stderr
    assert file_reads_it == line_reads_it, in_file.output + on_line.output


NOT_NUMBERS = ["1_000", "٣٠٠", "nan", "Infinity"]
"""Numbers to Python's float(), not to YAML."""


@pytest.mark.parametrize("text", NOT_NUMBERS)
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["optimise", "FILE", "--budget", "@"], "--budget takes a number such as 6000, not '@'"),
        (["diff", "FILE", "--budget", "60", "--budget", "@"], "--budget takes a number"),
        (["optimise", "FILE", "--budget-year", "2027=@"], "--budget-year takes YEAR=NUMBER"),
        (["optimise", "FILE", "--weight", "a=@"], "--weight takes OBJ=NUMBER, not 'a=@'"),
        (["optimise", "FILE", "--time-limit", "@"], "--time-limit takes a number of seconds"),
        (["robust", "FILE", "--weight-spread", "@"], "--weight-spread takes a number"),
        (["sweep", "FILE", "--budget", "50,@"], "--budget takes START:STOP:STEP or B1,B2"),
        (["sweep", "FILE", "--budget", "0:@:10"], "--budget takes START:STOP:STEP or B1,B2"),
    ],
    ids=["budget", "diff-budget", "budget-year", "weight", "time-limit", "spread", "list", "range"],
)
def test_a_number_yaml_refuses_is_refused_on_the_command_line(
    small_file: Path, args: list[str], message: str, text: str
) -> None:
    result = invoke(*(small_file if a == "FILE" else a.replace("@", text) for a in args))
    assert result.exit_code == ExitCode.USAGE, result.output
    assert message.replace("@", text) in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("text", [" 60", "60 ", "60\n"])
@pytest.mark.parametrize("option", ["--budget", "--time-limit"])
def test_a_number_with_spaces_around_is_refused(small_file: Path, option: str, text: str) -> None:
    # float() reads them; a YAML number has none (a sweep's list may: "60, 100")
    result = invoke("optimise", small_file, option, text)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert f"{option} takes a number" in result.stderr


@pytest.mark.parametrize("year", ["٢٠٢٧", "2027.0", "2_027"])
def test_a_budget_year_is_a_whole_year_by_the_same_grammar(small_file: Path, year: str) -> None:
    result = invoke("optimise", small_file, "--budget-year", f"{year}=5")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert f"--budget-year takes YEAR=NUMBER with a whole year, not '{year}=5'" in result.stderr


def test_command_line_numbers_take_what_a_file_takes(small_file: Path) -> None:
    hexadecimal = invoke("optimise", small_file, "--budget", "0x64", "--budget-year", "0x7EB=40")
    decimal = invoke("optimise", small_file, "--budget", "100", "--budget-year", "2027=40")
    assert hexadecimal.exit_code == decimal.exit_code == 0, hexadecimal.output
    assert hexadecimal.stdout == decimal.stdout
    spaced = invoke("sweep", small_file, "--budget", "60, 100", "--format", "csv")
    assert spaced.exit_code == 0, spaced.output  # spaces between a list's items, as in YAML


@pytest.mark.parametrize("text", ["1_000", "٣", " 5", "5.0", "1e1"])
@pytest.mark.parametrize(
    "args",
    [
        ["robust", "FILE", "--samples", "@"],
        ["robust", "FILE", "--seed", "@"],
        ["robust", "FILE", "--workers", "@"],
        ["frontier", "FILE", "--x", "a", "--y", "b", "--max-points", "@"],
        ["optimise", "FILE", "--alternatives", "@"],
    ],
    ids=["samples", "seed", "workers", "max-points", "alternatives"],
)
def test_a_whole_number_option_takes_the_file_grammar(
    small_file: Path, args: list[str], text: str
) -> None:
    result = invoke(*(small_file if a == "FILE" else a.replace("@", text) for a in args))
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "expected a whole number, not" in result.stderr


@pytest.mark.parametrize(
    ("args", "option", "least"),
    [
        (["optimise", "FILE", "--alternatives", "-1"], "--alternatives", 0),
        (["frontier", "FILE", "--x", "a", "--y", "b", "--max-points", "0"], "--max-points", 1),
        (["sweep", "FILE", "--budget", "60", "--workers", "0"], "--workers", 1),
    ],
)
def test_a_whole_number_option_below_its_least_is_a_usage_error(
    small_file: Path, args: list[str], option: str, least: int
) -> None:
    result = invoke(*(small_file if a == "FILE" else a for a in args))
    assert result.exit_code == ExitCode.USAGE, result.output
    assert f"Invalid value for '{option}':" in result.stderr
    assert f"is below the least allowed, {least}" in result.stderr


# -- --workers within the machine's cores ---------------------------------------------------


@pytest.fixture
def three_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("defplan.workers.cores", lambda: 3)


@pytest.mark.usefixtures("three_cores")
@pytest.mark.parametrize(
    ("args", "asked"),
    [
        (["sweep", "FILE", "--budget", "50:100:10"], "1000"),  # not one per point (6)
        (["robust", "FILE", "--samples", "12"], "100"),  # not one per sample (12)
    ],
    ids=["sweep", "robust"],
)
def test_workers_are_capped_at_the_cores(
    small_file: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], asked: str
) -> None:
    module = importlib.import_module(f"defplan.analysis.{args[0]}")
    pools = pool_sizes(monkeypatch, module)
    result = invoke(*(small_file if a == "FILE" else a for a in args), "--workers", asked)
    assert result.exit_code == 0, result.output
    assert pools == [3]
    assert result.stderr == (
        f"defplan: note: --workers {asked} capped at 3, the cores of this machine\n" + SMALL_WARNING
    )


@pytest.mark.usefixtures("three_cores")
def test_workers_within_the_cores_are_kept_without_a_note(
    small_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from defplan.analysis import sweep as module

    pools = pool_sizes(monkeypatch, module)
    result = invoke("sweep", small_file, "--budget", "50:100:10", "--workers", "2")
    assert (result.exit_code, result.stderr, pools) == (0, SMALL_WARNING, [2])


def test_the_cores_are_those_this_process_may_use() -> None:
    import os

    from defplan.workers import cores

    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert cores() == expected >= 1


# -- --bom: a byte order mark, with csv only ---------------------------------------------

CSV_COMMANDS = {
    "optimise": ([], "id,name,group,selected,cost,value,a,b,cost_2026"),
    "sweep": (["--budget", "60,100"], "budget,status,value,cost,marginal_per_1000,selected"),
    "frontier": (["--x", "a", "--y", "b"], "point,total_a,total_b,cost,candidates,selected"),
    "robust": (["--samples", "3"], "id,name,group,share,samples_in,class,selected"),
}


@pytest.mark.parametrize("command", list(CSV_COMMANDS))
def test_csv_takes_a_byte_order_mark_on_request(command: str, small_file: Path) -> None:
    arguments, header = CSV_COMMANDS[command]
    plain = invoke(command, small_file, *arguments, "--format", "csv")
    marked = invoke(command, small_file, *arguments, "--format", "csv", "--bom")
    for result in (plain, marked):
        assert result.exit_code == 0, result.output
    assert plain.stdout_bytes.startswith(header.encode())
    assert marked.stdout_bytes == b"\xef\xbb\xbf" + plain.stdout_bytes
    rows = list(csv.reader(io.StringIO(marked.stdout_bytes.decode("utf-8-sig"))))
    assert ",".join(rows[0]).startswith(header) and len(rows) > 1


@pytest.mark.parametrize("command", list(CSV_COMMANDS))
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_a_byte_order_mark_goes_with_csv_only(command: str, fmt: str, small_file: Path) -> None:
    arguments, _ = CSV_COMMANDS[command]
    result = invoke(command, small_file, *arguments, "--format", fmt, "--bom")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "--bom goes with --format csv only" in result.stderr
    assert result.stdout == ""


def test_a_byte_order_mark_makes_the_csv_utf8_whatever_the_locale(
    write_portfolio: Callable[..., Path],
) -> None:
    path = write_portfolio(SMALL.replace("Alpha radar", "Radar Ålesund \u2013 Zürich"))
    proc = subprocess.run(
        [sys.executable, "-m", "defplan", "optimise", str(path), "--format", "csv", "--bom"],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "latin-1"},
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(b"\xef\xbb\xbf")
    assert "Radar Ålesund \u2013 Zürich" in proc.stdout.decode("utf-8-sig")


# -- --debug, --version, --help, --profile -----------------------------------------------


def test_internal_error_is_short_without_debug(
    small_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("something the code did not expect")

    monkeypatch.setattr("defplan.solving.optimise", broken)
    earlier = small_file.parent / "out.json"
    earlier.write_text("old")
    result = invoke("optimise", small_file, "--format", "json", "--output", earlier)
    assert result.exit_code == ExitCode.INTERNAL, result.output
    assert earlier.read_text() == "old"  # exit 1 leaves it untouched (docs/commands.md)
    assert "internal error" in result.stderr
    assert "--debug" in result.stderr
    assert TRACEBACK not in result.output
    assert result.stdout == ""

    debug = invoke("--debug", "optimise", small_file)
    assert isinstance(debug.exception, RuntimeError)  # left for Python to show


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"defplan {defplan.__version__}"


def test_help_lists_every_command() -> None:
    result = invoke("--help")
    assert result.exit_code == 0, result.output
    for name in command_names():
        assert name in result.stdout
    assert {"optimise", "validate", "schema"} <= set(command_names())


def command_names() -> list[str]:
    return [c.name or c.callback.__name__ for c in app.registered_commands]  # type: ignore[union-attr]


@pytest.mark.parametrize("name", command_names())
def test_every_command_has_help(name: str) -> None:
    command = next(c for c in app.registered_commands if (c.name or c.callback.__name__) == name)  # type: ignore[union-attr]
    assert command.help or (command.callback and command.callback.__doc__), name
    result = invoke(name, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.stdout


@pytest.mark.parametrize("args", [[], *([name] for name in command_names())])
def test_help_shows_no_types_and_plain_usage(args: list[str]) -> None:
    """A flag takes no value and an argument's name says what it is: no `<bool>`,
    `<str>` beside them, and the usage line names arguments as click does."""
    result = invoke(*args, "--help")
    assert result.exit_code == 0, result.output
    for noise in ("<bool>", "<str>", "{", "[["):
        assert noise not in result.stdout, (args, noise, result.stdout)


@pytest.mark.parametrize(
    ("name", "usage"),
    [
        ("diff", "Usage: defplan diff [OPTIONS] LEFT [RIGHT]"),
        ("explain", "Usage: defplan explain [OPTIONS] FILE ID"),
        ("optimise", "Usage: defplan optimise [OPTIONS] FILE"),
    ],
)
def test_usage_lines_name_the_arguments_plainly(name: str, usage: str) -> None:
    shown = invoke(name, "--help").stdout
    assert usage in shown, shown
    assert usage in invoke(name).output  # a usage error prints the same line


def test_no_arguments_shows_help() -> None:
    result = invoke()
    assert "optimise" in result.output
    assert TRACEBACK not in result.output


def test_profile_prints_the_phases_on_stderr(small_file: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "defplan",
            "--profile",
            "optimise",
            str(small_file),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["status"] == "optimal"  # stdout stays clean data
    assert proc.stderr.startswith(SMALL_WARNING)
    lines = proc.stderr[len(SMALL_WARNING) :].splitlines()
    assert lines[0] == "defplan: profile (seconds):"
    seconds = {}
    for line in lines[1:]:
        words = line.split()
        if words[0] in ("load", "validate", "build", "solve", "render", "other", "total"):
            seconds[words[0]] = float(words[1])
    assert set(seconds) == {"load", "validate", "build", "solve", "render", "other", "total"}
    assert seconds["solve"] > 0 and seconds["build"] > 0 and seconds["render"] > 0
    parts = sum(v for k, v in seconds.items() if k != "total")
    assert abs(parts - seconds["total"]) < 0.01
    assert re.search(r"peak memory [\d,]+ MB", proc.stderr)
    short = subprocess.run(
        [sys.executable, "-m", "defplan", "-v", "optimise", str(small_file), "--budget", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert short.returncode == ExitCode.INFEASIBLE  # the exit code is kept
    assert "profile (seconds)" in short.stderr
