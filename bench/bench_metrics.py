"""Benchmark: our metrics against dinglehopper's, side by side in one run, medians of several runs.

Two pairs:
  document  each page of a document against its gold: our evaluation (`workbench.evaluate.evaluate_page`:
            cer/wer against the full page, body_cer/body_wer against the body, plus bag of words and
            confusions) against dinglehopper's `character_error_rate_n` / `word_error_rate_n` on the same
            whitespace-folded page pairs, pooled the same way (files read before timing). The OCR is the
            document's stored OCR, or, when it has none yet, the gold with injected errors (said so).
  1 MB      the document's gold repeated to about 1 MB against a copy with injected errors (seeded):
            ours `cer` / `wer` against dinglehopper's on the folded texts.

Figures must agree to 1e-9. dinglehopper's 1 MB CER takes one to several minutes a run (uniseg's
grapheme segmentation), so it runs `--reference-runs` times (default 3). Exit status 0 when the target
(ours at least 30x faster on the 1 MB CER, same figures to 1e-9) is met. Writes reports/bench/metrics.json
and metrics.md.

    .venv/bin/python bench/bench_metrics.py [--doc us-japan-1974] [--runs 5] [--reference-runs 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workbench.corpus import Collection  # noqa: E402
from workbench.evaluate import DocumentEvaluation, evaluate_page  # noqa: E402
from workbench.fsutil import atomic_write_json, atomic_write_text  # noqa: E402
from workbench.metrics import cer, character_error, wer  # noqa: E402
from workbench.models import GoldPage  # noqa: E402
from workbench.normalize import char_units, fold_whitespace  # noqa: E402
from workbench.ocr.store import has_ocr, load_ocr_pages  # noqa: E402


def inject_errors(text: str, *, rate: float, seed: int) -> str:
    """`text` with OCR-like errors: substitutions, deletions and insertions, `rate` per character in all."""
    rng = random.Random(seed)
    out = []
    for char in text:
        roll = rng.random()
        if roll < rate / 3:
            out.append(rng.choice("il1I|0O.,;:'rnmc"))
        elif roll < 2 * rate / 3:
            continue
        elif roll < rate:
            out.append(char + rng.choice("',. .-\n"))
        else:
            out.append(char)
    return "".join(out)


def timed(function: Callable[[], object], runs: int) -> tuple[object, float, list[float]]:
    """The function's result and the median of `runs` wall-clock timings, in seconds."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return result, statistics.median(times), times


def document_pages(collection: Collection, doc_id: str, *, rate: float) -> tuple[list[tuple[GoldPage, str]], str]:
    """(gold page, OCR page text) for every page, and where the OCR came from."""
    document = collection.document(doc_id)
    golds = collection.gold_pages(document)
    if has_ocr(collection, document):
        texts = [page.text for page in load_ocr_pages(collection, document)]
        return list(zip(golds, texts, strict=True)), "stored OCR"
    injected = [inject_errors(g.full_text, rate=rate, seed=g.number) for g in golds]
    return list(zip(golds, injected, strict=True)), f"gold with injected errors ({rate:.0%}, no stored OCR yet)"


