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


# -- a document's flags are kept in the cache under everything they are made from ------------------------------

MEMO = (
    "MEMORANDUM FOR THE SECRETARY\n"
    "Subject: Tbe Embassy's report on the naval agreement of 1974\n"
    "The Embassy belicves the agreement wi11 be renewed without delay.\n"
)
MEMO_GOLD = MEMO.replace("Tbe", "The").replace("belicves", "believes").replace("wi11", "will")


@pytest.fixture
def memo(tmp_collection, tmp_path):
    ocr, gold = tmp_path / "memo.txt", tmp_path / "memo.gold.txt"
    ocr.write_text(MEMO, encoding="utf-8")
    gold.write_text(MEMO_GOLD, encoding="utf-8")
    add_document(tmp_collection, "memo", title="Memo", ocr=[ocr], gold=[gold], lang="eng")
    return tmp_collection.document("memo")


def _flagger_must_not_run(monkeypatch):
    import workbench.flags.document as document

    def refuse(*args, **kwargs):
        raise AssertionError("flagged again: the cached flags were not used")

    monkeypatch.setattr(document, "heuristic_flags", refuse)
    monkeypatch.setattr(document, "_gold_run", refuse)


@pytest.mark.parametrize("use_gold", [False, True])
def test_unchanged_pages_are_not_flagged_again(tmp_collection, memo, monkeypatch, use_gold):
    first = flag_document(tmp_collection, memo, use_gold=use_gold)
    assert first
    _flagger_must_not_run(monkeypatch)
    assert flag_document(tmp_collection, memo, use_gold=use_gold) == first


@pytest.mark.parametrize("use_gold", [False, True])
def test_a_changed_page_is_flagged_again(tmp_collection, memo, use_gold):
    from dataclasses import replace

    from workbench.ocr.store import load_ocr_page, save_ocr_page

    before = flag_document(tmp_collection, memo, use_gold=use_gold)
    page = load_ocr_page(tmp_collection, "memo", 1)
    save_ocr_page(tmp_collection, replace(page, text=page.text.replace("belicves", "believes"), words=()))
    after = flag_document(tmp_collection, memo, use_gold=use_gold)
    assert "belicves" in {f.text for f in before} and "belicves" not in {f.text for f in after}


def test_a_changed_gold_is_flagged_again(tmp_collection, memo):
    before = flag_document(tmp_collection, memo, use_gold=True)
    gold_page = tmp_collection.gold_dir(memo.gold) / "page-001.txt"
    gold_page.write_text(MEMO_GOLD.replace("naval", "maritime"), encoding="utf-8")
    after = flag_document(tmp_collection, memo, use_gold=True)
    assert {f.text for f in after} - {f.text for f in before} == {"naval"}


def test_another_flagger_version_flags_again(tmp_collection, memo, monkeypatch):
    import workbench.flags.document as document

    calls = []
    real = document.heuristic_flags
    monkeypatch.setattr(document, "heuristic_flags", lambda *a, **k: calls.append(1) or real(*a, **k))
    flag_document(tmp_collection, memo, use_gold=False)
    monkeypatch.setattr(document, "flagger_version", lambda: "another version")
    flag_document(tmp_collection, memo, use_gold=False)
    assert len(calls) == 2


def test_a_damaged_cache_entry_is_a_miss(tmp_collection, memo):
    from workbench.ocr.cache import default_root

    first = flag_document(tmp_collection, memo, use_gold=False)
    (entry,) = (default_root() / "flags").rglob("*.json")
    entry.write_text('{"format": 1, "key": "', encoding="utf-8")
    assert flag_document(tmp_collection, memo, use_gold=False) == first


def test_flags_revised_by_what_was_learned_are_not_cached(tmp_collection, memo, monkeypatch):
    import workbench.flags.document as document

    class Taught:  # something learned: the flagger must run with it every time
        def __bool__(self):
            return True

        def revise(self, context, flags):
            return [f for f in flags if f.text != "Tbe"]

    calls = []
    real = document.heuristic_flags
    monkeypatch.setattr(document, "heuristic_flags", lambda *a, **k: calls.append(1) or real(*a, **k))
    flag_document(tmp_collection, memo, use_gold=False)
    revised = flag_document(tmp_collection, memo, use_gold=False, learned=Taught())
    again = flag_document(tmp_collection, memo, use_gold=False, learned=Taught())
    assert len(calls) == 3 and revised == again and "Tbe" not in {f.text for f in revised}


