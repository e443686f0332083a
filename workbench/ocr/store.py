"""The stored OCR of a document: what every later step (metrics, flags, review, export) reads.

Per page, under `transcripts/ocr/DOC/`:
    page-NNN.txt         the page text as read, lines kept; flags and words point into it by character offset
    page-NNN.words.json  engine, options and the word records (text, offsets, confidence, box, line ids)
    page-NNN.hocr        the engine's own hOCR, when it made one
    page-NNN.source      the bytes of the OCR file the page was imported from (hOCR, ALTO, PAGE XML), kept so
                         that corrections can be written back into it (`workbench export --into-source`)
    page-NNN.previous.txt  the text the latest save replaced, when it changed: what decisions made before
                         the OCR was run again point into (`workbench reanchor` moves them onto the new text)

A page's files are replaced together (`save_ocr_page`): the new files are first written beside the old ones
as hidden temporary files, then a small journal `.page-NNN.pending.json` naming them is written atomically
(the moment the new set counts), then they are renamed into place and the journal removed. A process killed
before the journal leaves the old set; killed after it, readers already read the new set through the
journal, and the next save of the page completes it. The words file records the SHA-256 of the text it
belongs to, and loading checks the words against the text, so a mismatched pair is refused, not used.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

from workbench.corpus import Collection, page_stem
from workbench.errors import InputError
from workbench.fsutil import atomic_write_json, file_identity, fsync_dir, read_utf8, stage_bytes
from workbench.models import Box, Document, OcrPage, OcrWord

WORDS_FORMAT = 1
PENDING_SUFFIX = ".pending.json"


def text_path(collection: Collection, doc_id: str, number: int) -> Path:
    """Where page `number`'s OCR text is stored."""
    return collection.ocr_dir(doc_id) / f"{page_stem(number)}.txt"


def words_path(collection: Collection, doc_id: str, number: int) -> Path:
    """Where page `number`'s OCR word records are stored."""
    return collection.ocr_dir(doc_id) / f"{page_stem(number)}.words.json"


def pending_path(collection: Collection, doc_id: str, number: int) -> Path:
    """The journal of a save of page `number` that has not finished renaming its files into place."""
    return collection.ocr_dir(doc_id) / f".{page_stem(number)}{PENDING_SUFFIX}"


def has_ocr(collection: Collection, document: Document) -> bool:
    """True when every page of `document` has stored OCR text."""
    # One listing of the folder instead of a question or two to the file system per page (the app asks on
    # every rerun); a page with an unfinished save is looked up as a reader would find it.
    present = _present_names(collection.ocr_dir(document.id))
    for page in document.pages:
        stem = page_stem(page.number)
        if f".{stem}{PENDING_SUFFIX}" in present:
            if not _current(collection, document.id, page.number, "txt").exists():
                return False
        elif f"{stem}.txt" not in present:
            return False
    return True


def _present_names(folder: Path) -> set[str]:
    """The names in `folder` that exist (a symbolic link only when what it points to does); none when the
    folder does not exist."""
    try:
        with os.scandir(folder) as entries:
            return {e.name for e in entries if not e.is_symlink() or os.path.exists(e.path)}
    except (FileNotFoundError, NotADirectoryError):
        return set()


def hocr_path(collection: Collection, doc_id: str, number: int) -> Path:
    """Where page `number`'s hOCR is stored (when the engine made one)."""
    return collection.ocr_dir(doc_id) / f"{page_stem(number)}.hocr"


def source_path(collection: Collection, doc_id: str, number: int) -> Path:
    """Where the OCR file page `number` was imported from is kept (when it was imported from one)."""
    return collection.ocr_dir(doc_id) / f"{page_stem(number)}.source"


def previous_text_path(collection: Collection, doc_id: str, number: int) -> Path:
    """Where the OCR text that page `number`'s latest save replaced is kept."""
    return collection.ocr_dir(doc_id) / f"{page_stem(number)}.previous.txt"


def load_previous_text(collection: Collection, doc_id: str, number: int) -> str | None:
    """The OCR text page `number` had before its latest save changed it; None when it never changed."""
    path = _current(collection, doc_id, number, "previous.txt")
    return read_utf8(path, what="previous OCR text") if path.exists() else None


def load_ocr_source(collection: Collection, doc_id: str, number: int) -> bytes | None:
    """The bytes of the OCR file page `number` was imported from, as kept with its stored OCR; None when
    the page was not imported from a file (or was OCR'd again since, which removes it)."""
    path = _current(collection, doc_id, number, "source")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def word_to_json(word: OcrWord) -> dict:
    """The JSON form of a word record, as stored in `page-NNN.words.json`."""
    return {
        "text": word.text,
        "start": word.start,
        "end": word.end,
        "conf": word.conf,
        "box": [word.box.left, word.box.top, word.box.right, word.box.bottom] if word.box else None,
        "line": word.line,
        "paragraph": word.paragraph,
        "block": word.block,
    }


