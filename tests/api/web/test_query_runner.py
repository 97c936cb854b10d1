"""Native serialisation with a row cap, and the thread runner's deadline."""

from __future__ import annotations

import csv
import io
import json
import time

import pytest
from rdflib import Graph, Literal, URIRef

from cubegraph.api.web.errors import NotAcceptable, QueryTimeout
from cubegraph.api.web.negotiation import result_formats
from cubegraph.api.web.query_runner import QueryJob, ThreadRunner, execute
from cubegraph.kg.serialize import serialize_capped
from cubegraph.kg import open_store

# Literals that look like row separators in each format.
TRICKY = ['a},{b', 'line\nbreak', 'tab\there', '"quoted", comma', '<result>']


@pytest.fixture
def store():
    s = open_store(None)
    s.add("http://x/g", [(URIRef(f"http://x/{i}"), URIRef("http://x/p"), Literal(v))
                         for i, v in enumerate(TRICKY * 4)])
    yield s
    s.close()


ALL = "SELECT ?s ?o WHERE { ?s ?p ?o }"


def rows_of(body: bytes, fmt: str) -> int:
    if fmt == "json":
        return len(json.loads(body)["results"]["bindings"])
    if fmt == "xml":
        return body.count(b"<result>")
    table = list(csv.reader(io.StringIO(body.decode()), delimiter="\t" if fmt == "tsv" else ","))
    return len(table) - 1


@pytest.mark.parametrize("fmt", ["json", "csv", "tsv"])
@pytest.mark.parametrize("cap, expected, truncated", [(100, 20, False), (20, 20, False), (7, 7, True)])
def test_select_is_capped_exactly(store, fmt, cap, expected, truncated):
    body, cut = serialize_capped(store.query(ALL), fmt, cap)
    assert cut is truncated
    assert rows_of(body, fmt) == expected


def test_xml_is_capped_exactly(store):
    body, cut = serialize_capped(store.query(ALL), "xml", 5)
    assert cut and body.count(b"<result>") == 5


def test_graph_results_are_capped(store):
    body, cut = serialize_capped(store.query("CONSTRUCT WHERE { ?s ?p ?o }"), "turtle", 3)
    assert cut and len(Graph().parse(data=body, format="turtle")) == 3


@pytest.mark.parametrize("query, fmt, says", [
    (ALL, "json", b'"link":["https://w3id.org/cubegraph/ontology#TruncatedResult"]'),
    (ALL, "xml", b'<link href="https://w3id.org/cubegraph/ontology#TruncatedResult"/>'),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "turtle", b"# result truncated to the first 3 rows"),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "ntriples", b"# result truncated to the first 3 rows"),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "rdfxml", b"<!-- result truncated to the first 3 rows"),
])
def test_a_truncated_result_says_so_in_its_body(store, query, fmt, says):
    """Clients ignore the headers that flag a cut: the body says it where the format has
    room, and stays a valid document of its format."""
    import json
    import xml.dom.minidom

    body, cut = serialize_capped(store.query(query), fmt, 3)
    assert cut and says in body
    if fmt == "json":
        assert len(json.loads(body)["results"]["bindings"]) == 3
    elif fmt in ("xml", "rdfxml"):
        xml.dom.minidom.parseString(body)
    if fmt != "xml" and fmt != "json":
        rdflib_fmt = {"ntriples": "nt", "rdfxml": "xml"}.get(fmt, fmt)
        assert len(Graph().parse(data=body, format=rdflib_fmt)) == 3
    whole, cut = serialize_capped(store.query(query), fmt, 1000)
    assert not cut and b"TruncatedResult" not in whole and b"truncated" not in whole


def test_ask_is_never_capped(store):
    assert serialize_capped(store.query("ASK { ?s ?p ?o }"), "json", 0) == (b'{"head":{},"boolean":true}', False)


def test_execute_refuses_a_kind_the_client_does_not_accept(store):
    job = QueryJob(ALL, None, None, result_formats("text/turtle"), 10)
    with pytest.raises(NotAcceptable):
        execute(store, job)


class SlowStore:
    """A stand-in store whose queries take a while."""

    def query(self, *args, **kwargs):
        time.sleep(1.0)
        raise AssertionError("never reached in time")


def test_thread_runner_stops_waiting_at_the_deadline():
    runner = ThreadRunner(SlowStore(), threads=1)
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="ran past the server's limit of 0.2 s"):
        runner.run(QueryJob(ALL, None, None, result_formats(None), 10), 0.2)
    assert time.monotonic() - started < 0.9
    runner.close()


def test_process_runner_survives_a_worker_that_died_between_jobs(tmp_path):
    from cubegraph.api.web.process_runner import ProcessRunner

    from cubegraph.kg.snapshots import Snapshots

    store = open_store(tmp_path / "store")
    store.update("INSERT DATA { GRAPH <http://ex.org/g> { <http://ex.org/a> <http://ex.org/p> 1 } }")
    runner = ProcessRunner(Snapshots(store), "http://ex.org/", workers=1, spares=0)
    try:
        job = QueryJob("ASK { ?s ?p ?o }", None, None, result_formats(None), 10)
        assert b"true" in runner.run(job, 30).body
        worker = runner._share._idle[-1]  # the next one handed out (last in, first out)
        worker.process.kill()  # e.g. killed by the machine's memory guard
        worker.process.join(5)
        assert b"true" in runner.run(job, 30).body  # answered by a fresh worker
        assert worker not in runner._all
    finally:
        runner.close()
        store.close()
