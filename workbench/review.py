"""Review decisions: what reviewers decided about flags, derived from an append-only event log.

A decision answers one flag: accept a suggestion, keep the OCR (a false alarm), enter custom text, or mark
the gold as wrong with the proposed gold reading. Every decision is an event with reviewer, time, note and
the flag version it was made against; undo and redo are events too, so nothing is ever deleted and the
state of a flag is a fold over its events (`derive_state`).

Two reviewers deciding the same flag from the same state: the store lets exactly one through; the other
gets ReviewConflict naming the decision that won. Batches ("apply to all N identical occurrences") are
all-or-nothing, each occurrence logged, and undone as one.

Page status follows the proofreading communities: not reviewed -> in review -> reviewed -> validated,
validation by someone other than the reviewer who marked the page reviewed.

No SQL here: the store (`workbench.store`) keeps the events; this module decides what they mean.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from workbench.corpus import Collection, page_stem
from workbench.errors import ReviewConflict, ReviewError
from workbench.flags import flag_document
from workbench.fsutil import atomic_write_json, atomic_write_text, read_utf8
from workbench.models import Decision, DecisionAction, Document, Flag, FlagCategory, FlagSource
from workbench.store import (
    GoldRevision,
    PageStatusEvent,
    SequenceConflict,
    Store,
    StoredFlag,
    SyncResult,
    VersionConflict,
    now,
)

DECIDING_ACTIONS = (DecisionAction.ACCEPT, DecisionAction.KEEP_OCR, DecisionAction.EDIT, DecisionAction.GOLD_WRONG)


class PageStatus(StrEnum):
    """Where a page is in its review, in order."""

    NOT_REVIEWED = "not_reviewed"
    IN_REVIEW = "in_review"
    REVIEWED = "reviewed"
    VALIDATED = "validated"


class FlagStatus(StrEnum):
    """Whether a flag still waits for a decision."""

    OPEN = "open"
    DECIDED = "decided"


# Forward one step at a time; a reviewed or validated page can be reopened (back to in review).
PAGE_TRANSITIONS: dict[PageStatus, frozenset[PageStatus]] = {
    PageStatus.NOT_REVIEWED: frozenset({PageStatus.IN_REVIEW}),
    PageStatus.IN_REVIEW: frozenset({PageStatus.REVIEWED, PageStatus.NOT_REVIEWED}),
    PageStatus.REVIEWED: frozenset({PageStatus.VALIDATED, PageStatus.IN_REVIEW}),
    PageStatus.VALIDATED: frozenset({PageStatus.IN_REVIEW}),
}


@dataclass(frozen=True, slots=True)
class FlagState:
    """A flag with its derived review state.

    `decision` is the decision in force (None: the flag is open); `redo` is what a redo would bring back
    (the decision most recently undone, unless a new decision came since); `version` is what the next
    decision on this flag must be made against.
    """

    flag: Flag
    version: int
    stale: bool = False
    decision: Decision | None = None
    redo: Decision | None = None
    redo_ref: int | None = None  # the undo event a redo would reverse

    @property
    def key(self) -> str:
        return self.flag.key

    @property
    def status(self) -> FlagStatus:
        """Open while no decision is in force, decided otherwise."""
        return FlagStatus.OPEN if self.decision is None else FlagStatus.DECIDED

    @property
    def reading(self) -> str | None:
        """The text the corrected transcript uses for this span, or None when it keeps the OCR."""
        if self.decision is None or self.decision.action is DecisionAction.KEEP_OCR:
            return None
        return self.decision.text


@dataclass(frozen=True, slots=True)
class Choice:
    """One decision of a batch: which flag, against which version, what action and text."""

    key: str
    version: int
    action: DecisionAction
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Batch:
    """The events one reviewer action wrote; `id` is shared by them (None for a single decision)."""

    id: str | None
    decisions: tuple[Decision, ...]

    def __len__(self) -> int:
        return len(self.decisions)


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


@dataclass(frozen=True, slots=True)
class Erratum:
    """A decision in force that says the gold is wrong: the flag, the gold's reading, the proposed one."""

    flag: Flag
    decision: Decision
    applied_in: int | None = None  # the gold revision that took it in, if any

    @property
    def gold_reading(self) -> str:
        """What the gold says at the flag (the gold flagger's suggestion), '' when unknown."""
        return self.flag.suggestions[0] if self.flag.suggestions else ""

    @property
    def proposed(self) -> str:
        return self.decision.text or ""


