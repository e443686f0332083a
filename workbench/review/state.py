"""A flag's review state: the fold of its decision events (oldest first) into the decision in force, and
whether two reviewers dispute it.

A dispute opens when a reviewer decides (or undoes) over another reviewer's decision in force with a
different reading, which `review.decide` allows only as an explicit override with a note. It stays open,
shown to everyone, until it is settled: a third reviewer decides, one of the two comes round to the other's
reading, or the reviewer who made the decision in force withdraws it. The rule lives here, in the fold,
so the CLI, the pages and the report all see the same disputes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from workbench.errors import ReviewError
from workbench.models import Decision, DecisionAction, Flag

if TYPE_CHECKING:
    from workbench.store import LineEdit

DECIDING_ACTIONS = (DecisionAction.ACCEPT, DecisionAction.KEEP_OCR, DecisionAction.EDIT, DecisionAction.GOLD_WRONG)


class FlagStatus(StrEnum):
    """Whether a flag still waits for a decision."""

    OPEN = "open"
    DECIDED = "decided"


# The members as plain module names: an enum member read off its class goes through a descriptor, and the
# queue asks every flag's status on every rerun (20,000 flags on a 500-page document).
_OPEN, _DECIDED = FlagStatus.OPEN, FlagStatus.DECIDED


@dataclass(frozen=True, slots=True)
class Dispute:
    """Two reviewers disagree on a flag: `later` was decided (or undone) over `earlier`, another reviewer's
    decision then in force. `later.note` says why."""

    earlier: Decision
    later: Decision

    @property
    def reviewers(self) -> tuple[str, str]:
        """The two reviewers, the one decided over first."""
        return self.earlier.reviewer, self.later.reviewer


@dataclass(frozen=True, slots=True)
class FlagState:
    """A flag with its derived review state.

    `decision` is the decision in force; `redo` is what a redo would bring back (the decision most recently
    undone, unless a new decision came since); `version` is what the next decision on this flag must be
    made against. `settled_by` is the line edit in force that settles the flag (`review.lines.settles`:
    the reviewer's text of its line says what it reads, and the transcript applies no decision of it on
    top); the flag is open while it has neither a decision in force nor such a line edit.
    """

    flag: Flag
    version: int
    stale: bool = False
    decision: Decision | None = None
    redo: Decision | None = None
    redo_ref: int | None = None  # the undo event a redo would reverse
    dispute: Dispute | None = None  # two reviewers disagree and nobody has settled it yet
    settled_by: LineEdit | None = None
    # The flag's key as the queue computed it: Flag.key formats a string on every call, and pages walk
    # tens of thousands of states by key on every rerun.
    known_key: str | None = field(default=None, repr=False, compare=False)

    @property
    def key(self) -> str:
        """The flag's key (`Flag.key`)."""
        return self.known_key if self.known_key is not None else self.flag.key

    @property
    def status(self) -> FlagStatus:
        """Open while no decision is in force and no line edit settles it, decided otherwise."""
        return _OPEN if self.decision is None and self.settled_by is None else _DECIDED

    @property
    def applied(self) -> Decision | None:
        """The decision in force that the corrected transcript applies: None when there is none, or when a
        line edit settles the flag (its line reads as the reviewer typed it)."""
        return self.decision if self.settled_by is None else None

    @property
    def reading(self) -> str | None:
        """The text the corrected transcript uses for this span, or None when it keeps the OCR (or a line
        edit settles the flag: the whole line's text is the reviewer's)."""
        if self.applied is None or self.applied.action is DecisionAction.KEEP_OCR:
            return None
        return self.applied.text


@dataclass(frozen=True, slots=True)
class Choice:
    """One decision of a batch: which flag, against which version, what action and text."""

    key: str
    version: int
    action: DecisionAction
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Batch:
    """The events one reviewer action wrote; `id` is shared by them (None for a single decision). An action
    on lines (undoing a collection-wide replace) wrote `lines`, line edit events, instead of decisions."""

    id: str | None
    decisions: tuple[Decision, ...]
    lines: tuple[LineEdit, ...] = ()

    def __len__(self) -> int:
        return len(self.decisions) + len(self.lines)


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
    dispute: Dispute | None = None


# -- in plain words ----------------------------------------------------------------------------------------
# Messages name a flag by its page and text and a decision by what it did, never by keys or action codes.


def plain_time(stamp: str) -> str:
    """An event's time as people read it: '2026-12-02T13:01:07.123Z' -> '2 Dec 2026, 13:01 UTC'."""
    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    return f"{when.day} {when:%b %Y, %H:%M} UTC"


def quoted(text: str | None) -> str:
    """Text from a page in quotes, on one line; 'nothing' for empty text."""
    flat = (text or "").replace("\n", " ").replace("\f", " ")
    return f"“{flat}”" if flat.strip() else "nothing"


def describe_flag(flag: Flag) -> str:
    """A flag as a reviewer finds it: page, OCR text and kind, e.g. 'page 1, “arned” (misread word)'."""
    where = quoted(flag.text) if flag.text.strip() else "a gap"  # a flag of missing text covers no characters
    return f"page {flag.page}, {where} ({flag.category.value.replace('_', ' ')})"


