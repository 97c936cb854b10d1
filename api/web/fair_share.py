"""Idle query workers handed out so that no client can hold them all (issue 14).

Before, the first requests to arrive took the workers: as many runaway queries as there were
workers (two by default) made every other client wait out the deadline and get 503. Now a
client (its address) with a query already running never takes the *last* idle worker: that
one is kept for a client with none running. Together with a spare worker started in the
background whenever a request has to wait (up to a maximum, see
:class:`~cubegraph.api.web.process_runner.ProcessRunner`), a client's second, third, ...
runaway query waits for its own earlier ones, while a newcomer is answered at once.

Clients are told apart by the address the server sees: behind a proxy that does not keep
it, every client is one, and this degrades to first come, first served.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, deque
from typing import Generic, TypeVar

__all__ = ["FairShare"]

W = TypeVar("W")

log = logging.getLogger(__name__)


class _Waiter:
    """A request waiting for a worker: woken alone when one is handed to it."""

    __slots__ = ("client", "event", "worker")

    def __init__(self, client):
        self.client, self.event, self.worker = client, threading.Event(), None


class FairShare(Generic[W]):
    """The idle workers, last in first out (a lone client reuses the warm one), how many each
    client has running, and the requests waiting, first come first served among those a
    worker may go to.

    A worker that comes free is handed straight to the first waiting request that may have
    it, and only that request's thread is woken: waking every waiting thread to let them
    race for it cost each request CPU under load (a waiting crowd is the normal state of a
    busy server).
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._idle: list[W] = []
        self._since: dict[int, float] = {}  # id(worker) -> when it became idle
        self._running: Counter = Counter()
        self._waiting: deque[_Waiter] = deque()

    def put(self, worker: W) -> None:
        """A worker is idle (new, or back from a job)."""
        with self._lock:
            self._idle.append(worker)
            self._since[id(worker)] = time.monotonic()
            self._dispatch()

    def stale(self, age: float, keep: int, limit: int | None = None) -> list[W]:
        """Take out the workers idle for more than ``age`` seconds, the longest idle first,
        leaving at least ``keep`` idle and taking at most ``limit``: the spares a quiet spell
        no longer needs."""
        now = time.monotonic()
        with self._lock:
            old = [w for w in self._idle if now - self._since.get(id(w), now) > age]
            old = old[:max(0, len(self._idle) - keep)]
            if limit is not None:
                old = old[:max(0, limit)]
            for worker in old:
                self._idle.remove(worker)
                self._since.pop(id(worker), None)
            return old

    def take(self, client: str | None, deadline: float, on_wait=None) -> W | None:
        """An idle worker for ``client``, waiting until ``deadline`` (``time.monotonic``);
        None when none could be had. A client with a query running waits while only one
        worker is idle. ``on_wait`` is called when the request has to wait (to start a
        spare: only demand that waits does). Pair with :meth:`done`."""
        with self._lock:
            if not self._waiting and self._may_take(client):
                return self._hand_out(client)
            waiter = _Waiter(client)
            self._waiting.append(waiter)
            self._dispatch()  # those ahead may not be allowed the idle worker this one may
            if waiter.worker is not None:
                return waiter.worker
        if on_wait is not None:
            try:
                on_wait()
            except Exception:  # noqa: BLE001 - a spare that cannot start must not lose the request
                log.exception("starting a spare query worker failed")
        waiter.event.wait(max(0.0, deadline - time.monotonic()))
        with self._lock:
            if waiter.worker is None:  # the deadline came first
                self._waiting.remove(waiter)
                self._dispatch()  # those behind it may be served now
            return waiter.worker

    def done(self, client: str | None, worker: W | None = None) -> None:
        """``client``'s job ended (answered, failed or stopped); ``worker``, when given, is
        idle again."""
        with self._lock:
            self._running[client] -= 1
            if self._running[client] <= 0:
                del self._running[client]
            if worker is not None:
                self._idle.append(worker)
                self._since[id(worker)] = time.monotonic()
            self._dispatch()

    @property
    def idle(self) -> int:
        with self._lock:
            return len(self._idle)

    # --- under the lock ---------------------------------------------------------------------
    def _may_take(self, client) -> bool:
        return bool(self._idle) and (self._running[client] == 0 or len(self._idle) > 1)

    def _hand_out(self, client) -> W:
        self._running[client] += 1
        worker = self._idle.pop()
        self._since.pop(id(worker), None)
        return worker

    def _dispatch(self) -> None:
        """Hand idle workers to the waiting requests that may have them, oldest first."""
        while self._idle and self._waiting:
            waiter = next((w for w in self._waiting if self._may_take(w.client)), None)
            if waiter is None:
                return
            self._waiting.remove(waiter)
            waiter.worker = self._hand_out(waiter.client)
            waiter.event.set()
