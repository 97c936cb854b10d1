"""A cube's description as triples: pure, deterministic, never touching a store.

:func:`describe_cube` turns a :class:`~cubegraph.kg.records.cube_metadata.CubeMetadata` into
the triples of the cube's named graph (layout in :mod:`cubegraph.kg.records.cube`), reusing the
standard vocabularies (DCAT 3, Data Cube, CF names as NERC IRIs, QUDT, GeoSPARQL, PROV-O) and
``cg:`` only where they name nothing. The same input always gives the same triples (up to
blank-node names): the ingest time is an argument, never read from the clock here.

Two forms of one description: :func:`describe_triples` gives a :class:`Description` (its
N-Triples text, which ingest validates and writes as text: see :mod:`._ntriples` for why);
:func:`describe_cube` gives the same triples as an rdflib ``Graph``.
"""


from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from rdflib import Graph, URIRef

import cubegraph
from cubegraph.kg.iris import Iris
from cubegraph.kg.records._ntriples import (
    CG, DCAT, DCTERMS, GEO, PROV, QB, RDF, RDFS, XSD, Lines, bnode, date_time, deg, file_iri, iri,
    lit, nt, num, typed,
)
from cubegraph.kg.records.content import CONTENT, METADATA_ONLY
from cubegraph.kg.records.cube.arrays import (
    describe_coordinate_attributes,
    describe_notes,
    describe_scalar_coordinates,
)
from cubegraph.kg.records.cube_metadata import CubeMetadata
from cubegraph.kg.records.variable import describe_variable
from cubegraph.kg.wkt import wkt_extent
from cubegraph.ontology import namespaces as _ns

__all__ = ["Description", "Revision", "describe_cube", "describe_triples", "CMIP_ATTRIBUTES"]

#: Prefixes bound on a description's graph (for readable Turtle).
_PREFIXES = ("cg", "dcat", "dct", "qb", "prov", "geo", "qudt", "unit", "cf")
_IANA = "https://www.iana.org/assignments/media-types/"
_SPDX = "https://spdx.org/licenses/"
# Licence strings that are SPDX identifiers get the SPDX IRI; others stay text.
_SPDX_IDS = {
    "cc-by-4.0": "CC-BY-4.0", "cc-by-sa-4.0": "CC-BY-SA-4.0", "cc0-1.0": "CC0-1.0",
    "apache-2.0": "Apache-2.0", "mit": "MIT", "odbl-1.0": "ODbL-1.0", "cc-by-nc-4.0": "CC-BY-NC-4.0",
}

#: CMIP6 global attributes kept on the cube: attribute -> ``cg:`` property (local name). One
#: literal per value, so filtering on a facet is one triple pattern (docs/ingest.md).
CMIP_ATTRIBUTES = {
    "mip_era": "mipEra", "activity_id": "activityId", "institution_id": "institutionId",
    "source_id": "sourceId", "experiment_id": "experimentId",
    "sub_experiment_id": "subExperimentId", "variant_label": "variantLabel",
    "member_id": "memberId", "table_id": "tableId", "variable_id": "variableId",
    "grid_label": "gridLabel", "frequency": "frequency", "realm": "realm",
    "tracking_id": "trackingId",
}
#: Attributes CMIP6 allows to list several values, space-separated ("atmos atmosChem"):
#: one literal each, so ``cg:realm "atmos"`` finds a multi-realm file too.
_LISTS = {"activity_id", "realm"}
# A URL that can be an IRI as written (no spaces, no characters IRIs exclude, no stray %).
_WEB_URL = re.compile(r'https?://(?:[^\s<>"{}|\\^`%]|%[0-9A-Fa-f]{2})+')


@dataclass(frozen=True)
class Revision:
    """What a new description replaces: the previous fingerprint and ingest activity.

    Attributes:
        fingerprint: the fingerprint of the replaced description.
        activity: IRI of the ingest activity that generated it.
        history: triples describing that activity and its own predecessors, carried forward
            so the chain of revisions survives each replacement.
        path: the source path the replaced description recorded.
    """

    fingerprint: str
    activity: URIRef
    history: Graph | None = None
    path: str | None = None


