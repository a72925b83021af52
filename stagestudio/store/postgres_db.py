"""The session database on a PostgreSQL server (psycopg 3), for studios on several
processes or machines sharing one store.

What SQLite does with its file, PostgreSQL does its own way here:
- the durability policy: a commit that may wait for the next durable one runs with
  `SET LOCAL synchronous_commit = off` (the server writes it out within a fraction of a
  second; a server crash may lose it, never corrupt anything); the others commit as the
  server is configured (`on` by default: flushed to the WAL on disk);
- waiting for another writer: `SET LOCAL lock_timeout`, then our retry loop; row locks
  mean writers of different sessions do not wait for each other at all;
- reads see one snapshot (REPEATABLE READ, read-only), as a SQLite read transaction does;
- schema upgrades are serialised by a transaction-level advisory lock;
- integrity: amcheck's `bt_index_check` on the store's indexes where the extension is
  installed (PostgreSQL has no check without it), `REINDEX TABLE` to repair.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.exc import DBAPIError
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

CONNECT_TIMEOUT_S = 10
# SQLSTATEs meaning "another transaction holds what this one needs; try again".
LOCK_STATES = ("55P03", "40001", "40P01")  # lock_not_available, serialization_failure, deadlock_detected
# Any 64-bit number no other program is likely to pick: "one schema upgrade at a time".
SCHEMA_LOCK_KEY = 0x5354_4147_4553_0001
STORE_TABLES = ("sessions", "images", "steps", "attempts", "interventions", "events")


_SET_WAIT = text("SELECT set_config('lock_timeout', :wait, true)")
_SET_RELAXED = text("SELECT set_config('lock_timeout', :wait, true), set_config('synchronous_commit', 'off', true)")


def sqlstate(exc: BaseException) -> str | None:
    return getattr(getattr(exc, "orig", exc), "sqlstate", None)


def _server_message(exc: BaseException) -> str:
    """The server's (or libpq's) own words: first line, without "FATAL:" and SQL text."""
    text_ = str(getattr(exc, "orig", None) or exc).strip()
    line = text_.splitlines()[0] if text_ else type(exc).__name__
    line = re.sub(r"^connection failed: connection to server at [^:]*failed: ", "", line)
    return re.sub(r"^(FATAL|ERROR):\s+", "", line)


class PostgresDatabase(Database):
    dialect = "postgresql"
    integrity_check_name = "PostgreSQL's amcheck index check"

    def _open(self) -> Engine:
        url = self.target.url
        assert url is not None
        self.server = f"{url.host or 'localhost'}:{url.port or 5432}"
        self.user = url.username or "(the login user)"
        self.database = url.database or ""
        try:
            engine = create_engine(
                url,
                # A studio runs for days: a connection the server dropped (restart, idle
                # timeout) is noticed and replaced before it is handed out.
                pool_pre_ping=True,
                connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "stagestudio"},
            )
        except ImportError as exc:
            raise StoreOpenError(
                f"cannot open {self.label}: the PostgreSQL driver is missing ({exc}); pip install 'psycopg[binary]'"
            ) from exc
        self.engine = engine
        self._read_engine = engine.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        self.read_only, self.schema = self._retry(self._probe)
        if self.schema is None:
            raise StoreOpenError(
                f"database {self.label} has no schema to use: its search_path names none that exists; "
                f"create the schema or fix the search_path"
            )
        return engine

    def _probe(self) -> tuple[bool, str | None]:
        """(read-only?, current schema): a standby, a read-only default, or a user who may
        read the store's tables but not write them."""
        with self.engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT pg_is_in_recovery(), current_setting('default_transaction_read_only') = 'on', "
                    "current_schema(), to_regclass('sessions') IS NOT NULL AND NOT has_table_privilege('sessions', 'INSERT')"
                )
            ).one()
            conn.rollback()
        standby, read_only_default, schema, no_insert = row
        return bool(standby or read_only_default or no_insert), schema

    # --- errors -------------------------------------------------------------------------
    def _is_lock_error(self, exc: BaseException) -> bool:
        return sqlstate(exc) in LOCK_STATES

    def _translate(self, exc: BaseException) -> BaseException:
        state = sqlstate(exc) or ""
        reason = _server_message(exc)
        lowered = reason.lower()
        label, server = self.label, self.server
        if state == "53100" or state.startswith("53"):
            return StoreFullError(
                f"database {label}: the disk is full on the database server ({reason}); everything committed before is kept — "
                f"free some space on the database server and try again"
            )
        if state == "25006":
            return StoreReadOnlyError(f"database {label} is read-only ({reason}); point --db at the primary server")
        if state == "42501":
            return StoreReadOnlyError(
                f"database {label}: user {self.user} may not do this ({reason}); grant it the rights on the store's "
                f"tables or use the user that created them"
            )
        if state in ("XX001", "XX002"):
            return StoreCorruptError(f"database {label} is damaged ({reason}); run `sessions check --repair` or restore a backup")
        if state in ("28P01", "28000") or "password authentication failed" in lowered or "no pg_hba.conf entry" in lowered:
            return StoreOpenError(
                f"the PostgreSQL server at {server} refused user {self.user} ({reason}); "
                f"check the user and password in --db / ${DB_ENV_VAR}"
            )
        if state == "3D000" or ("database" in lowered and "does not exist" in lowered):
            return StoreOpenError(
                f"database {self.database} does not exist on the PostgreSQL server at {server}; "
                f"create it first (createdb {self.database}) or fix the name in --db / ${DB_ENV_VAR}"
            )
        if state.startswith("08") or state in ("57P01", "57P02", "57P03") or (not state and _is_connection_failure(lowered)):
            if "connection refused" in lowered:
                why = "connection refused: is the server running, and are the host and port in --db right?"
            elif "resolve host" in lowered or "translate host name" in lowered:
                why = "unknown host name: check the host in --db"
            elif "timeout" in lowered:
                why = f"no answer within {CONNECT_TIMEOUT_S} s: check the host, the port and any firewall"
            else:
                why = reason
            return StoreOpenError(f"cannot reach the PostgreSQL server at {server} for {label} ({why})")
        if not state and isinstance(exc, DBAPIError) and "nul (0x00)" in lowered:
            return StoreError(f"database {label}: a text value holds the character U+0000, which PostgreSQL cannot store")
        return exc

    # --- transactions -------------------------------------------------------------------
    @contextmanager
    def _write_session(self, wait_ms: int, durable: bool) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            with session.begin():
                # For this transaction only (SET LOCAL), in one round trip: the pooled
                # connection keeps its defaults.
                relaxed = not durable or self.synchronous in ("OFF", "NORMAL")
                session.connection().execute(
                    _SET_RELAXED if relaxed else _SET_WAIT, {"wait": f"{max(1, int(wait_ms))}ms"}
                )
                yield session

    @contextmanager
    def _read_session(self) -> Iterator[Session]:
        with Session(self._read_engine, expire_on_commit=False) as session:
            with session.begin():
                yield session

    @contextmanager
    def _schema_connection(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            # Two processes opening a new database at once must not both create the tables;
            # released at commit. (PostgreSQL's DDL is transactional: all or nothing.)
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _signed64(SCHEMA_LOCK_KEY)})
            yield conn

    # --- checks -------------------------------------------------------------------------
    def integrity_check(self) -> list[str]:
        return self.table_check(STORE_TABLES)

    def table_check(self, tables: tuple[str, ...] | list[str]) -> list[str]:
        """amcheck's B-tree check (with a heap cross-check) of every index of `tables`;
        nothing when the amcheck extension is not installed in this database or this user
        may not run it (installing it needs a superuser: CREATE EXTENSION amcheck)."""

        def run(db: Session) -> list[str]:
            conn = db.connection()
            amcheck = conn.execute(
                text(
                    "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                    "WHERE e.extname = 'amcheck'"
                )
            ).scalar()
            if amcheck is None:
                return []
            indexes = conn.execute(
                text(
                    "SELECT i.indexrelid::regclass::text FROM pg_index i "
                    "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_class c ON c.oid = i.indexrelid "
                    "JOIN pg_am a ON a.oid = c.relam "
                    "WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(:tables) "
                    "AND a.amname = 'btree' ORDER BY 1"
                ),
                {"tables": list(tables)},
            ).scalars().all()
            problems = []
            check = text(f'SELECT "{amcheck}".bt_index_check(CAST(:index AS regclass), true)')
            for index in indexes:
                try:
                    with conn.begin_nested():
                        conn.execute(check, {"index": index})
                except DBAPIError as exc:
                    if sqlstate(exc) == "42501":
                        return []  # not allowed to run amcheck: no check, not damage
                    problems.append(f"index {index}: {_server_message(exc)}")
            return problems

        return self.read(run)

    def quick_check(self) -> list[str]:
        # No cheap whole-database check exists; the server verifies page checksums (when
        # the cluster has them) on every read, and `sessions check` runs amcheck.
        return []

    def reindex(self) -> None:
        def run(db: Session) -> None:
            conn = db.connection()
            present = conn.execute(
                text("SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relname = ANY(:t)"),
                {"t": list(STORE_TABLES)},
            ).scalars().all()
            for table in present:
                conn.exec_driver_sql(f'REINDEX TABLE "{table}"')

        self.write(run)

    def index_problems(self, table: str) -> list[str]:
        # Row counts through each index say nothing on PostgreSQL (the planner chooses);
        # amcheck in `integrity_check` is its check for damaged indexes.
        return []


def _is_connection_failure(lowered: str) -> bool:
    return any(
        words in lowered
        for words in ("connection refused", "resolve host", "translate host name", "timeout expired",
                      "could not connect", "server closed the connection", "connection failed", "terminating connection")
    )


def _signed64(value: int) -> int:
    """An unsigned 64-bit number as PostgreSQL's bigint (two's complement)."""
    value &= (1 << 64) - 1
    return value - (1 << 64) if value >= 1 << 63 else value


def advisory_key(*parts: Any) -> int:
    """A bigint advisory-lock key for `parts` (stable across processes and machines)."""
    digest = hashlib.blake2b("\x00".join(str(p) for p in parts).encode(), digest_size=8).digest()
    return _signed64(int.from_bytes(digest, "big"))
