"""Which server, if any, is serving an on-disk store: so the command line can go through it.

A store folder has one writer (RocksDB's lock). While ``cubegraph serve`` holds it, another
command opening the folder could only fail ("in use by another process"). The server
therefore leaves a note beside the store, ``.<store>.served.json`` (its URL and process
id), for as long as it serves it; a command that finds the folder locked and the note's
process alive goes through the server's endpoint instead (reads as anyone, writes with the
server's token), and says so.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

__all__ = ["served_note", "mark_served", "unmark_served", "served_url"]


def served_note(store: str | Path) -> Path:
    """Where the note of a server serving ``store`` lives."""
    store = Path(store).absolute()
    return store.parent / f".{store.name}.served.json"


def mark_served(store: str | Path, url: str) -> None:
    """Note that this process serves ``store`` at ``url`` (its root, ``http://host:port/``)."""
    note = served_note(store)
    tmp = note.with_name(note.name + f".{os.getpid()}")
    tmp.write_text(json.dumps({"url": url, "pid": os.getpid()}))
    os.replace(tmp, note)


def unmark_served(store: str | Path) -> None:
    """Remove this process's note (another process's is left alone)."""
    note = served_note(store)
    try:
        if json.loads(note.read_text()).get("pid") == os.getpid():
            note.unlink()
    except (OSError, ValueError):
        pass


def served_url(store: str | Path) -> str | None:
    """The root URL of the live server serving ``store``, or None (no note, or its
    process has ended: a server killed without cleaning up)."""
    try:
        note = json.loads(served_note(store).read_text())
        url, pid = note["url"], int(note["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, another user's
    return url if isinstance(url, str) and url.startswith(("http://", "https://")) else None
