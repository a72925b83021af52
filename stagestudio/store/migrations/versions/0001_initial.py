"""Initial session store schema: sessions, images, steps, attempts, interventions, events.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# 64-bit integers everywhere (seeds need them): SQLite's INTEGER already is, and there an
# INTEGER primary key must stay exactly INTEGER to be the rowid; PostgreSQL needs BIGINT.
# Defined here, not imported, so this revision never changes with the models.
INT64 = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("backend", sa.String(64), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("seed", INT64, nullable=False),
        sa.Column("max_refines", INT64, nullable=False),
        sa.Column("max_steps", INT64, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.Column("parent_session_id", sa.String(64), sa.ForeignKey("sessions.id", ondelete="RESTRICT"), nullable=True),
        sa.Column("branch_step", INT64, nullable=True),
        sa.Column("graph_planned", sa.JSON(), nullable=False),
        sa.Column("graph_edited", sa.JSON(), nullable=True),
        sa.Column("final_verdict", sa.JSON(), nullable=True),
        sa.Column("step_count", INT64, nullable=False),
        sa.Column("last_seq", INT64, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
    )
    op.create_index("ix_sessions_created_at", "sessions", ["created_at"])
    op.create_index("ix_sessions_status", "sessions", ["status"])
    op.create_index("ix_sessions_parent", "sessions", ["parent_session_id"])
    op.create_table(
        "images",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("width", INT64, nullable=False),
        sa.Column("height", INT64, nullable=False),
        sa.Column("size_bytes", INT64, nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_table(
        "steps",
        sa.Column("id", INT64, primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.String(64), sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("step_index", INT64, nullable=False),
        sa.Column("planned", sa.JSON(), nullable=False),
        sa.Column("executed", sa.JSON(), nullable=False),
        sa.Column("seed", INT64, nullable=False),
        sa.Column("plan_duration_s", sa.Float(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("accepted_attempt", INT64, nullable=True),
        sa.Column("canvas_sha256", sa.String(64), sa.ForeignKey("images.sha256"), nullable=True),
        sa.Column("planned_seq", INT64, nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_steps_session_index", "steps", ["session_id", "step_index"])
    op.create_table(
        "attempts",
        sa.Column("id", INT64, primary_key=True, autoincrement=True),
        sa.Column("step_id", INT64, sa.ForeignKey("steps.id", ondelete="CASCADE"), nullable=False),
        sa.Column("session_id", sa.String(64), sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("step_index", INT64, nullable=False),
        sa.Column("attempt", INT64, nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("instruction", sa.Text(), nullable=False),
        sa.Column("image_sha256", sa.String(64), sa.ForeignKey("images.sha256"), nullable=True),
        sa.Column("sketch_seed", INT64, nullable=False),
        sa.Column("sketch_duration_s", sa.Float(), nullable=False),
        sa.Column("verdict", sa.JSON(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("critique", sa.Text(), nullable=True),
        sa.Column("inspect_seed", INT64, nullable=True),
        sa.Column("inspect_duration_s", sa.Float(), nullable=True),
        sa.Column("corrective_instruction", sa.Text(), nullable=True),
        sa.Column("sketch_seq", INT64, nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_attempts_step", "attempts", ["step_id", "attempt"])
    op.create_index("ix_attempts_image", "attempts", ["image_sha256"])
    op.create_table(
        "interventions",
        sa.Column("id", INT64, primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.String(64), sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("step_id", INT64, sa.ForeignKey("steps.id", ondelete="CASCADE"), nullable=True),
        sa.Column("seq", INT64, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("step_index", INT64, nullable=True),
        sa.Column("attempt", INT64, nullable=True),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_interventions_session", "interventions", ["session_id", "seq"])
    op.create_table(
        "events",
        sa.Column("session_id", sa.String(64), sa.ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("seq", INT64, primary_key=True),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("image_sha256", sa.String(64), nullable=True),
    )


def downgrade() -> None:
    for table in ("events", "interventions", "attempts", "steps", "images", "sessions"):
        op.drop_table(table)
