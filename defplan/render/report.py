"""One result as people read it (a headline and its tables) and as CSV."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from defplan.render.figures import (
    ROUNDING_NOTE,
    VALUE_LEGEND,
    adds_up,
    amount,
    csv_text,
    forced_mark,
    num,
    per_1000,
    shown_name,
    unit_label,
)

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from defplan.model import Portfolio
    from defplan.result import CandidateOutcome, Result


def result_renderables(
    result: Result, *, width: int = 100, show_conflicts: bool = True
) -> list[RenderableType]:
    """The full report of one result: headline, selection, years, security, commitments.

    Every table fits `width` (see defplan.render.layout). `show_conflicts=False` leaves an
    infeasible run's conflict to stderr, for a terminal that shows both.
    """
    from rich.text import Text

    from defplan.result import CONFLICT_HEADING

    parts: list[RenderableType] = [_headline(result)]
    if not result.status.has_portfolio:
        if result.conflicts and show_conflicts:
            text = Text(CONFLICT_HEADING, style="bold red")
            for conflict in result.conflict_lines:
                text.append(f"\n  - {conflict}", style="")
            parts.append(text)
        return parts
    parts.append(_selected_table(result, width))
    timing = result.timing
    if timing is not None and timing.phased:
        from defplan.render.schedule import timing_renderables

        parts += timing_renderables(result, timing, width)
    elif result.cost_per_year or result.budget_per_year:
        parts.append(_years_table(result, width))
    if timing is not None and timing.shares:
        from defplan.render.frame import frame_renderables

        parts += frame_renderables(result, timing, width)
    parts.append(_objectives_table(result, width))
    if result.commitments:
        parts.append(_commitments_table(result, width))
    if result.groups:
        parts.append(_groups_table(result, width))
    below = [c for c in result.candidates if not c.selected]
    if below:
        parts.append(_below_table(result, below, width))
    return parts


def _headline(result: Result) -> RenderableType:
    from rich.text import Text

    text = Text()
    text.append(result.name or result.file or "portfolio", style="bold")
    status_style = {"optimal": "green", "feasible": "yellow"}.get(result.status.value, "red")
    text.append("\nstatus   ")
    text.append(result.status.value, style=f"bold {status_style}")
    if result.solver.gap:
        text.append(f" (gap {100 * result.solver.gap:.3g}%)", style="yellow")
    if not result.status.has_portfolio:
        return text
    text.append(f"\nvalue    {amount(result.value)}")
    penalties = _penalties(result)
    if abs(penalties) > 1e-9:
        text.append(f" (after {amount(penalties)} in soft-commitment penalties)")
    text.append(f"\ncost     {amount(result.cost_total)} {unit_label(result)}")
    if result.budget_total is not None:
        use = 100 * result.cost_total / result.budget_total if result.budget_total else 0.0
        text.append(f" of {amount(result.budget_total)} ({use:.1f}% of the budget)")
    level = result.run.cost_level if result.run is not None else None
    if level is not None:
        at = f"the P{100 * level:g} of its cost_risk (--cost-level {level:g})"
        text.append(f"\n         each candidate at {at}")
    text.append(f"\nselected {len(result.selected)} of {len(result.candidates)} candidates")
    text.append(f"\n{VALUE_LEGEND}", style="dim")
    return text


def _penalties(result: Result) -> float:
    """Value lost to soft-commitment shortfalls: the selection's values less the result's."""
    return math.fsum(c.value for c in result.selected) - (result.value or 0.0)


def _selected_table(result: Result, width: int) -> RenderableType:
    from rich.text import Text

    from defplan.render.layout import Col, Kind, fitted

    penalised = abs(_penalties(result)) > 1e-9
    order: dict[str | None, list[CandidateOutcome]] = {}
    for c in result.selected:
        order.setdefault(c.group, []).append(c)
    groups = sorted(order.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))
    rows: list[list[str | Text]] = []
    for group, members in groups:
        rows.append(
            [
                Text(group or "(no group)", style="bold"),
                "",
                Text(amount(math.fsum(c.cost for c in members)), style="bold"),
                Text(amount(math.fsum(c.value for c in members)), style="bold"),
            ]
        )
        rows.extend([f"  {c.id}", shown_name(c), amount(c.cost), amount(c.value)] for c in members)
    columns = [
        Col("Candidate", Kind.KEY, footer="Total"),
        Col("Name", footer="before penalties" if penalised else "", drop=1, label=""),
        Col("Cost", Kind.FIGURE, footer=amount(result.cost_total)),
        Col("Value", Kind.FIGURE, footer=amount(math.fsum(c.value for c in result.selected))),
    ]
    if any(c.forced for c in result.selected):
        columns.append(Col("Forced", Kind.KEY))  # a word: 'mandatory' is never cut
        marks = [forced_mark(c) for _, members in groups for c in [None, *members]]
        rows = [[*row, mark] for row, mark in zip(rows, marks, strict=True)]
    sums = [[c.cost for c in m] for _, m in groups] + [[c.value for c in m] for _, m in groups]
    sums += [[c.cost for c in result.selected], [c.value for c in result.selected]]
    return fitted(
        f"Selected, by group (costs in {unit_label(result)})",
        columns,
        rows,
        width=width,
        caption=None if all(adds_up(figures) for figures in sums) else ROUNDING_NOTE,
    )


def _years_table(result: Result, width: int) -> RenderableType:
    from defplan.render.layout import Col, Kind, fitted

    spent = result.cost_per_year
    rows, styles, exact = [], [], True
    for year in sorted(set(spent) | set(result.budget_per_year)):
        cost = spent.get(year, 0.0)
        cap = result.budget_per_year.get(year)
        room = None if cap is None else cap - cost
        rows.append([str(year), amount(cost), amount(cap), amount(room)])
        styles.append("red" if room is not None and room < 0 else "")
        exact = exact and (cap is None or adds_up([cap, -cost]))
    if result.cost_unphased:
        rows.append(["unphased", amount(result.cost_unphased), "-", "-"])
        styles.append("")
    columns = [Col(name, Kind.FIGURE) for name in ("Year", "Cost", "Cap", "Headroom")]
    return fitted(
        "Cost per year against the caps",
        columns,
        rows,
        width=width,
        caption=None if exact else ROUNDING_NOTE,
        row_styles=styles,
    )


def _objectives_table(result: Result, width: int) -> RenderableType:
    from defplan.render.layout import Col, Kind, fitted

    rows = [
        [result.objective_labels.get(key, key), f"{result.weights[key]:.3g}", amount(total)]
        for key, total in result.objectives.items()
    ]
    columns = [
        Col("Objective", overflow="fold"),
        Col("Weight", Kind.FIGURE),
        Col("Total (unweighted)", Kind.FIGURE),
    ]
    return fitted("Security value of the selection", columns, rows, width=width)


def _commitments_table(result: Result, width: int) -> RenderableType:
    from rich.text import Text

    from defplan.render.layout import Col, Kind, fitted

    rows: list[list[str | Text]] = []
    for key, c in result.commitments.items():
        if c.met:
            status = Text("met", style="green")
        else:
            kind = "hard" if c.hard else "soft, penalised"
            status = Text.assemble((f"short by {amount(c.shortfall)}", "red"), f" ({kind})")
        rows.append(
            [
                c.label if c.label != key else key,
                c.framework or "-",
                amount(c.target),
                amount(c.achieved),
                status,
            ]
        )
    columns = [
        Col("Commitment", overflow="fold"),
        Col("Framework", drop=1),
        Col("Target", Kind.FIGURE),
        Col("Achieved", Kind.FIGURE),
        Col("Status", overflow="fold", figures_inside=True, label=""),
    ]
    return fitted("Commitments", columns, rows, width=width)


def _groups_table(result: Result, width: int) -> RenderableType:
    from defplan.render.layout import Col, Kind, fitted

    total = result.cost_total
    rows = [
        [
            name,
            amount(spend),
            f"{100 * spend / total:.1f}%" if total else "-",
            result.group_rules.get(name, ""),
        ]
        for name, spend in result.groups.items()
    ]
    columns = [
        Col("Group", Kind.KEY),
        Col(f"Spend ({unit_label(result)})", Kind.FIGURE, label="spend"),
        Col("Share of cost", Kind.FIGURE, label="share"),
        Col("Rule", overflow="fold", figures_inside=True, label=""),
    ]
    return fitted("Spending by group rule", columns, rows, width=width)


def _below_table(result: Result, below: list[CandidateOutcome], width: int) -> RenderableType:
    from defplan.render.layout import Col, Kind, fitted

    def ratio(c: CandidateOutcome) -> float:
        if c.cost == 0:
            return math.inf if c.value > 0 else -math.inf if c.value < 0 else 0.0
        return c.value / c.cost

    with_names = any(shown_name(c) for c in below)
    any_forced = any(c.forced for c in below)
    rows = []
    for c in sorted(below, key=lambda c: -ratio(c)):
        r = ratio(c)
        shown = "free" if r == math.inf else "-" if r == -math.inf else per_1000(r)
        names = [shown_name(c)] if with_names else []
        marks = [forced_mark(c)] if any_forced else []
        rows.append([c.id, *names, c.group or "-", amount(c.cost), amount(c.value), shown, *marks])
    columns = [
        Col("Candidate", Kind.KEY),
        *([Col("Name", drop=1, label="")] if with_names else []),
        Col("Group", drop=2),
        Col("Cost", Kind.FIGURE),
        Col("Value", Kind.FIGURE),
        Col("Value per 1,000", Kind.FIGURE),
        *([Col("Forced", Kind.KEY)] if any_forced else []),
    ]
    title = (
        f"Below the line, best value per unit of cost first (costs in {unit_label(result)}; "
        f"value per 1,000 {unit_label(result)} of cost)"
    )
    return fitted(title, columns, rows, width=width)


def result_csv(result: Result, portfolio: Portfolio | None = None) -> str:
    """One row per candidate: id,name,group,selected,cost,value, one column per objective,
    then cost_YEAR per year (and cost_unphased for plain costs) so that the cost is their
    sum, then commitment_ID with each contribution (taken from `portfolio`, when given),
    then, when the file or the run fixes a choice, forced: mandatory, include or exclude,
    and for a plan in time the start and delivery years of the selected. In a plan in
    time cost_YEAR is the nominal money of the start year taken (of the earliest start for
    a candidate left out)."""
    phased = result.timing is not None and result.timing.phased
    objectives = list(result.weights)
    years = sorted({y for c in result.candidates for y in c.profile} | set(result.budget_per_year))
    unphased = bool(years) and any(not c.profile for c in result.candidates)
    commitments = list(portfolio.commitments) if portfolio is not None else []
    given = {c.id: c.commitments for c in portfolio.candidates} if portfolio is not None else {}
    has = result.status.has_portfolio
    rows = (
        [
            c.id,
            c.name,
            c.group or "",
            "true" if (c.selected and has) else "false",
            num(c.cost),
            num(c.value),
            *(num(c.objectives[k]) for k in objectives),
            *(num(c.profile.get(y, 0.0)) if c.profile else "" for y in years),
            *([num(0.0 if c.profile else c.cost)] if unphased else []),
            *(num(given[c.id].get(k, 0.0)) for k in commitments),
            *([c.forced or ""] if result.forced else []),
            *(_years_taken(c, has) if phased else []),
        ]
        for c in result.candidates
    )
    header = [
        *("id", "name", "group", "selected", "cost", "value"),
        *objectives,
        *(f"cost_{y}" for y in years),
        *(["cost_unphased"] if unphased else []),
        *(f"commitment_{k}" for k in commitments),
        *(["forced"] if result.forced else []),
        *(["start", "delivered"] if phased else []),
    ]
    return csv_text(header, rows)


def _years_taken(c: CandidateOutcome, has: bool) -> list[str]:
    """A selected candidate's start and delivery years; empty cells otherwise."""
    if not (has and c.selected) or c.start is None:
        return ["", ""]
    return [str(c.start), str(c.delivered)]
