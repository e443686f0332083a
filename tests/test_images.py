"""Page images: every way a scan can be unusable is one line naming the file."""

from __future__ import annotations

import pytest
from PIL import Image

from workbench.errors import ScanError
from workbench.images import open_image


def test_image_over_the_limit_names_the_setting(tmp_path, monkeypatch):
    path = tmp_path / "big.png"
    Image.new("L", (100, 100), 255).save(path)
    monkeypatch.setenv("WORKBENCH_MAX_IMAGE_PIXELS", "6000")
    expected = r"big.png: image too large \(.*10000 pixels.*limit 6000; raise WORKBENCH_MAX_IMAGE_PIXELS"
    with pytest.raises(ScanError, match=expected):
        open_image(path)


def test_image_far_over_the_limit_also_names_the_setting(tmp_path, monkeypatch):
    path = tmp_path / "bomb.png"
    Image.new("L", (100, 100), 255).save(path)
    monkeypatch.setenv("WORKBENCH_MAX_IMAGE_PIXELS", "1000")  # Pillow itself refuses beyond twice the limit
    with pytest.raises(ScanError, match=r"bomb.png: image too large .*WORKBENCH_MAX_IMAGE_PIXELS"):
        open_image(path)


def test_truncated_and_missing_images_are_named(tmp_path):
    good = tmp_path / "good.png"
    Image.effect_noise((300, 300), 80).save(good)  # noise compresses badly: the file is long enough to cut
    truncated = tmp_path / "truncated.png"
    truncated.write_bytes(good.read_bytes()[:2000])
    with pytest.raises(ScanError, match=r"truncated.png: corrupt image"):
        open_image(truncated)
    with pytest.raises(ScanError, match=r"absent.png: scan not found"):
        open_image(tmp_path / "absent.png")
    assert open_image(good).size == (300, 300)


# --- sizes are checked before pixels are decoded or rendered (issue 15, items 2 and 3) --------------------


def huge_pdf(path, points: float = 14400):
    """A PDF of a few hundred bytes whose one page, rendered at 300 dpi, would be 60000 x 60000 pixels."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument.new()
    pdf.new_page(points, points)
    pdf.save(str(path))
    pdf.close()
    return path


def two_frame_tiff(path, second: tuple[int, int]):
    """A TIFF whose first frame is small and whose second is `second` pixels, in group 4 as fax scans are."""
    first = Image.new("1", (300, 300), 1)
    first.save(path, compression="group4", save_all=True, append_images=[Image.new("1", second, 1)])
    return path


def claim_size(tiff, frame: int, width: int, height: int):
    """Rewrite the width and height that frame `frame` (1-based) of a little-endian TIFF declares, as a
    crafted file would: a few hundred bytes of group 4 data claiming 40000 x 40000 pixels."""
    import struct

    data = bytearray(tiff.read_bytes())
    assert data[:2] == b"II"
    (offset,) = struct.unpack_from("<I", data, 4)
    for _ in range(frame - 1):
        (count,) = struct.unpack_from("<H", data, offset)
        (offset,) = struct.unpack_from("<I", data, offset + 2 + 12 * count)
    (count,) = struct.unpack_from("<H", data, offset)
    for index in range(count):
        entry = offset + 2 + 12 * index
        tag, kind = struct.unpack_from("<HH", data, entry)
        if tag in (256, 257):  # ImageWidth, ImageLength
            struct.pack_into("<H" if kind == 3 else "<I", data, entry + 8, width if tag == 256 else height)
    tiff.write_bytes(bytes(data))
    return tiff


def test_a_huge_pdf_page_is_refused_before_it_is_rendered(tmp_path, monkeypatch):
    import pypdfium2

    from workbench.images import page_images

    def render(*args, **kwargs):
        raise AssertionError("rendered before its size was checked")

    monkeypatch.setattr(pypdfium2.PdfPage, "render", render)
    pdf = huge_pdf(tmp_path / "huge.pdf")
    assert pdf.stat().st_size < 2000
    with pytest.raises(ScanError, match=r"huge\.pdf page 1 at 300 dpi: image too large \(6000[01]x6000[01] = "):
        page_images([pdf], tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["huge.pdf"]


def test_a_pdf_page_within_the_limit_is_rendered_at_300_dpi(tmp_path):
    from workbench.images import page_images

    (page,) = page_images([huge_pdf(tmp_path / "letter.pdf", points=72)], tmp_path)
    assert open_image(page).size == (300, 300)


@pytest.mark.parametrize("second", [(700, 700), (350, 350)])  # past Pillow's bomb limit (2x), just over
def test_every_frame_of_a_tiff_is_checked_before_it_is_decoded(tmp_path, monkeypatch, second):
    from workbench.images import page_images

    tiff = two_frame_tiff(tmp_path / "fax.tif", second)
    monkeypatch.setenv("WORKBENCH_MAX_IMAGE_PIXELS", "100000")
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(ScanError, match=rf"fax\.tif frame 2 of 2: image too large \({second[0]}x{second[1]}") as caught:
        page_images([tiff], work)
    assert str(work) not in str(caught.value)
    assert not (work / "frame-002.png").exists()


def test_every_frame_of_a_tiff_becomes_a_page(tmp_path):
    from workbench.images import page_images

    pages = page_images([two_frame_tiff(tmp_path / "fax.tif", (400, 500))], tmp_path)
    assert [open_image(p).size for p in pages] == [(300, 300), (400, 500)]
