"""The map as a newcomer meets it, in Chromium: geography without tiles, the theatre in view,
markers that do not hide each other, popups clear of the legend, and the page scrolling over
the map. One app server and one page load serve the checks on the first screen; a second
server with a local tile server (tiles written here) gives the online-style screenshot.

Assertions are made on the elements' geometry in the map's frame."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from frontline.settings import DEFAULT_TILES_ATTRIBUTION
from tests.browser import (
    BROWSER_MARKS,
    LOAD_TIMEOUT_MS,
    UPDATE_TIMEOUT_MS,
    expect,
    map_frame,
    marker,
)
from tests.snapshot_fixtures import SnapshotSet

pytestmark = BROWSER_MARKS

REPO_ROOT = Path(__file__).resolve().parents[1]
# As the map names them (official romanisation; the article writes Kostyantynivka).
FRONT_TOWNS = ("Pokrovsk", "Kupiansk", "Kostiantynivka")
# Neither zooming nor panning (Leaflet's own state in the map's frame).
MAP_AT_REST = """() => !window.map._animatingZoom
    && !(window.map._panAnim && window.map._panAnim._inProgress)"""


def map_js(page: Any) -> Any:
    return next(frame for frame in page.frames if "streamlit_folium" in frame.url)


def keep_screenshot(shot: Path, name: str) -> None:
    # The committed copy changes only on request, so test runs leave the tree clean.
    committed = REPO_ROOT / "docs" / name
    if not committed.exists() or os.environ.get("FRONTLINE_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(shot, committed)


@pytest.fixture(scope="module")
def snapshots(app_snapshot_set: SnapshotSet) -> Path:
    """The real front line from ../shared where it is (the screenshots show it), else the
    written stand-in: the towns are near the line in both."""
    return app_snapshot_set.folder


@pytest.fixture(scope="module")
def served(start_app: Any, snapshots: Path) -> Any:
    return start_app(env={"FRONTLINE_TERRITORY_DIR": str(snapshots)})


@pytest.fixture(scope="module")
def first_screen(chromium: Any, served: Any) -> Iterator[Any]:
    """The sample's first screen, loaded once for the checks that only look or click."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(served.url)
    marker(page, "Pokrovsk").wait_for(state="visible", timeout=LOAD_TIMEOUT_MS)
    frame = map_frame(page)
    expect()(frame.locator(".leaflet-container[data-outlines=loaded]")).to_have_count(
        1, timeout=UPDATE_TIMEOUT_MS
    )
    expect()(frame.locator(".frontline-legend")).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
    yield page
    context.close()


def scale_km(page: Any) -> float:
    text = map_frame(page).locator(".leaflet-control-scale-line").inner_text()
    found = re.fullmatch(r"\s*(\d+)\s*(km|m)\s*", text)
    assert found is not None, text
    return float(found.group(1)) / (1000 if found.group(2) == "m" else 1)


def element_at_centre(page: Any, name: str) -> str | None:
    """The title of the topmost element at the marker's centre (None if not a marker)."""
    return map_js(page).evaluate(
        """name => {
            const icon = document.querySelector(`img.leaflet-marker-icon[title="${name}"]`);
            const box = icon.getBoundingClientRect();
            const x = box.left + box.width / 2, y = box.top + box.height / 2;
            const hit = document.elementFromPoint(x, y);
            return hit && hit.getAttribute("title");
        }""",
        name,
    )


