"""The store tests run on both databases: `store_spec` yields a fresh SQLite file or a
fresh PostgreSQL schema (with its own shared-images folder) per test.

    from store_backends import store, store_spec  # noqa: F401 - fixtures
    def test_x(store_spec):                    # or test_x(store): an open store on each
        store = store_spec.open()
        main([..., *store_spec.cli])

The PostgreSQL server starts once per test session (tests/postgres_server.py). Where its
binaries are absent the PostgreSQL cases are skipped with a message — except in CI or
with STAGESTUDIO_REQUIRE_POSTGRES=1, where they fail; a server that is installed but
cannot start always fails them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from postgres_server import PostgresServer, PostgresUnavailable, postgres_required, shared_server

from stagestudio.store import SessionStore, open_store

DIALECTS = ("sqlite", "postgresql")


@dataclass(frozen=True)
class StoreSpec:
    dialect: str
    db: str  # the --db value
    images: str | None  # the --db-images value (PostgreSQL only)

    def open(self, **kwargs: Any) -> SessionStore:
        return open_store(self.db, images=self.images, **kwargs)

    @property
    def cli(self) -> list[str]:
        """The command-line options naming this store."""
        return ["--db", self.db] + (["--db-images", self.images] if self.images else [])

    @property
    def env(self) -> dict[str, str]:
        """The environment variables naming this store (for subprocesses and the studio)."""
        env = {"STAGESTUDIO_DB": self.db}
        if self.images:
            env["STAGESTUDIO_DB_IMAGES"] = self.images
        return env


def postgres_server() -> PostgresServer:
    """The test session's server; skips (or fails, where PostgreSQL is required)."""
    try:
        return shared_server()
    except PostgresUnavailable as exc:
        if postgres_required():
            pytest.fail(f"{exc}; PostgreSQL is required here (CI or STAGESTUDIO_REQUIRE_POSTGRES=1)")
        pytest.skip(f"{exc}: the PostgreSQL half of the store tests is skipped")
    except Exception as exc:  # noqa: BLE001 - installed but broken: never skipped
        pytest.fail(f"the PostgreSQL server could not start: {exc}")


def make_spec(dialect: str, folder: Path) -> StoreSpec:
    if dialect == "sqlite":
        return StoreSpec("sqlite", str(folder / "studio.db"), None)
    url = postgres_server().new_schema_url()
    images = folder / "shared-images"
    images.mkdir()
    return StoreSpec("postgresql", url, str(images))


@pytest.fixture(params=DIALECTS)
def store_spec(request, tmp_path) -> StoreSpec:
    return make_spec(request.param, tmp_path)


@pytest.fixture
def pg_spec(tmp_path) -> StoreSpec:
    """A PostgreSQL store only (for what only PostgreSQL has)."""
    return make_spec("postgresql", tmp_path)


@pytest.fixture
def store(store_spec):
    """An open store on each database."""
    s = store_spec.open()
    yield s
    s.close()


@pytest.fixture
def sqlite_store(tmp_path):
    """A SQLite store only: for what writes into SQLite's file behind the store's back or
    reads SQLite's own settings."""
    s = open_store(tmp_path / "studio.db")
    yield s
    s.close()
