"""Benchmark: a team at work, 20 reviewers at once on one 500-page document, on PostgreSQL and on SQLite.

The document is made by bench/make_collection.py (500 pages copied from the briefing paper, its flags in
the review store). Each reviewer is its own process with its own connection to the store, as each browser
session of the app is; all start together (a barrier) and each decides 50 flags the way the Review page's
buttons do: read the flag's state as the page shows it (`review.flag_state`), then `review.decide` against
the version read (accept the first suggestion, or keep the OCR when there is none). Most flags are a
reviewer's own; 5 of each reviewer's 50 are also in another reviewer's list, decided first by both at
once, so that conflicts happen: the store must refuse the second decision made against a version that
another reviewer already changed, and the refused reviewer is told (ReviewConflict, or OverrideNeeded when
the other decision was already seen), never silently overwritten.

Measured per backend: the review action (read + decide) median and 95th percentile, decisions saved,
conflicts refused, and decisions lost: a decision the reviewer was told was saved that the store's event
log does not hold (must be 0), plus any flag with two events recorded against the same version.
This drives the app's decision path in-process per reviewer, not a browser: the page's rerun after the
click is measured by bench_ui.py and bench_scale.py.

PostgreSQL: a throwaway server from Debian's binaries (as the tests start one), on a Unix socket only.

    .venv/bin/python bench/bench_load.py [--reviewers 20] [--decisions 50] [--pages 500]

Target (issue 17): 95th percentile under 1 s on this 2-core machine, nothing lost. Writes reports/bench/load.md
and load.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

SHARED_PER_REVIEWER = 5
TARGET_P95_S = 1.0
DOC_ID = "scale-0001"


def reviewer_lists(keys: list[str], reviewers: int, decisions: int) -> list[list[str]]:
    """Each reviewer's flags: the shared ones first (each pair of reviewers shares SHARED_PER_REVIEWER), then
    its own, so that every reviewer decides `decisions` flags."""
    own_count = decisions - SHARED_PER_REVIEWER
    needed = reviewers * own_count + (reviewers + 1) // 2 * SHARED_PER_REVIEWER
    if len(keys) < needed:
        raise SystemExit(f"bench_load: {len(keys)} flags, {needed} needed")
    lists = []
    shared_start = reviewers * own_count
    for r in range(reviewers):
        pair = r // 2
        shared = keys[shared_start + pair * SHARED_PER_REVIEWER : shared_start + (pair + 1) * SHARED_PER_REVIEWER]
        own = keys[r * own_count : (r + 1) * own_count]
        lists.append(shared + own)
    return lists


def reviewer(name: str, url: str, keys: list[str], barrier, results) -> None:
    """One reviewer's session: decide each flag as the Review page does; report every outcome."""
    os.environ["WORKBENCH_DB"] = url
    from workbench.errors import ReviewConflict, ReviewError
    from workbench.review import decide, flag_state
    from workbench.store import open_store

    store = open_store(url, upgrade=False)
    flag_state(store, DOC_ID, keys[0])  # connect before the start, as an open browser session has
    outcomes = []
    barrier.wait()
    for key in keys:
        started = time.perf_counter()
        state = flag_state(store, DOC_ID, key)
        action = "accept" if state.flag.suggestions else "keep_ocr"
        try:
            decision = decide(store, DOC_ID, key, action=action, reviewer=name, version=state.version)
            outcome = {"key": key, "result": "saved", "id": decision.id, "version": state.version}
        except ReviewConflict:
            outcome = {"key": key, "result": "conflict"}
        except ReviewError as error:  # OverrideNeeded: another reviewer's decision already shown in force
            outcome = {"key": key, "result": "refused", "reason": type(error).__name__}
        outcome["seconds"] = time.perf_counter() - started
        outcomes.append(outcome)
    store.close()
    results.put((name, outcomes))


