"""Writing reports where they belong: one document's into reports/DOC, every document's plus an index."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from workbench.batch import Batch, Task, TaskFailure, failed_tasks_error
from workbench.confidence import sample_estimate
from workbench.corpus import Collection
from workbench.errors import WorkbenchError
from workbench.evaluate import interval_dict
from workbench.report.build import REPORT_FORMAT, build_report, metrics_version, utc_now
from workbench.report.model import CollectionEntry, Report
from workbench.report.render import (
    COLLECTION_CHART,
    RenderedReport,
    Written,
    collection_chart_svg,
    collection_csv,
    metrics_json,
    render_collection_html,
    render_report,
    write_file,
    write_rendered,
    write_report,
)


@contextmanager
def _earlier_objects_frozen() -> Iterator[None]:
    """Leave the objects that exist already (word lists, the flaggers' and the metrics' memos, an earlier
    report's leftovers) out of the cyclic garbage collector's passes while a report is made, and put them
    back after.

    Making a report allocates millions of objects, so the collector makes full passes several times a
    report, and each walks every object alive, most of them the memos a worker has filled over its
    earlier documents: 0.6 s of a 100-page document's 3.8 s after one document before it, 0.3 s with
    them frozen. Freezing changes only what the passes look at, never what the report holds; a thread
    that unfreezes while another builds only takes the saving away from it.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def write_document_report(
    collection: Collection, doc_id: str, *, out: Path | None = None, generated: str | None = None
) -> tuple[Report, Written]:
    """Build `doc_id`'s report and write it into `out` (default: the collection's reports/DOC)."""
    with _earlier_objects_frozen():
        report = build_report(collection, doc_id, generated=generated)
        return report, write_report(report, out if out is not None else collection.reports / doc_id)


@dataclass(frozen=True, slots=True)
class CollectionWritten:
    """What `write_collection_report` wrote: the index and one entry per document."""

    folder: Path
    entries: tuple[CollectionEntry, ...]
    files: tuple[Path, ...]

    @property
    def index(self) -> Path:
        return self.folder / "index.html"

    @property
    def failed(self) -> tuple[CollectionEntry, ...]:
        """Documents whose report could not be written (their note says why)."""
        return tuple(e for e in self.entries if e.link is None)


def _failed_entry(collection: Collection, doc_id: str, error: WorkbenchError) -> CollectionEntry:
    """The index line of a document whose report failed: what its manifest says, if readable, and why."""
    try:
        document = collection.document(doc_id)
    except WorkbenchError:
        return CollectionEntry(doc_id, doc_id, "", 0, None, None, note=str(error))
    return CollectionEntry(doc_id, document.title, document.variant, document.page_count, None, None, note=str(error))


def _sample(pages: list[dict], *, population: int) -> dict | None:
    """The collection's CER estimated from the pages that have gold (`confidence.sample_estimate`): what an
    archive can say when only some of its pages were checked; None when no page was."""
    if not pages:
        return None
    errors, lengths = [p["char_errors"] for p in pages], [p["gold_chars"] for p in pages]
    estimate = sample_estimate(errors, lengths, population_pages=max(population, len(pages)))
    return {
        "pages_checked": estimate.sample_pages,
        "pages": estimate.population_pages,
        "cer": estimate.interval.rate,
        "interval": interval_dict(estimate.interval),
        "correction": estimate.correction,
        "text": estimate.describe(),
    }


def _rendered_or_error(
    collection: Collection, doc_id: str, *, generated: str
) -> tuple[dict, RenderedReport] | WorkbenchError:
    """A batch task: one document's report built and rendered to text (its metrics and its files), or the
    error that stopped it (final, not tried again). The drawing and templating happen where the task runs;
    only the client writes the files."""
    try:
        with _earlier_objects_frozen():
            report = build_report(collection, doc_id, generated=generated)
            return report.metrics, render_report(report)
    except WorkbenchError as error:
        return error


def _page_count(collection: Collection, doc_id: str) -> int:
    """The pages `doc_id`'s manifest lists (0 when it cannot be read: its task will say why)."""
    try:
        return collection.document(doc_id).page_count
    except WorkbenchError:
        return 0


def _rendered_reports(collection: Collection, doc_ids: list[str], generated: str, batch: Batch | None):
    """(index, metrics and files, or WorkbenchError) per document: in order when made here, as they
    complete where `batch` runs (each written as it arrives, so the client holds only the reports in
    flight). BatchError at the end when a task failed every try, after the others were yielded."""
    if batch is None:
        for index, doc_id in enumerate(doc_ids):
            yield index, _rendered_or_error(collection, doc_id, generated=generated)
        return
    # The longest documents first, so that no worker is left with a long one while the others are idle
    # at the end (a report's cost grows with its pages); the results are put back in order by index.
    order = sorted(range(len(doc_ids)), key=lambda index: -_page_count(collection, doc_ids[index]))
    tasks = [Task(doc_ids[index], (collection, doc_ids[index])) for index in order]
    failures: list[TaskFailure] = []
    for index, result in batch.map(_rendered_or_error, tasks, shared={"generated": generated}):
        if isinstance(result, TaskFailure):
            failures.append(result)
        else:
            yield order[index], result
    if failures:
        raise failed_tasks_error(failures)


def write_collection_report(
    collection: Collection, *, out: Path | None = None, generated: str | None = None, batch: Batch | None = None
) -> CollectionWritten:
    """Every document's report in `out`/DOC, then `out`/index.html, metrics.json and documents.csv.

    A document whose report fails (e.g. a malformed OCR file) is listed with the one-line error instead of
    a link, and the others are still written. With `batch` (workbench.batch), the documents' reports are
    built and rendered where it runs, one task per document, on as many cores as it has (its workers read
    the collection and the review store at the same place as this process), and written here as each
    arrives.
    """
    out = Path(out) if out is not None else collection.reports
    generated = generated or utc_now()
    doc_ids = collection.document_ids()
    found: dict[int, tuple[CollectionEntry, tuple[Path, ...], list[dict]]] = {}
    for index, built in _rendered_reports(collection, doc_ids, generated, batch):
        doc_id = doc_ids[index]
        try:
            if isinstance(built, WorkbenchError):
                raise built
            metrics, rendered = built
            written = write_rendered(rendered, out / doc_id)
        except WorkbenchError as error:
            found[index] = (_failed_entry(collection, doc_id, error), (), [])
            continue
        source = metrics["source"]
        entry = CollectionEntry(
            id=doc_id,
            title=source["title"],
            variant=source["variant"],
            page_count=source["page_count"],
            figures=metrics["document"],
            link=f"{doc_id}/index.html",
            note="" if metrics["document"] else metrics["missing"]["document"],
            review=metrics["review"],
        )
        found[index] = (entry, written.files, list(metrics["pages"] or ()))
    # in the collection's order, however the documents completed
    entries = [found[index][0] for index in sorted(found)]
    files: list[Path] = [path for index in sorted(found) for path in found[index][1]]
    checked = [page for index in sorted(found) for page in found[index][2]]  # pages scored against gold
    version = metrics_version()
    sample = _sample(checked, population=sum(e.page_count for e in entries))
    summary = {
        "format": REPORT_FORMAT,
        "generated": generated,
        "metrics_version": version,
        "documents": [
            {
                "id": e.id,
                "title": e.title,
                "variant": e.variant,
                "page_count": e.page_count,
                "report": e.link,
                "document": e.figures,
                "review": {k: e.review[k] for k in ("flags", "decided", "progress")} if e.review else None,
                "note": e.note,
            }
            for e in entries
        ],
        "sample": sample,
    }
    chart = collection_chart_svg(entries)
    if chart:
        files.append(write_file(out / COLLECTION_CHART, chart))
    else:
        (out / COLLECTION_CHART).unlink(missing_ok=True)
    for name, text in (
        ("metrics.json", metrics_json(summary)),
        ("documents.csv", collection_csv(entries)),
        (
            "index.html",
            render_collection_html(entries, generated=generated, metrics_version=version, chart=chart, sample=sample),
        ),
    ):
        files.append(write_file(out / name, text))
    return CollectionWritten(out, tuple(entries), tuple(files))
