"""Bench of the flagger: lexicon choice by measurement, and the no-gold flagger scored on each scan variant.

    .venv/bin/python bench/bench_flags.py [--home DIR] [--docs us-japan-1974 ...] [--write] [--held-out-seed N]

1. Lexicons (wordfreq, symspellpy, pyspellchecker): load time, median lookup time, share of the gold's
   words each knows, and top-1 of each one's own correction on the real misread words of the stored OCR
   (OCR word -> gold word pairs from the gold flags). Prints the figures.
2. For each document with stored OCR: time of the no-gold flagger, and its evaluation against the gold
   flags (`workbench flag DOC --evaluate`), with precision by flag confidence. With --write, each
   evaluation goes to reports/bench/flags-<doc>.json.
3. With --held-out-seed N, the same on scans re-simulated with another seed (typed and worn anew, so
   never seen while the flagger was tuned), written to reports/bench/flags-<doc>-seedN.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from workbench.corpus import Collection  # noqa: E402
from workbench.flags import evaluate_flags, flag_document  # noqa: E402
from workbench.flags.lexicon import Lexicon  # noqa: E402
from workbench.flags.suggest import rank_words  # noqa: E402
from workbench.flags.tokens import strip_punct  # noqa: E402
from workbench.models import FlagCategory  # noqa: E402
from workbench.ocr.store import has_ocr  # noqa: E402

DOCS = ("us-japan-1974", "us-japan-1974-clean", "us-japan-1974-poor")


def gold_words(collection: Collection, doc: str) -> list[str]:
    """The words of the gold bodies (edge punctuation off), as a lexicon should know them."""
    document = collection.document(doc)
    words = []
    for gold in collection.gold_pages(document):
        words.extend(w for w in (strip_punct(t)[1] for t in gold.body.split()) if w.isalpha())
    return words


def misread_pairs(collection: Collection, docs: list[str]) -> list[tuple[str, str]]:
    """(OCR word, gold word) of single-word misread gold flags in the stored OCR of `docs`."""
    pairs = []
    for doc in docs:
        for flag in flag_document(collection, doc, use_gold=True):
            if flag.category is not FlagCategory.MISREAD_WORD or " " in flag.text or " " in flag.suggestions[0]:
                continue
            read, meant = strip_punct(flag.text)[1], strip_punct(flag.suggestions[0])[1]
            if read.isalpha() and meant.isalpha():
                pairs.append((read, meant))
    return pairs


def _median_us(fn, items) -> float:
    times = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        times.append((time.perf_counter() - start) * 1e6)
    return statistics.median(times)


def bench_lexicons(words: list[str], pairs: list[tuple[str, str]]) -> dict:
    """Load time (s), median lookup (us), gold-word coverage and own-correction top-1 of each lexicon."""
    results = {}

    start = time.perf_counter()
    lexicon = Lexicon.for_texts([])
    from workbench.flags.lexicon import candidate_words

    candidate_words()
    load = time.perf_counter() - start
    results["wordfreq"] = {
        "load_s": load,
        "lookup_us": _median_us(lexicon.is_known, words),
        "coverage": sum(lexicon.is_known(w) for w in words) / len(words),
        "top1": _top1(pairs, lambda w: (rank_words(w, lexicon, limit=1) or [None])[0]),
    }

    try:
        from importlib.resources import files

        from symspellpy import SymSpell, Verbosity

        start = time.perf_counter()
        sym = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
        sym.load_dictionary(str(files("symspellpy") / "frequency_dictionary_en_82_765.txt"), 0, 1)
        load = time.perf_counter() - start

        def sym_known(word):
            return bool(sym.lookup(word.lower(), Verbosity.TOP, max_edit_distance=0))

        def sym_fix(word):
            found = sym.lookup(word.lower(), Verbosity.TOP, max_edit_distance=2)
            return found[0].term if found else None

        results["symspellpy"] = {
            "load_s": load,
            "lookup_us": _median_us(sym_known, words),
            "coverage": sum(sym_known(w) for w in words) / len(words),
            "top1": _top1(pairs, sym_fix),
        }
    except ImportError:
        results["symspellpy"] = None

    try:
        from spellchecker import SpellChecker

        start = time.perf_counter()
        checker = SpellChecker()
        load = time.perf_counter() - start

        def psc_known(word):
            return bool(checker.known([word.lower()]))

        results["pyspellchecker"] = {
            "load_s": load,
            "lookup_us": _median_us(psc_known, words),
            "coverage": sum(psc_known(w) for w in words) / len(words),
            "top1": _top1(pairs, lambda w: checker.correction(w.lower())),
        }
    except ImportError:
        results["pyspellchecker"] = None
    return results


def _top1(pairs, fix) -> float | None:
    if not pairs:
        return None
    right = 0
    for read, meant in pairs:
        found = fix(read)
        text = getattr(found, "text", found)
        right += bool(text) and text.lower() == meant.lower()
    return right / len(pairs)


def confidence_bands(predicted, gold) -> list[tuple[str, float | None, int]]:
    """Precision of the no-gold flags by confidence band: is the confidence worth filtering on?"""
    from workbench.flags.evaluate import spans_match

    bands = []
    for low, high in ((0.9, 1.01), (0.7, 0.9), (0.5, 0.7), (0.0, 0.5)):
        chosen = [f for f in predicted if low <= f.confidence < high]
        right = sum(1 for f in chosen if any(g.page == f.page and spans_match(f, g) for g in gold))
        label = f"[{low:.1f},{min(high, 1.0):.1f}{']' if high > 1 else ')'}"
        bands.append((label, round(right / len(chosen), 3) if chosen else None, len(chosen)))
    return bands


def held_out_collection(seed: int, docs: list[str], folder: Path) -> Path:
    """A copy of the collection's manifests and gold in `folder`, scans re-simulated with `seed` and OCRed.

    The flagger was tuned on the repository's scans; other seeds give the same pages typed and worn
    differently, which the flagger has never seen.
    """
    (folder / "scans").mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "transcripts" / "gold", folder / "transcripts" / "gold", dirs_exist_ok=True)
    for doc in docs:
        target = folder / "scans" / doc
        target.mkdir(exist_ok=True)
        shutil.copy(ROOT / "scans" / doc / "manifest.json", target / "manifest.json")
    env = {**os.environ, "WORKBENCH_HOME": str(folder), "WORKBENCH_DB": str(folder / "review.db")}
    env.update(OMP_THREAD_LIMIT="1", WORKBENCH_PROGRESS="false")
    workbench = str(Path(sys.executable).with_name("workbench"))
    for doc in docs:
        subprocess.run([workbench, "synth", doc, "--seed", str(seed)], env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([workbench, "ocr", doc], env=env, check=True, stdout=subprocess.DEVNULL)
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=ROOT, help="collection folder (default: the repository)")
    parser.add_argument("--docs", nargs="+", default=list(DOCS))
    parser.add_argument("--write", action="store_true", help="write reports/bench/flags-<doc>[-seedN].json")
    parser.add_argument(
        "--held-out-seed",
        type=int,
        metavar="N",
        help="re-simulate the scans with seed N in a temporary collection, OCR them, and score those (minutes)",
    )
    args = parser.parse_args()
    suffix = ""
    if args.held_out_seed is not None:
        folder = Path(tempfile.mkdtemp(prefix="bench-flags-"))
        print(f"held-out scans (seed {args.held_out_seed}) in {folder} ...", flush=True)
        args.home = held_out_collection(args.held_out_seed, args.docs, folder)
        suffix = f"-seed{args.held_out_seed}"
    collection = Collection(args.home.resolve())
    docs = [d for d in args.docs if has_ocr(collection, collection.document(d))]
    missing = sorted(set(args.docs) - set(docs))
    if missing:
        print(f"no stored OCR for {', '.join(missing)} (run `workbench ocr DOC`); skipped")

    words = gold_words(collection, args.docs[0])
    pairs = misread_pairs(collection, docs)
    print(f"lexicons: {len(words)} gold words, {len(pairs)} real misread words (OCR -> gold) from {len(docs)} docs")
    lexicons = bench_lexicons(words, pairs)
    for name, figures in lexicons.items():
        if figures is None:
            print(f"  {name:15} not installed")
            continue
        top1 = "-" if figures["top1"] is None else f"{figures['top1']:.3f}"
        print(
            f"  {name:15} load {figures['load_s']:.2f} s  lookup median {figures['lookup_us']:.1f} us  "
            f"knows {figures['coverage']:.3f} of gold words  own top-1 {top1}"
        )

    for doc in docs:
        start = time.perf_counter()
        predicted = flag_document(collection, doc, use_gold=False)
        elapsed = time.perf_counter() - start
        gold = flag_document(collection, doc, use_gold=True)
        evaluation = evaluate_flags(predicted, gold)
        o = evaluation.overall
        print(
            f"{doc}: {len(gold)} gold flags, {len(predicted)} no-gold flags in {elapsed:.2f} s; "
            f"precision {o.precision:.3f} recall {o.recall:.3f} F1 {o.f1:.3f}; "
            f"top-1 {evaluation.top1 or 0:.3f} top-3 {evaluation.top3 or 0:.3f} of {evaluation.misread_found} misreads"
        )
        for name, score in evaluation.by_category.items():
            recall = "-" if score.recall is None else f"{score.recall:.3f}"
            precision = "-" if score.precision is None else f"{score.precision:.3f}"
            print(f"    {name:20} gold {score.gold:4} recall {recall:>6}", end="")
            print(f"   flags {score.predicted:4} precision {precision:>6}")
        bands = confidence_bands(predicted, gold)
        print("    precision by flag confidence: " + ", ".join(f"{band} {p} ({n} flags)" for band, p, n in bands))
        if args.write:
            out = ROOT / "reports" / "bench" / f"flags-{doc}{suffix}.json"
            out.parent.mkdir(parents=True, exist_ok=True)
            report = {
                "document": doc,
                "command": f"workbench flag {doc} --evaluate --json",
                "scans": f"simulated with seed {args.held_out_seed} (held out)" if suffix else "the repository's scans",
                "heuristic_seconds": round(elapsed, 3),
                "lexicons": lexicons,
                "precision_by_confidence": [{"band": b, "precision": p, "flags": n} for b, p, n in bands],
                **evaluation.to_dict(),
            }
            out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
            print(f"    wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