def boxes_overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def test_first_screen_offline_shows_the_theatre_on_outlines(
    first_screen: Any, artifacts_dir: Path
) -> None:
    page = first_screen
    frame = map_frame(page)
    # Geography without tiles: Natural Earth's outlines, credited, under the occupied area.
    expect()(
        frame.locator(".frontline-outlines-pane canvas, .leaflet-frontline-outlines-pane canvas")
    ).to_have_count(1)
    credits = frame.locator(".leaflet-control-attribution")
    expect()(credits).to_contain_text("Natural Earth")
    expect()(frame.locator(".frontline-tiles-note")).to_contain_text("Natural Earth")
    # The tile server is set but sends no tile: it is not credited for a map it did not draw.
    expect()(credits).not_to_contain_text(DEFAULT_TILES_ATTRIBUTION)
    expect()(frame.locator('path.leaflet-interactive[fill="#c62828"]').first).to_be_attached()
    # The front-line towns, each its own marker, inside the map, none covering another.
    container = frame.locator(".leaflet-container").bounding_box()
    boxes = {}
    for name in FRONT_TOWNS:
        box = marker(page, name).bounding_box()
        assert box is not None
        assert (
            container["x"] <= box["x"]
            and box["x"] + box["width"] <= container["x"] + container["width"]
        )
        assert (
            container["y"] <= box["y"]
            and box["y"] + box["height"] <= container["y"] + container["height"]
        )
        # Clickable without zooming: the topmost element at its centre is the marker itself.
        assert element_at_centre(page, name) == name
        boxes[name] = box
    for first in FRONT_TOWNS:
        for second in FRONT_TOWNS:
            if first < second:
                assert not boxes_overlap(boxes[first], boxes[second]), (first, second)
    # The theatre, not the world: a scale bar of tens of km, and Washington out of view.
    assert scale_km(page) < 500
    in_view = map_js(page).evaluate("() => window.map.getBounds().contains([38.9, -77.04])")
    assert in_view is False
    shot = artifacts_dir / "screenshot-offline.png"
    page.mouse.move(5, 5)
    page.screenshot(path=str(shot))
    keep_screenshot(shot, "screenshot-offline.png")


def test_popups_are_never_covered_and_stay_in_the_map(first_screen: Any) -> None:
    page = first_screen
    frame = map_frame(page)
    for name in FRONT_TOWNS:
        marker(page, name).dispatch_event("click")
        popup = frame.locator(".leaflet-popup")
        expect()(popup).to_contain_text(name, timeout=UPDATE_TIMEOUT_MS)
        map_js(page).wait_for_function(
            "() => !window.map._panAnim || !window.map._panAnim._inProgress",
            timeout=UPDATE_TIMEOUT_MS,
        )
        page.wait_for_timeout(400)  # the pan that clears it runs on the next frame
        clear = map_js(page).evaluate(
            """() => {
                const popup = document.querySelector(".leaflet-popup").getBoundingClientRect();
                const frame = document.querySelector(".leaflet-container").getBoundingClientRect();
                const covering = Array.from(document.querySelectorAll(".leaflet-control"))
                    .filter(c => {
                        const r = c.getBoundingClientRect();
                        return r.width > 0 && r.left < popup.right && popup.left < r.right
                            && r.top < popup.bottom && popup.top < r.bottom;
                    }).map(c => c.className);
                const inside = popup.top >= frame.top && popup.bottom <= frame.bottom
                    && popup.left >= frame.left && popup.right <= frame.right;
                return {covering, inside};
            }"""
        )
        assert clear == {"covering": [], "inside": True}, (name, clear)
        frame.locator(".leaflet-popup-close-button").click()
        expect()(popup).to_have_count(0)


def test_show_all_reaches_the_far_places_and_comes_back(first_screen: Any) -> None:
    page = first_screen
    frame = map_frame(page)
    before = map_js(page).evaluate("() => window.map.getZoom()")
    frame.locator(".frontline-show-all").click()
    map_js(page).wait_for_function(
        "() => window.map.getBounds().contains([38.9, -77.04])", timeout=UPDATE_TIMEOUT_MS
    )
    expect()(frame.locator(".frontline-show-all")).to_have_text("Back to the main area")
    # Washington, the White House and Lafayette Park share a spot: one cluster, which spreads
    # on click into its three markers.
    expect()(marker(page, "White House")).to_have_count(0)
    held = map_js(page).evaluate(
        """() => {
            let names = null;
            window.map.eachLayer(layer => {
                if (layer instanceof L.MarkerCluster && layer._zoom === window.map.getZoom()) {
                    const titles = layer.getAllChildMarkers().map(m => m.options.title).sort();
                    if (titles.includes("White House")) {
                        layer._icon.setAttribute("data-test", "washington-cluster");
                        names = titles;
                    }
                }
            });
            return names;
        }"""
    )
    assert held == ["Lafayette Park", "Washington DC", "White House"]
    cluster = frame.locator("[data-test=washington-cluster]")
    cluster.click()
    expect()(marker(page, "White House")).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
    frame.locator(".frontline-show-all").click()
    map_js(page).wait_for_function(
        f"() => window.map.getZoom() === {before}", timeout=UPDATE_TIMEOUT_MS
    )


