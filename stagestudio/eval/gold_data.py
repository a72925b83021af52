"""Hand-annotated gold scene graphs for realistic prompts (`tests/data/scene_*.jsonl`).

One line per prompt: `{"id", "style", "prompt", "gold": {"objects", "relations", "optional"},
"answer"?}`. The annotation rules are in docs/scene_graph_conventions.md. A gold graph says more
than a `SceneGraph` can (aliases, acceptable extra objects, an unspecified plural's null count,
a colour list for two-coloured objects), so it has its own model; `to_scene_graph` drops the
extras to check that the annotation is still a valid graph.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from stagestudio.scene.graph import MAX_COUNT, ObjectAttributes, Relation, SceneGraph, SceneObject

Style = Literal["caption", "product", "paragraph", "attribute", "spatial", "action", "count", "knowledge"]
STYLES: tuple[str, ...] = Style.__args__  # type: ignore[attr-defined]

# GenEval's ten colours and gray: the colour families a gold graph records.
GOLD_COLORS: frozenset[str] = frozenset(
    {"red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "black", "white", "gray"})

# An unspecified plural ("tomatoes") stands for "more than one" when a gold graph must become a
# SceneGraph, which has no null count.
_PLURAL_PLACEHOLDER = 2


def _clean_name(name: str) -> str:
    return " ".join(name.strip().lower().split())


class GoldObject(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    count: int | None = 1  # None: an unspecified plural, not scored for count
    color: str | list[str] | None = None  # a list: any of these colours is right
    parts: list[str] = Field(default_factory=list)
    measurements: list[str] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        v = _clean_name(v)
        if not v:
            raise ValueError("object name must not be empty")
        return v

    @field_validator("aliases")
    @classmethod
    def _aliases(cls, v: list[str]) -> list[str]:
        return [_clean_name(a) for a in v if a.strip()]

    @field_validator("count")
    @classmethod
    def _count(cls, v: int | None) -> int | None:
        if v is not None and not 1 <= v <= MAX_COUNT:
            raise ValueError(f"count must be null or between 1 and {MAX_COUNT}, got {v}")
        return v

    @field_validator("color")
    @classmethod
    def _color(cls, v: str | list[str] | None) -> str | list[str] | None:
        for c in [v] if isinstance(v, str) else v or []:
            if c not in GOLD_COLORS:
                raise ValueError(f"colour {c!r} is not one of {', '.join(sorted(GOLD_COLORS))}")
        return v

    @property
    def colors(self) -> frozenset[str]:
        """Every colour that counts as right; empty when the gold object has none."""
        if self.color is None:
            return frozenset()
        return frozenset([self.color] if isinstance(self.color, str) else self.color)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


class GoldGraph(BaseModel):
    model_config = ConfigDict(extra="forbid")

    objects: list[GoldObject]
    relations: list[Relation] = Field(default_factory=list)
    optional: list[str] = Field(default_factory=list)

    @field_validator("optional")
    @classmethod
    def _optional(cls, v: list[str]) -> list[str]:
        return [_clean_name(n) for n in v if n.strip()]

    def object(self, object_id: str) -> GoldObject:
        for o in self.objects:
            if o.id == object_id:
                return o
        raise KeyError(object_id)

    def to_scene_graph(self) -> SceneGraph:
        """The annotation as a validated SceneGraph (aliases and optional names dropped, a null
        count read as a plural, a colour list as its first colour). Raises SceneGraphError."""
        objects = [
            SceneObject(
                id=o.id, name=o.name, count=_PLURAL_PLACEHOLDER if o.count is None else o.count,
                attributes=ObjectAttributes(color=min(o.colors) if o.colors else None, parts=list(o.parts),
                                            measurements=list(o.measurements)))
            for o in self.objects
        ]
        return SceneGraph(objects=objects, relations=[r.model_copy() for r in self.relations]).validate_graph()


class GoldExample(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    style: Style
    prompt: str
    gold: GoldGraph
    answer: str | None = None  # knowledge prompts: the explicit prompt the riddle stands for


class GoldFileError(ValueError):
    """A gold file line is not valid; the message names the line and what is wrong."""


def parse_gold_lines(lines: Iterable[str], *, source: str = "gold file") -> list[GoldExample]:
    """Read gold JSON lines (blank lines skipped); raise GoldFileError naming the first bad line."""
    examples: list[GoldExample] = []
    seen: set[str] = set()
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            example = GoldExample.model_validate(json.loads(raw))
            example.gold.to_scene_graph()
        except json.JSONDecodeError as exc:
            raise GoldFileError(f"{source} line {number} is not JSON: {exc}") from exc
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
            raise GoldFileError(f"{source} line {number}: {problems}") from exc
        except ValueError as exc:  # SceneGraphError from to_scene_graph
            raise GoldFileError(f"{source} line {number}: {exc}") from exc
        if example.id in seen:
            raise GoldFileError(f"{source} line {number}: duplicate id {example.id!r}")
        seen.add(example.id)
        examples.append(example)
    return examples


def load_gold(path: str | Path) -> list[GoldExample]:
    path = Path(path)
    with path.open(encoding="utf-8") as fh:
        return parse_gold_lines(fh, source=str(path))
