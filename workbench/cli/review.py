"""Commands of the review: scripted decisions, page status, the corrected transcript, gold errata, the store."""

from __future__ import annotations

import argparse
import json
import sys

from workbench import exporters, goldrevision, reanchor, review, transcript, views
from workbench.corpus import Collection
from workbench.errors import ReviewError
from workbench.models import DecisionAction, FlagCategory, FlagSource
from workbench.ocr.store import load_previous_text
from workbench.review.state import (
    describe_decision,
    describe_dispute,
    describe_flag,
    plain_time,
    quoted,
    what_it_did,
)
from workbench.store import check_integrity, head_revision, open_store, schema_revision, upgrade_schema


def register(commands: argparse._SubParsersAction) -> None:
    """Add `review`, `page-status`, `export`, `gold-errata`, `gold-revise` and `db` to the command line."""
    review = commands.add_parser(
        "review",
        help="show review progress, or decide flags from a script: --accept the top suggestions, --decide one "
        "flag, --undo-last",
        description="Without an action, print the document's review progress and the flags two reviewers "
        "dispute. With --accept, refresh the document's flags and accept the top suggestion of every open flag "
        "that matches the filters (all open flags when none is given), each as a logged decision of one batch. "
        "With --decide ACTION --flag KEY, decide one flag; deciding over another reviewer's decision needs "
        "--override and a --note saying why.",
    )
    review.add_argument("doc", help="document id")
    review.add_argument("--reviewer", help="who decides (recorded with every decision)")
    action = review.add_mutually_exclusive_group()
    action.add_argument("--accept", action="store_true", help="accept the top suggestion of every matching open flag")
    action.add_argument("--undo-last", action="store_true", help="undo the reviewer's latest decision or batch")
    action.add_argument(
        "--decide", choices=[a.value for a in DecisionAction if a is not DecisionAction.UNDO], metavar="ACTION",
        help="decide the flag given by --flag: accept (a suggestion), keep_ocr, edit or gold_wrong (with --text)",
    )
    action.add_argument(
        "--sync", action="store_true", help="run the flagger and store the document's current flags (no decision)"
    )
    action.add_argument(
        "--list", choices=["open", "decided", "disputed", "all"], metavar="STATUS",
        help="list the stored flags of that status (open, decided, disputed, all) with the keys --flag takes",
    )
    action.add_argument(
        "--groups", action="store_true",
        help="list the learned groups of the open no-gold flags: those whose top suggestion a confusion the "
        "reviewers taught explains (numbered for --accept-group; --json for a script)",
    )
    action.add_argument(
        "--accept-group", type=int, metavar="N",
        help="accept the top suggestion of every flag of learned group N (as --groups numbers them) as one batch, "
        "but those given to --except; a flag decided meanwhile by someone else is refused alone",
    )
    action.add_argument(
        "--reanchor", action="store_true",
        help="after the OCR was run again: move the decisions and line edits made on the old OCR onto the new "
        "text, and list those that cannot be placed",
    )
    review.add_argument(
        "--category", action="append", choices=[c.value for c in FlagCategory], metavar="C",
        help="only flags of this category (repeatable): " + ", ".join(c.value for c in FlagCategory),
    )
    review.add_argument("--min-confidence", type=float, metavar="X", help="only flags with confidence >= X (0..1)")
    review.add_argument("--no-gold", action="store_true", help="use the no-gold (heuristic) flags even with gold")
    review.add_argument("--note", default="", help="a note recorded with each decision (an override needs one)")
    review.add_argument("--flag", metavar="KEY", help="the flag --decide decides (keys as progress lists them)")
    review.add_argument("--text", help="the text of --decide: a suggestion to accept, your reading, the gold's")
    review.add_argument("--json", action="store_true", help="--groups as JSON")
    review.add_argument(
        "--except", dest="untick", action="append", default=[], metavar="KEY",
        help="with --accept-group: leave this flag of the group open (repeatable; keys as --groups lists them)",
    )
    review.add_argument(
        "--override", action="store_true",
        help="let --decide decide over another reviewer's decision in force (needs --note saying why)",
    )
    review.set_defaults(run=run_review)

    status = commands.add_parser("page-status", help="set a page's review status (validated needs a second reviewer)")
    status.add_argument("doc", help="document id")
    status.add_argument("page", type=int, help="page number")
    status.add_argument("status", choices=["not_reviewed", "in_review", "reviewed", "validated"])
    status.add_argument("--reviewer", required=True, help="who sets it")
    status.add_argument("--note", default="")
    status.add_argument(
        "--despite-open-flags", action="store_true",
        help="mark the page reviewed or validated although some of its flags are open (the count is recorded)",
    )
    status.set_defaults(run=run_page_status)

    export = commands.add_parser(
        "export",
        help="write the corrected transcript (OCR + decisions) as txt, json (with provenance) or alto, or "
        "write the corrections back into the imported hOCR, ALTO or PAGE files (--into-source)",
        description="Without --out the whole document goes to standard output (txt: pages separated by a "
        "form feed). --out FILE writes the whole document; --out DIR/ (an existing folder or a path ending "
        "in /) also writes one file per page (txt, alto; page: PAGE XML 2019, one file a page). --save writes "
        "to transcripts/corrected/DOC/. "
        "--into-source with --format alto, hocr or page writes the files the pages were imported from with "
        "only the corrected words changed (a processing step recorded); several files go into --out DIR/.",
    )
    export.add_argument("doc", help="document id")
    export.add_argument("--format", choices=list(exporters.FORMATS), default="txt")
    export.add_argument(
        "--into-source", action="store_true",
        help="write the corrections back into the imported source files (alto, hocr, page)",
    )
    where = export.add_mutually_exclusive_group()
    # A string, not a Path: Path() would drop the trailing slash that asks for per-page files.
    where.add_argument("--out", metavar="PATH", help="file, or folder (ending in /) for per-page files")
    where.add_argument("--save", action="store_true", help="write per-page files under transcripts/corrected/DOC/")
    export.add_argument("--keep-stamp-noise", action="store_true", help="switch off the rule dropping stamp noise")
    export.add_argument("--keep-hyphenation", action="store_true", help="switch off the rule joining hyphenation")
    export.set_defaults(run=run_export)

    rules = commands.add_parser(
        "rules",
        help="show or switch a document's automatic transcript rules (drop stamp noise, join hyphenation)",
        description="Without --on/--off, print the rules in force. Each switch is a logged event with the "
        "reviewer and time; export, the app and the report then apply the rules in force.",
    )
    rules.add_argument("doc", help="document id")
    rules.add_argument("--on", action="append", default=[], metavar="RULE", help="switch a rule on (repeatable)")
    rules.add_argument("--off", action="append", default=[], metavar="RULE", help="switch a rule off (repeatable)")
    rules.add_argument("--reviewer", help="who switches (required with --on/--off)")
    rules.set_defaults(run=run_rules)

    errata = commands.add_parser("gold-errata", help="list the decisions that mark the gold wrong")
    errata.add_argument("doc", help="document id")
    errata.set_defaults(run=run_gold_errata)

    revise = commands.add_parser(
        "gold-revise",
        help="write a new gold revision from the pending gold errata (the old pages are kept)",
    )
    revise.add_argument("doc", help="document id")
    revise.add_argument("--reviewer", required=True, help="who makes the revision")
    revise.set_defaults(run=run_gold_revise)

    db = commands.add_parser("db", help="show the review store (WORKBENCH_DB) and its schema revision; upgrade it")
    db.add_argument("action", nargs="?", choices=["status", "upgrade"], default="status")
    db.set_defaults(run=run_db)


