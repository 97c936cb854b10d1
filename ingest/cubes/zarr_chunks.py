"""Reading zarr arrays: small ones chunk by chunk with numcodecs, any selection with zarr.

Coordinates (and the small arrays ingest checks for "all fill") are read straight from their
chunk files when their codec pipeline is plain (v3: ``bytes`` then one of zstd/blosc/gzip;
v2: one compressor, no filters, C order): no zarr group to open, no event loop. Anything
else, and every data read, goes through the zarr library (:class:`ZarrSource`), whose
asynchronous API lets :func:`~cubegraph.ingest.cubes.reads.read_many` decompress the chunks
of many arrays together.
"""

from __future__ import annotations

import threading
import warnings
from pathlib import Path

import numpy as np

from cubegraph.ingest.cubes.journal import active_journal, hashing_store, record_read
from cubegraph.ingest.cubes.raw import ArraySource
from cubegraph.ingest.errors import CubeReadError

__all__ = ["chunk_loader", "ZarrGroup", "ZarrSource"]


def chunk_loader(path, name, shape, chunk_shape, dtype, fill, codecs, prefix, sep, *, version):
    """A function reading a whole (small) array chunk by chunk (see the module docstring)."""

    def load() -> np.ndarray:
        decoder = _simple_decoder(codecs, version) if dtype is not None and codecs else None
        if decoder is None:
            return _zarr_fallback(path, name, version)
        journal = active_journal()
        if journal is not None:
            journal.record_array(path, name)
        return _read_chunks(path, name, shape, chunk_shape, dtype, fill, decoder, prefix, sep)

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


def _read_chunks(root, name, shape, chunk_shape, dtype, fill, decode, prefix, sep) -> np.ndarray:
    folder = root / name

    def read(key: str) -> bytes:
        data = (folder / key).read_bytes()
        record_read(root, f"{name}/{key}", data)  # for a run's journal, when one is open
        return data

    def decoded(key: str, dt, shape) -> np.ndarray:
        try:
            return decode(read(key), dt).reshape(shape)
        except CubeReadError:
            raise
        except Exception as exc:  # codecs raise RuntimeError, ValueError...: a bad chunk
            raise CubeReadError(f"zarr store '{root}': chunk {name}/{key} cannot be read or "
                                f"decoded ({type(exc).__name__}: {exc}); the store is "
                                "damaged") from exc

    if shape and tuple(shape) == tuple(chunk_shape):  # one chunk (most coordinates): no copy
        key = prefix + sep.join("0" for _ in shape)
        if (folder / key).is_file():
            return decoded(key, dtype, shape)  # read-only view
    out = np.full(shape, fill if fill is not None else 0, dtype=dtype) if shape else None
    if not shape:  # 0-d array: one chunk, key "c" (v3) or "0" (v2)
        key = prefix.rstrip(sep) if prefix else "0"
        if not (folder / key).is_file():
            return np.asarray(fill if fill is not None else 0, dtype=dtype)
        return decoded(key, dtype, ())
    grid = [range(-(-s // c)) for s, c in zip(shape, chunk_shape)]
    for index in np.ndindex(*[len(g) for g in grid]):
        key = prefix + sep.join(str(i) for i in index)
        if not (folder / key).is_file():
            continue  # never written: stays at the fill value
        block = decoded(key, dtype, chunk_shape)
        sel = tuple(slice(i * c, min((i + 1) * c, s)) for i, c, s in zip(index, chunk_shape, shape))
        out[sel] = block[tuple(slice(0, sl.stop - sl.start) for sl in sel)]
    return out


def _zarr_fallback(path: Path, name: str, version: int) -> np.ndarray:
    import zarr

    return np.asarray(zarr.open_array(str(path / name), mode="r", zarr_format=version)[...])


class ZarrGroup:
    """A store's zarr group, opened on the first data read and shared by its arrays."""

    def __init__(self, path: Path, version: int):
        self.path, self.version = path, version
        self._group = None
        self._journal = None  # the read journal the group was opened for, if any
        self._arrays: dict = {}
        self._lock = threading.Lock()  # statistics read arrays from dask's threads

    def array(self, name: str):
        """The opened zarr array ``name`` (opened once).

        The group is opened on a store that hashes every piece it reads when a read
        journal is open then (:mod:`~cubegraph.ingest.cubes.journal`): a training run's.
        """
        with self._lock:
            journal = active_journal()
            if self._group is None or self._journal is not journal:
                import zarr

                store = (str(self.path) if journal is None
                         else hashing_store(self.path, journal))
                with warnings.catch_warnings():
                    # zarr 3 warns that consolidated metadata is not in the v3 spec;
                    # reading it is still the fast path, and not the user's to act on.
                    warnings.simplefilter("ignore", UserWarning)
                    self._group = zarr.open_group(store, mode="r", zarr_format=self.version)
                self._journal, self._arrays = journal, {}
            if journal is not None:
                journal.record_array(self.path, name)
            if name not in self._arrays:
                self._arrays[name] = self._group[name]
            return self._arrays[name]


class ZarrSource(ArraySource):
    """Selections of one zarr array, through the zarr library (any codec, sharding)."""

    concurrent = True

    def __init__(self, group: ZarrGroup, name: str):
        self.group, self.name = group, name

    def prepare(self) -> None:
        # Opening calls zarr's synchronous API, which must not run on its own event loop.
        self.group.array(self.name)

    def read(self, selection: tuple) -> np.ndarray:
        return np.asarray(self.group.array(self.name)[selection])

    async def aread(self, selection: tuple) -> np.ndarray:
        return np.asarray(await self.group.array(self.name).async_array.getitem(selection))
