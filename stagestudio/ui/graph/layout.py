"""The scene graph's geometry: a box per object, a curve and a label box per relation.

`graph_layout` is pure and deterministic: the grid (grid.py) says which object sits beside,
above or in front of which; this module turns cells into pixel boxes sized from each card,
routes the arrows around other nodes, finds each label a free spot, and packs the connected
groups (and a tidy grid of unrelated objects) onto one canvas. No box overlaps another box or
a label, whatever the relations say; tests check that geometry rather than pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from stagestudio.scene.graph import Relation, SceneGraph
from stagestudio.ui.graph import theme
from stagestudio.ui.graph.card import NodeCard, node_card
from stagestudio.ui.graph.curves import (
    QuadCurve,
    bent,
    clipped,
    hits,
    point_at,
    samples,
)
from stagestudio.ui.graph.fonts import ellipsize, text_width
from stagestudio.ui.graph.grid import Cell, broken_rules, group_cells
from stagestudio.ui.graph.legend import HEIGHT as LEGEND_HEIGHT
from stagestudio.ui.graph.legend import legend_width
from stagestudio.ui.graph.shapes import Box

MARGIN = 12.0
LABEL_HEIGHT = 17.0
LABEL_PAD = 6.0
LABEL_MAX_WIDTH = 150.0
LABEL_CLEARANCE = 3.0  # between a label and a node or another label
ARROW_GAP = 3.0  # between an arrow's ends and the node borders
ARROW_SHOWN = 16.0  # visible shaft on each side of a label sitting on its arrow
MIN_GAP_Y = LABEL_HEIGHT + 2 * ARROW_SHOWN  # between rows a relation crosses
LOOSE_GAP = 22.0  # between cells no relation crosses, and in the grid of unrelated objects
GROUP_GAP = 36.0  # between packed groups
ROW_WIDTH = 760.0  # groups wrap onto a new shelf past this width (unless one group is wider)
PARALLEL_BULGE = 26.0  # how far apart two relations between the same pair curve


@dataclass(frozen=True)
class EdgeLayout:
    """One relation's arrow (subject -> object) and its label's box."""

    subject: str
    predicate: str
    object: str
    is_action: bool
    curve: QuadCurve
    label: Box
    label_text: str


@dataclass(frozen=True)
class GraphLayout:
    """Boxes in drawing coordinates (CSS pixels, origin top-left, y downwards)."""

    width: float
    height: float
    boxes: dict[str, Box] = field(default_factory=dict)
    edges: list[EdgeLayout] = field(default_factory=list)
    cards: dict[str, NodeCard] = field(default_factory=dict)
    legend: Box | None = None
    # Relations the picture could not honour because they contradict others (a left-of cycle).
    contradicted: list[Relation] = field(default_factory=list)

    @property
    def label_boxes(self) -> list[Box]:
        return [e.label for e in self.edges]


def _label_text(relation: Relation) -> str:
    return ellipsize(relation.predicate, _label_font(relation), LABEL_MAX_WIDTH - 2 * LABEL_PAD)


def _label_font(relation: Relation) -> theme.Font:
    return theme.ACTION_LABEL_FONT if relation.is_action else theme.LABEL_FONT


def _label_width(relation: Relation) -> float:
    return text_width(_label_text(relation), _label_font(relation)) + 2 * LABEL_PAD


def _cell_boxes(cells: dict[str, Cell], cards: dict[str, NodeCard], gaps_x: list[float], gaps_y: list[float]
                ) -> dict[str, Box]:
    """Pixel boxes for grid cells: each column as wide as its widest card, each row as tall as
    its tallest, `gaps_x[c]` between columns c and c + 1 (likewise rows); cards centred in
    their cells."""
    n_cols = max(c[0] for c in cells.values()) + 1
    n_rows = max(c[1] for c in cells.values()) + 1
    col_w = [0.0] * n_cols
    row_h = [0.0] * n_rows
    for node, (col, row) in cells.items():
        col_w[col] = max(col_w[col], cards[node].width)
        row_h[row] = max(row_h[row], cards[node].height)
    xs = [sum(col_w[:c]) + sum(gaps_x[:c]) for c in range(n_cols)]
    ys = [sum(row_h[:r]) + sum(gaps_y[:r]) for r in range(n_rows)]
    boxes = {}
    for node, (col, row) in cells.items():
        card = cards[node]
        x0 = xs[col] + (col_w[col] - card.width) / 2
        y0 = ys[row] + (row_h[row] - card.height) / 2
        boxes[node] = Box(round(x0, 2), round(y0, 2), round(x0 + card.width, 2), round(y0 + card.height, 2))
    return boxes


def _gaps(spans: list[tuple[int, int, float]], n: int) -> list[float]:
    """Gaps between n columns (or rows): LOOSE_GAP where no relation crosses, at least the
    minimum where one does, and room for its label at the boundary midway along its span
    (spans are (from, to, room needed))."""
    gaps = [LOOSE_GAP] * max(n - 1, 0)
    for a, b, room in spans:
        lo, hi = min(a, b), max(a, b)
        for k in range(lo, hi):
            gaps[k] = max(gaps[k], room if k == (lo + hi - 1) // 2 else 2 * ARROW_SHOWN)
    return gaps


def _route(subject: Box, obj: Box, others: list[Box], pair_index: int) -> QuadCurve:
    """A centre-to-centre curve clipped to the two borders: straight when nothing is in the
    way, otherwise bent to the first side and depth that clears the other nodes. The k-th
    relation between the same two objects bends by k steps, alternating sides."""
    start, end = subject.center, obj.center
    if pair_index:
        step = (pair_index + 1) // 2 * (1 if pair_index % 2 else -1)
        candidates = [bent(start, end, step * PARALLEL_BULGE)]
    else:
        length = math.hypot(end[0] - start[0], end[1] - start[1])
        candidates = [bent(start, end, 0.0)]
        for depth in (0.2, 0.35, 0.55, 0.8):
            candidates += [bent(start, end, depth * length), bent(start, end, -depth * length)]
    grown = [Box(b.x0 - 4, b.y0 - 4, b.x1 + 4, b.y1 + 4) for b in others]
    best = min(candidates, key=lambda c: hits(c, grown))  # first of the fewest: straight wins ties
    pad = ARROW_GAP
    curve = clipped(best, Box(subject.x0 - pad, subject.y0 - pad, subject.x1 + pad, subject.y1 + pad),
                    Box(obj.x0 - pad, obj.y0 - pad, obj.x1 + pad, obj.y1 + pad))
    return tuple((round(x, 2), round(y, 2)) for x, y in curve)  # type: ignore[return-value]


def _free(box: Box, obstacles: list[Box]) -> bool:
    return not any(box.overlaps(o, LABEL_CLEARANCE / 2) for o in obstacles)


def _place_label(curve: QuadCurve, width: float, obstacles: list[Box]) -> Box:
    """On the curve near its middle if there is room, otherwise the nearest free spot around the
    middle (a spiral search: it always ends, far enough out everything is free)."""
    for t in (0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74):
        box = Box.around(point_at(curve, t), width, LABEL_HEIGHT)
        if _free(box, obstacles):
            return box
    cx, cy = point_at(curve, 0.5)
    radius = 6.0
    while True:
        steps = max(8, int(2 * math.pi * radius / 8))
        for k in range(steps):
            angle = 2 * math.pi * k / steps
            box = Box.around((cx + radius * math.cos(angle), cy + radius * math.sin(angle)), width, LABEL_HEIGHT)
            if _free(box, obstacles):
                return box
        radius += 6.0


def _curve_bounds(curve: QuadCurve) -> Box:
    points = samples(curve, 16)
    return Box(min(p[0] for p in points), min(p[1] for p in points),
               max(p[0] for p in points), max(p[1] for p in points))


@dataclass(frozen=True)
class _Group:
    boxes: dict[str, Box]
    edges: list[EdgeLayout]

    @property
    def bounds(self) -> Box:
        """Nodes, labels and arrows (a bent arrow can bulge past both)."""
        arrows = [_curve_bounds(e.curve) for e in self.edges]
        return Box.union(list(self.boxes.values()) + [e.label for e in self.edges] + arrows)

    def moved(self, dx: float, dy: float) -> _Group:
        return _Group(
            {n: b.moved(dx, dy) for n, b in self.boxes.items()},
            [EdgeLayout(e.subject, e.predicate, e.object, e.is_action,
                        tuple((p[0] + dx, p[1] + dy) for p in e.curve),  # type: ignore[arg-type]
                        e.label.moved(dx, dy), e.label_text) for e in self.edges],
        )


def _related_group(cells: dict[str, Cell], relations: list[Relation], cards: dict[str, NodeCard]) -> _Group:
    # A relation crossing columns gets room for its label on its arrow between the two cards
    # (midway along its span); one crossing rows, room for a label's height.
    spans_x = [(cells[r.subject][0], cells[r.object][0], _label_width(r) + 2 * ARROW_SHOWN) for r in relations]
    spans_y = [(cells[r.subject][1], cells[r.object][1], MIN_GAP_Y) for r in relations]
    n_cols = max(c[0] for c in cells.values()) + 1
    n_rows = max(c[1] for c in cells.values()) + 1
    boxes = _cell_boxes(cells, cards, _gaps(spans_x, n_cols), _gaps(spans_y, n_rows))
    node_boxes = list(boxes.values())
    edges: list[EdgeLayout] = []
    pairs: dict[frozenset[str], int] = {}
    for r in relations:
        pair = frozenset((r.subject, r.object))
        k = pairs.get(pair, 0)
        pairs[pair] = k + 1
        others = [b for n, b in boxes.items() if n not in pair]
        curve = _route(boxes[r.subject], boxes[r.object], others, k)
        label = _place_label(curve, _label_width(r), node_boxes + [e.label for e in edges])
        edges.append(EdgeLayout(r.subject, r.predicate, r.object, r.is_action, curve, label, _label_text(r)))
    return _Group(boxes, edges)


def _loose_grid(nodes: list[str], cards: dict[str, NodeCard], row_width: float) -> _Group:
    """Unrelated objects in mention order, row by row, as many columns as fit `row_width`."""
    cell_w = max(cards[n].width for n in nodes)
    n_cols = max(1, min(len(nodes), int((row_width + LOOSE_GAP) // (cell_w + LOOSE_GAP))))
    cells = {n: (k % n_cols, k // n_cols) for k, n in enumerate(nodes)}
    n_rows = (len(nodes) + n_cols - 1) // n_cols
    return _Group(_cell_boxes(cells, cards, [LOOSE_GAP] * (n_cols - 1), [LOOSE_GAP] * (n_rows - 1)), [])


def _pack(groups: list[_Group], row_width: float) -> list[_Group]:
    """Shelf packing: groups left to right, a new shelf when the next would pass `row_width`."""
    placed = []
    x = y = shelf_h = 0.0
    for group in groups:
        b = group.bounds
        if x > 0 and x + b.width > row_width:
            x, y, shelf_h = 0.0, y + shelf_h + GROUP_GAP, 0.0
        placed.append(group.moved(x - b.x0, y - b.y0))
        x += b.width + GROUP_GAP
        shelf_h = max(shelf_h, b.height)
    return placed


def graph_layout(graph: SceneGraph | None) -> GraphLayout:
    """Boxes for every object and a curve and label box for every relation of `graph`."""
    if graph is None or not graph.objects:
        return GraphLayout(width=0.0, height=0.0)
    cards = {o.id: node_card(o) for o in graph.objects}
    known = set(cards)
    relations = [r for r in graph.relations if r.subject in known and r.object in known and r.subject != r.object]
    related: list[_Group] = []
    loose: list[str] = []
    contradicted: list[Relation] = []
    sub = SceneGraph(objects=graph.objects, relations=relations)
    for cells in group_cells(sub):
        if len(cells) == 1:
            loose.extend(cells)
            continue
        members = [r for r in relations if r.subject in cells]
        contradicted += broken_rules(members, cells)
        related.append(_related_group(cells, members, cards))
    row_width = max([ROW_WIDTH] + [g.bounds.width for g in related])
    groups = related + ([_loose_grid(loose, cards, row_width)] if loose else [])
    packed = _pack(groups, row_width)

    boxes = {n: b for g in packed for n, b in g.boxes.items()}
    edges = [e for g in packed for e in g.edges]
    content = Box.union([g.bounds for g in packed])
    legend = None
    if any(e.is_action for e in edges) and any(not e.is_action for e in edges):
        top = content.y1 + 14
        legend = Box(content.x0, top, content.x0 + legend_width(), top + LEGEND_HEIGHT)
        content = Box.union([content, legend])
    # Shift everything so the content starts at the margin.
    dx, dy = MARGIN - content.x0, MARGIN - content.y0
    final = _Group(boxes, edges).moved(dx, dy)
    return GraphLayout(
        width=round(content.width + 2 * MARGIN, 2),
        height=round(content.height + 2 * MARGIN, 2),
        boxes={o.id: final.boxes[o.id] for o in graph.objects},
        edges=final.edges,
        cards=cards,
        legend=legend.moved(dx, dy) if legend else None,
        contradicted=contradicted,
    )
