"""What the workbench pages show, computed in plain Python (no Streamlit) from the `workbench` package.

The pages only lay out what these functions return, so everything here is testable without a browser.
Nothing here decides anything about OCR: it composes the package's records into rows and tables.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from workbench import settings
from workbench.corpus import Collection
from workbench.evaluate import evaluate_document, evaluation_dict
from workbench.flags import evaluate_document as evaluate_flags_of_document
from workbench.flags import flag_document
from workbench.learning import revise_flags
from workbench.linediff import Line, page_lines
from workbench.models import Box, Document, Flag, FlagCategory, FlagSource, GoldPage, OcrPage
from workbench.ocr.store import has_ocr, load_ocr_page, load_ocr_pages, text_path
from workbench.review import reviewed_flag_source
from workbench.transcript import evaluate_corrected

# --- records the pages draw ------------------------------------------------------------------------

# One colour per flag category, chosen to stay apart for the common colour-vision deficiencies
# (Okabe-Ito palette plus two greys); the legend on the Compare page uses the same table.
CATEGORY_COLOURS: dict[str, str] = {
    FlagCategory.STAMP_NOISE.value: "#CC79A7",
    FlagCategory.BROKEN_HYPHENATION.value: "#E69F00",
    FlagCategory.STRAY_CHAR.value: "#56B4E9",
    FlagCategory.MISREAD_WORD.value: "#D55E00",
    FlagCategory.SPLIT_WORD.value: "#009E73",
    FlagCategory.MERGED_WORDS.value: "#0072B2",
    FlagCategory.MISSING_TEXT.value: "#F0E442",
    FlagCategory.CASE_OR_PUNCTUATION.value: "#7F7F7F",
}
WORD_COLOUR = "#B0B0B0"  # an unflagged word
SELECTED_COLOUR = "#000000"  # the selected line or the word under review


@dataclass(frozen=True, slots=True)
class BoxStyle:
    """One rectangle to draw: where, in which colour, how thick (pixels of the original scan)."""

    box: Box
    colour: str
    width: int = 2


def collection() -> Collection:
    """The collection at WORKBENCH_HOME (`settings.home`), its absolute folder found once per setting and
    working folder: resolving it asks the file system about every folder on the way, on every rerun."""
    return _collection_at(settings.get("WORKBENCH_HOME"), os.getcwd())


@lru_cache(maxsize=64)
def _collection_at(home: str, cwd: str) -> Collection:
    return Collection.default()


# A review store's URL opening a message ("sqlite:////srv/wb/workbench.db: cannot read ..."), and an absolute
# path's folders ("/tmp/workbench-upload-x1/" of "/tmp/workbench-upload-x1/scan.pdf"), not inside a URL.
_STORE_URL = re.compile(r"^(?:sqlite|postgresql)[\w+]*:\S*: ")
_SERVER_FOLDERS = re.compile(r"(?<![\w:/.~-])/(?:[^\s/'\"():,;]+/)+")


def public_message(message: str) -> str:
    """An error message as a web user sees it: no server paths. The review store is not named by its URL,
    a file of the collection is named from the collection's folder (scans/doc/page-001.png), and any other
    file by its name alone. The command line keeps the full message."""
    message = _STORE_URL.sub("", message)
    home = str(settings.home())
    message = message.replace(f"{home}/", "").replace(home, "the collection")
    return _SERVER_FOLDERS.sub("", message)


def default_document(document_ids: Sequence[str]) -> str | None:
    """The document the app opens first: WORKBENCH_DOCUMENT (or one of its scan variants) when present,
    else the first document."""
    preferred = settings.get("WORKBENCH_DOCUMENT")
    if preferred in document_ids:
        return preferred
    variants = [d for d in document_ids if preferred and d.startswith(f"{preferred}-")]
    if variants:
        return variants[0]
    return document_ids[0] if document_ids else None


# --- documents -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentRow:
    """One line of the collection table."""

    id: str
    title: str
    pages: int
    variant: str
    gold: bool
    scans: bool
    ocr: bool


def document_rows(collection: Collection) -> list[DocumentRow]:
    """A row per document: pages, scan variant, whether gold, scans and OCR are present."""

    rows = []
    for document in collection.documents():
        rows.append(
            DocumentRow(
                id=document.id,
                title=document.title,
                pages=document.page_count,
                variant=document.variant,
                gold=collection.has_gold(document),
                scans=all(p.scan is not None and p.scan.exists() for p in document.pages),
                ocr=has_ocr(collection, document),
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class PageRow:
    """One line of a document's page table: what is present, the review status, CER and open flags."""

    number: int
    scan_present: bool
    ocr: bool
    status: str = ""
    cer: float | None = None  # fraction of gold grapheme clusters, None without gold or OCR
    open_flags: int | None = None


