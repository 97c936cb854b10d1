"""Benchmark of the ml layer on the demo fire cube (figures recorded in docs/ml.md).

1. Input pipeline vs raw zarr: the same arrays (target + 13 drivers) read raw with
   ``zarr`` (decode only), and read through the whole pipeline (xarray/dask open, CF
   decoding, alignment, features, standardisation, splits, torch batches of every split).
   Throughput = bytes of the arrays as stored, decoded / wall time. Target: pipeline >= 80 %
   of raw.
2. SHAP: global importances of 10,000 test samples of the trained fire MLP. Target: < 60 s.

Run: ``.venv/bin/python bench/bench_ml.py [--size small|medium] [--threads N]``.
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


def raw_read(path: Path, names) -> tuple[float, int]:
    """Read every array whole with zarr alone; return (seconds, bytes decoded)."""
    t0 = time.perf_counter()
    group = zarr.open_group(str(path), mode="r")
    nbytes = 0
    for n in names:
        a = group[n][...]
        nbytes += a.nbytes
    return time.perf_counter() - t0, nbytes


def read_stage(path: Path, names) -> float:
    """zarr -> aligned, CF-decoded float32 torch tensors of the variables (no features)."""
    from cubegraph.ml._grid import CubeOpener, align_to_target, load_arrays, target_grid

    t0 = time.perf_counter()
    with CubeOpener() as op:
        tds, tda = op.variable(path, "active_fire")
        grid = target_grid(tds, tda, str(path))
        lazy, cubes = {"active_fire": tda}, {"active_fire": str(path)}
        for n in names:
            ds, da = op.variable(path, n)
            lazy[n], _ = align_to_target(ds, da, grid, str(path))
            cubes[n] = str(path)
        tensors = {k: torch.from_numpy(v) for k, v in load_arrays(lazy, cubes).items()}
    assert len(tensors) == len(names) + 1
    return time.perf_counter() - t0


def pipeline_read(path: Path, names) -> float:
    """zarr -> aligned, featurised, standardised torch batches of every split."""
    t0 = time.perf_counter()
    data = build_dataset(InputRef(path, "active_fire"), [InputRef(path, n) for n in names])
    n = 0
    for split in SPLITS:
        for x, y in data.loader(split, "pixel", shuffle=split == "train"):
            n += len(y)
    assert n == sum(len(s) for s in data.splits.values())
    return time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="small")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (shared machine: 1)")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    results: dict = {"size": args.size, "torch_threads": args.threads}
    with tempfile.TemporaryDirectory() as tmp:
        write_demo_data(tmp, size=args.size, seed=42)
        path = Path(tmp) / "greece_fire_daily.zarr"
        names = ("active_fire", *DRIVERS)
        # Warm the page cache and imports once, so both sides read from memory alike.
        raw_read(path, names)
        pipeline_read(path, DRIVERS)
        raw, stage, pipe = [], [], []
        for _ in range(args.repeats):  # interleaved: all three see the same machine load
            s, nbytes = raw_read(path, names)
            raw.append(s)
            stage.append(read_stage(path, DRIVERS))
            pipe.append(pipeline_read(path, DRIVERS))
        r, st, p = statistics.median(raw), statistics.median(stage), statistics.median(pipe)
        results["pipeline"] = {
            "bytes": nbytes, "raw_s": r, "read_stage_s": st, "pipeline_s": p,
            "raw_MBps": nbytes / r / 1e6, "read_stage_MBps": nbytes / st / 1e6,
            "pipeline_MBps": nbytes / p / 1e6, "read_stage_ratio": r / st, "ratio": r / p,
        }
        print(f"read stage (zarr -> aligned float32 torch tensors): {st:.3f} s "
              f"({nbytes / st / 1e6:.0f} MB/s): {r / st:.0%} of raw")
        print(f"input pipeline: {nbytes / 1e6:.1f} MB decoded; raw zarr {r:.3f} s "
              f"({nbytes / r / 1e6:.0f} MB/s), pipeline to torch batches {p:.3f} s "
              f"({nbytes / p / 1e6:.0f} MB/s): {r / p:.0%} of raw (target >= 80 %)")

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
    ok = results["pipeline"]["ratio"] >= 0.8 and results["shap"]["seconds"] < 60
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
