"""The options that name a session store, shared by every command that takes one."""

from __future__ import annotations

import argparse


def add_db_arguments(p: argparse.ArgumentParser, db_help: str | None = None) -> None:
    """--db (a SQLite file or a PostgreSQL URL) and --db-images (a PostgreSQL store's images)."""
    p.add_argument(
        "--db", default=None, metavar="PATH|URL",
        help=db_help or "session database: a SQLite file or a PostgreSQL URL such as postgresql+psycopg://user:pw@host/db "
        "(default: $STAGESTUDIO_DB or sessions/studio.db)",
    )
    p.add_argument(
        "--db-images", default=None, metavar="DIR",
        help="with a PostgreSQL --db: the shared folder its images live in, reachable by every process using that "
        "database (default: $STAGESTUDIO_DB_IMAGES)",
    )
