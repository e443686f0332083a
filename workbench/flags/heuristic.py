"""The no-gold flagger: every detector over every page of a document, from the OCR alone.

It sees only the OCR (text, words, confidences, boxes), the scan's size, and the general resources of
the document's language (workbench.flags.config: the wordfreq lexicon, the pyphen hyphenation
dictionary, the stamp vocabulary, the scanno list; a language without them gets the language-free
rules only, never the English lexicon). Before it judges a page it learns the document: the words it
reads often and with good confidence, and the names it repeats, are its own vocabulary and no errors.
No gold text and no markings sidecar are read here, not even to build the lexicon.

Detectors run in a fixed order and each token is flagged at most once (the first detector to claim it
wins), so the flags of a page never overlap and can all be applied together:
stamp noise, broken hyphenation, stray glyphs, merged words, split words, misread words, punctuation,
missing text (an empty span at a line end, which may touch a word's flag but never overlaps it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from workbench.flags.context import PageContext, page_context
from workbench.flags.glyphs import punctuation_flags, stray_flags
from workbench.flags.hyphenation import hyphenation_flags
from workbench.flags.lexicon import Lexicon
from workbench.flags.missing import missing_text_flags
from workbench.flags.stamp_noise import stamp_noise_flags
from workbench.flags.stamps import StampVocabulary
from workbench.flags.words import merged_flags, misread_flags, split_flags
from workbench.models import Flag, OcrPage

if TYPE_CHECKING:
    from workbench.learning import Learned

DETECTORS: tuple[Callable[[PageContext], list[Flag]], ...] = (
    stamp_noise_flags,
    hyphenation_flags,
    stray_flags,
    merged_flags,
    split_flags,
    misread_flags,
    punctuation_flags,
    missing_text_flags,
)


def heuristic_flags(
    ocr_pages: Sequence[OcrPage],
    *,
    lexicon: Lexicon | None = None,
    vocabulary: StampVocabulary | None = None,
    page_sizes: Mapping[int, tuple[int, int]] | None = None,
    language: str = "eng",
    learned: Learned | None = None,
) -> list[Flag]:
    """Flags (source "heuristic") for the OCR pages of one document, in page and text order.

    `language` is the document's (ISO 639 "fr" or Tesseract "fra"; English by default); `lexicon`
    defaults to wordfreq's word list of that language plus the vocabulary of `ocr_pages` (a lexicon
    given brings its own language); `page_sizes` maps a page number to its scan's (width, height) in
    pixels, when the scans are at hand; `learned` is what the reviewers' decisions taught
    (workbench.learning), applied to each page's flags when anything was learned.
    """
    lexicon = lexicon or Lexicon.for_pages(ocr_pages, language=language)
    flags: list[Flag] = []
    for page in ocr_pages:
        size = page_sizes.get(page.number) if page_sizes else None
        context = page_context(page, lexicon, vocabulary=vocabulary, size=size)
        page_flags: list[Flag] = []
        for detector in DETECTORS:
            page_flags.extend(detector(context))
        if learned:
            page_flags = learned.revise(context, page_flags)
        flags.extend(sorted(page_flags, key=lambda f: (f.start, f.end)))
    return flags
