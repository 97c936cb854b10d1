"""The one front door of SPARQL queries: a raw WSGI layer in front of the Flask app.

Flask's request machinery (contexts, routing, ``Request``/``Response`` objects, hooks) costs
more a request than a catalog query itself (figure: docs/benchmarks.md).
:class:`QueryPath` therefore owns every SPARQL Protocol request to ``/sparql`` (GET, HEAD,
POST) with only what it needs:

- it reads the request (parameters decoded as werkzeug decodes them for Flask's views, a
  body over the size limit refused) and parses it with the protocol functions;
- a *query* it answers entirely: it checks the text's length, negotiates the format, runs
  the job on the app's query runner and sends the bytes, or the error;
- a request that breaks the protocol it answers with that error;
- an *update* or a request for the *service description* it hands to the Flask app, whose
  ``sparql`` blueprint answers those and never queries.

Every error it answers is rendered by the app's one error-to-response function
(:func:`~cubegraph.api.web.error_handler.response_for`) with the app's response hooks, so
its statuses, headers and bodies are those of any Flask view.

It also reads chunked request bodies (any path) up to the body limit, so that an oversized
one is refused whole (413) rather than cut by werkzeug (:func:`_frame_body`).
"""

from __future__ import annotations

import functools
import gzip
import io
from urllib.parse import parse_qs

# Registers the "werkzeug.url_quote" codec error handler used below, so parameters decode
# exactly as werkzeug decodes them for the Flask views (invalid bytes stay percent-encoded).
import werkzeug.urls  # noqa: F401
from flask import Flask
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wsgi import get_content_length, get_current_url

from cubegraph.api.web.cursors import IDLE
from cubegraph.api.web.error_handler import response_for
from cubegraph.api.web.errors import CursorGone, NotAcceptable, PageNotFound, ProtocolError
from cubegraph.api.web.negotiation import (
    content_type,
    media_type,
    not_acceptable_message,
    result_formats,
)
from cubegraph.api.web.protocol import (
    SparqlRequest,
    check_length,
    check_service,
    parse_sparql_request,
)
from cubegraph.api.web.query_runner import QueryJob
from cubegraph.api.web.state import EXTENSION
from cubegraph.config import ServerSettings
from cubegraph.kg.result_pages import page_count
from cubegraph.kg.serialize import serialize_page

_FORM = "application/x-www-form-urlencoded"


