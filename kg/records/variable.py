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

from collections.abc import Iterable

from rdflib import URIRef

from cubegraph.kg.records._sparql import PREFIXES

__all__ = ["variable_sources"]

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
