"""SHAP explanations of a trained model, per input variable.

A model's columns are derived features (``t2m``, ``t2m_lag1``, ``t2m_mean7``...); a
scientist asks about *variables*. SHAP values are additive, so a variable's attribution in
a sample is the sum of its features' SHAP values (for the temporal model: the sum over the
days of the window). From those ``samples × variables`` attributions:

* importance = mean |attribution| over the explained samples, ranked (1 = most important);
* effect sign = sign of the correlation between the variable's value (at the forecast day)
  and its attribution: +1 when more of it pushes the prediction up.

``shap.DeepExplainer`` (DeepLIFT with a background sample, exact additivity) is the
default: it explains a sample in one backward pass, where ``GradientExplainer`` loops over
``nsamples`` interpolations per sample in Python (the timings: docs/benchmarks.md). The
GradientExplainer stays available (``method="gradient"``) for layers DeepLIFT does not know.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np
import torch

from cubegraph.ml.dataset import CubeDataset
from cubegraph.ml.errors import MLError
from cubegraph.ml.train import TrainedModel

__all__ = ["VariableImportance", "Explanation", "explain_model", "METHODS"]

#: Method names -> the shap explainer class recorded as ``cg:method``.
METHODS = {"deep": "shap.DeepExplainer", "gradient": "shap.GradientExplainer"}


@dataclass(frozen=True)
class VariableImportance:
    """Global importance of one input variable.

    Attributes:
        variable: input variable key.
        importance: mean |SHAP| of the variable (output units: logit or target units).
        share: importance / sum of importances.
        rank: 1 = most important.
        effect_sign: +1, -1, or 0 when no direction can be told (constant input).
        correlation: the correlation the sign was read from.
    """

    variable: str
    importance: float
    share: float
    rank: int
    effect_sign: int
    correlation: float


@dataclass
class Explanation:
    """SHAP attributions of one model on a sample of one split.

    Attributes:
        method: shap explainer (``shap.DeepExplainer``).
        output: what is explained: ``"logit"`` or ``"target"`` units.
        split: the split explained.
        rows: row index of each explained sample within the split.
        variables: variable keys, the columns of ``attributions``.
        attributions: ``(samples, variables)`` float32 SHAP values per variable.
        values: ``(samples, variables)`` the variables' standardised values at ``t``.
        base_value: the explainer's expected output over the background.
        importances: :class:`VariableImportance` per variable, by rank.
        n_background: background samples (from train).
        seconds: wall time of the SHAP computation.
    """

    method: str
    output: str
    split: str
    rows: np.ndarray
    variables: list[str]
    attributions: np.ndarray
    values: np.ndarray
    base_value: float
    importances: list[VariableImportance]
    n_background: int
    seconds: float

    def importance_of(self, variable: str) -> VariableImportance:
        """The importance record of one variable.

        Raises:
            KeyError: if the variable was not an input.
        """
        for imp in self.importances:
            if imp.variable == variable:
                return imp
        raise KeyError(f"{variable!r} is not an explained variable: {self.variables}")

    def ranking(self) -> list[str]:
        """Variables from most to least important."""
        return [i.variable for i in self.importances]


def explain_model(trained: TrainedModel, data: CubeDataset, *, split: str = "test",
                  n_samples: int = 2000, n_background: int = 50, method: str = "deep",
                  seed: int = 0) -> Explanation:
    """Compute SHAP attributions of a trained model per input variable.

    Args:
        trained: the model to explain.
        data: the dataset it was trained on.
        split: the split whose samples are explained (test by default: what the model
            does on days it never saw).
        n_samples: samples explained (a seeded random subset when the split is larger).
        n_background: background samples drawn from train.
        method: ``"deep"`` or ``"gradient"``.
        seed: seeds the sample and background draws.

    Returns:
        The :class:`Explanation`.

    Raises:
        MLError: for an unknown method, or when SHAP fails on the model.
    """
    with warnings.catch_warnings():
        # shap's import warns about matplotlib colormap deprecations: not ours to fix.
        warnings.simplefilter("ignore")
        import shap  # heavy import (numba, sklearn): only when explaining

    if method not in METHODS:
        raise MLError(f"unknown explanation method {method!r}: choose one of {sorted(METHODS)}")
    rng = np.random.default_rng(seed)
    n_split = len(data.splits[split])
    rows = np.sort(rng.choice(n_split, size=min(n_samples, n_split), replace=False))
    bg_rows = np.sort(rng.choice(len(data.splits["train"]),
                                 size=min(n_background, len(data.splits["train"])), replace=False))
    x = data.inputs_of(split, trained.kind, rows)
    bg = data.inputs_of("train", trained.kind, bg_rows)
    fn = trained.output_function().eval()
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings():
            # shap warns about unrecognised (but linear) ops and torch hooks; not actionable.
            warnings.simplefilter("ignore")
            if method == "deep":
                explainer = shap.DeepExplainer(fn, bg)
                sv = explainer.shap_values(x, check_additivity=False)
            else:
                explainer = shap.GradientExplainer(fn, bg, batch_size=50)
                sv = explainer.shap_values(x, nsamples=50, rseed=seed)
    except Exception as exc:  # shap raises bare Exceptions/AssertionErrors on odd graphs
        raise MLError(f"SHAP ({METHODS[method]}) failed on model {trained.name!r}: {exc}; "
                      "try method='gradient'") from exc
    seconds = time.perf_counter() - t0
    sv = np.asarray(sv, dtype=np.float64)
    if sv.ndim == x.ndim + 1:  # trailing output axis of a single-output model
        sv = sv[..., 0]
    if method == "deep":
        base = float(np.ravel(explainer.expected_value)[0])
    else:
        with torch.no_grad():
            base = float(fn(bg).mean())

    variables = list(data.variables)
    xs = x.numpy()
    if trained.kind == "pixel":
        attr = np.zeros((sv.shape[0], len(variables)))
        for j, src in enumerate(trained.input_sources):
            attr[:, variables.index(src)] += sv[:, j]
        ident = {src: j for j, src in reversed(list(enumerate(trained.input_sources)))}
        values = np.stack([xs[:, ident[v]] for v in variables], axis=1)
    else:
        attr = sv.sum(axis=1)  # over the days of the window
        values = xs[:, -1, :]
    importances = _rank(variables, attr, values)
    return Explanation(METHODS[method], "logit" if trained.task == "classification" else "target",
                       split, rows, variables, attr.astype(np.float32), values.astype(np.float32),
                       base, importances, len(bg_rows), seconds)


def _rank(variables: list[str], attr: np.ndarray, values: np.ndarray) -> list[VariableImportance]:
    imp = np.abs(attr).mean(axis=0)
    total = float(imp.sum()) or 1.0
    order = np.argsort(-imp, kind="stable")
    out = []
    for rank, j in enumerate(order, start=1):
        a, v = attr[:, j], values[:, j]
        corr = float(np.corrcoef(v, a)[0, 1]) if v.std() > 0 and a.std() > 0 else 0.0
        corr = corr if np.isfinite(corr) else 0.0
        out.append(VariableImportance(variables[j], float(imp[j]), float(imp[j]) / total, rank,
                                      int(np.sign(corr)), corr))
    return out
