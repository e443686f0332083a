"""`workbench evaluate`: a document's stored OCR against its gold, per page and pooled for the document."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest

from workbench.cli import main
from workbench.corpus import page_stem
from workbench.errors import CorpusError, InputError
from workbench.evaluate import evaluate_document, evaluate_page, evaluation_dict, format_table
from workbench.fsutil import atomic_write_json
from workbench.metrics import cer, measure, wer
from workbench.models import GoldPage, Marking, MarkingKind, OcrPage, Zone
from workbench.normalize import DEFAULT, DINGLEHOPPER, char_units, word_units
from workbench.ocr.store import save_ocr_page

BODY_1 = "The security treaty of 1960\nremains the basis of our relations."
BODY_2 = "Okinawa reverted in 1972.\n\nBases remain."
STAMP = Marking("DECLASSIFIED Authority NND 969000", MarkingKind.DECLASSIFICATION_STAMP, Zone.TOP, "top-right")
PAGE_NUMBER = Marking("- 2 -", MarkingKind.PAGE_NUMBER, Zone.BOTTOM, "bottom-center")


def make_document(collection, doc_id="memo", *, gold="memo", pages=2, write_gold=True):
    """A document with gold pages (page 1 carries a stamp, page 2 a page number) in `collection`."""
    folder = collection.document_dir(doc_id)
    folder.mkdir(parents=True)
    atomic_write_json(
        folder / "manifest.json",
        {
            "id": doc_id,
            "title": "Memo",
            "gold": gold,
            "page_count": pages,
            "pages": [{"page": n, "scan": None, "sha256": None} for n in range(1, pages + 1)],
        },
    )
    if gold is None or not write_gold:
        return
    gold_dir = collection.gold_dir(gold)
    if gold_dir.exists():
        return
    gold_dir.mkdir(parents=True)
    for number, body, marking in ((1, BODY_1, STAMP), (2, BODY_2, PAGE_NUMBER))[:pages]:
        (gold_dir / f"{page_stem(number)}.txt").write_text(body + "\n", encoding="utf-8")
        atomic_write_json(
            gold_dir / f"{page_stem(number)}.markings.json",
            {
                "page": number,
                "markings": [
                    {"text": marking.text, "kind": marking.kind.value, "zone": marking.zone.value,
                     "placement": marking.placement}
                ],
            },
        )


OCR_1 = "DECLASSIFIED Authority NND 969000\nThe securlty treaty of 1960\nremains the basis of our\nrelations."
OCR_2 = "Okinawa reverted in 1972.\nBases remain\n- 2 -\n"


def store_ocr(collection, doc_id="memo", texts=(OCR_1, OCR_2)):
    for number, text in enumerate(texts, start=1):
        save_ocr_page(collection, OcrPage(document=doc_id, number=number, text=text))


def test_page_scores_use_the_full_page_and_the_body():
    gold = GoldPage(1, BODY_1 + "\n", (STAMP,))
    result = evaluate_page(gold, OCR_1)
    assert result.chars.rate == cer(gold.full_text, OCR_1) == pytest.approx(1 / 97)  # 33 + 1 + 63 clusters
    assert result.body_chars.rate == cer(BODY_1, OCR_1)
    # The stamp read into the page is no error against the full page; against the body it is 34 insertions.
    assert result.body_chars.distance == 35
    assert result.words.rate == wer(gold.full_text, OCR_1) == pytest.approx(1 / 15)
    assert result.body_words.rate == pytest.approx(5 / 11)
    assert result.confusions == {("i", "l"): 1}


def test_document_figures_pool_distances_over_gold_lengths(tmp_collection):
    make_document(tmp_collection)
    store_ocr(tmp_collection)
    evaluation = evaluate_document(tmp_collection, "memo")
    one, two = evaluation.pages
    score = evaluation.score()
    assert score.page is None
    assert score.cer == (one.chars.distance + two.chars.distance) / (one.chars.gold_length + two.chars.gold_length)
    assert score.body_wer == (one.body_words.distance + two.body_words.distance) / (
        one.body_words.gold_length + two.body_words.gold_length
    )
    assert score.gold_chars == one.chars.gold_length + two.chars.gold_length
    assert two.chars.distance == 1  # the full stop lost after "remain"
    assert two.body_chars.distance == 6  # against the body, "." -> " " and "- 2 -" from the page number


def test_json_has_document_and_page_rates_as_fractions(tmp_collection, capsys):
    make_document(tmp_collection)
    store_ocr(tmp_collection)
    assert main(["evaluate", "memo", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    evaluation = evaluate_document(tmp_collection, "memo")
    assert data == evaluation_dict(evaluation)
    assert set(data["document"]) >= {"cer", "wer", "body_cer", "body_wer"}
    assert [page["page"] for page in data["pages"]] == [1, 2]
    page_one = data["pages"][0]
    assert page_one["cer"] == evaluation.pages[0].chars.rate
    assert page_one["body_wer"] == evaluation.pages[0].body_words.rate
    assert 0 < data["document"]["body_cer"] < 1
    assert data["confusions"] == [{"gold": ".", "ocr": "", "count": 1}, {"gold": "i", "ocr": "l", "count": 1}]


def test_table_lists_every_page_and_the_document(tmp_collection, capsys):
    make_document(tmp_collection)
    store_ocr(tmp_collection)
    assert main(["evaluate", "memo"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[1].split()[:5] == ["page", "CER", "WER", "body", "CER"]
    table = lines[: lines.index("")]
    rows = {line.split()[0]: line.split() for line in table[3:] if not line.startswith("-")}
    assert set(rows) == {"1", "2", "all"}
    evaluation = evaluate_document(tmp_collection, "memo")
    assert rows["1"][1] == f"{100 * evaluation.pages[0].chars.rate:.2f}%"
    assert rows["all"][1] == f"{100 * evaluation.score().cer:.2f}%"
    assert "'i' -> 'l'" in out
    assert format_table(evaluation) == out.rstrip("\n")


def test_scan_variants_share_the_gold_their_manifest_names(tmp_collection):
    make_document(tmp_collection, "memo")
    make_document(tmp_collection, "memo-poor", gold="memo")
    store_ocr(tmp_collection, "memo-poor", (OCR_1, "Okinawa reverted in 1972. Bases remain. - 2 -"))
    evaluation = evaluate_document(tmp_collection, "memo-poor")
    assert evaluation.gold == "memo"
    assert evaluation.pages[1].chars.distance == 0


def test_missing_ocr_is_a_clear_error(tmp_collection, capsys):
    make_document(tmp_collection)
    store_ocr(tmp_collection, texts=(OCR_1,))
    with pytest.raises(InputError, match=r"page-002\.txt: no OCR for page 2 of 'memo'"):
        evaluate_document(tmp_collection, "memo")
    assert main(["evaluate", "memo"]) == 2
    assert "workbench evaluate: error:" in capsys.readouterr().err


def test_a_document_without_gold_is_refused(tmp_collection):
    make_document(tmp_collection, "nogold", gold=None)
    with pytest.raises(CorpusError, match=r"manifest\.json: document 'nogold' has no gold"):
        evaluate_document(tmp_collection, "nogold")
    make_document(tmp_collection, "lost", gold="lost-gold-folder", write_gold=False)
    with pytest.raises(CorpusError, match="lost-gold-folder: document 'lost' has no gold"):
        evaluate_document(tmp_collection, "lost")


def test_unknown_document_names_the_manifest(tmp_collection):
    with pytest.raises(CorpusError, match=r"nothing/manifest\.json: manifest not found"):
        evaluate_document(tmp_collection, "nothing")


def test_ocr_against_an_empty_gold_body_is_an_infinite_rate_shown_as_null(tmp_collection):
    make_document(tmp_collection, pages=1)
    (tmp_collection.gold_dir("memo") / "page-001.txt").write_text("\n", encoding="utf-8")
    store_ocr(tmp_collection, texts=("DECLASSIFIED Authority NND 969000 extra",))
    evaluation = evaluate_document(tmp_collection, "memo")
    assert math.isinf(evaluation.pages[0].body_chars.rate)
    data = evaluation_dict(evaluation)
    assert data["pages"][0]["body_cer"] is None
    assert data["pages"][0]["cer"] == pytest.approx(6 / 33)
    assert "inf" in format_table(evaluation)


def test_main_document_gold_against_itself_scores_zero(copied_collection):
    document = copied_collection.document("us-japan-1974")
    for gold in copied_collection.gold_pages(document):
        save_ocr_page(copied_collection, OcrPage("us-japan-1974", gold.number, gold.full_text.replace(" ", "\n")))
    score = evaluate_document(copied_collection, "us-japan-1974").score()
    assert (score.cer, score.wer) == (0.0, 0.0)
    assert score.body_cer > 0


@pytest.mark.slow
def test_the_stored_tesseract_ocr_scores_as_dinglehopper_scores_it(repo_collection):
    doc_id = "us-japan-1974-poor"  # the variant with the most OCR errors (about 20 % CER)
    reference_cer = pytest.importorskip("dinglehopper.character_error_rate", reason="dinglehopper not installed")
    reference_wer = pytest.importorskip("dinglehopper.word_error_rate", reason="dinglehopper not installed")
    from workbench.normalize import fold_whitespace
    from workbench.ocr.store import load_ocr_page

    evaluation = evaluate_document(repo_collection, doc_id)
    functions = (("cer", reference_cer.character_error_rate_n), ("wer", reference_wer.word_error_rate_n))
    pooled = {name: [0.0, 0] for name in ("cer", "wer", "body_cer", "body_wer")}
    for page in repo_collection.gold_pages(repo_collection.document(doc_id)):
        ocr = fold_whitespace(load_ocr_page(repo_collection, doc_id, page.number).text)
        for prefix, gold in (("", page.full_text), ("body_", page.body)):
            for name, function in functions:
                rate, length = function(fold_whitespace(gold), ocr)
                pooled[prefix + name][0] += rate * length
                pooled[prefix + name][1] += length
    score = evaluation.score()
    for name, (distance, length) in pooled.items():
        assert abs(getattr(score, name) - distance / length) <= 1e-9, name
    assert score.cer > 0.01


@pytest.mark.parametrize("options", [DEFAULT, DINGLEHOPPER], ids=["folded", "dinglehopper"])
def test_a_page_without_markings_scores_its_body_as_the_full_page(options):
    page = GoldPage(1, "The  quick\nbrown fox.\n")
    ocr = "Tbe quick brovvn fox"
    scored = evaluate_page(page, ocr, options=options)
    direct = measure(char_units(page.body, options=options), char_units(ocr, options=options))
    assert (scored.body_chars.distance, scored.body_chars.gold_length) == (direct.distance, direct.gold_length)
    words = measure(word_units(page.body, options=options), word_units(ocr, options=options))
    assert (scored.body_words.distance, scored.body_words.gold_length) == (words.distance, words.gold_length)


# French and German with combining marks (decomposed é, ü, and a letter with two marks), precomposed letters,
# and typical misreadings of them: the gold's units are cut once and reused, and must score as fresh ones do.
ACCENTED_GOLDS = [
    GoldPage(1, "Le traite\u0301 de se\u0301curite\u0301 fut signe\u0301 a\u0300 Paris.\nL'été, rien.", (STAMP,)),
    GoldPage(2, "Die Bu\u0308rger mu\u0308ssen u\u0308ber die Gro\u0308ße entscheiden.\nStraße"),
    GoldPage(3, "q\u0307\u0323 naïve coöperation, Œuvre », « citée »"),
]
ACCENTED_OCR = [
    "DECLASSIFIED Authority NND 969000\nLe traitc de securité fut signé à Paris.\nL'ete suivant, rlen.",
    "Die Burger müssen uber die Grofse entscheiden.\nStrasse",
    "q naive cooperation, OEuvre », « citee »",
]


@pytest.mark.parametrize("options", [DEFAULT, DINGLEHOPPER], ids=["folded", "dinglehopper"])
def test_accented_pages_score_as_fresh_units_do_whether_the_gold_was_cut_before_or_not(options):
    from workbench.evaluate import _reference_units
    from workbench.metrics import confusion_counts

    _reference_units.cache_clear()
    first = [evaluate_page(g, o, options=options) for g, o in zip(ACCENTED_GOLDS, ACCENTED_OCR, strict=True)]
    again = [evaluate_page(g, o, options=options) for g, o in zip(ACCENTED_GOLDS, ACCENTED_OCR, strict=True)]
    assert _reference_units.cache_info().hits >= len(ACCENTED_GOLDS)
    assert first == again
    for gold, ocr, scored in zip(ACCENTED_GOLDS, ACCENTED_OCR, first, strict=True):
        full = measure(char_units(gold.full_text, options=options), char_units(ocr, options=options))
        assert scored.chars == full
        words = measure(word_units(gold.full_text, options=options), word_units(ocr, options=options), with_ops=False)
        assert scored.words == words
        body = measure(char_units(gold.body, options=options), char_units(ocr, options=options), with_ops=False)
        assert replace(scored.body_chars, ops=()) == body  # a page without markings: its body is the full page
        assert scored.confusions == confusion_counts(gold.full_text, ocr, options=options)
    assert first[0].chars.distance > 0 and first[1].words.distance > 0


def test_a_document_scores_alike_here_and_on_a_batch_that_reads_its_ocr_as_tasks_go(tmp_collection):
    from workbench.batch import Batch, Where

    make_document(tmp_collection, pages=2)
    store_ocr(tmp_collection)
    here = evaluation_dict(evaluate_document(tmp_collection, "memo"))
    with Batch(Where(jobs=2)) as batch:
        assert evaluation_dict(evaluate_document(tmp_collection, "memo", batch=batch)) == here
    (tmp_collection.ocr_dir("memo") / f"{page_stem(2)}.txt").unlink()
    with Batch(Where(jobs=2)) as batch, pytest.raises(InputError, match="page-002"):
        evaluate_document(tmp_collection, "memo", batch=batch)


def test_a_page_evaluation_travels_packed_and_comes_back_equal():
    from workbench.evaluate import _packed, _unpacked

    pages = [GoldPage(1, BODY_1, (STAMP,)), GoldPage(2, BODY_2, (PAGE_NUMBER,)), *ACCENTED_GOLDS]
    texts = [OCR_1, OCR_2, *ACCENTED_OCR]
    for options in (DEFAULT, DINGLEHOPPER):
        for page, text in zip(pages, texts, strict=True):
            scored = evaluate_page(page, text, options=options)
            back = _unpacked(_packed(scored))
            assert back == scored and back.chars.ops == scored.chars.ops and back.chars.ops
            assert (back.body_chars is back.chars) == (scored.body_chars is scored.chars)
