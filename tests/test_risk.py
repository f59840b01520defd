"""Cost risk: `cost_risk` factors, `--cost-level Q` and `defplan risk`.

Expected numbers come from closed forms worked out by hand in the comments (the
quantile of a uniform or triangular factor, the chance a sum of uniforms stays under a
cap) or from the exact reference of tests/bruteforce_time.py with each candidate's
money scaled by its quantile in exact arithmetic. Sampled shares are checked against
the exact ones within 4.5 standard deviations of a share estimated from N samples
(sqrt(p (1 - p) / N)): with the fixed seed they pass or fail the same way every time,
and a wrong formula is off by far more.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from bruteforce import to_yaml
from bruteforce_time import Run, oracle, time_docs
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st
from samples import invoke
from test_time_bruteforce import check_result, solve_file

from defplan import SolveOptions, parse_portfolio
from defplan.analysis.risk import draw_uniforms, risk
from defplan.cost_risk import factor_at, mean, quantile, variance
from defplan.errors import ExitCode
from defplan.render.risk import risk_json

N = 20_000


def within_sampling(got: float, p: float, n: int = N) -> bool:
    """A sampled share within 4.5 standard deviations of the exact p (and 1e-12)."""
    return abs(got - p) <= 4.5 * math.sqrt(p * (1 - p) / n) + 1e-12


def triangular_cdf(x: float, a: float, c: float, b: float) -> float:
    """P(factor <= x) of a triangular factor: the density's areas, not its inverse."""
    if x <= a:
        return 0.0
    if x >= b:
        return 1.0
    if x <= c:
        return (x - a) ** 2 / ((b - a) * (c - a))
    return 1 - (b - x) ** 2 / ((b - a) * (b - c))


# ------------------------------------------------------------------ the factors


@pytest.mark.parametrize("level", [0.01, 0.1, 0.25, 0.5, 0.8, 0.95, 0.999])
@pytest.mark.parametrize("risk_", [[0.95, 1.10, 1.60], [0.8, 0.8, 1.4], [0.9, 1.5, 1.5]])
def test_triangular_quantile_inverts_the_distribution(level: float, risk_: list[float]) -> None:
    # the quantile put into the distribution function gives the level back
    assert triangular_cdf(quantile(risk_, level), *risk_) == pytest.approx(level, abs=1e-12)


def test_quantiles_by_hand() -> None:
    # uniform [0.9, 1.5] at 0.8: 0.9 + 0.8 * 0.6 = 1.38
    assert quantile([0.9, 1.5], 0.8) == pytest.approx(1.38, abs=1e-15)
    # triangular [0.5, 1, 1.5]: the mode at 0.5; at 0.82, 1.5 - sqrt(0.18 * 1 * 0.5) = 1.2;
    # at 0.18, 0.5 + sqrt(0.18 * 1 * 0.5) = 0.8
    assert quantile([0.5, 1, 1.5], 0.82) == pytest.approx(1.2, abs=1e-15)
    assert quantile([0.5, 1, 1.5], 0.18) == pytest.approx(0.8, abs=1e-15)
    assert quantile([0.5, 1, 1.5], 0.5) == pytest.approx(1.0, abs=1e-15)
    # a factor known for certain
    assert quantile([1.2, 1.2], 0.3) == 1.2
    assert quantile([1.2, 1.2, 1.2], 0.3) == 1.2


@pytest.mark.parametrize("risk_", [[0.9, 1.5], [0.95, 1.10, 1.60], [0.8, 0.8, 1.4], [1, 1]])
def test_mean_and_variance_are_the_inverse_distributions_moments(risk_: list[float]) -> None:
    # E f = integral of the inverse over (0, 1), by the midpoint rule on 10^6 points
    u = (np.arange(1_000_000) + 0.5) / 1_000_000
    f = np.asarray(factor_at(risk_, u), dtype=float)
    assert mean(risk_) == pytest.approx(float(f.mean()), abs=1e-9)
    assert variance(risk_) == pytest.approx(float(f.var()), abs=1e-7)


# ------------------------------------------------------------ --cost-level Q