def word_from_json(data: dict) -> OcrWord:
    """A word record from its JSON form; KeyError/TypeError when it is malformed."""
    # positional, in OcrWord's field order: a page has hundreds of words, read on every load
    box = data.get("box")
    return OcrWord(
        data["text"],
        data["start"],
        data["end"],
        data.get("conf"),
        Box(*box) if box else None,
        data.get("line", 0),
        data.get("paragraph", 0),
        data.get("block", 0),
    )


def words_from_json(records: list[dict]) -> tuple[OcrWord, ...]:
    """The word records of a words file's `words` list (`word_from_json` of each); KeyError/TypeError when
    one is malformed."""
    # one comprehension, not a call per word: a page has hundreds, and a report reads every page
    word, box = OcrWord, Box
    return tuple(
        word(
            d["text"],
            d["start"],
            d["end"],
            d.get("conf"),
            box(*b) if (b := d.get("box")) else None,
            d.get("line", 0),
            d.get("paragraph", 0),
            d.get("block", 0),
        )
        for d in records
    )


def save_ocr_page(
    collection: Collection, page: OcrPage, *, hocr: str | bytes | None = None, source: bytes | None = None
) -> None:
    """Store one page's OCR (text, words, optional hOCR, optional source file) as one set: a reader sees the
    old set or the new one.

    hOCR is kept as given (bytes keep the source's own encoding), and so is `source`, the OCR file the page
    was imported from. Saving without them removes an older page's, which would no longer match the text.
    See the module's docstring for how the set is replaced.
    """
    for word in page.words:
        if page.text[word.start : word.end] != word.text:
            raise ValueError(f"word {word.text!r} does not stand at {word.start}:{word.end} of the page text")
    doc_id, number = page.document, page.number
    text = page.text.encode("utf-8")
    words = {
        "format": WORDS_FORMAT,
        "document": doc_id,
        "page": number,
        "engine": page.engine,
        "options": page.options,
        "text_sha256": hashlib.sha256(text).hexdigest(),
        "words": [word_to_json(w) for w in page.words],
    }
    new_files = {
        text_path(collection, doc_id, number): text,
        words_path(collection, doc_id, number): (json.dumps(words, indent=2, ensure_ascii=False) + "\n").encode(),
    }
    if hocr is not None:
        new_files[hocr_path(collection, doc_id, number)] = hocr.encode("utf-8") if isinstance(hocr, str) else hocr
    if source is not None:
        new_files[source_path(collection, doc_id, number)] = source
    folder = collection.ocr_dir(doc_id)
    folder.mkdir(parents=True, exist_ok=True)
    with _page_lock(folder):
        _finish_pending(collection, doc_id, number)
        replaced = text_path(collection, doc_id, number)
        if replaced.exists() and replaced.read_bytes() != text:
            # kept so decisions made on the old text can be moved onto the new one (`workbench.reanchor`)
            new_files[previous_text_path(collection, doc_id, number)] = replaced.read_bytes()
        for orphan in folder.glob(f".{page_stem(number)}.*.tmp"):  # left by a save killed before its journal
            orphan.unlink(missing_ok=True)
        staged: list[Path] = []
        try:
            for final, data in new_files.items():
                staged.append(stage_bytes(final, data))
            journal = {
                "replace": [[tmp.name, final.name] for tmp, final in zip(staged, new_files, strict=True)],
                "remove": [
                    path(collection, doc_id, number).name
                    for path, given in ((hocr_path, hocr), (source_path, source))
                    if given is None
                ],
            }
            atomic_write_json(pending_path(collection, doc_id, number), journal)
        except BaseException:
            for tmp in staged:
                tmp.unlink(missing_ok=True)
            raise
        _finish_pending(collection, doc_id, number)


