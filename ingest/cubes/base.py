"""The interface every cube reader implements (one class per storage format).

A reader recognises its format cheaply (:meth:`CubeReader.can_read`), reads a store's
metadata into a :class:`~cubegraph.ingest.cubes.raw.RawCube` without reading array data
(:meth:`CubeReader.read_raw`, with the content fingerprint a catalogue needs;
:meth:`CubeReader.open_raw`, only what reading data needs), and gives each array a
:class:`~cubegraph.ingest.cubes.raw.ArraySource`. A new format is one such class plus one
line in :data:`cubegraph.ingest.cubes.registry.READERS`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path

from cubegraph.ingest.cubes.interpret import interpret
from cubegraph.ingest.cubes.raw import RawCube
from cubegraph.kg.records.cube_metadata import CubeMetadata

__all__ = ["CubeReader"]


class CubeReader(ABC):
    """Interface of a cube reader (one per storage format).

    Attributes:
        name: short engine name (``"zarr"``).
        description: one line for ``installed_readers``-style listings.
    """

    name: str = ""
    description: str = ""

    @abstractmethod
    def can_read(self, path: Path) -> bool:
        """Whether this reader recognises ``path`` (cheap: suffix and marker files only)."""

    @abstractmethod
    def read_raw(self, path: Path) -> RawCube:
        """Read the metadata of the cube at ``path``, with its size and fingerprint.

        Raises:
            CubeReadError: when the path is recognised but its metadata cannot be read.
        """

    def open_raw(self, path: Path) -> RawCube:
        """The metadata needed to read the cube's data (size and fingerprint may be left
        empty when computing them costs more than the metadata: a zarr store's listing).

        Raises:
            CubeReadError: see :meth:`read_raw`.
        """
        return self.read_raw(path)

    def read_metadata(self, path: Path) -> CubeMetadata:
        """Read ``path`` and interpret it with the CF conventions: a ``CubeMetadata``.

        Raises:
            CubeReadError: see :meth:`read_raw`.
            EmptyCube: when the cube has no data variables.
        """
        return interpret(self.read_raw(path))
