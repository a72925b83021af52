"""The studio's pure pieces: timeline fold, HTML rendering, session filters, and the app's
command-line safety checks (the scene-graph view has tests/test_graph_view.py)."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from stagestudio.loop.engine import LoopEngine, Progress, RunConfig
from stagestudio.loop.control import OverrideVerdict
from stagestudio.ui import render
from stagestudio.ui.sessions_tab import FilterError, filter_sessions, sessions_rows
from stagestudio.ui.timeline import build_timeline

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.test_ui_session import ScriptedBackend  # noqa: E402


class OverrideFirst:
    def review_plan(self, review):
        from stagestudio.loop.control import Proceed

        return Proceed()

    def review_verdict(self, review):
        from stagestudio.loop.control import Proceed

        if review.step.index == 0 and review.attempt == 0:
            return OverrideVerdict(True, "fine")
        return Proceed()


def run_events(controller=None, fail_steps=(0,)):
    return list(LoopEngine(ScriptedBackend(fail_steps=fail_steps)).run("p", config=RunConfig(seed=1), controller=controller))


def test_timeline_fold_refinement_and_final():
    view = build_timeline(run_events())
    assert view.prompt == "p" and view.status == "completed" and view.passed is True
    step0 = view.steps[0]
    assert [a.attempt for a in step0.attempts] == [0, 1]
    assert step0.accepted_attempt == 1 and step0.shown.attempt == 1 and step0.badge == "pass"
    assert view.final_verdict is not None and view.final_image is not None


def test_timeline_fold_override_and_partial_log():
    events = run_events(OverrideFirst())
    view = build_timeline(events)
    assert view.steps[0].badge == "overridden" and view.steps[0].attempts[0].overridden_to is True
    partial = build_timeline(events[:3])  # started, planned, sketched: no verdict yet
    assert partial.status is None and partial.steps[0].badge == "pending"


def test_timeline_html_cards_escape_and_select():
    events = run_events()
    events[1].step.instruction = "<script>alert(1)</script>"
    view = build_timeline(events)
    out = render.timeline_html(view, selected=1)
    assert len(re.findall(r'class="ss-card[ "]', out)) == 3  # two steps + final
    assert 'data-step="0"' in out and 'data-step="1"' in out
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "ss-card-selected" in out and "data:image/jpeg;base64," in out
    assert "No steps yet" in render.timeline_html(build_timeline([]))


def test_step_detail_and_verdict_html():
    view = build_timeline(run_events())
    html = render.step_detail_html(view.steps[0])
    assert "Step 1" in html and "Attempts" in html and "the thing" in html
    assert "Click a step" in render.step_detail_html(None)
    assert "Not inspected" in render.verdict_html(None)


def test_progress_html_states():
    view = build_timeline([])
    assert "Ready" in render.progress_html(None, view, False, False, None)
    p = Progress(stage="sketch", step_index=1, steps_hint=4, denoise_step=5, denoise_total=20)
    out = render.progress_html(p, view, True, False, None)
    assert "step 2 of 4" in out and "sketching" in out and "denoising 5/20" in out
    assert "review the verdict" in render.progress_html(p, view, True, False, "verdict")
    done = build_timeline(run_events())
    assert "Completed" in render.progress_html(None, done, False, False, None)


def _summary(i, prompt, status, day):
    ts = dt.datetime.fromisoformat(day).replace(tzinfo=dt.timezone.utc).timestamp()
    return SimpleNamespace(id=f"s{i}", prompt=prompt, status=status, created_at=ts, step_count=2, passed=True,
                           parent_session_id=None, branch_step=None)


def test_session_filters():
    items = [_summary(1, "a bear above a spoon", "completed", "2026-01-02"),
             _summary(2, "two red cars", "failed", "2026-02-10"),
             _summary(3, "a bear and a car", "stopped", "2026-03-01")]
    assert [s.id for s in filter_sessions(items, "bear")] == ["s1", "s3"]
    assert [s.id for s in filter_sessions(items, "", "failed")] == ["s2"]
    assert [s.id for s in filter_sessions(items, "", "any", "2026-02-01", "2026-02-28")] == ["s2"]
    assert [s.id for s in filter_sessions(items, "BEAR car")] == ["s3"]
    with pytest.raises(FilterError, match="YYYY-MM-DD"):
        filter_sessions(items, "", "any", "yesterday")
    assert sessions_rows(items[:1])[0][:3] == ["s1", "2026-01-02 00:00", "completed"]
    damaged = _summary(4, "?", "damaged", "2026-03-02")
    damaged.problem = "created_at: not a finite number"
    assert sessions_rows([damaged])[0][2] == "damaged: created_at: not a finite number"
    assert [s.id for s in filter_sessions(items + [damaged], "", "damaged")] == ["s4"]


def test_app_refuses_open_bind_without_auth():
    import app

    parser = app.build_parser()
    assert app.check_args(parser.parse_args([])) is None
    with pytest.raises(app.UsageError, match="--auth"):
        app.check_args(parser.parse_args(["--host", "0.0.0.0"]))
    assert app.check_args(parser.parse_args(["--host", "0.0.0.0", "--auth", "me:secret"])) == ("me", "secret")
    with pytest.raises(app.UsageError, match="user:password"):
        app.check_args(parser.parse_args(["--auth", "nopassword"]))
    with pytest.raises(app.UsageError, match="--auth"):
        app.check_args(parser.parse_args(["--share"]))
    with pytest.raises(app.UsageError, match="unknown backend"):
        app.check_args(parser.parse_args(["--backend", "nonesuch"]))
    assert app.main(["--host", "10.0.0.5"]) == 2
    assert app.is_loopback("127.0.0.1") and app.is_loopback("::1") and not app.is_loopback("example.com")
    assert app.build_parser().parse_args(["--allowed-host", "a.lan", "--allowed-host", "b.lan"]).allowed_host == \
        ["a.lan", "b.lan"]
    with pytest.raises(app.UsageError, match="not a host name"):
        app.check_args(parser.parse_args(["--allowed-host", "http://attacker.test/"]))


# --- what the studio says at each point ---------------------------------------------------
def test_facts_show_their_status_and_model_answers():
    from stagestudio.inspector.verdict import FactResult, Verdict

    facts = [
        FactResult(kind="presence", fact="there is a cat", status="pass"),
        FactResult(kind="color", fact="the cat is red", status="fail", expected="red", observed="orange"),
        FactResult(kind="relation", fact="the cat rides the dog", status="unchecked"),
        FactResult(kind="count", fact="2 dogs", status="unsure", source="vqa", question="Are there 2 dogs?",
                   answer="maybe", p_yes=0.52),
    ]
    out = render.verdict_html(Verdict(passed=False, facts=facts, critique="c", correction="Make it red."))
    assert out.index("the cat is red") < out.index("2 dogs") < out.index("rides") < out.index("there is a cat")
    assert "ss-fact-unsure" in out and "ss-fact-unchecked" in out and "not checked" in out
    assert 'title="Q: Are there 2 dogs? · A: maybe · p(yes) = 0.52"' in out and "p(yes) 0.52" in out
    unsure_only = Verdict(passed=False, facts=facts[3:])
    assert "ss-badge-unsure" in render.verdict_html(unsure_only)


def test_cards_tell_working_waiting_and_stopped_apart_and_the_final_card_opens():
    events = run_events()
    partial = build_timeline(events[:3])  # planned and sketched, no verdict
    assert "ss-badge-working" in render.timeline_html(partial, running=True)
    assert "ss-badge-review" in render.timeline_html(partial, running=True, waiting_step=0, waiting_kind="plan")
    assert "ss-badge-stopped" in render.timeline_html(partial, running=False)
    done = build_timeline(events)
    out = render.timeline_html(done, selected="final")
    assert 'data-step="final"' in out and 'role="button"' in out and "ss-card-final ss-card-selected" in out
    detail = render.final_detail_html(done)
    assert "Final inspection" in detail and "ss-facts" in detail
    assert "no final inspection" in render.final_detail_html(partial)


def test_steer_title_says_what_the_buttons_act_on():
    from stagestudio.inspector.verdict import FactResult, Verdict
    from stagestudio.ui.timeline import AttemptView, StepView, TimelineView

    view = TimelineView(session_id="s")
    step = StepView(index=1, instruction="Add a cat.", description="")
    assert "review the plan" in render.steer_title_html(view, "plan", step, 0, True)
    bad = Verdict(passed=False, facts=[FactResult(kind="presence", fact="a cat", status="fail")])
    step.attempts.append(AttemptView(attempt=0, stage="sketch", instruction="Add a cat.", seed=1, duration_s=0,
                                     verdict=bad))
    title = render.steer_title_html(view, "verdict", step, 0, True)
    assert "Step 2" in title and "failed" in title and "No automatic refinements left" in title
    assert "Step" in render.steer_title_html(view, None, None, 0, False)


def test_decision_labels_name_what_each_button_does():
    from stagestudio.ui.screen import _decision_labels

    assert _decision_labels("plan", None, 2)["accept"] == "✓ Sketch this step"
    passed = _decision_labels("verdict", "pass", 2)
    assert passed["accept"].startswith("✓ Accept") and "Reject" in passed["override"]
    failed = _decision_labels("verdict", "fail", 2)
    assert "Refine" in failed["accept"] and failed["override"] == "✓ Keep this picture"
    assert "stays failed" in _decision_labels("verdict", "fail", 0)["accept"]
    assert "unconfirmed" in _decision_labels("verdict", "unsure", 2)["accept"]


def test_history_tiles_are_escaped_and_open_sessions():
    out = render.history_html([render.HistoryItem("abc123def456", "<b>bold</b> cat", "completed", None)], "abc123def456")
    assert 'data-session="abc123def456"' in out and "&lt;b&gt;" in out and "ss-history-current" in out
    assert render.history_html([]) == ""


def test_the_screen_of_a_workspace_in_every_state():
    """compose() over a live run: the summary and the parts agree with the workspace."""
    from stagestudio.ui.backend_pool import BackendPool
    from stagestudio.ui.outputs import StudioFiles
    from stagestudio.ui.screen import BUTTONS, ScreenContext, compose
    from stagestudio.ui.session import RunRequest, StudioSession
    from tests.test_ui_session import waiting_kind

    files = StudioFiles(Path(__import__("tempfile").mkdtemp()))
    ctx = ScreenContext(image_file=files.image_file)
    sess = StudioSession(BackendPool(lambda name: ScriptedBackend(fail_steps={0})))
    idle = compose(sess, ctx)
    assert set(BUTTONS) <= set(idle.parts) and idle.summary["buttons"]["run"] == (True, "▶ Run")
    assert idle.parts["prompt"].update == {"__type__": "update"}  # a fresh workspace leaves the form alone
    sess.start(RunRequest(prompt="p", backend="scripted", step_mode=True, seed=5))
    waiting_kind(sess, "plan")
    plan = compose(sess, ctx)
    assert plan.summary["waiting"] == "plan" and plan.summary["cards"] == ["review"]
    assert plan.summary["buttons"]["accept"] == (True, "✓ Sketch this step")
    assert plan.summary["buttons"]["override"][0] is False and plan.summary["buttons"]["run"][0] is False
    assert "bear" in plan.parts["graph"].update  # the graph is there at the first stop
    assert plan.parts["review_token"].update == sess.review_token != ""
    assert plan.parts["seed"].update["value"] == "5" and plan.parts["mode"].update["value"] == "step"
    sess.accept()
    waiting_kind(sess, "verdict")
    verdict = compose(sess, ctx)
    assert verdict.summary["cards"] == ["fail"] and verdict.summary["buttons"]["override"] == (True, "✓ Keep this picture")
    path = verdict.parts["image"].key[0]
    assert path and Path(path).is_file()
    sess.stop()
    assert sess.wait(5)
    stopped = compose(sess, ctx)
    assert stopped.summary["running"] is False and stopped.summary["buttons"]["stop"][0] is False
    assert stopped.summary["cards"] == ["fail"] and "Stopped" in stopped.parts["progress"].update


def test_graph_edits_find_the_first_changed_step_and_edit_rows():
    from stagestudio.scene.graph import SceneGraph
    from stagestudio.ui.graph_edits import add_object_row, add_relation_row, first_changed_step, remove_row
    from tests.test_ui_session import GRAPH

    steps = [["o2"], ["o1"]]  # the spoon first, then the bear
    assert first_changed_step(GRAPH, GRAPH, steps) == 2
    bear = GRAPH.model_copy(deep=True)
    bear.objects[0].attributes.color = "white"
    assert first_changed_step(GRAPH, bear, steps) == 1
    spoon = GRAPH.model_copy(deep=True)
    spoon.objects[1].count = 2
    assert first_changed_step(GRAPH, spoon, steps) == 0
    no_relation = SceneGraph(objects=GRAPH.objects)
    assert first_changed_step(GRAPH, no_relation, steps) == 1  # the relation is drawn with the bear

    rows = add_object_row([["o1", "bear", 1], ["", "", ""]])
    assert rows[-1][:3] == ["o2", "", 1] and len(rows) == 2  # blank rows dropped, next free id
    assert add_relation_row(rows, [])[-1] == ["o1", "left of", "o2"]
    assert add_relation_row([["o1", "bear", 1]], [])[-1] == ["", "", ""]
    assert remove_row([[1], [2], [3]], 1) == [[1], [3]] and remove_row([[1], [2]], None) == [[1]]
    assert remove_row([], 0) == []