@dataclass(frozen=True, slots=True)
class _Fold:
    current: Decision | None = None
    redo: Decision | None = None
    redo_ref: int | None = None
    stack: tuple[Decision, ...] = ()
    undone: tuple[tuple[Decision, int], ...] = field(default=())


def reviewer_name(name: str | None) -> str:
    """A reviewer's name stripped of surrounding space; ReviewError when it is empty."""
    cleaned = (name or "").strip()
    if not cleaned:
        raise ReviewError("a reviewer name is required (it is recorded with every decision)")
    return cleaned


def derive_state(events: Iterable[Decision]) -> _Fold:
    """Fold one flag's events (oldest first) into the decision in force and the one a redo would restore.

    Decisions push onto a stack and clear the redo list; an undo pops the decision it names; a redo (a
    decision event whose `ref` is an undo) pushes that decision back.
    """
    stack: list[Decision] = []
    undone: list[tuple[Decision, int]] = []
    for item in events:
        if item.action is DecisionAction.UNDO:
            if stack and stack[-1].id == item.ref:
                undone.append((stack.pop(), item.id))
        elif item.ref is not None:
            stack.append(item)
            if undone and undone[-1][1] == item.ref:
                undone.pop()
        else:
            stack.append(item)
            undone.clear()
    return _Fold(
        current=stack[-1] if stack else None,
        redo=undone[-1][0] if undone else None,
        redo_ref=undone[-1][1] if undone else None,
        stack=tuple(stack),
        undone=tuple(undone),
    )



