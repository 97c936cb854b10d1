"""The one CF decoder: how stored values become values, for ingest and ml alike.

What it owns (CF 1.11 section 2.5.1 "Missing data, valid and actual range of data" and 8.1
"Packed data"):

- fill values: ``_FillValue`` (zarr v3 writes a float one as base64 of its bytes: decoded by
  :func:`decode_fill`), every value of ``missing_value``, and the netCDF default fill of
  floats (``|v| >= 9.96e36``, what netCDF writes where nothing was written) -> NaN. Fills
  are compared in the *stored* dtype, as netCDF4 and xarray compare them;
- ``_Unsigned`` (netCDF-3 has no unsigned integers): the bytes are read as unsigned;
- packing: ``value = stored * scale_factor + add_offset``, computed in the precision xarray
  chooses (float64 unless both attributes are float32, see :func:`CFCoding.wide`), so a
  dataset built here is bit-identical to one built through ``xarray.open_dataset``.

Two outputs: :func:`decode_float32` (ml's arrays, decoded in cache-sized blocks) and
:func:`decode_float64` (ingest's coordinate ranges and "all fill" checks, statistics). Times
and the CRS are in :mod:`~cubegraph.ingest.cubes.times` and :mod:`~cubegraph.ingest.cubes.crs`.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from cubegraph.ingest.cubes.raw import RawArray, plain

__all__ = ["DEFAULT_FILL", "CFCoding", "coding_of", "is_missing", "decode_fill", "decode_float32",
           "decode_float64", "decode_native"]

#: Floats at least this large in magnitude are netCDF's default fill (9.969e36): missing.
DEFAULT_FILL = 9.96e36
#: Elements per block of the packed decode (512 KiB of float64: stays in L2).
_BLOCK = 1 << 16


def decode_fill(value: Any, dtype: np.dtype | None) -> Any:
    """A zarr fill value as a Python number (``"NaN"`` strings and base64 bytes decoded).

    Values that are not numbers (a string fill of a string array) come back as given.
    """
    if value is None:
        return None
    if isinstance(value, str):
        if value in ("NaN", "nan"):
            return float("nan")
        if value in ("Infinity", "-Infinity"):
            return float(value.replace("Infinity", "inf"))
        if value.startswith("0x") and dtype is not None and dtype.kind == "f":
            # zarr v3 writes a float fill value as hex of its bits ("0x7fc00000": a NaN)
            try:
                bits = bytes.fromhex(value[2:])
                if len(bits) in (2, 4, 8):
                    return np.frombuffer(bits, dtype=f">f{len(bits)}")[0].item()
            except ValueError:
                return value
        if dtype is not None and dtype.kind in "fiub":
            # xarray writes a CF _FillValue into zarr v3 attributes as base64 of its bytes
            # (little-endian, as zarr v3 stores numbers).
            try:
                raw = base64.b64decode(value, validate=True)
                if len(raw) == dtype.itemsize:
                    return np.frombuffer(raw, dtype=dtype.newbyteorder("<"))[0].item()
                if dtype.kind == "f" and len(raw) in (4, 8):  # a float32 array's float64 NaN
                    return np.frombuffer(raw, dtype=f"<f{len(raw)}")[0].item()
            except (ValueError, TypeError):
                return value
        return value
    return plain(value)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) \
        and not (isinstance(value, float) and math.isnan(value))


@dataclass(frozen=True)
class CFCoding:
    """How one array's stored values become values.

    Attributes:
        fills: stored values meaning "missing" (NaN fills need no test: NaN stays NaN).
        scale / offset: ``scale_factor`` / ``add_offset`` as stored (their type decides the
            precision), ``None`` when absent.
        unsigned: the dtype to view the stored integers as (``_Unsigned``), else ``None``.
    """

    fills: tuple = ()
    scale: Any = None
    offset: Any = None
    unsigned: np.dtype | None = None

    @property
    def packed(self) -> bool:
        return self.scale is not None or self.offset is not None

    def wide(self, dtype: np.dtype) -> np.dtype:
        """The float type the unpacking computes in: xarray's choice (``_choose_float_dtype``).

        float32 only when the CF-conforming pair (or a lone scale) is float32 and the stored
        integers fit; an offset of another type, or 4-byte integers, need float64.
        """
        types = {np.dtype(type(v)) for v in (self.scale, self.offset) if v is not None}
        if self.offset is not None and self.scale is not None:
            if len(types) == 1 and types <= {np.dtype("float32"), np.dtype("float64")}:
                if dtype.itemsize == 4 and dtype.kind in "iu":
                    return np.dtype("float64")
                return types.pop()
            return np.dtype("float64")
        if self.offset is not None:
            return np.dtype("float64")
        (t,) = types
        return t if t.kind == "f" else np.dtype("float64")

    def stored(self, raw: np.ndarray) -> np.ndarray:
        """``raw`` with ``_Unsigned`` applied (a view)."""
        return raw.view(self.unsigned) if self.unsigned is not None and raw.dtype.kind in "iu" else raw


def _first(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return value[0] if len(value) == 1 else None
    return value


def coding_of(arr: RawArray) -> CFCoding:
    """The CF coding of an array, from its attributes and fill value."""
    a = arr.attrs
    try:
        dtype = np.dtype(arr.dtype)
    except TypeError:
        dtype = None
    unsigned = None
    flag = str(a.get("_Unsigned", "")).lower()
    if dtype is not None and dtype.kind in "iu" and flag in ("true", "false"):
        want = "u" if flag == "true" else "i"
        if dtype.kind != want:
            unsigned = np.dtype(f"{dtype.byteorder}{want}{dtype.itemsize}")
    fills = []
    for value in (arr.fill_value, a.get("missing_value")):
        for v in (value if isinstance(value, (list, tuple)) else [value]):
            v = plain(v)
            if _number(v):
                if unsigned is not None and isinstance(v, int):
                    v = np.asarray(v).astype(dtype).view(unsigned).item()
                if v not in fills:
                    fills.append(v)
    scale = arr.typed.get("scale_factor", _first(a.get("scale_factor")))
    offset = arr.typed.get("add_offset", _first(a.get("add_offset")))
    scale = scale if isinstance(scale, (int, float, np.number)) and not isinstance(scale, bool) else None
    offset = offset if isinstance(offset, (int, float, np.number)) and not isinstance(offset, bool) else None
    return CFCoding(tuple(fills), scale, offset, unsigned)


def is_missing(value: Any, coding: CFCoding) -> bool:
    """Whether one stored value reads as missing data: NaN, or one of the coding's fill and
    missing values (a zarr store's fill value 0 is data unless a ``_FillValue`` or
    ``missing_value`` says 0 is missing)."""
    if isinstance(value, float) and math.isnan(value):
        return True
    return _number(value) and value in coding.fills


def _default_fill_mask(raw: np.ndarray) -> np.ndarray | None:
    """Where a float array holds netCDF's default fill, or ``None`` when nowhere."""
    if raw.dtype.kind != "f" or raw.size == 0:
        return None
    lo, hi = raw.min(), raw.max()
    if np.isfinite(lo) and np.isfinite(hi) and -DEFAULT_FILL < lo and hi < DEFAULT_FILL:
        return None  # two reductions instead of a pass that allocates
    with np.errstate(invalid="ignore"):
        hit = np.abs(raw) >= DEFAULT_FILL
    return hit if hit.any() else None


