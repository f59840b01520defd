"""The YAML reader's node-to-data step on generated documents: on what YAML 1.1 and 1.2
read alike it gives what PyYAML's own safe loader gives, and its shortcut (a plain
scalar whose text it has read before is not read again) changes nothing, problems
included, against the general path every node can take."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from defplan.loading.yaml12 import Builder, compose_yaml

Node = tuple[str, Any]
"""("scalar", text as written), ("map", [(key text, node)]) or ("seq", [node])."""


def emit(node: Node, indent: int = 0) -> list[str]:
    """Block-style YAML lines of a node that is a mapping or a list."""
    pad = " " * indent
    kind, body = node
    lines = []
    for entry in body:
        head, value = (f"{pad}{entry[0]}:", entry[1]) if kind == "map" else (f"{pad}-", entry)
        if value[0] == "scalar":
            lines.append(f"{head} {value[1]}")
        elif not value[1]:
            lines.append(f"{head} {'{}' if value[0] == 'map' else '[]'}")
        else:
            lines.append(head)
            lines.extend(emit(value, indent + 2))
    return lines


def documents(keys: st.SearchStrategy[str], scalars: st.SearchStrategy[str], *, unique: bool):
    """Mappings at the top, nested mappings and lists inside, keys and scalars as given."""

    def mapping(inner: st.SearchStrategy[Node], least: int = 0) -> st.SearchStrategy[Node]:
        unique_by = _text if unique else None
        entries = st.lists(st.tuples(keys, inner), min_size=least, max_size=4, unique_by=unique_by)
        return entries.map(lambda e: ("map", e))

    leaf = scalars.map(lambda s: ("scalar", s))
    nodes = st.recursive(
        leaf,
        lambda inner: mapping(inner) | st.lists(inner, max_size=4).map(lambda e: ("seq", e)),
        max_leaves=25,
    )
    return mapping(nodes, least=1)  # an empty document is refused before any building


def _text(entry: tuple[str, Node]) -> str:
    """A key's text as a YAML reader sees it: '1' and 1 are one key to defplan."""
    return entry[0].strip("'\"")


def built(text: str, *, general: bool = False) -> tuple[Any, list[Any]]:
    """The data and problems of text; `general`: every node through Builder.build (a
    document that may hold aliases takes no shortcut)."""
    root = compose_yaml(text, filename="t.yaml")
    builder = Builder("t.yaml", text)
    if general:
        builder.aliases_possible = True
    return builder.build(root), builder.problems


# Spellings that YAML 1.1 (PyYAML) and YAML 1.2 (defplan) read alike.
_AGREED_KEYS = st.sampled_from(["a", "b", "cost", "2026", "7", "'x'", '"y z"'])
_AGREED_SCALARS = st.sampled_from(
    ["41.3", "7", "-2", "0", "3.0", "true", "false", "null", "~", "word", "'41.3'", '"7"', "''"]
)

# Everything the shortcut must tell apart: repeated texts plain, quoted and tagged,
# keys that clash ('1' and 1), merge keys, tags on scalars, control characters.
_ANY_KEYS = st.sampled_from(["a", "1", "'1'", "2026", "<<", "'<<'", "!!str 7", "null", "1.5"])
_ANY_SCALARS = st.sampled_from(
    [
        "41.3",
        "'41.3'",
        '"41.3"',
        "!!str 41.3",
        "!!float 7",
        "!!int 41.3",
        "7",
        "true",
        "'true'",
        "NO",
        "0o17",
        "0x1F",
        ".inf",
        "null",
        '"\\e[31m"',
        '"a\\Lb"',
        "!custom 3",
        "!!map 3",
        "word",
    ]
)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(documents(_AGREED_KEYS, _AGREED_SCALARS, unique=True))
def test_reads_what_pyyaml_reads_where_the_versions_agree(document: Node) -> None:
    text = "\n".join(emit(document)) + "\n"
    data, problems = built(text)
    assert problems == []
    assert data == yaml.safe_load(text)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(documents(_ANY_KEYS, _ANY_SCALARS, unique=False))
def test_the_shortcut_changes_nothing(document: Node) -> None:
    text = "\n".join(emit(document)) + "\n"
    assert built(text) == built(text, general=True)
