"""Errors of the ml layer.

Each class says when it is raised and carries an ``http_status`` (through
:class:`cubegraph.errors.CubegraphError`), so one API error handler maps them all. Every
message names the variable or cube at fault, the problem and the way out. They are all
raised *before* anything is trained or written, so a bad job leaves no half a run behind.
"""

from __future__ import annotations

from cubegraph.errors import CubegraphError

__all__ = [
    "MLError",
    "EmptySelectionError",
    "InputReadError",
    "GridMismatch",
    "AllNaNVariable",
    "SingleClassTarget",
    "InsufficientData",
]


class MLError(CubegraphError):
    """Base class of every error raised while building, training or explaining a model."""

    http_status = 422


class EmptySelectionError(MLError):
    """Raised when a job has no driver inputs (or no usable target) to train on."""

    http_status = 400


class InputReadError(MLError):
    """Raised when an input cube cannot be opened or lacks the named variable."""

    http_status = 404


class GridMismatch(MLError):
    """Raised when an input's grid cannot be aligned to the target grid.

    Typical causes: the spatial or temporal extents do not overlap, the cubes declare
    different coordinate reference systems, or the input lacks the target's dimensions.
    """


class AllNaNVariable(MLError):
    """Raised when an input (or the target) holds no finite value in the job's period."""


class SingleClassTarget(MLError):
    """Raised when a classification target has one class only in the training period."""


class InsufficientData(MLError):
    """Raised when the period is too short for lags, horizon, the split and its gaps."""
