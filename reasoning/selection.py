"""Compile a job spec into concrete (cube, variable) inputs, each with the reason it was chosen.

The queries below run over the store's default graph, the union of every named graph:
asserted descriptions *and* the inferred graph written by
:mod:`cubegraph.reasoning.materialize` (class memberships such as "this variable is a
cg:FireDangerDriver" are inferred there). User values travel as bindings, never as text.

Selection steps:

1. the target: the job's variable, or every variable measuring an individual of the
   target phenomenon class; the first one (by IRI) whose cube fits region, period and
   resolution becomes the target;
2. candidates: members of each driver class, explicit driver variables, ``include`` entries;
3. leakage guard: the target and every variable derived from it (``prov:wasDerivedFrom+``),
   and any other variable measuring the target phenomenon, are excluded;
4. compatibility: a candidate's cube must overlap the target cube's grid (else it cannot be
   aligned), the region and the period, and have the job's (else the target's) temporal
   resolution; otherwise it is excluded naming the
   constraint; ``exclude`` entries are excluded last;
5. neighbours: every other variable of the target's cube and of the chosen inputs' cubes
   is reported too, with why it was left out (a leak, or not a member of the driver
   classes), so a reader sees what was dropped as well as what was kept. Where the demo
   ground truth marks a variable as a distractor, the reason says so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, XSD

from cubegraph.ontology.namespaces import CG
from cubegraph.reasoning.errors import EmptySelection, UnknownTerm
from cubegraph.reasoning.jobs import PREFIXES, JobSpec, job_to_rdf

__all__ = ["Selection", "SelectedInput", "Excluded", "select_inputs", "record_selection"]

_PREFIXES = """PREFIX cg: <https://w3id.org/cubegraph/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
#: Is ?term a class of the ontology?
SELECT_CLASS = _PREFIXES + "SELECT ?term WHERE { ?term a owl:Class } LIMIT 1"
#: Is ?term a variable of some cube?
SELECT_VARIABLE = _PREFIXES + "SELECT ?term ?cube WHERE { ?cube cg:hasVariable ?term } LIMIT 1"
#: Variables measuring an individual of phenomenon class ?cls (memberships may be inferred).
SELECT_MEASURING = _PREFIXES + """SELECT DISTINCT ?cls ?cube ?var ?obs WHERE {
  ?obs a ?cls .
  ?var cg:measures ?obs .
  ?cube cg:hasVariable ?var .
}"""
#: Members of a driver class ?cls (asserted or inferred), with what they measure.
SELECT_MEMBERS = _PREFIXES + """SELECT DISTINCT ?cls ?cube ?var ?obs WHERE {
  ?var a ?cls .
  ?cube cg:hasVariable ?var .
  OPTIONAL { ?var cg:measures ?obs }
}"""
#: Members of ?cls whose membership is asserted in some graph other than the inferred one.
SELECT_ASSERTED_MEMBERS = _PREFIXES + """SELECT DISTINCT ?cls ?inferred ?var WHERE {
  GRAPH ?g { ?var a ?cls }
  FILTER (?g != ?inferred)
}"""
#: Variables derived from ?target, transitively (the leakage guard).
SELECT_DERIVED = _PREFIXES + """SELECT DISTINCT ?target ?var WHERE {
  ?var prov:wasDerivedFrom+ ?target .
}"""
#: Every variable of cube ?cube, with what it measures and whether demo ground truth calls it a
#: distractor (to say why the variables next to the chosen ones were left out).
SELECT_CUBE_VARIABLES = _PREFIXES + """SELECT ?cube ?var ?obs ?distractor WHERE {
  ?cube cg:hasVariable ?var .
  OPTIONAL { ?var cg:measures ?obs }
  OPTIONAL { ?var cg:isDistractor ?distractor }
}"""
#: Every cube's extent, period and temporal resolution (checked in Python to give reasons).
SELECT_CUBES = _PREFIXES + """SELECT ?cube ?w ?s ?e ?n ?start ?end ?res WHERE {
  ?cube a cg:DataCube .
  OPTIONAL { ?cube cg:westBound ?w ; cg:southBound ?s ; cg:eastBound ?e ; cg:northBound ?n }
  OPTIONAL { ?cube dct:temporal ?t . OPTIONAL { ?t dcat:startDate ?start } OPTIONAL { ?t dcat:endDate ?end } }
  OPTIONAL { ?cube dcat:temporalResolution ?res }
}"""
#: The asserted phenomenon class of each observable (from the ontology graph), for reasons.
SELECT_OBS_CLASSES = _PREFIXES + """SELECT ?onto ?obs ?cls WHERE {
  GRAPH ?onto { ?obs a ?cls . ?cls rdfs:subClassOf+ cg:Phenomenon }
}"""


