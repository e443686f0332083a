"""Search and replace across the collection: every line of every document, as it reads now.

A search runs over the corrected text of each OCR line, the text the Transcribe page shows and a line edit
is made against (`transcript.transcribed_lines`: the OCR with the reviewers' line edits and the flag
decisions inside the line applied). A pattern is plain text, a regular expression (Python's `re`), or a
word or phrase matched within K edits (Levenshtein, word by word runs of the phrase's length). Each hit
names its document, page, line (1-based, as in `transcripts/ocr/DOC/page-NNN.txt`) and its span in the line.

A replacement is first a plan (`plan_replace`: each line before and after, nothing written) and then one
batch of line edits (`apply_plan`) in the reviewer's name, undone as one (`review.undo_line_batch`, or
`workbench review DOC --undo-last`). Each line is checked against what the plan saw: a line that another
reviewer changed since (its text or its line version differ) is refused, that line only, and named.

The index: each page's stored OCR text is kept in memory, keyed by the text file's size, modification time
and inode (a new OCR run rewrites the file, so the key changes), with each document's lines joined into one
string so that one `re` scan covers a document; a regex is looked for by the plain text every match must
hold, a fuzzy word by each word of the document within the budget, and only the lines found are matched
one by one. The lines the reviewers changed are recomputed only for a document whose events changed
(`Store.event_marks`). Both are kept on disk too, one file per document under the workbench cache, so a
new process (each `workbench search` from a script) starts from them. bench/bench_search.py measures it
at 10,000 pages, beside SQLite FTS5 (tokens only, and it would have to follow every decision).
"""

from __future__ import annotations

import array
import bisect
import hashlib
import itertools
import json
import os
import re
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from workbench import settings
from workbench.checksums import RECHECK_SECONDS
from workbench.corpus import Collection, page_stem
from workbench.errors import InputError, ReviewError
from workbench.fsutil import atomic_write_bytes, path_identity, read_utf8
from workbench.models import Box, Decision, DecisionAction, Flag
from workbench.ocr.store import load_ocr_page, load_ocr_text, text_file_identities, text_path
from workbench.ocrlines import ocr_lines
from workbench.store import LineEdit, LineVersionConflict, Store, now

if TYPE_CHECKING:
    from workbench.transcript import TranscribedLine

# The review and transcript packages (and the flagger they import) are imported where a document's
# changed lines are folded or a replacement is written, not here: a search over a collection whose overlays
# the disk index holds needs neither, and `workbench search` from a script pays for each import.

# A word for --fuzzy: letters or digits, with inner apostrophes or hyphens (any script: `\w` is Unicode).
WORD = re.compile(r"\w+(?:['’-]\w+)*")
MAX_FUZZY = 5  # edits: beyond this a fuzzy pattern matches most short words


