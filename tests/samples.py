"""What several test modules share: portfolio texts and generators, and ways to run
defplan (in-process, as one process, as many at once)."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from defplan.errors import ExitCode

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

# What every run on SMALL says on stderr: its 2027 cap counts no plain cost.
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

# The keys of every result object (sweep points, diff sides, optimise): docs/json.md.
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


# Links, a soft target and no budget of its own. A sweep at budgets 3 then 6 once handed
# the MIP start from 3 back as the optimum at 6 (c1, c2, c3, c4, value 5).
WARM_START_TRAP = """\
objectives:
  a: {weight: 2}
  b: {weight: 1}
commitments:
  t: {target: 1, hard: false, penalty: 2}
candidates:
- {id: c0, cost: 4, value: {a: 2, b: 1}}
- {id: c1, cost: 2, value: {a: 1.5, b: 1}, excludes: [c0]}
- {id: c2, cost: 1, value: {a: 1, b: 2}, commitments: {t: 2}, requires: [c1]}
- {id: c3, cost: 0, value: {a: 0, b: 1}}
- {id: c4, cost: 2, value: {a: 3, b: 0}, commitments: {t: 1}}
- {id: c5, cost: 2.5, value: {a: 1, b: 0}, commitments: {t: 1}}
"""


ANSI = re.compile(r"\x1b\[")
"""The start of a terminal escape code (colour, bold): never on a pipe."""


# SMALL without its budget: optimise refuses it, validate does not mind.
NO_BUDGET = SMALL.replace("budget:\n  total: 100\n  per_year: {2027: 40}\n", "")
assert NO_BUDGET != SMALL


# Two candidates that tie exactly on value and cost: the tie rule (docs/model.md, "Ties")
# prefers the one earlier in the file, whichever solver runs.
TIES = """\
name: Ties
objectives:
  a: {weight: 1}
budget: {total: 10}
candidates:
  - {id: first, cost: 10, value: {a: 5}}
  - {id: second, cost: 10, value: {a: 5}}
  - {id: third, cost: 5, value: {a: 2}}
  - {id: fourth, cost: 5, value: {a: 3}}
"""


def optimise_json(*args: str | Path, code: int = ExitCode.OK) -> dict[str, Any]:
    """`optimise ... --format json`, the exit code checked, stdout parsed."""
    result = invoke("optimise", *args, "--format", "json")
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)


def selected_ids(data: dict[str, Any]) -> list[str]:
    """The ids a JSON result selects, in file order."""
    return [s["id"] for s in data["selected"]]


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


TRACEBACK = "Traceback (most recent call last)"
"""What Python prints first when an error escapes: never in defplan's output."""


def invoke(
    *args: str | Path, input: str | bytes | None = None, env: dict[str, str] | None = None
) -> Any:
    """Run the app in-process with stdout and stderr kept apart (env: variables to set)."""
    from typer.testing import CliRunner

    from defplan.cli import app

    return CliRunner().invoke(app, [str(a) for a in args], input=input, env=env)


def hard_portfolio() -> str:
    """A subset-sum in disguise: cost and contribution equal, target = budget.

    Some selection hits the target exactly, but finding one takes a MIP solver far
    longer than a fraction of a second (HiGHS has none after 3 s).
    """
    rnd = random.Random(1)
    weights = [rnd.randrange(10**8, 10**9) for _ in range(60)]
    target = sum(weights[::2]) + 1
    lines = [
        "name: Hard",
        "objectives:",
        "  a: {weight: 1}",
        "commitments:",
        f"  c: {{target: {target}}}",
        f"budget: {{total: {target}}}",
        "candidates:",
    ]
    lines += [
        f"  - {{id: c{i}, cost: {w}, value: {{a: {rnd.randrange(1, 100)}}}, "
        f"commitments: {{c: {w}}}}}"
        for i, w in enumerate(weights)
    ]
    return "\n".join(lines) + "\n"


def optimise_timed(
    path: Path, out: Path, *, seconds: str, solver: str, code: int
) -> tuple[Any, dict[str, Any]]:
    """`optimise PATH --time-limit SECONDS --solver SOLVER --format json --output OUT`:
    the exit code checked, OUT equal to stdout; the run and its JSON."""
    result = invoke(
        "optimise", path, "--time-limit", seconds, "--solver", solver,
        "--format", "json", "--output", out,
    )  # fmt: skip
    assert result.exit_code == code, result.output
    assert out.read_text() == result.stdout
    return result, json.loads(result.stdout)


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment without colour settings, on a colour-capable TERM, plus extra."""
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return {**base, "TERM": "xterm-256color", **(extra or {})}


def run_many(
    many_args: list[list[str]], envs: list[dict[str, str]] | None = None
) -> list[subprocess.CompletedProcess[bytes]]:
    """`python -m defplan ARGS` for each argument list, all running at the same time."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "defplan", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=clean_env(envs[k] if envs else None),
        )
        for k, args in enumerate(many_args)
    ]
    done = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        done.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return done


