"""Gathering a document's report from the collection and the review store; nothing here computes a metric.

Every figure comes from the code that owns it, so the report cannot drift from the commands:
    CER/WER per page and document, counts       workbench.evaluate (the same JSON as `workbench evaluate --json`)
    character confusions                        workbench.metrics
    errors by category                          the gold-diff classifier, workbench.flags.gold
    precision/recall of the gold-free flagger   workbench.flags (the same as `workbench flag --evaluate`)
    review progress, decisions, reviewers       workbench.review
    the corrected transcript                    workbench.transcript, scored by workbench.evaluate
What is not there yet (no OCR, no gold, no decisions) becomes a sentence in `metrics["missing"]` that the
report prints in place of the section, never an invented figure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime

from workbench import __version__
from workbench.align import align_chars
from workbench.corpus import Collection, manifest_dict
from workbench.evaluate import (
    DocumentEvaluation,
    evaluate_texts,
    evaluation_dict,
    options_dict,
    rescore_body_rates,
)
from workbench.flags import apply_flags, evaluate_flags, flag_document
from workbench.linediff import gold_regions, segments
from workbench.metrics import METRICS_VERSION
from workbench.models import AlignOp, Decision, Document, Flag, GoldPage, OcrPage
from workbench.normalize import DEFAULT
from workbench.ocr.store import load_ocr_page, text_path
from workbench.report.model import FlagRow, PageView, Report
from workbench.review import QueueFilter, lines_in_force, progress_of, queue
from workbench.review.lines import EditedLines
from workbench.review.state import FlagState, what_it_did
from workbench.store import PageStatusEvent, Store, open_store
from workbench.transcript import Rule, evaluate_corrected

REPORT_FORMAT = 1
NOTHING_CORRECTED = "No review decisions change the text yet: the corrected transcript is the raw OCR."
EXAMPLES_PER_CATEGORY = 5
TOP_CONFUSIONS = 20


def metrics_version() -> str:
    """The version of the metric definitions the figures follow, as workbench.metrics declares it."""
    return METRICS_VERSION


def utc_now() -> str:
    """The current time, UTC, ISO 8601 to the second: 2026-11-26T13:40:01Z."""
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _ocr_pages(collection: Collection, document: Document) -> dict[int, OcrPage]:
    """The stored OCR of the pages that have some (a page without OCR is simply absent)."""
    found = {}
    for ref in document.pages:
        if text_path(collection, document.id, ref.number).exists():
            found[ref.number] = load_ocr_page(collection, document.id, ref.number)
    return found


def _ocr_summary(pages: Sequence[OcrPage]) -> dict:
    """The engines the pages were read with, the options they share, and per page the options that vary
    (scan checksum, cache key, measured skew...)."""
    engines: list[str] = []
    for page in pages:
        if page.engine and page.engine not in engines:
            engines.append(page.engine)
    keys = [key for page in pages for key in page.options]
    shared = {
        key: pages[0].options[key]
        for key in dict.fromkeys(keys)
        if all(key in page.options and page.options[key] == pages[0].options[key] for page in pages)
    }
    varying = [key for key in dict.fromkeys(keys) if key not in shared]
    return {
        "engines": engines,
        "options": shared,
        "pages": [
            {"page": page.number, "engine": page.engine, **{k: page.options.get(k) for k in varying}}
            for page in pages
        ],
    }


def _source(document: Document, ocr: Sequence[OcrPage], *, has_gold: bool) -> dict:
    """The document as its manifest describes it (less the page list), and how its OCR was made."""
    described = {key: value for key, value in manifest_dict(document).items() if key != "pages"}
    return {**described, "gold": document.gold if has_gold else None, "ocr": _ocr_summary(ocr)}


def _error_categories(flags: Sequence[Flag]) -> list[dict]:
    """Gold-derived flags counted per category (most frequent first), with the first few as examples."""
    by_category: dict[str, list[Flag]] = {}
    for flag in flags:
        by_category.setdefault(flag.category.value, []).append(flag)
    rows = []
    for category, found in sorted(by_category.items(), key=lambda item: (-len(item[1]), item[0])):
        rows.append(
            {
                "category": category,
                "count": len(found),
                "examples": [
                    {"page": f.page, "ocr": f.text, "gold": f.suggestions[0] if f.suggestions else ""}
                    for f in found[:EXAMPLES_PER_CATEGORY]
                ],
            }
        )
    return rows


# The categories the transcript's automatic rules act on once accepted: a forecast row of their own.
RULE_CATEGORIES = ("stamp_noise", "broken_hyphenation")


def _correction_forecast(
    golds: Sequence[GoldPage],
    ocr: dict[int, OcrPage],
    flags_gold: dict[int, list[Flag]],
    scored_ocr: DocumentEvaluation,
) -> list[dict]:
    """The pooled body CER/WER the document would have if the gold flags of some categories were accepted.

    One row per category found (most frequent first), then one for the categories the automatic rules act
    on together; each applies those flags' gold readings to the OCR and scores the result with
    workbench.evaluate, exactly as the corrected transcript will be scored after those decisions. Only the
    body measures of the pages a row changes are computed: the others keep theirs from `scored_ocr`.
    """
    ocr_texts = [ocr[gold.number].text for gold in golds]
    found = Counter(f.category.value for flags in flags_gold.values() for f in flags)
    groups = [(name,) for name, _ in sorted(found.items(), key=lambda item: (-item[1], item[0]))]
    if all(found[name] for name in RULE_CATEGORIES):
        groups.append(RULE_CATEGORIES)
    variants = []
    for group in groups:
        chosen = {n: [f for f in flags if f.category.value in group] for n, flags in flags_gold.items()}
        variants.append(
            [apply_flags(text, chosen.get(gold.number, [])) for gold, text in zip(golds, ocr_texts, strict=True)]
        )
    scored = rescore_body_rates(scored_ocr, ocr_texts, golds, variants)  # `workbench evaluate`'s rates
    return [
        {"categories": list(group), "flags": sum(found[name] for name in group), **rates}
        for group, rates in zip(groups, scored, strict=True)
    ]


def _how_to_read(document: Document) -> str:
    """How the OCR of `document` can be had: Tesseract on its scans, or an import when it has none."""
    if document.has_scans:
        return f"run `workbench ocr {document.id}`"
    return f"it has no scans: import OCR made elsewhere with `workbench import-ocr {document.id} FILE...`"


def _page_views(
    document: Document,
    ocr: dict[int, OcrPage],
    gold: dict[int, GoldPage],
    gold_flags: dict[int, list[Flag]],
    scores: dict[int, dict],
    alignments: dict[int, tuple[AlignOp, ...]],
) -> tuple[PageView, ...]:
    """Each page side by side with its gold; `alignments` holds the character alignment of a page's full
    gold and OCR when the evaluation has made it already (`align_chars` makes the others)."""
    views = []
    for ref in document.pages:
        number = ref.number
        page, truth = ocr.get(number), gold.get(number)
        if page is None:
            views.append(PageView(number, note=f"No OCR of page {number} yet ({_how_to_read(document)})."))
        elif truth is None:
            views.append(PageView(number, ocr=page.text, note="No gold for this page: OCR shown alone."))
        else:
            full = truth.full_text
            ops = alignments.get(number)
            if ops is None:
                ops = align_chars(full, page.text)
            views.append(
                PageView(
                    number,
                    segments=segments(full, page.text, ops, gold_flags.get(number, ())),
                    regions=gold_regions(truth),
                    ocr=page.text,
                    score=scores.get(number),
                )
            )
    return tuple(views)


def _reviewers(decisions: Sequence[Decision], statuses: Sequence[PageStatusEvent]) -> list[dict]:
    """Who took part in the review: per reviewer, decision events (undo and redo included), page status
    changes, and the first and last of them (UTC), most active first."""
    rows: dict[str, dict] = {}
    for kind, events in (("decisions", decisions), ("page_statuses", statuses)):
        for event in events:
            row = rows.setdefault(
                event.reviewer,
                {"name": event.reviewer, "decisions": 0, "page_statuses": 0, "first": event.time, "last": event.time},
            )
            row[kind] += 1
            row["first"] = min(row["first"], event.time)
            row["last"] = max(row["last"], event.time)
    return sorted(rows.values(), key=lambda row: (-row["decisions"], -row["page_statuses"], row["name"]))


def _evaluation_json(evaluation: DocumentEvaluation) -> dict:
    """The evaluation as `workbench evaluate --json` prints it (same function), with more confusions."""
    return evaluation_dict(evaluation, top=TOP_CONFUSIONS)


def _corrected(
    collection: Collection, store: Store, document: Document, golds: Sequence[GoldPage], ocr: dict[int, OcrPage]
) -> tuple[dict | None, str | None]:
    """The corrected transcript scored like the OCR (workbench.evaluate), or None and why not."""
    scored = evaluate_corrected(collection, store, document.id, ocr_pages=[ocr[g.number] for g in golds])
    if scored is None:
        return None, NOTHING_CORRECTED
    rates = _evaluation_json(scored.evaluation)
    changes = {page.page: len(page.changes) for page in scored.corrected.pages}
    return {
        "document": rates["document"],
        "pages": [{**row, "changes": changes[row["page"]]} for row in rates["pages"]],
        "changes": scored.corrected.changes,
        "rules": {rule.value: scored.corrected.rules.enabled(rule) for rule in Rule},
    }, None


def _dispute(state: FlagState) -> dict:
    """A flag two reviewers dispute: where it is, and each side in words (who, what, when, the note)."""
    assert state.dispute is not None
    return {
        "page": state.flag.page,
        "flag": state.key,
        "text": state.flag.text,
        "sides": [
            {"reviewer": d.reviewer, "decision": what_it_did(d), "time": d.time, "note": d.note}
            for d in (state.dispute.earlier, state.dispute.later)
        ],
    }


def _review(
    store: Store, document: Document, events: Sequence[Decision], lines: EditedLines | None = None
) -> tuple[dict | None, tuple[FlagRow, ...], str | None]:
    """Review progress and every stored flag with its decision in force (workbench.review), from the
    document's decision `events` (`store.decisions`); a flag a line edit of `lines` settles is not open."""
    # The store read once for the rows, the progress and the reviewers (`flag_states`, `progress` and
    # `decision_history` would each read the document's flags or events again): one queue with the stale
    # flags, which progress leaves out as its own queue would.
    statuses = store.page_status_events(document.id)
    walk = queue(store.flags(document.id), events, QueueFilter(include_stale=True), lines=lines)
    states = walk.items
    rows = tuple(FlagRow(state.flag, state.decision, stale=state.stale) for state in states)
    if not states:
        return None, rows, (
            f"No review decisions yet: nobody has started reviewing {document.id} (its flags enter the review "
            f"store on the Review page of `workbench app`, or with `workbench review {document.id} --accept`)."
        )
    numbers = [ref.number for ref in document.pages]
    done = progress_of(walk, document=document.id, events=events, status_events=statuses, pages=numbers)
    return {
        "flags": done.flags,
        "decided": done.decided,
        "open": done.open,
        "progress": done.fraction,
        "events": done.events,
        "actions": dict(sorted(done.by_action.items())),
        "pages": [
            {
                "page": p.page, "flags": p.flags, "decided": p.decided, "status": p.status.value,
                "disputed": p.disputed, "open_when_set": p.open_when_set,
            }
            for p in done.pages
        ],
        "disputed": done.disputed,
        "disputes": [_dispute(state) for state in states if state.dispute is not None and not state.stale],
        "pages_done": sum(1 for p in done.pages if p.status.value in ("reviewed", "validated")),
        "reviewers": _reviewers(events, statuses),
        "stale_flags": sum(1 for state in states if state.stale),
        "sources": dict(sorted(Counter(s.flag.source.value for s in states if not s.stale).items())),
    }, rows, None