class SearchMode(StrEnum):
    """How a pattern matches."""

    PLAIN = "plain"
    REGEX = "regex"
    FUZZY = "fuzzy"


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What to look for: the pattern, how it matches (`edits`: the fuzzy budget), in which documents
    (None: all of the collection's), and whether case counts."""

    pattern: str
    mode: SearchMode = SearchMode.PLAIN
    edits: int = 0
    documents: tuple[str, ...] | None = None
    ignore_case: bool = False


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One match: its number in the result (from 1), where it is, the text it matched in the line as the
    line reads now, and the line's version (the line edits it has had, for the conflict check)."""

    number: int
    document: str
    page: int
    line: int
    start: int
    end: int
    text: str
    line_text: str
    ocr: str
    version: int = 0
    edited: bool = False  # the line reads as a reviewer's line edit, not as the OCR

    @property
    def where(self) -> str:
        """`doc page P line L`, for messages."""
        return f"{self.document} page {self.page} line {self.line}"


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The hits of a query, in document, page, line and position order, and how many lines were searched."""

    query: SearchQuery
    hits: tuple[SearchHit, ...]
    lines: int = 0
    pages: int = 0
    documents: tuple[str, ...] = ()
    without_ocr: tuple[tuple[str, int], ...] = ()  # (document, page) of the pages with no OCR yet, not searched

    def __len__(self) -> int:
        return len(self.hits)


@dataclass(frozen=True, slots=True)
class LineChange:
    """What a replacement does to one line: the line as the plan saw it (`before`, at `version`), what it
    will read (`after`), its OCR line, and the numbers of the hits it replaces."""

    document: str
    page: int
    line: int
    ocr: str
    before: str
    after: str
    version: int
    hits: tuple[int, ...]

    @property
    def where(self) -> str:
        return f"{self.document} page {self.page} line {self.line}"


@dataclass(frozen=True, slots=True)
class ReplacePlan:
    """A replacement, line by line, before anything is written (the preview)."""

    query: SearchQuery
    replacement: str
    changes: tuple[LineChange, ...]

    @property
    def hits(self) -> int:
        return sum(len(c.hits) for c in self.changes)


@dataclass(frozen=True, slots=True)
class Refusal:
    """A line of a plan that was not written, and why."""

    change: LineChange
    reason: str


@dataclass(frozen=True, slots=True)
class ReplaceResult:
    """What applying a plan wrote: one batch of line edits (`batch` None when nothing was written), and
    the lines refused because they changed since the preview."""

    batch: str | None
    applied: tuple[LineEdit, ...] = ()
    refused: tuple[Refusal, ...] = field(default_factory=tuple)


# -- the index --------------------------------------------------------------------------------------------


class _Pages(Mapping[int, list[str]]):
    """Each page's OCR lines (page number -> lines), cut from the document's joined text when first asked
    for: a search reads the lines of the pages it has hits on, and the changed lines of a document with
    events, not every line of the collection."""

    def __init__(self, text: str, starts: Sequence[int], firsts: Sequence[int]):
        self._text, self._starts, self._firsts = text, starts, firsts
        self._cut: dict[int, list[str]] = {}

    def __getitem__(self, number: int) -> list[str]:
        lines = self._cut.get(number)
        if lines is None:
            if not 1 <= number <= len(self._firsts):
                raise KeyError(number)
            start = self._starts[self._firsts[number - 1]]
            end = self._starts[self._firsts[number]] - 1 if number < len(self._firsts) else len(self._text)
            lines = self._cut[number] = self._text[start:end].split("\n")
        return lines

    def __iter__(self) -> Iterator[int]:
        return iter(range(1, len(self._firsts) + 1))

    def __len__(self) -> int:
        return len(self._firsts)


@dataclass(frozen=True, slots=True)
class _DocumentText:
    """A document's OCR lines joined by line breaks, with where each line starts and which it is."""

    key: tuple
    text: str
    starts: Sequence[int]  # where each line starts in `text`
    firsts: list[int]  # the index of each page's first line (every page has one: an empty page reads "")
    pages: Mapping[int, list[str]]  # each page's OCR lines
    home: str = ""
    document: str = ""

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def line(self, index: int) -> str:
        """The document's OCR line `index` (from 0), cut from the joined text."""
        end = self.starts[index + 1] - 1 if index + 1 < len(self.starts) else len(self.text)
        return self.text[self.starts[index] : end]

    def place(self, index: int) -> tuple[int, int]:
        """(page, line) of the document's line `index` (from 0)."""
        page = bisect.bisect_right(self.firsts, index)
        return page, index - self.firsts[page - 1] + 1


_PAGES: dict[tuple[str, str, int], tuple[tuple, str]] = {}
_DOCUMENTS: dict[tuple[str, str], _DocumentText] = {}
_CHECKED: dict[tuple[str, str], tuple[tuple, float, tuple]] = {}  # folder key, when checked, files key
_MANIFESTS: dict[tuple[str, str], tuple[tuple | None, int]] = {}  # manifest identity, page count
_WORDS: dict[tuple[str, str], tuple[tuple, frozenset[str]]] = {}
_OVERLAYS: dict[tuple[str, str, str], tuple[tuple, _Overlay]] = {}
_LOCK = threading.Lock()


def forget_index() -> None:
    """Drop the index this process holds in memory (the files on disk stay): as a new process starts."""
    with _LOCK:
        for cache in (_PAGES, _DOCUMENTS, _CHECKED, _MANIFESTS, _WORDS, _OVERLAYS):
            cache.clear()


def _documents(collection: Collection, doc_ids: Sequence[str] | None) -> list[tuple[str, int]]:
    """(id, page count) of each document searched, in order. A manifest is parsed (and checked: CorpusError
    naming the file when it is missing or malformed) only when its file changed since this process, or any
    search before it (the disk index's list of manifests), last read it: a fresh `workbench search` over 100
    documents otherwise spends a third of a second building every page's PageRef it never uses."""
    home = str(collection.home)
    found = []
    listed: dict | None = None  # the disk's list, read at the first manifest this process has not seen
    changed = False
    for doc_id in doc_ids if doc_ids is not None else collection.document_ids():
        key = path_identity(collection.manifest_path(doc_id))
        cached = _MANIFESTS.get((home, doc_id))
        if key is None or cached is None or cached[0] != key:
            if listed is None:
                listed = _read_manifest_list(collection)
            known = listed.get(doc_id)
            if key is not None and known is not None and known[0] == _as_json(key):
                count = known[1]
            else:
                count = collection.document(doc_id).page_count  # CorpusError when missing or malformed
                listed[doc_id] = [key, count]
                changed = True
            cached = _MANIFESTS[(home, doc_id)] = (key, count)
        found.append((doc_id, cached[1]))
    if changed and listed is not None:
        _write_disk(_disk_path(collection, "", "manifests.json"), home, {"documents": listed})
    return found


def _read_manifest_list(collection: Collection) -> dict:
    """The disk index's manifests: document id -> [file identity, page count] as last parsed; {} when none."""
    stored = _read_disk(_disk_path(collection, "", "manifests.json"), str(collection.home))
    documents = stored.get("documents") if stored is not None else None
    if not isinstance(documents, dict):
        return {}
    return {
        doc_id: entry for doc_id, entry in documents.items()
        if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[1], int)
    }


