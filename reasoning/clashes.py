"""Resources a graph types in two classes the ontology declares disjoint, and why.

The ontology makes the families of what cubegraph writes pairwise disjoint (a cube, a
variable, a job, a run, ...: ``owl:AllDisjointClasses`` in ``cubegraph.ttl``). When a writer
puts a property on the wrong kind of resource, the property's ``rdfs:domain`` or
``rdfs:range`` gives the resource a second family (a job carrying a cube's ``cg:westBound``
"is" a ``cg:DataCube``). HermiT then only says "inconsistent"; :func:`find_clashes` names each
such resource, the two disjoint classes, and the asserted triple that put it in each one, by
running the same OWL 2 RL closure as materialization (:func:`cubegraph.reasoning.rules.closure`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from cubegraph.ontology.namespaces import curie
from cubegraph.reasoning.rules import closure

__all__ = ["Clash", "disjoint_groups", "find_clashes"]


@dataclass(frozen=True)
class Clash:
    """One resource in two classes declared disjoint.

    Attributes:
        resource: the resource (an IRI, or a blank node of the data).
        classes: the two disjoint classes, sorted.
        why: for each class, how the resource came to be in it (an asserted type, the
            domain or range of a property it was used with, or ``"inferred"``).
    """

    resource: URIRef | BNode
    classes: tuple[URIRef, URIRef]
    why: tuple[str, str]

    def __str__(self) -> str:
        name = f"<{self.resource}>" if isinstance(self.resource, URIRef) else f"_:{self.resource}"
        (a, b), (why_a, why_b) = self.classes, self.why
        return (f"{name} is a {curie(a)} ({why_a}) and a {curie(b)} ({why_b}), "
                "classes the ontology declares disjoint")


def disjoint_groups(ontology: Graph) -> list[frozenset]:
    """Sets of pairwise disjoint classes: each ``owl:AllDisjointClasses`` and each
    ``owl:disjointWith`` pair."""
    groups = []
    for node in ontology.subjects(RDF.type, OWL.AllDisjointClasses):
        members = ontology.value(node, OWL.members)
        if members is not None:
            groups.append(frozenset(Collection(ontology, members)))
    for a, b in ontology.subject_objects(OWL.disjointWith):
        groups.append(frozenset((a, b)))
    return groups


def find_clashes(ontology: Graph, data: Graph) -> list[Clash]:
    """Every resource of ``ontology`` ∪ ``data`` that the OWL 2 RL closure puts in two
    disjoint classes, sorted by resource then classes.

    Args:
        ontology: the T-box (e.g. :func:`cubegraph.ontology.load_ontology`).
        data: the triples to check (records, descriptions, extra axioms).

    Returns:
        The clashes; empty when no resource is in two disjoint classes.

    Raises:
        ReasoningError: the rule engine failed.
    """
    groups = disjoint_groups(ontology) + disjoint_groups(data)
    if not groups:
        return []
    result = closure([ontology.serialize(format="nt", encoding="utf-8"),
                      data.serialize(format="nt", encoding="utf-8")])
    types: dict = defaultdict(set)
    for s, p, o in (*result.base, *result.entailed):
        if p == RDF.type and isinstance(o, URIRef):
            types[s].add(o)
    supers = _superclasses(ontology + data)
    asserted = ontology + data
    found = {}
    for resource, classes in types.items():
        for group in groups:
            inside = sorted(group & classes)
            for i, a in enumerate(inside):
                for b in inside[i + 1:]:
                    found[(str(resource), str(a), str(b))] = Clash(
                        resource, (a, b),
                        (_why(asserted, resource, a, supers), _why(asserted, resource, b, supers)))
    return [found[k] for k in sorted(found)]


def _superclasses(graph: Graph) -> dict:
    """Named class -> itself and every named superclass (``rdfs:subClassOf``, transitively)."""
    direct = defaultdict(set)
    for sub, sup in graph.subject_objects(RDFS.subClassOf):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef):
            direct[sub].add(sup)
    out: dict = {}
    for cls in list(direct):
        seen, todo = {cls}, [cls]
        while todo:
            for sup in direct.get(todo.pop(), ()):
                if sup not in seen:
                    seen.add(sup)
                    todo.append(sup)
        out[cls] = seen
    return out


def _why(graph: Graph, resource, cls, supers: dict) -> str:
    """How ``resource`` came to be a ``cls``: the first asserted reason found."""
    def under(c) -> bool:
        return c == cls or cls in supers.get(c, ())

    for t in graph.objects(resource, RDF.type):
        if under(t):
            return "asserted" if t == cls else f"asserted a {curie(t)}"
    for p in sorted(set(graph.predicates(resource, None))):
        domain = graph.value(p, RDFS.domain)
        if domain is not None and under(domain):
            return f"rdfs:domain of {curie(p)}"
    for p in sorted(set(graph.predicates(None, resource))):
        rng = graph.value(p, RDFS.range)
        if rng is not None and under(rng):
            return f"rdfs:range of {curie(p)}"
    return "inferred"
