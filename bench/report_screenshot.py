"""The README's picture of `defplan report`: the Dutch example's page in the
distribution's headless Chromium, the top 1200 x 2300 pixels (headline, selection and
the first spending charts), written to docs/report-netherlands.png.

    .venv/bin/python bench/report_screenshot.py

Needs `chromium` on PATH (apt-get install chromium).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "portfolios" / "netherlands-2026.yaml"
TARGET = ROOT / "docs" / "report-netherlands.png"
SIZE = "1200,2300"


def main() -> None:
    browser = shutil.which("chromium") or sys.exit("no chromium on PATH: apt-get install chromium")
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "netherlands.html"
        # the file's path as the README shows it, not this machine's
        subprocess.run(
            [
                sys.executable,
                "-m",
                "defplan",
                "report",
                "portfolios/netherlands-2026.yaml",
                "--output",
                str(page),
            ],
            cwd=ROOT,
            check=True,
        )
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--user-data-dir={Path(folder) / 'profile'}",
                f"--screenshot={TARGET}",
                f"--window-size={SIZE}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
        )
    print(f"{TARGET.relative_to(ROOT)}: {TARGET.stat().st_size / 1000:.0f} kB")


if __name__ == "__main__":
    main()
