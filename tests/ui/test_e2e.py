"""End to end in Debian's chromium: start `workbench app`, review a flag, see the correction in the export.

The app runs as a real server (a subprocess on a free localhost port) over a throw-away collection and
review database; the browser is driven headless with Playwright. A screenshot of every page is saved under
reports/screenshots/ for the README.
"""

from __future__ import annotations

import os
import re
import shutil
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
DOC = "us-japan-1974"

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
def briefing_paper(tmp_path):
    """A copy of the briefing paper (scans, stored OCR, gold) as the only document of a collection."""
    from workbench.corpus import Collection

    source, home = Collection(REPO), Collection(tmp_path / "collection")
    shutil.copytree(source.document_dir(DOC), home.document_dir(DOC))
    shutil.copytree(source.ocr_dir(DOC), home.ocr_dir(DOC))
    shutil.copytree(source.gold_dir(DOC), home.gold_dir(DOC))
    return home


@pytest.fixture
def server(briefing_paper, tmp_path):
    """`workbench app` on a free port over the briefing paper; stopped (its whole process group) at the end."""
    yield from serve(briefing_paper.home, tmp_path)


@pytest.fixture
def scanless(tmp_path):
    """A collection whose only document was made with `workbench add` from an OCR file and a gold file."""
    from workbench.cli import main
    from workbench.corpus import Collection

    home = Collection(tmp_path / "scanless")
    home.home.mkdir()
    ocr, gold = tmp_path / "vendor-ocr.txt", tmp_path / "gold.txt"
    ocr.write_text("MEMORANDUM\nThe Treaty of Mutual Cooperatlon stands.\fPage two is clean.\n", encoding="utf-8")
    gold.write_text("MEMORANDUM\nThe Treaty of Mutual Cooperation stands.\fPage two is clean.\n", encoding="utf-8")
    os.environ["WORKBENCH_HOME"], previous = str(home.home), os.environ.get("WORKBENCH_HOME")
    try:
        assert main(["add", "vendor-memo", "--title", "Vendor memo", "--ocr", str(ocr), "--gold", str(gold)]) == 0
    finally:
        if previous is None:
            os.environ.pop("WORKBENCH_HOME")
        else:
            os.environ["WORKBENCH_HOME"] = previous
    return home


@pytest.fixture
def scanless_server(scanless, tmp_path):
    """`workbench app` over the scan-less collection."""
    yield from serve(scanless.home, tmp_path)


def serve(home: Path, tmp_path: Path):
    """Run `workbench app` over `home` on a free port until the generator is closed; yields its URL."""
    port = free_port()
    log = (tmp_path / "server.log").open("wb")
    env = {**os.environ, "WORKBENCH_HOME": str(home), "WORKBENCH_DB": str(tmp_path / "e2e.db")}
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


def launch_chromium(playwright):
    """Debian's chromium, headless, launched as this machine allows (no sandbox, GPU or background traffic)."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    )


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.set_default_timeout(30_000)
            yield page
        finally:
            browser.close()


def settle(page) -> None:
    """Wait until the app has finished its rerun (Streamlit's running indicator is gone) and its images,
    which load after the rerun, are in."""
    page.wait_for_timeout(250)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000
    )
    page.wait_for_timeout(500)
    page.wait_for_function("() => Array.from(document.images).every(i => i.complete)", timeout=30_000)


def open_page(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    page.get_by_role("heading", name=title).first.wait_for()
    settle(page)


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def target_flag(collection):
    """The first flag in review order that a reader would check by eye: a misread word whose top
    suggestion is a plain word. Returns its place in the open queue, the flag, and the text the export
    must show once it is accepted (the OCR line with the word replaced)."""
    from workbench import review, views

    flags = views.document_flags(collection, collection.document(DOC))
    queue = review.queue([f for page in flags.values() for f in page], [], review.QueueFilter(status="open"))
    for position, item in enumerate(queue.items):
        flag = item.flag
        if flag.category.value == "misread_word" and flag.suggestions and flag.suggestions[0].isalpha():
            text = (collection.ocr_dir(DOC) / f"page-{flag.page:03d}.txt").read_text(encoding="utf-8")
            line = views.ocr_in_context(text, flag.start, flag.end)
            expected = (line.before[-12:] + flag.suggestions[0] + line.after[:12]).strip()
            return position, flag, expected
    raise AssertionError("the briefing paper has no misread word to review")


def test_review_a_flag_and_see_the_correction_in_the_export(briefing_paper, server, browser_page):
    from playwright.sync_api import expect

    position, flag, expected = target_flag(briefing_paper)
    page = browser_page
    page.goto(server)
    page.get_by_role("heading", name="Documents").first.wait_for()
    settle(page)
    expect(page.get_by_role("heading", name=re.compile("^US-Japan Security Relations"))).to_be_visible()
    shoot(page, "documents")

    open_page(page, "Compare")
    expect(page.locator("table.wb-diff")).to_be_visible()
    expect(page.locator("table.wb-diff")).to_contain_text("classification")  # markings told apart from body
    shoot(page, "compare")

    open_page(page, "Review")
    page.get_by_label("Your name (recorded with each decision)").fill("Ann Archivist")
    page.get_by_role("button", name="Start reviewing").click()
    accept = page.get_by_role("button", name=re.compile("^Accept"))
    accept.wait_for()
    settle(page)
    for _ in range(position):  # step through the queue to the misread word
        page.get_by_role("button", name=re.compile("^Next")).click()
        settle(page)
    expect(page.get_by_role("heading", name=re.compile(f"^Flag {position + 1} of .* misread word"))).to_be_visible()
    expect(page.locator(".wb-sub", has_text=flag.text).first).to_be_visible()
    expect(page.get_by_text("Ann Archivist").first).to_be_visible()
    shoot(page, "review")
    accept.click()
    settle(page)
    expect(page.get_by_text(re.compile("^Saved: you accepted"))).to_be_visible()

    open_page(page, "Reports")
    shoot(page, "reports")

    open_page(page, "Export")
    expect(page.locator("textarea").first).to_contain_text(expected)
    shoot(page, "export")


def test_a_document_without_scans_is_reviewed_and_exported(scanless_server, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(scanless_server)
    page.get_by_role("heading", name="Documents").first.wait_for()
    settle(page)
    expect(page.get_by_role("heading", name=re.compile("^Vendor memo"))).to_be_visible()

    open_page(page, "Compare")
    expect(page.get_by_text("No scan for this page")).to_be_visible()
    expect(page.locator("table.wb-diff")).to_contain_text("Cooperatlon")

    open_page(page, "Review")
    page.get_by_label("Your name (recorded with each decision)").fill("Ann Archivist")
    page.get_by_role("button", name="Start reviewing").click()
    accept = page.get_by_role("button", name=re.compile("^Accept"))
    accept.wait_for()
    settle(page)
    expect(page.get_by_text("No scan for this page")).to_be_visible()
    expect(page.locator(".wb-sub", has_text="Cooperatlon").first).to_be_visible()
    accept.click()
    settle(page)
    expect(page.get_by_text(re.compile("^Saved: you accepted"))).to_be_visible()

    open_page(page, "Export")
    expect(page.locator("textarea").first).to_contain_text("Mutual Cooperation stands.")
