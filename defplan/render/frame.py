"""The national frame as people read it: defence spending as a share of GDP each year,
the committed baseline and the selection side by side, against the pledge's path,
with the room the path still leaves."""

from __future__ import annotations

from typing import TYPE_CHECKING

from defplan.frame import CORE
from defplan.render.figures import amount

if TYPE_CHECKING:
    from rich.console import RenderableType

    from defplan.result import Result, ShareYear, Timing


def frame_renderables(result: Result, timing: Timing, width: int) -> list[RenderableType]:
    """A table per share (core spending, then each line with a share of its own)."""
    return [_share_table(result, name, years, width) for name, years in timing.shares.items()]


def percent(share: float | None) -> str:
    """A share of GDP as a percentage, two decimals ('-' for none)."""
    return "-" if share is None else f"{100 * share:.2f}%"


def _share_table(
    result: Result, name: str, years: dict[int, ShareYear], width: int
) -> RenderableType:
    from defplan.render.layout import Col, Kind, fitted

    rows, styles = [], []
    for year, s in years.items():
        room = s.room
        rows.append(
            [
                str(year),
                amount(s.baseline),
                amount(s.spend),
                percent(s.share),
                percent(s.pledge),
                amount(room),
            ]
        )
        short = room is not None and room < -1e-9 * max(1.0, s.spend)
        styles.append("red" if short else "")
    headers = ("Year", "Committed", "New", "Share of GDP", "Pledge", "Room")
    columns = [Col(h, Kind.FIGURE) for h in headers]
    what = "Core defence spending" if name == CORE else f"Line {name}"
    unit = f"{result.unit} {result.currency}".strip()
    title = f"{what} as a share of GDP ({unit}, nominal)"
    caption = "Room: what the pledge still leaves for new options that year"
    return fitted(title, columns, rows, width=width, caption=caption, row_styles=styles)
