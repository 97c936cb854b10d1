"""Content negotiation and protocol parsing, as pure functions of header and parameter values.

Nothing here touches a Flask request, so every rule of the SPARQL 1.1 Protocol, the Graph
Store Protocol and the ``Accept`` header (q-values, wildcards, the ``format`` parameter
browsers use instead of headers) is unit-tested with plain strings (``tests/api``).

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
import re
from collections.abc import Collection, Mapping
from urllib.parse import quote

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from cubegraph.api.errors import (
    InvalidPath,
    NotAcceptable,
    ProtocolError,
    ServiceDisabled,
    UnsupportedMediaType,
)
from cubegraph.kg.errors import InvalidTerm

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

#: Names a ``format`` parameter may use besides the format names themselves.
FORMAT_ALIASES = {"ttl": "turtle", "nt": "ntriples", "nq": "nquads", "json-ld": "jsonld",
                  "rdf": "rdfxml", "rdf/xml": "rdfxml", "n-triples": "ntriples",
                  "n-quads": "nquads", "srj": "json", "srx": "xml"}

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
            overrides ``Accept``, because browsers cannot set headers on a link.

    Returns:
        ``(format name, canonical media type)``, or ``None`` when nothing acceptable is
        offered (or the ``format`` names a format this kind of answer cannot take).
    """
    if format_param:
        wanted = format_param.strip().lower()
        name = offers.get(wanted) or FORMAT_ALIASES.get(wanted, wanted)
        if name in offers.values():
            return name, MEDIA_TYPES[name]
        return None
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
    return (wanted in MEDIA_TYPES or wanted in FORMAT_ALIASES
            or wanted in SOLUTION_OFFERS or wanted in GRAPH_OFFERS or wanted == "text/html")


