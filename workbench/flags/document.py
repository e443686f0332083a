"""Flags of a whole document from the collection on disk: the I/O edge around the pure flaggers.

Flagging is costly (the no-gold flagger takes a large part of a second a page), so a document's flags are
kept in the client's cache folder (WORKBENCH_CACHE, the OCR cache's: `flags/<ab>/<key>.json`) under a key
of everything they are made from: the pages' OCR (text, words, boxes, confidences, engine and options),
the gold pages (with gold), the page sizes and language (without), and the flagger's version, which is
the checksum of every file of the workbench package with the versions of the word and hyphenation data
it reads (`flagger_version`): any change of code or data is a new key, so a cached flag never outlives
the code that made it. Flags revised by what reviewers taught (`learned`) are not cached. A damaged
entry is a miss, never an error: the document is flagged again.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.metadata
import json
from array import array
from collections.abc import Sequence
from dataclasses import fields
from itertools import starmap
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

import workbench
from workbench.batch import Batch, Task
from workbench.corpus import Collection
from workbench.errors import CorpusError
from workbench.flags.gold import gold_flags, marking_vocabulary
from workbench.flags.heuristic import heuristic_flags
from workbench.flags.lexicon import Lexicon
from workbench.fsutil import atomic_write_text
from workbench.images import image_size
from workbench.memo import IdentityMemo
from workbench.models import Box, Document, Flag, FlagCategory, FlagSource, LineHyphens, OcrPage, OcrWord
from workbench.ocr.importers import declared_page_size
from workbench.ocr.store import load_ocr_pages

# Bump when the cached form of the flags changes.
FLAG_CACHE_FORMAT = 2
# The distributions whose data the flaggers read (word frequencies, hyphenation patterns).
_DATA_DISTRIBUTIONS = ("wordfreq", "pyphen")

if TYPE_CHECKING:
    from workbench.learning import Learned


def page_sizes(document: Document, ocr_pages: Sequence[OcrPage] = ()) -> dict[int, tuple[int, int]]:
    """(width, height) in pixels of each page: its scan's (only the image header is read), else the size
    the imported OCR declared for it; pages with neither are left out (no page-position evidence)."""
    sizes = {}
    for page in document.pages:
        size = image_size(page.scan)
        if size is not None:
            sizes[page.number] = size
    for page in ocr_pages:
        declared = declared_page_size(page)
        if page.number not in sizes and declared is not None:
            sizes[page.number] = declared
    return sizes


def flag_document(
    collection: Collection,
    document: Document | str,
    *,
    use_gold: bool,
    batch: Batch | None = None,
    learned: Learned | None = None,
    pages: Sequence[OcrPage] | None = None,
) -> list[Flag]:
    """Every flag of a document's stored OCR, in page and text order.

    With `use_gold`, the gold-diff flags (CorpusError when the document has no gold); without, the
    heuristic flags, which read nothing of the gold. InputError when a page has no OCR. With `batch`
    (workbench.batch), runs of pages are flagged where it runs; the flags are the same. `learned`
    (workbench.learning.learned_for) revises the heuristic flags with what the reviewers taught.
    `pages` is the document's stored OCR when the caller has read it already (`load_ocr_pages`: every
    page, in page order), so that it is not read again.
    """
    if isinstance(document, str):
        document = collection.document(document)
    if pages is None:
        pages = load_ocr_pages(collection, document)
    elif [p.number for p in pages] != [ref.number for ref in document.pages]:
        raise ValueError(f"flag_document: the pages given are not every page of {document.id!r} in order")
    pages = list(pages)
    if not use_gold:
        # The manifest's language drives the lexicon, hyphenation and stamp words; English when unsaid.
        language = getattr(document, "lang", "") or "eng"
        sizes = page_sizes(document, pages)
        # nothing learned leaves the flags as they are (heuristic_flags), so those are the cached ones
        key = None if learned else _cache_key("no-gold", document.id, pages, [language, sorted(sizes.items())])
        cached = _cached(key)
        if cached is not None:
            return cached
        if batch is None:
            flags = heuristic_flags(pages, page_sizes=sizes, language=language, learned=learned)
        else:
            # The document's lexicon is learnt here, from every page, and sent once to each worker.
            shared = {"lexicon": Lexicon.for_pages(pages, language=language), "page_sizes": sizes, "learned": learned}
            flags = _batch_flags(batch, heuristic_flags, [(run,) for run in batch.chunks(pages)], shared)
        return _keep(key, flags)
    if not collection.has_gold(document):
        raise CorpusError(f"{document.manifest_path}: document {document.id!r} has no gold to flag against")
    golds = collection.gold_pages(document)
    line_hyphens = document.gold_line_hyphens
    key = _cache_key("gold", document.id, pages, [repr(gold) for gold in golds] + [line_hyphens.value])
    cached = _cached(key)
    if cached is not None:
        return cached
    markings = [m for gold in golds for m in gold.markings]
    if batch is not None:
        runs = batch.chunks(list(zip(pages, golds, strict=True)))
        flags = _batch_flags(batch, _gold_run, [([p for p, _ in run], [g for _, g in run]) for run in runs],
                             {"document_markings": markings, "line_hyphens": line_hyphens})
    else:
        flags = _gold_run(pages, golds, document_markings=markings, line_hyphens=line_hyphens)
    return _keep(key, flags)


@functools.cache
def flagger_version() -> str:
    """The version of the flaggers a cached flag was made by: SHA-256 of the source of every workbench module
    this one imports, directly or not (wherever in a module the import stands), of the package's data
    files, and of the versions of the data distributions it reads. Editing any code the flaggers can run is
    a new version; editing the app or the command line is not."""
    package = Path(workbench.__file__).parent
    files = set(_imported_sources(package, Path(__file__)))
    files.update(p for p in (package / "data").rglob("*") if p.is_file())
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(str(path.relative_to(package)).encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    for name in _DATA_DISTRIBUTIONS:
        try:
            digest.update(f"{name}={importlib.metadata.version(name)}\0".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{name}=absent\0".encode())
    return digest.hexdigest()


def _imported_sources(package: Path, start: Path) -> list[Path]:
    """The source files of `start` and of every workbench module it imports, followed through the imports of
    each (read from the source, so imports inside functions count), with the packages that hold them."""
    seen: set[Path] = set()
    todo = [start]
    while todo:
        path = todo.pop()
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] != "workbench":
                    continue
                for depth in range(1, len(parts) + 1):  # the module, and each package on the way to it
                    where = package.joinpath(*parts[1:depth])
                    todo += [where.with_suffix(".py"), where / "__init__.py"]
    return sorted(seen)


# Every field of a page, of its words and of their boxes, by name (so a field added later is in the key too).
# A page's words are read column by column, each column one `map` of an attrgetter packed into bytes at
# C speed (`_column_bytes`): the repr of every word took 0.6 ms a page, twice a report.
_PAGE_FIELDS = tuple(attrgetter(f.name) for f in fields(OcrPage) if f.name != "words")
_WORD_FIELDS = tuple(attrgetter(f.name) for f in fields(OcrWord) if f.name != "box")
_BOX_FIELDS = tuple(attrgetter(f.name) for f in fields(Box))
_WORD_BOX = attrgetter("box")


def _column_bytes(values: list) -> bytes:
    """`values` as bytes that tell them apart, tagged with their kind and length: whole numbers as 64-bit
    integers, other numbers as doubles, texts as their lengths and UTF-8, anything else (None among them)
    as its repr."""
    blob = b""
    for code in ("q", "d"):
        try:
            blob = code.encode() + array(code, values).tobytes()
            break
        except (TypeError, OverflowError):
            continue
    else:
        try:
            joined = "".join(values)
            blob = b"s" + array("q", map(len, values)).tobytes() + joined.encode("utf-8", "surrogatepass")
        except TypeError:
            blob = b"r" + repr(values).encode("utf-8")
    return len(blob).to_bytes(8, "little") + blob


def _page_record(page: OcrPage) -> bytes:
    """Every field of `page` (text, engine, options) and of each of its words and their boxes, as bytes:
    equal records mean equal pages."""
    words = page.words
    boxes = list(map(_WORD_BOX, words))
    if any(box is None for box in boxes):
        box_columns = [[None if box is None else get(box) for box in boxes] for get in _BOX_FIELDS]
    else:
        box_columns = [list(map(get, boxes)) for get in _BOX_FIELDS]
    head = repr([get(page) for get in _PAGE_FIELDS]).encode("utf-8")
    columns = [list(map(get, words)) for get in _WORD_FIELDS] + box_columns
    return b"".join([len(head).to_bytes(8, "little"), head, *map(_column_bytes, columns)])


def _recent_record(page: OcrPage) -> bytes:
    """`_page_record(page)`, kept for the pages seen last: a report keys the gold and the no-gold flags of the
    same pages (the same objects), one after the other."""
    return _RECENT_RECORDS.get_or_make(page, lambda: _page_record(page))


_RECENT_RECORDS: IdentityMemo[bytes] = IdentityMemo(256)


def _cache_key(kind: str, doc_id: str, pages: Sequence[OcrPage], inputs: list) -> str:
    """The cache key of a document's flags of `kind` made from `pages` (`_page_record`) and the other `inputs`
    (reprs of frozen records and plain values, which spell out every field)."""
    digest = hashlib.sha256(f"{FLAG_CACHE_FORMAT}\0{flagger_version()}\0{kind}\0{doc_id}\0".encode())
    for page in pages:
        digest.update(_recent_record(page) + b"\0")
    digest.update(repr(inputs).encode("utf-8"))
    return digest.hexdigest()


def _cache_path(key: str) -> Path:
    # Imported here: workbench.ocr.options reaches this module through the corpus, and ocr.cache imports it.
    from workbench.ocr.cache import default_root

    return default_root() / "flags" / key[:2] / f"{key}.json"


def _cached(key: str | None) -> list[Flag] | None:
    """The flags kept under `key`, or None (no key, no entry, or a damaged one)."""
    if key is None:
        return None
    try:
        data = json.loads(_cache_path(key).read_text(encoding="utf-8"))
        if data.get("format") != FLAG_CACHE_FORMAT or data.get("key") != key:
            return None
        if data.get("fields") != list(_FLAG_ROW):
            return None
        return [_flag_from_json(item) for item in data["flags"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _keep(key: str | None, flags: list[Flag]) -> list[Flag]:
    """`flags`, kept under `key` first (when there is one; a cache that cannot be written is no error)."""
    if key is not None:
        try:
            path = _cache_path(key)
            path.parent.mkdir(parents=True, exist_ok=True)
            rows = [_flag_to_json(f) for f in flags]
            entry = {"format": FLAG_CACHE_FORMAT, "key": key, "fields": list(_FLAG_ROW), "flags": rows}
            # compact: a cache entry is read by this module only, and indented rows took longer to read
            atomic_write_text(path, json.dumps(entry, ensure_ascii=False, separators=(",", ":")))
        except OSError:
            pass
    return flags


# A flag's fields in the order a cached row holds them (FLAG_CACHE_FORMAT 2: rows, not objects, so that
# a document's 4,000 flags load in half the time).
_FLAG_ROW = ("document", "page", "start", "end", "text", "category", "suggestions", "confidence", "boxes", "source")
_CATEGORIES = {category.value: category for category in FlagCategory}
_SOURCES = {source.value: source for source in FlagSource}


def _flag_to_json(flag: Flag) -> list:
    return [
        flag.document, flag.page, flag.start, flag.end, flag.text, flag.category.value, list(flag.suggestions),
        flag.confidence, [[b.left, b.top, b.right, b.bottom] for b in flag.boxes], flag.source.value,
    ]


def _flag_from_json(row: list) -> Flag:
    document, page, start, end, text, category, suggestions, confidence, boxes, source = row
    return Flag(
        document, page, start, end, text, _CATEGORIES[category], tuple(suggestions), confidence,
        tuple(starmap(Box, boxes)), _SOURCES[source],
    )


def _gold_run(
    pages: Sequence[OcrPage], golds: Sequence, *, document_markings: Sequence, line_hyphens: LineHyphens
) -> list[Flag]:
    """The gold-diff flags of a run of pages (a batch task, or the whole document)."""
    # the document's markings folded into the stamp vocabulary once, not once a page (gold_flags would)
    vocabulary = marking_vocabulary(document_markings)
    flags: list[Flag] = []
    for page, gold in zip(pages, golds, strict=True):
        flags.extend(gold_flags(page, gold, vocabulary=vocabulary, line_hyphens=line_hyphens))
    return flags


def _batch_flags(batch: Batch, function, runs: list[tuple], shared: dict) -> list[Flag]:
    """`function` over runs of pages where `batch` runs; the flags in page order."""
    tasks = [Task(f"pages {run[0][0].number}-{run[0][-1].number}", run) for run in runs]
    return [flag for flags in batch.map_all(function, tasks, shared=shared) for flag in flags]
