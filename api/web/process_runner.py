"""The process runner: queries on an on-disk store, in worker processes the server can stop.

Each worker holds a *snapshot* of the store open read-only (:mod:`cubegraph.kg.snapshots`:
a checkpoint of the writer in a folder nothing writes to again, never the writer's own
folder, which pyoxigraph does not allow beside a live writer). A query that runs past its
deadline is stopped by killing its worker, which is replaced at once; the others go on
serving. A job carries the server's write count when it arrived (its *generation*,
:attr:`~cubegraph.api.web.state.ApiState.writes`) and gets the path of a snapshot holding
at least that many writes (taken when the newest is older: a burst of writes costs one); a
worker opens it before answering: a reader sees every update whose response was sent before its query
arrived, and opening a snapshot costs the same after 10 writes or 10,000.

Idle workers are handed out fairly (:mod:`.fair_share`: a client with a query running
never takes the last idle one), a spare is started while all are busy, and a query's
memory is capped (``RLIMIT_AS``): no client can starve the others.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import pickle
import resource
import select
import signal
import threading
import time

from cubegraph.api.web.errors import QueryTimeout, QueryTooLarge, ServerBusy
from cubegraph.api.web.fair_share import FairShare
from cubegraph.api.web.negotiation import ResultFormats
from cubegraph.api.web.query_runner import Answer, QueryJob, execute
from cubegraph.errors import CubegraphError
from cubegraph.kg import open_store
from cubegraph.kg.errors import StoreError, StoreUnavailable
from cubegraph.kg.snapshots import Snapshots

__all__ = ["ProcessRunner", "limit_memory"]

log = logging.getLogger(__name__)

#: Seconds a new worker may take to start (an interpreter, pyoxigraph, a snapshot's open).
_START_TIMEOUT = 120.0
#: Seconds a spare worker stays idle before it is stopped.
_SPARE_IDLE = 30.0


def _worker_main(conn, snapshot: str, base_iri: str, memory_mb: int = 0) -> None:
    """Body of a worker process: open a snapshot read-only, answer jobs until told to stop,
    opening each job's snapshot when it is another one. With ``memory_mb``, the process may
    grow that much beyond its size once started (an allocation past it aborts the process:
    the runner tells the client why)."""
    # Ctrl-C in a terminal reaches the whole process group: the server stops its workers
    # itself (a worker dying of it mid-shutdown was replaced, and the stop could hang)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    store, current = None, None

    def reopen(path: str):
        nonlocal store, current
        if store is not None:
            store.close()
            store = None
        store = open_store(path, base_iri=base_iri, read_only=True)
        current = path

    try:
        reopen(snapshot)
    except CubegraphError:
        store = None  # reported on the first job
    if memory_mb > 0:
        limit_memory(memory_mb)
    conn.send_bytes(pickle.dumps(("ready",)))  # no job waits on an interpreter starting
    while True:
        try:
            job = _decode_job(conn.recv_bytes())
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            if store is None or job.snapshot != current:
                reopen(job.snapshot)
            answer = execute(store, job)
            reply = ("ok", answer.kind, answer.format, answer.media_type, answer.body, answer.truncated)
        except CubegraphError as exc:
            reply = ("error", exc)
        except Exception as exc:  # noqa: BLE001 - the worker must answer, never die silently
            reply = ("error", StoreError(f"the query failed: {type(exc).__name__}: {exc}"))
        conn.send_bytes(pickle.dumps(reply, pickle.HIGHEST_PROTOCOL))


def limit_memory(memory_mb: int) -> None:
    """Cap this process's address space at its present size plus ``memory_mb``."""
    with open("/proc/self/status") as status:
        size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize"))
    limit = size + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _encode_job(job: QueryJob | None, snapshot: str | None = None) -> bytes:
    """A job as it crosses the pipe to a worker: a tuple of plain values, pickled.

    Speed seam: bypasses pickling the :class:`QueryJob` (and, on the way back, the
    :class:`Answer`) dataclasses, which costs CPU on both sides of every request;
    ``tests/api/web/test_fast_paths.py::test_jobs_and_answers_cross_the_pipe_unchanged``
    holds both equal after the trip, and the worker's answer equal to the in-process one
    (figure: docs/benchmarks.md).
    """
    if job is None:
        return pickle.dumps(None)
    f = job.formats
    return pickle.dumps((job.text, job.default_graphs, job.named_graphs, f.solutions, f.graph,
                         f.accept, f.format_param, job.max_rows, job.generation,
                         job.snapshot if snapshot is None else snapshot, job.keep, job.next_url),
                        pickle.HIGHEST_PROTOCOL)


