"""A journal of the stored bytes read: each piece's sha256, taken as it is read.

While a :func:`journal_reads` block is open, every stored piece the cube layer reads is
hashed on the way in and recorded by store and key: zarr chunk files and metadata
documents (through :class:`HashingStore` under the zarr library, and the direct chunk
reads of small arrays), and each NetCDF file a variable is read from (hashed in blocks
when first read from: the netCDF-C library reads the file itself, so its bytes are hashed
beside that read, not inside it). A training run opens one around its reads, so its
record says exactly which bytes it learned from (:mod:`cubegraph.ml.runner`), and its
audit can hash those bytes again.

One journal is active at a time, process-wide: zarr reads on its own event-loop thread,
where a context variable set by the caller would not be seen.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cubegraph.kg.records.content import ZARR_ALGORITHM, ContentDigest

__all__ = ["ReadJournal", "journal_reads", "active_journal", "record_read", "hashing_store"]


class ReadJournal:
    """What was read, by store: ``{store path: {key: sha256 hex}}``, plus the arrays each
    read came from and the single files (NetCDF) read from, as content digests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._file_locks: dict[str, threading.Lock] = {}
        self.pieces: dict[str, dict[str, str]] = {}
        self.arrays: dict[str, set[str]] = {}
        self.files: dict[str, ContentDigest] = {}

    def record(self, root: str | Path, key: str, data) -> None:
        """Record one whole stored piece (``data``: bytes-like) of the store at ``root``."""
        digest = hashlib.sha256(data).hexdigest()
        with self._lock:
            self.pieces.setdefault(_key(root), {})[key] = digest

    def record_array(self, root: str | Path, name: str) -> None:
        with self._lock:
            self.arrays.setdefault(_key(root), set()).add(name)

    def record_whole(self, root: str | Path, key: str) -> None:
        """A byte range of a piece was read (a shard of a sharded array): the whole piece is
        hashed from disk, once, so the record still names whole pieces an audit can check."""
        with self._lock:
            if key in self.pieces.get(_key(root), {}):
                return
        from cubegraph.ingest.content import hash_file  # content imports this package

        with self._once(f"{_key(root)}\n{key}"):
            with self._lock:
                if key in self.pieces.get(_key(root), {}):
                    return
            digest = hash_file(Path(root) / key)
            with self._lock:
                self.pieces.setdefault(_key(root), {})[key] = digest

    def record_file(self, path: str | Path) -> None:
        """A single file read from (NetCDF): its content digest, once per journal (readers
        on several threads wait for the one hashing it)."""
        key = _key(path)
        from cubegraph.ingest.content import digest_content  # content imports this package

        with self._once(key):
            with self._lock:
                if key in self.files:
                    return
            digest = digest_content(key, workers=1)
            with self._lock:
                self.files[key] = digest

    def _once(self, name: str) -> threading.Lock:
        with self._lock:
            return self._file_locks.setdefault(name, threading.Lock())

    def digest_of(self, path: str | Path) -> ContentDigest | None:
        """The digest of what was read from the cube at ``path``: the pieces read, grouped
        by array like an ingest digest (``None`` when nothing of it was read)."""
        from cubegraph.ingest.content import zarr_part_of

        key = _key(path)
        with self._lock:
            if key in self.files:
                return self.files[key]
            pieces = dict(self.pieces.get(key, {}))
            arrays = set(self.arrays.get(key, ()))
        if not pieces:
            return None
        leaves: dict[str, dict[str, str]] = {}
        for rel, digest in pieces.items():
            leaves.setdefault(zarr_part_of(rel, arrays), {})[rel] = digest
        return ContentDigest(ZARR_ALGORITHM, leaves)


_active: ReadJournal | None = None
_active_lock = threading.Lock()


@contextmanager
def journal_reads() -> Iterator[ReadJournal]:
    """Record every stored piece read until the block ends.

    Raises:
        RuntimeError: another journal is already open (one at a time, process-wide).
    """
    global _active
    journal = ReadJournal()
    with _active_lock:
        if _active is not None:
            raise RuntimeError("a read journal is already open in this process")
        _active = journal
    try:
        yield journal
    finally:
        with _active_lock:
            _active = None


def active_journal() -> ReadJournal | None:
    """The open journal, if any."""
    return _active


def record_read(root: str | Path, key: str, data) -> None:
    """Record a whole piece read directly from a store, when a journal is open."""
    journal = _active
    if journal is not None:
        journal.record(root, key, data)


def _key(path: str | Path) -> str:
    return os.path.abspath(os.fspath(path))


def hashing_store(root: Path, journal: ReadJournal):
    """A read-only zarr ``LocalStore`` on ``root`` that records every piece it returns."""
    from zarr.storage import LocalStore

    class HashingStore(LocalStore):
        async def get(self, key, prototype=None, byte_range=None):
            buf = await super().get(key, prototype, byte_range)
            if buf is not None:
                # hashlib releases the GIL: hash off the event loop, as the read was
                if byte_range is None:
                    await asyncio.to_thread(journal.record, root, key, buf.as_numpy_array())
                else:
                    await asyncio.to_thread(journal.record_whole, root, key)
            return buf

    return HashingStore(root, read_only=True)

