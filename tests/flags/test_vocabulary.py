"""The flagger learns the document before it judges it: its own frequent words and repeated names are real.

Snippets written for these tests, in the style of 19th-century English monographs and newspaper OCR.
"""

from __future__ import annotations

from tests.flags.helpers import ocr_page
from workbench.flags import heuristic_flags
from workbench.flags.lexicon import Lexicon
from workbench.models import OcrPage

CHRONICLE = [
    "The Abbot of Glenrothy rode forth to the shire, and the monks of Glenrothy",
    "followed him to the market cross, where the burgesses awaited the Abbot;",
    "thence to the chapel of Glenrothy, whose bell the townsfolk call the gloamer,",
    "for the gloamer is rung at dusk, and every farm within sound of the gloamer",
    "takes its rest when the gloamer ceases. Such was the custom of Glenrothy.",
]


def misread_texts(pages, language="en"):
    return [f.text for f in heuristic_flags(pages, language=language) if f.category.value == "misread_word"]


def test_a_name_the_document_repeats_is_no_misreading():
    page = ocr_page("\n".join(CHRONICLE))
    assert not any("Glenrothy" in text for text in misread_texts([page]))


def test_a_misreading_of_a_repeated_name_is_still_flagged_with_the_name():
    lines = [*CHRONICLE[:2], CHRONICLE[2].replace("chapel of Glenrothy", "chapel of Glenrcthy"), *CHRONICLE[3:]]
    flags = heuristic_flags([ocr_page("\n".join(lines))], language="en")
    assert [(f.text, f.suggestions[0]) for f in flags if "Glenr" in f.text] == [("Glenrcthy,", "Glenrothy,")]


def test_a_word_frequent_across_the_document_and_well_read_is_real():
    page = ocr_page("\n".join(CHRONICLE))
    assert not any("gloamer" in text for text in misread_texts([page]))


def test_a_frequent_word_the_engine_always_doubted_is_not_settled():
    page = ocr_page("\n".join(CHRONICLE), conf={w: 40.0 for w in ("gloamer,", "gloamer")})
    lexicon = Lexicon.for_pages([page])
    assert lexicon.count("gloamer") >= 3 and not lexicon.settled("gloamer")
    assert any("gloamer" in text for text in misread_texts([page]))


def test_the_vocabulary_is_learnt_across_the_pages_of_a_document():
    first = ocr_page("\n".join(CHRONICLE[:2]), number=1)
    second = ocr_page("\n".join(CHRONICLE[2:]), number=2)
    lexicon = Lexicon.for_pages([first, second])
    assert lexicon.settled("gloamer") and lexicon.repeated_name("Glenrothy")
    assert not misread_texts([first, second])


def test_text_without_confidences_learns_from_repetition_alone():
    page = OcrPage(document="doc", number=1, text="\n".join(CHRONICLE))
    lexicon = Lexicon.for_pages([page])
    assert lexicon.confidence == {} and lexicon.settled("gloamer")
    assert not misread_texts([page])


TALE = [
    "Then said the smith, what wilt thou have of me ? and the boy answered him not.",
    "Why standest thou there ? quoth the smith, and wherefore art thou come hither ?",
    "The boy said, I am sent by my master, and he bade me ask thee for the key.",
]


def stray_texts(pages, language="en"):
    return [f.text for f in heuristic_flags(pages, language=language) if f.category.value == "stray_char"]


def test_a_mark_the_page_sets_off_by_a_space_is_its_typography():
    assert stray_texts([OcrPage(document="doc", number=1, text="\n".join(TALE))]) == []


def test_a_lone_mark_seldom_set_off_is_still_a_speck():
    story = [
        "Then said the smith, what will you have of me? and the boy did not answer him.",
        "Why do you stand there? said the smith, and why have you come here today?",
        "The boy said, I am sent by my master ? and he told me to ask you for the key.",
    ]
    assert stray_texts([OcrPage(document="doc", number=1, text="\n".join(story))]) == ["?"]
    # ... but not in an old book read cleanly, whose printer set off "?" however seldom the page asks
    lines = [TALE[0].replace(" ?", "?"), TALE[1].replace(" ?", "?"), TALE[2].replace("master,", "master ?")]
    page = OcrPage(document="doc", number=1, text="\n".join(lines))
    assert Lexicon.for_pages([page]).old_book_read_cleanly() and stray_texts([page]) == []


