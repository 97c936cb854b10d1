"""Reading cubes back: what ingest needs to decide a re-ingest, and the catalog's records.

Over 400 lines: every read of a cube's record (re-ingest facts, catalog records, text
matches, datasets, distributions, structure, labels) with its fixed query beside it; they
share the prefix header and the row helpers, and the cube noun's SPARQL stays in one place.

Search, the exports, the audit and the pages all need the same facts about a cube (title,
extents, licence, variables and what they measure, distributions); they are read here with a
few fixed queries whose only inputs are bound variables, and turned into dataclasses. Several
values for one field (a title in two languages, the same triple asserted and inferred)
collapse to one, preferring an English or untagged literal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rdflib import Graph, URIRef

from cubegraph.kg.records._sparql import PREFIXES, first, to_datetime
from cubegraph.kg.records.variable import VariableRecord, read_variables
from cubegraph.ontology import namespaces as _ns

__all__ = ["Recorded", "recorded", "described_cubes", "ingest_history", "CubeRecord",
           "DistributionRecord", "read_cubes", "cubes_matching", "dataset_triples",
           "distribution_facts", "distribution_of", "recorded_structure", "cube_labels"]



@dataclass(frozen=True)
class Recorded:
    """What the graph already says about a cube, to decide whether a re-ingest changes it.

    Attributes:
        fingerprint: the fingerprint of the described bytes.
        activity: the ingest activity that wrote the description (``None`` if unknown).
        path: the source path recorded.
        has_stats: whether value statistics were recorded.
        content_hashed: whether a content digest was recorded (``cg:checksumLevel``).
        content: that digest's root, when recorded.
    """

    fingerprint: str
    activity: URIRef | None
    path: str | None
    has_stats: bool
    content_hashed: bool = False
    content: str | None = None


RECORDED = PREFIXES + """
SELECT ?cube ?fp ?activity ?path ?stat ?content WHERE {
  GRAPH ?cube {
    ?cube dcat:distribution ?dist . ?dist cg:fingerprint ?fp .
    OPTIONAL { ?dist cg:contentDigest ?content }
    OPTIONAL { ?cube prov:wasGeneratedBy ?activity }
    OPTIONAL { ?cube cg:sourcePath ?path }
    OPTIONAL { ?cube cg:hasVariable ?v . ?v cg:missingFraction ?stat }
  }
} LIMIT 1
"""

DESCRIBED = PREFIXES + """
SELECT DISTINCT ?cube WHERE { GRAPH ?cube { ?cube dcat:distribution ?d . ?d cg:fingerprint ?fp } }
"""


def recorded(store, cube: URIRef) -> Recorded | None:
    """What the cube's graph records, or ``None`` when the store does not describe it.

    Raises:
        StoreError: the store failed to answer.
    """
    rows = list(store.query(RECORDED, bindings={"cube": cube}))
    if not rows:
        return None
    r = rows[0]
    return Recorded(str(r["fp"]), r.get("activity"),
                    str(r["path"]) if r.get("path") is not None else None,
                    r.get("stat") is not None, r.get("content") is not None,
                    str(r["content"]) if r.get("content") is not None else None)


def described_cubes(store) -> set[URIRef]:
    """The IRIs of every cube the store describes (each in its own graph).

    Raises:
        StoreError: the store failed to answer.
    """
    return {row["cube"] for row in store.query(DESCRIBED)}


def ingest_history(store, cube: URIRef, activity: URIRef) -> Graph:
    """The cube's ingest activity ``activity`` and its predecessors, to carry into a new graph.

    Raises:
        StoreError: the store failed to answer.
    """
    old = store.graph(cube)
    history = Graph()
    todo, seen = [activity], set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in old.predicate_objects(node):
            if p == _ns.PROV.used:
                continue  # the old distribution's IRI is the new one's: do not mix them up
            history.add((node, p, o))
            if p == _ns.PROV.wasInformedBy:
                todo.append(o)
    history.add((activity, _ns.RDF.type, _ns.PROV.Activity))
    return history


# ?cube is projected in every query so that it can be bound (SEP-0007 substitution).
SELECT_CUBES = PREFIXES + """
SELECT DISTINCT ?cube ?title ?description ?identifier ?license ?west ?east ?south ?north
                ?start ?end ?resolution ?keyword ?creator ?publisher ?issued ?modified WHERE {
  ?cube a cg:DataCube .
  OPTIONAL { ?cube dct:title ?title }
  OPTIONAL { ?cube dct:description ?description }
  OPTIONAL { ?cube dct:identifier ?identifier }
  OPTIONAL { ?cube dct:license ?licenseNode .  # a licence given as text: its label
             OPTIONAL { ?licenseNode rdfs:label ?licenseText }
             BIND(IF(isBlank(?licenseNode), ?licenseText, ?licenseNode) AS ?license) }
  OPTIONAL { ?cube cg:westBound ?west }
  OPTIONAL { ?cube cg:eastBound ?east }
  OPTIONAL { ?cube cg:southBound ?south }
  OPTIONAL { ?cube cg:northBound ?north }
  OPTIONAL { ?cube dct:temporal ?period .
             OPTIONAL { ?period dcat:startDate ?start }
             OPTIONAL { ?period dcat:endDate ?end } }
  OPTIONAL { ?cube dcat:temporalResolution ?resolution }
  OPTIONAL { ?cube dcat:keyword ?keyword }
  OPTIONAL { ?cube dct:creator ?creatorNode .
             OPTIONAL { ?creatorNode rdfs:label|<http://xmlns.com/foaf/0.1/name> ?creatorName }
             BIND(COALESCE(?creatorName, ?creatorNode) AS ?creator) }
  OPTIONAL { ?cube dct:publisher ?publisherNode .
             OPTIONAL { ?publisherNode rdfs:label|<http://xmlns.com/foaf/0.1/name> ?publisherName }
             BIND(COALESCE(?publisherName, ?publisherNode) AS ?publisher) }
  OPTIONAL { ?cube dct:issued ?issued }
  OPTIONAL { ?cube dct:modified ?modified }
}
"""

SELECT_DISTRIBUTIONS = PREFIXES + """
SELECT DISTINCT ?cube ?dist ?access ?download ?media ?format ?fingerprint ?algorithm ?size
                ?path ?cubePath WHERE {
  ?cube a cg:DataCube ; dcat:distribution ?dist .
  OPTIONAL { ?dist dcat:accessURL ?access }
  OPTIONAL { ?dist dcat:downloadURL ?download }
  OPTIONAL { ?dist dcat:mediaType ?media }
  OPTIONAL { ?dist dct:format ?format }
  OPTIONAL { ?dist cg:fingerprint ?fingerprint }
  OPTIONAL { ?dist cg:fingerprintAlgorithm ?algorithm }
  OPTIONAL { ?dist dcat:byteSize|cg:byteSize ?size }
  OPTIONAL { ?dist cg:sourcePath ?path }
  OPTIONAL { ?cube cg:sourcePath ?cubePath }
}
"""

@dataclass
class DistributionRecord:
    """One distribution (zarr store, NetCDF file) of a cube, as recorded."""

    iri: str
    access_url: str | None = None
    download_url: str | None = None
    media_type: str | None = None
    format: str | None = None
    fingerprint: str | None = None
    algorithm: str | None = None
    byte_size: int | None = None
    source_path: str | None = None


@dataclass
class CubeRecord:
    """What discovery and the exports need to know about one cube.

    Attributes:
        bbox: ``(west, south, east, north)`` in degrees, ``None`` unless all four bounds
            are recorded.
        start / end: the temporal extent as datetimes (a date counts from midnight; an
            end date runs to the end of its day, see :func:`to_datetime`).
        start_text / end_text: the literals as written, for display and exports.
    """

    iri: str
    title: str | None = None
    description: str | None = None
    identifier: str | None = None
    license: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    start_text: str | None = None
    end_text: str | None = None
    resolution: str | None = None
    keywords: list[str] = field(default_factory=list)
    creator: str | None = None
    publisher: str | None = None
    issued: str | None = None
    modified: str | None = None
    variables: list[VariableRecord] = field(default_factory=list)
    distributions: list[DistributionRecord] = field(default_factory=list)

    @property
    def slug(self) -> str:
        """A short id: ``dct:identifier`` when recorded, else the IRI's last segment."""
        if self.identifier:
            return self.identifier
        return self.iri.rstrip("/").rsplit("/", 1)[-1]


def read_cubes(store, cube: str | None = None) -> list[CubeRecord]:
    """All cubes of the store (or the one cube ``cube``) as records, sorted by IRI.

    Raises:
        StoreError: if the store fails to answer.
    """
    bindings = {"cube": URIRef(cube)} if cube else None
    cubes: dict[str, CubeRecord] = {}
    for row in store.query(SELECT_CUBES, bindings=bindings):
        rec = cubes.setdefault(str(row["cube"]), CubeRecord(str(row["cube"])))
        _fill_cube(rec, row)
    for rec in cubes.values():
        rec.keywords.sort()
    for iri, variables in read_variables(store, URIRef(cube) if cube else None).items():
        if iri in cubes:
            cubes[iri].variables = variables
    for row in store.query(SELECT_DISTRIBUTIONS, bindings=bindings):
        rec = cubes.get(str(row["cube"]))
        if rec is not None:
            _fill_distribution(rec, row)
    return [cubes[k] for k in sorted(cubes)]


def _fill_cube(rec: CubeRecord, row: dict) -> None:
    for attr, var in (("title", "title"), ("description", "description"),
                      ("identifier", "identifier"), ("license", "license"),
                      ("resolution", "resolution"), ("creator", "creator"),
                      ("publisher", "publisher"), ("issued", "issued"), ("modified", "modified")):
        value = row.get(var)
        setattr(rec, attr, first(getattr(rec, attr), value))
        if getattr(rec, attr) is None and value is not None:
            setattr(rec, attr, str(value))  # only a non-English literal exists so far
    if row.get("keyword") is not None and str(row["keyword"]) not in rec.keywords:
        rec.keywords.append(str(row["keyword"]))
    if rec.bbox is None and all(row.get(k) is not None for k in ("west", "south", "east", "north")):
        try:
            rec.bbox = tuple(float(row[k]) for k in ("west", "south", "east", "north"))
        except (TypeError, ValueError):
            rec.bbox = None
    if rec.start_text is None and row.get("start") is not None:
        rec.start_text, rec.start = str(row["start"]), to_datetime(row["start"])
    if rec.end_text is None and row.get("end") is not None:
        rec.end_text, rec.end = str(row["end"]), to_datetime(row["end"], end=True)


def _fill_distribution(rec: CubeRecord, row: dict) -> None:
    iri = str(row["dist"])
    dist = next((d for d in rec.distributions if d.iri == iri), None)
    if dist is None:
        dist = DistributionRecord(iri)
        rec.distributions.append(dist)
    for attr, var in (("access_url", "access"), ("download_url", "download"),
                      ("media_type", "media"), ("format", "format"),
                      ("fingerprint", "fingerprint"), ("algorithm", "algorithm")):
        setattr(dist, attr, first(getattr(dist, attr), row.get(var)))
    if dist.byte_size is None and row.get("size") is not None:
        try:
            dist.byte_size = int(row["size"])
        except (TypeError, ValueError):
            pass
    dist.source_path = first(dist.source_path, row.get("path") or row.get("cubePath"))


# Bound: ?token (projected, as SEP-0007 substitution requires).
TEXT_MATCHES = PREFIXES + """
SELECT DISTINCT ?token ?cube ?field ?var WHERE {
  ?cube a cg:DataCube .
  {
    ?cube dct:title ?text . BIND("title" AS ?field)
  } UNION {
    ?cube dct:description ?text . BIND("description" AS ?field)
  } UNION {
    ?cube dcat:keyword|dct:identifier ?text . BIND("keyword" AS ?field)
  } UNION {
    ?cube cg:hasVariable ?var .
    ?var cg:variableName|rdfs:label|dct:title|cg:standardName ?text .
    BIND("variable" AS ?field)
  } UNION {
    ?cube cg:hasVariable ?var . ?var cg:measures|cg:isAbout ?obs .
    { ?obs rdfs:label|skos:altLabel|skos:notation ?text }
    UNION
    { ?obs rdf:type/rdfs:subClassOf* ?cls . ?cls rdfs:subClassOf* cg:Phenomenon .
      ?cls rdfs:label ?text }
    BIND("phenomenon" AS ?field)
  }
  FILTER(CONTAINS(LCASE(STR(?text)), ?token))
}
"""


def cubes_matching(store, token: str) -> list[tuple[str, str, str | None]]:
    """Where a lower-case text token occurs in the cubes' descriptions: ``(cube, field,
    variable or None)`` per hit, ``field`` one of ``title``, ``description``, ``keyword``,
    ``variable`` (its name, label or standard name) and ``phenomenon`` (what it measures,
    or what a model output's variable is about).

    The token is bound as a literal: it cannot alter the query.

    Raises:
        StoreError: the store failed to answer.
    """
    return [(str(r["cube"]), str(r["field"]), str(r["var"]) if r.get("var") is not None else None)
            for r in store.query(TEXT_MATCHES, bindings={"token": token})]


# The cube itself, its period / location / distributions / agents, and its variables'
# core statements (what a catalog reader needs, not dimensions or statistics).
DATASETS = PREFIXES + """
CONSTRUCT { ?s ?p ?o } WHERE {
  ?cube a cg:DataCube .
  {  # the pattern binds ?cube before BIND copies it (a BIND first would see it unbound
     # and match every triple)
    ?cube ?p ?o . BIND(?cube AS ?s)
  } UNION {
    ?cube dct:temporal|dct:spatial|dcat:distribution|dct:publisher|dct:creator|dcat:contactPoint ?s .
    ?s ?p ?o .
  } UNION {
    ?cube cg:hasVariable ?s . ?s ?p ?o .
    VALUES ?p { rdf:type cg:variableName rdfs:label cg:measures cg:isAbout cg:unitsString
                <http://qudt.org/schema/qudt/unit> }
  }
  # the leaves of a content digest are for audits, not catalogs (its root stays)
  FILTER(?p != cg:contentManifest)
}
"""


def dataset_triples(store, graphs: list[str]):
    """What a catalog reader needs of every cube in ``graphs`` (the cube, its period,
    location, distributions and agents, and its variables' core statements), as triples.

    Raises:
        StoreError: the store failed to answer.
    """
    return store.query(DATASETS, default_graph=graphs)


DISTRIBUTION = PREFIXES + """
SELECT ?dist ?fingerprint ?algorithm ?size ?path ?cubePath ?access ?download ?cube ?level
       ?content ?contentAlgorithm ?manifest ?sha256 ?rel WHERE {
  OPTIONAL { ?dist cg:fingerprint ?fingerprint }
  OPTIONAL { ?dist cg:fingerprintAlgorithm ?algorithm }
  OPTIONAL { ?dist cg:checksumLevel ?level }
  OPTIONAL { ?dist cg:contentDigest ?content }
  OPTIONAL { ?dist cg:contentAlgorithm ?contentAlgorithm }
  OPTIONAL { ?dist cg:contentManifest ?manifest }
  OPTIONAL { ?dist cg:sha256 ?sha256 }
  OPTIONAL { ?dist cg:dataRootPath ?rel }
  OPTIONAL { ?dist dcat:byteSize|cg:byteSize ?size }
  OPTIONAL { ?dist cg:sourcePath ?path }
  OPTIONAL { ?dist dcat:accessURL ?access }
  OPTIONAL { ?dist dcat:downloadURL ?download }
  OPTIONAL { ?cube dcat:distribution ?dist . OPTIONAL { ?cube cg:sourcePath ?cubePath } }
}
"""

STRUCTURE = PREFIXES + """
SELECT ?cube ?kind ?name ?shape ?dtype ?size WHERE {
  { ?cube cg:hasVariable ?v . ?v cg:variableName ?name .
    OPTIONAL { ?v cg:shape ?shape } OPTIONAL { ?v cg:dtype ?dtype } BIND("variable" AS ?kind) }
  UNION
  { ?cube cg:hasDimension ?d . ?d cg:dimensionName ?name .
    OPTIONAL { ?d cg:size ?size } BIND("dimension" AS ?kind) }
}
"""


DISTRIBUTION_OF = PREFIXES + """
SELECT ?cube ?dist WHERE { ?cube dcat:distribution ?dist } ORDER BY ?dist LIMIT 1
"""


def distribution_of(store, cube: URIRef) -> URIRef | None:
    """The cube's distribution (the first by IRI), ``None`` when it records none.

    Raises:
        StoreError: the store failed to answer.
    """
    rows = store.query(DISTRIBUTION_OF, bindings={"cube": cube}).rows()
    return rows[0]["dist"] if rows else None


def distribution_facts(store, dist: URIRef) -> dict:
    """What the graph records of a distribution (or of any recorded file, such as a model),
    as a row (empty when nothing is recorded): ``fingerprint``, ``algorithm``, ``size``,
    ``path``, ``cubePath``, ``access``, ``download``, ``cube``, ``level``
    (``cg:checksumLevel``), ``content``, ``contentAlgorithm``, ``manifest`` (the content
    digest), ``sha256`` (a file's) and ``rel`` (its path under the data root) (rdflib
    terms, absent when unbound).

    Raises:
        StoreError: the store failed to answer.
    """
    rows = store.query(DISTRIBUTION, bindings={"dist": dist}).rows()
    return {k: v for k, v in rows[0].items() if v is not None} if rows else {}


def recorded_structure(store, cube: URIRef) -> tuple[dict[str, tuple], dict[str, int]]:
    """A cube's variables as recorded (``name -> (shape text, dtype)``) and its dimensions
    (``name -> size``).

    Raises:
        StoreError: the store failed to answer.
    """
    variables, dimensions = {}, {}
    for row in store.query(STRUCTURE, bindings={"cube": cube}):
        name = str(row["name"])
        if str(row["kind"]) == "variable":
            variables[name] = (str(row["shape"]) if row.get("shape") is not None else None,
                               str(row["dtype"]) if row.get("dtype") is not None else None)
        elif row.get("size") is not None:
            dimensions[name] = int(row["size"])
    return variables, dimensions


LABELS = PREFIXES + """
SELECT DISTINCT ?c ?label WHERE {
  ?c a cg:DataCube . OPTIONAL { ?c dct:title|rdfs:label ?label }
} ORDER BY ?c LIMIT ?limit
"""


def cube_labels(store, limit: int) -> list[tuple[URIRef, object]]:
    """The first ``limit`` cubes by IRI, each with a title or label (``None`` if none).

    Raises:
        StoreError: the store failed to answer.
    """
    query = LABELS.replace("?limit", str(int(limit)))  # an int, not user text: LIMIT takes no variable
    return [(r["c"], r.get("label")) for r in store.query(query)]
