"""Where recorded files are: absolute paths, and paths under a declared data root.

Every file cubegraph records (a cube's store or file, a model file, an output cube) is
recorded by its absolute path (``cg:sourcePath``, a ``file:`` access URL), so it means the
same whatever folder a command or the server runs in. When the deployment declares a
*data root* (the ``data_root`` setting, ``CUBEGRAPH_DATA_ROOT``) and the file lies under
it, its path relative to the root is recorded too (``cg:dataRootPath``). Reading a record
back resolves the relative path against the root declared *now* when the file is there,
else the absolute path: moving the whole data folder and declaring its new root keeps every
record valid, with nothing rewritten, and a root declared by mistake hides nothing.

A store carries the :class:`Locations` it was opened with (``open_store(data_root=...)``),
as it carries its :class:`~cubegraph.kg.iris.Iris`.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["Locations"]


class Locations:
    """Records and resolves file locations under an optional data root.

    Args:
        data_root: the declared data root (``None``: none; absolute paths only).
    """

    def __init__(self, data_root: str | Path | None = None):
        self.root = Path(os.path.abspath(Path(data_root).expanduser())) if data_root else None

    def __repr__(self) -> str:
        return f"Locations({str(self.root) if self.root else None!r})"

    @staticmethod
    def absolute(path: str | Path) -> Path:
        """The absolute form of ``path`` (the working folder applied; links kept)."""
        return Path(os.path.abspath(Path(path).expanduser()))

    def relative(self, path: str | Path) -> str | None:
        """``path`` relative to the data root (POSIX form), or ``None`` when there is no
        root or the path lies outside it."""
        if self.root is None:
            return None
        try:
            rel = self.absolute(path).relative_to(self.root)
        except ValueError:
            return None
        return rel.as_posix() if rel.parts else None

    def resolve(self, recorded: str | None, relative: str | None = None) -> str | None:
        """Where a recorded file is now: under the current root when a relative path was
        recorded and it exists there; else the recorded absolute path when it exists; else
        the first of the two that was recorded (so "missing" names where it was looked
        for). A relative path that climbs out of the root (``..``) is ignored."""
        under = None
        if relative and self.root is not None and ".." not in Path(relative).parts \
                and not Path(relative).is_absolute():
            under = str(self.root / relative)
        for candidate in (under, recorded):
            if candidate is not None and os.path.lexists(candidate):
                return candidate
        return under or recorded
