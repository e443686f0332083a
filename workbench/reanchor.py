"""Decisions kept when the OCR of a page is run again: moved onto the new text by alignment, and the ones that
cannot be moved listed with the reason. Nothing is dropped without a word.

A page's stored OCR keeps the text its latest save replaced (`ocr.store.load_previous_text`). A decision in
force whose flag no longer stands on the new text, or a line edit whose line no longer reads as it did, was
made on that previous text; aligning the previous text with the new one (`align.opcodes`) says where it is:
- a flag whose text the new OCR reads unchanged at the aligned place is moved there: the flag at its new
  span is stored and the same decision recorded on it (same reviewer, text and action; a note says it was
  moved), the one on the old span withdrawn;
- a line edit goes to the new line the old one aligns with, when that line reads as the old one did or is
  alike enough (`ReanchorSettings.min_line_similarity`): the reviewer's text is their reading of that line
  on the page, whatever the OCR now makes of it;
- otherwise it is listed, not moved: the new OCR reads the flagged text otherwise (and not as decided), the
  line was split or lost, the place already has a decision of its own, or the decision was made on an OCR
  older than the one replaced.
`plan_page` is pure; `reanchor_document` reads the store and records the moves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from rapidfuzz import fuzz

from workbench.align import opcodes
from workbench.corpus import Collection
from workbench.models import AlignTag, Decision, Flag, OcrPage
from workbench.ocr.store import load_ocr_page, load_previous_text
from workbench.ocrlines import ocr_line_spans
from workbench.review import decide, edit_line, edits_in_force, flag_states, line_state, undo, undo_line
from workbench.review.state import describe_flag, what_it_did
from workbench.store import LineEdit, Store


@dataclass(frozen=True, slots=True)
class ReanchorSettings:
    """How alike (0-1, rapidfuzz's ratio) a new OCR line must be to the old one for a reviewer's text of the
    old line to go onto it: the same physical line read somewhat otherwise, not another line."""

    min_line_similarity: float = 0.6


DEFAULT_SETTINGS = ReanchorSettings()


@dataclass(frozen=True, slots=True)
class FlagMove:
    """A flag decision in force on the previous text: where its flag stands on the new text (`new`), or why
    it cannot be placed (`reason`; `settled` when the new OCR already reads what was decided)."""

    flag: Flag
    decision: Decision
    new: Flag | None = None
    reason: str = ""
    settled: bool = False


@dataclass(frozen=True, slots=True)
class LineMove:
    """A line edit in force on the previous text: the new line it goes to and that line's OCR, or why not."""

    edit: LineEdit
    line: int | None = None
    ocr: str = ""
    reason: str = ""


class _Alignment:
    """Offsets of the previous text mapped onto the new one."""

    def __init__(self, previous: str, current: str):
        self.blocks = opcodes(previous, current)

    def exact(self, offset: int, *, end: bool = False) -> int | None:
        """Where `offset` is in the new text when the text around it is unchanged (None otherwise)."""
        for block in self.blocks:
            if block.tag != AlignTag.EQUAL.value:
                continue
            inside = block.a_start < offset <= block.a_end if end else block.a_start <= offset < block.a_end
            if inside or block.a_start == block.a_end == offset:
                return block.b_start + offset - block.a_start
        return None

    def near(self, offset: int, *, end: bool = False) -> int:
        """Where `offset` is in the new text, a changed run mapped to the whole run it became."""
        exact = self.exact(offset, end=end)
        if exact is not None:
            return exact
        for block in self.blocks:
            if block.a_start <= offset <= block.a_end:
                return block.b_end if end else block.b_start
        return self.blocks[-1].b_end if self.blocks else 0


def _flag_move(alignment: _Alignment, previous: str, current: str, flag: Flag, decision: Decision) -> FlagMove:
    if previous[flag.start : flag.end] != flag.text:
        return FlagMove(flag, decision, reason="decided on an OCR older than the one replaced")
    start, end = alignment.exact(flag.start), alignment.exact(flag.end, end=True)
    if start is not None and end is not None and current[start:end] == flag.text:
        return FlagMove(flag, decision, new=replace(flag, start=start, end=end))
    start, end = alignment.near(flag.start), alignment.near(flag.end, end=True)
    now_reads = current[start:end]
    if decision.text is not None and now_reads == decision.text:
        return FlagMove(flag, decision, reason=f"the new OCR reads {now_reads!r}, as decided", settled=True)
    return FlagMove(flag, decision, reason=f"the new OCR reads {now_reads!r} where the flag read {flag.text!r}")


def _line_move(
    alignment: _Alignment, previous: str, current: str, edit: LineEdit, settings: ReanchorSettings
) -> LineMove:
    old_spans = ocr_line_spans(previous)
    if not 1 <= edit.line <= len(old_spans) or previous[slice(*old_spans[edit.line - 1])] != edit.ocr:
        return LineMove(edit, reason="made on an OCR older than the one replaced")
    old_start, old_end = old_spans[edit.line - 1]
    start, end = alignment.near(old_start), alignment.near(old_end, end=True)
    first, last = current.count("\n", 0, start) + 1, current.count("\n", 0, end) + 1
    if first != last:
        return LineMove(edit, reason=f"the new OCR reads the line as {last - first + 1} lines ({first}-{last})")
    new_start, new_end = ocr_line_spans(current)[first - 1]
    reads = current[new_start:new_end]
    if reads != edit.ocr and fuzz.ratio(reads, edit.ocr) / 100 < settings.min_line_similarity:
        return LineMove(edit, reason=f"the new OCR line {first} reads {reads!r}, unlike the old {edit.ocr!r}")
    return LineMove(edit, line=first, ocr=reads)


def plan_page(
    previous: str,
    current: str,
    decided: Iterable[tuple[Flag, Decision]],
    edits: Iterable[LineEdit],
    *,
    settings: ReanchorSettings = DEFAULT_SETTINGS,
) -> tuple[list[FlagMove], list[LineMove]]:
    """Where the decisions and line edits in force on a page go on its new text. Only those that no longer
    stand on it are planned (the others stand as they are). Pure."""
    alignment = _Alignment(previous, current)
    spans = ocr_line_spans(current)
    flags = [
        _flag_move(alignment, previous, current, flag, decision)
        for flag, decision in decided
        if current[flag.start : flag.end] != flag.text or flag.end > len(current)
    ]
    lines = [
        _line_move(alignment, previous, current, edit, settings)
        for edit in edits
        if not (1 <= edit.line <= len(spans) and current[slice(*spans[edit.line - 1])] == edit.ocr)
    ]
    return flags, lines


@dataclass(frozen=True, slots=True)
class PageReport:
    """What re-anchoring did on one page."""

    page: int
    flags: tuple[FlagMove, ...] = ()
    lines: tuple[LineMove, ...] = ()

    @property
    def unplaced(self) -> list[FlagMove | LineMove]:
        return [m for m in (*self.flags, *self.lines) if (m.reason and not getattr(m, "settled", False))]


def _boxes(page: OcrPage, start: int, end: int):
    return tuple(w.box for w in page.words if w.box is not None and w.start < max(end, start + 1) and w.end > start)


def _note(what: str, decision_time: str) -> str:
    return f"moved onto the new OCR from {what} (decided {decision_time}) when the OCR was run again"


def _move_flags(store: Store, document: str, page: OcrPage, moves: Sequence[FlagMove]) -> list[FlagMove]:
    """Store the moved flags and their decisions (the old ones withdrawn); the moves that met a decision of
    their own at the new place come back with that reason."""
    placed = [m for m in moves if m.new is not None]
    if not placed:
        return list(moves)
    states = {s.key: s for s in flag_states(store, document, include_stale=True)}
    result, new_flags = [], []
    for move in moves:
        if move.new is None:
            result.append(move)
            continue
        new = replace(move.new, boxes=_boxes(page, move.new.start, move.new.end) or move.flag.boxes)
        existing = states.get(new.key)
        if existing is not None and existing.decision is not None:
            result.append(replace(move, new=None, reason=f"flag {new.key} on the new text is decided already"))
            continue
        result.append(replace(move, new=new))
        if existing is None:
            new_flags.append(new)
    if new_flags:
        # The store takes a snapshot per flag source: the live flags of those sources go in with the new ones.
        sources = {f.source for f in new_flags}
        live = [s.flag for s in states.values() if not s.stale and s.flag.source in sources]
        store.sync_flags(document, [*live, *new_flags], sources=sources)
    versions = {s.flag.key: s.version for s in store.flags(document)}
    for move in result:
        if move.new is None:
            continue
        old, decision = move.flag, move.decision
        # the reviewer's decision, carried over in their name with a note saying so; then withdrawn where
        # it was, so the old span (which no longer holds the text) is not reported as a decision left out
        decide(store, document, move.new.key, action=decision.action, reviewer=decision.reviewer,
               version=versions[move.new.key], text=decision.text, note=_note(f"flag {old.key}", decision.time))
        undo(store, document, old.key, reviewer=decision.reviewer, version=versions[old.key],
             note=f"moved onto flag {move.new.key} of the new OCR")
    return result


def _move_lines(store: Store, document: str, number: int, moves: Sequence[LineMove]) -> list[LineMove]:
    result = []
    for move in moves:
        if move.line is None:
            result.append(move)
            continue
        state = line_state(store, document, number, move.line)
        if state.edit is not None and move.line != move.edit.line:
            result.append(replace(move, line=None, reason=f"line {move.line} of the new OCR has an edit of its own"))
            continue
        edit = move.edit
        if move.line != edit.line:
            old = line_state(store, document, number, edit.line)
            undo_line(store, document, number, edit.line, reviewer=edit.reviewer, version=old.version,
                      note=f"moved onto line {move.line} of the new OCR")
            state = line_state(store, document, number, move.line)
        edit_line(store, document, number, move.line, ocr=move.ocr, before=move.ocr, text=edit.text or "",
                  reviewer=edit.reviewer, version=state.version, note=_note(f"line {edit.line}", edit.time))
        result.append(move)
    return result


def reanchor_document(
    collection: Collection, store: Store, document_id: str, *, settings: ReanchorSettings = DEFAULT_SETTINGS
) -> list[PageReport]:
    """Move the decisions and line edits of every page whose OCR changed onto its new text (see the module's
    docstring); one report a page that had any to move."""
    document = collection.document(document_id)
    in_force = edits_in_force(store, document_id)
    reports = []
    for ref in document.pages:
        previous = load_previous_text(collection, document_id, ref.number)
        if previous is None:
            continue
        page = load_ocr_page(collection, document_id, ref.number)
        decided = [
            (s.flag, s.decision)
            for s in flag_states(store, document_id, page=ref.number, include_stale=True)
            if s.decision is not None
        ]
        flags, lines = plan_page(previous, page.text, decided, in_force.get(ref.number, ()), settings=settings)
        if not (flags or lines):
            continue
        flags = _move_flags(store, document_id, page, flags)
        lines = _move_lines(store, document_id, ref.number, lines)
        reports.append(PageReport(ref.number, tuple(flags), tuple(lines)))
    return reports


def summary(document: str, reports: Sequence[PageReport]) -> list[str]:
    """What re-anchoring did, in plain words: one line of counts, then every decision it could not place
    (page, what, why); the same for `review --reanchor` and for the OCR commands that run it."""
    moved = sum(1 for r in reports for m in (*r.flags, *r.lines) if not m.reason)
    settled = sum(1 for r in reports for m in r.flags if m.settled)
    unplaced = [(r.page, m) for r in reports for m in r.unplaced]
    lines = [
        f"{document}: {moved} decision(s) moved onto the new OCR, {settled} already read as decided, "
        f"{len(unplaced)} could not be placed"
    ]
    for page, move in unplaced:
        if isinstance(move, FlagMove):
            what = f"{describe_flag(move.flag)}: {what_it_did(move.decision)}"
        else:
            what = f"line {move.edit.line} ({move.edit.reviewer} made it read {move.edit.text!r})"
        lines.append(f"  page {page}: {what}: not placed, {move.reason}")
    return lines


def reanchor_if_reviewed(collection: Collection, store: Store, document_id: str) -> list[str]:
    """After the OCR of `document_id` was run or imported again: re-anchor its decisions when the store holds
    any for it (the summary lines), else nothing (a document nobody reviewed has nothing to move)."""
    if document_id not in store.documents():
        return []
    return summary(document_id, reanchor_document(collection, store, document_id))