def test_wheel_scrolls_the_page_and_ctrl_wheel_zooms_the_map(first_screen: Any) -> None:
    page = first_screen
    frame = map_frame(page)
    scroller = page.locator('[data-testid="stMain"]')
    box = frame.locator(".leaflet-container").bounding_box()
    zoom = map_js(page).evaluate("() => window.map.getZoom()")
    top = scroller.evaluate("element => element.scrollTop")
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, 250)
    page.wait_for_function(
        f"() => document.querySelector('[data-testid=stMain]').scrollTop > {top}",
        timeout=UPDATE_TIMEOUT_MS,
    )
    assert map_js(page).evaluate("() => window.map.getZoom()") == zoom
    scroller.evaluate("element => { element.scrollTop = 0; }")
    box = frame.locator(".leaflet-container").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.keyboard.down("Control")
    page.mouse.wheel(0, -250)
    page.keyboard.up("Control")
    map_js(page).wait_for_function(
        f"() => window.map.getZoom() > {zoom}", timeout=UPDATE_TIMEOUT_MS
    )
    # After a click on the map (a spot with no marker), the wheel alone zooms it too. The
    # click waits for the zoom to end: Leaflet takes no click while it animates one.
    map_js(page).wait_for_function(MAP_AT_REST, timeout=UPDATE_TIMEOUT_MS)
    zoomed = map_js(page).evaluate("() => window.map.getZoom()")
    spot = map_js(page).evaluate(
        """() => {
            const frame = document.querySelector(".leaflet-container").getBoundingClientRect();
            for (let y = frame.height * 0.9; y > frame.height * 0.3; y -= 15) {
                for (let x = frame.width * 0.05; x < frame.width * 0.6; x += 15) {
                    const hit = document.elementFromPoint(frame.left + x, frame.top + y);
                    if (hit && (hit.classList.contains("leaflet-container")
                            || hit.tagName === "CANVAS")) { return [x, y]; }
                }
            }
            return null;
        }"""
    )
    assert spot is not None
    page.mouse.click(box["x"] + spot[0], box["y"] + spot[1])
    page.mouse.wheel(0, -250)
    map_js(page).wait_for_function(
        f"() => window.map.getZoom() > {zoomed}", timeout=UPDATE_TIMEOUT_MS
    )
    assert scroller.evaluate("element => element.scrollTop") == 0


def test_wide_areas_lie_under_the_point_markers(first_screen: Any) -> None:
    page = first_screen
    page.get_by_text("Countries, seas and regions", exact=True).click()
    expect()(marker(page, "Ukraine")).to_have_count(1, timeout=UPDATE_TIMEOUT_MS)
    panes = map_js(page).evaluate(
        """() => {
            const z = name => Number(getComputedStyle(
                document.querySelector(`img[title="${name}"]`).parentElement).zIndex);
            return [z("Ukraine"), z("Pokrovsk")];
        }"""
    )
    assert panes[0] < panes[1]


# -------------------------------------------------------------------- online-style tiles


def tile_png(z: int, x: int, y: int) -> bytes:
    """A plain tile: land colour, a faint grid and its address, so a screenshot shows tiles."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (256, 256), (232, 229, 216))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 255, 255), outline=(200, 196, 180))
    draw.text((8, 8), f"test tile {z}/{x}/{y}", fill=(150, 146, 130))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def tile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Tiles on 127.0.0.1, written to a folder as they are first asked for."""
    folder = tmp_path_factory.mktemp("tiles")

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = re.fullmatch(r"/(\d+)/(\d+)/(\d+)\.png", self.path)
            if found is None:
                self.send_error(404)
                return
            z, x, y = (int(part) for part in found.groups())
            path = folder / f"{z}-{x}-{y}.png"
            if not path.exists():
                path.write_bytes(tile_png(z, x, y))
            body = path.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
    server.shutdown()
    server.server_close()