def build_report(collection: Collection, doc_id: str, *, generated: str | None = None) -> Report:
    """Everything one document's report shows, read from the collection and the review store.

    `generated` is the report's date (UTC ISO 8601; default now). Raises CorpusError when the document
    does not exist; a missing part (OCR, gold, flags, decisions) only empties its section.
    """
    document = collection.document(doc_id)
    store = open_store()
    ocr = _ocr_pages(collection, document)
    has_gold = collection.has_gold(document)
    golds = collection.gold_pages(document) if has_gold else []
    missing: dict[str, str] = {}
    evaluation: dict | None = None
    scored_ocr: DocumentEvaluation | None = None
    if not has_gold:
        no_gold = f"{doc_id} has no gold transcription"
        missing.update(
            document=f"{no_gold}, so no CER or WER can be measured.",
            pages=f"{no_gold}, so no page can be scored.",
            confusions=f"{no_gold} to compare the OCR with.",
            error_categories=f"{no_gold}: errors are found by comparing the OCR with it.",
            corrected=f"{no_gold}, so the corrected transcript cannot be scored.",
            flag_evaluation=f"{no_gold}: the gold-free flagger is scored against the flags the gold gives.",
        )
    elif len(ocr) < document.page_count:
        lacking = [ref.number for ref in document.pages if ref.number not in ocr]
        no_ocr = f"No OCR yet for page(s) {', '.join(map(str, lacking))} of {doc_id} ({_how_to_read(document)})."
        for section in ("document", "pages", "confusions", "error_categories", "corrected", "flag_evaluation"):
            missing[section] = no_ocr
    else:
        # the OCR read once above serves the scoring and both flaggers (as `workbench evaluate` scores it)
        scored_ocr = evaluate_texts(
            golds, [ocr[gold.number].text for gold in golds], document=doc_id, gold=document.gold or ""
        )
        evaluation = _evaluation_json(scored_ocr)

    flags_gold: dict[int, list[Flag]] = {}
    flag_evaluation = None
    if evaluation is not None:
        pages_read = [ocr[ref.number] for ref in document.pages]
        gold_found = flag_document(collection, document, use_gold=True, pages=pages_read)
        for flag in gold_found:
            flags_gold.setdefault(flag.page, []).append(flag)
        # the no-gold flagger scored against the gold flags, as `workbench flag --evaluate` scores it
        predicted = flag_document(collection, document, use_gold=False, pages=pages_read)
        flag_evaluation = evaluate_flags(predicted, gold_found).to_dict()

    edited = lines_in_force(store, doc_id, lambda number: ocr[number].text if number in ocr else None)
    events = store.decisions(doc_id)
    corrected = None
    if evaluation is not None:
        if events or edited:
            corrected, reason = _corrected(collection, store, document, golds, ocr)
        else:
            # nothing decided and no line edited: the corrected transcript is the OCR (`correct_document`
            # changes text only by decisions and line edits), so its store reads and scoring are spared
            reason = NOTHING_CORRECTED
        if reason:
            missing["corrected"] = reason
        if not evaluation["confusions"]:
            missing["confusions"] = "The OCR confuses no characters: it equals the gold."
    error_categories = _error_categories([f for page in sorted(flags_gold) for f in flags_gold[page]])
    forecast = _correction_forecast(golds, ocr, flags_gold, scored_ocr) if scored_ocr is not None else []
    if evaluation is not None and not error_categories:
        missing["error_categories"] = "The gold-based flagger finds no error in the OCR."

    review, flag_rows, reason = _review(store, document, events, edited)
    if reason:
        missing["review"] = reason

    scores = {row["page"]: row for row in evaluation["pages"]} if evaluation else {}
    # the evaluation's own character alignment of each page (the same `align_chars` makes), not made again
    alignments = {page.page: page.chars.ops for page in scored_ocr.pages} if scored_ocr is not None else {}
    pages = _page_views(document, ocr, {g.number: g for g in golds}, flags_gold, scores, alignments)
    if not pages:
        missing["side_by_side"] = f"{doc_id} has no pages."
    metrics = {
        "format": REPORT_FORMAT,
        "workbench_version": __version__,
        "metrics_version": metrics_version(),
        "generated": generated or utc_now(),
        "source": _source(document, [ocr[n] for n in sorted(ocr)], has_gold=has_gold),
        "options": evaluation["options"] if evaluation else options_dict(DEFAULT),
        "document": evaluation["document"] if evaluation else None,
        "pages": evaluation["pages"] if evaluation else None,
        "confusions": evaluation["confusions"] if evaluation else None,
        "corrected": corrected,
        "error_categories": error_categories or None,
        "correction_forecast": forecast or None,
        "flag_evaluation": flag_evaluation,
        "review": review,
        "missing": missing,
    }
    return Report(document=document, metrics=metrics, pages=pages, flags=flag_rows)
