"""Driver roles follow from axioms: owlrl's OWL 2 RL closure classifies real variables."""

import owlrl
import pytest
from rdflib import Graph, Namespace, URIRef

from cubegraph.ontology import load_ontology
from cubegraph.ontology.namespaces import CG, RDF, RDFS, cf_iri
from cubegraph.ontology.phenomena import observable_for

EX = Namespace("http://example.org/cube/greece-fire/variable/")

# Variables as ingest describes them: typed cg:Variable, pointing at an observable property.
VARIABLES = {
    "t2m": cf_iri("air_temperature"),
    "tp": cf_iri("lwe_thickness_of_precipitation_amount"),
    "sm": cf_iri("volume_fraction_of_condensed_water_in_soil"),
    "fwi": cf_iri("canadian_fire_weather_index"),
    "dfmc": CG.dead_fuel_moisture,
    "population": CG.population_density,
    "roads": CG.road_density,
    "coh": CG.coherence,
    "no2": cf_iri("troposphere_mole_content_of_nitrogen_dioxide"),
    "utci": cf_iri("universal_thermal_comfort_index"),
    "ocean": cf_iri("ocean_volume"),  # a CF name the taxonomy does not classify
}


@pytest.fixture(scope="module")
def closure() -> Graph:
    graph = load_ontology()
    for name, observable in VARIABLES.items():
        graph.add((EX[name], RDF.type, CG.Variable))
        graph.add((EX[name], CG.measures, observable))
    # Typed only by what it measures: the rdfs:domain of cg:measures makes it a Variable.
    graph.add((EX.untyped_tas, CG.measures, observable_for(name="tas").observable))
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return graph


def _roles(graph: Graph, variable: URIRef) -> set[URIRef]:
    roles = {CG.Driver, CG.FireDangerDriver, CG.DroughtDriver, CG.VolcanicUnrestDriver,
             CG.ThermalComfortDriver}
    return {t for t in graph.objects(variable, RDF.type) if t in roles}


def test_air_temperature_is_a_fire_and_drought_driver(closure):
    assert {CG.FireDangerDriver, CG.DroughtDriver, CG.ThermalComfortDriver, CG.Driver} <= _roles(
        closure, EX.t2m
    )


def test_variable_typed_only_by_what_it_measures_gets_its_roles(closure):
    assert (EX.untyped_tas, RDF.type, CG.Variable) in closure
    assert CG.FireDangerDriver in _roles(closure, EX.untyped_tas)


@pytest.mark.parametrize("name", ["tp", "sm"])
def test_water_variables_drive_fire_and_drought(closure, name):
    assert {CG.FireDangerDriver, CG.DroughtDriver} <= _roles(closure, EX[name])


@pytest.mark.parametrize("name", ["fwi", "dfmc", "roads"])
def test_fire_only_drivers(closure, name):
    assert _roles(closure, EX[name]) == {CG.FireDangerDriver, CG.Driver}


def test_population_density_is_a_fire_driver_but_not_a_drought_driver(closure):
    roles = _roles(closure, EX.population)
    assert CG.FireDangerDriver in roles
    assert CG.DroughtDriver not in roles


def test_insar_coherence_is_a_volcanic_unrest_driver_only(closure):
    assert _roles(closure, EX.coh) == {CG.VolcanicUnrestDriver, CG.Driver}


@pytest.mark.parametrize("name", ["no2", "utci", "ocean"])
def test_variables_of_no_role_stay_plain_variables(closure, name):
    assert _roles(closure, EX[name]) == set()
    assert (EX[name], RDF.type, CG.Variable) in closure


def test_phenomenon_classes_are_placed_under_role_groups(closure):
    # The union axioms also classify the taxonomy itself (scm-uni + scm-sco).
    assert (CG.FireWeatherIndex, RDFS.subClassOf, CG.FireDangerFactor) in closure
    assert (CG.NDVI, RDFS.subClassOf, CG.DroughtImpact) in closure
    assert (cf_iri("burned_area"), RDF.type, CG.FireOccurrence) in closure
