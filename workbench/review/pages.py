"""Page status and review progress.

Page status follows the proofreading communities: not reviewed -> in review -> reviewed -> validated,
validation by someone other than the reviewer who marked the page reviewed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from workbench.errors import ReviewConflict, ReviewError
from workbench.models import Decision
from workbench.review.queue import ReviewQueue, queue
from workbench.review.state import reviewer_name
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


@dataclass(frozen=True, slots=True)
class PageProgress:
    """Review progress of one page: flags decided out of flags live, and its status."""

    page: int
    flags: int
    decided: int
    status: PageStatus

    @property
    def open(self) -> int:
        return self.flags - self.decided


@dataclass(frozen=True, slots=True)
class ReviewProgress:
    """Review progress of a document. `flags` counts live (not stale) flags; `by_action` the decisions in force."""

    document: str
    flags: int
    decided: int
    by_action: dict[str, int]
    reviewers: tuple[str, ...]
    pages: tuple[PageProgress, ...]
    events: int = 0

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


def set_page_status(
    store: Store,
    document: str,
    page: int,
    status: PageStatus | str,
    *,
    reviewer: str,
    note: str = "",
    seq: int | None = None,
) -> PageState:
    """Move a page to `status` (a logged event); returns its new state.

    Allowed: forward one step (not reviewed -> in review -> reviewed -> validated), or reopen to in review.
    Validation must come from a reviewer other than the one who marked the page reviewed. `seq` is the
    status sequence the reviewer saw (PageState.seq); ReviewConflict when someone changed it since.
    """
    reviewer = reviewer_name(reviewer)
    try:
        target = PageStatus(status)
    except ValueError:
        raise ReviewError(f"unknown page status {status!r} ({', '.join(s.value for s in PageStatus)})") from None
    current = page_state(store, document, page)
    if seq is not None and seq != current.seq:
        raise ReviewConflict(
            f"{document} page {page}: status changed since you saw it; now {current.status.value} "
            f"by {current.reviewer} at {current.time}"
        )
    if target not in PAGE_TRANSITIONS[current.status]:
        raise ReviewError(f"{document} page {page}: cannot go from {current.status.value} to {target.value}")
    if target is PageStatus.VALIDATED and current.reviewed_by == reviewer:
        raise ReviewError(
            f"{document} page {page}: {reviewer} marked it reviewed, so another reviewer must validate it"
        )
    event = PageStatusEvent(
        document=document, page=page, status=target.value, reviewer=reviewer, time=now(), note=note,
        seq=current.seq + 1,
    )
    try:
        store.append_page_status(event)
    except SequenceConflict:
        latest = page_state(store, document, page)
        raise ReviewConflict(
            f"{document} page {page}: status changed meanwhile; now {latest.status.value} "
            f"by {latest.reviewer} at {latest.time}"
        ) from None
    return page_state(store, document, page)


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
    for state in states:
        flags_on[state.flag.page] = flags_on.get(state.flag.page, 0) + 1
        if state.decision is not None:
            by_action[state.decision.action.value] = by_action.get(state.decision.action.value, 0) + 1
            decided_on[state.flag.page] = decided_on.get(state.flag.page, 0) + 1
    by_page: dict[int, list[PageStatusEvent]] = {}
    for item in status_events:
        by_page.setdefault(item.page, []).append(item)
    page_rows = tuple(
        PageProgress(
            page=number,
            flags=flags_on.get(number, 0),
            decided=decided_on.get(number, 0),
            status=_page_state(document, number, by_page.get(number, [])).status,
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
    )


def progress(store: Store, document: str, *, pages: Iterable[int] | None = None) -> ReviewProgress:
    """How far the review of a document is: live flags decided, decisions by action, reviewers, per page.

    `pages` lists the document's page numbers (default: the pages that have flags or a status).
    """
    events = store.decisions(document)
    return progress_of(
        queue(store.flags(document), events),
        document=document,
        events=events,
        status_events=store.page_status_events(document),
        pages=pages,
    )
