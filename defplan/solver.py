"""Portfolio + options -> Result: the PuLP integer program, solver choice and status.

The canonical answer (docs/model.md): 1. maximise value, first within FIRST_GAP, then one
search for any other portfolio within a relative 1e-9 of that value or above it
(`Engine.prove`); usually none exists and that is the answer (two solves). Otherwise
2. ask whether another comes within 1e-9 of the best value at no greater cost,
3. minimise cost among the portfolios of that value, 4. ask again whether another ties
on both, and 5. only then walk the candidates in file order, keeping each one selected
whenever a tied portfolio allows it (the lexicographically greatest selection).
Never prints: HiGHS's C banner is held off stdout while it runs.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from typing import Any

from defplan import backends
from defplan.backends import GAP, Outcome
from defplan.errors import SolverFailure
from defplan.formulation import (
    Block,
    Formulation,
    Row,
    SolveOptions,
    formulate,
    power_of_two_near,
    solver_row,
)
from defplan.model import Candidate, Commitment, Group, Portfolio
from defplan.result import (
    CandidateOutcome,
    CommitmentOutcome,
    Forced,
    Result,
    SolverInfo,
    Status,
    clean,
    shortfall,
)
from defplan.signals import import_pulp
from defplan.timing import phase
from defplan.tolerance import allowance, tie_tolerance, total_and_magnitude

CHUNK = 20
"""Candidates settled per solve when ties go to file order (2^20 stays exact in a MIP)."""
REPAIRS = 20
"""How many answers off by a rounding error one solve rules out before it gives up."""
FIRST_GAP = 1e-5
"""Relative gap at which HiGHS, racing CBC, ends the first search for the best value;
`Engine.prove` then closes it, unless CBC proved the best first. At 5,000 candidates
(bench/scale.py) HiGHS found the best in 1.7 s (0.65 s now, from warmstart.py's start)
and needed 2 s more to prove it, which CBC does in 0.6 s given its value; looser
(1e-4) gave answers further from the best and so slower proofs, tighter (1e-6) slowed
the search itself. CBC alone, or HiGHS alone, proves at once: on tight knapsacks
(OR-Library) a search without a cost cap, as in the proof, is slower than the tie
search that follows a proven best."""


def optimise(
    portfolio: Portfolio,
    *,
    options: SolveOptions | None = None,
    file: str = "",
    data: bytes = b"",
    below: tuple[float, Sequence[str]] | None = None,
    without: Collection[str] = (),
) -> Result:
    """Find the best portfolio; `file` and `data` (the input bytes) label the result.

    `below` is (budget, selection): this same run's proven answer at a total budget no
    larger than this one (a sweep's previous point). It only shortens the search.
    `without` names constraints (issue 4's scheme) to leave out, as if never written.
    """
    import_pulp()  # here, so that --profile counts it as start-up

    options = options or SolveOptions()
    started = time.perf_counter()
    with phase("build"):
        form = formulate(portfolio, options)
        engine = Engine(form, options, without=without)
    lower = None
    unique = False
    if below is None:
        first = engine.maximise(engine.value_expr, race_gap=FIRST_GAP, warm_start=True)
        if first.status is Status.OPTIMAL and first.x is not None and first.within > GAP:
            first, unique = engine.prove(first.x, first.within)
    else:  # the smaller budget's answer is feasible here too: its value is a floor
        chosen_below = set(below[1])
        lower = (below[0], [1 if c.id in chosen_below else 0 for c in portfolio.candidates])
        y_value = objective_value(form, lower[1])
        first = engine.maximise(engine.value_expr, floor=y_value - 2 * engine.value_tie(y_value))
        if first.status is Status.INFEASIBLE:
            first = engine.maximise(engine.value_expr)  # never expected: y is above it
    conflicts: tuple[str, ...] = ()
    details: tuple[str, ...] = ()
    x: list[int] | None = first.x
    status = first.status
    notes: tuple[str, ...] = ()
    if status is Status.OPTIMAL and x is not None and not unique:
        x = engine.canonical(x, lower)
        if engine.cut_short:
            notes = (
                "the time limit ran out while settling ties: the portfolio is optimal, "
                "but another of equal value may be cheaper or earlier in the file",
            )
    elif status is Status.INFEASIBLE:
        blocks = engine.conflicting_blocks()
        conflicts = tuple(b.name for b in blocks)
        details = tuple(engine.describe_conflict(b) for b in blocks)
        if engine.cut_short:
            notes = (
                "the time limit ran out while narrowing down the conflict: "
                "some listed constraints may not be needed for it",
            )
    notes += backends.missing_solver_notes(options.solver)
    gap = 0.0 if status is Status.OPTIMAL else first.gap if status is Status.FEASIBLE else None
    info = SolverInfo(
        name=engine.solver_name,
        version=engine.solver_version,
        gap=gap,
        seconds=time.perf_counter() - started,
    )
    return build_result(
        portfolio,
        form,
        status=status,
        x=x,
        solver=info,
        conflicts=conflicts,
        conflict_details=details,
        notes=notes,
        file=file,
        sha256=hashlib.sha256(data).hexdigest(),
        options=options,
    )


def build_result(
    portfolio: Portfolio,
    form: Formulation,
    *,
    status: Status,
    x: Sequence[int] | None,
    solver: SolverInfo,
    conflicts: tuple[str, ...] = (),
    conflict_details: tuple[str, ...] = (),
    notes: tuple[str, ...] = (),
    file: str = "",
    sha256: str = "",
    options: SolveOptions | None = None,
) -> Result:
    """A Result whose numbers are all recomputed from the selection x; it records the
    run's `options` and the file's rules in words, so that a diff can compare them."""
    chosen = list(x) if x is not None and status.has_portfolio else [0] * len(form.values)
    cands = tuple(
        CandidateOutcome(
            id=c.id,
            name=c.title,
            group=c.group,
            selected=bool(chosen[i]),
            cost=clean(form.costs[i]),
            value=clean(form.values[i]),
            objectives={k: clean(c.value_of(k)) for k in portfolio.objectives},
            profile=dict(sorted(c.profile.items())),
            forced=forced_by(c, options),
        )
        for i, c in enumerate(portfolio.candidates)
    )
    commitments = {}
    for name, com in portfolio.commitments.items():
        achieved, magnitude = total_and_magnitude(
            c.commitments.get(name, 0.0)
            for c, on in zip(portfolio.candidates, chosen, strict=True)
            if on
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
            math.fsum(
                form.costs[i]
                for i, c in enumerate(portfolio.candidates)
                if chosen[i] and c.group == name
            )
        )
        for name in portfolio.groups
    }
    value = clean(objective_value(form, chosen)) if status.has_portfolio else None
    labels = {k: o.label or k for k, o in portfolio.objectives.items()}
    unit = f"{portfolio.unit} {portfolio.currency}".strip()
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
        solver=solver,
        conflicts=conflicts,
        conflict_details=conflict_details,
        notes=notes,
        group_rules=rules,
        commitment_rules={k: commitment_rule_text(c) for k, c in portfolio.commitments.items()},
        rules=tuple(b.label for b in form.blocks if b.name.startswith("rule.")),
        run=options,
    )


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
    return "; ".join(parts) or "none"


def objective_value(form: Formulation, x: Sequence[int]) -> float:
    """SPEC §2 objective of a selection: values minus soft-commitment penalties."""
    gained = math.fsum(v for v, on in zip(form.values, x, strict=True) if on)
    lost = math.fsum(
        s.penalty * shortfall(s.target, *total_and_magnitude(c for i, c in s.coefs.items() if x[i]))
        for s in form.soft
    )
    return gained - lost


def selection_cost(form: Formulation, x: Sequence[int]) -> float:
    """Summed cost of a selection."""
    return math.fsum(c for c, on in zip(form.costs, x, strict=True) if on)


SIZE = 1e4
"""Objectives, and rows of value or money added for a search (tie band, cost caps), are
scaled so that their largest coefficient is near this: the tie rule's relative 1e-9 is
then about 1e-5 in them, far above HiGHS's absolute tolerance (1e-9 here), where a row
centred on 1, as the blocks are, would put it at the tolerance itself. HiGHS's presolve
also treats objective coefficients a few 1e-8 apart as equal. CBC scales rows itself:
for it the exact checks of its answers, and its doubted claims (backends.DOUBTED),
decide."""


CUTOFF_ROOM = 1e-6
"""Added to every cutoff, in the solvers' units (the objective scaled to SIZE): a cutoff
only prunes, and one at the very objective of the answer wanted (0, in a search among
portfolios worth nothing) would prune that answer too."""


def _scale(coefs: Iterable[float]) -> float:
    """The power of two (exact in floating point) to multiply by to bring the largest of
    these coefficients near SIZE."""
    largest = max((abs(c) for c in coefs), default=0.0)
    return 1.0 / power_of_two_near(largest / SIZE)


def _breaks(row: Row, x: Sequence[int]) -> bool:
    """True when selection x puts row's exact total beyond a bound (tolerance.py)."""
    return row.violated_by(*total_and_magnitude(c for i, c in row.coefs.items() if x[i]))


def _evaluated(expr: Any, values: dict[str, float]) -> tuple[float, float]:
    """A PuLP expression's exact total (constant aside) and magnitude at these values."""
    return total_and_magnitude(c * values[v.name] for v, c in expr.items())


def _meets(constraint: Any, values: dict[str, float]) -> bool:
    """True when a PuLP constraint holds at these values in exact sums (tolerance.py)."""
    total, magnitude = _evaluated(constraint, values)
    bound = -constraint.constant
    slack = allowance(bound, magnitude)
    sense = constraint.sense  # PuLP's: -1 for <=, 0 for ==, 1 for >=
    return (sense >= 0 or total <= bound + slack) and (sense <= 0 or total >= bound - slack)


class Engine:
    """One PuLP model of a formulation and the solves run on it.

    `extra` holds rows added for the moment (PuLP constraints over `x`, `value_expr`,
    `cost_expr`); every solve uses the active blocks, the soft rows and these.
    """

    def __init__(self, form: Formulation, options: SolveOptions, without: Collection[str] = ()):
        self.pulp = pulp = import_pulp()  # heavy (numpy, highspy): imported to solve
        self.form = form
        self.options = options
        self.deadline = (
            None if options.time_limit is None else time.monotonic() + options.time_limit
        )
        self.solver_name, self.solver_version = backends.identity(options.solver)
        n = len(form.values)
        # kept: PuLP 4's variables die with the problem that made them
        self.home = pulp.LpProblem("variables")
        make = self.home.add_variable  # no LpVariable(...) deprecation
        # (name, lower, upper, kind) of each variable, to make them again in each problem
        self.columns = [(f"x{i}", 0, 1, pulp.LpBinary) for i in range(n)] + [
            (f"s{k}", 0, None, pulp.LpContinuous) for k in range(len(form.soft))
        ]
        made = [make(*column) for column in self.columns]
        # PuLP 4 (a core in Rust) takes no row over another problem's variables
        self.tied = int(pulp.__version__.split(".")[0]) >= 4
        self.x, short = made[:n], made[n:]
        self.block_rows: list[list[Any]] = [
            [c for row in block.rows for c in self._row(solver_row(row)[0])]
            for block in form.blocks
        ]
        # a soft target's row is conditioned as the blocks' are, and its shortfall
        # variable counts in units of the row's scale (a target of 5e-10: units of 2^-31)
        soft = [solver_row(Row(s.coefs, lower=s.target)) for s in form.soft]
        self.soft_units = [unit for _, unit in soft]
        self.soft_rows = [
            self.expr(row.coefs) + short[k] >= row.lower for k, (row, _) in enumerate(soft)
        ]
        # (block, row): rows ruling out selections that break the block by a rounding error
        self.cuts: list[tuple[int, Any]] = []
        self.value_expr = self.expr(dict(enumerate(form.values))) - self.linear(
            [(short[k], s.penalty * self.soft_units[k]) for k, s in enumerate(form.soft)]
        )
        self.cost_expr = self.expr(dict(enumerate(form.costs)))
        # what rounding can make of a value or a cost: the floor of the tie tolerance
        self.value_magnitude = math.fsum(abs(v) for v in form.values) + math.fsum(
            s.penalty * abs(s.target) for s in form.soft
        )
        self.cost_magnitude = math.fsum(abs(c) for c in form.costs)
        self.extra: dict[str, Any] = {}
        self.cut_short = False
        # the tie band, set by canonical once the best value is known
        self.value_floor = -math.inf
        self.cost_cap = math.inf
        self.every_x = self.linear([(v, 1.0) for v in self.x]) <= n
        self.active = [k for k, b in enumerate(form.blocks) if b.name not in without]

    def linear(self, terms: Sequence[tuple[Any, float]]) -> Any:
        """sum(coef * v) over (v, coef) pairs: PuLP 4 builds it with `from_list` (its
        constructor takes no list), PuLP 3 with the constructor (it has no `from_list`)."""
        lp = self.pulp.LpAffineExpression
        from_list = getattr(lp, "from_list", None)
        return from_list(list(terms)) if from_list is not None else lp(list(terms))

    def expr(self, coefs: dict[int, float]) -> Any:
        """sum(coef * x_i) over this engine's variables."""
        return self.linear([(self.x[i], c) for i, c in coefs.items() if c])

    def _row(self, row: Row) -> list[Any]:
        expr = self.expr(row.coefs)
        rows = []
        if row.lower is not None:
            rows.append(expr >= row.lower)
        if row.upper is not None:
            rows.append(expr <= row.upper)
        return rows

    def problem(self, objective: Any, *, blocks: Sequence[int] | None = None) -> Any | None:
        """A fresh PuLP minimisation: the chosen blocks (all by default), soft rows, extras.

        None when a row without variables fails on its own (say, a target nobody
        contributes to): nothing is feasible. Rows without variables that hold are left
        out: PuLP would add a '__dummy' variable to them in place, which CBC cannot read.
        """
        pulp = self.pulp
        prob = pulp.LpProblem("defplan", pulp.LpMinimize)
        # PuLP 4: this problem gets variables of its own, of the same names, and every
        # row is copied onto them; PuLP 3 takes the engine's (copies cost 0.1 s a solve
        # at 5,000 candidates)
        own = {c[0]: prob.add_variable(*c) for c in self.columns} if self.tied else None

        def moved(row: Any) -> Any:
            return row if own is None else self._moved(row, own)

        # a copy without constant (cutoffs compare plain sums), never empty (else PuLP
        # adds a '__dummy' variable to it in place)
        terms = [(v, c) for v, c in objective.items() if c] or [(self.x[0], 0.0)]
        if own is not None:
            terms = [(own[v.name], c) for v, c in terms]
        prob.setObjective(self.linear(terms))
        chosen = self.active if blocks is None else blocks
        constraints = [c for b in chosen for c in self.block_rows[b]]
        among = set(chosen)
        constraints += [cut for b, cut in self.cuts if b in among]
        constraints += self.soft_rows + [self._conditioned(c) for c in self.extra.values()]
        for k, constraint in enumerate(constraints):
            if not constraint.keys():
                if constraint.valid(0):
                    continue
                return None
            prob.addConstraint(moved(constraint), f"c{k}")
        prob.addConstraint(moved(self.every_x), "every_x")  # else a variable in no row is unset
        return prob

    def _moved(self, constraint: Any, own: dict[str, Any]) -> Any:
        """The constraint over the variables `own` (by name) in place of the engine's."""
        return self._rebuilt(constraint, [(own[v.name], c) for v, c in constraint.items()])

    def value_tie(self, value: float) -> float:
        """How far below `value` another value may lie and still tie with it (SPEC §2)."""
        return tie_tolerance(value, self.value_magnitude)

    def cost_tie(self, cost: float) -> float:
        """How far above `cost` another cost may lie and still tie with it (SPEC §2)."""
        return tie_tolerance(cost, self.cost_magnitude)

    def _conditioned(self, constraint: Any) -> Any:
        """An extra row as the solvers get it: a row of counts (coefficients of 1 and -1:
        no-goods, fixed choices) as it is; a row of value or money multiplied by a power
        of two (exact) that brings its largest coefficient near SIZE, as the objective is,
        so that the tie rule's relative margins stay far above the solvers' tolerances."""
        terms = list(constraint.items())
        if all(abs(c) == 1.0 for _, c in terms):
            return constraint
        scale = _scale(c for _, c in terms)
        if scale == 1.0:
            return constraint
        return self._rebuilt(constraint, [(v, c * scale) for v, c in terms], 1.0 / scale)

    def _rebuilt(self, constraint: Any, terms: list[tuple[Any, float]], scale: float = 1.0) -> Any:
        """A constraint of constraint's sense over `terms`, its constant divided by scale."""
        pulp = self.pulp
        expr = self.linear(terms)
        expr += constraint.constant / scale
        if constraint.sense == pulp.LpConstraintLE:
            return expr <= 0
        if constraint.sense == pulp.LpConstraintGE:
            return expr >= 0
        return expr == 0

    # -- solving --------------------------------------------------------------------
    def maximise(
        self,
        objective: Any,
        *,
        floor: float | None = None,
        race_gap: float = GAP,
        heuristics: bool = True,
        warm_start: bool = False,
    ) -> Outcome:
        """Maximise objective; `floor` is a value no wanted answer falls below."""
        cutoff = None if floor is None else -floor
        return self.solve(
            -objective,
            cutoff=cutoff,
            race_gap=race_gap,
            heuristics=heuristics,
            warm_start=warm_start,
        )

    def minimise(self, objective: Any, *, ceiling: float | None = None) -> Outcome:
        """Minimise objective; `ceiling` is a value no wanted answer rises above."""
        return self.solve(objective, cutoff=ceiling)

    def solve(
        self,
        objective: Any,
        *,
        blocks: Sequence[int] | None = None,
        cutoff: float | None = None,
        race_gap: float = GAP,
        heuristics: bool = True,
        warm_start: bool = False,
    ) -> Outcome:
        """Minimise objective over the chosen blocks (the active ones by default).

        `cutoff` lets the solver prune branches whose objective cannot get below it. It
        only speeds the search up; rows in the model, not the cutoff, decide what counts.
        `race_gap`, `heuristics`, `warm_start`: see backends.solve (the defaults prove,
        heuristics on, no start).
        """
        chosen = self.active if blocks is None else blocks
        scale = _scale(objective.values())
        ruled_out: list[str] = []  # no-goods for answers that break an extra row
        try:
            for _ in range(REPAIRS + 1):
                with phase("build"):
                    prob = self.problem(objective * scale, blocks=chosen)
                if prob is None:
                    return Outcome(Status.INFEASIBLE, None, None)
                with phase("solve"):
                    outcome = backends.solve(
                        prob,
                        self.x,
                        solver=self.options.solver,
                        deadline=self.deadline,
                        cutoff=None if cutoff is None else cutoff * scale + CUTOFF_ROOM,
                        broken=lambda x: self.broken(x, chosen) or self._broken_extra(x),
                        disproof=lambda found: self.disproof(found, chosen, objective, cutoff),
                        race_gap=race_gap,
                        heuristics=heuristics,
                        warm_start=warm_start,
                    )
                if outcome.refused is None or not self._rule_out(
                    outcome.refused, chosen, ruled_out
                ):
                    break
        finally:
            for name in ruled_out:
                self.extra.pop(name, None)
        if outcome.objective is not None:
            outcome = replace(outcome, objective=outcome.objective / scale)
        if outcome.rejected and self.deadline is None:
            raise SolverFailure(f"{outcome.rejected}; try another --solver")
        if not outcome.answered:  # a solver's error, never a time limit
            raise SolverFailure(f"solver {self.options.solver} stopped without an answer")
        if outcome.status in (Status.FEASIBLE, Status.UNKNOWN):
            self.cut_short = True  # a later stage stopped at the time limit
        return outcome

    def broken(self, x: Sequence[int], blocks: Sequence[int] | None = None) -> str:
        """The first of the blocks (the active ones by default) that selection x breaks,
        in exact sums ("" if none).

        Solvers accept rows off by their feasibility tolerance, which is absolute and
        theirs; this check is what decides. A budget passed by a hair is passed: only
        the rounding of decimal input and the rows' own tolerance are forgiven
        (tolerance.py), relative to the bound and the terms, however large or small.
        """
        k = self._broken_block(x, blocks)
        return "" if k is None else self.form.blocks[k].name

    def _broken_block(self, x: Sequence[int], blocks: Sequence[int] | None = None) -> int | None:
        """The position of the first block x breaks (see broken), None if none."""
        for k in self.active if blocks is None else blocks:
            if any(_breaks(row, x) for row in self.form.blocks[k].rows):
                return k
        return None

    def _rule_out(self, x: Sequence[int], blocks: Sequence[int], ruled_out: list[str]) -> bool:
        """Rule out, in every later solve with the block x breaks, the selections that
        agree with x on that block's candidates: they all break it alike. When x breaks
        only an extra row (a tie band, a cap), rule out x alone, for this solve: its
        name goes in `ruled_out`. False when x breaks nothing (nothing to rule out)."""
        k = self._broken_block(x, blocks)
        if k is not None:
            support = sorted({i for row in self.form.blocks[k].rows for i in row.coefs})
            self.cuts.append((k, self._conditioned(self.differs_on(x, support))))
            return True
        if not self._broken_extra(x):
            return False
        name = f"ruled_out.{len(ruled_out)}"
        self.extra[name] = self.differs_from(x)
        ruled_out.append(name)
        return True

    def _values(self, x: Sequence[int]) -> dict[str, float]:
        """Every variable's value at selection x, soft shortfalls at their least."""
        values = {f"x{i}": float(on) for i, on in enumerate(x)}
        for k, s in enumerate(self.form.soft):
            achieved = math.fsum(c for i, c in s.coefs.items() if x[i])
            values[f"s{k}"] = max(0.0, s.target - achieved) / self.soft_units[k]
        return values

    def _broken_extra(self, x: Sequence[int], values: dict[str, float] | None = None) -> str:
        """The name of the first extra row selection x breaks in exact sums ("" if none):
        the tie band, the cost cap and the no-goods are decided here, not by a solver's
        tolerance."""
        values = self._values(x) if values is None else values
        return next((name for name, c in self.extra.items() if not _meets(c, values)), "")

    def holds(
        self,
        x: Sequence[int],
        blocks: Sequence[int] | None = None,
        objective: Any = None,
        cutoff: float | None = None,
    ) -> bool:
        """True when selection x meets, in exact sums, every row a solve over `blocks`
        has (blocks, extras; soft shortfalls at their least) and the cutoff, if any.
        The cutoff and the extras, which most witnesses fail, are checked first."""
        values = self._values(x)
        if cutoff is not None and objective is not None:
            total, magnitude = _evaluated(objective, values)
            if total > cutoff + allowance(cutoff, magnitude):
                return False
        if self._broken_extra(x, values):
            return False
        return self._broken_block(x, blocks) is None

    def disproof(
        self,
        found: Sequence[Sequence[int]],
        blocks: Sequence[int] | None = None,
        objective: Any = None,
        cutoff: float | None = None,
    ) -> str:
        """Names a selection that shows a solver's "no portfolio meets these rows" wrong:
        one of `found` (the other racer's portfolios) or a cheap witness, the empty
        selection or the forced candidates alone, that meets every row of the solve in
        exact sums; "" when none does.

        Why these: a claim of infeasibility has no certificate to check, and solving
        again with the other solver would double the time of every search whose usual
        answer is "none" (the proof and tie searches, the conflict filter). These
        witnesses cost one pass over the rows and catch the claims seen to go wrong: a
        budget's solve, where the empty selection is feasible, and a race in which the
        other solver already holds a portfolio. CBC declared a 1e9 budget infeasible
        that way: it accepted a selection over the budget by 2 within its tolerance,
        cut off everything worth less, then refused that selection in its final check.
        """
        chosen = self.active if blocks is None else blocks
        for label, x in [("the other solver's portfolio", x) for x in found] + self._witnesses(
            chosen
        ):
            if self.holds(x, chosen, objective, cutoff):
                return label
        return ""

    def _witnesses(self, blocks: Sequence[int]) -> list[tuple[str, list[int]]]:
        """The empty selection, and the candidates that single-candidate rows force in."""
        n = len(self.x)
        forced = {
            i
            for k in blocks
            for row in self.form.blocks[k].rows
            if len(row.coefs) == 1 and row.lower is not None and row.lower > 0
            for i in row.coefs
        }
        found = [("the empty selection", [0] * n)]
        if forced:
            alone = [int(i in forced) for i in range(n)]
            found.append(("the selection of the forced candidates alone", alone))
        return found

    def prove(self, x: list[int], gap: float = FIRST_GAP) -> tuple[Outcome, bool]:
        """Settle whether x, found within `gap` of the best, has the best value, and
        whether alone.

        One search for the best portfolio other than x, with x's value (less the tie
        tolerance) as its cutoff: a bound to prune by from the start, where a search
        from scratch must first find such a portfolio and then close the gap. Returns
        the best portfolio (proven, or the better in hand at a time limit, then with
        `gap`) and True when no other comes within the tolerance of x, so that no tie is
        left to break.
        """
        value = objective_value(self.form, x)
        floor = value - self.value_tie(value)
        other = self._best_other(x, floor)
        rival = other.x
        better = rival is not None and objective_value(self.form, rival) > value
        best = rival if better and rival is not None else x
        if not other.proven:  # the time limit: the first search's gap still bounds it
            return Outcome(Status.FEASIBLE, best, gap), False
        unique = rival is None or objective_value(self.form, rival) < floor
        return Outcome(Status.OPTIMAL, best, 0.0), unique

    # -- canonical choice among ties -----------------------------------------------------
    def canonical(self, x: list[int], below: tuple[float, list[int]] | None = None) -> list[int]:
        """The cheapest, then file-order-first, portfolio of the best value (SPEC §2).

        With `below` = (B0, y), y the answer at a total budget B0 no larger than this
        run's: every portfolio costing at most B0 was already ranked there, below y. So
        y is still the answer when it ties on value and B0 leaves room beyond its cost;
        and when the best value beats y's, every rival costs more than B0.
        """
        form = self.form
        best = objective_value(form, x)
        self.value_floor = best - self.value_tie(best)
        if below is not None:
            budget_below, y = below
            y_value, y_cost = objective_value(form, y), selection_cost(form, y)
            if y_value >= self.value_floor and budget_below >= y_cost + self.cost_tie(y_cost):
                return y
            if self.value_floor > y_value + self.value_tie(y_value):
                self.extra["above_below"] = self.cost_expr >= budget_below
        cost = selection_cost(form, x)
        self.cost_cap = cost + self.cost_tie(cost)
        self.extra["tie_value"] = self.value_expr >= self.value_floor
        self.extra["tie_cost"] = self.cost_expr <= self.cost_cap
        if self._out_of_time() or not self._another_exists(x):
            return x  # the usual case: x is the only best portfolio
        del self.extra["tie_cost"]
        ceiling = self.cost_cap + self.cost_tie(self.cost_cap)
        cheaper = self.minimise(self.cost_expr, ceiling=ceiling)
        if cheaper.status is Status.OPTIMAL and cheaper.x is not None and self._ties(cheaper.x):
            x = cheaper.x
            cost = selection_cost(form, x)
            self.cost_cap = cost + self.cost_tie(cost)
        self.extra["tie_cost"] = self.cost_expr <= self.cost_cap
        if self._out_of_time() or not self._another_exists(x):
            return x
        return self._file_order_first(x)

    def _out_of_time(self) -> bool:
        """True (and noted) once the time limit has passed."""
        if self.deadline is not None and time.monotonic() >= self.deadline:
            self.cut_short = True
        return self.cut_short

    def _another_exists(self, x: list[int], start: int = 0) -> bool:
        """True when another selection, differing from x from candidate `start` on, ties.

        A search for any portfolio in the tie band, run as "maximise value" with the
        band's floor as cutoff: with an objective to bound by, the solver prunes far
        more than with the band's row alone (3-5x faster on the sweep benchmark).
        """
        other = self._best_other(x, self.value_floor, start)
        return other.status is Status.OPTIMAL and self._ties(other.x)

    def _best_other(self, x: list[int], floor: float, start: int = 0) -> Outcome:
        """The most valuable selection differing from x (from candidate `start` on) of
        value at least `floor`; INFEASIBLE when there is none.

        The floor is a row and, less a tolerance, a cutoff: the cutoff lets the solver
        prune from the start; the row keeps a search proven within its gap from
        stopping at a rival just below the floor while another above it goes unseen.
        """
        self.extra["no_good"] = self.differs_from(x, start)
        self.extra["floor"] = self.value_expr >= floor
        # heuristics off: the usual answer is "none", and they only look for one (the
        # 5,000-candidate proof 0.73 s -> 0.55 s with CBC); the search finds one anyway.
        # On with a time limit, where the search may end before its proof, as a search
        # for better portfolios (20,000 candidates, 60 s: they found a better one)
        other = self.maximise(
            self.value_expr,
            floor=floor - self.value_tie(floor),
            heuristics=self.deadline is not None,
        )
        del self.extra["no_good"], self.extra["floor"]
        return other

    def differs_from(self, x: Sequence[int], start: int = 0) -> Any:
        """A row that holds for every selection differing from x in a candidate >= start."""
        return self.differs_on(x, range(start, len(x)))

    def differs_on(self, x: Sequence[int], among: Iterable[int]) -> Any:
        """A row that holds for every selection differing from x in one of `among`."""
        among = list(among)
        flips = [(self.x[i], -1.0 if x[i] else 1.0) for i in among]
        return self.linear(flips) >= 1 - sum(x[i] for i in among)

    def _ties(self, y: list[int] | None) -> bool:
        """True when y is within the tie tolerance of the best value and least cost."""
        return (
            y is not None
            and objective_value(self.form, y) >= self.value_floor
            and selection_cost(self.form, y) <= self.cost_cap
        )

    def _file_order_first(self, x: list[int]) -> list[int]:
        """The lexicographically greatest tied selection, CHUNK candidates per solve.

        Within a chunk, weights 2^(k-1), ..., 2, 1 make selecting an earlier candidate
        worth more than selecting all later ones together, so the chunk's best is its
        lexicographic maximum; the chunk is then fixed and the next one solved, until no
        other tie is left among the candidates not yet fixed.
        """
        n = len(x)
        for start in range(0, n, CHUNK):
            chunk = range(start, min(n, start + CHUNK))
            weights = {i: float(2 ** (chunk.stop - 1 - i)) for i in chunk}

            def score(y: list[int], weights: dict[int, float] = weights) -> float:
                return sum(w for i, w in weights.items() if y[i])

            if self._out_of_time():
                return x
            trial = self.maximise(self.expr(weights), floor=score(x) - 0.5)
            if trial.x is not None and self._ties(trial.x) and score(trial.x) >= score(x):
                x = trial.x
            for i in chunk:
                self.extra[f"fix{i}"] = self.x[i] >= 1 if x[i] else self.x[i] <= 0
            if chunk.stop < n and (self._out_of_time() or not self._another_exists(x, chunk.stop)):
                return x
        return x

    # -- explaining infeasibility ---------------------------------------------------------
    def conflicting_blocks(self) -> list[Block]:
        """An irreducible set of constraint blocks that cannot all hold: the deletion
        filter's, in the formulation's fixed order (conflicts.py), so one input always
        gives one set: those blocks alone admit no portfolio, and without any one of
        them they do."""
        from defplan.conflicts import irreducible_blocks

        return [self.form.blocks[b] for b in irreducible_blocks(self)]

    def describe_conflict(self, block: Block) -> str:
        """'NAME: the constraint in words', and the one number that alone would restore
        feasibility (a budget or cap to raise, a target to lower) when there is one.
        """
        text = f"{block.name}: {block.label}"
        if not block.adjust or self._out_of_time():
            return text
        (row,) = block.rows
        others = [k for k in self.active if self.form.blocks[k] is not block]
        expr = self.expr(row.coefs)
        raise_it = block.adjust == "raise"
        # a cap: the least it must allow; a target: the most the others let it reach
        found = self.solve(expr if raise_it else -expr, blocks=others)
        if found.status is not Status.OPTIMAL or found.x is None:
            return text  # the other constraints conflict among themselves too
        x = found.x
        reach = clean(math.fsum(c * x[i] for i, c in row.coefs.items()))
        unit = f" {block.unit}" if block.unit else ""
        if raise_it and row.upper is not None and reach > row.upper:
            change = (
                f"raising it alone to {reach:,.12g}{unit} (by {clean(reach - row.upper):,.12g})"
            )
        elif not raise_it and row.lower is not None and reach < row.lower:
            if reach <= 0 and block.adjust == "lower above 0":
                return f"{text}; the other constraints allow it no contribution at all"
            change = (
                f"lowering it alone to {reach:,.12g}{unit} (by {clean(row.lower - reach):,.12g})"
            )
        else:
            return text
        return f"{text}; {change} would admit a portfolio"
