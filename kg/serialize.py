"""Serialising query results under a row cap, natively (pyoxigraph), for the endpoint; and
graphs as JSON-LD that is valid JSON.

Kept in ``kg`` so no other layer touches pyoxigraph objects.
"""

from __future__ import annotations

import json
import math

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import XSD

from cubegraph.kg._convert import OX_RDF_FORMATS, OX_RESULT_FORMATS
from cubegraph.kg.results import QueryResult


def serialize_capped(result: QueryResult, fmt: str, max_rows: int) -> tuple[bytes, bool]:
    """Serialise a result natively, truncated to ``max_rows`` rows or triples.

    The common case costs one native serialisation plus a byte count: each format has a
    cheap upper bound on its row count. Only when that bound passes the cap is the exact
    count taken (through TSV / N-Triples, one row per line) and the result cut.

    Speed seam: the bound bypasses the exact count (a second serialisation through TSV)
    for answers under the cap; ``tests/api/web/test_query_runner.py::test_select_is_capped_exactly``
    holds the rows and the truncation flag equal to the exact count's, on literals that
    look like each format's row separator.
    """
    if result.kind == "ask":
        return result.serialize(fmt), False
    if result.kind == "graph":
        # N-Triples: exactly one triple per line, so the count is exact.
        nt = result.serialize("ntriples")
        rows = nt.count(b"\n")
        truncated = rows > max_rows
        if truncated:
            nt = b"".join(nt.splitlines(keepends=True)[:max_rows])
        if fmt == "ntriples":
            return nt, truncated
        triples = ox.parse(nt, ox.RdfFormat.N_TRIPLES)
        out_fmt = {"nquads": "ntriples", "trig": "turtle"}.get(fmt, fmt)  # triples are valid quads
        return ox.serialize(triples, format=OX_RDF_FORMATS[out_fmt]), truncated
    # SELECT. CSV cannot be parsed back, so a CSV answer is made through TSV.
    first = "tsv" if fmt == "csv" else fmt
    body = result.serialize(first)
    if _rows_upper_bound(body, first) <= max_rows:
        return (_convert(body, "tsv", "csv") if fmt == "csv" else body), False
    tsv = body if first == "tsv" else _convert(body, first, "tsv")
    lines = tsv.splitlines(keepends=True)
    if len(lines) - 1 <= max_rows:
        return (_convert(body, first, fmt) if fmt != first else body), False
    cut = b"".join(lines[:max_rows + 1])
    return (cut if fmt == "tsv" else _convert(cut, "tsv", fmt)), True


def _rows_upper_bound(body: bytes, fmt: str) -> int:
    if fmt == "tsv":  # one line per row (newlines in literals are escaped), plus the header
        return body.count(b"\n") - 1
    if fmt == "xml":  # markup in literals is escaped, so this count is exact
        return body.count(b"<result>")
    # JSON: rows are objects separated by "},{" (within a row, a comma is followed by a
    # quoted key); a literal may hold "},{" too, so this only bounds the count from above.
    return body.count(b"},{") + 1


def _convert(body: bytes, src: str, dst: str) -> bytes:
    if src == dst:
        return body
    return ox.parse_query_results(body, OX_RESULT_FORMATS[src]).serialize(format=OX_RESULT_FORMATS[dst])


def jsonld_text(graph: Graph, **options) -> str:
    """``graph`` as JSON-LD (rdflib's serialiser, ``options`` passed on) that is valid JSON.

    rdflib writes a NaN or infinite ``xsd:double`` as a bare ``NaN`` / ``Infinity``, which
    JSON forbids; such a value is written as its XSD lexical form (``"NaN"``, ``"INF"``,
    ``"-INF"``), typed ``xsd:double``: inside a ``{"@value": …}`` object that already
    names its type, as the string; anywhere else (compacted output), as a typed value object.
    """
    data = json.loads(graph.serialize(format="json-ld", **options))
    return json.dumps(_finite(data), indent=2, ensure_ascii=False, allow_nan=False)


def _lexical(value: float) -> str:
    return "NaN" if math.isnan(value) else ("INF" if value > 0 else "-INF")


def _finite(value, in_value_object: bool = False):
    if isinstance(value, float) and not math.isfinite(value):
        if in_value_object:
            return _lexical(value)
        return {"@value": _lexical(value), "@type": str(XSD.double)}
    if isinstance(value, dict):
        typed = "@value" in value
        return {k: _finite(v, typed and k == "@value") for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value
