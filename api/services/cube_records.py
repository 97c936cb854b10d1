"""Reading cube descriptions out of the store as plain records (shared by the services).

Search, the exports and the audit all need the same facts about a cube (title, extents,
licence, variables and what they measure, distributions); they are read here, with a few
fixed SPARQL queries whose only inputs are bound variables, and turned into dataclasses.
Several values for one field (a title in two languages, the same triple asserted and
inferred) collapse to one, preferring an English or untagged literal.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from rdflib import Literal, URIRef

from cubegraph.kg.store import Store
from cubegraph.ontology.namespaces import CG

PREFIXES = """
PREFIX cg: <https://w3id.org/cubegraph/ontology#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX mls: <http://www.w3.org/ns/mls#>
"""

# ?cube is projected in every query so that it can be bound (SEP-0007 substitution).
SELECT_CUBES = PREFIXES + """
SELECT DISTINCT ?cube ?title ?description ?identifier ?license ?west ?east ?south ?north
                ?start ?end ?resolution ?keyword ?creator ?publisher ?issued ?modified WHERE {
  ?cube a cg:DataCube .
  OPTIONAL { ?cube dct:title ?title }
  OPTIONAL { ?cube dct:description ?description }
  OPTIONAL { ?cube dct:identifier ?identifier }
  OPTIONAL { ?cube dct:license ?license }
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

SELECT_VARIABLES = PREFIXES + """
SELECT DISTINCT ?cube ?var ?name ?label ?units ?unit ?obs ?obsLabel ?phen WHERE {
  ?cube a cg:DataCube ; cg:hasVariable ?var .
  OPTIONAL { ?var cg:variableName ?name }
  OPTIONAL { ?var rdfs:label|dct:title ?label }
  OPTIONAL { ?var cg:unitsString ?units }
  OPTIONAL { ?var <http://qudt.org/schema/qudt/unit> ?unit }
  OPTIONAL {
    ?var cg:measures ?obs .
    OPTIONAL { ?obs rdfs:label|skos:prefLabel ?obsLabel }
    OPTIONAL { ?obs rdf:type ?phen . ?phen rdfs:subClassOf* cg:Phenomenon }
  }
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

SELECT_TAXONOMY = PREFIXES + """
SELECT DISTINCT ?cls ?super ?label WHERE {
  ?cls rdfs:subClassOf* cg:Phenomenon .
  FILTER(isIRI(?cls))
  OPTIONAL { ?cls rdfs:subClassOf ?super . ?super rdfs:subClassOf* cg:Phenomenon .
             FILTER(isIRI(?super) && ?super != ?cls) }
  OPTIONAL { ?cls rdfs:label ?label }
}
"""


@dataclass
class VariableRecord:
    """One variable of a cube, with what it measures.

    Attributes:
        iri: the variable's IRI.
        name: its name in the file (``cg:variableName``).
        label: its long name, when given.
        units: the raw units string.
        unit: the QUDT unit IRI, when known.
        observable: IRI of the observable property it measures.
        observable_label: that property's label.
        phenomena: the phenomenon classes the observable is typed with (asserted, or
            inferred when ``reason`` ran).
    """

    iri: str
    name: str | None = None
    label: str | None = None
    units: str | None = None
    unit: str | None = None
    observable: str | None = None
    observable_label: str | None = None
    phenomena: list[str] = field(default_factory=list)


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


@dataclass
class Taxonomy:
    """The phenomenon classes of the ontology in the store: parents and labels."""

    parents: dict[str, set[str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def ancestors(self, cls: str) -> set[str]:
        """``cls`` and every class above it, up to (excluding) ``cg:Phenomenon``."""
        seen, todo = set(), [cls]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            todo.extend(self.parents.get(current, ()))
        seen.discard(str(CG.Phenomenon))
        return seen

    def label(self, cls: str) -> str:
        return self.labels.get(cls) or local_name(cls)

    def most_specific(self, classes: list[str] | set[str]) -> list[str]:
        """The classes of ``classes`` that no other class of it is below."""
        classes = set(classes) - {str(CG.Phenomenon)}
        covered = set()
        for c in classes:
            covered |= self.ancestors(c) - {c}
        return sorted(classes - covered)


def read_cubes(store: Store, cube: str | None = None) -> list[CubeRecord]:
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
    for row in store.query(SELECT_VARIABLES, bindings=bindings):
        rec = cubes.get(str(row["cube"]))
        if rec is not None:
            _fill_variable(rec, row)
    for row in store.query(SELECT_DISTRIBUTIONS, bindings=bindings):
        rec = cubes.get(str(row["cube"]))
        if rec is not None:
            _fill_distribution(rec, row)
    for rec in cubes.values():
        rec.variables.sort(key=lambda v: (v.name or v.iri))
        for var in rec.variables:
            var.phenomena.sort()
    return [cubes[k] for k in sorted(cubes)]


def read_taxonomy(store: Store) -> Taxonomy:
    """The phenomenon taxonomy as loaded in the store (``cubegraph init`` puts it there)."""
    tax = Taxonomy()
    _is_english_text: dict[str, bool] = {}  # whether the kept label is English/untagged
    for row in store.query(SELECT_TAXONOMY):
        cls = str(row["cls"])
        tax.parents.setdefault(cls, set())
        if row.get("super") is not None:
            tax.parents[cls].add(str(row["super"]))
        label = row.get("label")
        if label is not None and (cls not in tax.labels or _is_english(label)):
            if not (cls in tax.labels and _is_english_text.get(cls)):
                tax.labels[cls] = str(label)
                _is_english_text[cls] = _is_english(label)
    return tax


def local_name(iri: str) -> str:
    """The part of an IRI after its last ``#`` or ``/`` (trailing slash ignored)."""
    text = str(iri).rstrip("/")
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def to_datetime(value, *, end: bool = False) -> dt.datetime | None:
    """A date or date-time literal (or ISO string) as a naive UTC datetime.

    A plain date stands for its whole day: as the ``end`` of a period it means the last
    instant of that day, so ``2019-12-31`` as an end still overlaps ``2019-12-31T12:00``.
    Returns ``None`` for anything that is not a date.
    """
    if value is None:
        return None
    python = value.toPython() if isinstance(value, Literal) else value
    if isinstance(python, dt.datetime):
        if python.tzinfo is not None:
            python = python.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return python
    if isinstance(python, dt.date):
        base = dt.datetime(python.year, python.month, python.day)
        return base + dt.timedelta(days=1, microseconds=-1) if end else base
    if isinstance(python, str):
        text = python.strip()
        try:
            if len(text) == 10:
                return to_datetime(dt.date.fromisoformat(text), end=end)
            return to_datetime(dt.datetime.fromisoformat(text.replace("Z", "+00:00")), end=end)
        except ValueError:
            return None
    return None


_CC = re.compile(r"creativecommons\.org/(licenses|publicdomain)/([a-z-]+)/(\d\.\d)", re.I)


def license_label(value: str | None) -> str:
    """A short licence name: the SPDX id of an SPDX or Creative Commons IRI, else the text."""
    if not value:
        return "unknown"
    text = str(value).strip()
    if "spdx.org/licenses/" in text:
        return text.rstrip("/").rsplit("/", 1)[-1].removesuffix(".html")
    m = _CC.search(text)
    if m:
        kind, code, version = m.groups()
        if code == "zero":
            return f"CC0-{version}"
        return f"CC-{code.upper()}-{version}"
    return text


def _is_english(value) -> bool:
    language = getattr(value, "language", None)
    return not language or language.startswith("en")


def _first(current, value):
    if current is not None or value is None:
        return current
    if isinstance(value, Literal) and value.language and not value.language.startswith("en"):
        return None  # wait for an English or untagged value; see _fill_cube's fallback
    return str(value)


def _fill_cube(rec: CubeRecord, row: dict) -> None:
    for attr, var in (("title", "title"), ("description", "description"),
                      ("identifier", "identifier"), ("license", "license"),
                      ("resolution", "resolution"), ("creator", "creator"),
                      ("publisher", "publisher"), ("issued", "issued"), ("modified", "modified")):
        value = row.get(var)
        setattr(rec, attr, _first(getattr(rec, attr), value))
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


def _fill_variable(rec: CubeRecord, row: dict) -> None:
    iri = str(row["var"])
    var = next((v for v in rec.variables if v.iri == iri), None)
    if var is None:
        var = VariableRecord(iri)
        rec.variables.append(var)
    var.name = _first(var.name, row.get("name"))
    var.label = _first(var.label, row.get("label"))
    var.units = _first(var.units, row.get("units"))
    var.unit = _first(var.unit, row.get("unit"))
    var.observable = _first(var.observable, row.get("obs"))
    var.observable_label = _first(var.observable_label, row.get("obsLabel"))
    phen = row.get("phen")
    if phen is not None and str(phen) != str(CG.Phenomenon) and str(phen) not in var.phenomena:
        var.phenomena.append(str(phen))


def _fill_distribution(rec: CubeRecord, row: dict) -> None:
    iri = str(row["dist"])
    dist = next((d for d in rec.distributions if d.iri == iri), None)
    if dist is None:
        dist = DistributionRecord(iri)
        rec.distributions.append(dist)
    for attr, var in (("access_url", "access"), ("download_url", "download"),
                      ("media_type", "media"), ("format", "format"),
                      ("fingerprint", "fingerprint"), ("algorithm", "algorithm")):
        setattr(dist, attr, _first(getattr(dist, attr), row.get(var)))
    if dist.byte_size is None and row.get("size") is not None:
        try:
            dist.byte_size = int(row["size"])
        except (TypeError, ValueError):
            pass
    dist.source_path = _first(dist.source_path, row.get("path") or row.get("cubePath"))
