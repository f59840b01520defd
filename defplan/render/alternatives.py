"""The next-best portfolios (`--alternatives`) as a table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from defplan.render.figures import (
    VALUE_LEGEND,
    amount,
    unit_label,
)

if TYPE_CHECKING:
    from rich.console import RenderableType

    from defplan.result import Result


def alternatives_table(result: Result, *, width: int = 100) -> RenderableType:
    """The next-best portfolios after the optimum, and how little separates them."""
    from defplan.render.layout import Col, Kind, fitted

    found = result.alternatives or ()
    unit = unit_label(result)
    rows = [["best", amount(result.value), "", amount(result.cost_total), "", ""]]
    for rank, alt in enumerate(found, start=1):
        gap = alt.value - (result.value or 0.0)
        rows.append(
            [
                str(rank),
                amount(alt.value),
                f"{gap:+,.4g}" if gap else "0",
                amount(alt.cost),
                "\n".join(alt.added) or "-",  # forced candidates are in every alternative
                "\n".join(alt.dropped) or "-",
            ]
        )
    columns = [
        Col("#", Kind.FIGURE, label=""),
        Col("value", Kind.FIGURE),
        Col("vs best", Kind.FIGURE),
        Col(f"cost ({unit})" if unit else "cost", Kind.FIGURE, label="cost"),
        Col("added", overflow="fold"),  # ids wrap, never cut
        Col("dropped", overflow="fold"),
    ]
    notes = [VALUE_LEGEND]
    if not found:
        notes.insert(0, "no other portfolio found")
    return fitted(
        f"Next-best portfolios ({len(found)})",
        columns,
        rows,
        width=width,
        caption="\n".join(notes),
    )
