"""Corrections written back into the archive's own files (`export --into-source`): hOCR, ALTO v2-v4 and
PAGE XML files with ids, styles and processing steps come back with only the corrected words changed
(canonicalised trees equal once those words and the new processing step are set aside); split, merged and
hyphenated words in each format's own terms; refusals in one line."""

from __future__ import annotations

import copy
import re
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.conftest import DATA
from tests.test_transcript import flag_at
from workbench import review
from workbench.cli import main
from workbench.corpus import add_document
from workbench.errors import InputError
from workbench.exporters import export
from workbench.models import Flag, FlagCategory, FlagSource
from workbench.ocr.importers import read_ocr_file
from workbench.ocr.importers.common import local_name
from workbench.ocr.store import load_ocr_page, load_ocr_source, save_ocr_page
from workbench.store import open_store
from workbench.transcript import correct_line, correct_page
from workbench.writeback import rewrites

SOURCES = DATA / "writeback"
DOC = "letter"
FIXTURES = {
    "alto-v2": ("alto", "letter-v2.alto.xml"),
    "alto-v3": ("alto", "letter-v3.alto.xml"),
    "alto-v4": ("alto", "letter-v4.alto.xml"),
    "page-2019": ("page", "letter.page.xml"),
    "hocr": ("hocr", "letter.hocr"),
}
# The elements the round trip corrects (two accepted flags, one line edit), by format: their content may
# differ, nothing else may.
CORRECTED_IDS = {
    "alto": {"S4", "S12", "S20"},
    "page": {"w4", "w12", "r1l2", "r1l3", "r1", "r2l1", "r2"},  # a line's and a region's text hold their words
    "hocr": {"word_1_4", "word_1_12", "line_1_5"},
}
CORRECTED_TEXT = (
    "Dear Sir,\nThe shipment of booksarrived on\nMon day. We thank you for the secu-\nrity and service.\n\n"
    "Yours faithfully,\n"
)


def _flag(text: str, needle: str, category=FlagCategory.MISREAD_WORD, suggestion: str = "") -> Flag:
    found = flag_at(text, needle, category, (suggestion,))
    return Flag(DOC, 1, found.start, found.end, needle, category, (suggestion,), source=FlagSource.HEURISTIC)


@pytest.fixture
def letter(tmp_collection):
    def add(fixture: str):
        _, name = FIXTURES[fixture]
        add_document(tmp_collection, DOC, title="A letter", ocr=[SOURCES / name])
        return tmp_collection, open_store()

    return add


def _decide(collection, store, flags) -> None:
    review.sync_flags(store, DOC, flags)
    review.accept_all(store, DOC, reviewer="ann")


def _round_trip_decisions(collection, store) -> None:
    """Two flags accepted, one line edited (the transcript's line 6, which has no word elements in PAGE and
    hOCR: its text is the line's)."""
    text = load_ocr_page(collection, DOC, 1).text
    _decide(collection, store, [_flag(text, "shipmcnt", suggestion="shipment"), _flag(text, "yon", suggestion="you")])
    correct_line(collection, store, DOC, 1, 6, "Yours faithfully,", reviewer="bob")


def _by_id(root) -> dict[str, etree._Element]:
    elements = (e for e in root.iter() if isinstance(e.tag, str))
    return {key: e for e in elements if (key := e.get("ID") or e.get("id"))}


def _restore(exported, original, ids: set[str]) -> None:
    """Give the corrected elements back their original content: attributes, text and TextEquiv children."""
    now, before = _by_id(exported), _by_id(original)
    for key in ids:
        element, old = now[key], before[key]
        element.attrib.clear()
        element.attrib.update(old.attrib)
        if local_name(old) not in {"Word", "TextLine", "TextRegion"}:  # hOCR: a word's or line's text and markup
            element.text = old.text
            for child in list(element):
                element.remove(child)
            for child in old:
                element.append(copy.deepcopy(child))
            continue
        for mine, theirs in zip(
            [c for c in element if local_name(c) == "TextEquiv"], [c for c in old if local_name(c) == "TextEquiv"],
            strict=True,
        ):
            mine.getparent().replace(mine, copy.deepcopy(theirs))


def _new_processing_step(exported, original):
    """The one processing step the export added (ALTO Processing or postProcessingStep, PAGE MetadataItem,
    an hOCR meta)."""
    names = {"Processing", "postProcessingStep", "MetadataItem", "meta"}
    before = sum(1 for e in original.iter() if local_name(e) in names)
    steps = [e for e in exported.iter() if local_name(e) in names]
    assert len(steps) == before + 1
    return steps[-1]


