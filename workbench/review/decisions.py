"""Deciding: single decisions, batches, undo and redo, each an event appended to the store's log.

Two reviewers deciding the same flag from the same state: the store lets exactly one through; the other
gets ReviewConflict naming the decision that won. Batches are all-or-nothing, each occurrence logged,
and undone as one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence

from workbench.errors import ReviewConflict, ReviewError
from workbench.models import Decision, DecisionAction, FlagCategory, FlagSource
from workbench.review.queue import current_decisions, flag_state, flag_states, occurrences
from workbench.review.state import Batch, Choice, Erratum, FlagState, FlagStatus, reviewer_name
from workbench.store import (
    Store,
    VersionConflict,
    now,
)

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
