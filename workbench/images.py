"""Opening page images safely: clear errors for missing, empty, corrupt or oversized scans.

Sizes are checked before any pixel is decoded or rendered: an image's (or each TIFF frame's) header, a PDF
page's size in points at the render resolution. A tiny file cannot make the workbench allocate gigabytes.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Iterator
from pathlib import Path

import pypdfium2
from PIL import Image, UnidentifiedImageError

from workbench import settings
from workbench.errors import ScanError
from workbench.fsutil import sha256_file
from workbench.models import PageRef

IMAGE_SUFFIXES = {".png", ".tif", ".tiff", ".jpg", ".jpeg"}
PDF_RENDER_DPI = 300  # PDF pages become page images at this resolution, as a scanner would make them


def _limit_hint() -> tuple[int, str]:
    limit = settings.get("WORKBENCH_MAX_IMAGE_PIXELS")
    return limit, f"limit {limit}; raise WORKBENCH_MAX_IMAGE_PIXELS if it is genuine"


def _check_pixels(where: str, width: int, height: int) -> None:
    """ScanError naming `where` when a width x height image is over WORKBENCH_MAX_IMAGE_PIXELS."""
    limit, hint = _limit_hint()
    if width * height > limit:
        raise ScanError(f"{where}: image too large ({width}x{height} = {width * height} pixels, {hint})")


@contextlib.contextmanager
def _guarded(path: Path, size: int) -> Iterator[None]:
    """Pillow's own bomb limit set to the workbench's, and every Pillow failure as a ScanError naming `path`."""
    limit, hint = _limit_hint()
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = limit
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ScanError(f"{path}: image too large ({error}; {hint})") from None
    except UnidentifiedImageError:
        raise ScanError(f"{path}: not an image the workbench can read ({size} bytes)") from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise ScanError(f"{path}: corrupt image ({error})") from None
    finally:
        Image.MAX_IMAGE_PIXELS = previous


def _file_size(path: Path) -> int:
    if not path.exists():
        raise ScanError(f"{path}: scan not found")
    size = path.stat().st_size
    if size == 0:
        raise ScanError(f"{path}: not an image (0 bytes)")
    return size


def open_image(path: Path, *, decode: bool = True) -> Image.Image:
    """Open and fully load a page image (its first frame); raise ScanError naming the file when it cannot
    be used. The size is checked from the header, before the pixels are decoded.

    decode=False, for a scan handed to another program as it is: a PNG's pixels are not decoded, the file
    is only checked (every chunk's checksum, which a truncated or damaged file fails; one that fails is
    decoded, to be refused as before or read); `decoded` decodes them later if they are needed after all.
    Other formats, which Pillow cannot check so, are decoded.
    """
    path = Path(path)
    with _guarded(path, _file_size(path)):
        image = Image.open(path)
        _check_pixels(str(path), image.width, image.height)
        if decode or image.format != "PNG":
            image.load()
            return image
        try:
            with Image.open(path) as checked:
                checked.verify()
        except (OSError, SyntaxError, ValueError, EOFError):
            image.load()  # what the check refuses may still decode (a file without its end chunk): never stricter
    return image


def decoded(image: Image.Image, path: Path) -> Image.Image:
    """`image` (opened by open_image with decode=False) with its pixels decoded; ScanError as open_image."""
    with _guarded(Path(path), _file_size(Path(path))):
        image.load()
    return image


def page_images(sources: list[Path], workdir: Path) -> list[Path]:
    """One checked image file per page, in order: image files as they are, every frame of a multi-frame TIFF
    and every page of a PDF (rendered at PDF_RENDER_DPI) written into `workdir`.

    Every page is checked before it is decoded or rendered, and has been decoded once when this returns, so
    each file returned opens. ScanError names the file given (and the frame or page), never `workdir`.
    """
    pages: list[Path] = []
    for source in map(Path, sources):
        if not source.exists():
            raise ScanError(f"{source}: file not found")
        suffix = source.suffix.lower()
        if suffix == ".pdf":
            pages.extend(_render_pdf(source, workdir, start=len(pages) + 1))
        elif suffix in IMAGE_SUFFIXES:
            pages.extend(_image_frames(source, workdir, start=len(pages) + 1))
        else:
            raise ScanError(f"{source}: unsupported file type {suffix or '(none)'} (PNG, TIFF, JPEG or PDF)")
    return pages


def _image_frames(source: Path, workdir: Path, *, start: int) -> list[Path]:
    """The image file itself when it has one frame; else each frame, size-checked from its header before
    it is decoded, saved as a PNG in `workdir`."""
    image = open_image(source)
    frames = getattr(image, "n_frames", 1)
    if frames == 1:
        return [source]
    out = []
    with _guarded(source, source.stat().st_size):
        for frame in range(frames):
            image.seek(frame)
            _check_pixels(f"{source} frame {frame + 1} of {frames}", image.width, image.height)
            path = workdir / f"frame-{start + frame:03d}.png"
            image.save(path, dpi=image.info.get("dpi", (300, 300)))
            out.append(path)
    return out


def _render_pdf(source: Path, workdir: Path, *, start: int) -> list[Path]:
    """Each page of a PDF rendered in grey at PDF_RENDER_DPI into `workdir`, its size in pixels checked
    (from the page's size in points) before pdfium allocates it."""
    try:
        pdf = pypdfium2.PdfDocument(str(source))
    except pypdfium2.PdfiumError as error:
        raise ScanError(f"{source}: not a readable PDF ({error})") from None
    scale = PDF_RENDER_DPI / 72
    out = []
    try:
        if len(pdf) == 0:
            raise ScanError(f"{source}: PDF has no pages")
        for index in range(len(pdf)):
            page = pdf[index]
            width, height = (math.ceil(points * scale) for points in page.get_size())
            _check_pixels(f"{source} page {index + 1} at {PDF_RENDER_DPI} dpi", width, height)
            try:
                image = page.render(scale=scale).to_pil().convert("L")
            except pypdfium2.PdfiumError as error:
                raise ScanError(f"{source} page {index + 1}: cannot render the PDF page ({error})") from None
            path = workdir / f"pdf-{start + index:03d}.png"
            image.save(path, dpi=(PDF_RENDER_DPI, PDF_RENDER_DPI))
            out.append(path)
    finally:
        pdf.close()
    return out


def verified_scan_sha256(ref: PageRef) -> str:
    """The SHA-256 of page `ref`'s scan, checked against the one its manifest recorded when the page was added.

    ScanError naming the scan when it is missing, unreadable, or no longer the file the manifest recorded (a
    scan replaced on disk would otherwise be read as the page without a word); a changed file that no longer
    opens is named for what is wrong with it. A page whose manifest records no checksum is taken as it is.
    """
    if ref.scan is None:
        raise ScanError(f"page {ref.number} of {ref.document!r} has no scan")
    try:
        actual = sha256_file(ref.scan)
    except FileNotFoundError:
        raise ScanError(f"{ref.scan}: scan not found") from None
    except OSError as error:
        raise ScanError(f"{ref.scan}: cannot read scan ({error.strerror or error})") from None
    if ref.sha256 and actual != ref.sha256:
        open_image(ref.scan)  # a file damaged in place is named for its damage (empty, truncated, too large)
        raise ScanError(
            f"{ref.scan}: not the scan its manifest recorded (sha256 {actual[:12]}, recorded {ref.sha256[:12]}): "
            "it was replaced or changed after it was added; put the original back, or add the new scan as a "
            "new document"
        )
    return actual


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
