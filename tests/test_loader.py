"""The loader against docs/file-format.md (file format, validation) and the error messages
of docs/commands.md.

Every class of bad input gets a test that pins the 1-based line and column of the
reported problem and the key words of its message. Inline YAML keeps each case readable;
in templates, '@' marks the character the problem must point at (it is removed first).
"""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path
from textwrap import dedent

import pytest

from defplan import LoadError, Portfolio, Problem, load_portfolio, parse_portfolio
from defplan.loading import MAX_BYTES, reading

FILE = "t.yaml"
PORTFOLIOS = Path(__file__).resolve().parent.parent / "portfolios"

# The smallest valid portfolio; candidate 'a' starts at line 4, its cost is at 5:11.
BASE = """\
objectives:
  national: {weight: 1}
candidates:
  - id: a
    cost: 1
"""


def problems_of(text: str | bytes) -> list[Problem]:
    """The problems parse_portfolio reports for text (it must fail)."""
    with pytest.raises(LoadError) as info:
        parse_portfolio(text, filename=FILE)
    problems = info.value.problems
    assert problems, "LoadError without any problem"
    for problem in problems:
        assert problem.file == FILE, problem
    return problems


def one_problem(text: str | bytes) -> Problem:
    """The single problem reported for text."""
    problems = problems_of(text)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def check(problem: Problem, line: int | None, column: int | None, *words: str) -> None:
    """problem points at line:column and its message holds every word."""
    assert (problem.line, problem.column) == (line, column), str(problem)
    for word in words:
        assert word in problem.message, f"{word!r} not in: {problem}"


def locate(template: str) -> tuple[str, int, int]:
    """Remove the '@' marker from template; return the text and the marker's line, column."""
    index = template.index("@")
    before = template[:index]
    line = before.count("\n") + 1
    column = index - (before.rfind("\n") + 1) + 1
    return template[:index] + template[index + 1 :], line, column


def find(problems: list[Problem], word: str) -> Problem:
    """The one problem whose message holds word."""
    hits = [p for p in problems if word in p.message]
    assert len(hits) == 1, f"{word!r} in {len(hits)} of:\n" + "\n".join(map(str, problems))
    return hits[0]


def test_locate_helper() -> None:
    assert locate("ab\ncd@e\n") == ("ab\ncde\n", 2, 3)


# ---------------------------------------------------------------------------------------
# Valid files


def test_minimal_portfolio_gets_the_documented_defaults() -> None:
    p = parse_portfolio(BASE, filename=FILE)
    assert isinstance(p, Portfolio)
    assert p.defplan == 1
    assert p.name == ""
    assert (p.currency, p.unit) == ("EUR", "M")
    assert p.years is None
    assert p.commitments == {}
    assert p.budget.total is None
    assert p.budget.per_year == {}
    assert p.groups == {}
    assert p.rules == []
    (c,) = p.candidates
    assert (c.id, c.name, c.title, c.group) == ("a", None, "a", None)
    assert c.cost == 1.0
    assert (c.value, c.commitments, c.requires, c.excludes) == ({}, {}, [], [])
    assert c.mandatory is False
    assert c.value_of("national") == 0


EVERY_FIELD_EXAMPLE = """\
defplan: 1                      # format version
name: Netherlands capability options 2026-2040
currency: EUR
unit: M
years: [2026, 2040]

objectives:
  national: {label: National security, weight: 0.40}
  flow:     {label: Flow security,     weight: 0.35}
  human:    {label: Human security,    weight: 0.25}

commitments:
  nato-iamd:
    label: NATO capability target, integrated air and missile defence
    framework: NATO
    target: 10
    hard: true
  eu-pesco-mobility:
    label: EU PESCO military mobility
    framework: EU
    target: 4
    hard: false
    penalty: 1.5

budget:
  total: 6000
  per_year: {2026: 700, 2027: 800}

groups:
  equipment: {min_share: 0.20}

rules:
  - {at_most: 1, of: [frigates-4, frigates-6]}
  - {at_least: 1, of: [seabed-sensors, seabed-patrol]}

candidates:
  - id: f35-4th-squadron
    name: Fourth F-35A squadron
    group: equipment
    cost: 900
    value: {national: 8, flow: 2, human: 1}
    commitments: {nato-iamd: 3}
    requires: [volkel-upgrade]
    excludes: [f35-lease]
    mandatory: false
  - id: volkel-upgrade
    cost: {2027: 300, 2028: 600}
    value: {national: [2, 4], flow: -1}
    commitments: {eu-pesco-mobility: 1.5}
  - {id: f35-lease, cost: 400, value: {national: 5}}
  - {id: frigates-4, cost: 2000, group: equipment}
  - {id: frigates-6, cost: 3000, group: equipment}
  - {id: seabed-sensors, cost: 150}
  - {id: seabed-patrol, cost: 250, mandatory: true}
"""


def test_the_every_field_example_loads_every_field() -> None:
    p = parse_portfolio(EVERY_FIELD_EXAMPLE, filename=FILE)
    assert p.name == "Netherlands capability options 2026-2040"
    assert p.years == [2026, 2040]
    assert list(p.objectives) == ["national", "flow", "human"]
    assert p.objectives["flow"].label == "Flow security"
    assert p.objectives["flow"].weight == pytest.approx(0.35)
    iamd, pesco = p.commitments["nato-iamd"], p.commitments["eu-pesco-mobility"]
    assert (iamd.framework, iamd.target, iamd.hard, iamd.penalty) == ("NATO", 10, True, None)
    assert (pesco.hard, pesco.penalty) == (False, 1.5)
    assert p.budget.total == 6000
    assert p.budget.per_year == {2026: 700, 2027: 800}
    assert p.groups["equipment"].min_share == pytest.approx(0.2)
    assert [r.bounds for r in p.rules] == [(None, 1), (1, None)]
    assert [r.of for r in p.rules] == [
        ["frigates-4", "frigates-6"],
        ["seabed-sensors", "seabed-patrol"],
    ]
    f35, volkel = p.candidates[0], p.candidates[1]
    assert (f35.title, f35.group, f35.cost) == ("Fourth F-35A squadron", "equipment", 900)
    assert f35.value == {"national": 8, "flow": 2, "human": 1}
    assert f35.commitments == {"nato-iamd": 3}
    assert (f35.requires, f35.excludes) == (["volkel-upgrade"], ["f35-lease"])
    assert volkel.profile == {2027: 300, 2028: 600}
    assert volkel.total_cost == 900
    assert volkel.value_of("national") == 3  # midpoint of the range [2, 4]
    assert volkel.value_of("flow") == -1  # values may be negative
    assert volkel.value_of("human") == 0  # missing means 0
    assert p.candidates[-1].mandatory is True
    assert p.candidate_index()["seabed-patrol"] == 6


def test_defplan_1_is_accepted_explicitly() -> None:
    assert parse_portfolio("defplan: 1\n" + BASE, filename=FILE).defplan == 1


