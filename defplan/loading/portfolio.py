"""Read a portfolio file (path or stdin) into a validated Portfolio.

Every problem, YAML or schema or cross-field, becomes one Problem pointing at the YAML
node it is about, and all of them are raised together as a single LoadError.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from defplan import model
from defplan.errors import LoadError, Problem
from defplan.loading.messages import ITEM_MODELS, pydantic_problem
from defplan.loading.reading import read_source
from defplan.loading.yaml12 import ALIASED, Builder, compose_yaml, node_at, problem_at
from defplan.model import Loc, Names, Portfolio, Suggester, cross_check
from defplan.timing import phase


def load_portfolio(source: str | os.PathLike[str]) -> Portfolio:
    """Load and validate a portfolio from a path, or from stdin when source is '-'."""
    with phase("load"):
        data, filename = read_source(source)
    return parse_portfolio(data, filename=filename)


def parse_portfolio(text: str | bytes, *, filename: str = "<string>") -> Portfolio:
    """Parse and validate portfolio YAML text; raise LoadError listing every problem."""
    with _collector_paused():
        with phase("load"):
            root = compose_yaml(text, filename=filename)
            if not isinstance(root, yaml.MappingNode):
                message = "a portfolio file must be a mapping of keys"
                raise LoadError([problem_at(filename, root, message)])
            builder = Builder(filename, text)
            data = builder.build(root)
            if data is ALIASED:  # a tag on the whole document: nothing else to check
                raise LoadError(builder.problems)
        with phase("validate"):
            portfolio = _portfolio_from(data, root, builder, filename)
        # freed now, by reference counting: the collector, back on, then has only the
        # portfolio to look at, not the ~10^6 objects made on the way
        del root, builder, data
    return portfolio


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector: a big file makes ~10^5 node objects, and the
    collections their creation triggers made loading it much slower (bench/results.md).
    (Reference counting still frees everything; cycles wait until it runs again.)"""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _portfolio_from(data: Any, root: yaml.Node, builder: Builder, filename: str) -> Portfolio:
    try:
        portfolio = Portfolio.model_validate(data)
    except ValidationError as exc:
        suggest = Suggester()
        problems = [
            pydantic_problem(filename, root, err, suggest)
            for err in exc.errors(include_input=False)
            if not _through_alias(data, err["loc"])  # aliased values are reported as aliases
        ]
        problems += _located(filename, root, _partial_check(data))
        raise LoadError(_sorted(builder.problems + problems)) from None
    problems = _located(filename, root, cross_check(portfolio))
    if builder.problems or problems:
        raise LoadError(_sorted(builder.problems + problems))
    return portfolio


def _located(filename: str, root: yaml.Node, found: list[tuple[Loc, str]]) -> list[Problem]:
    """Problems given as (location, message), each at the node its location is about."""
    return [problem_at(filename, node_at(root, loc), message) for loc, message in found]


def _partial_check(data: dict[str, Any]) -> list[tuple[Loc, str]]:
    """Cross-field problems in the parts of a file that pass their own checks.

    Each candidate, rule, named entry and the budget is validated alone; what fails is
    left out (its own problems are already reported) but its name still counts as
    defined, so nothing is reported twice.
    """
    fields: dict[str, Any] = {}
    positions: dict[str, list[int]] = {}
    for key in ("candidates", "rules"):
        items = data.get(key)
        if isinstance(items, list):
            check = _salvaged if key in _SALVAGED else _validated
            good = [(i, check(ITEM_MODELS[key], item)) for i, item in enumerate(items)]
            fields[key] = [obj for _, obj in good if obj is not None]
            positions[key] = [i for i, obj in good if obj is not None]
    for key in ("lines", "objectives", "commitments", "groups", "scenarios"):
        entries = data.get(key)
        if isinstance(entries, dict):
            check = _salvaged if key in _SALVAGED else _validated
            checked = {str(k): check(ITEM_MODELS[key], v) for k, v in entries.items()}
            fields[key] = {k: obj for k, obj in checked.items() if obj is not None}
    fields["budget"] = _salvaged_budget(data.get("budget", {}))
    fields["years"] = _validated(model.Years, data.get("years"))
    fields["commit_by"] = _validated(model.Year | None, data.get("commit_by"))
    for key, kind in (("prices", model.Prices), ("economy", model.Economy)):
        if key in data:
            fields[key] = _validated(kind, data[key])
    fields.setdefault("objectives", {})
    fields.setdefault("candidates", [])
    partial = Portfolio.model_construct(**fields)
    found = []
    for loc, message in cross_check(partial, _raw_names(data)):
        section = str(loc[0])
        if section in positions and len(loc) > 1 and isinstance(loc[1], int):
            loc = (section, positions[section][loc[1]], *loc[2:])
        found.append((loc, message))
    return found


