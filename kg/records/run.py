"""The run noun: a model run, recorded with ML-Schema and PROV-O.

Over 400 lines: the run noun whole, its write (``run_graph``) and its reads (``read_run``,
``list_runs``, ``run_inputs``), so the layout a run is written in and the queries that read
it back change together.

A run lives in its own named graph, ``{base}run/{id}`` (the run's IRI), written once, whole,
when the run ends (succeeded or failed). Layout (``{run}`` = ``iris.run(id)``)::

    {run}                          cg:ModelRun, mls:Run, prov:Activity: cg:status, start and end,
                                   software version, host, seed, the job spec (JSON), labels,
                                   prov:used / mls:hasInput each input variable, cg:target,
                                   cg:baseline each baseline, prov:used the job, the selection
                                   and each cube, cg:selectionQuery, cg:errorMessage (failed)
    {run}/hyperparameter/{name}    mls:HyperParameterSetting: rdfs:label, mls:hasValue
    {run}/model                    cg:Model, mls:Model, prov:Entity: label, description,
                                   cg:sha256, cg:byteSize, cg:sourcePath of the model file
    {run}/feature/{name}           mls:Feature, prov:Entity: cg:method, dct:description,
                                   prov:wasDerivedFrom its input variable
    {run}/evaluation/{row}/{split}/{measure}
                                   cg:Evaluation, mls:ModelEvaluation: mls:specifiedBy the
                                   measure ({base}measure/{name}), mls:hasValue, cg:split,
                                   cg:baselineOf the model's evaluation (baseline rows)
    {run}/chart                    prov:Entity: the SHAP chart's file (dct:format, cg:sha256,
                                   cg:byteSize, cg:sourcePath), prov:wasGeneratedBy the run
    {run}/usage/{cube}             prov:Usage: prov:entity the cube, cg:fingerprint it had,
                                   prov:atTime, and the content digest of exactly the bytes
                                   the run read from it (cg:contentDigest, cg:contentAlgorithm,
                                   cg:contentManifest; :mod:`cubegraph.kg.records.content`)
    {run}/explanation, {run}/attribution/{name}   see :mod:`cubegraph.kg.records.attribution`

Output cubes (predictions, attributions) are described in their own graphs like any cube;
the run links them with ``prov:generated`` (and they ``prov:wasGeneratedBy`` the run).
"""

from __future__ import annotations

import json
import math
import numbers
from dataclasses import dataclass, field
from urllib.parse import unquote

from rdflib import Graph, Literal, URIRef

from cubegraph.kg.iris import Iris
from cubegraph.kg.records.content import ContentDigest
from cubegraph.kg.records._sparql import PREFIXES, number, text
from cubegraph.kg.records.attribution import Explanation, add_explanation, read_explanation
from cubegraph.ontology.namespaces import (
    CG, DCTERMS, MLS, PROV, RDF, RDFS, XSD, bind_prefixes, local_name,
)

__all__ = ["Run", "Model", "Chart", "Feature", "Evaluation", "Usage", "RunSummary", "RunInput",
           "MODEL_ROW", "run_graph", "read_run", "list_runs", "run_inputs", "run_usages", "literal",
           "run_iris"]

#: The row name of the model's own evaluations (every other row is a baseline).
MODEL_ROW = "model"


@dataclass(frozen=True)
class Model:
    """The trained model a run produced, and its file (``iri`` set when read back)."""

    label: str
    description: str = ""
    sha256: str | None = None
    byte_size: int | None = None
    path: str | None = None
    root_path: str | None = None
    iri: URIRef | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Chart:
    """A picture a run drew (the SHAP importance chart), recorded with its bytes' sha256 so
    an audit can check it (``iri`` set when read back)."""

    label: str
    sha256: str
    byte_size: int
    path: str
    root_path: str | None = None
    media_type: str = "image/png"
    iri: URIRef | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Feature:
    """One model input column and how it was derived from an input variable."""

    name: str
    operation: str
    description: str
    source: URIRef | None = None


