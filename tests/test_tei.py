"""TEI export (`export --format tei`): a facsimile with a zone per OCR line, each correction as choice with
sic and corr naming the reviewer and linking the change that says when; every facs (and other #) link
resolves; the text reads as the corrected transcript."""

from __future__ import annotations

import copy
import re

from lxml import etree

from tests.conftest import MAIN_DOC
from tests.test_transcript import decided, flag_at
from tests.test_transcript_lines import memo  # noqa: F401  (a document without gold or scans)
from workbench import review
from workbench.cli import main
from workbench.exporters import export
from workbench.models import OcrPage
from workbench.ocr.store import load_ocr_page
from workbench.ocrlines import ocr_lines
from workbench.tei import TEI_NS, XML_ID, to_tei
from workbench.transcript import CorrectedDocument, correct_document, correct_line, correct_page

NS = {"t": TEI_NS}


def _links_resolve(root) -> list[str]:
    """Every '#id' pointer of the file (facs, resp, change, who), each checked against the file's xml:ids."""
    ids = {e.get(XML_ID) for e in root.iter() if isinstance(e.tag, str)} - {None}
    pointers = [
        value
        for e in root.iter()
        if isinstance(e.tag, str)
        for name in ("facs", "resp", "change", "who")
        for value in (e.get(name) or "").split()
    ]
    assert pointers and all(p.startswith("#") and p[1:] in ids for p in pointers), [
        p for p in pointers if p[1:] not in ids
    ]
    return pointers


def _reading(root) -> str:
    """The text as corrected: everything but the sic readings, lb as line breaks."""
    tree = etree.ElementTree(root)
    body = copy_without_sic(tree.find(".//t:body", NS))
    for lb in body.iter(f"{{{TEI_NS}}}lb"):
        lb.tail = "\n" + (lb.tail or "")
    return re.sub(r"\s+", " ", "".join(body.itertext())).strip()


def copy_without_sic(element):
    clone = copy.deepcopy(element)
    for sic in list(clone.iter(f"{{{TEI_NS}}}sic")):
        tail = sic.tail
        parent = sic.getparent()
        parent.remove(sic)
        if tail:
            parent.text = (parent.text or "") + tail
    return clone


def test_corrections_are_choices_with_their_reviewer_and_time_and_every_link_resolves(memo, capsys):  # noqa: F811
    collection, store = memo  # a stamp flag accepted by ann
    edit = correct_line(collection, store, "memo", 1, 3, "was signed in November 1974.", reviewer="bob")
    assert main(["export", "memo", "--format", "tei"]) == 0
    root = etree.fromstring(capsys.readouterr().out.encode())
    _links_resolve(root)
    surfaces = root.findall("t:facsimile/t:surface", NS)
    assert [s.get(XML_ID) for s in surfaces] == ["p1", "p2"]
    ocr = load_ocr_page(collection, "memo", 1)
    boxed = [line for line in ocr_lines(ocr) if line.text.strip()]
    zones = surfaces[0].findall("t:zone", NS)
    assert len(zones) == len(boxed)
    assert [(int(z.get("ulx")), int(z.get("lry"))) for z in zones] == [(b.box.left, b.box.bottom) for b in boxed]
    choices = root.findall(".//t:choice", NS)
    by_sic = {"".join(c.find("t:sic", NS).itertext()).strip(): c.find("t:corr", NS) for c in choices}
    stamp = by_sic["CONFIDENTIAL"]
    assert (stamp.text, stamp.get("resp")) == (None, "#r1")
    (ann,) = root.xpath("//t:respStmt[@xml:id='r1']/t:name/text()", namespaces=NS)
    assert ann == "ann"
    november = by_sic["c"]  # the line edit changed one letter: only it is a choice, the words around stay text
    assert november.text == "e" and november.get("resp") == "#r2"
    (change,) = root.xpath(f"//t:change[@xml:id='{november.get('change')[1:]}']", namespaces=NS)
    assert change.get("when") == edit.time and change.get("who") == "#r2"
    corrected = correct_document(collection, store, "memo")
    assert _reading(root) == re.sub(r"\s+", " ", corrected.text.replace("\f", " ")).strip()


def test_a_document_with_scans_points_its_surfaces_at_them(copied_collection, tmp_path):
    store = open_store_for(copied_collection)
    result = export(copied_collection, store, MAIN_DOC, format="tei", out=tmp_path / "doc.tei.xml")
    root = etree.parse(str(result.paths[0])).getroot()
    pointers = _links_resolve(root)
    assert sum(p.startswith("#p1-l") for p in pointers) > 20  # an lb for every line of page 1
    folder = copied_collection.document_dir(MAIN_DOC)
    graphics = root.findall("t:facsimile/t:surface/t:graphic", NS)
    assert len(graphics) == 5 and all((folder / g.get("url")).is_file() for g in graphics)
    first = root.find("t:facsimile/t:surface", NS)
    assert int(first.get("lrx")) > 1000 and first.find("t:zone", NS).get("ulx") is not None
    assert root.findall(".//t:choice", NS)  # the accepted gold flags


def open_store_for(collection):
    from workbench.store import open_store

    store = open_store()
    review.refresh_flags(collection, store, MAIN_DOC, use_gold=True)
    review.accept_all(store, MAIN_DOC, reviewer="ann")
    return store


def test_a_blank_line_starts_a_paragraph_and_lines_without_boxes_have_zones_without_coordinates():
    text = "Erster Absatz,\nzweite Zeile.\n\nZweiter Absatz mit Fehlcr.\n"
    flag = flag_at(text, "Fehlcr", suggestions=("Fehler",))
    page = correct_page(text, [decided(flag)], document="brief", page=1)
    corrected = CorrectedDocument("brief", (page,), title="Ein Brief")
    root = etree.fromstring(to_tei(corrected, [OcrPage("brief", 1, text)]))
    _links_resolve(root)
    paragraphs = root.findall(".//t:body/t:p", NS)
    assert len(paragraphs) == 2 and [len(p.findall("t:lb", NS)) for p in paragraphs] == [2, 1]
    zones = root.findall(".//t:zone", NS)
    assert [z.get(XML_ID) for z in zones] == ["p1-l1", "p1-l2", "p1-l4"] and all(z.get("ulx") is None for z in zones)
    assert root.find("t:facsimile/t:surface/t:graphic", NS) is None  # no scan, no graphic
    assert _reading(root) == "Erster Absatz, zweite Zeile. Zweiter Absatz mit Fehler."
