"""The shipped programmes: the Dutch example plans in time with every construct a real
programme needs, the worked example of docs/planning-in-time.md is the file it shows, and
`defplan validate` accepts both."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from samples import invoke

from defplan import load_portfolio

ROOT = Path(__file__).resolve().parent.parent
DUTCH = ROOT / "portfolios" / "netherlands-2026.yaml"
EXAMPLE = ROOT / "portfolios" / "programme-example.yaml"
GUIDE = ROOT / "docs" / "planning-in-time.md"


def test_the_dutch_example_is_a_programme() -> None:
    p = load_portfolio(DUTCH)
    with_window = [c.id for c in p.candidates if c.start is not None]
    running = [c.id for c in p.candidates if c.running]
    assert len(with_window) >= 10, with_window
    assert len(running) >= 10, running
    assert p.prices is not None and p.prices.base is not None
    assert any(c.by is not None for c in p.commitments.values())
    assert any(c.after for c in p.candidates)


def test_the_dutch_example_has_investment_operating_and_personnel_lines() -> None:
    p = load_portfolio(DUTCH)
    money = [name for name, line in p.lines.items() if line.money]
    people = [name for name, line in p.lines.items() if not line.money]
    assert money[:2] == list(p.lines)[:2], "investment, then operating: both money"
    assert people and all(p.lines[name].unit == "FTE" for name in people)
    # every line has caps: by year, or (the resilience line) a share of GDP of its own
    assert p.budget.per_year and p.budget.carry_over
    capped = {name: p.budget.lines[name] for name in list(p.lines)[1:]}
    assert all(caps.per_year or caps.gdp_share for caps in capped.values()), capped


def test_the_guide_shows_the_shipped_example_in_full() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    shown = re.findall(r"^```yaml\n(.*?)^```$", text, flags=re.S | re.M)
    assert EXAMPLE.read_text(encoding="utf-8") in shown


@pytest.mark.parametrize("path", [DUTCH, EXAMPLE], ids=lambda p: p.name)
def test_validate_accepts_the_shipped_programmes(path: Path) -> None:
    result = invoke("validate", path)
    assert result.exit_code == 0, result.output
    assert f"{path.name}: valid" in result.stdout
