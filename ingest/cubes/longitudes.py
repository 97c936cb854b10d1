"""Longitudes on the circle: the box of a set of longitudes or cells, in either convention.

The same area gives the same box in 0..360 and -180..180: the box is the circle less the
widest stretch no longitude covers (:func:`longitude_extent`), west > east across the
antimeridian (GeoJSON's convention). Used by :mod:`.extent` for a cube's spatial bounds.
"""

from __future__ import annotations

import numpy as np

__all__ = ["longitude_range", "longitude_extent"]


def longitude_range(lo: float, hi: float) -> tuple[float, float]:
    """(west, east) in -180..180 of the one stretch of longitudes running east from ``lo`` to
    ``hi``, in any convention (0..360 as well as -180..180).

    A range of 360 degrees or more is the whole globe. A 0..360 range crossing 180 becomes
    west > east (GeoJSON's antimeridian convention), which is what it is, rather than a
    wrong box around the other side of the Earth. Which stretch a cube's longitudes cover
    (they may cross the prime meridian in 0..360, or the antimeridian in -180..180) is
    :func:`longitude_extent`'s to say; this is the box of one known stretch.
    """
    if hi - lo >= 360.0 - 1e-9:
        return -180.0, 180.0
    if hi <= 180.0:
        return lo, hi
    if lo >= 180.0:
        return lo - 360.0, hi - 360.0
    return lo, hi - 360.0


def longitude_extent(lons: np.ndarray, *, cells: bool = False,
                     step: float | None = None) -> tuple[float, float]:
    """(west, east) in -180..180 of longitudes taken on the circle: the smallest stretch
    holding them all, the complement of the widest stretch that none of them covers.

    So the same area gives the same box in either convention (0..360 or -180..180): a
    0..360 grid crossing the prime meridian (325.5 .. 359.5, 0.5 .. 30.5) is -34.5..30.5,
    not its complement, and a -180..180 grid crossing the antimeridian (170..180, -180..-170)
    is 170..-170, west > east (GeoJSON's antimeridian convention), not the whole globe.

    Args:
        lons: finite longitudes in degrees east, any convention: points (any shape), or with
            ``cells`` cell vertices, the last axis running over one cell's vertices.
        cells: ``lons`` are cell bounds (CF ``bounds``). A cell of two bounds (a 1-D
            coordinate's) is the stretch between them as written; one of more vertices (a
            2-D grid's polygon) as written when under 180 degrees wide, else the shorter
            arc through them (a cell straddling the antimeridian lists vertices on either
            side of it). A cell 360 degrees wide is the whole globe.
        step: the step of a 1-D grid coordinate without bounds, whose cells are centred on
            its points: when no stretch between neighbouring points is wider than one step
            (1 % tolerance, for longitudes stored as float32), the cells cover the circle and
            the extent is the whole globe (a 0 .. 359.17 grid of step 0.83 is -180..180).

    The box is never widened by half a cell beyond the outermost points of a grid without
    bounds: a regional grid's box is the span of its points, as it always was; the step
    only says whether the cells close the circle.
    """
    lons = np.asarray(lons, dtype="float64")
    if cells and lons.ndim >= 1 and lons.shape[-1] >= 2:
        vertices = lons.reshape(-1, lons.shape[-1])
        start, width = _cell_arcs(vertices)
        if (width >= 360.0 - _LON_TOLERANCE).any():
            return -180.0, 180.0
    else:
        start = lons.reshape(-1)
        width = np.zeros_like(start)
    cover = _LON_TOLERANCE if step is None else max(step * 1.01, _LON_TOLERANCE)
    return _circle_extent(_wrap(start), width, cover)


#: Longitudes this close (degrees, about 10 m) touch: float32 cell bounds meeting at 360
#: differ by their rounding.
_LON_TOLERANCE = 1e-4


def _wrap(lons: np.ndarray) -> np.ndarray:
    """Longitudes brought to [-180, 180), by whole turns: a longitude already there keeps its
    exact value (the modulo would round -43.4 to -43.400000000000006)."""
    out = np.where(lons >= 180.0, lons - 360.0, np.where(lons < -180.0, lons + 360.0, lons))
    far = (out < -180.0) | (out >= 180.0)
    if far.any():
        out[far] = (out[far] + 180.0) % 360.0 - 180.0
    return out


def _cell_arcs(vertices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's western edge and width (degrees) from its vertices, shape (n, nv)."""
    lo, hi = vertices.min(axis=1), vertices.max(axis=1)
    start, width = lo, hi - lo
    if vertices.shape[1] == 2:
        return start, width
    # A polygon listed across the antimeridian (179.5, -179.5, ...): its shorter arc is the
    # circle less the widest gap between its vertices.
    across = (width > 180.0) & (width < 360.0 - _LON_TOLERANCE)
    if across.any():
        v = np.sort(_wrap(vertices[across]), axis=1)
        gaps = np.concatenate([np.diff(v, axis=1), (v[:, :1] + 360.0) - v[:, -1:]], axis=1)
        k = gaps.argmax(axis=1)
        after = np.take_along_axis(v, ((k + 1) % v.shape[1])[:, None], axis=1)[:, 0]
        start, width = start.copy(), width.copy()
        start[across] = after
        width[across] = 360.0 - gaps[np.arange(k.size), k]
    return start, width


def _circle_extent(start: np.ndarray, width: np.ndarray, cover: float) -> tuple[float, float]:
    """(west, east) of arcs on the circle (western edges in [-180, 180), widths under 360):
    the complement of the widest gap between them; the globe when no gap is wider than
    ``cover``."""
    end = start + width
    over = end > 180.0  # an arc running past 180 goes on from -180
    s = np.concatenate([start, np.full(int(over.sum()), -180.0)])
    e = np.concatenate([np.minimum(end, 180.0), end[over] - 360.0])
    order = np.argsort(s, kind="stable")
    s, e = s[order], e[order]
    reach = np.maximum.accumulate(e)  # how far east the arcs so far cover
    gaps = s[1:] - reach[:-1]
    around = float(s[0] + 360.0 - reach[-1])  # from the easternmost back to the westernmost
    widest = float(gaps.max()) if gaps.size else -np.inf
    if max(widest, around) <= cover:
        return -180.0, 180.0
    if around >= widest - 1e-9:  # ties: the box that does not cross the antimeridian
        return float(s[0]), float(reach[-1])
    i = int(gaps.argmax())
    west, east = float(s[i + 1]), float(reach[i])
    if east == -180.0:  # the stretch ends at the antimeridian: 180, not -180
        east = 180.0
    return west, east
