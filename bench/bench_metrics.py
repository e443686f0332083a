"""Benchmark: our CER/WER against dinglehopper's, side by side in one run, medians of several runs.

Two pairs:
  document  the gold of a document (every page's full text, markings included) against its stored OCR,
            page by page; when the document has no stored OCR yet, against the gold with injected
            errors (seeded), and the report says so.
  1 MB      the document's gold repeated to about 1 MB against a copy with injected errors (seeded).

For each, ours (workbench.metrics: `cer`, `wer`) and dinglehopper's python API
(`character_error_rate`, `word_error_rate`, on the whitespace-folded texts, as our definition says)
are timed; the figures must agree to 1e-9. dinglehopper's 1 MB CER takes about a minute a run, so it
runs `--reference-runs` times (default 3). Writes reports/bench/metrics.json and metrics.md.

    .venv/bin/python bench/bench_metrics.py [--doc us-japan-1974] [--runs 5] [--reference-runs 3]
"""

from __future__ import annotations

import argparse
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
from workbench.fsutil import atomic_write_json, atomic_write_text  # noqa: E402
from workbench.metrics import cer, character_error, wer  # noqa: E402
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


def document_pairs(collection: Collection, doc_id: str, *, rate: float) -> tuple[list[tuple[str, str]], str]:
    """(gold full page, OCR page) for every page, and where the OCR came from."""
    document = collection.document(doc_id)
    golds = [page.full_text for page in collection.gold_pages(document)]
    if has_ocr(collection, document):
        return list(zip(golds, [p.text for p in load_ocr_pages(collection, document)], strict=True)), "stored OCR"
    injected = [inject_errors(g, rate=rate, seed=n) for n, g in enumerate(golds, start=1)]
    return list(zip(golds, injected, strict=True)), f"gold with injected errors ({rate:.0%}, no stored OCR yet)"


def pooled(pairs: list[tuple[str, str]], measure: Callable[[str, str], tuple[int, int]]) -> float:
    distance = length = 0
    for gold, ocr in pairs:
        d, n = measure(gold, ocr)
        distance, length = distance + d, length + n
    return distance / length


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

    def ours_page_counts(gold: str, ocr: str) -> tuple[tuple[int, int], tuple[int, int]]:
        from workbench.metrics import word_error

        c, w = character_error(gold, ocr), word_error(gold, ocr)
        return (c.distance, c.gold_length), (w.distance, w.gold_length)

    def theirs_page_counts(gold: str, ocr: str) -> tuple[tuple[int, int], tuple[int, int]]:
        g, o = fold_whitespace(gold), fold_whitespace(ocr)
        c, n = character_error_rate_n(g, o)
        w, m = word_error_rate_n(g, o)
        return (round(c * n), n), (round(w * m), m)

    collection = Collection(REPO)
    pairs, source = document_pairs(collection, args.doc, rate=args.rate)

    def run_document(counts: Callable) -> tuple[float, float]:
        results = [counts(g, o) for g, o in pairs]
        cer_value = sum(c[0] for c, _ in results) / sum(c[1] for c, _ in results)
        wer_value = sum(w[0] for _, w in results) / sum(w[1] for _, w in results)
        return cer_value, wer_value

    print(f"document {args.doc}: {len(pairs)} pages, {sum(len(g) for g, _ in pairs)} gold characters; OCR: {source}")
    (ours_doc, ours_doc_t, ours_doc_all) = timed(lambda: run_document(ours_page_counts), args.runs)
    (theirs_doc, theirs_doc_t, theirs_doc_all) = timed(lambda: run_document(theirs_page_counts), args.runs)
    print(f"  ours          CER {ours_doc[0]:.9f} WER {ours_doc[1]:.9f}  median {ours_doc_t * 1000:8.1f} ms")
    print(f"  dinglehopper  CER {theirs_doc[0]:.9f} WER {theirs_doc[1]:.9f}  median {theirs_doc_t * 1000:8.1f} ms")

    gold_text = "\n".join(g for g, _ in pairs) + "\n"
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
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "document": {
            "id": args.doc,
            "pages": len(pairs),
            "gold_characters": sum(len(g) for g, _ in pairs),
            "ocr_source": source,
            "runs": args.runs,
            "ours": {"cer": ours_doc[0], "wer": ours_doc[1], "median_s": ours_doc_t, "times_s": ours_doc_all},
            "dinglehopper": {
                "cer": theirs_doc[0], "wer": theirs_doc[1], "median_s": theirs_doc_t, "times_s": theirs_doc_all,
            },
            "speedup": theirs_doc_t / ours_doc_t,
            "cer_difference": abs(ours_doc[0] - theirs_doc[0]),
            "wer_difference": abs(ours_doc[1] - theirs_doc[1]),
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
            "target_met": theirs_cer_t / ours_cer_t >= 30 and abs(ours_cer - theirs_cer) <= 1e-9,
        },
    }
    long = result["long_pair"]
    doc = result["document"]
    lines = [
        "# Metrics benchmark: ours vs dinglehopper 0.11 (medians)",
        "",
        f"Command: `{result['command'].strip()}` on Python {platform.python_version()}.",
        "",
        "| pair | measure | ours | dinglehopper | speed-up | |difference| |",
        "|---|---|---|---|---|---|",
        f"| {args.doc} ({doc['pages']} pages, {source}) | CER+WER, {args.runs} runs | {ours_doc_t * 1000:.1f} ms "
        f"| {theirs_doc_t * 1000:.1f} ms | {doc['speedup']:.0f}x | CER {doc['cer_difference']:.1e}, "
        f"WER {doc['wer_difference']:.1e} |",
        f"| 1 MB ({len(long_gold)} chars, {args.rate:.0%} injected) | CER | {ours_cer_t:.3f} s ({args.runs} runs) "
        f"| {theirs_cer_t:.1f} s ({args.reference_runs} runs) | {long['cer_speedup']:.0f}x "
        f"| {long['cer_difference']:.1e} |",
        f"| 1 MB | WER | {ours_wer_t:.3f} s | {theirs_wer_t:.1f} s | {long['wer_speedup']:.0f}x "
        f"| {long['wer_difference']:.1e} |",
        "",
        f"Document: CER {ours_doc[0]:.6f} (dinglehopper {theirs_doc[0]:.6f}), WER {ours_doc[1]:.6f} "
        f"(dinglehopper {theirs_doc[1]:.6f}).",
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
