"""The store commands through the real console script, in subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from tests_support import run_cli

EX = "http://ex.org/"


@pytest.fixture
def store_path(tmp_path):
    return tmp_path / "store"


def cg(store_path, *args, **kw):
    return run_cli("--store", str(store_path), *args, cwd=store_path.parent, **kw)


def assert_one_line_error(proc, *fragments):
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in proc.stderr
    for f in fragments:
        assert f in lines[0], lines[0]


def test_init_loads_ontology_and_survives_restart(store_path):
    proc = cg(store_path, "init")
    assert proc.returncode == 0, proc.stderr
    assert "graph/ontology" in proc.stdout
    proc = cg(store_path, "stats")
    assert proc.returncode == 0, proc.stderr
    assert "graph/ontology" in proc.stdout and "graph/shapes" in proc.stdout
    proc = cg(store_path, "query",
              "ASK { ?c a <http://www.w3.org/2002/07/owl#Class> }")
    assert proc.stdout.strip() == "true"


def test_load_query_update_dump_round_trip(store_path, tmp_path):
    data = tmp_path / "data.ttl"
    data.write_text(f"<{EX}a> <{EX}p> 1, 2, 3 .\n")
    proc = cg(store_path, "load", str(data), "--graph", EX + "g")
    assert proc.returncode == 0, proc.stderr
    assert "loaded 3 new triples" in proc.stdout

    q = "SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o"
    proc = cg(store_path, "query", q, "--format", "csv")
    assert proc.stdout.splitlines() == ["o", "1", "2", "3"]
    proc = cg(store_path, "query", q, "--format", "json")
    assert [b["o"]["value"] for b in json.loads(proc.stdout)["results"]["bindings"]] == ["1", "2", "3"]
    proc = cg(store_path, "query", q)
    assert "(3 rows)" in proc.stdout

    rq = tmp_path / "q.rq"
    rq.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    proc = cg(store_path, "query", f"@{rq}", "--format", "tsv")
    assert proc.stdout.splitlines()[1] == "3"

    proc = cg(store_path, "update", f"DELETE DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}p> 1 }} }}")
    assert proc.returncode == 0 and "-1 triples" in proc.stdout

    dump = tmp_path / "dump.trig"
    assert cg(store_path, "dump", "--format", "trig", "-o", str(dump)).returncode == 0
    other = tmp_path / "other"
    proc = run_cli("--store", str(other), "load", str(dump), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    proc = run_cli("--store", str(other), "query", q, "--format", "csv", cwd=tmp_path)
    assert proc.stdout.splitlines() == ["o", "2", "3"]

    proc = cg(store_path, "dump")
    assert proc.stdout.count(f"<{EX}g>") == 2


def test_construct_prints_turtle(store_path):
    cg(store_path, "update", f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}p> 1 }} }}")
    proc = cg(store_path, "query", "CONSTRUCT WHERE { ?s ?p ?o }")
    assert f"<{EX}a> <{EX}p> 1" in proc.stdout
    proc = cg(store_path, "query", "CONSTRUCT WHERE { ?s ?p ?o }", "--format", "csv")
    assert_one_line_error(proc, "--format csv is for SELECT/ASK")


def test_malformed_sparql_is_one_clear_line(store_path):
    assert_one_line_error(cg(store_path, "query", "SELEC ?x"), "malformed SPARQL query")
    assert_one_line_error(cg(store_path, "update", "INSERT DATA { <a> }"), "malformed SPARQL update")


def test_bad_rdf_file_adds_nothing(store_path, tmp_path):
    good = tmp_path / "good.ttl"
    good.write_text(f"<{EX}a> <{EX}p> 1 .\n")
    cg(store_path, "load", str(good), "--graph", EX + "g")
    bad = tmp_path / "bad.ttl"
    bad.write_text(f"<{EX}a> <{EX}p> 2 .\n<{EX}a> <{EX}p> \n")
    assert_one_line_error(cg(store_path, "load", str(bad), "--graph", EX + "g"), "bad.ttl", "not valid turtle")
    assert_one_line_error(cg(store_path, "load", str(tmp_path / "nope.ttl")), "nope.ttl")
    assert_one_line_error(cg(store_path, "load", str(good), "--format", "yaml"), "unknown RDF format 'yaml'")
    proc = cg(store_path, "query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv")
    assert proc.stdout.splitlines()[1] == "1"


def test_missing_query_file_and_unknown_format(store_path):
    assert_one_line_error(cg(store_path, "query", "@/nonexistent/q.rq"), "q.rq")
    proc = cg(store_path, "dump", "--format", "yaml")
    assert proc.returncode == 2 and "yaml" in proc.stderr


def test_store_path_that_is_not_a_store(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "notes.txt").write_text("hello")
    proc = run_cli("--store", str(folder), "stats", cwd=tmp_path)
    assert_one_line_error(proc, "not a cubegraph store")


def test_store_locked_by_another_process(store_path):
    cg(store_path, "stats")
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import time
        from cubegraph.kg import open_store
        s = open_store({str(store_path)!r})
        print("open", flush=True)
        time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        assert_one_line_error(cg(store_path, "stats"), "in use by another process")
    finally:
        holder.kill()
        holder.wait()


def test_store_from_environment(tmp_path):
    env_store = tmp_path / "envstore"
    proc = run_cli("update", f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}p> 1 }} }}",
                   cwd=tmp_path, env={"CUBEGRAPH_STORE": str(env_store)})
    assert proc.returncode == 0, proc.stderr
    assert (env_store / "CURRENT").exists()


@pytest.mark.parametrize("command", ["init", "load", "query", "update", "dump", "stats", "demo"])
def test_every_command_has_help(command, tmp_path):
    proc = run_cli(command, "--help", cwd=tmp_path)
    assert proc.returncode == 0
    assert "Usage:" in proc.stdout
