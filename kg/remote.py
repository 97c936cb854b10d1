"""RemoteStore: any SPARQL 1.1 Protocol endpoint behind the same Store interface.

Transport (:class:`SparqlConnector`: HTTP, URL-encoded POST, errors) is kept apart from
store semantics (:class:`RemoteStore`), as rdflib keeps ``SPARQLConnector`` under
``SPARQLStore``. URL-encoded POST is used for both queries and updates because Virtuoso
never answers a direct ``application/sparql-query`` body.

The server must answer queries over the union of its named graphs by default (Oxigraph:
``oxigraph serve --union-default-graph``; Virtuoso does so out of the box). Atomicity: every
transaction is ONE update request; whether the server applies a multi-operation request
atomically is the server's promise (Oxigraph does) and is checked by the store contract
tests.
"""

from __future__ import annotations

import http
import io
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping

from rdflib import BNode, Dataset, Graph, Literal, URIRef

from cubegraph.kg._convert import to_ntriples_term
from cubegraph.kg.errors import (
    QuerySyntaxError,
    RDFSyntaxError,
    StoreError,
    StoreUnavailable,
    UnknownFormat,
)
from cubegraph.kg.formats import holds_graphs, rdf_format, rdflib_name
from cubegraph.kg.iris import Iris
from cubegraph.kg.results import QueryResult
from cubegraph.kg.serialize import write_dump, xml_checked
from cubegraph.kg.store import Store, read_rdf_source

_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"
ALL_QUADS = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
ALL_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
# Both counts in one request, so that they are read from one state of the store.
COUNT_UNION_AND_NAMED = """
SELECT ?union ?named WHERE {
  { SELECT (COUNT(*) AS ?union) WHERE { ?s ?p ?o } }
  { SELECT (COUNT(*) AS ?named) WHERE { GRAPH ?g { ?s ?p ?o } } }
}"""
#: Seconds a remote store waits for each answer, unless told otherwise.
DEFAULT_TIMEOUT = 60.0


