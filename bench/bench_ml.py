"""Benchmark of the ml layer on the demo fire cube (figures recorded in docs/ml.md).

1. Input pipeline vs raw zarr, side by side (interleaved repeats, medians). The measure:
   throughput = bytes of the source arrays (target + 13 drivers, as stored: int16/int8,
   decoded by zarr) / wall time of

   * ``raw``: open the store with ``zarr`` and read every array whole into numpy, array by
     array, and ``raw_concurrent``: the same, all arrays at once on zarr's event loop (the
     concurrency the pipeline's reader uses). The reference is the faster of the two;
   * ``pipeline``: from opening the cubes to having yielded every training batch of one
     epoch as torch tensors, all 49 features included (``build_dataset`` + iterating
     ``loader("train", "pixel", shuffle=True)``), for every train sample and for the job
     default of 200,000 samples per split; also, for reference, the same epoch in order
     (no shuffle: sequential batches are views of the rows);
   * for reference: the read stage alone (zarr -> aligned, CF-decoded float32 tensors, no
     features) and the pipeline over the batches of every split (train, validation, test).

   Target: pipeline >= 80 % of the reference.
2. Training of the fire MLP (job defaults) and SHAP global importances of 10,000 test
   samples. Target: SHAP < 60 s.

Run: ``.venv/bin/python bench/bench_ml.py [--size small|medium] [--threads N] [--no-train]``.
Runs against whatever ``cubegraph`` is importable, so an older checkout can be measured with
the same script (``PYTHONPATH=/path/to/old/parent``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import zarr

from cubegraph.ingest.demo import write_demo_data
from cubegraph.ml.dataset import SPLITS, InputRef, build_dataset
from cubegraph.ml.explain import explain_model
from cubegraph.ml.job import JobInputs
from cubegraph.ml.train import TrainConfig, train_model

DRIVERS = ("lai", "et", "lst", "t2m", "rh", "wind_speed", "tp", "fwi", "distractor_noise",
           "road_density", "population_density", "elevation", "slope")
#: JobInputs' default subsample per split.
JOB_CAP = JobInputs(InputRef("", ""), ()).max_samples


def raw_read(path: Path, names) -> tuple[float, int]:
    """Read every array whole with zarr alone; return (seconds, bytes decoded)."""
    t0 = time.perf_counter()
    group = zarr.open_group(str(path), mode="r")
    nbytes = 0
    for n in names:
        a = group[n][...]
        nbytes += a.nbytes
    return time.perf_counter() - t0, nbytes


def raw_read_concurrent(path: Path, names) -> tuple[float, int]:
    """Read every array whole with zarr alone, all at once on zarr's event loop.

    The same concurrency the pipeline's reader uses (chunks of every array decompressed in
    zarr's worker threads together), so the two are compared like with like.
    """
    import asyncio

    from zarr.core.sync import sync

    t0 = time.perf_counter()
    group = zarr.open_group(str(path), mode="r")
    arrays = [group[n].async_array for n in names]

    async def every():
        return await asyncio.gather(*(a.getitem(...) for a in arrays))

    nbytes = sum(np.asarray(a).nbytes for a in sync(every()))
    return time.perf_counter() - t0, nbytes


def read_stage(path: Path, names) -> float:
    """zarr -> aligned, CF-decoded float32 torch tensors of the variables (no features).

    The pipeline's own read path: this checkout's planner and reader (the cube layer's
    ``read_many``), or, for an older checkout, its zarr planner or xarray opening.
    """
    t0 = time.perf_counter()
    try:
        from cubegraph.ml import _inputs
    except ImportError:  # an older checkout: ml opened the cubes itself
        arrays = _old_read_stage(path, names)
    else:
        plan = _inputs.plan_inputs(InputRef(path, "active_fire"), [InputRef(path, n) for n in names],
                                   list(names), "active_fire")
        arrays = _inputs.load_arrays(plan.reads, dict.fromkeys(plan.reads, str(path)))
    tensors = {k: torch.from_numpy(v) for k, v in arrays.items()}
    assert len(tensors) == len(names) + 1
    return time.perf_counter() - t0


def _old_read_stage(path: Path, names) -> dict:
    """read_stage of the checkouts before the cube layer (ml/_grid opened cubes itself)."""
    from cubegraph.ml import _grid

    try:
        from cubegraph.ml._zarr_grid import plan_zarr_reads
    except ImportError:  # an older checkout: xarray opening only
        plan = None
    else:
        plan = plan_zarr_reads(InputRef(path, "active_fire"), [InputRef(path, n) for n in names],
                               list(names), "active_fire")
    if plan is not None:
        return _grid.load_arrays(dict.fromkeys(plan.reads), dict.fromkeys(plan.reads, str(path)),
                                 plan.reads)
    with _grid.CubeOpener() as op:
        tds, tda = op.variable(path, "active_fire")
        grid = _grid.target_grid(tds, tda, str(path))
        lazy, cubes, direct = {"active_fire": tda}, {"active_fire": str(path)}, {}
        for n in names:
            ds, da = op.variable(path, n)
            lazy[n], _ = _grid.align_to_target(ds, da, grid, str(path))
            cubes[n] = str(path)
        if hasattr(_grid, "direct_read"):  # this checkout reads local zarr directly
            for n in lazy:
                direct[n] = _grid.direct_read(op, path, n, tuple(lazy[n].dims))
            return _grid.load_arrays(lazy, cubes, direct)
        return _grid.load_arrays(lazy, cubes)


def pipeline_epoch(path: Path, names, max_samples=None, splits=("train",),
                   shuffle=True) -> tuple[float, int]:
    """Open the cubes -> every batch of one epoch (train shuffled unless told) as tensors."""
    t0 = time.perf_counter()
    data = build_dataset(InputRef(path, "active_fire"), [InputRef(path, n) for n in names],
                         max_samples=max_samples)
    n = 0
    for split in splits:
        for x, y in data.loader(split, "pixel", shuffle=shuffle and split == "train",
                                   seed=1):
            assert isinstance(x, torch.Tensor) and x.shape[1] == len(data.feature_names)
            n += len(y)
    seconds = time.perf_counter() - t0
    assert n == sum(len(data.splits[s]) for s in splits)
    return seconds, n


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="small")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (shared machine: 1)")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--no-train", action="store_true", help="pipeline figures only")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    results: dict = {"size": args.size, "torch_threads": args.threads}
    with tempfile.TemporaryDirectory() as tmp:
        write_demo_data(tmp, size=args.size, seed=42)
        path = Path(tmp) / "greece_fire_daily.zarr"
        names = ("active_fire", *DRIVERS)
        # Warm the page cache and imports once, so both sides read from memory alike.
        raw_read(path, names)
        raw_read_concurrent(path, names)
        pipeline_epoch(path, DRIVERS)
        cases = {  # name -> (max_samples, splits, shuffled)
            "pipeline_train_epoch_all": (None, ("train",), True),
            "pipeline_train_epoch_job": (JOB_CAP, ("train",), True),
            "pipeline_train_in_order_all": (None, ("train",), False),
            "pipeline_all_splits_all": (None, SPLITS, True),
        }
        times: dict[str, list[float]] = {"raw": [], "raw_concurrent": [], "read_stage": [],
                                         **{c: [] for c in cases}}
        samples: dict[str, int] = {}
        for _ in range(args.repeats):  # interleaved: every row sees the same machine load
            s, nbytes = raw_read(path, names)
            times["raw"].append(s)
            s, nb = raw_read_concurrent(path, names)
            assert nb == nbytes
            times["raw_concurrent"].append(s)
            times["read_stage"].append(read_stage(path, DRIVERS))
            for c, (cap, splits, shuffled) in cases.items():
                s, samples[c] = pipeline_epoch(path, DRIVERS, cap, splits, shuffled)
                times[c].append(s)
        med = {k: statistics.median(v) for k, v in times.items()}
        # The reference is the faster raw read: the ratios never flatter the pipeline.
        r = min(med["raw"], med["raw_concurrent"])
        results["pipeline"] = {
            "bytes": nbytes, "repeats": args.repeats, "reference_seconds": r,
            **{k: {"seconds": v, "MBps": nbytes / v / 1e6, "ratio": r / v,
                   "all_seconds": times[k], **({"samples": samples[k]} if k in samples else {})}
               for k, v in med.items()},
        }
        print(f"source arrays: {nbytes / 1e6:.1f} MB as stored (target + {len(DRIVERS)} drivers); "
              f"medians of {args.repeats} interleaved repeats")
        print(f"{'measure':<58}{'seconds':>9}{'MB/s':>8}{'of raw':>8}")
        labels = {"raw": "raw zarr read (decode to numpy), array by array",
                  "raw_concurrent": "raw zarr read, all arrays at once",
                  "read_stage": "read stage: zarr -> aligned float32 tensors",
                  "pipeline_train_epoch_all": "pipeline -> 1 train epoch, every sample",
                  "pipeline_train_epoch_job": f"pipeline -> 1 train epoch, {JOB_CAP:,} samples",
                  "pipeline_train_in_order_all": "pipeline -> 1 train epoch in order, every sample",
                  "pipeline_all_splits_all": "pipeline -> batches of all splits, every sample"}
        for k, label in labels.items():
            n = f" ({samples[k]:,})" if k in samples else ""
            print(f"{label + n:<58}{med[k]:>9.3f}{nbytes / med[k] / 1e6:>8.0f}{r / med[k]:>8.0%}")
        if args.no_train:
            if args.json:
                args.json.write_text(json.dumps(results, indent=2))
            return 0

        job = JobInputs(InputRef(path, "active_fire"), tuple(InputRef(path, n) for n in DRIVERS))
        t0 = time.perf_counter()
        data = build_dataset(job.target, job.drivers, max_samples=job.max_samples)
        for s in SPLITS:
            data.pixel_features(s)
        t_load = time.perf_counter() - t0
        t0 = time.perf_counter()
        trained = train_model(data, TrainConfig(), seed=0, progress=False)
        t_train = time.perf_counter() - t0
        t0 = time.perf_counter()
        ex = explain_model(trained, data, n_samples=10_000, seed=0)
        t_shap = time.perf_counter() - t0
        results["training"] = {"train_samples": len(data.splits["train"]), "load_s": t_load,
                               "train_s": t_train, "epochs": len(trained.history),
                               "best_epoch": trained.best_epoch}
        results["shap"] = {"samples": len(ex.rows), "features": len(trained.input_names),
                           "method": ex.method, "background": ex.n_background,
                           "seconds": t_shap, "ranking": ex.ranking()[:5]}
        print(f"training: {len(data.splits['train'])} train samples, load {t_load:.1f} s, "
              f"{len(trained.history)} epochs in {t_train:.1f} s")
        print(f"SHAP ({ex.method}): {len(ex.rows)} samples x {len(trained.input_names)} features "
              f"in {t_shap:.1f} s (target < 60 s); top: {ex.ranking()[:3]}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    ok = (results["pipeline"]["pipeline_train_epoch_all"]["ratio"] >= 0.8
          and results["shap"]["seconds"] < 60)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