def _store():
    return open_store()


def run_review(args: argparse.Namespace) -> int:
    collection = Collection.default()
    document = collection.document(args.doc)
    if not args.accept and (args.category or args.min_confidence is not None):
        raise ReviewError(f"review {args.doc}: --category and --min-confidence choose flags for --accept")
    if args.no_gold and not (args.accept or args.sync or args.groups or args.accept_group is not None):
        raise ReviewError(f"review {args.doc}: --no-gold chooses the flags of --accept, --sync or the learned groups")
    if (args.decide is None) != (args.flag is None):
        raise ReviewError(f"review {args.doc}: --decide and --flag go together (which flag, and what to decide)")
    if args.decide is None and (args.text is not None or args.override):
        raise ReviewError(f"review {args.doc}: --text and --override belong to --decide")
    if args.json and not args.groups:
        raise ReviewError(f"review {args.doc}: --json belongs to --groups")
    if args.untick and args.accept_group is None:
        raise ReviewError(f"review {args.doc}: --except belongs to --accept-group")
    store = _store()
    lines = _lines(collection, store, args.doc)  # read once: only an undone replace batch changes them below
    if args.groups or args.accept_group is not None:
        return _run_groups(args, collection, document, store, lines)
    if args.accept or args.undo_last or args.decide:
        reviewer = review.reviewer_name(args.reviewer)
    if args.sync:
        use_gold = False if args.no_gold else collection.has_gold(document)
        synced = review.refresh_flags(collection, store, args.doc, use_gold=use_gold)
        print(
            f"{args.doc}: {synced.added + synced.updated + synced.unchanged} {'gold' if use_gold else 'no-gold'} "
            f"flags stored ({synced.added} new, {synced.updated} changed, {synced.stale} gone stale)"
        )
    if args.accept:
        use_gold = False if args.no_gold else collection.has_gold(document)
        synced = review.refresh_flags(collection, store, args.doc, use_gold=use_gold)
        batch = review.accept_all(
            store,
            args.doc,
            reviewer=reviewer,
            categories=args.category,
            min_confidence=args.min_confidence,
            source=FlagSource.GOLD if use_gold else FlagSource.HEURISTIC,
            note=args.note or "scripted review",
            lines=lines,
        )
        source = "gold" if use_gold else "no-gold"
        print(
            f"{args.doc}: {synced.added + synced.updated + synced.unchanged} {source} flags "
            f"({synced.added} new, {synced.stale} gone stale); accepted {len(batch)}"
        )
    elif args.undo_last:
        batch = review.undo_last(store, args.doc, reviewer=reviewer)
        if batch.lines:
            lines = _lines(collection, store, args.doc)
            touched = sorted({e.document for e in batch.lines})
            print(f"{args.doc}: undid {len(batch.lines)} line edit(s) of one replace, in {', '.join(touched)}")
        else:
            print(f"{args.doc}: undid {len(batch)} decision(s)")
    elif args.reanchor:
        print("\n".join(reanchor.summary(args.doc, reanchor.reanchor_document(collection, store, args.doc))))
    elif args.list:
        where = review.QueueFilter.of(
            status=args.list if args.list in ("open", "decided") else None, disputed=args.list == "disputed"
        )
        for item in review.stored_queue(store, args.doc, where, lines=lines).items:
            now = "open" if item.decision is None else describe_decision(item.decision)
            print(f"{item.key}\t{describe_flag(item.flag)}\t{'disputed: ' if item.dispute else ''}{now}")
    elif args.decide:
        flag = review.flag_state(store, args.doc, args.flag)
        decided = review.decide(
            store, args.doc, args.flag, action=args.decide, reviewer=reviewer, version=flag.version, text=args.text,
            note=args.note, override=args.override,
        )
        print(f"{args.doc}: {describe_flag(flag.flag)}: {reviewer} {what_it_did(decided)}")
    state = review.progress(store, args.doc, pages=[p.number for p in document.pages], lines=lines)
    print(
        f"{args.doc}: {state.decided}/{state.flags} flags decided ({100 * state.fraction:.0f}%), "
        f"{state.disputed} disputed, reviewers: {', '.join(state.reviewers) or '-'}"
    )
    for page in state.pages:
        left_open = f" with {page.open_when_set} flags open" if page.open_when_set else ""
        print(f"  page {page.page}\t{page.decided}/{page.flags} decided\t{page.status.label}{left_open}")
    for item in review.flag_states(store, args.doc, include_stale=True):
        if item.dispute is not None:
            print(f"  {describe_flag(item.flag)} [{item.key}] is {describe_dispute(item.dispute)}")
    return 0


