"""What limits a plan: the binding caps, targets and rules, in a table and sentences."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from defplan.render.figures import (
    amount,
    unit_label,
)

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from defplan.analysis.limits import Limit
    from defplan.result import Result


def limits_renderables(result: Result, *, width: int = 100) -> list[RenderableType]:
    """'What limits this plan': the constraints whose relaxation alone raises the value
    (a budget cap raised by the step, anything else left out), what that gains and who
    enters and leaves; then the constraints that do not bind.

    A table when the ids fit whole beside a readable first column, else a few lines per
    constraint: nothing is ever cut.
    """
    from rich.text import Text

    found = result.limits or ()
    unit = unit_label(result)
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
