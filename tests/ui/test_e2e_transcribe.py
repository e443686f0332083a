"""End to end in Debian's chromium: transcribe a document without gold with the keyboard alone.

On the Transcribe page a reviewer corrects a word no flagger flagged (Down to the line, Ctrl+A, type,
Enter), reloads and lands on the same line, and sees the word in the Export; a second reviewer in another
browser context, whose view of that line is stale, is refused with the first reviewer's text shown and their
own kept in the field; a click on the scan selects the line under it, on Transcribe and on Compare.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from tests.ui.conftest import make_document
from tests.ui.test_e2e import CHROMIUM, browser_page, open_page, serve, settle  # noqa: F401  (the fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]

DOC = "minutes"
LINES = [
    "Minutes of the meeting",
    "held on 12 November 1974.",  # the minutes say the 13th: an error no flagger can see
    "The minister agreed",
    "to the terms proposed.",
]
FIXED = "held on 13 November 1974."
FIELD = "Line text"


@pytest.fixture
def minutes_server(tmp_path):
    """`workbench app` over a collection whose one document has scans and OCR boxes but no gold."""
    from workbench.corpus import Collection

    collection = Collection(tmp_path / "collection")
    collection.scans.mkdir(parents=True)
    make_document(collection, DOC, [LINES], gold=False)
    server = serve(collection.home, tmp_path)
    try:
        yield collection, next(server)
    finally:
        server.close()  # stops the server


def sign_in(page, name: str) -> None:
    page.get_by_label("Your name (recorded with each decision)").fill(name)
    page.get_by_role("button", name="Start reviewing").click()
    page.get_by_label(FIELD).wait_for()
    settle(page)


def field_value(page) -> str:
    return page.get_by_label(FIELD).input_value()


def url_line(page) -> str | None:
    return parse_qs(urlparse(page.url).query).get("line", [None])[0]


def wait_for_line(page, number: int) -> None:
    page.wait_for_function(f"() => new URLSearchParams(location.search).get('line') === '{number}'")
    settle(page)


def test_keyboard_transcription_reload_stale_context_and_click(minutes_server, browser_page):  # noqa: F811
    from playwright.sync_api import expect

    from workbench import views

    collection, url = minutes_server
    flags = views.document_flags(collection, collection.document(DOC))
    text = "\n".join(LINES)
    twelve = text.index("12")
    assert not any(f.start <= twelve < max(f.end, f.start + 1) for f in flags[1]), "the word must be unflagged"

    ann = browser_page
    ann.goto(f"{url}/transcribe")
    sign_in(ann, "Ann Archivist")
    assert field_value(ann) == LINES[0]
    expect(ann.get_by_label(FIELD)).to_be_focused()
    ann.keyboard.press("ArrowDown")  # line 1 unchanged: just moves on
    wait_for_line(ann, 2)
    assert field_value(ann) == LINES[1]

    # A second reviewer opens the same line before Ann saves it: their view becomes stale.
    bob = ann.context.browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    bob.set_default_timeout(30_000)
    bob.goto(f"{url}/transcribe?page=1&line=2")
    sign_in(bob, "Bob Binder")
    assert field_value(bob) == LINES[1]

    expect(ann.get_by_label(FIELD)).to_be_focused()
    ann.keyboard.press("Control+A")
    ann.keyboard.type(FIXED)
    ann.keyboard.press("Enter")
    wait_for_line(ann, 3)
    expect(ann.get_by_text("Line 2 saved.")).to_be_visible()
    assert field_value(ann) == LINES[2]

    bob.get_by_label(FIELD).click()
    bob.keyboard.press("Control+A")
    bob.keyboard.type("held on 14 November 1974.")
    bob.keyboard.press("Enter")
    settle(bob)
    expect(bob.get_by_text(re.compile("another reviewer changed this line first"))).to_be_visible()
    expect(bob.locator("code", has_text=FIXED)).to_be_visible()  # Ann's text shown
    assert field_value(bob) == "held on 14 November 1974."  # Bob's kept
    assert url_line(bob) == "2"

    ann.reload()
    name = ann.get_by_label("Your name (recorded with each decision)")
    ann.get_by_label(FIELD).or_(name).first.wait_for()
    if name.count():  # the reviewer's name for the browser session is another change's
        sign_in(ann, "Ann Archivist")
    settle(ann)
    assert url_line(ann) == "3" and field_value(ann) == LINES[2]  # the same line after the reload

    ann.get_by_label(FIELD).click()
    ann.keyboard.type(" and more")
    ann.keyboard.press("Escape")  # Esc restores the line
    ann.wait_for_function(f"() => document.querySelector('input[aria-label=\"{FIELD}\"]').value === {LINES[2]!r}")
    settle(ann)
    ann.keyboard.press("ArrowUp")  # Up goes back, to the line saved before
    wait_for_line(ann, 2)
    assert field_value(ann) == FIXED
    ann.keyboard.press("ArrowDown")
    ann.keyboard.press("ArrowDown")  # before the page answered the first: it waits for the next line
    wait_for_line(ann, 4)
    assert field_value(ann) == LINES[3]
    edits = [e.text for e in open_store_edits(collection)]
    assert edits == [FIXED], edits  # neither Esc nor moving wrote anything

    click_line(ann, 2, column=6)  # a click on the scan, on "minister" of line 3, selects that line
    wait_for_line(ann, 3)
    assert field_value(ann) == LINES[2]
    # ... and puts the caret before the word clicked, in the focused field
    expect(ann.get_by_label(FIELD)).to_be_focused()
    assert ann.get_by_label(FIELD).evaluate("input => input.selectionStart") == LINES[2].index("minister")

    open_page(ann, "Export")
    expect(ann.locator("textarea").first).to_contain_text(FIXED)

    # On Compare too a click on the scan selects the line under it.
    open_page(ann, "Compare")
    click_line(ann, 1)
    settle(ann)
    expect(ann.locator("table.wb-diff tr.wb-selected")).to_contain_text(LINES[1])
    bob.context.close()


def open_store_edits(collection):
    """The line edits of the document in the server's review store."""
    from workbench.store import open_store

    return open_store(str(collection.home.parent / "e2e.db")).line_edits(DOC)


def click_line(page, index: int, *, column: int = 1) -> None:
    """Click the scan on character `column` of 0-based line `index` (the fixture's grid: 40 px a line from
    y 40, 12 px a character from x 40, on a 600 px wide scan)."""
    scan = page.locator("img[alt^='the scan of this page']")
    scale = scan.bounding_box()["width"] / 600
    scan.click(position={"x": (40 + 12 * column + 6) * scale, "y": (40 + 40 * index + 15) * scale})
