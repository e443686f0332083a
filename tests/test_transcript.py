"""The corrected transcript: decisions applied to the OCR text, the automatic rules, provenance, and the
txt / json / ALTO exports (also through `workbench export`)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.test_postgres import BACKENDS, backend_url
from workbench import review
from workbench.cli import main
from workbench.corpus import write_manifest
from workbench.exporters import ALTO_NS, export, to_json
from workbench.models import Box, Decision, DecisionAction, Document, Flag, FlagCategory, OcrPage, OcrWord, PageRef
from workbench.ocr.store import save_ocr_page
from workbench.store import open_store
from workbench.transcript import (
    TranscriptRules,
    correct_document,
    correct_page,
    rules_for,
    switch_rule,
)

DOC = "memo"


def flag_at(text: str, needle: str, category=FlagCategory.MISREAD_WORD, suggestions=("x",), *, occurrence=0, page=1):
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return Flag(DOC, page, start, start + len(needle), needle, category, tuple(suggestions))


def decided(flag: Flag, action=DecisionAction.ACCEPT, text: str | None = None, *, id=1, reviewer="ann"):
    if text is None and action is DecisionAction.ACCEPT:
        text = flag.suggestions[0]
    return (flag, Decision(DOC, flag.key, action, text, reviewer, "2026-11-26T14:00:00.000Z", id=id))


# -- the pure core -----------------------------------------------------------------------------------------


def test_no_decisions_leave_the_ocr_text_as_it_is():
    text = "Teh cat.\nCONFIDENTIAL\n"
    assert correct_page(text, []).text == text


def test_accept_edit_gold_wrong_replace_and_keep_ocr_does_not():
    text = "Teh cat sat on teh mat adn slept."
    result = correct_page(
        text,
        [
            decided(flag_at(text, "Teh", suggestions=("The",)), id=1),
            decided(flag_at(text, "cat"), DecisionAction.KEEP_OCR, id=2),
            decided(flag_at(text, "teh"), DecisionAction.EDIT, "the", id=3),
            decided(flag_at(text, "adn"), DecisionAction.GOLD_WRONG, "and", id=4),
        ],
    )
    assert result.text == "The cat sat on the mat and slept."
    assert [c.decision.id for c in result.changes] == [1, 3, 4]
    assert result.skipped == ()


def test_missing_text_inserts_and_empty_reading_deletes():
    text = "The cat sat ~ on mat."
    after_on = text.index(" on") + 3
    missing = Flag(DOC, 1, after_on, after_on, "", FlagCategory.MISSING_TEXT, (" the",))
    stray = flag_at(text, " ~", FlagCategory.STRAY_CHAR, ("",))
    assert correct_page(text, [decided(missing, id=1), decided(stray, id=2)]).text == "The cat sat on the mat."


def test_accepted_stamp_noise_goes_with_the_line_it_leaves_empty():
    text = "First paragraph.\n\nCONFIDENTIAL\n\nSecond paragraph.\n"
    stamp = flag_at(text, "CONFIDENTIAL", FlagCategory.STAMP_NOISE, ("",))
    result = correct_page(text, [decided(stamp)])
    assert result.text == "First paragraph.\n\nSecond paragraph.\n"
    assert result.changes[0].rule == "drop_stamp_noise"


def test_two_stamps_on_one_line_drop_the_line_and_a_stamp_beside_body_text_drops_only_itself():
    text = "Body line one.\nCONFIDENTIAL   GDS\nBody line two. SECRET\n"
    flags = [
        flag_at(text, "CONFIDENTIAL", FlagCategory.STAMP_NOISE, ("",)),
        flag_at(text, "GDS", FlagCategory.STAMP_NOISE, ("",)),
        flag_at(text, " SECRET", FlagCategory.STAMP_NOISE, ("",)),
    ]
    result = correct_page(text, [decided(f, id=i) for i, f in enumerate(flags)])
    assert result.text == "Body line one.\nBody line two.\n"
    assert len(result.changes) == 3


def test_stamp_on_the_last_line_without_newline_takes_the_newline_before_it():
    text = "Body.\nDECLASSIFIED"
    assert correct_page(text, [decided(flag_at(text, "DECLASSIFIED", FlagCategory.STAMP_NOISE, ("",)))]).text == "Body."


def test_switched_off_stamp_rule_keeps_the_stamp_and_says_why():
    text = "Body.\nCONFIDENTIAL\n"
    result = correct_page(
        text,
        [decided(flag_at(text, "CONFIDENTIAL", FlagCategory.STAMP_NOISE, ("",)))],
        rules=TranscriptRules(drop_stamp_noise=False),
    )
    assert result.text == text
    assert "drop_stamp_noise is switched off" in result.skipped[0].reason


def test_accepted_broken_hyphenation_joins_the_word_on_the_first_line():
    text = "the secu-\nrity of Japan\nis assured"
    hyphen = flag_at(text, "secu-\nrity", FlagCategory.BROKEN_HYPHENATION, ("security",))
    result = correct_page(text, [decided(hyphen)])
    assert result.text == "the security\nof Japan\nis assured"
    assert result.changes[0].rule == "join_hyphenation"
    kept = correct_page(text, [decided(hyphen)], rules=TranscriptRules(join_hyphenation=False))
    assert kept.text == text and "join_hyphenation" in kept.skipped[0].reason


def test_hyphenated_word_ending_its_line_keeps_the_next_line():
    text = "the secu-\nrity\nnext line"
    hyphen = flag_at(text, "secu-\nrity", FlagCategory.BROKEN_HYPHENATION, ("security",))
    assert correct_page(text, [decided(hyphen)]).text == "the security\nnext line"


def test_overlapping_decisions_apply_the_first_and_report_the_second():
    text = "the quick brown fox"
    wide = flag_at(text, "quick brown", suggestions=("slow red",))
    narrow = flag_at(text, "brown", suggestions=("green",))
    result = correct_page(text, [decided(narrow, id=2), decided(wide, id=1)])
    assert result.text == "the slow red fox"
    assert [s.flag.key for s in result.skipped] == [narrow.key]
    assert "overlaps flag" in result.skipped[0].reason


def test_flag_whose_ocr_text_changed_is_skipped_not_applied():
    text = "the cat"
    moved = Flag(DOC, 1, 0, 3, "teh", FlagCategory.MISREAD_WORD, ("the",))
    result = correct_page(text, [decided(moved)])
    assert result.text == text and "OCR changed" in result.skipped[0].reason


def test_source_span_maps_corrected_text_back_to_the_ocr():
    text = "Teh cat sat"
    result = correct_page(text, [decided(flag_at(text, "Teh", suggestions=("The old",)))])
    assert result.text == "The old cat sat"
    assert result.source_span(0, 3) == (0, 3)  # inside the change: the change's whole span
    assert result.source_span(8, 11) == (4, 7)  # "cat" after it, shifted back


@settings(max_examples=60, deadline=None)
@given(
    st.text(alphabet="ab \n", min_size=1, max_size=40),
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 4), st.text(alphabet="xy", max_size=3)), max_size=6),
)
def test_non_overlapping_decisions_equal_naive_splicing(text, raw):
    edits, taken = [], []
    for start, length, reading in raw:
        start = min(start, len(text))
        end = min(start + length, len(text))
        if any((start < b and a < end) or start in (a, b) for a, b in taken):
            continue
        taken.append((start, end))
        edits.append(Flag(DOC, 1, start, end, text[start:end], FlagCategory.MISREAD_WORD, (reading,)))
    expected = text
    for item in sorted(edits, key=lambda f: f.start, reverse=True):
        expected = expected[: item.start] + item.suggestions[0] + expected[item.end :]
    result = correct_page(text, [decided(f, id=i) for i, f in enumerate(edits)])
    assert result.text == expected
    assert result.skipped == ()


# -- the document, the store, the exports ------------------------------------------------------------------


PAGE_1 = "Teh first page.\nCONFIDENTIAL\nthe secu-\nrity pact\n"
PAGE_2 = "Page two adn more.\n"


def words_of(text: str, top: int) -> tuple[OcrWord, ...]:
    import re

    words, line, x, last_line = [], 0, 10, 0
    for match in re.finditer(r"\S+", text):
        line = text.count("\n", 0, match.start())
        if line != last_line:
            x, last_line = 10, line
        width = 20 * len(match.group())
        box = Box(x, top + 40 * line, x + width, top + 40 * line + 30)
        words.append(OcrWord(match.group(), match.start(), match.end(), conf=91.0, box=box, line=line))
        x += width + 20
    return tuple(words)


@pytest.fixture(params=BACKENDS)
def document(request, tmp_collection, tmp_path, monkeypatch):
    """A two-page document with OCR, its flags in the store, and decisions taken on all of them."""
    backend_url(request, tmp_path, monkeypatch)
    folder = tmp_collection.document_dir(DOC)
    folder.mkdir(parents=True)
    write_manifest(
        Document(DOC, "A memo", (PageRef(DOC, 1), PageRef(DOC, 2)), gold=None),
        tmp_collection.manifest_path(DOC),
    )
    for number, text in ((1, PAGE_1), (2, PAGE_2)):
        save_ocr_page(tmp_collection, OcrPage(DOC, number, text, words_of(text, 100), engine="test"))
    flags = [
        flag_at(PAGE_1, "Teh", suggestions=("The",)),
        flag_at(PAGE_1, "CONFIDENTIAL", FlagCategory.STAMP_NOISE, ("",)),
        flag_at(PAGE_1, "secu-\nrity", FlagCategory.BROKEN_HYPHENATION, ("security",)),
        flag_at(PAGE_2, "adn", suggestions=("and",), page=2),
    ]
    store = open_store()
    review.sync_flags(store, DOC, flags)
    review.accept_all(store, DOC, reviewer="ann", note="all clear")
    yield tmp_collection, store, flags
    store.close()


EXPECTED_1 = "The first page.\nthe security\npact\n"
EXPECTED_2 = "Page two and more.\n"


def test_corrected_document_applies_the_stored_decisions(document):
    collection, store, _ = document
    corrected = correct_document(collection, store, DOC)
    assert [p.text for p in corrected.pages] == [EXPECTED_1, EXPECTED_2]
    assert corrected.text == EXPECTED_1 + "\f" + EXPECTED_2
    assert corrected.changes == 4


def test_rules_switched_off_in_the_store_apply_to_the_transcript(document):
    collection, store, _ = document
    assert rules_for(store, DOC) == TranscriptRules()
    switch_rule(store, DOC, "drop_stamp_noise", False, reviewer="bob")
    assert rules_for(store, DOC) == TranscriptRules(drop_stamp_noise=False)
    assert "CONFIDENTIAL" in correct_document(collection, store, DOC).pages[0].text
    switch_rule(store, DOC, "drop_stamp_noise", True, reviewer="bob")
    assert "CONFIDENTIAL" not in correct_document(collection, store, DOC).pages[0].text


def test_undone_decision_leaves_the_transcript(document):
    collection, store, flags = document
    state = review.flag_state(store, DOC, flags[3].key)
    review.undo(store, DOC, flags[3].key, reviewer="ann", version=state.version)
    assert correct_document(collection, store, DOC).pages[1].text == PAGE_2


def test_json_export_carries_the_provenance_of_every_change(document):
    collection, store, flags = document
    data = to_json(correct_document(collection, store, DOC))
    assert json.loads(json.dumps(data)) == data
    change = data["pages"][1]["changes"][0]
    assert change["flag"] == flags[3].key
    assert (change["ocr"], change["replacement"]) == ("adn", "and")
    assert change["decision"]["reviewer"] == "ann" and change["decision"]["note"] == "all clear"
    assert change["decision"]["time"].endswith("Z") and change["decision"]["action"] == "accept"
    assert data["rules"] == {"drop_stamp_noise": True, "join_hyphenation": True}
    assert data["text"] == EXPECTED_1 + "\f" + EXPECTED_2


def test_alto_export_puts_corrected_words_in_their_ocr_boxes(document):
    collection, store, _ = document
    result = export(collection, store, DOC, format="alto")
    root = etree.fromstring(result.content)
    ns = {"a": ALTO_NS}
    pages = root.findall(".//a:Page", ns)
    assert len(pages) == 2
    strings = pages[0].findall(".//a:String", ns)
    assert [s.get("CONTENT") for s in strings] == EXPECTED_1.split()
    by_word = {s.get("CONTENT"): s for s in strings}
    # "security" was read as "secu-" (line 2, x 90..190) and "rity" (line 3, x 10..90): the union box.
    security = by_word["security"]
    assert (security.get("HPOS"), security.get("VPOS"), security.get("WIDTH"), security.get("HEIGHT")) == (
        "10", "180", "180", "70"
    )
    assert security.get("CS") == "true" and by_word["The"].get("CS") == "true"
    first = by_word["first"]
    assert (first.get("HPOS"), first.get("VPOS"), first.get("WC")) == ("90", "100", "0.91")
    assert first.get("CS") is None
    lines = pages[0].findall(".//a:TextLine", ns)
    assert len(lines) == 3  # the stamp's line is gone


def test_export_txt_to_a_folder_writes_pages_and_the_whole_document(document, tmp_path):
    collection, store, _ = document
    out = tmp_path / "out"
    out.mkdir()
    result = export(collection, store, DOC, format="txt", out=out)
    assert [p.name for p in result.paths] == ["page-001.txt", "page-002.txt", "memo.txt"]
    assert (out / "page-001.txt").read_text() == EXPECTED_1
    assert (out / "memo.txt").read_text() == EXPECTED_1 + "\f" + EXPECTED_2


def test_cli_export_txt_prints_the_document_with_form_feeds(document, capsys):
    assert main(["export", DOC, "--format", "txt"]) == 0
    assert capsys.readouterr().out == EXPECTED_1 + "\f" + EXPECTED_2


def test_cli_export_with_rules_switched_off_keeps_stamp_and_hyphen(document, capsys):
    assert main(["export", DOC, "--format", "txt", "--keep-stamp-noise", "--keep-hyphenation"]) == 0
    out = capsys.readouterr().out
    assert "CONFIDENTIAL" in out and "secu-\nrity" in out and "The first" in out


def test_cli_rules_switches_a_rule_for_every_later_export(document, capsys):
    _, store, _ = document
    assert main(["rules", DOC, "--off", "drop_stamp_noise", "--reviewer", "bob"]) == 0
    assert capsys.readouterr().out == "drop_stamp_noise\toff\njoin_hyphenation\ton\n"
    assert [(s.rule, s.enabled, s.reviewer) for s in store.rule_settings(DOC)] == [("drop_stamp_noise", False, "bob")]
    assert main(["export", DOC, "--format", "txt"]) == 0
    assert "CONFIDENTIAL" in capsys.readouterr().out
    assert main(["rules", DOC, "--on", "drop_stamp_noise", "--off", "no_such_rule", "--reviewer", "bob"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown transcript rule 'no_such_rule'" in err
    assert len(store.rule_settings(DOC)) == 1  # nothing of the refused command was logged
    assert main(["rules", DOC, "--on", "drop_stamp_noise"]) == 2
    assert "reviewer name is required" in capsys.readouterr().err


def test_cli_export_json_and_alto_to_files(document, tmp_path, capsys):
    target = tmp_path / "memo.json"
    assert main(["export", DOC, "--format", "json", "--out", str(target)]) == 0
    assert json.loads(target.read_text())["pages"][0]["text"] == EXPECTED_1
    assert main(["export", DOC, "--format", "alto", "--out", str(tmp_path / "alto") + "/"]) == 0
    written = sorted(p.name for p in (tmp_path / "alto").iterdir())
    assert written == ["memo.alto.xml", "page-001.alto.xml", "page-002.alto.xml"]
    page_two = etree.parse(str(tmp_path / "alto" / "page-002.alto.xml")).getroot()
    assert [s.get("CONTENT") for s in page_two.iter(f"{{{ALTO_NS}}}String")] == EXPECTED_2.split()
    assert "wrote" in capsys.readouterr().out


def test_cli_export_of_a_document_without_ocr_is_a_one_line_error(tmp_collection, capsys):
    folder = tmp_collection.document_dir("bare")
    folder.mkdir(parents=True)
    write_manifest(Document("bare", "Bare", (PageRef("bare", 1),)), tmp_collection.manifest_path("bare"))
    assert main(["export", "bare", "--format", "txt"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "page-001.txt: no OCR for page 1" in err


# -- with the gold flagger: accepting its suggestions gives back the gold ----------------------------------


def typed_ocr(gold) -> str:
    """An OCR-like reading of a gold page, made deterministically: markings read as stamp lines, the body
    wrapped at 64 columns with long words hyphenated across lines, and a few classic misreadings."""
    lines = [m.text.replace("1", "l") for m in gold.markings if m.before_body]
    misreads = {7: lambda w: w.replace("m", "rn"), 11: lambda w: w.replace("l", "1"), 13: lambda w: w.upper()}
    count = 0
    for paragraph in gold.body.strip("\n").split("\n\n"):
        line = ""
        for word in paragraph.split():
            count += 1
            for every, change in misreads.items():
                if count % every == 0:
                    word = change(word)
                    break
            if count == 40:
                continue  # a word the OCR lost
            if len(line) + 1 + len(word) > 64:
                if len(word) >= 8 and word.isalpha() and len(line) + 5 < 64:
                    lines.append(f"{line} {word[:4]}-".strip())
                    line = word[4:]
                    continue
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        lines.append(line)
        lines.append("")
    lines.extend(m.text for m in gold.markings if not m.before_body)
    return "\n".join(lines) + "\n"


@pytest.fixture
def japan_copy(tmp_collection, repo_collection, store_url):
    """Pages 1 and 2 of the briefing paper's real gold, with OCR typed from it (no tesseract needed)."""
    source = repo_collection.document("us-japan-1974")
    doc = "japan-typed"
    tmp_collection.document_dir(doc).mkdir(parents=True)
    write_manifest(Document(doc, source.title, (PageRef(doc, 1), PageRef(doc, 2)), gold=doc),
                   tmp_collection.manifest_path(doc))
    gold_dir = tmp_collection.gold_dir(doc)
    gold_dir.mkdir(parents=True)
    golds = []
    for number in (1, 2):
        for suffix in (".txt", ".markings.json"):
            name = f"page-00{number}{suffix}"
            (gold_dir / name).write_bytes((repo_collection.gold_dir("us-japan-1974") / name).read_bytes())
        gold = tmp_collection.gold_page(tmp_collection.document(doc), number)
        golds.append(gold)
        save_ocr_page(tmp_collection, OcrPage(doc, number, typed_ocr(gold), engine="typed"))
    return tmp_collection, doc, golds


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path, monkeypatch):
    return backend_url(request, tmp_path, monkeypatch)


