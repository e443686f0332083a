"""Rules learnt on real OCR (the corpus bench's dev halves): old spellings and other forms of known words,
misreadings the engine repeats, text imported without confidences, numbers and typed punctuation.

Every snippet is written for these tests in the styles of the material (an early-modern English tale,
a 17th-century French treatise, a 19th-century play list, a newspaper column, a shop receipt); none is
copied from it.
"""

from __future__ import annotations

import pytest

from tests.flags.helpers import ocr_page
from workbench.flags import heuristic_flags
from workbench.flags.config import config_for
from workbench.flags.garbage import garbage_reason
from workbench.flags.letters import letter_score
from workbench.flags.lexicon import Lexicon
from workbench.models import FlagCategory, OcrPage

TALE = [
    "Then the miller tooke his staffe and went forth to seeke his sonne, for hee",
    "would not keepe the house alone, and the night was darke and the way was farre.",
]
TRAITE = [
    "Nous ne sçavons si vous auez leu le liure qu'il nous enuoya, mais nous pensons qu'il",
    "pouuoit bien dire qu'il connoissoit les raisons de ces choses auec la plus grande clarté.",
]


def plain_page(text: str) -> OcrPage:
    """A page of text imported without boxes or confidences (as the text pairs are)."""
    return OcrPage(document="doc", number=1, text=text)


def flagged(page: OcrPage, language: str) -> list[tuple[str, FlagCategory]]:
    return [(f.text, f.category) for f in heuristic_flags([page], language=language)]


@pytest.mark.parametrize(
    ("language", "old", "modern"),
    [
        ("en", "keepe", "keep"),
        ("en", "himselfe", "himself"),
        ("en", "dayes", "days"),
        ("en", "haue", "have"),
        ("en", "vnto", "unto"),
        ("en", "hee", "he"),
        ("en", "doe", "do"),
        ("en", "heere", "here"),
        ("en", "onely", "only"),
        ("en", "entred", "entered"),
        ("en", "countrey", "country"),
        ("en", "musicke", "music"),
        ("en", "imbraced", "embraced"),
        ("en", "enioy", "enjoy"),
        ("en", "counsaile", "counsel"),
        ("en", "aboade", "abode"),
        ("en", "perswaded", "persuaded"),
        ("en", "theeves", "thieves"),
        ("en", "feeldes", "fields"),
        ("en", "mony", "money"),
        ("en", "kepe", "keep"),
        ("en", "seaven", "seven"),
        ("en", "knowest", "know"),
        ("en", "goeth", "go"),
        ("en", "fetcht", "fetched"),
        ("en", "bloud", "blood"),
        ("en", "hoast", "host"),
        ("fr", "auec", "avec"),
        ("fr", "pouvoit", "pouvait"),
        ("fr", "iamais", "jamais"),
        ("fr", "pourquoy", "pourquoi"),
    ],
)
def test_an_old_spelling_is_a_variant_of_the_modern_word(language, old, modern):
    assert Lexicon.for_texts([""], language=language).variant_of(old) == modern


@pytest.mark.parametrize("word", ["mest", "beth", "woud", "coud"])
def test_a_common_misreading_is_no_old_spelling(word):
    # "-est" and "-eth" end a verb of two letters or more ("goeth"): "mest" is no "me"; "oud" is "ood" only
    # in "bloud", "floud": "woud" is "would" misread, no "wood"
    assert Lexicon.for_texts([""], language="en").variant_of(word) is None


@pytest.mark.parametrize(("language", "word"), [("fr", "redoublait"), ("fr", "remplirent"), ("en", "fortuned")])
def test_another_inflection_of_a_common_word_is_a_variant(language, word):
    assert Lexicon.for_texts([""], language=language).variant_of(word) is not None


@pytest.mark.parametrize(
    ("language", "word"),
    [("en", "thoy"), ("en", "lespectlvly"), ("en", "tbe"), ("en", "sbee"), ("fr", "fanté"), ("de", "Xqzt")],
)
def test_a_misreading_is_no_variant(language, word):
    assert Lexicon.for_texts([""], language=language).variant_of(word) is None


def test_old_spellings_read_without_doubt_are_not_flagged():
    assert not [text for text, category in flagged(ocr_page("\n".join(TALE)), "en") if category.value == "misread_word"]
    assert not [
        text for text, category in flagged(ocr_page("\n".join(TRAITE)), "fr") if category.value == "misread_word"
    ]


