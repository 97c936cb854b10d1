"""The SPARQL 1.1 Graph Store HTTP Protocol face, at ``/rdf-graphs``.

``?graph=IRI`` names a graph, ``?default`` the default graph; with neither, GET returns
the whole dataset (TriG / N-Quads) and POST creates a graph whose IRI the server mints
(``{base}graph/{uuid}``, in ``Location``). GET and HEAD are open; PUT (replace), POST
(merge) and DELETE need the bearer token. Status codes follow the spec: 200 on a read, 201
when a write creates a graph, 204 when it replaces, merges into or deletes one, 404 for a
missing graph, 400 for a body that does not parse, 415 for a body type the server cannot
read. A graph exists while it holds triples: an empty PUT or POST creates none (204).

A body is parsed completely (by pyoxigraph, into a scratch in-memory store) before the
store is touched, then written as ONE update, so a bad body changes nothing. A PUT or POST
body may also be ``multipart/form-data`` (5.5): each file part is an RDF document (its
``Content-Type``, else its file name's extension, says which syntax) and their triples are
merged, as one write.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, Response, request
from rdflib import URIRef

from cubegraph.api.web.auth import token_required
from cubegraph.api.web.errors import NotAcceptable, ProtocolError, UnsupportedMediaType
from cubegraph.api.web.negotiation import (
    DATASET_OFFERS,
    GRAPH_OFFERS,
    RDF_BODY_TYPES,
    choose,
    content_type,
    media_type,
    not_acceptable_message,
)
from cubegraph.api.web.protocol import check_iri
from cubegraph.api.web.state import get_state
from cubegraph.kg import open_store
from cubegraph.kg.errors import GraphNotFound, RDFSyntaxError
from cubegraph.errors import CubegraphError
from cubegraph.kg.formats import guess_format, holds_graphs

bp = Blueprint("graph_store", __name__)

_CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
_DEFAULT_EXISTS = "ASK { ?s ?p ?o }"

# Marks the default graph as a target (None would read as "the union of all graphs").
DEFAULT = object()


def _target():
    """The graph a request names: an IRI, :data:`DEFAULT`, or ``None`` (the whole dataset).

    Raises:
        ProtocolError: both ``graph`` and ``default``, or ``graph`` given twice.
        InvalidTerm: ``graph`` is not an IRI.
    """
    graphs = request.args.getlist("graph")
    if graphs and "default" in request.args:
        raise ProtocolError("name either ?graph=IRI or ?default, not both")
    if len(graphs) > 1:
        raise ProtocolError("name one graph per request (?graph= was given twice)")
    if graphs:
        return check_iri(graphs[0], "graph")
    return DEFAULT if "default" in request.args else None


def _exists(target) -> bool:
    store = get_state().store
    if target is DEFAULT:
        return bool(store.query(_DEFAULT_EXISTS, default_graph=[]))
    return store.has_graph(target)


@bp.route("/rdf-graphs", methods=["GET", "HEAD"])
def read():
    """A graph (or the whole dataset) in the negotiated RDF format."""
    target = _target()
    accept, fmt = request.headers.get("Accept"), request.args.get("format")
    store = get_state().store
    if target is None:
        chosen = choose(accept, DATASET_OFFERS, format_param=fmt)
        if chosen is None:
            raise NotAcceptable(not_acceptable_message(accept, fmt, "dataset", DATASET_OFFERS))
        return Response(store.dump(format=chosen[0]), content_type=content_type(chosen[1]))
    chosen = choose(accept, GRAPH_OFFERS, format_param=fmt)
    if chosen is None:
        raise NotAcceptable(not_acceptable_message(accept, fmt, "graph", GRAPH_OFFERS))
    if target is not DEFAULT and not _exists(target):
        raise GraphNotFound(f"no graph <{target}> in this store: list graphs with "
                            "SELECT DISTINCT ?g WHERE { GRAPH ?g {} } at /sparql")
    default_graph = [] if target is DEFAULT else [target]
    body = store.query(_CONSTRUCT, default_graph=default_graph).serialize(chosen[0])
    return Response(body, content_type=content_type(chosen[1]))


@bp.route("/rdf-graphs", methods=["PUT"])
@token_required
def replace():
    """Replace a graph with the body (201 if it is new, 204 otherwise)."""
    return _write(replace=True)


@bp.route("/rdf-graphs", methods=["POST"])
@token_required
def merge():
    """Add the body's triples to a graph (201 if it is new, 204 otherwise)."""
    return _write(replace=False)


