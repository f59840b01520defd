"""`defplan robust`: how often each candidate is in the optimum when weights, values and
costs move.

Sample k (0-based) draws from `random.Random(f"defplan-robust/{seed}/{k}")` alone, in
this order: one weight factor per objective, uniform in [1 - spread, 1 + spread], in
file order; then, for each candidate in file order and each objective in file order,
one value uniform in [low, high] for every value given as a range (numbers draw
nothing); then, for each candidate with `cost_risk` in file order, its cost factor, by
the inverse of its distribution at one uniform draw (cost_risk.py). The sampled weights
are the run's normalised weights times their factors, normalised again; the sampled
factors multiply all of each candidate's money, in place of any `--cost-level`. Each
sample is then solved to its canonical optimum (docs/model.md), so the answer depends
only on (seed, k) and is the same with any number of workers and either solver.

The unperturbed problem is solved first; when it has no portfolio (infeasible, or the
time limit ran out first) no sample is drawn. Weights and values move only the
objective, but drawn costs move the caps' rows: a sample with no feasible portfolio is
counted in `infeasible` and in no share (shares are of the feasible samples). The
weight factors are drawn even with spread 0, so the values drawn for sample k do not
depend on the spread.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import ClassVar

from defplan.cost_risk import factor_at
from defplan.errors import UsageError
from defplan.formulation import SolveOptions, normalised_weights
from defplan.model import Portfolio
from defplan.result import Result, Status, clean
from defplan.solving import optimise
from defplan.workers import WorkerPool

MAX_SAMPLES = 1_000_000


@dataclass(frozen=True)
class Robustness:
    """Per candidate (file order), how many sampled optima include it (`defplan robust`)."""

    base: Result
    """The unperturbed optimum (range midpoints, the run's weights); its status decides
    the exit code, and when it has no portfolio nothing was sampled."""
    samples: int
    """Samples solved: as asked, or 0 when the base has no portfolio."""
    seed: int
    spread: float
    ids: tuple[str, ...]
    """Candidate ids in file order (empty when nothing was sampled)."""
    counts: tuple[int, ...]
    """For each id, the number of sampled optima that include it."""
    unproven: int = 0
    """Samples whose optimum was not proven (only under a time limit); a sample that
    found no portfolio at all includes no candidate."""
    infeasible: int = 0
    """Samples whose drawn costs left no feasible portfolio: in no share."""
    costs_drawn: bool = False
    """True when some candidate has `cost_risk`, so samples drew cost factors."""

    @property
    def feasible(self) -> int:
        """Samples with a feasible portfolio: the shares' denominator."""
        return self.samples - self.infeasible

    @property
    def shares(self) -> dict[str, float]:
        """Share of the feasible samples' optima that include each candidate, in file
        order (0 for all when no sample was feasible)."""
        n_ok = self.feasible
        return {
            i: clean(n / n_ok) if n_ok else 0.0 for i, n in zip(self.ids, self.counts, strict=True)
        }

    @property
    def core(self) -> tuple[str, ...]:
        """Candidates in every feasible sample's optimum (none when no sample was)."""
        return self._ids_where(lambda n: self.feasible > 0 and n == self.feasible)

    @property
    def borderline(self) -> tuple[str, ...]:
        """Candidates in some sampled optima but not all."""
        return self._ids_where(lambda n: 0 < n < self.feasible)

    @property
    def exterior(self) -> tuple[str, ...]:
        """Candidates in no sampled optimum."""
        return self._ids_where(lambda n: n == 0)

    def _ids_where(self, keep: Callable[[int], bool]) -> tuple[str, ...]:
        return tuple(i for i, n in zip(self.ids, self.counts, strict=True) if keep(n))


CLUSTER_CHUNK = 10
"""Samples per task on a Dask cluster: enough that a task outweighs its sending."""


def robust(
    portfolio: Portfolio,
    *,
    options: SolveOptions,
    samples: int = 200,
    seed: int = 0,
    spread: float = 0.2,
    workers: int = 1,
    file: str = "",
    data: bytes = b"",
    on_sample: Callable[[], None] | None = None,
    scheduler: str | None = None,
) -> Robustness:
    """Solve `samples` perturbed copies of the problem; `on_sample` runs in this process
    once per finished sample. `file` and `data` label the base result. `scheduler`: the
    address of a Dask scheduler to send the samples to, in chunks (cluster.py)."""
    _check_arguments(samples=samples, spread=spread, workers=workers)
    base = optimise(portfolio, options=options, file=file, data=data)
    if not base.status.has_portfolio:
        return Robustness(base, 0, seed, spread, (), ())
    job = _Job(portfolio, options, seed, spread, _one_each(options, workers, scheduler))
    found: list[tuple[Status, tuple[bool, ...]]] = []
    if scheduler is not None:
        from defplan.cluster import chunked, run_chunks

        chunks = chunked(range(samples), CLUSTER_CHUNK)
        found = run_chunks(scheduler, job.solve_all, chunks, on_sample)
    elif workers == 1:
        for k in range(samples):
            found.append(job.solve(k))
            if on_sample is not None:
                on_sample()
    else:
        chunk = max(1, samples // (workers * 8))  # contiguous runs, small enough for progress
        with WorkerPool(max_workers=min(workers, samples)) as pool:
            for outcome in pool.map(job.solve, range(samples), chunksize=chunk):
                found.append(outcome)
                if on_sample is not None:
                    on_sample()
    counts = tuple(sum(column) for column in zip(*(x for _, x in found), strict=True))
    return Robustness(
        base=base,
        samples=samples,
        seed=seed,
        spread=spread,
        ids=tuple(c.id for c in portfolio.candidates),
        counts=counts,
        unproven=sum(1 for status, _ in found if status not in _PROVEN),
        infeasible=sum(1 for status, _ in found if status is Status.INFEASIBLE),
        costs_drawn=any(c.cost_risk is not None for c in portfolio.candidates),
    )


_PROVEN = (Status.OPTIMAL, Status.INFEASIBLE)


def _one_each(options: SolveOptions, workers: int, scheduler: str | None) -> tuple[str, ...]:
    """The solvers a worker chooses among when local workers fill the cores: every solve
    of `--solver auto` races HiGHS and CBC, one per core, so one worker racing already
    keeps two cores busy and a second gains nothing (bench/results.md). Each worker then
    gives each sample one solver (`_SolverClock`). Empty (race or solve as asked) for
    one worker, a chosen solver or a cluster."""
    from defplan.backends import AUTO, available_names

    if workers < 2 or options.solver != AUTO or scheduler is not None:
        return ()
    names = available_names()
    return names if len(names) > 1 else ()


class _SolverClock:
    """In one worker process, how long each solver took per sample so far: a solver not
    tried yet goes next (in race order), then the one with the least mean time. The
    answers are the same whichever solver proves them; only the time differs, and a
    solver slow on one file (CBC on big models, HiGHS on tight knapsacks) costs one
    sample per worker, not half of them."""

    seconds: ClassVar[dict[str, list[float]]] = {}

    @classmethod
    def pick(cls, names: tuple[str, ...]) -> str:
        untried = [n for n in names if n not in cls.seconds]
        if untried:
            return untried[0]
        return min(names, key=lambda n: cls.seconds[n][0] / cls.seconds[n][1])

    @classmethod
    def record(cls, name: str, seconds: float) -> None:
        total, count = cls.seconds.get(name, [0.0, 0])
        cls.seconds[name] = [total + seconds, count + 1]


def _check_arguments(*, samples: int, spread: float, workers: int) -> None:
    if not 1 <= samples <= MAX_SAMPLES:
        raise UsageError(f"--samples {samples}: a number of samples from 1 to {MAX_SAMPLES:,}")
    if not (math.isfinite(spread) and 0 <= spread < 1):
        raise UsageError(f"--weight-spread {spread:g}: a fraction F with 0 <= F < 1")
    if workers < 1:
        raise UsageError(f"--workers {workers}: at least 1")


def sample_problem(
    portfolio: Portfolio, options: SolveOptions, *, seed: int, k: int, spread: float
) -> tuple[Portfolio, SolveOptions]:
    """Sample k's portfolio (every range replaced by a drawn number) and options (its
    weights, and its cost factors when any candidate has `cost_risk`); with spread 0 the
    run's weights are kept as they are."""
    rng = random.Random(f"defplan-robust/{seed}/{k}")
    weights = normalised_weights(portfolio, options.weights)
    factors = {name: rng.uniform(1 - spread, 1 + spread) for name in portfolio.objectives}
    if spread > 0:
        options = replace(options, weights={n: w * factors[n] for n, w in weights.items()})
    candidates = []
    for c in portfolio.candidates:
        drawn = {}
        for name in portfolio.objectives:
            entry = c.value.get(name)
            if isinstance(entry, list):
                low, high = entry
                drawn[name] = min(high, max(low, rng.uniform(low, high)))
        candidates.append(c.model_copy(update={"value": {**c.value, **drawn}}) if drawn else c)
    if any(c.cost_risk is not None for c in portfolio.candidates):
        factors = tuple(
            1.0 if c.cost_risk is None else float(factor_at(c.cost_risk, rng.random()))
            for c in portfolio.candidates
        )
        options = replace(options, cost_factors=factors, cost_level=None)
    return portfolio.model_copy(update={"candidates": candidates}), options


@dataclass(frozen=True)
class _Job:
    """What every worker needs: picklable, so processes get the validated portfolio."""

    portfolio: Portfolio
    options: SolveOptions
    seed: int
    spread: float
    solvers: tuple[str, ...] = ()
    """Solvers to choose among, one a sample (`_SolverClock`); none: as the options ask."""

    def solve_all(self, ks: list[int]) -> list[tuple[Status, tuple[bool, ...]]]:
        """solve for each sample of a chunk, in order."""
        return [self.solve(k) for k in ks]

    def solve(self, k: int) -> tuple[Status, tuple[bool, ...]]:
        """(status, selected per candidate) for sample k."""
        sampled, options = sample_problem(
            self.portfolio, self.options, seed=self.seed, k=k, spread=self.spread
        )
        if not self.solvers:
            result = optimise(sampled, options=options)
        else:
            name = _SolverClock.pick(self.solvers)
            began = time.perf_counter()
            result = optimise(sampled, options=replace(options, solver=name))
            _SolverClock.record(name, time.perf_counter() - began)
        chosen = set(result.selected_ids)
        return result.status, tuple(c.id in chosen for c in sampled.candidates)
