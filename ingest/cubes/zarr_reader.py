"""Zarr v2 and v3 stores, read from their JSON metadata (no xarray, no zarr group).

Reading the JSON documents directly bypasses ``xarray.open_zarr`` (a zarr group, its
arrays and xarray's decoding, none of which a catalogue needs) and needs no event loop;
:meth:`ZarrReader.read_raw` is the seam (docs/benchmarks.md has the figure). For a
catalogue (:meth:`ZarrReader.read_raw`) one walk of the store also sizes and fingerprints
it and counts each array's chunk files (none written = all fill); for reading data
(:meth:`ZarrReader.open_raw`) only the metadata documents are read.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from cubegraph.ingest.cubes.base import CubeReader
from cubegraph.ingest.cubes.cf import decode_fill
from cubegraph.ingest.cubes.raw import RawArray, RawCube, plain
from cubegraph.ingest.cubes.zarr_chunks import ZarrGroup, ZarrSource, chunk_loader
from cubegraph.ingest.errors import CubeReadError
from cubegraph.ingest.fingerprint import (
    ZARR_METADATA_FILES,
    StoreListing,
    fingerprint_zarr,
    list_zarr_store,
)

__all__ = ["ZarrReader"]

_ROOT_DOCS = ("zarr.json", ".zmetadata", ".zgroup", ".zattrs")


class ZarrReader(CubeReader):
    """Zarr v2 and v3 directory stores (see the module docstring)."""

    name = "zarr"
    description = "Zarr v2 and v3 directory stores (zarr.json / .zarray / .zmetadata)"

    def can_read(self, path: Path) -> bool:
        if not path.is_dir():
            return False
        # A trailing ".zarr*" suffix is the convention; marker files catch stores without it.
        if path.suffix.lower().startswith(".zarr"):
            return True
        return any((path / m).is_file() for m in ("zarr.json", ".zgroup", ".zmetadata"))

    def read_raw(self, path: Path) -> RawCube:
        """The store's arrays and attributes from its JSON documents, with one listing.

        Speed seam: bypasses ``xarray.open_zarr`` (see the module docstring);
        ``tests/ingest/test_fast_paths.py::test_zarr_metadata_is_what_xarray_reads`` holds
        the arrays, their attributes, fill values and small arrays' values equal to what
        xarray reads undecoded (figure: docs/benchmarks.md).
        """
        try:
            listing = list_zarr_store(path)
        except OSError as exc:
            raise CubeReadError(f"zarr store '{path}': cannot be listed: {exc}") from exc
        cube = self._read(path, listing, counted=True)
        cube.byte_size = listing.byte_size
        cube.fingerprint, cube.fingerprint_algorithm = fingerprint_zarr(listing)
        cube.listing = listing
        return cube

    def open_raw(self, path: Path) -> RawCube:
        try:
            listing = _metadata_listing(path)
        except OSError as exc:
            raise CubeReadError(f"zarr store '{path}': cannot be read: {exc}") from exc
        return self._read(path, listing, counted=False)

    def _read(self, path: Path, listing: StoreListing, *, counted: bool) -> RawCube:
        notes: list = []
        docs = self._parse_all(path, listing, notes)
        if "zarr.json" in docs:
            cube = self._read_v3(path, docs, listing if counted else None)
        elif ".zgroup" in docs or ".zmetadata" in docs:
            cube = self._read_v2(path, docs, listing if counted else None)
        else:
            raise CubeReadError(
                f"zarr store '{path}': no zarr.json (v3) or .zgroup/.zmetadata (v2) at its root; "
                "is this the store's top folder?"
            )
        cube.notes[:0] = notes
        return cube

    def _parse_all(self, path: Path, listing: StoreListing, notes: list) -> dict[str, dict]:
        """Parse every metadata document; tolerate a broken one only where zarr would.

        zarr (and so xarray) reads consolidated metadata (v3: inside the root ``zarr.json``;
        v2: ``.zmetadata``) instead of the per-array documents when it is present, so a
        broken per-array document there does not stop them: it does not stop us either, but
        it is reported. Without consolidated metadata a broken document is an error.
        """
        docs = {rel: _parse(path, rel, listing.metadata[rel])
                for rel in _ROOT_DOCS if rel in listing.metadata}
        consolidated = ".zmetadata" in docs or bool(
            (docs.get("zarr.json") or {}).get("consolidated_metadata")
        )
        for rel, body in listing.metadata.items():
            if rel in docs:
                continue
            try:
                docs[rel] = _parse(path, rel, body)
            except CubeReadError as exc:
                if not consolidated:
                    raise
                notes.append(
                    ("corrupt-metadata", f"{exc}; the consolidated metadata was used instead",
                     rel.split("/")[0])
                )
        return docs

    @staticmethod
    def _new_cube(path: Path, version: str, attrs: dict) -> RawCube:
        return RawCube(path=path, format="zarr", format_version=version,
                       media_type="application/vnd+zarr", byte_size=0, fingerprint="",
                       fingerprint_algorithm="", attrs={k: plain(v) for k, v in attrs.items()})

    # v3 ---------------------------------------------------------------------------------------
    def _read_v3(self, path: Path, docs: dict, listing: StoreListing | None) -> RawCube:
        root = docs["zarr.json"]
        if root.get("node_type") == "array":
            raise CubeReadError(
                f"zarr store '{path}': its root is a single array, not a group of variables; "
                "ingest the group that holds it"
            )
        cube = self._new_cube(path, "3", root.get("attributes") or {})
        group = ZarrGroup(path, 3)
        consolidated = (root.get("consolidated_metadata") or {}).get("metadata")
        if consolidated:
            # Same precedence as zarr: the consolidated copy describes the store.
            docs = {"zarr.json": root} | {f"{k}/zarr.json": v for k, v in consolidated.items()}
        for rel, doc in sorted(docs.items()):
            parts = rel.split("/")
            if len(parts) != 2 or parts[1] != "zarr.json":
                if len(parts) > 2:
                    cube.notes.append(("nested-group", f"nested node '{rel}' ignored", None))
                continue
            name = parts[0]
            if doc.get("node_type") != "array":
                cube.notes.append(("nested-group", f"sub-group '{name}' ignored", None))
                continue
            try:
                cube.arrays[name] = _array_v3(path, name, doc, listing, group)
            except (KeyError, TypeError, ValueError) as exc:
                raise CubeReadError(
                    f"zarr store '{path}': array '{name}' has unreadable metadata "
                    f"(zarr.json: {exc!r}); the store is corrupt"
                ) from exc
        return cube

    # v2 ---------------------------------------------------------------------------------------
    def _read_v2(self, path: Path, docs: dict, listing: StoreListing | None) -> RawCube:
        if ".zmetadata" in docs:
            meta = dict(docs[".zmetadata"].get("metadata") or {})
        else:
            meta = dict(docs)
        # Same precedence as zarr: when .zmetadata exists it describes the store.
        cube = self._new_cube(path, "2", meta.get(".zattrs") or {})
        group = ZarrGroup(path, 2)
        for rel in sorted(meta):
            parts = rel.split("/")
            if len(parts) != 2 or parts[1] != ".zarray":
                continue
            name = parts[0]
            try:
                cube.arrays[name] = _array_v2(path, name, meta[rel],
                                              meta.get(f"{name}/.zattrs") or {}, listing, group)
            except (KeyError, TypeError, ValueError) as exc:
                raise CubeReadError(
                    f"zarr store '{path}': array '{name}' has unreadable metadata "
                    f"(.zarray: {exc!r}); the store is corrupt"
                ) from exc
        return cube


def _metadata_listing(path: Path) -> StoreListing:
    """The metadata documents only: the root's, and the arrays' unless consolidated."""
    listing = StoreListing(path)
    for rel in _ROOT_DOCS:
        if (path / rel).is_file():
            listing.metadata[rel] = (path / rel).read_bytes()
    if ".zmetadata" in listing.metadata:
        return listing
    if "zarr.json" in listing.metadata:
        try:
            if json.loads(listing.metadata["zarr.json"]).get("consolidated_metadata"):
                return listing
        except (ValueError, AttributeError):
            return listing  # _parse words the error
    with os.scandir(path) as it:
        folders = sorted(e.name for e in it if e.is_dir() and not e.is_symlink())
    for name in folders:
        for doc in ZARR_METADATA_FILES:
            if (path / name / doc).is_file():
                listing.metadata[f"{name}/{doc}"] = (path / name / doc).read_bytes()
    return listing


def _parse(path: Path, rel: str, body: bytes) -> dict:
    try:
        doc = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise CubeReadError(
            f"zarr store '{path}': metadata file '{rel}' is not UTF-8 ({exc}); "
            "zarr metadata must be UTF-8 JSON"
        ) from exc
    except json.JSONDecodeError as exc:
        raise CubeReadError(
            f"zarr store '{path}': metadata file '{rel}' is not valid JSON "
            f"(line {exc.lineno}, column {exc.colno}: {exc.msg}); the store is corrupt"
        ) from exc
    if not isinstance(doc, dict):
        raise CubeReadError(f"zarr store '{path}': metadata file '{rel}' is not a JSON object")
    return doc


def _array_v3(path, name, doc, listing, group) -> RawArray:
    shape = tuple(int(s) for s in doc["shape"])
    dtype = np.dtype(doc["data_type"]) if isinstance(doc["data_type"], str) else None
    dtype_name = dtype.name if dtype is not None else str(doc["data_type"])
    attrs = dict(doc.get("attributes") or {})
    dims = tuple(doc.get("dimension_names") or attrs.pop("_ARRAY_DIMENSIONS", None) or ())
    if len(dims) != len(shape):
        dims = tuple(f"{name}_dim_{i}" for i in range(len(shape)))
    chunk_shape = tuple(doc["chunk_grid"]["configuration"]["chunk_shape"])
    codecs = doc.get("codecs") or []
    for codec in codecs:
        if codec.get("name") == "sharding_indexed":  # the inner chunk is the read unit
            chunk_shape = tuple(codec["configuration"]["chunk_shape"])
    # In v3 the store's fill_value only says what unwritten chunks hold; CF missing data
    # is the _FillValue attribute (xarray reads it the same way).
    fill = decode_fill(attrs.pop("_FillValue", None), dtype)
    if fill is None:
        fill = attrs.get("missing_value")
    store_fill = decode_fill(doc.get("fill_value"), dtype)
    key_encoding = doc.get("chunk_key_encoding") or {}
    sep = key_encoding.get("configuration", {}).get("separator", "/")
    prefix = "c" + sep if key_encoding.get("name", "default") == "default" else ""
    return RawArray(
        name=name, dims=dims, shape=shape, dtype=dtype_name, chunks=chunk_shape,
        fill_value=fill, attrs={k: plain(v) for k, v in attrs.items()},
        chunks_written=listing.chunk_count(name) if listing is not None else None,
        unwritten=store_fill if store_fill is not None else 0,
        load=chunk_loader(path, name, shape, chunk_shape, dtype, store_fill, codecs, prefix,
                          sep, version=3),
        source=ZarrSource(group, name),
    )


def _array_v2(path, name, zarray, zattrs, listing, group) -> RawArray:
    attrs = dict(zattrs)
    shape = tuple(int(s) for s in zarray["shape"])
    dtype = np.dtype(zarray["dtype"]) if isinstance(zarray["dtype"], str) else None
    dims = tuple(attrs.pop("_ARRAY_DIMENSIONS", None) or ())
    if len(dims) != len(shape):
        dims = tuple(f"{name}_dim_{i}" for i in range(len(shape)))
    chunk_shape = tuple(zarray["chunks"])
    store_fill = decode_fill(zarray.get("fill_value"), dtype)
    fill = decode_fill(attrs.pop("_FillValue", None), dtype)
    if fill is None:
        fill = attrs.get("missing_value")
    sep = zarray.get("dimension_separator", ".")
    codecs = [{"v2": zarray.get("compressor"), "filters": zarray.get("filters")}]
    order_ok = zarray.get("order", "C") == "C"
    return RawArray(
        name=name, dims=dims, shape=shape,
        dtype=dtype.name if dtype is not None else str(zarray["dtype"]),
        chunks=chunk_shape,
        # In v2 the store's fill value is also the CF one when no _FillValue says otherwise
        # (xarray reads it the same way).
        fill_value=fill if fill is not None else store_fill,
        attrs={k: plain(v) for k, v in attrs.items()},
        chunks_written=listing.chunk_count(name) if listing is not None else None,
        unwritten=store_fill if store_fill is not None else 0,
        load=chunk_loader(path, name, shape, chunk_shape, dtype, store_fill,
                          codecs if order_ok else None, "", sep, version=2),
        source=ZarrSource(group, name),
    )
