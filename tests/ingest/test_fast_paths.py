"""ingest's speed seams give what the plain paths they bypass give, on real cubes.

The inputs are the demo cubes (written once per session by the ``demo_dir`` fixture) and
files written here with netCDF4; each test runs the fast path and the plain one beside it.
docs/benchmarks.md, "Why the fast paths exist", lists the seams and why each exists.
(SHACL with turbo against pyshacl, and workers against one process, are held equal in
``test_validate_engines.py`` and ``test_parallel.py``.)
"""

from __future__ import annotations

import importlib.util
import math
import os
from pathlib import Path

import netCDF4
import numpy as np
import pytest
import xarray as xr
from rdflib.namespace import RDF

from cubegraph.ingest import semantics, validate
from cubegraph.ingest.cubes import open_variable, read_metadata
from cubegraph.ingest.cubes import cf, registry
from cubegraph.ingest.cubes.raw import SMALL_ARRAY
from cubegraph.ingest.cubes.zarr_reader import ZarrReader
from cubegraph.ingest.fingerprint import ZARR_METADATA_FILES, list_zarr_store
from cubegraph.ingest.semantics import resolve_semantics
from cubegraph.kg.iris import Iris
from cubegraph.kg.records.cube import Description, describe_triples
from cubegraph.ontology.namespaces import CG

IRIS = Iris("http://test.example/")


def _cubes(demo_dir: Path, suffixes=(".zarr", ".nc")) -> list[Path]:
    paths = sorted(p for p in demo_dir.iterdir() if p.suffix in suffixes)
    assert paths
    return paths


def _description(path: Path) -> Description:
    meta = resolve_semantics(read_metadata(path))
    return describe_triples(meta, IRIS, slug=path.name.replace(".", "-"),
                            ingested_at="2024-01-01T00:00:00Z")


def _without_dtype(description: Description) -> Description:
    """The description with one variable's cg:dtype removed (a shape violation)."""
    lines = description.text.splitlines(keepends=True)
    variables = {line.split(" ", 1)[0] for line in lines
                 if line.endswith(f" <{RDF.type}> <{CG.Variable}> .\n")}
    dtypes = [i for i, line in enumerate(lines)
              if line.split(" ", 1)[0] in variables and f" <{CG.dtype}> " in line]
    assert dtypes
    del lines[dtypes[0]]
    return Description(description.cube, "".join(lines))


# --- SHACL: turbo's private verdict ------------------------------------------------------------

def test_the_private_verdict_is_the_public_one(demo_dir):
    pytest.importorskip("pyshacl_turbo")
    from pyshacl_turbo.rdf import Input

    for path in _cubes(demo_dir):
        good = _description(path)
        for description, conforms in ((good, True), (_without_dtype(good), False)):
            public, _report, _text = validate._compiled_turbo().validate(
                Input(description.text, "nquads", None, {}, {}), allow_warnings=True,
                abort_on_first=False)
            # The private call answers (it does not fall back in silence) and agrees.
            assert validate._conforms_fast(description.text) is bool(public) is conforms, path.name


# --- CF unpacking in blocks ----------------------------------------------------------------------

@pytest.mark.parametrize("stored, scale, offset", [
    ("i4", np.float32(0.01), np.float32(250.0)),  # 4-byte integers: float64
    ("i2", np.float64(0.0011666666666666668), np.float64(295.0)),
    ("i2", np.float32(0.1), np.float64(250.0)),  # mixed types: float64
])
def test_unpacking_in_blocks_is_the_whole_array_formula(tmp_path, stored, scale, offset):
    n = cf._BLOCK * 2 + 12345  # two whole blocks and a partial one
    rng = np.random.default_rng(0)
    info = np.iinfo(stored)
    raw = rng.integers(info.min + 1, info.max, size=n, dtype=stored)
    raw[::997] = info.min  # fill values in every block
    path = tmp_path / "packed.nc"
    with netCDF4.Dataset(path, "w") as ds:
        ds.createDimension("x", n)
        v = ds.createVariable("t", stored, ("x",), fill_value=np.array(info.min, stored))
        v.set_auto_maskandscale(False)
        v.setncatts({"scale_factor": scale, "add_offset": offset})
        v[:] = raw
    var = open_variable(path, "t")
    wide = var.coding.wide(var.dtype)
    assert wide == np.float64  # the blocked branch
    got = var.read()
    # The plain formula on the whole array at once, and xarray's decoding of the file.
    want = (raw.astype(wide) * scale + offset).astype(np.float32)
    want[raw == info.min] = np.nan
    assert np.array_equal(got, want, equal_nan=True)
    assert np.array_equal(got, xr.open_dataset(path)["t"].values.astype(np.float32), equal_nan=True)
    # And the seam alone, on a buffer it fills.
    dst = np.empty(n, np.float32)
    cf._unpack_in_blocks(raw, dst, var.coding, wide)
    assert np.array_equal(dst, (raw.astype(wide) * scale + offset).astype(np.float32))