@dataclass(frozen=True)
class Evaluation:
    """The value of one measure, for the model or a baseline (``row``), on one split."""

    row: str
    split: str
    measure: str
    value: float
    label: str = ""


@dataclass(frozen=True)
class Usage:
    """A cube as the run used it: the fingerprint(s) it had, when, and the digest of the
    stored bytes the run read from it (``None`` when they were not journaled)."""

    cube: URIRef
    fingerprints: tuple[str, ...] = ()
    at: str | None = None
    content: ContentDigest | None = None


@dataclass(frozen=True)
class Run:
    """A run as the graph holds it.

    Attributes:
        id: the run's id (its IRI is ``iris.run(id)``).
        status: ``"succeeded"`` or ``"failed"``.
        started / ended: ``xsd:dateTime`` text (UTC).
        software / host: cubegraph's version and the machine's name.
        labels: human labels of the run.
        seed: the random seed, when known.
        job_spec: the job as given (JSON text).
        inputs: IRIs of the input variables (and the target).
        comment: what could not be named by IRI (inputs without one).
        target: the target variable's IRI.
        hyperparameters: ``(name, value)`` pairs, sorted by name.
        model: the model, for a run that produced one.
        features: the model's input columns.
        evaluations: model and baseline evaluations.
        explanation: the explanation with its attributions.
        outputs: IRIs of the output cubes.
        error: the error of a failed run (``"Class: message"``).
        job / selection: IRIs of the job and of the selection that chose the inputs.
        selection_query: the SPARQL of that selection.
        usages: the cubes used, with their fingerprints at the time.
        chart: the chart the run drew, if any.
    """

    id: str
    status: str
    started: str
    ended: str
    software: str = ""
    host: str = ""
    labels: tuple[str, ...] = ()
    seed: int | None = None
    job_spec: str | None = None
    inputs: tuple[URIRef, ...] = ()
    comment: str | None = None
    target: URIRef | None = None
    hyperparameters: tuple[tuple[str, object], ...] = ()
    model: Model | None = None
    features: tuple[Feature, ...] = ()
    evaluations: tuple[Evaluation, ...] = ()
    explanation: Explanation | None = None
    outputs: tuple[URIRef, ...] = ()
    error: str | None = None
    job: URIRef | None = None
    selection: URIRef | None = None
    selection_query: str | None = None
    usages: tuple[Usage, ...] = field(default=())
    chart: Chart | None = None

    @property
    def baselines(self) -> tuple[str, ...]:
        """Names of the baseline rows, sorted."""
        return tuple(sorted({e.row for e in self.evaluations if e.row != MODEL_ROW}))


# --- writing ---------------------------------------------------------------------------------

