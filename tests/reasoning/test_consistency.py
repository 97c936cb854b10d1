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
