"""`workbench ocr`: one line per failed page, exit status 1 for page failures and 2 when nothing ran."""

from __future__ import annotations

import pytest

from workbench.cli import main


def test_ocr_command_reports_pages_and_cache(tmp_collection, small_document, fake_tesseract, capsys):
    assert main(["ocr", "small", "--jobs", "2"]) == 0
    out = capsys.readouterr().out
    assert "small: 3 of 3 page(s) OCRed (3 read, 0 from cache) with tesseract 9.9.9-fake" in out
    assert main(["ocr", "small"]) == 0
    assert "(0 read, 3 from cache)" in capsys.readouterr().out


def test_ocr_command_flags_override_options(tmp_collection, small_document, fake_tesseract, capsys):
    assert main(["ocr", "small", "--psm", "11", "--binarize", "otsu", "--deskew"]) == 0
    page = (tmp_collection.ocr_dir("small") / "page-001.txt").read_text()
    assert page.endswith("psm11\n")


def test_the_second_reading_can_be_turned_off_from_the_command_line(tmp_collection, small_document, fake_tesseract):
    import json

    def stored_options() -> dict:
        return json.loads((tmp_collection.ocr_dir("small") / "page-001.words.json").read_text())["options"]

    assert main(["ocr", "small"]) == 0
    assert stored_options()["second_reading"] is True
    assert main(["ocr", "small", "--no-second-reading"]) == 0
    assert stored_options()["second_reading"] is False


def test_failed_pages_are_one_line_each_and_exit_1(tmp_collection, small_document, fake_tesseract, capsys, monkeypatch):
    small_document.pages[0].scan.write_bytes(b"")
    monkeypatch.setenv("FAKE_TESSERACT_CRASH", "page-003")
    assert main(["ocr", "small"]) == 1
    captured = capsys.readouterr()
    errors = captured.err.strip().splitlines()
    assert errors == [
        f"workbench ocr: page 1 failed: {small_document.pages[0].scan}: not an image (0 bytes)",
        f"workbench ocr: page 3 failed: {small_document.pages[2].scan}: tesseract exited with status 139: "
        "Error in pixReadStream Segmentation fault",
        "workbench ocr: small: page(s) 1, 3 failed",
    ]
    assert "small: 1 of 3 page(s) OCRed" in captured.out


def test_missing_tesseract_exits_2_with_one_line(tmp_collection, small_document, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("WORKBENCH_TESSERACT", "no-such-tesseract-program")
    assert main(["ocr", "small"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "workbench ocr: error: tesseract not found: install tesseract-ocr (bin/setup does) "
        "or set WORKBENCH_TESSERACT\n"
    )


def test_bad_flag_value_is_one_line(tmp_collection, small_document, fake_tesseract, capsys):
    assert main(["ocr", "small", "--psm", "42"]) == 2
    assert capsys.readouterr().err == (
        "workbench ocr: error: options given: OCR option psm must be an integer 0-13, got 42\n"
    )


def test_unknown_document_is_one_line(tmp_collection, fake_tesseract, capsys):
    assert main(["ocr", "nothing-here"]) == 2
    assert "manifest not found" in capsys.readouterr().err


def test_progress_bar_goes_to_stderr_when_enabled(tmp_collection, small_document, fake_tesseract, capsys, monkeypatch):
    monkeypatch.setenv("WORKBENCH_PROGRESS", "true")
    assert main(["ocr", "small"]) == 0
    captured = capsys.readouterr()
    assert "3/3" in captured.err and "page" in captured.err
    assert "3/3" not in captured.out


def test_a_document_without_scans_is_one_line_and_exit_2(tmp_collection, fake_tesseract, tmp_path, capsys):
    from workbench.corpus import add_document

    gold = tmp_path / "gold.txt"
    gold.write_text("Page one.\fPage two.\n", encoding="utf-8")
    add_document(tmp_collection, "gold-only", title="Gold only", gold=[gold])
    assert main(["ocr", "gold-only"]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("workbench ocr: error: gold-only has no scans to OCR (")
    assert captured.err.count("\n") == 1 and captured.out == ""
    assert fake_tesseract.calls("all") == []  # refused before any tesseract ran


def test_ocr_command_on_a_local_cluster(tmp_collection, small_document, fake_tesseract, capsys):
    assert main(["ocr", "small", "--workers", "2"]) == 0
    assert "small: 3 of 3 page(s) OCRed (3 read, 0 from cache)" in capsys.readouterr().out


def test_scheduler_and_workers_exclude_each_other(tmp_collection, small_document, fake_tesseract, capsys):
    with pytest.raises(SystemExit):
        main(["ocr", "small", "--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"])
    assert "not allowed with argument" in capsys.readouterr().err
