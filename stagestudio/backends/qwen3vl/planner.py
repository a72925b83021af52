"""Qwen3-VL as the planner: the scene graph written by the model (checked by the schema, one
repair, the offline parser as the fallback: `scene.model_graph`), and each step planned by the
model looking at the canvas (`backends.model_planning`)."""

from __future__ import annotations

from stagestudio.backends.base import Planner, PlanRequest
from stagestudio.backends.model_planning import plan_with_model
from stagestudio.backends.qwen3vl.runtime import Qwen3VLRuntime
from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.plan import PlanStep


class Qwen3VLPlanner(Planner):
    """`graph="model"`: the model writes the scene graph; `"parser"`: the offline parser does.
    `rewrite`: first ask the model to name what a knowledge prompt describes indirectly."""

    def __init__(self, runtime: Qwen3VLRuntime, graph: str = "model", rewrite: bool = False,
                 max_plan_tokens: int = 200, max_graph_tokens: int = 600) -> None:
        self.runtime = runtime
        self.graph = graph
        self.rewrite = rewrite
        self.max_plan_tokens = max_plan_tokens
        self.max_graph_tokens = max_graph_tokens

    def extract_graph(self, prompt: str) -> SceneGraph:
        from stagestudio.scene.model_graph import extract_graph_with_model
        from stagestudio.scene.parser import parse_prompt

        if self.graph == "parser":
            return parse_prompt(prompt)

        def write(text: str) -> str:
            return self.runtime.generate(text, None, max_new_tokens=self.max_graph_tokens)

        return extract_graph_with_model(prompt, write, rewrite=write if self.rewrite else None)

    def plan(self, request: PlanRequest) -> PlanStep | None:
        return plan_with_model(
            request, lambda text, canvas: self.runtime.generate(text, canvas, max_new_tokens=self.max_plan_tokens))

    def close(self) -> None:
        self.runtime.close()
