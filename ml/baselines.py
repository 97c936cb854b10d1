"""The baselines a domain scientist would compare a model with.

Each baseline scores the *same* samples of every split as the model (same pixels, same
days, same held-out test period), so the comparison table is apples to apples:

* fire (classification): ``fwi`` — the Fire Weather Index itself as the danger score;
  ``fwi-logistic`` — a logistic regression on FWI's derived features (value, lags, rolling
  means, anomaly), fitted on train;
* drought (regression): ``persistence`` — NDVI(t + h) = NDVI(t); ``climatology`` — the
  pixel's day-of-year mean of the target over the train period (smoothed ±7 days);
* any task: ``linear`` — logistic / ridge regression on all the model's features.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cubegraph.ingest.cubes import days_of_year
from cubegraph.ml.dataset import SPLITS, CubeDataset

__all__ = ["Baseline", "fire_baselines", "drought_baselines", "linear_baseline",
           "find_index_variable", "FIRE_INDEX_NAMES"]

#: Variable names taken to be a fire danger index when the job names none.
FIRE_INDEX_NAMES = ("fwi", "fire_weather_index", "fire_danger_index")


@dataclass
class Baseline:
    """One baseline's scores on every split.

    Attributes:
        name: short name (``"fwi"``, ``"persistence"``...), written as ``cg:baseline``.
        description: one sentence for the report.
        scores: per split, one score/prediction per sample (probability-like for
            classification where fitted, raw index otherwise; target units for regression).
        params: fitted parameters worth recording (coefficients, window).
    """

    name: str
    description: str
    scores: dict[str, np.ndarray]
    params: dict = field(default_factory=dict)


def find_index_variable(data: CubeDataset, name: str | None = None) -> str | None:
    """The input key of the fire danger index: ``name`` if given, else a known spelling."""
    if name is not None:
        return name if name in data.inputs else None
    for key, ref in data.inputs.items():
        if ref.variable.lower() in FIRE_INDEX_NAMES or key.lower() in FIRE_INDEX_NAMES:
            return key
    return None


def fire_baselines(data: CubeDataset, index_key: str) -> list[Baseline]:
    """FWI alone, and a logistic regression on FWI's derived features.

    Raises:
        KeyError: if ``index_key`` is not an input of the dataset.
    """
    if index_key not in data.inputs:
        raise KeyError(f"{index_key!r} is not an input of this job: {sorted(data.inputs)}")
    fill = float(np.nanmedian(data.raw_values(index_key, "train")))
    raw = {s: np.nan_to_num(data.raw_values(index_key, s).astype(np.float64), nan=fill)
           for s in SPLITS}
    cols = [j for j, src in enumerate(data.feature_sources) if src == index_key]
    names = [data.feature_names[j] for j in cols]
    w = _fit_logistic(data.pixel_features("train")[:, cols].numpy(), data.splits["train"].y)
    fitted = {s: _sigmoid(_design(data.pixel_features(s)[:, cols].numpy()) @ w) for s in SPLITS}
    return [
        Baseline("fwi", f"raw {index_key} value at the forecast day as the danger score", raw),
        Baseline("fwi-logistic", f"logistic regression on {index_key}'s derived features",
                 fitted, {"features": names, "coefficients": w.tolist()}),
    ]


def drought_baselines(data: CubeDataset, smoothing_days: int = 7) -> list[Baseline]:
    """Persistence and day-of-year climatology of the target (train period only)."""
    target = data.raw_target()
    persistence = {s: data.target_now(s).astype(np.float64) for s in SPLITS}
    # A sample whose target was not observed at t: fall back to the climatology below.
    doy = days_of_year(data.time)
    doy = np.minimum(doy, 364)
    tr = data.splits["train"]
    train_t = np.arange(tr.t_idx.min() + data.horizon, tr.t_idx.max() + data.horizon + 1)
    P = target.shape[1]
    sums = np.zeros((365, P))
    counts = np.zeros((365, P))
    vals = target[train_t]
    ok = np.isfinite(vals)
    np.add.at(sums, doy[train_t], np.where(ok, vals, 0.0))
    np.add.at(counts, doy[train_t], ok)
    # Circular smoothing: with two or three train years, a raw day-of-year mean is noise.
    k = np.arange(-smoothing_days, smoothing_days + 1)
    idx = (np.arange(365)[:, None] + k[None, :]) % 365
    s_sum, s_cnt = sums[idx].sum(axis=1), counts[idx].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        clim = s_sum / s_cnt
        overall = np.nansum(sums, axis=0) / counts.sum(axis=0)
    clim = np.where(np.isfinite(clim), clim, overall[None, :])
    clim = np.nan_to_num(clim, nan=float(np.nanmean(vals)))
    climatology = {}
    for s in SPLITS:
        sp = data.splits[s]
        climatology[s] = clim[doy[sp.t_idx + data.horizon], sp.p_idx]
        bad = ~np.isfinite(persistence[s])
        persistence[s][bad] = climatology[s][bad]
    return [
        Baseline("persistence", f"target at t+{data.horizon} = target at t", persistence),
        Baseline("climatology", "pixel day-of-year mean of the target over the train period "
                 f"(±{smoothing_days} days)", climatology, {"smoothing_days": smoothing_days}),
    ]


def linear_baseline(data: CubeDataset) -> Baseline:
    """Logistic (classification) or ridge (regression) regression on all the features."""
    X = data.pixel_features("train").numpy()
    y = data.splits["train"].y
    if data.task == "classification":
        w = _fit_logistic(X, y)
        scores = {s: _sigmoid(_design(data.pixel_features(s).numpy()) @ w) for s in SPLITS}
        return Baseline("logistic", "logistic regression on all features", scores,
                        {"coefficients": w.tolist()})
    A = _design(X).astype(np.float64)
    w = np.linalg.solve(A.T @ A + 1e-3 * len(y) * np.eye(A.shape[1]), A.T @ y.astype(np.float64))
    scores = {s: _design(data.pixel_features(s).numpy()) @ w for s in SPLITS}
    return Baseline("ridge", "ridge regression on all features", scores, {"coefficients": w.tolist()})


def _design(X: np.ndarray) -> np.ndarray:
    return np.hstack([np.ones((X.shape[0], 1), X.dtype), X]).astype(np.float64)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))


def _fit_logistic(X: np.ndarray, y: np.ndarray, l2: float = 1e-4, iters: int = 25) -> np.ndarray:
    """Class-balanced logistic regression by Newton's method (IRLS), intercept first.

    Balanced weights match the model's ``pos_weight``, so thresholds and F1 compare fairly.
    """
    A = _design(X)
    y = y.astype(np.float64)
    pos = y.sum()
    sw = np.where(y > 0.5, (len(y) - pos) / max(pos, 1.0), 1.0)
    w = np.zeros(A.shape[1])
    reg = l2 * len(y) * np.eye(A.shape[1])
    reg[0, 0] = 0.0
    for _ in range(iters):
        p = _sigmoid(A @ w)
        g = A.T @ (sw * (p - y)) + reg @ w
        H = (A * (sw * p * (1 - p))[:, None]).T @ A + reg
        step = np.linalg.solve(H + 1e-9 * np.eye(len(w)), g)
        w -= step
        if np.max(np.abs(step)) < 1e-6:
            break
    return w
