"""Reading OCR made elsewhere (hOCR, ALTO v2-v4, PAGE XML, plain text) into the workbench's records.

`read_ocr_file` recognises the format from the file's content, not its name; `import_ocr` checks a
whole document's files against its manifest and stores them only when every one is readable.
"""

from __future__ import annotations

from pathlib import Path

from workbench.corpus import Collection
from workbench.errors import InputError
from workbench.fsutil import read_utf8
from workbench.models import Document, OcrPage
from workbench.ocr.importers.alto import read_alto
from workbench.ocr.importers.common import ReadPage, local_name, parse_xml
from workbench.ocr.importers.hocr import looks_like_hocr, read_hocr
from workbench.ocr.importers.page import read_page_xml
from workbench.ocr.importers.text import read_text
from workbench.ocr.store import save_ocr_page

FORMATS = ("auto", "hocr", "alto", "page", "text")
OCR_SUFFIXES = {".hocr", ".html", ".htm", ".xhtml", ".xml", ".txt"}


def detect_format(data: bytes) -> str:
    """'hocr', 'alto', 'page' or 'text', judged from the start of the file's content; 'xml' for other XML,
    whose root element then decides."""
    head = data[:4096].decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if not head.startswith("<"):
        return "text"
    if looks_like_hocr(data[:200_000].decode("utf-8", errors="replace")):
        return "hocr"
    if "<alto" in head or "alto/ns-v" in head or ":alto" in head:
        return "alto"
    if "PcGts" in head or "primaresearch.org/PAGE" in head:
        return "page"
    return "xml"  # some XML the root element will tell us about


def read_source_bytes(path: Path, *, role: str = "OCR") -> bytes:
    """The bytes of an OCR (or, with `role` "GT", a ground-truth) file, checked before any format is
    judged: InputError naming the file when it is missing, a folder, unreadable, empty or binary."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: {role} file not found") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a file ({role})") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read {role} file ({error.strerror})") from None
    if not data.strip():
        raise InputError(f"{path}: {role} file is empty")
    nul = data.find(b"\x00")
    if nul >= 0:
        # UTF-16 text has NUL bytes too, but no reader here (nor dinglehopper) takes it
        raise InputError(f"{path}: {role} file is binary, not text or XML (NUL byte at offset {nul})")
    return data


def read_ocr_file(path: Path, *, format: str = "auto", dpi: int = 300) -> list[ReadPage]:
    """The pages an OCR file holds (usually one), read in the given or detected format.

    Raises InputError naming the file when it is missing, not UTF-8, malformed, or in no known format.
    `dpi` turns ALTO positions in 1/10 mm or 1/1200 inch into pixels.
    """
    path = Path(path)
    if format not in FORMATS:
        raise InputError(f"{path}: unknown OCR format {format!r} (use one of {', '.join(FORMATS)})")
    data = read_source_bytes(path)
    kind = detect_format(data) if format == "auto" else format
    if path.suffix.lower() == ".txt" and format == "auto":
        kind = "text"
    if kind == "text":
        return read_text(read_utf8(path, what="OCR text"))
    if kind == "hocr":
        return read_hocr(data, source=path)
    root = parse_xml(data, path, what="XML")
    name = local_name(root)
    if kind == "alto" or (kind == "xml" and name.lower() == "alto"):
        if name.lower() != "alto":
            raise InputError(f"{path}: not ALTO XML (root element is <{name}>)")
        return read_alto(root, source=path, dpi=dpi)
    if kind == "page" or (kind == "xml" and name == "PcGts"):
        if name != "PcGts":
            raise InputError(f"{path}: not PAGE XML (root element is <{name}>)")
        return read_page_xml(root, source=path)
    raise InputError(f"{path}: XML with root <{name}> is not hOCR, ALTO or PAGE XML")


def ocr_files(paths: list[Path]) -> list[Path]:
    """The OCR files named: files as given, folders expanded to their OCR files sorted by name."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in OCR_SUFFIXES)
            # a stored OCR folder's own files: word records, and the text a save replaced (ocr.store)
            found = [p for p in found if not p.name.endswith((".words.json", ".previous.txt"))]
            if not found:
                raise InputError(f"{path}: folder holds no OCR files ({', '.join(sorted(OCR_SUFFIXES))})")
            files.extend(found)
        else:
            files.append(path)
    return files


