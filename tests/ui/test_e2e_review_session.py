"""End to end in Debian's chromium: the Review page as a session that survives reloads and restarts.

A reload lands on the same flag with the same reviewer; a click in a tab left open across a server restart
is carried out; a second reviewer in another browser context decides over the first only as an override
with a note, and both then see the flag disputed; apply-to-all lists every occurrence before it applies.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from tests.ui import test_e2e
from tests.ui.conftest import make_document
from tests.ui.test_e2e import CHROMIUM, free_port, launch_chromium, serve, settle

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]

DOC = "letter"
# A misread word, the same misread word three times, and another misread word: five gold flags.
LINES = ["a dgo barked", "teh cat and teh dog", "the teh end", "a cta sat"]
GOLD = "a dog barked\nthe cat and the dog\nthe the end\na cat sat\n"
NAME_FIELD = "Your name (recorded with each decision)"


@pytest.fixture
def letter(tmp_path):
    """A collection whose one document has a scan, OCR word boxes and gold."""
    from workbench.corpus import Collection

    collection = Collection(tmp_path / "collection")
    collection.scans.mkdir(parents=True)
    make_document(collection, DOC, [LINES], gold=True)
    gold = collection.gold_dir(DOC)
    gold.mkdir(parents=True)
    (gold / "page-001.txt").write_text(GOLD, encoding="utf-8")
    return collection


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = launch_chromium(playwright)
        try:
            yield launched
        finally:
            launched.close()


def new_tab(browser):
    """A page in a browser context of its own (its own cookies: another reviewer's browser)."""
    page = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    page.set_default_timeout(30_000)
    return page


def open_review(page, url: str, name: str | None = None) -> None:
    page.goto(url)
    page.get_by_role("heading", name="Review").first.wait_for()
    settle(page)
    if name is not None:
        page.get_by_label(NAME_FIELD).fill(name)
        page.get_by_role("button", name="Start reviewing").click()
    page.get_by_role("heading", name=re.compile("^Flag ")).wait_for()
    settle(page)


def heading(page) -> str:
    return page.get_by_role("heading", name=re.compile("^Flag ")).inner_text()


def url_flag(page) -> str | None:
    return parse_qs(urlparse(page.url).query).get("flag", [None])[0]


def click(page, name: str) -> None:
    page.get_by_role("button", name=re.compile(name)).first.click()
    settle(page)


def decisions():
    from workbench.review import current_decisions
    from workbench.store import open_store

    return current_decisions(open_store(), DOC)


def test_reload_and_a_restarted_server_keep_the_flag_and_the_reviewer(letter, tmp_path, browser, monkeypatch):
    from playwright.sync_api import expect

    port = free_port()
    monkeypatch.setattr(test_e2e, "free_port", lambda: port)  # the restarted server listens where the tab looks
    monkeypatch.setenv("WORKBENCH_DB", str(tmp_path / "e2e.db"))  # the store the server writes (serve's)
    server = serve(letter.home, tmp_path)
    url = next(server)
    page = new_tab(browser)
    open_review(page, f"{url}/review", "Ann Archivist")
    click(page, "^Next")
    click(page, "^Next")
    where, flag = heading(page), url_flag(page)
    assert where.startswith("Flag 3 of 5") and flag is not None

    page.reload()
    page.get_by_role("heading", name=re.compile("^Flag ")).wait_for()
    settle(page)
    assert heading(page) == where and url_flag(page) == flag
    expect(page.get_by_label(NAME_FIELD)).to_have_count(0)  # the name was not asked again
    expect(page.get_by_text(re.compile("flags decided · 0 disputed · reviewer: Ann Archivist"))).to_be_visible()

    server.close()  # the tab stays open while the server restarts: its session is gone
    page.locator('[data-testid="stStatusWidget"]').wait_for()  # the tab sees the connection go
    server = serve(letter.home, tmp_path)
    assert next(server) == url
    try:
        settle(page)  # the tab is connected to the new server (a click while offline never leaves the browser)
        page.get_by_role("button", name=re.compile("^Accept")).first.click()
        settle(page)
        # The new server's first run computes the document's flags before it can act on the click.
        expect(page.get_by_text(re.compile("^Saved: you accepted “the”"))).to_be_visible(timeout=60_000)
        decided = decisions()[flag]
        assert (decided.reviewer, decided.text) == ("Ann Archivist", "the")
    finally:
        server.close()


@pytest.fixture
def letter_server(letter, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_DB", str(tmp_path / "e2e.db"))
    server = serve(letter.home, tmp_path)
    try:
        yield next(server)
    finally:
        server.close()


def test_deciding_over_another_reviewer_takes_an_override_with_a_note(letter_server, browser):
    from playwright.sync_api import expect

    ann, bob = new_tab(browser), new_tab(browser)
    open_review(ann, f"{letter_server}/review", "ann")
    first = url_flag(ann)
    click(ann, "^Accept")
    assert decisions()[first].reviewer == "ann" and url_flag(ann) != first  # moved on to the next open flag

    open_review(bob, f"{letter_server}/review?flag={first}", "bob")
    assert url_flag(bob) == first
    expect(bob.get_by_text(re.compile("decided: ann accepted “dog”"))).to_be_visible()
    click(bob, "^Keep OCR")
    expect(bob.get_by_text(re.compile("override it and give a note saying why"))).to_be_visible()
    assert decisions()[first].reviewer == "ann"
    bob.get_by_text("Override ann's decision").click()
    settle(bob)
    note = bob.get_by_label("Why you decide differently (kept with the override)")
    note.fill("the typist wrote dgo")
    note.press("Enter")  # the field's value reaches the server before the click
    settle(bob)
    click(bob, "^Keep OCR")
    expect(bob.get_by_text(re.compile("^Saved: you kept the OCR"))).to_be_visible()
    assert (decisions()[first].reviewer, decisions()[first].note) == ("bob", "the typist wrote dgo")

    ann.reload()
    settle(ann)
    expect(ann.get_by_text(re.compile("1 flag\\(s\\) you decided are disputed"))).to_be_visible()
    ann.goto(f"{letter_server}/review?flag={first}")
    ann.get_by_role("heading", name=re.compile("^Flag ")).wait_for()
    settle(ann)
    expect(ann.get_by_text(re.compile("This flag is disputed: ann accepted .* then bob kept the OCR"))).to_be_visible()


def test_apply_to_all_lists_every_occurrence_before_it_applies(letter_server, browser):
    from playwright.sync_api import expect

    page = new_tab(browser)
    open_review(page, f"{letter_server}/review", "ann")
    click(page, "^Next")
    click(page, "^Next")  # the second of the three "teh"
    click(page, "^All 3 identical: accept “the”")
    for line in ("page 1, line 2", "page 1, line 3"):
        expect(page.get_by_text(line).first).to_be_visible()
    expect(page.get_by_text("page 1, line", exact=False)).to_have_count(3)
    assert page.locator('[data-testid="stImage"]').count() == 1 + 3  # the flag's crop and one per occurrence
    assert not decisions()
    click(page, "^Apply to these 3")
    expect(page.get_by_text("Saved: accepted “the” in all 3 places.")).to_be_visible()
    assert len(decisions()) == 3
    expect(page.get_by_role("heading", name=re.compile("^Flag 5 of 5"))).to_be_visible()  # on to "cta"
