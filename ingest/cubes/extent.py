"""A cube's extents as CF states them: the temporal extent and the spatial bounds.

Rule kept throughout: never guess. Bounds of a rotated-pole grid without true latitude and
longitude, or dates in undecodable units, are left out and reported as a warning, rather
than written wrong.
"""

from __future__ import annotations

import numpy as np

from cubegraph.ingest.cubes.axes import time_dates, values
from cubegraph.ingest.cubes.classify import axis, is_lat, is_lon
from cubegraph.ingest.cubes.crs import grid_mapping_names
from cubegraph.ingest.cubes.raw import RawArray, RawCube
from cubegraph.ingest.cubes.times import iso
from cubegraph.kg.records.cube_metadata import CubeMetadata

__all__ = ["MAX_AUX_COORD", "temporal_extent", "spatial_bounds", "longitude_range"]

#: 2-D latitude/longitude arrays larger than this are not read to find bounds.
MAX_AUX_COORD = 4_000_000


def temporal_extent(meta: CubeMetadata, raw: RawCube) -> None:
    """Set ``meta``'s time extent from its time dimension, else a scalar time coordinate."""
    tdims = [d for d in meta.dimensions if d.axis == "T"]
    if tdims:
        d = tdims[0]
        if isinstance(d.minimum, str) or d.minimum is None:
            meta.time_start, meta.time_end, meta.time_resolution = d.minimum, d.maximum, d.duration
        # else the axis could not be decoded as dates (reported as such): its raw numbers
        # are the dimension's range, never the cube's period
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
    meta.warn("no-time-dimension", "no time dimension or time coordinate: no temporal extent")


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
    lon_v = _edges(raw, lon, read)
    if lat_v is None or lon_v is None or lat_v.size == 0 or lon_v.size == 0:
        meta.warn("no-spatial-extent", "latitude/longitude hold only fill values: no spatial extent")
        return
    south, north = float(lat_v.min()), float(lat_v.max())
    west, east = longitude_range(float(lon_v.min()), float(lon_v.max()))
    if not (-90.0 <= south <= north <= 90.0) or not (-180.0 <= west <= 180.0 and -180.0 <= east <= 180.0):
        meta.warn(
            "spatial-extent-invalid",
            f"latitude/longitude values out of range (lat {south}..{north}, lon {west}..{east}): "
            "no spatial extent recorded",
        )
        return
    meta.bbox = (west, south, east, north)


def longitude_range(lo: float, hi: float) -> tuple[float, float]:
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


def _edges(raw: RawCube, arr: RawArray, read=values) -> np.ndarray | None:
    """Finite values of a lat/lon coordinate, its cell bounds when it has them."""
    bounds = raw.arrays.get(arr.attrs.get("bounds")) if isinstance(arr.attrs.get("bounds"), str) else None
    source = bounds if bounds is not None and bounds.size <= MAX_AUX_COORD * 2 else arr
    vals = read(source)
    if vals is None:
        return None
    vals = vals[np.isfinite(vals)]
    if source is bounds and vals.size == 0:
        vals = read(arr)
        vals = vals[np.isfinite(vals)] if vals is not None else None
    return vals