def _decode_job(data: bytes) -> QueryJob | None:
    fields = pickle.loads(data)
    if fields is None:
        return None
    (text, default_graphs, named_graphs, solutions, graph, accept, format_param, max_rows,
     generation, snapshot, keep, next_url) = fields
    return QueryJob(text, default_graphs, named_graphs,
                    ResultFormats(solutions, graph, accept, format_param),
                    max_rows, generation, snapshot, keep, next_url)


def _decode_reply(data: bytes) -> tuple[str, object]:
    reply = pickle.loads(data)
    if reply[0] == "ok":
        return "ok", Answer(*reply[1:])
    return reply[0], reply[1]


class _Worker:
    def __init__(self, ctx, snapshot: str, base_iri: str, memory_mb: int = 0):
        self.snapshot = snapshot  # the one it has open (or opens with its next job)
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, snapshot, base_iri, memory_mb),
                                   name="cubegraph-query-worker", daemon=True)
        self.process.start()
        child.close()
        # One poller for the worker's life: Connection.poll builds a selector each call.
        self._poller = select.poll()
        self._poller.register(self.conn.fileno(), select.POLLIN)

    def answered(self, timeout: float) -> bool:
        """Wait at most ``timeout`` seconds for the worker's reply (or its end)."""
        return bool(self._poller.poll(max(0, math.ceil(timeout * 1000))))

    def kill(self) -> None:
        self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        # Reap in the background: joining here would delay the request that timed out.
        threading.Thread(target=self.process.join, args=(5,), daemon=True).start()


