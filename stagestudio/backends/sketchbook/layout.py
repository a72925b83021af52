"""Layout solver: where each instance of each scene-graph object goes on the canvas.

Positions depend only on the graph (objects, counts, relations, ids) and the canvas size,
never on a seed or on which objects a step draws, so objects placed in an early step keep
their place when later steps add more: every step lays out the *whole* graph and draws a
subset.

Method
* Contact/proximity predicates (on, under, inside, next to, near, in front of, behind)
  *attach* the subject to its object: the pair forms a cluster laid out in local units
  (the object's instances side by side, the subject's group placed against their union box).
* The GenEval predicates (left of, right of, above, below) arrange clusters on a grid:
  left/right pairs share a row, above/below pairs share a column; columns follow a
  topological order of the left-right constraints, rows the longest path of the
  above-below constraints. Unrelated clusters get their own columns (side by side), or a
  near-square grid when there are four or more and no grid relation at all.
* One scale for the whole picture keeps relative sizes (an elephant bigger than a cup);
  each cluster is then clamped to fit its cell, so nothing leaves the frame and clusters
  never overlap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import networkx as nx

from stagestudio.backends.sketchbook.sprites import sticker
from stagestudio.scene.graph import SceneGraph

Box = tuple[float, float, float, float]

GRID_PREDICATES = ("left of", "right of", "above", "below")
ATTACH_PREDICATES = ("on", "under", "inside", "next to", "near", "in front of", "behind")

FRAME_MARGIN = 0.03  # of the canvas side
MIN_INSTANCE_PX = 40  # smaller stickers are hard to recognise (for people and the detector)

# Rough real-world size class of each sprite (longer side, elephant = 1.0).
_LARGE = {
    "airplane", "bus", "train", "truck", "boat", "elephant", "giraffe", "bed", "couch", "dining table",
    "refrigerator", "car", "horse", "cow", "bear", "zebra", "house", "tree", "castle", "church",
    "mountain", "volcano", "tent", "whale", "ship", "tractor", "ambulance", "police car", "taxi",
    "helicopter", "rocket", "bench", "motorcycle", "bicycle", "surfboard", "skis", "snowboard",
    "rainbow", "camel", "hippopotamus", "rhinoceros", "gorilla", "dinosaur", "palm tree", "pine tree",
    "oven", "piano", "bathtub", "door", "lighthouse", "bridge", "factory", "hospital", "school",
    "stadium", "island", "canoe", "tram", "fountain", "shark", "dolphin", "crocodile",
}
_MEDIUM = {
    "person", "dog", "sheep", "tv", "chair", "toilet", "suitcase", "umbrella", "fire hydrant",
    "parking meter", "traffic light", "stop sign", "potted plant", "microwave", "sink", "lion",
    "tiger", "deer", "goat", "llama", "kangaroo", "panda", "pig", "wolf", "unicorn", "guitar",
    "ladder", "window", "lamp", "snowman", "tennis racket", "baseball bat", "kite", "skateboard",
    "backpack", "laptop", "cat", "teddy bear", "computer keyboard", "toaster", "pumpkin", "fox",
    "monkey", "penguin", "flamingo", "swan", "eagle", "drum", "violin", "cactus", "sunflower",
    "broom", "basket", "bucket", "box", "gift", "cloud", "sun", "moon", "star", "fire", "tent",
    "watermelon", "pizza", "cake", "handbag", "koala", "seal", "rooster", "turtle", "rock", "log",
}
SIZE_WORDS = {
    "tiny": 0.6, "small": 0.75, "little": 0.75, "short": 0.85, "big": 1.25, "large": 1.25,
    "huge": 1.4, "giant": 1.4, "enormous": 1.4, "tall": 1.15,
}


def size_factor(name: str, size_word: str | None = None) -> float:
    st = sticker(name)
    base = 1.0 if st.name in _LARGE else 0.72 if st.name in _MEDIUM else 0.5
    if st.generic:
        base = 0.72
    if size_word:
        base *= SIZE_WORDS.get(size_word.strip().lower(), 1.0)
    return base


@dataclass
class _Group:
    """Instances of one object in local units (origin arbitrary)."""

    object_id: str
    boxes: list[Box] = field(default_factory=list)

    def union(self) -> Box:
        return (
            min(b[0] for b in self.boxes), min(b[1] for b in self.boxes),
            max(b[2] for b in self.boxes), max(b[3] for b in self.boxes),
        )

    def shift(self, dx: float, dy: float) -> None:
        self.boxes = [(x1 + dx, y1 + dy, x2 + dx, y2 + dy) for x1, y1, x2, y2 in self.boxes]


def _instance_size(name: str, factor: float) -> tuple[float, float]:
    aspect = sticker(name).aspect
    return (factor, factor / aspect) if aspect >= 1 else (factor * aspect, factor)


def _make_group(object_id: str, name: str, n: int, factor: float) -> _Group:
    """`n` instances side by side (a near-square grid from 4 up), centred on the origin."""
    w, h = _instance_size(name, factor)
    cols = n if n <= 3 else math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    gap = 0.22 * factor
    boxes = []
    for i in range(n):
        r, c = divmod(i, cols)
        in_row = min(cols, n - r * cols)  # centre a short last row
        x0 = -(in_row * w + (in_row - 1) * gap) / 2 + c * (w + gap)
        y0 = -(rows * h + (rows - 1) * gap) / 2 + r * (h + gap)
        boxes.append((x0, y0, x0 + w, y0 + h))
    return _Group(object_id, boxes)


@dataclass
class Layout:
    """Pixel boxes [x1, y1, x2, y2] of every instance, per object id (mention order)."""

    size: int
    boxes: dict[str, list[Box]]
    # Drawing order: containers and supports before what sits on or in them.
    draw_order: list[str] = field(default_factory=list)

    def all_boxes(self) -> list[tuple[str, int, Box]]:
        return [(oid, i, b) for oid, bs in self.boxes.items() for i, b in enumerate(bs)]


def _attachments(graph: SceneGraph) -> dict[str, tuple[str, str, int]]:
    """subject id -> (parent id, predicate, relation index): the first attach relation of
    each subject that keeps the attachment forest acyclic."""
    parent: dict[str, tuple[str, str, int]] = {}

    def root_of(oid: str) -> str:
        seen = set()
        while oid in parent and oid not in seen:
            seen.add(oid)
            oid = parent[oid][0]
        return oid

    for idx, rel in enumerate(graph.relations):
        # An action ("riding", "holding") is drawn as the two objects side by side.
        predicate = "next to" if rel.is_action else rel.predicate
        if predicate not in ATTACH_PREDICATES or rel.subject in parent:
            continue
        if root_of(rel.object) == rel.subject:
            continue  # would make a cycle
        parent[rel.subject] = (rel.object, predicate, idx)
    return parent


def _place_child(child: _Group, parent_box: Box, placement: str, cursors: dict[str, float]) -> None:
    """Move `child` against `parent_box` as `placement` says; cursors stack siblings."""
    px1, py1, px2, py2 = parent_box
    pw, ph = px2 - px1, py2 - py1
    cx1, cy1, cx2, cy2 = child.union()
    cw, ch = cx2 - cx1, cy2 - cy1
    pcx = (px1 + px2) / 2
    if placement == "on":
        top = cursors.get("top", py1)
        child.shift(pcx - (cx1 + cx2) / 2, top - 0.02 * ph - cy2)
        cursors["top"] = top - 0.02 * ph - ch
    elif placement == "under":
        bottom = cursors.get("bottom", py2)
        child.shift(pcx - (cx1 + cx2) / 2, bottom + 0.02 * ph - cy1)
        cursors["bottom"] = bottom + 0.02 * ph + ch
    elif placement == "inside":
        child.shift(pcx - (cx1 + cx2) / 2, (py1 + py2) / 2 - (cy1 + cy2) / 2)
    else:
        gap = {"next to": 0.12, "near": 0.3, "in front of": 0.08, "behind": 0.08}[placement]
        gap_units = gap * max(min(pw, cw), 0.25)
        if placement == "in front of":
            bottom = py2 + 0.3 * max(ph, ch)
        elif placement == "behind":
            bottom = py2 - 0.3 * max(ph, ch)
        else:
            bottom = py2
        # Siblings beside the same parent alternate right and left, so each stays close.
        side_count = cursors.get("sides", 0.0)
        cursors["sides"] = side_count + 1
        if side_count % 2 == 0:
            right = cursors.get("right", px2)
            child.shift(right + gap_units - cx1, bottom - cy2)
            cursors["right"] = right + gap_units + cw
        else:
            left = cursors.get("left", px1)
            child.shift(left - gap_units - cx2, bottom - cy2)
            cursors["left"] = left - gap_units - cw


def _build_cluster(
    root: str, graph: SceneGraph, children: dict[str, list[tuple[str, str, int]]],
    factors: dict[str, float], counts: dict[str, int],
) -> list[_Group]:
    groups: list[_Group] = []

    def build(oid: str, scale: float) -> _Group:
        obj = graph.object(oid)
        group = _make_group(oid, obj.name, counts[oid], factors[oid] * scale)
        groups.append(group)
        cursors: dict[str, float] = {}
        for child_id, predicate, idx in children.get(oid, []):
            placement = predicate
            child_scale = scale
            if placement == "inside":
                # The contained group must fit well inside its container.
                pbox = group.union()
                probe = _make_group(child_id, graph.object(child_id).name, counts[child_id], factors[child_id] * scale)
                ux1, uy1, ux2, uy2 = probe.union()
                fit = min(0.5 * (pbox[2] - pbox[0]) / (ux2 - ux1), 0.5 * (pbox[3] - pbox[1]) / (uy2 - uy1))
                child_scale = scale * min(1.0, fit)
            child = build(child_id, child_scale)
            members = _descendant_groups(child, groups)
            _place_child_tree(members, group.union(), placement, cursors)
        return group

    build(root, 1.0)
    return groups


def _descendant_groups(child: _Group, groups: list[_Group]) -> list[_Group]:
    """The child group and every group built after it (its subtree, built depth-first)."""
    return groups[groups.index(child):]


def _place_child_tree(members: list[_Group], parent_box: Box, placement: str, cursors: dict[str, float]) -> None:
    """Place a child with its own subtree as one block, so nothing lands on the parent."""
    union = _union([g.union() for g in members])
    proxy = _Group(members[0].object_id, [union])
    _place_child(proxy, parent_box, placement, cursors)
    dx, dy = proxy.boxes[0][0] - union[0], proxy.boxes[0][1] - union[1]
    for g in members:
        g.shift(dx, dy)


def _union(boxes: list[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _grid(graph: SceneGraph, roots: list[str], cluster_of: dict[str, str]):
    """(column index, row index, sub-slot, slots in cell) per cluster root."""
    order = {r: i for i, r in enumerate(roots)}
    col_uf = nx.utils.UnionFind(roots)
    row_uf = nx.utils.UnionFind(roots)
    x_edges: list[tuple[str, str]] = []  # (left cluster, right cluster)
    y_edges: list[tuple[str, str]] = []  # (upper cluster, lower cluster)
    for rel in graph.relations:
        if rel.predicate not in GRID_PREDICATES:
            continue
        s, o = cluster_of[rel.subject], cluster_of[rel.object]
        if s == o:
            continue
        pred = rel.predicate
        if pred in ("left of", "right of"):
            row_uf.union(s, o)
            x_edges.append((s, o) if pred == "left of" else (o, s))
        else:
            col_uf.union(s, o)
            y_edges.append((s, o) if pred == "above" else (o, s))

    def classes(uf) -> dict[str, str]:
        rep = {}
        for r in roots:
            members = sorted((m for m in roots if uf[m] == uf[r]), key=order.get)
            rep[r] = members[0]
        return rep

    if not x_edges and not y_edges and len(roots) >= 4:
        # Many unrelated clusters: wrap them into a near-square grid instead of one thin row.
        cols = math.ceil(math.sqrt(len(roots)))
        rows = math.ceil(len(roots) / cols)
        return {r: (i % cols, i // cols, 0, 1) for i, r in enumerate(roots)}, cols, rows

    col_rep, row_rep = classes(col_uf), classes(row_uf)

    def dag(edges: list[tuple[str, str]], rep: dict[str, str]) -> nx.DiGraph:
        g = nx.DiGraph()
        g.add_nodes_from(sorted(set(rep.values()), key=order.get))
        for a, b in edges:
            ra, rb = rep[a], rep[b]
            if ra == rb or g.has_edge(ra, rb):
                continue
            g.add_edge(ra, rb)
            if not nx.is_directed_acyclic_graph(g):  # contradictory constraints: drop the later one
                g.remove_edge(ra, rb)
        return g

    col_dag = dag(x_edges, col_rep)
    col_index = {c: i for i, c in enumerate(nx.lexicographical_topological_sort(col_dag, key=order.get))}
    row_dag = dag(y_edges, row_rep)
    row_rank: dict[str, int] = {}
    for node in nx.lexicographical_topological_sort(row_dag, key=order.get):
        preds = list(row_dag.predecessors(node))
        row_rank[node] = max((row_rank[p] + 1 for p in preds), default=0)
    cells: dict[tuple[int, int], list[str]] = {}
    for r in roots:
        cells.setdefault((col_index[col_rep[r]], row_rank[row_rep[r]]), []).append(r)
    result = {}
    for (c, rw), members in cells.items():
        for slot, r in enumerate(members):
            result[r] = (c, rw, slot, len(members))
    return result, len(col_index), max(row_rank.values(), default=0) + 1


@lru_cache(maxsize=256)
def _solve_cached(graph_json: str, size: int) -> Layout:
    return _solve(SceneGraph.model_validate_json(graph_json), size)


def solve_layout(graph: SceneGraph, size: int = 512) -> Layout:
    """Pixel boxes for every instance of every object in `graph` on a `size` square canvas.
    Cached by the graph's content; treat the result as read-only."""
    return _solve_cached(graph.model_dump_json(), int(size))


