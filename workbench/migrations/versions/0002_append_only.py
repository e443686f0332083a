"""The review log is append-only in the database itself: triggers refuse UPDATE and DELETE on the event
tables, and DELETE on the flags snapshot (a flag no longer produced is marked stale, never removed).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

EVENT_TABLES = ("decisions", "page_status", "rule_settings", "gold_revisions")
MESSAGE = "the review log is append-only"


def _guards() -> list[tuple[str, str]]:
    """(table, operation) pairs the triggers refuse."""
    guards = [(table, op_name) for table in EVENT_TABLES for op_name in ("UPDATE", "DELETE")]
    guards.append(("flags", "DELETE"))
    return guards


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION workbench_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE}: % on % refused', TG_OP, TG_TABLE_NAME; END $$"
        )
        for table, operation in _guards():
            op.execute(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION workbench_append_only()"
            )
    elif dialect == "sqlite":
        for table, operation in _guards():
            op.execute(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: {operation} on {table} refused'); END"
            )
    # Other databases keep the guarantee in the code only (workbench.store never updates or deletes events).


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table, operation in _guards():
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation.lower()} ON {table}")
        elif dialect == "sqlite":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation.lower()}")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS workbench_append_only()")