def test_bytes_and_a_byte_order_mark_are_accepted() -> None:
    assert parse_portfolio(BASE.encode(), filename=FILE).candidates[0].id == "a"
    assert parse_portfolio(b"\xef\xbb\xbf" + BASE.encode(), filename=FILE).candidates[0].id == "a"


def test_requires_cycles_are_allowed() -> None:
    text = dedent("""\
        objectives:
          n: {weight: 1}
        candidates:
          - {id: a, cost: 1, requires: [b]}
          - {id: b, cost: 1, requires: [c]}
          - {id: c, cost: 1, requires: [a], excludes: [d]}
          - {id: d, cost: 1, excludes: [c]}
        """)
    p = parse_portfolio(text, filename=FILE)
    assert [c.requires for c in p.candidates] == [["b"], ["c"], ["a"], []]


def test_integer_ids_are_taken_as_their_decimal_text() -> None:
    text = dedent("""\
        objectives:
          1: {weight: 1}
        commitments:
          2030: {target: 1}
        rules:
          - {at_most: 1, of: [42, 7]}
        candidates:
          - id: 42
            cost: 1
            value: {1: 3}
            commitments: {2030: 1}
          - id: 7
            cost: 1
            requires: [42]
            excludes: ['42']
        """)
    p = parse_portfolio(text, filename=FILE)
    assert [c.id for c in p.candidates] == ["42", "7"]
    assert list(p.objectives) == ["1"]
    assert list(p.commitments) == ["2030"]
    assert p.candidates[0].value == {"1": 3}
    assert p.candidates[0].commitments == {"2030": 1}
    assert p.candidates[1].requires == ["42"]
    assert p.candidates[1].excludes == ["42"]
    assert p.rules[0].of == ["42", "7"]


def test_integer_id_and_its_quoted_text_are_the_same_id() -> None:
    text = BASE + "  - id: '42'\n    cost: 1\n  - id: 42\n    cost: 1\n"
    check(one_problem(text), 8, 9, "duplicate id '42'")


def test_yaml_1_1_booleans_and_sexagesimals_are_plain_text() -> None:
    # PyYAML alone reads NO/yes/on as booleans and 1:20 as 80 (YAML 1.1); the format is
    # YAML 1.2.
    text = dedent("""\
        objectives:
          NO: {weight: 1, label: no}
          Off: {weight: 1}
        candidates:
          - id: yes
            name: 1:20
            group: on
            cost: 1
            value: {NO: 2, Off: y}
          - id: n
            cost: 1
            requires: [yes]
            excludes: [Y]
          - {id: Y, cost: 1, group: on}
        groups:
          on: {min: 0}
        """)
    # 'y' is text, so that value is a string where a number belongs; fix it and check the rest.
    check(one_problem(text), 9, 25, "expected a number", "'y'")
    p = parse_portfolio(text.replace("Off: y", "Off: 3"), filename=FILE)
    assert list(p.objectives) == ["NO", "Off"]
    assert p.objectives["NO"].label == "no"
    assert [c.id for c in p.candidates] == ["yes", "n", "Y"]
    assert p.candidates[0].name == "1:20"
    assert p.candidates[0].group == "on"
    assert p.candidates[0].value == {"NO": 2, "Off": 3}
    assert (p.candidates[1].requires, p.candidates[1].excludes) == (["yes"], ["Y"])
    assert list(p.groups) == ["on"]


@pytest.mark.parametrize(
    ("spelling", "number"),
    [
        ("1e3", 1000.0),
        ("1E3", 1000.0),
        ("2.5e+2", 250.0),
        ("1.5E-1", 0.15),
        ("+12", 12.0),
        (".5", 0.5),
        ("7.", 7.0),
        ("1e12", 1e12),
        ("1000000000000", 1e12),
        ("0", 0.0),
    ],
)
def test_yaml_1_2_number_spellings_are_numbers(spelling: str, number: float) -> None:
    p = parse_portfolio(BASE.replace("cost: 1", f"cost: {spelling}"), filename=FILE)
    assert p.candidates[0].cost == number
    assert isinstance(p.candidates[0].cost, float)


def test_range_value_uses_its_midpoint_and_equal_ends_are_fine() -> None:
    text = BASE + "    value: {national: [1, 4]}\n  - {id: b, cost: 1, value: {national: [2, 2]}}\n"
    p = parse_portfolio(text, filename=FILE)
    assert p.candidates[0].value == {"national": [1, 4]}
    assert p.candidates[0].value_of("national") == 2.5
    assert p.candidates[1].value_of("national") == 2


def test_years_are_inclusive_at_both_ends() -> None:
    text = "years: [2026, 2030]\nbudget:\n  per_year: {2026: 5, '2030': 4}\n" + BASE.replace(
        "cost: 1", "cost: {2026: 1, 2030: 2}"
    )
    p = parse_portfolio(text, filename=FILE)
    assert p.budget.per_year == {2026: 5, 2030: 4}
    assert p.candidates[0].profile == {2026: 1, 2030: 2}


def test_any_year_is_allowed_without_a_horizon() -> None:
    text = "budget:\n  per_year: {1999: 5}\n" + BASE.replace("cost: 1", "cost: {2100: 1}")
    p = parse_portfolio(text, filename=FILE)
    assert p.budget.per_year == {1999: 5}


def test_group_bounds_at_their_limits_are_fine() -> None:
    text = dedent("""\
        objectives:
          n: {weight: 1}
        groups:
          eq: {min_share: 0.7, max_share: 1, min: 0, max: 0}
          ops: {min_share: 0.3, max_share: 0.3}
        candidates:
          - {id: a, cost: 1, group: eq}
          - {id: b, cost: 1, group: ops}
        """)
    p = parse_portfolio(text, filename=FILE)
    assert p.groups["eq"].max_share == 1
    assert p.groups["ops"].min_share == pytest.approx(0.3)


def test_zero_costs_penalties_and_some_zero_weights_are_fine() -> None:
    text = dedent("""\
        objectives:
          n: {weight: 0}
          m: {weight: 2}
        commitments:
          c: {target: 0.5, hard: false, penalty: 0}
        budget: {total: 0, per_year: {2026: 0}}
        candidates:
          - {id: a, cost: 0, commitments: {c: -1}}
        """)
    p = parse_portfolio(text, filename=FILE)
    assert p.objectives["n"].weight == 0
    assert p.commitments["c"].penalty == 0
    assert p.budget.total == 0


def test_hard_defaults_to_true_and_soft_needs_only_a_penalty() -> None:
    text = BASE + "commitments:\n  c: {target: 2}\n  d: {target: 2, hard: false, penalty: 1}\n"
    p = parse_portfolio(text, filename=FILE)
    assert p.commitments["c"].hard is True
    assert p.commitments["d"].hard is False


