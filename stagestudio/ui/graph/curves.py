"""Quadratic Bézier helpers for the relation arrows: points, clipping to node boxes, sub-curves."""

from __future__ import annotations

import math
from itertools import pairwise

from stagestudio.ui.graph.shapes import Box, Point

QuadCurve = tuple[Point, Point, Point]  # start, control, end


def point_at(curve: QuadCurve, t: float) -> Point:
    (x0, y0), (x1, y1), (x2, y2) = curve
    u = 1 - t
    return (u * u * x0 + 2 * u * t * x1 + t * t * x2, u * u * y0 + 2 * u * t * y1 + t * t * y2)


def sub_curve(curve: QuadCurve, a: float, b: float) -> QuadCurve:
    """The part of `curve` between parameters a and b, itself a quadratic Bézier: its control
    point is the curve's blossom at (a, b)."""
    (x0, y0), (x1, y1), (x2, y2) = curve
    wa, wm, wb = (1 - a) * (1 - b), (1 - a) * b + a * (1 - b), a * b
    control = (wa * x0 + wm * x1 + wb * x2, wa * y0 + wm * y1 + wb * y2)
    return point_at(curve, a), control, point_at(curve, b)


def bent(start: Point, end: Point, bulge: float) -> QuadCurve:
    """A curve from start to end whose middle lies `bulge` pixels to the left of the chord
    (negative: to the right); 0 is a straight line."""
    mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = math.hypot(dx, dy) or 1.0
    nx, ny = dy / length, -dx / length
    # The curve's midpoint sits halfway between the chord midpoint and the control point.
    return start, (mx + 2 * bulge * nx, my + 2 * bulge * ny), end


def samples(curve: QuadCurve, n: int = 24) -> list[Point]:
    return [point_at(curve, k / n) for k in range(n + 1)]


def _boundary(curve: QuadCurve, box: Box, lo: float, hi: float) -> float:
    """Bisect for the parameter where the curve crosses `box`'s border, inside at `lo`."""
    for _ in range(30):
        mid = (lo + hi) / 2
        if box.contains(point_at(curve, mid)):
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def clipped(curve: QuadCurve, start_box: Box, end_box: Box) -> QuadCurve:
    """The visible part of a centre-to-centre curve: from where it leaves `start_box` to where
    it enters `end_box` (boxes already grown by the gap wanted around the arrow ends)."""
    ts = [k / 64 for k in range(65)]
    a = next((t for t in ts if not start_box.contains(point_at(curve, t))), None)
    b = next((t for t in reversed(ts) if not end_box.contains(point_at(curve, t))), None)
    if a is None or b is None or a >= b:  # the boxes touch or nest: nothing sensible to clip
        return curve
    a = _boundary(curve, start_box, max(a - 1 / 64, 0.0), a)
    b = 1 - _boundary(_reversed(curve), end_box, max(1 - b - 1 / 64, 0.0), 1 - b)
    return sub_curve(curve, a, b)


def _reversed(curve: QuadCurve) -> QuadCurve:
    return curve[2], curve[1], curve[0]


def hits(curve: QuadCurve, boxes: list[Box], margin: float = 0.0) -> int:
    """How many of `boxes` the curve passes through."""
    pts = samples(curve, 40)
    return sum(1 for box in boxes if any(box.contains(p, margin) for p in pts))


def length(curve: QuadCurve) -> float:
    pts = samples(curve, 32)
    return sum(math.dist(a, b) for a, b in pairwise(pts))


def arrow_parts(curve: QuadCurve, head_length: float = 9.0, head_width: float = 7.5
                ) -> tuple[QuadCurve, list[Point]]:
    """The shaft (the curve stopped short of its end) and the arrowhead triangle at the end,
    pointing along the curve's final direction."""
    total = length(curve)
    if total <= head_length * 1.2:  # too short for a shaft: the head alone
        head_length = total * 0.8
    tip = curve[2]
    # The tangent at the end of a quadratic Bézier points from its control point to its end.
    dx, dy = tip[0] - curve[1][0], tip[1] - curve[1][1]
    norm = math.hypot(dx, dy)
    if norm == 0:
        dx, dy = tip[0] - curve[0][0], tip[1] - curve[0][1]
        norm = math.hypot(dx, dy) or 1.0
    ux, uy = dx / norm, dy / norm
    bx, by = tip[0] - ux * head_length, tip[1] - uy * head_length
    half = head_width / 2
    head = [tip, (bx - uy * half, by + ux * half), (bx + uy * half, by - ux * half)]
    shaft = sub_curve(curve, 0.0, max(0.0, 1 - head_length / total)) if total else curve
    return shaft, head
