"""The review queue: one pure fold of flags, decision events and line edits, filtered, and what reads it
from the store.

Everything that lists, counts or batches flags goes through `queue` (the store's `flag_states`,
`occurrences` and `progress`, the Review page over flags cached from the computation, and the report),
so a count shown anywhere is the count acted on. A flag inside a line a reviewer transcribed is settled by
that line edit (`review.lines.settles`, the rule the corrected transcript follows): not open, shown as
settled by its line, until the line edit is undone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from workbench import learning
from workbench.corpus import Collection
from workbench.errors import ReviewError
from workbench.flags import flag_document
from workbench.flags.config import FlaggerConfig, config_for
from workbench.models import Decision, Document, Flag, FlagCategory, FlagSource
from workbench.review.lines import EditedLine, EditedLines, settling_line
from workbench.review.state import FlagState, FlagStatus, derive_state
from workbench.store import (
    Store,
    StoredFlag,
    SyncResult,
)

# -- the review queue --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """Which flags a queue shows. Empty or None fields do not filter.

    `status` None shows open and decided flags; `text` keeps flags whose OCR text is exactly it;
    `reading` keeps flags that offer it among their suggestions; `disputed` keeps only the flags two
    reviewers dispute; stale flags are left out unless `include_stale`.
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
    disputed: bool = False

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
        disputed: bool = False,
    ) -> QueueFilter:
        """A filter from loose values (strings for enums, one page or several); ReviewError for unknown ones."""
        try:
            wanted_status = FlagStatus(status) if status is not None else None
        except ValueError:
            raise ReviewError(f"unknown flag status {status!r} (open or decided)") from None
        unknown = [c for c in categories or () if c not in {k.value for k in FlagCategory}]
        if unknown:
            known = ", ".join(k.value for k in FlagCategory)
            raise ReviewError(f"unknown flag category {unknown[0]!r} (one of {known})")
        wanted_categories = frozenset(FlagCategory(c) for c in categories or ())
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
            disputed=disputed,
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
            and (not self.disputed or state.dispute is not None)
        )

    def admits_status(self, state: FlagState) -> bool:
        """True when `state` passes the status and dispute parts of the filter (the rest aside): for a
        queue already filtered by `but(status=None, disputed=False)`, cheaper than `admits`."""
        return (self.status is None or state.status == self.status) and (
            not self.disputed or state.dispute is not None
        )

    def but(self, **changes) -> QueueFilter:
        """This filter with some fields changed (e.g. `but(status=None)`: the same flags, any status)."""
        return replace(self, **changes)


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
        """Live flags of the queue's source that are not open: a decision in force, or settled by a line edit."""
        return sum(1 for s in self.states if not s.stale and (s.decision is not None or s.settled_by is not None))

    @property
    def settled(self) -> int:
        """Live flags of the queue's source that a line edit in force settles."""
        return sum(1 for s in self.states if not s.stale and s.settled_by is not None)

    @property
    def fraction(self) -> float:
        """Decided flags as a fraction of live flags (1.0 when there are none)."""
        return self.decided / self.flags if self.flags else 1.0

    @property
    def disputed(self) -> tuple[FlagState, ...]:
        """Live flags of the queue's source that two reviewers dispute, in page and span order."""
        return tuple(s for s in self.states if not s.stale and s.dispute is not None)

    def alike(
        self, flag: Flag, *, reading: str | None = None, among: Iterable[FlagState] | None = None
    ) -> tuple[FlagState, ...]:
        """The open, live flags identical to `flag` (none a line edit settles): same OCR text, category and
        source, and `reading` among their suggestions when given; `flag` itself first when it is open. What
        apply-to-all decides.

        `among` narrows the search to some of the queue's states (e.g. the result of a call without
        `reading`), so a second question about the same flag does not walk the whole queue again."""
        same = [
            s
            for s in (self.states if among is None else among)
            if not s.stale
            and s.flag.text == flag.text
            and s.decision is None
            and s.settled_by is None
            and s.flag.category is flag.category
            and s.flag.source is flag.source
            and (reading is None or reading in s.flag.suggestions)
        ]
        same.sort(key=lambda s: s.flag.key != flag.key)
        return tuple(same)


def _span_order(state: FlagState) -> tuple[int, int, int]:
    return state.flag.page, state.flag.start, state.flag.end


def place_in_queue(
    walk: ReviewQueue,
    where: QueueFilter,
    current: str | None,
    *,
    after: str | None = None,
    refiltered: bool = False,
) -> str | None:
    """The flag a reviewer should be on, among `walk.items`: the queue of `where` without its status and
    dispute parts (`where.but(status=None, disputed=False)`: every flag the filters keep, any status).

    `current` stays while it is in the walk (whatever its status: Previous and Next reach decided flags),
    unless `after` names a flag just decided (or a batch's first flag): then the first flag `where` admits
    (e.g. the next open one) after that flag; or unless the filters were just changed (`refiltered`) and
    `where` does not admit `current`: then the first admitted flag at or after its place. With nothing
    admitted there, the first admitted flag; with nothing admitted at all, `current` or the walk's first.
    None only for an empty walk.
    """
    if not walk.items:
        return None
    here = next((s for s in walk.items if s.key == current), None)
    if after is None and here is not None and (not refiltered or where.admits_status(here)):
        return current
    anchor = next((s for s in walk.states if s.key == (after if after is not None else current)), None)
    place = _span_order(anchor) if anchor is not None else None
    first = None  # the first admitted flag, should none come after the place
    for state in walk.items:  # in span order: the first admitted one past the place is the answer
        if not where.admits_status(state):
            continue
        order = _span_order(state)
        if place is None or order > place or (after is None and order == place):
            return state.key
        first = first or state
    if first is not None:
        return first.key
    return current if here is not None else walk.items[0].key


