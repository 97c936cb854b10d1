"""The variable noun: a data variable of a catalogued cube.

A variable is described inside its cube's named graph (see :mod:`cubegraph.kg.records.cube`).
Layout (``{cube}`` = ``iris.cube(slug)``)::

    {cube}/variable/{name}   cg:Variable, qb:MeasureProperty: cg:variableName, rdfs:label,
                             cg:standardName, cg:measures (what it observes) or, for a
                             model's output, cg:isAbout (what it predicts or attributes to;
                             see kg.records.inheritance), cg:unitsString,
                             qudt:unit, cg:dtype, cg:shape, cg:chunks, cg:fillValue,
                             cg:hasDimension, prov:wasDerivedFrom, demo ground truth,
                             statistics; the cube links it with cg:hasVariable
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Literal, URIRef

from cubegraph.kg.iris import Iris
from cubegraph.kg.records._ntriples import CG, PROV, QB, QUDT, RDF, RDFS, Lines, bnode, iri, lit, num
from cubegraph.kg.records._sparql import PREFIXES, first
from cubegraph.kg.records.cube_metadata import VariableMetadata
from cubegraph.ontology.namespaces import CG as CG_NS

__all__ = ["describe_variable", "variable_sources", "VariableRecord", "read_variables",
           "variables_measuring"]


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
    if var.about:
        add((v, CG.isAbout, iri(var.about)))
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
    for kind, name in var.cell_measures:  # CF 7.2: the grid's cells, not an observation
        m = iri(iris.variable(slug, name))
        add((v, CG.cellMeasure, m))
        add((m, RDF.type, CG.CellMeasure))
        add((m, CG.arrayName, lit(name)))
        add((m, CG.measureKind, lit(kind)))
    for source in var.derived_from_iris:
        add((v, PROV.wasDerivedFrom, iri(source)))
    if var.is_distractor is not None:
        add((v, CG.isDistractor, lit(bool(var.is_distractor))))
    if var.stats is not None:
        s = var.stats
        for prop, value in ((CG.minValue, s.minimum), (CG.maxValue, s.maximum), (CG.meanValue, s.mean)):
            if value is not None and math.isfinite(value):
                add((v, prop, num(float(value))))
        add((v, CG.missingFraction, num(float(s.missing_fraction))))

# ?cube is projected so that it can be bound (SEP-0007 substitution).
SELECT_VARIABLES = PREFIXES + """
SELECT DISTINCT ?cube ?var ?name ?label ?units ?unit ?obs ?obsLabel ?phen ?about ?aboutPhen ?unitsNote
WHERE {
  ?cube a cg:DataCube ; cg:hasVariable ?var .
  OPTIONAL { ?var cg:variableName ?name }
  OPTIONAL { ?unitsNote oa:hasTarget ?var ; cg:noteCode "units-missing" }
  OPTIONAL { ?var rdfs:label|dct:title ?label }
  OPTIONAL { ?var cg:unitsString ?units }
  OPTIONAL { ?var <http://qudt.org/schema/qudt/unit> ?unit }
  OPTIONAL {
    ?var cg:measures ?obs .
    OPTIONAL { ?obs rdfs:label|skos:prefLabel ?obsLabel }
    OPTIONAL { ?obs rdf:type ?phen . ?phen rdfs:subClassOf* cg:Phenomenon }
  }
  OPTIONAL {  # a model output's variable: what it predicts, or attributes to
    ?var cg:isAbout ?about .
    OPTIONAL { ?about rdf:type ?aboutPhen . ?aboutPhen rdfs:subClassOf* cg:Phenomenon }
  }
}
"""

@dataclass
class VariableRecord:
    """One variable of a cube, with what it measures.

    Attributes:
        iri: the variable's IRI.
        name: its name in the file (``cg:variableName``).
        label: its long name, when given.
        units: the raw units string.
        unit: the QUDT unit IRI, when known.
        observable: IRI of the observable property it measures.
        observable_label: that property's label.
        phenomena: the phenomenon classes the observable (or ``about``) is typed with
            (asserted, or inferred when ``reason`` ran).
        about: IRI of the observable property a model output's variable is about
            (``cg:isAbout``: the target's for a prediction, the driver's for an attribution).
        units_missing: it has no units where CF requires them (a ``units-missing`` note:
            its standard name says the quantity has units). No units alone is not that: CF
            lets flags and dimensionless quantities go without.
    """

    iri: str
    name: str | None = None
    label: str | None = None
    units: str | None = None
    unit: str | None = None
    observable: str | None = None
    observable_label: str | None = None
    phenomena: list[str] = field(default_factory=list)
    about: str | None = None
    units_missing: bool = False


def read_variables(store, cube: URIRef | None = None) -> dict[str, list[VariableRecord]]:
    """The variables of every cube (or of cube ``cube``): cube IRI -> records sorted by name.

    Raises:
        StoreError: the store failed to answer.
    """
    found: dict[str, dict[str, VariableRecord]] = {}
    bindings = {"cube": cube} if cube is not None else None
    for row in store.query(SELECT_VARIABLES, bindings=bindings):
        iri = str(row["var"])
        var = found.setdefault(str(row["cube"]), {}).setdefault(iri, VariableRecord(iri))
        var.name = first(var.name, row.get("name"))
        var.label = first(var.label, row.get("label"))
        var.units = first(var.units, row.get("units"))
        var.unit = first(var.unit, row.get("unit"))
        var.observable = first(var.observable, row.get("obs"))
        var.observable_label = first(var.observable_label, row.get("obsLabel"))
        var.about = first(var.about, row.get("about"))
        var.units_missing = var.units_missing or row.get("unitsNote") is not None
        for phen in (row.get("phen"), row.get("aboutPhen")):
            if phen is not None and str(phen) != str(CG_NS.Phenomenon) and str(phen) not in var.phenomena:
                var.phenomena.append(str(phen))
    out = {}
    for cube_iri, variables in found.items():
        records = sorted(variables.values(), key=lambda v: (v.name or v.iri))
        for var in records:
            var.phenomena.sort()
        out[cube_iri] = records
    return out


#: Where a variable's data lives: its cube's source path and its name in the file.
SOURCE = PREFIXES + """
SELECT ?var ?cube ?name ?path ?fingerprint ?rel WHERE {
  ?cube cg:hasVariable ?var ; cg:sourcePath ?path .
  ?var cg:variableName ?name .
  OPTIONAL { ?cube dcat:distribution/cg:fingerprint ?fingerprint }
  OPTIONAL { ?cube dcat:distribution/cg:dataRootPath ?rel }
}
"""


def variable_sources(store, variables: Iterable[URIRef]) -> dict[URIRef, dict]:
    """Where each variable's values live: ``{var: {"cube", "name", "path", "fingerprint"}}``,
    ``path`` resolved by the store's :class:`~cubegraph.kg.locations.Locations` (under the
    data root declared now, when the cube was recorded under one).

    Variables the graph does not place in a cube are left out.

    Raises:
        StoreError: the store failed to answer.
    """
    out = {}
    for var in variables:
        rows = store.query(SOURCE, bindings={"var": var}).rows()
        if rows:
            row = dict(rows[0])
            rel = row.pop("rel", None)
            row["path"] = Literal(store.locations.resolve(str(row["path"]),
                                                          str(rel) if rel is not None else None))
            out[var] = row
    return out


# Bound: ?phen, a phenomenon class; variables whose observable is of it or a subclass
# (what they measure or, for a model's outputs, what they are about).
MEASURING = PREFIXES + """
SELECT DISTINCT ?phen ?cube ?var WHERE {
  ?cube a cg:DataCube ; cg:hasVariable ?var .
  ?var cg:measures|cg:isAbout ?obs .
  ?obs rdf:type/rdfs:subClassOf* ?phen .
}
"""


def variables_measuring(store, phenomenon: URIRef) -> list[tuple[str, str]]:
    """``(cube, variable)`` for every variable whose observable is of class ``phenomenon``
    or of a class below it: what it measures, or what a model output's variable is about
    (``cg:isAbout``). Discovery's use; input selection reads ``cg:measures`` alone.

    Raises:
        StoreError: the store failed to answer.
    """
    return [(str(r["cube"]), str(r["var"])) for r in store.query(MEASURING, bindings={"phen": phenomenon})]
