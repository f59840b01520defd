"""Read a portfolio file (path or stdin) into a validated Portfolio.

Every problem, YAML or schema or cross-field, becomes one Problem pointing at the YAML
node it is about, and all of them are raised together as a single LoadError.
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
import sys
import weakref
from collections.abc import Iterator
from typing import Any

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from defplan import model
from defplan.errors import LoadError, Problem
from defplan.model import CONTROL_CHARACTERS, KEY, Loc, Names, Portfolio, Suggester, cross_check
from defplan.numbers import read_number
from defplan.timing import phase

MAX_BYTES = 16 * 1024 * 1024
"""Largest portfolio file read; far above any real portfolio (5,000 candidates is ~2 MB)."""

MAX_VALUES = 1_000_000
"""Most YAML values a file may hold, counted before parsing: each costs ~400 bytes as a
node, so a dense file within MAX_BYTES would take gigabytes (20,000 candidates: ~470,000)."""

MAX_DEPTH = 64
"""Deepest nesting of YAML values read (a portfolio needs 6); deeper ones are refused
before Python's recursion limit could turn them into a crash."""

STDIN = "-"

try:  # the C loader is about 4x faster; fall back where libyaml is missing
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _BaseLoader = yaml.SafeLoader

_PLAIN_TAG = "tag:yaml.org,2002:plain"
"""Our mark on an untagged plain scalar: scalar_value reads it by YAML 1.2 later."""


class _YamlLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The safe loader without PyYAML's YAML 1.1 tag resolution of plain scalars, which
    defplan does not use and which took a third of the time of loading a big file."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and implicit[0]:
            return _PLAIN_TAG
        return super().resolve(kind, value, implicit)


# YAML 1.2 core schema for plain scalars; PyYAML alone reads YAML 1.1 (`NO` is false).
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_TRUE = re.compile(r"^(?:true|True|TRUE)$")
_FALSE = re.compile(r"^(?:false|False|FALSE)$")
_SEPARATORS = {"\u2028": "line separator", "\u2029": "paragraph separator"}
_STANDARD_TAG = "tag:yaml.org,2002:"
_STR_TAG = "tag:yaml.org,2002:str"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_TYPED_TAGS: dict[str, tuple[type, ...]] = {
    "tag:yaml.org,2002:int": (int,),
    _FLOAT_TAG: (int, float),
    "tag:yaml.org,2002:bool": (bool,),
    "tag:yaml.org,2002:null": (type(None),),
}
"""The core schema's scalar tags besides `!!str`, and what a scalar tagged so must read as."""
_NODE_WORDS = {
    yaml.ScalarNode: "a plain value",
    yaml.SequenceNode: "a list",
    yaml.MappingNode: "a mapping",
}
_NODE_TAGS: dict[type, str] = {
    yaml.MappingNode: "tag:yaml.org,2002:map",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
}


def load_portfolio(source: str | os.PathLike[str]) -> Portfolio:
    """Load and validate a portfolio from a path, or from stdin when source is '-'."""
    with phase("load"):
        data, filename = read_source(source)
    return parse_portfolio(data, filename=filename)


def read_source(source: str | os.PathLike[str]) -> tuple[bytes, str]:
    """The bytes of a file (or stdin for '-') and the name to show in messages."""
    if str(source) == STDIN:
        filename = "<stdin>"
        if sys.stdin is None:  # `<&-`: the interpreter found descriptor 0 closed
            raise LoadError([Problem(filename, "standard input is closed; give a FILE")])
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
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
        raise LoadError([Problem(filename, _too_large())])
    return data, filename


