"""HTTP-specific errors of the API, and the one place that turns any error into a response.

Every error a client can provoke is a :class:`~cubegraph.errors.CubegraphError` subclass
carrying its ``http_status``; :func:`register_error_handlers` maps all of them (and
werkzeug's own HTTP errors, e.g. 404 for an unknown route or 413 for a large body) to a
response in JSON or HTML, chosen by the ``Accept`` header. Nothing else ever reaches the
client: an unexpected exception is logged with its traceback and answered with a plain
"internal error" message, never the traceback itself.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, render_template, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_accept_header

from cubegraph.errors import CubegraphError


class ApiError(CubegraphError):
    """Base of the errors raised by the HTTP layer itself."""

    http_status = 400
    #: Extra response headers (e.g. ``WWW-Authenticate``).
    headers: dict[str, str] = {}


class ProtocolError(ApiError):
    """Raised when a request breaks the SPARQL or Graph Store protocol (missing or repeated
    parameters, both a query and an update, an unsupported parameter)."""

    http_status = 400


class InvalidPath(ApiError):
    """Raised when a request path cannot name a resource (``..`` segments, invalid IRI)."""

    http_status = 400


class ServiceDisabled(ApiError):
    """Raised when a query uses ``SERVICE`` with an endpoint not on the allow-list."""

    http_status = 400


class Unauthorized(ApiError):
    """Raised when a write request carries no bearer token."""

    http_status = 401
    headers = {"WWW-Authenticate": 'Bearer realm="cubegraph"'}


class Forbidden(ApiError):
    """Raised when a write request carries a wrong token, or writing is disabled."""

    http_status = 403


class NotAcceptable(ApiError):
    """Raised when no representation the client accepts can be produced."""

    http_status = 406


class PayloadTooLarge(ApiError):
    """Raised when a query, an update or a body is larger than the server accepts."""

    http_status = 413


class UnsupportedMediaType(ApiError):
    """Raised when a request body's ``Content-Type`` is not one the server reads."""

    http_status = 415


class QueryTimeout(ApiError):
    """Raised when a query runs past the server's deadline (the query is stopped)."""

    http_status = 503
    headers = {"Retry-After": "1"}


class ServerBusy(ApiError):
    """Raised when every query worker stays busy until the request's deadline."""

    http_status = 503
    headers = {"Retry-After": "1"}


def error_response(status: int, title: str, message: str,
                   headers: dict[str, str] | None = None) -> Response:
    """One error response, JSON or HTML by the request's ``Accept`` header."""
    accept = parse_accept_header(request.headers.get("Accept"), MIMEAccept)
    # HTML only for clients that prefer it (browsers); scripts and SPARQL clients get JSON.
    if accept.quality("text/html") > accept.quality("application/json"):
        body = render_template("error.html", status=status, title=title, message=message)
        response = Response(body, status=status, mimetype="text/html")
    else:
        response = current_app.json.response({"error": title, "status": status, "message": message})
        response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    # Errors of reads are readable cross-origin too, so a browser client sees the message.
    response.headers.setdefault("Access-Control-Allow-Origin", "*")
    return response


def _title(exc: CubegraphError) -> str:
    # "QuerySyntaxError" -> "query syntax error": a short machine-stable label.
    name = type(exc).__name__
    return "".join(" " + c.lower() if c.isupper() else c for c in name).strip()


def register_error_handlers(app: Flask) -> None:
    """Map every error to a JSON or HTML response; log (never send) unexpected tracebacks."""

    @app.errorhandler(CubegraphError)
    def _cubegraph_error(exc: CubegraphError):
        status = int(getattr(exc, "http_status", 500) or 500)
        message = str(exc) or _title(exc)
        if status >= 500 and not isinstance(exc, ApiError):
            current_app.logger.warning("request failed: %s", message)
        return error_response(status, _title(exc), message, getattr(exc, "headers", None))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        message = exc.description or exc.name
        if exc.code == 413:
            limit = current_app.config.get("MAX_CONTENT_LENGTH")
            message = f"the request body is larger than the server accepts ({limit} bytes)"
        elif exc.code == 404:
            message = f"nothing at {request.path}: see /sparql for the endpoint"
        headers = {}
        if exc.code == 405 and exc.valid_methods:
            headers["Allow"] = ", ".join(exc.valid_methods)
        return error_response(exc.code or 500, exc.name.lower(), message, headers)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        # The traceback goes to the log only: a client never sees the server's internals.
        current_app.logger.exception("unexpected error on %s %s", request.method, request.path)
        return error_response(500, "internal error",
                              "the server failed to answer this request; the error was logged")
