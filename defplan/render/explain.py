"""Why a candidate is in or out, in plain sentences and as JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from defplan.render.figures import (
    VALUE_LEGEND,
    amount,
    unit_label,
)

if TYPE_CHECKING:
    from rich.console import RenderableType

    from defplan.analysis.explain import Explanation


def explain_renderables(e: Explanation) -> list[RenderableType]:
    """The explanation in plain sentences."""
    from rich.text import Text

    result = e.result
    unit = unit_label(result)
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
    if e.forced_by_run:
        text.append(f"The run's own {e.forced_by_run} decides it, so there is no other way.\n")
    elif e.forced_value is None:
        so = "it stays in whatever its value" if e.selected else "no value would bring it in"
        text.append(f"{other} admits no portfolio at all, so {so}.\n")
    else:
        text.append(
            f"{other}, the best portfolio is worth {amount(e.forced_value)}: "
            f"{amount(e.regret)} less (the regret).\n"
        )
        text.append(_forced_changes(e))
        text.append(_entry_value_sentence(e))
    if e.entry_budget is None:
        text.append(
            "No total budget up to the sum of all costs makes it part of an optimal portfolio.\n"
        )
    else:
        text.append(
            "It first belongs to an optimal portfolio at a total budget of "
            f"{amount(e.entry_budget)} {unit}"
        )
        below = result.budget_total is not None and e.entry_budget <= result.budget_total
        if below and not e.selected:
            text.append(" (selections are not monotone in the budget: it left again)")
        text.append(".\n")
    text.append(_start_sentence(e))
    if e.binding:
        change = "take it out" if e.selected else "bring it in"
        text.append(f"Removing any one of these constraints alone would {change}:")
        for line in e.binding_details:
            text.append(f"\n  - {line}")
    else:
        state = "in" if e.selected else "out"
        text.append(f"No single constraint decides it: without any one of them it stays {state}.")
    if not e.complete:
        text.append(
            "\nThe time limit cut some solves short: these answers are not all proven.",
            style="yellow",
        )
    text.append(f"\n{VALUE_LEGEND}.", style="dim")
    return [text]


def _start_sentence(e: Explanation) -> str:
    """With a start window: the best portfolio at each start year, and what a later
    start costs in value."""
    if not e.starts:
        return ""
    head = f"It starts in {e.start} in the optimum. " if e.start is not None else ""
    told = []
    for s in e.starts:
        if s.value is None:
            told.append(f"{s.year} none")
        elif not s.below_optimum:
            told.append(f"{s.year} {amount(s.value)} (the optimum's value)")
        else:
            told.append(f"{s.year} {amount(s.value)} ({amount(s.below_optimum)} less)")
    return f"{head}The best portfolio with it, by start year: {', '.join(told)}.\n"


def _forced_changes(e: Explanation) -> str:
    """'That portfolio adds a and b, and drops c.' (the best one forced the other way)."""
    said = [
        f"{verb} {_listing(ids)}" for verb, ids in (("adds", e.added), ("drops", e.dropped)) if ids
    ]
    return f"That portfolio {', and '.join(said)}.\n" if said else ""


def _listing(ids: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return ids[0] if len(ids) == 1 else f"{', '.join(ids[:-1])} and {ids[-1]}"


def _entry_value_sentence(e: Explanation) -> str:
    """The value of its own at which the candidate enters (or leaves) the optimum at
    this budget, and which way the tie rule goes at exactly that value."""
    if e.entry_value is None or e.regret is None:
        return ""
    edge = f"{e.entry_value:,.12g}"
    rule = "the tie rule (the cheaper portfolio first, then file order)"
    if e.selected:
        how = f"{e.value:,.12g} less the regret, {e.regret:,.12g}"
        if e.in_at_entry_value:
            return (
                f"At this budget it stays in while its value is at least {edge} ({how}); "
                f"at exactly {edge} it ties with the best portfolio without it and {rule} "
                "keeps it.\n"
            )
        return (
            f"At this budget it stays in while its value is above {edge} ({how}); at "
            f"exactly {edge} it ties with the best portfolio without it and {rule} leaves "
            "it out.\n"
        )
    how = f"{e.value:,.12g} plus the regret, {e.regret:,.12g}"
    if e.in_at_entry_value:
        return (
            f"At this budget it would enter if its value rose to {edge} ({how}): there it "
            f"ties with the optimum and {rule} takes it in.\n"
        )
    return (
        f"At this budget it would enter if its value rose above {edge} ({how}); at "
        f"exactly {edge} it ties with the optimum and {rule} keeps it out.\n"
    )
