"""Corrections survive the OCR being run again: decisions and line edits made on the old text are moved onto
the new one by alignment (`review DOC --reanchor`), and the ones that cannot be placed are listed with the
reason; nothing is dropped without a word."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_transcript import DOC, decided, flag_at
from workbench import review
from workbench.cli import main
from workbench.corpus import write_manifest
from workbench.models import DecisionAction, Document, OcrPage, PageRef
from workbench.ocr.store import load_previous_text, save_ocr_page
from workbench.reanchor import plan_page
from workbench.store import LineEdit, open_store
from workbench.transcript import correct_document, correct_line

OLD = "The shipmcnt of books\narrived on Mondav.\nYours faithfuliy,\nJ. Smith\n"
NEW = "DEPARTMENT OF STATE\nThe shipmcnt of b0oks\narrived on Monday.\nYours faithfuliy,\nJ. Sm1th Jr and others\n"


def _edit(line: int, ocr: str, text: str) -> LineEdit:
    return LineEdit(DOC, 1, line, DecisionAction.EDIT, ocr, ocr, text, "bob", "2026-12-01T10:00:00.000Z", id=7)


def test_the_plan_moves_what_the_new_ocr_still_reads_and_says_why_not_for_the_rest():
    shipment = decided(flag_at(OLD, "shipmcnt", suggestions=("shipment",)), id=1)
    books = decided(flag_at(OLD, "books", suggestions=("volumes",)), id=2)
    monday = decided(flag_at(OLD, "Mondav.", suggestions=("Monday.",)), id=3)
    flags, lines = plan_page(
        OLD, NEW, [shipment, books, monday], [_edit(3, "Yours faithfuliy,", "Yours faithfully,"),
                                              _edit(4, "J. Smith", "J. Smith")]
    )
    moved, lost, settled = flags
    assert (moved.new.start, moved.new.end, NEW[moved.new.start : moved.new.end]) == (24, 32, "shipmcnt")
    assert moved.new.key != moved.flag.key and not moved.reason
    assert lost.new is None and lost.reason == "the new OCR reads 'b0oks' where the flag read 'books'"
    assert settled.settled and "reads 'Monday.', as decided" in settled.reason
    signature, name = lines
    assert (signature.line, signature.ocr) == (4, "Yours faithfuliy,")  # the same line, one further down
    assert name.line is None and "unlike the old 'J. Smith'" in name.reason


def test_decisions_still_standing_are_not_planned_and_older_ones_are_listed():
    standing = decided(flag_at(NEW, "faithfuliy,", suggestions=("faithfully,",)), id=1)
    older = decided(flag_at("zzzz\n" + NEW, "zzzz", suggestions=("x",)), id=2)  # made on some other text
    flags, lines = plan_page(OLD, NEW, [standing, older], [])
    assert [f.flag.text for f in flags] == ["zzzz"] and flags[0].reason.startswith("decided on an OCR older")
    assert lines == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["STAMP", "a b", "- 2 -", ""]), min_size=1, max_size=4), st.integers(0, 4))
def test_lines_added_or_removed_around_them_move_every_decision_exactly(extra, where):
    lines = OLD.splitlines(keepends=True)
    new = "".join(lines[:where] + [e + "\n" for e in extra] + lines[where:])
    pairs = [decided(flag_at(OLD, word, suggestions=("x",)), id=n) for n, word in enumerate(("shipmcnt", "Smith"))]
    flags, _ = plan_page(OLD, new, pairs, [])
    for move in flags:  # only those whose offsets changed are planned; each lands on its own text
        assert move.new is not None and new[move.new.start : move.new.end] == move.flag.text
        assert new.count("\n", 0, move.new.start) == OLD.count("\n", 0, move.flag.start) + (
            len(extra) if OLD.count("\n", 0, move.flag.start) >= where else 0
        )


def test_review_reanchor_moves_decisions_and_line_edits_onto_the_new_ocr(tmp_collection, capsys):
    tmp_collection.document_dir(DOC).mkdir(parents=True)
    write_manifest(Document(DOC, "A letter", (PageRef(DOC, 1),)), tmp_collection.manifest_path(DOC))
    save_ocr_page(tmp_collection, OcrPage(DOC, 1, OLD, engine="import:text"))
    assert load_previous_text(tmp_collection, DOC, 1) is None
    store = open_store()
    flags = [flag_at(OLD, "shipmcnt", suggestions=("shipment",)), flag_at(OLD, "books", suggestions=("volumes",))]
    review.sync_flags(store, DOC, flags)
    review.accept_all(store, DOC, reviewer="ann")
    correct_line(tmp_collection, store, DOC, 1, 3, "Yours faithfully,", reviewer="bob")
    save_ocr_page(tmp_collection, OcrPage(DOC, 1, OLD, engine="import:text"))  # the same text: nothing kept
    assert load_previous_text(tmp_collection, DOC, 1) is None

    save_ocr_page(tmp_collection, OcrPage(DOC, 1, NEW, engine="tesseract"))  # the OCR run again
    assert load_previous_text(tmp_collection, DOC, 1) == OLD
    before = correct_document(tmp_collection, store, DOC).pages[0]
    assert "shipment" not in before.text and len(before.skipped) == 2 and len(before.skipped_lines) == 1

    assert main(["export", DOC, "--format", "txt"]) == 0
    assert f"hint: the OCR was run again since some decisions; `workbench review {DOC} --reanchor`" in (
        capsys.readouterr().err
    )
    assert main(["review", DOC, "--reanchor"]) == 0
    out = capsys.readouterr().out
    assert f"{DOC}: 2 decision(s) moved onto the new OCR, 0 already read as decided, 1 could not be placed" in out
    assert "page 1: " in out and "accepted" in out and "the new OCR reads 'b0oks' where the flag read 'books'" in out
    after = correct_document(tmp_collection, store, DOC).pages[0]
    assert after.text == NEW.replace("shipmcnt", "shipment").replace("faithfuliy", "faithfully")
    assert [s.flag.text for s in after.skipped] == ["books"]  # the one not placed, still said
    assert after.skipped_lines == ()
    (moved,) = [c for c in after.changes if c.decision is not None]
    assert moved.decision.reviewer == "ann" and "moved onto the new OCR from flag" in moved.decision.note
    (line,) = after.line_edits
    assert (line.line, line.reviewer, line.text) == (4, "bob", "Yours faithfully,")

    assert main(["review", DOC, "--reanchor"]) == 0  # again: nothing more to move, the one left still listed
    assert "0 decision(s) moved onto the new OCR, 0 already read as decided, 1 could not be placed" in (
        capsys.readouterr().out
    )


def test_reanchor_leaves_a_decision_of_the_new_place_alone(tmp_collection, capsys):
    tmp_collection.document_dir(DOC).mkdir(parents=True)
    write_manifest(Document(DOC, "A letter", (PageRef(DOC, 1),)), tmp_collection.manifest_path(DOC))
    save_ocr_page(tmp_collection, OcrPage(DOC, 1, OLD, engine="import:text"))
    store = open_store()
    review.sync_flags(store, DOC, [flag_at(OLD, "shipmcnt", suggestions=("shipment", "shipmint"))])
    review.accept_all(store, DOC, reviewer="ann")
    save_ocr_page(tmp_collection, OcrPage(DOC, 1, NEW, engine="tesseract"))
    new_flag = flag_at(NEW, "shipmcnt", suggestions=("shipment", "shipmint"))
    review.sync_flags(store, DOC, [new_flag])  # the flagger on the new OCR found it again
    review.decide(store, DOC, new_flag.key, action="accept", text="shipmint", reviewer="cy",
                  version=0)
    assert main(["review", DOC, "--reanchor"]) == 0
    assert f"flag {new_flag.key} on the new text is decided already" in capsys.readouterr().out
    assert "shipmint" in correct_document(tmp_collection, store, DOC).pages[0].text


def test_a_stored_ocr_folder_imported_elsewhere_leaves_its_previous_text_out(tmp_collection):
    from workbench.ocr.importers import ocr_files

    tmp_collection.document_dir(DOC).mkdir(parents=True)
    write_manifest(Document(DOC, "A letter", (PageRef(DOC, 1),)), tmp_collection.manifest_path(DOC))
    save_ocr_page(tmp_collection, OcrPage(DOC, 1, OLD, engine="import:text"))
    save_ocr_page(tmp_collection, OcrPage(DOC, 1, NEW, engine="import:text"))
    assert [p.name for p in ocr_files([tmp_collection.ocr_dir(DOC)])] == ["page-001.txt"]


def test_import_ocr_again_moves_the_decisions_at_once(tmp_collection, tmp_path, capsys):
    tmp_collection.document_dir(DOC).mkdir(parents=True)
    write_manifest(Document(DOC, "A letter", (PageRef(DOC, 1),)), tmp_collection.manifest_path(DOC))
    first, again = tmp_path / "first.txt", tmp_path / "again.txt"
    first.write_text(OLD, encoding="utf-8")
    again.write_text(NEW, encoding="utf-8")
    assert main(["import-ocr", DOC, str(first)]) == 0
    assert "moved onto the new OCR" not in capsys.readouterr().out  # nobody has reviewed it: nothing said
    store = open_store()
    review.sync_flags(store, DOC, [flag_at(OLD, "shipmcnt", suggestions=("shipment",))])
    review.accept_all(store, DOC, reviewer="ann")

    assert main(["import-ocr", DOC, str(again)]) == 0
    assert f"{DOC}: 1 decision(s) moved onto the new OCR, 0 already read as decided, 0 could not be placed" in (
        capsys.readouterr().out
    )
    page = correct_document(tmp_collection, store, DOC).pages[0]
    assert "The shipment of b0oks" in page.text and page.skipped == ()
