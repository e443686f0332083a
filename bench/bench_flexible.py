"""Benchmark: flexible character accuracy (workbench.flexible) on the briefing paper and on a 1 MB pair.

Pairs:
  paper   the document's gold pages against its stored Tesseract OCR, pages joined (about 11 KB).
  1 MB    the same gold and OCR repeated to about 1 MB, every copy's words lightly varied (seeded) so that
          copies differ, and a third of the OCR lines shuffled.

Each measurement runs in its own subprocess (median wall time of --runs runs, peak memory as the
child's max RSS) with a timeout; a timeout is recorded as such. Beside it: the CER of the same pair.
dinglehopper 0.11 has no FCA, so there is nothing of its to compare with. Writes
reports/bench/flexible.json and flexible.md.

    .venv/bin/python bench/bench_flexible.py [--doc us-japan-1974] [--runs 3] [--timeout 300]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pairs import load_pair, vary  # noqa: E402  (bench/ is on the path when a bench runs)

from workbench.fsutil import atomic_write_json, atomic_write_text  # noqa: E402

# Runs one measurement in a fresh interpreter and prints its figures as JSON.
_CHILD = """
import json, resource, sys, time
sys.path.insert(0, {repo!r})
from workbench.flexible import PAPER_DEFAULT, flexible_character_accuracy
from workbench.metrics import cer
gold = open({gold!r}, encoding="utf-8").read()
ocr = open({ocr!r}, encoding="utf-8").read()
start = time.perf_counter()
if {what!r} == "cer":
    value = {{"cer": cer(gold, ocr)}}
else:
    weights = [PAPER_DEFAULT] if {what!r} == "fca-default" else None
    r = flexible_character_accuracy(gold, ocr, weights=weights)
    value = {{"accuracy": r.accuracy, "errors": r.errors, "gold_length": r.gold_length,
             "matched_parts": r.matched_parts, "unmatched_gold_parts": r.unmatched_gold_parts,
             "unmatched_ocr_parts": r.unmatched_ocr_parts, "weights": list(r.weights)}}
seconds = time.perf_counter() - start
print(json.dumps({{"seconds": seconds, "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  **value}}))
"""


def make_megabyte(gold: str, ocr: str, *, size: int = 1_000_000, seed: int = 2026) -> tuple[str, str]:
    """Gold and OCR repeated to about `size` characters, copies varied alike, a third of OCR lines shuffled."""
    rng = random.Random(seed)
    gold_parts, ocr_parts, total = [], [], 0
    while total < size:
        copy_seed = rng.randrange(1 << 30)
        gold_parts.append(vary(gold, random.Random(copy_seed)))
        ocr_parts.append(vary(ocr, random.Random(copy_seed)))
        total += len(gold_parts[-1])
    ocr_lines = "\n".join(ocr_parts).split("\n")
    picked = rng.sample(range(len(ocr_lines)), len(ocr_lines) // 3)
    moved = [ocr_lines[i] for i in picked]
    rng.shuffle(moved)
    for i, line in zip(picked, moved, strict=True):
        ocr_lines[i] = line
    return "\n".join(gold_parts), "\n".join(ocr_lines)


def measure(gold_path: Path, ocr_path: Path, what: str, *, runs: int, timeout: float) -> dict:
    """Median seconds and largest max RSS of `runs` child runs of `what`, or the timeout."""
    code = _CHILD.format(repo=str(REPO), gold=str(gold_path), ocr=str(ocr_path), what=what)
    results = []
    for _ in range(runs):
        try:
            done = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, check=True
            )
        except subprocess.TimeoutExpired:
            return {"what": what, "timeout_s": timeout, "runs": len(results)}
        results.append(json.loads(done.stdout))
    out = {k: v for k, v in results[0].items() if k not in ("seconds", "max_rss_mb")}
    out.update(
        what=what,
        runs=runs,
        median_s=statistics.median(r["seconds"] for r in results),
        max_rss_mb=max(r["max_rss_mb"] for r in results),
    )
    return out


def markdown(report: dict) -> str:
    """The report as a Markdown table."""
    rows = ["| pair | measure | median s | max RSS MB | result |", "|---|---|---|---|---|"]
    for pair in report["pairs"]:
        for m in pair["measurements"]:
            if "timeout_s" in m:
                rows.append(f"| {pair['name']} | {m['what']} | timeout > {m['timeout_s']:.0f} s | | |")
                continue
            result = (
                f"CER {m['cer']:.4f}"
                if "cer" in m
                else (f"FCA {m['accuracy']:.4f} ({m['errors']} errors / {m['gold_length']}, weights {m['weights']})")
            )
            rows.append(f"| {pair['name']} | {m['what']} | {m['median_s']:.2f} | {m['max_rss_mb']:.0f} | {result} |")
    return (
        "# Flexible character accuracy: speed\n\n"
        f"{report['machine']}. fca = the paper's grid of 768 weight sets; fca-default = the paper's default "
        "set (25, 20, 1, 4) alone. dinglehopper 0.11 has no FCA to compare with.\n\n" + "\n".join(rows) + "\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--doc", default="us-japan-1974")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()
    gold, ocr = load_pair(args.doc)
    big_gold, big_ocr = make_megabyte(gold, ocr)
    report = {
        "machine": f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores",
        "pairs": [],
    }
    with tempfile.TemporaryDirectory() as tmp:
        plan = [
            ("paper", gold, ocr, ["cer", "fca-default", "fca"], args.runs),
            ("1 MB", big_gold, big_ocr, ["cer", "fca-default", "fca"], 1),
        ]
        for name, g, o, measures, runs in plan:
            gold_path, ocr_path = Path(tmp, f"{name}.gold.txt"), Path(tmp, f"{name}.ocr.txt")
            gold_path.write_text(g, encoding="utf-8")
            ocr_path.write_text(o, encoding="utf-8")
            pair = {"name": name, "gold_chars": len(g), "ocr_chars": len(o), "measurements": []}
            for what in measures:
                m = measure(gold_path, ocr_path, what, runs=runs, timeout=args.timeout)
                print(name, json.dumps(m), flush=True)
                pair["measurements"].append(m)
            report["pairs"].append(pair)
    out = REPO / "reports" / "bench"
    atomic_write_json(out / "flexible.json", report)
    atomic_write_text(out / "flexible.md", markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
