"""`cubegraph reason` and `cubegraph select` through the console script."""

from __future__ import annotations

import json

import pytest

from tests_support import REPO, run_cli


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    work = tmp_path_factory.mktemp("reason")
    assert run_cli("demo-data", str(work / "demo"), cwd=work).returncode == 0
    store = str(work / "store")
    proc = run_cli("--store", store, "ingest", "-q", str(work / "demo" / "greece_fire_daily.zarr"), cwd=work)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = run_cli("--store", store, "reason", cwd=work)
    assert proc.returncode == 0, proc.stderr
    assert "full closure with reasonable" in proc.stdout
    return work, store


def test_select_json_lists_inputs_exclusions_and_sparql(demo_store):
    work, store = demo_store
    proc = run_cli("--store", store, "select", str(REPO / "examples/jobs/fire.yaml"), "--format", "json", cwd=work)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert {"inputs", "excluded", "sparql"} <= set(out)
    names = {i["variable"].rsplit("/", 1)[-1] for i in out["inputs"]}
    assert {"fwi", "lst", "rh"} <= names
    assert all(i["reason"] for i in out["inputs"])
    assert "SELECT" in out["sparql"]
    assert out["recorded_as"].startswith("http://127.0.0.1:8765/job/greece-next-day-fire/selection/")


def test_ingest_after_reason_updates_the_inferred_graph(demo_store):
    work, store = demo_store
    proc = run_cli("--store", store, "ingest", "-q", str(work / "demo" / "africa_drought_minicube_01.zarr"), cwd=work)
    assert proc.returncode == 0
    assert "inferred graph updated: +" in proc.stdout
    q = ("PREFIX cg: <https://w3id.org/cubegraph/ontology#> ASK { GRAPH ?g { ?v a cg:DroughtDriver } "
         "FILTER(CONTAINS(STR(?v), 'africa')) }")
    assert run_cli("--store", store, "query", q, cwd=work).stdout.strip() == "true"


def test_bad_job_spec_is_one_clear_line(demo_store, tmp_path):
    work, store = demo_store
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ntarget: {phenomenon: cg:ActiveFire}\nperiod: {start: '2022-01-01', end: '2020-01-01'}\n")
    proc = run_cli("--store", store, "select", str(bad), cwd=work)
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr


def test_reason_check_reports_consistency(tmp_path):
    proc = run_cli("reason", "--check", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "consistent" in proc.stdout.lower()
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
                      "@prefix cg: <https://w3id.org/cubegraph/ontology#> .\n"
                      "cg:NDVI owl:disjointWith cg:Vegetation .\n")
    proc = run_cli("reason", "--check", "--with", str(broken), cwd=tmp_path)
    # The ontology types NDVI individuals (the CF names), so an empty cg:NDVI has no model.
    assert proc.returncode == 1
    assert "INCONSISTENT" in proc.stdout