def _c14n(root) -> str:
    return etree.tostring(root, method="c14n2", strip_text=True).decode()


@pytest.mark.parametrize("fixture", FIXTURES)
def test_round_trip_changes_only_the_corrected_words_and_records_the_step(letter, fixture, tmp_path):
    format, name = FIXTURES[fixture]
    collection, store = letter(fixture)
    original_bytes = (SOURCES / name).read_bytes()
    assert load_ocr_source(collection, DOC, 1) == original_bytes  # kept at import, byte for byte
    _round_trip_decisions(collection, store)
    out = tmp_path / f"out-{name}"
    result = export(collection, store, DOC, format=format, out=out, into_source=True)
    assert result.paths == (out,) and out.read_bytes() == result.content

    assert read_ocr_file(out)[0].text == CORRECTED_TEXT  # the corrected words are in the file
    parser = etree.XMLParser(remove_comments=False)
    exported, original = etree.fromstring(out.read_bytes(), parser), etree.fromstring(original_bytes, parser)
    assert _c14n(exported) != _c14n(original)
    step = _new_processing_step(exported, original)
    assert "ocr-workbench" in "".join(step.itertext()) + step.get("value", "") + step.get("content", "")
    step.getparent().remove(step)
    if format == "page":  # the file's last change is now
        (last,) = [e for e in exported.iter() if local_name(e) == "LastChange"]
        last.text = next(e for e in original.iter() if local_name(e) == "LastChange").text
    _restore(exported, original, CORRECTED_IDS[format])
    assert _c14n(exported) == _c14n(original)
    assert out.read_bytes().startswith(original_bytes.split(b"\n", 1)[0])  # the declaration as it was
    if b"<!--" in original_bytes:
        assert original_bytes.split(b"<!--")[1].split(b"-->")[0] in out.read_bytes()


def test_alto_v4_marks_corrected_words_and_drops_their_character_confidences(letter, tmp_path):
    collection, store = letter("alto-v4")
    _round_trip_decisions(collection, store)
    root = etree.fromstring(export(collection, store, DOC, format="alto", into_source=True).content)
    words = _by_id(root)
    assert (words["S4"].get("CONTENT"), words["S4"].get("CS"), words["S4"].get("CC")) == ("shipment", "true", None)
    assert words["S1"].get("CC") == "1 1 1 1" and words["S1"].get("CS") is None
    (step,) = [e for e in root.iter() if local_name(e) == "Processing" and e.get("ID") != "OCR_0"]
    assert step.findtext("{*}processingCategory") == "contentModification"


SPLIT_MERGE = [
    ("booksarrived", FlagCategory.MERGED_WORDS, "books arrived"),
    ("Mon day.", FlagCategory.SPLIT_WORD, "Monday."),
    ("secu-\nrity", FlagCategory.BROKEN_HYPHENATION, "security"),
]


def _split_merge(collection, store):
    text = load_ocr_page(collection, DOC, 1).text
    _decide(collection, store, [_flag(text, needle, category, reading) for needle, category, reading in SPLIT_MERGE])


def test_alto_splits_merges_and_joins_with_its_own_means(letter):
    collection, store = letter("alto-v4")
    _split_merge(collection, store)
    root = etree.fromstring(export(collection, store, DOC, format="alto", into_source=True).content)
    words = _by_id(root)
    books, arrived = words["S6"], words["S6_2"]  # a split: the first keeps the id, the second is new
    assert (books.get("CONTENT"), arrived.get("CONTENT")) == ("books", "arrived")
    assert books.getnext().tag.endswith("SP") and books.getnext().getnext() is arrived
    assert int(books.get("HPOS")) == 720 and int(arrived.get("HPOS")) + int(arrived.get("WIDTH")) == 1060
    assert int(books.get("HPOS")) + int(books.get("WIDTH")) < int(arrived.get("HPOS"))
    assert "S9" not in words and words["S8"].get("CONTENT") == "Monday."  # a merge: one String, both boxes
    assert (int(words["S8"].get("HPOS")), int(words["S8"].get("WIDTH"))) == (300, 200)
    first, second = words["S15"], words["S16"]  # a hyphenation: both parts kept, ALTO's HypPart and HYP
    parts = [(e.get("CONTENT"), e.get("SUBS_TYPE"), e.get("SUBS_CONTENT")) for e in (first, second)]
    assert parts == [("secu", "HypPart1", "security"), ("rity", "HypPart2", "security")]
    assert local_name(first.getnext()) == "HYP"
    line_ids = [e.get("ID") for e in root.iter() if local_name(e) == "TextLine"]
    assert line_ids == ["L1", "L2", "L3", "L4", "L5"]  # lines stay lines as printed


