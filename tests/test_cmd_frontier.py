"""`defplan frontier` on the command line: the trade-off between two objectives."""

from __future__ import annotations

import json
from pathlib import Path

from samples import (
    invoke,
)

from defplan.errors import ExitCode


def test_frontier_json_is_sorted_and_non_dominated(small_file: Path) -> None:
    result = invoke("frontier", small_file, "--x", "a", "--y", "b", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["format"] == "defplan-frontier/1" and data["cut"] is False
    points = data["points"]
    assert points, data
    xs = [p["objectives"]["a"] for p in points]
    ys = [p["objectives"]["b"] for p in points]
    assert xs == sorted(xs, reverse=True) and ys == sorted(ys)  # each gives up x for y
    assert len(set(xs)) == len(xs) and len(set(ys)) == len(ys)
    for p in points:
        assert set(p) == {"objectives", "cost", "selected"}
    cut = invoke("frontier", small_file, "--x", "a", "--y", "b", "--max-points", "1")
    assert cut.exit_code == 0, cut.output
    if len(points) > 1:
        assert "stopped at --max-points 1" in cut.stderr


def test_frontier_refuses_unknown_objectives_and_exits_3_when_infeasible(
    small_file: Path,
) -> None:
    unknown = invoke("frontier", small_file, "--x", "a", "--y", "bb")
    assert unknown.exit_code == ExitCode.USAGE
    assert "--y: unknown objective 'bb' (did you mean 'b'?)" in unknown.output
    same = invoke("frontier", small_file, "--x", "a", "--y", "a")
    assert same.exit_code == ExitCode.USAGE
    infeasible = invoke("frontier", small_file, "--x", "a", "--y", "b", "--budget", "1")
    assert infeasible.exit_code == ExitCode.INFEASIBLE
    assert "commitment.nato" in infeasible.stderr
