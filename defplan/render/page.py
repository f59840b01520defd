"""`defplan report --output PAGE.html`: one self-contained HTML page of a briefing.

Everything is inline (CSS, SVG charts from render/svg.py): the page fetches nothing and
runs no script, so it opens from a USB stick or an e-mail. Every chart has a table
beside it with the same figures. Rounded figures add up as printed: the parts of a total
are rounded by largest remainder (each part to its floor at 2 decimals, the hundredths
still missing to the parts with the largest remainders), so a table's rows always sum
to its rounded total.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from html import escape
from typing import TYPE_CHECKING

from defplan.render import svg
from defplan.render.figures import VALUE_LEGEND, amount, per_1000
from defplan.result import CONFLICT_HEADING

if TYPE_CHECKING:
    from defplan.analysis.briefing import Briefing, Entry, Stack

CENT = Decimal("0.01")

STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#222;
max-width:1160px;margin:24px auto;padding:0 16px;line-height:1.4}
h1{font-size:1.6em;margin:0 0 4px}h2{font-size:1.25em;margin:32px 0 8px;
border-bottom:2px solid #0072B2;padding-bottom:2px}h3{font-size:1.05em;margin:20px 0 6px}
.headline{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.figure{border:1px solid #ccc;border-radius:6px;padding:8px 14px;min-width:150px}
.figure b{display:block;font-size:1.5em}.figure span{color:#555;font-size:.85em}
table{border-collapse:collapse;margin:8px 0 4px;font-size:.9em}
th,td{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f2f2f2}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tr.group td{font-weight:bold;background:#fafafa}tr.total td{font-weight:bold;
border-top:2px solid #555}.short{color:#B34700;font-weight:bold}.met{color:#00704A}
.note{color:#555;font-size:.85em;margin:2px 0 12px}.bad{color:#B34700}
figure{margin:12px 0}.pair{display:flex;flex-wrap:wrap;gap:8px 24px;align-items:flex-start}
figcaption{color:#555;font-size:.85em}
@media print{body{max-width:none;margin:0}h2{break-after:avoid}svg,table{break-inside:avoid}}
"""


def page_html(b: Briefing, *, version: str) -> str:
    """The whole page."""
    sections = [_headline(b)]
    if not b.has_portfolio:
        sections.append(_conflicts(b))
    else:
        sections += [_selection(b), _spending(b), _schedule(b), _commitments(b)]
    sections.append(_value_for_money(b))
    if b.has_portfolio:
        sections.append(_below(b))
    if b.sweep is not None:
        sections.append(_sweep(b))
    if b.robust is not None:
        sections.append(_robust(b))
    sections.append(_footer(b, version))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(b.title)}: defplan report</title><style>{STYLE}</style></head>"
        f"<body>{''.join(s for s in sections if s)}</body></html>\n"
    )


def adding_up(
    values: Sequence[float], total: Decimal | None = None
) -> tuple[list[Decimal], Decimal]:
    """values rounded to 2 decimals so that they sum to `total` (default: their exact sum
    rounded half up): each floored, then a hundredth added to those with the largest
    remainders (largest-remainder rounding). Returns the parts and the total."""
    exact = [Decimal(repr(float(v))) for v in values]
    if total is None:
        total = sum(exact, Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP)
    parts = [e.quantize(CENT, rounding=ROUND_FLOOR) for e in exact]
    missing = int((total - sum(parts, Decimal(0))) / CENT)
    by_remainder = sorted(range(len(exact)), key=lambda i: (parts[i] - exact[i], i))
    for i in by_remainder[: max(0, missing)]:
        parts[i] += CENT
    return parts, total


def shown(x: Decimal) -> str:
    """A rounded figure as the tables write it."""
    return amount(float(x))


def _table(
    head: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: Sequence[bool],
    classes: Sequence[str] = (),
    caption: str = "",
) -> str:
    """A table; `numeric[k]` right-aligns column k; rows are already-escaped HTML."""
    th = "".join(
        f"<th{' class=n' if n else ''}>{escape(h)}</th>" for h, n in zip(head, numeric, strict=True)
    )
    body = []
    for k, row in enumerate(rows):
        cls = f' class="{classes[k]}"' if k < len(classes) and classes[k] else ""
        tds = "".join(
            f"<td{' class=n' if n else ''}>{cell}</td>"
            for cell, n in zip(row, numeric, strict=True)
        )
        body.append(f"<tr{cls}>{tds}</tr>")
    note = f'<p class="note">{escape(caption)}</p>' if caption else ""
    return f"<table><thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>{note}"


