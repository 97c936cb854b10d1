"""The CF conventions applied to a :class:`~cubegraph.ingest.readers.RawCube`.

This module owns the reading of CF *meaning* from raw arrays and attributes, whatever the
storage format: which arrays are coordinates and which are data variables, each dimension's
axis, range and resolution, the decoded temporal extent, the CRS and the spatial bounds.

Rule kept throughout: never guess. A value that cannot be known for certain (bounds of a
rotated-pole grid without true latitude/longitude, dates in undecodable units) is left out and
reported as a warning, rather than written wrong.
"""

from __future__ import annotations

import math
import re
import warnings as _pywarnings
from datetime import datetime
from functools import lru_cache
from typing import Any

import numpy as np

from cubegraph.ingest.errors import EmptyCube
from cubegraph.kg.records.cube_metadata import (
    CubeMetadata,
    DimensionMetadata,
    PlantedEffect,
    VariableMetadata,
)
from cubegraph.ingest.readers import SMALL_ARRAY, RawArray, RawCube

__all__ = ["interpret", "CRS84", "epsg_iri", "iso_duration"]

#: OGC IRI of WGS 84 longitude/latitude, the CRS of CF ``latitude_longitude`` grids.
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

#: Irregular time axes longer than this get their extent decoded but no resolution.
MAX_DECODED_TIMES = 20_000

#: 2-D latitude/longitude arrays larger than this are not read to find bounds.
MAX_AUX_COORD = 4_000_000

_LAT_NAMES = {"latitude"}
_LON_NAMES = {"longitude"}
_LAT_UNITS = {"degrees_north", "degree_north", "degree_n", "degrees_n", "degreen", "degreesn"}
_LON_UNITS = {"degrees_east", "degree_east", "degree_e", "degrees_e", "degreee", "degreese"}
_Y_NAMES = {"grid_latitude", "projection_y_coordinate", "projection_y_angular_coordinate"}
_X_NAMES = {"grid_longitude", "projection_x_coordinate", "projection_x_angular_coordinate"}
_Z_NAMES = {
    "air_pressure", "altitude", "height", "depth", "model_level_number",
    "atmosphere_hybrid_sigma_pressure_coordinate", "atmosphere_sigma_coordinate",
    "height_above_mean_sea_level", "depth_below_geoid",
}
_STANDARD_CALENDARS = {"standard", "gregorian", "proleptic_gregorian", None}


def epsg_iri(code: int | str) -> str:
    """OGC IRI of an EPSG CRS code (``4326`` -> ``.../EPSG/0/4326``)."""
    return f"http://www.opengis.net/def/crs/EPSG/0/{str(code).split(':')[-1].strip()}"


# --- classification -----------------------------------------------------------------------------


def _names(value: Any) -> list[str]:
    if not isinstance(value, str):
        return []
    # "crs: lat lon" (grid_mapping extended form) -> "crs"; plain lists split on spaces.
    return [t for t in re.split(r"[\s:]+", value) if t] if ":" not in value else [
        t.rstrip(":") for t in value.split() if t.endswith(":")
    ]


def _coordinate_names(raw: RawCube) -> set[str]:
    coords: set[str] = set()
    for arr in raw.arrays.values():
        a = arr.attrs
        coords.update(_names(a.get("coordinates")))
        for key in ("bounds", "climatology", "grid_mapping"):
            coords.update(_names(a.get(key)))
        if "grid_mapping_name" in a or "cf_role" in a:
            coords.add(arr.name)
        if len(arr.dims) == 1 and arr.dims[0] == arr.name:
            coords.add(arr.name)
        if len(arr.dims) <= 1 and _axis(arr) is not None:
            coords.add(arr.name)
    return coords