@dataclass(frozen=True)
class SelectedInput:
    """One chosen input and why."""

    cube: URIRef
    variable: URIRef
    reason: str


@dataclass(frozen=True)
class Excluded:
    """One refused candidate and the constraint that refused it."""

    variable: URIRef
    reason: str
    constraint: str = ""


@dataclass
class Selection:
    """The concrete inputs of a job.

    Attributes:
        job: the job spec.
        target: (cube, variable) of the target.
        inputs: the selected drivers.
        excluded: refused candidates with reasons.
        sparql: the SPARQL text that ran (in order), for audit and replay.
    """

    job: JobSpec
    target: tuple[URIRef, URIRef]
    inputs: list[SelectedInput] = field(default_factory=list)
    excluded: list[Excluded] = field(default_factory=list)
    sparql: str = ""

    def to_json(self) -> dict:
        """``{"target", "inputs", "excluded", "sparql"}`` with IRIs as strings."""
        return {
            "job": self.job.id,
            "target": {"cube": str(self.target[0]), "variable": str(self.target[1]),
                       "horizon": self.job.horizon},
            "inputs": [{"cube": str(i.cube), "variable": str(i.variable), "reason": i.reason}
                       for i in self.inputs],
            "excluded": [{"variable": str(e.variable), "reason": e.reason} for e in self.excluded],
            "sparql": self.sparql,
        }


@dataclass
class _Cube:
    bbox: tuple | None
    start: dt.date | None
    end: dt.date | None
    resolution: str | None


