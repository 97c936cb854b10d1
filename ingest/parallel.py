"""Worker processes for ingest: the CPU-bound stages of many cubes on every core.

Reading, interpreting, describing and validating a cube is pure Python work that holds the
GIL, so threads would not help; processes do. The caller (one process, the store's only
writer) writes what comes back, in input order, while the workers go on with the next
chunks. Workers are started with ``spawn`` (no inherited store handles or locks, same
behaviour on every OS); starting them costs ~0.5-1 s, which is why small batches stay
in-process (see :func:`worker_count`).
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

__all__ = ["MIN_CUBES_FOR_WORKERS", "ordered_map", "pool", "worker_count"]

#: Below this many cubes to describe, the workers' start-up costs more than they save
#: (~0.5-1 s against ~6 ms saved per cube on 2 cores).
MIN_CUBES_FOR_WORKERS = 200


def worker_count(requested: int | None, cubes: int) -> int:
    """Processes to use for ``cubes`` cubes: ``requested`` when given (0 or 1 = in-process),
    else every core when there are at least :data:`MIN_CUBES_FOR_WORKERS` cubes, else 0."""
    if requested is not None:
        return max(0, requested) if cubes else 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cores if cores > 1 and cubes >= MIN_CUBES_FOR_WORKERS else 0


def _lower_priority() -> None:
    # The writing process is the one every result waits for: it gets a core first.
    if hasattr(os, "nice"):
        os.nice(5)


@contextmanager
def pool(workers: int):
    """A spawn-started process pool of lower-priority workers; pending work is cancelled
    when the block is left early."""
    executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_lower_priority)
    try:
        yield executor
    except BaseException:
        executor.shutdown(wait=True, cancel_futures=True)
        raise
    # Every result is in: the idle workers exit by themselves; joining them costs ~0.5 s.
    executor.shutdown(wait=False)


def ordered_map(executor, fn: Callable, chunks: Iterable, *, ahead: int) -> Iterator:
    """``fn(chunk)`` for every chunk in the workers, results in input order.

    The first ``ahead`` chunks are submitted now (the workers start while the caller does
    other work); then one more each time a result is taken, so at most ``ahead`` chunks'
    results wait in memory, however many cubes there are.
    """
    todo = iter(chunks)
    pending = deque(executor.submit(fn, c) for _, c in zip(range(ahead), todo))

    def results():
        while pending:
            future = pending.popleft()
            for chunk in todo:
                pending.append(executor.submit(fn, chunk))
                break
            yield future.result()

    return results()
