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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.text import Text

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
    given as Text objects instead. COLUMNS=0 means an unknown width (80; Rich would
    print nothing), and no console is narrower than layout.MIN_WIDTH.
    """
    from rich.console import Console

    from defplan.layout import MIN_WIDTH, console_width

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            raise BrokenPipeError  # Rich would exit 1; the CLI ends a closed pipe quietly

    stream = file or (sys.stderr if stderr else sys.stdout)
    plain = "NO_COLOR" in os.environ or not (hasattr(stream, "isatty") and stream.isatty())
    console = _Console(
        file=stream,
        width=width if width is not None else console_width(),
        color_system=None if plain else "auto",
        no_color=plain,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
    )
    if console.width < MIN_WIDTH:
        console.width = MIN_WIDTH
    return console


def amount(x: float | None) -> str:
    """A money or value figure for tables: thousands separators, at most 2 decimals."""
    if x is None:
        return "-"
    if x == 0:
        return "0"
    if float(x).is_integer():
        return f"{x:,.0f}"
    # rounded as the number is written (1.005 is 1.01), not as its binary float is
    from decimal import ROUND_HALF_UP, Decimal

    shown = Decimal(repr(float(x))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return "0" if shown == 0 else f"{shown:,.2f}".rstrip("0").rstrip(".")


VALUE_LEGEND = "value: weighted points on the objectives' scale, after penalties"
"""What 'value' means, said wherever a value is printed."""


def result_renderables(
    result: Result, *, width: int = 100, show_conflicts: bool = True
) -> list[RenderableType]:
    """The full report of one result: headline, selection, years, security, commitments.

    Every table fits `width` (see defplan.layout). `show_conflicts=False` leaves an
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
    if result.cost_per_year or result.budget_per_year:
        parts.append(_years_table(result, width))
    parts.append(_objectives_table(result, width))
    if result.commitments:
        parts.append(_commitments_table(result, width))
    if result.groups:
        parts.append(_groups_table(result, width))
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
    penalties = _penalties(result)
    if abs(penalties) > 1e-9:
        text.append(f" (after {amount(penalties)} in soft-commitment penalties)")
    text.append(f"\ncost     {amount(result.cost_total)} {_unit(result)}")
    if result.budget_total is not None:
        use = 100 * result.cost_total / result.budget_total if result.budget_total else 0.0
        text.append(f" of {amount(result.budget_total)} ({use:.1f}% of the budget)")
    text.append(f"\nselected {len(result.selected)} of {len(result.candidates)} candidates")
    text.append(f"\n{VALUE_LEGEND}", style="dim")
    return text


def _penalties(result: Result) -> float:
    """Value lost to soft-commitment shortfalls: the selection's values less the result's."""
    return math.fsum(c.value for c in result.selected) - (result.value or 0.0)


def _selected_table(result: Result, width: int) -> RenderableType:
    from rich.text import Text

    from defplan.layout import Col, Kind, fitted

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
        rows.extend([f"  {c.id}", _name(c), amount(c.cost), amount(c.value)] for c in members)
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
        f"Selected, by group (costs in {_unit(result)})",
        columns,
        rows,
        width=width,
        caption=None if all(adds_up(figures) for figures in sums) else ROUNDING_NOTE,
    )


ROUNDING_NOTE = (
    "Figures are rounded to 2 decimals; totals and differences are worked out from the "
    "exact amounts, so they can differ from the rounded figures shown."
)


def adds_up(figures: Sequence[float]) -> bool:
    """True when the rounded figures, as shown, add up to their rounded sum as shown."""
    shown = math.fsum(_as_shown(x) for x in figures)
    total = _as_shown(math.fsum(figures))
    return abs(shown - total) <= 1e-9 * max(1.0, abs(total))


def _as_shown(x: float) -> float:
    """The number a reader sees in amount(x)."""
    return float(amount(x).replace(",", ""))


def _name(c: CandidateOutcome) -> str:
    return "" if c.name == c.id else c.name


FORCED_WORDS = {"mandatory": "mandatory", "include": "--include", "exclude": "--exclude"}
"""How a table marks a candidate whose choice was fixed before solving."""


def forced_mark(c: CandidateOutcome | None) -> str:
    """'mandatory', '--include' or '--exclude' for a forced candidate; '' otherwise."""
    return "" if c is None or c.forced is None else FORCED_WORDS[c.forced]


