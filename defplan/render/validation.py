"""The summary `defplan validate` prints for a valid file."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from defplan.render.figures import amount, counted, unit_label

if TYPE_CHECKING:
    from rich.console import RenderableType

    from defplan.model import Portfolio


def validation_renderables(
    portfolio: Portfolio, filename: str, *, width: int = 100
) -> list[RenderableType]:
    """The summary `defplan validate` prints for a valid file."""
    from rich.text import Text

    from defplan.render.layout import Col, Kind, fitted
    from defplan.timeline import money_lines

    p = portfolio
    unit = unit_label(p)
    first = p.first_line
    money = money_lines(p)
    plain = [c.total_cost for c in p.candidates if c.cost_years is None]
    phased = [
        v
        for c in p.candidates
        for line, profile in c.line_profiles(first).items()
        if line in money
        for v in profile.values()
    ]
    total = math.fsum(plain + phased)
    head = Text.assemble(
        (f"{filename}: valid", "bold green"),
        "\n",
        f"{p.name or '(unnamed)'}: {counted(len(p.candidates), 'candidate')}, "
        f"{counted(len(p.objectives), 'objective')} ({', '.join(p.objectives)}), "
        f"{counted(len(p.commitments), 'commitment')}, {counted(len(p.rules), 'rule')}, "
        f"{counted(len(p.groups), 'group rule')}\n",
        f"all options together cost {amount(total)} {unit}",
        f"; budget total {amount(p.budget.total)}" if p.budget.total is not None else "",
    )
    parts: list[Any] = [head]
    from defplan.time_checks import time_keys

    phased = p.years is not None and bool(time_keys(p))
    if phased:
        parts += _lines_renderables(p, width)
    if p.economy is not None:
        from defplan.render.frame import frame_validation

        parts += frame_validation(p, width)
    if p.scenarios:
        from defplan.render.scenarios import scenarios_validation

        parts.append(scenarios_validation(p))
    years = {} if phased else _first_line_years(p)
    unphased = math.fsum(plain)
    if years:
        rows = []
        for y in sorted(set(years) | set(p.budget.per_year)):
            cap = p.budget.per_year.get(y)
            ratio = f"{years.get(y, 0.0) / cap:.2f}x" if cap else "-"
            rows.append([str(y), amount(years.get(y, 0.0)), amount(cap), ratio])
        if unphased:
            rows.append(["unphased", amount(unphased), "-", "-"])
        names = ("Year", "All options", "Cap", "Options / cap")
        parts.append(
            fitted(
                "Cost of all options per year against the caps",
                [Col(name, Kind.FIGURE) for name in names],
                rows,
                width=width,
            )
        )
    if p.commitments:
        rows = []
        for key, com in p.commitments.items():
            reach = math.fsum(c.commitments.get(key, 0.0) for c in p.candidates)
            rows.append(
                [
                    com.label or key,
                    com.framework or "-",
                    "hard" if com.hard else f"soft ({amount(com.penalty)}/unit)",
                    amount(com.target),
                    amount(reach),
                ]
            )
        columns = [
            Col("Commitment", overflow="fold"),
            Col("Framework", drop=1),
            Col("Kind", overflow="fold", figures_inside=True),
            Col("Target", Kind.FIGURE),
            Col("All options", Kind.FIGURE),
        ]
        parts.append(
            fitted("Commitments: what all options could reach", columns, rows, width=width)
        )
    return parts


def _first_line_years(p: Portfolio) -> dict[int, float]:
    """All candidates' costs on the first line by year, as written (budget.per_year caps
    them); every capped year is there, at 0 when nothing is spent in it."""
    years: dict[int, float] = dict.fromkeys(p.budget.per_year, 0.0)
    for c in p.candidates:
        for y, v in c.line_profiles(p.first_line).get(p.first_line, {}).items():
            years[y] = years.get(y, 0.0) + v
    return years


def _lines_renderables(p: Portfolio, width: int) -> list[RenderableType]:
    """A plan in time: its lines, prices and carry-over in words, then each year's demand
    on each line, every candidate at its earliest start (nominal, with running costs to
    the horizon), against the caps."""
    from rich.text import Text

    from defplan.render.layout import Col, Kind, fitted
    from defplan.timeline import (
        Option,
        line_names,
        line_title,
        line_unit,
        money_lines,
        options_of,
    )

    money = money_lines(p)
    names = line_names(p)
    described = []
    for name in names:
        title = line_title(p, name)
        what = [w for w in (title if title != name else "", line_unit(p, name)) if w]
        what += [] if name in money else ["not money"]
        described.append(f"{name} ({', '.join(what)})" if what else name)
    said = Text(f"lines: {', '.join(described)}")
    if p.prices is not None:
        how = (
            f"{100 * p.prices.rate:g}% a year" if p.prices.rate is not None else "an index by year"
        )
        said.append(f"\nprices: constant {p.prices.base} prices made nominal by {how}")
    if p.budget.carry_over is not None:
        said.append(f"\ncarry-over: at most {amount(p.budget.carry_over)} of the unspent caps")
    earliest: dict[int, Option] = {}
    for o in options_of(p):
        earliest.setdefault(o.candidate, o)
    first_year, last_year = p.years or (0, 0)
    caps = {
        name: p.budget.per_year
        if name == p.first_line
        else (p.budget.lines[name].per_year if name in p.budget.lines else {})
        for name in names
    }
    columns = [Col("Year", Kind.FIGURE)]
    for name in names:
        columns.append(Col(name, Kind.FIGURE))
        if caps[name]:
            columns.append(Col(f"{name} cap", Kind.FIGURE))
    rows = []
    for year in range(first_year, last_year + 1):
        row = [str(year)]
        for name in names:
            demand = math.fsum(o.spend.get(name, {}).get(year, 0.0) for o in earliest.values())
            row.append(amount(demand))
            if caps[name]:
                row.append(amount(caps[name].get(year)))
        rows.append(row)
    title = "Demand of all options by line and year (each at its earliest start) against the caps"
    return [said, fitted(title, columns, rows, width=width)]
