"""Bench on real material: every set of ../shared/corpora as documents, the no-gold flagger and our OCR defaults.

    .venv/bin/python bench/bench_corpus.py [--corpora DIR] [--cache DIR] [--jobs 2] [--sets NAME ...]
                                           [--half dev|test] [--max-docs N] [--no-write]

Text pairs (real OCR with human gold, no scans): each pair is one document of one page, OCR text as
published (no word boxes, no confidences), gold as its body. Scans (page images with ALTO line gold):
each page is OCRed twice, by the workbench (`workbench.ocr`, default options for the page's language)
and by plain `tesseract IMAGE - -l LANG` (its TSV output: the same reading, with boxes); both are
cached on disk outside the repository (--cache, default ~/.cache/workbench-bench-corpus), keyed by
the image's checksum and the options. A scan's OCR is compared with its gold line by line: every OCR
word goes to the ALTO TextLine whose box holds its centre, words outside every line are left out.
That keeps the comparison inside what the gold covers (EHRI pages whose letterheads and stamps are not
transcribed) and out of reading-order differences (two-column pages), the same way for both engines.
Gold markup is mapped first (tapuscorpus `_`, `^`, `~~~`, `⟦…⟧`; Stanford `^`, `⟦…⟧`).

For each document: the gold flags (`gold_flags`), the no-gold flags (`heuristic_flags` with the
document's language) and their score (`evaluate_flags`, as `workbench flag DOC --evaluate` scores).
A set whose gold keeps line-end splits as typed
(LINE_FAITHFUL_SETS) has them flagged as the corrected text must join them (gold.LineHyphens).
ICDAR `#` (no gold) runs are masked: gold flags whose reading holds `#` and predicted flags that touch
them are left out. ICDAR sets also get the competition's own task-1 detection measure
(workbench.flags.icdar). Every set is split in two halves by the SHA-1 of the document id (even: dev,
odd: test); rules are tuned on dev only and the test half is the figure quoted. Large sets are
sampled stably (the documents with the lowest SHA-1 in each half, --max-docs per half) and say so.

Writes reports/bench/corpus.json and reports/bench/corpus.md (unless --no-write). Skips, saying why,
when the corpora folder is absent.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rapidfuzz.distance import Levenshtein  # noqa: E402

from workbench.flags import evaluate_flags, gold_flags, heuristic_flags  # noqa: E402
from workbench.flags.gold import LineHyphens  # noqa: E402
from workbench.flags.icdar import DetectionScore, detection_score, summed, weighted_mean  # noqa: E402
from workbench.flags.language import iso_code, tesseract_code  # noqa: E402
from workbench.models import Box, Flag, GoldPage, OcrPage, OcrWord  # noqa: E402
from workbench.normalize import fold_whitespace  # noqa: E402

CORPORA = ROOT.parent / "shared" / "corpora"
DEFAULT_CACHE = Path.home() / ".cache" / "workbench-bench-corpus"
MAX_DOCS = 30  # per half and set: keeps the whole bench well under 15 minutes on 2 cores
MAX_CHARS = 10_000  # OCR characters of a text pair kept (a monograph runs to 658,000): the rest is cut
HALVES = ("dev", "test")
# What each set's gold does with a word split at a line end, as the corpus README describes the set
# (a setting of the set, never guessed from its text): OverProof pairs its lines 1:1 with the
# newspaper's column lines and the scans' gold is one line per ALTO TextLine, both keeping the split as
# typed; the ICDAR texts are one long line each (JOINED: the workbench's own convention).
LINE_FAITHFUL_SETS = frozenset({"overproof-smh", "overproof-chronam", "ehri", "tapuscorpus", "stanford-memorials-1905"})


def line_hyphens(set_name: str) -> LineHyphens:
    """The gold convention for line-end splits of a set (LINE_FAITHFUL_SETS)."""
    return LineHyphens.KEPT if set_name in LINE_FAITHFUL_SETS else LineHyphens.JOINED


def half_of(doc_id: str) -> str:
    """'dev' or 'test': the parity of the SHA-1 of the id (stable across runs and machines)."""
    return HALVES[int(hashlib.sha1(doc_id.encode("utf-8")).hexdigest(), 16) % 2]


def _sha(doc_id: str) -> str:
    return hashlib.sha1(doc_id.encode("utf-8")).hexdigest()


@dataclass
class Item:
    """One document of a set: its OCR page, gold page, language, and what was measured on it."""

    set: str
    id: str
    language: str  # ISO 639-1
    ocr: OcrPage
    gold: GoldPage
    cer: float | None = None
    extra: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------- text pairs


def set_name(row: dict) -> str:
    """The set a text pair belongs to: the dataset, split by subset for the ICDAR competitions."""
    if row["dataset"].startswith("icdar"):
        return f"{row['dataset']}-{row['subset'].split('/')[-1]}"
    return row["dataset"]


def truncate(ocr: str, gold: str, limit: int) -> tuple[str, str]:
    """The first `limit` characters of the OCR (cut at a space) and the gold aligned with them."""
    from workbench.align import align_chars

    point = ocr.rfind(" ", 0, limit)
    point = point if point > 0 else limit
    at = len(gold)
    for op in align_chars(gold, ocr):
        if op.ocr_end >= point:
            at = op.gold_start + (point - op.ocr_start if op.tag == "equal" else 0)
            break
    space = gold.find(" ", at)
    return ocr[:point], gold[: space if space >= 0 else at]


def text_pair_items(corpora: Path, *, max_chars: int = MAX_CHARS) -> list[Item]:
    """Every text pair as an Item (OCR without boxes or confidences), long ones cut to `max_chars`."""
    items = []
    with open(corpora / "text-pairs" / "manifest.tsv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            folder = corpora / "text-pairs" / row["dataset"]
            ocr = (folder / f"{row['id']}.ocr.txt").read_text("utf-8").rstrip("\n")
            gold = (folder / f"{row['id']}.gt.txt").read_text("utf-8").rstrip("\n")
            cer_known = row.get("cer_known") or row["cer"]
            cut = len(ocr) > max_chars
            if cut:
                ocr, gold = truncate(ocr, gold, max_chars)
            items.append(
                Item(
                    set=set_name(row),
                    id=row["id"],
                    language=iso_code(row["language"]),
                    ocr=OcrPage(document=row["id"], number=1, text=ocr),
                    gold=GoldPage(number=1, body=gold),
                    cer=float(cer_known),
                    extra={"gold_chars": len(gold), "cut": cut},
                )
            )
    return items


# ---------------------------------------------------------------------------------------------- scans


_MARKUP = (
    (re.compile(r"⟦[^⟧]*⟧"), ""),  # struck-out text (or an empty pair): not in the typed text
    (re.compile(r"(?<!\S)~~~(?!\S)"), ""),  # a word that is not typewritten
    (re.compile(r"(?<!\S)_(?=\S)"), ""),  # underlined word marker
    (re.compile(r"\^"), ""),  # superscript marker
)


def clean_gold_line(line: str) -> str:
    """A gold line with the transcription markup mapped to plain text."""
    for pattern, replacement in _MARKUP:
        line = pattern.sub(replacement, line)
    return " ".join(line.split())


def alto_lines(xml: Path) -> list[Box]:
    """The box of every TextLine of an ALTO file, in XML order (line n of gt.txt is TextLine n)."""
    from lxml import etree

    tree = etree.parse(str(xml))
    boxes = []
    for line in tree.iter("{*}TextLine"):
        try:
            x, y = int(float(line.get("HPOS"))), int(float(line.get("VPOS")))
            w, h = int(float(line.get("WIDTH"))), int(float(line.get("HEIGHT")))
            boxes.append(Box(x, y, x + w, y + h))
        except (TypeError, ValueError):
            boxes.append(Box(0, 0, 0, 0))
    return boxes


def words_by_line(words: list[tuple[str, float | None, Box]], lines: list[Box]) -> list[list[tuple]]:
    """OCR words (text, conf, box) grouped under the gold line whose box holds each word's centre."""
    grouped: list[list[tuple]] = [[] for _ in lines]
    for word in words:
        box = word[2]
        cx, cy = (box.left + box.right) / 2, (box.top + box.bottom) / 2
        best, distance = None, None
        for k, line in enumerate(lines):
            if line.left <= cx <= line.right and line.top <= cy <= line.bottom:
                d = abs((line.top + line.bottom) / 2 - cy)
                if distance is None or d < distance:
                    best, distance = k, d
        if best is not None:
            grouped[best].append(word)
    return [sorted(g, key=lambda w: w[2].left) for g in grouped]


