"""Evaluation of a document's stored OCR against its gold: scores per page and for the document.

Per page, the page's whole OCR text (`transcripts/ocr/DOC/page-NNN.txt`) is compared with two
references from the gold (`transcripts/gold/GOLD/`, GOLD named by the document's manifest, so the scan
variants of one paper share one gold):
    cer / wer            against the full page: markings (classification lines, stamps, page number,
                         notes) and body in reading order (`GoldPage.full_text`);
    body_cer / body_wer  against the gold body alone: what a reader of the OCR as reading text meets,
                         so stamp text read into the page counts as errors.
The metrics are those of `workbench.metrics` (whitespace folded, NFC, grapheme clusters; dinglehopper's
definitions). Document figures pool the pages: the sum of the pages' distances divided by the sum of
their gold lengths (so long pages weigh more than short ones), never a mean of page rates.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from workbench.batch import Batch, Task
from workbench.confidence import RateInterval, pooled_rate_interval
from workbench.corpus import Collection
from workbench.errors import CorpusError
from workbench.metrics import (
    BagOfWordsError,
    Confusion,
    ErrorMeasure,
    bag_of_words_error,
    confusion_counts_from_ops,
    error_rate,
    measure,
    measure_distance,
    top_confusions,
)
from workbench.models import AlignOp, AlignTag, GoldPage, PageScore
from workbench.normalize import DEFAULT, ComparisonOptions, Units, char_and_word_units
from workbench.ocr.store import load_ocr_text

# Gold pages whose units are kept (`_reference_units`): a few hundred pages of gold are tens of MB, and a
# document's variants are scored one after another, so its whole gold is reused from the next on.
EVALUATE_REFERENCE_CACHE = 512


@dataclass(frozen=True, slots=True)
class PageEvaluation:
    """The measures of one page's OCR against its full gold page and against its gold body.

    Only `chars` is sure to carry its alignment (`ErrorMeasure.ops`, which the confusions are read from);
    the others are counted without one (`metrics.measure(with_ops=False)`).
    """

    page: int
    chars: ErrorMeasure
    words: ErrorMeasure
    body_chars: ErrorMeasure
    body_words: ErrorMeasure
    bag_of_words: BagOfWordsError
    confusions: Counter[tuple[str, str]]

    def score(self) -> PageScore:
        """The page's PageScore: rates as fractions; lengths and S/I/D counts against the full page."""
        return PageScore(
            page=self.page,
            cer=self.chars.rate,
            wer=self.words.rate,
            body_cer=self.body_chars.rate,
            body_wer=self.body_words.rate,
            gold_chars=self.chars.gold_length,
            gold_words=self.words.gold_length,
            substitutions=self.chars.substitutions,
            insertions=self.chars.insertions,
            deletions=self.chars.deletions,
        )


@dataclass(frozen=True, slots=True)
class DocumentEvaluation:
    """Every page's evaluation of one document, and the pooled document figures."""

    document: str
    gold: str
    pages: tuple[PageEvaluation, ...]
    options: ComparisonOptions = DEFAULT  # how the texts were compared, recorded in every output

    def _pooled(self, attribute: str) -> float:
        measures = [getattr(page, attribute) for page in self.pages]
        return error_rate(sum(m.distance for m in measures), sum(m.gold_length for m in measures))

    def score(self) -> PageScore:
        """The document's PageScore (page None): pooled rates, summed lengths and counts."""
        return PageScore(
            page=None,
            cer=self._pooled("chars"),
            wer=self._pooled("words"),
            body_cer=self._pooled("body_chars"),
            body_wer=self._pooled("body_words"),
            gold_chars=sum(p.chars.gold_length for p in self.pages),
            gold_words=sum(p.words.gold_length for p in self.pages),
            substitutions=sum(p.chars.substitutions for p in self.pages),
            insertions=sum(p.chars.insertions for p in self.pages),
            deletions=sum(p.chars.deletions for p in self.pages),
        )

    def bag_of_words_rate(self) -> float:
        """The document's bag-of-words error: pooled max(missing, spurious) over pooled gold words."""
        return error_rate(
            sum(max(p.bag_of_words.missing, p.bag_of_words.spurious) for p in self.pages),
            sum(p.bag_of_words.gold_words for p in self.pages),
        )

    def cer_interval(self, *, seed: int = 0) -> RateInterval:
        """A 95% interval on the pooled CER (against the full pages): a seeded bootstrap over the pages."""
        return pooled_rate_interval(
            [p.chars.distance for p in self.pages], [p.chars.gold_length for p in self.pages], seed=seed
        )

    def confusions(self, *, top: int | None = None) -> tuple[Confusion, ...]:
        """The most frequent OCR-for-gold readings over all pages (against the full pages)."""
        total: Counter[tuple[str, str]] = Counter()
        for page in self.pages:
            total.update(page.confusions)
        return top_confusions(total, top=top)


