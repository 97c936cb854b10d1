"""Where an HDF5 file (NetCDF-4) stores each chunk of each variable: its chunk index, read
with h5py, so content digests can name the variable and chunk a changed byte belongs to
(:mod:`cubegraph.ingest.content`)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["stored_chunks"]

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
