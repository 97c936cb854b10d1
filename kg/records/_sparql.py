"""Helpers shared by the noun modules: the prefix header and fast row readers.

Private to :mod:`cubegraph.kg.records`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from rdflib import BNode, Literal, URIRef

from cubegraph.ontology.namespaces import SPARQL_PREFIXES

__all__ = ["PREFIXES", "fast_rows", "fast_table", "text", "number", "to_datetime", "first", "is_english"]

#: The ``PREFIX`` header every query of the noun modules starts with.
PREFIXES = SPARQL_PREFIXES


def fast_rows(store, query: str, bindings: dict) -> list[dict]:
    """SELECT rows read through the store's native JSON results writer.

    IRIs become :class:`URIRef` without re-validation (they come from the store), literals
    stay plain strings (their lexical form).

    Speed seam: bypasses the per-term conversion of :meth:`QueryResult.__iter__` (a
    pyoxigraph term turned into an rdflib term, IRIs checked again) on the large answers of
    input selection. ``tests/kg/test_fast_paths.py::test_fast_rows_are_the_plain_rows``
    holds the rows equal to the plain ones, and
    ``tests/reasoning/test_fast_paths.py::test_selection_is_the_same_through_the_plain_readers``
    the selection built on them (figure: docs/benchmarks.md).
    """
    raw = json.loads(store.query(query, bindings=bindings).serialize("json"))
    names = raw["head"]["vars"]
    return [{n: _term(b.get(n)) for n in names} for b in raw["results"]["bindings"]]


def fast_table(store, query: str, bindings: dict, iris=()) -> list[dict]:
    """SELECT rows as plain strings (``None`` when unbound), read from the CSV results.

    CSV carries no datatypes, so it is a fraction of the JSON and is parsed by the C ``csv``
    module. Columns named in ``iris`` become :class:`URIRef`; a blank node is ``_:label``;
    an empty literal reads as ``None``, as an unbound value does (CSV cannot tell them
    apart).

    Speed seam: bypasses :meth:`QueryResult.__iter__` (and the JSON of :func:`fast_rows`)
    for the one-row-per-cube answers of input selection.
    ``tests/kg/test_fast_paths.py::test_fast_table_is_the_plain_rows_as_text`` holds the
    rows equal to the plain ones as text, and
    ``tests/reasoning/test_fast_paths.py::test_selection_is_the_same_through_the_plain_readers``
    the selection built on them (figure: docs/benchmarks.md).
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


def to_datetime(value, *, end: bool = False) -> dt.datetime | None:
    """A date or date-time literal (or ISO string) as a naive UTC datetime.

    A plain date stands for its whole day: as the ``end`` of a period it means the last
    instant of that day, so ``2019-12-31`` as an end still overlaps ``2019-12-31T12:00``.
    Returns ``None`` for anything that is not a date.
    """
    if value is None:
        return None
    python = value.toPython() if isinstance(value, Literal) else value
    if isinstance(python, dt.datetime):
        if python.tzinfo is not None:
            python = python.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return python
    if isinstance(python, dt.date):
        base = dt.datetime(python.year, python.month, python.day)
        return base + dt.timedelta(days=1, microseconds=-1) if end else base
    if isinstance(python, str):
        text = python.strip()
        try:
            if len(text) == 10:
                return to_datetime(dt.date.fromisoformat(text), end=end)
            return to_datetime(dt.datetime.fromisoformat(text.replace("Z", "+00:00")), end=end)
        except ValueError:
            return None
    return None


def is_english(value) -> bool:
    language = getattr(value, "language", None)
    return not language or language.startswith("en")


def first(current, value):
    if current is not None or value is None:
        return current
    if isinstance(value, Literal) and value.language and not value.language.startswith("en"):
        return None  # wait for an English or untagged value; the caller falls back to it
    return str(value)


