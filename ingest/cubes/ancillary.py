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
from cubegraph.ingest.cubes.classify import axis, named_pairs
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

    CF 7.1: a ``bounds`` attribute names a variable of the file whose dimensions are the
    coordinate's plus one, the vertices of each cell (two for a 1-D coordinate); CF 7.4: a
    time coordinate of climatological statistics names its bounds ``climatology`` instead,
    never both. The variable recorded is the one :func:`bounds_array` gives the extents.
    """
    named = {key: _first(coord.attrs.get(key)) for key in ("climatology", "bounds")}
    if named["climatology"] and named["bounds"]:
        meta.warn(
            "bounds-and-climatology",
            f"coordinate {coord.name!r} has both 'climatology' ({named['climatology']!r}) and "
            f"'bounds' ({named['bounds']!r}); CF 7.4 allows one: the climatology is used "
            "when it can be",
            dim.name,
        )
    for key, name in named.items():
        if name is None:
            continue
        bounds = raw.arrays.get(name)
        if bounds is None:
            meta.warn(
                "bounds-missing",
                f"coordinate {coord.name!r} names {_quote(name)} as its {key} variable, which "
                "is not in the file: its cells have no recorded edges",
                dim.name,
            )
        elif not _bounds_shape(bounds, coord):
            meta.warn(
                "bounds-shape",
                f"{key} variable {name!r} of coordinate {coord.name!r} has dimensions "
                f"{list(bounds.dims)} (shape {list(bounds.shape)}); CF wants the "
                f"coordinate's {list(coord.dims)} and one more, the vertices of a cell"
                f"{' (two for a 1-D coordinate)' if len(coord.dims) == 1 else ''}: not used",
                dim.name,
            )
    found = bounds_array(raw, coord)
    if found is not None:
        dim.bounds, dim.climatology = found.name, found.name == named["climatology"]


def bounds_array(raw: RawCube, coord: RawArray) -> RawArray | None:
    """The cell bounds of ``coord`` that CF 7.1 lets a reader use: the ``climatology`` or
    else the ``bounds`` variable it names, when the file has it in the right shape; None
    otherwise. The one answer for the description and for the extents."""
    for key in ("climatology", "bounds"):
        bounds = raw.arrays.get(_first(coord.attrs.get(key)) or "")
        if bounds is not None and _bounds_shape(bounds, coord):
            return bounds
    return None


def _bounds_shape(bounds: RawArray, coord: RawArray) -> bool:
    n = len(coord.dims)
    return (bounds.name != coord.name and len(bounds.dims) == n + 1
            and bounds.dims[:n] == coord.dims and bounds.shape[-1] >= 2
            and (n != 1 or bounds.shape[-1] == 2))


def _first(value) -> str | None:
    named = grid_mapping_names(value)
    return named[0] if named else None


def _quote(name: str, limit: int = 80) -> str:
    """A name from the file, quoted, cut to ``limit`` characters (a note stays readable
    whatever an attribute holds)."""
    return repr(name if len(name) <= limit else name[:limit] + "...")


def cell_measures_of(meta: CubeMetadata, raw: RawCube, var: VariableMetadata,
                     data_names: set[str], kinds: dict[str, str]) -> None:
    """Record a data variable's cell measures (CF 7.2), noting the ones CF does not allow:
    an unknown kind, a name that is not a cell measure (itself, a data variable), one that
    is neither in the file nor in ``external_variables``, an attribute that names none.
    ``kinds`` (measure -> kind, the cube's so far) is filled as measures are recorded: one
    lookup a measure, whatever the number of variables."""
    external = set(grid_mapping_names(raw.attrs.get("external_variables")))
    text = var.attrs.get("cell_measures")
    pairs = named_pairs(text)
    if isinstance(text, str) and text.strip() and not pairs:
        meta.warn(
            "cell-measure-syntax",
            f"variable {var.name!r}: cell_measures {_quote(text)} names no measure; CF 7.2 "
            "writes 'area: <variable>' or 'volume: <variable>'",
            var.name,
        )
    for kind, name in pairs:
        if kind not in MEASURE_KINDS:
            meta.warn(
                "cell-measure-kind",
                f"variable {var.name!r}: cell_measures names {_quote(name)} as its "
                f"{_quote(kind)}; CF knows only {' and '.join(repr(k) for k in MEASURE_KINDS)}",
                var.name,
            )
            continue
        if name == var.name or name in data_names:
            meta.warn(
                "cell-measure-is-data",
                f"variable {var.name!r}: cell_measures names {_quote(name)} as its cell "
                f"{kind}, but {'that is the variable itself' if name == var.name else 'that is a data variable (its standard name is not cell_area / cell_volume)'}: "
                "not recorded as a cell measure",
                var.name,
            )
            continue
        if kinds.get(name, kind) != kind:
            meta.warn(
                "cell-measure-kind",
                f"variable {var.name!r}: cell_measures names {name!r} as its {kind!r}, which "
                f"another variable names as its {kinds[name]!r}: kept as the {kinds[name]!r}",
                var.name,
            )
            continue
        if name not in raw.arrays and name not in external:
            # only a note: a name the file does not hold mints nothing in the catalogue
            meta.warn(
                "cell-measure-missing",
                f"variable {var.name!r}: its cell {kind} {_quote(name)} is neither in the "
                "file nor listed in the global attribute 'external_variables'",
                var.name,
            )
            continue
        kinds[name] = kind
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
        if isinstance(a.get("calendar"), str):
            coord.calendar = a["calendar"]
        if str(a.get("positive", "")).strip().lower() in ("up", "down"):
            coord.positive = str(a["positive"]).strip().lower()
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
