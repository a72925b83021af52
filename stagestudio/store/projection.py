"""Applying events to the tables: the event rows themselves plus the sessions / steps /
attempts / interventions projection, in the caller's transaction. The recorder (live
runs, one event at a time) and the importer (archives, in batches) both go through
`apply_events`, so a session imported from its events is row-for-row the session that
was recorded.

Plain SQL statements rather than ORM objects: this runs once per event on the hot path
(the commit budget is a few milliseconds), and no object outlives the transaction. Within
a batch, rows nothing later reads (events, interventions) are inserted together at the
end and the session row is updated once: an import of 200,000 events then costs seconds,
not minutes, of holding the write lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from stagestudio.loop.events import (
    ErrorEvent,
    Event,
    FinalVerdict,
    Intervention,
    RefinementPlanned,
    SessionDone,
    SessionStarted,
    SketchReady,
    StepCompleted,
    StepPlanned,
    VerdictReady,
)
from stagestudio.store.errors import SessionExistsError, SessionNotFoundError, StoreError
from stagestudio.store.images import StoredImage
from stagestudio.store.models import AttemptRow, EventRow, ImageRow, InterventionRow, SessionRow, StepRow
from stagestudio.store.sqltypes import greatest

SESSIONS = SessionRow.__table__
STEPS = StepRow.__table__
ATTEMPTS = AttemptRow.__table__
EVENTS = EventRow.__table__
INTERVENTIONS = InterventionRow.__table__
IMAGES = ImageRow.__table__

# Statements built once and executed with parameters: building SQLAlchemy expressions
# costs more than SQLite's work for one event, and prebuilt ones hit the compile cache.
_SESSION_EXISTS = select(SESSIONS.c.id).where(SESSIONS.c.id == bindparam("p_sid"))
_INSERT_EVENT = insert(EVENTS)
_INSERT_STEP = insert(STEPS)
_INSERT_ATTEMPT = insert(ATTEMPTS)
_INSERT_INTERVENTION = insert(INTERVENTIONS)
# Two sessions may store the same picture at the same time: the second insert is a no-op.
_INSERT_IMAGE = {
    "sqlite": sqlite_insert(IMAGES).on_conflict_do_nothing(index_elements=["sha256"]),
    "postgresql": postgres_insert(IMAGES).on_conflict_do_nothing(index_elements=["sha256"]),
}
_CURRENT_STEP = (
    select(STEPS.c.id, STEPS.c.executed)
    .where(
        STEPS.c.session_id == bindparam("p_sid"),
        STEPS.c.step_index == bindparam("p_index"),
        STEPS.c.status != "abandoned",
    )
    .order_by(STEPS.c.id.desc())
    .limit(1)
)
_ABANDON_STEP = (
    update(STEPS)
    .where(STEPS.c.session_id == bindparam("p_sid"), STEPS.c.step_index == bindparam("p_index"), STEPS.c.status == "planned")
    .values(status="abandoned")
)
_EDIT_STEP = update(STEPS).where(STEPS.c.id == bindparam("p_step")).values(executed=bindparam("p_executed", type_=JSON))
_ATTEMPT_ID = (
    select(ATTEMPTS.c.id)
    .where(ATTEMPTS.c.step_id == bindparam("p_step"), ATTEMPTS.c.attempt == bindparam("p_attempt"))
    .order_by(ATTEMPTS.c.id.desc())
    .limit(1)
    .scalar_subquery()
)
_SET_VERDICT = (
    update(ATTEMPTS)
    .where(ATTEMPTS.c.id == _ATTEMPT_ID)
    .values(
        verdict=bindparam("p_verdict", type_=JSON),
        passed=bindparam("p_passed"),
        critique=bindparam("p_critique"),
        inspect_seed=bindparam("p_seed"),
        inspect_duration_s=bindparam("p_duration"),
    )
)
_SET_CORRECTION = update(ATTEMPTS).where(ATTEMPTS.c.id == _ATTEMPT_ID).values(corrective_instruction=bindparam("p_correction"))
_COMPLETE_STEP = (
    update(STEPS)
    .where(STEPS.c.id == bindparam("p_step"))
    .values(
        status=bindparam("p_outcome"),
        accepted_attempt=bindparam("p_attempt"),
        canvas_sha256=select(ATTEMPTS.c.image_sha256).where(ATTEMPTS.c.id == _ATTEMPT_ID).scalar_subquery(),
    )
)
_SESSION_UPDATES: dict[tuple[str, ...], Any] = {}


def _session_update(columns: tuple[str, ...]):
    """UPDATE sessions for one event: time and seq always, plus `columns` (cached)."""
    stmt = _SESSION_UPDATES.get(columns)
    if stmt is None:
        values: dict[str, Any] = {
            "updated_at": greatest(SESSIONS.c.updated_at, bindparam("p_at", type_=SESSIONS.c.updated_at.type)),
            "last_seq": greatest(SESSIONS.c.last_seq, bindparam("p_seq", type_=SESSIONS.c.last_seq.type)),
        }
        for name in columns:
            if name == "step_count":
                values[name] = SESSIONS.c.step_count + bindparam("p_step_count")
            else:
                values[name] = bindparam(f"p_{name}", type_=SESSIONS.c[name].type)
        stmt = update(SESSIONS).where(SESSIONS.c.id == bindparam("p_sid")).values(**values)
        _SESSION_UPDATES[columns] = stmt
    return stmt


def record_image(db: Session, image: StoredImage, created_at: float) -> None:
    db.execute(
        _INSERT_IMAGE[db.get_bind().dialect.name],
        {
            "sha256": image.sha256,
            "width": image.width,
            "height": image.height,
            "size_bytes": image.size_bytes,
            "created_at": created_at,
        },
    )


def _current_step(db: Session, session_id: str, index: int) -> Any:
    """(id, executed) of the live (not abandoned) row for step `index`."""
    row = db.execute(_CURRENT_STEP, {"p_sid": session_id, "p_index": index}).first()
    if row is None:
        raise StoreError(f"event refers to step {index} of session {session_id}, which was never planned")
    return row


@dataclass
class EventToApply:
    event: Event
    payload: str  # the event as stored JSON
    image: StoredImage | None = None  # a SketchReady's image, already on disk


def apply_event(
    db: Session,
    event: Event,
    payload: str,
    *,
    image: StoredImage | None = None,
    planned_graph: dict[str, Any] | None = None,
    session_extra: dict[str, Any] | None = None,
) -> None:
    """Insert `event` (serialised as `payload`) and update the projection, in `db`'s
    transaction. `session_extra`: more columns to set on the session row."""
    apply_events(db, [EventToApply(event, payload, image)], planned_graph=planned_graph, session_extra=session_extra)


def apply_events(
    db: Session,
    items: Sequence[EventToApply],
    *,
    planned_graph: dict[str, Any] | None = None,
    session_extra: dict[str, Any] | None = None,
) -> None:
    """`apply_event` for consecutive events of one session, in order."""
    if not items:
        return
    sid = items[0].event.session_id
    if not isinstance(items[0].event, SessionStarted) and db.execute(_SESSION_EXISTS, {"p_sid": sid}).first() is None:
        raise SessionNotFoundError(f"session {sid} is not in this store (its first event was never recorded)")
    event_rows: list[dict[str, Any]] = []
    intervention_rows: list[dict[str, Any]] = []
    session: dict[str, Any] = {}  # columns to set besides updated_at / last_seq (last value wins)
    steps_completed = 0
    for item in items:
        event = item.event
        if event.session_id != sid:
            raise StoreError(f"event of session {event.session_id} in a batch of session {sid}")
        if isinstance(event, SessionStarted):
            if item is not items[0]:
                raise StoreError(f"session_started of {sid} in the middle of its events")
            _start_session(db, event, planned_graph)
        if item.image is not None:
            record_image(db, item.image, event.at)
        event_rows.append(
            {
                "session_id": sid,
                "seq": event.seq,
                "type": event.type,
                "at": event.at,
                "payload": item.payload,
                "image_sha256": getattr(event, "image_sha256", None),
            }
        )
        if isinstance(event, Intervention):
            intervention_rows.append(_intervention_row(db, event))
        elif isinstance(event, StepCompleted):
            _project(db, event)
            steps_completed += 1
        else:
            _project(db, event)
            if isinstance(event, FinalVerdict):
                session["final_verdict"] = event.verdict.model_dump(mode="json")
            elif isinstance(event, SessionDone):
                session["status"] = event.status
                session["passed"] = event.passed
            elif isinstance(event, ErrorEvent):
                session["last_error"] = f"{event.stage}: {event.message}"
    db.execute(_INSERT_EVENT, event_rows)
    if intervention_rows:
        db.execute(_INSERT_INTERVENTION, intervention_rows)
    if session_extra:
        session.update(session_extra)
    if steps_completed:
        session["step_count"] = steps_completed  # added in SQL
    columns = tuple(sorted(session))
    params = {f"p_{name}": value for name, value in session.items()}
    last = items[-1].event
    at = max(item.event.at for item in items)
    db.execute(_session_update(columns), {"p_sid": sid, "p_at": at, "p_seq": last.seq, **params})


def _intervention_row(db: Session, event: Intervention) -> dict[str, Any]:
    """The interventions row (inserted later, with the batch); an edit of the step's
    instruction is applied to the step now, since later events may read it."""
    sid = event.session_id
    step_id = None
    if event.step_index is not None:
        step = _current_step(db, sid, event.step_index)
        step_id = step.id
        if event.kind in ("edit", "resketch"):
            executed = dict(step.executed)
            for key in ("instruction", "description"):
                if event.after.get(key) is not None:
                    executed[key] = event.after[key]
            executed["source"] = "user"
            db.execute(_EDIT_STEP, {"p_step": step_id, "p_executed": executed})
    return {
        "session_id": sid,
        "step_id": step_id,
        "seq": event.seq,
        "kind": event.kind,
        "step_index": event.step_index,
        "attempt": event.attempt,
        "before": event.before,
        "after": event.after,
        "created_at": event.at,
    }


def _project(db: Session, event: Event) -> None:
    """The steps / attempts rows an event creates or changes."""
    sid = event.session_id
    if isinstance(event, StepPlanned):
        # A resumed run re-plans the step that was in flight when the writer died; the old
        # partial step stays in the log but no longer counts.
        db.execute(_ABANDON_STEP, {"p_sid": sid, "p_index": event.step.index})
        plan = event.step.model_dump(mode="json")
        db.execute(
            _INSERT_STEP,
            {
                "session_id": sid,
                "step_index": event.step.index,
                "planned": plan,
                "executed": plan,
                "seed": event.seed,
                "plan_duration_s": event.duration_s,
                "status": "planned",
                "planned_seq": event.seq,
                "created_at": event.at,
            },
        )
    elif isinstance(event, SketchReady):
        step = _current_step(db, sid, event.step_index)
        db.execute(
            _INSERT_ATTEMPT,
            {
                "step_id": step.id,
                "session_id": sid,
                "step_index": event.step_index,
                "attempt": event.attempt,
                "stage": event.stage,
                "instruction": event.instruction,
                "image_sha256": event.image_sha256,
                "sketch_seed": event.seed,
                "sketch_duration_s": event.duration_s,
                "sketch_seq": event.seq,
                "created_at": event.at,
            },
        )
    elif isinstance(event, VerdictReady):
        step = _current_step(db, sid, event.step_index)
        result = db.execute(
            _SET_VERDICT,
            {
                "p_step": step.id,
                "p_attempt": event.attempt,
                "p_verdict": event.verdict.model_dump(mode="json"),
                "p_passed": event.verdict.passed,
                "p_critique": event.verdict.critique,
                "p_seed": event.seed,
                "p_duration": event.duration_s,
            },
        )
        if result.rowcount != 1:
            raise StoreError(f"verdict for step {event.step_index} attempt {event.attempt} of {sid} has no sketch")
    elif isinstance(event, RefinementPlanned):
        step = _current_step(db, sid, event.step_index)
        db.execute(_SET_CORRECTION, {"p_step": step.id, "p_attempt": event.attempt - 1, "p_correction": event.correction})
    elif isinstance(event, StepCompleted):
        step = _current_step(db, sid, event.step_index)
        # canvas = the accepted attempt's image (NULL when skipped: no such attempt)
        db.execute(_COMPLETE_STEP, {"p_step": step.id, "p_outcome": event.outcome, "p_attempt": event.accepted_attempt})


def _start_session(db: Session, event: SessionStarted, planned_graph: dict[str, Any] | None) -> None:
    if db.execute(select(SESSIONS.c.id).where(SESSIONS.c.id == event.session_id)).first() is not None:
        raise SessionExistsError(f"session {event.session_id} already exists in this store")
    if event.parent_session_id is not None:
        parent = db.execute(
            select(SESSIONS.c.id, SESSIONS.c.step_count).where(SESSIONS.c.id == event.parent_session_id)
        ).first()
        if parent is None:
            raise SessionNotFoundError(
                f"parent session {event.parent_session_id} of fork {event.session_id} is not in this store; "
                f"a fork must start from a stored session"
            )
        if event.branch_step is None or not 0 <= event.branch_step <= parent.step_count:
            raise StoreError(
                f"fork {event.session_id} branches at step {event.branch_step}, but parent "
                f"{parent.id} has {parent.step_count} completed steps"
            )
    graph = event.graph.model_dump(mode="json")
    planned = planned_graph if planned_graph is not None else graph
    inherited_steps = (event.branch_step or 0) if event.parent_session_id is not None else 0
    db.execute(
        insert(SESSIONS).values(
            id=event.session_id,
            prompt=event.prompt,
            backend=event.backend,
            settings=event.settings,
            seed=event.seed,
            max_refines=event.max_refines,
            max_steps=event.max_steps,
            status="running",
            passed=None,
            created_at=event.at,
            updated_at=event.at,
            parent_session_id=event.parent_session_id,
            branch_step=event.branch_step,
            graph_planned=planned,
            graph_edited=graph if planned != graph else None,
            step_count=inherited_steps,
            last_seq=-1,
        )
    )
