"""The no-gold detectors on small hand-made pages, negatives included."""

from __future__ import annotations

import itertools

from tests.flags.helpers import ocr_page
from workbench.flags import heuristic_flags
from workbench.flags.context import page_context
from workbench.flags.hyphenation import join_candidates
from workbench.flags.lexicon import Lexicon
from workbench.models import FlagCategory, FlagSource

BASES = [
    "Our base system includes major air bases at Misawa, Yokota and Kadena,",
    "naval facilities at Yokosuka and Sasebo, and training areas in Honshu.",
    "The bases at Misawa and Yokota remain; Kadena and Sasebo are consolidated.",
    "Some 55,000 remain in Japan since November 1974 and the 1950's as before.",
    "The US-Japan alliance is a self-defense matter of the post-war period.",
]


def flags_of(lines, **kwargs):
    return heuristic_flags([ocr_page("\n".join(lines), **kwargs)])


def only(flags):
    return [(f.text, f.category, f.suggestions[:1]) for f in flags]


def test_clean_prose_with_recurring_names_numbers_and_dates_has_no_flags():
    assert flags_of(BASES) == []


def test_all_caps_headings_are_not_flagged():
    assert flags_of(["DEPARTMENT OF STATE", "BRIEFING PAPER", *BASES]) == []


def test_typist_hyphenation_is_flagged_with_the_joined_word_first():
    lines = [
        "The Treaty commits the US and Japan to recognize the secu-",
        "rity of the administra-",
        "tion and the forces of the post-",
        "war period in the region of the Pacific and elsewhere.",
    ]
    flags = flags_of(lines)
    assert only(flags) == [
        ("secu-\nrity", FlagCategory.BROKEN_HYPHENATION, ("security",)),
        ("administra-\ntion", FlagCategory.BROKEN_HYPHENATION, ("administration",)),
        ("post-\nwar", FlagCategory.BROKEN_HYPHENATION, ("post-war",)),
    ]
    assert all(f.source is FlagSource.HEURISTIC for f in flags)


def test_compounds_keep_their_hyphen_unless_the_joined_word_is_common():
    context = page_context(ocr_page("a b"), Lexicon.for_texts([]))
    assert join_candidates("self-", "defense", context)[0] == "self-defense"
    assert join_candidates("non-", "nuclear", context)[0] == "non-nuclear"
    assert join_candidates("low-", "key", context)[0] == "low-key"
    assert join_candidates("North-", "west", context)[0] == "Northwest"
    assert join_candidates("intelli~", "gence", context)[0] == "intelligence"


def test_a_capital_misread_inside_a_split_word_is_lowered_in_the_join():
    context = page_context(ocr_page("a b"), Lexicon.for_texts([]))
    assert join_candidates("demon-", "Strating,", context) == ("demonstrating,", "demon-Strating,", "demonStrating,")
    # The compound keeps the tail as read, and an upper-case head keeps its tail's capital.
    assert join_candidates("anti-", "American", context) == ("anti-American", "antiamerican", "antiAmerican")
    assert join_candidates("US-", "Japan", context) == ("US-Japan", "USJapan")
    assert join_candidates("secu-", "rity", context) == ("security", "secu-rity")


def test_lost_hyphen_is_found_by_the_lexicon():
    lines = ["the Japanese government has not chal", "lenged formally our interpretation of the treaty and its terms"]
    assert only(flags_of(lines)) == [("chal\nlenged", FlagCategory.BROKEN_HYPHENATION, ("challenged",))]


def test_stray_glyphs_are_flagged_for_deletion():
    lines = [
        "the Treaty commits the US : and Japan | to recognize an armed",
        "attack against ~ either party i as dangerous to their peace.",
    ]
    flags = flags_of(lines)
    assert [(f.text, f.category, f.suggestions) for f in flags] == [
        (":", FlagCategory.STRAY_CHAR, ("",)),
        ("|", FlagCategory.STRAY_CHAR, ("",)),
        ("~", FlagCategory.STRAY_CHAR, ("",)),
        ("i", FlagCategory.STRAY_CHAR, ("",)),
    ]


