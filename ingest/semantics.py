"""What each variable means: CF standard names checked, observables and QUDT units chosen.

This step sits between reading (:mod:`~cubegraph.ingest.cubes`) and describing
(:mod:`~cubegraph.kg.records.cube`). It owns the rules that turn raw attributes into links,
and it never guesses silently: every name not in the CF table, every alias resolved, every
observable chosen from a short name rather than a CF name, every units string that is not
CF or cannot fit the quantity becomes a warning naming the variable and the value.
"""

from __future__ import annotations

from functools import lru_cache

from cubegraph.ingest.cf_units import NONSTANDARD_SPELLINGS, lookup_unit, quantity_kind, qudt_unit_iri
from cubegraph.kg.records.cube_metadata import CubeMetadata, VariableMetadata
from cubegraph.ontology.cf_table import CFTable, parse_standard_name
from cubegraph.ontology.phenomena import observable_for

__all__ = ["resolve_semantics"]

# Quantity kinds implied by words of a standard name the table does not know: enough to
# catch "N" on something called a temperature without pretending to know the name.
_KIND_WORDS = {
    "temperature": "temperature",
    "pressure": "pressure",
    "speed": "speed",
    "velocity": "speed",
}


# Per-string answers are cached: a catalogue repeats the same few names and units strings
# thousands of times, and each answer depends on the strings alone (the ontology and the
# units table are fixed for the life of the process).
@lru_cache(maxsize=4096)
def _observable_match(standard_name: str | None, name: str | None, long_name: str | None):
    """:func:`observable_for` of these strings, once per process.

    Speed seam: bypasses the phenomenon lookup for strings already asked about;
    ``tests/ingest/test_fast_paths.py::test_cached_semantic_lookups_are_the_lookups``
    holds each answer equal to a fresh lookup.
    """
    return observable_for(standard_name=standard_name, name=name, long_name=long_name)


@lru_cache(maxsize=4096)
def _unit(units: str):
    """``(UnitInfo or None, QUDT unit IRI text or None)`` for a units string.

    Speed seam: cached per string, bypassing the units parse for strings already asked
    about; ``tests/ingest/test_fast_paths.py::test_cached_semantic_lookups_are_the_lookups``
    holds each answer equal to a fresh lookup.
    """
    iri = qudt_unit_iri(units)
    return lookup_unit(units), (str(iri) if iri is not None else None)


def resolve_semantics(meta: CubeMetadata, table: CFTable | None = None) -> CubeMetadata:
    """Fill the semantic fields of every variable of ``meta`` (in place) and return it.

    Args:
        meta: a cube read by a reader.
        table: the CF standard name table (the bundled v93 table by default).

    Returns:
        ``meta`` itself, with ``cf_name``, ``alias_given``, ``standard_name_modifier``,
        ``observable``, ``observable_how`` and ``qudt_unit`` set on each variable and the
        warnings added.
    """
    table = table or CFTable.load()
    for var in meta.variables:
        _standard_name(meta, var, table)
        _observable(meta, var)
        _units(meta, var, table)
    if meta.title is None:
        meta.warn(
            "no-title",
            f"no 'title' global attribute: the file name {meta.path.name!r} is used as the "
            "title; add an ACDD 'title' attribute",
        )
    return meta


def _standard_name(meta: CubeMetadata, var: VariableMetadata, table: CFTable) -> None:
    if not var.standard_name or not var.standard_name.strip():
        return
    name, modifier = parse_standard_name(var.standard_name)
    var.standard_name_modifier = modifier
    if name not in table:
        extra = ""
        words = var.standard_name.split()
        if len(words) == 2 and words[0] in table:
            extra = f" ({words[1]!r} is not a CF modifier)"
        meta.warn(
            "unknown-standard-name",
            f"variable {var.name!r}: standard_name {var.standard_name!r} is not in the CF "
            f"standard name table v{table.version}{extra}: kept as written (cg:standardName), "
            "not mapped to a CF name",
            var.name,
        )
        return
    current, alias = table.resolve(name)
    var.cf_name = current
    if alias is not None:
        var.alias_given = alias
        meta.warn(
            "standard-name-alias",
            f"variable {var.name!r}: standard_name {alias!r} is an alias of {current!r} in "
            f"the CF standard name table v{table.version}: resolved to {current!r}",
            var.name,
        )


