"""Published optimisation problems converted into defplan portfolio files.

Pure functions with no dependency on defplan, so the conversion can be checked on its own
(for instance by building the model of docs/model.md with another solver) and the tests can
compare defplan's answers with the published optima.

Sources (byte-for-byte copies under tests/data/reference, see the README there):

- OR-Library ``mknap1.txt``: 7 multidimensional knapsack problems (Petersen 1967, R&D
  project selection) with the optimum in each problem header. Knapsack constraint ``i``
  (1-based) becomes the year ``2000 + i``: its coefficients are the candidates' cost
  profiles and its right-hand side is that year's cap. There is no total budget (annual
  caps alone are a budget).
- LOGOS (idaholab/LOGOS, Apache-2.0) capital-budgeting regression cases: ``NAME.xml``
  and ``NAME.gold.csv`` (LOGOS's optimal selection, objective in column ``MaxNPV``).
  LOGOS time period ``t`` (1-based) becomes the year ``2000 + t``. A case with several
  resources (use_case_1c_fy19: capital and O&M funds, each capped per period) gets one
  block of years per resource, resource ``r`` (0-based) and period ``t`` becoming year
  ``2000 + r * T + t``: each (resource, period) pair is then one annual cap, exactly as
  in the knapsack mapping above, so the optimisation problem is unchanged (only the
  "years" no longer mean calendar years, and the per-year cost report mixes resources).
"""

from __future__ import annotations

import csv
import json
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data" / "reference"
MKNAP1_PATH = DATA_DIR / "orlib" / "mknap1.txt"
LOGOS_DIR = DATA_DIR / "logos"

#: The LOGOS cases, in the order of the logos README.
LOGOS_CASES = (
    "test_skp",
    "test_noIndex",
    "test_dkp",
    "test_mandated",
    "use_case_1a_fy19",
    "use_case_1b_fy19",
    "use_case_1c_fy19",
    "test_mckp",
)

BASE_YEAR = 2000  # constraint / period number k (1-based) becomes year BASE_YEAR + k
DO_NOTHING = "DoNothing"


@dataclass(frozen=True)
class ReferenceCase:
    """One published problem as a defplan portfolio, with its published answer."""

    name: str
    portfolio: dict[str, Any]
    optimum: float
    #: ids of the published optimal selection, in candidate (file) order; None if unpublished
    selection: tuple[str, ...] | None = None
    notes: tuple[str, ...] = field(default=())


# --------------------------------------------------------------------------- numbers


def _number(token: str) -> int | float:
    """A decimal token as an int when it is integral (``15E9``, ``0.``), else a float."""
    value = Decimal(token.strip())
    if not value.is_finite():
        raise ValueError(f"not a finite number: {token!r}")
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _tokens(text: str | None) -> list[str]:
    """Split a LOGOS list: items are separated by commas and/or whitespace."""
    return [t for t in re.split(r"[\s,]+", text or "") if t]


# --------------------------------------------------------------------------- OR-Library


def mknap1_cases(path: Path = MKNAP1_PATH) -> list[ReferenceCase]:
    """The 7 problems of OR-Library ``mknap1.txt`` as portfolios.

    The file is whitespace-separated: K, then per problem ``n m opt``, n profits, m rows of
    n coefficients r(i,j), m right-hand sides b(i). Profits are read as decimals (problem 2
    has 600.1 etc. and optimum 8706.1).
    """
    tokens = path.read_text(encoding="ascii").split()
    pos = 0

    def take(count: int) -> list[int | float]:
        nonlocal pos
        if pos + count > len(tokens):
            raise ValueError(f"{path.name}: truncated file")
        chunk = [_number(t) for t in tokens[pos : pos + count]]
        pos += count
        return chunk

    (n_problems,) = take(1)
    cases = []
    for k in range(1, int(n_problems) + 1):
        n, m, opt = take(3)
        profits = take(n)
        rows = [take(n) for _ in range(m)]
        caps = take(m)
        cases.append(mknap_portfolio(k, profits, rows, caps, opt))
    if pos != len(tokens):
        raise ValueError(f"{path.name}: {len(tokens) - pos} unread tokens")
    return cases