def test_list_dashes_and_enumerators_are_not_stray():
    lines = [
        "1. The Treaty commits the US and Japan to recognize an attack.",
        "- deepening consultative arrangements with the Japanese government;",
        "- promoting complementarity in our strategic concepts and systems;",
    ]
    assert flags_of(lines) == []


def test_a_lone_digit_inside_a_sentence_is_stray_beside_figures_it_is_a_column():
    lines = [
        "the Treaty commits the US to 2 military alliance of the post-war period.",
        "Table 30 2 Chairs and the Total 12 5 20,00 of the account.",
        "The account holds 12 x 1,50 and 0.208kg x 3.40 at 9H00 or 12h30 in 4X125G packs.",
    ]
    flags = flags_of(lines)
    assert [(f.text, f.category, f.suggestions) for f in flags] == [("2", FlagCategory.STRAY_CHAR, ("",))]
    assert flags[0].start == lines[0].index(" 2 ") + 1


def test_a_sum_keeps_its_currency_sign_before_or_after_it():
    lines = [
        "The Treaty costs 2.95€ and the alliance -0.04€ or £1. in the account;",
        "the bases at Misawa cost $5 and the facilities at Yokota 3,20€ each.",
        "The account of the alliance has *power and the Treaty forces> Japan.",
    ]
    assert only(flags_of(lines)) == [
        ("*power", FlagCategory.CASE_OR_PUNCTUATION, ("power",)),
        ("forces>", FlagCategory.CASE_OR_PUNCTUATION, ("forces",)),
    ]


def test_misread_words_get_confusion_aware_suggestions():
    lines = [
        "Tlie Treaty commits tbe US and Japan to recognize an arrned",
        "attack in tlie cornmunist world as dangerous to their l974 peace.",
    ]
    flags = flags_of(lines)
    assert only(flags) == [
        ("Tlie", FlagCategory.MISREAD_WORD, ("The",)),
        ("tbe", FlagCategory.MISREAD_WORD, ("the",)),
        ("arrned", FlagCategory.MISREAD_WORD, ("armed",)),
        ("tlie", FlagCategory.MISREAD_WORD, ("the",)),
        ("cornmunist", FlagCategory.MISREAD_WORD, ("communist",)),
        ("l974", FlagCategory.MISREAD_WORD, ("1974",)),
    ]


def test_low_confidence_real_word_is_flagged_and_high_confidence_one_is_not():
    lines = [
        "the strategic functions of the alliance have undergone a change",
        "but for more than two decades Japan has been our ally.",
    ]
    flags = flags_of(lines, conf={"been": 35.0})
    assert [(f.text, f.category) for f in flags] == [("been", FlagCategory.MISREAD_WORD)]
    assert 0.5 < flags[0].confidence <= 1.0


def test_a_common_word_of_some_length_read_bare_is_no_misreading_for_low_confidence_alone():
    lines = [
        "the strategic functions of the alliance have undergone a change",
        "but for more than two decades, Japan has been our ally.",
    ]
    # noise on the scan lowered the engine's confidence in a long common word: no flag
    assert flags_of(lines, conf={"alliance": 30.0}) == []
    # edge punctuation keeps the doubt (a speck may be what lowered it), and so does a short word
    assert [f.text for f in flags_of(lines, conf={"decades,": 30.0, "ally.": 30.0})] == ["decades,", "ally."]


def test_split_and_merged_words():
    lines = [
        "The US-Japan security relationship is currently bas ed upon the",
        "Treaty of Mutual Cooperation onthe following to:meet elements.",
    ]
    assert only(flags_of(lines)) == [
        ("bas ed", FlagCategory.SPLIT_WORD, ("based",)),
        ("onthe", FlagCategory.MERGED_WORDS, ("on the",)),
        ("to:meet", FlagCategory.MERGED_WORDS, ("to: meet",)),
    ]


def test_stray_glyphs_stuck_to_words_and_full_stops_inside_sentences():
    lines = [
        "The Treaty commits. the US and Japan to recognize an ‘attack against",
        "either party as dangerous to their facilities’ and safety.",
    ]
    assert only(flags_of(lines)) == [
        ("commits.", FlagCategory.CASE_OR_PUNCTUATION, ("commits",)),
        ("‘attack", FlagCategory.CASE_OR_PUNCTUATION, ("attack",)),
        ("facilities’", FlagCategory.CASE_OR_PUNCTUATION, ("facilities",)),
    ]


