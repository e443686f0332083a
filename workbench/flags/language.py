"""Which language a document is in, under both names the workbench meets: ISO 639-1 and Tesseract's.

Manifests, the command line and the OCR options speak Tesseract ("eng", "fra", "deu", "eng+deu");
wordfreq and pyphen speak ISO 639-1 ("en", "fr", "de"). This is the one place that maps between them.
A code the table does not know is kept as given: such a language has no resources here, and the
flagger then applies only its language-free rules (never the English lexicon).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class Language:
    """One language: its ISO 639-1 code ("fr"), its Tesseract code ("fra") and its English name."""

    iso: str
    tesseract: str
    name: str


# ISO 639-1, Tesseract (ISO 639-2/T, with the B form some manifests use as an alias), name.
_TABLE: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("en", "eng", "English", ()),
    ("fr", "fra", "French", ("fre",)),
    ("de", "deu", "German", ("ger", "frk")),
    ("cs", "ces", "Czech", ("cze",)),
    ("da", "dan", "Danish", ()),
    ("sk", "slk", "Slovak", ("slo",)),
    ("nl", "nld", "Dutch", ("dut",)),
    ("it", "ita", "Italian", ()),
    ("es", "spa", "Spanish", ()),
    ("pt", "por", "Portuguese", ()),
    ("pl", "pol", "Polish", ()),
    ("sv", "swe", "Swedish", ()),
    ("fi", "fin", "Finnish", ()),
    ("nb", "nor", "Norwegian", ()),
    ("hu", "hun", "Hungarian", ()),
    ("bg", "bul", "Bulgarian", ()),
    ("sl", "slv", "Slovenian", ()),
)


@lru_cache(maxsize=1)
def _by_code() -> dict[str, Language]:
    table = {}
    for iso, tesseract, name, aliases in _TABLE:
        language = Language(iso, tesseract, name)
        for code in (iso, tesseract, *aliases):
            table[code] = language
    return table


def language(code: str | None) -> Language:
    """The language named by `code` (ISO "fr", Tesseract "fra", or a Tesseract list "fra+eng": its first).

    Empty or None means English, the workbench's default. An unknown code gives a Language whose both
    names are the code itself.
    """
    first = (code or "eng").split("+")[0].strip().lower() or "eng"
    found = _by_code().get(first)
    if found is not None:
        return found
    return Language(first, first, first)


def iso_code(code: str | None) -> str:
    """The ISO 639-1 code of `code` ("fra" -> "fr"; unknown codes as given, lowercased)."""
    return language(code).iso


def tesseract_code(code: str | None) -> str:
    """The Tesseract code of `code` ("fr" -> "fra"; unknown codes as given, lowercased)."""
    return language(code).tesseract
