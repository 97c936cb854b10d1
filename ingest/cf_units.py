"""A small, explicit table from CF/UDUNITS units strings to QUDT units and quantity kinds.

Why a table and not a units library: cubegraph needs two answers only, "which QUDT unit IRI
is this?" and "is this a temperature, a pressure, a speed...?" (to catch units that cannot fit
a standard name, such as ``N`` on a temperature). A table answers both predictably, offline,
and reviewably. A string that is not in the table is not guessed: the variable keeps its raw
string (``cg:unitsString``, always written) and ingest reports it as a warning.
"""

from __future__ import annotations

import re

from cubegraph.ontology.namespaces import UNIT

__all__ = ["UnitInfo", "lookup_unit", "quantity_kind", "qudt_unit_iri", "NONSTANDARD_SPELLINGS"]


class UnitInfo(tuple):
    """``(qudt_local_name_or_None, kind)`` for one units spelling."""

    __slots__ = ()

    def __new__(cls, qudt: str | None, kind: str):
        return super().__new__(cls, (qudt, kind))

    @property
    def qudt(self) -> str | None:
        return self[0]

    @property
    def kind(self) -> str:
        return self[1]


# Spelling -> (QUDT unit local name, quantity kind). Keys are compared after
# normalisation (see _normalise): whitespace collapsed, "." and "*" as product, "^" and "**"
# dropped before exponents, so "m s-1", "m.s-1", "m s^-1" are one key.
_TABLE: dict[str, UnitInfo] = {
    # temperature
    "K": UnitInfo("K", "temperature"),
    "kelvin": UnitInfo("K", "temperature"),
    "degC": UnitInfo("DEG_C", "temperature"),
    "deg_C": UnitInfo("DEG_C", "temperature"),
    "degree_Celsius": UnitInfo("DEG_C", "temperature"),
    "degrees_Celsius": UnitInfo("DEG_C", "temperature"),
    "celsius": UnitInfo("DEG_C", "temperature"),
    "Celsius": UnitInfo("DEG_C", "temperature"),
    "C": UnitInfo("DEG_C", "temperature"),
    "degF": UnitInfo("DEG_F", "temperature"),
    "degree_C": UnitInfo("DEG_C", "temperature"),
    "degrees_C": UnitInfo("DEG_C", "temperature"),
    # pressure
    "Pa": UnitInfo("PA", "pressure"),
    "hPa": UnitInfo("HectoPA", "pressure"),
    "kPa": UnitInfo("KiloPA", "pressure"),
    "mbar": UnitInfo("MilliBAR", "pressure"),
    "millibar": UnitInfo("MilliBAR", "pressure"),
    "millibars": UnitInfo("MilliBAR", "pressure"),
    "bar": UnitInfo("BAR", "pressure"),
    # length
    "m": UnitInfo("M", "length"),
    "meter": UnitInfo("M", "length"),
    "meters": UnitInfo("M", "length"),
    "metre": UnitInfo("M", "length"),
    "metres": UnitInfo("M", "length"),
    "km": UnitInfo("KiloM", "length"),
    "cm": UnitInfo("CentiM", "length"),
    "mm": UnitInfo("MilliM", "length"),
    # area
    "m2": UnitInfo("M2", "area"),
    "km2": UnitInfo("KiloM2", "area"),
    "ha": UnitInfo("HA", "area"),
    # speed
    "m s-1": UnitInfo("M-PER-SEC", "speed"),
    "m/s": UnitInfo("M-PER-SEC", "speed"),
    "km h-1": UnitInfo("KiloM-PER-HR", "speed"),
    "mm yr-1": UnitInfo("MilliM-PER-YR", "speed"),
    "mm/yr": UnitInfo("MilliM-PER-YR", "speed"),
    # dimensionless
    "1": UnitInfo("UNITLESS", "dimensionless"),
    "": UnitInfo("UNITLESS", "dimensionless"),
    "%": UnitInfo("PERCENT", "dimensionless"),
    "percent": UnitInfo("PERCENT", "dimensionless"),
    "m2 m-2": UnitInfo("M2-PER-M2", "dimensionless"),
    "m3 m-3": UnitInfo("M3-PER-M3", "dimensionless"),
    "count": UnitInfo("NUM", "dimensionless"),
    "mol mol-1": UnitInfo("MOL-PER-MOL", "dimensionless"),
    "ppm": UnitInfo("PPM", "dimensionless"),
    "ppb": UnitInfo("PPB", "dimensionless"),
    "1e-9": UnitInfo("PPB", "dimensionless"),
    "1e-6": UnitInfo("PPM", "dimensionless"),
    "1e-3": UnitInfo("PPTH", "dimensionless"),  # CF's salinity (sea_water_salinity, CF <1.9)
    "0.001": UnitInfo("PPTH", "dimensionless"),
    # mass per area, fluxes, concentrations
    "kg m-2": UnitInfo("KiloGM-PER-M2", "mass_per_area"),
    "kg m-2 s-1": UnitInfo("KiloGM-PER-M2-SEC", "mass_flux"),
    "mm day-1": UnitInfo("MilliM-PER-DAY", "speed"),
    "mm/day": UnitInfo("MilliM-PER-DAY", "speed"),
    "mm d-1": UnitInfo("MilliM-PER-DAY", "speed"),
    "W m-2": UnitInfo("W-PER-M2", "energy_flux"),
    "mol m-2": UnitInfo("MOL-PER-M2", "amount_per_area"),
    "kg m-3": UnitInfo("KiloGM-PER-M3", "mass_concentration"),
    "ug m-3": UnitInfo("MicroGM-PER-M3", "mass_concentration"),
    "km-2": UnitInfo("PER-KiloM2", "per_area"),
    "km km-2": UnitInfo("KiloM-PER-KiloM2", "per_length"),
    # angles
    "degree": UnitInfo("DEG", "angle"),
    "degrees": UnitInfo("DEG", "angle"),
    "rad": UnitInfo("RAD", "angle"),
    "radian": UnitInfo("RAD", "angle"),
    "degrees_north": UnitInfo("DEG", "latitude"),
    "degree_north": UnitInfo("DEG", "latitude"),
    "degrees_N": UnitInfo("DEG", "latitude"),
    "degree_N": UnitInfo("DEG", "latitude"),
    "degrees_east": UnitInfo("DEG", "longitude"),
    "degree_east": UnitInfo("DEG", "longitude"),
    "degrees_E": UnitInfo("DEG", "longitude"),
    "degree_E": UnitInfo("DEG", "longitude"),
    # time spans
    "s": UnitInfo("SEC", "time"),
    "second": UnitInfo("SEC", "time"),
    "seconds": UnitInfo("SEC", "time"),
    "min": UnitInfo("MIN", "time"),
    "h": UnitInfo("HR", "time"),
    "hour": UnitInfo("HR", "time"),
    "hours": UnitInfo("HR", "time"),
    "day": UnitInfo("DAY", "time"),
    "days": UnitInfo("DAY", "time"),
    # force (valid UDUNITS, wrong for most geophysical fields: kept so mismatches show)
    "N": UnitInfo("N", "force"),
}