def test_alto_hyphen_read_into_the_word_moves_into_hyp(tmp_collection, tmp_path):
    source = (SOURCES / "letter-v3.alto.xml").read_text().replace(
        '<String ID="S15" CONTENT="secu" HPOS="1030" VPOS="600" WIDTH="100" HEIGHT="40"/><HYP CONTENT="-"/>',
        '<String ID="S15" CONTENT="secu-" HPOS="1030" VPOS="600" WIDTH="120" HEIGHT="40"/>',
    )
    path = tmp_path / "inline-hyphen.xml"
    path.write_text(source)
    add_document(tmp_collection, DOC, title="A letter", ocr=[path])
    store = open_store()
    _split_merge(tmp_collection, store)
    root = etree.fromstring(export(tmp_collection, store, DOC, format="alto", into_source=True).content)
    first = _by_id(root)["S15"]
    assert (first.get("CONTENT"), first.get("SUBS_TYPE"), first.getnext().get("CONTENT")) == ("secu", "HypPart1", "-")
    assert first.get("CS") is None  # ALTO 3: no correction status attribute written


def test_page_splits_merges_and_keeps_its_lines_and_regions_in_step(letter):
    collection, store = letter("page-2019")
    _split_merge(collection, store)
    root = etree.fromstring(export(collection, store, DOC, format="page", into_source=True).content)
    words = _by_id(root)
    assert "w9" not in words and words["w6_2"].findtext("{*}TextEquiv/{*}Unicode") == "arrived"
    assert words["w6"].find("{*}Coords").get("points").startswith("720,500 ")
    assert words["w8"].find("{*}Coords").get("points") == "300,600 499,600 499,639 300,639"
    assert words["r1l2"].findtext("{*}TextEquiv/{*}Unicode") == "The shipmcnt of books arrived on"
    assert words["r1l3"].findtext("{*}TextEquiv/{*}Unicode") == "Monday. We thank yon for the secu-"
    assert words["w15"].findtext("{*}TextEquiv/{*}Unicode") == "secu-"  # printed as it was: a hyphen, a line end
    region = words["r1"].findtext("{*}TextEquiv/{*}Unicode")
    assert region.splitlines()[1:3] == ["The shipmcnt of books arrived on", "Monday. We thank yon for the secu-"]
    (item,) = [e for e in root.iter() if local_name(e) == "MetadataItem" and e.get("name") == "ocr-correction"]
    assert item.get("type") == "processingStep"


def test_hocr_splits_and_merges_its_word_spans(letter):
    collection, store = letter("hocr")
    _split_merge(collection, store)
    root = etree.fromstring(export(collection, store, DOC, format="hocr", into_source=True).content)
    words = _by_id(root)
    assert "word_1_9" not in words and "".join(words["word_1_8"].itertext()) == "Monday."
    assert words["word_1_8"].get("title").startswith("bbox 300 600 500 640;")
    assert "".join(words["word_1_6_2"].itertext()) == "arrived" and "x_wconf 84" in words["word_1_6_2"].get("title")
    assert words["word_1_1"].find("{*}strong") is not None  # an untouched word keeps its markup
    assert read_ocr_file_bytes(export(collection, store, DOC, format="hocr", into_source=True).content).startswith(
        "Dear Sir,\nThe shipmcnt of books arrived on\nMonday. We"
    )


def read_ocr_file_bytes(data: bytes) -> str:
    from workbench.ocr.importers.hocr import read_hocr

    return read_hocr(data, source="exported")[0].text


def test_a_two_page_source_file_comes_back_as_one_file_with_both_pages_corrected(tmp_collection, tmp_path):
    add_document(tmp_collection, DOC, title="Two pages", ocr=[DATA / "add" / "letter.alto.xml"])
    store = open_store()
    one, two = (load_ocr_page(tmp_collection, DOC, n).text for n in (1, 2))
    shipment = _flag(one, "shipmcnt", suggestion="shipment")
    you = Flag(DOC, 2, two.index("yon"), two.index("yon") + 3, "yon", FlagCategory.MISREAD_WORD, ("you",),
               source=FlagSource.HEURISTIC)
    _decide(tmp_collection, store, [shipment, you])
    result = export(tmp_collection, store, DOC, format="alto", out=tmp_path / "back.xml", into_source=True)
    pages = read_ocr_file(result.paths[0])
    assert "shipment" in pages[0].text and "thank you for" in pages[1].text
    root = etree.fromstring(result.content)
    assert len([e for e in root.iter() if local_name(e) == "Processing"]) == 1  # one step for the file


