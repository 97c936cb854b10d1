"""Writing a run back: its record for the graph, and zarr cubes of its outputs.

:func:`run_record` turns a successful run into the :class:`~cubegraph.kg.records.run.Run`
record the graph keeps (the run, its inputs, hyper-parameter settings, the model, one
evaluation per model/baseline × split × measure, the explanation and one attribution per
input variable, the derived features and what they were derived from);
:func:`failed_run_record` records a run that stopped on an error. Both are pure; the caller
adds the run's context (job, selection, cube usages) and writes
:func:`cubegraph.kg.records.run.run_graph` with one ``replace_graph`` into the run's own
named graph.

:func:`write_predictions` writes the model's predictions and the per-sample SHAP
attributions as CF zarr cubes on the target grid, each written to a temporary folder and
renamed into place, so a reader never sees half a cube. They can be ingested like any cube.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import socket
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Mapping

import numpy as np
from rdflib import URIRef

import cubegraph
from cubegraph.ingest.cubes import write_cube
from cubegraph.kg.records.attribution import Attribution, Explanation
from cubegraph.kg.records.run import Evaluation, Feature, Model, Run
from cubegraph.ml.job import MODEL_KEY, JobInputs, RunResult

__all__ = ["run_record", "failed_run_record", "write_predictions", "save_model", "file_sha256",
           "predicted_name", "attribution_name"]


def predicted_name(target: str) -> str:
    """The name of the predictions' variable for target variable ``target`` (a variable of
    a NetCDF group, ``forecast/tas``, gives ``forecast.tas_predicted``: one array, not a
    sub-group, of the output cube)."""
    return f"{_flat(target)}_predicted"


def attribution_name(variable: str) -> str:
    """The name of the attributions' variable for model input ``variable`` (flattened as
    :func:`predicted_name`'s)."""
    return f"shap_{_flat(variable)}"


def _flat(name: str) -> str:
    return name.replace("/", ".")


def run_record(run: RunResult, run_id: str, inputs: Mapping[str, str] | None = None, *,
               outputs: Mapping[str, str] | None = None,
               artifacts: Mapping[str, Mapping[str, object]] | None = None) -> Run:
    """The graph's record of a successful run.

    Args:
        run: the result of :func:`cubegraph.ml.job.run_training`.
        run_id: the run's id, e.g. a UUID or ``"fire-2024-06-01-seed0"``.
        inputs: variable key (or variable name) -> variable IRI in the graph; overrides
            the ``iri`` of the job's :class:`~cubegraph.ml.dataset.InputRef` s. Inputs with no
            IRI are recorded by path and name only (``rdfs:comment``), never with a made-up IRI.
        outputs: IRIs of output cubes already described (predictions, attributions); each
            gets ``prov:wasGeneratedBy`` the run.
        artifacts: ``{"model": {"path": ..., "sha256": ..., "bytes": ...}}`` from
            :func:`save_model`, with ``"root_path"`` (the path under the data root) when the
            caller knows one.

    Returns:
        The :class:`~cubegraph.kg.records.run.Run`; nothing is written anywhere.
    """
    iri_of = _input_iris(run.job, run.data.inputs, inputs or {})
    model_file = (artifacts or {}).get("model") or {}
    ex = run.explanation
    features = tuple(
        Feature(d.name, d.operation,
                f"{d.operation} of {d.source}" + (f" {json.dumps(d.parameters, sort_keys=True)}"
                                                  if d.parameters else ""),
                iri_of.get(d.source))
        for d in run.data.derived)
    evaluations = tuple(
        Evaluation(row, split, measure, value,
                   f"{measure} of {run.model_name} on {split}" if row == MODEL_KEY
                   else f"{measure} of baseline {row} on {split}")
        for row, per_split in run.metrics.items()
        for split, measures in per_split.items()
        for measure, value in measures.items())
    return Run(
        **_header(run.job, run_id, run.seed, run.started, run.ended, "succeeded", iri_of),
        labels=(f"{run.model_name} {run.task} run on {run.job.target.variable}",),
        target=iri_of.get("__target__"),
        hyperparameters=tuple(sorted(run.hyperparameters.items())),
        model=Model(
            label=f"{run.model_name} model ({run.trained.kind} inputs)",
            description=(f"best epoch {run.trained.best_epoch} of {len(run.trained.history)}; "
                         "inputs: " + ", ".join(run.trained.input_names)),
            sha256=str(model_file["sha256"]) if "sha256" in model_file else None,
            byte_size=int(model_file["bytes"]) if "bytes" in model_file else None,
            path=str(model_file["path"]) if "path" in model_file else None,
            root_path=model_file.get("root_path")),
        features=features,
        evaluations=evaluations,
        explanation=Explanation(
            ex.method,
            f"mean |SHAP| per input variable ({ex.output} units) over {len(ex.rows)} {ex.split} "
            f"samples, background of {ex.n_background} train samples",
            tuple(Attribution(imp.variable, imp.importance, imp.rank, imp.effect_sign,
                              iri_of.get(imp.variable)) for imp in ex.importances)),
        outputs=tuple(URIRef(str(o)) for o in (outputs or {}).values()),
    )