def _observable(meta: CubeMetadata, var: VariableMetadata) -> None:
    match = _observable_match(var.standard_name, var.name, var.long_name)
    if match is None and var.standard_name_modifier and var.cf_name:
        # CF 3.3: a modifier makes the variable data *about* the quantity (its status flag,
        # standard error, count of observations), not a measurement of it: cg:isAbout, the
        # relation a model's prediction has to its target's property, and no note.
        about = _observable_match(var.cf_name, None, None)
        if about is not None:
            var.about = str(about.observable)
            return
    if match is None:
        if var.standard_name_modifier:
            why = (f"its standard_name carries the modifier {var.standard_name_modifier!r} "
                   "(data about a quantity, not a measurement of it)")
        elif var.standard_name and var.cf_name is None:
            why = "its standard_name is not a CF name"
        else:
            why = "no CF standard_name, and neither its name nor its long_name is known"
        meta.warn(
            "no-observable",
            f"variable {var.name!r}: no observable property found ({why}): cg:measures "
            "not written",
            var.name,
        )
        return
    var.observable = str(match.observable)
    var.observable_how = match.how
    if var.cf_name is None:
        # Chosen from a short or long name, not from a CF name: say so on the record.
        meta.warn(
            "observable-by-name",
            f"variable {var.name!r}: no CF standard_name; cg:measures chosen by {match.how}",
            var.name,
        )


def _no_units(meta: CubeMetadata, var: VariableMetadata, table: CFTable) -> None:
    """A variable without ``units``: recorded without any (never a made-up ``"1"``).

    CF 1.11 section 3.1 requires units only of dimensional quantities: flag variables
    (section 3.5), strings, status flags and counts, and dimensionless quantities may have
    none. A note is written only where the file's own standard name says the quantity has
    units, or where nothing says whether it has.
    """
    if (var.dtype == "str" or var.standard_name_modifier in _UNITLESS_MODIFIERS
            or any(k in var.attrs for k in ("flag_values", "flag_masks", "flag_meanings"))):
        return
    canonical = table.canonical_units(var.cf_name) if var.cf_name is not None else None
    if canonical is None:
        meta.warn(
            "no-units",
            f"variable {var.name!r} has no units attribute and no CF standard name saying "
            "what it is: CF reads it as dimensionless (CF 1.11 section 3.1); add 'units' if it "
            "has any",
            var.name,
        )
    elif canonical not in ("", "1"):
        scaled = quantity_kind(canonical) is None and _is_number(canonical)
        why = (f"a missing units attribute reads as '1', not {canonical!r}" if scaled else
               "CF 1.11 section 3.1 requires units on a dimensional quantity")
        meta.warn(
            "units-missing",
            f"variable {var.name!r} has no units attribute, but its standard name "
            f"{var.cf_name!r} has canonical units {canonical!r}: {why}; recorded without "
            "units, add the 'units' attribute",
            var.name,
        )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _expected_kind(var: VariableMetadata, table: CFTable) -> tuple[str | None, str]:
    if var.standard_name_modifier:
        return None, ""  # counts, standard errors, flags have their own units
    if var.cf_name is not None:
        canonical = table.canonical_units(var.cf_name)
        kind = quantity_kind(canonical) if canonical is not None else None
        return kind, f"canonical units {canonical!r} of {var.cf_name!r}"
    text = (var.standard_name or "").lower()
    if " " in text.strip():
        return None, ""  # "<name> data_quality" and the like: not the quantity itself
    for word, kind in _KIND_WORDS.items():
        if word in text:
            return kind, f"standard name {var.standard_name!r}"
    return None, ""


# Modifiers (CF 1.11 Appendix C) whose data have no units or are counts.
_UNITLESS_MODIFIERS = {"status_flag", "number_of_observations"}


def _units(meta: CubeMetadata, var: VariableMetadata, table: CFTable) -> None:
    if var.units is None:
        _no_units(meta, var, table)
        return
    info, qudt_unit = _unit(var.units)
    if info is None:
        meta.warn(
            "non-cf-units",
            f"variable {var.name!r}: units {var.units!r} are not known CF/UDUNITS units: "
            "kept as cg:unitsString only, no QUDT unit",
            var.name,
        )
        return
    var.qudt_unit = qudt_unit
    if var.units.strip() in NONSTANDARD_SPELLINGS:
        meta.warn(
            "non-cf-units",
            f"variable {var.name!r}: units {var.units!r} are not a UDUNITS spelling (read as "
            f"{info.qudt}); prefer the CF spelling",
            var.name,
        )
    expected, source = _expected_kind(var, table)
    if expected is not None and info.kind != expected and not (
        {expected, info.kind} <= {"angle", "latitude", "longitude"}
    ):
        meta.warn(
            "units-mismatch",
            f"variable {var.name!r}: units {var.units!r} ({info.kind}) cannot be those of a "
            f"{expected} ({source}): check the units attribute",
            var.name,
        )
