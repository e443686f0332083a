"""Document OCR: storage, options recorded, cache, parallel workers and per-page failures.

These use a fake tesseract (tests/ocr/conftest.py) so that they are fast and can make Tesseract crash
or hang on demand; tests/ocr/test_tesseract.py runs the real one.
"""

from __future__ import annotations

import json

import pytest
from PIL import Image

from workbench.errors import OcrError
from workbench.ocr.options import OcrOptions
from workbench.ocr.run import run_ocr
from workbench.ocr.store import load_ocr_page


def test_every_page_is_stored_with_words_hocr_and_options(tmp_collection, small_document, fake_tesseract):
    events = []
    result = run_ocr(tmp_collection, small_document, progress=events.append)
    assert result.ok and result.read == (1, 2, 3) and result.cached == ()
    page = load_ocr_page(tmp_collection, "small", 2)
    assert page.text == "Text of page-002\npsm3\n"
    assert [w.text for w in page.words] == ["Text", "of", "page-002", "psm3"]
    assert page.words[1].conf == 47 and page.words[1].box.left == 100
    assert (page.words[3].line, page.words[3].paragraph, page.words[3].block) == (2, 1, 1)
    assert page.engine == "tesseract 9.9.9-fake"
    assert page.options["lang"] == "eng" and page.options["psm"] == 3 and page.options["oem"] == 3
    assert page.options["preprocessing"] == {"grayscale": True, "binarize": "none", "deskew": False}
    assert page.options["scan"] == "page-002.png" and len(page.options["image_sha256"]) == 64
    assert set(page.options["languages"]) == {"eng"}
    hocr = (tmp_collection.ocr_dir("small") / "page-002.hocr").read_text()
    assert 'image "page-002.png"' in hocr  # the temporary input's path is not recorded
    assert sorted(e.page for e in events) == [1, 2, 3] and events[-1].done == 3 and events[-1].total == 3


def test_every_tesseract_process_is_single_threaded(tmp_collection, small_document, fake_tesseract, monkeypatch):
    monkeypatch.setenv("OMP_THREAD_LIMIT", "4")
    run_ocr(tmp_collection, small_document)
    calls = fake_tesseract.calls("all")
    assert len(calls) == 5 and all(call.endswith("OMP=1") for call in calls)


def test_second_run_of_an_unchanged_document_starts_no_tesseract(tmp_collection, small_document, fake_tesseract):
    run_ocr(tmp_collection, small_document)
    before = fake_tesseract.calls("all")
    text_file = tmp_collection.ocr_dir("small") / "page-001.txt"
    mtime = text_file.stat().st_mtime_ns
    result = run_ocr(tmp_collection, small_document)
    assert result.cached == (1, 2, 3) and result.read == ()
    assert fake_tesseract.calls("all") == before  # not even `tesseract --version`
    assert text_file.stat().st_mtime_ns == mtime  # unchanged output is not rewritten


def test_cache_serves_a_fresh_collection_and_rewrites_its_output(tmp_collection, small_document, fake_tesseract):
    run_ocr(tmp_collection, small_document)
    for path in tmp_collection.ocr_dir("small").iterdir():
        path.unlink()
    result = run_ocr(tmp_collection, small_document)
    assert result.cached == (1, 2, 3) and len(fake_tesseract.calls()) == 3
    assert load_ocr_page(tmp_collection, "small", 3).text == "Text of page-003\npsm3\n"


def test_changed_options_or_image_miss_the_cache(tmp_collection, small_document, fake_tesseract):
    run_ocr(tmp_collection, small_document)
    result = run_ocr(tmp_collection, small_document, options=OcrOptions(psm=6))
    assert result.read == (1, 2, 3)
    assert load_ocr_page(tmp_collection, "small", 1).text.endswith("psm6\n")
    scan = small_document.pages[1].scan
    Image.new("L", (400, 200), 200).save(scan, dpi=(300, 300))
    result = run_ocr(tmp_collection, small_document, options=OcrOptions(psm=6))
    assert result.read == (2,) and result.cached == (1, 3)


def test_changed_language_data_misses_the_cache(tmp_collection, small_document, fake_tesseract):
    run_ocr(tmp_collection, small_document)
    (fake_tesseract.tessdata / "eng.traineddata").write_bytes(b"a retrained english model")
    assert run_ocr(tmp_collection, small_document).read == (1, 2, 3)


def test_a_damaged_cache_entry_is_read_again(tmp_collection, small_document, fake_tesseract, tmp_path):
    run_ocr(tmp_collection, small_document)
    for entry in (tmp_path / "cache" / "pages").rglob("*.json"):
        entry.write_text("{not json")
    assert run_ocr(tmp_collection, small_document).read == (1, 2, 3)


def test_missing_tesseract_is_one_clear_error_and_writes_nothing(tmp_collection, small_document, monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBENCH_TESSERACT", str(tmp_path / "no-such-tesseract"))
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "cache"))
    with pytest.raises(OcrError, match=r"tesseract not found: install tesseract-ocr \(bin/setup does\)"):
        run_ocr(tmp_collection, small_document)
    assert not tmp_collection.ocr_dir("small").exists()


def test_missing_language_is_refused_before_any_page(tmp_collection, small_document, fake_tesseract):
    with pytest.raises(OcrError, match=r"no language data for 'deu' \(installed: eng, osd\)"):
        run_ocr(tmp_collection, small_document, options=OcrOptions(lang="eng+deu"))
    assert fake_tesseract.calls() == []


