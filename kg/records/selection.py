"""The selection noun: the inputs chosen for a job (``cg:InputSelection``) and the queries that choose them.

A selection lives in its own named graph, ``{job}/selection/{hash}`` (its IRI), the hash of
its content, so recording the same outcome twice writes the same triples. Layout::

    {job}/selection/{h}              cg:InputSelection, prov:Entity: prov:wasDerivedFrom the job,
                                     cg:target, cg:selectionQuery (the SPARQL that ran),
                                     cg:selected / cg:excluded each variable, cg:excludedCube
                                     each cube refused whole (cg:excluded's range is
                                     cg:Variable: a cube there would be inferred a variable)
    {job}/selection/{h}/input/{i}    prov:Entity, dct:isPartOf the selection,
    {job}/selection/{h}/excluded/{i}   prov:wasDerivedFrom the variable (or cube), cg:reason

The SELECT queries below are the ones :func:`cubegraph.reasoning.selection.select_inputs`
runs to choose the inputs; they run over the default graph (asserted descriptions and the
inferred graph), and every value of the job travels as a binding.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef

from cubegraph.kg.records._sparql import text
from cubegraph.ontology.namespaces import CG, DCTERMS, PROV, RDF, XSD, bind_prefixes, sparql_prefixes

__all__ = ["Choice", "SelectionRecord", "selection_iri", "selection_graph", "read_selection",
           "OLD_LAYOUT_COUNT", "OLD_LAYOUT_UPGRADE"]

# The selection's SPARQL is recorded with each run (cg:selectionQuery): a short header keeps
# it readable.
PREFIXES = sparql_prefixes("cg", "prov", "dcat", "dct", "owl", "rdfs")

# A cube's extent, period and time step (each may be missing: the Python check words why).
_CUBE_INFO = """
  BIND (EXISTS { ?cube a cg:DataCube } AS ?described)
  OPTIONAL { ?cube cg:westBound ?w ; cg:southBound ?s ; cg:eastBound ?e ; cg:northBound ?n }
  OPTIONAL { ?cube dct:temporal ?t . OPTIONAL { ?t dcat:startDate ?start } OPTIONAL { ?t dcat:endDate ?end } }
  OPTIONAL { ?cube dcat:temporalResolution ?res }"""
# The job's region, period and time step, all bindings: ?jobWest ?jobSouth ?jobEast ?jobNorth
# (xsd:double), ?jobStart ?jobEnd ("YYYY-MM-DD"), ?jobStep (a duration, "" for any). Mirrors
# _misfit: overlap of the extents, of the periods (compared by day), and equal time steps.
_JOB = "?jobWest ?jobSouth ?jobEast ?jobNorth ?jobStart ?jobEnd ?jobStep"
_FITS = """?w <= ?jobEast && ?e >= ?jobWest && ?s <= ?jobNorth && ?n >= ?jobSouth
    && SUBSTR(STR(?start), 1, 10) <= ?jobEnd && SUBSTR(STR(?end), 1, 10) >= ?jobStart
    && (?jobStep = "" || STR(?res) = ?jobStep)"""
#: Is ?term a class of the ontology?
SELECT_CLASS = PREFIXES + "SELECT ?term WHERE { ?term a owl:Class } LIMIT 1"
#: Is ?term a variable of some cube?
SELECT_VARIABLE = PREFIXES + "SELECT ?term ?cube WHERE { ?cube cg:hasVariable ?term } LIMIT 1"
#: The extent, period and time step of cube ?cube.
SELECT_CUBE = PREFIXES + "SELECT ?cube ?described ?w ?s ?e ?n ?start ?end ?res WHERE {" + _CUBE_INFO + "\n}"
#: Variables measuring an individual of phenomenon class ?cls (memberships may be inferred).
SELECT_MEASURING = PREFIXES + """SELECT DISTINCT ?cls ?cube ?var ?obs WHERE {
  ?obs a ?cls .
  ?var cg:measures ?obs .
  ?cube cg:hasVariable ?var .
}"""
#: Every variable of every cube that fits the job's region, period and time step, with what
#: it measures, whether it is a member of driver class ?cls (and whether that membership is
#: asserted in a graph other than ?inferred), whether demo ground truth calls it a
#: distractor, and its cube's extent, period and step (checked again in Python).
SELECT_FITTING = PREFIXES + f"""SELECT ?cls ?inferred {_JOB} ?cube ?var ?obs ?distractor ?member ?asserted
       ?described ?w ?s ?e ?n ?start ?end ?res WHERE {{
  {{ SELECT {_JOB} ?cube ?w ?s ?e ?n ?start ?end ?res WHERE {{
    ?cube cg:westBound ?w ; cg:southBound ?s ; cg:eastBound ?e ; cg:northBound ?n .
    FILTER (?w <= ?jobEast && ?e >= ?jobWest && ?s <= ?jobNorth && ?n >= ?jobSouth)
    ?cube dct:temporal ?t . ?t dcat:startDate ?start ; dcat:endDate ?end .
    FILTER (SUBSTR(STR(?start), 1, 10) <= ?jobEnd && SUBSTR(STR(?end), 1, 10) >= ?jobStart)
    OPTIONAL {{ ?cube dcat:temporalResolution ?res }}
    FILTER (?jobStep = "" || STR(?res) = ?jobStep)
  }} }}
  BIND (EXISTS {{ ?cube a cg:DataCube }} AS ?described)
  ?cube cg:hasVariable ?var .
  BIND (EXISTS {{ ?var a ?cls }} AS ?member)
  BIND (EXISTS {{ GRAPH ?g {{ ?var a ?cls }} FILTER (?g != ?inferred) }} AS ?asserted)
  OPTIONAL {{ ?var cg:measures ?obs }}
  OPTIONAL {{ ?var cg:isDistractor ?distractor }}
}}"""
#: The members of driver class ?cls in every cube that does NOT fit the job: one row per cube,
#: its candidates as one space-separated list, with the cube's extent, period and step (to
#: say which constraint refused it).
SELECT_UNFIT = PREFIXES + f"""SELECT ?cls {_JOB} ?cube ?vars ?described ?w ?s ?e ?n ?start ?end ?res WHERE {{
  {{ SELECT ?cls ?cube (GROUP_CONCAT(STR(?var); separator=" ") AS ?vars) WHERE {{
    ?var a ?cls .
    ?cube cg:hasVariable ?var .
  }} GROUP BY ?cls ?cube }}{_CUBE_INFO}
  FILTER (!COALESCE({_FITS}, false))
}}"""
#: Variables derived from ?target, transitively (the leakage guard).
SELECT_DERIVED = PREFIXES + """SELECT DISTINCT ?target ?var WHERE {
  ?var prov:wasDerivedFrom+ ?target .
}"""
#: Every variable of cube ?cube, with what it measures and whether demo ground truth calls it a
#: distractor (to say why the variables next to the chosen ones were left out). Only needed
#: for a cube in play that SELECT_FITTING did not return.
SELECT_CUBE_VARIABLES = PREFIXES + """SELECT ?cube ?var ?obs ?distractor WHERE {
  ?cube cg:hasVariable ?var .
  OPTIONAL { ?var cg:measures ?obs }
  OPTIONAL { ?var cg:isDistractor ?distractor }
}"""
#: The asserted phenomenon class of each observable (from the ontology graph), for reasons.
SELECT_OBS_CLASSES = PREFIXES + """SELECT ?onto ?obs ?cls WHERE {
  GRAPH ?onto { ?obs a ?cls . ?cls rdfs:subClassOf+ cg:Phenomenon }
}"""


@dataclass(frozen=True)
class Choice:
    """One selected or excluded variable (or refused cube) of a selection, and why.

    Attributes:
        variable: the variable; for a cube refused whole, the cube.
        reason: why, in words.
        name: the variable's ``cg:variableName`` (``None`` for a cube).
        cube: set on an exclusion that refuses a whole cube: that cube (as on
            :class:`cubegraph.reasoning.selection.Excluded`); ``None`` for a variable.
    """

    variable: URIRef
    reason: str
    name: str | None = None
    cube: URIRef | None = None


@dataclass(frozen=True)
class SelectionRecord:
    """A selection as the graph holds it.

    Attributes:
        iri: the selection's IRI (and named graph).
        job: the job it was made for.
        target: the target variable.
        query: the SPARQL text that ran, in order.
        selected / excluded: the choices, in the order written (read back sorted by name).
        generated_at: when it was recorded (ISO 8601, UTC).
    """

    iri: URIRef
    job: URIRef
    target: URIRef
    query: str
    selected: tuple[Choice, ...]
    excluded: tuple[Choice, ...]
    generated_at: str | None = None


def selection_iri(job: URIRef, content: str) -> URIRef:
    """``{job}/selection/{hash}``: the same content gets the same IRI."""
    return URIRef(f"{job}/selection/{hashlib.sha1(content.encode()).hexdigest()[:16]}")


def selection_graph(iri: URIRef, job: URIRef, target: URIRef, query: str,
                    selected, excluded, *, generated_at: str | None = None) -> Graph:
    """The selection's triples (the content of its named graph ``iri``).

    Args:
        iri: from :func:`selection_iri`.
        job: the job's IRI.
        target: the target variable.
        query: the SPARQL that ran.
        selected / excluded: ``(variable, reason)`` pairs (anything with ``variable`` and
            ``reason`` attributes, such as :class:`Choice`); an excluded item whose ``cube``
            attribute is set refuses that whole cube (``cg:excludedCube``).
        generated_at: ISO 8601 time; now (UTC, seconds) when ``None``.

    Returns:
        A new graph; nothing is written anywhere.
    """
    when = generated_at or dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    g = bind_prefixes(Graph(), "cg", "prov", "dct")
    g.add((iri, RDF.type, CG.InputSelection))
    g.add((iri, RDF.type, PROV.Entity))
    g.add((iri, PROV.wasDerivedFrom, job))
    g.add((iri, PROV.generatedAtTime, Literal(when, datatype=XSD.dateTime)))
    g.add((iri, CG.target, target))
    g.add((iri, CG.selectionQuery, Literal(query)))
    for kind, items in (("input", selected), ("excluded", excluded)):
        for i, item in enumerate(items):
            node = URIRef(f"{iri}/{kind}/{i}")
            if kind == "input":
                link = CG.selected
            else:
                link = CG.excluded if getattr(item, "cube", None) is None else CG.excludedCube
            g.add((iri, link, item.variable))
            g.add((node, RDF.type, PROV.Entity))
            g.add((node, DCTERMS.isPartOf, iri))
            g.add((node, PROV.wasDerivedFrom, item.variable))
            g.add((node, CG.reason, Literal(item.reason)))
    return g


SELECTION = sparql_prefixes("cg", "prov", "dct") + """
SELECT ?sel ?job ?target ?query ?when WHERE {
  ?sel a cg:InputSelection .
  OPTIONAL { ?sel prov:wasDerivedFrom ?job }
  OPTIONAL { ?sel cg:target ?target }
  OPTIONAL { ?sel cg:selectionQuery ?query }
  OPTIONAL { ?sel prov:generatedAtTime ?when }
}
"""

CHOICES = sparql_prefixes("cg", "prov", "dct") + """
SELECT ?sel ?kind ?var ?name ?reason WHERE {
  { ?sel cg:selected ?var . BIND("selected" AS ?kind) }
  UNION
  { ?sel cg:excluded ?var . BIND("excluded" AS ?kind) }
  UNION
  { ?sel cg:excludedCube ?var . BIND("cube" AS ?kind) }
  OPTIONAL { ?var cg:variableName ?name }
  OPTIONAL { ?node dct:isPartOf ?sel ; prov:wasDerivedFrom ?var ; cg:reason ?reason }
}
"""


def read_selection(store, iri: str | URIRef) -> SelectionRecord | None:
    """The selection at ``iri`` (choices sorted by name, then IRI), or ``None``.

    A variable's ``name`` is its ``cg:variableName`` when its cube is in the graph.

    Raises:
        StoreError: the store failed to answer.
    """
    sel = URIRef(str(iri))
    rows = store.query(SELECTION, bindings={"sel": sel}).rows()
    if not rows:
        return None
    r = rows[0]
    found: dict[str, dict[str, Choice]] = {"selected": {}, "excluded": {}}
    for c in store.query(CHOICES, bindings={"sel": sel}):
        kind, var = str(c["kind"]), URIRef(str(c["var"]))
        cube = var if kind == "cube" else None
        kind = "excluded" if kind == "cube" else kind
        if str(var) not in found[kind]:
            found[kind][str(var)] = Choice(var, text(c.get("reason")) or "", text(c.get("name")), cube)

    def ordered(kind: str) -> tuple[Choice, ...]:
        return tuple(sorted(found[kind].values(), key=lambda ch: (ch.name or "", str(ch.variable))))

    return SelectionRecord(sel, URIRef(str(r["job"])) if r.get("job") is not None else None,
                           URIRef(str(r["target"])) if r.get("target") is not None else None,
                           text(r.get("query")) or "", ordered("selected"), ordered("excluded"),
                           text(r.get("when")))


# A store written before cg:excludedCube holds a cube refused whole as cg:excluded (whose
# range makes the closure type the cube a variable). ``cubegraph init`` moves it in place
# (kg/bootstrap.py).
OLD_LAYOUT_COUNT = sparql_prefixes("cg") + """
SELECT (COUNT(DISTINCT ?sel) AS ?n) WHERE {
  GRAPH ?g { ?sel a cg:InputSelection ; cg:excluded ?cube } GRAPH ?c { ?cube a cg:DataCube }
}"""

OLD_LAYOUT_UPGRADE = sparql_prefixes("cg") + """
DELETE { GRAPH ?g { ?sel cg:excluded ?cube } } INSERT { GRAPH ?g { ?sel cg:excludedCube ?cube } }
WHERE { GRAPH ?g { ?sel a cg:InputSelection ; cg:excluded ?cube } GRAPH ?c { ?cube a cg:DataCube } }"""