class SparqlConnector:
    """HTTP transport to a SPARQL 1.1 query endpoint and update endpoint."""

    def __init__(self, query_endpoint: str, update_endpoint: str | None = None,
                 *, token: str | None = None, timeout: float = DEFAULT_TIMEOUT):
        self.query_endpoint = query_endpoint
        # Oxigraph serves /query and /update; cubegraph and Virtuoso answer both at one URL.
        if update_endpoint is None and query_endpoint.rstrip("/").endswith("/query"):
            update_endpoint = query_endpoint.rstrip("/")[: -len("query")] + "update"
        self.update_endpoint = update_endpoint or query_endpoint
        self.token = token
        self.timeout = timeout

    def post(self, url: str, form: list[tuple[str, str]], accept: str,
             what: str = "query") -> tuple[str, bytes]:
        """POST a URL-encoded form; return (content type, body).

        Raises:
            QuerySyntaxError: the server answered 400 (its message is kept).
            StoreUnavailable: the server cannot be reached, refused the request (a 401 or
                403 says what to do about the token) or failed.
        """
        data = urllib.parse.urlencode(form).encode("utf-8")
        req = urllib.request.Request(url, data=data, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept": accept})
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return resp.headers.get("Content-Type", ""), resp.read()
        except urllib.error.HTTPError as exc:
            message = _server_message(exc.read())
            if exc.code == 400:
                # 400 is a syntax error, or a request the server will not run (a LOAD it
                # may not fetch): its own message says which
                raise QuerySyntaxError(f"malformed SPARQL {what}, or one the server refuses "
                                       f"(400; server said: {message})") from exc
            raise StoreUnavailable(self._refusal(url, exc.code, what, message)) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise StoreUnavailable(f"cannot reach the SPARQL endpoint {url}: {exc}") from exc

    def _refusal(self, url: str, code: int, what: str, message: str) -> str:
        """Why the server refused, and what to do about it, for the error message."""
        try:
            status = f"{code} {http.HTTPStatus(code).phrase}"
        except ValueError:
            status = f"HTTP {code}"
        if code == 401 and not self.token:
            why = (f"the server needs a bearer token for this {what}; set CUBEGRAPH_TOKEN "
                   "(or pass token= to open_store)")
        elif code in (401, 403) and self.token:
            why = (f"the server did not accept the bearer token for this {what}; check that "
                   "CUBEGRAPH_TOKEN is the server's write token")
        elif code == 403:
            why = f"the server forbids this {what}"
        else:
            why = f"the {what} failed on the server"
        return f"{url} answered {status}: {why} (server said: {message})"


class RemoteStore(Store):
    """A store behind a SPARQL 1.1 endpoint (e.g. ``http://host:7878/query``).

    Args:
        query_endpoint: URL of the query endpoint.
        update_endpoint: URL of the update endpoint (default: the query endpoint).
        iris: the IRI minter (default: the default base IRI).
        read_only: refuse every write here, before any request is sent.
        token: bearer token sent with every request.
        timeout: seconds to wait for each answer.
    """

    supports_transactions = True  # one request per transaction; see the module docstring
    persistent = True

    def __init__(self, query_endpoint: str, *, update_endpoint: str | None = None,
                 iris: Iris | None = None, read_only: bool = False, token: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT):
        super().__init__(iris)
        self.location = query_endpoint
        self.read_only = read_only
        self.connector = SparqlConnector(query_endpoint, update_endpoint, token=token, timeout=timeout)

    def query(self, sparql, *, bindings=None, default_graph=None, named_graphs=None):
        form = [("query", _with_values(sparql, bindings))]
        form += [("default-graph-uri", str(g)) for g in default_graph or []]
        form += [("named-graph-uri", str(g)) for g in named_graphs or []]
        ctype, body = self.connector.post(self.connector.query_endpoint, form, _ACCEPT)
        return _RemoteResult(ctype, body)

    def update(self, sparql):
        # Every write (load and transactions too) comes through here.
        if self.read_only:
            raise StoreError(f"the store at {self.location} is open read-only: nothing was "
                             "written (no request sent); open it without read_only to write")
        self.connector.post(self.connector.update_endpoint, [("update", sparql)], "*/*", "update")

    def load(self, source, *, format=None, graph=None):
        fmt, data, name = read_rdf_source(source, format)
        ds = Dataset()
        try:
            ds.parse(data=data, format=rdflib_name(fmt))
        except Exception as exc:  # rdflib raises many parser-specific types
            raise RDFSyntaxError(f"{name} is not valid {fmt}: {exc}") from exc
        with self.transaction() as tx:
            if holds_graphs(fmt):
                for ctx in ds.graphs():
                    target = None if ctx.identifier == ds.default_graph.identifier else ctx.identifier
                    tx.add(target, ctx)
            else:
                tx.add(graph, ds.default_graph)

    def dump(self, out=None, *, format="nquads", graph=None):
        fmt = rdf_format(format)
        if graph is not None:
            data = xml_checked(self.graph(graph).serialize(format=rdflib_name(fmt), encoding="utf-8"), fmt)
        else:
            if not holds_graphs(fmt):
                raise UnknownFormat(f"{fmt} cannot hold named graphs: dump one graph, or use nquads/trig")
            ds = Dataset()
            for row in self.query(ALL_QUADS):
                ds.graph(row["g"]).add((row["s"], row["p"], row["o"]))
            data = ds.serialize(format=rdflib_name(fmt), encoding="utf-8")
        return write_dump(out, data)

    def graphs(self):
        return sorted(r["g"] for r in self.query(ALL_GRAPHS) if isinstance(r["g"], URIRef))

    def default_graph_count(self) -> int:
        """Triples in the default graph itself: the union's count less the named graphs'.

        The protocol cannot name "the default graph alone" on a union-default server, but
        Oxigraph (and cubegraph's own server) match a pattern of the default graph once per
        quad of every graph, the default one included, so the difference is exact there.

        Raises:
            StoreError: the union holds fewer triples than the named graphs (the server
                removes duplicates from it, or does not query the union by default).
        """
        rows = self.query(COUNT_UNION_AND_NAMED).rows()
        union, named = (int(rows[0]["union"]), int(rows[0]["named"])) if rows else (0, 0)
        if union < named:
            raise StoreError(
                f"cannot count the default graph of {self.location}: its default graph holds "
                f"{union} triples, fewer than its named graphs' {named}; the server must query "
                "the union of every graph by default (Oxigraph: --union-default-graph)")
        return union - named

    def close(self):
        pass


def _server_message(body: bytes) -> str:
    """The server's own explanation: the ``message`` of a JSON error (cubegraph's), else
    the start of the body."""
    text = body.decode("utf-8", "replace").strip()
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    if isinstance(doc, dict) and isinstance(doc.get("message"), str):
        text = doc["message"]
    return " ".join(text.split())[:500]


def _with_values(sparql: str, bindings: Mapping[str, object] | None) -> str:
    """Bind variables with a ``VALUES`` block placed at the start of every WHERE group.

    At the start of the group (not after the query, where SPARQL would join it only with
    the finished result), FILTERs, BINDs and subqueries inside that group see the values,
    as with pyoxigraph's substitution. Terms are serialised by pyoxigraph, never pasted.
    """
    if not bindings:
        return sparql
    names = [str(n).lstrip("?$") for n in bindings]
    values = " ".join(to_ntriples_term(v) for v in bindings.values())
    block = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({values}) }} "
    spots = _where_groups(sparql)
    if not spots:  # no group found (unusual text): fall back to the trailing form
        return f"{sparql}\nVALUES ({' '.join('?' + n for n in names)}) {{ ({values}) }}"
    out, last = [], 0
    for pos in spots:
        out.append(sparql[last:pos + 1])
        out.append(block)
        last = pos + 1
    out.append(sparql[last:])
    return "".join(out)