def queue(
    flags: Iterable[Flag | StoredFlag],
    events: Iterable[Decision],
    where: QueueFilter = QueueFilter(),
    *,
    lines: EditedLines | None = None,
) -> ReviewQueue:
    """The review queue: each flag with the decision in force on it, folded from the decision `events`
    (`derive_state`), and the line edit in force that settles it, if any (`lines`, the line edits that apply
    to the OCR by page: `review.lines.lines_in_force`; `review.lines.settles` decides), in page and span
    order, filtered by `where`.

    `flags` are stored flags (with their version and staleness) or plain flags as the flagger computed
    them, whose version is then the number of their events, as the store counts it. Pure: the store,
    the Review page (over flags cached from the computation) and the report all call this one function.
    """
    by_key: dict[str, list[Decision]] = {}
    for event in events:
        by_key.setdefault(event.flag_key, []).append(event)
    edited: Mapping[int, Sequence[EditedLine]] = lines or {}
    states = []
    for entry in flags:
        flag, stale = (entry.flag, entry.stale) if isinstance(entry, StoredFlag) else (entry, False)
        if where.source is not None and flag.source != where.source:
            continue
        if stale and not where.include_stale:
            continue
        on_page = edited.get(flag.page)
        key = flag.key if by_key or on_page else None  # without events or line edits no key is needed here
        history = by_key.get(key) if key is not None else None
        if history is None:
            version = entry.version if isinstance(entry, StoredFlag) else 0
            settled = settling_line(on_page, flag.start, flag.end) if on_page else None
            states.append(
                FlagState(
                    flag=flag, version=version, stale=stale, known_key=key,
                    settled_by=settled.edit if settled is not None else None,
                )
            )
            continue
        fold = derive_state(history)
        version = entry.version if isinstance(entry, StoredFlag) else len(history)
        settled = None
        if on_page:
            decided_at = fold.current.time if fold.current is not None else None
            settled = settling_line(on_page, flag.start, flag.end, decided_at=decided_at)
        states.append(
            FlagState(
                flag=flag, version=version, stale=stale, decision=fold.current, redo=fold.redo,
                redo_ref=fold.redo_ref, dispute=fold.dispute, known_key=key,
                settled_by=settled.edit if settled is not None else None,
            )
        )
    states.sort(key=_span_order)
    return ReviewQueue(items=tuple(s for s in states if where.admits(s)), states=tuple(states))


def stored_queue(
    store: Store, document: str, where: QueueFilter = QueueFilter(), *, lines: EditedLines | None = None
) -> ReviewQueue:
    """`queue` over the flags and decision events the store holds for `document`, with the line edits that
    apply to its OCR (`lines`, from `review.lines.lines_in_force`; None: no flag is settled by a line)."""
    keys = sorted(where.keys) if where.keys is not None else None
    return queue(store.flags(document, keys=keys), store.decisions(document, keys=keys), where, lines=lines)


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
    otherwise the flagger runs on the stored OCR, the no-gold one revised by what the store's decisions
    teach (`learning.learned_for`). `use_gold` None means: gold flags when the document has
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
        learned = None if use_gold else learning.learned_for(store, document_id)
        flags = flag_document(collection, document, use_gold=use_gold, learned=learned)
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
    lines: EditedLines | None = None,
) -> list[FlagState]:
    """The flags of a document with their review state, in page and span order, filtered as asked
    (the items of `stored_queue` with a `QueueFilter` of these values).

    `status` is open, decided or None (both); confidences are the flagger's, from 0 to 1; `source`
    keeps only gold or only heuristic flags; `lines` are the line edits that apply to the OCR
    (`review.lines.lines_in_force`), which settle the flags of their lines.
    """
    where = QueueFilter.of(
        source=source, pages=page, categories=categories, min_confidence=min_confidence,
        max_confidence=max_confidence, status=status, include_stale=include_stale, keys=keys,
    )
    return list(stored_queue(store, document, where, lines=lines).items)


def flag_state(store: Store, document: str, key: str, *, lines: EditedLines | None = None) -> FlagState:
    """One flag's state (settled by a line edit of `lines`, when one applies); ReviewError when the
    document has no such flag."""
    found = flag_states(store, document, keys=[key], include_stale=True, lines=lines)
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


def learned_groups(
    store: Store,
    document: str,
    *,
    language: str | None = None,
    lines: EditedLines | None = None,
    states: Iterable[FlagState] | None = None,
    config: FlaggerConfig | None = None,
) -> tuple[learning.LearnedGroup, ...]:
    """The learned groups of a document's open no-gold flags (`learning.group_flags`, with the thresholds of
    `config`, by default the language's flagger record): what the store's decisions in force teach
    (`learning.learned_for`) over the stored no-gold flags, those a line edit of `lines` settles left out.
    `states` are the document's flag states when the caller has them already (the Review page's walk)."""

    learned = learning.learned_for(store, document)
    if not learned.can_group:
        return ()
    if states is None:
        states = stored_queue(store, document, QueueFilter(source=FlagSource.HEURISTIC), lines=lines).states
    return learning.group_flags(states, learned, config or config_for(language))
