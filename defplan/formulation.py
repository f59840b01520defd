"""Portfolio + run options -> the linear model of docs/model.md, as plain data.

Nothing here knows about PuLP: constraints are labelled blocks of rows over the
selection variables x_i, so the solver can build them and the infeasibility
explanation can drop whole blocks by name.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from defplan.errors import UsageError
from defplan.model import MAX_MAGNITUDE, Portfolio, did_you_mean
from defplan.timeline import Option, delivered_by
from defplan.tolerance import ROUNDING, TIE, allowance


@dataclass(frozen=True, kw_only=True)
class SolveOptions:
    """What a run adds to the file: budget overrides, weights, forced choices, solver."""

    budget: float | None = None
    budget_per_year: Mapping[int, float] = field(default_factory=dict)
    weights: Mapping[str, float] = field(default_factory=dict)
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    starts: Mapping[str, int] = field(default_factory=dict)
    """Candidates forced in at a given start year (--start ID=YEAR)."""
    solver: str = "auto"
    time_limit: float | None = None
    cost_level: float | None = None
    """Plan each candidate's money at this quantile of its cost_risk factor (--cost-level)."""
    cost_factors: tuple[float, ...] = ()
    """Each candidate's factor on all its money (file order), as a robust sample draws
    them; when given, it replaces cost_level."""


@dataclass(frozen=True)
class Row:
    """lower <= sum(coef * x_i) + sum(flow * carried_k) <= upper; either bound may be None.

    x_i are the model's columns (start options, docs/model.md); `flows` are coefficients
    on the carried balances of the first line's capped years (carry-over), empty in
    every other row. A total may pass a bound by `tolerance` of it (relative), and by
    the rounding of its terms (tolerance.py): TIE for commitment targets, ROUNDING for
    everything else.
    """

    coefs: dict[int, float]
    lower: float | None = None
    upper: float | None = None
    tolerance: float = ROUNDING
    flows: dict[int, float] = field(default_factory=dict)

    def violated_by(self, total: float, magnitude: float) -> bool:
        """True when a total of terms whose absolute values sum to `magnitude` lies
        beyond a bound by more than the allowance (tolerance.py)."""
        upper, lower = self.upper, self.lower
        if upper is not None and total > upper + allowance(upper, magnitude, self.tolerance):
            return True
        return lower is not None and total < lower - allowance(lower, magnitude, self.tolerance)


@dataclass(frozen=True)
class Block:
    """One constraint of the file or the run: its name, in plain words, and its rows.

    Names follow one scheme (docs/model.md): budget.total, budget.per_year.YEAR,
    budget.line.LINE.YEAR, budget.line.LINE.total, carry_over, commitment.ID (hard ones;
    commitment.ID.by with a deadline), group.ID.min|max|min_share|max_share, rule.K
    (0-based), mandatory.ID, include.ID, exclude.ID, requires.ID.OTHER,
    excludes.ID.OTHER, after.ID.OTHER (ID declares it), gdp_share.YEAR,
    gdp_share.LINE.YEAR, group.ID.min_share_of_defence.YEAR (and max_).
    `unit` is what the block's number counts, for suggestions ("M EUR", "", "candidates").
    `adjust` says which way its one number could move to admit more portfolios: "raise"
    (a budget or cap), "lower" (a target), "lower above 0" (a commitment target, which
    must stay positive), or "" (no single number: links, forced choices, shares).
    The cap of a GDP share path (gdp_share.YEAR, gdp_share.LINE.YEAR) is raised by its
    share: `share` is (gdp, baseline), and the cap is share * gdp - baseline.
    """

    name: str
    label: str
    rows: tuple[Row, ...]
    unit: str = ""
    adjust: str = ""
    share: tuple[float, float] | None = None
    """(gdp, baseline) of a cap from a GDP share path: its suggestion is a share."""


@dataclass(frozen=True)
class SoftTarget:
    """A soft commitment: shortfall >= target - sum(contrib * x), costing penalty each."""

    name: str
    coefs: dict[int, float]
    target: float
    penalty: float


