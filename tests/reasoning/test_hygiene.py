"""Ontology hygiene: every kind of record cubegraph writes, reasoned over, stays in its family.

One store gets every kind of record through the code that writes it for real: demo cubes
ingested, a job and its selection (with cubes refused whole), a succeeded run with its
evaluations and attributions and its output cubes (predictions, attributions), and a failed
run. It is reasoned before the jobs exist and again after. Then:

- no resource, asserted or inferred, has types of two families (cube, variable, job, run, ...:
  the members of the ontology's ``owl:AllDisjointClasses``);
- no triple uses a property outside its declared ``rdfs:domain`` / ``rdfs:range``;
- HermiT finds the records consistent with the ontology, and reports a graph with the old
  job and selection layout (a job with a cube's bounds, a cube refused as a variable) as
  inconsistent, naming the resource, the two classes and the property;
- ``cubegraph reason`` is idempotent: reasoning again (in another process, another hash seed)
  changes nothing, and a fresh store with the same asserted graphs reasoned once holds the
  same inferred and support graphs.
"""

from __future__ import annotations

import shutil
from collections import defaultdict

import pytest
from rdflib import Graph, URIRef
from rdflib import namespace as ns
from rdflib.collection import Collection

from cubegraph.ingest.demo import write_demo_data
from cubegraph.ingest.pipeline import ingest_paths
from cubegraph.kg import open_store
from cubegraph.kg.bootstrap import init_store
from cubegraph.ml.runner import train_job
from cubegraph.ontology import load_ontology
from cubegraph.ontology.namespaces import CG, MLS
from cubegraph.reasoning.clashes import find_clashes
from cubegraph.reasoning.jobs import load_job
from cubegraph.reasoning.materialize import materialize, source_graphs, support_graph
from cubegraph.reasoning.selection import record_selection, select_inputs
from tests_support import REPO, run_cli

pytestmark = pytest.mark.slow

