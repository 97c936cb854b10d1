"""What a run page shows, read from the run's triples (framework-neutral, no Flask).

The ML write-back (``ml/writeback.py`` and ``ml/runner.py``) records a run as a
``cg:ModelRun`` / ``mls:Run`` with ``prov:used`` inputs, one ``mls:ModelEvaluation`` per
row (the model or a baseline named in ``cg:baseline``) x split (``cg:split``) x measure
(``mls:specifiedBy``), an explanation (``cg:Explanation``) with one ``cg:Attribution`` per
input variable, hyper-parameter settings, and the ``cg:InputSelection`` that chose the
inputs with a reason for each candidate. :func:`read_run` turns that into plain dicts for
the template; :func:`list_runs` lists runs for the runs page. Every query binds the run
(SEP-0007 substitution), never pastes it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from urllib.parse import unquote

from rdflib import URIRef

from cubegraph.api._catalog import PREFIXES, local_name
from cubegraph.kg.store import Store
from cubegraph.ml.metrics import LOWER_IS_BETTER
from cubegraph.ontology.namespaces import CG, PROV, RDFS

__all__ = ["read_run", "list_runs", "LOWER_IS_BETTER", "SPLIT_ORDER"]

#: Splits in the order run pages show them.
SPLIT_ORDER = ("test", "validation", "train")

RUN_FACTS = PREFIXES + """
SELECT ?run ?p ?o WHERE { ?run ?p ?o }
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

