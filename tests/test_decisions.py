"""Decision support (issue 4) against brute-force enumeration of small random portfolios.

Every answer is checked against `enumerate_selections` (tests/test_bruteforce.py), which
knows, for each selection, the named constraints it breaks, in exact arithmetic.
"""

from __future__ import annotations

import re
from fractions import Fraction

from hypothesis import event, given, note, settings
from test_bruteforce import Case, cases, enumerate_selections, run

SUGGESTION = re.compile(r"; (raising|lowering) it alone to (-?[\d,.e+-]+)")


def _near(printed: str, exact: Fraction) -> bool:
    """A number printed with 6 significant digits against the exact one."""
    return abs(Fraction(printed.replace(",", "")) - exact) <= Fraction(1, 10**5) * max(
        1, abs(exact)
    )


@settings(max_examples=250, derandomize=True, deadline=None)
@given(cases())
def test_conflicts_are_irreducible_and_suggestions_exact(case: Case) -> None:
    result = run(case)
    event(result.status.value)
    if result.status.value != "infeasible":
        return
    note(case.describe())
    selections = enumerate_selections(case)
    conflict = frozenset(result.conflicts)
    assert len(conflict) == len(result.conflicts) > 0
    # those constraints alone admit no portfolio ...
    assert not any(s.violated.isdisjoint(conflict) for s in selections), result.conflicts
    # ... and without any one of them, they do
    for name in conflict:
        rest = conflict - {name}
        assert any(s.violated.isdisjoint(rest) for s in selections), (name, result.conflicts)
    # a suggested number restores feasibility alone, and is the least change that does
    for name, detail in zip(result.conflicts, result.conflict_details, strict=True):
        assert detail.startswith(f"{name}: ")
        found = SUGGESTION.search(detail)
        if found is None:
            continue
        alone = [s.spend[name] for s in selections if s.violated <= {name}]
        event(f"suggestion for {name.split('.')[0]}")
        assert alone, detail
        best = min(alone) if found.group(1) == "raising" else max(alone)
        assert _near(found.group(2), best), (detail, best)
