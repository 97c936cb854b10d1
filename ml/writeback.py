"""Writing a run back as linked data: an RDF graph of the run, and zarr cubes of its outputs.

:func:`run_graph` describes a successful run with ML-Schema and PROV-O (the run, its
inputs, hyper-parameter settings, the model, one evaluation per model/baseline × split ×
measure, the explanation and one attribution per input variable, the derived features and
what they were derived from). :func:`failed_run_graph` records a run that stopped on an
error. Both are pure: they build a graph and never touch the store; the caller writes it
with one ``replace_graph`` into the run's own named graph (``iris.graph_for(run_iri)``).

:func:`write_predictions` writes the model's predictions and the per-sample SHAP
attributions as CF zarr cubes on the target grid, each written to a temporary folder and
renamed into place, so a reader never sees half a cube. They can be ingested like any cube.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import shutil
import socket
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Mapping

import numpy as np
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

import cubegraph
from cubegraph.ingest.cubes import write_cube
from cubegraph.kg.iris import Iris
from cubegraph.ml.job import MODEL_KEY, JobInputs, RunResult
from cubegraph.ontology.namespaces import CG, DCTERMS, MLS, PROV, RDF, RDFS

__all__ = ["run_graph", "failed_run_graph", "write_predictions", "save_model", "file_sha256"]


def run_graph(run: RunResult, iris: Iris, run_id: str,
              inputs: Mapping[str, str] | None = None, *,
              outputs: Mapping[str, str] | None = None,
              artifacts: Mapping[str, Mapping[str, object]] | None = None) -> Graph:
    """The RDF description of a successful run.

    Args:
        run: the result of :func:`cubegraph.ml.job.run_training`.
        iris: the IRI minter (its base decides every IRI).
        run_id: the run's id, e.g. a UUID or ``"fire-2024-06-01-seed0"``.
        inputs: variable key (or variable name) -> variable IRI in the graph; overrides
            the ``iri`` of the job's :class:`~cubegraph.ml.dataset.InputRef` s. Inputs with no
            IRI are recorded by path and name only (``rdfs:comment``), never with a made-up IRI.
        outputs: IRIs of output cubes already ingested (predictions, attributions); each
            gets ``prov:wasGeneratedBy`` the run.
        artifacts: ``{"model": {"path": ..., "sha256": ..., "bytes": ...}}`` from
            :func:`save_model`.

    Returns:
        A new graph; nothing is written anywhere.
    """
    g = _graph()
    r = iris.run(run_id)
    iri_of = _input_iris(run.job, run.data.inputs, inputs or {})
    _run_header(g, r, run.job, run.seed, run.started, run.ended, "succeeded", iri_of)
    g.add((r, RDFS.label, Literal(f"{run.model_name} {run.task} run on {run.job.target.variable}")))
    target_iri = iri_of.get("__target__")
    if target_iri:
        g.add((r, CG.target, target_iri))

    # Hyper-parameters, one setting each.
    for name, value in sorted(run.hyperparameters.items()):
        s = iris.in_run(run_id, "hyperparameter", name)
        g.add((s, RDF.type, MLS.HyperParameterSetting))
        g.add((s, RDFS.label, Literal(name)))
        g.add((s, MLS.hasValue, _literal(value)))
        g.add((r, MLS.hasInput, s))

    # The model.
    m = iris.in_run(run_id, "model")
    g.add((m, RDF.type, CG.Model))
    g.add((m, RDF.type, MLS.Model))
    g.add((m, RDF.type, PROV.Entity))
    g.add((m, RDFS.label, Literal(f"{run.model_name} model ({run.trained.kind} inputs)")))
    g.add((m, PROV.wasGeneratedBy, r))
    g.add((r, MLS.hasOutput, m))
    g.add((m, DCTERMS.description, Literal(
        f"best epoch {run.trained.best_epoch} of {len(run.trained.history)}; inputs: "
        + ", ".join(run.trained.input_names))))
    if artifacts and "model" in artifacts:
        a = artifacts["model"]
        g.add((m, CG.sha256, Literal(str(a["sha256"]))))
        g.add((m, CG.byteSize, Literal(int(a["bytes"]), datatype=XSD.integer)))
        g.add((m, CG.sourcePath, Literal(str(a["path"]))))

    # Derived features: what each model column was derived from, and how.
    for d in run.data.derived:
        f = iris.in_run(run_id, "feature", d.name)
        g.add((f, RDF.type, MLS.Feature))
        g.add((f, RDF.type, PROV.Entity))
        g.add((f, RDFS.label, Literal(d.name)))
        g.add((f, CG.method, Literal(d.operation)))
        g.add((f, DCTERMS.description, Literal(
            f"{d.operation} of {d.source}" + (f" {json.dumps(d.parameters, sort_keys=True)}"
                                               if d.parameters else ""))))
        src = iri_of.get(d.source)
        if src:
            g.add((f, PROV.wasDerivedFrom, src))
        g.add((f, PROV.wasGeneratedBy, r))

    # Evaluations: model and baselines side by side, per split and measure.
    for row, per_split in run.metrics.items():
        if row != MODEL_KEY:
            g.add((r, CG.baseline, Literal(row)))
        for split, measures in per_split.items():
            for measure, value in measures.items():
                e = iris.in_run(run_id, "evaluation", row, split, measure)
                g.add((e, RDF.type, CG.Evaluation))
                g.add((e, RDF.type, MLS.ModelEvaluation))
                g.add((e, MLS.specifiedBy, _measure(iris, measure, g)))
                g.add((e, MLS.hasValue, _literal(value)))
                g.add((e, CG.split, Literal(split)))
                g.add((e, PROV.wasGeneratedBy, r))
                g.add((r, MLS.hasOutput, e))
                if row == MODEL_KEY:
                    g.add((e, RDFS.label, Literal(f"{measure} of {run.model_name} on {split}")))
                else:
                    g.add((e, RDFS.label, Literal(f"{measure} of baseline {row} on {split}")))
                    g.add((e, CG.baselineOf, iris.in_run(run_id, "evaluation", MODEL_KEY, split, measure)))

    # Explanation and attributions.
    ex = run.explanation
    x = iris.in_run(run_id, "explanation")
    g.add((x, RDF.type, CG.Explanation))
    g.add((x, RDF.type, PROV.Entity))
    g.add((x, CG.method, Literal(ex.method)))
    g.add((x, PROV.wasGeneratedBy, r))
    g.add((x, PROV.wasDerivedFrom, m))
    g.add((x, DCTERMS.description, Literal(
        f"mean |SHAP| per input variable ({ex.output} units) over {len(ex.rows)} {ex.split} "
        f"samples, background of {ex.n_background} train samples")))
    g.add((r, MLS.hasOutput, x))
    for imp in ex.importances:
        a = iris.in_run(run_id, "attribution", imp.variable)
        g.add((a, RDF.type, CG.Attribution))
        g.add((a, RDF.type, PROV.Entity))
        g.add((x, CG.hasAttribution, a))
        g.add((a, CG.method, Literal(ex.method)))
        g.add((a, CG.importance, Literal(imp.importance, datatype=XSD.double)))
        g.add((a, CG.rank, Literal(imp.rank, datatype=XSD.integer)))
        g.add((a, CG.effectSign, Literal(imp.effect_sign, datatype=XSD.integer)))
        g.add((a, RDFS.label, Literal(f"attribution of {imp.variable}")))
        v = iri_of.get(imp.variable)
        if v:
            g.add((a, CG.attributedVariable, v))
        g.add((a, PROV.wasGeneratedBy, r))

    for out in (outputs or {}).values():
        g.add((URIRef(str(out)), PROV.wasGeneratedBy, r))
        g.add((r, PROV.generated, URIRef(str(out))))
    return g


def failed_run_graph(iris: Iris, run_id: str, job: JobInputs | None, error: BaseException, *,
                     seed: int | None = None, started: dt.datetime | None = None,
                     ended: dt.datetime | None = None,
                     inputs: Mapping[str, str] | None = None) -> Graph:
    """The RDF record of a run that stopped on an error: status, message, what it tried.

    Args:
        iris / run_id: as for :func:`run_graph`.
        job: the job, when it could be parsed (its inputs are then recorded as used).
        error: the exception (its class name and message are kept).
        seed / started / ended: when known.
        inputs: variable key -> IRI, as for :func:`run_graph`.
    """
    g = _graph()
    r = iris.run(run_id)
    now = dt.datetime.now(dt.timezone.utc)
    iri_of = _input_iris(job, {d.variable: d for d in job.drivers} if job else {}, inputs or {})
    _run_header(g, r, job, seed, started or now, ended or now, "failed", iri_of)
    g.add((r, CG.errorMessage, Literal(f"{type(error).__name__}: {error}")))
    return g


def _graph() -> Graph:
    g = Graph()
    for prefix, ns in (("cg", CG._NS), ("mls", MLS._NS), ("prov", PROV), ("dct", DCTERMS)):
        g.bind(prefix, ns)
    return g


def _run_header(g: Graph, r: URIRef, job: JobInputs | None, seed, started, ended, status,
                iri_of: Mapping[str, URIRef]) -> None:
    g.add((r, RDF.type, CG.ModelRun))
    g.add((r, RDF.type, MLS.Run))
    g.add((r, RDF.type, PROV.Activity))
    g.add((r, CG.status, Literal(status)))
    g.add((r, PROV.startedAtTime, Literal(_utc(started), datatype=XSD.dateTime)))
    g.add((r, PROV.endedAtTime, Literal(_utc(ended), datatype=XSD.dateTime)))
    g.add((r, CG.softwareVersion, Literal(cubegraph.__version__)))
    g.add((r, CG.host, Literal(socket.gethostname())))
    if seed is not None:
        g.add((r, CG.seed, Literal(int(seed), datatype=XSD.integer)))
    if job is None:
        return
    g.add((r, CG.jobSpec, Literal(json.dumps(_job_dict(job), sort_keys=True, default=str))))
    for key, iri in iri_of.items():
        g.add((r, PROV.used, iri))
        g.add((r, MLS.hasInput, iri))
    unnamed = [f"{ref.variable} in {ref.path}" for ref in (job.target, *job.drivers)
               if not (ref.iri or iri_of.get(ref.variable))]
    if unnamed:
        g.add((r, RDFS.comment, Literal("inputs without a graph IRI: " + "; ".join(unnamed))))


def _input_iris(job: JobInputs | None, refs: Mapping, overrides: Mapping[str, str]) -> dict[str, URIRef]:
    out: dict[str, URIRef] = {}
    if job is None:
        return out
    for key, ref in refs.items():
        iri = overrides.get(key) or overrides.get(ref.variable) or ref.iri
        if iri:
            out[key] = URIRef(str(iri))
    t = overrides.get("__target__") or overrides.get(job.target.variable) or job.target.iri
    if t:
        out["__target__"] = URIRef(str(t))
    return out


def _measure(iris: Iris, name: str, g: Graph) -> URIRef:
    m = iris.measure(name)
    g.add((m, RDF.type, MLS.EvaluationMeasure))
    g.add((m, RDFS.label, Literal(name)))
    return m


def _literal(value) -> Literal:
    if isinstance(value, bool):
        return Literal(value)
    if isinstance(value, (int, np.integer)):
        return Literal(int(value), datatype=XSD.integer)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        # xsd:double has NaN/INF lexical forms; rdflib writes them as "NaN"/"INF".
        return Literal(v, datatype=XSD.double) if math.isfinite(v) else Literal(str(v), datatype=XSD.double)
    if isinstance(value, (list, tuple, dict)):
        return Literal(json.dumps(value, default=str))
    return Literal(str(value))


def _utc(t: dt.datetime) -> str:
    return t.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


def _job_dict(job: JobInputs) -> dict:
    d = asdict(job)
    d["target"] = {"path": str(job.target.path), "variable": job.target.variable, "iri": job.target.iri}
    d["drivers"] = [{"path": str(x.path), "variable": x.variable, "iri": x.iri} for x in job.drivers]
    return d


# --- artifacts -----------------------------------------------------------------------------

def file_sha256(path: str | Path) -> str:
    """sha256 hex digest of a file (streamed)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def save_model(run: RunResult, path: str | Path) -> dict[str, object]:
    """Save the model's weights, input names and scaler with ``torch.save``, atomically.

    Returns:
        ``{"path", "sha256", "bytes"}`` for :func:`run_graph`'s ``artifacts``.
    """
    import torch

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"state_dict": run.trained.model.state_dict(), "model": run.model_name,
               "task": run.task, "input_names": run.trained.input_names,
               "input_sources": run.trained.input_sources, "scaler": run.trained.scaler,
               "target_scale": run.trained.target_scale,
               "config": run.trained.config.as_dict(), "seed": run.seed}
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(fd)
    try:
        torch.save(payload, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return {"path": str(path), "sha256": file_sha256(path), "bytes": path.stat().st_size}


def write_predictions(run: RunResult, outdir: str | Path, run_id: str) -> dict[str, Path]:
    """Write predictions and SHAP attributions as CF zarr cubes on the target grid.

    ``{outdir}/{run_id}_predictions.zarr`` holds ``{target}_predicted`` (probability of the
    positive class, or target units) and ``split`` (0 train, 1 validation, 2 test) for every
    sample, NaN / -1 elsewhere; the time axis is the *target* time (``t + horizon``).
    ``{outdir}/{run_id}_attributions.zarr`` holds ``shap_{variable}`` for the explained
    samples. Each is written beside its final place and renamed into it.

    Returns:
        ``{"predictions": path, "attributions": path}``.

    Raises:
        FileExistsError: if either cube already exists (a run id is written once).
    """
    data = run.data
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    T, P = len(data.time), int(np.prod(data.space_shape)) if data.space_shape else 1
    h = data.horizon
    times = data.time[h:]  # target times of sample times 0 .. T-h-1
    shape = (T - h, *data.space_shape)
    dims = ("time", *data.space_dims)
    coords = {"time": ("time", times, {"standard_name": "time", "axis": "T"}),
              **{d: (d, data.space[d]) for d in data.space_dims}}
    target = run.job.target.variable
    pred = np.full((T - h, P), np.nan, np.float32)
    split_code = np.full((T - h, P), -1, np.int8)
    for code, (name, s) in enumerate(data.splits.items()):
        pred[s.t_idx, s.p_idx] = run.predictions[name]
        split_code[s.t_idx, s.p_idx] = code
    common = {"Conventions": "CF-1.8", "source": f"cubegraph {cubegraph.__version__} run {run_id}",
              "history": f"{_utc(run.ended)} written by cubegraph.ml.writeback",
              "cubegraph_run": run_id, "cubegraph_model": run.model_name}
    is_clf = run.task == "classification"
    pds = dict(
        data_vars={f"{target}_predicted": (dims, pred.reshape(shape), {
            "long_name": (f"predicted probability of {target}" if is_clf else f"predicted {target}"),
            "units": "1", "derived_from": target,
            "comment": f"prediction made {h} step(s) ahead from inputs at time - {h}"}),
         "split": (dims, split_code.reshape(shape), {
             "long_name": "data split of the sample", "flag_values": np.array([0, 1, 2], np.int8),
             "flag_meanings": "train validation test",
             "comment": "-1: no sample (history too short or target missing)"})},
        coords=coords, attrs={**common, "title": f"Predictions of run {run_id} for {target}"})
    ex = run.explanation
    s = data.splits[ex.split]
    t_idx, p_idx = s.t_idx[ex.rows], s.p_idx[ex.rows]
    avars = {}
    for j, var in enumerate(ex.variables):
        a = np.full((T - h, P), np.nan, np.float32)
        a[t_idx, p_idx] = ex.attributions[:, j]
        avars[f"shap_{var}"] = (dims, a.reshape(shape), {
            "long_name": f"SHAP attribution of {var} to the predicted {target}",
            "units": "1" if is_clf else "same as target", "derived_from": var,
            "method": ex.method, "output": ex.output})
    ads = dict(data_vars=avars, coords=coords, attrs={
        **common, "title": f"SHAP attributions of run {run_id} for {target}",
        "base_value": ex.base_value})
    paths = {"predictions": outdir / f"{run_id}_predictions.zarr",
             "attributions": outdir / f"{run_id}_attributions.zarr"}
    for p in paths.values():
        if p.exists():
            raise FileExistsError(f"{p} already exists: a run id is written once; use a new run id")
    for key, cube in (("predictions", pds), ("attributions", ads)):
        tmp = Path(tempfile.mkdtemp(dir=outdir, prefix=f".{run_id}_{key}."))
        try:
            write_cube(tmp / "cube.zarr", **cube, zarr_format=3, consolidated=False)
            os.replace(tmp / "cube.zarr", paths[key])
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return paths
