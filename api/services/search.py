"""Discovery: find cubes by free text, phenomenon, place, period and resolution.

``search(store, ...)`` is a plain function over the :class:`~cubegraph.kg.store.Store`; the
HTTP view and the CLI only parse their input and call it. Reading and checking each
parameter lives in :mod:`cubegraph.api.services.search_params`; this module runs the search
and ranks and counts what it found.

How each criterion is evaluated, and why there:

- **text** and **phenomenon** go to SPARQL, with every user value *bound* (SEP-0007
  substitution through ``store.query(..., bindings=...)``), never pasted into query text, so
  no search text can change a query. Text is split into tokens (lower-cased, surrounding
  punctuation stripped, English function words dropped); a cube matches when EVERY token
  occurs (as a substring, case-insensitively) in its title, description, keywords,
  identifier, a variable's name or long name, or the label of what a variable measures (or,
  for a model's prediction or attribution, is about: ``cg:isAbout``) or of one of that
  observable's phenomenon classes. Phenomena match with their subclasses:
  the query walks ``rdf:type/rdfs:subClassOf*``, so it works before ``reason`` ran, and
  after it (the inferred graph's type closure only adds duplicates).
- **bbox**, **period** and **resolution** are evaluated in Python over the numeric bounds,
  dates and durations read in one query: longitude intervals wrap at the antimeridian, and
  SPARQL cannot compare an ``xsd:date`` with an ``xsd:dateTime`` or ``P1D`` with ``PT24H``.

Conventions (also in ``docs/discovery.md``):

- bbox is ``west,south,east,north`` in degrees (WGS 84). ``west > east`` means the box
  crosses the antimeridian (``170,-20,-170,-10`` is 20 degrees wide around 180); longitudes
  must lie in [-180, 180], latitudes in [-90, 90] with ``south <= north``. Cube bounds
  written in 0..360 are normalised.
- A period needs only one end; dates are whole days (an end date runs to 23:59:59.999999).
  Cubes without a recorded extent never match a spatial or temporal filter.
- Ranking: per token, the best field it hit scores (title 4, keyword/identifier 3,
  variable 2.5, phenomenon 2, description 1), plus 2 when the whole text is in the title;
  a phenomenon filter adds 1 + the share of the cube's variables that match it; a bbox adds
  the share of the query box the cube covers; a period adds the share of the query period
  the cube covers. Ties sort by title.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from rdflib import URIRef

from cubegraph.api.services.errors import InvalidSearch
from cubegraph.api.services.licences import license_label
from cubegraph.api.services.search_params import (
    check_paging,
    lon_pieces,
    parse_bbox,
    parse_date,
    parse_duration,
    parse_resolution,
    resolve_phenomenon,
    tokenize,
)
from cubegraph.kg.records.cube import CubeRecord, cubes_matching, read_cubes
from cubegraph.kg.records.phenomenon import Taxonomy, read_taxonomy
from cubegraph.kg.records.variable import variables_measuring
from cubegraph.kg.store import Store

__all__ = ["search", "SearchResult", "Hit"]

#: Field weights of a text hit (see the module docstring).
WEIGHTS = {"title": 4.0, "keyword": 3.0, "variable": 2.5, "phenomenon": 2.0, "description": 1.0}

@dataclass
class Hit:
    """One cube found by :func:`search`.

    Attributes:
        cube: the cube's IRI.
        variables: the variables that matched the text or phenomenon (every variable
            when neither was asked), each ``{"iri", "name", "label", "observable",
            "observable_label", "about", "phenomenon": [labels], "phenomenon_iris": [...]}``
            (``about``: what a model output's variable predicts or attributes to).
        bbox: ``[west, south, east, north]`` or ``None``.
        period: ``{"start", "end"}`` as recorded (ISO strings or ``None``).
        matched: which fields each token hit, e.g. ``{"ndvi": ["variable"]}``.
    """

    cube: str
    title: str | None
    description: str | None
    identifier: str | None
    license: str | None
    variables: list[dict]
    bbox: list[float] | None
    period: dict
    resolution: str | None
    score: float
    matched: dict = field(default_factory=dict)


@dataclass
class SearchResult:
    """A page of hits, best first, with facet counts over ALL hits (not just this page).

    Attributes:
        results: the hits of this page.
        total: how many cubes matched.
        facets: ``{"phenomenon": {label: cubes}, "resolution": {...}, "license": {...},
            "year": {...}}``; a cube counts once per value (a phenomenon also counts for
            every class above it).
        query: the parameters as understood (normalised), for display.
    """

    results: list[Hit]
    total: int
    page: int
    page_size: int
    facets: dict
    query: dict

    def to_dict(self) -> dict:
        """A JSON-ready dict: ``{"results", "total", "page", "page_size", "facets", "query"}``."""
        return asdict(self)


# --------------------------------------------------------------------------------------
# search
# --------------------------------------------------------------------------------------
def search(store: Store, *, text: str | None = None, phenomenon: str | None = None,
           bbox=None, start=None, end=None, resolution: str | None = None,
           page: int = 1, page_size: int = 20) -> SearchResult:
    """Find cubes; every criterion given must hold (see the module docstring).

    Args:
        store: the store to search.
        text: free text over titles, descriptions, keywords, variable names and labels,
            and the labels of what the variables measure.
        phenomenon: a phenomenon class (IRI, ``cg:Name``, local name or label); variables
            measuring it or any subclass match, and model outputs' variables about it.
        bbox: ``"W,S,E,N"`` or four numbers; ``W > E`` crosses the antimeridian.
        start / end: ISO 8601 dates or date-times; the cube's period must overlap.
        resolution: an ISO 8601 duration (``P1D``) or ``daily``/``monthly``/...; matches
            the cube's ``dcat:temporalResolution`` by value (``PT24H`` is ``P1D``).
        page / page_size: 1-based page, at most 500 hits a page.

    Returns:
        The page of hits, best first, and facets over all hits.

    Raises:
        InvalidSearch: a malformed parameter (the message names it and says what is valid).
        UnknownPhenomenon: the phenomenon names no class of the ontology.
        StoreError: the store failed to answer.
    """
    page, page_size = check_paging(page, page_size)
    box = parse_bbox(bbox)
    q_start = parse_date(start, "start")
    q_end = parse_date(end, "end", end=True)
    if q_start and q_end and q_start > q_end:
        raise InvalidSearch(f"the period is inverted: start {start} is after end {end}")
    res = parse_resolution(resolution)
    tokens = tokenize(text)

    taxonomy = read_taxonomy(store)
    phen_iri = resolve_phenomenon(taxonomy, phenomenon) if phenomenon else None
    cubes = {c.iri: c for c in read_cubes(store)}
    candidates = set(cubes)
    scores = dict.fromkeys(candidates, 0.0)
    matched_vars: dict[str, set[str]] = {}
    matched_fields: dict[str, dict[str, list[str]]] = {}

    if tokens:
        per_cube = _text_matches(store, tokens)
        candidates &= {c for c, hits in per_cube.items() if len(hits) == len(tokens)}
        for iri in candidates:
            hits = per_cube[iri]
            matched_fields[iri] = {t: sorted(f for f, _ in hits[t]) for t in tokens}
            scores[iri] += sum(max(WEIGHTS[f] for f, _ in hits[t]) for t in tokens)
            matched_vars.setdefault(iri, set()).update(
                v for t in tokens for f, v in hits[t] if v and f in ("variable", "phenomenon"))
            title = (cubes[iri].title or "").lower()
            if len(tokens) > 1 and " ".join(tokens) in title:
                scores[iri] += 2.0
    if phen_iri:
        by_cube: dict[str, set[str]] = {}
        for cube, var in variables_measuring(store, URIRef(phen_iri)):
            by_cube.setdefault(cube, set()).add(var)
        candidates &= set(by_cube)
        for iri in candidates:
            share = len(by_cube[iri]) / max(1, len(cubes[iri].variables))
            scores[iri] += 1.0 + share
            matched_vars.setdefault(iri, set()).update(by_cube[iri])

    kept = []
    for iri in candidates:
        cube = cubes[iri]
        if box is not None:
            fit = _bbox_fit(box, cube.bbox)
            if fit is None:
                continue
            scores[iri] += fit
        if q_start is not None or q_end is not None:
            fit = _period_fit(q_start, q_end, cube.start, cube.end)
            if fit is None:
                continue
            scores[iri] += fit
        if res is not None:
            if cube.resolution is None or parse_duration(cube.resolution) != res[1]:
                continue
        kept.append(cube)

    kept.sort(key=lambda c: (-round(scores[c.iri], 6), (c.title or c.iri).lower(), c.iri))
    first = (page - 1) * page_size
    hits = [_hit(c, scores[c.iri], matched_vars.get(c.iri), matched_fields.get(c.iri, {}),
                 taxonomy, filtered=bool(tokens or phen_iri))
            for c in kept[first:first + page_size]]
    query = {"text": text or None, "tokens": tokens, "phenomenon": phen_iri,
             "bbox": list(box) if box else None,
             "start": q_start.isoformat() if q_start else None,
             "end": q_end.isoformat() if q_end else None,
             "resolution": res[0] if res else None}
    return SearchResult(results=hits, total=len(kept), page=page, page_size=page_size,
                        facets=_facets(kept, taxonomy), query=query)


def _text_matches(store: Store, tokens: Sequence[str]) -> dict[str, dict[str, set]]:
    """``{cube: {token: {(field, variable or None)}}}`` for every token that hit."""
    out: dict[str, dict[str, set]] = {}
    for token in tokens:
        for cube, field_name, var in cubes_matching(store, token):
            out.setdefault(cube, {}).setdefault(token, set()).add((field_name, var))
    return out


# --------------------------------------------------------------------------------------
# extent fit
# --------------------------------------------------------------------------------------
def _bbox_fit(box, cube_bbox) -> float | None:
    """Share of the query box the cube covers (0..1), or ``None`` when they do not meet."""
    if cube_bbox is None:
        return None
    qw, qs, qe, qn = box
    cw, cs, ce, cn = cube_bbox
    lat = min(qn, cn) - max(qs, cs)
    if lat < 0:
        return None
    lon_overlap, touches = 0.0, False
    for a0, a1 in lon_pieces(qw, qe):
        for b0, b1 in lon_pieces(cw, ce):
            width = min(a1, b1) - max(a0, b0)
            if width >= 0:
                touches = True
                lon_overlap += width
    if not touches:
        return None
    q_width = sum(b - a for a, b in lon_pieces(qw, qe))
    q_area = q_width * (qn - qs)
    return 1.0 if q_area <= 0 else min(1.0, lon_overlap * lat / q_area)


def _period_fit(q_start, q_end, c_start, c_end) -> float | None:
    """Share of the query period the cube covers (0..1), ``None`` when they do not overlap."""
    if c_start is None and c_end is None:
        return None
    lo = max(d for d in (q_start, c_start, dt.datetime.min) if d is not None)
    hi = min(d for d in (q_end, c_end, dt.datetime.max) if d is not None)
    if lo > hi:
        return None
    if q_start is None or q_end is None:
        return 1.0
    span = (q_end - q_start).total_seconds()
    return 1.0 if span <= 0 else min(1.0, (hi - lo).total_seconds() / span)


# --------------------------------------------------------------------------------------
# hits and facets
# --------------------------------------------------------------------------------------
def _hit(cube: CubeRecord, score: float, matched: set[str] | None, fields: dict,
         taxonomy: Taxonomy, *, filtered: bool) -> Hit:
    variables = []
    for var in cube.variables:
        if filtered and matched is not None and var.iri not in matched:
            continue
        specific = taxonomy.most_specific(var.phenomena)
        variables.append({
            "iri": var.iri, "name": var.name, "label": var.label,
            "observable": var.observable, "observable_label": var.observable_label,
            "about": var.about,
            "phenomenon": [taxonomy.label(c) for c in specific],
            "phenomenon_iris": specific,
        })
    return Hit(
        cube=cube.iri, title=cube.title, description=cube.description,
        identifier=cube.identifier, license=cube.license, variables=variables,
        bbox=list(cube.bbox) if cube.bbox else None,
        period={"start": cube.start_text, "end": cube.end_text},
        resolution=cube.resolution, score=round(score, 3), matched=fields,
    )


def _facets(cubes: list[CubeRecord], taxonomy: Taxonomy) -> dict:
    phenomenon, resolution, license_, year = Counter(), Counter(), Counter(), Counter()
    for cube in cubes:
        classes = set()
        for var in cube.variables:
            for cls in var.phenomena:
                classes |= taxonomy.ancestors(cls)
        phenomenon.update({taxonomy.label(c) for c in classes})
        resolution[cube.resolution or "unknown"] += 1
        license_[license_label(cube.license)] += 1
        if cube.start and cube.end and 0 <= cube.end.year - cube.start.year <= 200:
            year.update(str(y) for y in range(cube.start.year, cube.end.year + 1))
    return {
        "phenomenon": dict(phenomenon.most_common()),
        "resolution": dict(resolution.most_common()),
        "license": dict(license_.most_common()),
        "year": dict(sorted(year.items())),
    }
