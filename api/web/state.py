"""What every view of one app shares, and how a view reaches it.

``create_app`` keeps one :class:`ApiState` on ``app.extensions["cubegraph"]``; views and
blueprints reach it through :func:`get_state` / :func:`get_store` (as flaskr's ``get_db()``),
never through a module global and never by importing the factory, so one process can hold
several apps with different settings and no blueprint depends on ``app.py``.
"""

from __future__ import annotations

import secrets
import tempfile
import threading
from pathlib import Path

from flask import current_app

from cubegraph.api.web.cursors import Cursors
from cubegraph.config import ServerSettings
from cubegraph.kg import Store
from cubegraph.kg.embedded import EmbeddedStore

#: The key of the state in ``app.extensions``.
EXTENSION = "cubegraph"


class ApiState:
    """What every view shares: the settings, the store, the query runner, the write lock.

    Attributes:
        settings: the server's settings as in force (``base_iri`` is the store's own).
        store: the store, open read-write in the server process.
        runner: where queries run (worker processes for an on-disk store, threads otherwise).
        owns_store: whether :meth:`close` closes the store (False when the caller passed one).
        rehearsal: what tries pattern updates first within the deadline
            (:class:`~cubegraph.api.web.update_rehearsal.UpdateRehearsal`; None: applied at
            once).
    """

    def __init__(self, settings: ServerSettings, store: Store, runner, *, owns_store: bool,
                 rehearsal=None):
        self.settings = settings
        self.store = store
        self.runner = runner
        self.owns_store = owns_store
        self.rehearsal = rehearsal
        folder = _cursor_folder(store)
        self.cursors = Cursors(folder or tempfile.mkdtemp(prefix="cubegraph-cursors-"),
                               fresh=folder is None)
        # Writes are serialised: the count must follow its own commit, and one writer at a
        # time keeps "a failed update changes nothing" simple to reason about.
        self._write_lock = threading.Lock()
        self._writes = 0
        # Answers can be tagged by the write count only when every write goes through this
        # server: an embedded store it opened itself (it holds the lock), not a remote one
        # nor one its caller may write to directly.
        self.tags_answers = owns_store and isinstance(store, EmbeddedStore)
        #: This server's start, told apart from any other (a part of every ETag).
        self.started = secrets.token_hex(4)
        self._description_cache: tuple[int, object] | None = None

    def write(self, operation, *args, **kwargs):
        """Run a write on the store, then count it: queries arriving after read at least
        this many writes (their generation: a newer snapshot, a new ETag)."""
        with self._write_lock:
            try:
                return operation(*args, **kwargs)
            finally:
                # Counted even when the write failed: a spurious new snapshot is cheap, a
                # missed one would serve stale data.
                self._writes += 1

    @property
    def writes(self) -> int:
        """Number of writes so far (a cache key for derived data such as VoID statistics)."""
        return self._writes

    def cached(self, key: str, compute):
        """A value derived from the data, recomputed after every write."""
        if self._description_cache is None or self._description_cache[0] != (key, self._writes):
            self._description_cache = ((key, self._writes), compute())
        return self._description_cache[1]

    def close(self) -> None:
        """Stop the query runner; close the store when the app opened it."""
        if self.rehearsal is not None:
            self.rehearsal.close()
        self.runner.close()
        self.cursors.close()
        if self.owns_store:
            self.store.close()


def _cursor_folder(store: Store) -> Path | None:
    """Where cut answers are kept for paging: beside an on-disk store (``.<store>.cursors``,
    the query workers write there); None: a new folder of the temporary folder's."""
    if isinstance(store, EmbeddedStore) and store.persistent:
        where = Path(store.location)
        return where.parent / f".{where.name}.cursors"
    return None


def get_state() -> ApiState:
    """The current app's shared state (inside a request or an app context)."""
    return current_app.extensions[EXTENSION]


def get_store() -> Store:
    """The current app's store (inside a request or an app context)."""
    return get_state().store


def get_settings() -> ServerSettings:
    """The current app's server settings (inside a request or an app context)."""
    return get_state().settings