def _files_key(collection: Collection, doc_id: str, page_count: int) -> tuple:
    """The identity of each page's OCR text file, then the numbers of the pages with a save pending."""
    identities, pending = text_file_identities(collection, doc_id, page_count)
    return (*identities, tuple(sorted(pending)))


def _page_text(collection: Collection, doc_id: str, number: int, key: tuple | None, pending: bool) -> str:
    cache_key = (str(collection.home), doc_id, number)
    cached = _PAGES.get(cache_key)
    if cached is not None and cached[0] == key and not pending:
        return cached[1]
    if key is None and not pending:
        return ""  # no OCR yet: nothing to find (the search names the page)
    if pending:  # a save not finished: its journal says which text counts
        text = load_ocr_text(collection, doc_id, number)
    else:
        try:  # the common case without building a Path per page (10,000 of them cost a second)
            with open(os.path.join(str(collection.ocr_dir(doc_id)), f"{page_stem(number)}.txt"), "rb") as file:
                text = file.read().decode("utf-8").removeprefix("\ufeff")
        except (OSError, UnicodeError):
            text = read_utf8(text_path(collection, doc_id, number), what="OCR text")  # its one-line error
    _PAGES[cache_key] = (key, text)
    return text


# The same index kept on disk, so that a new process (each `workbench search` from a script) does not read
# every page and recompute every document's changes again: one file per document under the workbench
# cache (WORKBENCH_CACHE, default WORKBENCH_HOME/.workbench-cache), `search/`. It holds the key it was made
# under, and a file whose key differs, or that cannot be read, is a miss: the index is made again.
DISK_FORMAT = 2


def _disk_path(collection: Collection, doc_id: str, kind: str) -> Path:
    configured = settings.get("WORKBENCH_CACHE")
    root = Path(configured) if configured else collection.home / ".workbench-cache"
    name = hashlib.sha256(f"{collection.home.resolve()}\0{doc_id}".encode()).hexdigest()[:24]
    return root / "search" / f"{name}.{kind}"


def _as_json(value: object) -> object:
    """`value` as JSON gives it back (tuples as lists), so a key read from disk compares equal."""
    return json.loads(json.dumps(value))


def _read_disk(path: Path, key: object) -> dict | None:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != DISK_FORMAT or data.get("key") != _as_json(key):
        return None
    return data


def _write_disk(path: Path, key: object, value: dict) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, json.dumps({"format": DISK_FORMAT, "key": key, **value}).encode("utf-8"))
    except OSError:
        pass  # a cache that cannot be written is only slower


