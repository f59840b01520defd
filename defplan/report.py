"""Result -> what users see: Rich tables for people, csv and json text for scripts.

Consoles are made here and nowhere else, so colour rules live in one place.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from defplan.analysis.diff import Diff
    from defplan.analysis.sweep import SweepPoint
    from defplan.model import Portfolio
    from defplan.result import CandidateOutcome, Result


def make_console(
    *, stderr: bool = False, file: TextIO | None = None, width: int | None = None
) -> Console:
    """A console that styles only a terminal, and never when NO_COLOR is set.

    Markup is off: names and labels come from the portfolio file, and a '[/]' in one
    must print as written (with markup on, Rich raised MarkupError on it). Styles are
    given as Text objects instead.
    """
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            raise BrokenPipeError  # Rich would exit 1; the CLI ends a closed pipe quietly

    stream = file or (sys.stderr if stderr else sys.stdout)
    plain = "NO_COLOR" in os.environ or not (hasattr(stream, "isatty") and stream.isatty())
    return _Console(
        file=stream,
        width=width,
        color_system=None if plain else "auto",
        no_color=plain,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
    )


def amount(x: float | None) -> str:
    """A money or value figure for tables: thousands separators, at most 2 decimals."""
    if x is None:
        return "-"
    if x == 0:
        return "0"
    if float(x).is_integer():
        return f"{x:,.0f}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def result_renderables(
    result: Result, *, width: int = 100, show_conflicts: bool = True
) -> list[RenderableType]:
    """The full report of one result: headline, selection, years, security, commitments.

    `width` is the console's: long candidate names are cut with an ellipsis to fit it.
    `show_conflicts=False` leaves an infeasible run's conflict to stderr, for a terminal
    that shows both.
    """
    from rich.text import Text

    parts: list[RenderableType] = [_headline(result)]
    if not result.status.has_portfolio:
        if result.conflicts and show_conflicts:
            text = Text("These constraints cannot all hold together:", style="bold red")
            for conflict in result.conflict_lines:
                text.append(f"\n  - {conflict}", style="")
            parts.append(text)
        return parts
    parts.append(_selected_table(result, width))
    if result.cost_per_year or result.budget_per_year:
        parts.append(_years_table(result))
    parts.append(_objectives_table(result))
    if result.commitments:
        parts.append(_commitments_table(result))
    if result.groups:
        parts.append(_groups_table(result))
    below = [c for c in result.candidates if not c.selected]
    if below:
        parts.append(_below_table(result, below, width))
    return parts


def _unit(result: Result) -> str:
    return f"{result.unit} {result.currency}".strip()


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
    penalties = math.fsum(c.value for c in result.selected) - (result.value or 0.0)
    if abs(penalties) > 1e-9:
        text.append(f" (after {amount(penalties)} in soft-commitment penalties)")
    text.append(f"\ncost     {amount(result.cost_total)} {_unit(result)}")
    if result.budget_total is not None:
        use = 100 * result.cost_total / result.budget_total if result.budget_total else 0.0
        text.append(f" of {amount(result.budget_total)} ({use:.1f}% of the budget)")
    text.append(f"\nselected {len(result.selected)} of {len(result.candidates)} candidates")
    return text


def _selected_table(result: Result, width: int) -> RenderableType:
    from rich.table import Table
    from rich.text import Text

    title = f"Selected, by group (costs in {_unit(result)})"
    table = Table(title=title, title_justify="left", show_footer=True)
    ids = [f"  {c.id}" for c in result.selected]
    penalised = abs(math.fsum(c.value for c in result.selected) - (result.value or 0.0)) > 1e-9
    # a long group name is cut to a third of the width, never the ids, so the figures fit
    groups = [c.group or "(no group)" for c in result.selected]
    first = max(len("Candidate"), _widest(ids), min(_widest(groups), width // 3))
    table.add_column(
        "Candidate", footer="Total", no_wrap=True, min_width=_widest(ids), max_width=first
    )
    cost = "Cost"
    value = amount(math.fsum(c.value for c in result.selected))
    figures = [amount(c.cost) for c in result.selected] + [amount(result.cost_total)]
    fixed = [first, max(len(cost), _widest(figures) + 1), max(5, len(value) + 1)]
    table.add_column(
        "Name",
        footer="before penalties" if penalised else "",
        no_wrap=True,
        overflow="ellipsis",
        max_width=_room(width, fixed),
    )
    table.add_column(cost, justify="right", footer=amount(result.cost_total), min_width=len(cost))
    table.add_column("Value", justify="right", footer=value, min_width=fixed[2])
    order: dict[str | None, list[CandidateOutcome]] = {}
    for c in result.selected:
        order.setdefault(c.group, []).append(c)
    for group, members in sorted(order.items(), key=lambda kv: (kv[0] is None, kv[0] or "")):
        table.add_row(
            Text(group or "(no group)", style="bold", overflow="ellipsis", no_wrap=True),
            "",
            Text(amount(math.fsum(c.cost for c in members)), style="bold"),
            Text(amount(math.fsum(c.value for c in members)), style="bold"),
        )
        for c in members:
            table.add_row(f"  {c.id}", _name(c), amount(c.cost), amount(c.value))
    return table


def _room(width: int, fixed: list[int]) -> int:
    """Width left for a name column beside fixed columns (3 characters of frame each)."""
    return max(10, width - sum(fixed) - 3 * (len(fixed) + 1) - 1)


def _widest(texts: list[str]) -> int:
    return max((len(t) for t in texts), default=0)


def _name(c: CandidateOutcome) -> str:
    return "" if c.name == c.id else c.name


def _years_table(result: Result) -> RenderableType:
    from rich.table import Table

    spent = result.cost_per_year
    years = sorted(set(spent) | set(result.budget_per_year))
    table = Table(title="Cost per year against the caps", title_justify="left")
    for name in ("Year", "Cost", "Cap", "Headroom"):
        table.add_column(name, justify="right")
    for year in years:
        cost = spent.get(year, 0.0)
        cap = result.budget_per_year.get(year)
        room = None if cap is None else cap - cost
        style = "red" if room is not None and room < 0 else ""
        table.add_row(str(year), amount(cost), amount(cap), amount(room), style=style)
    if result.cost_unphased:
        table.add_row("unphased", amount(result.cost_unphased), "-", "-")
    return table


def _objectives_table(result: Result) -> RenderableType:
    from rich.table import Table

    table = Table(title="Security value of the selection", title_justify="left")
    table.add_column("Objective")
    table.add_column("Weight", justify="right")
    table.add_column("Total (unweighted)", justify="right")
    for key, total in result.objectives.items():
        table.add_row(
            result.objective_labels.get(key, key), f"{result.weights[key]:.3g}", amount(total)
        )
    return table


def _commitments_table(result: Result) -> RenderableType:
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Commitments", title_justify="left")
    for name in ("Commitment", "Framework"):
        table.add_column(name)
    for name in ("Target", "Achieved"):
        table.add_column(name, justify="right")
    table.add_column("Status")
    for key, c in result.commitments.items():
        if c.met:
            status = Text("met", style="green")
        else:
            kind = "hard" if c.hard else "soft, penalised"
            status = Text.assemble((f"short by {amount(c.shortfall)}", "red"), f" ({kind})")
        table.add_row(
            c.label if c.label != key else key,
            c.framework or "-",
            amount(c.target),
            amount(c.achieved),
            status,
        )
    return table


def _groups_table(result: Result) -> RenderableType:
    from rich.table import Table

    table = Table(title="Spending by group rule", title_justify="left")
    table.add_column("Group")
    table.add_column(f"Spend ({_unit(result)})", justify="right")
    table.add_column("Share of cost", justify="right")
    table.add_column("Rule")
    total = result.cost_total
    for name, spend in result.groups.items():
        share = f"{100 * spend / total:.1f}%" if total else "-"
        table.add_row(name, amount(spend), share, result.group_rules.get(name, ""))
    return table


def _below_table(result: Result, below: list[CandidateOutcome], width: int) -> RenderableType:
    from rich.table import Table

    def ratio(c: CandidateOutcome) -> float:
        if c.cost == 0:
            return math.inf if c.value > 0 else -math.inf if c.value < 0 else 0.0
        return c.value / c.cost

    cost = "Cost"
    ids = _widest([c.id for c in below])
    groups = max(5, _widest([c.group or "-" for c in below]))
    costs = max(len(cost), _widest([amount(c.cost) for c in below]))
    values = max(5, _widest([amount(c.value) for c in below]))
    room = _room(width, [ids, groups, costs, values, 11])
    with_names = room >= 12 and any(_name(c) for c in below)  # else too narrow to be useful
    title = (
        f"Below the line, best value per unit of cost first (costs in {_unit(result)}; "
        f"value per 1,000 {_unit(result)})"
    )
    table = Table(title=title, title_justify="left")
    table.add_column("Candidate", no_wrap=True, min_width=ids)
    if with_names:
        table.add_column("Name", no_wrap=True, overflow="ellipsis", max_width=room)
    table.add_column("Group", no_wrap=True, min_width=groups)
    table.add_column(cost, justify="right", min_width=len(cost))
    table.add_column("Value", justify="right", min_width=5)
    table.add_column("Per 1,000", justify="right", min_width=11)
    for c in sorted(below, key=lambda c: -ratio(c)):
        r = ratio(c)
        shown = "free" if r == math.inf else "-" if r == -math.inf else amount(round(1000 * r, 3))
        names = [_name(c)] if with_names else []
        table.add_row(c.id, *names, c.group or "-", amount(c.cost), amount(c.value), shown)
    return table


def result_csv(result: Result) -> str:
    """One row per candidate: id,name,group,selected,cost,value and one column per objective."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    objectives = list(result.weights)
    writer.writerow(["id", "name", "group", "selected", "cost", "value", *objectives])
    has = result.status.has_portfolio
    for c in result.candidates:
        writer.writerow(
            [
                c.id,
                c.name,
                c.group or "",
                "true" if (c.selected and has) else "false",
                _num(c.cost),
                _num(c.value),
                *(_num(c.objectives[k]) for k in objectives),
            ]
        )
    return out.getvalue()


