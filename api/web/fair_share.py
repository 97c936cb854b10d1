"""Idle query workers handed out so that no client can hold them all (issue 14).

Before, the first requests to arrive took the workers: as many runaway queries as there were
workers (two by default) made every other client wait out the deadline and get 503. Now a
client (its address) with a query already running never takes the *last* idle worker: that
one is kept for a client with none running. Together with a spare worker started in the
background whenever the last idle one is taken (up to a maximum, see
:class:`~cubegraph.api.web.query_runner.ProcessRunner`), a client's second, third, ...
runaway query waits for its own earlier ones, while a newcomer is answered at once.

Clients are told apart by the address the server sees: behind a proxy that does not keep
it, every client is one, and this degrades to first come, first served.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Generic, TypeVar

__all__ = ["FairShare"]

W = TypeVar("W")


class FairShare(Generic[W]):
    """The idle workers, last in first out (a lone client reuses the warm one), and how
    many each client has running."""

    def __init__(self):
        self._cond = threading.Condition()
        self._idle: list[W] = []
        self._since: dict[int, float] = {}  # id(worker) -> when it became idle
        self._running: Counter = Counter()

    def put(self, worker: W) -> None:
        """A worker is idle (new, or back from a job)."""
        with self._cond:
            self._idle.append(worker)
            self._since[id(worker)] = time.monotonic()
            self._cond.notify_all()

    def stale(self, age: float, keep: int) -> list[W]:
        """Take out the workers idle for more than ``age`` seconds, the longest idle first,
        leaving at least ``keep`` idle: the spares a quiet spell no longer needs."""
        now = time.monotonic()
        with self._cond:
            old = [w for w in self._idle if now - self._since.get(id(w), now) > age]
            old = old[:max(0, len(self._idle) - keep)]
            for worker in old:
                self._idle.remove(worker)
                self._since.pop(id(worker), None)
            return old

    def take(self, client: str | None, deadline: float, on_wait=None) -> W | None:
        """An idle worker for ``client``, waiting until ``deadline`` (``time.monotonic``);
        None when none could be had. A client with a query running waits while only one
        worker is idle. ``on_wait`` is called each time the request has to wait (to start
        a spare: only demand that waits does). Pair with :meth:`done`."""
        with self._cond:
            while True:
                if self._idle and (self._running[client] == 0 or len(self._idle) > 1):
                    self._running[client] += 1
                    worker = self._idle.pop()
                    self._since.pop(id(worker), None)
                    return worker
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                if on_wait is not None:
                    on_wait()
                self._cond.wait(left)

    def done(self, client: str | None) -> None:
        """``client``'s job ended (answered, failed or stopped)."""
        with self._cond:
            self._running[client] -= 1
            if self._running[client] <= 0:
                del self._running[client]
            self._cond.notify_all()

    @property
    def idle(self) -> int:
        with self._cond:
            return len(self._idle)