def _headline(b: Briefing) -> str:
    r = b.result
    figures = [(r.status.value, "status")]
    if r.solver.gap:
        figures[0] = (f"{r.status.value} (gap {100 * r.solver.gap:.3g}%)", "status")
    if b.has_portfolio:
        figures.append((amount(r.value), "value (points)"))
        figures.append((amount(r.cost_total), f"cost ({b.unit})"))
        if b.budget_used is not None:
            figures.append(
                (f"{100 * b.budget_used:.1f}%", f"of the budget of {amount(r.budget_total)}")
            )
        figures.append((f"{len(b.selected)} of {len(b.entries)}", "candidates selected"))
    boxes = "".join(
        f'<div class="figure" id="headline-{k}"><b>{escape(big)}</b>'
        f"<span>{escape(small)}</span></div>"
        for k, (big, small) in enumerate(figures)
    )
    notes = "".join(f'<p class="note">Note: {escape(n)}</p>' for n in r.notes)
    level = r.run.cost_level if r.run is not None else None
    if level is not None:
        notes += f'<p class="note">Each candidate at the P{100 * level:g} of its cost risk.</p>'
    return (
        f"<h1>{escape(b.title)}</h1><p class=note>{escape(r.file)}</p>"
        f'<div class="headline">{boxes}</div><p class="note">{escape(VALUE_LEGEND)}.</p>{notes}'
    )


def _conflicts(b: Briefing) -> str:
    from defplan.result import Status

    if b.result.status is not Status.INFEASIBLE:
        return (
            '<h2 id="no-portfolio">No portfolio: the time limit ran out before one was '
            "found</h2><p>Try a longer --time-limit.</p>"
        )
    items = "".join(f"<li>{escape(c)}</li>" for c in b.result.conflict_lines)
    return (
        '<h2 id="infeasible">No portfolio: the run is infeasible</h2>'
        f"<p>{escape(CONFLICT_HEADING)}</p><ul>{items}</ul>"
    )


def _selection(b: Briefing) -> str:
    groups: dict[str, list[Entry]] = {}
    for e in sorted(b.selected, key=lambda e: (e.outcome.group is None, e.group)):
        groups.setdefault(e.group, []).append(e)
    rows, classes = [], []
    costs = _hierarchy([[e.outcome.cost for e in m] for m in groups.values()])
    values = _hierarchy([[e.outcome.value for e in m] for m in groups.values()])
    for k, (group, members) in enumerate(groups.items()):
        rows.append([escape(group), "", "", shown(costs[1][k]), shown(values[1][k])])
        classes.append("group")
        for j, e in enumerate(members):
            rows.append(
                [
                    escape(e.id),
                    escape(_name(e)),
                    escape(_forced(e)),
                    shown(costs[2][k][j]),
                    shown(values[2][k][j]),
                ]
            )
            classes.append("")
    rows.append(["Total", "", "", shown(costs[0]), shown(values[0])])
    classes.append("total")
    penalties = sum(e.outcome.value for e in b.selected) - (b.result.value or 0.0)
    caption = "Values before soft-commitment penalties." if abs(penalties) > 1e-9 else ""
    table = _table(
        ["Candidate", "Name", "Forced", f"Cost ({b.unit})", "Value"],
        rows,
        [False, False, False, True, True],
        classes,
        caption,
    )
    return f'<h2 id="selection">The selection, by group</h2>{table}'


def _hierarchy(
    members: list[list[float]],
) -> tuple[Decimal, list[Decimal], list[list[Decimal]]]:
    """A total, its groups' subtotals and their members, rounded so that each level adds
    up to the one above it as printed."""
    subtotals, total = adding_up([math.fsum(m) for m in members])
    parts = [adding_up(m, sub)[0] for m, sub in zip(members, subtotals, strict=True)]
    return total, subtotals, parts


def _name(e: Entry) -> str:
    return "" if e.outcome.name == e.id else e.outcome.name


def _forced(e: Entry) -> str:
    from defplan.render.figures import forced_mark

    return forced_mark(e.outcome)