def _validated(kind: Any, item: Any) -> Any:
    """item validated as kind (a model or a type), or None when it fails."""
    try:
        return TypeAdapter(kind).validate_python(item)
    except ValidationError:
        return None


_NEUTRAL = {"cost": 0}
"""Stand-ins for required fields that failed, so the rest of an item can still be checked."""

_SALVAGED = {"candidates", "objectives", "groups", "lines", "scenarios"}
"""Sections whose items are checked without their failed keys: leaving a key out there
can hide a cross-field problem but never invent one (unlike a commitment's penalty or a
rule's count)."""


def _salvaged(model: Any, item: Any) -> Any:
    """item validated as model; failing that, without the keys that failed."""
    try:
        return model.model_validate(item)
    except ValidationError as exc:
        if not isinstance(item, dict):
            return None
        bad = {err["loc"][0] for err in exc.errors(include_input=False) if err["loc"]}
    kept = {k: v for k, v in item.items() if k not in bad}
    kept.update({k: _NEUTRAL[k] for k in bad if k in _NEUTRAL})
    return _validated(model, kept)


def _salvaged_budget(raw: Any) -> model.Budget:
    """The budget without the keys that failed, each line's budget checked alone: a typo
    in one line's caps must not drop the others' shares (and so invent problems about
    the lines that have one)."""
    if not isinstance(raw, dict):
        return model.Budget()
    lines = raw.get("lines")
    if isinstance(lines, dict):
        checked = {k: _salvaged(model.LineBudget, v) for k, v in lines.items()}
        raw = {**raw, "lines": {k: v for k, v in checked.items() if v is not None}}
    return _salvaged(model.Budget, raw) or model.Budget()


def _raw_names(data: dict[str, Any]) -> Names:
    def keys(section: str) -> frozenset[str]:
        value = data.get(section)
        return frozenset(str(k) for k in value) if isinstance(value, dict) else frozenset()

    raw = data.get("candidates")
    items = [c for c in raw if isinstance(c, dict)] if isinstance(raw, list) else []
    return Names(
        candidates=frozenset(str(c["id"]) for c in items if isinstance(c.get("id"), str | int)),
        objectives=keys("objectives"),
        commitments=keys("commitments"),
        group_tags=frozenset(c["group"] for c in items if isinstance(c.get("group"), str)),
        lines=keys("lines"),
    )


def _through_alias(data: Any, loc: tuple[Any, ...]) -> bool:
    """True when a pydantic location passes through a value built from an alias."""
    for part in loc:
        if data is ALIASED:
            return True
        if isinstance(data, dict | list):
            with contextlib.suppress(KeyError, IndexError, TypeError):
                data = data[part]
    return data is ALIASED


def _sorted(problems: list[Problem]) -> list[Problem]:
    """Distinct problems in file order."""
    return sorted(dict.fromkeys(problems), key=lambda p: (p.line or 0, p.column or 0))


__all__ = ["load_portfolio", "parse_portfolio"]