RECEIPT = (
    "BOULANGERIE DU MARCHE TICKET 0412 PAIN DE CAMPAGNE 2 x 1,20 € 2,40 € CROISSANT BEURRE 3 x 0,95 € "
    "2,85 € TARTE POMMES 1 x 4,10 € 4,10 € BAGUETTE 2 x 1,05 € 2,10 € TOTAL 11,45 € ESPECES 20,00 €"
)


def test_a_receipt_reads_its_own_currency_signs_set_apart():
    page = OcrPage(document="doc", number=1, text=RECEIPT)
    assert "€" not in stray_texts([page], language="fr")


def test_a_currency_sign_seldom_set_apart_is_still_a_speck():
    text = RECEIPT.replace(" €", "€").replace("TOTAL 11,45€", "TOTAL 11,45 €")
    assert "€" in stray_texts([OcrPage(document="doc", number=1, text=text)], language="fr")


def merged_texts(text, language="en"):
    flags = heuristic_flags([OcrPage(document="doc", number=1, text=text)], language=language)
    return [f.text for f in flags if f.category.value == "merged_words"]


def test_a_long_word_the_list_holds_is_not_two_words_run_together():
    text = "The workmen came at dawn, whereof the master was glad, and laid the stones thereon inthe yard."
    assert merged_texts(text) == ["inthe"]


def test_a_language_that_closes_its_compounds_up_reads_them_as_words():
    text = "Die Regierung hat gestern die neue Brückenwaage und das Stadthaus dem Volk übergeben."
    assert merged_texts(text, language="de") == []


def test_a_real_word_whose_correction_is_its_own_modern_spelling_is_the_books_spelling():
    text = "The master asked what he would have, and hee said that he would goe to the market, for hee was hungry."
    page = OcrPage(document="doc", number=1, text=text)
    assert Lexicon.for_pages([page]).variant_of("hee") == "he"
    assert "hee" not in misread_texts([page])


def test_a_word_written_with_sharp_s_is_the_word_the_list_folds_to_ss():
    text = "Man sagt, daß der große Rath seinen Einfluß auf die Straße nicht verliere, und daß er bleibe."
    page = OcrPage(document="doc", number=1, text=text)
    lexicon = Lexicon.for_pages([page], language="de")
    assert lexicon.zipf("daß") == lexicon.zipf("dass") > 0
    assert lexicon.is_known("Einfluß") and lexicon.count("dass") == 2
    assert not {"daß", "große", "Einfluß", "Straße"} & set(misread_texts([page], language="de"))


def test_a_word_broken_by_frakturs_double_hyphen_is_the_word_joined():
    text = "Nach einer langen Verhand¬lung hat der Rath die Vor¬lage an¬genommen, die Kommission aber nicht."
    page = OcrPage(document="doc", number=1, text=text)
    lexicon = Lexicon.for_pages([page], language="de")
    assert lexicon.is_known("Verhand¬lung") and lexicon.is_known("an¬genommen,")
    assert not lexicon.is_known("Verhand¬luug")
    assert not {"Verhand¬lung", "Vor¬lage", "an¬genommen,"} & set(misread_texts([page], language="de"))


def test_an_old_spelling_is_the_books_only_in_a_document_that_writes_old_spellings():
    old_book = "Hee said he would keepe the horse and goe home, for the sonne was low and the waye was long."
    modern = (
        "The committee agreed that the office would keepe its records in the main building, and the "
        "members asked the secretary to report on the budget, the staff and the new premises next month.\n"
        "After a short debate the chairman thanked the treasurer for her careful accounts and noted that "
        "the annual dinner would be held in the spring, when the garden of the old house is at its best.\n"
        "The meeting closed with a vote of thanks to the volunteers who had painted the hall and repaired "
        "the roof during the long winter, and the members went home through the rain in good spirits."
    )
    assert "keepe" not in misread_texts([ocr_page(old_book)])
    assert Lexicon.for_pages([ocr_page(modern)]).variant_share() < 0.015
    assert "keepe" in misread_texts([ocr_page(modern)])
