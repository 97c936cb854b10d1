"""Lineage: the provenance links between the records, followed from any resource back to its sources.

Every noun writes its links with PROV-O and ML-Schema (a run ``prov:used`` variables, a
cube ``dcat:distribution`` its file, an attribution ``cg:attributedVariable`` its variable,
...). This module names which links lead towards where a resource came from, so the audit
can walk from a prediction back to the bytes of the cubes it was trained on.
"""

from __future__ import annotations

from rdflib import URIRef

from cubegraph.kg.records._sparql import PREFIXES

__all__ = ["FORWARD", "BACKWARD", "lineage_steps", "node_facts", "recorded_outputs"]

#: Links followed from a resource towards what it came from (subject -> object).
FORWARD = ("prov:wasGeneratedBy", "prov:used", "prov:wasDerivedFrom", "dcat:distribution",
           "mls:hasInput", "prov:wasInformedBy", "prov:hadPrimarySource",
           "prov:wasRevisionOf", "cg:attributedVariable", "cg:selected")
#: Links followed backwards (object -> subject): the cube of a variable, the run of a model,
#: the explanation of an attribution, the activity that generated an entity.
BACKWARD = ("cg:hasVariable", "mls:hasOutput", "cg:hasAttribution", "prov:generated")

# Bound: ?node (projected).
STEPS = PREFIXES + f"""
SELECT DISTINCT ?node ?rel ?next ?dir WHERE {{
  {{ ?node ?rel ?next . VALUES ?rel {{ {' '.join(FORWARD)} }} BIND("out" AS ?dir) }}
  UNION
  {{ ?next ?rel ?node . VALUES ?rel {{ {' '.join(BACKWARD)} }} BIND("in" AS ?dir) }}
}}
"""
NODE = PREFIXES + """
SELECT DISTINCT ?node ?type ?label WHERE {
  ?node ?p ?o .
  OPTIONAL { ?node a ?type }
  OPTIONAL { ?node dct:title|rdfs:label|cg:variableName ?label }
}
"""

# Bound: ?node. What a resource (a run) wrote that was recorded with its bytes: files (model,
# chart: cg:sha256) and the distributions of the cubes it generated.
OUTPUTS = PREFIXES + """
SELECT DISTINCT ?node ?out WHERE {
  { ?out prov:wasGeneratedBy ?node ; cg:sha256 ?sha }
  UNION
  { ?cube prov:wasGeneratedBy ?node ; dcat:distribution ?out }
}
"""


def recorded_outputs(store, node: URIRef) -> list[URIRef]:
    """The files ``node`` produced that the graph records with their bytes: model files,
    charts and output cubes' distributions (a run's; empty for other resources), sorted.

    Raises:
        StoreError: the store failed to answer.
    """
    return sorted({r["out"] for r in store.query(OUTPUTS, bindings={"node": node})
                   if isinstance(r["out"], URIRef)})


def lineage_steps(store, node: URIRef) -> list[tuple[URIRef, object, bool]]:
    """One step of the walk from ``node``: ``(relation, next node, outward)`` per link,
    ``outward`` when ``node`` is the link's subject.

    Raises:
        StoreError: the store failed to answer.
    """
    return [(r["rel"], r["next"], r["dir"].toPython() == "out")
            for r in store.query(STEPS, bindings={"node": node})]


def node_facts(store, node: URIRef) -> tuple[list[str], str | None]:
    """A node's types (sorted) and a label (its title, label or variable name), if any.

    Raises:
        StoreError: the store failed to answer.
    """
    types, label = set(), None
    for row in store.query(NODE, bindings={"node": node}):
        if row.get("type") is not None:
            types.add(str(row["type"]))
        if label is None and row.get("label") is not None:
            label = str(row["label"])
    return sorted(types), label