def test_an_old_spelling_the_engine_doubted_is_still_flagged():
    page = ocr_page("\n".join(TALE), conf={"keepe": 40.0})
    assert ("keepe", FlagCategory.MISREAD_WORD) in flagged(page, "en")


def test_a_misreading_the_engine_repeats_is_still_flagged():
    column = "\n".join(
        [
            "The Council met on Monday and tho Mayor said that tho roads of the town",
            "were in a bad state, and that tho work should be begun before the winter.",
        ]
    )
    flags = heuristic_flags([ocr_page(column)], language="en")
    assert Lexicon.for_pages([ocr_page(column)]).settled("tho")
    assert [(f.text, f.suggestions[0]) for f in flags if f.text == "tho"] == [("tho", "the")] * 3


def test_text_without_confidences_flags_unknown_words_that_are_no_names():
    column = "The steamer arrived yesterday with a cargo of wheat and the passengers lespectlvly landed."
    assert ("lespectlvly", FlagCategory.MISREAD_WORD) in flagged(plain_page(column), "en")
    # with a confidence the engine was sure of, an unknown word without a correction is left alone
    assert ("lespectlvly", FlagCategory.MISREAD_WORD) not in flagged(ocr_page(column), "en")


OLD_TALE = [
    "Then the old miller tooke his staff and went forth into the wood to seeke his sonne, for he",
    "would not stay in the house alone, and the night was cold and the way was long and hard.",
    "When he came to the river he called out, and his son answered him from the other side.",
    "Come over to me, said the miller, for thou shalt not stay there when the day is done,",
    "nor shalt thou sleep in the wood, for the wolves are abroad and the fire is out at home.",
]


def test_an_old_book_read_cleanly_keeps_its_real_words_one_slip_from_commoner_ones():
    page = plain_page("\n".join(OLD_TALE))
    lexicon = Lexicon.for_pages([page], language="en")
    config = lexicon.config
    assert lexicon.variant_share() >= config.old_book_variant_share
    assert lexicon.unknown_share() <= config.old_book_max_unknown
    assert flagged(page, "en") == []  # "shalt", "nor": the book's own words
    # the same words in a text that writes no old spellings are doubted as slips of "shall", "for"
    modern = plain_page("\n".join(OLD_TALE).replace("tooke", "took").replace("seeke", "seek").replace("sonne", "son"))
    assert {"shalt", "nor"} <= {text for text, _ in flagged(modern, "en")}


def test_an_old_book_read_cleanly_runs_a_sentence_on_into_a_capital():
    # Old printers run one sentence into the next without a stop ("in the wood Then"): their text, not a lost
    # stop; in a modern text the same is flagged.
    run_on = [line.replace("alone, and the night", "alone Then the night") for line in OLD_TALE]
    assert not [text for text, category in flagged(plain_page("\n".join(run_on)), "en")
                if category is FlagCategory.CASE_OR_PUNCTUATION]
    modern = "\n".join(run_on).replace("tooke", "took").replace("seeke", "seek").replace("sonne", "son")
    assert ("alone Then", FlagCategory.CASE_OR_PUNCTUATION) in flagged(plain_page(modern), "en")


def test_text_without_confidences_leaves_a_rare_word_spelt_like_the_language():
    # a real word the French list lacks, its letters running as French words do, is left; a garble is not
    play = "Le valet se cache derrière la porte et je m'embusquerais volontiers avec lui, dit la comtesse."
    assert not [text for text, _ in flagged(plain_page(play), "fr") if "embusquerais" in text]
    garbled = play.replace("m'embusquerais", "m'ernbnsqnerajs")
    assert [text for text, _ in flagged(plain_page(garbled), "fr") if "ernbnsqnerajs" in text]
    # an engine's doubt still flags the rare word
    doubted = ocr_page(play, conf={"m'embusquerais": 40.0})
    assert "m'embusquerais" in [f.text for f in heuristic_flags([doubted], language="fr")]


def test_text_without_confidences_leaves_names_inside_sentences():
    column = "The steamer arrived yesterday from Wollongbar with a cargo of wheat for the merchants."
    assert not [text for text, _ in flagged(plain_page(column), "en") if "Wollongbar" in text]


def test_text_without_confidences_flags_a_capitalised_word_not_spelt_like_the_language():
    column = "The steamer arrived yesterday from Bcllnmgar with a cargo of wheat for the merchants."
    assert ("Bcllnmgar", FlagCategory.MISREAD_WORD) in flagged(plain_page(column), "en")
    # an engine that vouched for the reading makes it a name, however it is spelt
    assert not [text for text, _ in flagged(ocr_page(column), "en") if "Bcllnmgar" in text]


