"""Benchmark: catalogue N metadata-only zarr v3 cubes (12 variables each) and compare with a
bare pyoxigraph bulk load of the same triples, in the same run.

Run: ``.venv/bin/python bench/bench_ingest.py [--cubes N] [--workers N]``. Writing the
stores is setup and is not timed. The ingest timed is ``ingest_paths``, what ``cubegraph
ingest`` runs (worker processes chosen as it chooses them, unless ``--workers``); the same
cubes are also ingested in one process, into a second store. Targets (docs/ingest.md):
1,000 cubes in under 20 s on 2 cores; the whole ingest at most 3x the bare load of the same
quads; a cube with a 10 TB virtual array costs what a 1 MB one does.
"""

from __future__ import annotations

import argparse
import inspect
import io
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

VARIABLES = [
    ("lst", "surface_temperature", "K"), ("t2m", "air_temperature", "K"),
    ("rh", "relative_humidity", "%"), ("wind_speed", "wind_speed", "m s-1"),
    ("tp", "precipitation_amount", "kg m-2"), ("lai", "leaf_area_index", "1"),
    ("fwi", "canadian_fire_weather_index", "1"), ("ndvi", "normalized_difference_vegetation_index", "1"),
    ("sm", "mass_content_of_water_in_soil_layer", "kg m-2"), ("elevation", "surface_altitude", "m"),
    ("slope", "ground_slope_angle", "degree"), ("active_fire", None, "1"),
]


def _array_doc(shape, dims, dtype, attrs, chunks):
    return {
        "zarr_format": 3, "node_type": "array", "shape": list(shape), "data_type": dtype,
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": list(chunks)}},
        "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
        "fill_value": 0, "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}],
        "attributes": attrs, "dimension_names": list(dims),
    }


