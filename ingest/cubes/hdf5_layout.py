"""Where an HDF5 file (NetCDF-4) stores each chunk of each variable: its chunk index, read
with h5py, so content digests can name the variable and chunk a changed byte belongs to
(:mod:`cubegraph.ingest.content`); and, when netCDF-C cannot read a file (it says only
"NetCDF: HDF error"), which part of its HDF5 structure is damaged (:func:`damage`,
:func:`read_damage`), so the error can say what was being read.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["stored_chunks", "damage", "read_damage"]

_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def stored_chunks(path: Path, *, limit: int) -> list[tuple[str, str, int, int]] | None:
    """``(variable, key, start, length)`` of every stored chunk of an HDF5 file's datasets
    (a contiguous dataset is one range), or ``None`` when the file is not HDF5, cannot be
    read by h5py, or holds more than ``limit`` chunks."""
    with open(path, "rb") as fh:
        if fh.read(8) != _HDF5_SIGNATURE:
            return None
    import h5py

    pieces: list[tuple[str, str, int, int]] = []

    def visit(name: str, obj) -> None:
        if not isinstance(obj, h5py.Dataset):
            return
        dsid = obj.id
        if obj.chunks:
            n = dsid.get_num_chunks()
            if len(pieces) + n > limit:
                raise _TooManyChunks
            for i in range(n):
                info = dsid.get_chunk_info(i)
                if info.byte_offset is None or not info.size:
                    continue
                index = ".".join(str(o // c) for o, c in zip(info.chunk_offset, obj.chunks))
                a = info.byte_offset
                pieces.append((name, f"{index or '0'} (bytes {a}-{a + info.size - 1})", a,
                               info.size))
        else:
            start, length = dsid.get_offset(), dsid.get_storage_size()
            if start is not None and length:  # None: never written (all fill)
                pieces.append((name, f"bytes {start}-{start + length - 1}", start, length))

    try:
        with h5py.File(path, "r") as f:
            f.visititems(visit)
    except (_TooManyChunks, OSError, RuntimeError, ValueError):
        return None  # the caller reads it as blocks: every byte is still hashed
    return pieces


class _TooManyChunks(Exception):
    pass


def damage(path: Path) -> tuple[str, str] | None:
    """The first part of an HDF5 file's metadata that cannot be read, and HDF5's reason
    (``("the header of variable 'lat'", "bad object header version number")``), walking
    it in the order netCDF-C opens it: superblock, root group, global attributes, then each
    variable's header, attributes and chunk index. ``None`` when h5py reads all of it."""
    import h5py

    try:
        f = h5py.File(path, "r")
    except (OSError, RuntimeError, ValueError) as exc:
        return "its superblock (the first bytes, which locate everything else)", _reason(exc)
    with f:
        try:
            names = list(f.keys())
        except (OSError, RuntimeError, ValueError, KeyError) as exc:
            return "the root group (its header and list of variables)", _reason(exc)
        problem = _attributes(f, "the global attributes")
        if problem:
            return problem
        for name in names:
            try:
                obj = f[name]
            except (OSError, RuntimeError, ValueError, KeyError) as exc:
                return f"the header of variable {name!r}", _reason(exc)
            problem = _attributes(obj, f"the attributes of variable {name!r}")
            if problem:
                return problem
            if isinstance(obj, h5py.Dataset) and obj.chunks:
                try:
                    obj.id.get_num_chunks()
                except (OSError, RuntimeError, ValueError) as exc:
                    return f"the chunk index of variable {name!r}", _reason(exc)
    return None


def read_damage(path: Path, variable: str, selection: tuple, *,
                limit: int = 10_000) -> tuple[str, str] | None:
    """Which stored chunk of ``variable`` within ``selection`` cannot be read, with HDF5's
    reason (``("chunk 2.0.0 at bytes 94583-135291", "filter returned failure during read")``),
    or the metadata :func:`damage` finds; ``None`` when h5py reads it all (or past ``limit``
    chunks). Only asked after a read failed, so its cost is the error path's."""
    import h5py

    problem = damage(path)
    if problem is not None:
        return problem
    try:
        with h5py.File(path, "r") as f:
            ds = f[variable]
            if not ds.chunks:
                ds[...]
                return None
            wanted = _ranges(selection, ds.shape)
            for i in range(min(ds.id.get_num_chunks(), limit)):
                info = ds.id.get_chunk_info(i)
                box = tuple(slice(o, min(o + c, n)) for o, c, n in zip(info.chunk_offset, ds.chunks, ds.shape))
                if not all(b.start < hi and lo < b.stop for b, (lo, hi) in zip(box, wanted)):
                    continue
                try:
                    ds[box]
                except (OSError, RuntimeError, ValueError) as exc:
                    index = ".".join(str(o // c) for o, c in zip(info.chunk_offset, ds.chunks))
                    a = info.byte_offset
                    return f"chunk {index or '0'} at bytes {a}-{a + info.size - 1}", _reason(exc)
    except (OSError, RuntimeError, ValueError, KeyError) as exc:
        return f"variable {variable!r}", _reason(exc)
    return None


def _attributes(obj, what: str) -> tuple[str, str] | None:
    try:
        for _ in obj.attrs.items():
            pass
    except (OSError, RuntimeError, ValueError, KeyError, TypeError) as exc:
        return what, _reason(exc)
    return None


def _ranges(selection: tuple, shape: tuple) -> list[tuple[int, int]]:
    """Each dimension's ``[lo, hi)`` a selection (slices, integers, index arrays) touches."""
    out = []
    for i, n in enumerate(shape):
        sel = selection[i] if i < len(selection) else slice(None)
        if isinstance(sel, slice):
            lo, hi, step = sel.indices(n)
            out.append((min(lo, hi), max(lo, hi) + 1) if step < 0 else (lo, hi))
        elif sel is Ellipsis or sel is None:
            out.append((0, n))
        else:
            import numpy as np

            idx = np.asarray(sel).reshape(-1) % max(n, 1)
            out.append((int(idx.min()), int(idx.max()) + 1) if idx.size else (0, 0))
    return out


def _reason(exc: BaseException) -> str:
    """HDF5's own words from an h5py error: ``Unable to ... (bad superblock version number)``
    -> ``bad superblock version number``."""
    text = str(exc.args[0]) if exc.args else str(exc)  # a KeyError's str() adds quotes
    found = re.search(r"\(([^()]*)\)\s*$", text)
    return found.group(1) if found else text