def mknap_portfolio(
    number: int,
    profits: list[int | float],
    rows: list[list[int | float]],
    caps: list[int | float],
    optimum: int | float,
) -> ReferenceCase:
    """max sum p(j) x(j) s.t. sum_j r(i,j) x(j) <= b(i): constraint i is year 2000 + i."""
    n, m = len(profits), len(rows)
    years = [BASE_YEAR + i for i in range(1, m + 1)]
    candidates = []
    for j in range(n):
        profile = {years[i]: rows[i][j] for i in range(m) if rows[i][j] != 0}
        if not profile:  # an item using no resource at all: keep one explicit zero
            profile = {years[0]: 0}
        candidates.append(
            {"id": f"item-{j + 1:02d}", "cost": profile, "value": {"profit": profits[j]}}
        )
    portfolio = {
        "defplan": 1,
        "name": f"OR-Library mknap1 problem {number} ({n} items, {m} constraints)",
        "years": [years[0], years[-1]],
        "objectives": {"profit": {"label": "Profit", "weight": 1}},
        "budget": {"per_year": dict(zip(years, caps, strict=True))},
        "candidates": candidates,
    }
    return ReferenceCase(name=f"mknap1-{number}", portfolio=portfolio, optimum=float(optimum))


# --------------------------------------------------------------------------- LOGOS


@dataclass(frozen=True)
class _Unit:
    """A LOGOS decision: an investment (no options) or one option of an investment."""

    investment: str
    option: str | None

    @property
    def id(self) -> str:  # the gold csv column name
        return self.investment if self.option is None else f"{self.investment}__{self.option}"


def _index(element: ET.Element) -> tuple[str, ...]:
    return tuple(p.strip() for p in element.get("index", "").split(",") if p.strip())


def _reshape(values: list, *dims: int) -> list:
    """Row-major reshape of a flat list into nested lists (last index fastest)."""
    if len(values) != math.prod(dims):
        raise ValueError(
            f"expected {math.prod(dims)} values ({' x '.join(map(str, dims))}), found {len(values)}"
        )
    if len(dims) == 1:
        return list(values)
    step = math.prod(dims[1:])
    return [_reshape(values[i * step : (i + 1) * step], *dims[1:]) for i in range(dims[0])]


