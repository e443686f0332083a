"""`workbench search` (workbench.cli.search): hits printed and as JSON, a numbered replacement as one batch
undone by `review DOC --undo-last`, a line changed meanwhile refused alone, bad input in one line, exit 2."""

from __future__ import annotations

import json

import pytest

from tests.test_search import MEMO, NOTES
from tests.ui.conftest import make_document
from workbench import transcript
from workbench.cli import main
from workbench.store import open_store


@pytest.fixture
def two_documents(tmp_collection):
    make_document(tmp_collection, "memo", MEMO, gold=False)
    make_document(tmp_collection, "notes", NOTES, gold=False)
    return tmp_collection


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_hits_are_printed_numbered_and_as_json(two_documents, capsys):
    status, out, _ = run(capsys, "search", "tlie")
    assert status == 0
    assert out.splitlines()[0] == "1\tmemo\t1\t2\tthat [tlie] treaty holds"
    assert out.splitlines()[-1] == "4 hit(s) in 3 page(s) of 2 document(s)"
    status, out, _ = run(capsys, "search", "Novemb.r", "--regex", "--json", "--doc", "notes")
    (hit,) = json.loads(out)["hits"]
    assert (hit["document"], hit["page"], hit["line"], hit["start"], hit["end"]) == ("notes", 1, 2, 8, 16)


def test_replace_numbered_hits_as_one_batch_and_undo_it_with_review(two_documents, capsys):
    status, out, _ = run(capsys, "search", "tlie", "--replace", "the", "--hit", "1", "--hit", "4", "--dry-run")
    assert status == 0 and "nothing written" in out and not open_store().line_edits("memo")
    status, out, _ = run(capsys, "search", "tlie", "--replace", "the", "--hit", "1", "--hit", "4", "--reviewer", "ann")
    assert status == 0 and "replaced on 2 line(s) as one batch" in out
    edits = open_store().line_edits("memo") + open_store().line_edits("notes")
    assert [(e.document, e.line, e.text) for e in edits] == [
        ("memo", 2, "that the treaty holds"), ("notes", 1, "Notes on the meeting")
    ]
    status, out, _ = run(capsys, "review", "memo", "--undo-last", "--reviewer", "ann")
    assert status == 0 and "undid 2 line edit(s) of one replace, in memo, notes" in out
    assert run(capsys, "search", "tlie")[1].splitlines()[-1].startswith("4 hit(s)")


def test_a_line_changed_since_is_refused_and_named(two_documents, capsys, monkeypatch):
    from workbench import search

    real = search.search

    def search_then_bob_edits(collection, store, query):
        found = real(collection, store, query)
        transcript.correct_line(collection, store, "notes", 1, 1, "Notes on the meeting.", reviewer="bob")
        return found

    monkeypatch.setattr(search, "search", search_then_bob_edits)
    status, out, _ = run(capsys, "search", "tlie", "--replace", "the", "--reviewer", "ann")
    assert status == 0
    assert "refused: notes page 1 line 1 was changed since the preview (bob made it read" in out
    assert "replaced on 2 line(s) as one batch" in out and "1 refused" in out


def test_bad_input_is_one_line_and_exit_2(two_documents, capsys):
    status, _, err = run(capsys, "search", "(x", "--regex")
    assert status == 2 and err.count("\n") == 1 and "not a regular expression" in err
    status, _, err = run(capsys, "search", "tlie", "--replace", "the")
    assert status == 2 and "--replace needs --reviewer" in err
    status, _, err = run(capsys, "search", "tlie", "--doc", "missing")
    assert status == 2 and "missing" in err
    status, _, err = run(capsys, "search", "tlie", "--replace", "the", "--hit", "7", "--reviewer", "ann")
    assert status == 2 and "no hit 7" in err


def test_pages_without_ocr_are_named_on_stderr(two_documents, capsys):
    (two_documents.ocr_dir("notes") / "page-001.txt").unlink()
    status, out, err = run(capsys, "search", "tlie")
    assert status == 0 and out.splitlines()[-1] == "3 hit(s) in 2 page(s) of 2 document(s)"
    assert "note: 1 page(s) have no OCR yet and were not searched (notes: run `workbench ocr DOC`)" in err
    status, out, err = run(capsys, "search", "tlie", "--json")
    assert json.loads(out)["without_ocr"] == [{"document": "notes", "page": 1}] and "no OCR yet" in err


def test_a_search_with_nothing_logged_loads_neither_the_review_nor_the_flagger(two_documents):
    import os
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from workbench.cli import main\n"
        "assert main(['search', 'tlie']) == 0\n"
        "print(sorted(m for m in ('workbench.review', 'workbench.flags', 'workbench.learning', 'workbench.transcript')"
        " if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ),
                          check=True)
    assert done.stdout.splitlines()[-2] == "4 hit(s) in 3 page(s) of 2 document(s)"
    assert done.stdout.splitlines()[-1] == "[]"  # what `workbench search` from a script need not import
