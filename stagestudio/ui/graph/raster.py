"""Shapes -> a PIL image. Drawn at twice the wanted resolution and halved, because PIL draws
lines and shapes without anti-aliasing."""

from __future__ import annotations

import math
from itertools import pairwise

from PIL import Image, ImageDraw

from stagestudio.ui.graph import theme
from stagestudio.ui.graph.curves import arrow_parts, samples
from stagestudio.ui.graph.fonts import truetype
from stagestudio.ui.graph.shapes import Circle, Curve, Point, Rect, Shape, Text

SUPERSAMPLE = 2
DASH_ON, DASH_OFF = 5.0, 4.0


def _dashes(points: list[Point]) -> list[list[Point]]:
    """Split a polyline into dash segments of DASH_ON length separated by DASH_OFF gaps."""
    out: list[list[Point]] = []
    current: list[Point] = [points[0]]
    on, left = True, DASH_ON
    for a, b in pairwise(points):
        seg = math.dist(a, b)
        pos = 0.0
        while seg - pos > left:
            pos += left
            t = pos / seg
            p = (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)
            if on:
                out.append(current + [p])
            current = [p]
            on = not on
            left = DASH_ON if on else DASH_OFF
        left -= seg - pos
        if on:
            current.append(b)
        else:
            current = [b]
    if on and len(current) > 1:
        out.append(current)
    return out


def _draw_curve(draw: ImageDraw.ImageDraw, curve: Curve, s: float) -> None:
    shaft, head = arrow_parts((curve.start, curve.control, curve.end)) if curve.arrow else \
        ((curve.start, curve.control, curve.end), [])
    points = [(x * s, y * s) for x, y in samples(shaft, 32)]
    width = max(1, round(curve.width * s))
    for part in _dashes([(x / s, y / s) for x, y in points]) if curve.dashed else [points]:
        line = [(x * s, y * s) for x, y in part] if curve.dashed else part
        draw.line(line, fill=curve.stroke, width=width, joint="curve")
    if head:
        draw.polygon([(x * s, y * s) for x, y in head], fill=curve.stroke)


def _draw(draw: ImageDraw.ImageDraw, shape: Shape, s: float) -> None:
    if isinstance(shape, Rect):
        b = shape.box
        draw.rounded_rectangle((b.x0 * s, b.y0 * s, b.x1 * s, b.y1 * s), radius=shape.radius * s, fill=shape.fill,
                               outline=shape.stroke, width=max(1, round(shape.stroke_width * s)) if shape.stroke else 0)
    elif isinstance(shape, Circle):
        (x, y), r = shape.center, shape.radius
        draw.ellipse(((x - r) * s, (y - r) * s, (x + r) * s, (y + r) * s), fill=shape.fill,
                     outline=shape.stroke, width=max(1, round(0.8 * s)) if shape.stroke else 0)
    elif isinstance(shape, Text):
        draw.text((shape.x * s, shape.y * s), shape.text, font=truetype(shape.font, s), fill=shape.fill,
                  anchor="ms" if shape.centered else "ls")
    else:
        _draw_curve(draw, shape, s)


def rasterize(shapes: list[Shape], width: float, height: float, scale: float) -> Image.Image:
    s = scale * SUPERSAMPLE
    image = Image.new("RGB", (max(1, math.ceil(width * s)), max(1, math.ceil(height * s))), theme.BACKGROUND)
    draw = ImageDraw.Draw(image)
    for shape in shapes:
        _draw(draw, shape, s)
    return image.reduce(SUPERSAMPLE)
