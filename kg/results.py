"""Query results that hide the backend: rows of rdflib terms, booleans, graphs.

A result is read once (it may stream from the store). ``serialize`` writes the standard
SPARQL result formats (or an RDF format for graph results) without a Python loop over rows
where the backend can do it natively.
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import Graph

#: Result-set formats for SELECT / ASK, by short name -> media type.
SOLUTION_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}

class QueryResult:
    """The answer to a SPARQL query.

    Attributes:
        kind: ``"select"``, ``"ask"`` or ``"graph"`` (CONSTRUCT / DESCRIBE).
        vars: the projected variable names of a SELECT (empty otherwise).
    """

    kind: str
    vars: list[str]

    def __iter__(self) -> Iterator:
        """SELECT: dicts ``{var: rdflib term or None}``; graph: rdflib triples."""
        raise NotImplementedError

    def __bool__(self) -> bool:
        """ASK: the answer. Other kinds: always True (use ``rows()`` to test emptiness)."""
        raise NotImplementedError

    def rows(self) -> list[dict]:
        """All SELECT rows as a list (reads the result)."""
        if self.kind != "select":
            raise TypeError(f"rows() needs a SELECT result, this is {self.kind}")
        return list(self)

    def graph(self) -> Graph:
        """All triples of a CONSTRUCT / DESCRIBE result as an rdflib Graph."""
        if self.kind != "graph":
            raise TypeError(f"graph() needs a CONSTRUCT or DESCRIBE result, this is {self.kind}")
        g = Graph()
        for triple in self:
            g.add(triple)
        return g

    def serialize(self, fmt: str) -> bytes:
        """Serialize in a format of :data:`SOLUTION_FORMATS` (SELECT/ASK) or :data:`cubegraph.kg.formats.RDF_FORMATS` (graph).

        Raises:
            UnknownFormat: if the format does not fit the kind of result.
        """
        raise NotImplementedError
