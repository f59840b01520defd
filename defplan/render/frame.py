"""The national frame as people read it: defence spending as a share of GDP each year,
the committed baseline and the selection side by side, against the pledge's path,
with the room the path still leaves (a table and a chart), and each group's share of
core defence spending against its rule."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from defplan.frame import CORE
from defplan.render.figures import amount

if TYPE_CHECKING:
    from rich.console import RenderableType

    from defplan.model import Portfolio
    from defplan.result import DefenceShareYear, Result, ShareYear, Timing

COMMITTED = "█"
"""The committed baseline's part of a year's bar."""
NEW = "▒"
"""The selection's part."""
PLEDGE = "│"
"""Where the pledge lies on a year's bar."""


def frame_renderables(result: Result, timing: Timing, width: int) -> list[RenderableType]:
    """A table and a chart per share (core spending, then each line with a share of its
    own), then a table per group with a share-of-defence rule."""
    parts: list[RenderableType] = []
    for name, years in timing.shares.items():
        parts += [_share_table(result, name, years, width), share_chart(name, years, width)]
    parts += [_group_table(name, years, width) for name, years in timing.defence_shares.items()]
    return parts


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


def share_chart(name: str, years: dict[int, ShareYear], width: int) -> RenderableType:
    """A bar per year: the committed share, then the selection's, to scale, with the
    pledge marked where it lies."""
    from rich.text import Text

    what = "Core defence spending" if name == CORE else f"Line {name}"
    text = Text(f"{what} as a share of GDP: committed {COMMITTED}, new {NEW}, ", style="bold")
    text.append(f"pledge {PLEDGE}\n", style="bold")
    top = max(max(s.share, s.pledge or 0.0) for s in years.values()) or 1.0
    figures = {y: f"{percent(s.share)}" for y, s in years.items()}
    room = max(10, width - 5 - max(len(f) for f in figures.values()) - 2)
    for year, s in years.items():
        committed = round(s.baseline / s.gdp / top * room)
        total = max(committed, round(s.share / top * room))
        cells = [COMMITTED] * committed + [NEW] * (total - committed) + [" "] * (room - total)
        styles = ["cyan"] * committed + ["green"] * (total - committed) + [""] * (room - total)
        if s.pledge is not None:
            at = min(room - 1, round(s.pledge / top * room))
            cells[at], styles[at] = (
                PLEDGE,
                "bold red" if s.share > s.pledge * (1 + 1e-9) else "bold",
            )
        text.append(f"{year} ")
        for cell, style in zip(cells, styles, strict=True):
            text.append(cell, style=style)
        text.append(f" {figures[year]}\n")
    return text


def _group_table(name: str, years: dict[int, DefenceShareYear], width: int) -> RenderableType:
    from defplan.render.layout import Col, Kind, fitted

    rows, styles = [], []
    for year, g in years.items():
        rule = " and ".join(
            f"{word} {percent(bound)}"
            for word, bound in (("at least", g.least), ("at most", g.most))
            if bound is not None
        )
        rows.append(
            [str(year), amount(g.committed), amount(g.new), amount(g.whole), percent(g.share), rule]
        )
        broken = (g.least is not None and g.share < g.least * (1 - 1e-9)) or (
            g.most is not None and g.share > g.most * (1 + 1e-9)
        )
        styles.append("red" if broken else "")
    headers = ("Year", "Committed", "New", "All core", "Share", "Rule")
    columns = [Col(h, Kind.FIGURE) for h in headers]
    title = f"Group {name}: its share of core defence spending"
    caption = "All core: the committed baseline plus the selection's core spending"
    return fitted(title, columns, rows, width=width, caption=caption, row_styles=styles)


def frame_validation(p: Portfolio, width: int) -> list[RenderableType]:
    """validate's view of the frame: per share path and year, GDP, the committed
    baseline, the pledge, the room it leaves and what all options ask (each at its
    earliest start)."""
    from defplan.frame import baseline_of, lines_of, paths, share_caps
    from defplan.render.layout import Col, Kind, fitted
    from defplan.timeline import Option, options_of

    earliest: dict[int, Option] = {}
    for o in options_of(p):
        earliest.setdefault(o.candidate, o)
    caps = share_caps(p)
    parts: list[RenderableType] = []
    for name in paths(p):
        lines = lines_of(p, name)
        rows = []
        for cap in (c for c in caps if c.name == name):
            demand = math.fsum(
                o.spend.get(line, {}).get(cap.year, 0.0)
                for o in earliest.values()
                for line in lines
            )
            rows.append(
                [
                    str(cap.year),
                    amount(cap.gdp),
                    amount(baseline_of(p, name)[cap.year]),
                    percent(cap.share),
                    amount(cap.room),
                    amount(demand),
                ]
            )
        headers = ("Year", "GDP", "Committed", "Pledge", "Room", "Demand")
        what = "core defence spending" if name == CORE else f"line {name}"
        title = f"The pledge for {what}: room for new options by year"
        caption = "Demand: every option at its earliest start, on the lines the share caps"
        cols = [Col(h, Kind.FIGURE) for h in headers]
        parts.append(fitted(title, cols, rows, width=width, caption=caption))
    return parts