@pytest.mark.parametrize(
    ("language", "name", "garbled"), [("en", "Tumbarella", "Bcllnmgar"), ("de", "Bergheim", "Bcrgbcim")]
)
def test_a_name_spells_like_its_language_and_a_garbled_word_does_not(language, name, garbled):
    assert letter_score(name, language) > config_for(language).name_letter_score > letter_score(garbled, language)


def test_no_letter_score_without_a_word_list_or_for_a_word_with_other_characters():
    assert letter_score("Bcllnmgar", "xx") is None  # no word list for the language
    assert letter_score("Smith's", "en") is None


@pytest.mark.parametrize(("language", "word"), [("en", "husbandman"), ("en", "wallowed"), ("fr", "assaisonnées")])
def test_a_long_word_the_word_list_holds_is_real_however_rare(language, word):
    lexicon = Lexicon.for_texts([""], language=language)
    assert lexicon.zipf(word) < lexicon.config.known_zipf and lexicon.is_known(word)
    # one letter off, no list holds it: still unknown
    assert not lexicon.is_known(word[:3] + word[4:])


def test_a_stop_after_a_word_that_may_end_a_clause_is_no_slip():
    tale = "He would have embraced her, but she got from him, and he locked himselfe in, and stayed."
    assert not [
        text for text, category in flagged(plain_page(tale), "en") if category is FlagCategory.CASE_OR_PUNCTUATION
    ]
    # an article never ends one
    assert ("the,", FlagCategory.CASE_OR_PUNCTUATION) in flagged(plain_page("He went into the, house at night."), "en")


def test_a_lone_digit_counting_the_next_word_is_a_number():
    playbill = "LE MARCHAND, comédie en 3 actes. LA FILLE DU MEUNIER, drame en 5 actes et un prologue."
    assert not [text for text, category in flagged(plain_page(playbill), "fr") if category is FlagCategory.STRAY_CHAR]


def test_a_lone_digit_before_a_month_or_after_an_abbreviation_the_page_repeats_is_a_number():
    chronicle = "Il fut élu le 3 septembre de cette année. Il mourut le 7 octobre, et on l'enterra le 9 mai."
    assert not [text for text, category in flagged(plain_page(chronicle), "fr") if category is FlagCategory.STRAY_CHAR]
    letter = "The council met on 3 September and again on 7 October, as the minutes of the year record."
    assert not [text for text, category in flagged(plain_page(letter), "en") if category is FlagCategory.STRAY_CHAR]
    playbill = "LA MARQUISE, vaud. 2 actes. LE NOTAIRE, vaud. 1 acte. LA NUIT, vaud. 3 actes et un prologue."
    assert not [text for text, category in flagged(plain_page(playbill), "fr") if category is FlagCategory.STRAY_CHAR]
    # after a full stop that is no abbreviation of the page, a lone digit opening a sentence stays suspect
    ended = "Le roi partit pour la guerre. 2 actes de la campagne furent perdus pour sa ville natale."
    assert ("2", FlagCategory.STRAY_CHAR) in flagged(plain_page(ended), "fr")
    # an English month is capitalised: "1 may" is a misread "I may"
    slip = "The clerk wrote that 1 may come to the office when the minister has read the letter."
    assert ("1", FlagCategory.STRAY_CHAR) in flagged(plain_page(slip), "en")


def test_a_lone_digit_between_function_words_is_still_a_speck():
    line = "il ne voyait pas d'autre issue 4 la situation pénible dans laquelle il se trouvait alors."
    assert ("4", FlagCategory.STRAY_CHAR) in flagged(plain_page(line), "fr")


def test_an_ellipsis_is_typed_punctuation():
    contents = "Chapter the first, of the voyage out ... 12\nChapter the second, of the return home .... 31"
    assert not [text for text, category in flagged(plain_page(contents), "en") if category is FlagCategory.STRAY_CHAR]
    # ... and so is one ending a word, where two dots are a doubled stop
    trailing = "He said that he would come back... and then he left the house.. for good."
    assert [text for text, _ in flagged(plain_page(trailing), "en")] == ["house.."]
    # unless the engine doubted the reading: dots of dirt after the word
    doubted = ocr_page(trailing, conf={"back...": 20.0})
    assert "back..." in [f.text for f in heuristic_flags([doubted], language="en")]


