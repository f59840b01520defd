"""build_result cleans each reported number once per distinct value: what it remembers
must be what clean gives for every later number equal to it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from defplan.result import clean
from defplan.solving.answer import _reporter

_numbers = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [0.0, -0.0, 0.1 + 0.2, 0.3, 1 / 3, 2903.04475 - 2903.01625, 1e-300, 2.0**53 + 1]
)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(_numbers | st.integers(-(10**15), 10**15), max_size=30))
def test_remembered_numbers_clean_as_clean_does(numbers: list[float]) -> None:
    report = _reporter()
    twice = numbers + numbers[::-1]  # every number again, after others
    # repr tells -0.0 from 0.0 and shows nan: the texts must be the same
    assert [repr(report(x)) for x in twice] == [repr(clean(x)) for x in twice]
