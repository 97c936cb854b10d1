"""NetCDF-3 and NetCDF-4 files, read through netCDF4 (headers only; data stays lazy).

netCDF4 is used directly rather than through xarray: it gives the raw attributes, the
storage chunking and the on-disk dtype without any CF decoding, which the cube layer does
itself (:mod:`.cf`, :mod:`.times`), so undecodable time units become a warning, not a
failure, and ingest and ml decode alike.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cubegraph.ingest.cubes.base import CubeReader
from cubegraph.ingest.cubes.raw import ArraySource, RawArray, RawCube, check_text, plain
from cubegraph.ingest.errors import CubeReadError
from cubegraph.ingest.cubes.hdf5_layout import damage, read_damage
from cubegraph.ingest.cubes.journal import active_journal
from cubegraph.ingest.cubes.netcdf_files import NETCDF_LOCK, open_dataset, sessions_open
from cubegraph.ingest.cubes.netcdf_length import declared_length
from cubegraph.ingest.fingerprint import fingerprint_netcdf

__all__ = ["NetCDFReader", "NetCDFSource", "NETCDF_LOCK"]

_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"



class NetCDFSource(ArraySource):
    """Selections of one NetCDF variable, as stored (auto masking and scaling off)."""

    def __init__(self, path: Path, name: str):
        self.path, self.name = path, name

    def read(self, selection: tuple) -> np.ndarray:
        """The stored values of ``selection``.

        Raises:
            CubeReadError: the file's HDF5 structure is damaged where the values lie (the
                message names the file, the variable, the selection and the chunk).
        """
        journal = active_journal()
        if journal is not None:  # a run's journal: the file's bytes, beside netCDF-C's read
            journal.record_file(self.path)
        with NETCDF_LOCK:
            ds = open_dataset(self.path)
            try:
                var = ds[self.name]  # a path for a variable in a group ("forecast/tas")
                var.set_auto_maskandscale(False)
                var.set_auto_chartostring(False)
                return np.asarray(var[selection if selection else ...])
            except RuntimeError as exc:
                if _HDF_ERROR not in str(exc):
                    raise
                where = read_damage(self.path, self.name, selection)
                what = f"values of variable {self.name!r}{_selection_text(selection)}"
                raise CubeReadError(_damaged(self.path, f"reading the {what}", where, exc)) from exc
            finally:
                if not sessions_open():
                    ds.close()


# netCDF-C's words for "HDF5 could not do it" (NC_EHDFERR): all it says of a damaged file.
_HDF_ERROR = "HDF error"


def _damaged(path: Path, doing: str, where: tuple[str, str] | None, netcdf_c=None) -> str:
    """The message for a NetCDF-4 file whose HDF5 structure cannot be read: the file, what
    was being read, which part failed and HDF5's reason (h5py's, :mod:`.hdf5_layout`)."""
    said = f"; netCDF-C: {netcdf_c}" if netcdf_c else ""
    part = (f": {where[0]} is unreadable (HDF5: {where[1]}{said})" if where
            else f" (netCDF-C: {netcdf_c})")
    return (f"NetCDF-4 file '{path}' is damaged: its HDF5 structure cannot be read while "
            f"{doing}{part}. Its bytes changed after it was written (an interrupted or "
            "corrupted copy, a disk fault?): fetch it again or restore a backup")


def _selection_text(selection: tuple) -> str:
    """``[20:30, :, 5]`` for a selection of slices and integers ('' for the whole array)."""
    def one(s) -> str:
        if isinstance(s, slice):
            text = f"{'' if s.start is None else s.start}:{'' if s.stop is None else s.stop}"
            return text + (f":{s.step}" if s.step not in (None, 1) else "")
        return "..." if s is Ellipsis else str(s) if np.ndim(s) == 0 else f"<{np.size(s)} indices>"
    return f" [{', '.join(one(s) for s in selection)}]" if selection else ""


class NetCDFReader(CubeReader):
    """NetCDF-3 and NetCDF-4 files (see the module docstring)."""

    name = "netcdf"
    description = "NetCDF-3 (classic, 64-bit offset) and NetCDF-4/HDF5 files (.nc, .nc4, .cdf)"
    _SUFFIXES = (".nc", ".nc4", ".netcdf", ".cdf", ".h5", ".hdf5")
    _MAGIC = (b"CDF\x01", b"CDF\x02", b"CDF\x05", b"\x89HDF\r\n\x1a\n")

    def can_read(self, path: Path) -> bool:
        if not path.is_file():
            return False
        if path.suffix.lower() in self._SUFFIXES:
            return True
        with open(path, "rb") as fh:
            return fh.read(8).startswith(self._MAGIC)

    def read_raw(self, path: Path) -> RawCube:
        import netCDF4

        with open(path, "rb") as fh:
            head = fh.read(8)
        if not head.startswith(self._MAGIC):
            raise CubeReadError(
                f"'{path}' has a NetCDF name but is not a NetCDF file (it starts with "
                f"{head[:4]!r}, not 'CDF' or the HDF5 signature)"
            )
        declared, size = declared_length(path), path.stat().st_size
        if declared is not None and size < declared:
            # A damaged HDF5 superblock declares a garbage length: HDF5 tells it from a
            # file cut short by the superblock's checksum (versions 2 and 3).
            where = damage(path) if head == _HDF5_SIGNATURE else None
            if where is not None and "truncated" not in where[1]:
                raise CubeReadError(_damaged(path, "opening it", where))
            raise CubeReadError(
                f"NetCDF file '{path}' is truncated: its header declares {declared:,} bytes "
                f"and the file holds {size:,}; it was cut short (an interrupted copy or "
                "download?)"
            )
        with NETCDF_LOCK:
            try:
                ds = netCDF4.Dataset(str(path), mode="r")
            except OSError as exc:
                if head != _HDF5_SIGNATURE or _HDF_ERROR not in str(exc):
                    raise CubeReadError(f"NetCDF file '{path}' cannot be opened: {exc}") from exc
                where = damage(path)
                if where is not None:
                    raise CubeReadError(_damaged(path, "opening it", where, _errno_free(exc))) from exc
                raise CubeReadError(
                    f"NetCDF-4 file '{path}' cannot be opened: netCDF-C reports an HDF5 error "
                    f"({_errno_free(exc)}), yet h5py reads all its HDF5 metadata: an HDF5 "
                    "file netCDF-C does not support, or damaged where only netCDF-C looks"
                ) from exc
            try:
                return self._describe(path, ds)
            finally:
                ds.close()

    def _describe(self, path: Path, ds) -> RawCube:
        fp, algo = fingerprint_netcdf(path)
        ds.set_auto_mask(True)
        cube = RawCube(
            path=path,
            format="netcdf",
            format_version=ds.data_model,
            media_type="application/netcdf",
            byte_size=path.stat().st_size,
            fingerprint=fp,
            fingerprint_algorithm=algo,
            attrs={k: plain(ds.getncattr(k)) for k in ds.ncattrs()},
            dim_sizes={name: len(dim) for name, dim in ds.dimensions.items()},
        )
        check_text("", cube.attrs, cube.notes)
        groups = list(_walk(ds))
        names = {_path(g, n) for g in groups for n in g.variables}
        for group in groups:
            for dim in group.dimensions.values():
                cube.dim_sizes[_dim_path(dim)] = len(dim)
        for group in groups:
            for local, var in group.variables.items():
                name = _path(group, local)
                stored = {k: var.getncattr(k) for k in var.ncattrs()}
                attrs = {k: plain(v) for k, v in stored.items()}
                check_text(name, attrs, cube.notes)
                _resolve_references(attrs, group, names)
                fill = attrs.pop("_FillValue", None)
                if fill is None:
                    fill = attrs.get("missing_value")
                chunking = var.chunking() if ds.data_model.startswith("NETCDF4") else "contiguous"
                dtype = var.dtype if isinstance(var.dtype, np.dtype) else np.dtype(object)
                source = NetCDFSource(path, name)
                cube.arrays[name] = RawArray(
                    name=name,
                    dims=tuple(_dim_path(d) for d in var.get_dims()),
                    shape=tuple(int(s) for s in var.shape),
                    dtype="str" if dtype.kind in "OSU" else dtype.name,
                    chunks=None if chunking in ("contiguous", None) else tuple(chunking),
                    fill_value=plain(fill),
                    attrs=attrs,
                    load=lambda s=source: s.read(()),
                    source=source,
                    # The attribute's own type decides the unpacking precision, as in xarray.
                    typed={k: np.asarray(stored[k]).reshape(-1)[0] for k in ("scale_factor", "add_offset")
                           if k in stored and np.asarray(stored[k]).size == 1},
                )
        return cube


# --- groups (CF 1.8 section 2.7) -----------------------------------------------------------
# A variable or dimension of a group is named by its path below the root ("forecast/tas"),
# so every name of the file is one name of the cube; the root's keep their plain names.

#: Attributes whose words name variables (CF 2.7: found by path or by proximity; the
#: dimensions ``compress`` names are found through their coordinate variables).
_REFERENCES = ("coordinates", "bounds", "climatology", "grid_mapping", "ancillary_variables",
               "cell_measures", "compress")


def _walk(group):
    """The group and its subgroups, depth first, the root first."""
    yield group
    for sub in group.groups.values():
        yield from _walk(sub)


def _path(group, name: str) -> str:
    where = group.path.strip("/")
    return f"{where}/{name}" if where else name


def _dim_path(dim) -> str:
    return _path(dim.group(), dim.name)


def _resolve_references(attrs: dict, group, names: set[str]) -> None:
    """Rewrite the variable names in ``attrs``' references as paths below the root: an
    absolute path (``/x``) as is, a relative one (``sub/x``) from ``group``, a bare name by
    proximity, in ``group`` first and then each ancestor (CF 2.7's search for coordinates).
    Words that name no variable (``area:`` of cell_measures) are left as written."""
    for key in _REFERENCES:
        value = attrs.get(key)
        if not isinstance(value, str) or not ("/" in value or group.path != "/"):
            continue
        words = []
        for word in value.split():
            colon = word.endswith(":") and len(word) > 1
            found = _find(word[:-1] if colon else word, group, names)
            words.append(word if found is None else found + (":" if colon else ""))
        attrs[key] = " ".join(words)


def _find(word: str, group, names: set[str]) -> str | None:
    if word.startswith("/"):
        return word.strip("/") if word.strip("/") in names else None
    if "/" in word:
        candidate = _path(group, word)
        return candidate if candidate in names else None
    while group is not None:
        if _path(group, word) in names:
            return _path(group, word)
        group = group.parent
    return None


def _errno_free(exc: OSError) -> str:
    """netCDF-C's message without its errno and the path (the message names the file)."""
    return exc.strerror or str(exc)
