"""Translation between rdflib terms (the public currency) and pyoxigraph terms (private).

Callers of ``cubegraph.kg`` never touch pyoxigraph objects: everything crossing the store
boundary is an rdflib term. Converting through pyoxigraph also validates IRIs, so an invalid
IRI fails here with :class:`InvalidTerm` instead of corrupting an update.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import hashlib
import re

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from cubegraph.kg.errors import InvalidTerm, RDFSyntaxError

_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
_XSD_STRING = str(XSD.string)
_BNODE_LABEL = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")

#: pyoxigraph's RDF formats, by cubegraph's format name (see ``kg/formats.py``).
OX_RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}
#: pyoxigraph's query result formats, by short name (see ``kg/results.py``).
OX_RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}


def to_ox(term):
    """Convert an rdflib term (or a plain Python value, as a literal) to a pyoxigraph term.

    Raises:
        InvalidTerm: if the term is not a valid RDF term (e.g. an IRI with a space).
    """
    try:
        if isinstance(term, URIRef):
            return ox.NamedNode(str(term))
        if isinstance(term, BNode):
            return ox.BlankNode(_bnode_label(str(term)))
        if isinstance(term, Literal):
            if term.language:
                return ox.Literal(str(term), language=term.language)
            if term.datatype is not None and str(term.datatype) != _XSD_STRING:
                return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
            return ox.Literal(str(term))
        if isinstance(term, (str, int, float, bool, decimal.Decimal, _dt.date, _dt.datetime)):
            return to_ox(Literal(term))
    except ValueError as exc:
        raise InvalidTerm(f"{term!r} is not a valid RDF term: {exc}") from exc
    raise InvalidTerm(f"unexpected RDF term {term!r} of type {type(term).__name__}")


def from_ox(term):
    """Convert a pyoxigraph term to its rdflib equivalent (``None`` stays ``None``)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        # RDF 1.1: a simple literal *is* an xsd:string; rdflib compares them as different.
        if datatype in (_XSD_STRING, _RDF_LANGSTRING):
            return Literal(term.value)
        if datatype == _XSD_DATETIME:
            # As stored: rdflib's normalising would write a UTC "...Z" as "...+00:00".
            return Literal(term.value, datatype=URIRef(datatype), normalize=False)
        return Literal(term.value, datatype=URIRef(datatype))
    if isinstance(term, ox.DefaultGraph):
        return None
    raise InvalidTerm(f"unexpected pyoxigraph term {term!r}")


def to_ntriples_term(term) -> str:
    """The N-Triples / SPARQL text of one term, validated."""
    return str(to_ox(term))


def _bnode_label(value: str) -> str:
    # pyoxigraph accepts only N-Triples blank node labels; map any other rdflib id to a
    # stable hex label so that one BNode stays one node across a whole update.
    if _BNODE_LABEL.fullmatch(value):
        return value
    return "b" + hashlib.sha1(value.encode("utf-8")).hexdigest()


def iter_nquads(text: str, *, rename_blank_nodes: bool = True):
    """The quads of N-Quads ``text``, as pyoxigraph quads, parsed as they are read.

    Blank nodes get fresh labels by default, scoped to this text, as one SPARQL ``INSERT
    DATA`` gives them.

    Raises (while iterating):
        RDFSyntaxError: the text is not N-Quads (the message gives the line).
    """
    try:
        yield from ox.parse(text, ox.RdfFormat.N_QUADS, rename_blank_nodes=rename_blank_nodes)
    except SyntaxError as exc:
        raise RDFSyntaxError(f"N-Quads text does not parse: {exc}") from exc


def parse_nquads(text: str, *, rename_blank_nodes: bool = True) -> list:
    """All the quads of N-Quads ``text`` at once (see :func:`iter_nquads`).

    Raises:
        RDFSyntaxError: the text is not N-Quads (the message gives the line).
    """
    return list(iter_nquads(text, rename_blank_nodes=rename_blank_nodes))


def checked_nquads(text: str) -> dict[str | None, str]:
    """N-Quads ``text`` as N-Triples per graph (None: the default graph), written back from
    the parsed terms: safe to put in SPARQL text.

    Raises:
        RDFSyntaxError: the text is not N-Quads.
    """
    graphs: dict[str | None, list[str]] = {}
    for q in parse_nquads(text, rename_blank_nodes=False):
        g = None if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
        graphs.setdefault(g, []).append(f"{q.subject} {q.predicate} {q.object} .")
    return {g: "\n".join(lines) for g, lines in graphs.items()}
