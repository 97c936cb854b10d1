"""What a request says, read as pure functions of its parameters (no Flask).

- SPARQL 1.1 Protocol requests (:func:`parse_sparql_request`): a query, an update or the
  service description, with its dataset (``default-graph-uri`` / ``named-graph-uri``).
- IRIs named by parameters (:func:`check_iri`) and by request paths
  (:func:`resource_iris`, :func:`local_path`).
- ``SERVICE`` clauses of a query, refused unless allow-listed (:func:`check_service`).

Every rule is unit-tested with plain strings (``tests/api/web``); the lean query path, the
Flask views and the Graph Store all read requests through these.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Mapping
from urllib.parse import quote

from cubegraph.api.web.errors import (
    InvalidPath,
    PayloadTooLarge,
    ProtocolError,
    ServiceDisabled,
    UnsupportedMediaType,
)
from cubegraph.api.web.negotiation import media_type
from cubegraph.kg.errors import InvalidTerm

# --- SPARQL 1.1 Protocol requests ----------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class SparqlRequest:
    """One parsed SPARQL Protocol request.

    Attributes:
        operation: ``"query"``, ``"update"`` or ``"description"`` (GET without a query).
        text: the query or update text (``None`` for a description).
        default_graphs: ``default-graph-uri`` values (``None``: the union of all graphs);
            of an update, its ``using-graph-uri`` values.
        named_graphs: ``named-graph-uri`` values (``None``: all named graphs); of an
            update, its ``using-named-graph-uri`` values.
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
            body that is not UTF-8.
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
        text = updates[0]
        if not text.strip():
            raise ProtocolError("the update is empty")
        return SparqlRequest("update", text,
                             _iris(params.get("using-graph-uri"), "using-graph-uri"),
                             _iris(params.get("using-named-graph-uri"), "using-named-graph-uri"))
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


def check_length(req: SparqlRequest, limit: int) -> None:
    """Refuse a query or update whose text is longer than ``limit`` bytes (a GET query
    lives in the URL, which no body limit covers).

    Raises:
        PayloadTooLarge: naming the operation and the limit.
    """
    if req.text is not None and len(req.text.encode("utf-8")) > limit:
        raise PayloadTooLarge(f"the {req.operation} is longer than the server accepts "
                              f"({limit} bytes)")


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
      (?P<escape>\\.)  # an escaped character of a prefixed name: ex:p\# starts no comment
    | (?P<string>\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
                 |\"(?:[^\"\\\n\r]|\\.)*\"|'(?:[^'\\\n\r]|\\.)*')
    | (?P<comment>\#[^\n\r]*)
    | (?P<prefix>(?<![\w:?$])PREFIX\s+(?P<pname>[A-Za-z][\w.\-]*)?:\s*<(?P<pns>[^<>\s]*)>)
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<service>(?<![\w:?$])(?P<keyword>SERVICE|LOAD)(?![\w:\-])\s*(?:SILENT\s*)?
         (?P<target><[^<>"{}|^`\\\x00-\x20]*>|[?$]\w+|[A-Za-z]?[\w.\-]*:[\w.\-]*)?)
    """,
    re.IGNORECASE | re.VERBOSE,
)


def service_targets(sparql: str, keyword: str = "SERVICE") -> list[str]:
    """The endpoints named by ``SERVICE`` clauses of a query (or with ``keyword="LOAD"``,
    the documents an update's ``LOAD`` fetches): full IRIs, ``?var`` for a variable
    endpoint, or the raw text when a prefixed name cannot be resolved."""
    if keyword.lower() not in sparql.lower():
        return []  # the common case: no such word anywhere, no scan (it was most of a query's own cost here)
    prefixes: dict[str, str] = {}
    targets = []
    for m in _SERVICE_SCAN.finditer(sparql):
        if m.group("prefix"):
            prefixes[(m.group("pname") or "").lower()] = m.group("pns")
        elif m.group("service") and m.group("keyword").upper() == keyword:
            target = m.group("target") or ""
            if target.startswith("<"):
                target = target[1:-1]
            elif ":" in target and not target.startswith(("?", "$")):
                pname, local = target.split(":", 1)
                if pname.lower() in prefixes:
                    target = prefixes[pname.lower()] + local
            targets.append(target or "(missing endpoint)")
    return targets


def _allowed(target: str, allowed: Collection[str]) -> bool:
    """Whether the allow-list lets the server fetch ``target`` (``"*"``: any IRI)."""
    return target in allowed or ("*" in allowed and _IRI.fullmatch(target) is not None)


def check_load(sparql: str, allowed: Collection[str]) -> None:
    """Refuse an update that ``LOAD``s a document not on the allow-list (the same list as
    ``SERVICE``'s): a ``LOAD <http://…>`` would make the server fetch any URL, internal ones
    included, on a token holder's behalf, and echo what it got in the error.

    Raises:
        ServiceDisabled: naming the refused IRI and the setting that allows it.
    """
    for target in service_targets(sparql, "LOAD"):
        if _allowed(target, allowed):
            continue
        raise ServiceDisabled(
            f"LOAD {target} is refused: this server does not fetch documents for updates "
            "unless they are on its allow-list (SERVICE_ALLOWLIST, cubegraph serve "
            "--allow-service IRI); send the data in the request instead (Graph Store "
            "Protocol: PUT or POST /rdf-graphs)")


def check_service(sparql: str, allowed: Collection[str]) -> None:
    """Refuse a query whose ``SERVICE`` endpoints are not all on the allow-list.

    Federated queries make this server fetch from other hosts on a caller's behalf (a
    server-side request forgery vector), so they are off unless an operator lists the
    endpoints (``SERVICE_ALLOWLIST``; ``"*"`` allows any IRI).

    Raises:
        ServiceDisabled: naming the refused endpoint and the setting that allows it.
    """
    for target in service_targets(sparql):
        if _allowed(target, allowed):
            continue
        if not allowed:
            raise ServiceDisabled(
                f"SERVICE is disabled on this endpoint (the query calls {target}): allow-list "
                "endpoints with SERVICE_ALLOWLIST (cubegraph serve --allow-service IRI)")
        raise ServiceDisabled(f"SERVICE {target} is not on this endpoint's allow-list "
                              f"{sorted(allowed)}")
