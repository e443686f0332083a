"""Accuracy reports: the HTML parses, is self-contained, shows the figures of metrics.json and escapes
hostile text; the CSVs have one row per page / flag; the figures are those of `workbench evaluate`."""

from __future__ import annotations

import csv
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import lxml.etree
import lxml.html
import pytest

from workbench.cli import main
from workbench.corpus import page_stem, write_manifest
from workbench.models import DecisionAction, Document, Flag, OcrPage, PageRef
from workbench.ocr.store import save_ocr_page
from workbench.report import write_collection_report, write_document_report
from workbench.report.render import CHART_FILES, format_rate

DATA = Path(__file__).resolve().parent / "data" / "report"
DOC = "memo-1974"
HOSTILE = "<script>alert(1)</script>"
HOSTILE_NAME = '<img src=x onerror="alert(2)">'


def make_document(collection, doc_id: str, *, title: str, gold: bool = True, ocr: bool = True) -> Document:
    """A two-page document from tests/data/report: gold with markings, OCR with errors and a hostile line."""
    pages = tuple(PageRef(doc_id, n) for n in (1, 2))
    document = Document(
        id=doc_id,
        title=title,
        pages=pages,
        date="1974-11",
        variant="typical",
        gold=doc_id if gold else None,
        manifest_path=collection.manifest_path(doc_id),
    )
    write_manifest(document, collection.manifest_path(doc_id))
    if gold:
        folder = collection.gold_dir(doc_id)
        folder.mkdir(parents=True)
        for number in (1, 2):
            shutil.copyfile(DATA / f"gold-{number:03d}.txt", folder / f"{page_stem(number)}.txt")
        shutil.copyfile(DATA / "gold-001.markings.json", folder / "page-001.markings.json")
    if ocr:
        for number in (1, 2):
            text = (DATA / f"ocr-{number:03d}.txt").read_text(encoding="utf-8")
            options = {"psm": 3, "lang": "eng", "scan": "ab"[number - 1] + ".png"}
            page = OcrPage(doc_id, number, text, engine="tesseract 5.3.0", options=options)
            save_ocr_page(collection, page)
    return collection.document(doc_id)


@pytest.fixture
def memo(tmp_collection):
    make_document(tmp_collection, DOC, title=f"Memo {HOSTILE_NAME} & co")
    return tmp_collection


VOID = {"meta", "img", "br", "col", "hr", "link", "input"}


class _TagBalance(HTMLParser):
    """Checks that every element opened is closed, in order (lxml alone would silently repair the tree)."""

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
        else:
            self.stack.pop()


def _assert_well_formed(source: str) -> None:
    checker = _TagBalance()
    checker.feed(source)
    checker.close()
    assert checker.errors == [] and checker.stack == []


def _html(path: Path):
    return lxml.html.fromstring(path.read_text(encoding="utf-8"))


def _text(element) -> str:
    return " ".join(element.text_content().split())


