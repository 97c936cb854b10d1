"""Serving the app with waitress, a production WSGI server (pure Python, threaded).

:func:`serve` runs until interrupted (``cubegraph serve``); :class:`ServerThread` runs a
server in a background thread and stops it cleanly (tests, notebooks, benchmarks):

    >>> from cubegraph.api.app import create_app
    >>> from cubegraph.api.serve import ServerThread
    >>> with ServerThread(create_app({"STORE": ":memory:"}), port=0) as server:
    ...     server.url.startswith("http://127.0.0.1:")
    True
"""

from __future__ import annotations

import errno

import logging
import threading

from flask import Flask
from waitress.server import create_server as _waitress_server

from cubegraph.api.app import close_app

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
        if exc.errno == errno.EADDRINUSE:
            raise OSError(f"{host}:{port} is already in use (another cubegraph serve or "
                          "demo?): stop it, or pick another port with --port") from exc
        raise OSError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


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
