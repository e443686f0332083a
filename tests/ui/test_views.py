"""The page view models: plain functions the pages lay out."""

from __future__ import annotations

import io

from PIL import Image

from workbench import views


def png_bytes(size=(120, 80)) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", size, 255).save(buffer, format="PNG")
    return buffer.getvalue()


def test_default_document_prefers_the_briefing_paper_then_its_variants():
    assert views.default_document(["a", "us-japan-1974", "z"]) == "us-japan-1974"
    assert views.default_document(["a", "us-japan-1974-clean", "us-japan-1974-poor"]) == "us-japan-1974-clean"
    assert views.default_document(["b", "c"]) == "b"
    assert views.default_document([]) is None


def decision(key: str, action: str, event_id: int, *, ref: int | None = None, text: str | None = None):
    from workbench.models import Decision, DecisionAction

    return Decision("doc", key, DecisionAction(action), text, "ann", "2026-11-26T13:00:00Z", id=event_id, ref=ref)




def test_report_rows_for_the_charts():
    raw = {
        "pages": [{"page": 1, "cer": 0.05, "wer": 0.1}, {"page": 2, "cer": 0.02, "wer": None}],
        "confusions": [{"gold": " ", "ocr": "", "count": 7}, {"gold": "l", "ocr": "1", "count": 3}],
    }
    corrected = {"pages": [{"page": 1, "cer": 0.01, "wer": 0.02}]}
    rows = views.score_rows(raw, corrected)
    assert {"page": 1, "measure": "CER", "version": "corrected", "percent": 1.0} in rows
    assert len(rows) == 5  # page 2 has no WER
    assert views.score_rows(None) == []
    assert views.confusion_rows(raw, top=1) == [{"confusion": "␣ → ∅", "count": 7}]
    assert views.page_cer(raw) == {1: 0.05, 2: 0.02}
    flags = {1: [make_flag(1, 0, "tbe"), make_flag(1, 5, "tbe"), make_flag(1, 9, "GDS", "stamp_noise")]}
    assert views.category_rows(flags)[0] == {"category": "misread_word", "source": "gold", "flags": 2}
    assert views.precision_recall_rows(None) == []


def make_flag(page: int, start: int, text: str, category: str = "misread_word", confidence: float = 1.0):
    from workbench.models import Flag, FlagCategory

    return Flag("doc", page, start, start + len(text), text, FlagCategory(category), ("x",), confidence)


def test_corrected_evaluation_scores_the_decisions_in_force(ui_collection):
    from workbench import review
    from workbench.store import open_store

    document = ui_collection.document("memo-1975")
    store = open_store()
    flags = [f for page in views.document_flags(ui_collection, document).values() for f in page]
    review.sync_flags(store, "memo-1975", flags)
    assert views.corrected_evaluation(ui_collection, store, document) is None  # nothing decided yet
    raw = views.evaluation(ui_collection, document)
    review.accept_all(store, "memo-1975", reviewer="ann")
    corrected = views.corrected_evaluation(ui_collection, store, document)
    assert corrected["document"]["body_cer"] < raw["document"]["body_cer"]


def test_precision_recall_rows_come_from_the_flag_evaluation(ui_collection):
    rows = views.precision_recall_rows(views.flag_evaluation(ui_collection, ui_collection.document("memo-1975")))
    assert rows[0]["category"] == "all" and rows[0]["gold flags"] > 0
    assert views.flag_evaluation(ui_collection, ui_collection.document("notes")) is None  # no gold


def test_box_styles_colour_flagged_words_and_outline_the_selected_line(ui_collection):
    from workbench.ocr.store import load_ocr_page

    ocr = load_ocr_page(ui_collection, "memo-1975", 1)
    flags = views.document_flags(ui_collection, ui_collection.document("memo-1975"))[1]
    misread = next(f for f in flags if f.text == "arned")
    styles = views.page_box_styles(ocr, [misread], selected_line=1)
    assert sum(s.colour == views.WORD_COLOUR for s in styles) == len(ocr.words)
    assert [s.box for s in styles if s.colour == views.CATEGORY_COLOURS["misread_word"]] == list(misread.boxes)
    line = views.line_box(ocr, 1)
    assert styles[-1].colour == views.SELECTED_COLOUR and styles[-1].box.left == line.left - 6
    assert views.line_box(ocr, 99) is None
    assert views.flag_box(misread) == misread.boxes[0]


def test_flag_shown_in_its_ocr_and_gold_lines(ui_collection):
    document = ui_collection.document("memo-1975")
    page = views.compare_page(ui_collection, document, 1)
    flag = next(f for f in views.document_flags(ui_collection, document)[1] if f.text == "arned")
    ocr = views.ocr_in_context(page.ocr.text, flag.start, flag.end)
    assert (ocr.before, ocr.text, ocr.after) == ("to recognise an ", "arned", " attack <script>")
    gold = views.gold_in_context(page, flag)
    assert gold.text == "armed" and gold.before.endswith("an ") and gold.after.startswith(" attack")
    assert views.suggestion_label("") == "(delete)" and views.suggestion_label("armed") == "armed"
    assert views.gold_in_context(views.compare_page(ui_collection, ui_collection.document("notes"), 1), flag) is None
