"""Opening page images safely: clear errors for missing, empty, corrupt or oversized scans."""

from __future__ import annotations

import warnings
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from workbench import settings
from workbench.errors import ScanError

IMAGE_SUFFIXES = {".png", ".tif", ".tiff", ".jpg", ".jpeg"}


def open_image(path: Path) -> Image.Image:
    """Open and fully load a page image; raise ScanError naming the file when it cannot be used."""
    path = Path(path)
    if not path.exists():
        raise ScanError(f"{path}: scan not found")
    size = path.stat().st_size
    if size == 0:
        raise ScanError(f"{path}: not an image (0 bytes)")
    limit = settings.get("WORKBENCH_MAX_IMAGE_PIXELS")
    hint = f"limit {limit}; raise WORKBENCH_MAX_IMAGE_PIXELS if it is genuine"
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = limit
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path)
            pixels = image.width * image.height
            if pixels > limit:
                raise ScanError(f"{path}: image too large ({image.width}x{image.height} = {pixels} pixels, {hint})")
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ScanError(f"{path}: image too large ({error}; {hint})") from None
    except UnidentifiedImageError:
        raise ScanError(f"{path}: not an image the workbench can read ({size} bytes)") from None
    except (OSError, SyntaxError, ValueError) as error:
        raise ScanError(f"{path}: corrupt image ({error})") from None
    finally:
        Image.MAX_IMAGE_PIXELS = previous
    return image


def image_size(path: Path | None) -> tuple[int, int] | None:
    """(width, height) in pixels of a page image, reading only its header; None when there is no file
    or it cannot be read (a page without a usable scan only lacks its size)."""
    if path is None:
        return None
    try:
        with Image.open(path) as image:
            return image.size
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        return None
