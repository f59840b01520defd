"""`defplan report --output BOOK.xlsx`: a briefing as an Excel workbook (openpyxl, the
optional extra `excel`).

A sheet per table, each a header row (frozen, bold) over one row per item: Summary,
Selection, Candidates (every candidate with its per-year money and its contributions),
Spending (per line and year against the caps), Commitments, and Frontier and Robustness
when asked for. Cells hold numbers, not text, at full precision (the number format
only shows 2 decimals), so sums made in Excel are exact; columns are as wide as their
contents.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from defplan.analysis.briefing import Briefing

MONEY = "#,##0.00"
SHARE = "0.0%"
MAX_WIDTH = 60


def workbook_bytes(b: Briefing) -> bytes:
    """The workbook's .xlsx bytes."""
    from openpyxl import Workbook

    book = Workbook()
    _summary(book.active, b)
    if b.has_portfolio:
        _selection(book.create_sheet("Selection"), b)
    _candidates(book.create_sheet("Candidates"), b)
    if b.spending:
        _spending(book.create_sheet("Spending"), b)
    if b.commitments:
        _commitments(book.create_sheet("Commitments"), b)
    if b.sweep is not None:
        _frontier(book.create_sheet("Frontier"), b)
    if b.robust is not None and b.robust.samples:
        _robustness(book.create_sheet("Robustness"), b)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet(
    ws: Worksheet,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    formats: dict[int, str] | None = None,
    *,
    frozen_columns: int = 1,
) -> None:
    """A header row (bold, frozen with the first `frozen_columns` columns) over the rows;
    formats by column index; each column as wide as its widest cell."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(list(row))
    for column, number_format in (formats or {}).items():
        for (cell,) in ws.iter_rows(min_row=2, min_col=column + 1, max_col=column + 1):
            cell.number_format = number_format
    ws.freeze_panes = f"{get_column_letter(frozen_columns + 1)}2"
    for k, column_cells in enumerate(ws.iter_cols(), start=1):
        widest = max(_width(c.value, c.number_format) for c in column_cells)
        ws.column_dimensions[get_column_letter(k)].width = min(MAX_WIDTH, widest + 2)


def _width(value: Any, number_format: str) -> int:
    """About how many characters a cell shows."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return 5
    if isinstance(value, float | int):
        if number_format == SHARE:
            return 7
        return len(f"{value:,.2f}") if number_format == MONEY else len(str(value))
    return len(str(value))


def _summary(ws: Worksheet, b: Briefing) -> None:
    r = b.result
    ws.title = "Summary"
    rows: list[list[Any]] = [
        ["Name", b.title],
        ["File", r.file],
        ["Status", r.status.value],
        ["Money unit", b.unit],
    ]
    if b.has_portfolio:
        rows += [
            ["Value (points)", r.value],
            [f"Cost ({b.unit})", r.cost_total],
            [f"Budget ({b.unit})", r.budget_total],
            ["Budget used", b.budget_used],
            ["Candidates selected", len(b.selected)],
        ]
    rows.append(["Candidates", len(b.entries)])
    rows += [["Note", note] for note in r.notes]
    rows += [["Conflict", line] for line in r.conflict_lines if not b.has_portfolio]
    _sheet(ws, ["Item", "Figure"], rows)
    for label, figure in ws.iter_rows(min_row=2):
        if label.value == "Budget used":
            figure.number_format = SHARE
        elif isinstance(figure.value, float):
            figure.number_format = MONEY


def _selection(ws: Worksheet, b: Briefing) -> None:
    timed = b.years is not None
    rows = [
        [
            e.id,
            e.outcome.name,
            e.group,
            e.outcome.forced.value if e.outcome.forced else None,
            e.outcome.cost,
            e.outcome.value,
            *([e.outcome.start, e.outcome.delivered] if timed else []),
        ]
        for e in sorted(b.selected, key=lambda e: (e.outcome.group is None, e.group))
    ]
    header = ["Candidate", "Name", "Group", "Forced", f"Cost ({b.unit})", "Value"]
    _sheet(ws, [*header, *(["Start", "Delivered"] if timed else [])], rows, {4: MONEY, 5: MONEY})


