"""Benchmark: the exports of issue 16 side by side on one document, per page.

The document is made from the briefing paper's Tesseract hOCR (transcripts/ocr/us-japan-1974/page-NNN.hocr),
repeated to --pages pages and imported as hOCR files (one a page, kept as their sources) into a temporary
collection; its no-gold flags are accepted, so the exports have real corrections to carry. Each export is
run --repeat times, alternating, and its median time per page reported, with its ratio to the fresh ALTO
export the workbench already had:

  alto          ALTO v4 written anew (the baseline)
  hocr-source   the imported hOCR files with the corrected words written back (--into-source)
  page          PAGE XML 2019, one file a page
  tei           TEI P5 with a facsimile

No target: the figures say what the exports cost.

    .venv/bin/python bench/bench_formats.py [--pages 50] [--repeat 5]

Prints the figures and writes reports/bench/formats.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SOURCE_DOC = "us-japan-1974"
EXPORTS = {
    "alto": {"format": "alto"},
    "hocr-source": {"format": "hocr", "into_source": True},
    "page": {"format": "page"},
    "tei": {"format": "tei"},
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sources = sorted((REPO / "transcripts" / "ocr" / SOURCE_DOC).glob("page-*.hocr"))
    if not sources:
        print(f"no hOCR of {SOURCE_DOC} in transcripts/ocr: nothing to measure", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "collection"
        (home / "scans").mkdir(parents=True)
        os.environ["WORKBENCH_HOME"], os.environ["WORKBENCH_DB"] = str(home), str(Path(folder) / "review.db")
        os.environ["WORKBENCH_PROGRESS"] = "false"
        from workbench import review
        from workbench.corpus import Collection, add_document
        from workbench.exporters import export
        from workbench.store import open_store

        files = []
        for number in range(1, args.pages + 1):
            path = Path(folder) / f"page-{number:03d}.hocr"
            shutil.copyfile(sources[(number - 1) % len(sources)], path)
            files.append(path)
        collection = Collection(home)
        add_document(collection, "bench", title="Benchmark", ocr=files)
        store = open_store()
        review.refresh_flags(collection, store, "bench", use_gold=False)
        accepted = len(review.accept_all(store, "bench", reviewer="bench"))
        out = Path(folder) / "out"
        times: dict[str, list[float]] = {name: [] for name in EXPORTS}
        for _ in range(args.repeat):
            for name, options in EXPORTS.items():  # alternating, so a slow moment of the machine hits all alike
                target = out / name
                shutil.rmtree(target, ignore_errors=True)
                target.mkdir(parents=True)
                start = time.perf_counter()
                export(collection, store, "bench", out=f"{target}/", **options)
                times[name].append(time.perf_counter() - start)
        store.close()
    medians = {name: statistics.median(values) for name, values in times.items()}
    report = {
        "pages": args.pages,
        "repeat": args.repeat,
        "accepted_flags": accepted,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "ms_per_page": {name: round(1000 * value / args.pages, 2) for name, value in medians.items()},
        "ratio_to_alto": {name: round(value / medians["alto"], 2) for name, value in medians.items()},
    }
    print(f"{args.pages} pages, {accepted} flags accepted, median of {args.repeat} runs each")
    for name in EXPORTS:
        print(f"  {name:12} {report['ms_per_page'][name]:8.2f} ms/page   x{report['ratio_to_alto'][name]:.2f} of alto")
    target = REPO / "reports" / "bench" / "formats.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {target.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
