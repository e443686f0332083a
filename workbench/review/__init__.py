"""Review decisions: what reviewers decided about flags, derived from an append-only event log.

A decision answers one flag: accept a suggestion, keep the OCR (a false alarm), enter custom text, or mark
the gold as wrong with the proposed gold reading. Every decision is an event with reviewer, time, note and
the flag version it was made against; undo and redo are events too, so nothing is ever deleted and the
state of a flag is a fold over its events (`derive_state`).

Two reviewers deciding the same flag from the same state: the store lets exactly one through; the other
gets ReviewConflict naming the decision that won. Deciding over another reviewer's decision in force is an
override with a note (OverrideNeeded otherwise), and the flag is disputed until settled. Batches ("apply
to all N identical occurrences") are all-or-nothing, each occurrence logged, and undone as one.

Page status follows the proofreading communities: not reviewed -> in review -> reviewed -> validated,
validation by someone other than the reviewer who marked the page reviewed.

A line edit (`review.lines`) is a reviewer's own text for a whole OCR line, logged and undone the same way.

No SQL here: the store (`workbench.store`) keeps the events; this module decides what they mean.
"""

from __future__ import annotations

from workbench.review.decisions import (
    OverrideNeeded,
    PartialBatch,
    Refusal,
    accept_all,
    accept_group,
    apply_to_all,
    decide,
    decide_each,
    decide_many,
    gold_errata,
    redo,
    undo,
    undo_batch,
    undo_last,
)
from workbench.review.lines import (
    EditedLine,
    LineConflict,
    LineState,
    edit_line,
    edited_lines,
    edits_in_force,
    line_state,
    line_states,
    lines_in_force,
    redo_line,
    settles,
    stored_page_text,
    undo_line,
    undo_line_batch,
)
from workbench.review.pages import (
    DONE_STATUSES,
    PAGE_TRANSITIONS,
    OpenFlagsLeft,
    PageProgress,
    PageState,
    PageStatus,
    ReviewProgress,
    open_flags,
    page_state,
    page_states,
    progress,
    progress_of,
    set_page_status,
)
from workbench.review.queue import (
    QueueFilter,
    ReviewQueue,
    current_decisions,
    decision_history,
    flag_state,
    flag_states,
    learned_groups,
    occurrences,
    place_in_queue,
    queue,
    refresh_flags,
    reviewed_flag_source,
    stored_queue,
    sync_flags,
)
from workbench.review.state import (
    DECIDING_ACTIONS,
    Batch,
    Choice,
    Dispute,
    Erratum,
    FlagState,
    FlagStatus,
    derive_state,
    describe_decision,
    describe_dispute,
    describe_flag,
    describe_settled,
    reviewer_name,
)

__all__ = [
    "DECIDING_ACTIONS",
    "DONE_STATUSES",
    "PAGE_TRANSITIONS",
    "Batch",
    "Choice",
    "Dispute",
    "EditedLine",
    "Erratum",
    "FlagState",
    "FlagStatus",
    "LineConflict",
    "LineState",
    "OpenFlagsLeft",
    "OverrideNeeded",
    "PageProgress",
    "PageState",
    "PageStatus",
    "PartialBatch",
    "QueueFilter",
    "Refusal",
    "ReviewProgress",
    "ReviewQueue",
    "accept_all",
    "accept_group",
    "apply_to_all",
    "current_decisions",
    "decide",
    "decide_each",
    "decide_many",
    "decision_history",
    "derive_state",
    "describe_decision",
    "describe_dispute",
    "describe_flag",
    "describe_settled",
    "edit_line",
    "edited_lines",
    "edits_in_force",
    "flag_state",
    "flag_states",
    "gold_errata",
    "learned_groups",
    "line_state",
    "line_states",
    "lines_in_force",
    "occurrences",
    "open_flags",
    "page_state",
    "page_states",
    "place_in_queue",
    "progress",
    "progress_of",
    "queue",
    "redo",
    "redo_line",
    "refresh_flags",
    "reviewed_flag_source",
    "reviewer_name",
    "set_page_status",
    "settles",
    "stored_page_text",
    "stored_queue",
    "sync_flags",
    "undo",
    "undo_batch",
    "undo_last",
    "undo_line",
    "undo_line_batch",
]
