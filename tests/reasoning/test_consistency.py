"""HermiT (through owlready2) on the shipped ontology and on deliberately broken additions."""

import shutil

import pytest

from cubegraph.ontology.namespaces import CG
from cubegraph.reasoning.consistency import ConsistencyReport, check_ontology

pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs a Java runtime")

PREFIXES = """
@prefix cg:   <https://w3id.org/cubegraph/ontology#> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
"""


def test_shipped_ontology_is_consistent_with_no_unsatisfiable_classes():
    report = check_ontology()
    assert report.consistent and report.ok
    assert report.unsatisfiable == []
    # The union axioms place phenomena under the role groups; HermiT finds that.
    assert (str(CG.AirTemperature), str(CG.FireDangerFactor)) in report.inferred_subclasses
    assert (str(CG.Coherence), str(CG.VolcanicUnrestFactor)) in report.inferred_subclasses
    assert report.seconds < 30
    assert report.summary().startswith("OK: consistent ontology (hermit")


def test_class_disjoint_with_its_own_superclass_is_reported_unsatisfiable():
    report = check_ontology([PREFIXES + "cg:Explanation owl:disjointWith prov:Entity ."])
    assert report.consistent and not report.ok
    assert report.unsatisfiable == [str(CG.Explanation)]
    assert f"unsatisfiable: {CG.Explanation}" in report.summary()


def test_inconsistent_ontology_is_reported_not_raised(tmp_path):
    # cg:AirTemperature has members (the CF name air_temperature): no model exists.
    extra = tmp_path / "bad.ttl"
    extra.write_text(PREFIXES + "cg:AirTemperature owl:disjointWith cg:Thermal .\n")
    report = check_ontology([extra])
    assert isinstance(report, ConsistencyReport)
    assert report.consistent is False
    assert report.summary().startswith("INCONSISTENT ontology")


def test_unknown_reasoner_is_refused():
    with pytest.raises(ValueError, match="unknown reasoner 'fact'"):
        check_ontology(reasoner="fact")


def test_records_with_values_outside_owl2s_datatypes_can_be_checked():
    # A time step (xsd:duration), a period bound (xsd:date), a NaN fill value, a WKT
    # extent: HermiT would refuse them as data property values; the check reasons on.
    report = check_ontology([PREFIXES + """
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    @prefix dcat: <http://www.w3.org/ns/dcat#> .
    <http://ex.org/cube> a cg:DataCube ; cg:crs "POINT(1 2)"^^<http://www.opengis.net/ont/geosparql#wktLiteral> ;
        cg:westBound "2020-01-01"^^xsd:date ; cg:hasVariable <http://ex.org/cube/v> .
    <http://ex.org/cube/v> cg:fillValue "NaN"^^xsd:double ; cg:maxValue "P1D"^^xsd:duration .
    """])
    assert report.consistent, report.summary()
    # a value outside a declared range still reaches the reasoner
    report = check_ontology([PREFIXES + '<http://ex.org/r> a cg:ModelRun ; cg:seed "true"^^<http://www.w3.org/2001/XMLSchema#boolean> .'])
    assert report.consistent is False


def test_an_inconsistent_check_names_the_resources_in_two_families():
    report = check_ontology([PREFIXES + "<http://ex.org/job> a cg:MLJob ; cg:seed 42 ."])
    assert report.consistent is False
    assert report.clashes
    assert all(c.startswith("<http://ex.org/job> is a ") for c in report.clashes)
    assert "<http://ex.org/job> is a cg:MLJob (asserted) and a cg:ModelRun (rdfs:domain of cg:seed)" in report.summary()
