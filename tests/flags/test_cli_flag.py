"""`workbench flag DOC [--no-gold] [--json] [--evaluate]` on a copied collection with stored OCR."""

from __future__ import annotations

import json

import pytest

from tests.flags.helpers import ocr_page
from workbench.cli import main
from workbench.ocr.store import save_ocr_page


@pytest.fixture
def flagged_collection(copied_collection):
    """The repository's collection with hand-made OCR of us-japan-1974 (gold page text, a few slips)."""
    document = copied_collection.document("us-japan-1974")
    for gold in copied_collection.gold_pages(document):
        text = gold.full_text.replace("Japan ", "Iapan ", 1).replace(" the ", " tlie ", 1)
        page = ocr_page(text, number=gold.number, document=document.id)
        save_ocr_page(copied_collection, page)
    return copied_collection


def test_flag_json_lists_gold_flags(flagged_collection, capsys):
    assert main(["flag", "us-japan-1974", "--json"]) == 0
    flags = json.loads(capsys.readouterr().out)["flags"]
    assert {"page", "start", "end", "text", "category", "suggestions", "confidence", "boxes", "source"} == set(flags[0])
    misread = [f for f in flags if f["category"] == "misread_word"]
    assert {(f["text"], f["suggestions"][0]) for f in misread} >= {("Iapan", "Japan"), ("tlie", "the")}
    assert all(f["source"] == "gold" for f in flags)


def test_flag_no_gold_finds_the_slips_and_the_markings(flagged_collection, capsys):
    assert main(["flag", "us-japan-1974", "--no-gold", "--json"]) == 0
    flags = json.loads(capsys.readouterr().out)["flags"]
    assert all(f["source"] == "heuristic" for f in flags)
    texts = {(f["page"], f["text"]) for f in flags}
    assert (1, "tlie") in texts
    assert (2, "-2-") in texts


def test_flag_evaluate_prints_a_table_and_json(flagged_collection, capsys):
    assert main(["flag", "us-japan-1974", "--evaluate"]) == 0
    table = capsys.readouterr().out
    assert "overall" in table and "stamp_noise" in table and "top-1" in table
    assert main(["flag", "us-japan-1974", "--evaluate", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert 0.0 <= report["overall"]["recall"] <= 1.0
    assert set(report["by_category"]) >= {"stamp_noise", "broken_hyphenation", "misread_word"}


def test_flag_without_ocr_is_a_one_line_error(copied_collection, capsys):
    import shutil

    shutil.rmtree(copied_collection.ocr_dir("us-japan-1974"), ignore_errors=True)
    assert main(["flag", "us-japan-1974"]) == 2
    error = capsys.readouterr().err
    assert "page-001.txt" in error and error.count("\n") == 1


def test_document_without_gold_is_flagged_only_without_gold(tmp_collection, tmp_path, capsys):
    from PIL import Image

    from workbench.corpus import add_document

    scan = tmp_path / "scan.png"
    Image.new("L", (850, 1100), 255).save(scan)
    add_document(tmp_collection, "memo", title="A memo", sources=[scan])
    text = "C0NFIDENTlAL\nThe Treaty commits tlie US and Japan to recognize an armed attack\nagainst either party."
    save_ocr_page(tmp_collection, ocr_page(text, document="memo"))
    assert main(["flag", "memo"]) == 2
    assert "has no gold" in capsys.readouterr().err
    assert main(["flag", "memo", "--no-gold", "--json"]) == 0
    flags = json.loads(capsys.readouterr().out)["flags"]
    assert {(f["text"], f["category"]) for f in flags} >= {("C0NFIDENTlAL", "stamp_noise"), ("tlie", "misread_word")}
