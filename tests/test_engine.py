"""Loop engine: stage order, control points, determinism, cancel — against a scripted backend
whose behaviour is fully known, so every assertion is about the engine alone."""

from __future__ import annotations

import threading

import pytest
from PIL import Image

from stagestudio.backends.base import CancelToken, SingleModelBackend
from stagestudio.inspector.verdict import FactResult, Verdict
from stagestudio.loop.control import (
    Correct,
    EditPlan,
    InteractiveController,
    OverrideVerdict,
    Proceed,
    Resketch,
    Skip,
    Stop,
)
from stagestudio.loop.engine import CompletedStep, LoopEngine, RunConfig
from stagestudio.loop.seeds import stage_seed
from stagestudio.scene.graph import ObjectAttributes, Relation, SceneGraph, SceneObject
from stagestudio.scene.plan import PlanStep

GRAPH = SceneGraph(
    objects=[
        SceneObject(id="o1", name="bear", attributes=ObjectAttributes(color="brown")),
        SceneObject(id="o2", name="spoon", attributes=ObjectAttributes(material="silver")),
    ],
    relations=[Relation(subject="o1", predicate="above", object="o2")],
)


class ScriptedBackend(SingleModelBackend):
    """Plans one step per object; a sketch 'fails' when its seed is listed in `bad_seeds`
    or when the step index is in `fail_steps` (first attempt only)."""

    name = "scripted"

    def __init__(self, fail_steps=(), always_fail=False, raise_in=None):
        super().__init__()
        self.fail_steps = set(fail_steps)
        self.always_fail = always_fail
        self.raise_in = raise_in
        self.calls: list[tuple] = []

    def extract_graph(self, prompt):
        if not prompt.strip():
            raise ValueError("empty prompt")
        return GRAPH

    def plan(self, request):
        self.calls.append(("plan", len(request.done), request.seed))
        covered = {i for s in request.done for i in s.object_ids}
        for o in reversed(request.graph.objects):  # the spoon is the reference: place it first
            if o.id not in covered:
                return PlanStep(index=0, instruction=f"Add the {o.name}.", description="d", object_ids=[o.id])
        return None

    def _image(self, tag: str, seed: int, ok: bool) -> Image.Image:
        img = Image.new("RGB", (8, 8), (seed % 256, 0 if ok else 255, 0))
        img.info["ok"] = ok
        img.info["tag"] = tag
        return img

    def sketch(self, request, hooks=None):
        if self.raise_in == "sketch":
            raise RuntimeError("CUDA out of memory (simulated by the test)")
        self.calls.append(("sketch", request.step.index, request.seed, request.step.instruction))
        ok = request.step.index not in self.fail_steps and not self.always_fail
        if hooks and hooks.progress:
            hooks.progress(1, 1)
        return self._image("sketch", request.seed, ok)

    def inspect(self, request, hooks=None):
        ok = request.image.getpixel((0, 0))[1] == 0
        self.calls.append(("inspect", request.step.index if request.step else None, request.seed))
        facts = [FactResult(kind="presence", fact="thing", passed=ok)]
        return Verdict(passed=ok, facts=facts, critique="" if ok else "wrong", correction="" if ok else "fix it")

    def refine(self, request, hooks=None):
        self.calls.append(("refine", request.step.index, request.seed, request.correction))
        return self._image("refine", request.seed, not self.always_fail)


def run(backend, controller=None, **kw):
    engine = LoopEngine(backend)
    return list(engine.run("a bear above a silver spoon", controller=controller, **kw))


def types(events):
    return [e.type for e in events]


def test_happy_path_order_and_final_verdict():
    events = run(ScriptedBackend())
    assert types(events) == [
        "session_started",
        "step_planned", "sketch_ready", "verdict_ready", "step_completed",
        "step_planned", "sketch_ready", "verdict_ready", "step_completed",
        "final_verdict", "session_done",
    ]
    assert [e.seq for e in events] == list(range(len(events)))
    assert events[1].step.object_ids == ["o2"] and events[5].step.object_ids == ["o1"]
    assert events[-1].status == "completed" and events[-1].passed is True


def test_failed_inspection_refines_then_passes():
    backend = ScriptedBackend(fail_steps={0})
    events = run(backend)
    kinds = types(events)
    assert kinds[:7] == ["session_started", "step_planned", "sketch_ready", "verdict_ready",
                         "refinement_planned", "sketch_ready", "verdict_ready"]
    refine = events[4]
    assert refine.correction == "fix it" and refine.attempt == 1
    completed = [e for e in events if e.type == "step_completed"]
    assert completed[0].outcome == "passed" and completed[0].accepted_attempt == 1


def test_refines_capped_by_max_refines():
    events = run(ScriptedBackend(always_fail=True), config=RunConfig(seed=3, max_refines=2))
    step0 = [e for e in events if getattr(e, "step_index", None) == 0]
    assert [e.type for e in step0].count("refinement_planned") == 2
    completed = [e for e in events if e.type == "step_completed"]
    assert all(c.outcome == "failed" for c in completed)
    assert events[-1].passed is False


