"""The all-articles map in a real browser (Chromium driving ``streamlit run app.py`` on
127.0.0.1): markers from several articles, a click listing the sentences of more than one
article newest first, each opening its article, and the date range narrowing the markers.
One server and one page load."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Any

from frontline import service
from frontline.settings import DEFAULT_TILES_ATTRIBUTION
from frontline.store import ArticleStore
from tests.browser import (
    BROWSER_MARKS,
    LOAD_TIMEOUT_MS,
    MAP_IFRAME,
    UPDATE_TIMEOUT_MS,
    expect,
    map_frame,
)

pytestmark = BROWSER_MARKS
REPO_ROOT = Path(__file__).resolve().parents[1]

REPORTS = (
    ("Strikes on Kharkiv and Odesa", dt.date(2025, 3, 1),
     "Drones hit Kharkiv overnight. A missile struck the port of Odesa on Tuesday."),
    ("Kharkiv in the dark", dt.date(2025, 3, 5),
     "Shelling hit Kharkiv again. Kharkiv was without power for a day."),
    ("Volunteers in Lviv", dt.date(2025, 4, 20),
     "Volunteers in Lviv packed medical kits on Sunday."),
)  # fmt: skip


def across_marker(page: Any, name: str) -> Any:
    return map_frame(page).locator(f'.leaflet-marker-icon[title="{name}"]')


def settled(page: Any) -> None:
    app = page.locator('[data-testid="stApp"]')
    expect()(app).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=UPDATE_TIMEOUT_MS
    )
    expect()(page.locator(MAP_IFRAME)).to_have_count(1, timeout=UPDATE_TIMEOUT_MS)


def test_all_articles_map_clicks_and_date_range(
    start_app: Any, page: Any, geoparser: Any, tmp_path: Path, artifacts_dir: Path
) -> None:
    data_dir = tmp_path / "data"
    with ArticleStore(data_dir / "library.sqlite3") as store:
        for title, date, text in REPORTS:
            service.add_to_library(
                store,
                geoparser.geoparse,
                service.article_from_paste(text, max_bytes=100_000, title=title, date=date),
            )
    start_article = tmp_path / "start.txt"
    start_article.write_text("Officials in Lviv met on Monday.\n", encoding="utf-8")
    server = start_app(article=start_article, data_dir=data_dir)
    page.goto(server.url)
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect()(sidebar).to_contain_text("Article (4 in the library)", timeout=LOAD_TIMEOUT_MS)
    sidebar.locator(".st-key-library_view button", has_text="All articles").click()
    expect()(page.locator("h1")).to_have_text("All articles", timeout=UPDATE_TIMEOUT_MS)
    settled(page)

    # Markers from several articles: Kharkiv (two), Odesa (one), Lviv (two, one undated).
    for name in ("Kharkiv", "Odesa", "Lviv"):
        expect()(across_marker(page, name)).to_have_count(1, timeout=UPDATE_TIMEOUT_MS)
    # Tiles set but none sent: the credits name what is drawn, not the tile server.
    credits = map_frame(page).locator(".leaflet-control-attribution")
    expect()(credits).to_contain_text("Natural Earth")
    expect()(credits).not_to_contain_text(DEFAULT_TILES_ATTRIBUTION)
    kharkiv_size = across_marker(page, "Kharkiv").bounding_box()["width"]
    odesa_size = across_marker(page, "Odesa").bounding_box()["width"]
    assert kharkiv_size > odesa_size  # three mentions against one

    # A click lists the sentences naming Kharkiv in both articles, the newest first.
    across_marker(page, "Kharkiv").dispatch_event("click")
    panel = page.locator(".st-key-across_sentences")
    expect()(panel.locator("h4")).to_have_text("Kharkiv", timeout=UPDATE_TIMEOUT_MS)
    excerpts = panel.locator(".frontline-excerpt")
    expect()(excerpts).to_have_count(3)
    wheres = excerpts.locator(".frontline-where").all_inner_texts()
    assert wheres == [
        "Kharkiv in the dark · 2025-03-05",
        "Kharkiv in the dark · 2025-03-05",
        "Strikes on Kharkiv and Odesa · 2025-03-01",
    ]
    expect()(excerpts.first.locator("mark")).to_have_text("Kharkiv")
    shot = artifacts_dir / "all-articles-map.png"
    page.screenshot(path=str(shot))
    committed = REPO_ROOT / "docs" / "screenshot-all-articles.png"
    if not committed.exists() or os.environ.get("FRONTLINE_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(shot, committed)

    # The date range: the end moved back to the first date leaves that day's articles.
    end = page.get_by_role("slider", name="Article dates — end")
    expect()(end).to_have_attribute("aria-valuetext", "2025-04-20")
    end.focus()
    page.keyboard.press("Home")
    expect()(end).to_have_attribute("aria-valuetext", "2025-03-01", timeout=UPDATE_TIMEOUT_MS)
    settled(page)
    expect()(across_marker(page, "Lviv")).to_have_count(0, timeout=UPDATE_TIMEOUT_MS)
    expect()(across_marker(page, "Kharkiv")).to_have_count(1)
    expect()(across_marker(page, "Odesa")).to_have_count(1)
    expect()(page.get_by_text("1 article · 2 places · 2 mentions")).to_be_visible()

    # The place clicked stays open, its sentences now those of the range; "Open" on one
    # opens its article.
    expect()(excerpts).to_have_count(1, timeout=UPDATE_TIMEOUT_MS)
    settled(page)
    panel.get_by_role("button", name="Open").click()
    expect()(page.locator("h1")).to_contain_text(
        "Strikes on Kharkiv and Odesa", timeout=UPDATE_TIMEOUT_MS
    )
    assert page.dialogs == []
