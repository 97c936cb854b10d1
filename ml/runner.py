"""A job spec in, a recorded run out: selection -> training -> artifacts -> write-back.

:func:`train_job` is what ``cubegraph train JOB`` and the demo run. The graph chooses the
inputs (:func:`cubegraph.reasoning.selection.select_inputs`, recorded as a
``cg:InputSelection``), :func:`cubegraph.ml.job.run_training` trains and explains, and the
results go back as linked data:

- the model file (``{artifacts}/{run_id}/model.pt``) and the SHAP chart (``shap.png``), each
  with its sha256, and two zarr cubes,
  predictions and SHAP attributions, ingested like any cube, with what they inherit from the
  run where their files say nothing (extent, period, licence, creator, date, what each
  variable is about: :mod:`cubegraph.ml.inheritance`);
- one named graph per run (``{base}run/{id}``): the run (``mls:Run``, ``prov:Activity``),
  what it used down to each cube with the fingerprint it had at the time and the digest of
  every stored byte the run read from it, hashed as it was read (``prov:qualifiedUsage``),
  hyper-parameters, evaluations beside the baselines', the explanation with one attribution
  per variable, and ``prov:wasGeneratedBy`` links from the output cubes.

Whole or failed, never half: the run graph and the descriptions of its output cubes are
written in ONE transaction at the end. A run that stops on an error is recorded as
``cg:status "failed"`` with the error, and nothing else of it is written. A process killed
before the end leaves no run graph and no output cube in the graph (files it wrote under
``artifacts`` stay on disk, unreferenced).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import URIRef

from cubegraph.errors import CubegraphError
from cubegraph.ingest.cubes.journal import ReadJournal, journal_reads
from cubegraph.ingest.pipeline import describe_paths
from cubegraph.kg.iris import Iris
from cubegraph.kg.records.run import Chart, Run, Usage, run_graph
from cubegraph.kg.records.variable import variable_sources
from cubegraph.ml.dataset import InputRef
from cubegraph.ml.errors import InputReadError
from cubegraph.ml.inheritance import output_inheritance
from cubegraph.ml.job import JobInputs, RunResult, run_training
from cubegraph.ml.plots import shap_bar_chart
from cubegraph.ml.writeback import (
    failed_run_record,
    file_sha256,
    run_record,
    save_model,
    write_predictions,
)
from cubegraph.reasoning.jobs import JobSpec
from cubegraph.reasoning.selection import Selection, record_selection, select_inputs

__all__ = ["RunRecord", "train_job", "new_run_id"]

@dataclass
class RunRecord:
    """What :func:`train_job` did.

    Attributes:
        run: the run's IRI (and named graph).
        status: ``"succeeded"`` or ``"failed"``.
        selection: the selection's IRI in the graph.
        result: the :class:`RunResult` (``None`` when the run failed).
        outputs: output cube IRIs (predictions, attributions).
        model_path: the saved model file.
        chart: the SHAP importance chart (PNG) beside it.
        error: the error of a failed run.
    """

    run: URIRef
    status: str
    selection: URIRef | None = None
    result: RunResult | None = None
    outputs: dict[str, URIRef] = field(default_factory=dict)
    model_path: Path | None = None
    error: BaseException | None = None
    chart: Path | None = None


def new_run_id(job: JobSpec) -> str:
    """``{job id}-{UTC time}-{short random}``: sortable, readable, unique."""
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S")
    return f"{job.id}-{stamp}-{uuid.uuid4().hex[:6]}"


def train_job(store, job: JobSpec, *, artifacts: str | Path, run_id: str | None = None,
              progress: bool = True, max_samples: int | None = 200_000) -> RunRecord:
    """Select, train, explain and write back one job.

    Args:
        store: the :class:`cubegraph.kg.Store`.
        job: a :class:`JobSpec` (:func:`cubegraph.reasoning.jobs.load_job`).
        artifacts: folder for model files and output cubes (one sub-folder per run).
        run_id: the run's id (default: :func:`new_run_id`).
        progress: show progress bars.
        max_samples: samples per split used for training (bounds time and memory).
            One training at a time per process: the read journal that records what it
            reads is process-wide (a second one at the same time is recorded as failed).

    Returns:
        The :class:`RunRecord`; a failed run is returned (and recorded), not raised,
        except when the job's inputs cannot even be selected.

    Raises:
        EmptySelection, UnknownTerm: the selection found nothing usable; nothing is written.
    """
    run_id = run_id or new_run_id(job)
    iris: Iris = store.iris
    run_iri = iris.run(run_id)
    selection = select_inputs(store, job)
    selection_iri = record_selection(store, job, selection)
    started = dt.datetime.now(dt.timezone.utc)
    sources = _sources(store, selection)
    inputs = None
    journal = None
    try:
        inputs = _job_inputs(job, selection, sources, max_samples)
        # Every stored byte the run reads is hashed as it is read, so its record (and so
        # its audit) names exactly the bytes it learned from.
        with journal_reads() as journal:
            result = run_training(inputs, seed=job.seed, model=job.model, task=job.task,
                                  progress=progress)
        # Absolute: the run's files are found again whatever folder a later command runs in.
        folder = store.locations.absolute(artifacts) / run_id
        model = save_model(result, folder / "model.pt")
        model["root_path"] = store.locations.relative(model["path"])
        chart = shap_bar_chart(result.explanation, folder / "shap.png",
                               title=f"{job.title or job.id}: SHAP importance")
        cubes = write_predictions(result, folder, run_id)
        record = dataclasses.replace(
            run_record(result, run_id, artifacts={"model": model}),
            chart=Chart("SHAP importance chart", file_sha256(chart), chart.stat().st_size,
                        str(chart), store.locations.relative(chart)))
        inherited = output_inheritance(store, record, sources, target=selection.target[1],
                                       target_name=inputs.target.variable, job_id=job.id)
        described = describe_paths(store, list(cubes.values()),
                                   inherited={cubes[kind]: inherited[kind] for kind in cubes})
        outputs = {kind: cube for kind, (cube, _) in zip(cubes, described)}
        record = dataclasses.replace(record, outputs=tuple(outputs.values()))
        g = run_graph(_with_context(record, job, selection_iri, selection, sources, run_id, iris,
                                    journal), iris)
        # The run and its output cubes land together, or none of them does.
        with store.transaction() as tx:
            for cube, description in described:
                tx.replace_graph(cube, description)
            tx.replace_graph(run_iri, g)
        return RunRecord(run_iri, "succeeded", selection_iri, result, outputs, Path(model["path"]),
                         chart=chart)
    except (CubegraphError, OSError, ValueError, RuntimeError) as exc:
        record = failed_run_record(run_id, inputs, exc, seed=job.seed, started=started)
        g = run_graph(_with_context(record, job, selection_iri, selection, sources, run_id, iris,
                                    journal), iris)
        store.replace_graph(run_iri, g)
        return RunRecord(run_iri, "failed", selection_iri, error=exc)


def _sources(store, selection: Selection) -> dict[URIRef, dict]:
    """variable IRI -> {cube, name, path, fingerprint} for the target and every input."""
    return variable_sources(store, [selection.target[1], *(i.variable for i in selection.inputs)])


def _job_inputs(job: JobSpec, selection: Selection, sources: dict, max_samples) -> JobInputs:
    def ref(var: URIRef) -> InputRef:
        row = sources.get(var)
        if row is None:
            raise InputReadError(f"variable <{var}> has no source path in the graph: re-ingest its cube")
        return InputRef(path=str(row["path"]), variable=str(row["name"]), iri=str(var))

    return JobInputs(
        target=ref(selection.target[1]),
        drivers=tuple(ref(i.variable) for i in selection.inputs),
        period=(job.start.isoformat(), job.end.isoformat()),
        horizon=job.horizon,
        task=job.task,
        max_samples=max_samples,
    )


def _with_context(record: Run, job: JobSpec, selection_iri: URIRef, selection: Selection,
                  sources: dict, run_id: str, iris: Iris, journal: ReadJournal | None) -> Run:
    """The run linked to its job, its selection and each cube as it was when used: its
    fingerprint, and the digest of the bytes the run read from it (from ``journal``)."""
    now = dt.datetime.now(dt.timezone.utc).isoformat()
    usages = []
    for cube in sorted({row["cube"] for row in sources.values()}):
        rows = [r for r in sources.values() if r["cube"] == cube]
        fingerprints = {str(r["fingerprint"]) for r in rows if r.get("fingerprint") is not None}
        content = journal.digest_of(str(rows[0]["path"])) if journal is not None else None
        usages.append(Usage(cube, tuple(sorted(fingerprints)), now, content))
    return dataclasses.replace(
        record, labels=(*record.labels, f"run {run_id} of job {job.id}"),
        job=iris.job(job.id), selection=selection_iri, selection_query=selection.sparql,
        usages=tuple(usages))
