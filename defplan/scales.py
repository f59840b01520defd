"""Warnings about scores outside their objective's declared `scale`: a score may be off
the scale on purpose, so these are warned about, never refused."""

from __future__ import annotations

from collections.abc import Sequence

from defplan.model import Candidate, Portfolio


def scores_off_scale(p: Portfolio) -> dict[str, tuple[Candidate, ...]]:
    """For each objective with a `scale`, the candidates (in file order)
    whose score lies outside it; a range lies outside when either end does, and a
    missing score counts as the 0 it means."""
    found: dict[str, tuple[str, ...]] = {}
    for name, objective in p.objectives.items():
        if objective.scale is None:
            continue
        low, high = objective.scale
        outside = tuple(
            c
            for c in p.candidates
            if any(not low <= end <= high for end in _score_ends(c.value.get(name, 0.0)))
        )
        if outside:
            found[name] = outside
    return found


def _score_ends(entry: float | list[float]) -> list[float]:
    """A score's ends: itself when a number, both ends of a range."""
    return list(entry) if isinstance(entry, list) else [entry]


WARNING_LISTED = 10
"""Candidates a warning names before it says how many more there are."""


def named_few(names: Sequence[str]) -> str:
    """'a, b, c', or the first WARNING_LISTED and 'and N more': a warning stays one line."""
    shown = ", ".join(names[:WARNING_LISTED])
    extra = len(names) - WARNING_LISTED
    return shown + (f" and {extra} more" if extra > 0 else "")


def scale_warnings(portfolio: Portfolio) -> list[str]:
    """One line per objective whose declared `scale` some candidates' scores leave."""
    lines = []
    for name, outside in scores_off_scale(portfolio).items():
        low, high = portfolio.objectives[name].scale or (0.0, 0.0)
        shown = named_few([f"{c.id} ({_score_text(c.value.get(name, 0.0))})" for c in outside])
        lines.append(
            f"defplan: warning: objective '{name}' declares scale [{low:g}, {high:g}], "
            f"but {_who_score(len(outside))} outside it: {shown}"
        )
    return lines


def _who_score(n: int) -> str:
    return "1 candidate scores" if n == 1 else f"{n} candidates score"


def _score_text(entry: float | list[float]) -> str:
    if isinstance(entry, list):
        return f"[{entry[0]:g}, {entry[1]:g}]"
    return f"{entry:g}"
