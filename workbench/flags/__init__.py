"""Flags: likely OCR errors with a category, ranked suggestions and a confidence.

Public API (names are stable; the review store, the UI and the reports call these):

    gold_flags(ocr_page, gold_page, *, document_markings=(), vocabulary=None) -> list[Flag]
        Every difference between one page's OCR and its gold, source "gold", confidence 1.0. Applying
        every flag's first suggestion to the OCR text gives the gold body (whitespace folded).
    heuristic_flags(ocr_pages, *, lexicon=None, vocabulary=None, page_sizes=None) -> list[Flag]
        The same categories found without gold, for one document's pages (it counts the document's own
        vocabulary across them); source "heuristic". Flags of a page never overlap.
    flag_document(collection, document, *, use_gold) -> list[Flag]
        Either of the above for a document of the collection, read from disk.
    evaluate_flags(predicted, gold) -> FlagEvaluation
        Precision, recall and F1 overall and per category, top-1/top-3 suggestion accuracy (the one code
        path behind `workbench flag --evaluate`, the README figures and reports/bench/flags-*.json).
    evaluate_document(collection, document) -> FlagEvaluation
        The no-gold flagger of a document scored against its gold flags.
    apply_flags(text, flags, *, choice=0) -> str
        `text` with each flag's span replaced by its suggestion number `choice`.
    flags_to_json(flags) -> dict
        {"flags": [{"page", "start", "end", "text", "category", "suggestions", "confidence", "boxes",
        "source"}, ...]}, boxes as [left, top, right, bottom].

Offsets are character offsets into `transcripts/ocr/DOC/page-NNN.txt`. A `missing_text` flag has an
empty span (start == end) where the lost text belongs; "" as a suggestion means "delete this text".
"""

from __future__ import annotations

from collections.abc import Sequence

from workbench.flags.document import flag_document
from workbench.flags.evaluate import CategoryScore, FlagEvaluation, evaluate_flags
from workbench.flags.gold import gold_flags
from workbench.flags.heuristic import heuristic_flags
from workbench.flags.tokens import apply_flags
from workbench.models import Flag

__all__ = [
    "CategoryScore",
    "FlagEvaluation",
    "apply_flags",
    "evaluate_document",
    "evaluate_flags",
    "flag_document",
    "flag_to_dict",
    "flags_to_json",
    "gold_flags",
    "heuristic_flags",
]


def flag_to_dict(flag: Flag) -> dict:
    """One flag as the JSON of `workbench flag --json` shows it."""
    return {
        "page": flag.page,
        "start": flag.start,
        "end": flag.end,
        "text": flag.text,
        "category": flag.category.value,
        "suggestions": list(flag.suggestions),
        "confidence": flag.confidence,
        "boxes": [[b.left, b.top, b.right, b.bottom] for b in flag.boxes],
        "source": flag.source.value,
    }


def flags_to_json(flags: list[Flag]) -> dict:
    """The JSON document of a list of flags: {"flags": [...]} (serialise with json.dumps)."""
    return {"flags": [flag_to_dict(f) for f in flags]}


def evaluate_document(collection, document, *, gold: Sequence[Flag] | None = None) -> FlagEvaluation:
    """Score the no-gold flags of `document` (a Document or its id) against its gold flags; `gold` are
    those flags when the caller has computed them already (the report needs them for more than this)."""
    if isinstance(document, str):
        document = collection.document(document)
    predicted = flag_document(collection, document, use_gold=False)
    if gold is None:
        gold = flag_document(collection, document, use_gold=True)
    return evaluate_flags(predicted, gold)