def parse_portfolio(text: str | bytes, *, filename: str = "<string>") -> Portfolio:
    """Parse and validate portfolio YAML text; raise LoadError listing every problem."""
    with _collector_paused():
        with phase("load"):
            root = compose_yaml(text, filename=filename)
            if not isinstance(root, yaml.MappingNode):
                message = "a portfolio file must be a mapping of keys"
                raise LoadError([_at(filename, root, message)])
            builder = _Builder(filename, text)
            data = builder.build(root)
            if data is ALIASED:  # a tag on the whole document: nothing else to check
                raise LoadError(builder.problems)
        with phase("validate"):
            portfolio = _portfolio_from(data, root, builder, filename)
        # freed now, by reference counting: the collector, back on, then has only the
        # portfolio to look at, not the ~10^6 objects made on the way (0.1 s at 5,000)
        del root, builder, data
    return portfolio


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector: a big file makes ~10^5 node objects, and the
    collections their creation triggers doubled the time to load 5,000 candidates.
    (Reference counting still frees everything; cycles wait until it runs again.)"""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _portfolio_from(data: Any, root: yaml.Node, builder: _Builder, filename: str) -> Portfolio:
    try:
        portfolio = Portfolio.model_validate(data)
    except ValidationError as exc:
        suggest = Suggester()
        problems = [
            _pydantic_problem(filename, root, err, suggest)
            for err in exc.errors(include_input=False)
            if not _through_alias(data, err["loc"])  # aliased values are reported as aliases
        ]
        problems += [_at(filename, node_at(root, loc), msg) for loc, msg in _partial_check(data)]
        raise LoadError(_sorted(builder.problems + problems)) from None
    problems = [_at(filename, node_at(root, loc), msg) for loc, msg in cross_check(portfolio)]
    if builder.problems or problems:
        raise LoadError(_sorted(builder.problems + problems))
    return portfolio


def _too_large() -> str:
    return f"file too large to be a portfolio (the limit is {MAX_BYTES:,} bytes)"


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
            good = [(i, check(_ITEM_MODELS[key], item)) for i, item in enumerate(items)]
            fields[key] = [obj for _, obj in good if obj is not None]
            positions[key] = [i for i, obj in good if obj is not None]
    for key in ("objectives", "commitments", "groups"):
        entries = data.get(key)
        if isinstance(entries, dict):
            check = _salvaged if key in _SALVAGED else _validated
            checked = {str(k): check(_ITEM_MODELS[key], v) for k, v in entries.items()}
            fields[key] = {k: obj for k, obj in checked.items() if obj is not None}
    fields["budget"] = _validated(model.Budget, data.get("budget", {})) or model.Budget()
    fields["years"] = _validated(model.Years, data.get("years"))
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

_SALVAGED = {"candidates", "objectives", "groups"}
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
    )


def compose_yaml(text: str | bytes, *, filename: str) -> yaml.Node:
    """The YAML node tree of a single document; LoadError when it is not well-formed."""
    if isinstance(text, bytes):
        text = _decode(text, filename)
    if len(text) * 4 > MAX_BYTES and len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise LoadError([Problem(filename, _too_large())])
    values = _values_at_most(text)
    if values > MAX_VALUES:
        message = (
            f"file too large to be a portfolio: up to {values:,} YAML values "
            f"(the limit is {MAX_VALUES:,})"
        )
        raise LoadError([Problem(filename, message)])
    try:
        root = yaml.compose(text, Loader=_YamlLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join((exc.problem or exc.context or "").split())
        where = exc.context_mark
        opened_earlier = where is not None and mark is not None and where.line < mark.line
        if exc.problem and exc.context and opened_earlier:  # e.g. an unclosed bracket
            context = " ".join(exc.context.removeprefix("while ").split())
            message += (
                f" ({context} that starts at line {where.line + 1}, column {where.column + 1})"
            )
        if "\t" in text and "cannot start any token" in message:
            message += " (tabs cannot indent YAML; use spaces)"
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise LoadError([Problem(filename, f"malformed YAML: {message}", line, col)]) from None
    except yaml.reader.ReaderError as exc:
        line, col = _position(text, exc.position)
        message = f"malformed YAML: character #x{exc.character:04x} is not allowed in YAML text"
        raise LoadError([Problem(filename, message, line, col)]) from None
    except yaml.YAMLError as exc:
        message = " ".join(str(exc).split())
        raise LoadError([Problem(filename, f"malformed YAML: {message}")]) from None
    if root is None:
        raise LoadError(
            [Problem(filename, "the file is empty; a portfolio needs objectives and candidates")]
        )
    return root


def _values_at_most(text: str) -> int:
    """About as many YAML values as text can hold (an upper bound within a factor of 2):
    each value starts a line or follows one of the characters `-:,[{?`."""
    return 1 + sum(text.count(mark) for mark in "\n-:,[{?")


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a character offset."""
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _decode(data: bytes, filename: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8-sig", errors="replace")
        line, column = _position(before, len(before))
        raise LoadError([Problem(filename, "not UTF-8 text", line, column)]) from None


_UNREAD = object()
ALIASED = object()
"""What an alias, or a node with a tag defplan does not take, is built as: never walked,
so an alias bomb costs nothing, and nothing built from it is reported again."""


def _through_alias(data: Any, loc: tuple[Any, ...]) -> bool:
    """True when a pydantic location passes through a value built from an alias."""
    for part in loc:
        if data is ALIASED:
            return True
        if isinstance(data, dict | list):
            with contextlib.suppress(KeyError, IndexError, TypeError):
                data = data[part]
    return data is ALIASED


class _Builder:
    """Turn a node tree into plain Python data, noting duplicate keys and aliases."""

    def __init__(self, filename: str, text: str | bytes):
        self.filename = filename
        self.text = text
        self.problems: list[Problem] = []
        self.seen: set[int] = set()
        self.aliases_reported = False
        self.depth = 0
        self.too_deep = False
        # without an anchor ('&') there is no alias, so no node comes back twice
        self.aliases_possible = (b"&" if isinstance(text, bytes) else "&") in text
        self.plain: dict[str, Any] = {}  # plain scalars read so far, by their text

    def build(self, node: yaml.Node) -> Any:
        if self.aliases_possible:
            if id(node) in self.seen:  # the composer hands an alias back as the same node
                self._report_aliases()
                return ALIASED
            self.seen.add(id(node))
        if type(node) is yaml.ScalarNode and node.tag == _PLAIN_TAG and not node.style:
            return self._plain_scalar(node)  # most of a file: ids, numbers, keys
        problem = _tag_problem(node) or _control_problem(node)
        if problem is None and self.depth >= MAX_DEPTH and not isinstance(node, yaml.ScalarNode):
            if self.too_deep:
                return ALIASED
            self.too_deep = True
            problem = f"YAML nested too deeply (more than {MAX_DEPTH} levels)"
        if problem is not None:
            self.problems.append(_at(self.filename, node, problem))
            return ALIASED
        if isinstance(node, yaml.ScalarNode):
            return scalar_value(node)
        self.depth += 1
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node)
            return [self.build(item) for item in node.value]
        finally:
            self.depth -= 1

    def _plain_scalar(self, node: yaml.ScalarNode) -> Any:
        """An untagged plain scalar's value, read once per distinct text."""
        text = node.value
        value = self.plain.get(text, _UNREAD)
        if value is _UNREAD:
            problem = _control_problem(node)
            if problem is not None:
                self.problems.append(_at(self.filename, node, problem))
                return ALIASED
            value = self.plain[text] = _plain_value(text)
        return value

    def _mapping(self, node: yaml.MappingNode) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_line: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = self.build(key_node)
            if key is ALIASED:  # already reported
                continue
            if isinstance(key, list | dict):
                self.problems.append(_at(self.filename, key_node, "a key must be a plain value"))
                continue
            if key is None or isinstance(key, bool | float):  # never a name, id or year
                self.problems.append(
                    _at(self.filename, key_node, f"unknown key '{key_node.value}'")
                )
                continue
            if key == "<<" and not key_node.style:
                self.problems.append(
                    _at(self.filename, key_node, "YAML merge keys ('<<') are not allowed")
                )
                continue
            text = _key_text(key)  # 2026 and '2026' are the same year, 1 and '1' the same id
            if text in first_line:
                self.problems.append(
                    _at(
                        self.filename,
                        key_node,
                        f"duplicate key '{text}' (first at line {first_line[text]})",
                    )
                )
                continue
            first_line[text] = key_node.start_mark.line + 1
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


