"""Updates given a deadline: rehearsed on a private copy of the store in a process the server
can stop, then applied (issue 14).

Why: pyoxigraph cannot stop an update once started, and the server applies updates in its
own process under the write lock: an update whose ``WHERE`` runs away (a token holder's
mistake, or a stolen token) held the lock, and every write behind it, for as long as it
ran, even after its client had gone.

How: an update that matches patterns or fetches a document
(:func:`~cubegraph.kg.sparql_text.evaluates_patterns`) is first run, under the write lock,
on a private snapshot of the store (:meth:`~cubegraph.kg.snapshots.Snapshots.private_copy`:
a RocksDB checkpoint, cheap) by a separate process with the query deadline and the
per-query memory cap. Only when the rehearsal ends in time, without error, and (where the
HTTP server can tell) with its client still connected, is the update applied to the store;
it then meets the data the rehearsal met, so it takes about as long. Otherwise the process
is killed and nothing is written. ``INSERT DATA``, ``DELETE DATA``, ``CLEAR``, ``DROP``, …
are applied at once: the text or the data they name bounds them.

The cost is the rehearsal itself: a pattern update runs twice (plus a checkpoint and an
open of the copy).
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
import select
import shutil
import signal
import threading
import time

from cubegraph.api.web.errors import ApiError, QueryTimeout, QueryTooLarge
from cubegraph.api.web.process_runner import limit_memory
from cubegraph.errors import CubegraphError
from cubegraph.kg import open_store
from cubegraph.kg.errors import StoreError
from cubegraph.kg.snapshots import Snapshots
from cubegraph.kg.sparql_text import evaluates_patterns

__all__ = ["ClientGone", "UpdateRehearsal"]

log = logging.getLogger(__name__)

#: Seconds the rehearsal process may take to start.
_START_TIMEOUT = 120.0
#: How often a waiting rehearsal asks whether its client is still there.
_CLIENT_CHECK = 0.25


class ClientGone(ApiError):
    """The client closed its connection before its update was applied: it was not."""

    http_status = 400


def _rehearse_main(conn, base_iri: str, memory_mb: int) -> None:
    """Body of the rehearsal process: for each job, open the copy read-write, run the
    update on it, close it, say how it went."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops it (see process_runner)
    if memory_mb > 0:
        limit_memory(memory_mb)
    conn.send_bytes(pickle.dumps(("ready",)))
    while True:
        try:
            job = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return
        if job is None:
            return
        path, text = job
        store = None
        try:
            store = open_store(path, base_iri=base_iri)
            store.update(text)
            reply = ("ok", None)
        except CubegraphError as exc:
            reply = ("error", exc)
        except Exception as exc:  # noqa: BLE001 - the process must answer, never die silently
            reply = ("error", StoreError(f"the update failed: {type(exc).__name__}: {exc}"))
        finally:
            if store is not None:
                store.close()
        conn.send_bytes(pickle.dumps(reply, pickle.HIGHEST_PROTOCOL))


class UpdateRehearsal:
    """Rehearses pattern updates on private copies of an on-disk store, one at a time (the
    caller holds the write lock).

    Args:
        snapshots: the snapshots of the server's read-write store (the copies go there).
        base_iri: the store's base IRI.
        memory_mb: what the rehearsal may allocate (as a query); 0: no limit.
    """

    def __init__(self, snapshots: Snapshots, base_iri: str, *, memory_mb: int = 0):
        self._ctx = multiprocessing.get_context("spawn")  # see ProcessRunner: never fork
        self._snapshots, self._base_iri, self._memory_mb = snapshots, base_iri, memory_mb
        self._lock = threading.Lock()
        self._process = self._conn = None

    def check(self, text: str, timeout: float, client_gone=None) -> None:
        """Rehearse ``text`` when it matches patterns or loads a document; return when it
        may be applied.

        Args:
            timeout: seconds the rehearsal may run.
            client_gone: a callable saying whether the client has gone (None: unknown).

        Raises:
            QueryTimeout: the update ran past ``timeout`` (stopped, nothing written).
            QueryTooLarge: it needed more memory than a query may use.
            ClientGone: the client left before it was applied.
            CubegraphError: whatever the update raised (it would raise it again).
        """
        if not evaluates_patterns(text):
            return
        with self._lock:
            copy = self._snapshots.private_copy()
            try:
                self._run(str(copy), text, timeout, client_gone)
            finally:
                shutil.rmtree(copy, ignore_errors=True)

    def _run(self, copy: str, text: str, timeout: float, client_gone) -> None:
        conn = self._started()
        deadline = time.monotonic() + timeout  # the update's own time, not the start's
        try:
            conn.send_bytes(pickle.dumps((copy, text), pickle.HIGHEST_PROTOCOL))
        except OSError:  # it had ended since: once more on a fresh one
            self._stop()
            conn = self._started()
            deadline = time.monotonic() + timeout
            conn.send_bytes(pickle.dumps((copy, text), pickle.HIGHEST_PROTOCOL))
        poller = select.poll()
        poller.register(conn.fileno(), select.POLLIN)
        while not poller.poll(int(min(_CLIENT_CHECK, max(0.0, deadline - time.monotonic())) * 1000)):
            if client_gone is not None and client_gone():
                self._stop()
                raise ClientGone("the client closed the connection before the update was "
                                 "applied: nothing was written")
            if time.monotonic() >= deadline:
                self._stop()
                raise QueryTimeout(
                    f"the update ran past the server's limit of {timeout:g} s and was stopped "
                    "before it was applied: nothing was written (narrow its WHERE, or split it)")
        try:
            status, payload = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError) as exc:
            code = self._stopped_code()
            if self._memory_mb and code == -signal.SIGABRT:
                raise QueryTooLarge(
                    f"the update needed more memory than the server allows a query "
                    f"({self._memory_mb} MB) and was stopped before it was applied: nothing "
                    "was written") from exc
            raise StoreError(f"the update could not be tried ({exc}, exit code {code}): "
                             "nothing was written") from exc
        if status == "error":
            raise payload
        if client_gone is not None and client_gone():
            raise ClientGone("the client closed the connection before the update was applied: "
                             "nothing was written")

    def _started(self):
        """The rehearsal process's pipe, started first when there is none (at the first
        pattern update, and after a kill: never at the server's start, where a Ctrl-C
        could catch it half-started)."""
        if self._process is not None and self._process.is_alive():
            return self._conn
        self._stop()
        self._conn, child = self._ctx.Pipe()
        self._process = self._ctx.Process(
            target=_rehearse_main, args=(child, self._base_iri, self._memory_mb),
            name="cubegraph-update-rehearsal", daemon=True)
        self._process.start()
        child.close()
        if not self._conn.poll(_START_TIMEOUT) or pickle.loads(self._conn.recv_bytes()) != ("ready",):
            self._stop()
            raise StoreError("the process that tries updates did not start: nothing was written")
        return self._conn

    def _stopped_code(self):
        process = self._process
        if process is not None:
            process.join(1)
        code = process.exitcode if process is not None else None
        self._stop()
        return code

    def _stop(self) -> None:
        """Stop the rehearsal process (if any)."""
        if self._conn is not None:
            self._conn.close()
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()
            self._process.join(5)
        self._process = self._conn = None

    def close(self) -> None:
        """Stop the rehearsal process."""
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.send_bytes(pickle.dumps(None))
                except OSError:
                    pass
                if self._process is not None:
                    self._process.join(2)
            self._stop()
