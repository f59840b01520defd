"""result.py: the Result's derived figures and its JSON form (docs/json.md)."""

from __future__ import annotations

import codecs
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from samples import SMALL

from defplan.analysis.alternatives import alternatives
from defplan.errors import LoadError
from defplan.formulation import SolveOptions
from defplan.loading import parse_portfolio
from defplan.loading import saved as saved_module
from defplan.loading.saved_checks import cross_problems
from defplan.loading.saved_model import SavedResult
from defplan.render.documents import document_of, json_of
from defplan.render.jsontext import json_text
from defplan.result import (
    CandidateOutcome,
    CommitmentOutcome,
    Forced,
    Result,
    SolverInfo,
    Status,
    clean,
    output_format_of,
    read_saved_result,
    reported_sum,
    result_from_dict,
)
from defplan.solving import optimise

PORTFOLIOS = Path(__file__).resolve().parent.parent / "portfolios"


def candidate(cid: str, selected: bool, cost: float, profile: dict[int, float]) -> CandidateOutcome:
    return CandidateOutcome(
        id=cid,
        name=cid.upper(),
        group=None,
        selected=selected,
        cost=cost,
        value=cost / 10,
        objectives={"a": cost / 10},
        profile=profile,
    )


def result(status: Status = Status.OPTIMAL) -> Result:
    return Result(
        status=status,
        name="n",
        file="f.yaml",
        sha256="abc",
        currency="EUR",
        unit="M",
        budget_total=None,
        budget_per_year={2027: 50.0, 2026: 40.0},
        weights={"a": 1.0},
        objective_labels={"a": "A"},
        candidates=(
            candidate("p", True, 30, {2026: 10, 2027: 20}),
            candidate("q", True, 7, {}),
            candidate("r", False, 99, {2026: 99}),
        ),
        commitments={
            "c": CommitmentOutcome(label="C", framework="NATO", hard=False, target=5, achieved=3)
        },
        groups={},
        value=3.7,
        solver=SolverInfo(name="HiGHS", version="1", gap=0.0, seconds=0.1),
    )


def test_costs_are_summed_from_the_selection() -> None:
    r = result()
    assert r.selected_ids == ("p", "q")
    assert r.cost_per_year == {2026: 10, 2027: 20}
    assert r.cost_unphased == 7
    assert r.cost_total == 37 == sum(r.cost_per_year.values()) + r.cost_unphased
    assert r.objectives == {"a": 3.7}


def test_json_has_the_documented_fields() -> None:
    d = json.loads(json_of(result()))
    assert d["format"] == "defplan-result/1"
    assert d["portfolio"] == {"name": "n", "file": "f.yaml", "sha256": "abc"}
    assert d["budget"] == {"total": None, "per_year": {"2026": 40.0, "2027": 50.0}}
    assert d["cost"] == {"total": 37, "per_year": {"2026": 10, "2027": 20}, "unphased": 7}
    assert [s["id"] for s in d["selected"]] == ["p", "q"]
    assert d["commitments"]["c"] == {
        "label": "C",
        "framework": "NATO",
        "hard": False,
        "target": 5,
        "achieved": 3,
        "met": False,
        "shortfall": 2,
    }
    assert d["solver"]["gap"] == 0


def test_no_portfolio_means_null_value_and_nothing_selected() -> None:
    d = document_of(result(Status.INFEASIBLE))
    assert d["status"] == "infeasible" and d["value"] is None and d["selected"] == []
    assert not any(c["selected"] for c in d["candidates"])
    assert d["cost"]["total"] == 0


def test_clean_drops_negative_zero_and_float_noise() -> None:
    assert str(clean(-0.0)) == "0.0"
    assert clean(0.1 + 0.2) == 0.3
    assert clean(13.799999999999999) == 13.8
    assert clean(123456789.125) == 123456789.125


def test_reported_sums_are_taken_in_decimal() -> None:
    assert reported_sum(2903.04475, -2903.01625) == 0.0285  # floats: 0.0284999999999
    assert reported_sum(0.1, 0.2) == 0.3 and reported_sum() == 0
    assert str(reported_sum(1.5, -1.5)) == "0.0"  # never -0.0


