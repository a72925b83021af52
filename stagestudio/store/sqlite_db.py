"""The session database as one SQLite file: connection settings (WAL, foreign keys, busy
timeout), refusing files that are not SQLite databases, read-only files, the mixed
synchronous policy, and SQLite's own integrity checks."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.orm import Session

from stagestudio.store.db import Database
from stagestudio.store.errors import (
    StoreCorruptError,
    StoreError,
    StoreFullError,
    StoreOpenError,
    StoreReadOnlyError,
)
from stagestudio.store.target import DB_ENV_VAR

SQLITE_HEADER = b"SQLite format 3\x00"
# For commits that may wait for the next durable one (`write(durable=False)`): the recorder
# syncs at every step's end, not at every stage (bench/results/store.json: an fsync costs
# ~10 ms on the development VM's disk, over the 5 ms per-event budget).
RELAXED_SYNCHRONOUS = "NORMAL"


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


class SqliteDatabase(Database):
    """One SQLite file in WAL mode. Writes take the write lock up front (BEGIN IMMEDIATE)."""

    dialect = "sqlite"
    integrity_check_name = "SQLite's integrity check"
    table_scan_hint = "NOT INDEXED"

    def _open(self) -> Engine:
        assert self.path is not None
        self._check_file()
        self.read_only = self._detect_read_only()
        engine = self._create_engine()
        # A deferred transaction that upgrades from read to write can fail with SQLITE_BUSY
        # without waiting at all; writes say up front that they will write.
        self.write_engine = engine.execution_options(sqlite_begin="IMMEDIATE")
        return engine

    def _check_file(self) -> None:
        path = self.path
        assert path is not None
        if path.is_dir():
            raise StoreOpenError(f"{path} is a folder, not a SQLite database file; name a file such as {path / 'studio.db'}")
        if path.exists() and not path.is_file():
            raise StoreOpenError(f"{path} is a device or special file, not a database file; choose another --db path")
        if path.exists() and path.stat().st_size > 0:
            try:
                with open(path, "rb") as fh:
                    header = fh.read(len(SQLITE_HEADER))
            except PermissionError as exc:
                raise StoreReadOnlyError(f"cannot read database {path}: {exc.strerror}") from exc
            if header != SQLITE_HEADER:
                raise StoreCorruptError(
                    f"{path} is not a SQLite database (unexpected file header); it was left untouched — "
                    f"move it aside or choose another file with --db / ${DB_ENV_VAR}"
                )
        elif not path.exists():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreReadOnlyError(f"cannot create folder {path.parent} for the database: {exc.strerror}") from exc

    def _detect_read_only(self) -> bool:
        path = self.path
        assert path is not None
        if path.exists():
            # A file without any write bit was made read-only on purpose; respect that even
            # for root, whom the kernel would let write anyway.
            no_write_bits = not (path.stat().st_mode & 0o222)
            return no_write_bits or not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK)
        return not os.access(path.parent, os.W_OK)

    def _create_engine(self) -> Engine:
        path = self.path
        assert path is not None
        if self.read_only:
            if not path.exists():
                raise StoreReadOnlyError(f"cannot create database {path}: folder {path.parent} is read-only")
            wal = path.with_name(path.name + "-wal")
            if wal.exists() and wal.stat().st_size > 0:
                # Committed pages may still sit in the WAL: SQLite must read it.
                url = f"sqlite:///file:{path}?mode=ro&uri=true"
            else:
                # immutable=1 lets SQLite read a WAL-mode database without creating
                # -wal/-shm files beside a file we must not touch.
                url = f"sqlite:///file:{path}?mode=ro&immutable=1&uri=true"
        else:
            url = f"sqlite:///{path}"
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

    @contextmanager
    def _schema_connection(self) -> Iterator[Connection]:
        with self.write_engine.begin() as conn:  # BEGIN IMMEDIATE: the write lock
            yield conn

    # --- errors -------------------------------------------------------------------------
    def _is_lock_error(self, exc: BaseException) -> bool:
        return _is_lock_error(exc)

    def _translate(self, exc: BaseException) -> BaseException:
        reason = _sqlite_message(exc)
        path = self.path
        if _is_full_error(exc):
            return StoreFullError(
                f"database {path}: the disk is full ({reason}); everything committed before is kept — "
                f"free some space and try again"
            )
        if _is_readonly_error(exc):
            return StoreReadOnlyError(f"database {path} is read-only: {reason}")
        if _is_corrupt_error(exc):
            return StoreCorruptError(
                f"database {path} is damaged ({reason}); it was left untouched — restore a backup or move it aside"
            )
        if _is_open_error(exc):
            return StoreOpenError(
                f"cannot open database {path}: {reason} (the folder must be writable and on a normal "
                f"filesystem, not e.g. /proc); choose another --db path"
            )
        if _is_io_error(exc):
            return StoreError(f"database {path}: the disk reported an I/O error ({reason}); check the disk")
        return exc

    # --- transactions -------------------------------------------------------------------
    @contextmanager
    def _write_session(self, wait_ms: int, durable: bool) -> Iterator[Session]:
        # PRAGMAs apply outside a transaction only: set on the connection before BEGIN and
        # put back after, whatever happened.
        settings = {
            "busy_timeout": (wait_ms, int(self.busy_timeout_ms)),
            "synchronous": (self.synchronous if durable else RELAXED_SYNCHRONOUS, self.synchronous),
        }
        changed = {name: pair for name, pair in settings.items() if str(pair[0]) != str(pair[1])}
        with self.write_engine.connect() as conn:
            dbapi = conn.connection.driver_connection
            for name, (value, _default) in changed.items():
                dbapi.execute(f"PRAGMA {name}={value}")
            try:
                with Session(bind=conn, expire_on_commit=False) as session:
                    with session.begin():
                        yield session
            finally:
                for name, (_value, default) in changed.items():
                    dbapi.execute(f"PRAGMA {name}={default}")

    @contextmanager
    def _read_session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            with session.begin():
                yield session

    # --- checks -------------------------------------------------------------------------
    def integrity_check(self, pragma: str = "integrity_check") -> list[str]:
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

    def reindex(self) -> None:
        self.write(lambda db: db.connection().exec_driver_sql("REINDEX"))

    def index_problems(self, table: str) -> list[str]:
        def read(db: Session) -> list[str]:
            conn = db.connection()
            rows = conn.exec_driver_sql(f'SELECT count(*) FROM "{table}" NOT INDEXED').scalar_one()
            found = []
            for index in conn.execute(text("SELECT name FROM pragma_index_list(:t)"), {"t": table}).scalars().all():
                column = conn.execute(text("SELECT name FROM pragma_index_info(:i) LIMIT 1"), {"i": index}).scalar()
                if column is None:
                    continue  # an expression index: nothing simple to count by
                entries = conn.exec_driver_sql(
                    f'SELECT count(*) FROM (SELECT "{column}" FROM "{table}" INDEXED BY "{index}" ORDER BY "{column}")'
                ).scalar_one()
                if entries != rows:
                    found.append(f"index {index} holds {entries} entries for {rows} {table} rows")
            return found

        return self.read(read)