FIGURES = ("cer", "wer", "body_cer", "body_wer")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--doc", default="us-japan-1974")
    parser.add_argument("--runs", type=int, default=5, help="runs of ours (and of dinglehopper on the document)")
    parser.add_argument("--reference-runs", type=int, default=3, help="runs of dinglehopper on the 1 MB pair")
    parser.add_argument("--size", type=int, default=1_000_000, help="size of the long pair in characters")
    parser.add_argument("--rate", type=float, default=0.03, help="injected error rate")
    parser.add_argument("--out", type=Path, default=REPO / "reports" / "bench")
    args = parser.parse_args(argv)

    from dinglehopper.character_error_rate import character_error_rate_n
    from dinglehopper.word_error_rate import word_error_rate_n

    def theirs_evaluate(pages: list[tuple[GoldPage, str]]) -> dict[str, float]:
        """The four document figures from dinglehopper: per page on the folded texts, then pooled."""
        sums = {name: [0.0, 0] for name in FIGURES}
        for gold, ocr in pages:
            folded_ocr = fold_whitespace(ocr)
            for prefix, reference in (("", gold.full_text), ("body_", gold.body)):
                folded = fold_whitespace(reference)
                for name, function in (("cer", character_error_rate_n), ("wer", word_error_rate_n)):
                    rate, length = function(folded, folded_ocr)
                    sums[prefix + name][0] += rate * length
                    sums[prefix + name][1] += length
        return {name: distance / length for name, (distance, length) in sums.items()}

    def ours_evaluate(pages: list[tuple[GoldPage, str]]) -> dict[str, float]:
        """The four document figures from workbench.evaluate (which also counts bag of words, confusions)."""
        evaluation = DocumentEvaluation(args.doc, args.doc, tuple(evaluate_page(g, o) for g, o in pages))
        score = evaluation.score()
        return {name: getattr(score, name) for name in FIGURES}

    load_start = os.getloadavg()
    collection = Collection(REPO)
    pages, source = document_pages(collection, args.doc, rate=args.rate)
    gold_chars = sum(len(g.full_text) for g, _ in pages)
    print(f"document {args.doc}: {len(pages)} pages, {gold_chars} gold characters; OCR: {source}")
    ours_doc, ours_doc_t, ours_doc_all = timed(lambda: ours_evaluate(pages), args.runs)
    theirs_doc, theirs_doc_t, theirs_doc_all = timed(lambda: theirs_evaluate(pages), args.runs)
    doc_difference = max(abs(ours_doc[name] - theirs_doc[name]) for name in FIGURES)
    for who, figures, median in (("ours", ours_doc, ours_doc_t), ("dinglehopper", theirs_doc, theirs_doc_t)):
        shown = " ".join(f"{name} {figures[name]:.9f}" for name in FIGURES)
        print(f"  {who:12}  {shown}  median {median * 1000:8.1f} ms")

    gold_text = "\n".join(g.full_text for g, _ in pages) + "\n"
    long_gold = (gold_text * (args.size // len(gold_text) + 1))[: args.size]
    long_ocr = inject_errors(long_gold, rate=args.rate, seed=1974)
    folded_gold, folded_ocr = fold_whitespace(long_gold), fold_whitespace(long_ocr)
    print(f"long pair: {len(long_gold)} / {len(long_ocr)} characters ({len(long_gold.encode()) / 1e6:.2f} MB gold)")
    ours_cer, ours_cer_t, ours_cer_all = timed(lambda: cer(long_gold, long_ocr), args.runs)
    ours_wer, ours_wer_t, ours_wer_all = timed(lambda: wer(long_gold, long_ocr), args.runs)
    print(f"  ours          CER {ours_cer:.12f}  median {ours_cer_t:7.3f} s")
    print(f"  ours          WER {ours_wer:.12f}  median {ours_wer_t:7.3f} s")
    theirs_wer, theirs_wer_t, theirs_wer_all = timed(
        lambda: word_error_rate_n(folded_gold, folded_ocr)[0], args.reference_runs
    )
    print(f"  dinglehopper  WER {theirs_wer:.12f}  median {theirs_wer_t:7.3f} s")
    theirs_cer, theirs_cer_t, theirs_cer_all = timed(
        lambda: character_error_rate_n(folded_gold, folded_ocr)[0], args.reference_runs
    )
    print(f"  dinglehopper  CER {theirs_cer:.12f}  median {theirs_cer_t:7.3f} s")
    measure = character_error(long_gold, long_ocr)
    exact_distance = round(theirs_cer * len(char_units(long_gold)))

    result = {
        "command": "python bench/bench_metrics.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            # other work on the machine inflates every timing; the load says how much there was
            "load_average_start": load_start,
            "load_average_end": os.getloadavg(),
        },
        "document": {
            "id": args.doc,
            "pages": len(pages),
            "gold_characters": gold_chars,
            "ocr_source": source,
            "runs": args.runs,
            "what": "the four pooled figures (cer, wer, body_cer, body_wer) of every page; ours is "
            "workbench.evaluate.evaluate_page (also bag of words and confusions), files read beforehand",
            "ours": {**ours_doc, "median_s": ours_doc_t, "times_s": ours_doc_all},
            "dinglehopper": {**theirs_doc, "median_s": theirs_doc_t, "times_s": theirs_doc_all},
            "speedup": theirs_doc_t / ours_doc_t,
            "max_difference": doc_difference,
        },
        "long_pair": {
            "gold_characters": len(long_gold),
            "ocr_characters": len(long_ocr),
            "injected_error_rate": args.rate,
            "ours": {
                "cer": ours_cer, "cer_median_s": ours_cer_t, "cer_times_s": ours_cer_all,
                "wer": ours_wer, "wer_median_s": ours_wer_t, "wer_times_s": ours_wer_all,
                "distance": measure.distance, "gold_length": measure.gold_length, "runs": args.runs,
            },
            "dinglehopper": {
                "cer": theirs_cer, "cer_median_s": theirs_cer_t, "cer_times_s": theirs_cer_all,
                "wer": theirs_wer, "wer_median_s": theirs_wer_t, "wer_times_s": theirs_wer_all,
                "distance": exact_distance, "runs": args.reference_runs,
            },
            "cer_speedup": theirs_cer_t / ours_cer_t,
            "wer_speedup": theirs_wer_t / ours_wer_t,
            "cer_difference": abs(ours_cer - theirs_cer),
            "wer_difference": abs(ours_wer - theirs_wer),
            "target": "ours at least 30x faster on the CER of the 1 MB pair, same CER to 1e-9",
            "target_met": theirs_cer_t / ours_cer_t >= 30
            and abs(ours_cer - theirs_cer) <= 1e-9
            and doc_difference <= 1e-9,
        },
    }
    long = result["long_pair"]
    size_mb = f"{len(long_gold) / 1e6:.1f}"
    doc = result["document"]
    lines = [
        "# Metrics benchmark: ours vs dinglehopper 0.11 (medians)",
        "",
        f"Command: `{result['command'].strip()}` on Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {load_start[0]:.1f} at the start and {os.getloadavg()[0]:.1f} at the end.",
        "",
        "| pair | measure | ours | dinglehopper | speed-up | |difference| |",
        "|---|---|---|---|---|---|",
        f"| {args.doc} ({doc['pages']} pages, {source}) | evaluate: CER, WER, body CER, body WER "
        f"({args.runs} runs) | {ours_doc_t * 1000:.1f} ms | {theirs_doc_t * 1000:.1f} ms | {doc['speedup']:.0f}x "
        f"| {doc_difference:.1e} |",
        f"| {size_mb} MB ({len(long_gold)} chars, {args.rate:.0%} injected) | CER "
        f"| {ours_cer_t:.3f} s ({args.runs} runs) "
        f"| {theirs_cer_t:.1f} s ({args.reference_runs} runs) | {long['cer_speedup']:.0f}x "
        f"| {long['cer_difference']:.1e} |",
        f"| {size_mb} MB | WER | {ours_wer_t:.3f} s | {theirs_wer_t:.1f} s | {long['wer_speedup']:.0f}x "
        f"| {long['wer_difference']:.1e} |",
        "",
        "Document: " + ", ".join(
            f"{name} {ours_doc[name]:.6f} (dinglehopper {theirs_doc[name]:.6f})" for name in FIGURES
        ) + ".",
        f"1 MB pair: CER {ours_cer:.12f} (dinglehopper {theirs_cer:.12f}); distance {measure.distance} "
        f"grapheme clusters of {measure.gold_length} (dinglehopper {exact_distance}).",
        f"Target (30x faster, same CER to 1e-9): {'met' if long['target_met'] else 'NOT met'}.",
    ]
    args.out.mkdir(parents=True, exist_ok=True)
    atomic_write_json(args.out / "metrics.json", result)
    atomic_write_text(args.out / "metrics.md", "\n".join(lines) + "\n")
    print("\n".join(lines[4:]))
    print(f"wrote {args.out / 'metrics.json'} and {args.out / 'metrics.md'}")
    return 0 if long["target_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