def _body_is_full(gold: GoldPage, full: str, options: ComparisonOptions) -> bool:
    """True for a page without markings (plain gold text): its body is the full page `full` (up to the line
    breaks around it, which folding drops), so the full page's measures serve as the body's."""
    return not gold.markings and (options.fold_whitespace or gold.body == full)


@lru_cache(maxsize=EVALUATE_REFERENCE_CACHE)
def _reference_units(text: str, options: ComparisonOptions) -> tuple[Units, Units]:
    """`char_and_word_units(text)` of a gold text, cut once however many OCR texts it is compared with:
    the scan variants of a paper (and every copy of a page in a scale collection) share one gold. Units are
    frozen, so one cut serves every caller; keyed by the text itself, so a changed gold is a new entry."""
    return char_and_word_units(text, options=options)


def evaluate_page(
    gold: GoldPage, ocr_text: str, *, options: ComparisonOptions = DEFAULT, exact: bool = False
) -> PageEvaluation:
    """Compare one page's OCR text with its gold page (full page and body) under the comparison `options`."""
    full = gold.full_text
    # Each text is folded and cut into units once; the OCR's units serve both references, the gold's every
    # OCR text of that gold. Only the full page's character alignment is needed as offsets (for the
    # confusions): the others give counts.
    ocr_chars, ocr_words = char_and_word_units(ocr_text, options=options)
    full_chars, full_words = _reference_units(full, options)
    chars = measure(full_chars, ocr_chars, exact=exact)
    words = measure(full_words, ocr_words, exact=exact, with_ops=False)
    if _body_is_full(gold, full, options):
        body_chars, body_words = chars, words
    else:
        gold_chars, gold_words = _reference_units(gold.body, options)
        body_chars = measure(gold_chars, ocr_chars, exact=exact, with_ops=False)
        body_words = measure(gold_words, ocr_words, exact=exact, with_ops=False)
    return PageEvaluation(
        page=gold.number,
        chars=chars,
        words=words,
        body_chars=body_chars,
        body_words=body_words,
        bag_of_words=bag_of_words_error(full_words, ocr_words),
        confusions=confusion_counts_from_ops(chars.ops, full, ocr_text, options=options),
    )


def evaluate_texts(
    golds: Sequence[GoldPage],
    texts: Sequence[str],
    *,
    document: str = "",
    gold: str = "",
    options: ComparisonOptions = DEFAULT,
    exact: bool = False,
    batch: Batch | None = None,
) -> DocumentEvaluation:
    """Score OCR texts against their gold pages, page by page (`evaluate_page`), pooled as a document.

    The one scoring of texts: the stored OCR (`evaluate_document`), the corrected transcript
    (`transcript.evaluate_corrected`) and the report's forecasts all come through here. `texts[i]` is the text of
    `golds[i]`'s page; ValueError when the counts differ.
    """
    if len(golds) != len(texts):
        raise ValueError(f"{len(golds)} gold pages but {len(texts)} texts to score")
    if batch is not None:  # the pages scored where the batch runs (workbench.batch), in runs of pages
        runs = batch.chunks(list(zip(golds, texts, strict=True)))
        tasks = [Task(f"pages {run[0][0].number}-{run[-1][0].number}", (run,)) for run in runs]
        scored = batch.map_all(_evaluate_run, tasks, shared={"options": options, "exact": exact})
        pages = tuple(_unpacked(page) for run in scored for page in run)
        return DocumentEvaluation(document=document, gold=gold, pages=pages, options=options)
    pages = tuple(
        evaluate_page(page, text, options=options, exact=exact) for page, text in zip(golds, texts, strict=True)
    )
    return DocumentEvaluation(document=document, gold=gold, pages=pages, options=options)


