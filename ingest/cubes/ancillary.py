"""The arrays of a cube that are neither data nor dimension coordinates, described as what
they are: cell bounds (CF 7.1, climatological bounds 7.4), cell measures (CF 7.2) and scalar
coordinates (CF 5.7).

None of them is a measure of the cube and none needs units of its own (bounds take their
coordinate's). What the conventions require of them and a file does not give becomes a note
naming the array and the rule; the cube is still described.
"""

from __future__ import annotations

import numpy as np

from cubegraph.ingest.cubes.axes import values
from cubegraph.ingest.cubes.classify import axis, cell_measures
from cubegraph.ingest.cubes.crs import grid_mapping_names
from cubegraph.ingest.cubes.raw import RawArray, RawCube
from cubegraph.ingest.cubes.times import decode_dates, is_time_units, iso
from cubegraph.kg.records.cube_metadata import (
    CubeMetadata,
    DimensionMetadata,
    ScalarCoordinate,
    VariableMetadata,
)

__all__ = ["bounds_of", "cell_measures_of", "scalar_coordinates", "MEASURE_KINDS"]

#: The kinds of cell measure CF 7.2 defines.
MEASURE_KINDS = ("area", "volume")


def bounds_of(meta: CubeMetadata, raw: RawCube, dim: DimensionMetadata, coord: RawArray) -> None:
    """Record the bounds variable a coordinate names, or note why it cannot be used.

    CF 7.1: a ``bounds`` (or ``climatology``) attribute names a variable of the file whose
    dimensions are the coordinate's plus one, the vertices of each cell.
    """
    for key in ("climatology", "bounds"):
        named = grid_mapping_names(coord.attrs.get(key))
        if not named:
            continue
        name = named[0]
        bounds = raw.arrays.get(name)
        if bounds is None:
            meta.warn(
                "bounds-missing",
                f"coordinate {coord.name!r} names {name!r} as its {key} variable, which is "
                "not in the file: its cells have no recorded edges",
                dim.name,
            )
            return
        if len(bounds.dims) != len(coord.dims) + 1 or bounds.dims[:len(coord.dims)] != coord.dims:
            meta.warn(
                "bounds-shape",
                f"{key} variable {name!r} of coordinate {coord.name!r} has dimensions "
                f"{list(bounds.dims)}; CF wants the coordinate's {list(coord.dims)} and one "
                "more (the vertices of a cell)",
                dim.name,
            )
        dim.bounds, dim.climatology = name, key == "climatology"
        return


def cell_measures_of(meta: CubeMetadata, raw: RawCube, var: VariableMetadata) -> None:
    """Record a data variable's cell measures (CF 7.2), noting the ones the file lacks."""
    external = set(grid_mapping_names(raw.attrs.get("external_variables")))
    for kind, name in cell_measures(var.attrs.get("cell_measures")):
        if kind not in MEASURE_KINDS:
            meta.warn(
                "cell-measure-kind",
                f"variable {var.name!r}: cell_measures names {name!r} as its {kind!r}; CF "
                f"knows only {' and '.join(repr(k) for k in MEASURE_KINDS)}",
                var.name,
            )
            continue
        known = {n: k for v in meta.variables for k, n in v.cell_measures}
        if known.get(name, kind) != kind:
            meta.warn(
                "cell-measure-kind",
                f"variable {var.name!r}: cell_measures names {name!r} as its {kind!r}, which "
                f"another variable names as its {known[name]!r}: kept as the {known[name]!r}",
                var.name,
            )
            continue
        if name not in raw.arrays and name not in external:
            meta.warn(
                "cell-measure-missing",
                f"variable {var.name!r}: its cell {kind} {name!r} is neither in the file nor "
                "listed in the global attribute 'external_variables'",
                var.name,
            )
        var.cell_measures.append((kind, name))


def scalar_coordinates(meta: CubeMetadata, raw: RawCube, data: list[RawArray]) -> None:
    """Describe the scalar coordinates: arrays of no dimension that the data variables name
    in their ``coordinates`` attribute, or that say their axis."""
    named = {c for arr in data for c in grid_mapping_names(arr.attrs.get("coordinates"))}
    for arr in raw.arrays.values():
        if arr.dims != () or (arr.name not in named and axis(arr) is None):
            continue
        a = arr.attrs
        coord = ScalarCoordinate(
            name=arr.name,
            axis=axis(arr),
            units=a.get("units") if isinstance(a.get("units"), str) else None,
            standard_name=a.get("standard_name") if isinstance(a.get("standard_name"), str)
            else None,
        )
        vals = values(arr)
        if vals is not None and vals.size == 1 and vals.ravel()[0] == vals.ravel()[0]:
            number = float(vals.ravel()[0])
            coord.value = number
            if coord.axis == "T" and is_time_units(coord.units):
                coord.value = _date(number, coord.units, a.get("calendar"))
        meta.scalar_coordinates.append(coord)


def _date(number: float, units: str, calendar) -> str | None:
    """ISO text of one CF time value; None when it cannot be decoded (the extent's notes say
    why)."""
    try:
        return iso(decode_dates(np.array([number]), units, calendar if isinstance(calendar, str) else None)[0])
    except (ValueError, OverflowError, TypeError, IndexError):
        return None
