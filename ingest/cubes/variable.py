"""Cubes opened for reading data: their variables as lazily read, CF-decoded arrays.

:func:`open_cube` reads a cube's metadata once (no array data); :meth:`OpenCube.variable`
gives a :class:`CubeVariable`: dimensions, shape, stored dtype, chunk shape, attributes, its
decoded coordinates, the CRS (:mod:`.crs`), and :meth:`CubeVariable.read` to read any
selection decoded by the one CF decoder (:mod:`.cf`) as float32 (a :class:`VariableRead`,
which :func:`~cubegraph.ingest.cubes.reads.read_many` runs with others at once). The
variables a cube offers
are the data variables ingest describes (:mod:`.classify`), so anything in the catalogue
can be read by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cubegraph.ingest.cubes.cf import CFCoding, coding_of, decode_float32, decode_native
from cubegraph.ingest.cubes.classify import auxiliary_time, data_arrays
from cubegraph.ingest.cubes.crs import variable_crs
from cubegraph.ingest.cubes.raw import ArraySource, RawCube
from cubegraph.ingest.cubes.registry import reader_for
from cubegraph.ingest.cubes.times import decode_datetime64, is_time_units
from cubegraph.ingest.errors import CubeReadError, VariableNotFound

__all__ = ["CubeVariable", "VariableRead", "OpenCube", "open_cube", "open_variable"]


@dataclass(eq=False)
class CubeVariable:
    """One data variable of an open cube; nothing of its data is read until asked.

    Attributes:
        path: the cube.
        name: the variable's name.
        dims / shape: dimension names and sizes, in stored order.
        dtype: the stored dtype (before CF decoding).
        chunks: the storage chunk shape, ``None`` when contiguous.
        attrs: attributes (plain Python values; ``_FillValue`` is in ``coding``).
        coords: the decoded 1-D coordinate of each dimension that has one (times as
            ``datetime64[ns]``, or cftime dates in non-standard calendars, as xarray).
        crs: the normalised CRS (:func:`cubegraph.ingest.cubes.crs.variable_crs`).
        coding: the CF masking and packing of its values.
    """

    path: Path
    name: str
    dims: tuple[str, ...]
    shape: tuple[int, ...]
    dtype: np.dtype
    chunks: tuple[int, ...] | None
    attrs: dict[str, Any]
    coords: dict[str, np.ndarray]
    crs: str | None
    coding: CFCoding
    source: ArraySource = field(repr=False)

    @property
    def ndim(self) -> int:
        return len(self.dims)

    def selection(self, selection: tuple | None = None,
                  axes: tuple[int, ...] | None = None) -> VariableRead:
        """A read of ``selection`` (one slice per dimension; all of it when None), decoded,
        transposed by ``axes`` when given: run it alone or with others (``read_many``).

        Raises:
            CubeReadError: when the variable does not hold numbers.
        """
        if self.dtype.kind not in "fiub":
            raise CubeReadError(
                f"cube '{self.path}': variable {self.name!r} holds {self.dtype} values, not "
                "numbers: it cannot be read as an array of values")
        full = tuple(slice(None) for _ in self.dims)
        return VariableRead(self, full if selection is None else tuple(selection), axes)

    def read(self, selection: tuple | None = None, axes: tuple[int, ...] | None = None) -> np.ndarray:
        """The decoded values of ``selection`` as a new float32 array (see :meth:`selection`).

        Raises:
            CubeReadError: when the variable does not hold numbers or its data cannot be read.
        """
        return self.selection(selection, axes).read()


class VariableRead:
    """One selection of a variable, read and CF-decoded to float32.

    Attributes:
        variable: the :class:`~cubegraph.ingest.cubes.variable.CubeVariable`.
        selection: one slice per stored dimension.
        axes: the transpose applied after decoding, ``None`` for stored order.
        finite: after a read, ``True`` when every value is known finite without a pass,
            ``False`` when a fill value hit, ``None`` when unknown (stored floats).
    """

    def __init__(self, variable: CubeVariable, selection: tuple,
                 axes: tuple[int, ...] | None = None):
        self.variable, self.selection, self.axes = variable, selection, axes
        self.finite: bool | None = None

    @property
    def name(self) -> str:
        return self.variable.name

    def read(self) -> np.ndarray:
        """The decoded values, float32, transposed by :attr:`axes`.

        Raises:
            CubeReadError: when the data cannot be read (a missing or corrupt chunk).
        """
        try:
            raw = self.variable.source.read(self.selection)
        except Exception as exc:  # noqa: BLE001 - any format library failure, worded once
            raise self.read_error(exc) from exc
        return self.decode(raw)

    def decode(self, raw: np.ndarray) -> np.ndarray:
        """CF-decode the stored values ``raw`` of this selection (see :meth:`read`)."""
        out, self.finite = decode_float32(raw, self.variable.coding)
        if self.axes is not None:
            out = np.ascontiguousarray(out.transpose(self.axes))
        return out

    def read_error(self, exc: Exception) -> CubeReadError:
        """The error that says this read failed because of ``exc``."""
        return CubeReadError(f"cube '{self.variable.path}': variable {self.name!r} cannot be "
                             f"read ({type(exc).__name__}: {exc}); the store may be corrupt")


class OpenCube:
    """A cube's metadata, read once: its data variables and their coordinates.

    Attributes:
        path: the cube.
        raw: what its reader found (:class:`~cubegraph.ingest.cubes.raw.RawCube`).
        data_variables: names of its data variables, in store order.
    """

    def __init__(self, raw: RawCube):
        self.raw, self.path = raw, raw.path
        self._data = data_arrays(raw)
        self.data_variables = [a.name for a in self._data]
        self._coords: dict[str, np.ndarray | None] = {}
        self._variables: dict[str, CubeVariable] = {}

    @property
    def attrs(self) -> dict[str, Any]:
        return self.raw.attrs

    def variable(self, name: str) -> CubeVariable:
        """The data variable ``name`` (opened once).

        Raises:
            VariableNotFound: when the cube has no data variable of that name.
        """
        if name not in self._variables:
            if name not in self.data_variables:
                raise VariableNotFound(str(self.path), name, sorted(self.data_variables))
            arr = self.raw.arrays[name]
            coords = {d: c for d in arr.dims if (c := self.coordinate(d)) is not None}
            try:
                dtype = np.dtype(arr.dtype)
            except TypeError:
                dtype = np.dtype(object)
            self._variables[name] = CubeVariable(
                self.path, name, arr.dims, arr.shape, dtype, arr.chunks, dict(arr.attrs), coords,
                variable_crs(self.raw, name, self._data), coding_of(arr), arr.source)
        return self._variables[name]

    def coordinate(self, dim: str) -> np.ndarray | None:
        """The decoded 1-D coordinate of dimension ``dim``, None when it has none: its
        coordinate variable, else the auxiliary time coordinate that names it (what ingest
        dated it by, :func:`~cubegraph.ingest.cubes.classify.auxiliary_time`).

        Times in undecodable units stay numbers (as ingest reports them).
        """
        if dim not in self._coords:
            arr = self.raw.arrays.get(dim)
            if arr is None or arr.dims != (dim,):  # a time axis given by another coordinate
                arr = auxiliary_time(self.raw, dim, self._data)
            values = None
            if arr is not None and arr.load is not None:
                values = np.asarray(arr.load())
                if values.dtype.kind in "fiub":
                    values = decode_native(values, coding_of(arr))
                    units = arr.attrs.get("units")
                    if is_time_units(units):
                        try:
                            values = decode_datetime64(values, units, arr.attrs.get("calendar"))
                        except (ValueError, OverflowError, TypeError):
                            pass  # kept as numbers: ingest warns "time-undecodable"
            self._coords[dim] = values
        return self._coords[dim]


def open_cube(path: str | Path) -> OpenCube:
    """Open the cube at ``path`` for reading (its metadata only).

    Raises:
        CubeNotFound: when ``path`` does not exist.
        ReaderNotFound: when no installed reader recognises it.
        CubeReadError: when its metadata cannot be read.
    """
    path = Path(path).absolute()
    return OpenCube(reader_for(path).open_raw(path))


def open_variable(path: str | Path, name: str) -> CubeVariable:
    """Data variable ``name`` of the cube at ``path``, lazily read (see :class:`CubeVariable`).

    Raises:
        CubeNotFound, ReaderNotFound, CubeReadError: see :func:`open_cube`.
        VariableNotFound: when the cube has no data variable ``name``.
    """
    return open_cube(path).variable(name)
