"""Ingest commands: ingest, demo-data."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--stats", is_flag=True, help="Also compute per-variable min/max/mean/missing (reads the data, chunk by chunk).")
@click.option("--force", is_flag=True, help="Re-describe cubes even when their fingerprint is unchanged.")
@click.option("--checksum", type=click.Choice(["auto", "content", "metadata"]), default="auto",
              show_default=True,
              help="Hash every stored byte (content: a digest per chunk, so an audit can name a "
                   "changed chunk), only metadata and sizes (metadata), or content for cubes up "
                   "to 1 GiB (auto).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no warnings, only the summary.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="Write every file's outcome and every note on its cube, with the CF/ACDD "
                   "rule each cites, and the notes per kind: JSON for a .json file, else a "
                   "readable table ('-': the table on stdout). Cubes this ingest leaves "
                   "unchanged are reported too.")
@click.pass_obj
def ingest(ctx, paths, stats, force, checksum, quiet, report_path):
    """Describe zarr stores and NetCDF files (PATHS: files, folders, globs) in the graph.

    Reads metadata and hashes the stored bytes (see --checksum); decodes values only with
    --stats. Each cube lands whole or not at all; a bad file is reported and the batch goes
    on; the exit code is 1 when anything failed.
    """
    from cubegraph.ingest.pipeline import ingest_paths
    from cubegraph.kg.bootstrap import init_store, is_initialised

    if report_path is not None and str(report_path) != "-" \
            and not report_path.absolute().parent.is_dir():
        folder = report_path.absolute().parent
        why = "is not a folder" if folder.exists() else "does not exist"
        raise click.BadParameter(f"folder {str(folder)!r} {why}", param_hint="--report")
    store = ctx.store()
    if not is_initialised(store):
        # Descriptions point at ontology classes; without them queries by meaning find nothing.
        init_store(store)
        click.echo(f"new store at {store.location}: loaded the ontology and shapes first")
    summary = ingest_paths(store, list(paths), stats=stats, force=force, progress=not quiet,
                           checksum=checksum)
    click.echo(summary.render(warnings=not quiet))
    if report_path is not None:
        from cubegraph.ingest.report import build_report, write_report

        report = build_report(store, summary)
        try:
            write_report(report, report_path)
        except OSError as exc:
            click.echo(f"error: the report could not be written to {report_path}: "
                       f"{exc.strerror or exc}", err=True)
            sys.exit(1)
        if str(report_path) != "-":
            click.echo(f"report: {report_path} ({len(report.files)} file(s), "
                       f"{sum(report.counts.values())} note(s))")
    changed = [r.cube for r in (*summary.ingested, *summary.replaced) if r.cube is not None]
    if changed and store.has_graph(store.iris.inferred_graph):
        # Keep the inferred graph in step, cube by cube (cheap), once a full run exists.
        from cubegraph.reasoning.materialize import update_inferences

        added = removed = 0
        for cube in changed:
            report = update_inferences(store, cube)
            added, removed = added + report.added, removed + report.removed
        click.echo(f"inferred graph updated: +{added} / -{removed} triples")
    sys.exit(summary.exit_code)


@click.command("demo-data")
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--size", type=click.Choice(["small", "medium"]), default="small", show_default=True)
@click.option("--seed", type=int, default=42, show_default=True)
def demo_data(outdir, size, seed):
    """Write demo cubes (Greece fire, Africa drought, Brazil tourism, InSAR) with a planted ground truth."""
    from cubegraph.ingest.demo import write_demo_data

    truth = write_demo_data(outdir, size=size, seed=seed)
    cubes = sorted(p.name for p in Path(outdir).iterdir() if p.suffix in (".zarr", ".nc"))
    click.echo(f"wrote {len(cubes)} cubes to {outdir}: {', '.join(cubes)}")
    click.echo(f"ground truth: {truth}")


#: The commands of this module, added to the ``cubegraph`` group by ``api/cli/__init__.py``.
COMMANDS = [ingest, demo_data]
