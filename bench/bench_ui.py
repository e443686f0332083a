"""Benchmark: server time of a review action and of a line edit in the Streamlit app, from the click to
the end of the rerun.

The app is driven in-process with Streamlit's AppTest: open the Review page, then click Accept (Keep OCR
when a flag has no suggestion) N times; each timing is one `AppTest.run()` after the click, i.e. the
callback that writes the decision plus the whole rerun of the entry script and the Review page. Then open
the Transcribe page and, N times, type a changed text into the line's field and click "Save and next" (what
Enter does): the callback that writes the line edit plus the whole rerun of the entry script and the page.

  five-page   the briefing paper (default us-japan-1974) with its stored OCR; when the collection has none,
              it is made first with `workbench.ocr.run_ocr` (Tesseract, cached under WORKBENCH_CACHE)
  synthetic   a document of --pages pages made from the briefing paper's five (scans linked, OCR text and
              words, gold and markings copied with their page numbers), in a temporary folder

Targets: a review action's median under 200 ms on the five-page document, under 500 ms on 500 pages
(issue 7); a line edit's median under 150 ms on both (issue 13).

The server compiles a page script once per process (the runtime's one ScriptCache); AppTest compiles the
entry script and the page again on every run, which is no part of a rerun's server time. The bench gives
its AppTest runs one script cache, as the server has; `--compile-each-run` keeps AppTest's own behaviour.

Before/after: `--baseline DIR` (a folder holding another version's `workbench` package, e.g. from `git archive
COMMIT | tar -x -C DIR`) measures each document with that code first, in a child process on an identical
copy of the collection, then with this checkout's, and prints both side by side with their ratio.

    .venv/bin/python bench/bench_ui.py [--actions 30] [--edits 30] [--pages 500] [--document us-japan-1974]
                                       [--baseline DIR] [--skip-review] [--compile-each-run]

Prints the figures and writes reports/bench/ui.json.
"""

from __future__ import annotations

import argparse
import json
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
# `--code DIR` (the child process of `--baseline`) runs another version's workbench package.
CODE = Path(sys.argv[sys.argv.index("--code") + 1]).resolve() if "--code" in sys.argv[:-1] else REPO
sys.path.insert(0, str(CODE))

ENTRY = CODE / "workbench" / "ui" / "app.py"
TARGETS_MS = {"five-page": 200.0, "synthetic": 500.0}
LINE_EDIT_TARGET_MS = 150.0


def copy_document(source_home: Path, home: Path, doc_id: str) -> None:
    """Copy one document's scans, OCR and gold from the repository's collection into `home`."""
    from workbench.corpus import Collection

    source, target = Collection(source_home), Collection(home)
    document = source.document(doc_id)
    shutil.copytree(source.document_dir(doc_id), target.document_dir(doc_id))
    if source.ocr_dir(doc_id).is_dir():
        shutil.copytree(source.ocr_dir(doc_id), target.ocr_dir(doc_id))
    if document.gold and source.gold_dir(document.gold).is_dir():
        shutil.copytree(source.gold_dir(document.gold), target.gold_dir(document.gold), dirs_exist_ok=True)


def ensure_ocr(home: Path, doc_id: str) -> str:
    """Make the document's OCR when it has none; returns how the OCR was obtained."""
    from workbench.corpus import Collection
    from workbench.ocr.store import has_ocr

    collection = Collection(home)
    document = collection.document(doc_id)
    if has_ocr(collection, document):
        return "stored"
    from workbench.ocr.run import run_ocr  # only when OCR must be made: it brings in the engine

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    run = run_ocr(collection, document)
    if run.failures:
        raise SystemExit(f"bench_ui: OCR of {doc_id} failed: {run.failures[0].message}")
    return f"run_ocr ({len(run.read)} read, {len(run.cached)} cached, {run.seconds:.1f} s)"


