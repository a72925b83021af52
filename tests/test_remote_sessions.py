"""What the engine and the store do when a backend's server goes away (BackendUnavailable):
the stage's error is recorded as recoverable, the session ends `interrupted` (not failed),
`sessions resume` finishes it, and every request tells the backend which session asks."""

from __future__ import annotations

from store_support import StoreTestBackend
from stagestudio.backends.base import BackendError, BackendUnavailable
from stagestudio.loop.engine import LoopEngine, RunConfig
from stagestudio.store import SessionRecorder, open_store, resume_session


class FlakyServer(StoreTestBackend):
    """The scripted store backend behind a server that dies at the `die_at`-th sketch, and
    remembers which session each request named."""

    concurrent_sessions = True

    def __init__(self, die_at: int | None = None, error: type[BackendError] = BackendUnavailable) -> None:
        super().__init__(objects=2, fail_steps=())
        self.die_at = die_at
        self.error = error
        self.sketches = 0
        self.sessions_seen: set[str] = set()

    def plan(self, request):
        self.sessions_seen.add(request.session_id)
        return super().plan(request)

    def sketch(self, request, hooks=None):
        self.sessions_seen.add(request.session_id)
        self.sketches += 1
        if self.sketches == self.die_at:
            raise self.error("http://gpu-2:8000 is unavailable after 4 tries (connection refused)")
        return super().sketch(request, hooks)

    def inspect(self, request, hooks=None):
        self.sessions_seen.add(request.session_id)
        return super().inspect(request, hooks)


def test_a_lost_server_interrupts_the_session_and_resume_finishes_it(tmp_path):
    store = open_store(tmp_path / "studio.db")
    try:
        flaky = FlakyServer(die_at=2)
        events = list(SessionRecorder(store).record(LoopEngine(flaky).run("p", config=RunConfig(seed=1))))
        error, done = events[-2], events[-1]
        assert error.type == "error" and error.recoverable and error.stage == "sketch"
        assert error.message == "BackendUnavailable: http://gpu-2:8000 is unavailable after 4 tries (connection refused)"
        assert done.type == "session_done" and done.status == "interrupted" and done.steps == 1
        session_id = done.session_id
        assert flaky.sessions_seen == {session_id}  # every request named its session

        record = store.load_session(session_id)
        assert record.status == "interrupted" and len(record.completed_steps) == 1
        assert record.last_error.startswith("sketch: BackendUnavailable")

        resumed = list(resume_session(store, session_id, backend=FlakyServer()))
        assert resumed[-1].status == "completed"
        record = store.load_session(session_id)
        assert record.status == "completed" and len(record.completed_steps) == 2
    finally:
        store.close()


def test_any_other_backend_error_still_fails_the_session():
    events = list(LoopEngine(FlakyServer(die_at=1, error=BackendError)).run("p", config=RunConfig(seed=1)))
    assert events[-2].type == "error" and not events[-2].recoverable
    assert events[-1].status == "failed"
