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
