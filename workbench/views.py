"""What the workbench pages show, computed in plain Python (no Streamlit) from the `workbench` package.

The pages only lay out what these functions return, so everything here is testable without a browser.
Nothing here decides anything about OCR: it composes the package's records into rows and tables.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from workbench import settings
from workbench.corpus import Collection, add_document
from workbench.errors import InputError
from workbench.images import IMAGE_SUFFIXES
from workbench.models import Document

MAIN_DOCUMENT = "us-japan-1974"
SCAN_SUFFIXES = frozenset({*IMAGE_SUFFIXES, ".pdf"})
GOLD_SUFFIXES = frozenset({".txt"})
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def collection() -> Collection:
    """The collection at WORKBENCH_HOME."""
    return Collection.default()


def default_document(document_ids: Sequence[str]) -> str | None:
    """The document the app opens first: the briefing paper (or one of its scan variants) when present."""
    if MAIN_DOCUMENT in document_ids:
        return MAIN_DOCUMENT
    variants = [d for d in document_ids if d.startswith(f"{MAIN_DOCUMENT}-")]
    if variants:
        return variants[0]
    return document_ids[0] if document_ids else None


def files_checksum(paths: Iterable[Path]) -> str:
    """One SHA-256 over the names and bytes of `paths` (missing files count as absent): a cache key.

    Any change to a page's OCR, gold or markings changes it, so cached computations never go stale.
    """
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path).encode("utf-8") + b"\0")
        try:
            digest.update(Path(path).read_bytes())
        except FileNotFoundError:
            digest.update(b"\0missing\0")
        digest.update(b"\0")
    return digest.hexdigest()


# --- documents -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentRow:
    """One line of the collection table."""

    id: str
    title: str
    pages: int
    variant: str
    gold: bool
    scans: bool
    ocr: bool


def document_rows(collection: Collection) -> list[DocumentRow]:
    """A row per document: pages, scan variant, whether gold, scans and OCR are present."""
    from workbench.ocr.store import has_ocr

    rows = []
    for document in collection.documents():
        rows.append(
            DocumentRow(
                id=document.id,
                title=document.title,
                pages=document.page_count,
                variant=document.variant,
                gold=collection.has_gold(document),
                scans=all(p.scan is not None and p.scan.exists() for p in document.pages),
                ocr=has_ocr(collection, document),
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class PageRow:
    """One line of a document's page table: what is present, the review status, CER and open flags."""

    number: int
    scan_present: bool
    ocr: bool
    status: str = ""
    cer: float | None = None  # fraction of gold grapheme clusters, None without gold or OCR
    open_flags: int | None = None


def page_rows(collection: Collection, document: Document) -> list[PageRow]:
    """A row per page of `document`."""
    from workbench.ocr.store import text_path

    return [
        PageRow(
            number=page.number,
            scan_present=page.scan is not None and page.scan.exists(),
            ocr=text_path(collection, document.id, page.number).exists(),
        )
        for page in document.pages
    ]


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
    scans: Sequence[Upload],
    gold: Sequence[Upload] = (),
    date: str = "",
    provenance: str = "",
) -> Document:
    """Add a document from uploaded files, checked as `workbench add` checks files given on the command line.

    Files are taken in natural name order (page-2 before page-10), written under safe names into a
    temporary folder, and handed to `corpus.add_document`, which validates every page and adds all or nothing.
    """
    if not title.strip():
        raise InputError(f"document {doc_id!r}: a title is needed")
    if not scans:
        raise InputError(f"document {doc_id!r}: no scan files uploaded")
    max_bytes = settings.get("WORKBENCH_UPLOAD_MAX_MB") * 1_000_000
    for upload in scans:
        check_upload(upload, allowed=SCAN_SUFFIXES, max_bytes=max_bytes, what="scan")
    for upload in gold:
        check_upload(upload, allowed=GOLD_SUFFIXES, max_bytes=max_bytes, what="gold")
    with tempfile.TemporaryDirectory(prefix="workbench-upload-") as staging:
        folder = Path(staging)

        def stage(uploads: Sequence[Upload], prefix: str) -> list[Path]:
            paths = []
            ordered = sorted(uploads, key=lambda u: _natural_key(u.name))
            for index, upload in enumerate(ordered, start=1):
                path = folder / f"{prefix}{safe_file_name(upload.name, index=index)}"
                path.write_bytes(upload.data)
                paths.append(path)
            return paths

        return add_document(
            collection,
            doc_id.strip(),
            title=title.strip(),
            sources=stage(scans, "scan-"),
            gold=stage(gold, "gold-") or None,
            date=date.strip(),
            provenance=provenance.strip(),
        )


# --- who may review --------------------------------------------------------------------------------


def credentials_path() -> Path:
    """The team-mode credentials file: WORKBENCH_CREDENTIALS, or credentials.yaml in the collection."""
    configured = settings.get("WORKBENCH_CREDENTIALS")
    return Path(configured) if configured else settings.home() / "credentials.yaml"


_BCRYPT = re.compile(r"^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$")


@dataclass(frozen=True, slots=True)
class TeamConfig:
    """Reviewers with hashed passwords, and the cookie that keeps a sign-in across reloads."""

    credentials: dict
    cookie_name: str
    cookie_key: str
    cookie_expiry_days: float


def load_team_config(path: Path) -> TeamConfig:
    """Read the credentials YAML (streamlit-authenticator's layout); InputError naming the file when it is unusable.

    Every password must already be a bcrypt hash: a plain-text password is refused rather than hashed in place.
    """
    import yaml

    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: team mode needs a credentials file (set WORKBENCH_CREDENTIALS)")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: credentials file is not valid YAML ({error})") from None
    users = ((data or {}).get("credentials") or {}).get("usernames") if isinstance(data, dict) else None
    if not isinstance(users, dict) or not users:
        raise InputError(f"{path}: credentials file lists no reviewers under credentials.usernames")
    for username, entry in users.items():
        password = entry.get("password") if isinstance(entry, dict) else None
        if not isinstance(password, str) or not _BCRYPT.match(password):
            raise InputError(f"{path}: reviewer {username!r} has no bcrypt-hashed password")
    cookie = data.get("cookie") or {}
    key = cookie.get("key")
    if not isinstance(key, str) or len(key) < 16:
        raise InputError(f"{path}: cookie.key must be a secret of at least 16 characters")
    return TeamConfig(
        credentials={"usernames": users},
        cookie_name=str(cookie.get("name", "workbench_auth")),
        cookie_key=key,
        cookie_expiry_days=float(cookie.get("expiry_days", 1)),
    )
