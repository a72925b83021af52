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
    InspectRequest,
    Inspector,
    Planner,
    PlanRequest,
    RefineRequest,
    Sketcher,
    SketchRequest,
    StageHooks,
)
from stagestudio.inspector.verdict import FactResult, Verdict
from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.plan import PlanStep

INSPECTORS = ("vqa", "detector", "both")


class BagelPlanner(Planner):
    def __init__(self, runtime: BagelRuntime) -> None:
        self.runtime = runtime

    def extract_graph(self, prompt: str) -> SceneGraph:
        from stagestudio.scene.parser import parse_prompt

        return parse_prompt(prompt)

    def plan(self, request: PlanRequest) -> PlanStep | None:
        from stagestudio.scene.planner import next_planned_step

        proposal = next_planned_step(request.graph, request.done, request.max_steps, request.realised_ids)
        if proposal is None:
            return None
        inf = self.runtime.inferencer
        inf.seed(request.seed)
        state = self.runtime.image_context(request.canvas, request.prompt, vae=False)
        ask = prompts.plan_prompt(request.prompt, request.graph, request.done, proposal)
        answer = inf.generate_text(inf.append_text(state.cond, ask),
                                   max_length=self.runtime.settings.max_plan_tokens).text
        parsed = prompts.parse_plan(answer)
        if parsed is None or not prompts.plan_is_faithful(parsed, proposal, request.graph):
            why = "unusable" if parsed is None else "did not name every object of the step"
            return proposal.model_copy(
                update={"source": "fallback", "note": f"model plan {why}: {answer[:160]!r}; used the offline planner"}
            )
        return proposal.model_copy(
            update={"instruction": parsed.instruction, "description": parsed.description, "source": "model"}
        )

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

    def refine(self, request: RefineRequest, hooks: StageHooks | None = None) -> Image.Image:
        rt = self.runtime
        state = rt.image_context(request.image, request.prompt)
        state = rt.inferencer.add_text(state, request.correction)
        return rt.generate(state, request.seed, editing=True, hooks=hooks)

    def close(self) -> None:
        self.runtime.close()


class BagelInspector(Inspector):
    """Model questions ("vqa"), a detector with the scene-graph checker ("detector"), or both."""

    def __init__(self, runtime: BagelRuntime, mode: str = "vqa", detector: str = "mask2former") -> None:
        if mode not in INSPECTORS:
            raise ValueError(f"unknown inspector {mode!r}; choose one of {', '.join(INSPECTORS)}")
        self.runtime = runtime
        self.mode = mode
        self.detector_name = detector
        self._checker = None

    def inspect(self, request: InspectRequest, hooks: StageHooks | None = None) -> Verdict:
        facts: list[FactResult] = []
        instruction = request.step.instruction if request.step is not None else None
        if self.mode in ("vqa", "both"):
            facts.extend(self._vqa_facts(request, instruction, hooks))
        if self.mode in ("detector", "both"):
            detector_verdict = self._detector_checker().check(request.image, request.target, instruction)
            facts.extend(detector_verdict.facts)
        disagreements = _disagreements(facts) if self.mode == "both" else []
        failed = [f for f in facts if not f.passed]
        critique, correction = prompts.critique_and_correction(failed, request.target)
        if disagreements:
            critique = (critique + " " if critique else "") + "Model and detector disagree on: " + "; ".join(disagreements) + "."
        return Verdict(passed=not failed, facts=facts, critique=critique, correction=correction)

    def _vqa_facts(self, request: InspectRequest, instruction: str | None, hooks: StageHooks | None) -> list[FactResult]:
        rt = self.runtime
        inf = rt.inferencer
        inf.seed(request.seed)
        state = rt.image_context(request.image, request.prompt, vae=False)
        facts = []
        for question in prompts.inspection_questions(request.target, instruction):
            if hooks and hooks.cancel:
                hooks.cancel.raise_if_cancelled()
            answer = inf.generate_text(inf.append_text(state.cond, question.text),
                                       max_length=rt.settings.max_answer_tokens).text
            facts.append(prompts.fact_from_answer(question, answer))
        return facts

    def _detector_checker(self):
        if self._checker is None:
            from stagestudio.inspector.checker import SceneGraphChecker
            from stagestudio.inspector.detectors import create_detector

            self._checker = SceneGraphChecker(create_detector(self.detector_name, color=True))
        return self._checker

    def close(self) -> None:
        self._checker = None
        self.runtime.close()


def _disagreements(facts: list[FactResult]) -> list[str]:
    """Facts that the model (vqa) and the detector judged differently."""
    by_fact: dict[tuple[str, tuple[str, ...]], dict[str, bool]] = {}
    for f in facts:
        by_fact.setdefault((f.kind, tuple(f.object_ids)), {})[f.source] = f.passed
    out = []
    for (kind, ids), verdicts in by_fact.items():
        if "vqa" in verdicts and len(verdicts) > 1 and len(set(verdicts.values())) > 1:
            out.append(f"{kind} of {', '.join(ids)}")
    return out
