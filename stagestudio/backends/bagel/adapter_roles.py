"""BAGEL roles that speak the trained PSIR formats (`stagestudio/psir/formats.py`), used when a
loaded LoRA adapter says it was trained on them (`stagestudio_adapter.json`: formats "psir-v1"
and the tasks). Per task, so an adapter trained on plans only changes only the planner.

* plan    — [canvas (ViT)] + the trained plan request: the model writes `<ins>…</ins><des>…</des>`
            directly, without the offline planner's suggestion in the prompt (the offline step still
            decides which objects the step adds, and the answer must name them, as before).
* inspect — [sketch (ViT)] + the trained inspection request: one answer with the verdict, and for
            an inconsistent sketch the facts, critique and correction. An answer that cannot be read
            falls back to today's per-fact questions; the verdict then carries an `unchecked` fact
            with the request and the raw answer, so the trajectory says so.
* refine  — the failed sketch edited with the trained refine request (instruction + correction).

Sketching needs no switch: the trained sketch layouts are the reference's own, which the
sketcher already uses.
"""

from __future__ import annotations

from stagestudio.backends.bagel.roles import BagelPlanner, BagelSketcher
from stagestudio.backends.bagel.runtime import BagelRuntime
from stagestudio.backends.bagel.stopping import stop_at
from stagestudio.backends.base import InspectRequest, Inspector, PlanRequest, RefineRequest, StageHooks
from stagestudio.inspector.verdict import FactResult, Verdict
from stagestudio.psir import formats
from stagestudio.scene.plan import PlanStep

TRAINED_SOURCE = "vqa-psir"
MAX_INSPECTION_TOKENS = 300


def _drawn(request: PlanRequest) -> list[str]:
    realised = set(request.realised_ids)
    return [s.instruction for s in request.done if set(s.object_ids) & realised or not s.object_ids]


class TrainedPlanner(BagelPlanner):
    def plan_request(self, request: PlanRequest, proposal: PlanStep) -> str:
        return formats.plan_request(request.prompt, request.graph, _drawn(request))

    def plan(self, request: PlanRequest) -> PlanStep | None:
        step = super().plan(request)
        if step is None:
            return None
        note = f"{step.note} [{formats.FORMATS_NAME} format]" if step.note else f"{formats.FORMATS_NAME} format"
        return step.model_copy(update={"note": note})


class TrainedRefiner(BagelSketcher):
    def refine_text(self, request: RefineRequest) -> str:
        return formats.refine_request(request.step.instruction, request.correction)


class TrainedInspector(Inspector):
    """One trained answer per sketch; `fallback` (today's inspector) when it cannot be read."""

    def __init__(self, runtime: BagelRuntime, fallback: Inspector) -> None:
        self.runtime = runtime
        self.fallback = fallback
        self.mode = getattr(fallback, "mode", "vqa")

    def inspect(self, request: InspectRequest, hooks: StageHooks | None = None) -> Verdict:
        if hooks and hooks.cancel:
            hooks.cancel.raise_if_cancelled()
        inf = self.runtime.inferencer
        instruction = request.step.instruction if request.step is not None else request.prompt
        ask = formats.inspect_request(instruction, request.target)
        # [image (ViT), request]: the reference's understanding layout, as trained; no random draw.
        state = self.runtime.understanding_context(request.image)
        answer = inf.generate_text(inf.append_text(state.cond, ask), max_length=MAX_INSPECTION_TOKENS,
                                   stop=stop_at("</correction>")).text
        parsed = formats.parse_inspect_answer(answer)
        if parsed is not None:
            verdict = parsed.verdict(TRAINED_SOURCE)
            return verdict.model_copy(update={"facts": [f.model_copy(update={"question": ask, "answer": answer})
                                                        if f.kind == "instruction" else f for f in verdict.facts]})
        verdict = self.fallback.inspect(request, hooks)
        note = FactResult(kind="instruction", fact=f"the {formats.FORMATS_NAME} inspection answer could not be read; "
                                                   "per-fact questions were asked instead",
                          status="unchecked", source=TRAINED_SOURCE, question=ask, answer=answer[:400])
        return verdict.model_copy(update={"facts": [*verdict.facts, note]})

    def close(self) -> None:
        self.fallback.close()


def adapter_aware_roles(runtime: BagelRuntime, planner: BagelPlanner, sketcher: BagelSketcher,
                        inspector: Inspector) -> tuple[BagelPlanner, BagelSketcher, Inspector]:
    """The roles to use with the runtime's `lora` setting: the trained-format role for every task
    the adapter was trained on, today's role otherwise (and for adapters without a description).
    A detector-only inspector stays as chosen. Reads only the adapter's small JSON files."""
    from stagestudio.backends.bagel.lora import AdapterInfo, check_adapter_folder

    if not runtime.settings.lora:
        return planner, sketcher, inspector
    info = AdapterInfo.read(check_adapter_folder(runtime.settings.lora))
    if info.formats != formats.FORMATS_NAME:
        return planner, sketcher, inspector
    if info.trained_for("plan"):
        planner = TrainedPlanner(runtime)
    if info.trained_for("refine"):
        sketcher = TrainedRefiner(runtime)
    if info.trained_for("inspect") and getattr(inspector, "mode", "vqa") != "detector":
        inspector = TrainedInspector(runtime, inspector)
    return planner, sketcher, inspector