def run_graph(run: Run, iris: Iris) -> Graph:
    """The run's triples (the content of its named graph ``iris.run(run.id)``).

    Returns:
        A new graph; nothing is written anywhere.
    """
    g = bind_prefixes(Graph(), "cg", "mls", "prov", "dct")
    r = iris.run(run.id)
    for cls in (CG.ModelRun, MLS.Run, PROV.Activity):
        g.add((r, RDF.type, cls))
    g.add((r, CG.status, Literal(run.status)))
    g.add((r, PROV.startedAtTime, Literal(run.started, datatype=XSD.dateTime)))
    g.add((r, PROV.endedAtTime, Literal(run.ended, datatype=XSD.dateTime)))
    g.add((r, CG.softwareVersion, Literal(run.software)))
    g.add((r, CG.host, Literal(run.host)))
    for label in run.labels:
        g.add((r, RDFS.label, Literal(label)))
    if run.seed is not None:
        g.add((r, CG.seed, Literal(int(run.seed), datatype=XSD.integer)))
    if run.job_spec is not None:
        g.add((r, CG.jobSpec, Literal(run.job_spec)))
    for iri in run.inputs:
        g.add((r, PROV.used, iri))
        g.add((r, MLS.hasInput, iri))
    if run.comment:
        g.add((r, RDFS.comment, Literal(run.comment)))
    if run.target is not None:
        g.add((r, CG.target, run.target))
    if run.error is not None:
        g.add((r, CG.errorMessage, Literal(run.error)))

    for name, value in run.hyperparameters:
        s = iris.in_run(run.id, "hyperparameter", name)
        g.add((s, RDF.type, MLS.HyperParameterSetting))
        g.add((s, RDFS.label, Literal(name)))
        g.add((s, MLS.hasValue, literal(value)))
        g.add((r, MLS.hasInput, s))

    if run.model is not None:
        _add_model(g, iris, run.id, run.model)
    if run.chart is not None:
        _add_chart(g, iris, run.id, run.chart)

    for f in run.features:
        node = iris.in_run(run.id, "feature", f.name)
        g.add((node, RDF.type, MLS.Feature))
        g.add((node, RDF.type, PROV.Entity))
        g.add((node, RDFS.label, Literal(f.name)))
        g.add((node, CG.method, Literal(f.operation)))
        g.add((node, DCTERMS.description, Literal(f.description)))
        if f.source is not None:
            g.add((node, PROV.wasDerivedFrom, f.source))
        g.add((node, PROV.wasGeneratedBy, r))

    for row in run.baselines:
        g.add((r, CG.baseline, Literal(row)))
    for e in run.evaluations:
        _add_evaluation(g, iris, run.id, e)

    if run.explanation is not None:
        add_explanation(g, iris, run.id, run.explanation)

    for out in run.outputs:
        g.add((out, PROV.wasGeneratedBy, r))
        g.add((r, PROV.generated, out))

    for iri in (run.selection, run.job):
        if iri is not None:
            g.add((r, PROV.used, iri))
    if run.selection_query is not None:
        g.add((r, CG.selectionQuery, Literal(run.selection_query)))
    for usage in run.usages:
        u = iris.in_run(run.id, "usage", str(usage.cube).rstrip("/").rsplit("/", 1)[-1])
        g.add((r, PROV.used, usage.cube))
        g.add((r, PROV.qualifiedUsage, u))
        g.add((u, RDF.type, PROV.Usage))
        g.add((u, PROV.entity, usage.cube))
        for fp in usage.fingerprints:
            g.add((u, CG.fingerprint, Literal(fp)))
        if usage.at is not None:
            g.add((u, PROV.atTime, Literal(usage.at, datatype=XSD.dateTime)))
        if usage.content is not None:
            g.add((u, CG.contentDigest, Literal(usage.content.root)))
            g.add((u, CG.contentAlgorithm, Literal(usage.content.algorithm)))
            g.add((u, CG.contentManifest, Literal(usage.content.to_text())))
    return g


def _add_model(g: Graph, iris: Iris, run_id: str, model: Model) -> None:
    r, m = iris.run(run_id), iris.in_run(run_id, "model")
    for cls in (CG.Model, MLS.Model, PROV.Entity):
        g.add((m, RDF.type, cls))
    g.add((m, RDFS.label, Literal(model.label)))
    g.add((m, PROV.wasGeneratedBy, r))
    g.add((r, MLS.hasOutput, m))
    if model.description:
        g.add((m, DCTERMS.description, Literal(model.description)))
    if model.sha256 is not None:
        g.add((m, CG.sha256, Literal(model.sha256)))
    if model.byte_size is not None:
        g.add((m, CG.byteSize, Literal(int(model.byte_size), datatype=XSD.integer)))
    if model.path is not None:
        g.add((m, CG.sourcePath, Literal(model.path)))
    if model.root_path is not None:
        g.add((m, CG.dataRootPath, Literal(model.root_path)))


def _add_chart(g: Graph, iris: Iris, run_id: str, chart: Chart) -> None:
    # Linked by prov:wasGeneratedBy only: the run's prov:generated are its output cubes.
    c = iris.in_run(run_id, "chart")
    g.add((c, RDF.type, PROV.Entity))
    g.add((c, RDFS.label, Literal(chart.label)))
    g.add((c, PROV.wasGeneratedBy, iris.run(run_id)))
    g.add((c, DCTERMS["format"], Literal(chart.media_type)))
    g.add((c, CG.sha256, Literal(chart.sha256)))
    g.add((c, CG.byteSize, Literal(int(chart.byte_size), datatype=XSD.integer)))
    g.add((c, CG.sourcePath, Literal(chart.path)))
    if chart.root_path is not None:
        g.add((c, CG.dataRootPath, Literal(chart.root_path)))


