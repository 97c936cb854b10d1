"""SHACL validation of cube descriptions, before anything is written.

The shapes are the ontology's (:func:`cubegraph.ontology.load_shapes`). A violation becomes a
:class:`~cubegraph.ingest.errors.ShapeViolation` naming the cube, the variable (when the
focus node is one) and the rule (shape and path). Warnings and infos of the shapes do not
stop a cube.

Engines (chosen here and nowhere else, see :func:`engine`):

- ``"turbo"`` (default when installed): ``pyshacl-turbo``, a Rust SHACL engine with
  pySHACL's API, used instead of pyshacl for speed (:func:`run_shacl` is the seam). The
  shapes are compiled once per process and each cube's description is validated on its
  own. A :class:`~cubegraph.kg.records.cube.Description` goes in as its N-Triples text,
  which the engine parses natively (no rdflib Graph to build and convert).
- ``"pyshacl"``: the reference engine (a core dependency). Its fixed cost per call (shape
  parsing, target selection) dominates for small graphs, so it validates a group of cubes
  in one call and each violation is assigned back to the cube whose graph holds its focus
  node.

The figures behind these choices are in docs/benchmarks.md, "Why the fast paths exist".

``CUBEGRAPH_SHACL_ENGINE=pyshacl`` forces the reference engine. The two agree on every
description :func:`~cubegraph.kg.records.cube.describe_cube` produces and on the broken
ones of ``tests/ingest/test_validate_engines.py``; where they differ (values SHACL cannot
compare or that are ill-typed, see docs/ingest.md) no description cubegraph writes is
concerned.
"""

from __future__ import annotations

import os
from functools import lru_cache

from rdflib import Graph, URIRef
from rdflib.namespace import SH

from cubegraph.kg.records.cube import Description
from cubegraph.ingest.errors import IngestError, ShapeViolation
from cubegraph.ontology import load_shapes
from cubegraph.ontology.namespaces import CG

__all__ = ["ENGINES", "engine", "run_shacl", "validate_many"]

ENGINES = ("turbo", "pyshacl")
_ENV = "CUBEGRAPH_SHACL_ENGINE"


def engine() -> str:
    """The SHACL engine ingest uses: ``$CUBEGRAPH_SHACL_ENGINE`` if set, else ``"turbo"``
    when ``pyshacl_turbo`` is installed, else ``"pyshacl"``.

    Raises:
        ValueError: ``$CUBEGRAPH_SHACL_ENGINE`` names no engine of :data:`ENGINES`.
    """
    chosen = os.environ.get(_ENV, "").strip().lower()
    if chosen:
        if chosen not in ENGINES:
            raise ValueError(f"{_ENV}={chosen!r}: expected one of {', '.join(ENGINES)}")
        return chosen
    return "turbo" if _turbo_available() else "pyshacl"


@lru_cache(maxsize=1)
def _turbo_available() -> bool:
    try:
        import pyshacl_turbo  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=1)
def _shapes() -> Graph:
    """The ingest shapes: the ontology's (:func:`~cubegraph.ontology.load_shapes`), parsed once."""
    return load_shapes()


@lru_cache(maxsize=1)
def _compiled_turbo():
    import pyshacl_turbo

    return pyshacl_turbo.compile_shapes(_shapes())


def _conforms_fast(text: str) -> bool:
    """Whether N-Triples ``text`` conforms, asked of turbo's Rust core directly.

    The public ``validate`` also decodes the report into an rdflib Graph and binds ~60
    prefixes to it: worth paying only for the few cubes that fail, which go through it
    again. Same arguments as ``CompiledShapes.validate`` passes (no rules, depth 15,
    warnings allowed, every focus node and shape); if a new turbo changes that private
    call, False sends every cube the public way (slower, same verdicts).

    Speed seam: bypasses turbo's public ``validate`` for the cubes that conform;
    ``tests/ingest/test_fast_paths.py::test_the_private_verdict_is_the_public_one`` holds
    the verdict equal to the public one, and fails if the private call stops answering
    (figure: docs/benchmarks.md).
    """
    native = getattr(_compiled_turbo(), "_native", None)
    try:
        result = native.validate(text, "nquads", None, False, 100, 15, False, False, True, False,
                                 [], [], [])
    except (TypeError, AttributeError):
        return False
    return result[0] is True


