"""The scene graph's picture and tables; kept as the studio's import path. The code lives in
`stagestudio.ui.graph` (layout, drawing, header, tables)."""

from stagestudio.ui.graph import (
    OBJECT_COLUMNS,
    OBJECT_DATATYPES,
    RELATION_COLUMNS,
    draw_graph,
    graph_header_html,
    graph_html,
    graph_layout,
    graph_svg,
    graph_to_tables,
    tables_to_graph,
)

__all__ = [
    "OBJECT_COLUMNS",
    "OBJECT_DATATYPES",
    "RELATION_COLUMNS",
    "draw_graph",
    "graph_header_html",
    "graph_html",
    "graph_layout",
    "graph_svg",
    "graph_to_tables",
    "tables_to_graph",
]
