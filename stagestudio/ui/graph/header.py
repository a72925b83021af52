"""HTML shown above the drawing: where the graph came from, why, the rewritten prompt and the
extractor's notes; and the header and the SVG together as one fragment. Everything is escaped:
prompts, rewrites and notes are user or model text."""

from __future__ import annotations

from html import escape

from stagestudio.scene.graph import SceneGraph
from stagestudio.ui.graph.draw import graph_svg

SOURCE_LABELS = {"parser": "from the parser", "model": "from the model", "user": "edited"}
_SOURCE_COLOURS = {"parser": ("#e0e7ff", "#3730a3"), "model": ("#fce7f3", "#9d174d"), "user": ("#dcfce7", "#166534")}


def graph_header_html(graph: SceneGraph | None) -> str:
    """A source badge, the source note, the rewritten prompt and the notes, as escaped HTML
    (empty for no graph). Class names (ss-graph-*) let the studio's CSS restyle it."""
    if graph is None:
        return ""
    fill, ink = _SOURCE_COLOURS[graph.source]
    badge_style = (f"display:inline-block;padding:1px 8px;border-radius:9px;font-size:0.8em;font-weight:600;"
                   f"background:{fill};color:{ink}")
    badge = (f'<span class="ss-graph-source ss-graph-source-{graph.source}" style="{badge_style}">'
             f"{escape(SOURCE_LABELS[graph.source])}</span>")
    parts = [badge]
    if graph.source_note:
        parts.append(f' <span class="ss-graph-source-note" style="color:#64748b;font-size:0.85em">'
                     f"{escape(graph.source_note)}</span>")
    if graph.rewrite:
        parts.append(f'<div class="ss-graph-rewrite" style="margin-top:4px"><span style="color:#64748b">'
                     f"Rewritten prompt:</span> {escape(graph.rewrite)}</div>")
    if graph.notes:
        items = "".join(f"<li>{escape(note)}</li>" for note in graph.notes)
        parts.append(f'<ul class="ss-graph-notes" style="margin:4px 0 0 1.1em;padding:0;color:#64748b;'
                     f'font-size:0.85em">{items}</ul>')
    return f'<div class="ss-graph-header" style="margin-bottom:6px">{"".join(parts)}</div>'


def graph_html(graph: SceneGraph | None) -> str:
    """Header and drawing as one self-contained fragment for an HTML component. The SVG scales
    down to a narrow screen (a phone) to 60% of its natural size, then scrolls sideways; it
    never grows past its natural size."""
    return (f'<div class="ss-graph">{graph_header_html(graph)}'
            f'<div class="ss-graph-picture" style="overflow-x:auto">{graph_svg(graph)}</div></div>')