@dataclass(frozen=True, kw_only=True)
class Formulation:
    """The whole model: one column per start option (one per candidate in a file that
    does not plan in time), its value and money, hard constraint blocks, soft targets,
    the rows that let a candidate take one option at most (`choices`, never dropped),
    and the first line's capped years whose balances carry over (`carried_years`)."""

    values: tuple[float, ...]
    costs: tuple[float, ...]
    blocks: tuple[Block, ...]
    soft: tuple[SoftTarget, ...]
    weights: dict[str, float]
    budget_total: float | None
    budget_per_year: dict[int, float]
    options: tuple[Option, ...]
    choices: tuple[Row, ...] = ()
    carried_years: tuple[int, ...] = ()
    carry_over: float | None = None

    @cached_property
    def columns_of(self) -> list[list[int]]:
        """Each candidate's columns, in file order."""
        return _columns_of([o.candidate for o in self.options])

    def selected(self, x: Sequence[int]) -> list[int]:
        """Which candidates selection x selects, as 0/1 in file order."""
        return [int(any(x[k] for k in cols)) for cols in self.columns_of]

    def columns_taking(self, starts: Mapping[int, int | None]) -> list[int]:
        """The selection (0/1 by column) taking candidate i at start year starts[i]."""
        return [int(starts.get(o.candidate, -1) == o.start) for o in self.options]

    def chosen_options(self, x: Sequence[int]) -> dict[int, Option]:
        """The option selection x takes for each selected candidate."""
        return {o.candidate: o for k, o in enumerate(self.options) if x[k]}


def formulate(portfolio: Portfolio, options: SolveOptions) -> Formulation:
    """Build the model; UsageError when the run's options do not fit the file."""
    from defplan.frame_rows import frame_blocks
    from defplan.time_rows import after_blocks, line_blocks, start_blocks
    from defplan.timeline import money_lines, money_of, options_of

    index = portfolio.candidate_index()
    weights = normalised_weights(portfolio, options.weights)
    total, per_year = _budgets(portfolio, options)
    forced = _forced(portfolio, options, index)
    cands = portfolio.candidates
    columns = options_of(portfolio, options.cost_level, options.cost_factors)
    owner = [o.candidate for o in columns]
    money = money_lines(portfolio)
    first = portfolio.first_line
    worth = [math.fsum(w * c.value_of(k) for k, w in weights.items()) for c in cands]
    values = tuple(worth[o.candidate] - o.value_lost for o in columns)
    costs = tuple(money_of(o, cands[o.candidate], money) for o in columns)
    unit = portfolio.money_unit
    carried = tuple(sorted(per_year)) if portfolio.budget.carry_over is not None else ()
    blocks: list[Block] = []
    if total is not None:
        row = Row(nonzero(enumerate(costs)), upper=total)
        label = f"total budget {total:,.12g} {unit}"
        blocks.append(Block("budget.total", label, (row,), unit, "raise"))
    for k, (year, cap) in enumerate(sorted(per_year.items())):
        spend = nonzero((j, o.spend.get(first, {}).get(year, 0.0)) for j, o in enumerate(columns))
        flows = ({k: 1.0} | ({k - 1: -1.0} if k else {})) if carried else {}
        row = Row(spend, upper=cap, flows=flows)
        label = f"budget cap for {year}: {cap:,.12g} {unit}"
        adjust = "" if carried else "raise"
        blocks.append(Block(f"budget.per_year.{year}", label, (row,), unit, adjust))
    if carried:
        limit = portfolio.budget.carry_over or 0.0
        rows = tuple(Row({}, upper=limit, flows={k: 1.0}) for k in range(len(carried)))
        label = f"carry-over of at most {limit:,.12g} {unit} of unspent caps"
        blocks.append(Block("carry_over", label, rows, unit))
    blocks.extend(line_blocks(portfolio, columns))
    blocks.extend(frame_blocks(portfolio, columns))
    soft: list[SoftTarget] = []
    for name, com in portfolio.commitments.items():
        by = com.by
        coefs = nonzero(
            (j, cands[o.candidate].commitments.get(name, 0.0))
            for j, o in enumerate(columns)
            if by is None or delivered_by(o, portfolio) <= by
        )
        if com.hard:
            when = f" by {by}" if by is not None else ""
            label = f"commitment '{name}' ({com.framework or 'hard'}): reach {com.target:g}{when}"
            row = Row(coefs, lower=com.target, tolerance=TIE)
            block = f"commitment.{name}" + (".by" if by is not None else "")
            blocks.append(Block(block, label, (row,), adjust="lower above 0"))
        else:
            soft.append(SoftTarget(name, coefs, com.target, com.penalty or 0.0))
    columns_of = _columns_of(owner)
    blocks.extend(_group_blocks(portfolio, costs, unit, owner))
    blocks.extend(_rule_blocks(portfolio, index, columns_of))
    blocks.extend(_link_blocks(portfolio, index, columns_of))
    blocks.extend(after_blocks(portfolio, index, columns, columns_of))
    for i, how, value in forced:
        ones = dict.fromkeys(columns_of[i], 1.0)
        bound = Row(ones, lower=1.0) if value else Row(ones, upper=0.0)
        cost = min(costs[j] for j in columns_of[i])
        shown = f" (cost {cost:,.12g} {unit})" if value and cost else ""
        words = {"mandatory": "mandatory candidate", "include": "--include", "exclude": "--exclude"}
        label = f"{words[how]} '{cands[i].id}'{shown}"
        blocks.append(Block(f"{how}.{cands[i].id}", label, (bound,)))
    blocks.extend(start_blocks(portfolio, options, index, columns, columns_of))
    choices = tuple(
        Row(dict.fromkeys(cols, 1.0), upper=1.0) for cols in columns_of if len(cols) > 1
    )
    return Formulation(
        values=values,
        costs=costs,
        blocks=tuple(blocks),
        soft=tuple(soft),
        weights=weights,
        budget_total=total,
        budget_per_year=per_year,
        options=tuple(columns),
        choices=choices,
        carried_years=carried,
        carry_over=portfolio.budget.carry_over if carried else None,
    )


