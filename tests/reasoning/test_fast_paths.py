"""reasoning's speed seams give what the plain paths they bypass give, on real stores.

The stores hold the ontology and cube descriptions with the fields ingest writes; each test
runs the fast path and the plain one on the same data and compares the results.
docs/benchmarks.md, "Why the fast paths exist", lists the seams and why each exists.
"""

from __future__ import annotations

import pytest
import reasonable
from rdflib import BNode, Graph, Literal, URIRef
from rdflib import namespace as ns
from rdflib.compare import isomorphic

from cubegraph.kg import open_store
from cubegraph.kg.bootstrap import init_store
from cubegraph.ontology.namespaces import CF, CG
from cubegraph.reasoning import _ntriples, materialize as mat
from cubegraph.reasoning import selection as sel
from cubegraph.reasoning.jobs import load_job
from cubegraph.reasoning.rules import closure, keep, normalise

from tests_support import catalogued_cube

TRICKY = [Literal('quote " backslash \\ newline \n return \r end \\n not a newline'),
          Literal("üñíçødé ☃ \U0001F30D"), Literal("hallo", lang="de-AT"), Literal(""),
          Literal("2020-01-01T00:00:00", datatype=ns.XSD.dateTime), Literal(1.5),
          Literal("x", datatype=ns.XSD.string), Literal("\\" * 3 + '"' * 3 + "\r\n" * 3)]


CUBES = {
    "greece-fire": ({"t2m": CF["air_temperature/"], "rh": CF["relative_humidity/"],
                     "fire": CG.active_fire, "fire_smooth": CG.active_fire,
                     "fire_lag": CG.visitors, "roads": CG.road_density},
                    {"derived": {"fire_lag": "fire"}}),
    "old-meteo": ({"ws": CF["wind_speed/"]}, {"start": "2015-01-01", "end": "2016-12-31"}),
    "peru": ({"sm": CF["volume_fraction_of_condensed_water_in_soil/"]}, {"bbox": (-80, -18, -68, 0)}),
    "monthly": ({"tp": CF["precipitation_amount/"]}, {"res": "P1M"}),
}


def make_store():
    s = open_store(None, base_iri="http://test.example/")
    init_store(s)
    for slug, (variables, kwargs) in CUBES.items():
        s.replace_graph(*catalogued_cube(s.iris, slug, variables, **kwargs,
                                         title=f"the {slug} cube, with \"quotes\"\nand lines"))
    return s


@pytest.fixture
def store():
    s = make_store()
    yield s
    s.close()


def inferred(store) -> set:
    g = store.find_graph(store.iris.inferred_graph)
    return {(s, p, normalise(o)) for s, p, o in g} if g is not None else set()


# --- the rule engine's own parser, instead of rdflib terms ---------------------------------

def test_the_engines_parser_gives_the_closure_of_rdflib_terms(store):
    sources = [_ntriples.dump(store, store.iris.ontology_graph),
               *(_ntriples.dump(store, g) for g in mat.source_graphs(store))]
    fast = closure(sources)
    # The plain path: the same triples parsed by rdflib, handed to the engine as terms.
    reasoner = reasonable.PyReasoner()
    graph = Graph()
    for data in sources:
        graph += _ntriples.parse(data)
    reasoner.from_graph(graph)
    given = {(s, p, normalise(o)) for s, p, o in graph}
    plain = given | {t for t in ((s, p, normalise(o)) for s, p, o in reasoner.reason()) if keep(t)}
    # What the engine started from and what it kept, as one set: the base it reports for
    # its own parser also holds two axioms of its own (owl:Thing and owl:Nothing are
    # classes), which its closure of rdflib terms derives.
    full = fast.base | fast.entailed
    assert len(fast.entailed) > 100 and given - _with_bnodes(given) <= fast.base
    assert full - _with_bnodes(full) == plain - _with_bnodes(plain)
    assert isomorphic(_graph(full), _graph(plain))  # blank nodes too, up to their labels


def _with_bnodes(triples: set) -> set:
    return {t for t in triples if _ntriples.has_bnode(t)}


def _graph(triples) -> Graph:
    g = Graph()
    for t in triples:
        g.add(t)
    return g


