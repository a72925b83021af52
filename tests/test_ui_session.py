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
    # Every Accept a person clicked is recorded too (training-data provenance).
    assert kinds == ["edit", "correct", "accept", "accept", "override", "accept"]
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
    # Step 1 drew the spoon, which the edit leaves alone: the branch keeps it and re-plans the bear.
    assert sess.apply_graph(edited, "p", step_mode=False) == "branched"
    assert sess.wait(5)
    view = sess.timeline()
    assert view.parent_session_id == parent and view.branch_step == 1
    assert view.graph.objects[0].attributes.color == "white" and view.graph.source == "user"
    assert view.status == "completed" and [s.inherited for s in view.steps] == [True, False]
    # After the run ended, Apply still re-plans: a new branch from the first changed step.
    finished = sess.session_id
    changed_spoon = GRAPH.model_copy(deep=True)
    changed_spoon.objects[1].attributes.material = "golden"
    assert sess.apply_graph(changed_spoon, "p", step_mode=False) == "branched"
    assert sess.wait(5)
    assert sess.timeline().parent_session_id == finished and sess.timeline().branch_step == 0
    # Apply with nothing edited says so instead of starting a copy of the run.
    with pytest.raises(StudioError, match="edit a cell"):
        sess.apply_graph(sess.graph, "p")
    # With no run on screen, the edit is what the next Run plans from, and the studio says so.
    fresh = make_session(backend)
    assert fresh.apply_graph(GRAPH, "p") == "saved" and fresh.graph.objects == GRAPH.objects
    assert "press Run" in fresh.message


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


# --- the workspace as tabs see it --------------------------------------------------------
def test_every_change_wakes_subscribers_with_the_state_that_follows():
    """The page is redrawn on wake-ups only, so the last wake-up must come after the run starts
    waiting (else a screen stays on 'inspecting') and after it ends (else 'working' stays)."""
    sess = make_session(ScriptedBackend(fail_steps={0}))
    seen: list[tuple[bool, str | None]] = []
    sess.subscribe(lambda: seen.append((sess.running, sess.waiting[0] if sess.waiting else None)))
    sess.start(RunRequest(prompt="p", backend="scripted", step_mode=True))
    waiting_kind(sess, "plan")
    assert seen[-1] == (True, "plan")
    sess.accept()
    waiting_kind(sess, "verdict")
    assert seen[-1] == (True, "verdict")
    sess.stop()
    assert sess.wait(5)
    assert seen[-1] == (False, None)
    assert sess.timeline().status == "cancelled"


def test_a_decision_acts_only_on_the_review_point_it_was_drawn_for():
    sess = make_session(ScriptedBackend(fail_steps={0}))
    sess.start(RunRequest(prompt="p", backend="scripted", step_mode=True))
    waiting_kind(sess, "plan")
    plan_token = sess.review_token
    sess.accept(plan_token)
    waiting_kind(sess, "verdict")
    with pytest.raises(StudioError, match="earlier review point"):
        sess.skip(plan_token)  # a late click from the plan review: nothing changes
    assert sess.waiting[0] == "verdict"
    assert [e.kind for e in sess.events if e.type == "intervention"] == ["accept"]  # the plan's Accept only
    verdict_token = sess.review_token
    assert verdict_token != plan_token
    sess.keep_picture(verdict_token)  # a failed sketch, kept as it is
    waiting_kind(sess, "plan")
    step1 = sess.timeline().steps[0]
    assert step1.outcome == "overridden" and len(step1.attempts) == 1
    sess.stop()
    assert sess.wait(5)


