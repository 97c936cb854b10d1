"""The phenomenon taxonomy as the store holds it: classes, parents and labels.

Phenomena are the ontology's classes whose instances are observable properties
(``cg:Phenomenon`` and everything below it). ``cubegraph init`` loads them with the ontology;
discovery facets, the catalog's groups and the exports read them back through
:func:`read_taxonomy`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cubegraph.kg.records._sparql import PREFIXES, is_english
from cubegraph.ontology.namespaces import CG, local_name

__all__ = ["Taxonomy", "read_taxonomy", "ontology_counts"]

SELECT_TAXONOMY = PREFIXES + """
SELECT DISTINCT ?cls ?super ?label WHERE {
  ?cls rdfs:subClassOf* cg:Phenomenon .
  FILTER(isIRI(?cls))
  OPTIONAL { ?cls rdfs:subClassOf ?super . ?super rdfs:subClassOf* cg:Phenomenon .
             FILTER(isIRI(?super) && ?super != ?cls) }
  OPTIONAL { ?cls rdfs:label ?label }
}
"""



@dataclass
class Taxonomy:
    """The phenomenon classes of the ontology in the store: parents and labels."""

    parents: dict[str, set[str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def ancestors(self, cls: str) -> set[str]:
        """``cls`` and every class above it, up to (excluding) ``cg:Phenomenon``."""
        seen, todo = set(), [cls]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            todo.extend(self.parents.get(current, ()))
        seen.discard(str(CG.Phenomenon))
        return seen

    def label(self, cls: str) -> str:
        return self.labels.get(cls) or local_name(cls)

    def most_specific(self, classes: list[str] | set[str]) -> list[str]:
        """The classes of ``classes`` that no other class of it is below."""
        classes = set(classes) - {str(CG.Phenomenon)}
        covered = set()
        for c in classes:
            covered |= self.ancestors(c) - {c}
        return sorted(classes - covered)


def read_taxonomy(store) -> Taxonomy:
    """The phenomenon taxonomy as loaded in the store (``cubegraph init`` puts it there)."""
    tax = Taxonomy()
    english_label: dict[str, bool] = {}  # whether the kept label is English/untagged
    for row in store.query(SELECT_TAXONOMY):
        cls = str(row["cls"])
        tax.parents.setdefault(cls, set())
        if row.get("super") is not None:
            tax.parents[cls].add(str(row["super"]))
        label = row.get("label")
        if label is not None and (cls not in tax.labels or is_english(label)):
            if not (cls in tax.labels and english_label.get(cls)):
                tax.labels[cls] = str(label)
                english_label[cls] = is_english(label)
    return tax


COUNTS = PREFIXES + """
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


def ontology_counts(store) -> dict[str, int]:
    """How much ontology the store holds: ``{"classes", "phenomena", "cf_names"}``.

    Raises:
        StoreError: the store failed to answer.
    """
    row = store.query(COUNTS).rows()[0]
    return {k: int(row[k]) for k in ("classes", "phenomena", "cf_names")}
