"""The Flask application factory: one store, one query runner, one blueprint per face.

``create_app(settings)`` opens the store, keeps it (with its settings, query runner and
write lock) on ``app.extensions["cubegraph"]`` (:mod:`cubegraph.api.web.state`) and
registers the blueprints; views reach the store through ``get_store`` / ``get_state``,
never through a module global, so tests and one process can hold several apps with
different settings. The blueprints never import this module.

Settings: one :class:`~cubegraph.config.ServerSettings` (every server setting with its one
default). A mapping of overrides is read through the same object, by the names of
``ServerSettings.CONFIG_KEYS`` (``{"STORE": ..., "MAX_ROWS": 50}``); its other keys
(``TESTING``, ...) are Flask's own and go to ``app.config``.

In front of the Flask app sits the lean query path (:mod:`cubegraph.api.web.query_path`):
it alone answers SPARQL queries at ``/sparql``; Flask answers everything else.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from flask import Flask, request

from cubegraph.api.web import discovery, graph_store, pages, sparql, ui
from cubegraph.api.web.error_handler import register_error_handlers
from cubegraph.api.web.query_path import QueryPath
from cubegraph.api.web.process_runner import ProcessRunner
from cubegraph.api.web.query_runner import ThreadRunner
from cubegraph.kg.snapshots import Snapshots
from cubegraph.api.web.state import EXTENSION, ApiState
from cubegraph.api.web.update_rehearsal import UpdateRehearsal
from cubegraph.config import ServerSettings
from cubegraph.kg import Store, open_store
from cubegraph.kg.embedded import EmbeddedStore
from cubegraph.kg.remote import RemoteStore


def create_app(settings: ServerSettings | Mapping[str, object] | None = None) -> Flask:
    """Build the application.

    Args:
        settings: the server settings, or a mapping of overrides of their defaults (see the
            module docstring); ``None``: every default (an in-memory store).

    Raises:
        StoreUnavailable: the store cannot be opened (locked by another process, not a store).
        ConfigError: a setting in the mapping has the wrong type.
    """
    app = Flask(__name__)
    if isinstance(settings, ServerSettings):
        flask_config: dict[str, object] = {}
    else:
        flask_config = {k: v for k, v in (settings or {}).items()
                        if k not in ServerSettings.CONFIG_KEYS}
        settings = ServerSettings.from_mapping(settings)
    app.config.from_mapping(flask_config)
    # Flask itself enforces the body limit; 3.1 caps URL-encoded forms separately (500 kB
    # by default): one limit for all.
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body
    app.config["MAX_FORM_MEMORY_SIZE"] = settings.max_body
    app.json.sort_keys = False

    if isinstance(settings.store, Store):
        store, owns = settings.store, False
    else:
        store, owns = open_store(settings.store, base_iri=settings.base_iri,
                                 data_root=settings.data_root), True
    settings = dataclasses.replace(settings, base_iri=store.iris.base)
    runner, rehearsal = _runners(store, settings, owns)
    app.extensions[EXTENSION] = ApiState(settings, store, runner, owns_store=owns,
                                         rehearsal=rehearsal)

    register_error_handlers(app)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(graph_store.bp)
    app.register_blueprint(discovery.bp)
    app.register_blueprint(ui.bp)
    # Last: its catch-all route serves every path the other faces do not own.
    app.register_blueprint(pages.bp)
    app.after_request(_read_headers)
    # Every template sees the settings as ``server`` (base.html puts the base IRI on <body>).
    app.context_processor(lambda: {"server": settings})
    # Queries at /sparql are answered in front of Flask's request machinery, and only there.
    app.wsgi_app = QueryPath(app)
    return app


def _runners(store: Store, settings: ServerSettings, owns: bool):
    """Where the app's queries run, and what rehearses its pattern updates (or None).

    An on-disk embedded store gets worker processes: pyoxigraph cannot cancel a query, so a
    runaway one is stopped by ending its process; an update is rehearsed the same way
    (:mod:`.update_rehearsal`). Any other store runs queries on threads, and its updates
    are applied at once: an in-memory store cannot be shared across processes, and a remote
    store's server does the work (a thread only waits on the HTTP answer).
    """
    if isinstance(store, EmbeddedStore) and store.persistent:
        snapshots = Snapshots(store)
        return (ProcessRunner(snapshots, store.iris.base, workers=settings.query_workers,
                              memory_mb=settings.query_memory_mb),
                UpdateRehearsal(snapshots, store.iris.base, memory_mb=settings.query_memory_mb))
    if isinstance(store, RemoteStore) and owns:
        # The thread runner stops waiting at the deadline; ending the HTTP request a second
        # later frees its thread too (and leaves the deadline, not the socket, to answer).
        store.connector.timeout = settings.query_timeout + 1
    return ThreadRunner(store, threads=max(2, settings.query_workers)), None


#: The Content-Security-Policy of every HTML page: this origin's scripts and styles only
#: (inline style attributes place the timeline bars), no plugins, no framing.
_PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                "img-src 'self' data:; object-src 'none'; base-uri 'self'; "
                "form-action 'self'; frame-ancestors 'none'")


def _read_headers(response):
    # Reads are open to any origin (linked data is meant to be fetched by other sites'
    # scripts); writes need a bearer token, which browsers never send on their own, so an
    # open CORS policy exposes nothing.
    response.headers.setdefault("Access-Control-Allow-Origin", "*")
    if request.method == "OPTIONS":
        # PUT and DELETE too: the Graph Store Protocol's, from a page of another origin
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, PUT, DELETE, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type, Authorization"
        response.headers["Access-Control-Max-Age"] = "86400"
    # No guessing a body's type from its bytes; pages run only this server's own scripts
    # (every asset is served locally), so text a cube or a user wrote cannot run as one.
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", _PAGE_POLICY)
        response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.method in ("GET", "HEAD", "POST"):
        response.vary.add("Accept")
    return response


def close_app(app: Flask) -> None:
    """Stop the query workers and close the store the app opened."""
    state = app.extensions.pop(EXTENSION, None)
    if state is not None:
        state.close()
