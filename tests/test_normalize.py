"""Whitespace folding with its offset map, grapheme and word units, composable transforms."""

from __future__ import annotations

import unicodedata
from dataclasses import FrozenInstanceError, replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.normalize import (
    DEFAULT,
    DINGLEHOPPER,
    EQUIVALENCES,
    TRANSFORMS,
    ComparisonOptions,
    FoldedText,
    MappedText,
    char_units,
    comparison_text,
    compose,
    fold_whitespace,
    grapheme_clusters,
    join_hyphenated_lines,
    nfc,
    token_units,
    word_units,
    words,
)

# Letters, digits, punctuation, whitespace of several kinds, combining marks, a ligature, CJK, emoji.
TRICKY = [
    *"abcXYZ09 ,.'’-:;!?\n\t\"()/%$€",
    "\u0301", "\u0308", "é", "ß", "ﬁ", "日", "ア", "\u200d", "\u00ad", "😀", "🇺", "🇸", "\ue000", "_",
    "\u05d0", "\u0e01", "\u0e31", "\u3000", "\u2028", "\r", "\u200b", "\x1c", "\u00a0", "\u212b",
]
tricky_text = st.lists(st.sampled_from(TRICKY), max_size=40).map("".join)


def test_fold_whitespace_turns_line_breaks_and_runs_into_one_space():
    assert fold_whitespace("  The  paper\nsays:\r\n\n\tyes \u00a0 ") == "The paper says: yes"
    assert fold_whitespace("\n \t") == ""


def test_compose_applies_left_to_right_and_names_itself():
    transform = compose(TRANSFORMS["fold_whitespace"], TRANSFORMS["nfc"])
    assert transform("e\u0301 \n x") == "é x"
    assert transform.__name__ == "fold_whitespace+nfc"
    assert compose()("as is ") == "as is "


def test_join_hyphenated_lines_joins_only_across_line_ends():
    assert join_hyphenated_lines("secu-\nrity and well-known") == "security and well-known"
    assert join_hyphenated_lines("Japan-\n  U.S.") == "JapanU.S."


@given(tricky_text)
def test_folded_offsets_point_at_the_same_characters_in_the_original(text):
    folded = FoldedText.of(text)
    assert folded.text == fold_whitespace(text)
    for offset, char in enumerate(folded.text):
        original = folded.to_original(offset)
        if char == " ":
            assert text[original].isspace()
            assert original == 0 or not text[original - 1].isspace()
        else:
            assert text[original] == char
    if folded.text:
        assert folded.to_original(len(folded.text)) == len(text.rstrip())


def test_char_units_are_grapheme_clusters_in_nfc_with_original_spans():
    text = "  cafe\u0301\n\nau lait"
    units = char_units(text)
    assert list(units.keys) == list("café au lait")
    assert text[units.start(3) : units.end(3)] == "e\u0301"
    assert text[units.start(4) : units.end(4)] == "\n\n"  # the folded space covers the whole run
    assert units.boundary(0) == 2
    assert units.boundary(len(units)) == len(text)


@given(tricky_text)
def test_char_units_match_clusters_of_the_nfc_folded_text(text):
    import regex

    expected = regex.findall(r"\X", nfc(fold_whitespace(text)))
    assert list(char_units(text).keys) == expected


def test_a_linker_with_no_consonant_before_it_does_not_join_the_next_consonant():
    # UAX #29 GB9c joins consonant + virama + consonant ("क्ष"), not vowel sign + virama + consonant.
    assert grapheme_clusters("\u0915\u094d\u0937") == ["\u0915\u094d\u0937"]
    assert grapheme_clusters("\u093f\u094d\u0930 e\u094d\u0937") == ["\u093f\u094d", "\u0930", " ", "e\u094d", "\u0937"]


INDIC_AND_EMOJI = [
    *"ae \n", "\u0301", "\u200d", "\U0001F468", "\U0001F1FA", "\U0001F1F8", "\u1100", "\u1161", "\u11a8",
    "\u0915", "\u094d", "\u0937", "\u0930", "\u093f", "\u0903", "\u09cd", "\u0995", "\u0d4d", "\u0d15",
    "\u0e01", "\u0e33", "\ufe0f", "\U0001F3FD", "\u0600", "\u00ad", "\u034f",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(INDIC_AND_EMOJI), max_size=14).map("".join))
def test_char_units_are_unisegs_clusters_of_the_nfc_folded_text(text):
    reference = pytest.importorskip("uniseg.graphemecluster", reason="uniseg not installed")
    assert list(char_units(text).keys) == list(reference.grapheme_clusters(nfc(fold_whitespace(text))))


def test_words_follow_dinglehopper_on_numbers_apostrophes_and_hyphens():
    assert words("55,000 men don't know the well-known U.S. policy -- 3.5%") == [
        "55,000", "men", "don't", "know", "the", "well", "known", "U.S", "policy", "3.5",
    ]