def _below(b: Briefing) -> str:
    left = b.left_out
    if not left:
        return '<h2 id="below">Below the line</h2><p>Every candidate is selected.</p>'
    rows = [
        [
            escape(e.id),
            escape(_name(e)),
            escape(e.group),
            amount(e.outcome.cost),
            amount(e.outcome.value),
            escape(e.reason or ""),
        ]
        for e in left
    ]
    table = _table(
        ["Candidate", "Name", "Group", f"Cost ({b.unit})", "Value", "Why not"],
        rows,
        [False, False, False, True, True, False],
    )
    return (
        f'<h2 id="below">Below the line: {len(left)} left out, and why</h2>'
        '<p class="note">Each reason is the first of these checks that holds: kept out by '
        "the run; excludes or is excluded by a selected candidate; needs one not selected; "
        "a rule already full; costs more than the room left in the budget or a capped "
        "year; adds no value; less value per unit of cost than the selection as a whole. "
        "When none holds, the candidate did not fit beside the selection for a reason "
        "that needs a solve to name (defplan explain ID).</p>" + table
    )


def _spending(b: Briefing) -> str:
    if not b.spending:
        return ""
    out = ['<h2 id="spending">Spending per year against the caps</h2>']
    for stack in b.spending:
        chart = svg.stacked_bars(
            stack.title,
            stack.unit,
            stack.years,
            stack.parts,
            stack.caps,
            stack.cap_label,
        )
        out.append(
            f'<div class="pair"><figure id="spend-{escape(stack.key)}">{chart}</figure>'
            f"{_stack_table(stack)}</div>"
        )
    return "".join(out)


def _stack_table(stack: Stack) -> str:
    """A row per year: each part, their total, the cap and the headroom; the last row the
    horizon's totals. Each part's column adds up to its printed total."""
    years = list(stack.years)
    columns = [adding_up([part.get(y, 0.0) for y in years]) for _, part in stack.parts]
    totals = adding_up([stack.total(y) for y in years])
    capped = bool(stack.caps)
    rows, classes = [], []
    for k, year in enumerate(years):
        row = [str(year), *(shown(c[0][k]) for c in columns)]
        if len(stack.parts) > 1:
            row.append(shown(totals[0][k]))
        cls = ""
        if capped:
            cap = stack.caps.get(year)
            room = None if cap is None else cap - stack.total(year)
            row += [amount(cap), amount(room)]
            cls = "bad" if room is not None and room < -1e-9 * max(1.0, abs(cap or 0.0)) else ""
        rows.append(row)
        classes.append(cls)
    last = ["Total", *(shown(c[1]) for c in columns)]
    if len(stack.parts) > 1:
        last.append(shown(totals[1]))
    if capped:
        last += ["", ""]
    rows.append(last)
    classes.append("total")
    across = all(
        sum((c[0][k] for c in columns), Decimal(0)) == totals[0][k] for k in range(len(years))
    )
    caption = (
        ""
        if across or len(stack.parts) == 1
        else (
            "Each column adds up to its total; across a year the parts can differ from the "
            "year's total by a hundredth through rounding."
        )
    )
    head = ["Year", *(label for label, _ in stack.parts)]
    if len(stack.parts) > 1:
        head.append("Total")
    if capped:
        head += [stack.cap_label.capitalize(), "Headroom"]
    return _table(head, rows, [False, *[True] * (len(head) - 1)], classes, caption)


def _schedule(b: Briefing) -> str:
    years = b.years
    tasks = b.scheduled
    if years is None or not tasks:
        return ""
    chart = svg.gantt(
        "The schedule: each selected candidate from start to delivery",
        [
            svg.Task(
                e.id,
                e.outcome.start or 0,
                e.outcome.delivered or 0,
                e.outcome.runs,
                e.outcome.window[0] if e.outcome.window else None,
            )
            for e in tasks
        ],
        years,
    )
    rows = [
        [
            escape(e.id),
            str(e.outcome.start),
            str(e.outcome.delivered),
            "-"
            if not e.outcome.window or e.outcome.start == e.outcome.window[0]
            else f"+{(e.outcome.start or 0) - e.outcome.window[0]}",
            "yes" if e.outcome.runs else "",
        ]
        for e in tasks
    ]
    table = _table(
        ["Candidate", "Start", "Delivered", "Slip (years)", "Runs after"],
        rows,
        [False, True, True, True, False],
    )
    return f'<h2 id="schedule">The schedule</h2><figure id="gantt">{chart}</figure>{table}'


def _commitments(b: Briefing) -> str:
    if not b.commitments:
        return ""
    rows = []
    for c in b.commitments:
        if c.met:
            status = '<span class="met">met</span>'
        else:
            kind = "hard" if c.hard else "soft, penalised"
            status = f'<span class="short">short by {amount(c.shortfall)}</span> ({kind})'
        rows.append(
            [
                escape(c.label),
                escape(c.framework or "-"),
                "-" if c.by is None else str(c.by),
                amount(c.target),
                amount(c.achieved),
                status,
            ]
        )
    table = _table(
        ["Commitment", "Framework", "Deadline", "Target", "Achieved", "Status"],
        rows,
        [False, False, True, True, True, False],
        caption="Achieved: what the selected candidates delivered by the deadline contribute.",
    )
    return f'<h2 id="commitments">Commitments</h2>{table}'


