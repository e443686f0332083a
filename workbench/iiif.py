"""IIIF in and out: a document made from a IIIF manifest's page images, and its corrected lines as W3C Web
Annotations on the manifest's canvases, for an IIIF viewer to show over the images.

In: `workbench add DOC --iiif MANIFEST` reads a Presentation 2 or 3 manifest (a file, or an http(s) URL),
takes each canvas's image at the size asked for (through its Image API service when it has one:
`{service}/full/{size}/0/default.jpg`; else the image as published) and adds the document from those images.
The canvases are recorded beside the manifest, in `scans/DOC/iiif.json`: each page's canvas id, the
canvas's size and the image's, so that boxes on the image can be put back on the canvas.

Out: `workbench export DOC --format iiif-annotations` writes an AnnotationPage (Presentation 3 context): an
Annotation with motivation "supplementing" a line of the page, its corrected text as a TextualBody and the
canvas region (`#xywh=`) of the OCR line as its target (the whole canvas when the OCR gave no box).

No IIIF library: iiif-prezi3 builds Presentation 3 objects only (a version 2 manifest would still need
reading by hand) and a few fields are read here, so it would not pay for its dependencies.
"""

from __future__ import annotations

import json
import re
import tempfile
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from workbench import settings
from workbench.corpus import Collection, add_document
from workbench.errors import InputError
from workbench.fsutil import atomic_write_json
from workbench.images import image_size
from workbench.models import OcrPage
from workbench.ocrlines import ocr_lines
from workbench.store import Store
from workbench.transcript import page_lines

RECORD_NAME = "iiif.json"
ANNOTATION_CONTEXT = "http://iiif.io/api/presentation/3/context.json"
FETCH_TIMEOUT_SECONDS = 60  # one manifest or image; a server that says nothing for a minute is not coming back
_SIZE = re.compile(r"max|full|\d+|\d+,|,\d+|\d+,\d+|!\d+,\d+|pct:\d+(\.\d+)?")
_IMAGE_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/tiff": ".tif"}


@dataclass(frozen=True, slots=True)
class Canvas:
    """One canvas of a manifest: its id and size, and where its image is (`service`: the Image API base,
    with its major version; None when the image is published as a plain file only)."""

    id: str
    width: int | None
    height: int | None
    image: str
    service: str | None = None
    service_version: int | None = None


@dataclass(frozen=True, slots=True)
class Manifest:
    """What the workbench reads of a IIIF manifest."""

    id: str
    version: int
    label: str
    canvases: tuple[Canvas, ...]


def _fetch(source: str, *, what: str) -> bytes:
    """The bytes of a file or http(s) URL; InputError naming `source` when it cannot be had."""
    limit = settings.get("WORKBENCH_UPLOAD_MAX_MB") * 1024 * 1024
    if re.match(r"https?://", source, re.I):
        try:
            with urllib.request.urlopen(source, timeout=FETCH_TIMEOUT_SECONDS) as response:
                data = response.read(limit + 1)
        except urllib.error.HTTPError as error:
            raise InputError(f"{source}: cannot fetch the {what} (HTTP {error.code} {error.reason})") from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = getattr(error, "reason", error)
            raise InputError(f"{source}: cannot fetch the {what} ({reason})") from None
    elif re.match(r"[a-z][a-z0-9+.-]*://", source, re.I):
        raise InputError(f"{source}: a {what} is read from a file or an http(s) URL only")
    else:
        try:
            data = Path(source).read_bytes()
        except OSError as error:
            raise InputError(f"{source}: cannot read the {what} ({error.strerror or error})") from None
    if len(data) > limit:
        raise InputError(f"{source}: the {what} is over {limit // (1024 * 1024)} MB (WORKBENCH_UPLOAD_MAX_MB)")
    return data


