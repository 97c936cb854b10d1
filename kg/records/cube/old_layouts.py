"""Cube descriptions as an older cubegraph wrote them, and the update to the current layout.

Before issue 13, ingest wrote a cube's temporal extent and its time axis range as
``xsd:dateTime`` with no timezone (``"2020-01-01T00:00:00"``). XSD orders such a value only
partially against a timezoned one, so a SPARQL filter against ``"...Z"`` was indeterminate
and dropped the cube. The dates were UTC all along (CF times are, and the decoders apply a
units' offset), so the update only adds the ``Z``; nothing else changes, and the file's
fingerprint stays the store's, so a later ingest still finds the cube unchanged.
``cubegraph init`` runs it (:mod:`cubegraph.kg.bootstrap`).
"""

from __future__ import annotations

from cubegraph.ontology.namespaces import sparql_prefixes

__all__ = ["OLD_LAYOUT_COUNT", "OLD_LAYOUT_UPGRADE"]

PREFIXES = sparql_prefixes("cg", "dcat", "dct", "xsd")

# A naive xsd:dateTime of a cube's period or of one of its dimensions' ranges.
_NAIVE = """
  VALUES ?p { dcat:startDate dcat:endDate cg:minValue cg:maxValue }
  GRAPH ?g { ?cube a cg:DataCube . ?s ?p ?date }
  FILTER (DATATYPE(?date) = xsd:dateTime && TZ(?date) = "")"""

#: How many cubes have a date-time written without a timezone (``?n``).
OLD_LAYOUT_COUNT = PREFIXES + "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {" + _NAIVE + "\n}"

#: Those date-times, written as the UTC they are (``Z``), in place.
OLD_LAYOUT_UPGRADE = PREFIXES + """
DELETE { GRAPH ?g { ?s ?p ?date } } INSERT { GRAPH ?g { ?s ?p ?utc } }
WHERE {""" + _NAIVE + """
  BIND (STRDT(CONCAT(STR(?date), "Z"), xsd:dateTime) AS ?utc)
}"""
