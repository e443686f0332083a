"""The options of one OCR run: what Tesseract is asked to do and how the scan is prepared for it.

Options come, weakest first, from the settings (WORKBENCH_LANG), the document's language (the
manifest's `"lang"`, so a French document is read with the French model unless told otherwise), its
manifest's OCR options (`"ocr": {"lang": "eng", "psm": 6, "binarize": "otsu", "deskew": true}`) and the
call (CLI flags: `--lang` wins over all).
They are stored with every page's OCR and are part of the cache key.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workbench import settings
from workbench.errors import InputError
from workbench.fsutil import read_utf8
from workbench.models import Document

BINARIZATIONS = ("none", "otsu", "sauvola")
PSM_VALUES = range(0, 14)
OEM_VALUES = range(0, 4)


@dataclass(frozen=True, slots=True)
class OcrRules:
    """The thresholds behind the OCR defaults, in one place; tuned on the dev half of the corpus scans.

    Resolution: a file's tag is believed when it lies in min_tag_dpi..max_tag_dpi and the page it implies
    is no longer than max_page_inches (legal paper is 14 in); else the longer side is read as a whole page
    of page_long_side_inches (letter 11 in, A4 11.7 in), kept in min_estimate_dpi..max_estimate_dpi.

    Second reading: when the prepared scan (gray, the chosen resolution) is not what plain Tesseract
    would read, the file is read as it is too (Tesseract's own colour thresholding and its own resolution:
    the tag as it reads it, or its estimate from the text height), and the reading with more confident
    characters (each character weighted by its word's confidence, 0-1) is kept. The file as it is is plain
    Tesseract's own reading, so it is the safe side: the prepared reading is kept only when it holds more
    than prepared_gain (a fraction) more confident characters.
    """

    max_page_inches: float = 15.0
    page_long_side_inches: float = 11.4
    min_tag_dpi: int = 50
    max_tag_dpi: int = 2400
    # Estimates below this are raised to it: Tesseract's noise and size thresholds are set for 300 dpi
    # scans, and on the corpus dev half declaring less never helped (an EHRI Czech page read at its own
    # estimate: 43 % CER, at 300: 17 %); above it the estimate follows the pixels (a 4,198-px letter: 368).
    min_estimate_dpi: int = 300
    max_estimate_dpi: int = 1200
    # On the dev half of the corpus scans 0.025-0.04 did best (no page more than 0.5 point worse than
    # plain Tesseract); 0 kept a gray reading 1.4 points worse on a page whose file declares a resolution
    # Tesseract does not read (an EXIF-only tag) and whose own estimate did better.
    prepared_gain: float = 0.03


RULES = OcrRules()


@dataclass(frozen=True, slots=True)
class OcrOptions:
    """How to OCR a page.

    lang: Tesseract language(s), 'eng' or 'eng+deu'. psm: page segmentation mode (0-13; 3 is automatic
    layout). oem: engine mode (0 legacy, 1 LSTM, 2 both, 3 whatever the language data has).
    grayscale: convert to 8-bit gray first. binarize: 'none' (Tesseract's own Otsu), 'otsu' or 'sauvola'
    (local thresholds, for uneven lighting). deskew: straighten a page tilted by up to 5 degrees.
    dpi: the scan's resolution (None: the file's tag when plausible for the pixel size, else estimated
    from the page size; workbench.ocr.tesseract.choose_resolution).
    second_reading: when the preparation or the resolution makes the scan differ from what plain
    Tesseract reads, read the file as it is too and keep the better reading (OcrRules); only when
    binarize, deskew and dpi are left at their defaults, so a choice made in the options is kept.
    """

    lang: str = "eng"
    psm: int = 3
    oem: int = 3
    grayscale: bool = True
    binarize: str = "none"
    deskew: bool = False
    dpi: int | None = None
    second_reading: bool = True

    def as_dict(self) -> dict[str, Any]:
        """The options as stored with the OCR: language, modes, resolution and the preprocessing."""
        return {
            "lang": self.lang,
            "psm": self.psm,
            "oem": self.oem,
            "dpi": self.dpi,
            "second_reading": self.second_reading,
            "preprocessing": {"grayscale": self.grayscale, "binarize": self.binarize, "deskew": self.deskew},
        }

    def merged(self, overrides: Mapping[str, Any], *, source: str) -> OcrOptions:
        """These options with `overrides` applied (None values ignored), checked; InputError naming
        `source` (a manifest path, 'command line') when a value is wrong."""
        values = dataclasses.asdict(self)
        flat = dict(overrides)
        preprocessing = flat.pop("preprocessing", None)
        if isinstance(preprocessing, Mapping):
            flat = {**preprocessing, **flat}
        for key, value in flat.items():
            if key not in values:
                raise InputError(f"{source}: unknown OCR option {key!r} (known: {', '.join(values)})")
            if value is not None:
                values[key] = value
        return _checked(values, source)


def _checked(values: dict[str, Any], source: str) -> OcrOptions:
    def fail(message: str) -> InputError:
        return InputError(f"{source}: OCR option {message}")

    lang = values["lang"]
    if not isinstance(lang, str) or not lang or any(not part for part in lang.split("+")) or " " in lang:
        raise fail(f"lang must be like 'eng' or 'eng+deu', got {lang!r}")
    for key, allowed in (("psm", PSM_VALUES), ("oem", OEM_VALUES)):
        if not isinstance(values[key], int) or isinstance(values[key], bool) or values[key] not in allowed:
            raise fail(f"{key} must be an integer {allowed.start}-{allowed.stop - 1}, got {values[key]!r}")
    for key in ("grayscale", "deskew", "second_reading"):
        if not isinstance(values[key], bool):
            raise fail(f"{key} must be true or false, got {values[key]!r}")
    if values["binarize"] not in BINARIZATIONS:
        raise fail(f"binarize must be one of {', '.join(BINARIZATIONS)}, got {values['binarize']!r}")
    dpi = values["dpi"]
    if dpi is not None and (not isinstance(dpi, int) or isinstance(dpi, bool) or not 50 <= dpi <= 2400):
        raise fail(f"dpi must be an integer 50-2400, got {dpi!r}")
    return OcrOptions(**values)


def tesseract_languages(lang: str) -> str:
    """`lang` in Tesseract's names: ISO 639-1 parts mapped ("fr+de" -> "fra+deu"), model names kept
    as given (Tesseract's own, such as "frk" or "deu_latf", name models the ISO table does not)."""
    # Imported here: the flags package costs a Dask worker 0.2 s to import before its first page, and a
    # worker only reads pages with the options it is given.
    from workbench.flags.language import tesseract_code

    return "+".join(tesseract_code(part) if len(part) == 2 else part for part in lang.split("+"))


def default_options() -> OcrOptions:
    """The options before any document or call says otherwise (language from WORKBENCH_LANG)."""
    return OcrOptions().merged({"lang": settings.get("WORKBENCH_LANG")}, source="WORKBENCH_LANG")


def manifest_options(document: Document) -> dict[str, Any]:
    """The `"ocr"` object of a document's manifest, or {} when it has none."""
    if document.manifest_path is None or not document.manifest_path.exists():
        return {}
    try:
        data = json.loads(read_utf8(document.manifest_path, what="manifest"))
    except json.JSONDecodeError as error:
        raise InputError(f"{document.manifest_path}: manifest is not valid JSON ({error.msg})") from None
    ocr = data.get("ocr", {}) if isinstance(data, dict) else {}
    if not isinstance(ocr, dict):
        raise InputError(f'{document.manifest_path}: "ocr" must be an object of OCR options')
    return ocr


def document_options(document: Document, overrides: Mapping[str, Any] | None = None) -> OcrOptions:
    """The options to OCR `document` with: defaults, then its language (`Document.lang`), then its
    manifest's `"ocr"`, then `overrides`."""
    options = default_options()
    if document.lang:
        options = options.merged(
            {"lang": tesseract_languages(document.lang)}, source=f"{document.manifest_path}: 'lang'"
        )
    options = options.merged(manifest_options(document), source=str(document.manifest_path))
    return options.merged(overrides or {}, source="options given")