_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_WORD = re.compile(r"[A-Za-z_]+")


def _where_groups(text: str) -> list[int]:
    """Offsets of the ``{`` opening each WHERE group (outer query and subqueries).

    A small scanner that skips strings, IRIs and comments. Where a query has no WHERE
    keyword (``SELECT * { ... }``), the first group outside a CONSTRUCT template counts.
    """
    spots, i, n = [], 0, len(text)
    pending = False          # saw WHERE, waiting for its "{"
    depth = 0
    form = None
    first_group = None
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if c in "\"'":
            quote = text[i:i + 3] if text[i:i + 3] in ('"""', "'''") else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            i = j + len(quote)
            continue
        if c == "<":
            m = _IRIREF.match(text, i)
            if m:
                i = m.end()
                continue
        if c.isalpha():
            m = _WORD.match(text, i)
            word = m.group(0).upper()
            if word == "WHERE":
                pending = True
            elif form is None and word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
                form = word
            i = m.end()
            continue
        if c == "{":
            if pending:
                spots.append(i)
                pending = False
            elif depth == 0 and first_group is None and form != "CONSTRUCT":
                first_group = i
            depth += 1
        elif c == "}":
            depth -= 1
        i += 1
    if first_group is not None and first_group not in spots:
        spots.append(first_group)  # the outer group of a query written without WHERE
    return sorted(spots)


def _term(b: dict):
    kind = b["type"]
    if kind == "uri":
        return URIRef(b["value"])
    if kind == "bnode":
        return BNode(b["value"])
    if "xml:lang" in b:
        return Literal(b["value"], lang=b["xml:lang"])
    dt = b.get("datatype")
    if dt and dt != "http://www.w3.org/2001/XMLSchema#string":
        return Literal(b["value"], datatype=URIRef(dt))
    return Literal(b["value"])


class _RemoteResult(QueryResult):
    def __init__(self, content_type: str, body: bytes):
        self._body = body
        if "json" in content_type:
            doc = json.loads(body)
            if "boolean" in doc:
                self.kind, self.vars, self._value = "ask", [], bool(doc["boolean"])
            else:
                self.kind, self.vars = "select", list(doc["head"].get("vars", []))
                self._bindings = doc["results"]["bindings"]
        else:
            self.kind, self.vars = "graph", []
            g = Graph()
            g.parse(io.BytesIO(body), format="nt")
            self._graph = g

    def __iter__(self):
        if self.kind == "select":
            for b in self._bindings:
                yield {v: (_term(b[v]) if v in b else None) for v in self.vars}
        elif self.kind == "graph":
            yield from self._graph
        else:
            raise TypeError("an ASK result is a boolean: use bool(result)")

    def __bool__(self):
        return self._value if self.kind == "ask" else True

    def serialize(self, fmt: str) -> bytes:
        if self.kind == "graph":
            name = rdf_format(fmt)
            return xml_checked(self._graph.serialize(format=rdflib_name(name), encoding="utf-8"), name)
        if fmt == "json":
            return self._body
        if fmt in ("csv", "tsv") and self.kind == "select":
            return _delimited(self, fmt)
        raise UnknownFormat(f"a remote result is kept as JSON; {fmt!r} is not available")


def _delimited(result: "_RemoteResult", fmt: str) -> bytes:
    """SPARQL 1.1 CSV (plain values) or TSV (N-Triples terms) from JSON rows."""
    import csv

    buf = io.StringIO()
    if fmt == "csv":
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(result.vars)
        for row in result:
            w.writerow(["" if row[v] is None else str(row[v]) for v in result.vars])
    else:
        buf.write("\t".join("?" + v for v in result.vars) + "\n")
        for row in result:
            buf.write("\t".join("" if row[v] is None else to_ntriples_term(row[v]) for v in result.vars) + "\n")
    return buf.getvalue().encode("utf-8")
