"""Cube readers: one small class per storage format, found through a registry table.

A reader turns a path into a :class:`RawCube` (global attributes and, per array, its
dimensions, shape, dtype, chunking, fill value and attributes) without reading array data;
:func:`cubegraph.ingest.conventions.interpret` then applies the CF conventions to it. Only
1-D coordinate arrays (and 0-D scalars, and arrays small enough to check for "all fill") are
ever read, so the cost of cataloguing does not grow with the size of the data arrays.

Readers register in :data:`READERS` (``name -> (optional dependency, class)``), as xarray's
``BACKEND_ENTRYPOINTS`` do: a reader whose library is not installed is simply not listed by
:func:`installed_readers`, and :func:`reader_for` says which to install.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import numpy as np

from cubegraph.ingest.errors import CubeNotFound, CubeReadError, ReaderNotFound
from cubegraph.kg.records.cube_metadata import DistributionFacts
from cubegraph.ingest.fingerprint import (
    StoreListing,
    fingerprint_netcdf,
    fingerprint_zarr,
    list_zarr_store,
)

__all__ = [
    "RawArray",
    "RawCube",
    "CubeReader",
    "ZarrReader",
    "NetCDFReader",
    "READERS",
    "installed_readers",
    "reader_for",
    "read_metadata",
]

#: Arrays with at most this many elements are read whole to tell "all fill" cheaply.
SMALL_ARRAY = 100_000


@dataclass
class RawArray:
    """One array of a store as written, before any CF interpretation.

    Attributes:
        name: array name.
        dims: dimension names.
        shape: sizes.
        dtype: numpy dtype name.
        chunks: chunk shape, ``None`` when contiguous.
        fill_value: the CF ``_FillValue``/``missing_value`` or the store's fill value.
        attrs: attributes, decoded to plain Python values (``_FillValue`` removed).
        chunks_written: zarr: how many chunk files exist (``0`` means never written).
        load: reads the values (only ever called for coordinates and small arrays).
    """

    name: str
    dims: tuple[str, ...]
    shape: tuple[int, ...]
    dtype: str
    chunks: tuple[int, ...] | None
    fill_value: Any
    attrs: dict[str, Any]
    chunks_written: int | None = None
    load: Callable[[], np.ndarray] | None = None

    @property
    def size(self) -> int:
        return math.prod(self.shape)


@dataclass
class RawCube(DistributionFacts):
    """What a reader found: the distribution facts, global attributes and arrays."""

    attrs: dict[str, Any] = field(default_factory=dict)
    arrays: dict[str, RawArray] = field(default_factory=dict)
    dim_sizes: dict[str, int] = field(default_factory=dict)
    notes: list[tuple[str, str, str | None]] = field(default_factory=list)


class CubeReader(ABC):
    """Interface of a cube reader (one per storage format).

    Attributes:
        name: short engine name (``"zarr"``).
        description: one line for ``installed_readers``-style listings.
    """

    name: str = ""
    description: str = ""

    @abstractmethod
    def can_read(self, path: Path) -> bool:
        """Whether this reader recognises ``path`` (cheap: suffix and marker files only)."""

    @abstractmethod
    def read_raw(self, path: Path) -> RawCube:
        """Read the metadata of the cube at ``path``.

        Raises:
            CubeReadError: when the path is recognised but its metadata cannot be read.
        """

    def read_metadata(self, path: Path):
        """Read ``path`` and interpret it with the CF conventions: a ``CubeMetadata``.

        Raises:
            CubeReadError: see :meth:`read_raw`.
            EmptyCube: when the cube has no data variables.
        """
        from cubegraph.ingest.conventions import interpret  # same layer; avoids a cycle

        return interpret(self.read_raw(path))


# --- helpers shared by the readers ------------------------------------------------------------

_REPLACEMENT = "\ufffd"


def _plain(value: Any) -> Any:
    """Attribute value -> JSON-able Python (numpy scalars/arrays unwrapped, bytes decoded)."""
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value.decode("latin-1")
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return _plain(value.item())
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _check_text(owner: str, attrs: dict[str, Any], notes: list) -> None:
    # netCDF4 decodes text attributes as UTF-8 with replacement characters, so invalid
    # bytes show up as U+FFFD: say so instead of passing the damage on silently.
    for key, value in attrs.items():
        if isinstance(value, str) and _REPLACEMENT in value:
            where = "global attribute" if owner == "" else f"attribute of variable {owner!r}"
            notes.append(
                (
                    "non-utf8-attribute",
                    f"{where} {key!r} is not valid UTF-8: undecodable bytes were replaced by "
                    f"U+FFFD ({value!r}); re-encode the file's attributes as UTF-8",
                    owner or None,
                )
            )


# --- zarr ---------------------------------------------------------------------------------------


class ZarrReader(CubeReader):
    """Zarr v2 and v3 stores, read from their JSON metadata and file listing (no xarray).

    Reading the JSON documents directly is ~30x faster than ``xarray.open_zarr`` and needs no
    event loop; 1-D coordinates with plain codecs are decoded with numcodecs, anything else
    falls back to the zarr library.
    """

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
        try:
            listing = list_zarr_store(path)
        except OSError as exc:
            raise CubeReadError(f"zarr store '{path}': cannot be listed: {exc}") from exc
        notes: list = []
        docs = self._parse_all(path, listing, notes)
        fp, algo = fingerprint_zarr(listing)
        if "zarr.json" in docs:
            cube = self._read_v3(path, docs, listing)
        elif ".zgroup" in docs or ".zmetadata" in docs:
            cube = self._read_v2(path, docs, listing)
        else:
            raise CubeReadError(
                f"zarr store '{path}': no zarr.json (v3) or .zgroup/.zmetadata (v2) at its root; "
                "is this the store's top folder?"
            )
        cube.notes[:0] = notes
        cube.byte_size = listing.byte_size
        cube.fingerprint, cube.fingerprint_algorithm = fp, algo
        return cube

    def _parse_all(self, path: Path, listing: StoreListing, notes: list) -> dict[str, dict]:
        """Parse every metadata document; tolerate a broken one only where zarr would.

        zarr (and so xarray) reads consolidated metadata (v3: inside the root ``zarr.json``;
        v2: ``.zmetadata``) instead of the per-array documents when it is present, so a
        broken per-array document there does not stop them: it does not stop us either, but
        it is reported. Without consolidated metadata a broken document is an error.
        """
        root_names = ("zarr.json", ".zmetadata", ".zgroup", ".zattrs")
        docs = {rel: self._parse(path, rel, listing.metadata[rel])
                for rel in root_names if rel in listing.metadata}
        consolidated = ".zmetadata" in docs or bool(
            (docs.get("zarr.json") or {}).get("consolidated_metadata")
        )
        for rel, body in listing.metadata.items():
            if rel in docs:
                continue
            try:
                docs[rel] = self._parse(path, rel, body)
            except CubeReadError as exc:
                if not consolidated:
                    raise
                notes.append(
                    ("corrupt-metadata", f"{exc}; the consolidated metadata was used instead",
                     rel.split("/")[0])
                )
        return docs

    @staticmethod
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

    def _new_cube(self, path: Path, version: str, attrs: dict) -> RawCube:
        return RawCube(
            path=path,
            format="zarr",
            format_version=version,
            media_type="application/vnd+zarr",
            byte_size=0,
            fingerprint="",
            fingerprint_algorithm="",
            attrs={k: _plain(v) for k, v in attrs.items()},
        )

    # v3 ---------------------------------------------------------------------------------------
    def _read_v3(self, path: Path, docs: dict, listing: StoreListing) -> RawCube:
        root = docs["zarr.json"]
        if root.get("node_type") == "array":
            raise CubeReadError(
                f"zarr store '{path}': its root is a single array, not a group of variables; "
                "ingest the group that holds it"
            )
        cube = self._new_cube(path, "3", root.get("attributes") or {})
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
                cube.arrays[name] = self._array_v3(path, name, doc, listing)
            except (KeyError, TypeError, ValueError) as exc:
                raise CubeReadError(
                    f"zarr store '{path}': array '{name}' has unreadable metadata "
                    f"(zarr.json: {exc!r}); the store is corrupt"
                ) from exc
        return cube

    def _array_v3(self, path: Path, name: str, doc: dict, listing: StoreListing) -> RawArray:
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
        fill = _decode_fill(attrs.pop("_FillValue", None), dtype)
        if fill is None:
            fill = attrs.get("missing_value")
        store_fill = _decode_fill(doc.get("fill_value"), dtype)
        sep = (doc.get("chunk_key_encoding") or {}).get("configuration", {}).get("separator", "/")
        prefix = "c" + sep if (doc.get("chunk_key_encoding") or {}).get("name", "default") == "default" else ""
        arr = RawArray(
            name=name,
            dims=dims,
            shape=shape,
            dtype=dtype_name,
            chunks=chunk_shape,
            fill_value=fill,
            attrs={k: _plain(v) for k, v in attrs.items()},
            chunks_written=listing.chunk_count(name),
        )
        arr.load = _chunk_loader(
            path, name, shape, chunk_shape, dtype, store_fill, codecs, prefix, sep, version=3
        )
        return arr

    # v2 ---------------------------------------------------------------------------------------
    def _read_v2(self, path: Path, docs: dict, listing: StoreListing) -> RawCube:
        meta: dict[str, dict] = {}
        if ".zmetadata" in docs:
            meta = dict(docs[".zmetadata"].get("metadata") or {})
        else:
            meta = {rel: doc for rel, doc in docs.items()}
        # Same precedence as zarr: when .zmetadata exists it describes the store.
        cube = self._new_cube(path, "2", meta.get(".zattrs") or {})
        for rel in sorted(meta):
            parts = rel.split("/")
            if len(parts) != 2 or parts[1] != ".zarray":
                continue
            name = parts[0]
            try:
                cube.arrays[name] = self._array_v2(
                    path, name, meta[rel], meta.get(f"{name}/.zattrs") or {}, listing
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise CubeReadError(
                    f"zarr store '{path}': array '{name}' has unreadable metadata "
                    f"(.zarray: {exc!r}); the store is corrupt"
                ) from exc
        return cube

    def _array_v2(self, path, name, zarray, zattrs, listing) -> RawArray:
        attrs = dict(zattrs)
        shape = tuple(int(s) for s in zarray["shape"])
        dtype = np.dtype(zarray["dtype"]) if isinstance(zarray["dtype"], str) else None
        dims = tuple(attrs.pop("_ARRAY_DIMENSIONS", None) or ())
        if len(dims) != len(shape):
            dims = tuple(f"{name}_dim_{i}" for i in range(len(shape)))
        chunk_shape = tuple(zarray["chunks"])
        store_fill = _decode_fill(zarray.get("fill_value"), dtype)
        fill = _decode_fill(attrs.pop("_FillValue", None), dtype)
        if fill is None:
            fill = attrs.get("missing_value")
        sep = zarray.get("dimension_separator", ".")
        codecs = [{"v2": zarray.get("compressor"), "filters": zarray.get("filters")}]
        arr = RawArray(
            name=name,
            dims=dims,
            shape=shape,
            dtype=dtype.name if dtype is not None else str(zarray["dtype"]),
            chunks=chunk_shape,
            fill_value=fill if fill is not None else store_fill,
            attrs={k: _plain(v) for k, v in attrs.items()},
            chunks_written=listing.chunk_count(name),
        )
        order_ok = zarray.get("order", "C") == "C"
        arr.load = _chunk_loader(
            path, name, shape, chunk_shape, dtype, store_fill, codecs if order_ok else None,
            "", sep, version=2,
        )
        return arr


def _decode_fill(value: Any, dtype: np.dtype | None) -> Any:
    """A zarr fill value as a Python number (``"NaN"`` strings and base64 bytes decoded)."""
    if value is None:
        return None
    if isinstance(value, str):
        if value in ("NaN", "nan"):
            return float("nan")
        if value in ("Infinity", "-Infinity"):
            return float(value.replace("Infinity", "inf"))
        if dtype is not None and dtype.kind in "fiub":
            # xarray writes a CF _FillValue into zarr v3 attributes as base64 of its bytes.
            try:
                raw = base64.b64decode(value, validate=True)
                if len(raw) == dtype.itemsize:
                    return np.frombuffer(raw, dtype=dtype)[0].item()
                if dtype.kind == "f" and len(raw) in (4, 8):
                    return np.frombuffer(raw, dtype=f"<f{len(raw)}")[0].item()
            except (ValueError, TypeError):
                return value
        return value
    return _plain(value)


def _chunk_loader(path, name, shape, chunk_shape, dtype, fill, codecs, prefix, sep, *, version):
    """A function reading a whole (small) array chunk by chunk.

    Plain pipelines (v3: ``bytes`` then one of zstd/blosc/gzip; v2: one compressor, no
    filters, C order) are decoded with numcodecs directly; anything else goes to zarr.
    """

    def load() -> np.ndarray:
        decoder = _simple_decoder(codecs, version) if dtype is not None and codecs else None
        if decoder is None:
            return _zarr_fallback(path, name, version)
        return _read_chunks(path / name, shape, chunk_shape, dtype, fill, decoder, prefix, sep)

    return load


def _simple_decoder(codecs, version):
    import numcodecs

    if version == 2:
        entry = codecs[0]
        if entry.get("filters"):
            return None
        comp = entry.get("v2")
        if comp is None:
            return lambda b, dt: np.frombuffer(b, dtype=dt)
        codec = numcodecs.get_codec(dict(comp))
        return lambda b, dt: np.frombuffer(codec.decode(b), dtype=dt)
    if not codecs or codecs[0].get("name") != "bytes":
        return None
    endian = (codecs[0].get("configuration") or {}).get("endian", "little")
    rest = codecs[1:]
    if len(rest) > 1:
        return None
    codec = None
    if rest:
        spec = rest[0]
        conf = dict(spec.get("configuration") or {})
        if spec.get("name") == "zstd":
            codec = numcodecs.Zstd(level=conf.get("level", 0))
        elif spec.get("name") == "gzip":
            codec = numcodecs.GZip(level=conf.get("level", 5))
        elif spec.get("name") == "blosc":
            codec = numcodecs.Blosc()  # decoding needs no parameters
        else:
            return None

    def decode(buf: bytes, dt: np.dtype) -> np.ndarray:
        data = codec.decode(buf) if codec else buf
        return np.frombuffer(data, dtype=dt.newbyteorder("<" if endian == "little" else ">"))

    return decode


def _read_chunks(folder, shape, chunk_shape, dtype, fill, decode, prefix, sep) -> np.ndarray:
    if shape and tuple(shape) == tuple(chunk_shape):  # one chunk (most coordinates): no copy
        key = folder / (prefix + sep.join("0" for _ in shape))
        if key.is_file():
            return decode(key.read_bytes(), dtype).reshape(shape)  # read-only view
    out = np.full(shape, fill if fill is not None else 0, dtype=dtype) if shape else None
    if not shape:  # 0-d array: one chunk, key "c" (v3) or "0" (v2)
        key = folder / (prefix.rstrip(sep) if prefix else "0")
        if not key.is_file():
            return np.asarray(fill if fill is not None else 0, dtype=dtype)
        return decode(key.read_bytes(), dtype).reshape(())
    grid = [range(-(-s // c)) for s, c in zip(shape, chunk_shape)]
    for index in np.ndindex(*[len(g) for g in grid]):
        key = folder / (prefix + sep.join(str(i) for i in index))
        if not key.is_file():
            continue  # never written: stays at the fill value
        block = decode(key.read_bytes(), dtype).reshape(chunk_shape)
        sel = tuple(slice(i * c, min((i + 1) * c, s)) for i, c, s in zip(index, chunk_shape, shape))
        out[sel] = block[tuple(slice(0, sl.stop - sl.start) for sl in sel)]
    return out


def _zarr_fallback(path: Path, name: str, version: int) -> np.ndarray:
    import zarr

    return np.asarray(zarr.open_array(str(path / name), mode="r", zarr_format=version)[...])


# --- NetCDF -----------------------------------------------------------------------------------


class NetCDFReader(CubeReader):
    """NetCDF-3 and NetCDF-4 files, read through netCDF4 (headers only; data stays lazy).

    netCDF4 is used directly rather than through xarray: it gives the raw attributes, the
    storage chunking and the on-disk dtype without any CF decoding, which
    :mod:`cubegraph.ingest.conventions` does itself (so undecodable time units become a
    warning, not a failure).
    """

    name = "netcdf"
    description = "NetCDF-3 (classic, 64-bit offset) and NetCDF-4/HDF5 files (.nc, .nc4, .cdf)"
    _SUFFIXES = (".nc", ".nc4", ".netcdf", ".cdf", ".h5", ".hdf5")
    _MAGIC = (b"CDF\x01", b"CDF\x02", b"CDF\x05", b"\x89HDF\r\n\x1a\n")

    def can_read(self, path: Path) -> bool:
        if not path.is_file():
            return False
        if path.suffix.lower() in self._SUFFIXES:
            return True
        with open(path, "rb") as fh:
            return fh.read(8).startswith(self._MAGIC)

    def read_raw(self, path: Path) -> RawCube:
        import netCDF4

        with open(path, "rb") as fh:
            head = fh.read(8)
        if not head.startswith(self._MAGIC):
            raise CubeReadError(
                f"'{path}' has a NetCDF name but is not a NetCDF file (it starts with "
                f"{head[:4]!r}, not 'CDF' or the HDF5 signature)"
            )
        try:
            ds = netCDF4.Dataset(str(path), mode="r")
        except OSError as exc:
            raise CubeReadError(f"NetCDF file '{path}' cannot be opened: {exc}") from exc
        fp, algo = fingerprint_netcdf(path)
        try:
            ds.set_auto_mask(True)
            cube = RawCube(
                path=path,
                format="netcdf",
                format_version=ds.data_model,
                media_type="application/netcdf",
                byte_size=path.stat().st_size,
                fingerprint=fp,
                fingerprint_algorithm=algo,
                attrs={k: _plain(ds.getncattr(k)) for k in ds.ncattrs()},
                dim_sizes={name: len(dim) for name, dim in ds.dimensions.items()},
            )
            _check_text("", cube.attrs, cube.notes)
            if ds.groups:
                cube.notes.append(
                    ("nested-group", f"groups {sorted(ds.groups)} ignored: only the root is read", None)
                )
            for name, var in ds.variables.items():
                attrs = {k: _plain(var.getncattr(k)) for k in var.ncattrs()}
                _check_text(name, attrs, cube.notes)
                fill = attrs.pop("_FillValue", None)
                if fill is None:
                    fill = attrs.get("missing_value")
                chunking = var.chunking() if ds.data_model.startswith("NETCDF4") else "contiguous"
                dtype = var.dtype if isinstance(var.dtype, np.dtype) else np.dtype(object)
                cube.arrays[name] = RawArray(
                    name=name,
                    dims=tuple(var.dimensions),
                    shape=tuple(int(s) for s in var.shape),
                    dtype="str" if dtype.kind in "OSU" else dtype.name,
                    chunks=None if chunking in ("contiguous", None) else tuple(chunking),
                    fill_value=_plain(fill),
                    attrs=attrs,
                    load=_netcdf_loader(path, name),
                )
        finally:
            ds.close()
        return cube


def _netcdf_loader(path: Path, name: str):
    def load() -> np.ndarray:
        import netCDF4

        with netCDF4.Dataset(str(path), mode="r") as ds:
            var = ds.variables[name]
            var.set_auto_maskandscale(False)
            var.set_auto_chartostring(False)
            return np.asarray(var[...])

    return load


# --- registry ---------------------------------------------------------------------------------

#: name -> (module that must be importable, reader class). Order is the probing order.
READERS: dict[str, tuple[str, type[CubeReader]]] = {
    "zarr": ("numcodecs", ZarrReader),
    "netcdf": ("netCDF4", NetCDFReader),
}


def installed_readers() -> dict[str, CubeReader]:
    """Readers whose optional dependency is importable, by name."""
    return {name: cls() for name, (module, cls) in READERS.items() if _importable(module)}


@lru_cache(maxsize=None)
def _importable(module: str) -> bool:
    # Asked once per process: importlib's search costs ~0.1 ms, and reader_for runs per cube.
    return importlib.util.find_spec(module) is not None


def reader_for(path: str | Path) -> CubeReader:
    """The first installed reader that recognises ``path``.

    Raises:
        CubeNotFound: when ``path`` does not exist.
        ReaderNotFound: when no installed reader recognises it; the message lists the
            installed readers and the ones a missing library would enable.
    """
    path = Path(path)
    if not path.exists():
        raise CubeNotFound(f"'{path}' does not exist")
    installed = installed_readers()
    for reader in installed.values():
        if reader.can_read(path):
            return reader
    missing = [f"install {module} to enable {name!r}" for name, (module, _) in READERS.items()
               if name not in installed]
    hint = f"; {'; '.join(missing)}" if missing else ""
    kind = "folder" if path.is_dir() else "file"
    raise ReaderNotFound(
        f"no reader can open {kind} '{path}': installed readers are {sorted(installed)} "
        f"(zarr stores are folders with zarr.json or .zgroup; NetCDF files end in .nc){hint}"
    )


def read_metadata(path: str | Path):
    """Read the metadata of the cube at ``path`` with the reader that recognises it.

    Raises:
        CubeNotFound, ReaderNotFound, CubeReadError, EmptyCube: see :func:`reader_for` and
            :meth:`CubeReader.read_metadata`.
    """
    path = Path(path).absolute()
    return reader_for(path).read_metadata(path)