def test_online_style_first_screen_tiles_cover_the_outlines(
    start_app: Any, tile_server: str, chromium: Any, artifacts_dir: Path, snapshots: Path
) -> None:
    served = start_app(
        env={"FRONTLINE_TERRITORY_DIR": str(snapshots), "FRONTLINE_TILES_URL": tile_server}
    )
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        page.goto(served.url)
        marker(page, "Pokrovsk").wait_for(state="visible", timeout=LOAD_TIMEOUT_MS)
        frame = map_frame(page)
        loaded = frame.locator("img.leaflet-tile-loaded")
        expect()(loaded.first).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
        # Tiles load: no 'unavailable' note, and the tile pane lies above the outlines.
        expect()(frame.locator(".frontline-tiles-note")).to_have_count(0)
        order = map_js(page).evaluate(
            """() => [getComputedStyle(document.querySelector(".leaflet-tile-pane")).zIndex,
                      getComputedStyle(document.querySelector(".leaflet-frontline-outlines-pane")).zIndex]"""
        )
        assert int(order[0]) > int(order[1])
        expect()(frame.locator(".leaflet-control-layers")).to_have_count(1)
        credits = frame.locator(".leaflet-control-attribution")
        expect()(credits).to_contain_text(DEFAULT_TILES_ATTRIBUTION)
        page.wait_for_timeout(500)
        page.mouse.move(5, 5)
        shot = artifacts_dir / "screenshot-online.png"
        page.screenshot(path=str(shot))
        keep_screenshot(shot, "screenshot-online.png")
        # "Plain" takes the tiles, and their credit, off the map; "Map tiles" brings both back.
        frame.locator(".leaflet-control-layers").hover()
        frame.get_by_label("Plain (outlines only)").check()
        expect()(credits).not_to_contain_text(DEFAULT_TILES_ATTRIBUTION)
        expect()(credits).to_contain_text("Natural Earth")
        frame.get_by_label("Map tiles").check()
        expect()(credits).to_contain_text(DEFAULT_TILES_ATTRIBUTION, timeout=UPDATE_TIMEOUT_MS)
    finally:
        context.close()


def test_the_slider_moves_the_front_line_through_the_snapshots_at_hand(
    first_screen: Any, snapshots: Path
) -> None:
    page = first_screen
    from frontline.territory import snapshot_dates

    dates = snapshot_dates(path.name for path in snapshots.iterdir())
    shown = [date for date in dates if date <= dt.date(2025, 10, 17)]
    legend = map_frame(page).locator(".frontline-legend")
    expect()(legend).to_contain_text(f"as of {shown[-1].isoformat()}")
    thumb = page.locator('.st-key-territory_snapshot_date input[type="range"]')
    thumb.focus()
    page.keyboard.press("ArrowLeft")
    expect()(legend).to_contain_text(f"as of {shown[-2].isoformat()}", timeout=UPDATE_TIMEOUT_MS)
    expect()(legend).to_contain_text("before the article")


def test_with_no_tile_server_the_markers_cluster_and_show(start_app: Any, chromium: Any) -> None:
    # No tile layer at all (FRONTLINE_TILES_URL empty) and no front line: markercluster
    # needs the map's own maxZoom, which a tile layer would otherwise give.
    served = start_app(env={"FRONTLINE_TILES_URL": ""})
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    try:
        page.goto(served.url)
        for name in FRONT_TOWNS:
            marker(page, name).wait_for(state="visible", timeout=LOAD_TIMEOUT_MS)
        expect()(map_frame(page).locator(".frontline-tiles-note")).to_contain_text("Natural Earth")
        credits = map_frame(page).locator(".leaflet-control-attribution")
        expect()(credits).to_contain_text("GeoNames")
        expect()(credits).to_contain_text("Natural Earth")
        expect()(credits).not_to_contain_text(DEFAULT_TILES_ATTRIBUTION)
        assert scale_km(page) < 500
        assert errors == []
    finally:
        context.close()
