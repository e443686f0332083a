"""Loading documents and adding new ones (from scans, OCR files or gold text): clear errors, nothing
half-made."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import DATA, MAIN_DOC
from workbench.corpus import Collection, add_document, load_gold, load_manifest, write_manifest
from workbench.errors import CorpusError, InputError, ScanError
from workbench.ocr.importers import import_ocr
from workbench.ocr.store import has_ocr, load_ocr_pages


def make_page(path, text_color=0, size=(200, 100)):
    image = Image.new("L", size, 255)
    image.putpixel((10, 10), text_color)
    image.save(path, dpi=(300, 300))
    return path


def test_main_document_manifest_loads(repo_collection):
    document = repo_collection.document(MAIN_DOC)
    assert document.page_count == 5
    assert document.gold == MAIN_DOC
    assert repo_collection.has_gold(document)
    assert MAIN_DOC in repo_collection.document_ids()


def test_missing_manifest_names_the_file(tmp_collection):
    with pytest.raises(CorpusError, match=r"nope/manifest.json: manifest not found"):
        tmp_collection.document("nope")


def test_page_count_mismatch_in_manifest_is_refused(tmp_path):
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"id": "x", "title": "t", "page_count": 3, "pages": [{"page": 1}]}))
    with pytest.raises(CorpusError, match=r"manifest.json: page_count is 3 but 1 pages are listed"):
        load_manifest(path)


def test_manifest_that_is_not_json_names_the_file(tmp_path):
    path = tmp_path / "manifest.json"
    path.write_text("{not json")
    with pytest.raises(CorpusError, match=r"manifest.json: manifest is not valid JSON"):
        load_manifest(path)


def test_gold_in_latin1_is_refused_naming_the_file(tmp_path):
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "page-001.txt").write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(InputError, match=r"page-001.txt: gold page is not valid UTF-8 \(byte 0xe9"):
        load_gold(gold)


def test_missing_gold_page_is_named(tmp_path):
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "page-001.txt").write_text("a")
    (gold / "page-003.txt").write_text("c")
    with pytest.raises(CorpusError, match=r"gold page\(s\) \[2\] missing"):
        load_gold(gold)


def test_gold_page_count_must_match_document(tmp_path):
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "page-001.txt").write_text("a")
    with pytest.raises(CorpusError, match=r"1 gold pages but the document has 2 pages"):
        load_gold(gold, expected_pages=2)


def test_malformed_markings_sidecar_is_named(tmp_path):
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "page-001.txt").write_text("body")
    (gold / "page-001.markings.json").write_text(json.dumps({"page": 1, "markings": [{"text": "X"}]}))
    with pytest.raises(CorpusError, match=r"page-001.markings.json: markings\[0\] is malformed"):
        load_gold(gold)


def test_add_document_copies_scans_with_checksums_and_gold(tmp_collection, tmp_path):
    scans = [make_page(tmp_path / f"in{i}.png") for i in (1, 2)]
    gold = [tmp_path / "g1.txt", tmp_path / "g2.txt"]
    gold[0].write_text("first page")
    gold[1].write_text("second page")
    document = add_document(tmp_collection, "letters-1950", title="Letters", sources=scans, gold=gold)
    loaded = tmp_collection.document("letters-1950")
    assert loaded.page_count == 2 == document.page_count
    assert all(p.scan.exists() and len(p.sha256) == 64 for p in loaded.pages)
    assert [p.body for p in tmp_collection.gold_pages(loaded)] == ["first page", "second page"]


def test_add_document_from_multipage_tiff(tmp_collection, tmp_path):
    frames = [Image.new("L", (120, 80), shade) for shade in (255, 200, 150)]
    path = tmp_path / "bundle.tiff"
    frames[0].save(path, save_all=True, append_images=frames[1:])
    document = add_document(tmp_collection, "bundle", title="Bundle", sources=[path])
    assert document.page_count == 3
    assert not tmp_collection.has_gold(tmp_collection.document("bundle"))


def test_add_document_from_pdf_renders_each_page(tmp_collection, tmp_path):
    pages = [Image.new("RGB", (850, 1100), "white") for _ in range(2)]
    path = tmp_path / "doc.pdf"
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=100)
    document = add_document(tmp_collection, "from-pdf", title="PDF", sources=[path])
    assert document.page_count == 2
    with Image.open(document.pages[0].scan) as first:
        assert first.mode == "L" and first.width > 2000  # rendered at 300 dpi


@pytest.mark.parametrize("bad_id", ["Upper", "has space", "../escape", "", "-lead"])
def test_add_document_refuses_bad_ids(tmp_collection, tmp_path, bad_id):
    with pytest.raises(CorpusError, match="bad document id"):
        add_document(tmp_collection, bad_id, title="t", sources=[make_page(tmp_path / "a.png")])


def test_add_document_with_gold_count_mismatch_leaves_nothing(tmp_collection, tmp_path):
    scans = [make_page(tmp_path / "a.png"), make_page(tmp_path / "b.png")]
    (tmp_path / "g.txt").write_text("only one")
    with pytest.raises(CorpusError, match=r"1 page\(s\) of gold in \S*g\.txt for 2 scanned page\(s\) in \S*a\.png, "):
        add_document(tmp_collection, "doc", title="t", sources=scans, gold=[tmp_path / "g.txt"])
    assert list(tmp_collection.scans.iterdir()) == []
    assert not tmp_collection.gold_dir("doc").exists()


def test_add_document_with_corrupt_image_names_it_and_leaves_nothing(tmp_collection, tmp_path):
    good = make_page(tmp_path / "good.png")
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(ScanError, match=r"bad.png: "):
        add_document(tmp_collection, "doc", title="t", sources=[good, bad])
    with pytest.raises(ScanError, match=r"empty.png: not an image \(0 bytes\)"):
        add_document(tmp_collection, "doc", title="t", sources=[good, empty])
    assert list(tmp_collection.scans.iterdir()) == []


def test_add_document_refuses_existing_id(tmp_collection, tmp_path):
    add_document(tmp_collection, "doc", title="t", sources=[make_page(tmp_path / "a.png")])
    with pytest.raises(CorpusError, match="already exists"):
        add_document(tmp_collection, "doc", title="t", sources=[make_page(tmp_path / "b.png")])


def test_collection_default_follows_workbench_home(tmp_collection):
    assert Collection.default().home == tmp_collection.home.resolve()


# -- documents without scans -------------------------------------------------------------------------------

ADD = DATA / "add"
LETTER = [
    "Dear Sir,\n\nThe shipmcnt of books arrived on Monday.\n",
    "We thank yon for your prompt service.\n\nYours faithfully,\nJ. Smith\n",
]


def _leaves_nothing(collection, doc_id):
    assert list(collection.scans.iterdir()) == []  # no manifest, no staging folder
    assert not collection.gold_dir(doc_id).exists()
    assert not collection.ocr_dir(doc_id).exists()


@pytest.mark.parametrize(
    ("files", "engine"),
    [
        (["letter-ocr.txt"], "import:text"),  # form-feed pages, as `workbench export --format txt` writes
        (["letter.hocr"], "import:hocr"),
        (["letter.alto.xml"], "import:alto"),
        (["letter.page.xml"], "import:page"),
    ],
)
def test_add_document_from_one_ocr_file_of_several_pages(tmp_collection, files, engine):
    document = add_document(tmp_collection, "letter", title="Letter", ocr=[ADD / f for f in files])
    loaded = tmp_collection.document("letter")
    assert loaded.page_count == 2 == document.page_count
    assert all(p.scan is None and p.sha256 is None for p in loaded.pages) and not loaded.has_scans
    pages = load_ocr_pages(tmp_collection, loaded)
    assert [p.text for p in pages] == LETTER
    assert {p.engine for p in pages} == {engine}
    assert loaded.gold is None and not tmp_collection.has_gold(loaded)


def test_add_document_from_one_ocr_file_per_page_in_different_formats(tmp_collection):
    files = [DATA / "ocr" / "page-2019.xml", DATA / "ocr" / "alto-v4.xml", DATA / "ocr" / "vendor.hocr"]
    add_document(tmp_collection, "mixed", title="Mixed", ocr=files)
    pages = load_ocr_pages(tmp_collection, tmp_collection.document("mixed"))
    assert [p.engine for p in pages] == ["import:page", "import:alto", "import:hocr"]
    assert [p.options["source"] for p in pages] == ["page-2019.xml", "alto-v4.xml", "vendor.hocr"]


def test_ocr_is_stored_exactly_as_import_ocr_stores_it(tmp_collection):
    files = [DATA / "ocr" / "alto-v4.xml", DATA / "ocr" / "tesseract-5.3.hocr"]
    add_document(tmp_collection, "added", title="Added", ocr=files)
    reference = add_document(tmp_collection, "imported", title="Imported", gold=[ADD / "letter-gold.txt"])
    import_ocr(tmp_collection, reference, files)

    def stored(doc_id):
        folder = tmp_collection.ocr_dir(doc_id)
        files = {}
        for path in sorted(folder.iterdir()):
            data = path.read_text(encoding="utf-8")
            if path.name.endswith(".words.json"):
                data = json.loads(data)
                data.pop("document")
            files[path.name] = data
        return files

    assert stored("added") == stored("imported")
    assert (tmp_collection.ocr_dir("added") / "page-002.hocr").exists()  # one file per page: hOCR kept


def test_add_document_from_ocr_and_gold(tmp_collection):
    add_document(
        tmp_collection, "letter", title="Letter", ocr=[ADD / "letter.alto.xml"], gold=[ADD / "letter-gold.txt"]
    )
    document = tmp_collection.document("letter")
    assert document.gold == "letter"
    golds = tmp_collection.gold_pages(document)
    assert [g.body for g in golds] == [
        "Dear Sir,\n\nThe shipment of books arrived on Monday.\n",
        "We thank you for your prompt service.\n\nYours faithfully,\nJ. Smith\n",
    ]
    assert [p.text for p in load_ocr_pages(tmp_collection, document)] == LETTER


def test_add_document_from_gold_only_is_a_reference(tmp_collection, tmp_path):
    pages = [tmp_path / "one.txt", tmp_path / "two.txt", tmp_path / "three.txt"]
    for number, path in enumerate(pages, start=1):
        path.write_text(f"Page {number} of the transcription.\n", encoding="utf-8")
    add_document(tmp_collection, "reference", title="Reference", gold=pages, lang="deu")
    document = tmp_collection.document("reference")
    assert document.page_count == 3 and not document.has_scans and document.lang == "deu"
    assert [g.body for g in tmp_collection.gold_pages(document)][2] == "Page 3 of the transcription.\n"
    assert not has_ocr(tmp_collection, document)
    assert not tmp_collection.ocr_dir("reference").exists()


def test_gold_files_may_mix_form_feed_files_and_single_pages(tmp_collection, tmp_path):
    last = tmp_path / "last.txt"
    last.write_text("The end.\n")
    add_document(tmp_collection, "letter", title="Letter", gold=[ADD / "letter-gold.txt", last])
    assert tmp_collection.document("letter").page_count == 3


def test_empty_gold_page_in_a_form_feed_file_is_named(tmp_collection, tmp_path):
    gold = tmp_path / "gold.txt"
    gold.write_text("Page one.\n\f  \n\fPage three.\n")
    with pytest.raises(CorpusError, match=r"gold\.txt page 2: gold text is empty"):
        add_document(tmp_collection, "doc", title="t", gold=[gold])
    _leaves_nothing(tmp_collection, "doc")


def test_ocr_and_gold_page_counts_must_agree_and_nothing_is_left(tmp_collection, tmp_path):
    gold = tmp_path / "gold.txt"
    gold.write_text("Only one page.\n")
    with pytest.raises(CorpusError) as caught:
        add_document(tmp_collection, "doc", title="t", ocr=[ADD / "letter-ocr.txt"], gold=[gold])
    message = str(caught.value)
    assert "\n" not in message
    assert "2 page(s) of OCR in " in message and "letter-ocr.txt" in message
    assert "but 1 page(s) of gold in " in message and "gold.txt" in message
    _leaves_nothing(tmp_collection, "doc")


def test_scans_and_ocr_page_counts_must_agree(tmp_collection, tmp_path):
    scans = [make_page(tmp_path / "a.png")]
    expected = r"2 page\(s\) of OCR in \S*letter\.hocr for 1 scanned page\(s\) in \S*a\.png"
    with pytest.raises(CorpusError, match=expected):
        add_document(tmp_collection, "doc", title="t", sources=scans, ocr=[ADD / "letter.hocr"])
    _leaves_nothing(tmp_collection, "doc")


def test_ocr_given_with_scans_is_imported_onto_the_scanned_pages(tmp_collection, tmp_path):
    scans = [make_page(tmp_path / "a.png"), make_page(tmp_path / "b.png")]
    add_document(tmp_collection, "doc", title="t", sources=scans, ocr=[ADD / "letter.hocr"], lang="eng")
    document = tmp_collection.document("doc")
    assert document.has_scans and document.lang == "eng"
    assert [p.text for p in load_ocr_pages(tmp_collection, document)] == LETTER


def test_a_malformed_ocr_file_leaves_nothing(tmp_collection):
    with pytest.raises(InputError, match=r"alto-truncated\.xml: malformed XML"):
        add_document(
            tmp_collection, "doc", title="t", ocr=[ADD / "letter.hocr", DATA / "ocr" / "alto-truncated.xml"]
        )
    _leaves_nothing(tmp_collection, "doc")


def test_a_failure_after_gold_and_ocr_are_moved_into_place_takes_them_back(tmp_collection, monkeypatch):
    real_rename = Path.rename

    def rename(self, target):
        if Path(target) == tmp_collection.document_dir("doc"):  # the manifest's folder goes last
            raise OSError("No space left on device")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(CorpusError, match=r"adding document 'doc' failed: No space left on device"):
        add_document(
            tmp_collection, "doc", title="t", ocr=[ADD / "letter.hocr"], gold=[ADD / "letter-gold.txt"]
        )
    _leaves_nothing(tmp_collection, "doc")


def test_nothing_to_add_is_refused(tmp_collection):
    with pytest.raises(CorpusError, match=r"document 'doc': nothing to add"):
        add_document(tmp_collection, "doc", title="t")


def test_an_ocr_folder_left_behind_is_not_taken_as_the_new_documents(tmp_collection):
    tmp_collection.ocr_dir("doc").mkdir(parents=True)
    with pytest.raises(CorpusError, match=r"transcripts/ocr/doc: document 'doc' already exists"):
        add_document(tmp_collection, "doc", title="t", gold=[ADD / "letter-gold.txt"])


@pytest.mark.parametrize("lang", ["eng", "eng+fra", "chi_sim", "deu_latf+eng"])
def test_lang_is_stored_in_the_manifest(tmp_collection, lang):
    add_document(tmp_collection, "doc", title="t", ocr=[ADD / "letter-ocr.txt"], lang=lang)
    assert tmp_collection.document("doc").lang == lang
    assert json.loads(tmp_collection.manifest_path("doc").read_text())["lang"] == lang


def test_lang_is_stored_for_a_document_with_scans(tmp_collection, tmp_path):
    add_document(tmp_collection, "doc", title="t", sources=[make_page(tmp_path / "a.png")], lang="fra")
    assert tmp_collection.document("doc").lang == "fra"


@pytest.mark.parametrize("lang", ["en g", "eng+", "+eng", "eng++fra", "eng,fra", "3ng", "eng/fra", "_eng"])
def test_bad_lang_is_refused_before_anything_is_made(tmp_collection, lang):
    with pytest.raises(CorpusError, match=r"--lang: bad language"):
        add_document(tmp_collection, "doc", title="t", ocr=[ADD / "letter-ocr.txt"], lang=lang)
    _leaves_nothing(tmp_collection, "doc")


def test_old_manifest_without_lang_loads(tmp_path):
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"id": "old", "title": "Old", "page_count": 1, "pages": [{"page": 1, "scan": "p.png"}]}))
    document = load_manifest(path)
    assert document.lang == "" and document.has_scans


def test_bad_lang_in_a_manifest_names_the_file(tmp_path):
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"id": "x", "title": "t", "lang": "en g", "page_count": 1, "pages": [{"page": 1}]}))
    with pytest.raises(CorpusError, match=r"manifest.json: 'lang': bad language 'en g'"):
        load_manifest(path)


def test_manifest_round_trip_keeps_lang_and_scanless_pages(tmp_collection):
    add_document(tmp_collection, "doc", title="t", gold=[ADD / "letter-gold.txt"], lang="eng+fra")
    document = tmp_collection.document("doc")
    write_manifest(document, document.manifest_path)
    assert tmp_collection.document("doc") == document


def test_gold_line_hyphens_round_trips_and_is_left_out_when_default(tmp_collection):
    from dataclasses import replace

    from workbench.models import LineHyphens

    add_document(tmp_collection, "doc", title="t", gold=[ADD / "letter-gold.txt"])
    document = tmp_collection.document("doc")
    assert document.gold_line_hyphens is LineHyphens.JOINED
    assert "gold_line_hyphens" not in json.loads(document.manifest_path.read_text())
    write_manifest(replace(document, gold_line_hyphens=LineHyphens.KEPT), document.manifest_path)
    assert json.loads(document.manifest_path.read_text())["gold_line_hyphens"] == "kept"
    assert tmp_collection.document("doc").gold_line_hyphens is LineHyphens.KEPT


def test_bad_gold_line_hyphens_in_a_manifest_names_the_file(tmp_path):
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"id": "x", "title": "t", "gold_line_hyphens": "yes", "page_count": 1,
                                "pages": [{"page": 1}]}))
    message = r"manifest.json: 'gold_line_hyphens' must be one of 'joined', 'kept', not 'yes'"
    with pytest.raises(CorpusError, match=message):
        load_manifest(path)
