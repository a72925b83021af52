"""Schema versions, applied with Alembic from inside the package (no alembic.ini).

Revisions are named by number ("0001", "0002", ...) so a database from a newer StageStudio
is recognisable: its revision is one this package does not ship.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from stagestudio.store.errors import StoreVersionError

MIGRATIONS_DIR = Path(__file__).resolve().parent


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


@lru_cache(maxsize=1)
def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = _scripts().get_current_head()
    assert head is not None, "the store ships at least one migration"
    return head


def known_revisions() -> set[str]:
    return {rev.revision for rev in _scripts().walk_revisions()}


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def check_revision(current: str | None, db_label: str) -> bool:
    """True when `current` needs upgrading; raises for a schema newer than this code."""
    head = head_revision()
    if current == head:
        return False
    if current is not None and current not in known_revisions():
        raise StoreVersionError(
            f"database {db_label} has schema version {current}, newer than the newest this StageStudio "
            f"supports ({head}); upgrade StageStudio or open another database with --db"
        )
    return True


def upgrade(connection: Connection, target: str = "head") -> None:
    """Bring the schema on `connection` (inside a transaction) up to `target`."""
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, target)
