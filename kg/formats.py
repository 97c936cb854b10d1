"""RDF format names: one table from the names users type to media types, file extensions and
rdflib's own names for them (pyoxigraph's are in ``kg/_convert.py``, the one module that
imports it)."""

from __future__ import annotations

from pathlib import Path

from cubegraph.kg.errors import UnknownFormat

#: name -> (media type, file extensions, holds named graphs)
RDF_FORMATS: dict[str, tuple[str, tuple[str, ...], bool]] = {
    "turtle": ("text/turtle", (".ttl",), False),
    "ntriples": ("application/n-triples", (".nt",), False),
    "nquads": ("application/n-quads", (".nq",), True),
    "trig": ("application/trig", (".trig",), True),
    "rdfxml": ("application/rdf+xml", (".rdf", ".owl", ".xml"), False),
    "jsonld": ("application/ld+json", (".jsonld", ".json"), False),
}

#: Other spellings users type for the names above.
ALIASES = {"ttl": "turtle", "nt": "ntriples", "nq": "nquads", "n-triples": "ntriples",
            "n-quads": "nquads", "xml": "rdfxml", "rdf": "rdfxml", "json-ld": "jsonld",
            "rdf/xml": "rdfxml"}


def rdf_format(name: str) -> str:
    """Normalise a format name (``"ttl"`` -> ``"turtle"``).

    Raises:
        UnknownFormat: naming the known formats.
    """
    key = ALIASES.get(name.lower(), name.lower())
    if key not in RDF_FORMATS:
        raise UnknownFormat(f"unknown RDF format {name!r}: use one of {sorted(RDF_FORMATS)}")
    return key


def guess_format(path: str | Path) -> str:
    """The RDF format of a file from its extension.

    Raises:
        UnknownFormat: if the extension is not one cubegraph reads.
    """
    suffix = Path(path).suffix.lower()
    for name, (_, exts, _) in RDF_FORMATS.items():
        if suffix in exts:
            return name
    known = sorted(e for _, exts, _ in RDF_FORMATS.values() for e in exts)
    raise UnknownFormat(f"cannot tell the RDF format of '{path}' from its extension "
                        f"{suffix or '(none)'}: use one of {known}, or pass a format")


#: rdflib's parser/serializer name of each format.
_RDFLIB = {"turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "trig": "trig",
           "rdfxml": "xml", "jsonld": "json-ld"}


def rdflib_name(name: str) -> str:
    """rdflib's name for an RDF format (``"ntriples"`` -> ``"nt"``).

    Raises:
        UnknownFormat: naming the known formats.
    """
    return _RDFLIB[rdf_format(name)]


def holds_graphs(name: str) -> bool:
    """True for dataset formats (N-Quads, TriG) that carry named graphs."""
    return RDF_FORMATS[rdf_format(name)][2]