def _add_evaluation(g: Graph, iris: Iris, run_id: str, e: Evaluation) -> None:
    r = iris.run(run_id)
    node = iris.in_run(run_id, "evaluation", e.row, e.split, e.measure)
    measure = iris.measure(e.measure)
    g.add((measure, RDF.type, MLS.EvaluationMeasure))
    g.add((measure, RDFS.label, Literal(e.measure)))
    g.add((node, RDF.type, CG.Evaluation))
    g.add((node, RDF.type, MLS.ModelEvaluation))
    g.add((node, MLS.specifiedBy, measure))
    g.add((node, MLS.hasValue, literal(e.value)))
    g.add((node, CG.split, Literal(e.split)))
    g.add((node, PROV.wasGeneratedBy, r))
    g.add((r, MLS.hasOutput, node))
    if e.label:
        g.add((node, RDFS.label, Literal(e.label)))
    if e.row != MODEL_ROW:
        g.add((node, CG.baselineOf, iris.in_run(run_id, "evaluation", MODEL_ROW, e.split, e.measure)))


def literal(value) -> Literal:
    """A hyper-parameter or metric value as a literal (numbers typed; lists and dicts as JSON)."""
    if isinstance(value, bool):
        return Literal(value)
    if isinstance(value, numbers.Integral):  # numpy integers register as Integral
        return Literal(int(value), datatype=XSD.integer)
    if isinstance(value, numbers.Real):
        v = float(value)
        # xsd:double has NaN/INF lexical forms; rdflib writes them as "NaN"/"INF".
        return Literal(v, datatype=XSD.double) if math.isfinite(v) else Literal(str(v), datatype=XSD.double)
    if isinstance(value, (list, tuple, dict)):
        return Literal(json.dumps(value, default=str))
    return Literal(str(value))


# --- reading ---------------------------------------------------------------------------------

FACTS = PREFIXES + "SELECT ?run ?p ?o WHERE { ?run ?p ?o }"

HYPERPARAMETERS = PREFIXES + """
SELECT ?run ?name ?value WHERE {
  ?run mls:hasInput ?h . ?h a mls:HyperParameterSetting ; rdfs:label ?name ; mls:hasValue ?value .
}
"""

MODEL = PREFIXES + """
SELECT ?run ?model ?label ?description ?sha256 ?size ?path ?rel WHERE {
  ?run mls:hasOutput ?model . ?model a mls:Model .
  OPTIONAL { ?model rdfs:label ?label }
  OPTIONAL { ?model dct:description ?description }
  OPTIONAL { ?model cg:sha256 ?sha256 }
  OPTIONAL { ?model cg:byteSize ?size }
  OPTIONAL { ?model cg:sourcePath ?path }
  OPTIONAL { ?model cg:dataRootPath ?rel }
}
"""

CHART = PREFIXES + """
SELECT ?run ?chart ?label ?format ?sha256 ?size ?path ?rel WHERE {
  ?chart prov:wasGeneratedBy ?run ; cg:sha256 ?sha256 ; dct:format ?format .
  FILTER NOT EXISTS { ?chart a mls:Model }
  OPTIONAL { ?chart rdfs:label ?label }
  OPTIONAL { ?chart cg:byteSize ?size }
  OPTIONAL { ?chart cg:sourcePath ?path }
  OPTIONAL { ?chart cg:dataRootPath ?rel }
} ORDER BY ?chart LIMIT 1
"""

FEATURES = PREFIXES + """
SELECT ?run ?f ?name ?method ?description ?source WHERE {
  ?f a mls:Feature ; prov:wasGeneratedBy ?run .
  OPTIONAL { ?f rdfs:label ?name }
  OPTIONAL { ?f cg:method ?method }
  OPTIONAL { ?f dct:description ?description }
  OPTIONAL { ?f prov:wasDerivedFrom ?source }
}
"""

