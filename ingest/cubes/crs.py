"""The one CRS detector: which coordinate reference system a cube (or one variable) is in.

Precedence, first match wins (ingest's catalogue and ml's alignment both read it here):

1. the **grid mapping** a data variable names in its ``grid_mapping`` attribute (CF 1.11
   section 5.6); for a whole cube, the first data variable naming one that exists, else a
   grid-mapping variable nobody names (one with ``grid_mapping_name``, ``crs_wkt`` or
   ``spatial_ref``). Within it:

   a. an explicit **EPSG code** (``epsg_code``, ``EPSG`` or ``epsg``): an identifier, so
      nothing is left to interpret. It ranks above ``crs_wkt`` because CF ranks the
      single-property grid mapping attributes above the WKT: "in those situations where two
      values of a given property are different, then the value specified by the
      single-property attribute shall take precedence" (section 5.6, on ``crs_wkt``); the
      two should agree, and when they do not the explicit one is the producer's intent;
   b. ``crs_wkt`` (CF's OGC WKT), then ``spatial_ref`` (GDAL's copy of it);
   c. ``grid_mapping_name = latitude_longitude`` -> WGS 84 longitude/latitude (CRS84);
   d. any other ``grid_mapping_name``, written with its parameters (no authority code
      exists for it: a rotated pole, a custom Lambert projection).

2. **global attributes** that name a CRS outside CF (``crs``, ``crs_wkt``, ``spatial_ref``,
   ``epsg``, ``proj:epsg``), as rioxarray, GDAL and STAC writers leave them.

Every answer is normalised (:func:`normalise_crs`) to one form: an OGC IRI
(``http://www.opengis.net/def/crs/EPSG/0/4326``, ``.../OGC/1.3/CRS84``) whenever an EPSG code
or CRS84 can be read off it (also from a WKT's ``AUTHORITY``/``ID``), else the text. Compare
two with :func:`same_crs` (EPSG:4326 and CRS84 differ only in axis order, which a CF cube
states through its dimension names, so they are the same CRS for alignment).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from cubegraph.ingest.cubes.raw import RawArray, RawCube

__all__ = ["CRS84", "epsg_iri", "normalise_crs", "same_crs", "crs_label", "CrsFinding",
           "find_crs", "variable_crs", "grid_mapping_names"]

#: OGC IRI of WGS 84 longitude/latitude, the CRS of CF ``latitude_longitude`` grids.
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
_EPSG_PREFIX = "http://www.opengis.net/def/crs/EPSG/0/"
_WGS84 = _EPSG_PREFIX + "4326"
_GLOBAL_KEYS = ("crs", "crs_wkt", "spatial_ref", "epsg", "proj:epsg")
_MAPPING_KEYS = ("grid_mapping_name", "crs_wkt", "spatial_ref")

# A code alone ("4326"), EPSG:4326, epsg 4326, urn:ogc:def:crs:EPSG::4326, an EPSG IRI.
_CODE = re.compile(r"^\s*(?:(?:urn:ogc:def:crs:)?epsg:{0,2}\s*|https?://www\.opengis\.net/def/crs/"
                   r"epsg/0/)?(\d{3,6})\s*$", re.I)
_CRS84 = re.compile(r"^\s*(?:ogc:)?crs:?84\s*$|^\s*urn:ogc:def:crs:ogc:1\.3:crs84\s*$|"
                    r"^\s*https?://www\.opengis\.net/def/crs/ogc/1\.3/crs84\s*$", re.I)
# The authority of a WKT's outermost CRS: its last AUTHORITY (WKT1) or ID (WKT2) element.
_WKT_AUTHORITY = re.compile(r'(?:AUTHORITY|ID)\[\s*"EPSG"\s*,\s*"?(\d+)"?\s*\]\s*\]\s*$', re.I)
_WKT_GEOGRAPHIC_WGS84 = re.compile(r'^\s*(?:GEOGCS|GEOGCRS|GEODCRS)\[\s*"WGS[ _]?84"', re.I)


def epsg_iri(code: int | str) -> str:
    """OGC IRI of an EPSG CRS code (``4326`` -> ``.../EPSG/0/4326``)."""
    return f"{_EPSG_PREFIX}{str(code).split(':')[-1].strip()}"


def normalise_crs(value: Any) -> str | None:
    """One form for a CRS however it was written (see the module docstring); None if empty."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return epsg_iri(value)
    text = str(value).strip()
    if not text:
        return None
    if match := _CODE.match(text):
        return epsg_iri(match.group(1))
    if _CRS84.match(text) or text.lower() == "latitude_longitude":
        return CRS84
    if text.lower() in ("wgs84", "wgs 84"):
        return _WGS84
    if match := _WKT_AUTHORITY.search(text):
        return epsg_iri(match.group(1))
    if _WKT_GEOGRAPHIC_WGS84.match(text):
        return _WGS84  # an unprojected WGS 84 WKT without its authority code
    return text


