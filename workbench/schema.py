"""The review store's tables, declared once for SQLite and PostgreSQL (SQLAlchemy Core).

The migrations under `workbench/migrations` create and change them; `workbench.store` reads and writes
them. Every table but `flags` is append-only (a database trigger refuses updates and deletes, see
migrations 0002 and 0003); `flags` keeps one row per flag with its version counter and staleness.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

flags_table = sa.Table(
    "flags",
    metadata,
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
sa.Index("ix_flags_document_page", flags_table.c.document, flags_table.c.page)

decisions_table = sa.Table(
    "decisions",
    metadata,
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
    sa.ForeignKeyConstraint(
        ["document", "flag_key"], ["flags.document", "flags.key"], name="fk_decisions_flag"
    ),
    # One event per flag and version: a second writer at the same version cannot slip in.
    sa.UniqueConstraint("document", "flag_key", "version", name="uq_decisions_flag_version"),
)
sa.Index("ix_decisions_batch", decisions_table.c.batch)

page_status_table = sa.Table(
    "page_status",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("document", sa.String(64), nullable=False),
    sa.Column("page", sa.Integer, nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("reviewer", sa.String(200), nullable=False),
    sa.Column("time", sa.String(32), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("open_flags", sa.Integer, nullable=True),  # flags open when it was set (migration 0004)
    sa.UniqueConstraint("document", "page", "seq", name="uq_page_status_seq"),
)

rule_settings_table = sa.Table(
    "rule_settings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("document", sa.String(64), nullable=False),
    sa.Column("rule", sa.String(64), nullable=False),
    sa.Column("enabled", sa.Boolean, nullable=False),
    sa.Column("reviewer", sa.String(200), nullable=False),
    sa.Column("time", sa.String(32), nullable=False),
)

gold_revisions_table = sa.Table(
    "gold_revisions",
    metadata,
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

# A reviewer's transcription of one OCR line (line = 1-based line of transcripts/ocr/DOC/page-NNN.txt): edits
# and their undos, one event per line and version, so of two reviewers editing a line from the same state
# exactly one gets in. `ocr` is the OCR line the edit was made on (an edit whose OCR line changed since is
# left out of the transcript, never applied to other text); `batch` groups the events of one action over
# many lines (a collection-wide replace), undone as one.
line_edits_table = sa.Table(
    "line_edits",
    metadata,
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
sa.Index("ix_line_edits_document_page", line_edits_table.c.document, line_edits_table.c.page)
sa.Index("ix_line_edits_batch", line_edits_table.c.batch)
