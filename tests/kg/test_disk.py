"""The on-disk store across processes: persistence, locks, crashes, wrong paths."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import pytest
from rdflib import Literal, URIRef

from cubegraph.kg import RDFSyntaxError, StoreError, StoreUnavailable, open_store
from cubegraph.kg.embedded import BULK_MIN_QUADS, LOADING, UNFINISHED_LOADS

G = URIRef("http://ex.org/g")


def kill_while_loading(loader: subprocess.Popen, *, after_s: float) -> None:
    """SIGKILL a writer process ``after_s`` seconds after it said it started loading."""
    assert loader.stdout.readline().strip() == "loading"
    time.sleep(after_s)
    loader.send_signal(signal.SIGKILL)
    loader.wait()


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
    kill_while_loading(loader, after_s=0.3)
    with open_store(path) as store:
        n = store.count("http://ex.org/big")
        assert n in (0, 400_000)  # whole or absent, never partial
        assert store.count(G) == 1


# --- many triples into new graphs: the journaled bulk insert ------------------------------------

def _nquads(graphs: int, per_graph: int, prefix: str = "http://ex.org/cube") -> str:
    return "".join(f'_:b{i % 3} <http://ex.org/p> "{i}" <{prefix}{g}> .\n'
                   for g in range(graphs) for i in range(per_graph))


def test_bulk_insert_of_new_graphs_lands_whole_with_fresh_blank_nodes(tmp_path):
    assert 20 * 150 >= BULK_MIN_QUADS  # large enough for the bulk path
    with open_store(tmp_path / "store") as store:
        store.add_nquads(_nquads(20, 150))
        store.add_nquads(_nquads(20, 150, prefix="http://ex.org/more"))
        assert len(store.graphs()) == 40 and UNFINISHED_LOADS not in map(str, store.graphs())
        assert {store.count(g) for g in store.graphs()} == {150}
        assert not store.has_graph(UNFINISHED_LOADS)  # the journal is cleared
        # labels are scoped to one text: 3 blank nodes per text, not 3 in all
        rows = store.query("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }").rows()
        assert int(rows[0]["n"]) == 6


def test_adding_to_an_existing_graph_keeps_what_it_held(tmp_path):
    with open_store(tmp_path / "store") as store:
        store.add(G, [(URIRef("http://ex.org/keep"), URIRef("http://ex.org/p"), Literal(1))])
        store.add_nquads("".join(f'<http://ex.org/s> <http://ex.org/p> "{i}" <{G}> .\n'
                                 for i in range(BULK_MIN_QUADS + 10)))
        assert store.count(G) == BULK_MIN_QUADS + 11


def test_reopening_after_a_crash_drops_the_graphs_of_an_unfinished_bulk_load(tmp_path):
    path = tmp_path / "store"
    partial, other = "http://ex.org/partial", "http://ex.org/other"
    with open_store(path) as store:  # what a crash half-way through a bulk load leaves
        store.add(other, [(URIRef("http://ex.org/a"), URIRef("http://ex.org/p"), Literal(1))])
        store.add(UNFINISHED_LOADS, [(URIRef(partial), URIRef(LOADING), URIRef(LOADING))])
        store.add(partial, [(URIRef("http://ex.org/a"), URIRef("http://ex.org/p"), Literal(2))])
    with open_store(path, read_only=True) as reader:  # a reader does not repair
        assert reader.has_graph(partial)
    with open_store(path) as store:
        assert store.graphs() == [URIRef(other)]
        assert not store.has_graph(partial) and not store.has_graph(UNFINISHED_LOADS)


def test_a_killed_bulk_insert_leaves_every_graph_whole_or_absent(tmp_path):
    path = tmp_path / "store"
    data = tmp_path / "cubes.nq"
    data.write_text(_nquads(400, 1000))
    loader = python(f"""
        from pathlib import Path
        from cubegraph.kg import open_store
        s = open_store({str(path)!r})
        text = Path({str(data)!r}).read_text()
        print("loading", flush=True)
        lines = text.splitlines(keepends=True)
        for i in range(0, len(lines), 100_000):
            s.add_nquads("".join(lines[i:i + 100_000]))
        print("done", flush=True)
    """)
    kill_while_loading(loader, after_s=1.0)
    with open_store(path) as store:
        counts = {store.count(g) for g in store.graphs()}
        assert counts <= {1000}  # whole or absent, never partial
        assert not store.has_graph(UNFINISHED_LOADS)


def test_a_bulk_insert_that_does_not_parse_or_leaves_its_graphs_writes_nothing(tmp_path):
    with open_store(tmp_path / "store") as store:
        good = _nquads(10, 300)
        for bad in ('<http://ex.org/s> <http://ex.org/p> "unterminated <http://ex.org/cube3> .\n',
                    '<http://ex.org/s> <http://ex.org/p> "in the default graph" .\n'):
            if "unterminated" in bad:
                with pytest.raises(RDFSyntaxError, match="N-Quads text does not parse"):
                    store.add_nquads(good + bad)
                assert store.graphs() == [] and not store.has_graph(UNFINISHED_LOADS)
            else:  # a quad outside the graphs read off the line ends: written the other way
                store.add_nquads(good + bad)
                assert len(store.graphs()) == 10 and store.default_graph_count() == 1


def test_a_read_only_store_refuses_every_write_by_name(tmp_path):
    path = tmp_path / "store"
    with open_store(path) as writer:
        writer.add("http://ex.org/g", [(URIRef("http://ex.org/a"), URIRef("http://ex.org/p"), Literal(1))])
    with open_store(path, read_only=True) as reader:
        for write in (lambda: reader.update("DROP ALL"),
                      lambda: reader.add("http://ex.org/g", [(URIRef("http://ex.org/b"),
                                                              URIRef("http://ex.org/p"), Literal(2))]),
                      lambda: reader.load(b'<http://ex.org/c> <http://ex.org/p> "3" .',
                                          format="ntriples", graph="http://ex.org/g")):
            with pytest.raises(StoreError, match="open read-only: nothing was written"):
                write()
        assert reader.count() == 1