def page_rows(
    collection: Collection,
    document: Document,
    *,
    progress=None,
    cer: dict[int, float] | None = None,
) -> list[PageRow]:
    """A row per page of `document`: scan and OCR present, review status and open flags (from a
    `review.ReviewProgress`, when given) and CER (fractions by page, when the document has gold and OCR)."""

    by_page = {p.page: p for p in progress.pages} if progress is not None else {}
    rows = []
    for page in document.pages:
        done = by_page.get(page.number)
        rows.append(
            PageRow(
                number=page.number,
                scan_present=page.scan is not None and page.scan.exists(),
                ocr=text_path(collection, document.id, page.number).exists(),
                status=done.status.value.replace("_", " ") if done is not None else "",
                cer=(cer or {}).get(page.number),
                open_flags=done.open if done is not None else None,
            )
        )
    return rows


def evaluation(collection: Collection, document: Document) -> dict | None:
    """The OCR scored against the gold (`evaluate.evaluation_dict` of `evaluate.evaluate_document`: document,
    pages, confusions; rates as fractions); None when the document lacks gold or OCR of some page."""

    if not collection.has_gold(document) or not has_ocr(collection, document):
        return None
    return evaluation_dict(evaluate_document(collection, document.id), top=30)


def page_cer(scores: dict | None) -> dict[int, float]:
    """CER by page (fractions) from an `evaluation`; empty without one."""
    return {row["page"]: row["cer"] for row in (scores or {}).get("pages", ()) if row["cer"] is not None}


def corrected_evaluation(collection: Collection, store, document: Document) -> dict | None:
    """The corrected transcript scored like the OCR (`transcript.evaluate_corrected`, as evaluation_dict);
    None without gold or OCR, or while no decision changes the text."""

    if not has_ocr(collection, document):
        return None
    scored = evaluate_corrected(collection, store, document.id)
    return evaluation_dict(scored.evaluation) if scored is not None else None


# --- compare: one page -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PageComparison:
    """One page as the Compare page shows it: OCR and gold (either may be missing) and their diff rows."""

    document: str
    number: int
    ocr: OcrPage | None
    gold: GoldPage | None
    rows: tuple[Line, ...]  # one per OCR line (`linediff.page_lines`)

    @property
    def lines(self) -> list[str]:
        """The OCR text's lines (empty when the page has no OCR)."""
        return self.ocr.text.split("\n") if self.ocr is not None else []


def compare_page(collection: Collection, document: Document, number: int) -> PageComparison:
    """Load a page's OCR and gold and cut their character alignment into rows, one per OCR line."""

    has_ocr = text_path(collection, document.id, number).exists()
    ocr = load_ocr_page(collection, document.id, number) if has_ocr else None
    gold = collection.gold_page(document, number) if collection.has_gold(document) else None
    rows = page_lines(ocr.text, gold) if ocr is not None else ()
    return PageComparison(document.id, number, ocr, gold, rows)