@settings(max_examples=300, deadline=None)
@given(tricky_text)
def test_words_are_dinglehoppers_words(text):
    reference = pytest.importorskip("dinglehopper.word_error_rate", reason="dinglehopper not installed")
    assert words(text) == list(reference.words_normalized(fold_whitespace(text)))


ASCII = [*"aZ09_ :.',;-!\"()$%&*+/<=>?@[\\]^`{|}~\t\n", "\x1f", "\x00"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(ASCII), max_size=16).map("".join))
def test_ascii_words_are_dinglehoppers_words(text):
    # ASCII text takes a faster path (one regular expression) than the rest.
    reference = pytest.importorskip("dinglehopper.word_error_rate", reason="dinglehopper not installed")
    assert words(text) == list(reference.words_normalized(fold_whitespace(text)))


def test_word_units_span_the_words_in_the_original_text():
    text = "The\nsecurity  treaty,\n(1960)"
    units = word_units(text)
    assert [text[units.start(i) : units.end(i)] for i in range(len(units))] == ["The", "security", "treaty", "1960"]


def test_token_units_keep_punctuation_and_nfc():
    text = " Japan,\n e\u0301te\u0301  "
    units = token_units(text)
    assert list(units.keys) == ["Japan,", "été"]
    assert text[units.start(1) : units.end(1)] == "e\u0301te\u0301"
    assert token_units(" \n ").keys == ()


def test_nfc_composes():
    assert nfc("e\u0301") == "é" == unicodedata.normalize("NFC", "é")


# --- comparison options -------------------------------------------------------------------------

CHARACTER_OPTIONS = [
    ComparisonOptions(case_insensitive=True),
    ComparisonOptions(remove_accents=True),
    ComparisonOptions(ignore_punctuation=True),
    ComparisonOptions(fold_equivalents=True),
    ComparisonOptions(
        case_insensitive=True,
        remove_accents=True,
        ignore_punctuation=True,
        fold_equivalents=True,
        fold_whitespace=False,
    ),
]


def keys(text: str, options: ComparisonOptions) -> list[str]:
    return list(char_units(text, options=options).keys)


def test_default_options_are_todays_definitions_and_frozen():
    assert ComparisonOptions() == DEFAULT
    assert DEFAULT.as_dict() == {
        "fold_whitespace": True,
        "case_insensitive": False,
        "remove_accents": False,
        "ignore_punctuation": False,
        "fold_equivalents": False,
        "no_gold_char": None,
        "private_use_letters": False,
    }
    with pytest.raises(FrozenInstanceError):
        DEFAULT.case_insensitive = True  # type: ignore[misc]
    with pytest.raises(TypeError):
        ComparisonOptions(False)  # type: ignore[misc]  # keyword fields only


def test_options_have_a_label_and_a_stable_version():
    assert DEFAULT.label() == "whitespace folded"
    assert ComparisonOptions(case_insensitive=True).label() == "whitespace folded; case-insensitive"
    assert DINGLEHOPPER.label() == "whitespace counted; private-use characters are letters"
    assert DEFAULT.version == "1:fold_whitespace"
    assert ComparisonOptions(no_gold_char="#", fold_whitespace=False).version == "1:no_gold_char=U+0023"
    assert replace(DEFAULT, case_insensitive=True).version == ComparisonOptions(case_insensitive=True).version


@pytest.mark.parametrize("char", ["", "##", "a", "7", " ", "\ue000", "\u2014"])
def test_no_gold_char_must_be_one_non_word_character_no_option_changes(char):
    with pytest.raises(ValueError, match="no_gold_char"):
        ComparisonOptions(no_gold_char=char)


def test_whitespace_is_counted_as_it_is_without_folding():
    options = ComparisonOptions(fold_whitespace=False)
    assert keys(" a  b\r\n", options) == [" ", "a", " ", " ", "b", "\r\n"]
    units = char_units("x\r\ny", options=options)
    assert [(units.start(i), units.end(i)) for i in range(len(units))] == [(0, 1), (1, 3), (3, 4)]


def test_case_insensitive_lowers_every_letter_and_keeps_spans():
    options = ComparisonOptions(case_insensitive=True)
    assert "".join(keys("The PAPER, İ", options)) == "the paper, i\u0307"
    units = char_units("  ÉCOLE", options=options)
    assert units.keys[0] == "é" and (units.start(0), units.end(0)) == (2, 3)


def test_remove_accents_drops_combining_marks_only():
    options = ComparisonOptions(remove_accents=True)
    assert "".join(keys("Café naïve e\u0301 ø ß", options)) == "Cafe naive e ø ß"


def test_ignore_punctuation_removes_it_and_folds_the_spaces_left():
    options = ComparisonOptions(ignore_punctuation=True)
    assert "".join(keys("Japan , the “U.S.” don't", options)) == "Japan the US dont"
    assert words("well-known U.S.", options=options) == ["wellknown", "US"]
    units = char_units("a, b", options=options)
    assert [(units.start(i), units.end(i)) for i in range(len(units))] == [(0, 1), (2, 3), (3, 4)]


