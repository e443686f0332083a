"""The records a report is made of: built once from the collection's state, then rendered to files."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.linediff import Line, Region, Segment, lines
from workbench.models import Decision, Document, Flag


@dataclass(frozen=True, slots=True)
class PageView:
    """One page of the side-by-side view: aligned segments when both OCR and gold exist, else the OCR alone.

    `score` is the page's entry of metrics.json `pages` (None without gold or OCR); `note` says what is
    missing, in words, when something is.
    """

    number: int
    segments: tuple[Segment, ...] = ()
    regions: tuple[Region, ...] = ()  # body and markings of the gold page, to label the lines
    ocr: str | None = None
    score: dict | None = None
    note: str = ""

    @property
    def lines(self) -> tuple[Line, ...]:
        """The segments as OCR lines beside their gold (see `linediff.lines`)."""
        return lines(self.segments, regions=self.regions)


@dataclass(frozen=True, slots=True)
class FlagRow:
    """A flag of the document and the decision in force on it (None when undecided)."""

    flag: Flag
    decision: Decision | None = None
    stale: bool = False  # the flagger no longer raises it (OCR or gold changed); its decision still counts


@dataclass(frozen=True, slots=True)
class Report:
    """Everything one document's report shows.

    `metrics` is exactly what metrics.json holds (JSON types only); every figure in the HTML and CSV files
    is read from it. `pages` and `flags` carry the texts behind the side-by-side view and flags.csv.
    """

    document: Document
    metrics: dict
    pages: tuple[PageView, ...]
    flags: tuple[FlagRow, ...]


@dataclass(frozen=True, slots=True)
class CollectionEntry:
    """One document's line in the collection index: headline figures from its metrics.json, its report link."""

    id: str
    title: str
    variant: str
    page_count: int
    figures: dict | None  # metrics.json `document` entry, None without gold or OCR
    link: str | None  # relative path of the document's index.html, None when no report was written
    note: str = ""
    review: dict | None = None  # metrics.json `review` entry, None before any review