def select_inputs(store, job: JobSpec) -> Selection:
    """Compile a job into its inputs over asserted + inferred triples.

    Args:
        store: a :class:`cubegraph.kg.Store`, materialised (see :func:`materialize`).
        job: a :class:`JobSpec` from :func:`load_job`.

    Returns:
        The :class:`Selection`.

    Raises:
        UnknownTerm: a class or variable IRI of the job is unknown to the graph.
        EmptySelection: no target data in the job's region/period, or no driver left;
            the message names the constraint that emptied the set.
    """
    ran: list[str] = []

    def q(text, **bindings):
        ran.append(text)
        return _rows(store, text, bindings)

    _check_terms(store, job, q)
    cubes = {r["cube"]: _cube(r) for r in q(SELECT_CUBES)}
    obs_class = {r["obs"]: r["cls"] for r in q(SELECT_OBS_CLASSES, onto=store.iris.ontology_graph)}

    # 1. the target
    if job.target_variable is not None:
        rows = q(SELECT_VARIABLE, term=job.target_variable)
        candidates = [(rows[0]["cube"], job.target_variable)]
    else:
        rows = q(SELECT_MEASURING, cls=job.target_class)
        candidates = sorted({(r["cube"], r["var"]) for r in rows})
        if not candidates:
            raise EmptySelection(f"no variable in the graph measures a {_curie(job.target_class)}: "
                                 "ingest a cube with the target (or run 'cubegraph reason' if the "
                                 "inferred graph is stale)", constraint="target")
    target, why_not = None, []
    for cube, var in candidates:
        problem = _misfit(cubes.get(cube), job, job.temporal_resolution)
        if problem is None:
            target = (cube, var)
            break
        why_not.append((var, problem))
    if target is None:
        var, (constraint, text) = why_not[0]
        raise EmptySelection(f"no target {_curie(job.target)} has data for job '{job.id}': "
                             f"<{var}>: {text}", constraint=constraint)
    resolution = job.temporal_resolution or cubes[target[0]].resolution

    # 2. candidates with their reason
    found: dict[URIRef, tuple[URIRef, str]] = {}
    for cls in job.driver_classes:
        stated = {r["var"] for r in q(SELECT_ASSERTED_MEMBERS, cls=cls, inferred=store.iris.inferred_graph)}
        for r in q(SELECT_MEMBERS, cls=cls):
            if r["var"] in found:
                continue
            r["asserted"] = r["var"] in stated
            found[r["var"]] = (r["cube"], (r, cls))
    for var in (*job.driver_variables, *job.include):
        if var in job.driver_classes:
            continue
        rows = q(SELECT_VARIABLE, term=var)
        if rows:
            found.setdefault(var, (rows[0]["cube"], None))

    # 3. leakage: the target, what derives from it, and whatever else measures the target
    leaks = {target[1]: "is the target"}
    for r in q(SELECT_DERIVED, target=target[1]):
        leaks.setdefault(r["var"], f"derived from the target <{target[1]}> (prov:wasDerivedFrom+): leakage")
    if job.target_class is not None:
        for cube, var in candidates:
            leaks.setdefault(var, f"measures the target phenomenon {_curie(job.target_class)}: leakage")

    # 4. compatibility, then the job's own exclusions
    excluded_terms = set(job.exclude)
    selection = Selection(job=job, target=target)
    target_cube = cubes.get(target[0])
    for var in sorted(found):
        cube, reason = found[var]
        # Order of reasons: true leakage (the target, what derives from it), the job's own
        # exclusions, the job's region/period/resolution, then the target's grid.
        if var in leaks and not leaks[var].startswith("measures the target"):
            selection.excluded.append(Excluded(var, leaks[var], "leakage"))
            continue
        if var in excluded_terms or cube in excluded_terms:
            selection.excluded.append(Excluded(var, "excluded by the job spec", "exclude"))
            continue
        problem = _misfit(cubes.get(cube), job, resolution)
        if problem is not None:
            selection.excluded.append(Excluded(var, problem[1], problem[0]))
            continue
        grid = _grid_misfit(cubes.get(cube), target_cube) if cube != target[0] else None
        if grid is not None:
            selection.excluded.append(Excluded(var, grid, "grid"))
            continue
        if var in leaks:
            selection.excluded.append(Excluded(var, leaks[var], "leakage"))
            continue
        text = "named in the job spec" if reason is None else _reason(*reason, obs_class)
        selection.inputs.append(SelectedInput(cube, var, text))

    # 5. neighbours: what else the cubes in play hold, and why it was not taken
    drivers = ", ".join(_curie(c) for c in job.driver_classes) or "the job's drivers"
    in_play = sorted({target[0], *(i.cube for i in selection.inputs)})
    distractors = set()
    for cube in in_play:
        for r in q(SELECT_CUBE_VARIABLES, cube=cube):
            var = r["var"]
            if r["distractor"] in ("true", "1"):
                distractors.add(var)
            if var in found:
                continue
            if var in leaks:
                selection.excluded.append(Excluded(var, leaks[var], "leakage"))
            elif r["obs"] is None:
                selection.excluded.append(Excluded(
                    var, "measures nothing the ontology knows (no cg:measures): not one of "
                    f"{drivers}", "drivers"))
            else:
                name = str(r["obs"]).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
                oc = obs_class.get(r["obs"])
                what = f"{name}, a {_curie(oc)}" if oc is not None else name
                selection.excluded.append(Excluded(
                    var, f"measures {what}: not one of {drivers}", "drivers"))
    for i, item in enumerate(selection.inputs):
        if item.variable in distractors:
            selection.inputs[i] = SelectedInput(
                item.cube, item.variable,
                item.reason + "; the demo ground truth plants no effect for it (a distractor)")
    for i, item in enumerate(selection.excluded):
        if item.variable in distractors and "distractor" not in item.reason:
            selection.excluded[i] = Excluded(
                item.variable, item.reason + " (a distractor in the demo ground truth)", item.constraint)
    selection.sparql = "\n\n".join(dict.fromkeys(ran))
    if not selection.inputs:
        counts = Counter(e.constraint for e in selection.excluded)
        if not counts:
            raise EmptySelection(f"job '{job.id}' names no driver that the graph knows "
                                 f"(drivers: {', '.join(_curie(c) for c in job.driver_classes) or 'none'})",
                                 constraint="drivers")
        constraint, n = counts.most_common(1)[0]
        example = next(e for e in selection.excluded if e.constraint == constraint)
        raise EmptySelection(f"every candidate driver of job '{job.id}' was eliminated; "
                             f"'{constraint}' removed {n} of {len(selection.excluded)}, e.g. "
                             f"<{example.variable}>: {example.reason}", constraint=constraint)
    return selection


def _check_terms(store, job: JobSpec, q) -> None:
    for cls in (job.target_class, *job.driver_classes):
        if cls is not None and not q(SELECT_CLASS, term=cls):
            raise UnknownTerm(f"unknown class {_curie(cls)}: the ontology declares no such owl:Class")
    for var in (job.target_variable, *job.driver_variables, *job.include):
        if var is not None and not q(SELECT_VARIABLE, term=var) and not q(SELECT_CLASS, term=var):
            raise UnknownTerm(f"unknown variable <{var}>: no cube in the graph has it (cg:hasVariable)")


def _grid_misfit(cube: _Cube | None, target: _Cube | None) -> str | None:
    """``None`` when the cube's extent overlaps the target cube's (so it can be aligned)."""
    if cube is None or target is None or cube.bbox is None or target.bbox is None:
        return None
    w, s, e, n = cube.bbox
    tw, ts, te, tn = target.bbox
    if w > te or e < tw or s > tn or n < ts:
        return (f"extent [{w}, {s}, {e}, {n}] does not overlap the target's grid "
                f"[{tw}, {ts}, {te}, {tn}]: it cannot be aligned to the target")
    return None


