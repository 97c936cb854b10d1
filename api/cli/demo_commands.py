"""``cubegraph demo``: the whole job end to end on the embedded store.

Store and ontology -> demo cubes (and the real CF files when present) -> ingest ->
OWL 2 RL reasoning -> input selection -> a fire run and a drought run (torch, baselines,
SHAP, write-back) -> a summary -> the server. Each step calls the same functions as the
individual commands, so the demo is also a smoke test of the real flow.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import click

from cubegraph.config import ServerSettings
from cubegraph.config import DEFAULT_BASE_IRI
from cubegraph.kg.records.phenomenon import ontology_counts

JOBS = ("fire.yaml", "drought.yaml")


def _check_port_free(host: str, port: int) -> None:
    from cubegraph.api.web.serve import check_port_free

    try:
        check_port_free(host, port)
    except OSError as exc:
        raise click.ClickException(f"{exc}, or run with --no-serve") from None


def step(title: str) -> float:
    click.secho(f"\n== {title}", bold=True)
    return time.perf_counter()


def done(t0: float) -> None:
    click.echo(f"   ({time.perf_counter() - t0:.1f} s)")


@click.command()
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("data/demo"), show_default=True, help="Where the demo cubes go.")
@click.option("--runs", "runs_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("data/runs"), show_default=True, help="Where model files and output cubes go.")
@click.option("--jobs", "jobs_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("examples/jobs"), show_default=True, help="Folder with fire.yaml and drought.yaml.")
@click.option("--serve/--no-serve", default=True, show_default=True,
              help="Start the server at the end (Ctrl-C stops it).")
@click.option("--port", type=int, default=None,
              help=f"Server port (default from settings, {ServerSettings.port}).")
@click.option("--max-samples", type=int, default=100_000, show_default=True,
              help="Training samples per split (smaller is faster).")
@click.pass_obj
def demo(ctx, data_dir, runs_dir, jobs_dir, serve, port, max_samples):
    """Run the end-to-end demo: ontology, demo cubes, ingest, reasoning, ML + SHAP, write-back, server."""
    from cubegraph.ingest.demo import write_demo_data
    from cubegraph.ingest.pipeline import ingest_paths
    from cubegraph.kg.bootstrap import init_store
    from cubegraph.ml.runner import train_job
    from cubegraph.reasoning.jobs import load_job
    from cubegraph.reasoning.materialize import materialize
    from cubegraph.reasoning.selection import select_inputs

    if port and ctx.settings.base_iri == DEFAULT_BASE_IRI:
        # Mint IRIs on the port the demo will serve, so every IRI it prints dereferences.
        ctx.settings = dataclasses.replace(ctx.settings, base_iri=f"http://{ctx.settings.host}:{port}/")
    if serve:  # fail now, not after the whole run, when the port is taken
        _check_port_free(ctx.settings.host, port or ctx.settings.port)
    store = ctx.store()
    t0 = step("1. Store and ontology")
    for graph, n in init_store(store).items():
        click.echo(f"   loaded {n:>6} triples into <{graph}>")
    counts = ontology_counts(store)
    click.echo(f"   ontology: {counts['classes']} classes, {counts['phenomena']} phenomena, "
               f"{counts['cf_names']} CF standard names mapped")
    done(t0)

    t0 = step("2. Demo cubes with a planted ground truth")
    truth = data_dir / "ground_truth.json"
    if truth.is_file():
        click.echo(f"   reusing {data_dir} (delete it to regenerate)")
    else:
        write_demo_data(data_dir)
    cubes = sorted(p.name for p in data_dir.iterdir() if p.suffix in (".zarr", ".nc"))
    click.echo(f"   {len(cubes)} cubes in {data_dir}: {', '.join(cubes)}; ground truth {truth}")
    done(t0)

    t0 = step("3. Ingest (metadata only, SHACL-validated, one graph per cube)")
    real_data = Path(ctx.settings.real_data)  # the real CF files, ingested when present
    paths = [data_dir] + ([real_data] if real_data.is_dir() else [])
    summary = ingest_paths(store, paths, progress=True)
    click.echo("   " + summary.render(warnings=False).splitlines()[-1])
    for r in summary.failed:
        click.echo(f"   failed: {r.path}: {r.error}")
    done(t0)

    t0 = step("4. OWL 2 RL reasoning into the inferred graph")
    report = materialize(store, progress=True)
    click.echo(f"   {report.asserted} asserted -> {report.inferred} inferred triples "
               f"in <{store.iris.inferred_graph}>")
    done(t0)

    t0 = step("5. Input selection from the job specs")
    jobs = [load_job(jobs_dir / name) for name in JOBS]
    for job in jobs:
        sel = select_inputs(store, job)
        leaks = [e for e in sel.excluded if e.constraint == "leakage"]
        click.echo(f"   {job.id}: {len(sel.inputs)} inputs "
                   f"({', '.join(str(i.variable).rsplit('/', 1)[-1] for i in sel.inputs)}); "
                   f"{sel.excluded_candidates} candidates excluded, {len(leaks)} for leakage")
    done(t0)

    runs = []
    for job in jobs:
        t0 = step(f"6. Train, explain and write back: {job.id}")
        record = train_job(store, job, artifacts=runs_dir, max_samples=max_samples)
        if record.status != "succeeded":
            raise click.ClickException(f"run {record.run} failed: {record.error}")
        click.echo(record.result.summary_table())
        runs.append(record)
        done(t0)

    step("Summary")
    stats = store.stats()
    click.echo(f"   store: {store.location}: {sum(stats.values())} triples in {len(stats)} named graphs")
    base = store.iris.base
    click.echo(f"   SPARQL endpoint:  {base}sparql")
    click.echo(f"   catalog search:   {base}api/search?text=fire")
    for record in runs:
        click.echo(f"   run:              {record.run}")
        click.echo(f"     SHAP chart:     {record.chart}")
        click.echo(f"     audit:          {base}api/audit?iri={record.outputs['predictions']}")
    click.echo("   example queries:  examples/queries/*.rq  (cubegraph query @FILE)")

    if serve:
        from cubegraph.api.web.app import create_app
        from cubegraph.api.web.serve import serve as run_server

        # The app shares this process's store (its query workers open it read-only).
        app = create_app(ServerSettings(store=store, base_iri=base, token=ctx.settings.token,
                                        host=ctx.settings.host,
                                        port=port or ctx.settings.port))
        run_server(app, announce=lambda line: click.echo(line, err=True))


#: The commands of this module, added to the ``cubegraph`` group by ``api/cli/__init__.py``.
COMMANDS = [demo]
