"""The library in a real browser (Chromium, headless, driven by Playwright against
``streamlit run app.py`` on 127.0.0.1, each test on its own data folder): a pasted article's
places on the map, a correction that survives a reload and a server restart, bad inputs
refused with one message, and the all-articles view."""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.browser import (
    BROWSER_MARKS,
    LOAD_TIMEOUT_MS,
    MAP_IFRAME,
    UPDATE_TIMEOUT_MS,
    expect,
    marker,
)

pytestmark = BROWSER_MARKS

REPO_ROOT = Path(__file__).resolve().parents[1]
KHARKIV_ODESA = "Drones hit Kharkiv overnight. A missile struck the port of Odesa on Tuesday."
REASON = "the story is about the ship Odesa, not the city"


def all_markers(page: Any) -> Any:
    return page.frame_locator(MAP_IFRAME).locator("img.leaflet-marker-icon")


def wait_until_settled(page: Any) -> None:
    """Wait for the run to end with one map on the page: while a new article is drawn, the
    previous article's map may linger for a moment beside the new one."""
    app = page.locator('[data-testid="stApp"]')
    expect()(app).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=UPDATE_TIMEOUT_MS
    )
    expect()(page.locator(MAP_IFRAME)).to_have_count(1, timeout=UPDATE_TIMEOUT_MS)


def open_app(page: Any, url: str, first_marker: str) -> None:
    page.goto(url)
    marker(page, first_marker).wait_for(state="visible", timeout=LOAD_TIMEOUT_MS)


def sidebar(page: Any) -> Any:
    return page.locator('[data-testid="stSidebar"]')


def open_add_dialog(page: Any) -> Any:
    page.locator(".st-key-library_add button").click()
    dialog = page.get_by_role("dialog")
    expect()(dialog).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
    return dialog


def corrections_list(page: Any) -> Any:
    return page.locator('[class*="st-key-correction_"]')


def test_pasted_article_correction_survives_reload_and_restart(
    start_app: Any, page: Any, tmp_path: Path, artifacts_dir: Path
) -> None:
    data_dir = tmp_path / "data"
    server = start_app(data_dir=data_dir)
    open_app(page, server.url, "Pokrovsk")  # the sample is in a new library
    expect()(sidebar(page)).to_contain_text("Article (1 in the library)")

    dialog = open_add_dialog(page)
    dialog.get_by_label("Article text").fill(KHARKIV_ODESA)
    dialog.get_by_label("Title (optional)").fill("Strikes on Kharkiv and Odesa")
    dialog.get_by_role("button", name="Add to the library").click()
    expect()(dialog).to_have_count(0, timeout=LOAD_TIMEOUT_MS)
    expect()(page.locator("h1")).to_contain_text("Strikes on Kharkiv and Odesa")
    wait_until_settled(page)
    expect()(marker(page, "Kharkiv")).to_have_count(1, timeout=UPDATE_TIMEOUT_MS)
    expect()(marker(page, "Odesa")).to_have_count(1)
    expect()(all_markers(page)).to_have_count(2)
    expect()(page.locator("h1")).to_contain_text("Strikes on Kharkiv and Odesa")
    expect()(page).to_have_url(re.compile(r"[?&]article=2\b"))
    expect()(sidebar(page)).to_contain_text("Article (2 in the library)")

    # Odesa is wrong here: open its context, remove it, say why.
    marker(page, "Odesa").click()
    panel = page.locator(".st-key-context_panel")
    expect()(panel.locator("h4")).to_have_text(["Odesa"], timeout=UPDATE_TIMEOUT_MS)
    panel.get_by_text("Correct Odesa").click()
    panel.get_by_text("Not a place: remove it").click()
    # The removal form replaces the candidate form (which has a "Why" box too): wait for it
    # before typing, or the words go into the box on its way out.
    remove = panel.get_by_role("button", name="Remove Odesa")
    expect()(remove).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
    reason = panel.get_by_label("Why (shown with the correction)")
    # On a loaded machine the outgoing form's box lingers until the run ends.
    expect()(reason).to_have_count(1, timeout=UPDATE_TIMEOUT_MS)
    reason.fill(REASON)
    expect()(reason).to_have_value(REASON)
    remove.click()
    expect()(marker(page, "Odesa")).to_have_count(0, timeout=UPDATE_TIMEOUT_MS)
    expect()(marker(page, "Kharkiv")).to_have_count(1)
    expect()(corrections_list(page)).to_have_count(1, timeout=UPDATE_TIMEOUT_MS)
    expect()(corrections_list(page)).to_contain_text("Odesa: removed")
    expect()(corrections_list(page)).to_contain_text(REASON)

    # A reload: a new session, the same article (from the URL) and the same correction.
    page.reload()
    marker(page, "Kharkiv").wait_for(state="visible", timeout=LOAD_TIMEOUT_MS)
    wait_until_settled(page)
    expect()(all_markers(page)).to_have_count(1)
    expect()(corrections_list(page)).to_contain_text("Odesa: removed")
    corrections_list(page).scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "library-after-reload.png"))

    # A restart of the server on the same data folder: the library is still there.
    server.stop()
    restarted = start_app(data_dir=data_dir)
    open_app(page, restarted.url, "Pokrovsk")
    expect()(sidebar(page)).to_contain_text("Article (2 in the library)")
    sidebar(page).locator(".st-key-library_article").click()
    page.get_by_role("option", name=re.compile("Strikes on Kharkiv and Odesa")).click()
    expect()(page.locator("h1")).to_contain_text(
        "Strikes on Kharkiv and Odesa", timeout=UPDATE_TIMEOUT_MS
    )
    wait_until_settled(page)
    marker(page, "Kharkiv").wait_for(state="visible", timeout=UPDATE_TIMEOUT_MS)
    expect()(all_markers(page)).to_have_count(1)
    expect()(corrections_list(page)).to_contain_text(REASON)
    assert page.dialogs == []


