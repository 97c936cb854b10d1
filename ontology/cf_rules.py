"""The rule of the conventions that each kind of ingest note is about.

A note (``IngestWarning``: a code, a sentence, the variable) says what a file lacks or breaks;
its code names the rule here: the section of the CF conventions 1.11 (or of ACDD 1.3, or of
the CF standard name table) a data steward reads to fix it. The cube's description links the
note to that section (``dct:references``), so a catalog query can count notes per rule.

Codes not listed here are about cubegraph's own reading (a corrupt zarr member, a planted
ground truth) and cite nothing. ``docs/ingest.md`` lists every code beside its rule;
``tests/ontology/test_cf_rules.py`` keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CF_VERSION", "CF_DOCUMENT", "ACDD_DOCUMENT", "Rule", "NOTE_RULES", "rule_for"]

CF_VERSION = "1.11"
CF_DOCUMENT = f"https://cfconventions.org/Data/cf-conventions/cf-conventions-{CF_VERSION}/cf-conventions.html"
ACDD_DOCUMENT = "https://wiki.esipfed.org/Attribute_Convention_for_Data_Discovery_1-3"
_TABLE = "https://cfconventions.org/Data/cf-standard-names/current/build/cf-standard-name-table.html"


@dataclass(frozen=True)
class Rule:
    """One rule of a convention.

    Attributes:
        label: how a person cites it (``"CF 1.11 section 3.1 Units"``).
        iri: the section of the published document.
    """

    label: str
    iri: str


def _cf(section: str, title: str, anchor: str) -> Rule:
    return Rule(f"CF {CF_VERSION} section {section} {title}", f"{CF_DOCUMENT}#{anchor}")


_UNITS = _cf("3.1", "Units", "units")
_STANDARD_NAME = _cf("3.3", "Standard Name", "standard-name")
_TIME = _cf("4.4", "Time Coordinate", "time-coordinate")
_CALENDAR = _cf("4.4.1", "Calendar", "calendar")
_COORDINATES = _cf("5", "Coordinate Systems and Domain", "coordinate-system")
_GRID_MAPPING = _cf("5.6", "Horizontal Coordinate Reference Systems, Grid Mappings, and "
                    "Projections", "grid-mappings-and-projections")
_MISSING = _cf("2.5.1", "Missing data, valid and actual range of data", "missing-data")
_BOUNDS = _cf("7.1", "Cell Boundaries", "cell-boundaries")
_CELL_MEASURES = _cf("7.2", "Cell Measures", "cell-measures")
_LATITUDE = _cf("4.1", "Latitude Coordinate", "latitude-coordinate")
_ACDD = Rule("ACDD 1.3 (Attribute Convention for Data Discovery)", ACDD_DOCUMENT)

#: note code -> the rule it is about.
NOTE_RULES: dict[str, Rule] = {
    "no-units": _UNITS,
    "units-missing": _UNITS,
    "non-cf-units": _UNITS,
    "units-mismatch": _UNITS,
    "unknown-standard-name": Rule("CF standard name table", _TABLE),
    "standard-name-alias": Rule("CF standard name table (aliases)", _TABLE),
    "no-observable": _STANDARD_NAME,
    "observable-by-name": _STANDARD_NAME,
    "time-undecodable": _TIME,
    "time-all-fill": _TIME,
    "time-units-nonstandard": _TIME,
    "time-not-monotonic": _TIME,
    "time-not-gregorian": _CALENDAR,
    "time-from-auxiliary": _COORDINATES,
    "no-time-dimension": _TIME,
    "time-from-acdd": _ACDD,
    "missing-crs": _GRID_MAPPING,
    "no-true-latlon": _GRID_MAPPING,
    "no-spatial-extent": _LATITUDE,
    "spatial-extent-invalid": _LATITUDE,
    "coordinate-not-monotonic": _COORDINATES,
    "coordinate-all-fill": _MISSING,
    "coordinate-has-fill": _MISSING,
    "all-fill": _MISSING,
    "no-title": _ACDD,
    "bounds-missing": _BOUNDS,
    "bounds-shape": _BOUNDS,
    "cell-measure-missing": _CELL_MEASURES,
    "cell-measure-kind": _CELL_MEASURES,
    "cell-measure-is-data": _CELL_MEASURES,
    "cell-measure-syntax": _CELL_MEASURES,
    "bounds-and-climatology": _cf("7.4", "Climatological Statistics", "climatological-statistics"),
}


def rule_for(code: str) -> Rule | None:
    """The rule a note of kind ``code`` is about, ``None`` when it cites none."""
    return NOTE_RULES.get(code)