TRIANGULAR = [0.5, 1, 1.5]
TRIANGULAR_AT = {0.18: Fraction(8, 10), 0.5: Fraction(1), 0.82: Fraction(12, 10)}
"""Its quantiles by hand (test_quantiles_by_hand): rational at these levels."""
UNIFORMS = ([0.9, 1.3], [0.75, 1.5], [1, 1.2], [0.6, 1.1])


@st.composite
def risky_docs(draw: Any) -> tuple[dict[str, Any], float]:
    """A plan in time with cost_risk on some candidates, and a level."""
    doc = draw(time_docs(("windows", "running", "lines", "prices", "carry_over", "line_caps")))
    for cand in doc["candidates"]:
        kind = draw(st.integers(0, 3))
        if kind == 1:
            cand["cost_risk"] = list(TRIANGULAR)
        elif kind >= 2:
            cand["cost_risk"] = list(draw(st.sampled_from(UNIFORMS)))
    return doc, draw(st.sampled_from(sorted(TRIANGULAR_AT)))


def exact_quantile(risk_: list[float], level: float) -> Fraction:
    if len(risk_) == 3:
        return TRIANGULAR_AT[level]
    low, high = (Fraction(repr(float(x))) for x in risk_)
    return low + Fraction(repr(level)) * (high - low)


@settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=risky_docs())
def test_cost_level_plans_at_each_quantile(
    case: tuple[dict[str, Any], float], tmp_path: Path
) -> None:
    # the exact reference, each candidate's money times its quantile in exact arithmetic
    doc, level = case
    text = to_yaml(doc)
    path = tmp_path / "risky.yaml"
    path.write_text(text, encoding="utf-8")
    factors = {
        c["id"]: exact_quantile(c["cost_risk"], level)
        for c in doc["candidates"]
        if "cost_risk" in c
    }
    expected = oracle(parse_portfolio(text, filename="risky.yaml"), Run(factors=factors))
    _, data = solve_file(path, "--cost-level", str(level))
    note(f"{text}\nlevel {level}: {expected.selected if expected.plan else expected.status}")
    check_result(data, expected, text)
    assert data["run"]["cost_level"] == level


def test_cost_risk_changes_nothing_without_a_level(tmp_path: Path) -> None:
    plain = {
        "objectives": {"a": {}},
        "budget": {"total": 100},
        "candidates": [{"id": "x", "cost": 60, "value": {"a": 2}}],
    }
    risky = {**plain, "candidates": [{**plain["candidates"][0], "cost_risk": [0.9, 1.6]}]}
    outputs = []
    for doc in (plain, risky):
        path = tmp_path / "p.yaml"
        path.write_text(to_yaml(doc), encoding="utf-8")
        result = invoke("optimise", path, "--format", "json")
        outputs.append({k: v for k, v in json.loads(result.stdout).items() if k != "portfolio"})
    outputs[0]["solver"].pop("seconds"), outputs[1]["solver"].pop("seconds")
    assert outputs[0] == outputs[1]
    assert "cost_level" not in outputs[0]["run"]  # recorded only when given


def test_money_false_lines_keep_their_amounts(tmp_path: Path) -> None:
    # staff counts FTE: a factor of 1.5 (uniform [1.5, 1.5]) moves the money, not the FTE
    doc = {
        "years": [2026, 2027],
        "lines": {"invest": {}, "staff": {"money": False, "unit": "FTE"}},
        "objectives": {"a": {}},
        "budget": {"total": 1000},
        "candidates": [
            {
                "id": "x",
                "cost": {"invest": {2026: 100}, "staff": {2026: 40}},
                "running": {"invest": 10, "staff": 5},
                "value": {"a": 1},
                "cost_risk": [1.5, 1.5],
            }
        ],
    }
    path = tmp_path / "lines.yaml"
    path.write_text(to_yaml(doc), encoding="utf-8")
    result = invoke("optimise", path, "--format", "json", "--cost-level", "0.5")
    data = json.loads(result.stdout)
    # invest: 100 * 1.5 in 2026, the running cost 10 * 1.5 in 2027; staff as written
    assert data["spend"]["invest"] == {"2026": 150, "2027": 15}
    assert data["spend"]["staff"] == {"2026": 40, "2027": 5}
    assert data["cost"]["total"] == 165


# ------------------------------------------------------------------ defplan risk


