"""Every answer as the JSON document scripts read (docs/json.md): one function per
answer type, and `json_of` for its text. The domain objects know nothing of JSON."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from defplan.formats import (
    DIFF_FORMAT,
    EXPLAIN_FORMAT,
    FRONTIER_FORMAT,
    RESULT_FORMAT,
    ROBUST_FORMAT,
    SWEEP_FORMAT,
)

if TYPE_CHECKING:
    from defplan.analysis.diff import Diff
    from defplan.analysis.explain import Explanation
    from defplan.analysis.frontier import Frontier, FrontierPoint
    from defplan.analysis.limits import Limit
    from defplan.analysis.robust import Robustness
    from defplan.analysis.sweep import SweepPoint
    from defplan.formulation import SolveOptions
    from defplan.result import Alternative, Result, Timing

    Answer = Result | SweepPoint | Sequence[SweepPoint] | Diff | Explanation | Frontier | Robustness


def json_of(answer: Answer) -> str:
    """The JSON text of an answer's document, with a final newline; whole numbers print
    as 900, not 900.0."""
    from defplan.render.jsontext import json_text

    return json_text(document_of(answer))


def document_of(answer: Answer) -> dict[str, Any]:
    """The JSON document of any answer (a sweep is its sequence of points; one point is
    its result with the sweep's own fields)."""
    if isinstance(answer, Sequence):
        return sweep_document(answer)
    for module, name, document in _DOCUMENTS:
        # an answer cannot be of a type whose module was never imported: looking in
        # sys.modules spares one optimise's JSON the imports of every analysis
        loaded = sys.modules.get(module)
        if loaded is not None and type(answer) is getattr(loaded, name):
            return document(answer)
    return result_document(answer)


def result_document(result: Result) -> dict[str, Any]:
    """A result, with "alternatives" and "limits" when they were computed."""
    from defplan.result import clean

    has = result.status.has_portfolio
    out: dict[str, Any] = {
        "format": RESULT_FORMAT,
        "portfolio": {"name": result.name, "file": result.file, "sha256": result.sha256},
        "status": result.status.value,
        "budget": {
            "total": result.budget_total,
            "per_year": {str(y): v for y, v in sorted(result.budget_per_year.items())},
        },
        "weights": dict(result.weights),
        "objective_labels": dict(result.objective_labels),
        "currency": result.currency,
        "unit": result.unit,
        "value": result.value if has else None,
        "objectives": result.objectives,
        "cost": {
            "total": result.cost_total,
            "per_year": {str(y): v for y, v in result.cost_per_year.items()},
            "unphased": result.cost_unphased,
        },
        "selected": [
            {"id": c.id, "name": c.name, "group": c.group, "cost": c.cost, "value": c.value}
            for c in result.selected
        ],
        "commitments": {
            k: {
                "label": c.label,
                "framework": c.framework,
                "hard": c.hard,
                "target": c.target,
                "achieved": clean(c.achieved),
                "met": c.met,
                "shortfall": c.shortfall,
            }
            for k, c in result.commitments.items()
        }
        if has
        else {},
        "groups": {
            k: {"spend": v, "rule": result.group_rules.get(k, "")} for k, v in result.groups.items()
        }
        if has
        else {},
        "solver": {
            "name": result.solver.name,
            "version": result.solver.version,
            "gap": None if result.solver.gap is None else clean(result.solver.gap),
            "seconds": round(result.solver.seconds, 3),
        },
        "rules": {
            "commitments": dict(result.commitment_rules),
            "groups": dict(result.group_rules),
            "cardinality": list(result.rules),
        },
        "run": None if result.run is None else run_document(result.run),
        "conflicts": list(result.conflicts),
        "conflict_details": list(result.conflict_lines),
        "notes": list(result.notes),
        "candidates": [
            {
                "id": c.id,
                "name": c.name,
                "group": c.group,
                "selected": c.selected and has,
                "cost": c.cost,
                "value": c.value,
                "objectives": c.objectives,
                "profile": {str(y): v for y, v in c.profile.items()},
                "forced": None if c.forced is None else c.forced.value,
            }
            for c in result.candidates
        ],
    }
    if result.timing is not None:
        _add_timing(out, result, result.timing)
    if result.alternatives is not None:
        out["alternatives"] = [_alternative(a) for a in result.alternatives]
    if result.limits is not None:
        out["limits"] = [_limit(limit) for limit in result.limits]
    return out


def _add_timing(out: dict[str, Any], result: Result, timing: Timing) -> None:
    """A plan in time's fields: each selected and listed candidate's start and delivery
    years, each line's spending by year, running costs past the horizon, carried
    balances and the price index."""
    has = result.status.has_portfolio
    for entry, c in zip(out["selected"], result.selected, strict=True):
        entry["start"], entry["delivered"] = c.start, c.delivered
    for entry, c in zip(out["candidates"], result.candidates, strict=True):
        entry["start"], entry["delivered"] = (c.start, c.delivered) if has else (None, None)
        if c.window is not None:
            entry["window"] = list(c.window)
    out["spend"] = {
        name: {str(y): v for y, v in line.spend.items()} for name, line in timing.lines.items()
    }
    out["running_after"] = {name: line.running_after for name, line in timing.lines.items()}
    if timing.declared_lines:
        out["lines"] = {
            name: {
                "label": line.label,
                "unit": line.unit,
                "money": line.money,
                "caps": {str(y): v for y, v in line.caps.items()},
                "total_cap": line.total_cap,
            }
            for name, line in timing.lines.items()
        }
    if timing.carried is not None:
        out["carried"] = {str(y): v for y, v in timing.carried.items()}
        out["carry_over"] = timing.carry_over
    if timing.price_index is not None:
        out["prices"] = {
            "base": timing.price_base,
            "index": {str(y): v for y, v in timing.price_index.items()},
        }
    if timing.gdp_share:
        out["gdp_share"] = {
            name: {str(y): v for y, v in years.items()} for name, years in timing.gdp_share.items()
        }


def run_document(run: SolveOptions) -> dict[str, Any]:
    """A run's options as the result records them: as given, not as the file resolved them."""
    out = {
        "budget": run.budget,
        "budget_per_year": {str(y): v for y, v in sorted(run.budget_per_year.items())},
        "weights": dict(run.weights),
        "include": list(run.include),
        "exclude": list(run.exclude),
        "solver": run.solver,
        "time_limit": run.time_limit,
    }
    if run.starts:  # only when given, so that older results read the same
        out["starts"] = dict(run.starts)
    if run.cost_level is not None:  # the same
        out["cost_level"] = run.cost_level
    return out


def _alternative(a: Alternative) -> dict[str, Any]:
    return {
        "value": a.value,
        "cost": a.cost,
        "selected": list(a.selected),
        "added": list(a.added),
        "dropped": list(a.dropped),
    }


def _limit(limit: Limit) -> dict[str, Any]:
    return {
        "constraint": limit.constraint,
        "label": limit.label,
        "kind": limit.kind,
        "binding": limit.binding,
        "slack": limit.slack,
        "relaxation": "dropped" if limit.step is None else "raised",
        "step": limit.step,
        "value_gain": limit.value_gain,
        "enters": list(limit.enters),
        "leaves": list(limit.leaves),
    }


def sweep_document(points: Sequence[SweepPoint]) -> dict[str, Any]:
    """One result per budget, each with the sweep's own fields added."""
    return {"format": SWEEP_FORMAT, "points": [sweep_point_document(p) for p in points]}


def sweep_point_document(point: SweepPoint) -> dict[str, Any]:
    """A point's result with the sweep's own fields added."""
    sweep: dict[str, Any] = {"budget": point.budget}
    if point.gdp_share is not None:  # a sweep over the pledge: marginal per point of GDP
        sweep["gdp_share"] = {"year": point.share_year, "share": point.gdp_share}
    sweep |= {"marginal": point.marginal, "entered": list(point.entered), "left": list(point.left)}
    return {**result_document(point.result), "sweep": sweep}


def diff_document(comparison: Diff) -> dict[str, Any]:
    """Both results, and the per-year, commitment and candidate changes."""
    left_file, right_file = comparison.files
    return {
        "format": DIFF_FORMAT,
        "files": {"left": left_file, "right": right_file},
        "left": result_document(comparison.left),
        "right": result_document(comparison.right),
        "added": list(comparison.added),
        "dropped": list(comparison.dropped),
        "delta": {
            "value": comparison.value_delta,
            "cost": comparison.cost_delta,
            "objectives": comparison.objective_deltas,
            "per_year": {str(y): v for y, v in comparison.per_year_deltas.items()},
        },
        "scenario": {
            c.key: {"left": c.left, "right": c.right} for c in comparison.scenario_changes
        },
        "commitments_changed": {
            k: {"left_met": a, "right_met": b}
            for k, (a, b) in comparison.commitments_changed.items()
        },
        "candidates_changed": [
            {
                "id": ch.id,
                "left": {"cost": ch.left.cost, "value": ch.left.value},
                "right": {"cost": ch.right.cost, "value": ch.right.value},
            }
            for ch in comparison.changed_candidates
        ],
    } | _moved(comparison)


def _moved(comparison: Diff) -> dict[str, Any]:
    """A plan in time's start years that change: {"moved": [{id, left, right}]}."""
    sides = (comparison.left.timing, comparison.right.timing)
    if not any(t is not None and t.phased for t in sides):
        return {}
    return {"moved": [{"id": m.id, "left": m.left, "right": m.right} for m in comparison.moved]}


def explain_document(e: Explanation) -> dict[str, Any]:
    """Why one candidate is in or out."""
    return {
        "format": EXPLAIN_FORMAT,
        "id": e.id,
        "name": e.name,
        "status": e.result.status.value,
        "selected": e.selected,
        "optimum": e.optimum,
        "forced_value": e.forced_value,
        "regret": e.regret,
        "entry_budget": e.entry_budget,
        "value": e.value,
        "forced": None
        if e.added is None or e.dropped is None
        else {"added": list(e.added), "dropped": list(e.dropped)},
        "entry_value": e.entry_value,
        "in_at_entry_value": e.in_at_entry_value,
        "binding": list(e.binding),
        "binding_details": list(e.binding_details),
        "budget": {
            "total": e.result.budget_total,
            "per_year": {str(y): b for y, b in e.result.budget_per_year.items()},
        },
        "conflicts": list(e.result.conflicts),
        "complete": e.complete,
    } | _start_years(e)


def _start_years(e: Explanation) -> dict[str, Any]:
    """A candidate with a start window: its start in the optimum and the best portfolio
    at each start year it may take."""
    if not e.starts:
        return {}
    return {
        "start": e.start,
        "starts": [
            {"year": s.year, "value": s.value, "below_optimum": s.below_optimum} for s in e.starts
        ],
    }


def frontier_document(f: Frontier) -> dict[str, Any]:
    """The non-dominated points of two objectives."""
    return {
        "format": FRONTIER_FORMAT,
        "x": f.x,
        "y": f.y,
        "status": f.status.value,
        "points": [_frontier_point(p) for p in f.points],
        "cut": f.cut,
        "conflicts": list(f.result.conflicts) if f.result is not None else [],
    }


def _frontier_point(p: FrontierPoint) -> dict[str, Any]:
    return {"objectives": p.objectives, "cost": p.cost, "selected": list(p.selected)}


def robust_document(r: Robustness) -> dict[str, Any]:
    """Shares of sampled optima; the fields after `exterior` are extras."""
    return {
        "format": ROBUST_FORMAT,
        "samples": r.samples,
        "candidates": [{"id": i, "share": s} for i, s in r.shares.items()],
        "core": list(r.core),
        "borderline": list(r.borderline),
        "exterior": list(r.exterior),
        "seed": r.seed,
        "spread": r.spread,
        "unproven": r.unproven,
        "infeasible_samples": r.infeasible,
        "status": r.base.status.value,
        "selected": list(r.base.selected_ids),
        "conflicts": list(r.base.conflicts),
    }


_DOCUMENTS: tuple[tuple[str, str, Callable[[Any], dict[str, Any]]], ...] = (
    ("defplan.analysis.sweep", "SweepPoint", sweep_point_document),
    ("defplan.analysis.diff", "Diff", diff_document),
    ("defplan.analysis.explain", "Explanation", explain_document),
    ("defplan.analysis.frontier", "Frontier", frontier_document),
    ("defplan.analysis.robust", "Robustness", robust_document),
)
"""The answers other than a result: the module and name of each type, and its document."""
