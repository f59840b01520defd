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

    p = portfolio
    unit = unit_label(p)
    first = p.first_line
    money = {first} | {name for name, line in p.lines.items() if line.money}
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
    years: dict[int, float] = {}
    for c in p.candidates:  # the first line's costs, which budget.per_year caps
        for y, v in c.line_profiles(first).get(first, {}).items():
            years[y] = years.get(y, 0.0) + v
    unphased = math.fsum(plain)
    if years or p.budget.per_year:
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
