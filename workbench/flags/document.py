"""Flags of a whole document from the collection on disk: the I/O edge around the pure flaggers."""

from __future__ import annotations

from collections.abc import Sequence

from workbench.corpus import Collection
from workbench.errors import CorpusError
from workbench.flags.gold import gold_flags
from workbench.flags.heuristic import heuristic_flags
from workbench.images import image_size
from workbench.models import Document, Flag, OcrPage
from workbench.ocr.importers import declared_page_size
from workbench.ocr.store import load_ocr_pages


def page_sizes(document: Document, ocr_pages: Sequence[OcrPage] = ()) -> dict[int, tuple[int, int]]:
    """(width, height) in pixels of each page: its scan's (only the image header is read), else the size
    the imported OCR declared for it; pages with neither are left out (no page-position evidence)."""
    sizes = {}
    for page in document.pages:
        size = image_size(page.scan)
        if size is not None:
            sizes[page.number] = size
    for page in ocr_pages:
        declared = declared_page_size(page)
        if page.number not in sizes and declared is not None:
            sizes[page.number] = declared
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
        # The manifest's language drives the lexicon, hyphenation and stamp words; English when unsaid.
        language = getattr(document, "lang", "") or "eng"
        return heuristic_flags(pages, page_sizes=page_sizes(document, pages), language=language)
    if not collection.has_gold(document):
        raise CorpusError(f"{document.manifest_path}: document {document.id!r} has no gold to flag against")
    golds = collection.gold_pages(document)
    markings = [m for gold in golds for m in gold.markings]
    flags: list[Flag] = []
    for page, gold in zip(pages, golds, strict=True):
        flags.extend(gold_flags(page, gold, document_markings=markings))
    return flags
