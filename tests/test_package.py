"""Packaging promises: light start-up, the public API, the shipped schema and examples."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

import defplan
from defplan.cli import app

ROOT = Path(__file__).resolve().parent.parent


def test_cli_start_up_does_not_import_the_heavy_stack() -> None:
    code = (
        "import sys, defplan.cli, defplan; defplan.__version__; "
        "heavy = sorted(m for m in ('pulp', 'highspy', 'numpy', 'pydantic', 'yaml', 'rich') "
        "if m in sys.modules); print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_public_api_names_resolve() -> None:
    for name in defplan.__all__:
        assert getattr(defplan, name) is not None


def test_shipped_schema_matches_the_schema_command() -> None:
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0, result.output
    shipped = (ROOT / "schema" / "portfolio-1.schema.json").read_text(encoding="utf-8")
    assert json.loads(shipped) == json.loads(result.stdout), "run: defplan schema > schema/..."


def test_shipped_portfolios_point_editors_at_the_schema() -> None:
    for path in sorted((ROOT / "portfolios").glob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../schema/portfolio-1.schema.json", path


def test_readme_opens_with_the_two_set_up_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    head = readme[: readme.index("## ")]
    assert "make demo" in head and "make test" in head
