"""`defplan sweep`: the best portfolio at each of a series of budgets, or of GDP shares
one year of the file's share path takes (`--gdp-share YEAR=...`, the path interpolated
again at each point).

The file is loaded and validated once. Points run in the order asked for; in a budget
sweep each starts from the last proven answer at a smaller budget, which bounds its
search (see solving.canonical). Once an answer leaves room under its budget and no
portfolio beats it with the total budget left out (solving.budget_free), every larger
point takes it without a search. With several workers each takes a contiguous run of
points; the answers (canonical, docs/model.md) are the same as with one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from defplan.errors import UsageError
from defplan.formulation import SolveOptions
from defplan.model import MAX_MAGNITUDE, Portfolio
from defplan.numbers import read_float
from defplan.result import Result, Status, clean
from defplan.workers import WorkerPool

MAX_POINTS = 10_000
CLUSTER_CHUNK = 4
"""Points per task on a Dask cluster: a run of neighbouring budgets, each starting from
the one before (as a local worker's run does)."""


@dataclass(frozen=True)
class SweepPoint:
    """One point's result, and how it differs from the point before it."""

    budget: float | None
    """The total budget: the point's in a budget sweep; the run's (None without one) in
    a sweep over a GDP share."""
    result: Result
    marginal: float | None
    """Extra value per unit of extra budget (per percentage point of GDP in a sweep over
    a share) since the previous point with a portfolio."""
    entered: tuple[str, ...]
    left: tuple[str, ...]
    gdp_share: float | None = None
    """In a sweep over a GDP share: the share `share_year` takes at this point."""
    share_year: int | None = None

    @property
    def at(self) -> float:
        """What the sweep moves: the budget, or the share in percent."""
        if self.gdp_share is not None:
            return 100 * self.gdp_share
        assert self.budget is not None
        return self.budget


def parse_shares(text: str) -> tuple[int, list[float]]:
    """The year and the shares of `--gdp-share YEAR=START:STOP:STEP` (or YEAR=S1,S2),
    each share from 0 to 1."""
    year_text, equals, steps = text.partition("=")
    if not equals or not year_text.strip().isdigit():
        raise UsageError(
            f"--gdp-share takes YEAR=START:STOP:STEP or YEAR=S1,S2,... "
            f"(2035=0.02:0.04:0.0025), not '{text}'"
        )
    shares = parse_budgets(steps, flag=f"--gdp-share {year_text.strip()}=", noun="share")
    if any(share > 1 for share in shares):
        raise UsageError(f"--gdp-share {text}: shares of GDP are numbers from 0 to 1")
    return int(year_text), shares


def with_share(portfolio: Portfolio, year: int, share: float) -> Portfolio:
    """The portfolio with its core GDP share path taking `share` in `year`."""
    path = {**(portfolio.budget.gdp_share or {}), year: share}
    budget = portfolio.budget.model_copy(update={"gdp_share": dict(sorted(path.items()))})
    return portfolio.model_copy(update={"budget": budget})


def check_share_sweep(portfolio: Portfolio, year: int) -> None:
    """UsageError unless the file has a core share path to move and `year` can join it
    (every year the path then covers has its GDP and baseline)."""
    from defplan.frame_checks import frame_problems
    from defplan.model import Names, Suggester

    if portfolio.budget.gdp_share is None:
        raise UsageError(
            "--gdp-share: the file has no budget.gdp_share (the share of GDP core defence "
            "spending may take) to sweep"
        )
    moved = with_share(portfolio, year, 0.0)
    for _, message in frame_problems(moved, Names.of(moved), Suggester()):
        raise UsageError(f"--gdp-share {year}: {message}")


def parse_budgets(text: str, flag: str = "--budget ", noun: str = "budget") -> list[float]:
    """Budgets from 'START:STOP:STEP' (ascending, STOP included when reached) or 'B1,B2',
    each number read as a portfolio file's numbers are (defplan.numbers); `flag` starts
    the messages, which call the numbers `noun`s."""
    try:
        if ":" in text:
            start, stop, step = (_budget(part) for part in text.split(":"))
            if not all(math.isfinite(x) for x in (start, stop, step)):
                raise UsageError(f"{flag}{text}: START, STOP and STEP must be finite numbers")
            if not step > 0 or stop < start:
                raise UsageError(f"{flag}{text}: needs START <= STOP and a STEP > 0")
            steps = (stop - start) / step
            if steps >= MAX_POINTS:
                raise UsageError(f"{flag}{text}: more than {MAX_POINTS} points")
            last = round(steps)  # STOP counts as reached when the steps land on it
            if abs(steps - last) > 1e-12 * max(1, last):
                last = math.floor(steps)
            budgets = [_tidy(start + k * step) for k in range(last + 1)]
        else:
            parts = text.split(",")
            if any(not part.strip() for part in parts):
                raise UsageError(f"{flag}{text}: an empty entry in the list")
            budgets = [_budget(part) for part in parts]
    except ValueError:
        raise UsageError(
            f"{flag.strip()} takes START:STOP:STEP or B1,B2,... with numbers, not '{text}'"
        ) from None
    if not budgets:
        raise UsageError(f"{flag.strip()} names no {noun}")
    for budget in budgets:
        if not (math.isfinite(budget) and 0 <= budget <= MAX_MAGNITUDE):
            raise UsageError(f"{flag}{text}: {noun}s are numbers from 0 to {MAX_MAGNITUDE:g}")
    return budgets


def _budget(text: str) -> float:
    """One number of --budget (spaces around it allowed, as between a YAML list's
    items); ValueError when it is none."""
    value = read_float(text.strip())
    if value is None:
        raise ValueError(text)
    return value


def _tidy(x: float) -> float:
    """A range point without float noise (0.30000000000000004 is 0.3), keeping 15 digits."""
    return float(f"{x:.15g}") + 0.0


def sweep(
    portfolio: Portfolio,
    *,
    budgets: Sequence[float],
    options: SolveOptions,
    file: str = "",
    data: bytes = b"",
    workers: int = 1,
    on_point: Callable[[], None] | None = None,
    share_year: int | None = None,
    scheduler: str | None = None,
) -> list[SweepPoint]:
    """Solve the portfolio at every budget, in the order given; with `share_year`, the
    `budgets` are shares of GDP that year takes in the core share path (the run's
    budget stays). `scheduler`: the address of a Dask scheduler to send runs of points
    to (cluster.py)."""
    runs = _contiguous(list(budgets), max(1, workers))
    job = _Job(portfolio, options, file, data, share_year)
    results: list[Result] = []
    if scheduler is not None:
        from defplan.cluster import chunked, run_chunks

        results = run_chunks(scheduler, job.run, chunked(budgets, CLUSTER_CHUNK), on_point)
    elif len(runs) == 1:
        results = job.run(runs[0], on_point)
    else:
        with WorkerPool(max_workers=len(runs)) as pool:
            for chunk in pool.map(job.run, runs):
                results.extend(chunk)
                if on_point is not None:
                    for _ in chunk:
                        on_point()
    if share_year is None:
        return _with_changes(list(budgets), results)
    total = options.budget if options.budget is not None else portfolio.budget.total
    points = _with_changes([100 * share for share in budgets], results)
    return [
        replace(p, budget=total, gdp_share=share, share_year=share_year)
        for p, share in zip(points, budgets, strict=True)
    ]


@dataclass(frozen=True)
class _Job:
    """What every worker needs: picklable, so processes get the validated portfolio."""

    portfolio: Portfolio
    options: SolveOptions
    file: str
    data: bytes
    share_year: int | None = None

    def run(self, budgets: list[float], on_point: Callable[[], None] | None = None) -> list[Result]:
        from defplan.solving import optimise
        from defplan.solving.budget_free import holds_above

        if self.share_year is not None:
            return self._shares(budgets, on_point)
        results = []
        # the last proven answer, by budget: its candidates and their start years
        below: tuple[float, dict[str, int | None]] | None = None
        settled = False  # below's answer is the answer at every larger budget
        rival = None  # a portfolio, the total budget left out, worth more than some answer
        for budget in budgets:
            usable = below is not None and below[0] <= budget
            options = replace(self.options, budget=budget)
            result = optimise(
                self.portfolio,
                options=options,
                file=self.file,
                data=self.data,
                below=below if usable else None,
                settled=settled and usable,
            )
            if result.status is Status.OPTIMAL and not result.notes and not (settled and usable):
                selection = {c.id: c.start for c in result.selected}
                kept = usable and below is not None and selection == below[1]
                below = (budget, selection)
                settled = False
                # an answer that stayed as the budget rose, or that leaves room for a
                # candidate it leaves out, hints that the budget no longer binds: one
                # search without it may settle every larger point
                if kept or _room_left(result, budget):
                    settled, rival = holds_above(self.portfolio, options, budget, below[1], rival)
            results.append(result)
            if on_point is not None:
                on_point()
        return results

    def _shares(self, shares: list[float], on_point: Callable[[], None] | None) -> list[Result]:
        """Each share in turn, solved afresh: a smaller share's answer is no bound here."""
        from defplan.solving import optimise

        results = []
        for share in shares:
            portfolio = with_share(self.portfolio, self.share_year or 0, share)
            results.append(
                optimise(portfolio, options=self.options, file=self.file, data=self.data)
            )
            if on_point is not None:
                on_point()
        return results


def _room_left(result: Result, budget: float) -> bool:
    """True when the budget leaves room for a candidate the result leaves out."""
    left_out = [c.cost for c in result.candidates if not c.selected]
    return bool(left_out) and budget - result.cost_total >= min(left_out)


def _contiguous(budgets: list[float], workers: int) -> list[list[float]]:
    """budgets cut into at most `workers` runs of neighbouring points."""
    workers = min(workers, len(budgets))
    size, extra = divmod(len(budgets), workers)
    runs, at = [], 0
    for w in range(workers):
        end = at + size + (1 if w < extra else 0)
        runs.append(budgets[at:end])
        at = end
    return runs


def _with_changes(budgets: list[float], results: list[Result]) -> list[SweepPoint]:
    points = []
    previous: tuple[float, Result] | None = None
    for budget, result in zip(budgets, results, strict=True):
        marginal = None
        entered: tuple[str, ...] = ()
        left: tuple[str, ...] = ()
        if result.status.has_portfolio:
            if previous is not None:
                before_budget, before = previous
                spent = budget - before_budget
                if spent and before.value is not None and result.value is not None:
                    marginal = clean((result.value - before.value) / spent)
                was, now = set(before.selected_ids), set(result.selected_ids)
                entered = tuple(i for i in result.selected_ids if i not in was)
                left = tuple(i for i in before.selected_ids if i not in now)
            previous = (budget, result)
        points.append(SweepPoint(budget, result, marginal, entered, left))
    return points