def line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of each line of `text`, line breaks excluded."""
    spans, start = [], 0
    for line in text.split("\n"):
        spans.append((start, start + len(line)))
        start += len(line) + 1
    return spans


def line_box(ocr: OcrPage, line: int) -> Box | None:
    """The box around the words of OCR text line `line` (0-based), None when none of them has a box."""
    spans = line_spans(ocr.text)
    if not 0 <= line < len(spans):
        return None
    start, end = spans[line]
    box = None
    for word in ocr.words:
        if word.box is not None and start <= word.start < end:
            box = word.box if box is None else box.union(word.box)
    return box


def page_box_styles(ocr: OcrPage, flags: Sequence[Flag], *, selected_line: int | None = None) -> list:
    """What to draw on the scan: every word in grey, flagged words in their category's colour, and the
    selected line outlined in black (as `components.BoxStyle`s, in drawing order)."""
    styles = [BoxStyle(w.box, WORD_COLOUR, 1) for w in ocr.words if w.box is not None]
    for flag in flags:
        colour = CATEGORY_COLOURS.get(flag.category.value, SELECTED_COLOUR)
        styles.extend(BoxStyle(box, colour, 4) for box in flag.boxes)
    if selected_line is not None and (box := line_box(ocr, selected_line)) is not None:
        styles.append(BoxStyle(Box(box.left - 6, box.top - 6, box.right + 6, box.bottom + 6), SELECTED_COLOUR, 3))
    return styles


def line_of_offset(text: str, offset: int) -> int:
    """The 0-based line of `text` that character `offset` is on."""
    return text.count("\n", 0, max(0, offset))


# --- review ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InContext:
    """A span shown inside its line: the text before it, the span itself, the text after it."""

    before: str
    text: str
    after: str


def ocr_in_context(text: str, start: int, end: int) -> InContext:
    """The OCR line(s) holding [start, end), cut around the span (line breaks inside it kept)."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    return InContext(text[line_start:start], text[start:end], text[end:line_end])


def gold_in_context(page: PageComparison, flag: Flag) -> InContext | None:
    """The gold aligned with the flag's OCR line, with the flag's gold reading (its first suggestion, when
    the gold flagger made it) highlighted where it occurs; None without gold."""
    if page.gold is None or not page.rows:
        return None
    line = min(line_of_offset(page.ocr.text, flag.start), len(page.rows) - 1)
    gold_line = page.rows[line].gold_text
    reading = flag.suggestions[0].strip() if flag.suggestions and flag.source.value == "gold" else ""
    at = gold_line.find(reading) if reading else -1
    if at < 0:
        return InContext(gold_line, "", "")
    return InContext(gold_line[:at], reading, gold_line[at + len(reading) :])


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One place an apply-to-all would decide: the flag, its OCR line (1-based, the number Transcribe shows)
    and the OCR text around it."""

    flag: Flag
    line: int
    context: InContext


def occurrences_in_context(collection: Collection, document: Document, flags: Sequence[Flag]) -> list[Occurrence]:
    """Each flag with its line number and its OCR line, reading each page's OCR text once (a page without
    stored OCR text shows its flags without context)."""
    texts: dict[int, str] = {}
    found = []
    for flag in flags:
        if flag.page not in texts:
            path = text_path(collection, document.id, flag.page)
            texts[flag.page] = path.read_text(encoding="utf-8") if path.exists() else ""
        text = texts[flag.page]
        found.append(Occurrence(flag, line_of_offset(text, flag.start) + 1, ocr_in_context(text, flag.start, flag.end)))
    return found


def flag_box(flag: Flag) -> Box | None:
    """The box around all of the flag's word boxes, None when it has none (OCR without word records)."""
    box = None
    for part in flag.boxes:
        box = part if box is None else box.union(part)
    return box


def suggestion_label(suggestion: str) -> str:
    """How a suggestion reads in the list: "" is shown as the deletion it means."""
    return "(delete)" if suggestion == "" else suggestion


# --- flags -----------------------------------------------------------------------------------------


def document_flags(collection: Collection, document: Document) -> dict[int, list[Flag]]:
    """The flags of every page with stored OCR, by page, from the set `review.reviewed_flag_source` names.
    Pages without OCR have none."""

    if not has_ocr(collection, document):
        return {}

    use_gold = reviewed_flag_source(collection, document) is FlagSource.GOLD
    by_page: dict[int, list[Flag]] = {p.number: [] for p in document.pages}
    for flag in flag_document(collection, document, use_gold=use_gold):
        by_page.setdefault(flag.page, []).append(flag)
    return by_page


