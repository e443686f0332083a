"""Line edits: a reviewer's own transcription of a whole OCR line, a decision in the same append-only log.

Review decides flags; a line edit corrects anything on a line, flagged or not (an error the flaggers missed,
a lost header). Line L is the 1-based line of the page's OCR text file (`transcripts/ocr/DOC/page-NNN.txt`).
Every edit is an event with reviewer, time, the line's text before and after, and the line version it was
made against; undo and redo are events too, folded exactly as a flag's decisions are
(`review.state.derive_state`), so nothing is ever deleted.

Two reviewers editing a line from the same state: the store lets exactly one through; the other gets
LineConflict naming who changed the line, when, and what it reads now, and nothing of theirs is written.

A line edit in force settles the flags of its line: the reviewer's text already says what the line reads.
Which line edits apply to a page's OCR (`edited_lines`) and which flags they settle (`settles`) is decided
here, once, for the corrected transcript (`workbench.transcript`) and the review queue (`review.queue`)
alike, so a flag the transcript takes as settled is never one the queue asks a reviewer to decide.

No SQL here: the store keeps the events; this module decides what they mean. What the line reads with the
flag decisions applied, and how an edit enters the corrected transcript, is `workbench.transcript`'s.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from workbench.align import opcodes
from workbench.corpus import Collection
from workbench.errors import InputError, ReviewConflict, ReviewError
from workbench.models import AlignTag, DecisionAction
from workbench.ocr.store import load_ocr_page
from workbench.ocrlines import ocr_line_spans
from workbench.review.state import derive_state, reviewer_name
from workbench.store import LineEdit, LineVersionConflict, Store, now

# What a line may not hold: a line edit is one line, and the form feed separates pages in the export.
LINE_BREAKS = ("\n", "\r", "\f", "\v", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


@dataclass(frozen=True, slots=True)
class LineState:
    """One line's derived transcription state.

    `edit` is the edit in force (None: the line reads as the OCR and the flag decisions make it); `redo` what
    a redo would bring back; `version` what the next event on this line must be made against.
    """

    document: str
    page: int
    line: int
    version: int = 0
    edit: LineEdit | None = None
    redo: LineEdit | None = None
    redo_ref: int | None = None

    @property
    def text(self) -> str | None:
        """The reviewer's text in force for the line, None when no edit is in force."""
        return self.edit.text if self.edit is not None else None


class LineConflict(ReviewConflict):
    """A line edit made against a line another reviewer changed meanwhile; `current` is the event in force
    now (None when the line's edits were undone), so the page can show the other reviewer's text."""

    def __init__(self, message: str, current: LineEdit | None, version: int):
        super().__init__(message)
        self.current = current
        self.version = version


def check_line_text(text: str) -> str:
    """`text` as a line's content; ReviewError when it holds a line or page break."""
    if any(mark in text for mark in LINE_BREAKS):
        raise ReviewError("a line edit is one line: remove the line break from the text")
    return text


def fold_line(document: str, page: int, line: int, events: Sequence[LineEdit]) -> LineState:
    """The state of one line from its events, oldest first (the same fold as a flag's decisions)."""
    fold = derive_state(events)
    return LineState(
        document=document, page=page, line=line, version=len(events), edit=fold.current, redo=fold.redo,
        redo_ref=fold.redo_ref,
    )


def _by_line(events: Iterable[LineEdit]) -> dict[tuple[int, int], list[LineEdit]]:
    grouped: dict[tuple[int, int], list[LineEdit]] = {}
    for item in events:
        grouped.setdefault((item.page, item.line), []).append(item)
    return grouped


def fold_lines(document: str, events: Iterable[LineEdit]) -> dict[tuple[int, int], LineState]:
    """The state of every line that has events among `events` (oldest first), by (page, line). Pure."""
    return {key: fold_line(document, key[0], key[1], group) for key, group in _by_line(events).items()}


def line_states(store: Store, document: str, *, page: int | None = None) -> dict[tuple[int, int], LineState]:
    """The state of every line of a document (or of one page) that has line edit events, by (page, line)."""
    return fold_lines(document, store.line_edits(document, page=page))


def line_state(store: Store, document: str, page: int, line: int) -> LineState:
    """The state of one line (version 0 and no edit when it has never been edited)."""
    return fold_line(document, page, line, store.line_edits(document, page=page, line=line))


def edits_in_force(store: Store, document: str) -> dict[int, list[LineEdit]]:
    """The line edits in force in a document, by page, in line order."""
    by_page: dict[int, list[LineEdit]] = {}
    for (page, _line), state in sorted(line_states(store, document).items()):
        if state.edit is not None:
            by_page.setdefault(page, []).append(state.edit)
    return by_page


# -- where line edits apply, and what they settle ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Run:
    """A run of an OCR line that a reviewer's text changed: OCR text [start, end) of the page became `text`."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class EditedLine:
    """A line edit in force that applies to the page's OCR: its line's [start, end) in the page's OCR text
    (line break excluded) and the runs the reviewer's text changed, in page offsets. `empties` says the
    reviewer's text is blank: the line goes with its line break."""

    edit: LineEdit
    span: tuple[int, int]
    runs: tuple[Run, ...]
    empties: bool = False

    @property
    def line(self) -> int:
        """The line's number (1-based, as in the page's OCR text file)."""
        return self.edit.line


