"""Editing the scene graph: rows added to and removed from its tables, and what an edit means
for a run that already has steps — the first step whose part of the scene changed. Steps
before it still show exactly what the edited graph asks for, so a re-plan keeps them and
branches there."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from stagestudio.scene.graph import SceneGraph
from stagestudio.ui.graph_view import OBJECT_COLUMNS


def first_changed_step(old: SceneGraph, new: SceneGraph, step_objects: Sequence[Sequence[str]]) -> int:
    """The index of the first step (given each completed step's object ids, in order) whose
    cumulative part of the scene differs between `old` and `new`; len(step_objects) when the
    edit leaves every completed step as it was (it only adds to what is still to be drawn)."""
    realised: list[str] = []
    for index, ids in enumerate(step_objects):
        realised.extend(i for i in ids if i not in realised)
        if _part(old, realised) != _part(new, realised):
            return index
    return len(step_objects)


def _part(graph: SceneGraph, ids: Sequence[str]) -> tuple[Any, ...]:
    """The objects `ids` (with every attribute and count) and the relations among them."""
    wanted = set(ids)
    objects = {o.id: o.model_dump() for o in graph.objects if o.id in wanted}
    relations = sorted(
        (r.subject, r.predicate, r.object) for r in graph.relations if r.subject in wanted and r.object in wanted
    )
    return objects, relations


# --- table rows ---------------------------------------------------------------------------
def table_rows(table: Any) -> list[list[Any]]:
    """Gradio hands a Dataframe back as a pandas frame or a list of rows."""
    if table is None:
        return []
    if hasattr(table, "values") and hasattr(table, "columns"):
        table = table.values.tolist()
    return [list(r) for r in table]


def _filled(row: list[Any]) -> bool:
    return any(str(c).strip() for c in row if c is not None)


def has_rows(table: Any) -> bool:
    """Whether a Dataframe value holds any non-empty cell."""
    return any(_filled(row) for row in table_rows(table))


def same_rows(tables: tuple[Any, Any], expected: tuple[list[list[Any]], list[list[Any]]]) -> bool:
    """Whether the (objects, relations) tables hold what `expected` holds, cells compared as text."""
    def norm(table: Any) -> list[list[str]]:
        return [[str(c).strip() if c is not None else "" for c in row] for row in table_rows(table) if _filled(row)]

    return all(norm(a) == norm(b) for a, b in zip(tables, expected, strict=True))


def add_object_row(objects: Any) -> list[list[Any]]:
    """The objects table with a new row at the end: the next free id, count 1, the rest empty
    for the person to fill in (Apply names the row if its name stays empty)."""
    rows = [r for r in table_rows(objects) if _filled(r)]
    taken = {str(r[0]).strip() for r in rows if r}
    n = 1
    while f"o{n}" in taken:
        n += 1
    width = len(OBJECT_COLUMNS)
    return rows + [[f"o{n}", "", 1] + [""] * (width - 3)]


def add_relation_row(objects: Any, relations: Any) -> list[list[Any]]:
    """The relations table with a new row, prefilled with the first two objects ("left of")
    when there are two to relate."""
    ids = [str(r[0]).strip() for r in table_rows(objects) if r and str(r[0]).strip()]
    rows = [r for r in table_rows(relations) if _filled(r)]
    new = [ids[0], "left of", ids[1]] if len(ids) >= 2 else ["", "", ""]
    return rows + [new]


def remove_row(table: Any, index: int | None) -> list[list[Any]]:
    """The table without row `index` (the last row when None or out of range)."""
    rows = table_rows(table)
    if not rows:
        return rows
    if index is None or not 0 <= index < len(rows):
        index = len(rows) - 1
    return rows[:index] + rows[index + 1:]
