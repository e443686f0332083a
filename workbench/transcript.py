"""The corrected transcript: the OCR text with the reviewers' decisions applied (its exporters are in
`workbench.exporters`).

It is derived, never edited by hand: `correct_page(ocr_text, decided, rules=...)` is a pure function of
the page's OCR text, its flags and the decisions in force. Accepting, editing or proposing a gold reading
replaces the flag's span [start, end) with the chosen text ("" deletes; a missing-text flag has
start == end and inserts). Keeping the OCR changes nothing.

Two automatic rules, each one a reviewer can switch off per document:
- drop_stamp_noise: an accepted stamp-noise flag is dropped from the body (replaced by its reading, which
  is "" unless body words were tangled in it), with the line it leaves empty; switched off, stamp text
  stays in the transcript as the OCR read it.
- join_hyphenation: an accepted broken hyphenation (`secu-\\nrity`) is joined into one word on the first
  line; switched off, the line-end hyphen stays as typed.

Overlapping decisions are never merged into garbled text: the first (by position) is applied, the other is
reported in `skipped` with the reason, as is a flag whose span no longer holds the text it flagged.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from workbench.corpus import Collection
from workbench.errors import ReviewError
from workbench.evaluate import DocumentEvaluation, evaluate_texts
from workbench.models import Decision, DecisionAction, Flag, FlagCategory, OcrPage
from workbench.normalize import DEFAULT, ComparisonOptions
from workbench.ocr.store import load_ocr_pages
from workbench.review import flag_states, reviewer_name
from workbench.store import RuleSetting, Store, now

PAGE_SEPARATOR = "\f"


class Rule(StrEnum):
    """The automatic transcript rules a reviewer can switch off."""

    DROP_STAMP_NOISE = "drop_stamp_noise"
    JOIN_HYPHENATION = "join_hyphenation"


@dataclass(frozen=True, slots=True)
class TranscriptRules:
    """Which automatic rules apply (both by default)."""

    drop_stamp_noise: bool = True
    join_hyphenation: bool = True

    def enabled(self, rule: Rule) -> bool:
        return bool(getattr(self, rule.value))


@dataclass(frozen=True, slots=True)
class Change:
    """One applied decision: OCR text [start, end) became `replacement`, at [out_start, out_end) of the
    corrected text. `rule` names the automatic rule that shaped it, if any."""

    flag: Flag
    decision: Decision
    start: int
    end: int
    ocr: str
    replacement: str
    out_start: int
    out_end: int
    rule: str | None = None


@dataclass(frozen=True, slots=True)
class Skipped:
    """A decision in force that was not applied, and why."""

    flag: Flag
    decision: Decision
    reason: str


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of the corrected text and the OCR span it comes from; `change` indexes CorrectedPage.changes
    (None: copied unchanged, character for character)."""

    text: str
    src_start: int
    src_end: int
    change: int | None = None