# ---------------------------------------------------------------------------------------
# Whole-document problems


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "\n# two\n# comments\n"])
def test_empty_file(text: str) -> None:
    problem = one_problem(text)
    check(problem, None, None, "empty")
    assert str(problem) == f"{FILE}: error: {problem.message}"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("- objectives\n- candidates\n", 1),
        ("[1, 2]\n", 1),
        ("just some text\n", 1),
        ("42\n", 1),
        ("~\n", 1),
        ("# a comment\n\n- a\n", 3),
    ],
)
def test_document_that_is_not_a_mapping(text: str, line: int) -> None:
    check(one_problem(text), line, 1, "mapping")


def test_multiple_documents() -> None:
    text = BASE + "---\n" + BASE
    check(one_problem(text), 6, 1, "malformed YAML", "single document")


def test_bad_indentation() -> None:
    text = "objectives:\n  national: {weight: 1}\n candidates: []\n"
    check(one_problem(text), 3, 2, "malformed YAML")


def test_unclosed_bracket() -> None:
    text = "objectives: {national: {weight: 1}\ncandidates: []\n"
    check(one_problem(text), 2, 1, "malformed YAML", "'}'")


def test_unclosed_flow_sequence() -> None:
    text = BASE + "    requires: [a, b\n"
    check(one_problem(text), 7, 1, "malformed YAML", "']'")


def test_tab_indentation() -> None:
    check(one_problem("objectives:\n\tnational: 1\n"), 2, 1, "malformed YAML")


def test_malformed_yaml_problem_renders_with_line_and_column() -> None:
    problem = one_problem("objectives:\n  national: {weight: 1}\n candidates: []\n")
    assert str(problem).startswith(f"{FILE}:3:2: error: malformed YAML")


def test_non_utf8_bytes() -> None:
    data = BASE.encode() + b"    name: caf\xe9\n"
    problem = one_problem(data)
    check(problem, 6, 14, "UTF-8")
    assert str(problem) == f"{FILE}:6:14: error: {problem.message}"


def test_non_utf8_column_counts_characters_like_every_other_column() -> None:
    # PyYAML's marks (used for every other problem) count characters, not bytes.
    data = BASE.encode() + "    name: éé".encode() + b"\xff\n"
    check(one_problem(data), 6, 13, "UTF-8")


def test_non_utf8_on_the_first_line() -> None:
    check(one_problem(b"\xfe" + BASE.encode()), 1, 1, "UTF-8")


@pytest.mark.parametrize("char", ["\x00", "\x07"])
def test_control_character(char: str) -> None:
    # One line per problem, located like every other YAML problem.
    problem = one_problem(BASE + f"    name: a{char}b\n")
    check(problem, 6, 12, "character")
    assert "\n" not in str(problem)


def test_file_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_BYTES", len(BASE.encode()) - 1)
    check(one_problem(BASE), None, None, "too large")
    check(one_problem(BASE.encode()), None, None, "too large")


def test_file_at_the_size_limit_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_BYTES", len(BASE.encode()))
    assert parse_portfolio(BASE, filename=FILE).candidates[0].id == "a"


def test_size_limit_counts_bytes_not_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    text = BASE + "    name: éééé\n"
    monkeypatch.setattr(reading, "MAX_BYTES", len(text) + 1)  # chars fit, bytes do not
    check(one_problem(text), None, None, "too large")


def test_real_size_limit_on_a_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.write(BASE.encode())
        handle.write(b"#" * (MAX_BYTES - len(BASE)) + b"\n")  # one byte over
    with pytest.raises(LoadError) as info:
        load_portfolio(path)
    (problem,) = info.value.problems
    check(problem, None, None, "too large")
    assert problem.file == str(path)


def test_unsupported_format_version() -> None:
    check(one_problem("defplan: 2\n" + BASE), 1, 10, "defplan: 1")


@pytest.mark.parametrize("version", ["0", "'1'", "1.5", "true", "2026", "v1"])
def test_any_other_format_version_is_an_error(version: str) -> None:
    # docs/file-format.md: `defplan: 1` is optional, 1 if absent, any other value an error.
    check(one_problem(f"defplan: {version}\n" + BASE), 1, 10)


# ---------------------------------------------------------------------------------------
# Keys: unknown, duplicate, aliases


@pytest.mark.parametrize(
    ("template", "key", "suggestion"),
    [
        ("@nme: x\n" + BASE, "nme", "name"),
        ("@yeras: [2026, 2030]\n" + BASE, "yeras", "years"),
        ("@currancy: EUR\n" + BASE, "currancy", "currency"),
        (BASE.replace("{weight: 1}", "{@wieght: 1}"), "wieght", "weight"),
        (BASE.replace("{weight: 1}", "{weight: 1, @lable: x}"), "lable", "label"),
        (BASE + "commitments:\n  c: {target: 1, @hrd: true}\n", "hrd", "hard"),
        (BASE + "commitments:\n  c:\n    target: 1\n    @framwork: x\n", "framwork", "framework"),
        (BASE + "budget:\n  @totl: 5\n", "totl", "total"),
        (BASE + "budget: {total: 5, @peryear: {}}\n", "peryear", "per_year"),
        (BASE + "    group: eq\ngroups:\n  eq: {@min_shar: 0.2}\n", "min_shar", "min_share"),
        (BASE + "    group: eq\ngroups:\n  eq:\n    @maxshare: 0.2\n", "maxshare", "max_share"),
        (BASE + "rules:\n  - {@at_mots: 1, of: [a]}\n", "at_mots", "at_most"),
        (BASE + "rules:\n  - at_least: 1\n    of: [a]\n    @exacly: 1\n", "exacly", "exactly"),
        (BASE + "    @requries: []\n", "requries", "requires"),
        (BASE + "  - id: b\n    cost: 2\n    @mandatroy: true\n", "mandatroy", "mandatory"),
        (BASE + "  - {id: b, cost: 2, @exclude: [a]}\n", "exclude", "excludes"),
    ],
    ids=[
        "top-name",
        "top-years",
        "top-currency",
        "objective-weight",
        "objective-label",
        "commitment-hard",
        "commitment-framework",
        "budget-total",
        "budget-per_year",
        "group-min_share",
        "group-max_share",
        "rule-at_most",
        "rule-exactly",
        "candidate-requires",
        "second-candidate-mandatory",
        "flow-candidate-excludes",
    ],
)
def test_unknown_key_with_suggestion(template: str, key: str, suggestion: str) -> None:
    text, line, column = locate(template)
    problem = one_problem(text)
    check(problem, line, column, f"unknown key '{key}'", f"did you mean '{suggestion}'?")


SCENARIO_BASE = BASE + "years: [2026, 2027]\ncommit_by: 2026\n"


