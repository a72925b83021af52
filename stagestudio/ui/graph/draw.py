"""The scene graph as shapes, and from them as an SVG string or a PIL image.

Cards carry name, count, id, attribute chips, parts and measurements; spatial relations are
solid grey arrows labelled with the predicate, actions dashed pink arrows labelled with the verb;
a key appears when both kinds do.
"""

from __future__ import annotations

from PIL import Image

from stagestudio.scene.graph import SceneGraph
from stagestudio.ui.graph import theme
from stagestudio.ui.graph.fonts import text_width
from stagestudio.ui.graph.layout import LABEL_HEIGHT, GraphLayout, graph_layout
from stagestudio.ui.graph.legend import legend_shapes
from stagestudio.ui.graph.raster import rasterize
from stagestudio.ui.graph.shapes import Curve, Rect, Shape, Text
from stagestudio.ui.graph.svg import svg_document

PLACEHOLDER = "No scene graph yet — type a prompt and press Parse or Run"
# A very large graph is drawn at a lower resolution rather than as an enormous file.
MAX_PNG_PIXELS = 12_000_000
MAX_PNG_SIDE = 12_000


def layout_shapes(layout: GraphLayout) -> list[Shape]:
    """Arrows first (cards cover their ends), then cards, then labels and the key on top."""
    shapes: list[Shape] = []
    for e in layout.edges:
        colour = theme.ACTION_STROKE if e.is_action else theme.SPATIAL_STROKE
        shapes.append(Curve(*e.curve, stroke=colour, width=1.6, dashed=e.is_action))
    for node, box in layout.boxes.items():
        shapes += layout.cards[node].placed(box)
    for e in layout.edges:
        font = theme.ACTION_LABEL_FONT if e.is_action else theme.LABEL_FONT
        stroke = theme.ACTION_LABEL_STROKE if e.is_action else theme.SPATIAL_LABEL_STROKE
        shapes.append(Rect(e.label, theme.BACKGROUND, stroke, 0.8, radius=LABEL_HEIGHT / 2))
        cx, cy = e.label.center
        shapes.append(Text(cx, cy + font.size * 0.36, e.label_text, font,
                           theme.ACTION_TEXT if e.is_action else theme.TEXT, centered=True))
    if layout.legend is not None:
        shapes += legend_shapes(layout.legend)
    return shapes


def _placeholder() -> tuple[float, float, list[Shape]]:
    width = text_width(PLACEHOLDER, theme.PLACEHOLDER_FONT) + 48
    height = 96.0
    return width, height, [Text(width / 2, height / 2 + 4, PLACEHOLDER, theme.PLACEHOLDER_FONT,
                                theme.PLACEHOLDER_TEXT, centered=True)]


def _drawing(graph: SceneGraph | None) -> tuple[float, float, list[Shape]]:
    layout = graph_layout(graph)
    if not layout.boxes:
        return _placeholder()
    return layout.width, layout.height, layout_shapes(layout)


def draw_graph(graph: SceneGraph | None, scale: float = 2.0) -> Image.Image:
    """The graph as an RGB image, `scale` device pixels per CSS pixel (smaller for huge graphs)."""
    width, height, shapes = _drawing(graph)
    scale = min(scale, MAX_PNG_SIDE / max(width, height), (MAX_PNG_PIXELS / (width * height)) ** 0.5)
    return rasterize(shapes, width, height, scale)


def graph_svg(graph: SceneGraph | None) -> str:
    """The graph as one self-contained <svg> element that scales to its container's width
    (never past its natural size); every text is escaped."""
    width, height, shapes = _drawing(graph)
    return svg_document(shapes, width, height, title=_title(graph))


def _title(graph: SceneGraph | None) -> str:
    """What a screen reader says for the picture: the scene in words."""
    if graph is None or not graph.objects:
        return PLACEHOLDER
    try:
        return f"Scene graph: {graph.describe()}"
    except KeyError:  # a relation to a missing object: the layout skips it, so may the title
        return f"Scene graph: {', '.join(o.noun_phrase() for o in graph.objects)}"
