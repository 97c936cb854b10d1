"""Serialising query results under a row cap, natively (pyoxigraph), for the endpoint;
graphs as JSON-LD that is valid JSON; and XML (RDF/XML, SPARQL XML results) that is
well-formed, or refused.

Kept in ``kg`` so no other layer touches pyoxigraph objects.
"""

from __future__ import annotations

import json
import math
import re
from html import escape
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import XSD

from cubegraph.kg.errors import FormatCannotCarry
from cubegraph.kg.formats import rdf_format
from cubegraph.kg.result_pages import convert_results, ntriples_as, page_count, read_page, write_pages
from cubegraph.kg.results import QueryResult
from cubegraph.ontology.namespaces import CG


def serialize_capped(result: QueryResult, fmt: str, max_rows: int, *, keep: str = "",
                     next_url: str = "") -> tuple[bytes, bool]:
    """Serialise a result natively, truncated to ``max_rows`` rows or triples.

    With ``keep`` (a file path), a truncated result is also kept whole there for paging
    (:mod:`cubegraph.kg.result_pages`, unless it weighs too much: then no file), and the
    cut answer names ``next_url``, its second page, where the format has room.

    XML answers are written as :func:`xml_checked` says (well-formed, or refused with
    :class:`~cubegraph.kg.errors.FormatCannotCarry`).

    The common case costs one native serialisation plus a byte count: each format has a
    cheap upper bound on its row count. Only when that bound passes the cap is the exact
    count taken (through TSV / N-Triples, one row per line) and the result cut.

    Speed seam: the bound bypasses the exact count (a second serialisation through TSV)
    for answers under the cap; ``tests/api/web/test_query_runner.py::test_select_is_capped_exactly``
    holds the rows and the truncation flag equal to the exact count's, on literals that
    look like each format's row separator.
    """
    body, truncated, lines = _capped(result, fmt, max_rows)
    body = xml_checked(body, rdf_format(fmt) if result.kind == "graph" else fmt)
    if truncated:
        kept = bool(keep) and write_pages(keep, result.kind, lines, max_rows)
        body = flag_truncated(body, result.kind, fmt, max_rows, next_url if kept else "")
    return body, truncated


def serialize_page(path: str, fmt: str, page: int) -> bytes:
    """Page ``page`` of a result kept by :func:`serialize_capped`, in ``fmt`` (XML as
    :func:`xml_checked` says).

    Raises:
        StoreError: no such page, or the kept result is gone.
        FormatCannotCarry: an XML format cannot carry a literal of the page.
    """
    kind, _ = page_count(path)
    return xml_checked(read_page(path, fmt, page), rdf_format(fmt) if kind == "graph" else fmt)


#: What a result cut at the cap links to (SPARQL JSON / XML results' ``link``).
TRUNCATED = str(CG.TruncatedResult)


def flag_truncated(body: bytes, kind: str, fmt: str, max_rows: int, next_url: str = "") -> bytes:
    """Say in the body itself, where the format has room, that it holds only the first
    ``max_rows`` rows (clients ignore the HTTP headers that say so too): a ``link`` to
    ``cg:TruncatedResult`` (and to ``next_url``, the next page, when there is one) in the
    head of SPARQL JSON and XML results, a comment at the top of Turtle, N-Triples,
    N-Quads, TriG and RDF/XML. CSV, TSV and JSON-LD have no room."""
    how = (f"the next page is at <{next_url}>" if next_url
           else "page through it with ORDER BY, LIMIT and OFFSET")
    note = f"result truncated to the first {max_rows} rows: {how}".encode()
    links = [TRUNCATED] + ([next_url] if next_url else [])
    if kind == "select" and fmt == "json" and body.startswith(b'{"head":{"vars":['):
        end = body.index(b"]", len(b'{"head":{"vars":['))
        return body[:end + 1] + b',"link":' + json.dumps(links).encode() + body[end + 1:]
    if kind == "select" and fmt == "xml" and b"</head>" in body:
        tags = "".join(f'<link href="{escape(link, quote=True)}"/>' for link in links)
        return body.replace(b"</head>", tags.encode() + b"</head>", 1)
    if kind == "graph" and fmt in ("turtle", "ntriples", "nquads", "trig"):
        return b"# " + note + b"\n" + body
    if kind == "graph" and fmt == "rdfxml":
        if body.startswith(b"<?xml"):
            end = body.index(b"?>") + 2
            return body[:end] + b"\n<!-- " + note + b" -->" + body[end:]
        return b"<!-- " + note + b" -->\n" + body
    return body