def test_fold_equivalents_is_dinglehoppers_normalisation():
    options = ComparisonOptions(fold_equivalents=True)
    assert "".join(keys("ﬁnd ſt \u2014 ’s a\u0364 ==", options)) == "find \u017ft \u2013 's ä \u2013"
    units = char_units("ﬁx", options=options)
    # both letters of the ligature point to the ligature
    assert tuple(units.keys[:2]) == ("f", "i") and [(units.start(i), units.end(i)) for i in (0, 1)] == [(0, 1), (0, 1)]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from([*TRICKY, *EQUIVALENCES, "o\u0364", "=="]), max_size=30).map("".join))
def test_fold_equivalents_equals_dinglehoppers_substitute_equivalences(text):
    reference = pytest.importorskip("dinglehopper.extracted_text", reason="dinglehopper not installed")
    options = ComparisonOptions(fold_equivalents=True, fold_whitespace=False)
    # Compared in NFC: dinglehopper substitutes after its own normalisation, so a ligature before a combining
    # mark ("ﬁ" + U+0301) comes out decomposed there; the metrics compare NFC text either way.
    assert nfc(comparison_text(text, options=options).text) == nfc(reference.substitute_equivalences(text))


def test_private_use_letters_join_mufi_characters_into_words():
    text = "de\ueba6elben Amtm\ue42cnnin ver\u2e17"
    assert words(text) == ["de", "\ueba6", "elben", "Amtm", "\ue42c", "nnin", "ver"]
    assert words(text, options=DINGLEHOPPER) == ["de\ueba6elben", "Amtm\ue42cnnin", "ver"]
    assert words("plain text, no MUFI", options=DINGLEHOPPER) == words("plain text, no MUFI")


def test_no_gold_runs_are_units_of_their_own():
    options = ComparisonOptions(no_gold_char="#")
    chars = char_units("ab##cd", options=options)
    assert chars.no_gold == {2, 3}
    units = word_units("Tokyo ### Japan#", options=options)
    assert units.keys == ("Tokyo", "###", "Japan", "#") and units.no_gold == {1, 3}
    assert words("Tokyo ### Japan#", options=options) == ["Tokyo", "Japan"]
    assert token_units("a ## b#", options=options).no_gold == {1}


@settings(max_examples=80, deadline=None)
@given(tricky_text, st.sampled_from(CHARACTER_OPTIONS))
def test_character_options_keep_spans_inside_the_original(text, options):
    for units in (char_units(text, options=options), word_units(text, options=options)):
        previous_end = 0
        for i in range(len(units)):
            start, end = units.start(i), units.end(i)
            assert previous_end <= start <= end <= len(text)
            previous_end = start
        assert units.options == options


@settings(max_examples=80, deadline=None)
@given(tricky_text)
def test_the_mapped_route_equals_the_folded_route_when_nothing_changes(text):
    # a character option that changes nothing here gives the defaults' units and spans
    lowered = text.lower()
    default, mapped = char_units(lowered), char_units(lowered, options=ComparisonOptions(case_insensitive=True))
    assert list(mapped.keys) == list(default.keys)
    assert [mapped.span(i, i + 1) for i in range(len(mapped))] == [default.span(i, i + 1) for i in range(len(default))]
    assert isinstance(comparison_text(lowered, options=mapped.options), MappedText)


# Non-ASCII characters of every word-break class the ASCII route stands in for (letters, digits, the
# characters that join them, symbols and dashes) and of classes it does not (marks, ZWJ, Hebrew, ideographs,
# katakana, a letter-like symbol), beside the ASCII ones whose rules they share.
STAND_IN_MIX = [
    *"aZ09_ .:,;'\"-#", "é", "Ω", "ß", "\u02c2", "٣", "\u0966", "’", "‘", "\u2024", "·", "\u0387", "\u037e",
    "\u066c", "—", "€", "®", "¥", "«", "\u00a0", "\u0301", "\u200d", "\u05d0", "日", "ア", "\u00ad", "\ufe50",
    "\u202f", "\u2060", "😀", "\ue000", "\u212b", "\r", "\u1100", "\u0e33",
]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(STAND_IN_MIX), max_size=24).map("".join), st.booleans())
def test_the_ascii_stand_in_route_finds_the_words_and_clusters_of_the_general_route(text, mufi):
    from workbench import normalize

    options = replace(DEFAULT, private_use_letters=mufi)
    folded = comparison_text(text, options=options)
    body = folded.text
    shadow = normalize._PRIVATE_USE.sub("a", body) if mufi else body
    units = word_units(text, options=options)
    expected = normalize._word_pieces(body, shadow)
    assert list(zip(units.starts, units.ends, strict=True)) == expected
    assert list(units.keys) == [nfc(body[start:end]) for start, end in expected]
    chars = char_units(text, options=options)
    assert list(chars.keys) == [nfc(c) for c in grapheme_clusters(body)]
