"""Evaluation measures, in plain numpy (no scikit-learn dependency).

Classification: AUROC, AUPRC (average precision, the step-wise area sklearn also reports),
F1 at a threshold, and the best-F1 threshold (chosen on validation, then applied unchanged
on test). Regression: RMSE, MAE, R². Every function ignores nothing silently: NaN inputs
are a caller's bug and raise.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "auroc",
    "auprc",
    "f1_at",
    "best_f1_threshold",
    "rmse",
    "mae",
    "r2",
    "classification_metrics",
    "regression_metrics",
    "LOWER_IS_BETTER",
]

#: Measures whose lower value is better; any other is higher-is-better. Beyond the ones
#: computed here, it names the usual error measures other tools write into the graph.
LOWER_IS_BETTER = frozenset({"rmse", "mae", "mse", "brier", "log_loss", "logloss"})


def _check(y: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y, dtype=np.float64).ravel()
    s = np.asarray(s, dtype=np.float64).ravel()
    if y.shape != s.shape:
        raise ValueError(f"targets and scores differ in length: {y.size} vs {s.size}")
    if y.size == 0:
        raise ValueError("no samples to evaluate")
    if not (np.isfinite(y).all() and np.isfinite(s).all()):
        raise ValueError("targets or scores contain NaN/inf: drop those samples first")
    return y, s


def auroc(y: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney U with average ranks for ties).

    Returns NaN when only one class is present (the area is undefined).
    """
    y, s = _check(y, score)
    pos = y > 0.5
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(s.size, np.float64)
    ss = s[order]
    # Average ranks over tied scores, so a constant score gives exactly 0.5.
    starts = np.r_[0, np.flatnonzero(np.diff(ss)) + 1]
    ends = np.r_[starts[1:], ss.size]
    avg = (starts + ends + 1) / 2.0
    ranks[order] = np.repeat(avg, ends - starts)
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def _pr_curve(y: np.ndarray, s: np.ndarray):
    order = np.argsort(-s, kind="mergesort")
    ys, ss = y[order], s[order]
    distinct = np.r_[np.flatnonzero(np.diff(ss)), ys.size - 1]  # last index of each score
    tp = np.cumsum(ys)[distinct]
    fp = (distinct + 1) - tp
    return tp, fp, ss[distinct]


def auprc(y: np.ndarray, score: np.ndarray) -> float:
    """Average precision: sum over thresholds of precision × recall increment.

    Returns NaN when there is no positive.
    """
    y, s = _check(y, score)
    y = (y > 0.5).astype(np.float64)
    n_pos = y.sum()
    if n_pos == 0:
        return float("nan")
    tp, fp, _ = _pr_curve(y, s)
    precision = tp / (tp + fp)
    recall = tp / n_pos
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def f1_at(y: np.ndarray, score: np.ndarray, threshold: float) -> float:
    """F1 of the rule ``score >= threshold``."""
    y, s = _check(y, score)
    yp = s >= threshold
    yt = y > 0.5
    tp = float((yp & yt).sum())
    denom = float(yp.sum() + yt.sum())
    return 2 * tp / denom if denom else 0.0


def best_f1_threshold(y: np.ndarray, score: np.ndarray) -> tuple[float, float]:
    """The threshold that maximises F1 on these samples, and that F1.

    Returns:
        ``(threshold, f1)``; ``(inf, 0.0)`` when there is no positive.
    """
    y, s = _check(y, score)
    y = (y > 0.5).astype(np.float64)
    n_pos = y.sum()
    if n_pos == 0:
        return float("inf"), 0.0
    tp, fp, thr = _pr_curve(y, s)
    f1 = 2 * tp / (tp + fp + n_pos)
    i = int(np.argmax(f1))
    return float(thr[i]), float(f1[i])


def rmse(y: np.ndarray, pred: np.ndarray) -> float:
    y, p = _check(y, pred)
    return float(np.sqrt(np.mean((y - p) ** 2)))


def mae(y: np.ndarray, pred: np.ndarray) -> float:
    y, p = _check(y, pred)
    return float(np.mean(np.abs(y - p)))


def r2(y: np.ndarray, pred: np.ndarray) -> float:
    """Coefficient of determination; NaN when the target is constant."""
    y, p = _check(y, pred)
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    if ss_tot == 0:
        return float("nan")
    return 1.0 - float(np.sum((y - p) ** 2)) / ss_tot


def classification_metrics(y: np.ndarray, score: np.ndarray, threshold: float) -> dict[str, float]:
    """AUROC, AUPRC, F1 at ``threshold``, and the positive rate, of one split."""
    return {"auroc": auroc(y, score), "auprc": auprc(y, score),
            "f1": f1_at(y, score, threshold), "positive_rate": float(np.mean(np.asarray(y) > 0.5))}


def regression_metrics(y: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    """RMSE, MAE and R² of one split."""
    return {"rmse": rmse(y, pred), "mae": mae(y, pred), "r2": r2(y, pred)}