@contextlib.contextmanager
def _page_lock(folder: Path) -> Iterator[None]:
    # One writer at a time per document folder, across processes (a lock on the folder itself, so no lock
    # file is left in it): a temporary file found while holding the lock belongs to no live writer.
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _journal(collection: Collection, doc_id: str, number: int) -> dict | None:
    try:
        journal = json.loads(pending_path(collection, doc_id, number).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # no journal, or one cut short before its atomic rename (impossible) or damaged: old set
    return journal if isinstance(journal, dict) else None


def _finish_pending(collection: Collection, doc_id: str, number: int) -> None:
    """Complete an interrupted save of page `number`: rename its staged files into place, remove what it
    removes, then drop its journal. Each step can be repeated, so an interrupted finish is finished later."""
    journal = _journal(collection, doc_id, number)
    folder = collection.ocr_dir(doc_id)
    if journal is not None:
        for tmp_name, final_name in journal.get("replace", []):
            with contextlib.suppress(FileNotFoundError):  # renamed by the finish that was interrupted
                os.replace(folder / tmp_name, folder / final_name)
        for name in journal.get("remove", []):
            (folder / name).unlink(missing_ok=True)
        fsync_dir(folder)
    pending_path(collection, doc_id, number).unlink(missing_ok=True)


def _current(collection: Collection, doc_id: str, number: int, kind: str) -> Path:
    """Where a reader finds page `number`'s file of `kind` ("txt", "words.json"): the staged file when an
    unfinished save names it (the new set counts from its journal on), else the file in place."""
    final = collection.ocr_dir(doc_id) / f"{page_stem(number)}.{kind}"
    journal = _journal(collection, doc_id, number) if pending_path(collection, doc_id, number).exists() else None
    for tmp_name, final_name in (journal or {}).get("replace", []):
        staged = final.parent / tmp_name
        if final_name == final.name and staged.exists():
            return staged
    return final


def _current_text(collection: Collection, doc_id: str, number: int) -> Path:
    """The text file of the set that counts for page `number` (see `_current`); InputError when none."""
    txt = _current(collection, doc_id, number, "txt")
    if not txt.exists():
        txt = text_path(collection, doc_id, number)
        raise InputError(
            f"{txt}: no OCR for page {number} of {doc_id!r} "
            f"(run `workbench ocr {doc_id}` on its scans, or `workbench import-ocr {doc_id} FILE...`)"
        )
    return txt


def load_ocr_text(collection: Collection, doc_id: str, number: int) -> str:
    """Page `number`'s stored OCR text alone, for readers that use no word record (scoring): the text of
    the set that counts, the same `load_ocr_page` reads (an unfinished save's once its journal is written).
    The words file is not read, so nor is it checked against the text: every reader of words goes through
    `load_ocr_page`, which refuses a mismatched pair. InputError when the page has no OCR."""
    return read_utf8(_current_text(collection, doc_id, number), what="OCR text")


def load_ocr_page(collection: Collection, doc_id: str, number: int) -> OcrPage:
    """One page's stored OCR; a text-only page (no words file) has no words. InputError when missing, or
    when the words do not belong to the text (a pair left by an older, interrupted writer)."""
    txt = _current_text(collection, doc_id, number)
    text = read_utf8(txt, what="OCR text")
    meta_path = _current(collection, doc_id, number, "words.json")
    if not meta_path.exists():
        return OcrPage(document=doc_id, number=number, text=text)
    try:
        meta = json.loads(read_utf8(meta_path, what="OCR words"))
        words = words_from_json(meta["words"])
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise InputError(f"{meta_path}: malformed OCR words file ({error})") from None
    # The checksum of the text as `save_ocr_page` wrote it (UTF-8, no byte-order mark), so the text read
    # above is checked without reading its file again; absent in files written before it was recorded.
    recorded = meta.get("text_sha256")
    if (recorded is not None and recorded != hashlib.sha256(text.encode("utf-8")).hexdigest()) or any(
        text[w.start : w.end] != w.text for w in words
    ):
        raise InputError(
            f"{words_path(collection, doc_id, number)}: OCR words do not belong to {page_stem(number)}.txt "
            f"(left by an interrupted write?); run `workbench ocr {doc_id}` or `workbench import-ocr` again"
        )
    return OcrPage(
        document=doc_id,
        number=number,
        text=text,
        words=words,
        engine=meta.get("engine", ""),
        options=meta.get("options", {}),
    )


def load_ocr_pages(collection: Collection, document: Document) -> list[OcrPage]:
    """The stored OCR of every page of `document`, in page order."""
    return [load_ocr_page(collection, document.id, p.number) for p in document.pages]


def text_file_identities(collection: Collection, doc_id: str, page_count: int) -> tuple[tuple, frozenset[int]]:
    """Per page 1..`page_count`, the `fsutil.file_identity` of its stored OCR text file (None without OCR),
    and the pages with an unfinished save (whose text is read through its journal, `load_ocr_text`).

    One listing of the folder, no path built per page: what a reader that keeps pages' texts in memory (the
    search index) checks on every use, over 10,000 pages.
    """
    files: dict[str, tuple] = {}
    pending: set[int] = set()
    try:
        with os.scandir(collection.ocr_dir(doc_id)) as listing:
            for entry in listing:
                name = entry.name
                if name.endswith(PENDING_SUFFIX) and name.startswith(".page-"):
                    number = name.removeprefix(".page-").removesuffix(PENDING_SUFFIX)
                    if number.isdigit():
                        pending.add(int(number))
                elif name.startswith("page-") and name.count(".") == 1 and name.endswith(".txt"):
                    files[name] = file_identity(entry.stat())
    except FileNotFoundError:
        pass
    return tuple(files.get(f"{page_stem(n)}.txt") for n in range(1, page_count + 1)), frozenset(pending)