def logos_case(name: str, directory: Path = LOGOS_DIR) -> ReferenceCase:
    """LOGOS ``NAME.xml`` as a portfolio, with the optimum and selection of ``NAME.gold.csv``.

    Supported layouts (each file is checked, anything else raises ValueError):
    - ``net_present_values`` per investment or per option;
    - ``costs`` per investment / per option (a plain cost, against one total budget),
      ``investments, time_periods`` or ``options, resources, time_periods`` (cost profiles,
      against per-period caps given as ``time_periods`` or ``resources, time_periods``);
    - ``Settings/mandatory`` investments; options named ``DoNothing`` (nothing done, must
      cost and be worth 0) are not candidates: "pick exactly one option" becomes
      ``at_most: 1`` over the others when DoNothing is among them, else ``exactly: 1``.
    """
    root = ET.parse(directory / f"{name}.xml").getroot()
    sets = root.find("Sets")
    params = root.find("Parameters")
    settings = root.find("Settings")
    if sets is None or params is None:
        raise ValueError(f"{name}: no Sets or Parameters")
    if settings is not None:
        sense = (settings.findtext("sense") or "maximize").strip()
        if sense != "maximize":
            raise ValueError(f"{name}: sense {sense!r} is not maximize")
        known = {"solver", "sense", "mandatory", "nonSelection", "problem_type"}
        unknown = {c.tag for c in settings} - known
        if unknown:
            raise ValueError(f"{name}: unsupported settings {sorted(unknown)}")
    unknown = {c.tag for c in params} - {"net_present_values", "costs", "available_capitals"}
    if unknown:
        raise ValueError(f"{name}: unsupported parameters {sorted(unknown)}")

    investments = _tokens(sets.findtext("investments"))
    periods = _tokens(sets.findtext("time_periods"))
    resources = _tokens(sets.findtext("resources")) or ["(single)"]
    options_el = sets.find("options")
    if options_el is None:
        units = [_Unit(inv, None) for inv in investments]
        options_of = {}
    else:
        if _index(options_el) != ("investments",):
            raise ValueError(f"{name}: options indexed by {_index(options_el)}")
        groups = (options_el.text or "").split(";")
        if len(groups) != len(investments):
            raise ValueError(
                f"{name}: {len(groups)} option lists for {len(investments)} investments"
            )
        options_of = {inv: _tokens(g) for inv, g in zip(investments, groups, strict=True)}
        units = [_Unit(inv, opt) for inv in investments for opt in options_of[inv]]
    if len({u.id for u in units}) != len(units):
        raise ValueError(f"{name}: duplicate investment/option names")

    def unit_axis(index: tuple[str, ...]) -> tuple[str, ...]:
        # the leading index names the unit: investments when there are no options
        if not index:
            return ()
        want = "options" if options_el is not None else "investments"
        if index[0] != want:
            raise ValueError(f"{name}: index {index} does not start with {want!r}")
        return index[1:]

    # net present values: one per unit
    npv_el = params.find("net_present_values")
    if npv_el is None or unit_axis(_index(npv_el)) != ():
        raise ValueError(f"{name}: net_present_values missing or not per unit")
    npv = _reshape([_number(t) for t in _tokens(npv_el.text)], len(units))

    # costs: per unit, plain or per (resource,) period
    costs_el = params.find("costs")
    if costs_el is None:
        raise ValueError(f"{name}: no costs")
    cost_axes = unit_axis(_index(costs_el))
    flat = [_number(t) for t in _tokens(costs_el.text)]
    if cost_axes == ():
        phased = False
        costs = [[[c]] for c in _reshape(flat, len(units))]
    elif cost_axes == ("time_periods",):
        phased = True
        costs = [[row] for row in _reshape(flat, len(units), len(periods))]
        if len(resources) != 1:
            raise ValueError(f"{name}: costs have no resource index but there are resources")
    elif cost_axes == ("resources", "time_periods"):
        phased = True
        costs = _reshape(flat, len(units), len(resources), len(periods))
    else:
        raise ValueError(f"{name}: unsupported costs index {_index(costs_el)}")

    # available capitals: one total, or per (resource,) period
    cap_el = params.find("available_capitals")
    if cap_el is None:
        raise ValueError(f"{name}: no available_capitals")
    cap_index = _index(cap_el)
    caps_flat = [_number(t) for t in _tokens(cap_el.text)]
    if cap_index == ():
        if phased or len(caps_flat) != 1:
            raise ValueError(f"{name}: one capital for phased costs")
        budget: dict[str, Any] = {"total": caps_flat[0]}
    elif phased and cap_index in (("time_periods",), ("resources", "time_periods")):
        if cap_index == ("time_periods",) and len(resources) != 1:
            raise ValueError(f"{name}: capitals have no resource index but there are resources")
        caps = _reshape(caps_flat, len(resources), len(periods))
        budget = {
            "per_year": {
                _year(r, t, len(periods)): caps[r][t]
                for r in range(len(resources))
                for t in range(len(periods))
            }
        }
    else:
        raise ValueError(f"{name}: unsupported available_capitals index {cap_index}")

    mandated = set(_tokens(settings.findtext("mandatory") if settings is not None else None))
    if not mandated <= set(investments):
        raise ValueError(f"{name}: unknown mandatory investments {sorted(mandated)}")

    candidates: list[dict[str, Any]] = []
    by_investment: dict[str, list[str]] = {inv: [] for inv in investments}
    for u, value, cost in zip(units, npv, costs, strict=True):
        if u.option == DO_NOTHING:
            if value != 0 or any(c != 0 for row in cost for c in row):
                raise ValueError(f"{name}: {u.id} costs or is worth something")
            continue
        candidate: dict[str, Any] = {"id": u.id}
        if phased:
            profile = {
                _year(r, t, len(periods)): c
                for r, row in enumerate(cost)
                for t, c in enumerate(row)
                if c != 0
            }
            candidate["cost"] = profile or {_year(0, 0, len(periods)): 0}
        else:
            candidate["cost"] = cost[0][0]
        candidate["value"] = {"npv": value}
        candidates.append(candidate)
        by_investment[u.investment].append(u.id)

    # one option per investment (LOGOS mckp); DoNothing dropped, so "exactly one" may relax
    rules = []
    if options_el is None:
        for candidate in candidates:
            if candidate["id"] in mandated:
                candidate["mandatory"] = True
    else:
        for inv in investments:
            ids = by_investment[inv]
            optional = DO_NOTHING in options_of[inv] and inv not in mandated
            if inv in mandated and DO_NOTHING in options_of[inv]:
                raise ValueError(f"{name}: mandated {inv} has a DoNothing option")
            if not ids:
                continue
            if len(ids) == 1:
                if not optional:  # exactly one of one: mandatory
                    next(c for c in candidates if c["id"] == ids[0])["mandatory"] = True
                # else at most one of one: no constraint
            else:
                rules.append({"at_most" if optional else "exactly": 1, "of": ids})

    portfolio: dict[str, Any] = {"defplan": 1, "name": f"LOGOS {name}"}
    if phased:
        first = _year(0, 0, len(periods))
        last = _year(len(resources) - 1, len(periods) - 1, len(periods))
        portfolio["years"] = [first, last]
    portfolio["objectives"] = {"npv": {"label": "Net present value", "weight": 1}}
    portfolio["budget"] = budget
    if rules:
        portfolio["rules"] = rules
    portfolio["candidates"] = candidates

    optimum, selection = _logos_gold(directory / f"{name}.gold.csv", units)
    candidate_order = [c["id"] for c in candidates]
    selected = tuple(i for i in candidate_order if i in selection)
    notes = []
    if len(resources) > 1:
        notes.append(
            f"{len(resources)} resources ({', '.join(resources)}) mapped to consecutive "
            f"blocks of {len(periods)} years"
        )
    return ReferenceCase(
        name=name, portfolio=portfolio, optimum=optimum, selection=selected, notes=tuple(notes)
    )