def _tag_problem(node: yaml.Node) -> str | None:
    """What is wrong with a node's YAML tag, or None: defplan takes the core schema's
    tags only (`!!str`, `!!int`, ...), each on a node it fits, and never `!!python/...`."""
    tag = node.tag
    shown = "!!" + tag.removeprefix(_STANDARD_TAG) if tag.startswith(_STANDARD_TAG) else tag
    if isinstance(node, yaml.ScalarNode):
        if tag in (_PLAIN_TAG, _STR_TAG):
            return None
        kinds = _TYPED_TAGS.get(tag)
        if kinds is None:
            fits = tag in _NODE_TAGS.values()
        elif type(scalar_value(node)) in kinds:
            return None
        else:
            return f"'{_shown(node.value)}' is not a valid {shown}"
    else:
        fits = tag in _TYPED_TAGS or tag == _STR_TAG or tag in _NODE_TAGS.values()
        if tag == _NODE_TAGS[type(node)]:
            return None
    if fits:
        return f"YAML tag '{shown}' does not fit {_NODE_WORDS[type(node)]}"
    return f"unsupported YAML tag '{shown}'"


def _control_problem(node: yaml.Node) -> str | None:
    """What is wrong with a scalar holding a control character (or a line separator),
    or None."""
    control = CONTROL_CHARACTERS.search(node.value) if isinstance(node, yaml.ScalarNode) else None
    if control is None:
        return None
    character = control.group()
    kind = _SEPARATORS.get(character, "control character")
    return (
        f"{kind} U+{ord(character):04X} in text: names and labels are shown in terminals "
        "and one-line messages, where such characters act as commands or break the line"
    )


