"""Each graph noun round-trips: what its writer records, its reader gives back, equal."""

from __future__ import annotations

import datetime as dt

import pytest
from rdflib import URIRef
from rdflib import namespace as ns

from cubegraph.kg import Iris, open_store
from cubegraph.kg.records.attribution import Attribution, Explanation
from cubegraph.kg.records.job import Job, job_graph, read_job
from cubegraph.kg.wkt import box_of_wkt, wkt_box
from cubegraph.kg.records.run import (
    Evaluation, Feature, Model, Run, Usage, list_runs, read_run, run_graph, run_inputs,
)
from cubegraph.kg.records.selection import Choice, read_selection, selection_graph, selection_iri

BASE = "http://t.example/"
IRIS = Iris(BASE)
CG = "https://w3id.org/cubegraph/ontology#"
VAR = lambda name: URIRef(f"{BASE}cube/c/variable/{name}")  # noqa: E731


@pytest.fixture
def store():
    s = open_store(None, base_iri=BASE)
    yield s
    s.close()


def test_job_round_trip(store):
    job = Job(id="fire-job", target=URIRef(CG + "ActiveFire"), bbox=(19.0, 34.5, 29.7, 42.0),
              start=dt.date(2020, 1, 1), end=dt.date(2022, 12, 31), title="Next-day fire",
              driver_classes=(URIRef(CG + "FireDangerDriver"), URIRef(CG + "TopographyDriver")),
              temporal_resolution="P1D", seed=7, spec={"id": "fire-job", "seed": 7})
    store.replace_graph(IRIS.job(job.id), job_graph(job, IRIS))
    back = read_job(store, IRIS.job(job.id))
    assert back == job
    assert back.spec == job.spec


def test_a_missing_job_reads_as_none(store):
    assert read_job(store, IRIS.job("nope")) is None


def test_a_job_uses_only_properties_whose_domain_admits_a_job(store):
    # A cube's bounds or a run's seed on the job made the reasoner type it a cube and a run.
    job = Job(id="j", target=URIRef(CG + "NDVI"), bbox=(-18.0, -35.0, 52.0, 38.0),
              start=dt.date(2017, 1, 1), end=dt.date(2021, 12, 31), seed=42)
    g = job_graph(job, IRIS)
    j = IRIS.job("j")
    predicates = {str(p) for p in g.predicates(j, None)}
    assert not predicates & {CG + "westBound", CG + "southBound", CG + "eastBound",
                             CG + "northBound", CG + "seed"}
    assert g.value(j, URIRef(CG + "plannedSeed")).toPython() == 42
    region = g.value(j, ns.DCTERMS.spatial)
    assert g.value(region, ns.RDF.type) == ns.DCTERMS.Location
    box = g.value(region, ns.DCAT.bbox)
    assert box.datatype == ns.GEO.wktLiteral
    assert str(box) == "POLYGON((-18.0 -35.0, 52.0 -35.0, 52.0 38.0, -18.0 38.0, -18.0 -35.0))"


@pytest.mark.parametrize("bbox", [(0.1 + 0.2, -1e-05, 179.99999999999997, 89.123456789),
                                  (170.0, -20.0, -170.0, -10.0),  # across the antimeridian
                                  (5.0, 5.0, 5.0, 5.0)])
def test_a_job_region_reads_back_as_the_same_floats(store, bbox):
    job = Job(id="r", target=URIRef(CG + "NDVI"), bbox=bbox, start=dt.date(2020, 1, 1),
              end=dt.date(2020, 1, 2))
    store.replace_graph(IRIS.job("r"), job_graph(job, IRIS))
    assert read_job(store, IRIS.job("r")).bbox == bbox
    assert box_of_wkt(wkt_box(bbox)) == bbox
    assert box_of_wkt("POINT(1 2)") is None


def test_selection_round_trip(store):
    job = IRIS.job("j")
    selected = (Choice(VAR("lst"), "measures lst, hence a cg:FireDangerDriver", "lst"),
                Choice(VAR("t2m"), "named in the job spec", "t2m"))
    excluded = (Choice(VAR("fire_tomorrow"), "derived from the target: leakage", "fire_tomorrow"),)
    iri = selection_iri(job, "content")
    assert iri == selection_iri(job, "content") != selection_iri(job, "other")
    g = selection_graph(iri, job, VAR("active_fire"), "SELECT ?x WHERE {}", selected, excluded,
                        generated_at="2026-01-01T00:00:00+00:00")
    store.replace_graph(iri, g)
    # Names come from the cube's description, when the variables are in the graph.
    store.update(f"""INSERT DATA {{ GRAPH <{BASE}cube/c> {{
        {" ".join(f'<{VAR(n)}> <{CG}variableName> "{n}" .' for n in ("lst", "t2m", "fire_tomorrow"))}
    }} }}""")
    back = read_selection(store, iri)
    assert back.job == job and back.target == VAR("active_fire")
    assert back.query == "SELECT ?x WHERE {}"
    assert back.selected == selected and back.excluded == excluded
    assert back.generated_at.startswith("2026-01-01T00:00:00")
    assert read_selection(store, URIRef(f"{job}/selection/none")) is None