EVALUATIONS = PREFIXES + """
SELECT ?run ?e ?measure ?measureLabel ?value ?split ?baselineOf ?label WHERE {
  ?run mls:hasOutput ?e . ?e a mls:ModelEvaluation ; mls:hasValue ?value .
  OPTIONAL { ?e mls:specifiedBy ?measure . OPTIONAL { ?measure rdfs:label ?measureLabel } }
  OPTIONAL { ?e cg:split ?split }
  OPTIONAL { ?e cg:baselineOf ?baselineOf }
  OPTIONAL { ?e rdfs:label ?label }
}
"""

USAGES = PREFIXES + """
SELECT ?run ?u ?cube ?fingerprint ?at ?manifest WHERE {
  ?run prov:qualifiedUsage ?u . ?u prov:entity ?cube .
  OPTIONAL { ?u cg:fingerprint ?fingerprint }
  OPTIONAL { ?u prov:atTime ?at }
  OPTIONAL { ?u cg:contentManifest ?manifest }
}
"""

USED_KINDS = PREFIXES + """
SELECT ?run ?used ?type WHERE {
  ?run prov:used ?used . ?used a ?type . VALUES ?type { cg:MLJob cg:InputSelection }
}
"""

RUNS = PREFIXES + """
SELECT ?run (SAMPLE(?l) AS ?label) (SAMPLE(?s) AS ?status) (SAMPLE(?t0) AS ?started)
       (SAMPLE(?t1) AS ?ended) (SAMPLE(?j) AS ?job) WHERE {
  ?run a cg:ModelRun .
  OPTIONAL { ?run rdfs:label ?l }
  OPTIONAL { ?run cg:status ?s }
  OPTIONAL { ?run prov:startedAtTime ?t0 }
  OPTIONAL { ?run prov:endedAtTime ?t1 }
  OPTIONAL { ?run prov:used ?j . ?j a cg:MLJob }
}
GROUP BY ?run
ORDER BY DESC(?started) ?run
LIMIT 500
"""

INPUTS = PREFIXES + """
SELECT ?run ?input ?type ?name ?label ?cube ?cubeTitle ?obsLabel WHERE {
  ?run prov:used ?input .
  OPTIONAL { ?input a ?type }
  OPTIONAL { ?input cg:variableName ?name }
  OPTIONAL { ?input dct:title|rdfs:label ?label }
  OPTIONAL { ?cube cg:hasVariable ?input . OPTIONAL { ?cube dct:title ?cubeTitle } }
  OPTIONAL { ?input cg:measures ?obs . ?obs rdfs:label ?obsLabel }
}
"""


@dataclass(frozen=True)
class RunSummary:
    """One line of the runs list (strings, ``None`` when unknown)."""

    iri: str
    label: str | None
    status: str | None
    started: str | None
    ended: str | None
    job: str | None


@dataclass
class RunInput:
    """Something a run used (a variable, a cube, the job, the selection), for the run page.

    Attributes:
        iri: its IRI.
        types: local names of its types (``Variable``, ``DataCube``, ``MLJob``, ...).
        name / label: its variable name, its title or label.
        cube / cube_title: for a variable, its cube.
        observable: for a variable, the label of what it measures.
    """

    iri: str
    types: list[str] = field(default_factory=list)
    name: str | None = None
    label: str | None = None
    cube: str | None = None
    cube_title: str | None = None
    observable: str | None = None


def list_runs(store) -> list[RunSummary]:
    """Every recorded run, newest first (at most 500).

    Raises:
        StoreError: the store failed to answer.
    """
    return [RunSummary(str(r["run"]), text(r.get("label")), text(r.get("status")),
                       text(r.get("started")), text(r.get("ended")), text(r.get("job")))
            for r in store.query(RUNS)]


