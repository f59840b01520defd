"""The file format of time-phased planning (docs/file-format.md, "Planning in time"):
lines, prices, carry-over, line caps, `by`, and on candidates start windows, delay
penalties, running costs, `after` and costs by line.

Each error test pins the exact message and where it points: in a template, '@' marks
the character the one problem must point at (it is removed first). Until the model
solves such files, every command but validate and schema refuses them.
"""

from __future__ import annotations

import json
import math

import pytest
from samples import invoke

from defplan import LoadError, parse_portfolio
from defplan.formulation import SolveOptions, formulate

FILE = "t.yaml"

HEAD = """\
years: [2026, 2040]
objectives:
  n: {weight: 1}
"""

EVERY_KEY = """\
years: [2026, 2040]
lines:
  invest:  {label: Defence Materiel Fund}
  operate: {label: Operating budget}
  staff:   {label: Military personnel, unit: FTE, money: false}
prices:
  base: 2025
  rate: 0.03
objectives:
  n: {weight: 1}
commitments:
  nato-iamd: {target: 10, by: 2030}
budget:
  total: 6000
  per_year: {2026: 700, 2027: 800}
  carry_over: 300
  lines:
    invest: {total: 5000}
    operate: {per_year: {2029: 150}, total: 1200}
    staff:   {per_year: {2029: 600}}
candidates:
  - id: tank-training-centre
    cost: {2026: 100}
  - id: leopard-battalion
    cost: {2027: 300, 2028: 500, 2029: 400}
    start: [2027, 2030]
    delay_penalty: 0.5
    running: {operate: 60, staff: 500}
    after: [tank-training-centre]
    commitments: {nato-iamd: 10}
  - id: frigate-crews
    cost: {invest: {2027: 200, 2028: 200}, staff: {2027: 80, 2028: 160}}
    running: 20
  - id: airlift-charter
    cost: 5
"""


def test_every_time_key_loads_with_its_values() -> None:
    p = parse_portfolio(EVERY_KEY, filename=FILE)
    assert list(p.lines) == ["invest", "operate", "staff"]
    assert p.first_line == "invest"
    assert [(ln.label, ln.unit, ln.money) for ln in p.lines.values()] == [
        ("Defence Materiel Fund", None, True),
        ("Operating budget", None, True),
        ("Military personnel", "FTE", False),
    ]
    assert p.prices is not None
    assert (p.prices.base, p.prices.rate, p.prices.index) == (2025, 0.03, None)
    assert p.commitments["nato-iamd"].by == 2030
    assert p.budget.carry_over == 300
    assert {k: (v.per_year, v.total) for k, v in p.budget.lines.items()} == {
        "invest": ({}, 5000),
        "operate": ({2029: 150}, 1200),
        "staff": ({2029: 600}, None),
    }
    centre, leopard, frigate, charter = p.candidates
    assert (centre.start, centre.delay_penalty, centre.running, centre.after) == (
        None,
        None,
        None,
        [],
    )
    assert leopard.start == [2027, 2030]
    assert leopard.delay_penalty == 0.5
    assert leopard.running == {"operate": 60, "staff": 500}
    assert leopard.after == ["tank-training-centre"]
    assert leopard.cost_years == (2027, 2029)
    assert leopard.line_profiles("invest") == {"invest": {2027: 300, 2028: 500, 2029: 400}}
    assert frigate.running == 20
    assert frigate.profile == {}
    assert frigate.cost_years == (2027, 2028)
    assert frigate.line_profiles("invest") == {
        "invest": {2027: 200, 2028: 200},
        "staff": {2027: 80, 2028: 160},
    }
    assert (charter.cost, charter.cost_years, charter.line_profiles("invest")) == (5, None, {})


def test_a_price_index_with_every_horizon_year_loads() -> None:
    index = ", ".join(f"{y}: {1 + (y - 2025) / 100}" for y in range(2024, 2042))
    p = parse_portfolio(
        HEAD + f"prices: {{base: 2025, index: {{{index}}}}}\ncandidates:\n  - {{id: a, cost: 1}}\n",
        filename=FILE,
    )
    assert p.prices is not None and p.prices.rate is None
    assert p.prices.index is not None and p.prices.index[2040] == 1.15