def _made(keys: tuple, home: str, doc_id: str, texts: Sequence[str]) -> _DocumentText:
    pages: dict[int, list[str]] = {}
    firsts: list[int] = []
    count = 0
    for number, text in enumerate(texts, start=1):
        lines = text.split("\n")
        pages[number] = lines
        firsts.append(count)
        count += len(lines)
    all_lines = [line for number in pages for line in pages[number]]
    starts = array.array("q", itertools.accumulate((len(line) + 1 for line in all_lines), initial=0))[:-1]
    return _DocumentText(
        key=keys, text="\n".join(all_lines), starts=starts, firsts=firsts, pages=pages, home=home, document=doc_id
    )


# The document's text on disk: one JSON line (the format, the key, the text's byte length, the index of each
# page's first line), then the line starts as 8-byte integers, then the joined text in UTF-8. Read back with
# no parsing of the text and no list per line (10,000 pages of JSON took most of a cold search).


def _write_text(path: Path, doc: _DocumentText) -> None:
    data = doc.text.encode("utf-8")
    head = {"format": DISK_FORMAT, "key": doc.key, "bytes": len(data), "firsts": doc.firsts, "lines": len(doc.starts)}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        starts = doc.starts if isinstance(doc.starts, array.array) else array.array("q", doc.starts)
        atomic_write_bytes(path, json.dumps(head).encode("utf-8") + b"\n" + starts.tobytes() + data)
    except OSError:
        pass  # a cache that cannot be written is only slower


def _read_text(path: Path, keys: tuple, home: str, doc_id: str, page_count: int) -> _DocumentText | None:
    try:
        raw = path.read_bytes()
        end = raw.index(b"\n")
        head = json.loads(raw[:end])
        if not isinstance(head, dict) or head.get("format") != DISK_FORMAT or head.get("key") != _as_json(keys):
            return None
        firsts, count = head["firsts"], head["lines"]
        starts = array.array("q")
        starts.frombytes(raw[end + 1 : end + 1 + 8 * count])
        text = raw[end + 1 + 8 * count :].decode("utf-8")
    except (OSError, ValueError, KeyError, TypeError):
        return None  # a file cut short or not ours: a miss, made again
    if len(firsts) != page_count or len(starts) != count or len(raw) - (end + 1 + 8 * count) != head.get("bytes"):
        return None
    return _DocumentText(
        key=keys, text=text, starts=starts, firsts=firsts, pages=_Pages(text, starts, firsts), home=home,
        document=doc_id,
    )


def _document_text(collection: Collection, doc_id: str, page_count: int) -> _DocumentText:
    """The document's OCR lines, from the cache while its OCR folder is unchanged.

    The files are listed again when the folder changed (the OCR store writes by atomic rename, which
    changes it) or, for a file edited in place, at the latest `checksums.RECHECK_SECONDS` after the last
    listing, as the app's other caches do.
    """
    cache_key = (str(collection.home), doc_id)
    folder = str(collection.ocr_dir(doc_id))
    with _LOCK:
        folder_key = path_identity(folder)
        checked = _CHECKED.get(cache_key)
        moment = time.monotonic()
        if checked is not None and checked[0] == folder_key and moment - checked[1] < RECHECK_SECONDS:
            keys = checked[2]
        else:
            keys = _files_key(collection, doc_id, page_count)
            _CHECKED[cache_key] = (folder_key, moment, keys)
        cached = _DOCUMENTS.get(cache_key)
        if cached is not None and cached.key == keys:
            return cached
        disk = _disk_path(collection, doc_id, "text.bin")
        made = _read_text(disk, keys, cache_key[0], doc_id, page_count) if not keys[-1] else None
        if made is None:
            pending = set(keys[-1])
            texts = [
                _page_text(collection, doc_id, number, key, number in pending)
                for number, key in enumerate(keys[:-1], start=1)
            ]
            made = _made(keys, cache_key[0], doc_id, texts)
            if not keys[-1]:  # a save in progress is read through its journal, never kept
                _write_text(disk, made)
        _DOCUMENTS[cache_key] = made
        return made


@dataclass(frozen=True, slots=True)
class _Overlay:
    """What the reviewers changed in a document: the lines that read otherwise than the OCR, and every
    line's version (its count of line edit events)."""

    lines: dict[tuple[int, int], tuple[str, bool]]  # (page, line): (what it reads, whether a line edit)
    versions: dict[tuple[int, int], int]