def run_shacl(data: Graph | Description, *, using: str | None = None) -> tuple[bool, Graph]:
    """Validate ``data`` against the ingest shapes with one engine: ``(conforms, report)``.

    Args:
        data: the graph or description to validate (no inference is applied).
        using: ``"turbo"`` or ``"pyshacl"``; default :func:`engine`.

    Raises:
        IngestError: with turbo, a description's text does not parse (e.g. an IRI with a
            space); pyshacl lets rdflib's parser error through instead.
        ValueError: ``using`` names no engine of :data:`ENGINES`.

    Speed seam: ``"turbo"`` bypasses pyshacl, the reference engine (and, for a
    :class:`Description`, the rdflib Graph of its text);
    ``tests/ingest/test_validate_engines.py::test_demo_cubes`` holds the verdicts and the
    results equal to pyshacl's on every demo cube, real file and broken description
    (figure: docs/benchmarks.md).
    """
    using = using or engine()
    if using == "turbo":
        if not isinstance(data, Description):
            conforms, report, _text = _compiled_turbo().validate(
                data, allow_warnings=True, abort_on_first=False
            )
            return bool(conforms), report
        try:
            if _conforms_fast(data.text):
                return True, Graph(bind_namespaces="none")
            from pyshacl_turbo.rdf import Input  # the engine's own input type: text, parsed in Rust

            conforms, report, _text = _compiled_turbo().validate(
                Input(data.text, "nquads", None, {}, {}), allow_warnings=True, abort_on_first=False
            )
        except (ValueError, RuntimeError) as exc:  # the text does not parse
            raise IngestError(f"the description of <{data.cube}> is not valid RDF: {exc}") from exc
        return bool(conforms), report
    if using != "pyshacl":
        raise ValueError(f"unknown SHACL engine {using!r}: expected one of {', '.join(ENGINES)}")
    import pyshacl

    if isinstance(data, Description):
        data = data.graph()
    conforms, report, _text = pyshacl.validate(
        data, shacl_graph=_shapes(), inference="none", allow_warnings=True, abort_on_first=False
    )
    return bool(conforms), report


def validate_many(graphs: dict[str, Graph | Description], *,
                  using: str | None = None) -> dict[str, IngestError]:
    """Validate several cube descriptions.

    Args:
        graphs: slug -> description (a Graph or a :class:`Description`); they must not
            share subjects other than
            the catalog (they never do: every IRI is under its cube's IRI).
        using: the engine, default :func:`engine`. ``"turbo"`` validates each description
            alone (its cost per call is small); ``"pyshacl"`` all of them in one call.

    Returns:
        slug -> :class:`ShapeViolation` for every cube that fails (with turbo, an
        :class:`IngestError` when its text does not even parse; pyshacl raises rdflib's
        parser error for the whole call instead); cubes that pass are absent.
    """
    if not graphs:
        return {}
    using = using or engine()
    found: dict[str, list[tuple]] = {}
    reports: dict[str, Graph] = {}
    broken: dict[str, IngestError] = {}
    if using == "turbo":
        for slug, graph in graphs.items():
            try:
                conforms, report = run_shacl(graph, using=using)
            except IngestError as exc:
                broken[slug] = exc
                continue
            if not conforms:
                reports[slug] = report
                data = graph.graph() if isinstance(graph, Description) else graph
                _collect(report, data, {}, [slug], found)
    else:
        data = Graph()
        owner: dict = {}
        for slug, graph in graphs.items():
            if isinstance(graph, Description):
                graph = graph.graph()
            data += graph
            for subject in graph.subjects(unique=True):
                owner.setdefault(subject, slug)
        conforms, report = run_shacl(data, using=using)
        if not conforms:
            _collect(report, data, owner, list(graphs), found)
            reports = dict.fromkeys(found, report)
    return broken | {
        slug: ShapeViolation(
            slug, sorted(set(v), key=lambda t: (t[1] or "", t[2], t[3], t[4])), reports[slug]
        )
        for slug, v in found.items()
    }


def _collect(report: Graph, data: Graph, owner: dict, slugs: list[str], found: dict) -> None:
    """Add each violation of ``report`` to the cube owning its focus node (else to all)."""
    shapes = _shapes()
    for result in report.subjects(SH.resultSeverity, SH.Violation):
        focus = report.value(result, SH.focusNode)
        slug = owner.get(focus)
        charged = [slug] if slug is not None else slugs  # a node no cube owns: charge every cube
        source = report.value(result, SH.sourceShape)
        shape = _node_shape_of(shapes, source)
        path = report.value(result, SH.resultPath)
        message = str(report.value(result, SH.resultMessage) or "constraint violated")
        variable = data.value(focus, CG.variableName) if focus is not None else None
        for s in charged:
            found.setdefault(s, []).append(
                (focus, str(variable) if variable else None, _short(shape), _short(path), message)
            )


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
