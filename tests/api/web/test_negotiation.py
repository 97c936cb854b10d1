"""Content negotiation and protocol parsing, as pure functions (no request, no server)."""

from __future__ import annotations

import pytest

from cubegraph.api.web.errors import (
    InvalidPath,
    NotAcceptable,
    ProtocolError,
    ServiceDisabled,
    UnsupportedMediaType,
)
from cubegraph.api.web.negotiation import (
    GRAPH_OFFERS,
    PAGE_OFFERS,
    SOLUTION_OFFERS,
    choose,
    result_formats,
)
from cubegraph.api.web.protocol import (
    check_iri,
    check_service,
    parse_sparql_request,
    resource_iris,
    service_targets,
)
from cubegraph.kg.errors import InvalidTerm

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("accept, expected", [
    (None, "json"),
    ("", "json"),
    ("*/*", "json"),
    ("application/sparql-results+xml", "xml"),
    ("text/csv;q=0.4, text/tab-separated-values;q=0.5", "tsv"),
    ("text/*;q=0.3, application/sparql-results+json;q=0.2", "csv"),
    ("application/json", "json"),
    ("text/xml", "xml"),
    ("application/sparql-results+json;q=0, */*", "xml"),
])
def test_solution_negotiation(accept, expected):
    assert choose(accept, SOLUTION_OFFERS)[0] == expected


@pytest.mark.parametrize("accept, expected", [
    (BROWSER, "html"),
    ("*/*", "html"),
    ("text/turtle", "turtle"),
    ("application/ld+json;q=0.9, text/turtle;q=0.8", "jsonld"),
    ("application/n-triples", "ntriples"),
    ("application/rdf+xml", "rdfxml"),
    ("text/plain", "ntriples"),
])
def test_page_negotiation(accept, expected):
    assert choose(accept, PAGE_OFFERS)[0] == expected


def test_format_parameter_wins_and_takes_aliases():
    assert choose("text/turtle", GRAPH_OFFERS, format_param="ttl") == ("turtle", "text/turtle")
    assert choose(None, GRAPH_OFFERS, format_param="application/ld+json")[0] == "jsonld"
    # a word for the other kind leaves the choice to Accept (issue 14: SPARQLWrapper sends
    # format=xml with a CONSTRUCT, which once made a 406)
    assert choose(None, SOLUTION_OFFERS, format_param="turtle")[0] == "json"
    assert choose("text/csv", SOLUTION_OFFERS, format_param="turtle")[0] == "csv"
    assert choose("image/png", SOLUTION_OFFERS, format_param="turtle") is None


@pytest.mark.parametrize("word, name", [("xml", "rdfxml"), ("json", "jsonld"), ("n3", "turtle"),
                                        ("rdf+xml", "rdfxml"), ("json-ld", "jsonld"),
                                        ("turtle", "turtle"), ("rdf", "rdfxml")])
def test_a_client_s_one_word_means_an_rdf_format_for_a_graph(word, name):
    assert choose(None, GRAPH_OFFERS, format_param=word)[0] == name
    assert result_formats(None, word).graph[0] == name


def test_nothing_acceptable_gives_none():
    assert choose("image/png", SOLUTION_OFFERS) is None


def test_result_formats_negotiates_both_kinds():
    both = result_formats("application/sparql-results+xml, application/rdf+xml")
    assert both.for_kind("select")[0] == "xml" and both.for_kind("graph")[0] == "rdfxml"
    only_graph = result_formats("text/turtle")
    assert only_graph.for_kind("select") is None and only_graph.for_kind("graph")[0] == "turtle"


@pytest.mark.parametrize("accept, fmt", [("image/png", None), (None, "pdf")])
def test_result_formats_refuses_what_cannot_be_given(accept, fmt):
    with pytest.raises(NotAcceptable, match="acceptable|unknown format"):
        result_formats(accept, fmt)


FORM = "application/x-www-form-urlencoded"


def test_query_by_get_post_form_and_direct_post():
    assert parse_sparql_request("GET", None, {"query": ["ASK {}"]}, {}, b"").text == "ASK {}"
    assert parse_sparql_request("POST", FORM, {}, {"query": ["ASK {}"]}, b"").text == "ASK {}"
    direct = parse_sparql_request("POST", "application/sparql-query; charset=utf-8",
                                  {"default-graph-uri": ["http://g/1"]}, {}, b"ASK {}")
    assert direct.text == "ASK {}" and direct.default_graphs == ("http://g/1",)


def test_bare_get_is_the_service_description():
    assert parse_sparql_request("GET", None, {}, {}, b"").operation == "description"


