"""The scene graph as a picture (networkx layout + matplotlib) and as two editable tables."""

from __future__ import annotations

import io
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display; must precede pyplot
import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
from PIL import Image  # noqa: E402
from pydantic import ValidationError  # noqa: E402

from stagestudio.scene.graph import ObjectAttributes, Relation, SceneGraph, SceneGraphError, SceneObject  # noqa: E402

OBJECT_COLUMNS = ["id", "name", "count", "color", "material", "size", "adjectives"]
RELATION_COLUMNS = ["subject", "predicate", "object"]

_NODE_FILL = "#eef2ff"
_NODE_EDGE = "#6366f1"
_TEXT = "#1f2937"
_BADGE = "#f59e0b"
_ARROW = "#64748b"

# Matplotlib named colours for attribute chips; unknown colour words fall back to grey.
_CHIP_FALLBACK = "#9ca3af"


def _chip_colour(word: str) -> str:
    from matplotlib.colors import is_color_like

    return word if is_color_like(word) else _CHIP_FALLBACK


def _layout(graph: SceneGraph) -> dict[str, tuple[float, float]]:
    """Reference objects first (left), dependants after; deterministic."""
    ids = [o.id for o in graph.objects]
    if not ids:
        return {}
    dep = graph.dependency_graph()
    try:
        layers: dict[str, int] = {}
        for node in nx.topological_sort(dep):
            preds = list(dep.predecessors(node))
            layers[node] = 1 + max((layers[p] for p in preds), default=-1)
    except nx.NetworkXUnfeasible:
        layers = {i: n for n, i in enumerate(ids)}
    by_layer: dict[int, list[str]] = {}
    for i in ids:
        by_layer.setdefault(layers[i], []).append(i)
    pos: dict[str, tuple[float, float]] = {}
    for layer, members in by_layer.items():
        # Zig-zag successive layers so a chain's arrows are not hidden behind wide node boxes.
        lift = 0.7 if layer % 2 else 0.0
        for k, node in enumerate(members):
            pos[node] = (float(layer), (len(members) - 1) / 2.0 - k + lift)
    return pos


def draw_graph(graph: SceneGraph | None, size: tuple[float, float] = (4.6, 2.7)) -> Image.Image:
    """Objects as rounded nodes ('2 × dog') with attribute chips; relations as labelled arrows."""
    fig, ax = plt.subplots(figsize=size, dpi=140)
    fig.patch.set_facecolor("white")
    ax.set_axis_off()
    if graph is None or not graph.objects:
        ax.text(0.5, 0.5, "No scene graph yet — type a prompt and press Parse or Run",
                ha="center", va="center", color="#6b7280", fontsize=10, transform=ax.transAxes)
        return _to_image(fig)
    pos = _layout(graph)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 0.8, max(xs) + 0.8)
    ax.set_ylim(min(ys) - 0.75, max(ys) + 0.6)

    # Relations first so nodes draw over the arrow ends; parallel edges get different curvature.
    seen_pairs: dict[tuple[str, str], int] = {}
    for r in graph.relations:
        if r.subject not in pos or r.object not in pos:
            continue
        key = tuple(sorted((r.subject, r.object)))
        k = seen_pairs.get(key, 0)
        seen_pairs[key] = k + 1
        rad = 0.3 * k  # straight for the first relation of a pair, curved for the others
        (x1, y1), (x2, y2) = pos[r.subject], pos[r.object]
        ax.annotate(
            "",
            xy=(x2, y2),
            xytext=(x1, y1),
            arrowprops=dict(arrowstyle="-|>", color=_ARROW, lw=1.6, shrinkA=26, shrinkB=26,
                            connectionstyle=f"arc3,rad={rad}", mutation_scale=14),
        )
        # Midpoint of matplotlib's arc3 curve (a quadratic Bezier): chord midpoint + rad/2 * normal.
        mx = (x1 + x2) / 2 + 0.5 * rad * (y2 - y1)
        my = (y1 + y2) / 2 - 0.5 * rad * (x2 - x1)
        ax.text(mx, my, r.predicate, ha="center", va="center", fontsize=8.5, color="#334155",
                bbox=dict(boxstyle="round,pad=0.25", fc="white", ec="#cbd5e1", lw=0.8))

    for o in graph.objects:
        x, y = pos[o.id]
        ax.text(x, y, o.name, ha="center", va="center", fontsize=10.5, color=_TEXT, weight="bold",
                bbox=dict(boxstyle="round,pad=0.6", fc=_NODE_FILL, ec=_NODE_EDGE, lw=1.6), zorder=3)
        if o.count > 1:
            ax.text(x + 0.22, y + 0.2, f"×{o.count}", ha="center", va="center", fontsize=8.5, color="white",
                    weight="bold", bbox=dict(boxstyle="circle,pad=0.25", fc=_BADGE, ec="none"), zorder=4)
        chips = [w for w in (o.attributes.color, o.attributes.material, o.attributes.size, *o.attributes.adjectives) if w]
        for k, word in enumerate(chips):
            fill = _chip_colour(word) if word == o.attributes.color else "#e5e7eb"
            ink = "white" if word == o.attributes.color and word not in ("white", "yellow") else _TEXT
            ax.text(x, y - 0.26 - 0.17 * k, word, ha="center", va="center", fontsize=7.5, color=ink,
                    bbox=dict(boxstyle="round,pad=0.2", fc=fill, ec="#9ca3af", lw=0.5), zorder=4)
        ax.text(x, y + 0.27, o.id, ha="center", va="center", fontsize=7, color="#6b7280", zorder=4)
    return _to_image(fig)