def _axis(arr: RawArray) -> str | None:
    a = arr.attrs
    axis = str(a.get("axis", "")).upper()
    if axis in ("T", "X", "Y", "Z"):
        return axis
    sn = str(a.get("standard_name", "")).split(" ")[0]
    units = str(a.get("units", ""))
    if sn == "time" or " since " in units:
        return "T"
    if sn in _LAT_NAMES | _Y_NAMES or units.lower() in _LAT_UNITS:
        return "Y"
    if sn in _LON_NAMES | _X_NAMES or units.lower() in _LON_UNITS:
        return "X"
    if sn in _Z_NAMES or str(a.get("positive", "")).lower() in ("up", "down"):
        return "Z"
    return None


def _is_lat(arr: RawArray) -> bool:
    sn = str(arr.attrs.get("standard_name", ""))
    return sn == "latitude" or str(arr.attrs.get("units", "")).lower() in _LAT_UNITS


def _is_lon(arr: RawArray) -> bool:
    sn = str(arr.attrs.get("standard_name", ""))
    return sn == "longitude" or str(arr.attrs.get("units", "")).lower() in _LON_UNITS


# --- values ---------------------------------------------------------------------------------


def _values(arr: RawArray) -> np.ndarray | None:
    """The array's values as float64 with fill values as NaN; None for non-numeric data."""
    if arr.load is None or arr.dtype in ("str", "object") or arr.dtype.startswith(("<U", "|S")):
        return None
    data = arr.load()
    if np.ma.isMaskedArray(data):
        data = data.astype("float64").filled(np.nan)
    try:
        values = np.asarray(data, dtype="float64")
    except (TypeError, ValueError):
        return None
    if values.size == 0:
        return values
    # Two reductions tell which masking passes can be skipped, so a long axis (100,000
    # time steps of a 10 TB cube) costs a few passes, not one per rule.
    lo, hi = values.min(), values.max()
    unknown = not (np.isfinite(lo) and np.isfinite(hi))
    fills = [arr.fill_value, arr.attrs.get("missing_value")]
    for fill in fills:
        if isinstance(fill, (int, float)) and not (isinstance(fill, float) and math.isnan(fill)):
            if unknown or lo <= fill <= hi:
                values = np.where(values == fill, np.nan, values)
    if np.issubdtype(np.dtype(arr.dtype), np.floating) and (unknown or lo <= -9.96e36 or hi >= 9.96e36):
        # netCDF's default fill for floats (9.97e36) marks never-written values too.
        values = np.where(np.abs(values) >= 9.96e36, np.nan, values)
    return values


def _memo_values():
    """``_values``, each array read once per interpretation: the 1-D latitude/longitude
    coordinates are read by the dimension pass and again by the bounds pass."""
    seen: dict[str, np.ndarray | None] = {}

    def values(arr: RawArray) -> np.ndarray | None:
        if arr.name not in seen:
            seen[arr.name] = _values(arr)
        return seen[arr.name]

    return values


def _regular_step(values: np.ndarray, diffs: np.ndarray | None = None) -> float | None:
    if values.size < 2:
        return None
    diffs = np.diff(values) if diffs is None else diffs
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


def _monotonic(values: np.ndarray, diffs: np.ndarray | None = None) -> int | None:
    """Index of the first step breaking monotonicity, or None when monotonic."""
    if values.size < 2:
        return None
    diffs = np.diff(values) if diffs is None else diffs
    if (diffs > 0).all() or (diffs < 0).all():  # the common case, in one or two passes
        return None
    direction = np.sign(diffs[diffs != 0][0]) if np.any(diffs != 0) else 1
    bad = np.nonzero(np.sign(diffs) != direction)[0]
    return int(bad[0]) + 1 if bad.size else None


# --- time -------------------------------------------------------------------------------------


def _decode_times(values: np.ndarray, units: str, calendar: str | None):
    import cftime

    return cftime.num2date(values, units, calendar or "standard", only_use_cftime_datetimes=True)


