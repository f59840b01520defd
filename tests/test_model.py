"""The pydantic schema and cross-field checks of defplan.model, without YAML.

The loader turns YAML into plain data first; these tests feed that plain data straight to
the models, so they pin what the schema itself accepts (docs/file-format.md) and the locations
`cross_check` hands the loader.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from defplan.model import (
    KEY,
    MAX_MAGNITUDE,
    Budget,
    Candidate,
    Commitment,
    Group,
    Objective,
    Portfolio,
    Rule,
    cross_check,
    did_you_mean,
)
from defplan.scales import scale_warnings, scores_off_scale

MINIMAL: dict[str, Any] = {
    "objectives": {"n": {"weight": 1}},
    "candidates": [{"id": "a", "cost": 1}],
}


def portfolio(**changes: Any) -> dict[str, Any]:
    """MINIMAL with top-level keys replaced."""
    data = copy.deepcopy(MINIMAL)
    data.update(changes)
    return data


def candidates(*items: dict[str, Any]) -> list[dict[str, Any]]:
    """Candidates with a default cost of 1."""
    return [{"cost": 1, **item} for item in items]


def locs(data: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The locations of every cross-check problem of data (which must be well-typed)."""
    return [loc for loc, _ in cross_check(Portfolio.model_validate(data))]


def messages(data: dict[str, Any]) -> list[str]:
    return [msg for _, msg in cross_check(Portfolio.model_validate(data))]


