"""The SPARQL 1.1 Protocol face in Flask: updates, and the service description.

- Updates by URL-encoded POST or ``application/sparql-update`` at ``/sparql`` or
  ``/update``, with a bearer token; a failing update changes nothing (pyoxigraph applies one
  request in one transaction).
- GET ``/sparql`` without a query: the SPARQL Service Description with VoID statistics
  (HTML, with a query form, for browsers).

Queries at ``/sparql`` never reach this blueprint: the lean WSGI layer in front of the app
(:mod:`cubegraph.api.web.query_path`) answers them, and every request at ``/sparql`` that
breaks the protocol, alone. It hands this blueprint only well-formed updates and requests
for the description.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, VOID, XSD

from cubegraph.api.web.auth import check_token
from cubegraph.api.web.errors import NotAcceptable
from cubegraph.api.web.negotiation import (
    GRAPH_OFFERS,
    choose,
    content_type,
    not_acceptable_message,
)
from cubegraph.api.web.protocol import check_length, check_load, check_service, parse_sparql_request
from cubegraph.api.web.state import get_state
from cubegraph.kg.formats import rdflib_name
from cubegraph.kg.sparql_text import with_using
from cubegraph.config import ServerSettings
from cubegraph.ontology.namespaces import CG, SD


bp = Blueprint("sparql", __name__)

_FORMATS = "http://www.w3.org/ns/formats/"
_RESULT_FORMATS = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                   "SPARQL_Results_TSV", "Turtle", "N-Triples", "RDF_XML", "JSON-LD"]
# RDF first: a client that accepts anything (curl, SD crawlers) gets Turtle; HTML only for
# clients that prefer it (browsers name text/html explicitly).
_DESCRIPTION_OFFERS = {**GRAPH_OFFERS, "text/html": "html"}


@bp.route("/sparql", methods=["GET", "HEAD", "POST"])
def endpoint():
    """SPARQL 1.1 update endpoint; the service description on a bare GET."""
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
    if req.operation == "update":
        check_length(req, get_state().settings.max_body)
        return _update(req.text, req.default_graphs, req.named_graphs)
    if req.operation == "description":
        return _description()
    # Only reachable by calling the Flask app without the layer create_app puts in front.
    raise RuntimeError("SPARQL queries are answered by QueryPath in front of the Flask app: "
                       "serve the app create_app returns, not its inner WSGI callable")


def _update(text: str, using=None, using_named=None) -> Response:
    check_token()
    # the protocol's using-graph-uri / using-named-graph-uri, as USING clauses
    text = with_using(text, using, using_named)
    state = get_state()
    # an update fetches nothing the operator has not allowed (SERVICE in its WHERE, LOAD)
    check_service(text, state.settings.service_allowlist)
    check_load(text, state.settings.service_allowlist)
    settings = state.settings

    def apply():
        if state.rehearsal is not None:  # a pattern update is tried first, with a deadline
            state.rehearsal.check(text, settings.query_timeout,
                                  request.environ.get("waitress.client_disconnected"))
        state.store.update(text)

    state.write(apply)
    return Response(status=204)


def _description() -> Response:
    accept, fmt = request.headers.get("Accept"), request.args.get("format")
    chosen = choose(accept, _DESCRIPTION_OFFERS, format_param=fmt)
    if chosen is None:
        raise NotAcceptable(not_acceptable_message(accept, fmt, "service description",
                                                   _DESCRIPTION_OFFERS))
    state = get_state()
    settings = state.settings
    stats = state.cached("stats", state.store.stats)
    endpoint_url = request.url_root + "sparql"
    name, media = chosen
    if name == "html":
        return Response(render_template(
            "sparql.html", endpoint=endpoint_url, stats=stats, total=sum(stats.values()),
            base=settings.base_iri, max_rows=settings.max_rows,
            timeout=settings.query_timeout), mimetype="text/html")
    graph = service_description(endpoint_url, stats, settings.base_iri, settings,
                                functions=state.store.extension_functions)
    return Response(graph.serialize(format=rdflib_name(name), encoding="utf-8"),
                    content_type=content_type(media))


def service_description(endpoint_url: str, stats: dict[str, int], base_iri: str,
                        settings: ServerSettings | None = None, *,
                        functions: tuple[str, ...] = ()) -> Graph:
    """The SPARQL Service Description of the endpoint, with VoID statistics of its dataset.

    Args:
        endpoint_url: the endpoint's URL as the client reached it.
        stats: triples per named graph (``""``: the default graph), from ``Store.stats()``.
        base_iri: the base of the IRIs this server dereferences (``void:uriSpace``).
        settings: the server's limits (timeout, row cap, body size, memory per query) and
            whether SERVICE may call out, stated as such (``None``: not stated).
        functions: the SPARQL functions beyond the standard ones its store evaluates
            (``Store.extension_functions``), announced as ``sd:extensionFunction``.
    """
    g = Graph()
    g.bind("sd", SD._NS)
    g.bind("void", VOID)
    g.bind("cg", CG._NS)
    service = URIRef(endpoint_url)
    if settings is not None:
        for prop, value, datatype in (
                (CG.queryTimeout, settings.query_timeout, XSD.decimal),
                (CG.maxResultRows, settings.max_rows, XSD.integer),
                (CG.maxRequestBytes, settings.max_body, XSD.integer),
                (CG.queryMemoryLimit, settings.query_memory_mb, XSD.integer)):
            g.add((service, prop, Literal(value, datatype=datatype)))
        if settings.service_allowlist:
            g.add((service, SD.feature, SD.BasicFederatedQuery))
    for function in functions:
        g.add((service, SD.extensionFunction, URIRef(function)))
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
