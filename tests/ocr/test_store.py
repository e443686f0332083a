"""Stored OCR round-trips and refuses inconsistent records."""

from __future__ import annotations

import pytest

from workbench.errors import InputError
from workbench.models import Box, OcrPage, OcrWord
from workbench.ocr.store import has_ocr, load_ocr_page, load_ocr_text, save_ocr_page, text_file_identities


def test_page_round_trips_with_words_and_boxes(tmp_collection):
    text = "The Treaty\ncommits"
    words = (
        OcrWord("The", 0, 3, 96.5, Box(10, 10, 40, 30), line=1),
        OcrWord("Treaty", 4, 10, 91.0, Box(50, 10, 120, 30), line=1),
        OcrWord("commits", 11, 18, 40.0, Box(10, 40, 90, 60), line=2),
    )
    page = OcrPage("doc", 1, text, words, engine="tesseract 5.3", options={"psm": 3})
    save_ocr_page(tmp_collection, page, hocr="<html/>")
    loaded = load_ocr_page(tmp_collection, "doc", 1)
    assert loaded == page
    assert loaded.options == {"psm": 3}


def test_word_offsets_must_match_the_text(tmp_collection):
    page = OcrPage("doc", 1, "abc", (OcrWord("xyz", 0, 3),))
    with pytest.raises(ValueError, match="does not stand at 0:3"):
        save_ocr_page(tmp_collection, page)


def test_missing_ocr_names_the_file_and_the_command(tmp_collection):
    hint = r"\(run `workbench ocr doc` on its scans, or `workbench import-ocr doc FILE...`\)"
    with pytest.raises(InputError, match=r"page-002.txt: no OCR for page 2 of 'doc' " + hint):
        load_ocr_page(tmp_collection, "doc", 2)
    with pytest.raises(InputError, match=r"page-002.txt: no OCR for page 2 of 'doc' " + hint):
        load_ocr_text(tmp_collection, "doc", 2)


def test_has_ocr_needs_every_page(tmp_collection, repo_collection):
    document = repo_collection.document("us-japan-1974")
    assert not has_ocr(tmp_collection, document)


def test_saving_without_hocr_removes_the_older_pages_hocr(tmp_collection):
    from workbench.ocr.store import hocr_path

    save_ocr_page(tmp_collection, OcrPage("doc", 1, "a\n", (OcrWord("a", 0, 1),)), hocr="<html/>")
    assert hocr_path(tmp_collection, "doc", 1).read_text() == "<html/>"
    save_ocr_page(tmp_collection, OcrPage("doc", 1, "b\n", (OcrWord("b", 0, 1),), engine="import:alto"))
    assert not hocr_path(tmp_collection, "doc", 1).exists()
    assert load_ocr_page(tmp_collection, "doc", 1).engine == "import:alto"


def test_word_records_round_trip_through_json():
    from workbench.ocr.store import word_from_json, word_to_json

    word = OcrWord("Treaty", 4, 10, 91.5, Box(50, 10, 120, 30), line=2, paragraph=1, block=1)
    assert word_from_json(word_to_json(word)) == word
    assert word_from_json({"text": "x", "start": 0, "end": 1}) == OcrWord("x", 0, 1)


def test_a_words_list_reads_as_each_record_does():
    from workbench.ocr.store import word_from_json, word_to_json, words_from_json

    records = [
        word_to_json(OcrWord("Treaty", 4, 10, 91.5, Box(50, 10, 120, 30), line=2, paragraph=1, block=1)),
        word_to_json(OcrWord("of", 11, 13)),
        {"text": "x", "start": 0, "end": 1},
        {"text": "y", "start": 2, "end": 3, "box": None, "conf": 0.0},
    ]
    assert words_from_json(records) == tuple(word_from_json(r) for r in records)
    assert words_from_json([]) == ()


# --- a page's files are one set, even when the writer is killed (issue 15, item 5) -------------------------

KILLED_SAVE = """
import os, sys
from pathlib import Path
from workbench.corpus import Collection
from workbench.models import OcrPage, OcrWord
import workbench.ocr.store as store

collection, where = Collection(Path(sys.argv[1])), sys.argv[2]
real = {"replace": os.replace, "journal": store.atomic_write_json}
renames = []

def replace(source, target):
    real["replace"](source, target)
    renames.append(target)
    if where == "between-renames" and len(renames) == 1:
        os._exit(9)  # killed with one of the page's files renamed into place

def journal(path, value):
    if where == "before-journal":
        os._exit(9)  # killed with every new file staged, none in place
    real["journal"](path, value)

store.os.replace, store.atomic_write_json = replace, journal
store.save_ocr_page(collection, OcrPage("doc", 1, "new text\\n", (OcrWord("new", 0, 3), OcrWord("text", 4, 8))))
"""


def killed_save(collection, where: str) -> None:
    import subprocess
    import sys

    from tests.conftest import REPO_ROOT

    result = subprocess.run([sys.executable, "-c", KILLED_SAVE, str(collection.home), where], cwd=REPO_ROOT)
    assert result.returncode == 9


OLD = OcrPage("doc", 1, "old\n", (OcrWord("old", 0, 3),), engine="first")