def _overlay(store: Store, doc_id: str, pages: dict[int, list[str]]) -> _Overlay:
    """The lines of a document that its decisions in force and line edits change (`transcribed_lines`)."""
    from workbench.review import QueueFilter, line_states, queue
    from workbench.transcript import rules_for, transcribed_lines

    events = store.decisions(doc_id)
    states = line_states(store, doc_id)
    versions = {key: state.version for key, state in states.items()}
    if not events and not states:
        return _Overlay({}, versions)
    decided_by_page: dict[int, list[tuple[Flag, Decision]]] = {}
    if events:
        stored = store.flags(doc_id, keys=sorted({e.flag_key for e in events}))
        for item in queue(stored, events, QueueFilter(include_stale=True)).items:
            if item.decision is not None:
                decided_by_page.setdefault(item.flag.page, []).append((item.flag, item.decision))
    edits_by_page: dict[int, list[LineEdit]] = {}
    for (page, _line), state in states.items():
        if state.edit is not None:
            edits_by_page.setdefault(page, []).append(state.edit)
    rules = rules_for(store, doc_id)
    changed: dict[tuple[int, int], tuple[str, bool]] = {}
    for page in sorted(set(decided_by_page) | set(edits_by_page)):
        if page not in pages:
            continue
        page_versions = {line: v for (p, line), v in versions.items() if p == page}
        for item in transcribed_lines(
            "\n".join(pages[page]), decided_by_page.get(page, ()), edits_by_page.get(page, ()),
            versions=page_versions, rules=rules,
        ):
            if item.edited or item.text != item.ocr:
                changed[(page, item.number)] = (item.text, item.edited)
    return _Overlay(changed, versions)


def _cached_overlay(
    store: Store, collection: Collection, doc_id: str, doc: _DocumentText, marks: tuple[int, ...] | None
) -> _Overlay:
    """`_overlay`, computed again only when the document's events (`Store.event_marks`) or its OCR changed."""
    if marks is None:
        return _Overlay({}, {})  # nothing logged for the document: every line reads as the OCR
    cache_key = (store.url, str(collection.home), doc_id)
    key = (marks, doc.key)
    cached = _OVERLAYS.get(cache_key)
    if cached is not None and cached[0] == key:
        return cached[1]
    disk = _disk_path(collection, doc_id, "changes.json")
    disk_key = [hashlib.sha256(store.url.encode()).hexdigest(), marks, doc.key]  # no password on disk
    stored = _read_disk(disk, disk_key)
    if stored is not None:
        made = _Overlay(
            {(p, n): (text, bool(edited)) for p, n, text, edited in stored["lines"]},
            {(p, n): v for p, n, v in stored["versions"]},
        )
    else:
        made = _overlay(store, doc_id, doc.pages)
        _write_disk(disk, disk_key, {
            "lines": [[p, n, text, edited] for (p, n), (text, edited) in made.lines.items()],
            "versions": [[p, n, v] for (p, n), v in made.versions.items()],
        })
    _OVERLAYS[cache_key] = (key, made)
    return made


# -- matching ---------------------------------------------------------------------------------------------


def check_query(query: SearchQuery) -> re.Pattern | None:
    """The compiled pattern of a plain or regex query (None for fuzzy); InputError saying what is wrong."""
    if not query.pattern:
        raise InputError("search: give a pattern to look for")
    if "\n" in query.pattern:
        raise InputError("search: a pattern is searched within one line; remove the line break")
    flags = re.IGNORECASE if query.ignore_case else 0
    if query.mode is SearchMode.FUZZY:
        if not 0 <= query.edits <= MAX_FUZZY:
            raise InputError(f"search: --fuzzy takes 0 to {MAX_FUZZY} edits (got {query.edits})")
        if not WORD.findall(query.pattern):
            raise InputError(f"search: {query.pattern!r} has no word to match fuzzily")
        return None
    source = query.pattern if query.mode is SearchMode.REGEX else re.escape(query.pattern)
    try:
        return re.compile(source, flags | re.MULTILINE)
    except re.error as error:
        raise InputError(f"search: {query.pattern!r} is not a regular expression Python reads ({error})") from None


def _regex_spans(pattern: re.Pattern, line: str) -> Iterator[tuple[int, int]]:
    for match in pattern.finditer(line):
        if match.end() > match.start():  # an empty match replaces nothing
            yield match.start(), match.end()


