"""The OCR committed under transcripts/ocr agrees with itself and with the committed scans."""

from __future__ import annotations

import pytest

from tests.conftest import REPO_ROOT
from workbench.corpus import Collection
from workbench.ocr.importers.hocr import read_hocr
from workbench.ocr.store import hocr_path, load_ocr_page

COLLECTION = Collection(REPO_ROOT)
TESSERACT_DOCS = sorted(
    p.name
    for p in (COLLECTION.transcripts / "ocr").glob("*")
    if p.is_dir() and any(p.glob("page-*.hocr")) and COLLECTION.manifest_path(p.name).exists()
)


@pytest.mark.parametrize("doc_id", TESSERACT_DOCS)
def test_stored_hocr_gives_the_stored_text_and_words(doc_id):
    document = COLLECTION.document(doc_id)
    for ref in document.pages:
        page = load_ocr_page(COLLECTION, doc_id, ref.number)
        if not page.engine.startswith("tesseract"):
            continue
        (from_hocr,) = read_hocr(hocr_path(COLLECTION, doc_id, ref.number).read_bytes(), source=doc_id)
        assert from_hocr.text == page.text
        assert from_hocr.words == page.words


@pytest.mark.parametrize("doc_id", TESSERACT_DOCS)
def test_stored_ocr_was_made_from_the_committed_scans(doc_id):
    document = COLLECTION.document(doc_id)
    for ref in document.pages:
        page = load_ocr_page(COLLECTION, doc_id, ref.number)
        if ref.sha256 and page.engine.startswith("tesseract"):
            assert page.options["image_sha256"] == ref.sha256, (
                f"{ref.scan} changed since its OCR was stored: run `workbench ocr {doc_id}` and commit "
                f"transcripts/ocr/{doc_id}"
            )