def decode_float32(raw: np.ndarray, coding: CFCoding) -> tuple[np.ndarray, bool | None]:
    """The decoded values of ``raw`` as a new float32 array, and whether all are finite.

    Returns:
        ``(values, finite)``: ``finite`` is ``True``/``False`` when known without a pass
        (stored integers are finite unless a fill value hit), ``None`` for stored floats.
    """
    raw = coding.stored(np.asarray(raw))
    out = np.empty(raw.shape, np.float32)  # always a new array: the caller owns it
    if coding.packed:
        wide = coding.wide(raw.dtype)
        flat, dst = raw.reshape(-1), out.reshape(-1)
        if wide == np.float32:
            np.copyto(dst, flat, casting="unsafe")
            if coding.scale is not None:
                dst *= coding.scale
            if coding.offset is not None:
                dst += coding.offset
        else:
            _unpack_in_blocks(flat, dst, coding, wide)
    else:
        np.copyto(out, raw, casting="unsafe")
    missing = False
    for f in coding.fills:
        hit = raw == f
        if hit.any():
            out[hit] = np.nan
            missing = True
    big = _default_fill_mask(raw)
    if big is not None:
        out[big] = np.nan
        missing = True
    # Decoded integers are finite unless a fill value hit: no isfinite pass needed.
    return out, ((not missing) if raw.dtype.kind in "iub" else None)


