"""BAGEL in each loop role. All three share one `BagelRuntime`, so the weights are loaded
once and a canvas encoded for the plan is reused by the inspection and the next edit.

* plan    — the offline planner proposes the next step; BAGEL rewrites it as <ins>/<des> given the
            prompt, the scene and the canvas (ViT). Unusable or unfaithful output falls back to the
            proposal, and the step says so (`source="fallback"`).
* sketch  — step 0: text-to-image from the step's scene description; later steps: an edit of the
            canvas with the instruction (reference CFG defaults for generation vs editing).
* inspect — per-fact questions (presence, count, colour, relation, the instruction) answered by the
            model from the image; optionally combined with a real detector + the scene-graph checker,
            reporting where the two disagree.
* refine  — an edit of the failed sketch with the corrective instruction.
"""

from __future__ import annotations

from PIL import Image

from stagestudio.backends.bagel import prompts
from stagestudio.backends.bagel.runtime import BagelRuntime
from stagestudio.backends.base import (
    Planner,
    PlanRequest,
    RefineRequest,
    Sketcher,
    SketchRequest,
    StageHooks,
)
from stagestudio.inspector.detection import Detector
from stagestudio.inspector.model_inspector import MODES as INSPECTORS
from stagestudio.inspector.model_inspector import ModelInspector, YesNoAnswer, YesNoModel
from stagestudio.inspector.questions import Question
from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.plan import PlanStep


class BagelPlanner(Planner):
    def __init__(self, runtime: BagelRuntime) -> None:
        self.runtime = runtime

    def extract_graph(self, prompt: str) -> SceneGraph:
        from stagestudio.scene.parser import parse_prompt

        return parse_prompt(prompt)

    def plan_request(self, request: PlanRequest, proposal: PlanStep) -> str:
        """The text asking for the step (an adapter trained on its own format overrides it)."""
        return prompts.plan_prompt(request.prompt, request.graph, request.done, proposal)

    def plan(self, request: PlanRequest) -> PlanStep | None:
        from stagestudio.backends.model_planning import plan_with_model

        def write(ask: str, canvas: Image.Image | None) -> str:
            inf = self.runtime.inferencer
            inf.seed(request.seed)
            state = self.runtime.image_context(canvas, request.prompt, vae=False)
            return inf.generate_text(inf.append_text(state.cond, ask),
                                     max_length=self.runtime.settings.max_plan_tokens).text

        return plan_with_model(request, write, ask=self.plan_request)

    def close(self) -> None:
        self.runtime.close()


class BagelSketcher(Sketcher):
    def __init__(self, runtime: BagelRuntime) -> None:
        self.runtime = runtime

    def sketch(self, request: SketchRequest, hooks: StageHooks | None = None) -> Image.Image:
        rt = self.runtime
        inf = rt.inferencer
        if request.canvas is None:
            state = inf.add_text(inf.new_contexts(), request.step.description or request.step.instruction)
            return rt.generate(state, request.seed, editing=False, hooks=hooks)
        state = rt.image_context(request.canvas, request.prompt)
        state = inf.add_text(state, request.step.instruction)
        return rt.generate(state, request.seed, editing=True, hooks=hooks)

    def refine_text(self, request: RefineRequest) -> str:
        """The edit instruction of a refinement (an adapter trained on its own format overrides it)."""
        return request.correction

    def refine(self, request: RefineRequest, hooks: StageHooks | None = None) -> Image.Image:
        rt = self.runtime
        state = rt.image_context(request.image, request.prompt)
        state = rt.inferencer.add_text(state, self.refine_text(request))
        return rt.generate(state, request.seed, editing=True, hooks=hooks)

    def close(self) -> None:
        self.runtime.close()


class BagelYesNo(YesNoModel):
    """BAGEL answering yes/no questions about one image, the image alone as context
    ([image, question], as the reference's understanding path lays it out)."""

    source = "vqa"

    def __init__(self, runtime: BagelRuntime) -> None:
        self.runtime = runtime

    def answer_yes_no(self, image: Image.Image, questions: list[Question], seed: int,
                      hooks: StageHooks | None = None) -> list[YesNoAnswer]:
        rt = self.runtime
        inf = rt.inferencer
        inf.seed(seed)
        state = rt.image_context(image, "", vae=False)
        answers = []
        for question in questions:
            if hooks and hooks.cancel:
                hooks.cancel.raise_if_cancelled()
            text = inf.generate_text(inf.append_text(state.cond, question.text),
                                     max_length=rt.settings.max_answer_tokens).text
            answers.append(YesNoAnswer(text=text))
        return answers

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
