"""FAIR provenance audit of one resource: lineage, source fingerprints, SHACL, FAIR metrics.

``audit(store, iri)`` answers "where did this come from, is it still what was recorded, and
is it described well enough to be found and reused?":

1. **Lineage**: from the resource back to its source files, following PROV and DCAT links
   (``prov:wasGeneratedBy``, ``prov:used``, ``prov:wasDerivedFrom``, ``dcat:distribution``,
   ``mls:hasInput``, a variable's cube through ``cg:hasVariable``, a model's run through
   ``mls:hasOutput``, ...) transitively, up to ``max_depth`` steps.
2. **Sources**: every distribution reached is fingerprinted AGAIN from disk with the ingest
   layer's recipe and compared with its recorded ``cg:fingerprint``; a changed source says
   what changed (size, fingerprint recipe, variables, shapes, dtypes, dimensions) by
   re-reading the cube's metadata (never its arrays) and comparing it with the description.
3. **SHACL**: every named graph describing a resource of the lineage is validated with
   cubegraph's shapes (pyshacl).
4. **FAIR**: the F-UJI metrics evaluated locally against the graph, with evidence
   (:mod:`cubegraph.api.fair`).

The audit *fails* (``passed`` is false, the CLI exits non-zero) when a source changed or
vanished, or a description breaks its shapes. FAIR metrics are reported, not enforced.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from rdflib import BNode, Graph, Literal, URIRef

from cubegraph import __version__ as _cg_version
from cubegraph.api._catalog import PREFIXES, local_name
from cubegraph.api.errors_discovery import NotAuditable, ResourceNotFound
from cubegraph.errors import CubegraphError
from cubegraph.kg.store import Store
from cubegraph.ontology.namespaces import CG, DCAT, DCTERMS, DQV, PROV, RDF, RDFS, XSD

__all__ = ["audit", "AuditReport", "SourceCheck", "ShapeCheck", "LineageEdge",
           "recompute_fingerprint", "MAX_DEPTH"]

MAX_DEPTH = 10
MAX_NODES = 1000

#: Links followed from a resource towards what it came from (subject -> object).
FORWARD = ("prov:wasGeneratedBy", "prov:used", "prov:wasDerivedFrom", "dcat:distribution",
           "mls:hasInput", "prov:wasInformedBy", "prov:hadPrimarySource",
           "prov:wasRevisionOf", "cg:attributedVariable", "cg:selected")
#: Links followed backwards (object -> subject): the cube of a variable, the run of a model,
#: the explanation of an attribution, the activity that generated an entity.
BACKWARD = ("cg:hasVariable", "mls:hasOutput", "cg:hasAttribution", "prov:generated")

# Bound: ?node (projected).
STEP_QUERY = PREFIXES + f"""
SELECT DISTINCT ?node ?rel ?next ?dir WHERE {{
  {{ ?node ?rel ?next . VALUES ?rel {{ {' '.join(FORWARD)} }} BIND("out" AS ?dir) }}
  UNION
  {{ ?next ?rel ?node . VALUES ?rel {{ {' '.join(BACKWARD)} }} BIND("in" AS ?dir) }}
}}
"""
NODE_QUERY = PREFIXES + """
SELECT DISTINCT ?node ?type ?label WHERE {
  ?node ?p ?o .
  OPTIONAL { ?node a ?type }
  OPTIONAL { ?node dct:title|rdfs:label|cg:variableName ?label }
}
"""
EXISTS_QUERY = "SELECT ?node (COUNT(*) AS ?n) WHERE { ?node ?p ?o } GROUP BY ?node"
REFERENCED_QUERY = "SELECT ?node (COUNT(*) AS ?n) WHERE { ?s ?p ?node } GROUP BY ?node"
GRAPHS_QUERY = "SELECT DISTINCT ?node ?g WHERE { GRAPH ?g { ?node ?p ?o } }"
SOURCE_QUERY = PREFIXES + """
SELECT ?dist ?fingerprint ?algorithm ?size ?path ?cubePath ?access ?download ?cube WHERE {
  OPTIONAL { ?dist cg:fingerprint ?fingerprint }
  OPTIONAL { ?dist cg:fingerprintAlgorithm ?algorithm }
  OPTIONAL { ?dist dcat:byteSize|cg:byteSize ?size }
  OPTIONAL { ?dist cg:sourcePath ?path }
  OPTIONAL { ?dist dcat:accessURL ?access }
  OPTIONAL { ?dist dcat:downloadURL ?download }
  OPTIONAL { ?cube dcat:distribution ?dist . OPTIONAL { ?cube cg:sourcePath ?cubePath } }
}
"""
STRUCTURE_QUERY = PREFIXES + """
SELECT ?cube ?kind ?name ?shape ?dtype ?size WHERE {
  { ?cube cg:hasVariable ?v . ?v cg:variableName ?name .
    OPTIONAL { ?v cg:shape ?shape } OPTIONAL { ?v cg:dtype ?dtype } BIND("variable" AS ?kind) }
  UNION
  { ?cube cg:hasDimension ?d . ?d cg:dimensionName ?name .
    OPTIONAL { ?d cg:size ?size } BIND("dimension" AS ?kind) }
}
"""


@dataclass
class LineageEdge:
    """One step of the lineage: ``source --relation--> target`` as stated in the graph."""

    source: str
    relation: str
    target: str


@dataclass
class SourceCheck:
    """A source distribution, fingerprinted again and compared with what was recorded.

    Attributes:
        status: ``"unchanged"``, ``"changed"``, ``"missing"`` (the path is gone) or
            ``"unverifiable"`` (no local path, or nothing recorded to compare with).
        changes: what differs, in words (``"size: recorded 1200 bytes, now 1310"``).
        details: what was recomputed (algorithm, byte size, metadata document hashes).
    """

    distribution: str
    cube: str | None
    path: str | None
    recorded_fingerprint: str | None
    current_fingerprint: str | None
    algorithm: str | None
    status: str
    changes: list[str] = field(default_factory=list)
    details: dict = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.status in ("changed", "missing")


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
        fair: FAIR metric results (:class:`cubegraph.api.fair.FairResult` as dicts).
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
        """The report as DQV quality measurements and a PROV activity (see ``_report_rdf``)."""
        return _report_rdf(self)

    def to_text(self) -> str:
        """A plain-text rendering for the terminal."""
        return _report_text(self)


# --------------------------------------------------------------------------------------
# the audit
# --------------------------------------------------------------------------------------
def audit(store: Store, iri: str, *, max_depth: int = MAX_DEPTH,
          check_shapes: bool = True) -> AuditReport:
    """Audit the provenance of one resource (a cube, variable, run, model, explanation...).

    Args:
        store: the store.
        iri: the resource's IRI.
        max_depth: how many links to follow from the resource at most.
        check_shapes: validate the descriptions involved with SHACL (slow on big graphs).

    Returns:
        The report; ``report.passed`` tells whether the audit succeeded.

    Raises:
        ResourceNotFound: the store says nothing about ``iri``.
        NotAuditable: the resource has no provenance to follow.
        StoreError: the store failed to answer.
    """
    from cubegraph.api.fair import evaluate_fair  # fair needs AuditReport's parts

    node = URIRef(str(iri).strip())
    if not _described(store, node):
        referenced = store.query(REFERENCED_QUERY, bindings={"node": node}).rows()
        if referenced:
            raise NotAuditable(f"<{iri}> is not auditable because the store only refers to it "
                               "and holds no description of it")
        raise ResourceNotFound(f"no resource <{iri}> in the store: check the IRI (cubegraph "
                               "search lists cubes; SPARQL finds runs)")
    nodes, edges, truncated = _lineage(store, node, max_depth)
    sources = [_check_source(store, URIRef(n)) for n in _source_nodes(store, nodes, edges)]
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
            for row in store.query(STEP_QUERY, bindings={"node": current}):
                nxt = row["next"]
                if not isinstance(nxt, URIRef):
                    continue  # blank nodes cannot be bound into the next step's query
                src, tgt = (current, nxt) if row["dir"].toPython() == "out" else (nxt, current)
                key = (str(src), str(row["rel"]), str(tgt))
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
    types, label = set(), None
    for row in store.query(NODE_QUERY, bindings={"node": node}):
        if row.get("type") is not None:
            types.add(str(row["type"]))
        if label is None and row.get("label") is not None:
            label = str(row["label"])
    return {"types": sorted(types), "label": label, "depth": depth}


def _source_nodes(store: Store, nodes: dict, edges: list[LineageEdge]) -> list[str]:
    found = {e.target for e in edges if e.relation == str(DCAT.distribution)}
    found |= {n for n, info in nodes.items() if str(CG.CubeDistribution) in info["types"]}
    return sorted(found)


# --------------------------------------------------------------------------------------
# sources: recompute and compare
# --------------------------------------------------------------------------------------
def recompute_fingerprint(path: str | Path) -> dict:
    """Fingerprint a source again with the ingest layer's recipe (the ONE place that calls it).

    Returns:
        ``{"fingerprint", "algorithm", "byte_size", "metadata_sha256": {doc: hash},
        "chunk_files"}`` (the last two for zarr stores only).

    Raises:
        FileNotFoundError: the path does not exist.
        OSError: it cannot be read.
    """
    from cubegraph.ingest.fingerprint import fingerprint_netcdf, fingerprint_zarr, list_zarr_store

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"source '{path}' does not exist")
    if path.is_dir():
        listing = list_zarr_store(path)
        digest, algorithm = fingerprint_zarr(listing)
        return {"fingerprint": digest, "algorithm": algorithm, "byte_size": listing.byte_size,
                "metadata_sha256": {k: hashlib.sha256(v).hexdigest()
                                    for k, v in sorted(listing.metadata.items())},
                "chunk_files": len(listing.chunks)}
    digest, algorithm = fingerprint_netcdf(path)
    return {"fingerprint": digest, "algorithm": algorithm, "byte_size": path.stat().st_size}


def _local_path(*candidates) -> str | None:
    for value in candidates:
        if value is None:
            continue
        text = str(value)
        if text.startswith("file:"):
            return unquote(urlparse(text).path)
        if "://" not in text:
            return text
    return None


def _check_source(store: Store, dist: URIRef) -> SourceCheck:
    rows = store.query(SOURCE_QUERY, bindings={"dist": dist}).rows()
    row = rows[0] if rows else {}
    get = lambda k: row.get(k)  # noqa: E731
    recorded = str(get("fingerprint")) if get("fingerprint") is not None else None
    algorithm = str(get("algorithm")) if get("algorithm") is not None else None
    path = _local_path(get("path"), get("cubePath"), get("download"), get("access"))
    cube = str(get("cube")) if get("cube") is not None else None
    check = SourceCheck(distribution=str(dist), cube=cube, path=path,
                        recorded_fingerprint=recorded, current_fingerprint=None,
                        algorithm=algorithm, status="unverifiable")
    if path is None:
        check.changes.append("no local path recorded (cg:sourcePath or a file: access URL); "
                             "remote sources are not re-fingerprinted")
        return check
    try:
        now = recompute_fingerprint(path)
    except FileNotFoundError:
        check.status = "missing"
        check.changes.append(f"'{path}' no longer exists")
        return check
    except OSError as exc:
        check.status = "missing"
        check.changes.append(f"'{path}' cannot be read: {exc}")
        return check
    check.current_fingerprint = now["fingerprint"]
    check.details = now
    if recorded is None:
        check.changes.append("no cg:fingerprint recorded to compare with")
        return check
    if recorded == now["fingerprint"]:
        check.status = "unchanged"
    else:
        check.status = "changed"
        check.changes.extend(_what_changed(store, check, get("size"), now, cube))
    if cube:
        # The bytes against the description even when the fingerprint matches: a
        # description edited by hand would not show in the fingerprint.
        drift = _structure_drift(store, URIRef(cube), path)
        check.details["description_drift"] = drift
        if drift and check.status == "unchanged":
            check.status = "changed"
            check.changes.extend(drift)
        elif drift:
            check.changes.extend(d for d in drift if d not in check.changes)
    return check


def _what_changed(store, check: SourceCheck, recorded_size, now: dict, cube) -> list[str]:
    out = []
    if check.algorithm and check.algorithm != now["algorithm"]:
        out.append(f"fingerprint recipe: recorded {check.algorithm}, now {now['algorithm']} "
                   "(re-ingest to record a comparable fingerprint)")
    if recorded_size is not None:
        try:
            before = int(recorded_size)
        except (TypeError, ValueError):
            before = None
        if before is not None and before != now["byte_size"]:
            out.append(f"size: recorded {before} bytes, now {now['byte_size']} bytes")
    if not out:
        out.append("content fingerprint differs (metadata documents or chunk listing changed; "
                   "see details.metadata_sha256)")
    return out


def _structure_drift(store: Store, cube: URIRef, path: str) -> list[str]:
    """Differences between the cube's recorded variables/dimensions and its file now."""
    recorded_vars, recorded_dims = {}, {}
    for row in store.query(STRUCTURE_QUERY, bindings={"cube": cube}):
        name = str(row["name"])
        if str(row["kind"]) == "variable":
            recorded_vars[name] = (str(row["shape"]) if row.get("shape") is not None else None,
                                   str(row["dtype"]) if row.get("dtype") is not None else None)
        elif row.get("size") is not None:
            recorded_dims[name] = int(row["size"])
    if not recorded_vars and not recorded_dims:
        return []
    try:
        from cubegraph.ingest.cubes import read_metadata

        meta = read_metadata(path)
    except (CubegraphError, OSError, ValueError, RuntimeError) as exc:
        # A corrupted store fails inside codecs (blosc raises RuntimeError): that IS the
        # finding, reported as a change rather than crashing the audit.
        return [f"cannot re-read the cube's metadata: {exc}"]
    out = []
    now_vars = {v.name: (",".join(str(n) for n in v.shape), v.dtype) for v in meta.variables}
    for name in sorted(set(recorded_vars) - set(now_vars)):
        out.append(f"variable '{name}' is described but no longer in the file")
    for name in sorted(set(now_vars) - set(recorded_vars)) if recorded_vars else []:
        out.append(f"variable '{name}' is in the file but not described")
    for name in sorted(set(recorded_vars) & set(now_vars)):
        (shape, dtype), (now_shape, now_dtype) = recorded_vars[name], now_vars[name]
        if shape is not None and shape != now_shape:
            out.append(f"variable '{name}' shape: recorded {shape}, now {now_shape}")
        if dtype is not None and dtype != now_dtype:
            out.append(f"variable '{name}' dtype: recorded {dtype}, now {now_dtype}")
    now_dims = {d.name: d.size for d in meta.dimensions}
    for name, size in sorted(recorded_dims.items()):
        if name not in now_dims:
            out.append(f"dimension '{name}' is described but no longer in the file")
        elif now_dims[name] != size:
            out.append(f"dimension '{name}' size: recorded {size}, now {now_dims[name]}")
    return out


