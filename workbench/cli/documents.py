"""Commands about the collection itself: list documents, add one, show settings."""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench import iiif
from workbench.corpus import Collection, add_document
from workbench.errors import CorpusError
from workbench.ocr.store import has_ocr
from workbench.settings import describe


def register(commands: argparse._SubParsersAction) -> None:
    """Add `documents`, `add` and `settings` to the command line."""
    listing = commands.add_parser("documents", help="list the documents of the collection")
    listing.set_defaults(run=run_documents)

    add = commands.add_parser(
        "add",
        help="make a new document from page images or PDFs, OCR files and/or gold text",
        description="Pages come from the scans (PNG, TIFF, JPEG, PDF) when there are any, else from the "
        "--ocr files (hOCR, ALTO v2-v4, PAGE XML or plain text; a file may hold several pages, plain text "
        "separated by form feeds), else from the --gold files (plain text, one per page or pages separated "
        "by form feeds). Whatever else is given must have as many pages. All or nothing.",
    )
    add.add_argument("doc", help="new document id: lowercase letters, digits, '.', '_', '-'")
    add.add_argument(
        "scans", nargs="*", type=Path, metavar="SCAN", help="page images or PDFs, in page order (optional)"
    )
    add.add_argument("--title", required=True, help="the document's title")
    add.add_argument(
        "--ocr", nargs="+", type=Path, metavar="FILE", help="OCR files or folders of them, in page order"
    )
    add.add_argument(
        "--gold", nargs="+", type=Path, metavar="FILE", help="gold text files, one per page or form-feed-separated"
    )
    add.add_argument("--ocr-format", default="auto", choices=("auto", "hocr", "alto", "page", "text"))
    add.add_argument("--dpi", type=int, default=300, help="for ALTO positions in mm10 or inch1200 (default 300)")
    add.add_argument("--lang", default="", help="Tesseract language code(s) of the text, e.g. eng or eng+fra")
    add.add_argument(
        "--gold-line-hyphens", default="joined", choices=("joined", "kept"),
        help="kept: the gold keeps words split at line ends as typed (ALTO lines, column lines); default joined",
    )
    add.add_argument(
        "--iiif", metavar="MANIFEST",
        help="take the pages from a IIIF Presentation 2 or 3 manifest (a file or an http(s) URL) instead of scans",
    )
    add.add_argument(
        "--iiif-size", default="max", metavar="SIZE",
        help="the size the images are taken at: max (default), a width in pixels, or an Image API size",
    )
    add.add_argument("--date", default="", help="the document's date")
    add.add_argument("--provenance", default="", help="where the document comes from")
    # Scans after the options (`add DOC --title T scan.tif`) are scans too, as a user types them.
    add.set_defaults(run=run_add, trailing=("scans", Path))

    show = commands.add_parser("settings", help="list every WORKBENCH_* setting with its default")
    show.set_defaults(run=run_settings)


def run_documents(args: argparse.Namespace) -> int:
    collection = Collection.default()
    for document in collection.documents():
        has_gold = collection.has_gold(document)
        gold = document.gold if has_gold else "-"
        holds = [
            name
            for name, present in (
                ("scans", document.has_scans),
                ("OCR", has_ocr(collection, document)),
                ("gold", has_gold),
            )
            if present
        ]
        lang = f"\tlang: {document.lang}" if document.lang else ""
        print(
            f"{document.id}\t{document.page_count} pages\tgold: {gold}\t{document.title}"
            f"\thas: {', '.join(holds) or 'nothing yet'}{lang}"
        )
    return 0


def run_add(args: argparse.Namespace) -> int:
    collection = Collection.default()
    options = dict(
        title=args.title, gold=args.gold, ocr=args.ocr, lang=args.lang, date=args.date,
        provenance=args.provenance, ocr_format=args.ocr_format, dpi=args.dpi,
        gold_line_hyphens=args.gold_line_hyphens,
    )
    if args.iiif:
        if args.scans:
            raise CorpusError(f"add {args.doc}: give scans or --iiif, not both")
        document = iiif.add_from_manifest(collection, args.doc, args.iiif, size=args.iiif_size, **options)
    else:
        document = add_document(collection, args.doc, sources=args.scans, **options)
    given = (("IIIF images", args.iiif), ("scans", args.scans), ("OCR", args.ocr), ("gold", args.gold))
    made = [name for name, value in given if value]
    print(
        f"added {document.id}: {document.page_count} page(s) ({', '.join(made)}) "
        f"in {document.manifest_path.parent}"
    )
    return 0


def run_settings(args: argparse.Namespace) -> int:
    for name, default, description in describe():
        print(f"{name}={default}\n    {description}")
    return 0
