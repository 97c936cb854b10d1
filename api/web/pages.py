"""Linked-data pages: every IRI under the base dereferences on this server.

A request path ``/cube/greece-fire`` names the IRI ``BASE_IRI + "cube/greece-fire"``,
whatever host and port the server runs on (so IRIs minted for ``http://127.0.0.1:8765/``
resolve out of the box, and a server behind a proxy still resolves by path). The answer is
negotiated: HTML for browsers (label, types, properties with links, incoming links, and a
schema.org ``Dataset`` JSON-LD block for cubes and runs), Turtle / JSON-LD / N-Triples /
RDF/XML for RDF clients (the resource's triples plus the triples pointing at it).

Every literal reaches the page through Jinja's autoescaping (``|tojson`` inside the JSON-LD
script block), so data cannot inject markup or script.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, render_template, request
from rdflib import Literal, URIRef

from cubegraph.api.services.errors import ResourceNotFound
from cubegraph.api.web.errors import NotAcceptable
from cubegraph.api.web.negotiation import (
    PAGE_OFFERS,
    choose,
    content_type,
    not_acceptable_message,
)
from cubegraph.api.web.protocol import local_path, resource_iris
from cubegraph.api.web.state import get_settings, get_state
from cubegraph.api.web.ui import href_for, resource_template
from cubegraph.kg.records.cube import cube_labels
from cubegraph.kg.records.run import run_iris
from cubegraph.ontology.namespaces import (
    CG, DCAT, DCTERMS, PROV, RDF, RDFS, SDO, SKOS, curie, local_name,
)

# Templates and static files live in api/web/templates and api/web/static, the app's own folders.
bp = Blueprint("pages", __name__)

#: How many property values / incoming links a page shows (the RDF has them all).
PAGE_LIMIT = 500

_EXISTS = "ASK { { ?r ?p ?o } UNION { ?s ?q ?r } UNION { GRAPH ?r { ?a ?b ?c } } }"
_DESCRIBE = "CONSTRUCT { ?r ?p ?o . ?s ?q ?r } WHERE { { ?r ?p ?o } UNION { ?s ?q ?r } }"
_OUTGOING = f"SELECT DISTINCT ?r ?p ?o WHERE {{ ?r ?p ?o }} ORDER BY ?p ?o LIMIT {PAGE_LIMIT}"
_INCOMING = f"SELECT DISTINCT ?r ?s ?p WHERE {{ ?s ?p ?r }} ORDER BY ?p ?s LIMIT {PAGE_LIMIT}"
_GRAPHS = "SELECT DISTINCT ?r ?g WHERE { GRAPH ?g { ?r ?p ?o } } ORDER BY ?g"

_LABELS = (SKOS.prefLabel, DCTERMS.title, RDFS.label, SDO.name)
_DESCRIPTIONS = (DCTERMS.description, RDFS.comment, SKOS.definition, SDO.description)
_DATASET_TYPES = {str(CG.DataCube), str(CG.ModelRun)}


@bp.route("/")
def index():
    """The landing page: what this server holds and where to start."""
    state = get_state()
    cubes = cube_labels(state.store, PAGE_LIMIT)
    runs = run_iris(state.store, PAGE_LIMIT)
    stats = state.cached("stats", state.store.stats)
    return render_template("index.html", cubes=[_link(c, label) for c, label in cubes],
                           runs=[_link(r) for r in runs], total=sum(stats.values()),
                           graphs=len([g for g in stats if g]),
                           base=get_settings().base_iri)


@bp.route("/<path:path>", methods=["GET", "HEAD"])
def resource(path: str):
    """The description of ``BASE_IRI + path``, content-negotiated."""
    base = get_settings().base_iri
    store = get_state().store
    iri = next((c for c in resource_iris(base, path)
                if store.query(_EXISTS, bindings={"r": URIRef(c)})), None)
    if iri is None:
        raise ResourceNotFound(
            f"nothing is known about <{resource_iris(base, path)[0]}>: it is not the subject, "
            "object or graph name of any triple here. Cubes live at cube/<slug>, runs at "
            "run/<id>; the home page lists them, and /sparql answers any query")
    accept, fmt = request.headers.get("Accept"), request.args.get("format")
    chosen = choose(accept, PAGE_OFFERS, format_param=fmt)
    if chosen is None:
        raise NotAcceptable(not_acceptable_message(accept, fmt, "resource description", PAGE_OFFERS))
    name, media = chosen
    if name != "html":
        body = store.query(_DESCRIBE, bindings={"r": URIRef(iri)}).serialize(name)
        response = Response(body, content_type=content_type(media))
    else:
        context = describe(store, iri, base)
        # Cubes and runs have pages of their own (map, metrics, SHAP chart); they extend
        # the generic page, so every property stays visible below.
        special = resource_template(store, iri, [t["title"] for t in context["types"]])
        template, extra = special or ("resource.html", {})
        response = Response(render_template(template, **context, **extra),
                            content_type=content_type(media))
    # Tell caches and clients where the other representations are.
    response.headers["Link"] = f'<{request.base_url}?format=turtle>; rel="alternate"; type="text/turtle"'
    return response


def describe(store, iri: str, base: str) -> dict:
    """Everything the HTML page shows about one resource (pure data for the template)."""
    r = URIRef(iri)
    outgoing = store.query(_OUTGOING, bindings={"r": r}).rows()
    incoming = store.query(_INCOMING, bindings={"r": r}).rows()
    graphs = [row["g"] for row in store.query(_GRAPHS, bindings={"r": r}).rows()]
    values: dict[URIRef, list] = {}
    for row in outgoing:
        values.setdefault(row["p"], []).append(row["o"])
    types = [t for t in values.get(RDF.type, []) if isinstance(t, URIRef)]
    label = _first(values, _LABELS) or _local_name(iri)
    description = _first(values, _DESCRIPTIONS)
    properties = [{"predicate": _link(p), "objects": [_term(o) for o in objects]}
                  for p, objects in values.items()]
    context = {
        "iri": iri, "label": str(label), "description": str(description or ""),
        "types": [_link(t) for t in types], "properties": properties,
        "incoming": [{"subject": _link(row["s"]), "predicate": _link(row["p"])} for row in incoming],
        "graphs": [{"iri": str(g), "href": "/rdf-graphs?graph=" + _quote_query(str(g))} for g in graphs],
        "limit": PAGE_LIMIT, "dataset": None,
        "alternates": [("Turtle", "turtle"), ("JSON-LD", "jsonld"), ("N-Triples", "ntriples"),
                       ("RDF/XML", "rdfxml")],
    }
    if {str(t) for t in types} & _DATASET_TYPES:
        context["dataset"] = schema_dataset(iri, values, label, description)
    return context


def schema_dataset(iri: str, values: dict, label, description) -> dict:
    """A schema.org ``Dataset`` (JSON-LD) for a cube or a run, for dataset search engines."""
    is_run = CG.ModelRun in values.get(RDF.type, [])
    dataset = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": iri,
        "url": iri,
        "identifier": iri,
        "name": str(label),
        "description": str(description or (
            f"Model run {_local_name(iri)} recorded by cubegraph (inputs, model, metrics, attributions)"
            if is_run else f"Earth-observation data cube {label} described by cubegraph")),
    }
    for key, predicates in (("license", (DCTERMS.license,)), ("keywords", (DCAT.keyword,)),
                            ("dateCreated", (DCTERMS.created, PROV.startedAtTime)),
                            ("dateModified", (DCTERMS.modified, PROV.endedAtTime)),
                            ("creator", (DCTERMS.creator,)), ("publisher", (DCTERMS.publisher,)),
                            ("isBasedOn", (PROV.used,))):
        found = [str(v) for p in predicates for v in values.get(p, [])]
        if found:
            dataset[key] = found if key in ("keywords", "isBasedOn") else found[0]
    variables = [str(v) for v in values.get(CG.hasVariable, [])]
    if variables:
        dataset["variableMeasured"] = [{"@type": "PropertyValue", "name": _local_name(v), "url": v}
                                       for v in variables]
    bounds = [values.get(p, [None])[0] for p in (CG.southBound, CG.westBound, CG.northBound, CG.eastBound)]
    if all(b is not None for b in bounds):
        dataset["spatialCoverage"] = {"@type": "Place", "geo": {
            "@type": "GeoShape", "box": " ".join(str(b) for b in bounds)}}
    start = values.get(DCAT.startDate, [None])[0]
    end = values.get(DCAT.endDate, [None])[0]
    if start is not None or end is not None:
        dataset["temporalCoverage"] = f"{start or '..'}/{end or '..'}"
    downloads = [str(v) for v in values.get(DCAT.distribution, [])]
    if downloads:
        dataset["distribution"] = [{"@type": "DataDownload", "contentUrl": d} for d in downloads]
    return dataset


def _first(values: dict, predicates):
    for p in predicates:
        for v in values.get(p, []):
            return v
    return None


def _link(term, label=None) -> dict:
    """A term as the template shows it: text, and an href when it is an IRI."""
    text = str(term)
    if not isinstance(term, URIRef):
        return {"text": text, "href": None, "title": text}
    path = local_path(get_settings().base_iri, text)
    return {"text": str(label) if label else _compact(text), "href": href_for(text), "title": text,
            "local": path is not None}


def _term(term) -> dict:
    if isinstance(term, URIRef):
        return _link(term)
    out = {"text": str(term), "href": None, "title": None}
    if isinstance(term, Literal):
        if term.language:
            out["note"] = f"@{term.language}"
        elif term.datatype is not None:
            out["note"] = _compact(str(term.datatype))
    else:
        out["note"] = "blank node"
    return out


def _compact(iri: str) -> str:
    """A prefixed name for a term of a known namespace, a path for this server's own IRIs."""
    short = curie(iri)
    if not short.startswith("<"):
        return short
    base = get_settings().base_iri
    if iri.startswith(base):
        return "/" + iri[len(base):]
    return iri


def _local_name(iri: str) -> str:
    return local_name(iri) or iri


def _quote_query(value: str) -> str:
    return quote(value, safe="")
