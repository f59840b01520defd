"""`--scheduler`: robust and risk samples and sweep points on a real Dask cluster (a `dask
scheduler` and a `dask worker` process on this machine), byte for byte the answers of
this machine alone."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from samples import invoke

distributed = pytest.importorskip("distributed")  # make test installs it (defplan[dask])

PORTFOLIOS = Path(__file__).resolve().parent.parent / "portfolios"
TUTORIAL = PORTFOLIOS / "tutorial.yaml"
DUTCH = PORTFOLIOS / "netherlands-2026.yaml"
SECONDS = re.compile(r'"seconds": [0-9.e-]+')


STARTUP = 240
"""Seconds the scheduler and its workers get to come up."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """The address of a scheduler with two single-threaded worker processes."""
    dask = str(Path(sys.executable).with_name("dask"))
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    processes = [
        subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            **quiet,
        )
    ]
    try:
        worker = [dask, "worker", address, "--nworkers", "2", "--nthreads", "1"]
        worker += ["--no-dashboard", "--memory-limit", "0"]
        processes.append(subprocess.Popen(worker, **quiet))
        client = None
        # generous: on a loaded 2-core machine three processes importing dask and
        # defplan took over a minute to come up
        deadline = time.monotonic() + STARTUP
        while client is None:
            try:
                client = distributed.Client(address, timeout=5, set_as_default=False)
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        with client:
            client.wait_for_workers(2, timeout=STARTUP)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _output(*args: str, env: dict[str, str] | None = None) -> str:
    result = invoke(*args, env=env) if env else invoke(*args)
    assert result.exit_code == 0, result.stderr
    return SECONDS.sub('"seconds": 0', result.stdout)


def test_robust_on_the_cluster_answers_as_this_machine(scheduler: str) -> None:
    args = ("robust", TUTORIAL, "--samples", "23", "--seed", "4", "--format", "json")
    here = _output(*args)
    assert json.loads(here)["borderline"]  # the samples disagree: the comparison means something
    assert _output(*args, "--scheduler", scheduler) == here
    assert _output(*args, env={"DEFPLAN_SCHEDULER": scheduler}) == here
    table = ("robust", TUTORIAL, "--samples", "23", "--seed", "4")
    assert _output(*table, "--scheduler", scheduler) == _output(*table)


SQUEEZED = """\
defplan: 1
name: A mandatory candidate that may overrun the budget
objectives: {v: {weight: 1}}
budget: {total: 105}
candidates:
  - {id: core, cost: 100, value: {v: 5}, mandatory: true, cost_risk: [0.8, 1.0, 1.2]}
  - {id: extra, cost: 10, value: {v: 1}, cost_risk: [0.5, 1.5]}
  - {id: spare, cost: 4, value: {v: [0, 1]}}
"""


def test_robust_with_drawn_costs_on_the_cluster_answers_as_this_machine(
    scheduler: str, tmp_path: Path
) -> None:
    # costs drawn per sample, some samples with no feasible portfolio: the same counts
    # with one worker, two, and the cluster
    path = tmp_path / "squeezed.yaml"
    path.write_text(SQUEEZED, encoding="utf-8")
    args = ("robust", str(path), "--samples", "57", "--seed", "3", "--format", "json")
    here = _output(*args)
    found = json.loads(here)
    assert 0 < found["infeasible_samples"] < 57 and found["borderline"]
    assert _output(*args, "--workers", "2") == here
    assert _output(*args, "--scheduler", scheduler) == here


def test_sweep_on_the_cluster_answers_as_this_machine(scheduler: str) -> None:
    args = ("sweep", TUTORIAL, "--budget", "400:1400:100", "--format", "json")
    here = _output(*args)
    assert _output(*args, "--scheduler", scheduler) == here
    assert len(json.loads(here)["points"]) == 11


def test_risk_on_the_cluster_answers_as_this_machine(scheduler: str) -> None:
    # 25,000 samples of the Dutch example's cost risk: three tasks of at most 10,000
    args = ("risk", DUTCH, "--samples", "25000", "--seed", "7", "--format", "json")
    here = _output(*args)
    assert 0 < json.loads(here)["within_every_cap"] < 1  # the draws matter here
    assert _output(*args, "--scheduler", scheduler) == here


def test_a_scheduler_that_does_not_answer_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import defplan.cluster

    monkeypatch.setattr(defplan.cluster, "CONNECT_SECONDS", 1.0)
    address = f"tcp://127.0.0.1:{_free_port()}"  # nothing listens there
    result = invoke("robust", TUTORIAL, "--samples", "3", "--scheduler", address)
    assert result.exit_code == 2
    assert f"--scheduler {address}: no Dask scheduler answered there" in result.stderr
    assert "Traceback" not in result.stderr


def test_without_dask_the_scheduler_option_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    result = invoke("sweep", TUTORIAL, "--budget", "800", "--scheduler", "tcp://127.0.0.1:1")
    assert result.exit_code == 2
    assert "pip install 'defplan[dask]'" in result.stderr


def test_an_empty_scheduler_variable_means_this_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    from defplan.cluster import scheduler_address

    monkeypatch.setenv("DEFPLAN_SCHEDULER", " ")
    assert scheduler_address(None) is None
    monkeypatch.setenv("DEFPLAN_SCHEDULER", "tcp://127.0.0.1:8786")
    assert scheduler_address(None) == "tcp://127.0.0.1:8786"
    assert scheduler_address("tcp://127.0.0.1:9") == "tcp://127.0.0.1:9"
