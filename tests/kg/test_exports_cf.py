"""Exports of literals holding control characters (issue 13): XML is well-formed or refused.

XML 1.0 cannot write most C0 control characters at all (not even as ``&#1;``), so an
RDF/XML or SPARQL XML answer whose literals hold one is refused (406, naming the character
and the formats that carry it) instead of going out ill-formed; Turtle, N-Triples and
JSON-LD carry it escaped, and read back to the same literal. A carriage return is legal
XML that every parser reads as a line feed: it is written ``&#13;`` so it survives.

Every XML answer here is parsed with the standard library's expat parser, the strict one.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import netCDF4
import numpy as np
import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from cubegraph.api.services.catalog_export import dcat_catalog, serialize_graph
from cubegraph.api.web.app import close_app, create_app
from cubegraph.ingest.pipeline import ingest_cube
from cubegraph.kg import FormatCannotCarry, open_store
from cubegraph.kg.serialize import jsonld_text, serialize_capped, xml_checked

BASE = "http://test.example/"
S, P = URIRef(BASE + "s"), URIRef(BASE + "p")
CONTROL = "fire \x1b[31mred\x1b[0m cube\x01"  # an ANSI escape and a SOH, as titles hold them
LEGAL = "line\r\nbreak\rtab\t DEL\x7f NEL\x85 end"  # all legal XML 1.0 characters
CONSTRUCT = "CONSTRUCT WHERE { ?s ?p ?o }"
SELECT = "SELECT ?o WHERE { ?s ?p ?o }"


def store_with(value: str):
    store = open_store(None, base_iri=BASE)
    store.add(URIRef(BASE + "g"), [(S, P, Literal(value))])
    return store


def parse_xml(body: bytes):
    return ET.fromstring(body)  # raises ParseError when not well-formed


def test_rdfxml_and_xml_results_refuse_what_xml_cannot_carry():
    store = store_with(CONTROL)
    with pytest.raises(FormatCannotCarry) as caught:
        store.query(CONSTRUCT).serialize("rdfxml")
    message = str(caught.value)
    assert caught.value.http_status == 406
    assert "U+001B" in message and "RDF/XML" in message and "Turtle" in message
    assert "fire \\x1b[31mred" in message  # where: the literal, shown escaped
    with pytest.raises(FormatCannotCarry, match="SPARQL XML results.*U\\+001B.*JSON"):
        store.query(SELECT).serialize("xml")
    with pytest.raises(FormatCannotCarry, match="RDF/XML"):
        store.dump(format="rdfxml", graph=BASE + "g")
    # the endpoint's capped serialiser too, whatever the cap
    for cap in (1, 1000):
        with pytest.raises(FormatCannotCarry):
            serialize_capped(store.query(CONSTRUCT), "rdfxml", cap)
        with pytest.raises(FormatCannotCarry):
            serialize_capped(store.query(SELECT), "xml", cap)


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1f", "\ufffe", "\uffff"])
def test_every_character_xml_forbids_is_refused(char):
    with pytest.raises(ET.ParseError):
        parse_xml(f"<a>x{char}y</a>".encode())  # expat agrees it is not XML
    with pytest.raises(FormatCannotCarry, match=f"U\\+{ord(char):04X}"):
        xml_checked(f"<a>x{char}y</a>".encode(), "rdfxml")


def test_legal_characters_round_trip_through_xml_unchanged():
    store = store_with(LEGAL)
    body = store.query(CONSTRUCT).serialize("rdfxml")
    assert b"\r" not in body
    assert [e.text for e in parse_xml(body).iter() if e.text and "line" in e.text] == [LEGAL]
    assert str(next(iter(Graph().parse(data=body, format="xml")))[2]) == LEGAL
    assert next(iter(ox.parse(body, ox.RdfFormat.RDF_XML))).object.value == LEGAL
    results = store.query(SELECT).serialize("xml")
    literals = [e.text for e in parse_xml(results).iter("{http://www.w3.org/2005/sparql-results#}literal")]
    assert literals == [LEGAL]
    capped, _ = serialize_capped(store.query(CONSTRUCT), "rdfxml", 10)
    assert str(next(iter(Graph().parse(data=capped, format="xml")))[2]) == LEGAL


@pytest.mark.parametrize("fmt, ox_format, rdflib_name", [
    ("turtle", ox.RdfFormat.TURTLE, "turtle"),
    ("ntriples", ox.RdfFormat.N_TRIPLES, "nt"),
    ("jsonld", ox.RdfFormat.JSON_LD, "json-ld"),
])
def test_other_formats_carry_control_characters_and_read_back(fmt, ox_format, rdflib_name):
    value = CONTROL + "\x00" + LEGAL
    store = store_with(value)
    body = store.query(CONSTRUCT).serialize(fmt)
    assert next(iter(ox.parse(body, ox_format))).object.value == value
    assert str(next(iter(Graph().parse(data=body, format=rdflib_name)))[2]) == value
    capped, _ = serialize_capped(store.query(CONSTRUCT), fmt, 10)
    assert next(iter(ox.parse(capped, ox_format))).object.value == value


def test_jsonld_export_is_json_with_control_characters():
    g = Graph()
    g.add((S, P, Literal(CONTROL)))
    text = jsonld_text(g)
    assert "\x1b" not in text and "\\u001b" in text  # JSON escapes it
    assert str(next(iter(Graph().parse(data=text, format="json-ld")))[2]) == CONTROL
    json.loads(text)


@pytest.fixture
def control_cube(tmp_path):
    """A catalogued cube whose title holds control characters (netCDF keeps any bytes)."""
    path = tmp_path / "ansi.nc"
    with netCDF4.Dataset(path, "w") as ds:
        ds.setncatts({"Conventions": "CF-1.8", "title": CONTROL})
        ds.createDimension("time", 2)
        t = ds.createVariable("time", "f8", ("time",))
        t.setncatts({"standard_name": "time", "units": "days since 2020-01-01"})
        t[:] = [0.0, 1.0]
        v = ds.createVariable("t", "f4", ("time",))
        v.setncatts({"standard_name": "air_temperature", "units": "K"})
        v[:] = np.ones(2, dtype="f4")
    store = open_store(None, base_iri=BASE)
    result = ingest_cube(store, path)
    assert result.status == "ingested", result.error
    yield store, result.cube
    store.close()


def test_a_catalogued_cube_exports_or_says_why(control_cube):
    store, cube = control_cube
    graph = dcat_catalog(store)
    assert str(graph.value(cube, DCTERMS.title)) == CONTROL
    with pytest.raises(FormatCannotCarry, match="U\\+001B"):
        serialize_graph(graph, "rdfxml")
    for fmt, name in (("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld")):
        back = Graph().parse(data=serialize_graph(graph, fmt), format=name)
        assert str(back.value(cube, DCTERMS.title)) == CONTROL, fmt


def test_the_endpoint_answers_406_with_the_way_out(control_cube):
    store, cube = control_cube
    app = create_app({"STORE": store, "BASE_IRI": BASE})
    try:
        client = app.test_client()
        query = f"CONSTRUCT {{ <{cube}> ?p ?o }} WHERE {{ <{cube}> ?p ?o }}"
        reply = client.get("/sparql", query_string={"query": query},
                           headers={"Accept": "application/rdf+xml"})
        assert reply.status_code == 406
        assert "U+001B" in reply.json["message"] and "text/turtle" in reply.json["message"]
        turtle = client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/turtle"})
        assert turtle.status_code == 200
        back = Graph().parse(data=turtle.data, format="turtle")
        assert str(back.value(cube, DCTERMS.title)) == CONTROL
        select = f"SELECT ?t WHERE {{ <{cube}> <{DCTERMS.title}> ?t }}"
        reply = client.get("/sparql", query_string={"query": select},
                           headers={"Accept": "application/sparql-results+xml"})
        assert reply.status_code == 406 and "sparql-results+json" in reply.json["message"]
        # the resource page and the graph store protocol negotiate RDF/XML too
        page = client.get(cube[len(BASE) - 1:], headers={"Accept": "application/rdf+xml"})
        assert page.status_code == 406, page.data[:200]
        graph = client.get("/rdf-graphs", query_string={"graph": str(cube)},
                           headers={"Accept": "application/rdf+xml"})
        assert graph.status_code == 406
    finally:
        close_app(app)