def rescore_body_rates(
    previous: DocumentEvaluation,
    previous_texts: Sequence[str],
    golds: Sequence[GoldPage],
    variants: Sequence[Sequence[str]],
) -> list[dict]:
    """The pooled body CER and WER (`{"body_cer", "body_wer"}`, as `evaluation_dict` gives them) of each
    variant of the texts `previous` scored, exactly what `evaluate_texts(golds, variant)` would give.

    A page's body measures depend on its gold and its text alone, so a page whose text equals
    `previous_texts` keeps `previous`'s, and only the body measures of the others are computed, with each
    gold body cut into units once for every variant (the report's forecasts: a few corrections each).
    ValueError when the counts differ.
    """
    options = previous.options
    if not len(golds) == len(previous_texts) == len(previous.pages):
        raise ValueError(f"{len(golds)} gold pages, {len(previous.pages)} scored pages, {len(previous_texts)} texts")
    references: dict[int, tuple] = {}  # page index -> the gold body's char and word units
    # (page index, text) -> its body (distance, gold length) for characters and words: variants often give
    # a page the same text (a page whose flags all fall in one of the categories grouped together)
    measured: dict[tuple[int, str], tuple[tuple[int, int], tuple[int, int]]] = {}
    rows = []
    for texts in variants:
        if len(texts) != len(golds):
            raise ValueError(f"{len(golds)} gold pages but {len(texts)} texts to score")
        chars: list[tuple[int, int]] = []  # (distance, gold length) of each page's body
        words: list[tuple[int, int]] = []
        pages = zip(previous.pages, previous_texts, golds, texts, strict=True)
        for index, (scored, before, gold, text) in enumerate(pages):
            if text == before:
                chars.append((scored.body_chars.distance, scored.body_chars.gold_length))
                words.append((scored.body_words.distance, scored.body_words.gold_length))
                continue
            known = measured.get((index, text))
            if known is None:
                if index not in references:
                    full = gold.full_text
                    body = full if _body_is_full(gold, full, options) else gold.body
                    references[index] = _reference_units(body, options)  # cut already when `previous` was scored
                gold_chars, gold_words = references[index]
                text_chars, text_words = char_and_word_units(text, options=options)
                # the rates need only the distances: no alignment is built (`measure_distance`); a variant
                # makes a few corrections, so its distances are near the text's before them (the hints)
                known = (
                    measure_distance(gold_chars, text_chars, hint=scored.body_chars.distance),
                    measure_distance(gold_words, text_words, hint=scored.body_words.distance),
                )
                measured[index, text] = known
            chars.append(known[0])
            words.append(known[1])
        rows.append(
            {
                "body_cer": _rate(error_rate(sum(d for d, _ in chars), sum(n for _, n in chars))),
                "body_wer": _rate(error_rate(sum(d for d, _ in words), sum(n for _, n in words))),
            }
        )
    return rows


def _evaluate_run(
    pairs: Sequence[tuple[GoldPage, str]], *, options: ComparisonOptions, exact: bool
) -> list[tuple]:
    """A batch task: `evaluate_page` over a run of (gold page, OCR text) pairs, each packed (`_packed`)."""
    return [_packed(evaluate_page(page, text, options=options, exact=exact)) for page, text in pairs]


# A page's evaluation travels from a worker as plain tuples of numbers and strings: pickled as the dataclasses
# (a hundred AlignOps a page, each restored field by field) it cost the worker and the client together about
# as much as scoring the page, so that two workers on two cores were slower than one process.
_MEASURE_FIELDS = ("unit", "distance", "gold_length", "ocr_length", "hits", "substitutions", "insertions",
                   "deletions", "rate", "unscored_gold", "unscored_ocr")
_BAG_FIELDS = ("gold_words", "ocr_words", "missing", "spurious", "rate")
_OP_TAGS = tuple(AlignTag)
_OP_INDEX = {tag: index for index, tag in enumerate(_OP_TAGS)}


