"""A cube's extents as CF states them: the temporal extent and the spatial bounds.

Rule kept throughout: never guess. Bounds of a rotated-pole grid without true latitude and
longitude, or dates in undecodable units, are left out and reported as a warning, rather
than written wrong.

Longitudes are taken on the circle (:mod:`.longitudes`), so the same area gives the
same box in 0..360 and -180..180. When no time coordinate gives dates, the ACDD global
attributes ``time_coverage_start`` / ``time_coverage_end`` do, said so (``time-from-acdd``).
"""

from __future__ import annotations

import calendar
import re
from datetime import datetime, timedelta, timezone

import numpy as np

from cubegraph.ingest.cubes.ancillary import bounds_array
from cubegraph.ingest.cubes.axes import time_dates, values
from cubegraph.ingest.cubes.classify import axis, is_lat, is_lon
from cubegraph.ingest.cubes.crs import grid_mapping_names
from cubegraph.ingest.cubes.longitudes import longitude_extent
from cubegraph.ingest.cubes.raw import RawArray, RawCube
from cubegraph.ingest.cubes.times import iso
from cubegraph.kg.records.cube_metadata import CubeMetadata

__all__ = ["MAX_AUX_COORD", "temporal_extent", "spatial_bounds"]

#: 2-D latitude/longitude arrays larger than this are not read to find bounds.
MAX_AUX_COORD = 4_000_000


def temporal_extent(meta: CubeMetadata, raw: RawCube) -> None:
    """Set ``meta``'s time extent from its time dimension, else a scalar time coordinate,
    else the ACDD global attributes ``time_coverage_start`` / ``time_coverage_end``."""
    tdims = [d for d in meta.dimensions if d.axis == "T"]
    if tdims:
        d = tdims[0]
        if isinstance(d.minimum, str) or d.minimum is None:
            meta.time_start, meta.time_end, meta.time_resolution = d.minimum, d.maximum, d.duration
        # else the axis could not be decoded as dates (reported as such): its raw numbers
        # are the dimension's range, never the cube's period
        if meta.time_start is None:
            _acdd_extent(meta, raw.attrs,
                         f"the time coordinate of dimension {d.name!r} gives no dates")
        return
    # No time dimension: a scalar time coordinate still dates the cube.
    scalars = [a for a in raw.arrays.values() if a.dims == () and axis(a) == "T"]
    # The coordinate whose standard_name is "time" dates the data; forecast_reference_time
    # and friends only when nothing better exists.
    scalars.sort(key=lambda a: a.attrs.get("standard_name") != "time")
    if scalars:  # the first only: a later one never stands in for it
        arr = scalars[0]
        vals = values(arr)
        if vals is not None and np.isfinite(vals).all():
            dates = time_dates(meta, arr.name, vals.reshape(1), arr.attrs.get("units"),
                               arr.attrs.get("calendar"))
            if dates:
                meta.time_start = meta.time_end = iso(dates[0])
                meta.warn(
                    "no-time-dimension",
                    f"no time dimension; the scalar time coordinate {arr.name!r} "
                    f"({meta.time_start}) is recorded as the temporal extent",
                )
                return
    if _acdd_extent(meta, raw.attrs, "the cube has no time coordinate that gives dates"):
        meta.warn("no-time-dimension", "no time dimension or time coordinate that gives dates")
        return
    meta.warn("no-time-dimension", "no time dimension or time coordinate: no temporal extent")