def _shown(text: str) -> str:
    """text cut to 40 characters for a message."""
    return text if len(text) <= 40 else text[:37] + "..."


def _key_text(key: Any) -> str:
    if key is None or isinstance(key, bool):
        return str(key).lower() if key is not None else "null"
    return str(key)


def scalar_value(node: yaml.ScalarNode) -> Any:
    """A scalar by the YAML 1.2 core schema; quoted or `!!str`-tagged scalars are text."""
    text = node.value
    if node.tag == _FLOAT_TAG:  # `!!float 5`: tagged by hand, read as a float
        value = _plain_value(text)
        return float(value) if type(value) is int else value
    if node.tag in _TYPED_TAGS:  # `!!int "5"`: the tag decides, quoted or not
        return _plain_value(text)
    if node.style:  # quoted or block; the C composer gives '' for plain, PyYAML None
        return text
    if node.tag == _STR_TAG:  # `!!str 5`: tagged by hand (untagged ones get _PLAIN_TAG)
        return text
    return _plain_value(text)


def _plain_value(text: str) -> Any:
    """A plain scalar's text read by the YAML 1.2 core schema."""
    if _NULL.match(text):
        return None
    if _TRUE.match(text):
        return True
    if _FALSE.match(text):
        return False
    number = read_number(text)
    return text if number is None else number


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


_KEYS: weakref.WeakKeyDictionary[yaml.MappingNode, dict[str, tuple[yaml.Node, yaml.Node]]] = (
    weakref.WeakKeyDictionary()
)
"""Each mapping's (key, value) nodes by key text, made once: finding every problem by
scanning the keys took time quadratic in their number (20,000 bad keys: 5 minutes)."""


def _child(node: yaml.MappingNode, part: str | int, *, key: bool) -> yaml.Node | None:
    index = _KEYS.get(node)
    if index is None:
        index = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                index.setdefault(str(scalar_value(key_node)), (key_node, value_node))
        _KEYS[node] = index
    found = index.get(str(part))
    if found is None:
        return None
    return found[0] if key else found[1]


def _at(filename: str, node: Any, message: str) -> Problem:
    mark = node.start_mark
    return Problem(filename, message, mark.line + 1, mark.column + 1)


def _sorted(problems: list[Problem]) -> list[Problem]:
    """Distinct problems in file order."""
    return sorted(dict.fromkeys(problems), key=lambda p: (p.line or 0, p.column or 0))


# pydantic's locations name union members; these are ours (see model.py Tag(...)).
_UNION_TAGS = {"amount", "profile", "number", "range"}

_ITEM_MODELS: dict[str, type[BaseModel]] = {
    "objectives": model.Objective,
    "commitments": model.Commitment,
    "groups": model.Group,
    "rules": model.Rule,
    "candidates": model.Candidate,
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


def _pydantic_problem(filename: str, root: yaml.Node, err: Any, suggest: Suggester) -> Problem:
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
        return _at(filename, node, f"unknown key '{key}'{suggest(str(key), _allowed(loc))}")
    node = node_at(root, loc)
    if kind == "missing":
        return _at(filename, node_at(root, loc[:-1]), f"missing required key '{loc[-1]}'")
    if kind == "literal_error" and loc == ("defplan",):
        return _at(filename, node, "unsupported format version; this defplan reads 'defplan: 1'")
    message = _message(err)
    if kind in _KINDS and isinstance(node, yaml.ScalarNode):
        message += _what_was_given(node, kind)
    if loc and loc[-1] == KEY:
        return _at(filename, node, f"{field}: key {message}")
    return _at(filename, node, f"{field}: {message}")


_QUOTES = ("'", '"')


def _what_was_given(node: yaml.ScalarNode, kind: str) -> str:
    """', not ...': the value given where another kind belongs. A quoted number or
    boolean is text only because of its quotes, so the message says to remove them."""
    if node.value == "" and not node.style:
        return ", but the value is empty"
    if node.style not in _QUOTES:
        return f", not '{_shown(node.value)}'"
    quoted = f"{node.style}{_shown(node.value)}{node.style}"
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
    """The keys the model at an unknown key's location takes (for "did you mean")."""
    sections: dict[str, type[BaseModel]] = {**_ITEM_MODELS, "budget": model.Budget}
    cls = sections.get(str(loc[0]), Portfolio) if len(loc) > 1 else Portfolio
    return list(cls.model_fields)


__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_VALUES",
    "STDIN",
    "compose_yaml",
    "load_portfolio",
    "node_at",
    "parse_portfolio",
    "read_source",
]
