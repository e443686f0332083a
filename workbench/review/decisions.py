"""Deciding: single decisions, batches, undo and redo, each an event appended to the store's log.

Two reviewers deciding the same flag from the same state: the store lets exactly one through; the other
gets ReviewConflict naming the decision that won. Deciding over another reviewer's decision in force (a
different reading, or an undo of it) is allowed only as an explicit override with a note saying why
(OverrideNeeded otherwise); the flag is then disputed until settled (see `review.state`). Batches are
all-or-nothing, each occurrence logged, and undone as one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from workbench.errors import ReviewConflict, ReviewError
from workbench.learning import LearnedGroup
from workbench.models import Decision, DecisionAction, FlagCategory, FlagSource
from workbench.review.lines import EditedLines, last_line_batch, undo_line_batch
from workbench.review.queue import current_decisions, flag_state, flag_states, occurrences
from workbench.review.state import (
    Batch,
    Choice,
    Erratum,
    FlagState,
    FlagStatus,
    describe_decision,
    describe_flag,
    describe_settled,
    overrides,
    reviewer_name,
)
from workbench.store import (
    Store,
    VersionConflict,
    now,
)

# -- deciding ----------------------------------------------------------------------------------------------


class OverrideNeeded(ReviewError):
    """A reviewer tried to decide over another reviewer's decision in force without an override and a note."""


def _conflict(store: Store, conflict: VersionConflict) -> ReviewConflict:
    history = store.decisions(conflict.document, keys=[conflict.flag_key])
    found = store.flags(conflict.document, keys=[conflict.flag_key])
    where = describe_flag(found[0].flag) if found else f"a flag of {conflict.document}"
    latest = f": {describe_decision(history[-1])}" if history else ""
    return ReviewConflict(
        f"{where}: another reviewer changed this flag since you opened it{latest}. "
        "Your decision was not saved: look at the flag again and decide."
    )


def _check_choice(state: FlagState, choice: Choice) -> str | None:
    """The text to record for `choice` on `state`'s flag; ReviewError when the choice does not fit."""
    flag = state.flag
    where = describe_flag(flag)
    if state.stale:
        raise ReviewError(f"{where}: this flag no longer applies (the OCR or the gold changed since it was raised)")
    action = DecisionAction(choice.action)
    if action is DecisionAction.ACCEPT:
        text = choice.text if choice.text is not None else (flag.suggestions[0] if flag.suggestions else None)
        if text is None:
            raise ReviewError(f"{where}: there is no suggestion to accept; type the right text instead")
        if text not in flag.suggestions:
            raise ReviewError(f"{where}: “{text}” is not one of its suggestions; save it as your own reading")
        return text
    if action is DecisionAction.KEEP_OCR:
        return None
    if action in (DecisionAction.EDIT, DecisionAction.GOLD_WRONG):
        if choice.text is None:
            what = "your reading" if action is DecisionAction.EDIT else "what the gold should read"
            raise ReviewError(f"{where}: type {what} first")
        return choice.text
    raise ReviewError(f"{where}: undo and redo are not decisions; use Undo or Redo")


def _check_override(state: FlagState, event: Decision, *, override: bool) -> None:
    """OverrideNeeded when `event` decides over another reviewer's decision in force on `state`'s flag and
    the reviewer did not ask to override, or gave no note saying why.

    A decision in force the reviewer cannot have seen (made at or after the version they decided against)
    is left to the store, which refuses the event as a conflict: that reviewer was not overriding anyone.
    """
    new = None if event.action is DecisionAction.UNDO else event
    unseen = state.decision is not None and state.decision.version >= event.version
    if unseen or not overrides(event.reviewer, state.decision, new):
        return
    assert state.decision is not None
    where = f"{describe_flag(state.flag)}: {describe_decision(state.decision)}"
    if not override:
        raise OverrideNeeded(
            f"{where}. To decide over another reviewer's decision, override it and give a note saying why"
        )
    if not event.note.strip():
        raise OverrideNeeded(f"{where}. An override needs a note saying why")


