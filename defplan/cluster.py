"""Work sent to a Dask distributed cluster (`--scheduler ADDRESS`, or DEFPLAN_SCHEDULER):
the samples of `robust` and the points of `sweep`, in chunks, when one machine is not
enough. An optional extra (`pip install 'defplan[dask]'`): nothing here is imported
unless a scheduler is given.

Each chunk is a list of items (sample numbers, budgets) that one task works through in
order, as a local worker would; results come back in the order of the chunks. A sample
draws from its own seeded stream and a sweep's chunk starts afresh, so a cluster gives
the same answers, byte for byte, as this machine alone.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TypeVar

from defplan.errors import UsageError

T = TypeVar("T")
R = TypeVar("R")

ENVIRONMENT = "DEFPLAN_SCHEDULER"
"""The variable that names a scheduler when --scheduler does not."""
MISSING = "--scheduler needs Dask's distributed package: pip install 'defplan[dask]'"
CONNECT_SECONDS = 10.0
"""How long to wait for the scheduler to answer before giving up."""


def scheduler_address(given: str | None) -> str | None:
    """The scheduler to use: --scheduler, else DEFPLAN_SCHEDULER, else None (this
    machine). An empty value means none."""
    address = given if given is not None else os.environ.get(ENVIRONMENT)
    return address.strip() or None if address is not None else None


def run_chunks(
    address: str,
    work: Callable[[list[T]], list[R]],
    chunks: Sequence[list[T]],
    on_item: Callable[[], None] | None = None,
) -> list[R]:
    """work(chunk) for every chunk on the cluster at `address`, the results of all
    chunks in order, as one list; `on_item` runs here once per item done."""
    try:
        from distributed import Client
    except ImportError:
        raise UsageError(MISSING) from None
    try:
        client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError(
            f"--scheduler {address}: no Dask scheduler answered there ({exc})"
        ) from None
    results: list[R] = []
    with client:
        futures = client.map(work, list(chunks), pure=False)
        for future in futures:
            done = future.result()
            results.extend(done)
            if on_item is not None:
                for _ in done:
                    on_item()
    return results


def chunked(items: Sequence[T], size: int) -> list[list[T]]:
    """items cut into runs of at most `size`, in order."""
    return [list(items[k : k + size]) for k in range(0, len(items), max(1, size))]
