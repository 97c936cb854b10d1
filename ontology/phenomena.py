"""What a variable measures: from its CF standard name or its names to an observable property.

Owns the rule that turns a variable's attributes into the target of ``cg:measures`` and
the phenomenon class that target belongs to, reading the taxonomy and the mappings from
``cubegraph.ttl`` (so the Turtle stays the one place they are written):

1. A ``standard_name`` wins. Its modifier is parsed off; a variable with a modifier
   (``standard_error``, ``status_flag``, ...) holds data *about* the quantity, so it gets
   no match. Aliases are resolved to the current name. A name in the CF table gives the
   NERC IRI of the current name; its phenomenon is the class the ontology maps it to, or
   ``cg:Phenomenon`` when it maps none. A name not in the table gives no match, and no
   fallback to the other names either: the file said what it measures, wrongly.
2. Only without a ``standard_name``: the short (file) name is matched, case-insensitively,
   against ``skos:notation``; then the ``long_name`` against ``skos:altLabel``,
   ``skos:prefLabel`` and ``rdfs:label``.

Example:
    >>> m = observable_for(name="tas")
    >>> str(m.observable)
    'http://vocab.nerc.ac.uk/standard_name/air_temperature/'
    >>> m.how
    "short name 'tas' (skos:notation of CF 'air_temperature')"
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection

from cubegraph.ontology import load_ontology
from cubegraph.ontology.cf_table import CFTable, parse_standard_name
from cubegraph.ontology.namespaces import CF, CG, OWL, RDF, RDFS, SKOS, cf_iri

__all__ = [
    "Match",
    "observable_for",
    "observables_of",
    "phenomenon_classes",
    "subclasses_of",
]


@dataclass(frozen=True)
class Match:
    """The observable property a variable measures, and why.

    Attributes:
        observable: the individual the variable should point to with ``cg:measures``
            (a NERC standard-name IRI, or a ``cg:`` individual).
        phenomenon: the most specific phenomenon class of ``observable``
            (``cg:Phenomenon`` for a CF name the taxonomy does not classify).
        how: a sentence saying which rule matched, for provenance and the UI, e.g.
            ``"CF standard name 'air_temperature'"``.
    """

    observable: URIRef
    phenomenon: URIRef
    how: str


def observable_for(
    *, standard_name: str | None = None, name: str | None = None, long_name: str | None = None
) -> Match | None:
    """Find the observable property a variable measures (rules in the module docstring).

    Args:
        standard_name: the variable's CF ``standard_name`` attribute, as written.
        name: the variable's name in the file (e.g. ``"tas"``, ``"ndvi"``).
        long_name: the variable's ``long_name`` attribute.

    Returns:
        The match, or ``None`` when no rule applies (unknown CF name, a CF name with a
        modifier, or no short/long name the ontology knows).
    Raises:
        OntologyError: the bundled ontology or CF table is missing (a broken install).
    """
    index = _index()
    if standard_name is not None and standard_name.strip():
        return _by_standard_name(index, standard_name)
    if name:
        found = index.notations.get(_key(name))
        if found is not None:
            return Match(found, index.phenomenon_of(found), f"short name {name!r} "
                         f"(skos:notation of {_describe(found)})")
    if long_name:
        found = index.labels.get(_key(long_name))
        if found is not None:
            return Match(found, index.phenomenon_of(found), f"long name {long_name!r} "
                         f"(label of {_describe(found)})")
    return None


def phenomenon_classes() -> dict[URIRef, str]:
    """All named classes under ``cg:Phenomenon`` (itself included), with their labels.

    The role groups (``cg:FireDangerFactor``, ``cg:DroughtImpact``, ...) are subclasses
    of ``cg:Phenomenon`` too and are included.

    Returns:
        ``{class IRI: English rdfs:label}``.
    Raises:
        OntologyError: the bundled ontology or CF table is missing (a broken install).
    """
    index = _index()
    return {cls: index.label_of(cls) for cls in index.subclasses(CG.Phenomenon)}


def subclasses_of(cls: URIRef) -> set[URIRef]:
    """``cls`` and every named class under it, as the ontology states it.

    Follows ``rdfs:subClassOf`` and ``owl:equivalentClass`` between named classes, and the
    members of a union that is a subclass of ``cls`` (the role groups are written that
    way), transitively. No reasoner is needed for this.

    Args:
        cls: a class IRI, e.g. ``CG.Hydrology`` or ``CG.FireDangerFactor``.

    Returns:
        The set including ``cls`` itself; just ``{cls}`` for a class the ontology does not
        know or that has no subclasses.
    Raises:
        OntologyError: the bundled ontology or CF table is missing (a broken install).
    """
    return set(_index().subclasses(URIRef(cls)))


def observables_of(cls: URIRef) -> set[URIRef]:
    """Every observable-property individual the ontology types with ``cls`` or a subclass.

    Args:
        cls: a phenomenon class, e.g. ``CG.Precipitation`` or ``CG.DroughtFactor``.

    Returns:
        The NERC and ``cg:`` individuals, e.g. the CF precipitation names for
        ``CG.Precipitation``. Empty for an unknown class.
    Raises:
        OntologyError: the bundled ontology or CF table is missing (a broken install).
    """
    index = _index()
    classes = index.subclasses(URIRef(cls))
    return {ind for ind, types in index.types.items() if types & classes}


# --- private: an index of the ontology, built once per process -------------------------


def _key(text: str) -> str:
    # Case-insensitive, whitespace-normalised: "Near-Surface  Air Temperature" == label.
    return " ".join(text.split()).casefold()


def _describe(individual: URIRef) -> str:
    text = str(individual)
    if text.startswith(str(CF)):
        return f"CF {text[len(str(CF)):].rstrip('/')!r}"
    if text.startswith(str(CG._NS)):
        return f"cg:{text[len(str(CG._NS)):]}"
    return f"<{text}>"


def _by_standard_name(index: "_Index", attr: str) -> Match | None:
    name, modifier = parse_standard_name(attr)
    if modifier is not None:
        # A standard error, count or flag of a quantity is not a measurement of it.
        return None
    table = CFTable.load()
    if name not in table:
        return None
    current, alias = table.resolve(name)
    observable = cf_iri(current)
    how = f"CF standard name {current!r}"
    if alias is not None:
        how = f"CF standard name {alias!r} (alias of {current!r} in table v{table.version})"
    return Match(observable, index.phenomenon_of(observable), how)


class _Index:
    """Lookups over the ontology graph; immutable once built."""

    def __init__(self, graph: Graph) -> None:
        # Subclass edges child -> parents, including union members of a union that is a
        # subclass (or equivalent) of a named class.
        self._parents: dict[URIRef, set[URIRef]] = {}
        for child, parent in graph.subject_objects(RDFS.subClassOf):
            self._add_edges(graph, child, parent)
        for left, right in graph.subject_objects(OWL.equivalentClass):
            self._add_edges(graph, left, right)
            self._add_edges(graph, right, left)
        self._children: dict[URIRef, set[URIRef]] = {}
        for child, parents in self._parents.items():
            for parent in parents:
                self._children.setdefault(parent, set()).add(child)

        self._labels: dict[URIRef, str] = {}
        for subject, label in graph.subject_objects(RDFS.label):
            if isinstance(subject, URIRef) and (label.language in (None, "en")):
                self._labels.setdefault(subject, str(label))

        phenomena = self.subclasses(CG.Phenomenon)
        self.types: dict[URIRef, frozenset[URIRef]] = {}
        for individual, cls in graph.subject_objects(RDF.type):
            if isinstance(individual, URIRef) and cls in phenomena:
                self.types[individual] = self.types.get(individual, frozenset()) | {cls}

        self.notations: dict[str, URIRef] = {}
        self.labels: dict[str, URIRef] = {}
        for individual in self.types:
            for notation in graph.objects(individual, SKOS.notation):
                self.notations.setdefault(_key(str(notation)), individual)
            for prop in (SKOS.altLabel, SKOS.prefLabel, RDFS.label):
                for label in graph.objects(individual, prop):
                    if isinstance(label, Literal):
                        self.labels.setdefault(_key(str(label)), individual)

    def _add_edges(self, graph: Graph, child, parent) -> None:
        if not isinstance(parent, URIRef):
            return
        if isinstance(child, URIRef):
            self._parents.setdefault(child, set()).add(parent)
        elif isinstance(child, BNode):
            union = graph.value(child, OWL.unionOf)
            if union is not None:
                for member in Collection(graph, union):
                    if isinstance(member, URIRef):
                        self._parents.setdefault(member, set()).add(parent)

    def subclasses(self, cls: URIRef) -> frozenset[URIRef]:
        return _reachable(cls, self._children)

    def ancestors(self, cls: URIRef) -> frozenset[URIRef]:
        return _reachable(cls, self._parents)

    def phenomenon_of(self, individual: URIRef) -> URIRef:
        types = self.types.get(individual, frozenset())
        # Most specific: a type none of whose strict subclasses is also a type. Role groups
        # (FireDangerFactor, ...) are ancestors of the taxonomy classes, so they lose here.
        specific = [t for t in types if not any(o != t and t in self.ancestors(o) for o in types)]
        if not specific:
            return URIRef(CG.Phenomenon)
        return sorted(specific)[0]  # deterministic if an individual had two unrelated types

    def label_of(self, cls: URIRef) -> str:
        return self._labels.get(cls, str(cls))


def _reachable(start: URIRef, edges: dict[URIRef, set[URIRef]]) -> frozenset[URIRef]:
    """``start`` and every node reachable from it along ``edges``."""
    seen, todo = {start}, [start]
    while todo:
        for node in edges.get(todo.pop(), ()):
            if node not in seen:
                seen.add(node)
                todo.append(node)
    return frozenset(seen)


@lru_cache(maxsize=1)
def _index() -> _Index:
    return _Index(load_ontology())