def test_deterministic_seeds_and_images():
    a = run(ScriptedBackend(fail_steps={1}), config=RunConfig(seed=11))
    b = run(ScriptedBackend(fail_steps={1}), config=RunConfig(seed=11))
    c = run(ScriptedBackend(fail_steps={1}), config=RunConfig(seed=12))
    seeds = lambda ev: [getattr(e, "seed", None) for e in ev]
    assert seeds(a) == seeds(b) != seeds(c)
    imgs = lambda ev: [e.image.tobytes() for e in ev if e.type == "sketch_ready"]
    assert imgs(a) == imgs(b)
    sketch = next(e for e in a if e.type == "sketch_ready")
    assert sketch.seed == stage_seed(11, 0, 0, "sketch")


class Scripted:
    def __init__(self, plan=(), verdict=()):
        self.plan = list(plan)
        self.verdict = list(verdict)

    def review_plan(self, review):
        return self.plan.pop(0) if self.plan else Proceed()

    def review_verdict(self, review):
        return self.verdict.pop(0) if self.verdict else Proceed()


def test_edit_plan_reaches_backend_and_is_logged():
    backend = ScriptedBackend()
    events = run(backend, Scripted(plan=[EditPlan("Draw a golden spoon.", "A golden spoon.")]))
    edit = next(e for e in events if e.type == "intervention")
    assert edit.kind == "edit" and edit.after["instruction"] == "Draw a golden spoon."
    assert ("Draw a golden spoon." in [c[3] for c in backend.calls if c[0] == "sketch"])


def test_override_verdict_accepts_failing_sketch():
    events = run(ScriptedBackend(fail_steps={0}), Scripted(verdict=[OverrideVerdict(True, "looks fine to me")]))
    assert "refinement_planned" not in types(events)
    first = next(e for e in events if e.type == "step_completed")
    assert first.outcome == "overridden"
    override = next(e for e in events if e.type == "intervention")
    assert override.before == {"passed": False} and override.after["passed"] is True


def test_override_to_fail_forces_refinement():
    events = run(ScriptedBackend(), Scripted(verdict=[OverrideVerdict(False)]))
    assert "refinement_planned" in types(events)


def test_replaced_correction_is_used():
    backend = ScriptedBackend(fail_steps={0})
    events = run(backend, Scripted(verdict=[Correct("Move the spoon down a lot.")]))
    refine = next(e for e in events if e.type == "refinement_planned")
    assert refine.correction == "Move the spoon down a lot."
    assert ("refine", 0) == tuple(next(c for c in backend.calls if c[0] == "refine")[:2])
    assert next(c for c in backend.calls if c[0] == "refine")[3] == "Move the spoon down a lot."


def test_resketch_with_edited_instruction():
    backend = ScriptedBackend()
    events = run(backend, Scripted(verdict=[Resketch("Add a tiny spoon.")]))
    sketches = [e for e in events if e.type == "sketch_ready" and e.step_index == 0]
    assert [s.attempt for s in sketches] == [0, 1]
    assert sketches[1].instruction == "Add a tiny spoon."


def test_skip_step_leaves_objects_unrealised_and_final_fails():
    events = run(ScriptedBackend(), Scripted(plan=[Skip()]))
    completed = [e for e in events if e.type == "step_completed"]
    assert completed[0].outcome == "skipped" and completed[0].accepted_attempt is None
    assert completed[1].outcome == "passed"
    assert events[-1].status == "completed"


def test_stop_ends_session_as_stopped():
    events = run(ScriptedBackend(), Scripted(verdict=[Stop()]))
    assert events[-1].type == "session_done" and events[-1].status == "stopped"
    assert "final_verdict" not in types(events)


def test_cancel_before_start_and_midway():
    token = CancelToken()
    token.cancel()
    events = run(ScriptedBackend(), cancel=token)
    assert events[-1].status == "cancelled"

    token = CancelToken()
    engine = LoopEngine(ScriptedBackend())
    seen = []
    for event in engine.run("x", cancel=token):
        seen.append(event)
        if event.type == "sketch_ready":
            token.cancel()
    assert seen[-1].status == "cancelled"
    assert sum(e.type == "sketch_ready" for e in seen) == 1


def test_backend_failure_becomes_error_event():
    events = run(ScriptedBackend(raise_in="sketch"))
    error = next(e for e in events if e.type == "error")
    assert error.stage == "sketch" and "out of memory" in error.message
    assert events[-1].status == "failed"