# -- the review queue --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """Which flags a queue shows. Empty or None fields do not filter.

    `status` None shows open and decided flags; `text` keeps flags whose OCR text is exactly it;
    `reading` keeps flags that offer it among their suggestions; stale flags are left out unless
    `include_stale`.
    """

    source: FlagSource | None = None
    pages: frozenset[int] | None = None
    categories: frozenset[FlagCategory] = frozenset()
    min_confidence: float = 0.0
    max_confidence: float = 1.0
    status: FlagStatus | None = None
    text: str | None = None
    reading: str | None = None
    include_stale: bool = False
    keys: frozenset[str] | None = None

    @classmethod
    def of(
        cls,
        *,
        source: FlagSource | str | None = None,
        pages: Iterable[int] | int | None = None,
        categories: Iterable[FlagCategory | str] | None = None,
        min_confidence: float | None = None,
        max_confidence: float | None = None,
        status: FlagStatus | str | None = None,
        text: str | None = None,
        reading: str | None = None,
        include_stale: bool = False,
        keys: Iterable[str] | None = None,
    ) -> QueueFilter:
        """A filter from loose values (strings for enums, one page or several); ReviewError for unknown ones."""
        try:
            wanted_status = FlagStatus(status) if status is not None else None
        except ValueError:
            raise ReviewError(f"unknown flag status {status!r} (open or decided)") from None
        try:
            wanted_categories = frozenset(FlagCategory(c) for c in categories or ())
        except ValueError as error:
            raise ReviewError(f"unknown flag category ({error})") from None
        if isinstance(pages, int):
            pages = [pages]
        return cls(
            source=FlagSource(source) if source is not None else None,
            pages=frozenset(pages) if pages is not None else None,
            categories=wanted_categories,
            min_confidence=0.0 if min_confidence is None else float(min_confidence),
            max_confidence=1.0 if max_confidence is None else float(max_confidence),
            status=wanted_status,
            text=text,
            reading=reading,
            include_stale=include_stale,
            keys=frozenset(keys) if keys is not None else None,
        )

    def admits(self, state: FlagState) -> bool:
        """True when `state` passes every part of the filter."""
        flag = state.flag
        return (
            (self.include_stale or not state.stale)
            and (self.source is None or flag.source == self.source)
            and (self.pages is None or flag.page in self.pages)
            and (not self.categories or flag.category in self.categories)
            and self.min_confidence <= flag.confidence <= self.max_confidence
            and (self.status is None or state.status == self.status)
            and (self.text is None or flag.text == self.text)
            and (self.reading is None or self.reading in flag.suggestions)
            and (self.keys is None or flag.key in self.keys)
        )


@dataclass(frozen=True, slots=True)
class ReviewQueue:
    """The flags a reviewer works through, in page and span order, with the state of every flag.

    `items` are the states the filter admits; `states` every live state of the queue's source (stale ones
    only with `include_stale`), which is what progress counts and apply-to-all draws its occurrences from.
    """

    items: tuple[FlagState, ...]
    states: tuple[FlagState, ...]

    @property
    def flags(self) -> int:
        """Live flags of the queue's source."""
        return sum(1 for s in self.states if not s.stale)

    @property
    def decided(self) -> int:
        """Live flags of the queue's source with a decision in force."""
        return sum(1 for s in self.states if not s.stale and s.decision is not None)

    @property
    def fraction(self) -> float:
        """Decided flags as a fraction of live flags (1.0 when there are none)."""
        return self.decided / self.flags if self.flags else 1.0

    def alike(self, flag: Flag, *, reading: str | None = None) -> tuple[FlagState, ...]:
        """The open, live flags identical to `flag`: same OCR text, category and source, and `reading` among
        their suggestions when given; `flag` itself first when it is open. What apply-to-all decides."""
        same = [
            s
            for s in self.states
            if not s.stale
            and s.decision is None
            and s.flag.text == flag.text
            and s.flag.category is flag.category
            and s.flag.source is flag.source
            and (reading is None or reading in s.flag.suggestions)
        ]
        same.sort(key=lambda s: s.flag.key != flag.key)
        return tuple(same)


def _span_order(state: FlagState) -> tuple[int, int, int]:
    return state.flag.page, state.flag.start, state.flag.end


def queue(
    flags: Iterable[Flag | StoredFlag], events: Iterable[Decision], where: QueueFilter = QueueFilter()
) -> ReviewQueue:
    """The review queue: each flag with the decision in force on it, folded from the decision `events`
    (`derive_state`), in page and span order, filtered by `where`.

    `flags` are stored flags (with their version and staleness) or plain flags as the flagger computed
    them, whose version is then the number of their events, as the store counts it. Pure: the store,
    the Review page (over flags cached from the computation) and the report all call this one function.
    """
    by_key: dict[str, list[Decision]] = {}
    for event in events:
        by_key.setdefault(event.flag_key, []).append(event)
    states = []
    for entry in flags:
        flag, stale = (entry.flag, entry.stale) if isinstance(entry, StoredFlag) else (entry, False)
        if where.source is not None and flag.source != where.source:
            continue
        if stale and not where.include_stale:
            continue
        history = by_key.get(flag.key) if by_key else None
        if history is None:
            version = entry.version if isinstance(entry, StoredFlag) else 0
            states.append(FlagState(flag=flag, version=version, stale=stale))
            continue
        fold = derive_state(history)
        version = entry.version if isinstance(entry, StoredFlag) else len(history)
        states.append(
            FlagState(
                flag=flag, version=version, stale=stale, decision=fold.current, redo=fold.redo,
                redo_ref=fold.redo_ref,
            )
        )
    states.sort(key=_span_order)
    return ReviewQueue(items=tuple(s for s in states if where.admits(s)), states=tuple(states))


