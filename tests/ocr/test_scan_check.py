"""A scan handed to Tesseract as it is: checked, not decoded, and refused exactly as a decoded one would be."""

from __future__ import annotations

import pytest
from PIL import Image

from tests.ocr.conftest import blank_page
from workbench.errors import ScanError
from workbench.images import decoded, open_image
from workbench.ocr.options import OcrOptions
from workbench.ocr.preprocess import preprocess, reads_pixels
from workbench.ocr.tesseract import ocr_page_image


def _without_end_chunk(data: bytes) -> bytes:
    return data[:-12]  # IEND: 4 bytes length, 4 type, 4 CRC


def _one_byte_flipped(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]


def test_a_png_opened_without_decoding_keeps_its_pixels_encoded_until_asked(tmp_path):
    scan = blank_page(tmp_path / "page.png")
    image = open_image(scan, decode=False)
    assert image.tile and image.size == (400, 200) and image.mode == "L"  # header read, pixels not yet
    assert decoded(image, scan).tile == []
    assert image.tobytes() == Image.open(scan).tobytes()


def test_other_formats_are_decoded_even_when_not_asked(tmp_path):
    scan = tmp_path / "page.tif"
    Image.open(blank_page(tmp_path / "page.png")).save(scan)
    assert open_image(scan, decode=False).tile == []


@pytest.mark.parametrize(
    "damage",
    [lambda data: data[:120], lambda data: data[: len(data) // 2], _one_byte_flipped],
    ids=["truncated-header", "truncated-half", "flipped-byte"],
)
def test_a_damaged_png_is_refused_with_the_message_decoding_gives(tmp_path, damage):
    # noise, so that the compressed data is long enough to be damaged in its middle
    Image.effect_noise((300, 300), 60).save(tmp_path / "whole.png")
    scan = tmp_path / "page.png"
    scan.write_bytes(damage((tmp_path / "whole.png").read_bytes()))
    with pytest.raises(ScanError) as decoding:
        open_image(scan)
    with pytest.raises(ScanError) as checking:
        open_image(scan, decode=False)
    assert str(checking.value) == str(decoding.value) and str(decoding.value).startswith(f"{scan}: corrupt image")


def test_a_png_without_its_end_chunk_opens_both_ways_as_before(tmp_path):
    scan = tmp_path / "page.png"
    scan.write_bytes(_without_end_chunk(blank_page(tmp_path / "whole.png").read_bytes()))
    assert open_image(scan).tobytes() == decoded(open_image(scan, decode=False), scan).tobytes()


@pytest.mark.parametrize(
    ("mode", "options", "reads"),
    [
        ("L", OcrOptions(), False),
        ("RGB", OcrOptions(), True),
        ("RGB", OcrOptions(grayscale=False), False),
        ("L", OcrOptions(deskew=True), True),
        ("L", OcrOptions(binarize="otsu"), True),
    ],
)
def test_reads_pixels_says_when_preprocess_changes_or_measures_the_scan(mode, options, reads):
    image = Image.new(mode, (60, 40), "white")
    assert reads_pixels(image, options) is reads
    if not reads:
        assert preprocess(image, options).changed is False


def test_a_gray_png_reaches_tesseract_undecoded_and_reads_as_a_decoded_one(tmp_path, fake_tesseract, monkeypatch):
    scan = blank_page(tmp_path / "page-004.png")
    seen = []

    def recording_open(path, *, decode=True):
        image = open_image(path, decode=decode)
        seen.append(bool(image.tile))
        return image

    monkeypatch.setattr("workbench.ocr.tesseract.open_image", recording_open)
    page = ocr_page_image(scan, options=OcrOptions(), command=str(fake_tesseract.command), timeout=10)
    assert seen == [True]  # opened once, not decoded
    assert page.text == "Text of page-004\npsm3\n" and page.dpi == 300
