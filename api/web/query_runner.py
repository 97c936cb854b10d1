"""Running SPARQL queries under a deadline, away from the server's own threads.

pyoxigraph cannot cancel a query from Python, so a runaway query can only be stopped by
ending what runs it. Two runners share one interface (``run``, ``close``):

- :class:`~cubegraph.api.web.process_runner.ProcessRunner` (on-disk stores, its own
  module): worker processes, each reading a snapshot of the store, fairly shared between
  clients; a query past its deadline is stopped by killing its worker.
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
import traceback
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from cubegraph.api.web.errors import NotAcceptable, QueryTimeout
from cubegraph.api.web.negotiation import ResultFormats, not_acceptable_message
from cubegraph.kg import Store
from cubegraph.kg.serialize import serialize_capped

__all__ = ["QueryJob", "Answer", "execute", "ThreadRunner"]

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class QueryJob:
    """One query to run: its text, dataset, negotiated formats and row cap."""

    text: str
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    formats: ResultFormats
    max_rows: int
    generation: int = 0  # the server's write count when the query arrived
    snapshot: str = ""  # the process runner's: the snapshot it is answered from
    keep: str = ""  # where a cut answer's whole result is kept for paging ("": not kept)
    next_url: str = ""  # the URL of that result's second page


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
        raise NotAcceptable(not_acceptable_message(job.formats.accept, job.formats.format_param, what) +
                            " (the Accept header or format parameter allows none of them)")
    name, media = chosen
    body, truncated = serialize_capped(result, name, job.max_rows, keep=job.keep,
                                       next_url=job.next_url)
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

    def run(self, job: QueryJob, timeout: float, client: str | None = None) -> Answer:
        """Run a job, waiting at most ``timeout`` seconds (``client`` is not used: threads
        cannot be shared fairly, a runaway query holds its thread until it ends).

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

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
