"""A store kept from an older cubegraph: ``cubegraph init`` moves its jobs and selections
to the current layouts, once.

The old layouts are built here by hand on purpose: no writer of them is left in the code.
"""

from __future__ import annotations

import datetime as dt

from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib import namespace as ns

from cubegraph.api.cli import main
from cubegraph.kg import Iris, open_store
from cubegraph.kg.bootstrap import init_store, old_records
from cubegraph.kg.records.job import Job, job_graph, read_job
from cubegraph.kg.records.selection import Choice, read_selection, selection_graph, selection_iri

BASE = "http://t.example/"
IRIS = Iris(BASE)
CG = ns.Namespace("https://w3id.org/cubegraph/ontology#")
CUBE = URIRef(f"{BASE}cube/africa")
VAR = URIRef(f"{BASE}cube/c/variable/fwi")
JOB = Job(id="drought", target=URIRef(CG.NDVI), bbox=(-18.0, -35.0, 52.0, 38.0),
          start=dt.date(2020, 1, 1), end=dt.date(2020, 12, 31), seed=42,
          driver_classes=(URIRef(CG.DroughtDriver),))


def old_job_graph(job: Job) -> Graph:
    """The job as cubegraph wrote it before cg:plannedSeed and dct:spatial."""
    g = job_graph(job, IRIS)
    j = IRIS.job(job.id)
    region = g.value(j, ns.DCTERMS.spatial)
    for triple in list(g.triples((region, None, None))) + [(j, ns.DCTERMS.spatial, region)]:
        g.remove(triple)
    g.remove((j, CG.plannedSeed, None))
    g.add((j, CG.seed, Literal(job.seed)))
    for prop, value in zip((CG.westBound, CG.southBound, CG.eastBound, CG.northBound), job.bbox):
        g.add((j, prop, Literal(value)))
    return g


def old_selection(store):
    """A selection that refused a whole cube with cg:excluded, as before cg:excludedCube."""
    job = IRIS.job(JOB.id)
    excluded = (Choice(VAR, "measures fwi: not one of cg:DroughtDriver", "fwi"),
                Choice(CUBE, "extent does not overlap the job region", cube=CUBE))
    iri = selection_iri(job, "old")
    g = selection_graph(iri, job, URIRef(f"{BASE}cube/c/variable/ndvi"), "", (), excluded,
                        generated_at="2026-01-01T00:00:00+00:00")
    g.remove((iri, CG.excludedCube, CUBE))
    g.add((iri, CG.excluded, CUBE))
    store.replace_graph(iri, g)
    store.update(f"INSERT DATA {{ GRAPH <{CUBE}> {{ <{CUBE}> a <{CG.DataCube}> }} "
                 f"GRAPH <{BASE}cube/c> {{ <{VAR}> <{CG.variableName}> \"fwi\" }} }}")
    return iri, excluded


def records(store) -> list[str]:
    """Every quad outside the ontology and shapes graphs (which init reloads, new blank
    nodes and all)."""
    skip = (f"<{IRIS.ontology_graph}> .", f"<{IRIS.shapes_graph}> .")
    return sorted(q for q in store.dump(format="nquads").decode().splitlines() if not q.endswith(skip))


def test_init_moves_old_jobs_and_selections_once(tmp_path):
    store = open_store(tmp_path / "store", base_iri=BASE)
    init_store(store)
    store.replace_graph(IRIS.job(JOB.id), old_job_graph(JOB))
    sel, excluded = old_selection(store)
    assert old_records(store) == {"jobs": 1, "selections": 1, "cubes": 0}
    assert read_job(store, IRIS.job(JOB.id)).bbox == ()  # the reader knows only the new layout
    store.close()

    args = ["--store", str(tmp_path / "store"), "--base-iri", BASE, "init"]
    out = CliRunner().invoke(main, args)
    assert out.exit_code == 0, out.output
    assert "moved 1 jobs written by an older cubegraph" in out.output
    assert "moved 1 selections" in out.output

    store = open_store(tmp_path / "store", base_iri=BASE)
    assert old_records(store) == {"jobs": 0, "selections": 0, "cubes": 0}
    assert read_job(store, IRIS.job(JOB.id)) == JOB
    assert set(read_selection(store, sel).excluded) == set(excluded)
    before = records(store)
    store.close()

    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0 and "moved" not in again.output
    store = open_store(tmp_path / "store", base_iri=BASE)
    assert records(store) == before
    store.close()


def test_a_current_store_has_nothing_to_move(tmp_path):
    store = open_store(None, base_iri=BASE)
    init_store(store)
    store.replace_graph(IRIS.job(JOB.id), job_graph(JOB, IRIS))
    assert old_records(store) == {"jobs": 0, "selections": 0, "cubes": 0}
    store.close()