def marked(cid: str, forced: Mapping[str, str] | None) -> str:
    """A candidate's id in a list of ids, with how it was forced: 'hangar (mandatory)'."""
    how = (forced or {}).get(cid)
    return cid if how is None else f"{cid} ({FORCED_WORDS[how]})"


def _years_table(result: Result, width: int) -> RenderableType:
    from defplan.layout import Col, Kind, fitted

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
    from defplan.layout import Col, Kind, fitted

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

    from defplan.layout import Col, Kind, fitted

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
    from defplan.layout import Col, Kind, fitted

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
        Col(f"Spend ({_unit(result)})", Kind.FIGURE, label="spend"),
        Col("Share of cost", Kind.FIGURE, label="share"),
        Col("Rule", overflow="fold", figures_inside=True, label=""),
    ]
    return fitted("Spending by group rule", columns, rows, width=width)


def _below_table(result: Result, below: list[CandidateOutcome], width: int) -> RenderableType:
    from defplan.layout import Col, Kind, fitted

    def ratio(c: CandidateOutcome) -> float:
        if c.cost == 0:
            return math.inf if c.value > 0 else -math.inf if c.value < 0 else 0.0
        return c.value / c.cost

    with_names = any(_name(c) for c in below)
    any_forced = any(c.forced for c in below)
    rows = []
    for c in sorted(below, key=lambda c: -ratio(c)):
        r = ratio(c)
        shown = "free" if r == math.inf else "-" if r == -math.inf else per_1000(r)
        names = [_name(c)] if with_names else []
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
        f"Below the line, best value per unit of cost first (costs in {_unit(result)}; "
        f"value per 1,000 {_unit(result)} of cost)"
    )
    return fitted(title, columns, rows, width=width)


def per_1000(ratio: float) -> str:
    """Value per unit of cost shown per 1,000 units: the one unit of marginal values.
    Below 1 with 3 significant digits, so that a small ratio does not show as 0."""
    shown = 1000 * ratio
    return f"{shown:.3g}" if 0 < abs(shown) < 1 else amount(round(shown, 3))


def result_csv(result: Result, portfolio: Portfolio | None = None) -> str:
    """One row per candidate: id,name,group,selected,cost,value, one column per objective,
    then cost_YEAR per year (and cost_unphased for plain costs) so that the cost is their
    sum, then commitment_ID with each contribution (taken from `portfolio`, when given),
    then, when the file or the run fixes a choice, forced: mandatory, include or exclude."""
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
    ]
    return csv_text(header, rows)


def num(x: float) -> str:
    """A CSV number: 900 rather than 900.0, never -0."""
    if x == 0:
        return "0"
    return str(int(x)) if float(x).is_integer() and abs(x) < 2**53 else repr(x)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def validation_renderables(
    portfolio: Portfolio, filename: str, *, width: int = 100
) -> list[RenderableType]:
    """The summary `defplan validate` prints for a valid file."""
    from rich.text import Text

    from defplan.layout import Col, Kind, fitted

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


# -- sweeps ------------------------------------------------------------------------------


