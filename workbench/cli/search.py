"""`workbench search`: every hit of a pattern across the collection, and a replacement as one batch."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import TYPE_CHECKING

from workbench.errors import ReviewError

if TYPE_CHECKING:
    from workbench import search


def register(commands: argparse._SubParsersAction) -> None:
    """Add `search` to the command line."""
    parser = commands.add_parser(
        "search",
        help="find a word, phrase or pattern in every line of every document, and replace hits as one batch",
        description="Searches the lines as they read now (the OCR with the line edits and decisions applied), "
        "as the Transcribe page shows them; hits are numbered in document, page, line order. With --replace, "
        "the hits (all, or those given by --hit) are replaced as one batch of line edits in --reviewer's name: "
        "the lines are listed before and after, a line another reviewer changed since the search is refused "
        "(that line only), and `workbench review DOC --undo-last --reviewer R` undoes the batch as one.",
    )
    parser.add_argument("pattern", help="what to look for (one line)")
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--regex", action="store_true", help="PATTERN is a Python regular expression")
    how.add_argument(
        "--fuzzy", type=int, metavar="K", help="match words (runs of as many words as PATTERN has) within K edits"
    )
    parser.add_argument("-i", "--ignore-case", action="store_true", help="case does not count")
    parser.add_argument("--doc", action="append", metavar="DOC", help="search this document only (repeatable)")
    parser.add_argument("--json", action="store_true", help="print the hits (or the replacement) as JSON")
    parser.add_argument("--replace", metavar="TEXT", help="replace the hits with TEXT (\\1 for a --regex group)")
    parser.add_argument("--hit", type=int, action="append", metavar="N", help="replace hit N only (repeatable)")
    parser.add_argument("--reviewer", help="who replaces (recorded with every line edit; needed with --replace)")
    parser.add_argument("--dry-run", action="store_true", help="with --replace: show the lines, write nothing")
    parser.set_defaults(run=run_search)


def run_search(args: argparse.Namespace) -> int:
    """Search (and with --replace, replace) as the arguments say; print the hits or the lines replaced."""
    # Imported here, not at the top: `workbench --help` registers every command without loading the search.
    from workbench import search
    from workbench.corpus import Collection
    from workbench.search import SearchMode, SearchQuery
    from workbench.store import open_store

    if args.replace is None and (args.hit or args.reviewer or args.dry_run):
        raise ReviewError("search: --hit, --reviewer and --dry-run go with --replace")
    if args.replace is not None and not args.dry_run and not args.reviewer:
        raise ReviewError("search: --replace needs --reviewer (who replaces)")
    mode = SearchMode.REGEX if args.regex else SearchMode.FUZZY if args.fuzzy is not None else SearchMode.PLAIN
    query = SearchQuery(
        args.pattern, mode, edits=args.fuzzy or 0, documents=tuple(args.doc) if args.doc else None,
        ignore_case=args.ignore_case,
    )
    collection = Collection.default()
    store = open_store()
    result = search.search(collection, store, query)
    if args.json or args.replace is not None:
        _note_without_ocr(result)
    if args.replace is None:
        _print_hits(result, as_json=args.json)
        return 0
    plan = search.plan_replace(result, args.replace, hits=args.hit)
    if args.dry_run:
        _print_plan(plan, None, as_json=args.json)
        return 0
    done = search.apply_plan(collection, store, plan, reviewer=args.reviewer)
    _print_plan(plan, done, as_json=args.json)
    return 0


def _print_hits(result: search.SearchResult, *, as_json: bool) -> None:
    if as_json:
        print(json.dumps({
            "hits": [asdict(h) for h in result.hits], "lines": result.lines, "pages": result.pages,
            "without_ocr": [{"document": d, "page": p} for d, p in result.without_ocr],
        }, ensure_ascii=False, indent=1))
        return
    for hit in result.hits:
        text = hit.line_text
        print(f"{hit.number}\t{hit.document}\t{hit.page}\t{hit.line}\t{text[: hit.start]}[{hit.text}]{text[hit.end :]}")
    print(f"{len(result)} hit(s) in {result.pages} page(s) of {len(result.documents)} document(s)")
    _note_without_ocr(result)


def _note_without_ocr(result: search.SearchResult) -> None:
    if result.without_ocr:
        documents = sorted({doc for doc, _ in result.without_ocr})
        print(f"note: {len(result.without_ocr)} page(s) have no OCR yet and were not searched "
              f"({', '.join(documents)}: run `workbench ocr DOC`)", file=sys.stderr)


def _print_plan(plan: search.ReplacePlan, done: search.ReplaceResult | None, *, as_json: bool) -> None:
    refused = {(r.change.document, r.change.page, r.change.line): r.reason for r in (done.refused if done else ())}
    if as_json:
        print(json.dumps({
            "changes": [asdict(c) for c in plan.changes],
            "batch": done.batch if done else None,
            "written": len(done.applied) if done else 0,
            "refused": [{"document": d, "page": p, "line": n, "reason": why} for (d, p, n), why in refused.items()],
        }, ensure_ascii=False, indent=1))
        return
    for change in plan.changes:
        print(f"{change.where}\n  - {change.before}\n  + {change.after}")
    if done is None:
        print(f"dry run: {plan.hits} hit(s) on {len(plan.changes)} line(s) would be replaced; nothing written")
        return
    for reason in refused.values():
        print(f"refused: {reason}")
    touched = sorted({e.document for e in done.applied})
    print(
        f"replaced on {len(done.applied)} line(s) as one batch ({done.batch or 'nothing written'}), "
        f"{len(refused)} refused; undo with `workbench review {touched[0] if touched else 'DOC'} --undo-last "
        f"--reviewer {done.applied[0].reviewer if done.applied else 'R'}`"
    )
