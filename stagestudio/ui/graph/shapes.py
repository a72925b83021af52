"""The drawing as a flat list of plain shapes in CSS-pixel coordinates.

`draw.py` builds the list from a layout; `svg.py` and `raster.py` each turn it into one output
format, so the SVG and the PNG can never disagree about what is drawn where.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NamedTuple

from stagestudio.ui.graph.theme import Font

Point = tuple[float, float]


class Box(NamedTuple):
    """An axis-aligned box (x0, y0) top-left to (x1, y1) bottom-right; y grows downwards."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def center(self) -> Point:
        return ((self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2)

    def overlaps(self, other: Box, margin: float = 0.0) -> bool:
        """Whether the boxes share area once each is grown by `margin`."""
        return (self.x0 - margin < other.x1 + margin and other.x0 - margin < self.x1 + margin
                and self.y0 - margin < other.y1 + margin and other.y0 - margin < self.y1 + margin)

    def contains(self, p: Point, margin: float = 0.0) -> bool:
        return self.x0 - margin <= p[0] <= self.x1 + margin and self.y0 - margin <= p[1] <= self.y1 + margin

    def moved(self, dx: float, dy: float) -> Box:
        return Box(self.x0 + dx, self.y0 + dy, self.x1 + dx, self.y1 + dy)

    @staticmethod
    def around(center: Point, width: float, height: float) -> Box:
        return Box(center[0] - width / 2, center[1] - height / 2, center[0] + width / 2, center[1] + height / 2)

    @staticmethod
    def union(boxes: list[Box]) -> Box:
        return Box(min(b.x0 for b in boxes), min(b.y0 for b in boxes),
                   max(b.x1 for b in boxes), max(b.y1 for b in boxes))


@dataclass(frozen=True)
class Rect:
    box: Box
    fill: str
    stroke: str | None = None
    stroke_width: float = 1.0
    radius: float = 0.0


@dataclass(frozen=True)
class Circle:
    center: Point
    radius: float
    fill: str
    stroke: str | None = None


@dataclass(frozen=True)
class Text:
    """One line of text; `x` is its left edge (or centre when `centered`), `y` its baseline."""

    x: float
    y: float
    text: str
    font: Font
    fill: str
    centered: bool = False


@dataclass(frozen=True)
class Curve:
    """A quadratic Bézier start -> control -> end (a straight line when control is the midpoint),
    optionally dashed and ending in an arrowhead."""

    start: Point
    control: Point
    end: Point
    stroke: str
    width: float = 1.5
    dashed: bool = False
    arrow: bool = True


Shape = Rect | Circle | Text | Curve


def shifted(shape: Shape, dx: float, dy: float) -> Shape:
    """The same shape moved by (dx, dy)."""
    if isinstance(shape, Rect):
        return replace(shape, box=shape.box.moved(dx, dy))
    if isinstance(shape, Circle):
        return replace(shape, center=(shape.center[0] + dx, shape.center[1] + dy))
    if isinstance(shape, Text):
        return replace(shape, x=shape.x + dx, y=shape.y + dy)
    return replace(shape, start=(shape.start[0] + dx, shape.start[1] + dy),
                   control=(shape.control[0] + dx, shape.control[1] + dy),
                   end=(shape.end[0] + dx, shape.end[1] + dy))
