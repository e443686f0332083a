"""End to end in Debian's chromium, as a hostile tester tried it (issue 15): signing out in team mode, an upload
of a tiny PDF whose page would render to gigabytes, and the Export page over a damaged review store. Each
shows one line, never a traceback, a server path or SQL."""

from __future__ import annotations

import re

import pytest

from tests.test_images import huge_pdf
from tests.test_reliability import damaged_store
from tests.ui.test_app import team_mode  # noqa: F401 - a fixture
from tests.ui.test_e2e import (  # noqa: F401 - browser_page and briefing_paper are fixtures
    CHROMIUM,
    briefing_paper,
    browser_page,
    open_page,
    serve,
    settle,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]

LEAKS = re.compile(r"Traceback|Error:|File \"|/tmp/|sqlalchemy|SELECT |workbench-upload-|\.adding-")


def page_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text() + page.locator('[data-testid="stSidebar"]').inner_text()


def assert_nothing_leaks(page) -> None:
    text = page_text(page)
    assert not LEAKS.search(text), text
    assert page.locator('[data-testid="stException"]').count() == 0, text


@pytest.fixture
def team_server(briefing_paper, team_mode, tmp_path):  # noqa: F811 - fixtures
    """`workbench app` in team mode (test_app's credentials: ann / s3cret) over the briefing paper."""
    yield from serve(briefing_paper.home, tmp_path)


def sign_in(page, url: str) -> None:
    page.goto(url)
    page.get_by_role("textbox", name="Username").fill("ann")
    page.get_by_role("textbox", name="Password").fill("s3cret")
    page.get_by_role("button", name="Login").click()
    page.get_by_text("Signed in as").wait_for()
    settle(page)


def test_sign_out_signs_out_and_the_old_cookie_no_longer_signs_in(team_server, browser_page):  # noqa: F811
    from playwright.sync_api import expect

    page = browser_page
    sign_in(page, team_server)
    page.wait_for_function("() => document.cookie.includes('wb_test=')", timeout=30_000)
    stolen = [c for c in page.context.cookies() if c["name"] == "wb_test"]
    assert stolen and stolen[0]["sameSite"] == "Strict"

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("textbox", name="Username").wait_for()
    settle(page)
    assert_nothing_leaks(page)  # was StreamlitWidgetAlreadyInstantiatedError for st.session_state['logout']
    expect(page.get_by_text("Signed in as")).to_have_count(0)

    # The cookie copied before signing out, replayed in a fresh browser, signs in no one.
    fresh = page.context.browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        fresh.add_cookies(stolen)
        replay = fresh.new_page()
        replay.set_default_timeout(30_000)
        replay.goto(team_server)
        replay.get_by_role("textbox", name="Username").wait_for()
        settle(replay)
        expect(replay.get_by_text("Signed in as")).to_have_count(0)
        expect(replay.get_by_text("Team mode: sign in to review.")).to_be_visible()
    finally:
        fresh.close()


@pytest.fixture
def server(briefing_paper, tmp_path):  # noqa: F811 - briefing_paper is a fixture
    yield from serve(briefing_paper.home, tmp_path)


def test_uploading_a_tiny_pdf_with_a_huge_page_is_one_line(server, browser_page, tmp_path):  # noqa: F811
    from playwright.sync_api import expect

    pdf = huge_pdf(tmp_path / "Huge scan.pdf")
    page = browser_page
    page.goto(server)
    page.get_by_role("heading", name="Documents").first.wait_for()
    settle(page)
    page.get_by_text("Add a document").click()
    page.get_by_label("Document id").fill("huge")
    page.get_by_label("Title").fill("A huge page")
    page.locator('[data-testid="stFileUploader"]').first.locator("input[type=file]").set_input_files(str(pdf))
    page.get_by_text("Huge scan.pdf").first.wait_for()
    page.get_by_role("button", name="Add document").click()
    error = page.locator('[data-testid="stAlertContentError"]')
    error.wait_for()
    settle(page)
    expect(error).to_have_text(re.compile(r"^Huge scan\.pdf page 1 at 300 dpi: image too large \(6000\dx6000\d"))
    assert_nothing_leaks(page)


@pytest.fixture
def damaged_server(briefing_paper, tmp_path):  # noqa: F811 - briefing_paper is a fixture
    """`workbench app` over the briefing paper with a review store whose pages after the first are garbage
    (at e2e.db, where `serve` points WORKBENCH_DB)."""
    damaged_store(tmp_path / "e2e.db", everything=True)
    yield from serve(briefing_paper.home, tmp_path)


def test_export_and_reports_on_a_damaged_store_are_one_line(damaged_server, browser_page):  # noqa: F811
    from playwright.sync_api import expect

    page = browser_page
    page.goto(damaged_server)
    page.get_by_role("heading", name="Documents").first.wait_for()
    settle(page)
    for title in ("Export", "Reports"):
        open_page(page, title)
        error = page.locator('[data-testid="stAlertContentError"]').first
        expect(error).to_have_text("cannot read the review store (database disk image is malformed)")
        assert_nothing_leaks(page)
