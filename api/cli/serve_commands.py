"""``cubegraph serve``: the SPARQL endpoint, Graph Store and linked-data pages over HTTP."""

from __future__ import annotations

import dataclasses

import click

from cubegraph.config import ServerSettings

# Every default shown below is ServerSettings' own: the one place server defaults live.
_DEFAULTS = ServerSettings()


@click.command()
@click.option("--host", metavar="ADDR",
              help=f"Address to bind (default {_DEFAULTS.host}; env CUBEGRAPH_HOST).")
@click.option("--port", type=int, metavar="N",
              help=f"Port (default {_DEFAULTS.port}; env CUBEGRAPH_PORT).")
@click.option("--token", metavar="TOKEN",
              help="Bearer token for writes (env CUBEGRAPH_TOKEN, preferred: a flag shows in ps). "
                   "Without one the server is read-only.")
@click.option("--timeout", "query_timeout", type=float, default=_DEFAULTS.query_timeout,
              show_default=True, help="Seconds a query may run before it is stopped.")
@click.option("--max-rows", type=int, default=_DEFAULTS.max_rows, show_default=True,
              help="Rows of a query answer; longer answers are truncated (and flagged).")
@click.option("--max-body", type=int, default=_DEFAULTS.max_body, show_default=True,
              help="Largest request body (or query text), in bytes.")
@click.option("--workers", type=int, default=_DEFAULTS.query_workers, show_default=True,
              help="Queries one client may run in parallel, each in a worker process reading "
                   "a snapshot of the store (one more process is kept for a client with none "
                   "running; a spare starts while requests wait).")
@click.option("--query-memory", "query_memory_mb", type=int,
              default=_DEFAULTS.query_memory_mb, show_default=True,
              help="Megabytes a query may allocate in its worker; past it the query is "
                   "stopped (503). 0: no limit.")
@click.option("--threads", type=int, default=_DEFAULTS.threads, show_default=True,
              help="Python threads answering requests (queries themselves run in the workers).")
@click.option("--allow-service", multiple=True, metavar="IRI",
              help="Allow SERVICE calls to this endpoint (repeatable; '*' allows any).")
@click.pass_obj
def serve(ctx, host, port, token, query_timeout, max_rows, max_body, workers, query_memory_mb,
          threads, allow_service):
    """Serve the store over HTTP: /sparql (SPARQL 1.1 query and update), /rdf-graphs
    (Graph Store Protocol) and every IRI under the base IRI as a linked-data page."""
    # Imported here: the web stack is only needed by this command, not by the rest of the CLI.
    from cubegraph.api.web.serve import serve_config

    # Flags over what the group resolved (environment > config file > defaults).
    flags = {"host": host, "port": port, "token": token}
    settings = dataclasses.replace(ctx.settings, **{k: v for k, v in flags.items() if v is not None})
    if settings.host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"warning: binding {settings.host} exposes the server beyond this machine",
                   err=True)
    server = ServerSettings(
        store=str(settings.store), base_iri=settings.base_iri, token=settings.token,
        data_root=settings.data_root, host=settings.host, port=settings.port, max_body=max_body, query_timeout=query_timeout,
        max_rows=max_rows, query_workers=workers, query_memory_mb=query_memory_mb, threads=threads,
        service_allowlist=tuple(allow_service))
    if not settings.token:
        click.echo("no write token (--token / CUBEGRAPH_TOKEN): the server is read-only", err=True)
    # The app (and its store) is built in the HTTP server's worker process.
    serve_config(server, announce=lambda line: click.echo(line, err=True))


#: The commands of this module, added to the ``cubegraph`` group by ``api/cli/__init__.py``.
COMMANDS = [serve]
