"""The README's demo, end to end (without the server), then an audit before and after an edit."""

from __future__ import annotations

import json
import re

import pytest

from tests_support import REPO, run_cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    work = tmp_path_factory.mktemp("demo")
    proc = run_cli("--store", "data/store", "demo", "--no-serve", "--max-samples", "20000",
                   "--jobs", str(REPO / "examples" / "jobs"), cwd=work, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return work, proc.stdout


def test_demo_runs_every_step(demo):
    _, out = demo
    for heading in ("1. Store and ontology", "3. Ingest", "4. OWL 2 RL reasoning",
                    "5. Input selection", "6. Train, explain and write back: greece-next-day-fire",
                    "6. Train, explain and write back: africa-drought-ndvi", "Summary"):
        assert heading in out
    assert "0 failed" in out
    assert out.count("run:              http://127.0.0.1:8765/run/") == 2


def test_prediction_cube_audit_passes_then_flags_an_edited_source(demo):
    work, out = demo
    cube = re.search(r"audit\?iri=(\S+greece-next-day-fire\S+predictions-zarr)", out).group(1)
    proc = run_cli("--store", "data/store", "audit", cube, "--format", "json", cwd=work)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
    assert json.loads(proc.stdout)["passed"] is True

    meta = work / "data" / "demo" / "greece_fire_daily.zarr" / "zarr.json"
    doc = json.loads(meta.read_text())
    doc.setdefault("attributes", {})["history"] = "edited by hand after the run"
    meta.write_text(json.dumps(doc))
    proc = run_cli("--store", "data/store", "audit", cube, "--format", "json", cwd=work)
    assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr
    report = json.loads(proc.stdout)
    assert report["passed"] is False
    assert "greece_fire_daily.zarr" in json.dumps(report["sources"] if "sources" in report else report)
