"""Errors of discovery, exports and the provenance audit.

Each class says when it is raised and carries an ``http_status``, so the API's one error
handler (``api/web/error_handler.py``) maps them to responses and the CLI prints them as
one line. Messages name the offending value, the problem and the way out.
"""

from __future__ import annotations

from cubegraph.errors import CubegraphError

__all__ = [
    "DiscoveryError",
    "InvalidSearch",
    "UnknownPhenomenon",
    "ResourceNotFound",
    "NotAuditable",
    "StacValidationFailed",
]


class DiscoveryError(CubegraphError):
    """Base of every error raised by search, exports and audits."""

    http_status = 400


class InvalidSearch(DiscoveryError):
    """Raised when a search parameter is malformed: a bbox that is not four numbers or has
    a latitude out of range, a date that is not ISO 8601, an inverted period, a resolution
    that is not an ISO 8601 duration, paging out of bounds, text too long."""

    http_status = 400


class UnknownPhenomenon(DiscoveryError):
    """Raised when a search names a phenomenon class the ontology does not have; the
    message suggests close names."""

    http_status = 400


class ResourceNotFound(DiscoveryError):
    """Raised when an IRI (a page's path, a cube to export, a resource to audit) is not in
    the store."""

    http_status = 404


class NotAuditable(DiscoveryError):
    """Raised when a resource exists but has no provenance to follow (no
    ``prov:wasGeneratedBy``, ``prov:wasDerivedFrom``, ``prov:used`` or distribution)."""

    http_status = 422


class StacValidationFailed(DiscoveryError):
    """Raised when an exported STAC object does not validate against the STAC JSON Schema;
    ``source`` keeps the underlying validation error."""

    http_status = 500

    def __init__(self, message: str, source: Exception | None = None):
        super().__init__(message)
        self.source = source
