"""Pages of a result too long for one answer: the whole result written once, read a page at a
time (the endpoint's cursors, issue 14).

Why: an answer past the row cap is cut, and paging through the rest with ``LIMIT`` and
``OFFSET`` ran the whole query again for every page (each slower than the last, and the
last ones past the deadline) and, between writes or without ``ORDER BY``, could skip or
repeat rows. Here the run that found the result too long writes all of it, in the row-per-line
forms (SPARQL TSV results, N-Triples), to a file with the byte offset of each page; a page
is then a read of its lines, converted to the format asked: as fast for the last page as for
the second, and every page from the same run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox

from cubegraph.kg._convert import OX_RDF_FORMATS, OX_RESULT_FORMATS
from cubegraph.kg.errors import StoreError

__all__ = ["MAX_BYTES", "convert_results", "ntriples_as", "page_count", "read_page", "write_pages"]

#: The most a result kept for paging may weigh (its row-per-line form); a longer one gets
#: no cursor (the cut answer says to narrow the query).
MAX_BYTES = 256 * 1024 * 1024


def write_pages(path: str | Path, kind: str, lines: list[bytes], page_rows: int) -> bool:
    """Keep a result for paging: ``lines`` are its rows (TSV: the header first; N-Triples:
    one triple a line), ``page_rows`` rows a page. False (nothing written) when it weighs
    more than :data:`MAX_BYTES`."""
    header, rows = (lines[0], lines[1:]) if kind == "select" else (b"", lines)
    if sum(map(len, rows)) > MAX_BYTES:
        return False
    path = Path(path)
    offsets, at = [], 0
    with open(path, "wb") as out:
        for i, row in enumerate(rows):
            if i % page_rows == 0:
                offsets.append(at)
            out.write(row)
            at += len(row)
    offsets.append(at)
    index = {"kind": kind, "header": header.decode("utf-8"), "offsets": offsets,
             "rows": len(rows), "page_rows": page_rows}
    path.with_suffix(".json").write_text(json.dumps(index))
    return True


def page_count(path: str | Path) -> tuple[str, int]:
    """The kind of result (``select`` or ``graph``) kept at ``path`` and its number of pages."""
    index = _index(path)
    return index["kind"], len(index["offsets"]) - 1


def read_page(path: str | Path, fmt: str, page: int) -> bytes:
    """Page ``page`` (from 1) of the result kept at ``path``, in ``fmt``.

    Raises:
        StoreError: the page does not exist (or the files are gone).
    """
    index = _index(path)
    offsets = index["offsets"]
    if not 1 <= page < len(offsets):
        raise StoreError(f"page {page} does not exist (there are {len(offsets) - 1})")
    with open(path, "rb") as src:
        src.seek(offsets[page - 1])
        data = src.read(offsets[page] - offsets[page - 1])
    if index["kind"] == "select":
        return convert_results(index["header"].encode("utf-8") + data, "tsv", fmt)
    return ntriples_as(data, fmt)


def convert_results(body: bytes, src: str, dst: str) -> bytes:
    """SPARQL results ``body`` in format ``src`` written in ``dst`` (CSV cannot be read)."""
    if src == dst:
        return body
    return ox.parse_query_results(body, OX_RESULT_FORMATS[src]).serialize(format=OX_RESULT_FORMATS[dst])


def ntriples_as(nt: bytes, fmt: str) -> bytes:
    """N-Triples ``nt`` written in the RDF format ``fmt`` (triples are valid quads)."""
    if fmt == "ntriples":
        return nt
    out_fmt = {"nquads": "ntriples", "trig": "turtle"}.get(fmt, fmt)
    return ox.serialize(ox.parse(nt, ox.RdfFormat.N_TRIPLES), format=OX_RDF_FORMATS[out_fmt])


def _index(path: str | Path) -> dict:
    try:
        return json.loads(Path(path).with_suffix(".json").read_text())
    except OSError as exc:
        raise StoreError(f"the kept result at {path} is gone: {exc}") from exc
