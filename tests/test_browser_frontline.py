"""The front line in the dashboard, in a real browser (Debian's Chromium, headless).

One server reads a folder of snapshots (FRONTLINE_TERRITORY_DIR: ../shared/frontline where it
is beside the checkout, else the written stand-in of tests/snapshot_fixtures.py); another
has no snapshot at all (fetching off, an empty cache) and must say so once, keep working,
and take a snapshot from the sidebar's uploader. Nothing here touches the internet.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

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
ARTICLE_DAY = dt.date(2025, 10, 17)  # data/articles/trump-zelensky-tomahawks.meta.json
ARTICLE_SNAPSHOT = "deepstatemap_data_20251017.geojson"
EARLIER_SNAPSHOT = "deepstatemap_data_20251001.geojson"
OCCUPIED_FILL = '[fill="#c62828"]'
GAINED_FILL = '[fill="#6d0000"]'
TOWNS = "?place=Pokrovsk&place=Kupiansk&place=Kostiantynivka"


@pytest.fixture(scope="module")
def snapshots_dir(app_snapshot_set: SnapshotSet) -> Path:
    return app_snapshot_set.folder


@pytest.fixture
def served_with_snapshots(start_app: Any, snapshots_dir: Path) -> Any:
    return start_app(env={"FRONTLINE_TERRITORY_DIR": str(snapshots_dir)})


def offline_env(cache: Path, gazetteer_dir: Path) -> dict[str, str]:
    """A cache of its own (the index linked in): uploads kept there stay out of other tests'
    way. With fetching off nothing is requested."""
    if not (cache / "gazetteer").exists():
        cache.mkdir(parents=True, exist_ok=True)
        (cache / "gazetteer").symlink_to(gazetteer_dir, target_is_directory=True)
    return {
        "FRONTLINE_CACHE_DIR": str(cache),
        "FRONTLINE_TERRITORY_FETCH": "0",
        "FRONTLINE_TERRITORY_URL_TEMPLATE": (
            "http://127.0.0.1:9/offline-test/deepstatemap_data_{date:%Y%m%d}.geojson"
        ),
    }


def open_app(page: Any, url: str) -> None:
    page.goto(url)
    marker(page, "Pokrovsk").wait_for(state="visible", timeout=LOAD_TIMEOUT_MS)


def legend(page: Any) -> Any:
    return map_frame(page).locator(".frontline-legend")


def popup_distance_km(page: Any, name: str) -> tuple[str, float]:
    # dispatch_event: the icon itself gets the click even where a neighbour overlaps it.
    marker(page, name).dispatch_event("click")
    popup = map_frame(page).locator(".leaflet-popup-content")
    expect()(popup).to_contain_text(name, timeout=UPDATE_TIMEOUT_MS)
    expect()(popup).to_contain_text("front line of", timeout=UPDATE_TIMEOUT_MS)
    text = popup.inner_text()
    found = re.search(r"(Free|Occupied), ([\d.]+) km from", text)
    assert found is not None, text
    return found.group(1), float(found.group(2))


def wait_until_idle(page: Any) -> None:
    """Streamlit fades what a running script may still replace: wait for none of that."""
    expect()(page.locator('[data-stale="true"]')).to_have_count(0, timeout=UPDATE_TIMEOUT_MS)
    expect()(page.get_by_test_id("stStatusWidgetRunningIcon")).to_have_count(
        0, timeout=UPDATE_TIMEOUT_MS
    )


def test_occupied_layer_legend_and_popup_on_the_articles_date(
    served_with_snapshots: Any, page: Any, artifacts_dir: Path, app_snapshot_set: SnapshotSet
) -> None:
    open_app(page, served_with_snapshots.url + TOWNS)
    # Drawn semi-transparent, in the occupied layer's red.
    occupied = map_frame(page).locator(f"path.leaflet-interactive{OCCUPIED_FILL}")
    expect()(occupied.first).to_be_attached(timeout=UPDATE_TIMEOUT_MS)
    assert float(occupied.first.get_attribute("fill-opacity") or "1") < 0.5
    # The legend names the snapshot used (the article's own day), its age and its source.
    expect()(legend(page)).to_contain_text(f"Occupied territory as of {ARTICLE_DAY.isoformat()}")
    expect()(legend(page)).to_contain_text(re.compile("same day as the article", re.I))
    expect()(legend(page)).to_contain_text("DeepStateMap")
    # The status of each town, in its popup: Pokrovsk free, as far from the line as it is
    # (3.4 km on the real layer).
    status, distance = popup_distance_km(page, "Pokrovsk")
    assert status == "Free"
    assert distance == pytest.approx(app_snapshot_set.expected_km("Pokrovsk"), abs=0.3)
    # No sentence says the line is unavailable when it is there.
    assert page.get_by_text("Front line unavailable").count() == 0
    assert page.dialogs == []

    # The click also opened Pokrovsk's context; the picture waits for that rerun to end.
    expect()(page.locator(".st-key-context_panel h4")).to_have_text(
        ["Pokrovsk"], timeout=UPDATE_TIMEOUT_MS
    )
    wait_until_idle(page)
    page.mouse.move(5, 5)
    shot = artifacts_dir / "screenshot-frontline.png"
    page.screenshot(path=str(shot), full_page=False)
    # The committed copy changes only on request (and only from the real layers), so test
    # runs leave the tree clean.
    committed = REPO_ROOT / "docs" / "screenshot-frontline.png"
    update = os.environ.get("FRONTLINE_UPDATE_SCREENSHOT") == "1"
    if app_snapshot_set.name == "shared" and (not committed.exists() or update):
        committed.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, committed)


def test_compare_control_draws_and_states_what_changed_hands(
    served_with_snapshots: Any, page: Any, snapshots_dir: Path, artifacts_dir: Path
) -> None:
    from frontline.territory import FolderSnapshots, territory_change

    folder = FolderSnapshots(snapshots_dir)
    article = folder.snapshot_for(ARTICLE_DAY).snapshot
    # The control's default: the snapshot of 30 days before the article's snapshot.
    earlier = folder.snapshot_for(article.date - dt.timedelta(days=30)).snapshot
    expected = territory_change(earlier, article)

    open_app(page, served_with_snapshots.url + TOWNS)
    expect()(legend(page)).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
    map_window = next(frame for frame in page.frames if "streamlit_folium" in frame.url)
    map_window.evaluate("() => { window.frontlineProbe = 'same map'; }")
    switch = page.get_by_role("switch", name="What changed hands")
    switch.focus()
    page.keyboard.press("Space")
    expect()(switch).to_be_checked()

    summary = page.locator(".st-key-territory_change")
    expect()(summary).to_contain_text(
        f"Russian forces took {expected.gained_km2:,.1f} km²", timeout=UPDATE_TIMEOUT_MS
    )
    expect()(summary).to_contain_text(f"Ukraine regained {expected.regained_km2:,.1f} km²")
    expect()(summary).to_contain_text(
        f"from {expected.earlier.isoformat()} to {expected.later.isoformat()}"
    )
    gained = map_frame(page).locator(f"path.leaflet-interactive{GAINED_FILL}")
    expect()(gained.first).to_be_attached(timeout=UPDATE_TIMEOUT_MS)
    expect()(legend(page)).to_contain_text(f"{expected.gained_km2:,.1f} km²")
    # The layers were swapped in the same map: no reload.
    assert map_window.evaluate("() => window.frontlineProbe") == "same map"
    page.screenshot(path=str(artifacts_dir / "frontline-change.png"), full_page=False)

    # The occupied layer has its own switch; the legend stays for the change layer.
    occupied_switch = page.get_by_role("switch", name="Occupied territory")
    occupied_switch.focus()
    page.keyboard.press("Space")
    expect()(occupied_switch).not_to_be_checked()
    expect()(map_frame(page).locator(f"path{OCCUPIED_FILL}")).to_have_count(
        0, timeout=UPDATE_TIMEOUT_MS
    )
    expect()(gained.first).to_be_attached()
    expect()(legend(page)).not_to_contain_text("Occupied territory as of")
    assert page.dialogs == []


def test_offline_without_snapshots_says_so_once_and_keeps_uploads(
    start_app: Any,
    gazetteer: Any,
    page: Any,
    snapshots_dir: Path,
    tmp_path: Path,
    app_snapshot_set: SnapshotSet,
) -> None:
    env = offline_env(tmp_path / "cache", gazetteer.path.parent)
    served_offline = start_app(env=env)
    open_app(page, served_offline.url + TOWNS)
    # Everything else works: the markers and the excerpts are there.
    for name in ("Pokrovsk", "Kupiansk", "Kostiantynivka"):
        expect()(marker(page, name)).to_have_count(1)
    expect()(page.locator(".st-key-excerpts_panel .frontline-excerpt").first).to_be_visible()
    note = page.locator('[data-testid="stAlert"]', has_text="Front line unavailable")
    expect()(note).to_have_count(1)
    expect()(note).to_contain_text("Upload a DeepStateMap snapshot below")
    expect()(note).to_contain_text("FRONTLINE_TERRITORY_FETCH=1")
    expect()(map_frame(page).locator(f"path{OCCUPIED_FILL}")).to_have_count(0)
    expect()(legend(page)).to_have_count(0)

    uploader = page.locator(".st-key-territory_upload input[type=file]")
    # A broken file: one message naming it, and the app goes on.
    broken = tmp_path / "deepstatemap_data_20251017.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    uploader.set_input_files(str(broken))
    problem = page.locator('[data-testid="stAlert"]', has_text="Cannot use the uploaded snapshot")
    expect()(problem).to_have_count(1, timeout=UPDATE_TIMEOUT_MS)
    expect()(problem).to_contain_text("deepstatemap_data_20251017.geojson is not valid JSON")
    expect()(marker(page, "Pokrovsk")).to_have_count(1)

    # The reader takes the broken file off the list (uploads add to it) ...
    page.locator('.st-key-territory_upload [data-testid="stFileChipDeleteBtn"]').first.click()
    expect()(problem).to_have_count(0, timeout=UPDATE_TIMEOUT_MS)
    # ... and gives two real snapshots at once: the article's day is drawn, with its legend
    # and the towns' status, and a slider goes over both.
    uploader.set_input_files(
        [str(snapshots_dir / ARTICLE_SNAPSHOT), str(snapshots_dir / EARLIER_SNAPSHOT)]
    )
    expect()(map_frame(page).locator(f"path{OCCUPIED_FILL}").first).to_be_attached(
        timeout=UPDATE_TIMEOUT_MS
    )
    expect()(legend(page)).to_contain_text(f"Occupied territory as of {ARTICLE_DAY.isoformat()}")
    expect()(legend(page)).to_contain_text("uploaded file")
    expect()(problem).to_have_count(0)
    expect()(note).to_have_count(0)
    slider = page.locator(".st-key-territory_snapshot_date")
    expect()(slider).to_contain_text("2025-10-01")
    expect()(slider).to_contain_text(ARTICLE_DAY.isoformat())
    status, distance = popup_distance_km(page, "Kupiansk")
    assert status == "Free"
    assert distance == pytest.approx(app_snapshot_set.expected_km("Kupiansk"), abs=0.3)
    assert page.dialogs == []

    # A restart keeps them: the same server started again draws the line with no upload.
    served_offline.stop()
    again = start_app(env=env)
    open_app(page, again.url + TOWNS)
    expect()(legend(page)).to_contain_text(
        f"Occupied territory as of {ARTICLE_DAY.isoformat()}", timeout=UPDATE_TIMEOUT_MS
    )
    expect()(note).to_have_count(0)