def test_update_by_form_and_direct_post():
    assert parse_sparql_request("POST", FORM, {}, {"update": ["CLEAR ALL"]}, b"").operation == "update"
    assert parse_sparql_request("POST", "application/sparql-update", {}, {}, b"CLEAR ALL").text == "CLEAR ALL"


@pytest.mark.parametrize("method, ctype, args, form, body, match", [
    ("GET", None, {"query": ["ASK {}", "ASK {}"]}, {}, b"", "exactly one"),
    ("POST", "application/sparql-query", {"query": ["ASK {}"]}, {}, b"ASK {}", "exactly one"),
    ("POST", FORM, {}, {"query": ["ASK {}"], "update": ["CLEAR ALL"]}, b"", "both"),
    ("GET", None, {"update": ["CLEAR ALL"]}, {}, b"", "POST"),
    ("POST", FORM, {}, {}, b"", "no query"),
    ("GET", None, {"query": ["  "]}, {}, b"", "empty"),
    ("POST", "application/sparql-query", {}, {}, b"\xff\xfe", "UTF-8"),
])
def test_protocol_errors(method, ctype, args, form, body, match):
    with pytest.raises(ProtocolError, match=match):
        parse_sparql_request(method, ctype, args, form, body)


def test_an_update_s_dataset_comes_from_the_using_parameters():
    req = parse_sparql_request("POST", FORM, {"using-graph-uri": ["http://g/1", "http://g/2"],
                                              "using-named-graph-uri": ["http://g/n"]},
                               {"update": ["DELETE WHERE { ?s ?p ?o }"]}, b"")
    assert (req.default_graphs, req.named_graphs) == (("http://g/1", "http://g/2"), ("http://g/n",))
    with pytest.raises(InvalidTerm):
        parse_sparql_request("POST", FORM, {"using-graph-uri": ["not an iri"]},
                             {"update": ["CLEAR ALL"]}, b"")


def test_unknown_body_type_is_415():
    with pytest.raises(UnsupportedMediaType, match="application/sparql-query"):
        parse_sparql_request("POST", "text/plain", {}, {}, b"ASK {}")


def test_update_endpoint_takes_updates_only():
    with pytest.raises(ProtocolError, match="updates only"):
        parse_sparql_request("GET", None, {"query": ["ASK {}"]}, {}, b"", updates_only=True)


@pytest.mark.parametrize("value", ["not an iri", "http://a b", "http://a>", "", "relative/path",
                                   "http://x/\"quote"])
def test_invalid_iris(value):
    with pytest.raises(InvalidTerm, match="not an absolute IRI"):
        check_iri(value)


@pytest.mark.parametrize("query, targets", [
    ("SELECT * { SERVICE <http://a/sparql> { ?s ?p ?o } }", ["http://a/sparql"]),
    ("SELECT * { service silent <http://a/> { } }", ["http://a/"]),
    ("PREFIX e: <http://e/> SELECT * { SERVICE e:ep { } }", ["http://e/ep"]),
    ("SELECT * { SERVICE ?ep { } }", ["?ep"]),
    ('SELECT * { ?s ?p "SERVICE <http://x/>" }', []),
    ("SELECT * { ?s <http://x/SERVICE> ?o } # SERVICE <http://y/>", []),
    ("SELECT * { ?s ?p ?o }", []),
])
def test_service_targets(query, targets):
    assert service_targets(query) == targets


def test_service_allow_list():
    query = "SELECT * { SERVICE <http://a/sparql> { ?s ?p ?o } }"
    with pytest.raises(ServiceDisabled, match="SERVICE is disabled"):
        check_service(query, ())
    with pytest.raises(ServiceDisabled, match="allow-list"):
        check_service(query, ("http://other/",))
    check_service(query, ("http://a/sparql",))
    check_service(query, ("*",))
    with pytest.raises(ServiceDisabled):
        check_service("SELECT * { SERVICE ?ep { } }", ("*",))


def test_resource_iris_map_paths_under_the_base():
    assert resource_iris("http://b/", "cube/x") == ["http://b/cube/x"]
    assert resource_iris("http://b/", "cube/a:b") == ["http://b/cube/a%3Ab", "http://b/cube/a:b"]


@pytest.mark.parametrize("path", ["cube/../etc/passwd", "..", "cube/./x", "a\\b", "a\x00b"])
def test_resource_iris_refuse_traversal(path):
    with pytest.raises(InvalidPath):
        resource_iris("http://b/", path)


def test_a_service_behind_an_escaped_prefixed_name_is_still_seen():
    from cubegraph.api.web.protocol import service_targets

    query = "PREFIX ex: <http://x/> SELECT * { ?s ex:p\\# ?o . SERVICE <http://10.0.0.1/> { ?a ?b ?c } }"
    assert service_targets(query) == ["http://10.0.0.1/"]
