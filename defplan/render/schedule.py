"""A plan in time as people read it: the schedule (a bar per selected candidate across
the years) and each line's spending against its caps, with the carried balance,
prices, and what keeps running after the horizon."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from defplan.render.figures import ROUNDING_NOTE, adds_up, amount
from defplan.result import clean

if TYPE_CHECKING:
    from rich.console import RenderableType

    from defplan.result import CandidateOutcome, LineSpend, Result, Timing

INVEST = "█"
"""A year a candidate's cost profile spends in (investment)."""
RUN = "░"
"""A year after delivery in which it runs (running costs)."""
IDLE = "·"


def timing_renderables(result: Result, timing: Timing, width: int) -> list[RenderableType]:
    """The schedule, then a table per line, then the notes on prices and what runs on."""
    parts: list[RenderableType] = [schedule_table(result, timing, width)]
    parts += [
        _line_table(result, timing, name, line, width, first=k == 0)
        for k, (name, line) in enumerate(timing.lines.items())
    ]
    parts.append(_notes(result, timing))
    return parts


def bar(c: CandidateOutcome, timing: Timing) -> str:
    """One character per horizon year: investment, running, or nothing."""
    first, last = timing.years
    out = []
    for year in range(first, last + 1):
        if c.start is not None and c.delivered is not None and c.start <= year <= c.delivered:
            out.append(INVEST)
        elif c.delivered is not None and c.runs and year > c.delivered:
            out.append(RUN)
        else:
            out.append(IDLE)
    return "".join(out)


def schedule_table(result: Result, timing: Timing, width: int) -> RenderableType:
    """A row per selected candidate with years: start, delivery, slip, and its bar."""
    from defplan.render.layout import Col, Kind, fitted

    first, last = timing.years
    rows = []
    for c in result.selected:
        if c.start is None:
            continue
        slip = "-" if c.window is None or c.start == c.window[0] else f"+{c.start - c.window[0]}"
        rows.append([c.id, str(c.start), str(c.delivered), slip, bar(c, timing)])
    columns = [
        Col("Candidate", Kind.KEY),
        Col("Start", Kind.FIGURE),
        Col("Delivered", Kind.FIGURE),
        Col("Slip", Kind.FIGURE, label="years after its earliest start"),
        Col(f"{first}{' ' * max(1, last - first - 7)}{last}", listed=False),
    ]
    return fitted(
        f"Schedule ({INVEST} investment, {RUN} running; slip: years after the earliest start)",
        columns,
        rows,
        width=width,
    )


def _line_table(
    result: Result, timing: Timing, name: str, line: LineSpend, width: int, *, first: bool
) -> RenderableType:
    from defplan.render.layout import Col, Kind, fitted

    carried = timing.carried if first else None
    capped = bool(line.caps)
    rows, styles, exact = [], [], True
    for year, spent in line.spend.items():
        cap = line.caps.get(year)
        balance_in = timing.carried_into(year) if carried is not None else 0.0
        room = None if cap is None else clean(math.fsum([cap, balance_in, -spent]))
        row = [str(year), amount(spent)]
        if capped:
            row += [amount(cap), amount(room)]
        if carried is not None:
            row.append(amount(carried.get(year)))
        rows.append(row)
        styles.append("red" if room is not None and room < -1e-9 * max(1.0, abs(spent)) else "")
        exact = exact and (cap is None or adds_up([cap, balance_in, -spent]))
    headers = ("Year", "Spend", "Cap", "Headroom") if capped else ("Year", "Spend")
    columns = [Col(h, Kind.FIGURE) for h in headers]
    if carried is not None:
        columns.append(Col("Carried", Kind.FIGURE))
    priced = " nominal" if line.money and timing.price_index is not None else ""
    unit = f" ({line.unit}{priced})" if line.unit else ""
    title = f"{line.label if line.label != name else name}{unit}"
    if line.total_cap is not None:
        title += f": {amount(math.fsum(line.spend.values()))} of {amount(line.total_cap)} in total"
    caption = []
    if carried is not None:
        caption.append(
            f"unspent caps carry over, at most {amount(timing.carry_over)}: the headroom "
            "counts what came in"
        )
    if not exact:
        caption.append(ROUNDING_NOTE)
    return fitted(
        title, columns, rows, width=width, caption="\n".join(caption) or None, row_styles=styles
    )


def _notes(result: Result, timing: Timing) -> RenderableType:
    from rich.text import Text

    text = Text()
    first, last = timing.years
    after = [
        f"{amount(line.running_after)} {line.unit}".rstrip()
        + ("" if len(timing.lines) == 1 else f" on {name}")
        for name, line in timing.lines.items()
        if line.running_after
    ]
    if after:
        text.append(f"After {last} the selection still costs, each year: {', '.join(after)}")
        if timing.price_index is not None:
            text.append(f" (money in {last} prices)")
    else:
        text.append(f"After {last} nothing the selection runs costs anything more.")
    if result.cost_unphased:
        text.append(f"\nPlain costs, in no year: {amount(result.cost_unphased)}.")
    if timing.price_index is not None:
        nominal = math.fsum(_money(timing, y) for y in range(first, last + 1))
        constant = math.fsum(
            _money(timing, y) / timing.price_index[y] for y in range(first, last + 1)
        )
        text.append(
            f"\nMoney is nominal (each year's prices): spending in the years, "
            f"{amount(nominal)}, is {amount(constant)} in constant {timing.price_base} prices."
        )
    return text


def _money(timing: Timing, year: int) -> float:
    return math.fsum(line.spend.get(year, 0.0) for line in timing.lines.values() if line.money)