def _num(x: float) -> str:
    """A CSV number: 900 rather than 900.0, never -0."""
    if x == 0:
        return "0"
    return str(int(x)) if float(x).is_integer() and abs(x) < 2**53 else repr(x)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def validation_renderables(portfolio: Portfolio, filename: str) -> list[RenderableType]:
    """The summary `defplan validate` prints for a valid file."""
    from rich.table import Table
    from rich.text import Text

    p = portfolio
    unit = f"{p.unit} {p.currency}".strip()
    total = math.fsum(c.total_cost for c in p.candidates)
    head = Text.assemble(
        (f"{filename}: valid", "bold green"),
        "\n",
        f"{p.name or '(unnamed)'}: {_count(len(p.candidates), 'candidate')}, "
        f"{_count(len(p.objectives), 'objective')} ({', '.join(p.objectives)}), "
        f"{_count(len(p.commitments), 'commitment')}, {_count(len(p.rules), 'rule')}, "
        f"{_count(len(p.groups), 'group rule')}\n",
        f"all options together cost {amount(total)} {unit}",
        f"; budget total {amount(p.budget.total)}" if p.budget.total is not None else "",
    )
    parts: list[Any] = [head]
    years: dict[int, float] = {}
    for c in p.candidates:
        for y, v in c.profile.items():
            years[y] = years.get(y, 0.0) + v
    unphased = math.fsum(c.total_cost for c in p.candidates if not c.profile)
    if years or p.budget.per_year:
        table = Table(title="Cost of all options per year against the caps", title_justify="left")
        for name in ("Year", "All options", "Cap", "Options / cap"):
            table.add_column(name, justify="right")
        for y in sorted(set(years) | set(p.budget.per_year)):
            cap = p.budget.per_year.get(y)
            ratio = f"{years.get(y, 0.0) / cap:.2f}x" if cap else "-"
            table.add_row(str(y), amount(years.get(y, 0.0)), amount(cap), ratio)
        if unphased:
            table.add_row("unphased", amount(unphased), "-", "-")
        parts.append(table)
    if p.commitments:
        table = Table(title="Commitments: what all options could reach", title_justify="left")
        for name in ("Commitment", "Framework", "Kind", "Target", "All options"):
            table.add_column(name)
        for key, com in p.commitments.items():
            reach = math.fsum(c.commitments.get(key, 0.0) for c in p.candidates)
            table.add_row(
                com.label or key,
                com.framework or "-",
                "hard" if com.hard else f"soft ({amount(com.penalty)}/unit)",
                amount(com.target),
                amount(reach),
            )
        parts.append(table)
    return parts


