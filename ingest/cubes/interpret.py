"""The CF conventions applied to a :class:`~cubegraph.ingest.cubes.raw.RawCube`: a description.

This module owns the reading of CF *meaning* into a
:class:`~cubegraph.kg.records.cube_metadata.CubeMetadata`, whatever the storage format: which arrays
are data variables (:mod:`.classify`), each dimension's axis, range and resolution
(:mod:`.axes`), the decoded temporal extent and the spatial bounds (:mod:`.extent`), the CRS
(:mod:`.crs`) and what each variable declares (units, planted ground truth, all fill).
Values are decoded by the one CF decoder (:mod:`.cf`) that ml reads data with too.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from cubegraph.ingest.cubes.ancillary import bounds_of, cell_measures_of, scalar_coordinates
from cubegraph.ingest.cubes.netcdf_files import keep_open
from cubegraph.ingest.cubes.axes import (
    check_time_units,
    memo_values,
    monotonic,
    regular_step,
    time_dates,
    values,
)
from cubegraph.ingest.cubes.cf import coding_of, is_missing
from cubegraph.ingest.cubes.classify import auxiliary_time, axis, data_arrays
from cubegraph.ingest.cubes.crs import find_crs
from cubegraph.ingest.cubes.extent import spatial_bounds, temporal_extent
from cubegraph.ingest.cubes.raw import SMALL_ARRAY, RawArray, RawCube
from cubegraph.ingest.cubes.times import (
    STANDARD_CALENDARS,
    decode_dates,
    is_time_units,
    iso,
    time_step,
)
from cubegraph.ingest.errors import EmptyCube
from cubegraph.kg.records.cube_metadata import (
    CubeMetadata,
    DimensionMetadata,
    PlantedEffect,
    VariableMetadata,
)

__all__ = ["interpret", "MAX_DECODED_TIMES"]

#: Irregular time axes longer than this get their extent decoded but no resolution.
MAX_DECODED_TIMES = 20_000


def interpret(raw: RawCube) -> CubeMetadata:
    """Apply the CF conventions to a raw cube: a :class:`CubeMetadata` with warnings.

    Raises:
        EmptyCube: when no array of the cube is a data variable.
    """
    with keep_open():  # a NetCDF file is opened once for all its arrays' reads
        return _interpret(raw)


def _interpret(raw: RawCube) -> CubeMetadata:
    meta = CubeMetadata(**raw.distribution_facts(), attrs=dict(raw.attrs))
    for code, message, variable in raw.notes:
        meta.warn(code, message, variable)

    data = data_arrays(raw)
    if not data:
        found = sorted(raw.arrays) or "no arrays at all"
        raise EmptyCube(
            f"cube '{raw.path}' has no data variables (found {found}, all coordinates or "
            "grid mappings): nothing to describe"
        )

    # Dimensions used by data variables, in first-use order.
    dim_order: list[str] = []
    for arr in data:
        for d in arr.dims:
            if d not in dim_order:
                dim_order.append(d)
    sizes = dict(raw.dim_sizes)
    for arr in raw.arrays.values():
        sizes.update(zip(arr.dims, arr.shape))

    read = memo_values()
    for name in dim_order:
        meta.dimensions.append(_dimension(meta, raw, name, sizes.get(name, 0), read, data))

    scalar_coordinates(meta, raw, data)
    temporal_extent(meta, raw)
    crs = find_crs(raw, data)
    for code, message, variable in crs.notes:
        meta.warn(code, message, variable)
    meta.crs, meta.grid_mapping_name = crs.crs, crs.grid_mapping_name
    spatial_bounds(meta, raw, data, read)

    data_names, measure_kinds = {arr.name for arr in data}, {}
    for arr in data:
        meta.variables.append(_variable(meta, arr))
        cell_measures_of(meta, raw, meta.variables[-1], data_names, measure_kinds)
    names = {v.name for v in meta.variables}
    for var in meta.variables:
        for source in var.derived_from:
            if source not in names:
                meta.warn(
                    "derived-from-unknown",
                    f"variable {var.name!r}: derived_from names {source!r}, which is not a "
                    "data variable of this cube",
                    var.name,
                )
    return meta


def _dimension(meta, raw, name, size, read=values, data=()) -> DimensionMetadata:
    dim = DimensionMetadata(name=name, size=int(size))
    arr = raw.arrays.get(name)
    auxiliary = arr is None or arr.dims != (name,)
    if auxiliary:
        arr = auxiliary_time(raw, name, data)
        if arr is None:
            return dim
        meta.warn(
            "time-from-auxiliary",
            f"dimension {name!r} has no coordinate variable of its own: its time axis, range "
            f"and step are those of the auxiliary time coordinate {arr.name!r} that the data "
            "variables name in their 'coordinates' attribute",
            name,
        )
        dim.axis = "T"
    else:
        dim.has_coordinate = True
        dim.axis = axis(arr)
    a = arr.attrs
    name = arr.name  # the coordinate the notes below are about
    bounds_of(meta, raw, dim, arr)
    if str(a.get("positive", "")).strip().lower() in ("up", "down"):
        dim.positive = str(a["positive"]).strip().lower()
    dim.units = a.get("units") if isinstance(a.get("units"), str) else None
    dim.standard_name = a.get("standard_name") if isinstance(a.get("standard_name"), str) else None
    dim.calendar = a.get("calendar") if isinstance(a.get("calendar"), str) else None
    if dim.axis == "T":
        check_time_units(meta, name, dim.units, dim.calendar)
    vals = read(arr)
    if vals is None:
        return dim
    lo, hi = (vals.min(), vals.max()) if vals.size else (np.nan, np.nan)
    finite = vals if np.isfinite(lo) and np.isfinite(hi) else vals[np.isfinite(vals)]
    if finite.size == 0 and dim.axis == "T" and is_time_units(dim.units):
        meta.warn(
            "time-all-fill",
            f"time coordinate {name!r} holds only fill values (no time was written): it "
            "gives no dates, whatever its units; xarray may fail to decode it (open it with "
            "decode_times=False)",
            name,
        )
        return dim
    if finite.size == 0:
        meta.warn(
            "coordinate-all-fill",
            f"coordinate {name!r} holds only fill values: no range or resolution recorded",
            name,
        )
        return dim
    if finite.size < vals.size and not auxiliary:  # CF allows them in auxiliary coordinates
        meta.warn("coordinate-has-fill", f"coordinate {name!r} has missing values", name)
    diffs = np.diff(finite)  # shared by the monotonic and regular-step tests
    broken = monotonic(finite, diffs)
    if broken is not None and not auxiliary:  # CF 5: only coordinate variables must be monotonic
        label = "time" if dim.axis == "T" else "coordinate"
        meta.warn(
            f"{label}-not-monotonic",
            f"{label} coordinate {name!r} is not monotonic (first break at index {broken}): "
            "extent recorded as min..max, no resolution; sort the cube along this dimension",
            name,
        )
    if dim.axis == "T":
        # Decode only what the description needs, so a 100,000-step axis costs what a
        # 10-step one does: the ends, plus the first steps when the spacing is regular in
        # the file's units. Irregular axes (months in days) are decoded whole up to a cap.
        step = regular_step(finite, diffs) if broken is None else None
        if step is not None:
            sample = np.array([finite[0], finite[0] + (finite[1] - finite[0]), finite[-1]])
            if finite.size <= MAX_DECODED_TIMES and not _gregorian_ends(sample, dim):
                # An end with no Gregorian equivalent (30 February of a 360-day year) is left
                # out, so the extent ends at the last date that has one: only the whole axis
                # says which (ml reads that date as the axis' last usable time).
                sample = finite
        elif finite.size <= MAX_DECODED_TIMES:
            sample = finite
        else:
            sample = np.array([finite.min(), finite.max()])
        dates = time_dates(meta, name, sample, dim.units, dim.calendar)
        if dates is not None:
            ordered = sorted(dates)
            dim.minimum, dim.maximum = iso(ordered[0]), iso(ordered[-1])
            if broken is None and (step is not None or finite.size <= MAX_DECODED_TIMES):
                dim.duration = time_step(list(dates[:2]) if step is not None else list(dates))
            return dim
    dim.minimum, dim.maximum = float(finite.min()), float(finite.max())
    if broken is None:
        dim.resolution = regular_step(finite, diffs)
    return dim


def _gregorian_ends(sample: np.ndarray, dim: DimensionMetadata) -> bool:
    """Whether the first and last dates of a sampled time axis are real Gregorian instants."""
    if dim.calendar in STANDARD_CALENDARS:
        return True
    try:
        dates = decode_dates(sample[[0, -1]], dim.units, dim.calendar)
    except (ValueError, OverflowError, TypeError):
        return True  # time_dates reports the units
    return all(iso(d) is not None for d in dates)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)


def _variable(meta: CubeMetadata, arr: RawArray) -> VariableMetadata:
    a = arr.attrs
    var = VariableMetadata(
        name=arr.name,
        dims=arr.dims,
        shape=arr.shape,
        dtype=arr.dtype,
        chunks=arr.chunks,
        fill_value=arr.fill_value,
        units=_text(a.get("units")),
        long_name=_text(a.get("long_name")),
        standard_name=_text(a.get("standard_name")),
        attrs=dict(a),
    )
    derived = a.get("derived_from")
    if isinstance(derived, str):
        var.derived_from = [t for t in re.split(r"[\s,]+", derived) if t]
    elif isinstance(derived, list):
        var.derived_from = [str(t) for t in derived]
    if "ground_truth_target" in a:
        targets = a["ground_truth_target"]
        strengths = a.get("ground_truth_strength", [])
        lags = a.get("ground_truth_lag", [])
        targets = targets if isinstance(targets, list) else [targets]
        strengths = strengths if isinstance(strengths, list) else [strengths]
        lags = lags if isinstance(lags, list) else [lags]
        for i, target in enumerate(targets):
            var.planted.append(
                PlantedEffect(str(target), float(strengths[i]), int(lags[i]) if i < len(lags) else 0)
            )
    if "ground_truth_distractor" in a:
        var.is_distractor = bool(int(a["ground_truth_distractor"]))
    # All-fill: free for zarr (no chunk file was ever written, and an unwritten chunk reads
    # as missing data); small arrays are read.
    if arr.size > 0 and arr.chunks_written == 0 and is_missing(arr.unwritten, coding_of(arr)):
        var.all_fill = True
    elif 0 < arr.size <= SMALL_ARRAY:
        vals = values(arr)
        if vals is not None and not np.isfinite(vals).any():
            var.all_fill = True
    if var.all_fill:
        meta.warn(
            "all-fill",
            f"variable {arr.name!r} holds only fill values (no data was ever written)",
            arr.name,
        )
    return var
