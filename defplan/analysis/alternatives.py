"""The next-best portfolios after the optimum (`optimise --alternatives K`)."""

from __future__ import annotations

from defplan.formulation import SolveOptions, formulate
from defplan.model import Portfolio
from defplan.result import Alternative, Result, Status, clean, noted
from defplan.solving import (
    VALUE,
    Engine,
    canonical,
    objective_value,
    selection_cost,
    selects_otherwise,
)


def alternatives(
    portfolio: Portfolio, optimum: Result, *, options: SolveOptions, count: int
) -> tuple[tuple[Alternative, ...], bool]:
    """Up to `count` distinct portfolios after the optimum: by value descending, then
    cost ascending, then defplan's file-order rule; fewer when fewer exist. The flag is
    False when a time limit cut a solve short (the list may then miss some or be out
    of order).

    Each is the canonical optimum (docs/model.md) of the same model with every portfolio
    found so far ruled out, so the order is the same tie rule applied again and again.
    """
    if optimum.status is not Status.OPTIMAL or count <= 0:
        return (), optimum.status is not Status.FEASIBLE
    form = formulate(portfolio, options)
    engine = Engine(form, options)
    ids = [c.id for c in portfolio.candidates]
    best = set(optimum.selected_ids)
    found = [[1 if cid in best else 0 for cid in ids]]
    out: list[Alternative] = []
    while len(out) < count:
        # another selection of candidates, not the same one started otherwise
        others = [selects_otherwise(form, x, f"not_{k}") for k, x in enumerate(found)]
        first = engine.maximise(VALUE, rows=others)
        if first.status is Status.INFEASIBLE:
            break  # no other portfolio
        if first.status is not Status.OPTIMAL or first.x is None:
            return tuple(out), False
        x = canonical(engine, first.x, others)
        found.append(form.selected(x))
        chosen = tuple(cid for cid, on in zip(ids, form.selected(x), strict=True) if on)
        out.append(
            Alternative(
                value=clean(objective_value(form, x)),
                cost=clean(selection_cost(form, x)),
                selected=chosen,
                added=tuple(c for c in chosen if c not in best),
                dropped=tuple(c for c in optimum.selected_ids if c not in chosen),
            )
        )
    return tuple(out), not engine.cut_short


def with_alternatives(
    portfolio: Portfolio, result: Result, *, options: SolveOptions, count: int
) -> Result:
    """The result with its `count` next-best portfolios attached, and a note when a time
    limit cut their search short."""
    found, complete = alternatives(portfolio, result, options=options, count=count)
    cut = (
        "the time limit cut the search for alternatives short: some may be missing or out of order"
    )
    return noted(result, None if complete else cut, alternatives=found)
