"""Cost risk: the factor a candidate's `cost_risk` puts on all its money.

`[low, high]` is a uniform factor, `[low, most likely, high]` a triangular one; both
allow low == high (a factor known for certain). The closed forms here serve both
`optimise --cost-level Q` (the Q-quantile of each factor) and `defplan risk` (factors
drawn by the same inverse, and each factor's variance for what drives the risk).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from defplan.errors import UsageError

if TYPE_CHECKING:
    from defplan.model import Portfolio


def factor_at(risk: Sequence[float], u: Any) -> Any:
    """The factor at cumulative probability u (a number or a numpy array in [0, 1]):
    the inverse of the factor's distribution function, in closed form.

    Uniform: low + u (high - low). Triangular with mode c on [a, b]: a + sqrt(u (b - a)
    (c - a)) while u < (c - a) / (b - a), else b - sqrt((1 - u) (b - a) (b - c))."""
    import numpy as np

    if len(risk) == 2:
        low, high = risk
        return low + u * (high - low)
    a, c, b = risk
    if a == b:
        return a + 0.0 * u
    width = b - a
    left = a + np.sqrt(u * width * (c - a))
    right = b - np.sqrt(np.maximum(1.0 - u, 0.0) * width * (b - c))
    return np.where(u < (c - a) / width, left, right)


def quantile(risk: Sequence[float], level: float) -> float:
    """The factor's `level`-quantile (0 < level < 1)."""
    return float(factor_at(risk, level))


def mean(risk: Sequence[float]) -> float:
    """The factor's expected value: (low + high) / 2, or (a + c + b) / 3."""
    return math.fsum(risk) / len(risk)


def variance(risk: Sequence[float]) -> float:
    """The factor's variance: (high - low)^2 / 12 uniform, (a^2 + b^2 + c^2 - ab - ac -
    bc) / 18 triangular."""
    if len(risk) == 2:
        return (risk[1] - risk[0]) ** 2 / 12
    a, c, b = risk
    return math.fsum([a * a, b * b, c * c, -a * b, -a * c, -b * c]) / 18


def check_level(level: float | None) -> None:
    """UsageError unless the level is None or lies strictly between 0 and 1."""
    if level is not None and not (math.isfinite(level) and 0 < level < 1):
        raise UsageError(f"--cost-level {level:g}: a probability Q with 0 < Q < 1 (0.8 for P80)")


def level_factors(portfolio: Portfolio, level: float | None) -> list[float]:
    """Each candidate's factor at `level` (file order): 1 without a level or without
    `cost_risk`."""
    check_level(level)
    return [
        1.0 if level is None or c.cost_risk is None else quantile(c.cost_risk, level)
        for c in portfolio.candidates
    ]