class Description:
    """One cube's description: its triples as N-Triples text, and (on demand) a Graph.

    Attributes:
        cube: the cube IRI (also its named graph).
        text: N-Triples, one line per distinct triple, in the order described.
    """

    def __init__(self, cube: URIRef, text: str):
        self.cube = cube
        self.text = text
        self._graph: Graph | None = None

    def nquads(self) -> str:
        """The triples as N-Quads in the cube's named graph."""
        # Our own lines: a raw newline only ever ends a statement (literals escape theirs).
        return self.text.replace(" .\n", f" <{self.cube}> .\n")

    def __len__(self) -> int:
        return self.text.count("\n")

    def __iter__(self):
        return iter(self.graph())

    def graph(self) -> Graph:
        """The triples as an rdflib Graph (prefixes bound), parsed on first use."""
        if self._graph is None:
            self._graph = _ns.bind_prefixes(Graph(bind_namespaces="core"), *_PREFIXES).parse(
                data=self.text, format="nt")
        return self._graph


def _attribute_text(value) -> str | None:
    """A global attribute as text (numbers too), stripped; None when empty or not scalar."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    return str(value).strip() or None


def _cmip_attributes(graph: Lines, cube: str, attrs: dict) -> None:
    """The CMIP6 global attributes of ``attrs`` (:data:`CMIP_ATTRIBUTES`), and
    ``further_info_url`` as the cube's ``dcat:landingPage`` (when it is a web IRI)."""
    texts = {name: _attribute_text(attrs.get(name)) for name in CMIP_ATTRIBUTES}
    variant, sub = texts["variant_label"], texts["sub_experiment_id"]
    if texts["member_id"] is None and variant and texts["mip_era"] == "CMIP6":
        # The DRS's member_id, which CMIP6 files carry as its two parts (ESGF composes it).
        texts["member_id"] = variant if sub in (None, "none") else f"{sub}-{variant}"
    for name, text in texts.items():
        if text is None:
            continue
        for value in (text.split() if name in _LISTS else (text,)):
            graph.add((cube, CG[CMIP_ATTRIBUTES[name]], lit(value)))
    url = _attribute_text(attrs.get("further_info_url"))
    if url and _WEB_URL.fullmatch(url):
        graph.add((cube, DCAT.landingPage, iri(url)))


def _license(graph: Lines, cube: URIRef, text: str) -> None:
    stripped = text.strip()
    if stripped.startswith(("http://", "https://")) and " " not in stripped:
        graph.add((cube, DCTERMS.license, iri(stripped)))
        return
    spdx = _SPDX_IDS.get(stripped.lower())
    if spdx:
        graph.add((cube, DCTERMS.license, iri(_SPDX + spdx)))
        return
    doc = bnode()
    graph.add((cube, DCTERMS.license, doc))
    graph.add((doc, RDF.type, DCTERMS.LicenseDocument))
    graph.add((doc, RDFS.label, lit(stripped)))


def describe_cube(
    meta: CubeMetadata,
    iris: Iris,
    *,
    slug: str,
    ingested_at: str,
    revision: Revision | None = None,
) -> Graph:
    """Describe one cube as RDF (the content of its named graph).

    Args:
        meta: the cube, after :func:`~cubegraph.ingest.semantics.resolve_semantics`.
        iris: mints the IRIs (``iris.cube(slug)`` is the cube and its graph).
        slug: the cube's slug.
        ingested_at: ISO 8601 date-time of the ingest (``prov:endedAtTime``).
        revision: what this description replaces, when the cube changed.

    Returns:
        A new graph; prefixes bound for readable Turtle.
    """
    return describe_triples(meta, iris, slug=slug, ingested_at=ingested_at, revision=revision).graph()