def test_rewind_branch_reuses_history_and_seeds():
    backend = ScriptedBackend()
    first = run(backend, config=RunConfig(seed=5))
    step0 = next(e for e in first if e.type == "step_planned").step
    image0 = next(e for e in first if e.type == "sketch_ready").image
    history = [CompletedStep(step=step0, outcome="passed", image=image0)]
    branch = list(
        LoopEngine(ScriptedBackend()).run(
            "a bear above a silver spoon", config=RunConfig(seed=5), history=history,
            parent_session_id=first[0].session_id, branch_step=1,
        )
    )
    assert branch[0].parent_session_id == first[0].session_id and branch[0].branch_step == 1
    planned = [e for e in branch if e.type == "step_planned"]
    assert [p.step.index for p in planned] == [1]
    orig1 = [e for e in first if e.type == "sketch_ready"][1]
    new1 = next(e for e in branch if e.type == "sketch_ready")
    assert new1.seed == orig1.seed and new1.image.tobytes() == orig1.image.tobytes()


def test_interactive_controller_step_mode_waits_for_decisions():
    ctl = InteractiveController(step_mode=True, poll_s=0.01)
    engine = LoopEngine(ScriptedBackend())
    events = []
    t = threading.Thread(target=lambda: events.extend(engine.run("x", controller=ctl)))
    t.start()
    decisions = [EditPlan("Draw a spoon, carefully."), Proceed(), Proceed(), OverrideVerdict(True)]
    for decision in decisions:
        for _ in range(500):
            if ctl.waiting:
                break
            threading.Event().wait(0.01)
        assert ctl.waiting is not None
        ctl.decide(decision)
        for _ in range(500):  # wait until the engine took it
            if ctl.waiting is None or ctl._decisions.empty():
                break
            threading.Event().wait(0.01)
        threading.Event().wait(0.05)
    t.join(timeout=5)
    assert not t.is_alive()
    assert events[-1].status == "completed"
    kinds = [e.kind for e in events if e.type == "intervention"]
    assert kinds == ["edit", "override"]


def test_interactive_cancel_unblocks_wait():
    ctl = InteractiveController(step_mode=True, poll_s=0.01)
    engine = LoopEngine(ScriptedBackend())
    events = []
    t = threading.Thread(target=lambda: events.extend(engine.run("x", controller=ctl, cancel=ctl.cancel)))
    t.start()
    for _ in range(500):
        if ctl.waiting:
            break
        threading.Event().wait(0.01)
    ctl.cancel.cancel()
    t.join(timeout=5)
    assert events[-1].status == "cancelled"


def test_run_config_validation():
    with pytest.raises(ValueError):
        RunConfig(max_refines=-1)
    with pytest.raises(ValueError):
        RunConfig(max_steps=0)


def test_events_round_trip_json():
    from stagestudio.loop.events import event_from_json

    for event in run(ScriptedBackend(fail_steps={0})):
        data = event.to_json_dict()
        assert "image" not in data
        again = event_from_json(data)
        assert again.to_json_dict() == data


class UnsureBackend(ScriptedBackend):
    """Every fact of the first attempt comes back unsure (a model too close to call)."""

    def inspect(self, request, hooks=None):
        self.calls.append(("inspect", request.step.index if request.step else None, request.seed))
        fact = FactResult(kind="presence", fact="thing", status="unsure", p_yes=0.5, question="Is there a thing?")
        return Verdict(passed=False, facts=[fact], critique="not sure", correction="")


def test_unsure_verdict_keeps_the_image_without_a_refinement():
    backend = UnsureBackend()
    events = run(backend)
    completed = [e for e in events if e.type == "step_completed"]
    assert [e.outcome for e in completed] == ["unsure", "unsure"]
    assert not any(c[0] == "refine" for c in backend.calls)
    assert events[-1].status == "completed" and events[-1].passed is False


def test_backend_composes_roles_and_closes_a_shared_model_once():
    from stagestudio.backends.base import Backend
    from stagestudio.backends.offline import OfflinePlanner

    class Model(ScriptedBackend):
        closed = 0

        def close(self):
            Model.closed += 1

    model = Model()
    backend = Backend(planner=OfflinePlanner(), sketcher=model, inspector=model)
    graph = backend.extract_graph("a bear above a silver spoon")
    assert [o.name for o in graph.objects] == ["bear", "spoon"]
    events = list(LoopEngine(backend).run("a bear above a silver spoon", graph=graph))
    assert events[-1].status == "completed" and events[-1].passed is True
    assert [c[0] for c in model.calls].count("sketch") == 2  # the model drew what the offline planner planned
    backend.close()
    assert Model.closed == 1


def test_a_persons_accept_is_recorded_and_an_automatic_proceed_is_not():
    class Accepting:
        def review_plan(self, review):
            return Proceed(by_person=review.step.index == 0)

        def review_verdict(self, review):
            return Proceed(by_person=True)

    events = run(ScriptedBackend(), controller=Accepting())
    accepts = [(e.step_index, e.attempt) for e in events if e.type == "intervention" and e.kind == "accept"]
    assert accepts == [(0, None), (0, 0), (1, 0)]
    assert [e.type for e in run(ScriptedBackend())].count("intervention") == 0
