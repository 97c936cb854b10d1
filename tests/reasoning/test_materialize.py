"""Materialization: the closure lands in the inferred graph, agrees with owlrl, updates incrementally."""

from __future__ import annotations

import sys
from pathlib import Path

import owlrl
import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from cubegraph.kg.bootstrap import init_store
from cubegraph.ontology.namespaces import CF, CG
from cubegraph.reasoning.materialize import materialize, source_graphs, support_graph, update_inferences
from cubegraph.reasoning.rules import keep, normalise

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import lubm  # noqa: E402

# T-box predicates: owlrl closes the schema itself (scm-* rules, reflexive subclass and
# equivalence triples, owl:Thing/owl:Nothing bounds) where reasonable only applies what the
# instance rules need; docs/reasoning.md lists these differences. Everything else must match.
SCHEMA_PREDICATES = {RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range,
                     OWL.equivalentClass, OWL.equivalentProperty}
DCT_HAS_VERSION = URIRef("http://purl.org/dc/terms/hasVersion")
DCAT_DATASET = URIRef("http://www.w3.org/ns/dcat#Dataset")
BUILTIN = ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/2000/01/rdf-schema#",
           "http://www.w3.org/2002/07/owl#", "http://www.w3.org/2001/XMLSchema#")


def cube(iris, slug, variables):
    g, c = Graph(), iris.cube(slug)
    g.add((c, RDF.type, CG.DataCube))
    for name, obs in variables.items():
        v = iris.variable(slug, name)
        g.add((c, CG.hasVariable, v))
        g.add((v, CG.measures, obs))  # cg:Variable itself comes from the domain of cg:measures
    return c, g


@pytest.fixture
def store(mem_store):
    init_store(mem_store)
    return mem_store


def inferred(store) -> set:
    g = store.find_graph(store.iris.inferred_graph)
    return {(s, p, normalise(o)) for s, p, o in g} if g is not None else set()


def asserted(store) -> set:
    out = set()
    for g in [store.iris.ontology_graph, *source_graphs(store)]:
        out |= {(s, p, normalise(o)) for s, p, o in store.graph(g)}
    return out


def abox(triples: set) -> set:
    return {t for t in triples if t[1] not in SCHEMA_PREDICATES and not str(t[0]).startswith(BUILTIN)}


def owlrl_inferred(store) -> set:
    g = Graph()
    for t in asserted(store):
        g.add(t)
    base = {(s, p, normalise(o)) for s, p, o in g}
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    new = {(s, p, normalise(o)) for s, p, o in g} - base
    return {t for t in new if keep(t) and not isinstance(t[0], BNode) and not isinstance(t[2], BNode)}


def test_driver_membership_is_inferred_into_its_own_graph(store):
    c, g = cube(store.iris, "a", {"t2m": CF["air_temperature/"]})
    store.replace_graph(c, g)
    report = materialize(store)
    t2m = store.iris.variable("a", "t2m")
    got = inferred(store)
    assert (t2m, RDF.type, CG.FireDangerDriver) in got
    assert (t2m, RDF.type, CG.Variable) in got
    assert (t2m, RDF.type, CG.FireDangerDriver) not in set(store.graph(c))
    assert report.inferred == len(got) and report.mode == "full"


def test_only_new_triples_are_written(store):
    c, g = cube(store.iris, "a", {"t2m": CF["air_temperature/"]})
    g.add((store.iris.variable("a", "t2m"), RDF.type, CG.Variable))  # asserted: not re-inferred
    store.replace_graph(c, g)
    materialize(store)
    assert not inferred(store) & asserted(store)


def test_cube_closure_matches_owlrl(store):
    for slug, obs in (("a", {"t2m": CF["air_temperature/"], "q": URIRef("http://example.org/obs/q")}),
                      ("b", {"sm": CF["volume_fraction_of_condensed_water_in_soil/"]})):
        store.replace_graph(*cube(store.iris, slug, obs))
    materialize(store)
    assert abox(inferred(store)) == abox(owlrl_inferred(store))


def test_lubm_closure_matches_owlrl(mem_store):
    s = mem_store
    s.load(lubm.ONTOLOGY.encode(), format="turtle", graph=str(s.iris.ontology_graph))
    for name, text in lubm.generate(2_000):
        s.load(text.encode(), format="ntriples", graph=name)
    materialize(s)
    ours, theirs = abox(inferred(s)), abox(owlrl_inferred(s))
    assert ours == theirs
    chair = URIRef("http://www.Department0.University0.edu/FullProfessor0")
    assert (chair, RDF.type, URIRef(lubm.UB + "Chair")) in ours  # intersection + someValuesFrom


