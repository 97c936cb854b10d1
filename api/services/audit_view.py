"""An :class:`~cubegraph.api.services.audit.AuditReport` shaped for the audit page (pure).

The report already says everything; this module only arranges it: the lineage as a layered
drawing (:mod:`~cubegraph.api.services.lineage_layout`) with each source coloured by its
fingerprint check, the source checks as table rows with a one-word verdict (``ok`` / ``changed`` /
``missing`` / ``unverifiable``), and the FAIR metrics grouped by principle with counts.
"""

from __future__ import annotations

from cubegraph.api.services.lineage_layout import layout_lineage

__all__ = ["audit_page", "VERDICTS", "PRINCIPLES"]

#: Fingerprint status -> what the page calls it.
VERDICTS = {"unchanged": "ok", "changed": "changed", "missing": "missing",
            "unverifiable": "unverifiable"}
PRINCIPLES = {"F": "Findable", "A": "Accessible", "I": "Interoperable", "R": "Reusable"}


def audit_page(report, *, href=None) -> dict:
    """The audit page's data.

    Args:
        report: an :class:`~cubegraph.api.services.audit.AuditReport`.
        href: function IRI -> link (or ``None``) for the lineage nodes and tables.

    Returns:
        ``{"report", "passed", "problems", "lineage", "sources", "shapes", "fair",
        "fair_passed", "fair_total"}``.
    """
    status = {}
    sources = []
    for src in report.sources:
        verdict = VERDICTS.get(src.status, src.status)
        status[src.distribution] = verdict
        if src.cube:
            # The cube a changed source belongs to is flagged too: that is what people click.
            status.setdefault(src.cube, verdict if verdict != "unverifiable" else None)
        sources.append({
            "distribution": src.distribution, "cube": src.cube, "path": src.path,
            "verdict": verdict, "recorded": src.recorded_fingerprint,
            "current": src.current_fingerprint, "algorithm": src.algorithm,
            "changes": list(src.changes), "href": href(src.distribution) if href else None,
            "level": src.level, "verified": src.verified,
        })
    groups: dict[str, list[dict]] = {}
    for item in report.fair:
        letter = str(item.get("principle") or "?")[:1].upper()
        groups.setdefault(letter, []).append(item)
    fair = [{"letter": letter, "name": PRINCIPLES.get(letter, letter), "metrics": groups[letter],
             "passed": sum(1 for m in groups[letter] if m.get("passed"))}
            for letter in sorted(groups, key=lambda k: "FAIR".find(k) if k in "FAIR" else 9)]
    return {
        "report": report,
        "passed": report.passed,
        "problems": report.problems,
        "lineage": layout_lineage(report.nodes, report.edges, report.iri, href=href,
                                  status={k: v for k, v in status.items() if v}),
        "sources": sources,
        "shapes": [{"graph": s.graph, "conforms": s.conforms, "violations": s.violations,
                    "href": href(s.graph) if href else None} for s in report.shapes],
        "fair": fair,
        "fair_passed": sum(1 for m in report.fair if m.get("passed")),
        "fair_total": len(report.fair),
    }
