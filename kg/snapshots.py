"""Read-only snapshots of an embedded store, for reader processes beside a live writer.

Why: pyoxigraph opens a store read-only as a copy of the RocksDB state of that moment, and
says that opening one "while having an other process writing the database is undefined
behavior". Reader processes that re-opened the writer's own folder after each write saw it
both ways: each re-open replayed the write-ahead log, which grew with every write, so
queries slowed with the write history until every one timed out (figures: docs/endpoint.md,
``bench/soak_writes.py``), and a compaction could delete a table file a reader was about to
open ("Corruption: IO error: No such file … .sst").

How: a snapshot is a RocksDB checkpoint of the writer (:meth:`pyoxigraph.Store.backup`:
the memtable flushed, the table files hard-linked, no log to replay), in a folder of its
own that nothing writes to again. Readers open the newest snapshot read-only: defined
behaviour, and an open whose cost does not grow with the write history. A snapshot is taken
only when a reader needs one newer than the last (a burst of writes costs one), or when the
store's files were laid out anew since the last (RocksDB moves and merges table files in
the background after it opens and after writes: a snapshot taken before that reads
slower than the store itself, by a few percent on heavy queries, for as long as it is
used), and deleted once no reader holds it.
"""

from __future__ import annotations

import itertools
import shutil
import threading
import time
from pathlib import Path

from cubegraph.kg.embedded import EmbeddedStore

__all__ = ["LAYOUT_CHECK", "Snapshots"]

#: Seconds between two looks at the store's layout (a file read and a stat).
LAYOUT_CHECK = 1.0


class Snapshots:
    """The snapshots of one on-disk store, in a folder beside it (``.<store>.snapshots``).

    Args:
        store: the store, open read-write in this process.
    """

    def __init__(self, store: EmbeddedStore):
        if not store.persistent or store.read_only:
            raise ValueError("snapshots are of an on-disk store open for writing")
        self._store = store
        where = Path(store.location)
        self.folder = where.parent / f".{where.name}.snapshots"
        shutil.rmtree(self.folder, ignore_errors=True)  # a crashed server's leftovers
        self.folder.mkdir(parents=True)
        self._lock = threading.Lock()
        self._numbers = itertools.count()
        self._latest: tuple[int, str] | None = None  # (generation it holds, path)
        self._refs: dict[str, int] = {}  # path -> holders (a pending job, a worker)
        self._layout = None  # the store's layout when the newest was taken
        self._checked = 0.0  # when the layout was last looked at (time.monotonic)

    def acquire(self, generation: int) -> str:
        """Hold a snapshot with every write up to ``generation`` (the newest one when it
        does, else a new one) and return its path; :meth:`release` it when done.

        ``generation`` counts the writes committed so far: a snapshot labelled with the
        count read *before* it was taken holds at least those writes.

        Raises:
            StoreError: when the snapshot cannot be written.
        """
        with self._lock:
            if self._latest is None or self._latest[0] < generation or self._laid_out_anew():
                path = str(self.folder / f"{next(self._numbers):08d}")
                self._store.snapshot(path)
                self._layout = self._store.layout()
                held = max(generation, self._latest[0]) if self._latest is not None else generation
                previous, self._latest = self._latest, (held, path)
                self._refs[path] = 0
                if previous is not None:
                    self._drop_if_free(previous[1])
            path = self._latest[1]
            self._refs[path] += 1
            return path

    def _laid_out_anew(self) -> bool:
        """Whether the store's files were laid out anew since the newest snapshot (looked
        at once every :data:`LAYOUT_CHECK` seconds at most)."""
        now = time.monotonic()
        if now - self._checked < LAYOUT_CHECK:
            return False
        self._checked = now
        return self._store.layout() != self._layout

    def retain(self, path: str) -> None:
        """Hold ``path`` once more (a worker opening the snapshot a job brought)."""
        with self._lock:
            self._refs[path] += 1

    def release(self, path: str) -> None:
        """Let go of one hold on ``path``; a snapshot no one holds and no longer the newest
        is deleted."""
        with self._lock:
            if path in self._refs:
                self._refs[path] -= 1
                self._drop_if_free(path)

    def _drop_if_free(self, path: str) -> None:
        if self._refs.get(path) == 0 and (self._latest is None or self._latest[1] != path):
            shutil.rmtree(path, ignore_errors=True)
            del self._refs[path]

    def private_copy(self) -> Path:
        """A new snapshot no reader will see, for one process to open *read-write* (and
        change); the caller deletes it. Taken under the caller's write lock, it holds
        exactly the data the next write will see."""
        path = self.folder / f"private-{next(self._numbers):08d}"
        self._store.snapshot(path)
        return path

    def close(self) -> None:
        """Delete every snapshot (the readers are gone)."""
        with self._lock:
            shutil.rmtree(self.folder, ignore_errors=True)
            self._refs.clear()
            self._latest = None

    def __len__(self) -> int:
        return len(self._refs)
