"""The scene graph as two editable tables (objects, relations) and back.

List cells (adjectives, parts, measurements) are comma-separated; a comma between digits
("1,000 years old") stays inside its item, and a cell with a semicolon splits on semicolons
only. Every bad cell raises one SceneGraphError naming its row; a graph rebuilt from the tables
is marked as the person's (`source="user"`).
"""

from __future__ import annotations

import math
import re
from typing import Any

from pydantic import ValidationError

from stagestudio.scene.graph import (
    MAX_COUNT,
    ObjectAttributes,
    Relation,
    SceneGraph,
    SceneGraphError,
    SceneObject,
)
from stagestudio.scene.lexicon import NUMBER_WORDS

# `noun` (the prompt's word for the object, which drawing instructions use: "astronaut" for a
# person) comes last so the columns people edit most keep their places.
OBJECT_COLUMNS = ["id", "name", "count", "color", "material", "size", "adjectives", "parts", "measurements", "noun"]
# Gradio Dataframe datatypes for OBJECT_COLUMNS; count is text so "three" can be typed.
OBJECT_DATATYPES = ["str"] * len(OBJECT_COLUMNS)
RELATION_COLUMNS = ["subject", "predicate", "object"]

_ID = re.compile(r"[A-Za-z0-9_-]+")
# Object names are plain words: letters (any script), digits, spaces, hyphens, apostrophes, dots.
_NAME = re.compile(r"[^\W_]+(?:[\s'.-]+[^\W_]+)*[.]?")
_MARKUP = re.compile(r"[<>]")
_LIST_SPLIT = re.compile(r"(?<!\d),|,(?!\d)")


def split_list(cell: str) -> list[str]:
    """'handle, lid' -> ['handle', 'lid']; '1,000 years old' stays one item; ';' wins if present."""
    parts = cell.split(";") if ";" in cell else _LIST_SPLIT.split(cell)
    return [p.strip() for p in parts if p.strip()]


def join_list(items: list[str]) -> str:
    """The inverse of split_list: ', ' unless an item holds a comma that would split it; then
    '; ' (with a trailing ';' for a single item, so it still reads as a ';' list)."""
    if any(";" not in item and len(split_list(item)) > 1 for item in items):
        return "; ".join(items) if len(items) > 1 else f"{items[0]};"
    return ", ".join(items)


