"""Serving the app over HTTP.

- :func:`serve_config` (``cubegraph serve``): granian, an HTTP server written in Rust, runs
  the app in one child process it supervises; HTTP parsing happens outside the GIL, which
  leaves the Python threads more of the CPU for the app than waitress does (figures:
  docs/benchmarks.md and docs/endpoint.md, "Benchmark"). The app is built in that child
  from the settings, so the store is opened there and nowhere else.
- :func:`serve` and :class:`ServerThread`: waitress (pure Python, threaded) serving an app
  object built in this process (``cubegraph demo``, which shares its open store; tests,
  notebooks). :class:`ServerThread` runs it in a background thread and stops it cleanly:

    >>> from cubegraph.api.web.app import create_app
    >>> from cubegraph.api.web.serve import ServerThread
    >>> with ServerThread(create_app({"STORE": ":memory:"}), port=0) as server:
    ...     server.url.startswith("http://127.0.0.1:")
    True

Host, port and threads default to the app's :class:`~cubegraph.config.ServerSettings`
(``serve_config``: to the settings it is given), where every server default lives.
"""

from __future__ import annotations

import dataclasses
import errno
import functools
import logging
import multiprocessing.util
import socket
import threading
from collections.abc import Mapping

from flask import Flask
from waitress.server import create_server as _waitress_server

from cubegraph.api.web.app import close_app, create_app
from cubegraph.api.web.state import EXTENSION
from cubegraph.config import ServerSettings
from cubegraph.errors import CubegraphError
from cubegraph.kg.embedded import EmbeddedStore
from cubegraph.kg.served import mark_served, unmark_served

log = logging.getLogger(__name__)


def _settings(app: Flask) -> ServerSettings:
    return app.extensions[EXTENSION].settings


def create_server(app: Flask, *, host: str | None = None, port: int | None = None,
                  threads: int | None = None):
    """A waitress server for ``app``, bound but not yet running (``port=0``: any free port).

    Args:
        app: the app (``create_app``).
        host, port, threads: where to listen and how many threads answer requests
            (queries themselves run in the query workers); ``None``: the app's settings.

    Raises:
        OSError: the address is in use or cannot be bound (the message says which and how
            to get past it).
    """
    settings = _settings(app)
    host = settings.host if host is None else host
    port = settings.port if port is None else port
    threads = settings.threads if threads is None else threads
    limit = settings.max_body
    try:
        return _create(app, host, port, threads, limit)
    except OSError as exc:
        raise _address_error(host, port, exc) from exc


def _address_error(host: str, port: int, exc: OSError) -> OSError:
    if exc.errno == errno.EADDRINUSE:
        return OSError(f"{host}:{port} is already in use (another cubegraph serve or "
                       "demo?): stop it, or pick another port with --port")
    return OSError(f"cannot listen on {host}:{port}: {exc.strerror or exc}")


def check_port_free(host: str, port: int) -> None:
    """Raise a clear error when another server listens on ``host:port``.

    granian binds with SO_REUSEPORT, which would let a second server share the port
    silently: a bind first turns a busy port into a clear error. The probe reuses the
    address (as waitress and granian do), so the connections of a server just stopped,
    still closing (TIME_WAIT, a minute), do not keep it from starting again.

    Raises:
        OSError: the address is in use or cannot be bound (the message says which).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise _address_error(host, port, exc) from exc


def _header_limit(max_body: int) -> int:
    """The most a request's line and headers may weigh (a GET query lives in the URL)."""
    return max(262144, min(max_body, 8 * 1024 * 1024))


def _create(app: Flask, host: str, port: int, threads: int, limit: int):
    return _waitress_server(
        app, host=host, port=port, threads=threads, ident="cubegraph",
        # waitress refuses (413) bodies far over the app's limit before buffering them;
        # bodies just over it reach Flask, which answers with a readable JSON/HTML 413.
        max_request_body_size=2 * limit + 65536,
        # One request's headers (a GET query lives in the URL) stay bounded too.
        max_request_header_size=_header_limit(limit),
        expose_tracebacks=False, clear_untrusted_proxy_headers=True,
        # read on while a request runs, so a client that hangs up is noticed
        # (waitress.client_disconnected: a rehearsed update is then not applied)
        channel_request_lookahead=1,
    )


def serve(app: Flask, *, host: str | None = None, port: int | None = None,
          threads: int | None = None, announce=print) -> None:
    """Serve ``app`` until interrupted, then stop the query workers and close the store.

    ``host``, ``port``, ``threads``: ``None`` takes the app's settings.
    """
    settings = _settings(app)
    host = settings.host if host is None else host
    server = create_server(app, host=host, port=port, threads=threads)
    store = settings.store if isinstance(settings.store, str) else "a store"
    announce(f"cubegraph serving {store} at http://{host}:"
             f"{server.effective_port}/ (SPARQL: /sparql; base IRI {settings.base_iri}); "
             "Ctrl-C stops")
    location = _served_location(app)
    if location is not None:  # the command line finds the server by this note
        mark_served(location, _local_url(host, server.effective_port))
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.task_dispatcher.shutdown()
        close_app(app)
        if location is not None:
            unmark_served(location)