#: Spellings that UDUNITS does not accept although they are common in the wild. Ingest keeps
#: them (they are in the table above) but reports them as non-CF units.
NONSTANDARD_SPELLINGS = frozenset({"C", "deg_C", "count", "degrees_true", "ug m-3"})

# Angle spellings for directions that UDUNITS rejects but that are unambiguous.
_TABLE["degrees_true"] = UnitInfo("DEG", "angle")

_EXPONENT = re.compile(r"(\*\*|\^)")
_SPACES = re.compile(r"\s+")


def _normalise(units: str) -> str:
    text = _EXPONENT.sub("", units.strip())
    text = text.replace(".", " ").replace("*", " ") if not re.fullmatch(r"[0-9.e+-]+", text) else text
    return _SPACES.sub(" ", text)


def lookup_unit(units: str | None) -> UnitInfo | None:
    """The table entry for a units string, or ``None`` when it is not in the table.

    ``"m s-1"``, ``"m.s-1"`` and ``"m s^-1"`` are the same key. Time units with an epoch
    (``"days since 1970-01-01"``) are time instants, not spans: they return ``None``.

    Args:
        units: a CF/UDUNITS units string.
    """
    if units is None:
        return None
    if " since " in units:
        return None
    return _TABLE.get(units.strip()) or _TABLE.get(_normalise(units))


def quantity_kind(units: str | None) -> str | None:
    """The quantity kind (``"temperature"``, ``"pressure"``, ...) of a units string, if known."""
    info = lookup_unit(units)
    return info.kind if info else None


def qudt_unit_iri(units: str | None):
    """The QUDT unit IRI (``unit:K``) of a units string, or ``None`` when not in the table."""
    info = lookup_unit(units)
    if info is None or info.qudt is None:
        return None
    return UNIT[info.qudt]
