"""Serving the app over HTTP.

- :func:`serve_config` (``cubegraph serve``): granian, an HTTP server written in Rust, runs
  the app in one child process it supervises; HTTP parsing happens outside the GIL, which
  makes a request about 0.2 ms of CPU cheaper than with waitress and lifts throughput with
  concurrent clients by about a fifth (docs/endpoint.md, "Benchmark"). The app is built in
  that child from the settings, so the store is opened there and nowhere else.
- :func:`serve` and :class:`ServerThread`: waitress (pure Python, threaded) serving an app
  object built in this process (``cubegraph demo``, which shares its open store; tests,
  notebooks). :class:`ServerThread` runs it in a background thread and stops it cleanly:

    >>> from cubegraph.api.app import create_app
    >>> from cubegraph.api.serve import ServerThread
    >>> with ServerThread(create_app({"STORE": ":memory:"}), port=0) as server:
    ...     server.url.startswith("http://127.0.0.1:")
    True
"""

from __future__ import annotations

import errno
import functools
import logging
import multiprocessing.util
import socket
import threading
from collections.abc import Mapping

from flask import Flask
from waitress.server import create_server as _waitress_server

from cubegraph.api.app import close_app, create_app
from cubegraph.errors import CubegraphError

log = logging.getLogger(__name__)

#: waitress threads handling requests (queries themselves run in the query workers).
DEFAULT_THREADS = 16


def create_server(app: Flask, *, host: str = "127.0.0.1", port: int = 8765,
                  threads: int = DEFAULT_THREADS):
    """A waitress server for ``app``, bound but not yet running (``port=0``: any free port).

    Raises:
        OSError: the address is in use or cannot be bound (the message says which and how
            to get past it).
    """
    limit = int(app.config["MAX_CONTENT_LENGTH"])
    try:
        return _create(app, host, port, threads, limit)
    except OSError as exc:
        raise _address_error(host, port, exc) from exc


def _address_error(host: str, port: int, exc: OSError) -> OSError:
    if exc.errno == errno.EADDRINUSE:
        return OSError(f"{host}:{port} is already in use (another cubegraph serve or "
                       "demo?): stop it, or pick another port with --port")
    return OSError(f"cannot listen on {host}:{port}: {exc.strerror or exc}")


def _create(app: Flask, host: str, port: int, threads: int, limit: int):
    return _waitress_server(
        app, host=host, port=port, threads=threads, ident="cubegraph",
        # waitress refuses (413) bodies far over the app's limit before buffering them;
        # bodies just over it reach Flask, which answers with a readable JSON/HTML 413.
        max_request_body_size=2 * limit + 65536,
        # One request's headers (a GET query lives in the URL) stay bounded too.
        max_request_header_size=max(262144, min(limit, 8 * 1024 * 1024)),
        expose_tracebacks=False, clear_untrusted_proxy_headers=True,
    )


def serve(app: Flask, *, host: str = "127.0.0.1", port: int = 8765,
          threads: int = DEFAULT_THREADS, announce=print) -> None:
    """Serve ``app`` until interrupted, then stop the query workers and close the store."""
    server = create_server(app, host=host, port=port, threads=threads)
    announce(f"cubegraph serving {app.config['STORE'] if isinstance(app.config['STORE'], str) else 'a store'} "
             f"at http://{host}:{server.effective_port}/ (SPARQL: /sparql; base IRI "
             f"{app.config['BASE_IRI']}); Ctrl-C stops")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.task_dispatcher.shutdown()
        close_app(app)


def serve_config(config: Mapping[str, object], *, host: str = "127.0.0.1", port: int = 8765,
                 threads: int = DEFAULT_THREADS, announce=print) -> None:
    """Serve the app built from ``config`` (see ``create_app``) with granian until interrupted.

    The app is built, and its store opened, in granian's worker process; this process only
    supervises it. Ctrl-C (or SIGTERM) stops the worker, which stops the query workers and
    closes the store on its way out.

    Raises:
        OSError: the address is in use or cannot be bound.
        CubegraphError: the store cannot be opened (e.g. another process holds it).
    """
    from granian import Granian
    from granian.constants import Interfaces
    from granian.log import LogLevels

    # granian binds with SO_REUSEPORT, which would let a second server share the port
    # silently: a plain bind first turns a busy port into a clear error.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise _address_error(host, port, exc) from exc
    server = Granian("cubegraph", address=host, port=port, interface=Interfaces.WSGI,
                     workers=1, runtime_threads=1, blocking_threads=threads, websockets=False,
                     log_level=LogLevels.error, respawn_failed_workers=False)
    store = config.get("STORE")
    line = (f"cubegraph serving {store if isinstance(store, str) else 'a store'} at "
            f"http://{host}:{port}/ (SPARQL: /sparql; base IRI {{base}}); Ctrl-C stops")
    # A picklable loader (the worker process may be spawned rather than forked); it announces
    # the server once the app is built, so a store that cannot be opened is the only message.
    server.serve(target_loader=functools.partial(_load_app, dict(config), announce, line),
                 wrap_loader=False)


def _load_app(config: dict, announce, line: str):
    """Build the app inside granian's worker process; close it when that process ends."""
    try:
        app = create_app(config)
    except CubegraphError as exc:
        announce(f"error: {exc}")
        raise SystemExit(2) from None
    announce(line.format(base=app.config["BASE_IRI"]))
    # Runs as the worker process exits (multiprocessing finalizers, not atexit).
    multiprocessing.util.Finalize(app, close_app, args=(app,), exitpriority=50)
    return app


class ServerThread:
    """A waitress server on a background thread, stopped by :meth:`stop` (or ``with``).

    Args:
        app: the Flask app.
        host: the address to bind (loopback by default).
        port: the port (0: a free one; see :attr:`url`).
        threads: waitress threads.
        close_app_on_stop: also stop the app's query workers and close its store.
    """

    def __init__(self, app: Flask, *, host: str = "127.0.0.1", port: int = 0,
                 threads: int = DEFAULT_THREADS, close_app_on_stop: bool = True):
        self.app = app
        self._close_app = close_app_on_stop
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