def _append(store: Store, events: Sequence[Decision]) -> list[Decision]:
    try:
        return store.append_decisions(events)
    except VersionConflict as conflict:
        raise _conflict(store, conflict) from None


def _prepared(
    store: Store,
    document: str,
    choices: Sequence[Choice],
    *,
    reviewer: str,
    note: str,
    override: bool,
    states: Mapping[str, FlagState] | None = None,
) -> list[Decision]:
    """The events of a batch of `choices`, each checked (the choice fits its flag, no override unasked);
    ReviewError or OverrideNeeded otherwise. One batch id when there are several. `states`: the flags'
    states when the caller has just read them (else read here)."""
    keys = [c.key for c in choices]
    if len(set(keys)) != len(keys):
        raise ReviewError(f"{document}: a batch decides each flag once")
    if states is None:
        states = {s.key: s for s in flag_states(store, document, keys=keys, include_stale=True)}
    batch = uuid.uuid4().hex if len(choices) > 1 else None
    stamp = now()
    events = []
    for choice in choices:
        state = states.get(choice.key)
        if state is None:
            raise ReviewError(f"{document}: no flag {choice.key!r} in the review store")
        text = _check_choice(state, choice)
        event = Decision(
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
        _check_override(state, event, override=override)
        events.append(event)
    return events


def decide_many(
    store: Store,
    document: str,
    choices: Sequence[Choice],
    *,
    reviewer: str,
    note: str = "",
    override: bool = False,
) -> Batch:
    """Record several decisions as one batch, all or none; each is its own logged event.

    ReviewConflict when any flag changed since its given version; OverrideNeeded when one decides over
    another reviewer's decision in force without `override` and a `note` (nothing is written then).
    """
    reviewer = reviewer_name(reviewer)
    if not choices:
        return Batch(id=None, decisions=())
    events = _prepared(store, document, choices, reviewer=reviewer, note=note, override=override)
    return Batch(id=events[0].batch, decisions=tuple(_append(store, events)))


@dataclass(frozen=True, slots=True)
class Refusal:
    """A choice of a batch that was not written, and why (its flag changed since the reviewer saw it)."""

    key: str
    reason: str


@dataclass(frozen=True, slots=True)
class PartialBatch:
    """What `decide_each` wrote (one batch, undone as one) and the choices it refused, each alone."""

    batch: Batch
    refused: tuple[Refusal, ...] = ()


def _refused(store: Store, document: str, choice: Choice, state: FlagState | None) -> str | None:
    """Why `choice` cannot be written as the reviewer saw its flag, or None when it can."""
    if state is None:
        return f"{document}: no flag {choice.key!r} in the review store"
    if state.settled_by is not None:
        return f"{describe_flag(state.flag)}: {describe_settled(state.settled_by)} meanwhile; not accepted"
    if state.version != choice.version or state.decision is not None:
        return str(_conflict(store, VersionConflict(document, choice.key, choice.version, state.version)))
    try:
        _check_choice(state, choice)
    except ReviewError as error:
        return str(error)
    return None


def decide_each(
    store: Store,
    document: str,
    choices: Sequence[Choice],
    *,
    reviewer: str,
    note: str = "",
    lines: EditedLines | None = None,
) -> PartialBatch:
    """Record `choices` as one batch, each checked alone: a flag decided (or undone) since its given version,
    settled meanwhile by a line edit of `lines`, or no longer offering the choice's text is refused, that flag
    only (never overwritten), and the others are written. A flag another reviewer decides while the batch is
    written is refused the same way. The batch is undone as one (`undo_batch`, `undo_last`)."""
    reviewer = reviewer_name(reviewer)
    states = {s.key: s for s in flag_states(store, document, keys=[c.key for c in choices], include_stale=True,
                                            lines=lines)}
    refused: list[Refusal] = []
    ready: list[Choice] = []
    for choice in choices:
        reason = _refused(store, document, choice, states.get(choice.key))
        if reason is None:
            ready.append(choice)
        else:
            refused.append(Refusal(choice.key, reason))
    while ready:
        events = _prepared(store, document, ready, reviewer=reviewer, note=note, override=False, states=states)
        try:
            written = store.append_decisions(events)
        except VersionConflict as conflict:
            # Another reviewer got to this flag after the check: refuse it alone and write the rest.
            ready = [c for c in ready if c.key != conflict.flag_key]
            refused.append(Refusal(conflict.flag_key, str(_conflict(store, conflict))))
            continue
        return PartialBatch(Batch(id=events[0].batch, decisions=tuple(written)), tuple(refused))
    return PartialBatch(Batch(id=None, decisions=()), tuple(refused))


def accept_group(
    store: Store,
    document: str,
    group: LearnedGroup,
    *,
    reviewer: str,
    untick: Iterable[str] = (),
    note: str = "",
    lines: EditedLines | None = None,
) -> PartialBatch:
    """Accept the suggestion of every member of a learned group (`review.learned_groups`) the reviewer left
    ticked, as one batch of `decide_each`: each at the version the group showed, a member decided meanwhile
    refused alone. `untick` names members to leave open; ReviewError when one is no member (nothing written)."""
    untick = set(untick)
    unknown = sorted(untick - set(group.keys))
    if unknown:
        raise ReviewError(f"{document}: {unknown[0]!r} is not a flag of the group {group.label}")
    choices = [
        Choice(m.key, m.state.version, DecisionAction.ACCEPT, m.suggestion)
        for m in group.members
        if m.key not in untick
    ]
    return decide_each(store, document, choices, reviewer=reviewer, note=note or f"learned group {group.label}",
                       lines=lines)


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
    override: bool = False,
) -> Decision:
    """Record one decision on a flag, made against the flag `version` the reviewer saw; returns the event.

    Accept takes `text` (default: the top suggestion) from the flag's suggestions; edit takes custom text;
    gold_wrong the proposed gold reading; keep_ocr no text. ReviewConflict when the flag changed meanwhile;
    OverrideNeeded when another reviewer's decision is in force and `override` with a `note` is missing.
    The decision is committed when this returns.
    """
    batch = decide_many(
        store, document, [Choice(key, version, DecisionAction(action), text)], reviewer=reviewer, note=note,
        override=override,
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


def undo(
    store: Store, document: str, key: str, *, reviewer: str, version: int, note: str = "", override: bool = False
) -> Decision:
    """Withdraw the decision in force on a flag (a new 'undo' event); the flag falls back to the one before.
    Withdrawing another reviewer's decision is an override (`override` and a `note`)."""
    reviewer = reviewer_name(reviewer)
    state = flag_state(store, document, key)
    if state.decision is None:
        raise ReviewError(f"{describe_flag(state.flag)}: nothing to undo, the flag is open")
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
    _check_override(state, event, override=override)
    return _append(store, [event])[0]


def redo(
    store: Store, document: str, key: str, *, reviewer: str, version: int, note: str = "", override: bool = False
) -> Decision:
    """Bring back the decision most recently undone on a flag (a new event repeating it)."""
    reviewer = reviewer_name(reviewer)
    state = flag_state(store, document, key)
    if state.redo is None:
        raise ReviewError(f"{describe_flag(state.flag)}: nothing to redo")
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
    _check_override(state, event, override=override)
    return _append(store, [event])[0]


def undo_batch(store: Store, batch: str, *, reviewer: str, note: str = "", override: bool = False) -> Batch:
    """Undo every decision of a batch in one action (one new batch of undo events), all or none.

    ReviewError when a flag of the batch has been decided again since (its batch decision is no longer
    the one in force): undo that flag's later decision first. Another reviewer's batch is undone only as
    an override (`override` and a `note`).
    """
    reviewer = reviewer_name(reviewer)
    document = store.batch_document(batch)
    if document is None:
        raise ReviewError(f"no batch {batch!r} in the review store")
    members = [d for d in store.decisions(document, batch=batch) if d.action is not DecisionAction.UNDO]
    if not members:
        raise ReviewError(f"{document}: that action was itself an undo; redo its flags one by one")
    states = {s.key: s for s in flag_states(store, document, keys=[d.flag_key for d in members], include_stale=True)}
    new_batch = uuid.uuid4().hex
    stamp = now()
    events = []
    for member in members:
        state = states[member.flag_key]
        if state.decision is None or state.decision.id != member.id:
            now_in_force = describe_decision(state.decision) if state.decision else "it was undone"
            raise ReviewError(
                f"{describe_flag(state.flag)} was changed after that action ({now_in_force}); "
                "undo that change first"
            )
        event = Decision(
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
        _check_override(state, event, override=override)
        events.append(event)
    return Batch(id=new_batch, decisions=tuple(_append(store, events)))


def undo_last(store: Store, document: str, *, reviewer: str) -> Batch:
    """Undo this reviewer's most recent action on a document that is still in force (a batch as a whole):
    a decision, a batch of decisions, or a batch of line edits (a replace across the collection, undone in
    every document it touched).

    ReviewError when none is; it says so when the reviewer's latest decision was decided over by someone
    else (the flag is then disputed, and undoing it is that other reviewer's or an override's business).
    """
    reviewer = reviewer_name(reviewer)
    line_batch = last_line_batch(store, document, reviewer=reviewer)
    in_force = current_decisions(store, document)
    in_force_ids = {d.id for d in in_force.values()}
    events = store.decisions(document)
    overridden: Decision | None = None  # the reviewer's latest decision someone else decided over
    for item in reversed(events):
        if line_batch is not None and item.time < line_batch.time:
            break  # the batch of line edits came after this decision
        if item.reviewer != reviewer or item.action is DecisionAction.UNDO:
            continue
        if item.id not in in_force_ids:
            now_in_force = in_force.get(item.flag_key)
            if overridden is None and now_in_force is not None and now_in_force.reviewer != reviewer:
                overridden = now_in_force
            continue
        if item.batch is not None:
            return undo_batch(store, item.batch, reviewer=reviewer)
        state = flag_state(store, document, item.flag_key)
        single = undo(store, document, item.flag_key, reviewer=reviewer, version=state.version)
        return Batch(id=None, decisions=(single,))
    if line_batch is not None and line_batch.batch is not None:
        undone = undo_line_batch(store, line_batch.batch, reviewer=reviewer)
        return Batch(id=undone[0].batch, decisions=(), lines=tuple(undone))
    if overridden is not None:
        state = flag_state(store, document, overridden.flag_key)
        raise ReviewError(
            f"{describe_flag(state.flag)}: your decision is no longer in force: {describe_decision(overridden)}. "
            "The flag is disputed: decide it again as an override with a note, or leave it to a third reviewer"
        )
    raise ReviewError(f"{document}: {reviewer} has no decision still in force, so there is nothing to undo")


def accept_all(
    store: Store,
    document: str,
    *,
    reviewer: str,
    categories: Iterable[FlagCategory | str] | None = None,
    min_confidence: float | None = None,
    source: FlagSource | str | None = None,
    note: str = "",
    lines: EditedLines | None = None,
) -> Batch:
    """Accept the top suggestion of every open flag that matches (all open flags without filters), as one
    batch of logged decisions. Flags without a suggestion are left open; so are the flags a line edit of
    `lines` settles (`review.lines.lines_in_force`): a batch never overrules a line the reviewer typed."""
    states = flag_states(
        store, document, categories=categories, min_confidence=min_confidence, status=FlagStatus.OPEN, source=source,
        lines=lines,
    )
    choices = [
        Choice(s.key, s.version, DecisionAction.ACCEPT, s.flag.suggestions[0]) for s in states if s.flag.suggestions
    ]
    return decide_many(store, document, choices, reviewer=reviewer, note=note)


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