class QueryPath:
    """WSGI middleware answering SPARQL queries at ``/sparql``; the rest goes to ``app``.

    Install it as ``app.wsgi_app = QueryPath(app)`` (``create_app`` does).

    Speed seam: bypasses Flask's request machinery for queries;
    ``tests/api/web/test_sparql_query_path.py::test_a_select_answers_in_the_accepted_format``
    and the other tests there hold every status, header and body equal to what the Flask
    view answered (figure: docs/benchmarks.md).
    """

    def __init__(self, app: Flask):
        self.app = app
        self.next = app.wsgi_app

    def __call__(self, environ, start_response):
        # The body limit Flask enforces everywhere (create_app sets it from the settings).
        limit = self.app.config["MAX_CONTENT_LENGTH"]
        if "HTTP_TRANSFER_ENCODING" in environ and not _frame_body(environ, limit):
            return self._error(environ, start_response, RequestEntityTooLarge())
        method = environ.get("REQUEST_METHOD")
        if environ.get("PATH_INFO") != "/sparql" or method not in ("GET", "HEAD", "POST"):
            return self.next(environ, start_response)
        state = self.app.extensions[EXTENSION]
        settings = state.settings
        if method != "POST" and "cursor=" in environ.get("QUERY_STRING", ""):
            args = _params(environ["QUERY_STRING"].encode("latin-1").decode("utf-8", "replace"))
            if "cursor" in args:  # not a query that merely holds the word
                return self._page(environ, start_response, state, method, args)
        try:
            req, fmt = _read_request(environ, method, settings.max_body)
        except Exception as exc:  # noqa: BLE001 - every error is answered as Flask would
            return self._error(environ, start_response, exc)
        if req.operation != "query":
            return self.next(environ, start_response)  # an update or the service description
        try:
            check_length(req, settings.max_body)
            cursor, keep = state.cursors.reserve()  # used only if the answer is cut
            job = query_job(req, settings, environ.get("HTTP_ACCEPT"), fmt, state.writes,
                            keep, _page_url(environ, cursor, 2))
            tag = entity_tag(state, job)
            if tag is not None and _matches(environ.get("HTTP_IF_NONE_MATCH"), tag):
                # nothing was written since the client's copy: the query is not even run
                start_response("304 Not Modified", [("ETag", tag), *_COMMON])
                return []
            answer = state.runner.run(job, settings.query_timeout, environ.get("REMOTE_ADDR"))
        except Exception as exc:  # noqa: BLE001 - every error is answered as Flask would
            return self._error(environ, start_response, exc)
        body, headers = answer.body, [("Content-Type", content_type(answer.media_type))]
        body, common = _encoded(body, environ, headers)
        headers += [("Content-Length", str(len(body))), *common]
        if tag is not None and not answer.truncated:  # a cut answer names its own cursor
            headers.append(("ETag", tag))
        if answer.truncated:
            cursor_headers = ([("Link", f'<{job.next_url}>; rel="next"'), ("X-Cubegraph-Cursor", cursor)]
                              if state.cursors.opened(cursor) else [])
            headers += truncation_headers(job.max_rows, cursor_headers)
        start_response("200 OK", headers)
        # HEAD gets the headers of the answer, Content-Length included, without its body.
        return [] if method == "HEAD" else [body]

    def _page(self, environ, start_response, state, method: str, args: dict[str, list[str]]):
        """Answer ``?cursor=ID&page=N``: page N of a cut answer (:mod:`.cursors`)."""
        try:
            cursor, page = args["cursor"][0], args.get("page", ["1"])[0]
            if set(args) - {"cursor", "page", "format"} or not page.isdigit() or int(page) < 1:
                raise ProtocolError("a page is asked with ?cursor=ID&page=N (N from 1, and "
                                    "format= if you like), nothing else: the cursor stands "
                                    "for its query and dataset")
            page = int(page)
            path = state.cursors.use(cursor)
            if path is None:
                raise CursorGone(f"no cursor {cursor!r}: cursors live {IDLE / 60:g} minutes after "
                                 "their last use; run the query again for a new one")
            kind, pages = page_count(path)
            if page > pages:
                raise PageNotFound(f"the cursor has {pages} pages, not {page}")
            formats = result_formats(environ.get("HTTP_ACCEPT"), args.get("format", [None])[0])
            chosen = formats.for_kind(kind)
            if chosen is None:
                raise NotAcceptable(not_acceptable_message(formats.accept, formats.format_param,
                                                           "page") + " (the Accept header or "
                                    "format parameter allows none of this result's formats)")
            body = serialize_page(path, chosen[0], page)
        except Exception as exc:  # noqa: BLE001 - every error is answered as Flask would
            return self._error(environ, start_response, exc)
        headers = [("Content-Type", content_type(chosen[1]))]
        body, common = _encoded(body, environ, headers)
        headers += [("Content-Length", str(len(body))), *common,
                    ("ETag", f'"{cursor}-{page}-{chosen[0]}"'),  # a page never changes
                    ("X-Cubegraph-Page", f"{page}/{pages}")]
        exposed = "X-Cubegraph-Page"
        if page < pages:
            headers.append(("Link", f'<{_page_url(environ, cursor, page + 1)}>; rel="next"'))
            exposed += ", Link"
        headers.append(("Access-Control-Expose-Headers", exposed))
        start_response("200 OK", headers)
        return [] if method == "HEAD" else [body]

    def _error(self, environ, start_response, exc: BaseException):
        """Answer ``exc`` with the app's error response and response hooks (CORS, Vary)."""
        app = self.app
        with app.request_context(environ):
            response = app.process_response(response_for(exc))
        return response(environ, start_response)


#: What every query answer carries: an answer long enough to be gzipped varies with the
#: request's Accept-Encoding too; a shorter one never does (each header costs every request
#: a little, on both sides: docs/benchmarks.md).
_COMMON = (("Access-Control-Allow-Origin", "*"), ("Vary", "Accept, Accept-Encoding"),
           ("X-Content-Type-Options", "nosniff"))
_COMMON_SHORT = (("Access-Control-Allow-Origin", "*"), ("Vary", "Accept"),
                 ("X-Content-Type-Options", "nosniff"))
#: Answers at least this long are gzipped for a client that accepts it (smaller ones gain
#: less than the header costs).
_GZIP_FROM = 1024


def _encoded(body: bytes, environ, headers: list) -> tuple[bytes, tuple]:
    """``body`` gzipped when it is long enough and the client takes gzip (its header added
    to ``headers``), and the headers every answer of that length carries."""
    if len(body) < _GZIP_FROM:
        return body, _COMMON_SHORT
    if "gzip" in environ.get("HTTP_ACCEPT_ENCODING", ""):
        headers.append(("Content-Encoding", "gzip"))
        body = gzip.compress(body, compresslevel=4, mtime=0)
    return body, _COMMON


def entity_tag(state, job: QueryJob) -> str | None:
    """The ETag of a query's answer: the server's start (:attr:`ApiState.started`: the write
    count starts again at 0 on a restart, and the data may have changed while the server
    was down), the job's generation (the write count) and everything that shapes the
    answer (text, dataset, formats, row cap). None when the server is not the store's only
    writer (a remote store: its data may change behind it).

    A tag only has to tell answers of one server's life apart, so Python's own 64-bit hash
    (SipHash, in C) serves: a digest of the text per request cost more than the rest of
    the tag."""
    if not state.tags_answers:
        return None
    key = hash((job.text, job.default_graphs, job.named_graphs, job.formats.solutions,
                job.formats.graph, job.max_rows))
    return f'"{state.started}-{job.generation:x}-{key & 0xFFFFFFFFFFFFFFFF:016x}"'