# -- what a result records of its scenario: run options, rules in words, forced choices --


def solved(text: str = SMALL, **options: Any) -> Result:
    """text optimised with the given SolveOptions fields."""
    portfolio = parse_portfolio(text, filename="p.yaml")
    return optimise(portfolio, options=SolveOptions(**options), file="p.yaml", data=text.encode())


def test_the_run_options_are_recorded_as_given() -> None:
    r = solved(
        budget=90,
        budget_per_year={2027: 45},
        weights={"b": 2},
        include=("charlie",),
        exclude=("echo",),
        solver="highs",
        time_limit=30,
    )
    assert document_of(r)["run"] == {
        "budget": 90,
        "budget_per_year": {"2027": 45},
        "weights": {"b": 2},
        "include": ["charlie"],
        "exclude": ["echo"],
        "solver": "highs",
        "time_limit": 30,
    }
    assert document_of(solved())["run"] == {
        "budget": None,
        "budget_per_year": {},
        "weights": {},
        "include": [],
        "exclude": [],
        "solver": "auto",
        "time_limit": None,
    }


def test_forced_candidates_are_marked() -> None:
    text = SMALL.replace("  - id: delta\n", "  - id: delta\n    mandatory: true\n")
    r = solved(text, include=("charlie",), exclude=("echo",))
    marks = {c["id"]: c["forced"] for c in document_of(r)["candidates"]}
    assert marks == {
        "alpha": None,
        "bravo": None,
        "charlie": "include",
        "delta": "mandatory",
        "echo": "exclude",
    }
    assert r.forced == {
        "charlie": Forced.INCLUDE,
        "delta": Forced.MANDATORY,
        "echo": Forced.EXCLUDE,
    }
    assert [c.forced for c in r.candidates if c.id in ("alpha", "delta")] == [None, "mandatory"]
    both = solved(text, include=("delta",), exclude=("alpha",)).forced  # delta is mandatory
    assert both == {"alpha": Forced.EXCLUDE, "delta": Forced.MANDATORY}
    kept_out = solved(text, exclude=("delta",))  # mandatory, excluded: no portfolio
    assert kept_out.status is Status.INFEASIBLE
    assert kept_out.forced == {"delta": Forced.EXCLUDE}


def test_the_rules_are_recorded_in_words_whatever_the_status() -> None:
    text = SMALL + (
        "rules:\n  - {at_most: 1, of: [alpha, delta]}\n"
        "  - {exactly: 2, of: [bravo, charlie, echo]}\n"
    )
    for budget in (100, 20):  # optimal, then infeasible (no commitments or groups listed)
        rules = document_of(solved(text, budget=budget))["rules"]
        assert rules == {
            "commitments": {
                "nato": "reach 2 (hard)",
                "eu": "reach 4 (soft: penalty 0.5 per unit short)",
            },
            "groups": {"kit": "at least 20% of cost"},
            "cardinality": ["at most 1 of alpha, delta", "exactly 2 of bravo, charlie, echo"],
        }


# -- the saved form: every result written validates, and reads back as it was ----------

OBJECTIVES = ("a", "b")


