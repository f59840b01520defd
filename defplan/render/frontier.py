"""The trade-off between two objectives: JSON, CSV and the table with its chart."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from defplan.render.figures import (
    amount,
    bar_chart,
    changes_cell,
    csv_text,
    num,
)

if TYPE_CHECKING:
    from rich.console import RenderableType

    from defplan.analysis.frontier import Frontier, FrontierPoint


def frontier_steps(
    f: Frontier,
) -> list[tuple[int, FrontierPoint, tuple[str, ...], tuple[str, ...]]]:
    """Each point with its number (from 1) and what it adds and drops against the point
    before it; the first point adds its whole selection."""
    steps = []
    before: tuple[str, ...] = ()
    for k, point in enumerate(f.points, start=1):
        had, has = set(before), set(point.selected)
        added = tuple(i for i in point.selected if i not in had)
        steps.append((k, point, added, tuple(i for i in before if i not in has)))
        before = point.selected
    return steps


def _figures(
    f: Frontier, k: int, point: FrontierPoint, figure: Callable[[float], str]
) -> list[str]:
    """A point's number, its two totals and cost (written by `figure`), and its size."""
    totals = (point.objectives[f.x], point.objectives[f.y], point.cost)
    return [str(k), *(figure(t) for t in totals), str(len(point.selected))]


def frontier_csv(f: Frontier) -> str:
    """One row per point: point,total_X,total_Y,cost,candidates,selected,added,dropped
    (ids space-separated; added and dropped against the point before)."""
    rows = [
        [*_figures(f, k, point, num), *(" ".join(ids) for ids in (point.selected, added, dropped))]
        for k, point, added, dropped in frontier_steps(f)
    ]
    header = ["point", f"total_{f.x}", f"total_{f.y}", "cost", "candidates", "selected"]
    return csv_text([*header, "added", "dropped"], rows)


def frontier_renderables(
    f: Frontier,
    *,
    unit: str = "",
    labels: Mapping[str, str] | None = None,
    forced: Mapping[str, str] | None = None,
    width: int = 100,
) -> list[RenderableType]:
    """The non-dominated points as a table, then the trade-off as bars of y along x.

    `labels` names the objectives (their keys when absent); `forced` marks the ids whose
    choice the file or the run fixed (id -> 'mandatory', 'include' or 'exclude')."""
    from defplan.render.layout import Col, Kind, fitted

    x = (labels or {}).get(f.x, f.x)
    y = (labels or {}).get(f.y, f.y)
    rows = [
        [*_figures(f, k, point, amount), changes_cell(added, dropped, forced)]
        for k, point, added, dropped in frontier_steps(f)
    ]
    columns = [
        Col("#", Kind.FIGURE, label="point"),
        Col(x, Kind.FIGURE),
        Col(y, Kind.FIGURE),
        Col(f"cost ({unit})" if unit else "cost", Kind.FIGURE, label="cost"),
        Col("candidates", Kind.FIGURE),
        Col("adds (+) and drops (-) against the point before", overflow="fold", label=""),
    ]
    notes = [
        "Totals: unweighted points on each objective's own scale; each point is the "
        "cheapest portfolio that reaches both."
    ]
    if f.cut:
        notes.append("cut at --max-points: more points exist")
    count = f"{len(f.points)} non-dominated points" if len(f.points) != 1 else "1 point"
    table = fitted(
        f"Trade-off between {x} and {y}: {count}",
        columns,
        rows,
        width=width,
        caption="\n".join(notes),
    )
    chart = bar_chart(
        f"{y} (bars, from 0) at each total of {x} (left)",
        [amount(p.objectives[f.x]) for p in f.points],
        [p.objectives[f.y] for p in f.points],
        ["" for _ in f.points],
        width=width,
    )
    return [table, chart]