def test_a_file_without_time_keys_has_none_of_them() -> None:
    p = parse_portfolio(HEAD + "candidates:\n  - {id: a, cost: {2026: 1}}\n", filename=FILE)
    assert (p.lines, p.prices, p.first_line) == ({}, None, "budget")
    assert (p.budget.carry_over, p.budget.lines) == (None, {})
    (c,) = p.candidates
    assert (c.start, c.delay_penalty, c.running, c.after) == (None, None, None, [])
    assert c.profile == {2026: 1} and c.line_profiles("budget") == {"budget": {2026: 1}}


def test_an_empty_profile_is_no_time_key() -> None:
    p = parse_portfolio(HEAD + "candidates:\n  - {id: a, cost: {}}\n", filename=FILE)
    (c,) = p.candidates
    assert (c.cost_by_line, c.cost_years, c.total_cost) == (False, None, 0)
    assert formulate(p, SolveOptions(budget=1)).costs == (0,)


def test_null_and_empty_time_keys_mean_nothing() -> None:
    text = (
        NO_YEARS + "commitments: {c: {target: 1, by: null}}\nbudget: {total: 1, lines: {}}\n"
        "candidates:\n  - {id: a, cost: 1, start: null, running: null, after: [],"
        " commitments: {c: 1}}\n"
    )
    p = parse_portfolio(text, filename=FILE)
    assert formulate(p, SolveOptions()).costs == (1,)


def test_a_start_window_may_reach_outside_the_horizon() -> None:
    text = HEAD + "candidates:\n  - {id: a, cost: {2020: 1, 2021: 2}, start: [2020, 2027]}\n"
    (c,) = parse_portfolio(text, filename=FILE).candidates
    assert c.start == [2020, 2027]


# -- every error at its place, with its exact message -------------------------------------


def error_at(template: str) -> str:
    """The message of the one problem in template, which must point at its '@'."""
    index = template.index("@")
    before = template[:index]
    line, column = before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1
    with pytest.raises(LoadError) as info:
        parse_portfolio(before + template[index + 1 :], filename=FILE)
    problems = info.value.problems
    assert len(problems) == 1, "\n".join(map(str, problems))
    assert (problems[0].file, problems[0].line, problems[0].column) == (FILE, line, column)
    return problems[0].message


NO_YEARS = "objectives:\n  n: {weight: 1}\n"
LINES = "lines:\n  invest: {}\n  operate: {}\n"


@pytest.mark.parametrize(
    ("template", "key"),
    [
        ("@lines: {invest: {}}\ncandidates:\n  - {id: a, cost: 1}\n", "lines"),
        ("@prices: {base: 2025, rate: 0}\ncandidates:\n  - {id: a, cost: 1}\n", "prices"),
        (
            "budget: {per_year: {2026: 1}, @carry_over: 1}\ncandidates:\n  - {id: a, cost: 1}\n",
            "budget.carry_over",
        ),
        (
            "commitments: {c: {target: 1, @by: 2030}}\n"
            "candidates:\n  - {id: a, cost: 1, commitments: {c: 1}}\n",
            "by",
        ),
        ("candidates:\n  - {id: a, cost: {2026: 1}, @start: [2026, 2027]}\n", "start"),
        ("candidates:\n  - {id: a, cost: {2026: 1}, @running: 1}\n", "running"),
        ("candidates:\n  - {id: a, cost: 1}\n  - {id: b, cost: {2026: 1}, @after: [a]}\n", "after"),
    ],
    ids=["lines", "prices", "carry_over", "by", "start", "running", "after"],
)
def test_a_time_key_needs_years(template: str, key: str) -> None:
    message = error_at(NO_YEARS + template)
    assert message == f"'{key}' needs 'years' (the planning horizon) in the file"


