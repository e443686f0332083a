"""OCR options: settings, then the manifest's "ocr" object, then the call; bad values named."""

from __future__ import annotations

import json

import pytest

from workbench.errors import InputError
from workbench.ocr.options import OcrOptions, document_options


def _with_manifest_ocr(document, ocr):
    data = json.loads(document.manifest_path.read_text())
    data["ocr"] = ocr
    document.manifest_path.write_text(json.dumps(data))


def test_defaults_come_from_settings(small_document, monkeypatch):
    monkeypatch.setenv("WORKBENCH_LANG", "eng+osd")
    assert document_options(small_document) == OcrOptions(lang="eng+osd")


def test_manifest_then_call_override(small_document):
    _with_manifest_ocr(small_document, {"psm": 6, "preprocessing": {"binarize": "sauvola"}, "deskew": True})
    options = document_options(small_document, {"psm": 4, "lang": None})
    assert (options.psm, options.binarize, options.deskew, options.lang) == (4, "sauvola", True, "eng")


def test_recorded_form_names_the_preprocessing():
    assert OcrOptions(binarize="otsu").as_dict() == {
        "lang": "eng",
        "psm": 3,
        "oem": 3,
        "dpi": None,
        "second_reading": True,
        "preprocessing": {"grayscale": True, "binarize": "otsu", "deskew": False},
    }


@pytest.mark.parametrize(
    ("ocr", "message"),
    [
        ({"psm": 14}, "psm must be an integer 0-13, got 14"),
        ({"oem": "1"}, "oem must be an integer 0-3"),
        ({"binarize": "niblack"}, "binarize must be one of none, otsu, sauvola"),
        ({"deskew": "yes"}, "deskew must be true or false"),
        ({"lang": "eng+"}, "lang must be like 'eng' or 'eng\\+deu'"),
        ({"dpi": 10}, "dpi must be an integer 50-2400"),
        ({"colour": True}, "unknown OCR option 'colour'"),
    ],
)
def test_bad_manifest_option_names_the_manifest(small_document, ocr, message):
    _with_manifest_ocr(small_document, ocr)
    with pytest.raises(InputError, match=rf"^{small_document.manifest_path}: .*{message}"):
        document_options(small_document)


def test_manifest_ocr_must_be_an_object(small_document):
    _with_manifest_ocr(small_document, ["psm", 6])
    with pytest.raises(InputError, match='"ocr" must be an object'):
        document_options(small_document)


def _with_document_lang(document, lang):
    data = json.loads(document.manifest_path.read_text())
    data["lang"] = lang
    document.manifest_path.write_text(json.dumps(data))


def test_document_language_drives_the_ocr(small_collection_document_lang):
    assert document_options(small_collection_document_lang("fra")).lang == "fra"


def test_iso_document_language_is_named_for_tesseract(small_collection_document_lang):
    assert document_options(small_collection_document_lang("fr+de")).lang == "fra+deu"


def test_call_and_manifest_ocr_win_over_the_document_language(small_collection_document_lang):
    document = small_collection_document_lang("deu")
    assert document_options(document, {"lang": "eng"}).lang == "eng"
    _with_manifest_ocr(document, {"lang": "frk"})
    assert document_options(document).lang == "frk"


def test_document_without_language_keeps_the_setting(small_document, monkeypatch):
    monkeypatch.setenv("WORKBENCH_LANG", "ces")
    assert small_document.lang == ""
    assert document_options(small_document).lang == "ces"


@pytest.fixture
def small_collection_document_lang(small_document, tmp_collection):
    """Re-read `small_document` after its manifest's `"lang"` is set."""

    def reload(lang):
        _with_document_lang(small_document, lang)
        return tmp_collection.document(small_document.id)

    return reload
