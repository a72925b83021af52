"""Running stored sessions again: resume an interrupted one, fork one from a step, and
re-run one to check that every sketch comes out identical.

Replay (stepping through what happened, nothing recomputed) is `SessionStore.replay`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from stagestudio.backends.base import Backend, CancelToken
from stagestudio.loop.control import (
    AutoController,
    Controller,
    Correct,
    EditPlan,
    OverrideVerdict,
    PlanDecision,
    Proceed,
    Resketch,
    Review,
    Skip,
    Stop,
    VerdictDecision,
)
from stagestudio.loop.engine import LoopEngine, Progress, RunConfig
from stagestudio.loop.events import Event, SketchReady
from stagestudio.scene.graph import SceneGraph
from stagestudio.store.errors import SessionBusyError, StoreError
from stagestudio.store.images import image_hash
from stagestudio.store.records import InterventionRecord, SessionRecord
from stagestudio.store.recorder import SessionRecorder
from stagestudio.store.store import SessionStore

BackendFactory = Callable[[str, dict[str, Any]], Backend]


def create_backend_for(name: str, settings: dict[str, Any]) -> Backend:
    """The backend a session was recorded with, rebuilt from its stored settings."""
    try:
        from stagestudio.backends.registry import create_backend
    except ImportError as exc:  # pragma: no cover - the registry ships with the package
        raise StoreError(f"cannot rebuild backend {name!r}: backend registry unavailable ({exc})") from exc
    try:
        return create_backend(name, **settings)
    except ImportError as exc:
        raise StoreError(f"backend {name!r} cannot be loaded here: {exc}") from exc
    except (TypeError, ValueError) as exc:
        raise StoreError(f"cannot rebuild backend {name!r} with its stored settings {settings}: {exc}") from exc


def _backend(record: SessionRecord, backend: Backend | None, factory: BackendFactory | None) -> Backend:
    if backend is not None:
        return backend
    return (factory or create_backend_for)(record.backend, dict(record.settings))


def _config(record: SessionRecord) -> RunConfig:
    return RunConfig(seed=record.seed, max_refines=record.max_refines, max_steps=record.max_steps)


class RecordedDecisions:
    """A controller that makes the decisions a stored session's people made, at the same
    control points, so a re-run follows the same path."""

    def __init__(self, interventions: list[InterventionRecord]) -> None:
        self._plan: dict[int, InterventionRecord] = {}
        self._verdict: dict[tuple[int, int], InterventionRecord] = {}
        for i in interventions:
            if i.abandoned or i.step_index is None:
                continue
            if i.kind in ("edit", "skip", "stop") and i.attempt is None:
                self._plan[i.step_index] = i
            elif i.kind in ("override", "correct", "resketch", "skip", "stop") and i.attempt is not None:
                self._verdict[(i.step_index, i.attempt)] = i

    def review_plan(self, review: Review) -> PlanDecision:
        i = self._plan.get(review.step.index)
        if i is None:
            return Proceed()
        if i.kind == "edit":
            return EditPlan(i.after.get("instruction", review.step.instruction), i.after.get("description"))
        return Skip() if i.kind == "skip" else Stop()

    def review_verdict(self, review: Review) -> VerdictDecision:
        i = self._verdict.get((review.step.index, review.attempt))
        if i is None:
            return Proceed()
        if i.kind == "override":
            return OverrideVerdict(bool(i.after.get("passed")), i.after.get("reason", ""))
        if i.kind == "correct":
            return Correct(i.after.get("correction", ""))
        if i.kind == "resketch":
            return Resketch(i.after.get("instruction", review.step.instruction), i.after.get("description"))
        return Skip() if i.kind == "skip" else Stop()


class _EditStep:
    """Edits step `index`'s instruction once, then defers to `inner`."""

    def __init__(self, index: int, instruction: str, description: str | None, inner: Controller) -> None:
        self.index, self.instruction, self.description, self.inner = index, instruction, description, inner
        self._done = False

    def review_plan(self, review: Review) -> PlanDecision:
        if not self._done and review.step.index == self.index:
            self._done = True
            return EditPlan(self.instruction, self.description)
        return self.inner.review_plan(review)

    def review_verdict(self, review: Review) -> VerdictDecision:
        return self.inner.review_verdict(review)