@st.composite
def small_runs(draw: st.DrawFn) -> tuple[str, SolveOptions]:
    """A small valid portfolio (as JSON text, which is YAML) and options to run it with."""
    n = draw(st.integers(1, 6))
    ids = [f"c{i}" for i in range(n)]
    commitments: dict[str, Any] = {}
    if draw(st.booleans()):
        hard = draw(st.booleans())
        commitments["c"] = {"target": draw(st.sampled_from([1, 2.5, 4])), "hard": hard}
        if not hard:
            commitments["c"]["penalty"] = draw(st.sampled_from([0, 0.5, 2]))
    candidates = []
    for cid in ids:
        plain = st.sampled_from([0, 1, 2.5, 4])
        profile = st.dictionaries(st.sampled_from([2026, 2027]), plain, min_size=1)
        value = st.one_of(st.sampled_from([-1, 0, 2, 3.5]), st.just([1, 3]))
        candidate: dict[str, Any] = {
            "id": cid,
            "cost": draw(st.one_of(plain, profile)),
            "value": {k: draw(value) for k in draw(st.sets(st.sampled_from(OBJECTIVES)))},
        }
        if draw(st.booleans()):
            candidate["group"] = "kit"
        if commitments and draw(st.booleans()):
            candidate["commitments"] = {"c": draw(st.sampled_from([1, 2]))}
        if draw(st.integers(0, 5)) == 0:
            candidate["mandatory"] = True
        candidates.append(candidate)
    document: dict[str, Any] = {
        "name": "random",
        "years": [2026, 2027],
        "objectives": {k: {"weight": draw(st.sampled_from([0.5, 1, 2]))} for k in OBJECTIVES},
        "commitments": commitments,
        "budget": {"total": draw(st.sampled_from([0, 3, 6, 20]))},
        "candidates": candidates,
    }
    if any("group" in c for c in candidates):
        document["groups"] = {"kit": {"max_share": draw(st.sampled_from([0.5, 1]))}}
    if n > 1 and draw(st.booleans()):
        document["rules"] = [{"at_most": 1, "of": draw(st.permutations(ids))[:2]}]
    forced = draw(st.permutations(ids))[: draw(st.integers(0, 2))]
    options = SolveOptions(
        budget=draw(st.sampled_from([None, 2, 8])),
        budget_per_year={2027: 3} if draw(st.booleans()) else {},
        weights={"b": draw(st.sampled_from([0, 3]))} if draw(st.booleans()) else {},
        include=tuple(forced[:1]),
        exclude=tuple(forced[1:]),
        time_limit=draw(st.sampled_from([None, 60])),
    )
    return json.dumps(document), options


def assert_saved_form(r: Result) -> None:
    """r's JSON is a valid saved result (the model is the one description of the saved
    form), and reading it back gives the same result."""
    document = json.loads(json_of(r))
    saved = SavedResult.model_validate(document)
    assert list(cross_problems(saved)) == []
    again = result_from_dict(document)
    assert json_of(again) == json_of(r)
    assert again.selected_ids == r.selected_ids
    assert again.forced == r.forced
    assert again.run == r.run


@settings(max_examples=40, derandomize=True, deadline=None)
@given(small_runs())
def test_every_result_written_validates_and_reads_back(run: tuple[str, SolveOptions]) -> None:
    text, options = run
    portfolio = parse_portfolio(text, filename="random.json")
    assert_saved_form(optimise(portfolio, options=options, file="random.json", data=text.encode()))


