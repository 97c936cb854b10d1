"""The cube noun: a catalogued data cube, its dimensions, distribution and ingest history.

A cube lives in its own named graph, ``{base}cube/{slug}`` (the cube's IRI), replaced whole
on each re-ingest. Layout (``{cube}`` = ``iris.cube(slug)``)::

    {cube}               cg:DataCube, dcat:Dataset, qb:DataSet: title, description, licence,
                         creator, conventions, extents, CRS, warnings, provenance
    {cube}/dimension/x   cg:Dimension, qb:DimensionProperty: size, axis, range, resolution
    {cube}/variable/v    see :mod:`cubegraph.kg.records.variable`
    {cube}/distribution  cg:CubeDistribution, dcat:Distribution: access URL, media type,
                         size, fingerprint
    {cube}/ingest/{fp}   prov:Activity that generated the description; a re-ingest links the
                         new activity to the one it replaces (prov:wasInformedBy), and the
                         chain of earlier activities is carried forward into the new graph
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, URIRef

from cubegraph.kg.records._sparql import PREFIXES
from cubegraph.ontology.namespaces import PROV, RDF

__all__ = ["Recorded", "recorded", "ingest_history", "described_cubes"]


@dataclass(frozen=True)
class Recorded:
    """What the graph already says about a cube, to decide whether a re-ingest changes it.

    Attributes:
        fingerprint: the fingerprint of the described bytes.
        activity: the ingest activity that wrote the description (``None`` if unknown).
        path: the source path recorded.
        has_stats: whether value statistics were recorded.
    """

    fingerprint: str
    activity: URIRef | None
    path: str | None
    has_stats: bool


RECORDED = PREFIXES + """
SELECT ?cube ?fp ?activity ?path ?stat WHERE {
  GRAPH ?cube {
    ?cube dcat:distribution ?dist . ?dist cg:fingerprint ?fp .
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
                    r.get("stat") is not None)


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
            if p == PROV.used:
                continue  # the old distribution's IRI is the new one's: do not mix them up
            history.add((node, p, o))
            if p == PROV.wasInformedBy:
                todo.append(o)
    history.add((activity, RDF.type, PROV.Activity))
    return history
