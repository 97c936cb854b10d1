"""Helpers shared by the noun modules: the prefix header and fast row readers.

Private to :mod:`cubegraph.kg.records`.
"""

from __future__ import annotations

import csv
import io
import json

from rdflib import BNode, URIRef

from cubegraph.ontology.namespaces import SPARQL_PREFIXES

__all__ = ["PREFIXES", "fast_rows", "fast_table", "text", "number"]

#: The ``PREFIX`` header every query of the noun modules starts with.
PREFIXES = SPARQL_PREFIXES


def fast_rows(store, query: str, bindings: dict) -> list[dict]:
    """SELECT rows read through the store's native JSON results writer.

    IRIs become :class:`URIRef` without re-validation (they come from the store), literals
    stay plain strings (their lexical form). For large answers this bypasses the per-term
    conversion of :meth:`QueryResult.__iter__`; the values are the same
    (``tests/reasoning/test_selection.py`` runs the selection on both readers' output).
    """
    raw = json.loads(store.query(query, bindings=bindings).serialize("json"))
    names = raw["head"]["vars"]
    return [{n: _term(b.get(n)) for n in names} for b in raw["results"]["bindings"]]


def fast_table(store, query: str, bindings: dict, iris=()) -> list[dict]:
    """SELECT rows as plain strings (``None`` when unbound), read from the CSV results.

    CSV carries no datatypes, so it is a fraction of the JSON and is parsed by the C ``csv``
    module. Columns named in ``iris`` become :class:`URIRef`.
    """
    raw = store.query(query, bindings=bindings).serialize("csv").decode("utf-8")
    reader = csv.reader(io.StringIO(raw, newline=""))
    names = next(reader, [])
    out = []
    for values in reader:
        row = {n: (v if v != "" else None) for n, v in zip(names, values)}
        for n in iris:
            if row.get(n) is not None:
                row[n] = str.__new__(URIRef, row[n])
        out.append(row)
    return out


def _term(value):
    if value is None:
        return None
    if value["type"] == "uri":
        return str.__new__(URIRef, value["value"])
    if value["type"] == "bnode":
        return BNode(value["value"])
    return value["value"]


def text(value) -> str | None:
    """A bound value as a string, ``None`` when unbound."""
    return None if value is None else str(value)


def number(value) -> float | None:
    """A bound literal as a float, ``None`` when unbound or not a number."""
    if value is None:
        return None
    try:
        return float(value.toPython() if hasattr(value, "toPython") else value)
    except (TypeError, ValueError):
        return None
