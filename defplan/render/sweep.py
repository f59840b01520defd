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
    (ids space-separated; marginal in value per 1,000 units of budget, as in the table)."""
    from defplan.result import clean

    rows = [
        [
            num(p.budget),
            p.result.status.value,
            "" if p.result.value is None else num(p.result.value),
            num(p.result.cost_total) if p.result.status.has_portfolio else "",
            "" if p.marginal is None else num(clean(1000 * p.marginal)),
            " ".join(p.result.selected_ids),
            " ".join(p.entered),
            " ".join(p.left),
        ]
        for p in points
    ]
    header = ["budget", "status", "value", "cost", "marginal_per_1000", "selected"]
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
                amount(p.budget),
                Text(r.status.value, style="" if r.status.has_portfolio else "red"),
                amount(r.value),
                amount(r.cost_total) if r.status.has_portfolio else "-",
                "-" if p.marginal is None else per_1000(p.marginal),
                changes,
            ]
        )
    columns = [
        Col("Budget", Kind.FIGURE),
        Col("Status", Kind.FIGURE, justify="left", label=""),
        Col("Value", Kind.FIGURE),
        Col("Cost", Kind.FIGURE),
        Col("Marginal per 1,000", Kind.FIGURE),
        Col("Enters (+) and leaves (-)", overflow="fold", label=""),
    ]
    caption = (
        f"{VALUE_LEGEND}. Marginal: the extra value per 1,000 {unit} of "
        "budget since the previous budget with a portfolio. The first portfolio lists "
        "its whole selection."
    )
    title = f"{first.name or first.file}: the best portfolio at each budget (costs in {unit})"
    chart = bar_chart(
        "Value against budget (the efficient frontier; bars from 0)",
        [amount(p.budget) for p in points],
        [p.result.value for p in points],
        [p.result.status.value for p in points],
        width=width,
    )
    return [fitted(title, columns, rows, width=width, caption=caption), chart]
