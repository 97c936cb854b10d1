"""Content negotiation, as pure functions of header and parameter values (no Flask).

Nothing here touches a request, so every rule of the ``Accept`` header (q-values,
wildcards, the ``format`` parameter browsers use instead of headers) is unit-tested with
plain strings (``tests/api/web``). What a request *says* (SPARQL Protocol parameters, IRIs,
paths, ``SERVICE`` clauses) is read in :mod:`cubegraph.api.web.protocol`.

Terms:

- *offers*: the representations the server can produce for one kind of answer, an ordered
  mapping media type -> short format name; on a tie in the client's q-values the earlier
  offer wins (the server's preference).
- *kind*: ``"solutions"`` (SELECT and ASK results) or ``"graph"`` (CONSTRUCT, DESCRIBE, a
  graph or a page's RDF). A query's kind is only known once it runs, so a query request is
  negotiated for both kinds up front and the worker picks the one that applies.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from cubegraph.api.web.errors import NotAcceptable
from cubegraph.kg.formats import ALIASES

# --- media types ---------------------------------------------------------------------------

#: SELECT / ASK results: media type -> format name of ``QueryResult.serialize``. Canonical
#: types first; the aliases after them are read in ``Accept`` but never preferred.
SOLUTION_OFFERS: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}

#: Graph results (triples): media type -> RDF format name.
GRAPH_OFFERS: dict[str, str] = {
    "text/turtle": "turtle",
    "application/ld+json": "jsonld",
    "application/n-triples": "ntriples",
    "application/rdf+xml": "rdfxml",
    "application/trig": "trig",
    "application/n-quads": "nquads",
    "application/x-turtle": "turtle",
    "text/plain": "ntriples",
    "application/json": "jsonld",
    "application/xml": "rdfxml",
    "text/xml": "rdfxml",
}

#: Datasets (several graphs): only formats that carry graph names.
DATASET_OFFERS: dict[str, str] = {
    "application/trig": "trig",
    "application/n-quads": "nquads",
}

#: Pages of dereferenced IRIs: HTML for browsers first, then RDF.
PAGE_OFFERS: dict[str, str] = {"text/html": "html", **GRAPH_OFFERS}
PAGE_OFFERS.pop("application/trig")
PAGE_OFFERS.pop("application/n-quads")

#: Canonical media type of each format name (the ``Content-Type`` of a response).
MEDIA_TYPES: dict[str, str] = {}
for _offers in (SOLUTION_OFFERS, GRAPH_OFFERS, {"text/html": "html"}):
    for _media, _name in _offers.items():
        MEDIA_TYPES.setdefault(_name, _media)

#: Names a ``format`` parameter may use besides the format names themselves: the RDF
#: formats' other spellings (but ``xml``, which here names the SPARQL results format), and
#: the SPARQL results formats' short names.
FORMAT_ALIASES = {**{k: v for k, v in ALIASES.items() if k != "xml"}, "srj": "json", "srx": "xml"}

#: What a ``format`` word means for a graph answer (CONSTRUCT, DESCRIBE) when it names no
#: RDF format: clients send one word for any query (SPARQLWrapper's ``setReturnFormat``:
#: ``xml``, ``json``, ``n3``, ``rdf+xml``), meaning RDF/XML and JSON-LD for a graph.
GRAPH_WORDS = {"xml": "rdfxml", "json": "jsonld", "n3": "turtle", "rdf+xml": "rdfxml",
               "rdf": "rdfxml", "srx": "rdfxml", "srj": "jsonld"}

#: RDF bodies the Graph Store Protocol reads: media type -> RDF format name.
RDF_BODY_TYPES: dict[str, str] = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/rdf+xml": "rdfxml",
    "application/ld+json": "jsonld",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}


def media_type(content_type: str | None) -> str:
    """The bare, lower-case media type of a ``Content-Type`` value (parameters dropped)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def content_type(media: str) -> str:
    """The ``Content-Type`` of a response: text formats say they are UTF-8, so browsers
    and clients never guess the charset."""
    if media.startswith("text/") or media.endswith(("json", "xml", "n-triples", "n-quads", "trig")):
        return f"{media}; charset=utf-8"
    return media


