"""The ``ui`` blueprint: the web UI's pages (catalog, SPARQL editor, runs, audits).

Views are thin: parse the request, call a service of :mod:`cubegraph.api.services`
(:func:`search.search`, :func:`audit.audit`, :func:`run_view.read_run`, ...), shape its
result with the pure helpers (:mod:`charts`, :mod:`cube_view`, :mod:`audit_view`) and
render a template. Every
text reaches the page through Jinja's autoescaping; charts are drawn by the templates from
numbers only. Every asset is served from this server (``static/``, ``/ui/world.svg``):
the pages make no request elsewhere.

Routes:
    GET /ui                 -> the landing page (``/``)
    GET /ui/catalog         search with facets, a map of extents and a timeline
    GET /ui/sparql          SPARQL editor (CodeMirror, example queries, results table)
    GET /ui/runs            recorded model runs
    GET /audit?iri=         provenance audit as a page (a form without ``iri``)
    GET /ui/world.svg       the land outline every map draws on (cached by browsers)

:func:`resource_template` lets the linked-data pages (``pages.py``) show a cube or a run
with its own template; :func:`href_for` is the one rule, for both, of which IRIs become links.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, redirect, render_template, request, url_for

from cubegraph.api.services import audit as audit_core
from cubegraph.api.services import charts
from cubegraph.api.services.audit_view import audit_page
from cubegraph.api.services.cube_view import (
    catalog_map,
    catalog_timeline,
    group_by_phenomenon,
    read_cube,
)
from cubegraph.api.services.errors import DiscoveryError
from cubegraph.api.services.examples import example_queries
from cubegraph.api.services.run_view import list_runs, read_run
from cubegraph.api.services.search import search as search_cubes
from cubegraph.api.services.search_params import MAX_PAGE_SIZE
from cubegraph.api.web.protocol import local_path
from cubegraph.api.web.state import get_settings, get_store
from cubegraph.ontology.namespaces import CG

bp = Blueprint("ui", __name__)

#: Hits per catalog page.
PAGE_SIZE = 10
#: The search parameters the catalog form carries (names as /api/search takes them).
SEARCH_PARAMS = ("q", "phenomenon", "bbox", "start", "end", "resolution")

_CUBE = str(CG.DataCube)
_RUN = str(CG.ModelRun)


@bp.get("/ui")
def home():
    """The UI's entry point is the landing page."""
    return redirect(url_for("pages.index"))


