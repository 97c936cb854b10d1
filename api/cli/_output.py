"""Printing query results for people (table) and programs (csv, tsv, json)."""

from __future__ import annotations

import click
from rdflib import Literal, URIRef

from cubegraph.kg.results import QueryResult


def render_term(term) -> str:
    if term is None:
        return ""
    if isinstance(term, (URIRef, Literal)):
        return str(term)
    return f"_:{term}"


def print_table(rows: list[dict], columns: list[str], *, max_width: int = 60) -> None:
    """A plain fixed-width table; long cells are cut with an ellipsis."""
    cells = [[_cut(render_term(r.get(c)), max_width) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    click.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip())
    click.echo("  ".join("-" * w for w in widths))
    for row in cells:
        click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip())
    click.echo(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")


def print_result(result: QueryResult, fmt: str) -> None:
    if result.kind == "ask":
        if fmt == "table":
            click.echo("true" if bool(result) else "false")
        else:
            click.echo(result.serialize(fmt if fmt in ("json", "xml") else "json").decode())
        return
    if result.kind == "graph":
        click.echo(result.serialize("turtle" if fmt == "table" else fmt).decode(), nl=False)
        return
    if fmt == "table":
        print_table(result.rows(), result.vars)
    else:
        click.echo(result.serialize(fmt).decode(), nl=False)


def _cut(text: str, width: int) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"