def same_crs(a: str | None, b: str | None) -> bool:
    """Whether two normalised CRSs are the same for aligning CF grids (see module docstring)."""
    if a == b:
        return True
    return {a, b} == {_WGS84, CRS84}


def crs_label(crs: str | None) -> str | None:
    """A short name for messages: ``EPSG:2100``, ``CRS84``, else the text itself."""
    if crs is None:
        return None
    if crs.startswith(_EPSG_PREFIX):
        return "EPSG:" + crs[len(_EPSG_PREFIX):]
    if crs == CRS84:
        return "CRS84"
    return crs


def grid_mapping_names(value: Any) -> list[str]:
    """Variable names in a ``grid_mapping`` (or ``coordinates``, ``bounds``) attribute.

    ``"crs: lat lon"`` (the extended form, mapping: coordinates) names ``crs``; plain lists
    split on spaces.
    """
    if not isinstance(value, str):
        return []
    if ":" not in value:
        return [t for t in re.split(r"[\s:]+", value) if t]
    return [t.rstrip(":") for t in value.split() if t.endswith(":")]


def _from_mapping(attrs: dict[str, Any]) -> str | None:
    epsg = attrs.get("epsg_code") or attrs.get("EPSG") or attrs.get("epsg")
    if epsg:
        return normalise_crs(epsg)
    for key in ("crs_wkt", "spatial_ref"):
        if isinstance(attrs.get(key), str) and attrs[key].strip():
            return normalise_crs(attrs[key])
    name = attrs.get("grid_mapping_name")
    if name == "latitude_longitude":
        return CRS84
    if name:
        params = ", ".join(f"{k}={v}" for k, v in sorted(attrs.items())
                           if k != "grid_mapping_name" and not isinstance(v, list))
        return f"{name}({params})"
    return None


def _from_globals(attrs: dict[str, Any]) -> str | None:
    for key in _GLOBAL_KEYS:
        if attrs.get(key) not in (None, ""):
            return normalise_crs(attrs[key])
    return None


@dataclass
class CrsFinding:
    """The CRS of a cube and how it was found.

    Attributes:
        crs: the normalised CRS, ``None`` when the cube declares none.
        grid_mapping_name: CF ``grid_mapping_name`` of the grid mapping used, if any.
        mapping: name of the grid-mapping variable used, if any.
        notes: ``(code, message, variable)`` warnings (a named mapping that is absent;
            no CRS at all).
    """

    crs: str | None = None
    grid_mapping_name: str | None = None
    mapping: str | None = None
    notes: list[tuple[str, str, str | None]] = field(default_factory=list)


def find_crs(raw: RawCube, data_arrays: Iterable[RawArray]) -> CrsFinding:
    """The CRS of a cube whose data variables are ``data_arrays``, by the precedence above."""
    found = CrsFinding()
    mapping = None
    for arr in data_arrays:
        for name in grid_mapping_names(arr.attrs.get("grid_mapping")):
            if name in raw.arrays:
                mapping = raw.arrays[name]
                break
            found.notes.append(
                ("missing-crs",
                 f"variable {arr.name!r} names grid mapping {name!r}, which is not in the cube",
                 arr.name))
        if mapping is not None:
            break
    if mapping is None:
        # An unreferenced grid-mapping variable still says it.
        mapping = next((a for a in raw.arrays.values()
                        if any(k in a.attrs for k in _MAPPING_KEYS)), None)
    if mapping is not None:
        found.mapping = mapping.name
        found.grid_mapping_name = mapping.attrs.get("grid_mapping_name")
        found.crs = _from_mapping(mapping.attrs)
        return found
    found.crs = _from_globals(raw.attrs)
    if found.crs is None:
        found.notes.append(
            ("missing-crs",
             "no grid mapping (CRS) variable: latitude/longitude coordinates, if any, are taken "
             "as WGS 84 (CRS84); add a grid_mapping variable to state the CRS", None))
    return found


def variable_crs(raw: RawCube, name: str, data_arrays: Iterable[RawArray]) -> str | None:
    """The CRS of variable ``name``: its own grid mapping, else the cube's (:func:`find_crs`)."""
    for gm in grid_mapping_names(raw.arrays[name].attrs.get("grid_mapping")):
        if gm in raw.arrays:
            return _from_mapping(raw.arrays[gm].attrs)
    return find_crs(raw, data_arrays).crs