def _to_image(fig: Any) -> Image.Image:
    buf = io.BytesIO()
    fig.tight_layout(pad=0.2)
    fig.savefig(buf, format="png", facecolor=fig.get_facecolor())
    plt.close(fig)
    buf.seek(0)
    return Image.open(buf).convert("RGB")


# --- tables -----------------------------------------------------------------------------
def graph_to_tables(graph: SceneGraph | None) -> tuple[list[list[Any]], list[list[Any]]]:
    if graph is None:
        return [], []
    objects = [
        [o.id, o.name, o.count, o.attributes.color or "", o.attributes.material or "", o.attributes.size or "",
         ", ".join(o.attributes.adjectives)]
        for o in graph.objects
    ]
    relations = [[r.subject, r.predicate, r.object] for r in graph.relations]
    return objects, relations


def _rows(table: Any) -> list[list[Any]]:
    """Gradio hands a Dataframe back as a pandas frame, a dict or a list of rows."""
    if table is None:
        return []
    if hasattr(table, "values") and hasattr(table, "columns"):
        return [list(r) for r in table.values.tolist()]
    if isinstance(table, dict) and "data" in table:
        return [list(r) for r in table["data"]]
    return [list(r) for r in table]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN from an emptied pandas cell
        return ""
    return str(value).strip()


def tables_to_graph(objects: Any, relations: Any) -> SceneGraph:
    """Rebuild a graph from the edited tables; SceneGraphError names the offending row."""
    objs: list[SceneObject] = []
    for n, row in enumerate(_rows(objects), start=1):
        cells = [_cell(c) for c in row] + [""] * (len(OBJECT_COLUMNS) - len(row))
        oid, name, count, color, material, size, adjectives = cells[: len(OBJECT_COLUMNS)]
        if not any(cells):
            continue
        if not name:
            raise SceneGraphError(f"object row {n}: the name is empty")
        try:
            count_value = int(float(count)) if count else 1
        except ValueError as exc:
            raise SceneGraphError(f"object row {n}: count {count!r} is not a whole number") from exc
        try:
            objs.append(
                SceneObject(
                    id=oid or f"o{n}",
                    name=name,
                    count=count_value,
                    attributes=ObjectAttributes(
                        color=color or None,
                        material=material or None,
                        size=size or None,
                        adjectives=[a.strip() for a in adjectives.split(",") if a.strip()],
                    ),
                )
            )
        except ValidationError as exc:
            raise SceneGraphError(f"object row {n}: {exc.errors()[0]['msg']}") from exc
    rels: list[Relation] = []
    for n, row in enumerate(_rows(relations), start=1):
        cells = [_cell(c) for c in row] + [""] * (3 - len(row))
        subject, predicate, obj = cells[:3]
        if not any(cells):
            continue
        if not (subject and predicate and obj):
            raise SceneGraphError(f"relation row {n}: subject, predicate and object are all needed")
        try:
            rels.append(Relation(subject=subject, predicate=predicate, object=obj))
        except ValidationError as exc:
            raise SceneGraphError(f"relation row {n}: {exc.errors()[0]['msg']}") from exc
    if not objs:
        raise SceneGraphError("the scene needs at least one object")
    return SceneGraph(objects=objs, relations=rels).validate_graph()