def _label(value) -> str:
    """A label in either version's form: a string, a v2 list of {@value}, or a v3 language map."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if "@value" in value:
            return str(value["@value"])
        for texts in value.values():
            if isinstance(texts, list) and texts:
                return str(texts[0])
    if isinstance(value, list) and value:
        return _label(value[0])
    return ""


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _service(image: dict) -> tuple[str | None, int | None]:
    services = image.get("service")
    services = services if isinstance(services, list) else [services] if isinstance(services, dict) else []
    for service in services:
        base = service.get("id") or service.get("@id")
        if not isinstance(base, str):
            continue
        kind = f"{service.get('type', '')} {service.get('@type', '')} {service.get('profile', '')}"
        kind += f" {service.get('@context', '')}"
        version = 3 if ("ImageService3" in kind or "image/3" in kind) else 2
        return base.rstrip("/"), version
    return None, None


def _bodies(body) -> list[dict]:
    """A painting annotation's bodies: one, a list of them, or a Choice (its first item is the default)."""
    if isinstance(body, list):
        return [b for item in body for b in _bodies(item)]
    if isinstance(body, dict) and body.get("type") == "Choice":
        return _bodies((body.get("items") or [None])[0])
    return [body] if isinstance(body, dict) else []


def parse_manifest(data: dict, *, source: str) -> Manifest:
    """A Presentation 2 or 3 manifest's canvases and images; InputError naming `source` when it is neither
    or a canvas has no image."""
    context = json.dumps(data.get("@context", ""))
    canvases = []
    if data.get("type") == "Manifest" or "presentation/3" in context:
        version = 3
        for index, canvas in enumerate(data.get("items") or [], start=1):
            bodies = [
                body
                for page in canvas.get("items") or []
                for annotation in page.get("items") or []
                if annotation.get("motivation") == "painting"
                for body in _bodies(annotation.get("body"))
            ]
            image = next((b for b in bodies if isinstance(b, dict) and b.get("id")), None)
            if image is None or canvas.get("type", "Canvas") != "Canvas":
                raise InputError(f"{source}: canvas {index} has no painted image")
            service, service_version = _service(image)
            canvases.append(Canvas(str(canvas.get("id")), _int(canvas.get("width")), _int(canvas.get("height")),
                                   image["id"], service, service_version))
        identifier = data.get("id", source)
    elif data.get("@type") == "sc:Manifest" or "presentation/2" in context:
        version = 2
        sequences = data.get("sequences") or [{}]
        for index, canvas in enumerate(sequences[0].get("canvases") or [], start=1):
            images = [i.get("resource") for i in canvas.get("images") or [] if isinstance(i, dict)]
            image = next((r for r in images if isinstance(r, dict) and r.get("@id")), None)
            if image is None:
                raise InputError(f"{source}: canvas {index} has no image")
            service, service_version = _service(image)
            canvases.append(Canvas(str(canvas.get("@id")), _int(canvas.get("width")), _int(canvas.get("height")),
                                   image["@id"], service, service_version))
        identifier = data.get("@id", source)
    else:
        raise InputError(f"{source}: not a IIIF Presentation 2 or 3 manifest")
    if not canvases:
        raise InputError(f"{source}: the manifest has no canvases")
    return Manifest(str(identifier), version, _label(data.get("label")), tuple(canvases))


def read_manifest(source: str) -> Manifest:
    """The manifest at `source` (a file or an http(s) URL), parsed."""
    try:
        data = json.loads(_fetch(source, what="IIIF manifest"))
    except (ValueError, UnicodeDecodeError) as error:
        raise InputError(f"{source}: the IIIF manifest is not JSON ({error})") from None
    if not isinstance(data, dict):
        raise InputError(f"{source}: not a IIIF Presentation 2 or 3 manifest")
    return parse_manifest(data, source=source)


def check_size(size: str) -> str:
    """An Image API size ("max", "1500," ...); InputError for anything else."""
    if not _SIZE.fullmatch(size):
        raise InputError(f"--iiif-size {size!r}: give max, WIDTH, or an Image API size such as 1500, or !2000,2000")
    return size


def image_url(canvas: Canvas, size: str) -> str:
    """Where the canvas's image is at `size`: through its Image API service, else the published image."""
    if canvas.service is None:
        return canvas.image
    if re.fullmatch(r"\d+", size):
        size = f"{size},"
    if canvas.service_version == 2 and size == "max":
        size = "full"  # Image API 2.0 knows 'full'; 2.1 servers accept both
    return f"{canvas.service}/full/{size}/0/default.jpg"


def fetch_images(manifest: Manifest, size: str, folder: Path) -> list[Path]:
    """Each canvas's image at `size`, downloaded into `folder` in canvas order."""
    paths = []
    for number, canvas in enumerate(manifest.canvases, start=1):
        url = image_url(canvas, check_size(size))
        data = _fetch(url, what=f"image of canvas {number}")
        suffix = next((s for kind, s in _IMAGE_TYPES.items() if url.lower().endswith(s)), None)
        if suffix is None:
            suffix = ".png" if data[:8] == b"\x89PNG\r\n\x1a\n" else ".tif" if data[:2] in (b"II", b"MM") else ".jpg"
        path = folder / f"canvas-{number:03d}{suffix}"
        path.write_bytes(data)
        paths.append(path)
    return paths