# --- N-Triples text written by the materializer ---------------------------------------------

def test_escape_is_str_translate():
    table = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
    texts = [str(v) for v in TRICKY] + ["", "plain", "\\", '"', "\n", "\r", "\\n", '\\"',
                                        "a\\b\"c\nd\re" * 2000, "☃\\☃\n" * 500]
    for text in texts:
        assert _ntriples._escape(text) == text.translate(table), repr(text[:40])


def test_full_run_text_is_the_rdflib_triples(store):
    s, p = URIRef("http://test.example/s"), URIRef("http://test.example/p")
    triples = {(s, p, normalise(v)) for v in TRICKY} | {(s, ns.RDF.type, URIRef("http://test.example/C"))}
    # The inferred graph's text and a support record's text, read back by rdflib.
    assert {(a, b, normalise(c)) for a, b, c in _ntriples.parse(_ntriples.ntriples(triples))} == triples
    source = URIRef("http://test.example/cube/greece-fire")
    record = Graph().parse(data=mat._record_text(store, source, "by-node", triples), format="nt")
    assert isomorphic(record, _graph(mat._record_triples(store, source, "by-node", triples)))
    (value,) = record.objects(None, ns.RDF.value)
    assert {(a, b, normalise(c)) for a, b, c in _ntriples.parse(str(value).encode("utf-8"))} == triples
    # A full run writes exactly the closure's triples, through that text.
    report = mat.materialize(store)
    sources = [_ntriples.dump(store, store.iris.ontology_graph),
               *(_ntriples.dump(store, g) for g in mat.source_graphs(store))]
    want = {t for t in closure(sources).entailed if not _ntriples.has_bnode(t)}
    assert inferred(store) == want and report.inferred == len(want) > 0
    # Each support record reads back as the triples it was written from.
    records = mat._records(store)
    assert records.pop("__run__")
    assert {kind for kind, _ in records.values()} == {"by-node", "shared"}
    assert set().union(*(t for _, t in records.values())) <= want


# --- sources too large to track per triple ----------------------------------------------------

def _steps(store):
    """A full run, then one cube changed, one added and one dropped, each updated alone."""
    reports = [mat.materialize(store)]
    c, g = catalogued_cube(store.iris, "greece-fire", {"t2m": CF["air_temperature/"],
                                                 "fire": CG.active_fire, "sm2": CF["volume_fraction_of_condensed_water_in_soil/"]})
    store.replace_graph(c, g)
    reports.append(mat.update_inferences(store, c))
    c, g = catalogued_cube(store.iris, "new", {"tp": CF["precipitation_amount/"]})
    store.replace_graph(c, g)
    reports.append(mat.update_inferences(store, c))
    dropped = store.iris.cube("peru")
    store.drop_graph(dropped)
    reports.append(mat.update_inferences(store, dropped))
    return reports


def test_a_source_tracked_whole_infers_what_per_triple_tracking_infers(monkeypatch):
    per_triple = make_store()
    plain = [r.mode for r in _steps(per_triple)]
    assert plain == ["full", "incremental", "incremental", "incremental"]
    whole = make_store()
    sizes = {slug: whole.count(whole.iris.cube(slug)) for slug in CUBES}
    monkeypatch.setattr(mat, "LOCAL_LIMIT", sizes["greece-fire"] - 1)  # only that cube is large
    assert all(n <= mat.LOCAL_LIMIT for slug, n in sizes.items() if slug != "greece-fire")
    mat.materialize(whole)
    kinds = {str(src): rec[0] for src, rec in mat._records(whole).items() if src != "__run__"}
    assert kinds[str(whole.iris.cube("greece-fire"))] == "global"
    assert kinds[str(whole.iris.cube("peru"))] == "by-node"
    reports = _steps(whole)
    # The large cube's change took a full run; the others stayed incremental.
    assert [r.mode for r in reports] == ["full", "full", "incremental", "incremental"]
    assert "tracked as a whole" in reports[1].fallback
    assert inferred(whole) == inferred(per_triple) and len(inferred(whole)) > 0
    for s in (per_triple, whole):
        s.close()


# --- input selection on the fast row readers and on the plain ones ------------------------------