def describe_triples(
    meta: CubeMetadata,
    iris: Iris,
    *,
    slug: str,
    ingested_at: str,
    revision: Revision | None = None,
) -> Description:
    """Like :func:`describe_cube` (same arguments, same triples), as a :class:`Description`.

    Speed seam: writes N-Triples text line by line, bypassing an rdflib ``Graph`` and its
    per-triple ``Graph.add`` (what ``describe_cube`` once built, and what every cube of an
    ingest paid). The golden files of the Graph-building code hold it equal:
    ``tests/ingest/test_describe_text.py::test_demo_cubes_as_before``. Why it exists, with
    the figure: docs/benchmarks.md, "Why the fast paths exist".
    """
    g = Lines()
    cube_iri = iris.cube(slug)
    cube = iri(cube_iri)
    add = g.add

    for cls in (CG.DataCube, DCAT.Dataset, QB.DataSet):
        add((cube, RDF.type, cls))
    add((cube, DCTERMS.identifier, lit(slug)))
    add((cube, DCTERMS.title, lit(meta.title or meta.path.name)))
    if meta.summary:
        add((cube, DCTERMS.description, lit(meta.summary)))
    if meta.license:
        _license(g, cube, meta.license)
    if meta.creator:
        agent = bnode()
        add((cube, DCTERMS.creator, agent))
        add((agent, RDF.type, PROV.Agent))
        add((agent, RDFS.label, lit(meta.creator)))
    if meta.created:  # a model output's, from its run (see CubeMetadata.created)
        add((cube, DCTERMS.created, typed(meta.created, XSD.dateTime)))
    if meta.conventions:
        add((cube, CG.conventions, lit(meta.conventions)))
    keywords = meta.attrs.get("keywords")
    if isinstance(keywords, str):
        for word in (k.strip() for k in keywords.replace(";", ",").split(",")):
            if word:
                add((cube, DCAT.keyword, lit(word)))
    _cmip_attributes(g, cube, meta.attrs)
    add((iri(iris.catalog), DCAT.dataset, cube))
    add((cube, CG.sourcePath, lit(str(meta.path))))

    # --- extents ------------------------------------------------------------------------
    if meta.bbox is not None:
        west, south, east, north = meta.bbox
        location = bnode()
        wkt = typed(wkt_extent(meta.bbox), _ns.GEO.wktLiteral)
        add((cube, DCTERMS.spatial, location))
        add((location, RDF.type, DCTERMS.Location))
        add((location, GEO.asWKT, wkt))
        add((location, DCAT.bbox, wkt))
        for prop, value in ((CG.westBound, west), (CG.southBound, south),
                            (CG.eastBound, east), (CG.northBound, north)):
            add((cube, prop, deg(value)))
    if meta.crs:
        add((cube, CG.crs, lit(meta.crs)))
    if meta.time_start or meta.time_end:
        period = bnode()
        add((cube, DCTERMS.temporal, period))
        add((period, RDF.type, DCTERMS.PeriodOfTime))
        if meta.time_start:
            add((period, DCAT.startDate, date_time(meta.time_start)))
        if meta.time_end:
            add((period, DCAT.endDate, date_time(meta.time_end)))
    if meta.time_resolution:
        add((cube, DCAT.temporalResolution, typed(meta.time_resolution, XSD.duration)))

    # --- structure ------------------------------------------------------------------------
    dsd = bnode()
    add((cube, QB.structure, dsd))
    add((dsd, RDF.type, QB.DataStructureDefinition))
    for dim in meta.dimensions:
        d = iri(iris.dimension(slug, dim.name))
        add((cube, CG.hasDimension, d))
        component = bnode()
        add((dsd, QB.component, component))
        add((component, QB.dimension, d))
        add((d, RDF.type, CG.Dimension))
        add((d, RDF.type, QB.DimensionProperty))
        add((d, CG.dimensionName, lit(dim.name)))
        add((d, CG.size, typed(dim.size, XSD.integer)))
        describe_coordinate_attributes(g, d, dim)
        for prop, value in ((CG.minValue, dim.minimum), (CG.maxValue, dim.maximum)):
            if isinstance(value, str):
                add((d, prop, date_time(value)))
            elif value is not None:
                add((d, prop, num(value)))
        if dim.resolution is not None:
            add((d, CG.resolution, num(dim.resolution)))
        if dim.duration:
            add((d, DCAT.temporalResolution, typed(dim.duration, XSD.duration)))
        if dim.bounds:
            b = iri(iris.variable(slug, dim.bounds))
            add((d, CG.hasBounds, b))
            add((b, RDF.type, CG.CellBounds))  # both types: validation sees no ontology
            if dim.climatology:
                add((b, RDF.type, CG.ClimatologyBounds))
            add((b, CG.arrayName, lit(dim.bounds)))
    describe_scalar_coordinates(g, iris, slug, cube, meta)

    for var in meta.variables:
        describe_variable(g, iris, slug, cube, dsd, var)

    describe_notes(g, iris, slug, cube, meta)

    # --- planted ground truth (demo cubes) -------------------------------------------------
    for var in meta.variables:
        for effect in var.planted:
            node = bnode()
            add((cube, CG.plantedEffect, node))
            add((node, RDF.type, PROV.Entity))
            add((node, CG.attributedVariable, iri(iris.variable(slug, var.name))))
            add((node, CG.target, iri(iris.variable(slug, effect.target))))
            add((node, CG.effectStrength, num(float(effect.strength))))
            add((node, CG.effectLag, typed(effect.lag, XSD.integer)))
            if effect.strength:
                add((node, CG.effectSign, typed(1 if effect.strength > 0 else -1, XSD.integer)))

    # --- distribution -----------------------------------------------------------------------
    dist = iri(iris.distribution(slug))
    add((cube, DCAT.distribution, dist))
    add((dist, RDF.type, CG.CubeDistribution))
    add((dist, RDF.type, DCAT.Distribution))
    add((dist, DCAT.accessURL, file_iri(meta.path)))
    add((dist, DCAT.mediaType, iri(_IANA + meta.media_type)))
    fmt = f"Zarr v{meta.format_version}" if meta.format == "zarr" else meta.format_version
    add((dist, DCTERMS["format"], lit(fmt)))
    add((dist, DCAT.byteSize, typed(meta.byte_size, XSD.nonNegativeInteger)))
    add((dist, CG.fingerprint, lit(meta.fingerprint)))
    add((dist, CG.fingerprintAlgorithm, lit(meta.fingerprint_algorithm)))
    if meta.root_path is not None:
        add((dist, CG.dataRootPath, lit(meta.root_path)))
    add((dist, CG.checksumLevel, lit(CONTENT if meta.content is not None else METADATA_ONLY)))
    if meta.content is not None:
        add((dist, CG.contentDigest, lit(meta.content.root)))
        add((dist, CG.contentAlgorithm, lit(meta.content.algorithm)))
        add((dist, CG.contentManifest, lit(meta.content.to_text())))
        parts = meta.content.parts
        for var in meta.variables:
            if var.name in parts:
                add((iri(iris.variable(slug, var.name)), CG.contentDigest, lit(parts[var.name])))

    # --- provenance -------------------------------------------------------------------------
    activity = iri(iris.ingest_activity(slug, meta.fingerprint[:16]))
    if revision is not None and revision.path not in (None, str(meta.path)):
        # The same bytes read from a new place (moved, maybe back): an ingest of its own,
        # named by the place, the time and the ingest it follows, so no earlier one (and
        # its path) is ever reused.
        place = hashlib.sha256(f"{meta.path}\n{ingested_at}\n{revision.activity}".encode()
                               ).hexdigest()[:8]
        activity = iri(iris.ingest_activity(slug, f"{meta.fingerprint[:16]}-{place}"))
    add((cube, PROV.wasGeneratedBy, activity))
    add((activity, RDF.type, PROV.Activity))
    add((activity, RDFS.label, lit(f"cubegraph ingest of {meta.path.name}")))
    add((activity, PROV.used, dist))
    add((activity, PROV.endedAtTime, typed(ingested_at, XSD.dateTime)))
    add((activity, CG.softwareVersion, lit(cubegraph.__version__)))
    add((activity, CG.sourcePath, lit(str(meta.path))))
    if revision is not None and nt(revision.activity) != activity:
        add((cube, CG.revisionOf, lit(revision.fingerprint)))
        add((activity, PROV.wasInformedBy, nt(revision.activity)))
        if revision.history is not None:
            for s, p, o in revision.history:
                add((nt(s), nt(p), nt(o)))
    return Description(cube_iri, "".join(dict.fromkeys(g)))
