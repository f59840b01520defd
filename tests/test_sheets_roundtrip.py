"""import(export(F)) is F: for every shipped portfolio and for random ones, the book
`defplan export` writes imports as a file that validates and optimises to the same
answer as F (docs/spreadsheets.md)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from bruteforce import cases, to_yaml
from bruteforce_frame import frame_docs
from bruteforce_time import time_docs
from hypothesis import HealthCheck, given, settings

from defplan.formulation import SolveOptions
from defplan.loading import parse_portfolio
from defplan.model import Portfolio
from defplan.render.documents import json_of
from defplan.sheets import Base, export_portfolio, import_portfolio
from defplan.sheets.writing import document_of
from defplan.solving import optimise

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "portfolios").glob("*.yaml"))


def answer(portfolio: Portfolio, options: SolveOptions | None = None) -> dict[str, Any]:
    """optimise's JSON (HiGHS alone, so the solver's name is the same), but for what
    names the file and the solver's time."""
    options = replace(options or SolveOptions(), solver="highs")
    found = json.loads(json_of(optimise(portfolio, options=options)))
    del found["portfolio"]["file"], found["portfolio"]["sha256"], found["solver"]["seconds"]
    return found


def written(portfolio: Portfolio) -> dict[str, Any]:
    """The keys the file gives, but a candidate's empty list or mapping (`value: {}`),
    which means what leaving it out means: an empty cell."""
    doc = document_of(portfolio)
    doc["candidates"] = [
        {k: v for k, v in c.items() if (v != [] and v != {}) or k == "cost"}
        for c in doc["candidates"]
    ]
    return doc


def round_trip(portfolio: Portfolio, folder: Path, suffix: str) -> Portfolio:
    """The portfolio exported to a book, then imported (a CSV file with --base)."""
    book = folder / f"book{suffix}"
    book.write_bytes(export_portfolio(portfolio, book))
    base = Base(portfolio, b"", "base.yaml") if suffix == ".csv" else None
    text, count = import_portfolio(str(book), base=base)
    assert count == len(portfolio.candidates)
    return parse_portfolio(text, filename="imported.yaml")


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_portfolios_survive_export_then_import(
    path: Path, suffix: str, tmp_path: Path
) -> None:
    original = parse_portfolio(path.read_bytes(), filename=path.name)
    back = round_trip(original, tmp_path, suffix)
    assert written(back) == written(original)
    assert answer(back) == answer(original)


def check_random(doc: dict[str, Any], folder: Path, options: SolveOptions | None = None) -> None:
    original = parse_portfolio(to_yaml(doc), filename="random.yaml")
    for suffix in (".xlsx", ".csv"):
        back = round_trip(original, folder, suffix)
        assert written(back) == written(original)
    assert answer(back, options) == answer(original, options)


QUICK = settings(
    max_examples=50,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@QUICK
@given(case=cases())
def test_random_portfolios_survive_export_then_import(case: Any, tmp_path: Path) -> None:
    check_random(case.doc, tmp_path, case.options())


@QUICK
@given(doc=time_docs())
def test_random_plans_in_time_survive_export_then_import(doc: Any, tmp_path: Path) -> None:
    check_random(doc, tmp_path)


@QUICK
@given(doc=frame_docs())
def test_random_plans_in_a_national_frame_survive_export_then_import(
    doc: Any, tmp_path: Path
) -> None:
    check_random(doc, tmp_path)


AWKWARD = """\
name: "2026: a plan, with # and 'quotes'"
currency: ""
years: [2026, 2028]
lines: {invest: {}, staff: {money: false, unit: FTE}}
objectives: {o: {label: "yes"}, "007": {weight: 2}}
candidates:
  - {id: "007", name: "=SUM(A1)", group: "", cost: {}, value: {o: 1.5e-07}}
  - {id: "0x1", name: "  padded  ", cost: {invest: {}, staff: {2026: 3}}, requires: ["007"]}
  - {id: c, name: "", group: "a, b", cost: {2027: 0.1}, value: {"007": [-1, 2.5]},
     start: [2026, 2027], running: {staff: 2}, after: ["007"], cost_risk: [0.9, 1.3]}
  - {id: d, name: "tab\\tand\\nline é", cost: 12345678901.25, mandatory: false}
"""


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_awkward_texts_and_shapes_survive(suffix: str, tmp_path: Path) -> None:
    original = parse_portfolio(AWKWARD, filename="awkward.yaml")
    back = round_trip(original, tmp_path, suffix)
    assert written(back) == written(original)
