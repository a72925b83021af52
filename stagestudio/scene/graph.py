"""The scene graph: what a prompt asks for, as objects and relations.

Objects carry a canonical name (a GenEval/COCO class string where the noun denotes one),
a count and attributes; relations are directed (subject, predicate, object) triples.
The graph is plain data (pydantic) so it crosses process, database and UI boundaries
unchanged; a networkx view is built on demand for layout and ordering.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

import networkx as nx
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

# Predicates the checker and the renderer understand. The parser emits the GenEval four
# (left of / right of / above / below) for every positional paraphrase, so graphs compare
# directly with GenEval metadata; the others describe contact, depth and proximity.
PREDICATES: tuple[str, ...] = (
    "left of",
    "right of",
    "above",
    "below",
    "on",
    "under",
    "in front of",
    "behind",
    "next to",
    "near",
    "inside",
)

# The predicate that says the same thing with subject and object swapped.
INVERSE_PREDICATE: dict[str, str] = {
    "left of": "right of",
    "right of": "left of",
    "above": "below",
    "below": "above",
    "on": "under",
    "under": "on",
    "in front of": "behind",
    "behind": "in front of",
    "next to": "next to",
    "near": "near",
}

MAX_COUNT = 20

# Action predicates are free-form verb phrases ("riding", "holding", "looking at"): lower-case
# words, at most four, so markup or sentences never pass for a predicate.
_ACTION_PREDICATE = re.compile(r"[a-z][a-z'-]*(?: [a-z][a-z'-]*){0,3}")

GraphSource = Literal["parser", "model", "user"]


def is_spatial(predicate: str) -> bool:
    """Whether a predicate is one of the geometric ones a box checker can verify."""
    return predicate in PREDICATES


class SceneGraphError(ValueError):
    """A scene graph (or its JSON) is malformed; the message says what to fix."""


class ObjectAttributes(BaseModel):
    model_config = ConfigDict(extra="forbid")

    color: str | None = None
    material: str | None = None
    size: str | None = None
    adjectives: list[str] = Field(default_factory=list)
    # Parts and features that belong to the object and are not drawn as objects of their own:
    # "handle", "four sturdy legs", "pink nose".
    parts: list[str] = Field(default_factory=list)
    # Measurements, quantities and durations: "150 centimeters long", "two hours old".
    measurements: list[str] = Field(default_factory=list)

    def to_json_dict(self) -> dict[str, Any]:
        # `color` is always present (possibly null) so consumers can rely on the key;
        # the others only when set, keeping the common case compact.
        out: dict[str, Any] = {"color": self.color}
        if self.material:
            out["material"] = self.material
        if self.size:
            out["size"] = self.size
        if self.adjectives:
            out["adjectives"] = list(self.adjectives)
        if self.parts:
            out["parts"] = list(self.parts)
        if self.measurements:
            out["measurements"] = list(self.measurements)
        return out

    def phrase(self) -> str:
        """Attributes as they read before the noun: 'small red wooden'."""
        words = [self.size, *self.adjectives, self.color, self.material]
        return " ".join(w for w in words if w)


class SceneObject(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    count: int = 1
    attributes: ObjectAttributes = Field(default_factory=ObjectAttributes)
    # The noun the prompt calls it by, where that says more than the class `name` the checker
    # looks for: "astronaut" for a person, "mug" for a cup. Instructions and questions use it, so
    # a step draws "an astronaut riding a horse", not "a person riding a horse".
    noun: str | None = None

    @field_validator("name")
    @classmethod
    def _name_not_empty(cls, v: str) -> str:
        v = v.strip().lower()
        if not v:
            raise ValueError("object name must not be empty")
        return v

    @field_validator("noun")
    @classmethod
    def _noun_only_when_it_differs(cls, v: str | None, info: ValidationInfo) -> str | None:
        v = " ".join((v or "").split()).lower()
        return v if v and v != info.data.get("name") else None

    @property
    def called(self) -> str:
        """What the object is called in words: its noun, else its name."""
        return self.noun or self.name

    @field_validator("count")
    @classmethod
    def _count_in_range(cls, v: int) -> int:
        if not 1 <= v <= MAX_COUNT:
            raise ValueError(f"count must be between 1 and {MAX_COUNT}, got {v}")
        return v

    def noun_phrase(self, inflector: Any | None = None) -> str:
        """'two red cars', 'a silver spoon'."""
        from stagestudio.scene.text import noun_phrase

        return noun_phrase(self.called, self.count, self.attributes.phrase())


class Relation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: str
    predicate: str
    object: str

    @field_validator("predicate")
    @classmethod
    def _known_predicate(cls, v: str) -> str:
        v = " ".join(v.strip().lower().split())
        if v not in PREDICATES and not _ACTION_PREDICATE.fullmatch(v):
            raise ValueError(
                f"unknown predicate {v!r}; expected one of {', '.join(PREDICATES)}, "
                "or an action of one to four plain words ('riding', 'looking at')"
            )
        return v

    @property
    def is_spatial(self) -> bool:
        return is_spatial(self.predicate)

    @property
    def is_action(self) -> bool:
        """A free-form action ("riding", "holding"): not checkable from boxes, and not an
        ordering constraint (the planner draws both ends together instead)."""
        return not self.is_spatial


class SceneGraph(BaseModel):
    """Objects and relations of one prompt. Object order is mention order."""

    model_config = ConfigDict(extra="forbid")

    objects: list[SceneObject] = Field(default_factory=list)
    relations: list[Relation] = Field(default_factory=list)
    # Where the graph came from: the offline parser, a language model, or a person's edit;
    # `source_note` says why when a model's graph was replaced by the parser's.
    source: GraphSource = "parser"
    source_note: str = ""
    # A world-knowledge prompt rewritten into an explicit one before parsing ("an ostrich
    # running across open savanna"); None when the prompt was used as written.
    rewrite: str | None = None
    # What the extractor changed or could not keep, e.g. "count 150 of 'candle' capped at 20".
    notes: list[str] = Field(default_factory=list)

    # --- validation -------------------------------------------------------------------
    def validate_graph(self) -> SceneGraph:
        """Check referential integrity; raise SceneGraphError naming the offending item."""
        ids = [o.id for o in self.objects]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise SceneGraphError(f"duplicate object id(s): {', '.join(dupes)}")
        known = set(ids)
        for r in self.relations:
            for end in (r.subject, r.object):
                if end not in known:
                    raise SceneGraphError(
                        f"relation '{r.subject} {r.predicate} {r.object}' refers to unknown object id {end!r}"
                    )
            if r.subject == r.object:
                raise SceneGraphError(f"relation '{r.subject} {r.predicate} {r.object}' relates an object to itself")
        try:
            order = list(nx.topological_sort(self.dependency_graph()))
        except nx.NetworkXUnfeasible as exc:
            raise SceneGraphError("relations form a cycle; remove one relation so objects can be placed in order") from exc
        del order
        return self

    # --- access -----------------------------------------------------------------------
    def object(self, object_id: str) -> SceneObject:
        for o in self.objects:
            if o.id == object_id:
                return o
        raise KeyError(object_id)

    def relations_of(self, object_id: str) -> list[Relation]:
        return [r for r in self.relations if object_id in (r.subject, r.object)]

    def next_object_id(self) -> str:
        taken = {o.id for o in self.objects}
        n = 1
        while f"o{n}" in taken:
            n += 1
        return f"o{n}"

    def subgraph(self, object_ids: list[str] | set[str]) -> SceneGraph:
        """The objects named and the relations among them."""
        keep = set(object_ids)
        return SceneGraph(
            objects=[o.model_copy(deep=True) for o in self.objects if o.id in keep],
            relations=[r.model_copy() for r in self.relations if r.subject in keep and r.object in keep],
            source=self.source,
            source_note=self.source_note,
            rewrite=self.rewrite,
        )

    # --- networkx views ----------------------------------------------------------------
    def to_networkx(self) -> nx.MultiDiGraph:
        g = nx.MultiDiGraph()
        for o in self.objects:
            g.add_node(o.id, name=o.name, count=o.count, **o.attributes.model_dump())
        for r in self.relations:
            g.add_edge(r.subject, r.object, predicate=r.predicate)
        return g

    def dependency_graph(self) -> nx.DiGraph:
        """Edge reference -> placed object: a spatial relation's object must exist before its
        subject. Action relations add no edge ("a knight facing a dragon, the dragon to the
        right of the knight" is no cycle)."""
        g = nx.DiGraph()
        g.add_nodes_from(o.id for o in self.objects)
        for r in self.relations:
            if r.is_spatial:
                g.add_edge(r.object, r.subject)
        return g

    @property
    def spatial_relations(self) -> list[Relation]:
        return [r for r in self.relations if r.is_spatial]

    @property
    def action_relations(self) -> list[Relation]:
        return [r for r in self.relations if r.is_action]

    # --- JSON ---------------------------------------------------------------------------
    def to_json_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "objects": [
                {"id": o.id, "name": o.name, **({"noun": o.noun} if o.noun else {}), "count": o.count,
                 "attributes": o.attributes.to_json_dict()}
                for o in self.objects
            ],
            "relations": [{"subject": r.subject, "predicate": r.predicate, "object": r.object} for r in self.relations],
            "source": self.source,
        }
        # Optional provenance only when set, so a plain parse stays compact.
        if self.source_note:
            out["source_note"] = self.source_note
        if self.rewrite:
            out["rewrite"] = self.rewrite
        if self.notes:
            out["notes"] = list(self.notes)
        return out

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_json_dict(), ensure_ascii=False, **kwargs)

    @classmethod
    def from_json_dict(cls, data: Any) -> SceneGraph:
        if not isinstance(data, dict):
            raise SceneGraphError("scene graph JSON must be an object with 'objects' and 'relations'")
        try:
            graph = cls.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
            )
            raise SceneGraphError(f"invalid scene graph: {problems}") from exc
        return graph.validate_graph()

    @classmethod
    def from_json(cls, text: str) -> SceneGraph:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SceneGraphError(f"scene graph is not valid JSON: {exc}") from exc
        return cls.from_json_dict(data)

    def describe(self) -> str:
        """A plain-English description of the whole scene."""
        from stagestudio.scene.text import describe_graph

        return describe_graph(self)
