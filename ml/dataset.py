"""Training data from selected cube inputs: aligned, featurised, split by time, standardised.

Over 400 lines: splits, features and batch loaders all work on CubeDataset's private arrays.

:func:`build_dataset` turns a target ``(cube, variable)`` and a list of driver inputs into a
:class:`CubeDataset`:

1. every input is opened through the cube layer (:mod:`cubegraph.ingest.cubes`: metadata
   only, the CF decoding and CRS that ingest catalogues by), aligned onto the target grid
   (:mod:`cubegraph.ml._grid` records what was aligned and how), and only its variable and
   the job period are read, all inputs at once (:mod:`cubegraph.ml._inputs`);
2. sample times are those with enough history for the longest lag/window and a target
   ``horizon`` steps ahead (next day = 1); samples with a NaN target are dropped;
3. the sample times are split into train / validation / test periods, in that order, with a
   gap of at least ``lookback + horizon`` steps between them, so no day used by one split
   (as a feature or a target) is used by the next;
4. derived features (value, lags, rolling means, monthly anomalies) are recorded as
   :class:`DerivedVariable` s for the provenance write-back;
5. the anomaly climatology is fitted on train; the train features are computed once, in one
   fused pass per feature that also fits the standardisation; validation and test features
   are computed on first use, with the train statistics.

Samples come out per pixel (``kind="pixel"``: a feature vector, for the MLP) or as windows
of days (``kind="window"``: ``(window_days, channels)``, for the temporal model), through
:meth:`CubeDataset.loader`, which hands whole batches to torch in one gather instead of
collating sample by sample.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import torch

from cubegraph.ingest.cubes import date_on_axis, months_of, years_of
from cubegraph.ml._inputs import CubeOpener, load_arrays, plan_inputs
from cubegraph.ml.errors import (
    EmptySelectionError,
    InsufficientData,
    MLError,
    SingleClassTarget,
)

__all__ = [
    "InputRef",
    "FeatureConfig",
    "SplitConfig",
    "DerivedVariable",
    "Split",
    "CubeDataset",
    "build_dataset",
    "BatchLoader",
    "SPLITS",
]

#: Split names, in time order.
SPLITS = ("train", "validation", "test")
#: Dtype of the sample indices (time step, pixel): half the bytes of int64 to build and
#: gather for the millions of them, and either index fits easily (products are taken in
#: int64).
_INDEX = np.int32
#: Default batch sizes: per-pixel rows are cheap, windows are ``window_days`` times larger.
DEFAULT_BATCH = {"pixel": 1024, "window": 256}


@dataclass(frozen=True)
class InputRef:
    """One input of a job: a variable of a cube.

    Attributes:
        path: zarr store or NetCDF file.
        variable: variable name in the cube.
        iri: the variable's IRI in the graph, when known (kept for the write-back).
    """

    path: str | Path
    variable: str
    iri: str | None = None


@dataclass(frozen=True)
class FeatureConfig:
    """Which derived features each dynamic variable gets.

    Attributes:
        lags: past steps (value at ``t - k``).
        windows: rolling-mean window lengths (steps ``t - w + 1 .. t``).
        anomalies: add the departure from the pixel's monthly climatology (train period).
        window_days: input length of the temporal model.
    """

    lags: tuple[int, ...] = (1, 2)
    windows: tuple[int, ...] = (7,)
    anomalies: bool = True
    window_days: int = 7

    @property
    def lookback(self) -> int:
        """Steps of history a sample needs before its time ``t``."""
        return max([0, *self.lags, *(w - 1 for w in self.windows), self.window_days - 1])


@dataclass(frozen=True)
class SplitConfig:
    """How sample times are split (always by time, always train < validation < test).

    Attributes:
        periods: explicit ``{"train": (start, end), ...}`` ISO dates; wins when given.
        by_year: with no periods and at least three calendar years of samples, the last
            year is test and the one before validation (seasonal data gets a full season in
            each split).
        fractions: otherwise, the share of sample times of each split.
    """

    periods: Mapping[str, tuple[str, str]] | None = None
    by_year: bool = True
    fractions: tuple[float, float, float] = (0.6, 0.2, 0.2)


@dataclass(frozen=True)
class DerivedVariable:
    """One model feature and how it was derived from an input variable.

    The write-back turns each into a ``prov:wasDerivedFrom`` link with its operation.

    Attributes:
        name: feature name (``"t2m_lag1"``).
        source: input variable it is derived from.
        operation: ``identity``, ``lag``, ``rolling_mean``, ``anomaly`` or ``broadcast``.
        parameters: the operation's parameters (``{"steps": 1}``).
    """

    name: str
    source: str
    operation: str
    parameters: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Split:
    """The samples of one split.

    Attributes:
        name: ``train``, ``validation`` or ``test``.
        t_idx: time index of each sample (features at ``t``, target at ``t + horizon``;
            int32, like ``p_idx``).
        p_idx: flat pixel index of each sample.
        y: target value of each sample (float32; 0/1 for classification).
        start: first sample time (ISO date).
        end: last sample time (ISO date).
        dropped_for_gap: sample times removed at the start to keep the gap.
    """

    name: str
    t_idx: np.ndarray
    p_idx: np.ndarray
    y: np.ndarray
    start: str
    end: str
    dropped_for_gap: int = 0

    def __len__(self) -> int:
        return int(self.y.shape[0])


class CubeDataset:
    """Aligned, featurised samples of one job, split by time. Built by :func:`build_dataset`.

    Attributes:
        target: the target input.
        inputs: the driver inputs, keyed by the variable key used in feature names.
        task: ``classification`` or ``regression``.
        horizon: steps between feature time and target time.
        variables: input variable keys, in channel order (dynamic first, then static).
        static: keys of static (time-less) inputs.
        feature_names / feature_sources: per-pixel features and the variable each comes from.
        derived: the :class:`DerivedVariable` of every feature.
        alignments: what was done to each input to put it on the target grid.
        splits: the :class:`Split` s, by name.
        time: the target's time coordinate (``numpy.datetime64``).
        space_dims / space / space_shape: the target's spatial grid.
        lookback / gap: history steps per sample; minimum gap between splits.
        scaler: train-fitted ``mean``/``std`` of features and of channels.
    """

    def __init__(self) -> None:  # filled in by build_dataset
        self.window_days = 0
        self._pixel: dict[str, torch.Tensor] = {}
        self._planes: dict[str, np.ndarray] = {}
        self._channels: np.ndarray | None = None

    # --- raw access (baselines, predictions) ---------------------------------------------
    def raw_target(self) -> np.ndarray:
        """The target's values as read, ``(time, pixel)`` float32."""
        return self._target_raw

    def raw_values(self, key: str, split: str) -> np.ndarray:
        """Unstandardised value of input ``key`` at each sample's time ``t`` of a split."""
        s = self.splits[split]
        a = self._raw[key]
        return a[s.p_idx] if a.ndim == 1 else a[s.t_idx, s.p_idx]

    def target_now(self, split: str) -> np.ndarray:
        """The target's value at each sample's time ``t`` (not ``t + horizon``)."""
        s = self.splits[split]
        return self._target_raw[s.t_idx, s.p_idx]

    def pos_weight(self) -> float:
        """Negatives per positive in train: the BCE weight that balances the classes."""
        y = self.splits["train"].y
        pos = float(y.sum())
        return float((len(y) - pos) / pos) if pos else 1.0

    # --- tensors -------------------------------------------------------------------------
    def n_inputs(self, kind: str) -> int:
        return len(self.feature_names) if kind == "pixel" else len(self.variables)

    def pixel_features(self, split: str) -> torch.Tensor:
        """Standardised per-pixel features of a split, ``(samples, features)`` float32."""
        if split not in self._pixel:
            self._pixel[split] = _to_rows(self._planar(split))
            self._planes.pop(split, None)  # the rows hold the same values
        return self._pixel[split]

    def windows(self, split: str, rows: np.ndarray | slice = slice(None)) -> torch.Tensor:
        """Standardised windows of days, ``(samples, window_days, channels)`` float32."""
        s = self.splits[split]
        ch = self._channel_cube()
        t = s.t_idx[rows]
        tw = t[:, None] - np.arange(self.window_days - 1, -1, -1)[None, :]
        return torch.from_numpy(ch[tw, s.p_idx[rows][:, None]])

    def inputs_of(self, split: str, kind: str, rows: np.ndarray | slice = slice(None)) -> torch.Tensor:
        """Model inputs of (some rows of) a split for a model kind (``pixel``/``window``)."""
        if kind == "pixel":
            return self.pixel_features(split)[rows]
        return self.windows(split, rows)

    def loader(self, split: str, kind: str = "pixel", *, batch_size: int | None = None,
               shuffle: bool = False, seed: int = 0) -> BatchLoader:
        """An iterable of ``(inputs, target)`` batches over a split (with ``len``).

        Batches are gathered whole: the sampler yields a slice (in order) or a slice of one
        seeded permutation (shuffled; the same order ``RandomSampler`` gives for the seed),
        and each becomes one row gather.

        Speed seam: bypasses torch's per-sample ``__getitem__`` + collate;
        ``tests/ml/test_dataset.py::test_shuffled_batches_follow_the_random_sampler_order``
        holds every batch equal to the rows ``RandomSampler`` picks for the seed, and
        ``tests/ml/test_fast_paths.py::test_batches_are_the_collated_samples`` to torch's
        ``DataLoader`` over single samples (figure: docs/benchmarks.md).

        Raises:
            ValueError: for an unknown split or kind.
        """
        if split not in self.splits:
            raise ValueError(f"unknown split {split!r}; expected one of {SPLITS}")
        if kind not in DEFAULT_BATCH:
            raise ValueError(f"unknown input kind {kind!r}; expected 'pixel' or 'window'")
        ds = _BatchDataset(self, split, kind)
        bs = batch_size or DEFAULT_BATCH[kind]
        return BatchLoader(ds, _BatchIndices(len(ds), bs, shuffle, seed))

    def describe(self) -> dict:
        """A JSON-able summary: splits, sizes, features, alignments (for the run record)."""
        return {
            "target": {"path": str(self.target.path), "variable": self.target.variable},
            "horizon": self.horizon,
            "lookback": self.lookback,
            "gap": self.gap,
            "grid": {"time": len(self.time), **{d: len(self.space[d]) for d in self.space_dims}},
            "splits": {n: {"start": s.start, "end": s.end, "samples": len(s),
                           "dropped_for_gap": s.dropped_for_gap,
                           **({"positives": int(s.y.sum())} if self.task == "classification" else {})}
                       for n, s in self.splits.items()},
            "features": [d.as_dict() for d in self.derived],
            "alignments": [a.as_dict() for a in self.alignments],
        }

    # --- internals -----------------------------------------------------------------------
    def _planar(self, split: str) -> np.ndarray:
        """``(features, samples)`` standardised, NaN -> 0 (the train mean)."""
        if split in self._pixel:
            return self._pixel[split].t().numpy()  # a view of the rows
        if split not in self._planes:
            self._planes[split] = _features(self, split, fit=False)
        return self._planes[split]

    def _channel_cube(self) -> np.ndarray:
        if self._channels is None:
            T, P = len(self.time), self._n_pixels
            ch = np.empty((T, P, len(self.variables)), dtype=np.float32)
            for c, key in enumerate(self.variables):
                a = self._raw[key]
                ch[:, :, c] = (a[None, :] if a.ndim == 1 else a) - self._chan_mean[c]
                ch[:, :, c] /= self._chan_std[c]
            np.nan_to_num(ch, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
            self._channels = ch
        return self._channels


class BatchLoader:
    """The batches of :meth:`CubeDataset.loader`: what a ``DataLoader`` over the batch
    sampler with ``batch_size=None`` yields, without its per-batch machinery (fetcher,
    collate, pinning checks); part of the loader's speed seam (see :meth:`CubeDataset.loader`).

    Each iteration of a shuffled loader draws the next permutation of its generator, as a
    ``DataLoader`` over a seeded ``RandomSampler`` does.
    """

    def __init__(self, dataset: _BatchDataset, sampler: _BatchIndices):
        self.dataset, self.sampler = dataset, sampler

    def __len__(self) -> int:
        return len(self.sampler)

    def __iter__(self):
        for rows in self.sampler:
            yield self.dataset[rows]


class _BatchIndices:
    """Whole batches of row indices: slices in order, or slices of one seeded permutation.

    ``torch.randperm`` with a generator seeded once per loader is exactly the order
    ``RandomSampler`` gives, without its per-index Python ints and per-batch lists.
    """

    def __init__(self, n: int, batch_size: int, shuffle: bool, seed: int):
        self.n, self.bs, self.shuffle = n, batch_size, shuffle
        self.gen = torch.Generator().manual_seed(seed) if shuffle else None

    def __len__(self) -> int:
        return -(-self.n // self.bs)

    def __iter__(self):
        if self.shuffle:
            order = torch.randperm(self.n, generator=self.gen)
            for i in range(0, self.n, self.bs):
                yield order[i:i + self.bs]
        else:
            for i in range(0, self.n, self.bs):
                yield slice(i, min(i + self.bs, self.n))


class _BatchDataset:
    """The samples of a split, indexed by whole batches (a slice or an index tensor): one gather."""

    def __init__(self, cube: CubeDataset, split: str, kind: str):
        self.cube, self.split, self.kind = cube, split, kind
        self.y = torch.from_numpy(cube.splits[split].y)
        if kind == "pixel":
            # Rows (samples, features): a batch is 1 contiguous slice or 1 row gather.
            self.x = cube.pixel_features(split)

    def __len__(self) -> int:
        return len(self.y)

    def __getitem__(self, rows):
        if self.kind == "window":
            idx = rows if isinstance(rows, slice) else rows.numpy()
            return self.cube.windows(self.split, idx), self.y[rows]
        if isinstance(rows, slice):
            return self.x[rows], self.y[rows]  # sequential batches: views, no copy
        return self.x.index_select(0, rows), self.y.index_select(0, rows)


def _to_rows(planar: np.ndarray) -> torch.Tensor:
    """``(features, samples)`` -> ``(samples, features)``, contiguous.

    A transpose in tiles of 8 features by 8192 samples, so both sides of each tile stay in
    cache.

    Speed seam: bypasses one strided copy of the whole array (``planar.T.copy()``, numpy's
    or torch's); ``tests/ml/test_fast_paths.py::test_tiled_transpose_is_the_transpose``
    holds it equal to that copy on shapes that are and are not multiples of the tile
    (figure: docs/benchmarks.md).
    """
    F, n = planar.shape
    rows = np.empty((n, F), dtype=planar.dtype)
    for i in range(0, n, 8192):
        for j in range(0, F, 8):
            rows[i:i + 8192, j:j + 8] = planar[j:j + 8, i:i + 8192].T
    return torch.from_numpy(rows)


# --- building ----------------------------------------------------------------------------

def build_dataset(
    target: InputRef,
    drivers: Sequence[InputRef],
    *,
    horizon: int = 1,
    period: tuple[str, str] | None = None,
    task: str = "classification",
    features: FeatureConfig = FeatureConfig(),
    split: SplitConfig = SplitConfig(),
    autoregressive: bool = False,
    max_samples: int | Mapping[str, int] | None = None,
    seed: int = 0,
) -> CubeDataset:
    """Build the samples of a job from its target and driver inputs.

    Args:
        target: the variable to predict.
        drivers: the input variables (dynamic or static layers).
        horizon: steps between the features' time and the target's (next day = 1).
        period: ``(start, end)`` ISO dates of the target to use; all of it when ``None``.
        task: ``classification`` (binary 0/1 target) or ``regression``.
        features: lags, rolling windows, anomalies, temporal window length.
        split: how to split sample times.
        autoregressive: also use the target's own past (at ``t`` and before) as an input.
        max_samples: random subsample per split (an int for every split, or per name),
            seeded by ``seed``; ``None`` keeps every sample.
        seed: seed of the subsample.

    Returns:
        The :class:`CubeDataset`.

    Raises:
        EmptySelectionError: if ``drivers`` is empty.
        InputReadError: if a cube cannot be opened or lacks a variable.
        GridMismatch: if an input cannot be aligned to the target grid.
        AllNaNVariable: if an input or the target has no finite value in the period.
        SingleClassTarget: if a classification target has one class only in train.
        InsufficientData: if the period cannot hold lookback, horizon, gaps and 3 splits.
        MLError: on a bad task, horizon, non-binary classification target, or bad periods.
    """
    if not drivers:
        raise EmptySelectionError(
            f"no driver inputs for target {target.variable!r} in {str(target.path)!r}: the "
            "input selection is empty; widen the job's driver class or region, or name "
            "drivers explicitly"
        )
    if task not in ("classification", "regression"):
        raise MLError(f"unknown task {task!r}: use 'classification' or 'regression'")
    if horizon < 1:
        raise MLError(f"horizon must be at least 1 step (got {horizon}): a horizon of 0 "
                      "would let the target's own day leak into its features")

    cube = CubeDataset()
    cube.target, cube.task, cube.horizon = target, task, int(horizon)
    cube.lookback = features.lookback
    cube.gap = features.lookback + cube.horizon
    cube.window_days = features.window_days

    target_key = "__target__"
    keys = _input_keys([ref.variable for ref in drivers], reserved=target_key)
    cube.inputs = dict(zip(keys, drivers))
    with CubeOpener() as opener:
        plan = plan_inputs(target, drivers, keys, target_key, period, opener)
    _set_grid(cube, plan.grid)
    cube.alignments = plan.records
    paths = {**{k: str(r.path) for k, r in cube.inputs.items()}, target_key: str(target.path)}
    finite: dict[str, bool] = {}
    arrays = load_arrays(plan.reads, paths, finite)

    T, P = len(cube.time), cube._n_pixels
    raw = {k: (v.reshape(T, P) if v.ndim == len(cube.space_dims) + 1 else v.reshape(P))
           for k, v in arrays.items()}
    cube._target_raw = raw.pop(target_key)
    cube._finite = {k: finite.get(k, False) for k in raw}
    if autoregressive:
        key = target.variable if target.variable not in raw else f"{target.variable}_target"
        raw[key] = cube._target_raw
        cube._finite[key] = finite.get(target_key, False)
        cube.inputs[key] = target
    cube._raw = raw
    dynamic = [k for k in cube.inputs if raw[k].ndim == 2]
    cube.static = {k for k in cube.inputs if raw[k].ndim == 1}
    cube.variables = dynamic + [k for k in cube.inputs if k in cube.static]

    y_all = cube._target_raw
    if task == "classification":
        observed = y_all[np.isfinite(y_all)]
        if not np.isin(observed, (0.0, 1.0)).all():
            raise MLError(
                f"target {target.variable!r} in {str(target.path)!r} is not binary (values "
                f"other than 0/1 found): use task='regression' or a 0/1 target variable"
            )

    cube.splits = _make_splits(cube, split, max_samples, seed)
    if task == "classification":
        ytr = cube.splits["train"].y
        if ytr.min() == ytr.max():
            only = int(ytr[0])
            s = cube.splits["train"]
            raise SingleClassTarget(
                f"target {target.variable!r} in {str(target.path)!r} has only class {only} in "
                f"the training period {s.start} to {s.end} ({len(ytr)} samples): a classifier "
                "cannot learn from one class; extend the period or region so train holds "
                "both classes"
            )
    _plan_features(cube, features)
    return cube


def _input_keys(names: Sequence[str], reserved: str) -> list[str]:
    """A distinct key per input: its variable name, ``name_2`` ... for repeats."""
    keys: list[str] = []
    for name in names:
        key, n = name, 2
        while key in keys or key == reserved:
            key, n = f"{name}_{n}", n + 1
        keys.append(key)
    return keys


def _set_grid(cube: CubeDataset, grid) -> None:
    cube.time, cube.space_dims, cube.space = grid.time, grid.space_dims, grid.space
    cube.space_shape = grid.space_shape
    cube._n_pixels = int(np.prod(cube.space_shape)) if cube.space_shape else 1


def _make_splits(cube: CubeDataset, cfg: SplitConfig, max_samples, seed) -> dict[str, Split]:
    T, P, h = len(cube.time), cube._n_pixels, cube.horizon
    valid_t = np.arange(cube.lookback, T - h)
    need = cube.lookback + h + 2 * cube.gap + 3
    if valid_t.size < 3 + 2 * cube.gap:
        raise InsufficientData(
            f"target {cube.target.variable!r}: {T} time steps cannot hold a lookback of "
            f"{cube.lookback}, a horizon of {h} and three splits with gaps of {cube.gap} "
            f"(need at least {need}); use a longer period or fewer/shorter lags"
        )
    times = cube.time[valid_t]
    if cfg.periods:
        blocks = []
        for name in SPLITS:
            if name not in cfg.periods:
                raise MLError(f"split periods must name {SPLITS}; {name!r} is missing")
            try:
                a, b = (date_on_axis(x, times) for x in cfg.periods[name])
            except ValueError as exc:
                raise MLError(f"split period {name} {cfg.periods[name]}: {exc}; give ISO dates "
                              "of the target's calendar") from exc
            blocks.append(valid_t[(times >= a) & (times <= b)])
        for prev, nxt, pn, nn in ((blocks[0], blocks[1], "train", "validation"),
                                  (blocks[1], blocks[2], "validation", "test")):
            if prev.size and nxt.size and nxt.min() <= prev.max():
                raise MLError(
                    f"split periods overlap or are out of order: {nn} starts before {pn} "
                    "ends; give train < validation < test periods that do not overlap"
                )
    else:
        years = years_of(times)
        uniq = np.unique(years)
        if cfg.by_year and uniq.size >= 3:
            blocks = [valid_t[years < uniq[-2]], valid_t[years == uniq[-2]], valid_t[years == uniq[-1]]]
        else:
            n = valid_t.size
            c = np.cumsum(cfg.fractions) / sum(cfg.fractions)
            i1, i2 = int(round(c[0] * n)), int(round(c[1] * n))
            blocks = [valid_t[:i1], valid_t[i1:i2], valid_t[i2:]]
    # Keep a gap of lookback + horizon steps: a later split's first features then start
    # after the earlier split's last target, so no day serves two splits.
    dropped = [0, 0, 0]
    for i in (1, 2):
        if blocks[i - 1].size:
            keep = blocks[i] > blocks[i - 1].max() + cube.gap
            dropped[i] = int((~keep).sum())
            blocks[i] = blocks[i][keep]
    rng = np.random.default_rng(seed)
    out: dict[str, Split] = {}
    for name, tb, dr in zip(SPLITS, blocks, dropped):
        if tb.size == 0:
            raise InsufficientData(
                f"split {name!r} of target {cube.target.variable!r} has no time step left "
                f"(after a gap of {cube.gap} steps): use a longer period or other split periods"
            )
        yb = cube._target_raw[tb + h]  # (times, P)
        ok = np.isfinite(yb)
        every = bool(ok.all())
        if every:  # every pixel of every day: no nonzero pass
            t_idx = np.repeat(tb.astype(_INDEX), P)
            p_idx = np.tile(np.arange(P, dtype=_INDEX), tb.size)
        else:
            ti, pi = np.nonzero(ok)
            t_idx, p_idx = tb[ti].astype(_INDEX), pi.astype(_INDEX)
        if t_idx.size == 0:
            raise InsufficientData(
                f"split {name!r} ({str(cube.time[tb[0]])[:10]} to {str(cube.time[tb[-1]])[:10]}) "
                f"has no finite value of target {cube.target.variable!r}: choose another period"
            )
        cap = max_samples.get(name) if isinstance(max_samples, Mapping) else max_samples
        y = yb.reshape(-1) if every else yb[ok]  # row-major, as nonzero orders them
        if cap is not None and t_idx.size > cap:
            chosen = np.zeros(t_idx.size, dtype=bool)  # sorted choice, without a sort
            chosen[rng.choice(t_idx.size, size=int(cap), replace=False)] = True
            keep = np.flatnonzero(chosen)
            t_idx, p_idx, y = t_idx[keep], p_idx[keep], y[keep]
        y = y.astype(np.float32, copy=False)
        out[name] = Split(name, t_idx, p_idx, y, str(cube.time[tb[0]])[:10],
                          str(cube.time[tb[-1]])[:10], dr)
    return out


def _plan_features(cube: CubeDataset, cfg: FeatureConfig) -> None:
    """Decide the features, fit the anomaly climatology and the scalers on train."""
    recipes: list[tuple[str, str, int | None]] = []
    derived: list[DerivedVariable] = []
    for key in cube.variables:
        if key in cube.static:
            recipes.append(("static", key, None))
            derived.append(DerivedVariable(key, key, "broadcast", {"over": "time"}))
            continue
        recipes.append(("identity", key, None))
        derived.append(DerivedVariable(key, key, "identity", {}))
        for k in cfg.lags:
            recipes.append(("lag", key, k))
            derived.append(DerivedVariable(f"{key}_lag{k}", key, "lag", {"steps": k}))
        for w in cfg.windows:
            recipes.append(("rolling_mean", key, w))
            derived.append(DerivedVariable(f"{key}_mean{w}", key, "rolling_mean", {"window": w}))
        if cfg.anomalies:
            tr = cube.splits["train"]
            recipes.append(("anomaly", key, None))
            derived.append(DerivedVariable(
                f"{key}_anom", key, "anomaly",
                {"baseline": "pixel monthly climatology", "fitted_on": f"{tr.start}/{tr.end}"}))
    cube._recipes = recipes
    cube.derived = derived
    cube.feature_names = [d.name for d in derived]
    cube.feature_sources = [d.source for d in derived]

    # Climatologies are fitted on train and shared by every split. The train features are
    # built once, in one pass per feature that also fits the scaler and standardises them;
    # validation and test are built on first use, with the train statistics.
    months = months_of(cube.time)
    cube._months = months
    cube._clim = {}
    t = cube.splits["train"].t_idx  # sorted: its distinct values without a hash pass
    train_t = t[np.r_[True, t[1:] != t[:-1]]] if t.size else t
    for op, key, param in recipes:
        if op == "anomaly":
            cube._clim[key] = _monthly_climatology(cube._raw[key], months, train_t,
                                                   cube._finite[key])
    cube._feat_mean = np.zeros(len(recipes), np.float32)
    cube._feat_std = np.ones(len(recipes), np.float32)
    cube._planes = {"train": _features(cube, "train", fit=True)}

    # Scalers: identity-feature stats double as channel stats for the temporal model.
    first = {key: j for j, (op, key, _) in reversed(list(enumerate(recipes))) if op in ("identity", "static")}
    cube._chan_mean = np.array([cube._feat_mean[first[k]] for k in cube.variables], np.float32)
    cube._chan_std = np.array([cube._feat_std[first[k]] for k in cube.variables], np.float32)
    cube.scaler = {
        "features": {"names": cube.feature_names, "mean": cube._feat_mean.tolist(),
                     "std": cube._feat_std.tolist()},
        "channels": {"names": cube.variables, "mean": cube._chan_mean.tolist(),
                     "std": cube._chan_std.tolist()},
    }


def _features(cube: CubeDataset, split: str, fit: bool) -> np.ndarray:
    """Standardised features of a split's samples, ``(features, samples)`` float32.

    One fused pass per feature: gather (a contiguous copy when the split holds every pixel of
    every day, a monotone ``take`` otherwise), fit mean/std on it when ``fit`` (train),
    standardise in place, and zero missing values (= the train mean). Rolling means are
    computed over the split's own days only.
    """
    s = cube.splits[split]
    n, P = len(s), cube._n_pixels
    out = np.empty((len(cube._recipes), n), dtype=np.float32)
    t_lo, t_hi = int(s.t_idx[0]), int(s.t_idx[-1])  # samples are sorted by (t, pixel)
    nt = t_hi - t_lo + 1
    dense = n == nt * P
    local = None if dense else (s.t_idx - t_lo).astype(np.int64) * P + s.p_idx
    for j, (op, key, param) in enumerate(cube._recipes):
        a = cube._raw[key]
        row = out[j]
        if op == "static":
            np.take(a, s.p_idx, out=row)
        elif op == "anomaly" and not dense:
            np.take(a[t_lo:t_hi + 1].reshape(-1), local, out=row)
            row -= cube._clim[key][cube._months[s.t_idx], s.p_idx]
        elif op == "anomaly":
            _minus_climatology(a, cube._clim[key], cube._months, t_lo, t_hi, row.reshape(nt, P))
        else:
            if op == "identity":
                block = a[t_lo:t_hi + 1]
            elif op == "lag":
                block = a[t_lo - param:t_hi + 1 - param]
            elif op == "rolling_mean":
                block = _rolling_block(a, param, t_lo, t_hi, cube._finite[key])
            else:  # pragma: no cover - recipes are built in _plan_features
                raise AssertionError(op)
            if dense:
                np.copyto(row, block.reshape(-1))
            else:
                np.take(block.reshape(-1), local, out=row)
        finite = cube._finite[key]
        if fit:
            cube._feat_mean[j], cube._feat_std[j] = _fit_moments(row, finite)
        else:
            row -= cube._feat_mean[j]
            if not finite:
                np.nan_to_num(row, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
        row *= np.float32(1.0 / cube._feat_std[j])
    return out


def _fit_moments(row: np.ndarray, finite: bool) -> tuple[np.float32, np.float32]:
    """Mean and std of the finite values of ``row``; leaves ``row`` centred, NaN -> 0."""
    if finite:
        count = row.size
        mean = np.float32(row.mean(dtype=np.float64)) if count else np.float32(0)
        row -= mean
    else:
        ok = np.isfinite(row)
        count = int(ok.sum())
        mean = np.float32(row[ok].mean(dtype=np.float64)) if count else np.float32(0)
        row -= mean
        np.nan_to_num(row, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
    sd = float(np.sqrt(float(np.dot(row, row)) / count)) if count else 0.0
    return mean, np.float32(sd if sd > 1e-12 else 1.0)


def _minus_climatology(a, clim, months, t_lo, t_hi, out) -> None:
    """``out = a[t_lo..t_hi] - clim[month(t)]``, one broadcast subtraction per month run."""
    m = months[t_lo:t_hi + 1]
    edges = np.flatnonzero(np.diff(m)) + 1
    for r0, r1 in zip(np.r_[0, edges], np.r_[edges, m.size]):
        np.subtract(a[t_lo + r0:t_lo + r1], clim[m[r0]], out=out[r0:r1])


def _rolling_block(a: np.ndarray, w: int, t_lo: int, t_hi: int, finite: bool) -> np.ndarray:
    """Trailing mean over ``t - w + 1 .. t`` of the finite values, for ``t`` in ``t_lo..t_hi``.

    NaN where a window holds no finite value. ``w`` shifted-slice additions in float32;
    without missing values (checked once per input at load) no masks or counts are needed.
    Requires ``t_lo >= w - 1`` (the lookback guarantees it).

    Speed seam: bypasses a cumulative sum along time (strided in a C-ordered array) and the
    plain mean of each window; ``tests/ml/test_fast_paths.py::test_rolling_block_is_the_mean_of_each_window``
    holds it equal to the mean of the finite values of each window, with and without
    missing values (figure: docs/benchmarks.md).
    """
    nt = t_hi - t_lo + 1
    src = a[t_lo - w + 1:t_hi + 1]
    if finite:
        total = src[:nt].copy()
        for k in range(1, w):
            total += src[k:k + nt]
        total /= np.float32(w)
        return total
    ok = np.isfinite(src)
    filled = np.where(ok, src, np.float32(0))
    total = np.zeros((nt, *a.shape[1:]), np.float32)
    count = np.zeros(total.shape, np.float32)
    for k in range(w):
        total += filled[k:k + nt]
        count += ok[k:k + nt]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.divide(total, count, out=total)


def _monthly_climatology(a: np.ndarray, months: np.ndarray, train_t: np.ndarray,
                         finite: bool = False) -> np.ndarray:
    """Per-pixel mean of each calendar month over the train times only (no leakage)."""
    P = a.shape[1]
    clim = np.full((12, P), np.nan, np.float32)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        # Pixels with no finite value in a month are expected (sea, gaps): fall back below.
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.mean if finite else np.nanmean
        for m in range(12):
            tm = train_t[months[train_t] == m]
            if tm.size:
                clim[m] = mean(a[tm], axis=0)
        missing = ~np.isfinite(clim)
        if missing.any():
            overall = mean(a[train_t], axis=0) if train_t.size else np.zeros(P, np.float32)
            clim[missing] = np.broadcast_to(overall, clim.shape)[missing]
    return clim
