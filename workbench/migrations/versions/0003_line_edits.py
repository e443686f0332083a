"""Line edits: a reviewer's transcription of a whole OCR line, an append-only event log like decisions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

MESSAGE = "the review log is append-only"
OPERATIONS = ("UPDATE", "DELETE")


def upgrade() -> None:
    op.create_table(
        "line_edits",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("document", sa.String(64), nullable=False),
        sa.Column("page", sa.Integer, nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("ocr", sa.Text, nullable=False),
        sa.Column("before", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=True),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.Column("time", sa.String(32), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("batch", sa.String(64), nullable=True),
        sa.Column("ref", sa.Integer, sa.ForeignKey("line_edits.id", name="fk_line_edits_ref"), nullable=True),
        sa.UniqueConstraint("document", "page", "line", "version", name="uq_line_edits_line_version"),
    )
    op.create_index("ix_line_edits_document_page", "line_edits", ["document", "page"])
    op.create_index("ix_line_edits_batch", "line_edits", ["batch"])
    dialect = op.get_bind().dialect.name
    for operation in OPERATIONS:
        trigger = f"line_edits_no_{operation.lower()}"
        if dialect == "postgresql":
            # The function migration 0002 made refuses the operation with the table's name.
            op.execute(
                f"CREATE TRIGGER {trigger} BEFORE {operation} ON line_edits "
                "FOR EACH ROW EXECUTE FUNCTION workbench_append_only()"
            )
        elif dialect == "sqlite":
            op.execute(
                f"CREATE TRIGGER {trigger} BEFORE {operation} ON line_edits "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: {operation} on line_edits refused'); END"
            )


def downgrade() -> None:
    # Dropping the table would delete reviewers' line edits; like the first schema, it is never undone.
    raise RuntimeError("the line edits table cannot be downgraded (it would delete reviewers' line edits)")