def _file(tmp_path: Path, doc: dict[str, Any], name: str = "risk.yaml") -> Path:
    path = tmp_path / name
    path.write_text(to_yaml(doc), encoding="utf-8")
    return path


def _risk(path: Path, *args: str, code: int = ExitCode.OK) -> dict[str, Any]:
    result = invoke("risk", path, "--format", "json", *args)
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)


def _plain(cands: list[tuple[str, float, list[float] | None]], total: float) -> dict[str, Any]:
    """Candidates (id, plain cost, cost_risk) that all fit at factor 1 and are all worth
    selecting."""
    return {
        "objectives": {"a": {}},
        "budget": {"total": total},
        "candidates": [
            {"id": cid, "cost": cost, "value": {"a": 1}}
            | ({"cost_risk": r} if r is not None else {})
            for cid, cost, r in cands
        ],
    }


def test_one_uniform_candidate(tmp_path: Path) -> None:
    # 80 * f <= 100 with f uniform on [0.75, 1.5]: f <= 1.25, P = 0.5 / 0.75 = 2/3;
    # total money 80 f: its p-quantile is 80 (0.75 + 0.75 p)
    data = _risk(_file(tmp_path, _plain([("x", 80, [0.75, 1.5])], 100)), "--samples", str(N))
    assert within_sampling(data["within"]["total"], 2 / 3)
    for p in (10, 50, 90):
        exact = 80 * (0.75 + 0.75 * p / 100)
        # the sampled quantile: within 0.01 in probability (4.5 sd), 80 * 0.75 * 0.01 in money
        assert abs(data["total"][f"p{p}"] - exact) <= 0.6, (p, data["total"])
    assert data["expected"] == pytest.approx(80 * 1.125)
    assert data["drivers"] == [
        {"id": "x", "money": 80, "sd": pytest.approx(80 * 0.75 / math.sqrt(12)), "share": 1}
    ]


def test_one_triangular_candidate(tmp_path: Path) -> None:
    # 100 f <= 115 with f triangular (0.95, 1.10, 1.60): P = 1 - (1.6 - 1.15)^2 / (0.65 * 0.5)
    doc = _plain([("x", 100, [0.95, 1.10, 1.60]), ("y", 30, None)], 145)
    p = 1 - (1.6 - 1.15) ** 2 / (0.65 * 0.5)
    data = _risk(_file(tmp_path, doc), "--samples", str(N))
    assert within_sampling(data["within"]["total"], p)


@pytest.mark.parametrize(("total", "p"), [(100, 0.5), (105, 0.71875), (90, 0.125)])
def test_two_uniform_candidates(tmp_path: Path, total: float, p: float) -> None:
    # 50 f1 + 50 f2 <= B, f uniform on [0.8, 1.2]: with g = (f - 0.8) / 0.4 uniform on
    # [0, 1], g1 + g2 <= t = (B / 50 - 1.6) / 0.4. t = 1: 1/2; t = 1.25: 1 - 0.75^2 / 2 =
    # 0.71875; t = 0.5: 0.5^2 / 2 = 0.125. Below 100 the plan (both, 100 at factor 1)
    # would not be the optimum: it comes from a result saved at budget 100.
    doc = _plain([("x", 50, [0.8, 1.2]), ("y", 50, [0.8, 1.2])], max(total, 100))
    path = _file(tmp_path, doc)
    if total < 100:
        saved = tmp_path / "saved.json"
        assert invoke("optimise", path, "--output", saved).exit_code == 0
        path = _file(tmp_path, {**doc, "budget": {"total": total}}, "cut.yaml")
        data = _risk(path, "--samples", str(N), "--result", str(saved))
    else:
        data = _risk(path, "--samples", str(N))
    assert within_sampling(data["within"]["total"], p)


def test_drivers_share_the_variance_by_money_squared(tmp_path: Path) -> None:
    # same factor, money 50 and 100: variances in the ratio 1 : 4, shares 1/5 and 4/5
    doc = _plain([("x", 50, [0.8, 1.2]), ("y", 100, [0.8, 1.2]), ("z", 10, None)], 200)
    data = _risk(_file(tmp_path, doc), "--samples", "10")
    assert [(d["id"], d["share"]) for d in data["drivers"]] == [("y", 0.8), ("x", 0.2)]


