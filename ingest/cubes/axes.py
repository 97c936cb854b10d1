"""Coordinate values for a description: decoded values, monotonicity, regular step, dates.

The checks are written for long axes (100,000 time steps of a 10 TB cube): a couple of
reductions decide which passes can be skipped, and only what a description needs is decoded.
"""

from __future__ import annotations

import numpy as np

from cubegraph.ingest.cubes.cf import coding_of, decode_float64
from cubegraph.ingest.cubes.raw import RawArray
from cubegraph.ingest.cubes.times import (
    STANDARD_CALENDARS,
    decode_dates,
    is_time_units,
    iso,
    xarray_problem,
)
from cubegraph.kg.records.cube_metadata import CubeMetadata

__all__ = ["values", "memo_values", "regular_step", "monotonic", "check_time_units", "time_dates"]


def values(arr: RawArray) -> np.ndarray | None:
    """The array's values as float64, CF-decoded (fill values NaN); None for non-numeric data."""
    if arr.load is None or arr.dtype in ("str", "object") or arr.dtype.startswith(("<U", "|S")):
        return None
    data = arr.load()
    if np.ma.isMaskedArray(data):
        data = data.astype("float64").filled(np.nan)
    try:
        return decode_float64(np.asarray(data), coding_of(arr))
    except (TypeError, ValueError):
        return None


def memo_values():
    """:func:`values`, each array read once per interpretation: the 1-D latitude/longitude
    coordinates are read by the dimension pass and again by the bounds pass."""
    seen: dict[str, np.ndarray | None] = {}

    def read(arr: RawArray) -> np.ndarray | None:
        if arr.name not in seen:
            seen[arr.name] = values(arr)
        return seen[arr.name]

    return read


def regular_step(vals: np.ndarray, diffs: np.ndarray | None = None) -> float | None:
    """The constant step of an axis (to a relative 2e-6), or None when irregular."""
    if vals.size < 2:
        return None
    diffs = np.diff(vals) if diffs is None else diffs
    step = diffs[0]
    if step == 0 or not np.isfinite(step):
        return None
    # np.allclose(diffs, step, rtol=1e-6, atol=|step|*1e-6) in two passes; a non-finite
    # difference makes the deviation NaN or inf, which fails the test as allclose does.
    deviation = diffs - step
    deviation = np.abs(deviation, out=deviation).max()
    if deviation <= abs(step) * 2e-6:
        return float(abs(step))
    return None


def monotonic(vals: np.ndarray, diffs: np.ndarray | None = None) -> int | None:
    """Index of the first step breaking monotonicity, or None when monotonic."""
    if vals.size < 2:
        return None
    diffs = np.diff(vals) if diffs is None else diffs
    if (diffs > 0).all() or (diffs < 0).all():  # the common case, in one or two passes
        return None
    direction = np.sign(diffs[diffs != 0][0]) if np.any(diffs != 0) else 1
    bad = np.nonzero(np.sign(diffs) != direction)[0]
    return int(bad[0]) + 1 if bad.size else None


def check_time_units(meta: CubeMetadata, name: str, units, calendar) -> None:
    """Warn about time units that cannot give dates, or that xarray cannot decode."""
    if not is_time_units(units):
        meta.warn(
            "time-undecodable",
            f"time coordinate {name!r} has units {units!r}, which are not '<unit> since "
            "<epoch>': values kept as numbers, no dates taken from them",
            name,
        )
        return
    problem = xarray_problem(units, calendar)
    if problem is not None:
        meta.warn(
            "time-units-nonstandard",
            f"time coordinate {name!r}: xarray cannot decode units {units!r} ({problem}); "
            "cubegraph decodes them with cftime. Open the file in xarray with decode_times=False",
            name,
        )


def time_dates(meta: CubeMetadata, name: str, vals, units, calendar):
    """cftime dates of ``vals`` (Gregorian-representable ones only), or None with a warning."""
    if not is_time_units(units):
        check_time_units(meta, name, units, calendar)
        return None
    try:
        dates = list(decode_dates(vals, units, calendar))
    except (ValueError, OverflowError, TypeError) as exc:
        meta.warn(
            "time-undecodable",
            f"time coordinate {name!r}: units {units!r} (calendar {calendar or 'standard'}) "
            f"cannot be decoded ({exc}): no dates taken from it",
            name,
        )
        return None
    if calendar not in STANDARD_CALENDARS:
        bad = [d for d in dates if iso(d) is None]
        if bad:
            meta.warn(
                "time-not-gregorian",
                f"time coordinate {name!r} ({calendar} calendar) has dates with no Gregorian "
                f"equivalent (e.g. {bad[0]}): they are left out of the extent",
                name,
            )
            dates = [d for d in dates if iso(d) is not None] or None
    return dates