def line_page(doc_id: str, grouped: list[list[tuple]]) -> OcrPage:
    """An OCR page of the words inside the gold lines, one text line per gold line, words kept."""
    parts: list[str] = []
    words: list[OcrWord] = []
    at = 0
    for number, line in enumerate(grouped):
        for k, (text, conf, box) in enumerate(line):
            if k:
                parts.append(" ")
                at += 1
            words.append(OcrWord(text=text, start=at, end=at + len(text), conf=conf, box=box, line=number))
            parts.append(text)
            at += len(text)
        parts.append("\n")
        at += 1
    return OcrPage(document=doc_id, number=1, text="".join(parts), words=tuple(words))


def _our_ocr(image: str, lang: str, cache_root: str, overrides: dict | None = None) -> dict:
    """Run in a worker: the workbench's OCR of one scan (default options unless `overrides`), cached."""
    from workbench.fsutil import sha256_file
    from workbench.ocr.cache import OcrCache
    from workbench.ocr.options import OcrOptions
    from workbench.ocr.tesseract import ocr_page_image

    os.environ["OMP_THREAD_LIMIT"] = "1"
    cache = OcrCache(Path(cache_root) / "workbench")
    engine = cache.engine()
    options = OcrOptions(lang=lang).merged(overrides or {}, source="--ocr-options")
    key = cache.key(
        image_sha256=sha256_file(Path(image)),
        engine=engine,
        languages=cache.language_checksums(engine, options),
        options=options,
    )
    started = time.perf_counter()
    result = cache.get(key)
    cached = result is not None
    if result is None:
        result = ocr_page_image(Path(image), options=options, command=engine.command, timeout=600)
        cache.put(key, result)
    words = [(w.text, w.conf, (w.box.left, w.box.top, w.box.right, w.box.bottom)) for w in result.words if w.box]
    recorded = getattr(result, "resolution", None)
    return {
        "words": words,
        "seconds": time.perf_counter() - started,
        "cached": cached,
        "dpi": result.dpi,
        "resolution": recorded.as_dict() if hasattr(recorded, "as_dict") else None,
    }