# --- cached lookups --------------------------------------------------------------------------

def test_cached_reader_lookups_are_importlibs():
    modules = [module for module, _cls in registry.READERS.values()] + ["no_such_module_for_cubes"]
    for module in modules * 2:  # the second time from the cache
        assert registry._importable(module) is (importlib.util.find_spec(module) is not None), module
    assert registry._importable("no_such_module_for_cubes") is False
    assert all(registry._importable(m) for m, _ in registry.READERS.values())


def test_cached_semantic_lookups_are_the_lookups(demo_dir):
    asked = []
    for path in _cubes(demo_dir):
        for v in read_metadata(path).variables:
            asked.append((v.attrs.get("standard_name"), v.name, v.attrs.get("long_name"), v.units))
    asked += [(None, "tas", None, "K"), ("air_temperature", None, None, "degC"),
              ("not_a_cf_name", "x", "some thing", "furlongs"), (None, None, None, "m s-1")]
    assert len(asked) > 20
    for standard_name, name, long_name, units in asked * 2:  # the second time from the cache
        assert semantics._observable_match(standard_name, name, long_name) == \
            semantics._observable_match.__wrapped__(standard_name, name, long_name)
        if units is not None:
            assert semantics._unit(units) == semantics._unit.__wrapped__(units), units


# --- zarr metadata from the JSON documents, and the store listing ----------------------------

def test_zarr_metadata_is_what_xarray_reads(demo_dir):
    for path in _cubes(demo_dir, (".zarr",)):
        raw = ZarrReader().read_raw(path)
        ds = xr.open_zarr(path, decode_cf=False, mask_and_scale=False, decode_times=False)
        assert sorted(raw.arrays) == sorted(ds.variables), path.name
        assert raw.attrs == dict(ds.attrs), path.name
        for name, array in raw.arrays.items():
            where = f"{path.name}:{name}"
            v = ds.variables[name]
            assert (array.dims, array.shape, np.dtype(array.dtype)) == (v.dims, v.shape, v.dtype), where
            attrs = dict(v.attrs)
            fill = attrs.pop("_FillValue", None)
            assert array.attrs == attrs, where
            assert array.fill_value == fill or (math.isnan(array.fill_value) and math.isnan(fill)), where
            if math.prod(array.shape) <= SMALL_ARRAY:
                assert np.array_equal(np.asarray(array.load()), v.values, equal_nan=True), where


def _listing_by_os_walk(root: Path) -> tuple[dict, dict]:
    metadata, chunks = {}, {}
    for folder, _dirs, files in os.walk(root):  # symlinked folders are not followed
        rel = Path(folder).relative_to(root).as_posix()
        prefix = "" if rel == "." else rel + "/"
        for name in files:
            full = os.path.join(folder, name)
            if name in ZARR_METADATA_FILES:
                metadata[prefix + name] = Path(full).read_bytes()
            else:
                chunks[prefix + name] = os.stat(full).st_size
    return metadata, chunks


def test_the_store_listing_is_what_os_walk_finds(demo_dir, tmp_path):
    stores = _cubes(demo_dir, (".zarr",))
    # A store with a symlinked folder and a symlinked chunk file beside its own.
    linked = tmp_path / "linked.zarr"
    linked.mkdir()
    (linked / "zarr.json").write_text('{"zarr_format": 3, "node_type": "group"}')
    (linked / "elsewhere").symlink_to(stores[0], target_is_directory=True)
    (linked / "c").mkdir()
    (linked / "c" / "0").write_bytes(b"12345")
    (linked / "c" / "1").symlink_to(linked / "c" / "0")
    for root in [*stores, linked]:
        listing = list_zarr_store(root)
        metadata, chunks = _listing_by_os_walk(root)
        assert listing.metadata == metadata, root.name
        assert listing.chunks == chunks, root.name
    assert list_zarr_store(linked).chunks == {"c/0": 5, "c/1": 5}