def full_equals_incremental(store) -> None:
    incremental = inferred(store)
    materialize(store)
    assert incremental == inferred(store)


def test_incremental_add_replace_drop_match_full_runs(store):
    store.replace_graph(*cube(store.iris, "a", {"t2m": CF["air_temperature/"]}))
    materialize(store)
    c, g = cube(store.iris, "b", {"sm": CF["volume_fraction_of_condensed_water_in_soil/"]})
    store.replace_graph(c, g)
    report = update_inferences(store, c)
    assert report.mode == "incremental" and report.added > 0
    assert (store.iris.variable("b", "sm"), RDF.type, CG.DroughtDriver) in inferred(store)
    full_equals_incremental(store)
    store.replace_graph(*cube(store.iris, "b", {"sm": URIRef("http://example.org/obs/other")}))
    report = update_inferences(store, c)
    assert report.removed > 0
    assert (store.iris.variable("b", "sm"), RDF.type, CG.DroughtDriver) not in inferred(store)
    full_equals_incremental(store)
    store.drop_graph(c)
    update_inferences(store, c)
    full_equals_incremental(store)


def test_retraction_keeps_what_another_source_supports(store):
    a_var = store.iris.variable("a", "t2m")
    store.replace_graph(*cube(store.iris, "a", {"t2m": CF["air_temperature/"]}))
    other = URIRef("http://t.example/notes")
    store.replace_graph(other, [(a_var, CG.measures, CF["air_temperature/"])])
    materialize(store)
    store.replace_graph(*cube(store.iris, "a", {"t2m": URIRef("http://example.org/obs/q")}))
    update_inferences(store, store.iris.cube("a"))
    assert (a_var, RDF.type, CG.FireDangerDriver) in inferred(store)  # still supported by <notes>
    full_equals_incremental(store)


def test_update_without_a_full_run_falls_back(store):
    c, g = cube(store.iris, "a", {"t2m": CF["air_temperature/"]})
    store.replace_graph(c, g)
    report = update_inferences(store, c)
    assert report.mode == "full" and report.fallback == "no full run yet"


def test_changed_ontology_falls_back(store):
    c, g = cube(store.iris, "a", {"t2m": CF["air_temperature/"]})
    store.replace_graph(c, g)
    materialize(store)
    store.add(store.iris.ontology_graph, [(CG.Driver, RDFS.comment, CG.Variable)])
    report = update_inferences(store, c)
    assert report.fallback == "the ontology changed since the last run"


def test_support_records_are_bookkeeping_not_triples(store):
    store.replace_graph(*cube(store.iris, "a", {"t2m": CF["air_temperature/"]}))
    materialize(store)
    rows = store.query(
        "SELECT ?support ?src WHERE { GRAPH ?support { ?r <http://www.w3.org/ns/prov#wasDerivedFrom> ?src } }",
        bindings={"support": support_graph(store)}).rows()
    assert store.iris.cube("a") in {r["src"] for r in rows}


def test_loading_the_same_ontology_again_keeps_updates_incremental(store):
    # `cubegraph init` reloads the ontology, whose blank nodes get new labels: the same
    # ontology must not look changed (a full run per update, a different support graph).
    materialize(store)
    version = set(store.graph(support_graph(store)).objects(support_graph(store), DCT_HAS_VERSION))
    init_store(store)
    c, g = cube(store.iris, "after-init", {"t2m": CF["air_temperature/"]})
    store.replace_graph(c, g)
    report = update_inferences(store, c)
    assert (report.mode, report.fallback) == ("incremental", None)
    materialize(store)
    assert set(store.graph(support_graph(store)).objects(support_graph(store), DCT_HAS_VERSION)) == version


def test_support_records_read_the_same_whatever_the_set_order(store):
    for slug in ("a", "b"):
        store.replace_graph(*cube(store.iris, slug, {"t2m": CF["air_temperature/"], "rh": CF["relative_humidity/"]}))
    materialize(store)
    values = [str(o) for o in store.graph(support_graph(store)).objects(None, RDF.value)]
    assert values and all(v.splitlines() == sorted(v.splitlines()) for v in values)


def test_staging_graphs_left_by_a_stopped_run_are_not_data(store):
    store.replace_graph(*cube(store.iris, "a", {"t2m": CF["air_temperature/"]}))
    staging = URIRef(str(store.iris.inferred_graph) + "/staging")
    store.add(staging, [(URIRef("http://x/stale"), RDF.type, CG.DataCube)])
    assert staging not in source_graphs(store)
    materialize(store)
    assert (URIRef("http://x/stale"), RDF.type, DCAT_DATASET) not in inferred(store)
    assert not store.has_graph(staging)