def _groups(collection: Collection, document, store, lines, *, no_gold: bool):
    """The document's learned groups over its no-gold flags, synced first (revised by what was learned)."""
    if collection.has_gold(document) and not no_gold:
        raise ReviewError(
            f"review {document.id}: learned groups are of the no-gold flags, and this document is reviewed with "
            "its gold flags (add --no-gold)"
        )
    review.refresh_flags(collection, store, document.id, use_gold=False)
    return review.learned_groups(store, document.id, language=document.lang, lines=lines)


def _run_groups(args: argparse.Namespace, collection: Collection, document, store, lines) -> int:
    """--groups (a listing, or JSON) and --accept-group N."""
    reviewer = review.reviewer_name(args.reviewer) if args.accept_group is not None else None
    groups = _groups(collection, document, store, lines, no_gold=args.no_gold)
    if args.groups:
        listed = [
            {
                "number": number,
                "confusions": [{"read": read, "meant": meant} for read, meant in group.confusions],
                # a deletion group: the flag category whose flags it deletes, and how many such were decided
                "deletes": group.category.value if group.category is not None else None,
                "decided": group.decided if group.category is not None else None,
                "taught": group.taught,
                "description": group.describe(),
                "members": [
                    {
                        "key": member.key, "page": place.flag.page, "line": place.line, "reads": place.flag.text,
                        "suggestion": member.suggestion,
                        "context": [place.context.before, place.context.text, place.context.after],
                    }
                    for member, place in zip(
                        group.members,
                        views.occurrences_in_context(collection, document, [m.state.flag for m in group.members]),
                        strict=True,
                    )
                ],
            }
            for number, group in enumerate(groups, start=1)
        ]
        if args.json:
            print(json.dumps({"document": args.doc, "groups": listed}, ensure_ascii=False, indent=1))
            return 0
        if not listed:
            print(f"{args.doc}: no learned group (no confusion or deletion taught often enough covers "
                  "enough open flags)")
        for group in listed:
            print(f"group {group['number']}: {group['description']}")
            for member in group["members"]:
                before, text, after = member["context"]
                print(f"  {member['key']}	page {member['page']} line {member['line']}	"
                      f"{quoted(member['reads'])} -> {quoted(member['suggestion'])}	{before}[{text}]{after}")
        return 0
    if not 1 <= args.accept_group <= len(groups):
        have = f"groups 1 to {len(groups)}" if groups else "no learned group"
        raise ReviewError(f"review {args.doc}: no learned group {args.accept_group} (it has {have}; see --groups)")
    group = groups[args.accept_group - 1]
    done = review.accept_group(store, args.doc, group, reviewer=reviewer, untick=args.untick, note=args.note,
                               lines=lines)
    print(f"{args.doc}: {reviewer} accepted {len(done.batch)} of the {len(group.members)} flags of group "
          f"{args.accept_group} ({group.label}) as one action; {len(args.untick)} left open")
    for refusal in done.refused:
        print(f"refused: {refusal.reason}")
    return 0


