"""The one place that turns any error into an HTTP response.

:func:`response_for` maps every :class:`~cubegraph.errors.CubegraphError` (by its
``http_status``) and werkzeug's own HTTP errors (404 for an unknown route, 413 for a large
body, ...) to a response in JSON or HTML, chosen by the ``Accept`` header. Flask's error
handlers call it (:func:`register_error_handlers`), and so does the lean query path
(:mod:`cubegraph.api.web.query_path`) for the requests it owns, so both answer an error
alike. Nothing else ever reaches the client: an unexpected exception is logged with its
traceback and answered with a plain "internal error" message, never the traceback itself.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, render_template, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_accept_header

from cubegraph.api.web.errors import ApiError
from cubegraph.errors import CubegraphError


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


def response_for(exc: BaseException) -> Response:
    """The response to an error (inside a request context): the one error-to-response
    function, behind Flask's handlers and the lean query path alike."""
    if isinstance(exc, CubegraphError):
        status = int(getattr(exc, "http_status", 500) or 500)
        message = str(exc) or _title(exc)
        if status >= 500 and not isinstance(exc, ApiError):
            current_app.logger.warning("request failed: %s", message)
        return error_response(status, _title(exc), message, getattr(exc, "headers", None))
    if isinstance(exc, HTTPException):
        message = exc.description or exc.name
        if exc.code == 413:
            # The limit werkzeug enforced (create_app sets it from ServerSettings.max_body).
            limit = current_app.config.get("MAX_CONTENT_LENGTH")
            message = f"the request body is larger than the server accepts ({limit} bytes)"
        elif exc.code == 404:
            message = f"nothing at {request.path}: see /sparql for the endpoint"
        headers = {}
        if exc.code == 405 and exc.valid_methods:
            headers["Allow"] = ", ".join(exc.valid_methods)
        return error_response(exc.code or 500, exc.name.lower(), message, headers)
    # The traceback goes to the log only: a client never sees the server's internals.
    current_app.logger.error("unexpected error on %s %s", request.method, request.path,
                             exc_info=exc)
    return error_response(500, "internal error",
                          "the server failed to answer this request; the error was logged")


def register_error_handlers(app: Flask) -> None:
    """Map every error to a JSON or HTML response (:func:`response_for`); log, never send,
    unexpected tracebacks."""
    for kind in (CubegraphError, HTTPException, Exception):
        app.register_error_handler(kind, response_for)
