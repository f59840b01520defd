"""Where a run's time goes: named phases summed over the run (`defplan --profile`).

Phases: load (read and parse the YAML), validate (the schema and references), build
(the model: formulation and PuLP problems), solve (every solver call), render (tables,
JSON, CSV). Timing is always on (a few perf_counter calls); only --profile prints it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

PHASES = ("load", "validate", "build", "solve", "render")
_spent: dict[str, float] = dict.fromkeys(PHASES, 0.0)
_open: list[str] = []


@contextlib.contextmanager
def phase(name: str) -> Iterator[None]:
    """Count the time inside against `name`; an inner phase pauses the outer one."""
    started = time.perf_counter()
    outer = _open[-1] if _open else None
    if outer is not None:
        _spent[outer] += started - _outer_started[-1]
    _open.append(name)
    _outer_started.append(started)
    try:
        yield
    finally:
        now = time.perf_counter()
        _spent[name] += now - _outer_started.pop()
        _open.pop()
        if _open:
            _outer_started[-1] = now


_outer_started: list[float] = []


def spent() -> dict[str, float]:
    """Seconds per phase so far, in PHASES order."""
    return dict(_spent)


def report(total: float) -> str:
    """The phases, the rest and peak memory, one line each, for stderr."""
    import resource
    import sys

    lines = ["defplan: profile (seconds):"]
    counted = 0.0
    for name in PHASES:
        lines.append(f"  {name:<9} {_spent[name]:8.3f}")
        counted += _spent[name]
    lines.append(f"  {'other':<9} {max(0.0, total - counted):8.3f}  (start-up, imports)")
    lines.append(f"  {'total':<9} {total:8.3f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_mb = peak / 1024 / (1024 if sys.platform == "darwin" else 1)  # bytes on macOS
    lines.append(f"  peak memory {peak_mb:,.0f} MB")
    return "\n".join(lines)