def run_backend(url: str, reviewers: int, decisions: int) -> dict:
    """All reviewers at once on the store at `url`; the figures and the lost-decision check."""
    from workbench.review import current_decisions
    from workbench.store import open_store

    store = open_store(url)
    keys = [f.flag.key for f in store.flags(DOC_ID) if not f.stale]
    lists = reviewer_lists(keys, reviewers, decisions)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(reviewers + 1)
    results = context.Queue()
    processes = [
        context.Process(target=reviewer, args=(f"reviewer-{r:02d}", url, lists[r], barrier, results))
        for r in range(reviewers)
    ]
    for process in processes:
        process.start()
    barrier.wait(timeout=600)
    started = time.perf_counter()
    outcomes = dict(results.get(timeout=1800) for _ in processes)
    wall = time.perf_counter() - started
    for process in processes:
        process.join(timeout=60)
    log = store.decisions(DOC_ID)
    by_id = {event.id: event for event in log}
    saved = [(name, o) for name, items in outcomes.items() for o in items if o["result"] == "saved"]
    lost = [o for name, o in saved if o["id"] not in by_id or by_id[o["id"]].reviewer != name
            or by_id[o["id"]].flag_key != o["key"]]
    doubled = [k for k, n in Counter((e.flag_key, e.version) for e in log).items() if n > 1]
    in_force = current_decisions(store, DOC_ID)
    times = sorted(o["seconds"] for items in outcomes.values() for o in items)
    store.close()
    return {
        "backend": store.backend,
        "reviewers": reviewers,
        "decisions_each": decisions,
        "actions": len(times),
        "saved": len(saved),
        "conflicts_refused": sum(o["result"] == "conflict" for items in outcomes.values() for o in items),
        "override_refused": sum(o["result"] == "refused" for items in outcomes.values() for o in items),
        "lost": len(lost),
        "events_in_log": len(log),
        "two_events_one_version": len(doubled),
        "flags_decided": len(in_force),
        "median_ms": round(1000 * statistics.median(times), 1),
        "p95_ms": round(1000 * times[min(len(times) - 1, int(0.95 * len(times)))], 1),
        "max_ms": round(1000 * times[-1], 1),
        "wall_s": round(wall, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviewers", type=int, default=20)
    parser.add_argument("--decisions", type=int, default=50)
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--backends", nargs="+", default=["postgresql", "sqlite"], choices=["postgresql", "sqlite"])
    parser.add_argument("--out", type=Path, default=REPO / "reports" / "bench")
    args = parser.parse_args()
    os.environ["WORKBENCH_PROGRESS"] = "false"
    from make_collection import make_collection

    report = {
        "benchmark": "20 reviewers at once on one document",
        "command": "python bench/bench_load.py " + " ".join(sys.argv[1:]),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_at_start": round(os.getloadavg()[0], 2),
        "target_p95_ms": 1000 * TARGET_P95_S,
        "results": {},
    }
    with tempfile.TemporaryDirectory(prefix="bench-load-") as folder:
        for backend in args.backends:
            server = None
            if backend == "postgresql":
                from tests.test_postgres import ThrowawayPostgres, initdb_path

                initdb = initdb_path()
                if initdb is None:
                    print("bench_load: PostgreSQL server binaries are not installed; skipped (bin/setup --test)")
                    report["results"][backend] = {"skipped": "no PostgreSQL server binaries"}
                    continue
                server = ThrowawayPostgres(initdb)
                url = server.start()
            else:
                url = str(Path(folder) / "load.db")
            try:
                home = Path(folder) / f"collection-{backend}"
                made = make_collection(home, args.pages, doc_pages=args.pages, database=url)
                figures = run_backend(url, args.reviewers, args.decisions)
                figures["flags_in_document"] = made["flags"]
            finally:
                if server is not None:
                    server.stop()
            report["results"][backend] = figures
            verdict = "meets" if figures["p95_ms"] < 1000 * TARGET_P95_S and figures["lost"] == 0 else "MISSES"
            print(f"{backend}: {figures['actions']} actions by {args.reviewers} reviewers: median "
                  f"{figures['median_ms']} ms, p95 {figures['p95_ms']} ms, {figures['saved']} saved, "
                  f"{figures['conflicts_refused']} conflicts refused, {figures['override_refused']} refused "
                  f"(override needed), {figures['lost']} lost -> {verdict} the target", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "load.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (args.out / "load.md").write_text(_markdown(report, args), encoding="utf-8")
    print(f"written {args.out / 'load.md'}, load.json")
    return 0


def _markdown(report: dict, args) -> str:
    lines = [
        "# A team at work: reviewers at once on one document",
        "",
        f"`{report['command']}` on {report['cpus']} cores (shared with other work; load average at the start "
        f"{report['load_at_start']}). One {args.pages}-page document (bench/make_collection.py); "
        f"{args.reviewers} reviewer processes, each its own store connection, start together and decide "
        f"{args.decisions} flags each as the Review page does (read the flag's state, then decide against "
        f"that version); {SHARED_PER_REVIEWER} of each reviewer's flags are also another reviewer's, decided "
        "by both at once. A review action here is the store's part of a click (read + decide), not the page's "
        "rerun (bench_ui.py, bench_scale.py).",
        "",
        "| backend | actions | median | p95 | max | saved | conflicts refused | override refused | lost "
        "| two events on one version | target p95 < 1 s, 0 lost |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for backend, f in report["results"].items():
        if "skipped" in f:
            lines.append(f"| {backend} | skipped: {f['skipped']} |" + " |" * 9)
            continue
        met = "met" if f["p95_ms"] < report["target_p95_ms"] and f["lost"] == 0 else "NOT met"
        lines.append(
            f"| {f['backend']} | {f['actions']} | {f['median_ms']:.0f} ms | {f['p95_ms']:.0f} ms | "
            f"{f['max_ms']:.0f} ms | {f['saved']} | {f['conflicts_refused']} | {f['override_refused']} | "
            f"{f['lost']} | {f['two_events_one_version']} | {met} |"
        )
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
