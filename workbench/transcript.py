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

Deleted noise (an accepted stamp or stray character read as "") takes with it what it would leave behind:
the line it empties (with its line break), the blank lines it would leave at the top of the page, and the
spaces it would leave at the start or end of its line.

A line edit (`review.lines`) replaces a whole OCR line with a reviewer's text. It settles the flag
decisions touching that line (`settled`: the reviewer's text already says what the line reads, so no flag
is applied on top of it; the rule is `review.lines.settles`, which the review queue follows too), except
a decision made after the edit on words the reviewer's text kept as the OCR read them, which applies too
(the later decision is never lost, and nothing is applied twice). A line edit whose OCR line changed since
is left out (`skipped_lines`). An edit to an empty text removes the line with its line break, as dropped
noise does.

Overlapping decisions are never merged into garbled text: the first (by position) is applied, the other is
reported in `skipped` with the reason, as is a flag whose span no longer holds the text it flagged.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from workbench.corpus import Collection
from workbench.errors import InputError, ReviewError
from workbench.evaluate import DocumentEvaluation, evaluate_texts
from workbench.models import Decision, DecisionAction, Flag, FlagCategory, OcrPage
from workbench.normalize import DEFAULT, ComparisonOptions
from workbench.ocr.store import load_ocr_page, load_ocr_pages
from workbench.ocrlines import ocr_line_spans
from workbench.review import (
    QueueFilter,
    edit_line,
    edits_in_force,
    flag_states,
    line_state,
    queue,
    reviewer_name,
)
from workbench.review.lines import (
    EditedLine,
    LineConflict,
    check_line_text,
    edited_lines,
    fold_lines,
    settling_line,
)
from workbench.store import LineEdit, RuleSetting, Store, now

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
    corrected text. `rule` names the automatic rule that shaped it, if any.

    It comes from a flag's decision (`flag`, `decision`) or from a line edit (`line_edit`; `flag` and
    `decision` None): a line edit is applied as the differing runs between the OCR line and the reviewer's
    text, one Change each, so the words it leaves alone still map to their OCR words character for character.
    """

    flag: Flag | None
    decision: Decision | None
    start: int
    end: int
    ocr: str
    replacement: str
    out_start: int
    out_end: int
    rule: str | None = None
    line_edit: LineEdit | None = None


@dataclass(frozen=True, slots=True)
class Skipped:
    """A decision in force that was not applied, and why."""

    flag: Flag
    decision: Decision
    reason: str


@dataclass(frozen=True, slots=True)
class SkippedLine:
    """A line edit in force that was not applied, and why."""

    edit: LineEdit
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
    line_edits: tuple[LineEdit, ...] = ()  # the line edits applied, in line order
    settled: tuple[Skipped, ...] = ()  # flag decisions a line edit of their line settles
    skipped_lines: tuple[SkippedLine, ...] = ()

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
    flag: Flag | None
    decision: Decision | None
    start: int
    end: int
    replacement: str
    rule: str | None = None
    drops_line: bool = False  # deleted noise: takes the line it empties and the spaces it leaves with it
    line_edit: LineEdit | None = None


def _line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """[first, last) of the lines holding text[start:end], without the final newline."""
    first = text.rfind("\n", 0, start) + 1
    last = text.find("\n", end)
    return first, (len(text) if last == -1 else last)


_SPACES_AFTER = re.compile(r"[ \t]+")
_BLANK_LINES = re.compile(r"(?:[ \t]*\n)+")


def _trim_spaces(text: str, edit: _Edit) -> None:
    """Widen a deletion of noise over the spaces it would leave at the start or the end of its line."""
    first, last = _line_bounds(text, edit.start, edit.end)
    if not text[first : edit.start].strip():
        spaces = _SPACES_AFTER.match(text, edit.end, last)
        if spaces:
            edit.end = spaces.end()
    elif not text[edit.end : last].strip():
        edit.start = first + len(text[first : edit.start].rstrip(" \t"))


def _drop_emptied_lines(text: str, edits: list[_Edit]) -> None:
    """Widen deletions of noise so a line holding nothing but deleted noise goes with its newline (and the
    blank lines after it when it opened the page), and one beside other text takes the spaces it leaves."""
    drops = sorted((e for e in edits if e.drops_line and not e.replacement.strip()), key=lambda e: e.start)
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
            for edit in group:
                _trim_spaces(text, edit)  # the line keeps other text: drop the noise and the spaces it leaves
            continue
        if last < len(text):
            last += 1  # the line's newline
            # A stamp line between two blank lines would leave two blank lines: take one with it.
            blank_before = first >= 1 and text[first - 1] == "\n" and (first == 1 or text[first - 2] == "\n")
            if blank_before and text[last : last + 1] == "\n":
                last += 1
            elif first == 0 and (blank := _BLANK_LINES.match(text, last)):
                last = blank.end()  # the page's first line: no blank lines left at its top
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
        return _Edit(flag, decision, flag.start, flag.end, replacement, Rule.DROP_STAMP_NOISE.value, drops_line=True)
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
    noise = flag.category is FlagCategory.STRAY_CHAR and action is DecisionAction.ACCEPT
    return _Edit(flag, decision, flag.start, flag.end, replacement, drops_line=noise)


def _line_edit_parts(line: EditedLine) -> list[_Edit]:
    """A line edit as the differing runs between the OCR line and the reviewer's text (`lines.edited_lines`);
    an emptied line goes with its line break, as dropped noise does."""
    return [
        _Edit(None, None, run.start, run.end, run.text, drops_line=line.empties, line_edit=line.edit)
        for run in line.runs
    ]


def _what(edit: _Edit | None) -> str:
    if edit is None:
        return "another change"
    if edit.flag is None and edit.line_edit is not None:
        return f"the reviewer's text of line {edit.line_edit.line}"
    return f"flag {edit.flag.key}"


@dataclass(frozen=True, slots=True)
class _EditedLine:
    line: EditedLine
    parts: tuple[_Edit, ...]


def _settle(edits: list[_Edit], edited: Sequence[_EditedLine], settled: list[Skipped]) -> list[_Edit]:
    """The flag edits no line edit settles (`lines.settles`, the rule the review queue follows too); the
    others go to `settled`."""
    kept = []
    for edit in edits:
        decided_at = edit.decision.time if edit.decision is not None else None
        line = settling_line([e.line for e in edited], edit.start, edit.end, decided_at=decided_at)
        if line is None:
            kept.append(edit)
        else:
            reason = f"settled by the reviewer's text of line {line.edit.line}"
            settled.append(Skipped(edit.flag, edit.decision, reason))
    return kept


def correct_page(
    ocr_text: str,
    decided: Iterable[tuple[Flag, Decision]],
    *,
    rules: TranscriptRules | None = None,
    document: str = "",
    page: int = 0,
    line_edits: Iterable[LineEdit] = (),
) -> CorrectedPage:
    """The corrected text of one page from its OCR text, the (flag, decision in force) pairs on it and the
    line edits in force on it.

    Pure: no I/O. Decisions that cannot be applied (overlap, OCR changed, rule off) are in `skipped`; those
    a line edit settles in `settled`; line edits whose OCR line changed in `skipped_lines`.
    """
    rules = rules or TranscriptRules()
    edits: list[_Edit] = []
    skipped: list[Skipped] = []
    settled: list[Skipped] = []
    applied, left_out = edited_lines(ocr_text, line_edits)
    edited = [_EditedLine(line, tuple(_line_edit_parts(line))) for line in applied]
    applied_lines = [line.edit for line in applied]
    skipped_lines = [SkippedLine(edit, reason) for edit, reason in left_out]
    for flag, decision in decided:
        outcome = _edit_for(ocr_text, flag, decision, rules)
        if isinstance(outcome, _Edit):
            edits.append(outcome)
        elif outcome:
            skipped.append(Skipped(flag, decision, outcome))
    edits = _settle(edits, edited, settled)
    for line in edited:
        edits.extend(line.parts)
    _drop_emptied_lines(ocr_text, edits)
    edits = [e for e in edits if e.flag is None] + _settle([e for e in edits if e.flag is not None], edited, settled)
    edits.sort(key=lambda e: (e.start, e.end, e.decision.id if e.decision is not None else 0))
    pieces: list[Piece] = []
    changes: list[Change] = []
    out: list[str] = []
    out_len = 0
    position = 0
    last_applied: _Edit | None = None
    for edit in edits:
        if edit.start < position:
            reason = f"overlaps {_what(last_applied)}"
            if edit.line_edit is not None:
                if all(s.edit is not edit.line_edit for s in skipped_lines):
                    skipped_lines.append(SkippedLine(edit.line_edit, reason))
            else:
                skipped.append(Skipped(edit.flag, edit.decision, reason))
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
                line_edit=edit.line_edit,
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
        line_edits=tuple(applied_lines),
        settled=tuple(settled),
        skipped_lines=tuple(skipped_lines),
    )


# -- rules kept in the store -------------------------------------------------------------------------------


def rules_for(store: Store, document: str) -> TranscriptRules:
    """The transcript rules in force for a document (the latest switch per rule; default on)."""
    return rules_of(store.rule_settings(document))


def rules_of(settings: Iterable[RuleSetting]) -> TranscriptRules:
    """The transcript rules a document's rule switches (oldest first) leave in force; default on."""
    values = {rule.value: True for rule in Rule}
    for setting in settings:
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
    lines_by_page = edits_in_force(store, document_id)
    corrected = tuple(
        correct_page(
            page.text, by_page.get(page.number, ()), rules=rules, document=document_id, page=page.number,
            line_edits=lines_by_page.get(page.number, ()),
        )
        for page in pages
    )
    return CorrectedDocument(document=document_id, pages=corrected, rules=rules, title=document.title)