def what_it_did(decision: Decision) -> str:
    """What a decision did, as a verb phrase: 'kept the OCR', 'accepted “armed”'."""
    if decision.action in (DecisionAction.ACCEPT, DecisionAction.EDIT) and decision.text == "":
        return "deleted it"  # an empty reading removes the span (stamp noise, stray marks)
    match decision.action:
        case DecisionAction.ACCEPT:
            return f"accepted {quoted(decision.text)}"
        case DecisionAction.KEEP_OCR:
            return "kept the OCR"
        case DecisionAction.EDIT:
            return f"corrected it to {quoted(decision.text)}"
        case DecisionAction.GOLD_WRONG:
            return f"marked the gold wrong (it should read {quoted(decision.text)})"
        case _:
            return "withdrew the decision in force"


def describe_decision(decision: Decision) -> str:
    """Who did what and when, with the note: 'bob kept the OCR on 2 Dec 2026, 13:01 UTC (note: ...)'."""
    note = f" (note: {decision.note})" if decision.note.strip() else ""
    return f"{decision.reviewer} {what_it_did(decision)} on {plain_time(decision.time)}{note}"


def describe_settled(edit: LineEdit) -> str:
    """A flag a line edit settles, in words: 'settled by ann's text of line 3 (2 Dec 2026, 13:01 UTC)'."""
    return f"settled by {edit.reviewer}'s text of line {edit.line} ({plain_time(edit.time)})"


def describe_dispute(dispute: Dispute) -> str:
    """Both sides of a dispute in one sentence."""
    return (
        f"disputed: {describe_decision(dispute.earlier)}; then {describe_decision(dispute.later)}. "
        "A third reviewer settles it, or one of the two agrees with the other."
    )


def reviewer_name(name: str | None) -> str:
    """A reviewer's name stripped of surrounding space; ReviewError when it is empty."""
    cleaned = (name or "").strip()
    if not cleaned:
        raise ReviewError("a reviewer name is required (it is recorded with every decision)")
    return cleaned


def agrees(decision: Decision, other: Decision) -> bool:
    """True when two decisions give a flag the same outcome: the same reading for the transcript (accepting
    a suggestion and typing the same text agree), or the same proposed gold reading."""

    def outcome(item: Decision) -> tuple[bool, str | None]:
        gold_wrong = item.action is DecisionAction.GOLD_WRONG
        return gold_wrong, None if item.action is DecisionAction.KEEP_OCR else item.text

    return outcome(decision) == outcome(other)


def overrides(reviewer: str, in_force: Decision | None, new: Decision | None = None) -> bool:
    """True when `reviewer` acting on a flag whose decision in force is `in_force` decides over another
    reviewer: `in_force` is someone else's and `new` (None: an undo) does not agree with it."""
    if in_force is None or in_force.reviewer == reviewer:
        return False
    return new is None or not agrees(new, in_force)


def _next_dispute(
    dispute: Dispute | None, before: Decision | None, item: Decision, undone: Decision | None
) -> Dispute | None:
    """The dispute after `item` (a decision, or an undo that withdrew `undone`) acted on a flag whose
    decision in force was `before`."""
    if dispute is None:
        if before is not None and overrides(item.reviewer, before, None if undone is not None else item):
            return Dispute(earlier=before, later=item)
        return None
    if item.reviewer not in dispute.reviewers:
        return None  # a third reviewer settles it
    if undone is not None and undone.reviewer == item.reviewer:
        return None  # one of the two withdraws their own decision
    if undone is None and before is not None and before.reviewer != item.reviewer and agrees(item, before):
        return None  # one of the two comes round to the other's reading
    other = dispute.earlier if item.reviewer == dispute.later.reviewer else dispute.later
    return Dispute(earlier=other, later=item)


def derive_state(events: Iterable[Decision]) -> _Fold:
    """Fold one flag's events (oldest first) into the decision in force, the one a redo would restore, and
    the dispute between two reviewers, if one is open.

    Decisions push onto a stack and clear the redo list; an undo pops the decision it names; a redo (a
    decision event whose `ref` is an undo) pushes that decision back.
    """
    stack: list[Decision] = []
    undone: list[tuple[Decision, int]] = []
    dispute: Dispute | None = None
    for item in events:
        before = stack[-1] if stack else None
        if item.action is DecisionAction.UNDO:
            if stack and stack[-1].id == item.ref:
                withdrawn = stack.pop()
                undone.append((withdrawn, item.id))
                dispute = _next_dispute(dispute, before, item, withdrawn)
            continue
        if item.ref is not None:
            stack.append(item)
            if undone and undone[-1][1] == item.ref:
                undone.pop()
        else:
            stack.append(item)
            undone.clear()
        dispute = _next_dispute(dispute, before, item, None)
    return _Fold(
        current=stack[-1] if stack else None,
        redo=undone[-1][0] if undone else None,
        redo_ref=undone[-1][1] if undone else None,
        stack=tuple(stack),
        undone=tuple(undone),
        dispute=dispute,
    )