def read_ocr_files(paths: list[Path], *, format: str = "auto", dpi: int = 300) -> list[tuple[Path, ReadPage]]:
    """Every page the OCR files (or folders of them) hold, in order, each with the file it came from.

    Nothing is written; InputError names the first file that cannot be read.
    """
    pages: list[tuple[Path, ReadPage]] = []
    for path in ocr_files(paths):
        pages.extend((path, page) for page in read_ocr_file(path, format=format, dpi=dpi))
    return pages


def ocr_records(document: Document, pages: list[tuple[Path, ReadPage]]) -> list[OcrPage]:
    """The OCR records of `document`'s pages from pages read by `read_ocr_files`, in page order.

    The caller has checked that there is one read page per page of the document.
    """
    records = []
    index = 0
    for number, (path, page) in enumerate(pages, start=1):
        index = index + 1 if number > 1 and pages[number - 2][0] == path else 0
        # source_page: which page of its file this is (0 for the first), for writing corrections back into it
        options = {"source": path.name, "source_page": index, **page.details}
        records.append(
            OcrPage(
                document=document.id,
                number=number,
                text=page.text,
                words=page.words,
                engine=f"import:{page.format}",
                options=options,
            )
        )
    return records


def read_document_ocr(
    document: Document, paths: list[Path], *, format: str = "auto", dpi: int = 300
) -> list[OcrPage]:
    """Every page of `document` read from `paths` (files in page order, or folders of them), checked
    against the manifest's page count. Nothing is written; InputError names what does not fit."""
    pages = read_ocr_files(paths, format=format, dpi=dpi)
    if len(pages) != document.page_count:
        raise InputError(
            f"import into {document.id!r}: {len(pages)} page(s) of OCR in {len(ocr_files(paths))} file(s) "
            f"but the document has {document.page_count} (see {document.manifest_path})"
        )
    return ocr_records(document, pages)


KEPT_SOURCE_FORMATS = ("import:hocr", "import:alto", "import:page")


def save_imported_ocr(collection: Collection, records: list[OcrPage], sources: list[Path]) -> None:
    """Store imported OCR records in `collection`. The bytes of each page's hOCR, ALTO or PAGE XML file are
    kept with the page (`page-NNN.source`, written in the page's file set), so corrections can be written
    back into it; with one source file per page, an hOCR source is also kept whole as the page's hOCR."""

    hocr_by_page: dict[int, bytes | None] = {}
    if len(sources) == len(records):  # one file per page: an hOCR file can be kept whole
        for record, source in zip(records, sources, strict=True):
            # as bytes: an hOCR file in another encoding (Latin-1, declared in its head) stays readable as such
            hocr_by_page[record.number] = read_source_bytes(source) if record.engine == "import:hocr" else None
    files = iter(sources)
    path, data = None, None
    for record in records:
        if path is None or record.options.get("source_page", 0) == 0:  # the first page of the next file
            path = next(files)
            data = read_source_bytes(path) if record.engine in KEPT_SOURCE_FORMATS else None
        save_ocr_page(collection, record, hocr=hocr_by_page.get(record.number), source=data)


def import_ocr(
    collection: Collection, document: Document, paths: list[Path], *, format: str = "auto", dpi: int = 300
) -> list[OcrPage]:
    """Read OCR made elsewhere for every page of `document` and store it, all or nothing.

    Every file is read and checked before the first page is written; a malformed file or a page-count
    mismatch raises InputError and leaves the stored OCR as it was. hOCR sources are kept as the page's
    hOCR. Returns the stored pages.
    """
    records = read_document_ocr(document, paths, format=format, dpi=dpi)
    save_imported_ocr(collection, records, ocr_files(paths))
    return records


def declared_page_size(page: OcrPage) -> tuple[int, int] | None:
    """The (width, height) in pixels that an imported OCR source declared for its page (ALTO Page
    WIDTH/HEIGHT, hOCR ocr_page bbox, PAGE imageWidth/imageHeight), or None when it declared none."""
    size = page.options.get("page_size") if isinstance(page.options, dict) else None
    if (
        isinstance(size, list | tuple)
        and len(size) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) and v > 0 for v in size)
    ):
        return (round(size[0]), round(size[1]))
    return None
