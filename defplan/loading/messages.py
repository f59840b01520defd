"""Portfolio validation errors in words: each pydantic error becomes one Problem at the
YAML node it is about, with a "did you mean" for an unknown key and a hint for a value
of the wrong kind (a quoted number: "remove the quotes")."""

from __future__ import annotations

from typing import Any, get_args, get_origin

import yaml
from pydantic import BaseModel

from defplan import model
from defplan.errors import Problem
from defplan.loading.yaml12 import abbreviated, node_at, problem_at
from defplan.model import KEY, Loc, Portfolio, Suggester
from defplan.numbers import read_number

# pydantic's locations name union members; these are ours (see model.py Tag(...)).
_UNION_TAGS = {"amount", "profile", "by_line", "number", "range"}

ITEM_MODELS: dict[str, type[BaseModel]] = {
    "objectives": model.Objective,
    "commitments": model.Commitment,
    "groups": model.Group,
    "rules": model.Rule,
    "candidates": model.Candidate,
    "lines": model.Line,
    "scenarios": model.Scenario,
}
"""The model of each item of a section: a mapping's values, or a list's entries."""


_KINDS = {
    "float_type": "a number",
    "int_type": "a whole number",
    "bool_type": "true or false",
    "string_type": "text",
    "dict_type": "a mapping",
    "list_type": "a list",
    "model_type": "a mapping",
    "int_from_float": "a whole number",
}


def pydantic_problem(filename: str, root: yaml.Node, err: Any, suggest: Suggester) -> Problem:
    """One pydantic error on the data built from root, in words, at its node."""
    loc = tuple(KEY if part == "[key]" else part for part in err["loc"] if part not in _UNION_TAGS)
    kind = err["type"]
    names = [
        p for p in (loc[:-2] if loc and loc[-1] == KEY else loc) if isinstance(p, str) and p != KEY
    ]
    field = names[-1] if names else "document"
    if kind == "invalid_key":  # a key that is not text, where field names belong
        kind = "extra_forbidden"
    if kind == "extra_forbidden":
        key = loc[-1]
        node = node_at(root, (*loc, KEY))
        return problem_at(filename, node, f"unknown key '{key}'{suggest(str(key), _allowed(loc))}")
    node = node_at(root, loc)
    if kind == "missing":
        return problem_at(filename, node_at(root, loc[:-1]), f"missing required key '{loc[-1]}'")
    if kind == "literal_error" and loc == ("defplan",):
        return problem_at(
            filename, node, "unsupported format version; this defplan reads 'defplan: 1'"
        )
    message = _message(err)
    if kind in _KINDS and isinstance(node, yaml.ScalarNode):
        message += _what_was_given(node, kind)
    if loc and loc[-1] == KEY:
        return problem_at(filename, node, f"{field}: key {message}")
    return problem_at(filename, node, f"{field}: {message}")


_QUOTES = ("'", '"')


def _what_was_given(node: yaml.ScalarNode, kind: str) -> str:
    """', not ...': the value given where another kind belongs. A quoted number or
    boolean is text only because of its quotes, so the message says to remove them."""
    if node.value == "" and not node.style:
        return ", but the value is empty"
    if node.style not in _QUOTES:
        return f", not '{abbreviated(node.value)}'"
    quoted = f"{node.style}{abbreviated(node.value)}{node.style}"
    hint = " (remove the quotes)" if _fits_unquoted(node.value, kind) else ""
    return f", not the text {quoted}{hint}"


def _fits_unquoted(text: str, kind: str) -> bool:
    """Whether text, written without quotes, is of the kind expected."""
    if kind == "bool_type":
        return text in ("true", "false")
    number = read_number(text)
    if kind == "float_type":
        return number is not None
    return kind in ("int_type", "int_from_float") and type(number) is int


def _message(err: Any) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind in _KINDS:
        return f"expected {_KINDS[kind]}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    limits = {
        "greater_than_equal": ">=",
        "greater_than": ">",
        "less_than_equal": "<=",
        "less_than": "<",
    }
    if kind in limits:
        bound = next(iter(ctx.values()))
        return (
            f"must be {limits[kind]} {bound:g}"
            if isinstance(bound, float)
            else f"must be {limits[kind]} {bound}"
        )
    if kind == "too_short":
        least = ctx.get("min_length")
        return "needs at least one entry" if least == 1 else f"needs at least {least} entries"
    if kind == "too_long":
        return f"takes at most {ctx.get('max_length')} items"
    msg = err["msg"]
    return msg[:1].lower() + msg[1:]


def _allowed(loc: Loc) -> list[str]:
    """The keys the model at an unknown key's location takes (for "did you mean"): the
    section's model, then down its fields, mappings' values and lists' items along loc
    (a scenario's budget, a line's budget, an economy's path, ...)."""
    sections: dict[str, type[BaseModel]] = {
        **ITEM_MODELS,
        "budget": model.Budget,
        "prices": model.Prices,
        "economy": model.Economy,
    }
    section = str(loc[0]) if len(loc) > 1 else ""
    if section not in sections:
        return list(Portfolio.model_fields)
    kind: Any = sections[section]
    for part in loc[2 if section in ITEM_MODELS else 1 : -1]:
        found = _model_in(kind)
        if found is not None and isinstance(part, str) and part in found.model_fields:
            kind = found.model_fields[part].annotation
        else:
            kind = _entry_type(kind)
    found = _model_in(kind)
    return list(found.model_fields) if found is not None else []


def _model_in(kind: Any) -> type[BaseModel] | None:
    """The model a field's type is, or one of its union members or annotated types."""
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return kind
    for arg in get_args(kind):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _entry_type(kind: Any) -> Any:
    """The type of a mapping's values or a list's items, inside unions and annotations."""
    origin = get_origin(kind)
    if origin is dict:
        return get_args(kind)[1]
    if origin is list:
        return get_args(kind)[0]
    for arg in get_args(kind):
        entry = _entry_type(arg)
        if entry is not None:
            return entry
    return None


__all__ = ["ITEM_MODELS", "pydantic_problem"]
