"""ORM tables of the session store.

The event log (`events`) is the source of truth; `sessions`, `steps`, `attempts` and
`interventions` are a projection of it kept in the same transaction, so queries (list,
show, replay, fork) never have to re-parse the log. Images live on disk, named by their
sha256, and `images` records which hashes the database refers to.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from stagestudio.store.sqltypes import Int64, NulSafeText


class Base(DeclarativeBase):
    # Integers are 64-bit on every backend (seeds); free text may hold any character.
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, int: Int64}


class SessionRow(Base):
    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    prompt: Mapped[str] = mapped_column(NulSafeText)
    backend: Mapped[str] = mapped_column(String(64))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    seed: Mapped[int] = mapped_column(Int64)
    max_refines: Mapped[int] = mapped_column(Int64)
    max_steps: Mapped[int] = mapped_column(Int64)
    # running | completed | stopped | cancelled | failed | interrupted
    status: Mapped[str] = mapped_column(String(16))
    passed: Mapped[bool | None] = mapped_column(default=None)
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)
    # A fork shares its parent's steps before `branch_step` instead of copying them.
    parent_session_id: Mapped[str | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="RESTRICT"), default=None
    )
    branch_step: Mapped[int | None] = mapped_column(default=None)
    graph_planned: Mapped[dict[str, Any]] = mapped_column(JSON)
    graph_edited: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    final_verdict: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # Completed steps including the ones inherited from the parent (for `list`).
    step_count: Mapped[int] = mapped_column(Int64, default=0)
    last_seq: Mapped[int] = mapped_column(Int64, default=-1)
    last_error: Mapped[str | None] = mapped_column(NulSafeText, default=None)
    # Who is (or was last) writing this session; informative only — liveness is decided
    # by the writer's lock file (see locks.py). Added in revision 0002.
    writer_pid: Mapped[int | None] = mapped_column(default=None)
    writer_host: Mapped[str | None] = mapped_column(String(255), default=None)

    __table_args__ = (
        Index("ix_sessions_created_at", "created_at"),
        Index("ix_sessions_status", "status"),
        Index("ix_sessions_parent", "parent_session_id"),
    )


class ImageRow(Base):
    __tablename__ = "images"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    width: Mapped[int] = mapped_column(Int64)
    height: Mapped[int] = mapped_column(Int64)
    size_bytes: Mapped[int] = mapped_column(Int64)
    created_at: Mapped[float] = mapped_column(Float)


class StepRow(Base):
    __tablename__ = "steps"

    id: Mapped[int] = mapped_column(Int64, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    step_index: Mapped[int] = mapped_column(Int64)
    planned: Mapped[dict[str, Any]] = mapped_column(JSON)  # the PlanStep as the planner made it
    executed: Mapped[dict[str, Any]] = mapped_column(JSON)  # after a person's edits
    seed: Mapped[int] = mapped_column(Int64)
    plan_duration_s: Mapped[float] = mapped_column(Float, default=0.0)
    # planned | passed | failed | overridden | skipped | abandoned (a resume re-planned it)
    status: Mapped[str] = mapped_column(String(16))
    accepted_attempt: Mapped[int | None] = mapped_column(default=None)
    canvas_sha256: Mapped[str | None] = mapped_column(ForeignKey("images.sha256"), default=None)
    planned_seq: Mapped[int] = mapped_column(Int64)
    created_at: Mapped[float] = mapped_column(Float)

    __table_args__ = (Index("ix_steps_session_index", "session_id", "step_index"),)


class AttemptRow(Base):
    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(Int64, primary_key=True, autoincrement=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("steps.id", ondelete="CASCADE"))
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    step_index: Mapped[int] = mapped_column(Int64)
    attempt: Mapped[int] = mapped_column(Int64)
    stage: Mapped[str] = mapped_column(String(16))  # sketch | refine
    instruction: Mapped[str] = mapped_column(NulSafeText)
    image_sha256: Mapped[str | None] = mapped_column(ForeignKey("images.sha256"), default=None)
    sketch_seed: Mapped[int] = mapped_column(Int64)
    sketch_duration_s: Mapped[float] = mapped_column(Float, default=0.0)
    verdict: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    passed: Mapped[bool | None] = mapped_column(default=None)
    critique: Mapped[str | None] = mapped_column(NulSafeText, default=None)
    inspect_seed: Mapped[int | None] = mapped_column(default=None)
    inspect_duration_s: Mapped[float | None] = mapped_column(Float, default=None)
    # The correction the refine stage actually used for the next attempt (maybe a person's).
    corrective_instruction: Mapped[str | None] = mapped_column(NulSafeText, default=None)
    sketch_seq: Mapped[int] = mapped_column(Int64)
    created_at: Mapped[float] = mapped_column(Float)

    __table_args__ = (
        Index("ix_attempts_step", "step_id", "attempt"),
        Index("ix_attempts_image", "image_sha256"),
    )


class InterventionRow(Base):
    __tablename__ = "interventions"

    id: Mapped[int] = mapped_column(Int64, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    step_id: Mapped[int | None] = mapped_column(ForeignKey("steps.id", ondelete="CASCADE"), default=None)
    seq: Mapped[int] = mapped_column(Int64)
    kind: Mapped[str] = mapped_column(String(16))
    step_index: Mapped[int | None] = mapped_column(default=None)
    attempt: Mapped[int | None] = mapped_column(default=None)
    before: Mapped[dict[str, Any]] = mapped_column(JSON)
    after: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[float] = mapped_column(Float)

    __table_args__ = (Index("ix_interventions_session", "session_id", "seq"),)


class EventRow(Base):
    """Append-only: one row per engine event, in order, exactly as emitted (JSON)."""

    __tablename__ = "events"

    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Int64, primary_key=True)
    type: Mapped[str] = mapped_column(String(32))
    at: Mapped[float] = mapped_column(Float)
    payload: Mapped[str] = mapped_column(NulSafeText)
    image_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