def test_pages_read_already_are_flagged_as_the_stored_ones(tmp_collection, memo):
    from workbench.ocr.store import load_ocr_pages

    pages = load_ocr_pages(tmp_collection, memo)
    assert flag_document(tmp_collection, memo, use_gold=False, pages=pages) == flag_document(
        tmp_collection, memo, use_gold=False
    )
    with pytest.raises(ValueError, match="not every page"):
        flag_document(tmp_collection, memo, use_gold=False, pages=[])


def test_the_flagger_version_covers_the_code_the_flaggers_can_run_and_not_the_app():
    from pathlib import Path

    import workbench
    from workbench.flags import document

    package = Path(workbench.__file__).parent
    covered = {str(p.relative_to(package)) for p in document._imported_sources(package, Path(document.__file__))}
    assert {"flags/heuristic.py", "flags/words.py", "flags/gold.py", "normalize.py", "align.py"} <= covered
    assert not any(name.startswith(("ui/", "cli/", "report/")) for name in covered)


# A line-faithful gold, written for this test: the split "com-" / "mittee" is kept as typed in both texts.
KEPT_SPLIT = "The bridge com-\nmittee met on Tues-\nday at noon.\n"


@pytest.mark.parametrize(("setting", "expected"), [("joined", []), ("kept", ["com-\nmittee", "Tues-\nday"])])
def test_the_manifest_says_whether_the_gold_keeps_line_end_splits(tmp_collection, tmp_path, setting, expected):
    from dataclasses import replace

    from workbench.corpus import write_manifest
    from workbench.models import FlagCategory, LineHyphens

    ocr, gold = tmp_path / "ocr.txt", tmp_path / "gold.txt"
    ocr.write_text(KEPT_SPLIT, encoding="utf-8")
    gold.write_text(KEPT_SPLIT, encoding="utf-8")
    add_document(tmp_collection, "faithful", title="t", ocr=[ocr], gold=[gold], lang="eng")
    document = tmp_collection.document("faithful")
    write_manifest(replace(document, gold_line_hyphens=LineHyphens(setting)), document.manifest_path)
    flags = flag_document(tmp_collection, "faithful", use_gold=True)
    assert [f.text for f in flags if f.category is FlagCategory.BROKEN_HYPHENATION] == expected


def test_the_cache_key_of_a_page_tells_apart_any_change_of_any_field_of_its_words():
    from dataclasses import fields, replace

    from workbench.flags.document import _page_record
    from workbench.models import Box, OcrPage, OcrWord

    words = (OcrWord("ab", 0, 2, 91.5, Box(1, 2, 3, 4), 1, 1, 1), OcrWord("c", 3, 4, None, None, 1, 1, 1))
    page = OcrPage("memo", 1, "ab c", words, "tesseract 5", {"psm": 3})
    page_fields = [f.name for f in fields(OcrPage) if f.name != "words"]
    others = ["other", 2, "ab  c", "tesseract 4", {"psm": 4}]
    changed = [replace(page, **{name: value}) for name, value in zip(page_fields, others, strict=True)]
    alternatives = {"text": "a", "start": 1, "end": 3, "conf": 91.0, "box": Box(1, 2, 3, 5), "line": 2,
                    "paragraph": 2, "block": 2}
    for field in fields(OcrWord):
        changed.append(replace(page, words=(replace(words[0], **{field.name: alternatives[field.name]}), words[1])))
    changed.append(replace(page, words=(replace(words[0], conf=None), words[1])))  # None is not a number
    changed.append(replace(page, words=(replace(words[0], text="a"), replace(words[1], text="bc"))))  # same letters
    changed.append(replace(page, words=words[:1]))
    records = [_page_record(p) for p in [page, *changed]]
    assert len(set(records)) == len(records)
    assert _page_record(replace(page, words=tuple(replace(w) for w in words))) == records[0]


def test_a_page_keyed_again_gives_the_record_it_gave_and_an_equal_page_the_same():
    from dataclasses import replace

    from workbench.flags.document import _cache_key, _page_record, _recent_record
    from workbench.models import Box, OcrPage, OcrWord

    words = (OcrWord("ab", 0, 2, 91.5, Box(1, 2, 3, 4), 1, 1, 1), OcrWord("c", 3, 4, None, None, 1, 1, 1))
    page = OcrPage("memo", 1, "ab c", words, "tesseract 5", {"psm": 3})
    assert _recent_record(page) == _recent_record(page) == _page_record(page)
    other = replace(page, text="ab d")  # another object: its own record, not the one kept for `page`
    assert _recent_record(other) == _page_record(other) != _page_record(page)
    assert _cache_key("gold", "memo", [page], []) == _cache_key("gold", "memo", [replace(page)], [])
