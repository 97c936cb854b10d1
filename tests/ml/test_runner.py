"""train_job end to end on the demo cubes: selection, training, write-back, failures, kills."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from rdflib import Literal, URIRef

import cubegraph
from cubegraph.ingest.demo import write_demo_data
from cubegraph.ingest.pipeline import ingest_paths
from cubegraph.kg import open_store
from cubegraph.kg.bootstrap import init_store
from cubegraph.ml.runner import train_job
from cubegraph.ontology import load_shapes
from cubegraph.ontology.namespaces import CG, DCTERMS, OA, PROV
from cubegraph.reasoning.jobs import load_job
from cubegraph.reasoning.materialize import materialize
from tests_support import REPO

FIRE = REPO / "examples" / "jobs" / "fire.yaml"
QUERIES = REPO / "examples" / "queries"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("runner")
    write_demo_data(root / "demo")
    store = open_store(root / "store")
    init_store(store)
    assert ingest_paths(store, [root / "demo" / "greece_fire_daily.zarr"], progress=False).ok
    materialize(store)
    yield root, store
    store.close()


@pytest.fixture(scope="module")
def fire_run(demo):
    root, store = demo
    record = train_job(store, load_job(FIRE), artifacts=root / "runs", run_id="fire-test",
                       progress=False, max_samples=20_000)
    assert record.status == "succeeded", record.error
    return record


def test_run_graph_is_written_whole_and_valid(demo, fire_run):
    import pyshacl

    _, store = demo
    g = store.graph(fire_run.run)
    assert (fire_run.run, CG.status, Literal("succeeded")) in g
    conforms, _, text = pyshacl.validate(g, shacl_graph=load_shapes(), inference="none")
    assert conforms, text
    assert (fire_run.run, PROV.used, fire_run.selection) in g
    attributions = list(g.subjects(CG.rank, None))
    assert len(attributions) == len(fire_run.result.explanation.importances)


def test_outputs_are_cubes_generated_by_the_run(demo, fire_run):
    _, store = demo
    assert set(fire_run.outputs) == {"predictions", "attributions"}
    for cube in fire_run.outputs.values():
        assert store.has_graph(cube)
        assert bool(store.query("ASK { ?cube <http://www.w3.org/ns/prov#wasGeneratedBy> ?run }",
                                bindings={"cube": cube, "run": fire_run.run}))
        # every output variable derives from a variable that exists: an input's, not a
        # dangling name in its own cube
        sources = store.query(
            "SELECT ?cube ?v ?src WHERE { GRAPH ?cube { ?v <http://www.w3.org/ns/prov#wasDerivedFrom> ?src } }",
            bindings={"cube": cube}).rows()
        assert sources
        for row in sources:
            assert str(row["src"]).startswith(FIRE_CUBE + "/variable/"), row
            assert bool(store.query("ASK { ?src a <https://w3id.org/cubegraph/ontology#Variable> }",
                                    bindings={"src": row["src"]}))
        warnings = store.query(
            "SELECT ?cube ?w WHERE { GRAPH ?cube { ?n <http://www.w3.org/ns/oa#hasTarget> ?s ; <http://www.w3.org/ns/oa#bodyValue> ?w } }",
            bindings={"cube": cube}).rows()
        assert not any("derived_from" in str(r["w"]) for r in warnings)
    assert fire_run.model_path.is_file()


@pytest.mark.parametrize("name, expect", [
    ("drivers-by-attribution", "fwi"),
    ("best-run-per-target", "fire-test"),
    ("runs-using-cube", "fire-test"),
])
def test_across_run_queries_answer(demo, fire_run, name, expect):
    _, store = demo
    body = store.query((QUERIES / f"{name}.rq").read_text()).serialize("csv").decode()
    assert expect in body.splitlines()[1], body


def test_changed_input_is_found_by_the_changed_inputs_query(demo, fire_run):
    _, store = demo
    query = (QUERIES / "runs-with-changed-inputs.rq").read_text()
    assert store.query(query).rows() == []
    cube = "http://127.0.0.1:8765/cube/greece-fire-daily-zarr"
    swap = ("PREFIX cg: <https://w3id.org/cubegraph/ontology#> "
            "DELETE { GRAPH ?g { ?d cg:fingerprint ?f } } INSERT { GRAPH ?g { ?d cg:fingerprint %s } } "
            "WHERE { GRAPH ?g { <%s> <http://www.w3.org/ns/dcat#distribution> ?d . ?d cg:fingerprint ?f } }")
    old = store.query(f"SELECT ?f WHERE {{ <{cube}> <http://www.w3.org/ns/dcat#distribution>/"
                      "<https://w3id.org/cubegraph/ontology#fingerprint> ?f }").rows()[0]["f"]
    store.update(swap % ('"edited"', cube))  # what re-ingesting an edited file records
    try:
        assert [str(r["cube"]) for r in store.query(query).rows()] == [cube]
    finally:
        store.update(swap % (f'"{old}"', cube))


def test_a_run_that_fails_is_recorded_as_failed_with_nothing_else(demo, tmp_path):
    _, store = demo
    spec = json.loads(json.dumps(load_job(FIRE).spec))
    spec["id"] = "too-short"
    spec["period"] = {"start": "2022-12-20", "end": "2022-12-31"}
    record = train_job(store, load_job(spec), artifacts=tmp_path, run_id="short", progress=False)
    assert record.status == "failed"
    g = store.graph(record.run)
    assert (record.run, CG.status, Literal("failed")) in g
    message = str(g.value(record.run, CG.errorMessage))
    assert "InsufficientData" in message or "period" in message
    assert not list(tmp_path.iterdir())  # no model, no output cubes


def test_a_killed_run_leaves_no_run_graph(demo, tmp_path):
    from tests_support import run_cli

    root, _ = demo
    store = str(tmp_path / "store")
    assert run_cli("--store", store, "ingest", "-q", str(root / "demo" / "greece_fire_daily.zarr"),
                   cwd=tmp_path).returncode == 0
    assert run_cli("--store", store, "reason", cwd=tmp_path).returncode == 0
    exe = os.path.join(os.path.dirname(sys.executable), "cubegraph")
    proc = subprocess.Popen([exe, "--store", store, "train", str(FIRE), "--run-id", "killed",
                             "--artifacts", str(tmp_path / "runs")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    deadline = time.time() + 120
    seen = ""
    while time.time() < deadline and "train" not in seen:  # wait until training has begun
        seen = proc.stderr.read(200) or seen
        if proc.poll() is not None:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with open_store(store) as after:
        assert after.has_graph(after.iris.job("greece-next-day-fire"))  # the selection landed
        assert not after.has_graph(after.iris.run("killed"))  # but no half run


def test_the_run_leaves_a_shap_chart_beside_the_model(fire_run):
    from PIL import Image

    assert fire_run.chart == fire_run.model_path.with_name("shap.png")
    with Image.open(fire_run.chart) as img:
        assert img.format == "PNG" and img.width > 500 and img.height > 300
        colours = img.convert("RGB").getcolors(maxcolors=1 << 20)
    assert len(colours) > 20  # bars, text and legend, not a blank canvas


FIRE_CUBE = "http://127.0.0.1:8765/cube/greece-fire-daily-zarr"


def test_outputs_inherit_extent_licence_creator_date_and_phenomena(demo, fire_run):
    from cubegraph.kg.records.cube import read_cubes
    from cubegraph.kg.records.variable import read_variables

    _, store = demo
    [fire] = read_cubes(store, FIRE_CUBE)  # the target's cube, and every input's
    measured = {v.name: v.observable for v in fire.variables}
    ended = store.graph(fire_run.run).value(fire_run.run, PROV.endedAtTime)
    for kind, cube in fire_run.outputs.items():
        [out] = read_cubes(store, str(cube))
        assert out.bbox == fire.bbox and fire.bbox is not None
        assert out.license == fire.license == "https://spdx.org/licenses/CC-BY-4.0"
        assert out.creator == f"cubegraph {cubegraph.__version__} (run fire-test of job greece-next-day-fire)"
        assert out.description and "fire-test" in out.description
        g = store.graph(cube)
        assert g.value(cube, DCTERMS.created).toPython() == ended.toPython()
        assert any(str(g.value(n, CG.noteCode)) == "extent-inherited" for n in g.subjects(OA.hasTarget, cube))
        # the period is the file's own: the target's time, one step (the horizon) later
        assert out.start > fire.start and out.end == fire.end
        variables = read_variables(store, cube)[str(cube)]
        assert all(v.observable is None for v in variables)  # about, never cg:measures
        about = {v.name: v.about for v in variables if v.about}
        if kind == "predictions":
            assert about == {"active_fire_predicted": measured["active_fire"]}
        else:
            drivers = {imp.variable for imp in fire_run.result.explanation.importances}
            assert about == {f"shap_{d}": measured[d] for d in drivers if measured.get(d)}
            assert len(about) >= 8


def test_outputs_are_found_by_place_and_phenomenon_and_pass_fair_where_their_input_does(demo, fire_run):
    from cubegraph.api.services.audit import audit
    from cubegraph.api.services.search import search
    from cubegraph.reasoning.selection import select_inputs

    _, store = demo
    outputs = {str(c) for c in fire_run.outputs.values()}
    everything = search(store, bbox="19,34.5,29.7,42", page_size=100)  # the job's region
    assert outputs | {FIRE_CUBE} <= {h.cube for h in everything.results}
    assert everything.facets["license"]["CC-BY-4.0"] >= 3
    fire = {h.cube for h in search(store, phenomenon="cg:ActiveFire").results}
    assert {FIRE_CUBE, str(fire_run.outputs["predictions"])} <= fire
    fwi = {h.cube for h in search(store, phenomenon="cg:FireWeatherIndex").results}
    assert str(fire_run.outputs["attributions"]) in fwi

    passed = {f["id"] for f in audit(store, FIRE_CUBE).fair if f["passed"]}
    assert {"FsF-F2-01M", "FsF-A1-01M", "FsF-R1.1-01M", "FsF-R1.2-01M"} <= passed
    for cube in outputs:
        results = {f["id"]: f for f in audit(store, cube).fair}
        assert passed <= {i for i, f in results.items() if f["passed"]}, {
            i: results[i]["evidence"] for i in passed if not results[i]["passed"]}
        assert "missing: none" in results["FsF-F2-01M"]["evidence"]

    # Found as what they are about, never selected as observations: a new run of the job
    # still takes the observed target and drivers, after reasoning over the outputs too.
    materialize(store)
    selection = select_inputs(store, load_job(FIRE))
    assert str(selection.target[0]) == FIRE_CUBE
    assert {str(i.cube) for i in selection.inputs} == {FIRE_CUBE}
