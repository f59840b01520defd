"""defplan's JSON writer writes what json.dumps(json_ready(doc), indent=2) writes, where
json_ready is how defplan wrote whole numbers before it had a writer of its own."""

from __future__ import annotations

import json
from enum import IntEnum, StrEnum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from defplan.render.jsontext import json_text


def json_ready(data: Any) -> Any:
    """data with integral floats (below 2**53) as ints; tuples left as they are."""
    if isinstance(data, float) and data.is_integer() and abs(data) < 2.0**53:
        return int(data)
    if isinstance(data, dict):
        return {k: json_ready(v) for k, v in data.items()}
    if isinstance(data, list):
        return [json_ready(v) for v in data]
    return data


def _stdlib(document: object) -> str:
    return json.dumps(json_ready(document), indent=2, ensure_ascii=False) + "\n"


_leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([0.0, -0.0, 900.0, 2.0**53, -(2.0**53) + 1, 1e300, 0.1])
    | st.text()
)
_keys = (
    st.text()
    | st.integers(min_value=-1000, max_value=1000)
    | st.floats(allow_nan=False)
    | st.booleans()
    | st.none()
)
_documents = st.recursive(
    _leaves,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(_keys, inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(_documents)
def test_writes_what_the_standard_library_writes(document: object) -> None:
    assert json_text(document) == _stdlib(document)


class Colour(StrEnum):
    RED = "red"


class Level(IntEnum):
    HIGH = 3


class Money(float):
    def __repr__(self) -> str:
        return "Money!"


def test_subclasses_of_str_and_int_and_control_characters() -> None:
    document = {
        "status": Colour.RED,
        "flag": True,
        "count": 3,
        Level.HIGH: Level.HIGH,
        "money": [Money(2.5), Money(4.0)],
        "text": "tab\there \u00e9 \x1b[31m \u2028",
        "nested": [{"a": [], "b": {}}, (1.0, {"c": 2.0})],
    }
    assert json_text(document) == _stdlib(document)
    text = json_text(document)
    assert "1.0," in text and '"c": 2.0' in text  # json_ready leaves tuples as they are


def test_unknown_objects_are_refused_like_json_does() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        json_text({"a": object()})
    with pytest.raises(TypeError):
        json_text({(1, 2): 3})
