"""End to end in Debian's chromium: start `workbench app`, review a flag, see the correction in the export.

The app runs as a real server (a subprocess on a free localhost port) over a throw-away collection and
review database; the browser is driven headless with Playwright. A screenshot of every page is saved under
reports/screenshots/ for the README.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "reports" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(ui_collection, tmp_path):
    """`workbench app` on a free port over the test collection; stopped (its whole process group) at the end."""
    port = free_port()
    log = (tmp_path / "server.log").open("wb")
    env = {**os.environ, "WORKBENCH_HOME": str(ui_collection.home), "WORKBENCH_DB": str(tmp_path / "e2e.db")}
    process = subprocess.Popen(
        [sys.executable, "-m", "workbench", "app", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none", "--client.toolbarMode", "viewer"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=tmp_path,
    )

    def stop() -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()

    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read() == b"ok":
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the app did not start: {(tmp_path / 'server.log').read_text()[-2000:]}")
            time.sleep(0.3)
        yield url
    finally:
        stop()


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.set_default_timeout(30_000)
            yield page
        finally:
            browser.close()


def settle(page) -> None:
    """Wait until the app has finished its rerun (Streamlit's running indicator is gone)."""
    page.wait_for_timeout(250)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000
    )


def open_page(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    page.get_by_role("heading", name=title).first.wait_for()
    settle(page)


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_review_a_flag_and_see_the_correction_in_the_export(server, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(server)
    page.get_by_role("heading", name="Documents").first.wait_for()
    settle(page)
    expect(page.get_by_role("heading", name="Test memo-1975")).to_be_visible()
    shoot(page, "documents")

    open_page(page, "Compare")
    expect(page.locator("table.wb-diff")).to_be_visible()
    expect(page.locator("table.wb-diff")).to_contain_text("<script>")  # shown as text, never run
    shoot(page, "compare")

    open_page(page, "Review")
    page.get_by_label("Your name (recorded with each decision)").fill("Ann Archivist")
    page.get_by_role("button", name="Start reviewing").click()
    accept = page.get_by_role("button", name=re.compile("^Accept"))
    accept.wait_for()
    settle(page)
    for _ in range(10):  # step through the queue to the misread "arned"
        if page.locator(".wb-sub", has_text="arned").count():
            break
        page.get_by_role("button", name=re.compile("^Next")).click()
        settle(page)
    expect(page.locator(".wb-sub", has_text="arned").first).to_be_visible()
    expect(page.get_by_text("Ann Archivist").first).to_be_visible()
    shoot(page, "review")
    accept.click()
    settle(page)
    expect(page.get_by_text("accept: saved.")).to_be_visible()

    open_page(page, "Reports")
    shoot(page, "reports")

    open_page(page, "Export")
    exported = page.locator("textarea").first
    expect(exported).to_contain_text("an armed attack")
    expect(exported).not_to_contain_text("arned")
    shoot(page, "export")