def located(text: str) -> list[tuple[int | None, int | None, str]]:
    """(line, column, message) of every problem in text, which must fail."""
    with pytest.raises(LoadError) as info:
        parse_portfolio(text, filename=FILE)
    return [(p.line, p.column, p.message) for p in info.value.problems]


def test_line_caps_and_costs_by_line_need_years() -> None:
    assert located(
        NO_YEARS + LINES + "budget: {lines: {operate: {total: 1}}}\n"
        "candidates:\n  - {id: a, cost: {operate: {2026: 1}}}\n"
    ) == [
        (3, 1, "'lines' needs 'years' (the planning horizon) in the file"),
        (6, 10, "'budget.lines' needs 'years' (the planning horizon) in the file"),
        (8, 19, "'cost by line' needs 'years' (the planning horizon) in the file"),
    ]


def test_delay_penalty_needs_years_and_start() -> None:
    assert located(NO_YEARS + "candidates:\n  - {id: a, cost: {2026: 1}, delay_penalty: 1}\n") == [
        (4, 30, "'delay_penalty' needs 'years' (the planning horizon) in the file"),
        (4, 30, "'delay_penalty' needs a 'start' window: it is value lost per year of delay"),
    ]


ERRORS = [
    pytest.param(
        HEAD + "lines:\n  staff: {unit: FTE, money: @false}\n  invest: {}\n"
        "candidates:\n  - {id: a, cost: 1}\n",
        "the first line 'staff' pays year-keyed costs and budget.per_year, so it must be "
        "money; put a money line first",
        id="the_first_line_must_be_money",
    ),
    pytest.param(
        HEAD + "lines: @{}\ncandidates:\n  - {id: a, cost: 1}\n",
        "lines: needs at least one entry",
        id="lines_need_an_entry",
    ),
    pytest.param(
        HEAD + "prices: @{rate: 0.02}\ncandidates:\n  - {id: a, cost: 1}\n",
        "missing required key 'base'",
        id="prices_need_a_base",
    ),
    pytest.param(
        HEAD + "prices: {base: 2025, rate: @-1}\ncandidates:\n  - {id: a, cost: 1}\n",
        "rate: must be > -1",
        id="a_rate_is_above_minus_one",
    ),
    pytest.param(
        HEAD + "budget: {total: 10, @carry_over: 5}\ncandidates:\n  - {id: a, cost: 1}\n",
        "carry_over needs caps by year in budget.per_year: it carries the first line's "
        "unspent cap to a later capped year",
        id="carry_over_needs_caps_by_year",
    ),
    pytest.param(
        HEAD
        + LINES
        + "budget:\n  lines: {@operat: {total: 5}}\ncandidates:\n  - {id: a, cost: 1}\n",
        "unknown line 'operat' (did you mean 'operate'?)",
        id="budget_lines_name_known_lines",
    ),
    pytest.param(
        HEAD + LINES + "budget:\n  lines:\n    invest: {@per_year: {2026: 5}, total: 9}\n"
        "candidates:\n  - {id: a, cost: 1}\n",
        "the first line 'invest' takes only a 'total' here; its caps by year are budget.per_year",
        id="the_first_line_takes_only_a_total_under_budget_lines",
    ),
    pytest.param(
        HEAD + LINES + "budget:\n  lines:\n    operate: {per_year: {@2041: 5}}\n"
        "candidates:\n  - {id: a, cost: 1}\n",
        "year 2041 is outside the planning horizon 2026-2040",
        id="a_line_cap_year_lies_inside_the_horizon",
    ),
    pytest.param(
        HEAD + "commitments: {c: {target: 1, by: @2045}}\n"
        "candidates:\n  - {id: a, cost: 1, commitments: {c: 1}}\n",
        "by 2045 is outside the planning horizon 2026-2040",
        id="by_lies_inside_the_horizon",
    ),
    pytest.param(
        HEAD + "candidates:\n  - {id: a, cost: {2027: 1}, start: @[2030, 2027]}\n",
        "start must be [first, last] with first <= last, not [2030, 2027]",
        id="a_start_window_is_in_order",
    ),
    pytest.param(
        HEAD + "candidates:\n  - {id: a, cost: {2027: 1}, @delay_penalty: 0.5}\n",
        "'delay_penalty' needs a 'start' window: it is value lost per year of delay",
        id="delay_penalty_needs_a_start_window",
    ),
    pytest.param(
        HEAD + "candidates:\n  - id: a\n    cost: {2030: 1, 2031: 1, 2032: 1, 2033: 1}\n"
        "    start: @[2038, 2040]\n",
        "no start year in 2038-2040 fits the planning horizon 2026-2040: its cost profile "
        "spans 4 years (2030-2033), so it must start in 2026-2037",
        id="a_start_window_that_fits_no_start_year",
    ),
    pytest.param(
        HEAD + LINES + "candidates:\n  - {id: a, cost: {2027: 1}, running: {@operat: 3}}\n",
        "unknown line 'operat' (did you mean 'operate'?)",
        id="running_names_known_lines",
    ),
    pytest.param(
        HEAD + "candidates:\n  - {id: a, cost: {2027: 1}, running: @-3}\n",
        "running: must be >= 0",
        id="running_amounts_are_not_negative",
    ),
    pytest.param(
        HEAD + "prices: {base: 2025, rate: @900}\ncandidates:\n  - {id: a, cost: {2027: 1}}\n",
        "a rate of 900 from 2025 makes 2040's prices more than a million million times as "
        "high as 2025's; use a rate or a base year nearer the horizon",
        id="a_rate_that_would_overflow_prices",
    ),
    pytest.param(
        HEAD
        + "prices: {base: 2025, index: {2026: @1e-13, "
        + ", ".join(f"{y}: 1" for y in range(2027, 2041))
        + "}}\ncandidates:\n  - {id: a, cost: {2027: 1}}\n",
        "a price index entry is at least 1e-12, not 1e-13",
        id="a_price_index_entry_too_small",
    ),
    pytest.param(
        HEAD + LINES + "candidates:\n  - {id: a, cost: {invest: {2027: 1}, @operat: {2028: 1}}}\n",
        "unknown line 'operat' (did you mean 'operate'?)",
        id="a_cost_by_line_names_known_lines",
    ),
    pytest.param(
        HEAD + "candidates:\n  - {id: a, cost: {@invest: {2027: 1}}}\n",
        "unknown line 'invest': declare the file's lines under 'lines'",
        id="a_cost_by_line_needs_declared_lines",
    ),
    pytest.param(
        HEAD + LINES + "candidates:\n  - {id: a, cost: {operate: {@2041: 1}}}\n",
        "year 2041 is outside the planning horizon 2026-2040",
        id="a_cost_by_line_lies_inside_the_horizon",
    ),
    pytest.param(
        HEAD + "candidates:\n  - {id: a, cost: {2027: 1}, after: [@a]}\n",
        "candidate 'a' cannot come after itself",
        id="after_may_not_name_its_own_candidate",
    ),
    pytest.param(
        HEAD + "candidates:\n  - {id: radar, cost: {2027: 1}}\n"
        "  - {id: b, cost: {2027: 1}, after: [@rader]}\n",
        "unknown candidate 'rader' (did you mean 'radar'?)",
        id="after_names_known_candidates",
    ),
    pytest.param(
        HEAD + "candidates:\n  - {id: x, cost: {2027: 1}}\n"
        "  - {id: a, cost: {2027: 1}, after: [x, @b]}\n"
        "  - {id: b, cost: {2027: 1}, after: [c]}\n"
        "  - {id: c, cost: {2027: 1}, after: [a]}\n",
        "'after' forms a cycle: a -> b -> c -> a",
        id="a_cycle_of_after_is_named",
    ),
]
"""(template, exact message): each error of the time keys alone in a file."""


