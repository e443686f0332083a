"""OCR made elsewhere (hOCR, ALTO v2-v4, PAGE XML, plain text) becomes the same page records."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from tests.conftest import DATA
from workbench.errors import InputError
from workbench.models import Box
from workbench.ocr.importers import detect_format, import_ocr, read_ocr_file
from workbench.ocr.importers.common import SourceLine, SourceWord, assemble_page
from workbench.ocr.store import load_ocr_page

OCR_DATA = DATA / "ocr"
TREATY = "The Treaty com-\nmits the US.\n\nSecond paragraph here.\n"


def _only_page(name: str, **kwargs):
    (page,) = read_ocr_file(OCR_DATA / name, **kwargs)
    for word in page.words:
        assert page.text[word.start : word.end] == word.text
    return page


def test_words_join_lines_and_paragraphs_with_exact_offsets():
    lines = [
        SourceLine((SourceWord(" The "), SourceWord("Treaty\t"), SourceWord("  ")), block=1, paragraph=1),
        SourceLine((SourceWord("com mits", 80.0, Box(1, 2, 3, 4)),), block=1, paragraph=1),
        SourceLine((), block=1, paragraph=1),
        SourceLine((SourceWord("next"),), block=1, paragraph=2),
        SourceLine((SourceWord("block"),), block=2, paragraph=2),
    ]
    page = assemble_page(lines, format="test")
    assert page.text == "The Treaty\ncom mits\n\nnext\n\nblock\n"
    assert [(w.text, w.start, w.end, w.line, w.paragraph, w.block) for w in page.words] == [
        ("The", 0, 3, 1, 1, 1),
        ("Treaty", 4, 10, 1, 1, 1),
        ("com mits", 11, 19, 2, 1, 1),
        ("next", 21, 25, 3, 2, 1),
        ("block", 27, 32, 4, 3, 2),
    ]
    assert page.words[2].conf == 80.0 and page.words[2].box == Box(1, 2, 3, 4)


def test_empty_source_is_an_empty_page():
    assert assemble_page([], format="test").text == ""


def test_tesseract_hocr_keeps_confidences_boxes_and_layout():
    page = _only_page("tesseract-5.3.hocr")
    assert page.text == "The Treaty com-—\nmits the US.\n\nSecond paragraph here.\n"
    assert page.format == "hocr" and page.details["software"] == "tesseract 5.3.0"
    third = page.words[2]
    assert (third.text, third.conf, third.box) == ("com-—", 40.0, Box(320, 47, 415, 67))
    assert [(w.line, w.paragraph, w.block) for w in page.words[2:4]] == [(1, 1, 1), (2, 1, 1)]
    assert page.words[-1].block == 2


def test_html_hocr_from_another_engine():
    page = _only_page("vendor.hocr")
    assert page.text == TREATY
    assert page.words[0].text == "The" and page.words[0].conf == 93.0
    assert page.words[2].conf is None and page.words[2].box == Box(420, 100, 560, 150)
    assert page.words[-1].box is None  # a line without ocrx_word is split into words without boxes
    assert page.details["software"].startswith("ABBYY")


@pytest.mark.parametrize("name", ["alto-v2.xml", "alto-v4.xml", "alto-no-namespace.xml"])
def test_alto_in_pixels(name):
    page = _only_page(name)
    assert page.text == TREATY  # the HYP element's hyphen stays with "com"
    assert page.format == "alto" and page.details["software"] == "VendorOCR 7.1"
    com = page.words[2]
    assert (com.text, com.conf, com.box) == ("com-", 50.0, Box(420, 100, 560, 150))
    assert page.words[5].conf is None  # US. has no WC
    assert [w.block for w in page.words] == [1, 1, 1, 1, 1, 1, 2, 2, 2]
    version = {"alto-v2.xml": "v2", "alto-v4.xml": "v4", "alto-no-namespace.xml": "none"}[name]
    assert page.details["version"] == version


def test_alto_in_tenths_of_millimetres_is_turned_into_pixels():
    page = _only_page("alto-v3.xml", dpi=254)
    assert page.text == TREATY and page.details["version"] == "v3" and page.details["unit"] == "mm10"
    assert page.words[0].box == Box(100, 100, 210, 150)  # at 254 dpi one mm10 is one pixel
    page = _only_page("alto-v3.xml", dpi=300)
    assert page.words[0].box == Box(118, 118, 248, 177)


def test_page_xml_2019_follows_reading_order_and_best_text_equiv():
    page = _only_page("page-2019.xml")
    assert page.text == TREATY  # r1 comes first by ReadingOrder although r2 is first in the file
    assert page.format == "page"
    assert page.details == {
        "format": "page",
        "version": "2019-07-15",
        "software": "VendorOCR 7.1",
        "page_size": [2550, 3300],  # imageWidth, imageHeight: the page's size when there is no scan
    }
    treaty = page.words[1]
    assert (treaty.text, treaty.conf) == ("Treaty", 88.0)  # index 1 beats index 2
    assert page.words[0].box == Box(100, 100, 210, 150)  # points are inclusive, a Box's right edge is not
    second = page.words[-1]
    assert second.text == "here." and second.box is None and second.conf == 90.0


def test_page_xml_2013_lines_glyphs_and_region_text():
    page = _only_page("page-2013.xml")
    assert page.text == TREATY
    assert page.details["version"] == "2013-07-15"
    assert page.words[3].text == "mits" and page.words[3].box == Box(100, 170, 200, 220)
    assert page.words[0].box is None  # the first line has only a line-level TextEquiv


def test_plain_text_keeps_lines_and_paragraphs():
    page = _only_page("page.txt")
    assert page.text == TREATY and page.format == "text"
    assert all(w.conf is None and w.box is None for w in page.words)
    assert [w.paragraph for w in page.words] == [1, 1, 1, 1, 1, 1, 2, 2, 2]


def test_form_feeds_separate_pages_of_a_text_file():
    pages = read_ocr_file(OCR_DATA / "two-pages.txt")
    assert [p.text for p in pages] == ["Page one text.\n", "Page two\ntext.\n"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("tesseract-5.3.hocr", "hocr"),
        ("vendor.hocr", "hocr"),
        ("alto-v2.xml", "alto"),
        ("alto-v4.xml", "alto"),
        ("alto-no-namespace.xml", "alto"),
        ("page-2013.xml", "page"),
        ("page-2019.xml", "page"),
        ("page.txt", "text"),
    ],
)
def test_format_is_recognised_from_content(name, expected, tmp_path):
    renamed = tmp_path / "ocr-output.dat"  # no telling suffix
    shutil.copy(OCR_DATA / name, renamed)
    assert detect_format(renamed.read_bytes()) == expected
    assert read_ocr_file(renamed)[0].format == expected


def test_malformed_xml_is_one_line_naming_the_file():
    path = OCR_DATA / "alto-truncated.xml"
    with pytest.raises(InputError) as caught:
        read_ocr_file(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: malformed XML at line ") and "\n" not in message


def test_malformed_xhtml_hocr_is_reported(tmp_path):
    path = tmp_path / "broken.hocr"
    path.write_bytes((OCR_DATA / "tesseract-5.3.hocr").read_bytes().replace(b"</span>", b"</div>", 1))
    with pytest.raises(InputError, match=rf"^{path}: malformed hOCR \(XHTML\) at line 16"):
        read_ocr_file(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<?xml version='1.0'?><catalog><book/></catalog>", "XML with root <catalog> is not hOCR, ALTO or PAGE XML"),
        (b"", "OCR file is empty"),
        (b"\xff\xfe plain text in UTF-16", "not valid UTF-8"),
        (b"<?xml version='1.0'?><alto><Description/></alto>", "ALTO file has no Page element"),
        (b"<html><body><p>no hocr classes</p></body></html>", "not hOCR, ALTO or PAGE XML"),
    ],
)
def test_unusable_files_are_named(tmp_path, content, message):
    path = tmp_path / "input.xml"
    path.write_bytes(content)
    with pytest.raises(InputError, match=rf"^{path}: .*{message}"):
        read_ocr_file(path)


def test_external_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    path = tmp_path / "evil.xml"
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE alto [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<alto><Layout><Page><TextBlock><TextLine><String CONTENT="&x;"/></TextLine></TextBlock></Page></Layout></alto>'
    )
    with pytest.raises(InputError, match=rf"^{path}: .*external entity") as caught:
        read_ocr_file(path)
    assert "TOPSECRET" not in str(caught.value)


def _two_page_document(collection):
    from tests.ocr.conftest import blank_page
    from workbench.corpus import add_document

    sources = [blank_page(collection.home / f"scan-{n}.png") for n in (1, 2)]
    return add_document(collection, "imported", title="Imported", sources=sources)


def test_import_stores_every_page_with_its_source(tmp_collection):
    document = _two_page_document(tmp_collection)
    pages = import_ocr(tmp_collection, document, [OCR_DATA / "alto-v4.xml", OCR_DATA / "tesseract-5.3.hocr"])
    assert [p.engine for p in pages] == ["import:alto", "import:hocr"]
    first = load_ocr_page(tmp_collection, "imported", 1)
    assert first.text == TREATY and first.engine == "import:alto"
    assert first.options["source"] == "alto-v4.xml" and first.options["version"] == "v4"
    folder = tmp_collection.ocr_dir("imported")
    assert not (folder / "page-001.hocr").exists()
    assert (folder / "page-002.hocr").read_bytes() == (OCR_DATA / "tesseract-5.3.hocr").read_bytes()


def test_import_from_a_folder_in_name_order(tmp_collection, tmp_path):
    document = _two_page_document(tmp_collection)
    folder = tmp_path / "vendor"
    folder.mkdir()
    shutil.copy(OCR_DATA / "page-2019.xml", folder / "b.xml")
    shutil.copy(OCR_DATA / "page.txt", folder / "a.txt")
    (folder / "notes.pdf").write_bytes(b"%PDF")  # not an OCR file: ignored
    import_ocr(tmp_collection, document, [folder])
    assert load_ocr_page(tmp_collection, "imported", 1).engine == "import:text"
    assert load_ocr_page(tmp_collection, "imported", 2).engine == "import:page"


def test_import_replaces_older_ocr_and_its_hocr(tmp_collection):
    document = _two_page_document(tmp_collection)
    import_ocr(tmp_collection, document, [OCR_DATA / "vendor.hocr", OCR_DATA / "tesseract-5.3.hocr"])
    assert (tmp_collection.ocr_dir("imported") / "page-001.hocr").exists()
    import_ocr(tmp_collection, document, [OCR_DATA / "two-pages.txt"])
    assert not list(tmp_collection.ocr_dir("imported").glob("*.hocr"))
    assert load_ocr_page(tmp_collection, "imported", 2).text == "Page two\ntext.\n"


def test_page_count_mismatch_writes_nothing(tmp_collection):
    document = _two_page_document(tmp_collection)
    expected = r"import into 'imported': 1 page\(s\) of OCR in 1 file\(s\) but the document has 2"
    with pytest.raises(InputError, match=expected):
        import_ocr(tmp_collection, document, [OCR_DATA / "alto-v2.xml"])
    assert not tmp_collection.ocr_dir("imported").exists()


def test_one_malformed_file_writes_nothing(tmp_collection):
    document = _two_page_document(tmp_collection)
    import_ocr(tmp_collection, document, [OCR_DATA / "two-pages.txt"])
    before = {p.name: p.read_bytes() for p in tmp_collection.ocr_dir("imported").iterdir()}
    with pytest.raises(InputError, match=r"alto-truncated\.xml: malformed XML"):
        import_ocr(tmp_collection, document, [OCR_DATA / "alto-v2.xml", OCR_DATA / "alto-truncated.xml"])
    assert {p.name: p.read_bytes() for p in tmp_collection.ocr_dir("imported").iterdir()} == before


def _cli(*args, home):
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args],
        capture_output=True,
        text=True,
        env={"WORKBENCH_HOME": str(home), "WORKBENCH_PROGRESS": "false", "PATH": "/usr/bin:/bin"},
        check=False,
    )


def test_import_ocr_command(tmp_collection):
    _two_page_document(tmp_collection)
    done = _cli("import-ocr", "imported", str(OCR_DATA / "page-2019.xml"), str(OCR_DATA / "alto-v2.xml"),
                home=tmp_collection.home)
    assert done.returncode == 0, done.stderr
    assert "imported: imported 2 page(s) of alto, page OCR" in done.stdout
    words = json.loads((tmp_collection.ocr_dir("imported") / "page-002.words.json").read_text())
    assert words["engine"] == "import:alto"


def test_import_ocr_command_malformed_file_is_one_line(tmp_collection):
    _two_page_document(tmp_collection)
    bad = OCR_DATA / "alto-truncated.xml"
    done = _cli("import-ocr", "imported", str(bad), str(OCR_DATA / "alto-v2.xml"), home=tmp_collection.home)
    assert done.returncode == 2
    assert done.stderr.startswith(f"workbench import-ocr: error: {bad}: malformed XML at line")
    assert done.stderr.count("\n") == 1
    assert not tmp_collection.ocr_dir("imported").exists()


def test_forced_format_must_fit_the_file():
    path = OCR_DATA / "page-2019.xml"
    with pytest.raises(InputError, match=r"not ALTO XML \(root element is <PcGts>\)"):
        read_ocr_file(path, format="alto")
    (as_text,) = read_ocr_file(path, format="text")
    assert as_text.format == "text" and as_text.text.startswith("<?xml")


def test_hocr_with_several_pages_gives_several_pages(tmp_path):
    source = (OCR_DATA / "tesseract-5.3.hocr").read_text()
    start, end = source.index("<div class='ocr_page'"), source.index(" </body>")
    page_div = source[start:end]
    path = tmp_path / "book.hocr"
    path.write_text(source[:start] + page_div + page_div.replace("Second", "Third") + source[end:])
    pages = read_ocr_file(path)
    assert len(pages) == 2 and "Third paragraph" in pages[1].text and "Second" in pages[0].text


@pytest.mark.parametrize("name", ["letter.alto.xml", "letter.hocr", "letter.page.xml"])
def test_a_file_of_several_pages_gives_each_page_and_its_declared_size(name):
    pages = read_ocr_file(DATA / "add" / name)
    assert len(pages) == 2
    assert pages[0].text.startswith("Dear Sir,") and pages[1].text.startswith("We thank yon")
    assert pages[0].details["page_size"] == [2550, 3300]  # what a page without a scan knows of its size


def test_alto_page_size_is_turned_into_pixels_and_absent_when_not_declared():
    (page,) = read_ocr_file(OCR_DATA / "alto-v3.xml", dpi=254)  # mm10: one pixel each at 254 dpi
    assert page.details["page_size"] == [2550, 3300]
    second = read_ocr_file(DATA / "add" / "letter.alto.xml")[1]
    assert "page_size" not in second.details


def test_a_malformed_hocr_page_bbox_costs_only_the_page_size(tmp_path):
    path = tmp_path / "odd.hocr"
    path.write_text((OCR_DATA / "vendor.hocr").read_text().replace("bbox 0 0 2550 3300", "bbox 0 0 wide tall"))
    (page,) = read_ocr_file(path)
    assert page.text == TREATY and "page_size" not in page.details


def test_declared_page_size_is_read_back_from_the_stored_ocr(tmp_collection):
    from workbench.corpus import add_document
    from workbench.ocr.importers import declared_page_size
    from workbench.ocr.store import load_ocr_pages

    document = add_document(tmp_collection, "letter", title="Letter", ocr=[DATA / "add" / "letter.alto.xml"])
    first, second = load_ocr_pages(tmp_collection, document)
    assert declared_page_size(first) == (2550, 3300) and declared_page_size(second) is None
