"""The on-disk store across processes: persistence, locks, crashes, wrong paths."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import pytest
from rdflib import Literal, URIRef

from cubegraph.kg import StoreUnavailable, open_store

G = URIRef("http://ex.org/g")


def python(code: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def test_store_written_by_one_process_is_read_by_the_next(tmp_path):
    path = tmp_path / "store"
    proc = python(f"""
        from rdflib import URIRef, Literal
        from cubegraph.kg import open_store
        s = open_store({str(path)!r})
        s.replace_graph("{G}", [(URIRef("http://ex.org/a"), URIRef("http://ex.org/p"), Literal(i)) for i in range(10)])
        s.close()
    """)
    assert proc.wait(60) == 0, proc.stderr.read()
    with open_store(path) as store:
        assert store.count(G) == 10


def test_a_store_locked_by_another_process_is_named(tmp_path):
    path = tmp_path / "store"
    open_store(path).close()
    holder = python(f"""
        import sys, time
        from cubegraph.kg import open_store
        s = open_store({str(path)!r})
        print("open", flush=True)
        time.sleep(60)
    """)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(StoreUnavailable, match="in use by another process"):
            open_store(path)
        # Reading stays possible while another process writes.
        with open_store(path, read_only=True) as ro:
            assert ro.count() == 0
    finally:
        holder.kill()
        holder.wait()


def test_a_folder_that_is_not_a_store_is_refused(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "cat.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(StoreUnavailable, match="not a cubegraph store"):
        open_store(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["cat.jpg"]
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(StoreUnavailable, match="is a file, not a store folder"):
        open_store(a_file)


def test_a_killed_load_leaves_no_partial_graph(tmp_path):
    path = tmp_path / "store"
    big = tmp_path / "big.nt"
    with big.open("w") as f:
        for i in range(400_000):
            f.write(f"<http://ex.org/s{i}> <http://ex.org/p> \"{i}\" .\n")
    with open_store(path) as store:
        store.replace_graph(G, [(URIRef("http://ex.org/keep"), URIRef("http://ex.org/p"), Literal(1))])
    loader = python(f"""
        from cubegraph.kg import open_store
        s = open_store({str(path)!r})
        print("loading", flush=True)
        s.load({str(big)!r}, graph="http://ex.org/big")
        print("done", flush=True)
    """)
    assert loader.stdout.readline().strip() == "loading"
    time.sleep(0.3)
    loader.send_signal(signal.SIGKILL)
    loader.wait()
    with open_store(path) as store:
        n = store.count("http://ex.org/big")
        assert n in (0, 400_000)  # whole or absent, never partial
        assert store.count(G) == 1
