"""Which OCR options read the scans best: CER per document variant and option set, against the gold.

    .venv/bin/python bench/bench_ocr_options.py [--docs us-japan-1974 ...] [--jobs 2] [--cache DIR]

Each option set (preprocessing and page segmentation) is run with `workbench.ocr.run.run_ocr` over a
scratch copy of each document, then scored by `workbench.evaluate` (full-page CER/WER, body CER). Results
are cached (default: WORKBENCH_CACHE), so a second run only re-scores. Writes reports/bench/ocr.options.json
and prints a table. The repository's transcripts are never touched.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workbench.corpus import Collection  # noqa: E402
from workbench.evaluate import evaluate_document  # noqa: E402
from workbench.fsutil import atomic_write_json  # noqa: E402
from workbench.ocr.cache import OcrCache  # noqa: E402
from workbench.ocr.options import OcrOptions, document_options  # noqa: E402
from workbench.ocr.run import run_ocr  # noqa: E402

OPTION_SETS = {
    "default (gray, psm 3)": {},
    "otsu": {"binarize": "otsu"},
    "sauvola": {"binarize": "sauvola"},
    "deskew": {"deskew": True},
    "deskew + sauvola": {"deskew": True, "binarize": "sauvola"},
    "psm 4": {"psm": 4},
    "psm 4 + deskew": {"psm": 4, "deskew": True},
    "psm 6": {"psm": 6},
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", nargs="+", default=["us-japan-1974-clean", "us-japan-1974", "us-japan-1974-poor"])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--cache", type=Path, help="OCR cache folder (default WORKBENCH_CACHE)")
    parser.add_argument("--out", type=Path, default=REPO / "reports" / "bench" / "ocr.options.json")
    args = parser.parse_args(argv)

    source = Collection(REPO)
    cache = OcrCache(args.cache.resolve()) if args.cache else OcrCache.default()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-ocr-options-") as folder:
        scratch = Collection(Path(folder) / "collection")
        (scratch.transcripts).mkdir(parents=True)
        shutil.copytree(source.transcripts / "gold", scratch.transcripts / "gold")
        for doc_id in args.docs:
            shutil.copytree(source.document_dir(doc_id), scratch.document_dir(doc_id))
            document = scratch.document(doc_id)
            base = document_options(document)
            for label, overrides in OPTION_SETS.items():
                options: OcrOptions = base.merged(overrides, source=label)
                started = time.perf_counter()
                run = run_ocr(scratch, document, options=options, jobs=args.jobs, cache=cache)
                if run.failures:
                    raise SystemExit(f"bench_ocr_options: {doc_id} [{label}]: {run.failures[0].message}")
                score = evaluate_document(scratch, doc_id).score()
                row = {
                    "document": doc_id,
                    "options": label,
                    "recorded": options.as_dict(),
                    "cer": round(score.cer, 4),
                    "wer": round(score.wer, 4),
                    "body_cer": round(score.body_cer, 4),
                    "pages_read": len(run.read),
                    "pages_cached": len(run.cached),
                    "seconds": round(time.perf_counter() - started, 2),
                }
                results.append(row)
                print(f"{doc_id:22} {label:24} CER {100 * score.cer:6.2f} %  WER {100 * score.wer:6.2f} %  "
                      f"body CER {100 * score.body_cer:6.2f} %", flush=True)
    best = {}
    for doc_id in args.docs:
        rows = [r for r in results if r["document"] == doc_id]
        best[doc_id] = min(rows, key=lambda r: r["cer"])["options"]
    atomic_write_json(
        args.out,
        {
            "benchmark": "ocr-options",
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "engine": cache.engine().name,
            "measure": "workbench.evaluate: full-page CER/WER (markings in reading order), body CER; fractions",
            "results": results,
            "best_by_cer": best,
        },
    )
    print("\nbest by CER: " + "; ".join(f"{d}: {o}" for d, o in best.items()))
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
