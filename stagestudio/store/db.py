"""Opening the SQLite database: where it lives, connection settings (WAL, foreign keys,
busy timeout), refusing files that are not SQLite databases, schema upgrades, and
retrying transactions that hit a lock held by another process."""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session

from stagestudio.store import migrations
from stagestudio.store.errors import StoreCorruptError, StoreLockedError, StoreReadOnlyError

T = TypeVar("T")

DB_ENV_VAR = "STAGESTUDIO_DB"
DEFAULT_DB_PATH = Path("sessions") / "studio.db"
SQLITE_HEADER = b"SQLite format 3\x00"
# Per-statement wait inside SQLite before it reports "database is locked"; our own retry
# loop (with back-off) wraps whole transactions on top of that.
BUSY_TIMEOUT_MS = 2000
DEFAULT_LOCK_TIMEOUT_S = 30.0


def resolve_db_path(path: str | os.PathLike[str] | None = None) -> Path:
    """`path`, else $STAGESTUDIO_DB, else sessions/studio.db under the current directory."""
    if path is None or str(path) == "":
        path = os.environ.get(DB_ENV_VAR) or DEFAULT_DB_PATH
    return Path(path).expanduser().absolute()


def _is_lock_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "database is locked" in text or "database is busy" in text or "database table is locked" in text


def _is_readonly_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "readonly" in text or "read-only" in text or "read only" in text


def _is_corrupt_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text or "disk image" in text


