"""End to end in Debian's chromium: search a word across two documents on the Search page, replace three of
its five hits as one batch, undo it, and check each step against the server's review store."""

from __future__ import annotations

import pytest

from tests.ui.conftest import make_document
from tests.ui.test_e2e import CHROMIUM, browser_page, serve, settle  # noqa: F401  (the fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]

MINUTES = [["Minutes of tlie meeting", "tlie minister agreed"], ["to tlie terms proposed."]]
LETTER = [["Dear Sir, tlie letter of", "12 May on tlie treaty"]]


@pytest.fixture
def two_document_server(tmp_path):
    """`workbench app` over two documents without gold in which `tlie` is read five times."""
    from workbench.corpus import Collection

    collection = Collection(tmp_path / "collection")
    collection.scans.mkdir(parents=True)
    make_document(collection, "minutes", MINUTES, gold=False)
    make_document(collection, "letter", LETTER, gold=False)
    server = serve(collection.home, tmp_path)
    try:
        yield collection, next(server)
    finally:
        server.close()  # stops the server


def lines_in_store(collection) -> dict[tuple[str, int, int], str]:
    """What every line reads now, as the server's review store and the stored OCR make it."""
    from workbench.ocr.store import load_ocr_page
    from workbench.store import open_store
    from workbench.transcript import page_lines

    store = open_store(str(collection.home.parent / "e2e.db"))
    found = {}
    for doc_id, pages in (("minutes", MINUTES), ("letter", LETTER)):
        for number in range(1, len(pages) + 1):
            for line in page_lines(store, load_ocr_page(collection, doc_id, number)):
                found[(doc_id, number, line.number)] = line.text
    return found


def test_search_two_documents_replace_three_of_five_hits_and_undo(two_document_server, browser_page):  # noqa: F811
    from playwright.sync_api import expect

    collection, url = two_document_server
    before = lines_in_store(collection)
    page = browser_page
    page.goto(f"{url}/search")
    page.get_by_label("Your name (recorded with each decision)").fill("Ann Archivist")
    page.get_by_role("button", name="Start reviewing").click()
    page.get_by_label("Search for").wait_for()
    page.get_by_label("Search for").fill("tlie")
    page.get_by_role("button", name="Search").click()
    settle(page)
    expect(page.get_by_text("5 hit(s) in 3 page(s) of 2 document(s)")).to_be_visible()
    # letter comes first (documents in id order): hits 1-2 are the letter's, 3-5 the minutes'.
    for label in ("1. letter page 1 line 1", "3. minutes page 1 line 1", "5. minutes page 2 line 1"):
        page.get_by_text(label, exact=True).click()
        settle(page)
    page.get_by_role("textbox", name="Replace with").fill("the")
    page.get_by_role("textbox", name="Replace with").press("Enter")
    settle(page)
    page.get_by_role("button", name="Preview the replacement of 3 hit(s)").click()
    settle(page)
    expect(page.get_by_text("Preview: 3 hit(s) on 3 line(s)")).to_be_visible()
    assert lines_in_store(collection) == before  # the preview wrote nothing

    page.get_by_role("button", name="Apply to 3 line(s) as one batch").click()
    settle(page)
    expect(page.get_by_text("Replaced on 3 line(s) as one batch; 0 refused.")).to_be_visible()
    expect(page.get_by_text("2 hit(s) in 3 page(s) of 2 document(s)")).to_be_visible()
    after = lines_in_store(collection)
    changed = {place: text for place, text in after.items() if text != before[place]}
    assert changed == {
        ("letter", 1, 1): "Dear Sir, the letter of",
        ("minutes", 1, 1): "Minutes of the meeting",
        ("minutes", 2, 1): "to the terms proposed.",
    }

    page.get_by_role("button", name="Undo the last replace").click()
    settle(page)
    expect(page.get_by_text("Undone: the last replace, on 3 line(s).")).to_be_visible()
    expect(page.get_by_text("5 hit(s) in 3 page(s) of 2 document(s)")).to_be_visible()
    assert lines_in_store(collection) == before
