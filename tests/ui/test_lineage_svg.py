"""The layered lineage drawing (api/services/lineage_layout.py) and the audit page's data."""

from __future__ import annotations

import re

from cubegraph.api.services.audit import AuditReport, LineageEdge, ShapeCheck, SourceCheck
from cubegraph.api.services.audit_view import audit_page
from cubegraph.api.services.lineage_layout import (
    MAX_GROUP,
    NODE_HEIGHT,
    NODE_WIDTH,
    layout_lineage,
)

CG = "https://w3id.org/cubegraph/ontology#"
PROV = "http://www.w3.org/ns/prov#"
DCAT = "http://www.w3.org/ns/dcat#"


def node(depth, label=None, kind="Thing"):
    return {"depth": depth, "label": label, "types": [CG + kind]}


def by_id(layout):
    return {n["id"]: n for n in layout.nodes}


def cube_lineage():
    nodes = {"cube": node(0, "Greece fire", "DataCube"), "ingest": node(1, "ingest", "Activity"),
             "dist": node(1, "zarr store", "CubeDistribution")}
    edges = [LineageEdge("cube", PROV + "wasGeneratedBy", "ingest"),
             LineageEdge("cube", DCAT + "distribution", "dist"),
             LineageEdge("ingest", PROV + "used", "dist")]
    return nodes, edges


def test_root_is_first_and_links_inside_a_column_push_their_target_right():
    layout = layout_lineage(*cube_lineage(), "cube")
    nodes = by_id(layout)
    assert nodes["cube"]["root"] and nodes["cube"]["x"] < nodes["ingest"]["x"] < nodes["dist"]["x"]
    assert len(layout.columns) == 3 and layout.columns[0]["layer"] == 0


def test_a_link_that_skips_a_column_runs_through_a_free_lane():
    layout = layout_lineage(*cube_lineage(), "cube")
    ingest = by_id(layout)["ingest"]
    skip = next(e for e in layout.edges if e["relation"] == "distribution")
    # Its straight run through the middle column lies above or below the node, not on it.
    lane = [float(v) for v in re.search(r"L([\d.]+),([\d.]+)", skip["path"]).groups()]
    assert not ingest["y"] <= lane[1] <= ingest["y"] + NODE_HEIGHT
    assert skip["label"] == "distribution" and skip["ly"] == lane[1]


def test_every_edge_ends_on_node_sides_with_the_arrow_at_the_target():
    nodes = {"var": node(0, "lst", "Variable"), "cube": node(1, "cube", "DataCube")}
    # The cube lists the variable: the link points back to the root's column.
    layout = layout_lineage(nodes, [LineageEdge("cube", CG + "hasVariable", "var")], "var")
    (edge,) = layout.edges
    assert edge["arrow"] == "start"  # drawn left to right, arrowhead at the variable
    start = re.match(r"M([\d.]+),", edge["path"]).group(1)
    assert float(start) == by_id(layout)["var"]["x"] + NODE_WIDTH


def test_crowds_of_one_kind_collapse_into_one_node():
    nodes = {"run": node(0, "run", "ModelRun")}
    edges = []
    for i in range(MAX_GROUP + 3):
        nodes[f"h{i}"] = node(1, f"param {i}", "HyperParameterSetting")
        edges.append(LineageEdge("run", "http://www.w3.org/ns/mls#hasInput", f"h{i}"))
    nodes["model"] = node(1, "model", "Model")
    layout = layout_lineage(nodes, edges, "run")
    groups = [n for n in layout.nodes if n["group"]]
    assert len(layout.nodes) == 3 and len(groups) == 1
    assert groups[0]["text"] == f"HyperParameterSetting ×{MAX_GROUP + 3}"
    assert "param 0" in groups[0]["title"] and groups[0]["href"] is None
    assert len(layout.edges) == 1 and layout.edges[0]["label"] == "hasInput"


def test_one_label_per_fan():
    nodes = {"run": node(0, "run", "ModelRun")}
    nodes.update({f"v{i}": node(1, f"v{i}", "Variable") for i in range(3)})
    edges = [LineageEdge("run", PROV + "used", f"v{i}") for i in range(3)]
    layout = layout_lineage(nodes, edges, "run")
    labels = [e["label"] for e in layout.edges if e["label"]]
    assert labels == ["used ×3"]
    assert all(e["title"].startswith("run —used→") for e in layout.edges)


def test_cycles_terminate_and_are_drawn_as_loops():
    nodes = {"r": node(0), "a": node(1, "a"), "b": node(1, "b")}
    edges = [LineageEdge("r", PROV + "used", "a"), LineageEdge("a", PROV + "wasDerivedFrom", "b"),
             LineageEdge("b", PROV + "wasDerivedFrom", "a")]
    layout = layout_lineage(nodes, edges, "r")
    assert len(layout.nodes) == 3 and len(layout.edges) == 3
    assert layout.width > 0 and layout.height > 0


def test_long_names_are_shortened_and_full_iris_kept_as_titles():
    nodes = {"http://x/a": node(0, "a very long label that cannot fit in a node box")}
    (n,) = layout_lineage(nodes, [], "http://x/a").nodes
    assert n["text"].endswith("…") and len(n["text"]) <= 24 and n["title"] == "http://x/a"


def test_href_and_status_reach_the_nodes():
    nodes, edges = cube_lineage()
    layout = layout_lineage(nodes, edges, "cube", href=lambda iri: "/" + iri,
                            status={"dist": "changed"})
    assert by_id(layout)["dist"]["status"] == "changed" and by_id(layout)["dist"]["href"] == "/dist"


def report(status="unchanged", conforms=True):
    nodes, edges = cube_lineage()
    return AuditReport(
        iri="cube", kinds=["DataCube"], nodes=nodes, edges=edges, truncated=False,
        sources=[SourceCheck("dist", "cube", "/data/x.zarr", "aa", "aa" if status == "unchanged" else "bb",
                             "zarr/v1", status, ["size: recorded 1 bytes, now 2"] if status != "unchanged" else [])],
        shapes=[ShapeCheck("cube", conforms, [] if conforms else [{"message": "no title", "focus": "cube",
                                                                   "path": None, "severity": "Violation"}])],
        fair=[{"id": "FsF-F1-01D", "principle": "F1", "name": "id", "passed": True, "evidence": "e"},
              {"id": "FsF-A1-01M", "principle": "A1", "name": "access", "passed": False, "evidence": "e"},
              {"id": "FsF-R1-01MD", "principle": "R1", "name": "content", "passed": True, "evidence": "e"}],
        audited_at="2026-01-01T00:00:00+00:00")


def test_audit_page_marks_sources_and_groups_fair_metrics():
    page = audit_page(report())
    assert page["passed"] and page["sources"][0]["verdict"] == "ok"
    assert [g["letter"] for g in page["fair"]] == ["F", "A", "R"]
    assert (page["fair_passed"], page["fair_total"]) == (2, 3)
    assert by_id(page["lineage"])["dist"]["status"] == "ok"


def test_audit_page_of_a_changed_source_fails_and_says_what_changed():
    page = audit_page(report("changed"))
    assert not page["passed"] and page["sources"][0]["verdict"] == "changed"
    assert page["sources"][0]["changes"] == ["size: recorded 1 bytes, now 2"]
    assert by_id(page["lineage"])["cube"]["status"] == "changed"