def test_one_file_per_page_goes_into_a_folder_under_the_sources_names(tmp_collection, tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    for name in ("p1.xml", "p2.xml"):
        shutil.copyfile(SOURCES / "letter-v4.alto.xml", pages / name)
    add_document(tmp_collection, DOC, title="Two files", ocr=[pages / "p1.xml", pages / "p2.xml"])
    store = open_store()
    with pytest.raises(InputError, match="come from 2 files; give --out FOLDER/"):
        export(tmp_collection, store, DOC, format="alto", out=tmp_path / "one.xml", into_source=True)
    out = tmp_path / "back"
    result = export(tmp_collection, store, DOC, format="alto", out=f"{out}/", into_source=True)
    assert [p.name for p in result.paths] == ["p1.xml", "p2.xml"]
    # nothing decided: the files come back as they were given, without a processing step
    assert all(p.read_bytes() == (SOURCES / "letter-v4.alto.xml").read_bytes() for p in result.paths)


def test_into_source_is_refused_in_one_line_when_it_cannot_be_done(tmp_collection, capsys):
    add_document(tmp_collection, DOC, title="A letter", ocr=[SOURCES / "letter-v4.alto.xml"])
    assert main(["export", DOC, "--format", "page", "--into-source"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "page 1 was not imported from page (import:alto)" in err
    assert main(["export", DOC, "--format", "txt", "--into-source"]) == 2
    assert "--into-source takes alto, hocr, page" in capsys.readouterr().err
    assert main(["export", DOC, "--format", "hocr"]) == 2
    assert "written back into the imported files only" in capsys.readouterr().err
    page = load_ocr_page(tmp_collection, DOC, 1)
    save_ocr_page(tmp_collection, page)  # stored again without its source, as a new OCR run stores it
    assert load_ocr_source(tmp_collection, DOC, 1) is None
    assert main(["export", DOC, "--format", "alto", "--into-source"]) == 2
    assert "page 1 has no kept source file" in capsys.readouterr().err


def test_the_cli_writes_the_corrected_source(letter, tmp_path, capsys):
    collection, store = letter("page-2019")
    _round_trip_decisions(collection, store)
    out = tmp_path / "corrected.page.xml"
    assert main(["export", DOC, "--format", "page", "--into-source", "--out", str(out)]) == 0
    assert "wrote 1 file(s)" in capsys.readouterr().out
    assert read_ocr_file(out)[0].text == CORRECTED_TEXT


# -- the law: whatever words reviewers put on a line, the file reads as the corrected transcript ----------

ALTO_TEXT = read_ocr_file(SOURCES / "letter-v4.alto.xml")[0]
WORD = st.text(alphabet="abcdefgh,.-", min_size=1, max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.integers(0, len(ALTO_TEXT.words) - 1), st.lists(WORD, min_size=0, max_size=3), max_size=5))
def test_words_written_back_read_as_the_corrected_text(choices):
    from tests.test_transcript import decided
    from workbench.writeback import _Alto, _apply, _read, _serialise

    data = (SOURCES / "letter-v4.alto.xml").read_bytes()
    text = ALTO_TEXT.text
    pairs = []
    for number, (index, tokens) in enumerate(sorted(choices.items()), start=1):
        word = ALTO_TEXT.words[index]
        flag = Flag(DOC, 1, word.start, word.end, word.text, FlagCategory.MISREAD_WORD, (" ".join(tokens),))
        pairs.append(decided(flag, id=number))
    page = correct_page(text, pairs)
    root, read = _read("alto", data, "letter.xml")
    writer = _Alto(root)
    _apply(writer, page, read[0].words, read[0].nodes)
    writer.finish(True)
    back = etree.fromstring(_serialise(root, data, "alto"))
    from workbench.ocr.importers.alto import read_alto

    expected = "\n".join(" ".join(line.split()) for line in page.text.split("\n"))
    got = read_alto(back, source="back")[0].text
    assert [line for line in got.split("\n") if line.strip()] == [line for line in expected.split("\n") if line.strip()]
    assert all(r.words for r in rewrites(page, read[0].words))


@pytest.mark.parametrize("fixture", ["alto-v4", "alto-v2", "page-2019", "hocr"])
def test_a_line_deleted_as_noise_goes_with_its_words_and_the_file_stays_whole(letter, fixture):
    """The signature line accepted as stamp noise: its words, its line (ALTO wants a String in every
    TextLine) and an ALTO block left empty go; a PAGE region stays (the reading order points at it)."""
    format, _ = FIXTURES[fixture]
    collection, store = letter(fixture)
    text = load_ocr_page(collection, DOC, 1).text
    _decide(collection, store, [_flag(text, "Yours faithfuliy,", FlagCategory.STAMP_NOISE, "")])
    content = export(collection, store, DOC, format=format, into_source=True).content
    ids = _by_id(etree.fromstring(content))
    gone = {"alto": {"S19", "S20", "L5", "B2"}, "page": {"r2l1"}, "hocr": {"line_1_5"}}[format]
    assert not gone & ids.keys()
    assert {"alto": "L4", "page": "r2", "hocr": "par_1_2"}[format] in ids
    if format == "page":
        assert ids["r2"].findtext("{*}TextEquiv/{*}Unicode") == ""
        assert SCHEMA.validate(etree.fromstring(content)), SCHEMA.error_log.last_error
    back = read_ocr_file_bytes(content) if format == "hocr" else None
    assert back is None or "Yours" not in back


SCHEMA = etree.XMLSchema(etree.parse(str(DATA / "pagecontent-2019-07-15.xsd")))


def test_the_round_tripped_page_file_is_still_valid_page(letter):
    collection, store = letter("page-2019")
    _round_trip_decisions(collection, store)
    _split_merge(collection, store)
    assert SCHEMA.validate(etree.fromstring(export(collection, store, DOC, format="page", into_source=True).content))


def test_an_html_hocr_file_in_latin1_comes_back_in_latin1_with_its_charset(tmp_collection, tmp_path):
    from tests.test_reliability import LATIN1_HOCR

    source = tmp_path / "page.hocr"
    source.write_bytes(LATIN1_HOCR.encode("latin-1"))
    add_document(tmp_collection, DOC, title="Québec", ocr=[source])
    store = open_store()
    text = load_ocr_page(tmp_collection, DOC, 1).text
    _decide(tmp_collection, store, [_flag(text, "façade", suggestion="façades")])
    content = export(tmp_collection, store, DOC, format="hocr", into_source=True).content
    assert b'<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">' in content
    assert "façades".encode("latin-1") in content and "Québec".encode("latin-1") in content
    assert read_ocr_file_bytes(content) == "Québec, façades\n"
    without_step = re.sub(rb'<meta name="ocr-correction"[^>]*>\n?', b"", content)
    assert without_step == source.read_bytes().replace("façade<".encode("latin-1"), "façades<".encode("latin-1"))


@pytest.mark.parametrize(("reading", "dash"), [("secu-rity", "-"), ("security", "—")])
def test_a_join_keeps_the_printed_hyphen_once_whatever_dash_was_printed(tmp_collection, tmp_path, reading, dash):
    source = tmp_path / "letter.hocr"
    source.write_text((SOURCES / "letter.hocr").read_text().replace(">secu-<", f">secu{dash}<"))
    add_document(tmp_collection, DOC, title="A letter", ocr=[source])
    store = open_store()
    text = load_ocr_page(tmp_collection, DOC, 1).text
    _decide(tmp_collection, store, [_flag(text, f"secu{dash}\nrity", FlagCategory.BROKEN_HYPHENATION, reading)])
    content = export(tmp_collection, store, DOC, format="hocr", into_source=True).content
    words = _by_id(etree.fromstring(content))
    assert ("".join(words["word_1_15"].itertext()), "".join(words["word_1_16"].itertext())) == (f"secu{dash}", "rity")
    assert content == source.read_bytes()  # nothing changed in the file, so no processing step either


def test_a_corrected_word_loses_the_glyphs_of_the_old_reading(tmp_collection, tmp_path):
    source = tmp_path / "glyphs.page.xml"
    glyphs = "".join(
        f'<Glyph id="w12g{n}"><Coords points="750,600 760,600 760,639 750,639"/><TextEquiv><Unicode>{c}</Unicode>'
        "</TextEquiv></Glyph>"
        for n, c in enumerate("yon")
    )
    original = (SOURCES / "letter.page.xml").read_text()
    marker = '<Word id="w12"><Coords points="750,600 829,600 829,639 750,639"/>'
    assert marker in original
    source.write_text(original.replace(marker, marker + glyphs))
    add_document(tmp_collection, DOC, title="A letter", ocr=[source])
    store = open_store()
    _decide(tmp_collection, store, [_flag(load_ocr_page(tmp_collection, DOC, 1).text, "yon", suggestion="you")])
    root = etree.fromstring(export(tmp_collection, store, DOC, format="page", into_source=True).content)
    words = _by_id(root)
    assert "w12g0" not in words and words["w12"].findtext("{*}TextEquiv/{*}Unicode") == "you"
    assert SCHEMA.validate(root), SCHEMA.error_log.last_error
