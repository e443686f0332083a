"""The collection on disk: document manifests, scans, gold transcriptions and their markings.

Layout under WORKBENCH_HOME:
    scans/<doc>/manifest.json         id, title, date, provenance, variant, lang, gold id, pages with checksums
    scans/<doc>/page-001.png ...      page images (none for a document made from OCR files or gold text)
    transcripts/gold/<gold>/page-001.txt            gold body text, paragraphs kept
    transcripts/gold/<gold>/page-001.markings.json  the page's markings (kind, zone, placement, text)
    transcripts/ocr/<doc>/page-001.txt ...          OCR output (written by workbench.ocr)

Every loading error is a CorpusError whose one-line message names the file.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workbench import settings
from workbench.errors import CorpusError
from workbench.fsutil import atomic_write_json, read_utf8, sha256_file
from workbench.models import PLACEMENTS, Document, GoldPage, LineHyphens, Marking, MarkingKind, PageRef, Zone

# Both are used with fullmatch: `$` would also match before a final newline ("nl\n" made a folder).
DOCUMENT_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
# Tesseract language codes joined by '+': letters, with '_' inside for codes such as chi_sim or deu_latf.
LANG = re.compile(r"[A-Za-z]+(?:_[A-Za-z]+)*(?:\+[A-Za-z]+(?:_[A-Za-z]+)*)*")
MANIFEST_NAME = "manifest.json"
PAGE_BREAK = "\f"  # separates the pages of one text file, as `workbench export --format txt` writes them


def page_stem(number: int) -> str:
    """The file stem of page `number`: page-001, page-002, ..."""
    return f"page-{number:03d}"


@dataclass(frozen=True, slots=True)
class Collection:
    """The folders of one collection; every path the workbench reads or writes is derived here."""

    home: Path

    @classmethod
    def default(cls) -> Collection:
        """The collection at WORKBENCH_HOME."""
        return cls(settings.home())

    @property
    def scans(self) -> Path:
        return self.home / "scans"

    @property
    def transcripts(self) -> Path:
        return self.home / "transcripts"

    @property
    def reports(self) -> Path:
        return self.home / "reports"

    def document_dir(self, doc_id: str) -> Path:
        return self.scans / doc_id

    def manifest_path(self, doc_id: str) -> Path:
        return self.document_dir(doc_id) / MANIFEST_NAME

    def gold_dir(self, gold_id: str) -> Path:
        return self.transcripts / "gold" / gold_id

    def ocr_dir(self, doc_id: str) -> Path:
        return self.transcripts / "ocr" / doc_id

    def corrected_dir(self, doc_id: str) -> Path:
        return self.transcripts / "corrected" / doc_id

    def document_ids(self) -> list[str]:
        """Ids of every document that has a manifest, sorted."""
        if not self.scans.is_dir():
            return []
        return sorted(p.parent.name for p in self.scans.glob(f"*/{MANIFEST_NAME}"))

    def documents(self) -> list[Document]:
        """Every document of the collection."""
        return [self.document(doc_id) for doc_id in self.document_ids()]

    def document(self, doc_id: str) -> Document:
        """Load a document's manifest; CorpusError when it is missing or malformed."""
        return load_manifest(self.manifest_path(doc_id))

    def has_gold(self, document: Document) -> bool:
        """True when the document names a gold folder that exists."""
        return document.gold is not None and self.gold_dir(document.gold).is_dir()

    def gold_pages(self, document: Document) -> list[GoldPage]:
        """The gold of every page of `document`; CorpusError when pages are missing or extra."""
        if document.gold is None:
            raise CorpusError(f"{document.manifest_path}: document {document.id!r} has no gold")
        return load_gold(self.gold_dir(document.gold), expected_pages=document.page_count)

    def gold_page(self, document: Document, number: int) -> GoldPage:
        """The gold of one page."""
        if document.gold is None:
            raise CorpusError(f"{document.manifest_path}: document {document.id!r} has no gold")
        return load_gold_page(self.gold_dir(document.gold), number)


