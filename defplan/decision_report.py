"""Decision support -> what users see: plain sentences and tables for `explain`,
`--alternatives`, what limits a plan, `frontier` and `robust` (report.py keeps the
portfolio reports)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from defplan.report import amount

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from defplan.analysis.explain import Explanation
    from defplan.analysis.frontier import Frontier
    from defplan.analysis.limits import Limit
    from defplan.analysis.robust import Robustness
    from defplan.result import Result


def explain_json(explanation: Explanation) -> str:
    """{"format": "defplan-explain/1", "id", "selected", "optimum", ...}."""
    from defplan.jsontext import json_text

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
    return [text]


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
        table.caption = "no other portfolio found"
    return table


def frontier_json(f: Frontier) -> str:
    """{"format": "defplan-frontier/1", "points": [...], ...}."""
    from defplan.jsontext import json_text

    return json_text(f.to_dict())


def frontier_renderables(f: Frontier, *, unit: str = "", width: int = 100) -> list[RenderableType]:
    """The non-dominated points as a table, then the trade-off as bars of y along x."""
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=f"Trade-off between {f.x} and {f.y}: "
        + (f"{len(f.points)} non-dominated points" if len(f.points) != 1 else "1 point"),
        title_justify="left",
        caption="cut at --max-points: more points exist" if f.cut else None,
    )
    table.add_column("#", justify="right")
    table.add_column(f.x, justify="right")
    table.add_column(f.y, justify="right")
    table.add_column(f"cost ({unit})" if unit else "cost", justify="right")
    table.add_column("candidates", justify="right")
    for k, point in enumerate(f.points, start=1):
        table.add_row(
            str(k),
            amount(point.objectives[f.x]),
            amount(point.objectives[f.y]),
            amount(point.cost),
            str(len(point.selected)),
        )
    chart = Text(f"{f.y} (bars) as {f.x} falls\n", style="bold")
    ys = [p.objectives[f.y] for p in f.points]
    labels = [amount(p.objectives[f.x]) for p in f.points]
    if ys:
        top = max(ys)
        low = min(ys) - 0.1 * (top - min(ys)) if top > min(ys) else min(min(ys), 0.0)
        label_width = max(len(s) for s in labels)
        bar_width = max(10, min(width, 100) - label_width - 14)
        for label, value in zip(labels, ys, strict=True):
            length = 0 if top == low else round((value - low) / (top - low) * bar_width)
            chart.append(f"{label:>{label_width}} ")
            chart.append("█" * length, style="cyan")
            chart.append(f" {amount(value)}\n")
    return [table, chart]


def robust_json(r: Robustness) -> str:
    """{"format": "defplan-robust/1", "samples", "candidates": [...], "core", ...}."""
    from defplan.jsontext import json_text

    return json_text(r.to_dict())


def robust_renderables(r: Robustness, *, width: int = 100) -> list[RenderableType]:
    """Core, borderline and exterior candidates, with each one's share as a bar."""
    from rich.table import Table
    from rich.text import Text

    head = Text(
        f"{r.samples} samples: weights each times a factor in "
        f"[{1 - r.spread:g}, {1 + r.spread:g}], ranges drawn uniformly (seed {r.seed})\n",
        style="bold",
    )
    head.append(
        f"core {len(r.core)} (in every sampled optimum), borderline {len(r.borderline)}, "
        f"exterior {len(r.exterior)} (in none)",
        style="",
    )
    table = Table(title="Share of sampled optima that include each candidate", title_justify="left")
    shares = r.shares
    table.add_column("candidate", no_wrap=True, min_width=max(map(len, shares), default=9))
    table.add_column("share", justify="right")
    bar = 20
    table.add_column("", no_wrap=True, min_width=bar)
    table.add_column("in the optimum")
    chosen = set(r.base.selected_ids)
    borderline = sorted(r.borderline, key=lambda cid: -shares[cid])  # stable: file order
    for cid in (*r.core, *borderline, *r.exterior):
        share = shares[cid]
        shown = min(max(round(100 * share), 1), 99) if 0 < share < 1 else round(100 * share)
        table.add_row(cid, f"{shown}%", "█" * round(share * bar), "yes" if cid in chosen else "")
    return [head, table]


