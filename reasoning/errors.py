"""Errors of the reasoning layer: materialization, job specs and input selection.

Each carries an ``http_status`` so the API maps them in one place; messages name the
thing, the problem and, where possible, the way out.
"""

from cubegraph.errors import CubegraphError

__all__ = ["ReasoningError", "JobSpecError", "UnknownTerm", "EmptySelection"]


class ReasoningError(CubegraphError):
    """Base of the reasoning layer's errors (a reasoner failure, a broken store layout)."""

    http_status = 500


class JobSpecError(ReasoningError):
    """A job spec is malformed: fails its JSON Schema, has an empty region or an inverted period."""

    http_status = 400


class UnknownTerm(ReasoningError):
    """A job names a class or variable IRI the knowledge graph does not know."""

    http_status = 404


class EmptySelection(ReasoningError):
    """A job selects nothing (no target data in the period, or every candidate eliminated).

    Attributes:
        constraint: the constraint that emptied the set (``"period"``, ``"region"``, ...).
    """

    http_status = 422

    def __init__(self, message: str, *, constraint: str | None = None):
        super().__init__(message)
        self.constraint = constraint