def _columns_of(owner: Sequence[int]) -> list[list[int]]:
    """The columns of each candidate, given each column's candidate (in order)."""
    found: list[list[int]] = []
    for k, i in enumerate(owner):
        if i == len(found):
            found.append([])
        found[i].append(k)
    return found


def normalised_weights(portfolio: Portfolio, overrides: Mapping[str, float]) -> dict[str, float]:
    """Objective weights after --weight overrides, scaled to sum to 1."""
    raw = {k: o.weight for k, o in portfolio.objectives.items()}
    for name, weight in overrides.items():
        if name not in raw:
            raise UsageError(
                f"--weight: unknown objective '{name}'{did_you_mean(name, list(raw))}; "
                f"objectives are {', '.join(raw)}"
            )
        if not (math.isfinite(weight) and 0 <= weight <= MAX_MAGNITUDE):
            raise UsageError(f"--weight {name}: a weight is a number from 0 to {MAX_MAGNITUDE:g}")
        raw[name] = weight
    total = math.fsum(raw.values())
    if total <= 0:
        raise UsageError("the objective weights are all 0; give at least one a weight > 0")
    return {k: w / total for k, w in raw.items()}


def _budgets(portfolio: Portfolio, options: SolveOptions) -> tuple[float | None, dict[int, float]]:
    total = options.budget if options.budget is not None else portfolio.budget.total
    if total is not None:
        total += 0.0  # -0.0 becomes 0.0
    per_year = {
        y: b + 0.0 for y, b in {**portfolio.budget.per_year, **options.budget_per_year}.items()
    }
    asked = [("--budget", options.budget)]
    asked += [(f"--budget-year {y}", b) for y, b in options.budget_per_year.items()]
    for label, amount in asked:
        if amount is not None and not (math.isfinite(amount) and 0 <= amount <= MAX_MAGNITUDE):
            raise UsageError(f"{label}: a budget is a number from 0 to {MAX_MAGNITUDE:g}")
    if portfolio.years is not None:
        first, last = portfolio.years
        for year in options.budget_per_year:
            if not first <= year <= last:
                raise UsageError(
                    f"--budget-year {year}: outside the planning horizon {first}-{last}"
                )
    line_caps = any(c.per_year or c.total is not None for c in portfolio.budget.lines.values())
    line_caps = line_caps or portfolio.budget.gdp_share is not None
    line_caps = line_caps or any(c.gdp_share for c in portfolio.budget.lines.values())
    if total is None and not per_year and not line_caps:
        lines = " or budget.lines" if portfolio.lines else ""
        raise UsageError(
            "no budget: give --budget or --budget-year, or set budget.total or "
            f"budget.per_year{lines} in the file"
        )
    if total is None:
        free = plain_costs(portfolio)
        if free:
            what = "caps by year or by line" if line_caps else "annual caps"
            raise UsageError(
                f"only {what} are set, so candidates with a plain (not per-year) cost "
                f"would be free: {', '.join(free)}; give a total budget or per-year profiles"
            )
    return total, per_year


