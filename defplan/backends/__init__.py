"""One solver call on a PuLP problem: one backend (HiGHS in this process, CBC as a
child process), or every available one at once with the first proof kept
(`--solver auto`, the default).

The backends are registered here, in race order; a test registers a fake with
`registered(...)`, or hides one with `hidden(...)`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from defplan.backends import race
from defplan.backends.base import (
    AUTO,
    GAP,
    Backend,
    Hidden,
    Limits,
    Outcome,
    Run,
    hidden,
    lookup,
    names,
    register,
    registered,
    registered_backends,
)
from defplan.backends.cbc import DOUBTED, Cbc
from defplan.backends.highs import HiGHS
from defplan.backends.race import interrupt
from defplan.errors import SolverError

__all__ = [
    "DOUBTED",
    "GAP",
    "Backend",
    "Hidden",
    "Limits",
    "Outcome",
    "Run",
    "available_names",
    "hidden",
    "identity",
    "interrupt",
    "lookup",
    "missing_solver_notes",
    "names",
    "register",
    "registered",
    "solve",
]

register(HiGHS())  # first: of equally good portfolios in a time-limited race, its is kept
register(Cbc())


def solve(
    prob: Any,
    variables: Sequence[Any],
    *,
    solver: str,
    deadline: float | None,
    cutoff: float | None = None,
    broken: Callable[[list[int]], str] = lambda x: "",
    disproof: Callable[[list[list[int]]], str] = lambda found: "",
    race_gap: float = GAP,
    heuristics: bool = True,
    warm_start: bool = False,
) -> Outcome:
    """Solve the minimisation prob; x is read from `variables` (binary, in order).

    `deadline` is a time.monotonic() by which to stop. `cutoff`: no wanted answer has an
    objective above it; a solve that finds none reports INFEASIBLE. `broken(x)` names a
    constraint an answer breaks ("" for none): solvers allow rounding errors, and an
    answer that breaks a constraint by one is refused (in a race, the other may prove).
    `disproof(found)` names a selection (among `found`, the portfolios in hand, or its
    own witnesses) that meets every row; an INFEASIBLE claim it names one against is
    refused too (see Engine.disproof), so a race never ends on a claim it can refute.
    `race_gap`: in a race, HiGHS stops within this relative gap (CBC still proves):
    HiGHS finds big portfolios' best quickly and proves it slowly, CBC proves tight
    knapsacks quickly; a loose answer says so in `Outcome.within`.
    `heuristics=False` turns the solvers' primal heuristics off: for searches that
    expect no answer (a proof that nothing beats a cutoff), where they only cost time.
    `warm_start=True` gives HiGHS a start from the LP relaxation on big models
    (highs_warmstart.py): for a first search, which has nothing else to start from (not
    for every search: on models full of ties it costs more than it saves).
    """
    chosen = _chosen(solver)
    gap = race_gap if len(chosen) > 1 else GAP
    limits = Limits(deadline, cutoff, gap, heuristics, warm_start)
    return race.run(chosen, prob, variables, limits, broken, disproof)


def _chosen(solver: str) -> tuple[Backend, ...]:
    """The backends --solver `solver` runs: all that are available for `auto`."""
    if solver != AUTO:
        backend = lookup(solver)
        if not backend.available():
            raise SolverError(backend.missing([b.name for b in _available()]))
        return (backend,)
    chosen = _available()
    if not chosen:
        wanted = " or ".join(f"{b.install} ({b.label})" for b in registered_backends())
        raise SolverError(f"no solver is available: install {wanted}")
    return chosen


def _available() -> tuple[Backend, ...]:
    return tuple(b for b in registered_backends() if b.available())


def available_names() -> tuple[str, ...]:
    """The names of the backends `auto` races, in race order."""
    return tuple(b.name for b in _available())


def identity(name: str) -> tuple[str, str]:
    """The solver's name and version as a result reports them: for `auto`, of the
    backends it races ("HiGHS+CBC"), or of the last one when none is available."""
    if name != AUTO:
        backend = lookup(name)
        return backend.label, backend.version()
    racers = _available() or registered_backends()[-1:]
    if len(racers) == 1:
        return racers[0].label, racers[0].version()
    label = "+".join(b.label for b in racers)
    return label, ", ".join(f"{b.label} {b.version()}" for b in racers)


def missing_solver_notes(solver: str) -> tuple[str, ...]:
    """Notes for a result when `auto` raced without a backend that is installed but
    failed to load (say, highspy with too little memory): the answer is the others'
    alone, and a user comparing runs should know why the solver's name changed."""
    if solver != AUTO:
        return ()
    alone = identity(AUTO)[0]
    return tuple(
        f"{b.label} is installed but could not be loaded ({b.failure()}): {alone} solved alone"
        for b in registered_backends()
        if not b.available() and b.failure()
    )
