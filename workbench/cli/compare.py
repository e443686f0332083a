"""The `compare` command: GT and OCR files or folders scored against each other, without a document."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from workbench.cli.batching import add_batch_options, open_batch
from workbench.cli.comparison import add_comparison_options, comparison_options
from workbench.compare import compare_paths
from workbench.compare_report import comparison_dict, format_comparison, render_html
from workbench.errors import InputError
from workbench.fsutil import atomic_write_text


def register(commands: argparse._SubParsersAction) -> None:
    """Add `compare` to the command line."""
    compare = commands.add_parser(
        "compare",
        help="CER, WER and flexible character accuracy of OCR files or folders against GT, no document needed",
        description=(
            "Compare GT with OCR: two files, or two folders whose files are paired by stem (p1.gt.txt with "
            "p1.txt or p1.xml; unmatched files are listed). Each file may be plain text, hOCR, ALTO or PAGE "
            "XML, told by its content. Rates are fractions in JSON and percentages in the table; folder "
            "figures pool the pages' errors and lengths, with a 95%% bootstrap interval on the CER."
        ),
    )
    compare.add_argument("gt", type=Path, help="GT file or folder")
    compare.add_argument("ocr", type=Path, help="OCR file or folder")
    compare.add_argument("--json", action="store_true", help="print JSON (evaluate --json's keys) instead of a table")
    compare.add_argument("--html", type=Path, metavar="FILE", help="also write a self-contained HTML report to FILE")
    compare.add_argument(
        "--top", type=int, default=10, metavar="N", help="how many confusions to list (default: 10)"
    )
    compare.add_argument(
        "--seed", type=int, default=0, metavar="N", help="seed of the bootstrap interval (default: 0)"
    )
    fca = compare.add_mutually_exclusive_group()
    fca.add_argument(
        "--fca-grid",
        dest="fca",
        action="store_const",
        const="grid",
        default="default",
        help=(
            "flexible character accuracy over the paper's full grid of 768 weight sets (its definition, a "
            "little higher than the default set's figure; about 100 times slower). By default only the "
            "paper's default weights (25, 20, 1, 4) are tried: a fraction of a second per page"
        ),
    )
    fca.add_argument(
        "--no-fca",
        dest="fca",
        action="store_const",
        const="off",
        help="skip flexible character accuracy: for long texts (a 1 MB pair takes minutes even with one weight set)",
    )
    add_comparison_options(compare)
    add_batch_options(compare)
    compare.set_defaults(run=run_compare)


def run_compare(args: argparse.Namespace) -> int:
    """Compare, print the table or the JSON, and write the HTML report when asked."""
    if args.top < 0:
        raise InputError(f"--top {args.top}: must not be negative")
    options = comparison_options(args)
    with open_batch(args) as batch:
        result = compare_paths(args.gt, args.ocr, options=options, fca=args.fca, batch=batch)
    if args.html is not None:
        try:
            atomic_write_text(args.html, render_html(result, top=args.top, seed=args.seed))
        except OSError as error:
            raise InputError(f"{args.html}: cannot write the HTML report ({error.strerror})") from None
    if args.json:
        print(json.dumps(comparison_dict(result, top=args.top, seed=args.seed), ensure_ascii=False, indent=2))
    else:
        print(format_comparison(result, top=args.top, seed=args.seed))
    return 0
