"""When a sum meets a bound: the tolerances every check shares (docs/model.md).

A total meets a bound when it passes it by no more than `allowance`: a relative part of
the bound itself (TIE for commitment targets, ROUNDING for caps, shares and rules), plus
the rounding that the summed terms may carry (ROUNDING of their summed magnitudes).
Both parts are relative, so a target of 5e-10 is not met by 0, 0.7 + 0.1 meets 0.8, and
a budget of 1e12 passed by 2 is passed. The result (`met`, `shortfall`), soft penalties
and the exact check of every solver answer (`Engine.broken`) all use these.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

TIE = 1e-9
"""Values, costs and commitment totals within this relative distance count as equal."""
ROUNDING = 1e-15
"""The relative error decimal input picks up on its way to binary floating point (each
number and product is off by at most 1.1e-16 of itself), with room to spare: a sum
that meets its bound in decimal arithmetic meets it here, one off by more does not."""


def allowance(bound: float, magnitude: float, relative: float = ROUNDING) -> float:
    """How far a total may pass `bound` and still meet it, for terms whose absolute
    values sum to `magnitude`."""
    return relative * abs(bound) + ROUNDING * magnitude


def tie_tolerance(amount: float, magnitude: float = 0.0) -> float:
    """How far below a value (or above a cost) another may lie and still tie with it: a
    relative TIE of it, and the rounding of terms whose absolute values sum to
    `magnitude`. Relative however small the amount: 1e-10 does not tie with 5e-10, and
    0 ties only with what rounding can make of 0."""
    return allowance(amount, magnitude, TIE)


def total_and_magnitude(terms: Iterable[float]) -> tuple[float, float]:
    """The correctly rounded sum of terms and the sum of their absolute values."""
    listed = list(terms)
    return math.fsum(listed), math.fsum(abs(t) for t in listed)


def shortfall(target: float, achieved: float, magnitude: float = 0.0) -> float:
    """Units short of a target; 0 when within a relative TIE of it (so 0.7 + 0.1 meets
    0.8, and 0 does not meet 5e-10). `magnitude`: the summed absolute contributions."""
    short = target - achieved
    return 0.0 if short <= allowance(target, magnitude, TIE) else short
