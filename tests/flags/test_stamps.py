"""Stamp vocabulary matching and the no-gold stamp-noise detector."""

from __future__ import annotations

import pytest

from tests.flags.helpers import ocr_page
from workbench.errors import InputError
from workbench.flags import heuristic_flags
from workbench.flags.stamps import NONE, STRONG, WEAK, line_strength, load_vocabulary, parse_vocabulary, token_strength
from workbench.models import FlagCategory

PROSE = [
    "The Treaty commits the US and Japan to recognize an armed attack against",
    "either party as dangerous to their peace and safety, and obliges both",
    "to act to meet the common danger in accordance with their provisions.",
]


@pytest.mark.parametrize(
    "token",
    [
        "CONFIDENTIAL",
        "C0NFIDENTlAL",
        "CONFIDENTlAL",
        "DECLASSlFIED",
        "GDS",
        "XGDS",
        "NARA,",
        "12958",
        "E.O.",
        "NND979520",
    ],
)
def test_marking_words_match_even_misread(token):
    assert token_strength(token) == STRONG


@pytest.mark.parametrize("token", ["By", "Date", "SEC", "1/11/11", "3.3", "(as", "amended)"])
def test_common_words_of_stamps_are_only_weak_evidence(token):
    assert token_strength(token) == WEAK


@pytest.mark.parametrize("token", ["secret", "Security", "confidence", "DEPARTMENT", "TREATY", "1974", "55,000"])
def test_running_text_is_no_marking(token):
    assert token_strength(token) == NONE


def test_line_strength_needs_a_strong_word():
    assert line_strength(["By", "hjk", "NARA,", "Date", "1/11/11"]) >= 0.5
    assert line_strength(["By", "the", "date"]) == 0.0
    assert line_strength(["-2-"]) == 1.0


def test_vocabulary_file_errors_name_the_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_vocabulary(tmp_path / "missing.txt")
    bad = tmp_path / "bad.txt"
    bad.write_text("re:(unclosed\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.txt: line 1"):
        load_vocabulary(bad)
    assert "NOFORN" in parse_vocabulary("# c\nNOFORN\n~By\n").strong


def flagged(text, **kwargs):
    return heuristic_flags([ocr_page(text, **kwargs)])


def test_classification_lines_and_page_number_are_flagged_without_gold():
    text = "\n".join(["C0NFIDENTlAL", "-2-", *PROSE, "CONFIDENTIAL", "GDS"])
    flags = flagged(text)
    noise = [f.text for f in flags if f.category is FlagCategory.STAMP_NOISE]
    assert noise == ["C0NFIDENTlAL", "-2-", "CONFIDENTIAL", "GDS"]
    assert all(f.suggestions == ("",) for f in flags if f.category is FlagCategory.STAMP_NOISE)


def test_declassification_stamp_with_its_date_is_stamp_noise_not_misread():
    stamp = ["DECLASSIFIED", "E.O. 12958 (as amended) SEC 3.3", "State Dept Guidelines", "By hjk NARA, Date 1/11/11"]
    flags = flagged("\n".join([*PROSE, *stamp]))
    assert [f.text for f in flags] == stamp
    assert {f.category for f in flags} == {FlagCategory.STAMP_NOISE}


def test_headings_and_closing_lines_are_not_stamp_noise():
    text = "\n".join(["DEPARTMENT OF STATE", "BRIEFING PAPER", *PROSE, "Department of State", "November 1974"])
    assert flagged(text) == []


def test_handwritten_note_in_the_margin_is_stamp_noise():
    page = ocr_page("\n".join(PROSE))
    from dataclasses import replace

    from workbench.models import Box, OcrWord

    note = OcrWord("1e", len(page.text) + 1, len(page.text) + 3, 40.0, Box(20, 200, 70, 240), line=9)
    page = replace(page, text=page.text + "\n1e", words=(*page.words, note))
    flags = heuristic_flags([page])
    assert [(f.text, f.category) for f in flags] == [("1e", FlagCategory.STAMP_NOISE)]


def test_stamp_words_read_beside_a_body_line_are_stamp_noise():
    lines = [*PROSE, "They have insisted on the right of prior consultation DECLASSlFIED E.O. 12958"]
    flags = flagged("\n".join(lines))
    assert [(f.text, f.category) for f in flags] == [("DECLASSlFIED E.O. 12958", FlagCategory.STAMP_NOISE)]
