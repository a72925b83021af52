"""Shapes -> one self-contained SVG element. All text goes through html.escape: names and
predicates come from prompts, so `<script>` must arrive as text, never as markup."""

from __future__ import annotations

from html import escape

from stagestudio.ui.graph import theme
from stagestudio.ui.graph.curves import arrow_parts
from stagestudio.ui.graph.shapes import Circle, Curve, Rect, Shape, Text

# The layout measured DejaVu Sans; without it, common sans-serif faces (Arial, Helvetica, Roboto)
# run narrower, so text still fits its boxes.
FONT_FAMILY = "'DejaVu Sans', 'Bitstream Vera Sans', sans-serif"
# A narrow screen shrinks the picture at most this far (text stays legible); past it, the
# container scrolls sideways.
MIN_SHRINK = 0.6
DASH = "5 4"


def _n(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _attr(value: str) -> str:
    return escape(value, quote=True)


def _element(shape: Shape) -> str:
    if isinstance(shape, Rect):
        b = shape.box
        stroke = f' stroke="{_attr(shape.stroke)}" stroke-width="{_n(shape.stroke_width)}"' if shape.stroke else ""
        return (f'<rect x="{_n(b.x0)}" y="{_n(b.y0)}" width="{_n(b.width)}" height="{_n(b.height)}" '
                f'rx="{_n(shape.radius)}" fill="{_attr(shape.fill)}"{stroke}/>')
    if isinstance(shape, Circle):
        stroke = f' stroke="{_attr(shape.stroke)}" stroke-width="0.8"' if shape.stroke else ""
        return (f'<circle cx="{_n(shape.center[0])}" cy="{_n(shape.center[1])}" r="{_n(shape.radius)}" '
                f'fill="{_attr(shape.fill)}"{stroke}/>')
    if isinstance(shape, Text):
        f = shape.font
        style = (' font-weight="bold"' if f.bold else "") + (' font-style="italic"' if f.italic else "")
        anchor = ' text-anchor="middle"' if shape.centered else ""
        return (f'<text x="{_n(shape.x)}" y="{_n(shape.y)}" font-size="{_n(f.size)}"{style}{anchor} '
                f'fill="{_attr(shape.fill)}">{escape(shape.text, quote=False)}</text>')
    return _curve(shape)


def _curve(curve: Curve) -> str:
    shaft, head = arrow_parts((curve.start, curve.control, curve.end)) if curve.arrow else \
        ((curve.start, curve.control, curve.end), [])
    (x0, y0), (cx, cy), (x1, y1) = shaft
    dash = f' stroke-dasharray="{DASH}"' if curve.dashed else ""
    out = (f'<path d="M{_n(x0)} {_n(y0)} Q{_n(cx)} {_n(cy)} {_n(x1)} {_n(y1)}" fill="none" '
           f'stroke="{_attr(curve.stroke)}" stroke-width="{_n(curve.width)}" stroke-linecap="round"{dash}/>')
    if head:
        points = " ".join(f"{_n(x)},{_n(y)}" for x, y in head)
        out += f'<polygon points="{points}" fill="{_attr(curve.stroke)}"/>'
    return out


def svg_document(shapes: list[Shape], width: float, height: float, title: str) -> str:
    body = "".join(_element(s) for s in shapes)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="100%" style="max-width:{_n(width)}px;min-width:{_n(width * MIN_SHRINK)}px;height:auto;display:block" '
        f'role="img" aria-label="{_attr(title)}" font-family="{_attr(FONT_FAMILY)}">'
        f"<title>{escape(title, quote=False)}</title>"
        f'<rect width="100%" height="100%" fill="{theme.BACKGROUND}"/>{body}</svg>'
    )
