"""A sweep over budgets: JSON, CSV and the table with its chart."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from defplan.render.figures import (
    VALUE_LEGEND,
    amount,
    bar_chart,
    changes_cell,
    csv_text,
    num,
    per_1000,
    unit_label,
)

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from defplan.analysis.sweep import SweepPoint


def sweep_csv(points: Sequence[SweepPoint]) -> str:
    """One row per budget: budget,status,value,cost,marginal_per_1000,selected,entered,left
    (ids space-separated; marginal in value per 1,000 units of budget, as in the table).
    A sweep over a GDP share has gdp_share and marginal_per_point (value per percentage
    point of GDP) in place of budget and marginal_per_1000."""
    from defplan.result import clean

    shares = points[0].gdp_share is not None
    per = 1.0 if shares else 1000.0
    rows = [
        [
            num(p.gdp_share if shares else p.at),
            p.result.status.value,
            "" if p.result.value is None else num(p.result.value),
            num(p.result.cost_total) if p.result.status.has_portfolio else "",
            "" if p.marginal is None else num(clean(per * p.marginal)),
            " ".join(p.result.selected_ids),
            " ".join(p.entered),
            " ".join(p.left),
        ]
        for p in points
    ]
    header = ["budget", "status", "value", "cost", "marginal_per_1000", "selected"]
    if shares:
        header = ["gdp_share", "status", "value", "cost", "marginal_per_point", "selected"]
    return csv_text([*header, "entered", "left"], rows)


def sweep_renderables(points: Sequence[SweepPoint], *, width: int = 100) -> list[RenderableType]:
    """The sweep table (value, cost, marginal value, who enters and leaves) and its chart."""
    from rich.text import Text

    from defplan.render.layout import Col, Kind, fitted

    first = points[0].result
    unit = unit_label(first)
    rows: list[list[str | Text]] = []
    seen_portfolio = False
    for p in points:
        r = p.result
        if r.status.has_portfolio and not seen_portfolio:  # it enters from nothing
            changes = changes_cell(r.selected_ids, (), r.forced)
            seen_portfolio = True
        else:
            changes = changes_cell(p.entered, p.left, r.forced)
        rows.append(
            [
                _at(p),
                Text(r.status.value, style="" if r.status.has_portfolio else "red"),
                amount(r.value),
                amount(r.cost_total) if r.status.has_portfolio else "-",
                "-" if p.marginal is None else _marginal(p),
                changes,
            ]
        )
    year = points[0].share_year
    moved = "budget" if year is None else f"{year} share of GDP"
    per = "per 1,000" if year is None else "per point"
    columns = [
        Col("Budget" if year is None else f"Share {year}", Kind.FIGURE),
        Col("Status", Kind.FIGURE, justify="left", label=""),
        Col("Value", Kind.FIGURE),
        Col("Cost", Kind.FIGURE),
        Col(f"Marginal {per}", Kind.FIGURE),
        Col("Enters (+) and leaves (-)", overflow="fold", label=""),
    ]
    extra = (
        f"1,000 {unit} of budget since the previous budget"
        if year is None
        else f"percentage point of GDP in {year} since the previous share"
    )
    caption = (
        f"{VALUE_LEGEND}. Marginal: the extra value per {extra} with a portfolio. The "
        "first portfolio lists its whole selection."
    )
    if year is not None:
        caption += f" The share path is interpolated again around {year} at each point."
    title = f"{first.name or first.file}: the best portfolio at each {moved} (costs in {unit})"
    chart = bar_chart(
        f"Value against {moved} (the efficient frontier; bars from 0)",
        [_at(p) for p in points],
        [p.result.value for p in points],
        [p.result.status.value for p in points],
        width=width,
    )
    return [fitted(title, columns, rows, width=width, caption=caption), chart]


def _at(point: SweepPoint) -> str:
    """The point's budget, or its share of GDP in percent."""
    if point.gdp_share is not None:
        return f"{100 * point.gdp_share:.4g}%"
    return amount(point.budget)


def _marginal(point: SweepPoint) -> str:
    """Value per 1,000 of budget, or per percentage point of GDP."""
    assert point.marginal is not None
    return amount(point.marginal) if point.gdp_share is not None else per_1000(point.marginal)
