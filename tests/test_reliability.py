"""What a hostile tester broke (issue 15), from the command line: every bad input is one line on stderr
with exit status 2 and nothing left behind, never a traceback; the browser's side is in
tests/ui/test_e2e_reliability.py."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from PIL import Image

from tests.conftest import DATA, REPO_ROOT
from workbench.cli import main

ADD = DATA / "add"


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def workbench(*args: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    """`workbench ARGS` in a process of its own (for what only a real process shows: pipes, memory limits)."""
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args], capture_output=True, text=True, cwd=REPO_ROOT,
        env={**os.environ, **(env or {})}, timeout=300, **kwargs,
    )


def assert_one_line_error(status: int, err: str, *fragments: str) -> None:
    assert status == 2, err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    for fragment in fragments:
        assert fragment in err, err


# --- 7: ids and languages are matched whole ----------------------------------------------------------------


@pytest.mark.parametrize("doc_id", ["nl\n", "ok\n", "a" * 64 + "\n"])
def test_a_document_id_ending_in_a_newline_is_refused(tmp_collection, capsys, doc_id):
    status, _, err = run(capsys, "add", doc_id, "--title", "z", "--gold", str(ADD / "letter-gold.txt"))
    assert_one_line_error(status, err, "bad document id")
    assert list(tmp_collection.scans.iterdir()) == []
    assert not (tmp_collection.transcripts / "gold").exists()


def test_a_language_ending_in_a_newline_is_refused(tmp_collection, capsys):
    gold = str(ADD / "letter-gold.txt")
    status, _, err = run(capsys, "add", "letter", "--title", "z", "--lang", "eng\n", "--gold", gold)
    assert_one_line_error(status, err, "--lang")
    assert list(tmp_collection.scans.iterdir()) == []


# --- 9: one line, not a traceback ----------------------------------------------------------------------------


def blank_scan(path, size=(300, 200)):
    Image.new("L", size, 255).save(path)
    return path


def test_a_bad_setting_is_one_line(tmp_collection, tmp_path, capsys, monkeypatch):
    assert run(capsys, "add", "d", str(blank_scan(tmp_path / "p.png")), "--title", "z")[0] == 0
    monkeypatch.setenv("WORKBENCH_JOBS", "abc")
    status, _, err = run(capsys, "ocr", "d")
    assert_one_line_error(status, err, "WORKBENCH_JOBS='abc'")


def test_a_reader_that_closes_the_pipe_early_gets_no_traceback():
    # `workbench settings | head -1`: the reader is gone before the output is flushed
    process = subprocess.Popen(
        [sys.executable, "-m", "workbench", "settings"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        cwd=REPO_ROOT,
    )
    process.stdout.close()
    err = process.stderr.read().decode()
    process.wait(timeout=60)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert process.returncode == 1


LATIN1_HOCR = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">
<title>page</title></head><body>
<div class="ocr_page" title="bbox 0 0 600 200"><span class="ocr_line" title="bbox 10 10 300 40">
<span class="ocrx_word" title="bbox 10 10 120 40; x_wconf 91">Québec,</span>
<span class="ocrx_word" title="bbox 130 10 300 40; x_wconf 88">façade</span></span></div></body></html>
"""


def test_an_hocr_file_in_latin1_is_imported(tmp_collection, tmp_path, capsys):
    hocr = tmp_path / "page.hocr"
    hocr.write_bytes(LATIN1_HOCR.encode("latin-1"))
    status, _, err = run(capsys, "add", "quebec", "--title", "z", "--ocr", str(hocr))
    assert status == 0, err
    status, _, err = run(capsys, "import-ocr", "quebec", str(hocr))
    assert status == 0, err
    from workbench.ocr.store import hocr_path, load_ocr_page

    assert load_ocr_page(tmp_collection, "quebec", 1).text == "Québec, façade\n"
    assert hocr_path(tmp_collection, "quebec", 1).read_bytes() == hocr.read_bytes()  # kept as it came


# --- 2 and 3: sizes are checked before pixels are made ------------------------------------------------------


def limit_memory():
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (3_000_000_000, 3_000_000_000))  # `ulimit -v 3000000`


def test_a_tiny_pdf_with_a_huge_page_is_refused_under_a_memory_limit(tmp_collection, tmp_path):
    from tests.test_images import huge_pdf

    pdf = huge_pdf(tmp_path / "huge.pdf")
    done = workbench("add", "t", str(pdf), "--title", "z", env={"WORKBENCH_HOME": str(tmp_collection.home)},
                     preexec_fn=limit_memory)
    assert_one_line_error(done.returncode, done.stderr, "huge.pdf page 1 at 300 dpi: image too large")
    assert list(tmp_collection.scans.iterdir()) == []