def _unpack_in_blocks(flat: np.ndarray, dst: np.ndarray, coding: CFCoding, wide) -> None:
    """``dst = float32(flat * scale + offset)``, computed in ``wide`` (float64).

    Unpacked in float64, as xarray does (a float32 product loses digits when the offset is
    large against the value), then rounded once to float32.

    Speed seam: block by block (each block stays in cache), bypassing the whole-array
    float64 temporaries of ``(flat.astype(wide) * scale + offset).astype(float32)``;
    ``tests/ingest/test_fast_paths.py::test_unpacking_in_blocks_is_the_whole_array_formula``
    holds it equal to that formula and to xarray's decoding, bit for bit, over several
    blocks (figure: docs/benchmarks.md).
    """
    block = np.empty(min(flat.size, _BLOCK), wide)
    for i in range(0, flat.size, _BLOCK):
        w = block[:min(_BLOCK, flat.size - i)]
        np.copyto(w, flat[i:i + w.size], casting="unsafe")
        if coding.scale is not None:
            w *= coding.scale
        if coding.offset is not None:
            w += coding.offset
        np.copyto(dst[i:i + w.size], w, casting="same_kind")


def decode_float64(raw: np.ndarray, coding: CFCoding) -> np.ndarray:
    """The decoded values of ``raw`` as float64 (a view of ``raw`` when nothing changes).

    Used on coordinates of any length: two reductions tell which masking passes can be
    skipped, so a long axis (100,000 time steps) costs a few passes, not one per rule.
    """
    raw = coding.stored(np.asarray(raw))
    values = np.asarray(raw, dtype="float64")
    if values.size == 0:
        return values
    lo, hi = values.min(), values.max()
    unknown = not (np.isfinite(lo) and np.isfinite(hi))
    mask = None
    for f in coding.fills:
        if unknown or lo <= float(np.asarray(f).astype(raw.dtype, casting="unsafe")) <= hi \
                or lo <= f <= hi:
            hit = raw == f
            mask = hit if mask is None else mask | hit
    if raw.dtype.kind == "f" and (unknown or lo <= -DEFAULT_FILL or hi >= DEFAULT_FILL):
        with np.errstate(invalid="ignore"):
            hit = np.abs(values) >= DEFAULT_FILL
        mask = hit if mask is None else mask | hit
    if coding.packed:
        values = values.astype(coding.wide(raw.dtype), copy=True)
        if coding.scale is not None:
            values *= coding.scale
        if coding.offset is not None:
            values += coding.offset
        values = values.astype("float64", copy=False)
    if mask is not None and mask.any():
        values = np.where(mask, np.nan, values)
    return values


def decode_native(raw: np.ndarray, coding: CFCoding) -> np.ndarray:
    """``raw`` itself when decoding changes nothing (a coordinate keeps its stored dtype, as
    in xarray), else :func:`decode_float64`."""
    stored = coding.stored(np.asarray(raw))
    if coding.packed or coding.unsigned is not None or stored.dtype.kind not in "fiub":
        return decode_float64(raw, coding) if stored.dtype.kind in "fiub" else stored
    if any((stored == f).any() for f in coding.fills) or _default_fill_mask(stored) is not None:
        return decode_float64(raw, coding)
    return stored