@bp.get("/ui/world.svg")
def world_svg():
    """The land outline (Natural Earth 1:110m via world-atlas), drawn under every map."""
    response = Response(charts.land_svg(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/ui/catalog")
def catalog():
    """Search cubes with facets; each hit with its extent on the map and its period."""
    args = {k: request.args.get(k, "").strip() for k in SEARCH_PARAMS}
    page = request.args.get("page", "1")
    result, error = None, None
    try:
        result = search_cubes(
            get_store(), text=args["q"] or None, phenomenon=args["phenomenon"] or None,
            bbox=args["bbox"] or None, start=args["start"] or None, end=args["end"] or None,
            resolution=args["resolution"] or None, page=page, page_size=PAGE_SIZE).to_dict()
    except DiscoveryError as exc:
        error = str(exc)
    # The phenomenon picker offers what the whole catalog holds, whatever is filtered now
    # (an unfiltered search's facets already are the whole catalog's: no second search).
    if result is not None and not any(args.values()):
        everything = result["facets"]
    else:
        everything = search_cubes(get_store(), page_size=1).facets
    hits = result["results"] if result else []
    for hit in hits:
        hit["href"] = href_for(hit["cube"])
        hit["groups"] = group_by_phenomenon(hit["variables"])
    context = {
        "args": args, "error": error, "result": result, "hits": hits,
        "map": catalog_map(hits), "timeline": catalog_timeline(hits),
        "phenomena": sorted(everything.get("phenomenon", {})),
        "resolutions": sorted(k for k in everything.get("resolution", {}) if k != "unknown"),
        "facets": _facet_links(result["facets"], args) if result else [],
        "pages": _pages(result, args) if result else None,
        "api_url": url_for("discovery.search") + _query(args),
        "active": "catalog",
    }
    return render_template("ui_catalog.html", **context), 400 if error else 200


@bp.get("/ui/sparql")
def sparql_editor():
    """The SPARQL editor, with the example queries."""
    examples = [e.to_dict() for e in example_queries()]
    chosen = request.args.get("example")
    query = request.args.get("query")
    if query is None:
        pick = next((e for e in examples if e["name"] == chosen), examples[0] if examples else None)
        query = pick["query"] if pick else "SELECT * WHERE { ?s ?p ?o } LIMIT 10"
        chosen = pick["name"] if pick else None
    return render_template("ui_sparql.html", examples=examples, query=query, chosen=chosen,
                           max_rows=get_settings().max_rows,
                           timeout=get_settings().query_timeout, active="sparql")


@bp.get("/ui/runs")
def runs():
    """Every recorded model run, newest first."""
    items = list_runs(get_store())
    for item in items:
        item["href"] = href_for(item["iri"])
        item["job_href"] = href_for(item["job"]) if item["job"] else None
        item["audit_href"] = url_for("ui.audit_html", iri=item["iri"])
    return render_template("ui_runs.html", runs=items, active="runs")


@bp.get("/audit")
def audit_html():
    """The provenance audit of ``?iri=`` as a page; a form to pick a resource without it."""
    iri = request.args.get("iri", "").strip()
    store = get_store()
    if not iri:
        return render_template("ui_audit_form.html", **_audit_choices(store), error=None,
                               iri="", active="audit")
    try:
        report = audit_core.audit(store, iri)
    except DiscoveryError as exc:
        return render_template("ui_audit_form.html", **_audit_choices(store), error=str(exc),
                               iri=iri, active="audit"), exc.http_status
    page = audit_page(report, href=href_for)
    return render_template("ui_audit.html", **page, iri=iri, href=href_for(iri),
                           json_url=url_for("discovery.audit", iri=iri), active="audit")


def resource_template(store, iri: str, types) -> tuple[str, dict] | None:
    """The template and extra context of a resource page with a view of its own.

    Args:
        store: the store.
        iri: the resource.
        types: its ``rdf:type`` IRIs (strings).

    Returns:
        ``("ui_run.html", {...})`` for a ``cg:ModelRun``, ``("ui_cube.html", {...})`` for a
        ``cg:DataCube``, ``None`` for anything else (the generic page).
    """
    types = {str(t) for t in types}
    if _RUN in types:
        run = read_run(store, iri)
        bars = charts.importance_bars(
            [{"name": a["name"], "short": _shorten(a["name"], 20),
              "importance": a["importance"], "sign": a["sign"],
              "rank": a["rank"], "href": href_for(a["variable"]) if a["variable"] else None}
             for a in run["attributions"]], width=100.0)
        return "ui_run.html", {"run": run, "bars": bars, "href_of": href_for,
                               "audit_href": url_for("ui.audit_html", iri=iri), "active": "runs"}
    if _CUBE in types:
        cube = read_cube(store, iri)
        if cube is not None:
            for var in cube["variables"]:
                var["href"] = href_for(var["iri"])
            return "ui_cube.html", {"cube": cube, "audit_href": url_for("ui.audit_html", iri=iri),
                                    "active": "catalog"}
    return None


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------
def href_for(iri: str | None) -> str | None:
    """A link for an IRI: its path here when minted under the base, the IRI itself when
    it is a web IRI, else nothing (a stored ``javascript:`` IRI is never clickable)."""
    if not iri:
        return None
    path = local_path(get_settings().base_iri, iri)
    if path is not None:
        return path
    return iri if iri.lower().startswith(("http://", "https://")) else None


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _query(args: dict) -> str:
    kept = {k: v for k, v in args.items() if v}
    return "?" + urlencode(kept) if kept else ""


def _facet_links(facets: dict, args: dict) -> list[dict]:
    """Facet values as links that add (or, when already chosen, remove) that filter."""
    out = []
    for kind, param in (("phenomenon", "phenomenon"), ("resolution", "resolution"),
                        ("year", None), ("license", None)):
        values = []
        for value, count in facets.get(kind, {}).items():
            link, chosen = None, False
            if param and value != "unknown":
                chosen = args.get(param, "").lower() == value.lower()
                link = url_for("ui.catalog") + _query({**args, param: "" if chosen else value})
            elif kind == "year":
                chosen = args.get("start") == f"{value}-01-01" and args.get("end") == f"{value}-12-31"
                change = {"start": "", "end": ""} if chosen else {"start": f"{value}-01-01",
                                                                  "end": f"{value}-12-31"}
                link = url_for("ui.catalog") + _query({**args, **change})
            values.append({"value": value, "count": count, "href": link, "chosen": chosen})
        if values:
            out.append({"kind": kind, "values": values})
    return out


def _pages(result: dict, args: dict) -> dict:
    last = max(1, -(-result["total"] // result["page_size"]))
    page = result["page"]

    def link(n: int) -> str:
        return url_for("ui.catalog") + _query({**args, "page": str(n) if n > 1 else ""})

    return {"page": page, "last": last,
            "previous": link(page - 1) if page > 1 else None,
            "next": link(page + 1) if page < last else None}


def _audit_choices(store) -> dict:
    cubes = [{"iri": c["cube"], "title": c.get("title") or c["cube"]}
             for c in search_cubes(store, page_size=MAX_PAGE_SIZE).to_dict()["results"]]
    cubes.sort(key=lambda c: c["title"].lower())
    runs = [{"iri": r["iri"], "title": r["label"] or r["iri"]} for r in list_runs(store)]
    return {"cubes": cubes, "runs": runs}
