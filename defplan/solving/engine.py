"""A formulation's rows -> a PuLP problem, scaled, solved, and each answer checked.

Callers say what to optimise (VALUE, COST, or coefficients over the candidates) and pass
the rows a search adds for one solve (tie bands, cost caps, no-goods, fixed choices) as
`Bound`s: the engine keeps no rows of theirs between solves, and they need no PuLP.
Never prints: HiGHS's C banner is held off stdout while it runs.
"""

from __future__ import annotations

import math
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal
from weakref import WeakKeyDictionary

from defplan import backends
from defplan.backends import GAP, Outcome
from defplan.errors import SolverFailure
from defplan.formulation import Formulation, Row, SolveOptions, power_of_two_near, solver_row
from defplan.result import Status
from defplan.signals import import_pulp
from defplan.solving import exact
from defplan.timing import phase
from defplan.tolerance import tie_tolerance

VALUE: Literal["value"] = "value"
"""The model's objective: the selected values less the soft commitments' penalties."""
COST: Literal["cost"] = "cost"
"""The selection's summed cost."""

Sum = Literal["value", "cost"] | Mapping[int, float]
"""What a solve optimises or a Bound limits: VALUE, COST, or {candidate: coefficient}."""

REPAIRS = 20
"""How many answers off by a rounding error one solve rules out before it gives up."""

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


@dataclass(frozen=True, eq=False)
class Bound:
    """lower <= `of` <= upper: a row one solve adds to the model, named for messages.

    Compared by identity: the engine keeps the PuLP rows it made of one while it lives,
    so a search passing the same Bound to many solves has it built once."""

    name: str
    of: Sum
    lower: float | None = None
    upper: float | None = None


def differs_from(x: Sequence[int], start: int = 0, name: str = "no_good") -> Bound:
    """A row that holds for every selection differing from x in a candidate >= start."""
    return differs_on(x, range(start, len(x)), name)


def differs_on(x: Sequence[int], among: Iterable[int], name: str = "no_good") -> Bound:
    """A row that holds for every selection differing from x in one of `among`."""
    among = list(among)
    flips = {i: -1.0 if x[i] else 1.0 for i in among}
    return Bound(name, flips, lower=1 - sum(x[i] for i in among))


def selects_otherwise(form: Formulation, chosen: Sequence[int], name: str) -> Bound:
    """A row that holds for every selection whose candidates (whatever their start
    years) differ from `chosen` (0/1 by candidate)."""
    flips = {k: -1.0 if chosen[i] else 1.0 for i, cols in enumerate(form.columns_of) for k in cols}
    return Bound(name, flips, lower=1 - sum(chosen))


def _scale(coefs: Iterable[float]) -> float:
    """The power of two (exact in floating point) to multiply by to bring the largest of
    these coefficients near SIZE."""
    largest = max((abs(c) for c in coefs), default=0.0)
    return 1.0 / power_of_two_near(largest / SIZE)