@pytest.mark.parametrize(
    ("template", "key", "suggestion"),
    [
        (
            SCENARIO_BASE + "scenarios:\n  cut: {probability: 1, budget: {@totl: 5}}\n",
            "totl",
            "total",
        ),
        (
            SCENARIO_BASE + "scenarios:\n  cut:\n    probability: 1\n    budget:\n"
            "      lines: {budget: {@gdp_shar: 0.1}}\n",
            "gdp_shar",
            "gdp_share",
        ),
        (SCENARIO_BASE + "scenarios:\n  cut: {@probabilty: 1}\n", "probabilty", "probability"),
    ],
    ids=["scenario-budget", "scenario-line-budget", "scenario"],
)
def test_unknown_keys_deep_inside_a_section_are_suggested_from_their_own_model(
    template: str, key: str, suggestion: str
) -> None:
    # one problem: the scenario with the typo still counts its probability (no "the
    # probabilities add up to 0, not 1" beside it); a typo in the probability's own key
    # also leaves it missing, which is said too
    text, line, column = locate(template)
    problems = problems_of(text)
    check(problems[-1], line, column, f"unknown key '{key}'", f"did you mean '{suggestion}'?")
    assert len(problems) == (2 if key == "probabilty" else 1), problems


def test_a_typo_in_one_lines_caps_invents_no_problem_about_the_others() -> None:
    # the Dutch example's resilience line has a share of its own; a typo in the operate
    # line's caps once dropped the whole budget, and with it that share, so that a
    # second, false problem said resilience had none
    text = (PORTFOLIOS / "netherlands-2026.yaml").read_text(encoding="utf-8")
    broken = text.replace(
        "      per_year: {2026: 150, 2027: 200,", "      per_yer: {2026: 150, 2027: 200,"
    )
    assert broken != text
    problem = one_problem(broken)
    assert "unknown key 'per_yer' (did you mean 'per_year'?)" in problem.message


def test_unknown_key_without_a_close_match_has_no_suggestion() -> None:
    text, line, column = locate(BASE + "    @zzzzzz: 1\n")
    problem = one_problem(text)
    check(problem, line, column, "unknown key 'zzzzzz'")
    assert "did you mean" not in problem.message


def test_unknown_key_suggestions_come_from_the_right_level() -> None:
    # 'cots' is close to a candidate key (cost), not to anything at the top level.
    text, line, column = locate(BASE + "    @cots: 1\n")
    check(one_problem(text), line, column, "did you mean 'cost'?")
    text, line, column = locate("@cots: 1\n" + BASE)
    assert "'cost'" not in one_problem(text).message


@pytest.mark.parametrize(
    ("template", "key"),
    [
        (BASE + "@5: 1\n", "5"),
        (BASE + "@true: 1\n", "true"),
        (BASE + "@~: 1\n", "~"),
        (BASE + "@1.5: 1\n", "1.5"),
        (BASE + "    @5: x\n", "5"),
        (BASE.replace("{weight: 1}", "{weight: 1, @3: 4}"), "3"),
        (BASE + "budget:\n  total: 1\n  @true: 2\n", "true"),
    ],
    ids=["top-int", "top-bool", "top-null", "top-float", "candidate", "objective", "budget"],
)
def test_unknown_key_that_is_not_text(template: str, key: str) -> None:
    # Still an unknown key, reported at the key like any other unknown key.
    text, line, column = locate(template)
    problem = one_problem(text)
    check(problem, line, column, "unknown key", key)


def test_duplicate_top_level_key() -> None:
    text = BASE + "objectives:\n  flow: {weight: 1}\n"
    check(one_problem(text), 6, 1, "duplicate key 'objectives'", "first at line 1")


def test_duplicate_key_in_a_candidate() -> None:
    text = BASE + "    name: x\n    cost: 2\n"
    check(one_problem(text), 7, 5, "duplicate key 'cost'", "first at line 5")


def test_duplicate_key_in_a_flow_mapping() -> None:
    text = BASE.replace("{weight: 1}", "{weight: 1, weight: 2}")
    check(one_problem(text), 2, 25, "duplicate key 'weight'", "first at line 2")


def test_every_duplicate_key_is_reported() -> None:
    text = BASE + "    cost: 2\n    cost: 3\nname: x\nname: y\n"
    problems = problems_of(text)
    assert [(p.line, p.column) for p in problems] == [(6, 5), (7, 5), (9, 1)]
    assert all("duplicate key" in p.message for p in problems)


def test_duplicate_year_written_as_number_and_as_text() -> None:
    # 2026 and '2026' are two YAML keys but the same year: one cap must not silently win.
    text, line, column = locate(BASE + "budget:\n  per_year: {2026: 1, @'2026': 2}\n")
    check(one_problem(text), line, column, "2026")


def test_duplicate_profile_year_written_as_number_and_as_text() -> None:
    text, line, column = locate(BASE.replace("cost: 1", "cost: {2026: 1, @'2026': 5}"))
    check(one_problem(text), line, column, "2026")


def test_duplicate_objective_written_as_number_and_as_text() -> None:
    # An integer id is its decimal text, so 1 and '1' name the same objective.
    text, line, column = locate(
        "objectives:\n  1: {weight: 1}\n  @'1': {weight: 2}\ncandidates:\n  - {id: a, cost: 1}\n"
    )
    check(one_problem(text), line, column, "'1'")


def test_yaml_alias() -> None:
    text = dedent("""\
        objectives:
          national: &w {weight: 1}
          flow: *w
        candidates:
          - id: a
            cost: 1
        """)
    check(one_problem(text), 3, 9, "alias", "'*w'")


def test_every_yaml_alias_is_reported() -> None:
    text = dedent("""\
        objectives:
          national: {weight: &one 1}
          flow: {weight: *one}
        candidates:
          - {id: a, cost: *one, requires: &r [b]}
          - {id: b, cost: 1, requires: *r}
        """)
    problems = problems_of(text)
    assert [(p.line, p.column) for p in problems] == [(3, 18), (5, 19), (6, 32)]
    assert all("alias" in p.message for p in problems)


def test_alias_bomb_is_rejected_quickly() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        this, prev = chr(ord("a") + i), chr(ord("a") + i - 1)
        lines.append(f"{this}: &{this} [" + ", ".join([f"*{prev}"] * 9) + "]")
    start = time.perf_counter()
    problems = problems_of("\n".join(lines) + "\n")
    assert time.perf_counter() - start < 2
    aliases = [p for p in problems if "alias" in p.message]
    assert len(aliases) == 81  # every alias in the file, each reported once
    assert (aliases[0].line, aliases[0].column) == (2, 8)
    # the rest are this document's other real problems: its keys and missing sections
    others = {p.message for p in problems if "alias" not in p.message}
    assert others <= {f"unknown key '{chr(ord('a') + i)}'" for i in range(10)} | {
        "missing required key 'objectives'",
        "missing required key 'candidates'",
    }


def test_yaml_merge_key() -> None:
    text = BASE.replace("{weight: 1}", "{<<: {weight: 1}}")
    problems = problems_of(text)
    check(problems[0], 2, 14, "'<<'")