def stored_queue(store: Store, document: str, where: QueueFilter = QueueFilter()) -> ReviewQueue:
    """`queue` over the flags and decision events the store holds for `document`."""
    keys = sorted(where.keys) if where.keys is not None else None
    return queue(store.flags(document, keys=keys), store.decisions(document, keys=keys), where)


# -- reading -----------------------------------------------------------------------------------------------


def sync_flags(
    store: Store, document: str, flags: Iterable[Flag], *, sources: Iterable[FlagSource] | None = None
) -> SyncResult:
    """Store the flagger's current flags of a document (upsert by key; flags no longer produced go stale).

    `sources` says which flag sets the snapshot replaces (default: all); give `[FlagSource.GOLD]` when
    syncing gold flags so the no-gold ones are not marked stale, and the other way round.
    """
    return store.sync_flags(document, flags, sources=sources)


def reviewed_flag_source(collection: Collection, document: Document) -> FlagSource:
    """The flag set reviewed by default: the gold flags when the document has gold, the no-gold ones otherwise."""
    return FlagSource.GOLD if collection.has_gold(document) else FlagSource.HEURISTIC


def refresh_flags(
    collection: Collection,
    store: Store,
    document_id: str,
    *,
    use_gold: bool | None = None,
    flags: Sequence[Flag] | None = None,
) -> SyncResult:
    """Sync a document's flags into the store and say what changed (added, updated, unchanged, stale).

    `flags` are the flagger's flags when the caller has them already (the app keeps them cached);
    otherwise the flagger runs on the stored OCR. `use_gold` None means: gold flags when the document has
    gold, no-gold (heuristic) flags otherwise. Only that set is snapshotted: the other set's flags and
    their decisions stay as they are.
    """
    document = collection.document(document_id)
    if use_gold is None:
        use_gold = reviewed_flag_source(collection, document) is FlagSource.GOLD
    if use_gold and not collection.has_gold(document):
        raise ReviewError(f"{document.manifest_path}: document {document_id!r} has no gold (use --no-gold)")
    source = FlagSource.GOLD if use_gold else FlagSource.HEURISTIC
    if flags is None:
        flags = flag_document(collection, document, use_gold=use_gold)
    return store.sync_flags(document_id, flags, sources=[source])


def flag_states(
    store: Store,
    document: str,
    *,
    page: int | None = None,
    categories: Iterable[FlagCategory | str] | None = None,
    min_confidence: float | None = None,
    max_confidence: float | None = None,
    status: FlagStatus | str | None = None,
    include_stale: bool = False,
    keys: Sequence[str] | None = None,
    source: FlagSource | str | None = None,
) -> list[FlagState]:
    """The flags of a document with their review state, in page and span order, filtered as asked
    (the items of `stored_queue` with a `QueueFilter` of these values).

    `status` is open, decided or None (both); confidences are the flagger's, from 0 to 1; `source`
    keeps only gold or only heuristic flags.
    """
    where = QueueFilter.of(
        source=source, pages=page, categories=categories, min_confidence=min_confidence,
        max_confidence=max_confidence, status=status, include_stale=include_stale, keys=keys,
    )
    return list(stored_queue(store, document, where).items)


def flag_state(store: Store, document: str, key: str) -> FlagState:
    """One flag's state; ReviewError when the document has no such flag."""
    found = flag_states(store, document, keys=[key], include_stale=True)
    if not found:
        raise ReviewError(f"{document}: no flag {key!r} in the review store")
    return found[0]


def current_decisions(store: Store, document: str) -> dict[str, Decision]:
    """The decision in force per flag key (stale flags included: their decisions still count)."""
    return {s.key: s.decision for s in flag_states(store, document, include_stale=True) if s.decision is not None}


def decision_history(store: Store, document: str, key: str | None = None) -> list[Decision]:
    """Every decision event of a document (or of one flag), oldest first, undos and redos included."""
    return store.decisions(document, keys=[key] if key is not None else None)


