"""Front-line map layers: what they draw, what the legend says, and that it is escaped."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import folium
import pytest
from streamlit_folium import _get_feature_group_string

from components.frontline_layer import (
    GAINED_COLOR,
    OCCUPIED_COLOR,
    REGAINED_COLOR,
    change_layer,
    frontline_legend,
    legend_html,
    legend_layer,
    occupied_layer,
)
from frontline.territory import (
    SOURCE_NAME,
    Snapshot,
    change_geojson,
    display_geojson,
    load_snapshot,
    territory_change,
)

from .snapshot_fixtures import SnapshotSet

SAMPLE_DAY = dt.date(2025, 10, 17)


@pytest.fixture(scope="module")
def snapshots(snapshot_set: SnapshotSet) -> tuple[Snapshot, Snapshot]:
    return (
        load_snapshot(snapshot_set.path(dt.date(2025, 9, 1))),
        load_snapshot(snapshot_set.path(dt.date(2025, 10, 17))),
    )


def rendered(*groups: folium.FeatureGroup) -> str:
    page = folium.Map(location=(48.5, 37.5), zoom_start=7, tiles=None)
    for group in groups:
        group.add_to(page)
    return page.get_root().render()


def test_occupied_layer_draws_the_snapshot_in_translucent_red(
    snapshots: tuple[Snapshot, Snapshot],
) -> None:
    _, sample = snapshots
    layer = occupied_layer(display_geojson(sample), snapshot_date=sample.date)
    page = rendered(layer)
    assert layer.layer_name == "Occupied territory (2025-10-17)"
    assert OCCUPIED_COLOR in page
    assert '"fillOpacity": 0.25' in page
    assert "Occupied as of 2025-10-17" in page


def test_change_layer_draws_both_directions_with_their_areas(
    snapshots: tuple[Snapshot, Snapshot],
) -> None:
    change = territory_change(*snapshots)
    gained, regained = change_geojson(change)
    page = rendered(change_layer(gained, regained, change=change))
    assert GAINED_COLOR in page and REGAINED_COLOR in page
    assert f"{change.gained_km2:,.1f} km²" in page
    assert f"{change.regained_km2:,.1f} km²" in page


def test_change_layer_skips_an_empty_direction(snapshots: tuple[Snapshot, Snapshot]) -> None:
    _, sample = snapshots
    change = territory_change(sample, sample)
    gained, regained = change_geojson(change)
    layer = change_layer(gained, regained, change=change)
    assert not layer._children
    assert gained["features"] == [] and regained["features"] == []


def test_legend_names_date_source_and_change(snapshots: tuple[Snapshot, Snapshot]) -> None:
    change = territory_change(*snapshots)
    text = legend_html(SAMPLE_DAY, note="3 days before the article", change=change)
    assert "Occupied territory as of 2025-10-17" in text
    assert SOURCE_NAME in text
    assert "cyterat/deepstate-map-data" in text and "GPL-3.0" in text
    assert "3 days before the article" in text
    assert "2025-09-01 → 2025-10-17" in text


def test_legend_escapes_outside_text_once() -> None:
    text = legend_html(SAMPLE_DAY, source="<script>alert(1)</script>", note='"A & B"')
    assert "<script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&quot;A &amp; B&quot;" in text

    page = rendered(legend_layer(SAMPLE_DAY, source="</script><b>x</b>"))
    assert "</script><b>x" not in page
    assert "&lt;/script&gt;&lt;b&gt;x" in page


def test_legend_script_travels_with_its_layer_in_streamlit_folium() -> None:
    page = folium.Map(location=(48.5, 37.5), zoom_start=7, tiles=None)
    script = _get_feature_group_string(legend_layer(SAMPLE_DAY), map=page)
    assert "L.control" in script
    assert 'layer.on("add"' in script and 'layer.on("remove"' in script
    start = script.index("body.innerHTML = ") + len("body.innerHTML = ")
    html_literal = script[start : script.index(";\n", start)]
    assert "Occupied territory as of 2025-10-17" in json.loads(html_literal.replace("<\\/", "</"))


@pytest.mark.browser
def test_layers_and_legend_render_in_chromium(
    snapshots: tuple[Snapshot, Snapshot], tmp_path: Path, chromium: Any
) -> None:
    import xstatic.pkg.leaflet as xstatic_leaflet

    earlier, sample = snapshots
    change = territory_change(earlier, sample)
    gained, regained = change_geojson(change)
    page_map = folium.Map(location=(48.5, 37.5), zoom_start=7, tiles=None)
    leaflet = Path(xstatic_leaflet.BASE_DIR)
    # Leaflet from the installed xstatic package: the test never reaches a CDN.
    page_map.default_js = [("leaflet", (leaflet / "leaflet.js").as_uri())]
    page_map.default_css = [("leaflet_css", (leaflet / "leaflet.css").as_uri())]
    occupied = occupied_layer(display_geojson(sample), snapshot_date=sample.date)
    occupied.add_child(frontline_legend(sample.date, change=change))
    occupied.add_to(page_map)
    change_layer(gained, regained, change=change).add_to(page_map)
    html_path = tmp_path / "map.html"
    page_map.save(str(html_path))

    # The session's shared browser: a second sync Playwright in one process is refused.
    page = chromium.new_page()
    try:
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(html_path.as_uri())
        legend = page.locator(".frontline-legend")
        legend.wait_for(timeout=10_000)
        assert "Occupied territory as of 2025-10-17" in legend.inner_text()
        assert page.locator("path.leaflet-interactive").count() >= 3
        # The legend folds to its title and opens again.
        open_height = legend.bounding_box()["height"]
        toggle = page.locator(".frontline-legend-toggle")
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "false"
        assert "Occupied territory" not in legend.inner_text()
        assert legend.bounding_box()["height"] < open_height / 2
        toggle.click()
        assert "Occupied territory as of 2025-10-17" in legend.inner_text()
        page.evaluate(f"{occupied.get_name()}.remove()")
        assert page.locator(".frontline-legend").count() == 0
        assert errors == []
    finally:
        page.close()
