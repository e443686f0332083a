"""Document OCR: storage, options recorded, cache, parallel workers and per-page failures.

These use a fake tesseract (tests/ocr/conftest.py) so that they are fast and can make Tesseract crash
or hang on demand; tests/ocr/test_tesseract.py runs the real one.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace

import pytest
from PIL import Image

from workbench.batch import Batch, Where, local_cluster
from workbench.corpus import write_manifest
from workbench.errors import OcrError
from workbench.fsutil import sha256_file
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


def test_tesseract_is_given_pytesseract_s_hocr_command_line(tmp_collection, small_document, fake_tesseract):
    # The stored hOCR, text and words of earlier runs came from this command line (pytesseract's
    # image_to_pdf_or_hocr): the same line keeps them byte for byte, and their cache keys valid.
    run_ocr(tmp_collection, small_document, jobs=1)
    calls = sorted(fake_tesseract.calls(), key=lambda call: os.path.basename(call.split(" ")[0]))
    assert len(calls) == 3
    for number, call in enumerate(calls, start=1):
        image, output, *rest = call.split(" ")
        assert image.endswith(f"/page-{number:03d}.png") and image == os.path.realpath(image)
        assert os.path.basename(output) == "prepared"
        assert " ".join(rest) == "-l eng -c tessedit_create_hocr=1 --psm 3 --oem 3 --dpi 300 hocr OMP=1"


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
    # a new scan of page 2, recorded in the manifest (a scan replaced without it is refused: test_reliability)
    pages = list(small_document.pages)
    pages[1] = replace(pages[1], sha256=sha256_file(scan))
    write_manifest(replace(small_document, pages=tuple(pages)), small_document.manifest_path)
    result = run_ocr(tmp_collection, tmp_collection.document("small"), options=OcrOptions(psm=6))
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


# -- on a 2-worker Dask LocalCluster (loopback only, closed by each test) ----------------------------------

KILL_ONCE = r"""#!/bin/sh
# Before the first read of page-002, kill the worker process that started this tesseract (its parent).
case "$1" in
  *page-002*) if [ ! -e "$KILL_MARKER" ]; then echo "$PPID" > "$KILL_MARKER"; kill -9 "$PPID"; exit 1; fi ;;
esac
exec "$FAKE_TESSERACT_REAL" "$@"
"""


def _stored_files(collection, doc_id) -> dict[str, bytes]:
    folder = collection.ocr_dir(doc_id)
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@pytest.mark.tesseract
@pytest.mark.slow
def test_cluster_ocr_is_byte_identical_to_the_serial_run(repo_collection, tmp_path, monkeypatch, real_tesseract):
    from workbench.corpus import Collection, add_document

    scans = [repo_collection.document("us-japan-1974").pages[n].scan for n in (0, 3)]
    homes = {}
    for run in ("serial", "cluster"):
        home = tmp_path / run
        (home / "scans").mkdir(parents=True)
        collection = Collection(home)
        homes[run] = collection
        document = add_document(collection, "two-pages", title="Two pages", sources=scans, lang="eng")
        monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / f"cache-{run}"))
        if run == "serial":
            result = run_ocr(collection, document, jobs=1)
        else:
            with Batch(Where(workers=2)) as batch:
                result = run_ocr(collection, document, batch=batch)
        assert result.ok and result.read == (1, 2)
    serial, cluster = (_stored_files(homes[run], "two-pages") for run in ("serial", "cluster"))
    assert sorted(serial) == [f"page-00{n}.{kind}" for n in (1, 2) for kind in ("hocr", "txt", "words.json")]
    assert cluster == serial


def test_cluster_ocr_survives_a_worker_killed_mid_run(
    tmp_collection, small_document, fake_tesseract, tmp_path, monkeypatch
):
    wrapper = tmp_path / "tesseract-kill-once"
    wrapper.write_text(KILL_ONCE)
    wrapper.chmod(0o755)
    marker = tmp_path / "killed"
    monkeypatch.setenv("WORKBENCH_TESSERACT", str(wrapper))
    monkeypatch.setenv("FAKE_TESSERACT_REAL", str(fake_tesseract.command))
    monkeypatch.setenv("KILL_MARKER", str(marker))
    events = []
    with Batch(Where(workers=2)) as batch:
        result = run_ocr(tmp_collection, small_document, batch=batch, progress=events.append)
    assert marker.exists()  # a worker was killed while reading page 2
    assert result.ok and result.read == (1, 2, 3)
    assert [e.done for e in events] == [1, 2, 3]
    _assert_only_complete_pages(tmp_collection, "small", set())
    assert load_ocr_page(tmp_collection, "small", 2).text == "Text of page-002\npsm3\n"


def test_cluster_ocr_names_a_failing_page_and_keeps_the_others(
    tmp_collection, small_document, fake_tesseract, monkeypatch
):
    monkeypatch.setenv("FAKE_TESSERACT_CRASH", "page-002")
    small_document.pages[2].scan.write_bytes(b"")
    with Batch(Where(workers=2)) as batch:
        result = run_ocr(tmp_collection, small_document, batch=batch)
    assert result.read == (1,)
    assert [(f.page, f.message.split(": ")[1]) for f in result.failures] == [
        (2, "tesseract exited with status 139"),
        (3, "not an image (0 bytes)"),
    ]
    for failure in result.failures:
        assert failure.message.startswith(f"{small_document.pages[failure.page - 1].scan}: ")
        assert "workbench-page-" not in failure.message  # the worker's temporary copy is never named
    _assert_only_complete_pages(tmp_collection, "small", {2, 3})


def test_an_existing_scheduler_reads_pages_when_its_tesseract_is_the_clients(
    tmp_collection, small_document, fake_tesseract
):
    with (
        local_cluster(2) as cluster,
        Batch(Where(scheduler=cluster.scheduler_address)) as batch,
    ):
        result = run_ocr(tmp_collection, small_document, batch=batch)
    assert result.ok and result.read == (1, 2, 3)


def test_an_existing_schedulers_worker_with_other_language_data_fails_its_pages(
    tmp_collection, small_document, fake_tesseract, monkeypatch, tmp_path
):
    # The workers start seeing one folder of language data; the client then sees another, as on two machines.
    with local_cluster(1) as cluster:
        other = tmp_path / "other-tessdata"
        other.mkdir()
        (other / "eng.traineddata").write_bytes(b"another english model")
        monkeypatch.setenv("FAKE_TESSDATA", str(other))
        monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "other-cache"))
        with Batch(Where(scheduler=cluster.scheduler_address)) as batch:
            result = run_ocr(tmp_collection, small_document, batch=batch)
    assert result.read == () and [f.page for f in result.failures] == [1, 2, 3]
    assert result.failures[0].message == (
        f"{small_document.pages[0].scan}: this worker's tesseract 9.9.9-fake is not the client's 9.9.9-fake "
        "(language data differs): install the same tesseract and language packages on every worker"
    )
    assert not tmp_collection.ocr_dir("small").exists() or not any(tmp_collection.ocr_dir("small").iterdir())