BASE = "http://hygiene.example/"
#: Nodes a run writes besides its own family members: each is a family of its own here, so
#: that a feature or a usage typed a cube would fail too.
RUN_PARTS = (MLS.Feature, MLS.HyperParameterSetting, MLS.EvaluationMeasure, ns.PROV.Usage)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A disk store with every kind of record (closed again: tests and the CLI reopen it)."""
    work = tmp_path_factory.mktemp("hygiene")
    write_demo_data(work / "demo")
    store = open_store(work / "store", base_iri=BASE)
    try:
        init_store(store)
        summary = ingest_paths(store, [work / "demo"], progress=False)
        assert not summary.failed
        materialize(store)  # before any job: the first `cubegraph reason`
        fire, drought = (load_job(REPO / "examples" / "jobs" / name) for name in ("fire.yaml", "drought.yaml"))
        record_selection(store, drought, select_inputs(store, drought))
        ok = train_job(store, fire, artifacts=work / "runs", run_id="fire-ok", progress=False, max_samples=300)
        assert ok.status == "succeeded", ok.error
        # A run whose target cube vanished from disk after it was described: recorded as failed.
        target_cube = next(p for p in (work / "demo").iterdir() if p.name.startswith("africa_drought_minicube_01"))
        shutil.rmtree(target_cube)
        failed = train_job(store, drought, artifacts=work / "runs", run_id="drought-failed",
                           progress=False, max_samples=300)
        assert failed.status == "failed"
        materialize(store)  # after jobs, runs and write-backs: the second `cubegraph reason`
    finally:
        store.close()
    return work


@pytest.fixture
def store(world):
    s = open_store(world / "store", base_iri=BASE)
    yield s
    s.close()


def families(onto: Graph) -> dict[URIRef, URIRef]:
    """Class -> the family it belongs to: a member of the ontology's ``owl:AllDisjointClasses``
    (its subclasses, and the reused superclasses no other member has, e.g. ``dcat:Dataset``
    for ``cg:DataCube``), plus :data:`RUN_PARTS` each on its own."""
    [group] = list(onto.subjects(ns.RDF.type, ns.OWL.AllDisjointClasses))
    members = list(Collection(onto, onto.value(group, ns.OWL.members)))
    supers = defaultdict(set)
    for sub, sup in onto.subject_objects(ns.RDFS.subClassOf):
        if isinstance(sup, URIRef):
            supers[sub].add(sup)

    def up(cls) -> set:
        seen, todo = {cls}, [cls]
        while todo:
            for s in supers[todo.pop()] - seen:
                seen.add(s)
                todo.append(s)
        return seen

    out = {}
    for cls in list(supers):
        for m in members:
            if m in up(cls):
                out[cls] = m
    above = {m: up(m) - {m} for m in members}
    for m in members:
        out[m] = m
        for s in above[m]:
            if sum(s in above[other] for other in members) == 1:
                out[s] = m
    for part in RUN_PARTS:
        out[part] = part
    return out


def test_the_store_holds_every_kind_of_record(store):
    def count(where: str) -> int:
        return int(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}").rows()[0]["n"])

    for cls in (CG.DataCube, CG.Variable, CG.Dimension, CG.CubeDistribution, CG.MLJob,
                CG.InputSelection, CG.ModelRun, CG.Model, CG.Evaluation, CG.Explanation,
                CG.Attribution):
        assert count(f"?x a <{cls}>") > 0, f"no {cls} written"
    assert count(f"?s <{CG.excludedCube}> ?cube") > 0, "no cube refused whole"
    assert count(f'?r <{CG.status}> "failed"') == 1 and count(f'?r <{CG.status}> "succeeded"') == 1
    assert count(f"?cube a <{CG.DataCube}> ; <{ns.PROV.wasGeneratedBy}> ?run . ?run a <{CG.ModelRun}>") == 2


def test_no_resource_has_types_of_two_families(store):
    family = families(load_ontology())
    assert len(set(family.values())) >= 12 + len(RUN_PARTS)
    seen = defaultdict(set)
    for row in store.query("SELECT DISTINCT ?s ?t WHERE { ?s a ?t }"):  # asserted and inferred
        if row["t"] in family:
            seen[row["s"]].add(family[row["t"]])
    assert len(seen) > 200
    mixed = {str(s): sorted(map(str, f)) for s, f in seen.items() if len(f) > 1}
    assert not mixed, f"resources in two families: {mixed}"
    assert store.count(store.iris.inferred_graph) > 0


def test_no_property_is_used_outside_its_declared_domain_or_range(store):
    onto = load_ontology()
    supers = defaultdict(set)
    for sub, sup in onto.subject_objects(ns.RDFS.subClassOf):
        supers[sub].add(sup)

    def is_a(types: set, cls) -> bool:
        todo, seen = list(types), set(types)
        while todo:
            t = todo.pop()
            if t == cls:
                return True
            for s in supers[t] - seen:
                seen.add(s)
                todo.append(s)
        return False

    data = Graph()
    for g in source_graphs(store):
        data += store.graph(g)
    asserted = data + onto
    types = defaultdict(set)
    for s, t in asserted.subject_objects(ns.RDF.type):
        types[s].add(t)
    domains = dict(onto.subject_objects(ns.RDFS.domain))
    ranges = {p: r for p, r in onto.subject_objects(ns.RDFS.range) if not str(r).startswith(str(ns.XSD))}
    wrong = set()
    for s, p, o in data:
        if p in domains and not is_a(types[s], domains[p]):
            wrong.add(f"<{s}> {p.n3()} ...: subject not a {domains[p].n3()}")
        if p in ranges and isinstance(o, URIRef) and not is_a(types[o], ranges[p]):
            wrong.add(f"... {p.n3()} <{o}>: object not a {ranges[p].n3()}")
    assert len(data) > 3000
    assert not wrong, "\n".join(sorted(wrong))


def test_the_rule_closure_finds_no_clash(store):
    data = Graph()
    for g in source_graphs(store):
        data += store.graph(g)
    assert find_clashes(load_ontology(), data) == []


java = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs a Java runtime")


@java
def test_hermit_finds_every_record_consistent_with_the_ontology(store):
    from cubegraph.reasoning.consistency import check_ontology

    data = Graph()
    for g in source_graphs(store):
        data += store.graph(g)
    report = check_ontology([data])
    assert report.consistent, report.summary()


@java
def test_hermit_reports_a_job_in_two_families_as_inconsistent_and_says_why():
    from cubegraph.reasoning.consistency import check_ontology

    # The job and selection as they were written before issue 12.
    old = f"""
    @prefix cg: <{CG}> . @prefix prov: <http://www.w3.org/ns/prov#> .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    <{BASE}job/fire> a cg:MLJob, prov:Plan ; cg:westBound 19.0 ; cg:southBound 34.5 ;
        cg:eastBound 29.7 ; cg:northBound 42.0 ; cg:seed 42 .
    <{BASE}cube/africa> a cg:DataCube .
    <{BASE}job/fire/selection/1> a cg:InputSelection ; cg:excluded <{BASE}cube/africa> .
    """
    report = check_ontology([old])
    assert report.consistent is False
    summary = report.summary()
    assert summary.startswith("INCONSISTENT ontology")
    assert (f"<{BASE}job/fire> is a cg:DataCube (rdfs:domain of cg:eastBound) and a cg:MLJob "
            "(asserted), classes the ontology declares disjoint") in summary
    assert f"<{BASE}job/fire> is a cg:MLJob (asserted) and a cg:ModelRun (rdfs:domain of cg:seed)" in summary
    assert (f"<{BASE}cube/africa> is a cg:DataCube (asserted) and a cg:Variable "
            "(rdfs:range of cg:excluded)") in summary
    assert "fix the writer or the property" in summary


def _derived(path) -> tuple[set, set]:
    """(inferred, support) triples of the store at ``path`` (opened briefly, then closed)."""
    s = open_store(path, base_iri=BASE)
    try:
        return set(s.graph(s.iris.inferred_graph)), set(s.graph(support_graph(s)))
    finally:
        s.close()


def test_reason_again_changes_nothing_and_equals_one_run_on_a_fresh_store(world, tmp_path):
    path = world / "store"
    before = _derived(path)
    for seed in ("1", "2"):  # set order differs between hash seeds: the graph must not
        proc = run_cli("--store", str(path), "--base-iri", BASE, "reason", cwd=tmp_path,
                       env={"PYTHONHASHSEED": seed})
        assert proc.returncode == 0, proc.stderr
        assert _derived(path) == before
    # the same asserted graphs in a fresh store (its ontology loaded afresh), reasoned once
    fresh = tmp_path / "fresh"
    s, f = open_store(path, base_iri=BASE), open_store(fresh, base_iri=BASE)
    try:
        init_store(f)
        for g in source_graphs(s):
            f.load(s.dump(format="ntriples", graph=str(g)), format="ntriples", graph=str(g))
    finally:
        s.close()
        f.close()
    proc = run_cli("--store", str(fresh), "--base-iri", BASE, "reason", cwd=tmp_path,
                   env={"PYTHONHASHSEED": "3"})
    assert proc.returncode == 0, proc.stderr
    inferred, support = _derived(fresh)
    assert inferred == before[0] and len(inferred) > 100
    assert support == before[1]
