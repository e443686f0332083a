"""A flag's review state: the fold of its decision events (oldest first) into the decision in force."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from workbench.errors import ReviewError
from workbench.models import Decision, DecisionAction, Flag

DECIDING_ACTIONS = (DecisionAction.ACCEPT, DecisionAction.KEEP_OCR, DecisionAction.EDIT, DecisionAction.GOLD_WRONG)


class FlagStatus(StrEnum):
    """Whether a flag still waits for a decision."""

    OPEN = "open"
    DECIDED = "decided"


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
