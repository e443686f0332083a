"""Turning a built report into files: HTML (Jinja2, autoescaped), JSON (json), CSV (csv) and SVG charts.

Nothing here computes a figure: the numbers come from `Report.metrics`, which the metric, flag and review
code filled in (see `workbench.report.build`). Text from OCR, gold, file names or reviewers only ever
reaches the HTML through Jinja2's autoescaping, the CSV through the csv module and the JSON through json.
"""

from __future__ import annotations

import base64
import csv
import functools
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from workbench.fsutil import atomic_write_text
from workbench.models import FlagCategory
from workbench.report import charts
from workbench.report.model import CollectionEntry, Report

CHART_FILES = {
    "cer_by_page": "cer_by_page.svg",
    "flags_by_category": "flags_by_category.svg",
    "confusions": "confusions.svg",
}
TOP_CONFUSIONS_CHARTED = 15

# Short codes shown beside each difference in the side-by-side view (a legend spells them out).
CATEGORY_CODES = {
    FlagCategory.STAMP_NOISE.value: "SN",
    FlagCategory.BROKEN_HYPHENATION.value: "HY",
    FlagCategory.STRAY_CHAR.value: "SC",
    FlagCategory.MISREAD_WORD.value: "MW",
    FlagCategory.SPLIT_WORD.value: "SW",
    FlagCategory.MERGED_WORDS.value: "MG",
    FlagCategory.MISSING_TEXT.value: "MT",
    FlagCategory.CASE_OR_PUNCTUATION.value: "CP",
}

PAGE_CSV_EXTRA = ("corrected_cer", "corrected_wer", "corrected_body_cer", "corrected_body_wer")
PAGE_CSV_REVIEW = ("review_flags", "review_decided", "review_status")
FLAG_CSV_COLUMNS = (
    "document",
    "page",
    "key",
    "source",
    "category",
    "start",
    "end",
    "text",
    "suggestions",
    "confidence",
    "stale",
    "decision",
    "decision_text",
    "reviewer",
    "decided_at",
    "note",
)


def format_rate(value: float | None) -> str:
    """A rate (a fraction) as the report prints it: percent with two decimals, e.g. '3.21 %'."""
    if value is None:
        return "–"
    return f"{100 * value:.2f} %"


def format_count(value: int | None) -> str:
    """A count as the report prints it; '–' when unknown."""
    return "–" if value is None else str(value)


def shown(text: str) -> str:
    """A short fragment (an example, a confusion) with its whitespace made visible; '∅' for nothing."""
    if text == "":
        return "∅"
    return text.replace(" ", "␣").replace("\n", "↵").replace("\t", "⇥")


def _category_name(value: str) -> str:
    return str(value).replace("_", " ")


