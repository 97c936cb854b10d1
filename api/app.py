"""The Flask application factory: one store, one query runner, one blueprint per face.

``create_app(config)`` opens the store, keeps it (with its query runner and write lock) on
``app.extensions["cubegraph"]`` and registers the blueprints; views reach the store through
:func:`get_store` / :func:`get_state`, never through a module global, so tests and one
process can hold several apps with different settings.

Settings (``app.config``), with their defaults in :data:`DEFAULTS`:

- ``STORE``: a store folder, ``":memory:"``, or an open :class:`~cubegraph.kg.Store`
  (then the caller keeps ownership and closes it).
- ``BASE_IRI``: the base of minted IRIs; a request path ``/cube/x`` describes ``BASE_IRI + cube/x``.
- ``TOKEN``: the bearer token every write needs (``None``: writing is disabled).
- ``MAX_CONTENT_LENGTH``: the largest request body, in bytes (larger -> 413).
- ``QUERY_TIMEOUT``: seconds a query may run before it is stopped (-> 503).
- ``MAX_ROWS``: rows (or triples) of a query answer; longer answers are truncated and flagged.
- ``QUERY_WORKERS``: worker processes answering queries on an on-disk store.
- ``SERVICE_ALLOWLIST``: endpoints a query's ``SERVICE`` clause may call (empty: none).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from flask import Flask, current_app, request

from cubegraph.api.errors import register_error_handlers
from cubegraph.api.query_path import QueryPath
from cubegraph.api.query_runner import ProcessRunner, ThreadRunner
from cubegraph.kg import DEFAULT_BASE_IRI, Store, open_store

#: Every setting the app reads, with its default.
DEFAULTS: dict[str, object] = {
    "STORE": ":memory:",
    "BASE_IRI": DEFAULT_BASE_IRI,
    "TOKEN": None,
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    "QUERY_TIMEOUT": 30.0,
    "MAX_ROWS": 100_000,
    "QUERY_WORKERS": 2,
    "SERVICE_ALLOWLIST": (),
}


class ApiState:
    """What every view shares: the read-write store, the query runner, the write lock.

    Attributes:
        store: the store, open read-write in the server process.
        runner: where queries run (worker processes for an on-disk store, threads otherwise).
        owns_store: whether :meth:`close` closes the store (False when the caller passed one).
    """

    def __init__(self, store: Store, runner, *, owns_store: bool):
        self.store = store
        self.runner = runner
        self.owns_store = owns_store
        # Writes are serialised: the generation bump must follow its own commit, and one
        # writer at a time keeps "a failed update changes nothing" simple to reason about.
        self._write_lock = threading.Lock()
        self._writes = 0
        self._description_cache: tuple[int, object] | None = None

    def write(self, operation, *args, **kwargs):
        """Run a write on the store, then tell readers a new snapshot exists."""
        with self._write_lock:
            try:
                return operation(*args, **kwargs)
            finally:
                # Bumped even when the write failed: a spurious re-open is cheap, a missed
                # one would serve stale data.
                self._writes += 1
                self.runner.bump()

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
        self.runner.close()
        if self.owns_store:
            self.store.close()


def create_app(config: Mapping[str, object] | None = None) -> Flask:
    """Build the application.

    Args:
        config: settings overriding :data:`DEFAULTS` (see the module docstring).

    Raises:
        StoreUnavailable: the store cannot be opened (locked by another process, not a store).
    """
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    if config:
        app.config.from_mapping(config)
    # Flask 3.1 caps URL-encoded forms separately (500 kB by default): one limit for all.
    app.config["MAX_FORM_MEMORY_SIZE"] = app.config["MAX_CONTENT_LENGTH"]
    app.json.sort_keys = False

    store_setting = app.config["STORE"]
    if isinstance(store_setting, Store):
        store, owns = store_setting, False
    else:
        store, owns = open_store(store_setting, base_iri=str(app.config["BASE_IRI"])), True
    app.config["BASE_IRI"] = store.iris.base
    if store.persistent:
        runner = ProcessRunner(store.location, store.iris.base,
                               workers=int(app.config["QUERY_WORKERS"]))
    else:
        runner = ThreadRunner(store, threads=max(2, int(app.config["QUERY_WORKERS"])))
    app.extensions["cubegraph"] = ApiState(store, runner, owns_store=owns)

    # Imported here, as flaskr does: the blueprints import get_state() from this module.
    from cubegraph.api import blueprints_discovery, graph_store, pages, sparql, ui

    register_error_handlers(app)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(graph_store.bp)
    app.register_blueprint(blueprints_discovery.bp)
    app.register_blueprint(ui.bp)
    # Last: its catch-all route serves every path the other faces do not own.
    app.register_blueprint(pages.bp)
    app.after_request(_read_headers)
    # Plain queries skip Flask's request machinery; everything else reaches the app as before.
    app.wsgi_app = QueryPath(app)
    return app


def _read_headers(response):
    # Reads are open to any origin (linked data is meant to be fetched by other sites'
    # scripts); writes need a bearer token, which browsers never send on their own, so an
    # open CORS policy exposes nothing.
    response.headers.setdefault("Access-Control-Allow-Origin", "*")
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type, Authorization"
        response.headers["Access-Control-Max-Age"] = "86400"
    if request.method in ("GET", "HEAD", "POST"):
        response.vary.add("Accept")
    return response


def close_app(app: Flask) -> None:
    """Stop the query workers and close the store the app opened."""
    state = app.extensions.pop("cubegraph", None)
    if state is not None:
        state.close()


def get_state() -> ApiState:
    """The current app's shared state (inside a request or an app context)."""
    return current_app.extensions["cubegraph"]


def get_store() -> Store:
    """The current app's store (inside a request or an app context)."""
    return get_state().store
