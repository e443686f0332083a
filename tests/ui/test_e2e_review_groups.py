"""End to end in Debian's chromium: a reviewer teaches a confusion by accepting two suggestions on the Review
page, the page then offers the other flags it explains as one learned group; one member is unticked, the
rest are accepted as one action, and Undo takes them back together, each step checked against the server's
review store."""

from __future__ import annotations

import re

import pytest

from tests.ui.conftest import make_document
from tests.ui.test_e2e import CHROMIUM, serve, settle
from tests.ui.test_e2e_review_session import browser, click, new_tab, open_review  # noqa: F401  (the fixture)
from tests.ui.test_review_groups import PAGES

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]

DOC = "letters"


@pytest.fixture
def letters_server(tmp_path, monkeypatch):
    """`workbench app` over one document without gold in which "li" is read for "h" eight times."""
    from workbench.corpus import Collection

    collection = Collection(tmp_path / "collection")
    collection.scans.mkdir(parents=True)
    make_document(collection, DOC, PAGES, gold=False)
    monkeypatch.setenv("WORKBENCH_DB", str(tmp_path / "e2e.db"))  # the store the server writes (serve's)
    server = serve(collection.home, tmp_path)
    try:
        yield next(server)
    finally:
        server.close()  # stops the server


def decided() -> dict[str, tuple[str, str | None]]:
    """Each decided flag's OCR reading: the action and the batch it was decided in, as the store says."""
    from workbench import review
    from workbench.store import open_store

    return {
        state.flag.text: (state.decision.action.value, state.decision.batch)
        for state in review.flag_states(open_store(), DOC, status="decided")
    }


def test_a_taught_group_is_accepted_as_one_action_and_undone_as_one(letters_server, browser):  # noqa: F811
    from playwright.sync_api import expect

    page = new_tab(browser)
    open_review(page, f"{letters_server}/review", "Ann Archivist")
    expect(page.get_by_text(re.compile("^Learned groups"))).to_have_count(0)  # nothing taught yet
    click(page, "^Accept “that”")
    click(page, "^Accept “the”")
    assert set(decided()) == {"tliat", "tlie"}

    page.get_by_text(re.compile("^Learned groups: 1")).click()
    settle(page)
    expect(page.get_by_text(re.compile("page 2, line 2: “liad” → “had”"))).to_be_visible()
    ticks = page.get_by_role("checkbox", name="accept")
    expect(ticks).to_have_count(6)
    # The rows follow the text: page 2's "liad" is the third member (after "wliere" and "tliey").
    page.locator('[data-testid="stCheckbox"]').filter(has=page.get_by_role("checkbox", name="accept")).nth(2).click()
    settle(page)
    click(page, "^Accept the 5 ticked")
    expect(page.get_by_text(re.compile("5 suggestion\\(s\\) of the group li → h accepted at once"))).to_be_visible()
    now = decided()
    group = {word: now[word] for word in ("wliere", "tliey", "Tlie", "sliould", "witli")}
    assert {action for action, _ in group.values()} == {"accept"}
    assert len({batch for _, batch in group.values()}) == 1 and None not in {b for _, b in group.values()}
    assert "liad" not in now  # unticked: still open

    click(page, "^Undo")
    expect(page.get_by_text(re.compile("5 decisions at once"))).to_be_visible()
    assert set(decided()) == {"tliat", "tlie"}
