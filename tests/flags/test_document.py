"""Flags of a stored document: the manifest's language picks the flagger's lexicon (workbench.flags.document).

The letter is written for this test in the style of a French administrative typescript; it is not copied.
"""

from __future__ import annotations

import pytest

from workbench.corpus import add_document
from workbench.flags.document import flag_document

LETTRE = (
    "Monsieur le Préfet, j'ai l'honneur de vous faire connaître que les travaux\n"
    "de réfection du pont communal seront achevés avant la fin du mois prochain,\n"
    "conformément aux engagements pris par l'entreprise lors de la dernière séance.\n"
)


@pytest.fixture
def french_letter(tmp_collection, tmp_path):
    def add(doc_id: str, lang: str):
        source = tmp_path / f"{doc_id}.txt"
        source.write_text(LETTRE, encoding="utf-8")
        add_document(tmp_collection, doc_id, title="Lettre", ocr=[source], lang=lang)
        return tmp_collection.document(doc_id)

    return add


def test_the_manifest_language_picks_the_lexicon(tmp_collection, french_letter):
    flags = flag_document(tmp_collection, french_letter("lettre", "fra"), use_gold=False)
    assert [f.text for f in flags] == []


def test_a_document_without_language_is_read_as_english(tmp_collection, french_letter):
    flags = flag_document(tmp_collection, french_letter("lettre-sans-langue", ""), use_gold=False)
    assert any(f.text.startswith(("réfection", "achevés", "conformément")) for f in flags)
