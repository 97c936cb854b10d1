"""The bundled CF standard name table v93 against the official XML, and its lookups."""

import json

import pytest

from cubegraph.ontology.build_cf_json import DEFAULT_JSON, parse_cf_xml, write_json
from cubegraph.ontology.cf_table import CF_JSON_PATH, CFTable, parse_standard_name


@pytest.fixture(scope="module")
def table() -> CFTable:
    return CFTable.load()


def test_bundled_json_equals_a_fresh_parse_of_the_xml(cf_xml_path):
    fresh = parse_cf_xml(cf_xml_path)
    bundled = json.loads(CF_JSON_PATH.read_text(encoding="utf-8"))
    assert fresh == bundled
    assert bundled["version"] == 93
    assert len(bundled["entries"]) == 5023
    assert len(bundled["aliases"]) == 595


def test_regenerating_the_json_is_byte_identical(cf_xml_path, tmp_path):
    out = tmp_path / "cf.json"
    write_json(parse_cf_xml(cf_xml_path), out)
    assert out.read_bytes() == DEFAULT_JSON.read_bytes()


def test_table_loads_once_and_knows_its_version(table):
    assert CFTable.load() is table
    assert table.version == 93
    assert len(table) == 5023


def test_alias_resolves_to_the_current_name(table):
    assert table.resolve("air_pressure_at_sea_level") == (
        "air_pressure_at_mean_sea_level",
        "air_pressure_at_sea_level",
    )
    assert table.canonical_units("air_pressure_at_sea_level") == "Pa"
    assert "air_pressure_at_sea_level" in table
    assert not table.is_current("air_pressure_at_sea_level")


def test_current_name_resolves_to_itself_even_when_also_listed_as_alias(table):
    # v93 lists 'ocean_volume' both as an entry and as an alias.
    assert table.resolve("ocean_volume") == ("ocean_volume", None)
    assert table.resolve("air_temperature") == ("air_temperature", None)


def test_unknown_names_raise_nothing(table):
    # Real non-CF names from l01-met.cdl and bad_units.cdl.
    for name in ("barometric_pressure", "atmospheric_temperature", "use_wind", "station_name"):
        assert name not in table
        assert table.resolve(name) == (name, None)
        assert table.canonical_units(name) is None
    assert 42 not in table


def test_units(table):
    assert table.canonical_units("air_temperature") == "K"
    assert table.canonical_units("precipitation_flux") == "kg m-2 s-1"
    assert table.canonical_units("area_type") == ""


def test_xclim_names_against_v93(table, xclim_variables):
    # What the data README states about xclim 0.62's variables.yml and table v93.
    by_short = {k: v.get("standard_name") for k, v in xclim_variables.items()}
    for short in ("psl", "rlds", "rsds", "rlus", "rsus"):
        assert not table.is_current(by_short[short]) and by_short[short] in table
    for short in ("evspsblpot", "smd"):
        assert by_short[short] not in table
    for short in ("tas", "pr", "hurs", "sfcWind", "huss", "uas", "vas"):
        assert table.is_current(by_short[short])


@pytest.mark.parametrize(
    ("attr", "expected"),
    [
        ("air_temperature", ("air_temperature", None)),
        ("air_temperature standard_error", ("air_temperature", "standard_error")),
        ("  air_temperature   status_flag ", ("air_temperature", "status_flag")),
        ("atmospheric_temperature number_of_observations",
         ("atmospheric_temperature", "number_of_observations")),
        ("visibility_in_air detection_minimum", ("visibility_in_air", "detection_minimum")),
        # 'data_quality' is no CF modifier (l01-met.cdl): the text stays whole, unknown.
        ("air_temperature data_quality", ("air_temperature data_quality", None)),
        ("", ("", None)),
    ],
)
def test_parse_standard_name(attr, expected):
    assert parse_standard_name(attr) == expected