def plain_costs(portfolio: Portfolio, options: SolveOptions | None = None) -> list[str]:
    """Ids of the candidates with a plain non-zero cost (one number, in no year), which
    no annual cap counts; with run options, those the run's --exclude keeps out are left
    out of the list."""
    out = set(options.exclude) if options is not None else set()
    return [
        c.id
        for c in portfolio.candidates
        if c.cost_years is None and c.total_cost > 0 and c.id not in out
    ]


def escapes_annual_caps(portfolio: Portfolio, options: SolveOptions | None = None) -> list[str]:
    """The plain-cost candidates (`plain_costs`) when the file or the run sets annual
    caps: each would escape all of them. Empty without annual caps."""
    caps = {**portfolio.budget.per_year, **(options.budget_per_year if options else {})}
    framed = portfolio.economy is not None  # a share of GDP caps each year too
    return plain_costs(portfolio, options) if caps or framed else []


def _forced(
    portfolio: Portfolio, options: SolveOptions, index: dict[str, int]
) -> list[tuple[int, str, bool]]:
    """Every forced choice as (position, reason, selected); mandatory and --exclude may clash."""
    ids = list(index)
    for flag, chosen in (("--include", options.include), ("--exclude", options.exclude)):
        for cid in chosen:
            if cid not in index:
                raise UsageError(f"{flag}: unknown candidate '{cid}'{did_you_mean(cid, ids)}")
    both = sorted(set(options.include) & set(options.exclude), key=index.__getitem__)
    if both:
        raise UsageError(f"both --include and --exclude name: {', '.join(both)}")
    forced: list[tuple[int, str, bool]] = [
        (i, "mandatory", True) for i, c in enumerate(portfolio.candidates) if c.mandatory
    ]
    forced += [(index[cid], "include", True) for cid in dict.fromkeys(options.include)]
    forced += [(index[cid], "exclude", False) for cid in dict.fromkeys(options.exclude)]
    return forced


def _group_blocks(
    portfolio: Portfolio, costs: tuple[float, ...], unit: str, owner: Sequence[int]
) -> list[Block]:
    cands = portfolio.candidates
    blocks = []
    for name, g in portfolio.groups.items():
        members = {k for k, i in enumerate(owner) if cands[i].group == name}
        spend = nonzero((i, costs[i]) for i in members)
        if g.min is not None:
            label = f"group '{name}': spend at least {g.min:,.12g} {unit}"
            row = Row(spend, lower=g.min)
            blocks.append(Block(f"group.{name}.min", label, (row,), unit, "lower"))
        if g.max is not None:
            label = f"group '{name}': spend at most {g.max:,.12g} {unit}"
            row = Row(spend, upper=g.max)
            blocks.append(Block(f"group.{name}.max", label, (row,), unit, "raise"))
        for share, sense, key in (
            (g.min_share, "at least", "min_share"),
            (g.max_share, "at most", "max_share"),
        ):
            if share is None:
                continue
            # share * C <= spend  <=>  sum_i (in_group_i - share) * cost_i * x_i >= 0
            coefs = nonzero(
                (i, ((1.0 if i in members else 0.0) - share) * cost) for i, cost in enumerate(costs)
            )
            row = Row(coefs, lower=0.0) if sense == "at least" else Row(coefs, upper=0.0)
            label = f"group '{name}': {sense} {100 * share:.4g}% of the portfolio's cost"
            blocks.append(Block(f"group.{name}.{key}", label, (row,)))
    return blocks


