"""Who is writing a session right now, on a PostgreSQL store shared between machines.

A file lock cannot be seen from another machine, so a writer holds a session-level
advisory lock instead, on a connection of its own kept open for as long as it writes.
The server drops the lock the moment that connection ends: the process exiting or
being killed (its socket closes), or, for a machine that vanished, when TCP keepalives
give up on it (within about 30 s with the settings below). So "status is running but
nobody holds the lock" means the writer died, as with SQLite's lock files.

Readers look the lock up in `pg_locks` and never take it, so asking cannot make a real
writer fail to get its lock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from stagestudio.store.errors import SessionBusyError
from stagestudio.store.locks import check_session_id
from stagestudio.store.postgres_db import advisory_key

if TYPE_CHECKING:
    from stagestudio.store.postgres_db import PostgresDatabase

# Server-side keepalives on the lock's connection: a writer whose machine vanished
# without closing its socket loses the lock after idle + interval * count seconds.
KEEPALIVE_SETTINGS = {"tcp_keepalives_idle": 10, "tcp_keepalives_interval": 5, "tcp_keepalives_count": 3}
_HELD_SQL = (
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
    "AND classid = %(classid)s AND objid = %(objid)s AND objsubid = 1"
)


def _lock_columns(key: int) -> dict[str, int]:
    """Where pg_locks shows a bigint advisory key: its high and low 32 bits."""
    return {"classid": (key >> 32) & 0xFFFFFFFF, "objid": key & 0xFFFFFFFF}


class AdvisoryWriterLock:
    """An exclusive lock on one session, held by a dedicated connection."""

    def __init__(self, db: "PostgresDatabase", session_id: str) -> None:
        check_session_id(session_id)
        self.db = db
        self.session_id = session_id
        self.key = session_key(db, session_id)
        self._conn: Any = None  # the psycopg connection holding the lock

    def acquire(self) -> "AdvisoryWriterLock":
        self._conn = self.db._retry(self._connect_and_lock)
        return self

    def _connect_and_lock(self) -> Any:
        fairy = self.db.engine.raw_connection()
        conn = fairy.driver_connection
        # Out of the pool for good: a pooled connection would outlive release() or be
        # handed to someone else still holding the lock.
        fairy.detach()
        try:
            conn.rollback()
            conn.autocommit = True  # idle between statements, never "idle in transaction"
            with conn.cursor() as cur:
                for name, value in KEEPALIVE_SETTINGS.items():
                    cur.execute(f"SET {name} = {int(value)}")
                cur.execute("SELECT pg_try_advisory_lock(%(key)s)", {"key": self.key})
                got = cur.fetchone()[0]
        except BaseException:
            conn.close()
            raise
        if not got:
            conn.close()
            raise SessionBusyError(
                f"session {self.session_id} is being written by another live process; "
                f"wait for it to finish (or stop it) first"
            )
        return conn

    def release(self) -> None:
        """Unlock and close the connection (closing alone would release it too)."""
        if self._conn is None:
            return
        conn, self._conn = self._conn, None
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(%(key)s)", {"key": self.key})
        except Exception:  # noqa: BLE001 - a dead connection holds no lock either
            pass
        finally:
            conn.close()

    @property
    def held(self) -> bool:
        return self._conn is not None

    def verify(self) -> bool:
        """Whether this connection still holds the lock: false once the connection broke
        (a server restart, a network cut), when another process may have taken over."""
        if self._conn is None:
            return False
        try:
            with self._conn.cursor() as cur:
                cur.execute(_HELD_SQL + " AND pid = pg_backend_pid()", _lock_columns(self.key))
                return cur.fetchone()[0] > 0
        except Exception:  # noqa: BLE001 - any failure means the lock cannot be vouched for
            return False

    def __enter__(self) -> "AdvisoryWriterLock":
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def session_key(db: "PostgresDatabase", session_id: str) -> int:
    # The schema is part of the key: two stores in one database have separate sessions.
    return advisory_key("stagestudio-writer", db.schema, session_id)


class AdvisoryWriters:
    """The writers of one PostgreSQL store, as advisory locks."""

    def __init__(self, db: "PostgresDatabase") -> None:
        self.db = db

    def lock(self, session_id: str) -> AdvisoryWriterLock:
        return AdvisoryWriterLock(self.db, session_id)

    def alive(self, session_id: str) -> bool:
        try:
            key = session_key(self.db, check_session_id(session_id))
        except ValueError:
            return False
        sql = text(_HELD_SQL.replace("%(classid)s", ":classid").replace("%(objid)s", ":objid"))
        return bool(self.db.read(lambda s: s.execute(sql, _lock_columns(key)).scalar()))

    def forget(self, session_id: str) -> None:
        """Nothing to clean up: an advisory lock leaves no trace once released."""
