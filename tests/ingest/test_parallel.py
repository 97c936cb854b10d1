"""Ingest with worker processes gives what ingest in one process gives, in the same order."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from ingest_helpers import write_nc
from rdflib import Graph
from rdflib.compare import isomorphic

from cubegraph.ingest import parallel
from cubegraph.ingest.pipeline import ingest_cube, ingest_paths
from cubegraph.kg import open_store
from cubegraph.ontology.namespaces import PROV


def _batch(folder):
    folder.mkdir()
    for i in range(7):
        write_nc(folder / f"c{i}.nc", time_values=tuple(float(t) for t in range(i + 2)))
    (folder / "bad.nc").write_text("garbage")
    whole = write_nc(folder / "whole.nc").read_bytes()
    (folder / "whole.nc").unlink()
    (folder / "truncated.nc").write_bytes(whole[: len(whole) // 2])
    (folder / "other").mkdir()
    write_nc(folder / "other" / "c1.nc", time_values=(9.0, 10.0))  # a slug used twice
    return folder


def _without_ingest_time(graph: Graph) -> Graph:
    out = Graph()
    out += graph
    out.remove((None, PROV.endedAtTime, None))
    return out


def test_workers_give_the_same_results_in_the_same_order(tmp_path):
    folder = _batch(tmp_path / "cubes")
    summaries, stores = [], []
    for workers in (0, 2):
        store = open_store(tmp_path / f"store{workers}", base_iri="http://test.example/")
        ingest_cube(store, folder / "c0.nc")  # already there: described in this process
        summaries.append(ingest_paths(store, [folder], progress=False, workers=workers))
        stores.append(store)
    inline, pooled = summaries
    assert [(r.path, r.status, str(r.error), [w.code for w in r.warnings], r.triples)
            for r in pooled.results] == [
        (r.path, r.status, str(r.error), [w.code for w in r.warnings], r.triples)
        for r in inline.results]
    statuses = {r.path.relative_to(folder).as_posix(): r.status for r in pooled.results}
    assert statuses["c0.nc"] == "unchanged" and statuses["c3.nc"] == "ingested"
    assert statuses["bad.nc"] == statuses["truncated.nc"] == "failed"
    assert {statuses["c1.nc"], statuses["other/c1.nc"]} == {"ingested", "failed"}
    assert "truncated.nc" in pooled.render()  # the error came back from a worker whole
    assert stores[0].graphs() == stores[1].graphs()
    for cube in stores[0].graphs():
        assert isomorphic(_without_ingest_time(stores[0].graph(cube)),
                          _without_ingest_time(stores[1].graph(cube))), cube
    for store in stores:
        store.close()


def test_a_script_without_a_main_guard_still_ingests_everything(tmp_path):
    """Spawned workers re-import the main script; without the guard they die at start and
    the cubes are described in the calling process instead."""
    folder = tmp_path / "cubes"
    folder.mkdir()
    for i in range(3):
        write_nc(folder / f"c{i}.nc")
    script = tmp_path / "unguarded.py"
    script.write_text(textwrap.dedent(f"""
        from cubegraph.ingest.pipeline import ingest_paths
        from cubegraph.kg import open_store
        store = open_store({str(tmp_path / "store")!r})
        summary = ingest_paths(store, [{str(folder)!r}], progress=False, workers=2)
        print(len(summary.ingested), len(store.graphs()))
        store.close()
    """))
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[-2:] == ["3", "3"]
    assert "ingest workers stopped" in proc.stderr


def test_worker_count():
    assert parallel.worker_count(None, parallel.MIN_CUBES_FOR_WORKERS - 1) == 0
    assert parallel.worker_count(0, 1000) == 0 and parallel.worker_count(3, 1) == 3
    assert parallel.worker_count(2, 0) == 0


def _children(pid: int) -> list[int]:
    import os

    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_workers_end_with_an_ingest_that_is_killed(tmp_path):
    """kill -9 of the ingest leaves no worker behind (issue 13)."""
    import os
    import signal
    import time

    import pytest

    if not os.path.isdir("/proc"):
        pytest.skip("needs /proc to find the workers")
    folder = tmp_path / "cubes"
    folder.mkdir()
    for i in range(300):
        write_nc(folder / f"c{i}.nc")
    script = textwrap.dedent(f"""
        from cubegraph.kg import open_store
        from cubegraph.ingest.pipeline import ingest_paths
        if __name__ == "__main__":
            ingest_paths(open_store({str(tmp_path / 'store')!r}), [{str(folder)!r}],
                         progress=False, workers=2)
    """)
    (tmp_path / "run.py").write_text(script)
    parent = subprocess.Popen([sys.executable, str(tmp_path / "run.py")])
    try:
        deadline = time.monotonic() + 60
        kids: list[int] = []
        while time.monotonic() < deadline and parent.poll() is None:
            kids = _children(parent.pid)
            if len(kids) >= 3:  # the resource tracker and two workers
                break
            time.sleep(0.05)
        assert len(kids) >= 3 and parent.poll() is None, "the workers never started"
        time.sleep(1.0)  # let them take work
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(k) for k in kids):
            time.sleep(0.1)
        left = [k for k in kids if _alive(k)]
    finally:
        if parent.poll() is None:
            parent.kill()
    for k in left:
        os.kill(k, signal.SIGKILL)
    assert not left, f"workers {left} outlived their killed parent"
