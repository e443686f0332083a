"""The models' hand-written parts behave as the dataclass machinery they stand in for."""

from __future__ import annotations

from dataclasses import fields

from workbench.models import Box, OcrPage, OcrWord


def _generated_repr(value: object) -> str:
    """The repr `dataclass(repr=True)` would give `value`: its fields in order, each with repr()."""
    shown = ", ".join(f"{f.name}={getattr(value, f.name)!r}" for f in fields(value) if f.repr)
    return f"{type(value).__qualname__}({shown})"


def test_box_and_word_repr_equal_the_dataclass_repr():
    words = [
        OcrWord("Tokyo,", 10, 16, 91.5, Box(12, 40, 88, 61), 3, 1, 1),
        OcrWord("naïve 'quoted'", 0, 14),
        OcrWord("", 5, 5, None, None, 0, 0, 0),
        OcrWord("\n\\x", 1, 4, 0.0, Box(0, 0, 0, 0), -1, 2, 7),
    ]
    for word in words:
        assert repr(word) == _generated_repr(word)
        if word.box is not None:
            assert repr(word.box) == _generated_repr(word.box)


def test_page_repr_holds_its_words_reprs():
    # the flag cache keys a document by this text (workbench.flags.document): it must not change
    page = OcrPage("doc", 2, "Tokyo, 1974", (OcrWord("Tokyo,", 0, 6, 90.0, Box(1, 2, 3, 4), 1, 1, 1),),
                   engine="tesseract 5", options={"psm": 3})
    assert repr(page) == (
        "OcrPage(document='doc', number=2, text='Tokyo, 1974', words=(OcrWord(text='Tokyo,', start=0, end=6, "
        "conf=90.0, box=Box(left=1, top=2, right=3, bottom=4), line=1, paragraph=1, block=1),), "
        "engine='tesseract 5', options={'psm': 3})"
    )