def _lines(collection: Collection, store, doc_id: str):
    """The document's line edits in force that apply to its OCR: they settle the flags inside their lines."""
    return review.lines_in_force(store, doc_id, review.stored_page_text(collection, doc_id))


def run_page_status(args: argparse.Namespace) -> int:
    collection = Collection.default()
    document = collection.document(args.doc)
    store = _store()
    state = review.set_page_status(
        store, args.doc, args.page, args.status, reviewer=args.reviewer, note=args.note,
        despite_open_flags=args.despite_open_flags, source=review.reviewed_flag_source(collection, document),
        lines=_lines(collection, store, args.doc),
    )
    print(
        f"{args.doc} page {state.page}: {state.status.label}, by {state.reviewer} on {plain_time(state.time or '')}"
        + (f" ({state.open_flags} flags open)" if state.open_flags else "")
    )
    return 0


def run_rules(args: argparse.Namespace) -> int:
    """Switch the rules asked for (all or none checked first), then print every rule and whether it is on."""

    Collection.default().document(args.doc)  # an unknown document is refused before anything is logged
    store = _store()
    switches = [(name, True) for name in args.on] + [(name, False) for name in args.off]
    for name, _ in switches:
        transcript.check_rule(name)
    for name, enabled in switches:
        transcript.switch_rule(store, args.doc, name, enabled, reviewer=args.reviewer)
    rules = transcript.rules_for(store, args.doc)
    for rule in transcript.Rule:
        print(f"{rule.value}\t{'on' if rules.enabled(rule) else 'off'}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    collection = Collection.default()
    store = _store()
    rules = transcript.rules_for(store, args.doc)
    if args.keep_stamp_noise or args.keep_hyphenation:
        rules = transcript.TranscriptRules(
            drop_stamp_noise=rules.drop_stamp_noise and not args.keep_stamp_noise,
            join_hyphenation=rules.join_hyphenation and not args.keep_hyphenation,
        )
    out = args.out
    if args.save:
        out = collection.corrected_dir(args.doc)
        out.mkdir(parents=True, exist_ok=True)
    result = exporters.export(
        collection, store, args.doc, format=args.format, out=out, rules=rules, into_source=args.into_source
    )
    skipped = [s for p in result.corrected.pages for s in p.skipped]
    if out is None:
        if isinstance(result.content, bytes):
            sys.stdout.buffer.write(result.content)
            sys.stdout.flush()
        else:
            sys.stdout.write(result.content)
    else:
        print(f"wrote {len(result.paths)} file(s): {', '.join(str(p) for p in result.paths)}")
        print(f"{result.corrected.changes} change(s) applied, {len(skipped)} decision(s) left out")
    for item in skipped:
        print(f"note: {describe_flag(item.flag)} was not applied: {item.reason}", file=sys.stderr)
    left_out = {s.flag.page for s in skipped} | {p.page for p in result.corrected.pages if p.skipped_lines}
    if any(load_previous_text(collection, args.doc, page) is not None for page in left_out):
        print(f"hint: the OCR was run again since some decisions; `workbench review {args.doc} --reanchor` "
              "moves them onto the new text", file=sys.stderr)
    return 0


def run_gold_errata(args: argparse.Namespace) -> int:
    document = Collection.default().document(args.doc)
    errata = review.gold_errata(_store(), args.doc, gold=document.gold)
    if not errata:
        print(f"{args.doc}: no gold errata")
        return 0
    print("page\tflag\tgold reads\tproposed\treviewer\ttime\tapplied\tnote")
    for item in errata:
        applied = f"r{item.applied_in}" if item.applied_in else "pending"
        print(
            f"{item.flag.page}\t{item.flag.key}\t{item.gold_reading!r}\t{item.proposed!r}\t"
            f"{item.decision.reviewer}\t{item.decision.time}\t{applied}\t{item.decision.note}"
        )
    return 0


def run_gold_revise(args: argparse.Namespace) -> int:
    revision = goldrevision.revise_gold(Collection.default(), _store(), args.doc, reviewer=args.reviewer)
    print(
        f"{args.doc}: gold {revision.gold} revision {revision.revision} written "
        f"({len(revision.decisions)} erratum/errata on page(s) {', '.join(map(str, revision.pages))}); "
        f"the previous pages are in transcripts/gold/{revision.gold}/revisions/r{revision.revision}/"
    )
    return 0


def run_db(args: argparse.Namespace) -> int:
    store = open_store(upgrade=False)
    check_integrity(store)  # a damaged file is refused before anything reads or migrates it
    if args.action == "upgrade":
        upgrade_schema(store)
    current = schema_revision(store)
    print(f"review store: {store.display_url} ({store.backend})")
    print(f"schema revision: {current or 'none'} (latest: {head_revision()})")
    print("integrity: ok (quick check)" if store.backend == "sqlite" else "integrity: left to the server")
    return 0