@lru_cache(maxsize=1024)
def _xarray_can_decode(units: str, calendar: str | None) -> str | None:
    """None when xarray decodes these units, else its error text (users of xarray hit it).

    Cached: the answer depends on the two strings only, and a catalogue repeats them.
    """
    try:
        from xarray.coding.times import decode_cf_datetime

        with _pywarnings.catch_warnings():
            _pywarnings.simplefilter("ignore")
            decode_cf_datetime(np.array([0.0]), units, calendar or "standard")
    except Exception as exc:  # noqa: BLE001 - any failure means "xarray cannot"
        return str(exc).splitlines()[0]
    return None


def _iso(date) -> str | None:
    """ISO 8601 text of a cftime date, or None when it is not a real Gregorian instant."""
    text = f"{date.year:04d}-{date.month:02d}-{date.day:02d}T{date.hour:02d}:{date.minute:02d}:{date.second:02d}"
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return None  # e.g. 30 February in a 360_day calendar
    return text


def iso_duration(seconds: float) -> str:
    """An ``xsd:duration`` for a fixed span of seconds (``86400`` -> ``"P1D"``)."""
    s = int(round(seconds))
    if s % 86400 == 0:
        return f"P{s // 86400}D"
    if s % 3600 == 0:
        return f"PT{s // 3600}H"
    if s % 60 == 0:
        return f"PT{s // 60}M"
    return f"PT{s}S"


def _time_step(dates) -> str | None:
    if len(dates) < 2:
        return None
    months = [d.year * 12 + d.month for d in dates]
    mdiff = {b - a for a, b in zip(months, months[1:])}
    spans = [(b - a).total_seconds() for a, b in zip(dates, dates[1:])]
    if len(mdiff) == 1 and (k := mdiff.pop()) > 0:
        same_day = len({(d.day, d.hour, d.minute) for d in dates}) == 1
        plausible = all(27 * 86400 * k <= s <= 32 * 86400 * k for s in spans)
        if same_day or plausible:
            return f"P{k // 12}Y" if k % 12 == 0 else f"P{k}M"
    if len(set(round(s) for s in spans)) == 1 and spans[0] > 0:
        return iso_duration(spans[0])
    return None


# --- the interpretation ---------------------------------------------------------------------


def interpret(raw: RawCube) -> CubeMetadata:
    """Apply the CF conventions to a raw cube: a :class:`CubeMetadata` with warnings.

    Raises:
        EmptyCube: when no array of the cube is a data variable.
    """
    meta = CubeMetadata(**raw.distribution_facts(), attrs=dict(raw.attrs))
    for code, message, variable in raw.notes:
        meta.warn(code, message, variable)

    coords = _coordinate_names(raw)
    data_arrays = [a for a in raw.arrays.values() if a.name not in coords]
    if not data_arrays:
        found = sorted(raw.arrays) or "no arrays at all"
        raise EmptyCube(
            f"cube '{raw.path}' has no data variables (found {found}, all coordinates or "
            "grid mappings): nothing to describe"
        )

    # Dimensions used by data variables, in first-use order.
    dim_order: list[str] = []
    for arr in data_arrays:
        for d in arr.dims:
            if d not in dim_order:
                dim_order.append(d)
    sizes = dict(raw.dim_sizes)
    for arr in raw.arrays.values():
        sizes.update(zip(arr.dims, arr.shape))

    values = _memo_values()
    time_values: list = []
    for name in dim_order:
        meta.dimensions.append(_dimension(meta, raw, name, sizes.get(name, 0), time_values, values))

    _temporal_extent(meta, raw, time_values)
    _crs(meta, raw, data_arrays)
    _bounds(meta, raw, data_arrays, values)

    for arr in data_arrays:
        meta.variables.append(_variable(meta, arr))
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


