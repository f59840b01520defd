"""Portfolio texts shared by the CLI, report and output tests."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

# A small portfolio whose best answer is easy to work out by hand.
#   weights 3:1 -> 0.75 / 0.25; weighted values: alpha 7, bravo 4 (range midpoint),
#   charlie 3, delta 4.5, echo 0.5.
#   nato (hard, 2) needs alpha, or bravo + delta; eu (soft, 4, penalty 0.5) can reach
#   at most 3 (bravo + charlie), so every portfolio pays at least 0.5.
#   alpha and delta together spend 55 in 2027, over the 40 cap.
#   Best at total 100: alpha + bravo + charlie, cost 100, value 14 - 0.5 = 13.5.
SMALL = """\
defplan: 1
name: Small test portfolio
currency: EUR
unit: M
years: [2026, 2030]
objectives:
  a: {label: Air defence, weight: 3}
  b: {label: Border security, weight: 1}
commitments:
  nato:
    label: NATO target
    framework: NATO
    target: 2
  eu:
    label: EU pledge
    framework: EU
    target: 4
    hard: false
    penalty: 0.5
budget:
  total: 100
  per_year: {2027: 40}
groups:
  kit: {min_share: 0.2}
candidates:
  - id: alpha
    name: Alpha radar
    group: kit
    cost: {2026: 20, 2027: 30}
    value: {a: 8, b: 4}
    commitments: {nato: 2}
  - id: bravo
    name: Bravo boats
    group: kit
    cost: 30
    value: {a: 4, b: [0, 8]}
    commitments: {nato: 1, eu: 1}
  - id: charlie
    name: Charlie training
    group: ops
    cost: 20
    value: {a: 2, b: 6}
    commitments: {eu: 2}
  - id: delta
    group: ops
    cost: {2027: 25}
    value: {a: 6}
    commitments: {nato: 1}
  - id: echo
    name: Echo stores
    cost: 10
    value: {b: 2}
"""

# What every run on SMALL says on stderr: its 2027 cap counts no plain cost (issue 12).
SMALL_WARNING = (
    "defplan: warning: 3 candidates have a plain cost, which no annual cap counts: "
    "bravo, charlie, echo\n"
)

# Only per-year profiles and annual caps: a run with no total budget.
ANNUAL = """\
name: Annual caps only
years: [2026, 2027]
objectives:
  a: {weight: 1}
budget:
  per_year: {2026: 50, 2027: 50}
candidates:
  - id: one
    cost: {2026: 40}
    value: {a: 5}
  - id: two
    cost: {2026: 20, 2027: 20}
    value: {a: 3}
  - id: three
    cost: {2027: 30}
    value: {a: 2}
"""

# The keys SPEC §5 fixes for every result object (sweep points, diff sides, optimise).
RESULT_KEYS = {
    "format",
    "portfolio",
    "status",
    "budget",
    "weights",
    "value",
    "objectives",
    "cost",
    "selected",
    "commitments",
    "solver",
}


def line_with(text: str, *words: str) -> str:
    """The one line of rendered text holding every word."""
    found = [line for line in text.splitlines() if all(w in line for w in words)]
    assert len(found) == 1, (words, found)
    return found[0]


def cells(line: str) -> list[str]:
    """The non-empty cells of one rendered table row."""
    return [c.strip() for c in re.split(r"[│┃]", line) if c.strip()]


def without_timings(document: Any) -> Any:
    """document with every solver.seconds removed (the only part allowed to vary)."""
    if isinstance(document, dict):
        return {
            k: without_timings(v)
            for k, v in document.items()
            if not (k == "seconds" and "gap" in document)
        }
    if isinstance(document, list):
        return [without_timings(v) for v in document]
    return document


def timings_zeroed(text: str | bytes) -> bytes:
    """JSON text with every solver "seconds" set to 0: the only bytes allowed to vary."""
    data = text.encode() if isinstance(text, str) else text
    return re.sub(rb'"seconds": [0-9.e+-]+', b'"seconds": 0', data)


def pool_sizes(monkeypatch: Any, module: Any) -> list[int]:
    """The sizes of the WorkerPools `module` opens from now on, recorded in a list (the
    pools still run): identical output alone would also hold if --workers were ignored."""
    sizes: list[int] = []
    real = module.WorkerPool

    def recording(max_workers: int) -> Any:
        sizes.append(max_workers)
        return real(max_workers=max_workers)

    monkeypatch.setattr(module, "WorkerPool", recording)
    return sizes


LONG_ID = (
    "integrated-air-and-missile-defence-extended-range-interceptor-battery-upgrade-for-the-army"
)
"""A 90-character id (letters only, so no figure hides in it)."""

# Long ids, names and labels, and long figures: for tables at narrow widths.
WIDE = f"""\
name: Wide portfolio with very long names for narrow terminals
years: [2026, 2028]
objectives:
  national: {{label: National security and territorial defence of the realm, weight: 2}}
  flow: {{label: Security of trade flows and critical maritime infrastructure, weight: 1}}
