"""Search and replace across the collection (workbench.search): hits over the lines as they read now, a
preview that is exactly what is written, one batch undone as one, and a line changed meanwhile refused alone."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.ui.conftest import make_document, ocr_page
from workbench import review, search, transcript
from workbench.errors import CorpusError, InputError, ReviewError
from workbench.models import Flag, FlagCategory
from workbench.ocr.store import save_ocr_page
from workbench.search import SearchMode, SearchQuery
from workbench.store import open_store

MEMO = [["Tlie minister said", "that tlie treaty holds"], ["tlie end of tlie talks"]]
NOTES = [["Notes on tlie meeting", "held in Novembcr 1974"]]


@pytest.fixture
def two_documents(tmp_collection):
    make_document(tmp_collection, "memo", MEMO, gold=False)
    make_document(tmp_collection, "notes", NOTES, gold=False)
    return tmp_collection, open_store()


def where(result):
    return [(h.document, h.page, h.line, h.start, h.end, h.text) for h in result.hits]


def test_a_plain_search_finds_every_hit_across_documents_with_page_line_and_span(two_documents):
    collection, store = two_documents
    result = search.search(collection, store, SearchQuery("tlie"))
    assert where(result) == [
        ("memo", 1, 2, 5, 9, "tlie"),
        ("memo", 2, 1, 0, 4, "tlie"),
        ("memo", 2, 1, 12, 16, "tlie"),
        ("notes", 1, 1, 9, 13, "tlie"),
    ]
    assert [h.number for h in result.hits] == [1, 2, 3, 4]
    assert result.pages == 3 and result.lines == 5
    ignoring_case = search.search(collection, store, SearchQuery("tlie", ignore_case=True))
    assert len(ignoring_case) == 5 and ignoring_case.hits[0].text == "Tlie"
    only_notes = search.search(collection, store, SearchQuery("tlie", documents=("notes",)))
    assert [h.document for h in only_notes.hits] == ["notes"]


def test_regex_and_fuzzy_searches(two_documents):
    collection, store = two_documents
    years = search.search(collection, store, SearchQuery(r"\b(1[89]\d\d)\b", SearchMode.REGEX))
    assert where(years) == [("notes", 1, 2, 17, 21, "1974")]
    near = search.search(collection, store, SearchQuery("November", SearchMode.FUZZY, edits=1))
    assert where(near) == [("notes", 1, 2, 8, 16, "Novembcr")]
    assert len(search.search(collection, store, SearchQuery("November", SearchMode.FUZZY, edits=0))) == 0
    phrase = search.search(collection, store, SearchQuery("the treaty", SearchMode.FUZZY, edits=2))
    assert where(phrase) == [("memo", 1, 2, 5, 16, "tlie treaty")]


def test_bad_patterns_are_refused_in_one_line(two_documents):
    collection, store = two_documents
    with pytest.raises(InputError, match="not a regular expression"):
        search.search(collection, store, SearchQuery("(unclosed", SearchMode.REGEX))
    with pytest.raises(InputError, match="give a pattern"):
        search.search(collection, store, SearchQuery(""))
    with pytest.raises(InputError, match="--fuzzy takes"):
        search.search(collection, store, SearchQuery("word", SearchMode.FUZZY, edits=9))


def test_the_search_reads_the_lines_as_corrected_and_the_ocr_as_stored_now(two_documents):
    collection, store = two_documents
    transcript.correct_line(collection, store, "notes", 1, 1, "Notes on the meeting", reviewer="ann")
    result = search.search(collection, store, SearchQuery("tlie", documents=("notes",)))
    assert len(result) == 0
    (hit,) = search.search(collection, store, SearchQuery("the meeting")).hits
    assert (hit.document, hit.line, hit.version, hit.edited) == ("notes", 1, 1, True)
    # A new OCR run of a page is seen by the next search (the cache is keyed on the stored file).
    save_ocr_page(collection, ocr_page("memo", 2, ["the end of the talks"]))
    assert [h.page for h in search.search(collection, store, SearchQuery("tlie", documents=("memo",))).hits] == [1]


def test_the_preview_is_exactly_what_is_applied(two_documents):
    collection, store = two_documents
    result = search.search(collection, store, SearchQuery("tlie"))
    plan = search.plan_replace(result, "the", hits=[2, 3, 4])
    assert [(c.where, c.before, c.after, c.hits) for c in plan.changes] == [
        ("memo page 2 line 1", "tlie end of tlie talks", "the end of the talks", (2, 3)),
        ("notes page 1 line 1", "Notes on tlie meeting", "Notes on the meeting", (4,)),
    ]
    done = search.apply_plan(collection, store, plan, reviewer="ann")
    assert not done.refused and len({e.batch for e in done.applied}) == 1
    written = [(e.document, e.page, e.line, e.before, e.text, e.reviewer) for e in done.applied]
    assert written == [(c.document, c.page, c.line, c.before, c.after, "ann") for c in plan.changes]
    for change in plan.changes:
        lines = transcript.page_lines(store, transcript.load_ocr_page(collection, change.document, change.page))
        assert lines[change.line - 1].text == change.after
    # The line left out still reads as before.
    assert transcript.page_lines(store, transcript.load_ocr_page(collection, "memo", 1))[1].text == MEMO[0][1]


def test_a_regex_replacement_expands_groups(two_documents):
    collection, store = two_documents
    result = search.search(collection, store, SearchQuery(r"Novemb[c](r) (\d+)", SearchMode.REGEX))
    (change,) = search.plan_replace(result, r"Novembe\1 \2").changes
    assert change.after == "held in November 1974"


def test_a_replace_batch_undoes_as_one_in_every_document(two_documents):
    collection, store = two_documents
    plan = search.plan_replace(search.search(collection, store, SearchQuery("tlie")), "the")
    search.apply_plan(collection, store, plan, reviewer="ann")
    undone = review.undo_last(store, "notes", reviewer="ann")
    assert len(undone) == 3 and {e.document for e in undone.lines} == {"memo", "notes"}
    assert len({e.batch for e in undone.lines}) == 1
    assert len(search.search(collection, store, SearchQuery("tlie"))) == 4
    with pytest.raises(ReviewError):
        review.undo_last(store, "memo", reviewer="ann")  # nothing of ann's left in force


def test_undo_last_takes_the_later_of_a_decision_and_a_replace(two_documents):
    collection, store = two_documents
    store.sync_flags("memo", [Flag("memo", 1, 0, 4, "Tlie", FlagCategory.MISREAD_WORD, ("The",), 0.9)])
    (flag,) = review.flag_states(store, "memo")
    plan = search.plan_replace(search.search(collection, store, SearchQuery("tlie", documents=("memo",))), "the")
    search.apply_plan(collection, store, plan, reviewer="ann")
    review.decide(store, "memo", flag.key, action="accept", reviewer="ann", version=flag.version)
    assert len(review.undo_last(store, "memo", reviewer="ann").decisions) == 1  # the decision came last
    assert [(e.page, e.line) for e in review.undo_last(store, "memo", reviewer="ann").lines] == [(1, 2), (2, 1)]


def test_a_line_another_reviewer_changed_since_the_preview_is_refused_alone(two_documents):
    collection, store = two_documents
    plan = search.plan_replace(search.search(collection, store, SearchQuery("tlie")), "the")
    transcript.correct_line(collection, store, "memo", 2, 1, "The end of the talks", reviewer="bob")
    done = search.apply_plan(collection, store, plan, reviewer="ann")
    (refused,) = done.refused
    assert refused.change.where == "memo page 2 line 1"
    assert "bob" in refused.reason and "The end of the talks" in refused.reason
    assert [(e.document, e.page, e.line) for e in done.applied] == [("memo", 1, 2), ("notes", 1, 1)]
    assert transcript.page_lines(store, transcript.load_ocr_page(collection, "memo", 2))[0].text == (
        "The end of the talks"
    )


def test_hit_numbers_and_replacements_are_checked(two_documents):
    collection, store = two_documents
    result = search.search(collection, store, SearchQuery("tlie"))
    with pytest.raises(ReviewError, match="no hit 9"):
        search.plan_replace(result, "the", hits=[9])
    with pytest.raises(ReviewError, match="one line"):
        search.plan_replace(result, "the\nend")
    assert search.apply_plan(collection, store, search.plan_replace(result, "tlie"), reviewer="ann").batch is None


@pytest.mark.parametrize(
    "pattern", [r"\b[Ss]ecurit[a-z]+\b", r"ab+cd", r"(?i)abc", r"x(?:abc|abd)yz", r"abc\s+d", r"[ab]abcab?"]
)
@given(text=st.text(alphabet="abcdxyzS ecurit\n", max_size=60))
def test_law_every_match_holds_the_literal_the_search_looks_for_first(pattern, text):
    compiled = re.compile(pattern)
    literal = search.required_literal(compiled)
    for match in compiled.finditer(text):
        found = match.group().casefold() if compiled.flags & re.IGNORECASE else match.group()
        assert literal is None or (literal.casefold() if compiled.flags & re.IGNORECASE else literal) in found


def test_a_regex_with_or_without_a_plain_part_finds_the_same_as_matching_each_line(two_documents):
    collection, store = two_documents
    for pattern in (r"\bt[a-z]ie\b", r"tl(ie|ue)", r"(?i)TLIE t", r"[0-9]{4}$", r"^\w+"):
        compiled = re.compile(pattern)
        expected = [
            (doc, page, line, m.start(), m.end())
            for doc, pages in (("memo", MEMO), ("notes", NOTES))
            for page, lines in enumerate(pages, start=1)
            for line, text in enumerate(lines, start=1)
            for m in compiled.finditer(text)
        ]
        found = search.search(collection, store, SearchQuery(pattern, SearchMode.REGEX))
        assert [(h.document, h.page, h.line, h.start, h.end) for h in found.hits] == expected, pattern


def test_a_new_process_finds_the_index_on_disk_and_never_a_stale_one(two_documents):
    collection, store = two_documents
    first = where(search.search(collection, store, SearchQuery("tlie")))
    files = sorted((collection.home / ".workbench-cache" / "search").glob("*"))
    # one per document (no changes logged yet), and the manifests' page counts
    assert sorted(f.name.split(".", 1)[1] for f in files) == ["manifests.json", "text.bin", "text.bin"]
    search.forget_index()
    assert where(search.search(collection, store, SearchQuery("tlie"))) == first
    transcript.correct_line(collection, store, "notes", 1, 1, "Notes on the meeting", reviewer="ann")
    save_ocr_page(collection, ocr_page("memo", 2, ["the end of the talks"]))
    search.forget_index()
    assert [(h.document, h.page) for h in search.search(collection, store, SearchQuery("tlie")).hits] == [("memo", 1)]
    search.forget_index()  # the changes read back from disk: the same answer
    assert [(h.document, h.page) for h in search.search(collection, store, SearchQuery("tlie")).hits] == [("memo", 1)]
    (edited,) = search.search(collection, store, SearchQuery("the meeting")).hits
    assert edited.edited and edited.version == 1
    for path in (collection.home / ".workbench-cache" / "search").glob("*"):
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2] if path.suffix == ".bin" else b"{damaged")
    search.forget_index()
    remade = where(search.search(collection, store, SearchQuery("tlie")))
    assert len(remade) == 1  # a damaged or cut file is a miss, and is made again
    search.forget_index()
    assert where(search.search(collection, store, SearchQuery("tlie"))) == remade  # read back as made


def test_pages_without_ocr_are_left_out_and_named(two_documents):
    collection, store = two_documents
    (collection.ocr_dir("memo") / "page-002.txt").unlink()
    (collection.ocr_dir("memo") / "page-002.words.json").unlink()
    result = search.search(collection, store, SearchQuery("tlie"))
    assert [(h.document, h.page) for h in result.hits] == [("memo", 1), ("notes", 1)]
    assert result.without_ocr == (("memo", 2),) and result.pages == 2
    save_ocr_page(collection, ocr_page("memo", 2, ["tlie end"]))  # once it has OCR, it is searched
    assert [(h.document, h.page) for h in search.search(collection, store, SearchQuery("tlie")).hits] == [
        ("memo", 1), ("memo", 2), ("notes", 1)
    ]


def test_a_flag_decided_on_the_line_since_the_preview_refuses_that_line_too(two_documents):
    collection, store = two_documents
    store.sync_flags("notes", [Flag("notes", 1, 9, 13, "tlie", FlagCategory.MISREAD_WORD, ("the",), 0.9)])
    plan = search.plan_replace(search.search(collection, store, SearchQuery("tlie")), "THE")
    (flag,) = review.flag_states(store, "notes")
    review.decide(store, "notes", flag.key, action="accept", reviewer="bob", version=flag.version)
    done = search.apply_plan(collection, store, plan, reviewer="ann")
    (refused,) = done.refused
    assert refused.change.where == "notes page 1 line 1" and "'Notes on the meeting'" in refused.reason
    assert {e.document for e in done.applied} == {"memo"}


def test_a_new_process_reads_a_manifest_again_once_it_changed(two_documents):
    from dataclasses import replace

    from workbench.corpus import write_manifest
    from workbench.models import PageRef

    collection, store = two_documents
    assert [(h.document, h.page) for h in search.search(collection, store, SearchQuery("tlie")).hits][-1] == (
        "notes", 1
    )
    notes = collection.document("notes")
    save_ocr_page(collection, ocr_page("notes", 2, ["tlie last page"]))
    write_manifest(replace(notes, pages=(*notes.pages, PageRef("notes", 2, None, None))), notes.manifest_path)
    search.forget_index()  # as a new process: the manifests' page counts on disk are stale for notes
    result = search.search(collection, store, SearchQuery("tlie"))
    assert [(h.document, h.page) for h in result.hits][-2:] == [("notes", 1), ("notes", 2)]
    (collection.manifest_path("notes")).write_text("{not json", encoding="utf-8")
    search.forget_index()
    with pytest.raises(CorpusError, match="manifest"):
        search.search(collection, store, SearchQuery("tlie"))
