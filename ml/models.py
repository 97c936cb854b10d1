"""The torch models, chosen by name: a per-pixel MLP and a temporal 1-D CNN over days.

Both map their inputs to one logit (classification) or one value (regression). They are
small on purpose: the demo cubes are ~1 km daily grids with tens of inputs, and the models
must train in minutes on a laptop CPU and be explained with SHAP in seconds.
"""

from __future__ import annotations

import contextlib
import random
from typing import Iterator

import numpy as np
import torch
from torch import nn

from cubegraph.ml.errors import MLError

__all__ = ["PixelMLP", "TemporalCNN", "MODELS", "INPUT_KIND", "build_model", "seed_everything", "deterministic"]


class PixelMLP(nn.Module):
    """Per-pixel multilayer perceptron over a feature vector ``(batch, features)``.

    Args:
        n_inputs: number of features.
        hidden: widths of the hidden layers.
        dropout: dropout after each hidden layer.
    """

    def __init__(self, n_inputs: int, hidden: tuple[int, ...] = (64, 32), dropout: float = 0.1):
        super().__init__()
        layers: list[nn.Module] = []
        width = n_inputs
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU(), nn.Dropout(dropout)]
            width = h
        layers.append(nn.Linear(width, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class TemporalCNN(nn.Module):
    """A small 1-D convolutional network over a window of days ``(batch, days, channels)``.

    Two causal-free convolutions (the whole window lies in the past of the target) followed
    by the mean over time and the last day's features, so both the recent state and the
    window's trend reach the head. Chosen over a GRU because convolutions are
    deterministic and run in a few large kernels on CPU instead of one step per day, for
    training and for SHAP (docs/benchmarks.md).

    Args:
        n_channels: input variables per day.
        width: convolution channels.
        kernel: convolution kernel length (days).
    """

    def __init__(self, n_channels: int, width: int = 32, kernel: int = 3):
        super().__init__()
        pad = kernel // 2
        self.conv = nn.Sequential(
            nn.Conv1d(n_channels, width, kernel, padding=pad), nn.ReLU(),
            nn.Conv1d(width, width, kernel, padding=pad), nn.ReLU(),
        )
        self.head = nn.Sequential(nn.Linear(2 * width, width), nn.ReLU(), nn.Linear(width, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.conv(x.transpose(1, 2))  # (batch, width, days)
        return self.head(torch.cat([h.mean(dim=2), h[:, :, -1]], dim=1))


#: Model names -> classes.
MODELS = {"mlp": PixelMLP, "temporal": TemporalCNN}
#: Model names -> the sample kind they read (see :meth:`CubeDataset.loader`).
INPUT_KIND = {"mlp": "pixel", "temporal": "window"}


def build_model(name: str, n_inputs: int, **params) -> nn.Module:
    """Instantiate a model by name.

    Raises:
        MLError: for an unknown model name.
    """
    if name not in MODELS:
        raise MLError(f"unknown model {name!r}: choose one of {sorted(MODELS)}")
    return MODELS[name](n_inputs, **params)


def seed_everything(seed: int) -> np.random.Generator:
    """Seed torch, numpy and random.

    Returns:
        A numpy ``Generator`` seeded with ``seed``, for callers' own draws.
    """
    random.seed(seed)
    np.random.seed(seed % (2**32))  # shap draws from the global numpy state
    torch.manual_seed(seed)
    return np.random.default_rng(seed)


@contextlib.contextmanager
def deterministic() -> Iterator[None]:
    """Run a block with torch's deterministic algorithms, then restore the previous setting.

    Restoring matters: the flag is process-wide, and the API server trains in-process.
    """
    before = torch.are_deterministic_algorithms_enabled()
    warn_before = torch.is_deterministic_algorithms_warn_only_enabled()
    # warn_only: a kernel without a deterministic variant must not stop a run on CPU.
    torch.use_deterministic_algorithms(True, warn_only=True)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(before, warn_only=warn_before)