def _value_for_money(b: Briefing) -> str:
    dots = [
        svg.Dot(e.id, e.outcome.cost, e.outcome.value, e.reason is None, e.on_frontier)
        for e in b.entries
    ]
    chart = svg.value_for_money("Value for money: every candidate", b.unit, dots)
    frontier = sorted((e for e in b.entries if e.on_frontier), key=lambda e: e.outcome.cost)
    rows = [
        [
            escape(e.id),
            amount(e.outcome.cost),
            amount(e.outcome.value),
            _ratio(e),
            "yes" if e.reason is None else "no",
        ]
        for e in frontier
    ]
    table = _table(
        ["On the frontier", f"Cost ({b.unit})", "Value", f"Value per 1,000 {b.unit}", "Selected"],
        rows,
        [False, True, True, True, False],
    )
    return (
        '<h2 id="value-for-money">Value for money</h2>'
        f'<figure id="frontier">{chart}<figcaption>Each candidate\'s cost in this run (x) '
        "against its value (y); selected candidates are filled squares. The dashed step "
        "line is the efficient frontier: the candidates no other candidate dominates (none "
        "costs no more and is worth no less, one of the two strictly). A candidate off the "
        "frontier may still be selected: the selection is the best set, not the best "
        "single candidates.</figcaption></figure>" + table
    )


def _ratio(e: Entry) -> str:
    if e.outcome.cost == 0:
        return "free" if e.outcome.value > 0 else "-"
    return per_1000(e.outcome.value / e.outcome.cost)


def _sweep(b: Briefing) -> str:
    points = b.sweep or ()
    if not points:
        return ""
    chart = svg.step_line(
        "The budget frontier: the best value at each budget",
        f"Budget ({b.unit})",
        [(p.at, p.result.value) for p in points],
        "Value (points)",
    )
    rows = [
        [
            amount(p.at),
            amount(p.result.value) if p.result.status.has_portfolio else p.result.status.value,
            amount(p.result.cost_total) if p.result.status.has_portfolio else "-",
            escape(", ".join(p.entered)),
            escape(", ".join(p.left)),
        ]
        for p in points
    ]
    table = _table(
        [f"Budget ({b.unit})", "Value", f"Cost ({b.unit})", "Entered", "Left"],
        rows,
        [True, True, True, False, False],
    )
    return (
        f'<h2 id="sweep">The budget frontier</h2><figure id="sweep-chart">{chart}</figure>{table}'
    )


def _robust(b: Briefing) -> str:
    r = b.robust
    if r is None:
        return ""
    if not r.samples:
        return '<h2 id="robust">Robustness</h2><p>Nothing was sampled: no base portfolio.</p>'
    chosen = set(b.result.selected_ids)
    kind = b.robust_classes
    rows = [
        [
            escape(cid),
            f"{100 * share:.0f}%",
            str(count),
            kind[cid],
            "yes" if cid in chosen else "no",
        ]
        for (cid, share), count in zip(r.shares.items(), r.counts, strict=True)
    ]
    table = _table(
        ["Candidate", "Share of samples", "Samples in", "Class", "Selected"],
        rows,
        [False, True, True, False, False],
    )
    head = (
        f"{r.samples} samples (seed {r.seed}): each weight times a factor in "
        f"[{1 - r.spread:g}, {1 + r.spread:g}], value ranges drawn uniformly"
        f"{', costs drawn from their cost_risk' if r.costs_drawn else ''}. Core: in every "
        "feasible sample's best portfolio; exterior: in none; borderline: in some."
    )
    if r.infeasible:
        head += f" {r.infeasible} samples had no feasible portfolio and count in no share."
    return f'<h2 id="robust">Robustness</h2><p class="note">{escape(head)}</p>{table}'


def _footer(b: Briefing, version: str) -> str:
    r = b.result
    solver = f"{r.solver.name} {r.solver.version}".strip()
    return (
        f'<p class="note">Made by defplan {escape(version)} from {escape(r.file)} '
        f"(sha256 {escape(r.sha256[:12])}), solved by {escape(solver)} in "
        f"{r.solver.seconds:.1f} s.</p>"
    )
