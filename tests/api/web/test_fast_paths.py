"""The endpoint's speed seams give what the plain paths they bypass give.

Jobs and answers cross the pipe to a real query worker (on an on-disk store) as tuples, and
must arrive as the dataclasses, and as the answer the store gives in this process; the
cached content negotiation must answer (and refuse) as a fresh one. docs/benchmarks.md,
"Why the fast paths exist", lists the seams and why each exists. (The lean query path is
held to Flask's answers in ``test_sparql_query_path.py``, granian to waitress by the tests
of ``tests/server``.)
"""

from __future__ import annotations

import pickle

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from cubegraph.api.web import process_runner as pr
from cubegraph.api.web import query_runner as qr
from cubegraph.api.web.errors import NotAcceptable
from cubegraph.api.web.negotiation import result_formats
from cubegraph.kg import open_store
from cubegraph.kg.snapshots import Snapshots

BASE = "http://test.example/"
G = f"{BASE}g"
TRICKY = ['a},{b', 'line\nbreak', 'tab\there', '"quoted", comma', '<result>', "", "☃"]

JOBS = [
    qr.QueryJob("SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s ?o", None, None,
                result_formats(None), 100),
    qr.QueryJob("SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s ?o", (G,), None,
                result_formats("application/sparql-results+xml"), 5),
    qr.QueryJob("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?o", None, (G, f"{BASE}none"),
                result_formats("text/csv"), 100),
    qr.QueryJob("SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o", None, None,
                result_formats(None, "tsv"), 3),
    qr.QueryJob("CONSTRUCT WHERE { ?s ?p ?o }", None, None, result_formats("text/turtle"), 100),
    qr.QueryJob("CONSTRUCT WHERE { ?s ?p ?o }", (), None,
                result_formats("application/n-triples"), 2, generation=7, snapshot="/s/00000007"),
    qr.QueryJob("ASK { ?s ?p ?o }", None, None, result_formats("application/sparql-results+json"), 1),
]


def test_jobs_and_answers_cross_the_pipe_unchanged(tmp_path):
    for job in JOBS:
        # The plain path pickles the dataclass itself.
        assert pr._decode_job(pr._encode_job(job)) == pickle.loads(pickle.dumps(job)) == job
    assert pr._decode_job(pr._encode_job(None)) is None
    answer = qr.Answer("select", "json", "application/sparql-results+json", b"{}", True)
    reply = pickle.dumps(("ok", *(getattr(answer, f.name) for f in qr.dataclasses.fields(answer))))
    assert pr._decode_reply(reply) == ("ok", answer)
    # Through a real worker: the answers of the store in this process, byte for byte.
    path = tmp_path / "store"
    store = open_store(path, base_iri=BASE)
    store.add(G, [(URIRef(f"{BASE}s{i}"), URIRef(f"{BASE}p"), Literal(v))
                  for i, v in enumerate(TRICKY)] + [(BNode(), URIRef(f"{BASE}p"), Literal(1))])
    runner = pr.ProcessRunner(Snapshots(store), BASE, workers=1, spares=0)
    truncated = set()
    try:
        with store:
            for job in JOBS:
                here = qr.execute(store, job)
                there = runner.run(job, 60)
                truncated.add(here.truncated)
                if here.kind == "graph":  # blank node labels are each reader's own
                    fmt = "nt" if here.format == "ntriples" else here.format
                    assert isomorphic(Graph().parse(data=here.body, format=fmt),
                                      Graph().parse(data=there.body, format=fmt)), job.text
                    here = qr.dataclasses.replace(here, body=b"")
                    there = qr.dataclasses.replace(there, body=b"")
                assert there == here, job.text
        assert truncated == {True, False}
        assert len(runner._all) == 2  # answered by worker processes (one, and the one kept for others)
    finally:
        runner.close()


ACCEPTS = [None, "*/*", "text/turtle", "application/sparql-results+xml, application/rdf+xml",
           "application/sparql-results+json;q=0.5, text/csv;q=0.9", "text/html,application/xhtml+xml,*/*;q=0.8",
           "application/json", "text/*", "image/png", "application/n-triples;q=0, text/turtle;q=0.1"]
FORMATS = [None, "json", "xml", "csv", "tsv", "turtle", "nt", "bogus"]


def test_cached_negotiation_is_a_fresh_one():
    def ask(negotiate, accept, fmt):
        try:
            return negotiate(accept, fmt)
        except NotAcceptable as exc:
            return ("406", str(exc))

    answers = 0
    refusals = 0
    for _ in range(2):  # the second time from the cache
        for accept in ACCEPTS:
            for fmt in FORMATS:
                cached, fresh = ask(result_formats, accept, fmt), ask(result_formats.__wrapped__, accept, fmt)
                assert cached == fresh, (accept, fmt)
                refusals += isinstance(fresh, tuple)
                answers += not isinstance(fresh, tuple)
    assert answers and refusals  # both kinds were compared
    assert result_formats.cache_info().hits > 0


@pytest.mark.parametrize("accept", ["image/png"])
def test_a_refusal_is_never_cached(accept):
    before = result_formats.cache_info().currsize
    for _ in range(2):
        with pytest.raises(NotAcceptable):
            result_formats(accept, None)
    assert result_formats.cache_info().currsize == before
