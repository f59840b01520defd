"""SECURITY.md's promises, in real processes: YAML never runs code, and a run writes
nothing but its --output (and CBC's private temporary folder, gone when it ends)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from samples import SMALL, TRACEBACK, run_many

from defplan.errors import ExitCode


def payloads(marker: Path) -> list[str]:
    """YAML that would create marker if a loader ran the code its tags name."""
    command = f'["touch {marker}"]'
    return [
        f"name: !!python/object/apply:os.system {command}\n",
        f'name: !!python/object/new:subprocess.Popen [["touch", "{marker}"]]\n',
        f"name: !<tag:yaml.org,2002:python/object/apply:os.system> {command}\n",
        f"objectives: !!python/object/apply:os.system {command}\n",
        "name: !!python/name:os.system\n",
        f'name: !!python/object/apply:builtins.exec ["open(\\"{marker}\\", \\"w\\")"]\n',
    ]


def test_yaml_tags_never_run_code(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    jobs = []
    for k, payload in enumerate(payloads(marker)):
        path = tmp_path / f"evil{k}.yaml"
        # the payload at the top and inside a candidate, in an otherwise valid portfolio
        path.write_text(payload + SMALL.replace("defplan: 1\nname: Small test portfolio\n", ""))
        jobs.append(["validate", str(path)])
    jobs.append(["optimise", jobs[0][1], "--format", "json"])  # the same loader
    for args, run in zip(jobs, run_many(jobs), strict=True):
        err = run.stderr.decode()
        assert run.returncode == ExitCode.USAGE, (args, err)
        assert err.startswith(args[1]) and TRACEBACK not in err, err
        assert run.stdout == b""
    assert not marker.exists()


def test_a_run_writes_only_its_output(tmp_path: Path) -> None:
    # every place a run might write to: home, the temporary folder, the working folder,
    # the input's folder; afterwards, only the --output file is new
    folders = {name: tmp_path / name for name in ("home", "temp", "work", "input")}
    for folder in folders.values():
        folder.mkdir()
    portfolio = folders["input"] / "small.yaml"
    portfolio.write_text(SMALL)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("XDG_")},
        "HOME": str(folders["home"]),
        "TMPDIR": str(folders["temp"]),  # CBC's model and solution files go here
    }
    for args in (
        ["optimise", str(portfolio), "--output", "out.json"],  # HiGHS and CBC race
        ["optimise", str(portfolio), "--solver", "cbc", "--time-limit", "5", "--budget", "80"],
        ["sweep", str(portfolio), "--budget", "60,100", "--workers", "2", "--format", "json"],
    ):
        run = subprocess.run(
            [sys.executable, "-m", "defplan", *args],
            cwd=folders["work"],
            env=env,
            capture_output=True,
            timeout=60,
        )
        assert run.returncode == 0, run.stderr.decode()
    contents = {name: sorted(os.listdir(folder)) for name, folder in folders.items()}
    assert contents == {"home": [], "temp": [], "work": ["out.json"], "input": ["small.yaml"]}
