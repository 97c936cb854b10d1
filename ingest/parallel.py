"""Worker processes for ingest: the CPU-bound stages of many cubes on every core.

Reading, interpreting, describing and validating a cube is pure Python work that holds the
GIL, so threads would not help; processes do. The caller (one process, the store's only
writer) writes what comes back while the workers go on with the next chunks, and describes
cubes itself while they start. Workers are started with ``spawn`` (no inherited store
handles or locks, same behaviour on every OS); starting them takes a while (each imports
the cube layer afresh), which is why small batches stay in-process (see
:func:`worker_count`). The figures behind these choices: docs/benchmarks.md, "Why the fast
paths exist".
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

__all__ = ["MIN_CUBES_FOR_WORKERS", "pool", "shared_map", "worker_count"]

#: Below this many cubes to describe, the workers' start-up costs more than they save
#: (measured on 2 cores with 300 and 1,000 cubes: docs/benchmarks.md).
MIN_CUBES_FOR_WORKERS = 500


def worker_count(requested: int | None, cubes: int) -> int:
    """Processes to use for ``cubes`` cubes: ``requested`` when given (0 or 1 = in-process),
    else every core when there are at least :data:`MIN_CUBES_FOR_WORKERS` cubes, else 0."""
    if requested is not None:
        return max(0, requested) if cubes else 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cores if cores > 1 and cubes >= MIN_CUBES_FOR_WORKERS else 0


def _start_worker(parent: int) -> None:
    # The writing process is the one every result waits for: it gets a core first.
    if hasattr(os, "nice"):
        os.nice(5)
    # A worker ends with its parent, even one killed outright (SIGKILL runs no clean-up):
    # orphaned, it is re-parented, which this thread notices. The parent's pid is passed
    # in, not read here: it may already be gone by the time a worker has started.
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(_WATCH_EVERY)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


#: How often a worker checks that its parent still lives (seconds).
_WATCH_EVERY = 0.5


@contextmanager
def pool(workers: int):
    """A spawn-started process pool of lower-priority workers that end with this process
    (even when it is killed); pending work is cancelled when the block is left early."""
    executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start_worker,
                                   initargs=(os.getpid(),))
    try:
        yield executor
    except BaseException:
        executor.shutdown(wait=True, cancel_futures=True)
        raise
    # Every result is in: the idle workers exit by themselves; joining them would only
    # make the caller wait for their exit.
    executor.shutdown(wait=False)


def shared_map(executor, fn: Callable, chunks: Iterable, *, ahead: int) -> Iterator:
    """``fn(chunk)`` for every chunk, in the workers and here: results as they come.

    The first ``ahead`` chunks go to the workers now; then one more each time a result is
    taken, so at most ``ahead`` chunks' results wait in memory. Until the first result
    comes (the workers are starting), this process runs ``fn`` on the last chunks not yet
    submitted instead of waiting; after that it only writes, which the workers' results
    wait for. A pool that breaks (its workers could not start) leaves the rest to this
    process, with a ``RuntimeWarning``.

    Speed seam: bypasses describing every cube in this process, one after the other;
    ``tests/ingest/test_parallel.py::test_workers_give_the_same_results_in_the_same_order``
    holds the results, their order and the graphs written equal to an ingest in one
    process (figure: docs/benchmarks.md).
    """
    todo = deque(chunks)
    pending: deque = deque()

    def submit() -> None:
        chunk = todo.popleft()
        pending.append((executor.submit(fn, chunk), chunk))

    for _ in range(min(ahead, len(todo))):
        submit()
    started = False
    while pending:
        future, chunk = pending[0]
        started = started or future.done()
        if not started and todo:
            yield fn(todo.pop())
            continue
        pending.popleft()
        try:
            result = future.result()
        except BrokenProcessPool as exc:  # e.g. a script without `if __name__ == "__main__"`
            warnings.warn(f"ingest workers stopped ({exc}); the other cubes are described in "
                          "this process", RuntimeWarning, stacklevel=2)
            for rest in [chunk, *(c for _, c in pending), *todo]:
                yield fn(rest)
            return
        if todo:
            submit()
        yield result
