"""Accuracy reports: one document's report (HTML, metrics.json, pages.csv, flags.csv, SVG charts) and the
collection's index.

`build` gathers the figures from the metric, flag and review code (it computes none itself); `render`
writes them out. The HTML is one self-contained file: inline CSS, charts embedded, no URL to fetch.
"""

from workbench.report.api import write_collection_report, write_document_report
from workbench.report.build import build_report

__all__ = ["build_report", "write_collection_report", "write_document_report"]
