"""Where each object sits on an integer grid, read from the relations themselves.

Each relation says where its subject should sit relative to its object (a preferred cell
offset) and, for the directional predicates, on which side it must sit (a sign the placement
must keep). Objects are placed one at a time, breadth first from the first-mentioned object of
each connected group, on the free cell that breaks the fewest side rules and then lies closest
to the preferred cells. When no free cell keeps every rule (between two neighbours, say), a new
column or row is opened first: shifting a half-plane keeps every earlier rule's sign. A
contradictory set (a cycle of "left of") still gets one object per cell, breaking as few rules
as it can. Everything iterates in a fixed order, so the grid is deterministic.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from stagestudio.scene.graph import Relation, SceneGraph

Cell = tuple[int, int]  # (column, row); rows grow downwards like the picture
# Less than a step off the preferred cell: a straight arrow is worth a slightly worse spot.
BLOCKED_COST = 0.6


@dataclass(frozen=True)
class Preference:
    """Where a subject goes relative to its object: preferred offsets (any one will do), the
    sign its column/row offset must have (None: free), and how much a cell off target costs."""

    offsets: tuple[Cell, ...]
    sign_x: int | None = None
    sign_y: int | None = None
    weight: float = 1.0


_BESIDE = Preference(offsets=((-1, 0), (1, 0)), weight=1.5)
PREFERENCES: dict[str, Preference] = {
    "left of": Preference(((-1, 0),), sign_x=-1),
    "right of": Preference(((1, 0),), sign_x=1),
    "above": Preference(((0, -1),), sign_y=-1),
    "below": Preference(((0, 1),), sign_y=1),
    # Contact: directly above / below and held there harder than a loose "above".
    "on": Preference(((0, -1),), sign_y=-1, weight=2.0),
    "under": Preference(((0, 1),), sign_y=1, weight=2.0),
    # Depth as an oblique axis: what is behind sits higher and a step aside, so it never reads
    # as plain "above" (and the arrow between the two has room for its label).
    "behind": Preference(((1, -1),), sign_y=-1),
    "in front of": Preference(((-1, 1),), sign_y=1),
    "next to": _BESIDE,
    "near": _BESIDE,
    "inside": _BESIDE,
}
# Actions ("riding", "holding") keep their two objects side by side for the labelled arrow.
ACTION_PREFERENCE = _BESIDE


def preference(predicate: str) -> Preference:
    return PREFERENCES.get(predicate, ACTION_PREFERENCE)


@dataclass(frozen=True)
class _Rule:
    """One relation seen from the object being placed: where it wants to be relative to the
    already placed partner."""

    partner: str
    offsets: tuple[Cell, ...]
    sign_x: int | None
    sign_y: int | None
    weight: float


def _rule_for(relation: Relation, node: str) -> _Rule:
    pref = preference(relation.predicate)
    if relation.subject == node:
        return _Rule(relation.object, pref.offsets, pref.sign_x, pref.sign_y, pref.weight)
    # The node is the relation's object: mirror the subject's offsets and signs.
    flip = tuple((-dx, -dy) for dx, dy in pref.offsets)
    return _Rule(relation.subject, flip,
                 None if pref.sign_x is None else -pref.sign_x,
                 None if pref.sign_y is None else -pref.sign_y, pref.weight)


def _sign(v: int) -> int:
    return (v > 0) - (v < 0)


def _blocked(a: Cell, b: Cell, taken: set[Cell]) -> int:
    """How many occupied cells lie exactly on the straight line from a to b (an arrow there
    would have to bend around them)."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    steps = math.gcd(dx, dy)
    return sum((a[0] + dx // steps * k, a[1] + dy // steps * k) in taken for k in range(1, steps))


def _score(cell: Cell, rules: list[_Rule], cells: dict[str, Cell]) -> tuple[int, float]:
    """(side rules broken, weighted distance from the preferred cells, plus a little for each
    object in the way of a straight arrow) for `cell`."""
    broken = 0
    distance = 0.0
    taken = set(cells.values())
    for rule in rules:
        px, py = cells[rule.partner]
        dx, dy = cell[0] - px, cell[1] - py
        distance += BLOCKED_COST * _blocked((px, py), cell, taken)
        if rule.sign_x is not None and _sign(dx) != rule.sign_x:
            broken += 1
        if rule.sign_y is not None and _sign(dy) != rule.sign_y:
            broken += 1
        # The first offset is the preferred one ("a cat next to a dog" reads left to right).
        distance += rule.weight * min(abs(dx - ox) + abs(dy - oy) + 0.01 * k
                                      for k, (ox, oy) in enumerate(rule.offsets))
    return broken, distance


def _best_cell(rules: list[_Rule], cells: dict[str, Cell], only: tuple[int, int] | None = None
               ) -> tuple[tuple[int, float], Cell]:
    """The best free cell near the placed ones, with its (rules broken, distance) score;
    `only=(axis, k)` restricts the search to column (axis 0) or row (axis 1) k."""
    taken = set(cells.values())
    xs = [c[0] for c in cells.values()]
    ys = [c[1] for c in cells.values()]
    best: tuple[tuple[int, float, int, int], Cell] | None = None
    for y in range(min(ys) - 2, max(ys) + 3):
        for x in range(min(xs) - 2, max(xs) + 3):
            if (x, y) in taken or (only is not None and (x, y)[only[0]] != only[1]):
                continue
            key = (*_score((x, y), rules, cells), y, x)  # ties: top row first, then left
            if best is None or key < best[0]:
                best = (key, (x, y))
    assert best is not None  # the window reaches two cells past the placed ones, so some are free
    return best[0][:2], best[1]


def _opened(cells: dict[str, Cell], axis: int, k: int) -> dict[str, Cell]:
    """`cells` with a new empty column (axis 0) or row (axis 1) at index k."""
    out = {}
    for node, cell in cells.items():
        moved = list(cell)
        if moved[axis] >= k:
            moved[axis] += 1
        out[node] = (moved[0], moved[1])
    return out


def _place(node: str, rules: list[_Rule], cells: dict[str, Cell]) -> dict[str, Cell]:
    """`cells` plus `node` on its best cell, after opening a column or row when that lets it
    keep more side rules (earlier objects may shift, keeping their own rules)."""
    if not cells:
        return {node: (0, 0)}
    key, cell = _best_cell(rules, cells)
    best = (key, cells, cell)
    if key[0] > 0:
        for axis in (0, 1):
            coords = [c[axis] for c in cells.values()]
            for k in range(min(coords), max(coords) + 2):
                opened = _opened(cells, axis, k)
                k_key, k_cell = _best_cell(rules, opened, only=(axis, k))
                if k_key < best[0]:
                    best = (k_key, opened, k_cell)
    _, chosen_cells, chosen = best
    return {**chosen_cells, node: chosen}


def _groups(graph: SceneGraph) -> list[list[str]]:
    """Connected groups of related objects, each in breadth-first order from its first-mentioned
    member (neighbours in relation order); groups in mention order."""
    neighbours: dict[str, list[str]] = {o.id: [] for o in graph.objects}
    for r in graph.relations:
        if r.subject in neighbours and r.object in neighbours and r.subject != r.object:
            neighbours[r.subject].append(r.object)
            neighbours[r.object].append(r.subject)
    seen: set[str] = set()
    groups = []
    for o in graph.objects:
        if o.id in seen:
            continue
        order, queue = [], deque([o.id])
        seen.add(o.id)
        while queue:
            node = queue.popleft()
            order.append(node)
            for other in neighbours[node]:
                if other not in seen:
                    seen.add(other)
                    queue.append(other)
        groups.append(order)
    return groups


def group_cells(graph: SceneGraph) -> list[dict[str, Cell]]:
    """One grid per connected group of objects (a lone object is a group of one), each with its
    top-left cell at (0, 0); groups in mention order."""
    usable = [r for r in graph.relations
              if r.subject != r.object and {r.subject, r.object} <= {o.id for o in graph.objects}]
    out = []
    for members in _groups(graph):
        cells: dict[str, Cell] = {}
        for node in members:
            rules = [_rule_for(r, node) for r in usable
                     if node in (r.subject, r.object) and (r.object if r.subject == node else r.subject) in cells]
            cells = _place(node, rules, cells)
        x0 = min(c[0] for c in cells.values())
        y0 = min(c[1] for c in cells.values())
        out.append({n: (c[0] - x0, c[1] - y0) for n, c in cells.items()})
    return out


def broken_rules(relations: list[Relation], cells: dict[str, Cell]) -> list[Relation]:
    """The relations whose side rule the cells break (a contradictory graph has some)."""
    out = []
    for r in relations:
        known = r.subject in cells and r.object in cells and r.subject != r.object
        if known and _score(cells[r.subject], [_rule_for(r, r.subject)], cells)[0]:
            out.append(r)
    return out
