"""Garbage-token rules and the common-scanno list: tokens that cannot be text as typed.

Rules (each returns a short reason or None):
  - punctuation: more than half of a word-length token is punctuation ("@ll,d:ce");
  - no vowel: a lowercase word of 4+ letters with no vowel (and no "y");
  - repeats: the same character 3+ times in a row ("lll", "eee"), outside numbers;
  - mixed case inside a word: a capital after a lowercase letter ("WSrid", "sO"), not "McX"/"iPad" style
    names the document repeats.
The scanno list (workbench/data/scannos.tsv) maps frequent OCR misreadings of English words that look like
real words to what they stand for ("tlie" -> "the", "arid" -> "and").
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

_REPEAT = re.compile(r"([^\W\d])\1\1")
_INNER_CAPITAL = re.compile(r"[a-z][A-Z]")
# A quantity with its unit, a pack of them or an hour: 250g, 0.78KG, 5cm, 1.80€/kg, 4X125G, 12h30, 9H00
_MEASURE = re.compile(
    r"(\d+[xX])?\d+([.,]\d+)?[^\W\d_]{1,3}(/[^\W\d_]{1,3})?|\d{1,2}[hH]\d{2}|\d+([.,]\d+)?€/[^\W\d_]{1,3}"
)


def is_measure(word: str) -> bool:
    """True for a quantity with its unit or an hour as typed ("250g", "4X125G", "12h30"): no misreading."""
    return bool(_MEASURE.fullmatch(word))


# a decimal quantity in a unit of weight, volume or length, the price of one too
_UNIT_MEASURE = re.compile(r"\d+[.,]\d+(?:€/)?(?:kg|gr?|[cm]?l|[ckm]?m)", re.IGNORECASE)


def is_unit_measure(word: str) -> bool:
    """True for a decimal quantity in a unit of weight, volume or length ("0.435kg", "1.80€/kg", "0,78KG"):
    a measure as typed whatever the word list says. Narrower than `is_measure`, whose letters after a figure
    may be a misread currency sign ("1.99e" for "1.99€")."""
    return bool(_UNIT_MEASURE.fullmatch(word))


@lru_cache(maxsize=1 << 16)  # asked of every token; a document repeats its tokens
def garbage_reason(token: str, *, vowels: str = "aeiouy") -> str | None:
    """Why `token` cannot be a typed word, or None when it could be.

    `vowels` are the letters a long lowercase word must hold one of ("" for languages that write long
    words without vowels, as Czech and Slovak do: "skrz", "vlk").
    """
    letters = sum(c.isalpha() for c in token)
    digits = sum(c.isdigit() for c in token)
    punct = len(token) - letters - digits
    abbreviation = re.fullmatch(r"\(?([A-Za-z]\.){2,}[,;:)]?", token)  # e.g., i.e.; U.S.
    if len(token) >= 3 and punct > (letters + digits) and letters + digits > 0 and not abbreviation:
        return "punctuation"
    word = re.sub(r"^[\W_]+|[\W_]+$", "", token)
    if vowels and len(word) >= 4 and word.isalpha() and word.islower() and not any(c in vowels for c in word):
        return "no vowel"
    if _REPEAT.search(word) and not is_roman_numeral(word):
        return "repeats"  # (a roman numeral writes a letter up to three times: "XXX", "xviii")
    if _INNER_CAPITAL.search(word) and not re.fullmatch(r"(Mc|Mac|O')?[A-Z][a-z]+", word):
        return "mixed case"
    if re.fullmatch(r"[A-Z]{2,}[a-z]+", word) and not re.fullmatch(r"[A-Z]{2,}s", word):
        return "mixed case"  # capitals then lowercase ("GOd" for "GOJ"), not a plural acronym ("ASWs")
    if (
        letters
        and digits
        and not re.fullmatch(r"\d+(st|nd|rd|th|s|'s)|\d+[a-z]\)?|[A-Z]{1,3}-?\d+", word)
        and not is_measure(word)
    ):
        return "letters and digits"
    return None


_ROMAN_NUMERAL = re.compile(r"M{0,4}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")


def is_roman_numeral(word: str) -> bool:
    """True for a well-formed roman numeral in capitals or small letters ("XXXV", "xviii", "MDCCCXII")."""
    return bool(word) and (word.isupper() or word.islower()) and bool(_ROMAN_NUMERAL.fullmatch(word.upper()))


@lru_cache(maxsize=1)
def scannos() -> dict[str, str]:
    """The common-scanno list: misreading -> intended word (lowercase)."""
    text = resources.files("workbench").joinpath("data/scannos.tsv").read_text(encoding="utf-8")
    table = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        read, _, meant = line.partition("\t")
        table[read.strip()] = meant.strip()
    return table
