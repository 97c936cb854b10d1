"""Renderings of an audit report: DQV/PROV RDF and plain text for the terminal.

Both read an :class:`~cubegraph.api.services.audit.AuditReport` (its ``to_rdf`` and
``to_text`` call them) and never the store: the report already holds every finding.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef

from cubegraph import __version__ as _cg_version
from cubegraph.ontology.namespaces import local_name
from cubegraph.ontology.namespaces import DCTERMS, DQV, PROV, RDF, RDFS, XSD

__all__ = ["report_rdf", "report_text", "FAIR_METRIC_BASE"]

FAIR_METRIC_BASE = "https://w3id.org/cubegraph/fair-metric/"


def report_rdf(report) -> Graph:
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
                    f"{src.status}; verified {src.verified}"
                    + ("; " + "; ".join(src.changes) if src.changes else ""),
                    "source matches what was recorded, at the level stated")
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


def report_text(report) -> str:
    """A plain-text rendering of an audit report for the terminal."""
    levels: dict[str, int] = {}
    for src in report.sources:
        levels[src.level] = levels.get(src.level, 0) + 1
    said = ", ".join(f"{n} at {level}" for level, n in sorted(
        levels.items(), key=lambda kv: ("content", "sampled", "sizes", "none").index(kv[0])
        if kv[0] in ("content", "sampled", "sizes", "none") else 9))
    lines = [f"audit of <{report.iri}> ({', '.join(report.kinds) or 'untyped'})",
             f"result: {'PASSED' if report.passed else 'FAILED'}"
             + (f" (sources verified: {said})" if said else "")]
    lines += [f"  - {p}" for p in report.problems]
    lines.append(f"\nlineage: {len(report.nodes)} resources, {len(report.edges)} links"
                 + (" (truncated)" if report.truncated else ""))
    for edge in report.edges:
        lines.append(f"  {_short(edge.source)} --{local_name(edge.relation)}--> {_short(edge.target)}")
    lines.append(f"\nsources: {len(report.sources)}")
    for src in report.sources:
        lines.append(f"  [{src.status.upper()}] {src.path or src.distribution}")
        lines.append(f"      verified {src.verified}")
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
