"""What a solver backend offers, what one solve returns, and the registry of backends.

A backend (HiGHS, CBC, or a test's fake) says whether it is installed, which version it
is, and starts a run on a PuLP minimisation. The registry keeps the backends by name, in
the order `--solver auto` starts them in a race.
"""

from __future__ import annotations

import contextlib
import functools
import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from defplan.errors import SolverError
from defplan.result import Status

GAP = 1e-9
"""Relative and absolute MIP gap: "optimal" means proven within it."""
AUTO = "auto"
"""The solver name that races every available backend."""


@dataclass
class Outcome:
    """What one solver call returned; `answered` is False when it stopped without a reason."""

    status: Status
    x: list[int] | None
    gap: float | None
    answered: bool = True
    objective: float | None = None  # of x, as the solver minimised it
    rejected: str = ""  # why a solver's answer was refused (a sentence)
    refused: list[int] | None = None  # the refused selection, when it broke a constraint
    bound: float | None = None  # no answer's objective is below this (the dual bound)
    within: float = GAP  # the relative gap within which an OPTIMAL status is proven

    @property
    def proven(self) -> bool:
        return self.status in (Status.OPTIMAL, Status.INFEASIBLE)


@dataclass(frozen=True)
class Limits:
    """How one run may search.

    `deadline`: a time.monotonic() by which to stop (None: no limit). `cutoff`: no wanted
    answer has an objective above it; a run that finds none reports INFEASIBLE. `gap`:
    the relative gap a run may stop within (a backend that always proves ignores it).
    `heuristics=False` turns primal heuristics off; `warm_start=True` lets a backend
    that can start from the LP relaxation do so.
    """

    deadline: float | None = None
    cutoff: float | None = None
    gap: float = GAP
    heuristics: bool = True
    warm_start: bool = False


class Run(Protocol):
    """One backend working on one problem: called in a thread of its own, it returns
    an Outcome; `cancel` may come from another thread at any time."""

    @property
    def name(self) -> str:
        """Names the run's thread."""
        ...

    @property
    def label(self) -> str:
        """The solver, as messages name it."""
        ...

    @property
    def wait_when_cancelled(self) -> bool:
        """False when a cancelled run may finish in the background."""
        ...

    def __call__(self) -> Outcome: ...

    def cancel(self) -> None:
        """Stop as soon as possible; the call then returns soon with any outcome."""
        ...

    def close(self) -> None:
        """Remove whatever the run left behind (after the race, whatever its end)."""
        ...


class Backend(Protocol):
    """A solver defplan can run: `name` as --solver takes it, `label` as results and
    messages name it, `install` what a user installs to get it (as a message quotes it)."""

    @property
    def name(self) -> str: ...

    @property
    def label(self) -> str: ...

    @property
    def install(self) -> str: ...

    def available(self) -> bool:
        """True when this backend can run here."""
        ...

    def version(self) -> str:
        """The version a result reports."""
        ...

    def failure(self) -> str:
        """Why a backend that is installed would not load ("" when it loads or is absent)."""
        ...

    def missing(self, others: Sequence[str]) -> str:
        """The message when --solver asks for it and it is not available; `others` are
        the names of the backends that are."""
        ...

    def start(self, problem: Any, variables: Sequence[Any], limits: Limits) -> Run:
        """A run on the PuLP minimisation `problem`, whose answer is read from
        `variables` (binary, in order). Called in the solving thread, with stdout
        silenced; the run itself is then called in a thread of its own."""
        ...


_registry: dict[str, Backend] = {}


def register(backend: Backend) -> None:
    """Add backend, last in race order, or put it in the place of the one of its name."""
    _registry[backend.name] = backend


def lookup(name: str) -> Backend:
    """The backend --solver `name` runs (a SolverError names the choices)."""
    backend = _registry.get(name)
    if backend is None:
        choices = ", ".join((AUTO, *_registry))
        raise SolverError(f"unknown solver '{name}'; choose one of: {choices}")
    return backend


def names() -> tuple[str, ...]:
    """The registered backends' names, in race order."""
    return tuple(_registry)


def registered_backends() -> tuple[Backend, ...]:
    """Every registered backend, in race order."""
    return tuple(_registry.values())


@contextlib.contextmanager
def registered(*backends: Backend) -> Iterator[None]:
    """Run the body with these backends registered (each in the place of the one of its
    name, or last), and the registry as it was afterwards: how a test fakes a solver."""
    saved = dict(_registry)
    try:
        for backend in backends:
            register(backend)
        yield
    finally:
        _registry.clear()
        _registry.update(saved)


@dataclass(frozen=True)
class Hidden:
    """A backend as if it were not installed: the message and version are its own."""

    real: Backend

    @property
    def name(self) -> str:
        return self.real.name

    @property
    def label(self) -> str:
        return self.real.label

    @property
    def install(self) -> str:
        return self.real.install

    def available(self) -> bool:
        return False

    def version(self) -> str:
        return self.real.version()

    def failure(self) -> str:
        return ""

    def missing(self, others: Sequence[str]) -> str:
        return self.real.missing(others)

    def start(self, problem: Any, variables: Sequence[Any], limits: Limits) -> Run:
        raise SolverError(self.missing(()))


@contextlib.contextmanager
def hidden(*names: str) -> Iterator[None]:
    """Run the body as if the backends named were not installed."""
    with registered(*(Hidden(lookup(name)) for name in names)):
        yield


@functools.cache
def package_version(package: str) -> str:
    """An installed package's version (read once: each lookup scans the site folder)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"


def cutoff_limit(cutoff: float | None) -> float:
    """The highest objective a search with this cutoff still counts as within it (the
    solvers' gap beyond it): infinity without a cutoff."""
    return math.inf if cutoff is None else cutoff + GAP * max(1.0, abs(cutoff))


def relative_gap(objective: float, bound: float) -> float | None:
    """|objective - bound| / |objective|, HiGHS's definition; None when it has none."""
    if not (math.isfinite(objective) and math.isfinite(bound)):
        return None
    if objective == bound:
        return 0.0
    if objective == 0:
        return None
    return abs(objective - bound) / abs(objective)


def seconds_left(deadline: float | None) -> float | None:
    """The seconds a run has until deadline (at least 0.01; None: no deadline)."""
    return None if deadline is None else max(0.01, deadline - time.monotonic())
