"""Metrics against hand-computed values and, where installed, scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest

from cubegraph.ml import metrics as M


def test_auroc_known_values():
    assert M.auroc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)
    assert M.auroc([0, 1, 0, 1], [1, 1, 1, 1]) == pytest.approx(0.5)  # ties: half credit
    assert np.isnan(M.auroc([1, 1], [0.2, 0.3]))


def test_auprc_and_f1_known_values():
    y, s = [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]
    # thresholds 0.8 (P=1,R=.5), 0.4 (P=.5,R=.5), 0.35 (P=2/3,R=1): AP = .5*1 + .5*2/3
    assert M.auprc(y, s) == pytest.approx(0.5 + 1 / 3)
    assert M.f1_at(y, s, 0.35) == pytest.approx(0.8)
    thr, f1 = M.best_f1_threshold(y, s)
    assert (thr, f1) == (pytest.approx(0.35), pytest.approx(0.8))


def test_against_sklearn():
    sk = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    y = (rng.random(500) < 0.2).astype(float)
    s = np.round(rng.random(500) + 0.3 * y, 2)  # rounded: ties exercised
    assert M.auroc(y, s) == pytest.approx(sk.roc_auc_score(y, s))
    assert M.auprc(y, s) == pytest.approx(sk.average_precision_score(y, s))
    assert M.f1_at(y, s, 0.6) == pytest.approx(sk.f1_score(y, s >= 0.6))
    p = y + rng.normal(0, 0.3, 500)
    assert M.rmse(y, p) == pytest.approx(np.sqrt(sk.mean_squared_error(y, p)))
    assert M.mae(y, p) == pytest.approx(sk.mean_absolute_error(y, p))
    assert M.r2(y, p) == pytest.approx(sk.r2_score(y, p))


def test_nan_scores_are_refused():
    with pytest.raises(ValueError, match="NaN"):
        M.auroc([0, 1], [0.1, np.nan])
    with pytest.raises(ValueError, match="differ in length"):
        M.rmse([1, 2], [1])