def choose(accept: str | None, offers: Mapping[str, str], *,
           format_param: str | None = None) -> tuple[str, str] | None:
    """Pick the best representation among ``offers``.

    Args:
        accept: the ``Accept`` header (``None`` or empty = anything).
        offers: media type -> format name, in the server's order of preference.
        format_param: a ``format`` parameter (a format name, an alias or a media type); it
            overrides ``Accept``, because browsers cannot set headers on a link. A word
            that names no format of this kind (``csv`` for a graph) leaves the choice to
            ``Accept``; for a graph, ``xml`` and ``json`` mean RDF/XML and JSON-LD
            (:data:`GRAPH_WORDS`).

    Returns:
        ``(format name, canonical media type)``, or ``None`` when nothing acceptable is
        offered (or the ``format`` names a format this kind of answer cannot take).
    """
    if format_param:
        wanted = format_param.strip().lower()
        name = offers.get(wanted) or FORMAT_ALIASES.get(wanted, wanted)
        if name not in offers.values() and "turtle" in offers.values():
            name = GRAPH_WORDS.get(wanted, name)
        if name in offers.values():
            return name, MEDIA_TYPES[name]
        # a word for the other kind of answer (format=csv, and a CONSTRUCT came):
        # what the Accept header says decides, as if no format had been given
    if not accept or not accept.strip():
        name = next(iter(offers.values()))
        return name, MEDIA_TYPES[name]
    parsed = parse_accept_header(accept, MIMEAccept)
    best = parsed.best_match(list(offers))
    if best is None:
        return None
    return offers[best], MEDIA_TYPES[offers[best]]


def known_format(format_param: str) -> bool:
    """True when a ``format`` parameter names any format the server produces."""
    wanted = format_param.strip().lower()
    return (wanted in MEDIA_TYPES or wanted in FORMAT_ALIASES or wanted in GRAPH_WORDS
            or wanted in SOLUTION_OFFERS or wanted in GRAPH_OFFERS or wanted == "text/html")


@dataclasses.dataclass(frozen=True)
class ResultFormats:
    """The negotiated format of each kind of query answer (``None``: not acceptable)."""

    solutions: tuple[str, str] | None
    graph: tuple[str, str] | None
    accept: str | None = None  # what the client asked, for a 406 known only after the run
    format_param: str | None = None

    def for_kind(self, kind: str) -> tuple[str, str] | None:
        """The format for a result kind ``select`` / ``ask`` / ``graph``."""
        return self.graph if kind == "graph" else self.solutions


# Cached: clients send the same few Accept headers again and again, and werkzeug's matching
# costs more than a small query. Failures (406) raise, so they are never cached.
@functools.lru_cache(maxsize=256)
def result_formats(accept: str | None, format_param: str | None = None) -> ResultFormats:
    """Negotiate the format of a query's answer for both kinds at once.

    Raises:
        NotAcceptable: neither a result set nor a graph can be given in an accepted format,
            or ``format`` names an unknown format.

    Speed seam: cached per ``(Accept, format)``, bypassing werkzeug's matching for headers
    already seen; ``tests/api/web/test_fast_paths.py::test_cached_negotiation_is_a_fresh_one``
    holds each answer (and each refusal) equal to a fresh negotiation.
    """
    if format_param and not known_format(format_param):
        raise NotAcceptable(f"unknown format {format_param!r}: use one of "
                            f"{sorted(set(SOLUTION_OFFERS.values()) | set(GRAPH_OFFERS.values()))}")
    formats = ResultFormats(choose(accept, SOLUTION_OFFERS, format_param=format_param),
                            choose(accept, GRAPH_OFFERS, format_param=format_param),
                            accept, format_param)
    if formats.solutions is None and formats.graph is None:
        raise NotAcceptable(not_acceptable_message(accept, format_param, "query result"))
    return formats


def not_acceptable_message(accept: str | None, format_param: str | None, what: str,
                           offers: Mapping[str, str] | None = None) -> str:
    """A 406 message naming what was asked and what could be given."""
    asked = (f"format={format_param!r}" if format_param
             else f"Accept: {accept}" if accept else "the formats the request allows")
    if offers is None:
        offers = {**SOLUTION_OFFERS, **GRAPH_OFFERS}
    canonical = sorted({MEDIA_TYPES[n] for n in offers.values()})
    return f"cannot give a {what} as {asked}: acceptable types are {canonical}"
