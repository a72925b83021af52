"""Opening the session database and running transactions on it, whatever it is.

`Database` holds what SQLite and PostgreSQL share: retrying a transaction with back-off
while another writer holds what it needs, turning the database's failures into
StoreErrors a person can act on (never SQL text), and bringing the schema up to date
with the same Alembic revisions on both. `sqlite_db.py` and `postgres_db.py` fill in the
connection settings, the durability policy and the integrity checks of each.

    db = open_database(resolve_target("sessions/studio.db"))
    db.write(lambda session: ...)      # one transaction, committed on return
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, ClassVar, NoReturn, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from stagestudio.store import migrations
from stagestudio.store.errors import StoreLockedError, StoreReadOnlyError
from stagestudio.store.target import DB_ENV_VAR, StoreTarget, resolve_db_path, resolve_target

__all__ = ["DB_ENV_VAR", "Database", "open_database", "resolve_db_path"]

T = TypeVar("T")

# How long one statement waits for a lock held by another writer before the database
# reports it; our own retry loop (with back-off) wraps whole transactions on top of that.
BUSY_TIMEOUT_MS = 2000
DEFAULT_LOCK_TIMEOUT_S = 30.0
# The commit mode of the commits a resume needs (see store.DURABLE_EVENTS), in SQLite's
# words: FULL syncs the commit to disk (PostgreSQL: synchronous_commit as the server sets
# it, `on` by default); NORMAL/OFF may lose the last commits to a power cut or an OS
# crash, never to a killed process.
DEFAULT_SYNCHRONOUS = "FULL"
SYNCHRONOUS_MODES = ("OFF", "NORMAL", "FULL", "EXTRA")


class Database(ABC):
    """One session database and its engine. Use `write()`/`read()` for transactions."""

    dialect: ClassVar[str]
    # How `integrity_check` is done, for messages ("fails SQLite's integrity check").
    integrity_check_name: ClassVar[str]
    # Appended to `FROM sessions` in the listing: read the table itself, not an index.
    table_scan_hint: ClassVar[str] = ""

    def __init__(
        self,
        target: StoreTarget,
        *,
        lock_timeout_s: float | None = None,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
        synchronous: str = DEFAULT_SYNCHRONOUS,
    ) -> None:
        self.target = target
        self.label = target.label
        self.path: Path | None = target.path
        self.lock_timeout_s = DEFAULT_LOCK_TIMEOUT_S if lock_timeout_s is None else lock_timeout_s
        self.busy_timeout_ms = busy_timeout_ms
        if synchronous.upper() not in SYNCHRONOUS_MODES:
            raise ValueError(f"synchronous must be OFF, NORMAL, FULL or EXTRA, not {synchronous!r}")
        self.synchronous = synchronous.upper()
        self.read_only = False
        self.engine: Engine = self._open()
        self._prepare_schema()

    # --- what each database does its own way ---------------------------------------------
    @abstractmethod
    def _open(self) -> Engine:
        """Check the target, set `read_only`, and return the engine."""

    @abstractmethod
    def _is_lock_error(self, exc: BaseException) -> bool:
        """Whether `exc` means another writer holds what this transaction needs."""

    @abstractmethod
    def _translate(self, exc: BaseException) -> BaseException:
        """The StoreError for a database failure (the original, if it is none we know)."""

    @abstractmethod
    def _write_session(self, wait_ms: int, durable: bool) -> AbstractContextManager[Session]:
        """A Session in a write transaction that waits up to `wait_ms` for a lock before
        failing with a lock error, committed when the block ends without an exception."""

    @abstractmethod
    def _read_session(self) -> AbstractContextManager[Session]:
        """A Session in a read transaction that sees one consistent snapshot."""

    @abstractmethod
    def _schema_connection(self) -> AbstractContextManager[Connection]:
        """A connection in a write transaction that no other process can upgrade the
        schema beside (checked again inside it)."""

    @abstractmethod
    def integrity_check(self) -> list[str]:
        """Problems the database finds in itself; empty when it is sound."""

    @abstractmethod
    def table_check(self, tables: tuple[str, ...] | list[str]) -> list[str]:
        """`integrity_check` limited to these tables and their indexes."""

    @abstractmethod
    def quick_check(self) -> list[str]:
        """The check a writer runs once before its first write (cheap)."""

    @abstractmethod
    def reindex(self) -> None:
        """Rebuild every index of the store's tables from the tables."""

    @abstractmethod
    def index_problems(self, table: str) -> list[str]:
        """Indexes of `table` that do not hold one entry per row (a damaged index can hide
        rows from a query that uses it)."""

    # --- opening ------------------------------------------------------------------------
    def _prepare_schema(self) -> None:
        def current() -> str | None:
            with self.engine.connect() as conn:
                return migrations.current_revision(conn)

        revision = self._retry(current)
        if not migrations.check_revision(revision, self.label):
            return
        if self.read_only:
            raise StoreReadOnlyError(
                f"database {self.label} is read-only and needs a schema upgrade "
                f"({revision or 'empty'} -> {migrations.head_revision()}); make it writable first"
            )

        def upgrade() -> None:
            with self._schema_connection() as conn:
                # Re-checked under the lock: another process may have upgraded meanwhile.
                if migrations.check_revision(migrations.current_revision(conn), self.label):
                    migrations.upgrade(conn)

        self._retry(upgrade)

    # --- transactions -------------------------------------------------------------------
    def _retry(self, fn: Callable[[], T], lock_timeout_s: float | None = None) -> T:
        """Run `fn`, retrying with exponential back-off while another writer holds what it
        needs; failures a person can act on become StoreErrors in the database's words."""
        timeout = self.lock_timeout_s if lock_timeout_s is None else lock_timeout_s
        deadline = time.monotonic() + timeout
        delay = 0.01
        attempts = 0
        while True:
            attempts += 1
            try:
                return fn()
            except (DBAPIError, sqlite3.Error) as exc:
                if not self._is_lock_error(exc):
                    self._raise_translated(exc)
                if time.monotonic() + delay > deadline:
                    raise StoreLockedError(
                        f"database {self.label} stayed locked by another writer for {timeout:.1f}s "
                        f"({attempts} tries); nothing was lost — retry when the other run finishes"
                    ) from exc
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 0.5)

    def _raise_translated(self, exc: BaseException) -> NoReturn:
        translated = self._translate(exc)
        if translated is exc:
            raise exc
        raise translated from exc

    def write(self, fn: Callable[[Session], T], *, lock_timeout_s: float | None = None, durable: bool = True) -> T:
        """Run `fn(session)` in one write transaction (committed on return), with retries
        for up to `lock_timeout_s` (default: the database's) while another writer holds it.

        `durable=False` commits without waiting for the disk: it survives a killed process,
        and a power cut or an OS crash only once a later durable commit has synced, which
        covers everything written before it."""
        if self.read_only:
            raise StoreReadOnlyError(f"database {self.label} is read-only; cannot save changes (check its permissions)")
        # A short wait must not hide inside the database's own lock wait (2 s by default).
        timeout = self.lock_timeout_s if lock_timeout_s is None else lock_timeout_s
        wait_ms = min(self.busy_timeout_ms, int(timeout * 1000))

        def attempt() -> T:
            with self._write_session(wait_ms, durable) as session:
                return fn(session)

        return self._retry(attempt, lock_timeout_s)

    def read(self, fn: Callable[[Session], T]) -> T:
        def attempt() -> T:
            with self._read_session() as session:
                return fn(session)

        return self._retry(attempt)

    @contextmanager
    def raw(self) -> Iterator[Any]:
        """A plain DB-API connection (integrity checks, benchmarks)."""
        conn = self.engine.raw_connection()
        try:
            yield conn.driver_connection
        finally:
            conn.close()

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(
    target: StoreTarget | str | os.PathLike[str] | None = None,
    *,
    lock_timeout_s: float | None = None,
    busy_timeout_ms: int = BUSY_TIMEOUT_MS,
    synchronous: str = DEFAULT_SYNCHRONOUS,
) -> Database:
    """The Database for a resolved target (or a --db value: a SQLite path or a URL)."""
    if not isinstance(target, StoreTarget):
        target = resolve_target(target)
    if target.dialect == "postgresql":
        from stagestudio.store.postgres_db import PostgresDatabase

        cls: type[Database] = PostgresDatabase
    else:
        from stagestudio.store.sqlite_db import SqliteDatabase

        cls = SqliteDatabase
    return cls(target, lock_timeout_s=lock_timeout_s, busy_timeout_ms=busy_timeout_ms, synchronous=synchronous)