def plain_rows(store, query, bindings):
    """SELECT rows through QueryResult's rdflib terms, literals as their lexical form."""
    return [{k: str(v) if isinstance(v, Literal) else v for k, v in row.items()}
            for row in store.query(query, bindings=bindings)]


def plain_table(store, query, bindings, iris=()):
    """SELECT rows through QueryResult's rdflib terms, as text (CSV's view of them)."""
    def text(v):
        if v is None or v == Literal(""):
            return None
        return f"_:{v}" if isinstance(v, BNode) else str(v)

    return [{k: URIRef(text(v)) if k in iris and text(v) is not None else text(v)
             for k, v in row.items()} for row in store.query(query, bindings=bindings)]


JOBS = [
    {"id": "fire", "target": {"phenomenon": "cg:ActiveFire", "horizon": 1},
     "drivers": ["cg:FireDangerDriver"], "region": {"bbox": [19, 34.5, 29.7, 42]},
     "period": {"start": "2020-01-01", "end": "2022-12-31"}, "resolution": {"temporal": "P1D"}},
    {"id": "drought", "target": {"phenomenon": "cg:ActiveFire", "horizon": 1},
     "drivers": ["cg:DroughtDriver", "cg:FireDangerDriver"],
     "exclude": ["https://test.example/none"], "region": {"bbox": [-90, -30, 40, 50]},
     "period": {"start": "2020-06-01", "end": "2021-12-31"}},
]


@pytest.mark.parametrize("spec", JOBS, ids=[j["id"] for j in JOBS])
def test_selection_is_the_same_through_the_plain_readers(store, monkeypatch, tmp_path, spec):
    import json

    mat.materialize(store)
    path = tmp_path / "job.json"
    path.write_text(json.dumps(spec))
    job = load_job(path)
    fast = sel.select_inputs(store, job)
    assert fast.inputs and fast.excluded  # both readers' answers are used
    monkeypatch.setattr(sel, "fast_rows", plain_rows)
    monkeypatch.setattr(sel, "fast_table", plain_table)
    plain = sel.select_inputs(store, job)
    assert plain.to_json() == fast.to_json()


# --- the ontology fingerprint: colour refinement vs rdflib's isomorphism ---------------------
_RESTRICTIONS = """
@prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix : <http://ex.org/> .
:A rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :p ; owl:someValuesFrom :B ] .
:C rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :q ; owl:someValuesFrom :D ] .
:E owl:unionOf ( :A :C ) .
"""
_VARIANTS = {
    "the same, written again": _RESTRICTIONS,
    "fillers swapped between the restrictions": _RESTRICTIONS.replace(":B ]", ":X ]")
    .replace(":D ]", ":B ]").replace(":X ]", ":D ]"),
    "a list in another order": _RESTRICTIONS.replace("( :A :C )", "( :C :A )"),
    "a filler changed": _RESTRICTIONS.replace(":D ]", ":A ]"),
}


@pytest.mark.parametrize("variant", sorted(_VARIANTS))
def test_the_ontology_fingerprint_is_equal_exactly_when_rdflib_says_isomorphic(variant):
    from cubegraph.reasoning.rules import fingerprint

    base, other = (Graph().parse(data=text, format="turtle") for text in (_RESTRICTIONS, _VARIANTS[variant]))
    same = isomorphic(base, other)
    assert same == (variant == "the same, written again")
    nt = [g.serialize(format="nt", encoding="utf-8") for g in (base, other)]
    assert (fingerprint(nt[0]) == fingerprint(nt[1])) == same


def test_the_ontology_fingerprint_survives_a_reload_with_fresh_blank_nodes():
    from cubegraph.reasoning.rules import fingerprint

    dumps = []
    for _ in range(2):
        store = open_store(None)
        init_store(store)
        dumps.append(mat.dump(store, store.iris.ontology_graph))
        store.close()
    assert dumps[0] != dumps[1]  # the store labelled the blank nodes afresh
    assert fingerprint(dumps[0]) == fingerprint(dumps[1])
    graphs = [Graph().parse(data=d.decode(), format="nt") for d in dumps]
    assert isomorphic(*graphs)