def knapsack_cbc_wins() -> str:
    """300 candidates over 6 years: CBC proves it well before HiGHS (bench/shell.py's)."""
    rnd = random.Random(3)
    lines = [
        "name: Race",
        "objectives: {a: {weight: 0.4}, b: {weight: 0.35}, c: {weight: 0.25}}",
        "years: [2026, 2031]",
        "budget: {total: 12166, per_year: {"
        + ", ".join(f"{2026 + y}: 8000" for y in range(6))
        + "}}",
        "candidates:",
    ]
    for i in range(300):
        start = rnd.randrange(6)
        years = {2026 + start + k: round(rnd.uniform(10, 400), 1) for k in range(min(3, 6 - start))}
        cost = ", ".join(f"{y}: {c}" for y, c in years.items())
        value = ", ".join(f"{k}: {round(rnd.uniform(0, 10), 2)}" for k in "abc")
        lines.append(f"  - {{id: c{i}, cost: {{{cost}}}, value: {{{value}}}}}")
    return "\n".join(lines) + "\n"


def hard_knapsack(n: int, years: int, seed: int, **extra: Any) -> Any:
    """A correlated multidimensional knapsack: slow to prove optimal."""
    extra.setdefault("commitments", {"c": {"target": 1}})
    rng = random.Random(seed)
    w = [[rng.randint(1, 1000) for _ in range(n)] for _ in range(years)]
    cands = [
        {
            "id": f"i{j}",
            "cost": {2001 + i: w[i][j] for i in range(years)},
            "value": {"v": sum(w[i][j] for i in range(years)) / years + rng.randint(1, 500)},
            "commitments": {"c": rng.randint(0, 5)},
        }
        for j in range(n)
    ]
    doc = {
        "objectives": {"v": {}},
        "years": [2001, 2000 + years],
        "budget": {"per_year": {2001 + i: sum(w[i]) / 2 for i in range(years)}},
        "candidates": cands,
        **extra,
    }
    from defplan import parse_portfolio

    return parse_portfolio(json.dumps(doc))


def generated(seed: int = 2026, n: int = 60) -> str:
    """A reproducible ~60-candidate portfolio over 2026-2029: per-year profiles and plain
    costs, annual caps, a hard NATO target (needs at least ~4 contributors) and a soft EU
    pledge. Integer values make equal-value ties common, so canonical choice matters."""
    rng = random.Random(seed)
    years = [2026, 2027, 2028, 2029]
    candidates: list[dict[str, Any]] = []
    for i in range(n):
        candidate: dict[str, Any] = {"id": f"c{i:02d}"}
        if rng.random() < 0.7:
            first = rng.choice(years[:3])
            profile = {y: rng.randint(5, 60) for y in years if y >= first and rng.random() < 0.7}
            candidate["cost"] = profile or {first: rng.randint(5, 60)}
        else:
            candidate["cost"] = rng.randint(10, 150)
        candidate["value"] = {"a": rng.randint(0, 20), "b": rng.randint(0, 20)}
        contributions = {}
        if rng.random() < 0.25:
            contributions["nato"] = rng.randint(1, 4)
        if rng.random() < 0.2:
            contributions["eu"] = rng.randint(1, 3)
        if contributions:
            candidate["commitments"] = contributions
        candidates.append(candidate)
    document = {
        "name": "Generated portfolio",
        "years": [2026, 2029],
        "objectives": {"a": {"weight": 2}, "b": {"weight": 1}},
        "commitments": {
            "nato": {"label": "NATO target", "target": 12},
            "eu": {"label": "EU pledge", "target": 6, "hard": False, "penalty": 2},
        },
        "budget": {"total": 1000, "per_year": {y: 400 for y in years}},
        "candidates": candidates,
    }
    return yaml.safe_dump(document, sort_keys=False)


def engine(p: Any, **options: Any) -> Any:
    """The solving engine of portfolio p under SolveOptions(**options)."""
    from defplan import SolveOptions
    from defplan.formulation import formulate
    from defplan.solving import Engine

    opts = SolveOptions(**options)
    return Engine(formulate(p, opts), opts)
