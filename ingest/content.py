"""Computing content digests from disk: every stored byte hashed, in parallel, streaming.

The digest's shape (leaves, parts, root) and its comparison live in
:mod:`cubegraph.kg.records.content`; this module reads the bytes:

- a **zarr store**: every file under it is a leaf (its sha256, read as stored); a chunk
  file belongs to the part of the array whose folder holds it, a metadata document to
  ``"(metadata)"``;
- a **NetCDF-4 file** (HDF5): every stored chunk of every variable is a leaf of that
  variable's part, keyed by its chunk index and byte range (read from the file's chunk
  index with h5py), and every other byte range of the file (HDF5 metadata, headers) a leaf
  of ``"(metadata)"`` in blocks of at most :data:`BLOCK_SIZE`: every byte is hashed once,
  and a change is located to a variable and a chunk;
- any **other single file** (a classic NetCDF file, or an HDF5 file with over
  :data:`MAX_CHUNKS` chunks): fixed blocks of :data:`BLOCK_SIZE` bytes are the leaves of one
  ``"(file)"`` part, keyed by their byte range, so a change is located to a range.

Files are hashed by a small thread pool (``hashlib`` and file reads release the GIL), each
streamed in pieces of at most :data:`PIECE` bytes, so memory stays flat whatever the chunk
size. A tqdm bar counts bytes when asked.

When a cube is hashed is a policy (:func:`wants_content`): always with ``"content"``,
never with ``"metadata"``, and with ``"auto"`` (the default) when the cube's stored size is
at most :data:`AUTO_LIMIT`, so ingesting a huge cube stays a metadata-only operation unless
asked. The graph records which (``cg:checksumLevel``).
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from cubegraph.ingest.cubes.hdf5_layout import stored_chunks
from cubegraph.ingest.errors import IngestError
from cubegraph.ingest.fingerprint import ZARR_METADATA_FILES, StoreListing, list_zarr_store
from cubegraph.kg.records.content import (
    FILE_PART,
    HDF5_ALGORITHM,
    METADATA_PART,
    NETCDF_ALGORITHM,
    ZARR_ALGORITHM,
    ContentDigest,
    byte_range,
)

__all__ = ["digest_content", "digest_files", "rehash", "hash_file", "wants_content",
           "CHECKSUM_MODES", "AUTO_LIMIT", "BLOCK_SIZE", "zarr_part_of"]

#: ``ingest --checksum``: hash content always, never, or below :data:`AUTO_LIMIT`.
CHECKSUM_MODES = ("auto", "content", "metadata")
#: Cubes up to this stored size are content-hashed by default (1 GiB: about a second or
#: two of hashing on one core, against a metadata-only read of a few milliseconds).
AUTO_LIMIT = 1 << 30
#: Leaf size of a single-file tree: small enough to locate a change, large enough that a
#: 2 GB file has a manifest of ~2,000 leaves.
BLOCK_SIZE = 1 << 20
#: An HDF5 file with more stored chunks than this is hashed in blocks instead: its manifest
#: would outgrow a literal, and opening the file once per tiny chunk would dominate.
MAX_CHUNKS = 100_000
#: Below this many bytes of chunks a store is hashed in the calling thread: a thread pool
#: costs more than it saves on a few small files.
_PARALLEL_MIN = 4 << 20
#: Read size while streaming a file into its hash.
PIECE = 4 << 20
#: A progress bar is shown (when asked) only for cubes this large: a bar per small cube
#: inside a batch's bar would only flicker.
PROGRESS_MIN = 64 << 20


_ARRAY_NODE = re.compile(rb'"node_type"\s*:\s*"array"')


class ChecksumModeError(IngestError):
    """An unknown ``--checksum`` mode."""


def wants_content(mode: str, byte_size: int) -> bool:
    """Whether a cube of ``byte_size`` stored bytes is content-hashed under ``mode``.

    Raises:
        ChecksumModeError: ``mode`` is not one of :data:`CHECKSUM_MODES`.
    """
    if mode not in CHECKSUM_MODES:
        raise ChecksumModeError(f"unknown checksum mode {mode!r}: use one of "
                                + ", ".join(CHECKSUM_MODES))
    return mode == "content" or (mode == "auto" and byte_size <= AUTO_LIMIT)


def hash_file(path: str | Path, start: int = 0, length: int | None = None) -> str:
    """sha256 hex of ``length`` bytes of a file from ``start`` (to the end when ``None``),
    streamed through this thread's reused buffer.

    Raises:
        OSError: the file cannot be read.
    """
    return _hash(path, start, length)[0]


def _hash(path, start: int, length: int | None) -> tuple[str, int]:
    """(sha256 hex, bytes hashed). A file larger than one buffer is announced to the
    kernel as read once, start to end (``posix_fadvise``), so it reads ahead while the
    previous piece is hashed: from a disk, hashing then costs little more than reading.
    Small files skip the announcement (two system calls that would cost more than they
    save)."""
    h = hashlib.sha256()
    view = _buffer()
    total = 0
    # Never block on a FIFO or device that sits among the chunk files: regular files only.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"'{path}' is not a regular file")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    with open(fd, "rb", buffering=0) as fh:
        if start:
            fh.seek(start)
        left = length
        while left is None or left > 0:
            want = view if left is None or left >= len(view) else view[:left]
            n = fh.readinto(want)
            if not n:
                break
            rest = None if left is None else left - n
            if total == 0 and n == len(view) and _FADVISE and rest != 0:
                os.posix_fadvise(fd, start + n, rest or 0, os.POSIX_FADV_SEQUENTIAL)
                os.posix_fadvise(fd, start + n, rest or 0, os.POSIX_FADV_WILLNEED)
            h.update(want[:n])
            total += n
            if left is not None:
                left -= n
    return h.hexdigest(), total


_FADVISE = hasattr(os, "posix_fadvise")
_local = threading.local()


def _buffer() -> memoryview:
    """This thread's read buffer: allocated once, so a store of many small chunk files does
    not pay a fresh multi-megabyte allocation per file."""
    view = getattr(_local, "view", None)
    if view is None:
        view = _local.view = memoryview(bytearray(PIECE))
    return view


def zarr_part_of(rel: str, arrays: Iterable[str]) -> str:
    """The part a file of a zarr store belongs to: the innermost array folder holding it,
    or ``"(metadata)"`` for a metadata document (or a file outside every array)."""
    name = rel.rsplit("/", 1)[-1]
    if name in ZARR_METADATA_FILES:
        return METADATA_PART
    best = None
    for array in arrays:
        if rel.startswith(array + "/") and (best is None or len(array) > len(best)):
            best = array
    return best if best is not None else METADATA_PART


def digest_content(path: str | Path, *, workers: int = 2, progress: bool = False,
                   listing: StoreListing | None = None) -> ContentDigest:
    """The content digest of a zarr store (a folder) or a single file.

    Args:
        listing: the store's listing when the caller has just made one (ingest has):
            its metadata documents are hashed from memory and its files not listed again.

    Raises:
        IngestError: the path does not exist or a file cannot be read (naming it).
    """
    path = Path(path)
    if not path.exists():
        raise IngestError(f"'{path}' does not exist")
    if path.is_dir():
        return _digest_store(path, workers=workers, progress=progress, listing=listing)
    return _digest_file(path, workers=workers, progress=progress)


def digest_files(tasks: list[tuple[str, str, Path, int, int | None]], *, workers: int = 2,
                 progress: bool = False, label: str = "hashing"
                 ) -> tuple[dict[str, dict[str, str]], int]:
    """Hash many (part, key, file, start, length) pieces in a thread pool.

    Returns:
        ``(part -> {key -> sha256 hex}, bytes hashed)``.

    Raises:
        IngestError: a file cannot be read (naming it).
    """
    out: dict[str, dict[str, str]] = {}
    bar = None
    if progress:
        total = sum(length if length is not None else _size(p) for _, _, p, _, length in tasks)
        if total >= PROGRESS_MIN:
            from tqdm import tqdm

            bar = tqdm(total=total, unit="B", unit_scale=True, desc=label, leave=False)

    def one(task):
        part, key, file, start, length = task
        try:
            return part, key, *_hash(file, start, length)
        except OSError as exc:
            raise IngestError(f"cannot read '{file}' to hash it: {exc}") from exc

    hashed = 0
    parallel = workers > 1 and len(tasks) >= 4
    pool = ThreadPoolExecutor(max_workers=workers) if parallel else None
    try:
        for part, key, digest, size in (pool.map(one, tasks) if pool else map(one, tasks)):
            out.setdefault(part, {})[key] = digest
            hashed += size
            if bar is not None:
                bar.update(size)
    finally:
        if bar is not None:
            bar.close()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    return out, hashed


def rehash(path: str | Path, digest: ContentDigest, *, workers: int = 2) -> ContentDigest:
    """Hash again exactly the leaves of ``digest`` (e.g. the chunks a run read) from the
    cube at ``path``; a leaf whose file is gone is left out (so :func:`differences` calls
    it gone).

    Raises:
        IngestError: a file exists but cannot be read.
    """
    path = Path(path)
    tasks = []
    for part, leaves in digest.leaves.items():
        for key in leaves:
            if _outside(key):
                continue  # a key that climbs out of the store names nothing of it: "gone"
            if digest.algorithm in (NETCDF_ALGORITHM, HDF5_ALGORITHM):
                first, last = byte_range(key) or (0, -1)
                if path.is_file() and path.stat().st_size > last >= first:
                    tasks.append((part, key, path, first, last - first + 1))
            elif (path / key).is_file():
                tasks.append((part, key, path / key, 0, None))
    leaves, hashed = digest_files(tasks, workers=workers)
    for part in digest.leaves:
        leaves.setdefault(part, {})
    return ContentDigest(digest.algorithm, leaves, hashed, digest.block_size)


def _outside(key: str) -> bool:
    return key.startswith("/") or ".." in key.split("/")


def _size(file: Path) -> int:
    try:
        return os.stat(file).st_size
    except OSError:
        return 0


def _digest_store(root: Path, *, workers: int, progress: bool,
                  listing: StoreListing | None) -> ContentDigest:
    if listing is None or listing.linked_folders:
        # The fingerprint's listing does not follow symlinked folders; zarr reads through
        # them, so the content is listed again, following them (once each).
        try:
            listing = list_zarr_store(root, follow_links=True)
        except OSError as exc:
            raise IngestError(f"cannot list '{root}' to hash it: {exc}") from exc
    arrays = [rel.rpartition("/")[0] for rel, body in listing.metadata.items()
              if "/" in rel and (rel.endswith("/.zarray") or (rel.endswith("/zarr.json")
                                                              and _ARRAY_NODE.search(body)))]
    leaves: dict[str, dict[str, str]] = {METADATA_PART: {}} if listing.metadata else {}
    for rel, body in listing.metadata.items():  # read by the listing already: from memory
        leaves.setdefault(zarr_part_of(rel, arrays), {})[rel] = hashlib.sha256(body).hexdigest()
    tasks = [(zarr_part_of(rel, arrays), rel, root / rel, 0, None) for rel in listing.chunks]
    # Threads pay off only when there are bytes to hash: a small store is hashed in this one.
    big = sum(listing.chunks.values()) >= _PARALLEL_MIN
    chunks, hashed = digest_files(tasks, workers=workers if big else 1, progress=progress,
                                  label=f"hashing {root.name}")
    for part, found in chunks.items():
        leaves.setdefault(part, {}).update(found)
    for array in arrays:  # an array with no chunk written (all fill) is still a part
        leaves.setdefault(array, {})
    meta_bytes = sum(len(b) for b in listing.metadata.values())
    return ContentDigest(ZARR_ALGORITHM, leaves, hashed + meta_bytes)


def _digest_file(path: Path, *, workers: int, progress: bool) -> ContentDigest:
    size = path.stat().st_size
    layout = stored_chunks(path, limit=MAX_CHUNKS)
    if layout is None:
        algorithm, block = NETCDF_ALGORITHM, BLOCK_SIZE
        tasks = [(FILE_PART, f"bytes {start}-{min(start + BLOCK_SIZE, size) - 1}", path, start,
                  min(BLOCK_SIZE, size - start)) for start in range(0, size, BLOCK_SIZE)]
    else:
        algorithm, block = HDF5_ALGORITHM, 0
        tasks = [(part, key, path, start, length) for part, key, start, length in layout]
        tasks += [(METADATA_PART, f"bytes {a}-{b - 1}", path, a, b - a)
                  for a, b in _gaps(((s, s + n) for _, _, s, n in layout), size)]
    leaves, hashed = digest_files(tasks, workers=workers, progress=progress,
                                  label=f"hashing {path.name}")
    if layout is not None:
        for part, *_ in layout:
            leaves.setdefault(part, {})
    return ContentDigest(algorithm, leaves or {FILE_PART: {}}, hashed, block)


def _gaps(ranges, size: int) -> list[tuple[int, int]]:
    """The ``[a, b)`` ranges of ``[0, size)`` no range covers, each at most BLOCK_SIZE."""
    out, at = [], 0
    for a, b in sorted(ranges):
        if a > at:
            out += _blocks(at, min(a, size))
        at = max(at, b)
    if at < size:
        out += _blocks(at, size)
    return out


def _blocks(a: int, b: int) -> list[tuple[int, int]]:
    return [(s, min(s + BLOCK_SIZE, b)) for s in range(a, b, BLOCK_SIZE)]