def write_cube(path: Path, index: int, *, ntime: int = 365, ny: int = 64, nx: int = 64) -> None:
    """A zarr v3 store: coordinates written, 12 data variables with no chunk ever written."""
    path.mkdir(parents=True)
    (path / "zarr.json").write_text(json.dumps({"zarr_format": 3, "node_type": "group", "attributes": {
        "Conventions": "CF-1.8", "title": f"bench cube {index}", "summary": "metadata-only cube",
        "license": "CC-BY-4.0", "creator_name": "bench"}}))
    lat0, lon0 = -60 + (index % 120), -170 + (index % 340)
    coords = {
        "time": (np.arange(ntime, dtype="float64"), {"standard_name": "time", "units": "days since 2020-01-01", "axis": "T"}),
        "lat": (lat0 + 0.01 * np.arange(ny), {"standard_name": "latitude", "units": "degrees_north"}),
        "lon": (lon0 + 0.01 * np.arange(nx), {"standard_name": "longitude", "units": "degrees_east"}),
    }
    for name, (values, attrs) in coords.items():
        (path / name / "c").mkdir(parents=True)
        (path / name / "zarr.json").write_text(json.dumps(_array_doc(values.shape, (name,), "float64", attrs, values.shape)))
        (path / name / "c" / "0").write_bytes(values.astype("<f8").tobytes())
    (path / "crs").mkdir()
    (path / "crs" / "zarr.json").write_text(json.dumps(_array_doc((), (), "int32", {"grid_mapping_name": "latitude_longitude"}, ())))
    for name, standard_name, units in VARIABLES:
        attrs = {"units": units, "long_name": name, "grid_mapping": "crs"}
        if standard_name:
            attrs["standard_name"] = standard_name
        (path / name).mkdir()
        (path / name / "zarr.json").write_text(json.dumps(
            _array_doc((ntime, ny, nx), ("time", "lat", "lon"), "float32", attrs, (ntime, ny, nx))))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cubes", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=None,
                        help="worker processes for the main ingest (default: as the CLI chooses)")
    args = parser.parse_args(argv)

    import pyoxigraph

    from cubegraph.ingest.parallel import worker_count
    from cubegraph.ingest.pipeline import ingest_cube, ingest_paths
    try:
        from cubegraph.ingest.cubes import read_metadata
    except ImportError:  # a checkout before the cube layer
        from cubegraph.ingest.readers import read_metadata
    from cubegraph.kg import open_store

    work = Path(tempfile.mkdtemp(prefix="cubegraph-bench-"))
    try:
        cubes = work / "cubes"
        t0 = time.perf_counter()
        for i in range(args.cubes):
            write_cube(cubes / f"cube_{i:05d}.zarr", i)
        setup = time.perf_counter() - t0

        # 10 TB virtual vs 1 MB: metadata read cost only.
        write_cube(work / "virtual_10tb.zarr", 0, ntime=100_000, ny=5_000, nx=5_000)
        write_cube(work / "small_1mb.zarr", 0, ntime=16, ny=64, nx=64)
        timings = {}
        for name in ("virtual_10tb.zarr", "small_1mb.zarr"):
            read_metadata(work / name)  # warm
            t = time.perf_counter()
            for _ in range(20):
                read_metadata(work / name)
            timings[name] = (time.perf_counter() - t) / 20
        # The whole cataloging of each (read, describe, SHACL, write), as new cubes.
        catalog = {}
        probe = open_store(work / "store-probe")
        for name in ("virtual_10tb.zarr", "small_1mb.zarr"):
            runs = []
            for i in range(21):
                t = time.perf_counter()
                result = ingest_cube(probe, work / name, slug=f"{name.split('.')[0]}-{i}")
                runs.append(time.perf_counter() - t)
                assert result.status == "ingested", result
            catalog[name] = sorted(runs[1:])[len(runs) // 2 - 1]  # median, first run is warm-up
        probe.close()

        workers = worker_count(args.workers, args.cubes)
        store = open_store(work / "store")
        t = time.perf_counter()
        summary = ingest_paths(store, [cubes], progress=False, workers=args.workers)
        ingest_s = time.perf_counter() - t
        assert summary.ok, summary.render()
        triples = summary.triples

        one = open_store(work / "store-one-process")
        t = time.perf_counter()
        assert ingest_paths(one, [cubes], progress=False, workers=0).ok
        one_process_s = time.perf_counter() - t
        one.close()
        # The cost of content digests: the same, hashing nothing (an older checkout that
        # cannot be asked has no such row).
        metadata_only_s = None
        if "checksum" in inspect.signature(ingest_paths).parameters:
            meta = open_store(work / "store-metadata-only")
            t = time.perf_counter()
            assert ingest_paths(meta, [cubes], progress=False, workers=0, checksum="metadata").ok
            metadata_only_s = time.perf_counter() - t
            meta.close()

        t = time.perf_counter()
        again = ingest_paths(store, [cubes], progress=False)
        unchanged_s = time.perf_counter() - t
        assert len(again.unchanged) == args.cubes

        buf = io.BytesIO()
        store.dump(buf, format="nquads")
        store.close()
        quads = list(pyoxigraph.parse(buf.getvalue(), format=pyoxigraph.RdfFormat.N_QUADS))
        bare = pyoxigraph.Store(str(work / "bare"))
        t = time.perf_counter()
        bare.bulk_extend(quads)
        bare.flush()
        bare_s = time.perf_counter() - t

        rows = [
            ("cubes (12 variables each)", f"{args.cubes}"),
            ("setup: writing the stores (not timed)", f"{setup:.1f} s"),
            ("ingest (read+describe+SHACL+write)", f"{ingest_s:.2f} s ({workers} worker processes)"),
            ("  per cube", f"{1000 * ingest_s / args.cubes:.1f} ms"),
            ("  triples written", f"{triples}"),
            ("  triples/s", f"{triples / ingest_s:,.0f}"),
            ("re-ingest, all unchanged", f"{unchanged_s:.2f} s"),
            ("bare pyoxigraph bulk_extend, same quads", f"{bare_s:.2f} s ({len(quads) / bare_s:,.0f} quads/s)"),
            ("ingest / bare (time ratio; target <= 3x)", f"{ingest_s / bare_s:.1f}x"),
            ("ingest in one process (workers=0)", f"{one_process_s:.2f} s, {one_process_s / bare_s:.1f}x bare"),
            *([("  the same, metadata only (--checksum metadata)", f"{metadata_only_s:.2f} s")]
              if metadata_only_s is not None else []),
            ("read_metadata, 10 TB virtual cube", f"{1000 * timings['virtual_10tb.zarr']:.2f} ms"),
            ("read_metadata, 1 MB cube", f"{1000 * timings['small_1mb.zarr']:.2f} ms"),
            ("cataloging (ingest_cube), 10 TB virtual cube", f"{1000 * catalog['virtual_10tb.zarr']:.2f} ms"),
            ("cataloging (ingest_cube), 1 MB cube", f"{1000 * catalog['small_1mb.zarr']:.2f} ms"),
            ("  10 TB / 1 MB (target: the same, < 1.5x)",
             f"{catalog['virtual_10tb.zarr'] / catalog['small_1mb.zarr']:.2f}x"),
        ]
        width = max(len(r[0]) for r in rows)
        print(f"{'measure':{width}}  value")
        for label, value in rows:
            print(f"{label:{width}}  {value}")
        ok = (ingest_s < 20 and ingest_s <= 3 * bare_s
              and catalog["virtual_10tb.zarr"] < 1.5 * catalog["small_1mb.zarr"])
        return 0 if ok else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