def make_synthetic(home: Path, source_id: str, pages: int) -> str:
    """A document of `pages` pages cycling through `source_id`'s pages; returns its id."""
    from workbench.corpus import Collection, page_stem, write_manifest
    from workbench.models import Document, PageRef

    collection = Collection(home)
    source = collection.document(source_id)
    doc_id = f"synthetic-{pages}"
    folder = collection.document_dir(doc_id)
    folder.mkdir(parents=True)
    ocr_in, ocr_out = collection.ocr_dir(source_id), collection.ocr_dir(doc_id)
    ocr_out.mkdir(parents=True)
    gold_in, gold_out = collection.gold_dir(source.gold), collection.gold_dir(doc_id)
    gold_out.mkdir(parents=True)
    refs = []
    for number in range(1, pages + 1):
        origin = source.pages[(number - 1) % source.page_count]
        stem, origin_stem = page_stem(number), page_stem(origin.number)
        scan = folder / f"{stem}{origin.scan.suffix}"
        scan.symlink_to(origin.scan.resolve())
        refs.append(PageRef(doc_id, number, scan, origin.sha256))
        shutil.copyfile(ocr_in / f"{origin_stem}.txt", ocr_out / f"{stem}.txt")
        words = json.loads((ocr_in / f"{origin_stem}.words.json").read_text(encoding="utf-8"))
        words.update(document=doc_id, page=number)
        (ocr_out / f"{stem}.words.json").write_text(json.dumps(words), encoding="utf-8")
        shutil.copyfile(gold_in / f"{origin_stem}.txt", gold_out / f"{stem}.txt")
        markings = gold_in / f"{origin_stem}.markings.json"
        if markings.exists():
            data = json.loads(markings.read_text(encoding="utf-8"))
            data["page"] = number
            (gold_out / f"{stem}.markings.json").write_text(json.dumps(data), encoding="utf-8")
    document = Document(
        id=doc_id, title=f"{source.title} (x{pages // source.page_count}, synthetic)", pages=tuple(refs),
        variant=source.variant, gold=doc_id, manifest_path=folder / "manifest.json",
    )
    write_manifest(document, folder / "manifest.json")
    return doc_id


