"""SessionStore: the one object the CLI, the recorder and the UI talk to.

    store = open_store("sessions/studio.db")      # or None: $STAGESTUDIO_DB / default
    store = open_store("postgresql+psycopg://user:pw@host/db", images="/mnt/shared/images")
    for s in store.list_sessions(): ...
    record = store.load_session(session_id)        # steps, attempts, images, interventions
    for event in store.replay(session_id): ...     # exactly as it happened, images loaded
    history = store.fork_history(session_id, k)    # for LoopEngine.run(history=...)
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image
from pydantic import ValidationError
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from stagestudio.inspector.verdict import Verdict
from stagestudio.loop.engine import CompletedStep
from stagestudio.loop.events import (
    ErrorEvent,
    Event,
    Intervention,
    SessionDone,
    SessionStarted,
    SketchReady,
    StepCompleted,
    event_from_json,
)
from stagestudio.scene.graph import SceneGraph
from stagestudio.scene.plan import PlanStep
from stagestudio.store.db import BUSY_TIMEOUT_MS, DEFAULT_SYNCHRONOUS, open_database
from stagestudio.store.errors import (
    SessionBusyError,
    SessionDamagedError,
    SessionNotFoundError,
    StoreCorruptError,
    StoreError,
    StoreReadOnlyError,
)
from stagestudio.store.images import ImageStore, encode_png
from stagestudio.store.locks import FileWriters, SessionLock, SessionWriters
from stagestudio.store.models import AttemptRow, EventRow, ImageRow, InterventionRow, SessionRow, StepRow
from stagestudio.store.projection import apply_event
from stagestudio.store.records import (
    AttemptRecord,
    InterventionRecord,
    SessionRecord,
    SessionSummary,
    StepRecord,
)
from stagestudio.store.sqltypes import NulSafeText
from stagestudio.store.target import resolve_target
from stagestudio.store.validation import (
    DAMAGED,
    IMPORT_FAILED,
    MAX_TIMESTAMP,
    MIN_TIMESTAMP,
    SESSION_STATUSES,
    first_error,
    json_number_problem,
    timestamp_problem,
)

COMPLETED_STATUSES = ("passed", "failed", "overridden", "skipped", "unsure")
# Events whose commit syncs the WAL to disk (and with it every event before): the ones a
# resume needs (a session's start, each step's end, its end) and a person's decisions. The
# stages in between are redone by a resume anyway, so they need not wait for a disk sync.
DURABLE_EVENTS = (SessionStarted, Intervention, StepCompleted, SessionDone, ErrorEvent)
MAX_FORK_DEPTH = 256


@dataclass
class DeleteReport:
    deleted_sessions: list[str] = field(default_factory=list)
    removed_images: list[str] = field(default_factory=list)


# The listing reads the table itself (SQLite: NOT INDEXED): a damaged index must never
# hide a session, and raw values (no type processing but the prompt's NUL escapes) so that
# one bad row cannot break the rest.
_SUMMARY_COLUMNS = (
    "id, {prompt} AS prompt, status, step_count, created_at, updated_at, backend, parent_session_id, branch_step, passed"
)
_LIST_SQL = "SELECT {columns} FROM sessions {scan} ORDER BY created_at DESC, id"
_ROW_SQL = text(f"SELECT {_SUMMARY_COLUMNS.format(prompt='prompt')} FROM sessions WHERE id = :sid").columns(
    prompt=NulSafeText()
)


def summary_from_row(row: Any) -> SessionSummary:
    """A SessionSummary from raw column values; a value no reader can use makes the row
    `damaged` (with the reason in `problem`) and is replaced by a harmless one."""
    sid, prompt, status, step_count, created, updated, backend, parent, branch, passed = row
    if (  # the sound row, checked without building anything (10,000 rows per listing)
        type(prompt) is str and status in SESSION_STATUSES and type(step_count) is int
        and type(created) is float and MIN_TIMESTAMP <= created <= MAX_TIMESTAMP
        and type(updated) is float and MIN_TIMESTAMP <= updated <= MAX_TIMESTAMP
        and type(backend) is str and (parent is None or type(parent) is str)
        and (branch is None or type(branch) is int) and passed in (None, 0, 1)
    ):
        return SessionSummary(
            str(sid), prompt, status, step_count, created, updated, backend, parent, branch,
            None if passed is None else bool(passed),
        )
    problems: list[str] = []

    def text(name: str, value: Any, optional: bool = False) -> Any:
        if isinstance(value, str) or (optional and value is None):
            return value
        problems.append(f"{name} is {value!r:.40}, not text")
        return None if optional else str(value)

    def whole(name: str, value: Any, optional: bool = False) -> Any:
        if (isinstance(value, int) and not isinstance(value, bool)) or (optional and value is None):
            return value
        problems.append(f"{name} is {value!r:.40}, not an integer")
        return None if optional else 0

    def moment(name: str, value: Any) -> float:
        problem = timestamp_problem(value)
        if problem:
            problems.append(f"{name} {problem}")
            return 0.0
        return float(value)

    summary = SessionSummary(
        id=str(sid),
        prompt=text("prompt", prompt),
        status=str(status),
        step_count=whole("step_count", step_count),
        created_at=moment("created_at", created),
        updated_at=moment("updated_at", updated),
        backend=text("backend", backend),
        parent_session_id=text("parent_session_id", parent, optional=True),
        branch_step=whole("branch_step", branch, optional=True),
        passed=None if passed is None else bool(passed) if passed in (0, 1) else None,
    )
    if passed not in (None, 0, 1):
        problems.append(f"passed is {passed!r:.40}, not true/false")
    if status not in SESSION_STATUSES:
        problems.append(f"status is {status!r:.40}, not one of {', '.join(SESSION_STATUSES)}")
    if problems:
        summary.status = DAMAGED
        summary.problem = "; ".join(problems)
    return summary


class SessionStore:
    """`path`: a SQLite file or a PostgreSQL URL (see target.py); `images`: a PostgreSQL
    store's shared image folder (default $STAGESTUDIO_DB_IMAGES)."""

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        images: str | os.PathLike[str] | None = None,
        lock_timeout_s: float | None = None,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
        synchronous: str = DEFAULT_SYNCHRONOUS,
    ) -> None:
        target = resolve_target(path, images)
        self.db = open_database(target, lock_timeout_s=lock_timeout_s, busy_timeout_ms=busy_timeout_ms, synchronous=synchronous)
        self.images = ImageStore(target.images_root)
        self.root = target.images_root.parent if target.path is None else target.path.parent
        # Who writes which session: lock files beside a SQLite file (one machine), advisory
        # locks held by the writer's connection on PostgreSQL (any machine).
        self.lock_dir: Path | None = None
        if target.path is not None:
            self.lock_dir = self.root / "locks" / target.path.stem
            self.writers: SessionWriters = FileWriters(self.lock_dir)
        else:
            from stagestudio.store.advisory_locks import AdvisoryWriters

            self.writers = AdvisoryWriters(self.db)  # type: ignore[arg-type]  # a PostgresDatabase
        self._checked_before_writing = False
        if not self.db.read_only:
            try:
                self.images.ensure_root()  # a missing images folder is recreated, never an error
            except OSError:
                pass  # e.g. a full disk: reading still works; a write says what failed
            self.mark_dead_sessions_interrupted()

    @property
    def path(self) -> Path | None:
        """The SQLite file; None for a server database (see `location`)."""
        return self.db.path

    @property
    def location(self) -> str:
        """Where the sessions are, for people: the file, or the URL without its password."""
        return self.db.label

    @property
    def dialect(self) -> str:
        return self.db.dialect

    @property
    def read_only(self) -> bool:
        return self.db.read_only

    def close(self) -> None:
        self.db.dispose()

    def __enter__(self) -> "SessionStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- liveness -----------------------------------------------------------------------
    def writer_alive(self, session_id: str) -> bool:
        return self.writers.alive(session_id)

    def _effective_status(self, session_id: str, status: str) -> str:
        if status == "running" and not self.writer_alive(session_id):
            return "interrupted"
        if status == "importing" and not self.writer_alive(session_id):
            return IMPORT_FAILED  # the importer died; `sessions check --repair` removes it
        return status

    def mark_dead_sessions_interrupted(self) -> list[str]:
        """Sessions still `running` whose writer is gone become `interrupted` (persisted;
        readers compute the same status anyway, so a busy database only postpones this)."""
        running = self.db.read(lambda db: list(db.scalars(select(SessionRow.id).where(SessionRow.status == "running"))))
        if not any(not self.writer_alive(sid) for sid in running):
            return []

        def sweep(db: Session) -> list[str]:
            # Re-checked inside the write transaction, with the rows locked (PostgreSQL;
            # SQLite's write lock covers the file): a resumer takes the writer lock before
            # it writes, so it cannot be marked interrupted under its feet.
            marked = [
                sid
                for sid in db.scalars(
                    # In id order: two sweeps at once lock the rows in the same order.
                    select(SessionRow.id).where(SessionRow.status == "running").order_by(SessionRow.id).with_for_update()
                )
                if not self.writer_alive(sid)
            ]
            if marked:
                db.execute(
                    update(SessionRow)
                    .where(SessionRow.id.in_(marked), SessionRow.status == "running")
                    .values(status="interrupted")
                )
            return marked

        try:
            return self.db.write(sweep)
        except StoreError:
            return []  # locked, full disk, ...: best effort, readers compute the same status

    # --- writing (used by SessionRecorder) ------------------------------------------------
    def ensure_writable(self) -> None:
        """Raise a StoreError unless this store may be written: not read-only, and the
        database passes its quick check (checked once per store)."""
        if self.read_only:
            raise StoreReadOnlyError(f"database {self.location} is read-only; cannot record sessions in it")
        if not self._checked_before_writing:
            # Once per store: never append a session to a damaged file (a quick_check
            # costs ~10 ms for thousands of sessions; opening for reading skips it).
            problems = self.db.quick_check()
            if problems:
                raise StoreCorruptError(
                    f"database {self.location} fails {self.db.integrity_check_name} ({problems[0]}); nothing was written — "
                    f"restore a backup, or move it aside and start a new one"
                )
            self._checked_before_writing = True

    def acquire_writer(self, session_id: str) -> SessionLock:
        """Take the session's writer lock (SessionBusyError if a live process holds it)."""
        self.ensure_writable()
        return self.writers.lock(session_id).acquire()

    def commit_event(
        self, event: Event, *, planned_graph: SceneGraph | None = None, lock_timeout_s: float | None = None
    ) -> None:
        """Store one event in its own transaction; a SketchReady's image is written to disk
        first and its hash filled into `event.image_sha256`."""
        png = encode_png(event.image) if isinstance(event, SketchReady) and event.image is not None else None
        self.commit_encoded(event, png, planned_graph=planned_graph, lock_timeout_s=lock_timeout_s)

    def commit_encoded(
        self,
        event: Event,
        png: bytes | None,
        *,
        planned_graph: SceneGraph | None = None,
        lock_timeout_s: float | None = None,
    ) -> None:
        """`commit_event` with a SketchReady's image already encoded as PNG bytes.
        `lock_timeout_s`: how long to wait for another writer (default: the store's)."""
        stored = None
        if png is not None:
            assert isinstance(event, SketchReady) and event.image is not None
            try:
                stored = self.images.put_png(png, event.image.width, event.image.height)
            except OSError as exc:
                raise StoreError(
                    f"cannot write the sketch image into {self.images.root}: {exc.strerror or exc}; "
                    f"everything before this stage is saved and the session can be resumed"
                ) from exc
            event.image_sha256 = stored.sha256
        data = event.to_json_dict()
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        problem = json_number_problem(data) or timestamp_problem(event.at)
        if problem:
            # SQLite cannot hold it (or a reader could not show it): refuse clearly rather
            # than fail half-way with an OverflowError.
            raise StoreError(f"cannot store event {event.seq} ({event.type}) of session {event.session_id}: {problem}")
        planned = planned_graph.model_dump(mode="json") if planned_graph is not None else None
        is_start = isinstance(event, SessionStarted)

        extra = {"writer_pid": os.getpid(), "writer_host": socket.gethostname()} if is_start else None

        def write(db: Session) -> None:
            apply_event(db, event, payload, image=stored, planned_graph=planned, session_extra=extra)

        try:
            self.db.write(write, lock_timeout_s=lock_timeout_s, durable=isinstance(event, DURABLE_EVENTS))
        except IntegrityError as exc:
            raise StoreError(
                f"cannot store event {event.seq} ({event.type}) of session {event.session_id}: it conflicts with what "
                f"is already stored ({exc.orig}); is another run writing the same session?"
            ) from exc

    def begin_resume(self, session_id: str) -> int:
        """Mark an interrupted session as running again (caller holds its writer lock);
        returns the seq of its last stored event."""

        def write(db: Session) -> int:
            row = self._row(db, session_id)
            if row.status not in ("interrupted", "running"):
                raise StoreError(
                    f"session {session_id} is {row.status}; only an interrupted session can be resumed "
                    f"(fork it to continue from a step instead)"
                )
            row.status = "running"
            row.writer_pid = os.getpid()
            row.writer_host = socket.gethostname()
            return row.last_seq

        return self.db.write(write)

    def mark_running(self, session_id: str) -> None:
        """An `interrupted` session is `running` again: its writer re-took its lock after
        a dropped connection (a sweep may have marked it meanwhile)."""
        self.db.write(
            lambda db: db.execute(
                update(SessionRow)
                .where(SessionRow.id == session_id, SessionRow.status == "interrupted")
                .values(status="running")
            )
        )

    def mark_interrupted(self, session_id: str) -> None:
        self.db.write(
            lambda db: db.execute(
                update(SessionRow)
                .where(SessionRow.id == session_id, SessionRow.status == "running")
                .values(status="interrupted")
            )
        )

    # --- reading ------------------------------------------------------------------------
    @staticmethod
    def _row_problem(db: Session, session_id: str) -> str | None:
        """What is wrong with the session row's raw values (as the listing sees them)."""
        raw = db.execute(_ROW_SQL, {"sid": session_id}).first()
        return summary_from_row(raw).problem if raw is not None else None

    @staticmethod
    def _row(db: Session, session_id: str) -> SessionRow:
        row = db.get(SessionRow, session_id)
        if row is None:
            raise SessionNotFoundError(f"no session {session_id!r} in this store")
        return row

    def exists(self, session_id: str) -> bool:
        return self.db.read(lambda db: db.get(SessionRow, session_id) is not None)

    def list_sessions(
        self, *, limit: int | None = None, status: str | None = None, prompt_chars: int | None = None
    ) -> list[SessionSummary]:
        """Newest first. `prompt_chars` truncates prompts in SQL (fast listings). A row no
        reader can use is listed as `damaged` (with `problem`), never hiding the others."""
        prompt = "prompt" if prompt_chars is None else f"substr(prompt, 1, {int(prompt_chars)})"
        sql = _LIST_SQL.format(columns=_SUMMARY_COLUMNS.format(prompt=prompt), scan=self.db.table_scan_hint)
        params: dict[str, Any] = {}
        if limit is not None:
            sql += " LIMIT :limit"
            params["limit"] = int(limit)
        query = text(sql).columns(prompt=NulSafeText())

        def read(db: Session) -> list[Any]:
            return db.execute(query, params).fetchall()

        summaries = [summary_from_row(row) for row in self.db.read(read)]
        for s in summaries:
            s.status = self._effective_status(s.id, s.status)
        if status is not None:
            summaries = [s for s in summaries if s.status == status]
        return summaries

    def listing_problems(self) -> list[str]:
        """Damage that could make a listing wrong: each index of the sessions table must
        hold as many entries as the table has rows (a few milliseconds for 10,000 rows;
        SQLite only — on PostgreSQL `sessions check` runs amcheck instead)."""
        problems = self.db.index_problems("sessions")
        if problems:
            problems.append("`sessions check --repair` rebuilds the indexes")
        return problems

    def children(self, session_id: str) -> list[str]:
        return self.db.read(
            lambda db: list(db.scalars(select(SessionRow.id).where(SessionRow.parent_session_id == session_id)))
        )

    def load_session(self, session_id: str) -> SessionRecord:
        """Everything stored about one session. Raises SessionDamagedError (naming what)
        for a row that cannot be read and StoreCorruptError when a damaged index hides
        some of its steps."""
        with self._reading(session_id):
            record = self.db.read(lambda db: self._load(db, session_id))
        self._check_count(session_id, "completed steps", len(record.completed_steps), record.step_count, ("steps", "attempts"))
        self._check_count(session_id, "events", record.event_count, record.last_seq + 1, ("events",))
        return record

    @contextmanager
    def _reading(self, session_id: str) -> Iterator[None]:
        """Turn a stored value no model accepts into SessionDamagedError for this session."""
        try:
            yield
        except ValidationError as exc:
            raise self._damaged(session_id, first_error(exc)) from exc
        except (ValueError, TypeError, KeyError) as exc:
            raise self._damaged(session_id, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}") from exc

    def _damaged(self, session_id: str, reason: str) -> SessionDamagedError:
        return SessionDamagedError(
            f"session {session_id} is damaged and cannot be read ({reason}); other sessions are unaffected — "
            f"delete it with `sessions delete {session_id}`"
        )

    def _check_count(self, session_id: str, what: str, found: int, expected: int, tables: tuple[str, ...]) -> None:
        """A count that disagrees with the session row is how a damaged index shows itself
        (a query through it finds fewer rows); SQLite's check of those tables confirms it."""
        if found == expected:
            return
        problems = self.db.table_check(tables)
        if problems:
            raise StoreCorruptError(
                f"database {self.location} is damaged ({problems[0]}): only {found} of session {session_id}'s "
                f"{expected} {what} can be read — run `sessions check --repair` to rebuild the indexes"
            )

    def _load(self, db: Session, session_id: str) -> SessionRecord:
        row = self._row(db, session_id)
        problem = self._row_problem(db, session_id)
        if problem:
            raise self._damaged(session_id, problem)
        steps = self._effective_steps(db, row, upto=None, depth=0)
        abandoned_rows = list(
            db.scalars(
                select(StepRow)
                .where(StepRow.session_id == session_id, StepRow.status == "abandoned")
                .order_by(StepRow.id)
            )
        )
        abandoned = self._step_records(db, abandoned_rows, session_id)
        abandoned_ids = {r.id for r in abandoned_rows}
        interventions = [
            InterventionRecord(
                seq=i.seq,
                kind=i.kind,
                step_index=i.step_index,
                attempt=i.attempt,
                before=i.before,
                after=i.after,
                created_at=i.created_at,
                abandoned=i.step_id in abandoned_ids,
            )
            for i in db.scalars(
                select(InterventionRow).where(InterventionRow.session_id == session_id).order_by(InterventionRow.seq)
            )
        ]
        event_count = db.scalar(select(func.count()).select_from(EventRow).where(EventRow.session_id == session_id))
        referenced = {a.image_sha256 for s in steps + abandoned for a in s.attempts if a.image_sha256}
        referenced |= {s.canvas_sha256 for s in steps if s.canvas_sha256}
        missing = sorted(sha for sha in referenced if not self.images.exists(sha))
        missing_set = set(missing)
        for s in steps + abandoned:
            for a in s.attempts:
                a.image_missing = a.image_sha256 in missing_set
        return SessionRecord(
            id=row.id,
            prompt=row.prompt,
            status=self._effective_status(row.id, row.status),
            step_count=row.step_count,
            created_at=row.created_at,
            updated_at=row.updated_at,
            backend=row.backend,
            parent_session_id=row.parent_session_id,
            branch_step=row.branch_step,
            passed=row.passed,
            settings=row.settings,
            seed=row.seed,
            max_refines=row.max_refines,
            max_steps=row.max_steps,
            graph_planned=SceneGraph.model_validate(row.graph_planned),
            graph_edited=SceneGraph.model_validate(row.graph_edited) if row.graph_edited else None,
            final_verdict=Verdict.model_validate(row.final_verdict) if row.final_verdict else None,
            last_error=row.last_error,
            last_seq=row.last_seq,
            event_count=int(event_count or 0),
            writer_pid=row.writer_pid,
            writer_host=row.writer_host,
            steps=steps,
            abandoned_steps=abandoned,
            interventions=interventions,
            missing_images=missing,
        )

    def _effective_steps(self, db: Session, row: SessionRow, upto: int | None, depth: int) -> list[StepRecord]:
        """This session's steps (index < upto) with a fork's inherited steps walked in
        from its ancestors; nothing is copied between sessions."""
        if depth > MAX_FORK_DEPTH:
            raise StoreError(f"fork chain of session {row.id} is deeper than {MAX_FORK_DEPTH}; the database is inconsistent")
        inherited: list[StepRecord] = []
        if row.parent_session_id is not None:
            parent = self._row(db, row.parent_session_id)
            limit = row.branch_step or 0
            if upto is not None:
                limit = min(limit, upto)
            inherited = self._effective_steps(db, parent, upto=limit, depth=depth + 1)
            for s in inherited:
                s.inherited = True
        query = (
            select(StepRow)
            .where(StepRow.session_id == row.id, StepRow.status != "abandoned")
            .order_by(StepRow.step_index, StepRow.id)
        )
        if upto is not None:
            query = query.where(StepRow.step_index < upto)
        own_rows = [r for r in db.scalars(query) if r.step_index >= (row.branch_step or 0)]
        return inherited + self._step_records(db, own_rows, row.id)

    def _step_records(self, db: Session, rows: list[StepRow], session_id: str) -> list[StepRecord]:
        if not rows:
            return []
        attempts: dict[int, list[AttemptRecord]] = {r.id: [] for r in rows}
        for a in db.scalars(
            select(AttemptRow).where(AttemptRow.step_id.in_(list(attempts))).order_by(AttemptRow.step_id, AttemptRow.sketch_seq)
        ):
            attempts[a.step_id].append(
                AttemptRecord(
                    step_index=a.step_index,
                    attempt=a.attempt,
                    stage=a.stage,
                    instruction=a.instruction,
                    image_sha256=a.image_sha256,
                    image_path=self.images.path_for(a.image_sha256) if a.image_sha256 else None,
                    image_missing=False,
                    seed=a.sketch_seed,
                    duration_s=a.sketch_duration_s,
                    verdict=Verdict.model_validate(a.verdict) if a.verdict else None,
                    inspect_seed=a.inspect_seed,
                    inspect_duration_s=a.inspect_duration_s,
                    corrective_instruction=a.corrective_instruction,
                    created_at=a.created_at,
                )
            )
        return [
            StepRecord(
                session_id=r.session_id,
                inherited=r.session_id != session_id,
                index=r.step_index,
                planned=PlanStep.model_validate(r.planned),
                step=PlanStep.model_validate(r.executed),
                seed=r.seed,
                status=r.status,
                accepted_attempt=r.accepted_attempt,
                canvas_sha256=r.canvas_sha256,
                attempts=attempts[r.id],
            )
            for r in rows
        ]

    def event_payloads(self, session_id: str) -> list[dict[str, Any]]:
        """The session's own event log, in order, as stored JSON."""

        def read(db: Session) -> tuple[int, list[dict[str, Any]]]:
            last_seq = db.scalar(select(SessionRow.last_seq).where(SessionRow.id == session_id))
            if last_seq is None:
                raise SessionNotFoundError(f"no session {session_id!r} in this store")
            rows = db.scalars(select(EventRow.payload).where(EventRow.session_id == session_id).order_by(EventRow.seq))
            return last_seq, [json.loads(p) for p in rows]

        with self._reading(session_id):
            last_seq, payloads = self.db.read(read)
        self._check_count(session_id, "events", len(payloads), last_seq + 1, ("events",))
        return payloads

    def load_image(self, sha256: str) -> Image.Image:
        try:
            return self.images.load(sha256)
        except FileNotFoundError:
            raise StoreError(
                f"image {sha256} is referenced by the database but missing from {self.images.root}"
            ) from None

    def replay(self, session_id: str, *, with_images: bool = True, include_history: bool = False) -> Iterator[Event]:
        """The stored events exactly as they happened (nothing is recomputed); SketchReady
        events carry their image (None when its file is missing — `show` lists those).
        `include_history` first yields a fork's inherited steps from its ancestors."""
        payloads = self.event_payloads(session_id)
        if include_history:
            payloads = self._history_payloads(session_id) + payloads
        for data in payloads:
            with self._reading(session_id):
                event = event_from_json(data)
            if with_images and isinstance(event, SketchReady) and event.image_sha256:
                try:
                    event.image = self.images.load(event.image_sha256)
                except FileNotFoundError:
                    event.image = None
            yield event

    def _history_payloads(self, session_id: str) -> list[dict[str, Any]]:
        """Events of the steps a fork inherits, from each ancestor, oldest ancestor first."""
        chain: list[tuple[str, int, int]] = []  # (ancestor id, first index, end index)

        def read(db: Session) -> None:
            row = self._row(db, session_id)
            end = None
            while row.parent_session_id is not None and len(chain) <= MAX_FORK_DEPTH:
                end = row.branch_step if end is None else min(end, row.branch_step or 0)
                row = self._row(db, row.parent_session_id)
                chain.append((row.id, row.branch_step or 0, end))

        self.db.read(read)
        out: list[dict[str, Any]] = []
        for ancestor, first, end in reversed(chain):
            # Where each completed step's events begin (a resumed ancestor also logged the
            # partial attempt it later abandoned; those events are left out).
            starts = self.db.read(
                lambda db: {
                    r.step_index: r.planned_seq
                    for r in db.scalars(
                        select(StepRow).where(StepRow.session_id == ancestor, StepRow.status.in_(COMPLETED_STATUSES))
                    )
                }
            )
            for data in self.event_payloads(ancestor):
                if data["type"] == "session_started":
                    if first == 0:
                        out.append(data)
                    continue
                index = data.get("step_index")
                if data["type"] == "step_planned":
                    index = data["step"]["index"]
                if index is None or not first <= index < end or index not in starts:
                    continue
                if data["seq"] >= starts[index]:
                    out.append(data)
        return out

    def fork_history(self, session_id: str, k: int) -> list[CompletedStep]:
        """Steps 0..k-1 of a stored session as the engine needs them to continue from step k."""
        record = self.load_session(session_id)
        completed = record.completed_steps
        if not 0 <= k <= len(completed):
            raise StoreError(
                f"session {session_id} has {len(completed)} completed steps; choose a step from 0 to {len(completed)}"
            )
        history = []
        for s in completed[:k]:
            image = self.load_image(s.canvas_sha256) if s.canvas_sha256 and s.status != "skipped" else None
            history.append(CompletedStep(step=s.step, outcome=s.status, image=image))
        return history

    # --- deleting -----------------------------------------------------------------------
    def delete_session(self, session_id: str, *, cascade: bool = False) -> DeleteReport:
        """Delete a session and the image files nothing else refers to. Forks share their
        parent's steps, so a session with forks is refused unless `cascade` also deletes
        the forks (and their forks)."""
        report = DeleteReport()
        self.ensure_writable()  # never write into a file that fails SQLite's check

        def write(db: Session) -> list[str]:
            # Ids only: a damaged row (whose values no model reads) must still be deletable.
            if db.scalar(select(SessionRow.id).where(SessionRow.id == session_id).with_for_update()) is None:
                raise SessionNotFoundError(f"no session {session_id!r} in this store")
            order: list[str] = []
            frontier = [session_id]
            while frontier:
                sid = frontier.pop()
                order.append(sid)
                kids = list(db.scalars(select(SessionRow.id).where(SessionRow.parent_session_id == sid)))
                if kids and not cascade:
                    raise StoreError(
                        f"session {sid} has forks that share its steps ({', '.join(sorted(kids))}); delete those first, "
                        f"or delete with --cascade to remove them too (export them first to keep them)"
                    )
                frontier.extend(kids)
            for sid in order:
                if self.writer_alive(sid):
                    raise SessionBusyError(f"session {sid} is being written by a live process; stop it before deleting")
            report.deleted_sessions = order
            return delete_rows(db, order)

        unused = self.db.write(write)
        self._remove_files(report.deleted_sessions, unused)
        report.removed_images = unused
        return report

    def discard_sessions(self, session_ids: list[str]) -> list[str]:
        """Delete these sessions (children before parents) without the checks of
        `delete_session`: for what an importer leaves half-written. Returns the image
        hashes whose files were removed."""
        unused = self.db.write(lambda db: delete_rows(db, session_ids))
        self._remove_files(session_ids, unused)
        return unused

    def _remove_files(self, session_ids: list[str], unused_images: list[str]) -> None:
        # Files go only after the rows are gone for good; a crash in between leaves
        # unreferenced files (`sessions check --repair` removes them), never dangling rows.
        for sha in unused_images:
            self.images.remove(sha)
        for sid in session_ids:
            self.writers.forget(sid)

    # --- checks -------------------------------------------------------------------------
    def integrity_check(self) -> list[str]:
        return self.db.integrity_check()


