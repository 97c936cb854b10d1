"""The coordinate-axis checks (fill masking, monotonicity, regular step) agree with their
plain definitions on every kind of axis, including the cases their fast paths skip."""

import math

import numpy as np
import pytest

from cubegraph.ingest.cubes import RawArray
from cubegraph.ingest.cubes.axes import monotonic as _monotonic
from cubegraph.ingest.cubes.axes import regular_step as _regular_step
from cubegraph.ingest.cubes.axes import values as _values


def reference_values(data, dtype, fill, missing):
    values = np.asarray(data, dtype="float64")
    for f in (fill, missing):
        if isinstance(f, (int, float)) and not (isinstance(f, float) and math.isnan(f)):
            values = np.where(values == f, np.nan, values)
    if np.issubdtype(np.dtype(dtype), np.floating):
        values = np.where(np.abs(values) >= 9.96e36, np.nan, values)
    return values


def reference_monotonic(values):
    if values.size < 2:
        return None
    diffs = np.diff(values)
    direction = np.sign(diffs[diffs != 0][0]) if np.any(diffs != 0) else 1
    bad = np.nonzero(np.sign(diffs) != direction)[0]
    return int(bad[0]) + 1 if bad.size else None


def reference_step(values):
    if values.size < 2:
        return None
    diffs = np.diff(values)
    step = diffs[0]
    if step == 0 or not np.all(np.isfinite(diffs)):
        return None
    return float(abs(step)) if np.allclose(diffs, step, rtol=1e-6, atol=abs(step) * 1e-6) else None


AXES = {
    "regular": np.arange(100_000, dtype="float64"),
    "decreasing": np.arange(50.0, -50.0, -0.25),
    "fill inside the range": np.array([0.0, 1.0, -999.0, 3.0]),
    "fill outside the range": np.array([0.0, 1.0, 2.0, 3.0]),
    "netCDF default fill": np.array([0.0, 1.0, 9.969209968386869e36, 3.0]),
    "NaN": np.array([0.0, np.nan, 2.0]),
    "infinity": np.array([0.0, 1.0, np.inf]),
    "repeated value": np.array([0.0, 1.0, 1.0, 2.0]),
    "turns back": np.array([0.0, 1.0, 2.0, 1.5, 3.0]),
    "almost regular": np.array([0.0, 1.0, 2.0000001, 3.0]),
    "irregular": np.array([0.0, 31.0, 59.0, 90.0]),
    "one value": np.array([5.0]),
    "empty": np.array([], dtype="float64"),
}


@pytest.mark.parametrize("name", list(AXES))
def test_axis_checks_match_their_definitions(name):
    data = AXES[name]
    arr = RawArray(name="x", dims=("x",), shape=data.shape, dtype="float64", chunks=None,
                   fill_value=-999.0, attrs={"missing_value": 1e20}, load=lambda: data)
    values = _values(arr)
    np.testing.assert_array_equal(values, reference_values(data, "float64", -999.0, 1e20))
    finite = values[np.isfinite(values)]
    assert _monotonic(finite) == reference_monotonic(finite)
    assert _regular_step(finite) == reference_step(finite)
    diffs = np.diff(finite)
    assert _monotonic(finite, diffs) == reference_monotonic(finite)
    assert _regular_step(finite, diffs) == reference_step(finite)


def test_unwritable_single_chunk_values_are_only_read():
    data = np.frombuffer(np.arange(4, dtype="<f8").tobytes(), dtype="<f8")  # read-only
    arr = RawArray(name="t", dims=("t",), shape=(4,), dtype="float64", chunks=(4,),
                   fill_value=2.0, attrs={}, load=lambda: data)
    np.testing.assert_array_equal(_values(arr), [0.0, 1.0, np.nan, 3.0])
    np.testing.assert_array_equal(data, [0.0, 1.0, 2.0, 3.0])