@pytest.mark.parametrize("second", [(700, 700), (350, 350)])
def test_a_tiff_with_an_oversized_second_frame_is_one_line_naming_it(tmp_collection, tmp_path, capsys, monkeypatch,
                                                                      second):
    from tests.test_images import two_frame_tiff

    tiff = two_frame_tiff(tmp_path / "fax.tif", second)
    monkeypatch.setenv("WORKBENCH_MAX_IMAGE_PIXELS", "100000")
    status, _, err = run(capsys, "add", "fax", str(tiff), "--title", "z")
    assert_one_line_error(status, err, f"{tiff} frame 2 of 2: image too large")
    assert ".adding-" not in err
    assert list(tmp_collection.scans.iterdir()) == []


def test_a_tiff_whose_second_frame_claims_40000_by_40000_is_one_line(tmp_collection, tmp_path, capsys):
    from tests.test_images import claim_size, two_frame_tiff

    tiff = claim_size(two_frame_tiff(tmp_path / "fax.tif", (400, 400)), 2, 40000, 40000)
    status, _, err = run(capsys, "add", "fax", str(tiff), "--title", "z")
    assert_one_line_error(status, err, f"{tiff} frame 2 of 2: image too large (40000x40000 = 1600000000 pixels")
    assert list(tmp_collection.scans.iterdir()) == []


# --- 8: an add killed between its renames is taken back by the next one -------------------------------------

KILLED_ADD = """
import os, sys
from pathlib import Path
from workbench.cli import main

real = Path.rename

def rename(self, target):
    result = real(self, target)
    os._exit(9)  # killed with the gold in place and the document not yet

Path.rename = rename
main(["add", "letter", "--title", "A letter", "--gold", sys.argv[1]])
"""


def test_an_add_killed_between_its_renames_is_taken_back_by_the_next_add(tmp_collection, capsys):
    gold = str(ADD / "letter-gold.txt")
    killed = subprocess.run([sys.executable, "-c", KILLED_ADD, gold], cwd=REPO_ROOT,
                            env={**os.environ, "WORKBENCH_HOME": str(tmp_collection.home)})
    assert killed.returncode == 9
    assert tmp_collection.gold_dir("letter").exists() and not tmp_collection.document_dir("letter").exists()
    assert [p.name[:15] for p in tmp_collection.scans.iterdir()] == [".adding-letter-"]
    status, _, err = run(capsys, "add", "letter", "--title", "A letter", "--gold", gold)
    assert status == 0, err
    assert [p.name for p in tmp_collection.scans.iterdir()] == ["letter"]
    assert tmp_collection.document("letter").page_count == 2


def test_an_add_in_progress_is_not_taken_for_a_killed_one(tmp_collection, capsys):
    from workbench.corpus import _hold

    alive = tmp_collection.scans / ".adding-letter-abcd1234"
    alive.mkdir()
    lock = _hold(alive)
    try:
        status, _, err = run(capsys, "add", "letter", "--title", "A letter", "--gold", str(ADD / "letter-gold.txt"))
    finally:
        os.close(lock)
    assert status == 0, err
    assert alive.exists()


# --- 4: no spreadsheet formula reaches a CSV file ------------------------------------------------------------


def test_csv_cells_that_a_spreadsheet_would_run_start_with_an_apostrophe(tmp_collection, tmp_path):
    import csv
    import json

    from tests.test_report import _review_some, make_document
    from workbench.report import write_document_report
    from workbench.report.render import spreadsheet_safe

    reviewer = '=HYPERLINK("http://evil")'
    make_document(tmp_collection, "memo", title="-2+3")
    _review_some(tmp_collection, "memo", reviewer=reviewer)
    out = tmp_path / "out"
    write_document_report(tmp_collection, "memo", out=out)
    with open(out / "flags.csv", newline="", encoding="utf-8") as handle:
        reviewers = {row["reviewer"] for row in csv.DictReader(handle) if row["decision"]}
    assert reviewers == {"'" + reviewer}
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["review"]["reviewers"][0]["name"] == reviewer  # the JSON keeps the exact text
    assert "a spreadsheet shows it as text" in (out / "index.html").read_text(encoding="utf-8")
    from workbench.report.model import CollectionEntry
    from workbench.report.render import collection_csv

    (row,) = csv.DictReader(collection_csv([CollectionEntry("memo", "@SUM(A1)", "", 2, {"cer": -0.5}, None)])
                            .splitlines())
    assert (row["title"], row["cer"]) == ("'@SUM(A1)", "-0.5")  # text neutralised, a number left as it is
    for cell in ("@SUM(A1)", "+cmd|'/c calc'!A0", "-2+3", "\t=1", "\r=1", "=1"):
        assert spreadsheet_safe(cell) == "'" + cell
    for cell in ("Québec", "", "'quoted", -0.5, 3, None):
        assert spreadsheet_safe(cell) == cell


