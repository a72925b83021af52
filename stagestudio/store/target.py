"""Where a session store lives: a SQLite file, or a PostgreSQL database named by a
SQLAlchemy URL plus a shared folder for its images.

    --db sessions/studio.db                                   images next to the file
    --db postgresql+psycopg://user:pass@host/db --db-images /mnt/shared/stagestudio

Everything printed about a server database uses `label`, which never shows the password.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from stagestudio.store.errors import StoreOpenError

DB_ENV_VAR = "STAGESTUDIO_DB"
IMAGES_ENV_VAR = "STAGESTUDIO_DB_IMAGES"
DEFAULT_DB_PATH = Path("sessions") / "studio.db"
# `scheme://...`; a file path never looks like this (a Windows drive is one letter).
_URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]+://")
# psycopg 3 ships with StageStudio (requirements.txt); a bare `postgresql://` means it.
POSTGRES_DRIVER = "psycopg"

Dialect = Literal["sqlite", "postgresql"]


def is_database_url(text: str | os.PathLike[str] | None) -> bool:
    return isinstance(text, str) and bool(_URL_RE.match(text))


def resolve_db_path(path: str | os.PathLike[str] | None = None) -> Path | str:
    """`path`, else $STAGESTUDIO_DB, else sessions/studio.db under the current directory:
    a SQLite file as an absolute Path, or a database URL unchanged (as a str)."""
    if path is None or str(path) == "":
        path = os.environ.get(DB_ENV_VAR) or DEFAULT_DB_PATH
    if is_database_url(path):
        return str(path)
    return Path(path).expanduser().absolute()


@dataclass(frozen=True)
class StoreTarget:
    """One session store's database and image folder, resolved and checked."""

    dialect: Dialect
    label: str  # for messages: the file path, or the URL with its password hidden
    path: Path | None  # the SQLite file
    url: URL | None  # the server database
    images_root: Path  # content-addressed PNGs of this store (and nothing else's)

    @property
    def is_server(self) -> bool:
        return self.dialect != "sqlite"


def resolve_target(
    db: str | os.PathLike[str] | None = None, images: str | os.PathLike[str] | None = None
) -> StoreTarget:
    """The store named by `db` (see resolve_db_path). A PostgreSQL store needs `images`
    (else $STAGESTUDIO_DB_IMAGES): a folder every process using the database can reach.
    Raises StoreOpenError with a one-line reason for anything unusable."""
    where = resolve_db_path(db)
    if isinstance(where, Path):
        return _sqlite_target(where, images)
    try:
        url = make_url(where)
    except (ArgumentError, ValueError) as exc:
        raise StoreOpenError(f"--db {_hide_password(where)} is not a database URL ({exc})") from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise StoreOpenError("--db sqlite:// needs a file (sqlite:///path/to/studio.db); in-memory stores are not supported")
        return _sqlite_target(Path(url.database).expanduser().absolute(), images)
    if backend != "postgresql":
        raise StoreOpenError(
            f"--db {url.render_as_string(hide_password=True)}: only SQLite files and PostgreSQL URLs "
            f"(postgresql+psycopg://user:password@host/database) are supported"
        )
    driver = url.get_driver_name()
    if url.drivername == "postgresql":
        url = url.set(drivername=f"postgresql+{POSTGRES_DRIVER}")
    elif driver != POSTGRES_DRIVER:
        raise StoreOpenError(
            f"--db {url.render_as_string(hide_password=True)}: the {driver} driver is not supported; "
            f"use postgresql+{POSTGRES_DRIVER}://... (psycopg 3 comes with StageStudio)"
        )
    if not url.database:
        raise StoreOpenError(f"--db {url.render_as_string(hide_password=True)} names no database; add /DATABASE at the end")
    label = url.render_as_string(hide_password=True)
    return StoreTarget("postgresql", label, None, url, _shared_images_root(label, url.database, images))


def _sqlite_target(path: Path, images: str | os.PathLike[str] | None) -> StoreTarget:
    if images is not None and str(images) != "":
        raise StoreOpenError(
            f"--db-images is for a PostgreSQL store; a SQLite store keeps its images next to its file "
            f"({path.parent / 'images'})"
        )
    # Namespaced by database file: two databases in one folder must never share image
    # files (deleting a session in one would remove images the other still uses).
    return StoreTarget("sqlite", str(path), path, None, path.parent / "images" / path.stem)


def _shared_images_root(label: str, database: str, images: str | os.PathLike[str] | None) -> Path:
    if images is None or str(images) == "":
        images = os.environ.get(IMAGES_ENV_VAR) or None
    if images is None:
        raise StoreOpenError(
            f"the PostgreSQL store {label} keeps its images in a shared folder: give --db-images DIR "
            f"(or set ${IMAGES_ENV_VAR}) naming a folder every studio process using this database can reach"
        )
    base = Path(images).expanduser().absolute()
    if not base.is_dir():
        # Never created here: a mistyped or unmounted shared folder must not quietly become
        # a local one that the other machines cannot see.
        what = "is not a folder" if base.exists() else "does not exist"
        raise StoreOpenError(
            f"--db-images {base} {what}; create it on storage every studio process using {label} can reach"
        )
    # One subfolder per database (as SQLite stores are namespaced per file).
    return base / _safe_name(database)


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name).lstrip(".") or "db"


def _hide_password(text: str) -> str:
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", text)
