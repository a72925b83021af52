"""StudioSession: the studio's controller (engine thread + InteractiveController + events),
driven without a browser against a scripted backend whose behaviour is fully known."""

from __future__ import annotations

import threading

import pytest
from PIL import Image

from stagestudio.backends.base import SingleModelBackend
from stagestudio.inspector.verdict import FactResult, Verdict
from stagestudio.scene.graph import ObjectAttributes, Relation, SceneGraph, SceneObject
from stagestudio.scene.plan import PlanStep
from stagestudio.ui.session import BackendPool, RunRequest, StudioError, StudioSession, history_from_events

GRAPH = SceneGraph(
    objects=[
        SceneObject(id="o1", name="bear", attributes=ObjectAttributes(color="brown")),
        SceneObject(id="o2", name="spoon", attributes=ObjectAttributes(material="silver")),
    ],
    relations=[Relation(subject="o1", predicate="above", object="o2")],
)


class ScriptedBackend(SingleModelBackend):
    """One step per object (reference first); the first sketch of `fail_steps` fails;
    `gate` (an Event) holds every sketch until set, to observe a run in flight."""

    name = "scripted"

    def __init__(self, fail_steps=(), raise_in=None, gate: threading.Event | None = None):
        super().__init__()
        self.fail_steps = set(fail_steps)
        self.raise_in = raise_in
        self.gate = gate
        self.sketched: list[str] = []
        self.corrections: list[str] = []

    def extract_graph(self, prompt):
        if "??" in prompt:
            raise ValueError("no objects found in the prompt; name at least one thing to draw")
        return GRAPH

    def plan(self, request):
        covered = {i for s in request.done for i in s.object_ids}
        for o in reversed(request.graph.objects):
            if o.id not in covered:
                return PlanStep(index=0, instruction=f"Add the {o.name}.", description=f"A {o.name}.", object_ids=[o.id])
        return None

    def sketch(self, request, hooks=None):
        if self.gate is not None:
            self.gate.wait(5)
        if self.raise_in == "sketch":
            raise MemoryError("CUDA out of memory (simulated)")
        self.sketched.append(request.step.instruction)
        ok = request.step.index not in self.fail_steps or len(self.sketched) > 3
        if hooks and hooks.progress:
            hooks.progress(1, 1)
        return Image.new("RGB", (16, 16), (request.seed % 256, 0 if ok else 255, 0))

    def inspect(self, request, hooks=None):
        ok = request.image.getpixel((0, 0))[1] == 0
        facts = [FactResult(kind="presence", fact="the thing", passed=ok, expected="1", observed="1" if ok else "0")]
        return Verdict(passed=ok, facts=facts, critique="" if ok else "the thing is missing",
                       correction="" if ok else "Add the thing.")

    def refine(self, request, hooks=None):
        self.corrections.append(request.correction)
        return Image.new("RGB", (16, 16), (request.seed % 256, 0, 0))


def make_session(backend=None, store=None) -> StudioSession:
    backend = backend or ScriptedBackend()
    return StudioSession(BackendPool(lambda name: backend), store)


def waiting_kind(sess: StudioSession, kind: str):
    assert sess.wait_until(lambda s: s.waiting is not None and s.waiting[0] == kind, timeout=5), sess.events
    return sess.waiting[1]


def test_auto_run_to_the_end_builds_timeline():
    sess = make_session(ScriptedBackend(fail_steps={0}))
    sess.start(RunRequest(prompt="a bear above a spoon", backend="scripted", seed=3))
    assert sess.wait(5)
    view = sess.timeline()
    assert view.status == "completed" and view.passed is True
    assert [s.index for s in view.steps] == [0, 1]
    assert view.steps[0].badge == "pass" and len(view.steps[0].attempts) == 2
    assert view.steps[0].attempts[0].verdict.passed is False
    assert all(s.shown.image is not None for s in view.steps)
    assert sess.first_step_at is not None and sess.progress is None