def _fuzzy_spans(query: SearchQuery, line: str) -> Iterator[tuple[int, int]]:
    """Runs of as many words as the pattern has, within `query.edits` edits of it, left to right."""
    fold = str.casefold if query.ignore_case else str
    target = fold(" ".join(WORD.findall(query.pattern)))
    size = len(WORD.findall(query.pattern))
    words = list(WORD.finditer(line))
    index = 0
    while index + size <= len(words):
        run = words[index : index + size]
        candidate = fold(" ".join(w.group() for w in run))
        if Levenshtein.distance(candidate, target, score_cutoff=query.edits) <= query.edits:
            yield run[0].start(), run[-1].end()
            index += size
        else:
            index += 1


def _document_words(doc: _DocumentText) -> frozenset[str]:
    """The distinct words of a document's OCR, made when a fuzzy search first needs them."""
    cached = _WORDS.get((doc.home, doc.document))
    if cached is not None and cached[0] == doc.key:
        return cached[1]
    words = frozenset(WORD.findall(doc.text))
    _WORDS[(doc.home, doc.document)] = (doc.key, words)
    return words


def _near_words(query: SearchQuery, words: frozenset[str]) -> list[str]:
    """The document's words within the fuzzy budget of the pattern's first word (a necessary condition)."""
    first = WORD.findall(query.pattern)[0]
    processor = str.casefold if query.ignore_case else None
    found = process.extract(
        first, words, scorer=Levenshtein.distance, score_cutoff=query.edits, limit=None, processor=processor
    )
    return [word for word, _score, _ in found]


def required_literal(pattern: re.Pattern) -> str | None:
    """The longest run of plain characters (3 or more) every match of `pattern` must contain, read off its
    top-level sequence; None when there is none to rely on (an alternation, a repeat, a parse this
    does not know). Lets a regex be looked for with the fast literal search first."""
    try:
        from re import _parser  # the parser `re` itself uses; any surprise means no shortcut

        parsed = _parser.parse(pattern.pattern, pattern.flags)
        literal = _parser.LITERAL
    except (ImportError, AttributeError, re.error, TypeError):
        return None
    best, run = "", []
    for op, value in list(parsed):
        if op is literal:
            run.append(chr(value))
            continue
        best = max(best, "".join(run), key=len)
        run = []
    best = max(best, "".join(run), key=len)
    return best if len(best) >= 3 else None


def _literal_scan(words: Iterable[str], ignore_case: bool) -> re.Pattern:
    """One pattern finding any of `words` as plain text (a single word uses `re`'s fast literal search)."""
    return re.compile("|".join(map(re.escape, sorted(set(words)))), re.IGNORECASE if ignore_case else 0)


def _candidate_lines(query: SearchQuery, pattern: re.Pattern | None, doc: _DocumentText) -> list[int]:
    """Indexes of the document's OCR lines a match may be on, from scans of the joined text: each word a
    fuzzy match may be (the document's words within the budget of the pattern's first word) or the
    plain text a regex match must hold, looked for as plain text, one word at a time (fast); otherwise the
    pattern itself. The caller matches each candidate line on its own."""
    scans: list[re.Pattern]
    if pattern is None:
        scans = [_literal_scan([word], query.ignore_case) for word in _near_words(query, _document_words(doc))]
    else:
        literal = required_literal(pattern)
        ignore_case = bool(pattern.flags & re.IGNORECASE)
        scans = [_literal_scan([literal], ignore_case) if literal is not None else pattern]
    found: set[int] = set()
    for scan in scans:
        for match in scan.finditer(doc.text):
            first = bisect.bisect_right(doc.starts, match.start()) - 1
            last = bisect.bisect_right(doc.starts, max(match.start(), match.end() - 1)) - 1
            found.update(range(first, last + 1))
    return sorted(found)


def _spans(query: SearchQuery, pattern: re.Pattern | None, line: str) -> list[tuple[int, int]]:
    return list(_regex_spans(pattern, line) if pattern is not None else _fuzzy_spans(query, line))


