"""Cursors: the pages of an answer cut at the row cap (issue 14).

An answer longer than ``--max-rows`` is cut; the query's run also keeps the whole result
(:mod:`cubegraph.kg.result_pages`) under a fresh cursor, and the cut answer links to its
second page (``Link: <…/sparql?cursor=ID&page=2>; rel="next"``, and in the body where the
format has room). ``GET /sparql?cursor=ID&page=N`` answers page N in the negotiated format,
linking to the next; every page comes from the same run, so the pages neither skip nor
repeat rows whatever is written meanwhile. A cursor unused for :data:`IDLE` seconds is
deleted (then 410 Gone: run the query again); at most :data:`KEEP` are kept, the least
recently used going first.
"""

from __future__ import annotations

import secrets
import shutil
import threading
import time
from pathlib import Path

__all__ = ["Cursors", "IDLE", "KEEP"]

#: Seconds a cursor lives after its last use.
IDLE = 600.0
#: Cursors kept at most (each a file of up to result_pages.MAX_BYTES).
KEEP = 32


class Cursors:
    """The kept results of one server, in ``folder`` (emptied at start and close)."""

    def __init__(self, folder: str | Path, *, fresh: bool = False):
        self.folder = Path(folder)
        if not fresh:  # a crashed server's leftovers (a folder just made is empty)
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder.mkdir(parents=True, mode=0o700)  # results are the readers' business
        self._prefix = str(self.folder) + "/"
        self._lock = threading.Lock()
        self._used: dict[str, float] = {}  # cursor id -> last use (time.monotonic)
        self._last_scan = time.monotonic()

    def reserve(self) -> tuple[str, str]:
        """A new cursor's id and the path where a query's run may keep its result."""
        cid = secrets.token_urlsafe(12)
        return cid, f"{self._prefix}{cid}.rows"

    def opened(self, cid: str) -> bool:
        """Register ``cid`` if its run kept a result (it was cut and not too heavy)."""
        if not self.path(cid).with_suffix(".json").exists():
            return False
        with self._lock:
            self._used[cid] = time.monotonic()
            self._sweep()
        return True

    def use(self, cid: str) -> str | None:
        """The path of cursor ``cid``'s result (its clock restarted), or None when it is
        unknown or expired."""
        with self._lock:
            self._sweep()
            if cid not in self._used:
                return None
            self._used[cid] = time.monotonic()
            return str(self.path(cid))

    def path(self, cid: str) -> Path:
        return Path(f"{self._prefix}{cid}.rows")

    def _sweep(self) -> None:
        now = time.monotonic()
        live = sorted((c for c, t in self._used.items() if now - t <= IDLE), key=self._used.get)
        keep = set(live[-KEEP:])  # the most recently used
        for cid in [c for c in self._used if c not in keep]:
            del self._used[cid]
            self._delete(cid)
        # results kept by runs whose answers never came back (stopped at the deadline, the
        # client gone): never registered, deleted once as old as an expired cursor
        if now - self._last_scan > IDLE / 10:
            self._last_scan = now
            cutoff = time.time() - IDLE
            for path in self.folder.glob("*.rows"):
                try:
                    if path.stem not in self._used and path.stat().st_mtime < cutoff:
                        self._delete(path.stem)
                except OSError:
                    pass

    def _delete(self, cid: str) -> None:
        for suffix in (".rows", ".json"):
            self.path(cid).with_suffix(suffix).unlink(missing_ok=True)

    def close(self) -> None:
        with self._lock:
            self._used.clear()
            shutil.rmtree(self.folder, ignore_errors=True)
