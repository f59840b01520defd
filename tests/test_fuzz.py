"""Fuzzing: valid portfolio files, mutated line by line, must only ever load or
fail with a LoadError, and the CLI must only ever exit 0, 2, 3 or 4, with no traceback.

The mutations: delete, duplicate or truncate lines, replace values with junk, insert junk
lines, cut the file short. Derandomised, so a run is the same every time.
`make test` runs DEFPLAN_FUZZ_EXAMPLES (default 200) examples of each test;
`make fuzz` runs many more (see docs/internals.md for what the long run found).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from samples import ANNUAL, SMALL, TRACEBACK
from typer.testing import CliRunner

from defplan.cli import app
from defplan.errors import LoadError
from defplan.loading import parse_portfolio

ROOT = Path(__file__).resolve().parent.parent
SEEDS = [
    SMALL,
    ANNUAL,
    (ROOT / "tests" / "hostile" / "valid.yaml").read_text("utf-8"),
    *(p.read_text("utf-8") for p in sorted((ROOT / "portfolios").glob("*.yaml"))),
]
EXAMPLES = int(os.environ.get("DEFPLAN_FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
JUNK = [
    "",
    "-",
    "~",
    "null",
    "yes",
    "true",
    ".nan",
    "-.inf",
    "-1",
    "0",
    "1e309",
    "1e12",
    "1e13",
    "99999999999999999999",
    "0x",
    "0o8",
    "1:20",
    "[",
    "]",
    "{",
    "}",
    "'",
    '"',
    "[1, 2, 3]",
    "[2, 1]",
    "{a: 1}",
    "*a",
    "&a x",
    "!!python/name:os.system",
    "!!binary aGk=",
    "!x",
    "<<",
    "? a",
    ": :",
    "- x",
    "#",
    "\t",
    "\x00",
    "\x1b[31m",
    "\ufeff",
    "\u2028",
    "[/bold]",
    "é",
    "2026",
    "national",
    "nato-iamd",
    "alpha",
]
VALUE = re.compile(r"(?<=[:\[,{-] )[^,\]}\n#]*")
"""A value in a line: what follows ': ', '[ ', ', ', '{ ' or '- ' up to a delimiter."""
KINDS = ("delete", "duplicate", "truncate", "junk", "junk", "insert")
EXITS = {0, 2, 3, 4}


@st.composite
def mutants(draw: st.DrawFn) -> str:
    """A seed portfolio with one to four line mutations, sometimes cut short."""
    lines = draw(st.sampled_from(SEEDS)).splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(KINDS))
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "truncate":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        elif kind == "insert":
            lines.insert(i, f"{draw(st.sampled_from(JUNK))}\n")
        else:
            junk = draw(st.sampled_from(JUNK))
            spots = list(VALUE.finditer(lines[i]))
            if spots:
                spot = draw(st.sampled_from(spots))
                lines[i] = lines[i][: spot.start()] + junk + lines[i][spot.end() :]
            else:
                lines[i] = lines[i].rstrip("\n") + junk + "\n"
    text = "".join(lines)
    if draw(st.integers(0, 9)) == 0:
        text = text[: draw(st.integers(0, len(text)))]
    return text


@FUZZ
@given(mutants())
def test_loader_only_loads_or_raises_a_load_error(text: str) -> None:
    try:
        parse_portfolio(text.encode("utf-8", "surrogatepass"), filename="fuzz.yaml")
    except LoadError as exc:
        event("LoadError")
        assert exc.problems
        for problem in exc.problems:
            assert problem.file == "fuzz.yaml"
            assert problem.line is None or (problem.line >= 1 and problem.column >= 1)
            assert str(problem).startswith("fuzz.yaml"), str(problem)


@FUZZ
@given(mutants(), st.sampled_from(["validate", "optimise"]))
def test_cli_exits_only_0_2_3_or_4(text: str, command: str) -> None:
    args = [command, "-"]
    if command == "optimise":
        args += ["--solver", "highs", "--time-limit", "5", "--format", "json"]
    result = CliRunner().invoke(app, args, input=text.encode("utf-8", "surrogatepass"))
    shown = f"exit {result.exit_code}\n{result.output[-3000:]}"
    assert result.exit_code in EXITS, shown
    assert TRACEBACK not in result.output, shown
    event(f"{command}: exit {result.exit_code}")