def test_accepting_every_gold_suggestion_exports_the_gold_body(japan_copy, capsys):
    from workbench.normalize import fold_whitespace

    _, doc, golds = japan_copy
    assert main(["review", doc, "--reviewer", "ann", "--accept"]) == 0
    assert "accepted" in capsys.readouterr().out
    assert main(["export", doc, "--format", "txt"]) == 0
    pages = capsys.readouterr().out.split("\f")
    assert len(pages) == 2
    for page, gold in zip(pages, golds, strict=True):
        assert page != gold.body
        assert fold_whitespace(page) == fold_whitespace(gold.body)


def test_accepting_stamp_noise_and_hyphenation_lowers_cer_by_their_share(japan_copy, capsys):
    from workbench.flags import apply_flags, flag_document
    from workbench.metrics import cer

    collection, doc, golds = japan_copy
    chosen = ["stamp_noise", "broken_hyphenation"]
    args = ["review", doc, "--reviewer", "ann", "--accept", "--category", chosen[0], "--category", chosen[1]]
    assert main(args) == 0
    capsys.readouterr()
    flags = flag_document(collection, doc, use_gold=True)
    assert {f.category.value for f in flags} > set(chosen)  # other errors stay in the text
    store = open_store()
    corrected = correct_document(collection, store, doc)
    for page, gold in zip(corrected.pages, golds, strict=True):
        on_page = [f for f in flags if f.page == gold.number]
        predicted = apply_flags(page.ocr_text, [f for f in on_page if f.category.value in chosen])
        before = cer(gold.body, page.ocr_text)
        after = cer(gold.body, page.text)
        assert after < before
        assert after == pytest.approx(cer(gold.body, predicted), abs=1e-9)


