"""The corrected transcript: the OCR text with the reviewers' decisions applied, and its exporters.

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

Exports: plain text (pages separated by a form feed), JSON with the provenance of every change (flag,
decision, reviewer, time), and ALTO v4 XML with the corrected words in the boxes of the OCR words they
came from.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from lxml import etree

from workbench import __version__
from workbench.corpus import Collection, page_stem
from workbench.errors import InputError, ReviewError
from workbench.fsutil import atomic_write_bytes, atomic_write_text
from workbench.images import image_size
from workbench.models import Box, Decision, DecisionAction, Document, Flag, FlagCategory, OcrPage, OcrWord
from workbench.ocr.importers import declared_page_size
from workbench.ocr.store import load_ocr_pages
from workbench.review import flag_states, reviewer_name
from workbench.store import RuleSetting, Store, now

ALTO_NS = "http://www.loc.gov/standards/alto/ns-v4#"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
ALTO_SCHEMA = "http://www.loc.gov/standards/alto/v4/alto-4-2.xsd"
FORMATS = ("txt", "json", "alto")
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
        return PAGE_SEPARATOR.join(_with_newline(p.text) for p in self.pages)

    @property
    def changes(self) -> int:
        return sum(len(p.changes) for p in self.pages)


def _with_newline(text: str) -> str:
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


# -- exporters ---------------------------------------------------------------------------------------------


def _decision_json(decision: Decision) -> dict:
    return {
        "id": decision.id,
        "action": decision.action.value,
        "text": decision.text,
        "reviewer": decision.reviewer,
        "time": decision.time,
        "note": decision.note,
        "batch": decision.batch,
    }


def to_json(corrected: CorrectedDocument) -> dict:
    """The corrected transcript as a JSON-ready dict: per page the text, every change with its flag and
    decision (who, when), and the decisions left out with the reason."""
    return {
        "document": corrected.document,
        "title": corrected.title,
        "generated": now(),
        "generator": f"ocr-workbench {__version__}",
        "rules": {rule.value: corrected.rules.enabled(rule) for rule in Rule},
        "pages": [
            {
                "page": page.page,
                "text": page.text,
                "changes": [
                    {
                        "flag": change.flag.key,
                        "category": change.flag.category.value,
                        "source": change.flag.source.value,
                        "ocr_span": [change.start, change.end],
                        "ocr": change.ocr,
                        "replacement": change.replacement,
                        "corrected_span": [change.out_start, change.out_end],
                        "rule": change.rule,
                        "decision": _decision_json(change.decision),
                    }
                    for change in page.changes
                ],
                "skipped": [
                    {"flag": s.flag.key, "reason": s.reason, "decision": _decision_json(s.decision)}
                    for s in page.skipped
                ],
            }
            for page in corrected.pages
        ],
        "text": corrected.text,
    }


def _union(boxes: Iterable[Box | None]) -> Box | None:
    result = None
    for box in boxes:
        if box is not None:
            result = box if result is None else result.union(box)
    return result


def _set_box(element, box: Box | None) -> None:
    if box is not None:
        element.set("HPOS", str(box.left))
        element.set("VPOS", str(box.top))
        element.set("WIDTH", str(box.width))
        element.set("HEIGHT", str(box.height))


def _alto_page(layout, page: CorrectedPage, words: Sequence[OcrWord], *, size: tuple[int, int] | None):
    def sub(parent, name: str, **attrs):
        return etree.SubElement(parent, f"{{{ALTO_NS}}}{name}", {k: str(v) for k, v in attrs.items()})

    prefix = f"p{page.page}"
    page_el = sub(layout, "Page", ID=f"page_{page.page}", PHYSICAL_IMG_NR=page.page)
    space = sub(page_el, "PrintSpace")
    if size is not None:
        for element in (page_el, space):
            element.set("WIDTH", str(size[0]))
            element.set("HEIGHT", str(size[1]))
        space.set("HPOS", "0")
        space.set("VPOS", "0")
    else:
        # No scan and no size from the OCR source: the page's size is unknown and is not made up, but
        # the words' boxes (when there are any) still say where the printed area is.
        _set_box(space, _union(w.box for w in words))
    text = page.text
    blocks: list[list[tuple[int, int]]] = [[]]  # runs of non-blank lines; blank lines separate blocks
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            blocks[-1].append((offset, offset + len(line)))
        elif blocks[-1]:
            blocks.append([])
        offset += len(line) + 1
    counters = {"block": 0, "line": 0, "word": 0}
    for block in (b for b in blocks if b):
        counters["block"] += 1
        block_el = sub(space, "TextBlock", ID=f"{prefix}_b{counters['block']}")
        block_boxes = []
        for line_start, line_end in block:
            counters["line"] += 1
            line_el = sub(block_el, "TextLine", ID=f"{prefix}_l{counters['line']}")
            line_boxes = []
            tokens = list(re.finditer(r"\S+", text[line_start:line_end]))
            for index, token in enumerate(tokens):
                start, end = line_start + token.start(), line_start + token.end()
                src_start, src_end = page.source_span(start, end)
                sources = [w for w in words if w.start < src_end and w.end > src_start]
                changes = page.change_at(start, end)
                box = _union(w.box for w in sources) or _union(b for c in changes for b in c.flag.boxes)
                counters["word"] += 1
                string = sub(line_el, "String", ID=f"{prefix}_w{counters['word']}", CONTENT=token.group())
                _set_box(string, box)
                if changes:
                    string.set("CS", "true")  # ALTO's correction status: a reviewer changed this word
                elif len(sources) == 1 and sources[0].conf is not None and sources[0].text == token.group():
                    string.set("WC", f"{max(0.0, min(100.0, sources[0].conf)) / 100:.2f}")
                line_boxes.append(box)
                if index < len(tokens) - 1:
                    sub(line_el, "SP")
            line_box = _union(line_boxes)
            _set_box(line_el, line_box)
            block_boxes.append(line_box)
        _set_box(block_el, _union(block_boxes))
    return page_el


def to_alto(
    corrected: CorrectedDocument,
    ocr_pages: Sequence[OcrPage],
    *,
    pages: Sequence[int] | None = None,
    image_sizes: dict[int, tuple[int, int]] | None = None,
    image_names: dict[int, str] | None = None,
) -> bytes:
    """ALTO v4 XML (UTF-8 bytes) of the corrected transcript: one Page per page (or those in `pages`),
    words in the union of the boxes of the OCR words they came from, corrected words marked CS="true"."""

    words = {p.number: p.words for p in ocr_pages}
    chosen = [p for p in corrected.pages if pages is None or p.page in pages]
    root = etree.Element(f"{{{ALTO_NS}}}alto", nsmap={None: ALTO_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{ALTO_NS} {ALTO_SCHEMA}")
    description = etree.SubElement(root, f"{{{ALTO_NS}}}Description")
    etree.SubElement(description, f"{{{ALTO_NS}}}MeasurementUnit").text = "pixel"
    if image_names and len(chosen) == 1 and chosen[0].page in image_names:
        info = etree.SubElement(description, f"{{{ALTO_NS}}}sourceImageInformation")
        etree.SubElement(info, f"{{{ALTO_NS}}}fileName").text = image_names[chosen[0].page]
    processing = etree.SubElement(description, f"{{{ALTO_NS}}}Processing", ID="review")
    etree.SubElement(processing, f"{{{ALTO_NS}}}processingCategory").text = "contentModification"
    etree.SubElement(processing, f"{{{ALTO_NS}}}processingDateTime").text = now()
    etree.SubElement(processing, f"{{{ALTO_NS}}}processingStepDescription").text = (
        f"OCR of {corrected.document} corrected by reviewers' decisions"
    )
    software = etree.SubElement(processing, f"{{{ALTO_NS}}}processingSoftware")
    etree.SubElement(software, f"{{{ALTO_NS}}}softwareName").text = "ocr-workbench"
    etree.SubElement(software, f"{{{ALTO_NS}}}softwareVersion").text = __version__
    layout = etree.SubElement(root, f"{{{ALTO_NS}}}Layout")
    for page in chosen:
        size = (image_sizes or {}).get(page.page)
        _alto_page(layout, page, words.get(page.page, ()), size=size)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _image_sizes(
    document: Document, ocr_pages: Sequence[OcrPage] = ()
) -> tuple[dict[int, tuple[int, int]], dict[int, str]]:
    """Each page's (width, height) in pixels and scan file name: from the scan when there is one, else
    the size the imported OCR declared for the page (no name then); pages with neither are left out."""

    sizes, names = {}, {}
    for ref in document.pages:
        size = image_size(ref.scan) if ref.scan is not None else None
        if size is not None:
            sizes[ref.number] = size
            names[ref.number] = ref.scan.name
    for page in ocr_pages:
        declared = declared_page_size(page)
        if page.number not in sizes and declared is not None:
            sizes[page.number] = declared
    return sizes, names


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What an export produced: the files written (none when it went to standard output) and the content."""

    format: str
    paths: tuple[Path, ...]
    content: str | bytes
    corrected: CorrectedDocument


