"""Benchmark: every batch step at archive scale (100, 1,000 and 10,000 pages), and OCR on a LocalCluster.

For each size a collection is made by bench/make_collection.py in a temporary folder (documents of 100
pages copied from the briefing paper, OCR and flags copied and varied, not re-OCRed; its review store
holds every document's flags), then each step runs in a fresh process so that its peak memory is its own:

  evaluate           every document's stored OCR scored against its gold, here (`evaluate_document`)
  evaluate-cluster   the same on a 2-worker LocalCluster started by the step (`--workers 2`)
  flag-no-gold       every document's no-gold flags (`flag_document(use_gold=False)`)
  report-all         `report --all`: every document's report and the collection index, with an empty cache
                     of its own (every document flagged with and without gold, as a first report is)
  report-all-again   `report --all` once more, on the flags the first one kept in that cache
                     (workbench.flags.document): a report after `flag --no-gold`, or a second report; not
                     run where neither first report was (its cache would be empty; where only the other
                     place's first report ran, its cache serves: the flags are the same), unless --flag-cache DIR names
                     a cache filled beforehand by the same flagger from a collection of the same size and
                     seed (the flag cache's key holds no path), e.g. by `flag_document` over every document
                     of `make_collection.py DIR --pages N`. The step counts the flag sets it did not find
                     (`flag_sets_not_cached`: an edit of the flaggers' code between the steps is a new key;
                     run the bench from a snapshot, `git archive HEAD`, while others edit the checkout)
  report-all-cluster, report-all-again-cluster
                     the same two on a 2-worker LocalCluster started by the step (`report --all --workers 2`):
                     one task per document, built and rendered on a worker, written by the client
  review             Streamlit AppTest: open Review on one 100-page document of the collection, then time
                     review actions (bench/bench_ui.py's `measure`: click to rerun done)
  search             not a step here: bench/bench_search.py measures it on a 10,000-page collection from
                     the same make_collection.py (reports/bench/search.md); it came after this bench's run

Wall time (inside the step's process, start-up excluded) and peak resident memory (the step's process and
its children, from the kernel's rusage) of each, and the growth exponent of each step: the slope of
log(time) on log(pages) over the sizes measured. A step whose time at the next size, predicted linearly
from the last, exceeds --budget seconds is not run at that size; the report says so and by how much.

OCR: `--ocr-pages N` pages (the paper's five scans, repeated) read with an empty cache by run_ocr on a
2-worker LocalCluster (its start-up included) against two plain single-threaded `tesseract` processes
sharing the same pages (xargs -P 2), alternated, --ocr-runs times each; medians and their ratio.

Targets (issue 17), at 10,000 pages: review action median under 200 ms; evaluate under 60 s; report --all
under 5 minutes; peak memory under 2 GB; no step growing faster than pages^1.1; OCR on 2 workers within 1.1x
of two plain Tesseract processes.

    .venv/bin/python bench/bench_scale.py [--sizes 100 1000 10000] [--budget 900] [--ocr-pages 20]

Before/after: `--baseline DIR` (a folder holding another version's `workbench` package, e.g. from `git archive
COMMIT workbench | tar -x -C DIR`) runs each step with that code too, just before this checkout's, on the same
collection, and prints the ratio; `--steps` picks the steps (write such partial runs elsewhere with `--out`).

`--merge-into DIR` puts a separate run's figures into DIR's scale.json (replacing those of the same steps and
sizes, with a note naming the run) and writes scale.md and scale.svg again there.

Prints the figures and writes reports/bench/scale.json, scale.md and scale.svg.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

OUT = REPO / "reports" / "bench"
STEPS = ("evaluate", "evaluate-cluster", "flag-no-gold", "report-all", "report-all-again", "report-all-cluster",
         "report-all-again-cluster", "review")
REPORT_STEPS = ("report-all", "report-all-again", "report-all-cluster", "report-all-again-cluster")
AGAIN_STEPS = {"report-all-again": "report-all", "report-all-again-cluster": "report-all-cluster"}  # -> its first
REVIEW_DOCUMENT = "scale-0001"
REVIEW_ACTIONS = 20
TARGETS = {
    "review_action_median_ms": 200.0,
    "evaluate_s": 60.0,
    "report_all_s": 300.0,
    "peak_memory_mb": 2048.0,
    "growth_exponent": 1.1,
    "ocr_cluster_ratio": 1.1,
}


# -- the steps, each run in its own process -------------------------------------------------------------------


def _documents(home: Path) -> list[str]:
    from workbench.corpus import Collection

    return Collection(home).document_ids()


def _cache_entries(cache: Path) -> int:
    """How many documents' flag sets a flag cache folder holds (workbench.flags.document's layout)."""
    return sum(1 for _ in (cache / "flags").glob("*/*.json"))


def step(
    name: str, home: Path, database: str, scratch: Path, code: Path | None = None, flag_cache: Path | None = None
) -> dict:
    """Run one step on the collection at `home` (with the `workbench` package in `code`, when given, instead
    of this checkout's; the report-again steps on the flags `flag_cache` holds, when given); returns its
    figures (seconds inside the step)."""
    if code is not None:
        sys.path.insert(0, str(code))
    os.environ["WORKBENCH_HOME"] = str(home)
    os.environ["WORKBENCH_DB"] = database
    os.environ["WORKBENCH_PROGRESS"] = "false"
    cache_entries = None
    if name in REPORT_STEPS:
        # the reports' flag cache, apart from the other steps' (and the cluster's and another version's apart
        # from each other's): empty for the first report, kept for the second
        where = "-cluster" if name.endswith("cluster") else ""
        cache = scratch.parent / f"report-cache-{home.name}{where}{'-baseline' if code is not None else ''}"
        other = scratch.parent / f"report-cache-{home.name}{'' if where else '-cluster'}"
        if flag_cache is not None and name in AGAIN_STEPS:
            cache = flag_cache  # filled beforehand (--flag-cache)
        elif name in AGAIN_STEPS and code is None and not cache.exists() and other.exists():
            # this step's first report was not run, the other place's was: the flags are the same wherever
            # they were made (tests/test_batch.py), so its cache serves
            cache = other
        elif name in ("report-all", "report-all-cluster"):
            shutil.rmtree(cache, ignore_errors=True)
        if name in AGAIN_STEPS:
            # counted, so that a miss shows (an edit of the flaggers' code between the two steps is a new key)
            cache_entries = _cache_entries(cache)
        os.environ["WORKBENCH_CACHE"] = str(cache)
    from workbench.batch import Batch, Where
    from workbench.corpus import Collection
    from workbench.evaluate import evaluate_document
    from workbench.flags import flag_document
    from workbench.report import write_collection_report

    collection = Collection(home)
    started = time.perf_counter()
    extra: dict = {}
    if name == "evaluate":
        pages = sum(len(evaluate_document(collection, d).pages) for d in _documents(home))
        extra["pages_scored"] = pages
    elif name == "evaluate-cluster":
        with Batch(Where(workers=2)) as batch:
            extra["cluster_start_s"] = round(time.perf_counter() - started, 2)
            pages = sum(len(evaluate_document(collection, d, batch=batch).pages) for d in _documents(home))
        extra["pages_scored"] = pages
    elif name == "flag-no-gold":
        extra["flags"] = sum(len(flag_document(collection, d, use_gold=False)) for d in _documents(home))
    elif name in ("report-all", "report-all-again"):
        written = write_collection_report(collection, out=scratch / "reports")
        extra["documents"] = len(written.entries)
        extra["failed"] = len(written.failed)
    elif name in ("report-all-cluster", "report-all-again-cluster"):  # `report --all --workers 2`
        with Batch(Where(workers=2)) as batch:
            extra["cluster_start_s"] = round(time.perf_counter() - started, 2)
            written = write_collection_report(collection, out=scratch / "reports", batch=batch)
        extra["documents"] = len(written.entries)
        extra["failed"] = len(written.failed)
    elif name == "review":
        from bench_ui import measure

        figures = measure(home, REVIEW_DOCUMENT, actions=REVIEW_ACTIONS, database=Path(database))
        extra.update(figures)
    else:
        raise SystemExit(f"bench_scale: unknown step {name!r}")
    seconds = round(time.perf_counter() - started, 2)
    if cache_entries is not None:
        # 0 when every document's flags came from the given cache (each flag set missed adds one entry)
        extra["flag_sets_not_cached"] = _cache_entries(cache) - cache_entries
    return {"seconds": seconds, **extra}


def run_step(
    name: str, home: Path, database: str, scratch: Path, code: Path | None = None, flag_cache: Path | None = None
) -> dict:
    """`step` in a child process; adds its peak memory (MB, the largest of it and its children)."""
    command = [sys.executable, __file__, "--step", name, "--home", str(home), "--db", database,
               "--scratch", str(scratch)] + (["--code", str(code)] if code is not None else [])
    command += ["--flag-cache", str(flag_cache)] if flag_cache is not None else []
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    out, err = process.stdout.read(), process.stderr.read()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        last = err.strip().splitlines()[-1] if err.strip() else f"exit status {process.returncode}"
        return {"error": last}
    figures = json.loads(out.strip().splitlines()[-1])
    # ru_maxrss (KB on Linux) of the child; its own children's peaks come with RUSAGE_CHILDREN in the child.
    figures["peak_mb"] = round(max(usage.ru_maxrss, figures.pop("children_peak_kb", 0)) / 1024, 1)
    return figures


# -- sizes, fits, the report ---------------------------------------------------------------------------------


def growth_exponent(points: list[tuple[int, float]]) -> float | None:
    """Least-squares slope of log(seconds) on log(pages); None with fewer than two sizes."""
    points = [(p, s) for p, s in points if s > 0]
    if len(points) < 2:
        return None
    xs = [math.log(p) for p, _ in points]
    ys = [math.log(s) for _, s in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)


def measure_size(
    pages: int,
    root: Path,
    previous: dict,
    budget: float,
    steps: tuple[str, ...] = STEPS,
    baseline: Path | None = None,
    flag_cache: Path | None = None,
) -> dict:
    """Make the collection of `pages` pages and run every step on it (or say why a step was not run).

    A report-again step runs on the flags its first report kept, so it is not run when that first report
    was not, unless `flag_cache` holds the collection's flags already (--flag-cache)."""
    from make_collection import make_collection

    home = root / f"collection-{pages}"
    database = str(home / "workbench.db")
    made = make_collection(home, pages)
    print(f"{pages:>6} pages: collection made in {made['seconds']} s ({made['documents']} documents, "
          f"{made['flags']} flags in the store)", flush=True)
    results: dict = {"collection": made}
    for name in steps:
        last = previous.get(name)
        first = AGAIN_STEPS.get(name)
        firsts_run = [f for f in AGAIN_STEPS.values() if "seconds" in results.get(f, {})]
        if first is not None and flag_cache is None and not firsts_run:
            # without its first report the cache would be empty: the step would be a first report
            results[name] = {"skipped": "no first report was run at this size, so no flags are cached for it"}
            print(f"{pages:>6} pages: {name:17s} not run: {results[name]['skipped']}", flush=True)
            continue
        if last and "seconds" in last and last["seconds"] * pages / last["pages"] > budget:
            predicted = last["seconds"] * pages / last["pages"]
            results[name] = {"skipped": f"predicted {predicted:.0f} s (linear from {last['pages']} pages) "
                                        f"exceeds the {budget:.0f} s budget"}
            print(f"{pages:>6} pages: {name:17s} not run: {results[name]['skipped']}", flush=True)
            continue
        if baseline is not None:  # the same step with the other code first, in the same run: side by side
            before = _one_step(name, home, database, root / f"scratch-{pages}-{name}-baseline", baseline)
            results.setdefault("baseline", {})[name] = {**before, "pages": pages}
            print(f"{pages:>6} pages: {name:17s} baseline {before}", flush=True)
        figures = _one_step(name, home, database, root / f"scratch-{pages}-{name}", flag_cache=flag_cache)
        figures["pages"] = pages
        results[name] = figures
        shown = {k: v for k, v in figures.items() if k in ("seconds", "peak_mb", "median_ms", "p95_ms",
                                                              "first_open_s", "error", "flag_sets_not_cached")}
        print(f"{pages:>6} pages: {name:17s} {shown}", flush=True)
        if baseline is not None and "seconds" in figures and "seconds" in results["baseline"][name]:
            ratio = results["baseline"][name]["seconds"] / figures["seconds"]
            results["baseline"][name]["speedup"] = round(ratio, 2)
            print(f"{pages:>6} pages: {name:17s} baseline / this: {ratio:.2f}x", flush=True)
    shutil.rmtree(home, ignore_errors=True)
    for cache in root.glob(f"report-cache-{home.name}*"):
        shutil.rmtree(cache, ignore_errors=True)
    return results


def _one_step(
    name: str, home: Path, database: str, scratch: Path, code: Path | None = None, flag_cache: Path | None = None
) -> dict:
    scratch.mkdir()
    try:
        return run_step(name, home, database, scratch, code, flag_cache)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _ocr_pages(root: Path, pages: int) -> Path:
    """A collection with one document of `pages` scans, the paper's five repeated (links)."""
    from workbench.corpus import Collection, page_stem, write_manifest
    from workbench.models import Document, PageRef

    paper = Collection(REPO).document("us-japan-1974")
    home = root / "ocr-collection"
    folder = Collection(home).document_dir("ocr-bench")
    folder.mkdir(parents=True)
    refs = []
    for number in range(1, pages + 1):
        origin = paper.pages[(number - 1) % paper.page_count]
        scan = folder / f"{page_stem(number)}.png"
        scan.symlink_to(origin.scan.resolve())
        refs.append(PageRef("ocr-bench", number, scan, origin.sha256))
    write_manifest(Document(id="ocr-bench", title="OCR bench", pages=tuple(refs), lang="eng",
                            manifest_path=folder / "manifest.json"), folder / "manifest.json")
    return home


def _cpu_seconds() -> float:
    """CPU time (user + system) of this process and of its children that have ended: the tesseract
    processes, xargs, and the LocalCluster's workers with their own tesseract children once they are shut."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure_ocr(root: Path, pages: int, runs: int) -> dict:
    """OCR on a 2-worker LocalCluster against two plain single-threaded tesseract processes: the wall time
    of each (the cluster's start-up included, and timed on its own), and the CPU time each takes."""
    from workbench.batch import Batch, Where
    from workbench.corpus import Collection
    from workbench.ocr.cache import OcrCache
    from workbench.ocr.run import run_ocr

    home = _ocr_pages(root, pages)
    collection = Collection(home)
    document = collection.document("ocr-bench")
    scans = [str(p.scan) for p in document.pages]
    plain, cluster, start_up, plain_cpu, cluster_cpu = [], [], [], [], []
    for run in range(runs):
        outdir = root / f"plain-{run}"
        outdir.mkdir()
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        script = 'exec tesseract "$1" "$2/$(basename "$1" .png)" --psm 3 --oem 3 --dpi 300 -l eng hocr 2>/dev/null'
        cpu, started = _cpu_seconds(), time.perf_counter()
        subprocess.run(["xargs", "-P", "2", "-I", "{}", "sh", "-c", script, "sh", "{}", str(outdir)],
                       input="\n".join(scans), text=True, env=env, check=True)
        plain.append(time.perf_counter() - started)
        plain_cpu.append(_cpu_seconds() - cpu)
        shutil.rmtree(collection.ocr_dir("ocr-bench"), ignore_errors=True)
        cache = OcrCache(root / f"cache-{run}")
        cpu, started = _cpu_seconds(), time.perf_counter()
        with Batch(Where(workers=2)) as batch:
            start_up.append(time.perf_counter() - started)
            result = run_ocr(collection, document, cache=cache, batch=batch)
        cluster.append(time.perf_counter() - started)
        cluster_cpu.append(_cpu_seconds() - cpu)
        if not result.ok or result.cached:
            raise SystemExit(f"bench_scale: the cluster OCR run was not a full read: {result.failures[:1]}")
        print(f"OCR run {run + 1}: two plain tesseract processes {plain[-1]:.1f} s ({plain_cpu[-1]:.1f} s CPU), "
              f"LocalCluster of 2 workers {cluster[-1]:.1f} s, {start_up[-1]:.1f} s of it starting the cluster "
              f"({cluster_cpu[-1]:.1f} s CPU); load {os.getloadavg()[0]:.1f}", flush=True)
    median = statistics.median
    return {
        "pages": pages,
        "runs": runs,
        "plain_s": [round(s, 2) for s in plain],
        "cluster_s": [round(s, 2) for s in cluster],
        "cluster_start_s": [round(s, 2) for s in start_up],
        "plain_cpu_s": [round(s, 2) for s in plain_cpu],
        "cluster_cpu_s": [round(s, 2) for s in cluster_cpu],
        "plain_median_s": round(median(plain), 2),
        "cluster_median_s": round(median(cluster), 2),
        "cluster_start_median_s": round(median(start_up), 2),
        "ratio": round(median(cluster) / median(plain), 3),
        # the same runs with the cluster's start-up left out: what the tasks themselves cost
        "ratio_without_start": round(median(c - s for c, s in zip(cluster, start_up, strict=True)) / median(plain), 3),
        # CPU time, which other people's work on the machine does not inflate as it does wall time
        "cpu_ratio": round(median(cluster_cpu) / median(plain_cpu), 3),
    }


def _plot(sizes: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "bench-scale"
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4.5))
    for name in STEPS:
        points = [(int(p), r[name]["seconds"]) for p, r in sizes.items() if "seconds" in r.get(name, {})]
        if points:
            axes.plot([p for p, _ in points], [s for _, s in points], marker="o", label=name)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("pages in the collection")
    axes.set_ylabel("wall time (s)")
    axes.set_title("Batch steps at scale (2-core machine, shared)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, format="svg", metadata={"Date": None})
    plt.close(figure)


def _markdown(report: dict) -> str:
    sizes = report["sizes"]
    lines = [
        "# Scale: every batch step from 100 to 10,000 pages",
        "",
        f"`{report['command']}` on {report['cpus']} cores (shared with other work; load average at the start "
        f"{report['load_at_start']}). Collections from `bench/make_collection.py`: documents of 100 pages "
        "copied from the briefing paper (OCR and flags copied and varied, not re-OCRed). Each step in a fresh "
        "process; time inside it, peak memory of it and its children. Search: measured by `bench/bench_search.py` on "
        "a 10,000-page collection from the same script ([search.md](search.md)). `report-all` starts with an empty "
        "flag cache (every document flagged with and without gold, as a first report is); `report-all-again` is "
        "the same command on the flags the first kept (a report after `flag --no-gold`, or a second report).",
        "",
        "| step | " + " | ".join(f"{int(p):,} pages" for p in sizes) + " | growth exponent |",
        "|---|" + "---|" * len(sizes) + "---|",
    ]
    for name in STEPS:
        cells = []
        for result in sizes.values():
            figures = result.get(name, {})
            if "seconds" in figures:
                cells.append(f"{figures['seconds']:.1f} s, {figures['peak_mb']:.0f} MB")
            elif "skipped" in figures:
                cells.append(f"not run ({figures['skipped']})")
            else:
                cells.append(f"failed: {figures.get('error', '?')}")
        exponent = report["growth"].get(name)
        fitted = _fitted_sizes(report, name)
        shown = "-" if exponent is None else f"{exponent:.2f}" + ("" if len(fitted) == len(sizes) else
                                                                  f" (fit over {', '.join(fitted)} only)")
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {shown} |")
    lines += ["", "Review (AppTest, one 100-page document of the collection open, its flags and the store's):", ""]
    lines += ["| pages | open Review | review action median | p95 |", "|---|---|---|---|"]
    for pages, result in sizes.items():
        figures = result.get("review", {})
        if "median_ms" in figures:
            lines.append(f"| {int(pages):,} | {figures['first_open_s']:.2f} s (cold {figures['cold_open_s']:.1f} s) | "
                         f"{figures['median_ms']:.0f} ms | {figures['p95_ms']:.0f} ms |")
    ocr = report.get("ocr")
    if ocr:
        lines += ["", f"OCR of {ocr['pages']} pages with an empty cache, {ocr['runs']} runs each, alternated: two "
                  f"plain single-threaded tesseract processes {ocr['plain_median_s']:.1f} s (median), run_ocr on a "
                  f"LocalCluster of 2 workers (start-up included) {ocr['cluster_median_s']:.1f} s: "
                  f"**{ocr['ratio']:.2f}x** (target 1.1x)."]
        if "cpu_ratio" in ocr:
            lines[-1] += (f" Of the cluster's time, {ocr['cluster_start_median_s']:.1f} s (median) is its start-up; "
                          f"without it {ocr['ratio_without_start']:.2f}x. CPU time (processes and their children): "
                          f"{ocr['cpu_ratio']:.2f}x.")
    for note in report.get("notes", []):  # what a later, separate run added or replaced, said where
        lines += ["", f"Note: {note}"]
    lines += ["", "Targets at 10,000 pages:", ""]
    for verdict in report["verdicts"]:
        lines.append(f"- {verdict}")
    lines += ["", "![time against pages](scale.svg)", ""]
    return "\n".join(lines)


def _fitted_sizes(report: dict, name: str) -> list[str]:
    """The sizes (as shown, '1,000') at which step `name` was measured, which its growth exponent fits."""
    return [f"{int(p):,}" for p, r in report["sizes"].items() if "seconds" in r.get(name, {})]


def _verdicts(report: dict) -> list[str]:
    sizes = report["sizes"]
    top = sizes.get("10000") or sizes[max(sizes, key=int)]
    top_pages = max(int(p) for p in sizes)
    out = []

    def check(label: str, value: float | None, target: float, unit: str) -> None:
        if value is None:
            out.append(f"{label}: not measured at {top_pages:,} pages")
        else:
            verdict = "met" if value < target else "NOT met"
            out.append(f"{label}: {value:.1f} {unit} (target under {target:g} {unit}): {verdict}")

    review = top.get("review", {})
    check("review action median", review.get("median_ms"), TARGETS["review_action_median_ms"], "ms")
    evaluations = [top.get(n, {}).get("seconds") for n in ("evaluate", "evaluate-cluster")]
    evaluations = [s for s in evaluations if s is not None]
    check("evaluate of the collection (best of here / 2 workers)", min(evaluations) if evaluations else None,
          TARGETS["evaluate_s"], "s")
    for label, names in (("report --all (best of here / 2 workers)", ("report-all", "report-all-cluster")),
                         ("report --all again, flags cached (best of here / 2 workers)",
                          ("report-all-again", "report-all-again-cluster"))):
        measured = [top.get(n, {}).get("seconds") for n in names]
        measured = [s for s in measured if s is not None]
        check(label, min(measured) if measured else None, TARGETS["report_all_s"], "s")
    peaks = [f["peak_mb"] for f in top.values() if isinstance(f, dict) and "peak_mb" in f]
    check("peak memory of any step", max(peaks) if peaks else None, TARGETS["peak_memory_mb"], "MB")
    for name, exponent in report["growth"].items():
        if exponent is not None:
            verdict = "met" if exponent <= TARGETS["growth_exponent"] else "NOT met"
            fitted = _fitted_sizes(report, name)
            over = "" if len(fitted) == len(sizes) else f", fitted over {' and '.join(fitted)} pages only"
            out.append(f"growth of {name}: pages^{exponent:.2f} (target at most ^1.1{over}): {verdict}")
    if report.get("ocr"):
        ratio = report["ocr"]["ratio"]
        out.append(f"OCR on 2 workers: {ratio:.2f}x two plain tesseract processes (target 1.1x): "
                   f"{'met' if ratio <= TARGETS['ocr_cluster_ratio'] else 'NOT met'}")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--budget", type=float, default=900.0, help="seconds a step may be predicted to take")
    parser.add_argument("--ocr-pages", type=int, default=20, help="pages of the OCR comparison (0: skip it)")
    parser.add_argument("--ocr-runs", type=int, default=2)
    parser.add_argument("--work", type=Path, help="folder for the collections (default: a temporary one)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--render", action="store_true", help="only write scale.md and scale.svg again from scale.json")
    parser.add_argument("--steps", nargs="+", choices=STEPS, default=list(STEPS), help="the steps to run (default all)")
    parser.add_argument("--baseline", type=Path,
                        help="a folder holding another version's `workbench` package: each step is run with it "
                             "too, just before this checkout's, and the ratio printed (a before/after comparison)")
    parser.add_argument("--flag-cache", type=Path,
                        help="a flag cache already holding the collections' flags (filled by the same flagger "
                             "from a collection of the same size and seed): the report-again steps read it "
                             "(and say how many flag sets were not in it); the first-report steps are not run")
    parser.add_argument("--merge-into", type=Path,
                        help="a folder holding the scale.json of an earlier run: this run's figures replace its "
                             "figures of the same steps and sizes, noted as a separate run, and it is written "
                             "again there")
    parser.add_argument("--code", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--scratch", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        import resource

        figures = step(args.step, args.home, args.db, args.scratch, args.code, args.flag_cache)
        figures["children_peak_kb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(json.dumps(figures))
        return 0

    if args.render:
        report = json.loads((args.out / "scale.json").read_text(encoding="utf-8"))
        report["verdicts"] = _verdicts(report)
        _write(report, args.out)
        return 0
    if args.flag_cache is not None:
        if {"report-all", "report-all-cluster"} & set(args.steps):
            parser.error("--flag-cache is read by the report-again steps: leave report-all and report-all-cluster "
                         "out of --steps (they would empty it)")
        if not (args.flag_cache / "flags").is_dir():
            parser.error(f"--flag-cache {args.flag_cache}: no flags/ folder there")
        args.flag_cache = args.flag_cache.resolve()
    os.environ["WORKBENCH_PROGRESS"] = "false"
    report: dict = {
        "benchmark": "batch steps at scale",
        "command": "python bench/bench_scale.py " + " ".join(sys.argv[1:]),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_at_start": round(os.getloadavg()[0], 2),
        "targets": TARGETS,
        "sizes": {},
    }
    with tempfile.TemporaryDirectory(prefix="bench-scale-", dir=args.work) as folder:
        root = Path(folder)
        if args.ocr_pages:
            report["ocr"] = measure_ocr(root, args.ocr_pages, args.ocr_runs)
        previous: dict = {}
        for pages in sorted(args.sizes):
            results = measure_size(pages, root, previous, args.budget, tuple(args.steps), args.baseline,
                                   args.flag_cache)
            report["sizes"][str(pages)] = results
            for name in STEPS:
                if "seconds" in results.get(name, {}):
                    previous[name] = results[name]
    if args.merge_into is not None:
        report = _merged(json.loads((args.merge_into / "scale.json").read_text(encoding="utf-8")), report,
                         tuple(args.steps), args.flag_cache)
        args.out = args.merge_into
    report["growth"] = _growth(report)
    report["verdicts"] = _verdicts(report)
    _write(report, args.out)
    return 0


def _growth(report: dict) -> dict:
    return {
        name: growth_exponent([(int(p), r[name]["seconds"]) for p, r in report["sizes"].items()
                               if "seconds" in r.get(name, {})])
        for name in STEPS
    }


def _merged(earlier: dict, run: dict, steps: tuple[str, ...], flag_cache: Path | None) -> dict:
    """`earlier` with the figures `run` measured (its steps, at its sizes) in place of its own, and a note
    saying which they are and how they were measured."""
    for pages, results in run["sizes"].items():
        target = earlier["sizes"].setdefault(pages, {})
        for name in steps:
            if name in results:
                target[name] = {**results[name], "separate_run": run["command"]}
    shown = ", ".join(steps)
    sizes = " and ".join(f"{int(p):,}" for p in run["sizes"])
    note = (f"{shown} at {sizes} pages: from a separate run, `{run['command']}` (load average at its start "
            f"{run['load_at_start']})")
    if flag_cache is not None:
        note += (", on a flag cache filled beforehand by the same flagger from a collection of the same size and "
                 "seed (`flag_sets_not_cached` in scale.json counts the flag sets it lacked)")
    earlier.setdefault("notes", []).append(note + ".")
    return earlier


def _write(report: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "scale.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    _plot(report["sizes"], out / "scale.svg")
    (out / "scale.md").write_text(_markdown(report), encoding="utf-8")
    for verdict in report["verdicts"]:
        print(verdict)
    print(f"written {out / 'scale.md'}, scale.json, scale.svg")


if __name__ == "__main__":
    sys.exit(main())
