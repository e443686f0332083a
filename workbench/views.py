"""What the workbench pages show, computed in plain Python (no Streamlit) from the `workbench` package.

The pages only lay out what these functions return, so everything here is testable without a browser.
Nothing here decides anything about OCR: it composes the package's records into rows and tables.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from workbench import settings
from workbench.corpus import Collection, add_document
from workbench.errors import InputError
from workbench.images import IMAGE_SUFFIXES
from workbench.linediff import Line, page_lines
from workbench.models import Box, Document, Flag, FlagCategory, FlagSource, GoldPage, OcrPage

MAIN_DOCUMENT = "us-japan-1974"
SCAN_SUFFIXES = frozenset({*IMAGE_SUFFIXES, ".pdf"})
GOLD_SUFFIXES = frozenset({".txt"})
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


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
    """The collection at WORKBENCH_HOME."""
    return Collection.default()


def default_document(document_ids: Sequence[str]) -> str | None:
    """The document the app opens first: the briefing paper (or one of its scan variants) when present."""
    if MAIN_DOCUMENT in document_ids:
        return MAIN_DOCUMENT
    variants = [d for d in document_ids if d.startswith(f"{MAIN_DOCUMENT}-")]
    if variants:
        return variants[0]
    return document_ids[0] if document_ids else None


_DIGESTS: dict[tuple[str, int, int], bytes] = {}


def _file_digest(path: Path) -> bytes:
    """SHA-256 of a file, remembered per (path, mtime, size) so an unchanged file is hashed once."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return b"missing"
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    digest = _DIGESTS.get(key)
    if digest is None:
        digest = hashlib.sha256(path.read_bytes()).digest()
        if len(_DIGESTS) > 100_000:
            _DIGESTS.clear()
        _DIGESTS[key] = digest
    return digest


def document_files(collection: Collection, document: Document) -> list[Path]:
    """Every file a document's computed views read: manifest, OCR text and words, gold text and markings."""
    from workbench.corpus import page_stem
    from workbench.ocr.store import text_path, words_path

    paths = [collection.manifest_path(document.id)]
    for page in document.pages:
        paths += [text_path(collection, document.id, page.number), words_path(collection, document.id, page.number)]
        if document.gold is not None:
            gold = collection.gold_dir(document.gold)
            paths += [gold / f"{page_stem(page.number)}.txt", gold / f"{page_stem(page.number)}.markings.json"]
    return paths


def files_checksum(paths: Iterable[Path]) -> str:
    """One SHA-256 over the names and bytes of `paths` (a missing file counts as such): a cache key.

    Any change to a page's OCR, gold or markings changes it, so cached computations never go stale.
    """
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path).encode("utf-8") + b"\0" + _file_digest(Path(path)))
    return digest.hexdigest()


_CHECKSUMS: dict[tuple, tuple[float, str]] = {}
RECHECK_SECONDS = 10.0


def document_checksum(collection: Collection, document: Document) -> str:
    """The checksum of `document_files`: the cache key of a document's computed views.

    Hashing is skipped (stat-ing 2,000 files costs ~80 ms on a 500-page document, on every rerun) while the
    document's folders are unchanged and the last full check is under RECHECK_SECONDS old: the workbench
    writes by atomic rename, which changes the folder, and a file edited in place is seen at the next check.
    """
    folders = [collection.manifest_path(document.id), collection.ocr_dir(document.id)]
    if document.gold is not None:
        folders.append(collection.gold_dir(document.gold))
    key = tuple((str(p), *((s.st_mtime_ns, s.st_size) if (s := _stat(p)) else ())) for p in folders)
    now = time.monotonic()
    known = _CHECKSUMS.get(key)
    if known is not None and now - known[0] < RECHECK_SECONDS:
        return known[1]
    checksum = files_checksum(document_files(collection, document))
    if len(_CHECKSUMS) > 1000:
        _CHECKSUMS.clear()
    _CHECKSUMS[key] = (now, checksum)
    return checksum


def _stat(path: Path):
    try:
        return path.stat()
    except FileNotFoundError:
        return None


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
    from workbench.ocr.store import has_ocr

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
    from workbench.ocr.store import text_path

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
    from workbench.evaluate import evaluate_document, evaluation_dict
    from workbench.ocr.store import has_ocr

    if not collection.has_gold(document) or not has_ocr(collection, document):
        return None
    return evaluation_dict(evaluate_document(collection, document.id), top=30)


def page_cer(scores: dict | None) -> dict[int, float]:
    """CER by page (fractions) from an `evaluation`; empty without one."""
    return {row["page"]: row["cer"] for row in (scores or {}).get("pages", ()) if row["cer"] is not None}


def corrected_evaluation(collection: Collection, store, document: Document) -> dict | None:
    """The corrected transcript scored like the OCR (`evaluate.evaluate_corrected`, as evaluation_dict);
    None without gold or OCR, or while no decision changes the text."""
    from workbench.evaluate import evaluate_corrected, evaluation_dict
    from workbench.ocr.store import has_ocr

    if not has_ocr(collection, document):
        return None
    scored = evaluate_corrected(collection, store, document.id)
    return evaluation_dict(scored.evaluation) if scored is not None else None


@dataclass(frozen=True, slots=True)
class Upload:
    """A file handed to the app: its name as the browser gave it, and its bytes."""

    name: str
    data: bytes


