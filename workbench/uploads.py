"""Documents made from files uploaded in the browser, checked as `workbench add` checks files on disk.

The uploads are written under safe names into a temporary folder and handed to `corpus.add_document`,
which validates every page and adds all or nothing.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from workbench import settings
from workbench.corpus import Collection, add_document
from workbench.errors import InputError, WorkbenchError, full_message
from workbench.images import IMAGE_SUFFIXES
from workbench.models import Document

SCAN_SUFFIXES = frozenset({*IMAGE_SUFFIXES, ".pdf"})
GOLD_SUFFIXES = frozenset({".txt"})
OCR_SUFFIXES = frozenset({".txt", ".xml", ".hocr", ".html", ".htm"})  # detected by content, not by name
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class Upload:
    """A file handed to the app: its name as the browser gave it, and its bytes."""

    name: str
    data: bytes


def safe_file_name(name: str, *, index: int) -> str:
    """A name safe to write into a staging folder: no folders, no odd characters, never empty or hidden."""
    base = Path(name.replace("\\", "/")).name
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    stem = _SAFE_NAME.sub("_", stem).strip("._") or "file"
    suffix = _SAFE_NAME.sub("", suffix)
    return f"{index:03d}-{stem[:80]}{suffix}"


def _natural_key(name: str) -> list:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


def check_upload(upload: Upload, *, allowed: frozenset[str], max_bytes: int, what: str) -> None:
    """Refuse an upload with the wrong type, no bytes or too many bytes (InputError naming the file)."""
    suffix = Path(upload.name).suffix.lower()
    if suffix not in allowed:
        raise InputError(f"{upload.name}: unsupported {what} type {suffix or '(none)'} ({', '.join(sorted(allowed))})")
    if not upload.data:
        raise InputError(f"{upload.name}: empty file (0 bytes)")
    if len(upload.data) > max_bytes:
        raise InputError(
            f"{upload.name}: {len(upload.data) / 1e6:.1f} MB is over the upload limit of {max_bytes / 1e6:.0f} MB "
            "(WORKBENCH_UPLOAD_MAX_MB)"
        )


def add_uploaded_document(
    collection: Collection,
    doc_id: str,
    *,
    title: str,
    scans: Sequence[Upload] = (),
    ocr: Sequence[Upload] = (),
    gold: Sequence[Upload] = (),
    lang: str = "",
    date: str = "",
    provenance: str = "",
) -> Document:
    """Add a document from uploaded files, checked as `workbench add` checks files given on the command line.

    Scans, OCR files (hOCR, ALTO, PAGE XML or text) and gold text are each optional, but not all three: a
    document can be made from OCR and gold alone. Files are taken in natural name order (page-2 before
    page-10), written under safe names into a temporary folder, and handed to `corpus.add_document`, which
    validates every page and adds all or nothing. Errors name the uploaded file, never the staging folder.
    """
    if not title.strip():
        raise InputError(f"document {doc_id!r}: a title is needed")
    if not (scans or ocr or gold):
        raise InputError(f"document {doc_id!r}: no files uploaded (page images, OCR files or gold text)")
    max_bytes = settings.get("WORKBENCH_UPLOAD_MAX_MB") * 1_000_000
    for upload in scans:
        check_upload(upload, allowed=SCAN_SUFFIXES, max_bytes=max_bytes, what="scan")
    for upload in ocr:
        check_upload(upload, allowed=OCR_SUFFIXES, max_bytes=max_bytes, what="OCR")
    for upload in gold:
        check_upload(upload, allowed=GOLD_SUFFIXES, max_bytes=max_bytes, what="gold")
    with tempfile.TemporaryDirectory(prefix="workbench-upload-") as staging:
        folder = Path(staging)
        names: dict[str, str] = {}

        def stage(uploads: Sequence[Upload], prefix: str) -> list[Path]:
            paths = []
            ordered = sorted(uploads, key=lambda u: _natural_key(u.name))
            for index, upload in enumerate(ordered, start=1):
                path = folder / f"{prefix}{safe_file_name(upload.name, index=index)}"
                path.write_bytes(upload.data)
                names[str(path)] = upload.name
                paths.append(path)
            return paths

        try:
            return add_document(
                collection,
                doc_id.strip(),
                title=title.strip(),
                sources=stage(scans, "scan-"),
                ocr=stage(ocr, "ocr-") or None,
                gold=stage(gold, "gold-") or None,
                lang=lang.strip(),
                date=date.strip(),
                provenance=provenance.strip(),
            )
        except WorkbenchError as error:
            raise type(error)(_as_uploaded(full_message(error), names, folder)) from None


def _as_uploaded(message: str, names: dict[str, str], folder: Path) -> str:
    """`message` with every staged file named as the browser uploaded it, and no trace of the staging folder."""
    for staged, original in sorted(names.items(), key=lambda item: -len(item[0])):
        message = message.replace(staged, original)
    return message.replace(f"{folder}/", "").replace(str(folder), "the upload")
