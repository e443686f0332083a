"""Measure the simulated scans with Tesseract 5: full-page CER per variant, and the error families it shows.

    .venv/bin/python bench/measure_scans.py [--docs us-japan-1974 ...] [--pages 1 3] [--jobs 2]
    .venv/bin/python bench/measure_scans.py --corpus [--corpora DIR] [--cache DIR] [--jobs 2] [--compare JSON]

With --corpus: the real scans of ../shared/corpora instead (see corpus_main): the workbench's default OCR
beside plain `tesseract IMAGE - -l LANG` on every page, CER inside the gold lines exactly as
bench/bench_corpus.py measures it (its functions and its OCR cache are used), per page with the
resolution and reading kept and why, and per half of the stable SHA-1 split (dev: tuning, test: quoted).

Each page is read by Tesseract (English, default settings, OMP_THREAD_LIMIT=1), pages in parallel
processes. The CER is `workbench.metrics.cer` of the page's OCR text against the layout truth's text of
the whole page (every line, markings included; whitespace folded). A document's CER is the sum of its
pages' edit distances over the sum of their lengths. Writes reports/bench/scans.json and prints a table
and, for each document, examples of the error families found in its OCR:

    stray_char          OCR text with no truth under it that is only punctuation, dashes aside (a speck read
                        as a mark)
    broken_hyphenation  a word the typist split at a line end, as the OCR has it: still split (`head-`
                        `tail`, a broken word against the gold body), or with its hyphen lost or misread
    stamp_text          OCR lines holding words from the stamp, and whether they hold other text too
    misread_word        a body word aligned to a different OCR word
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DOCS = ("us-japan-1974-clean", "us-japan-1974", "us-japan-1974-poor")
BANDS = {  # the issue's targets, as fractions: low inclusive, high exclusive
    "us-japan-1974-clean": (0.0, 0.02),
    "us-japan-1974": (0.02, 0.08),
    "us-japan-1974-poor": (0.08, 0.25),
}


def ocr_page(scan: str) -> dict:
    """Tesseract's reading of one scan: its plain text and its words with boxes (pixels) and line keys."""
    os.environ["OMP_THREAD_LIMIT"] = "1"
    import pytesseract
    from PIL import Image

    with Image.open(scan) as image:
        image.load()
        text = pytesseract.image_to_string(image, lang="eng")
        data = pytesseract.image_to_data(image, lang="eng", output_type=pytesseract.Output.DICT)
    words = [
        {
            "text": data["text"][i],
            "box": [
                data["left"][i],
                data["top"][i],
                data["left"][i] + data["width"][i],
                data["top"][i] + data["height"][i],
            ],
            "line": f"{data['block_num'][i]}.{data['par_num'][i]}.{data['line_num'][i]}",
        }
        for i in range(len(data["text"]))
        if data["text"][i].strip()
    ]
    return {"scan": scan, "text": text, "words": words}


def _inside(box, region) -> bool:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return region.left <= cx < region.right and region.top <= cy < region.bottom


def error_families(layout, ocr: dict) -> dict[str, list[str]]:
    """Examples of each error family in one page's OCR (see the module docstring for the definitions)."""
    from rapidfuzz.distance import Levenshtein

    from workbench.normalize import fold_whitespace

    truth = fold_whitespace(layout.text)
    text = fold_whitespace(ocr["text"])
    families: dict[str, list[str]] = {"stray_char": [], "broken_hyphenation": [], "stamp_text": [], "misread_word": []}
    # Character alignment truth -> OCR; OCR stretches inserted where the truth has nothing.
    for op in Levenshtein.opcodes(truth, text):
        inserted = text[op.dest_start : op.dest_end].strip()
        if op.tag == "insert" and inserted and not re.search(r"[A-Za-z0-9\u2014\u2013-]", inserted):
            families["stray_char"].append(repr(text[max(0, op.dest_start - 8) : op.dest_end + 8]))
    # Word alignment of truth words to OCR words.
    truth_words, ocr_words = truth.split(" "), text.split(" ")
    body_words = set(fold_whitespace("\n".join(line.text for line in layout.body_lines)).split(" "))
    for op in Levenshtein.opcodes(truth_words, ocr_words):
        if op.tag == "replace" and op.src_end - op.src_start == op.dest_end - op.dest_start:
            for gold_word, ocr_word in zip(
                truth_words[op.src_start : op.src_end], ocr_words[op.dest_start : op.dest_end], strict=True
            ):
                if gold_word in body_words and re.fullmatch(r"[A-Za-z]{3,}[.,;:]?", gold_word):
                    families["misread_word"].append(f"{gold_word} -> {ocr_word}")
    # Hyphenated line ends: the OCR keeps the word split (`head-` `tail`, a broken word against the gold
    # body), or loses or misreads the hyphen; both are what a reviewer must mend.
    for line, following in itertools.pairwise(layout.lines):
        if line.hyphen != "soft" or not following.text:
            continue
        head = line.text.split(" ")[-1]
        tail = following.text.split(" ")[0]
        pattern = re.escape(head[:-1][-3:]) + r"(\S{0,3})\s*" + re.escape(tail[:3])
        found = re.search(pattern, text)
        if found is None:
            families["broken_hyphenation"].append(f"{head} {tail} -> (word unreadable)")
        elif found.group(1) == "-":
            families["broken_hyphenation"].append(f"{head} {tail} -> split kept")
        else:
            families["broken_hyphenation"].append(f"{head} {tail} -> {found.group(0)!r}")
    # Stamp words: which OCR lines hold them, and what else is on those lines.
    stamp = [line.box for line in layout.lines if line.kind == "declassification_stamp"]
    if stamp:
        region = stamp[0]
        for other in stamp[1:]:
            region = region.union(other)
        by_line: dict[str, list[dict]] = {}
        for word in ocr["words"]:
            by_line.setdefault(word["line"], []).append(word)
        for words in by_line.values():
            inside = [w for w in words if _inside(w["box"], region)]
            if inside:
                mixed = len(inside) < len(words)
                families["stamp_text"].append(("mixed: " if mixed else "") + " ".join(w["text"] for w in words))
    return families


