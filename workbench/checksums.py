"""Checksums of a document's files: the cache keys of everything computed from them.

Any change to a page's OCR, gold or markings changes a document's checksum, so a computation cached on it
(flags, page comparisons, scores) never goes stale. Digests are remembered per file (path, mtime, size)
and whole-document checks are skipped briefly while the document's folders are unchanged, because the app
asks on every rerun.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable
from pathlib import Path

from workbench.corpus import Collection, page_stem
from workbench.fsutil import path_identity
from workbench.models import Document
from workbench.ocr.store import pending_path, text_path, words_path

_DIGESTS: dict[tuple[str, int, int, int], bytes] = {}


def _file_digest(path: Path) -> bytes:
    """SHA-256 of a file, remembered per path and `fsutil.file_identity` so an unchanged file is hashed once."""
    identity = path_identity(path)
    if identity is None:
        return b"missing"
    key = (str(path), *identity)
    digest = _DIGESTS.get(key)
    if digest is None:
        digest = hashlib.sha256(path.read_bytes()).digest()
        if len(_DIGESTS) > 100_000:
            _DIGESTS.clear()
        _DIGESTS[key] = digest
    return digest


def document_files(collection: Collection, document: Document) -> list[Path]:
    """Every file a document's computed views read: manifest, OCR text and words (and the journal of a save
    not yet finished, through which the new words are read), gold text and markings."""
    paths = [collection.manifest_path(document.id)]
    for page in document.pages:
        number = page.number
        paths += [
            text_path(collection, document.id, number),
            words_path(collection, document.id, number),
            pending_path(collection, document.id, number),
        ]
        if document.gold is not None:
            gold = collection.gold_dir(document.gold)
            paths += [gold / f"{page_stem(page.number)}.txt", gold / f"{page_stem(page.number)}.markings.json"]
    return paths


def files_checksum(paths: Iterable[Path]) -> str:
    """One SHA-256 over the names and bytes of `paths` (a missing file counts as such): a cache key.

    Any change to a page's OCR, gold or markings changes it, so cached computations never go stale.
    """
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path).encode("utf-8") + b"\0" + _file_digest(Path(path)))
    return digest.hexdigest()


_CHECKSUMS: dict[tuple, tuple[float, str]] = {}
RECHECK_SECONDS = 10.0


def document_checksum(collection: Collection, document: Document) -> str:
    """The checksum of `document_files`: the cache key of a document's computed views.

    Hashing is skipped (stat-ing 2,000 files costs ~80 ms on a 500-page document, on every rerun) while the
    document's folders are unchanged and the last full check is under RECHECK_SECONDS old: the workbench
    writes by atomic rename, which changes the folder, and a file edited in place is seen at the next check.
    """
    folders = [collection.manifest_path(document.id), collection.ocr_dir(document.id)]
    if document.gold is not None:
        folders.append(collection.gold_dir(document.gold))
    key = tuple((str(p), path_identity(p)) for p in folders)
    now = time.monotonic()
    known = _CHECKSUMS.get(key)
    if known is not None and now - known[0] < RECHECK_SECONDS:
        return known[1]
    checksum = files_checksum(document_files(collection, document))
    if len(_CHECKSUMS) > 1000:
        _CHECKSUMS.clear()
    _CHECKSUMS[key] = (now, checksum)
    return checksum
