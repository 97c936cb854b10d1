"""Training data from selected cube inputs: aligned, featurised, split by time, standardised.

:func:`build_dataset` turns a target ``(cube, variable)`` and a list of driver inputs into a
:class:`CubeDataset`:

1. every input is opened lazily (xarray + dask chunks); only its variable and the job period
   are read, in one dask pass, after lazy alignment onto the target grid
   (:mod:`cubegraph.ml._grid` records what was aligned and how);
2. sample times are those with enough history for the longest lag/window and a target
   ``horizon`` steps ahead (next day = 1); samples with a NaN target are dropped;
3. the sample times are split into train / validation / test periods, in that order, with a
   gap of at least ``lookback + horizon`` steps between them, so no day used by one split
   (as a feature or a target) is used by the next;
4. derived features (value, lags, rolling means, monthly anomalies) are computed per
   variable and recorded as :class:`DerivedVariable` s for the provenance write-back;
5. standardisation statistics (and the anomaly climatology) are fitted on train only.

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
from torch.utils.data import DataLoader, Dataset

from cubegraph.ml._grid import (
    AlignmentRecord,
    CubeOpener,
    align_to_target,
    load_arrays,
    target_grid,
)
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
    "SPLITS",
]

#: Split names, in time order.
SPLITS = ("train", "validation", "test")
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
        t_idx: time index of each sample (features at ``t``, target at ``t + horizon``).
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

    def target_times(self, split: str) -> np.ndarray:
        """The ``datetime64`` time each sample's target refers to (``t + horizon``)."""
        return self.time[self.splits[split].t_idx + self.horizon]

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
               shuffle: bool = False, seed: int = 0) -> DataLoader:
        """A DataLoader over a split, yielding ``(inputs, target)`` batches.

        Batches are gathered whole (a batch sampler feeds index arrays to one fancy-index
        read), which is tens of times faster than per-sample ``__getitem__`` + collate.

        Raises:
            ValueError: for an unknown split or kind.
        """
        if split not in self.splits:
            raise ValueError(f"unknown split {split!r}; expected one of {SPLITS}")
        if kind not in DEFAULT_BATCH:
            raise ValueError(f"unknown input kind {kind!r}; expected 'pixel' or 'window'")
        ds = _BatchDataset(self, split, kind)
        bs = batch_size or DEFAULT_BATCH[kind]
        gen = torch.Generator().manual_seed(seed)
        base = (torch.utils.data.RandomSampler(ds, generator=gen) if shuffle
                else torch.utils.data.SequentialSampler(ds))
        sampler = torch.utils.data.BatchSampler(base, bs, drop_last=False)
        return DataLoader(ds, sampler=sampler, batch_size=None)

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
        s = self.splits[split]
        out = np.empty((len(self.feature_names), len(s)), dtype=np.float32)
        flat = s.t_idx.astype(np.int64) * self._n_pixels + s.p_idx
        for j, (op, key, param) in enumerate(self._recipes):
            _compute_feature(out[j], op, key, param, self, s, flat)
            out[j] -= self._feat_mean[j]
            out[j] *= np.float32(1.0 / self._feat_std[j])
        np.nan_to_num(out, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
        return out

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


class _BatchDataset(Dataset):
    """Map-style dataset indexed by *lists* of rows: one gather per batch."""

    def __init__(self, cube: CubeDataset, split: str, kind: str):
        self.cube, self.split, self.kind = cube, split, kind
        self.y = torch.from_numpy(cube.splits[split].y)
        if kind == "pixel":
            self.x = cube.pixel_features(split)

    def __len__(self) -> int:
        return len(self.y)

    def __getitem__(self, rows):
        if rows[-1] - rows[0] + 1 == len(rows) and self.kind == "pixel":
            # Sequential batches are contiguous rows: views, no copy.
            return self.x[rows[0]:rows[-1] + 1], self.y[rows[0]:rows[-1] + 1]
        idx = torch.as_tensor(rows)
        if self.kind == "pixel":
            return self.x[idx], self.y[idx]
        return self.cube.windows(self.split, idx.numpy()), self.y[idx]


def _to_rows(planar: np.ndarray) -> torch.Tensor:
    # torch's transpose-copy is blocked and multi-threaded; numpy's is several times slower.
    return torch.from_numpy(planar).t().contiguous()


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

    with CubeOpener() as opener:
        tds, tda = opener.variable(target.path, target.variable)
        if period is not None:
            from cubegraph.ml._grid import time_dim_of

            tdim = time_dim_of(tda)
            if tdim is not None:
                tda = tda.sel({tdim: slice(period[0], period[1])})
        grid = target_grid(tds, tda, str(target.path))
        if len(grid.time) == 0:
            raise InsufficientData(
                f"target {target.variable!r} in {str(target.path)!r} has no time step in the "
                f"period {period}: choose a period inside the cube's time range"
            )
        cube.time, cube.space_dims, cube.space = grid.time, grid.space_dims, grid.space
        cube.space_shape = grid.space_shape
        cube._n_pixels = int(np.prod(cube.space_shape)) if cube.space_shape else 1

        lazy: dict[str, object] = {}
        paths: dict[str, str] = {}
        cube.inputs, cube.alignments = {}, []
        target_key = "__target__"
        lazy[target_key], paths[target_key] = tda.transpose(grid.time_dim, *grid.space_dims), str(target.path)
        refs = list(drivers)
        for ref in refs:
            ds, da = opener.variable(ref.path, ref.variable)
            aligned, records = align_to_target(ds, da, grid, str(ref.path))
            key = ref.variable
            n = 2
            while key in cube.inputs or key == target_key:
                key, n = f"{ref.variable}_{n}", n + 1
            cube.inputs[key] = ref
            lazy[key], paths[key] = aligned, str(ref.path)
            cube.alignments.extend(records)
        arrays = load_arrays(lazy, {**paths, target_key: str(target.path)})

    T, P = len(cube.time), cube._n_pixels
    raw = {k: (v.reshape(T, P) if v.ndim == len(cube.space_dims) + 1 else v.reshape(P))
           for k, v in arrays.items()}
    cube._target_raw = raw.pop(target_key)
    if autoregressive:
        key = target.variable if target.variable not in raw else f"{target.variable}_target"
        raw[key] = cube._target_raw
        cube.inputs[key] = target
    cube._raw = raw
    dynamic = [k for k in cube.inputs if raw[k].ndim == 2]
    cube.static = {k for k in cube.inputs if raw[k].ndim == 1}
    cube.variables = dynamic + [k for k in cube.inputs if k in cube.static]

    y_all = cube._target_raw
    if task == "classification":
        finite = y_all[np.isfinite(y_all)]
        if not np.isin(finite, (0.0, 1.0)).all():
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
            a, b = (np.datetime64(x) for x in cfg.periods[name])
            blocks.append(valid_t[(times >= a) & (times <= b)])
        for prev, nxt, pn, nn in ((blocks[0], blocks[1], "train", "validation"),
                                  (blocks[1], blocks[2], "validation", "test")):
            if prev.size and nxt.size and nxt.min() <= prev.max():
                raise MLError(
                    f"split periods overlap or are out of order: {nn} starts before {pn} "
                    "ends; give train < validation < test periods that do not overlap"
                )
    else:
        years = times.astype("datetime64[Y]")
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
        ti, pi = np.nonzero(ok)
        t_idx, p_idx = tb[ti].astype(np.int64), pi.astype(np.int64)
        if t_idx.size == 0:
            raise InsufficientData(
                f"split {name!r} ({str(cube.time[tb[0]])[:10]} to {str(cube.time[tb[-1]])[:10]}) "
                f"has no finite value of target {cube.target.variable!r}: choose another period"
            )
        cap = max_samples.get(name) if isinstance(max_samples, Mapping) else max_samples
        if cap is not None and t_idx.size > cap:
            keep = np.sort(rng.choice(t_idx.size, size=int(cap), replace=False))
            t_idx, p_idx = t_idx[keep], p_idx[keep]
        y = cube._target_raw[t_idx + h, p_idx].astype(np.float32)
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

    # Rolling means and climatologies are shared by every split: computed once here.
    cube._rolling = {}
    cube._clim = {}
    months = (cube.time.astype("datetime64[M]").astype(np.int64) % 12).astype(np.int64)
    cube._months = months
    train_t = np.unique(cube.splits["train"].t_idx)
    for op, key, param in recipes:
        if op == "rolling_mean" and (key, param) not in cube._rolling:
            cube._rolling[(key, param)] = _rolling_mean(cube._raw[key], param)
        if op == "anomaly":
            cube._clim[key] = _monthly_climatology(cube._raw[key], months, train_t)

    # Scalers: identity-feature stats double as channel stats for the temporal model.
    cube._feat_mean = np.zeros(len(recipes), np.float32)
    cube._feat_std = np.ones(len(recipes), np.float32)
    tr = cube.splits["train"]
    flat = tr.t_idx * cube._n_pixels + tr.p_idx
    buf = np.empty(len(tr), np.float32)
    for j, (op, key, param) in enumerate(recipes):
        _compute_feature(buf, op, key, param, cube, tr, flat)
        finite = buf[np.isfinite(buf)]
        if finite.size:
            cube._feat_mean[j] = finite.mean()
            sd = finite.std()
            cube._feat_std[j] = sd if sd > 1e-12 else 1.0
    first = {key: j for j, (op, key, _) in reversed(list(enumerate(recipes))) if op in ("identity", "static")}
    cube._chan_mean = np.array([cube._feat_mean[first[k]] for k in cube.variables], np.float32)
    cube._chan_std = np.array([cube._feat_std[first[k]] for k in cube.variables], np.float32)
    cube.scaler = {
        "features": {"names": cube.feature_names, "mean": cube._feat_mean.tolist(),
                     "std": cube._feat_std.tolist()},
        "channels": {"names": cube.variables, "mean": cube._chan_mean.tolist(),
                     "std": cube._chan_std.tolist()},
    }


def _compute_feature(out: np.ndarray, op: str, key: str, param, cube: CubeDataset,
                     s: Split, flat: np.ndarray) -> None:
    """Write one feature's (unstandardised) values for a split's samples into ``out``."""
    a = cube._raw[key]
    if op in ("identity", "lag", "rolling_mean") and flat.size and flat[-1] - flat[0] + 1 == flat.size:
        # A dense split (every pixel of every day) reads a contiguous block: a memcpy.
        src = (cube._rolling[(key, param)] if op == "rolling_mean" else a).reshape(-1)
        shift = param * cube._n_pixels if op == "lag" else 0
        np.copyto(out, src[flat[0] - shift:flat[-1] + 1 - shift])
        return
    if op == "static":
        np.take(a, s.p_idx, out=out)
    elif op == "identity":
        np.take(a.reshape(-1), flat, out=out)
    elif op == "lag":
        np.take(a.reshape(-1), flat - param * cube._n_pixels, out=out)
    elif op == "rolling_mean":
        np.take(cube._rolling[(key, param)].reshape(-1), flat, out=out)
    elif op == "anomaly":
        np.take(a.reshape(-1), flat, out=out)
        out -= cube._clim[key][cube._months[s.t_idx], s.p_idx]
    else:  # pragma: no cover - recipes are built above
        raise AssertionError(op)


def _rolling_mean(a: np.ndarray, w: int) -> np.ndarray:
    """Trailing mean over ``t - w + 1 .. t`` of the finite values (NaN where none).

    ``w`` shifted-slice additions in float32: several times faster than a float64 cumsum
    along time (strided in a C-ordered array) for the short windows features use.
    """
    finite = np.isfinite(a)
    filled = np.where(finite, a, np.float32(0))
    T = a.shape[0]
    total = np.zeros((T - w + 1, *a.shape[1:]), np.float32) if T >= w else None
    out = np.full(a.shape, np.nan, np.float32)  # incomplete windows are not features
    if total is None:
        return out
    count = np.zeros(total.shape, np.float32)
    for k in range(w):
        total += filled[k:T - w + 1 + k]
        count += finite[k:T - w + 1 + k]
    with np.errstate(invalid="ignore", divide="ignore"):
        np.divide(total, count, out=out[w - 1:])
    return out


def _monthly_climatology(a: np.ndarray, months: np.ndarray, train_t: np.ndarray) -> np.ndarray:
    """Per-pixel mean of each calendar month over the train times only (no leakage)."""
    P = a.shape[1]
    clim = np.full((12, P), np.nan, np.float32)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        # Pixels with no finite value in a month are expected (sea, gaps): fall back below.
        warnings.simplefilter("ignore", RuntimeWarning)
        overall = np.nanmean(a[train_t], axis=0) if train_t.size else np.zeros(P, np.float32)
        for m in range(12):
            tm = train_t[months[train_t] == m]
            if tm.size:
                clim[m] = np.nanmean(a[tm], axis=0)
    missing = ~np.isfinite(clim)
    clim[missing] = np.broadcast_to(overall, clim.shape)[missing]
    return clim