class ProcessRunner:
    """A pool of worker processes, each with a snapshot of the on-disk store open read-only.

    Args:
        snapshots: the snapshots of the server's read-write store.
        base_iri: the store's base IRI.
        workers: queries one client may run in parallel. One more worker process is kept
            running, idle for a client with no query running (:mod:`.fair_share`), so a
            lone client keeps its ``workers`` in parallel.
        spares: workers started beyond those when requests have to wait; stopped again
            after a quiet spell.
        memory_mb: what a query may allocate in its worker (its address space beyond the
            worker's own, ``RLIMIT_AS``); past it the worker ends and the client gets 503.
            0: no limit.
    """

    def __init__(self, snapshots: Snapshots, base_iri: str, *, workers: int, spares: int = 1,
                 memory_mb: int = 0):
        # spawn, not fork: the server is multi-threaded and holds the read-write store;
        # a forked child would inherit locks and RocksDB handles in an unknown state.
        self._ctx = multiprocessing.get_context("spawn")
        self._snapshots, self._base_iri, self._memory_mb = snapshots, base_iri, memory_mb
        self._lock = threading.Lock()
        self._share: FairShare[_Worker] = FairShare()
        self._closed = False
        self._all: set[_Worker] = set()
        self._min = max(1, workers) + 1  # the one kept for a newcomer
        self._max = self._min + max(0, spares)
        self._starting = 0
        # started together, then waited for: the server answers once they can
        for worker in [self._spawn() for _ in range(self._min)]:
            self._ready(worker)

    def _spawn(self) -> _Worker:
        # the worker's hold on the newest snapshot (a job brings a newer one when it needs
        # it), until it moves on or ends
        worker = _Worker(self._ctx, self._snapshots.acquire(0), self._base_iri,
                         self._memory_mb)
        with self._lock:
            self._all.add(worker)
        return worker

    def _ready(self, worker: _Worker) -> None:
        """Hand ``worker`` out once it says it is ready (its interpreter started, its
        snapshot open): a job never waits on a starting process."""
        try:
            if worker.conn.poll(_START_TIMEOUT) and pickle.loads(worker.conn.recv_bytes()) == ("ready",):
                self._share.put(worker)
                return
        except (EOFError, OSError):
            pass
        log.warning("a query worker did not start (exit code %s)", worker.process.exitcode)
        self._stop(worker)

    def _add_worker(self) -> None:
        """Start a worker in the background (up to the maximum); it is handed out when ready."""
        with self._lock:
            if self._closed or len(self._all) + self._starting >= self._max:
                return
            self._starting += 1

        def start():
            try:
                worker = self._spawn()
            finally:
                with self._lock:
                    self._starting -= 1
            self._ready(worker)

        threading.Thread(target=start, name="cubegraph-worker-start", daemon=True).start()

    def _stop(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()
        self._snapshots.release(worker.snapshot)

    def _replace(self, worker: _Worker) -> None:
        self._stop(worker)
        with self._lock:
            short = not self._closed and len(self._all) + self._starting < self._min
        if short:
            self._add_worker()

    def _give_back(self, client, worker: _Worker | None) -> None:
        """``client``'s job is done; ``worker`` (when it lives on) is idle again. Spares idle
        for a quiet spell (:data:`_SPARE_IDLE` seconds) are stopped, down to ``workers`` + 1:
        not at once, which under steady load would stop and start one again and again."""
        self._share.done(client, worker)
        if worker is None:
            return
        with self._lock:
            surplus = len(self._all) - self._min
        if surplus > 0:
            for stale in self._share.stale(_SPARE_IDLE, keep=1, limit=surplus):
                self._stop(stale)

    def run(self, job: QueryJob, timeout: float, client: str | None = None) -> Answer:
        """Run a job on an idle worker; kill and replace the worker at the deadline.

        Args:
            job: the query, with ``generation`` the server's write count when it arrived
                (its answer holds at least those writes).
            client: who asks (the peer's address): a client with a query running never
                takes the last idle worker (:mod:`.fair_share`).

        Raises:
            ServerBusy: no worker became free before the deadline.
            QueryTimeout: the query ran past the deadline (it was stopped).
            QueryTooLarge: the query's worker ran out of the memory a query may use.
            StoreUnavailable: the worker died while answering.
            CubegraphError: whatever the query raised (syntax error, 406, ...).
        """
        deadline = time.monotonic() + timeout
        # the job's hold on a snapshot with its generation's writes, until it is answered
        snapshot = self._snapshots.acquire(job.generation)
        try:
            return self._run(job, snapshot, timeout, deadline, client)
        finally:
            self._snapshots.release(snapshot)

    def _run(self, job: QueryJob, snapshot: str, timeout: float, deadline: float, client) -> Answer:
        # A worker can end (found dead at dispatch, or a crash under load): queries only
        # read, so one retry on a fresh worker is safe, unless the query's own memory use
        # ended it (that would happen again).
        for attempt in (1, 2):
            worker = self._share.take(client, deadline, on_wait=self._add_worker)
            if worker is not None and time.monotonic() >= deadline:
                self._give_back(client, worker)  # handed over as the wait ran out: not run
                worker = None
            if worker is None:
                raise ServerBusy(f"every query worker stayed busy for {timeout:g} s: "
                                 "try again shortly")
            try:
                if not worker.process.is_alive():
                    raise EOFError("the worker had stopped")
                if worker.snapshot != snapshot:  # the worker moves to the job's snapshot
                    self._snapshots.retain(snapshot)
                    left, worker.snapshot = worker.snapshot, snapshot
                    self._snapshots.release(left)
                worker.conn.send_bytes(_encode_job(job, snapshot))
                if not worker.answered(deadline - time.monotonic()):
                    self._replace(worker)
                    worker = None
                    raise QueryTimeout(f"the query ran past the server's limit of {timeout:g} s "
                                       "and was stopped: add a LIMIT or narrower patterns")
                status, payload = _decode_reply(worker.conn.recv_bytes())
            except (EOFError, OSError) as exc:
                code = None
                if worker is not None:
                    worker.process.join(1)  # its exit code says why (before it is reaped)
                    code = worker.process.exitcode
                    self._replace(worker)
                    worker = None
                if self._memory_mb and code == -signal.SIGABRT:
                    # an allocation past the limit aborted it: the same query would again
                    raise QueryTooLarge(
                        f"the query needed more memory than the server allows a query "
                        f"({self._memory_mb} MB) and was stopped: add a LIMIT or narrower "
                        "patterns") from exc
                log.warning("a query worker ended (%s, exit code %s)", exc, code)
                if attempt == 2 or time.monotonic() >= deadline:
                    raise StoreUnavailable(f"the query worker ended while answering ({exc}); "
                                           "the query was not completed") from exc
                continue
            finally:
                self._give_back(client, worker)
            if status == "error":
                raise payload
            return payload
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Stop every worker (politely first, then by force)."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            try:
                worker.conn.send_bytes(_encode_job(None))
            except OSError:
                pass
        for worker in workers:
            worker.process.join(2)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(2)
            worker.conn.close()
        self._snapshots.close()