def test_an_abbreviation_keeps_its_stop_inside_a_sentence_and_before_a_comma():
    lines = [
        "Sold by Hart and Co., London, in two vols. post 8vo. cloth, pub. at 16s and",
        "now offered at 9s; the third edition, pub. at 12s, is offered at 7s by the",
        "same house. The commits. of the firm were printed., and the rest sold.",
    ]
    # "Co.," and "pub." (twice on the page, no common word) are abbreviations; "commits." and "printed.,"
    # are still a stop the OCR put inside the sentence
    assert [f.text for f in flags_of(lines) if f.category == FlagCategory.CASE_OR_PUNCTUATION] == [
        "vols.",
        "commits.",
        "printed.,",
    ]


def test_flags_of_a_page_never_overlap():
    lines = ["C0NFIDENTlAL", "Tlie secu-", "rity of : Japan bas ed onthe Treaty commits. the US and Japan", "GDS"]
    flags = flags_of(lines)
    spans = sorted((f.start, f.end) for f in flags)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


def test_lost_hyphen_with_a_misread_capital_and_real_word_line_ends():
    lines = [
        "the Japanese government and the politi",
        "Cal parties of the Japanese government agree with",
        "in the year that the treaty was signed by the two governments.",
    ]
    assert only(flags_of(lines)) == [("politi\nCal", FlagCategory.BROKEN_HYPHENATION, ("political",))]


FULL_LINES = [
    "the strategic functions of the alliance have undergone a change",
    "but for more than two decades Japan has been our ally in Asia",
    "and the security relationship is based upon the Treaty and the",
    "following elements of mutual cooperation and the Treaty commits",
]


def test_text_lost_at_a_line_end_is_missing_text_where_the_next_word_would_have_fitted():
    lines = [*FULL_LINES, "the US and Japan to recognize", "either party as dangerous to their peace and their safety"]
    page = ocr_page("\n".join(lines))
    flags = heuristic_flags([page])
    assert [(f.category, f.start, f.end, f.suggestions) for f in flags] == [
        (FlagCategory.MISSING_TEXT, page.text.index(" recognize") + 10, page.text.index(" recognize") + 10, ())
    ]


def test_a_short_last_line_of_a_paragraph_or_a_long_next_word_is_no_missing_text():
    lines = [
        *FULL_LINES,
        "the US and Japan to recognize it.",
        "Either party as dangerous to their peace and their safety",
    ]
    assert flags_of(lines) == []
    lines = [
        *FULL_LINES,
        "the US and Japan to recognize an armed attack against",
        "constitutional provisions and processes of the two",
    ]
    assert flags_of(lines) == []


def test_lines_broken_short_on_purpose_are_no_missing_text():
    # verse or a list after a paragraph: the next line stops short as well, so the break was the typist's
    lines = [*FULL_LINES, "the song of the sea at night", "and the wind in the pines", "and the wind in the reeds"]
    assert flags_of(lines) == []


def test_centred_heading_lines_are_no_missing_text():
    lines = ["            DEPARTMENT OF STATE", "              BRIEFING PAPER", *FULL_LINES]
    assert flags_of(lines) == []


def test_a_mid_line_hyphen_before_a_stray_glyph_is_not_joined_over_it():
    """The stray glyph's flag claims it first: the hyphen is flagged alone, and the page's flags never overlap
    (applying them all at once must not fail)."""
    from workbench.flags.tokens import apply_flags

    lines = [
        "The price of gold- i rose in the markets of the world today, and the banks",
        "of the nations held their reserves as the markets of the world expected,",
        "and the price of gold rose again in the markets of the nations today.",
    ]
    flags = flags_of(lines)
    assert only(flags) == [
        ("gold-", FlagCategory.CASE_OR_PUNCTUATION, ("gold",)),
        ("i", FlagCategory.STRAY_CHAR, ("",)),
    ]
    for before, after in itertools.pairwise(flags):
        assert after.start >= before.end
    assert apply_flags("\n".join(lines), flags).startswith("The price of gold  rose")
