"""SHACL shapes with pyshacl: a valid description conforms, bad ones fail with clear messages."""

import pytest
from pyshacl import validate
from rdflib import Graph, URIRef

from cubegraph.ontology import load_shapes
from cubegraph.ontology.namespaces import SH

PREFIXES = """
@prefix cg:   <https://w3id.org/cubegraph/ontology#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct:  <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix mls:  <http://www.w3.org/ns/mls#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix cube: <http://test.example/cube/e1-north-america/> .
@prefix run:  <http://test.example/run/r1/> .
"""

# The real E1_north_america.nc, described as ingest would.
VALID_CUBE = PREFIXES + """
<http://test.example/cube/e1-north-america> a cg:DataCube ;
    dct:title "E1 North America air temperature" ;
    dct:identifier "e1-north-america" ;
    cg:conventions "CF-1.5" ;
    cg:hasVariable cube:variable\\/air_temperature ;
    cg:hasDimension cube:dimension\\/time, cube:dimension\\/latitude ;
    dcat:distribution cube:distribution\\/nc ;
    dct:temporal [ a dct:PeriodOfTime ; dcat:startDate "1860-06-01T00:00:00"^^xsd:dateTime ;
                   dcat:endDate "2099-06-01T00:00:00"^^xsd:dateTime ] ;
    cg:westBound -168.75 ; cg:eastBound -48.75 ; cg:southBound 15.0 ; cg:northBound 75.0 .
cube:variable\\/air_temperature a cg:Variable ;
    cg:variableName "air_temperature" ; cg:unitsString "K" ; cg:dtype "float32" ;
    cg:standardName "air_temperature" ; cg:shape "240,37,49" ;
    cg:measures <http://vocab.nerc.ac.uk/standard_name/air_temperature/> ;
    cg:hasDimension cube:dimension\\/time .
cube:dimension\\/time a cg:Dimension ; cg:dimensionName "time" ; cg:size 240 ; cg:axis "T" ;
    cg:minValue "1860-06-01T00:00:00"^^xsd:dateTime ; cg:maxValue "2099-06-01T00:00:00"^^xsd:dateTime .
cube:dimension\\/latitude a cg:Dimension ; cg:dimensionName "latitude" ; cg:size 37 ; cg:axis "Y" ;
    cg:minValue 15.0 ; cg:maxValue 75.0 ; cg:resolution 2.5e0 ; cg:unitsString "degrees_north" .
cube:distribution\\/nc a cg:CubeDistribution ; cg:fingerprint "sha256:f6124a1a745dfc01" ;
    dcat:mediaType "application/x-netcdf" ; dcat:byteSize 1824028 .
"""

VALID_RUN = PREFIXES + """
<http://test.example/run/r1> a cg:ModelRun ;
    prov:startedAtTime "2026-01-01T10:00:00Z"^^xsd:dateTime ;
    prov:endedAtTime "2026-01-01T10:05:00Z"^^xsd:dateTime ;
    cg:status "succeeded" ; cg:seed 42 .
run:eval a cg:Evaluation ; mls:specifiedBy <http://test.example/measure/auroc> ;
    mls:hasValue 0.81 ; cg:split "test" .
run:attr1 a cg:Attribution ; cg:attributedVariable cube:variable\\/air_temperature ;
    cg:importance 0.12e0 ; cg:rank 1 ; cg:method "shap.GradientExplainer" ; cg:effectSign 1 .
"""


def _validate(turtle: str) -> tuple[bool, list[str]]:
    data = Graph().parse(data=turtle, format="turtle")
    conforms, report, _text = validate(data, shacl_graph=load_shapes())
    messages = sorted(str(m) for m in report.objects(None, SH.resultMessage))
    return conforms, messages


def test_valid_cube_conforms():
    assert _validate(VALID_CUBE) == (True, [])


def test_valid_run_conforms():
    assert _validate(VALID_RUN) == (True, [])


