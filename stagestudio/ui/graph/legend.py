"""The small key shown when a graph has both spatial and action relations."""

from __future__ import annotations

from stagestudio.ui.graph import theme
from stagestudio.ui.graph.fonts import text_width
from stagestudio.ui.graph.shapes import Box, Curve, Shape, Text

ENTRIES = (("where it is", False), ("what it does", True))  # (caption, dashed action style)
_SWATCH = 28.0
_GAP = 6.0
_SPACING = 18.0
HEIGHT = 16.0


def legend_width() -> float:
    return sum(_SWATCH + _GAP + text_width(caption, theme.LEGEND_FONT) for caption, _ in ENTRIES) \
        + _SPACING * (len(ENTRIES) - 1)


def legend_shapes(box: Box) -> list[Shape]:
    shapes: list[Shape] = []
    x, mid = box.x0, box.y0 + HEIGHT / 2
    for caption, action in ENTRIES:
        colour = theme.ACTION_STROKE if action else theme.SPATIAL_STROKE
        shapes.append(Curve((x, mid), (x + _SWATCH / 2, mid), (x + _SWATCH, mid), colour, 1.5, dashed=action))
        x += _SWATCH + _GAP
        shapes.append(Text(x, mid + theme.LEGEND_FONT.size * 0.36, caption, theme.LEGEND_FONT,
                           theme.ACTION_TEXT if action else theme.MUTED))
        x += text_width(caption, theme.LEGEND_FONT) + _SPACING
    return shapes