def resume_session(
    store: SessionStore,
    session_id: str,
    *,
    backend: Backend | None = None,
    backend_factory: BackendFactory | None = None,
    controller: Controller | None = None,
    cancel: CancelToken | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> Iterator[Event]:
    """Continue an interrupted session from its last completed step; events are recorded."""
    record = store.load_session(session_id)
    if record.status == "running":
        raise SessionBusyError(f"session {session_id} is still running in another live process; it cannot be resumed twice")
    if record.status != "interrupted":
        raise StoreError(f"session {session_id} is {record.status}; only an interrupted session can be resumed")
    completed = len(record.completed_steps)
    history = store.fork_history(session_id, completed)
    engine = LoopEngine(_backend(record, backend, backend_factory))
    events = engine.run(
        record.prompt,
        graph=record.graph,
        config=_config(record),
        controller=controller,
        cancel=cancel,
        on_progress=on_progress,
        session_id=session_id,
        history=history,
        announce=False,
        start_seq=record.last_seq + 1,
    )
    return SessionRecorder(store).record(events)


def fork_session(
    store: SessionStore,
    session_id: str,
    from_step: int,
    *,
    instruction: str | None = None,
    description: str | None = None,
    graph: SceneGraph | None = None,
    backend: Backend | None = None,
    backend_factory: BackendFactory | None = None,
    controller: Controller | None = None,
    cancel: CancelToken | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    new_session_id: str | None = None,
) -> Iterator[Event]:
    """A new session sharing steps 0..from_step-1 of `session_id` and running on from
    step `from_step` (with its instruction or the graph edited, if given); recorded."""
    record = store.load_session(session_id)
    history = store.fork_history(session_id, from_step)
    if instruction is not None and not instruction.strip():
        raise StoreError("the edited instruction is empty")
    inner = controller or AutoController()
    if instruction is not None:
        inner = _EditStep(from_step, instruction, description, inner)
    engine = LoopEngine(_backend(record, backend, backend_factory))
    events = engine.run(
        record.prompt,
        graph=graph or record.graph,
        config=_config(record),
        controller=inner,
        cancel=cancel,
        on_progress=on_progress,
        session_id=new_session_id,
        history=history,
        parent_session_id=session_id,
        branch_step=from_step,
    )
    return SessionRecorder(store).record(events, planned_graph=record.graph_planned)


@dataclass
class SketchComparison:
    step_index: int
    attempt: int
    stored_sha256: str | None
    new_sha256: str | None

    @property
    def identical(self) -> bool:
        return self.stored_sha256 is not None and self.stored_sha256 == self.new_sha256


@dataclass
class RerunReport:
    session_id: str
    sketches: list[SketchComparison] = field(default_factory=list)
    status: str = ""  # how the re-run ended

    @property
    def identical(self) -> bool:
        return bool(self.sketches) and all(s.identical for s in self.sketches)


def rerun_session(
    store: SessionStore,
    session_id: str,
    *,
    backend: Backend | None = None,
    backend_factory: BackendFactory | None = None,
) -> RerunReport:
    """Recompute a stored session with the same seeds, settings, graph and recorded
    decisions (nothing is stored) and compare every sketch's image hash."""
    record = store.load_session(session_id)
    own = [s for s in record.steps if not s.inherited]
    stored = {(a.step_index, a.attempt): a.image_sha256 for s in own for a in s.attempts}
    history = store.fork_history(session_id, record.branch_step or 0) if record.parent_session_id else None
    engine = LoopEngine(_backend(record, backend, backend_factory))
    new: dict[tuple[int, int], str | None] = {}
    report = RerunReport(session_id)
    for event in engine.run(
        record.prompt,
        graph=record.graph,
        config=_config(record),
        controller=RecordedDecisions(record.interventions),
        session_id=session_id,
        history=history,
        parent_session_id=record.parent_session_id,
        branch_step=record.branch_step,
    ):
        if isinstance(event, SketchReady):
            new[(event.step_index, event.attempt)] = image_hash(event.image) if event.image is not None else None
        if event.type == "session_done":
            report.status = event.status
    if record.status not in ("completed", "stopped"):
        # The original ended early (killed, cancelled, a backend error) at a point no
        # decision records; only the sketches it made can be compared.
        new = {k: v for k, v in new.items() if k in stored}
    for key in sorted(set(stored) | set(new)):
        report.sketches.append(SketchComparison(key[0], key[1], stored.get(key), new.get(key)))
    return report
