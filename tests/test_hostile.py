"""The hostile-input corpus (tests/hostile/cases.yaml): every bad file or command line
ends with its exit code and message, and never with a traceback.

Each case runs in a scratch folder holding a copy of its file, so messages name the
file as given. Cases marked `limits` run as a separate process under LIMITS; the rest
run in-process through typer's CliRunner.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from samples import TRACEBACK
from typer.testing import CliRunner

from defplan.cli import app

HOSTILE = Path(__file__).parent / "hostile"
CASES: list[dict[str, Any]] = yaml.safe_load((HOSTILE / "cases.yaml").read_text("utf-8"))

MEMORY_MB = 512
"""Address space a `limits` case may use (RLIMIT_AS), as docs/internals.md states."""
SECONDS = 20
"""Wall time a `limits` case may take, as docs/internals.md states."""

_LIMITED = f"""\
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_MB} << 20, {MEMORY_MB} << 20))
from defplan.boundary import main
sys.argv[0] = "defplan"
main()
"""


def _big() -> bytes:
    """A 100 MB file that starts as a portfolio."""
    head = b"objectives: {a: {weight: 1}}\ncandidates:\n"
    line = b"  - {id: c, cost: 1}  # padding padding padding padding padding padding\n"
    return head + line * (100_000_000 // len(line))


def _values() -> bytes:
    return b"a: [" + b"1," * 1_500_000 + b"]\n"


def _alias_bomb() -> bytes:
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 9):
        this, prev = chr(ord("a") + i), chr(ord("a") + i - 1)
        lines.append(f"{this}: &{this} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return ("\n".join(lines) + "\n").encode()


_HEAD = "objectives: {a: {weight: 1}}\ncandidates:\n  - id: x\n    cost: 1\n"


def _nested(depth: int) -> Callable[[], bytes]:
    return lambda: (_HEAD + "    value: " + "[" * depth + "]" * depth + "\n").encode()


def _unknown_keys() -> bytes:
    keys = ", ".join(f"k{i}: 1" for i in range(20_000))
    return (_HEAD + f"  - {{id: y, cost: 1, {keys}}}\n").encode()


def _unknown_ids() -> bytes:
    rows = "".join(f"  - {{id: cand-{i}, cost: 1, requires: [z{i}]}}\n" for i in range(5_000))
    return (_HEAD + rows).encode()


GENERATORS: dict[str, Callable[[], bytes]] = {
    "big": _big,
    "values": _values,
    "alias-bomb": _alias_bomb,
    "nested-500": _nested(500),
    "nested-100000": _nested(100_000),
    "unknown-keys": _unknown_keys,
    "unknown-ids": _unknown_ids,
}


def _special(kind: str, folder: Path) -> str:
    """Make the special file a `path` case names in folder; return its name."""
    if kind == "missing":
        return "missing.yaml"
    if kind == "directory":
        (folder / "folder.yaml").mkdir()
        return "folder.yaml"
    if kind == "unreadable":
        shutil.copy(HOSTILE / "valid.yaml", folder / "unreadable.yaml")
        (folder / "unreadable.yaml").chmod(0)
        return "unreadable.yaml"
    if kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind("socket.yaml")  # relative: a long tmp_path would pass the 108-byte cap
        server.close()
        return "socket.yaml"
    if kind == "not-a-folder":
        return "valid.yaml/portfolio.yaml"
    raise AssertionError(f"unknown path kind {kind!r}")


def _default_file(case: dict[str, Any]) -> str:
    """ID.yaml when this folder has it, else the valid portfolio (for command-line cases)."""
    own = f"{case['id']}.yaml"
    return own if (HOSTILE / own).exists() or "generate" in case else "valid.yaml"


def _prepare(case: dict[str, Any], folder: Path) -> tuple[list[str], bytes | None]:
    """Files in folder for case; the arguments and standard input to run it with."""
    shutil.copy(HOSTILE / "valid.yaml", folder / "valid.yaml")
    name = case.get("file", _default_file(case))
    if "path" in case:
        name = _special(case["path"], folder)
    elif "generate" in case:
        (folder / name).write_bytes(GENERATORS[case["generate"]]())
    else:
        shutil.copy(HOSTILE / name, folder / name)
    stdin = (folder / name).read_bytes() if case.get("stdin") else None
    substitutes = {"FILE": name, "LONG_NAME": "y" * 300 + ".json"}
    args = [substitutes.get(a, a) for a in case.get("args", ["validate", "FILE"])]
    return args, stdin


@contextlib.contextmanager
def _as_nobody(case: dict[str, Any]) -> Iterator[None]:
    """For the unreadable case as root (who may read anything): run as user nobody."""
    if case.get("path") != "unreadable" or os.geteuid() != 0:
        yield
        return
    os.seteuid(65534)
    try:
        yield
    finally:
        os.seteuid(0)


def _limited(args: list[str], stdin: bytes | None) -> tuple[int, str, str, float]:
    """Run defplan as a process under MEMORY_MB and SECONDS."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _LIMITED, *args],
        input=stdin or b"",
        capture_output=True,
        timeout=SECONDS,
    )
    seconds = time.perf_counter() - started
    return done.returncode, done.stdout.decode(errors="replace"), done.stderr.decode(), seconds


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_hostile_case(
    case: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if case.get("path") == "unreadable" and os.name != "posix":
        pytest.skip("needs POSIX permissions")
    monkeypatch.chdir(tmp_path)
    args, stdin = _prepare(case, tmp_path)
    if case.get("limits"):
        code, stdout, stderr, seconds = _limited(args, stdin)
        assert seconds < SECONDS
    else:
        with _as_nobody(case):
            result = CliRunner().invoke(app, args, input=stdin)
        code, stdout, stderr = result.exit_code, result.stdout, result.stderr
    shown = f"exit {code}\nstdout:\n{stdout[:2000]}\nstderr:\n{stderr[:2000]}"
    assert code == case.get("exit", 2), shown
    assert case["message"] in stderr, shown
    assert TRACEBACK not in stdout + stderr, shown


def test_corpus_is_large_and_every_file_is_used() -> None:
    assert len(CASES) >= 60
    ids = [c["id"] for c in CASES]
    assert len(set(ids)) == len(ids), "duplicate case ids"
    assert all(c.get("exit", 2) in (2, 3) and c["message"] for c in CASES)
    used = {c.get("file", _default_file(c)) for c in CASES}
    on_disk = {p.name for p in HOSTILE.iterdir() if p.name != "cases.yaml"}
    assert on_disk <= used, f"files no case uses: {sorted(on_disk - used)}"


MARKUP = (
    (HOSTILE / "valid.yaml")
    .read_text("utf-8")
    .replace("  - id: x\n", "  - id: x\n    name: '[/bold] [red]x[/] [link=file:///etc]y'\n")
)


def test_rich_markup_in_a_name_prints_as_written(tmp_path: Path) -> None:
    """Names are data: with markup on, Rich raised MarkupError on '[/bold]' (exit 1)."""
    path = tmp_path / "markup.yaml"
    path.write_text(MARKUP, encoding="utf-8")
    result = CliRunner().invoke(app, ["optimise", str(path)])
    assert result.exit_code == 0, result.output
    assert "[/bold] [red]x[/]" in result.stdout


def test_a_long_group_name_leaves_the_figures_in_view(tmp_path: Path) -> None:
    """A group name wider than the table squeezed the Cost and Value columns to nothing."""
    long = "kit-" + "with-a-very-long-name-" * 5
    path = tmp_path / "group.yaml"
    path.write_text(
        (HOSTILE / "valid.yaml").read_text("utf-8").replace("kit", long), encoding="utf-8"
    )
    result = CliRunner().invoke(app, ["optimise", str(path)])
    assert result.exit_code == 0, result.output
    header = next(line for line in result.stdout.splitlines() if "Candidate" in line)
    assert "Cost" in header and "Value" in header, result.stdout
