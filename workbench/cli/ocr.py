"""Commands that produce a document's OCR: `ocr` (Tesseract) and `import-ocr` (OCR made elsewhere)."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from tqdm import tqdm

from workbench import settings
from workbench.cli.batching import add_batch_options, open_batch
from workbench.corpus import Collection
from workbench.errors import InputError, StoreError
from workbench.ocr.importers import import_ocr
from workbench.ocr.options import BINARIZATIONS, document_options
from workbench.ocr.run import run_ocr


def register(commands: argparse._SubParsersAction) -> None:
    """Add `ocr` and `import-ocr` to the command line."""
    ocr = commands.add_parser(
        "ocr",
        help="run Tesseract on every page of a document (cached; pages in parallel)",
        description="OCR every page into transcripts/ocr/DOC/ (page-NNN.txt, .words.json, .hocr). Options "
        "default to the manifest's \"ocr\" object, then WORKBENCH_LANG; flags override both. Exit status "
        "1 when some pages failed (each is named on stderr), 2 when nothing could run.",
    )
    ocr.add_argument("docs", nargs="+", metavar="DOC", help="document id(s)")
    ocr.add_argument("--lang", help="Tesseract language(s), e.g. eng or eng+deu")
    ocr.add_argument("--psm", type=int, help="page segmentation mode 0-13 (default 3, automatic layout)")
    ocr.add_argument("--oem", type=int, help="engine mode 0-3 (default 3)")
    ocr.add_argument(
        "--dpi", type=int,
        help="scan resolution (default: the file's when plausible for its pixel size, else estimated from it)",
    )
    ocr.add_argument("--binarize", choices=BINARIZATIONS, help="binarize before OCR (default none: Tesseract's own)")
    ocr.add_argument(
        "--deskew", action=argparse.BooleanOptionalAction, default=None, help="straighten tilted pages (up to 5°)"
    )
    ocr.add_argument(
        "--grayscale", action=argparse.BooleanOptionalAction, default=None, help="convert to gray first (default on)"
    )
    ocr.add_argument(
        "--second-reading", action=argparse.BooleanOptionalAction, default=None,
        help="when the prepared scan differs from what plain Tesseract reads, also read the file as it is and "
        "keep the more confident reading (default on)",
    )
    ocr.add_argument("--timeout", type=int, help="seconds per page (default WORKBENCH_OCR_TIMEOUT)")
    add_batch_options(ocr, jobs=True)
    ocr.set_defaults(run=run_ocr_command)

    imp = commands.add_parser(
        "import-ocr",
        help="import OCR made elsewhere (hOCR, ALTO v2-v4, PAGE XML, plain text) into a document",
        description="Read one OCR file per page, in page order (or folders of them, sorted by name); the "
        "format is recognised from the content. Nothing is written unless every file reads and the page "
        "count matches the document.",
    )
    imp.add_argument("doc", metavar="DOC", help="document id")
    imp.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="OCR files or folders")
    imp.add_argument("--format", default="auto", choices=("auto", "hocr", "alto", "page", "text"))
    imp.add_argument("--dpi", type=int, default=300, help="for ALTO positions in mm10 or inch1200 (default 300)")
    imp.set_defaults(run=run_import)


def _progress_bar(total: int, label: str):
    """A tqdm bar on stderr, or a silent stand-in when WORKBENCH_PROGRESS is off."""
    if not settings.get("WORKBENCH_PROGRESS"):
        return contextlib.nullcontext(_NoBar())
    return tqdm(total=total, desc=label, unit="page", file=sys.stderr)


class _NoBar:
    def update(self, count: int) -> None:
        """Nothing to show."""


def run_ocr_command(args: argparse.Namespace) -> int:
    if args.jobs is not None and args.jobs < 1:
        raise InputError(f"--jobs must be at least 1, got {args.jobs}")
    if args.timeout is not None and args.timeout < 1:
        raise InputError(f"--timeout must be at least 1 second, got {args.timeout}")
    collection = Collection.default()
    documents = [collection.document(doc_id) for doc_id in args.docs]
    overrides = {
        "lang": args.lang,
        "psm": args.psm,
        "oem": args.oem,
        "dpi": args.dpi,
        "binarize": args.binarize,
        "deskew": args.deskew,
        "grayscale": args.grayscale,
        "second_reading": args.second_reading,
    }
    status = 0
    with open_batch(args) as batch:
        for document in documents:
            options = document_options(document, overrides)
            status = max(status, _ocr_document(collection, document, options, args, batch))
    return status


def _ocr_document(collection: Collection, document, options, args: argparse.Namespace, batch) -> int:
    """OCR one document where `batch` runs (None: the local pool), print what happened; the exit status."""
    with _progress_bar(document.page_count, document.id) as bar:
        result = run_ocr(
            collection,
            document,
            options=options,
            jobs=args.jobs,
            timeout=args.timeout,
            progress=lambda event: bar.update(1),
            batch=batch,
        )
    for failure in result.failures:
        print(f"workbench ocr: page {failure.page} failed: {failure.message}", file=sys.stderr)
    print(
        f"{document.id}: {len(result.pages_done)} of {document.page_count} page(s) OCRed "
        f"({len(result.read)} read, {len(result.cached)} from cache) with {result.engine} "
        f"in {result.seconds:.1f} s -> {collection.ocr_dir(document.id)}"
    )
    if result.read:
        _reanchor(collection, document.id, "ocr")
    if not result.failures:
        return 0
    pages = ", ".join(str(f.page) for f in result.failures)
    print(f"workbench ocr: {document.id}: page(s) {pages} failed", file=sys.stderr)
    return 1


def run_import(args: argparse.Namespace) -> int:
    collection = Collection.default()
    document = collection.document(args.doc)
    pages = import_ocr(collection, document, args.paths, format=args.format, dpi=args.dpi)
    formats = sorted({page.engine.removeprefix("import:") for page in pages})
    print(
        f"{document.id}: imported {len(pages)} page(s) of {', '.join(formats)} OCR "
        f"-> {collection.ocr_dir(document.id)}"
    )
    _reanchor(collection, document.id, "import-ocr")
    return 0


def _reanchor(collection: Collection, document_id: str, command: str) -> None:
    """Decisions made on the OCR just replaced are moved onto the new text at once (and those that cannot be
    placed listed), so that re-running the OCR never silently drops a reviewer's work."""
    # Imported here: only a run that read pages needs the review store and the aligner.
    from workbench.reanchor import reanchor_if_reviewed
    from workbench.store import open_store

    try:
        store = open_store()
        try:
            lines = reanchor_if_reviewed(collection, store, document_id)
        finally:
            store.close()
    except StoreError as error:
        # The new OCR is stored; the decisions wait, untouched, for `review --reanchor`.
        print(f"workbench {command}: {document_id}: decisions not re-anchored ({error}); "
              f"run `workbench review {document_id} --reanchor` when the review store is readable", file=sys.stderr)
        return
    if lines:
        print("\n".join(lines))
