"""Qwen3-VL as the inspector: the shared questions and answer reading (`ModelInspector`), with
p(yes) read from the answer-token logits; optionally beside a detector ("both", disagreements
reported), and optionally writing the corrective instruction itself.

A model-written correction is used only when it is usable: one short instruction that still
names every object a failed fact is about. Otherwise the rule-based correction stays, and the
critique says so."""

from __future__ import annotations

from PIL import Image

from stagestudio.backends.base import InspectRequest, StageHooks
from stagestudio.backends.qwen3vl.runtime import Qwen3VLRuntime
from stagestudio.inspector.model_inspector import ModelInspector, YesNoAnswer, YesNoModel
from stagestudio.inspector.questions import Question
from stagestudio.inspector.verdict import Verdict
from stagestudio.scene.graph import SceneGraph

MAX_CORRECTION_CHARS = 300


class Qwen3VLYesNo(YesNoModel):
    source = "vqa"

    def __init__(self, runtime: Qwen3VLRuntime) -> None:
        self.runtime = runtime

    def answer_yes_no(self, image: Image.Image, questions: list[Question], seed: int,
                      hooks: StageHooks | None = None) -> list[YesNoAnswer]:
        # One forward pass per batch of questions, no sampling: `seed` has nothing to draw.
        answers = self.runtime.yes_no(image, [q.text for q in questions], hooks)
        return [YesNoAnswer(p_yes=p, text=token) for p, token in answers]

    def close(self) -> None:
        self.runtime.close()


def correction_prompt(target: SceneGraph, critique: str) -> str:
    return (
        f"This picture should show: {target.describe()}.\n"
        f"An inspection found: {critique}\n"
        "Write one short editing instruction that fixes the picture. Answer with the instruction only."
    )


def usable_correction(answer: str, verdict: Verdict, target: SceneGraph) -> str | None:
    """The model's instruction, or None when it is empty, too long, or drops an object that a
    failed fact is about (a correction that forgets the missing spoon fixes nothing)."""
    text = " ".join(answer.strip().splitlines()[0].split()) if answer.strip() else ""
    if not text or len(text) > MAX_CORRECTION_CHARS or not any(c.isalpha() for c in text):
        return None
    known = {o.id: o for o in target.objects}
    lowered = text.lower()
    for fact in verdict.failed_facts:
        for object_id in fact.object_ids:
            if object_id in known and known[object_id].name.split()[-1] not in lowered:
                return None
    return text


class Qwen3VLInspector(ModelInspector):
    """`correction="rules"`: the shared rule-based correction; `"model"`: Qwen3-VL writes it
    from the image, the target and the critique (checked, with the rules as the fallback)."""

    def __init__(self, runtime: Qwen3VLRuntime, mode: str = "vqa", checker=None, correction: str = "rules",
                 max_correction_tokens: int = 60) -> None:
        super().__init__(Qwen3VLYesNo(runtime) if mode != "detector" else None, mode=mode, checker=checker)
        self.runtime = runtime
        self.correction = correction
        self.max_correction_tokens = max_correction_tokens

    def inspect(self, request: InspectRequest, hooks: StageHooks | None = None) -> Verdict:
        verdict = super().inspect(request, hooks)
        if self.correction != "model" or not verdict.correction:
            return verdict
        answer = self.runtime.generate(correction_prompt(request.target, verdict.critique), request.image,
                                       max_new_tokens=self.max_correction_tokens, hooks=hooks)
        written = usable_correction(answer, verdict, request.target)
        if written is None:
            note = f"(The model's correction {answer.strip()[:80]!r} was unusable; the rule-based one is used.)"
            return verdict.model_copy(update={"critique": f"{verdict.critique} {note}".strip()})
        return verdict.model_copy(update={"correction": written})

    def close(self) -> None:
        self.runtime.close()
