"""One object drawn as a card: name, count, id, attribute chips, parts and measurements.

A card is sized from its own text (fonts.py metrics) and holds its shapes relative to its
top-left corner; the layout only needs its width and height.
"""

from __future__ import annotations

from dataclasses import dataclass

from stagestudio.scene.graph import SceneObject
from stagestudio.ui.graph import theme
from stagestudio.ui.graph.fonts import ellipsize, line_height, text_width, wrap
from stagestudio.ui.graph.shapes import Box, Circle, Rect, Shape, Text, shifted

PAD_X = 9.0
PAD_Y = 7.0
MAX_TEXT_WIDTH = 196.0
MIN_WIDTH = 64.0
CHIP_HEIGHT = 17.0
CHIP_PAD = 6.0
CHIP_GAP = 4.0
SWATCH_RADIUS = 4.5
NAME_LINES = 2
PART_LINES = 3
MEASURE_LINES = 2
CHIP_ROWS = 3


@dataclass(frozen=True)
class NodeCard:
    width: float
    height: float
    shapes: tuple[Shape, ...]  # relative to the card's top-left corner, border first

    def placed(self, box: Box) -> list[Shape]:
        """The card's shapes at `box` (centred there when the box is larger than the card)."""
        dx = box.x0 + (box.width - self.width) / 2
        dy = box.y0 + (box.height - self.height) / 2
        return [shifted(s, dx, dy) for s in self.shapes]


# Colour words prompts use that are not CSS colour names.
_COLOUR_ALIASES = {"golden": "gold", "blond": "#e6cf8b", "blonde": "#e6cf8b", "ginger": "#c9693c"}


def swatch_colour(word: str) -> str:
    """A CSS hex colour for a colour word ('light blue' -> '#add8e6'), or a neutral grey."""
    from matplotlib.colors import is_color_like, to_hex

    word = _COLOUR_ALIASES.get(word, word)
    for candidate in (word, word.replace(" ", ""), word.replace(" ", "-")):
        if candidate and is_color_like(candidate) and not candidate.replace(".", "").isdigit():
            return to_hex(candidate)
    return theme.UNKNOWN_SWATCH


def _chip(word: str, swatch: str | None) -> tuple[float, list[Shape]]:
    """A rounded chip at (0, 0): its width and shapes."""
    font = theme.CHIP_FONT
    label = ellipsize(word, font, MAX_TEXT_WIDTH - 2 * CHIP_PAD - (3 * SWATCH_RADIUS if swatch else 0))
    text_x = CHIP_PAD + (2 * SWATCH_RADIUS + 4 if swatch else 0)
    width = text_x + text_width(label, font) + CHIP_PAD
    shapes: list[Shape] = [Rect(Box(0, 0, width, CHIP_HEIGHT), theme.CHIP_FILL, theme.CHIP_STROKE, 0.8,
                                radius=CHIP_HEIGHT / 2)]
    if swatch:
        shapes.append(Circle((CHIP_PAD + SWATCH_RADIUS, CHIP_HEIGHT / 2), SWATCH_RADIUS, swatch, "#94a3b8"))
    shapes.append(Text(text_x, CHIP_HEIGHT / 2 + font.size * 0.36, label, font, theme.TEXT))
    return width, shapes


def _chip_rows(obj: SceneObject) -> tuple[float, float, list[Shape]]:
    """Attribute chips wrapped into rows: (width, height, shapes) at (0, 0)."""
    attrs = obj.attributes
    chips = [_chip(attrs.color, swatch_colour(attrs.color))] if attrs.color else []
    chips += [_chip(word, None) for word in (attrs.material, attrs.size, *attrs.adjectives) if word]
    shapes: list[Shape] = []
    x = y = width = 0.0
    rows = 1
    for chip_width, chip_shapes in chips:
        if x > 0 and x + chip_width > MAX_TEXT_WIDTH:
            if rows == CHIP_ROWS:
                break  # the table lists every attribute; the card keeps to its size
            rows, x, y = rows + 1, 0.0, y + CHIP_HEIGHT + CHIP_GAP
        shapes += [shifted(s, x, y) for s in chip_shapes]
        width = max(width, x + chip_width)
        x += chip_width + CHIP_GAP
    return width, (y + CHIP_HEIGHT if chips else 0.0), shapes


def _detail_lines(prefix: str, items: list[str], max_lines: int) -> list[str]:
    return wrap(f"{prefix}: {', '.join(items)}", theme.DETAIL_FONT, MAX_TEXT_WIDTH, max_lines) if items else []


def node_card(obj: SceneObject) -> NodeCard:
    name_font, id_font, count_font = theme.NAME_FONT, theme.ID_FONT, theme.COUNT_FONT
    count_label = f"×{obj.count}" if obj.count > 1 else ""
    count_width = text_width(count_label, count_font) + 10 if count_label else 0.0
    id_width = text_width(obj.id, id_font)
    # The first name line shares its row with the count pill and the id.
    side = (count_width + 5 if count_label else 0) + id_width + 8
    name_lines = wrap(obj.name, name_font, max(MAX_TEXT_WIDTH - side, 60), NAME_LINES)
    name_h = line_height(name_font)
    chips_w, chips_h, chip_shapes = _chip_rows(obj)
    details = _detail_lines("parts", obj.attributes.parts, PART_LINES)
    measures = _detail_lines("measures", obj.attributes.measurements, MEASURE_LINES)
    detail_h = line_height(theme.DETAIL_FONT)

    first_w = text_width(name_lines[0], name_font) + side
    content_w = max([first_w, chips_w]
                    + [text_width(line, name_font) for line in name_lines[1:]]
                    + [text_width(line, theme.DETAIL_FONT) for line in details + measures])
    width = max(MIN_WIDTH, content_w + 2 * PAD_X)

    shapes: list[Shape] = []
    y = PAD_Y
    for k, line in enumerate(name_lines):
        shapes.append(Text(PAD_X, y + name_font.size, line, name_font, theme.TEXT))
        if k == 0 and count_label:
            pill_x = PAD_X + text_width(line, name_font) + 5
            pill = Box(pill_x, y + 1, pill_x + count_width, y + name_h - 1)
            shapes.append(Rect(pill, theme.COUNT_FILL, None, radius=pill.height / 2))
            shapes.append(Text(pill.center[0], y + name_font.size - 0.5, count_label, count_font, "#ffffff",
                               centered=True))
        y += name_h
    shapes.append(Text(width - PAD_X - id_width, PAD_Y + name_font.size, obj.id, id_font, theme.MUTED))
    if chip_shapes:
        y += 3
        shapes += [shifted(s, PAD_X, y) for s in chip_shapes]
        y += chips_h
    if details or measures:
        y += 3
    for line in details + measures:
        shapes.append(Text(PAD_X, y + theme.DETAIL_FONT.size, line, theme.DETAIL_FONT, theme.MUTED))
        y += detail_h
    height = y + PAD_Y
    border = Rect(Box(0, 0, width, height), theme.NODE_FILL, theme.NODE_STROKE, 1.6, radius=8)
    return NodeCard(width=round(width, 2), height=round(height, 2), shapes=(border, *shapes))
