"""The YAML 1.2 reader: a portfolio's text as plain Python data, read by the core schema.

PyYAML composes the node tree (its safe loader, without YAML 1.1 tag resolution); the
Builder turns it into data, noting every problem at the node it is about (duplicate
keys, aliases, tags defplan does not take, control characters, deep nesting). The nodes
keep their positions: node_at finds the one a validation error's location is about.
"""

from __future__ import annotations

import re
import weakref
from typing import Any

import yaml

from defplan.errors import LoadError, Problem
from defplan.loading.locate import line_column
from defplan.loading.reading import decoded
from defplan.model import CONTROL_CHARACTERS, KEY, Loc
from defplan.numbers import read_number

MAX_VALUES = 1_000_000
"""Most YAML values a file may hold, counted before parsing: each costs ~400 bytes as a
node, so a dense file within MAX_BYTES would take gigabytes (20,000 candidates: ~470,000)."""

MAX_DEPTH = 64
"""Deepest nesting of YAML values read (a portfolio needs 6); deeper ones are refused
before Python's recursion limit could turn them into a crash."""

try:  # the C loader is much faster (bench/results.md); fall back where libyaml is missing
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _BaseLoader = yaml.SafeLoader

_PLAIN_TAG = "tag:yaml.org,2002:plain"
"""Our mark on an untagged plain scalar: scalar_value reads it by YAML 1.2 later."""


class _YamlLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The safe loader without PyYAML's YAML 1.1 tag resolution of plain scalars, which
    defplan does not use and which is slow on a big file (bench/results.md)."""

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
_SCALAR, _MAPPING = yaml.ScalarNode, yaml.MappingNode


def compose_yaml(text: str | bytes, *, filename: str) -> yaml.Node:
    """The YAML node tree of a single document; LoadError when it is not well-formed."""
    text = decoded(text, filename=filename)
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
        line, col = line_column(text, exc.position)
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


_UNREAD = object()
ALIASED = object()
"""What an alias, or a node with a tag defplan does not take, is built as: never walked,
so an alias bomb costs nothing, and nothing built from it is reported again."""


class Builder:
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
        kind = type(node)
        if kind is _SCALAR and node.tag == _PLAIN_TAG and not node.style:
            return self._plain_scalar(node)  # most of a file: ids, numbers, keys
        if kind is not _SCALAR and node.tag == _NODE_TAGS[kind] and self.depth < MAX_DEPTH:
            problem = None  # a mapping or a list as most are: untagged, not too deep
        else:
            problem = _tag_problem(node) or _control_problem(node)
        if problem is None and self.depth >= MAX_DEPTH and kind is not _SCALAR:
            if self.too_deep:
                return ALIASED
            self.too_deep = True
            problem = f"YAML nested too deeply (more than {MAX_DEPTH} levels)"
        if problem is not None:
            self._note(node, problem)
            return ALIASED
        if kind is _SCALAR:
            return scalar_value(node)
        self.depth += 1
        try:
            if kind is _MAPPING:
                return self._mapping(node)
            return [self._item(item) for item in node.value]
        finally:
            self.depth -= 1

    def _item(self, node: yaml.Node) -> Any:
        """build(node), with the commonest case inline: an untagged plain scalar whose
        text was read before (and no alias can come back)."""
        if type(node) is _SCALAR and not self.aliases_possible:
            value = self.plain.get(node.value, _UNREAD) if node.tag == _PLAIN_TAG else _UNREAD
            if value is not _UNREAD and not node.style:
                return value
        return self.build(node)

    def _plain_scalar(self, node: yaml.ScalarNode) -> Any:
        """An untagged plain scalar's value, read once per distinct text."""
        text = node.value
        value = self.plain.get(text, _UNREAD)
        if value is _UNREAD:
            problem = _control_problem(node)
            if problem is not None:
                self._note(node, problem)
                return ALIASED
            value = self.plain[text] = _plain_value(text)
        return value

    def _mapping(self, node: yaml.MappingNode) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first: dict[str, yaml.Node] = {}  # each key's node, by its text
        item = self._item
        for key_node, value_node in node.value:
            key = item(key_node)
            if type(key) is str:  # most keys: a name, an id or a field
                text = key
                if key == "<<" and not key_node.style:
                    self._note(key_node, "YAML merge keys ('<<') are not allowed")
                    continue
            elif key is ALIASED:  # already reported
                continue
            elif isinstance(key, list | dict):
                self._note(key_node, "a key must be a plain value")
                continue
            elif key is None or isinstance(key, bool | float):  # never a name, id or year
                self._note(key_node, f"unknown key '{key_node.value}'")
                continue
            else:
                text = _key_text(key)  # 2026 and '2026' are the same year, 1 and '1' the same id
            if text in first:
                line = first[text].start_mark.line + 1
                self._note(key_node, f"duplicate key '{text}' (first at line {line})")
                continue
            first[text] = key_node
            result[key] = item(value_node)
        return result

    def _report_aliases(self) -> None:
        if self.aliases_reported:
            return
        self.aliases_reported = True
        for event in yaml.parse(self.text, Loader=_YamlLoader):
            if isinstance(event, yaml.AliasEvent):
                self._note(
                    event, f"YAML aliases are not allowed ('*{event.anchor}'); write the value out"
                )

    def _note(self, node: Any, message: str) -> None:
        """A problem at a node (or a parser event)."""
        self.problems.append(problem_at(self.filename, node, message))


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
            return f"'{abbreviated(node.value)}' is not a valid {shown}"
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


def abbreviated(text: str) -> str:
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
scanning the keys took time quadratic in their number (bench/results.md)."""


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


def problem_at(filename: str, node: Any, message: str) -> Problem:
    """A Problem at the start of a node (or a parser event)."""
    mark = node.start_mark
    return Problem(filename, message, mark.line + 1, mark.column + 1)


__all__ = [
    "ALIASED",
    "MAX_DEPTH",
    "MAX_VALUES",
    "Builder",
    "abbreviated",
    "compose_yaml",
    "node_at",
    "problem_at",
    "scalar_value",
]
