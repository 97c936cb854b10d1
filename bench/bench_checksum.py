"""Content digests against reading the same bytes, side by side (issue 12's target).

For each cube, two measures with the same thread count (``--threads``, default 2: the
digest's default), alternated ``--repeats`` times and judged on the median:

* ``read``: every stored file of the cube read whole into a reused buffer (the reference:
  the least any reader of these bytes must do);
* ``digest``: :func:`cubegraph.ingest.content.digest_content` (every file read and
  sha256-hashed, leaves grouped into the per-variable tree).

Each is measured *warm* (the files in the page cache, as right after an ingest wrote or
read them) and *evicted* (each file dropped from the page cache with
``posix_fadvise(DONTNEED)`` before the run; on a virtual machine the host may still cache
them, so this is "not in this kernel's cache", not necessarily "from the platter").

Cubes: the six demo cubes together (~23 MB) and one cube of ``--big-gb`` GB (default 2.1)
written by this script: a zarr v2 store of float32 noise in 32 MB uncompressed chunks.
Target: digest throughput >= 80 % of read throughput.

Run: ``.venv/bin/python bench/bench_checksum.py [--big-gb 2.1] [--repeats 5] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from cubegraph.ingest.content import PIECE, digest_content
from cubegraph.ingest.demo import write_demo_data

TARGET = 0.80
CHUNK = 32 << 20


def files_of(roots: list[Path]) -> list[Path]:
    out = []
    for root in roots:
        out += [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    return out


def evict(files: list[Path]) -> None:
    for f in files:
        fd = os.open(f, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def read_all(files: list[Path], threads: int) -> None:
    local = threading.local()

    def one(f: Path) -> None:
        # one buffer per thread, as the digest has: the reference pays no allocation per file
        view = getattr(local, "view", None)
        if view is None:
            view = local.view = memoryview(bytearray(PIECE))
        with open(f, "rb", buffering=0) as fh:
            while fh.readinto(view):
                pass

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, files))


def digest_all(roots: list[Path], threads: int) -> None:
    for root in roots:
        digest_content(root, workers=threads)


def write_big_cube(path: Path, gigabytes: float) -> None:
    """A zarr v2 store of float32 noise, uncompressed 32 MB chunks (written once, kept)."""
    if (path / ".zgroup").exists():
        return
    chunks = max(1, int(gigabytes * 1e9 // CHUNK))
    side = 2048  # 2048 x 4096 float32 = 32 MB a chunk
    (path / "noise").mkdir(parents=True)
    (path / ".zgroup").write_text('{"zarr_format": 2}')
    (path / ".zattrs").write_text("{}")
    (path / "noise" / ".zarray").write_text(json.dumps({
        "zarr_format": 2, "shape": [chunks * side, 4096], "chunks": [side, 4096],
        "dtype": "<f4", "compressor": None, "fill_value": None, "filters": None, "order": "C"}))
    (path / "noise" / ".zattrs").write_text('{"_ARRAY_DIMENSIONS": ["y", "x"]}')
    rng = np.random.default_rng(0)
    for i in range(chunks):
        (path / "noise" / f"{i}.0").write_bytes(
            rng.standard_normal((side, 4096), dtype=np.float32).tobytes())


def measure(name: str, roots: list[Path], threads: int, repeats: int) -> dict:
    files = files_of(roots)
    nbytes = sum(f.stat().st_size for f in files)
    times: dict[str, list[float]] = {k: [] for k in
                                     ("read warm", "digest warm", "read evicted", "digest evicted")}
    jobs = {"read": lambda: read_all(files, threads), "digest": lambda: digest_all(roots, threads)}
    read_all(files, threads)  # warm-up
    for r in range(repeats):
        order = ["read", "digest"] if r % 2 == 0 else ["digest", "read"]
        for state in ("warm", "evicted"):
            for kind in order:
                if state == "evicted":
                    evict(files)
                else:
                    read_all(files, threads)
                t0 = time.perf_counter()
                jobs[kind]()
                times[f"{kind} {state}"].append(time.perf_counter() - t0)
    out = {"cube": name, "bytes": nbytes, "files": len(files), "threads": threads,
           "load": os.getloadavg()[0]}
    for key, values in times.items():
        med = statistics.median(values)
        out[key] = {"median_s": med, "min_s": min(values), "max_s": max(values),
                    "mb_per_s": nbytes / med / 1e6}
    for state in ("warm", "evicted"):
        out[f"ratio {state}"] = out[f"read {state}"]["median_s"] / out[f"digest {state}"]["median_s"]
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big-gb", type=float, default=2.1)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="folder to keep the cubes in between runs")
    parser.add_argument("--out", type=Path, help="write the figures here (JSON)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        demo = work / "demo"
        if not (demo / "ground_truth.json").exists():
            write_demo_data(demo)
        big = work / "big.zarr"
        write_big_cube(big, args.big_gb)
        cubes = sorted(p for p in demo.iterdir() if p.suffix in (".zarr", ".nc"))
        results = [measure("demo cubes (6)", cubes, args.threads, args.repeats),
                   measure(f"{args.big_gb:g} GB zarr cube", [big], args.threads, args.repeats)]

    print(f"content digest vs reading the same bytes, {args.threads} threads, median of "
          f"{args.repeats} (range)\n")
    print("| cube | bytes | page cache | read MB/s | digest MB/s | digest / read | target |")
    print("|---|---|---|---|---|---|---|")
    met = True
    for r in results:
        for state in ("warm", "evicted"):
            read, dig = r[f"read {state}"], r[f"digest {state}"]
            ratio = r[f"ratio {state}"]
            met &= ratio >= TARGET
            print(f"| {r['cube']} | {r['bytes'] / 1e6:,.0f} MB in {r['files']} files | {state} | "
                  f"{read['mb_per_s']:,.0f} ({r['bytes'] / read['max_s'] / 1e6:,.0f}–"
                  f"{r['bytes'] / read['min_s'] / 1e6:,.0f}) | {dig['mb_per_s']:,.0f} "
                  f"({r['bytes'] / dig['max_s'] / 1e6:,.0f}–{r['bytes'] / dig['min_s'] / 1e6:,.0f}) "
                  f"| {ratio:.0%} | {'met' if ratio >= TARGET else 'missed'} |")
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    if args.out:
        args.out.write_text(json.dumps(results, indent=1))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
