"""A planner on any model that writes text about an image: the offline planner proposes the
next step, the model rewrites it as <ins>/<des> given the prompt, the scene and the canvas,
and the answer is checked (BAGEL's planning prompt and parser, `backends/bagel/prompts.py`)
before it is used. Unusable or unfaithful output falls back to the proposal, and the step
says so (`source="fallback"`)."""

from __future__ import annotations

from collections.abc import Callable

from PIL import Image

from stagestudio.backends.base import PlanRequest
from stagestudio.scene.plan import PlanStep

# (prompt, canvas or None) -> the model's answer
WriteAboutImage = Callable[[str, Image.Image | None], str]


def plan_with_model(request: PlanRequest, write: WriteAboutImage,
                    ask: Callable[[PlanRequest, PlanStep], str] | None = None) -> PlanStep | None:
    """`ask` writes the request from the proposal (default: BAGEL's planning prompt; a model
    fine-tuned on its own format, e.g. a PSIR adapter, brings its own)."""
    from stagestudio.backends.bagel import prompts
    from stagestudio.scene.planner import next_planned_step

    proposal = next_planned_step(request.graph, request.done, request.max_steps, request.realised_ids)
    if proposal is None:
        return None
    question = ask(request, proposal) if ask is not None else prompts.plan_prompt(
        request.prompt, request.graph, request.done, proposal)
    answer = write(question, request.canvas)
    parsed = prompts.parse_plan(answer)
    if parsed is None or not prompts.plan_is_faithful(parsed, proposal, request.graph):
        why = "unusable" if parsed is None else "did not name every object of the step"
        return proposal.model_copy(
            update={"source": "fallback", "note": f"model plan {why}: {answer[:160]!r}; used the offline planner"}
        )
    return proposal.model_copy(
        update={"instruction": parsed.instruction, "description": parsed.description, "source": "model"}
    )
