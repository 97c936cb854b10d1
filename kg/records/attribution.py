"""The attribution noun: a run's explanation and its per-variable attributions.

No standard vocabulary names explanations, so this is the project's own, small and built on
PROV-O: the explanation is a ``cg:Explanation`` (``prov:Entity``) derived from the run's
model, with one ``cg:Attribution`` per input variable. Both live in the run's named graph
(see :mod:`cubegraph.kg.records.run`). Layout::

    {run}/explanation          cg:Explanation, prov:Entity: cg:method, dct:description,
                               prov:wasDerivedFrom the model, cg:hasAttribution each
    {run}/attribution/{name}   cg:Attribution, prov:Entity: cg:method, cg:importance
                               (xsd:double), cg:rank, cg:effectSign (-1, 0, 1), rdfs:label,
                               cg:attributedVariable (when the variable has an IRI)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef

from cubegraph.kg.iris import Iris
from cubegraph.kg.records._sparql import PREFIXES, number, text
from cubegraph.ontology.namespaces import CG, DCTERMS, MLS, PROV, RDF, RDFS, XSD

__all__ = ["Attribution", "Explanation", "add_explanation", "read_explanation"]


@dataclass(frozen=True)
class Attribution:
    """How much one input variable drove a model's output.

    Attributes:
        name: the variable's name (the key the model knows it by).
        importance: e.g. mean |SHAP| over the explained samples.
        rank: 1 for the most important.
        sign: direction of the effect (-1, 0, 1).
        variable: the variable's IRI, when it has one in the graph.
        iri: the attribution's own IRI, when read back (writers mint it from the name).
    """

    name: str
    importance: float
    rank: int
    sign: int = 0
    variable: URIRef | None = None
    iri: URIRef | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Explanation:
    """A run's explanation: its method, a sentence saying what was explained, the attributions.

    ``iri`` is set when read back (writers mint ``{run}/explanation``).
    """

    method: str
    description: str
    attributions: tuple[Attribution, ...] = ()
    iri: URIRef | None = field(default=None, compare=False)


def add_explanation(g: Graph, iris: Iris, run_id: str, explanation: Explanation) -> URIRef:
    """Add the explanation of run ``run_id`` and its attributions to ``g`` (the run's graph).

    Returns:
        The explanation's IRI.
    """
    run, model = iris.run(run_id), iris.in_run(run_id, "model")
    x = iris.in_run(run_id, "explanation")
    g.add((x, RDF.type, CG.Explanation))
    g.add((x, RDF.type, PROV.Entity))
    g.add((x, CG.method, Literal(explanation.method)))
    g.add((x, PROV.wasGeneratedBy, run))
    g.add((x, PROV.wasDerivedFrom, model))
    g.add((x, DCTERMS.description, Literal(explanation.description)))
    g.add((run, MLS.hasOutput, x))
    for att in explanation.attributions:
        a = iris.in_run(run_id, "attribution", att.name)
        g.add((a, RDF.type, CG.Attribution))
        g.add((a, RDF.type, PROV.Entity))
        g.add((x, CG.hasAttribution, a))
        g.add((a, CG.method, Literal(explanation.method)))
        g.add((a, CG.importance, Literal(float(att.importance), datatype=XSD.double)))
        g.add((a, CG.rank, Literal(int(att.rank), datatype=XSD.integer)))
        g.add((a, CG.effectSign, Literal(int(att.sign), datatype=XSD.integer)))
        g.add((a, RDFS.label, Literal(f"attribution of {att.name}")))
        if att.variable is not None:
            g.add((a, CG.attributedVariable, att.variable))
        g.add((a, PROV.wasGeneratedBy, run))
    return x


EXPLANATION = PREFIXES + """
SELECT ?run ?x ?method ?description ?a ?importance ?rank ?sign ?var ?varName ?label WHERE {
  ?run mls:hasOutput ?x . ?x a cg:Explanation .
  OPTIONAL { ?x cg:method ?method }
  OPTIONAL { ?x dct:description ?description }
  OPTIONAL {
    ?x cg:hasAttribution ?a . ?a cg:importance ?importance .
    OPTIONAL { ?a cg:rank ?rank }
    OPTIONAL { ?a cg:effectSign ?sign }
    OPTIONAL { ?a rdfs:label ?label }
    OPTIONAL { ?a cg:attributedVariable ?var . OPTIONAL { ?var cg:variableName ?varName } }
  }
}
"""

def read_explanation(store, run: str | URIRef) -> tuple[URIRef | None, Explanation | None]:
    """The explanation of a run and its attributions (by rank, then importance), or ``(None, None)``.

    An attribution's ``name`` is its variable's ``cg:variableName`` when the variable is in
    the graph, else its label without the "attribution of " prefix.

    Raises:
        StoreError: the store failed to answer.
    """
    iri, method, description, found = None, None, None, {}
    for r in store.query(EXPLANATION, bindings={"run": URIRef(str(run))}):
        if iri is None:
            iri, method, description = URIRef(str(r["x"])), text(r.get("method")), text(r.get("description"))
        if r.get("a") is None:
            continue
        name = (text(r.get("varName")) or
                (text(r.get("label")) or "").removeprefix("attribution of ") or
                str(r["a"]).rsplit("/", 1)[-1])
        rank = number(r.get("rank"))
        sign = number(r.get("sign"))
        found[str(r["a"])] = Attribution(
            name=name, importance=number(r["importance"]),
            rank=int(rank) if rank is not None else None,
            sign=int(sign) if sign is not None else 0,
            variable=URIRef(str(r["var"])) if r.get("var") is not None else None,
            iri=URIRef(str(r["a"])))
    if iri is None:
        return None, None
    ordered = sorted(found.values(), key=lambda a: (a.rank if a.rank is not None else 10**9,
                                                    -(a.importance or 0)))
    return iri, Explanation(method or "", description or "", tuple(ordered), iri)