def _acdd_extent(meta: CubeMetadata, attrs: dict, why: str) -> bool:
    """Date the cube from the ACDD global attributes ``time_coverage_start`` /
    ``time_coverage_end`` (either may come from the other and ``time_coverage_duration``),
    when the time coordinate gives no dates; ``why`` says why they are needed. An ISO 8601
    ``time_coverage_resolution`` (``P1D``) is then the cube's temporal resolution.

    Only ISO 8601 dates and date-times are taken (``2020-01-01``, ``2020-01-01T06:00:00Z``,
    ``+02:00`` offsets brought to UTC), written as :func:`~.times.iso` writes a decoded date;
    a reduced date (``2020``, ``2020-06``) is not guessed to an instant. A start after the
    end is reported and not used. Returns whether the extent was set (nothing is said when
    neither attribute is there).
    """
    start_text, end_text = attrs.get("time_coverage_start"), attrs.get("time_coverage_end")
    duration_text = attrs.get("time_coverage_duration")
    if start_text is None and end_text is None:
        return False
    start, end = _iso8601(start_text), _iso8601(end_text)
    duration = _iso8601_duration(duration_text)
    if start is not None and end is None and end_text is None and duration is not None:
        end = _shift(start, duration, +1)
    elif end is not None and start is None and start_text is None and duration is not None:
        start = _shift(end, duration, -1)
    given = ", ".join(f"{k} {v!r}" for k, v in (("time_coverage_start", start_text),
                                                  ("time_coverage_end", end_text),
                                                  ("time_coverage_duration", duration_text))
                      if v is not None)
    first, last = (iso(start) if start else None), (iso(end) if end else None)
    if first is None or last is None:
        meta.warn(
            "time-coverage-invalid",
            f"{why}, and the global attributes ({given}) do not give an ISO 8601 start and "
            "end (a date or date-time each, or one of them and time_coverage_duration): no "
            "temporal extent recorded",
        )
        return False
    if start > end:
        meta.warn(
            "time-coverage-invalid",
            f"{why}, and the global attributes ({given}) start after they end: no temporal "
            "extent recorded",
        )
        return False
    resolution = attrs.get("time_coverage_resolution")
    resolution = resolution.strip() if isinstance(resolution, str) else None
    if resolution and _XSD_DURATION.fullmatch(resolution):
        given += f", time_coverage_resolution {resolution!r}"
    else:
        resolution = None  # not an ISO 8601 duration: no step stated
    meta.time_start, meta.time_end, meta.time_resolution = first, last, resolution
    meta.warn(
        "time-from-acdd",
        f"{why}: the temporal extent {first} .. {last} is taken from the global attributes "
        f"({given}), not from coordinate values",
    )
    return True


#: An ISO 8601 duration as xsd:duration writes it (``P1D``, ``PT6H``, ``P1Y2M``): at least
#: one field, and a ``T`` only before time fields.
_XSD_DURATION = re.compile(
    r"P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?")


def _iso8601(text) -> datetime | None:
    """A naive UTC datetime from an ISO 8601 date or date-time text, or None."""
    if not isinstance(text, str) or not re.match(r"\d{4}-?\d{2}-?\d{2}", text.strip()):
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if moment.tzinfo is not None:
        try:
            moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
        except OverflowError:
            return None
    return moment


_DURATION = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
                       r"(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?")


def _iso8601_duration(text) -> tuple[int, timedelta] | None:
    """An ISO 8601 duration (``P1Y2M10DT2H``) as (months, the rest), or None."""
    if not isinstance(text, str):
        return None
    m = _DURATION.fullmatch(text.strip())
    if m is None or text.strip() in ("P", "PT") or text.strip().endswith("T"):
        return None
    y, mo, w, d, h, mi, sec = (float(g) if g else 0.0 for g in m.groups())
    return int(y) * 12 + int(mo), timedelta(weeks=w, days=d, hours=h, minutes=mi, seconds=sec)


def _shift(moment: datetime, duration: tuple[int, timedelta], sign: int) -> datetime | None:
    """``moment`` plus (``sign`` 1) or minus (-1) a duration; months keep the day of the
    month, the last day when the month is shorter (31 January + P1M = 28/29 February)."""
    months, rest = duration
    try:
        total = moment.year * 12 + moment.month - 1 + sign * months
        year, month = divmod(total, 12)
        day = min(moment.day, calendar.monthrange(year, month + 1)[1])
        return moment.replace(year=year, month=month + 1, day=day) + sign * rest
    except (ValueError, OverflowError):
        return None


def spatial_bounds(meta: CubeMetadata, raw: RawCube, data_arrays: list[RawArray],
                   read=values) -> None:
    """Set ``meta.bbox`` from true latitude/longitude (1-D, 2-D or scalar), or warn why not."""
    lat = lon = None
    # 1) 1-D latitude / longitude dimension coordinates
    for d in meta.dimensions:
        arr = raw.arrays.get(d.name)
        if arr is None or arr.dims != (d.name,):
            continue
        if is_lat(arr):
            lat = arr
        elif is_lon(arr):
            lon = arr
    # 1b) compression by gathering (CF 8.2): a data dimension's list variable names, in
    # its 'compress' attribute, the grid dimensions it was gathered from; its indices pick
    # the points of their latitude / longitude coordinates that hold data
    if lat is None or lon is None:
        gathered = _gathered(meta, raw, read)
        if gathered is not None:
            meta.bbox = gathered
            return
    # 2) auxiliary (2-D or scalar) latitude / longitude named by the data variables
    if lat is None or lon is None:
        aux = set()
        for arr in data_arrays:
            aux.update(grid_mapping_names(arr.attrs.get("coordinates")))
        aux.update(n for n, a in raw.arrays.items() if a.dims == ())
        for name in sorted(aux):
            arr = raw.arrays.get(name)
            if arr is None:
                continue
            if lat is None and is_lat(arr):
                lat = arr
            elif lon is None and is_lon(arr):
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
    lon_cells, cells = _lon_cells(raw, lon, read)
    if lat_v is None or lon_cells is None or lat_v.size == 0 or lon_cells.size == 0:
        meta.warn("no-spatial-extent", "latitude/longitude hold only fill values: no spatial extent")
        return
    south, north = float(lat_v.min()), float(lat_v.max())
    lo, hi = float(lon_cells.min()), float(lon_cells.max())
    if not (-90.0 <= south <= north <= 90.0) or not (-360.0 <= lo <= hi <= 720.0):
        meta.warn(
            "spatial-extent-invalid",
            f"latitude/longitude values out of range (lat {south}..{north}, lon {lo}..{hi}): "
            "no spatial extent recorded",
        )
        return
    # A 1-D grid coordinate without bounds: its cells are centred on its points, one step wide.
    step = _grid_step(read(lon)) if not cells and lon.dims == (lon.name,) else None
    west, east = longitude_extent(lon_cells, cells=cells, step=step)
    meta.bbox = (west, south, east, north)


