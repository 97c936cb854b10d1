"""The parts of a cube's description about arrays other than its data variables and
dimensions, and about what ingest noticed: scalar coordinates (CF 5.7) and the notes, DQV
quality annotations on the variable, dimension or array they are about, citing their rule.

Written as N-Triples lines into the description's :class:`Lines`, as the rest of
:func:`~cubegraph.kg.records.cube.describe_triples` is.
"""

from __future__ import annotations

from cubegraph.kg.iris import Iris
from cubegraph.kg.records._ntriples import CG, DCTERMS, DQV, OA, RDF, Lines, date_time, iri, lit, num
from cubegraph.kg.records.cube_metadata import CubeMetadata
from cubegraph.ontology.cf_rules import rule_for

__all__ = ["describe_scalar_coordinates", "describe_coordinate_attributes", "describe_notes"]


def describe_scalar_coordinates(g: Lines, iris: Iris, slug: str, cube, meta: CubeMetadata) -> None:
    """The cube's scalar coordinates (CF 5.7): one value each, on no dimension."""
    add = g.add
    for coord in meta.scalar_coordinates:
        c = iri(iris.variable(slug, coord.name))
        add((cube, CG.scalarCoordinate, c))
        add((c, RDF.type, CG.ScalarCoordinate))
        add((c, CG.arrayName, lit(coord.name)))
        describe_coordinate_attributes(g, c, coord)
        if isinstance(coord.value, str):
            add((c, CG.value, date_time(coord.value)))
        elif coord.value is not None:
            add((c, CG.value, num(coord.value)))


def describe_coordinate_attributes(g: Lines, node: str, coord) -> None:
    """What a coordinate's attributes say, as written: axis, units, standard name, calendar
    and direction (a :class:`DimensionMetadata` or a :class:`ScalarCoordinate`)."""
    for prop, value in ((CG.axis, coord.axis), (CG.unitsString, coord.units),
                        (CG.standardName, coord.standard_name), (CG.calendar, coord.calendar),
                        (CG.positive, coord.positive)):
        if value:
            g.add((node, prop, lit(value)))


def describe_notes(g: Lines, iris: Iris, slug: str, cube, meta: CubeMetadata) -> None:
    """Each note of ``meta`` as ``{cube}/note/N``, numbered in the order ingest found them."""
    add = g.add
    # a variable's name first, then a dimension's, then another array's of the file
    names = {v.name for v in meta.variables}
    dimensions = {d.name for d in meta.dimensions}
    arrays = ({c.name for c in meta.scalar_coordinates} | {d.bounds for d in meta.dimensions}
              | {n for v in meta.variables for _, n in v.cell_measures}) - {None}
    for number, note in enumerate(meta.warnings, 1):
        if note.variable in names:
            target = iri(iris.variable(slug, note.variable))
        elif note.variable in dimensions:
            target = iri(iris.dimension(slug, note.variable))
        elif note.variable in arrays:
            target = iri(iris.variable(slug, note.variable))
        else:
            target = cube
        n = iri(iris.note(slug, number))
        add((n, RDF.type, DQV.QualityAnnotation))
        add((n, OA.hasTarget, target))
        add((n, OA.bodyValue, lit(note.message)))
        add((n, CG.noteCode, lit(note.code)))
        rule = rule_for(note.code)
        if rule is not None:
            add((n, DCTERMS.references, iri(rule.iri)))