def _year(resource: int, period: int, n_periods: int) -> int:
    """0-based resource and period to a year: 2001.. for the first resource, then on."""
    return BASE_YEAR + resource * n_periods + period + 1


def _logos_gold(path: Path, units: list[_Unit]) -> tuple[float, set[str]]:
    with path.open(newline="", encoding="ascii") as handle:
        rows = list(csv.reader(handle))
    if len(rows) != 2 or rows[0][-1] != "MaxNPV" or len(rows[0]) != len(rows[1]):
        raise ValueError(f"{path.name}: expected a header and one row ending in MaxNPV")
    header, row = rows
    columns = header[:-1]
    if columns != [u.id for u in units]:
        raise ValueError(f"{path.name}: columns do not match the xml's investments/options")
    chosen = set()
    for column, flag in zip(columns, row[:-1], strict=True):
        if float(flag) not in (0.0, 1.0):
            raise ValueError(f"{path.name}: {column} = {flag}")
        if float(flag) == 1.0 and not column.endswith(f"__{DO_NOTHING}"):
            chosen.add(column)
    return float(row[-1]), chosen


def logos_cases(directory: Path = LOGOS_DIR) -> list[ReferenceCase]:
    return [logos_case(name, directory) for name in LOGOS_CASES]


# --------------------------------------------------------------------------- checking


