"""Documents from uploaded files: safe names, natural page order, refusals that add nothing."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from workbench import uploads, views
from workbench.errors import InputError


def png_bytes(size=(120, 80)) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", size, 255).save(buffer, format="PNG")
    return buffer.getvalue()


def test_safe_file_name_strips_folders_and_odd_characters():
    assert uploads.safe_file_name("../../etc/passwd", index=1) == "001-passwd"
    assert uploads.safe_file_name("C:\\Users\\x\\Page 1.PNG", index=2) == "002-Page_1.png"
    assert uploads.safe_file_name(".hidden.txt", index=3) == "003-hidden.txt"
    assert uploads.safe_file_name("$$$.pdf", index=4) == "004-file.pdf"


def test_upload_adds_a_document_in_natural_page_order(tmp_collection):
    scans = [uploads.Upload(f"scan-{n}.png", png_bytes((100 + n, 80))) for n in (10, 2, 1)]
    gold = [uploads.Upload(f"p{n}.txt", f"page {n}".encode()) for n in (2, 10, 1)]
    document = uploads.add_uploaded_document(tmp_collection, "letters", title="Letters", scans=scans, gold=gold)
    assert document.page_count == 3
    assert Image.open(document.pages[1].scan).width == 102  # scan-2 is page 2, scan-10 page 3
    assert (tmp_collection.gold_dir("letters") / "page-003.txt").read_text() == "page 10"
    rows = {r.id: r for r in views.document_rows(tmp_collection)}
    assert rows["letters"].gold and rows["letters"].scans and not rows["letters"].ocr


@pytest.mark.parametrize(
    ("scan", "message"),
    [
        (uploads.Upload("notes.exe", b"MZ"), "unsupported scan type .exe"),
        (uploads.Upload("empty.png", b""), "empty file"),
        (uploads.Upload("broken.png", b"not a png"), "not an image"),
    ],
)
def test_bad_uploads_are_refused_naming_the_file_and_add_nothing(tmp_collection, scan, message):
    with pytest.raises(InputError, match=message) as refused:
        uploads.add_uploaded_document(tmp_collection, "bad", title="Bad", scans=[scan])
    assert tmp_collection.document_ids() == []
    assert scan.name in str(refused.value) and "workbench-upload-" not in str(refused.value)


def test_a_document_from_uploaded_ocr_and_gold_alone(tmp_collection):
    ocr = [uploads.Upload("vendor.txt", b"Tbe first page.\fThe sccond page.\n")]
    gold = [uploads.Upload("gold.txt", b"The first page.\fThe second page.\n")]
    document = uploads.add_uploaded_document(tmp_collection, "vendor", title="Vendor OCR", ocr=ocr, gold=gold,
                                             lang="fra")
    assert (document.page_count, document.lang) == (2, "fra")
    assert not any(page.scan for page in document.pages)
    rows = {r.id: r for r in views.document_rows(tmp_collection)}
    assert rows["vendor"].gold and rows["vendor"].ocr and not rows["vendor"].scans


def test_mismatched_uploads_are_refused_in_the_names_the_browser_gave(tmp_collection):
    ocr = [uploads.Upload("two-pages.txt", b"one\ftwo\n")]
    gold = [uploads.Upload("one-page.txt", b"one\n")]
    with pytest.raises(InputError) as refused:
        uploads.add_uploaded_document(tmp_collection, "odd", title="Odd", ocr=ocr, gold=gold)
    message = str(refused.value)
    assert "two-pages.txt" in message and "one-page.txt" in message
    assert "workbench-upload-" not in message and "/tmp" not in message
    assert tmp_collection.document_ids() == []


def test_an_upload_with_no_files_is_refused(tmp_collection):
    with pytest.raises(InputError, match="no files uploaded"):
        uploads.add_uploaded_document(tmp_collection, "none", title="Nothing")


def test_uploads_over_the_size_limit_are_refused(tmp_collection, monkeypatch):
    monkeypatch.setenv("WORKBENCH_UPLOAD_MAX_MB", "1")
    big = uploads.Upload("big.png", b"\x89PNG" + b"0" * 1_100_000)
    with pytest.raises(InputError, match=r"big\.png: 1\.1 MB is over the upload limit of 1 MB"):
        uploads.add_uploaded_document(tmp_collection, "big", title="Big", scans=[big])


def test_unsafe_document_ids_are_refused(tmp_collection):
    with pytest.raises(InputError, match="bad document id"):
        uploads.add_uploaded_document(
            tmp_collection, "../evil", title="Evil", scans=[uploads.Upload("a.png", png_bytes())]
        )


def test_an_oversized_frame_or_pdf_page_is_named_as_uploaded_without_the_staging_folder(tmp_collection, tmp_path):
    from tests.test_images import claim_size, huge_pdf, two_frame_tiff

    tiff = claim_size(two_frame_tiff(tmp_path / "fax.tif", (400, 400)), 2, 40000, 40000)
    pdf = huge_pdf(tmp_path / "huge.pdf")
    for path, expected in ((tiff, "Fax 1974.tif frame 2 of 2: image too large"),
                           (pdf, "Fax 1974.pdf page 1 at 300 dpi: image too large")):
        upload = uploads.Upload(f"Fax 1974{path.suffix}", path.read_bytes())
        with pytest.raises(InputError) as caught:
            uploads.add_uploaded_document(tmp_collection, "fax", title="Fax", scans=[upload])
        message = str(caught.value)
        assert message.startswith(expected), message
        assert "/" not in message.split(":")[0] and "workbench-upload-" not in message and ".adding-" not in message
    assert list(tmp_collection.scans.iterdir()) == []
