"""Flags of a whole document from the collection on disk: the I/O edge around the pure flaggers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from workbench.batch import Batch, Task
from workbench.corpus import Collection
from workbench.errors import CorpusError
from workbench.flags.gold import gold_flags
from workbench.flags.heuristic import heuristic_flags
from workbench.flags.lexicon import Lexicon
from workbench.images import image_size
from workbench.models import Document, Flag, OcrPage
from workbench.ocr.importers import declared_page_size
from workbench.ocr.store import load_ocr_pages

if TYPE_CHECKING:
    from workbench.learning import Learned


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


def flag_document(
    collection: Collection,
    document: Document | str,
    *,
    use_gold: bool,
    batch: Batch | None = None,
    learned: Learned | None = None,
) -> list[Flag]:
    """Every flag of a document's stored OCR, in page and text order.

    With `use_gold`, the gold-diff flags (CorpusError when the document has no gold); without, the
    heuristic flags, which read nothing of the gold. InputError when a page has no OCR. With `batch`
    (workbench.batch), runs of pages are flagged where it runs; the flags are the same. `learned`
    (workbench.learning.learned_for) revises the heuristic flags with what the reviewers taught.
    """
    if isinstance(document, str):
        document = collection.document(document)
    pages = load_ocr_pages(collection, document)
    if not use_gold:
        # The manifest's language drives the lexicon, hyphenation and stamp words; English when unsaid.
        language = getattr(document, "lang", "") or "eng"
        if batch is None:
            return heuristic_flags(
                pages, page_sizes=page_sizes(document, pages), language=language, learned=learned
            )
        # The document's lexicon is learnt here, from every page, and sent once to each worker.
        shared = {"lexicon": Lexicon.for_pages(pages, language=language), "page_sizes": page_sizes(document, pages),
                  "learned": learned}
        return _batch_flags(batch, heuristic_flags, [(run,) for run in batch.chunks(pages)], shared)
    if not collection.has_gold(document):
        raise CorpusError(f"{document.manifest_path}: document {document.id!r} has no gold to flag against")
    golds = collection.gold_pages(document)
    markings = [m for gold in golds for m in gold.markings]
    if batch is not None:
        runs = batch.chunks(list(zip(pages, golds, strict=True)))
        return _batch_flags(batch, _gold_run, [([p for p, _ in run], [g for _, g in run]) for run in runs],
                            {"document_markings": markings})
    return _gold_run(pages, golds, document_markings=markings)


def _gold_run(pages: Sequence[OcrPage], golds: Sequence, *, document_markings: Sequence) -> list[Flag]:
    """The gold-diff flags of a run of pages (a batch task, or the whole document)."""
    flags: list[Flag] = []
    for page, gold in zip(pages, golds, strict=True):
        flags.extend(gold_flags(page, gold, document_markings=document_markings))
    return flags


def _batch_flags(batch: Batch, function, runs: list[tuple], shared: dict) -> list[Flag]:
    """`function` over runs of pages where `batch` runs; the flags in page order."""
    tasks = [Task(f"pages {run[0][0].number}-{run[0][-1].number}", run) for run in runs]
    return [flag for flags in batch.map_all(function, tasks, shared=shared) for flag in flags]
