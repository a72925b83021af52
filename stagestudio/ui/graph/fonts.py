"""Text measurement and wrapping with the DejaVu Sans faces matplotlib ships.

The layout sizes every box from these metrics; the PNG renders with the same faces, and the SVG
names DejaVu Sans first, falling back to the usual sans-serif faces, which run narrower.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

from stagestudio.ui.graph.theme import Font

ELLIPSIS = "…"

_FACES = {
    (False, False): "DejaVuSans.ttf",
    (True, False): "DejaVuSans-Bold.ttf",
    (False, True): "DejaVuSans-Oblique.ttf",
    (True, True): "DejaVuSans-BoldOblique.ttf",
}


@lru_cache(maxsize=1)
def _font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@lru_cache(maxsize=64)
def truetype(font: Font, scale: float = 1.0) -> ImageFont.FreeTypeFont:
    # Sizes are kept in quarter pixels so one cache entry serves every call at that size.
    return ImageFont.truetype(str(_font_dir() / _FACES[(font.bold, font.italic)]), round(font.size * scale * 4) / 4)


def text_width(text: str, font: Font) -> float:
    return float(truetype(font).getlength(text))


def line_height(font: Font) -> float:
    return round(font.size * 1.3, 2)


def _cut(word: str, font: Font, max_width: float) -> tuple[str, str]:
    """The longest head of `word` that fits `max_width`, and the rest (a word longer than a line)."""
    n = len(word)
    while n > 1 and text_width(word[:n], font) > max_width:
        n -= 1
    return word[:n], word[n:]


def wrap(text: str, font: Font, max_width: float, max_lines: int) -> list[str]:
    """Greedy word wrap; over-long words break anywhere; the last line ends in '…' when text is cut."""
    lines: list[str] = []
    current = ""
    words = text.split()
    i = 0
    while i < len(words):
        word = words[i]
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, font) <= max_width:
            current, i = candidate, i + 1
            continue
        if current:
            lines.append(current)
            current = ""
        else:  # a single word wider than the line
            head, rest = _cut(word, font, max_width)
            lines.append(head)
            words[i] = rest
        if len(lines) == max_lines:
            break
    if current and len(lines) < max_lines:
        lines.append(current)
        current = ""
    cut = i < len(words) or current
    if cut and lines:
        lines[-1] = ellipsize(lines[-1] + ELLIPSIS, font, max_width)
    return lines


def ellipsize(text: str, font: Font, max_width: float) -> str:
    """`text` shortened to fit `max_width`, ending in '…' when shortened."""
    if text_width(text, font) <= max_width:
        return text
    body = text.rstrip(ELLIPSIS)
    while body and text_width(body + ELLIPSIS, font) > max_width:
        body = body[:-1]
    return body.rstrip() + ELLIPSIS
