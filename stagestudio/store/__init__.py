"""The session store: SQLite or PostgreSQL (SQLAlchemy 2.0, Alembic-versioned) plus
content-addressed PNG files. History, replay, re-run, fork, export/import — and it never
loses work.

    store = open_store(path_or_None)              # a SQLite file ($STAGESTUDIO_DB, default)
    store = open_store("postgresql+psycopg://user:pw@host/db", images="/mnt/shared/images")
    for event in SessionRecorder(store).record(engine.run(...)): ...
"""

from stagestudio.store.archive import export_session
from stagestudio.store.target import DB_ENV_VAR, IMAGES_ENV_VAR, is_database_url, resolve_db_path
from stagestudio.store.errors import (
    ArchiveError,
    SessionBusyError,
    SessionDamagedError,
    SessionExistsError,
    SessionNotFoundError,
    StoreCorruptError,
    StoreError,
    StoreFullError,
    StoreLockedError,
    StoreOpenError,
    StoreReadOnlyError,
    StoreVersionError,
)
from stagestudio.store.exports import cleanup_stale_exports, create_export_dir
from stagestudio.store.importer import ImportResult, import_session
from stagestudio.store.recorder import SessionRecorder
from stagestudio.store.records import AttemptRecord, InterventionRecord, SessionRecord, SessionSummary, StepRecord
from stagestudio.store.replay import RerunReport, fork_session, rerun_session, resume_session
from stagestudio.store.store import DeleteReport, SessionStore, open_store

__all__ = [
    "DB_ENV_VAR",
    "IMAGES_ENV_VAR",
    "ArchiveError",
    "AttemptRecord",
    "DeleteReport",
    "ImportResult",
    "InterventionRecord",
    "RerunReport",
    "SessionBusyError",
    "SessionDamagedError",
    "SessionExistsError",
    "SessionNotFoundError",
    "SessionRecord",
    "SessionRecorder",
    "SessionStore",
    "SessionSummary",
    "StepRecord",
    "StoreCorruptError",
    "StoreError",
    "StoreFullError",
    "StoreLockedError",
    "StoreOpenError",
    "StoreReadOnlyError",
    "StoreVersionError",
    "cleanup_stale_exports",
    "create_export_dir",
    "export_session",
    "fork_session",
    "import_session",
    "is_database_url",
    "open_store",
    "rerun_session",
    "resolve_db_path",
    "resume_session",
]
