"""Two results compared: the tables of what changed (its JSON is in `documents`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from defplan.render.figures import (
    FORCED_WORDS,
    ROUNDING_NOTE,
    VALUE_LEGEND,
    adds_up,
    amount,
    shown_name,
    unit_label,
)

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from defplan.analysis.diff import Diff
    from defplan.result import Result


def _side(result: Result, file: str) -> str:
    """A diff side below its file: the portfolio it ran, its budget, the file it came from."""
    budget = "no total" if result.budget_total is None else f"budget {amount(result.budget_total)}"
    saved = f"\n       saved from {result.file}" if result.file and result.file != file else ""
    return f"{result.name or 'portfolio'} ({budget}){saved}"


def diff_renderables(comparison: Diff, *, width: int = 100) -> list[RenderableType]:
    """Both files, what changed in the scenario, then the two answers side by side and
    what enters and leaves."""
    from rich.text import Text

    from defplan.render.layout import Col, Kind, fitted

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
            f"Side by side (costs in {unit_label(right)})",
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
        rows = [[c.id, shown_name(c), amount(c.cost), amount(c.value)] for c in listed]
        if any(forced):
            columns.append(Col("Forced", overflow="fold"))
            rows = [[*row, mark] for row, mark in zip(rows, forced, strict=True)]
        parts.append(fitted(title, columns, rows, width=width))

    if comparison.moved:
        columns = [
            Col("Candidate", Kind.KEY),
            Col("Start left", Kind.FIGURE),
            Col("Start right", Kind.FIGURE),
            Col("Change", Kind.FIGURE),
        ]
        rows = [
            [m.id, str(m.left), str(m.right), _years_later(m.left, m.right)]
            for m in comparison.moved
        ]
        parts.append(fitted("Start year changed (left to right)", columns, rows, width=width))

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


def _years_later(left: int | None, right: int | None) -> str:
    """'+2 years', '-1 year': how much later the right side starts."""
    if left is None or right is None:
        return "-"
    shift = right - left
    return f"{shift:+d} year{'s' if abs(shift) != 1 else ''}"


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

    from defplan.render.layout import Col, fitted

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


def _cap_label(name: str) -> str:
    """'Cap 2027' (the first line's), 'Cap staff 2029', 'Cap staff total'."""
    if name.startswith("line."):
        return "Cap " + name.removeprefix("line.").replace(".", " ")
    return f"Cap {name.removeprefix('per_year.')}"


def _scenario_label(kind: str, name: str, objective_labels: dict[str, str]) -> str:
    labels = {
        "budget": "Budget total" if name == "total" else _cap_label(name),
        "weights": f"Weight of {objective_labels.get(name, name)}",
        "commitment": f"Commitment {name}",
        "group": f"Group {name}",
        "forced": f"Forced: {name}",
        "run": {
            "solver": "Solver",
            "time_limit": "Time limit (s)",
            "cost_level": "Cost level",
        }.get(name, name),
        "start": f"Start year of {name}",
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
    "start": lambda v: "-" if v is None else str(v),
    "budget": lambda v: "none" if v is None else amount(v),
    "weights": lambda v: "-" if v is None else f"{v:.3g}",
    "forced": lambda v: "no" if v is None else FORCED_WORDS[v],
}
