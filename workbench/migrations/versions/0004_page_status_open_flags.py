"""Page status events record how many of the page's flags were open when the status was set (a page
marked reviewed or validated with open flags needs a confirmation; the count says what was confirmed).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: the events written before this revision did not count their open flags.
    op.add_column("page_status", sa.Column("open_flags", sa.Integer, nullable=True))


def downgrade() -> None:
    op.drop_column("page_status", "open_flags")