commitments:
  nato:
    label: NATO capability target for integrated air and missile defence
    framework: NATO
    target: 2
  eu:
    label: EU PESCO military mobility pledge for the eastern flank
    framework: EU
    target: 5
    hard: false
    penalty: 0.75
budget:
  total: 3500000.5
  per_year: {{2027: 1500000}}
groups:
  equipment: {{min_share: 0.2}}
candidates:
  - id: {LONG_ID}
    name: {"Extended range interceptors for the integrated air and missile defence batteries " * 2}
    group: equipment
    cost: {{2026: 1234567.25, 2027: 765432.5}}
    value: {{national: 8.125, flow: [1, 4]}}
    commitments: {{nato: 2, eu: 1}}
  - id: frigate-replacement-programme
    name: Replacement of the air defence and command frigates with new anti-submarine vessels
    group: equipment
    cost: 987654.75
    value: {{national: 5, flow: 7.5}}
    commitments: {{nato: 1, eu: 2}}
  - id: reserve-training-expansion
    name: Expansion of reserve training
    group: personnel-and-training-of-the-territorial-reserve-forces
    cost: {{2027: 456789}}
    value: {{national: 3.3333, flow: 2}}
    commitments: {{eu: 2}}
  - id: seabed-sensor-network
    cost: 2345678.125
    value: {{national: 1, flow: 9}}
  - id: harmful-option
    cost: 10
    value: {{national: -1}}
"""


def requires_chain(n: int, *, idle: bool = False) -> str:
    """n candidates, each requiring the next, that no budget admits together.

    By default c0 alone reaches a hard target and all n cost one more than the budget:
    every block (budget, target, each link) is in the conflict. With idle=True the
    conflict is the last candidate alone, mandatory and over the budget: no link is.
    """
    lines = ["objectives: {a: {weight: 1}}"]
    if idle:
        lines.append("budget: {total: 10}")
    else:
        lines += ["commitments: {k: {target: 1}}", f"budget: {{total: {n - 1}}}"]
    lines.append("candidates:")
    for i in range(n):
        forced = idle and i == n - 1
        fields = [f"id: c{i}", f"cost: {20 if forced else 1}", "value: {a: 1}"]
        if i < n - 1:
            fields.append(f"requires: [c{i + 1}]")
        if i == 0 and not idle:
            fields.append("commitments: {k: 1}")
        if forced:
            fields.append("mandatory: true")
        lines.append(f"  - {{{', '.join(fields)}}}")
    return "\n".join(lines) + "\n"


def exclusion_chain(n: int) -> str:
    """n candidates, each excluding the next, and a hard target that needs n // 2 + 1 of
    them: more than a path of n admits. The conflict is the target and every other link
    (dropping link i splits the path into an odd and an even part when i is even), so
    needed and unneeded blocks alternate."""
    lines = [
        "objectives: {a: {weight: 1}}",
        f"commitments: {{k: {{target: {n // 2 + 1}}}}}",
        f"budget: {{total: {n}}}",
        "candidates:",
    ]
    for i in range(n):
        link = f", excludes: [m{i + 1}]" if i < n - 1 else ""
        lines.append(f"  - {{id: m{i}, cost: 1, value: {{a: 1}}, commitments: {{k: 1}}{link}}}")
    return "\n".join(lines) + "\n"


def run_defplan(*args: str | Path, **popen: Any) -> subprocess.CompletedProcess[bytes]:
    """`python -m defplan ARGS` as a process, waited for (60 s at most). Standard input is
    /dev/null and the output is captured unless `popen` (subprocess.run's keywords:
    stdout=, preexec_fn=, env=...) says otherwise."""
    options = {"stdin": subprocess.DEVNULL, "stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    return subprocess.run(
        [sys.executable, "-m", "defplan", *map(str, args)], timeout=60, **{**options, **popen}
    )


class Answering:
    """A solver backend: `real` (a registered one) whose runs answer `answer(run)`, given
    the real run (a fake answer, or the real one's, changed). Register it with
    `defplan.backends.registered(Answering(backends.lookup("cbc"), answer))`."""

    def __init__(self, real: Any, answer: Callable[[Any], Any]) -> None:
        self.real, self.answer = real, answer

    def __getattr__(self, name: str) -> Any:  # name, label, available(), version(), ...
        return getattr(self.real, name)

    def start(self, problem: Any, variables: Any, limits: Any) -> Any:
        return _Answered(self.real.start(problem, variables, limits), self.answer)


class _Answered:
    """A run that answers through `answer(run)`; stopping and clean-up are the run's."""

    def __init__(self, run: Any, answer: Callable[[Any], Any]) -> None:
        self.run, self.answer = run, answer

    def __getattr__(self, name: str) -> Any:  # name, label, cancel(), close(), ...
        return getattr(self.run, name)

    def __call__(self) -> Any:
        return self.answer(self.run)
