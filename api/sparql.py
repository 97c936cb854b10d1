"""The SPARQL 1.1 Protocol face: queries and updates at ``/sparql``, updates at ``/update``.

- Queries by GET, URL-encoded POST or direct POST, with ``default-graph-uri`` /
  ``named-graph-uri``; answered by the query runner under a deadline, in the format
  negotiated from ``Accept`` (or ``format``).
- Updates by URL-encoded POST or ``application/sparql-update``, with a bearer token; a
  failing update changes nothing (pyoxigraph applies one request in one transaction).
- GET without a query: the SPARQL Service Description with VoID statistics (HTML, with a
  query form, for browsers).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, VOID, XSD

from cubegraph.api.app import get_state
from cubegraph.api.auth import check_token
from cubegraph.api.errors import NotAcceptable, PayloadTooLarge
from cubegraph.api.negotiation import (
    GRAPH_OFFERS,
    choose,
    content_type,
    not_acceptable_message,
    parse_sparql_request,
)
from cubegraph.api.query_runner import query_job, truncation_headers
from cubegraph.ontology.namespaces import SD

bp = Blueprint("sparql", __name__)

_FORMATS = "http://www.w3.org/ns/formats/"
_RESULT_FORMATS = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                   "SPARQL_Results_TSV", "Turtle", "N-Triples", "RDF_XML", "JSON-LD"]
# RDF first: a client that accepts anything (curl, SD crawlers) gets Turtle; HTML only for
# clients that prefer it (browsers name text/html explicitly).
_DESCRIPTION_OFFERS = {**GRAPH_OFFERS, "text/html": "html"}


@bp.route("/sparql", methods=["GET", "HEAD", "POST"])
def endpoint():
    """SPARQL 1.1 query and update endpoint; the service description on a bare GET."""
    return _handle(updates_only=False)


@bp.route("/update", methods=["POST"])
def update_endpoint():
    """SPARQL 1.1 update endpoint."""
    return _handle(updates_only=True)


def _handle(*, updates_only: bool) -> Response:
    form, body = {}, b""
    if request.method == "POST":
        if request.mimetype == "application/x-www-form-urlencoded":
            form = request.form.to_dict(flat=False)
        else:
            body = request.get_data(cache=False)
    req = parse_sparql_request(request.method, request.content_type,
                               request.args.to_dict(flat=False), form, body,
                               updates_only=updates_only)
    if req.text is not None and len(req.text.encode("utf-8")) > current_app.config["MAX_CONTENT_LENGTH"]:
        raise PayloadTooLarge(f"the {req.operation} is longer than the server accepts "
                              f"({current_app.config['MAX_CONTENT_LENGTH']} bytes)")
    if req.operation == "update":
        return _update(req.text)
    if req.operation == "description":
        return _description()
    return _query(req)


def _query(req) -> Response:
    config = current_app.config
    job = query_job(req, config, request.headers.get("Accept"), request.args.get("format"))
    answer = get_state().runner.run(job, float(config["QUERY_TIMEOUT"]))
    return Response(answer.body, content_type=content_type(answer.media_type),
                    headers=truncation_headers(job.max_rows) if answer.truncated else None)


def _update(text: str) -> Response:
    check_token()
    state = get_state()
    state.write(state.store.update, text)
    return Response(status=204)


def _description() -> Response:
    accept, fmt = request.headers.get("Accept"), request.args.get("format")
    chosen = choose(accept, _DESCRIPTION_OFFERS, format_param=fmt)
    if chosen is None:
        raise NotAcceptable(not_acceptable_message(accept, fmt, "service description",
                                                   _DESCRIPTION_OFFERS))
    state = get_state()
    stats = state.cached("stats", state.store.stats)
    endpoint_url = request.url_root + "sparql"
    name, media = chosen
    if name == "html":
        return Response(render_template(
            "sparql.html", endpoint=endpoint_url, stats=stats, total=sum(stats.values()),
            base=current_app.config["BASE_IRI"], max_rows=current_app.config["MAX_ROWS"],
            timeout=current_app.config["QUERY_TIMEOUT"]), mimetype="text/html")
    graph = service_description(endpoint_url, stats, current_app.config["BASE_IRI"])
    rdflib_format = {"turtle": "turtle", "ntriples": "nt", "rdfxml": "xml", "jsonld": "json-ld",
                     "trig": "trig", "nquads": "nquads"}[name]
    return Response(graph.serialize(format=rdflib_format, encoding="utf-8"),
                    content_type=content_type(media))


def service_description(endpoint_url: str, stats: dict[str, int], base_iri: str) -> Graph:
    """The SPARQL Service Description of the endpoint, with VoID statistics of its dataset.

    Args:
        endpoint_url: the endpoint's URL as the client reached it.
        stats: triples per named graph (``""``: the default graph), from ``Store.stats()``.
        base_iri: the base of the IRIs this server dereferences (``void:uriSpace``).
    """
    g = Graph()
    g.bind("sd", SD._NS)
    g.bind("void", VOID)
    service = URIRef(endpoint_url)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    for language in (SD.SPARQL11Query, SD.SPARQL11Update):
        g.add((service, SD.supportedLanguage, language))
    for fmt in _RESULT_FORMATS:
        g.add((service, SD.resultFormat, URIRef(_FORMATS + fmt)))
    # Queries see the union of all named graphs as their default graph.
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    dataset = BNode("dataset")
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, VOID.sparqlEndpoint, service))
    g.add((dataset, VOID.uriSpace, Literal(base_iri)))
    g.add((dataset, VOID.triples, Literal(sum(stats.values()), datatype=XSD.integer)))
    named = {k: v for k, v in stats.items() if k}
    default = BNode("default-graph")
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, VOID.triples, Literal(sum(stats.values()), datatype=XSD.integer)))
    for i, (graph_iri, triples) in enumerate(sorted(named.items())):
        node, inner = BNode(f"g{i}"), BNode(f"g{i}-graph")
        g.add((dataset, SD.namedGraph, node))
        g.add((node, RDF.type, SD.NamedGraph))
        g.add((node, SD.name, URIRef(graph_iri)))
        g.add((node, SD.graph, inner))
        g.add((inner, RDF.type, SD.Graph))
        # Each graph is also a VoID subset of the dataset, so VoID-only clients see the
        # per-graph counts; the number of graphs is the number of subsets.
        g.add((inner, RDF.type, VOID.Dataset))
        g.add((dataset, VOID.subset, inner))
        g.add((inner, VOID.triples, Literal(triples, datatype=XSD.integer)))
    return g