# The line edits in force of a document that apply to its OCR, by page, in line order.
EditedLines = Mapping[int, Sequence[EditedLine]]


@lru_cache(maxsize=4096)
def _changed_runs(ocr: str, text: str) -> tuple[tuple[int, int, str], ...]:
    """The differing runs between an OCR line and a reviewer's text of it, in line offsets (cached: a queue
    asks again for every line edit in force on every rerun)."""
    return tuple(
        (block.a_start, block.a_end, text[block.b_start : block.b_end])
        for block in opcodes(ocr, text)
        if block.tag != AlignTag.EQUAL.value
    )


def edited_lines(ocr_text: str, line_edits: Iterable[LineEdit]) -> tuple[list[EditedLine], list[tuple[LineEdit, str]]]:
    """The line edits in force on a page that apply to its OCR text `ocr_text`, in line order, and those that
    do not with the reason (the text has no such line any more, or the line's OCR changed since the edit).
    Pure."""
    spans = ocr_line_spans(ocr_text)
    applied: list[EditedLine] = []
    skipped: list[tuple[LineEdit, str]] = []
    for edit in sorted(line_edits, key=lambda e: e.line):
        if not 1 <= edit.line <= len(spans):
            skipped.append((edit, f"the OCR text has no line {edit.line} any more"))
            continue
        start, end = spans[edit.line - 1]
        if ocr_text[start:end] != edit.ocr:
            skipped.append((edit, f"the OCR of line {edit.line} changed since the edit (OCR run again)"))
            continue
        text = edit.text or ""
        if not text.strip() and edit.ocr:
            applied.append(EditedLine(edit, (start, end), (Run(start, end, ""),), empties=True))
            continue
        runs = tuple(Run(start + a, start + b, new) for a, b, new in _changed_runs(edit.ocr, text))
        applied.append(EditedLine(edit, (start, end), runs))
    return applied, skipped


def _touches(start: int, end: int, span: tuple[int, int]) -> bool:
    """True when a change of OCR text [start, end) changes text of the line at `span` (an empty line: its
    line break too; an insertion: anywhere on the line, its ends included)."""
    first, last = span
    if start == end:
        return first <= start <= last
    return start < max(last, first + 1) and end > first


def _clash(start: int, end: int, run: Run) -> bool:
    """True when OCR text [start, end) and a changed run overlap (an insertion clashes with what it touches)."""
    if start == end or run.start == run.end:
        return start <= run.end and run.start <= end
    return start < run.end and run.start < end


def settles(line: EditedLine, start: int, end: int, *, decided_at: str | None = None) -> bool:
    """True when a line edit in force settles a flag's change of OCR text [start, end): the change touches
    the line, unless it is a decision made after the line edit (`decided_at`, an event time) on text the
    reviewer's text kept as the OCR read it, in which case both apply (the later decision is never lost,
    and nothing is applied twice). A flag without a decision (`decided_at` None) touching the line is
    settled: the reviewer's text already says what it reads."""
    if not _touches(start, end, line.span):
        return False
    newer = decided_at is not None and decided_at > line.edit.time
    inside = line.span[0] <= start <= end <= line.span[1]
    return not (newer and inside and not any(_clash(start, end, run) for run in line.runs))


def settling_line(
    lines: Sequence[EditedLine], start: int, end: int, *, decided_at: str | None = None
) -> EditedLine | None:
    """The first of a page's edited `lines` that settles a change of OCR text [start, end) (`settles`),
    None when none does."""
    return next((line for line in lines if settles(line, start, end, decided_at=decided_at)), None)


def lines_in_force(store: Store, document: str, page_text: Callable[[int], str | None]) -> dict[int, list[EditedLine]]:
    """The line edits in force of a document that apply to its OCR (`edited_lines`), by page: one read of
    the store's line edits, and `page_text(page)` (the page's OCR text, None when it has none) asked only for
    the pages that have an edit in force."""
    result: dict[int, list[EditedLine]] = {}
    for page, edits in edits_in_force(store, document).items():
        text = page_text(page)
        if text is None:
            continue
        applied, _skipped = edited_lines(text, edits)
        if applied:
            result[page] = applied
    return result


def stored_page_text(collection: Collection, document: str) -> Callable[[int], str | None]:
    """`page_text` for `lines_in_force`: a page's stored OCR text, None when the page has no OCR."""

    def page_text(page: int) -> str | None:
        try:
            return load_ocr_page(collection, document, page).text
        except InputError:
            return None

    return page_text


def describe(item: LineEdit) -> str:
    """One line saying who did what to a line and when, in plain words."""
    what = "undid the edit" if item.action is DecisionAction.UNDO else f"made it read {item.text!r}"
    return f"{item.reviewer} {what} at {item.time}"


