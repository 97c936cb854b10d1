"""Chart geometry for the web UI: maps of extents, time bars, importance bars (pure).

Every function here turns numbers into numbers (coordinates, widths, path data) and never
into markup: the templates draw the SVG elements, so every text that reaches a chart (a
cube title, a variable name) still passes through Jinja's autoescaping.

Maps use an equirectangular "world" coordinate system, ``x = lon + 180`` and
``y = 90 - lat`` (so the world is the 360 x 180 rectangle from the origin); a map is a
``viewBox`` on it. The land outline is Natural Earth's 1:110m land polygons as shipped in
the npm package ``world-atlas`` 2.0.2 (TopoJSON, vendored under
``api/web/static/vendor/world-atlas``), decoded here once.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cubegraph.api.services.search_params import lon_pieces

__all__ = ["MapView", "map_view", "box_rects", "graticule", "land_path", "land_svg",
           "Timeline", "timeline", "importance_bars"]

# The file ships with the web UI's static files (it is vendored there, with its licence);
# this module only reads it as data.
LAND_FILE = (Path(__file__).resolve().parents[1] / "web" / "static" / "vendor" / "world-atlas"
             / "land-110m.json")


# --------------------------------------------------------------------------------------
# maps
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MapView:
    """The part of the world a map shows, in world coordinates (see the module docstring)."""

    x: float
    y: float
    width: float
    height: float

    @property
    def view_box(self) -> str:
        """The SVG ``viewBox`` attribute."""
        return f"{self.x:g} {self.y:g} {self.width:g} {self.height:g}"

    @property
    def scale(self) -> float:
        """World units per 100 px of a 400 px wide drawing: strokes and labels use it."""
        return self.width / 400.0


WORLD = MapView(0.0, 0.0, 360.0, 180.0)


def box_rects(bbox, *, min_size: float = 0.0) -> list[dict]:
    """The rectangles that draw one ``(west, south, east, north)`` box on a map.

    A box crossing the antimeridian (``west > east``) is drawn as two rectangles. Boxes
    smaller than ``min_size`` world units are grown around their centre, so a 1 km cube
    stays visible on a world map.

    Returns:
        ``[{"x", "y", "width", "height"}]``; empty when ``bbox`` is ``None``.
    """
    if bbox is None:
        return []
    west, south, east, north = (float(v) for v in bbox)
    out = []
    for w, e in lon_pieces(west, east):
        x, y = w + 180.0, 90.0 - min(90.0, max(-90.0, north))
        width, height = e - w, min(90.0, max(-90.0, north)) - min(90.0, max(-90.0, south))
        if width < min_size:
            x, width = x - (min_size - width) / 2, min_size
        if height < min_size:
            y, height = y - (min_size - height) / 2, min_size
        out.append({"x": round(x, 4), "y": round(y, 4), "width": round(width, 4),
                    "height": round(height, 4)})
    return out


def map_view(boxes, *, min_width: float = 30.0, pad: float = 0.35, aspect: float = 2.0) -> MapView:
    """The view that shows every box with some context around it.

    Args:
        boxes: ``(west, south, east, north)`` boxes (``None`` entries are ignored).
        min_width: the narrowest view, in degrees (a 1 km cube still shows its region).
        pad: margin added on each side, as a share of the boxes' extent.
        aspect: width / height of the view (the map's drawing area).

    Returns:
        A view clipped to the world; the whole world when there is no box, or when the
        boxes together wrap around the antimeridian.
    """
    rects = [r for b in boxes if b is not None for r in box_rects(b)]
    if not rects:
        return WORLD
    x0 = min(r["x"] for r in rects)
    x1 = max(r["x"] + r["width"] for r in rects)
    y0 = min(r["y"] for r in rects)
    y1 = max(r["y"] + r["height"] for r in rects)
    width = max(min_width, (x1 - x0) * (1 + 2 * pad))
    height = max(width / aspect, (y1 - y0) * (1 + 2 * pad))
    width = max(width, height * aspect)
    if width >= 360 or height >= 180:
        return WORLD
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    x = min(max(cx - width / 2, 0.0), 360.0 - width)
    y = min(max(cy - height / 2, 0.0), 180.0 - height)
    return MapView(round(x, 4), round(y, 4), round(width, 4), round(height, 4))


def _nice_step(span: float, target: int) -> float:
    raw = span / max(1, target)
    for step in (1, 2, 5, 10, 15, 20, 30, 45, 60, 90):
        if step >= raw:
            return float(step)
    return 90.0


def graticule(view: MapView, *, lines: int = 6) -> dict:
    """Meridians and parallels inside ``view``, about ``lines`` of each, at round degrees.

    Returns:
        ``{"meridians": [{"x", "lon"}], "parallels": [{"y", "lat"}]}`` in world coordinates
        (``lon`` / ``lat`` for the axis labels).
    """
    step_x = _nice_step(view.width, lines)
    step_y = _nice_step(view.height, max(2, lines // 2 + 1))
    lon0 = math.ceil((view.x - 180) / step_x) * step_x
    lat0 = math.ceil((90 - view.y - view.height) / step_y) * step_y
    meridians, parallels = [], []
    lon = lon0
    while lon <= view.x + view.width - 180 + 1e-9:
        meridians.append({"x": round(lon + 180, 4), "lon": _degrees(lon, "E", "W")})
        lon += step_x
    lat = lat0
    while lat <= 90 - view.y + 1e-9:
        parallels.append({"y": round(90 - lat, 4), "lat": _degrees(lat, "N", "S")})
        lat += step_y
    return {"meridians": meridians, "parallels": parallels}


def _degrees(value: float, positive: str, negative: str) -> str:
    if abs(value) < 1e-9:
        return "0°"
    return f"{abs(value):g}°{positive if value > 0 else negative}"


@lru_cache(maxsize=1)
def land_path(path: str | Path = LAND_FILE) -> str:
    """SVG path data of the world's land, in world coordinates (decoded from TopoJSON).

    Raises:
        OSError: the vendored file is missing.
        ValueError: it is not a TopoJSON topology.
    """
    topology = json.loads(Path(path).read_text(encoding="utf-8"))
    if topology.get("type") != "Topology":
        raise ValueError(f"{path} is not a TopoJSON topology")
    arcs = _decode_arcs(topology)
    parts = []
    for geometry in topology["objects"]["land"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for polygon in polygons:
            for ring in polygon:
                points = _ring(arcs, ring)
                if len(points) < 3:
                    continue
                for copy in _flat_rings(points):
                    parts.append("M" + "L".join(f"{lon + 180:.2f},{90 - lat:.2f}"
                                                for lon, lat in copy) + "Z")
    return "".join(parts)


def _flat_rings(points: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """A spherical ring as the flat rings that draw it on the equirectangular map.

    world-atlas keeps rings whole across the antimeridian (Fiji, Chukotka) and around the
    pole (Antarctica), as d3 expects; drawn flat, a jump from 180 to -180 would streak
    across the map. So longitudes are unwrapped into one continuous run, a ring that
    circles the pole is closed along the pole, and a ring that runs past +-180 is drawn a
    second time shifted by 360 degrees (the map's edge clips both copies).
    """
    unwrapped = [points[0]]
    for lon, lat in points[1:]:
        previous = unwrapped[-1][0]
        while lon - previous > 180:
            lon -= 360
        while lon - previous < -180:
            lon += 360
        unwrapped.append((lon, lat))
    start, end = unwrapped[0][0], unwrapped[-1][0]
    if abs(end - start) > 180:
        pole = -90.0 if sum(lat for _, lat in unwrapped) < 0 else 90.0
        unwrapped += [(end, pole), (start, pole)]
    rings = [unwrapped]
    lons = [lon for lon, _ in unwrapped]
    if min(lons) < -180:
        rings.append([(lon + 360, lat) for lon, lat in unwrapped])
    if max(lons) > 180:
        rings.append([(lon - 360, lat) for lon, lat in unwrapped])
    return rings


def _decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Absolute lon/lat points of every arc (TopoJSON quantises and delta-encodes them)."""
    transform = topology.get("transform")
    out = []
    for arc in topology["arcs"]:
        if transform is None:
            out.append([(float(x), float(y)) for x, y, *_ in arc])
            continue
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
        x = y = 0
        points = []
        for dx, dy, *_ in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        out.append(points)
    return out


def _ring(arcs: list, indices: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indices:
        # A negative index ~i names arc i walked backwards.
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        # Consecutive arcs share their joining point: keep it once.
        points.extend(arc[1:] if points else arc)
    return points


def land_svg() -> str:
    """A standalone SVG document of the land outline (served once, cached by browsers).

    Maps draw it as an ``<image>`` scaled to their view, so its stroke scales too: it is
    kept hairline-thin, and the land reads by its fill against the sea.
    """
    return ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 360 180" width="360" '
            'height="180" preserveAspectRatio="none">'
            f'<path d="{land_path()}" fill="#dde5da" stroke="#b3c0b1" stroke-width="0.06" '
            'stroke-linejoin="round"/></svg>')


# --------------------------------------------------------------------------------------
# time
# --------------------------------------------------------------------------------------
@dataclass
class Timeline:
    """A shared time axis: each bar's place as percentages of the axis width.

    Attributes:
        start / end: the axis' ends.
        ticks: ``[{"left": pct, "label": "2021"}]``.
        bars: one per period asked, ``{"left": pct, "width": pct, "start", "end",
            "known": bool}`` (``known`` is false for a period without dates).
    """

    start: dt.datetime | None
    end: dt.datetime | None
    ticks: list[dict]
    bars: list[dict]


def _as_datetime(value) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    text = str(value).strip().replace("Z", "")
    try:
        return dt.datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        try:
            return dt.datetime.fromisoformat(text[:10])
        except ValueError:
            return None


def timeline(periods, *, min_bar: float = 0.8) -> Timeline:
    """Place periods on one axis spanning them all, with year (or month) ticks.

    Args:
        periods: ``(start, end)`` pairs of datetimes, dates or ISO strings; either end may
            be ``None`` (an open end runs to the axis' edge).
        min_bar: the narrowest bar, in percent of the axis (a one-day cube stays visible).
    """
    parsed = [(_as_datetime(s), _as_datetime(e)) for s, e in periods]
    known = [d for pair in parsed for d in pair if d is not None]
    if not known:
        return Timeline(None, None, [], [{"left": 0.0, "width": 0.0, "start": None, "end": None,
                                          "known": False} for _ in parsed])
    lo, hi = min(known), max(known)
    if hi <= lo:
        lo, hi = lo - dt.timedelta(days=1), hi + dt.timedelta(days=1)
    span = (hi - lo).total_seconds()

    def pct(when: dt.datetime) -> float:
        return round(100.0 * (when - lo).total_seconds() / span, 3)

    bars = []
    for s, e in parsed:
        if s is None and e is None:
            bars.append({"left": 0.0, "width": 0.0, "start": None, "end": None, "known": False})
            continue
        left, right = pct(s or lo), pct(e or hi)
        width = max(min_bar, right - left)
        left = min(left, 100.0 - width)
        bars.append({"left": round(left, 3), "width": round(width, 3),
                     "start": s.date().isoformat() if s else None,
                     "end": e.date().isoformat() if e else None, "known": True})
    return Timeline(lo, hi, _time_ticks(lo, hi, pct), bars)


def _time_ticks(lo: dt.datetime, hi: dt.datetime, pct) -> list[dict]:
    years = hi.year - lo.year
    if years >= 2:
        step = max(1, math.ceil(years / 8))
        return [{"left": pct(dt.datetime(y, 1, 1)), "label": str(y)}
                for y in range(lo.year + (lo.month > 1 or lo.day > 1), hi.year + 1, step)
                if lo <= dt.datetime(y, 1, 1) <= hi]
    ticks, month = [], dt.datetime(lo.year, lo.month, 1)
    months = (hi.year - lo.year) * 12 + hi.month - lo.month + 1
    step = max(1, math.ceil(months / 8))
    while month <= hi:
        if month >= lo:
            ticks.append({"left": pct(month), "label": month.strftime("%b %Y")})
        index = month.month - 1 + step
        month = dt.datetime(month.year + index // 12, index % 12 + 1, 1)
    return ticks


# --------------------------------------------------------------------------------------
# attributions
# --------------------------------------------------------------------------------------
def importance_bars(items, *, width: float = 100.0) -> list[dict]:
    """Horizontal bars for attributions, largest first, scaled to the largest.

    Args:
        items: dicts with ``"importance"`` (a non-negative number, e.g. mean |SHAP|) and
            ``"sign"`` (+1, -1 or 0: the direction of the effect); other keys are kept.
        width: the length of the largest bar.

    Returns:
        The items sorted by importance (then rank, when given), each with ``"length"``
        and ``"tone"`` (``"positive"``, ``"negative"`` or ``"neutral"``) added.
    """
    rows = [dict(i) for i in items]
    finite = [abs(float(r["importance"])) for r in rows
              if r.get("importance") is not None and math.isfinite(float(r["importance"]))]
    top = max(finite, default=0.0)
    for r in rows:
        value = r.get("importance")
        value = abs(float(value)) if value is not None and math.isfinite(float(value)) else 0.0
        r["length"] = round(width * value / top, 3) if top > 0 else 0.0
        sign = r.get("sign") or 0
        r["tone"] = "positive" if sign > 0 else "negative" if sign < 0 else "neutral"
    rows.sort(key=lambda r: (-r["length"], r.get("rank") if r.get("rank") is not None else 1e9))
    return rows