@pytest.mark.parametrize("token", ["250g", "0.78KG", "12h30", "5cm", "1.80€/kg"])
def test_a_quantity_with_its_unit_is_no_garbage(token):
    assert garbage_reason(token) is None


@pytest.mark.parametrize("token", ["tbe1", "l0O", "55,O00"])
def test_letters_inside_numbers_are_still_garbage(token):
    assert garbage_reason(token) == "letters and digits"


@pytest.mark.parametrize(
    ("token", "reason"),
    [("XXX", None), ("XXXV.", None), ("xviii", None), ("MDCCCXII", None), ("XXXX", "repeats"), ("Xiii", "repeats")],
)
def test_a_roman_numeral_may_repeat_a_letter_as_numerals_do_and_no_more(token, reason):
    assert garbage_reason(token) == reason


def test_a_lowercase_word_running_into_a_sentence_opener_lost_its_stop():
    column = "The cart overturned near the mill and the driver was hurt\nHe was taken to the hospital at once."
    flags = [f for f in heuristic_flags([plain_page(column)], language="en") if "hurt" in f.text]
    assert [(f.text, f.category, f.suggestions[0]) for f in flags] == [
        ("hurt\nHe", FlagCategory.CASE_OR_PUNCTUATION, "hurt.\nHe")
    ]


def test_a_misread_capital_inside_a_sentence_is_flagged_with_its_neighbour():
    flags = heuristic_flags([plain_page("The old man sits In his chair by the fire every evening.")], language="en")
    assert [(f.text, f.suggestions[1]) for f in flags if "In" in f.text] == [("sits In", "sits in")]


def test_a_capitalised_word_after_a_function_word_or_in_german_is_no_lost_stop():
    english = "The ship sailed for New York with a cargo of wool and the mail for the colony."
    assert not [f for f in heuristic_flags([plain_page(english)], language="en") if "New" in f.text]
    german = "Der Wagen fuhr langsam durch die Stadt und Die Leute sahen ihm lange nach."
    assert not [f for f in heuristic_flags([plain_page(german)], language="de") if "Die" in f.text]


def test_codes_and_measures_of_letters_and_figures_are_not_misread_words():
    receipt = plain_page(
        "MAGASIN 4 ouvert de 8H30 a 20h00 REF C005 CAISSE T0025 PAIN 400GR 1,20 CP100 2,95 LAIT 250G 0,89"
        " POMMES 0.435kg x 1.80€/kg 0,78 JUS 1,5L 2,10"
    )
    assert not [text for text, category in flagged(receipt, "fr") if category is FlagCategory.MISREAD_WORD]
    # A letter among figures that looks like one, a figure among letters, a word run into a number: misread.
    slips = plain_page("Le bureau ouvrit en l974 avec 1O5 agents et w1th 8300Fuß de Z64 cartons A1O25.")
    misread = {text for text, category in flagged(slips, "fr") if category is FlagCategory.MISREAD_WORD}
    assert {"l974", "1O5", "w1th", "8300Fuß", "Z64", "A1O25."} <= misread


def test_shillings_are_no_misread_words_on_a_page_of_prices_in_pounds():
    advert = plain_page("A handbook of colour, 8vo. cloth, pub. at £1. 8s 9s; in a stiff cover, 2s 6d, or 5s bound.")
    flagged_words = {text for text, category in flagged(advert, "en") if category is FlagCategory.MISREAD_WORD}
    assert not flagged_words & {"8s", "9s;", "2s", "5s"}
    # Without pounds on the page a figure before an "s" may be a misread word ("6s" for "is").
    letter = plain_page("The treaty 6s still in force and the minister said so in the letter of the week.")
    assert ("6s", FlagCategory.MISREAD_WORD) in flagged(letter, "en")


def test_a_known_word_with_its_ending_written_as_optional_is_no_misread_word():
    receipt = plain_page("CAISSE 2 BONJOUR 6 ARTICLE(S) TOTAL A PAYER 13,30 vous avez 3 vignette(s) et ami(e)s")
    assert not [text for text, category in flagged(receipt, "fr") if category is FlagCategory.MISREAD_WORD]
    garbled = plain_page("CAISSE 2 BONJOUR 6 ARTIQRLE(S) TOTAL A PAYER 13,30 merci de votre visite")
    assert ("ARTIQRLE(S)", FlagCategory.MISREAD_WORD) in flagged(garbled, "fr")
