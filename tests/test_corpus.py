"""Loading documents and adding new ones: clear errors, nothing half-made."""

from __future__ import annotations

import json

import pytest
from PIL import Image

from tests.conftest import MAIN_DOC
from workbench.corpus import Collection, add_document, load_gold, load_manifest
from workbench.errors import CorpusError, InputError, ScanError


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