def read_run(store, iri: str | URIRef) -> Run | None:
    """The run at ``iri``, or ``None`` when the graph holds no ``cg:ModelRun`` there.

    Hyper-parameters come back sorted by name, evaluations by (row, split, measure),
    features by name, usages by cube, labels and IRIs sorted.

    Raises:
        StoreError: the store failed to answer.
    """
    run = URIRef(str(iri))
    facts: dict[str, list] = {}
    for row in store.query(FACTS, bindings={"run": run}):
        facts.setdefault(str(row["p"]), []).append(row["o"])
    if URIRef(str(CG.ModelRun)) not in facts.get(str(RDF.type), []):
        return None

    def one(prop) -> str | None:
        values = facts.get(str(prop)) or []
        return str(sorted(values)[0]) if values else None

    def iris_of(prop) -> list[URIRef]:
        return sorted(URIRef(str(v)) for v in facts.get(str(prop), []) if isinstance(v, URIRef))

    used = set(iris_of(PROV.used))
    has_input = set(iris_of(MLS.hasInput))
    usages = _usages(store, run)
    kinds: dict[str, set] = {}
    for r in store.query(USED_KINDS, bindings={"run": run}):
        kinds.setdefault(str(r["type"]), set()).add(URIRef(str(r["used"])))
    jobs, selections = kinds.get(str(CG.MLJob), set()), kinds.get(str(CG.InputSelection), set())
    _, explanation = read_explanation(store, run)
    seed = one(CG.seed)
    return Run(
        id=unquote(str(run).rstrip("/").rsplit("/", 1)[-1]),
        status=one(CG.status) or "",
        started=one(PROV.startedAtTime) or "",
        ended=one(PROV.endedAtTime) or "",
        software=one(CG.softwareVersion) or "",
        host=one(CG.host) or "",
        labels=tuple(sorted(str(v) for v in facts.get(str(RDFS.label), []))),
        seed=int(seed) if seed is not None else None,
        job_spec=one(CG.jobSpec),
        inputs=tuple(sorted(used & has_input)),
        comment=one(RDFS.comment),
        target=URIRef(one(CG.target)) if one(CG.target) else None,
        hyperparameters=tuple(sorted(
            ((str(r["name"]), r["value"].toPython()) for r in store.query(HYPERPARAMETERS, bindings={"run": run})),
            key=lambda kv: kv[0])),
        model=_model(store, run),
        features=_features(store, run),
        evaluations=_evaluations(store, run),
        explanation=explanation,
        outputs=tuple(iris_of(PROV.generated)),
        error=one(CG.errorMessage),
        job=min(jobs) if jobs else None,
        selection=min(selections) if selections else None,
        selection_query=one(CG.selectionQuery),
        usages=usages,
        chart=_chart(store, run),
    )


def _chart(store, run: URIRef) -> Chart | None:
    rows = store.query(CHART, bindings={"run": run}).rows()
    if not rows:
        return None
    r = rows[0]
    size = number(r.get("size"))
    return Chart(label=text(r.get("label")) or "", sha256=text(r["sha256"]),
                 byte_size=int(size) if size is not None else 0, path=text(r.get("path")) or "",
                 root_path=text(r.get("rel")), media_type=text(r.get("format")) or "",
                 iri=URIRef(str(r["chart"])))


def run_inputs(store, iri: str | URIRef) -> list[RunInput]:
    """What a run used, with types, names and cubes: variables first (by cube, then name),
    then cubes, jobs, selections and anything else.

    Raises:
        StoreError: the store failed to answer.
    """
    found: dict[str, RunInput] = {}
    for r in store.query(INPUTS, bindings={"run": URIRef(str(iri))}):
        key = str(r["input"])
        item = found.setdefault(key, RunInput(key))
        if r.get("type") is not None:
            kind = local_name(str(r["type"]))
            if kind not in item.types:
                item.types.append(kind)
        for attr, col in (("name", "name"), ("label", "label"), ("cube", "cube"),
                          ("cube_title", "cubeTitle"), ("observable", "obsLabel")):
            if getattr(item, attr) is None and r.get(col) is not None:
                setattr(item, attr, str(r[col]))
    order = {"Variable": 0, "DataCube": 1, "MLJob": 2, "InputSelection": 3}

    def key(item: RunInput):
        kind = min((order.get(t, 4) for t in item.types), default=4)
        return (kind, item.cube or "", item.name or item.label or item.iri)

    return sorted(found.values(), key=key)


