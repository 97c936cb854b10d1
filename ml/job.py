"""One training job end to end: data, model, baselines, metrics, SHAP, timings.

:func:`run_training` is what ``cubegraph train JOB`` runs once the graph has chosen the
inputs (``reasoning.select_inputs``): it takes plain :class:`JobInputs` (paths and variable
names, IRIs optional), and returns a :class:`RunResult` holding everything the write-back
(:mod:`cubegraph.ml.writeback`) and the CLI's summary need. It either returns a whole result
or raises an :class:`~cubegraph.ml.errors.MLError` before anything is written; the caller
records a failed run from that error (``writeback.failed_run_record``, written by
:func:`cubegraph.kg.records.run.run_graph`).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

import numpy as np
import torch
from tqdm.auto import tqdm

from cubegraph.kg.records.run import MODEL_ROW
from cubegraph.ml.baselines import (
    Baseline,
    drought_baselines,
    find_index_variable,
    fire_baselines,
    linear_baseline,
)
from cubegraph.ml.dataset import (
    SPLITS,
    CubeDataset,
    FeatureConfig,
    InputRef,
    SplitConfig,
    build_dataset,
)
from cubegraph.ml.errors import EmptySelectionError, MLError
from cubegraph.ml.explain import Explanation, explain_model
from cubegraph.ml.metrics import (
    LOWER_IS_BETTER,
    best_f1_threshold,
    classification_metrics,
    regression_metrics,
)
from cubegraph.ml.train import TrainConfig, TrainedModel, train_model

__all__ = ["JobInputs", "RunResult", "run_training", "MODEL_KEY"]

#: Key of the trained model's row in :attr:`RunResult.metrics` (baselines use their names);
#: the same name marks the model's evaluations in the graph.
MODEL_KEY = MODEL_ROW


@dataclass(frozen=True)
class JobInputs:
    """The concrete inputs of a training job.

    Attributes:
        target: the variable to predict.
        drivers: the input variables.
        period: ``(start, end)`` ISO dates, or ``None`` for the target's whole time range.
        horizon: steps ahead (next day = 1).
        task: ``classification`` or ``regression``.
        index_variable: the driver used as the fire-danger-index baseline (found by name,
            e.g. ``fwi``, when ``None``).
        autoregressive: also feed the target's own past; ``None`` = yes for regression
            (NDVI tomorrow depends on NDVI today), no for classification.
        features / split: see :class:`FeatureConfig` and :class:`SplitConfig`.
        max_samples: random subsample per split, to bound training time.
        explain_samples: test samples SHAP explains.
        train: training hyper-parameters (the model name is set by ``run_training``).
    """

    target: InputRef
    drivers: tuple[InputRef, ...]
    period: tuple[str, str] | None = None
    horizon: int = 1
    task: str = "classification"
    index_variable: str | None = None
    autoregressive: bool | None = None
    features: FeatureConfig = FeatureConfig()
    split: SplitConfig = SplitConfig()
    max_samples: int | Mapping[str, int] | None = 200_000
    explain_samples: int = 2000
    train: TrainConfig = TrainConfig()

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> "JobInputs":
        """Build from a plain mapping (a parsed job file).

        ``{"target": {"path", "variable"}, "drivers": [{"path", "variable", "iri"?}, ...],
        "period": [start, end]?, "horizon"?, "task"?, "index_variable"?, ...}``

        Raises:
            EmptySelectionError: if ``drivers`` is missing or empty.
            MLError: if ``target`` is missing or malformed.
        """
        try:
            target = InputRef(**spec["target"])
        except (KeyError, TypeError) as exc:
            raise MLError(f"job spec needs target: {{path, variable}} ({exc})") from exc
        drivers = tuple(InputRef(**d) for d in spec.get("drivers") or ())
        if not drivers:
            raise EmptySelectionError(
                f"job spec for target {target.variable!r} lists no drivers: add inputs or "
                "let the graph select them"
            )
        kw: dict[str, Any] = {k: spec[k] for k in ("horizon", "task", "index_variable",
                                                   "autoregressive", "max_samples",
                                                   "explain_samples") if k in spec}
        if spec.get("period"):
            kw["period"] = tuple(spec["period"])
        if "features" in spec:
            kw["features"] = FeatureConfig(**{k: tuple(v) if isinstance(v, list) else v
                                              for k, v in spec["features"].items()})
        if "split" in spec:
            kw["split"] = SplitConfig(**spec["split"])
        if "train" in spec:
            kw["train"] = TrainConfig(**spec["train"])
        return cls(target, drivers, **kw)


@dataclass
class RunResult:
    """Everything one successful training run produced.

    Attributes:
        job: the inputs as run.
        seed: the seed.
        model_name / task: what was trained.
        trained: the :class:`TrainedModel`.
        data: the :class:`CubeDataset` (grid, splits, sample indices; for the write-back).
        metrics: ``{"model" | baseline name: {split: {measure: value}}}``.
        thresholds: the best-F1-on-validation threshold of each classifier row.
        baselines: ``{name: description}``.
        explanation: SHAP attributions and importances.
        predictions: ``{split: model prediction per sample}``.
        hyperparameters: name -> value, as written to ``mls:HyperParameterSetting``.
        timings: seconds per stage, and ``total``.
        started / ended: UTC times.
    """

    job: JobInputs
    seed: int
    model_name: str
    task: str
    trained: TrainedModel
    data: CubeDataset = field(repr=False)
    metrics: dict[str, dict[str, dict[str, float]]]
    thresholds: dict[str, float]
    baselines: dict[str, str]
    explanation: Explanation
    predictions: dict[str, np.ndarray] = field(repr=False)
    hyperparameters: dict[str, Any]
    timings: dict[str, float]
    started: dt.datetime
    ended: dt.datetime
    status: str = "succeeded"

    def beats(self, baseline: str, measure: str, split: str = "test") -> bool:
        """True when the model is better than a baseline on a measure (lower RMSE/MAE)."""
        m, b = self.metrics[MODEL_KEY][split][measure], self.metrics[baseline][split][measure]
        return m < b if measure in LOWER_IS_BETTER else m > b

    def summary_table(self) -> str:
        """A plain-text report for the CLI: splits, metrics side by side, importances."""
        d = self.data.describe()
        lines = [f"run: model={self.model_name} task={self.task} seed={self.seed} "
                 f"target={self.job.target.variable} horizon={self.job.horizon} "
                 f"best_epoch={self.trained.best_epoch}/{len(self.trained.history)}"]
        for name, s in d["splits"].items():
            extra = f", positives {s['positives']}" if "positives" in s else ""
            lines.append(f"  {name:<10} {s['start']} .. {s['end']}  samples {s['samples']}{extra}")
        measures = (["auroc", "auprc", "f1"] if self.task == "classification"
                    else ["rmse", "mae", "r2"])
        head = f"{'':<16}" + "".join(f"{s + ':' + m:>18}" for s in ("validation", "test")
                                      for m in measures)
        lines += ["", head]
        for row, per_split in self.metrics.items():
            label = f"{self.model_name} (model)" if row == MODEL_KEY else row
            lines.append(f"{label:<16}" + "".join(f"{per_split[s][m]:>18.4f}"
                                                  for s in ("validation", "test") for m in measures))
        lines += ["", f"SHAP ({self.explanation.method}, {len(self.explanation.rows)} "
                  f"{self.explanation.split} samples, {self.explanation.output} units)",
                  f"{'rank':>4}  {'variable':<24}{'mean|SHAP|':>12}{'share':>8}  sign"]
        for imp in self.explanation.importances:
            sign = {1: "+", -1: "-", 0: "0"}[imp.effect_sign]
            lines.append(f"{imp.rank:>4}  {imp.variable:<24}{imp.importance:>12.4f}"
                         f"{imp.share:>8.1%}  {sign}")
        lines += ["", "timings: " + ", ".join(f"{k} {v:.1f}s" for k, v in self.timings.items())]
        return "\n".join(lines)


def run_training(job_inputs: JobInputs, *, seed: int = 0, model: str = "mlp",
                 task: str | None = None, progress: bool = True) -> RunResult:
    """Build the data, train, evaluate against baselines, explain.

    Args:
        job_inputs: the job's concrete inputs.
        seed: seeds sampling, weights, shuffling and SHAP draws.
        model: ``"mlp"`` or ``"temporal"``.
        task: overrides ``job_inputs.task`` when given.
        progress: show tqdm bars.

    Returns:
        The :class:`RunResult`.

    Raises:
        EmptySelectionError, InputReadError, GridMismatch, AllNaNVariable,
        SingleClassTarget, InsufficientData, MLError: before any training; nothing is
            written by this function in any case.
    """
    job = replace(job_inputs, task=task) if task else job_inputs
    started = dt.datetime.now(dt.timezone.utc)
    timings: dict[str, float] = {}
    t_all = time.perf_counter()
    stages = tqdm(total=5, desc="run", unit="stage", disable=not progress, leave=False)

    stages.set_description("loading inputs")
    t0 = time.perf_counter()
    autoreg = job.autoregressive if job.autoregressive is not None else job.task == "regression"
    data = build_dataset(job.target, job.drivers, horizon=job.horizon, period=job.period,
                         task=job.task, features=job.features, split=job.split,
                         autoregressive=autoreg, max_samples=job.max_samples, seed=seed)
    for s in SPLITS:
        data.pixel_features(s)
    timings["load"] = time.perf_counter() - t0
    stages.update()

    stages.set_description(f"training {model}")
    t0 = time.perf_counter()
    config = replace(job.train, model=model)
    trained = train_model(data, config, seed=seed, progress=progress)
    timings["train"] = time.perf_counter() - t0
    stages.update()

    stages.set_description("evaluating")
    t0 = time.perf_counter()
    predictions = {s: trained.predict(data, s) for s in SPLITS}
    baselines = _baselines(data, job)
    metrics, thresholds = {}, {}
    rows = {MODEL_KEY: predictions, **{b.name: b.scores for b in baselines}}
    for name, scores in rows.items():
        metrics[name], thr = _evaluate(data, scores)
        if thr is not None:
            thresholds[name] = thr
    timings["evaluate"] = time.perf_counter() - t0
    stages.update()

    stages.set_description("explaining")
    t0 = time.perf_counter()
    explanation = explain_model(trained, data, split="test", n_samples=job.explain_samples,
                                seed=seed)
    timings["explain"] = time.perf_counter() - t0
    stages.update()
    timings["total"] = time.perf_counter() - t_all
    stages.update()
    stages.close()

    hyper = {
        "model": model, "task": job.task, "horizon": job.horizon, "seed": seed,
        **{k: v for k, v in config.as_dict().items() if k != "model_params"},
        **{f"model.{k}": v for k, v in config.model_params.items()},
        "lags": list(job.features.lags), "windows": list(job.features.windows),
        "anomalies": job.features.anomalies, "window_days": job.features.window_days,
        "autoregressive": autoreg, "max_samples": job.max_samples,
        "pos_weight": data.pos_weight() if job.task == "classification" else None,
        "explain_samples": job.explain_samples,
        "explain_background": explanation.n_background,
        "torch_threads": torch.get_num_threads(),
    }
    return RunResult(job, seed, model, job.task, trained, data, metrics, thresholds,
                     {b.name: b.description for b in baselines}, explanation, predictions,
                     {k: v for k, v in hyper.items() if v is not None}, timings, started,
                     dt.datetime.now(dt.timezone.utc))


def _baselines(data: CubeDataset, job: JobInputs) -> list[Baseline]:
    out: list[Baseline] = []
    if job.task == "classification":
        key = find_index_variable(data, job.index_variable)
        if job.index_variable is not None and key is None:
            raise MLError(f"index_variable {job.index_variable!r} is not a driver of this job: "
                          f"drivers are {sorted(data.inputs)}")
        if key is not None:
            out += fire_baselines(data, key)
    else:
        out += drought_baselines(data)
    out.append(linear_baseline(data))
    return out


def _evaluate(data: CubeDataset, scores: Mapping[str, np.ndarray]):
    if data.task == "classification":
        thr, _ = best_f1_threshold(data.splits["validation"].y, scores["validation"])
        return {s: classification_metrics(data.splits[s].y, scores[s], thr) for s in SPLITS}, thr
    return {s: regression_metrics(data.splits[s].y, scores[s]) for s in SPLITS}, None
