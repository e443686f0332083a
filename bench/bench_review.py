"""Benchmark: the review store under load, on SQLite (default) or any WORKBENCH_DB URL.

Measures, in a throwaway database:
  decide      latency of one committed decision (`review.decide`), median and 95th percentile
  batch       one "apply to all" batch of N identical occurrences, and undoing it
  queue       `review.flag_states` over all flags (what the Review page reads on every rerun)
  contention  K threads deciding distinct flags at once: decisions per second, refusals (must be 0)
  race        K threads deciding the SAME flag from the same version: exactly one must win

    .venv/bin/python bench/bench_review.py [--flags 2000] [--decisions 200] [--threads 4] [--url URL]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workbench import review  # noqa: E402
from workbench.errors import ReviewConflict  # noqa: E402
from workbench.models import Flag, FlagCategory, FlagSource  # noqa: E402
from workbench.store import open_store  # noqa: E402

DOC = "bench"


def make_flags(count: int) -> list[Flag]:
    words = ("teh", "adn", "rna", "0fs", "tbe")
    return [
        Flag(DOC, 1 + i // 200, (i % 200) * 10, (i % 200) * 10 + 3, words[i % len(words)],
             FlagCategory.MISREAD_WORD, ("the", "and"), confidence=0.5 + (i % 50) / 100,
             source=FlagSource.HEURISTIC)
        for i in range(count)
    ]


def ms(seconds: float) -> str:
    return f"{1000 * seconds:.2f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flags", type=int, default=2000)
    parser.add_argument("--decisions", type=int, default=200)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--url", help="a database URL (default: a SQLite file in a temporary folder)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        store = open_store(args.url or str(Path(folder) / "bench.db"))
        flags = make_flags(args.flags)
        started = time.perf_counter()
        review.sync_flags(store, DOC, flags)
        print(f"backend: {store.backend}; {len(flags)} flags synced in {ms(time.perf_counter() - started)}")

        by_text: dict[str, list[Flag]] = {}
        for flag in flags:
            by_text.setdefault(flag.text, []).append(flag)
        singles = [f for f in flags if f.text in ("rna", "0fs")][: args.decisions]
        latencies = []
        for flag in singles:
            started = time.perf_counter()
            review.decide(store, DOC, flag.key, action="accept", reviewer="bench", version=0)
            latencies.append(time.perf_counter() - started)
        latencies.sort()
        p95 = latencies[int(0.95 * (len(latencies) - 1))]
        print(f"decide: {len(latencies)} decisions, median {ms(statistics.median(latencies))}, p95 {ms(p95)}")

        started = time.perf_counter()
        batch = review.apply_to_all(store, DOC, by_text["teh"][0].key, action="accept", reviewer="bench")
        batch_time = time.perf_counter() - started
        started = time.perf_counter()
        review.undo_batch(store, batch.id, reviewer="bench")
        print(f"batch: {len(batch)} occurrences in {ms(batch_time)}, undone in {ms(time.perf_counter() - started)}")

        runs = []
        for _ in range(5):
            started = time.perf_counter()
            queue = review.flag_states(store, DOC, status="open")
            runs.append(time.perf_counter() - started)
        print(f"queue: flag_states over {args.flags} flags ({len(queue)} open), median {ms(statistics.median(runs))}")

        open_flags = [s for s in queue if s.flag.text == "tbe"]
        chunks = [open_flags[i :: args.threads] for i in range(args.threads)]
        refusals: list[str] = []
        barrier = threading.Barrier(args.threads)

        def worker(items, name):
            barrier.wait()
            for state in items:
                try:
                    review.decide(store, DOC, state.key, action="keep_ocr", reviewer=name, version=state.version)
                except ReviewConflict as conflict:
                    refusals.append(str(conflict))

        threads = [threading.Thread(target=worker, args=(c, f"r{i}")) for i, c in enumerate(chunks)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        total = sum(len(c) for c in chunks)
        print(f"contention: {args.threads} threads, {total} decisions in {elapsed:.2f} s "
              f"({total / elapsed:.0f}/s), {len(refusals)} refused")

        target = next(s for s in review.flag_states(store, DOC, status="open"))
        outcomes: list[str] = []
        barrier = threading.Barrier(args.threads)

        def racer(name):
            barrier.wait()
            try:
                review.decide(store, DOC, target.key, action="keep_ocr", reviewer=name, version=target.version)
                outcomes.append("won")
            except ReviewConflict:
                outcomes.append("refused")

        threads = [threading.Thread(target=racer, args=(f"r{i}",)) for i in range(args.threads)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        print(f"race: {args.threads} reviewers on one flag: {outcomes.count('won')} won, "
              f"{outcomes.count('refused')} refused")
        store.close()
        return 0 if outcomes.count("won") == 1 and not refusals else 1


if __name__ == "__main__":
    sys.exit(main())