# -- sweeps ------------------------------------------------------------------------------


@contextlib.contextmanager
def progress(total: int, label: str) -> Iterator[Callable[[], None]]:
    """An advance() callback: a transient progress bar on stderr when it is a terminal."""
    if total < 2 or not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    bar = Progress(
        f"[progress.description]{label}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=make_console(stderr=True),
        transient=True,
    )
    with bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)


def sweep_json(points: Sequence[SweepPoint]) -> str:
    """{"format": "defplan-sweep/1", "points": [...]}, one SPEC §5 result per budget."""
    from defplan.analysis.sweep import SWEEP_FORMAT
    from defplan.jsontext import json_text

    return json_text({"format": SWEEP_FORMAT, "points": [p.to_dict() for p in points]})


def sweep_csv(points: Sequence[SweepPoint]) -> str:
    """One row per budget: budget,status,value,cost,marginal,entered,left (ids space-separated)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["budget", "status", "value", "cost", "marginal", "entered", "left"])
    for p in points:
        r = p.result
        writer.writerow(
            [
                _num(p.budget),
                r.status.value,
                "" if r.value is None else _num(r.value),
                _num(r.cost_total) if r.status.has_portfolio else "",
                "" if p.marginal is None else _num(p.marginal),
                " ".join(p.entered),
                " ".join(p.left),
            ]
        )
    return out.getvalue()


def sweep_renderables(points: Sequence[SweepPoint], *, width: int = 100) -> list[RenderableType]:
    """The sweep table (value, cost, marginal value, who enters and leaves) and its chart."""
    from rich.table import Table
    from rich.text import Text

    first = points[0].result
    unit = _unit(first)
    title = (
        f"{first.name or first.file}: the best portfolio at each budget (costs in {unit}; "
        f"marginal: extra value per 1,000 {unit} more than the previous budget)"
    )
    table = Table(title=title, title_justify="left")
    for name in ("Budget", "Status", "Value", "Cost", "Marginal"):
        table.add_column(name, justify="left" if name == "Status" else "right", no_wrap=True)
    longest = max((len(i) for p in points for i in (*p.entered, *p.left)), default=0)
    table.add_column("Enters (+) and leaves (-)", min_width=min(longest + 2, 40))
    seen_portfolio = False
    for p in points:
        r = p.result
        changes = Text()
        if r.status.has_portfolio and not seen_portfolio:  # nothing before it to compare with
            changes.append(f"{len(r.selected)} selected (see optimise)", style="dim")
            seen_portfolio = True
        for sign, ids, style in (("+", p.entered, "green"), ("-", p.left, "red")):
            for cid in ids:
                changes.append(("\n" if changes else "") + f"{sign} {cid}", style=style)
        table.add_row(
            amount(p.budget),
            Text(r.status.value, style="" if r.status.has_portfolio else "red"),
            amount(r.value),
            amount(r.cost_total) if r.status.has_portfolio else "-",
            "-" if p.marginal is None else amount(round(1000 * p.marginal, 3)),
            changes,
        )
    return [table, frontier_chart(points, width=width)]


def frontier_chart(points: Sequence[SweepPoint], *, width: int = 80) -> RenderableType:
    """Value against budget as a bar per point: where the money stops buying security."""
    from rich.text import Text

    values = [p.result.value for p in points if p.result.value is not None]
    text = Text("Value against budget (the efficient frontier)\n", style="bold")
    if not values:
        return text.append("no budget has a portfolio", style="")
    top = max(max(values), 0.0)
    low = min(min(values), 0.0)
    labels = [amount(p.budget) for p in points]
    label_width = max(len(s) for s in labels)
    bar_width = max(10, width - label_width - 14)
    for label, p in zip(labels, points, strict=True):
        value = p.result.value
        text.append(f"{label:>{label_width}} ")
        if value is None:
            text.append(p.result.status.value + "\n", style="red")
            continue
        span = top - low
        length = 0 if span == 0 else round((value - low) / span * bar_width)
        text.append("█" * length, style="cyan")
        text.append(f" {amount(value)}\n")
    return text


# -- diffs -------------------------------------------------------------------------------


def diff_json(comparison: Diff) -> str:
    """The SPEC §5 diff object as JSON text."""
    from defplan.jsontext import json_text

    return json_text(comparison.to_dict())


def _side(result: Result, file: str) -> str:
    """A diff side below its file: the portfolio it ran, its budget, the file it came from."""
    budget = "no total" if result.budget_total is None else f"budget {amount(result.budget_total)}"
    saved = f"\n       saved from {result.file}" if result.file and result.file != file else ""
    return f"{result.name or 'portfolio'} ({budget}){saved}"


def diff_renderables(comparison: Diff, *, width: int = 100) -> list[RenderableType]:
    """Both files, what changed in the scenario, then the two answers side by side and
    what enters and leaves."""
    from rich.table import Table
    from rich.text import Text

    left, right = comparison.left, comparison.right
    head = Text()
    for label, side, file in zip(("left", "right"), (left, right), comparison.files, strict=True):
        head.append(f"{label:<7}", style="bold")
        head.append(f"{file}: {side.status.value}\n       {_side(side, file)}\n")
    head.rstrip()
    for label, side in (("left", left), ("right", right)):
        if side.conflicts:
            head.append(f"\n{label} cannot satisfy all of: {'; '.join(side.conflict_lines)}")
    parts: list[RenderableType] = [head, *_scenario_parts(comparison)]

    table = Table(title=f"Side by side (costs in {_unit(right)})", title_justify="left")
    table.add_column("")
    for name in ("Left", "Right", "Change"):
        table.add_column(name, justify="right")

    def row(label: str, a: float | None, b: float | None) -> None:
        change = None if a is None or b is None else b - a
        shown = "-" if change is None else ("+" if change > 0 else "") + amount(change)
        style = "" if not change else "green" if change > 0 else "red"
        table.add_row(label, amount(a), amount(b), Text(shown, style=style))

    has_left, has_right = left.status.has_portfolio, right.status.has_portfolio
    row("Value", left.value, right.value)
    row("Cost", left.cost_total if has_left else None, right.cost_total if has_right else None)
    labels = {**left.objective_labels, **right.objective_labels}
    for key in {**left.objectives, **right.objectives}:
        a = left.objectives.get(key) if has_left else None
        b = right.objectives.get(key) if has_right else None
        row(f"{labels.get(key, key)} (unweighted)", a, b)
    for year in comparison.per_year_deltas:
        a = left.cost_per_year.get(year, 0.0) if has_left else None
        b = right.cost_per_year.get(year, 0.0) if has_right else None
        row(f"Cost {year}", a, b)
    parts.append(table)

    for title, ids in (
        ("Added (left to right)", comparison.added),
        ("Dropped (left to right)", comparison.dropped),
    ):
        if not ids:
            continue
        forced = {cid: _forced_mark(comparison, cid) for cid in ids}
        marks = [forced[cid] for cid in ids if forced[cid]]
        listing = Table(title=title, title_justify="left")
        listing.add_column("Candidate", no_wrap=True)
        listing.add_column(
            "Name",
            no_wrap=True,
            overflow="ellipsis",
            max_width=_room(
                width, [_widest(list(ids)), 8, 6] + ([_widest(marks)] if marks else [])
            ),
        )
        listing.add_column("Cost", justify="right")
        listing.add_column("Value", justify="right")
        if marks:
            listing.add_column("Forced", no_wrap=True, min_width=_widest(marks))
        for cid in ids:
            c = comparison.candidate(cid)
            listing.add_row(
                cid, _name(c), amount(c.cost), amount(c.value), *([forced[cid]] if marks else [])
            )
        parts.append(listing)

    if comparison.commitments_changed:
        flips = Table(title="Commitments that change between met and short", title_justify="left")
        for name in ("Commitment", "Left", "Right"):
            flips.add_column(name)
        for key, (was, now) in comparison.commitments_changed.items():
            flips.add_row(
                right.commitments[key].label,
                _met(left, key) if was or has_left else "-",
                _met(right, key) if now or has_right else "-",
            )
        parts.append(flips)

    if comparison.changed_candidates:
        edits = Table(title="Candidates whose figures changed", title_justify="left")
        for name in ("Candidate", "Cost left", "Cost right", "Value left", "Value right"):
            edits.add_column(name, justify="left" if name == "Candidate" else "right")
        for ch in comparison.changed_candidates:
            edits.add_row(
                ch.id,
                amount(ch.left.cost),
                amount(ch.right.cost),
                amount(ch.left.value),
                amount(ch.right.value),
            )
        parts.append(edits)
    return parts


def _met(result: Result, key: str) -> str:
    c = result.commitments[key]
    if not result.status.has_portfolio:
        return "-"
    return "met" if c.met else f"short by {amount(c.shortfall)}"


_FORCED_WORDS = {"mandatory": "mandatory", "include": "--include", "exclude": "--exclude"}


def _forced_mark(comparison: Diff, cid: str) -> str:
    """How a listed candidate was forced, on either side ("left --include", "mandatory")."""
    marks = [comparison.left.forced.get(cid), comparison.right.forced.get(cid)]
    if marks[0] == marks[1]:
        return "" if marks[0] is None else _FORCED_WORDS[marks[0]]
    return "; ".join(
        f"{side} {_FORCED_WORDS[mark]}"
        for side, mark in zip(("left", "right"), marks, strict=True)
        if mark is not None
    )


def _scenario_parts(comparison: Diff) -> list[RenderableType]:
    """What changed in caps, weights, targets, rules and run options (only what differs),
    and a note when a side does not record them."""
    from rich.table import Table
    from rich.text import Text

    left, right = comparison.left, comparison.right
    rows: list[tuple[str, str, str]] = []
    for change in comparison.scenario_changes:
        if change.key == "rules":  # listed rule by rule: what only one side has
            rows += [("Rule", text, "-") for text in _missing_from(change.left, change.right)]
            rows += [("Rule", "-", text) for text in _missing_from(change.right, change.left)]
        else:
            kind, _, name = change.key.partition(".")
            show = _SCENARIO_VALUE.get(kind, _setting)
            label = _scenario_label(kind, name, {**left.objective_labels, **right.objective_labels})
            rows.append((label, show(change.left), show(change.right)))
    parts: list[RenderableType] = []
    if rows:
        table = Table(title="What changed in the scenario", title_justify="left")
        for name in ("Setting", "Left", "Right"):
            table.add_column(name)
        for row in rows:
            table.add_row(*row)
        parts.append(table)
    unrecorded = [side for side, r in (("left", left), ("right", right)) if not r.records_scenario]
    if unrecorded:
        parts.append(
            Text(
                f"The {' and '.join(unrecorded)} result was saved without its rules and run "
                "options: of the scenario, only budgets and weights are compared.",
                style="dim",
            )
        )
    return parts


def _missing_from(texts: list[str], others: list[str]) -> list[str]:
    """The entries of texts that others lacks, counting repeats."""
    from collections import Counter

    rest = Counter(others)
    missing = []
    for text in texts:
        if rest[text]:
            rest[text] -= 1
        else:
            missing.append(text)
    return missing


def _scenario_label(kind: str, name: str, objective_labels: dict[str, str]) -> str:
    labels = {
        "budget": "Budget total" if name == "total" else f"Cap {name.removeprefix('per_year.')}",
        "weights": f"Weight of {objective_labels.get(name, name)}",
        "commitment": f"Commitment {name}",
        "group": f"Group {name}",
        "forced": f"Forced: {name}",
        "run": {"solver": "Solver", "time_limit": "Time limit (s)"}.get(name, name),
    }
    return labels.get(kind, f"{kind} {name}")


def _setting(value: Any) -> str:
    """A setting's value on one side of the scenario table; '-' where it has none."""
    if value is None:
        return "-"
    if isinstance(value, float | int):
        return amount(value)
    return str(value)


_SCENARIO_VALUE: dict[str, Callable[[Any], str]] = {
    "budget": lambda v: "none" if v is None else amount(v),
    "weights": lambda v: "-" if v is None else f"{v:.3g}",
    "forced": lambda v: "no" if v is None else _FORCED_WORDS[v],
}