def add_from_manifest(collection: Collection, document_id: str, source: str, *, size: str = "max", **options):
    """Add a document whose pages are the manifest's canvases, their images taken at `size`, with the
    canvases recorded (`record_canvases`) in the same all-or-nothing add. `options` are
    `corpus.add_document`'s (title, gold, ocr, lang, ...)."""
    check_size(size)
    manifest = read_manifest(source)
    collection.scans.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".iiif-{document_id}-", dir=collection.scans) as folder:
        images = fetch_images(manifest, size, Path(folder))
        sizes = [image_size(path) for path in images]

        def record(document, staged: Path) -> None:
            if document.page_count != len(manifest.canvases):
                raise InputError(
                    f"{source}: {len(manifest.canvases)} canvases gave {document.page_count} pages "
                    f"(a multi-page image?); document {document_id!r} not added"
                )
            record_canvases(staged, source, manifest, sizes)

        return add_document(collection, document_id, sources=images, also=record, **options)


def record_canvases(folder: Path, source: str, manifest: Manifest, sizes: Sequence[tuple[int, int]]) -> Path:
    """Write `iiif.json` into a document's folder: the manifest, and each page's canvas with the size of the
    image taken."""
    path = folder / RECORD_NAME
    atomic_write_json(
        path,
        {
            "manifest": source,
            "manifest_id": manifest.id,
            "version": manifest.version,
            "pages": [
                {"page": number, "canvas": canvas.id, "canvas_size": [canvas.width, canvas.height],
                 "image": canvas.image, "image_size": list(size)}
                for number, (canvas, size) in enumerate(zip(manifest.canvases, sizes, strict=True), start=1)
            ],
        },
    )
    return path


def load_canvases(collection: Collection, document_id: str) -> dict:
    """The IIIF record of a document added with --iiif; InputError saying so for any other document."""
    path = collection.document_dir(document_id) / RECORD_NAME
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(
            f"{document_id}: not added from a IIIF manifest (no {path.name}); add it with `workbench add "
            f"{document_id} --iiif MANIFEST`"
        ) from None
    except (OSError, ValueError) as error:
        raise InputError(f"{path}: unreadable IIIF record ({error})") from None
    return record


def _scale(page: dict) -> tuple[float, float]:
    """Canvas units per image pixel, across and down (1 when the canvas says no size)."""
    (canvas_w, canvas_h), (image_w, image_h) = page["canvas_size"], page["image_size"]
    return ((canvas_w or image_w) / image_w, (canvas_h or image_h) / image_h)


def annotation_page(
    collection: Collection, store: Store, document_id: str, ocr_pages: Sequence[OcrPage]
) -> dict:
    """The document's corrected lines as a W3C Web Annotation page on its canvases (see the docstring)."""
    record = load_canvases(collection, document_id)
    by_page = {p["page"]: p for p in record["pages"]}
    base = f"{record['manifest_id'].rstrip('/')}/ocr-workbench/{document_id}"
    items = []
    for ocr in ocr_pages:
        page = by_page.get(ocr.number)
        if page is None:
            raise InputError(f"{document_id}: page {ocr.number} has no canvas in {RECORD_NAME}")
        across, down = _scale(page)
        boxes = {line.number: line.box for line in ocr_lines(ocr)}
        for line in page_lines(store, ocr):
            if not line.text.strip():
                continue
            box = boxes.get(line.number)
            target = page["canvas"]
            if box is not None:
                x, y = round(box.left * across), round(box.top * down)
                w, h = max(1, round(box.width * across)), max(1, round(box.height * down))
                target = f"{target}#xywh={x},{y},{w},{h}"
            body = {"type": "TextualBody", "value": line.text, "format": "text/plain"}
            items.append(
                {
                    "id": f"{base}/p{ocr.number}/l{line.number}",
                    "type": "Annotation",
                    "motivation": "supplementing",
                    "body": body,
                    "target": target,
                }
            )
    return {"@context": ANNOTATION_CONTEXT, "id": f"{base}/annotations", "type": "AnnotationPage", "items": items}