def search(collection: Collection, store: Store, query: SearchQuery) -> SearchResult:
    """Every hit of `query` in the collection (or its `documents`), numbered from 1 in document, page, line
    and position order; pages without OCR yet are left out and named in `without_ocr`. CorpusError for an
    unknown document; InputError for a bad pattern."""
    pattern = check_query(query)
    documents = _documents(collection, list(query.documents) if query.documents else None)
    doc_ids = [doc_id for doc_id, _ in documents]
    marks = store.event_marks()
    hits: list[SearchHit] = []
    without_ocr: list[tuple[str, int]] = []
    lines_searched = pages_searched = 0
    for doc_id, page_count in documents:
        doc = _document_text(collection, doc_id, page_count)
        overlay = _cached_overlay(store, collection, doc_id, doc, marks.get(doc_id))
        missing = [(doc_id, n) for n, key in enumerate(doc.key[:-1], start=1) if key is None]
        without_ocr.extend(missing)
        lines_searched += doc.line_count - len(missing)
        pages_searched += len(doc.pages) - len(missing)
        found: list[tuple[int, int, int, int, tuple[str, bool] | None, str]] = []
        for index in _candidate_lines(query, pattern, doc):
            page, line = doc.place(index)
            if (page, line) in overlay.lines:
                continue  # searched below, as it reads now
            ocr = doc.line(index)
            for start, end in _spans(query, pattern, ocr):
                found.append((page, line, start, end, None, ocr))
        for (page, line), item in overlay.lines.items():
            for start, end in _spans(query, pattern, item[0]):
                found.append((page, line, start, end, item, doc.pages[page][line - 1]))
        found.sort(key=lambda f: f[:4])
        for page, line, start, end, item, ocr in found:
            text = item[0] if item is not None else ocr
            hits.append(
                SearchHit(
                    number=len(hits) + 1, document=doc_id, page=page, line=line, start=start, end=end,
                    text=text[start:end], line_text=text, ocr=ocr, version=overlay.versions.get((page, line), 0),
                    edited=item is not None and item[1],
                )
            )
    return SearchResult(
        query=query, hits=tuple(hits), lines=lines_searched, pages=pages_searched, documents=tuple(doc_ids),
        without_ocr=tuple(without_ocr),
    )


# -- replacing --------------------------------------------------------------------------------------------


def _replacement_for(query: SearchQuery, pattern: re.Pattern | None, hit: SearchHit, replacement: str) -> str:
    """What one hit becomes: the replacement text, with \\1 or \\g<name> expanded for a regex."""
    if pattern is None or query.mode is not SearchMode.REGEX:
        return replacement
    match = pattern.match(hit.line_text, hit.start)
    if match is None or match.end() != hit.end:
        return replacement
    try:
        return match.expand(replacement)
    except (re.error, IndexError) as error:
        raise InputError(f"search: replacement {replacement!r} does not fit the pattern ({error})") from None


def plan_replace(
    result: SearchResult, replacement: str, *, hits: Iterable[int] | None = None
) -> ReplacePlan:
    """The preview of replacing the hits numbered `hits` (all when None) with `replacement`: each line
    touched, before and after. Nothing is written. ReviewError for a hit number the result has not, or a
    replacement holding a line break."""
    from workbench.review.lines import check_line_text

    check_line_text(replacement)
    pattern = check_query(result.query)
    by_number = {h.number: h for h in result.hits}
    chosen = sorted(set(hits)) if hits is not None else sorted(by_number)
    missing = [n for n in chosen if n not in by_number]
    if missing:
        raise ReviewError(
            f"search: no hit {', '.join(map(str, missing))} (the search found {len(result.hits)}); search again"
        )
    by_line: dict[tuple[str, int, int], list[SearchHit]] = {}
    for number in chosen:
        hit = by_number[number]
        by_line.setdefault((hit.document, hit.page, hit.line), []).append(hit)
    changes = []
    for (document, page, line), line_hits in by_line.items():
        first = line_hits[0]
        text = first.line_text
        for hit in sorted(line_hits, key=lambda h: h.start, reverse=True):  # from the right: spans stay put
            text = text[: hit.start] + _replacement_for(result.query, pattern, hit, replacement) + text[hit.end :]
        if text == first.line_text:
            continue
        changes.append(
            LineChange(
                document=document, page=page, line=line, ocr=first.ocr, before=first.line_text, after=text,
                version=first.version, hits=tuple(h.number for h in line_hits),
            )
        )
    changes.sort(key=lambda c: (c.document, c.page, c.line))
    return ReplacePlan(query=result.query, replacement=replacement, changes=tuple(changes))


