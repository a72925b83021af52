"""Simulated mistakes: the kinds of error a real generator makes, injected at a seeded rate.

A mistake only ever touches objects the current step adds, and is realised by changing
what gets drawn (boxes, colours), never by labelling anything: the inspector has to find
it in the pixels. Kinds:
* relation - a relation is made to fail clearly: its two ends swap places when both are
             new, else the new end moves (shrunk if needed) into free space on the wrong side;
* missing  - one instance is left out (the object vanishes when it has one);
* extra    - one more instance is drawn in free space beside the group;
* color    - a coloured object is drawn in a different one of the ten colours.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Literal

from stagestudio.backends.sketchbook.colors import COLOR_NAMES, canonical_color
from stagestudio.inspector.checker import GENEVAL_PREDICATES, relation_holds, union_box
from stagestudio.scene.graph import INVERSE_PREDICATE, SceneGraph

Box = tuple[float, float, float, float]
MistakeKind = Literal["relation", "missing", "extra", "color"]
KINDS: tuple[MistakeKind, ...] = ("relation", "missing", "extra", "color")
CLEARANCE = 8.0  # px kept free between a moved/added sticker and everything else


@dataclass(frozen=True)
class Mistake:
    kind: MistakeKind
    object_id: str
    # Objects whose facts the mistake breaks (both ends for a relation mistake).
    object_ids: tuple[str, ...]
    boxes: tuple[Box, ...] | None = None  # replacement boxes for object_id
    color: str | None = None  # replacement colour for object_id
    # Replacement boxes for a second object (a swap moves both ends of a relation).
    partner_id: str | None = None
    partner_boxes: tuple[Box, ...] | None = None


@dataclass
class Drawing:
    """What a step paints: boxes and colour per object id."""

    boxes: dict[str, list[Box]]
    colors: dict[str, str | None]
    mistakes: list[Mistake] = field(default_factory=list)

    def apply(self, mistake: Mistake) -> None:
        if mistake.boxes is not None:
            self.boxes[mistake.object_id] = list(mistake.boxes)
        if mistake.partner_id is not None and mistake.partner_boxes is not None:
            self.boxes[mistake.partner_id] = list(mistake.partner_boxes)
        if mistake.color is not None:
            self.colors[mistake.object_id] = mistake.color
        self.mistakes.append(mistake)


def _expand(b: Box, m: float) -> Box:
    return (b[0] - m, b[1] - m, b[2] + m, b[3] + m)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _free(boxes: list[Box], others: list[Box], size: int) -> bool:
    for b in boxes:
        if b[0] < 2 or b[1] < 2 or b[2] > size - 2 or b[3] > size - 2:
            return False
        grown = _expand(b, CLEARANCE)
        if any(_overlaps(grown, o) for o in others):
            return False
    return True


def _shift(boxes: list[Box], dx: float, dy: float) -> list[Box]:
    return [(x1 + dx, y1 + dy, x2 + dx, y2 + dy) for x1, y1, x2, y2 in boxes]


def _clearly_fails(predicate: str, s: Box, o: Box, strict: bool = True) -> bool:
    """The relation fails, and keeps failing if detected boxes wobble by a few pixels;
    `strict` asks for the opposite side outright for the GenEval four."""
    if strict and predicate in GENEVAL_PREDICATES:
        return relation_holds(INVERSE_PREDICATE[predicate], s, o)
    for dx, dy in ((0, 0), (6, 0), (-6, 0), (0, 6), (0, -6)):
        if relation_holds(predicate, (s[0] + dx, s[1] + dy, s[2] + dx, s[3] + dy), o):
            return False
    return True


def _grid_offsets(size: int, union: Box, rng: random.Random) -> list[tuple[float, float]]:
    ucx, ucy = (union[0] + union[2]) / 2, (union[1] + union[3]) / 2
    step = size / 8
    spots = [(step * (i + 0.5), step * (j + 0.5)) for i in range(8) for j in range(8)]
    rng.shuffle(spots)
    return [(x - ucx, y - ucy) for x, y in spots]


def _scaled_about_centre(boxes: list[Box], scale: float) -> list[Box]:
    ux1, uy1, ux2, uy2 = union_box(boxes)
    cx, cy = (ux1 + ux2) / 2, (uy1 + uy2) / 2
    return [(cx + (x1 - cx) * scale, cy + (y1 - cy) * scale, cx + (x2 - cx) * scale, cy + (y2 - cy) * scale)
            for x1, y1, x2, y2 in boxes]


def _mirror(boxes: list[Box], frame: Box, axis: str) -> list[Box]:
    """Boxes reflected inside `frame` across its vertical (axis "x") or horizontal midline."""
    if axis == "x":
        m = frame[0] + frame[2]
        return [(m - x2, y1, m - x1, y2) for x1, y1, x2, y2 in boxes]
    m = frame[1] + frame[3]
    return [(x1, m - y2, x2, m - y1) for x1, y1, x2, y2 in boxes]


def _centre(b: Box) -> tuple[float, float]:
    return (b[0] + b[2]) / 2, (b[1] + b[3]) / 2


def _relation_mistake(
    rng: random.Random, target: SceneGraph, drawing: Drawing, new_ids: set[str], size: int
) -> Mistake | None:
    candidates = [
        r for r in target.spatial_relations
        if (r.subject in new_ids or r.object in new_ids) and drawing.boxes.get(r.subject) and drawing.boxes.get(r.object)
    ]
    rng.shuffle(candidates)
    for rel in candidates:
        subject_boxes, object_boxes = drawing.boxes[rel.subject], drawing.boxes[rel.object]
        # 1. Both ends are new: mirror the pair inside its own bounding box, which swaps
        #    their sides (the classic left/right, above/below mix-up) and keeps both in frame.
        if rel.subject in new_ids and rel.object in new_ids:
            pair = union_box([*subject_boxes, *object_boxes])
            others = [b for oid, bs in drawing.boxes.items() if oid not in (rel.subject, rel.object) for b in bs]
            axes = ("x", "y") if rel.predicate in ("left of", "right of") else ("y", "x")
            for axis in axes:
                moved_s = _mirror(subject_boxes, pair, axis)
                moved_o = _mirror(object_boxes, pair, axis)
                if (
                    _free(moved_s, others, size) and _free(moved_o, others, size)
                    and _clearly_fails(rel.predicate, union_box(moved_s), union_box(moved_o))
                ):
                    return Mistake("relation", rel.subject, (rel.subject, rel.object), boxes=tuple(moved_s),
                                   partner_id=rel.object, partner_boxes=tuple(moved_o))
        # 2. Move the new end (shrinking it if the free space is small) to the opposite
        #    side, or failing that anywhere free where the relation clearly fails.
        mover = rel.subject if rel.subject in new_ids else rel.object
        other = rel.object if mover == rel.subject else rel.subject
        anchor = union_box(drawing.boxes[other])
        others = [b for oid, bs in drawing.boxes.items() if oid != mover for b in bs]
        for strict in (True, False):
            for scale in (1.0, 0.75, 0.55, 0.4):
                group = _scaled_about_centre(drawing.boxes[mover], scale)
                if min(max(b[2] - b[0], b[3] - b[1]) for b in group) < MIN_EXTRA_PX:
                    break
                union = union_box(group)
                (ucx, ucy), (acx, acy) = _centre(union), _centre(anchor)
                mirrors = [(2 * (acx - ucx), 0.0), (0.0, 2 * (acy - ucy)), (2 * (acx - ucx), 2 * (acy - ucy))]
                for dx, dy in mirrors + _grid_offsets(size, union, random.Random(rng.random())):
                    moved = _shift(group, dx, dy)
                    if not _free(moved, others, size):
                        continue
                    mu = union_box(moved)
                    s, o = (mu, anchor) if mover == rel.subject else (anchor, mu)
                    if _clearly_fails(rel.predicate, s, o, strict):
                        return Mistake("relation", mover, (rel.subject, rel.object), boxes=tuple(moved))
    return None


MIN_EXTRA_PX = 36


def _regroup(group: list[Box], n: int) -> list[Box] | None:
    """`n` instances re-arranged inside the group's own union box (same bottom centre), so the
    extra one disturbs no neighbour and no relation; None if they would get too small."""
    x1, y1, x2, y2 = group[0]
    w, h = x2 - x1, y2 - y1
    union = union_box(group)
    cols = n if n <= 3 else math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    gap = 0.22 * max(w, h)
    need_w, need_h = cols * w + (cols - 1) * gap, rows * h + (rows - 1) * gap
    # Allow the group to grow a little (10%) before shrinking the stickers.
    scale = min(1.0, 1.1 * (union[2] - union[0]) / need_w, 1.1 * (union[3] - union[1]) / need_h)
    if max(w, h) * scale < MIN_EXTRA_PX or gap * scale < CLEARANCE:
        return None
    w, h, gap = w * scale, h * scale, gap * scale
    # Same centre line and same bottom edge: what stood on something still stands on it.
    cx = (union[0] + union[2]) / 2
    total_h = rows * h + (rows - 1) * gap
    cy = union[3] - total_h / 2
    boxes = []
    for i in range(n):
        r, c = divmod(i, cols)
        in_row = min(cols, n - r * cols)
        bx = cx - (in_row * w + (in_row - 1) * gap) / 2 + c * (w + gap)
        by = cy - total_h / 2 + r * (h + gap)
        boxes.append((bx, by, bx + w, by + h))
    return boxes


def _extra_mistake(
    rng: random.Random, target: SceneGraph, drawing: Drawing, new_ids: set[str], size: int
) -> Mistake | None:
    ids = [i for i in sorted(new_ids) if drawing.boxes.get(i)]
    rng.shuffle(ids)
    for oid in ids:
        group = drawing.boxes[oid]
        regrouped = _regroup(group, len(group) + 1)
        if regrouped is not None:
            return Mistake("extra", oid, (oid,), boxes=tuple(regrouped))
        x1, y1, x2, y2 = group[0]
        w, h = x2 - x1, y2 - y1
        union = union_box(group)
        gap = max(0.22 * max(w, h), CLEARANCE + 2)
        beside = [
            (union[2] + gap, union[3] - h), (union[0] - gap - w, union[3] - h),
            (union[0], union[3] + gap), (union[0], union[1] - gap - h),
        ]
        spots = beside + [(union[0] + dx, union[1] + dy) for dx, dy in _grid_offsets(size, union, rng)]
        others = [b for bs in drawing.boxes.values() for b in bs]
        relations = [r for r in target.relations_of(oid) if r.is_spatial]
        fallback = None
        for sx, sy in spots:
            box = (sx, sy, sx + w, sy + h)
            if not _free([box], others, size):
                continue
            new_group = [*group, box]
            # Prefer a spot that keeps the group's relations true: one mistake at a time.
            trial = dict(drawing.boxes)
            trial[oid] = new_group
            if all(
                relation_holds(r.predicate, union_box(trial[r.subject]), union_box(trial[r.object]))
                for r in relations if trial.get(r.subject) and trial.get(r.object)
            ):
                return Mistake("extra", oid, (oid,), boxes=tuple(new_group))
            fallback = fallback or Mistake("extra", oid, (oid,), boxes=tuple(new_group))
        if fallback:
            return fallback
    return None


def _missing_mistake(rng: random.Random, drawing: Drawing, new_ids: set[str]) -> Mistake | None:
    ids = [i for i in sorted(new_ids) if drawing.boxes.get(i)]
    if not ids:
        return None
    oid = rng.choice(ids)
    group = list(drawing.boxes[oid])
    del group[rng.randrange(len(group))]
    return Mistake("missing", oid, (oid,), boxes=tuple(group))


def _color_mistake(rng: random.Random, target: SceneGraph, drawing: Drawing, new_ids: set[str]) -> Mistake | None:
    ids = [o.id for o in target.objects if o.id in new_ids and canonical_color(o.attributes.color)]
    if not ids:
        return None
    oid = rng.choice(ids)
    asked = canonical_color(target.object(oid).attributes.color)
    return Mistake("color", oid, (oid,), color=rng.choice([c for c in COLOR_NAMES if c != asked]))


def choose_mistakes(
    rng: random.Random, target: SceneGraph, drawing: Drawing, new_ids: set[str], error_rate: float, size: int
) -> list[Mistake]:
    """With probability `error_rate`, one mistake of a kind that applies to the new objects."""
    if not new_ids or rng.random() >= error_rate:
        return []
    kinds = list(KINDS)
    rng.shuffle(kinds)
    for kind in kinds:
        if kind == "relation":
            m = _relation_mistake(rng, target, drawing, new_ids, size)
        elif kind == "extra":
            m = _extra_mistake(rng, target, drawing, new_ids, size)
        elif kind == "missing":
            m = _missing_mistake(rng, drawing, new_ids)
        else:
            m = _color_mistake(rng, target, drawing, new_ids)
        if m is not None:
            return [m]
    return []
