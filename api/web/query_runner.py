"""Running SPARQL queries under a deadline, away from the server's own threads.

pyoxigraph cannot cancel a query from Python, so a runaway query can only be stopped by
ending what runs it. Two runners share one interface (``run``, ``bump``, ``close``):

- :class:`ProcessRunner` (on-disk stores): a small pool of worker processes, each holding
  a *snapshot* of the store open read-only (:mod:`cubegraph.kg.snapshots`: a checkpoint
  of the writer in a folder nothing writes to again, never the writer's own folder, which
  pyoxigraph does not allow beside a live writer). A query that runs past its deadline is
  stopped by killing its worker, which is replaced at once; the others go on serving.
  Every write done through the server bumps a *generation* counter
  (:meth:`ProcessRunner.bump`); a job carries the path of a snapshot holding at least its
  generation (taken when the newest is older: a burst of writes costs one), and a worker
  opens it before answering: a reader sees every update whose response was sent before
  its query arrived, and opening a snapshot costs the same after 10 writes or 10,000.
- :class:`ThreadRunner` (in-memory stores, used by tests and embedding, and remote stores):
  an in-memory store cannot be shared across processes, and a remote store's own server
  runs the query, so queries run in a thread pool and the caller stops *waiting* at the
  deadline; the query itself cannot be stopped and finishes in the background, holding one
  of the pool's threads until then (for a remote store, until the HTTP request times out:
  ``create_app`` sets that just past the deadline).

Answers are serialised in the worker by pyoxigraph (no Python loop over rows) in the format
negotiated before the query ran, and capped at ``max_rows``: a longer result is truncated
to ``max_rows`` rows and flagged (``Answer.truncated``), never silently cut.
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import pickle
import queue
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from cubegraph.api.web.errors import NotAcceptable, QueryTimeout, ServerBusy
from cubegraph.api.web.negotiation import ResultFormats, not_acceptable_message
from cubegraph.errors import CubegraphError
from cubegraph.kg import Store, open_store
from cubegraph.kg.errors import StoreError, StoreUnavailable
from cubegraph.kg.serialize import serialize_capped
from cubegraph.kg.snapshots import Snapshots

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class QueryJob:
    """One query to run: its text, dataset, negotiated formats and row cap."""

    text: str
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    formats: ResultFormats
    max_rows: int
    generation: int = 0
    snapshot: str = ""


@dataclasses.dataclass(frozen=True)
class Answer:
    """A serialised query answer.

    Attributes:
        kind: ``select``, ``ask`` or ``graph``.
        format: the format name (``json``, ``turtle``, ...).
        media_type: its media type.
        body: the serialised bytes.
        truncated: True when the result had more than ``max_rows`` rows (or triples) and
            ``body`` holds the first ``max_rows`` only.
    """

    kind: str
    format: str
    media_type: str
    body: bytes
    truncated: bool = False


def execute(store: Store, job: QueryJob) -> Answer:
    """Run one job on a store and serialise its answer (in whatever process holds the store).

    Raises:
        QuerySyntaxError: the query does not parse.
        NotAcceptable: the result's kind has no format the client accepts.
        FormatCannotCarry: the negotiated format is XML and a literal holds a character
            XML 1.0 cannot write.
    """
    result = store.query(job.text,
                         default_graph=list(job.default_graphs) if job.default_graphs is not None else None,
                         named_graphs=list(job.named_graphs) if job.named_graphs is not None else None)
    try:
        return _answer(result, job)
    except BaseException as exc:
        # A pyoxigraph result must be dropped on the thread that made it: the traceback,
        # raised on in the request's thread, would keep it alive (in its frames) until then.
        traceback.clear_frames(exc.__traceback__)
        raise
    finally:
        del result


def _answer(result, job: QueryJob) -> Answer:
    chosen = job.formats.for_kind(result.kind)
    if chosen is None:
        what = "graph (CONSTRUCT/DESCRIBE)" if result.kind == "graph" else f"{result.kind.upper()} result"
        raise NotAcceptable(not_acceptable_message(None, None, what) +
                            " (the Accept header or format parameter allows none of them)")
    name, media = chosen
    body, truncated = serialize_capped(result, name, job.max_rows)
    return Answer(result.kind, name, media, body, truncated)


# --- thread runner (in-memory and remote stores) -----------------------------------------------

class ThreadRunner:
    """Queries in a thread pool, with a deadline on the wait (not on the query).

    Args:
        store: the (in-memory or remote) store every query runs on.
        threads: size of the pool.
    """

    def __init__(self, store: Store, *, threads: int):
        self.store = store
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="cubegraph-query")

    def run(self, job: QueryJob, timeout: float) -> Answer:
        """Run a job, waiting at most ``timeout`` seconds.

        Raises:
            QueryTimeout: the answer did not come in time (the query goes on in the
                background: threads cannot be stopped).
        """
        future = self._pool.submit(execute, self.store, job)
        try:
            return future.result(timeout)
        except FutureTimeout:
            future.cancel()
            raise QueryTimeout(f"the query ran past the server's limit of {timeout:g} s: "
                               "add a LIMIT or narrower patterns") from None

    def bump(self) -> None:
        """Nothing to do: every thread reads the live store."""

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


# --- process runner (on-disk stores) --------------------------------------------------------

def _worker_main(conn, snapshot: str, base_iri: str) -> None:
    """Body of a worker process: open a snapshot read-only, answer jobs until told to stop,
    opening each job's snapshot when it is another one."""
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