def delete_rows(db: Session, session_ids: list[str]) -> list[str]:
    """Delete the sessions (given parents first; deleted children first) with their steps,
    attempts, events and interventions, and the image rows nothing refers to any more;
    returns those images' hashes."""
    candidates = set(
        db.scalars(
            select(AttemptRow.image_sha256).where(AttemptRow.session_id.in_(session_ids), AttemptRow.image_sha256.is_not(None))
        )
    )
    for sid in reversed(session_ids):  # children before parents (RESTRICT on parent)
        db.execute(delete(SessionRow).where(SessionRow.id == sid))
    still_used = set(db.scalars(select(AttemptRow.image_sha256).where(AttemptRow.image_sha256.in_(candidates)))) | set(
        db.scalars(select(StepRow.canvas_sha256).where(StepRow.canvas_sha256.in_(candidates)))
    )
    unused = sorted(candidates - still_used)
    if unused:
        db.execute(delete(ImageRow).where(ImageRow.sha256.in_(unused)))
    return unused


def open_store(
    path: str | os.PathLike[str] | None = None,
    *,
    images: str | os.PathLike[str] | None = None,
    lock_timeout_s: float | None = None,
    busy_timeout_ms: int = BUSY_TIMEOUT_MS,
) -> SessionStore:
    """Open (creating or upgrading) the session store at `path` (a SQLite file or a
    PostgreSQL URL), $STAGESTUDIO_DB, or sessions/studio.db. A PostgreSQL store keeps its
    images in `images` (default $STAGESTUDIO_DB_IMAGES). A transaction that finds the
    database locked is retried with back-off for up to `lock_timeout_s` (default 30 s),
    then fails with StoreLockedError."""
    return SessionStore(path, images=images, lock_timeout_s=lock_timeout_s, busy_timeout_ms=busy_timeout_ms)