def test_step_mode_edit_override_correct():
    backend = ScriptedBackend(fail_steps={0})
    sess = make_session(backend)
    sess.start(RunRequest(prompt="p", backend="scripted", step_mode=True))
    review = waiting_kind(sess, "plan")
    assert review.step.index == 0
    with pytest.raises(StudioError):
        sess.override()  # nothing inspected yet
    sess.edit_instruction("Draw a tiny silver spoon.")
    review = waiting_kind(sess, "verdict")
    assert review.verdict.passed is False
    sess.correct("Put the spoon at the bottom.")
    review = waiting_kind(sess, "verdict")
    assert review.attempt == 1
    sess.accept()
    waiting_kind(sess, "plan")  # step 2
    sess.accept()
    review = waiting_kind(sess, "verdict")
    assert review.verdict.passed is True
    sess.override("I do not like it")  # pass -> fail forces a refinement
    waiting_kind(sess, "verdict")
    sess.accept()
    assert sess.wait(5)
    kinds = [e.kind for e in sess.events if e.type == "intervention"]
    assert kinds == ["edit", "correct", "override"]
    assert backend.sketched[0] == "Draw a tiny silver spoon."
    assert backend.corrections[0] == "Put the spoon at the bottom."
    view = sess.timeline()
    assert view.steps[0].instruction == "Draw a tiny silver spoon." and view.steps[0].source == "user"


def test_override_to_pass_and_resketch_and_skip():
    sess = make_session(ScriptedBackend(fail_steps={0}))
    sess.start(RunRequest(prompt="p", backend="scripted", step_mode=True, max_refines=0))
    waiting_kind(sess, "plan")
    sess.accept()
    waiting_kind(sess, "verdict")
    sess.edit_instruction("Sketch it again, bigger.")  # a verdict-time edit re-sketches
    waiting_kind(sess, "verdict")
    sess.override()
    waiting_kind(sess, "plan")
    sess.skip()
    assert sess.wait(5)
    view = sess.timeline()
    assert view.steps[0].badge == "overridden" and view.steps[1].badge == "skipped"
    assert [a.stage for a in view.steps[0].attempts] == ["sketch", "sketch"]


def test_pause_resume_and_stop_keep_work():
    gate = threading.Event()
    sess = make_session(ScriptedBackend(gate=gate))
    sess.start(RunRequest(prompt="p", backend="scripted"))
    sess.pause()
    gate.set()
    # Auto mode, paused: the engine holds at the next review point (the first plan here),
    # and Accept moves it on by one review point at a time.
    assert sess.wait_until(lambda s: s.waiting is not None, timeout=5)
    assert sess.paused
    first = sess.waiting
    sess.accept()
    assert sess.wait_until(lambda s: s.waiting is not None and s.waiting[1] is not first[1], timeout=5)
    assert sess.waiting[0] != first[0]  # plan -> verdict or verdict -> next plan
    sess.resume()
    assert sess.wait_until(lambda s: not s.paused, 2)
    assert sess.wait(5)
    assert sess.timeline().status == "completed"

    gate = threading.Event()
    sess = make_session(ScriptedBackend(gate=gate))
    sess.start(RunRequest(prompt="p", backend="scripted"))
    sess.stop()
    gate.set()
    assert sess.wait(5)
    assert sess.timeline().status == "cancelled"
    with pytest.raises(StudioError):
        sess.stop()


def test_errors_become_messages_and_keep_the_session():
    sess = make_session()
    with pytest.raises(StudioError, match="empty"):
        sess.start(RunRequest(prompt="  ", backend="scripted"))
    with pytest.raises(StudioError, match="no objects"):
        sess.start(RunRequest(prompt="?? what", backend="scripted"))
    with pytest.raises(StudioError, match="max_refines"):
        sess.start(RunRequest(prompt="p", backend="scripted", max_refines=-1))

    sess = make_session(ScriptedBackend(raise_in="sketch"))
    sess.start(RunRequest(prompt="p", backend="scripted"))
    assert sess.wait(5)
    assert "out of memory" in sess.message
    assert sess.timeline().status == "failed" and len(sess.timeline().steps) == 1

    def broken(name):
        raise RuntimeError("weights not found")

    sess = StudioSession(BackendPool(broken))
    with pytest.raises(StudioError, match="could not start"):
        sess.start(RunRequest(prompt="p", backend="nope"))


def test_a_second_run_while_running_is_refused():
    gate = threading.Event()
    sess = make_session(ScriptedBackend(gate=gate))
    sess.start(RunRequest(prompt="p", backend="scripted"))
    with pytest.raises(StudioError, match="already"):
        sess.start(RunRequest(prompt="p", backend="scripted"))
    gate.set()
    assert sess.wait(5)