# --- 6: a damaged review store is one line, in the CLI (and, in tests/ui, the browser) ---------------------


def damaged_store(path, *, everything: bool = False):
    """A migrated review store with some bulk in it, then 16 KB of garbage in the middle of the file (or,
    with `everything`, garbage over every page after the first, so that every table is unreadable)."""
    import sqlite3

    from workbench.store import open_store

    open_store(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE bulk (x TEXT)")
        conn.executemany("INSERT INTO bulk VALUES (?)", [("x" * 200,) for _ in range(1000)])
    size = path.stat().st_size
    start, length = (4096, size - 4096) if everything else (size // 2 // 4096 * 4096, 16 * 1024)
    with open(path, "r+b") as handle:
        handle.seek(start)
        handle.write(os.urandom(length))
    return path


def test_db_on_a_file_that_is_no_database_is_one_line(tmp_path, capsys, monkeypatch):
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(os.urandom(5000))
    monkeypatch.setenv("WORKBENCH_DB", str(garbage))
    status, _, err = run(capsys, "db")
    assert_one_line_error(status, err, "garbage.db: the review store is damaged (file is not a database)")


def test_db_finds_garbage_in_the_middle_of_the_file(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("WORKBENCH_DB", str(damaged_store(tmp_path / "review.db")))
    status, out, err = run(capsys, "db")
    assert_one_line_error(status, err, "the review store is damaged (", "restore it from a backup")
    assert "schema revision" not in out


def test_db_says_a_sound_store_passed_its_check(tmp_path, capsys):
    status, out, err = run(capsys, "db", "upgrade")
    assert status == 0, err
    assert "integrity: ok (quick check)" in out


def test_review_and_export_on_a_damaged_store_are_one_line(tmp_collection, tmp_path, capsys, monkeypatch):
    gold = str(ADD / "letter-gold.txt")
    assert run(capsys, "add", "letter", "--title", "L", "--ocr", str(ADD / "letter.alto.xml"), "--gold", gold)[0] == 0
    monkeypatch.setenv("WORKBENCH_DB", str(damaged_store(tmp_path / "damaged.db", everything=True)))
    for command in (["review", "letter"], ["export", "letter", "--format", "txt"]):
        status, _, err = run(capsys, *command)
        assert_one_line_error(status, err, "cannot read the review store (database disk image is malformed)")


# --- 10: a scan replaced on disk is not read as the page ------------------------------------------------------


@pytest.mark.skipif(not shutil.which("tesseract"), reason="tesseract is not installed")
def test_a_scan_replaced_after_it_was_added_is_not_ocred(tmp_collection, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("OMP_THREAD_LIMIT", "1")
    assert run(capsys, "add", "d", str(blank_scan(tmp_path / "p.png")), "--title", "z")[0] == 0
    scan = tmp_collection.document("d").pages[0].scan
    Image.new("L", (300, 200), 0).save(scan)  # another image under the page's name
    status, _, err = run(capsys, "ocr", "d")
    assert status != 0
    assert f"{scan}: not the scan its manifest recorded" in err
    assert not (tmp_collection.ocr_dir("d") / "page-001.txt").exists()


def test_a_scan_is_verified_against_its_manifest(tmp_path):
    from workbench.errors import ScanError
    from workbench.fsutil import sha256_file
    from workbench.images import verified_scan_sha256
    from workbench.models import PageRef

    scan = blank_scan(tmp_path / "page-001.png")
    recorded = sha256_file(scan)
    assert verified_scan_sha256(PageRef("d", 1, scan, recorded)) == recorded
    assert verified_scan_sha256(PageRef("d", 1, scan, None)) == recorded  # an old manifest without checksums
    blank_scan(scan, size=(301, 200))
    with pytest.raises(ScanError, match=r"page-001\.png: not the scan its manifest recorded"):
        verified_scan_sha256(PageRef("d", 1, scan, recorded))
    with pytest.raises(ScanError, match="scan not found"):
        verified_scan_sha256(PageRef("d", 1, tmp_path / "gone.png", recorded))


# --- 5: a mismatched pair of stored OCR files is refused, not used --------------------------------------------


def test_export_refuses_words_that_do_not_belong_to_the_text(tmp_collection, capsys):
    from workbench.ocr.store import text_path

    gold = str(ADD / "letter-gold.txt")
    assert run(capsys, "add", "letter", "--title", "L", "--ocr", str(ADD / "letter.alto.xml"), "--gold", gold)[0] == 0
    text_path(tmp_collection, "letter", 1).write_text("A new text beside the old words\n", encoding="utf-8")
    for command in (["export", "letter", "--format", "txt"], ["flag", "letter"], ["review", "letter", "--sync"]):
        status, _, err = run(capsys, *command)
        assert_one_line_error(status, err, "page-001.words.json: OCR words do not belong to page-001.txt")
