"""Checksums of a document's files, the cache keys of the app's computations."""

from __future__ import annotations

import dataclasses
import time

from workbench import checksums


def test_files_checksum_changes_with_content(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text("one")
    first = checksums.files_checksum([a, tmp_path / "missing.txt"])
    assert first == checksums.files_checksum([a, tmp_path / "missing.txt"])
    a.write_text("three")
    assert checksums.files_checksum([a, tmp_path / "missing.txt"]) != first


def test_document_checksum_follows_atomic_rewrites_of_the_ocr(ui_collection):
    from workbench.ocr.store import load_ocr_page, save_ocr_page

    document = ui_collection.document("memo-1975")
    first = checksums.document_checksum(ui_collection, document)
    assert checksums.document_checksum(ui_collection, document) == first
    page = load_ocr_page(ui_collection, "memo-1975", 2)
    time.sleep(0.02)  # folder times have a coarse clock
    save_ocr_page(ui_collection, dataclasses.replace(page, text="Second page, read again.", words=()))
    assert checksums.document_checksum(ui_collection, document) != first
