"""The dashboard in a real browser: Debian's Chromium, headless, driven by Playwright against
``streamlit run app.py`` on 127.0.0.1. Tiles come from a local server that has none, so the
map also shows its 'no map tiles' note; nothing here touches the internet."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from components.catalog import BROAD_LAYER_NAME
from tests.browser import (
    BROWSER_MARKS,
    LOAD_TIMEOUT_MS,
    UPDATE_TIMEOUT_MS,
    expect,
    map_frame,
    marker,
)

pytestmark = BROWSER_MARKS

REPO_ROOT = Path(__file__).resolve().parents[1]
FRONT_LINE_SENTENCE = "still left Pokrovsk, Kupiansk and Kostyantynivka in Ukrainian hands"

HOSTILE_ARTICLE = (
    "Drones struck Pokrovsk overnight <img src=x onerror=alert(1)> officials said.\n"
    "In Kharkiv, <script>alert(2)</script> the sirens sounded for hours.\n"
    "Odesa `${alert(3)}` \\u0041 </textarea> was quiet, and Kupiansk held.\n"
)


# A row chosen in the table re-centres the map; Leaflet pans there after the rerun's props
# reach the frame. A marker clicked before the pan ends may be clicked where it was.
CENTRED_AND_STILL = """name => {
    const map = window.map;
    if (!map) { return false; }
    let target = null;
    map.eachLayer(layer => { if (layer.options && layer.options.title === name) target = layer; });
    const panning = map._panAnim && map._panAnim._inProgress;
    return target !== null && !panning && map.getCenter().distanceTo(target.getLatLng()) < 1000;
}"""


def wait_until_centred_on(page: Any, name: str) -> None:
    frame = next(frame for frame in page.frames if "streamlit_folium" in frame.url)
    frame.wait_for_function(CENTRED_AND_STILL, arg=name, timeout=UPDATE_TIMEOUT_MS)


def open_app(page: Any, url: str, first_marker: str) -> None:
    page.goto(url)
    marker(page, first_marker).wait_for(state="visible", timeout=LOAD_TIMEOUT_MS)


def excerpts(page: Any) -> Any:
    return page.locator(".st-key-excerpts_panel .frontline-excerpt")


def context_panel(page: Any) -> Any:
    return page.locator(".st-key-context_panel")


def test_markers_for_the_front_line_towns_and_budapest(
    start_app: Any, page: Any, artifacts_dir: Path
) -> None:
    server = start_app()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    open_app(page, server.url, "Pokrovsk")
    for name in ("Pokrovsk", "Kupiansk", "Kostiantynivka", "Budapest"):
        icon = marker(page, name)
        expect()(icon).to_have_count(1)
        # Leaflet sets alt on image icons too: screen readers announce the place.
        expect()(icon).to_have_attribute("alt", name)
        expect()(icon).to_have_attribute("role", "button")
    # Countries, seas and regions sit in an optional layer that starts switched off.
    expect()(marker(page, "Ukraine")).to_have_count(0)
    # The Leaflet files came from the app itself, and the map credits GeoNames.
    attribution = map_frame(page).locator(".leaflet-control-attribution")
    expect()(attribution).to_contain_text("GeoNames")
    expect()(attribution).to_contain_text("CC BY 4.0")
    expect()(map_frame(page).locator(".frontline-tiles-note")).to_contain_text(
        "No map tiles", timeout=UPDATE_TIMEOUT_MS
    )
    # Everything the page loaded came from 127.0.0.1 (the app, the local tile server) or
    # was inline: no CDN.
    outside = [url for url in requested if not url.startswith(("http://127.0.0.1", "data:"))]
    assert outside == []
    assert any("/app/static/leaflet-1.9.3/leaflet.js" in url for url in requested)
    assert page.dialogs == []
    page.screenshot(path=str(artifacts_dir / "dashboard-all-places.png"), full_page=True)


def test_filter_from_the_url_leaves_its_marker_and_its_excerpts_only(
    start_app: Any, page: Any
) -> None:
    server = start_app()
    open_app(page, server.url + "?place=Pokrovsk", "Pokrovsk")
    expect()(map_frame(page).locator("img.leaflet-marker-icon")).to_have_count(1)
    expect()(excerpts(page).first).to_be_visible()
    for text in excerpts(page).all_inner_texts():
        assert "Pokrovsk" in text
    assert set(page.locator(".st-key-excerpts_panel mark").all_inner_texts()) == {"Pokrovsk"}
    expect()(page.locator(".st-key-place_filter")).to_contain_text("Pokrovsk")

    # The exports hold the current selection only.
    with page.expect_download() as geojson_download:
        page.locator(".st-key-export_geojson button").first.click()
    collection = json.loads(Path(geojson_download.value.path()).read_text(encoding="utf-8"))
    assert [feature["properties"]["name"] for feature in collection["features"]] == ["Pokrovsk"]
    assert geojson_download.value.suggested_filename.endswith("Pokrovsk.geojson")
    with page.expect_download() as csv_download:
        page.locator(".st-key-export_csv button").first.click()
    rows = list(csv.DictReader(io.StringIO(Path(csv_download.value.path()).read_text("utf-8"))))
    assert [row["name"] for row in rows] == ["Pokrovsk"]


def test_filter_from_the_multiselect_updates_map_excerpts_and_url(
    start_app: Any, page: Any
) -> None:
    server = start_app()
    open_app(page, server.url, "Budapest")
    expect()(marker(page, "Kupiansk")).to_have_count(1)
    # A mark on the map's window: if the filter reloaded the map, the mark would be gone.
    map_window = next(frame for frame in page.frames if "streamlit_folium" in frame.url)
    map_window.evaluate("() => { window.frontlineProbe = 'same map'; }")
    page.locator(".st-key-place_filter input").click()
    page.keyboard.type("Budapest")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect()(map_frame(page).locator("img.leaflet-marker-icon")).to_have_count(
        1, timeout=UPDATE_TIMEOUT_MS
    )
    expect()(marker(page, "Budapest")).to_have_count(1)
    expect()(page).to_have_url(re.compile(r"[?&]place=Budapest\b"), timeout=UPDATE_TIMEOUT_MS)
    expect()(excerpts(page)).to_have_count(1, timeout=UPDATE_TIMEOUT_MS)
    expect()(excerpts(page).first).to_contain_text("The Budapest summit with Putin")
    assert map_window.evaluate("() => window.frontlineProbe") == "same map"

    # Countries, seas and regions are an optional layer, off at first, on at a switch, and
    # still without a reload.
    page.locator(".st-key-place_filter input").click()
    page.keyboard.type("Ukraine")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect()(page).to_have_url(re.compile(r"place=Ukraine\b"), timeout=UPDATE_TIMEOUT_MS)
    expect()(excerpts(page).filter(has_text="Ukraine").first).to_be_visible()
    expect()(marker(page, "Ukraine")).to_have_count(0)
    switch = page.get_by_role("switch", name=BROAD_LAYER_NAME)
    switch.focus()  # moving the focus also closes the multiselect's menu
    page.keyboard.press("Space")
    expect()(switch).to_be_checked()
    expect()(marker(page, "Ukraine")).to_have_count(1, timeout=UPDATE_TIMEOUT_MS)
    expect()(marker(page, "Budapest")).to_have_count(1)
    expect()(marker(page, "Ukraine")).to_have_class(re.compile("frontline-marker-country"))
    assert map_window.evaluate("() => window.frontlineProbe") == "same map"


def test_clicking_markers_shows_their_context_every_time(
    start_app: Any, page: Any, artifacts_dir: Path
) -> None:
    server = start_app()
    towns = "?place=Pokrovsk&place=Kupiansk&place=Kostiantynivka&place=Budapest"
    open_app(page, server.url + towns, "Kupiansk")
    panel = context_panel(page)

    marker(page, "Kupiansk").click()
    expect()(panel).to_contain_text(FRONT_LINE_SENTENCE, timeout=UPDATE_TIMEOUT_MS)
    expect()(panel).to_contain_text("Why it is placed here")
    expect()(panel.locator("h4")).to_have_text(["Kupiansk"])
    # The marker's popup opened too, with the place and its first excerpt.
    popup = map_frame(page).locator(".leaflet-popup-content")
    expect()(popup).to_contain_text("Kupiansk")
    expect()(popup).to_contain_text("Kharkiv")
    page.screenshot(path=str(artifacts_dir / "dashboard-kupiansk-context.png"), full_page=True)

    # Another marker.
    marker(page, "Budapest").click()
    expect()(panel.locator("h4")).to_have_text(["Budapest"], timeout=UPDATE_TIMEOUT_MS)
    expect()(panel).to_contain_text("The Budapest summit with Putin")

    # The first marker again, and then the same marker twice in a row (after closing the
    # panel): each click counts, although the map reports the same place each time.
    marker(page, "Kupiansk").click()
    expect()(panel.locator("h4")).to_have_text(["Kupiansk"], timeout=UPDATE_TIMEOUT_MS)
    page.locator(".st-key-clear_focus button").first.click()
    expect()(panel).to_have_count(0, timeout=UPDATE_TIMEOUT_MS)
    marker(page, "Kupiansk").click()
    expect()(panel).to_contain_text(FRONT_LINE_SENTENCE, timeout=UPDATE_TIMEOUT_MS)
    assert page.dialogs == []


def test_hostile_article_text_is_shown_as_text_and_never_runs(
    start_app: Any, page: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    article = tmp_path_factory.mktemp("hostile") / "hostile.txt"
    article.write_text(HOSTILE_ARTICLE, encoding="utf-8")
    server = start_app(article)
    open_app(page, server.url, "Pokrovsk")

    panel_text = page.locator(".st-key-excerpts_panel").inner_text()
    assert "<img src=x onerror=alert(1)>" in panel_text
    assert "<script>alert(2)</script>" in panel_text
    assert "`${alert(3)}` \\u0041" in panel_text
    assert page.locator(".st-key-excerpts_panel img, .st-key-excerpts_panel script").count() == 0

    # The popup shows the first excerpt, payload included, as text.
    marker(page, "Pokrovsk").click()
    popup = map_frame(page).locator(".leaflet-popup-content")
    expect()(popup).to_contain_text("<img src=x onerror=alert(1)>", timeout=UPDATE_TIMEOUT_MS)
    assert popup.locator("img").count() == 0
    map_frame(page).locator(".leaflet-popup-close-button").click()
    marker(page, "Kupiansk").hover()
    expect()(map_frame(page).locator(".leaflet-tooltip")).to_have_text("Kupiansk")
    # Kharkiv's marker may overlap Kupiansk's at this zoom: click Kupiansk's icon itself.
    marker(page, "Kupiansk").dispatch_event("click")
    expect()(popup).to_contain_text("`${alert(3)}` \\u0041 </textarea>")
    # The context panel shows the same sentences as text.
    expect()(context_panel(page)).to_contain_text("`${alert(3)}`", timeout=UPDATE_TIMEOUT_MS)

    page.wait_for_timeout(1000)  # give any injected handler the time to fire
    assert page.dialogs == []
    # The dialog listener does hear the map's frame: a deliberate alert there is recorded.
    frame = next(frame for frame in page.frames if "streamlit_folium" in frame.url)
    frame.evaluate("() => { alert('probe'); }")
    assert page.dialogs == ["probe"]


def test_readme_screenshot(start_app: Any, page: Any, artifacts_dir: Path) -> None:
    """The README's picture: the sample article with a front-line town's context open
    (``FRONTLINE_UPDATE_SCREENSHOT=1`` refreshes docs/screenshot.png)."""
    snapshots = REPO_ROOT.parent / "shared" / "frontline"
    server = start_app(env={"FRONTLINE_TERRITORY_DIR": str(snapshots)})
    towns = "?place=Pokrovsk&place=Kupiansk&place=Kostiantynivka"
    open_app(page, server.url + towns, "Pokrovsk")
    if snapshots.is_dir():
        legend = map_frame(page).locator(".frontline-legend")
        expect()(legend).to_contain_text("2025-10-17", timeout=UPDATE_TIMEOUT_MS)
    marker(page, "Pokrovsk").click()
    expect()(context_panel(page)).to_contain_text(FRONT_LINE_SENTENCE, timeout=UPDATE_TIMEOUT_MS)
    page.wait_for_timeout(500)
    shot = artifacts_dir / "screenshot.png"
    page.screenshot(path=str(shot), full_page=False)
    # The committed copy changes only on request, so test runs leave the tree clean.
    committed = REPO_ROOT / "docs" / "screenshot.png"
    if not committed.exists() or os.environ.get("FRONTLINE_UPDATE_SCREENSHOT") == "1":
        committed.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, committed)


def test_selecting_a_table_row_selects_its_place(start_app: Any, page: Any) -> None:
    server = start_app()
    open_app(page, server.url + "?place=Pokrovsk&place=Kostiantynivka", "Kostiantynivka")
    grid = page.locator('[data-testid="stDataFrame"]')
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    # Rows follow the filter's order; the grid is a canvas: click the second row's checkbox
    # (header and rows are 35 px high).
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 35 + 17)
    panel = context_panel(page)
    expect()(panel.locator("h4")).to_have_text(["Kostiantynivka"], timeout=UPDATE_TIMEOUT_MS)
    expect()(panel).to_contain_text(FRONT_LINE_SENTENCE)
    wait_until_centred_on(page, "Kostiantynivka")
    # A marker click afterwards takes the panel over from the table.
    marker(page, "Pokrovsk").click()
    expect()(panel.locator("h4")).to_have_text(["Pokrovsk"], timeout=UPDATE_TIMEOUT_MS)
