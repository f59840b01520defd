"""A brute-force reference for the model of docs/model.md: random and hand-built small
portfolios, and every selection of one enumerated in exact rational arithmetic.

Hypothesis generates small portfolios (3 to 9 candidates) in the portfolio file format
(docs/file-format.md), together with the run options (``--budget``, ``--budget-year``,
``--weight``, ``--include``, ``--exclude``). `enumerate_selections` keeps, for each of the
2**n selections, what it is worth, what it costs and the named constraints it breaks;
`brute_force` picks the winner with defplan's tie rule (docs/model.md, "Ties"). Nothing
here imports defplan's model code: the reference reads the generated document.

Used by test_bruteforce.py (the optimiser), test_decisions.py (the decision-support
answers) and test_robust.py.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

import yaml
from hypothesis import strategies as st

from defplan import SolveOptions, optimise, parse_portfolio

YEARS = (2026, 2027, 2028)
OBJECTIVES = ("national", "flow", "human")
COMMITMENTS = ("nato-iamd", "eu-mobility")
TAGS = ("equipment", "personnel")
SHARES = (0, 0.25, 0.5, 0.75, 1)
FEATURES = (
    "twins",
    "commitments",
    "groups",
    "rules",
    "requires",
    "excludes",
    "mandatory",
    "include",
    "exclude",
)
RARE = ("mandatory", "include")  # about a third of the examples: they often over-constrain
INT_ID = 42  # one candidate may carry an id written as a plain YAML integer

REL = 1e-7  # tolerance for comparing reported numbers with the reference
TIE = 1e-9  # docs/model.md: values (and costs) within a relative 1e-9 are equal


# --------------------------------------------------------------------------- the case


@dataclass
class Case:
    """A generated portfolio document plus the options of the run."""

    doc: dict[str, Any]
    budget: float | None = None
    budget_per_year: dict[int, float] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    solver: str = "auto"

    def options(self) -> SolveOptions:
        return SolveOptions(
            solver=self.solver,
            budget=None if self.budget is None else float(self.budget),
            budget_per_year={y: float(b) for y, b in self.budget_per_year.items()},
            weights={o: float(w) for o, w in self.weights.items()},
            include=self.include,
            exclude=self.exclude,
        )

    def describe(self) -> str:
        opts = {
            "budget": self.budget,
            "budget_per_year": self.budget_per_year,
            "weights": self.weights,
            "include": list(self.include),
            "exclude": list(self.exclude),
        }
        return f"--- portfolio\n{to_yaml(self.doc)}--- options\n{opts!r}"


class _NoAliasDumper(yaml.SafeDumper):
    # YAML aliases are errors in a portfolio file: never emit anchors for shared objects.
    def ignore_aliases(self, data: Any) -> bool:
        return True


def to_yaml(doc: dict[str, Any]) -> str:
    # Written as YAML (not JSON) so that per-year keys are plain integers, as in a
    # portfolio file (docs/file-format.md).
    return yaml.dump(doc, Dumper=_NoAliasDumper, sort_keys=False, default_flow_style=None)


def run(case: Case):
    portfolio = parse_portfolio(to_yaml(case.doc), filename="random.yaml")
    return optimise(portfolio, options=case.options())


# ------------------------------------------------------------------ the generator


def _subset(draw, pool, min_size=0, max_size=None):
    pool = list(pool)
    if not pool:
        return []
    max_size = len(pool) if max_size is None else min(max_size, len(pool))
    if max_size < min_size:
        return []
    picked = draw(
        st.lists(st.sampled_from(pool), min_size=min_size, max_size=max_size, unique=True)
    )
    return sorted(picked, key=pool.index)  # keep file order: stable, readable output


@st.composite
def cases(draw, refusal: bool = False) -> Case:
    """A valid portfolio and run options.

    With ``refusal=True`` the run has annual caps but no total, and some candidates have
    a non-zero plain cost: optimise must refuse it (docs/model.md).
    """
    n = draw(st.integers(3, 9))
    int_id_at = draw(st.integers(0, n - 1)) if draw(st.integers(0, 5)) == 5 else None
    raw_ids: list[Any] = [f"c{i}" for i in range(n)]
    if int_id_at is not None:
        raw_ids[int_id_at] = INT_ID
    ids = [str(r) for r in raw_ids]
    raw_of = dict(zip(ids, raw_ids, strict=True))

    # Objectives and weights (some 0, never all 0).
    objs = list(OBJECTIVES[: draw(st.integers(1, 3))])
    weight_values = st.sampled_from([0, 0, 1, 1, 2, 3, 0.5])
    weights = {o: draw(weight_values) for o in objs}
    if not any(weights.values()):
        weights[draw(st.sampled_from(objs))] = draw(st.sampled_from([1, 2]))

    # Each constraint kind is switched on in about half of the examples (a third for the
    # RARE ones), so that every kind is well covered while a fair share of the portfolios
    # stays feasible.  "Off" is the simplest choice, so shrunk counterexamples stay small.
    on = {k: draw(st.integers(0, 2 if k in RARE else 1)) == 1 for k in FEATURES}
    with_years = draw(st.booleans())
    totals = st.sampled_from([12, 15, 0, 3, 5, 8, 10, 20, 25])
    year_pool = list(YEARS)

    # Budgets: from the file, from the options, or both; at least one of them.
    if refusal:
        file_total = None
        opt_total = None
    else:
        file_total = draw(st.one_of(st.none(), totals))
        opt_total = draw(st.one_of(st.none(), totals)) if draw(st.booleans()) else None
    caps = st.sampled_from([4, 6, 0, 2, 3, 5, 8, 10])
    file_py = {y: draw(caps) for y in _subset(draw, year_pool, 0, 2)}
    opt_py = {y: draw(caps) for y in _subset(draw, year_pool, 0, 2)} if draw(st.booleans()) else {}
    if file_total is None and opt_total is None and not file_py and not opt_py:
        if refusal:
            file_py = {draw(st.sampled_from(year_pool)): draw(caps)}
        else:
            file_total = draw(totals)
    eff_total = opt_total if opt_total is not None else file_total
    eff_py = {**file_py, **opt_py}
    per_year_only = eff_total is None and bool(eff_py)
    assert per_year_only or not refusal

    # Commitments.
    commitments: dict[str, dict[str, Any]] = {}
    for name in _subset(draw, COMMITMENTS, 1) if on["commitments"] else []:
        c: dict[str, Any] = {"label": f"{name} target", "framework": "NATO"}
        kind = draw(st.sampled_from(["default", "hard", "soft", "soft", "soft"]))
        if kind == "hard":
            c["hard"] = True
        elif kind == "soft":
            c["hard"] = False
            c["penalty"] = draw(st.sampled_from([0, 0.5, 1, 1, 2, 3]))
        commitments[name] = c

    # Candidates.
    cands: list[dict[str, Any]] = []
    for i, cid in enumerate(ids):
        cand: dict[str, Any] = {"id": raw_of[cid]}
        if draw(st.booleans()):
            cand["name"] = f"Candidate {i}"
        tag = draw(st.sampled_from([None, *TAGS]))
        if tag is not None:
            cand["group"] = tag
        if draw(st.integers(0, 2)) == 2:
            years = _subset(draw, year_pool, 1, 3)
            cand["cost"] = {y: draw(st.integers(0, 4)) for y in years}
        elif per_year_only and not refusal:
            cand["cost"] = 0  # a plain cost would be refused (tested separately)
        else:
            cand["cost"] = draw(st.sampled_from([0, 1, 2, 2, 3, 4, 5, 6, 1.5]))
        value: dict[str, Any] = {}
        for o in objs:
            kind = draw(st.sampled_from(["missing", "int", "int", "int", "range"]))
            if kind == "int":
                value[o] = draw(st.integers(-2, 6))
            elif kind == "range":
                low = draw(st.integers(-2, 5))
                value[o] = [low, low + draw(st.integers(0, 3))]
        cand["value"] = value
        contrib = {k: draw(st.integers(0, 3)) for k in _subset(draw, commitments)}
        if contrib:
            cand["commitments"] = contrib
        cands.append(cand)
    # Twins: a candidate copies an earlier one's cost, value and contributions, so that
    # portfolios tie on value and cost and only the file-order rule can decide.
    for i in range(1, n) if on["twins"] else []:
        if draw(st.integers(0, 2)) == 2:
            twin = cands[draw(st.integers(0, i - 1))]
            for key in ("cost", "value", "commitments"):
                if key in twin:
                    cands[i][key] = copy.deepcopy(twin[key])
                else:
                    cands[i].pop(key, None)
    for name, c in commitments.items():
        if c.get("hard", True):  # a hard target within reach of all contributions together
            reach = sum(x.get("commitments", {}).get(name, 0) for x in cands)
            c["target"] = draw(st.integers(1, max(1, reach)))
        else:
            c["target"] = draw(st.sampled_from([1, 2, 3, 4, 6, 2.5]))

    # Graph constraints: requires (cycles allowed) and excludes; never the candidate itself.
    for i, cand in enumerate(cands):
        others = [j for j in ids if j != ids[i]]
        if on["requires"] and draw(st.integers(0, 2)) == 2:
            cand["requires"] = [raw_of[j] for j in _subset(draw, others, 1, 2)]
        if on["excludes"] and draw(st.integers(0, 2)) == 2:
            others = [j for j in others if raw_of[j] not in cand.get("requires", [])]
            if others:
                cand["excludes"] = [raw_of[j] for j in _subset(draw, others, 1, 2)]
        if draw(st.integers(0, 9)) == 9:
            cand["mandatory"] = False
    for i in (
        _subset(draw, range(n), 1, draw(st.sampled_from([1, 1, 2]))) if on["mandatory"] else []
    ):
        cands[i]["mandatory"] = True

    # Groups: only for tags that some candidate uses; shares valid and min_shares <= 1.
    used_tags = [t for t in TAGS if any(c.get("group") == t for c in cands)]
    groups: dict[str, dict[str, Any]] = {}
    share_left = Fraction(1)
    for tag in _subset(draw, used_tags, 1) if on["groups"] else []:
        g: dict[str, Any] = {}
        keys = _subset(draw, ["min", "max", "min_share", "max_share"], 1, 3)
        if "min" in keys:
            g["min"] = draw(st.sampled_from([0, 0, 1, 2, 3]))
        if "max" in keys:
            g["max"] = g.get("min", 0) + draw(st.integers(0, 8))
        if "min_share" in keys:
            g["min_share"] = draw(st.sampled_from([s for s in SHARES if s <= share_left]))
            share_left -= Fraction(g["min_share"])
        if "max_share" in keys:
            low = g.get("min_share", 0)
            g["max_share"] = draw(st.sampled_from([s for s in SHARES if s >= low]))
        groups[tag] = g

    # Cardinality rules.
    rules = []
    for _ in range(draw(st.integers(1, 2)) if on["rules"] else 0):
        of = _subset(draw, ids, 2, 4)
        kind = draw(st.sampled_from(["at_most", "at_least", "exactly"]))
        k = draw(st.integers(0, len(of) if kind == "at_most" else 2))
        rules.append({kind: k, "of": [raw_of[j] for j in of]})

    # Run options: --include / --exclude (disjoint), --weight (some 0, never all 0).
    include = _subset(draw, ids, 1, 2) if on["include"] else []
    exclude = [j for j in _subset(draw, ids, 1, 2) if j not in include] if on["exclude"] else []
    wover = {o: draw(weight_values) for o in _subset(draw, objs)} if draw(st.booleans()) else {}
    if not any({**weights, **wover}.values()):
        wover = {}

    if refusal:
        # Some candidates that are not excluded get a non-zero plain cost.
        pool = [i for i, cid in enumerate(ids) if cid not in exclude]
        for i in _subset(draw, pool, 1, 3):
            cands[i]["cost"] = draw(st.sampled_from([1, 2, 3, 0.5]))
        for i, cid in enumerate(ids):
            if cid in exclude and not isinstance(cands[i]["cost"], dict):
                cands[i]["cost"] = 0

    doc: dict[str, Any] = {}
    if draw(st.booleans()):
        doc["defplan"] = 1
    doc["name"] = "random portfolio"
    if draw(st.booleans()):
        doc["currency"] = "EUR"
        doc["unit"] = "M"
    if with_years:
        doc["years"] = [YEARS[0], YEARS[-1]]
    doc["objectives"] = {o: {"label": o.title(), "weight": w} for o, w in weights.items()}
    if commitments:
        doc["commitments"] = commitments
    budget: dict[str, Any] = {}
    if file_total is not None:
        budget["total"] = file_total
    if file_py:
        budget["per_year"] = file_py
    if budget:
        doc["budget"] = budget
    if groups:
        doc["groups"] = groups
    if rules:
        doc["rules"] = rules
    doc["candidates"] = cands
    return Case(
        doc=doc,
        budget=opt_total,
        budget_per_year=opt_py,
        weights=wover,
        include=tuple(include),
        exclude=tuple(exclude),
    )


@st.composite
def money_cases(draw) -> Case:
    """cases() in euros: costs, caps and group limits times 1e8 to 4e10 (budgets up to
    1e12, the largest number a file may hold), then every non-zero cost moved by a few
    euros or cents (2, 77.8, -0.2). Sums that met a cap exactly may now pass it by 2 in
    1e11, or fall just short of it: only exact sums tell, as a scaling bug would not."""
    case = draw(cases())
    factor = draw(st.sampled_from([1e8, 1e9, 1e10, 4e10]))

    def cost(amount: Any) -> Any:
        if isinstance(amount, dict):
            return {year: cost(a) for year, a in amount.items()}
        moved = amount * factor + draw(st.sampled_from([0, 2, 77.8, -0.2]))
        return moved if amount else 0

    doc = copy.deepcopy(case.doc)
    for cand in doc["candidates"]:
        cand["cost"] = cost(cand["cost"])
    budget = doc.get("budget", {})
    if "total" in budget:
        budget["total"] *= factor
    budget["per_year"] = {y: cap * factor for y, cap in budget.get("per_year", {}).items()}
    for group in doc.get("groups", {}).values():
        for key in ("min", "max"):
            if key in group:
                group[key] *= factor
    return replace(
        case,
        doc=doc,
        budget=None if case.budget is None else case.budget * factor,
        budget_per_year={y: cap * factor for y, cap in case.budget_per_year.items()},
    )


@st.composite
def tiny_target_cases(draw) -> Case:
    """cases() with commitments in tiny (1e-10, 1e-7) or large (1e3) units: contributions
    and targets times that unit, penalties divided by it (the same value at stake), and
    targets moved by a relative 5e-10 (still met by the unmoved sums: within 1e-9) or
    1e-6 (not met). A tolerance that is absolute, in a solver or in defplan, shows."""
    case = draw(cases())
    unit = draw(st.sampled_from([1e-10, 1e-7, 1e3]))
    doc = copy.deepcopy(case.doc)
    for cand in doc["candidates"]:
        if "commitments" in cand:
            cand["commitments"] = {k: c * unit for k, c in cand["commitments"].items()}
    for spec in doc.get("commitments", {}).values():
        moved = draw(st.sampled_from([0, 5e-10, -5e-10, 1e-6, -1e-6]))
        spec["target"] = spec["target"] * unit * (1 + moved)
        if "penalty" in spec:
            spec["penalty"] = spec["penalty"] / unit
    return replace(case, doc=doc)


HAIRS = (0, 0, 5e-10, -5e-10, 1e-10, 3e-9, -3e-9, 2e-9, 1e-8)
"""Relative moves that make near ties: 5e-10 and 1e-10 stay within the tie rule's 1e-9,
2e-9 and more do not (30000 against 30000.000015 ties; 2 against 2.000000006 does not)."""


def _moved(amount: float, hair: float) -> float:
    """amount moved by a relative hair, as a decimal a file could hold."""
    return float(f"{amount * (1 + hair):.14g}")


@st.composite
def tie_cases(draw) -> Case:
    """Small portfolios built to stress the tie rule: values and costs a relative
    1e-10..1e-8 apart (30000 and 30000.000015, 2 and 2.000000006), candidates that cost
    and are worth nothing, magnitudes from 1e-9 to 1e9, and a budget that some
    selection meets exactly or misses by a hair; sometimes a rule, so that the best
    portfolios are not simply the largest."""
    n = draw(st.integers(3, 7))
    value_unit = draw(st.sampled_from([1e4, 1, 1e-9, 1e9]))
    cost_unit = draw(st.sampled_from([1, 1e8, 1e-6]))
    hairs = st.sampled_from(HAIRS)
    candidates = []
    for i in range(n):
        if draw(st.integers(0, 4)) == 0:
            cost, value = 0.0, 0.0  # free and worthless: only the file-order rule keeps it
        else:
            value = _moved(draw(st.sampled_from([1, 2, 3, 1, -1, 0])) * value_unit, draw(hairs))
            cost = _moved(draw(st.sampled_from([1, 2, 3, 1, 0])) * cost_unit, draw(hairs))
        candidates.append((f"c{i}", cost, value, {}))
    met = _subset(draw, range(n), 1)  # a selection the budget fits, or misses by a hair
    spent = sum(candidates[i][1] for i in met) or cost_unit
    budget = _moved(spent, draw(st.sampled_from([0, 0, 1e-10, -1e-10, 1e-12, 5e-10])))
    extra: dict[str, Any] = {}
    if draw(st.booleans()):
        of = _subset(draw, [c[0] for c in candidates], 2, 4)
        extra["rules"] = [{"at_most": draw(st.integers(1, len(of) - 1)), "of": of}]
    return Case(_doc(candidates, total=budget, **extra))


def near_a_boundary(case: Case) -> bool:
    """True when a selection's exact value or cost lies within a relative 1e-12 of the
    line where it would start or stop tying, or its cost within 1e-13 of the budget
    without meeting it exactly: there floating point may rightly go either way."""
    budget = _num(case.doc["budget"]["total"])
    every = enumerate_selections(case)
    if any(0 < abs(s.cost - budget) <= Fraction(1e-13) * abs(budget) for s in every):
        return True
    feasible = [s for s in every if s.feasible()]
    if not feasible:
        return False
    best_v = max(s.value for s in feasible)
    floor = best_v - Fraction(TIE) * abs(best_v)
    hair = Fraction(1e-12) * max(abs(s.value) for s in feasible)
    if any(0 < abs(s.value - floor) <= hair for s in feasible):
        return True
    tied = [s for s in feasible if s.value >= floor]
    best_c = min(s.cost for s in tied)
    cap = best_c + Fraction(TIE) * abs(best_c)
    hair = Fraction(1e-12) * max(abs(s.cost) for s in tied)
    return any(0 < abs(s.cost - cap) <= hair for s in tied)


# --------------------------------------------------------------- the brute force


@dataclass
class Expected:
    status: str
    selected: tuple[str, ...] = ()
    value: Fraction | None = None
    cost: Fraction | None = None
    decided_by: str = ""  # the tie-break step that settled it: "value", "cost" or "order"


def _num(x: Any) -> Fraction:
    """A number of the document as written: a float as its shortest decimal (77.8 is
    389/5, not the double nearest it, so sums of decimals meet caps as on paper), a
    range [low, high] as its midpoint."""
    if isinstance(x, list):
        return (_num(x[0]) + _num(x[1])) / 2
    return Fraction(str(x)) if isinstance(x, float) else Fraction(x)


@dataclass(frozen=True)
class Selection:
    """One selection of the enumeration, with what it breaks and what it is worth."""

    x: tuple[int, ...]
    ids: tuple[str, ...]
    value: Fraction  # the objective of docs/model.md, soft penalties included
    cost: Fraction
    totals: dict[str, Fraction]  # unweighted objective totals (range midpoints)
    violated: frozenset[str]  # names (as conflicts name them) of the hard constraints it breaks
    spend: dict[str, Fraction]  # the left-hand side of each named numeric constraint

    def feasible(self, dropped: frozenset[str] = frozenset()) -> bool:
        return self.violated <= dropped


def enumerate_selections(case: Case, total: Any = "file") -> list[Selection]:
    """Every selection in exact arithmetic, each with the named constraints it breaks.

    `total` replaces the total budget (None: no total); "file" keeps the case's.
    """
    doc = case.doc
    cands = doc["candidates"]
    ids = [str(c["id"]) for c in cands]
    n = len(ids)
    pos = {cid: i for i, cid in enumerate(ids)}

    weights = {o: Fraction(spec["weight"]) for o, spec in doc["objectives"].items()}
    weights.update({o: Fraction(w) for o, w in case.weights.items()})
    wsum = sum(weights.values())
    raw = [{o: _num(x) for o, x in c.get("value", {}).items()} for c in cands]
    v = [sum((weights[o] / wsum * x for o, x in r.items()), Fraction(0)) for r in raw]

    def cost_of(c: dict[str, Any]) -> Fraction:
        if isinstance(c["cost"], dict):
            return sum((_num(x) for x in c["cost"].values()), Fraction(0))
        return _num(c["cost"])

    cost = [cost_of(c) for c in cands]
    budget = doc.get("budget", {})
    if total == "file":
        total = case.budget if case.budget is not None else budget.get("total")
    per_year = {int(y): _num(b) for y, b in budget.get("per_year", {}).items()}
    per_year.update({int(y): _num(b) for y, b in case.budget_per_year.items()})
    year_cost = {
        y: [
            _num(c["cost"].get(y, 0)) if isinstance(c["cost"], dict) else Fraction(0) for c in cands
        ]
        for y in per_year
    }

    commitments = doc.get("commitments", {})
    contrib = {
        k: [Fraction(c.get("commitments", {}).get(k, 0)) for c in cands] for k in commitments
    }
    groups = {
        g: (spec, [i for i, c in enumerate(cands) if c.get("group") == g])
        for g, spec in doc.get("groups", {}).items()
    }
    requires = [
        (f"requires.{c['id']}.{j}", i, pos[str(j)])
        for i, c in enumerate(cands)
        for j in dict.fromkeys(c.get("requires", []))
    ]
    excludes, seen = [], set()
    for i, c in enumerate(cands):
        for j in dict.fromkeys(c.get("excludes", [])):
            pair = frozenset((i, pos[str(j)]))
            if pair not in seen:
                seen.add(pair)
                excludes.append((f"excludes.{c['id']}.{j}", i, pos[str(j)]))
    rules = []
    for k, r in enumerate(doc.get("rules", [])):
        (kind,) = (key for key in r if key != "of")
        rules.append((f"rule.{k}", kind, r[kind], sorted({pos[str(j)] for j in r["of"]})))
    forced = [(f"mandatory.{c['id']}", i, 1) for i, c in enumerate(cands) if c.get("mandatory")]
    forced += [(f"include.{j}", pos[j], 1) for j in case.include]
    forced += [(f"exclude.{j}", pos[j], 0) for j in case.exclude]

    selections = []
    for x in itertools.product((0, 1), repeat=n):
        chosen = [i for i in range(n) if x[i]]
        broken: set[str] = set()
        spend: dict[str, Fraction] = {}
        broken.update(name for name, i, want in forced if x[i] != want)
        broken.update(name for name, i, j in requires if x[i] and not x[j])
        broken.update(name for name, i, j in excludes if x[i] and x[j])
        for name, kind, k, members in rules:
            count = sum(x[i] for i in members)
            spend[name] = Fraction(count)
            if (
                (kind == "at_most" and count > k)
                or (kind == "at_least" and count < k)
                or (kind == "exactly" and count != k)
            ):
                broken.add(name)
        total_cost = sum((cost[i] for i in chosen), Fraction(0))
        spend["budget.total"] = total_cost
        if total is not None and total_cost > _num(total):
            broken.add("budget.total")
        for y, cap in per_year.items():
            spend[f"budget.per_year.{y}"] = sum((year_cost[y][i] for i in chosen), Fraction(0))
            if spend[f"budget.per_year.{y}"] > cap:
                broken.add(f"budget.per_year.{y}")
        for g, (spec, members) in groups.items():
            gc = sum((cost[i] for i in members if x[i]), Fraction(0))
            spend[f"group.{g}.min"] = spend[f"group.{g}.max"] = gc
            if "min" in spec and gc < _num(spec["min"]):
                broken.add(f"group.{g}.min")
            if "max" in spec and gc > _num(spec["max"]):
                broken.add(f"group.{g}.max")
            if "min_share" in spec and gc < Fraction(spec["min_share"]) * total_cost:
                broken.add(f"group.{g}.min_share")
            if "max_share" in spec and gc > Fraction(spec["max_share"]) * total_cost:
                broken.add(f"group.{g}.max_share")
        value = sum((v[i] for i in chosen), Fraction(0))
        for k, spec in commitments.items():
            achieved = sum((contrib[k][i] for i in chosen), Fraction(0))
            target = Fraction(spec["target"])
            spend[f"commitment.{k}"] = achieved
            # defplan's rule: within a relative 1e-9 of the target counts as met
            short = target - achieved
            if short <= Fraction(TIE) * abs(target):
                short = Fraction(0)
            if spec.get("hard", True):
                if short > 0:
                    broken.add(f"commitment.{k}")
            else:
                value -= Fraction(spec["penalty"]) * short
        totals = {
            o: sum((raw[i].get(o, Fraction(0)) for i in chosen), Fraction(0)) for o in weights
        }
        selections.append(
            Selection(
                x=x,
                ids=tuple(ids[i] for i in chosen),
                value=value,
                cost=total_cost,
                totals=totals,
                violated=frozenset(broken),
                spend=spend,
            )
        )
    return selections


def brute_force(case: Case, dropped: frozenset[str] = frozenset(), total: Any = "file") -> Expected:
    """The canonical answer (docs/model.md, "Ties") by enumeration, in exact arithmetic."""
    feasible = [s for s in enumerate_selections(case, total) if s.feasible(dropped)]
    return canonical_of(feasible)


def canonical_of(feasible: list[Selection]) -> Expected:
    """The best of these selections: value, then cost, then file order."""
    if not feasible:
        return Expected(status="infeasible")
    best_v = max(s.value for s in feasible)
    tied = [s for s in feasible if s.value >= best_v - Fraction(TIE) * abs(best_v)]
    decided_by = "value" if len(tied) == 1 else "cost"
    best_c = min(s.cost for s in tied)
    tied = [s for s in tied if s.cost <= best_c + Fraction(TIE) * abs(best_c)]
    if len(tied) > 1:
        decided_by = "order"
    best = max(tied, key=lambda s: s.x)
    return Expected("optimal", best.ids, best.value, best.cost, decided_by)


# --------------------------------------------------------------------- the checks


def _close(actual: float, expected: Fraction) -> bool:
    return abs(Fraction(actual) - expected) <= Fraction(REL) * max(1, abs(expected))


def _doc(candidates, total=100, **extra) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "name": "hand-written example",
        "objectives": {"v": {"label": "Value", "weight": 1}},
        "budget": {"total": total},
    }
    doc.update(extra)
    doc["candidates"] = [
        {"id": cid, "cost": cost, "value": {"v": value}, **more}
        for cid, cost, value, more in candidates
    ]
    return doc