def test_carry_over_is_recomputed_per_sample(tmp_path: Path) -> None:
    # caps 100 a year, carry-over up to 30. x spends 80 f in 2026, f uniform on
    # [0.75, 1.5]; y spends 110 in 2027. 2026 holds when 80 f <= 100: f <= 1.25,
    # P = 2/3. 2027 holds when 110 <= 100 + min(30, 100 - 80 f): f <= 1.125, P = 0.5.
    doc = {
        "years": [2026, 2027],
        "objectives": {"a": {}},
        "budget": {"per_year": {2026: 100, 2027: 100}, "carry_over": 30},
        "candidates": [
            {"id": "x", "cost": {2026: 80}, "value": {"a": 1}, "cost_risk": [0.75, 1.5]},
            {"id": "y", "cost": {2027: 110}, "value": {"a": 1}},
        ],
    }
    data = _risk(_file(tmp_path, doc), "--samples", str(N))
    assert data["selected"] == [{"id": "x", "start": 2026}, {"id": "y", "start": 2027}]
    assert within_sampling(data["within"]["2026"], 2 / 3)
    assert within_sampling(data["within"]["2027"], 0.5)
    assert "total" not in data["within"] and "within_lines" not in data


def test_line_and_gdp_caps(tmp_path: Path) -> None:
    # invest (the first line) capped at 90 in 2026 and staff (FTE) at 40; core spending
    # (invest) at 2% of a GDP of 5,000 less a baseline of 0: 100. x spends 80 f on
    # invest, f uniform on [0.75, 1.5]: the cap holds at f <= 1.125 (P = 0.5), the GDP
    # cap at f <= 1.25 (P = 2/3); the FTE never move (P = 1).
    doc = {
        "years": [2026, 2026],
        "lines": {"invest": {}, "staff": {"money": False}},
        "economy": {"gdp": {2026: 5000}, "baseline": {2026: 0}},
        "objectives": {"a": {}},
        "budget": {
            "gdp_share": {2026: 0.02},
            "per_year": {2026: 90},
            "lines": {"staff": {"per_year": {2026: 40}}},
        },
        "candidates": [
            {
                "id": "x",
                "cost": {"invest": {2026: 80}, "staff": {2026: 40}},
                "value": {"a": 1},
                "cost_risk": [0.75, 1.5],
            }
        ],
    }
    data = _risk(_file(tmp_path, doc), "--samples", str(N))
    assert within_sampling(data["within"]["2026"], 0.5)
    assert data["within_lines"] == {"staff": {"2026": 1}}
    assert within_sampling(data["within_gdp"]["2026"], 2 / 3)
    assert within_sampling(data["within_every_cap"], 0.5)


# ------------------------------------------------------------- determinism


def test_each_sample_has_its_own_stream() -> None:
    # sample k is numpy's Philox with key S and counter (0, 0, k, 0), drawn afresh
    for k in (0, 1, 77, 123_456):
        fresh = np.random.Generator(np.random.Philox(counter=[0, 0, k, 0], key=5)).random(7)
        assert np.array_equal(draw_uniforms(5, k, 1, 7)[0], fresh)


def _example() -> Any:
    return parse_portfolio(
        to_yaml(_plain([("x", 50, [0.8, 1.0, 1.7]), ("y", 70, [0.9, 1.3]), ("z", 20, None)], 150)),
        filename="x.yaml",
    )


def test_chunks_give_the_same_bytes() -> None:
    whole = risk_json(risk(_example(), options=SolveOptions(), samples=1000, seed=3))
    for chunk in (1, 7, 333):
        parts = risk(_example(), options=SolveOptions(), samples=1000, seed=3, chunk=chunk)
        assert risk_json(parts) == whole


def test_same_seed_same_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    path = _file(tmp_path, _plain([("x", 50, [0.8, 1.0, 1.7]), ("y", 70, [0.9, 1.3])], 150))
    first = invoke("risk", path, "--format", "json", "--seed", "9").stdout
    assert invoke("risk", path, "--format", "json", "--seed", "9").stdout == first
    assert invoke("risk", path, "--format", "json", "--seed", "10").stdout != first


