"""The remote BAGEL in each loop role, asking what the local BAGEL backend asks (the same
plan prompt and parser, the same inspection questions, answer reading and corrections):

* graph   — text2text: the model writes the scene graph as JSON (`scene.model_graph`), with the
            offline parser as the fallback; or the parser alone (`graph="parser"`).
* plan    — the offline planner proposes the step; the model rewrites it as <ins>/<des>
            (img2text on the canvas, text2text before there is one). Unusable or unfaithful
            output falls back to the proposal, and the step says so.
* sketch  — text2img from the step's description for the first step, img2img of the canvas
            with the instruction after that.
* inspect — one img2text yes/no question per fact; the text answers are read strictly
            (`inspector.answers`), so an unclear answer is "unsure", never a pass.
* refine  — img2img of the failed sketch with the corrective instruction.

Progress is per stage only: vLLM-Omni's chat endpoint returns the finished picture and
streams no denoising steps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PIL import Image

from stagestudio.backends.bagel import prompts
from stagestudio.backends.base import (
    InspectRequest,
    Inspector,
    Planner,
    PlanRequest,
    RefineRequest,
    Sketcher,
    SketchRequest,
    StageHooks,
)
from stagestudio.backends.remote.client import OmniClient
from stagestudio.backends.remote.dialect import ImageAsk, TextAsk
from stagestudio.backends.remote.sampler import sampler_args
from stagestudio.inspector.model_inspector import ModelInspector, YesNoAnswer, YesNoModel
from stagestudio.inspector.questions import Question
from stagestudio.inspector.verdict import Verdict
from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.plan import PlanStep

SESSION_KEY = "session_id"  # StageHooks.extra: which session an inspection belongs to
GRAPH_SEED = 0  # the graph is extracted before a session exists; greedy decoding ignores it anyway


def _cancel(hooks: StageHooks | None):
    return hooks.cancel if hooks is not None else None


class RemoteModel:
    """The served BAGEL as the roles use it: draw a picture, answer in text."""

    def __init__(self, client: OmniClient) -> None:
        self.client = client
        self.settings = client.settings

    def draw(self, session_id: str, prompt: str, seed: int, image: Image.Image | None = None,
             hooks: StageHooks | None = None) -> Image.Image:
        s = self.settings
        if hooks is not None and hooks.cancel is not None:
            hooks.cancel.raise_if_cancelled()
        ask = ImageAsk(prompt=prompt, width=s.resolution, height=s.resolution, steps=s.num_timesteps, seed=seed,
                       image=image, sampler=sampler_args(editing=image is not None, timestep_shift=s.timestep_shift,
                                                         cfg_text_scale=s.cfg_text_scale))
        return self.client.image(session_id, ask, _cancel(hooks))

    def answer(self, session_id: str, prompt: str, seed: int, max_tokens: int, image: Image.Image | None = None,
               hooks: StageHooks | None = None) -> str:
        if hooks is not None and hooks.cancel is not None:
            hooks.cancel.raise_if_cancelled()
        ask = TextAsk(prompt=prompt, seed=seed, max_tokens=max_tokens, image=image)
        return self.client.text(session_id, ask, _cancel(hooks))

    def end_session(self, session_id: str) -> None:
        self.client.end_session(session_id)


def plan_with_model(request: PlanRequest, ask: Callable[[str], str]) -> PlanStep | None:
    """The offline planner's next step, rewritten by a model as <ins>/<des> when its answer
    is usable and still names every object of the step; otherwise the proposal, with a note."""
    from stagestudio.scene.planner import next_planned_step

    proposal = next_planned_step(request.graph, request.done, request.max_steps, request.realised_ids)
    if proposal is None:
        return None
    answer = ask(prompts.plan_prompt(request.prompt, request.graph, request.done, proposal))
    parsed = prompts.parse_plan(answer)
    if parsed is None or not prompts.plan_is_faithful(parsed, proposal, request.graph):
        why = "unusable" if parsed is None else "did not name every object of the step"
        note = f"model plan {why}: {answer[:160]!r}; used the offline planner"
        return proposal.model_copy(update={"source": "fallback", "note": note})
    return proposal.model_copy(
        update={"instruction": parsed.instruction, "description": parsed.description, "source": "model"}
    )


class RemotePlanner(Planner):
    def __init__(self, model: RemoteModel) -> None:
        self.model = model

    def extract_graph(self, prompt: str) -> SceneGraph:
        from stagestudio.scene.model_graph import extract_graph_with_model
        from stagestudio.scene.parser import parse_prompt

        s = self.model.settings
        if s.graph == "parser":
            return parse_prompt(prompt)
        return extract_graph_with_model(
            prompt, lambda ask: self.model.answer("", ask, GRAPH_SEED, s.max_graph_tokens), fallback=parse_prompt
        )

    def plan(self, request: PlanRequest) -> PlanStep | None:
        s = self.model.settings
        return plan_with_model(request, lambda ask: self.model.answer(
            request.session_id, ask, request.seed, s.max_plan_tokens, image=request.canvas))


class RemoteSketcher(Sketcher):
    def __init__(self, model: RemoteModel) -> None:
        self.model = model

    def sketch(self, request: SketchRequest, hooks: StageHooks | None = None) -> Image.Image:
        if request.canvas is None:
            return self.model.draw(request.session_id, request.step.description or request.step.instruction,
                                   request.seed, hooks=hooks)
        return self.model.draw(request.session_id, request.step.instruction, request.seed, request.canvas, hooks)

    def refine(self, request: RefineRequest, hooks: StageHooks | None = None) -> Image.Image:
        return self.model.draw(request.session_id, request.correction, request.seed, request.image, hooks)


class RemoteYesNo(YesNoModel):
    """Each question as one img2text request about the image alone; the answer is text."""

    source = "vqa"

    def __init__(self, model: RemoteModel) -> None:
        self.model = model

    def answer_yes_no(self, image: Image.Image, questions: list[Question], seed: int,
                      hooks: StageHooks | None = None) -> list[YesNoAnswer]:
        session_id = str((hooks.extra if hooks is not None else {}).get(SESSION_KEY, ""))
        limit = self.model.settings.max_answer_tokens
        return [YesNoAnswer(text=self.model.answer(session_id, q.text, seed, limit, image, hooks)) for q in questions]


class RemoteInspector(Inspector):
    """The shared model inspector over the remote yes/no model. It tells the model which
    session is asking (so the questions go to the session's endpoint), and a final
    whole-prompt inspection ends the session's hold on its endpoint."""

    def __init__(self, model: RemoteModel) -> None:
        self.model = model
        self.inner = ModelInspector(RemoteYesNo(model), mode="vqa")

    def inspect(self, request: InspectRequest, hooks: StageHooks | None = None) -> Verdict:
        hooks = hooks or StageHooks()
        hooks = replace(hooks, extra={**hooks.extra, SESSION_KEY: request.session_id})
        verdict = self.inner.inspect(request, hooks)
        if request.step is None:
            self.model.end_session(request.session_id)
        return verdict
