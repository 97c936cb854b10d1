"""Compile a job spec into concrete (cube, variable) inputs, each with the reason it was chosen.

Over 400 lines: one compiler, ``_select``, runs the five steps below over shared state (the
cubes read, the candidates, the reasons given); the checks and the record writer are its
small helpers.

The queries it runs (:mod:`cubegraph.kg.records.selection`) run over the store's default graph, the union of every named graph:
asserted descriptions *and* the inferred graph written by
:mod:`cubegraph.reasoning.materialize` (class memberships such as "this variable is a
cg:FireDangerDriver" are inferred there). User values travel as bindings, never as text.

Selection steps:

1. the target: the job's variable, or every variable measuring an individual of the
   target phenomenon class; the first one (by IRI) whose cube fits region, period and
   resolution becomes the target;
2. candidates: members of each driver class, explicit driver variables, ``include`` entries.
   The region/period/resolution test runs inside SPARQL (:data:`SELECT_FITTING`), so only
   the cubes that fit the job come back row by row; the members of every other cube come
   back as ONE row per cube (:data:`SELECT_UNFIT`: the cube's extent, period and step, and
   its candidates), and are reported as one :class:`Excluded` entry per cube and
   constraint, with the count and a few of the variables;
3. leakage guard: the target and every variable derived from it (``prov:wasDerivedFrom+``),
   and any other variable measuring the target phenomenon, are excluded;
4. compatibility: a candidate's cube must overlap the target cube's grid (else it cannot be
   aligned), the region and the period, and have the job's (else the target's) temporal
   resolution; otherwise it is excluded naming the constraint (the SPARQL test is checked
   again in Python on what it lets through, which also words the reasons). ``exclude``
   entries of the job are refused before these checks (only the target and what derives
   from it come first), so they are reported as excluded by the job spec;
5. neighbours: every other variable of the target's cube and of the chosen inputs' cubes
   is reported too, with why it was left out (a leak, or not a member of the driver
   classes), so a reader sees what was dropped as well as what was kept. Where the demo
   ground truth marks a variable as a distractor, the reason says so.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache

from rdflib import URIRef

from cubegraph.kg.records._sparql import fast_rows, fast_table
from cubegraph.kg.records.job import job_graph
from cubegraph.kg.records.selection import (
    SELECT_CLASS,
    SELECT_CUBE,
    SELECT_CUBE_VARIABLES,
    SELECT_DERIVED,
    SELECT_FITTING,
    SELECT_MEASURING,
    SELECT_OBS_CLASSES,
    SELECT_UNFIT,
    SELECT_VARIABLE,
    selection_graph,
    selection_iri,
)
from cubegraph.ontology.namespaces import curie, local_name
from cubegraph.reasoning.errors import EmptySelection, UnknownTerm
from cubegraph.reasoning.jobs import JobSpec
from cubegraph.reasoning.rules import paused_gc

__all__ = ["Selection", "SelectedInput", "Excluded", "select_inputs", "record_selection"]

#: How many of a refused cube's variables an :class:`Excluded` entry names.
EXAMPLES = 3


@dataclass(frozen=True)
class SelectedInput:
    """One chosen input and why."""

    cube: URIRef
    variable: URIRef
    reason: str


@dataclass(frozen=True)
class Excluded:
    """One refused candidate (or every candidate of one cube) and the constraint that refused it.

    Attributes:
        variable: the refused variable; for a per-cube entry, the cube.
        reason: why, in words (a per-cube entry ends with the count and a few variables).
        constraint: ``leakage``, ``exclude``, ``cube``, ``region``, ``period``,
            ``resolution``, ``grid`` or ``drivers``.
        cube: set on a per-cube entry: the cube whose candidates were all refused at once
            (by region, period, resolution, grid, an unusable description, or ``exclude``).
        count: how many candidates the entry stands for (1 for a variable).
        examples: a few of those candidates (sorted), for a per-cube entry.
    """

    variable: URIRef
    reason: str
    constraint: str = ""
    cube: URIRef | None = None
    count: int = 1
    examples: tuple = ()


@dataclass
class Selection:
    """The concrete inputs of a job.

    Attributes:
        job: the job spec.
        target: (cube, variable) of the target.
        inputs: the selected drivers.
        excluded: refused candidates with reasons (per variable, or per cube: see
            :class:`Excluded`).
        sparql: the SPARQL text that ran, each distinct query once in the order it first
            ran, for audit and replay.
    """

    job: JobSpec
    target: tuple[URIRef, URIRef]
    inputs: list[SelectedInput] = field(default_factory=list)
    excluded: list[Excluded] = field(default_factory=list)
    sparql: str = ""

    @property
    def excluded_candidates(self) -> int:
        """How many candidates were refused (per-cube entries count all their variables)."""
        return sum(e.count for e in self.excluded)

    def to_json(self) -> dict:
        """``{"target", "inputs", "excluded", "sparql"}`` with IRIs as strings.

        Each excluded entry has ``variable``, ``reason`` and ``constraint``; a per-cube entry
        also ``cube``, ``count`` and ``examples``.
        """
        excluded = []
        for e in self.excluded:
            item = {"variable": str(e.variable), "reason": e.reason, "constraint": e.constraint}
            if e.cube is not None:
                item.update(cube=str(e.cube), count=e.count, examples=[str(v) for v in e.examples])
            excluded.append(item)
        return {
            "job": self.job.id,
            "target": {"cube": str(self.target[0]), "variable": str(self.target[1]),
                       "horizon": self.job.horizon},
            "inputs": [{"cube": str(i.cube), "variable": str(i.variable), "reason": i.reason}
                       for i in self.inputs],
            "excluded": excluded,
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
    with paused_gc():  # tens of thousands of short-lived rows, no cycles
        return _select(store, job)


def _select(store, job: JobSpec) -> Selection:
    ran: list[str] = []

    def q(text, **bindings):
        ran.append(text)
        return fast_rows(store, text, bindings)

    def table(text, iris, **bindings):
        ran.append(text)
        return fast_table(store, text, bindings, iris)

    _check_terms(store, job, q)
    obs_class = {r["obs"]: r["cls"] for r in q(SELECT_OBS_CLASSES, onto=store.iris.ontology_graph)}
    cubes: dict[URIRef, _Cube | None] = {}

    def cube_of(cube) -> _Cube | None:
        if cube not in cubes:
            rows = q(SELECT_CUBE, cube=cube)
            cubes[cube] = _cube(rows[0]) if rows else None
        return cubes[cube]

    # 1. the target
    if job.target_variable is not None:
        rows = q(SELECT_VARIABLE, term=job.target_variable)
        candidates = [(rows[0]["cube"], job.target_variable)]
    else:
        rows = q(SELECT_MEASURING, cls=job.target_class)
        candidates = sorted({(r["cube"], r["var"]) for r in rows}, key=lambda cv: (str(cv[0]), str(cv[1])))
        if not candidates:
            raise EmptySelection(f"no variable in the graph measures a {_curie(job.target_class)}: "
                                 "ingest a cube with the target (or run 'cubegraph reason' if the "
                                 "inferred graph is stale)", constraint="target")
    target, why_not = None, []
    for cube, var in candidates:
        problem = _misfit(cube_of(cube), job, job.temporal_resolution)
        if problem is None:
            target = (cube, var)
            break
        why_not.append((var, problem))
    if target is None:
        var, (constraint, text) = why_not[0]
        raise EmptySelection(f"no target {_curie(job.target)} has data for job '{job.id}': "
                             f"<{var}>: {text}", constraint=constraint)
    target_cube = cubes[target[0]]
    resolution = job.temporal_resolution or target_cube.resolution

    # 2. candidates with their reason: members in cubes that fit the job (row by row), and
    #    members in cubes that do not (one row per cube)
    fit = {"jobWest": float(job.bbox[0]), "jobSouth": float(job.bbox[1]),
           "jobEast": float(job.bbox[2]), "jobNorth": float(job.bbox[3]),
           "jobStart": job.start.isoformat(), "jobEnd": job.end.isoformat(), "jobStep": resolution or ""}
    found: dict[URIRef, tuple[URIRef, object]] = {}
    unfit: dict[URIRef, dict] = {}  # cube -> its candidates (ordered set)
    cube_vars: dict[URIRef, list[dict]] = {}  # variables of the cubes that fit (for step 5)
    for k, cls in enumerate(job.driver_classes):
        for r in table(SELECT_FITTING, ("cube", "var", "obs"), cls=cls,
                       inferred=store.iris.inferred_graph, **fit):
            cube, var = r["cube"], r["var"]
            if cube not in cubes:
                cubes[cube] = _cube(r)
            if k == 0:
                cube_vars.setdefault(cube, []).append(r)
            if r["member"] == "true" and var not in found:
                r["asserted"] = r["asserted"] == "true"
                found[var] = (cube, (r, cls))
        for r in table(SELECT_UNFIT, ("cube",), cls=cls, **fit):
            cube = r["cube"]
            if cube not in cubes:
                cubes[cube] = _cube(r)
            # Plain strings (sorted and counted natively): only a few become URIRefs.
            unfit.setdefault(cube, {}).update(dict.fromkeys((r["vars"] or "").split()))
    refused_elsewhere = {v for members in unfit.values() for v in members}
    for var in (*job.driver_variables, *job.include):
        if var in job.driver_classes or var in found or str(var) in refused_elsewhere:
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

    # 4. compatibility, then the job's own exclusions. Order of reasons: true leakage (the
    #    target, what derives from it), the job's own exclusions, the job's region/period/
    #    resolution, then the target's grid, then "measures the target phenomenon".
    excluded_terms = set(job.exclude)
    selection = Selection(job=job, target=target)
    per_cube: dict[tuple, list] = {}  # (cube, constraint, text) -> variables refused together

    def refuse(var, cube, problem=None) -> bool:
        """Exclude ``var`` for a variable-level reason, or file it under its cube's."""
        if var in leaks and not leaks[var].startswith("measures the target"):
            selection.excluded.append(Excluded(var, leaks[var], "leakage"))
        elif var in excluded_terms:
            selection.excluded.append(Excluded(var, "excluded by the job spec", "exclude"))
        elif cube in excluded_terms:
            per_cube.setdefault((cube, "exclude", "excluded by the job spec"), []).append(var)
        elif problem is not None:
            per_cube.setdefault((cube, *problem), []).append(var)
        else:
            return False
        return True

    for var in sorted(found):
        cube, reason = found[var]
        problem = _misfit(cube_of(cube), job, resolution)
        if problem is None and cube != target[0]:
            grid = _grid_misfit(cubes.get(cube), target_cube)
            problem = ("grid", grid) if grid is not None else None
        if refuse(var, cube, problem):
            continue
        if var in leaks:
            selection.excluded.append(Excluded(var, leaks[var], "leakage"))
            continue
        text = "named in the job spec" if reason is None else _reason(*reason, obs_class)
        selection.inputs.append(SelectedInput(cube, var, text))
    # Variables that a variable-level reason (or a fitting cube) claims first; the other
    # candidates of a cube that does not fit are filed under its cube in one go.
    claimed = {str(v) for v in (*leaks, *excluded_terms, *found)}
    for cube in sorted(unfit, key=str):
        problem = _misfit(cubes.get(cube), job, resolution) or (
            "cube", "its extent, period or time step cannot be compared with the job's "
                    "(several values, or values of an unexpected type)")
        members = sorted(unfit[cube])
        if cube in excluded_terms or not claimed.isdisjoint(members):
            for var in map(URIRef, members):
                if var not in found:
                    refuse(var, cube, problem)
        else:
            per_cube.setdefault((cube, *problem), []).extend(members)
    for (cube, constraint, text), variables in sorted(per_cube.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
        n = len(variables)
        names = ", ".join(local_name(v) for v in variables[:EXAMPLES])
        more = f"{n} candidates in this cube, e.g. {names}" if n > EXAMPLES else \
            f"{n} candidate{'s' if n > 1 else ''} in this cube: {names}"
        selection.excluded.append(Excluded(cube, f"{text}; {more}", constraint, cube=cube, count=n,
                                           examples=tuple(str.__new__(URIRef, v) for v in variables[:EXAMPLES])))

    # 5. neighbours: what else the cubes in play hold, and why it was not taken
    drivers = ", ".join(_curie(c) for c in job.driver_classes) or "the job's drivers"
    in_play = sorted({target[0], *(i.cube for i in selection.inputs)})
    distractors = set()
    for cube in in_play:
        rows = cube_vars.get(cube)
        if rows is None:
            rows = q(SELECT_CUBE_VARIABLES, cube=cube)
        for r in rows:
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
                name = local_name(r["obs"])
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
            selection.excluded[i] = replace(item, reason=item.reason + " (a distractor in the demo ground truth)")
    selection.sparql = "\n\n".join(dict.fromkeys(ran))
    if not selection.inputs:
        counts = Counter()
        for e in selection.excluded:
            counts[e.constraint] += e.count
        if not counts:
            raise EmptySelection(f"job '{job.id}' names no driver that the graph knows "
                                 f"(drivers: {', '.join(_curie(c) for c in job.driver_classes) or 'none'})",
                                 constraint="drivers")
        constraint, n = counts.most_common(1)[0]
        example = next(e for e in selection.excluded if e.constraint == constraint)
        raise EmptySelection(f"every candidate driver of job '{job.id}' was eliminated; "
                             f"'{constraint}' removed {n} of {selection.excluded_candidates}, e.g. "
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
    """``None`` when the cube's extent overlaps the target cube's (so it can be aligned), or
    when either extent is unknown (:func:`_misfit` has refused such a cube already)."""
    if cube is None or target is None or cube.bbox is None or target.bbox is None:
        return None
    if not _overlaps(cube.bbox, target.bbox):
        w, s, e, n = cube.bbox
        tw, ts, te, tn = target.bbox
        return (f"extent [{w}, {s}, {e}, {n}] does not overlap the target's grid "
                f"[{tw}, {ts}, {te}, {tn}]: it cannot be aligned to the target")
    return None


def _overlaps(bbox: tuple, other: tuple) -> bool:
    """True when two (west, south, east, north) extents share at least a point."""
    w, s, e, n = bbox
    other_w, other_s, other_e, other_n = other
    return not (w > other_e or e < other_w or s > other_n or n < other_s)


def _misfit(cube: _Cube | None, job: JobSpec, resolution: str | None):
    """``None`` when the cube fits the job, else (constraint, message).

    A cube whose extent or period is unknown does not fit, nor one without a known time
    step when ``resolution`` is required: nothing proves it covers the job, and a model
    cannot be fed from it (say so rather than guess).
    """
    if cube is None:
        return "cube", "its cube has no description"
    if cube.bbox is None:
        return "region", "its cube has no known spatial extent, so the job region cannot be checked"
    if not _overlaps(cube.bbox, job.bbox):
        w, s, e, n = cube.bbox
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


def _cube(row) -> _Cube | None:
    """A cube's extent, period and step from a row of :data:`_CUBE_INFO` columns."""
    if row.get("described", "true") not in ("true", "1", True):
        return None
    bbox = None
    if all(row.get(k) is not None for k in ("w", "s", "e", "n")):
        try:
            bbox = tuple(float(row[k]) for k in ("w", "s", "e", "n"))
        except ValueError:
            bbox = None
    return _Cube(bbox, _day(row.get("start")), _day(row.get("end")),
                 str(row["res"]) if row.get("res") is not None else None)


def _day(value) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _reason(row, cls, obs_class) -> str:
    how = "asserted" if row["asserted"] else "inferred"
    obs = row["obs"]
    if obs is None:
        return f"a {_curie(cls)} ({how})"
    name = local_name(obs)
    oc = obs_class.get(obs)
    if oc is None:
        return f"measures {name}, hence a {_curie(cls)} ({how})"
    return f"measures {name}, a {_curie(oc)}, hence a {_curie(cls)} ({how})"


@lru_cache(maxsize=4096)
def _curie(iri) -> str:
    return curie(iri)


def record_selection(store, job: JobSpec, selection: Selection) -> URIRef:
    """Write the job (its own graph) and the selection as a ``cg:InputSelection`` (its own graph).

    Both land in one transaction. The selection's IRI (and graph) is
    ``{job}/selection/{hash}``, the hash of its JSON, so recording the same outcome twice
    replaces the same graph (only its ``prov:generatedAtTime`` changes).

    Returns:
        The IRI of the selection (also its named graph).
    """
    job_iri = store.iris.job(job.id)
    sel = selection_iri(job_iri, json.dumps(selection.to_json(), sort_keys=True))
    g = selection_graph(sel, job_iri, selection.target[1], selection.sparql,
                        selection.inputs, selection.excluded)
    with store.transaction() as tx:
        tx.replace_graph(job_iri, job_graph(job.record(), store.iris))
        tx.replace_graph(sel, g)
    return sel