def _json_text(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


@functools.cache
def _environment() -> jinja2.Environment:
    # One environment per process: it keeps the templates it compiled (a report of every document would
    # otherwise parse and compile document.html.j2 again for each). It holds no per-report state.
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("workbench", "data/report"),
        autoescape=True,  # every template, whatever its suffix: untrusted text is everywhere here
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    environment.filters.update(
        pct=format_rate,
        count_text=format_count,
        shown=shown,
        category_name=_category_name,
        category_code=lambda value: CATEGORY_CODES.get(value, "?"),
        json_text=_json_text,
    )
    return environment


def data_uri(svg: str) -> str:
    """An SVG as a data: URI for an <img>: embedded in the page, and inert (an <img> runs no script)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def chart_svgs(metrics: dict) -> dict[str, str]:
    """The SVG of every chart the figures allow, keyed as in CHART_FILES."""
    out: dict[str, str] = {}
    pages = metrics.get("pages") or []
    if pages:
        corrected = metrics.get("corrected")
        corrected_by_page = {p["page"]: p for p in corrected["pages"]} if corrected else None
        svg = charts.cer_bars_svg(
            [p["page"] for p in pages],
            full=[p["cer"] for p in pages],
            body=[p["body_cer"] for p in pages],
            corrected=[corrected_by_page[p["page"]]["body_cer"] for p in pages] if corrected_by_page else None,
        )
        if svg:
            out["cer_by_page"] = svg
    counts = {row["category"]: row["count"] for row in metrics.get("error_categories") or []}
    evaluation = metrics.get("flag_evaluation")
    raised = {name: row["predicted"] for name, row in evaluation["by_category"].items()} if evaluation else {}
    # Gold categories by frequency, then those only the gold-free flagger raised.
    names = [*counts, *(name for name, n in raised.items() if n and name not in counts)]
    if names:
        svg = charts.flags_by_category_svg(
            names,
            counts=[counts.get(name, 0) for name in names],
            predicted=[raised.get(name, 0) for name in names] if evaluation else None,
        )
        if svg:
            out["flags_by_category"] = svg
    confusions = (metrics.get("confusions") or [])[:TOP_CONFUSIONS_CHARTED]
    if confusions:
        svg = charts.confusions_svg(
            [(row["gold"], row["ocr"]) for row in confusions], counts=[row["count"] for row in confusions]
        )
        if svg:
            out["confusions"] = svg
    return out


def render_html(report: Report, svgs: dict[str, str] | None = None) -> str:
    """The self-contained HTML of one document's report (charts embedded as data: URIs)."""
    svgs = chart_svgs(report.metrics) if svgs is None else svgs
    corrected = report.metrics.get("corrected")
    template = _environment().get_template("document.html.j2")
    return template.render(
        m=report.metrics,
        pages=report.pages,
        flag_count=len(report.flags),
        charts={name: data_uri(svg) for name, svg in svgs.items()},
        chart_files=[CHART_FILES[name] for name in svgs],
        corrected_by_page={p["page"]: p for p in corrected["pages"]} if corrected else {},
        category_codes=CATEGORY_CODES,
        chart_confusions=min(TOP_CONFUSIONS_CHARTED, len(report.metrics.get("confusions") or ())),
    )


# A cell that starts with one of these is a formula to a spreadsheet (CSV injection: a reviewer named
# =HYPERLINK(...), OCR reading +cmd|...): OWASP's advice is a leading apostrophe, which spreadsheets show
# as text. Only the CSV files get it; metrics.json keeps the exact text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """`value` as a CSV cell no spreadsheet runs: text starting with = + - @, a tab or a carriage return gets a
    leading apostrophe; numbers (a negative CER delta) and other text stay as they are."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def _csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def _scalar_keys(entries: Sequence[dict]) -> list[str]:
    keys: list[str] = []
    for entry in entries:
        for key, value in entry.items():
            if key not in keys and not isinstance(value, dict | list):
                keys.append(key)
    return keys


def pages_csv(report: Report) -> str:
    """One row per page of the document: every per-page figure of metrics.json, then the corrected
    transcript's CER/WER and the page's review progress (empty where there is none)."""
    pages = report.metrics.get("pages") or []
    keys = _scalar_keys(pages) or ["page"]
    corrected = report.metrics.get("corrected")
    fixed_by_page = {p["page"]: p for p in corrected["pages"]} if corrected else {}
    review = report.metrics.get("review")
    review_by_page = {p["page"]: p for p in review["pages"]} if review else {}
    header = [*keys, *PAGE_CSV_EXTRA, *PAGE_CSV_REVIEW]
    entries = {p["page"]: p for p in pages}
    rows = []
    for number in range(1, report.document.page_count + 1):
        entry = entries.get(number, {"page": number})
        fixed = fixed_by_page.get(number, {})
        progress = review_by_page.get(number, {})
        rows.append(
            [entry.get(key, "") for key in keys]
            + [fixed.get(key.removeprefix("corrected_"), "") for key in PAGE_CSV_EXTRA]
            + [progress.get(key.removeprefix("review_"), "") for key in PAGE_CSV_REVIEW]
        )
    return _csv_text(header, rows)


def flags_csv(report: Report) -> str:
    """One row per flag: where it is, what it says, and the decision in force on it (empty if none)."""
    rows = []
    for row in report.flags:
        flag, decision = row.flag, row.decision
        rows.append(
            [
                flag.document,
                flag.page,
                flag.key,
                flag.source.value,
                flag.category.value,
                flag.start,
                flag.end,
                flag.text,
                json.dumps(list(flag.suggestions), ensure_ascii=False),
                flag.confidence,
                "yes" if row.stale else "no",
                decision.action.value if decision else "",
                (decision.text or "") if decision else "",
                decision.reviewer if decision else "",
                decision.time if decision else "",
                decision.note if decision else "",
            ]
        )
    return _csv_text(FLAG_CSV_COLUMNS, rows)


@dataclass(frozen=True, slots=True)
class Written:
    """The files one report wrote, in the order written (index.html last)."""

    folder: Path
    files: tuple[Path, ...]

    @property
    def index(self) -> Path:
        return self.folder / "index.html"


@dataclass(frozen=True, slots=True)
class RenderedReport:
    """A report's files as text, not yet written: what a batch task sends back (the HTML, JSON, CSV and
    charts are drawn where the task runs; only the client writes them). `files` holds (file name, text) in
    the order they are written, index.html last; `removed` the chart files this report does not draw."""

    files: tuple[tuple[str, str], ...]
    removed: tuple[str, ...]


def render_report(report: Report) -> RenderedReport:
    """Every file of the report as text: the charts it draws, metrics.json, pages.csv, flags.csv, index.html."""
    svgs = chart_svgs(report.metrics)
    charts_drawn = tuple((file_name, svgs[name]) for name, file_name in CHART_FILES.items() if name in svgs)
    return RenderedReport(
        files=(
            *charts_drawn,
            ("metrics.json", metrics_json(report.metrics)),
            ("pages.csv", pages_csv(report)),
            ("flags.csv", flags_csv(report)),
            ("index.html", render_html(report, svgs)),
        ),
        removed=tuple(file_name for name, file_name in CHART_FILES.items() if name not in svgs),
    )


def write_rendered(rendered: RenderedReport, out: Path) -> Written:
    """Write a rendered report's files into `out`, each atomically, and remove the chart files it does not
    draw (e.g. no confusions), so the folder never mixes runs."""
    out = Path(out)
    for file_name in rendered.removed:
        (out / file_name).unlink(missing_ok=True)
    return Written(out, tuple(write_file(out / file_name, text) for file_name, text in rendered.files))


def write_report(report: Report, out: Path) -> Written:
    """Write index.html, metrics.json, pages.csv, flags.csv and the charts into `out` (`render_report`,
    then `write_rendered`)."""
    return write_rendered(render_report(report), out)


def metrics_json(metrics: dict) -> str:
    """metrics.json's text: indented UTF-8 JSON; a NaN or infinity is refused (JSON has no such numbers)."""
    return json.dumps(metrics, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_file(path: Path, text: str) -> Path:
    """Write one report file atomically; returns its path."""
    atomic_write_text(path, text)
    return path


COLLECTION_CHART = "cer_by_document.svg"


def collection_chart_svg(entries: Sequence[CollectionEntry]) -> str | None:
    """Bars of full-page and body CER per document that has figures; None when none has."""
    measured = [e for e in entries if e.figures]
    if not measured:
        return None
    return charts.cer_bars_svg(
        [e.id for e in measured],
        full=[e.figures["cer"] for e in measured],
        body=[e.figures["body_cer"] for e in measured],
        xlabel="document",
    )


def render_collection_html(
    entries: Sequence[CollectionEntry],
    *,
    generated: str,
    metrics_version: str,
    chart: str | None = None,
    sample: dict | None = None,
) -> str:
    """The collection index: one row per document with its headline figures and a link to its report, and
    the collection's CER estimated from its checked pages (`sample`, when some have gold)."""
    template = _environment().get_template("collection.html.j2")
    return template.render(
        sample=sample,
        entries=entries,
        generated=generated,
        metrics_version=metrics_version,
        chart=data_uri(chart) if chart else None,
        chart_file=COLLECTION_CHART,
    )


COLLECTION_CSV_COLUMNS = (
    "document", "title", "variant", "pages", "cer", "wer", "body_cer", "body_wer", "flags", "decided", "report",
)


def collection_csv(entries: Sequence[CollectionEntry]) -> str:
    """One row per document: its headline figures (empty without gold or OCR) and its report's path."""
    rows = []
    for entry in entries:
        d = entry.figures or {}
        rows.append(
            [entry.id, entry.title, entry.variant, entry.page_count, d.get("cer", ""), d.get("wer", ""),
             d.get("body_cer", ""), d.get("body_wer", ""), (entry.review or {}).get("flags", ""),
             (entry.review or {}).get("decided", ""), entry.link or ""]
        )
    return _csv_text(COLLECTION_CSV_COLUMNS, rows)
