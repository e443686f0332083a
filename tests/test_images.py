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