NEWS_PAGE = (
    "<!doctype html><html><head><title>Strikes overnight</title>"
    '<meta property="article:published_time" content="2025-11-04"></head><body>'
    "<nav>Home | World | Europe</nav><article><h1>Strikes overnight</h1>"
    f"<p>{KHARKIV_ODESA}</p>"
    "<p>Emergency crews worked through the morning to put out the fires near the quays, "
    "officials said.</p></article><footer>Copyright</footer></body></html>"
)


@pytest.fixture
def news_site() -> Iterator[str]:
    """One news page on 127.0.0.1 (a loopback address: fetched only when allowed)."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = NEWS_PAGE.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/news/strikes-overnight"
    server.shutdown()
    server.server_close()


def test_a_link_and_an_upload_end_to_end(
    start_app: Any, page: Any, tmp_path: Path, news_site: str
) -> None:
    """With private addresses allowed (the page is on 127.0.0.1), a link is fetched, reduced
    to its article and mapped; an uploaded HTML file the same."""
    server = start_app(data_dir=tmp_path / "data", env={"FRONTLINE_ALLOW_PRIVATE_URLS": "1"})
    open_app(page, server.url, "Pokrovsk")

    dialog = open_add_dialog(page)
    dialog.get_by_role("tab", name="From a link").click()
    expect()(dialog.get_by_text("Private and local addresses are allowed")).to_be_visible()
    dialog.get_by_label("Address of the article").fill(news_site)
    dialog.get_by_role("button", name="Fetch and add").click()
    expect()(dialog).to_have_count(0, timeout=LOAD_TIMEOUT_MS)
    expect()(page.locator("h1")).to_have_text("Strikes overnight", timeout=UPDATE_TIMEOUT_MS)
    expect()(page.get_by_text("Date: 2025-11-04")).to_be_visible()
    expect()(page.get_by_text(f"Source: {news_site}")).to_be_visible()
    wait_until_settled(page)
    marker(page, "Kharkiv").wait_for(state="visible", timeout=UPDATE_TIMEOUT_MS)
    expect()(marker(page, "Odesa")).to_have_count(1)
    excerpts_text = page.locator(".st-key-excerpts_panel").inner_text()
    assert "Home | World" not in excerpts_text and "Copyright" not in excerpts_text

    dialog = open_add_dialog(page)
    dialog.get_by_role("tab", name="Upload a file").click()
    dialog.locator('input[type="file"]').set_input_files(
        files=[
            {
                "name": "saved-page.html",
                "mimeType": "text/html",
                "buffer": NEWS_PAGE.replace("Strikes overnight", "Night of drones")
                .replace("Odesa", "Dnipro")
                .encode("utf-8"),
            }
        ]
    )
    expect()(dialog.get_by_text("saved-page.html")).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
    dialog.get_by_role("tabpanel").get_by_role("button", name="Add to the library").click()
    expect()(dialog).to_have_count(0, timeout=LOAD_TIMEOUT_MS)
    expect()(page.locator("h1")).to_have_text("Night of drones", timeout=UPDATE_TIMEOUT_MS)
    wait_until_settled(page)
    marker(page, "Dnipro").wait_for(state="visible", timeout=UPDATE_TIMEOUT_MS)
    expect()(marker(page, "Odesa")).to_have_count(0)
    expect()(sidebar(page)).to_contain_text("Article (3 in the library)")
    assert page.dialogs == []


def test_bad_inputs_show_one_message_and_add_nothing(
    start_app: Any, page: Any, tmp_path: Path
) -> None:
    server = start_app(data_dir=tmp_path / "data")
    open_app(page, server.url, "Pokrovsk")
    dialog = open_add_dialog(page)

    def shows_one_message(text: str) -> None:
        # The visible tab's form shows the message, once; stale alerts of an earlier run
        # may linger for a moment while the dialog is redrawn.
        message = dialog.get_by_test_id("stAlert").filter(has_text=text)
        expect()(message).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
        alerts = dialog.get_by_role("tabpanel").get_by_test_id("stAlert")
        expect()(alerts).to_have_count(1, timeout=UPDATE_TIMEOUT_MS)

    # An empty paste.
    dialog.get_by_role("button", name="Add to the library").click()
    shows_one_message("the pasted text is empty")

    # A binary file named .txt.
    dialog.get_by_role("tab", name="Upload a file").click()
    dialog.locator('input[type="file"]').set_input_files(
        files=[
            {
                "name": "photo.txt",
                "mimeType": "text/plain",
                "buffer": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8,
            }
        ]
    )
    expect()(dialog.get_by_text("photo.txt")).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
    dialog.get_by_role("tabpanel").get_by_role("button", name="Add to the library").click()
    shows_one_message("photo.txt: this is a binary file, not text")

    # A link to this very server (loopback), refused before any request.
    dialog.get_by_role("tab", name="From a link").click()
    dialog.get_by_label("Address of the article").fill(server.url + "news/1")
    dialog.get_by_role("button", name="Fetch and add").click()
    shows_one_message("a loopback address (set FRONTLINE_ALLOW_PRIVATE_URLS=1 to allow)")

    page.keyboard.press("Escape")
    expect()(dialog).to_have_count(0, timeout=UPDATE_TIMEOUT_MS)
    expect()(sidebar(page)).to_contain_text("Article (1 in the library)")
    assert page.dialogs == []


def test_all_articles_view_and_library_screenshot(
    start_app: Any, page: Any, tmp_path: Path, artifacts_dir: Path
) -> None:
    """The all-articles view over the sample and two short dated reports
    (``FRONTLINE_UPDATE_SCREENSHOT=1`` refreshes docs/screenshot-library.png)."""
    server = start_app(data_dir=tmp_path / "data")
    open_app(page, server.url, "Pokrovsk")
    reports = [
        ("Strikes on Kharkiv and Odesa", "2025-10-20", KHARKIV_ODESA),
        (
            "Kharkiv without power",
            "2025-10-24",
            "Shelling hit Kharkiv again. Kharkiv was without power, and Kyiv sent help.",
        ),
    ]
    for title, date, text in reports:
        dialog = open_add_dialog(page)
        dialog.get_by_label("Article text").fill(text)
        dialog.get_by_label("Title (optional)").fill(title)
        # The date field is three spin buttons that move the focus on by themselves; each is
        # typed into and checked in turn, as digits typed in one go went astray on a loaded
        # machine.
        for part, digits in zip(("year", "month", "day"), date.split("-"), strict=True):
            segment = dialog.get_by_role("spinbutton", name=f"{part}, Date (optional)")
            segment.click()
            segment.press_sequentially(digits)
            expect()(segment).to_have_text(digits, timeout=UPDATE_TIMEOUT_MS)
        dialog.get_by_role("button", name="Add to the library").click()
        expect()(dialog).to_have_count(0, timeout=LOAD_TIMEOUT_MS)
        expect()(page.locator("h1")).to_contain_text(title, timeout=UPDATE_TIMEOUT_MS)
        expect()(page.get_by_text(f"Date: {date}")).to_be_visible()

    sidebar(page).locator(".st-key-library_view button", has_text="All articles").click()
    expect()(page.locator("h1")).to_have_text("All articles", timeout=UPDATE_TIMEOUT_MS)
    # The timeline and the table open on request (the page opens on the map).
    chart = page.locator('[data-testid="stVegaLiteChart"]')
    table = page.locator('[data-testid="stDataFrame"]')
    expect()(page.locator(".st-key-across_table_open summary")).to_be_visible(
        timeout=UPDATE_TIMEOUT_MS
    )
    assert chart.count() == 0 and table.count() == 0
    page.locator(".st-key-across_timeline_open summary").click()
    expect()(chart).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
    expect()(chart.locator("canvas, svg").first).to_be_visible()
    page.locator(".st-key-across_table_open summary").click()
    expect()(table).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
    expect()(
        page.get_by_text(re.compile(r"^3 articles · \d+ places · \d+ mentions$"))
    ).to_be_visible()
    page.mouse.move(0, 0)
    expect()(page.get_by_test_id("stToast")).to_have_count(0, timeout=UPDATE_TIMEOUT_MS)
    shot = artifacts_dir / "screenshot-library.png"
    page.screenshot(path=str(shot))
    committed = REPO_ROOT / "docs" / "screenshot-library.png"
    if not committed.exists() or os.environ.get("FRONTLINE_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(shot, committed)

    # Filtered to one place, the caption counts only its mentions and the articles naming it.
    page.locator(".st-key-across_places input").click()
    page.keyboard.type("Kharkiv")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    named = page.get_by_text(re.compile(r"mentions? of the chosen places, in \d+ of 3 articles"))
    expect()(named).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
    count = re.search(r"in (\d+) of 3 articles", named.inner_text())
    assert count is not None and int(count.group(1)) >= 2  # both reports name Kharkiv
    assert page.dialogs == []
