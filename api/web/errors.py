"""Errors of the HTTP layer itself (protocol, auth, negotiation, deadlines); no Flask.

Every error a client can provoke is a :class:`~cubegraph.errors.CubegraphError` subclass
carrying its ``http_status`` (and any extra response headers); the one error handler
(:mod:`cubegraph.api.web.error_handler`) turns these, the services' and the store's errors
alike, into responses.
"""

from __future__ import annotations

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
    """Raised when a query runs past the server's deadline (the query is stopped). No
    ``Retry-After``: the same query would run past it again, and clients that obey the
    header would retry it at once, over and over."""

    http_status = 503


class CursorGone(ApiError):
    """Raised for a cursor that expired or never was (its pages are gone: run the query
    again)."""

    http_status = 410


class PageNotFound(ApiError):
    """Raised for a page past a cursor's last (or before its first)."""

    http_status = 404


class ServerBusy(ApiError):
    """Raised when every query worker stays busy until the request's deadline: asking
    again a little later may find one free."""

    http_status = 503
    headers = {"Retry-After": "5"}


class QueryTooLarge(ApiError):
    """Raised when a query needs more memory than the server allows one query (the query
    is stopped; asking again would stop it again, so no ``Retry-After``)."""

    http_status = 503