def test_a_review_point_takes_one_decision():
    gate = threading.Event()
    sess = make_session(ScriptedBackend(gate=gate))
    sess.start(RunRequest(prompt="p", backend="scripted", step_mode=True))
    waiting_kind(sess, "plan")
    token = sess.review_token
    done = threading.Event()
    threading.Thread(target=lambda: (sess.accept(token), done.set()), daemon=True).start()
    # The engine is held in the sketch, so the first decision is not taken yet: a second one
    # for the same review point (a double click) must not be queued for the next one.
    assert sess.wait_until(lambda s: s._decided is not None, timeout=2)
    with pytest.raises(StudioError):
        sess.accept(token)
    gate.set()
    waiting_kind(sess, "verdict")
    assert [e.type for e in sess.events].count("sketch_ready") == 1
    sess.stop()
    assert sess.wait(5)


def test_reject_a_passed_sketch_refines_it():
    backend = ScriptedBackend()
    sess = make_session(backend)
    sess.start(RunRequest(prompt="p", backend="scripted", step_mode=True, max_refines=1))
    waiting_kind(sess, "plan")
    sess.accept()
    review = waiting_kind(sess, "verdict")
    assert review.verdict.passed
    sess.override(token=sess.review_token)  # "Reject & refine"
    review = waiting_kind(sess, "verdict")
    assert review.attempt == 1 and len(backend.corrections) == 1
    assert sess.timeline().steps[0].attempts[0].overridden_to is False
    sess.stop()
    assert sess.wait(5)


def test_seed_minus_one_draws_a_seed_and_records_it(tmp_path):
    from stagestudio.store import open_store

    store = open_store(tmp_path / "ui.db")
    try:
        sess = make_session(store=store)
        sess.start(RunRequest(prompt="p", backend="scripted", seed="-1"))  # as typed in the seed box
        assert sess.wait(5)
        drawn = sess.run_seed
        assert sess.seed_drawn and 0 <= drawn < 2**63
        assert sess.events[0].seed == drawn and store.load_session(sess.session_id).seed == drawn
        # Beyond 64 bits: no OverflowError; the seed is mapped into range and the studio says so.
        sess.start(RunRequest(prompt="p", backend="scripted", seed="99999999999999999999"))
        assert sess.wait(5)
        assert 0 <= sess.run_seed < 2**63 and "hashed" in sess.seed_note
        assert store.load_session(sess.session_id).seed == sess.run_seed
        for bad in ("abc", "1.5"):
            with pytest.raises(StudioError, match="Seed") as info:
                sess.start(RunRequest(prompt="p", backend="scripted", seed=bad))
            assert "\n" not in str(info.value)
    finally:
        store.close()


def test_a_run_stopped_before_its_first_sketch_leaves_no_row(tmp_path):
    from stagestudio.store import open_store

    store = open_store(tmp_path / "ui.db")
    try:
        sess = make_session(store=store)
        sess.start(RunRequest(prompt="p", backend="scripted", step_mode=True))
        waiting_kind(sess, "plan")
        sess.stop()
        assert sess.wait(5)
        assert store.list_sessions() == []
        assert sess.timeline().status == "cancelled" and len(sess.timeline().steps) == 1  # still on screen
        # Stopped after a sketch: kept.
        sess.start(RunRequest(prompt="p", backend="scripted", step_mode=True))
        waiting_kind(sess, "plan")
        sess.accept()
        waiting_kind(sess, "verdict")
        sess.stop()
        assert sess.wait(5)
        assert [s.id for s in store.list_sessions()] == [sess.session_id]
    finally:
        store.close()


def test_markup_never_reaches_the_graph():
    from stagestudio.ui.session import strip_markup

    assert strip_markup("<script>alert(1)</script> a cat") == "alert(1) a cat"
    assert strip_markup("a <b>red</b> cat < dog") == "a red cat dog"
    seen = []

    class Recording(ScriptedBackend):
        def extract_graph(self, prompt):
            seen.append(prompt)
            return super().extract_graph(prompt)

    sess = make_session(Recording())
    sess.parse("<script>x</script> a bear above a spoon", "scripted")
    assert seen == ["x a bear above a spoon"]
    with pytest.raises(StudioError, match="empty"):
        sess.parse("<img src=x onerror=alert(1)>", "scripted")
