"""A cube's description as RDF: pure, deterministic, never touching a store.

:func:`describe_cube` turns a :class:`~cubegraph.ingest.metadata.CubeMetadata` into the
triples of the cube's named graph, reusing the standard vocabularies (DCAT 3, Data Cube,
CF names as NERC IRIs, QUDT, GeoSPARQL, PROV-O) and ``cg:`` only where they name nothing.
Layout (``{cube}`` = ``iris.cube(slug)``)::

    {cube}               cg:DataCube, dcat:Dataset, qb:DataSet: title, description, licence,
                         creator, conventions, extents, CRS, warnings, provenance
    {cube}/dimension/x   cg:Dimension, qb:DimensionProperty: size, axis, range, resolution
    {cube}/variable/v    cg:Variable, qb:MeasureProperty: names, cg:measures, units, dtype,
                         shape, chunks, fill value, lineage, planted ground truth
    {cube}/distribution  cg:CubeDistribution, dcat:Distribution: access URL, media type,
                         size, fingerprint
    {cube}/ingest/{fp}   prov:Activity that generated the description

The same input always gives the same triples (up to blank-node names): the ingest time is an
argument, never read from the clock here.

Two forms of one description: :func:`describe_triples` gives a :class:`Description` (the
triples in a list, and their N-Triples text, which ingest validates and writes: no rdflib
``Graph`` in the hot path, whose ``add`` cost ~10 us a triple); :func:`describe_cube` gives
the same triples as an rdflib ``Graph``.
"""

from __future__ import annotations

import itertools
import math
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, URIRef

import cubegraph
from cubegraph.ingest.metadata import CubeMetadata, VariableMetadata
from cubegraph.kg.iris import Iris
from cubegraph.ontology import namespaces as _ns


class _Terms:
    """A namespace whose terms come as N-Triples text (``CG.size`` -> ``"<...#size>"``),
    each looked up once (rdflib's DefinedNamespace resolves a term in ~1 us)."""

    def __init__(self, namespace):
        self._namespace = namespace

    def __getattr__(self, name):
        term = f"<{getattr(self._namespace, name)}>"
        setattr(self, name, term)
        return term

    def __getitem__(self, name):
        return f"<{self._namespace[name]}>"


CG, DCAT, DCTERMS, GEO, PROV, QB, QUDT, RDF, RDFS = (
    _Terms(n) for n in (_ns.CG, _ns.DCAT, _ns.DCTERMS, _ns.GEO, _ns.PROV, _ns.QB, _ns.QUDT,
                        _ns.RDF, _ns.RDFS)
)
XSD = _ns.XSD  # datatypes: typed literals are made by rdflib, for its exact lexical forms

__all__ = ["Description", "Revision", "describe_cube", "describe_triples", "wkt_extent", "bind_prefixes"]

_IANA = "https://www.iana.org/assignments/media-types/"
_SPDX = "https://spdx.org/licenses/"
# Licence strings that are SPDX identifiers get the SPDX IRI; others stay text.
_SPDX_IDS = {
    "cc-by-4.0": "CC-BY-4.0", "cc-by-sa-4.0": "CC-BY-SA-4.0", "cc0-1.0": "CC0-1.0",
    "apache-2.0": "Apache-2.0", "mit": "MIT", "odbl-1.0": "ODbL-1.0", "cc-by-nc-4.0": "CC-BY-NC-4.0",
}


@dataclass(frozen=True)
class Revision:
    """What a new description replaces: the previous fingerprint and ingest activity.

    Attributes:
        fingerprint: the fingerprint of the replaced description.
        activity: IRI of the ingest activity that generated it.
        history: triples describing that activity and its own predecessors, carried forward
            so the chain of revisions survives each replacement.
    """

    fingerprint: str
    activity: URIRef
    history: Graph | None = None


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
            self._graph = bind_prefixes(Graph(bind_namespaces="core")).parse(data=self.text, format="nt")
        return self._graph


