"""Benchmark: OCR of a document's pages, ours against a plain pytesseract loop, side by side in one run.

    .venv/bin/python bench/bench_ocr.py [--doc us-japan-1974] [--runs 3] [--cores 2] [--jobs 2]

Pinned to `--cores` CPUs (children inherit the affinity), each round times, in turn:
  baseline  a sequential `pytesseract.image_to_string(path)` loop over the pages, Tesseract's default
            threading (OMP_THREAD_LIMIT unset);
  cold      `workbench ocr DOC --jobs N` as a fresh process, into a scratch copy of the document with an
            empty cache (so it also pays for start-up, the engine probe and storing text, words, hOCR);
  warm      the same command again over the unchanged document: every page from the cache.
Medians over `--runs` rounds. Targets: cold at most 0.4x the baseline; warm under 1 s for the document.
Writes reports/bench/ocr.json and prints the figures. The repository's transcripts are never touched.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workbench.corpus import Collection  # noqa: E402
from workbench.fsutil import atomic_write_json  # noqa: E402

COLD_TARGET = 0.4
WARM_TARGET_S = 1.0


def pin_cores(count: int) -> list[int]:
    """Restrict this process (and its children) to `count` of the CPUs it may use; returns them."""
    available = sorted(os.sched_getaffinity(0))
    chosen = available[:count]
    os.sched_setaffinity(0, chosen)
    return chosen


def baseline(scans: list[Path]) -> float:
    """Seconds for a plain sequential pytesseract.image_to_string loop, default threading."""
    import pytesseract

    env_before = os.environ.pop("OMP_THREAD_LIMIT", None)
    try:
        started = time.perf_counter()
        texts = [pytesseract.image_to_string(str(scan)) for scan in scans]
        elapsed = time.perf_counter() - started
    finally:
        if env_before is not None:
            os.environ["OMP_THREAD_LIMIT"] = env_before
    assert all(text.strip() for text in texts), "baseline read nothing"
    return elapsed


def scratch_collection(source: Collection, doc_id: str, folder: Path) -> Collection:
    """A copy of one document's scans and manifest (and its gold) in `folder`."""
    home = folder / "collection"
    shutil.copytree(source.document_dir(doc_id), home / "scans" / doc_id)
    (home / "transcripts").mkdir(parents=True)
    return Collection(home)


def workbench_ocr(collection: Collection, doc_id: str, *, jobs: int, cache: Path) -> tuple[float, str]:
    """Seconds for `workbench ocr DOC --jobs N` as a fresh process, and its summary line."""
    env = {
        **os.environ,
        "WORKBENCH_HOME": str(collection.home),
        "WORKBENCH_CACHE": str(cache),
        "WORKBENCH_PROGRESS": "false",
    }
    env.pop("OMP_THREAD_LIMIT", None)  # the workbench sets it for its own tesseract processes
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "workbench", "ocr", doc_id, "--jobs", str(jobs)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"bench_ocr: workbench ocr failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed, done.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--doc", default="us-japan-1974")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=REPO / "reports" / "bench" / "ocr.json")
    args = parser.parse_args(argv)

    cores = pin_cores(args.cores)
    source = Collection(REPO)
    document = source.document(args.doc)
    scans = [page.scan for page in document.pages]
    if any(scan is None or not scan.exists() for scan in scans):
        raise SystemExit(f"bench_ocr: {args.doc} lacks page scans (make them with `workbench synth`)")
    load_before = os.getloadavg()

    rounds = []
    summaries = []
    for index in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="bench-ocr-") as folder:
            collection = scratch_collection(source, args.doc, Path(folder))
            cache = Path(folder) / "cache"
            base = baseline(scans)
            cold, cold_line = workbench_ocr(collection, args.doc, jobs=args.jobs, cache=cache)
            warm, warm_line = workbench_ocr(collection, args.doc, jobs=args.jobs, cache=cache)
        rounds.append({"baseline_s": base, "cold_s": cold, "warm_s": warm})
        summaries = [cold_line, warm_line]
        print(f"round {index + 1}: baseline {base:.2f} s, cold {cold:.2f} s, warm {warm:.2f} s", flush=True)

    def median(name: str) -> float:
        return statistics.median(r[name] for r in rounds)

    base, cold, warm = median("baseline_s"), median("cold_s"), median("warm_s")
    ratio = cold / base
    report = {
        "benchmark": "ocr",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "document": args.doc,
        "pages": len(scans),
        "cores": cores,
        "jobs": args.jobs,
        "runs": args.runs,
        "python": platform.python_version(),
        "tesseract": subprocess.run(["tesseract", "--version"], capture_output=True, text=True).stdout.split("\n")[0],
        "load_average_before": [round(x, 2) for x in load_before],
        "rounds": [{k: round(v, 3) for k, v in r.items()} for r in rounds],
        "median_baseline_s": round(base, 3),
        "median_cold_s": round(cold, 3),
        "median_warm_s": round(warm, 3),
        "cold_to_baseline": round(ratio, 3),
        "targets": {"cold_to_baseline_at_most": COLD_TARGET, "warm_s_under": WARM_TARGET_S},
        "met": {"cold": ratio <= COLD_TARGET, "warm": warm < WARM_TARGET_S},
        "commands": {
            "baseline": "for each page: pytesseract.image_to_string(path)  (OMP_THREAD_LIMIT unset)",
            "ours": f"workbench ocr {args.doc} --jobs {args.jobs}  (fresh process; cold: empty WORKBENCH_CACHE)",
        },
        "last_output": summaries,
    }
    atomic_write_json(args.out, report)
    print(
        f"\n{args.doc}: {len(scans)} pages on {len(cores)} cores, medians of {args.runs} runs\n"
        f"  baseline (sequential image_to_string, default threads)  {base:7.2f} s\n"
        f"  workbench ocr, cold cache, --jobs {args.jobs}                 {cold:7.2f} s"
        f"  = {ratio:.2f}x baseline (target <= {COLD_TARGET}x: {'met' if ratio <= COLD_TARGET else 'NOT met'})\n"
        f"  workbench ocr, warm cache                              {warm:7.2f} s"
        f"  (target < {WARM_TARGET_S:.0f} s: {'met' if warm < WARM_TARGET_S else 'NOT met'})\n"
        f"written to {args.out.relative_to(REPO) if args.out.is_relative_to(REPO) else args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
