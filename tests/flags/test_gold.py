"""The gold-diff classifier: categories on hand-made pages, and the law that gold suggestions restore the body."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.flags.helpers import gold_page, marking, ocr_page
from workbench.flags import apply_flags, gold_flags
from workbench.flags.gold import LineHyphens
from workbench.flags.tokens import fold_whitespace
from workbench.models import FlagCategory, FlagSource, MarkingKind

CONF = marking("CONFIDENTIAL", MarkingKind.CLASSIFICATION, "top-center")
PAGE_NO = marking("-2-", MarkingKind.PAGE_NUMBER, "top-center")
GDS = marking("GDS", MarkingKind.DOWNGRADING_CODE, "bottom-center")
STAMP = marking(
    "DECLASSIFIED\nE.O. 12958 (as amended) SEC 3.3\nState Dept Guidelines\nBy hjk NARA, Date 1/11/11",
    MarkingKind.DECLASSIFICATION_STAMP,
    "bottom-right",
)
BODY = "The US-Japan security relationship is based on the Treaty.\n\nIt was signed in 1952 at Misawa."


def categories(flags):
    return [(f.text, f.category, f.suggestions[0]) for f in flags]


def assert_law(page, gold, flags):
    corrected = apply_flags(page.text, flags)
    assert fold_whitespace(corrected) == fold_whitespace(gold.body)


def test_clean_body_with_markings_flags_only_the_marking_text():
    gold = gold_page(BODY, CONF, GDS)
    page = ocr_page(
        "CONFIDENTIAL\nThe US-Japan security relationship is based on\nthe Treaty.\n\n"
        "It was signed in 1952 at Misawa.\nGDS"
    )
    flags = gold_flags(page, gold)
    assert categories(flags) == [
        ("CONFIDENTIAL", FlagCategory.STAMP_NOISE, ""),
        ("GDS", FlagCategory.STAMP_NOISE, ""),
    ]
    assert all(f.source is FlagSource.GOLD and f.confidence == 1.0 for f in flags)
    assert_law(page, gold, flags)


def test_each_category_on_a_hand_made_page():
    gold = gold_page(BODY, CONF, PAGE_NO, GDS)
    text = (
        "C0NFIDENTlAL\n-2-\nTlie US-Japan secu-\nrity relation ship is : based onthe Treaty,\n\n"
        "It was signed 1952 at Misawa.\nGDS\n"
    )
    page = ocr_page(text)
    flags = gold_flags(page, gold)
    assert categories(flags) == [
        ("C0NFIDENTlAL", FlagCategory.STAMP_NOISE, ""),
        ("-2-", FlagCategory.STAMP_NOISE, ""),
        ("Tlie", FlagCategory.MISREAD_WORD, "The"),
        ("secu-\nrity", FlagCategory.BROKEN_HYPHENATION, "security"),
        ("relation ship", FlagCategory.SPLIT_WORD, "relationship"),
        (":", FlagCategory.STRAY_CHAR, ""),
        ("onthe", FlagCategory.MERGED_WORDS, "on the"),
        ("Treaty,", FlagCategory.CASE_OR_PUNCTUATION, "Treaty."),
        ("", FlagCategory.MISSING_TEXT, " in"),
        ("GDS", FlagCategory.STAMP_NOISE, ""),
    ]
    missing = next(f for f in flags if f.category is FlagCategory.MISSING_TEXT)
    assert missing.start == missing.end == text.index(" 1952")
    assert_law(page, gold, flags)


def test_flag_offsets_point_at_the_ocr_text_and_carry_word_boxes():
    gold = gold_page(BODY)
    page = ocr_page("The US-Japan security relatlonship is based on the Treaty.\nIt was signed in 1952 at Misawa.")
    (flag,) = gold_flags(page, gold)
    assert page.text[flag.start : flag.end] == flag.text == "relatlonship"
    assert flag.category is FlagCategory.MISREAD_WORD
    assert flag.suggestions == ("relationship",)
    assert len(flag.boxes) == 1 and flag.boxes[0].left == 300 + 22 * 25


def test_compound_hyphen_at_line_end_is_rejoined_with_its_hyphen():
    gold = gold_page("forces throughout the post-war period.")
    page = ocr_page("forces throughout the post-\nwar period.")
    (flag,) = gold_flags(page, gold)
    assert (flag.text, flag.category, flag.suggestions) == (
        "post-\nwar",
        FlagCategory.BROKEN_HYPHENATION,
        ("post-war",),
    )


def test_lost_hyphen_at_line_end_is_broken_hyphenation():
    gold = gold_page("the security of Japan")
    page = ocr_page("the secu\nrity of Japan")
    (flag,) = gold_flags(page, gold)
    assert flag.category is FlagCategory.BROKEN_HYPHENATION and flag.suggestions == ("security",)


def test_a_line_faithful_gold_keeps_the_split_the_corrected_text_must_join():
    text = "The bridge com-\nmittee met on Tues-\nday and voted the tolls."
    gold = gold_page(text)
    page = ocr_page(text)
    assert gold_flags(page, gold) == []  # as typed, and this gold joins nothing: no difference
    flags = gold_flags(page, gold, line_hyphens=LineHyphens.KEPT)
    assert categories(flags) == [
        ("com-\nmittee", FlagCategory.BROKEN_HYPHENATION, "com-\nmittee"),
        ("Tues-\nday", FlagCategory.BROKEN_HYPHENATION, "Tues-\nday"),
    ]
    assert_law(page, gold, flags)


def test_a_kept_split_misread_on_one_side_is_that_word_only():
    gold = gold_page("The bridge com-\nmittee met.")
    page = ocr_page("The bridge com-\nrnittee met.")
    flags = gold_flags(page, gold, line_hyphens=LineHyphens.KEPT)
    assert [(f.text, f.suggestions[0]) for f in flags] == [("rnittee", "mittee")]


def test_declassification_stamp_lines_are_stamp_noise_even_when_misread():
    gold = gold_page(BODY, GDS, STAMP)
    text = (
        BODY.replace("\n\n", "\n")
        + "\nGDS\nDECLASSlFIED\nE.0. 12958 (as arnended) SEC 3.3\nState Dept Guide1ines\nBy hjk NARA, Date 1/11/11\n"
    )
    page = ocr_page(text)
    flags = gold_flags(page, gold)
    assert {f.category for f in flags} == {FlagCategory.STAMP_NOISE}
    assert (
        "".join(f.text for f in flags).replace("\n", "")
        == "GDSDECLASSlFIEDE.0. 12958 (as arnended) SEC 3.3State Dept Guide1inesBy hjk NARA, Date 1/11/11"
    )
    assert_law(page, gold, flags)


def test_marking_read_inside_the_body_lines_is_stamp_noise():
    gold = gold_page("alpha beta gamma delta epsilon zeta", GDS, STAMP)
    page = ocr_page("alpha beta gamma NARA delta\nepsilon zeta\nGDS")
    flags = gold_flags(page, gold, document_markings=[STAMP])
    assert ("NARA", FlagCategory.STAMP_NOISE, "") in categories(flags)
    assert_law(page, gold, flags)


def test_missing_text_at_the_start_of_the_page_inserts_before_the_first_word():
    gold = gold_page("Over the years the alliance changed.")
    page = ocr_page("the years the alliance changed.")
    (flag,) = gold_flags(page, gold)
    assert (flag.start, flag.end, flag.category, flag.suggestions) == (0, 0, FlagCategory.MISSING_TEXT, ("Over ",))
    assert_law(page, gold, flags=[flag])


def test_page_without_differences_has_no_flags():
    gold = gold_page("Department of State\nNovember 1974")
    assert gold_flags(ocr_page("Department of State\nNovember 1974\n"), gold) == []


def test_empty_ocr_loses_the_whole_body():
    gold = gold_page("some 55,000 remain", CONF)
    page = ocr_page("")
    (flag,) = gold_flags(page, gold)
    assert flag.category is FlagCategory.MISSING_TEXT and flag.suggestions == ("some 55,000 remain ",)
    assert_law(page, gold, [flag])


GLYPHS = ["rn", "m", "1", "l", "0", "O", ":", "|", "~", "'", "i", "-", "ii", "e", "c"]


def corrupt(text: str, rng: random.Random) -> str:
    """`text` typed on 30-character lines with random OCR-like damage: substitutions, specks, splits, joins."""
    out = []
    for word in text.split():
        roll = rng.random()
        if roll < 0.08:
            word = word.replace(rng.choice(word), rng.choice(GLYPHS), 1)
        elif roll < 0.11:
            out.append(rng.choice(GLYPHS))
        elif roll < 0.13 and len(word) > 3:
            cut = rng.randrange(1, len(word))
            word = word[:cut] + rng.choice([" ", "-\n", "\n"]) + word[cut:]
        elif roll < 0.15 and out:
            out[-1] = out[-1] + word
            continue
        elif roll < 0.17:
            continue  # the word is lost
        out.append(word)
    lines, line = [], ""
    for word in out:
        if len(line) + len(word) > 30 and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_accepting_every_gold_suggestion_restores_the_gold_body(seed):
    rng = random.Random(seed)
    gold = gold_page(BODY + "\n\nSome 55,000 remain at Misawa, Yokota and Kadena.", CONF, PAGE_NO, GDS, STAMP)
    page = ocr_page(corrupt(gold.full_text, rng))
    flags = gold_flags(page, gold)
    assert_law(page, gold, flags)
    for flag in flags:
        assert page.text[flag.start : flag.end] == flag.text


def test_law_holds_on_the_real_gold_pages_damaged(repo_collection):
    document = repo_collection.document("us-japan-1974")
    golds = repo_collection.gold_pages(document)
    markings = [m for g in golds for m in g.markings]
    rng = random.Random(7)
    for gold in golds:
        page = ocr_page(corrupt(gold.full_text, rng), number=gold.number)
        flags = gold_flags(page, gold, document_markings=markings)
        assert_law(page, gold, flags)
        assert len({f.key for f in flags}) == len(flags)


def test_a_document_flagged_with_its_vocabulary_made_once_flags_as_each_page_alone(repo_collection):
    from workbench.flags.document import _gold_run

    document = repo_collection.document("us-japan-1974")
    golds = repo_collection.gold_pages(document)
    markings = [m for g in golds for m in g.markings]
    rng = random.Random(11)
    pages = [ocr_page(corrupt(gold.full_text, rng), number=gold.number) for gold in golds]
    for hyphens in LineHyphens:
        each = [
            flag
            for page, gold in zip(pages, golds, strict=True)
            for flag in gold_flags(page, gold, document_markings=markings, line_hyphens=hyphens)
        ]
        assert _gold_run(pages, golds, document_markings=markings, line_hyphens=hyphens) == each


def test_a_marking_vocabulary_that_counts_every_word_already_is_returned_as_it_is():
    from workbench.flags.gold import marking_vocabulary
    from workbench.flags.stamps import default_vocabulary

    document = marking_vocabulary([STAMP, CONF, GDS, PAGE_NO])
    assert document.strong > default_vocabulary().strong
    assert document.strong == default_vocabulary().with_words(
        w for m in (STAMP, CONF, GDS, PAGE_NO) for w in m.text.split()
    ).strong
    assert marking_vocabulary([CONF, STAMP], document) is document
    extended = marking_vocabulary([marking("NOFORN WNINTEL", MarkingKind.CLASSIFICATION, "top-center")], document)
    assert extended.strong == document.strong | {"NOFORN", "WNINTEL"}


@pytest.mark.parametrize("variant", ["us-japan-1974", "us-japan-1974-clean", "us-japan-1974-poor"])
def test_law_holds_on_the_stored_ocr(repo_collection, variant):
    from workbench.flags import flag_document
    from workbench.ocr.store import has_ocr, load_ocr_pages

    document = repo_collection.document(variant)
    if not has_ocr(repo_collection, document):
        pytest.skip(f"no stored OCR of {variant} (run `workbench ocr {variant}`)")
    flags = flag_document(repo_collection, document, use_gold=True)
    for page, gold in zip(load_ocr_pages(repo_collection, document), repo_collection.gold_pages(document), strict=True):
        assert_law(page, gold, [f for f in flags if f.page == page.number])
