"""The scene graph in the studio: its layout (pure geometry), its drawing (SVG or PNG), the
header above it, and the two editable tables."""

from stagestudio.ui.graph.draw import draw_graph, graph_svg
from stagestudio.ui.graph.header import SOURCE_LABELS, graph_header_html, graph_html
from stagestudio.ui.graph.layout import EdgeLayout, GraphLayout, graph_layout
from stagestudio.ui.graph.shapes import Box
from stagestudio.ui.graph.tables import (
    OBJECT_COLUMNS,
    OBJECT_DATATYPES,
    RELATION_COLUMNS,
    graph_to_tables,
    tables_to_graph,
)

__all__ = [
    "OBJECT_COLUMNS",
    "OBJECT_DATATYPES",
    "RELATION_COLUMNS",
    "SOURCE_LABELS",
    "Box",
    "EdgeLayout",
    "GraphLayout",
    "draw_graph",
    "graph_header_html",
    "graph_html",
    "graph_layout",
    "graph_svg",
    "graph_to_tables",
    "tables_to_graph",
]