# --------------------------------------------------------------------------------------
# SHACL
# --------------------------------------------------------------------------------------
def _check_shapes(store: Store, nodes: dict) -> list[ShapeCheck]:
    import pyshacl

    from cubegraph.ontology import load_shapes

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
    from rdflib.namespace import SH

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


# --------------------------------------------------------------------------------------
# renderings
# --------------------------------------------------------------------------------------
FAIR_METRIC_BASE = "https://w3id.org/cubegraph/fair-metric/"


def _report_rdf(report: AuditReport) -> Graph:
    """DQV: one ``dqv:QualityMeasurement`` per FAIR metric, per source check and per SHACL
    check, each ``prov:wasGeneratedBy`` one audit ``prov:Activity`` that ``prov:used`` the
    resource; the lineage edges are repeated as the PROV statements they are."""
    g = Graph()
    for prefix, ns in (("dqv", str(DQV)), ("prov", str(PROV)), ("dct", str(DCTERMS)),
                       ("fair", FAIR_METRIC_BASE)):
        g.bind(prefix, ns)
    resource = URIRef(report.iri)
    activity = BNode()
    g.add((activity, RDF.type, PROV.Activity))
    g.add((activity, RDFS.label, Literal(f"cubegraph provenance audit of <{report.iri}>")))
    g.add((activity, PROV.used, resource))
    g.add((activity, PROV.startedAtTime, Literal(report.audited_at, datatype=XSD.dateTime)))
    g.add((activity, PROV.wasAssociatedWith, URIRef("https://w3id.org/cubegraph/software")))
    g.add((activity, DCTERMS.description, Literal(f"cubegraph {_cg_version}")))

    def measurement(on, metric_id: str, value, comment: str, label: str | None = None):
        m = BNode()
        metric = URIRef(FAIR_METRIC_BASE + metric_id)
        g.add((m, RDF.type, DQV.QualityMeasurement))
        g.add((m, DQV.computedOn, on))
        g.add((m, DQV.isMeasurementOf, metric))
        g.add((m, DQV.value, Literal(value)))
        g.add((m, PROV.wasGeneratedBy, activity))
        g.add((m, RDFS.comment, Literal(comment)))
        g.add((metric, RDF.type, DQV.Metric))
        if label:
            g.add((metric, RDFS.label, Literal(label)))
        g.add((resource, DQV.hasQualityMeasurement, m))

    for item in report.fair:
        measurement(resource, item["id"], item["passed"], item["evidence"], item["name"])
    for src in report.sources:
        measurement(URIRef(src.distribution), "CG-SOURCE-FINGERPRINT", not src.failed,
                    f"{src.status}: " + ("; ".join(src.changes) or "fingerprint matches"),
                    "source bytes match the recorded fingerprint")
    for shape in report.shapes:
        measurement(URIRef(shape.graph), "CG-SHACL", shape.conforms,
                    "; ".join(v["message"] for v in shape.violations) or "conforms",
                    "description conforms to the cubegraph SHACL shapes")
    measurement(resource, "CG-AUDIT", report.passed,
                "; ".join(report.problems) or "every source unchanged, every description conforms",
                "provenance audit passed")
    for edge in report.edges:
        g.add((URIRef(edge.source), URIRef(edge.relation), URIRef(edge.target)))
    return g