def occurrences(store: Store, document: str, key: str, *, reading: str | None = None) -> list[FlagState]:
    """The open flags identical to `key`'s flag (`ReviewQueue.alike`: same OCR text, category and source,
    `reading` among their suggestions when given). The flag itself comes first when it is open."""
    target = flag_state(store, document, key)
    same_source = stored_queue(store, document, QueueFilter(source=target.flag.source))
    return list(same_source.alike(target.flag, reading=reading))


# -- deciding ----------------------------------------------------------------------------------------------


def _describe(decision: Decision) -> str:
    if decision.action is DecisionAction.UNDO:
        what = f"undo of decision #{decision.ref}"
    elif decision.action is DecisionAction.KEEP_OCR:
        what = "keep the OCR"
    elif decision.action is DecisionAction.GOLD_WRONG:
        what = f"gold is wrong, should read {decision.text!r}"
    else:
        what = f"{decision.action.value} {decision.text!r}"
    return f"{decision.reviewer} at {decision.time}: {what}"


def _conflict(store: Store, conflict: VersionConflict) -> ReviewConflict:
    history = store.decisions(conflict.document, keys=[conflict.flag_key])
    if history:
        return ReviewConflict(
            f"{conflict.document} flag {conflict.flag_key}: changed since you saw it "
            f"(version {conflict.expected}, now {len(history)}): last by {_describe(history[-1])}; "
            "your decision was not saved, reload and decide again"
        )
    return ReviewConflict(
        f"{conflict.document} flag {conflict.flag_key}: changed since you saw it (version {conflict.expected}, "
        f"now {conflict.actual}); your decision was not saved, reload and decide again"
    )


def _check_choice(state: FlagState, choice: Choice) -> str | None:
    """The text to record for `choice` on `state`'s flag; ReviewError when the choice does not fit."""
    flag = state.flag
    if state.stale:
        raise ReviewError(f"{flag.document} flag {flag.key}: stale (the flagger no longer produces it)")
    action = DecisionAction(choice.action)
    if action is DecisionAction.ACCEPT:
        text = choice.text if choice.text is not None else (flag.suggestions[0] if flag.suggestions else None)
        if text is None:
            raise ReviewError(f"{flag.document} flag {flag.key}: no suggestion to accept (enter custom text)")
        if text not in flag.suggestions:
            raise ReviewError(
                f"{flag.document} flag {flag.key}: {text!r} is not one of its suggestions (use edit for custom text)"
            )
        return text
    if action is DecisionAction.KEEP_OCR:
        return None
    if action in (DecisionAction.EDIT, DecisionAction.GOLD_WRONG):
        if choice.text is None:
            what = "custom text" if action is DecisionAction.EDIT else "the proposed gold reading"
            raise ReviewError(f"{flag.document} flag {flag.key}: {action.value} needs {what}")
        return choice.text
    raise ReviewError(f"{flag.document} flag {flag.key}: {action.value} is not a decision (use undo/redo)")


def _append(store: Store, events: Sequence[Decision]) -> list[Decision]:
    try:
        return store.append_decisions(events)
    except VersionConflict as conflict:
        raise _conflict(store, conflict) from None


def decide_many(
    store: Store, document: str, choices: Sequence[Choice], *, reviewer: str, note: str = ""
) -> Batch:
    """Record several decisions as one batch, all or none; each is its own logged event.

    ReviewConflict when any flag changed since its given version (nothing is written then).
    """
    reviewer = reviewer_name(reviewer)
    keys = [c.key for c in choices]
    if len(set(keys)) != len(keys):
        raise ReviewError(f"{document}: a batch decides each flag once")
    if not choices:
        return Batch(id=None, decisions=())
    states = {s.key: s for s in flag_states(store, document, keys=keys, include_stale=True)}
    batch = uuid.uuid4().hex if len(choices) > 1 else None
    stamp = now()
    events = []
    for choice in choices:
        state = states.get(choice.key)
        if state is None:
            raise ReviewError(f"{document}: no flag {choice.key!r} in the review store")
        text = _check_choice(state, choice)
        events.append(
            Decision(
                document=document,
                flag_key=choice.key,
                action=DecisionAction(choice.action),
                text=text,
                reviewer=reviewer,
                time=stamp,
                note=note,
                version=choice.version,
                batch=batch,
            )
        )
    return Batch(id=batch, decisions=tuple(_append(store, events)))