def _model(store, run: URIRef) -> Model | None:
    rows = store.query(MODEL, bindings={"run": run}).rows()
    if not rows:
        return None
    r = rows[0]
    size = number(r.get("size"))
    return Model(label=text(r.get("label")) or "", description=text(r.get("description")) or "",
                 sha256=text(r.get("sha256")), byte_size=int(size) if size is not None else None,
                 path=text(r.get("path")), root_path=text(r.get("rel")),
                 iri=URIRef(str(r["model"])))


def _features(store, run: URIRef) -> tuple[Feature, ...]:
    out = {}
    for r in store.query(FEATURES, bindings={"run": run}):
        name = text(r.get("name")) or local_name(str(r["f"]))
        out[name] = Feature(name, text(r.get("method")) or "", text(r.get("description")) or "",
                            URIRef(str(r["source"])) if r.get("source") is not None else None)
    return tuple(out[k] for k in sorted(out))


def _evaluations(store, run: URIRef) -> tuple[Evaluation, ...]:
    out = []
    for r in store.query(EVALUATIONS, bindings={"run": run}):
        label = text(r.get("label"))
        row = _row_name(str(r["e"]), str(run), label, r.get("baselineOf") is not None)
        measure = text(r.get("measureLabel")) or (
            local_name(str(r["measure"])) if r.get("measure") is not None else "value")
        out.append(Evaluation(row, text(r.get("split")) or "all", measure, number(r["value"]),
                              label or ""))
    return tuple(sorted(out, key=lambda e: (e.row, e.split, e.measure)))


def _row_name(evaluation: str, run_iri: str, label: str | None, is_baseline: bool) -> str:
    """The row (``model`` or a baseline's name) of an evaluation.

    Writers mint ``{run}/evaluation/{row}/{split}/{measure}``; for an evaluation minted
    otherwise, the label ("auroc of baseline fwi on test") names the baseline.
    """
    prefix = run_iri.rstrip("/") + "/evaluation/"
    if evaluation.startswith(prefix):
        parts = evaluation[len(prefix):].split("/")
        if len(parts) == 3:
            return unquote(parts[0])
    if is_baseline and label and " of baseline " in label:
        return label.split(" of baseline ", 1)[1].rsplit(" on ", 1)[0]
    return "baseline" if is_baseline else MODEL_ROW


def run_usages(store, run: URIRef) -> tuple[Usage, ...]:
    """The cubes a run used, each with its fingerprints, time and read digest, by cube IRI.

    Raises:
        StoreError: the store failed to answer.
    """
    return _usages(store, run)


def _usages(store, run: URIRef) -> tuple[Usage, ...]:
    found: dict[str, dict] = {}
    for r in store.query(USAGES, bindings={"run": run}):
        item = found.setdefault(str(r["cube"]), {"fps": set(), "at": None, "content": None})
        if r.get("fingerprint") is not None:
            item["fps"].add(str(r["fingerprint"]))
        if r.get("at") is not None:
            item["at"] = str(r["at"])
        if r.get("manifest") is not None and item["content"] is None:
            try:
                item["content"] = ContentDigest.from_text(str(r["manifest"]))
            except ValueError:
                pass  # an unreadable manifest reads as none; the audit says it found none
    return tuple(Usage(URIRef(c), tuple(sorted(v["fps"])), v["at"], v["content"])
                 for c, v in sorted(found.items()))


RUN_IRIS = PREFIXES + "SELECT DISTINCT ?c WHERE { ?c a cg:ModelRun } ORDER BY ?c LIMIT ?limit"


def run_iris(store, limit: int) -> list[URIRef]:
    """The first ``limit`` runs by IRI.

    Raises:
        StoreError: the store failed to answer.
    """
    query = RUN_IRIS.replace("?limit", str(int(limit)))  # an int, not user text: LIMIT takes no variable
    return [r["c"] for r in store.query(query)]
