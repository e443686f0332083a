"""Flags of a whole document from the collection on disk: the I/O edge around the pure flaggers."""

from __future__ import annotations

from PIL import Image, UnidentifiedImageError

from workbench.corpus import Collection
from workbench.errors import CorpusError
from workbench.flags.gold import gold_flags
from workbench.flags.heuristic import heuristic_flags
from workbench.models import Document, Flag
from workbench.ocr.store import load_ocr_pages


def page_sizes(document: Document) -> dict[int, tuple[int, int]]:
    """(width, height) in pixels of each page's scan that exists; only the image header is read."""
    sizes = {}
    for page in document.pages:
        if page.scan is None or not page.scan.exists():
            continue
        try:
            with Image.open(page.scan) as image:
                sizes[page.number] = image.size
        except (OSError, UnidentifiedImageError):
            continue  # an unreadable scan only costs the page-position evidence
    return sizes


def flag_document(collection: Collection, document: Document | str, *, use_gold: bool) -> list[Flag]:
    """Every flag of a document's stored OCR, in page and text order.

    With `use_gold`, the gold-diff flags (CorpusError when the document has no gold); without, the
    heuristic flags, which read nothing of the gold. InputError when a page has no OCR.
    """
    if isinstance(document, str):
        document = collection.document(document)
    pages = load_ocr_pages(collection, document)
    if not use_gold:
        return heuristic_flags(pages, page_sizes=page_sizes(document))
    if not collection.has_gold(document):
        raise CorpusError(f"{document.manifest_path}: document {document.id!r} has no gold to flag against")
    golds = collection.gold_pages(document)
    markings = [m for gold in golds for m in gold.markings]
    flags: list[Flag] = []
    for page, gold in zip(pages, golds, strict=True):
        flags.extend(gold_flags(page, gold, document_markings=markings))
    return flags
