"""Decision support -> what users see: plain sentences and tables for `explain`,
`--alternatives`, what limits a plan, `frontier` and `robust` (report.py keeps the
portfolio reports)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from defplan.report import (
    FORCED_WORDS,
    VALUE_LEGEND,
    amount,
    bar_chart,
    changes_cell,
    csv_text,
    num,
)

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from defplan.analysis.explain import Explanation
    from defplan.analysis.frontier import Frontier, FrontierPoint
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
    text.append(f"\n{VALUE_LEGEND}.", style="dim")
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
    from defplan.layout import Col, Kind, fitted

    found = result.alternatives or ()
    unit = f"{result.unit} {result.currency}".strip()
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


def frontier_json(f: Frontier) -> str:
    """{"format": "defplan-frontier/1", "points": [...], ...}."""
    from defplan.jsontext import json_text

    return json_text(f.to_dict())


def frontier_steps(
    f: Frontier,
) -> list[tuple[int, FrontierPoint, tuple[str, ...], tuple[str, ...]]]:
    """Each point with its number (from 1) and what it adds and drops against the point
    before it; the first point adds its whole selection."""
    steps = []
    before: tuple[str, ...] = ()
    for k, point in enumerate(f.points, start=1):
        had, has = set(before), set(point.selected)
        added = tuple(i for i in point.selected if i not in had)
        steps.append((k, point, added, tuple(i for i in before if i not in has)))
        before = point.selected
    return steps


def frontier_csv(f: Frontier) -> str:
    """One row per point: point,total_X,total_Y,cost,candidates,selected,added,dropped
    (ids space-separated; added and dropped against the point before)."""
    rows = [
        [
            str(k),
            num(point.objectives[f.x]),
            num(point.objectives[f.y]),
            num(point.cost),
            str(len(point.selected)),
            " ".join(point.selected),
            " ".join(added),
            " ".join(dropped),
        ]
        for k, point, added, dropped in frontier_steps(f)
    ]
    header = ["point", f"total_{f.x}", f"total_{f.y}", "cost", "candidates", "selected"]
    return csv_text([*header, "added", "dropped"], rows)


def frontier_renderables(
    f: Frontier,
    *,
    unit: str = "",
    labels: Mapping[str, str] | None = None,
    forced: Mapping[str, str] | None = None,
    width: int = 100,
) -> list[RenderableType]:
    """The non-dominated points as a table, then the trade-off as bars of y along x.

    `labels` names the objectives (their keys when absent); `forced` marks the ids whose
    choice the file or the run fixed (id -> 'mandatory', 'include' or 'exclude')."""
    from defplan.layout import Col, Kind, fitted

    x = (labels or {}).get(f.x, f.x)
    y = (labels or {}).get(f.y, f.y)
    rows = [
        [
            str(k),
            amount(point.objectives[f.x]),
            amount(point.objectives[f.y]),
            amount(point.cost),
            str(len(point.selected)),
            changes_cell(added, dropped, forced),
        ]
        for k, point, added, dropped in frontier_steps(f)
    ]
    columns = [
        Col("#", Kind.FIGURE, label="point"),
        Col(x, Kind.FIGURE),
        Col(y, Kind.FIGURE),
        Col(f"cost ({unit})" if unit else "cost", Kind.FIGURE, label="cost"),
        Col("candidates", Kind.FIGURE),
        Col("adds (+) and drops (-) against the point before", overflow="fold", label=""),
    ]
    notes = [
        "Totals: unweighted points on each objective's own scale; each point is the "
        "cheapest portfolio that reaches both."
    ]
    if f.cut:
        notes.append("cut at --max-points: more points exist")
    count = f"{len(f.points)} non-dominated points" if len(f.points) != 1 else "1 point"
    table = fitted(
        f"Trade-off between {x} and {y}: {count}",
        columns,
        rows,
        width=width,
        caption="\n".join(notes),
    )
    chart = bar_chart(
        f"{y} (bars, from 0) at each total of {x} (left)",
        [amount(p.objectives[f.x]) for p in f.points],
        [p.objectives[f.y] for p in f.points],
        ["" for _ in f.points],
        width=width,
    )
    return [table, chart]


def robust_json(r: Robustness) -> str:
    """{"format": "defplan-robust/1", "samples", "candidates": [...], "core", ...}."""
    from defplan.jsontext import json_text

    return json_text(r.to_dict())


def robust_csv(r: Robustness) -> str:
    """One row per candidate (file order): id,name,group,share,samples_in,class,selected,
    cost,value; class is core, borderline or exterior, selected is the unperturbed optimum;
    then forced (mandatory, include or exclude) when the file or the run fixes a choice."""
    chosen = set(r.base.selected_ids)
    outcomes = {c.id: c for c in r.base.candidates}
    rows = [
        [
            cid,
            outcomes[cid].name,
            outcomes[cid].group or "",
            num(r.shares[cid]),
            str(count),
            _robust_class(r, count),
            "true" if cid in chosen else "false",
            num(outcomes[cid].cost),
            num(outcomes[cid].value),
            *([outcomes[cid].forced or ""] if r.base.forced else []),
        ]
        for cid, count in zip(r.ids, r.counts, strict=True)
    ]
    header = ["id", "name", "group", "share", "samples_in", "class", "selected", "cost"]
    return csv_text([*header, "value", *(["forced"] if r.base.forced else [])], rows)


def _robust_class(r: Robustness, count: int) -> str:
    if count == r.samples:
        return "core"
    return "exterior" if count == 0 else "borderline"


def robust_renderables(r: Robustness, *, width: int = 100) -> list[RenderableType]:
    """Core, borderline and exterior candidates, with each one's share as a bar."""
    from rich.text import Text

    from defplan.layout import Col, Kind, fitted

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
    head.append(f"\nan optimum has the most value ({VALUE_LEGEND})", style="dim")
    shares = r.shares
    bar = 20
    chosen = set(r.base.selected_ids)
    borderline = sorted(r.borderline, key=lambda cid: -shares[cid])  # stable: file order
    forced = r.base.forced
    rows = []
    for cid in (*r.core, *borderline, *r.exterior):
        share = shares[cid]
        shown = min(max(round(100 * share), 1), 99) if 0 < share < 1 else round(100 * share)
        how = [FORCED_WORDS.get(forced.get(cid, ""), "")] if forced else []
        rows.append(
            [cid, f"{shown}%", "█" * round(share * bar), "yes" if cid in chosen else "", *how]
        )
    columns = [
        Col("candidate", Kind.KEY),
        Col("share", Kind.FIGURE),
        Col(BAR_HEADER, Kind.FIGURE, justify="left", drop=1, listed=False),  # never cut
        Col("in the optimum"),
        *([Col("forced", Kind.KEY)] if forced else []),
    ]
    title = "Share of sampled optima that include each candidate"
    return [head, fitted(title, columns, rows, width=width)]


BAR_HEADER = "share, 0 to 100%"
"""The header of robust's bars: what they show, and that a full bar is every sample."""


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
