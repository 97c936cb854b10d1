"""SHACL validation of cube descriptions (pyshacl), before anything is written.

The shapes are the ontology's (:func:`cubegraph.ontology.load_shapes`). A violation becomes a
:class:`~cubegraph.ingest.errors.ShapeViolation` naming the cube, the variable (when the
focus node is one) and the rule (shape and path). Warnings and infos of the shapes do not
stop a cube.

Several descriptions can be validated in one pyshacl call (:func:`validate_many`): pyshacl's
fixed cost per call (shape parsing, target selection) dominates for small graphs, so the
batch ingest validates cubes in groups and then assigns each violation back to the cube
whose graph holds its focus node.
"""

from __future__ import annotations

from functools import lru_cache

from rdflib import Graph, URIRef
from rdflib.namespace import SH

from cubegraph.ingest.errors import ShapeViolation
from cubegraph.ontology import load_shapes
from cubegraph.ontology.namespaces import CG

__all__ = ["validate_description", "validate_many"]


@lru_cache(maxsize=1)
def _shapes() -> Graph:
    shapes = load_shapes()
    # The shapes' one SPARQL constraint restates "a variable needs cg:unitsString" only to
    # get a message naming the cube and the variable, which ShapeViolation already does for
    # every rule. pyshacl runs it through rdflib's SPARQL engine once per variable (~25 ms
    # each, 30x everything else together), so the batch validator leaves it out; the
    # core sh:minCount rule it repeats still applies.
    for node, _p, constraint in list(shapes.triples((None, SH.sparql, None))):
        shapes.remove((node, SH.sparql, constraint))
    return shapes


def validate_description(graph: Graph, *, cube: str) -> None:
    """Validate one cube description against the ontology's shapes.

    Args:
        graph: the description (from :func:`~cubegraph.ingest.describe.describe_cube`).
        cube: the cube's slug, used in the error message.

    Raises:
        ShapeViolation: when the description breaks a shape.
    """
    failures = validate_many({cube: graph})
    if cube in failures:
        raise failures[cube]


def validate_many(graphs: dict[str, Graph]) -> dict[str, ShapeViolation]:
    """Validate several cube descriptions in one pyshacl run.

    Args:
        graphs: slug -> description; the descriptions must not share subjects other than
            the catalog (they never do: every IRI is under its cube's IRI).

    Returns:
        slug -> :class:`ShapeViolation` for every cube that fails; cubes that pass are absent.
    """
    import pyshacl

    if not graphs:
        return {}
    data = Graph()
    owner: dict = {}
    for slug, graph in graphs.items():
        for triple in graph:
            data.add(triple)
        for subject in graph.subjects(unique=True):
            owner.setdefault(subject, slug)
    shapes = _shapes()
    conforms, report, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", allow_warnings=True, abort_on_first=False
    )
    if conforms:
        return {}
    found: dict[str, list[tuple]] = {}
    for result in report.subjects(SH.resultSeverity, SH.Violation):
        focus = report.value(result, SH.focusNode)
        slug = owner.get(focus)
        if slug is None:  # a shape about a node no cube owns: charge every cube
            slugs = list(graphs)
        else:
            slugs = [slug]
        source = report.value(result, SH.sourceShape)
        shape = _node_shape_of(shapes, source)
        path = report.value(result, SH.resultPath)
        message = str(report.value(result, SH.resultMessage) or "constraint violated")
        variable = data.value(focus, CG.variableName) if focus is not None else None
        for s in slugs:
            found.setdefault(s, []).append(
                (focus, str(variable) if variable else None, _short(shape), _short(path), message)
            )
    return {
        slug: ShapeViolation(slug, sorted(set(v), key=lambda t: (t[1] or "", t[2], t[3], t[4])), report)
        for slug, v in found.items()
    }


def _node_shape_of(shapes: Graph, source) -> URIRef | None:
    if isinstance(source, URIRef):
        return source
    parent = shapes.value(predicate=SH.property, object=source) or shapes.value(
        predicate=SH.sparql, object=source
    )
    return parent if parent is not None else source


def _short(term) -> str:
    if term is None:
        return "-"
    text = str(term)
    for prefix, ns in (("cg:", str(CG._NS)), ("dct:", "http://purl.org/dc/terms/"),
                       ("dcat:", "http://www.w3.org/ns/dcat#"), ("qudt:", "http://qudt.org/schema/qudt/"),
                       ("prov:", "http://www.w3.org/ns/prov#")):
        if text.startswith(ns):
            return prefix + text[len(ns):]
    return text if isinstance(term, URIRef) else "(anonymous shape)"