@dataclass(frozen=True, slots=True)
class CorrectedPage:
    """One page's corrected text, the changes that made it and the decisions left out."""

    document: str
    page: int
    ocr_text: str
    text: str
    changes: tuple[Change, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    pieces: tuple[Piece, ...] = ()

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The OCR span that corrected text [start, end) comes from (changed runs map to their whole span)."""
        lo: int | None = None
        hi: int | None = None
        position = 0
        for piece in self.pieces:
            piece_end = position + len(piece.text)
            if (piece_end > start and position < end) or (piece.text == "" and start <= position <= end):
                if piece.change is None:
                    a = piece.src_start + max(start, position) - position
                    b = piece.src_start + min(end, piece_end) - position
                else:
                    a, b = piece.src_start, piece.src_end
                lo = a if lo is None else min(lo, a)
                hi = b if hi is None else max(hi, b)
            position = piece_end
            if position > end:
                break
        if lo is None or hi is None:
            return (start, start)
        return (lo, hi)

    def change_at(self, start: int, end: int) -> list[Change]:
        """The changes that touch corrected text [start, end)."""
        return [
            c for c in self.changes if (c.out_start < end and c.out_end > start) or c.out_start == c.out_end == start
        ]


@dataclass(frozen=True, slots=True)
class CorrectedDocument:
    """The corrected transcript of a whole document, page by page."""

    document: str
    pages: tuple[CorrectedPage, ...]
    rules: TranscriptRules = field(default_factory=TranscriptRules)
    title: str = ""

    @property
    def text(self) -> str:
        """The whole document's corrected text, each page ending in a newline, pages separated by a form feed."""
        return PAGE_SEPARATOR.join(with_final_newline(p.text) for p in self.pages)

    @property
    def changes(self) -> int:
        return sum(len(p.changes) for p in self.pages)


def with_final_newline(text: str) -> str:
    """`text` ending in one line break (an empty text stays empty), as a text file's lines should."""
    return text if text.endswith("\n") or not text else text + "\n"


# -- the pure core -----------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Edit:
    flag: Flag
    decision: Decision
    start: int
    end: int
    replacement: str
    rule: str | None = None


def _line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """[first, last) of the lines holding text[start:end], without the final newline."""
    first = text.rfind("\n", 0, start) + 1
    last = text.find("\n", end)
    return first, (len(text) if last == -1 else last)


def _drop_emptied_lines(text: str, edits: list[_Edit]) -> None:
    """Widen dropped-stamp edits so a line holding nothing but dropped stamp text goes with its newline."""
    drops = sorted(
        (e for e in edits if e.rule == Rule.DROP_STAMP_NOISE and not e.replacement.strip()), key=lambda e: e.start
    )
    groups: list[list[_Edit]] = []
    bounds: list[tuple[int, int]] = []
    for edit in drops:
        first, last = _line_bounds(text, edit.start, edit.end)
        if groups and first <= bounds[-1][1]:
            groups[-1].append(edit)
            bounds[-1] = (bounds[-1][0], max(bounds[-1][1], last))
        else:
            groups.append([edit])
            bounds.append((first, last))
    for group, (first, last) in zip(groups, bounds, strict=True):
        kept, position = [], first
        for edit in group:
            kept.append(text[position : edit.start])
            position = max(position, edit.end)
        kept.append(text[position:last])
        if "".join(kept).strip():
            continue  # the line keeps other text: drop only the stamp spans
        if last < len(text):
            last += 1  # the line's newline
            # A stamp line between two blank lines would leave two blank lines: take one with it.
            blank_before = first >= 1 and text[first - 1] == "\n" and (first == 1 or text[first - 2] == "\n")
            if blank_before and text[last : last + 1] == "\n":
                last += 1
        elif first > 0:
            first -= 1  # last line of the page: take the newline before it instead
        group[0].start = first
        for left, right in itertools.pairwise(group):
            left.end = right.start
        group[-1].end = last


def _edit_for(text: str, flag: Flag, decision: Decision, rules: TranscriptRules) -> _Edit | str:
    """The edit a decision in force makes on the page, or the reason it makes none."""
    action = decision.action
    if action not in (DecisionAction.ACCEPT, DecisionAction.EDIT, DecisionAction.GOLD_WRONG):
        return ""
    if not (0 <= flag.start <= flag.end <= len(text)) or text[flag.start : flag.end] != flag.text:
        return f"the OCR text at {flag.start}-{flag.end} is no longer {flag.text!r} (OCR changed since flagging)"
    replacement = decision.text or ""
    if action is DecisionAction.ACCEPT and flag.category is FlagCategory.STAMP_NOISE:
        if not rules.drop_stamp_noise:
            return f"rule {Rule.DROP_STAMP_NOISE.value} is switched off"
        # The reading is usually "" (drop); a stamp tangled with body words keeps those words.
        return _Edit(flag, decision, flag.start, flag.end, replacement, Rule.DROP_STAMP_NOISE.value)
    if action is DecisionAction.ACCEPT and flag.category is FlagCategory.BROKEN_HYPHENATION:
        if not rules.join_hyphenation:
            return f"rule {Rule.JOIN_HYPHENATION.value} is switched off"
        end = flag.end
        if "\n" in flag.text and "\n" not in replacement:
            # Keep the joined word on the first line and the line break after it, so lines stay lines.
            spaces = re.match(r"[ \t]+(?=[^\s])", text[end:])
            if spaces:
                end += spaces.end()
                replacement += "\n"
        return _Edit(flag, decision, flag.start, end, replacement, Rule.JOIN_HYPHENATION.value)
    return _Edit(flag, decision, flag.start, flag.end, replacement)


def correct_page(
    ocr_text: str,
    decided: Iterable[tuple[Flag, Decision]],
    *,
    rules: TranscriptRules | None = None,
    document: str = "",
    page: int = 0,
) -> CorrectedPage:
    """The corrected text of one page from its OCR text and the (flag, decision in force) pairs on it.

    Pure: no I/O. Decisions that cannot be applied (overlap, OCR changed, rule off) are in `skipped`.
    """
    rules = rules or TranscriptRules()
    edits: list[_Edit] = []
    skipped: list[Skipped] = []
    for flag, decision in decided:
        outcome = _edit_for(ocr_text, flag, decision, rules)
        if isinstance(outcome, _Edit):
            edits.append(outcome)
        elif outcome:
            skipped.append(Skipped(flag, decision, outcome))
    _drop_emptied_lines(ocr_text, edits)
    edits.sort(key=lambda e: (e.start, e.end, e.decision.id or 0))
    pieces: list[Piece] = []
    changes: list[Change] = []
    out: list[str] = []
    out_len = 0
    position = 0
    last_applied: _Edit | None = None
    for edit in edits:
        if edit.start < position:
            skipped.append(
                Skipped(edit.flag, edit.decision, f"overlaps flag {last_applied.flag.key if last_applied else '?'}")
            )
            continue
        if edit.start > position:
            chunk = ocr_text[position : edit.start]
            pieces.append(Piece(chunk, position, edit.start))
            out.append(chunk)
            out_len += len(chunk)
        changes.append(
            Change(
                flag=edit.flag,
                decision=edit.decision,
                start=edit.start,
                end=edit.end,
                ocr=ocr_text[edit.start : edit.end],
                replacement=edit.replacement,
                out_start=out_len,
                out_end=out_len + len(edit.replacement),
                rule=edit.rule,
            )
        )
        pieces.append(Piece(edit.replacement, edit.start, edit.end, len(changes) - 1))
        out.append(edit.replacement)
        out_len += len(edit.replacement)
        position = edit.end
        last_applied = edit
    if position < len(ocr_text):
        pieces.append(Piece(ocr_text[position:], position, len(ocr_text)))
        out.append(ocr_text[position:])
    return CorrectedPage(
        document=document,
        page=page,
        ocr_text=ocr_text,
        text="".join(out),
        changes=tuple(changes),
        skipped=tuple(skipped),
        pieces=tuple(pieces),
    )


# -- rules kept in the store -------------------------------------------------------------------------------


def rules_for(store: Store, document: str) -> TranscriptRules:
    """The transcript rules in force for a document (the latest switch per rule; default on)."""
    values = {rule.value: True for rule in Rule}
    for setting in store.rule_settings(document):
        if setting.rule in values:
            values[setting.rule] = setting.enabled
    return TranscriptRules(**values)


def check_rule(rule: Rule | str) -> Rule:
    """The Rule named `rule`; ReviewError listing the rules when there is none of that name."""
    try:
        return Rule(rule)
    except ValueError:
        raise ReviewError(f"unknown transcript rule {rule!r} ({', '.join(r.value for r in Rule)})") from None


def switch_rule(store: Store, document: str, rule: Rule | str, enabled: bool, *, reviewer: str) -> TranscriptRules:
    """Switch an automatic rule on or off for a document (a logged event); returns the rules now in force."""

    rule = check_rule(rule)
    store.append_rule_setting(
        RuleSetting(
            document=document, rule=rule.value, enabled=bool(enabled), reviewer=reviewer_name(reviewer), time=now()
        )
    )
    return rules_for(store, document)


# -- the document ------------------------------------------------------------------------------------------


def correct_document(
    collection: Collection,
    store: Store,
    document_id: str,
    *,
    rules: TranscriptRules | None = None,
    ocr_pages: Sequence[OcrPage] | None = None,
) -> CorrectedDocument:
    """The corrected transcript of a document: its stored OCR with the decisions in force applied.

    `rules` default to the ones in force for the document in the store. InputError when OCR is missing.
    """

    document = collection.document(document_id)
    pages = list(ocr_pages) if ocr_pages is not None else load_ocr_pages(collection, document)
    rules = rules or rules_for(store, document_id)
    by_page: dict[int, list[tuple[Flag, Decision]]] = {}
    for state in flag_states(store, document_id, include_stale=True):
        if state.decision is not None:
            by_page.setdefault(state.flag.page, []).append((state.flag, state.decision))
    corrected = tuple(
        correct_page(page.text, by_page.get(page.number, ()), rules=rules, document=document_id, page=page.number)
        for page in pages
    )
    return CorrectedDocument(document=document_id, pages=corrected, rules=rules, title=document.title)


# -- the corrected transcript scored ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CorrectedEvaluation:
    """The corrected transcript (OCR with the decisions in force) and its scores against the gold."""

    corrected: CorrectedDocument
    evaluation: DocumentEvaluation


def evaluate_corrected(
    collection: Collection,
    store: Store,
    doc_id: str,
    *,
    ocr_pages: Sequence[OcrPage] | None = None,
    options: ComparisonOptions = DEFAULT,
) -> CorrectedEvaluation | None:
    """The corrected transcript (`transcript.correct_document`) scored exactly as the OCR is; None when
    the document has no gold or no decision changes the text yet. `ocr_pages` are the stored OCR pages
    when the caller has read them already."""
    document = collection.document(doc_id)
    if not collection.has_gold(document):
        return None
    corrected = correct_document(collection, store, doc_id, ocr_pages=ocr_pages)
    if corrected.changes == 0:
        return None
    golds = collection.gold_pages(document)
    evaluation = evaluate_texts(
        golds, [page.text for page in corrected.pages], document=doc_id, gold=document.gold or "", options=options
    )
    return CorrectedEvaluation(corrected=corrected, evaluation=evaluation)
