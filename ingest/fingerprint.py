"""Content fingerprints: cheap to recompute, and equal exactly when a cube is unchanged.

A fingerprint decides whether re-ingesting a cube can be skipped, so it must (1) change when
anything a description depends on changes, (2) not change when only the file's mtime or
location changes, and (3) cost the same for a 1 MB and a 10 TB cube. What each recipe covers:

``zarr-metadata+listing/v1`` (zarr v2 and v3 stores)
    sha256 over, for every file under the store in sorted relative-path order: the metadata
    documents (``zarr.json``, ``.zarray``, ``.zattrs``, ``.zgroup``, ``.zmetadata``) byte for
    byte, and for every other file (a chunk) its relative path and its size. Chunk *contents*
    are not read: a rewrite of a chunk that keeps its compressed size is not seen. The cost
    grows with the number of files (one ``stat`` per chunk), never with bytes.

``netcdf-bytes/v1`` (NetCDF files up to 8 MiB)
    sha256 over the file size and every byte of the file.

``netcdf-sampled/v1`` (NetCDF files over 8 MiB)
    sha256 over the file size, the first 4 MiB (the classic header, or HDF5 superblock and
    metadata that NetCDF-4 writes first), the last 1 MiB and 32 blocks of 64 KiB spread evenly
    in between. About 7 MiB read whatever the size. A change that touches none of those bytes
    and keeps the size is not seen (documented limit; ``--force`` re-ingests).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "ZARR_METADATA_FILES",
    "StoreListing",
    "list_zarr_store",
    "fingerprint_zarr",
    "fingerprint_netcdf",
]

ZARR_METADATA_FILES = frozenset({"zarr.json", ".zarray", ".zattrs", ".zgroup", ".zmetadata"})

_SMALL_FILE = 8 * 1024 * 1024
_HEAD = 4 * 1024 * 1024
_TAIL = 1024 * 1024
_BLOCK = 64 * 1024
_BLOCKS = 32


@dataclass
class StoreListing:
    """One walk of a zarr store: metadata documents and chunk files with their sizes.

    Attributes:
        root: the store folder.
        metadata: relative path -> bytes of every metadata document.
        chunks: relative path -> size of every other file.
        linked_folders: symlinked folders met (followed only when asked).
    """

    root: Path
    metadata: dict[str, bytes] = field(default_factory=dict)
    chunks: dict[str, int] = field(default_factory=dict)
    linked_folders: list[str] = field(default_factory=list)

    @property
    def byte_size(self) -> int:
        return sum(len(b) for b in self.metadata.values()) + sum(self.chunks.values())

    def chunk_count(self, array: str) -> int:
        """How many chunk files lie under the array folder ``array``."""
        prefix = array.rstrip("/") + "/"
        return sum(1 for name in self.chunks if name.startswith(prefix))


def list_zarr_store(root: Path, *, follow_links: bool = False) -> StoreListing:
    """Walk a zarr store once, reading its metadata documents and sizing its chunks.

    Like ``os.walk`` (folders that cannot be listed are skipped, symlinked folders are not
    followed unless ``follow_links``, each real folder then walked once) but on
    ``os.scandir`` entries, which carry what ``os.walk`` would ask the file system again.
    Only regular files (or links to them) are listed.

    Raises:
        OSError: when a metadata file cannot be read or a chunk file sized.

    Speed seam: bypasses ``os.walk`` and a ``stat`` per file;
    ``tests/ingest/test_fast_paths.py::test_the_store_listing_is_what_os_walk_finds`` holds
    the listing equal to one built with ``os.walk`` (figure: docs/benchmarks.md).
    """
    listing = StoreListing(root)
    seen = {os.path.realpath(root)} if follow_links else None
    _walk(str(root), "", listing, seen)
    return listing


def _walk(folder: str, rel_dir: str, listing: StoreListing, seen: set[str] | None) -> None:
    try:
        with os.scandir(folder) as it:
            entries = list(it)
    except OSError:
        return
    folders = []
    for entry in entries:
        if entry.is_dir():
            if not entry.is_symlink():
                folders.append(entry)
            else:
                listing.linked_folders.append(rel_dir + entry.name)
                if seen is not None:
                    real = os.path.realpath(entry.path)
                    if real not in seen:  # a link cycle is walked once
                        seen.add(real)
                        folders.append(entry)
        elif entry.name in ZARR_METADATA_FILES:
            with open(entry.path, "rb") as fh:
                listing.metadata[rel_dir + entry.name] = fh.read()
        elif entry.is_file():
            listing.chunks[rel_dir + entry.name] = entry.stat().st_size
        else:
            listing.chunks[rel_dir + entry.name] = 0  # a socket, FIFO...: hashing says so
    for entry in sorted(folders, key=lambda e: e.name):
        _walk(entry.path, f"{rel_dir}{entry.name}/", listing, seen)


def fingerprint_zarr(listing: StoreListing) -> tuple[str, str]:
    """Fingerprint of a zarr store from its listing: ``(hex_sha256, algorithm)``."""
    digest = hashlib.sha256(b"cubegraph zarr-metadata+listing/v1\n")
    for rel in sorted(set(listing.metadata) | set(listing.chunks)):
        if rel in listing.metadata:
            body = listing.metadata[rel]
            digest.update(f"M {rel} {len(body)}\n".encode())
            digest.update(body)
        else:
            digest.update(f"C {rel} {listing.chunks[rel]}\n".encode())
    return digest.hexdigest(), "zarr-metadata+listing/v1"


def fingerprint_netcdf(path: Path) -> tuple[str, str]:
    """Fingerprint of a NetCDF file: ``(hex_sha256, algorithm)``; see the module docstring.

    Raises:
        OSError: when the file cannot be read.
    """
    size = path.stat().st_size
    with open(path, "rb") as fh:
        if size <= _SMALL_FILE:
            digest = hashlib.sha256(f"cubegraph netcdf-bytes/v1 {size}\n".encode())
            digest.update(fh.read())
            return digest.hexdigest(), "netcdf-bytes/v1"
        digest = hashlib.sha256(f"cubegraph netcdf-sampled/v1 {size}\n".encode())
        digest.update(fh.read(_HEAD))
        span = size - _HEAD - _TAIL
        for i in range(_BLOCKS):
            fh.seek(_HEAD + (span * i) // _BLOCKS)
            digest.update(fh.read(_BLOCK))
        fh.seek(size - _TAIL)
        digest.update(fh.read(_TAIL))
    return digest.hexdigest(), "netcdf-sampled/v1"
