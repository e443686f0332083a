"""`workbench correct`: a reviewer's text for one OCR line from a script, a logged line edit."""

from __future__ import annotations

import argparse

from workbench import review, transcript
from workbench.corpus import Collection
from workbench.store import open_store


def register(commands: argparse._SubParsersAction) -> None:
    """Add `correct` to the command line."""
    correct = commands.add_parser(
        "correct",
        help="replace one OCR line with your text (a logged line edit), or undo the edit in force on it",
        description="Line L is the line's 1-based number in the page's OCR text file "
        "(transcripts/ocr/DOC/page-NNN.txt), as the Transcribe page shows it. With --expect, the edit is "
        "refused (exit 2) unless the line still reads OLD, so a script never overwrites another reviewer's "
        "text unseen. The corrected transcript and its exports use the text; flags inside the line are "
        "settled by it.",
    )
    correct.add_argument("doc", help="document id")
    correct.add_argument("--page", type=int, required=True, metavar="N", help="page number (from 1)")
    correct.add_argument("--line", type=int, required=True, metavar="L", help="line number in the page's OCR text")
    what = correct.add_mutually_exclusive_group(required=True)
    what.add_argument("--text", metavar="T", help="what the line should read (one line; empty removes the line)")
    what.add_argument("--undo", action="store_true", help="withdraw the line edit in force on the line")
    correct.add_argument("--reviewer", required=True, help="who corrects (recorded with the edit)")
    correct.add_argument("--expect", metavar="OLD", help="refuse unless the line reads OLD now")
    correct.add_argument("--note", default="", help="a note recorded with the edit")
    correct.set_defaults(run=run_correct)


def run_correct(args: argparse.Namespace) -> int:
    store = open_store()
    collection = Collection.default()
    if args.undo:
        state = review.line_state(store, args.doc, args.page, args.line)
        review.undo_line(store, args.doc, args.page, args.line, reviewer=args.reviewer, version=state.version,
                         note=args.note)
        print(f"{args.doc} page {args.page} line {args.line}: edit undone")
        return 0
    made = transcript.correct_line(
        collection, store, args.doc, args.page, args.line, args.text, reviewer=args.reviewer, expect=args.expect,
        note=args.note,
    )
    print(f"{args.doc} page {args.page} line {args.line}: {made.before!r} -> {made.text!r} (by {made.reviewer})")
    return 0