def check_lang(lang: str, *, source: str = "--lang") -> str:
    """`lang` when it is empty or has the form of Tesseract language codes ('eng', 'eng+fra');
    CorpusError naming `source` otherwise."""
    if not isinstance(lang, str) or (lang and not LANG.fullmatch(lang)):
        raise CorpusError(
            f"{source}: bad language {lang!r}: use Tesseract codes of letters joined by '+', e.g. eng or eng+fra"
        )
    return lang


def load_manifest(path: Path) -> Document:
    """Parse a document manifest into a Document, checking every field it needs."""
    path = Path(path)
    if not path.exists():
        raise CorpusError(f"{path}: manifest not found")
    try:
        data = json.loads(read_utf8(path, what="manifest"))
    except json.JSONDecodeError as error:
        raise CorpusError(f"{path}: manifest is not valid JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(data, dict):
        raise CorpusError(f"{path}: manifest must be a JSON object")
    for key in ("id", "title", "page_count", "pages"):
        if key not in data:
            raise CorpusError(f"{path}: manifest lacks {key!r}")
    doc_id = data["id"]
    if not isinstance(doc_id, str) or not DOCUMENT_ID.fullmatch(doc_id):
        raise CorpusError(f"{path}: bad document id {doc_id!r}")
    pages_data = data["pages"]
    if not isinstance(pages_data, list):
        raise CorpusError(f"{path}: 'pages' must be a list")
    if data["page_count"] != len(pages_data):
        raise CorpusError(
            f"{path}: page_count is {data['page_count']} but {len(pages_data)} pages are listed"
        )
    pages = []
    for index, entry in enumerate(pages_data, start=1):
        if not isinstance(entry, dict) or entry.get("page") != index:
            raise CorpusError(f"{path}: pages[{index - 1}] must be an object with \"page\": {index}")
        scan = entry.get("scan")
        pages.append(
            PageRef(
                document=doc_id,
                number=index,
                scan=(path.parent / scan) if scan else None,
                sha256=entry.get("sha256"),
            )
        )
    return Document(
        id=doc_id,
        title=str(data["title"]),
        pages=tuple(pages),
        date=str(data.get("date", "")),
        provenance=str(data.get("provenance", "")),
        variant=str(data.get("variant", "")),
        gold=data.get("gold"),
        manifest_path=path,
        lang=check_lang(data.get("lang", ""), source=f"{path}: 'lang'"),
        gold_line_hyphens=_line_hyphens(data.get("gold_line_hyphens", LineHyphens.JOINED.value), path),
    )


def _line_hyphens(value, path: Path) -> LineHyphens:
    """The manifest's `gold_line_hyphens` setting; CorpusError naming the file when it is none of the values."""
    try:
        return LineHyphens(value)
    except ValueError:
        allowed = ", ".join(repr(v.value) for v in LineHyphens)
        raise CorpusError(f"{path}: 'gold_line_hyphens' must be one of {allowed}, not {value!r}") from None


def manifest_dict(document: Document) -> dict:
    """The JSON form of a document's manifest (scan paths relative to the manifest's folder)."""
    return {
        "id": document.id,
        "title": document.title,
        "date": document.date,
        "provenance": document.provenance,
        "variant": document.variant,
        "lang": document.lang,
        "gold": document.gold,
        # written only when it is not the default, so that the manifests of earlier documents stay as they were
        **({"gold_line_hyphens": document.gold_line_hyphens.value}
           if document.gold_line_hyphens is not LineHyphens.JOINED else {}),
        "page_count": document.page_count,
        "pages": [
            {
                "page": page.number,
                "scan": page.scan.name if page.scan else None,
                "sha256": page.sha256,
            }
            for page in document.pages
        ],
    }


def write_manifest(document: Document, path: Path) -> None:
    """Write a document's manifest atomically."""
    atomic_write_json(path, manifest_dict(document))


def load_markings(path: Path, number: int) -> tuple[Marking, ...]:
    """Parse a page's markings sidecar; a missing sidecar means the page has no markings."""
    if not path.exists():
        return ()
    try:
        data = json.loads(read_utf8(path, what="markings sidecar"))
    except json.JSONDecodeError as error:
        raise CorpusError(f"{path}: markings sidecar is not valid JSON ({error.msg})") from None
    if not isinstance(data, dict) or data.get("page") != number or not isinstance(data.get("markings"), list):
        raise CorpusError(f"{path}: markings sidecar must be {{\"page\": {number}, \"markings\": [...]}}")
    markings = []
    for index, entry in enumerate(data["markings"]):
        try:
            marking = Marking(
                text=str(entry["text"]),
                kind=MarkingKind(entry["kind"]),
                zone=Zone(entry["zone"]),
                placement=str(entry["placement"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise CorpusError(f"{path}: markings[{index}] is malformed ({error})") from None
        if marking.placement not in PLACEMENTS:
            raise CorpusError(f"{path}: markings[{index}] has unknown placement {marking.placement!r}")
        if not marking.text.strip():
            raise CorpusError(f"{path}: markings[{index}] has empty text")
        markings.append(marking)
    return tuple(markings)


def load_gold_page(gold_dir: Path, number: int) -> GoldPage:
    """The gold body and markings of page `number` from `gold_dir`."""
    body_path = gold_dir / f"{page_stem(number)}.txt"
    if not body_path.exists():
        raise CorpusError(f"{body_path}: gold page {number} not found")
    body = read_utf8(body_path, what="gold page").replace("\r\n", "\n")
    markings = load_markings(gold_dir / f"{page_stem(number)}.markings.json", number)
    return GoldPage(number=number, body=body, markings=markings)


def load_gold(gold_dir: Path, *, expected_pages: int | None = None) -> list[GoldPage]:
    """Every gold page in `gold_dir`, checking the page files run 1..N with no gap."""
    gold_dir = Path(gold_dir)
    if not gold_dir.is_dir():
        raise CorpusError(f"{gold_dir}: gold folder not found")
    numbers = sorted(
        int(match.group(1))
        for p in gold_dir.glob("page-*.txt")
        if (match := re.fullmatch(r"page-(\d{3,})\.txt", p.name))
    )
    if numbers != list(range(1, len(numbers) + 1)):
        missing = sorted(set(range(1, max(numbers, default=0) + 1)) - set(numbers))
        raise CorpusError(f"{gold_dir}: gold page(s) {missing} missing")
    if expected_pages is not None and len(numbers) != expected_pages:
        raise CorpusError(
            f"{gold_dir}: {len(numbers)} gold pages but the document has {expected_pages} pages"
        )
    return [load_gold_page(gold_dir, n) for n in numbers]


def split_pages(text: str) -> list[str]:
    """The pages of one text file: form feeds separate them, and a form feed after the last page does not
    start another one (as `workbench export --format txt` and many OCR engines write)."""
    chunks = text.split(PAGE_BREAK)
    if len(chunks) > 1 and not chunks[-1].strip():
        chunks.pop()
    return chunks


@dataclass(frozen=True, slots=True)
class TextPage:
    """One page of a text file given to `add_document`: the file, the page's place in it, its text."""

    path: Path
    index: int  # 1-based page of the file
    text: str

    @property
    def where(self) -> str:
        """The file, and the page within it when the file holds several: 'g.txt' or 'g.txt page 2'."""
        return f"{self.path}" if self.index == 1 else f"{self.path} page {self.index}"


def read_gold_files(paths: list[Path]) -> list[TextPage]:
    """The gold pages of plain-text files: one file per page, or form-feed-separated pages in a file.

    CorpusError naming the file (and page) when a page is empty; InputError when a file is unreadable.
    """
    pages: list[TextPage] = []
    for path in map(Path, paths):
        if path.is_dir():
            raise CorpusError(f"{path}: is a folder; give the gold text files themselves")
        chunks = split_pages(read_utf8(path, what="gold text"))
        for index, chunk in enumerate(chunks, start=1):
            page = TextPage(path, index, chunk)
            if not chunk.strip():
                raise CorpusError(f"{page.where}: gold text is empty")
            pages.append(page)
    return pages


def _files(paths: list[Path]) -> str:
    """A short list of the files named, for one-line errors."""
    names = [str(p) for p in paths]
    return ", ".join(names) if len(names) <= 4 else f"{', '.join(names[:3])} and {len(names) - 3} more"


def add_document(
    collection: Collection,
    doc_id: str,
    *,
    title: str,
    sources: list[Path] | None = None,
    gold: list[Path] | None = None,
    ocr: list[Path] | None = None,
    lang: str = "",
    date: str = "",
    provenance: str = "",
    ocr_format: str = "auto",
    dpi: int = 300,
    gold_line_hyphens: LineHyphens = LineHyphens.JOINED,
    also: Callable[[Document, Path], None] | None = None,
) -> Document:
    """Make a new document from page images or PDFs, OCR files and/or gold text, all or nothing.

    The pages come from the scans when there are any, else from the OCR files (hOCR, ALTO, PAGE XML or
    text, several pages to a file allowed), else from the gold (text files, one per page or pages
    separated by form feeds); whatever else is given must have as many pages. OCR is stored as
    `workbench import-ocr` stores it. Everything is checked and staged in a temporary folder first; only
    when every file is readable and the counts agree are the folders moved into place, the manifest
    last. Raises InputError (CorpusError, ScanError) naming the culprit, and leaves nothing behind.
    `also(document, folder)`, when given, writes further files of the document into its staged folder
    (or raises InputError to refuse the document), so they land with the manifest or not at all.
    `gold_line_hyphens` says whether the gold keeps line-end splits as typed (a line-faithful gold).
    """

    if not DOCUMENT_ID.fullmatch(doc_id):
        raise CorpusError(
            f"bad document id {doc_id!r}: use lowercase letters, digits, '.', '_' or '-' (at most 64)"
        )
    # Imported here, not at the top: the OCR importers store pages through ocr.store, which reads the
    # collection layout from this module.
    from workbench.ocr.importers import ocr_files, ocr_records, read_ocr_files, save_imported_ocr

    check_lang(lang)
    sources, gold, ocr = list(sources or []), list(gold or []), list(ocr or [])
    target = collection.document_dir(doc_id)
    gold_target = collection.gold_dir(doc_id)
    ocr_target = collection.ocr_dir(doc_id)
    _undo_interrupted_adds(collection, doc_id)
    for existing in (target, gold_target, ocr_target):
        if existing.exists():  # an OCR or gold folder left by an older document would be taken as this one's
            raise CorpusError(f"{existing}: document {doc_id!r} already exists")
    if not (sources or gold or ocr):
        raise CorpusError(f"document {doc_id!r}: nothing to add: give scan files, --ocr files or --gold files")
    gold_pages = read_gold_files(gold)
    ocr_pages = read_ocr_files(ocr, format=ocr_format, dpi=dpi) if ocr else []
    ocr_sources = ocr_files(ocr) if ocr else []
    if ocr and gold and len(ocr_pages) != len(gold_pages):
        raise CorpusError(
            f"document {doc_id!r}: {len(ocr_pages)} page(s) of OCR in {_files(ocr_sources)} "
            f"but {len(gold_pages)} page(s) of gold in {_files(gold)}"
        )
    collection.scans.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{ADDING_PREFIX}{doc_id}-", dir=collection.scans))
    alive = _hold(staging)  # while this add runs, nobody takes its staging folder for a dead one's
    moved: list[Path] = []
    try:
        work = staging / "work"
        work.mkdir()
        from workbench.images import page_images  # here: PDF and image libraries cost every reader a fifth of a second

        page_files = page_images(sources, work)  # every page checked and decoded once: each one opens
        if sources:
            for what, count, named in (("gold", len(gold_pages), gold), ("OCR", len(ocr_pages), ocr_sources)):
                if named and count != len(page_files):
                    raise CorpusError(
                        f"document {doc_id!r}: {count} page(s) of {what} in {_files(named)} "
                        f"for {len(page_files)} scanned page(s) in {_files(sources)}"
                    )
        page_count = len(page_files) if sources else len(ocr_pages) if ocr else len(gold_pages)
        doc_dir = staging / "scans"
        doc_dir.mkdir()
        refs = []
        for number, page_file in enumerate(page_files, start=1):
            suffix = page_file.suffix.lower().replace(".jpeg", ".jpg").replace(".tiff", ".tif")
            stored = doc_dir / f"{page_stem(number)}{suffix}"
            shutil.copyfile(page_file, stored)
            refs.append(PageRef(doc_id, number, target / stored.name, sha256_file(stored)))
        if not sources:
            refs = [PageRef(doc_id, number) for number in range(1, page_count + 1)]
        document = Document(
            id=doc_id,
            title=title,
            pages=tuple(refs),
            date=date,
            provenance=provenance,
            gold=doc_id if gold else None,
            manifest_path=target / MANIFEST_NAME,
            lang=lang,
            gold_line_hyphens=LineHyphens(gold_line_hyphens),
        )
        write_manifest(document, doc_dir / MANIFEST_NAME)
        if also is not None:
            also(document, doc_dir)
        gold_stage = staging / "gold"
        if gold:
            gold_stage.mkdir()
            for number, page in enumerate(gold_pages, start=1):
                (gold_stage / f"{page_stem(number)}.txt").write_text(page.text, encoding="utf-8")
        ocr_home = Collection(staging / "ocr")
        if ocr:
            # The same records and files as `workbench import-ocr`, written into the staging folder.
            save_imported_ocr(ocr_home, ocr_records(document, ocr_pages), ocr_sources)
        shutil.rmtree(work)
        moves = [(stage, final) for stage, final in ((gold_stage, gold_target), (ocr_home.ocr_dir(doc_id), ocr_target))
                 if stage.exists()]
        # Before the first rename: what a process killed between the renames would leave, for the next add
        # of this id to take back (`_undo_interrupted_adds`).
        atomic_write_json(staging / MOVES_NAME, [[str(stage), str(final)] for stage, final in moves])
        for stage, final in moves:
            if stage.exists():
                final.parent.mkdir(parents=True, exist_ok=True)
                stage.rename(final)
                moved.append(final)
        doc_dir.rename(target)  # last: the document exists only once its manifest is in place
    except BaseException as error:
        # Whatever stopped us (a bad file, a full disk, Ctrl-C), take back the folders already moved.
        if not target.exists():
            for folder in moved:
                shutil.rmtree(folder, ignore_errors=True)
        if isinstance(error, OSError):
            raise CorpusError(f"adding document {doc_id!r} failed: {error}") from None
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        os.close(alive)
    return document


ADDING_PREFIX = ".adding-"  # scans/.adding-DOC-XXXXXXXX: the staging folder of an add in progress
MOVES_NAME = "moves.json"


def _hold(folder: Path) -> int:
    """An open descriptor of `folder` holding an exclusive lock on it (released when closed)."""
    fd = os.open(folder, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def _undo_interrupted_adds(collection: Collection, doc_id: str) -> None:
    """Take back what an add of `doc_id` killed midway left: its staging folder, and the gold and OCR folders
    it had already moved into place when its document never was. An add still running is left alone."""
    pattern = re.compile(re.escape(f"{ADDING_PREFIX}{doc_id}-") + r"[a-z0-9_]{8}")  # mkdtemp's 8 characters
    for staging in collection.scans.glob(f"{ADDING_PREFIX}{doc_id}-*"):
        if not (pattern.fullmatch(staging.name) and staging.is_dir()):
            continue
        fd = os.open(staging, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue  # its add is alive
        try:
            if not collection.document_dir(doc_id).exists():
                try:
                    moves = json.loads((staging / MOVES_NAME).read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    moves = []  # killed before its first rename: nothing was moved
                ours = {collection.gold_dir(doc_id), collection.ocr_dir(doc_id)}  # all an add of doc_id moves
                for stage, final in moves:
                    if Path(final) in ours and not Path(stage).exists() and Path(final).exists():  # moved by it
                        shutil.rmtree(final)
            shutil.rmtree(staging)
        finally:
            os.close(fd)