def _packed_measure(measure: ErrorMeasure) -> tuple:
    ops = tuple(itertools.chain.from_iterable(
        (_OP_INDEX[op.tag], op.gold_start, op.gold_end, op.ocr_start, op.ocr_end) for op in measure.ops
    ))
    return (*(getattr(measure, name) for name in _MEASURE_FIELDS), ops, measure.options)


def _unpacked_measure(data: tuple) -> ErrorMeasure:
    *values, ops, options = data
    steps = [
        AlignOp(_OP_TAGS[ops[i]], ops[i + 1], ops[i + 2], ops[i + 3], ops[i + 4]) for i in range(0, len(ops), 5)
    ]
    return ErrorMeasure(**dict(zip(_MEASURE_FIELDS, values, strict=True)), ops=tuple(steps), options=options)


def _packed(page: PageEvaluation) -> tuple:
    """`page` as plain data; `_unpacked` gives back an equal PageEvaluation (a shared measure stays shared)."""
    measures = [page.chars, page.words, page.body_chars, page.body_words]
    shared = [next(i for i, other in enumerate(measures) if other is m) for m in measures]
    bag = page.bag_of_words
    return (page.page, [_packed_measure(m) if shared[i] == i else shared[i] for i, m in enumerate(measures)],
            (*(getattr(bag, name) for name in _BAG_FIELDS), bag.options), dict(page.confusions))


def _unpacked(data: tuple) -> PageEvaluation:
    number, packed, bag, confusions = data
    measures: list[ErrorMeasure] = []
    for item in packed:
        measures.append(measures[item] if isinstance(item, int) else _unpacked_measure(item))
    *bag_values, bag_options = bag
    return PageEvaluation(
        page=number, chars=measures[0], words=measures[1], body_chars=measures[2], body_words=measures[3],
        bag_of_words=BagOfWordsError(**dict(zip(_BAG_FIELDS, bag_values, strict=True)), options=bag_options),
        confusions=Counter(confusions),
    )


def evaluate_document(
    collection: Collection,
    doc_id: str,
    *,
    options: ComparisonOptions = DEFAULT,
    exact: bool = False,
    batch: Batch | None = None,
) -> DocumentEvaluation:
    """Evaluate every page of `doc_id`'s stored OCR against the gold its manifest names (pages scored
    where `batch` runs, when one is given).

    CorpusError when the document has no gold or its gold pages do not match its pages; InputError
    (from the OCR store) naming the file when a page has no stored OCR.
    """
    document = collection.document(doc_id)
    if not collection.has_gold(document):
        where = collection.gold_dir(document.gold) if document.gold else document.manifest_path
        raise CorpusError(f"{where}: document {doc_id!r} has no gold to evaluate against")
    golds = collection.gold_pages(document)
    if batch is not None:
        # each run's OCR read as its task is sent, so that the reading overlaps the scoring of the runs before
        def reader(run: Sequence[GoldPage]):
            return lambda: ([(page, load_ocr_text(collection, doc_id, page.number)) for page in run],)

        tasks = [Task(f"pages {run[0].number}-{run[-1].number}", load=reader(run)) for run in batch.chunks(golds)]
        scored = batch.map_all(_evaluate_run, tasks, shared={"options": options, "exact": exact})
        pages = tuple(_unpacked(page) for run in scored for page in run)
        return DocumentEvaluation(document=doc_id, gold=document.gold or "", pages=pages, options=options)
    texts = [load_ocr_text(collection, doc_id, page.number) for page in golds]  # scoring reads no words
    return evaluate_texts(golds, texts, document=doc_id, gold=document.gold or "", options=options, exact=exact)


def _rate(value: float) -> float | None:
    """A rate for JSON: infinity (OCR text against an empty gold) has no JSON number, so it is null; so is
    an undefined bound (a bootstrap resample of pages that are all empty in the gold)."""
    return None if not math.isfinite(value) else value


def _score_dict(score: PageScore) -> dict:
    return {
        "cer": _rate(score.cer),
        "wer": _rate(score.wer),
        "body_cer": _rate(score.body_cer),
        "body_wer": _rate(score.body_wer),
        "gold_chars": score.gold_chars,
        "gold_words": score.gold_words,
        "substitutions": score.substitutions,
        "insertions": score.insertions,
        "deletions": score.deletions,
    }


