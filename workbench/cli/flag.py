"""`workbench flag DOC`: list a document's flags (with or without gold), or score the no-gold flagger."""

from __future__ import annotations

import argparse
import json

from workbench.cli.batching import add_batch_options, open_batch
from workbench.corpus import Collection
from workbench.flags import evaluate_document, flag_document, flags_to_json


def register(commands: argparse._SubParsersAction) -> None:
    """Add `flag` to the command line."""
    parser = commands.add_parser(
        "flag",
        help="list likely OCR errors of a document (gold diff, or heuristics with --no-gold); --evaluate scores",
    )
    parser.add_argument("doc", help="document id")
    parser.add_argument("--no-gold", action="store_true", help="flag from the OCR alone (heuristics), no gold")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--evaluate",
        action="store_true",
        help="score the no-gold flags against the gold flags (precision, recall, F1, top-1/top-3)",
    )
    add_batch_options(parser)
    parser.set_defaults(run=run_flag)


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def evaluation_table(evaluation) -> str:
    """The evaluation as a plain-text table."""
    rows = [f"{'category':<20} {'gold':>5} {'found':>5} {'recall':>7} {'flags':>5} {'right':>5} {'prec.':>7} {'F1':>7}"]
    scores = [*evaluation.by_category.items(), ("overall", evaluation.overall)]
    for name, score in scores:
        rows.append(
            f"{name:<20} {score.gold:>5} {score.gold_found:>5} {_rate(score.recall):>7} {score.predicted:>5} "
            f"{score.predicted_correct:>5} {_rate(score.precision):>7} {_rate(score.f1):>7}"
        )
    rows.append(
        f"suggestions for {evaluation.misread_found} found misread words: top-1 {_rate(evaluation.top1)}, "
        f"top-3 {_rate(evaluation.top3)}; category agreement {_rate(evaluation.category_agreement)}"
    )
    return "\n".join(rows)


def run_flag(args: argparse.Namespace) -> int:
    collection = Collection.default()
    if args.evaluate:
        evaluation = evaluate_document(collection, args.doc)
        print(json.dumps(evaluation.to_dict(), indent=2) if args.json else evaluation_table(evaluation))
        return 0
    with open_batch(args) as batch:
        flags = flag_document(collection, args.doc, use_gold=not args.no_gold, batch=batch)
    if args.json:
        print(json.dumps(flags_to_json(flags), ensure_ascii=False, indent=1))
        return 0
    for flag in flags:
        suggestion = " | ".join(repr(s) for s in flag.suggestions[:3])
        where = f"p{flag.page}\t{flag.start}-{flag.end}"
        print(f"{where}\t{flag.category.value}\t{flag.confidence:.2f}\t{flag.text!r}\t-> {suggestion}")
    print(f"{len(flags)} flag(s)")
    return 0
