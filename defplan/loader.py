"""Read a portfolio file (path or stdin) into a validated Portfolio.

Every problem, YAML or schema or cross-field, becomes one Problem pointing at the YAML
node it is about, and all of them are raised together as a single LoadError.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any

import yaml
from pydantic import ValidationError

from defplan.errors import LoadError, Problem
from defplan.model import KEY, Loc, Portfolio, cross_check, did_you_mean

MAX_BYTES = 16 * 1024 * 1024
"""Largest portfolio file read; far above any real portfolio (5,000 candidates is ~2 MB)."""

STDIN = "-"

try:  # the C loader is about 4x faster; fall back where libyaml is missing
    _YamlLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _YamlLoader = yaml.SafeLoader

# YAML 1.2 core schema for plain scalars; PyYAML alone reads YAML 1.1 (`NO` is false).
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_TRUE = re.compile(r"^(?:true|True|TRUE)$")
_FALSE = re.compile(r"^(?:false|False|FALSE)$")
_INT = re.compile(r"^[-+]?[0-9]+$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")


def load_portfolio(source: str | os.PathLike[str]) -> Portfolio:
    """Load and validate a portfolio from a path, or from stdin when source is '-'."""
    data, filename = read_source(source)
    return parse_portfolio(data, filename=filename)


def read_source(source: str | os.PathLike[str]) -> tuple[bytes, str]:
    """The bytes of a file (or stdin for '-') and the name to show in messages."""
    if str(source) == STDIN:
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        filename = "<stdin>"
    else:
        filename = str(source)
        try:
            with open(source, "rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except FileNotFoundError:
            raise LoadError([Problem(filename, "no such file")]) from None
        except IsADirectoryError:
            raise LoadError([Problem(filename, "is a directory, not a file")]) from None
        except OSError as exc:
            raise LoadError([Problem(filename, f"cannot read: {exc.strerror}")]) from None
    if len(data) > MAX_BYTES:
        limit = f"{MAX_BYTES // (1024 * 1024)} MiB"
        raise LoadError([Problem(filename, f"file too large to be a portfolio (limit {limit})")])
    return data, filename


def parse_portfolio(text: str | bytes, *, filename: str = "<string>") -> Portfolio:
    """Parse and validate portfolio YAML text; raise LoadError listing every problem."""
    root = compose_yaml(text, filename=filename)
    if not isinstance(root, yaml.MappingNode):
        raise LoadError([_at(filename, root, "a portfolio file must be a mapping of keys")])
    builder = _Builder(filename, text)
    data = builder.build(root)
    if builder.aliases_reported:  # aliased values were not built, so checking them would mislead
        raise LoadError(builder.problems)
    try:
        portfolio = Portfolio.model_validate(data)
    except ValidationError as exc:
        problems = [
            _pydantic_problem(filename, root, err) for err in exc.errors(include_input=False)
        ]
        raise LoadError(_sorted(builder.problems + problems)) from None
    if builder.problems:
        raise LoadError(builder.problems)
    problems = [_at(filename, node_at(root, loc), msg) for loc, msg in cross_check(portfolio)]
    if problems:
        raise LoadError(problems)
    return portfolio


def compose_yaml(text: str | bytes, *, filename: str) -> yaml.Node:
    """The YAML node tree of a single document; LoadError when it is not well-formed."""
    if isinstance(text, bytes):
        text = _decode(text, filename)
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise LoadError(
            [Problem(filename, f"file too large to be a portfolio (limit {MAX_BYTES} bytes)")]
        )
    try:
        root = yaml.compose(text, Loader=_YamlLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(s for s in (exc.context, exc.problem) if s) or "malformed YAML"
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise LoadError([Problem(filename, f"malformed YAML: {message}", line, col)]) from None
    except yaml.YAMLError as exc:
        raise LoadError([Problem(filename, f"malformed YAML: {exc}")]) from None
    if root is None:
        raise LoadError(
            [Problem(filename, "the file is empty; a portfolio needs objectives and candidates")]
        )
    return root


def _decode(data: bytes, filename: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise LoadError([Problem(filename, "not UTF-8 text", line, column)]) from None


class _Builder:
    """Turn a node tree into plain Python data, noting duplicate keys and aliases."""

    def __init__(self, filename: str, text: str | bytes):
        self.filename = filename
        self.text = text
        self.problems: list[Problem] = []
        self.seen: set[int] = set()
        self.aliases_reported = False

    def build(self, node: yaml.Node) -> Any:
        if id(node) in self.seen:  # the composer hands an alias back as the same node
            self._report_aliases()
            return None
        self.seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item) for item in node.value]
        return scalar_value(node)

    def _mapping(self, node: yaml.MappingNode) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_line: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = self.build(key_node)
            if isinstance(key, list | dict):
                self.problems.append(_at(self.filename, key_node, "a key must be a plain value"))
                continue
            if key == "<<" and not key_node.style:
                self.problems.append(
                    _at(self.filename, key_node, "YAML merge keys ('<<') are not allowed")
                )
            if key in first_line:
                self.problems.append(
                    _at(
                        self.filename,
                        key_node,
                        f"duplicate key '{key}' (first at line {first_line[key]})",
                    )
                )
                continue
            first_line[key] = key_node.start_mark.line + 1
            result[key] = self.build(value_node)
        return result

    def _report_aliases(self) -> None:
        if self.aliases_reported:
            return
        self.aliases_reported = True
        for event in yaml.parse(self.text, Loader=_YamlLoader):
            if isinstance(event, yaml.AliasEvent):
                self.problems.append(
                    _at(
                        self.filename,
                        event,
                        f"YAML aliases are not allowed ('*{event.anchor}'); write the value out",
                    )
                )


def scalar_value(node: yaml.ScalarNode) -> Any:
    """A scalar by the YAML 1.2 core schema; quoted scalars are always strings."""
    text = node.value
    if node.style:  # quoted or block; the C composer gives '' for plain, PyYAML None
        return text
    if _NULL.match(text):
        return None
    if _TRUE.match(text):
        return True
    if _FALSE.match(text):
        return False
    if _INT.match(text):
        return int(text) if len(text) <= 20 else float(text)
    if _OCT.match(text):
        return int(text[2:], 8)
    if _HEX.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return float(text)
    if _INF.match(text):
        return float("-inf") if text.startswith("-") else float("inf")
    if _NAN.match(text):
        return float("nan")
    return text


def node_at(root: yaml.Node, loc: Loc) -> yaml.Node:
    """The deepest node along a location path; KEY selects a mapping key node."""
    node = root
    for i, part in enumerate(loc):
        if part == KEY:
            break
        if isinstance(node, yaml.MappingNode):
            want_key = i + 1 < len(loc) and loc[i + 1] == KEY
            found = _child(node, part, key=want_key)
            if found is not None:
                node = found
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            node = node.value[part]
    return node


def _child(node: yaml.MappingNode, part: str | int, *, key: bool) -> yaml.Node | None:
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and str(scalar_value(key_node)) == str(part):
            return key_node if key else value_node
    return None


def _at(filename: str, node: Any, message: str) -> Problem:
    mark = node.start_mark
    return Problem(filename, message, mark.line + 1, mark.column + 1)


def _sorted(problems: list[Problem]) -> list[Problem]:
    """Distinct problems in file order."""
    return sorted(dict.fromkeys(problems), key=lambda p: (p.line or 0, p.column or 0))


# pydantic's locations name union members; these are ours (see model.py Tag(...)).
_UNION_TAGS = {"amount", "profile", "number", "range"}

_SECTION_MODELS = {
    "objectives": "Objective",
    "commitments": "Commitment",
    "groups": "Group",
    "rules": "Rule",
    "candidates": "Candidate",
    "budget": "Budget",
}

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


def _pydantic_problem(filename: str, root: yaml.Node, err: Any) -> Problem:
    loc = tuple(KEY if part == "[key]" else part for part in err["loc"] if part not in _UNION_TAGS)
    kind = err["type"]
    names = [
        p for p in (loc[:-2] if loc and loc[-1] == KEY else loc) if isinstance(p, str) and p != KEY
    ]
    field = names[-1] if names else "document"
    if kind == "extra_forbidden":
        key = loc[-1]
        node = node_at(root, (*loc, KEY))
        return _at(filename, node, f"unknown key '{key}'{did_you_mean(str(key), _allowed(loc))}")
    node = node_at(root, loc)
    if kind == "missing":
        return _at(filename, node_at(root, loc[:-1]), f"missing required key '{loc[-1]}'")
    if kind == "literal_error" and loc == ("defplan",):
        return _at(filename, node, "unsupported format version; this defplan reads 'defplan: 1'")
    message = _message(err)
    if kind in _KINDS and isinstance(node, yaml.ScalarNode):
        shown = node.value if len(node.value) <= 40 else node.value[:37] + "..."
        message += f", not '{shown}'"
    if loc and loc[-1] == KEY:
        return _at(filename, node, f"{field}: key {message}")
    return _at(filename, node, f"{field}: {message}")


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
    if kind in ("too_short", "too_long"):
        return err["msg"].replace("List", "list").replace("Dictionary", "mapping")
    msg = err["msg"]
    return msg[:1].lower() + msg[1:]


def _allowed(loc: Loc) -> list[str]:
    from defplan import model

    name = _SECTION_MODELS.get(str(loc[0])) if len(loc) > 1 else "Portfolio"
    cls = getattr(model, name or "Portfolio")
    return list(cls.model_fields)


__all__ = [
    "MAX_BYTES",
    "STDIN",
    "compose_yaml",
    "load_portfolio",
    "node_at",
    "parse_portfolio",
    "read_source",
]