def decide(
    store: Store,
    document: str,
    key: str,
    *,
    action: DecisionAction | str,
    reviewer: str,
    version: int,
    text: str | None = None,
    note: str = "",
) -> Decision:
    """Record one decision on a flag, made against the flag `version` the reviewer saw; returns the event.

    Accept takes `text` (default: the top suggestion) from the flag's suggestions; edit takes custom text;
    gold_wrong the proposed gold reading; keep_ocr no text. ReviewConflict when the flag changed meanwhile.
    The decision is committed when this returns.
    """
    batch = decide_many(
        store, document, [Choice(key, version, DecisionAction(action), text)], reviewer=reviewer, note=note
    )
    return batch.decisions[0]


def apply_to_all(
    store: Store,
    document: str,
    key: str,
    *,
    action: DecisionAction | str,
    reviewer: str,
    text: str | None = None,
    note: str = "",
    expected: Mapping[str, int] | None = None,
) -> Batch:
    """Decide `key`'s flag and every open identical occurrence (same OCR text, category and reading) at once.

    `expected` maps the occurrences the reviewer was shown to their versions; when given, exactly those
    are decided (ReviewConflict if any changed). Without it, the open occurrences as they are now.
    """
    action = DecisionAction(action)
    target = flag_state(store, document, key)
    if action is DecisionAction.ACCEPT and text is None:
        text = target.flag.suggestions[0] if target.flag.suggestions else None
    reading = text if action is DecisionAction.ACCEPT else None
    if expected is None:
        expected = {s.key: s.version for s in occurrences(store, document, key, reading=reading)}
    choices = [Choice(k, v, action, text) for k, v in expected.items()]
    return decide_many(store, document, choices, reviewer=reviewer, note=note)


def undo(store: Store, document: str, key: str, *, reviewer: str, version: int, note: str = "") -> Decision:
    """Withdraw the decision in force on a flag (a new 'undo' event); the flag falls back to the one before."""
    reviewer = reviewer_name(reviewer)
    state = flag_state(store, document, key)
    if state.decision is None:
        raise ReviewError(f"{document} flag {key}: nothing to undo (the flag is open)")
    event = Decision(
        document=document,
        flag_key=key,
        action=DecisionAction.UNDO,
        text=None,
        reviewer=reviewer,
        time=now(),
        note=note,
        version=version,
        ref=state.decision.id,
    )
    return _append(store, [event])[0]


def redo(store: Store, document: str, key: str, *, reviewer: str, version: int, note: str = "") -> Decision:
    """Bring back the decision most recently undone on a flag (a new event repeating it)."""
    reviewer = reviewer_name(reviewer)
    state = flag_state(store, document, key)
    if state.redo is None:
        raise ReviewError(f"{document} flag {key}: nothing to redo")
    event = Decision(
        document=document,
        flag_key=key,
        action=state.redo.action,
        text=state.redo.text,
        reviewer=reviewer,
        time=now(),
        note=note,
        version=version,
        ref=state.redo_ref,
    )
    return _append(store, [event])[0]