def _excess(ours: float, plain: float) -> float:
    return 100.0 * (ours - plain)


def corpus_summary(pages: list[dict]) -> dict:
    """Median ratio ours/plain, pages more than 0.5 point worse, worst excess (points), pooled CERs."""
    import statistics

    if not pages:
        return {"pages": 0}
    ratios = [p["ours"] / p["plain"] if p["plain"] else (1.0 if p["ours"] == 0 else float("inf")) for p in pages]
    chars = sum(p["gold_chars"] for p in pages) or 1
    return {
        "pages": len(pages),
        "cer_ours": sum(p["ours"] * p["gold_chars"] for p in pages) / chars,
        "cer_plain": sum(p["plain"] * p["gold_chars"] for p in pages) / chars,
        "median_ratio": statistics.median(ratios),
        "worse_by_over_half_point": [p["page"] for p in pages if _excess(p["ours"], p["plain"]) > 0.5],
        "worst_excess_points": max(_excess(p["ours"], p["plain"]) for p in pages),
    }


def corpus_main(args) -> int:
    """Our default OCR beside plain Tesseract on every scan of the corpus (and, with --compare, beside
    other options too, in the same run); writes reports/bench/scans.corpus.json and .md."""
    import json
    import subprocess

    sys.path.insert(0, str(REPO / "bench"))
    import bench_corpus

    from workbench.fsutil import atomic_write_json, atomic_write_text

    if not (args.corpora / "scans" / "manifest.tsv").exists():
        print(f"skipped: no corpus scans at {args.corpora} (the real OCR corpus lives beside the repository)")
        return 0
    variants = {"default": None, **{json.dumps(c): c for c in (args.compare or [])}}
    started = time.perf_counter()
    results: dict[str, list[dict]] = {}
    for name, overrides in variants.items():
        items = bench_corpus.scan_items(args.corpora, args.cache, jobs=args.jobs, overrides=overrides)
        results[name] = [
            {
                "set": i.set,
                "page": i.id,
                "half": bench_corpus.half_of(i.id),
                "ours": i.cer,
                "plain": i.extra["plain_cer"],
                "gold_chars": i.extra["gold_chars"],
                "size": [i.extra["width"], i.extra["height"]],
                "resolution": i.extra["resolution"],
                "ocr_seconds": i.extra["ocr_seconds"],
                "cached": i.extra["ocr_cached"],
            }
            for i in items
        ]
    elapsed = time.perf_counter() - started
    lines = ["# Corpus scans: the workbench's default OCR beside plain Tesseract", ""]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO)
    lines += [
        f"`bench/measure_scans.py --corpus` at commit {commit.stdout.strip()} (plus the working tree); "
        f"{elapsed:.0f} s. CER inside the gold lines, as bench/bench_corpus.py measures it.",
        "",
    ]
    report = {"commit": commit.stdout.strip(), "seconds": round(elapsed, 1), "variants": {}}
    for name, pages in results.items():
        summary = {
            half: corpus_summary([p for p in pages if half == "all" or p["half"] == half])
            for half in ("dev", "test", "all")
        }
        report["variants"][name] = {"summary": summary, "pages": pages}
        lines += [
            f"## {name}",
            "",
            "| half | pages | ours | plain | median ratio | pages > 0.5 pt worse | worst excess |",
            "|---|---|---|---|---|---|---|",
        ]
        for half, d in summary.items():
            lines.append(
                f"| {half} | {d['pages']} | {100 * d['cer_ours']:.2f} % | {100 * d['cer_plain']:.2f} % | "
                f"{d['median_ratio']:.3f} | {len(d['worse_by_over_half_point'])} | "
                f"{d['worst_excess_points']:+.2f} |"
            )
        lines += [
            "",
            "| set | page | half | ours | plain | excess (pt) | resolution | why |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for p in pages:
            res = p["resolution"] or {}
            lines.append(
                f"| {p['set']} | {p['page']} | {p['half']} | {100 * p['ours']:.2f} % | {100 * p['plain']:.2f} % | "
                f"{_excess(p['ours'], p['plain']):+.2f} | {res.get('dpi')} ({res.get('source')}) | "
                f"{res.get('reason', '')} |"
            )
        lines.append("")
    text = "\n".join(lines) + "\n"
    print(text)
    out = args.out or REPO / "reports" / "bench" / "scans.corpus.json"
    atomic_write_json(out, report)
    atomic_write_text(out.with_suffix(".md"), text)
    print(f"wrote {out} and {out.with_suffix('.md').name}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", nargs="+", default=list(DOCS), help="documents to measure")
    parser.add_argument("--pages", nargs="+", type=int, help="only these pages")
    parser.add_argument("--jobs", type=int, default=2, help="parallel Tesseract processes (default 2)")
    parser.add_argument("--out", type=Path, help="JSON output (default reports/bench/scans.json of the collection)")
    parser.add_argument("--examples", type=int, default=5, help="examples shown per error family")
    parser.add_argument("--corpus", action="store_true", help="the real scans of ../shared/corpora instead")
    parser.add_argument("--corpora", type=Path, default=REPO.parent / "shared" / "corpora")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "workbench-bench-corpus")
    parser.add_argument(
        "--compare",
        type=json.loads,
        action="append",
        help="with --corpus: also OCR with these options over the defaults (JSON), side by side",
    )
    args = parser.parse_args(argv)
    if args.corpus:
        return corpus_main(args)

    import pytesseract

    from workbench.corpus import Collection
    from workbench.metrics import character_error
    from workbench.scansim import layout_path, load_layout

    collection = Collection.default()
    jobs = []
    for doc_id in args.docs:
        document = collection.document(doc_id)
        for page in document.pages:
            if args.pages and page.number not in args.pages:
                continue
            if page.scan is None or not page.scan.exists():
                raise SystemExit(f"{document.manifest_path}: page {page.number} has no scan (workbench synth {doc_id})")
            jobs.append((doc_id, page.number, str(page.scan)))
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        readings = list(pool.map(ocr_page, [scan for _, _, scan in jobs]))
    elapsed = time.perf_counter() - started

    results: dict[str, dict] = {}
    for (doc_id, number, scan), ocr in zip(jobs, readings, strict=True):
        layout = load_layout(layout_path(Path(scan)))
        measure = character_error(layout.text, ocr["text"])
        families = error_families(layout, ocr)
        entry = results.setdefault(doc_id, {"pages": [], "distance": 0, "length": 0, "families": {}})
        entry["pages"].append(
            {
                "page": number,
                "cer": measure.rate,
                "distance": measure.distance,
                "length": measure.gold_length,
                "families": {name: len(found) for name, found in families.items()},
            }
        )
        entry["distance"] += measure.distance
        entry["length"] += measure.gold_length
        for name, found in families.items():
            entry["families"].setdefault(name, []).extend(f"p{number}: {example}" for example in found)

    report: list[str] = []

    def say(line: str = "") -> None:
        print(line)
        report.append(line)

    say(
        f"Tesseract {pytesseract.get_tesseract_version()} (eng, default settings); "
        f"{len(jobs)} pages in {elapsed:.0f} s with {args.jobs} processes"
    )
    say(f"{'document':24} {'pages':>5} {'CER':>7} {'band':>12}  per page (%)")
    summary = {}
    for doc_id, entry in results.items():
        rate = entry["distance"] / entry["length"] if entry["length"] else 0.0
        low, high = BANDS.get(doc_id, (0.0, 1.0))
        verdict = "in band" if low <= rate < high else "OUT"
        pages = " ".join(f"{p['cer'] * 100:.1f}" for p in entry["pages"])
        say(
            f"{doc_id:24} {len(entry['pages']):>5} {rate * 100:6.2f}% {low * 100:4.0f}-{high * 100:2.0f}% {verdict:7}"
            f"  {pages}"
        )
        summary[doc_id] = {
            "cer": rate,
            "band": [low, high],
            "in_band": low <= rate < high,
            "pages": entry["pages"],
            "families": {
                name: {"count": len(found), "examples": found[:20]} for name, found in entry["families"].items()
            },
        }
    for doc_id, entry in summary.items():
        say()
        say(f"{doc_id}: error families")
        for name, found in entry["families"].items():
            say(f"  {name:20} {found['count']:4}  " + " | ".join(found["examples"][: args.examples]))
    out = args.out or collection.reports / "bench" / "scans.json"
    from workbench.fsutil import atomic_write_json, atomic_write_text

    atomic_write_json(
        out,
        {
            "tesseract": str(pytesseract.get_tesseract_version()),
            "command": ("bench/measure_scans.py " + " ".join(argv if argv is not None else sys.argv[1:])).strip(),
            "seconds": round(elapsed, 1),
            "documents": summary,
        },
    )
    command = "bench/measure_scans.py " + " ".join(argv if argv is not None else sys.argv[1:])
    atomic_write_text(
        out.with_suffix(".md"),
        f"# Simulated scans: Tesseract CER\n\n`{command.strip()}`\n\n```\n" + "\n".join(report) + "\n```\n",
    )
    print(f"\nwrote {out} and {out.with_suffix('.md').name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