def serve_config(config: ServerSettings | Mapping[str, object], *, host: str | None = None,
                 port: int | None = None, threads: int | None = None,
                 announce=print) -> None:
    """Serve the app built from ``config`` (see ``create_app``) with granian until interrupted.

    The app is built, and its store opened, in granian's worker process; this process only
    supervises it. Ctrl-C (or SIGTERM) stops the worker, which stops the query workers and
    closes the store on its way out.

    Args:
        config: the server settings (or a mapping of overrides, as ``create_app`` takes).
        host, port, threads: override those of ``config``.
        announce: called with one line once the server is ready (or failed to start).

    Raises:
        OSError: the address is in use or cannot be bound.
        CubegraphError: the store cannot be opened (e.g. another process holds it).
        ConfigError: a setting has the wrong type.

    Speed seam: granian bypasses waitress (HTTP parsed in Python, under the GIL), which
    :func:`serve` and :class:`ServerThread` keep; the HTTP tests under ``tests/server/``
    run against both servers, e.g.
    ``tests/server/test_sparql_protocol.py::test_query_by_get_url_encoded_post_and_direct_post_agree``
    (figure: docs/benchmarks.md).
    """
    if not isinstance(config, ServerSettings):
        config = ServerSettings.from_mapping(config)
    overrides = {"host": host, "port": port, "threads": threads}
    config = dataclasses.replace(config, **{k: v for k, v in overrides.items() if v is not None})
    host, port, threads = config.host, config.port, config.threads
    from granian import Granian
    from granian.constants import Interfaces
    from granian.log import LogLevels

    check_port_free(host, port)
    from granian.http import HTTP1Settings

    # Headers as large as waitress takes (the app answers what is too long with a body
    # saying why; granian's own 431 has none). A URL past 64 KB is refused by hyper
    # underneath granian (414, empty, a limit it does not let us change): long queries
    # are POSTed (docs/endpoint.md).
    http1 = HTTP1Settings(max_buffer_size=max(HTTP1Settings.max_buffer_size,
                                              _header_limit(config.max_body) + 65536))
    server = Granian("cubegraph", address=host, port=port, interface=Interfaces.WSGI,
                     workers=1, runtime_threads=1, blocking_threads=threads, websockets=False,
                     log_level=LogLevels.error, respawn_failed_workers=False,
                     http1_settings=http1)
    store = config.store
    line = (f"cubegraph serving {store if isinstance(store, str) else 'a store'} at "
            f"http://{host}:{port}/ (SPARQL: /sparql; base IRI {{base}}); Ctrl-C stops")
    # A picklable loader (the worker process may be spawned rather than forked); it announces
    # the server once the app is built, so a store that cannot be opened is the only message.
    server.serve(target_loader=functools.partial(_load_app, config, announce, line),
                 wrap_loader=False)


def _load_app(config: ServerSettings, announce, line: str):
    """Build the app inside granian's worker process; close it when that process ends."""
    try:
        app = create_app(config)
    except CubegraphError as exc:
        announce(f"error: {exc}")
        raise SystemExit(2) from None
    announce(line.format(base=_settings(app).base_iri))
    # Runs as the worker process exits (multiprocessing finalizers, not atexit).
    multiprocessing.util.Finalize(app, close_app, args=(app,), exitpriority=50)
    location = _served_location(app)
    if location is not None:  # the command line finds the server by this note
        mark_served(location, _local_url(config.host, config.port))
        multiprocessing.util.Finalize(app, unmark_served, args=(location,), exitpriority=60)
    return app


def _served_location(app: Flask) -> str | None:
    """The folder of the on-disk store the app holds the lock of, else None."""
    store = app.extensions[EXTENSION].store
    return store.location if isinstance(store, EmbeddedStore) and store.persistent else None


def _local_url(host: str, port: int) -> str:
    """The URL a command on this machine reaches the server at."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


class ServerThread:
    """A waitress server on a background thread, stopped by :meth:`stop` (or ``with``).

    Args:
        app: the Flask app.
        host: the address to bind (``None``: the app's settings, loopback by default).
        port: the port (0, the default here: a free one; see :attr:`url`).
        threads: waitress threads (``None``: the app's settings).
        close_app_on_stop: also stop the app's query workers and close its store.
    """

    def __init__(self, app: Flask, *, host: str | None = None, port: int = 0,
                 threads: int | None = None, close_app_on_stop: bool = True):
        self.app = app
        self._close_app = close_app_on_stop
        host = _settings(app).host if host is None else host
        self.server = create_server(app, host=host, port=port, threads=threads)
        self.port = self.server.effective_port
        self.url = f"http://{host}:{self.port}/"
        self._thread = threading.Thread(target=self.server.run, name="cubegraph-server", daemon=True)

    def start(self) -> "ServerThread":
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Close the listening socket and every connection, then end the thread."""
        if self._thread.is_alive():
            # Close every socket from inside the server's own loop (asyncore is not
            # thread-safe); the loop ends once its map is empty.
            def close_all():
                for dispatcher in list(self.server._map.values()):
                    dispatcher.close()
            self.server.trigger.pull_trigger(close_all)
            self._thread.join(timeout)
        else:
            self.server.close()
        self.server.task_dispatcher.shutdown()
        if self._close_app:
            close_app(self.app)

    def __enter__(self) -> "ServerThread":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
