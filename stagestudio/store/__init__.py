"""The session store: SQLite (SQLAlchemy 2.0, Alembic-versioned) plus content-addressed
PNG files. History, replay, re-run, fork, export/import — and it never loses work.

    store = open_store(path_or_None)
    for event in SessionRecorder(store).record(engine.run(...)): ...
"""

from stagestudio.store.archive import export_session, import_session
from stagestudio.store.db import DB_ENV_VAR, resolve_db_path
from stagestudio.store.errors import (
    ArchiveError,
    SessionBusyError,
    SessionExistsError,
    SessionNotFoundError,
    StoreCorruptError,
    StoreError,
    StoreLockedError,
    StoreReadOnlyError,
    StoreVersionError,
)
from stagestudio.store.recorder import SessionRecorder
from stagestudio.store.records import AttemptRecord, InterventionRecord, SessionRecord, SessionSummary, StepRecord
from stagestudio.store.replay import RerunReport, fork_session, rerun_session, resume_session
from stagestudio.store.store import DeleteReport, SessionStore, open_store

__all__ = [
    "DB_ENV_VAR",
    "ArchiveError",
    "AttemptRecord",
    "DeleteReport",
    "InterventionRecord",
    "RerunReport",
    "SessionBusyError",
    "SessionExistsError",
    "SessionNotFoundError",
    "SessionRecord",
    "SessionRecorder",
    "SessionStore",
    "SessionSummary",
    "StepRecord",
    "StoreCorruptError",
    "StoreError",
    "StoreLockedError",
    "StoreReadOnlyError",
    "StoreVersionError",
    "export_session",
    "fork_session",
    "import_session",
    "open_store",
    "rerun_session",
    "resolve_db_path",
    "resume_session",
]