def limits_renderables(result: Result, *, width: int = 100) -> list[RenderableType]:
    """'What limits this plan': the constraints whose relaxation alone raises the value
    (a budget cap raised by the step, anything else left out), what that gains and who
    enters and leaves; then the constraints that do not bind.

    A table when the ids fit whole beside a readable first column, else a few lines per
    constraint: nothing is ever cut.
    """
    from rich.text import Text

    found = result.limits or ()
    unit = f"{result.unit} {result.currency}".strip()
    binding = [limit for limit in found if limit.binding]
    head = Text("What limits this plan", style="bold")
    head.append(
        "\nEach constraint relaxed alone, everything else as it is: a budget cap raised by "
        "the step, any other constraint left out. Value in weighted points, as above.",
        style="",
    )
    decider = _annual_caps_decide(found, unit)
    if decider:
        head.append(f"\n{decider}", style="")
    if not binding:
        head.append("\nNothing binds: relaxing any one constraint alone gains no value.", style="")
        return [head]
    rows = [
        (
            limit,
            amount(limit.slack) + (f" {limit.unit}" if limit.unit else ""),
            "left out" if limit.step is None else f"+{amount(limit.step)} {unit}".rstrip(),
        )
        for limit in binding
    ]
    figures = max(len("Room left"), *(len(r[1]) for r in rows))
    figures += max(len("Relaxed"), *(len(r[2]) for r in rows)) + len("Value gained")
    room = width - figures - 16  # 16: the frame of five columns
    changes = [_changes(limit) for limit in binding]
    ids = max((len(c) + 2 for lim in binding for c in (*lim.enters, *lim.leaves)), default=5)
    parts: list[RenderableType] = [head]
    if room >= ids + 20:
        labels = max(max(len(limit.constraint), len(limit.label)) for limit in binding)
        lines = max((len(line) for t in changes for line in t.plain.split("\n")), default=5)
        first = min(labels, max(20, room - lines, 2 * room // 5))
        last = max(ids, min(lines, room - first))
        parts.append(_limits_table(rows, changes, (min(first, room - last), last)))
    else:
        parts.append(_limits_paragraphs(rows))
    loose = [limit.constraint for limit in found if not limit.binding]
    if loose:
        parts.append(
            Text(f"Not binding (relaxing any one alone gains nothing): {', '.join(loose)}")
        )
    return parts


def _limits_table(
    rows: list[tuple[Limit, str, str]], changes: list[Text], widths: tuple[int, int]
) -> RenderableType:
    """The binding constraints as a table; `widths` of the first and last columns keep
    the figures whole and wrap the ids between, never inside, them."""
    from rich.table import Table
    from rich.text import Text

    table = Table()
    table.add_column("Binding constraint", overflow="fold", width=widths[0])
    for name in ("Room left", "Relaxed", "Value gained"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("Enters (+) and leaves (-)", overflow="fold", width=widths[1])
    for (limit, room, relaxed), moved in zip(rows, changes, strict=True):
        table.add_row(
            Text.assemble((limit.constraint, "bold"), f"\n{limit.label}"),
            room,
            relaxed,
            f"+{amount(limit.value_gain)}",
            moved,
        )
    return table


def _changes(limit: Limit) -> Text:
    """'+ ids that enter' and '- ids that leave', a line each."""
    from rich.text import Text

    text = Text()
    for sign, ids, style in (("+", limit.enters, "green"), ("-", limit.leaves, "red")):
        if ids:
            text.append(("\n" if text else "") + f"{sign} {', '.join(ids)}", style=style)
    return text


def _limits_paragraphs(rows: list[tuple[Limit, str, str]]) -> RenderableType:
    """The binding constraints for a narrow terminal: a few short lines each."""
    from rich.text import Text

    text = Text()
    for k, (limit, room, relaxed) in enumerate(rows):
        text.append("\n" if k else "")
        text.append(limit.constraint, style="bold")
        text.append(f": {limit.label}\n  room left {room}; ")
        text.append(f"{relaxed}: +{amount(limit.value_gain)} value")
        for word, ids in (("in: ", limit.enters), ("out:", limit.leaves)):
            if ids:
                text.append(f"\n    {word} {', '.join(ids)}")
    return text


def _annual_caps_decide(found: Sequence[Limit], unit: str) -> str:
    """A sentence when the total budget does not bind but annual caps do."""
    total = next((limit for limit in found if limit.constraint == "budget.total"), None)
    years = [
        limit.constraint.rsplit(".", 1)[1]
        for limit in found
        if limit.binding and limit.constraint.startswith("budget.per_year.")
    ]
    if total is None or total.binding or not years:
        return ""
    return (
        f"The total budget does not bind ({amount(total.slack)} {unit} of it unused): "
        f"the annual caps decide ({', '.join(years)})."
    )