_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _nt(term) -> str:
    """One rdflib term as N-Triples. IRIs are not checked here: the SHACL engine and the
    store both parse the text, so an invalid one fails that cube with the parser's message."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        text = '"' + str(term).translate(_ESCAPES) + '"'
        if term.language:
            return f"{text}@{term.language}"
        return text if term.datatype is None else f"{text}^^<{term.datatype}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    raise TypeError(f"not an RDF term: {term!r}")


def ntriples(triples) -> str:
    """N-Triples text of rdflib triples; duplicates dropped, order kept."""
    return "".join(dict.fromkeys(f"{_nt(s)} {_nt(p)} {_nt(o)} .\n" for s, p, o in triples))


def _lit(value) -> str:
    """A literal as rdflib's ``Literal(value)`` would be: strings fast, the rest by rdflib."""
    if type(value) is str:
        return '"' + value.translate(_ESCAPES) + '"'
    return _nt(Literal(value))


def _typed(lexical, datatype: URIRef) -> str:
    return _nt(Literal(lexical, datatype=datatype))


def _iri(value) -> str:
    return f"<{value}>"


_bnode_ids = itertools.count()
_BNODE_PREFIX = "b" + uuid.uuid4().hex[:12]  # per process: workers never share labels


def _bnode() -> str:
    return f"_:{_BNODE_PREFIX}x{next(_bnode_ids)}"