def _conflict(store: Store, conflict: LineVersionConflict) -> LineConflict:
    state = line_state(store, conflict.document, conflict.page, conflict.line)
    events = store.line_edits(conflict.document, page=conflict.page, line=conflict.line)
    where = f"{conflict.document} page {conflict.page} line {conflict.line}"
    last = f": {describe(events[-1])}" if events else ""
    return LineConflict(
        f"{where} was changed by someone else since you opened it{last}; your text was not saved",
        state.edit,
        state.version,
    )


def _append(store: Store, events: Sequence[LineEdit]) -> list[LineEdit]:
    try:
        return store.append_line_edits(events)
    except LineVersionConflict as conflict:
        raise _conflict(store, conflict) from None


def edit_line(
    store: Store,
    document: str,
    page: int,
    line: int,
    *,
    ocr: str,
    before: str,
    text: str,
    reviewer: str,
    version: int,
    note: str = "",
    batch: str | None = None,
) -> LineEdit:
    """Record a reviewer's text for a line, made against the line `version` they saw; returns the event.

    `ocr` is the OCR line and `before` the line as the reviewer saw it (both recorded with the event).
    LineConflict when the line changed meanwhile; ReviewError when `text` is not one line.
    """
    reviewer = reviewer_name(reviewer)
    if page < 1 or line < 1:
        raise ReviewError(f"{document}: page and line numbers start at 1 (got page {page}, line {line})")
    event = LineEdit(
        document=document, page=page, line=line, action=DecisionAction.EDIT, ocr=ocr, before=before,
        text=check_line_text(text), reviewer=reviewer, time=now(), note=note, version=version, batch=batch,
    )
    return _append(store, [event])[0]


def undo_line(
    store: Store, document: str, page: int, line: int, *, reviewer: str, version: int, note: str = ""
) -> LineEdit:
    """Withdraw the edit in force on a line (a new undo event); the line falls back to the edit before,
    or to the OCR with the flag decisions. LineConflict when the line changed since `version`."""
    reviewer = reviewer_name(reviewer)
    state = line_state(store, document, page, line)
    if state.edit is None:
        raise ReviewError(f"{document} page {page} line {line}: no edit to undo")
    event = LineEdit(
        document=document, page=page, line=line, action=DecisionAction.UNDO, ocr=state.edit.ocr,
        before=state.edit.text or "", text=None, reviewer=reviewer, time=now(), note=note, version=version,
        ref=state.edit.id,
    )
    return _append(store, [event])[0]


def redo_line(
    store: Store, document: str, page: int, line: int, *, reviewer: str, version: int, note: str = ""
) -> LineEdit:
    """Bring back the line edit most recently undone (a new event repeating it)."""
    reviewer = reviewer_name(reviewer)
    state = line_state(store, document, page, line)
    if state.redo is None:
        raise ReviewError(f"{document} page {page} line {line}: nothing to redo")
    event = LineEdit(
        document=document, page=page, line=line, action=DecisionAction.EDIT, ocr=state.redo.ocr,
        before=state.text if state.text is not None else state.redo.before, text=state.redo.text,
        reviewer=reviewer, time=now(), note=note, version=version, ref=state.redo_ref,
    )
    return _append(store, [event])[0]


def undo_line_batch(store: Store, batch: str, *, reviewer: str, note: str = "") -> list[LineEdit]:
    """Undo every line edit of a batch (a collection-wide replace) in one action: one new batch of undo
    events, all or none, whatever documents it spans.

    ReviewError when a line of the batch has been changed since (its batch edit is no longer the one in
    force): undo that line's later change first. LineConflict when a line changes while this is written.
    """
    reviewer = reviewer_name(reviewer)
    members = [e for e in store.line_edit_batch(batch) if e.action is DecisionAction.EDIT]
    if not members:
        raise ReviewError(f"no batch of line edits {batch!r} in the review store")
    new_batch = uuid.uuid4().hex
    stamp = now()
    events = []
    for member in members:
        state = line_state(store, member.document, member.page, member.line)
        if state.edit is None or state.edit.id != member.id:
            now_in_force = describe(state.edit) if state.edit is not None else "its edit was undone"
            raise ReviewError(
                f"{member.document} page {member.page} line {member.line} was changed after that action "
                f"({now_in_force}); undo that change first"
            )
        events.append(
            LineEdit(
                document=member.document, page=member.page, line=member.line, action=DecisionAction.UNDO,
                ocr=member.ocr, before=member.text or "", text=None, reviewer=reviewer, time=stamp, note=note,
                version=state.version, batch=new_batch, ref=member.id,
            )
        )
    return _append(store, events)


def last_line_batch(store: Store, document: str, *, reviewer: str) -> LineEdit | None:
    """The reviewer's most recent edit on a document that belongs to a batch of line edits still in force
    (its line still reads as that batch made it); None when there is none."""
    reviewer = reviewer_name(reviewer)
    in_force = {state.edit.id for state in line_states(store, document).values() if state.edit is not None}
    batches = [
        e for e in store.line_edits(document)
        if e.batch is not None and e.reviewer == reviewer and e.action is DecisionAction.EDIT and e.id in in_force
    ]
    return batches[-1] if batches else None
