"""The readers of this installation, found through one table, as xarray finds its backends.

Readers register in :data:`READERS` (``name -> (optional dependency, class)``), as xarray's
``BACKEND_ENTRYPOINTS`` do: a reader whose library is not installed is simply not listed by
:func:`installed_readers`, and :func:`reader_for` says which to install.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

from cubegraph.ingest.cubes.base import CubeReader
from cubegraph.ingest.cubes.netcdf_reader import NetCDFReader
from cubegraph.ingest.cubes.zarr_reader import ZarrReader
from cubegraph.ingest.errors import CubeNotFound, ReaderNotFound
from cubegraph.kg.records.cube_metadata import CubeMetadata

__all__ = ["READERS", "installed_readers", "reader_for", "read_metadata"]

#: name -> (module that must be importable, reader class). Order is the probing order.
READERS: dict[str, tuple[str, type[CubeReader]]] = {
    "zarr": ("numcodecs", ZarrReader),
    "netcdf": ("netCDF4", NetCDFReader),
}


def installed_readers() -> dict[str, CubeReader]:
    """Readers whose optional dependency is importable, by name."""
    return {name: cls() for name, (module, cls) in READERS.items() if _importable(module)}


@lru_cache(maxsize=None)
def _importable(module: str) -> bool:
    """Whether ``module`` can be imported, asked of importlib once per process.

    Speed seam: bypasses importlib's search of ``sys.path`` on every call (reader_for runs
    per cube); ``tests/ingest/test_fast_paths.py::test_cached_reader_lookups_are_importlibs``
    holds each answer equal to importlib's (figure: docs/benchmarks.md).
    """
    return importlib.util.find_spec(module) is not None


def reader_for(path: str | Path) -> CubeReader:
    """The first installed reader that recognises ``path``.

    Raises:
        CubeNotFound: when ``path`` does not exist.
        ReaderNotFound: when no installed reader recognises it; the message lists the
            installed readers and the ones a missing library would enable.
    """
    path = Path(path)
    if not path.exists():
        raise CubeNotFound(f"'{path}' does not exist")
    installed = installed_readers()
    for reader in installed.values():
        if reader.can_read(path):
            return reader
    missing = [f"install {module} to enable {name!r}" for name, (module, _) in READERS.items()
               if name not in installed]
    hint = f"; {'; '.join(missing)}" if missing else ""
    kind = "folder" if path.is_dir() else "file"
    raise ReaderNotFound(
        f"no reader can open {kind} '{path}': installed readers are {sorted(installed)} "
        f"(zarr stores are folders with zarr.json or .zgroup; NetCDF files end in .nc){hint}"
    )


def read_metadata(path: str | Path) -> CubeMetadata:
    """Read the metadata of the cube at ``path`` with the reader that recognises it.

    Raises:
        CubeNotFound, ReaderNotFound, CubeReadError, EmptyCube: see :func:`reader_for` and
            :meth:`CubeReader.read_metadata`.
    """
    path = Path(path).absolute()
    return reader_for(path).read_metadata(path)