def share_script_cache() -> None:
    """Give every AppTest run one script cache, as the server's runtime has: the entry script and the pages
    are compiled once, not on every run."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared


def measure(home: Path, doc_id: str, *, actions: int, database: Path) -> dict:
    """Open Review on `doc_id` and time `actions` review actions; returns the figures in ms."""
    from streamlit.testing.v1 import AppTest

    from workbench.corpus import Collection
    from workbench.review import current_decisions, flag_states
    from workbench.store import open_store

    os.environ["WORKBENCH_HOME"] = str(home)
    os.environ["WORKBENCH_DB"] = str(database)
    at = AppTest.from_file(str(ENTRY), default_timeout=1800)
    at.session_state["document"] = doc_id
    at.session_state["reviewer"] = "bench"
    started = time.perf_counter()
    at.run()  # the Documents page: the flags are computed and synced to the empty store here
    cold_open = time.perf_counter() - started
    started = time.perf_counter()
    at.switch_page("app_pages/review.py").run()
    first_open = time.perf_counter() - started
    if at.exception:
        raise SystemExit(f"bench_ui: the Review page failed: {at.exception[0].value}")
    store = open_store()
    flags = len(flag_states(store, doc_id))
    timings = []
    for _ in range(actions):
        accept = at.button(key="review_accept")
        button = accept if not accept.disabled else at.button(key="review_keep")
        button.click()
        started = time.perf_counter()
        at.run()
        timings.append(time.perf_counter() - started)
        if at.exception or at.error:
            raise SystemExit(f"bench_ui: a review action failed: {(at.exception or at.error)[0].value}")
    decided = len(current_decisions(store, doc_id))
    if decided != actions:
        raise SystemExit(f"bench_ui: {actions} actions but {decided} decisions in the store")
    ms = sorted(1000 * t for t in timings)
    return {
        "document": doc_id,
        "pages": Collection(home).document(doc_id).page_count,
        "flags": flags,
        "actions": actions,
        "cold_open_s": round(cold_open, 2),
        "first_open_s": round(first_open, 2),
        "median_ms": round(statistics.median(ms), 1),
        "p95_ms": round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 1),
        "min_ms": round(ms[0], 1),
        "max_ms": round(ms[-1], 1),
    }


def measure_line_edits(home: Path, doc_id: str, *, edits: int, database: Path) -> dict:
    """Open Transcribe on `doc_id` (the review store already holds its flags) and time `edits` line edits,
    each a changed text saved with "Save and next"; returns the figures in ms."""
    from streamlit.testing.v1 import AppTest

    from workbench.store import open_store

    os.environ["WORKBENCH_HOME"] = str(home)
    os.environ["WORKBENCH_DB"] = str(database)
    at = AppTest.from_file(str(ENTRY), default_timeout=1800)
    at.session_state["document"] = doc_id
    at.session_state["reviewer"] = "bench"
    at.run()
    started = time.perf_counter()
    at.switch_page("app_pages/transcribe.py").run()
    first_open = time.perf_counter() - started
    if at.exception or at.error:
        raise SystemExit(f"bench_ui: the Transcribe page failed: {(at.exception or at.error)[0].value}")
    timings, cpu = [], []
    for _ in range(edits):
        field = at.text_input(key=at.session_state["transcribe_field"])
        field.input(f"{field.value} (checked)")
        at.button(key="transcribe_save").click()
        started, started_cpu = time.perf_counter(), time.process_time()
        at.run()
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        if at.exception or at.error or at.warning:
            failure = (at.exception or at.error or at.warning)[0].value
            raise SystemExit(f"bench_ui: a line edit failed: {failure}")
    made = len(open_store().line_edits(doc_id))
    if made != edits:
        raise SystemExit(f"bench_ui: {edits} line edits but {made} in the store")
    ms = sorted(1000 * t for t in timings)
    return {
        "edits": edits,
        # CPU time of this process (the app's script thread included): what a rerun costs whatever else
        # the machine runs, beside the wall-clock figures that the load on a shared machine inflates.
        "cpu_median_ms": round(1000 * statistics.median(cpu), 1),
        "load_average": round(os.getloadavg()[0], 1),
        "first_open_s": round(first_open, 2),
        "median_ms": round(statistics.median(ms), 1),
        "p95_ms": round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 1),
        "min_ms": round(ms[0], 1),
        "max_ms": round(ms[-1], 1),
    }


def measure_document(name: str, folder: Path, args: argparse.Namespace) -> dict:
    """The figures of one document (`name`: five-page or synthetic), on a fresh copy of the collection in
    `folder` with a fresh store."""
    home = folder / "collection"
    copy_document(REPO, home, args.document)
    ocr = ensure_ocr(home, args.document)
    doc_id = args.document if name == "five-page" else make_synthetic(home, args.document, args.pages)
    database = folder / f"{name}.db"
    figures = {} if args.skip_review else measure(home, doc_id, actions=args.actions, database=database)
    figures["line_edit"] = measure_line_edits(home, doc_id, edits=args.edits, database=database)
    if name == "five-page":
        figures["ocr"] = ocr
    return figures


def baseline_figures(name: str, folder: Path, args: argparse.Namespace) -> dict:
    """`measure_document` with the workbench package of `args.baseline`, in a child process."""
    out = folder / f"baseline-{name}.json"
    command = [
        sys.executable, str(Path(__file__).resolve()), "--code", str(args.baseline), "--only", name,
        "--document", args.document, "--pages", str(args.pages), "--actions", str(args.actions),
        "--edits", str(args.edits), "--out", str(out),
    ]
    command += ["--skip-review"] if args.skip_review else []
    command += ["--compile-each-run"] if args.compile_each_run else []
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return json.loads(out.read_text(encoding="utf-8"))["results"][name]


def side_by_side(name: str, before: dict, after: dict) -> str:
    """Baseline and this checkout's medians of one document, with the ratio baseline / this."""
    rows = []
    for label, old, new in (
        ("review action", before.get("median_ms"), after.get("median_ms")),
        ("line edit", before["line_edit"]["median_ms"], after["line_edit"]["median_ms"]),
        ("line edit CPU", before["line_edit"]["cpu_median_ms"], after["line_edit"]["cpu_median_ms"]),
    ):
        if old is not None and new is not None:
            rows.append(f"{name:10s} {label:14s} baseline {old:7.1f} ms  this {new:7.1f} ms  ratio {old / new:.2f}x")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--document", default="us-japan-1974", help="the five-page document (default %(default)s)")
    parser.add_argument("--pages", type=int, default=500, help="pages of the synthetic document")
    parser.add_argument("--actions", type=int, default=30, help="review actions timed per document")
    parser.add_argument("--edits", type=int, default=30, help="line edits timed per document")
    parser.add_argument("--skip-review", action="store_true", help="time the line edits only")
    parser.add_argument("--compile-each-run", action="store_true",
                        help="let AppTest compile the scripts on every run (its default; the server does not)")
    parser.add_argument("--baseline", type=Path, help="a folder with another version's workbench package: "
                        "each document is measured with it first, in the same run")
    parser.add_argument("--only", choices=sorted(TARGETS_MS), help="measure one document only")
    parser.add_argument("--code", type=Path, help=argparse.SUPPRESS)  # read before the imports, see CODE
    parser.add_argument("--out", type=Path, default=REPO / "reports" / "bench" / "ui.json")
    args = parser.parse_args()
    os.environ.setdefault("WORKBENCH_CACHE", str(REPO / ".workbench-cache"))
    os.environ["WORKBENCH_PROGRESS"] = "false"
    if not args.compile_each_run:
        share_script_cache()
    if args.baseline is not None and not (args.baseline / "workbench" / "ui" / "app.py").is_file():
        print(f"bench_ui: {args.baseline}: no workbench package (workbench/ui/app.py) there", file=sys.stderr)
        return 2

    results, baseline = {}, {}
    names = [args.only] if args.only else ["five-page", "synthetic"]
    for name in names:
        if args.baseline is not None:
            with tempfile.TemporaryDirectory(prefix="bench-ui-baseline-") as folder:
                baseline[name] = baseline_figures(name, Path(folder), args)
        with tempfile.TemporaryDirectory(prefix="bench-ui-") as folder:
            results[name] = measure_document(name, Path(folder), args)

    for name, figures in results.items():
        target = TARGETS_MS[name]
        if "median_ms" in figures:
            verdict = "meets" if figures["median_ms"] < target else "MISSES"
            print(
                f"{name:10s} {figures['document']}: {figures['pages']} pages, {figures['flags']} flags; "
                f"review action median {figures['median_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms "
                f"(min {figures['min_ms']:.1f}, max {figures['max_ms']:.1f}; {figures['actions']} actions) "
                f"-> {verdict} the {target:.0f} ms target; cold open (flags made, synced) "
                f"{figures['cold_open_s']:.1f} s"
            )
        lines = figures["line_edit"]
        verdict = "meets" if lines["median_ms"] < LINE_EDIT_TARGET_MS else "MISSES"
        print(
            f"{name:10s} line edit median {lines['median_ms']:.1f} ms, p95 {lines['p95_ms']:.1f} ms "
            f"(min {lines['min_ms']:.1f}, max {lines['max_ms']:.1f}; {lines['edits']} edits; CPU median "
            f"{lines['cpu_median_ms']:.1f} ms at load {lines['load_average']}) "
            f"-> {verdict} the {LINE_EDIT_TARGET_MS:.0f} ms target; Transcribe opened in {lines['first_open_s']:.1f} s"
        )
    for name in baseline:
        print(side_by_side(name, baseline[name], results[name]))
    report = {
        "benchmark": "ui review action and line edit (AppTest: click to rerun done)",
        "command": "python bench/bench_ui.py " + " ".join(sys.argv[1:]),
        "script_cache": "compiled on every run (AppTest)" if args.compile_each_run else "one, as the server's",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "targets_ms": TARGETS_MS,
        "line_edit_target_ms": LINE_EDIT_TARGET_MS,
        "results": results,
    }
    if baseline:
        report["baseline"] = {"code": str(args.baseline), "results": baseline}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
