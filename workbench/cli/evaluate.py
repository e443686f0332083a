"""The `evaluate` command: a document's stored OCR scored against its gold, per page and overall."""

from __future__ import annotations

import argparse
import json

from workbench.cli.batching import add_batch_options, open_batch
from workbench.cli.comparison import add_comparison_options, comparison_options
from workbench.corpus import Collection
from workbench.evaluate import evaluate_document, evaluation_dict, format_table


def register(commands: argparse._SubParsersAction) -> None:
    """Add `evaluate` to the command line."""
    evaluate = commands.add_parser(
        "evaluate",
        help="CER and WER of a document's stored OCR against its gold, per page and for the document",
        description=(
            "Compare each page's stored OCR with its gold: cer/wer against the full page (markings "
            "included in reading order), body_cer/body_wer against the gold body. Rates are fractions "
            "in JSON and percentages in the table; document figures pool the pages' errors and lengths."
        ),
    )
    evaluate.add_argument("doc", help="document id")
    evaluate.add_argument("--json", action="store_true", help="print JSON instead of a table")
    evaluate.add_argument(
        "--top", type=int, default=10, metavar="N", help="how many confusions to list (default: 10)"
    )
    evaluate.add_argument(
        "--exact",
        action="store_true",
        help="align long texts with the full quadratic Levenshtein instead of the anchored one",
    )
    add_comparison_options(evaluate)
    add_batch_options(evaluate)
    evaluate.set_defaults(run=run_evaluate)


def run_evaluate(args: argparse.Namespace) -> int:
    """Score the document and print the table or the JSON."""
    options = comparison_options(args)
    with open_batch(args) as batch:
        evaluation = evaluate_document(Collection.default(), args.doc, options=options, exact=args.exact, batch=batch)
    if args.json:
        print(json.dumps(evaluation_dict(evaluation, top=args.top), ensure_ascii=False, indent=2))
    else:
        print(format_table(evaluation, top=args.top))
    return 0
