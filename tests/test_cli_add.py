"""`workbench add` without scans, then every later command on the document from the command line:
evaluate, flag (with and without gold), review --accept, export txt/json/alto, report. Bad input is one
line on stderr with exit status 2, and leaves nothing behind."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from tests.conftest import DATA
from tests.test_transcript import assert_valid_alto
from workbench.cli import main
from workbench.exporters import ALTO_NS

ADD = DATA / "add"
GOLD = ADD / "letter-gold.txt"
CORRECTED = (
    "Dear Sir,\n\nThe shipment of books arrived on Monday.\n"
    "\fWe thank you for your prompt service.\n\nYours faithfully,\nJ. Smith\n"
)


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def letter(tmp_collection, capsys):
    """A two-page letter made from vendor ALTO and gold text, with no page images."""
    status, out, err = run(
        capsys, "add", "letter", "--title", "A letter", "--lang", "eng", "--ocr", str(ADD / "letter.alto.xml"),
        "--gold", str(GOLD),
    )
    assert status == 0, err
    assert out.startswith("added letter: 2 page(s) (OCR, gold) in ")
    return tmp_collection


def test_documents_says_what_each_document_has(letter, capsys):
    assert run(capsys, "add", "reference", "--title", "Gold only", "--gold", str(GOLD))[0] == 0
    assert run(capsys, "add", "vendor", "--title", "OCR only", "--ocr", str(ADD / "letter.hocr"))[0] == 0
    status, out, _ = run(capsys, "documents")
    assert status == 0
    lines = {line.split("\t")[0]: line for line in out.splitlines()}
    assert lines["letter"] == "letter\t2 pages\tgold: letter\tA letter\thas: OCR, gold\tlang: eng"
    assert lines["reference"] == "reference\t2 pages\tgold: reference\tGold only\thas: gold"
    assert lines["vendor"] == "vendor\t2 pages\tgold: -\tOCR only\thas: OCR"


def test_a_scanless_document_goes_through_every_command(letter, tmp_path, capsys):
    status, out, err = run(capsys, "evaluate", "letter", "--json")
    assert status == 0, err
    scores = json.loads(out)
    assert json.dumps(scores)  # plain JSON
    status, out, err = run(capsys, "evaluate", "letter")
    assert status == 0 and "letter" in out, err

    status, out, err = run(capsys, "flag", "letter")
    assert status == 0, err
    assert "'shipmcnt'" in out and "'yon'" in out
    status, out, err = run(capsys, "flag", "letter", "--no-gold")
    assert status == 0, err
    assert "'shipmcnt'" in out

    status, out, err = run(capsys, "review", "letter", "--reviewer", "ann", "--accept")
    assert status == 0, err
    assert "accepted 2" in out

    status, out, err = run(capsys, "export", "letter", "--format", "txt")
    assert status == 0, err
    assert out == CORRECTED

    target = tmp_path / "letter.json"
    status, _, err = run(capsys, "export", "letter", "--format", "json", "--out", str(target))
    assert status == 0, err
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["text"] == CORRECTED
    assert [c["replacement"] for page in data["pages"] for c in page["changes"]] == ["shipment", "you"]

    status, out, err = run(capsys, "export", "letter", "--format", "alto")
    assert status == 0, err
    root = assert_valid_alto(out.encode("utf-8"))
    first, second = root.findall(f".//{{{ALTO_NS}}}Page")
    assert (first.get("WIDTH"), first.get("HEIGHT")) == ("2550", "3300")  # as the vendor ALTO declared
    shipment = next(s for s in first.iter(f"{{{ALTO_NS}}}String") if s.get("CONTENT") == "shipment")
    assert (shipment.get("HPOS"), shipment.get("CS")) == ("410", "true")
    # The second page declared no size and has no word boxes: no coordinates at all.
    assert not [e for e in second.iter() for a in ("HPOS", "VPOS", "WIDTH", "HEIGHT") if e.get(a) is not None]

    out_dir = tmp_path / "report"
    status, out, err = run(capsys, "report", "letter", "--out", str(out_dir))
    assert status == 0, err
    metrics = json.loads((out_dir / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["source"]["lang"] == "eng"
    assert metrics["corrected"]["document"]["cer"] == 0
    assert (out_dir / "index.html").exists()


def test_no_gold_review_of_a_document_made_from_ocr_alone(tmp_collection, capsys):
    assert run(capsys, "add", "vendor", "--title", "OCR only", "--ocr", str(ADD / "letter-ocr.txt"))[0] == 0
    status, out, err = run(capsys, "flag", "vendor")
    assert status == 2 and err.count("\n") == 1 and "has no gold" in err
    status, out, err = run(capsys, "review", "vendor", "--reviewer", "ann", "--accept", "--no-gold")
    assert status == 0, err
    status, out, err = run(capsys, "export", "vendor", "--format", "alto")
    assert status == 0, err
    root = etree.fromstring(out.encode("utf-8"))
    assert not [e for e in root.iter() for a in ("HPOS", "VPOS", "WIDTH", "HEIGHT") if e.get(a) is not None]
    assert_valid_alto(out.encode("utf-8"))
    status, out, err = run(capsys, "report", "vendor")
    assert status == 0, err


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--ocr", str(ADD / "letter-ocr.txt"), "--gold", str(DATA / "ocr" / "page.txt")], "page.txt"),
        (["--ocr", str(DATA / "ocr" / "alto-truncated.xml")], "alto-truncated.xml: malformed XML"),
        (["--ocr", str(ADD / "letter-ocr.txt"), "--lang", "en g"], "--lang: bad language 'en g'"),
        (["--ocr", str(ADD / "missing.hocr")], "missing.hocr: OCR file not found"),
        (["--gold", str(ADD / "missing.txt")], "missing.txt: gold text not found"),
        ([], "nothing to add"),
    ],
)
def test_bad_input_is_one_line_with_exit_2_and_leaves_nothing(tmp_collection, capsys, args, named):
    status, _, err = run(capsys, "add", "doc", "--title", "t", *args)
    assert status == 2
    assert err.startswith("workbench add: error: ") and err.count("\n") == 1
    assert named in err
    assert list(tmp_collection.scans.iterdir()) == []  # no manifest, no staging folder
    for folder in (tmp_collection.transcripts / "ocr", tmp_collection.transcripts / "gold"):
        assert not folder.exists() or not any(folder.iterdir())


def test_add_records_that_the_gold_keeps_line_end_splits(tmp_collection, capsys):
    from workbench.models import LineHyphens

    status, _, err = run(
        capsys, "add", "faithful", "--title", "Line-faithful gold", "--gold", str(GOLD), "--gold-line-hyphens", "kept"
    )
    assert status == 0, err
    assert tmp_collection.document("faithful").gold_line_hyphens is LineHyphens.KEPT
    assert json.loads(tmp_collection.manifest_path("faithful").read_text())["gold_line_hyphens"] == "kept"