def _rule_blocks(
    portfolio: Portfolio, index: dict[str, int], columns_of: Sequence[Sequence[int]]
) -> list[Block]:
    blocks = []
    for n, rule in enumerate(portfolio.rules):
        lower, upper = rule.bounds
        members = dict.fromkeys(index[cid] for cid in rule.of)
        coefs = dict.fromkeys((k for i in members for k in columns_of[i]), 1.0)
        word = (
            "exactly"
            if rule.exactly is not None
            else "at most"
            if rule.at_most is not None
            else "at least"
        )
        count = lower if lower is not None else upper
        label = f"{word} {count} of {', '.join(rule.of)}"
        row = Row(coefs, lower=lower, upper=upper)
        adjust = "" if rule.exactly is not None else "raise" if upper is not None else "lower"
        blocks.append(Block(f"rule.{n}", label, (row,), "candidates", adjust))
    return blocks


def _link_blocks(
    portfolio: Portfolio, index: dict[str, int], columns_of: Sequence[Sequence[int]]
) -> list[Block]:
    def ones(i: int, coef: float) -> dict[int, float]:
        return dict.fromkeys(columns_of[i], coef)

    blocks = []
    seen_pairs: set[tuple[int, int]] = set()
    for i, c in enumerate(portfolio.candidates):
        for other in dict.fromkeys(c.requires):
            row = Row(ones(i, 1.0) | ones(index[other], -1.0), upper=0.0)
            blocks.append(Block(f"requires.{c.id}.{other}", f"'{c.id}' requires '{other}'", (row,)))
        for other in dict.fromkeys(c.excludes):
            j = index[other]
            pair = (min(i, j), max(i, j))
            if pair in seen_pairs:
                continue
            seen_pairs.add(pair)
            row = Row(ones(i, 1.0) | ones(j, 1.0), upper=1.0)
            blocks.append(Block(f"excludes.{c.id}.{other}", f"'{c.id}' excludes '{other}'", (row,)))
    return blocks


def nonzero(pairs: Iterable[tuple[int, float]]) -> dict[int, float]:
    """The (column, coefficient) pairs whose coefficient is not 0, as a row's coefs."""
    return {i: float(v) for i, v in pairs if v != 0}


def solver_row(row: Row) -> tuple[Row, float]:
    """The row as the solvers get it, and the power of two it was divided by: the same
    selections, in well-conditioned numbers.

    1. Each bound is relaxed by its tolerance, so that every selection meeting it
    (tolerance.py) is feasible for the solvers too. 2. A lower-bound-only row's positive
    coefficients are capped where one term alone always meets the bound (x binary: the
    same selections), so a target of 5e-10 does not sit below terms of 1. 3. The row is
    divided by a power of two near the size of its coefficients (row_scale; exact in
    floating point): solvers' tolerances and presolve thresholds are absolute, so
    contributions of 1e-10 would vanish in them, and CBC mixed its scaled and unscaled
    views of a budget of 1e9 (see Engine.disproof). Exact checks use the
    row itself (Engine.broken); a solver's answer this lets through is refused there.
    """
    coefs, lower, upper = dict(row.coefs), row.lower, row.upper
    if lower is not None:
        lower -= allowance(lower, 0.0, row.tolerance)
    if upper is not None:
        upper += allowance(upper, 0.0, row.tolerance)
    if lower is not None and upper is None:
        least = math.fsum(c for c in coefs.values() if c < 0)  # the others' lowest sum
        cap = lower - least
        if cap > 0:
            coefs = {i: min(c, cap) for i, c in coefs.items()}
    scale = row_scale([*coefs.values(), *row.flows.values()])
    scaled = Row(
        {i: c / scale for i, c in coefs.items()},
        None if lower is None else lower / scale,
        None if upper is None else upper / scale,
        row.tolerance,
        {k: c / scale for k, c in row.flows.items()},
    )
    return scaled, scale


def row_scale(coefs: Iterable[float]) -> float:
    """A power of two near the geometric mean of a row's smallest and largest nonzero
    |coefficient|: dividing by it centres the row's coefficients on 1, where the largest
    is not too large for a solver's absolute tolerances nor the smallest small enough
    for its presolve to drop (HiGHS drops matrix entries below 1e-9)."""
    sizes = [abs(c) for c in coefs if c]
    if not sizes:
        return 1.0
    return power_of_two_near(math.sqrt(min(sizes)) * math.sqrt(max(sizes)))


def power_of_two_near(amount: float) -> float:
    """The power of two nearest `amount` on a log scale (1 for 0 or non-finite): dividing
    by it is exact in floating point."""
    if not amount or not math.isfinite(amount):
        return 1.0
    return 2.0 ** round(math.log2(amount))
