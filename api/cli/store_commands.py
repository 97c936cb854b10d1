"""Store commands: init, load, query, update, dump, stats."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cubegraph.api.cli._output import print_result, print_table
from cubegraph.kg.bootstrap import init_store, old_records
from cubegraph.kg.errors import UnknownFormat

RESULT_FORMATS = ["table", "csv", "tsv", "json", "xml", "turtle", "ntriples", "jsonld", "rdfxml"]


def read_text_arg(value: str, what: str) -> str:
    """``@file.rq`` reads the file; ``-`` reads stdin; anything else is the text itself."""
    if value == "-":
        return sys.stdin.read()
    if value.startswith("@"):
        path = Path(value[1:])
        if not path.is_file():
            raise FileNotFoundError(f"{what} file '{path}' does not exist")
        return path.read_text(encoding="utf-8")
    return value


@click.command()
@click.pass_obj
def init(ctx):
    """Create the store (if new) and load the ontology and SHACL shapes into it.

    Jobs and selections an older cubegraph wrote in an earlier layout, and cube dates it
    wrote without a timezone, are moved to the current one (one atomic update per kind; running init again finishes an interrupted move).
    """
    store = ctx.store()
    old = old_records(store)
    written = init_store(store)
    for graph, n in written.items():
        click.echo(f"loaded {n:>6} triples into <{graph}>")
    for kind, n in old.items():
        if n:
            click.echo(f"moved {n} {kind} written by an older cubegraph to the current layout "
                       "(run 'cubegraph reason' to refresh the inferences)")
    click.echo(f"store ready at {store.location} ({store.count()} triples)")


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--graph", metavar="IRI", help="Named graph for triple formats (default graph if omitted).")
@click.option("--format", "fmt", metavar="NAME",
              help="turtle, ntriples, nquads, trig, rdfxml or jsonld (default: from the extension).")
@click.pass_obj
def load(ctx, file, graph, fmt):
    """Load an RDF FILE, atomically: a file that fails to parse adds nothing."""
    store = ctx.store()
    before = store.count()
    store.load(file, format=fmt, graph=graph)
    click.echo(f"loaded {store.count() - before} new triples from {file}"
               + (f" into <{graph}>" if graph else ""))


@click.command()
@click.argument("sparql")
@click.option("--format", "fmt", type=click.Choice(RESULT_FORMATS), default="table", show_default=True)
@click.pass_obj
def query(ctx, sparql, fmt):
    """Run a SPARQL query: the text, @file.rq, or - for stdin.

    The default graph is the union of all named graphs.
    """
    result = ctx.store(read_only=False).query(read_text_arg(sparql, "query"))
    if result.kind == "graph" and fmt in ("csv", "tsv", "json", "xml"):
        raise UnknownFormat(f"--format {fmt} is for SELECT/ASK results; a graph result takes "
                            "turtle, ntriples, jsonld or rdfxml")
    if result.kind != "graph" and fmt in ("turtle", "ntriples", "jsonld", "rdfxml"):
        raise UnknownFormat(f"--format {fmt} is for CONSTRUCT/DESCRIBE results; a "
                            f"{result.kind.upper()} result takes table, csv, tsv, json or xml")
    print_result(result, fmt)


@click.command()
@click.argument("sparql")
@click.pass_obj
def update(ctx, sparql):
    """Run a SPARQL 1.1 Update (text, @file.ru or -), atomically."""
    store = ctx.store()
    before = store.count()
    store.update(read_text_arg(sparql, "update"))
    click.echo(f"update applied: {store.count() - before:+d} triples")


@click.command()
@click.option("--format", "fmt", type=click.Choice(["nquads", "trig"]), default="nquads", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE instead of stdout.")
@click.pass_obj
def dump(ctx, fmt, output):
    """Dump every named graph as N-Quads or TriG (restore with 'cubegraph load')."""
    store = ctx.store()
    if output:
        store.dump(output, format=fmt)
        click.echo(f"wrote {store.count()} quads to {output}", err=True)
    else:
        sys.stdout.buffer.write(store.dump(format=fmt))


@click.command()
@click.pass_obj
def stats(ctx):
    """Triples per named graph."""
    store = ctx.store()
    per_graph = store.stats()
    rows = [{"graph": g or "(default graph)", "triples": n} for g, n in per_graph.items()]
    from rdflib import Literal

    print_table([{k: Literal(v) for k, v in r.items()} for r in rows], ["graph", "triples"], max_width=100)
    click.echo(f"total: {sum(per_graph.values())} triples in {len(per_graph)} graphs at {store.location}")


#: The commands of this module, added to the ``cubegraph`` group by ``api/cli/__init__.py``.
COMMANDS = [init, load, query, update, dump, stats]
