"""OCR of a whole document: cache look-ups, pages in parallel processes, progress, per-page failures.

`run_ocr` is what the command line and the UI call. Pages found in the cache are stored at once and
start no Tesseract; the others are read by a pool of worker processes (one Tesseract thread each).
A page that fails (bad image, Tesseract crash or timeout) is reported and leaves nothing behind; the
other pages still finish. Results are stored as they arrive, each file written atomically.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from workbench import settings
from workbench.corpus import Collection
from workbench.errors import WorkbenchError
from workbench.fsutil import sha256_file
from workbench.models import Document, OcrPage
from workbench.ocr.cache import OcrCache
from workbench.ocr.options import OcrOptions, document_options
from workbench.ocr.store import save_ocr_page, text_path, words_path
from workbench.ocr.tesseract import Engine, PageOcr, ocr_page_image


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
class _Task:
    page: int
    scan: Path
    image_sha256: str
    key: str


def _init_worker(environment: dict[str, str]) -> None:
    # Workers come from a fork server started earlier; give them the caller's settings of now.
    os.environ.clear()
    os.environ.update(environment)
    os.environ["OMP_THREAD_LIMIT"] = "1"


def _ocr_task(scan: Path, options: OcrOptions, command: str, timeout: int) -> PageOcr | str:
    """Run in a worker: the page's OCR, or the one-line message of why it failed."""
    try:
        return ocr_page_image(scan, options=options, command=command, timeout=timeout)
    except WorkbenchError as error:
        return str(error)
    except Exception as error:  # a bug or an odd file must not take the other pages down with it
        return f"{scan}: OCR failed ({type(error).__name__}: {error})"


def _pool_context() -> multiprocessing.context.BaseContext:
    # Not "fork": the UI runs this from a threaded server, where forking a live process is unsafe.
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # The server imports the OCR code and pytesseract (which pulls in pandas: half a second) once;
    # each later pool's workers fork from it ready to run.
    context.set_forkserver_preload([__name__, "pytesseract"])
    return context


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
    task: _Task,
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
) -> OcrRun:
    """OCR every page of `document` and store the results under transcripts/ocr/DOC/.

    `options` default to the document's (settings, then the manifest's "ocr"); `jobs` to WORKBENCH_JOBS;
    `timeout` (seconds per page) to WORKBENCH_OCR_TIMEOUT. `progress` is called after each page.
    Raises OcrError before any page when Tesseract or a language is missing; page failures are returned.
    """
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

    todo: list[_Task] = []
    for ref in document.pages:
        if ref.scan is None:
            fail(ref.number, None, f"{document.manifest_path}: page {ref.number} has no scan")
            continue
        try:
            image_sha256 = sha256_file(ref.scan)
        except FileNotFoundError:
            fail(ref.number, ref.scan, f"{ref.scan}: scan not found")
            continue
        except OSError as error:
            fail(ref.number, ref.scan, f"{ref.scan}: cannot read scan ({error.strerror or error})")
            continue
        key = cache.key(image_sha256=image_sha256, engine=engine, languages=languages, options=options)
        task = _Task(ref.number, ref.scan, image_sha256, key)
        hit = cache.get(key)
        if hit is None:
            todo.append(task)
            continue
        _store(collection, document, task, hit, engine=engine, options=options, languages=languages)
        cached.append(ref.number)
        report(ref.number, "cached")

    if todo:
        workers = max(1, min(jobs, len(todo)))
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=_pool_context(),
            initializer=_init_worker,
            initargs=(dict(os.environ),),
        ) as pool:
            futures = {pool.submit(_ocr_task, t.scan, options, engine.command, timeout): t for t in todo}
            try:
                for future in as_completed(futures):
                    task = futures[future]
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        result = f"{task.scan}: the OCR worker process died (out of memory?)"
                    if isinstance(result, str):
                        fail(task.page, task.scan, result)
                        continue
                    cache.put(task.key, result)
                    _store(collection, document, task, result, engine=engine, options=options, languages=languages)
                    read.append(task.page)
                    report(task.page, "read")
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise

    return OcrRun(
        document=document.id,
        engine=engine.name,
        options=options,
        read=tuple(sorted(read)),
        cached=tuple(sorted(cached)),
        failures=tuple(sorted(failures, key=lambda f: f.page)),
        seconds=time.perf_counter() - started,
    )
