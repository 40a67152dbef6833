"""The story bank.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("situation", sa.Text(), nullable=False),
        sa.Column("task", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_stories"),
    )
    op.create_table(
        "story_principles",
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("principle", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["stories.id"],
            name="fk_story_principles_story_id_stories",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("story_id", "principle", name="pk_story_principles"),
    )
    op.create_index("ix_story_principles_principle", "story_principles", ["principle"])
    op.create_table(
        "story_tags",
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["stories.id"],
            name="fk_story_tags_story_id_stories",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("story_id", "tag", name="pk_story_tags"),
    )


def downgrade() -> None:
    op.drop_table("story_tags")
    op.drop_index("ix_story_principles_principle", table_name="story_principles")
    op.drop_table("story_principles")
    op.drop_table("stories")