def test_key_that_is_not_a_plain_value() -> None:
    text = "? [a, b]\n: 1\n" + BASE
    check(one_problem(text), 1, 3, "key")


# ---------------------------------------------------------------------------------------
# Missing and mistyped structure


@pytest.mark.parametrize(
    ("template", "key"),
    [
        ("# header\n@candidates:\n  - {id: a, cost: 1}\n", "objectives"),
        ("@objectives:\n  n: {weight: 1}\n", "candidates"),
        ("objectives:\n  n: {weight: 1}\ncandidates:\n  - @name: a\n    cost: 1\n", "id"),
        ("objectives:\n  n: {weight: 1}\ncandidates:\n  - @id: a\n    name: x\n", "cost"),
        (BASE + "commitments:\n  c:\n    @label: x\n", "target"),
        (BASE + "rules:\n  - @{at_most: 1}\n", "of"),
    ],
)
def test_missing_required_key(template: str, key: str) -> None:
    text, line, column = locate(template)
    check(one_problem(text), line, column, f"'{key}'", "missing")


@pytest.mark.parametrize(
    ("template", "words"),
    [
        (
            "objectives: @{}\ncandidates:\n  - {id: a, cost: 1}\n",
            ("objectives", "needs at least one entry"),
        ),
        (
            "objectives:\n  n: {weight: 1}\ncandidates: @[]\n",
            ("candidates", "needs at least one entry"),
        ),
        (BASE + "rules:\n  - {at_most: 1, of: @[]}\n", ("of", "needs at least one entry")),
        ("objectives: @[n]\ncandidates:\n  - {id: a, cost: 1}\n", ("objectives", "mapping")),
        ("objectives:\n  n: {weight: 1}\ncandidates:\n  @a: {cost: 1}\n", ("candidates", "list")),
        ("objectives:\n  n: {weight: 1}\ncandidates:\n  - @a\n", ("candidates", "mapping")),
        (BASE + "    value: @[1, 2]\n", ("value", "mapping")),
        (BASE + "    requires: @a\n", ("requires", "list")),
        (BASE + "budget:\n  per_year: @[1, 2]\n", ("per_year", "mapping")),
        (BASE + "budget: @5\n", ("budget", "mapping")),
        ("years: @2026\n" + BASE, ("years", "list")),
        ("years: @[2026]\n" + BASE, ("years", "needs at least 2 entries")),
        ("years: @[2026, 2027, 2028]\n" + BASE, ("years", "2")),
        ("years: [@2026.5, 2030]\n" + BASE, ("years", "whole number")),
        (BASE + "    mandatory: @yes\n", ("mandatory", "true or false")),
        (BASE + "    mandatory: @1\n", ("mandatory", "true or false")),
        (BASE + "commitments:\n  c: {target: 1, hard: @NO}\n", ("hard", "true or false")),
        (BASE + "rules:\n  - {at_most: @1.5, of: [a]}\n", ("at_most", "whole number")),
        (BASE + "rules:\n  - {at_most: @true, of: [a]}\n", ("at_most", "whole number")),
        (BASE + "rules:\n  - {at_least: @-1, of: [a]}\n", ("at_least", ">= 0")),
    ],
)
def test_wrong_shape_or_type(template: str, words: tuple[str, ...]) -> None:
    text, line, column = locate(template)
    check(one_problem(text), line, column, *words)


def test_year_key_that_is_not_a_number() -> None:
    text, line, column = locate(BASE.replace("cost: 1", "cost: {@first: 1}"))
    check(one_problem(text), line, column, "cost", "whole number", "'first'")


# ---------------------------------------------------------------------------------------
# Ids and references


def test_duplicate_candidate_id() -> None:
    text = BASE + "  - id: b\n    cost: 1\n  - id: a\n    cost: 2\n"
    check(one_problem(text), 8, 9, "duplicate id 'a'", "candidate 1")


@pytest.mark.parametrize(
    "bad_id", ["-a", "_a", "'a b'", "a.b", "'a/b'", "'a:b'", "''", "1:20", "'#1'"]
)
def test_candidate_id_pattern(bad_id: str) -> None:
    text, line, column = locate(BASE.replace("id: a", f"id: @{bad_id}"))
    check(one_problem(text), line, column, "id", "letters, digits")


@pytest.mark.parametrize("bad_id", ["1.5", "true", "[a]", "{x: 1}", "1e3"])
def test_candidate_id_of_the_wrong_type(bad_id: str) -> None:
    text, line, column = locate(BASE.replace("id: a", f"id: @{bad_id}"))
    check(one_problem(text), line, column, "id")


def test_objective_name_pattern() -> None:
    text = "objectives:\n  'bad name': {weight: 1}\ncandidates:\n  - {id: a, cost: 1}\n"
    check(one_problem(text), 2, 3, "bad name", "letters, digits")


@pytest.mark.parametrize(
    ("template", "ref", "suggestion"),
    [
        (BASE + "    requires: [@bravo]\n  - {id: brava, cost: 1}\n", "bravo", "brava"),
        (BASE + "    excludes: [x, @y]\n  - {id: x, cost: 1}\n", "y", None),
        (BASE + "  - {id: bb, cost: 1, requires: [a, @bbx]}\n", "bbx", "bb"),
        (BASE + "rules:\n  - {at_most: 1, of: [a, @zz]}\n", "zz", None),
        (
            BASE + "  - {id: radar, cost: 1}\nrules:\n  - exactly: 1\n    of:\n      - a\n"
            "      - @radarr\n",
            "radarr",
            "radar",
        ),
    ],
)
def test_unknown_candidate_reference(template: str, ref: str, suggestion: str | None) -> None:
    text, line, column = locate(template)
    problem = one_problem(text)
    check(problem, line, column, f"unknown candidate '{ref}'")
    if suggestion is None:
        assert "did you mean" not in problem.message
    else:
        assert f"did you mean '{suggestion}'?" in problem.message


@pytest.mark.parametrize("key", ["requires", "excludes"])
def test_candidate_cannot_refer_to_itself(key: str) -> None:
    text, line, column = locate(BASE + f"  - id: b\n    cost: 1\n    {key}: [a, @b]\n")
    check(one_problem(text), line, column, "'b'", "itself", key[:-1])


def test_self_reference_through_an_integer_id() -> None:
    text, line, column = locate(BASE + "  - {id: 7, cost: 1, requires: [@7]}\n")
    check(one_problem(text), line, column, "itself")


def test_unknown_objective_in_value() -> None:
    text, line, column = locate(BASE + "    value: {national: 1, @nationl: 2}\n")
    check(one_problem(text), line, column, "unknown objective 'nationl'", "'national'")


def test_unknown_commitment_in_contributions() -> None:
    text, line, column = locate(
        BASE + "    commitments:\n      @nato-iamdd: 2\ncommitments:\n  nato-iamd: {target: 1}\n"
    )
    check(one_problem(text), line, column, "unknown commitment 'nato-iamdd'", "'nato-iamd'")


