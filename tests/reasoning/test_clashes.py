"""Naming the resources a graph types in two disjoint classes, and why (no Java needed)."""

from __future__ import annotations

from rdflib import Graph, URIRef

from cubegraph.ontology import load_ontology
from cubegraph.ontology.namespaces import CG
from cubegraph.reasoning.clashes import disjoint_groups, find_clashes

PREFIXES = """
@prefix cg: <https://w3id.org/cubegraph/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix ex: <http://ex.org/> .
"""


def graph(turtle: str) -> Graph:
    return Graph().parse(data=PREFIXES + turtle, format="turtle")


def test_the_ontology_declares_its_families_and_provs_disjointness():
    groups = disjoint_groups(load_ontology())
    assert any({CG.DataCube, CG.MLJob, CG.Variable} <= g for g in groups)
    assert frozenset({URIRef("http://www.w3.org/ns/prov#Activity"),
                      URIRef("http://www.w3.org/ns/prov#Entity")}) in groups


def test_a_property_outside_its_domain_is_named_as_the_reason():
    clashes = find_clashes(load_ontology(), graph("ex:job a cg:MLJob ; cg:northBound 42.0 ."))
    assert [(c.resource, c.classes) for c in clashes] == [(URIRef("http://ex.org/job"), (CG.DataCube, CG.MLJob))]
    assert str(clashes[0]) == ("<http://ex.org/job> is a cg:DataCube (rdfs:domain of cg:northBound) and a "
                               "cg:MLJob (asserted), classes the ontology declares disjoint")


def test_a_property_outside_its_range_and_a_subclass_are_named():
    clashes = find_clashes(load_ontology(), graph(
        "ex:sel a cg:InputSelection ; cg:selected ex:cube . ex:cube a cg:DataCube ."))
    [clash] = clashes
    assert clash.why == ("asserted", "rdfs:range of cg:selected")
    clashes = find_clashes(load_ontology(), graph("ex:run a cg:ModelRun . ex:run a cg:MLJob ."))
    assert ("asserted a cg:ModelRun", "asserted a cg:MLJob") in {c.why for c in clashes}


def test_a_well_typed_graph_has_no_clash_and_extra_disjointness_counts():
    onto = load_ontology()
    assert find_clashes(onto, Graph()) == []  # the ontology's own individuals, under OWL 2 RL
    assert find_clashes(onto, graph("ex:job a cg:MLJob ; cg:plannedSeed 3 .")) == []
    extra = graph("ex:A owl:disjointWith ex:B . ex:x a ex:A, ex:B .")
    assert [c.classes for c in find_clashes(onto, extra)] == [(URIRef("http://ex.org/A"), URIRef("http://ex.org/B"))]
