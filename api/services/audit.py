"""FAIR provenance audit of one resource: lineage, source fingerprints, SHACL, FAIR metrics.

``audit(store, iri)`` answers "where did this come from, is it still what was recorded, and
is it described well enough to be found and reused?":

1. **Lineage**: from the resource back to its source files, following PROV and DCAT links
   (``prov:wasGeneratedBy``, ``prov:used``, ``prov:wasDerivedFrom``, ``dcat:distribution``,
   ``mls:hasInput``, a variable's cube through ``cg:hasVariable``, a model's run through
   ``mls:hasOutput``, ...) transitively, up to ``max_depth`` steps.
2. **Sources**: every distribution reached, every recorded file (a model) reached, and what
   the audited resource itself wrote (a run's model file and output cubes) is hashed AGAIN
   from disk and compared with what was recorded; each check states what it verified
   (content, sampled bytes, or only metadata and sizes:
   :mod:`~cubegraph.api.services.audit_sources`), and a change names the variable and the
   chunk (or byte range). The cube's metadata is re-read (never its arrays) and compared
   with the description too. For every run of the lineage, exactly the stored pieces it
   read (hashed as it read them) are hashed again.
3. **SHACL**: every named graph describing a resource of the lineage is validated with
   cubegraph's shapes (pyshacl).
4. **FAIR**: the F-UJI metrics evaluated locally against the graph, with evidence
   (:mod:`cubegraph.api.services.fair`).

The audit *fails* (``passed`` is false, the CLI exits non-zero) when a source changed or
vanished, or a description breaks its shapes. FAIR metrics are reported, not enforced.

The source checks live in :mod:`~cubegraph.api.services.audit_sources`, the report's RDF and
text renderings in :mod:`~cubegraph.api.services.audit_report`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field

from rdflib import Graph, URIRef
from rdflib.namespace import SH

from cubegraph.api.services.audit_report import report_rdf, report_text
from cubegraph.api.services.audit_sources import (
    SourceCheck,
    check_reads,
    check_source,
    recompute_fingerprint,
)
from cubegraph.api.services.errors import NotAuditable, ResourceNotFound
from cubegraph.api.services.fair import evaluate_fair
from cubegraph.kg.store import Store
from cubegraph.ontology import load_shapes
from cubegraph.kg.records.lineage import lineage_steps, node_facts, recorded_outputs
from cubegraph.ontology.namespaces import CG, DCAT, MLS, RDF, local_name

__all__ = ["audit", "AuditReport", "SourceCheck", "ShapeCheck", "LineageEdge",
           "recompute_fingerprint", "MAX_DEPTH"]

MAX_DEPTH = 10
MAX_NODES = 1000

EXISTS_QUERY = "SELECT ?node (COUNT(*) AS ?n) WHERE { ?node ?p ?o } GROUP BY ?node"
REFERENCED_QUERY = "SELECT ?node (COUNT(*) AS ?n) WHERE { ?s ?p ?node } GROUP BY ?node"
GRAPHS_QUERY = "SELECT DISTINCT ?node ?g WHERE { GRAPH ?g { ?node ?p ?o } }"


@dataclass
class LineageEdge:
    """One step of the lineage: ``source --relation--> target`` as stated in the graph."""

    source: str
    relation: str
    target: str


@dataclass
class ShapeCheck:
    """SHACL conformance of one named graph; ``violations`` as ``{focus, path, message,
    severity}`` dicts."""

    graph: str
    conforms: bool
    violations: list[dict] = field(default_factory=list)


@dataclass
class AuditReport:
    """The result of :func:`audit`.

    Attributes:
        iri: the audited resource.
        kinds: its classes (local names), e.g. ``["DataCube", "Dataset"]``.
        nodes: every resource of the lineage -> ``{"types", "label", "depth"}``.
        edges: the lineage edges.
        truncated: whether ``max_depth`` or the node cap cut the lineage short.
        sources: one check per source distribution.
        shapes: one check per named graph involved.
        fair: FAIR metric results (:class:`cubegraph.api.services.fair.FairResult` as dicts).
        audited_at: when the audit ran (UTC, ISO 8601).
    """

    iri: str
    kinds: list[str]
    nodes: dict[str, dict]
    edges: list[LineageEdge]
    truncated: bool
    sources: list[SourceCheck]
    shapes: list[ShapeCheck]
    fair: list[dict]
    audited_at: str

    @property
    def passed(self) -> bool:
        """No changed or missing source, and every description conforms to its shapes."""
        return not self.problems

    @property
    def problems(self) -> list[str]:
        """Why the audit fails, one sentence each (empty when it passes)."""
        out = []
        for src in self.sources:
            if src.status == "missing":
                out.append(f"source {src.path or src.distribution} is missing")
            elif src.status == "changed":
                out.append(f"source {src.path or src.distribution} changed: "
                           + "; ".join(src.changes or ["fingerprint differs"]))
        for shape in self.shapes:
            if not shape.conforms:
                out.append(f"graph <{shape.graph}> breaks {len(shape.violations)} SHACL "
                           "constraint(s)")
        return out

    def to_dict(self) -> dict:
        """A JSON-ready dict of the whole report, with ``passed`` and ``problems``."""
        out = asdict(self)
        out["passed"] = self.passed
        out["problems"] = self.problems
        for src, data in zip(self.sources, out["sources"]):
            data["failed"] = src.failed
        return out

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, default=str)

    def to_rdf(self) -> Graph:
        """The report as DQV quality measurements and a PROV activity (see ``report_rdf``)."""
        return report_rdf(self)

    def to_text(self) -> str:
        """A plain-text rendering for the terminal."""
        return report_text(self)


# --------------------------------------------------------------------------------------
# the audit
# --------------------------------------------------------------------------------------
def audit(store: Store, iri: str, *, max_depth: int = MAX_DEPTH,
          check_shapes: bool = True, deep: bool = False) -> AuditReport:
    """Audit the provenance of one resource (a cube, variable, run, model, explanation...).

    Args:
        store: the store.
        iri: the resource's IRI.
        max_depth: how many links to follow from the resource at most.
        check_shapes: validate the descriptions involved with SHACL (slow on big graphs).
        deep: re-hash the content of every cube that recorded a content digest, whatever
            its size (by default only cubes up to ``AUTO_LIMIT`` bytes).

    Returns:
        The report; ``report.passed`` tells whether the audit succeeded.

    Raises:
        ResourceNotFound: the store says nothing about ``iri``.
        NotAuditable: the resource has no provenance to follow.
        StoreError: the store failed to answer.
    """
    node = URIRef(str(iri).strip())
    if not _described(store, node):
        referenced = store.query(REFERENCED_QUERY, bindings={"node": node}).rows()
        if referenced:
            raise NotAuditable(f"<{iri}> is not auditable because the store only refers to it "
                               "and holds no description of it")
        raise ResourceNotFound(f"no resource <{iri}> in the store: check the IRI (cubegraph "
                               "search lists cubes; SPARQL finds runs)")
    nodes, edges, truncated = _lineage(store, node, max_depth)
    sources = [check_source(store, URIRef(n), deep=deep)
               for n in _source_nodes(store, node, nodes, edges)]
    # Each run of the lineage: exactly the bytes it read, as it recorded them.
    sources += [check for n, info in sorted(nodes.items())
                if str(CG.ModelRun) in info["types"]
                for check in check_reads(store, URIRef(n), deep=deep)]
    if not edges and not sources:
        raise NotAuditable(
            f"<{iri}> is not auditable because it has no provenance: it states none of "
            "prov:wasGeneratedBy, prov:wasDerivedFrom, prov:used or dcat:distribution, and no "
            "cube lists it with cg:hasVariable")
    shapes = _check_shapes(store, nodes) if check_shapes else []
    report = AuditReport(
        iri=str(node), kinds=[local_name(t) for t in nodes[str(node)]["types"]], nodes=nodes,
        edges=edges, truncated=truncated, sources=sources, shapes=shapes, fair=[],
        audited_at=dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
    )
    report.fair = [asdict(r) for r in evaluate_fair(store, report)]
    return report


def _described(store: Store, node: URIRef) -> bool:
    return bool(store.query(EXISTS_QUERY, bindings={"node": node}).rows())


def _lineage(store: Store, start: URIRef, max_depth: int):
    """Breadth-first walk; returns (nodes, edges, truncated)."""
    nodes: dict[str, dict] = {str(start): _node_info(store, start, 0)}
    edges: list[LineageEdge] = []
    seen_edges = set()
    frontier, truncated = [start], False
    for depth in range(1, max_depth + 1):
        following = []
        for current in frontier:
            for relation, nxt, outward in lineage_steps(store, current):
                if not isinstance(nxt, URIRef):
                    continue  # blank nodes cannot be bound into the next step's query
                src, tgt = (current, nxt) if outward else (nxt, current)
                key = (str(src), str(relation), str(tgt))
                if key not in seen_edges:
                    seen_edges.add(key)
                    edges.append(LineageEdge(*key))
                if str(nxt) not in nodes:
                    if len(nodes) >= MAX_NODES:
                        truncated = True
                        continue
                    nodes[str(nxt)] = _node_info(store, nxt, depth)
                    following.append(nxt)
        frontier = following
        if not frontier:
            break
    else:
        truncated = truncated or bool(frontier)
    return nodes, edges, truncated


def _node_info(store: Store, node: URIRef, depth: int) -> dict:
    types, label = node_facts(store, node)
    return {"types": types, "label": label, "depth": depth}


def _source_nodes(store: Store, root: URIRef, nodes: dict,
                  edges: list[LineageEdge]) -> list[str]:
    found = {e.target for e in edges if e.relation == str(DCAT.distribution)}
    found |= {n for n, info in nodes.items()
              if str(CG.CubeDistribution) in info["types"] or str(MLS.Model) in info["types"]}
    found |= {str(o) for o in recorded_outputs(store, root)}
    return sorted(found)


# --------------------------------------------------------------------------------------
# SHACL
# --------------------------------------------------------------------------------------
def _check_shapes(store: Store, nodes: dict) -> list[ShapeCheck]:
    # Imported on use: pyshacl is slow to import and only this check needs it.
    import pyshacl

    skip = {str(store.iris.inferred_graph), str(store.iris.ontology_graph),
            str(store.iris.shapes_graph)}
    graphs = set()
    for n in nodes:
        for row in store.query(GRAPHS_QUERY, bindings={"node": URIRef(n)}):
            if str(row["g"]) not in skip:
                graphs.add(str(row["g"]))
    shapes = load_shapes()
    out = []
    for name in sorted(graphs):
        data = store.graph(name)
        conforms, results, _ = pyshacl.validate(data, shacl_graph=shapes, advanced=True,
                                                inference="none", allow_warnings=True)
        out.append(ShapeCheck(graph=name, conforms=bool(conforms),
                              violations=_violations(results)))
    return out


def _violations(results: Graph) -> list[dict]:
    out = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        get = lambda p: results.value(result, p)  # noqa: E731
        out.append({
            "focus": str(get(SH.focusNode)) if get(SH.focusNode) is not None else None,
            "path": str(get(SH.resultPath)) if get(SH.resultPath) is not None else None,
            "message": str(get(SH.resultMessage)) if get(SH.resultMessage) is not None else "",
            "severity": local_name(str(get(SH.resultSeverity) or SH.Violation)),
        })
    return sorted(out, key=lambda v: (v["focus"] or "", v["message"]))
