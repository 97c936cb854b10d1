"""The variable noun: a data variable of a catalogued cube.

A variable is described inside its cube's named graph (see :mod:`cubegraph.kg.records.cube`).
Layout (``{cube}`` = ``iris.cube(slug)``)::

    {cube}/variable/{name}   cg:Variable, qb:MeasureProperty: cg:variableName, rdfs:label,
                             cg:standardName, cg:measures (what it observes), cg:unitsString,
                             qudt:unit, cg:dtype, cg:shape, cg:chunks, cg:fillValue,
                             cg:hasDimension, prov:wasDerivedFrom, demo ground truth,
                             statistics; the cube links it with cg:hasVariable
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from rdflib import URIRef

from cubegraph.kg.iris import Iris
from cubegraph.kg.records._ntriples import CG, PROV, QB, QUDT, RDF, RDFS, Lines, bnode, iri, lit, num
from cubegraph.kg.records._sparql import PREFIXES
from cubegraph.kg.records.cube_metadata import VariableMetadata

__all__ = ["describe_variable", "variable_sources"]


def describe_variable(g: Lines, iris: Iris, slug: str, cube: str, dsd: str,
                      var: VariableMetadata) -> None:
    """Add the triples of data variable ``var`` of cube ``cube`` to ``g`` (N-Triples terms).

    ``dsd`` is the cube's data structure definition, which lists the variable as a measure.
    """
    add = g.add
    v = iri(iris.variable(slug, var.name))
    add((cube, CG.hasVariable, v))
    component = bnode()
    add((dsd, QB.component, component))
    add((component, QB.measure, v))
    add((v, RDF.type, CG.Variable))
    add((v, RDF.type, QB.MeasureProperty))
    add((v, CG.variableName, lit(var.name)))
    if var.long_name:
        add((v, RDFS.label, lit(var.long_name)))
    if var.standard_name:
        add((v, CG.standardName, lit(var.standard_name)))
    if var.observable:
        add((v, CG.measures, iri(var.observable)))
        add((v, RDFS.comment, lit(f"cg:measures chosen by {var.observable_how}")))
    if var.units is not None:
        add((v, CG.unitsString, lit(var.units)))
    if var.qudt_unit:
        add((v, QUDT.unit, iri(var.qudt_unit)))
    add((v, CG.dtype, lit(var.dtype)))
    add((v, CG.shape, lit(",".join(str(s) for s in var.shape))))
    if var.chunks:
        add((v, CG.chunks, lit(",".join(str(c) for c in var.chunks))))
    if isinstance(var.fill_value, (int, float)) and not isinstance(var.fill_value, bool):
        add((v, CG.fillValue, num(var.fill_value)))
    elif isinstance(var.fill_value, str):
        add((v, CG.fillValue, lit(var.fill_value)))
    for dim in var.dims:
        add((v, CG.hasDimension, iri(iris.dimension(slug, dim))))
    for source in var.derived_from:
        add((v, PROV.wasDerivedFrom, iri(iris.variable(slug, source))))
    if var.is_distractor is not None:
        add((v, CG.isDistractor, lit(bool(var.is_distractor))))
    if var.stats is not None:
        s = var.stats
        for prop, value in ((CG.minValue, s.minimum), (CG.maxValue, s.maximum), (CG.meanValue, s.mean)):
            if value is not None and math.isfinite(value):
                add((v, prop, num(float(value))))
        add((v, CG.missingFraction, num(float(s.missing_fraction))))

#: Where a variable's data lives: its cube's source path and its name in the file.
SOURCE = PREFIXES + """
SELECT ?var ?cube ?name ?path ?fingerprint WHERE {
  ?cube cg:hasVariable ?var ; cg:sourcePath ?path .
  ?var cg:variableName ?name .
  OPTIONAL { ?cube dcat:distribution/cg:fingerprint ?fingerprint }
}
"""


def variable_sources(store, variables: Iterable[URIRef]) -> dict[URIRef, dict]:
    """Where each variable's values live: ``{var: {"cube", "name", "path", "fingerprint"}}``.

    Variables the graph does not place in a cube are left out.

    Raises:
        StoreError: the store failed to answer.
    """
    out = {}
    for var in variables:
        rows = store.query(SOURCE, bindings={"var": var}).rows()
        if rows:
            out[var] = rows[0]
    return out
