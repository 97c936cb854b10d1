"""Errors of the knowledge-graph store layer."""

from cubegraph.errors import CubegraphError


class StoreError(CubegraphError):
    """Raised when the store cannot do what was asked (storage or I/O failure)."""

    http_status = 500


class StoreUnavailable(StoreError):
    """Raised when a store cannot be opened: locked by another process, not a store, unreachable."""

    http_status = 503


class GraphNotFound(StoreError):
    """Raised by ``Store.graph(iri)`` when no named graph has that IRI."""

    http_status = 404


class UpdateRefused(StoreError):
    """Raised when an update parses but asks what cannot be done (SPARQL 1.1 Update, 3.2:
    ``CREATE`` of a graph that exists, ``DROP`` of one that does not, without ``SILENT``);
    nothing was changed."""

    http_status = 400


class QuerySyntaxError(StoreError):
    """Raised when a SPARQL query or update does not parse; the message is the parser's."""

    http_status = 400


class RDFSyntaxError(StoreError):
    """Raised when RDF data (a file or a request body) does not parse."""

    http_status = 400


class UnknownFormat(StoreError):
    """Raised when an RDF or result format name is not one cubegraph knows."""

    http_status = 406


class InvalidTerm(StoreError):
    """Raised when a value cannot be an RDF term (an invalid IRI, a bad binding)."""

    http_status = 400


class FormatCannotCarry(StoreError):
    """Raised when an answer holds a value the asked format cannot write, such as a control
    character in a literal asked for as XML (RDF/XML, SPARQL XML results: XML 1.0 has no
    way to write U+0001, not even as ``&#1;``); the message names the character and the
    formats that carry it."""

    http_status = 406