class Database:
    """One SQLite file plus its engines. Use `write()`/`read()` for transactions."""

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
        synchronous: str = "NORMAL",
    ) -> None:
        self.path = resolve_db_path(path)
        self.lock_timeout_s = lock_timeout_s
        self.busy_timeout_ms = busy_timeout_ms
        if synchronous.upper() not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ValueError(f"synchronous must be OFF, NORMAL, FULL or EXTRA, not {synchronous!r}")
        # NORMAL in WAL mode: a crashed or killed process loses no committed event; only an
        # OS crash or power cut may drop the last commits (never corrupting the file).
        self.synchronous = synchronous.upper()
        self._check_file()
        self.read_only = self._detect_read_only()
        self.engine = self._create_engine()
        # Writes take the write lock up front (BEGIN IMMEDIATE): a deferred transaction that
        # upgrades from read to write can fail with SQLITE_BUSY without waiting at all.
        self.write_engine = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        self._prepare_schema()

    # --- opening ------------------------------------------------------------------------
    def _check_file(self) -> None:
        if self.path.is_dir():
            raise StoreCorruptError(f"{self.path} is a folder, not a SQLite database file")
        if self.path.exists() and self.path.stat().st_size > 0:
            try:
                with open(self.path, "rb") as fh:
                    header = fh.read(len(SQLITE_HEADER))
            except PermissionError as exc:
                raise StoreReadOnlyError(f"cannot read database {self.path}: {exc.strerror}") from exc
            if header != SQLITE_HEADER:
                raise StoreCorruptError(
                    f"{self.path} is not a SQLite database (unexpected file header); it was left untouched — "
                    f"move it aside or choose another file with --db / ${DB_ENV_VAR}"
                )
        elif not self.path.exists():
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreReadOnlyError(f"cannot create folder {self.path.parent} for the database: {exc.strerror}") from exc

    def _detect_read_only(self) -> bool:
        if self.path.exists():
            # A file without any write bit was made read-only on purpose; respect that even
            # for root, whom the kernel would let write anyway.
            no_write_bits = not (self.path.stat().st_mode & 0o222)
            return no_write_bits or not os.access(self.path, os.W_OK) or not os.access(self.path.parent, os.W_OK)
        return not os.access(self.path.parent, os.W_OK)

    def _create_engine(self) -> Engine:
        if self.read_only:
            if not self.path.exists():
                raise StoreReadOnlyError(f"cannot create database {self.path}: folder {self.path.parent} is read-only")
            wal = self.path.with_name(self.path.name + "-wal")
            if wal.exists() and wal.stat().st_size > 0:
                # Committed pages may still sit in the WAL: SQLite must read it.
                url = f"sqlite:///file:{self.path}?mode=ro&uri=true"
            else:
                # immutable=1 lets SQLite read a WAL-mode database without creating
                # -wal/-shm files beside a file we must not touch.
                url = f"sqlite:///file:{self.path}?mode=ro&immutable=1&uri=true"
        else:
            url = f"sqlite:///{self.path}"
        # check_same_thread=False: the UI records from a worker thread; the pool hands each
        # connection to one thread at a time.
        engine = create_engine(
            url, connect_args={"timeout": self.busy_timeout_ms / 1000, "check_same_thread": False}
        )
        read_only = self.read_only

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: sqlite3.Connection, _record) -> None:
            # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's implicit
            # transactions cannot do BEGIN IMMEDIATE).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")
            cur.execute("PRAGMA foreign_keys=ON")
            if not read_only:
                mode = cur.execute("PRAGMA journal_mode").fetchone()[0]
                if str(mode).lower() != "wal":
                    cur.execute("PRAGMA journal_mode=WAL")
                cur.execute(f"PRAGMA synchronous={self.synchronous}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn) -> None:
            mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine

    def _prepare_schema(self) -> None:
        def current() -> str | None:
            with self.engine.connect() as conn:
                return migrations.current_revision(conn)

        revision = self._retry(current)
        if not migrations.check_revision(revision, str(self.path)):
            return
        if self.read_only:
            raise StoreReadOnlyError(
                f"database {self.path} is read-only and needs a schema upgrade "
                f"({revision or 'empty'} -> {migrations.head_revision()}); make it writable first"
            )

        def upgrade() -> None:
            with self.write_engine.begin() as conn:
                # Re-check under the write lock: another process may have upgraded meanwhile.
                if migrations.check_revision(migrations.current_revision(conn), str(self.path)):
                    migrations.upgrade(conn)

        self._retry(upgrade)

    # --- transactions -------------------------------------------------------------------
    def _retry(self, fn: Callable[[], T]) -> T:
        """Run `fn`, retrying with exponential back-off while the database is locked."""
        deadline = time.monotonic() + self.lock_timeout_s
        delay = 0.01
        attempts = 0
        while True:
            attempts += 1
            try:
                return fn()
            except (OperationalError, sqlite3.OperationalError) as exc:
                if _is_lock_error(exc):
                    if time.monotonic() + delay > deadline:
                        raise StoreLockedError(
                            f"database {self.path} stayed locked by another writer for {self.lock_timeout_s:.1f}s "
                            f"({attempts} tries); nothing was lost — retry when the other run finishes"
                        ) from exc
                    time.sleep(delay * (0.5 + random.random()))
                    delay = min(delay * 2, 0.5)
                    continue
                if _is_readonly_error(exc):
                    raise StoreReadOnlyError(f"database {self.path} is read-only: {exc.orig if hasattr(exc, 'orig') else exc}") from exc
                if _is_corrupt_error(exc):
                    raise StoreCorruptError(f"database {self.path} is damaged ({exc.orig if hasattr(exc, 'orig') else exc}); it was left untouched") from exc
                raise
            except (DatabaseError, sqlite3.DatabaseError) as exc:
                if _is_corrupt_error(exc):
                    raise StoreCorruptError(
                        f"database {self.path} is damaged ({getattr(exc, 'orig', exc)}); it was left untouched — "
                        f"restore a backup or move it aside"
                    ) from exc
                raise

    def write(self, fn: Callable[[Session], T]) -> T:
        """Run `fn(session)` in one write transaction (committed on return), with retries."""
        if self.read_only:
            raise StoreReadOnlyError(f"database {self.path} is read-only; cannot save changes (check file permissions)")

        def attempt() -> T:
            with Session(self.write_engine, expire_on_commit=False) as session:
                with session.begin():
                    return fn(session)

        return self._retry(attempt)

    def read(self, fn: Callable[[Session], T]) -> T:
        def attempt() -> T:
            with Session(self.engine, expire_on_commit=False) as session:
                with session.begin():
                    return fn(session)

        return self._retry(attempt)

    @contextmanager
    def raw(self) -> Iterator[sqlite3.Connection]:
        """A plain DB-API connection (integrity checks, benchmarks)."""
        conn = self.engine.raw_connection()
        try:
            yield conn.driver_connection  # type: ignore[misc]
        finally:
            conn.close()

    def integrity_check(self, pragma: str = "integrity_check") -> list[str]:
        """Problems SQLite finds in the file; empty when it is sound."""

        def run() -> list[str]:
            with self.raw() as conn:
                rows = conn.execute(f"PRAGMA {pragma}").fetchall()
            result = [str(r[0]) for r in rows]
            return [] if result == ["ok"] else result

        try:
            return self._retry(run)
        except StoreCorruptError as exc:
            return [str(exc.__cause__ or exc)]

    def quick_check(self) -> list[str]:
        """Like integrity_check without the slow index cross-checks."""
        return self.integrity_check("quick_check")

    def dispose(self) -> None:
        self.engine.dispose()
