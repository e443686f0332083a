"""Lexicon, suggestion cost, garbage rules and the document-aware rules of the no-gold flagger."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from tests.flags.helpers import ocr_page
from workbench.flags import heuristic_flags
from workbench.flags.garbage import garbage_reason, scannos
from workbench.flags.lexicon import Lexicon
from workbench.flags.suggest import match_case, ocr_cost, suggest_token
from workbench.models import FlagCategory, OcrPage

PROSE = [
    "The security of the Far East rests on the alliance with Japan and the Far East",
    "bases of the alliance; the Japanese government and the Japanese public agree",
]


def flags_of(lines, **kwargs):
    return heuristic_flags([ocr_page("\n".join(lines), **kwargs)])


def only(flags):
    return [(f.text, f.category, f.suggestions[:1]) for f in flags]


@pytest.fixture(scope="module")
def lexicon():
    return Lexicon.for_texts(["Misawa Misawa Yokota Yokota self-defense"])


def test_lexicon_knows_words_names_compounds_and_the_documents_own_vocabulary(lexicon):
    for word in ["the", "Security", "Misawa", "Yokota", "Kadena", "self-defense", "US-Japan", "Japan's", "1950's"]:
        assert lexicon.is_known(word), word
    for word in ["tlie", "secu", "rity", "assvyme"]:
        assert not lexicon.is_known(word), word
    assert lexicon.count("MISAWA,") == 2 and lexicon.zipf("the") > 7


@pytest.mark.parametrize(("read", "meant"), [("rn", "m"), ("cl", "d"), ("li", "h"), ("1", "l"), ("0", "o")])
def test_ocr_confusions_cost_less_than_plain_edits(read, meant):
    assert ocr_cost(read, meant) < 1.0 <= Levenshtein.distance(read, meant)


@settings(max_examples=200, deadline=None)
@given(st.text("abcdelmnorst10 ", max_size=8), st.text("abcdelmnorst10 ", max_size=8))
def test_ocr_cost_is_zero_only_for_equal_strings_and_never_above_levenshtein(read, meant):
    cost = ocr_cost(read, meant)
    assert 0.0 <= cost <= Levenshtein.distance(read, meant)
    assert (cost == 0.0) == (read == meant)


@pytest.mark.parametrize(
    ("token", "first"),
    [
        ("tlie,", "the,"),
        ("Cornmunist", "Communist"),
        ("ARRNED", "ARMED"),
        ("..@llidnce", "alliance"),
        ("(goverment)", "(government)"),
    ],
)
def test_suggestions_rank_the_intended_word_first_and_keep_typed_punctuation(lexicon, token, first):
    assert suggest_token(token, lexicon)[0].text == first


def test_match_case_follows_the_reading():
    assert (match_case("the", "TLIE"), match_case("the", "Tlie"), match_case("the", "tlie")) == ("THE", "The", "the")


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("a.,:;", "punctuation"),
        ("bcdfg", "no vowel"),
        ("alliiiance", "repeats"),
        ("WSrid", "mixed case"),
        ("GOd", "mixed case"),
        ("4iGa", "mixed case"),
    ],
)
def test_garbage_rules(token, reason):
    assert garbage_reason(token) == reason


@pytest.mark.parametrize(
    "token", ["e.g.,", "U.S.", "1950's", "ASWs", "McArthur", "55,000", "--", "3.3", "1/11/11", "Japan's"]
)
def test_garbage_rules_spare_real_tokens(token):
    assert garbage_reason(token) is None


@pytest.mark.parametrize(
    ("word", "unit_measure", "measure"),
    [("0.435kg", True, True), ("1.80€/kg", True, True), ("0,78KG", True, True), ("1,5L", True, True),
     ("1.99e", False, True), ("250g", False, True), ("kg", False, False)],
)
def test_a_unit_measure_is_a_decimal_quantity_in_a_unit_a_narrower_measure(word, unit_measure, measure):
    from workbench.flags.garbage import is_measure, is_unit_measure

    assert (is_unit_measure(word), is_measure(word)) == (unit_measure, measure)


def test_scanno_list_is_loaded():
    assert scannos()["tlie"] == "the"


def test_document_word_pairs_back_a_correction_of_a_rare_word():
    flags = flags_of([*PROSE, "in the Far Bast the Japanese government keeps the bases and the security."])
    assert only(flags) == [("Bast", FlagCategory.MISREAD_WORD, ("East",))]


def test_a_rare_reading_one_cheap_confusion_from_a_common_word_is_flagged_even_when_sure():
    flags = flags_of([*PROSE, "the Free Worid and the Japanese government keep the bases of the alliance."])
    assert only(flags) == [("Worid", FlagCategory.MISREAD_WORD, ("World",))]


def test_acronyms_abbreviations_and_long_confident_words_are_not_flagged():
    lines = [
        "The GOJ and the USSR discuss ASW and AEW in areas around Japan, e.g., the",
        "Seventh Fleet; they forswear a triregional association of the powers.",
    ]
    assert flags_of(lines) == []


def test_quote_marks_that_open_or_close_nothing_are_flagged_and_real_quotations_are_not():
    lines = [
        'the treaty speaks of "respective constitutional provisions" and of the',
        "friendship” of the US and the “powers of the region in the Pacific area",
    ]
    assert only(flags_of(lines)) == [
        ("friendship”", FlagCategory.CASE_OR_PUNCTUATION, ("friendship",)),
        ("“powers", FlagCategory.CASE_OR_PUNCTUATION, ("powers",)),
    ]


def test_symbols_stuck_to_words_are_flagged():
    lines = ["the treaty was signed by¥ the Japanese government and the US in the", "year of the alliance with Japan®."]
    assert only(flags_of(lines)) == [
        ("by¥", FlagCategory.CASE_OR_PUNCTUATION, ("by",)),
        ("Japan®.", FlagCategory.CASE_OR_PUNCTUATION, ("Japan.",)),
    ]


def test_capital_inside_a_sentence_is_flagged_when_the_document_writes_the_word_lowercase():
    lines = [
        "the strategic balance and the strategic interest of the strategic partners",
        "are a matter of the Strategic balance of the region and of the Treaty; the",
        "Treaty and the Treaty of Mutual Cooperation and the treaty are the same.",
    ]
    assert only(flags_of(lines)) == [("Strategic", FlagCategory.CASE_OR_PUNCTUATION, ("strategic",))]


def test_a_capital_inside_a_sentence_is_a_misread_only_where_its_shape_is_the_small_letters():
    lines = [
        "the strategic balance and the regional interest of the strategic partners",
        "are a matter of the Strategic balance of the region and the Regional one; the",
        "regional balance and the strategic balance and the regional one are the same.",
    ]
    # S looks like s enlarged, R does not: "Regional" is the writer's (or follows a lost stop)
    assert only(flags_of(lines)) == [("Strategic", FlagCategory.CASE_OR_PUNCTUATION, ("strategic",))]


def test_suggestions_take_the_documents_casing_of_names():
    lines = [*PROSE, "the gapanese government and the Japanese public keep the bases of the alliance."]
    assert only(flags_of(lines)) == [("gapanese", FlagCategory.MISREAD_WORD, ("Japanese",))]


def test_a_common_word_capitalised_once_inside_a_sentence_is_flagged_but_names_are_not():
    lines = [
        "the missions which are Currently performed by the fleet and the forces of",
        "the Prime Minister of Japan in the region of the Far East and the Pacific;",
        "the missions currently performed are the aim of the treaty of the two governments.",
    ]
    assert only(flags_of(lines)) == [("Currently", FlagCategory.CASE_OR_PUNCTUATION, ("currently",))]


def test_a_stop_after_an_article_or_preposition_and_a_hyphen_inside_a_line():
    lines = [
        "the Japanese government in: the region has offered low- key encouragement of the,",
        "improvements and the remain- 55,000 forces of the alliance are the same as before",
    ]
    assert only(flags_of(lines)) == [
        ("in:", FlagCategory.CASE_OR_PUNCTUATION, ("in",)),
        ("low- key", FlagCategory.SPLIT_WORD, ("low-key",)),
        ("the,", FlagCategory.CASE_OR_PUNCTUATION, ("the",)),
        ("remain-", FlagCategory.CASE_OR_PUNCTUATION, ("remain",)),
    ]


def test_headings_in_title_case_keep_their_capitals():
    lines = [
        "US-Japan Security Relations: Their Place",
        "in US Strategic Thinking",
        "the strategic functions of the strategic alliance and the strategic balance",
        "of the region have undergone a change in the last two decades of the era",
    ]
    assert flags_of(lines) == []


def test_a_short_rare_token_one_slip_from_a_common_word_is_misread_even_when_sure():
    lines = [*PROSE, "the government oi Japan keeps the bases and the security of the alliance"]
    assert only(flags_of(lines)) == [("oi", FlagCategory.MISREAD_WORD, ("of",))]


def test_curly_quotes_are_straightened_and_a_colon_before_a_lowercase_word_is_a_speck():
    lines = [*PROSE, "the government of Japan’s allies has vessels: into the ports of the region"]
    assert only(flags_of(lines)) == [
        ("Japan’s", FlagCategory.CASE_OR_PUNCTUATION, ("Japan's",)),
        ("vessels:", FlagCategory.CASE_OR_PUNCTUATION, ("vessels",)),
    ]


def test_a_lone_look_alike_of_an_abbreviation_the_document_uses_is_misread():
    lines = [
        "the USSR and the PRC and the USSR in the region and the USSR as a power",
        "of the JSSR and the GOJ in the region of the Pacific and of the Far East",
    ]
    assert only(flags_of(lines)) == [("JSSR", FlagCategory.MISREAD_WORD, ("USSR",))]


def test_braces_become_parentheses_and_a_paragraph_number_gets_its_full_stop():
    lines = [
        *PROSE,
        "4, When the original Treaty was signed the Japanese possessed no forces",
        "(no construction, no possession, no introduction of weapons into Japan},",
    ]
    assert only(flags_of(lines)) == [
        ("4,", FlagCategory.CASE_OR_PUNCTUATION, ("4.",)),
        ("Japan},", FlagCategory.CASE_OR_PUNCTUATION, ("Japan),",)),
    ]


@pytest.mark.parametrize(
    ("lines", "found"),
    [
        # the tail no word, the break where English hyphenates
        (
            [
                "The news had a chilling effect on the political com",
                "plexion of affairs in every capital, and the ministers met",
                "at the palace to consider what the treaty would mean for them.",
            ],
            [("com\nplexion", ("complexion",))],
        ),
        # two words, their join far commoner than the pair by chance ("in to" stays apart)
        (
            [
                "She had read about it in the news",
                "paper that morning, and the house",
                "was quiet when the rain came in to the room.",
            ],
            [("news\npaper", ("newspaper",))],
        ),
        # a mark ending a line is a speck, never the head of a word
        (
            [
                "The Japanese government will continue to %",
                "include the bases in the treaty area, and the public agrees",
            ],
            [],
        ),
    ],
)
def test_a_hyphen_lost_at_a_line_end_is_found(lines, found):
    hyphens = [f for f in flags_of(lines) if f.category is FlagCategory.BROKEN_HYPHENATION]
    assert [(f.text, f.suggestions[:1]) for f in hyphens] == found


def test_a_possessive_is_not_taken_for_an_elision_of_a_digit():
    lexicon = Lexicon.for_texts(["x"])
    assert lexicon.zipf("Bacon'5") == 0.0 and lexicon.zipf("Bacon's") > 0
    text = "The letter was copied out in Francis Bacon's own hand, and sent to the printer at once."
    page = OcrPage(document="doc", number=1, text=text)  # imported text: no confidences
    assert not [f for f in heuristic_flags([page]) if "Bacon" in f.text]


def test_two_words_of_a_line_are_joined_when_the_word_is_far_commoner_than_the_pair_by_chance():
    lines = [
        "The board will meet for the trans action of business and the ex treme",
        "economy of the GENE RAL fund; any one may come a part of the way in to town.",
    ]
    splits = [f for f in flags_of(lines) if f.category is FlagCategory.SPLIT_WORD]
    assert [(f.text, f.suggestions[:1]) for f in splits] == [
        ("trans action", ("transaction",)),
        ("ex treme", ("extreme",)),
        ("GENE RAL", ("GENERAL",)),
    ]


def test_english_ordinals_are_numbers_not_misread_words():
    text = "The board met on the 14th of May, again on the 2d and the 23rd, and last on the 1st of June."
    page = OcrPage(document="doc", number=1, text=text)  # imported text: no confidences
    assert [f.text for f in heuristic_flags([page], language="en")] == []


def test_a_french_real_word_one_slip_from_a_commoner_word_is_doubted_only_in_noisy_text():
    clean = "Le roi partit le matin pour la ville, et la reine resta au palais avec ses enfants sur le lac."
    noisy = "Le roi partit le rnatin pour la vilie, et la rcine resta au palais avec fes cnfants sur le lac."
    flagged = {}
    for name, text in (("clean", clean), ("noisy", noisy)):
        page = OcrPage(document="doc", number=1, text=text)  # imported text: no confidences
        flagged[name] = [f.text for f in heuristic_flags([page], language="fr") if f.text == "lac."]
    assert flagged == {"clean": [], "noisy": ["lac."]}


def test_a_capital_after_a_misread_word_is_flagged_alone():
    text = "The car took a sharp declino Into a deep gully, and the driver was thrown out of it."
    page = OcrPage(document="doc", number=1, text=text)  # imported text: no confidences
    assert [(f.text, f.suggestions[:1]) for f in heuristic_flags([page])] == [
        ("declino", ("decline",)),
        ("Into", ("into",)),
    ]