def undo_batch(store: Store, batch: str, *, reviewer: str, note: str = "") -> Batch:
    """Undo every decision of a batch in one action (one new batch of undo events), all or none.

    ReviewError when a flag of the batch has been decided again since (its batch decision is no longer
    the one in force): undo that flag's later decision first.
    """
    reviewer = reviewer_name(reviewer)
    document = store.batch_document(batch)
    if document is None:
        raise ReviewError(f"no batch {batch!r} in the review store")
    members = [d for d in store.decisions(document, batch=batch) if d.action is not DecisionAction.UNDO]
    if not members:
        raise ReviewError(f"batch {batch}: it holds only undo events (redo its flags one by one)")
    states = {s.key: s for s in flag_states(store, document, keys=[d.flag_key for d in members], include_stale=True)}
    new_batch = uuid.uuid4().hex
    stamp = now()
    events = []
    for member in members:
        state = states[member.flag_key]
        if state.decision is None or state.decision.id != member.id:
            now_in_force = _describe(state.decision) if state.decision else "no decision"
            raise ReviewError(
                f"batch {batch}: flag {member.flag_key} was changed since ({now_in_force}); undo that first"
            )
        events.append(
            Decision(
                document=document,
                flag_key=member.flag_key,
                action=DecisionAction.UNDO,
                text=None,
                reviewer=reviewer,
                time=stamp,
                note=note,
                version=state.version,
                batch=new_batch,
                ref=member.id,
            )
        )
    return Batch(id=new_batch, decisions=tuple(_append(store, events)))


def undo_last(store: Store, document: str, *, reviewer: str) -> Batch:
    """Undo this reviewer's most recent action on a document that is still in force (a batch as a whole)."""
    reviewer = reviewer_name(reviewer)
    in_force = {d.id for d in current_decisions(store, document).values()}
    for item in reversed(store.decisions(document)):
        if item.reviewer != reviewer or item.action is DecisionAction.UNDO or item.id not in in_force:
            continue
        if item.batch is not None:
            return undo_batch(store, item.batch, reviewer=reviewer)
        state = flag_state(store, document, item.flag_key)
        single = undo(store, document, item.flag_key, reviewer=reviewer, version=state.version)
        return Batch(id=None, decisions=(single,))
    raise ReviewError(f"{document}: {reviewer} has no decision in force to undo")


def accept_all(
    store: Store,
    document: str,
    *,
    reviewer: str,
    categories: Iterable[FlagCategory | str] | None = None,
    min_confidence: float | None = None,
    source: FlagSource | str | None = None,
    note: str = "",
) -> Batch:
    """Accept the top suggestion of every open flag that matches (all open flags without filters), as one
    batch of logged decisions. Flags without a suggestion are left open."""
    states = flag_states(
        store, document, categories=categories, min_confidence=min_confidence, status=FlagStatus.OPEN, source=source
    )
    choices = [
        Choice(s.key, s.version, DecisionAction.ACCEPT, s.flag.suggestions[0]) for s in states if s.flag.suggestions
    ]
    return decide_many(store, document, choices, reviewer=reviewer, note=note)


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


# -- progress and errata -----------------------------------------------------------------------------------


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


def gold_errata(store: Store, document: str, *, gold: str | None = None) -> list[Erratum]:
    """The decisions in force that mark the gold wrong, in page order, with the gold revision that took
    each in (when `gold`, the document's gold id, is given)."""
    applied: dict[int, int] = {}
    if gold is not None:
        for revision in store.gold_revisions(gold):
            for decision_id in revision.decisions:
                applied[decision_id] = revision.revision
    return [
        Erratum(flag=s.flag, decision=s.decision, applied_in=applied.get(s.decision.id))
        for s in flag_states(store, document, include_stale=True)
        if s.decision is not None and s.decision.action is DecisionAction.GOLD_WRONG
    ]