def _assert_only_complete_pages(collection, doc_id, failed):
    folder = collection.ocr_dir(doc_id)
    names = sorted(p.name for p in folder.iterdir())
    assert not [n for n in names if n.endswith(".tmp") or n.startswith(".")], names
    for number in (1, 2, 3):
        stem = f"page-{number:03d}"
        present = {f"{stem}.txt", f"{stem}.words.json", f"{stem}.hocr"} & set(names)
        assert present == (set() if number in failed else {f"{stem}.txt", f"{stem}.words.json", f"{stem}.hocr"})


def test_tesseract_crash_fails_that_page_only(tmp_collection, small_document, fake_tesseract, monkeypatch):
    monkeypatch.setenv("FAKE_TESSERACT_CRASH", "page-002")
    result = run_ocr(tmp_collection, small_document)
    assert result.read == (1, 3)
    (failure,) = result.failures
    assert failure.page == 2
    assert failure.message.startswith(f"{small_document.pages[1].scan}: tesseract exited with status 139")
    assert "Segmentation fault" in failure.message and "\n" not in failure.message
    _assert_only_complete_pages(tmp_collection, "small", {2})


def test_tesseract_timeout_fails_that_page_only(tmp_collection, small_document, fake_tesseract, monkeypatch):
    monkeypatch.setenv("FAKE_TESSERACT_SLEEP", "page-003")
    result = run_ocr(tmp_collection, small_document, timeout=1)
    assert result.read == (1, 2)
    assert [f.message for f in result.failures] == [
        f"{small_document.pages[2].scan}: tesseract timed out after 1 s (WORKBENCH_OCR_TIMEOUT)"
    ]
    _assert_only_complete_pages(tmp_collection, "small", {3})


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda path: path.write_bytes(b""), "not an image (0 bytes)"),
        (lambda path: path.write_bytes(b"\x89PNG\r\n\x1a\n but then nothing useful"), "not an image the workbench"),
        (lambda path: path.write_bytes(path.read_bytes()[:120]), "corrupt image"),
        (lambda path: path.unlink(), "scan not found"),
    ],
    ids=["zero-byte", "not-an-image", "truncated", "missing"],
)
def test_unreadable_scan_fails_that_page_only(tmp_collection, small_document, fake_tesseract, damage, message):
    scan = small_document.pages[0].scan
    damage(scan)
    result = run_ocr(tmp_collection, small_document)
    assert result.read == (2, 3)
    (failure,) = result.failures
    assert failure.page == 1 and failure.message.startswith(f"{scan}: ") and message in failure.message
    _assert_only_complete_pages(tmp_collection, "small", {1})


def test_decompression_bomb_sized_scan_is_refused(tmp_collection, small_document, fake_tesseract, monkeypatch):
    scan = small_document.pages[2].scan
    Image.new("L", (1000, 1000), 255).save(scan)
    monkeypatch.setenv("WORKBENCH_MAX_IMAGE_PIXELS", "200000")  # the others are 400x200 = 80,000 pixels
    result = run_ocr(tmp_collection, small_document)
    assert result.read == (1, 2)
    (failure,) = result.failures
    assert failure.message.startswith(f"{scan}: image too large")
    assert len(fake_tesseract.calls()) == 2  # the bomb never reached tesseract


def test_a_failed_page_keeps_its_earlier_ocr(tmp_collection, small_document, fake_tesseract, monkeypatch):
    run_ocr(tmp_collection, small_document)
    before = (tmp_collection.ocr_dir("small") / "page-002.words.json").read_text()
    Image.new("L", (400, 200), 128).save(small_document.pages[1].scan)
    monkeypatch.setenv("FAKE_TESSERACT_CRASH", "page-002")
    result = run_ocr(tmp_collection, small_document)
    assert [f.page for f in result.failures] == [2]
    assert (tmp_collection.ocr_dir("small") / "page-002.words.json").read_text() == before


def test_manifest_options_apply_and_are_recorded(tmp_collection, small_document, fake_tesseract):
    manifest = small_document.manifest_path
    data = json.loads(manifest.read_text())
    data["ocr"] = {"psm": 6, "binarize": "otsu"}
    manifest.write_text(json.dumps(data))
    document = tmp_collection.document("small")
    run_ocr(tmp_collection, document)
    page = load_ocr_page(tmp_collection, "small", 1)
    assert page.text.endswith("psm6\n")
    assert page.options["psm"] == 6 and page.options["preprocessing"]["binarize"] == "otsu"


def test_a_language_installed_later_is_found(tmp_collection, small_document, fake_tesseract):
    run_ocr(tmp_collection, small_document)
    with pytest.raises(OcrError, match="no language data for 'deu'"):
        run_ocr(tmp_collection, small_document, options=OcrOptions(lang="eng+deu"))
    (fake_tesseract.tessdata / "deu.traineddata").write_bytes(b"fake german model")
    result = run_ocr(tmp_collection, small_document, options=OcrOptions(lang="eng+deu"))
    assert result.read == (1, 2, 3)
    assert set(load_ocr_page(tmp_collection, "small", 1).options["languages"]) == {"eng", "deu"}


@pytest.mark.parametrize("jobs", [1, 2])
def test_jobs_is_how_many_pages_are_read_at_once(
    tmp_collection, small_document, fake_tesseract, monkeypatch, tmp_path, jobs
):
    spans = tmp_path / "spans.log"
    monkeypatch.setenv("FAKE_TESSERACT_SPANS", str(spans))
    run_ocr(tmp_collection, small_document, jobs=jobs)
    running = most = 0
    for event in spans.read_text().split("\n"):
        running += {"begin": 1, "end": -1}.get(event.split(" ")[0], 0)
        most = max(most, running)
    assert most == jobs
