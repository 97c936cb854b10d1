"""ML commands: train (job spec -> selected inputs -> model, SHAP, write-back)."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command()
@click.argument("job", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--artifacts", type=click.Path(file_okay=False, path_type=Path), default=Path("data/runs"),
              show_default=True, help="Where model files and output cubes go.")
@click.option("--run-id", help="Id of the run (default: job id + UTC time + random suffix).")
@click.option("--max-samples", type=int, default=200_000, show_default=True,
              help="Samples per split used for training.")
@click.pass_obj
def train(ctx, job, artifacts, run_id, max_samples):
    """Train, evaluate against baselines, explain with SHAP and write back the JOB's run.

    Inputs come from the graph (as 'cubegraph select'). The run lands whole in its own
    named graph, or is recorded as failed with its error; exits 1 on a failed run.
    """
    from cubegraph.ml.runner import train_job
    from cubegraph.reasoning.jobs import load_job

    store = ctx.store()
    record = train_job(store, load_job(job), artifacts=artifacts, run_id=run_id,
                       max_samples=max_samples)
    if record.status != "succeeded":
        click.echo(f"run <{record.run}> FAILED and was recorded as failed: {record.error}", err=True)
        sys.exit(1)
    click.echo(record.result.summary_table())
    click.echo(f"\nrun:        <{record.run}>")
    click.echo(f"model:      {record.model_path}")
    click.echo(f"SHAP chart: {record.chart}")
    for kind, cube in record.outputs.items():
        click.echo(f"{kind + ':':<12}<{cube}>")


#: The commands of this module, added to the ``cubegraph`` group by ``api/cli/__init__.py``.
COMMANDS = [train]