def test_contribution_to_a_commitment_when_there_are_none() -> None:
    text, line, column = locate(BASE + "    commitments: {@nato: 1}\n")
    check(one_problem(text), line, column, "unknown commitment 'nato'")


# ---------------------------------------------------------------------------------------
# Numbers

# Every place a number goes; '@' marks where the value is written.
NUMBER_SLOTS = {
    "cost": BASE.replace("cost: 1", "cost: @"),
    "profile": BASE.replace("cost: 1", "cost: {2026: @}"),
    "weight": BASE.replace("weight: 1", "weight: @"),
    "target": BASE + "commitments:\n  c: {target: @}\n",
    "penalty": BASE + "commitments:\n  c: {target: 1, hard: false, penalty: @}\n",
    "budget.total": BASE + "budget:\n  total: @\n",
    "budget.per_year": BASE + "budget:\n  per_year:\n    2026: @\n",
    "value": BASE + "    value: {national: @}\n",
    "range": BASE + "    value: {national: [0, @]}\n",
    "contribution": BASE + "    commitments: {c: @}\ncommitments:\n  c: {target: 1}\n",
    "group.min": BASE + "    group: eq\ngroups:\n  eq: {min: @}\n",
    "group.max": BASE + "    group: eq\ngroups:\n  eq: {max: @}\n",
}
NON_NEGATIVE = ["cost", "profile", "weight", "penalty", "budget.total", "budget.per_year"]
NON_NEGATIVE += ["group.min", "group.max"]
OPTIONAL = ["penalty", "budget.total", "group.min", "group.max"]
BAD_NUMBERS = [
    (".inf", "finite"),
    ("+.inf", "finite"),
    (".Inf", "finite"),
    (".nan", "finite"),
    (".NaN", "finite"),
    ("2e12", "at most"),
    ("1000000000001", "at most"),
    ("123456789012345678901234567890", "at most"),
    ("true", "expected a number"),
    ("false", "expected a number"),
    ("yes", "expected a number"),
    ("'5'", "expected a number"),
    ('"1e3"', "expected a number"),
    ("ten", "expected a number"),
    ("1:20", "expected a number"),
    ("1_000", "expected a number"),
    ("[1]", "expected a number"),
    ("~", "expected a number"),
]


@pytest.mark.parametrize(("spelling", "word"), BAD_NUMBERS)
@pytest.mark.parametrize("slot", list(NUMBER_SLOTS))
def test_bad_number(slot: str, spelling: str, word: str) -> None:
    if slot in ("range", "value") and spelling == "[1]":
        pytest.skip("a list here is a (short) range or a nested list: a different mistake")
    if slot in OPTIONAL and spelling == "~":
        pytest.skip("null leaves an optional number unset")
    template = NUMBER_SLOTS[slot]
    text, line, column = locate(template)
    problem = one_problem(text[: template.index("@")] + spelling + text[template.index("@") :])
    check(problem, line, column, word)


@pytest.mark.parametrize("spelling", ["1e3", "2.5E+2", "+3", ".5", "1e12"])
@pytest.mark.parametrize("slot", list(NUMBER_SLOTS))
def test_good_number(slot: str, spelling: str) -> None:
    text = NUMBER_SLOTS[slot].replace("@", spelling)
    parse_portfolio(text, filename=FILE)


@pytest.mark.parametrize("spelling", ["-1", "-0.5", "-1e3"])
@pytest.mark.parametrize("slot", NON_NEGATIVE)
def test_negative_where_not_allowed(slot: str, spelling: str) -> None:
    template = NUMBER_SLOTS[slot]
    text, line, column = locate(template)
    index = template.index("@")
    check(one_problem(text[:index] + spelling + text[index:]), line, column, ">= 0")


@pytest.mark.parametrize("spelling", ["0", "-1", "-0.5"])
def test_target_must_be_positive(spelling: str) -> None:
    text = NUMBER_SLOTS["target"]
    index = text.index("@")
    text, line, column = locate(text)
    check(one_problem(text[:index] + spelling + text[index:]), line, column, "target", "> 0")


@pytest.mark.parametrize("slot", ["value", "range", "contribution"])
def test_negative_values_and_contributions_are_allowed(slot: str) -> None:
    text = NUMBER_SLOTS[slot].replace("[0, @]", "[-3, -1]").replace("@", "-2e11")
    parse_portfolio(text, filename=FILE)


def test_huge_negative_value_is_rejected() -> None:
    text, line, column = locate(BASE + "    value: {national: @-2e12}\n")
    check(one_problem(text), line, column, "at most")


def test_string_where_a_number_belongs_quotes_the_text() -> None:
    problem = one_problem(BASE.replace("cost: 1", "cost: ten"))
    check(problem, 5, 11, "cost", "expected a number, not 'ten'")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("cost: @'900'", "cost: expected a number, not the text '900' (remove the quotes)"),
        ('cost: @"1e3"', 'cost: expected a number, not the text "1e3" (remove the quotes)'),
        (
            'cost: 1\n    mandatory: @"true"',
            'expected true or false, not the text "true" (remove the quotes)',
        ),
        ("cost: @'ten'", "cost: expected a number, not the text 'ten'"),
    ],
)
def test_a_quoted_value_is_called_text_and_the_quotes_named(written: str, expected: str) -> None:
    """A quoted number is text because of its quotes: the message says so, and says to
    remove them only where that gives the kind of value expected."""
    text, line, column = locate(BASE.replace("cost: 1", written))
    problem = one_problem(text)
    check(problem, line, column)
    assert problem.message.endswith(expected), problem.message


@pytest.mark.parametrize(
    ("count", "expected"),
    [("'2'", "not the text '2' (remove the quotes)"), ("'1.5'", "not the text '1.5'")],
)
def test_a_quoted_count_is_told_to_lose_its_quotes_only_when_whole(
    count: str, expected: str
) -> None:
    problem = one_problem(BASE + f"rules:\n  - {{at_most: {count}, of: [a]}}\n")
    assert problem.message == f"at_most: expected a whole number, {expected}", problem.message


def test_explicitly_tagged_string_is_not_a_number() -> None:
    # `!!str 5` is the string "5": a string where a number belongs is an error.
    text, line, column = locate(BASE.replace("cost: 1", "cost: @!!str 5"))
    check(one_problem(text), line, column, "expected a number")


def test_all_weights_zero() -> None:
    text = "objectives:\n  a: {weight: 0}\n  b: {weight: 0.0}\ncandidates:\n  - {id: x, cost: 1}\n"
    check(one_problem(text), 2, 3, "weights", "all 0")


def test_single_zero_weight() -> None:
    check(one_problem(BASE.replace("weight: 1", "weight: 0")), 2, 3, "all 0")