def _solve(graph: SceneGraph, size: int) -> Layout:
    if not graph.objects:
        return Layout(size, {}, [])
    counts = {o.id: o.count for o in graph.objects}
    factors = {o.id: size_factor(o.name, o.attributes.size) for o in graph.objects}
    parent = _attachments(graph)
    children: dict[str, list[tuple[str, str, int]]] = {}
    for child, (par, pred, idx) in sorted(parent.items(), key=lambda kv: kv[1][2]):
        children.setdefault(par, []).append((child, pred, idx))
    roots = [o.id for o in graph.objects if o.id not in parent]
    clusters = {r: _build_cluster(r, graph, children, factors, counts) for r in roots}
    cluster_of = {g.object_id: r for r, groups in clusters.items() for g in groups}
    cells, n_cols, n_rows = _grid(graph, roots, cluster_of)

    margin = FRAME_MARGIN * size
    inner = size - 2 * margin
    # Columns and rows get room in proportion to what their clusters need (in layout
    # units), so one scale suits every cluster and relative sizes survive.
    extent = {}
    for root, groups in clusters.items():
        ux1, uy1, ux2, uy2 = _union([g.union() for g in groups])
        extent[root] = (ux2 - ux1, uy2 - uy1)
    by_cell: dict[tuple[int, int], list[str]] = {}
    for root, (c, r, slot, _n) in sorted(cells.items(), key=lambda kv: kv[1][2]):
        by_cell.setdefault((c, r), []).append(root)
    col_need = [0.0] * n_cols
    row_need = [0.0] * n_rows
    for (c, r), members in by_cell.items():
        widths = [extent[m][0] for m in members]
        col_need[c] = max(col_need[c], sum(widths) + 0.15 * (len(widths) - 1) * max(widths))
        row_need[r] = max(row_need[r], max(extent[m][1] for m in members))
    col_x0 = [margin + inner * sum(col_need[:c]) / sum(col_need) for c in range(n_cols + 1)]
    row_y0 = [margin + inner * sum(row_need[:r]) / sum(row_need) for r in range(n_rows + 1)]

    def cell_box(root: str) -> Box:
        c, r, slot, _n = cells[root]
        members = by_cell[(c, r)]
        total = sum(extent[m][0] for m in members)
        x0, x1 = col_x0[c], col_x0[c + 1]
        left = x0 + (x1 - x0) * sum(extent[m][0] for m in members[:slot]) / total
        width = (x1 - x0) * extent[root][0] / total
        return (left, row_y0[r], left + width, row_y0[r + 1])

    fits = {}
    for root, groups in clusters.items():
        ux1, uy1, ux2, uy2 = _union([g.union() for g in groups])
        bx1, by1, bx2, by2 = cell_box(root)
        fits[root] = min(0.9 * (bx2 - bx1) / (ux2 - ux1), 0.9 * (by2 - by1) / (uy2 - uy1))
    common = min(fits.values())
    boxes: dict[str, list[Box]] = {}
    for root, groups in clusters.items():
        scale = min(fits[root], 1.15 * common)
        smallest = min(max(b[2] - b[0], b[3] - b[1]) for g in groups for b in g.boxes)
        if smallest * scale < MIN_INSTANCE_PX:  # grow small things while they still fit
            scale = min(fits[root], MIN_INSTANCE_PX / smallest)
        ux1, uy1, ux2, uy2 = _union([g.union() for g in groups])
        bx1, by1, bx2, by2 = cell_box(root)
        # Centre horizontally; stand on the cell's lower part (ground) vertically.
        ox = (bx1 + bx2) / 2 - scale * (ux1 + ux2) / 2
        free = (by2 - by1) - scale * (uy2 - uy1)
        oy = by1 + 0.6 * free - scale * uy1
        for g in groups:
            boxes[g.object_id] = [
                (ox + scale * x1, oy + scale * y1, ox + scale * x2, oy + scale * y2) for x1, y1, x2, y2 in g.boxes
            ]
    ordered = {o.id: boxes[o.id] for o in graph.objects}

    def depth(oid: str) -> int:
        d = 0
        while oid in parent and d <= len(parent):
            oid, d = parent[oid][0], d + 1
        return d

    draw_order = sorted(ordered, key=lambda oid: (depth(oid), list(ordered).index(oid)))
    return Layout(size, ordered, draw_order)
