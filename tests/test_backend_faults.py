"""Solvers that run out of time, are missing or crash: each ends with the exit code and
message docs/commands.md gives ("Exit codes"), never a traceback."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from samples import (
    SMALL,
    SMALL_WARNING,
    TRACEBACK,
    Answering,
    invoke,
    optimise_timed,
    run_many,
)

from defplan.errors import ExitCode


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """bench/generate.py's 3,000 candidates: no solver proves it within 1 s here (~3 s)."""
    import importlib.util

    where = Path(__file__).resolve().parent.parent / "bench" / "generate.py"
    spec = importlib.util.spec_from_file_location("bench_generate", where)
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    path = tmp_path_factory.mktemp("big") / "p3000.yaml"
    path.write_text(generate.portfolio_yaml(3000))
    return path


@pytest.mark.parametrize("solver", ["auto", "highs", "cbc"])
def test_time_limit_with_a_portfolio_in_hand_reports_it_and_its_gap(
    big_file: Path, tmp_path: Path, solver: str
) -> None:
    result, data = optimise_timed(
        big_file, tmp_path / "r.json", seconds="1", solver=solver, code=ExitCode.OK
    )
    assert data["status"] == "feasible"
    assert data["value"] is not None and data["selected"]
    gap = data["solver"]["gap"]
    assert isinstance(gap, float) and 0 < gap < 0.05, gap  # CBC's gap, too (its log's bound)
    assert f"not proven optimal (gap {100 * gap:.3g}%)" in result.stderr


@pytest.mark.parametrize(
    ("missing", "solver", "words"),
    [
        (["cbc"], "cbc", ["CBC is not available", "'pulp[cbc]'", "--solver highs"]),
        (["highs"], "highs", ["HiGHS is not available", "'highspy'", "--solver cbc"]),
        (["highs", "cbc"], "auto", ["no solver is available", "'highspy'", "'pulp[cbc]'"]),
        (["highs", "cbc"], "cbc", ["CBC is not available", "'pulp[cbc]'"]),
        (["highs", "cbc"], "highs", ["HiGHS is not available", "'highspy'"]),
    ],
)
def test_a_missing_solver_is_named_with_what_to_install(
    small_file: Path, missing: list[str], solver: str, words: list[str]
) -> None:
    from defplan import backends

    earlier = small_file.parent / "r.json"
    earlier.write_text("earlier")
    with backends.hidden(*missing):
        result = invoke("optimise", small_file, "--solver", solver, "--output", earlier)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert result.stderr.startswith(SMALL_WARNING)  # the file's own warning, then one line
    assert len(result.stderr.splitlines()) == 2
    for word in words:
        assert word in result.stderr
    if missing == ["highs", "cbc"]:  # no other solver to suggest
        assert "--solver" not in result.stderr
    assert result.stdout == "" and earlier.read_text() == "earlier"


def test_auto_runs_the_solver_that_is_there(small_file: Path) -> None:
    from defplan import backends

    for missing, left in (("cbc", "HiGHS"), ("highs", "CBC")):
        with backends.hidden(missing):
            result = invoke("optimise", small_file, "--format", "json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["solver"]["name"] == left


def test_a_broken_highspy_counts_as_missing(tmp_path: Path) -> None:
    # installed but failing to import (say, a missing shared library): a real process
    shim = tmp_path / "shim" / "highspy"
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text('raise ImportError("libhighs.so: cannot open it")\n')
    portfolio = tmp_path / "small.yaml"
    portfolio.write_text(SMALL)
    env = {"PYTHONPATH": str(tmp_path / "shim")}
    command = ["optimise", str(portfolio), "--format", "json", "--solver"]
    alone, auto = run_many([[*command, "highs"], [*command, "auto"]], [env, env])
    err = alone.stderr.decode()
    assert alone.returncode == ExitCode.USAGE, err
    assert "HiGHS could not be loaded (ImportError: libhighs.so: cannot open it)" in err
    assert "reinstall the 'highspy' package or use --solver cbc" in err and TRACEBACK not in err
    assert auto.returncode == 0, auto.stderr.decode()
    answer = json.loads(auto.stdout)
    assert answer["solver"]["name"] == "CBC"
    assert answer["notes"] == [
        "HiGHS is installed but could not be loaded (ImportError: libhighs.so: cannot open "
        "it): CBC solved alone"
    ]


FAKE_CBC = {
    # a stand-in for the CBC binary, and what defplan must say when it runs
    "segfault": ("kill -SEGV $$", "CBC crashed (SIGSEGV)"),
    "exit-3": ("exit 3", "CBC stopped with exit code 3"),
    "garbage": (
        'while [ $# -gt 0 ]; do [ "$1" = -solution ] && echo garbage > "$2"; shift; done',
        "CBC wrote a solution file defplan cannot read",
    ),
}


@pytest.fixture
def fake_cbc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], Path]]:
    """Install a fake CBC (FAKE_CBC[name]); temporary files go to the returned folder."""
    from defplan import backends
    from defplan.backends.cbc import Cbc

    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(temp))
    with contextlib.ExitStack() as installed:

        def install(name: str) -> Path:
            script = tmp_path / f"cbc-{name}"
            script.write_text(f"#!/bin/sh\n{FAKE_CBC[name][0]}\n")
            script.chmod(0o755)
            installed.enter_context(backends.registered(Cbc(places=[lambda: str(script)])))
            return temp

        yield install


@pytest.mark.parametrize("name", list(FAKE_CBC))
def test_a_crashing_cbc_is_a_short_internal_error_and_cleans_up(
    small_file: Path, fake_cbc: Callable[[str], Path], name: str
) -> None:
    temp = fake_cbc(name)
    earlier = small_file.parent / "r.json"
    earlier.write_text("earlier")
    result = invoke("optimise", small_file, "--solver", "cbc", "--output", earlier)
    assert result.exit_code == ExitCode.INTERNAL, result.output
    assert result.stderr.splitlines() == [
        SMALL_WARNING.strip(),
        f"defplan: error: {FAKE_CBC[name][1]} without an answer; try --solver highs"
        if name != "garbage"
        else f"defplan: error: {FAKE_CBC[name][1]}; try --solver highs",
    ]
    assert result.stdout == "" and earlier.read_text() == "earlier"
    assert list(temp.iterdir()) == []  # the model and solution files are gone


def test_a_race_survives_a_crashing_cbc(small_file: Path, fake_cbc: Callable[[str], Path]) -> None:
    temp = fake_cbc("segfault")
    result = invoke("optimise", small_file, "--format", "json")
    assert result.exit_code == 0, result.output
    assert [s["id"] for s in json.loads(result.stdout)["selected"]] == ["alpha", "bravo", "charlie"]
    assert list(temp.iterdir()) == []


def test_highs_raising_is_a_short_internal_error(small_file: Path) -> None:
    from defplan import backends

    def broken(run: Any) -> None:
        raise RuntimeError("Highs::run failed")

    earlier = small_file.parent / "r.json"
    earlier.write_text("earlier")
    with backends.registered(Answering(backends.lookup("highs"), broken)):
        result = invoke("optimise", small_file, "--solver", "highs", "--output", earlier)
    assert result.exit_code == ExitCode.INTERNAL, result.output
    assert result.stderr == (
        SMALL_WARNING + "defplan: error: HiGHS failed: RuntimeError: Highs::run failed\n"
    )
    assert TRACEBACK not in result.output and earlier.read_text() == "earlier"