def error_types(data: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    with pytest.raises(ValidationError) as info:
        Portfolio.model_validate(data)
    return [(err["loc"], err["type"]) for err in info.value.errors()]


# ---------------------------------------------------------------------------------------
# The schema


def test_minimal_portfolio_and_defaults() -> None:
    p = Portfolio.model_validate(MINIMAL)
    assert (p.defplan, p.name, p.currency, p.unit, p.years) == (1, "", "EUR", "M", None)
    assert p.objectives["n"] == Objective(weight=1)
    assert Objective().weight == 1.0
    assert p.budget == Budget()
    assert (p.budget.total, p.budget.per_year) == (None, {})
    assert (p.commitments, p.groups, p.rules) == ({}, {}, [])
    assert cross_check(p) == []


def test_models_are_frozen() -> None:
    p = Portfolio.model_validate(MINIMAL)
    with pytest.raises(ValidationError):
        p.name = "changed"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        p.candidates[0].cost = 5  # type: ignore[misc]


@pytest.mark.parametrize(
    ("model", "data"),
    [
        (Portfolio, {**MINIMAL, "nme": "x"}),
        (Objective, {"weight": 1, "wieght": 1}),
        (Commitment, {"target": 1, "hrd": True}),
        (Budget, {"totl": 5}),
        (Group, {"min_shar": 0.2}),
        (Rule, {"at_most": 1, "of": ["a"], "at_mots": 1}),
        (Candidate, {"id": "a", "cost": 1, "requries": []}),
    ],
)
def test_unknown_keys_are_forbidden_in_every_model(model: Any, data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    assert [err["type"] for err in info.value.errors()] == ["extra_forbidden"]


def test_format_version() -> None:
    assert Portfolio.model_validate(portfolio(defplan=1)).defplan == 1
    for other in (2, 0, "1", None):
        with pytest.raises(ValidationError):
            Portfolio.model_validate(portfolio(defplan=other))


def test_format_version_true_is_not_1() -> None:
    # True == 1 in Python, but `defplan: true` is not format 1 (any other value errs).
    with pytest.raises(ValidationError):
        Portfolio.model_validate(portfolio(defplan=True))


@pytest.mark.parametrize(
    "bad", [True, False, "5", None, [5], math.inf, -math.inf, math.nan, 1.0000001e12, 10**13]
)
def test_bad_cost(bad: Any) -> None:
    with pytest.raises(ValidationError):
        Portfolio.model_validate(portfolio(candidates=candidates({"id": "a", "cost": bad})))


@pytest.mark.parametrize("good", [0, 1, 2.5, 1e3, MAX_MAGNITUDE, 10**12])
def test_good_cost_is_a_float(good: float) -> None:
    p = Portfolio.model_validate(portfolio(candidates=candidates({"id": "a", "cost": good})))
    assert p.candidates[0].cost == good
    assert type(p.candidates[0].cost) is float


def test_number_limit_applies_to_negative_values_too() -> None:
    ok = candidates({"id": "a", "value": {"n": -MAX_MAGNITUDE}})
    assert Portfolio.model_validate(portfolio(candidates=ok)).candidates[0].value_of("n") == -1e12
    bad = candidates({"id": "a", "value": {"n": -2 * MAX_MAGNITUDE}})
    with pytest.raises(ValidationError):
        Portfolio.model_validate(portfolio(candidates=bad))


@pytest.mark.parametrize(
    ("data", "loc"),
    [
        (portfolio(objectives={"n": {"weight": -1}}), ("objectives", "n", "weight")),
        (portfolio(commitments={"c": {"target": 0}}), ("commitments", "c", "target")),
        (portfolio(commitments={"c": {"target": -1}}), ("commitments", "c", "target")),
        (
            portfolio(commitments={"c": {"target": 1, "hard": False, "penalty": -1}}),
            ("commitments", "c", "penalty"),
        ),
        (portfolio(budget={"total": -1}), ("budget", "total")),
        (portfolio(budget={"per_year": {2026: -1}}), ("budget", "per_year", 2026)),
        (portfolio(groups={"g": {"min": -1}}), ("groups", "g", "min")),
        (portfolio(groups={"g": {"max_share": 1.1}}), ("groups", "g", "max_share")),
        (portfolio(groups={"g": {"min_share": -0.1}}), ("groups", "g", "min_share")),
        (portfolio(rules=[{"at_most": -1, "of": ["a"]}]), ("rules", 0, "at_most")),
    ],
)
def test_bounds(data: dict[str, Any], loc: tuple[Any, ...]) -> None:
    assert [err_loc for err_loc, _ in error_types(data)] == [loc]


def test_profile_cost() -> None:
    cost = {2026: 0.1, 2027: 0.2, "2028": 0.3}  # YAML may give a quoted year
    p = Portfolio.model_validate(portfolio(candidates=candidates({"id": "a", "cost": cost})))
    c = p.candidates[0]
    assert c.profile == {2026: 0.1, 2027: 0.2, 2028: 0.3}
    assert c.total_cost == 0.6  # summed exactly (math.fsum), not 0.6000000000000001


@pytest.mark.parametrize("year", ["first", 0, -1, 10000, 2026.0, True])
def test_bad_profile_year(year: Any) -> None:
    data = portfolio(candidates=candidates({"id": "a", "cost": {year: 1}}))
    with pytest.raises(ValidationError):
        Portfolio.model_validate(data)


def test_negative_profile_entry() -> None:
    data = portfolio(candidates=candidates({"id": "a", "cost": {2026: -1}}))
    assert error_types(data)[0][1] == "greater_than_equal"


def test_plain_cost_has_no_profile() -> None:
    c = Candidate(id="a", cost=7)
    assert (c.profile, c.total_cost) == ({}, 7)


def test_candidate_title_and_values() -> None:
    c = Candidate(id="a", name="Alpha", cost=1, value={"x": 2, "y": [1, 4], "z": [-3, -1]})
    assert c.title == "Alpha"
    assert Candidate(id="b", cost=1).title == "b"
    assert c.value_of("x") == 2
    assert c.value_of("y") == 2.5
    assert c.value_of("z") == -2
    assert c.value_of("missing") == 0


@pytest.mark.parametrize("bad", [[1], [1, 2, 3], [], [1, "2"], [True, 2], [1, math.nan]])
def test_bad_range(bad: list[Any]) -> None:
    data = portfolio(candidates=candidates({"id": "a", "value": {"n": bad}}))
    with pytest.raises(ValidationError):
        Portfolio.model_validate(data)


@pytest.mark.parametrize("bad", ["yes", "true", None, 1, 0, 1.0])
def test_mandatory_and_hard_are_strict_booleans(bad: Any) -> None:
    with pytest.raises(ValidationError):
        Candidate.model_validate({"id": "a", "cost": 1, "mandatory": bad})
    with pytest.raises(ValidationError):
        Commitment.model_validate({"target": 1, "hard": bad})


def test_ids_written_as_integers_become_text() -> None:
    data = {
        "objectives": {1: {"weight": 1}},
        "commitments": {2030: {"target": 1}},
        "rules": [{"at_most": 1, "of": [42]}],
        "candidates": [
            {"id": 42, "cost": 1, "value": {1: 2}, "commitments": {2030: 1}},
            {"id": 7, "cost": 1, "requires": [42], "excludes": [42]},
        ],
    }
    p = Portfolio.model_validate(data)
    assert [c.id for c in p.candidates] == ["42", "7"]
    assert list(p.objectives) == ["1"]
    assert list(p.commitments) == ["2030"]
    assert p.candidates[0].value == {"1": 2}
    assert p.candidates[0].commitments == {"2030": 1}
    assert (p.candidates[1].requires, p.candidates[1].excludes) == (["42"], ["42"])
    assert p.rules[0].of == ["42"]
    assert cross_check(p) == []


@pytest.mark.parametrize("bad", [True, False, 1.5, None, "-a", "_a", "a b", "a.b", ""])
def test_bad_candidate_id(bad: Any) -> None:
    with pytest.raises(ValidationError):
        Candidate.model_validate({"id": bad, "cost": 1})


@pytest.mark.parametrize("good", ["a", "A1", "1", "7-b_c", "f35-4th-squadron", "0"])
def test_good_candidate_id(good: str) -> None:
    assert Candidate.model_validate({"id": good, "cost": 1}).id == good


@pytest.mark.parametrize("bad", [True, 1.5, "1", [1]])
def test_rule_counts_are_whole_numbers(bad: Any) -> None:
    with pytest.raises(ValidationError):
        Rule.model_validate({"at_least": bad, "of": ["a"]})


def test_rule_needs_a_nonempty_list() -> None:
    with pytest.raises(ValidationError):
        Rule.model_validate({"at_most": 1, "of": []})
    with pytest.raises(ValidationError):
        Rule.model_validate({"at_most": 1})


def test_rule_bounds() -> None:
    assert Rule(at_most=2, of=["a"]).bounds == (None, 2)
    assert Rule(at_least=1, of=["a"]).bounds == (1, None)
    assert Rule(exactly=0, of=["a"]).bounds == (0, 0)


def test_years_need_two_whole_numbers() -> None:
    assert Portfolio.model_validate(portfolio(years=[2026, 2030])).years == [2026, 2030]
    for bad in ([2026], [2026, 2027, 2028], [2026.5, 2030], 2026, [True, 2030]):
        with pytest.raises(ValidationError):
            Portfolio.model_validate(portfolio(years=bad))


def test_objectives_and_candidates_are_required_and_nonempty() -> None:
    for data in (
        {"objectives": {"n": {}}},
        {"candidates": [{"id": "a", "cost": 1}]},
        portfolio(objectives={}),
        portfolio(candidates=[]),
    ):
        with pytest.raises(ValidationError):
            Portfolio.model_validate(data)


def test_candidate_index_is_file_order() -> None:
    data = portfolio(candidates=candidates({"id": "z"}, {"id": "a"}, {"id": "m"}))
    assert Portfolio.model_validate(data).candidate_index() == {"z": 0, "a": 1, "m": 2}


def test_strings_where_text_belongs() -> None:
    with pytest.raises(ValidationError):
        Portfolio.model_validate(portfolio(name=["x"]))
    p = Portfolio.model_validate(portfolio(name="NO", currency="yes", unit="1:20"))
    assert (p.name, p.currency, p.unit) == ("NO", "yes", "1:20")


# ---------------------------------------------------------------------------------------
# did_you_mean


def test_did_you_mean() -> None:
    assert did_you_mean("wieght", ["label", "weight"]) == " (did you mean 'weight'?)"
    assert did_you_mean("zzz", ["label", "weight"]) == ""
    assert did_you_mean("x", []) == ""
    assert did_you_mean("costs", ["cost", "costly"]).startswith(" (did you mean 'cost")


# ---------------------------------------------------------------------------------------
# cross_check: every cross-field rule, with the location the loader points at


def test_valid_portfolio_has_no_cross_problems() -> None:
    data = {
        "years": [2026, 2030],
        "objectives": {"n": {"weight": 0}, "m": {"weight": 1}},
        "commitments": {"h": {"target": 1}, "s": {"target": 2, "hard": False, "penalty": 0}},
        "budget": {"total": 10, "per_year": {2026: 1, 2030: 2}},
        "groups": {"eq": {"min_share": 0.7, "max_share": 0.7, "min": 1, "max": 1}},
        "rules": [{"exactly": 1, "of": ["a", "b"]}],
        "candidates": [
            {
                "id": "a",
                "cost": {2026: 1},
                "group": "eq",
                "requires": ["b"],
                "value": {"n": [1, 1]},
                "commitments": {"h": 1, "s": -1},
            },
            {"id": "b", "cost": 1, "requires": ["a"], "excludes": ["c"]},
            {"id": "c", "cost": 1, "excludes": ["b"], "mandatory": True},
        ],
    }
    assert cross_check(Portfolio.model_validate(data)) == []


def test_all_weights_zero() -> None:
    data = portfolio(objectives={"n": {"weight": 0}, "m": {"weight": 0.0}})
    assert locs(data) == [("objectives",)]
    assert "all 0" in messages(data)[0]


def test_hard_commitment_with_penalty() -> None:
    data = portfolio(commitments={"c": {"target": 1, "penalty": 2}})
    assert locs(data) == [("commitments", "c", "penalty")]
    data = portfolio(commitments={"c": {"target": 1, "hard": True, "penalty": 0}})
    assert locs(data) == [("commitments", "c", "penalty")]


def test_soft_commitment_without_penalty() -> None:
    data = portfolio(commitments={"c": {"target": 1, "hard": False}})
    assert locs(data) == [("commitments", "c")]
    assert "penalty" in messages(data)[0]


def test_years_outside_the_horizon() -> None:
    data = portfolio(
        years=[2026, 2030],
        budget={"per_year": {2025: 1, 2030: 1}},
        candidates=candidates({"id": "a", "cost": {2026: 1, 2031: 1}}),
    )
    assert locs(data) == [
        ("budget", "per_year", 2025, KEY),
        ("candidates", 0, "cost", 2031, KEY),
    ]


def test_reversed_years_are_one_problem() -> None:
    data = portfolio(years=[2030, 2026], budget={"per_year": {2027: 1}})
    assert locs(data) == [("years",)]


def test_duplicate_ids() -> None:
    data = portfolio(candidates=candidates({"id": "a"}, {"id": "b"}, {"id": "a"}, {"id": "a"}))
    assert locs(data) == [("candidates", 2, "id"), ("candidates", 3, "id")]
    assert "candidate 1" in messages(data)[0]


def test_self_reference_and_unknown_references() -> None:
    data = portfolio(
        candidates=candidates(
            {"id": "alpha", "requires": ["alpha", "beta", "alpah"]},
            {"id": "beta", "excludes": ["beta", "gamma"]},
        )
    )
    assert locs(data) == [
        ("candidates", 0, "requires", 0),
        ("candidates", 0, "requires", 2),
        ("candidates", 1, "excludes", 0),
        ("candidates", 1, "excludes", 1),
    ]
    msgs = messages(data)
    assert "cannot require itself" in msgs[0]
    assert "did you mean 'alpha'?" in msgs[1]
    assert "cannot exclude itself" in msgs[2]
    assert "unknown candidate 'gamma'" in msgs[3]


def test_requires_cycles_are_allowed() -> None:
    data = portfolio(
        candidates=candidates(
            {"id": "a", "requires": ["b"]},
            {"id": "b", "requires": ["c"]},
            {"id": "c", "requires": ["a"]},
        )
    )
    assert locs(data) == []


def test_unknown_objective_and_commitment() -> None:
    data = portfolio(
        commitments={"nato": {"target": 1}},
        candidates=candidates({"id": "a", "value": {"n": 1, "m": 2}, "commitments": {"nat": 1}}),
    )
    assert locs(data) == [
        ("candidates", 0, "value", "m", KEY),
        ("candidates", 0, "commitments", "nat", KEY),
    ]
    assert "unknown objective 'm'" in messages(data)[0]
    assert "did you mean 'nato'?" in messages(data)[1]


def test_range_low_above_high() -> None:
    data = portfolio(candidates=candidates({"id": "a", "value": {"n": [3, 1]}}))
    assert locs(data) == [("candidates", 0, "value", "n")]
    assert "low <= high" in messages(data)[0]


def test_group_problems() -> None:
    data = portfolio(
        candidates=candidates({"id": "a", "group": "kit"}, {"id": "b", "group": "ops"}),
        groups={
            "kit": {"min": 5, "max": 4, "min_share": 0.6, "max_share": 0.5},
            "ops": {"min_share": 0.5},
            "kti": {},
        },
    )
    assert locs(data) == [
        ("groups", "kit"),
        ("groups", "kit"),
        ("groups", "kti", KEY),
        ("groups",),
    ]
    msgs = messages(data)
    assert "min 5 exceeds max 4" in msgs[0]
    assert "min_share 0.6 exceeds max_share 0.5" in msgs[1]
    assert "did you mean 'kit'?" in msgs[2]
    assert "1.1" in msgs[3]


def test_min_shares_adding_up_to_exactly_1_are_fine() -> None:
    data = portfolio(
        candidates=candidates(*({"id": f"c{i}", "group": f"g{i}"} for i in range(10))),
        groups={f"g{i}": {"min_share": 0.1} for i in range(10)},  # float sum 0.9999999999999999
    )
    assert locs(data) == []


def test_rule_problems() -> None:
    data = portfolio(
        candidates=candidates({"id": "a"}, {"id": "b"}),
        rules=[
            {"of": ["a"]},
            {"at_most": 1, "at_least": 1, "of": ["a"]},
            {"exactly": 1, "of": ["a", "c", "bb"]},
        ],
    )
    assert locs(data) == [("rules", 0), ("rules", 1), ("rules", 2, "of", 1), ("rules", 2, "of", 2)]
    msgs = messages(data)
    assert "exactly one of" in msgs[0]
    assert "at_most, at_least" in msgs[1]
    assert "unknown candidate 'c'" in msgs[2]


def test_every_cross_problem_is_returned() -> None:
    data = portfolio(
        objectives={"n": {"weight": 0}},
        commitments={"c": {"target": 1, "hard": False}},
        groups={"g": {}},
        rules=[{"of": ["zz"]}],
        candidates=candidates({"id": "a", "requires": ["a"]}, {"id": "a"}),
    )
    assert len(locs(data)) == 7


def test_scores_off_scale_checks_both_ends_of_a_range_and_missing_scores() -> None:
    data = portfolio(
        objectives={"n": {"weight": 1, "scale": [1, 10]}, "m": {"weight": 1}},
        candidates=candidates(
            {"id": "inside", "value": {"n": [1, 10], "m": 99}},
            {"id": "high-end", "value": {"n": [5, 11]}},
            {"id": "low-end", "value": {"n": [0.5, 2]}},
            {"id": "missing", "value": {"m": 3}},
            {"id": "plain", "value": {"n": 10.5}},
        ),
    )
    off = scores_off_scale(Portfolio.model_validate(data))
    assert {k: [c.id for c in v] for k, v in off.items()} == {
        "n": ["high-end", "low-end", "missing", "plain"]
    }


def test_scale_needs_low_below_high() -> None:
    data = portfolio(objectives={"n": {"weight": 1, "scale": [3, 3]}})
    assert locs(data) == [("objectives", "n", "scale")]
    assert messages(data) == ["scale [3, 3] needs low < high"]


def test_a_scale_warning_names_ten_candidates_then_counts_the_rest() -> None:
    rows = "".join(f"  - {{id: c{i}, cost: 1, value: {{a: {i + 20}}}}}\n" for i in range(13))
    scales = "objectives:\n  a: {weight: 1, scale: [0, 20]}\n  b: {scale: [0, 1]}\n"
    text = f"{scales}candidates:\n{rows}"
    (line,) = scale_warnings(Portfolio.model_validate(yaml.safe_load(text)))
    assert "12 candidates score outside it" in line
    assert "c0 (20), c1 (21)" not in line  # 20 is on the scale
    assert "c1 (21), c2 (22)" in line
    assert "c10 (30)" in line
    assert "c11" not in line
    assert line.endswith("and 2 more")


def test_a_scale_warning_about_one_candidate() -> None:
    data = portfolio(objectives={"n": {"weight": 1, "scale": [0, 1]}})
    data["candidates"][0]["value"] = {"n": 2}
    assert scale_warnings(Portfolio.model_validate(data)) == [
        "defplan: warning: objective 'n' declares scale [0, 1], but 1 candidate scores "
        "outside it: a (2)"
    ]


@pytest.mark.parametrize(
    ("field", "empty"),
    [("value", {}), ("commitments", {}), ("requires", []), ("excludes", []), ("after", [])],
)
def test_a_candidate_left_without_a_list_or_mapping_gets_its_own_empty_one(
    field: str, empty: Any
) -> None:
    """Made afresh for each candidate (not one shared by all), and the schema editors
    read still shows the default."""
    data = portfolio(candidates=candidates({"id": "a"}, {"id": "b"}))
    first, second = Portfolio.model_validate(data).candidates
    assert getattr(first, field) == empty
    assert getattr(first, field) is not getattr(second, field)
    assert Candidate.model_json_schema()["properties"][field]["default"] == empty
