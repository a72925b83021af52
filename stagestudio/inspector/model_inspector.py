"""An inspector made of a vision-language model that answers yes/no questions about an
image, optionally beside a detector + the scene-graph checker.

The model side is small on purpose (`YesNoModel`): BAGEL reads p(yes) from its logits, a
transformers VLM does the same, a remote server answers in text. Questions, answer reading,
critique and correction are shared (`questions`, `answers`, `corrections`), so every model
inspector judges the same facts the same way.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from PIL import Image

from stagestudio.backends.base import InspectRequest, Inspector, StageHooks
from stagestudio.inspector.answers import fact_from_answer
from stagestudio.inspector.corrections import critique_and_correction
from stagestudio.inspector.questions import Question, inspection_questions
from stagestudio.inspector.verdict import FactResult, Verdict, verdict_passes

MODES = ("vqa", "detector", "both")


@dataclass(frozen=True)
class YesNoAnswer:
    """A model's answer: p(yes) when its logits were read, and/or the text it wrote."""

    p_yes: float | None = None
    text: str = ""


class YesNoModel(ABC):
    """What a model must do to inspect: answer yes/no questions about one image."""

    source: str = "vqa"

    @abstractmethod
    def answer_yes_no(
        self, image: Image.Image, questions: list[Question], seed: int, hooks: StageHooks | None = None
    ) -> list[YesNoAnswer]:
        """One answer per question, in order. The image alone is the context: never the prompt."""

    def close(self) -> None:
        """Release the model (idempotent)."""


class ModelInspector(Inspector):
    """`vqa`: the model's answers; `detector`: a detector + the scene-graph checker; `both`:
    both, with the facts they judge differently named in the critique."""

    def __init__(self, model: YesNoModel | None, mode: str = "vqa", checker=None) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown inspector mode {mode!r}; choose one of {', '.join(MODES)}")
        if mode != "detector" and model is None:
            raise ValueError(f"inspector mode {mode!r} needs a model")
        if mode != "vqa" and checker is None:
            raise ValueError(f"inspector mode {mode!r} needs a detector")
        self.model = model
        self.mode = mode
        self.checker = checker

    def inspect(self, request: InspectRequest, hooks: StageHooks | None = None) -> Verdict:
        if self.mode == "detector":
            if hooks and hooks.cancel:
                hooks.cancel.raise_if_cancelled()
            instruction = request.step.instruction if request.step is not None else None
            return self.checker.check(request.image, request.target, instruction)
        questions = inspection_questions(request.target, request.step)
        answers = self.model.answer_yes_no(request.image, questions, request.seed, hooks)
        if len(answers) != len(questions):
            raise RuntimeError(f"the model answered {len(answers)} of {len(questions)} questions")
        facts = [fact_from_answer(q, p_yes=a.p_yes, answer=a.text, source=self.model.source)
                 for q, a in zip(questions, answers)]
        if self.mode == "both":
            if hooks and hooks.cancel:
                hooks.cancel.raise_if_cancelled()
            instruction = request.step.instruction if request.step is not None else None
            facts.extend(self.checker.check(request.image, request.target, instruction).facts)
        critique, correction = critique_and_correction(facts, request.target, request.step)
        disagreements = disagreements_between_sources(facts) if self.mode == "both" else []
        if disagreements:
            critique = (critique + " " if critique else "") + "Model and detector disagree on: " + "; ".join(disagreements) + "."
        passed = verdict_passes(facts)
        if passed and not critique:
            critique = "The image shows everything asked for."
        elif not passed and not correction and any(f.status == "unsure" for f in facts):
            unsure = [f.fact for f in facts if f.status == "unsure"]
            critique = (critique + " " if critique else "") + "Could not confirm: " + "; ".join(unsure) + "."
        return Verdict(passed=passed, facts=facts, critique=critique, correction=correction)

    def close(self) -> None:
        if self.model is not None:
            self.model.close()


def disagreements_between_sources(facts: list[FactResult]) -> list[str]:
    """Facts (by kind and objects) that two sources judged differently, e.g. the model said
    the bear is present and the detector did not find it. Unsure/unchecked verdicts are no
    disagreement."""
    by_fact: dict[tuple[str, tuple[str, ...]], dict[str, str]] = {}
    for f in facts:
        if f.status in ("pass", "fail"):
            by_fact.setdefault((f.kind, tuple(f.object_ids)), {})[f.source] = f.status
    out = []
    for (kind, ids), verdicts in by_fact.items():
        if len(verdicts) > 1 and len(set(verdicts.values())) > 1:
            out.append(f"{kind} of {', '.join(ids)}")
    return out