def test_variable_without_units_conforms_as_cf_allows():
    """CF 1.11 section 3.1: flags and dimensionless quantities may have no units."""
    assert _validate(VALID_CUBE.replace('cg:unitsString "K" ;', "")) == (True, [])


def test_variable_with_two_units_fails_naming_the_path():
    conforms, messages = _validate(VALID_CUBE.replace('cg:unitsString "K" ;',
                                                      'cg:unitsString "K", "degC" ;'))
    assert not conforms
    assert any("cg:unitsString" in m for m in messages), messages


def test_run_without_status_fails():
    conforms, messages = _validate(VALID_RUN.replace('cg:status "succeeded" ;', ""))
    assert not conforms
    assert any("path cg:status" in m for m in messages), messages


def test_run_with_unknown_status_fails():
    conforms, messages = _validate(VALID_RUN.replace('"succeeded"', '"done"'))
    assert not conforms and any("path cg:status" in m for m in messages)


def test_failed_run_needs_an_error_message():
    failed = VALID_RUN.replace('"succeeded"', '"failed"')
    conforms, messages = _validate(failed)
    assert not conforms
    assert messages == ["a failed run needs an error message saying why it failed (path cg:errorMessage)"]
    assert _validate(failed.replace("cg:seed 42", 'cg:seed 42 ; cg:errorMessage "CUDA OOM"'))[0]


def test_run_ending_before_it_started_fails():
    conforms, messages = _validate(VALID_RUN.replace("10:05:00Z", "09:05:00Z"))
    assert not conforms and any("prov:startedAtTime" in m for m in messages)


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ('dct:title "E1 North America air temperature" ;', "", "dct:title"),
        ('dct:identifier "e1-north-america" ;', "", "dct:identifier"),
        ('cg:fingerprint "sha256:f6124a1a745dfc01" ;', "", "cg:fingerprint"),
        ("cg:southBound 15.0", "cg:southBound 80.0", "cg:southBound"),
        ("cg:westBound -168.75", 'cg:westBound "far west"', "cg:westBound"),
        ('cg:dtype "float32" ;', "", "cg:dtype"),
        ('cg:axis "T"', 'cg:axis "time"', "cg:axis"),
        ("dcat:endDate \"2099", "dcat:endDate \"1099", "dcat:startDate"),
    ],
)
def test_broken_cube_fails_naming_the_path(old, new, path):
    assert old in VALID_CUBE
    conforms, messages = _validate(VALID_CUBE.replace(old, new))
    assert not conforms
    assert any(path in m for m in messages), messages


def test_cube_without_variables_fails():
    cube = VALID_CUBE.replace("cg:hasVariable cube:variable\\/air_temperature ;", "")
    conforms, messages = _validate(cube)
    assert not conforms and any("cg:hasVariable" in m for m in messages)


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [("cg:rank 1 ;", "cg:rank 0 ;", "cg:rank"), ("cg:importance 0.12e0 ;", "", "cg:importance"),
     ("cg:attributedVariable cube:variable\\/air_temperature ;", "", "cg:attributedVariable")],
)
def test_broken_attribution_fails(old, new, path):
    conforms, messages = _validate(VALID_RUN.replace(old, new))
    assert not conforms and any(path in m for m in messages), messages


def test_every_property_shape_has_a_message_naming_its_path():
    shapes = load_shapes()
    prefixes = {str(ns): prefix for prefix, ns in shapes.namespaces()}
    # Property shapes of the named node shapes (the ones inside sh:or of cg:FailedRunShape
    # are parts of one rule whose message is on the node shape).
    named = [(s, o) for s, o in shapes.subject_objects(SH.property) if isinstance(s, URIRef)]
    assert len(named) > 40
    for _node_shape, prop_shape in named:
        path = shapes.value(prop_shape, SH.path)
        assert isinstance(path, URIRef)
        namespace = next(ns for ns in prefixes if str(path).startswith(ns))
        curie = f"{prefixes[namespace]}:{str(path)[len(namespace):]}"
        message = str(shapes.value(prop_shape, SH.message))
        assert f"(path {curie})" in message, f"{curie}: message {message!r} does not name the path"
