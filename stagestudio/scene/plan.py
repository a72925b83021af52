"""A planned step: the paper's <ins> (instruction) and <des> (description) plus the part of
the scene graph the step realises."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from stagestudio.scene.graph import SceneGraph


class PlanStep(BaseModel):
    model_config = ConfigDict(extra="forbid")

    index: int
    instruction: str
    description: str
    # Object ids this step adds (or changes); the cumulative target after the step is
    # every object realised by this and earlier steps.
    object_ids: list[str] = Field(default_factory=list)
    # Where the step came from: the offline planner, a model, a model's output that was
    # unusable and replaced by the offline planner ("fallback"), or a person.
    source: str = "planner"
    note: str = ""

    def target_graph(self, graph: SceneGraph, realised_before: list[str]) -> SceneGraph:
        """The part of `graph` that must be visible once this step is done."""
        return graph.subgraph(set(realised_before) | set(self.object_ids))
