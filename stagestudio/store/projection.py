"""Applying one event to the tables: the event row itself plus the sessions / steps /
attempts / interventions projection. The recorder (live runs) and the importer (archives)
both go through here, so a session imported from its events is row-for-row the session
that was recorded."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
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
from stagestudio.store.models import (
    AttemptRow,
    EventRow,
    ImageRow,
    InterventionRow,
    SessionRow,
    StepRow,
)


def record_image(db: Session, image: StoredImage, created_at: float) -> None:
    db.execute(
        sqlite_insert(ImageRow)
        .values(
            sha256=image.sha256,
            width=image.width,
            height=image.height,
            size_bytes=image.size_bytes,
            created_at=created_at,
        )
        .on_conflict_do_nothing(index_elements=["sha256"])
    )


def _current_step(db: Session, session_id: str, index: int) -> StepRow:
    row = db.scalars(
        select(StepRow)
        .where(StepRow.session_id == session_id, StepRow.step_index == index, StepRow.status != "abandoned")
        .order_by(StepRow.id.desc())
        .limit(1)
    ).first()
    if row is None:
        raise StoreError(f"event refers to step {index} of session {session_id}, which was never planned")
    return row


def _attempt(db: Session, step: StepRow, attempt: int) -> AttemptRow | None:
    return db.scalars(
        select(AttemptRow).where(AttemptRow.step_id == step.id, AttemptRow.attempt == attempt).order_by(AttemptRow.id.desc()).limit(1)
    ).first()


def apply_event(
    db: Session,
    event: Event,
    payload: str,
    *,
    image: StoredImage | None = None,
    planned_graph: dict[str, Any] | None = None,
) -> None:
    """Insert `event` (serialised as `payload`) and update the projection, in `db`'s transaction."""
    sid = event.session_id
    if isinstance(event, SessionStarted):
        _start_session(db, event, planned_graph)
    else:
        row = db.get(SessionRow, sid)
        if row is None:
            raise SessionNotFoundError(f"session {sid} is not in this store (its first event was never recorded)")
    if image is not None:
        record_image(db, image, event.at)
    db.add(
        EventRow(
            session_id=sid,
            seq=event.seq,
            type=event.type,
            at=event.at,
            payload=payload,
            image_sha256=getattr(event, "image_sha256", None),
        )
    )
    session = db.get(SessionRow, sid)
    assert session is not None
    if isinstance(event, StepPlanned):
        # A resumed run re-plans the step that was in flight when the writer died; the old
        # partial step stays in the log but no longer counts.
        db.execute(
            update(StepRow)
            .where(StepRow.session_id == sid, StepRow.step_index == event.step.index, StepRow.status == "planned")
            .values(status="abandoned")
        )
        plan = event.step.model_dump(mode="json")
        db.add(
            StepRow(
                session_id=sid,
                step_index=event.step.index,
                planned=plan,
                executed=plan,
                seed=event.seed,
                plan_duration_s=event.duration_s,
                status="planned",
                planned_seq=event.seq,
                created_at=event.at,
            )
        )
    elif isinstance(event, Intervention):
        step_row = None
        if event.step_index is not None:
            step_row = _current_step(db, sid, event.step_index)
            if event.kind in ("edit", "resketch"):
                executed = dict(step_row.executed)
                for key in ("instruction", "description"):
                    if key in event.after and event.after[key] is not None:
                        executed[key] = event.after[key]
                executed["source"] = "user"
                step_row.executed = executed
        db.add(
            InterventionRow(
                session_id=sid,
                step_id=step_row.id if step_row is not None else None,
                seq=event.seq,
                kind=event.kind,
                step_index=event.step_index,
                attempt=event.attempt,
                before=event.before,
                after=event.after,
                created_at=event.at,
            )
        )
    elif isinstance(event, SketchReady):
        step_row = _current_step(db, sid, event.step_index)
        db.add(
            AttemptRow(
                step_id=step_row.id,
                session_id=sid,
                step_index=event.step_index,
                attempt=event.attempt,
                stage=event.stage,
                instruction=event.instruction,
                image_sha256=event.image_sha256,
                sketch_seed=event.seed,
                sketch_duration_s=event.duration_s,
                sketch_seq=event.seq,
                created_at=event.at,
            )
        )
    elif isinstance(event, VerdictReady):
        step_row = _current_step(db, sid, event.step_index)
        attempt = _attempt(db, step_row, event.attempt)
        if attempt is None:
            raise StoreError(f"verdict for step {event.step_index} attempt {event.attempt} of {sid} has no sketch")
        attempt.verdict = event.verdict.model_dump(mode="json")
        attempt.passed = event.verdict.passed
        attempt.critique = event.verdict.critique
        attempt.inspect_seed = event.seed
        attempt.inspect_duration_s = event.duration_s
    elif isinstance(event, RefinementPlanned):
        step_row = _current_step(db, sid, event.step_index)
        previous = _attempt(db, step_row, event.attempt - 1)
        if previous is not None:
            previous.corrective_instruction = event.correction
    elif isinstance(event, StepCompleted):
        step_row = _current_step(db, sid, event.step_index)
        step_row.status = event.outcome
        step_row.accepted_attempt = event.accepted_attempt
        if event.accepted_attempt is not None:
            accepted = _attempt(db, step_row, event.accepted_attempt)
            step_row.canvas_sha256 = accepted.image_sha256 if accepted is not None else None
        session.step_count = session.step_count + 1
    elif isinstance(event, FinalVerdict):
        session.final_verdict = event.verdict.model_dump(mode="json")
    elif isinstance(event, SessionDone):
        session.status = event.status
        session.passed = event.passed
    elif isinstance(event, ErrorEvent):
        session.last_error = f"{event.stage}: {event.message}"
    session.updated_at = max(session.updated_at, event.at)
    session.last_seq = max(session.last_seq, event.seq)


def _start_session(db: Session, event: SessionStarted, planned_graph: dict[str, Any] | None) -> None:
    if db.get(SessionRow, event.session_id) is not None:
        raise SessionExistsError(f"session {event.session_id} already exists in this store")
    if event.parent_session_id is not None:
        parent = db.get(SessionRow, event.parent_session_id)
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
    db.add(
        SessionRow(
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
            step_count=event.branch_step or 0 if event.parent_session_id else 0,
            last_seq=-1,
        )
    )
    db.flush()
