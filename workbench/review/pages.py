"""Page status and review progress.

Page status follows the proofreading communities: not reviewed -> in review -> reviewed -> validated,
validation by someone other than the reviewer who marked the page reviewed. A page with open flags is
marked reviewed or validated only when the reviewer confirms it, and the status event records how many
flags were open.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from workbench.errors import ReviewConflict, ReviewError
from workbench.models import Decision, FlagSource
from workbench.review.lines import EditedLines
from workbench.review.queue import QueueFilter, ReviewQueue, queue
from workbench.review.state import FlagStatus, plain_time, reviewer_name
from workbench.store import (
    PageStatusEvent,
    SequenceConflict,
    Store,
    now,
)


class PageStatus(StrEnum):
    """Where a page is in its review, in order."""

    NOT_REVIEWED = "not_reviewed"
    IN_REVIEW = "in_review"
    REVIEWED = "reviewed"
    VALIDATED = "validated"

    @property
    def label(self) -> str:
        """The status in words: 'in review'."""
        return self.value.replace("_", " ")


# The statuses that say a page's review is done: reaching them with flags still open needs a confirmation.
DONE_STATUSES = frozenset({PageStatus.REVIEWED, PageStatus.VALIDATED})


class OpenFlagsLeft(ReviewError):
    """A page was to be marked reviewed or validated while some of its flags are open, unconfirmed."""

    def __init__(self, message: str, open_flags: int, flags: int):
        super().__init__(message)
        self.open_flags = open_flags
        self.flags = flags


# Forward one step at a time; a reviewed or validated page can be reopened (back to in review).
PAGE_TRANSITIONS: dict[PageStatus, frozenset[PageStatus]] = {
    PageStatus.NOT_REVIEWED: frozenset({PageStatus.IN_REVIEW}),
    PageStatus.IN_REVIEW: frozenset({PageStatus.REVIEWED, PageStatus.NOT_REVIEWED}),
    PageStatus.REVIEWED: frozenset({PageStatus.VALIDATED, PageStatus.IN_REVIEW}),
    PageStatus.VALIDATED: frozenset({PageStatus.IN_REVIEW}),
}


@dataclass(frozen=True, slots=True)
class PageState:
    """A page's review status now: who set it and when, and who marked it reviewed (for validation)."""

    document: str
    page: int
    status: PageStatus = PageStatus.NOT_REVIEWED
    reviewer: str | None = None
    time: str | None = None
    seq: int = 0
    reviewed_by: str | None = None
    open_flags: int | None = None  # flags open when the status was set (None: not counted, before 0004)


@dataclass(frozen=True, slots=True)
class PageProgress:
    """Review progress of one page: flags decided (a decision in force, or settled by a line edit) out of
    flags live, and its status."""

    page: int
    flags: int
    decided: int
    status: PageStatus
    disputed: int = 0
    open_when_set: int | None = None  # flags open when the status in force was set (None: not counted)
    settled: int = 0  # of `decided`, the flags a line edit in force settles

    @property
    def open(self) -> int:
        return self.flags - self.decided


@dataclass(frozen=True, slots=True)
class ReviewProgress:
    """Review progress of a document. `flags` counts live (not stale) flags, `decided` those not open (a
    decision in force, or settled by a line edit in force: `settled` of them); `by_action` the decisions in
    force that the transcript applies (those a line edit settles are counted in `settled` instead)."""

    document: str
    flags: int
    decided: int
    by_action: dict[str, int]
    reviewers: tuple[str, ...]
    pages: tuple[PageProgress, ...]
    events: int = 0
    disputed: int = 0  # live flags two reviewers dispute
    settled: int = 0

    @property
    def open(self) -> int:
        return self.flags - self.decided

    @property
    def fraction(self) -> float:
        """Decided flags as a fraction of live flags (1.0 when there are none)."""
        return self.decided / self.flags if self.flags else 1.0


# -- page status -------------------------------------------------------------------------------------------


def _page_state(document: str, page: int, events: Sequence[PageStatusEvent]) -> PageState:
    if not events:
        return PageState(document=document, page=page)
    last = events[-1]
    reviewed_by = next((e.reviewer for e in reversed(events) if e.status == PageStatus.REVIEWED), None)
    return PageState(
        document=document,
        page=page,
        status=PageStatus(last.status),
        reviewer=last.reviewer,
        time=last.time,
        seq=last.seq,
        reviewed_by=reviewed_by,
        open_flags=last.open_flags,
    )


def page_state(store: Store, document: str, page: int) -> PageState:
    """A page's review status now."""
    return _page_state(document, page, store.page_status_events(document, page=page))


def page_states(store: Store, document: str, pages: Iterable[int]) -> list[PageState]:
    """The review status of each of `pages` (pages never touched are 'not_reviewed')."""
    by_page: dict[int, list[PageStatusEvent]] = {}
    for item in store.page_status_events(document):
        by_page.setdefault(item.page, []).append(item)
    return [_page_state(document, page, by_page.get(page, [])) for page in pages]


def open_flags(
    store: Store, document: str, page: int, *, source: FlagSource | None = None, lines: EditedLines | None = None
) -> tuple[int, int]:
    """How many live flags of a page (of `source` when given) are open, and how many it has. A flag a line
    edit of `lines` settles (`review.lines.lines_in_force`) is not open."""
    on_page = queue(
        store.flags(document, page=page), store.decisions(document),
        QueueFilter(source=source, pages=frozenset({page})), lines=lines,
    ).items
    return sum(1 for s in on_page if s.status is FlagStatus.OPEN), len(on_page)