@contextlib.contextmanager
def progress(total: int, label: str) -> Iterator[Callable[[], None]]:
    """An advance() callback: a transient progress bar on stderr when it is a terminal."""
    if total < 2 or not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    bar = Progress(
        # a plain string column would go through the console, whose markup is off
        TextColumn("{task.description}", style="progress.description", markup=False),
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
    """One row per budget: budget,status,value,cost,marginal_per_1000,selected,entered,left
    (ids space-separated; marginal in value per 1,000 units of budget, as in the table)."""
    from defplan.result import clean

    rows = [
        [
            num(p.budget),
            p.result.status.value,
            "" if p.result.value is None else num(p.result.value),
            num(p.result.cost_total) if p.result.status.has_portfolio else "",
            "" if p.marginal is None else num(clean(1000 * p.marginal)),
            " ".join(p.result.selected_ids),
            " ".join(p.entered),
            " ".join(p.left),
        ]
        for p in points
    ]
    header = ["budget", "status", "value", "cost", "marginal_per_1000", "selected"]
    return csv_text([*header, "entered", "left"], rows)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """CSV text: a header row, then the rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


LISTED_CHANGES = 20
"""Ids a cell lists before it says how many more there are."""


def changes_cell(
    added: Sequence[str], dropped: Sequence[str], forced: Mapping[str, str] | None = None
) -> Text:
    """'+ id' (green) and '- id' (red) lines, at most LISTED_CHANGES of each; an id in
    `forced` (id -> 'mandatory', 'include' or 'exclude') is marked with how."""
    from rich.text import Text

    changes = Text()
    for sign, ids, style in (("+", added, "green"), ("-", dropped, "red")):
        shown = [f"{sign} {marked(cid, forced)}" for cid in ids[:LISTED_CHANGES]]
        if len(ids) > LISTED_CHANGES:
            shown.append(f"{sign} {len(ids) - LISTED_CHANGES} more")
        for line in shown:
            changes.append(("\n" if changes else "") + line, style=style)
    return changes


def sweep_renderables(points: Sequence[SweepPoint], *, width: int = 100) -> list[RenderableType]:
    """The sweep table (value, cost, marginal value, who enters and leaves) and its chart."""
    from rich.text import Text

    from defplan.layout import Col, Kind, fitted

    first = points[0].result
    unit = _unit(first)
    rows: list[list[str | Text]] = []
    seen_portfolio = False
    for p in points:
        r = p.result
        if r.status.has_portfolio and not seen_portfolio:  # it enters from nothing
            changes = changes_cell(r.selected_ids, (), r.forced)
            seen_portfolio = True
        else:
            changes = changes_cell(p.entered, p.left, r.forced)
        rows.append(
            [
                amount(p.budget),
                Text(r.status.value, style="" if r.status.has_portfolio else "red"),
                amount(r.value),
                amount(r.cost_total) if r.status.has_portfolio else "-",
                "-" if p.marginal is None else per_1000(p.marginal),
                changes,
            ]
        )
    columns = [
        Col("Budget", Kind.FIGURE),
        Col("Status", Kind.FIGURE, justify="left", label=""),
        Col("Value", Kind.FIGURE),
        Col("Cost", Kind.FIGURE),
        Col("Marginal per 1,000", Kind.FIGURE),
        Col("Enters (+) and leaves (-)", overflow="fold", label=""),
    ]
    caption = (
        f"{VALUE_LEGEND}. Marginal: the extra value per 1,000 {unit} of "
        "budget since the previous budget with a portfolio. The first portfolio lists "
        "its whole selection."
    )
    title = f"{first.name or first.file}: the best portfolio at each budget (costs in {unit})"
    chart = bar_chart(
        "Value against budget (the efficient frontier; bars from 0)",
        [amount(p.budget) for p in points],
        [p.result.value for p in points],
        [p.result.status.value for p in points],
        width=width,
    )
    return [fitted(title, columns, rows, width=width, caption=caption), chart]


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    missing: Sequence[str],
    *,
    width: int,
) -> RenderableType:
    """A bar per value, its length in proportion to the value measured from 0 (a negative
    value's bar is shaded), then the value; `missing[k]` stands in for a None value."""
    from rich.text import Text

    text = Text(title + "\n", style="bold")
    known = [abs(v) for v in values if v is not None]
    if not known:
        return text.append("no point has a value", style="")
    scale = max(known)
    label_width = max(len(s) for s in labels)
    figures = [amount(v) for v in values if v is not None]
    room = width - label_width - max(len(f) for f in figures) - 2
    beside = room >= 4  # else each bar goes on a line of its own, under its label
    bar_width = room if beside else width - 1
    for label, value, instead in zip(labels, values, missing, strict=True):
        text.append(f"{label:>{label_width}} ")
        if value is None:
            text.append(instead + "\n", style="red")
            continue
        length = 0 if scale == 0 else round(abs(value) / scale * bar_width)
        bar = ("█" if value >= 0 else "░") * length
        if beside:
            text.append(bar, style="cyan" if value >= 0 else "red")
            text.append(f" {amount(value)}\n")
        else:
            text.append(f"{amount(value)}\n")
            text.append(bar + "\n", style="cyan" if value >= 0 else "red")
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
    from rich.text import Text

    from defplan.layout import Col, Kind, fitted

    left, right = comparison.left, comparison.right
    head = Text()
    for label, side, file in zip(("left", "right"), (left, right), comparison.files, strict=True):
        head.append(f"{label:<7}", style="bold")
        head.append(f"{file}: {side.status.value}\n       {_side(side, file)}\n")
    head.rstrip()
    for label, side in (("left", left), ("right", right)):
        if side.conflicts:
            head.append(f"\n{label} cannot satisfy all of: {'; '.join(side.conflict_lines)}")
    parts: list[RenderableType] = [head, *_scenario_parts(comparison, width)]
    rows: list[list[str | Text]] = []
    exact = True  # every change shown is the difference of the figures shown

    def row(label: str, a: float | None, b: float | None) -> None:
        nonlocal exact
        change = None if a is None or b is None else b - a
        shown = "-" if change is None else ("+" if change > 0 else "") + amount(change)
        style = "" if not change else "green" if change > 0 else "red"
        rows.append([label, amount(a), amount(b), Text(shown, style=style)])
        exact = exact and (a is None or b is None or adds_up([b, -a]))

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
    columns = [
        Col("", overflow="fold"),
        Col("Left", Kind.FIGURE),
        Col("Right", Kind.FIGURE),
        Col("Change", Kind.FIGURE),
    ]
    parts.append(
        fitted(
            f"Side by side (costs in {_unit(right)})",
            columns,
            rows,
            width=width,
            caption=VALUE_LEGEND + ("" if exact else "\n" + ROUNDING_NOTE),
        )
    )

    for title, ids, side in (  # each candidate's figures from the side that selects it
        ("Added (left to right)", comparison.added, "right"),
        ("Dropped (left to right)", comparison.dropped, "left"),
    ):
        if not ids:
            continue
        listed = [comparison.candidate(cid, side=side) for cid in ids]
        forced = [_forced_mark(comparison, c.id) for c in listed]
        columns = [
            Col("Candidate", Kind.KEY),
            Col("Name", drop=1, label=""),
            Col("Cost", Kind.FIGURE),
            Col("Value", Kind.FIGURE),
        ]
        rows = [[c.id, _name(c), amount(c.cost), amount(c.value)] for c in listed]
        if any(forced):
            columns.append(Col("Forced", overflow="fold"))
            rows = [[*row, mark] for row, mark in zip(rows, forced, strict=True)]
        parts.append(fitted(title, columns, rows, width=width))

    if comparison.commitments_changed:
        rows = [
            [
                right.commitments[key].label,
                _met(left, key) if was or has_left else "-",
                _met(right, key) if now or has_right else "-",
            ]
            for key, (was, now) in comparison.commitments_changed.items()
        ]
        columns = [
            Col("Commitment", overflow="fold"),
            Col("Left", overflow="fold", figures_inside=True),
            Col("Right", overflow="fold", figures_inside=True),
        ]
        parts.append(
            fitted("Commitments that change between met and short", columns, rows, width=width)
        )

    if comparison.changed_candidates:
        rows = [
            [
                ch.id,
                amount(ch.left.cost),
                amount(ch.right.cost),
                amount(ch.left.value),
                amount(ch.right.value),
            ]
            for ch in comparison.changed_candidates
        ]
        columns = [
            Col("Candidate", Kind.KEY),
            *(
                Col(name, Kind.FIGURE)
                for name in ("Cost left", "Cost right", "Value left", "Value right")
            ),
        ]
        parts.append(fitted("Candidates whose figures changed", columns, rows, width=width))
    return parts


def _met(result: Result, key: str) -> str:
    c = result.commitments[key]
    if not result.status.has_portfolio:
        return "-"
    return "met" if c.met else f"short by {amount(c.shortfall)}"


def _forced_mark(comparison: Diff, cid: str) -> str:
    """How a listed candidate was forced, on either side ("left --include", "mandatory")."""
    marks = [comparison.left.forced.get(cid), comparison.right.forced.get(cid)]
    if marks[0] == marks[1]:
        return "" if marks[0] is None else FORCED_WORDS[marks[0]]
    return "; ".join(
        f"{side} {FORCED_WORDS[mark]}"
        for side, mark in zip(("left", "right"), marks, strict=True)
        if mark is not None
    )


def _scenario_parts(comparison: Diff, width: int) -> list[RenderableType]:
    """What changed in caps, weights, targets, rules and run options (only what differs),
    and a note when a side does not record them."""
    from rich.text import Text

    from defplan.layout import Col, fitted

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
        columns = [
            Col("Setting", overflow="fold"),
            Col("Left", overflow="fold", figures_inside=True),
            Col("Right", overflow="fold", figures_inside=True),
        ]
        parts.append(fitted("What changed in the scenario", columns, rows, width=width))
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
    "forced": lambda v: "no" if v is None else FORCED_WORDS[v],
}