def _plain_ocr(image: str, lang: str, cache_root: str) -> dict:
    """Run in a worker: plain `tesseract IMAGE - -l LANG` (TSV renderer), cached by image checksum."""
    from workbench.fsutil import sha256_file

    digest = sha256_file(Path(image))
    version = subprocess.run(["tesseract", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    key = hashlib.sha256(json.dumps([digest, lang, version, "tsv"]).encode()).hexdigest()
    path = Path(cache_root) / "plain" / f"{key}.tsv"
    started = time.perf_counter()
    cached = path.exists()
    if not cached:
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        run = subprocess.run(["tesseract", image, "-", "-l", lang, "tsv"], capture_output=True, env=env, check=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(run.stdout)
    words = []
    for row in path.read_text("utf-8").splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        left, top, width, height = (int(c) for c in cols[6:10])
        words.append((cols[11], float(cols[10]), (left, top, left + width, top + height)))
    return {"words": words, "seconds": time.perf_counter() - started, "cached": cached}


def scan_items(corpora: Path, cache_root: Path, *, jobs: int, overrides: dict | None = None) -> list[Item]:
    """Every scan page as an Item of our OCR (inside the gold lines), with both engines' CER."""
    rows = []
    with open(corpora / "scans" / "manifest.tsv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    tasks = []
    for row in rows:
        image = corpora / "scans" / row["dataset"] / row["image"]
        tasks.append((row, str(image), tesseract_code(row["language"])))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        ours = [pool.submit(_our_ocr, image, lang, str(cache_root), overrides) for _, image, lang in tasks]
        plain = [pool.submit(_plain_ocr, image, lang, str(cache_root)) for _, image, lang in tasks]
        results = [(a.result(), b.result()) for a, b in zip(ours, plain, strict=True)]
    items = []
    for (row, _image, _lang), (mine, theirs) in zip(tasks, results, strict=True):
        folder = corpora / "scans" / row["dataset"]
        stem = Path(row["image"]).stem
        lines = alto_lines(folder / f"{stem}.xml")
        gold_lines = [clean_gold_line(g) for g in (folder / f"{stem}.gt.txt").read_text("utf-8").split("\n")]
        gold_lines = (gold_lines + [""] * len(lines))[: len(lines)]
        gold_text = "\n".join(gold_lines)
        pages = {}
        cers = {}
        for name, result in (("ours", mine), ("plain", theirs)):
            words = [(t, c, Box(*b)) for t, c, b in result["words"]]
            page = line_page(stem, words_by_line(words, lines))
            pages[name] = page
            cers[name] = _cer(page.text, gold_text)
        items.append(
            Item(
                set=row["dataset"],
                id=stem,
                language=iso_code(row["language"]),
                ocr=pages["ours"],
                gold=GoldPage(number=1, body=gold_text),
                cer=cers["ours"],
                extra={
                    "plain_cer": cers["plain"],
                    "ocr_seconds": mine["seconds"],
                    "ocr_cached": mine["cached"],
                    "plain_seconds": theirs["seconds"],
                    "dpi": mine["dpi"],
                    "resolution": mine.get("resolution"),
                    "gold_chars": len(fold_whitespace(gold_text)),
                    "width": int(row["width"]),
                    "height": int(row["height"]),
                },
            )
        )
    return items


def _cer(ocr: str, gold: str) -> float:
    """CER as the corpus README computes it: Levenshtein over whitespace-folded texts / gold length."""
    a, b = fold_whitespace(ocr), fold_whitespace(gold)
    return Levenshtein.distance(a, b) / len(b) if b else float(bool(a))


# ---------------------------------------------------------------------------------------------- flags


def _mask(gold: list[Flag], predicted: list[Flag]) -> tuple[list[Flag], list[Flag]]:
    """Gold and predicted flags without those touching text that has no gold (ICDAR `#`)."""
    masked = [f for f in gold if any("#" in s for s in f.suggestions)]
    if not masked:
        return gold, predicted

    def touches(flag: Flag) -> bool:
        return any(flag.start <= m.end and m.start <= flag.end for m in masked)

    return [f for f in gold if f not in masked], [f for f in predicted if not touches(f)]


def flag_item(item: Item) -> dict:
    """Gold and no-gold flags of one document, scored; the flagger's seconds."""
    started = time.perf_counter()
    predicted = heuristic_flags([item.ocr], language=item.language)
    seconds = time.perf_counter() - started
    gold = gold_flags(item.ocr, item.gold, line_hyphens=line_hyphens(item.set))
    gold, kept = _mask(gold, predicted)
    result = {"gold": gold, "predicted": kept, "seconds": seconds}
    if item.set.startswith("icdar"):
        result["icdar"] = detection_score(item.ocr.text, item.gold.body, predicted)
    return result


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def summarise(items: list[Item], flagged: dict[str, dict]) -> dict:
    """The figures of one group of documents: flags scored together, CER, speed, ICDAR measure."""
    gold = [f for i in items for f in flagged[i.id]["gold"]]
    predicted = [f for i in items for f in flagged[i.id]["predicted"]]
    evaluation = evaluate_flags(predicted, gold)
    chars = sum(i.extra.get("gold_chars", 0) for i in items)
    cer = sum((i.cer or 0.0) * i.extra.get("gold_chars", 0) for i in items) / chars if chars else None
    out = {
        "documents": len(items),
        "gold_chars": chars,
        "cer": _rate(cer),
        "precision": _rate(evaluation.overall.precision),
        "recall": _rate(evaluation.overall.recall),
        "f1": _rate(evaluation.overall.f1),
        "top1": _rate(evaluation.top1),
        "gold_flags": evaluation.overall.gold,
        "predicted_flags": evaluation.overall.predicted,
        "flag_seconds_per_page": _rate(sum(flagged[i.id]["seconds"] for i in items) / len(items)) if items else None,
    }
    scores: list[DetectionScore] = [flagged[i.id]["icdar"] for i in items if "icdar" in flagged[i.id]]
    if scores:
        micro = summed(scores)
        out["icdar_task1"] = {
            **{k: _rate(v) for k, v in weighted_mean(scores).items()},
            "micro_f1": _rate(micro.f1),
            "tokens": micro.tokens,
            "erroneous": micro.erroneous,
        }
    scans = [i for i in items if "plain_cer" in i.extra]
    if scans:
        ours = [i.cer for i in scans]
        plain = [i.extra["plain_cer"] for i in scans]
        ratios = [o / p if p else (1.0 if o == 0 else float("inf")) for o, p in zip(ours, plain, strict=True)]
        plain_chars = sum(i.extra["plain_cer"] * i.extra["gold_chars"] for i in scans)
        out["ocr"] = {
            "cer_ours": _rate(cer),
            "cer_plain": _rate(plain_chars / chars if chars else None),
            "median_ratio": _rate(statistics.median(ratios)),
            "worst_excess_points": _rate(max(100 * (o - p) for o, p in zip(ours, plain, strict=True))),
            "ocr_seconds_per_page": _rate(statistics.mean(i.extra["ocr_seconds"] for i in scans)),
        }
    return out


def sample(items: list[Item], max_docs: int) -> tuple[list[Item], dict[str, str]]:
    """At most `max_docs` documents per set and half (lowest SHA-1 of the id first); notes of what was cut."""
    groups: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for item in items:
        groups[(item.set, half_of(item.id))].append(item)
    kept, notes = [], {}
    for (name, half), group in sorted(groups.items()):
        group.sort(key=lambda i: _sha(i.id))
        if len(group) > max_docs:
            notes[f"{name}/{half}"] = f"sampled {max_docs} of {len(group)} documents (lowest SHA-1 of the id)"
        kept.extend(group[:max_docs])
    return kept, notes


def build_report(items: list[Item], flagged: dict[str, dict], notes: dict[str, str], seconds: float) -> dict:
    """Per set and half, per language and half (pooled), and everything pooled."""
    sets: dict[str, dict] = {}
    for name in sorted({i.set for i in items}):
        sets[name] = {
            "language": sorted({i.language for i in items if i.set == name}),
            **{h: summarise([i for i in items if i.set == name and half_of(i.id) == h], flagged) for h in HALVES},
        }
    pooled: dict[str, dict] = {}
    for language in sorted({i.language for i in items}):
        pooled[language] = {
            h: summarise([i for i in items if i.language == language and half_of(i.id) == h], flagged) for h in HALVES
        }
    pooled["all"] = {h: summarise([i for i in items if half_of(i.id) == h], flagged) for h in HALVES}
    per_scan = [
        {
            "set": i.set,
            "page": i.id,
            "half": half_of(i.id),
            "cer_ours": _rate(i.cer),
            "cer_plain": _rate(i.extra["plain_cer"]),
            "dpi": i.extra["dpi"],
            "resolution": i.extra["resolution"],
            "size": [i.extra["width"], i.extra["height"]],
        }
        for i in items
        if "plain_cer" in i.extra
    ]
    return {
        "split": "SHA-1 of the document id: even = dev (tuning), odd = test (quoted)",
        "sampling": notes,
        "seconds": round(seconds, 1),
        "sets": sets,
        "pooled": pooled,
        "scans": per_scan,
    }


def _fmt(value, *, percent: bool = False) -> str:
    if value is None:
        return "–"
    return f"{100 * value:.2f} %" if percent else f"{value:.3f}"


def markdown(report: dict) -> str:
    """The report as a Markdown page (test halves first: the figures quoted)."""
    lines = [
        "# Corpus bench (`bench/bench_corpus.py`)",
        "",
        f"Split: {report['split']}. Whole run: {report['seconds']} s.",
        "",
    ]
    for half in ("test", "dev"):
        lines += [
            f"## {half} half",
            "",
            "| set | lang | docs | OCR CER | precision | recall | F1 | top-1 | ICDAR task-1 F | s/page |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for name, data in report["sets"].items():
            d = data[half]
            icdar = d.get("icdar_task1", {}).get("f1")
            lines.append(
                f"| {name} | {','.join(data['language'])} | {d['documents']} | {_fmt(d['cer'], percent=True)} | "
                f"{_fmt(d['precision'])} | {_fmt(d['recall'])} | {_fmt(d['f1'])} | {_fmt(d['top1'])} | "
                f"{_fmt(icdar)} | {_fmt(d['flag_seconds_per_page'])} |"
            )
        for name, data in report["pooled"].items():
            d = data[half]
            icdar = d.get("icdar_task1", {}).get("f1")
            lines.append(
                f"| **pooled {name}** | | {d['documents']} | {_fmt(d['cer'], percent=True)} | {_fmt(d['precision'])} | "
                f"{_fmt(d['recall'])} | {_fmt(d['f1'])} | {_fmt(d['top1'])} | {_fmt(icdar)} | "
                f"{_fmt(d['flag_seconds_per_page'])} |"
            )
        lines += ["", "OCR of the scans (CER inside the gold lines):", ""]
        lines += ["| set | ours | plain tesseract | median ratio | worst excess (points) | OCR s/page |"]
        lines += ["|---|---|---|---|---|---|"]
        for name, data in report["sets"].items():
            ocr = data[half].get("ocr")
            if ocr:
                lines.append(
                    f"| {name} | {_fmt(ocr['cer_ours'], percent=True)} | {_fmt(ocr['cer_plain'], percent=True)} | "
                    f"{_fmt(ocr['median_ratio'])} | {ocr['worst_excess_points']:.2f} | "
                    f"{ocr['ocr_seconds_per_page']:.1f} |"
                )
        lines.append("")
    if report["sampling"]:
        lines += ["Sampling:", ""] + [f"- {k}: {v}" for k, v in report["sampling"].items()] + [""]
    lines += [
        "## Every scan",
        "",
        "| set | page | half | ours | plain | resolution used |",
        "|---|---|---|---|---|---|",
    ]
    for s in report["scans"]:
        res = s["resolution"] or {}
        how = f"{s['dpi']} dpi" + (f" ({res.get('source', '')})" if res else "")
        lines.append(
            f"| {s['set']} | {s['page']} | {s['half']} | {_fmt(s['cer_ours'], percent=True)} | "
            f"{_fmt(s['cer_plain'], percent=True)} | {how} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the bench; 0 on success (also when skipped for want of the corpora)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", type=Path, default=CORPORA)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--max-docs", type=int, default=MAX_DOCS)
    parser.add_argument("--max-chars", type=int, default=MAX_CHARS)
    parser.add_argument("--language", help="flag every document as this language (to compare with its own)")
    parser.add_argument("--sets", nargs="*", help="only these sets (by name)")
    parser.add_argument("--no-scans", action="store_true", help="text pairs only")
    parser.add_argument("--half", choices=HALVES, help="only this half (dev while tuning; use with --no-write)")
    parser.add_argument("--ocr-options", type=json.loads, help="OCR options other than the defaults, JSON")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    if not (args.corpora / "README.md").exists():
        print(f"skipped: no corpora at {args.corpora} (the real OCR corpus lives beside the repository)")
        return 0
    started = time.perf_counter()
    option_notes = {}
    items = text_pair_items(args.corpora, max_chars=args.max_chars)
    if not args.no_scans:
        items += scan_items(args.corpora, args.cache, jobs=args.jobs, overrides=args.ocr_options)
        if args.ocr_options:
            option_notes["ocr options"] = f"scans read with {json.dumps(args.ocr_options)} over the defaults"
    if args.sets:
        items = [i for i in items if i.set in args.sets]
    if args.half:
        items = [i for i in items if half_of(i.id) == args.half]
    items, notes = sample(items, args.max_docs)
    notes.update(option_notes)
    cut = sum(1 for i in items if i.extra.get("cut"))
    if cut:
        notes["long documents"] = f"{cut} text pairs cut to their first {args.max_chars} OCR characters"
    if args.language:
        notes["language"] = f"every document flagged as {args.language!r} (not its own language)"
        for item in items:
            item.language = args.language
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        flagged = dict(zip([i.id for i in items], pool.map(flag_item, items, chunksize=4), strict=True))
    report = build_report(items, flagged, notes, time.perf_counter() - started)
    text = markdown(report)
    print(text)
    if not args.no_write:
        out = ROOT / "reports" / "bench"
        out.mkdir(parents=True, exist_ok=True)
        (out / "corpus.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")
        (out / "corpus.md").write_text(text, "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
