"""`cubegraph demo-data` and `cubegraph ingest` through the console script."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests_support import REPO, run_cli


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    proc = run_cli("demo-data", str(out), cwd=out)
    assert proc.returncode == 0, proc.stderr
    assert "wrote 6 cubes" in proc.stdout
    return out


def test_ingest_demo_then_query_by_meaning(demo_dir, tmp_path):
    store = str(tmp_path / "store")
    proc = run_cli("--store", store, "ingest", "-q", str(demo_dir), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "6 ingested, 0 replaced, 0 unchanged, 0 failed" in proc.stdout
    query = REPO / "examples" / "queries" / "vegetation-greece-2021.rq"
    proc = run_cli("--store", store, "query", f"@{query}", "--format", "csv", cwd=tmp_path)
    lines = proc.stdout.splitlines()
    assert len(lines) == 2, proc.stdout
    assert "greece-fire-daily" in lines[1] and "LeafAreaIndex" in lines[1]
    proc = run_cli("--store", store, "ingest", "-q", str(demo_dir), cwd=tmp_path)
    assert "0 ingested, 0 replaced, 6 unchanged, 0 failed" in proc.stdout


def test_a_failed_file_makes_the_batch_exit_non_zero(demo_dir, tmp_path):
    bad = tmp_path / "broken.nc"
    bad.write_bytes(b"CDF\x01 this is not really netcdf")
    proc = run_cli("--store", str(tmp_path / "store"), "ingest", "-q",
                   str(demo_dir / "greece_fire_daily.zarr"), str(bad), str(tmp_path / "missing.zarr"),
                   cwd=tmp_path)
    assert proc.returncode == 1
    assert "1 ingested" in proc.stdout and "2 failed" in proc.stdout
    assert "broken.nc" in proc.stdout and "missing.zarr" in proc.stdout