def failed_run_record(run_id: str, job: JobInputs | None, error: BaseException, *,
                      seed: int | None = None, started: dt.datetime | None = None,
                      ended: dt.datetime | None = None,
                      inputs: Mapping[str, str] | None = None) -> Run:
    """The graph's record of a run that stopped on an error: status, message, what it tried.

    Args:
        run_id: as for :func:`run_record`.
        job: the job, when it could be parsed (its inputs are then recorded as used).
        error: the exception (its class name and message are kept).
        seed / started / ended: when known.
        inputs: variable key -> IRI, as for :func:`run_record`.
    """
    now = dt.datetime.now(dt.timezone.utc)
    iri_of = _input_iris(job, {d.variable: d for d in job.drivers} if job else {}, inputs or {})
    return Run(**_header(job, run_id, seed, started or now, ended or now, "failed", iri_of),
               error=f"{type(error).__name__}: {error}")


def _header(job: JobInputs | None, run_id: str, seed, started, ended, status,
            iri_of: Mapping[str, URIRef]) -> dict:
    """The fields every run record has, succeeded or failed."""
    fields = {"id": run_id, "status": status, "started": _utc(started), "ended": _utc(ended),
              "software": cubegraph.__version__, "host": socket.gethostname(),
              "seed": int(seed) if seed is not None else None}
    if job is None:
        return fields
    unnamed = [f"{ref.variable} in {ref.path}" for ref in (job.target, *job.drivers)
               if not (ref.iri or iri_of.get(ref.variable))]
    fields.update(job_spec=json.dumps(_job_dict(job), sort_keys=True, default=str),
                  inputs=tuple(dict.fromkeys(iri_of.values())),
                  comment=("inputs without a graph IRI: " + "; ".join(unnamed)) if unnamed else None)
    return fields


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
        ``{"path", "sha256", "bytes"}`` for :func:`run_record`'s ``artifacts``.
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
        data_vars={predicted_name(target): (dims, pred.reshape(shape), {
            "long_name": (f"predicted probability of {target}" if is_clf else f"predicted {target}"),
            "units": "1", "derived_from": target,
            "comment": f"prediction made {h} step(s) ahead from inputs at time - {h}"}),
         "split": (dims, split_code.reshape(shape), {
             "long_name": "data split of the sample", "flag_values": np.array([0, 1, 2], np.int8),
             "flag_meanings": "train validation test",
             "comment": "-1: no sample (history too short or target missing)"})},
        coords=coords, attrs={
            **common, "title": f"Predictions of run {run_id} for {target}",
            "summary": (f"{'Probability' if is_clf else 'Value'} of {target} predicted {h} "
                        f"step(s) ahead by the {run.model_name} model of cubegraph run {run_id}, "
                        "on the target's grid at the target's time; 'split' flags the data "
                        "split of each sample.")})
    ex = run.explanation
    s = data.splits[ex.split]
    t_idx, p_idx = s.t_idx[ex.rows], s.p_idx[ex.rows]
    avars = {}
    for j, var in enumerate(ex.variables):
        a = np.full((T - h, P), np.nan, np.float32)
        a[t_idx, p_idx] = ex.attributions[:, j]
        avars[attribution_name(var)] = (dims, a.reshape(shape), {
            "long_name": f"SHAP attribution of {var} to the predicted {target}",
            "units": "1" if is_clf else "same as target", "derived_from": var,
            "method": ex.method, "output": ex.output})
    ads = dict(data_vars=avars, coords=coords, attrs={
        **common, "title": f"SHAP attributions of run {run_id} for {target}",
        "summary": (f"SHAP attribution ({ex.method}) of each input variable to the {target} "
                    f"predicted by the {run.model_name} model of cubegraph run {run_id}, for "
                    f"{len(ex.rows)} {ex.split} samples, on the target's grid."),
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