def _gathered(meta: CubeMetadata, raw: RawCube, read=values):
    """The box of the grid points a gathered dimension holds (CF 8.2), or None when no data
    dimension is gathered from latitude / longitude coordinate variables."""
    for d in meta.dimensions:
        index = raw.arrays.get(d.name)
        compress = index.attrs.get("compress") if index is not None else None
        if index is None or index.dims != (d.name,) or not isinstance(compress, str):
            continue
        names = compress.split()
        grid = [raw.arrays.get(n) for n in names]
        if any(g is None or g.dims != (g.name,) for g in grid):
            continue
        lat_i = [i for i, g in enumerate(grid) if is_lat(g)]
        lon_i = [i for i, g in enumerate(grid) if is_lon(g)]
        picks = read(index)
        if not lat_i or not lon_i or picks is None or max(g.size for g in grid) > MAX_AUX_COORD:
            continue
        picks = picks[np.isfinite(picks)].astype("int64")
        shape = tuple(g.size for g in grid)
        picks = picks[(picks >= 0) & (picks < int(np.prod(shape)))]
        lats, lons = read(grid[lat_i[0]]), read(grid[lon_i[0]])
        if picks.size == 0 or lats is None or lons is None:
            continue
        where = np.unravel_index(picks, shape)  # CF 8.2: C order over the named dimensions
        lat_v, lon_v = lats[where[lat_i[0]]], lons[where[lon_i[0]]]
        ok = np.isfinite(lat_v) & np.isfinite(lon_v) & (np.abs(lat_v) <= 90.0) \
            & (lon_v >= -360.0) & (lon_v <= 720.0)
        if not ok.any():
            continue
        west, east = longitude_extent(lon_v[ok])
        return (west, float(lat_v[ok].min()), east, float(lat_v[ok].max()))
    return None


def _grid_step(vals: np.ndarray | None) -> float | None:
    """The step of a 1-D grid coordinate (the median spacing of its points), or None."""
    if vals is None:
        return None
    vals = vals[np.isfinite(vals)]
    if vals.size < 2:
        return None
    step = float(np.median(np.abs(np.diff(vals))))
    return step if step > 0 else None


def _lon_cells(raw: RawCube, arr: RawArray, read=values) -> tuple[np.ndarray | None, bool]:
    """A longitude coordinate's cells (its bounds, one row of vertices per cell, ``True``)
    when it has them, else its finite points (``False``)."""
    bounds = bounds_array(raw, arr)  # CF 7.1, in the shape CF gives them, or None
    if bounds is not None and bounds.size <= MAX_AUX_COORD * 2:
        vals = read(bounds)
        if vals is not None and vals.ndim >= 1:
            rows = vals.reshape(-1, vals.shape[-1])
            rows = rows[np.isfinite(rows).all(axis=1)]
            if rows.size:
                return rows, True
    vals = read(arr)
    return (vals[np.isfinite(vals)] if vals is not None else None), False


def _edges(raw: RawCube, arr: RawArray, read=values) -> np.ndarray | None:
    """Finite values of a lat/lon coordinate, its cell bounds when it has them."""
    bounds = bounds_array(raw, arr)
    source = bounds if bounds is not None and bounds.size <= MAX_AUX_COORD * 2 else arr
    vals = read(source)
    if vals is None:
        return None
    vals = vals[np.isfinite(vals)]
    if source is bounds and vals.size == 0:
        vals = read(arr)
        vals = vals[np.isfinite(vals)] if vals is not None else None
    return vals
