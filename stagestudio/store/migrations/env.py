"""Alembic environment for the session store: always run programmatically on a connection
the store hands over (no alembic.ini, no URL in a config file)."""

from __future__ import annotations

from alembic import context

from stagestudio.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("stagestudio store migrations run only through stagestudio.store.migrations.upgrade()")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
