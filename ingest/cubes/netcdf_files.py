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

# Per thread: another thread's session must not keep this thread's reads open (it may
# write the file next, which HDF5 refuses while the file is open in this process).
_state = threading.local()


def _session() -> tuple[list, list]:
    if not hasattr(_state, "depth"):
        _state.depth, _state.last = [0], []
    return _state.depth, _state.last


@contextmanager
def keep_open():
    """Keep the NetCDF file this thread read last open until the block ends (blocks nest)."""
    depth, last = _session()
    try:
        with NETCDF_LOCK:
            depth[0] += 1
        yield
    finally:
        with NETCDF_LOCK:
            depth[0] -= 1
            if depth[0] == 0 and last:
                _close_last(last)


def sessions_open() -> bool:
    """Whether this thread is in a :func:`keep_open` session (it then closes what it kept)."""
    return bool(_session()[0][0])


def open_dataset(path: Path):
    """An open ``netCDF4.Dataset`` of ``path``, for reading (call under NETCDF_LOCK); the
    caller closes it unless this thread's :func:`keep_open` session keeps it."""
    import netCDF4

    depth, last = _session()
    if not depth[0]:
        return netCDF4.Dataset(str(path), mode="r")
    st = path.stat()
    key = (str(path), st.st_ino, st.st_size, st.st_mtime_ns)
    if last and last[0][0] == key:
        return last[0][1]
    if last:
        _close_last(last)
    ds = netCDF4.Dataset(str(path), mode="r")
    last.append((key, ds))
    return ds


def _close_last(last: list) -> None:
    (_, ds), = last
    last.clear()
    try:
        ds.close()
    except (OSError, RuntimeError):
        pass  # already closed by the library
