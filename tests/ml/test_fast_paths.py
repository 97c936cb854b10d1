"""ml's speed seams give what the plain paths they bypass give.

The loader is compared with torch's own ``DataLoader`` over single samples of a dataset
built from a real zarr cube; the array kernels with their plain definitions, computed in
the same order (so bit for bit) and against numpy's own reductions. docs/benchmarks.md,
"Why the fast paths exist", lists the seams and why each exists. (The cube layer's direct
reads are held equal to xarray's in ``test_dataset.py``.)
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from cubegraph.ml.dataset import _rolling_block, _to_rows, build_dataset

from .conftest import fire_inputs


@pytest.fixture
def fire(fire_zarr):
    target, drivers = fire_inputs(fire_zarr)
    return build_dataset(target, drivers)


# --- the tiled transpose ---------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(49, 2 * 8192 + 17), (8, 8192), (3, 5), (13, 1), (1, 9000)])
def test_tiled_transpose_is_the_transpose(shape):
    planar = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    planar[0, ::7] = np.nan
    rows = _to_rows(planar)
    plain = planar.T.copy()
    assert rows.shape == plain.shape and rows.is_contiguous()
    assert np.array_equal(rows.numpy(), plain, equal_nan=True)


# --- trailing means by shifted slices ---------------------------------------------------------

def _plain_rolling(a: np.ndarray, w: int, t_lo: int, t_hi: int, finite: bool) -> np.ndarray:
    """The mean of the finite values of each window, one window at a time, summed in the
    window's order (float32, as the seam sums)."""
    out = np.empty((t_hi - t_lo + 1, *a.shape[1:]), np.float32)
    for i, t in enumerate(range(t_lo, t_hi + 1)):
        window = a[t - w + 1:t + 1]
        if finite:
            total = window[0].copy()
            for k in range(1, w):
                total += window[k]
            out[i] = total / np.float32(w)
            continue
        ok = np.isfinite(window)
        total = np.zeros(a.shape[1:], np.float32)
        count = np.zeros(a.shape[1:], np.float32)
        for k in range(w):
            total += np.where(ok[k], window[k], np.float32(0))
            count += ok[k]
        with np.errstate(invalid="ignore", divide="ignore"):
            out[i] = total / count
    return out


@pytest.mark.parametrize("w", [1, 3, 7, 30])
@pytest.mark.parametrize("finite", [True, False])
def test_rolling_block_is_the_mean_of_each_window(w, finite):
    rng = np.random.default_rng(w)
    a = rng.standard_normal((120, 6, 5)).astype(np.float32) * 10 + 280
    if not finite:
        a[rng.random(a.shape) < 0.3] = np.nan
        a[40:40 + w + 2, 0, 0] = np.nan  # windows with no finite value at all
    t_lo, t_hi = w - 1 + 3, 110
    got = _rolling_block(a, w, t_lo, t_hi, finite)
    want = _plain_rolling(a, w, t_lo, t_hi, finite)
    assert np.array_equal(got, want, equal_nan=True)
    # ...which is numpy's mean of the finite values, up to float32 rounding.
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "mean of empty slice": NaN, as wanted
        reference = np.stack([np.nanmean(a[t - w + 1:t + 1].astype(np.float64), axis=0)
                              for t in range(t_lo, t_hi + 1)])
    np.testing.assert_allclose(got, reference, rtol=1e-5, equal_nan=True)
    if not finite:
        assert np.isnan(got[40 + w - t_lo:42 - t_lo + w, 0, 0]).all()


# --- whole batches against torch's per-sample DataLoader ----------------------------------------

class _Samples(torch.utils.data.Dataset):
    """The plain path: one sample at a time, collated by torch."""

    def __init__(self, cube, split: str, kind: str):
        self.cube, self.split, self.kind = cube, split, kind
        self.y = torch.from_numpy(cube.splits[split].y)

    def __len__(self) -> int:
        return len(self.y)

    def __getitem__(self, i):
        if self.kind == "pixel":
            return self.cube.pixel_features(self.split)[i], self.y[i]
        return self.cube.windows(self.split, np.array([i]))[0], self.y[i]


@pytest.mark.parametrize("kind, batch_size", [("pixel", 500), ("window", 64)])
@pytest.mark.parametrize("shuffle", [True, False])
def test_batches_are_the_collated_samples(fire, kind, batch_size, shuffle):
    fast = fire.loader("train", kind, batch_size=batch_size, shuffle=shuffle, seed=7)
    samples = _Samples(fire, "train", kind)
    order = (torch.utils.data.RandomSampler(samples, generator=torch.Generator().manual_seed(7))
             if shuffle else torch.utils.data.SequentialSampler(samples))
    plain = torch.utils.data.DataLoader(samples, batch_sampler=torch.utils.data.BatchSampler(
        order, batch_size, drop_last=False))
    assert len(fast) == len(plain) > 3
    for _epoch in range(2):  # a shuffled loader draws a new order each epoch, as torch's does
        for n, ((x, y), (px, py)) in enumerate(zip(fast, plain)):
            assert torch.equal(x, px) and torch.equal(y, py), (kind, n)
            if n == 3:
                break
    last_x, last_y = list(fast)[-1]
    assert len(last_y) == len(fire.splits["train"].y) - (len(fast) - 1) * batch_size
    assert last_x.shape[0] == len(last_y)