def test_scripted_review_without_gold_decides_only_heuristic_flags(japan_copy, capsys):
    from workbench.models import FlagSource

    _, doc, _ = japan_copy
    assert main(["review", doc, "--reviewer", "bot", "--accept", "--no-gold", "--min-confidence", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "no-gold flags" in out
    states = review.flag_states(open_store(), doc)
    assert states and all(s.flag.source is FlagSource.HEURISTIC for s in states)
    decided_states = [s for s in states if s.decision is not None]
    assert decided_states and all(s.flag.confidence >= 0.5 for s in decided_states)
    assert all(s.decision.reviewer == "bot" and s.decision.text == s.flag.suggestions[0] for s in decided_states)
    assert all(s.flag.confidence < 0.5 or not s.flag.suggestions for s in states if s.decision is None)


# -- the briefing paper itself: its stored Tesseract OCR and its gold --------------------------------------


@pytest.fixture
def briefing_paper(tmp_collection, repo_collection, store_url):
    """A copy of us-japan-1974's manifest, gold and stored OCR (not its scans) in a throwaway collection."""
    import shutil

    doc = "us-japan-1974"
    shutil.copytree(repo_collection.gold_dir(doc), tmp_collection.gold_dir(doc))
    shutil.copytree(repo_collection.ocr_dir(doc), tmp_collection.ocr_dir(doc))
    tmp_collection.document_dir(doc).mkdir(parents=True)
    shutil.copyfile(repo_collection.manifest_path(doc), tmp_collection.manifest_path(doc))
    document = tmp_collection.document(doc)
    return tmp_collection, doc, tmp_collection.gold_pages(document)


def test_accepting_every_gold_suggestion_on_the_briefing_paper_exports_its_gold_body(briefing_paper, tmp_path, capsys):
    from workbench.normalize import fold_whitespace

    _, doc, golds = briefing_paper
    assert main(["review", doc, "--reviewer", "ann", "--accept"]) == 0
    assert "flags decided (100%)" in capsys.readouterr().out
    out = tmp_path / "corrected"
    assert main(["export", doc, "--format", "txt", "--out", f"{out}/"]) == 0
    assert "0 decision(s) left out" in capsys.readouterr().out
    for gold in golds:
        exported = (out / f"page-{gold.number:03d}.txt").read_text(encoding="utf-8")
        assert fold_whitespace(exported) == fold_whitespace(gold.body)


def test_accepting_stamp_noise_and_hyphenation_on_the_briefing_paper_lowers_its_cer(briefing_paper, capsys):
    from workbench.flags import apply_flags, flag_document
    from workbench.metrics import cer

    collection, doc, golds = briefing_paper
    chosen = ("stamp_noise", "broken_hyphenation")
    assert main(["review", doc, "--reviewer", "ann", "--accept", "--category", chosen[0], "--category", chosen[1]]) == 0
    capsys.readouterr()
    flags = [f for f in flag_document(collection, doc, use_gold=True) if f.category.value in chosen]
    corrected = correct_document(collection, open_store(), doc)
    before = sum(cer(g.body, p.ocr_text) * len(g.body) for g, p in zip(golds, corrected.pages, strict=True))
    after = sum(cer(g.body, p.text) * len(g.body) for g, p in zip(golds, corrected.pages, strict=True))
    predicted = sum(
        cer(g.body, apply_flags(p.ocr_text, [f for f in flags if f.page == g.number])) * len(g.body)
        for g, p in zip(golds, corrected.pages, strict=True)
    )
    assert after < before
    assert after == pytest.approx(predicted, rel=1e-9)


def test_cli_export_save_writes_under_transcripts_corrected(document, capsys):
    collection, _, _ = document
    assert main(["export", DOC, "--format", "txt", "--save"]) == 0
    folder = collection.corrected_dir(DOC)
    assert sorted(p.name for p in folder.iterdir()) == ["memo.txt", "page-001.txt", "page-002.txt"]
    assert (folder / "page-002.txt").read_text() == EXPECTED_2


def test_cli_review_sync_stores_the_flags_without_deciding(briefing_paper, capsys):
    _, doc, _ = briefing_paper
    assert main(["review", doc, "--sync"]) == 0
    out = capsys.readouterr().out
    assert "gold flags stored (" in out
    progress = review.progress(open_store(), doc)
    assert progress.flags > 0 and progress.decided == 0
    assert f"0/{progress.flags} flags decided" in out
    assert main(["review", doc, "--sync"]) == 0
    assert f"{progress.flags} gold flags stored (0 new, 0 changed, 0 gone stale)" in capsys.readouterr().out


# -- ALTO of pages without scans ---------------------------------------------------------------------------

COORDINATES = ("HPOS", "VPOS", "WIDTH", "HEIGHT")


def alto_schema() -> etree.XMLSchema:
    """The part of ALTO 4.2 the exporter writes (tests/data/alto-4-export-subset.xsd)."""
    from tests.conftest import DATA

    return etree.XMLSchema(etree.parse(str(DATA / "alto-4-export-subset.xsd")))


def assert_valid_alto(content: bytes) -> etree._Element:
    root = etree.fromstring(content)
    schema = alto_schema()
    assert schema.validate(root), schema.error_log.last_error
    return root


def _scanless(collection, doc_id: str, pages: list[OcrPage]) -> None:
    collection.document_dir(doc_id).mkdir(parents=True)
    refs = tuple(PageRef(doc_id, page.number) for page in pages)  # no scan files
    write_manifest(Document(doc_id, "No scans", refs), collection.manifest_path(doc_id))
    for page in pages:
        save_ocr_page(collection, page)


def test_alto_of_a_page_without_scan_or_boxes_has_no_coordinates_and_validates(tmp_collection):
    text = "Dear Sir,\n\nThe shipmcnt arrived.\n"
    _scanless(tmp_collection, "letter", [OcrPage("letter", 1, text, engine="import:text")])  # text only
    store = open_store()
    try:
        misread = Flag("letter", 1, 15, 23, "shipmcnt", FlagCategory.MISREAD_WORD, ("shipment",))
        review.sync_flags(store, "letter", [misread])
        review.accept_all(store, "letter", reviewer="ann")
        result = export(tmp_collection, store, "letter", format="alto")
    finally:
        store.close()
    root = assert_valid_alto(result.content)
    assert not [el for el in root.iter() for name in COORDINATES if el.get(name) is not None]
    strings = root.findall(f".//{{{ALTO_NS}}}String")
    assert [s.get("CONTENT") for s in strings] == ["Dear", "Sir,", "The", "shipment", "arrived."]
    assert strings[3].get("CS") == "true"
    assert root.find(f".//{{{ALTO_NS}}}sourceImageInformation") is None  # no scan file to name


def test_alto_without_scan_takes_the_page_size_the_imported_ocr_declared(tmp_collection):
    text = "Dear Sir,\n"
    words = (
        OcrWord("Dear", 0, 4, conf=97.0, box=Box(300, 400, 420, 440)),
        OcrWord("Sir,", 5, 9, conf=95.0, box=Box(440, 400, 540, 440)),
    )
    declared = OcrPage("letter", 1, text, words, engine="import:alto", options={"page_size": [2550, 3300]})
    boxes_only = OcrPage("letter", 2, text, words, engine="import:alto")
    bare = OcrPage("letter", 3, "Yours,\n", engine="import:text")
    _scanless(tmp_collection, "letter", [declared, boxes_only, bare])
    store = open_store()
    try:
        root = assert_valid_alto(export(tmp_collection, store, "letter", format="alto").content)
    finally:
        store.close()
    first, second, third = root.findall(f".//{{{ALTO_NS}}}Page")
    assert (first.get("WIDTH"), first.get("HEIGHT")) == ("2550", "3300")
    # Boxes but no declared size: the page's size is not made up; the printed area is where the words are.
    assert second.get("WIDTH") is None and second.get("HEIGHT") is None
    space = second.find(f"{{{ALTO_NS}}}PrintSpace")
    assert [space.get(name) for name in COORDINATES] == ["300", "400", "240", "40"]
    assert not [el for el in third.iter() for name in COORDINATES if el.get(name) is not None]


def test_alto_with_scan_sizes_and_boxes_still_validates(document):
    collection, store, _ = document
    assert_valid_alto(export(collection, store, DOC, format="alto").content)


def test_alto_of_the_briefing_paper_with_its_scans_validates(repo_collection):
    store = open_store()
    try:
        root = assert_valid_alto(export(repo_collection, store, "us-japan-1974", format="alto").content)
    finally:
        store.close()
    first = root.find(f".//{{{ALTO_NS}}}Page")
    assert int(first.get("WIDTH")) > 2000 and int(first.get("HEIGHT")) > 3000  # the scan's own size
    assert root.find(f".//{{{ALTO_NS}}}String").get("HPOS") is not None
