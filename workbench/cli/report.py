"""`workbench report`: write a document's accuracy report, or every document's and the collection index."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.cli.batching import add_batch_options, open_batch
from workbench.corpus import Collection
from workbench.report import write_collection_report, write_document_report
from workbench.report.render import format_rate


def register(commands: argparse._SubParsersAction) -> None:
    """Add `report` to the command line."""
    report = commands.add_parser(
        "report",
        help="write an accuracy report (index.html, metrics.json, pages.csv, flags.csv, SVG charts)",
        description="Write a document's accuracy report into reports/DOC (or --out), or with --all every "
        "document's report and the collection index reports/index.html.",
    )
    target = report.add_mutually_exclusive_group(required=True)
    target.add_argument("doc", nargs="?", help="the document id")
    target.add_argument("--all", action="store_true", help="every document of the collection, and an index")
    report.add_argument(
        "--out",
        type=Path,
        help="folder to write into (default: reports/DOC, or reports/ with --all)",
    )
    add_batch_options(report)
    report.set_defaults(run=run_report)


def run_report(args: argparse.Namespace) -> int:
    collection = Collection.default()
    if args.all:
        # A document whose report fails is listed in the index with its error; the others are still written.
        with open_batch(args) as batch:
            written = write_collection_report(collection, out=args.out, batch=batch)
        for entry in written.entries:
            figures = entry.figures
            headline = (
                f"CER {format_rate(figures['cer'])}, body CER {format_rate(figures['body_cer'])}"
                if figures
                else entry.note
            )
            print(f"{entry.id}\t{headline}")
        print(f"wrote {written.index}")
        for entry in written.failed:
            print(f"workbench report: error: {entry.note}", file=sys.stderr)
        return 2 if written.failed else 0
    report, written = write_document_report(collection, args.doc, out=args.out)
    figures = report.metrics["document"]
    if figures:
        print(
            f"{args.doc}: CER {format_rate(figures['cer'])}, WER {format_rate(figures['wer'])}; "
            f"body CER {format_rate(figures['body_cer'])}, body WER {format_rate(figures['body_wer'])}"
        )
    for path in written.files:
        print(f"wrote {path}")
    return 0