# -- one line at a time (the Transcribe page, `workbench correct`) ------------------------------------------


@dataclass(frozen=True, slots=True)
class TranscribedLine:
    """One OCR line as a reviewer transcribing it sees it: its number (1-based), the OCR line, what it reads
    now (the reviewer's text in force, else the OCR with the flag decisions inside the line applied), the
    line edit in force and the version the next edit must be made against."""

    number: int
    ocr: str
    text: str
    edit: LineEdit | None = None
    version: int = 0

    @property
    def edited(self) -> bool:
        return self.edit is not None


def transcribed_lines(
    ocr_text: str,
    decided: Iterable[tuple[Flag, Decision]],
    line_edits: Iterable[LineEdit] = (),
    *,
    versions: dict[int, int] | None = None,
    rules: TranscriptRules | None = None,
) -> list[TranscribedLine]:
    """Every OCR line of a page as it reads now. Pure: a flag decision counts for the line when its span
    lies inside the line (one spanning lines, a joined hyphenation, shows on neither); a line edit whose
    OCR line changed since does not count. `versions` are the lines' event counts (default 0)."""
    rules = rules or TranscriptRules()
    spans = ocr_line_spans(ocr_text)
    edits = {e.line: e for e in line_edits}
    inside: dict[int, list[tuple[Flag, Decision]]] = {}
    for flag, decision in decided:
        first = ocr_text.count("\n", 0, flag.start)
        if 0 <= flag.start <= flag.end <= len(ocr_text) and "\n" not in ocr_text[flag.start : flag.end]:
            start = spans[first][0]
            inside.setdefault(first + 1, []).append(
                (replace(flag, start=flag.start - start, end=flag.end - start), decision)
            )
    result = []
    for number, (start, end) in enumerate(spans, start=1):
        ocr = ocr_text[start:end]
        edit = edits.get(number)
        if edit is not None and edit.ocr != ocr:
            edit = None
        if edit is not None or number in inside:
            # The line alone, as the page's transcript makes it (the same rules, edits and flags).
            alone = [replace(edit, line=1)] if edit is not None else []
            text = correct_page(ocr, inside.get(number, ()), rules=rules, line_edits=alone).text
        else:
            text = ocr
        result.append(TranscribedLine(number, ocr, text, edit, (versions or {}).get(number, 0)))
    return result


