"""The stored OCR of a document: what every later step (metrics, flags, review, export) reads.

Per page, under `transcripts/ocr/DOC/`:
    page-NNN.txt         the page text as read, lines kept; flags and words point into it by character offset
    page-NNN.words.json  engine, options and the word records (text, offsets, confidence, box, line ids)
    page-NNN.hocr        the engine's own hOCR, when it made one
"""

from __future__ import annotations

import json
from pathlib import Path

from workbench.corpus import Collection, page_stem
from workbench.errors import InputError
from workbench.fsutil import atomic_write_json, atomic_write_text, read_utf8
from workbench.models import Box, Document, OcrPage, OcrWord

WORDS_FORMAT = 1


def text_path(collection: Collection, doc_id: str, number: int) -> Path:
    """Where page `number`'s OCR text is stored."""
    return collection.ocr_dir(doc_id) / f"{page_stem(number)}.txt"


def words_path(collection: Collection, doc_id: str, number: int) -> Path:
    """Where page `number`'s OCR word records are stored."""
    return collection.ocr_dir(doc_id) / f"{page_stem(number)}.words.json"


def has_ocr(collection: Collection, document: Document) -> bool:
    """True when every page of `document` has stored OCR text."""
    return all(text_path(collection, document.id, p.number).exists() for p in document.pages)


def hocr_path(collection: Collection, doc_id: str, number: int) -> Path:
    """Where page `number`'s hOCR is stored (when the engine made one)."""
    return collection.ocr_dir(doc_id) / f"{page_stem(number)}.hocr"


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
    return OcrWord(
        text=data["text"],
        start=data["start"],
        end=data["end"],
        conf=data.get("conf"),
        box=Box(*data["box"]) if data.get("box") else None,
        line=data.get("line", 0),
        paragraph=data.get("paragraph", 0),
        block=data.get("block", 0),
    )


def save_ocr_page(collection: Collection, page: OcrPage, *, hocr: str | None = None) -> None:
    """Store one page's OCR (text, words, optional hOCR), each file written atomically.

    The words file is written last: a page counts as done only once its words are in place. Saving
    without hOCR removes an older page's hOCR, which would no longer match the text.
    """
    for word in page.words:
        if page.text[word.start : word.end] != word.text:
            raise ValueError(f"word {word.text!r} does not stand at {word.start}:{word.end} of the page text")
    if hocr is not None:
        atomic_write_text(hocr_path(collection, page.document, page.number), hocr)
    else:
        hocr_path(collection, page.document, page.number).unlink(missing_ok=True)
    atomic_write_text(text_path(collection, page.document, page.number), page.text)
    atomic_write_json(
        words_path(collection, page.document, page.number),
        {
            "format": WORDS_FORMAT,
            "document": page.document,
            "page": page.number,
            "engine": page.engine,
            "options": page.options,
            "words": [word_to_json(w) for w in page.words],
        },
    )


def load_ocr_page(collection: Collection, doc_id: str, number: int) -> OcrPage:
    """One page's stored OCR; a text-only page (no words file) has no words. InputError when missing."""
    txt = text_path(collection, doc_id, number)
    if not txt.exists():
        raise InputError(
            f"{txt}: no OCR for page {number} of {doc_id!r} "
            f"(run `workbench ocr {doc_id}` on its scans, or `workbench import-ocr {doc_id} FILE...`)"
        )
    text = read_utf8(txt, what="OCR text")
    meta_path = words_path(collection, doc_id, number)
    if not meta_path.exists():
        return OcrPage(document=doc_id, number=number, text=text)
    try:
        meta = json.loads(read_utf8(meta_path, what="OCR words"))
        words = tuple(word_from_json(w) for w in meta["words"])
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise InputError(f"{meta_path}: malformed OCR words file ({error})") from None
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
