"""Reasoning commands: reason (materialise / check the ontology), select (job -> inputs)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


@click.command()
@click.option("--check", is_flag=True, help="Check the ontology with HermiT (consistency, unsatisfiable classes) instead.")
@click.option("--with", "extra", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="With --check: extra Turtle to reason over with the ontology (repeatable).")
@click.pass_obj
def reason(ctx, check, extra):
    """Materialise the OWL 2 RL closure into the inferred graph (or --check the ontology).

    Asserted triples stay where they are; only new triples go to the inferred named graph.
    With --check, exits 1 when the ontology is inconsistent or has unsatisfiable classes.
    """
    if check:
        from cubegraph.reasoning.consistency import check_ontology

        report = check_ontology(list(extra))
        click.echo(report.summary())
        sys.exit(0 if report.ok else 1)
    from cubegraph.kg.bootstrap import init_store, is_initialised
    from cubegraph.reasoning.materialize import materialize

    store = ctx.store()
    if not is_initialised(store):
        init_store(store)
    report = materialize(store, progress=True)
    secs = report.seconds
    click.echo(f"{report.mode} closure with {report.engine}: {report.sources} graphs, "
               f"{report.asserted} asserted triples -> {report.inferred} inferred "
               f"(+{report.added} / -{report.removed}) in {secs.get('total', 0):.1f} s")
    click.echo(f"inferred graph: <{store.iris.inferred_graph}>")


@click.command()
@click.argument("job", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--record/--no-record", default=True, show_default=True,
              help="Write the job and its selection to the graph (for audits and replays).")
@click.pass_obj
def select(ctx, job, fmt, record):
    """Compile a JOB spec (YAML/JSON) into the concrete (cube, variable) inputs, with reasons."""
    from cubegraph.reasoning.jobs import load_job
    from cubegraph.reasoning.selection import record_selection, select_inputs

    store = ctx.store()
    spec = load_job(job)
    selection = select_inputs(store, spec)
    recorded = record_selection(store, spec, selection) if record else None
    if fmt == "json":
        out = selection.to_json()
        if recorded is not None:
            out["recorded_as"] = str(recorded)
        click.echo(json.dumps(out, indent=2))
        return
    cube, var = selection.target
    click.echo(f"job {spec.id}: target <{var}> in <{cube}>")
    click.secho(f"{len(selection.inputs)} inputs:", bold=True)
    for i in selection.inputs:
        click.echo(f"  + <{i.variable}>\n      {i.reason}")
    click.secho(f"{len(selection.excluded)} excluded:", bold=True)
    for e in selection.excluded:
        click.echo(f"  - <{e.variable}>\n      {e.reason}")
    if recorded is not None:
        click.echo(f"selection recorded as <{recorded}>")


#: The commands of this module, added to the ``cubegraph`` group by ``api/cli/__init__.py``.
COMMANDS = [reason, select]