def _gold_span(gold: str, ocr: str, flag: Flag, reading: str) -> tuple[int, int]:
    """Where in the gold body the flag's gold reading stands: through the character alignment of gold and
    OCR, checked against the reading, else the nearest exact occurrence of it. ReviewError if not found."""
    from workbench.align import align_chars
    from workbench.normalize import fold_whitespace

    ops = align_chars(gold, ocr)

    def to_gold(offset: int, *, end: bool) -> int:
        for op in ops:
            inside = op.ocr_start < offset <= op.ocr_end if end else op.ocr_start <= offset < op.ocr_end
            if inside:
                if op.tag == "equal":
                    return min(op.gold_start + offset - op.ocr_start, op.gold_end)
                return op.gold_end if end else op.gold_start
        before = [op for op in ops if op.ocr_end <= offset]
        return before[-1].gold_end if before else 0

    start = to_gold(flag.start, end=False)
    end = to_gold(flag.end, end=True) if flag.end > flag.start else start
    if fold_whitespace(gold[start:end]) == fold_whitespace(reading) and (reading.strip() or start == end):
        return start, end
    if reading:
        found = [m.start() for m in re.finditer(re.escape(reading), gold)]
        if found:
            nearest = min(found, key=lambda at: abs(at - start))
            return nearest, nearest + len(reading)
    raise ReviewError(
        f"page {flag.page} flag {flag.key}: cannot find the gold reading {reading!r} in the gold body"
    )


def revise_gold(collection: Collection, store: Store, document_id: str, *, reviewer: str) -> GoldRevision:
    """Write a new revision of a document's gold from its gold errata not yet applied; the old pages are kept
    under `transcripts/gold/GOLD/revisions/rN/` (N the new revision), with a revision.json saying who,
    when and which decisions. Only body text is revised; markings are left as they are.

    The revision number is claimed in the store first, so two reviewers revising at once cannot both win.
    """
    reviewer = reviewer_name(reviewer)
    document = collection.document(document_id)
    if document.gold is None or not collection.has_gold(document):
        raise ReviewError(f"{document.manifest_path}: document {document_id!r} has no gold to revise")
    pending = [e for e in gold_errata(store, document_id, gold=document.gold) if e.applied_in is None]
    if not pending:
        raise ReviewError(f"{document_id}: no gold errata waiting (mark flags 'gold is wrong' first)")
    from workbench.ocr.store import load_ocr_page

    gold_dir = collection.gold_dir(document.gold)
    new_bodies: dict[int, str] = {}
    for number in sorted({e.flag.page for e in pending}):
        page_errata = [e for e in pending if e.flag.page == number]
        body = read_utf8(gold_dir / f"{page_stem(number)}.txt", what="gold page").replace("\r\n", "\n")
        ocr = load_ocr_page(collection, document_id, number).text
        spans = [(_gold_span(body, ocr, e.flag, e.gold_reading), e) for e in page_errata]
        spans.sort(key=lambda item: item[0])
        for (first, _), (second, erratum) in itertools.pairwise(spans):
            if second[0] < first[1]:
                raise ReviewError(f"page {number}: gold errata overlap at flag {erratum.flag.key}")
        for (start, end), erratum in reversed(spans):
            body = body[:start] + erratum.proposed + body[end:]
        new_bodies[number] = body
    revisions = store.gold_revisions(document.gold)
    revision = GoldRevision(
        document=document_id,
        gold=document.gold,
        revision=(revisions[-1].revision if revisions else 0) + 1,
        reviewer=reviewer,
        time=now(),
        decisions=tuple(e.decision.id for e in pending),
        pages=tuple(sorted(new_bodies)),
    )
    store.append_gold_revision(revision)
    keep = gold_dir / "revisions" / f"r{revision.revision}"
    for number in new_bodies:
        old = gold_dir / f"{page_stem(number)}.txt"
        atomic_write_text(keep / old.name, read_utf8(old, what="gold page"))
    atomic_write_json(
        keep / "revision.json",
        {
            "revision": revision.revision,
            "document": document_id,
            "reviewer": reviewer,
            "time": revision.time,
            "pages": list(revision.pages),
            "errata": [
                {
                    "flag": e.flag.key,
                    "decision": e.decision.id,
                    "reviewer": e.decision.reviewer,
                    "time": e.decision.time,
                    "note": e.decision.note,
                    "was": e.gold_reading,
                    "now": e.proposed,
                }
                for e in pending
            ],
        },
    )
    for number, body in new_bodies.items():
        atomic_write_text(gold_dir / f"{page_stem(number)}.txt", body)
    return revision