def page_lines(store: Store, ocr: OcrPage) -> list[TranscribedLine]:
    """`transcribed_lines` of a stored OCR page, from the decisions and line edits in the store: one read of
    the page's records (`Store.page_records`: its flags alone, so a long document costs no more than a
    short one)."""
    document, number = ocr.document, ocr.number
    records = store.page_records(document, number)
    states = queue(records.flags, records.decisions, QueueFilter(include_stale=True)).items
    decided = [(s.flag, s.decision) for s in states if s.decision is not None]
    lines = fold_lines(document, records.line_edits)
    in_force = [state.edit for state in lines.values() if state.edit is not None]
    versions = {line: state.version for (_page, line), state in lines.items()}
    return transcribed_lines(ocr.text, decided, in_force, versions=versions, rules=rules_of(records.rule_settings))


def correct_line(
    collection: Collection,
    store: Store,
    document_id: str,
    page: int,
    line: int,
    text: str,
    *,
    reviewer: str,
    expect: str | None = None,
    version: int | None = None,
    note: str = "",
    ocr: OcrPage | None = None,
) -> LineEdit:
    """Replace OCR line `line` (1-based, as in transcripts/ocr/DOC/page-NNN.txt) of a page with `text`, a
    logged line edit; returns the event. `ocr` is the page's stored OCR when the caller has read it already
    (the Transcribe page keeps it cached on the document's checksum); otherwise it is read here.

    `expect` is the line as the reviewer last saw it and `version` its version then: when the line reads
    otherwise now, or was edited since, LineConflict (exit 2 in the CLI) and nothing is written. Without
    them the edit is made against the line as it is. InputError when the page has no OCR; ReviewError when
    it has no such line.
    """
    if page < 1:
        raise ReviewError(f"{document_id}: no page {page} (pages start at 1)")
    try:
        if ocr is None or (ocr.document, ocr.number) != (document_id, page):
            ocr = load_ocr_page(collection, document_id, page)
    except InputError:
        # Read the manifest (a 500-page one takes milliseconds) only to say which is wrong: page or OCR.
        document = collection.document(document_id)
        if page > document.page_count:
            raise ReviewError(f"{document_id}: no page {page} (it has {document.page_count})") from None
        raise
    lines = page_lines(store, ocr)
    if not 1 <= line <= len(lines):
        raise ReviewError(f"{document_id} page {page}: no line {line} (its OCR text has {len(lines)} lines)")
    current = lines[line - 1]
    check_line_text(text)
    if expect is not None and expect != current.text:
        state = line_state(store, document_id, page, line)
        who = f" ({state.edit.reviewer} at {state.edit.time})" if state.edit is not None else ""
        raise LineConflict(
            f"{document_id} page {page} line {line} now reads {current.text!r}{who}, not {expect!r}; "
            "your text was not saved",
            state.edit,
            state.version,
        )
    return edit_line(
        store, document_id, page, line, ocr=current.ocr, before=current.text, text=text, reviewer=reviewer,
        version=current.version if version is None else version, note=note,
    )


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
