"""The ``discovery`` blueprint: search, audit and catalog exports over HTTP.

Views are thin: parse the request, call the core function, serialise. Errors are
:class:`~cubegraph.errors.CubegraphError` subclasses with an ``http_status`` and reach the
client through the app's one error handler (``api/web/error_handler.py``).

Routes:
    GET /api/search        ?q=&phenomenon=&bbox=W,S,E,N&start=&end=&resolution=&page=&page_size=
    GET /api/audit         ?iri=  (JSON; ``Accept: text/turtle`` gives the DQV/PROV report)
    GET /catalog.ttl       the DCAT catalog as Turtle
    GET /catalog.jsonld    the DCAT catalog as JSON-LD
    GET /stac/catalog.json                the STAC catalog
    GET /stac/<id>/collection.json        one STAC collection per cube
    GET /void.ttl          the VoID description of the store
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from cubegraph.kg.serialize import jsonld_text
from cubegraph.api.services import audit as audit_core
from cubegraph.api.services import catalog_export, stac_export
from cubegraph.api.services.errors import InvalidSearch, ResourceNotFound
from cubegraph.api.services.search import search as search_cubes
from cubegraph.api.services.stac_validation import validate_stac_dict
from cubegraph.api.web.state import get_store

bp = Blueprint("discovery", __name__)


@bp.get("/api/search")
def search():
    """Search cubes; see :func:`cubegraph.api.services.search.search` for the parameters."""
    args = request.args
    try:
        page = int(args.get("page", 1))
        page_size = int(args.get("page_size", 20))
    except ValueError:
        raise InvalidSearch("page and page_size must be integers") from None
    result = search_cubes(
        get_store(), text=args.get("q") or args.get("text"), phenomenon=args.get("phenomenon"),
        bbox=args.get("bbox"), start=args.get("start"), end=args.get("end"),
        resolution=args.get("resolution"), page=page, page_size=page_size)
    return jsonify(result.to_dict())


@bp.get("/api/audit")
def audit():
    """Audit one resource's provenance (``?iri=``); 200 even when the audit fails."""
    iri = request.args.get("iri", "").strip()
    if not iri:
        raise InvalidSearch("give the resource to audit as ?iri=<IRI>")
    report = audit_core.audit(get_store(), iri)
    best = request.accept_mimetypes.best_match(["application/json", "text/turtle",
                                                "application/ld+json"], "application/json")
    if best == "text/turtle":
        return Response(report.to_rdf().serialize(format="turtle"), mimetype="text/turtle")
    if best == "application/ld+json":
        return Response(jsonld_text(report.to_rdf()), mimetype="application/ld+json")
    return Response(report.to_json(), mimetype="application/json")


@bp.get("/catalog.ttl")
def catalog_turtle():
    """The DCAT catalog as Turtle."""
    graph = catalog_export.dcat_catalog(get_store())
    return Response(catalog_export.serialize_graph(graph, "turtle"), mimetype="text/turtle")


@bp.get("/catalog.jsonld")
def catalog_jsonld():
    """The DCAT catalog as JSON-LD."""
    graph = catalog_export.dcat_catalog(get_store())
    return Response(catalog_export.serialize_graph(graph, "jsonld"), mimetype="application/ld+json")


@bp.get("/stac/catalog.json")
def stac_catalog():
    """The STAC catalog (validated offline)."""
    return jsonify(_stac("catalog"))


@bp.get("/stac/<collection_id>/collection.json")
def stac_collection(collection_id: str):
    """One cube as a STAC collection (validated offline); 404 for an unknown id."""
    if collection_id == "catalog":
        raise _no_collection(collection_id)
    return jsonify(_stac(collection_id))


@bp.get("/void.ttl")
def void():
    """The VoID description of the store."""
    graph = catalog_export.void_description(get_store())
    return Response(catalog_export.serialize_graph(graph, "turtle"), mimetype="text/turtle")


def _stac(ident: str) -> dict:
    """The STAC object ``ident`` (``"catalog"`` or a collection id), validated offline.

    Raises:
        ResourceNotFound: no collection has that id.
        StacValidationFailed: the object breaks the STAC 1.1.0 schema.
    """
    # Hrefs point at this server as the client reached it, so the links work behind any
    # host name; the cubes' own IRIs (cite-as) stay the canonical ones.
    objects = stac_export.stac_dicts(get_store(), root_href=request.url_root.rstrip("/") + "/stac",
                                 validate=False)
    if ident not in objects:
        raise _no_collection(ident)
    # Only the object sent is validated: a request checks one schema, not the whole catalog's.
    validate_stac_dict(objects[ident])
    return objects[ident]


def _no_collection(ident: str) -> ResourceNotFound:
    return ResourceNotFound(f"no STAC collection {ident!r}: the catalog at "
                            "/stac/catalog.json lists them")