def test_a_cube_refused_whole_is_an_excluded_cube_not_an_excluded_variable(store):
    # cg:excluded's range is cg:Variable: a cube there was inferred a variable.
    job, cube = IRIS.job("j"), URIRef(f"{BASE}cube/africa")
    excluded = (Choice(VAR("fwi"), "measures fwi: not one of cg:DroughtDriver", "fwi"),
                Choice(cube, "extent [...] does not overlap the job region [...]; 3 candidates", cube=cube))
    iri = selection_iri(job, "cubes")
    g = selection_graph(iri, job, VAR("ndvi"), "", (), excluded, generated_at="2026-01-01T00:00:00+00:00")
    assert set(g.objects(iri, URIRef(CG + "excluded"))) == {VAR("fwi")}
    assert set(g.objects(iri, URIRef(CG + "excludedCube"))) == {cube}
    store.replace_graph(iri, g)
    store.update(f'INSERT DATA {{ GRAPH <{BASE}cube/c> {{ <{VAR("fwi")}> <{CG}variableName> "fwi" }} }}')
    back = read_selection(store, iri)
    assert back.excluded == (Choice(cube, excluded[1].reason, None, cube), excluded[0])


def _run(**changes) -> Run:
    run = Run(
        id="r1", status="succeeded", started="2026-01-05T10:00:00Z", ended="2026-01-05T10:01:04Z",
        software="0.1.0", host="box", labels=("mlp run", "run r1 of job j"), seed=3,
        job_spec='{"task": "classification"}', inputs=(VAR("active_fire"), VAR("lst"), VAR("t2m")),
        comment="inputs without a graph IRI: x in /data/x.zarr", target=VAR("active_fire"),
        hyperparameters=(("epochs", 30), ("learning_rate", 0.002), ("model", "mlp")),
        model=Model("mlp model (pixel inputs)", "best epoch 3 of 5", "ab" * 32, 1234, "/runs/r1/model.pt"),
        features=(Feature("lst", "identity", "identity of lst", VAR("lst")),
                  Feature("t2m_lag1", "lag", 'lag of t2m {"steps": 1}', VAR("t2m"))),
        evaluations=(Evaluation("fwi", "test", "auroc", 0.7, "auroc of baseline fwi on test"),
                     Evaluation("model", "test", "auroc", 0.84, "auroc of mlp on test"),
                     Evaluation("model", "validation", "auroc", 0.86, "auroc of mlp on validation")),
        explanation=Explanation("shap.DeepExplainer", "mean |SHAP| over 200 test samples",
                                (Attribution("lst", 0.6, 1, 1, VAR("lst")),
                                 Attribution("t2m", 0.2, 2, -1, VAR("t2m")))),
        outputs=(URIRef(f"{BASE}cube/r1-predictions"),),
        job=IRIS.job("j"), selection=URIRef(f"{IRIS.job('j')}/selection/abc"),
        selection_query="SELECT ?v WHERE {}",
        usages=(Usage(URIRef(f"{BASE}cube/c"), ("sha256:1",), "2026-01-05T10:00:01Z"),),
    )
    return Run(**{**run.__dict__, **changes})


def test_run_round_trip(store):
    run = _run()
    store.replace_graph(IRIS.run(run.id), run_graph(run, IRIS))
    # The job and selection are typed in their own graphs.
    store.replace_graph(run.job, job_graph(
        Job("j", VAR("active_fire"), (0.0, 0.0, 1.0, 1.0), dt.date(2020, 1, 1), dt.date(2020, 2, 1)), IRIS))
    store.replace_graph(run.selection, selection_graph(run.selection, run.job, VAR("active_fire"), "", (), ()))
    back = read_run(store, IRIS.run(run.id))
    assert back == run
    assert back.baselines == ("fwi",)
    [summary] = list_runs(store)
    assert (summary.iri, summary.status, summary.job) == (str(IRIS.run("r1")), "succeeded", str(run.job))
    kinds = {i.iri: i.types for i in run_inputs(store, IRIS.run("r1"))}
    assert "MLJob" in kinds[str(run.job)] and "InputSelection" in kinds[str(run.selection)]


def test_failed_run_round_trip(store):
    run = Run(id="r2", status="failed", started="2026-01-05T10:00:00Z", ended="2026-01-05T10:00:01Z",
              software="0.1.0", host="box", error="GridMismatch: input 'x' does not overlap")
    store.replace_graph(IRIS.run("r2"), run_graph(run, IRIS))
    assert read_run(store, IRIS.run("r2")) == run
    assert read_run(store, IRIS.run("nope")) is None


def test_run_graph_has_no_blank_nodes():
    g = run_graph(_run(), IRIS)
    assert all(not t.startswith("_:") and "BNode" not in type(t).__name__ for t in g.all_nodes())
