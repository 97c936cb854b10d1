"""A layered drawing of an audit's lineage graph (pure geometry; the template draws it).

:func:`layout_lineage` places the audited resource in the left-most column and every
other resource in the column of its depth (the number of links the audit followed to reach
it), so the picture reads left to right from "what you asked about" to "where it came
from". Inside a column, nodes are ordered by the mean position of their neighbours in the
previous column (the barycentre heuristic of Sugiyama-style layouts), which removes most
edge crossings without a layout library. Edges are cubic curves; their labels are shown
once per fan (one source, one relation), in the gap next to the source, because a run that used twenty variables
would otherwise print "used" twenty times on top of itself. Every edge keeps its relation
as a tooltip.

Only numbers and the caller's own strings come out: the template escapes every text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cubegraph.ontology.namespaces import local_name

__all__ = ["Layout", "layout_lineage", "NODE_WIDTH", "NODE_HEIGHT"]

NODE_WIDTH = 190
NODE_HEIGHT = 34
COLUMN_GAP = 96
ROW_GAP = 14
MARGIN = 16
#: Longest node text, in characters, before it is shortened with an ellipsis.
MAX_TEXT = 24
#: More resources than this of one kind in one column are drawn as one "kind ×N" node.
MAX_GROUP = 5


@dataclass
class Layout:
    """Positions of a lineage drawing.

    Attributes:
        width / height: the drawing's size in px.
        nodes: ``{"id", "x", "y", "width", "height", "text", "kind", "title", "href",
            "root", "status", "group"}`` per node (``group``: how many resources a
            collapsed node stands for, 0 for a single one).
        edges: ``{"path", "relation", "title", "label", "lx", "ly", "back", "arrow"}`` per
            edge (``label`` is empty for edges whose group is labelled elsewhere; ``back``
            marks edges within one column; ``arrow`` is ``"start"`` or ``"end"``: the end
            of the path the arrowhead sits on, always at the link's target).
        columns: ``[{"x", "layer"}]`` for the column headings (layer 0 holds the root).
    """

    width: int
    height: int
    nodes: list[dict] = field(default_factory=list)
    edges: list[dict] = field(default_factory=list)
    columns: list[dict] = field(default_factory=list)


def _short(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _name_of(iri: str) -> str:
    return local_name(iri) or iri


def layout_lineage(nodes: dict[str, dict], edges, root: str, *, href=None,
                   status: dict[str, str] | None = None) -> Layout:
    """Lay out a lineage graph in columns by depth.

    Args:
        nodes: IRI -> ``{"depth", "label", "types"}`` (as in ``AuditReport.nodes``).
        edges: objects or dicts with ``source``, ``relation`` and ``target`` IRIs.
        root: the audited resource (drawn first, highlighted).
        href: optional function IRI -> link (or ``None``) for each node.
        status: optional IRI -> ``"ok"`` / ``"changed"`` / ``"missing"`` to colour
            source nodes by their fingerprint check.

    Returns:
        The :class:`Layout`; empty (but sized) when there are no nodes.
    """
    status = status or {}
    edge_list = [_edge_tuple(e) for e in edges]
    edge_list = [e for e in edge_list if e[0] in nodes and e[2] in nodes]
    nodes, edge_list, members = _collapse(nodes, edge_list, root, status)
    columns: dict[int, list[str]] = {}
    for iri, layer in _layers(nodes, edge_list, root).items():
        columns.setdefault(layer, []).append(iri)
    depths = sorted(columns)
    neighbours: dict[str, set[str]] = {iri: set() for iri in nodes}
    for s, _, t in edge_list:
        neighbours[s].add(t)
        neighbours[t].add(s)

    # Order each column by the barycentre of its neighbours in the previous column.
    order: dict[str, float] = {}
    for index, depth in enumerate(depths):
        column = sorted(columns[depth], key=lambda n: (_node_text(n, nodes[n]).lower(), n))
        if index > 0:
            previous = columns[depths[index - 1]]

            def centre(n: str, previous=previous) -> float:
                placed = [order[m] for m in neighbours[n] if m in order and m in previous]
                return sum(placed) / len(placed) if placed else float("inf")

            column.sort(key=lambda n: (centre(n), _node_text(n, nodes[n]).lower(), n))
        columns[depth] = column
        for i, n in enumerate(column):
            order[n] = float(i)

    tallest = max((len(c) for c in columns.values()), default=0)
    height = MARGIN * 2 + 18 + tallest * (NODE_HEIGHT + ROW_GAP) - (ROW_GAP if tallest else 0)
    width = MARGIN * 2 + len(depths) * NODE_WIDTH + max(0, len(depths) - 1) * COLUMN_GAP
    layout = Layout(width=int(width), height=int(height))
    place: dict[str, tuple[float, float]] = {}
    for index, depth in enumerate(depths):
        x = MARGIN + index * (NODE_WIDTH + COLUMN_GAP)
        column = columns[depth]
        # Centre shorter columns vertically against the tallest one.
        used = len(column) * (NODE_HEIGHT + ROW_GAP) - ROW_GAP
        top = MARGIN + 18 + (height - 2 * MARGIN - 18 - used) / 2
        layout.columns.append({"x": x + NODE_WIDTH / 2, "layer": depth})
        for i, n in enumerate(column):
            y = top + i * (NODE_HEIGHT + ROW_GAP)
            place[n] = (x, y)
            info = nodes[n]
            group = members.get(n)
            layout.nodes.append({
                "id": n, "x": round(x, 1), "y": round(y, 1), "width": NODE_WIDTH,
                "height": NODE_HEIGHT, "text": _short(_node_text(n, info)),
                "kind": _short(_kind(info), 30),
                "title": "\n".join(info["labels"][m] for m in group) if group else n,
                "href": None if group else (href(n) if href else None),
                "root": n == root, "status": status.get(n), "group": len(group) if group else 0,
            })

    labelled: set[tuple] = set()
    groups: dict[tuple, list[int]] = {}
    widest_loop = 0.0
    column_of = {n: i for i, depth in enumerate(depths) for n in columns[depth]}
    for s, rel, t in edge_list:
        (sx, sy), (tx, ty) = place[s], place[t]
        back = tx == sx
        reach = 40 + abs(ty - sy) * 0.15
        if back:
            # Same column: loop out to the right and come back.
            x0, y0 = sx + NODE_WIDTH, sy + NODE_HEIGHT / 2
            x1, y1 = tx + NODE_WIDTH, ty + NODE_HEIGHT / 2
            path = (f"M{x0:.1f},{y0:.1f} C{x0 + reach:.1f},{y0:.1f} {x1 + reach:.1f},{y1:.1f} "
                    f"{x1:.1f},{y1:.1f}")
            arrow = "end"
            widest_loop = max(widest_loop, reach)
            # A loop's label sits at the far point of the loop, clear of the nodes.
            mid = (x0 + 0.75 * reach, (y0 + y1) / 2)
        else:
            # Drawn from the left node's right side to the right node's left side; a link
            # pointing back to an earlier column (a cube reached from its variable) carries
            # its arrowhead at the start of the path.
            arrow = "end" if tx > sx else "start"
            (lx, ly), (rx, ry) = ((sx, sy), (tx, ty)) if arrow == "end" else ((tx, ty), (sx, sy))
            a, b = column_of[s], column_of[t]
            between = [columns[depths[k]] for k in range(min(a, b) + 1, max(a, b))]
            path, segments, lanes = _route(lx + NODE_WIDTH, ly + NODE_HEIGHT / 2, rx,
                                           ry + NODE_HEIGHT / 2, between, place)
            if lanes:
                # A link that skips columns is labelled on its lane through the first
                # skipped column: a stretch no node and no other link crosses.
                (l0, l1, lane) = lanes[0]
                mid = ((l0 + l1) / 2, lane)
            elif arrow == "end":
                # Labels sit in the gap right after the source, where a fan of links starts.
                mid = _on_curve(*segments[0], segments[0][0] + COLUMN_GAP / 2)
            else:
                mid = _on_curve(*segments[-1], segments[-1][2] - COLUMN_GAP / 2)
        relation = _name_of(rel)
        key = (s, rel, arrow, len(between) if not back else -1)
        groups.setdefault(key, []).append(len(layout.edges))
        layout.edges.append({"path": path, "relation": relation, "back": back, "arrow": arrow,
                             "title": f"{_node_text(s, nodes[s])} —{relation}→ {_node_text(t, nodes[t])}",
                             "label": "", "lx": 0.0, "ly": 0.0, "_mid": mid})
    if widest_loop:
        # Room on the right for loops leaving the last column, and their labels.
        layout.width += int(widest_loop + 50)
    for key, members in groups.items():
        # One label per fan (a source's links of one relation), on its middle link.
        members.sort(key=lambda i: layout.edges[i]["_mid"][1])
        chosen = layout.edges[members[len(members) // 2]]
        if key not in labelled:
            labelled.add(key)
            chosen["label"] = chosen["relation"] + (f" ×{len(members)}" if len(members) > 1 else "")
            chosen["lx"], chosen["ly"] = (round(v, 1) for v in chosen["_mid"])
    for edge in layout.edges:
        edge.pop("_mid", None)
    return layout


def _route(x0: float, y0: float, x1: float, y1: float, between: list[list[str]],
           place: dict[str, tuple[float, float]]):
    """An S-curve from (x0, y0) to (x1, y1) that threads the columns it skips.

    In each skipped column the path runs straight through the free lane (a gap between
    two nodes, or above or below them) nearest to where a straight line would cross, so
    it never passes behind a node.

    Returns:
        ``(path data, [(xa, ya, xb, yb) curve segments], [(x_left, x_right, lane_y)])``.
    """
    points, lanes = [(x0, y0)], []
    count = len(between) + 1
    for k, column in enumerate(between, start=1):
        left = place[column[0]][0] if column else x0 + k * (NODE_WIDTH + COLUMN_GAP) - NODE_WIDTH
        wanted = y0 + (y1 - y0) * k / count
        tops = sorted(place[n][1] for n in column)
        free = [tops[0] - ROW_GAP / 2, tops[-1] + NODE_HEIGHT + ROW_GAP / 2]
        free += [(a + NODE_HEIGHT + b) / 2 for a, b in zip(tops, tops[1:])]
        lane = min(free, key=lambda y: (abs(y - wanted), y))
        lanes.append((left, left + NODE_WIDTH, lane))
        points += [(left, lane), (left + NODE_WIDTH, lane)]
    points.append((x1, y1))
    path = f"M{x0:.1f},{y0:.1f}"
    segments = []
    for i in range(0, len(points) - 1, 2):
        (ax, ay), (bx, by) = points[i], points[i + 1]
        if i:
            path += f" L{ax:.1f},{ay:.1f}"
        bend = (bx - ax) / 2
        path += f" C{ax + bend:.1f},{ay:.1f} {bx - bend:.1f},{by:.1f} {bx:.1f},{by:.1f}"
        segments.append((ax, ay, bx, by))
    return path, segments, lanes


def _on_curve(x0: float, y0: float, x1: float, y1: float, x: float) -> tuple[float, float]:
    """The point at abscissa ``x`` of the S-curve drawn from (x0, y0) to (x1, y1).

    The curve is the cubic Bezier with both control points half-way across at the end
    heights (as the paths above); x grows monotonically along it, so bisection finds t.
    """
    bend = (x1 - x0) / 2

    def point(t: float) -> tuple[float, float]:
        u = 1 - t
        px = u**3 * x0 + 3 * u * u * t * (x0 + bend) + 3 * u * t * t * (x1 - bend) + t**3 * x1
        py = u**3 * y0 + 3 * u * u * t * y0 + 3 * u * t * t * y1 + t**3 * y1
        return px, py

    lo, hi = 0.0, 1.0
    for _ in range(30):
        mid = (lo + hi) / 2
        if point(mid)[0] < x:
            lo = mid
        else:
            hi = mid
    return point((lo + hi) / 2)


def _layers(nodes: dict[str, dict], edges: list[tuple], root: str) -> dict[str, int]:
    """The column of each node: its depth, pushed right past the nodes it is linked from.

    Depth alone puts a cube and the variables it lists in one column (the audit reached
    both in one step), and links inside a column are hard to read. So a link between two
    nodes of one column moves its target one column on, repeatedly (longest-path layering);
    the number of rounds is capped, so a cycle cannot loop forever and stays drawn as a loop.
    """
    layer = {n: 0 if n == root else max(1, int(info.get("depth") or 0))
             for n, info in nodes.items()}
    for _ in range(len(nodes)):
        moved = False
        for s, _, t in edges:
            if t != root and s != t and layer[s] == layer[t]:
                layer[t] += 1
                moved = True
        if not moved:
            break
    # Close gaps left by moves, so columns stay adjacent.
    order = {value: index for index, value in enumerate(sorted(set(layer.values())))}
    return {n: order[v] for n, v in layer.items()}


def _collapse(nodes: dict[str, dict], edges: list[tuple], root: str, status: dict):
    """Merge crowds: more than :data:`MAX_GROUP` resources of one kind at one depth become
    one node ``"{kind} ×N"`` (a run's twenty hyper-parameters, forty-eight evaluations).
    The root and resources with a fingerprint status stay single: they are the point.

    Returns:
        ``(nodes, edges, members)``: the new nodes and edges (duplicates removed) and, per
        group node, the IRIs it stands for.
    """
    crowds: dict[tuple, list[str]] = {}
    for iri, info in nodes.items():
        if iri == root or iri in status:
            continue
        depth = max(1, int(info.get("depth") or 0))
        crowds.setdefault((depth, _kind(info)), []).append(iri)
    alias: dict[str, str] = {}
    members: dict[str, list[str]] = {}
    new_nodes = dict(nodes)
    for (depth, kind), iris in crowds.items():
        if len(iris) <= MAX_GROUP:
            continue
        gid = f"group:{depth}:{kind}"
        iris = sorted(iris, key=lambda n: _node_text(n, nodes[n]).lower())
        members[gid] = iris
        new_nodes[gid] = {"depth": depth, "label": f"{kind} ×{len(iris)}", "types": [kind],
                          "labels": {n: _node_text(n, nodes[n]) for n in iris}}
        for n in iris:
            alias[n] = gid
            del new_nodes[n]
    new_edges, seen = [], set()
    for s, rel, t in edges:
        key = (alias.get(s, s), rel, alias.get(t, t))
        if key[0] != key[2] and key not in seen:
            seen.add(key)
            new_edges.append(key)
    return new_nodes, new_edges, members


def _edge_tuple(edge) -> tuple[str, str, str]:
    if isinstance(edge, dict):
        return str(edge["source"]), str(edge["relation"]), str(edge["target"])
    return str(edge.source), str(edge.relation), str(edge.target)


def _node_text(iri: str, info: dict) -> str:
    return str(info.get("label") or _name_of(iri))


def _kind(info: dict) -> str:
    types = [_name_of(t) for t in info.get("types") or []]
    # The project's own and the most specific vocabulary names first.
    preferred = ("ModelRun", "DataCube", "Variable", "CubeDistribution", "Model", "Explanation",
                 "Attribution", "InputSelection", "ModelEvaluation", "Feature", "Job")
    for name in preferred:
        if name in types:
            return name
    return types[0] if types else "resource"