@pytest.mark.parametrize("path", sorted(PORTFOLIOS.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_results_validate_and_read_back(path: Path) -> None:
    data = path.read_bytes()
    portfolio = parse_portfolio(data, filename=path.name)
    r = optimise(portfolio, file=path.name, data=data)
    assert r.status is Status.OPTIMAL
    found, _ = alternatives(portfolio, r, options=SolveOptions(), count=2)
    assert_saved_form(replace(r, alternatives=found))


def test_the_saved_form_is_read_through_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """result_from_dict builds the Result from the validated model, not from the raw dict."""
    seen: list[SavedResult] = []
    real = saved_module.to_result

    def spy(model: SavedResult) -> Result:
        seen.append(model)
        return real(model)

    monkeypatch.setattr(saved_module, "to_result", spy)
    result_from_dict(json.loads(json_of(solved())))
    assert len(seen) == 1


def test_an_older_result_without_its_scenario_reads() -> None:
    """A result saved before `run`, `rules` and `forced` were recorded still reads."""
    document = json.loads(json_of(solved(include=("echo",))))
    del document["run"], document["rules"]
    for c in document["candidates"]:
        del c["forced"]
    older = result_from_dict(document)
    assert older.run is None and not older.records_scenario
    assert older.forced == {}
    assert older.rules == () and older.commitment_rules == {}
    assert older.group_rules == {"kit": "at least 20% of cost"}  # from `groups`, as before


def test_fields_of_later_versions_are_ignored() -> None:
    written = json_of(solved())
    document = json.loads(written)
    document["later"] = {"anything": [1, {"x": None}]}
    document["candidates"][0]["later"] = "yes"
    document["run"]["later"] = 3
    assert json_of(result_from_dict(document)) == written


# -- reading a saved result strictly --------------------------------------------------------


def saved_text() -> str:
    """SMALL's optimum at its own budget, as `--output` writes it."""
    return json_of(solved())


def broken(mutate: Callable[[dict[str, Any]], object]) -> str:
    """The saved result changed by mutate, written as defplan writes JSON (NaN as NaN)."""
    document = json.loads(saved_text())
    mutate(document)
    return json_text(document)


def problems_in(text: str | bytes) -> list[str]:
    """The lines `diff` prints for a saved result in run.json that it refuses."""
    data = text.encode() if isinstance(text, str) else text
    with pytest.raises(LoadError) as caught:
        read_saved_result(data, filename="run.json")
    return [str(p) for p in caught.value.problems]


def where(text: str, *markers: str) -> str:
    """run.json:LINE:COLUMN where the last marker starts, each marker searched after the
    one before it (an oracle independent of the reader's own walk through the text)."""
    offset = end = 0
    for marker in markers:
        offset = text.index(marker, end)
        end = offset + len(marker)
    line = text.count("\n", 0, offset) + 1
    return f"run.json:{line}:{offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"


NAN = float("nan")
INF = float("inf")
TOP_VALUE = '\n  "value": '
TOP_SELECTED = '\n  "selected": '
BRAVO = ('"selected": [', '"id": "bravo"')  # selected[1]
DELTA = ('"candidates": [', '"id": "delta"')  # candidates[3]

LOOSE = {
    "nan": (
        lambda d: d.update(value=NAN),
        (TOP_VALUE, "NaN"),
        "$.value: NaN is not a JSON number",
    ),
    "infinity": (
        lambda d: d.update(value=INF),
        (TOP_VALUE, "Infinity"),
        "$.value: Infinity is not a JSON number",
    ),
    "minus-infinity": (
        lambda d: d["candidates"][1]["objectives"].update(a=-INF),
        ("-Infinity",),
        "$.candidates[1].objectives.a: -Infinity is not a JSON number",
    ),
    "nan-where-ignored": (
        lambda d: d.update(later={"x": [NAN]}),
        ("NaN",),
        "$.later.x[0]: NaN is not a JSON number",
    ),
    "value-true": (
        lambda d: d.update(value=True),
        (TOP_VALUE, "true"),
        "$.value: a number is required, not true",
    ),
    "cost-true": (
        lambda d: d["selected"][1].update(cost=True),
        (*BRAVO, '"cost": ', "true"),
        "$.selected[1].cost: a number is required, not true",
    ),
    "cost-text": (
        lambda d: d["candidates"][0].update(cost="50"),
        ('"50"',),
        '$.candidates[0].cost: a number is required, not "50"',
    ),
    "year-abc": (
        lambda d: d["budget"]["per_year"].update(abc=3),
        ('"abc"',),
        "$.budget.per_year.abc: a year (a whole number from 1 to 9999) is required as the "
        'key, not "abc"',
    ),
    "year-in-other-digits": (
        lambda d: d["candidates"][0]["profile"].update({"\u0662\u0660\u0662\u0666": 1}),
        ('"\u0662\u0660\u0662\u0666"',),
        '$.candidates[0].profile["\u0662\u0660\u0662\u0666"]: a year (a whole number from 1 '
        'to 9999) is required as the key, not "\u0662\u0660\u0662\u0666"',
    ),
    "status": (
        lambda d: d.update(status="splendid"),
        ('"splendid"',),
        "$.status: one of 'optimal', 'feasible', 'infeasible' or 'unknown' is required, "
        'not "splendid"',
    ),
    "negative-budget": (
        lambda d: d["budget"].update(total=-1),
        ('"budget": ', '"total": ', "-1"),
        "$.budget.total: a number >= 0 is required, not -1",
    ),
    "weights-list": (
        lambda d: d.update(weights=[1, 2]),
        ('"weights": ', "["),
        "$.weights: an object is required, not a list",
    ),
    "forced": (
        lambda d: d["candidates"][2].update(forced="maybe"),
        ('"maybe"',),
        "$.candidates[2].forced: one of 'mandatory', 'include' or 'exclude' is required, "
        'not "maybe"',
    ),
    "missing-key": (
        lambda d: d["solver"].pop("seconds"),
        ('"solver": ', "{"),
        '$.solver: missing required key "seconds"',
    ),
    "selected-unknown": (
        lambda d: d["selected"].append({"id": "nobody", "name": "N", "cost": 0, "value": 0}),
        ('"nobody"',),
        '$.selected[3].id: "nobody" is not among $.candidates',
    ),
    "selected-figures": (
        lambda d: d["selected"][1].update(value=99),
        (*BRAVO, '"value": ', "99"),
        "$.selected[1].value: 99 differs from $.candidates[1].value, 4",
    ),
    "selected-flag": (
        lambda d: d["candidates"][4].update(selected=True),  # echo, not in `selected`
        ('"candidates": [', '"id": "echo"', '"selected": ', "true"),
        '$.candidates[4].selected: true, but "echo" is not in $.selected',
    ),
    "duplicate-id": (
        lambda d: d["candidates"][4].update(id="alpha"),
        (*DELTA, '"id": ', '"alpha"'),
        '$.candidates[4].id: duplicate id "alpha" (also $.candidates[0])',
    ),
    "objective-missing": (
        lambda d: d["candidates"][3]["objectives"].pop("b"),
        (*DELTA, '"objectives": ', "{"),
        '$.candidates[3].objectives: no value for "b", an objective of $.weights',
    ),
    "include-unknown": (
        lambda d: d["run"].update(include=["ghost"]),
        ('"ghost"',),
        '$.run.include[0]: "ghost" is not among $.candidates',
    ),
}


@pytest.mark.parametrize(("mutate", "markers", "message"), LOOSE.values(), ids=LOOSE.keys())
def test_a_loose_saved_result_is_refused_at_its_place(
    mutate: Callable[[dict[str, Any]], object], markers: tuple[str, ...], message: str
) -> None:
    text = broken(mutate)
    assert problems_in(text) == [f"{where(text, *markers)}: error: {message}"]


def test_a_key_given_twice_is_refused_at_its_second_place() -> None:
    text = saved_text().replace('\n  "value": 13.5,', '\n  "value": 13.5,\n  "value": 99,')
    assert problems_in(text) == [
        f"{where(text, TOP_VALUE, TOP_VALUE.strip())}: error: $.value: a key given twice in "
        "one object"
    ]


def test_a_cost_total_that_is_not_the_selections_is_refused() -> None:
    text = broken(lambda d: d["cost"].update(total=1))
    place = where(text, '\n  "cost": ', '"total": ', "1")
    assert problems_in(text) == [
        f"{place}: error: $.cost.total: 1 differs from the selection's cost, 100"
    ]


@pytest.mark.parametrize("text", ["EVIL\u001b[31mRED", "line\u0085break", "sep\u2028arator"])
def test_control_characters_in_a_saved_result_are_refused(text: str) -> None:
    """A saved result cannot send terminal commands through `diff` (a portfolio cannot)."""
    document = json.loads(saved_text())
    document["portfolio"]["name"] = text
    problems = problems_in(json_text(document))
    assert len(problems) == 1
    assert "$.portfolio.name: text may not hold the control character U+" in problems[0]


def test_a_saved_result_cut_short_is_reported_as_broken_json() -> None:
    text = saved_text()[:300]
    with pytest.raises(LoadError) as caught:
        read_saved_result(text.encode(), filename="run.json")
    (problem,) = caught.value.problems
    assert str(problem).startswith("run.json:") and "not valid JSON" in str(problem)
    assert problem.line is not None and problem.line > 1


def test_every_problem_is_listed_in_the_order_of_the_text() -> None:
    def mutate(d: dict[str, Any]) -> None:
        d["candidates"][4]["cost"] = "free"
        d["status"] = "done"
        d["value"] = NAN

    text = broken(mutate)
    assert [line.split(": error: ")[1] for line in problems_in(text)] == [
        "$.status: one of 'optimal', 'feasible', 'infeasible' or 'unknown' is required, "
        'not "done"',
        "$.value: NaN is not a JSON number",
        '$.candidates[4].cost: a number is required, not "free"',
    ]


def test_a_number_too_large_for_a_float_is_refused() -> None:
    text = saved_text().replace('\n  "value": 13.5,', '\n  "value": 1e400,')
    assert problems_in(text) == [
        f"{where(text, TOP_VALUE, '1e400')}: error: $.value: a finite number is required, "
        "not Infinity"
    ]


@pytest.mark.parametrize(
    ("budget", "value", "message"),
    [
        (None, None, 'a result with status "optimal" has a value, not null'),
        (20, 3, 'a result with status "infeasible" has no value (null), not 3'),
    ],
)
def test_the_value_agrees_with_the_status(
    budget: float | None, value: float | None, message: str
) -> None:
    document = json.loads(json_of(solved(budget=budget)))
    document["value"] = value
    text = json_text(document)
    token = json.dumps(value)
    assert problems_in(text) == [f"{where(text, TOP_VALUE, token)}: error: $.value: {message}"]


def test_an_infeasible_result_selects_nothing() -> None:
    document = json.loads(json_of(solved(budget=20)))
    document["selected"] = [{"id": "echo", "name": "Echo stores", "cost": 10, "value": 0.5}]
    document["candidates"][4]["selected"] = True
    document["cost"]["total"] = 10
    text = json_text(document)
    assert problems_in(text) == [
        f"{where(text, TOP_SELECTED, '[')}: error: "
        '$.selected: a result with status "infeasible" selects nothing'
    ]


# -- a byte order mark, and telling saved results from portfolios ---------------------------

BOM = codecs.BOM_UTF8


def test_a_saved_result_with_a_byte_order_mark_reads() -> None:
    text = saved_text()
    back = read_saved_result(BOM + text.encode(), filename="run.json")
    assert back is not None and json_of(back) == text
    assert output_format_of(BOM + b"\n " + text.encode()) == "defplan-result/1"


def test_a_broken_result_with_a_byte_order_mark_is_still_a_result() -> None:
    """Not handed to the portfolio loader, which listed every key as unknown."""
    text = broken(lambda d: d.update(value=True))
    assert problems_in(BOM + text.encode()) == [
        f"{where(text, TOP_VALUE, 'true')}: error: $.value: a number is required, not true"
    ]


def test_portfolios_with_a_byte_order_mark_still_read_as_portfolios() -> None:
    flow = "{name: flow, objectives: {a: {weight: 1}}, candidates: [{id: x, cost: 1}]}"
    as_json = json.dumps(
        {"name": "j", "objectives": {"a": {"weight": 1}}, "candidates": [{"id": "x", "cost": 1}]}
    )
    for text in (SMALL, flow, as_json):
        data = BOM + text.encode()
        assert read_saved_result(data, filename="p.yaml") is None
        assert output_format_of(data) is None
        assert parse_portfolio(data, filename="p.yaml").candidates


def pydantic_loaded_after(code: str) -> bool:
    """Whether a fresh interpreter has imported pydantic after running code."""
    script = f"import sys\n{code}\nprint('pydantic' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return run.stdout.split() == ["True"]


def test_reading_results_keeps_pydantic_off_the_start_up_path() -> None:
    """Writing and comparing results needs no pydantic; reading a saved one loads it."""
    assert not pydantic_loaded_after(
        "import defplan.result, defplan.analysis.diff, defplan.render.report"
    )
    assert pydantic_loaded_after(
        "import defplan.result as r, defplan.errors as e\n"
        "try:\n    r.read_saved_result(b'{\"format\": \"defplan-result/1\"}', filename='x')\n"
        "except e.LoadError:\n    pass"
    )
