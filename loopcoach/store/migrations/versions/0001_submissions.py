"""Submissions and their test results.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
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


def verdict() -> sa.Enum:
    return sa.Enum(*VERDICTS, name="verdict", native_enum=False, length=20)


def upgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("problem", sa.String(length=100), nullable=False),
        sa.Column("verdict", verdict(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("time_ms", sa.Float(), nullable=False),
        sa.Column("memory_kb", sa.Integer(), nullable=False),
        sa.Column("tests_total", sa.Integer(), nullable=False),
        sa.Column("tests_passed", sa.Integer(), nullable=False),
        sa.Column("isolation", sa.String(length=20), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_submissions"),
    )
    op.create_index("ix_submissions_created_at", "submissions", ["created_at"])
    op.create_index(
        "ix_submissions_problem_created_at", "submissions", ["problem", "created_at"]
    )
    op.create_table(
        "submission_tests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("verdict", verdict(), nullable=False),
        sa.Column("time_ms", sa.Float(), nullable=False),
        sa.Column("memory_kb", sa.Integer(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name="fk_submission_tests_submission_id_submissions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_submission_tests"),
        sa.UniqueConstraint(
            "submission_id",
            "position",
            name="uq_submission_tests_submission_id_position",
        ),
    )


def downgrade() -> None:
    op.drop_table("submission_tests")
    op.drop_index("ix_submissions_problem_created_at", table_name="submissions")
    op.drop_index("ix_submissions_created_at", table_name="submissions")
    op.drop_table("submissions")