def _candidates(ws: Worksheet, b: Briefing) -> None:
    """Every candidate: chosen or why not, its figures, per-year money, contributions."""
    objectives = list(b.objectives)
    years = sorted({y for e in b.entries for y in e.outcome.profile})
    commitments = sorted({k for e in b.entries for k in e.contributions})
    rows = [
        [
            e.id,
            e.outcome.name,
            e.group,
            e.reason is None,
            e.reason,
            e.on_frontier,
            e.outcome.cost,
            e.outcome.value,
            *(e.outcome.objectives.get(k, 0.0) for k in objectives),
            *(e.outcome.profile.get(y) for y in years),
            *(e.contributions.get(k) for k in commitments),
        ]
        for e in b.entries
    ]
    header = [
        *("Candidate", "Name", "Group", "Selected", "Why not", "On the frontier"),
        *(f"Cost ({b.unit})", "Value"),
        *(f"Score: {b.objectives[k]}" for k in objectives),
        *(f"Money {y}" for y in years),
        *(f"Contributes to {k}" for k in commitments),
    ]
    money = {6, 7, *range(8 + len(objectives), 8 + len(objectives) + len(years))}
    _sheet(ws, header, rows, dict.fromkeys(money, MONEY))


def _spending(ws: Worksheet, b: Briefing) -> None:
    """A row per chart and year: the committed baseline (GDP charts), the selection's
    money, their total, the cap and the headroom."""
    rows = []
    for stack in b.spending:
        for year in stack.years:
            committed = dict(stack.parts).get("committed")
            new = math.fsum(p.get(year, 0.0) for label, p in stack.parts if label != "committed")
            cap = stack.caps.get(year)
            total = stack.total(year)
            rows.append(
                [
                    stack.title,
                    stack.unit,
                    year,
                    None if committed is None else committed.get(year, 0.0),
                    new,
                    total,
                    cap,
                    None if cap is None else cap - total,
                ]
            )
    header = ["Line", "Unit", "Year", "Committed", "Selection", "Total", "Cap", "Headroom"]
    _sheet(ws, header, rows, dict.fromkeys(range(3, 8), MONEY), frozen_columns=3)


def _commitments(ws: Worksheet, b: Briefing) -> None:
    rows = [
        [c.key, c.label, c.framework, c.by, c.hard, c.target, c.achieved, c.shortfall, c.met]
        for c in b.commitments
    ]
    header = ["Commitment", "Label", "Framework", "Deadline", "Hard", "Target", "Achieved"]
    _sheet(ws, [*header, "Shortfall", "Met"], rows, {5: MONEY, 6: MONEY, 7: MONEY})


def _frontier(ws: Worksheet, b: Briefing) -> None:
    rows = [
        [
            p.at,
            p.result.status.value,
            p.result.value,
            p.result.cost_total if p.result.status.has_portfolio else None,
            ", ".join(p.entered),
            ", ".join(p.left),
        ]
        for p in b.sweep or ()
    ]
    header = [f"Budget ({b.unit})", "Status", "Value", f"Cost ({b.unit})", "Entered", "Left"]
    _sheet(ws, header, rows, {0: MONEY, 2: MONEY, 3: MONEY})


def _robustness(ws: Worksheet, b: Briefing) -> None:
    r = b.robust
    assert r is not None
    chosen = set(b.result.selected_ids)
    kind = b.robust_classes
    rows = [
        [cid, share, count, kind[cid], cid in chosen]
        for (cid, share), count in zip(r.shares.items(), r.counts, strict=True)
    ]
    header = ["Candidate", "Share of samples", "Samples in", "Class", "Selected"]
    _sheet(ws, header, rows, {1: SHARE})
