"""Schema versions, applied with Alembic from inside the package (no alembic.ini).

Revisions are named by number ("0001", "0002", ...) so a database from a newer StageStudio
is recognisable: its revision is one this package does not ship.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text

from stagestudio.store.errors import StoreVersionError

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS_DIR = Path(__file__).resolve().parent
# The newest revision in versions/ (a test checks it against Alembic). Knowing it without
# loading Alembic keeps opening an up-to-date database cheap.
SCHEMA_HEAD = "0002"


def alembic_config() -> "Config":
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


@lru_cache(maxsize=1)
def _scripts() -> "ScriptDirectory":
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = _scripts().get_current_head()
    assert head is not None, "the store ships at least one migration"
    return head


def known_revisions() -> set[str]:
    return {rev.revision for rev in _scripts().walk_revisions()}


def current_revision(connection: Connection) -> str | None:
    """The revision stamped in the database (None for a new, empty one)."""
    # Asked, not tried: on PostgreSQL a failed statement aborts the whole transaction.
    if not inspect(connection).has_table("alembic_version"):
        return None
    rows = connection.execute(text("SELECT version_num FROM alembic_version")).fetchall()
    if len(rows) > 1:
        raise StoreVersionError(f"database has several schema versions stamped ({[r[0] for r in rows]}); it is inconsistent")
    return rows[0][0] if rows else None


def check_revision(current: str | None, db_label: str) -> bool:
    """True when `current` needs upgrading; raises for a schema newer than this code."""
    if current == SCHEMA_HEAD:
        return False
    head = head_revision()
    if current is not None and current not in known_revisions():
        raise StoreVersionError(
            f"database {db_label} has schema version {current}, newer than the newest this StageStudio "
            f"supports ({head}); upgrade StageStudio or open another database with --db"
        )
    return True


def upgrade(connection: Connection, target: str = "head") -> None:
    """Bring the schema on `connection` (inside a transaction) up to `target`."""
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, target)
