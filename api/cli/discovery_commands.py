"""Discovery commands: search, audit, export.

Each command parses its options, calls the framework-neutral services
(:mod:`cubegraph.api.services.search`, :mod:`~cubegraph.api.services.audit`,
:mod:`~cubegraph.api.services.catalog_export`, :mod:`~cubegraph.api.services.stac_export`)
and prints the result; errors become one line on stderr through the group in
``api/cli/__init__.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


@click.command()
@click.argument("text", required=False)
@click.option("--phenomenon", metavar="CLASS", help="Phenomenon class, with its subclasses (cg:Vegetation, NDVI, 'leaf area index').")
@click.option("--bbox", metavar="W,S,E,N", help="Degrees; W > E crosses the antimeridian.")
@click.option("--start", metavar="DATE", help="ISO 8601 date: the cube's period must reach it.")
@click.option("--end", metavar="DATE", help="ISO 8601 date: the cube's period must start by then.")
@click.option("--resolution", metavar="DURATION", help="Temporal resolution, e.g. P1D, PT1H, P1M, or daily/monthly.")
@click.option("--page", type=int, default=1, show_default=True)
@click.option("--page-size", type=int, default=20, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def search(ctx, text, phenomenon, bbox, start, end, resolution, page, page_size, fmt):
    """Find cubes by free TEXT, phenomenon, place, period and resolution."""
    from cubegraph.api.services.search import search as run_search

    result = run_search(ctx.store(), text=text, phenomenon=phenomenon, bbox=bbox, start=start,
                        end=end, resolution=resolution, page=page, page_size=page_size)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2, default=str))
        return
    if not result.results:
        click.echo(f"no cubes match ({result.total} in total)")
        return
    first = (result.page - 1) * result.page_size + 1
    for rank, hit in enumerate(result.results, start=first):
        variables = ", ".join(
            f"{v['name']} ({'/'.join(v['phenomenon']) or '?'})" for v in hit.variables)
        period = f"{hit.period['start'] or '..'} / {hit.period['end'] or '..'}"
        click.echo(f"{rank:>3}. {hit.title or hit.cube}  [score {hit.score:g}]")
        click.echo(f"     {hit.cube}")
        click.echo(f"     bbox {hit.bbox}  period {period}  resolution {hit.resolution}")
        if variables:
            click.echo(f"     variables: {variables}")
    last = first + len(result.results) - 1
    click.echo(f"({first}-{last} of {result.total})")
    for name, counts in result.facets.items():
        if counts:
            click.echo(f"{name}: " + ", ".join(f"{k} ({v})" for k, v in list(counts.items())[:10]))


@click.command()
@click.argument("iri")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "turtle"]), default="text", show_default=True)
@click.option("--max-depth", type=click.IntRange(1, 50), default=10, show_default=True,
              help="How many provenance links to follow.")
@click.option("--deep", is_flag=True,
              help="Re-hash the content of every cube with a recorded content digest, "
                   "however large (by default only cubes up to 1 GiB).")
@click.pass_obj
def audit(ctx, iri, fmt, max_depth, deep):
    """FAIR provenance audit of IRI: lineage, source hashes, SHACL, FAIR metrics.

    Each source says what was verified: its content (every stored byte), sampled bytes,
    or only its metadata and sizes. Exits with status 2 when the audit fails (a source
    changed or vanished, naming the variable and chunk, or a description breaks its shapes).
    """
    from cubegraph.api.services.audit import audit as run_audit

    report = run_audit(ctx.store(), iri, max_depth=max_depth, deep=deep)
    if fmt == "json":
        click.echo(report.to_json())
    elif fmt == "turtle":
        click.echo(report.to_rdf().serialize(format="turtle"))
    else:
        click.echo(report.to_text(), nl=False)
    if not report.passed:
        sys.exit(2)


@click.command()
@click.argument("kind", type=click.Choice(["dcat", "stac", "void"]))
@click.option("--format", "fmt", type=click.Choice(["turtle", "jsonld", "ntriples", "rdfxml", "json"]),
              help="dcat/void: turtle (default), jsonld, ntriples, rdfxml; stac: json.")
@click.option("--output", "-o", type=click.Path(path_type=Path),
              help="File to write (dcat, void), or FOLDER for a self-contained STAC catalog.")
@click.pass_obj
def export(ctx, kind, fmt, output):
    """Export the catalog as DCAT, STAC (validated offline) or VoID."""
    from cubegraph.api.services import catalog_export, stac_export

    store = ctx.store()
    if kind == "stac":
        if fmt not in (None, "json"):
            raise click.UsageError("a STAC export is JSON: drop --format or use --format json")
        if output:
            files = stac_export.write_stac(store, output)
            click.echo(f"wrote {len(files)} STAC files (validated offline) under {output}", err=True)
        else:
            click.echo(json.dumps(stac_export.stac_dicts(store), indent=2))
        return
    if fmt == "json":
        raise click.UsageError(f"--format json is for stac; {kind} takes turtle, jsonld, ntriples or rdfxml")
    graph = catalog_export.dcat_catalog(store) if kind == "dcat" else catalog_export.void_description(store)
    data = catalog_export.serialize_graph(graph, fmt or "turtle")
    if output:
        output.write_bytes(data)
        click.echo(f"wrote {len(graph)} triples to {output}", err=True)
    else:
        sys.stdout.buffer.write(data)


#: The commands of this module, added to the ``cubegraph`` group by ``api/cli/__init__.py``.
COMMANDS = [search, audit, export]
