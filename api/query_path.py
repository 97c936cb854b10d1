"""The lean path of SPARQL queries: a raw WSGI layer in front of the Flask app.

Flask's request machinery (contexts, routing, ``Request``/``Response`` objects, hooks) costs
about 0.3 ms a request, more than a catalog query itself. :class:`QueryPath` answers the
common case, a query sent to ``/sparql`` by GET, URL-encoded POST or ``application/sparql-query``
POST, with only what it needs: parse, negotiate, run, send bytes. Everything else falls through
to the Flask app unchanged, including every request that would fail *before* the query runs
(the app re-parses it and answers with its usual error), so both paths give the same statuses,
headers and messages. Errors raised *by* the run (deadline, syntax, 406 for the kind that came
back, a busy or dead worker) are rendered by the app's own error handlers, never re-run.

It also reads chunked request bodies (any path) up to ``MAX_CONTENT_LENGTH``, so that an
oversized one is refused whole (413) rather than cut by werkzeug (:func:`_frame_body`).
"""

from __future__ import annotations

import io
from urllib.parse import parse_qs

from flask import Flask
from werkzeug.exceptions import RequestEntityTooLarge

from cubegraph.api.negotiation import content_type, media_type, parse_sparql_request
from cubegraph.api.query_runner import QueryJob, query_job, truncation_headers
from cubegraph.errors import CubegraphError

_FORM = "application/x-www-form-urlencoded"
_QUERY = "application/sparql-query"


class _FallThrough(Exception):
    """The request is not a plain query: the Flask app answers it."""


class QueryPath:
    """WSGI middleware answering SPARQL queries at ``/sparql``; the rest goes to ``app``.

    Install it as ``app.wsgi_app = QueryPath(app)`` (``create_app`` does).
    """

    def __init__(self, app: Flask):
        self.app = app
        self.next = app.wsgi_app

    def __call__(self, environ, start_response):
        if "HTTP_TRANSFER_ENCODING" in environ and not _frame_body(
                environ, int(self.app.config["MAX_CONTENT_LENGTH"])):
            return self._error(environ, start_response, RequestEntityTooLarge())
        if environ.get("PATH_INFO") != "/sparql" or environ.get("REQUEST_METHOD") not in ("GET", "POST"):
            return self.next(environ, start_response)
        try:
            job = self._job(environ)
        except _FallThrough:
            return self.next(environ, start_response)
        try:
            answer = self.app.extensions["cubegraph"].runner.run(
                job, float(self.app.config["QUERY_TIMEOUT"]))
        except Exception as exc:  # noqa: BLE001 - rendered by the app's handlers, as in Flask
            return self._error(environ, start_response, exc)
        headers = [("Content-Type", content_type(answer.media_type)),
                   ("Content-Length", str(len(answer.body))),
                   ("Access-Control-Allow-Origin", "*"), ("Vary", "Accept")]
        if answer.truncated:
            headers += truncation_headers(job.max_rows)
        start_response("200 OK", headers)
        return [answer.body]

    def _job(self, environ) -> QueryJob:
        """The query job of a plain query request; raises _FallThrough for anything else."""
        method, config = environ["REQUEST_METHOD"], self.app.config
        limit = int(config["MAX_CONTENT_LENGTH"])
        args = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        form, body, ctype = {}, b"", environ.get("CONTENT_TYPE")
        if method == "POST":
            mtype = media_type(ctype)
            length = environ.get("CONTENT_LENGTH") or ""
            if mtype not in (_FORM, _QUERY) or not length.isdigit() or int(length) > limit:
                raise _FallThrough
            body = environ["wsgi.input"].read(int(length))
            # The app may still need the body: hand it a fresh copy.
            environ["wsgi.input"] = io.BytesIO(body)
            if mtype == _FORM:
                if not body.isascii():
                    raise _FallThrough
                form, body = parse_qs(body.decode("ascii"), keep_blank_values=True), b""
        elif "query" not in args:
            raise _FallThrough  # the service description
        try:
            req = parse_sparql_request(method, ctype, args, form, body)
            if req.operation != "query" or len(req.text.encode("utf-8")) > limit:
                raise _FallThrough
            fmt = args.get("format")
            return query_job(req, config, environ.get("HTTP_ACCEPT"), fmt[0] if fmt else None)
        except CubegraphError:
            raise _FallThrough from None  # the app raises it again and answers with it

    def _error(self, environ, start_response, exc: Exception):
        app = self.app
        with app.request_context(environ):
            response = app.make_response(app.handle_user_exception(exc))
            response = app.process_response(response)
        return response(environ, start_response)


def _frame_body(environ, limit: int) -> bool:
    """Give a chunked body a ``Content-Length``; False when it is longer than ``limit``.

    A server that streams bodies (granian) passes a chunked body without a length, and
    werkzeug then silently cuts it at ``MAX_CONTENT_LENGTH``: a cut update or Graph Store
    body could still parse and write half of what was sent. Reading it here (at most
    ``limit`` + 1 bytes) turns an oversized body into a 413 and a fitting one into a body
    of known length, as waitress does by buffering.
    """
    stream, parts, size = environ["wsgi.input"], [], 0
    while size <= limit:
        part = stream.read(min(65536, limit + 1 - size))
        if not part:
            break
        parts.append(part)
        size += len(part)
    if size > limit:
        return False
    body = b"".join(parts)
    del environ["HTTP_TRANSFER_ENCODING"]
    environ["CONTENT_LENGTH"] = str(len(body))
    environ["wsgi.input"] = io.BytesIO(body)
    return True