def _dimension(meta, raw, name, size, time_values, read=_values) -> DimensionMetadata:
    dim = DimensionMetadata(name=name, size=int(size))
    arr = raw.arrays.get(name)
    if arr is None or arr.dims != (name,):
        return dim
    a = arr.attrs
    dim.has_coordinate = True
    dim.axis = _axis(arr)
    dim.units = a.get("units") if isinstance(a.get("units"), str) else None
    dim.standard_name = a.get("standard_name") if isinstance(a.get("standard_name"), str) else None
    dim.calendar = a.get("calendar") if isinstance(a.get("calendar"), str) else None
    if dim.axis == "T":
        _check_time_units(meta, name, dim.units, dim.calendar)
    values = read(arr)
    if values is None:
        return dim
    lo, hi = (values.min(), values.max()) if values.size else (np.nan, np.nan)
    finite = values if np.isfinite(lo) and np.isfinite(hi) else values[np.isfinite(values)]
    if finite.size == 0 and dim.axis == "T" and dim.units and " since " in dim.units:
        meta.warn(
            "time-undecodable",
            f"time coordinate {name!r} (units {dim.units!r}) holds only fill values, which "
            "cannot be decoded as dates (xarray fails with 'unable to decode time units'): "
            "no temporal extent recorded; open it in xarray with decode_times=False",
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
    if finite.size < values.size:
        meta.warn("coordinate-has-fill", f"coordinate {name!r} has missing values", name)
    diffs = np.diff(finite)  # shared by the monotonic and regular-step tests
    broken = _monotonic(finite, diffs)
    if broken is not None:
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
        step = _regular_step(finite, diffs) if broken is None else None
        if step is not None:
            sample = np.array([finite[0], finite[0] + (finite[1] - finite[0]), finite[-1]])
        elif finite.size <= MAX_DECODED_TIMES:
            sample = finite
        else:
            sample = np.array([finite.min(), finite.max()])
        dates = _time_dates(meta, name, sample, dim.units, dim.calendar)
        if dates is not None:
            ordered = sorted(dates)
            dim.minimum, dim.maximum = _iso(ordered[0]), _iso(ordered[-1])
            if broken is None and (step is not None or finite.size <= MAX_DECODED_TIMES):
                dim.duration = _time_step(list(dates[:2]) if step is not None else list(dates))
            time_values.extend(dates)
            return dim
    dim.minimum, dim.maximum = float(finite.min()), float(finite.max())
    if broken is None:
        dim.resolution = _regular_step(finite, diffs)
    return dim


def _check_time_units(meta, name, units, calendar) -> None:
    """Warn about time units that cannot give dates, or that xarray cannot decode."""
    if not units or " since " not in units:
        meta.warn(
            "time-undecodable",
            f"time coordinate {name!r} has units {units!r}, which are not '<unit> since "
            "<epoch>': values kept as numbers, no temporal extent recorded",
            name,
        )
        return
    problem = _xarray_can_decode(units, calendar)
    if problem is not None:
        meta.warn(
            "time-units-nonstandard",
            f"time coordinate {name!r}: xarray cannot decode units {units!r} ({problem}); "
            "cubegraph decodes them with cftime. Open the file in xarray with decode_times=False",
            name,
        )


def _time_dates(meta, name, values, units, calendar):
    if not units or " since " not in units:
        _check_time_units(meta, name, units, calendar)
        return None
    try:
        dates = list(_decode_times(values, units, calendar))
    except (ValueError, OverflowError, TypeError) as exc:
        meta.warn(
            "time-undecodable",
            f"time coordinate {name!r}: units {units!r} (calendar {calendar or 'standard'}) "
            f"cannot be decoded ({exc}): no temporal extent recorded",
            name,
        )
        return None
    if calendar not in _STANDARD_CALENDARS:
        bad = [d for d in dates if _iso(d) is None]
        if bad:
            meta.warn(
                "time-not-gregorian",
                f"time coordinate {name!r} ({calendar} calendar) has dates with no Gregorian "
                f"equivalent (e.g. {bad[0]}): they are left out of the extent",
                name,
            )
            dates = [d for d in dates if _iso(d) is not None] or None
    return dates


def _temporal_extent(meta: CubeMetadata, raw: RawCube, time_values: list) -> None:
    tdims = [d for d in meta.dimensions if d.axis == "T"]
    if tdims:
        d = tdims[0]
        meta.time_start, meta.time_end, meta.time_resolution = d.minimum, d.maximum, d.duration
        return
    # No time dimension: a scalar time coordinate still dates the cube.
    scalars = [a for a in raw.arrays.values() if a.dims == () and _axis(a) == "T"]
    # The coordinate whose standard_name is "time" dates the data; forecast_reference_time
    # and friends only when nothing better exists.
    scalars.sort(key=lambda a: a.attrs.get("standard_name") != "time")
    if scalars:  # the first only: a later one never stands in for it
        arr = scalars[0]
        values = _values(arr)
        if values is not None and np.isfinite(values).all():
            dates = _time_dates(meta, arr.name, values.reshape(1), arr.attrs.get("units"),
                                arr.attrs.get("calendar"))
            if dates:
                meta.time_start = meta.time_end = _iso(dates[0])
                meta.warn(
                    "no-time-dimension",
                    f"no time dimension; the scalar time coordinate {arr.name!r} "
                    f"({meta.time_start}) is recorded as the temporal extent",
                )
                return
    meta.warn("no-time-dimension", "no time dimension or time coordinate: no temporal extent")


def _crs(meta: CubeMetadata, raw: RawCube, data_arrays: list[RawArray]) -> None:
    mapping = None
    for arr in data_arrays:
        for name in _names(arr.attrs.get("grid_mapping")):
            if name in raw.arrays:
                mapping = raw.arrays[name]
                break
            meta.warn(
                "missing-crs",
                f"variable {arr.name!r} names grid mapping {name!r}, which is not in the cube",
                arr.name,
            )
        if mapping is not None:
            break
    if mapping is None:
        for arr in raw.arrays.values():  # an unreferenced grid-mapping variable still says it
            if "grid_mapping_name" in arr.attrs or "crs_wkt" in arr.attrs or "spatial_ref" in arr.attrs:
                mapping = arr
                break
    if mapping is None:
        meta.warn(
            "missing-crs",
            "no grid mapping (CRS) variable: latitude/longitude coordinates, if any, are taken "
            "as WGS 84 (CRS84); add a grid_mapping variable to state the CRS",
        )
        return
    a = mapping.attrs
    meta.grid_mapping_name = a.get("grid_mapping_name")
    epsg = a.get("epsg_code") or a.get("EPSG") or a.get("epsg")
    if epsg:
        meta.crs = epsg_iri(epsg)
    elif isinstance(a.get("crs_wkt"), str):
        meta.crs = a["crs_wkt"]
    elif isinstance(a.get("spatial_ref"), str):
        meta.crs = a["spatial_ref"]
    elif meta.grid_mapping_name == "latitude_longitude":
        meta.crs = CRS84
    elif meta.grid_mapping_name:
        params = ", ".join(
            f"{k}={v}" for k, v in sorted(a.items()) if k != "grid_mapping_name" and not isinstance(v, list)
        )
        meta.crs = f"{meta.grid_mapping_name}({params})"


def _bounds(meta: CubeMetadata, raw: RawCube, data_arrays: list[RawArray], read=_values) -> None:
    lat = lon = None
    # 1) 1-D latitude / longitude dimension coordinates
    for d in meta.dimensions:
        arr = raw.arrays.get(d.name)
        if arr is None or arr.dims != (d.name,):
            continue
        if _is_lat(arr):
            lat = arr
        elif _is_lon(arr):
            lon = arr
    # 2) auxiliary (2-D or scalar) latitude / longitude named by the data variables
    if lat is None or lon is None:
        aux = set()
        for arr in data_arrays:
            aux.update(_names(arr.attrs.get("coordinates")))
        aux.update(n for n, a in raw.arrays.items() if a.dims == ())
        for name in sorted(aux):
            arr = raw.arrays.get(name)
            if arr is None:
                continue
            if lat is None and _is_lat(arr):
                lat = arr
            elif lon is None and _is_lon(arr):
                lon = arr
    if lat is None or lon is None:
        if meta.grid_mapping_name == "rotated_latitude_longitude" or any(
            str(a.attrs.get("standard_name")) in ("grid_latitude", "grid_longitude")
            for a in raw.arrays.values()
        ):
            meta.warn(
                "no-true-latlon",
                "rotated-pole grid with no true latitude/longitude coordinates: no numeric "
                "bounds or WKT extent recorded (they would need the grid rotated back); add "
                "2-D 'lat'/'lon' auxiliary coordinates to get them",
            )
        else:
            meta.warn("no-spatial-extent", "no latitude/longitude coordinates: no spatial extent")
        return
    if max(lat.size, lon.size) > MAX_AUX_COORD:
        meta.warn(
            "spatial-extent-skipped",
            f"latitude/longitude arrays have {max(lat.size, lon.size)} points (over "
            f"{MAX_AUX_COORD}): not read, no spatial extent recorded",
        )
        return
    lat_v = _edges(raw, lat, read)
    lon_v = _edges(raw, lon, read)
    if lat_v is None or lon_v is None or lat_v.size == 0 or lon_v.size == 0:
        meta.warn("no-spatial-extent", "latitude/longitude hold only fill values: no spatial extent")
        return
    south, north = float(lat_v.min()), float(lat_v.max())
    west, east = _longitude_range(float(lon_v.min()), float(lon_v.max()))
    if not (-90.0 <= south <= north <= 90.0) or not (-180.0 <= west <= 180.0 and -180.0 <= east <= 180.0):
        meta.warn(
            "spatial-extent-invalid",
            f"latitude/longitude values out of range (lat {south}..{north}, lon {west}..{east}): "
            "no spatial extent recorded",
        )
        return
    meta.bbox = (west, south, east, north)


def _longitude_range(lo: float, hi: float) -> tuple[float, float]:
    """(west, east) in -180..180 from a longitude range that may use 0..360.

    A range of 360 degrees or more is the whole globe. A 0..360 range crossing 180 becomes
    west > east (GeoJSON's antimeridian convention), which is what it is, rather than a
    wrong box around the other side of the Earth.
    """
    if hi - lo >= 360.0 - 1e-9:
        return -180.0, 180.0
    if hi <= 180.0:
        return lo, hi
    if lo >= 180.0:
        return lo - 360.0, hi - 360.0
    return lo, hi - 360.0


def _edges(raw: RawCube, arr: RawArray, read=_values) -> np.ndarray | None:
    """Finite values of a lat/lon coordinate, its cell bounds when it has them."""
    bounds = raw.arrays.get(arr.attrs.get("bounds")) if isinstance(arr.attrs.get("bounds"), str) else None
    source = bounds if bounds is not None and bounds.size <= MAX_AUX_COORD * 2 else arr
    values = read(source)
    if values is None:
        return None
    values = values[np.isfinite(values)]
    if source is bounds and values.size == 0:
        values = read(arr)
        values = values[np.isfinite(values)] if values is not None else None
    return values


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
    # All-fill: free for zarr (no chunk file was ever written); small arrays are read.
    if arr.size > 0 and arr.chunks_written == 0:
        var.all_fill = True
    elif 0 < arr.size <= SMALL_ARRAY:
        values = _values(arr)
        if values is not None and not np.isfinite(values).any():
            var.all_fill = True
    if var.all_fill:
        meta.warn(
            "all-fill",
            f"variable {arr.name!r} holds only fill values (no data was ever written)",
            arr.name,
        )
    return var