def safe_file_name(name: str, *, index: int) -> str:
    """A name safe to write into a staging folder: no folders, no odd characters, never empty or hidden."""
    base = Path(name.replace("\\", "/")).name
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    stem = _SAFE_NAME.sub("_", stem).strip("._") or "file"
    suffix = _SAFE_NAME.sub("", suffix)
    return f"{index:03d}-{stem[:80]}{suffix}"


def _natural_key(name: str) -> list:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


def check_upload(upload: Upload, *, allowed: frozenset[str], max_bytes: int, what: str) -> None:
    """Refuse an upload with the wrong type, no bytes or too many bytes (InputError naming the file)."""
    suffix = Path(upload.name).suffix.lower()
    if suffix not in allowed:
        raise InputError(f"{upload.name}: unsupported {what} type {suffix or '(none)'} ({', '.join(sorted(allowed))})")
    if not upload.data:
        raise InputError(f"{upload.name}: empty file (0 bytes)")
    if len(upload.data) > max_bytes:
        raise InputError(
            f"{upload.name}: {len(upload.data) / 1e6:.1f} MB is over the upload limit of {max_bytes / 1e6:.0f} MB "
            "(WORKBENCH_UPLOAD_MAX_MB)"
        )


def add_uploaded_document(
    collection: Collection,
    doc_id: str,
    *,
    title: str,
    scans: Sequence[Upload],
    gold: Sequence[Upload] = (),
    date: str = "",
    provenance: str = "",
) -> Document:
    """Add a document from uploaded files, checked as `workbench add` checks files given on the command line.

    Files are taken in natural name order (page-2 before page-10), written under safe names into a
    temporary folder, and handed to `corpus.add_document`, which validates every page and adds all or nothing.
    """
    if not title.strip():
        raise InputError(f"document {doc_id!r}: a title is needed")
    if not scans:
        raise InputError(f"document {doc_id!r}: no scan files uploaded")
    max_bytes = settings.get("WORKBENCH_UPLOAD_MAX_MB") * 1_000_000
    for upload in scans:
        check_upload(upload, allowed=SCAN_SUFFIXES, max_bytes=max_bytes, what="scan")
    for upload in gold:
        check_upload(upload, allowed=GOLD_SUFFIXES, max_bytes=max_bytes, what="gold")
    with tempfile.TemporaryDirectory(prefix="workbench-upload-") as staging:
        folder = Path(staging)

        def stage(uploads: Sequence[Upload], prefix: str) -> list[Path]:
            paths = []
            ordered = sorted(uploads, key=lambda u: _natural_key(u.name))
            for index, upload in enumerate(ordered, start=1):
                path = folder / f"{prefix}{safe_file_name(upload.name, index=index)}"
                path.write_bytes(upload.data)
                paths.append(path)
            return paths

        return add_document(
            collection,
            doc_id.strip(),
            title=title.strip(),
            sources=stage(scans, "scan-"),
            gold=stage(gold, "gold-") or None,
            date=date.strip(),
            provenance=provenance.strip(),
        )


# --- who may review --------------------------------------------------------------------------------


def credentials_path() -> Path:
    """The team-mode credentials file: WORKBENCH_CREDENTIALS, or credentials.yaml in the collection."""
    configured = settings.get("WORKBENCH_CREDENTIALS")
    return Path(configured) if configured else settings.home() / "credentials.yaml"


_BCRYPT = re.compile(r"^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$")


@dataclass(frozen=True, slots=True)
class TeamConfig:
    """Reviewers with hashed passwords, and the cookie that keeps a sign-in across reloads."""

    credentials: dict
    cookie_name: str
    cookie_key: str
    cookie_expiry_days: float


def load_team_config(path: Path) -> TeamConfig:
    """Read the credentials YAML (streamlit-authenticator's layout); InputError naming the file when it is unusable.

    Every password must already be a bcrypt hash: a plain-text password is refused rather than hashed in place.
    """
    import yaml

    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: team mode needs a credentials file (set WORKBENCH_CREDENTIALS)")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: credentials file is not valid YAML ({error})") from None
    users = ((data or {}).get("credentials") or {}).get("usernames") if isinstance(data, dict) else None
    if not isinstance(users, dict) or not users:
        raise InputError(f"{path}: credentials file lists no reviewers under credentials.usernames")
    for username, entry in users.items():
        password = entry.get("password") if isinstance(entry, dict) else None
        if not isinstance(password, str) or not _BCRYPT.match(password):
            raise InputError(f"{path}: reviewer {username!r} has no bcrypt-hashed password")
    cookie = data.get("cookie") or {}
    key = cookie.get("key")
    if not isinstance(key, str) or len(key) < 32:
        raise InputError(f"{path}: cookie.key must be a secret of at least 32 characters (it signs the sign-in cookie)")
    return TeamConfig(
        credentials={"usernames": users},
        cookie_name=str(cookie.get("name", "workbench_auth")),
        cookie_key=key,
        cookie_expiry_days=float(cookie.get("expiry_days", 1)),
    )


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
    from workbench.ocr.store import load_ocr_page, text_path

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
    from workbench.ocr.store import has_ocr

    if not has_ocr(collection, document):
        return {}
    from workbench.flags import flag_document
    from workbench.review import reviewed_flag_source

    use_gold = reviewed_flag_source(collection, document) is FlagSource.GOLD
    by_page: dict[int, list[Flag]] = {p.number: [] for p in document.pages}
    for flag in flag_document(collection, document, use_gold=use_gold):
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
    from workbench.ocr.store import has_ocr

    if not collection.has_gold(document) or not has_ocr(collection, document):
        return None
    from workbench.flags import evaluate_document

    return evaluate_document(collection, document).to_dict()


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
