"""OCR of a whole document: cache look-ups, pages read where the batch runs, progress, per-page failures.

`run_ocr` is what the command line and the UI call. Pages found in the cache are stored at once and
start no Tesseract; the others go to a `workbench.batch.Batch` (the local process pool, a LocalCluster or
a team's Dask scheduler) as `PageTask`s carrying the image bytes, so a worker needs Tesseract and the
package but no shared disk. Each comes back as a `PageResult` with its cache key; only this process writes
the cache and the stored OCR. A page that fails (bad image, Tesseract crash or timeout, a worker dying
more often than the retries allow) is reported and leaves nothing behind; the other pages still finish.
Results are stored as they arrive, each file written atomically.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from workbench import settings
from workbench.batch import Batch, Task, TaskFailure, Where
from workbench.corpus import Collection
from workbench.errors import InputError, ScanError, WorkbenchError
from workbench.fsutil import file_identity
from workbench.images import verified_scan_sha256
from workbench.models import Document, OcrPage
from workbench.ocr.cache import OcrCache
from workbench.ocr.options import OcrOptions, document_options
from workbench.ocr.store import save_ocr_page, text_path, words_path
from workbench.ocr.tesseract import (
    Engine,
    PageOcr,
    file_checksum,
    ocr_page_image,
    probe_engine,
    resolve_command,
)


@dataclass(frozen=True, slots=True)
class PageFailure:
    """A page that could not be read, with a one-line message naming the file."""

    page: int
    scan: Path | None
    message: str


@dataclass(frozen=True, slots=True)
class PageProgress:
    """Reported after each page: which page, how it went ('read', 'cached', 'failed'), and how far."""

    document: str
    page: int
    status: str
    done: int
    total: int


@dataclass(frozen=True, slots=True)
class OcrRun:
    """The outcome of OCR over a document: pages read by Tesseract now, pages taken from the cache,
    pages that failed, and the wall time in seconds."""

    document: str
    engine: str
    options: OcrOptions
    read: tuple[int, ...]
    cached: tuple[int, ...]
    failures: tuple[PageFailure, ...]
    seconds: float

    @property
    def ok(self) -> bool:
        """True when every page has its OCR stored."""
        return not self.failures

    @property
    def pages_done(self) -> tuple[int, ...]:
        """Pages whose OCR is now stored, in order."""
        return tuple(sorted(self.read + self.cached))


@dataclass(frozen=True, slots=True)
class _Todo:
    page: int
    scan: Path
    image_sha256: str
    key: str


@dataclass(frozen=True, slots=True)
class PageTask:
    """What a worker needs to read one page: the image bytes, the scan's file name (the hOCR names it) and
    how messages name it (the client's path), and the cache key the result will be stored under."""

    page: int
    image: bytes
    scan_name: str
    scan_label: str
    key: str


@dataclass(frozen=True, slots=True)
class EngineCheck:
    """The client's Tesseract as the cache key has it: a worker elsewhere must run the same version with
    the same language data, or its output would be cached and stored under a key that does not describe it."""

    version: str
    languages: dict[str, str]


@dataclass(frozen=True, slots=True)
class PageResult:
    """A worker's reading of one page, under its cache key: the OCR, or the one-line reason it failed."""

    page: int
    key: str
    ocr: PageOcr | None = None
    error: str | None = None


_WORKER_ENGINES: dict[tuple, Engine] = {}
_WORKER_CHECKSUMS: dict[tuple, str] = {}


def _worker_engine(command: str, options: OcrOptions) -> tuple[Engine, dict[str, str]]:
    """On a worker: its own tesseract (the client's path when it exists here, probed once per program
    file) and the checksums of the language data the options use (hashed again only when a file changed)."""
    here = command if os.access(command, os.X_OK) else resolve_command()
    identity = (here, *file_identity(os.stat(here)))
    if identity not in _WORKER_ENGINES:
        _WORKER_ENGINES[identity] = probe_engine(here)
    engine = _WORKER_ENGINES[identity]
    files = engine.language_files(options.lang, psm=options.psm)
    return engine, {name: file_checksum(path, memo=_WORKER_CHECKSUMS) for name, path in files.items()}


def read_page(
    task: PageTask, *, options: OcrOptions, command: str, timeout: int, check: EngineCheck | None = None
) -> PageResult:
    """Run on a worker: OCR one page from its image bytes. Failures come back as the result's `error`
    (final: not tried again); only an unexpected exception is raised, for the batch to retry.

    With `check` (work sent to other machines), the worker's Tesseract must match the client's first.
    """
    os.environ.update(OMP_THREAD_LIMIT="1")  # workers of a team's cluster may not have it in their environment
    try:
        if check is not None:
            engine, languages = _worker_engine(command, options)
            command = engine.command
            if (engine.version, languages) != (check.version, check.languages):
                differs = "version" if engine.version != check.version else "language data"
                return PageResult(
                    task.page, task.key, error=f"{task.scan_label}: this worker's tesseract {engine.version} is not "
                    f"the client's {check.version} ({differs} differs): install the same tesseract and language "
                    f"packages on every worker",
                )
        with tempfile.TemporaryDirectory(prefix="workbench-page-") as folder:
            # The scan under its own name: Tesseract's hOCR names its input, and must name the scan.
            path = Path(folder) / task.scan_name
            path.write_bytes(task.image)
            try:
                ocr = ocr_page_image(path, options=options, command=command, timeout=timeout)
            except WorkbenchError as error:
                return PageResult(task.page, task.key, error=str(error).replace(str(path), task.scan_label))
    except WorkbenchError as error:
        return PageResult(task.page, task.key, error=f"{task.scan_label}: {error}")
    except Exception as error:  # an odd file must not take the other pages down with it; not worth retrying
        if isinstance(error, OSError) and not isinstance(error, FileNotFoundError):
            raise  # a full temporary disk or a lost file system on that worker: try elsewhere
        return PageResult(task.page, task.key, error=f"{task.scan_label}: OCR failed ({type(error).__name__}: {error})")
    return PageResult(task.page, task.key, ocr=ocr)


def _recorded_key(collection: Collection, doc_id: str, number: int) -> str | None:
    """The cache key stored with a page's OCR, when the stored page came from this workbench's OCR."""
    if not text_path(collection, doc_id, number).exists():
        return None
    try:
        data = json.loads(words_path(collection, doc_id, number).read_text("utf-8"))
        return data["options"].get("cache_key")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _store(
    collection: Collection,
    document: Document,
    task: _Todo,
    result: PageOcr,
    *,
    engine: Engine,
    options: OcrOptions,
    languages: dict[str, str],
) -> None:
    if _recorded_key(collection, document.id, task.page) == task.key:
        return  # stored output is this very result: leave the files (and their mtimes) alone
    recorded = {
        **options.as_dict(),
        "resolution": result.dpi,
        # where the resolution came from (option, file tag, estimate) and why: a reader of the stored
        # OCR can tell a declared 300 from a guessed one
        "resolution_source": result.resolution.source.value if result.resolution else None,
        "resolution_reason": result.resolution.reason if result.resolution else None,
        "deskew_angle": result.angle,
        "scan": task.scan.name,
        "image_sha256": task.image_sha256,
        "languages": languages,
        "cache_key": task.key,
    }
    page = OcrPage(
        document=document.id,
        number=task.page,
        text=result.text,
        words=result.words,
        engine=engine.name,
        options=recorded,
    )
    save_ocr_page(collection, page, hocr=result.hocr)


def run_ocr(
    collection: Collection,
    document: Document,
    *,
    options: OcrOptions | None = None,
    jobs: int | None = None,
    timeout: int | None = None,
    cache: OcrCache | None = None,
    progress: Callable[[PageProgress], None] | None = None,
    batch: Batch | None = None,
) -> OcrRun:
    """OCR every page of `document` and store the results under transcripts/ocr/DOC/.

    `options` default to the document's (settings, then the manifest's "ocr"); `jobs` to WORKBENCH_JOBS;
    `timeout` (seconds per page) to WORKBENCH_OCR_TIMEOUT. `batch` is where the pages are read (default: a
    local pool of `jobs` processes, opened for this run). `progress` is called after each page.
    Raises InputError when the document has no scans at all, OcrError before any page when Tesseract or
    a language is missing; page failures are returned.
    """
    if not any(ref.scan is not None for ref in document.pages):
        raise InputError(
            f"{document.id} has no scans to OCR (it was made from OCR files or gold text; "
            f"`workbench import-ocr {document.id} FILE...` replaces its OCR)"
        )
    started = time.perf_counter()
    options = options or document_options(document)
    jobs = jobs or settings.get("WORKBENCH_JOBS")
    timeout = timeout or settings.get("WORKBENCH_OCR_TIMEOUT")
    cache = cache or OcrCache.default()
    engine = cache.engine()
    languages = cache.language_checksums(engine, options)

    total = document.page_count
    read: list[int] = []
    cached: list[int] = []
    failures: list[PageFailure] = []

    def report(page: int, status: str) -> None:
        if progress is not None:
            progress(PageProgress(document.id, page, status, len(read) + len(cached) + len(failures), total))

    def fail(page: int, scan: Path | None, message: str) -> None:
        failures.append(PageFailure(page, scan, message))
        report(page, "failed")

    todo: list[_Todo] = []
    for ref in document.pages:
        if ref.scan is None:
            fail(ref.number, None, f"{document.manifest_path}: page {ref.number} has no scan")
            continue
        try:
            image_sha256 = verified_scan_sha256(ref)  # missing, unreadable, or replaced since it was added
        except ScanError as error:
            fail(ref.number, ref.scan, str(error))
            continue
        key = cache.key(image_sha256=image_sha256, engine=engine, languages=languages, options=options)
        item = _Todo(ref.number, ref.scan, image_sha256, key)
        hit = cache.get(key)
        if hit is None:
            todo.append(item)
            continue
        _store(collection, document, item, hit, engine=engine, options=options, languages=languages)
        cached.append(ref.number)
        report(ref.number, "cached")

    if todo:
        opened = batch is None
        batch = batch or Batch(Where(jobs=max(1, min(jobs, len(todo)))))
        check = EngineCheck(engine.version, languages) if batch.where.scheduler is not None else None
        try:
            if opened:
                batch.__enter__()
            results = batch.map(
                read_page,
                [Task(f"page {item.page}", load=partial(_page_task, item)) for item in todo],
                shared={"options": options, "command": engine.command, "timeout": timeout, "check": check},
            )
            for index, result in results:
                item = todo[index]
                if isinstance(result, TaskFailure):
                    fail(item.page, item.scan, f"{item.scan}: {result.message}")
                elif result is None or result.ocr is None:
                    fail(item.page, item.scan, result.error if result is not None else f"{item.scan}: no result")
                elif result.key != item.key:
                    fail(item.page, item.scan, f"{item.scan}: the worker answered for another page")
                else:
                    cache.put(item.key, result.ocr)
                    _store(collection, document, item, result.ocr, engine=engine, options=options, languages=languages)
                    read.append(item.page)
                    report(item.page, "read")
        finally:
            if opened:
                batch.close()

    return OcrRun(
        document=document.id,
        engine=engine.name,
        options=options,
        read=tuple(sorted(read)),
        cached=tuple(sorted(cached)),
        failures=tuple(sorted(failures, key=lambda f: f.page)),
        seconds=time.perf_counter() - started,
    )


def _page_task(item: _Todo) -> tuple[PageTask]:
    """The task of one page; the image is read now, when it is about to be sent. A scan that vanished since
    it was hashed fails on the worker's side as an empty image would."""
    try:
        image = item.scan.read_bytes()
    except OSError:
        image = b""
    return (PageTask(item.page, image, item.scan.name, str(item.scan), item.key),)
