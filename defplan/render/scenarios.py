"""The two-stage plan over budget scenarios: its JSON document and its tables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from defplan.formats import SCENARIOS_FORMAT
from defplan.render.figures import VALUE_LEGEND, amount

if TYPE_CHECKING:
    from rich.console import RenderableType

    from defplan.analysis.scenarios import ScenarioPlan
    from defplan.model import Portfolio


def scenarios_document(plan: ScenarioPlan) -> dict[str, Any]:
    """defplan-scenarios/1 (docs/json.md): the plan, each scenario's result, and what
    planning for each scenario alone gives."""
    from defplan.render.documents import result_document

    return {
        "format": SCENARIOS_FORMAT,
        "status": plan.status.value,
        "commit_by": plan.commit_by,
        "expected_value": plan.expected_value,
        "expected_money": plan.expected_money,
        "expected_value_knowing": plan.knowing,
        "commit": [{"id": c.id, "start": c.start} for c in plan.commit],
        "conflicts": list(plan.conflicts),
        "probabilities": dict(plan.probabilities),
        "alone": {
            name: {"value": a.value, "money": a.money, "expected_value_committing": a.followed}
            for name, a in plan.alone.items()
        },
        "notes": list(plan.notes),
        "scenarios": {name: result_document(r) for name, r in plan.results.items()},
    }


def scenarios_json(plan: ScenarioPlan) -> str:
    """The document's JSON text."""
    from defplan.render.jsontext import json_text

    return json_text(scenarios_document(plan))


def scenarios_renderables(plan: ScenarioPlan, *, width: int = 100) -> list[RenderableType]:
    """What to commit now, what each scenario adds later, and planning for uncertainty:
    each scenario's own best value beside the expected value of committing to its early
    decisions."""
    from rich.text import Text

    from defplan.render.layout import Col, Kind, fitted

    first = plan.result
    unit = f"{first.unit} {first.currency}".strip()
    head = Text.assemble(
        (f"{len(plan.results)} budget scenarios; what starts by {plan.commit_by} ", "bold"),
        ("is decided now, alike in all\n", "bold"),
        f"expected value {amount(plan.expected_value)}, ",
        f"expected money {amount(plan.expected_money)} {unit}",
        (f"\n{VALUE_LEGEND}", "dim"),
    )
    out: list[RenderableType] = [head]
    if not plan.status.has_portfolio:
        return out
    costs = {c.id: c.cost for c in first.candidates}
    now = [[c.id, _year(c.start), amount(costs[c.id])] for c in plan.commit]
    columns = [
        Col("candidate", Kind.KEY),
        Col("start", Kind.FIGURE),
        Col(f"cost, {unit}", Kind.FIGURE),
    ]
    caption = None if now else "nothing: every choice can wait"
    title = f"Commit now (starts by {plan.commit_by})"
    out.append(fitted(title, columns, now, width=width, caption=caption))
    decided = {c.id for c in plan.commit}
    rows = []
    for name, r in plan.results.items():
        later = [f"{c.id} {_year(c.start)}".strip() for c in r.selected if c.id not in decided]
        rows.append(
            [
                name,
                f"{plan.probabilities[name]:.4g}",
                amount(r.value),
                amount(r.cost_total),
                ", ".join(later) or "nothing",
            ]
        )
    columns = [
        Col("scenario", Kind.KEY),
        Col("probability", Kind.FIGURE),
        Col("value", Kind.FIGURE),
        Col(f"money, {unit}", Kind.FIGURE),
        Col("adds later (start year)", Kind.TEXT),
    ]
    out.append(fitted("Each scenario's plan", columns, rows, width=width))
    out.append(_uncertainty(plan, unit, width))
    return out


def _uncertainty(plan: ScenarioPlan, unit: str, width: int) -> RenderableType:
    from defplan.render.layout import Col, Kind, fitted

    rows = [
        [name, _or_none(a.value), _or_none(a.money), _or_none(a.followed, "a scenario cannot")]
        for name, a in plan.alone.items()
    ]
    caption = (
        f"the plan for every scenario: expected value {amount(plan.expected_value)}\n"
        f"knowing the budget before committing: {amount(plan.knowing)}"
    )
    own = Col("value alone (wait and see)", Kind.FIGURE)
    committing = Col("expected value, committing to its early choices", Kind.FIGURE)
    money = Col(f"money alone, {unit}", Kind.FIGURE)
    columns = [Col("planned for", Kind.KEY), own, money, committing]
    return fitted("Planning for uncertainty", columns, rows, width=width, caption=caption)


def _year(start: int | None) -> str:
    """A start year, or nothing for a plain cost."""
    return "" if start is None else str(start)


def _or_none(x: float | None, missing: str = "no plan") -> str:
    """A figure, or why there is none."""
    return missing if x is None else amount(x)


def scenarios_validation(p: Portfolio) -> RenderableType:
    """validate's line on a file's budget scenarios."""
    from rich.text import Text

    chances = ", ".join(f"{name} {s.probability:.4g}" for name, s in p.scenarios.items())
    return Text(
        f"{len(p.scenarios)} budget scenarios ({chances}); what starts by {p.commit_by} "
        "is decided now (defplan scenarios plans for them)"
    )