def _report_text(report: AuditReport) -> str:
    lines = [f"audit of <{report.iri}> ({', '.join(report.kinds) or 'untyped'})",
             f"result: {'PASSED' if report.passed else 'FAILED'}"]
    lines += [f"  - {p}" for p in report.problems]
    lines.append(f"\nlineage: {len(report.nodes)} resources, {len(report.edges)} links"
                 + (" (truncated)" if report.truncated else ""))
    for edge in report.edges:
        lines.append(f"  {_short(edge.source)} --{local_name(edge.relation)}--> {_short(edge.target)}")
    lines.append(f"\nsources: {len(report.sources)}")
    for src in report.sources:
        lines.append(f"  [{src.status.upper()}] {src.path or src.distribution}")
        lines += [f"      {c}" for c in src.changes]
    lines.append(f"\nSHACL: {sum(s.conforms for s in report.shapes)}/{len(report.shapes)} "
                 "descriptions conform")
    for shape in report.shapes:
        lines.append(f"  [{'OK' if shape.conforms else 'FAIL'}] <{shape.graph}>")
        lines += [f"      {v['message']} (focus {v['focus']})" for v in shape.violations]
    passed = sum(1 for f in report.fair if f["passed"])
    lines.append(f"\nFAIR: {passed}/{len(report.fair)} metrics pass")
    for f in report.fair:
        lines.append(f"  [{'pass' if f['passed'] else 'FAIL'}] {f['id']:<14} {f['name']}")
        lines.append(f"      {f['evidence']}")
    return "\n".join(lines) + "\n"


def _short(iri: str) -> str:
    return iri if len(iri) <= 70 else "…" + iri[-69:]
