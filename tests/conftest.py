"""Shared fixtures: small portfolio files in tmp_path and golden-file comparison.

`pytest --update-golden` rewrites the files under tests/golden/ instead of comparing;
review the diff (`git diff tests/golden`) before committing it.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path

import pytest
from samples import SMALL

GOLDEN_DIR = Path(__file__).parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite the golden files under tests/golden/ instead of comparing with them.",
    )


@pytest.fixture
def write_portfolio(tmp_path: Path) -> Callable[..., Path]:
    """Write portfolio text (SMALL by default) to tmp_path and return its path."""

    def write(text: str = SMALL, name: str = "portfolio.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def small_file(write_portfolio: Callable[..., Path]) -> Path:
    """SMALL written to tmp_path/small.yaml."""
    return write_portfolio(SMALL, "small.yaml")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """Compare text with tests/golden/NAME, or rewrite it under --update-golden."""
    update = request.config.getoption("--update-golden")

    def check(name: str, text: str) -> None:
        path = GOLDEN_DIR / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="")
            return
        if not path.exists():
            pytest.fail(f"no golden file {path}; run pytest --update-golden to create it")
        expected = path.read_text(encoding="utf-8")
        if text != expected:
            diff = "".join(
                difflib.unified_diff(
                    expected.splitlines(keepends=True),
                    text.splitlines(keepends=True),
                    fromfile=f"golden/{name}",
                    tofile="rendered",
                )
            )
            pytest.fail(
                f"output differs from golden/{name} (pytest --update-golden rewrites it):\n{diff}",
                pytrace=False,
            )

    return check