class _Lines(list):
    """The N-Triples lines of a description; ``add`` takes a triple of N-Triples terms."""

    def add(self, triple: tuple[str, str, str]) -> None:
        self.append(f"{triple[0]} {triple[1]} {triple[2]} .\n")


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the usual prefixes (for readable Turtle); returns ``graph``."""
    for prefix, ns in {
        "cg": _ns.CG._NS, "dcat": _ns.DCAT, "dct": _ns.DCTERMS, "qb": _ns.QB, "prov": _ns.PROV,
        "geo": _ns.GEO, "qudt": _ns.QUDT._NS, "unit": "http://qudt.org/vocab/unit/",
        "cf": "http://vocab.nerc.ac.uk/standard_name/",
    }.items():
        graph.bind(prefix, ns, override=True)
    return graph


def _num_literal(value: float | int) -> Literal:
    if isinstance(value, bool):
        return Literal(value)
    if isinstance(value, int):
        return Literal(value, datatype=XSD.integer)
    if math.isnan(value) or math.isinf(value):
        return Literal(str(value).replace("nan", "NaN").replace("inf", "INF"), datatype=XSD.double)
    return Literal(repr(float(value)), datatype=XSD.double)


def _deg_literal(value: float) -> Literal:
    # Decimal degrees, rounded to ~0.1 m so float noise never changes the triples.
    text = f"{value:.6f}".rstrip("0")
    return Literal(text + "0" if text.endswith(".") else text, datatype=XSD.decimal)


def _num(value: float | int) -> str:
    return _nt(_num_literal(value))


def _deg(value: float) -> str:
    return _nt(_deg_literal(value))


def wkt_extent(bbox: tuple[float, float, float, float]) -> str:
    """WKT of a (west, south, east, north) box in CRS84 order (a POINT when degenerate)."""
    w, s, e, n = (f"{v:.6f}".rstrip("0").rstrip(".") for v in bbox)
    if w == e and s == n:
        return f"POINT({w} {s})"
    return f"POLYGON(({w} {s}, {e} {s}, {e} {n}, {w} {n}, {w} {s}))"


def _file_iri(path: Path) -> str:
    return _iri("file://" + quote(str(path.absolute())))


def _license(graph: _Lines, cube: URIRef, text: str) -> None:
    stripped = text.strip()
    if stripped.startswith(("http://", "https://")) and " " not in stripped:
        graph.add((cube, DCTERMS.license, _iri(stripped)))
        return
    spdx = _SPDX_IDS.get(stripped.lower())
    if spdx:
        graph.add((cube, DCTERMS.license, _iri(_SPDX + spdx)))
        return
    doc = _bnode()
    graph.add((cube, DCTERMS.license, doc))
    graph.add((doc, RDF.type, DCTERMS.LicenseDocument))
    graph.add((doc, RDFS.label, _lit(stripped)))


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
    """Like :func:`describe_cube` (same arguments, same triples), as a :class:`Description`."""
    g = _Lines()
    cube_iri = iris.cube(slug)
    cube = _iri(cube_iri)
    add = g.add

    for cls in (CG.DataCube, DCAT.Dataset, QB.DataSet):
        add((cube, RDF.type, cls))
    add((cube, DCTERMS.identifier, _lit(slug)))
    add((cube, DCTERMS.title, _lit(meta.title or meta.path.name)))
    if meta.summary:
        add((cube, DCTERMS.description, _lit(meta.summary)))
    if meta.license:
        _license(g, cube, meta.license)
    if meta.creator:
        agent = _bnode()
        add((cube, DCTERMS.creator, agent))
        add((agent, RDF.type, PROV.Agent))
        add((agent, RDFS.label, _lit(meta.creator)))
    if meta.conventions:
        add((cube, CG.conventions, _lit(meta.conventions)))
    keywords = meta.attrs.get("keywords")
    if isinstance(keywords, str):
        for word in (k.strip() for k in keywords.replace(";", ",").split(",")):
            if word:
                add((cube, DCAT.keyword, _lit(word)))
    add((_iri(iris.catalog), DCAT.dataset, cube))
    add((cube, CG.sourcePath, _lit(str(meta.path))))

    # --- extents ------------------------------------------------------------------------
    if meta.bbox is not None:
        west, south, east, north = meta.bbox
        location = _bnode()
        wkt = _typed(wkt_extent(meta.bbox), _ns.GEO.wktLiteral)
        add((cube, DCTERMS.spatial, location))
        add((location, RDF.type, DCTERMS.Location))
        add((location, GEO.asWKT, wkt))
        add((location, DCAT.bbox, wkt))
        for prop, value in ((CG.westBound, west), (CG.southBound, south),
                            (CG.eastBound, east), (CG.northBound, north)):
            add((cube, prop, _deg(value)))
    if meta.crs:
        add((cube, CG.crs, _lit(meta.crs)))
    if meta.time_start or meta.time_end:
        period = _bnode()
        add((cube, DCTERMS.temporal, period))
        add((period, RDF.type, DCTERMS.PeriodOfTime))
        if meta.time_start:
            add((period, DCAT.startDate, _typed(meta.time_start, XSD.dateTime)))
        if meta.time_end:
            add((period, DCAT.endDate, _typed(meta.time_end, XSD.dateTime)))
    if meta.time_resolution:
        add((cube, DCAT.temporalResolution, _typed(meta.time_resolution, XSD.duration)))

    # --- structure ------------------------------------------------------------------------
    dsd = _bnode()
    add((cube, QB.structure, dsd))
    add((dsd, RDF.type, QB.DataStructureDefinition))
    for dim in meta.dimensions:
        d = _iri(iris.dimension(slug, dim.name))
        add((cube, CG.hasDimension, d))
        component = _bnode()
        add((dsd, QB.component, component))
        add((component, QB.dimension, d))
        add((d, RDF.type, CG.Dimension))
        add((d, RDF.type, QB.DimensionProperty))
        add((d, CG.dimensionName, _lit(dim.name)))
        add((d, CG.size, _typed(dim.size, XSD.integer)))
        if dim.axis:
            add((d, CG.axis, _lit(dim.axis)))
        if dim.units:
            add((d, CG.unitsString, _lit(dim.units)))
        if dim.standard_name:
            add((d, CG.standardName, _lit(dim.standard_name)))
        for prop, value in ((CG.minValue, dim.minimum), (CG.maxValue, dim.maximum)):
            if isinstance(value, str):
                add((d, prop, _typed(value, XSD.dateTime)))
            elif value is not None:
                add((d, prop, _num(value)))
        if dim.resolution is not None:
            add((d, CG.resolution, _num(dim.resolution)))
        if dim.duration:
            add((d, DCAT.temporalResolution, _typed(dim.duration, XSD.duration)))

    for var in meta.variables:
        _describe_variable(g, iris, slug, cube, dsd, var)

    # --- warnings: on the variable they are about, else on the cube ------------------------
    names = {v.name for v in meta.variables}
    for note in meta.warnings:
        subject = _iri(iris.variable(slug, note.variable)) if note.variable in names else cube
        add((subject, CG.ingestWarning, _lit(f"{note.code}: {note.message}")))

    # --- planted ground truth (demo cubes) -------------------------------------------------
    for var in meta.variables:
        for effect in var.planted:
            node = _bnode()
            add((cube, CG.plantedEffect, node))
            add((node, RDF.type, PROV.Entity))
            add((node, CG.attributedVariable, _iri(iris.variable(slug, var.name))))
            add((node, CG.target, _iri(iris.variable(slug, effect.target))))
            add((node, CG.effectStrength, _num(float(effect.strength))))
            add((node, CG.effectLag, _typed(effect.lag, XSD.integer)))
            if effect.strength:
                add((node, CG.effectSign, _typed(1 if effect.strength > 0 else -1, XSD.integer)))

    # --- distribution -----------------------------------------------------------------------
    dist = _iri(iris.distribution(slug))
    add((cube, DCAT.distribution, dist))
    add((dist, RDF.type, CG.CubeDistribution))
    add((dist, RDF.type, DCAT.Distribution))
    add((dist, DCAT.accessURL, _file_iri(meta.path)))
    add((dist, DCAT.mediaType, _iri(_IANA + meta.media_type)))
    fmt = f"Zarr v{meta.format_version}" if meta.format == "zarr" else meta.format_version
    add((dist, DCTERMS["format"], _lit(fmt)))
    add((dist, DCAT.byteSize, _typed(meta.byte_size, XSD.nonNegativeInteger)))
    add((dist, CG.fingerprint, _lit(meta.fingerprint)))
    add((dist, CG.fingerprintAlgorithm, _lit(meta.fingerprint_algorithm)))

    # --- provenance -------------------------------------------------------------------------
    activity = _iri(iris.ingest_activity(slug, meta.fingerprint[:16]))
    add((cube, PROV.wasGeneratedBy, activity))
    add((activity, RDF.type, PROV.Activity))
    add((activity, RDFS.label, _lit(f"cubegraph ingest of {meta.path.name}")))
    add((activity, PROV.used, dist))
    add((activity, PROV.endedAtTime, _typed(ingested_at, XSD.dateTime)))
    add((activity, CG.softwareVersion, _lit(cubegraph.__version__)))
    add((activity, CG.sourcePath, _lit(str(meta.path))))
    if revision is not None and _nt(revision.activity) != activity:
        add((cube, CG.revisionOf, _lit(revision.fingerprint)))
        add((activity, PROV.wasInformedBy, _nt(revision.activity)))
        if revision.history is not None:
            for s, p, o in revision.history:
                add((_nt(s), _nt(p), _nt(o)))
    return Description(cube_iri, "".join(dict.fromkeys(g)))


def _describe_variable(g: _Lines, iris: Iris, slug: str, cube, dsd, var: VariableMetadata) -> None:
    add = g.add
    v = _iri(iris.variable(slug, var.name))
    add((cube, CG.hasVariable, v))
    component = _bnode()
    add((dsd, QB.component, component))
    add((component, QB.measure, v))
    add((v, RDF.type, CG.Variable))
    add((v, RDF.type, QB.MeasureProperty))
    add((v, CG.variableName, _lit(var.name)))
    if var.long_name:
        add((v, RDFS.label, _lit(var.long_name)))
    if var.standard_name:
        add((v, CG.standardName, _lit(var.standard_name)))
    if var.observable:
        add((v, CG.measures, _iri(var.observable)))
        add((v, RDFS.comment, _lit(f"cg:measures chosen by {var.observable_how}")))
    if var.units is not None:
        add((v, CG.unitsString, _lit(var.units)))
    if var.qudt_unit:
        add((v, QUDT.unit, _iri(var.qudt_unit)))
    add((v, CG.dtype, _lit(var.dtype)))
    add((v, CG.shape, _lit(",".join(str(s) for s in var.shape))))
    if var.chunks:
        add((v, CG.chunks, _lit(",".join(str(c) for c in var.chunks))))
    if isinstance(var.fill_value, (int, float)) and not isinstance(var.fill_value, bool):
        add((v, CG.fillValue, _num(var.fill_value)))
    elif isinstance(var.fill_value, str):
        add((v, CG.fillValue, _lit(var.fill_value)))
    for dim in var.dims:
        add((v, CG.hasDimension, _iri(iris.dimension(slug, dim))))
    for source in var.derived_from:
        add((v, PROV.wasDerivedFrom, _iri(iris.variable(slug, source))))
    if var.is_distractor is not None:
        add((v, CG.isDistractor, _lit(bool(var.is_distractor))))
    if var.stats is not None:
        s = var.stats
        for prop, value in ((CG.minValue, s.minimum), (CG.maxValue, s.maximum), (CG.meanValue, s.mean)):
            if value is not None and math.isfinite(value):
                add((v, prop, _num(float(value))))
        add((v, CG.missingFraction, _num(float(s.missing_fraction))))
