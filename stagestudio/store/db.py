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
from typing import Iterator, NoReturn, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session

from stagestudio.store import migrations
from stagestudio.store.errors import (
    StoreCorruptError,
    StoreError,
    StoreFullError,
    StoreLockedError,
    StoreOpenError,
    StoreReadOnlyError,
)

T = TypeVar("T")

DB_ENV_VAR = "STAGESTUDIO_DB"
DEFAULT_DB_PATH = Path("sessions") / "studio.db"
SQLITE_HEADER = b"SQLite format 3\x00"
# Per-statement wait inside SQLite before it reports "database is locked"; our own retry
# loop (with back-off) wraps whole transactions on top of that.
BUSY_TIMEOUT_MS = 2000
DEFAULT_LOCK_TIMEOUT_S = 30.0
# FULL: in WAL mode a commit fsyncs the WAL, so it survives a power cut or an OS crash too
# (NORMAL may roll the last commits back then; a killed process loses nothing either way).
DEFAULT_SYNCHRONOUS = "FULL"
# For commits that may wait for the next durable one (`write(durable=False)`): the recorder
# syncs at every step's end, not at every stage (bench/results/store.json: an fsync costs
# ~10 ms on the development VM's disk, over the 5 ms per-event budget).
RELAXED_SYNCHRONOUS = "NORMAL"


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


def _is_full_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "database or disk is full" in text or "disk is full" in text


def _is_open_error(exc: BaseException) -> bool:
    return "unable to open database file" in str(exc).lower()


def _is_io_error(exc: BaseException) -> bool:
    return "disk i/o error" in str(exc).lower()


def _sqlite_message(exc: BaseException) -> str:
    """SQLite's own words, without SQLAlchemy's SQL text and links."""
    return str(getattr(exc, "orig", None) or exc).splitlines()[0]


class Database:
    """One SQLite file plus its engines. Use `write()`/`read()` for transactions."""

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        lock_timeout_s: float | None = None,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
        synchronous: str = DEFAULT_SYNCHRONOUS,
    ) -> None:
        self.path = resolve_db_path(path)
        self.lock_timeout_s = DEFAULT_LOCK_TIMEOUT_S if lock_timeout_s is None else lock_timeout_s
        self.busy_timeout_ms = busy_timeout_ms
        if synchronous.upper() not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ValueError(f"synchronous must be OFF, NORMAL, FULL or EXTRA, not {synchronous!r}")
        # In WAL mode a killed process never loses a committed event whatever this says;
        # FULL (the default) also keeps them through a power cut or an OS crash.
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
            raise StoreOpenError(f"{self.path} is a folder, not a SQLite database file; name a file such as {self.path / 'studio.db'}")
        if self.path.exists() and not self.path.is_file():
            raise StoreOpenError(f"{self.path} is a device or special file, not a database file; choose another --db path")
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
    def _retry(self, fn: Callable[[], T], lock_timeout_s: float | None = None) -> T:
        """Run `fn`, retrying with exponential back-off while the database is locked; SQLite
        errors a person can act on become StoreErrors with SQLite's words, never SQL text."""
        timeout = self.lock_timeout_s if lock_timeout_s is None else lock_timeout_s
        deadline = time.monotonic() + timeout
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
                            f"database {self.path} stayed locked by another writer for {timeout:.1f}s "
                            f"({attempts} tries); nothing was lost — retry when the other run finishes"
                        ) from exc
                    time.sleep(delay * (0.5 + random.random()))
                    delay = min(delay * 2, 0.5)
                    continue
                self._raise_translated(exc)
            except (DatabaseError, sqlite3.DatabaseError) as exc:
                self._raise_translated(exc)

    def _raise_translated(self, exc: BaseException) -> NoReturn:
        translated = self._translate(exc)
        if translated is exc:
            raise exc
        raise translated from exc

    def _translate(self, exc: BaseException) -> BaseException:
        """The StoreError for a SQLite failure (the original, if it is none we know)."""
        reason = _sqlite_message(exc)
        if _is_full_error(exc):
            return StoreFullError(
                f"database {self.path}: the disk is full ({reason}); everything committed before is kept — "
                f"free some space and try again"
            )
        if _is_readonly_error(exc):
            return StoreReadOnlyError(f"database {self.path} is read-only: {reason}")
        if _is_corrupt_error(exc):
            return StoreCorruptError(
                f"database {self.path} is damaged ({reason}); it was left untouched — restore a backup or move it aside"
            )
        if _is_open_error(exc):
            return StoreOpenError(
                f"cannot open database {self.path}: {reason} (the folder must be writable and on a normal "
                f"filesystem, not e.g. /proc); choose another --db path"
            )
        if _is_io_error(exc):
            return StoreError(f"database {self.path}: the disk reported an I/O error ({reason}); check the disk")
        return exc

    def write(self, fn: Callable[[Session], T], *, lock_timeout_s: float | None = None, durable: bool = True) -> T:
        """Run `fn(session)` in one write transaction (committed on return), with retries
        for up to `lock_timeout_s` (default: the database's) while another writer holds it.

        `durable=False` commits without syncing the WAL (synchronous=NORMAL for this one
        transaction): it survives a killed process, and a power cut only once a later
        durable commit has synced the WAL, which covers everything written before it."""
        if self.read_only:
            raise StoreReadOnlyError(f"database {self.path} is read-only; cannot save changes (check file permissions)")

        # A short wait must not hide inside SQLite's own busy handler (2 s by default).
        timeout = self.lock_timeout_s if lock_timeout_s is None else lock_timeout_s
        settings = {
            "busy_timeout": (min(self.busy_timeout_ms, int(timeout * 1000)), int(self.busy_timeout_ms)),
            "synchronous": (self.synchronous if durable else RELAXED_SYNCHRONOUS, self.synchronous),
        }
        changed = {name: pair for name, pair in settings.items() if str(pair[0]) != str(pair[1])}

        def attempt() -> T:
            with self.write_engine.connect() as conn:
                dbapi = conn.connection.driver_connection  # no transaction begun yet: PRAGMAs apply
                for name, (value, _default) in changed.items():
                    dbapi.execute(f"PRAGMA {name}={value}")
                try:
                    with Session(bind=conn, expire_on_commit=False) as session:
                        with session.begin():
                            return fn(session)
                finally:
                    for name, (_value, default) in changed.items():
                        dbapi.execute(f"PRAGMA {name}={default}")

        return self._retry(attempt, lock_timeout_s)

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

    def table_check(self, tables: tuple[str, ...] | list[str]) -> list[str]:
        """integrity_check limited to these tables and their indexes (SQLite >= 3.33;
        older versions check the whole file)."""
        problems: list[str] = []
        for table in tables:
            try:
                problems += self.integrity_check(f"integrity_check('{table}')")
            except sqlite3.OperationalError:
                return self.integrity_check()
        return problems

    def quick_check(self) -> list[str]:
        """Like integrity_check without the slow index cross-checks."""
        return self.integrity_check("quick_check")

    def dispose(self) -> None:
        self.engine.dispose()
