"""What a reader finds in a store before any CF interpretation: :class:`RawCube`, :class:`RawArray`.

A reader fills these from a zarr store's JSON metadata or a NetCDF file's header, reading no
array data; each array carries two ways to reach its values, both format-specific and both
raw (no CF decoding): ``load`` reads a small array whole (coordinates, scalars), ``source``
reads any selection of a large one (see :class:`ArraySource`). The CF meaning is applied by
:mod:`cubegraph.ingest.cubes.cf` (values) and :mod:`cubegraph.ingest.cubes.interpret`
(description).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from cubegraph.kg.records.cube_metadata import DistributionFacts

__all__ = ["SMALL_ARRAY", "ArraySource", "RawArray", "RawCube", "plain", "check_text"]

#: Arrays with at most this many elements are read whole to tell "all fill" cheaply.
SMALL_ARRAY = 100_000


class ArraySource(ABC):
    """Reads selections of one stored array as written (no CF decoding).

    Attributes:
        concurrent: ``True`` when :meth:`aread` runs on zarr's event loop, so many arrays'
            chunks decompress together (:func:`cubegraph.ingest.cubes.reads.read_many`);
            ``False`` when reads must run one at a time in the calling thread (HDF5 is not
            thread-safe).
    """

    concurrent = False

    def prepare(self) -> None:
        """Open what :meth:`aread` needs (called outside the event loop, before reads)."""

    @abstractmethod
    def read(self, selection: tuple) -> np.ndarray:
        """The stored values at ``selection`` (one slice per dimension), as a numpy array.

        Raises:
            OSError, ValueError, KeyError: whatever the format library raises on a missing or
                corrupt chunk; callers word it.
        """

    async def aread(self, selection: tuple) -> np.ndarray:
        """:meth:`read` on zarr's event loop (only called when :attr:`concurrent`)."""
        return self.read(selection)


@dataclass
class RawArray:
    """One array of a store as written, before any CF interpretation.

    Attributes:
        name: array name.
        dims: dimension names.
        shape: sizes.
        dtype: numpy dtype name.
        chunks: chunk shape, ``None`` when contiguous.
        fill_value: the CF ``_FillValue``/``missing_value`` or the store's fill value.
        attrs: attributes, decoded to plain Python values (``_FillValue`` removed).
        chunks_written: zarr: how many chunk files exist (``0`` means never written).
        unwritten: zarr: what a chunk never written reads as (the store's fill value; 0
            where that is ``null``, as zarr-python reads it); ``None`` elsewhere. Whether it
            is missing data is the CF coding's to say (:func:`.cf.is_missing`).
        load: reads the values (only ever called for coordinates and small arrays).
        source: reads selections of the values (data reads of the ml layer, statistics).
        typed: NetCDF: ``scale_factor`` / ``add_offset`` as stored (numpy scalars), whose
            type decides the precision of the unpacking (``attrs`` holds plain floats).
    """

    name: str
    dims: tuple[str, ...]
    shape: tuple[int, ...]
    dtype: str
    chunks: tuple[int, ...] | None
    fill_value: Any
    attrs: dict[str, Any]
    chunks_written: int | None = None
    unwritten: Any = None
    load: Callable[[], np.ndarray] | None = None
    source: ArraySource | None = None
    typed: dict[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return math.prod(self.shape)


@dataclass
class RawCube(DistributionFacts):
    """What a reader found: the distribution facts, global attributes and arrays, and (a
    zarr store read for a catalogue) the one listing of its files, which hashing its content
    reuses instead of walking the store again."""

    attrs: dict[str, Any] = field(default_factory=dict)
    arrays: dict[str, RawArray] = field(default_factory=dict)
    dim_sizes: dict[str, int] = field(default_factory=dict)
    notes: list[tuple[str, str, str | None]] = field(default_factory=list)
    listing: Any = field(default=None, repr=False, compare=False)


_REPLACEMENT = "\ufffd"


def plain(value: Any) -> Any:
    """Attribute value -> JSON-able Python (numpy scalars/arrays unwrapped, bytes decoded)."""
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value.decode("latin-1")
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return plain(value.item())
        return [plain(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def check_text(owner: str, attrs: dict[str, Any], notes: list) -> None:
    """Note every text attribute holding U+FFFD (bytes that were not UTF-8)."""
    # netCDF4 decodes text attributes as UTF-8 with replacement characters, so invalid
    # bytes show up as U+FFFD: say so instead of passing the damage on silently.
    for key, value in attrs.items():
        if isinstance(value, str) and _REPLACEMENT in value:
            where = "global attribute" if owner == "" else f"attribute of variable {owner!r}"
            notes.append(
                (
                    "non-utf8-attribute",
                    f"{where} {key!r} is not valid UTF-8: undecodable bytes were replaced by "
                    f"U+FFFD ({value!r}); re-encode the file's attributes as UTF-8",
                    owner or None,
                )
            )
