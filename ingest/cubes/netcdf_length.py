"""How long a NetCDF file says it is: its header (classic) or superblock (HDF5) declares it,
so a file cut short is refused instead of catalogued as healthy.

- **Classic** (CDF-1, CDF-2, CDF-5): the header lists every variable with its shape, type
  and where its data begins (``begin``), and the number of records: the file must reach the
  last byte of every fixed-size variable and of the last record (netCDF-C's ``NC_calcsize``;
  the padding after it is not required).
- **NetCDF-4** (HDF5): the superblock stores the end-of-file address.

:func:`declared_length` returns that length (``None`` when the header cannot tell, e.g. a
streaming record count); the reader compares it with the file's size.
"""

from __future__ import annotations

import math
import struct
from pathlib import Path

__all__ = ["declared_length"]

_HDF5 = b"\x89HDF\r\n\x1a\n"
# nc_type -> bytes per value (CDF-5 adds the unsigned and 64-bit types)
_TYPE_SIZE = {1: 1, 2: 1, 3: 2, 4: 4, 5: 4, 6: 8, 7: 1, 8: 2, 9: 4, 10: 8, 11: 8}
_ABSENT, _DIMENSION, _VARIABLE, _ATTRIBUTE = 0, 10, 11, 12
_STREAMING = 0xFFFFFFFF
_MAX_HEADER = 64 << 20  # a header larger than this is not believed


class _Header:
    def __init__(self, data: bytes, version: int):
        self.data, self.at = data, 4
        self.big = version == 5  # CDF-5: 64-bit counts
        self.offset64 = version in (2, 5)

    def int32(self) -> int:
        (value,) = struct.unpack_from(">I", self.data, self.at)
        self.at += 4
        return value

    def int64(self) -> int:
        (value,) = struct.unpack_from(">Q", self.data, self.at)
        self.at += 8
        return value

    def count(self) -> int:
        return self.int64() if self.big else self.int32()

    def offset(self) -> int:
        return self.int64() if self.offset64 else self.int32()

    def skip(self, n: int) -> None:
        self.at += (n + 3) // 4 * 4  # every item is padded to 4 bytes

    def name(self) -> None:
        self.skip(self.count())

    def attributes(self) -> None:
        tag = self.int32()
        n = self.count()
        if tag == _ABSENT:
            return
        for _ in range(n):
            self.name()
            kind = self.int32()
            self.skip(self.count() * _TYPE_SIZE[kind])


def declared_length(path: Path) -> int | None:
    """The length in bytes the file's own header declares, or ``None`` when it cannot tell
    (not NetCDF, a streaming record count, a header it cannot parse).

    Raises:
        OSError: the file cannot be read.
    """
    with open(path, "rb") as fh:
        head = fh.read(64)
        if head.startswith(_HDF5):
            return _hdf5_eof(head) if len(head) >= 64 else None
        if not (head[:3] == b"CDF" and len(head) >= 4 and head[3] in (1, 2, 5)):
            return None
        # The header is read in growing blocks: most are a few kB, and a file's data is
        # never read for it.
        size = 64 << 10
        while True:
            fh.seek(0)
            data = fh.read(size)
            try:
                return _classic(data, head[3])
            except (struct.error, IndexError):
                if len(data) < size or size >= _MAX_HEADER:
                    return None  # a header this parser cannot follow: no claim either way
                size *= 4
            except (KeyError, ValueError):
                return None


def _hdf5_eof(head: bytes) -> int | None:
    version = head[8]
    if version in (0, 1):
        size_offsets = head[13]
        base_at = 24 + (4 if version == 1 else 0)
        at = base_at + 2 * size_offsets  # base, free-space, EOF
    elif version in (2, 3):
        size_offsets = head[9]
        base_at = 12
        at = base_at + 2 * size_offsets  # base, superblock extension, EOF
    else:
        return None
    if size_offsets != 8 or len(head) < at + 8:
        return None
    (eof,) = struct.unpack_from("<Q", head, at)
    (base,) = struct.unpack_from("<Q", head, base_at)
    return base + eof if eof != 0xFFFFFFFFFFFFFFFF else None


def _classic(data: bytes, version: int) -> int | None:
    """Where the last byte of data ends, as netCDF-C computes it (``NC_calcsize``), without
    the padding after it (netCDF-C reads a file that lacks it)."""
    h = _Header(data, version)
    records = h.count()
    if records == _STREAMING or (h.big and records == 0xFFFFFFFFFFFFFFFF):
        records = None
    dims = []
    tag, n = h.int32(), h.count()
    if tag not in (_ABSENT, _DIMENSION):
        return None
    for _ in range(n if tag == _DIMENSION else 0):
        h.name()
        dims.append(h.count())
    h.attributes()
    tag, n = h.int32(), h.count()
    if tag not in (_ABSENT, _VARIABLE):
        return None
    end, record_vars = h.at, []
    for _ in range(n if tag == _VARIABLE else 0):
        h.name()
        shape = [dims[h.count()] for _ in range(h.count())]
        h.attributes()
        kind = h.int32()
        vsize = h.count()
        begin = h.offset()
        if shape and shape[0] == 0:  # a record variable (first dimension unlimited)
            record_vars.append((begin, vsize, math.prod(shape[1:]) * _TYPE_SIZE[kind]))
        else:
            end = max(end, begin + math.prod(shape) * _TYPE_SIZE[kind])  # data, not padding
    if record_vars and records:
        # One record holds every record variable's slice, each padded to 4 bytes; a lone
        # record variable's slices are not padded.
        recsize = (record_vars[0][2] if len(record_vars) == 1
                   else sum(v for _, v, _ in record_vars))
        end = max(end, max(b + (records - 1) * recsize + raw for b, _, raw in record_vars))
    return end