def test_range_with_low_above_high() -> None:
    text, line, column = locate(BASE + "    value: {national: @[3, 1]}\n")
    check(one_problem(text), line, column, "low <= high", "[3, 1]")


@pytest.mark.parametrize("items", ["[1]", "[]", "[1, 2, 3]"])
def test_range_needs_two_ends(items: str) -> None:
    text, line, column = locate(BASE + f"    value: {{national: @{items}}}\n")
    check(one_problem(text), line, column, "national")


def test_range_end_that_is_not_a_number() -> None:
    text, line, column = locate(BASE + "    value: {national: [1, @high]}\n")
    check(one_problem(text), line, column, "expected a number", "'high'")


# ---------------------------------------------------------------------------------------
# Objective scales


def test_scale_is_read_as_a_pair() -> None:
    text = BASE.replace("{weight: 1}", "{weight: 1, scale: [0, 10]}")
    assert parse_portfolio(text, filename=FILE).objectives["national"].scale == [0, 10]
    assert parse_portfolio(BASE, filename=FILE).objectives["national"].scale is None


@pytest.mark.parametrize("scale", ["@[10, 0]", "@[5, 5]"])
def test_scale_needs_low_below_high(scale: str) -> None:
    text, line, column = locate(BASE.replace("{weight: 1}", f"{{weight: 1, scale: {scale}}}"))
    check(one_problem(text), line, column, "scale", "low < high", scale[1:])


@pytest.mark.parametrize(
    ("scale", "words"),
    [
        ("@[1]", ("scale", "at least 2")),
        ("@[1, 2, 3]", ("scale", "at most 2")),
        ("@7", ("scale",)),
        ("[0, @ten]", ("expected a number", "'ten'")),
        ("[0, @.inf]", ("finite",)),
        ("[@true, 2]", ("expected a number",)),
        ("[0, @2e12]", ("at most",)),
    ],
)
def test_a_bad_scale_is_located(scale: str, words: tuple[str, ...]) -> None:
    text, line, column = locate(BASE.replace("{weight: 1}", f"{{weight: 1, scale: {scale}}}"))
    check(one_problem(text), line, column, *words)


# ---------------------------------------------------------------------------------------
# Years


def test_years_outside_the_horizon() -> None:
    text = dedent("""\
        years: [2026, 2030]
        budget:
          per_year: {2025: 1, 2026: 1}
        objectives:
          n: {weight: 1}
        candidates:
          - id: a
            cost: {2027: 2, 2031: 1}
        """)
    problems = problems_of(text)
    assert len(problems) == 2, problems
    check(find(problems, "2025"), 3, 14, "outside", "2026", "2030")
    check(find(problems, "2031"), 8, 21, "outside", "2026", "2030")


def test_years_reversed() -> None:
    check(one_problem("years: [2030, 2026]\n" + BASE), 1, 8, "first <= last")


# ---------------------------------------------------------------------------------------
# Groups


def test_unused_group() -> None:
    text = (
        BASE
        + "    group: equipment\ngroups:\n  equipment: {min: 0}\n  equipmnt: {min_share: 0.1}\n"
    )
    check(one_problem(text), 9, 3, "'equipmnt'", "did you mean 'equipment'?")


def test_unused_group_without_any_tags() -> None:
    text = BASE + "groups:\n  equipment: {min_share: 0.1}\n"
    problem = one_problem(text)
    check(problem, 7, 3, "'equipment'")
    assert "did you mean" not in problem.message


@pytest.mark.parametrize(
    ("field", "spelling", "word"),
    [
        ("min_share", "1.5", "<= 1"),
        ("max_share", "1.01", "<= 1"),
        ("min_share", "-0.1", ">= 0"),
        ("max_share", "-1", ">= 0"),
        ("min_share", "'20%'", "expected a number"),
    ],
)
def test_share_outside_0_to_1(field: str, spelling: str, word: str) -> None:
    text, line, column = locate(BASE + f"    group: eq\ngroups:\n  eq: {{{field}: @{spelling}}}\n")
    check(one_problem(text), line, column, field, word)


def test_group_min_above_max() -> None:
    text = BASE + "    group: eq\ngroups:\n  eq: {min: 5, max: 4}\n"
    check(one_problem(text), 8, 7, "'eq'", "min 5", "max 4")


def test_group_min_share_above_max_share() -> None:
    text = BASE + "    group: eq\ngroups:\n  eq:\n    min_share: 0.5\n    max_share: 0.25\n"
    check(one_problem(text), 9, 5, "'eq'", "min_share 0.5", "max_share 0.25")


def test_min_shares_add_up_to_more_than_1() -> None:
    text = dedent("""\
        objectives:
          n: {weight: 1}
        candidates:
          - {id: a, cost: 1, group: eq}
          - {id: b, cost: 1, group: ops}
          - {id: c, cost: 1, group: r}
        groups:
          eq: {min_share: 0.5}
          ops: {min_share: 0.4}
          r: {min_share: 0.2}
        """)
    check(one_problem(text), 8, 3, "min_shares", "1.1", "more than 1")


# ---------------------------------------------------------------------------------------
# Rules and commitments


def test_rule_with_no_count() -> None:
    text = BASE + "rules:\n  - {of: [a]}\n"
    check(one_problem(text), 7, 5, "exactly one of at_most, at_least, exactly")


@pytest.mark.parametrize(
    ("counts", "named"),
    [
        ("at_most: 1, exactly: 1", "at_most, exactly"),
        ("at_most: 1, at_least: 0", "at_most, at_least"),
        ("at_most: 1, at_least: 0, exactly: 0", "at_most, at_least, exactly"),
    ],
)
def test_rule_with_more_than_one_count(counts: str, named: str) -> None:
    text = BASE + "rules:\n  - at_least: 1\n    of: [a]\n  - {" + counts + ", of: [a]}\n"
    check(one_problem(text), 9, 5, "exactly one of", named)


def test_soft_commitment_without_penalty() -> None:
    text = BASE + "commitments:\n  eu:\n    target: 4\n    hard: false\n"
    check(one_problem(text), 8, 5, "'eu'", "penalty")


@pytest.mark.parametrize("hard", ["    hard: true\n", ""])
def test_hard_commitment_with_penalty(hard: str) -> None:
    text = BASE + "commitments:\n  nato:\n    target: 4\n" + hard + "    penalty: 2\n"
    check(one_problem(text), 10 if hard else 9, 14, "'nato'", "hard", "penalty")


# ---------------------------------------------------------------------------------------
# Every violation is reported


def test_every_schema_problem_is_reported_in_file_order() -> None:
    text = dedent("""\
        nme: x
        objectives:
          n: {weight: -1}
        candidates:
          - id: a
            cost: true
          - id: 'b c'
            cost: 1
            mandatory: yes
          - id: d
        """)
    problems = problems_of(text)
    assert [(p.line, p.column) for p in problems] == [
        (1, 1),
        (3, 15),
        (6, 11),
        (7, 9),
        (9, 16),
        (10, 5),
    ]
    assert "did you mean 'name'?" in problems[0].message
    assert "missing" in problems[-1].message


