"""Colours and type sizes of the scene-graph drawing, in one place so the SVG and PNG agree."""

from __future__ import annotations

from dataclasses import dataclass

NODE_FILL = "#eef2ff"
NODE_STROKE = "#6366f1"
TEXT = "#1f2937"
MUTED = "#64748b"
COUNT_FILL = "#f59e0b"
CHIP_FILL = "#f1f5f9"
CHIP_STROKE = "#cbd5e1"
SPATIAL_STROKE = "#64748b"
SPATIAL_LABEL_STROKE = "#cbd5e1"
ACTION_STROKE = "#db2777"
ACTION_LABEL_STROKE = "#f9a8d4"
ACTION_TEXT = "#9d174d"
BACKGROUND = "#ffffff"
PLACEHOLDER_TEXT = "#6b7280"
# A colour word a browser does not know gets a neutral swatch rather than a wrong one.
UNKNOWN_SWATCH = "#d1d5db"


@dataclass(frozen=True)
class Font:
    """A DejaVu Sans face at a size in CSS pixels (the PNG scales it)."""

    size: float
    bold: bool = False
    italic: bool = False


NAME_FONT = Font(13.5, bold=True)
ID_FONT = Font(9.5)
COUNT_FONT = Font(10.5, bold=True)
CHIP_FONT = Font(10.5)
DETAIL_FONT = Font(10.5)
LABEL_FONT = Font(10.5)
ACTION_LABEL_FONT = Font(10.5, italic=True)
LEGEND_FONT = Font(10)
PLACEHOLDER_FONT = Font(13)
