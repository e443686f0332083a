"""Commands about the collection itself: list documents, add one, show settings."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(commands: argparse._SubParsersAction) -> None:
    """Add `documents`, `add` and `settings` to the command line."""
    listing = commands.add_parser("documents", help="list the documents of the collection")
    listing.set_defaults(run=run_documents)

    add = commands.add_parser(
        "add",
        help="make a new document from page images (PNG, TIFF, JPEG) or PDFs, with optional gold text",
    )
    add.add_argument("doc", help="new document id: lowercase letters, digits, '.', '_', '-'")
    add.add_argument("scans", nargs="+", type=Path, metavar="SCAN", help="page images or PDFs, in page order")
    add.add_argument("--title", required=True, help="the document's title")
    add.add_argument("--gold", nargs="+", type=Path, metavar="TEXT", help="gold text files, one per page")
    add.add_argument("--date", default="", help="the document's date")
    add.add_argument("--provenance", default="", help="where the document comes from")
    add.set_defaults(run=run_add)

    show = commands.add_parser("settings", help="list every WORKBENCH_* setting with its default")
    show.set_defaults(run=run_settings)


def run_documents(args: argparse.Namespace) -> int:
    from workbench.corpus import Collection

    collection = Collection.default()
    for document in collection.documents():
        gold = document.gold if collection.has_gold(document) else "-"
        print(f"{document.id}\t{document.page_count} pages\tgold: {gold}\t{document.title}")
    return 0


def run_add(args: argparse.Namespace) -> int:
    from workbench.corpus import Collection, add_document

    document = add_document(
        Collection.default(),
        args.doc,
        title=args.title,
        sources=args.scans,
        gold=args.gold,
        date=args.date,
        provenance=args.provenance,
    )
    print(f"added {document.id}: {document.page_count} page(s) in {document.manifest_path.parent}")
    return 0


def run_settings(args: argparse.Namespace) -> int:
    from workbench.settings import describe

    for name, default, description in describe():
        print(f"{name}={default}\n    {description}")
    return 0
