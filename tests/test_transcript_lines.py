"""Line edits in the corrected transcript and its exports: a reviewer's text replaces its OCR line, flags in
the line are settled by it (never applied twice), words it leaves alone keep their OCR boxes; and deleted
noise leaves no blank first line or stray spaces behind."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.test_transcript import DOC, decided, flag_at, words_of
from workbench import review
from workbench.corpus import write_manifest
from workbench.errors import ReviewError
from workbench.exporters import ALTO_NS, export, to_json
from workbench.models import DecisionAction, Document, FlagCategory, OcrPage, PageRef
from workbench.ocr.store import load_ocr_page, save_ocr_page
from workbench.review import LineConflict
from workbench.store import LineEdit, open_store
from workbench.transcript import correct_document, correct_line, correct_page, page_lines, transcribed_lines


def line_edit(line: int, ocr: str, text: str, *, id=100) -> LineEdit:
    return LineEdit(DOC, 1, line, DecisionAction.EDIT, ocr, ocr, text, "ann", "2026-12-02T10:00:00.000Z", id=id)


# -- the pure core -----------------------------------------------------------------------------------------


def test_a_line_edit_replaces_its_line_and_the_words_it_keeps_map_to_the_ocr():
    text = "4. when the original\nwas signed in Novembcr.\n"
    result = correct_page(text, [], line_edits=[line_edit(1, "4. when the original", "When the original")])
    assert result.text == "When the original\nwas signed in Novembcr.\n"
    assert all(c.line_edit is not None and c.flag is None for c in result.changes)
    original = result.text.index("original")
    assert result.source_span(original, original + 8) == (text.index("original"), text.index("original") + 8)
    assert result.line_edits[0].line == 1


def test_flags_inside_an_edited_line_are_settled_by_it_never_applied_twice():
    text = "Teh cat sat\nadn slept"
    teh = flag_at(text, "Teh", suggestions=("The",))
    adn = flag_at(text, "adn", suggestions=("and",))
    result = correct_page(
        text, [decided(teh, id=1), decided(adn, id=2)], line_edits=[line_edit(1, "Teh cat sat", "The cat sat.")]
    )
    assert result.text == "The cat sat.\nand slept"
    assert [s.flag.key for s in result.settled] == [teh.key]
    assert "line 1" in result.settled[0].reason
    assert result.skipped == ()


def test_a_hyphenation_reaching_into_an_edited_line_is_settled():
    text = "the secu-\nrity of Japan"
    hyphen = flag_at(text, "secu-\nrity", FlagCategory.BROKEN_HYPHENATION, ("security",))
    result = correct_page(text, [decided(hyphen)], line_edits=[line_edit(2, "rity of Japan", "rity of Japan!")])
    assert result.text == "the secu-\nrity of Japan!"
    assert [s.flag.key for s in result.settled] == [hyphen.key]


def test_text_typed_on_an_empty_line_restores_a_lost_header():
    text = "\nThe Treaty stands."
    result = correct_page(text, [], line_edits=[line_edit(1, "", "CONFIDENTIAL -2-")])
    assert result.text == "CONFIDENTIAL -2-\nThe Treaty stands."


def test_an_emptied_line_goes_with_its_line_break():
    text = "Body.\n~ ' .\nMore body.\n"
    assert correct_page(text, [], line_edits=[line_edit(2, "~ ' .", "")]).text == "Body.\nMore body.\n"


def test_a_line_edit_whose_ocr_line_changed_is_left_out_and_says_why():
    text = "the cat\nsat"
    result = correct_page(text, [], line_edits=[line_edit(1, "teh cat", "The cat"), line_edit(9, "x", "y", id=101)])
    assert result.text == text
    assert [s.edit.line for s in result.skipped_lines] == [1, 9]
    assert "OCR of line 1 changed" in result.skipped_lines[0].reason
    assert "no line 9" in result.skipped_lines[1].reason


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.text(alphabet="ab .", max_size=8), min_size=1, max_size=5),
    st.dictionaries(st.integers(1, 5), st.text(alphabet="xyb .", min_size=1, max_size=8), max_size=5),
)
def test_line_edits_read_exactly_as_typed_and_other_lines_stay(lines, typed):
    text = "\n".join(lines)
    edits = [line_edit(n, lines[n - 1], t, id=n) for n, t in typed.items() if n <= len(lines) and t.strip()]
    result = correct_page(text, [], line_edits=edits)
    expected = list(lines)
    for item in edits:
        expected[item.line - 1] = item.text
    assert result.text == "\n".join(expected)
    assert result.skipped_lines == ()


# -- deleted noise trimmed ---------------------------------------------------------------------------------


def test_a_dropped_stamp_opening_the_page_leaves_no_blank_first_line():
    text = "CONFIDENTIAL\n\nThe Treaty commits\n"
    stamp = flag_at(text, "CONFIDENTIAL", FlagCategory.STAMP_NOISE, ("",))
    assert correct_page(text, [decided(stamp)]).text == "The Treaty commits\n"


def test_deleted_noise_at_the_start_or_end_of_a_line_leaves_no_spaces():
    text = "~   The Treaty\ncommits the US  .\n"
    start = flag_at(text, "~", FlagCategory.STRAY_CHAR, ("",))
    end = flag_at(text, ".", FlagCategory.STRAY_CHAR, ("",))
    assert correct_page(text, [decided(start, id=1), decided(end, id=2)]).text == "The Treaty\ncommits the US\n"


def test_a_line_of_stray_characters_deleted_goes_with_its_line_break():
    text = "Body.\n' ~\nMore.\n"
    flags = [flag_at(text, "'", FlagCategory.STRAY_CHAR, ("",)), flag_at(text, "~", FlagCategory.STRAY_CHAR, ("",))]
    assert correct_page(text, [decided(f, id=i) for i, f in enumerate(flags)]).text == "Body.\nMore.\n"


def test_a_deleted_word_in_the_middle_of_a_line_is_spliced_as_it_is():
    text = "the big cat"
    word = flag_at(text, "big", suggestions=("",))
    assert correct_page(text, [decided(word)]).text == "the  cat"  # a reading, not noise: nothing trimmed


# -- lines as the Transcribe page shows them ---------------------------------------------------------------


def test_transcribed_lines_show_flag_decisions_inside_a_line_and_edits_in_force():
    text = "Teh cat\nsat adn slept\nthe secu-\nrity"
    flags = [
        flag_at(text, "Teh", suggestions=("The",)),
        flag_at(text, "secu-\nrity", FlagCategory.BROKEN_HYPHENATION, ("security",)),
    ]
    lines = transcribed_lines(
        text, [decided(f, id=i) for i, f in enumerate(flags)], [line_edit(2, "sat adn slept", "sat and slept")],
        versions={2: 1},
    )
    assert [line.text for line in lines] == ["The cat", "sat and slept", "the secu-", "rity"]
    assert [line.number for line in lines] == [1, 2, 3, 4]
    assert lines[1].edited and lines[1].version == 1 and not lines[0].edited


# -- the store, the document, the exports ------------------------------------------------------------------

PAGE_1 = "4. when the original\nCONFIDENTIAL\nwas signed in Novembcr 1974.\n"
PAGE_2 = "Page two adn more.\n"


@pytest.fixture
def memo(tmp_collection):
    """A two-page document without gold or scans, its OCR with word boxes, a stamp flag accepted."""
    folder = tmp_collection.document_dir(DOC)
    folder.mkdir(parents=True)
    write_manifest(
        Document(DOC, "A memo", (PageRef(DOC, 1), PageRef(DOC, 2))), tmp_collection.manifest_path(DOC)
    )
    for number, text in ((1, PAGE_1), (2, PAGE_2)):
        save_ocr_page(tmp_collection, OcrPage(DOC, number, text, words_of(text, 100), engine="test"))
    store = open_store()
    stamp = flag_at(PAGE_1, "CONFIDENTIAL", FlagCategory.STAMP_NOISE, ("",))
    review.sync_flags(store, DOC, [stamp])
    review.accept_all(store, DOC, reviewer="ann")
    yield tmp_collection, store
    store.close()


def test_correct_line_is_logged_and_the_document_and_its_exports_carry_it(memo):
    collection, store = memo
    made = correct_line(collection, store, DOC, 1, 3, "was signed in November 1974.", reviewer="bob")
    assert (made.before, made.ocr, made.line) == ("was signed in Novembcr 1974.", "was signed in Novembcr 1974.", 3)
    corrected = correct_document(collection, store, DOC)
    assert corrected.pages[0].text == "4. when the original\nwas signed in November 1974.\n"
    data = to_json(corrected)
    assert json.loads(json.dumps(data)) == data
    (edited,) = data["pages"][0]["line_edits"]
    assert (edited["line"], edited["reviewer"], edited["before"], edited["text"]) == (
        3, "bob", "was signed in Novembcr 1974.", "was signed in November 1974."
    )
    assert any(c.get("line_edit") == made.id and c["replacement"] == "e" for c in data["pages"][0]["changes"])
    txt = export(collection, store, DOC, format="txt").content
    assert "November 1974." in txt and "Novembcr" not in txt
    root = etree.fromstring(export(collection, store, DOC, format="alto").content)
    strings = {s.get("CONTENT"): s for s in root.iter(f"{{{ALTO_NS}}}String")}
    assert strings["November"].get("CS") == "true" and strings["November"].get("HPOS") is not None
    assert strings["signed"].get("CS") is None and strings["signed"].get("WC") == "0.91"


def test_correct_line_against_a_line_that_changed_is_refused_and_nothing_written(memo):
    collection, store = memo
    correct_line(collection, store, DOC, 1, 1, "When the original", reviewer="ann")
    with pytest.raises(LineConflict) as refused:
        correct_line(collection, store, DOC, 1, 1, "When, the original", reviewer="bob", expect="4. when the original")
    assert "now reads 'When the original'" in str(refused.value) and "ann" in str(refused.value)
    with pytest.raises(LineConflict, match="ann made it read 'When the original'"):
        correct_line(collection, store, DOC, 1, 1, "When, the original", reviewer="bob", version=0)
    assert [e.text for e in store.line_edits(DOC)] == ["When the original"]


def test_correct_line_shows_what_the_flag_decisions_made_of_the_line(memo):
    collection, store = memo
    lines = page_lines(store, load_ocr_page(collection, DOC, 1))
    assert [line.text for line in lines][:3] == ["4. when the original", "", "was signed in Novembcr 1974."]
    with pytest.raises(ReviewError, match="no line 9"):
        correct_line(collection, store, DOC, 1, 9, "x", reviewer="ann")
    with pytest.raises(ReviewError, match="no page 3"):
        correct_line(collection, store, DOC, 3, 1, "x", reviewer="ann")


def test_undoing_a_line_edit_gives_the_line_back_to_the_ocr_and_the_flags(memo):
    collection, store = memo
    correct_line(collection, store, DOC, 1, 2, "CONFIDENTIAL", reviewer="ann")  # the stamp kept, as typed
    assert "CONFIDENTIAL" in correct_document(collection, store, DOC).pages[0].text
    review.undo_line(store, DOC, 1, 2, reviewer="ann", version=1)
    assert "CONFIDENTIAL" not in correct_document(collection, store, DOC).pages[0].text


def test_a_decision_made_after_a_line_edit_on_a_word_it_kept_applies_too():
    text = "Teh cat sat\nnext"
    teh = flag_at(text, "Teh", suggestions=("The",))
    cat = flag_at(text, "cat", suggestions=("dog",))
    later = "2026-12-03T09:00:00.000Z"
    flag_teh, on_teh = decided(teh, id=1)
    flag_cat, on_cat = decided(cat, id=2)
    edit = line_edit(1, "Teh cat sat", "Teh cat sat down")  # the reviewer kept "Teh" and "cat" as read
    result = correct_page(
        text, [(flag_teh, replace(on_teh, time=later)), (flag_cat, on_cat)], line_edits=[edit]
    )
    assert result.text == "The cat sat down\nnext"  # the newer decision on a kept word; the older settled
    assert [s.flag.key for s in result.settled] == [cat.key]
    lines = transcribed_lines(text, [(flag_teh, replace(on_teh, time=later))], [edit])
    assert lines[0].text == "The cat sat down"


def test_a_decision_made_after_a_line_edit_on_a_word_it_changed_is_settled():
    text = "Teh cat sat"
    teh = flag_at(text, "Teh", suggestions=("The",))
    flag, decision = decided(teh, id=1)
    edit = line_edit(1, "Teh cat sat", "A cat sat")
    result = correct_page(text, [(flag, replace(decision, time="2026-12-03T09:00:00.000Z"))], line_edits=[edit])
    assert result.text == "A cat sat" and [s.flag.key for s in result.settled] == [teh.key]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(alphabet="ab .", min_size=1, max_size=8), min_size=1, max_size=5),
    st.dictionaries(st.integers(1, 5), st.text(alphabet="xyb .", min_size=1, max_size=8), max_size=5),
)
def test_the_lines_transcribe_shows_are_the_lines_of_the_corrected_page(lines, typed):
    text = "\n".join(lines)
    edits = [line_edit(n, lines[n - 1], t, id=n) for n, t in typed.items() if n <= len(lines) and t.strip()]
    shown = transcribed_lines(text, [], edits)
    assert "\n".join(line.text for line in shown) == correct_page(text, [], line_edits=edits).text
    assert [line.edited for line in shown] == [any(e.line == n for e in edits) for n in range(1, len(lines) + 1)]


def test_the_report_scores_the_corrected_transcript_with_its_line_edits(tmp_collection):
    from workbench.report.build import build_report

    doc = "scored"
    write_manifest(Document(doc, "Scored", (PageRef(doc, 1),), gold=doc), tmp_collection.manifest_path(doc))
    gold = tmp_collection.gold_dir(doc)
    gold.mkdir(parents=True)
    (gold / "page-001.txt").write_text("When the original was signed\n", encoding="utf-8")
    text = "4. when the original was signed\n"
    save_ocr_page(tmp_collection, OcrPage(doc, 1, text, words_of(text, 100), engine="test"))
    assert build_report(tmp_collection, doc).metrics["corrected"] is None  # nothing changes the text yet
    correct_line(tmp_collection, open_store(), doc, 1, 1, "When the original was signed", reviewer="ann")
    corrected = build_report(tmp_collection, doc).metrics["corrected"]
    assert corrected["document"]["cer"] == 0.0 and corrected["changes"] >= 1


# -- flags a line edit settles, in the review queue, page status and the report ------------------------------


def test_flags_inside_an_edited_line_are_not_open_in_the_queue_page_status_and_report_until_undone(memo):
    from workbench.report.build import build_report

    collection, store = memo
    novembcr = flag_at(PAGE_1, "Novembcr", suggestions=("November",))
    adn = flag_at(PAGE_2, "adn", suggestions=("and",), page=2)
    when = flag_at(PAGE_1, "when", suggestions=("When",))
    stamp = flag_at(PAGE_1, "CONFIDENTIAL", FlagCategory.STAMP_NOISE, ("",))
    review.sync_flags(store, DOC, [stamp, when, novembcr, adn])

    def lines():
        return review.lines_in_force(store, DOC, review.stored_page_text(collection, DOC))

    def states():
        return {s.flag.text: s for s in review.flag_states(store, DOC, lines=lines())}

    assert review.open_flags(store, DOC, 1, lines=lines()) == (2, 3)
    correct_line(collection, store, DOC, 1, 3, "was signed in November 1974.", reviewer="bob")
    now = states()
    assert now["Novembcr"].status is review.FlagStatus.DECIDED and now["Novembcr"].settled_by.reviewer == "bob"
    assert now["when"].status is review.FlagStatus.OPEN and now["adn"].status is review.FlagStatus.OPEN
    assert [s.flag.text for s in review.flag_states(store, DOC, status="open", lines=lines())] == ["when", "adn"]
    assert review.open_flags(store, DOC, 1, lines=lines()) == (1, 3)
    done = review.progress(store, DOC, pages=[1, 2], lines=lines())
    assert (done.flags, done.decided, done.settled, done.open) == (4, 2, 1, 2)
    assert (done.pages[0].decided, done.pages[0].settled) == (2, 1)

    # Page status counts the settled flag as not open: one open flag left, recorded with the status.
    review.set_page_status(store, DOC, 1, "in_review", reviewer="bob", lines=lines())
    with pytest.raises(review.OpenFlagsLeft) as refused:
        review.set_page_status(store, DOC, 1, "reviewed", reviewer="bob", lines=lines())
    assert refused.value.open_flags == 1
    marked = review.set_page_status(store, DOC, 1, "reviewed", reviewer="bob", despite_open_flags=True, lines=lines())
    assert marked.open_flags == 1

    # The report counts it as the queue does.
    metrics = build_report(collection, DOC).metrics["review"]
    assert (metrics["flags"], metrics["decided"], metrics["open"]) == (4, 2, 2)

    # Undoing the line edit reopens the flag, everywhere.
    review.undo_line(store, DOC, 1, 3, reviewer="bob", version=1)
    assert states()["Novembcr"].status is review.FlagStatus.OPEN and states()["Novembcr"].settled_by is None
    assert review.open_flags(store, DOC, 1, lines=lines()) == (2, 3)
    assert build_report(collection, DOC).metrics["review"]["open"] == 3


def test_the_review_command_lists_and_counts_a_flag_its_line_edit_settled_as_decided(memo, capsys):
    from workbench.cli import main

    collection, store = memo
    from workbench.models import FlagSource

    # no-gold flags: the set a document without gold reviews, whose open flags page status counts
    novembcr = replace(flag_at(PAGE_1, "Novembcr", suggestions=("November",)), source=FlagSource.HEURISTIC)
    when = replace(flag_at(PAGE_1, "when", suggestions=("When",)), source=FlagSource.HEURISTIC)
    review.sync_flags(store, DOC, [when, novembcr])
    correct_line(collection, store, DOC, 1, 3, "was signed in November 1974.", reviewer="bob")
    capsys.readouterr()
    assert main(["review", DOC, "--list", "open"]) == 0
    out = capsys.readouterr().out
    assert when.key in out and novembcr.key not in out
    assert f"{DOC}: 1/2 flags decided" in out
    assert main(["page-status", DOC, "1", "in_review", "--reviewer", "bob"]) == 0
    capsys.readouterr()
    assert main(["page-status", DOC, "1", "reviewed", "--reviewer", "bob"]) == 2
    err = capsys.readouterr().err
    assert "1 of 2 flags open" in err, err  # the one open flag, not the settled one
