"""Record which process is writing a session (pid, host), shown by `sessions show`.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("writer_pid", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("writer_host", sa.String(255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("writer_host")
        batch.drop_column("writer_pid")
