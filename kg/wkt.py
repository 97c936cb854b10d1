"""The one writer (and reader) of bounding boxes as GeoSPARQL WKT literals.

A box is ``(west, south, east, north)`` in degrees; its polygon lists the corners in CRS84
order (longitude first, GeoSPARQL's default), starting at (west, south), so a box across the
antimeridian (west > east) reads back as it was written.
"""

from __future__ import annotations

import re

__all__ = ["box_of_wkt", "wkt_box", "wkt_extent"]

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _polygon(w: str, s: str, e: str, n: str) -> str:
    return f"POLYGON(({w} {s}, {e} {s}, {e} {n}, {w} {n}, {w} {s}))"


def wkt_extent(bbox) -> str:
    """A cube's extent: numbers to 6 decimals without trailing zeros (about 0.1 m, finer
    than any grid cubegraph catalogues), a POINT when the box has no area."""
    w, s, e, n = (f"{float(v):.6f}".rstrip("0").rstrip(".") for v in bbox)
    if w == e and s == n:
        return f"POINT({w} {s})"
    return _polygon(w, s, e, n)


def wkt_box(bbox) -> str:
    """A box written exactly (each number as Python writes it), so :func:`box_of_wkt`
    gives the same floats back: a job's region round-trips through the graph."""
    return _polygon(*(repr(float(v)) for v in bbox))


def box_of_wkt(wkt: str) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of a polygon written by :func:`wkt_box` or
    :func:`wkt_extent`: its first corner is (west, south) and its third (east, north).
    ``None`` when the text is not such a polygon."""
    numbers = [float(x) for x in _NUMBER.findall(wkt)]
    if not wkt.lstrip().upper().startswith("POLYGON") or len(numbers) < 6:
        return None
    return numbers[0], numbers[1], numbers[4], numbers[5]
