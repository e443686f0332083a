"""The collection on disk: document manifests, scans, gold transcriptions and their markings.

Layout under WORKBENCH_HOME:
    scans/<doc>/manifest.json         id, title, date, provenance, variant, gold id, pages with checksums
    scans/<doc>/page-001.png ...      page images
    transcripts/gold/<gold>/page-001.txt            gold body text, paragraphs kept
    transcripts/gold/<gold>/page-001.markings.json  the page's markings (kind, zone, placement, text)
    transcripts/ocr/<doc>/page-001.txt ...          OCR output (written by workbench.ocr)

Every loading error is a CorpusError whose one-line message names the file.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from workbench import settings
from workbench.errors import CorpusError, InputError, ScanError
from workbench.fsutil import atomic_write_json, read_utf8, sha256_file
from workbench.images import IMAGE_SUFFIXES, open_image
from workbench.models import PLACEMENTS, Document, GoldPage, Marking, MarkingKind, PageRef, Zone

DOCUMENT_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
MANIFEST_NAME = "manifest.json"


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
    if not isinstance(doc_id, str) or not DOCUMENT_ID.match(doc_id):
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
    )


def manifest_dict(document: Document) -> dict:
    """The JSON form of a document's manifest (scan paths relative to the manifest's folder)."""
    return {
        "id": document.id,
        "title": document.title,
        "date": document.date,
        "provenance": document.provenance,
        "variant": document.variant,
        "gold": document.gold,
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


def _expand_sources(sources: list[Path], workdir: Path) -> list[Path]:
    """One image file per page: PDF pages rendered at 300 dpi, multi-frame TIFFs split into frames."""
    pages: list[Path] = []
    for source in sources:
        source = Path(source)
        if not source.exists():
            raise ScanError(f"{source}: file not found")
        suffix = source.suffix.lower()
        if suffix == ".pdf":
            pages.extend(_render_pdf(source, workdir, start=len(pages) + 1))
        elif suffix in IMAGE_SUFFIXES:
            image = open_image(source)
            frames = getattr(image, "n_frames", 1)
            if frames == 1:
                pages.append(source)
                continue
            for frame in range(frames):
                image.seek(frame)
                out = workdir / f"frame-{len(pages) + 1:03d}.png"
                image.save(out, dpi=image.info.get("dpi", (300, 300)))
                pages.append(out)
        else:
            raise ScanError(f"{source}: unsupported file type {suffix or '(none)'} (PNG, TIFF, JPEG or PDF)")
    return pages


def _render_pdf(source: Path, workdir: Path, *, start: int) -> list[Path]:
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(str(source))
    except pypdfium2.PdfiumError as error:
        raise ScanError(f"{source}: not a readable PDF ({error})") from None
    out = []
    try:
        if len(pdf) == 0:
            raise ScanError(f"{source}: PDF has no pages")
        for index in range(len(pdf)):
            image = pdf[index].render(scale=300 / 72).to_pil().convert("L")
            path = workdir / f"pdf-{start + index:03d}.png"
            image.save(path, dpi=(300, 300))
            out.append(path)
    finally:
        pdf.close()
    return out


def add_document(
    collection: Collection,
    doc_id: str,
    *,
    title: str,
    sources: list[Path],
    gold: list[Path] | None = None,
    date: str = "",
    provenance: str = "",
) -> Document:
    """Make a new document from page images or PDFs (and optional gold pages), all or nothing.

    Files are checked and staged in a temporary folder first; only when every page is readable and the
    gold count matches are the folders moved into place. Raises InputError naming the culprit.
    """
    if not DOCUMENT_ID.match(doc_id):
        raise CorpusError(
            f"bad document id {doc_id!r}: use lowercase letters, digits, '.', '_' or '-' (at most 64)"
        )
    target = collection.document_dir(doc_id)
    gold_target = collection.gold_dir(doc_id)
    if target.exists() or gold_target.exists():
        raise CorpusError(f"{target}: document {doc_id!r} already exists")
    if not sources:
        raise CorpusError(f"document {doc_id!r}: no scan files given")
    gold_texts = [read_utf8(Path(p), what="gold text") for p in gold or []]
    collection.scans.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".adding-{doc_id}-", dir=collection.scans))
    try:
        work = staging / "work"
        work.mkdir()
        page_files = _expand_sources(sources, work)
        if gold and len(gold_texts) != len(page_files):
            raise CorpusError(
                f"document {doc_id!r}: {len(gold_texts)} gold file(s) for {len(page_files)} scanned page(s)"
            )
        doc_dir = staging / "scans"
        doc_dir.mkdir()
        refs = []
        for number, page_file in enumerate(page_files, start=1):
            open_image(page_file)  # every page must open before anything is kept
            suffix = page_file.suffix.lower().replace(".jpeg", ".jpg").replace(".tiff", ".tif")
            stored = doc_dir / f"{page_stem(number)}{suffix}"
            shutil.copyfile(page_file, stored)
            refs.append(PageRef(doc_id, number, stored, sha256_file(stored)))
        document = Document(
            id=doc_id,
            title=title,
            pages=tuple(PageRef(doc_id, r.number, target / r.scan.name, r.sha256) for r in refs),
            date=date,
            provenance=provenance,
            gold=doc_id if gold else None,
            manifest_path=target / MANIFEST_NAME,
        )
        write_manifest(document, doc_dir / MANIFEST_NAME)
        gold_stage = staging / "gold"
        if gold:
            gold_stage.mkdir()
            for number, text in enumerate(gold_texts, start=1):
                if not text.strip():
                    raise CorpusError(f"{gold[number - 1]}: gold text is empty")
                (gold_stage / f"{page_stem(number)}.txt").write_text(text, encoding="utf-8")
        shutil.rmtree(work)
        if gold:
            gold_target.parent.mkdir(parents=True, exist_ok=True)
            gold_stage.rename(gold_target)
        doc_dir.rename(target)
    except (InputError, OSError) as error:
        if gold and gold_target.exists() and not target.exists():
            shutil.rmtree(gold_target)
        if isinstance(error, InputError):
            raise
        raise CorpusError(f"adding document {doc_id!r} failed: {error}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return document