def graph_to_tables(graph: SceneGraph | None) -> tuple[list[list[Any]], list[list[Any]]]:
    """Rows for OBJECT_COLUMNS and RELATION_COLUMNS."""
    if graph is None:
        return [], []
    objects = [
        [o.id, o.name, o.count, o.attributes.color or "", o.attributes.material or "", o.attributes.size or "",
         join_list(o.attributes.adjectives), join_list(o.attributes.parts), join_list(o.attributes.measurements),
         o.noun or ""]
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
    if isinstance(value, float) and math.isnan(value):  # an emptied pandas cell
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def _count(text: str, row: int) -> int:
    if not text:
        return 1
    word = text.lower()
    if word in NUMBER_WORDS:
        value = NUMBER_WORDS[word]
    else:
        try:
            number = float(text)
        except ValueError:
            raise SceneGraphError(f"object row {row}: count {text!r} is not a number") from None
        if not number.is_integer():
            raise SceneGraphError(f"object row {row}: count {text!r} is not a whole number") from None
        value = int(number)
    if not 1 <= value <= MAX_COUNT:
        raise SceneGraphError(f"object row {row}: count {value} is out of range (1 to {MAX_COUNT})")
    return value


def _plain(text: str, row: int, column: str) -> str:
    if _MARKUP.search(text):
        raise SceneGraphError(f"object row {row}: {column} {text!r} contains markup; use plain words")
    return text


def _object_row(cells: list[str], row: int) -> SceneObject:
    oid, name, count, color, material, size, adjectives, parts, measurements, noun = cells
    if not name:
        raise SceneGraphError(f"object row {row}: the name is empty")
    if not _NAME.fullmatch(name):
        raise SceneGraphError(f"object row {row}: the name {name!r} contains markup or symbols; use plain words")
    if oid and not _ID.fullmatch(oid):
        raise SceneGraphError(f"object row {row}: id {oid!r} must be one word of letters, digits, '-' or '_'")
    for column, text in zip(OBJECT_COLUMNS[3:], (color, material, size, adjectives, parts, measurements, noun)):
        _plain(text, row, column)
    if noun and not _NAME.fullmatch(noun):
        raise SceneGraphError(f"object row {row}: the noun {noun!r} contains markup or symbols; use plain words")
    try:
        return SceneObject(
            id=oid,
            name=name,
            noun=noun or None,
            count=_count(count, row),
            attributes=ObjectAttributes(
                color=color or None,
                material=material or None,
                size=size or None,
                adjectives=split_list(adjectives),
                parts=split_list(parts),
                measurements=split_list(measurements),
            ),
        )
    except ValidationError as exc:
        raise SceneGraphError(f"object row {row}: {_message(exc)}") from exc


def _message(exc: ValidationError) -> str:
    return exc.errors()[0]["msg"].removeprefix("Value error, ")


def _objects(table: Any) -> list[SceneObject]:
    objects: list[tuple[int, SceneObject]] = []
    width = len(OBJECT_COLUMNS)
    for row, raw in enumerate(_rows(table), start=1):
        cells = ([_cell(c) for c in raw] + [""] * width)[:width]
        if any(cells):
            objects.append((row, _object_row(cells, row)))
    first_row: dict[str, int] = {}
    for row, obj in objects:
        if obj.id in first_row:
            raise SceneGraphError(f"object row {row}: id {obj.id!r} is already used by row {first_row[obj.id]}")
        if obj.id:
            first_row[obj.id] = row
    # Rows without an id get the next free "oN" (never one another row already uses).
    out: list[SceneObject] = []
    taken = set(first_row)
    n = 1
    for _, obj in objects:
        if not obj.id:
            while f"o{n}" in taken:
                n += 1
            taken.add(f"o{n}")
            obj = obj.model_copy(update={"id": f"o{n}"})
        out.append(obj)
    return out


def _resolve(ref: str, objects: list[SceneObject], row: int) -> str:
    """An object id, or a name that only one object has."""
    if any(o.id == ref for o in objects):
        return ref
    named = [o.id for o in objects if o.name == ref.lower()]
    if len(named) == 1:
        return named[0]
    known = ", ".join(o.id for o in objects)
    if named:
        raise SceneGraphError(f"relation row {row}: {ref!r} names several objects ({', '.join(named)}); use the id")
    raise SceneGraphError(f"relation row {row}: unknown object {ref!r} (objects: {known})")


def _relations(table: Any, objects: list[SceneObject]) -> list[Relation]:
    relations: list[Relation] = []
    placed = SceneGraph(objects=objects)
    for row, raw in enumerate(_rows(table), start=1):
        cells = ([_cell(c) for c in raw] + [""] * 3)[:3]
        if not any(cells):
            continue
        subject, predicate, obj = cells
        if not (subject and predicate and obj):
            raise SceneGraphError(f"relation row {row}: subject, predicate and object are all needed")
        try:
            relation = Relation(subject=_resolve(subject, objects, row), predicate=predicate,
                                object=_resolve(obj, objects, row))
        except ValidationError as exc:
            raise SceneGraphError(f"relation row {row}: {_message(exc)}") from exc
        if relation.subject == relation.object:
            raise SceneGraphError(f"relation row {row}: relates {relation.subject!r} to itself")
        if relation in relations:
            continue  # the same row twice says nothing new
        placed.relations.append(relation)
        try:
            placed.validate_graph()
        except SceneGraphError:
            raise SceneGraphError(
                f"relation row {row}: '{relation.subject} {relation.predicate} {relation.object}' "
                "contradicts the rows above it (the relations would go round in a circle)"
            ) from None
        relations.append(relation)
    return relations


def _without_a_stale_noun(obj: SceneObject, before: SceneGraph) -> SceneObject:
    """A person who renames the astronaut "dog" and leaves the noun cell alone means a dog: the
    old noun would go on drawing an astronaut."""
    old = next((o for o in before.objects if o.id == obj.id), None)
    if old is not None and obj.noun and obj.noun == old.noun and obj.name != old.name:
        return obj.model_copy(update={"noun": None})
    return obj


def tables_to_graph(objects: Any, relations: Any, based_on: SceneGraph | None = None) -> SceneGraph:
    """Rebuild a graph from the edited tables; SceneGraphError names the offending row.

    `based_on` (the graph the tables were filled from) passes on the prompt's rewrite, which
    still describes the scene; the result is always the person's graph (`source="user"`).
    """
    objs = _objects(objects)
    if not objs:
        raise SceneGraphError("the scene needs at least one object")
    if based_on is not None:
        objs = [_without_a_stale_noun(o, based_on) for o in objs]
    if based_on is None:
        note = ""
    elif based_on.source == "user":
        note = based_on.source_note
    else:
        note = f"edited from the {based_on.source}'s graph"
    return SceneGraph(
        objects=objs,
        relations=_relations(relations, objs),
        source="user",
        source_note=note,
        rewrite=based_on.rewrite if based_on is not None else None,
    ).validate_graph()