def test_rewind_forks_in_memory_and_keeps_seeds():
    sess = make_session()
    sess.start(RunRequest(prompt="p", backend="scripted", seed=9))
    assert sess.wait(5)
    parent = sess.timeline()
    sess.rewind(1)
    assert sess.wait(5)
    branch = sess.timeline()
    assert branch.parent_session_id == parent.session_id and branch.branch_step == 1
    assert branch.session_id != parent.session_id
    assert [s.index for s in branch.steps] == [0, 1]  # step 0 inherited, step 1 re-run
    assert [s.inherited for s in branch.steps] == [True, False]
    assert branch.steps[1].attempts[0].seed == parent.steps[1].attempts[0].seed
    with pytest.raises(StudioError):
        history_from_events(sess.events, 5)


def test_graph_edit_is_used_by_the_next_run():
    sess = make_session()
    graph = sess.parse("p", "scripted")
    edited = graph.model_copy(deep=True)
    edited.objects[0].count = 2
    sess.set_graph(edited, "p")
    sess.start(RunRequest(prompt="p", backend="scripted"))
    assert sess.wait(5)
    assert sess.events[0].graph.objects[0].count == 2


def test_runs_are_stored_and_forked_through_the_store(tmp_path):
    from stagestudio.store import open_store

    store = open_store(tmp_path / "ui.db")
    try:
        sess = make_session(store=store)
        sess.start(RunRequest(prompt="a bear above a spoon", backend="scripted", seed=4))
        assert sess.wait(5)
        sid = sess.session_id
        listed = store.list_sessions()
        assert [s.id for s in listed] == [sid] and listed[0].status == "completed"
        sess.rewind(1)
        assert sess.wait(5)
        fork = store.load_session(sess.session_id)
        assert fork.parent_session_id == sid and fork.branch_step == 1
        # A stored fork opens with its inherited step.
        events = list(store.replay(sess.session_id, include_history=True))
        other = make_session(store=store)
        other.load(events)
        assert [s.index for s in other.timeline().steps] == [0, 1]
        assert [s.inherited for s in other.timeline().steps] == [True, False]
        assert all(s.shown.image is not None for s in other.timeline().steps)
    finally:
        store.close()


def test_graph_edit_during_a_run_stops_and_branches():
    gate = threading.Event()
    backend = ScriptedBackend(gate=gate)
    sess = make_session(backend)
    sess.start(RunRequest(prompt="p", backend="scripted", step_mode=True))
    waiting_kind(sess, "plan")
    sess.accept()
    gate.set()
    waiting_kind(sess, "verdict")
    sess.accept()  # step 1 done
    waiting_kind(sess, "plan")  # step 2 planned, not sketched
    parent = sess.session_id
    edited = GRAPH.model_copy(deep=True)
    edited.objects[0].attributes.color = "white"
    assert sess.apply_graph(edited, "p", step_mode=False) is True
    assert sess.wait(5)
    view = sess.timeline()
    assert view.parent_session_id == parent and view.branch_step == 1
    assert view.graph.objects[0].attributes.color == "white"
    assert view.status == "completed" and [s.inherited for s in view.steps] == [True, False]
    # Not running: the edit is simply what the next run uses.
    assert sess.apply_graph(GRAPH, "p") is False and sess.graph == GRAPH


def test_unavailable_backend_is_refused_with_its_reason():
    sess = StudioSession(BackendPool())  # the real registry
    with pytest.raises(StudioError, match="not available here|unknown backend"):
        sess.start(RunRequest(prompt="a cat", backend="no-such-backend"))


def test_two_sessions_share_one_backend_one_stage_at_a_time():
    active, peak = [0], [0]
    lock = threading.Lock()

    class Counting(ScriptedBackend):
        def sketch(self, request, hooks=None):
            with lock:
                active[0] += 1
                peak[0] = max(peak[0], active[0])
            threading.Event().wait(0.02)
            try:
                return super().sketch(request, hooks)
            finally:
                with lock:
                    active[0] -= 1

    made = []
    pool = BackendPool(lambda name: made.append(name) or Counting())
    a, b = StudioSession(pool), StudioSession(pool)
    a.start(RunRequest(prompt="p", backend="scripted"))
    b.start(RunRequest(prompt="p", backend="scripted"))
    assert a.wait(5) and b.wait(5)
    assert made == ["scripted"] and peak[0] == 1
    assert a.timeline().status == b.timeline().status == "completed"
    assert a.session_id != b.session_id
