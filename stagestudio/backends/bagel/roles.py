"""BAGEL in each loop role. All three share one `BagelRuntime`, so the weights are loaded
once and a canvas encoded for the plan is reused by the inspection.

* graph   — BAGEL writes the scene-graph JSON (`extract_graph_with_model`: worked examples, schema
            check, one repair, else the offline parser, and the graph says which); knowledge
            prompts are first rewritten in BAGEL's think mode. `graph="parser"` uses the offline
            parser only.
* plan    — the offline planner proposes the next step; BAGEL rewrites it as <ins>/<des> given the
            prompt, the scene and the canvas (ViT). Unusable or unfaithful output falls back to the
            proposal, and the step says so (`source="fallback"`).
* sketch  — step 0: text-to-image from the step's scene description; later steps: an edit laid out
            as the reference lays edits out, [canvas, instruction] (no global prompt, which names
            objects not planned yet); reference CFG defaults for generation vs editing.
* inspect — one yes/no question per fact, about the image alone ([image, question]); p(yes) from the
            answer-token logits, all questions in one packed forward; optionally combined with a
            real detector + the scene-graph checker, reporting where the two disagree.
* refine  — an edit of the failed sketch with the step's instruction and the correction.

Every random draw of a stage comes from that stage's seed (see `runtime.py`).
"""

from __future__ import annotations

from PIL import Image

from stagestudio.backends.bagel import prompts
from stagestudio.backends.bagel.runtime import BagelRuntime
from stagestudio.backends.bagel.stopping import stop_after_json_object, stop_at
from stagestudio.backends.base import (
    Planner,
    PlanRequest,
    RefineRequest,
    Sketcher,
    SketchRequest,
    StageHooks,
)
from stagestudio.inspector.detection import Detector
from stagestudio.inspector.model_inspector import ModelInspector, YesNoAnswer, YesNoModel
from stagestudio.inspector.questions import Question
from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.plan import PlanStep


GRAPH_SOURCES = ("model", "parser")


class BagelPlanner(Planner):
    def __init__(self, runtime: BagelRuntime) -> None:
        self.runtime = runtime

    def extract_graph(self, prompt: str) -> SceneGraph:
        from stagestudio.scene.model_graph import extract_graph_with_model
        from stagestudio.scene.parser import parse_prompt

        # The parser first: a bad prompt is refused with its one-line error before any model
        # call, and its graph is the fallback for this prompt.
        parsed = parse_prompt(prompt)
        if self.runtime.settings.graph == "parser":
            return parsed
        return extract_graph_with_model(
            prompt, self._graph_answer, rewrite=self._think_answer,
            fallback=lambda text: parsed if text == prompt else parse_prompt(text),
        )

    def _graph_answer(self, ask: str) -> str:
        """BAGEL's text answer to `ask`, stopped as soon as its JSON object closes."""
        inf = self.runtime.inferencer
        ctx = inf.append_text(inf.new_contexts().cond, ask)
        return inf.generate_text(ctx, max_length=self.runtime.settings.max_graph_tokens,
                                 stop=stop_after_json_object).text

    def _think_answer(self, ask: str) -> str:
        """BAGEL's think mode (the reference's reasoning system prompt, then the question)."""
        from stagestudio.backends.bagel.inferencer import VLM_THINK_SYSTEM_PROMPT

        inf = self.runtime.inferencer
        state = inf.add_system_prompt(inf.new_contexts(), VLM_THINK_SYSTEM_PROMPT)
        state = inf.add_text(state, ask)
        return inf.generate_text(state.cond, max_length=self.runtime.settings.max_think_tokens).text

    def plan_request(self, request: PlanRequest, proposal: PlanStep) -> str:
        """The text asking for the step (an adapter trained on its own format overrides it)."""
        return prompts.plan_prompt(request.prompt, request.graph, request.done, proposal)

    def plan(self, request: PlanRequest) -> PlanStep | None:
        from stagestudio.backends.model_planning import plan_with_model

        def write(ask: str, canvas: Image.Image | None) -> str:
            inf = self.runtime.inferencer
            # [canvas, request] as in the reference's understanding path; greedy, so no random draw.
            state = self.runtime.understanding_context(canvas)
            return inf.generate_text(inf.append_text(state.cond, ask), max_length=self.runtime.settings.max_plan_tokens,
                                     stop=stop_at("</des>")).text

        return plan_with_model(request, write, ask=self.plan_request)

    def close(self) -> None:
        self.runtime.close()


class BagelSketcher(Sketcher):
    def __init__(self, runtime: BagelRuntime) -> None:
        self.runtime = runtime

    def sketch(self, request: SketchRequest, hooks: StageHooks | None = None) -> Image.Image:
        if request.canvas is None:
            text = request.step.description or request.step.instruction
            return self.runtime.text_to_image(text, request.seed, hooks)
        return self.runtime.edit(request.canvas, request.step.instruction, request.seed, hooks)

    def refine_text(self, request: RefineRequest) -> str:
        """The edit instruction of a refinement: the step's instruction and the correction (an
        adapter trained on its own format overrides it)."""
        return prompts.refine_instruction(request.step.instruction, request.correction)

    def refine(self, request: RefineRequest, hooks: StageHooks | None = None) -> Image.Image:
        instruction = self.refine_text(request)
        return self.runtime.edit(request.image, instruction, request.seed, hooks)

    def close(self) -> None:
        self.runtime.close()


class BagelYesNo(YesNoModel):
    """BAGEL answering yes/no questions about one image, the image alone as context
    ([image, question], as the reference's understanding path lays it out), p(yes) read from
    the answer-token logits of one packed forward over the cached image context."""

    source = "vqa"

    def __init__(self, runtime: BagelRuntime) -> None:
        self.runtime = runtime

    def answer_yes_no(self, image: Image.Image, questions: list[Question], seed: int,
                      hooks: StageHooks | None = None) -> list[YesNoAnswer]:
        if hooks and hooks.cancel:
            hooks.cancel.raise_if_cancelled()
        state = self.runtime.understanding_context(image)
        p_yes = self.runtime.inferencer.yes_no_probabilities(state.cond, [q.text for q in questions])
        return [YesNoAnswer(p_yes=p) for p in p_yes]

    def close(self) -> None:
        self.runtime.close()


def bagel_inspector(runtime: BagelRuntime, mode: str = "vqa", detector: str = "mask2former") -> ModelInspector:
    """BAGEL's questions ("vqa"), a detector with the scene-graph checker ("detector"), or both."""
    checker = None
    if mode != "vqa":
        from stagestudio.inspector.checker import SceneGraphChecker
        from stagestudio.inspector.detectors import create_detector

        checker = SceneGraphChecker(_LazyDetector(lambda: create_detector(detector, color=True), detector))
    return ModelInspector(BagelYesNo(runtime) if mode != "detector" else None, mode=mode, checker=checker)


class _LazyDetector(Detector):
    """Builds the detector on first use, so settings and status stay cheap."""

    def __init__(self, build, name: str) -> None:
        self._build = build
        self._detector = None
        self.name = name

    def detect(self, image, labels):
        if self._detector is None:
            self._detector = self._build()
        return self._detector.detect(image, labels)
