"""Roles that need no model: the offline parser and planner, and an inspector made of a
detector plus the scene-graph checker. Any backend can use them for a role its own model
does not fill."""

from __future__ import annotations


from stagestudio.backends.base import InspectRequest, Inspector, Planner, PlanRequest, StageHooks
from stagestudio.inspector.checker import SceneGraphChecker
from stagestudio.inspector.verdict import Verdict
from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.plan import PlanStep


class OfflinePlanner(Planner):
    """The rule-based parser for the graph and the offline step planner."""

    def extract_graph(self, prompt: str) -> SceneGraph:
        from stagestudio.scene.parser import parse_prompt

        return parse_prompt(prompt)

    def plan(self, request: PlanRequest) -> PlanStep | None:
        from stagestudio.scene.planner import next_planned_step

        return next_planned_step(request.graph, request.done, request.max_steps, request.realised_ids)


class CheckerInspector(Inspector):
    """A detector finds the objects; the scene-graph checker turns boxes into facts."""

    def __init__(self, checker: SceneGraphChecker) -> None:
        self.checker = checker

    def inspect(self, request: InspectRequest, hooks: StageHooks | None = None) -> Verdict:
        if hooks and hooks.cancel:
            hooks.cancel.raise_if_cancelled()
        instruction = request.step.instruction if request.step is not None else None
        return self.checker.check(request.image, request.target, instruction)