@pytest.mark.parametrize(("template", "message"), ERRORS)
def test_each_error_is_reported_at_its_place(template: str, message: str) -> None:
    assert error_at(template) == message


@pytest.mark.parametrize(
    ("prices", "given"),
    [("{base: 2025}", "neither"), ("{base: 2025, rate: 0.02, index: {2026: 1}}", "both")],
)
def test_prices_need_one_of_rate_and_index(prices: str, given: str) -> None:
    text = "years: [2026, 2026]\nobjectives:\n  n: {weight: 1}\n"
    message = error_at(text + f"prices: @{prices}\ncandidates:\n  - {{id: a, cost: 1}}\n")
    assert message == f"prices needs one of 'rate' and 'index', not {given}"


def test_the_price_index_needs_every_horizon_year() -> None:
    text = "years: [2026, 2030]\nobjectives:\n  n: {weight: 1}\n"
    message = error_at(
        text + "prices:\n  base: 2025\n  index: @{2026: 1.02, 2027: 1.04, 2029: 1.08}\n"
        "candidates:\n  - {id: a, cost: 1}\n"
    )
    assert message == (
        "the price index has no entry for 2028, 2030; it needs one for every year of the "
        "horizon 2026-2030"
    )


@pytest.mark.parametrize(
    ("entry", "key"),
    [
        ("start: [2027, 2030]", "start"),
        ("delay_penalty: 1", "delay_penalty"),
        ("running: 5", "running"),
        ("after: [b]", "after"),
    ],
)
def test_a_plain_cost_takes_no_time_keys(entry: str, key: str) -> None:
    message = error_at(
        HEAD + f"candidates:\n  - {{id: a, cost: 900, @{entry}}}\n  - {{id: b, cost: 1}}\n"
    )
    assert message == f"'{key}' needs a cost profile by year; candidate 'a' has a plain cost"