def test_report_writes_every_file_and_metrics_equal_evaluate_json(memo, tmp_path, capsys):
    out = tmp_path / "out"
    report, written = write_document_report(memo, DOC, out=out)
    names = {p.name for p in written.files}
    assert {"index.html", "metrics.json", "pages.csv", "flags.csv", *CHART_FILES.values()} <= names
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics == report.metrics
    assert main(["evaluate", DOC, "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert metrics["document"] == printed["document"]
    assert metrics["pages"] == printed["pages"]
    assert metrics["metrics_version"]
    # Hostile text survives the JSON round trip untouched (json.dumps, never a text template).
    assert metrics["source"]["title"] == f"Memo {HOSTILE_NAME} & co"
    examples = [e["ocr"] for row in metrics["error_categories"] for e in row["examples"]]
    assert HOSTILE in examples
    assert metrics["source"]["ocr"] == {
        "engines": ["tesseract 5.3.0"],
        "options": {"psm": 3, "lang": "eng"},
        "pages": [{"page": 1, "engine": "tesseract 5.3.0", "scan": "a.png"},
                  {"page": 2, "engine": "tesseract 5.3.0", "scan": "b.png"}],
    }


def test_html_parses_and_shows_every_figure_of_metrics_json(memo, tmp_path):
    out = tmp_path / "out"
    write_document_report(memo, DOC, out=out)
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    html = _html(out / "index.html")
    for key in ("cer", "wer", "body_cer", "body_wer"):
        (shown,) = html.xpath(f'//*[@data-figure="document.{key}"]')
        assert _text(shown) == format_rate(metrics["document"][key])
    assert metrics["pages"] and len(metrics["pages"]) == 2
    for page in metrics["pages"]:
        (row,) = html.xpath(f'//tr[@id="page-row-{page["page"]}"]')
        cells = [_text(td) for td in row.xpath("./td")]
        for key in ("cer", "wer", "body_cer", "body_wer"):
            assert format_rate(page[key]) in cells
        for key in ("gold_chars", "substitutions", "insertions", "deletions"):
            assert str(page[key]) in cells
    confusions = _text(html.get_element_by_id("confusions"))
    assert metrics["confusions"]
    for row in metrics["confusions"]:
        assert str(row["count"]) in confusions
    category_rows = {
        _text(tr[0]): _text(tr[1]) for tr in html.get_element_by_id("categories").xpath(".//tbody/tr")
    }
    assert metrics["error_categories"]
    for row in metrics["error_categories"]:
        assert category_rows[row["category"].replace("_", " ")] == str(row["count"])


def test_hostile_ocr_and_title_are_shown_as_text_and_run_nothing(memo, tmp_path):
    out = tmp_path / "out"
    write_document_report(memo, DOC, out=out)
    source = (out / "index.html").read_text(encoding="utf-8")
    _assert_well_formed(source)
    html = lxml.html.fromstring(source)
    assert html.xpath("//script") == []
    assert html.xpath("//*[@onerror]") == []
    assert all(img.get("src", "").startswith("data:image/svg+xml;base64,") for img in html.xpath("//img"))
    assert HOSTILE not in source and "&lt;script&gt;alert(1)&lt;/script&gt;" in source
    side_by_side = html.get_element_by_id("page-1").text_content()
    assert HOSTILE in side_by_side
    assert HOSTILE_NAME in html.findtext(".//title")
    assert HOSTILE_NAME in _text(html.xpath("//h1")[0])


def test_html_is_self_contained(memo, tmp_path):
    out = tmp_path / "out"
    write_document_report(memo, DOC, out=out)
    html = _html(out / "index.html")
    for element in html.xpath("//*[@src or @href]"):
        link = element.get("src") or element.get("href")
        assert link.startswith(("#", "data:")), link
    assert html.xpath("//link") == []
    assert html.xpath("//style")  # the CSS is inline
    assert "@media print" in html.xpath("//style")[0].text


def test_pages_csv_has_one_row_per_page_with_the_figures(memo, tmp_path):
    out = tmp_path / "out"
    report, _ = write_document_report(memo, DOC, out=out)
    with open(out / "pages.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["page"]) for r in rows] == [1, 2]
    for row, page in zip(rows, report.metrics["pages"], strict=True):
        assert float(row["cer"]) == page["cer"]
        assert int(row["gold_chars"]) == page["gold_chars"]


def _review_some(collection, doc_id: str, *, reviewer: str) -> list[Flag]:
    """Store the gold flags of the document and accept all but the last one as `reviewer`."""
    from workbench.flags.gold import gold_flags
    from workbench.ocr.store import load_ocr_pages
    from workbench.review import decide, flag_states, sync_flags
    from workbench.store import open_store

    document = collection.document(doc_id)
    golds = collection.gold_pages(document)
    markings = [m for g in golds for m in g.markings]
    flags = [
        f
        for page, gold in zip(load_ocr_pages(collection, document), golds, strict=True)
        for f in gold_flags(page, gold, document_markings=markings)
    ]
    store = open_store()
    sync_flags(store, doc_id, flags)
    states = flag_states(store, doc_id)
    for state in states[:-1]:
        decide(store, doc_id, state.key, action=DecisionAction.ACCEPT, reviewer=reviewer, version=state.version)
    return flags


def test_flags_csv_has_one_row_per_flag_with_its_decision(memo, tmp_path):
    flags = _review_some(memo, DOC, reviewer=HOSTILE_NAME)
    out = tmp_path / "out"
    write_document_report(memo, DOC, out=out)
    with open(out / "flags.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(flags) >= 4
    assert sorted(r["key"] for r in rows) == sorted(f.key for f in flags)
    decided = [r for r in rows if r["decision"]]
    assert len(decided) == len(flags) - 1
    assert {r["decision"] for r in decided} == {"accept"}
    assert {r["reviewer"] for r in decided} == {HOSTILE_NAME}
    hostile = next(r for r in rows if r["text"] == HOSTILE)
    assert json.loads(hostile["suggestions"]) == [""]


def test_review_progress_reviewers_and_corrected_transcript_are_reported(memo, tmp_path):
    from workbench.review import set_page_status
    from workbench.store import open_store

    flags = _review_some(memo, DOC, reviewer=HOSTILE_NAME)
    store = open_store()
    set_page_status(store, DOC, 1, "in_review", reviewer=HOSTILE_NAME)
    set_page_status(store, DOC, 1, "reviewed", reviewer=HOSTILE_NAME, despite_open_flags=True)
    set_page_status(store, DOC, 1, "validated", reviewer="bo", despite_open_flags=True)  # by a second reviewer
    out = tmp_path / "out"
    report, _ = write_document_report(memo, DOC, out=out)
    review = report.metrics["review"]
    assert (review["flags"], review["decided"]) == (len(flags), len(flags) - 1)
    assert [(r["name"], r["decisions"], r["page_statuses"]) for r in review["reviewers"]] == [
        (HOSTILE_NAME, len(flags) - 1, 2),
        ("bo", 0, 1),
    ]
    assert review["pages_done"] == 1
    assert review["sources"] == {"gold": len(flags)}
    assert [p["status"] for p in review["pages"]] == ["validated", "not_reviewed"]
    corrected = report.metrics["corrected"]
    assert corrected["changes"] == len(flags) - 1
    assert corrected["document"]["body_cer"] < report.metrics["document"]["body_cer"]
    html = _html(out / "index.html")
    assert html.xpath("//*[@onerror]") == []
    section = _text(html.get_element_by_id("review"))
    assert f"{len(flags) - 1} of {len(flags)} flags decided" in section
    assert HOSTILE_NAME in section
    (shown,) = html.xpath('//*[@data-figure="corrected.document.body_cer"]')
    assert _text(shown) == format_rate(corrected["document"]["body_cer"])
    with open(out / "pages.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [float(r["corrected_body_cer"]) for r in rows] == [p["body_cer"] for p in corrected["pages"]]
    assert [(int(r["review_decided"]), r["review_status"]) for r in rows] == [
        (p["decided"], p["status"]) for p in review["pages"]
    ]


def test_missing_ocr_and_gold_empty_their_sections_with_a_reason(tmp_collection, tmp_path):
    make_document(tmp_collection, "no-ocr", title="Not read yet", ocr=False)
    make_document(tmp_collection, "no-gold", title="No gold", gold=False)
    report, written = write_document_report(tmp_collection, "no-ocr", out=tmp_path / "a")
    assert report.metrics["document"] is None and report.metrics["pages"] is None
    assert "workbench import-ocr no-ocr FILE" in report.metrics["missing"]["document"]
    html = _html(written.index)
    assert "workbench import-ocr no-ocr FILE" in _text(html.get_element_by_id("accuracy"))
    assert not (tmp_path / "a" / "cer_by_page.svg").exists()
    with open(tmp_path / "a" / "pages.csv", newline="", encoding="utf-8") as handle:
        assert [r["page"] for r in csv.DictReader(handle)] == ["1", "2"]

    report, written = write_document_report(tmp_collection, "no-gold", out=tmp_path / "b")
    assert report.metrics["document"] is None
    assert "no gold" in report.metrics["missing"]["document"]
    _assert_well_formed(written.index.read_text(encoding="utf-8"))
    assert report.metrics["flag_evaluation"] is None and report.metrics["error_categories"] is None
    html = _html(written.index)
    assert "scored against the flags the gold gives" in _text(html.get_element_by_id("flagger"))
    assert "comparing the OCR with it" in _text(html.get_element_by_id("categories"))
    assert HOSTILE in html.get_element_by_id("page-1").text_content()  # the OCR alone is still shown
    assert html.xpath("//script") == []


def test_collection_report_estimates_the_cer_from_the_pages_with_gold(tmp_collection):
    make_document(tmp_collection, DOC, title="Memo")
    make_document(tmp_collection, "unchecked", title="No gold", gold=False)
    assert main(["report", "--all"]) == 0
    summary = json.loads((tmp_collection.reports / "metrics.json").read_text(encoding="utf-8"))
    memo = json.loads((tmp_collection.reports / DOC / "metrics.json").read_text(encoding="utf-8"))
    sample = summary["sample"]
    assert (sample["pages_checked"], sample["pages"]) == (2, 4)
    assert sample["cer"] == memo["document"]["cer"]  # the same pooling over the same pages
    assert sample["text"].startswith("2 of 4 pages checked: CER ")
    assert sample["interval"]["low"] <= sample["cer"] <= sample["interval"]["high"]
    html = _html(tmp_collection.reports / "index.html")
    assert sample["text"] in _text(html.get_element_by_id("sample-estimate"))


def test_collection_report_links_each_documents_report(tmp_collection, tmp_path, capsys):
    make_document(tmp_collection, DOC, title="Memo")
    make_document(tmp_collection, "no-ocr", title="Not read yet", ocr=False)
    flags = _review_some(tmp_collection, DOC, reviewer="ann")
    assert main(["report", "--all"]) == 0
    root = tmp_collection.reports
    _assert_well_formed((root / "index.html").read_text(encoding="utf-8"))
    html = _html(root / "index.html")
    links = {a.get("href") for a in html.xpath("//a")}
    assert links == {f"{DOC}/index.html", "no-ocr/index.html"}
    for link in links:
        assert (root / link).is_file()
    summary = json.loads((root / "metrics.json").read_text(encoding="utf-8"))
    memo_metrics = json.loads((root / DOC / "metrics.json").read_text(encoding="utf-8"))
    (entry,) = [d for d in summary["documents"] if d["id"] == DOC]
    assert entry["document"] == memo_metrics["document"]
    assert entry["review"]["decided"] == memo_metrics["review"]["decided"] == len(flags) - 1
    (row,) = html.xpath(f'//tr[.//a[@href="{DOC}/index.html"]]')
    cells = [_text(td) for td in row.xpath("./td")]
    assert format_rate(memo_metrics["document"]["body_cer"]) in cells
    assert cells[-1] == f"{len(flags) - 1} / {len(flags)}"
    with open(root / "documents.csv", newline="", encoding="utf-8") as handle:
        assert [r["document"] for r in csv.DictReader(handle)] == [DOC, "no-ocr"]
    assert (root / "cer_by_document.svg").is_file()
    assert [img.get("src")[:26] for img in html.xpath("//img")] == ["data:image/svg+xml;base64,"]
    assert f"wrote {root / 'index.html'}" in capsys.readouterr().out


def test_report_command_writes_into_reports_doc_and_names_a_missing_document(memo, capsys):
    assert main(["report", DOC]) == 0
    out = capsys.readouterr().out
    assert (memo.reports / DOC / "index.html").is_file()
    assert f"wrote {memo.reports / DOC / 'metrics.json'}" in out
    assert main(["report", "nothing-here"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nothing-here" in err and "manifest" in err


def test_charts_are_byte_identical_from_run_to_run_and_label_what_they_show(memo, tmp_path):
    report, _ = write_document_report(memo, DOC, out=tmp_path / "a", generated="2026-01-01T00:00:00Z")
    write_document_report(memo, DOC, out=tmp_path / "b", generated="2026-01-01T00:00:00Z")
    for name in (*CHART_FILES.values(), "index.html", "metrics.json", "pages.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    # the labels are SVG text elements
    categories = _svg_texts(tmp_path / "a" / "flags_by_category.svg")
    for row in report.metrics["error_categories"]:
        assert row["category"].replace("_", " ") in categories
    pages = _svg_texts(tmp_path / "a" / "cer_by_page.svg")
    assert {"CER (%)", "body", "full page", "page", "1", "2"} <= set(pages)


def _svg_texts(path: Path) -> list[str]:
    """The text of every <text> element of an SVG file (it must parse as XML)."""
    root = lxml.etree.fromstring(path.read_bytes())
    return [element.text for element in root.iter("{http://www.w3.org/2000/svg}text")]


def test_flagger_figures_equal_flag_evaluate_json(memo, tmp_path, capsys):
    out = tmp_path / "out"
    report, _ = write_document_report(memo, DOC, out=out)
    assert main(["flag", DOC, "--evaluate", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert report.metrics["flag_evaluation"] == printed
    html = _html(out / "index.html")
    (overall,) = html.xpath('//tr[@id="flagger-overall"]')
    cells = [_text(td) for td in overall.xpath("./td")]
    score = printed["overall"]
    assert cells[1:] == [format_rate(score["precision"]), format_rate(score["recall"]), format_rate(score["f1"]),
                         str(score["gold"]), str(score["gold_found"]), str(score["predicted"]),
                         str(score["predicted_correct"])]
    for name, score in printed["by_category"].items():
        rows = html.xpath(f'//tr[@id="flagger-{name}"]')
        assert len(rows) == (1 if score["gold"] or score["predicted"] else 0)
    counts = {row["category"]: row["count"] for row in report.metrics["error_categories"]}
    assert counts == {name: s["gold"] for name, s in printed["by_category"].items() if s["gold"]}


def test_infinite_rate_of_an_empty_gold_page_is_shown_as_a_dash(tmp_collection, tmp_path):
    make_document(tmp_collection, DOC, title="Memo")
    (tmp_collection.gold_dir(DOC) / "page-002.txt").write_text("", encoding="utf-8")
    report, written = write_document_report(tmp_collection, DOC, out=tmp_path / "out")
    page = report.metrics["pages"][1]
    assert page["cer"] is None  # evaluate's JSON for an infinite rate
    (row,) = _html(written.index).xpath('//tr[@id="page-row-2"]')
    assert [_text(td) for td in row.xpath("./td")][1:5] == ["–"] * 4
    assert (tmp_path / "out" / "cer_by_page.svg").is_file()


def test_collection_report_lists_a_failing_document_and_writes_the_others(tmp_collection, capsys):
    make_document(tmp_collection, DOC, title="Memo")
    make_document(tmp_collection, "broken", title="Broken words file")
    words = tmp_collection.ocr_dir("broken") / "page-001.words.json"
    words.write_text("{not json", encoding="utf-8")
    assert main(["report", "--all"]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and str(words) in captured.err
    assert (tmp_collection.reports / DOC / "index.html").is_file()
    html = _html(tmp_collection.reports / "index.html")
    assert {a.get("href") for a in html.xpath("//a")} == {f"{DOC}/index.html"}
    (row,) = html.xpath('//tr[td/code="broken"]')
    assert str(words) in _text(row)


def test_report_names_the_comparison_options_and_the_cer_interval(memo, tmp_path, capsys):
    report, written = write_document_report(memo, DOC, out=tmp_path / "out")
    assert main(["evaluate", DOC, "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert report.metrics["options"] == printed["options"]
    assert report.metrics["document"]["cer_interval"] == printed["document"]["cer_interval"]
    html = _html(written.index)
    assert _text(html.get_element_by_id("comparison-options")).startswith(printed["options"]["label"])
    interval = report.metrics["document"]["cer_interval"]
    assert interval["low"] <= report.metrics["document"]["cer"] <= interval["high"]
    assert format_rate(interval["low"]) in _text(html.get_element_by_id("cer-interval"))


def test_metrics_json_cites_the_version_of_the_metric_definitions(memo, tmp_path):
    from workbench.metrics import METRICS_VERSION

    report, written = write_document_report(memo, DOC, out=tmp_path / "out")
    assert report.metrics["metrics_version"] == METRICS_VERSION
    assert METRICS_VERSION in _text(_html(written.index).get_element_by_id("definitions"))


@pytest.fixture
def briefing_paper(tmp_collection, repo_collection):
    """A copy of us-japan-1974's manifest, gold and stored OCR (not its scans) in a throwaway collection."""
    doc = "us-japan-1974"
    shutil.copytree(repo_collection.gold_dir(doc), tmp_collection.gold_dir(doc))
    shutil.copytree(repo_collection.ocr_dir(doc), tmp_collection.ocr_dir(doc))
    tmp_collection.document_dir(doc).mkdir(parents=True)
    shutil.copyfile(repo_collection.manifest_path(doc), tmp_collection.manifest_path(doc))
    return tmp_collection, doc


def test_forecast_of_stamp_noise_and_hyphenation_is_the_cer_their_acceptance_gives(briefing_paper, tmp_path, capsys):
    _, doc = briefing_paper
    rules = ["stamp_noise", "broken_hyphenation"]
    before = tmp_path / "before"
    write_document_report(briefing_paper[0], doc, out=before)
    metrics = json.loads((before / "metrics.json").read_text(encoding="utf-8"))
    (forecast,) = [row for row in metrics["correction_forecast"] if row["categories"] == rules]
    assert forecast["body_cer"] < metrics["document"]["body_cer"]
    index = metrics["correction_forecast"].index(forecast)
    (shown,) = _html(before / "index.html").xpath(f'//*[@data-figure="correction_forecast.{index}.body_cer"]')
    assert _text(shown) == format_rate(forecast["body_cer"])

    args = ["review", doc, "--reviewer", "ann", "--accept", "--category", rules[0], "--category", rules[1]]
    assert main(args) == 0
    capsys.readouterr()
    after = tmp_path / "after"
    write_document_report(briefing_paper[0], doc, out=after)
    corrected = json.loads((after / "metrics.json").read_text(encoding="utf-8"))["corrected"]["document"]
    assert corrected["body_cer"] == pytest.approx(forecast["body_cer"], abs=1e-9)
    assert corrected["body_wer"] == pytest.approx(forecast["body_wer"], abs=1e-9)


def test_the_report_counts_and_lists_disputed_flags(memo, tmp_path):
    from workbench.review import decide, flag_states
    from workbench.store import open_store

    _review_some(memo, DOC, reviewer="ann")
    store = open_store()
    first = next(s for s in flag_states(store, DOC) if s.decision is not None)
    decide(store, DOC, first.key, action="keep_ocr", reviewer="bob", version=first.version, override=True,
           note="the scan <b>really</b> reads so")
    out = tmp_path / "out"
    report, _ = write_document_report(memo, DOC, out=out)
    review = report.metrics["review"]
    assert review["disputed"] == 1
    (dispute,) = review["disputes"]
    assert (dispute["page"], [side["reviewer"] for side in dispute["sides"]]) == (first.flag.page, ["ann", "bob"])
    assert dispute["sides"][1]["decision"] == "kept the OCR"
    page_row = next(p for p in review["pages"] if p["page"] == first.flag.page)
    assert page_row["disputed"] == 1
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "1 flag is disputed" in html and "the scan &lt;b&gt;really&lt;/b&gt; reads so" in html


@pytest.mark.parametrize("which", ["memo", "briefing_paper"])
def test_forecast_rows_equal_the_document_scored_from_scratch(which, request):
    """The forecast scores again only the pages a row changes; each row must equal evaluate_texts over every
    page of the corrected texts, exactly (the computation before that reuse)."""
    from workbench.evaluate import evaluate_texts, evaluation_dict
    from workbench.flags import apply_flags, flag_document
    from workbench.report.build import build_report

    collection, doc = (request.getfixturevalue("memo"), DOC) if which == "memo" else request.getfixturevalue(which)
    document = collection.document(doc)
    golds = collection.gold_pages(document)
    gold_flags = flag_document(collection, document, use_gold=True)
    forecast = build_report(collection, doc, generated="2026-01-01T00:00:00Z").metrics["correction_forecast"]
    assert forecast, "the document's OCR has errors, so the forecast has rows"
    ocr_texts = {page.number: text for page, text in zip(golds, _ocr_texts(collection, doc, golds), strict=True)}
    for row in forecast:
        chosen = [f for f in gold_flags if f.category.value in row["categories"]]
        texts = [apply_flags(ocr_texts[g.number], [f for f in chosen if f.page == g.number]) for g in golds]
        scratch = evaluation_dict(evaluate_texts(golds, texts))["document"]
        assert (row["body_cer"], row["body_wer"]) == (scratch["body_cer"], scratch["body_wer"])
        assert row["flags"] == len(chosen)


def _ocr_texts(collection, doc, golds):
    from workbench.ocr.store import load_ocr_page

    return [load_ocr_page(collection, doc, gold.number).text for gold in golds]


class _ReversingBatch:
    """A stand-in for workbench.batch.Batch that runs the tasks here and yields their results last first,
    as a cluster may complete them; it remembers the order they were given in."""

    def __init__(self):
        self.given: list[str] = []

    def map(self, function, tasks, *, shared):
        self.given = [task.name for task in tasks]
        done = [(index, function(*task.arguments(), **shared)) for index, task in enumerate(tasks)]
        yield from reversed(done)


def test_a_batch_gets_the_longest_documents_first_and_the_index_keeps_the_collections_order(tmp_collection, tmp_path):
    make_document(tmp_collection, "a-memo", title="A")
    make_document(tmp_collection, "b-memo", title="B")
    long = Document(id="c-long", title="Long", pages=tuple(PageRef("c-long", n) for n in (1, 2, 3)), gold=None,
                    manifest_path=tmp_collection.manifest_path("c-long"))
    write_manifest(long, tmp_collection.manifest_path("c-long"))
    batch = _ReversingBatch()
    generated = "2026-01-01T00:00:00Z"
    written = write_collection_report(tmp_collection, out=tmp_path / "out", batch=batch, generated=generated)
    assert batch.given == ["c-long", "a-memo", "b-memo"]
    assert [(e.id, e.title, e.page_count) for e in written.entries] == [("a-memo", "A", 2), ("b-memo", "B", 2),
                                                                       ("c-long", "Long", 3)]
    write_collection_report(tmp_collection, out=tmp_path / "serial", generated=generated)
    for name in ("metrics.json", "documents.csv", "index.html"):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "serial" / name).read_bytes()


def test_without_decisions_or_line_edits_the_corrected_transcript_is_the_ocr_as_the_transcript_says(memo, tmp_path):
    from workbench.store import open_store
    from workbench.transcript import evaluate_corrected

    report, _ = write_document_report(memo, DOC, out=tmp_path / "out")
    assert report.metrics["corrected"] is None
    assert report.metrics["missing"]["corrected"].startswith("No review decisions change the text yet")
    assert evaluate_corrected(memo, open_store(), DOC) is None  # what the report spares itself asking


def test_a_report_leaves_the_garbage_collector_as_it_found_it_and_writes_the_same_files(memo, tmp_path):
    import gc

    from workbench.errors import WorkbenchError
    from workbench.report.api import _earlier_objects_frozen

    frozen = gc.get_freeze_count()
    with _earlier_objects_frozen():
        assert gc.get_freeze_count() > frozen  # what existed is out of the collector's passes meanwhile
    assert gc.get_freeze_count() == frozen
    with pytest.raises(WorkbenchError):  # a report that fails puts them back too
        write_document_report(memo, "no-such-document", out=tmp_path / "none")
    assert gc.get_freeze_count() == frozen
    _, first = write_document_report(memo, DOC, out=tmp_path / "one", generated="2026-12-03T00:00:00Z")
    gc.collect()
    _, second = write_document_report(memo, DOC, out=tmp_path / "two", generated="2026-12-03T00:00:00Z")
    assert [p.read_bytes() for p in first.files] == [p.read_bytes() for p in second.files]
    assert gc.get_freeze_count() == frozen