def set_page_status(
    store: Store,
    document: str,
    page: int,
    status: PageStatus | str,
    *,
    reviewer: str,
    note: str = "",
    seq: int | None = None,
    despite_open_flags: bool = False,
    source: FlagSource | None = None,
    lines: EditedLines | None = None,
) -> PageState:
    """Move a page to `status` (a logged event); returns its new state.

    Allowed: forward one step (not reviewed -> in review -> reviewed -> validated), or reopen to in review.
    Validation must come from a reviewer other than the one who marked the page reviewed. `seq` is the
    status sequence the reviewer saw (PageState.seq); ReviewConflict when someone changed it since.
    Reviewed or validated while flags of the page (of `source`, when given) are open: OpenFlagsLeft unless
    `despite_open_flags` confirms it. Flags a line edit of `lines` settles are not open
    (`review.lines.lines_in_force`).
    """
    reviewer = reviewer_name(reviewer)
    try:
        target = PageStatus(status)
    except ValueError:
        raise ReviewError(f"unknown page status {status!r} ({', '.join(s.value for s in PageStatus)})") from None
    current = page_state(store, document, page)
    if seq is not None and seq != current.seq:
        raise ReviewConflict(f"{document} page {page}: {_changed(current)} since you opened it")
    if target not in PAGE_TRANSITIONS[current.status]:
        allowed = " or ".join(sorted(s.label for s in PAGE_TRANSITIONS[current.status]))
        raise ReviewError(
            f"{document} page {page} is {current.status.label}: it cannot be marked {target.label} "
            f"from there, only {allowed}"
        )
    if target is PageStatus.VALIDATED and current.reviewed_by == reviewer:
        raise ReviewError(
            f"{document} page {page}: {reviewer} marked it reviewed, so another reviewer must validate it"
        )
    still_open, flags = open_flags(store, document, page, source=source, lines=lines)
    if target in DONE_STATUSES and still_open and not despite_open_flags:
        raise OpenFlagsLeft(
            f"{document} page {page} still has {still_open} of {flags} flags open: confirm that you want "
            f"to mark it {target.label} anyway (the number of open flags is recorded with the status)",
            still_open,
            flags,
        )
    event = PageStatusEvent(
        document=document, page=page, status=target.value, reviewer=reviewer, time=now(), note=note,
        seq=current.seq + 1, open_flags=still_open,
    )
    try:
        store.append_page_status(event)
    except SequenceConflict:
        raise ReviewConflict(
            f"{document} page {page}: {_changed(page_state(store, document, page))} meanwhile"
        ) from None
    return page_state(store, document, page)


def _changed(state: PageState) -> str:
    """'bob marked it reviewed on 2 Dec 2026, 13:01 UTC': who last changed a page's status, in words."""
    return f"{state.reviewer} marked it {state.status.label} on {plain_time(state.time or '')}"


# -- progress ---------------------------------------------------------------------------------------------


def progress_of(
    queue: ReviewQueue,
    *,
    document: str,
    events: Sequence[Decision],
    status_events: Sequence[PageStatusEvent],
    pages: Iterable[int] | None = None,
) -> ReviewProgress:
    """How far a review is, from its queue (live flags decided, decisions by action, per page) and its
    decision and page-status events (reviewers, page statuses). Pure."""
    states = [s for s in queue.states if not s.stale]
    numbers = sorted(
        set(pages) if pages is not None else {s.flag.page for s in states} | {e.page for e in status_events}
    )
    by_action: dict[str, int] = {}
    flags_on: dict[int, int] = {}
    decided_on: dict[int, int] = {}
    disputed_on: dict[int, int] = {}
    settled_on: dict[int, int] = {}
    for state in states:
        page = state.flag.page
        flags_on[page] = flags_on.get(page, 0) + 1
        if state.dispute is not None:
            disputed_on[page] = disputed_on.get(page, 0) + 1
        if state.status is FlagStatus.DECIDED:
            decided_on[page] = decided_on.get(page, 0) + 1
        if state.settled_by is not None:
            settled_on[page] = settled_on.get(page, 0) + 1
        elif state.decision is not None:
            by_action[state.decision.action.value] = by_action.get(state.decision.action.value, 0) + 1
    by_page: dict[int, list[PageStatusEvent]] = {}
    for item in status_events:
        by_page.setdefault(item.page, []).append(item)
    page_states_now = {number: _page_state(document, number, by_page.get(number, [])) for number in numbers}
    page_rows = tuple(
        PageProgress(
            page=number,
            flags=flags_on.get(number, 0),
            decided=decided_on.get(number, 0),
            status=page_states_now[number].status,
            disputed=disputed_on.get(number, 0),
            open_when_set=page_states_now[number].open_flags,
            settled=settled_on.get(number, 0),
        )
        for number in numbers
    )
    reviewers = sorted({e.reviewer for e in events} | {e.reviewer for e in status_events})
    return ReviewProgress(
        document=document,
        flags=queue.flags,
        decided=queue.decided,
        by_action=by_action,
        reviewers=tuple(reviewers),
        pages=page_rows,
        events=len(events),
        disputed=len(queue.disputed),
        settled=queue.settled,
    )


def progress(
    store: Store, document: str, *, pages: Iterable[int] | None = None, lines: EditedLines | None = None
) -> ReviewProgress:
    """How far the review of a document is: live flags decided, decisions by action, reviewers, per page.

    `pages` lists the document's page numbers (default: the pages that have flags or a status); `lines`
    the line edits that apply to its OCR (`review.lines.lines_in_force`), which settle their lines' flags.
    """
    events = store.decisions(document)
    return progress_of(
        queue(store.flags(document), events, lines=lines),
        document=document,
        events=events,
        status_events=store.page_status_events(document),
        pages=pages,
    )
