"""`defplan report`'s page in a real browser: the distribution's headless Chromium loads
the Dutch example's report, renders it without error and takes a screenshot; its DOM
holds the headline. Skipped when Chromium is missing, except under CI=true, where a
missing browser fails (.ci/run installs it)."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path
from typing import Any

import pytest
from samples import invoke

from defplan.errors import ExitCode
from defplan.render.figures import amount

ROOT = Path(__file__).parent.parent
DUTCH = ROOT / "portfolios" / "netherlands-2026.yaml"


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing under CI: .ci/run installs it")
        pytest.skip("no chromium on this machine (apt-get install chromium)")
    return found


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("browser") / "netherlands.html"
    result = invoke("report", DUTCH, "--output", target)
    assert result.exit_code == ExitCode.OK, result.output
    return target


def run_browser(page: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    profile = page.parent / "profile"
    return subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={profile}",
            *args,
            page.as_uri(),
        ],
        capture_output=True,
        timeout=180,
        check=False,
    )


def pixels(png: bytes) -> tuple[int, int, bytes]:
    """A PNG's width, height and its decompressed scanlines (filter bytes included)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    at, idat, width, height = 8, b"", 0, 0
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, body = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    return width, height, zlib.decompress(idat)


def test_the_page_renders_to_a_screenshot_that_is_not_blank(page: Path) -> None:
    shot = page.parent / "shot.png"
    done = run_browser(page, f"--screenshot={shot}", "--window-size=1280,2400")
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    width, height, raw = pixels(shot.read_bytes())
    assert (width, height) == (1280, 2400)
    assert len(set(raw)) > 50  # text, tables and bars: many colours, not one flat page


def test_the_rendered_dom_has_the_headline(page: Path) -> None:
    done = run_browser(page, "--dump-dom")
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    dom = done.stdout.decode("utf-8")
    found: dict[str, Any] = json.loads(invoke("optimise", DUTCH, "--format", "json").stdout)
    assert found["portfolio"]["name"] in dom
    assert f"<b>{amount(found['value'])}</b>" in dom
    assert f"<b>{amount(found['cost']['total'])}</b>" in dom
    assert dom.count("<svg") >= 3  # the charts are in the rendered page


def test_the_page_has_no_external_references(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "<link" not in html
    for marker in ("http:", "https:", 'src="//', 'href="//', "url(//"):
        assert marker not in html