def _encode_job(job: QueryJob | None) -> bytes:
    """A job as it crosses the pipe to a worker: a tuple of plain values, pickled.

    Speed seam: bypasses pickling the :class:`QueryJob` (and, on the way back, the
    :class:`Answer`) dataclasses, which costs CPU on both sides of every request;
    ``tests/api/web/test_fast_paths.py::test_jobs_and_answers_cross_the_pipe_unchanged``
    holds both equal after the trip, and the worker's answer equal to the in-process one
    (figure: docs/benchmarks.md).
    """
    if job is None:
        return pickle.dumps(None)
    return pickle.dumps((job.text, job.default_graphs, job.named_graphs, job.formats.solutions,
                         job.formats.graph, job.max_rows, job.generation, job.snapshot),
                        pickle.HIGHEST_PROTOCOL)


def _decode_job(data: bytes) -> QueryJob | None:
    fields = pickle.loads(data)
    if fields is None:
        return None
    text, default_graphs, named_graphs, solutions, graph, max_rows, generation, snapshot = fields
    return QueryJob(text, default_graphs, named_graphs, ResultFormats(solutions, graph),
                    max_rows, generation, snapshot)


def _decode_reply(data: bytes) -> tuple[str, object]:
    reply = pickle.loads(data)
    if reply[0] == "ok":
        return "ok", Answer(*reply[1:])
    return reply[0], reply[1]


class _Worker:
    def __init__(self, ctx, snapshot: str, base_iri: str):
        self.snapshot = snapshot  # the one it has open (or opens with its next job)
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, snapshot, base_iri),
                                   name="cubegraph-query-worker", daemon=True)
        self.process.start()
        child.close()

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
        workers: number of worker processes (queries answered in parallel).
    """

    def __init__(self, snapshots: Snapshots, base_iri: str, *, workers: int):
        # spawn, not fork: the server is multi-threaded and holds the read-write store;
        # a forked child would inherit locks and RocksDB handles in an unknown state.
        self._ctx = multiprocessing.get_context("spawn")
        self._snapshots, self._base_iri = snapshots, base_iri
        self._generation = 0
        self._lock = threading.Lock()
        # Last in, first out: a lone client keeps reusing the worker whose caches are warm.
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._closed = False
        self._all: set[_Worker] = set()
        for _ in range(max(1, workers)):
            self._add_worker()

    def _add_worker(self) -> None:
        # the worker's hold on the snapshot it opens, until it moves on or ends
        worker = _Worker(self._ctx, self._snapshots.acquire(self._generation), self._base_iri)
        with self._lock:
            self._all.add(worker)
        self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()
        self._snapshots.release(worker.snapshot)
        if not self._closed:
            self._add_worker()

    def bump(self) -> None:
        """Record a committed write: workers re-open their snapshot before the next job."""
        with self._lock:
            self._generation += 1

    @property
    def generation(self) -> int:
        return self._generation

    def run(self, job: QueryJob, timeout: float) -> Answer:
        """Run a job on an idle worker; kill and replace the worker at the deadline.

        Raises:
            ServerBusy: no worker became free before the deadline.
            QueryTimeout: the query ran past the deadline (it was stopped).
            StoreUnavailable: the worker died while answering.
            CubegraphError: whatever the query raised (syntax error, 406, ...).
        """
        deadline = time.monotonic() + timeout
        generation = self._generation
        # the job's hold on its snapshot, from now until it is answered
        job = dataclasses.replace(job, generation=generation,
                                  snapshot=self._snapshots.acquire(generation))
        try:
            return self._run(job, timeout, deadline)
        finally:
            self._snapshots.release(job.snapshot)

    def _run(self, job: QueryJob, timeout: float, deadline: float) -> Answer:
        # A worker can die between jobs: queries only read, so one retry on a fresh worker
        # is safe.
        for attempt in (1, 2):
            try:
                worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise ServerBusy(f"every query worker stayed busy for {timeout:g} s: "
                                 "try again shortly") from None
            try:
                if not worker.process.is_alive():
                    raise EOFError("the worker had stopped")
                if worker.snapshot != job.snapshot:  # the worker moves to the job's snapshot
                    self._snapshots.retain(job.snapshot)
                    left, worker.snapshot = worker.snapshot, job.snapshot
                    self._snapshots.release(left)
                worker.conn.send_bytes(_encode_job(job))
                if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                    self._replace(worker)
                    worker = None
                    raise QueryTimeout(f"the query ran past the server's limit of {timeout:g} s "
                                       "and was stopped: add a LIMIT or narrower patterns")
                status, payload = _decode_reply(worker.conn.recv_bytes())
            except (EOFError, OSError) as exc:
                if worker is not None:
                    self._replace(worker)
                    worker = None
                if attempt == 2 or time.monotonic() >= deadline:
                    raise StoreUnavailable(f"the query worker ended while answering ({exc}); "
                                           "the query was not completed") from exc
                log.warning("a query worker had ended (%s): retrying on a fresh one", exc)
                continue
            finally:
                if worker is not None:
                    self._idle.put(worker)
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