class Engine:
    """One PuLP model of a formulation and the solves run on it: every solve uses the
    active blocks, the soft rows and the extra rows passed to it."""

    def __init__(self, form: Formulation, options: SolveOptions, without: Collection[str] = ()):
        self.pulp = pulp = import_pulp()  # heavy (numpy, highspy): imported to solve
        self.form = form
        self.options = options
        self.deadline = (
            None if options.time_limit is None else time.monotonic() + options.time_limit
        )
        n = len(form.values)
        # kept: PuLP 4's variables die with the problem that made them
        self._home = pulp.LpProblem("variables")
        make = self._home.add_variable  # no LpVariable(...) deprecation
        # (name, lower, upper, kind) of each variable, to make them again in each problem
        soft_count, carried_count = len(form.soft), len(form.carried_years)
        self._columns = (
            [(f"x{i}", 0, 1, pulp.LpBinary) for i in range(n)]
            + [(f"s{k}", 0, None, pulp.LpContinuous) for k in range(soft_count)]
            + [(f"c{k}", 0, None, pulp.LpContinuous) for k in range(carried_count)]
        )
        made = [make(*column) for column in self._columns]
        # PuLP 4 (a core in Rust) takes no row over another problem's variables
        self._tied = int(pulp.__version__.split(".")[0]) >= 4
        self.x, short = made[:n], made[n : n + soft_count]
        self.carried = made[n + soft_count :]  # the first line's carried balances
        # which block holds each capped year's row, and the carry-over limit's block
        where = {block.name: b for b, block in enumerate(form.blocks)}
        self._year_blocks = {
            k: where[f"budget.per_year.{year}"] for k, year in enumerate(form.carried_years)
        }
        self._carry_block = where.get("carry_over")
        self._choice_rows = [c for row in form.choices for c in self._row(solver_row(row)[0])]
        self._block_rows: list[list[Any]] = [
            [c for row in block.rows for c in self._row(solver_row(row)[0])]
            for block in form.blocks
        ]
        # a soft target's row is conditioned as the blocks' are, and its shortfall
        # variable counts in units of the row's scale (a target of 5e-10: units of 2^-31)
        soft = [solver_row(Row(s.coefs, lower=s.target)) for s in form.soft]
        self._soft_units = [unit for _, unit in soft]
        self._soft_rows = [
            self.expr(row.coefs) + short[k] >= row.lower for k, (row, _) in enumerate(soft)
        ]
        # (block, row): rows ruling out selections that break the block by a rounding
        # error; implied by the blocks, so every later solve over that block keeps them
        self._cuts: list[tuple[int, Any]] = []
        self.value_expr = self.expr(dict(enumerate(form.values))) - self.linear(
            [(short[k], s.penalty * self._soft_units[k]) for k, s in enumerate(form.soft)]
        )
        self.cost_expr = self.expr(dict(enumerate(form.costs)))
        # what rounding can make of a value or a cost: the floor of the tie tolerance
        self._value_magnitude = math.fsum(abs(v) for v in form.values) + math.fsum(
            s.penalty * abs(s.target) for s in form.soft
        )
        self._cost_magnitude = math.fsum(abs(c) for c in form.costs)
        self._cut_short = False
        # the PuLP rows made of each Bound still in use (see Bound)
        self._made: WeakKeyDictionary[Bound, list[exact.Extra]] = WeakKeyDictionary()
        self._every_x = self.linear([(v, 1.0) for v in self.x]) <= n
        self.active = [k for k, b in enumerate(form.blocks) if b.name not in without]

    @property
    def cut_short(self) -> bool:
        """True once a solve or a search on this engine stopped at the time limit."""
        return self._cut_short

    @property
    def time_limited(self) -> bool:
        """True when the run has a time limit."""
        return self.deadline is not None

    def out_of_time(self) -> bool:
        """True (and noted in cut_short) once the time limit has passed."""
        if self.deadline is not None and time.monotonic() >= self.deadline:
            self._cut_short = True
        return self._cut_short

    def value_tie(self, value: float) -> float:
        """How far below `value` another value may lie and still tie with it."""
        return tie_tolerance(value, self._value_magnitude)

    def cost_tie(self, cost: float) -> float:
        """How far above `cost` another cost may lie and still tie with it."""
        return tie_tolerance(cost, self._cost_magnitude)

    # -- PuLP expressions -------------------------------------------------------------
    def linear(self, terms: Sequence[tuple[Any, float]]) -> Any:
        """sum(coef * v) over (v, coef) pairs: PuLP 4 builds it with `from_list` (its
        constructor takes no list), PuLP 3 with the constructor (it has no `from_list`)."""
        lp = self.pulp.LpAffineExpression
        from_list = getattr(lp, "from_list", None)
        return from_list(list(terms)) if from_list is not None else lp(list(terms))

    def expr(self, coefs: Mapping[int, float], flows: Mapping[int, float] | None = None) -> Any:
        """sum(coef * x_i) + sum(flow * carried_k) over this engine's variables."""
        terms = [(self.x[i], c) for i, c in coefs.items() if c]
        terms += [(self.carried[k], c) for k, c in (flows or {}).items() if c]
        return self.linear(terms)

    def _sum(self, of: Sum) -> Any:
        """The PuLP expression of VALUE, COST or coefficients over the candidates."""
        if of == VALUE:
            return self.value_expr
        if of == COST:
            return self.cost_expr
        assert not isinstance(of, str)
        return self.expr(of)

    def _extras(self, rows: Iterable[Bound]) -> list[exact.Extra]:
        """The PuLP constraints of these rows, named, in order."""
        out = []
        for row in rows:
            made = self._made.get(row)
            if made is None:
                expr = self._sum(row.of)
                made = []
                if row.lower is not None:
                    made.append((row.name, expr >= row.lower))
                if row.upper is not None:
                    made.append((row.name, expr <= row.upper))
                self._made[row] = made
            out += made
        return out

    def _row(self, row: Row) -> list[Any]:
        expr = self.expr(row.coefs, row.flows)
        rows = []
        if row.lower is not None:
            rows.append(expr >= row.lower)
        if row.upper is not None:
            rows.append(expr <= row.upper)
        return rows

    def problem(
        self,
        objective: Any,
        *,
        blocks: Sequence[int] | None = None,
        extra: Sequence[exact.Extra] = (),
    ) -> Any | None:
        """A fresh PuLP minimisation: the chosen blocks (all by default), soft rows, extras.

        None when a row without variables fails on its own (say, a target nobody
        contributes to): nothing is feasible. Rows without variables that hold are left
        out: PuLP would add a '__dummy' variable to them in place, which CBC cannot read.
        """
        pulp = self.pulp
        prob = pulp.LpProblem("defplan", pulp.LpMinimize)
        # PuLP 4: this problem gets variables of its own, of the same names, and every
        # row is copied onto them; PuLP 3 takes the engine's (copying costs time in
        # every solve)
        own = {c[0]: prob.add_variable(*c) for c in self._columns} if self._tied else None

        def moved(row: Any) -> Any:
            return row if own is None else self._moved(row, own)

        # a copy without constant (cutoffs compare plain sums), never empty (else PuLP
        # adds a '__dummy' variable to it in place)
        terms = [(v, c) for v, c in objective.items() if c] or [(self.x[0], 0.0)]
        if own is not None:
            terms = [(own[v.name], c) for v, c in terms]
        prob.setObjective(self.linear(terms))
        chosen = self.active if blocks is None else blocks
        constraints = [c for b in chosen for c in self._block_rows[b]]
        among = set(chosen)
        constraints += [cut for b, cut in self._cuts if b in among]
        constraints += self._choice_rows + self._soft_rows
        constraints += [self._conditioned(c) for _, c in extra]
        for k, constraint in enumerate(constraints):
            if not constraint.keys():
                if constraint.valid(0):
                    continue
                return None
            prob.addConstraint(moved(constraint), f"c{k}")
        prob.addConstraint(moved(self._every_x), "every_x")  # else a variable in no row is unset
        return prob

    def _moved(self, constraint: Any, own: dict[str, Any]) -> Any:
        """The constraint over the variables `own` (by name) in place of the engine's."""
        return self._rebuilt(constraint, [(own[v.name], c) for v, c in constraint.items()])

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
        of: Sum,
        *,
        rows: Sequence[Bound] = (),
        floor: float | None = None,
        blocks: Sequence[int] | None = None,
        race_gap: float = GAP,
        heuristics: bool = True,
        warm_start: bool = False,
    ) -> Outcome:
        """Maximise `of` subject to `rows` too; `floor` is a value no wanted answer falls
        below. `race_gap`, `heuristics`, `warm_start`: see solve."""
        return self.solve(
            -self._sum(of),
            rows=rows,
            blocks=blocks,
            cutoff=None if floor is None else -floor,
            race_gap=race_gap,
            heuristics=heuristics,
            warm_start=warm_start,
        )

    def minimise(
        self,
        of: Sum,
        *,
        ceiling: float | None = None,
        rows: Sequence[Bound] = (),
        blocks: Sequence[int] | None = None,
    ) -> Outcome:
        """Minimise `of` subject to `rows` too; `ceiling` is a value no wanted answer
        rises above."""
        return self.solve(self._sum(of), rows=rows, blocks=blocks, cutoff=ceiling)

    def solve(
        self,
        objective: Any,
        *,
        rows: Sequence[Bound] = (),
        blocks: Sequence[int] | None = None,
        cutoff: float | None = None,
        race_gap: float = GAP,
        heuristics: bool = True,
        warm_start: bool = False,
    ) -> Outcome:
        """Minimise a PuLP objective over the chosen blocks (the active ones by default)
        and `rows`: the one path every solve takes.

        `cutoff` lets the solver prune branches whose objective cannot get below it. It
        only speeds the search up; rows in the model, not the cutoff, decide what counts.
        `race_gap`, `heuristics`, `warm_start`: see backends.solve (the defaults prove,
        heuristics on, no start).
        """
        chosen = self.active if blocks is None else blocks
        scale = _scale(objective.values())
        # this solve's rows; no-goods for answers that break one of them join it
        extra = self._extras(rows)
        for _ in range(REPAIRS + 1):
            with phase("build"):
                prob = self.problem(objective * scale, blocks=chosen, extra=extra)
            if prob is None:
                return Outcome(Status.INFEASIBLE, None, None)
            with phase("solve"):
                outcome = backends.solve(
                    prob,
                    self.x,
                    solver=self.options.solver,
                    deadline=self.deadline,
                    cutoff=None if cutoff is None else cutoff * scale + CUTOFF_ROOM,
                    broken=lambda x: self.broken(x, chosen) or exact.broken_extra(self, x, extra),
                    disproof=lambda found: exact.disproof(
                        self, found, chosen, objective, cutoff, extra
                    ),
                    race_gap=race_gap,
                    heuristics=heuristics,
                    warm_start=warm_start,
                )
            if outcome.refused is None or not self._rule_out(outcome.refused, chosen, extra):
                break
        if outcome.objective is not None:
            outcome = replace(outcome, objective=outcome.objective / scale)
        if outcome.rejected and self.deadline is None:
            raise SolverFailure(f"{outcome.rejected}; try another --solver")
        if not outcome.answered:  # a solver's error, never a time limit
            raise SolverFailure(f"solver {self.options.solver} stopped without an answer")
        if outcome.status in (Status.FEASIBLE, Status.UNKNOWN):
            self._cut_short = True  # a later stage stopped at the time limit
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
        if k == -1:
            return "one option per candidate"
        return "" if k is None else self.form.blocks[k].name

    def _broken_block(self, x: Sequence[int], blocks: Sequence[int] | None = None) -> int | None:
        """The position of the first block x breaks (see broken), None if none; -1 when
        x takes two options of one candidate."""
        if any(exact.breaks(row, x) for row in self.form.choices):
            return -1
        chosen = self.active if blocks is None else blocks
        carried = self.carried_at(x, chosen)
        for k in chosen:
            if any(exact.breaks(row, x, carried) for row in self.form.blocks[k].rows):
                return k
        return None

    def carried_at(self, x: Sequence[int], blocks: Sequence[int]) -> list[float]:
        """The first line's carried balances at selection x, each as large as the rows
        of `blocks` allow (a larger balance never hurts a later year): the balance
        carried out of a capped year is its cap, plus what came in, less what it spends,
        at most the carry-over limit, and never below 0 (the year's row then fails).
        Unbounded (inf) when none of those blocks bounds it."""
        form = self.form
        if not form.carried_years:
            return []
        chosen = set(blocks)
        limit = form.carry_over if self._carry_block in chosen else None
        balances: list[float] = []
        before = 0.0
        for k in range(len(form.carried_years)):
            room = math.inf if limit is None else limit
            b = self._year_blocks.get(k)
            if b is not None and b in chosen and math.isfinite(before):
                (row,) = form.blocks[b].rows
                spent = [-c for i, c in row.coefs.items() if x[i]]
                room = min(room, math.fsum([row.upper or 0.0, before, *spent]))
            before = max(room, 0.0)
            balances.append(before)
        return balances

    def _rule_out(self, x: Sequence[int], blocks: Sequence[int], extra: list[exact.Extra]) -> bool:
        """Rule out, in every later solve with the block x breaks, the selections that
        agree with x on that block's candidates: they all break it alike. When x breaks
        only an extra row (a tie band, a cap), rule out x alone, for this solve: it
        joins `extra`. False when x breaks nothing (nothing to rule out)."""
        k = self._broken_block(x, blocks)
        # a row over carried balances depends on the other blocks of the solve, and the
        # one-option rows on nothing else: x alone is ruled out, for this solve
        alone = k == -1 or (k is not None and any(r.flows for r in self.form.blocks[k].rows))
        if k is not None and not alone:
            support = sorted({i for row in self.form.blocks[k].rows for i in row.coefs})
            ((_, cut),) = self._extras([differs_on(x, support)])
            self._cuts.append((k, self._conditioned(cut)))
            return True
        if not alone and not exact.broken_extra(self, x, extra):
            return False
        extra += self._extras([differs_from(x, name=f"ruled_out.{len(extra)}")])
        return True

    def values(self, x: Sequence[int]) -> dict[str, float]:
        """Every variable's value at selection x, by name, soft shortfalls at their least."""
        values = {f"x{i}": float(on) for i, on in enumerate(x)}
        for k, s in enumerate(self.form.soft):
            achieved = math.fsum(c for i, c in s.coefs.items() if x[i])
            values[f"s{k}"] = max(0.0, s.target - achieved) / self._soft_units[k]
        for k, balance in enumerate(self.carried_at(x, self.active)):
            values[f"c{k}"] = balance
        return values

    def disproof(
        self,
        found: Sequence[Sequence[int]],
        blocks: Sequence[int] | None = None,
        objective: Any = None,
        cutoff: float | None = None,
        rows: Sequence[Bound] = (),
    ) -> str:
        """The witness that refutes a claim of "no portfolio" for a solve over `blocks`
        and `rows` (see exact.disproof); "" when none does."""
        chosen = self.active if blocks is None else blocks
        return exact.disproof(self, found, chosen, objective, cutoff, self._extras(rows))
