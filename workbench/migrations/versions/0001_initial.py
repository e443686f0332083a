"""The first schema: flags snapshot, decision log, page status log, transcript rule switches, gold revisions.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flags",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("document", sa.String(64), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("page", sa.Integer, nullable=False),
        sa.Column("span_start", sa.Integer, nullable=False),
        sa.Column("span_end", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("suggestions", sa.JSON, nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("boxes", sa.JSON, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("stale", sa.Boolean, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("first_seen", sa.String(32), nullable=False),
        sa.Column("last_seen", sa.String(32), nullable=False),
        sa.UniqueConstraint("document", "key", name="uq_flags_document_key"),
    )
    op.create_index("ix_flags_document_page", "flags", ["document", "page"])
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("document", sa.String(64), nullable=False),
        sa.Column("flag_key", sa.String(200), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=True),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.Column("time", sa.String(32), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("batch", sa.String(64), nullable=True),
        sa.Column("ref", sa.Integer, sa.ForeignKey("decisions.id", name="fk_decisions_ref"), nullable=True),
        sa.ForeignKeyConstraint(["document", "flag_key"], ["flags.document", "flags.key"], name="fk_decisions_flag"),
        sa.UniqueConstraint("document", "flag_key", "version", name="uq_decisions_flag_version"),
    )
    op.create_index("ix_decisions_batch", "decisions", ["batch"])
    op.create_table(
        "page_status",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("document", sa.String(64), nullable=False),
        sa.Column("page", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.Column("time", sa.String(32), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.UniqueConstraint("document", "page", "seq", name="uq_page_status_seq"),
    )
    op.create_table(
        "rule_settings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("document", sa.String(64), nullable=False),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.Column("time", sa.String(32), nullable=False),
    )
    op.create_table(
        "gold_revisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("document", sa.String(64), nullable=False),
        sa.Column("gold", sa.String(64), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.Column("time", sa.String(32), nullable=False),
        sa.Column("decisions", sa.JSON, nullable=False),
        sa.Column("pages", sa.JSON, nullable=False),
        sa.UniqueConstraint("gold", "revision", name="uq_gold_revisions_revision"),
    )


def downgrade() -> None:
    # The review log is append-only: no migration drops it.
    raise RuntimeError("the review store's first schema cannot be downgraded (it would delete the review log)")
