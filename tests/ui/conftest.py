"""A tiny collection the UI tests can own: two documents with scans, OCR word boxes, and gold for one."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from workbench.corpus import Collection, write_manifest
from workbench.fsutil import sha256_file
from workbench.models import Box, Document, OcrPage, OcrWord, PageRef
from workbench.ocr.store import save_ocr_page

# A stray character on every line (three pages, no gold): two deleted teach a deletion group of the other four.
NOISY_PAGES = [
    ["The minister said » that we must meet", "and the delegates ~ agreed on a treaty."],
    ["The committee met | where the embassy", "was, and they said ¢ the minister had left."],
    ["The ministers agreed » that we should go", "to the conference ~ with the others."],
]

# Page 1 of the memo: OCR lines as read, and the gold (body plus a classification marking).
MEMO_OCR = ["C0NFIDENTIAL", "The Treaty commits the US and Japan", "to recognise an arned attack <script>"]
MEMO_GOLD_BODY = "The Treaty commits the US and Japan to recognize an armed attack\n"
MEMO_MARKINGS = (
    '{"page": 1, "markings": [{"text": "CONFIDENTIAL", "kind": "classification", '
    '"zone": "top", "placement": "top-center"}]}'
)


def ocr_page(document: str, number: int, lines: list[str]) -> OcrPage:
    """An OCR page whose words sit on a simple grid: 40 px per line, 12 px per character."""
    text = "\n".join(lines)
    words, offset = [], 0
    for line_number, line in enumerate(lines):
        column = 0
        for part in line.split(" "):
            if part:
                left, top = 40 + 12 * column, 40 + 40 * line_number
                words.append(
                    OcrWord(part, offset + column, offset + column + len(part), conf=90.0,
                            box=Box(left, top, left + 12 * len(part), top + 30), line=line_number)
                )
            column += len(part) + 1
        offset += len(line) + 1
    return OcrPage(document=document, number=number, text=text, words=tuple(words), engine="test")


def make_document(collection: Collection, doc_id: str, pages: list[list[str]], *, gold: bool) -> Document:
    folder = collection.document_dir(doc_id)
    folder.mkdir(parents=True)
    refs = []
    for number, lines in enumerate(pages, start=1):
        image = Image.new("L", (600, 60 + 40 * len(lines)), 255)
        draw = ImageDraw.Draw(image)
        for index, line in enumerate(lines):
            draw.text((40, 45 + 40 * index), line, fill=0)
        scan = folder / f"page-{number:03d}.png"
        image.save(scan)
        refs.append(PageRef(doc_id, number, scan, sha256_file(scan)))
        save_ocr_page(collection, ocr_page(doc_id, number, lines))
    document = Document(
        id=doc_id, title=f"Test {doc_id}", pages=tuple(refs), variant="clean",
        gold=doc_id if gold else None, manifest_path=folder / "manifest.json",
    )
    write_manifest(document, folder / "manifest.json")
    return document


@pytest.fixture
def ui_collection(tmp_path, monkeypatch):
    """WORKBENCH_HOME with `memo-1975` (2 pages, gold, one classification marking) and `notes` (no gold)."""
    collection = Collection(tmp_path / "ui-collection")
    (collection.scans).mkdir(parents=True)
    make_document(collection, "memo-1975", [MEMO_OCR, ["Second page text."]], gold=True)
    gold = collection.gold_dir("memo-1975")
    gold.mkdir(parents=True)
    (gold / "page-001.txt").write_text(MEMO_GOLD_BODY, encoding="utf-8")
    (gold / "page-001.markings.json").write_text(MEMO_MARKINGS, encoding="utf-8")
    (gold / "page-002.txt").write_text("Second page text.\n", encoding="utf-8")
    make_document(collection, "notes", [["Handwritten nctes of the meeting", "on 12 Novembcr 1974."]], gold=False)
    monkeypatch.setenv("WORKBENCH_HOME", str(collection.home))
    return collection
