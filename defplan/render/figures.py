"""How figures, ids and changes are written in every table and CSV: one rule each."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from defplan.model import Portfolio
    from defplan.result import CandidateOutcome, Result


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


def unit_label(holder: Result | Portfolio) -> str:
    """The unit money is shown in: 'M EUR', or what the file declares."""
    return f"{holder.unit} {holder.currency}".strip()


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


def shown_name(c: CandidateOutcome) -> str:
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


def per_1000(ratio: float) -> str:
    """Value per unit of cost shown per 1,000 units: the one unit of marginal values.
    Below 1 with 3 significant digits, so that a small ratio does not show as 0."""
    shown = 1000 * ratio
    return f"{shown:.3g}" if 0 < abs(shown) < 1 else amount(round(shown, 3))


def num(x: float) -> str:
    """A CSV number: 900 rather than 900.0, never -0."""
    if x == 0:
        return "0"
    return str(int(x)) if float(x).is_integer() and abs(x) < 2**53 else repr(x)


def counted(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


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
