"""Make a large collection for the scale benchmarks from the briefing paper's five pages, without OCR.

The collection of N pages is N / DOC_PAGES documents (`scale-0001`, ...) of DOC_PAGES pages each, every page a
copy of one of the paper's pages: its scan linked (not copied), its stored OCR text and words copied and
varied, its gold and markings shared, and its gold flags copied into the review store. No Tesseract runs.

Varied: on every copied page a few letters of the OCR (3 by default, at seeded random word positions) are
replaced by a letter Tesseract confuses them with (e for c, n for u, ...): the text keeps its length, so
the words' offsets and boxes still hold, no two copies of a page read alike, and each change is one more
misread word flag, added to the copied flags of the page.

    .venv/bin/python bench/make_collection.py OUT --pages 1000 [--doc-pages 100] [--seed 0]

OUT is a folder outside the repository (a temporary or work folder); it becomes a collection (scans/,
transcripts/) with its review store OUT/workbench.db (or --db URL).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SOURCE_DOC = "us-japan-1974"
DOC_PAGES = 100
CHANGES_PER_PAGE = 3
# Letter pairs Tesseract confuses on typewritten pages, both ways.
CONFUSIONS = {"e": "c", "c": "e", "n": "u", "u": "n", "h": "b", "b": "h", "l": "i", "i": "l", "o": "a", "a": "o"}
SHARED_GOLD = "scale-gold"


def _vary(text: str, words: list[dict], rng: random.Random, changes: int) -> tuple[str, list[dict], list[dict]]:
    """The page text with `changes` letters confused; the words updated; the changed words' records."""
    chars = list(text)
    candidates = [w for w in words if len(w["text"]) >= 4 and any(c in CONFUSIONS for c in w["text"])]
    changed = []
    for word in rng.sample(candidates, min(changes, len(candidates))):
        positions = [i for i, c in enumerate(word["text"]) if c in CONFUSIONS]
        at = word["start"] + rng.choice(positions)
        chars[at] = CONFUSIONS[chars[at]]
        changed.append(word)
    varied = "".join(chars)
    new_words = [{**w, "text": varied[w["start"] : w["end"]]} for w in words]
    return varied, new_words, [{**w, "text": varied[w["start"] : w["end"]], "was": w["text"]} for w in changed]


def make_collection(
    out: Path, pages: int, *, doc_pages: int = DOC_PAGES, seed: int = 0, database: str | None = None
) -> dict:
    """Write a collection of `pages` pages into `out` (see the module docstring); returns what was made."""
    from workbench.corpus import Collection, page_stem, write_manifest
    from workbench.flags import flag_document
    from workbench.models import Document, Flag, FlagCategory, PageRef
    from workbench.store import open_store

    if pages % doc_pages:
        raise SystemExit(f"make_collection: --pages {pages} is not a multiple of --doc-pages {doc_pages}")
    started = time.perf_counter()
    source = Collection(REPO)
    paper = source.document(SOURCE_DOC)
    target = Collection(Path(out).resolve())
    if target.scans.exists() and any(target.scans.iterdir()):
        raise SystemExit(f"make_collection: {target.scans} is not empty")
    rng = random.Random(seed)
    origin_ocr = {
        p.number: (
            (source.ocr_dir(SOURCE_DOC) / f"{page_stem(p.number)}.txt").read_text(encoding="utf-8"),
            json.loads((source.ocr_dir(SOURCE_DOC) / f"{page_stem(p.number)}.words.json").read_text(encoding="utf-8")),
        )
        for p in paper.pages
    }
    origin_flags: dict[int, list[Flag]] = {}
    for flag in flag_document(source, paper, use_gold=True):
        origin_flags.setdefault(flag.page, []).append(flag)

    # One gold for every document: each is the same cycle of the paper's pages.
    gold_dir = target.gold_dir(SHARED_GOLD)
    gold_dir.mkdir(parents=True)
    for number in range(1, doc_pages + 1):
        origin = page_stem((number - 1) % paper.page_count + 1)
        stem = page_stem(number)
        (gold_dir / f"{stem}.txt").write_bytes((source.gold_dir(paper.gold) / f"{origin}.txt").read_bytes())
        markings = source.gold_dir(paper.gold) / f"{origin}.markings.json"
        if markings.exists():
            data = json.loads(markings.read_text(encoding="utf-8"))
            data["page"] = number
            (gold_dir / f"{stem}.markings.json").write_text(json.dumps(data), encoding="utf-8")

    store = open_store(database or str(target.home / "workbench.db"))
    flag_count = 0
    documents = pages // doc_pages
    for index in range(1, documents + 1):
        doc_id = f"scale-{index:04d}"
        folder = target.document_dir(doc_id)
        folder.mkdir(parents=True)
        ocr_out = target.ocr_dir(doc_id)
        ocr_out.mkdir(parents=True)
        refs, flags = [], []
        for number in range(1, doc_pages + 1):
            origin = paper.pages[(number - 1) % paper.page_count]
            stem = page_stem(number)
            scan = folder / f"{stem}{origin.scan.suffix}"
            scan.symlink_to(origin.scan.resolve())
            refs.append(PageRef(doc_id, number, scan, origin.sha256))
            text, words = origin_ocr[origin.number]
            varied, new_words, changed = _vary(text, words["words"], rng, CHANGES_PER_PAGE)
            (ocr_out / f"{stem}.txt").write_text(varied, encoding="utf-8")
            record = {**words, "document": doc_id, "page": number, "words": new_words}
            (ocr_out / f"{stem}.words.json").write_text(json.dumps(record), encoding="utf-8")
            page_flags = [
                replace(f, document=doc_id, page=number, text=varied[f.start : f.end])
                for f in origin_flags.get(origin.number, ())
            ]
            taken = [(f.start, f.end) for f in page_flags]
            for word in changed:
                if any(s < word["end"] and word["start"] < e for s, e in taken):
                    continue
                page_flags.append(
                    Flag(doc_id, number, word["start"], word["end"], word["text"], FlagCategory.MISREAD_WORD,
                         suggestions=(word["was"],), confidence=0.9)
                )
            flags.extend(page_flags)
        document = Document(
            id=doc_id, title=f"{paper.title} (scale copy {index})", pages=tuple(refs), date=paper.date,
            provenance=f"bench/make_collection.py from {SOURCE_DOC}, seed {seed}", variant=paper.variant,
            gold=SHARED_GOLD, manifest_path=folder / "manifest.json", lang=paper.lang or "eng",
        )
        write_manifest(document, folder / "manifest.json")
        store.sync_flags(doc_id, flags)
        flag_count += len(flags)
    return {
        "home": str(target.home),
        "database": store.display_url,
        "documents": documents,
        "pages": pages,
        "doc_pages": doc_pages,
        "flags": flag_count,
        "seconds": round(time.perf_counter() - started, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to make the collection in (outside the repository)")
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--doc-pages", type=int, default=DOC_PAGES, help="pages per document (default %(default)s)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--db", help="review store URL (default OUT/workbench.db)")
    args = parser.parse_args()
    if args.out.resolve().is_relative_to(REPO):
        raise SystemExit(f"make_collection: {args.out} is inside the repository; use a temporary or work folder")
    made = make_collection(args.out, args.pages, doc_pages=args.doc_pages, seed=args.seed, database=args.db)
    print(json.dumps(made))
    return 0


if __name__ == "__main__":
    sys.exit(main())