def _misfit(cube: _Cube | None, job: JobSpec, resolution: str | None):
    """``None`` when the cube fits the job, else (constraint, message).

    A cube whose extent, period or time step is unknown does not fit: nothing proves it
    covers the job, and a model cannot be fed from it (say so rather than guess).
    """
    if cube is None:
        return "cube", "its cube has no description"
    if cube.bbox is None:
        return "region", "its cube has no known spatial extent, so the job region cannot be checked"
    w, s, e, n = cube.bbox
    jw, js, je, jn = job.bbox
    if w > je or e < jw or s > jn or n < js:
        return "region", f"extent [{w}, {s}, {e}, {n}] does not overlap the job region {list(job.bbox)}"
    if cube.start is None or cube.end is None:
        return "period", "its cube has no known period, so the job period cannot be checked"
    if cube.end < job.start or cube.start > job.end:
        return "period", (f"period {cube.start}..{cube.end} does not overlap the job period "
                          f"{job.period_text()}")
    if resolution and cube.resolution is None:
        return "resolution", f"its cube has no time axis with a regular step; the job needs {resolution}"
    if resolution and cube.resolution != resolution:
        return "resolution", f"temporal resolution {cube.resolution} differs from {resolution}"
    return None


def _cube(row) -> _Cube:
    bbox = None
    if row["w"] is not None:
        bbox = tuple(float(row[k]) for k in ("w", "s", "e", "n"))
    return _Cube(bbox, _day(row["start"]), _day(row["end"]),
                 str(row["res"]) if row["res"] is not None else None)


def _day(value) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _rows(store, text: str, bindings: dict) -> list[dict]:
    """SELECT rows as rdflib terms, read through pyoxigraph's native JSON results writer.

    Converting tens of thousands of rows term by term in Python costs seconds (IRI
    validation in rdflib); the JSON writer and ``json.loads`` are both native code.
    """
    raw = json.loads(store.query(text, bindings=bindings).serialize("json"))
    names = raw["head"]["vars"]
    return [{n: _term(b.get(n)) for n in names} for b in raw["results"]["bindings"]]


def _term(value):
    # Values come from the store, so IRIs are already valid: skip rdflib's re-validation
    # (the bulk of the cost at 10,000 cubes). Literals stay plain strings: selection only
    # reads their lexical form (numbers, dates, durations, booleans).
    if value is None:
        return None
    if value["type"] == "uri":
        return str.__new__(URIRef, value["value"])
    if value["type"] == "bnode":
        return BNode(value["value"])
    return value["value"]


def _reason(row, cls, obs_class) -> str:
    how = "asserted" if row["asserted"] else "inferred"
    obs = row["obs"]
    if obs is None:
        return f"a {_curie(cls)} ({how})"
    name = str(obs).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    oc = obs_class.get(obs)
    if oc is None:
        return f"measures {name}, hence a {_curie(cls)} ({how})"
    return f"measures {name}, a {_curie(oc)}, hence a {_curie(cls)} ({how})"


@lru_cache(maxsize=4096)
def _curie(iri) -> str:
    text = str(iri)
    for prefix, ns in PREFIXES.items():
        if text.startswith(ns):
            return f"{prefix}:{text[len(ns):]}"
    return f"<{text}>"


def record_selection(store, job: JobSpec, selection: Selection) -> URIRef:
    """Write the job (its own graph) and the selection as a ``cg:InputSelection`` (its own graph).

    Both land in one transaction. The selection's IRI (and graph) is
    ``{job}/selection/{hash}``, the hash of its JSON, so recording the same outcome twice
    writes the same triples.

    Returns:
        The IRI of the selection (also its named graph).
    """
    job_iri = store.iris.job(job.id)
    body = json.dumps(selection.to_json(), sort_keys=True)
    sel = URIRef(f"{job_iri}/selection/{hashlib.sha1(body.encode()).hexdigest()[:16]}")
    g = Graph()
    g.add((sel, RDF.type, CG.InputSelection))
    g.add((sel, RDF.type, PROV.Entity))
    g.add((sel, PROV.wasDerivedFrom, job_iri))
    g.add((sel, PROV.generatedAtTime, Literal(dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                                               datatype=XSD.dateTime)))
    g.add((sel, CG.target, selection.target[1]))
    g.add((sel, CG.selectionQuery, Literal(selection.sparql)))
    for kind, items in (("input", selection.inputs), ("excluded", selection.excluded)):
        for i, item in enumerate(items):
            node = URIRef(f"{sel}/{kind}/{i}")
            g.add((sel, CG.selected if kind == "input" else CG.excluded, item.variable))
            g.add((node, RDF.type, PROV.Entity))
            g.add((node, DCTERMS.isPartOf, sel))
            g.add((node, PROV.wasDerivedFrom, item.variable))
            g.add((node, CG.reason, Literal(item.reason)))
    with store.transaction() as tx:
        tx.replace_graph(job_iri, job_to_rdf(job, store.iris))
        tx.replace_graph(sel, g)
    return sel