def test_every_cross_check_problem_is_reported() -> None:
    text = dedent("""\
        objectives:
          n: {weight: 1}
        commitments:
          c: {target: 1, hard: false}
        candidates:
          - id: a
            cost: 1
            requires: [zz]
          - id: a
            cost: 1
            value: {m: 1}
            excludes: [a]
        groups:
          eq: {}
        rules:
          - {of: [a, q]}
        """)
    problems = problems_of(text)
    got = {(p.line, p.column) for p in problems}
    assert got == {(4, 6), (8, 16), (9, 9), (11, 13), (12, 16), (14, 3), (16, 5), (16, 14)}, (
        problems
    )


def test_schema_and_cross_check_problems_are_reported_together() -> None:
    # Every violation is reported, not only the first; a bad cost in one
    # candidate does not hide an unknown reference in another or an unused group.
    text = dedent("""\
        objectives:
          n: {weight: 1}
        candidates:
          - id: a
            cost: -1
          - id: b
            cost: 1
            requires: [zz]
        groups:
          eq: {}
        """)
    problems = problems_of(text)
    check(find(problems, ">= 0"), 5, 11)
    check(find(problems, "'zz'"), 8, 16)
    check(find(problems, "'eq'"), 10, 3)


def test_duplicate_key_does_not_hide_other_problems() -> None:
    text = dedent("""\
        objectives:
          n: {weight: 1}
        candidates:
          - id: a
            cost: 1
            cost: 2
            requires: [zz]
        """)
    problems = problems_of(text)
    check(find(problems, "duplicate key"), 6, 5)
    check(find(problems, "'zz'"), 7, 16)


def test_duplicate_key_and_schema_problems_are_reported_together() -> None:
    text = BASE + "    cost: 2\n  - id: b\n    cost: nope\n"
    problems = problems_of(text)
    check(find(problems, "duplicate key"), 6, 5)
    check(find(problems, "expected a number"), 8, 11)


def test_alias_does_not_hide_other_problems() -> None:
    text = dedent("""\
        nme: x
        objectives:
          n: &w {weight: 1}
          m: *w
        candidates:
          - {id: a, cost: 1}
        """)
    problems = problems_of(text)
    check(find(problems, "alias"), 4, 6)
    check(find(problems, "unknown key 'nme'"), 1, 1)


def test_load_error_text_has_one_line_per_problem() -> None:
    text = "nme: x\n" + BASE.replace("cost: 1", "cost: -1")
    with pytest.raises(LoadError) as info:
        parse_portfolio(text, filename=FILE)
    lines = str(info.value).splitlines()
    assert lines == [str(p) for p in info.value.problems]
    assert lines[0] == f"{FILE}:1:1: error: unknown key 'nme' (did you mean 'name'?)"
    assert lines[1].startswith(f"{FILE}:6:11: error: ")


def test_default_filename_is_used_without_one() -> None:
    with pytest.raises(LoadError) as info:
        parse_portfolio("nme: x\n" + BASE)
    assert info.value.problems[0].file


# ---------------------------------------------------------------------------------------
# Sources: files and standard input


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_load_from_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, EVERY_FIELD_EXAMPLE.encode())
    p = load_portfolio("-")
    assert p.candidates[0].id == "f35-4th-squadron"


def test_stdin_problems_name_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, ("nme: x\n" + BASE).encode())
    with pytest.raises(LoadError) as info:
        load_portfolio("-")
    (problem,) = info.value.problems
    assert str(problem) == "<stdin>:1:1: error: unknown key 'nme' (did you mean 'name'?)"


def test_stdin_is_read_as_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, BASE.encode() + b"    name: \xff\n")
    with pytest.raises(LoadError) as info:
        load_portfolio("-")
    (problem,) = info.value.problems
    assert (problem.file, problem.line, problem.column) == ("<stdin>", 6, 11)
    assert "UTF-8" in problem.message


def test_stdin_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_BYTES", 20)
    _stdin(monkeypatch, BASE.encode())
    with pytest.raises(LoadError) as info:
        load_portfolio("-")
    (problem,) = info.value.problems
    check(problem, None, None, "too large")
    assert problem.file == "<stdin>"


def test_empty_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, b"")
    with pytest.raises(LoadError) as info:
        load_portfolio("-")
    assert "empty" in info.value.problems[0].message


def test_load_from_path_and_pathlike(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(EVERY_FIELD_EXAMPLE, encoding="utf-8")
    assert load_portfolio(path).name == load_portfolio(str(path)).name


def test_file_problems_name_the_path_as_given(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BASE.replace("cost: 1", "cost: -1"), encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_portfolio(str(path))
    (problem,) = info.value.problems
    assert str(problem) == f"{path}:5:11: error: {problem.message}"


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(LoadError) as info:
        load_portfolio(path)
    (problem,) = info.value.problems
    check(problem, None, None, "no such file")
    assert str(problem) == f"{path}: error: {problem.message}"


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as info:
        load_portfolio(tmp_path)
    (problem,) = info.value.problems
    check(problem, None, None, "directory")
    assert problem.file == str(tmp_path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text(BASE, encoding="utf-8")
    path.chmod(0)
    with pytest.raises(LoadError) as info:
        load_portfolio(path)
    check(info.value.problems[0], None, None, "cannot read")


# ---------------------------------------------------------------------------------------
# Meta: the shipped portfolios


@pytest.mark.parametrize("path", sorted(PORTFOLIOS.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_portfolio_loads(path: Path) -> None:
    p = load_portfolio(path)
    assert p.candidates


def test_references_in_a_candidate_with_a_bad_key_are_still_checked() -> None:
    # a typo in one key does not hide an unknown id elsewhere in the same candidate
    text = dedent("""\
        objectives: {n: {weight: 1}}
        budget: {total: 10}
        groups:
          equipmnt: {min_share: 1.2}
        candidates:
          - id: x
            group: equipment
            cost: 1
            require: [y]
            excludes: [helicopter-leas]
          - id: y
            cost: -1
            requires: [zz]
        """)
    problems = problems_of(text)
    check(find(problems, "'equipmnt'"), 4, 3)
    check(find(problems, "min_share"), 4, 25)
    check(find(problems, "'require'"), 9, 5)
    check(find(problems, "'helicopter-leas'"), 10, 16)
    check(find(problems, ">= 0"), 12, 11)
    check(find(problems, "'zz'"), 13, 16)
    assert len(problems) == 6


def test_unclosed_bracket_says_where_it_opened() -> None:
    text = "objectives: {a: {}}\ncandidates:\n  - {id: x, cost: 1\n  - {id: y, cost: 2}\n"
    problem = one_problem(text)
    check(problem, 4, 5, "starts at line 3, column 5")
