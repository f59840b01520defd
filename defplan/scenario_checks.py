"""Checks of budget scenarios (docs/file-format.md, "Budget scenarios"): the
probabilities, `commit_by`, and each scenario's budget merged into the file's, checked
as the file's own budget is."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

from defplan.model import KEY

if TYPE_CHECKING:
    from defplan.model import Loc, Names, Portfolio, Suggester

Found = Iterator[tuple["Loc", str]]

PROBABILITY_SUM = 1e-9
"""How far the scenarios' probabilities may add up from 1."""


def scenario_problems(p: Portfolio, names: Names, suggest: Suggester) -> Found:
    """Every problem of `scenarios` and `commit_by`."""
    if p.scenarios:
        total = math.fsum(s.probability for s in p.scenarios.values())
        if abs(total - 1.0) > PROBABILITY_SUM:
            yield ("scenarios", KEY), f"the scenarios' probabilities add up to {total:.12g}, not 1"
        if p.commit_by is None:
            yield (
                ("scenarios", KEY),
                "scenarios need 'commit_by': the last year whose starts are decided now",
            )
    if p.commit_by is not None:
        if p.years is None:
            yield ("commit_by", KEY), "'commit_by' needs 'years' (the planning horizon) in the file"
        elif p.years[0] <= p.years[1] and not p.years[0] <= p.commit_by <= p.years[1]:
            first, last = p.years
            yield (
                ("commit_by",),
                f"commit_by {p.commit_by} is outside the planning horizon {first}-{last}",
            )
    if p.scenarios:
        yield from _budgets(p, names, suggest)


def _budgets(p: Portfolio, names: Names, suggest: Suggester) -> Found:
    """Each scenario's merged budget checked as the file's: what the file's own budget
    does not already show, at the scenario's node."""
    from defplan.scenarios import scenario_portfolio

    own = set(_budget_problems(p, names, suggest))
    for name in p.scenarios:
        for loc, message in _budget_problems(scenario_portfolio(p, name), names, suggest):
            if (loc, message) not in own:
                yield ("scenarios", name, *loc), f"scenario '{name}': {message}"


def _budget_problems(p: Portfolio, names: Names, suggest: Suggester) -> Found:
    from defplan.frame_checks import frame_problems
    from defplan.time_checks import time_problems

    for found in (time_problems(p, names, suggest), frame_problems(p, names, suggest)):
        for loc, message in found:
            if loc and loc[0] == "budget":
                yield loc, message