def evaluate(
    portfolio: dict[str, Any], selected: list[str] | tuple[str, ...]
) -> tuple[float, list[str]]:
    """The objective (docs/model.md) of a selection and the constraints it breaks.

    Covers the features these conversions use (objectives, plain and phased costs, total
    and per-year budgets, mandatory, rules), with exact rational arithmetic and no slack.
    """
    chosen = set(selected)
    candidates = {c["id"]: c for c in portfolio["candidates"]}
    problems = [f"unknown id {i}" for i in sorted(chosen - set(candidates))]
    weights = {k: Fraction(str(o.get("weight", 1))) for k, o in portfolio["objectives"].items()}
    total_weight = sum(weights.values())
    value = Fraction(0)
    total = Fraction(0)
    per_year: dict[int, Fraction] = {}
    for cid in chosen & set(candidates):
        c = candidates[cid]
        for obj, v in c.get("value", {}).items():
            value += weights[obj] / total_weight * Fraction(str(v))
        cost = c.get("cost", 0)
        if isinstance(cost, dict):
            for year, amount in cost.items():
                per_year[year] = per_year.get(year, Fraction(0)) + Fraction(str(amount))
                total += Fraction(str(amount))
        else:
            total += Fraction(str(cost))
    budget = portfolio.get("budget", {})
    if "total" in budget and total > Fraction(str(budget["total"])):
        problems.append(f"total cost {float(total)} > {budget['total']}")
    for year, cap in budget.get("per_year", {}).items():
        if per_year.get(year, 0) > Fraction(str(cap)):
            problems.append(f"{year} cost {float(per_year[year])} > {cap}")
    for cid, c in candidates.items():
        if c.get("mandatory") and cid not in chosen:
            problems.append(f"mandatory {cid} not selected")
    for rule in portfolio.get("rules", []):
        count = len(chosen & set(rule["of"]))
        checks = {"at_most": count.__le__, "at_least": count.__ge__, "exactly": count.__eq__}
        for kind, ok in checks.items():
            if kind in rule and not ok(rule[kind]):
                problems.append(f"{kind} {rule[kind]} of {rule['of']}: {count} selected")
    return float(value), problems


# --------------------------------------------------------------------------- YAML text


def to_yaml_text(portfolio: dict[str, Any]) -> str:
    """YAML text for a portfolio dict: block style at the top, JSON-like flow inside.

    Every scalar is written the way JSON writes it (strings double-quoted, so no YAML 1.1
    surprises such as ``no`` or ``1_000``), except mapping keys that are integers - the
    years of cost profiles and per-year budgets, written bare so they stay integers, as in
    the manual's own examples - or plain lower-case words such as ``per_year``. Floats never
    use exponent notation. The text reads the same under YAML 1.1 and 1.2 parsers.
    """
    lines = []
    for key, value in portfolio.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lines.append(f"{_key(key)}:")
            lines.extend(f"  - {_flow(item)}" for item in value)
        else:
            lines.append(f"{_key(key)}: {_flow(value)}")
    return "\n".join(lines) + "\n"


_BARE_KEY = re.compile(r"[a-z][a-z_]*")
_YAML11_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def _key(key: Any) -> str:
    if isinstance(key, int) and not isinstance(key, bool):
        return str(key)
    if isinstance(key, str):
        if _BARE_KEY.fullmatch(key) and key not in _YAML11_WORDS:
            return key  # a plain lower-case word: the same string in YAML 1.1 and 1.2
        return json.dumps(key)
    raise TypeError(f"unsupported key {key!r}")


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if value is None or isinstance(value, bool | str):
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not finite: {value!r}")
        text = repr(value)
        if "e" in text or "E" in text:
            text = format(Decimal(text), "f")
            if "." not in text:
                text += ".0"
        return text
    raise TypeError(f"unsupported value {value!r}")


def all_cases() -> list[ReferenceCase]:
    return mknap1_cases() + logos_cases()