def test_a_saved_result_gives_the_same_answer(tmp_path: Path) -> None:
    path = _file(tmp_path, _plain([("x", 50, [0.8, 1.0, 1.7]), ("y", 70, [0.9, 1.3])], 150))
    saved = tmp_path / "saved.json"
    assert invoke("optimise", path, "--output", saved, "--cost-level", "0.7").exit_code == 0
    solved = _risk(path, "--cost-level", "0.7")
    assert _risk(path, "--result", str(saved)) == solved
    assert solved["cost_level"] == 0.7


def test_table_and_plot(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    path = _file(tmp_path, _plain([("x", 50, [0.8, 1.0, 1.7]), ("y", 70, [0.9, 1.3])], 150))
    plot = tmp_path / "s.svg"
    result = invoke("risk", path, "--plot", plot)
    assert result.exit_code == 0, result.output
    assert "S-curve" in result.stdout and "What drives the risk" in result.stdout
    assert plot.read_text(encoding="utf-8").startswith("<?xml")


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("[1.2, 0.9]", "cost_risk: [1.2, 0.9] needs low <= high"),
        ("[0.9, 1.5, 1.2]", "cost_risk: [0.9, 1.5, 1.2] needs low <= most likely <= high"),
        ("[0, 1]", "cost_risk: must be > 0"),
        ("[1]", "cost_risk: needs at least 2 entries"),
        ("[1, 2, 3, 4]", "cost_risk: takes at most 3 items"),
        ("1.2", "cost_risk: expected a list, not '1.2'"),
    ],
)
def test_bad_cost_risk_is_named_at_its_place(tmp_path: Path, written: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "objectives: {a: {}}\nbudget: {total: 10}\ncandidates:\n"
        f"  - id: x\n    cost: 5\n    cost_risk: {written}\n",
        encoding="utf-8",
    )
    result = invoke("validate", path)
    assert result.exit_code == ExitCode.USAGE
    line, column, said = result.stderr.removeprefix(f"{path}:").split(":", 2)
    assert (line, said.strip()) == ("6", f"error: {message}")
    assert int(column) in (16, 17)  # the list, or its entry


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["optimise", "--cost-level", "1"], "--cost-level 1: a probability Q with 0 < Q < 1"),
        (["optimise", "--cost-level", "0"], "--cost-level 0: a probability Q"),
        (["sweep", "--budget", "1,2", "--cost-level", "x"], "--cost-level takes a probability"),
        (["risk", "--samples", "0"], "--samples 0: a number of samples from 1"),
        (["risk", "--seed", "-1"], "--seed -1: a whole number from 0"),
        (["risk", "--result", "x.json", "--budget", "5"], "--result takes its run options"),
    ],
)
def test_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    path = _file(tmp_path, _plain([("x", 50, [0.8, 1.2])], 100))
    result = invoke(args[0], path, *args[1:])
    assert result.exit_code == ExitCode.USAGE, result.output
    assert message in result.stderr


def test_a_portfolio_is_no_saved_result(tmp_path: Path) -> None:
    path = _file(tmp_path, _plain([("x", 50, [0.8, 1.2])], 100))
    result = invoke("risk", path, "--result", path)
    assert result.exit_code == ExitCode.USAGE
    assert "not a saved result" in result.stderr


def test_no_portfolio_no_samples(tmp_path: Path) -> None:
    doc = _plain([("x", 50, [0.8, 1.2])], 100)
    doc["candidates"][0]["mandatory"] = True
    data = _risk(_file(tmp_path, doc), "--budget", "10", code=ExitCode.INFEASIBLE)
    assert data["samples"] == 0 and data["total"] is None and data["status"] == "infeasible"


def test_diff_names_the_cost_level(tmp_path: Path) -> None:
    path = _file(tmp_path, _plain([("x", 50, [0.8, 1.2]), ("y", 70, [0.9, 1.3])], 150))
    left, right = tmp_path / "left.json", tmp_path / "right.json"
    assert invoke("optimise", path, "--output", left).exit_code == 0
    assert invoke("optimise", path, "--output", right, "--cost-level", "0.9").exit_code == 0
    result = invoke("diff", left, right, "--format", "json")
    assert json.loads(result.stdout)["scenario"] == {"run.cost_level": {"left": None, "right": 0.9}}
    assert "Cost level" in invoke("diff", left, right).stdout
