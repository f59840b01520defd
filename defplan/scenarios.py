"""Budget scenarios (docs/model.md, "Budget scenarios"): each scenario's budget merged
into the file's, the file as each scenario sees it, and the one model over all
scenarios as a stacked formulation.

The stacked formulation has a copy of every column per scenario (scenario-major, file
order within each), values and money weighted by the scenario's probability, each
scenario's blocks renamed `NAME:block`, and a `commit_by` block that ties the choices
decided now (options starting in or before commit_by, plain costs) across the copies.
The engine and the tie rule then solve it as any formulation: its value is the expected
value and its cost the expected money; its "candidates" are the scenarios' copies.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from defplan.errors import UsageError
from defplan.formulation import Block, Formulation, Row, SoftTarget, SolveOptions, formulate
from defplan.model import Budget, LineBudget, Portfolio
from defplan.timeline import Option

COMMIT_BLOCK = "commit_by"
"""The block that ties the early choices across scenarios, and the conflict it names."""


def merged_budget(base: Budget, over: Budget) -> Budget:
    """`over` (a scenario's budget) merged into `base` (the file's): per_year year by
    year, each line's per_year year by year, every other key given replaced."""
    given = over.model_fields_set
    update = {k: getattr(over, k) for k in given if k not in ("per_year", "lines")}
    update["per_year"] = {**base.per_year, **over.per_year}
    lines = dict(base.lines)
    for name, caps in over.lines.items():
        lines[name] = _merged_line(lines[name], caps) if name in lines else caps
    update["lines"] = lines
    return base.model_copy(update=update)


def _merged_line(base: LineBudget, over: LineBudget) -> LineBudget:
    update = {k: getattr(over, k) for k in over.model_fields_set if k != "per_year"}
    update["per_year"] = {**base.per_year, **over.per_year}
    return base.model_copy(update=update)


def scenario_portfolio(portfolio: Portfolio, name: str) -> Portfolio:
    """The file as scenario `name` sees it: its budget merged in, no scenarios."""
    budget = merged_budget(portfolio.budget, portfolio.scenarios[name].budget)
    return portfolio.model_copy(update={"budget": budget, "scenarios": {}, "commit_by": None})


def committed(option: Option, commit_by: int) -> bool:
    """Whether an option is decided now: it starts in or before commit_by, or it is a
    plain cost (no start year)."""
    return option.start is None or option.start <= commit_by


@dataclass(frozen=True)
class Stack:
    """The model over all scenarios and what it is made of: the scenarios' names and
    probabilities (file order), each one's own file and formulation, the stacked
    formulation, the columns of one copy (`width`) and those decided now."""

    names: tuple[str, ...]
    probabilities: tuple[float, ...]
    portfolios: tuple[Portfolio, ...]
    forms: tuple[Formulation, ...]
    form: Formulation
    width: int
    decided_now: tuple[int, ...]
    commit_by: int

    def part(self, x: Sequence[int], s: int) -> list[int]:
        """Scenario s's selection out of a selection of the stacked model."""
        return list(x[s * self.width : (s + 1) * self.width])


def stack(portfolio: Portfolio, options: SolveOptions) -> Stack:
    """The one model over all scenarios of a file that has them (see the module's doc);
    a run option that does not fit one scenario is a usage error naming it."""
    names = tuple(portfolio.scenarios)
    chances = tuple(s.probability for s in portfolio.scenarios.values())
    seen, forms = [], []
    for name in names:
        own = scenario_portfolio(portfolio, name)
        try:
            forms.append(formulate(own, options))
        except UsageError as exc:
            raise UsageError(f"scenario '{name}': {exc}") from None
        seen.append(own)
    first = forms[0]
    width, count = len(first.values), len(portfolio.candidates)
    commit_by = portfolio.commit_by if portfolio.commit_by is not None else -1
    now = tuple(k for k, o in enumerate(first.options) if committed(o, commit_by))
    blocks: list[Block] = []
    soft: list[SoftTarget] = []
    choices: list[Row] = []
    for s, (name, p, form) in enumerate(zip(names, chances, forms, strict=True)):
        off = s * width
        for b in _without_balances(form):
            rows = tuple(_shifted(r, off) for r in b.rows)
            label = f"scenario '{name}': {b.label}"
            blocks.append(Block(f"{name}:{b.name}", label, rows, b.unit, b.adjust, b.share))
        for t in form.soft:
            coefs = {k + off: c for k, c in t.coefs.items()}
            soft.append(SoftTarget(f"{name}:{t.name}", coefs, t.target, p * t.penalty))
        choices += [_shifted(r, off) for r in form.choices]
    ties = tuple(
        Row({k: 1.0, s * width + k: -1.0}, lower=0.0, upper=0.0)
        for s in range(1, len(names))
        for k in now
    )
    if ties:
        label = f"what starts by {portfolio.commit_by} is chosen alike in every scenario"
        blocks.append(Block(COMMIT_BLOCK, label, ties))
    stacked = Formulation(
        values=tuple(p * v for p, f in zip(chances, forms, strict=True) for v in f.values),
        costs=tuple(p * c for p, f in zip(chances, forms, strict=True) for c in f.costs),
        blocks=tuple(blocks),
        soft=tuple(soft),
        weights=first.weights,
        budget_total=None,
        budget_per_year={},
        # each copy's options count as candidates of their own, scenario by scenario,
        # so the tie rule walks the scenarios in file order
        options=tuple(
            replace(o, candidate=s * count + o.candidate)
            for s, f in enumerate(forms)
            for o in f.options
        ),
        choices=tuple(choices),
    )
    return Stack(names, chances, tuple(seen), tuple(forms), stacked, width, now, commit_by)


def _without_balances(form: Formulation) -> list[Block]:
    """The formulation's blocks with carry-over written over the selection alone, so
    that the copies need no carried balances of their own (the engine keeps one chain).

    Money may be carried between the first line's capped years Y_1 < ... < Y_n, at most
    L at a time, exactly when every run of them i..j spends at most its caps, plus L
    when i > 1 (what came in from before): summing spend_k <= cap_k + carried_(k-1) -
    carried_k over i..j gives it, and when it holds, carrying as much as allowed never
    leaves a balance below 0 (the last year the balance was full, or the first, starts
    a run whose row would fail).
    """
    if not form.carried_years:
        return list(form.blocks)
    names = {f"budget.per_year.{year}" for year in form.carried_years}
    capped = [b for b in form.blocks if b.name in names]  # in year order
    limit = form.carry_over or 0.0
    rows = []
    for i in range(len(capped)):
        for j in range(i, len(capped)):
            spend: dict[int, float] = {}
            caps = []
            for b in capped[i : j + 1]:
                (row,) = b.rows
                caps.append(row.upper or 0.0)
                for k, c in row.coefs.items():
                    spend[k] = spend.get(k, 0.0) + c
            room = math.fsum([*caps, limit if i else 0.0])
            rows.append(Row(spend, upper=room))
    years = f"{form.carried_years[0]}-{form.carried_years[-1]}"
    label = f"budget caps by year {years}, carrying at most {limit:,.12g} of what is unspent"
    kept = [b for b in form.blocks if b.name not in names and b.name != "carry_over"]
    return [*kept, Block("budget.per_year.carried", label, tuple(rows))]


def _shifted(row: Row, offset: int) -> Row:
    """The row over the copy of the columns that starts at `offset`."""
    coefs = {k + offset: c for k, c in row.coefs.items()}
    return Row(coefs, row.lower, row.upper, row.tolerance)
