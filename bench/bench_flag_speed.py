"""Benchmark: the no-gold flagger's seconds per page, this checkout against a baseline, and identical output.

The documents: the briefing paper's three variants (this repository's collection), one 100-page document of
the scale collection (bench/make_collection.py, made in a temporary folder) and real documents of the corpus
(../shared/corpora: text pairs of each ICDAR and overProof set, English, French and German, and the scans
whose OCR bench/bench_corpus.py has cached). They are read once and handed to each run as pickled records, so
both versions flag the very same pages.

Each version runs `heuristic_flags` over every document in a fresh process (one per run, the way `report
--all` flags a collection in one process); versions alternate, --runs times each. Per document: the flags'
JSON (every field, suggestions in their order, confidences, boxes), whose SHA-256 must be the same in both
versions, and the median seconds of each version. The totals per page are quoted with their ratio.

    .venv/bin/python bench/bench_flag_speed.py --baseline DIR [--runs 3] [--per-set 3] [--out DIR]
    .venv/bin/python bench/bench_flag_speed.py --baseline-commit COMMIT [--files PATH ...]

`--baseline DIR` names a folder holding another version's `workbench` package; `--baseline-commit` makes one
in a temporary folder: this checkout's package with the files `--files` (by default the flagger modules this
bench was written for: tokens, lexicon, suggest, stamps, stamp_noise, glyphs, document, heuristic) as they
were at COMMIT, so that other work in the tree since then is in both versions and only those files differ.
The current version is copied too, at the same moment: edits made in the tree during the runs are in neither.

Writes reports/bench/flag-speed.json and flag-speed.md (unless --no-write); exit 1 when any document's flags
differ between the versions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "reports" / "bench"
CORPORA = REPO.parent / "shared" / "corpora"
PAPER = ("us-japan-1974", "us-japan-1974-clean", "us-japan-1974-poor")
SPEED_FILES = tuple(
    f"workbench/flags/{name}.py"
    for name in ("tokens", "lexicon", "suggest", "stamps", "stamp_noise", "glyphs", "document", "heuristic")
)
# The corpus sets sampled, each with its language: English, French and German, clean and poor OCR.
CORPUS_SETS = (
    "icdar2017-eng_monograph",
    "icdar2017-eng_periodical",
    "icdar2017-fr_monograph",
    "icdar2017-fr_periodical",
    "icdar2019-EN1",
    "icdar2019-FR2",
    "icdar2019-DE1",
    "overproof-smh",
    "overproof-chronam",
)


def _scale_document(scratch: Path) -> dict:
    """The first 100-page document of a scale collection made in `scratch`."""
    home = scratch / "scale"
    subprocess.run(
        [sys.executable, str(REPO / "bench" / "make_collection.py"), str(home), "--pages", "100"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return _collection_documents(home, ["scale-0001"], kind="scale")[0]


def _collection_documents(home: Path, ids: list[str], *, kind: str) -> list[dict]:
    """Documents of the collection at `home` as the flagger gets them from flag_document (no gold)."""
    from workbench.corpus import Collection
    from workbench.flags.document import page_sizes
    from workbench.ocr.store import load_ocr_pages

    collection = Collection(home)
    found = []
    for doc_id in ids:
        document = collection.document(doc_id)
        pages = load_ocr_pages(collection, document)
        language = getattr(document, "lang", "") or "eng"
        found.append(
            {"id": doc_id, "kind": kind, "language": language, "pages": pages, "sizes": page_sizes(document, pages)}
        )
    return found


def _corpus_documents(per_set: int) -> list[dict]:
    """`per_set` text pairs of each of CORPUS_SETS (lowest SHA-1 of the id first) and the cached scans."""
    sys.path.insert(0, str(REPO / "bench"))
    from bench_corpus import DEFAULT_CACHE, _sha, scan_items, text_pair_items

    if not (CORPORA / "text-pairs" / "manifest.tsv").is_file():
        return []
    by_set: dict[str, list] = {}
    for item in text_pair_items(CORPORA):
        by_set.setdefault(item.set, []).append(item)
    chosen = []
    for name in CORPUS_SETS:
        chosen += sorted(by_set.get(name, ()), key=lambda item: _sha(item.id))[:per_set]
    if DEFAULT_CACHE.is_dir():
        # one process: with every page's OCR cached no Tesseract runs (bench_corpus fills the cache)
        scans = scan_items(CORPORA, DEFAULT_CACHE, jobs=1)
        for dataset in sorted({item.set for item in scans}):
            chosen += sorted((i for i in scans if i.set == dataset), key=lambda item: _sha(item.id))[:per_set]
    return [
        {"id": f"{item.set}/{item.id}", "kind": "corpus", "language": item.language, "pages": [item.ocr], "sizes": {}}
        for item in chosen
    ]


def prepare(scratch: Path, per_set: int) -> Path:
    """Every document of the bench, pickled into `scratch`; returns the file."""
    sys.path.insert(0, str(REPO))
    documents = _collection_documents(REPO, list(PAPER), kind="paper")
    documents.append(_scale_document(scratch))
    documents += _corpus_documents(per_set)
    path = scratch / "documents.pickle"
    path.write_bytes(pickle.dumps(documents))
    return path


def child(documents: Path, out: Path) -> None:
    """Run in a fresh process with the version's package first on sys.path: flag every document, write
    each one's flags' JSON digest and seconds to `out`."""
    import workbench
    from workbench.flags import flag_to_dict
    from workbench.flags.heuristic import heuristic_flags

    results: dict = {"_package": workbench.__file__}
    for document in pickle.loads(documents.read_bytes()):
        started = time.perf_counter()
        flags = heuristic_flags(document["pages"], page_sizes=document["sizes"], language=document["language"])
        seconds = time.perf_counter() - started
        text = json.dumps([{"document": f.document, **flag_to_dict(f)} for f in flags], ensure_ascii=False)
        results[document["id"]] = {
            "kind": document["kind"],
            "seconds": seconds,
            "pages": len(document["pages"]),
            "flags": len(flags),
            "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        }
    out.write_text(json.dumps(results), encoding="utf-8")


def snapshot(where: Path, *, commit: str | None = None, files: Sequence[str] = ()) -> Path:
    """This checkout's package copied into `where` (with `files` as they were at `commit`); returns `where`.

    Both versions are copied at the same moment, so that work going on in the tree meanwhile (other files
    edited during the runs) is in both or in neither.
    """
    shutil.copytree(REPO / "workbench", where / "workbench", ignore=shutil.ignore_patterns("__pycache__"))
    for name in files:
        old = subprocess.run(["git", "show", f"{commit}:{name}"], cwd=REPO, capture_output=True, check=True).stdout
        (where / name).write_bytes(old)
    return where


def _run(code: Path, documents: Path, out: Path) -> dict:
    """One version's run: this script's `child` in a fresh process with `code` first on the path."""
    env = {**os.environ, "PYTHONPATH": str(code), "WORKBENCH_PROGRESS": "false"}
    subprocess.run([sys.executable, str(Path(__file__)), "--child", str(documents), str(out)], env=env, check=True)
    results = json.loads(out.read_text(encoding="utf-8"))
    if not results.pop("_package").startswith(str(code)):
        raise SystemExit(f"bench_flag_speed: the run of {code} did not import its package")
    return results


def compare(arms: dict[str, Path], documents: Path, scratch: Path, runs: int) -> dict:
    """Both versions ("baseline", "current") over the documents, alternating, `runs` times each."""
    seconds: dict[str, dict[str, list[float]]] = {arm: {} for arm in arms}
    digests: dict[str, dict[str, str]] = {arm: {} for arm in arms}
    last: dict = {}
    for number in range(runs):
        order = list(arms) if number % 2 == 0 else list(reversed(arms))
        for arm in order:
            results = _run(arms[arm], documents, scratch / f"{arm}-{number}.json")
            for doc_id, result in results.items():
                seconds[arm].setdefault(doc_id, []).append(result["seconds"])
                previous = digests[arm].setdefault(doc_id, result["sha256"])
                if previous != result["sha256"]:
                    raise SystemExit(f"bench_flag_speed: {arm} flags {doc_id} differently from one run to the next")
                last[doc_id] = result
    rows = []
    for doc_id, result in last.items():
        before = statistics.median(seconds["baseline"][doc_id])
        after = statistics.median(seconds["current"][doc_id])
        rows.append(
            {
                "document": doc_id,
                "kind": result["kind"],
                "pages": result["pages"],
                "flags": result["flags"],
                "identical": digests["baseline"][doc_id] == digests["current"][doc_id],
                "baseline_s": round(before, 3),
                "current_s": round(after, 3),
                "ratio": round(before / after, 2) if after else None,
            }
        )
    groups = {}
    for kind in ("paper", "scale", "corpus"):
        chosen = [r for r in rows if r["kind"] == kind]
        pages = sum(r["pages"] for r in chosen)
        before = sum(r["baseline_s"] for r in chosen)
        after = sum(r["current_s"] for r in chosen)
        if pages:
            groups[kind] = {
                "documents": len(chosen),
                "pages": pages,
                "baseline_s_per_page": round(before / pages, 4),
                "current_s_per_page": round(after / pages, 4),
                "ratio": round(before / after, 2) if after else None,
            }
    return {"runs": runs, "documents": rows, "groups": groups, "identical": all(r["identical"] for r in rows)}


def markdown(report: dict) -> str:
    """The report as Markdown: the totals per group, then every document."""
    lines = [
        "# No-gold flagger speed: this checkout against a baseline",
        "",
        f"Baseline: {report['baseline']}. {report['runs']} runs of each version, alternating, each in a fresh "
        f"process; medians. Machine: {report['machine']}. Command: `{report['command']}`.",
        "",
        f"Flags identical (SHA-256 of every field of every flag, in order) on every document: "
        f"**{'yes' if report['identical'] else 'NO'}**.",
        "",
        "| documents | count | pages | baseline s/page | current s/page | speed-up |",
        "|---|---|---|---|---|---|",
    ]
    for kind, group in report["groups"].items():
        lines.append(
            f"| {kind} | {group['documents']} | {group['pages']} | {group['baseline_s_per_page']} | "
            f"{group['current_s_per_page']} | {group['ratio']}x |"
        )
    lines += [
        "",
        "| document | pages | flags | identical | baseline s | current s | speed-up |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in report["documents"]:
        lines.append(
            f"| {row['document']} | {row['pages']} | {row['flags']} | {'yes' if row['identical'] else 'NO'} | "
            f"{row['baseline_s']} | {row['current_s']} | {row['ratio']}x |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--baseline", type=Path, help="a folder holding the baseline's workbench package")
    where.add_argument("--baseline-commit", help="make the baseline: this package with --files as at COMMIT")
    parser.add_argument("--files", nargs="+", default=list(SPEED_FILES), help="files taken from --baseline-commit")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--per-set", type=int, default=3, help="corpus documents per set")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-flag-speed-") as tmp:
        scratch = Path(tmp)
        arms = {"current": snapshot(scratch / "current")}
        if args.baseline is not None:
            arms["baseline"] = args.baseline
        else:
            arms["baseline"] = snapshot(scratch / "baseline", commit=args.baseline_commit, files=args.files)
        documents = prepare(scratch, args.per_set)
        report = compare({"baseline": arms["baseline"], "current": arms["current"]}, documents, scratch, args.runs)
    label = f"commit {args.baseline_commit} for {', '.join(args.files)}" if args.baseline_commit else str(args.baseline)
    report = {
        "baseline": label,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "command": "bench/bench_flag_speed.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        **report,
    }
    print(markdown(report))
    if not args.no_write:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "flag-speed.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        (args.out / "flag-speed.md").write_text(markdown(report), encoding="utf-8")
    return 0 if report["identical"] else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        raise SystemExit(main())
