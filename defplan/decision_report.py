"""Decision support -> what users see: plain sentences and tables for `explain`,
`--alternatives`, `frontier` and `robust` (report.py keeps the portfolio reports)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from defplan.report import amount

if TYPE_CHECKING:
    from rich.console import RenderableType

    from defplan.analysis.explain import Explanation
    from defplan.result import Result


def explain_json(explanation: Explanation) -> str:
    """{"format": "defplan-explain/1", "id", "selected", "optimum", ...}."""
    from defplan.result import json_text

    return json_text(explanation.to_dict())


def explain_renderables(e: Explanation) -> list[RenderableType]:
    """The explanation in plain sentences."""
    from rich.text import Text

    result = e.result
    unit = f"{result.unit} {result.currency}".strip()
    who = f"'{e.id}'" + (f" ({e.name})" if e.name and e.name != e.id else "")
    where = (
        f"at a total budget of {amount(result.budget_total)} {unit}"
        if result.budget_total is not None
        else "within the annual caps"
    )
    text = Text()
    state = "in" if e.selected else "not in"
    text.append(f"{who} is {state} the optimal portfolio {where}", style="bold")
    text.append(f" (value {amount(e.optimum)}).\n")
    other = "Leaving it out" if e.selected else "Forcing it in"
    if e.forced_value is None:
        text.append(f"{other} admits no portfolio at all.\n")
    else:
        text.append(
            f"{other}, the best portfolio is worth {amount(e.forced_value)}: "
            f"{amount(e.regret)} less (the regret).\n"
        )
    if e.entry_budget is None:
        text.append(
            "No total budget up to the sum of all costs makes it part of an optimal portfolio.\n"
        )
    else:
        text.append(
            "It first belongs to an optimal portfolio at a total budget of "
            f"{amount(e.entry_budget)} {unit}.\n"
        )
    if e.binding:
        change = "take it out" if e.selected else "bring it in"
        text.append(f"Removing any one of these constraints alone would {change}:")
        for line in e.binding_details:
            text.append(f"\n  - {line}")
    else:
        state = "in" if e.selected else "out"
        text.append(f"No single constraint decides it: without any one of them it stays {state}.")
    return [text]


def alternatives_table(result: Result, *, width: int = 100) -> RenderableType:
    """The next-best portfolios after the optimum, and how little separates them."""
    from rich.table import Table

    found = result.alternatives or ()
    unit = f"{result.unit} {result.currency}".strip()
    table = Table(
        title=f"Next-best portfolios ({len(found)})",
        title_justify="left",
        width=min(width, 120),
    )
    table.add_column("#", justify="right")
    table.add_column("value", justify="right")
    table.add_column("vs best", justify="right")
    table.add_column(f"cost ({unit})" if unit else "cost", justify="right")
    table.add_column("added", ratio=1, overflow="fold")  # ids wrap, never cut
    table.add_column("dropped", ratio=1, overflow="fold")
    table.add_row("best", amount(result.value), "", amount(result.cost_total), "", "")
    for rank, alt in enumerate(found, start=1):
        gap = alt.value - (result.value or 0.0)
        table.add_row(
            str(rank),
            amount(alt.value),
            f"{gap:+,.4g}" if gap else "0",
            amount(alt.cost),
            "\n".join(alt.added) or "-",
            "\n".join(alt.dropped) or "-",
        )
    if not found:
        table.caption = "no other portfolio satisfies the constraints"
    return table