def evaluation_dict(evaluation: DocumentEvaluation, *, top: int = 20) -> dict:
    """The evaluation as plain JSON data: rates as fractions (null for an infinite rate)."""
    document = {
        "id": evaluation.document,
        "gold": evaluation.gold,
        **_score_dict(evaluation.score()),
        "char_errors": sum(p.chars.distance for p in evaluation.pages),
        "word_errors": sum(p.words.distance for p in evaluation.pages),
        "bag_of_words_error": _rate(evaluation.bag_of_words_rate()),
        "cer_interval": interval_dict(evaluation.cer_interval()),
    }
    pages = [
        {
            "page": page.page,
            **_score_dict(page.score()),
            "char_errors": page.chars.distance,
            "word_errors": page.words.distance,
            "body_gold_chars": page.body_chars.gold_length,
            "body_gold_words": page.body_words.gold_length,
            "body_char_errors": page.body_chars.distance,
            "body_word_errors": page.body_words.distance,
            "bag_of_words_error": _rate(page.bag_of_words.rate),
        }
        for page in evaluation.pages
    ]
    confusions = [{"gold": c.gold, "ocr": c.ocr, "count": c.count} for c in evaluation.confusions(top=top)]
    return {
        "options": options_dict(evaluation.options),
        "document": document,
        "pages": pages,
        "confusions": confusions,
    }


def options_dict(options: ComparisonOptions) -> dict:
    """The comparison options as every JSON output records them: each option, a label and a version."""
    return {**options.as_dict(), "label": options.label(), "version": options.version}


def interval_dict(interval: RateInterval) -> dict:
    """A rate interval for JSON: bounds as fractions (null when infinite), level, resamples, seed, pages."""
    return {
        "low": _rate(interval.low),
        "high": _rate(interval.high),
        "confidence": interval.confidence,
        "resamples": interval.resamples,
        "seed": interval.seed,
        "pages": interval.pages,
    }


def _percent(value: float) -> str:
    return "inf" if math.isinf(value) else f"{100 * value:.2f}%"


def format_table(evaluation: DocumentEvaluation, *, top: int = 10) -> str:
    """A plain-text table: one row per page and one for the document, then the top confusions."""
    header = ("page", "CER", "WER", "body CER", "body WER", "BoW err", "chars", "words", "sub", "ins", "del")
    rows = []
    for page in evaluation.pages:
        rows.append((str(page.page), page.score(), page.bag_of_words.rate))
    rows.append(("all", evaluation.score(), evaluation.bag_of_words_rate()))
    lines = [header]
    for label, score, bow in rows:
        lines.append(
            (
                label,
                _percent(score.cer),
                _percent(score.wer),
                _percent(score.body_cer),
                _percent(score.body_wer),
                _percent(bow),
                str(score.gold_chars),
                str(score.gold_words),
                str(score.substitutions),
                str(score.insertions),
                str(score.deletions),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = [
        f"{evaluation.document} (gold: {evaluation.gold}); rates against the full page and the body; "
        f"comparison: {evaluation.options.label()}"
    ]
    for index, line in enumerate(lines):
        text.append("  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True)))
        if index in (0, len(lines) - 2):
            text.append("  ".join("-" * width for width in widths))
    interval = evaluation.cer_interval()
    text.append("")
    text.append(
        f"CER {interval.describe()}: {interval.confidence:.0%} interval, a bootstrap over {interval.pages} page(s)"
    )
    text.extend(confusion_lines(evaluation, top=top))
    return "\n".join(text)


def confusion_lines(evaluation: DocumentEvaluation, *, top: int = 10) -> list[str]:
    """The table's closing lines: the `top` most frequent confusions (gold -> OCR), after a blank line;
    none when the OCR confuses nothing."""
    confusions = evaluation.confusions(top=top)
    if not confusions:
        return []
    lines = ["", f"most frequent confusions (gold -> OCR, top {top}):"]
    lines += [f"  {c.count:5d}  {c.gold!r} -> {c.ocr!r}" for c in confusions]
    return lines
