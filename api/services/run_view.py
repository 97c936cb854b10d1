"""What a run page shows, read from the run's triples (framework-neutral, no Flask).

The ML write-back records a run (:mod:`cubegraph.kg.records.run`) as a
``cg:ModelRun`` / ``mls:Run`` with ``prov:used`` inputs, one ``mls:ModelEvaluation`` per
row (the model or a baseline named in ``cg:baseline``) x split (``cg:split``) x measure
(``mls:specifiedBy``), an explanation (``cg:Explanation``) with one ``cg:Attribution`` per
input variable, hyper-parameter settings, and the ``cg:InputSelection`` that chose the
inputs with a reason for each candidate. :func:`read_run` turns the run's record into plain dicts
for the template; :func:`list_runs` lists runs for the runs page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math


from cubegraph.kg.records import run as runs
from cubegraph.kg.records.selection import read_selection
from cubegraph.kg.store import Store
from cubegraph.ml.metrics import LOWER_IS_BETTER
from cubegraph.ontology.namespaces import local_name

__all__ = ["read_run", "list_runs", "LOWER_IS_BETTER", "SPLIT_ORDER"]

#: Splits in the order run pages show them.
SPLIT_ORDER = ("test", "validation", "train")

def list_runs(store: Store) -> list[dict]:
    """Every recorded run, newest first: ``{"iri", "label", "status", "started", "ended",
    "job"}`` (strings or ``None``).

    Raises:
        StoreError: the store failed to answer.
    """
    return [dataclasses.asdict(r) for r in runs.list_runs(store)]


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
    run = runs.read_run(store, iri)
    if run is None:  # not a run: the page shows what little there is
        run = runs.Run(id="", status="", started="", ended="")
    try:
        job_spec_pretty = json.dumps(json.loads(run.job_spec), indent=2) if run.job_spec else None
    except ValueError:
        job_spec_pretty = run.job_spec
    inputs = [dataclasses.asdict(i) for i in runs.run_inputs(store, iri)]
    explanation = run.explanation
    return {
        "iri": str(iri),
        "labels": list(run.labels),
        "status": run.status or None,
        "started": run.started or None,
        "ended": run.ended or None,
        "started_text": _when(run.started or None),
        "duration": _duration(run.started or None, run.ended or None),
        "seed": str(run.seed) if run.seed is not None else None,
        "host": run.host or None,
        "software": run.software or None,
        "error": run.error,
        "target": str(run.target) if run.target is not None else None,
        "baselines": list(run.baselines),
        "metrics": _metrics(run.evaluations),
        "explanation": None if explanation is None else {
            "iri": str(explanation.iri), "method": explanation.method or None,
            "description": explanation.description or None},
        "attributions": [] if explanation is None else [
            {"iri": str(a.iri), "name": a.name,
             "variable": str(a.variable) if a.variable is not None else None,
             "importance": a.importance, "rank": a.rank, "sign": a.sign}
            for a in explanation.attributions],
        "inputs": inputs,
        "input_variables": [i for i in inputs if "Variable" in i["types"]],
        "input_groups": _by_cube([i for i in inputs if "Variable" in i["types"]]),
        "selection": _selection(store, run.selection) if run.selection is not None else None,
        "hyperparameters": [(name, str(runs.literal(value))) for name, value in run.hyperparameters],
        "model": None if run.model is None else {
            "iri": str(run.model.iri), "label": run.model.label or None,
            "description": run.model.description or None, "sha256": run.model.sha256,
            "size": str(run.model.byte_size) if run.model.byte_size is not None else None},
        "outputs": [str(o) for o in run.outputs],
        "job": str(run.job) if run.job is not None else None,
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


def _metrics(evaluations) -> dict:
    """``{"rows": ["model", baselines...], "splits": [{"split", "measures": [{"measure",
    "lower_is_better", "cells": [{"row", "value", "text", "best", "delta"}]}]}]}``.

    ``best`` marks the best value of a measure on a split (ties all win); ``delta`` is the
    model's value minus the best baseline's, signed so that positive means "model better".
    """
    table: dict[str, dict[str, dict[str, float | None]]] = {}
    rows: list[str] = []
    for e in evaluations:
        table.setdefault(e.split, {}).setdefault(e.measure, {})[e.row] = e.value
        if e.row not in rows:
            rows.append(e.row)
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


def _selection(store: Store, selection) -> dict:
    """``{"iri", "selected": [{"iri", "name", "reason"}], "excluded": [...]}``."""
    record = read_selection(store, selection)
    out = {"iri": str(selection), "selected": [], "excluded": []}
    if record is None:
        return out
    for kind, choices in (("selected", record.selected), ("excluded", record.excluded)):
        out[kind] = sorted(({"iri": str(c.variable), "name": c.name or local_name(str(c.variable)),
                             "reason": c.reason or None} for c in choices),
                           key=lambda i: i["name"])
    return out
