"""Alembic migrations of the review store's schema (run by `workbench.store.upgrade_schema`)."""
