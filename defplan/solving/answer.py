"""A selection -> the Result the commands show: every reported number recomputed from
the selection in exact sums, and the file's rules and the run's forced choices in words.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from defplan.formulation import Formulation, SolveOptions
from defplan.model import Candidate, Commitment, Group, Portfolio
from defplan.result import CandidateOutcome, CommitmentOutcome, Forced, Result, Status, clean
from defplan.solving.canonical import objective_value
from defplan.solving.spending import timing_of
from defplan.timeline import delivered_by, money_by_year, money_lines
from defplan.tolerance import total_and_magnitude

if TYPE_CHECKING:
    from defplan.result import SolverInfo


@dataclass(frozen=True)
class Found:
    """What a search found: how it ended, the selection (when there is one), the solver,
    the conflicting constraints (by name and in words) and notes for the user."""

    status: Status
    x: Sequence[int] | None
    solver: SolverInfo
    conflicts: tuple[str, ...] = ()
    conflict_details: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def build_result(
    portfolio: Portfolio,
    form: Formulation,
    found: Found,
    *,
    file: str = "",
    sha256: str = "",
    options: SolveOptions | None = None,
) -> Result:
    """A Result whose numbers are all recomputed from the selection found; it records the
    run's `options` and the file's rules in words, so that a diff can compare them."""
    status, x = found.status, found.x
    chosen = list(x) if x is not None and status.has_portfolio else [0] * len(form.values)
    money = money_lines(portfolio)
    taken = form.chosen_options(chosen)
    # each candidate's column: the option taken, else its earliest
    column = [next((k for k in cols if chosen[k]), cols[0]) for cols in form.columns_of]
    timed = portfolio.years is not None
    report = _reporter()
    cands = tuple(
        CandidateOutcome(
            id=c.id,
            name=c.title,
            group=c.group,
            selected=i in taken,
            cost=report(form.costs[column[i]]),
            value=report(form.values[column[i]]),
            objectives={k: report(c.value_of(k)) for k in portfolio.objectives},
            profile={y: report(v) for y, v in _profile(form, column[i], c, money).items()},
            forced=forced_by(c, options),
            start=taken[i].start if i in taken else None,
            delivered=taken[i].delivered if i in taken else None,
            window=_window(c),
            runs=bool(c.running),
        )
        for i, c in enumerate(portfolio.candidates)
    )
    commitments = {}
    for name, com in portfolio.commitments.items():
        achieved, magnitude = total_and_magnitude(
            portfolio.candidates[i].commitments.get(name, 0.0)
            for i, o in taken.items()
            if com.by is None or delivered_by(o, portfolio) <= com.by
        )
        commitments[name] = CommitmentOutcome(
            label=com.label or name,
            framework=com.framework,
            hard=com.hard,
            target=com.target,
            achieved=achieved,
            magnitude=magnitude,
        )
    groups = {
        name: clean(
            math.fsum(form.costs[column[i]] for i in taken if portfolio.candidates[i].group == name)
        )
        for name in portfolio.groups
    }
    value = clean(objective_value(form, chosen)) if status.has_portfolio else None
    labels = {k: o.label or k for k, o in portfolio.objectives.items()}
    unit = portfolio.money_unit
    rules = {name: group_rule_text(g, unit) for name, g in portfolio.groups.items()}
    return Result(
        status=status,
        name=portfolio.name,
        file=file,
        sha256=sha256,
        currency=portfolio.currency,
        unit=portfolio.unit,
        budget_total=form.budget_total,
        budget_per_year=dict(sorted(form.budget_per_year.items())),
        weights={k: clean(w) for k, w in form.weights.items()},  # reported numbers
        objective_labels=labels,
        candidates=cands,
        commitments=commitments,
        groups=groups,
        value=value,
        solver=found.solver,
        conflicts=found.conflicts,
        conflict_details=found.conflict_details,
        notes=found.notes,
        group_rules=rules,
        commitment_rules={k: commitment_rule_text(c) for k, c in portfolio.commitments.items()},
        rules=tuple(b.label for b in form.blocks if b.name.startswith("rule.")),
        run=options,
        timing=timing_of(portfolio, form, taken) if timed else None,
    )


def _reporter() -> Callable[[float], float]:
    """clean, remembering what it gave: a big file repeats its numbers (5,000 candidates
    have ~37,000 figures, ~4,500 distinct), and clean formats each one as text."""
    done: dict[float, float] = {}  # equal numbers clean alike (-0.0 and 0.0 both to 0.0)

    def report(x: float) -> float:
        value = done.get(x)
        if value is None:
            value = done[x] = clean(x)
        return value

    return report


def _profile(form: Formulation, k: int, c: Candidate, money: set[str]) -> dict[int, float]:
    """The money by year of column k: its candidate's profile as written in a file that
    does not plan in time, its nominal money on all money lines otherwise."""
    if form.options[k].start is None:
        return {y: v * form.options[k].factor for y, v in sorted(c.profile.items())}
    return money_by_year(form.options[k], money)


def _window(c: Candidate) -> tuple[int, int] | None:
    """The start window a candidate's file gives it, None without one."""
    return None if c.start is None else (c.start[0], c.start[1])


def forced_by(candidate: Candidate, options: SolveOptions | None) -> Forced | None:
    """What fixed a candidate's choice before solving. --exclude on a mandatory candidate
    (a run with no portfolio) shows as exclude; --include on one adds nothing to it."""
    if options is not None and candidate.id in options.exclude:
        return Forced.EXCLUDE
    if candidate.mandatory:
        return Forced.MANDATORY
    if options is not None and candidate.id in options.include:
        return Forced.INCLUDE
    return None


def forced_choices(portfolio: Portfolio, options: SolveOptions | None) -> dict[str, Forced]:
    """The candidates whose choice the file or the run fixes, by id, in file order."""
    found = {c.id: forced_by(c, options) for c in portfolio.candidates}
    return {cid: how for cid, how in found.items() if how is not None}


def commitment_rule_text(c: Commitment) -> str:
    """A commitment's target in words, e.g. "reach 4 (soft: penalty 1.5 per unit short)"."""
    kind = "hard" if c.hard else f"soft: penalty {c.penalty or 0:,.12g} per unit short"
    return f"reach {c.target:,.12g} ({kind})"


def group_rule_text(g: Group, unit: str) -> str:
    """A group's spending rule in words, e.g. 'at least 20% of cost'."""
    parts = []
    if g.min_share is not None:
        parts.append(f"at least {100 * g.min_share:.4g}% of cost")
    if g.max_share is not None:
        parts.append(f"at most {100 * g.max_share:.4g}% of cost")
    if g.min is not None:
        parts.append(f"at least {g.min:,.12g} {unit}")
    if g.max is not None:
        parts.append(f"at most {g.max:,.12g} {unit}")
    for word, share in (("at least", g.min_share_of_defence), ("at most", g.max_share_of_defence)):
        if share is not None:
            parts.append(f"{word} {100 * share:.4g}% of core defence spending each year")
    return "; ".join(parts) or "none"
