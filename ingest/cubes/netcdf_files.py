"""Opening NetCDF files: the one lock of the thread-unsafe netCDF-C library, and reading
sessions that keep the file read last open.

Within a reading session (:func:`keep_open`), the file read last stays open: opening a
NetCDF file parses the metadata of every variable, so reading each of a file's N variables
through a fresh open costs N^2 (300 variables: seconds). Kept files are keyed by their
identity, size and mtime, so a file changed or replaced meanwhile is opened afresh, and
closed when the outermost session ends, so nothing stays open for a later writer of it.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path

__all__ = ["NETCDF_LOCK", "keep_open", "open_dataset", "sessions_open"]

#: The netCDF-C and HDF5 libraries are not thread-safe: one read at a time in this process.
NETCDF_LOCK = threading.RLock()

_last_open: list = []
_sessions = [0]


@contextmanager
def keep_open():
    """Keep the NetCDF file read last open until the block ends (blocks nest)."""
    with NETCDF_LOCK:
        _sessions[0] += 1
    try:
        yield
    finally:
        with NETCDF_LOCK:
            _sessions[0] -= 1
            if _sessions[0] == 0 and _last_open:
                _close_last()


def sessions_open() -> bool:
    """Whether a :func:`keep_open` session is open (it then closes what it kept)."""
    return bool(_sessions[0])


def open_dataset(path: Path):
    """An open ``netCDF4.Dataset`` of ``path``, for reading (call under NETCDF_LOCK); the
    caller closes it unless a :func:`keep_open` session keeps it."""
    import netCDF4

    if not _sessions[0]:
        return netCDF4.Dataset(str(path), mode="r")
    st = path.stat()
    key = (str(path), st.st_ino, st.st_size, st.st_mtime_ns)
    if _last_open and _last_open[0][0] == key:
        return _last_open[0][1]
    if _last_open:
        _close_last()
    ds = netCDF4.Dataset(str(path), mode="r")
    _last_open.append((key, ds))
    return ds


def _close_last() -> None:
    (_, ds), = _last_open
    _last_open.clear()
    try:
        ds.close()
    except (OSError, RuntimeError):
        pass  # already closed by the library