def export(
    collection: Collection,
    store: Store,
    document_id: str,
    *,
    format: str,
    out: Path | str | None = None,
    rules: TranscriptRules | None = None,
) -> ExportResult:
    """Export a document's corrected transcript as txt, json or alto.

    With `out` None nothing is written; `content` holds the whole document (the CLI prints it). When `out`
    is an existing folder or ends with a slash, one file per page goes there (page-NNN.txt /
    page-NNN.alto.xml) plus the whole document (DOC.txt / DOC.json / DOC.alto.xml); otherwise the whole
    document is written to `out`. Every file is written atomically.
    """
    if format not in FORMATS:
        raise InputError(f"export {document_id}: unknown format {format!r} ({', '.join(FORMATS)})")
    document = collection.document(document_id)

    ocr_pages = load_ocr_pages(collection, document)
    corrected = correct_document(collection, store, document_id, rules=rules, ocr_pages=ocr_pages)
    sizes, names = _image_sizes(document, ocr_pages) if format == "alto" else ({}, {})

    def whole() -> str | bytes:
        if format == "txt":
            return corrected.text
        if format == "json":
            return json.dumps(to_json(corrected), indent=2, ensure_ascii=False) + "\n"
        return to_alto(corrected, ocr_pages, image_sizes=sizes, image_names=names)

    content = whole()
    paths: list[Path] = []
    if out is not None:
        as_folder = str(out).endswith(("/", "\\")) or Path(out).is_dir()
        out = Path(out)
        suffix = {"txt": ".txt", "json": ".json", "alto": ".alto.xml"}[format]
        if as_folder:
            if format == "txt":
                for page in corrected.pages:
                    path = out / f"{page_stem(page.page)}.txt"
                    atomic_write_text(path, _with_newline(page.text))
                    paths.append(path)
            elif format == "alto":
                for page in corrected.pages:
                    path = out / f"{page_stem(page.page)}.alto.xml"
                    atomic_write_bytes(
                        path, to_alto(corrected, ocr_pages, pages=[page.page], image_sizes=sizes, image_names=names)
                    )
                    paths.append(path)
            target = out / f"{document_id}{suffix}"
        else:
            target = out
        if isinstance(content, bytes):
            atomic_write_bytes(target, content)
        else:
            atomic_write_text(target, content)
        paths.append(target)
    return ExportResult(format=format, paths=tuple(paths), content=content, corrected=corrected)
