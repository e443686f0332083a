"""PAGE XML 2019 export of any document (`export --format page`): valid against the schema (the PRImA
2019-07-15 XSD, as the ocrd package ships it, in tests/data), lines as corrected with the OCR's reading kept
second, markings as the region types PAGE has for them; works without gold, scans or boxes."""

from __future__ import annotations

from lxml import etree

from tests.conftest import DATA, MAIN_DOC
from tests.test_transcript import flag_at
from workbench import review
from workbench.cli import main
from workbench.corpus import write_manifest
from workbench.exporters import export
from workbench.models import Document, Flag, FlagCategory, FlagSource, MarkingKind, OcrPage, PageRef
from workbench.ocr.store import save_ocr_page
from workbench.pagexml import PAGE_NS, marking_kinds
from workbench.store import open_store
from workbench.transcript import correct_line

SCHEMA = etree.XMLSchema(etree.parse(str(DATA / "pagecontent-2019-07-15.xsd")))
NS = {"pc": PAGE_NS}


def _valid(content: bytes) -> etree._Element:
    root = etree.fromstring(content)
    assert SCHEMA.validate(root), SCHEMA.error_log.last_error
    return root


def test_every_page_of_a_document_with_gold_and_scans_is_valid_page_with_its_markings(copied_collection, tmp_path):
    store = open_store()
    review.refresh_flags(copied_collection, store, MAIN_DOC, use_gold=True)
    review.accept_all(store, MAIN_DOC, reviewer="ann")
    correct_line(copied_collection, store, MAIN_DOC, 1, 3, "DEPARTMENT OF STATE", reviewer="bob")
    result = export(copied_collection, store, MAIN_DOC, format="page", out=f"{tmp_path}/page/")
    assert [p.name for p in result.paths] == [f"page-00{n}.page.xml" for n in range(1, 6)]
    roots = [_valid(p.read_bytes()) for p in result.paths]
    first = roots[0]
    page = first.find("pc:Page", NS)
    assert page.get("imageFilename") == "page-001.png" and int(page.get("imageWidth")) > 1000
    kinds = {(r.tag.split("}")[1], r.get("type")) for r in page}
    assert ("GraphicRegion", "stamp") in kinds and ("GraphicRegion", "handwritten-annotation") in kinds
    stamps = page.findall("pc:GraphicRegion[@type='stamp']", NS)
    stamp_text = " ".join(t for r in stamps for t in r.xpath(".//pc:Unicode/text()", namespaces=NS))
    assert "DECLASS" in stamp_text.upper() or "NARA" in stamp_text.upper()  # the stamp's text, as read, in it
    (edited,) = first.xpath("//pc:TextLine[@id='p1_l3']", namespaces=NS)
    readings = [e.findtext("pc:Unicode", namespaces=NS) for e in edited.findall("pc:TextEquiv", NS)]
    assert readings == ["DEPARTMENT OF STATE", "a oo DEPARTMENT OF STATE"]  # the reviewer's, then the OCR's
    order = [r.get("regionRef") for r in first.iterfind(".//pc:RegionRefIndexed", NS)]
    assert order == [r.get("id") for r in page if r.get("id") and "Region" in r.tag]
    assert any(p.find("pc:Page/pc:TextRegion[@type='page-number']", NS) is not None for p in roots[1:])


def test_a_document_without_gold_scans_or_boxes_exports_valid_page(tmp_collection, capsys):
    doc = "notes"
    tmp_collection.document_dir(doc).mkdir(parents=True)
    write_manifest(Document(doc, "Notas", (PageRef(doc, 1),), lang="spa"), tmp_collection.manifest_path(doc))
    text = "SECRETO\nLa reunión fue el lunes.\n\n- 2 -\n"
    save_ocr_page(tmp_collection, OcrPage(doc, 1, text, engine="import:text"))
    store = open_store()
    stamp = flag_at(text, "SECRETO", FlagCategory.STAMP_NOISE, ("",))
    review.sync_flags(store, doc, [Flag(doc, 1, stamp.start, stamp.end, stamp.text, stamp.category, ("",),
                                        source=FlagSource.HEURISTIC)])
    assert main(["export", doc, "--format", "page"]) == 0
    root = _valid(capsys.readouterr().out.encode())
    page = root.find("pc:Page", NS)
    assert (page.get("imageWidth"), page.get("imageHeight"), page.get("imageFilename")) == ("0", "0", "page-001")
    assert {c.get("points") for c in root.iter(f"{{{PAGE_NS}}}Coords")} == {"0,0 0,0"}  # unknown, not made up
    regions = [(r.tag.split("}")[1], r.get("type"), "".join(r.itertext()).split()) for r in page if "Region" in r.tag]
    assert regions[0][:2] == ("GraphicRegion", "stamp") and "SECRETO" in regions[0][2]
    assert regions[1][:2] == ("TextRegion", "paragraph") and "reunión" in regions[1][2]
    assert regions[2][:2] == ("TextRegion", "page-number")


def test_page_export_of_several_pages_needs_a_folder(tmp_collection, capsys):
    doc = "two"
    tmp_collection.document_dir(doc).mkdir(parents=True)
    write_manifest(Document(doc, "Two", (PageRef(doc, 1), PageRef(doc, 2))), tmp_collection.manifest_path(doc))
    for number in (1, 2):
        save_ocr_page(tmp_collection, OcrPage(doc, number, f"page {number}\n", engine="import:text"))
    assert main(["export", doc, "--format", "page"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "one page a file" in err and "--out FOLDER/" in err


def test_a_line_mostly_flagged_as_stamp_is_a_marking_a_body_line_with_a_stamp_piece_is_not():
    text = "CONFIDENTIAL\nxx DEPARTMENT OF STATE\n"
    page = OcrPage("d", 1, text)
    flags = [flag_at(text, needle, FlagCategory.STAMP_NOISE, ("",)) for needle in ("CONFIDENTIAL", "xx")]
    assert marking_kinds(page, flags, None) == {1: MarkingKind.DECLASSIFICATION_STAMP}  # no gold: a stamp
