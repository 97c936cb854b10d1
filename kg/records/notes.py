"""A cube's ingest notes as the catalogue holds them: the DQV quality annotations its
description carries (``oa:hasTarget`` the cube, a variable, a dimension or another array of
the file; ``oa:bodyValue`` the sentence; ``cg:noteCode`` the kind; ``dct:references`` the
rule of the conventions).

Read back from the store rather than from an ingest's result, so a report lists the notes of
a cube left unchanged by this ingest as well as those of one described now.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef

from cubegraph.kg.records._sparql import PREFIXES, fast_rows

__all__ = ["CubeNote", "read_notes"]


@dataclass(frozen=True)
class CubeNote:
    """One note of a cube.

    Attributes:
        code: its kind (``"units-missing"``; the list is in docs/ingest.md).
        about: the name in the file of the array it is about (a variable, a dimension, a
            bounds or scalar coordinate array), ``None`` for the whole cube.
        message: the sentence.
        rule: the IRI of the section of the convention it cites, ``None`` for cubegraph's
            own notes.
        number: its number within the cube (the order ingest found it in).
    """

    code: str
    about: str | None
    message: str
    rule: str | None
    number: int


_NOTES = PREFIXES + """
SELECT ?cube ?note ?code ?target ?message ?rule ?name WHERE {  # ?cube bound (SEP-0007)
  GRAPH ?cube {
    ?note a dqv:QualityAnnotation ; cg:noteCode ?code ; oa:hasTarget ?target ;
          oa:bodyValue ?message .
    OPTIONAL { ?note dct:references ?rule }
    OPTIONAL { ?target cg:variableName|cg:dimensionName|cg:arrayName ?name }
  }
}
"""


def read_notes(store, cube: URIRef) -> list[CubeNote]:
    """The notes of ``cube`` (its IRI, also its graph), in the order ingest found them."""
    notes = []
    for row in fast_rows(store, _NOTES, {"cube": URIRef(cube)}):
        number = str(row["note"]).rsplit("/", 1)[-1]
        notes.append(CubeNote(
            code=str(row["code"]),
            about=None if row["target"] == URIRef(cube) or row["name"] is None else str(row["name"]),
            message=str(row["message"]),
            rule=None if row["rule"] is None else str(row["rule"]),
            number=int(number) if number.isdigit() else 0,
        ))
    return sorted(set(notes), key=lambda n: (n.number, n.code))
