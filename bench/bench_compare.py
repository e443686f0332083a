"""Benchmark: the `workbench compare` command against dinglehopper's command line, whole processes.

Pairs (plain text files, written to a temporary folder):
  paper   the briefing paper: gold `transcripts/gold/DOC/page-*.txt` joined, against the stored OCR
          `transcripts/ocr/DOC/page-*.txt` joined (line breaks between pages; about 11 KB).
  1 MB    the same gold and OCR repeated to about 1 MB, each copy's words lightly varied alike (seeded),
          so that copies differ and the alignment cannot lock onto one repeated block.

Each tool runs as a fresh process, timed from start to exit (interpreter start-up and imports
included), several times in one run, and the median is reported:
  workbench     `python -m workbench compare GT OCR --json --no-fca --dinglehopper --fold-equivalents`:
                dinglehopper's definitions (whitespace counted, private-use characters as letters) and
                its normalisation of plain text (it folds ligatures, quotes and dashes when it reads a
                text file, so `--fold-equivalents` too); FCA off, since dinglehopper has none.
  workbench+fca the default command (`--json`, whitespace folded, FCA with the paper's default weights),
                on the paper only: what a user gets without options.
  dinglehopper  `dinglehopper GT OCR --plain-encoding utf-8`, run in its own temporary folder (it writes
                report.html and report.json there; CER and WER are read from report.json).

CER and WER of the two must agree to 1e-9. Target: workbench at least 50x faster at 1 MB. Writes
reports/bench/compare.json and reports/bench/compare.md.

    .venv/bin/python bench/bench_compare.py [--doc us-japan-1974] [--runs 5] [--large-runs 3]
                                            [--dinglehopper-large-runs 1] [--timeout 900]
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
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pairs import load_pair, vary  # noqa: E402  (bench/ is on the path when a bench runs)

from workbench.fsutil import atomic_write_json, atomic_write_text  # noqa: E402

PYTHON = REPO / ".venv" / "bin" / "python"
DINGLEHOPPER = REPO / ".venv" / "bin" / "dinglehopper"
TOLERANCE = 1e-9
TARGET_SPEEDUP = 50
WORKBENCH_OPTIONS = ("--no-fca", "--dinglehopper", "--fold-equivalents")


def make_large(gold: str, ocr: str, *, size: int, seed: int = 2026) -> tuple[str, str]:
    """Gold and OCR repeated to about `size` characters of gold, each copy varied alike in both."""
    rng = random.Random(seed)
    gold_parts, ocr_parts, total = [], [], 0
    while total < size:
        copy_seed = rng.randrange(1 << 30)
        gold_parts.append(vary(gold, random.Random(copy_seed)))
        ocr_parts.append(vary(ocr, random.Random(copy_seed)))
        total += len(gold_parts[-1]) + 1
    return "\n".join(gold_parts), "\n".join(ocr_parts)


def _timed(command: list[str], *, cwd: Path, timeout: float) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"bench_compare: {' '.join(command)} exited {done.returncode}: {done.stderr.strip()[-500:]}")
    return seconds, done


def run_workbench(gt: Path, ocr: Path, *, options: tuple[str, ...], timeout: float) -> dict:
    """One `workbench compare --json` process: seconds and the figures it printed."""
    command = [str(PYTHON), "-m", "workbench", "compare", str(gt), str(ocr), "--json", *options]
    seconds, done = _timed(command, cwd=REPO, timeout=timeout)
    data = json.loads(done.stdout)
    fca = data["flexible_character_accuracy"]
    return {
        "seconds": seconds,
        "cer": data["document"]["cer"],
        "wer": data["document"]["wer"],
        "gold_chars": data["document"]["gold_chars"],
        "gold_words": data["document"]["gold_words"],
        "fca": None if fca is None else fca["accuracy"],
    }


def run_dinglehopper(gt: Path, ocr: Path, *, timeout: float) -> dict:
    """One dinglehopper process in a fresh folder (it writes its reports there): seconds, CER, WER."""
    with tempfile.TemporaryDirectory(prefix="bench-dinglehopper-") as folder:
        command = [str(DINGLEHOPPER), str(gt), str(ocr), "--plain-encoding", "utf-8"]
        seconds, _ = _timed(command, cwd=Path(folder), timeout=timeout)
        report = json.loads((Path(folder) / "report.json").read_text(encoding="utf-8"))
    return {
        "seconds": seconds,
        "cer": report["cer"],
        "wer": report["wer"],
        "gold_chars": report["n_characters"],
        "gold_words": report["n_words"],
    }


def summary(name: str, runs: list[dict]) -> dict:
    """The median seconds of `runs` and the figures of the first (every run gives the same figures)."""
    figures = {k: v for k, v in runs[0].items() if k != "seconds"}
    return {
        "tool": name,
        "runs": len(runs),
        "median_s": statistics.median(r["seconds"] for r in runs),
        "seconds": [round(r["seconds"], 3) for r in runs],
        **figures,
    }


def bench_pair(
    name: str, gt: Path, ocr: Path, *, runs: int, dinglehopper_runs: int, with_fca: bool, timeout: float
) -> dict:
    """Every tool on one pair, interleaved run by run so that machine load falls on all of them alike."""
    results: dict[str, list[dict]] = {"workbench": [], "dinglehopper": []}
    if with_fca:
        results["workbench+fca"] = []
    for index in range(max(runs, dinglehopper_runs)):
        if index < runs:
            results["workbench"].append(run_workbench(gt, ocr, options=WORKBENCH_OPTIONS, timeout=timeout))
            if with_fca:
                results["workbench+fca"].append(run_workbench(gt, ocr, options=(), timeout=timeout))
        if index < dinglehopper_runs:
            results["dinglehopper"].append(run_dinglehopper(gt, ocr, timeout=timeout))
        print(f"  {name}: run {index + 1} done", file=sys.stderr, flush=True)
    tools = [summary(tool, tool_runs) for tool, tool_runs in results.items()]
    ours = next(t for t in tools if t["tool"] == "workbench")
    theirs = next(t for t in tools if t["tool"] == "dinglehopper")
    return {
        "name": name,
        "gold_bytes": gt.stat().st_size,
        "ocr_bytes": ocr.stat().st_size,
        "tools": tools,
        "speedup": theirs["median_s"] / ours["median_s"],
        "cer_difference": abs(ours["cer"] - theirs["cer"]),
        "wer_difference": abs(ours["wer"] - theirs["wer"]),
        "equal": abs(ours["cer"] - theirs["cer"]) <= TOLERANCE and abs(ours["wer"] - theirs["wer"]) <= TOLERANCE,
    }


def markdown(report: dict) -> str:
    """The report as Markdown: one row per tool and pair, then the verdict per pair."""
    rows = ["| pair | tool | runs | median s | CER | WER | FCA |", "|---|---|---|---|---|---|---|"]
    verdicts = []
    for pair in report["pairs"]:
        for tool in pair["tools"]:
            fca = tool.get("fca")
            rows.append(
                f"| {pair['name']} | {tool['tool']} | {tool['runs']} | {tool['median_s']:.2f} | "
                f"{tool['cer']:.6f} | {tool['wer']:.6f} | {'-' if fca is None else f'{fca:.4f}'} |"
            )
        verdicts.append(
            f"- {pair['name']} ({pair['gold_bytes']:,} bytes of gold): workbench {pair['speedup']:.0f}x faster; "
            f"CER differs by {pair['cer_difference']:.1e}, WER by {pair['wer_difference']:.1e} "
            f"({'equal' if pair['equal'] else 'NOT equal'} to {TOLERANCE:g})"
        )
    large = report["pairs"][-1]
    met = large["speedup"] >= TARGET_SPEEDUP and large["equal"]
    return (
        "# `workbench compare` against dinglehopper's command line\n\n"
        f"{report['machine']}. Whole processes (start-up included), medians of the runs; the tools run "
        "interleaved in one session. workbench: `compare --json --no-fca --dinglehopper --fold-equivalents` "
        "(dinglehopper's definitions and the normalisation it applies when reading text files); "
        "workbench+fca: the default `compare --json` (whitespace folded, FCA with the paper's default "
        "weights). dinglehopper: `dinglehopper GT OCR --plain-encoding utf-8` (it also writes its HTML "
        "diff report, which is part of what its command costs).\n\n"
        + "\n".join(rows)
        + "\n\n"
        + "\n".join(verdicts)
        + f"\n\nTarget at 1 MB: at least {TARGET_SPEEDUP}x faster with CER and WER equal to {TOLERANCE:g}: "
        + ("met." if met else "NOT met.")
        + "\n"
    )


def main(argv: list[str] | None = None) -> int:
    """Build the pairs, run both tools on each, write the JSON and Markdown reports."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--doc", default="us-japan-1974")
    parser.add_argument("--runs", type=int, default=5, help="runs of each tool on the paper (default: 5)")
    parser.add_argument("--large-runs", type=int, default=3, help="workbench runs at 1 MB (default: 3)")
    parser.add_argument(
        "--dinglehopper-large-runs", type=int, default=1, help="dinglehopper runs at 1 MB: minutes each (default: 1)"
    )
    parser.add_argument("--size", type=int, default=1_000_000, help="characters of gold in the large pair")
    parser.add_argument("--timeout", type=float, default=900, help="seconds before one process is given up")
    parser.add_argument("--out", type=Path, default=REPO / "reports" / "bench")
    args = parser.parse_args(argv)

    gold, ocr = load_pair(args.doc)
    large_gold, large_ocr = make_large(gold, ocr, size=args.size)
    pairs = []
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as folder:
        root = Path(folder)
        plan = [
            ("paper", gold, ocr, args.runs, args.runs, True),
            ("1 MB", large_gold, large_ocr, args.large_runs, args.dinglehopper_large_runs, False),
        ]
        for name, gt_text, ocr_text, runs, dh_runs, with_fca in plan:
            slug = name.replace(" ", "")
            gt_path, ocr_path = root / f"{slug}.gt.txt", root / f"{slug}.ocr.txt"
            gt_path.write_text(gt_text, encoding="utf-8")
            ocr_path.write_text(ocr_text, encoding="utf-8")
            pairs.append(
                bench_pair(
                    name,
                    gt_path,
                    ocr_path,
                    runs=runs,
                    dinglehopper_runs=dh_runs,
                    with_fca=with_fca,
                    timeout=args.timeout,
                )
            )
    report = {
        "machine": f"CPython {platform.python_version()}, {os.cpu_count()} cores, {platform.machine()}",
        "document": args.doc,
        "workbench_options": list(WORKBENCH_OPTIONS),
        "tolerance": TOLERANCE,
        "target_speedup": TARGET_SPEEDUP,
        "pairs": pairs,
    }
    atomic_write_json(args.out / "compare.json", report)
    atomic_write_text(args.out / "compare.md", markdown(report))
    print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
