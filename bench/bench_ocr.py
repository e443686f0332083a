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

    .venv/bin/python bench/bench_ocr.py --cluster [--pages 30] [--runs 3] [--also-tree DIR]

`--cluster`: OCR on a 2-worker LocalCluster against two plain single-threaded tesseract processes, on the
same `--pages` pages (the paper's five scans, repeated), alternated in each round:
  plain     `xargs -P 2` over the pages, each `tesseract PAGE OUT --psm 3 --oem 3 --dpi 300 -l eng hocr`
            with OMP_THREAD_LIMIT=1: the same single reading per page that the workbench makes of these
            scans (gray PNGs tagged 300 dpi: no second reading; every run checks that none was made);
  cluster   `run_ocr` with an empty cache on a fresh `Batch(Where(workers=2))`, in a fresh process, timed
            from before the cluster starts to after it is closed (start-up also timed on its own);
  also      the same `cluster` run with the workbench of another checkout (`--also-tree DIR`, e.g. an
            export of the commit before a change), for a before/after side by side under the same load.
Wall and CPU time (the process and its children: workers, tesseract) of each; medians and ratios to plain.
Target: cluster within 1.1x plain. Writes reports/bench/ocr-cluster.json and .md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# `--cluster-once TREE` times the workbench of TREE (this checkout or another), so TREE comes first on the path.
sys.path.insert(0, sys.argv[sys.argv.index("--cluster-once") + 1] if "--cluster-once" in sys.argv else str(REPO))

from workbench.corpus import Collection  # noqa: E402
from workbench.fsutil import atomic_write_json  # noqa: E402

COLD_TARGET = 0.4
WARM_TARGET_S = 1.0
CLUSTER_TARGET = 1.1
PLAIN_TESSERACT = 'exec tesseract "$1" "$2/$(basename "$1" .png)" --psm 3 --oem 3 --dpi 300 -l eng hocr 2>/dev/null'


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


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def paper_pages(root: Path, pages: int) -> Collection:
    """A collection whose one document, 'ocr-bench', has `pages` pages: the paper's scans in turn."""
    from workbench.corpus import add_document

    paper = Collection(REPO).document("us-japan-1974")
    sources = [paper.pages[index % paper.page_count].scan for index in range(pages)]
    collection = Collection(root / "collection")
    (collection.home / "transcripts").mkdir(parents=True)
    add_document(collection, "ocr-bench", title="OCR bench", sources=sources)
    return collection


def cluster_once(home: Path, cache: Path) -> dict:
    """In a fresh process (`--cluster-once`): run_ocr of 'ocr-bench' with an empty cache on a new 2-worker
    LocalCluster; wall and CPU time (this process and its children) from before the cluster starts to after
    it is closed, the start-up on its own, and how many pages had a second reading."""
    from workbench.batch import Batch, Where
    from workbench.ocr.cache import OcrCache
    from workbench.ocr.run import run_ocr

    collection = Collection(home)
    document = collection.document("ocr-bench")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu, started = usage.ru_utime + usage.ru_stime + _cpu_of_children(), time.perf_counter()
    with Batch(Where(workers=2)) as batch:
        start_up = time.perf_counter() - started
        result = run_ocr(collection, document, cache=OcrCache(cache), batch=batch)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime + _cpu_of_children() - cpu
    if not result.ok or result.cached:
        raise SystemExit(f"bench_ocr: the cluster run was not a full read: {result.failures[:1]}")
    reasons = [
        json.loads(p.read_text("utf-8"))["options"]["resolution_reason"]
        for p in sorted(collection.ocr_dir("ocr-bench").glob("*.json"))
    ]
    second = sum("kept over" in (reason or "") for reason in reasons)
    return {"wall_s": wall, "start_s": start_up, "cpu_s": cpu, "pages": len(reasons), "second_readings": second}


def plain_tesseract(scans: list[Path], out: Path) -> tuple[float, float]:
    """Wall and CPU seconds of two plain single-threaded tesseract processes sharing the pages."""
    out.mkdir()
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    cpu, started = _cpu_of_children(), time.perf_counter()
    subprocess.run(
        ["xargs", "-P", "2", "-I", "{}", "sh", "-c", PLAIN_TESSERACT, "sh", "{}", str(out)],
        input="\n".join(map(str, scans)),
        text=True,
        env=env,
        check=True,
    )
    return time.perf_counter() - started, _cpu_of_children() - cpu


def cluster_run(tree: Path, collection: Collection, cache: Path) -> dict:
    """One `cluster_once` in a fresh process with the workbench of `tree` (this checkout or another)."""
    shutil.rmtree(collection.ocr_dir("ocr-bench"), ignore_errors=True)
    env = {**os.environ, "WORKBENCH_HOME": str(collection.home)}
    done = subprocess.run(
        [sys.executable, __file__, "--cluster-once", str(tree), str(collection.home), str(cache)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench_ocr: the cluster run with {tree} failed: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def cluster_main(args: argparse.Namespace) -> int:
    """`--cluster`: plain tesseract and the LocalCluster (and `--also-tree`'s) alternated, medians, ratios."""
    trees = {"cluster": REPO} | ({"also": args.also_tree.resolve()} if args.also_tree else {})
    rounds: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="bench-ocr-cluster-") as folder:
        root = Path(folder)
        collection = paper_pages(root, args.pages)
        scans = [page.scan for page in collection.document("ocr-bench").pages]
        load_before = os.getloadavg()
        for index in range(args.runs):
            row: dict = {"load_1min": round(os.getloadavg()[0], 1)}
            row["plain_s"], row["plain_cpu_s"] = plain_tesseract(scans, root / f"plain-{index}")
            for name, tree in trees.items():
                row[name] = cluster_run(tree, collection, root / f"cache-{name}-{index}")
            rounds.append(row)
            print(
                f"round {index + 1} (load {row['load_1min']}): plain {row['plain_s']:.1f} s "
                f"({row['plain_cpu_s']:.1f} s CPU); "
                + "; ".join(
                    f"{name} {row[name]['wall_s']:.1f} s ({row[name]['start_s']:.1f} s start-up, "
                    f"{row[name]['cpu_s']:.1f} s CPU)"
                    for name in trees
                ),
                flush=True,
            )
            # written after every round: a run cut short keeps the rounds it finished
            write_cluster_report(args, trees, rounds, load_before)
    return 0


def write_cluster_report(args: argparse.Namespace, trees: dict, rounds: list[dict], load_before: tuple) -> None:
    """reports/bench/ocr-cluster.json and .md from the rounds done so far: medians, each round's ratios."""
    median = statistics.median
    plain, plain_cpu = median(r["plain_s"] for r in rounds), median(r["plain_cpu_s"] for r in rounds)
    figures = {}
    for name in trees:
        runs = [r[name] for r in rounds]
        if any(run["second_readings"] for run in runs):
            raise SystemExit(f"bench_ocr: {name} read some pages twice: not the plain side's work")
        figures[name] = {
            "tree": str(trees[name]),
            "wall_median_s": round(median(run["wall_s"] for run in runs), 2),
            "start_median_s": round(median(run["start_s"] for run in runs), 2),
            "cpu_median_s": round(median(run["cpu_s"] for run in runs), 2),
            # each round's own ratio (the two ran back to back, under nearly the same load), then the median
            "ratio": round(median(r[name]["wall_s"] / r["plain_s"] for r in rounds), 3),
            "ratio_without_start": round(
                median((r[name]["wall_s"] - r[name]["start_s"]) / r["plain_s"] for r in rounds), 3
            ),
            "cpu_ratio": round(median(r[name]["cpu_s"] / r["plain_cpu_s"] for r in rounds), 3),
        }
    report = {
        "benchmark": "ocr-cluster",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "pages": args.pages,
        "runs": len(rounds),
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "tesseract": subprocess.run(["tesseract", "--version"], capture_output=True, text=True).stdout.split("\n")[0],
        "same_work": "one reading per page on both sides (gray PNGs tagged 300 dpi: no second reading, checked)",
        "commands": {
            "plain": f"xargs -P 2: {PLAIN_TESSERACT}  (OMP_THREAD_LIMIT=1)",
            "cluster": "run_ocr(collection, document, batch=Batch(Where(workers=2)))  (fresh process, empty cache)",
        },
        "rounds": [{k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items()} for r in rounds],
        "plain_median_s": round(plain, 2),
        "plain_cpu_median_s": round(plain_cpu, 2),
        **figures,
        "target_ratio": CLUSTER_TARGET,
        "met": figures["cluster"]["ratio"] <= CLUSTER_TARGET,
    }
    out = args.out if args.out != DEFAULT_OUT else REPO / "reports" / "bench" / "ocr-cluster.json"
    atomic_write_json(out, report)
    lines = [
        "# OCR on a 2-worker LocalCluster against two plain tesseract processes",
        "",
        f"{args.pages} pages (the briefing paper's five scans in turn), {len(rounds)} rounds, each side in turn; "
        f"{report['tesseract']}, {report['cpus']} CPUs shared with other work (load average before "
        f"{report['load_average_before'][0]}). {report['same_work']}.",
        "",
        "| side | wall (median) | start-up | CPU (median) | wall ratio | without start-up | CPU ratio |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        f"| plain: 2 x tesseract | {plain:.1f} s | | {plain_cpu:.1f} s | 1 | | 1 |",
    ]
    for name, figure in figures.items():
        label = "LocalCluster, this checkout" if name == "cluster" else f"LocalCluster, {figure['tree']}"
        lines.append(
            f"| {label} | {figure['wall_median_s']:.1f} s | {figure['start_median_s']:.1f} s | "
            f"{figure['cpu_median_s']:.1f} s | **{figure['ratio']:.2f}x** | "
            f"{figure['ratio_without_start']:.2f}x | {figure['cpu_ratio']:.2f}x |"
        )
    lines += [
        "",
        f"Ratios are the median of each round's own ratio. Target: within {CLUSTER_TARGET}x: "
        f"{'met' if report['met'] else 'NOT met'}.",
        "",
        "    .venv/bin/python bench/bench_ocr.py --cluster --pages "
        f"{args.pages} --runs {len(rounds)}" + (" --also-tree DIR" if args.also_tree else ""),
        "",
    ]
    out.with_suffix(".md").write_text("\n".join(lines), "utf-8")
    print("\n".join(lines[4:]), flush=True)


DEFAULT_OUT = REPO / "reports" / "bench" / "ocr.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--doc", default="us-japan-1974")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--cluster", action="store_true", help="the LocalCluster against plain tesseract (see above)")
    parser.add_argument("--pages", type=int, default=30, help="--cluster: pages of the comparison")
    parser.add_argument("--also-tree", type=Path, help="--cluster: also time the workbench of this checkout")
    parser.add_argument("--cluster-once", nargs=3, type=Path, metavar=("TREE", "HOME", "CACHE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.cluster_once:
        print(json.dumps(cluster_once(args.cluster_once[1], args.cluster_once[2])))
        return 0
    if args.cluster:
        return cluster_main(args)

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