def _capped(result: QueryResult, fmt: str, max_rows: int) -> tuple[bytes, bool, list[bytes] | None]:
    """The capped answer, whether it was cut, and (when it was) all of its lines (TSV,
    header first; N-Triples)."""
    if result.kind == "ask":
        return result.serialize(fmt), False, None
    if result.kind == "graph":
        # N-Triples: exactly one triple per line, so the count is exact.
        nt = result.serialize("ntriples")
        rows = nt.count(b"\n")
        truncated, lines = rows > max_rows, None
        if truncated:
            lines = nt.splitlines(keepends=True)
            nt = b"".join(lines[:max_rows])
        return ntriples_as(nt, fmt), truncated, lines
    # SELECT. CSV cannot be parsed back, so a CSV answer is made through TSV.
    first = "tsv" if fmt == "csv" else fmt
    body = result.serialize(first)
    if _rows_upper_bound(body, first) <= max_rows:
        return (convert_results(body, "tsv", "csv") if fmt == "csv" else body), False, None
    tsv = body if first == "tsv" else convert_results(body, first, "tsv")
    lines = tsv.splitlines(keepends=True)
    if len(lines) - 1 <= max_rows:
        return (convert_results(body, first, fmt) if fmt != first else body), False, None
    cut = b"".join(lines[:max_rows + 1])
    return (cut if fmt == "tsv" else convert_results(cut, "tsv", fmt)), True, lines


def _rows_upper_bound(body: bytes, fmt: str) -> int:
    if fmt == "tsv":  # one line per row (newlines in literals are escaped), plus the header
        return body.count(b"\n") - 1
    if fmt == "xml":  # markup in literals is escaped, so this count is exact
        return body.count(b"<result>")
    # JSON: rows are objects separated by "},{" (within a row, a comma is followed by a
    # quoted key); a literal may hold "},{" too, so this only bounds the count from above.
    return body.count(b"},{") + 1


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


#: What XML 1.0 cannot carry at all, not even as a character reference (XML 1.0, 2.2:
#: ``Char``): the C0 controls but tab, line feed and carriage return, and U+FFFE / U+FFFF
#: (here in UTF-8). Markup never holds them, so a match lies in a literal.
_NOT_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")
#: The formats that do carry them (escaped), by the XML format refused.
_CARRIERS = {
    "rdfxml": "Turtle, N-Triples or JSON-LD instead (format turtle, ntriples or jsonld; over "
              "HTTP, Accept: text/turtle), which write it escaped",
    "xml": "SPARQL JSON or TSV results instead (format json or tsv; over HTTP, Accept: "
           "application/sparql-results+json), which write it escaped",
}


def xml_checked(body: bytes, fmt: str) -> bytes:
    """``body`` as it may go out when ``fmt`` is an XML format (``rdfxml``, ``xml``: SPARQL
    results); any other format's ``body`` is returned as it is.

    XML 1.0 (which RDF/XML and the SPARQL XML results format are written in) has no way to
    write most C0 control characters: not raw, not as ``&#1;``. An answer whose literals
    hold one (a title with an escape sequence, say) is refused rather than written
    ill-formed or changed: no value is dropped or rewritten behind the caller's back, and
    the message says which character, where, and which formats carry it. That is what Jena
    does (its XML writers raise ``CannotEncodeCharacterException``). A raw carriage return
    is legal XML, but every XML parser reads it (and CR LF) as a line feed; it is written
    as ``&#13;`` (what rdflib's RDF/XML writer does too), so it survives.

    Raises:
        FormatCannotCarry: a literal holds a character XML 1.0 cannot carry (HTTP 406).
    """
    if fmt not in _CARRIERS:
        return body
    found = _NOT_XML.search(body)
    if found is not None:
        char = found.group().decode("utf-8")
        # The text around it, up to the markup on either side: the literal itself.
        start = max(body.rfind(b">", 0, found.start()) + 1, found.start() - 40)
        end = body.find(b"<", found.end())
        end = found.end() + 40 if end < 0 else min(end, found.end() + 40)
        near = body[start:end].decode("utf-8", "replace")
        what = "RDF/XML" if fmt == "rdfxml" else "The SPARQL XML results format"
        raise FormatCannotCarry(
            f"{what} cannot carry this answer: a literal holds U+{ord(char):04X}, a character "
            f"XML 1.0 cannot write, not even escaped (near {near!r}). Ask for "
            f"{_CARRIERS[fmt]}.")
    return body.replace(b"\r", b"&#13;")


def write_dump(out, data: bytes) -> bytes | None:
    """What :meth:`Store.dump` does with serialised ``data``: returned when ``out`` is None,
    else written to the file ``out`` names or to the binary stream ``out``."""
    if out is None:
        return data
    if isinstance(out, (str, Path)):
        Path(out).write_bytes(data)
    else:
        out.write(data)
    return None