@pytest.mark.parametrize(("where", "seen"), [("before-journal", "old\n"), ("between-renames", "new text\n")])
def test_a_save_killed_midway_leaves_the_old_set_or_the_new_set(tmp_collection, where, seen):
    from workbench.ocr.store import pending_path

    save_ocr_page(tmp_collection, OLD, hocr="<html>old</html>")
    killed_save(tmp_collection, where)
    page = load_ocr_page(tmp_collection, "doc", 1)  # words and text of one set, never a mix
    assert page.text == seen
    assert load_ocr_text(tmp_collection, "doc", 1) == seen  # the text alone: of the same set
    assert [w.text for w in page.words] == seen.split()
    assert pending_path(tmp_collection, "doc", 1).exists() == (where == "between-renames")
    identities, pending = text_file_identities(tmp_collection, "doc", 2)
    assert pending == ({1} if where == "between-renames" else set()) and identities[1] is None  # page 2: no OCR
    # the next save finishes or discards what the killed one left: no journal, no temporary file
    save_ocr_page(tmp_collection, OcrPage("doc", 1, "third\n", (OcrWord("third", 0, 5),)))
    names = sorted(p.name for p in tmp_collection.ocr_dir("doc").iterdir())
    assert names == ["page-001.previous.txt", "page-001.txt", "page-001.words.json"]  # previous: the text replaced
    assert load_ocr_page(tmp_collection, "doc", 1).text == "third\n"


def test_words_that_do_not_belong_to_the_text_are_refused(tmp_collection):
    from workbench.ocr.store import text_path, words_path

    save_ocr_page(tmp_collection, OLD)
    old_words = words_path(tmp_collection, "doc", 1).read_bytes()
    save_ocr_page(tmp_collection, OcrPage("doc", 1, "newer\n", (OcrWord("newer", 0, 5),)))
    words_path(tmp_collection, "doc", 1).write_bytes(old_words)  # what an older, killed writer left
    with pytest.raises(InputError, match=r"page-001\.words\.json: OCR words do not belong to page-001\.txt"):
        load_ocr_page(tmp_collection, "doc", 1)
    # a words file from before the text's checksum was recorded is checked by its words' offsets
    text_path(tmp_collection, "doc", 1).write_text("xyz\n")
    legacy = words_path(tmp_collection, "doc", 1)
    legacy.write_text(legacy.read_text().replace('"text_sha256"', '"was_sha256"'))
    with pytest.raises(InputError, match="do not belong"):
        load_ocr_page(tmp_collection, "doc", 1)


def test_hocr_is_kept_in_its_own_encoding(tmp_collection):
    from workbench.ocr.store import hocr_path

    latin1 = '<html><head><meta charset="iso-8859-1"></head><body>Québec</body></html>'.encode("latin-1")
    save_ocr_page(tmp_collection, OcrPage("doc", 1, "Québec\n", (OcrWord("Québec", 0, 6),)), hocr=latin1)
    assert hocr_path(tmp_collection, "doc", 1).read_bytes() == latin1


def test_the_text_alone_is_read_without_the_words_which_are_still_refused_when_used(tmp_collection):
    from workbench.ocr.store import words_path

    save_ocr_page(tmp_collection, OLD)
    old_words = words_path(tmp_collection, "doc", 1).read_bytes()
    save_ocr_page(tmp_collection, OcrPage("doc", 1, "newer\n", (OcrWord("newer", 0, 5),)))
    words_path(tmp_collection, "doc", 1).write_bytes(old_words)  # a mismatched pair
    assert load_ocr_text(tmp_collection, "doc", 1) == "newer\n"  # scoring uses no words
    with pytest.raises(InputError, match="do not belong"):
        load_ocr_page(tmp_collection, "doc", 1)
    words_path(tmp_collection, "doc", 1).write_text("{not json")  # nor parses them
    assert load_ocr_text(tmp_collection, "doc", 1) == "newer\n"


def _two_page_document(collection):
    from workbench.models import Document, PageRef

    pages = tuple(PageRef("doc", n, None, "") for n in (1, 2))
    return Document(id="doc", title="Doc", pages=pages, manifest_path=collection.home / "manifest.json")


def test_has_ocr_answers_as_a_reader_finds_each_page(tmp_collection):
    from workbench.ocr.store import pending_path, text_path

    document = _two_page_document(tmp_collection)
    save_ocr_page(tmp_collection, OcrPage("doc", 1, "one\n", (OcrWord("one", 0, 3),)))
    assert not has_ocr(tmp_collection, document)  # page 2 has none
    save_ocr_page(tmp_collection, OcrPage("doc", 2, "two\n", (OcrWord("two", 0, 3),)))
    assert has_ocr(tmp_collection, document)
    # a text file that is a link to nothing is no OCR
    text_path(tmp_collection, "doc", 2).unlink()
    text_path(tmp_collection, "doc", 2).symlink_to(tmp_collection.home / "gone.txt")
    assert not has_ocr(tmp_collection, document)
    # a save killed between its renames: the staged text its journal names is the page's OCR
    text_path(tmp_collection, "doc", 2).unlink()
    staged = tmp_collection.ocr_dir("doc") / ".page-002.txt.tmp"
    staged.write_text("two\n", encoding="utf-8")
    pending_path(tmp_collection, "doc", 2).write_text(
        '{"replace": [[".page-002.txt.tmp", "page-002.txt"]], "remove": []}', encoding="utf-8"
    )
    assert has_ocr(tmp_collection, document) and load_ocr_text(tmp_collection, "doc", 2) == "two\n"
    staged.unlink()
    assert not has_ocr(tmp_collection, document)
