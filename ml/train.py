"""The training loop: mini-batch Adam with early stopping on the validation split.

Classification uses ``BCEWithLogitsLoss`` with ``pos_weight`` = negatives/positives of
train (fire pixels are rare, and an unweighted loss learns "never fire"); regression uses
MSE on a train-standardised target. The weights of the epoch with the lowest validation
loss are kept. Everything is seeded, and run under torch's deterministic algorithms, so two
runs with the same seed give the same model.
"""

from __future__ import annotations

import copy
import time
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from cubegraph.ml.dataset import CubeDataset
from cubegraph.ml.errors import MLError
from cubegraph.ml.models import INPUT_KIND, build_model, deterministic, seed_everything

__all__ = ["TrainConfig", "TrainedModel", "train_model"]


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of a training run (all written back as mls:HyperParameterSetting).

    Attributes:
        model: ``"mlp"`` or ``"temporal"``.
        epochs: maximum epochs.
        patience: epochs without validation improvement before stopping.
        learning_rate / weight_decay: Adam's.
        batch_size: ``None`` picks the input kind's default.
        model_params: keyword arguments of the model class (``hidden``, ``width``...).
    """

    model: str = "mlp"
    epochs: int = 30
    patience: int = 4
    learning_rate: float = 2e-3
    weight_decay: float = 1e-4
    batch_size: int | None = None
    model_params: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class TrainedModel:
    """A trained model with what is needed to use and describe it.

    Attributes:
        model: the torch module (in eval mode, best-epoch weights).
        name: model name (``mlp``/``temporal``).
        kind: input kind (``pixel``/``window``).
        task: ``classification`` or ``regression``.
        input_names: the model's input columns (features for ``pixel``, variables for
            ``window``).
        input_sources: the input variable each column derives from.
        scaler: train-fitted standardisation of inputs (see ``CubeDataset.scaler``).
        target_scale: ``(mean, std)`` of a regression target, ``(0, 1)`` otherwise.
        history: per epoch ``{"epoch", "train_loss", "validation_loss", "seconds"}``.
        best_epoch: the epoch whose weights were kept (1-based).
        config: the :class:`TrainConfig` used.
        seed: the seed used.
    """

    model: nn.Module
    name: str
    kind: str
    task: str
    input_names: list[str]
    input_sources: list[str]
    scaler: dict
    target_scale: tuple[float, float]
    history: list[dict]
    best_epoch: int
    config: TrainConfig
    seed: int

    def predict(self, data: CubeDataset, split: str) -> np.ndarray:
        """Predictions for every sample of a split: probabilities, or target units."""
        out = []
        with torch.no_grad():
            for x, _ in data.loader(split, self.kind, batch_size=8192):
                out.append(self.model(x).squeeze(1))
        z = torch.cat(out).numpy().astype(np.float64)
        if self.task == "classification":
            return 1.0 / (1.0 + np.exp(-z))
        return z * self.target_scale[1] + self.target_scale[0]

    def output_function(self) -> nn.Module:
        """The module SHAP explains: logits for classification, target units for regression."""
        if self.task == "classification" or self.target_scale == (0.0, 1.0):
            return self.model
        return _Rescale(self.model, *self.target_scale)


class _Rescale(nn.Module):
    def __init__(self, inner: nn.Module, mean: float, std: float):
        super().__init__()
        self.inner, self.mean, self.std = inner, mean, std

    def forward(self, x):
        return self.inner(x) * self.std + self.mean


def train_model(data: CubeDataset, config: TrainConfig = TrainConfig(), *, seed: int = 0,
                progress: bool = True) -> TrainedModel:
    """Train a model on a dataset's train split, stopping early on its validation split.

    Args:
        data: the samples (see :func:`cubegraph.ml.dataset.build_dataset`).
        config: hyper-parameters.
        seed: seeds weights, shuffling and dropout.
        progress: show tqdm bars for epochs and batches.

    Returns:
        The :class:`TrainedModel` with the best validation epoch's weights.

    Raises:
        MLError: for an unknown model name.
    """
    if config.model not in INPUT_KIND:
        raise MLError(f"unknown model {config.model!r}: choose one of {sorted(INPUT_KIND)}")
    kind = INPUT_KIND[config.model]
    seed_everything(seed)
    with deterministic():
        model = build_model(config.model, data.n_inputs(kind), **config.model_params)
        if data.task == "classification":
            mu, sd = 0.0, 1.0
            loss_fn: nn.Module = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([data.pos_weight()]))
        else:
            ytr = data.splits["train"].y
            mu, sd = float(ytr.mean()), float(ytr.std()) or 1.0
            loss_fn = nn.MSELoss()
        opt = torch.optim.Adam(model.parameters(), lr=config.learning_rate,
                               weight_decay=config.weight_decay)
        history: list[dict] = []
        best_loss, best_epoch, best_state, stale = float("inf"), 0, None, 0
        epochs = tqdm(range(1, config.epochs + 1), desc=f"train {config.model}", unit="epoch",
                      disable=not progress, leave=False)
        for epoch in epochs:
            t0 = time.perf_counter()
            model.train()
            total, n = 0.0, 0
            loader = data.loader("train", kind, batch_size=config.batch_size, shuffle=True,
                                 seed=seed * 1000 + epoch)
            for x, y in tqdm(loader, desc=f"epoch {epoch}", unit="batch", disable=not progress,
                             leave=False):
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(model(x).squeeze(1), (y - mu) / sd)
                loss.backward()
                opt.step()
                total += loss.item() * len(y)
                n += len(y)
            val = _evaluate_loss(model, data, kind, loss_fn, mu, sd)
            history.append({"epoch": epoch, "train_loss": total / max(n, 1),
                            "validation_loss": val, "seconds": time.perf_counter() - t0})
            epochs.set_postfix(train=f"{total / max(n, 1):.4f}", val=f"{val:.4f}")
            if val < best_loss - 1e-6:
                best_loss, best_epoch, stale = val, epoch, 0
                best_state = copy.deepcopy(model.state_dict())
            else:
                stale += 1
                if stale >= config.patience:
                    break
        if best_state is not None:
            model.load_state_dict(best_state)
        model.eval()
    names = data.feature_names if kind == "pixel" else list(data.variables)
    sources = data.feature_sources if kind == "pixel" else list(data.variables)
    return TrainedModel(model, config.model, kind, data.task, list(names), list(sources),
                        data.scaler, (mu, sd), history, best_epoch, config, seed)


def _evaluate_loss(model, data, kind, loss_fn, mu, sd) -> float:
    model.eval()
    total, n = 0.0, 0
    with torch.no_grad():
        for x, y in data.loader("validation", kind, batch_size=8192):
            total += float(loss_fn(model(x).squeeze(1), (y - mu) / sd)) * len(y)
            n += len(y)
    return total / max(n, 1)