ATTRIBUTIONS = PREFIXES + """
SELECT ?run ?x ?method ?description ?a ?importance ?rank ?sign ?var ?varName ?label WHERE {
  ?run mls:hasOutput ?x . ?x a cg:Explanation .
  OPTIONAL { ?x cg:method ?method }
  OPTIONAL { ?x dct:description ?description }
  OPTIONAL {
    ?x cg:hasAttribution ?a . ?a cg:importance ?importance .
    OPTIONAL { ?a cg:rank ?rank }
    OPTIONAL { ?a cg:effectSign ?sign }
    OPTIONAL { ?a rdfs:label ?label }
    OPTIONAL { ?a cg:attributedVariable ?var . OPTIONAL { ?var cg:variableName ?varName } }
  }
}
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

SELECTION = PREFIXES + """
SELECT ?sel ?kind ?var ?name ?reason WHERE {
  { ?sel cg:selected ?var . BIND("selected" AS ?kind) }
  UNION
  { ?sel cg:excluded|cg:excludedCube ?var . BIND("excluded" AS ?kind) }
  OPTIONAL { ?var cg:variableName ?name }
  OPTIONAL { ?node dct:isPartOf ?sel ; prov:wasDerivedFrom ?var ; cg:reason ?reason }
}
"""

HYPERPARAMETERS = PREFIXES + """
SELECT ?run ?name ?value WHERE {
  ?run mls:hasInput ?h . ?h a mls:HyperParameterSetting ; rdfs:label ?name ; mls:hasValue ?value .
}
"""

MODEL = PREFIXES + """
SELECT ?run ?model ?label ?description ?sha256 ?size WHERE {
  ?run mls:hasOutput ?model . ?model a mls:Model .
  OPTIONAL { ?model rdfs:label ?label }
  OPTIONAL { ?model dct:description ?description }
  OPTIONAL { ?model cg:sha256 ?sha256 }
  OPTIONAL { ?model cg:byteSize ?size }
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

# Plain strings: the run's facts are keyed by their predicates' text.
_CG = str(CG)
_PROV = str(PROV)
_RDFS = str(RDFS)


def list_runs(store: Store) -> list[dict]:
    """Every recorded run, newest first: ``{"iri", "label", "status", "started", "ended",
    "job"}`` (strings or ``None``).

    Raises:
        StoreError: the store failed to answer.
    """
    out = []
    for row in store.query(RUNS):
        out.append({k: (str(row[k]) if row.get(k) is not None else None)
                    for k in ("run", "label", "status", "started", "ended", "job")})
        out[-1]["iri"] = out[-1].pop("run")
    return out


def read_run(store: Store, iri: str) -> dict:
    """Everything the run page shows about one ``cg:ModelRun``.

    Returns:
        ``{"iri", "labels", "status", "started", "ended", "seed", "host", "software",
        "error", "target", "baselines", "metrics", "attributions", "explanation",
        "inputs", "input_variables", "input_groups", "selection", "hyperparameters", "model", "outputs", "job", "job_spec"}``;
        see the helpers for each part's shape. Missing parts are empty, never absent.

    Raises:
        StoreError: the store failed to answer.
    """
    run = URIRef(iri)
    facts: dict[str, list] = {}
    for row in store.query(RUN_FACTS, bindings={"run": run}):
        facts.setdefault(str(row["p"]), []).append(row["o"])

    def one(predicate: str):
        values = facts.get(predicate) or []
        return str(values[0]) if values else None

    job_spec = one(_CG + "jobSpec")
    try:
        job_spec_pretty = json.dumps(json.loads(job_spec), indent=2) if job_spec else None
    except ValueError:
        job_spec_pretty = job_spec
    inputs = _inputs(store, run)
    selections = [i["iri"] for i in inputs if "InputSelection" in i["types"]]
    return {
        "iri": str(iri),
        "labels": sorted(str(v) for v in facts.get(_RDFS + "label", [])),
        "status": one(_CG + "status"),
        "started": one(_PROV + "startedAtTime"),
        "ended": one(_PROV + "endedAtTime"),
        "started_text": _when(one(_PROV + "startedAtTime")),
        "duration": _duration(one(_PROV + "startedAtTime"), one(_PROV + "endedAtTime")),
        "seed": one(_CG + "seed"),
        "host": one(_CG + "host"),
        "software": one(_CG + "softwareVersion"),
        "error": one(_CG + "errorMessage"),
        "target": one(_CG + "target"),
        "baselines": sorted(str(v) for v in facts.get(_CG + "baseline", [])),
        "metrics": _metrics(store, run, str(iri)),
        **_explanation(store, run),
        "inputs": inputs,
        "input_variables": [i for i in inputs if "Variable" in i["types"]],
        "input_groups": _by_cube([i for i in inputs if "Variable" in i["types"]]),
        "selection": _selection(store, selections[0]) if selections else None,
        "hyperparameters": sorted(((str(r["name"]), str(r["value"]))
                                   for r in store.query(HYPERPARAMETERS, bindings={"run": run})),
                                  key=lambda kv: kv[0]),
        "model": _model(store, run),
        "outputs": sorted(str(v) for v in facts.get(_PROV + "generated", [])),
        "job": next((i["iri"] for i in inputs if "MLJob" in i["types"]), None),
        "job_spec": job_spec_pretty,
    }


def _by_cube(variables: list[dict]) -> list[dict]:
    """Input variables grouped by their cube: ``[{"cube", "title", "variables"}]``."""
    groups: dict[str, dict] = {}
    for var in variables:
        key = var["cube"] or ""
        group = groups.setdefault(key, {"cube": var["cube"], "title": var["cube_title"] or var["cube"],
                                        "variables": []})
        group["variables"].append(var)
    return [groups[k] for k in sorted(groups)]


def _parse_time(text: str | None):
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _when(text: str | None) -> str | None:
    """``2024-06-01 12:43:30 UTC`` from an ``xsd:dateTime`` (the text itself if unparsable)."""
    when = _parse_time(text)
    if when is None:
        return text
    if when.tzinfo is not None:
        when = when.astimezone(dt.timezone.utc)
    return when.strftime("%Y-%m-%d %H:%M:%S") + (" UTC" if when.tzinfo is not None else "")


def _duration(start: str | None, end: str | None) -> str | None:
    """How long a run took, as ``1 min 4 s`` (``None`` when either end is unknown)."""
    a, b = _parse_time(start), _parse_time(end)
    if a is None or b is None or (a.tzinfo is None) != (b.tzinfo is None):
        return None
    seconds = int(round((b - a).total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def _row_name(evaluation: str, run_iri: str, label: str | None, is_baseline: bool) -> str:
    """The row (``model`` or the baseline's name) of an evaluation.

    The write-back mints ``{run}/evaluation/{row}/{split}/{measure}``; the label
    ("auroc of baseline fwi on test") is the fallback for evaluations minted otherwise.
    """
    prefix = run_iri.rstrip("/") + "/evaluation/"
    if evaluation.startswith(prefix):
        parts = evaluation[len(prefix):].split("/")
        if len(parts) == 3:
            return unquote(parts[0])
    if is_baseline and label and " of baseline " in label:
        return label.split(" of baseline ", 1)[1].rsplit(" on ", 1)[0]
    return "baseline" if is_baseline else "model"


def _number(value) -> float | None:
    try:
        number = float(value.toPython() if hasattr(value, "toPython") else value)
    except (TypeError, ValueError):
        return None
    return number


def _metrics(store: Store, run: URIRef, run_iri: str) -> dict:
    """``{"rows": ["model", baselines...], "splits": [{"split", "measures": [{"measure",
    "lower_is_better", "cells": [{"row", "value", "text", "best", "delta"}]}]}]}``.

    ``best`` marks the best value of a measure on a split (ties all win); ``delta`` is the
    model's value minus the best baseline's, signed so that positive means "model better".
    """
    table: dict[str, dict[str, dict[str, float | None]]] = {}
    rows: list[str] = []
    for r in store.query(EVALUATIONS, bindings={"run": run}):
        is_baseline = r.get("baselineOf") is not None
        row = _row_name(str(r["e"]), run_iri, str(r["label"]) if r.get("label") else None,
                        is_baseline)
        measure = str(r["measureLabel"]) if r.get("measureLabel") is not None else (
            local_name(str(r["measure"])) if r.get("measure") is not None else "value")
        split = str(r["split"]) if r.get("split") is not None else "all"
        table.setdefault(split, {}).setdefault(measure, {})[row] = _number(r["value"])
        if row not in rows:
            rows.append(row)
    rows.sort(key=lambda name: (name != "model", name))
    splits = sorted(table, key=lambda s: (SPLIT_ORDER.index(s) if s in SPLIT_ORDER else 9, s))
    out = []
    for split in splits:
        measures = []
        for measure in sorted(table[split]):
            values = table[split][measure]
            lower = measure.lower() in LOWER_IS_BETTER
            finite = [v for v in values.values() if v is not None and math.isfinite(v)]
            best = (min(finite) if lower else max(finite)) if finite else None
            baseline_values = [v for k, v in values.items()
                               if k != "model" and v is not None and math.isfinite(v)]
            model = values.get("model")
            delta = None
            if model is not None and math.isfinite(model) and baseline_values:
                ref = min(baseline_values) if lower else max(baseline_values)
                delta = (ref - model) if lower else (model - ref)
            cells = [{"row": row, "value": values.get(row),
                      "text": _fmt(values.get(row)),
                      "best": values.get(row) is not None and values.get(row) == best}
                     for row in rows]
            measures.append({"measure": measure, "lower_is_better": lower, "cells": cells,
                             "delta": delta, "delta_text": _fmt(delta, signed=True)})
        out.append({"split": split, "measures": measures})
    return {"rows": rows, "splits": out}


def _fmt(value, *, signed: bool = False) -> str:
    if value is None:
        return "—"
    if not math.isfinite(value):
        return str(value)
    text = f"{value:+.4f}" if signed else f"{value:.4f}"
    return text


def _explanation(store: Store, run: URIRef) -> dict:
    """``{"explanation": {"iri", "method", "description"} | None, "attributions": [...]}``;
    each attribution ``{"iri", "name", "variable", "importance", "rank", "sign"}``."""
    explanation, attributions = None, {}
    for r in store.query(ATTRIBUTIONS, bindings={"run": run}):
        if explanation is None:
            explanation = {"iri": str(r["x"]),
                           "method": str(r["method"]) if r.get("method") else None,
                           "description": str(r["description"]) if r.get("description") else None}
        if r.get("a") is None:
            continue
        name = (str(r["varName"]) if r.get("varName") else
                str(r["label"]).removeprefix("attribution of ") if r.get("label") else
                local_name(str(r["a"])))
        attributions[str(r["a"])] = {
            "iri": str(r["a"]), "name": name,
            "variable": str(r["var"]) if r.get("var") else None,
            "importance": _number(r["importance"]),
            "rank": int(_number(r["rank"])) if r.get("rank") is not None else None,
            "sign": int(_number(r["sign"])) if r.get("sign") is not None else 0,
        }
    ordered = sorted(attributions.values(),
                     key=lambda a: (a["rank"] if a["rank"] is not None else 1e9, -(a["importance"] or 0)))
    return {"explanation": explanation, "attributions": ordered}


def _inputs(store: Store, run: URIRef) -> list[dict]:
    """What the run used: ``{"iri", "types", "name", "label", "cube", "cube_title",
    "observable"}``, variables first (grouped by cube), then cubes, jobs and selections."""
    found: dict[str, dict] = {}
    for r in store.query(INPUTS, bindings={"run": run}):
        iri = str(r["input"])
        item = found.setdefault(iri, {"iri": iri, "types": [], "name": None, "label": None,
                                      "cube": None, "cube_title": None, "observable": None})
        if r.get("type") is not None and local_name(str(r["type"])) not in item["types"]:
            item["types"].append(local_name(str(r["type"])))
        for key, col in (("name", "name"), ("label", "label"), ("cube", "cube"),
                         ("cube_title", "cubeTitle"), ("observable", "obsLabel")):
            if item[key] is None and r.get(col) is not None:
                item[key] = str(r[col])
    kind_order = {"Variable": 0, "DataCube": 1, "MLJob": 2, "InputSelection": 3}

    def key(item):
        kind = min((kind_order.get(t, 4) for t in item["types"]), default=4)
        return (kind, item["cube"] or "", item["name"] or item["label"] or item["iri"])

    return sorted(found.values(), key=key)


def _selection(store: Store, selection: str) -> dict:
    """``{"iri", "selected": [{"iri", "name", "reason"}], "excluded": [...]}``."""
    out = {"iri": selection, "selected": [], "excluded": []}
    seen = set()
    for r in store.query(SELECTION, bindings={"sel": URIRef(selection)}):
        key = (str(r["kind"]), str(r["var"]))
        if key in seen:
            continue
        seen.add(key)
        out[str(r["kind"])].append({
            "iri": str(r["var"]),
            "name": str(r["name"]) if r.get("name") else local_name(str(r["var"])),
            "reason": str(r["reason"]) if r.get("reason") else None,
        })
    for kind in ("selected", "excluded"):
        out[kind].sort(key=lambda i: i["name"])
    return out


def _model(store: Store, run: URIRef) -> dict | None:
    rows = store.query(MODEL, bindings={"run": run}).rows()
    if not rows:
        return None
    r = rows[0]
    return {k: (str(r[c]) if r.get(c) is not None else None)
            for k, c in (("iri", "model"), ("label", "label"), ("description", "description"),
                         ("sha256", "sha256"), ("size", "size"))}