def test_a_profile_longer_than_the_horizon_fits_no_start_year() -> None:
    text = "years: [2026, 2027]\nobjectives:\n  n: {weight: 1}\n"
    message = error_at(
        text + "candidates:\n  - {id: a, cost: {2026: 1, 2027: 1, 2028: 1}, start: @[2026, 2027]}\n"
    )
    assert message == (
        "no start year in 2026-2027 fits the planning horizon 2026-2027: its cost profile "
        "spans 3 years (2026-2028), more than the horizon's 2"
    )


def test_every_line_of_a_profile_counts_for_the_window() -> None:
    message = error_at(
        HEAD + LINES + "candidates:\n  - id: a\n"
        "    cost: {invest: {2030: 1}, operate: {2035: 1}}\n    start: @[2036, 2040]\n"
    )
    assert message.startswith("no start year in 2036-2040 fits the planning horizon 2026-2040")
    assert message.endswith("spans 6 years (2030-2035), so it must start in 2026-2035")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            "  - {id: a, cost: {2027: 1}, after: [b]}\n"
            "  - {id: b, cost: {2027: 1}, after: [a]}\n"
            "  - {id: c, cost: {2027: 1}, after: [d]}\n"
            "  - {id: d, cost: {2027: 1}, after: [c, a]}\n",
            [
                (5, 38, "'after' forms a cycle: a -> b -> a"),
                (7, 38, "'after' forms a cycle: c -> d -> c"),
            ],
            id="each cycle of after is one problem",
        ),
        pytest.param(
            "  - {id: a, cost: {2027: 1}, after: [b], value: {n: x}}\n"
            "  - {id: b, cost: {2027: 1}, after: [a]}\n",
            [
                (5, 38, "'after' forms a cycle: a -> b -> a"),
                (5, 53, "n: expected a number, not 'x'"),
            ],
            id="time problems are found beside other problems",
        ),
    ],
)
def test_several_problems_at_once(body: str, expected: list[tuple[int, int, str]]) -> None:
    assert located(HEAD + "candidates:\n" + body) == expected


# -- what the model makes of every key -------------------------------------------------


