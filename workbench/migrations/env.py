"""Alembic environment: migrations always run on a connection the store hands over, inside its transaction.

There is no alembic.ini: `workbench.store` builds the configuration, so the database URL is chosen in one
place (WORKBENCH_DB) and migrations run in the same transaction (and lock) that guards concurrent openers.
"""

from alembic import context

from workbench.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("workbench migrations run through workbench.store.upgrade_schema, not the alembic CLI")

# render_as_batch: SQLite cannot ALTER most things; batch mode copies the table, so later migrations work there.
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