@dataclasses.dataclass(frozen=True)
class ResultFormats:
    """The negotiated format of each kind of query answer (``None``: not acceptable)."""

    solutions: tuple[str, str] | None
    graph: tuple[str, str] | None

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
    """
    if format_param and not known_format(format_param):
        raise NotAcceptable(f"unknown format {format_param!r}: use one of "
                            f"{sorted(set(SOLUTION_OFFERS.values()) | set(GRAPH_OFFERS.values()))}")
    formats = ResultFormats(choose(accept, SOLUTION_OFFERS, format_param=format_param),
                            choose(accept, GRAPH_OFFERS, format_param=format_param))
    if formats.solutions is None and formats.graph is None:
        raise NotAcceptable(not_acceptable_message(accept, format_param, "query result"))
    return formats


def not_acceptable_message(accept: str | None, format_param: str | None, what: str,
                           offers: Mapping[str, str] | None = None) -> str:
    """A 406 message naming what was asked and what could be given."""
    asked = f"format={format_param!r}" if format_param else f"Accept: {accept}"
    if offers is None:
        offers = {**SOLUTION_OFFERS, **GRAPH_OFFERS}
    canonical = sorted({MEDIA_TYPES[n] for n in offers.values()})
    return f"cannot give a {what} as {asked}: acceptable types are {canonical}"


# --- SPARQL 1.1 Protocol requests ----------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class SparqlRequest:
    """One parsed SPARQL Protocol request.

    Attributes:
        operation: ``"query"``, ``"update"`` or ``"description"`` (GET without a query).
        text: the query or update text (``None`` for a description).
        default_graphs: ``default-graph-uri`` values (``None``: the union of all graphs).
        named_graphs: ``named-graph-uri`` values (``None``: all named graphs).
    """

    operation: str
    text: str | None = None
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None


def parse_sparql_request(method: str, content_type: str | None,
                         args: Mapping[str, list[str]], form: Mapping[str, list[str]],
                         body: bytes, *, updates_only: bool = False) -> SparqlRequest:
    """Read a SPARQL 1.1 Protocol request (query via GET, URL-encoded POST or direct POST;
    update via URL-encoded POST or direct POST).

    Args:
        method: the HTTP method.
        content_type: the request's ``Content-Type``.
        args: URL parameters, name -> all values.
        form: URL-encoded body parameters, name -> all values (empty for other bodies).
        body: the raw body (used for direct POSTs).
        updates_only: the endpoint takes updates only (``/update``).

    Raises:
        ProtocolError: no query, two queries, a query and an update, an update by GET, an
            update with ``using-graph-uri``, a body that is not UTF-8.
        UnsupportedMediaType: a POST body of another type.
        InvalidTerm: a ``default-graph-uri`` / ``named-graph-uri`` that is not an IRI.
    """
    mtype = media_type(content_type)
    params: dict[str, list[str]] = {k: list(v) for k, v in args.items()}
    if method == "POST":
        if mtype == "application/x-www-form-urlencoded":
            for key, values in form.items():
                params.setdefault(key, []).extend(values)
        elif mtype == "application/sparql-query":
            params.setdefault("query", []).append(_utf8(body, "query"))
        elif mtype == "application/sparql-update":
            params.setdefault("update", []).append(_utf8(body, "update"))
        elif mtype == "" and not body:
            pass  # a bare POST: reported below as "no query"
        else:
            raise UnsupportedMediaType(
                f"cannot read a POST body of type {mtype or '(none)'!r}: send "
                "application/x-www-form-urlencoded (query= or update=), "
                "application/sparql-query or application/sparql-update")
    elif method not in ("GET", "HEAD"):
        raise ProtocolError(f"{method} is not a SPARQL Protocol operation: use GET or POST")

    queries, updates = params.get("query", []), params.get("update", [])
    if queries and updates:
        raise ProtocolError("the request holds both a query and an update: send one operation")
    if len(queries) > 1 or len(updates) > 1:
        what = "queries" if len(queries) > 1 else "updates"
        raise ProtocolError(f"the request holds {max(len(queries), len(updates))} {what}: "
                            "the protocol allows exactly one per request")
    if updates:
        if method != "POST":
            raise ProtocolError("a SPARQL update must be sent with POST, never GET")
        if params.get("using-graph-uri") or params.get("using-named-graph-uri"):
            raise ProtocolError("using-graph-uri / using-named-graph-uri are not supported: "
                                "write USING or WITH in the update itself")
        text = updates[0]
        if not text.strip():
            raise ProtocolError("the update is empty")
        return SparqlRequest("update", text)
    if updates_only:
        raise ProtocolError("this endpoint takes SPARQL updates only (update= or "
                            "application/sparql-update); send queries to /sparql")
    default_graphs = _iris(params.get("default-graph-uri"), "default-graph-uri")
    named_graphs = _iris(params.get("named-graph-uri"), "named-graph-uri")
    if not queries:
        if method == "POST":
            raise ProtocolError("the POST holds no query: send query= or update= "
                                "(URL-encoded) or a application/sparql-query body")
        return SparqlRequest("description")
    text = queries[0]
    if not text.strip():
        raise ProtocolError("the query is empty")
    return SparqlRequest("query", text, default_graphs, named_graphs)


def _utf8(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(f"the {what} body is not UTF-8 text: {exc}") from exc


def _iris(values: list[str] | None, name: str) -> tuple[str, ...] | None:
    if not values:
        return None
    return tuple(check_iri(v, name) for v in values)


# --- IRIs and paths --------------------------------------------------------------------------

# RFC 3987, loosely: a scheme, then no whitespace, no control characters and none of the
# characters an IRI may never hold raw (they would break out of <...> in SPARQL or N-Triples).
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>\"{}|\\^`\x7f]*")


def check_iri(value: str, what: str = "IRI") -> str:
    """Return ``value`` when it is an absolute IRI.

    Raises:
        InvalidTerm: naming the parameter and the value.
    """
    if not _IRI.fullmatch(value or ""):
        raise InvalidTerm(f"{what} {value!r} is not an absolute IRI (e.g. "
                          "'http://example.org/graph'; no spaces or <>\"{}|\\^` characters)")
    return value


#: What one path segment may hold raw, besides unreserved characters (RFC 3986 pchar).
_PCHAR_SAFE = "-._~!$&'()*+,;=:@"


def resource_iris(base: str, path: str) -> list[str]:
    """The candidate IRIs a request path names under ``base``, most likely first.

    The path arrives percent-decoded; minted IRIs percent-encode every character but
    ``-._~`` in a segment (``Iris``), other data may keep sub-delimiters raw, so both
    spellings are returned (once when they agree).

    Raises:
        InvalidPath: ``.``/``..`` segments (path traversal), backslashes, control characters.
        InvalidTerm: the result is not a valid IRI.
    """
    if any(ord(c) < 0x20 or c == "\x7f" for c in path) or "\\" in path:
        raise InvalidPath(f"the path {path!r} holds control characters or backslashes")
    segments = path.split("/")
    if any(seg in (".", "..") for seg in segments):
        raise InvalidPath(f"the path {path!r} holds '.' or '..' segments: resources are "
                          "named by plain paths such as cube/<slug>")
    candidates = []
    for safe in ("-._~", _PCHAR_SAFE):
        iri = base + "/".join(quote(seg, safe=safe) for seg in segments)
        if iri not in candidates:
            candidates.append(check_iri(iri, "resource IRI"))
    return candidates


def local_path(base: str, iri: str) -> str | None:
    """The server path of an IRI under ``base`` (``None`` for an external IRI)."""
    return "/" + iri[len(base):] if iri.startswith(base) else None


# --- SERVICE ----------------------------------------------------------------------------------

# A tiny tokenizer: strings, comments and IRIs are consumed whole, so the word SERVICE inside
# them never counts; a SERVICE keyword is captured with its target (IRI, variable or prefixed
# name).
_SERVICE_SCAN = re.compile(
    r"""
      (?P<string>\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
                 |\"(?:[^\"\\\n\r]|\\.)*\"|'(?:[^'\\\n\r]|\\.)*')
    | (?P<comment>\#[^\n\r]*)
    | (?P<prefix>(?<![\w:?$])PREFIX\s+(?P<pname>[A-Za-z][\w.\-]*)?:\s*<(?P<pns>[^<>\s]*)>)
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<service>(?<![\w:?$])SERVICE(?![\w:\-])\s*(?:SILENT\s*)?
         (?P<target><[^<>"{}|^`\\\x00-\x20]*>|[?$]\w+|[A-Za-z]?[\w.\-]*:[\w.\-]*)?)
    """,
    re.IGNORECASE | re.VERBOSE,
)


def service_targets(sparql: str) -> list[str]:
    """The endpoints named by ``SERVICE`` clauses of a query: full IRIs, ``?var`` for a
    variable endpoint, or the raw text when a prefixed name cannot be resolved."""
    prefixes: dict[str, str] = {}
    targets = []
    for m in _SERVICE_SCAN.finditer(sparql):
        if m.group("prefix"):
            prefixes[(m.group("pname") or "").lower()] = m.group("pns")
        elif m.group("service"):
            target = m.group("target") or ""
            if target.startswith("<"):
                target = target[1:-1]
            elif ":" in target and not target.startswith(("?", "$")):
                pname, local = target.split(":", 1)
                if pname.lower() in prefixes:
                    target = prefixes[pname.lower()] + local
            targets.append(target or "(missing endpoint)")
    return targets


def check_service(sparql: str, allowed: Collection[str]) -> None:
    """Refuse a query whose ``SERVICE`` endpoints are not all on the allow-list.

    Federated queries make this server fetch from other hosts on a caller's behalf (a
    server-side request forgery vector), so they are off unless an operator lists the
    endpoints (``SERVICE_ALLOWLIST``; ``"*"`` allows any IRI).

    Raises:
        ServiceDisabled: naming the refused endpoint and the setting that allows it.
    """
    for target in service_targets(sparql):
        if target in allowed or ("*" in allowed and _IRI.fullmatch(target)):
            continue
        if not allowed:
            raise ServiceDisabled(
                f"SERVICE is disabled on this endpoint (the query calls {target}): allow-list "
                "endpoints with SERVICE_ALLOWLIST (cubegraph serve --allow-service IRI)")
        raise ServiceDisabled(f"SERVICE {target} is not on this endpoint's allow-list "
                              f"{sorted(allowed)}")
