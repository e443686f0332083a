"""The document's language drives the no-gold flagger: lexicon, hyphenation, thresholds, language-free rules.

The snippets are written for these tests in the styles of the real material (French typescripts of the
early 20th century, German archival letters of 1938-45, Czech refugee letters); none is copied.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.flags.helpers import ocr_page
from workbench.flags import heuristic_flags
from workbench.flags.config import ENGLISH, FRENCH, GERMAN, LANGUAGE_FREE, config_for
from workbench.flags.language import iso_code, language, tesseract_code
from workbench.flags.lexicon import Lexicon, general_frequencies
from workbench.models import FlagCategory

FRENCH_LINES = [
    "Monsieur le Directeur, j'ai l'honneur de vous adresser ci-joint le rapport",
    "demandé par votre lettre du 12 mars, concernant les travaux de la commission",
    "et les dépenses engagées pendant le premier trimestre de l'année courante.",
]
GERMAN_LINES = [
    "Sehr geehrter Herr Direktor, wir bestätigen den Eingang Ihres Schreibens vom",
    "3. Mai und teilen Ihnen mit, dass die Flüchtlingsfrage in der nächsten Sitzung",
    "des Ausschusses besprochen werden soll. Mit vorzüglicher Hochachtung",
]
CZECH_LINES = [
    "Vážený pane řediteli, dovoluji si Vás zdvořile požádat o laskavé vyřízení",
    "mé žádosti o vízum pro mne a mou rodinu, neboť naše situace je velmi vážná.",
]


def flag_texts(lines, language, **kwargs):
    return [(f.text, f.category) for f in heuristic_flags([ocr_page("\n".join(lines), **kwargs)], language=language)]


@pytest.mark.parametrize(
    ("code", "iso", "tess"),
    [("eng", "en", "eng"), ("fr", "fr", "fra"), ("fra", "fr", "fra"), ("deu+eng", "de", "deu"), ("", "en", "eng")],
)
def test_language_codes_map_between_iso_and_tesseract(code, iso, tess):
    assert (iso_code(code), tesseract_code(code)) == (iso, tess)


def test_an_unknown_language_code_is_kept_as_given():
    assert language("xyz") == language("XYZ")
    assert iso_code("xyz") == tesseract_code("xyz") == "xyz"


def test_each_language_has_its_record_and_the_rest_the_language_free_one():
    assert config_for("eng") is ENGLISH and config_for("fra") is FRENCH and config_for("de") is GERMAN
    assert not config_for("xyz").lexicon and config_for("xyz").language == "xyz"
    assert config_for("ces").lexicon and not config_for("ces").one_letter_words  # wordfreq has Czech words
    assert LANGUAGE_FREE.stamp_vocabulary == "" and not LANGUAGE_FREE.scannos


def test_french_text_is_read_with_the_french_lexicon():
    # English-blind words of a French letter: accents, elisions, a hyphenated form
    assert flag_texts(FRENCH_LINES, "fra") == []
    english = flag_texts(FRENCH_LINES, "eng")
    assert len(english) >= 3  # the English lexicon takes French for misreadings


def test_a_french_misreading_gets_a_french_suggestion():
    lines = [FRENCH_LINES[0], FRENCH_LINES[1].replace("commission", "cornmission"), FRENCH_LINES[2]]
    flags = heuristic_flags([ocr_page("\n".join(lines))], language="fr")
    assert [(f.text, f.category, f.suggestions[0]) for f in flags] == [
        ("cornmission", FlagCategory.MISREAD_WORD, "commission")
    ]


def test_german_compounds_and_capitalised_nouns_are_no_errors():
    assert flag_texts(GERMAN_LINES, "deu") == []


def test_a_german_misreading_is_flagged():
    lines = [GERMAN_LINES[0], GERMAN_LINES[1].replace("nächsten", "nächstcn"), GERMAN_LINES[2]]
    flags = heuristic_flags([ocr_page("\n".join(lines))], language="deu")
    assert [(f.text, f.suggestions[0]) for f in flags] == [("nächstcn", "nächsten")]


def german_misreadings(lines: list[str]) -> list[tuple[str, str]]:
    """(text, first suggestion) of the misread-word flags of a German page of `lines`."""
    flags = heuristic_flags([ocr_page("\n".join(lines))], language="deu")
    return [(f.text, f.suggestions[0]) for f in flags if f.category is FlagCategory.MISREAD_WORD]


def test_a_guillemet_glued_to_a_word_is_the_letter_fraktur_ocr_lost():
    lines = [
        "Die Versammlung de» Kantons hat da« Gesetz über die Schulen bereit» beschlossen,",
        "und der Rath sagt: «Das Gesetz gilt» und alle Gemeinden werden es befolgen.",
    ]
    # the quotation's closing mark ("gilt»") is no letter: a mark opened it ("«Das", flagged for its own
    # glued mark, as German sets »...« or „...“)
    assert german_misreadings(lines) == [("de»", "des"), ("da«", "das"), ("bereit»", "bereits")]


def test_a_guillemet_like_the_one_that_opened_the_quotation_closes_nothing():
    lines = [
        "Der Rath sagt: »Das Gesetz gilt für alle« und die Gemeinden befolgen da» Gesetz",
        "seit dem Frühjahr, »wie e» der Rath will« und wie es die Bürger wünschen.",
    ]
    # »...« is how German sets a quotation: a glued » after an opening » is Fraktur's s, a glued « closes
    assert german_misreadings(lines) == [("da»", "das"), ("e»", "es")]


def test_on_a_page_of_glued_guillemets_an_opening_one_is_no_quotation():
    lines = [
        "Der Rath de» Kanton» hat «inen Antrag wegen de» Gesetze» gestellt und die Versammlung",
        "de» Volke» hat ihn nach langer Berathung angenommen, wie e» der Rath gewollt hatte,",
        "und die Gemeinde» de» Bezirk» haben da» Gesetz au» freiem Willen angenommen.",
    ]
    # "«inen" is Fraktur's e read as a guillemet, not a quotation that the marks after it may close
    glued = [text for text, _ in german_misreadings(lines) if "»" in text]
    assert len(glued) == 12 and "Kanton»" in glued and "Gemeinde»" in glued


def test_a_german_low_quotation_mark_opens_a_quotation_and_only_an_unclosed_one_is_flagged():
    lines = [
        "Der Rath sagt: „Das Gesetz gilt für alle Gemeinden des Kantons.“ Dann fragte er die Versammlung",
        "„Wer stimmt dafür?\" und alle stimmten. Das Wetter war „schlecht“ und die Wege lagen",
        "voll Schnee, „und dann ging er nach Hause zu seiner Familie und sprach kein Wort mehr.",
    ]
    flags = [(f.text, f.suggestions) for f in heuristic_flags([ocr_page("\n".join(lines))], language="deu")]
    # the low mark stays where a closing mark follows; a curly closing mark is straightened, as everywhere
    assert flags == [("Kantons.“", ('Kantons."',)), ("„schlecht“", ('„schlecht"',)), ("„und", ("und",))]
    # A curly opening mark on a typescript is cleaned in either language (the typewriter had none)
    english = "The paper spoke of the “strategic balance” in the Pacific and of the US presence there."
    assert [(f.text, f.suggestions) for f in heuristic_flags([ocr_page(english)], language="eng")] == [
        ("“strategic", ("strategic",)), ("balance”", ('balance"',))
    ]
    # English print opens no quotation with a low mark: there it is a speck
    assert [f.text for f in heuristic_flags([ocr_page("\n".join(lines))], language="eng")
            if f.text.startswith("„Das")] == ["„Das"]


def test_french_quotation_marks_are_no_misread_letters():
    lines = [
        "La commission a rendu son rapport « sur les écoles » et le conseil",
        "a voté la loi, dite «loi Ferry», pour toutes les communes du canton.",
    ]
    assert [text for text, category in flag_texts(lines, "fra") if category is FlagCategory.MISREAD_WORD] == []


def test_a_language_without_resources_never_gets_the_english_lexicon():
    lexicon = Lexicon.for_texts(["whatever"], language="xyz")
    assert lexicon.general == {} and not lexicon.has_words
    assert lexicon.is_known("Vážený") and lexicon.is_known("nwbq")  # word-shaped: nothing to tell it by
    assert general_frequencies("xyz") == {}


def test_language_free_rules_still_find_garbage_specks_and_doubt():
    lines = [
        "Vážený pane řediteli, dovoluji si Vás zdvořile požádat o w@#%e laskavé vyřízení",
        "mé žádosti o vízum ~ pro mne a mou rodinu, neboť naše situace je velmi vážná.",
    ]
    flags = flag_texts(lines, "xyz", conf={"rodinu,": 30.0})
    assert ("w@#%e", FlagCategory.MISREAD_WORD) in flags  # punctuation garbage
    assert ("~", FlagCategory.STRAY_CHAR) in flags
    assert ("rodinu,", FlagCategory.MISREAD_WORD) in flags  # the engine doubted it
    # short Czech words ("o", "si", "je") are no specks when there is no word list to say otherwise
    assert not any(text in {"o", "si", "je", "a"} for text, _ in flags)


def test_czech_with_its_wordfreq_lexicon_keeps_one_letter_prepositions():
    flags = flag_texts(CZECH_LINES, "ces")
    assert not any(text in {"o", "a"} for text, _ in flags)


def test_words_without_vowels_are_garbage_only_where_the_language_says_so():
    lines = ["Sehr geehrter Herr Direktor, wir bestätigen den Eingang xkcdt Ihres Schreibens vom"]
    assert ("xkcdt", FlagCategory.MISREAD_WORD) in flag_texts(lines, "deu")
    czech = ["prst skrz krk, to je staré rčení, které se v naší rodině říká už dlouho"]
    assert not any(text in {"skrz", "prst"} for text, _ in flag_texts(czech, "xyz"))


def test_an_elided_rare_form_is_known_as_its_word_after_the_apostrophe():
    french = Lexicon.for_texts(["x"], language="fr")
    # a long word the list holds, however rare, stays a word behind an elision
    assert french.is_known("enlevai") and french.is_known("j'enlevai")
    # an inflected form behind an elision is a variant of its word, as it is alone
    assert french.variant_of("s'expliquât") == french.variant_of("expliquât") is not None
    assert not french.is_known("j'enlxvqi")


def test_a_word_hyphenated_where_a_line_once_ended_is_known_behind_an_elision_too():
    french = Lexicon.for_texts(["x"], language="fr")
    assert french.is_known("exem-ple") and french.is_known("l'exem-ple") and french.is_known("d'impa-tience")
    assert not french.is_known("l'exem-plx")


def test_a_language_that_closes_its_compounds_knows_them_from_their_parts():
    assert config_for("dan").compounds and config_for("nld").compounds and not config_for("ces").compounds
    danish = Lexicon.for_texts(["x"], language="da")
    assert danish.is_known("Gesandtskabet") and danish.is_known("Anordningsvirksomhed")  # gesandt+skabet, ...
    assert not danish.is_known("Gesandtskxbqt")
    assert not Lexicon.for_texts(["x"], language="cs").is_known("Gesandtskabet")


def test_a_dash_opening_a_reply_is_french_dialogue_not_a_speck():
    play = ["Où allez-vous donc si tôt ce matin?", "-Je suis de service à la gare.", "-Alors je viens avec vous."]
    assert not [text for text, _ in flag_texts(play, "fra") if text.startswith("-")]
    # inside a line, or in a language that writes dialogue otherwise, the glued dash is still flagged
    inside = ["Où allez-vous donc si tôt ce matin? -Je suis de service à la gare."]
    assert "-Je" in [text for text, _ in flag_texts(inside, "fra")]
    english = ["Where are you going so early this morning?", "-The station, where I am on duty today."]
    assert "-The" in [text for text, _ in flag_texts(english, "eng")]


def outputs_under_hash_seeds(probe: str, seeds: tuple[str, ...]) -> list[str]:
    """What the Python code `probe` prints, run afresh under each PYTHONHASHSEED of `seeds`."""
    return [
        subprocess.run(
            [sys.executable, "-c", probe], env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True, text=True,
            check=True,
        ).stdout
        for seed in seeds
    ]


def test_a_words_variant_does_not_hang_on_the_order_of_a_set():
    # the inflections are a set, whose order follows the interpreter's hash seed: the variant found must not
    probe = (
        "from workbench.flags.lexicon import Lexicon; "
        "print(Lexicon.for_texts(['x'], language='de').variant_of('Weitern'))"
    )
    assert {out.strip() for out in outputs_under_hash_seeds(probe, ("1", "2", "3", "4"))} == {"weitem"}


def test_the_flags_of_a_page_do_not_hang_on_the_hash_seed():
    # every rule that walks a set must give the same flags whatever order the set comes in (text without
    # confidences, where the variant and rare-word rules decide)
    probe = (
        "from workbench.models import OcrPage; from workbench.flags import heuristic_flags\n"
        "pages = {'de': 'Der Minister sich dcS Weitern auS-läßt, wie folgt: die Regierung will es nicht.',\n"
        "         'fr': \"Le valet se cache derrière la porte et je m'embusquerais volontiers avec lui.\",\n"
        "         'en': 'The Treaty commits. the US and Japan to recognize an attack against either party.'}\n"
        "for lang, text in pages.items():\n"
        "    page = OcrPage(document='doc', number=1, text=text)\n"
        "    print(lang, [(f.text, f.suggestions) for f in heuristic_flags([page], language=lang)])"
    )
    outputs = set(outputs_under_hash_seeds(probe, ("1", "4")))
    assert len(outputs) == 1
    assert "('auS-läßt,', ('auslässt,',))" in outputs.pop()  # the pages do raise flags
