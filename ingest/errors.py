"""Errors of the ingest layer.

Each class says when it is raised and carries an ``http_status`` (through
:class:`cubegraph.errors.CubegraphError`), so one API error handler maps them all. Messages
name the thing, the problem and, where possible, the way out.
"""

from __future__ import annotations

from cubegraph.errors import CubegraphError

__all__ = [
    "IngestError",
    "CubeNotFound",
    "ReaderNotFound",
    "CubeReadError",
    "EmptyCube",
    "ShapeViolation",
    "VariableNotFound",
]


class IngestError(CubegraphError):
    """Base class of every error raised while ingesting a cube."""

    http_status = 400


class CubeNotFound(IngestError):
    """Raised when a path given to ingest does not exist (or a glob matches nothing)."""

    http_status = 404


class ReaderNotFound(IngestError):
    """Raised when no installed reader can open a path (it is not a cube we know)."""

    http_status = 415


class CubeReadError(IngestError):
    """Raised when a reader recognises a path but cannot read its metadata (corrupt store)."""

    http_status = 422


class EmptyCube(IngestError):
    """Raised when a cube has no data variables: there is nothing to describe."""

    http_status = 422


class ShapeViolation(IngestError):
    """Raised when a cube's description breaks the ontology's SHACL shapes.

    Attributes:
        cube: the cube's slug.
        violations: one ``(focus, variable_name_or_None, shape, path, message)`` tuple per
            violation, in a stable order.
        report: the pyshacl results graph (an ``rdflib.Graph``), for callers that want it.
    """

    http_status = 422

    def __init__(self, cube: str, violations: list[tuple], report=None):
        self.cube = cube
        self.violations = violations
        self.report = report
        lines = []
        for _focus, variable, shape, path, message in violations:
            where = f"variable {variable!r}" if variable else "cube"
            rule = f"shape {shape}, path {path}"
            text = message if rule in message else f"{message} ({rule})"
            lines.append(f"cube {cube!r}, {where}: {text}")
        super().__init__("; ".join(lines) or f"cube {cube!r}: SHACL validation failed")

    def __reduce__(self):  # rebuilt from its parts when sent back by an ingest worker
        return (type(self), (self.cube, self.violations, self.report))


class VariableNotFound(IngestError):
    """Raised when a cube has no data variable of the name asked for.

    Attributes:
        cube: the cube's path.
        variable: the name asked for.
        variables: the data variables the cube does hold, sorted.
    """

    http_status = 404

    def __init__(self, cube: str, variable: str, variables: list[str]):
        self.cube, self.variable, self.variables = cube, variable, variables
        super().__init__(f"cube '{cube}' has no data variable {variable!r}; it holds "
                         f"{variables}")

    def __reduce__(self):
        return (type(self), (self.cube, self.variable, self.variables))