def test_every_time_key_becomes_options_and_named_blocks() -> None:
    p = parse_portfolio(EVERY_KEY, filename=FILE)
    form = formulate(p, SolveOptions())
    starts = [(p.candidates[o.candidate].id, o.start, o.delivered) for o in form.options]
    # the battalion's four start years all fit 2026-2040: 2027-2029 shifted by 0..3
    assert starts == [
        ("tank-training-centre", 2026, 2026),
        ("leopard-battalion", 2027, 2029),
        ("leopard-battalion", 2028, 2030),
        ("leopard-battalion", 2029, 2031),
        ("leopard-battalion", 2030, 2032),
        ("frigate-crews", 2027, 2028),
        ("airlift-charter", None, None),
    ]
    # value lost to delay: 0.5 a year after 2027
    assert [o.value_lost for o in form.options] == [0, 0, 0.5, 1.0, 1.5, 0, 0]
    names = [b.name for b in form.blocks]
    assert names == [
        "budget.total",
        "budget.per_year.2026",
        "budget.per_year.2027",
        "carry_over",
        "budget.line.invest.total",
        "budget.line.operate.2029",
        "budget.line.operate.total",
        "budget.line.staff.2029",
        "commitment.nato-iamd.by",
        "after.leopard-battalion.tank-training-centre",
    ]
    # one option at most per candidate: the battalion's four columns
    assert [r.coefs for r in form.choices] == [{1: 1.0, 2: 1.0, 3: 1.0, 4: 1.0}]


def test_prices_running_costs_and_by_in_the_coefficients() -> None:
    p = parse_portfolio(EVERY_KEY, filename=FILE)
    form = formulate(p, SolveOptions())
    blocks = {b.name: b for b in form.blocks}
    # no option runs in 2029: the battalion is delivered in 2029 at the earliest
    (operate,) = blocks["budget.line.operate.2029"].rows
    assert operate.coefs == {}
    (staff,) = blocks["budget.line.staff.2029"].rows
    # started in 2027 it is delivered in 2029 and needs no staff before 2030; the frigate
    # crews' profile is over by 2029. Staff is counted, never priced
    assert staff.coefs == {}
    # started in 2027 it runs 60 a year (2025 prices) 2030-2040, each year's at 1.03^(y-2025)
    (operate_total,) = blocks["budget.line.operate.total"].rows
    expected = math.fsum(60 * 1.03 ** (y - 2025) for y in range(2030, 2041))
    assert operate_total.coefs[1] == pytest.approx(expected, rel=1e-12)
    # delivered by 2030: only the starts in 2027 and 2028 count toward the target
    (target,) = blocks["commitment.nato-iamd.by"].rows
    assert target.coefs == {1: 10.0, 2: 10.0}
    # the battalion needs the training centre (delivered 2026) delivered before it starts
    rows = blocks["after.leopard-battalion.tank-training-centre"].rows
    assert [r.coefs for r in rows] == [{k: 1.0, 0: -1.0} for k in (1, 2, 3, 4)]
    # the carried balance enters each capped year's row: +1 out of it, -1 into the next
    (y2026,) = blocks["budget.per_year.2026"].rows
    (y2027,) = blocks["budget.per_year.2027"].rows
    assert (y2026.flows, y2027.flows) == ({0: 1.0}, {1: 1.0, 0: -1.0})
    assert [r.flows for r in blocks["carry_over"].rows] == [{0: 1.0}, {1: 1.0}]
    assert {r.upper for r in blocks["carry_over"].rows} == {300}


def test_optimise_solves_time_phased_planning(tmp_path: object) -> None:
    text = HEAD + "budget: {total: 9}\ncandidates:\n  - {id: a, cost: {2027: 1}, running: 2}\n"
    path = f"{tmp_path}/p.yaml"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    result = invoke("optimise", path, "--format", "json")
    assert result.exit_code == 0, result.output
    # 1 in 2027, then 2 a year 2028-2040 (13 years): 27 is over the budget of 9
    assert json.loads(result.stdout)["selected"] == []
