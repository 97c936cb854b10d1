"""What a cube page and the catalog browser show beyond the raw triples (no Flask).

:func:`read_cube` gathers one cube's record (title, extents, variables and what they
measure) and groups its variables by phenomenon; :func:`catalog_map` and
:func:`catalog_timeline` place a page of search hits on one map and one time axis. The
geometry comes from :mod:`cubegraph.api.services.charts`, so nothing here builds markup.
"""

from __future__ import annotations

from cubegraph.api.services import charts
from cubegraph.api.services.licences import license_label
from cubegraph.kg.records.cube import CubeRecord, read_cubes
from cubegraph.kg.records.phenomenon import read_taxonomy
from cubegraph.kg.store import Store

__all__ = ["read_cube", "group_by_phenomenon", "catalog_map", "catalog_timeline"]

#: Heading of variables that measure nothing the ontology classifies.
UNCLASSIFIED = "not classified"


def group_by_phenomenon(variables: list[dict]) -> list[dict]:
    """Variables grouped under their most specific phenomenon labels, groups by name.

    Args:
        variables: dicts with ``"phenomenon"`` (a list of labels) and ``"name"``; a
            variable under two phenomena appears in both groups.

    Returns:
        ``[{"phenomenon": label, "variables": [...]}]``, the unclassified group last.
    """
    groups: dict[str, list[dict]] = {}
    for var in variables:
        for label in var.get("phenomenon") or [UNCLASSIFIED]:
            groups.setdefault(label, []).append(var)
    order = sorted(groups, key=lambda g: (g == UNCLASSIFIED, g.lower()))
    return [{"phenomenon": g, "variables": sorted(groups[g], key=lambda v: v.get("name") or "")}
            for g in order]


def _variables(record: CubeRecord, taxonomy) -> list[dict]:
    out = []
    for var in record.variables:
        specific = taxonomy.most_specific(var.phenomena)
        out.append({"iri": var.iri, "name": var.name or var.iri.rsplit("/", 1)[-1],
                    "label": var.label, "units": var.units, "observable": var.observable,
                    "observable_label": var.observable_label, "about": var.about,
                    "phenomenon": [taxonomy.label(c) for c in specific]})
    return out


def read_cube(store: Store, iri: str) -> dict | None:
    """The map, time bar and grouped variables of one cube (``None`` if it is no cube).

    Returns:
        ``{"record", "variables", "groups", "map": {"view", "rects", "graticule"},
        "timeline", "license", "period"}``; the time axis spans every cube of the catalog, so the
        bar shows where this cube sits among them.

    Raises:
        StoreError: the store failed to answer.
    """
    records = read_cubes(store, iri)
    if not records:
        return None
    record = records[0]
    taxonomy = read_taxonomy(store)
    variables = _variables(record, taxonomy)
    view = charts.map_view([record.bbox])
    others = [(c.start_text, c.end_text) for c in read_cubes(store)]
    line = charts.timeline([(record.start_text, record.end_text), *others])
    line.bars = line.bars[:1]
    return {
        "record": record,
        "variables": variables,
        "groups": group_by_phenomenon(variables),
        "map": {"view": view, "rects": charts.box_rects(record.bbox, min_size=view.width / 60),
                "graticule": charts.graticule(view)},
        "timeline": line,
        "license": license_label(record.license) if record.license else None,
        "period": f"{_day(record.start_text)} – {_day(record.end_text)}",
    }


def _day(text: str | None) -> str:
    """A period end for display: midnight times dropped (``2021-01-01T00:00:00Z`` -> the day;
    ``+00:00`` is how rdflib writes the same UTC instant, e.g. a model output's)."""
    if not text:
        return "…"
    for midnight in ("T00:00:00Z", "T00:00:00+00:00", "T00:00:00"):
        if text.endswith(midnight):
            return text[:-len(midnight)]
    return text


def catalog_map(hits: list[dict]) -> dict:
    """One map for a page of hits: ``{"view", "graticule", "boxes": [{"n", "cube",
    "title", "rects"}]}``, numbered like the result list."""
    view = charts.map_view([h.get("bbox") for h in hits], min_width=60.0)
    boxes = []
    for n, hit in enumerate(hits, start=1):
        rects = charts.box_rects(hit.get("bbox"), min_size=view.width / 90)
        if rects:
            boxes.append({"n": n, "cube": hit["cube"], "title": hit.get("title") or hit["cube"],
                          "rects": rects})
    return {"view": view, "graticule": charts.graticule(view), "boxes": boxes}


def catalog_timeline(hits: list[dict]) -> charts.Timeline:
    """The hits' periods on one axis, in the order of the list."""
    return charts.timeline([((h.get("period") or {}).get("start"), (h.get("period") or {}).get("end"))
                            for h in hits])
