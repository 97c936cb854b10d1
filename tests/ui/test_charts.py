"""Chart geometry (api/services/charts.py) and the view helpers built on it: pure functions."""

from __future__ import annotations

import re

import pytest

from cubegraph.api.services import charts
from cubegraph.api.services.cube_view import UNCLASSIFIED, group_by_phenomenon
from cubegraph.api.services.examples import example_queries


def test_box_becomes_one_rectangle_in_world_coordinates():
    assert charts.box_rects((19.5, 34.5, 28.5, 42.0)) == [
        {"x": 199.5, "y": 48.0, "width": 9.0, "height": 7.5}]


def test_box_across_the_antimeridian_is_two_rectangles():
    rects = charts.box_rects((170, -20, -170, -10))
    assert [(r["x"], r["width"]) for r in rects] == [(350.0, 10.0), (0.0, 10.0)]


def test_tiny_box_is_grown_to_stay_visible():
    (rect,) = charts.box_rects((21.5, 39.2, 21.8, 39.5), min_size=2.0)
    assert rect["width"] == 2.0 and rect["height"] == 2.0
    assert rect["x"] + rect["width"] / 2 == pytest.approx(201.65)


def test_no_box_no_rectangle():
    assert charts.box_rects(None) == []


def test_map_view_frames_the_boxes_with_context():
    view = charts.map_view([(21.5, 39.2, 21.8, 39.5)])
    assert view.width == 30.0 and view.height == 15.0  # min_width, 2:1
    assert view.x < 201.5 < 201.8 < view.x + view.width
    assert view.y < 50.5 < 50.8 < view.y + view.height


def test_map_view_is_the_world_without_boxes_or_when_they_span_it():
    assert charts.map_view([]) == charts.WORLD
    assert charts.map_view([None]) == charts.WORLD
    assert charts.map_view([(-179, -80, 179, 80)]) == charts.WORLD


def test_map_view_stays_inside_the_world():
    view = charts.map_view([(175, 80, 179, 89)])
    assert view.x + view.width <= 360 and view.y >= 0


def test_graticule_uses_round_degrees_inside_the_view():
    view = charts.MapView(189.0, 44.25, 30.0, 15.0)
    grid = charts.graticule(view)
    assert [m["lon"] for m in grid["meridians"]] == ["10°E", "15°E", "20°E", "25°E", "30°E", "35°E"]
    assert [p["lat"] for p in grid["parallels"]] == ["35°N", "40°N", "45°N"]
    assert all(view.x <= m["x"] <= view.x + view.width for m in grid["meridians"])


def test_land_outline_decodes_and_never_streaks_across_the_map():
    path = charts.land_path()
    rings = path.split("M")[1:]
    assert len(rings) > 100
    for ring in rings:
        points = [tuple(map(float, p.split(","))) for p in ring.rstrip("Z").split("L")]
        assert all(-361 <= x <= 721 and -1 <= y <= 181 for x, y in points)
        jumps = [(a, b) for a, b in zip(points, points[1:]) if abs(a[0] - b[0]) > 180]
        # The only long edge allowed is Antarctica's closure along the pole (y = 180).
        assert all(a[1] == b[1] == 180.0 for a, b in jumps)


def test_land_svg_is_a_standalone_document():
    svg = charts.land_svg()
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 360 180"')
    assert re.search(r'<path d="M[-0-9.,LMZ]+"', svg)


def test_timeline_places_periods_on_one_axis():
    line = charts.timeline([("2020-01-01", "2022-12-31"), ("2019-01-01T00:00:00", "2019-12-31"),
                            (None, None)])
    first, second, unknown = line.bars
    assert second["left"] == 0.0 and first["left"] + first["width"] == pytest.approx(100.0)
    assert first["start"] == "2020-01-01" and unknown["known"] is False
    assert [t["label"] for t in line.ticks] == ["2019", "2020", "2021", "2022"]


def test_timeline_of_a_short_period_ticks_months():
    line = charts.timeline([("2021-03-10", "2021-07-20")])
    assert line.ticks[0]["label"] == "Apr 2021"


def test_timeline_keeps_a_one_day_period_visible():
    line = charts.timeline([("2020-01-01", "2022-12-31"), ("2021-05-05", "2021-05-05")])
    assert line.bars[1]["width"] >= 0.8


def test_timeline_without_any_date():
    line = charts.timeline([(None, None)])
    assert line.start is None and line.ticks == [] and line.bars[0]["known"] is False


def test_importance_bars_scale_to_the_largest_and_keep_the_sign():
    bars = charts.importance_bars([
        {"name": "rh", "importance": 0.4, "sign": -1, "rank": 2},
        {"name": "fwi", "importance": 0.8, "sign": 1, "rank": 1},
        {"name": "slope", "importance": 0.0, "sign": 0, "rank": 3},
    ], width=200)
    assert [b["name"] for b in bars] == ["fwi", "rh", "slope"]
    assert [b["length"] for b in bars] == [200.0, 100.0, 0.0]
    assert [b["tone"] for b in bars] == ["positive", "negative", "neutral"]


def test_importance_bars_survive_nan_and_all_zero():
    bars = charts.importance_bars([{"importance": float("nan"), "sign": 1},
                                   {"importance": 0.0, "sign": None}])
    assert [b["length"] for b in bars] == [0.0, 0.0]


def test_variables_group_by_phenomenon_unclassified_last():
    groups = group_by_phenomenon([
        {"name": "ndvi", "phenomenon": ["vegetation"]},
        {"name": "noise", "phenomenon": []},
        {"name": "lst", "phenomenon": ["thermal", "fire-danger factor"]},
    ])
    assert [g["phenomenon"] for g in groups] == ["fire-danger factor", "thermal", "vegetation",
                                                  UNCLASSIFIED]
    assert [v["name"] for v in groups[0]["variables"]] == ["lst"]


def test_example_queries_read_titles_from_comments(tmp_path):
    (tmp_path / "b-second.rq").write_text("# Second\n# more words\nSELECT * {}\n")
    (tmp_path / "a-first.rq").write_text("SELECT * {}\n")
    examples = example_queries([tmp_path, tmp_path / "missing"])
    assert [(e.name, e.title, e.description) for e in examples] == [
        ("a-first", "a first", ""), ("b-second", "Second", "more words")]
