"""Queue state on submissions, and idempotency keys.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

VERDICTS = (
    "accepted",
    "wrong_answer",
    "time_limit",
    "memory_limit",
    "runtime_error",
    "compile_error",
    "output_limit",
    "internal_error",
)


def upgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(
            sa.Column(
                "status",
                sa.String(length=20),
                nullable=False,
                server_default="finished",
            )
        )
        batch.add_column(
            sa.Column(
                "mode", sa.String(length=20), nullable=False, server_default="submit"
            )
        )
        batch.add_column(
            sa.Column("attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("started_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch.add_column(
            sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch.alter_column(
            "verdict",
            existing_type=sa.Enum(
                *VERDICTS, name="verdict", native_enum=False, length=20
            ),
            nullable=True,
        )
        batch.create_index("ix_submissions_status_id", ["status", "id"])

    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name="fk_idempotency_keys_submission_id_submissions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_idempotency_keys"),
        sa.UniqueConstraint("client", "key", name="uq_idempotency_keys_client_key"),
    )
    op.create_index(
        "ix_idempotency_keys_expires_at", "idempotency_keys", ["expires_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_expires_at", table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_index("ix_submissions_status_id")
        batch.alter_column(
            "verdict",
            existing_type=sa.Enum(
                *VERDICTS, name="verdict", native_enum=False, length=20
            ),
            nullable=False,
        )
        for column in ("finished_at", "started_at", "attempts", "mode", "status"):
            batch.drop_column(column)