def learned_flags(
    collection: Collection, document: Document, flags: dict[int, list[Flag]], learned
) -> dict[int, list[Flag]]:
    """`document_flags` (no-gold) revised by what the reviewers taught (`learning.revise_flags`, the same
    flags as flagging again with `learned`, without running the detectors again), by page."""
    pages = load_ocr_pages(collection, document)
    flat = [flag for page_flags in flags.values() for flag in page_flags]
    by_page: dict[int, list[Flag]] = {number: [] for number in flags}
    for flag in revise_flags(pages, flat, learned, language=getattr(document, "lang", "") or "eng"):
        by_page.setdefault(flag.page, []).append(flag)
    return by_page


# --- reports ---------------------------------------------------------------------------------------

REPORT_FILE_SUFFIXES = (".html", ".json", ".csv", ".svg")


def report_files(collection: Collection, doc_id: str) -> list[Path]:
    """The files of a document's written report (reports/DOC/: HTML, JSON, CSV, charts), sorted by name."""
    folder = collection.reports / doc_id
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in REPORT_FILE_SUFFIXES)


def score_rows(raw: dict | None, corrected: dict | None = None) -> list[dict]:
    """CER and WER per page, raw OCR and (when decisions changed the text) corrected, in percent:
    long-format rows {page, measure, version, percent} from two `evaluation`-shaped dicts."""
    rows = []
    for version, pages in (("raw OCR", (raw or {}).get("pages")), ("corrected", (corrected or {}).get("pages"))):
        for page in pages or ():
            for measure in ("cer", "wer"):
                if page.get(measure) is not None:
                    rows.append(
                        {"page": page["page"], "measure": measure.upper(), "version": version,
                         "percent": 100 * page[measure]}
                    )
    return rows


def confusion_rows(scores: dict | None, *, top: int = 15) -> list[dict]:
    """The most frequent character confusions as {confusion: 'gold → ocr', count}, most frequent first."""
    return [
        {"confusion": f"{_visible(c['gold'])} → {_visible(c['ocr'])}", "count": c["count"]}
        for c in ((scores or {}).get("confusions") or [])[:top]
    ]


def _visible(text: str) -> str:
    """Text as a chart label: nothing as ∅, spaces and line breaks as visible marks."""
    return text.replace(" ", "␣").replace("\n", "↵").replace("\t", "⇥") if text else "∅"


def category_rows(flags_by_page: dict[int, list[Flag]]) -> list[dict]:
    """Flags counted by category and source (gold / heuristic), most frequent category first."""
    counts: dict[tuple[str, str], int] = {}
    for flags in flags_by_page.values():
        for flag in flags:
            key = (flag.category.value, flag.source.value)
            counts[key] = counts.get(key, 0) + 1
    return [
        {"category": category, "source": source, "flags": count}
        for (category, source), count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def flag_evaluation(collection: Collection, document: Document) -> dict | None:
    """The no-gold flagger scored against the gold flags (`flags.evaluate_document`, as its `to_dict`);
    None without gold or OCR."""

    if not collection.has_gold(document) or not has_ocr(collection, document):
        return None

    return evaluate_flags_of_document(collection, document).to_dict()


def precision_recall_rows(evaluation: dict | None) -> list[dict]:
    """Per category and overall (from a `flag_evaluation`): precision and recall in percent (None where
    undefined), with the counts."""
    if evaluation is None:
        return []
    scores = {"all": evaluation["overall"], **evaluation["by_category"]}
    return [
        {
            "category": name,
            "precision": None if score["precision"] is None else 100 * score["precision"],
            "recall": None if score["recall"] is None else 100 * score["recall"],
            "gold flags": score["gold"],
            "no-gold flags": score["predicted"],
        }
        for name, score in scores.items()
    ]
