"""Models: chosen by name, right shapes, deterministic given a seed."""

from __future__ import annotations

import pytest
import torch

from cubegraph.ml.errors import MLError
from cubegraph.ml.models import build_model, deterministic, seed_everything


@pytest.mark.parametrize("name,shape", [("mlp", (8, 5)), ("temporal", (8, 7, 5))])
def test_models_map_inputs_to_one_output(name, shape):
    seed_everything(0)
    out = build_model(name, 5)(torch.randn(*shape))
    assert out.shape == (8, 1)


def test_same_seed_same_weights():
    seed_everything(7)
    a = build_model("temporal", 4).state_dict()
    seed_everything(7)
    b = build_model("temporal", 4).state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_unknown_model_name():
    with pytest.raises(MLError, match="unknown model 'gbm'.*mlp"):
        build_model("gbm", 3)


def test_deterministic_restores_the_global_flag():
    before = torch.are_deterministic_algorithms_enabled()
    with deterministic():
        assert torch.are_deterministic_algorithms_enabled()
    assert torch.are_deterministic_algorithms_enabled() == before
