"""Writing reports where they belong: one document's into reports/DOC, every document's plus an index."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from workbench.batch import Batch, Task
from workbench.confidence import sample_estimate
from workbench.corpus import Collection
from workbench.errors import WorkbenchError
from workbench.evaluate import interval_dict
from workbench.report.build import REPORT_FORMAT, build_report, metrics_version, utc_now
from workbench.report.model import CollectionEntry, Report
from workbench.report.render import (
    COLLECTION_CHART,
    Written,
    collection_chart_svg,
    collection_csv,
    metrics_json,
    render_collection_html,
    write_file,
    write_report,
)


def write_document_report(
    collection: Collection, doc_id: str, *, out: Path | None = None, generated: str | None = None
) -> tuple[Report, Written]:
    """Build `doc_id`'s report and write it into `out` (default: the collection's reports/DOC)."""
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


def _build_or_error(collection: Collection, doc_id: str, *, generated: str) -> Report | WorkbenchError:
    """A batch task: one document's report, or the error that stopped it (final, not tried again)."""
    try:
        return build_report(collection, doc_id, generated=generated)
    except WorkbenchError as error:
        return error


def _built_reports(collection: Collection, doc_ids: list[str], generated: str, batch: Batch | None):
    """(doc_id, Report or WorkbenchError) per document, in order; built here, or where `batch` runs."""
    if batch is None:
        return ((doc_id, _build_or_error(collection, doc_id, generated=generated)) for doc_id in doc_ids)
    tasks = [Task(doc_id, (collection, doc_id)) for doc_id in doc_ids]
    results = batch.map_all(_build_or_error, tasks, shared={"generated": generated})
    return zip(doc_ids, results, strict=True)


def write_collection_report(
    collection: Collection, *, out: Path | None = None, generated: str | None = None, batch: Batch | None = None
) -> CollectionWritten:
    """Every document's report in `out`/DOC, then `out`/index.html, metrics.json and documents.csv.

    A document whose report fails (e.g. a malformed OCR file) is listed with the one-line error instead of
    a link, and the others are still written. With `batch` (workbench.batch), the documents' reports are
    built where it runs (its workers read the collection and the review store at the same place as this
    process) and written here.
    """
    out = Path(out) if out is not None else collection.reports
    generated = generated or utc_now()
    entries: list[CollectionEntry] = []
    files: list[Path] = []
    checked: list[dict] = []  # the pages scored against gold, over every document
    for doc_id, built in _built_reports(collection, collection.document_ids(), generated, batch):
        try:
            if isinstance(built, WorkbenchError):
                raise built
            report, written = built, write_report(built, out / doc_id)
        except WorkbenchError as error:
            entries.append(_failed_entry(collection, doc_id, error))
            continue
        files.extend(written.files)
        checked.extend(report.metrics["pages"] or ())
        source = report.metrics["source"]
        entries.append(
            CollectionEntry(
                id=doc_id,
                title=source["title"],
                variant=source["variant"],
                page_count=source["page_count"],
                figures=report.metrics["document"],
                link=f"{doc_id}/index.html",
                note="" if report.metrics["document"] else report.metrics["missing"]["document"],
                review=report.metrics["review"],
            )
        )
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