def _matches(header: str | None, tag: str) -> bool:
    if not header:
        return False
    return header.strip() == "*" or tag in (t.strip().removeprefix("W/") for t in header.split(","))


def query_job(req: SparqlRequest, settings: ServerSettings, accept: str | None,
              format_param: str | None, generation: int = 0, keep: str = "",
              next_url: str = "") -> QueryJob:
    """The job of a parsed query request under the server's settings, at ``generation``
    (the server's write count when it arrived); ``keep`` and ``next_url``: where a cut
    answer is kept for paging, and its second page's URL.

    Raises:
        ServiceDisabled: the query calls a ``SERVICE`` not on the allow-list.
        NotAcceptable: no result format the client accepts, or an unknown ``format``.
    """
    check_service(req.text, settings.service_allowlist)
    return QueryJob(req.text, req.default_graphs, req.named_graphs,
                    result_formats(accept, format_param), settings.max_rows, generation,
                    keep=keep, next_url=next_url)


def truncation_headers(max_rows: int, cursor_headers=()) -> list[tuple[str, str]]:
    """The headers flagging an answer cut to its first ``max_rows`` rows (``Answer.truncated``),
    with ``cursor_headers`` (its next page), exposed to cross-origin scripts too."""
    how = ("follow the Link to the next page" if cursor_headers
           else "page through it with ORDER BY, LIMIT and OFFSET")
    exposed = ["X-Cubegraph-Truncated", "X-Cubegraph-Max-Rows", "Warning"]
    return [("X-Cubegraph-Truncated", "true"), ("X-Cubegraph-Max-Rows", str(max_rows)),
            ("Warning", f'199 cubegraph "result truncated to the first {max_rows} rows: {how}"'),
            *cursor_headers,
            ("Access-Control-Expose-Headers", ", ".join(exposed + [name for name, _ in cursor_headers]))]


def _page_url(environ, cursor: str, page: int) -> str:
    """The URL of page ``page`` of ``cursor``, as this request reached the server."""
    root = _root_url(environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST"),
                     environ.get("SERVER_NAME"), environ.get("SERVER_PORT"),
                     environ.get("SCRIPT_NAME", ""))
    return f"{root}sparql?cursor={cursor}&page={page}"


@functools.lru_cache(maxsize=64)
def _root_url(scheme, host, server_name, server_port, script_name) -> str:
    # werkzeug's (host checked and quoted) for each way a server is reached, not per query
    environ = {"wsgi.url_scheme": scheme, "SERVER_NAME": server_name,
               "SERVER_PORT": server_port, "SCRIPT_NAME": script_name}
    if host is not None:
        environ["HTTP_HOST"] = host
    return get_current_url(environ, root_only=True)


def _read_request(environ, method: str, limit: int) -> tuple[SparqlRequest, str | None]:
    """The SPARQL Protocol request of a WSGI request, and its ``format`` parameter.

    A POST body is read whole (it is at most ``limit`` bytes) and put back, so the Flask
    app still finds it when it answers an update.

    Raises:
        RequestEntityTooLarge: the body is longer than ``limit`` (werkzeug's own 413).
        ProtocolError, UnsupportedMediaType, InvalidTerm: see ``parse_sparql_request``.
    """
    ctype = environ.get("CONTENT_TYPE")
    args = _params(environ.get("QUERY_STRING", "").encode("latin-1").decode("utf-8", "replace"))
    form, body = {}, b""
    if method == "POST":
        length = get_content_length(environ)
        if length is not None and length > limit:
            raise RequestEntityTooLarge()
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        if media_type(ctype) == _FORM:
            try:
                form = _params(body.decode("utf-8"))
            except UnicodeDecodeError:
                form = {}  # werkzeug reads a form that is not UTF-8 as an empty one
            body = b""
    req = parse_sparql_request(method, ctype, args, form, body)
    fmt = args.get("format")
    return req, fmt[0] if fmt else None


def _params(text: str) -> dict[str, list[str]]:
    return parse_qs(text, keep_blank_values=True, errors="werkzeug.url_quote")


def _frame_body(environ, limit: int) -> bool:
    """Give a chunked body a ``Content-Length``; False when it is longer than ``limit``.

    A server that streams bodies (granian) passes a chunked body without a length, and
    werkzeug then silently cuts it at ``MAX_CONTENT_LENGTH``: a cut update or Graph Store
    body could still parse and write half of what was sent. Reading it here (at most
    ``limit`` + 1 bytes) turns an oversized body into a 413 and a fitting one into a body
    of known length, as waitress does by buffering.
    """
    stream, parts, size = environ["wsgi.input"], [], 0
    while size <= limit:
        part = stream.read(min(65536, limit + 1 - size))
        if not part:
            break
        parts.append(part)
        size += len(part)
    if size > limit:
        return False
    body = b"".join(parts)
    del environ["HTTP_TRANSFER_ENCODING"]
    environ["CONTENT_LENGTH"] = str(len(body))
    environ["wsgi.input"] = io.BytesIO(body)
    return True