def _fresh_text(collection: Collection, doc_id: str, number: int) -> str:
    """A page's stored OCR text as it is on disk now (through a pending save's journal when there is one)."""
    return load_ocr_text(collection, doc_id, number)


def _current_lines(collection: Collection, store: Store, changes: Sequence[LineChange]) -> dict:
    """The lines of the plan as they read now: the OCR read again, the store asked again (one fold per
    document, as the search's own: `transcribed_lines`); (document, page, line) -> TranscribedLine."""
    from workbench.transcript import TranscribedLine

    now_reads: dict[tuple[str, int, int], TranscribedLine] = {}
    for document in sorted({c.document for c in changes}):
        numbers = {c.page for c in changes if c.document == document}
        pages = {number: _fresh_text(collection, document, number).split("\n") for number in numbers}
        changed = _overlay(store, document, pages)
        for page, lines in pages.items():
            for number, ocr in enumerate(lines, start=1):
                text, _edited = changed.lines.get((page, number), (ocr, False))
                now_reads[(document, page, number)] = TranscribedLine(
                    number, ocr, text, version=changed.versions.get((page, number), 0)
                )
    return now_reads


def _refusal(store: Store, change: LineChange, current: TranscribedLine | None) -> Refusal:
    from workbench.review.lines import describe

    if current is None:
        return Refusal(change, f"{change.where}: the OCR has no such line any more")
    events = store.line_edits(change.document, page=change.page, line=change.line)
    who = f" ({describe(events[-1])})" if len(events) > change.version and events else ""
    return Refusal(
        change, f"{change.where} was changed since the preview{who}: it reads {current.text!r} now; not replaced"
    )


def apply_plan(
    collection: Collection, store: Store, plan: ReplacePlan, *, reviewer: str, note: str = ""
) -> ReplaceResult:
    """Write a plan as one batch of line edits in the reviewer's name (exactly the plan's lines and texts).

    Each line is checked first: one that reads otherwise than the plan saw, or has had a line edit since, is
    refused (that line only, named in `refused`) and the others are written. A line another reviewer
    changes while the batch is written is refused the same way.
    """
    from workbench.review import reviewer_name

    reviewer = reviewer_name(reviewer)
    if not plan.changes:
        return ReplaceResult(batch=None)
    current = _current_lines(collection, store, plan.changes)
    refused: list[Refusal] = []
    ready: list[LineChange] = []
    for change in plan.changes:
        line = current.get((change.document, change.page, change.line))
        if line is None or line.text != change.before or line.version != change.version or line.ocr != change.ocr:
            refused.append(_refusal(store, change, line))
        else:
            ready.append(change)
    batch = uuid.uuid4().hex
    stamp = now()
    note = note or f"replace {plan.query.pattern!r} with {plan.replacement!r}"
    while ready:
        events = [
            LineEdit(
                document=c.document, page=c.page, line=c.line, action=DecisionAction.EDIT, ocr=c.ocr,
                before=c.before, text=c.after, reviewer=reviewer, time=stamp, note=note, version=c.version,
                batch=batch,
            )
            for c in ready
        ]
        try:
            applied = store.append_line_edits(events)
        except LineVersionConflict as conflict:
            # Another reviewer got to this line after the check: refuse it alone and write the rest.
            place = (conflict.document, conflict.page, conflict.line)
            lost = next(c for c in ready if (c.document, c.page, c.line) == place)
            ready.remove(lost)
            line = _current_lines(collection, store, [lost]).get(place)
            refused.append(_refusal(store, lost, line))
            continue
        return ReplaceResult(batch=batch, applied=tuple(applied), refused=tuple(refused))
    return ReplaceResult(batch=None, refused=tuple(refused))


def line_box(collection: Collection, hit: SearchHit | LineChange) -> Box | None:
    """The box of a hit's line on the scan (from the OCR's word boxes); None when the OCR has none."""
    page = load_ocr_page(collection, hit.document, hit.page)
    lines = ocr_lines(page)
    return lines[hit.line - 1].box if 1 <= hit.line <= len(lines) else None


def scan_path(collection: Collection, hit: SearchHit | LineChange) -> Path | None:
    """The scan of a hit's page, None when the document has none."""
    document = collection.document(hit.document)
    if not 1 <= hit.page <= document.page_count:
        return None
    scan = document.pages[hit.page - 1].scan
    return scan if scan is not None and scan.exists() else None
