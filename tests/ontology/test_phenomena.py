"""observable_for: which observable property a variable measures, and why."""

import dataclasses

import pytest

from cubegraph.ontology.cf_table import CFTable
from cubegraph.ontology.namespaces import CG, cf_iri
from cubegraph.ontology.phenomena import (
    Match,
    observable_for,
    observables_of,
    phenomenon_classes,
    subclasses_of,
)


@pytest.mark.parametrize(
    ("short", "phenomenon"),
    [("tas", CG.AirTemperature), ("pr", CG.Precipitation), ("hurs", CG.Humidity),
     ("sfcWind", CG.Wind)],
)
def test_real_short_names_match_their_xclim_standard_names(xclim_variables, short, phenomenon):
    standard_name = xclim_variables[short]["standard_name"]
    by_name = observable_for(name=short)
    by_cf = observable_for(standard_name=standard_name)
    assert by_name.observable == by_cf.observable == cf_iri(standard_name)
    assert by_name.phenomenon == by_cf.phenomenon == phenomenon
    assert by_name.how == f"short name {short!r} (skos:notation of CF {standard_name!r})"
    assert by_cf.how == f"CF standard name {standard_name!r}"


def test_every_xclim_short_name_we_know_agrees_with_xclim(xclim_variables):
    table = CFTable.load()
    checked = 0
    for short, spec in xclim_variables.items():
        standard_name = spec.get("standard_name")
        by_name = observable_for(name=short)
        if by_name is None or not standard_name or standard_name not in table:
            continue
        assert by_name.observable == cf_iri(table.resolve(standard_name)[0]), short
        checked += 1
    assert checked >= 15


def test_standard_name_wins_over_short_name():
    match = observable_for(standard_name="relative_humidity", name="tas")
    assert match.observable == cf_iri("relative_humidity")
    assert match.phenomenon == CG.Humidity


def test_alias_is_resolved_and_said():
    match = observable_for(standard_name="air_pressure_at_sea_level")  # rotated_pole.nc
    assert match.observable == cf_iri("air_pressure_at_mean_sea_level")
    assert match.phenomenon == CG.Pressure
    assert "alias of 'air_pressure_at_mean_sea_level'" in match.how


@pytest.mark.parametrize(
    "attr", ["air_temperature standard_error", "air_temperature status_flag",
             "air_temperature number_of_observations", "air_temperature data_quality"],
)
def test_modifiers_and_non_modifiers_give_no_match(attr):
    assert observable_for(standard_name=attr, name="tas") is None


def test_name_not_in_cf_table_is_never_mapped():
    # l01-met.cdl: standard_name 'barometric_pressure' is not CF; no fallback to the name.
    assert observable_for(standard_name="barometric_pressure", name="psl") is None
    assert observable_for(standard_name="water_potential_evapotranspiration_flux") is None


def test_cf_name_without_a_class_maps_to_the_root_phenomenon():
    match = observable_for(standard_name="sea_water_temperature")
    assert match == Match(cf_iri("sea_water_temperature"), CG.Phenomenon,
                          "CF standard name 'sea_water_temperature'")


@pytest.mark.parametrize("short", ["ndvi", "NDVI", "Ndvi"])
def test_short_names_are_case_insensitive(short):
    match = observable_for(name=short)
    assert match.observable == cf_iri("normalized_difference_vegetation_index")
    assert match.phenomenon == CG.NDVI


@pytest.mark.parametrize(
    ("short", "observable", "phenomenon"),
    [
        ("coherence", CG.coherence, CG.Coherence),
        ("population_density", CG.population_density, CG.PopulationDensity),
        ("road_density", CG.road_density, CG.RoadDensity),
        ("dfmc", CG.dead_fuel_moisture, CG.FuelMoisture),
        ("fwi", cf_iri("canadian_fire_weather_index"), CG.FireWeatherIndex),
        ("lai", cf_iri("leaf_area_index"), CG.LeafAreaIndex),
        ("lst", cf_iri("surface_temperature"), CG.LandSurfaceTemperature),
        ("dem", cf_iri("surface_altitude"), CG.Elevation),
        ("slope", cf_iri("ground_slope_angle"), CG.Slope),
        ("aspect", cf_iri("ground_slope_direction"), CG.Aspect),
        ("utci", cf_iri("universal_thermal_comfort_index"), CG.UTCI),
        ("et", cf_iri("water_evapotranspiration_flux"), CG.Evapotranspiration),
        ("sm", cf_iri("volume_fraction_of_condensed_water_in_soil"), CG.SoilMoisture),
    ],
)
def test_common_short_names(short, observable, phenomenon):
    match = observable_for(name=short)
    assert (match.observable, match.phenomenon) == (observable, phenomenon)


def test_non_cf_individual_is_named_in_how():
    assert observable_for(name="coherence").how == "short name 'coherence' (skos:notation of cg:coherence)"


def test_long_name_is_used_after_the_short_name():
    match = observable_for(name="var17", long_name="Near-Surface  Air Temperature")
    assert match.observable == cf_iri("air_temperature")
    assert match.how.startswith("long name 'Near-Surface  Air Temperature'")
    assert observable_for(name="wind_gust", long_name="whatever").observable == cf_iri("wind_speed_of_gust")


def test_nothing_known_gives_none():
    assert observable_for() is None
    assert observable_for(name="xyz_unknown", long_name="something else entirely") is None
    assert observable_for(standard_name="   ", name="tas").phenomenon == CG.AirTemperature


def test_match_is_frozen():
    match = observable_for(name="tas")
    with pytest.raises(dataclasses.FrozenInstanceError):
        match.how = "changed"


def test_phenomenon_classes_and_subclasses():
    classes = phenomenon_classes()
    assert classes[CG.AirTemperature] == "air temperature"
    assert classes[CG.Phenomenon] == "phenomenon"
    assert subclasses_of(CG.Hydrology) == {
        CG.Hydrology, CG.SoilMoisture, CG.Evapotranspiration, CG.Precipitation
    }
    assert CG.FireWeatherIndex in subclasses_of(CG.FireDangerFactor)  # via FireDangerIndex
    assert CG.PopulationDensity not in subclasses_of(CG.DroughtFactor)
    assert subclasses_of(CG.Variable) >= {CG.Driver, CG.FireDangerDriver}


def test_observables_of_a_class():
    precipitation = observables_of(CG.Precipitation)
    assert {cf_iri("precipitation_flux"), cf_iri("precipitation_amount"),
            cf_iri("lwe_thickness_of_precipitation_amount")} <= precipitation
    assert CG.coherence in observables_of(CG.InSAR)
    assert cf_iri("air_temperature") in observables_of(CG.DroughtFactor)