@bp.route("/rdf-graphs", methods=["DELETE"])
@token_required
def delete():
    """Delete a graph (204), or answer 404 when it does not exist."""
    target = _target()
    if target is None:
        raise ProtocolError("DELETE needs ?graph=IRI or ?default: the whole dataset cannot "
                            "be deleted through the Graph Store Protocol")
    if not _exists(target):
        raise GraphNotFound(f"no graph <{target}> to delete")
    state = get_state()
    graph = "DEFAULT" if target is DEFAULT else f"GRAPH {URIRef(target).n3()}"
    state.write(state.store.update, f"DROP SILENT {graph}")
    return Response(status=204)


def _write(*, replace: bool) -> Response:
    target = _target()
    location = None
    if target is None and replace:
        raise ProtocolError("PUT needs ?graph=IRI or ?default (the graph to replace); POST to "
                            "/rdf-graphs alone creates a graph with a name the server chooses")
    ntriples = _parse_body()
    state = get_state()
    if target is None:
        # SPARQL 1.1 Graph Store Protocol, 5.5: a POST to the store itself makes a new graph
        # whose IRI the server mints, named in Location
        if not ntriples.strip():
            raise ProtocolError("the POST holds no triples: a graph exists here while it holds "
                                "some, so an empty one would not be created")
        target = f"{state.store.iris.base}graph/{uuid.uuid4()}"
        location = target
    existed = _exists(target)
    graph = "DEFAULT" if target is DEFAULT else f"GRAPH {URIRef(target).n3()}"
    operations = [f"DROP SILENT {graph}"] if replace else []
    if ntriples.strip():
        # N-Triples is a subset of the SPARQL triple syntax: the parsed, re-serialised body
        # goes into INSERT DATA as it is, in one atomic update with the DROP.
        block = ntriples.decode("utf-8")
        operations.append("INSERT DATA { " + (block if target is DEFAULT else f"{graph} {{\n{block}\n}}") + " }")
    if operations:
        state.write(state.store.update, " ;\n".join(operations))
    # a graph exists while it holds triples: an empty body creates none (204, not 201)
    created = not existed and bool(ntriples.strip())
    response = Response(status=201 if created else 204)
    if location is not None:
        response.headers["Location"] = location
    return response


def _parse_body() -> bytes:
    """The request body parsed and re-serialised as N-Triples: one RDF document, or (a
    ``multipart/form-data`` body, Graph Store Protocol 5.5) the merge of each file part's,
    blank nodes kept apart.

    Raises:
        UnsupportedMediaType: a body (or part) type is not an RDF syntax the server reads.
        RDFSyntaxError: a body (or part) does not parse, or is a dataset format.
        ProtocolError: a multipart body with a part that is not a file, or with none.
    """
    mtype = media_type(request.content_type)
    if mtype == "multipart/form-data":
        if request.form:
            raise ProtocolError(f"the multipart body has fields that are not files "
                                f"({', '.join(sorted(request.form))}): send each RDF document "
                                "as a file part with its Content-Type")
        parts = [(f"part {part.name!r} ({part.filename or 'no file name'})",
                  _part_type(part), part.read())
                 for _, part in request.files.items(multi=True)]  # repeated names: every part
        if not parts:
            raise ProtocolError("the multipart body holds no file part")
    else:
        parts = [("the body", mtype, request.get_data(cache=False))]
    scratch = open_store(None)
    try:
        for name, part_type, data in parts:
            fmt = RDF_BODY_TYPES.get(part_type)
            if fmt is None:
                raise UnsupportedMediaType(
                    f"cannot read {name} of type {part_type or '(none)'!r}: send one of "
                    f"{sorted(set(RDF_BODY_TYPES) - {'application/x-turtle', 'text/plain'})}")
            if holds_graphs(fmt):
                raise RDFSyntaxError(f"{name} ({part_type}) carries its own named graphs: send "
                                     "the graph's triples as Turtle, N-Triples, RDF/XML or JSON-LD")
            try:
                scratch.load(data, format=fmt, graph="urn:cubegraph:upload")
            except RDFSyntaxError as exc:
                raise RDFSyntaxError(f"{name}: {exc}" if len(parts) > 1 else str(exc)) from exc
        return scratch.dump(format="ntriples", graph="urn:cubegraph:upload") or b""
    finally:
        scratch.close()


def _part_type(part) -> str:
    """A file part's media type: its own, else the one its file name's extension implies."""
    mtype = media_type(part.content_type)
    if mtype and mtype != "application/octet-stream":
        return mtype
    try:
        fmt = guess_format(part.filename or "")
    except CubegraphError:
        return mtype
    return next((t for t, f in RDF_BODY_TYPES.items() if f == fmt), mtype)
