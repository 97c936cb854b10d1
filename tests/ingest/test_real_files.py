"""Every cube among the real files (written by others) ingests, with its oddities reported."""

from __future__ import annotations

import pytest

from cubegraph.ingest.pipeline import ingest_cube, ingest_paths
from cubegraph.ingest.cubes import read_metadata
from cubegraph.ingest.semantics import resolve_semantics
from cubegraph.ontology.namespaces import CF, CG, DCAT
from tests_support import REAL_DATA as REAL

pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=f"real data not found at {REAL} (set CUBEGRAPH_REAL_DATA)")

CUBES = [
    "E1_north_america.nc", "E1_north_america.zarr", "bad_units.nc", "example_field_0.nc",
    "example_field_0.zarr2", "example_field_0.zarr3", "l01-met.nc", "rotated_pole.nc",
    "ta_Amon_AWI-CM-1-1-MR_historical_r1i1p1f1_gn_195001-195012.nc",
]


def meta(name):
    return resolve_semantics(read_metadata(REAL / name))


def codes(m, variable=None):
    return {w.code for w in m.warnings if variable is None or w.variable == variable}


def messages(m):
    return "\n".join(w.message for w in m.warnings)


def test_every_real_cube_ingests(store):
    summary = ingest_paths(store, [REAL], progress=False)
    assert sorted(r.path.name for r in summary.results) == sorted(CUBES)
    assert summary.ok, summary.render()
    # the CSV, XML, YML, CDL and README are not cubes: skipped, not failed
    assert {p.suffix.lower() for p in summary.skipped} == {".csv", ".md", ".cdl", ".xml", ".yml"}


def test_rotated_pole_alias_resolved_and_no_bounds_guessed():
    m = meta("rotated_pole.nc")
    var = m.variable("air_pressure_at_sea_level")
    assert var.alias_given == "air_pressure_at_sea_level"
    assert var.cf_name == "air_pressure_at_mean_sea_level"
    assert var.observable == str(CF["air_pressure_at_mean_sea_level/"])
    assert {"standard-name-alias", "no-true-latlon", "no-time-dimension"} <= codes(m)
    assert m.bbox is None  # never wrong bounds
    assert m.time_start == "2006-06-15T00:00:00Z"


def test_l01_met_unknown_names_units_and_time():
    m = meta("l01-met.nc")
    assert "unknown-standard-name" in codes(m, "barometric_pressure")
    assert "variable 'barometric_pressure': standard_name 'barometric_pressure' is not in the CF" in messages(m)
    assert m.variable("barometric_pressure").cf_name is None
    assert m.variable("barometric_pressure").observable is None
    assert "unknown-standard-name" in codes(m, "air_temperature_qc")  # 'data_quality' is no modifier
    assert "observable-by-name" in codes(m, "wind_gust")  # no standard_name: by short name, said so
    assert "non-cf-units" in codes(m, "wind_direction")  # degrees_true
    assert "time-all-fill" in codes(m, "time")  # only fill values: the units are fine
    assert "all-fill" in codes(m, "air_temperature")
    assert m.time_start is None


def test_bad_units_temperature_in_newtons():
    m = meta("bad_units.nc")
    assert "units-mismatch" in codes(m, "temp")
    assert "variable 'temp': units 'N' (force) cannot be those of a temperature" in messages(m)
    assert "unknown-standard-name" in codes(m, "temp")
    assert "time-undecodable" in codes(m, "time")
    assert "non-cf-units" in codes(m, "lev")


def test_e1_zarr_and_netcdf_describe_the_same_cube():
    nc, zr = meta("E1_north_america.nc"), meta("E1_north_america.zarr")
    assert [v.name for v in nc.variables] == [v.name for v in zr.variables] == ["air_temperature"]
    assert (nc.time_start, nc.time_end, nc.time_resolution) == (zr.time_start, zr.time_end, zr.time_resolution)
    assert (nc.time_start, nc.time_end, nc.time_resolution) == ("1860-06-01T00:00:00Z", "2099-06-01T00:00:00Z", "P1Y")
    assert nc.bbox == zr.bbox == (-135.0, 15.0, -45.0, 60.0)
    assert [(d.name, d.size) for d in nc.dimensions] == [(d.name, d.size) for d in zr.dimensions]


@pytest.mark.parametrize("name", ["example_field_0.zarr2", "example_field_0.zarr3", "example_field_0.nc"])
def test_cfdm_stores_read_in_every_format(name):
    m = meta(name)
    q = m.variable("q")
    assert (q.cf_name, q.units, q.dims) == ("specific_humidity", "1", ("lat", "lon"))
    assert m.bbox == (-180.0, -90.0, 180.0, 90.0)
    assert m.time_start == "2019-01-01T00:00:00Z"
    assert "no-time-dimension" in codes(m)


def test_cfdm_zarr3_broken_member_json_reported_consolidated_used():
    m = meta("example_field_0.zarr3")
    assert "corrupt-metadata" in codes(m, "q")


def test_cmip6_monthly_cube(store):
    name = "ta_Amon_AWI-CM-1-1-MR_historical_r1i1p1f1_gn_195001-195012.nc"
    m = meta(name)
    assert m.time_resolution == "P1M"
    assert [d.axis for d in m.dimensions] == ["T", "Z", "Y", "X"]
    result = ingest_cube(store, REAL / name)
    assert result.status == "ingested"
    graph = store.graph(result.cube)
    assert (result.cube, DCAT.temporalResolution, None) in graph
    assert (None, CG.measures, CF["air_temperature/"]) in graph
