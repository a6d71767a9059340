"""The map's credits name what is drawn: the places' and the outlines' sources always, the
tile server only when tiles are set (both maps build their base with ``build_base_map``).
Whether a tile is on screen is for the browser (``frontline-map.js``, test_browser_map)."""

from __future__ import annotations

import json
import re

import folium

from components.offline_assets import OfflineAssets
from components.place_map import MapView, build_base_map
from frontline.settings import DEFAULT_TILES_ATTRIBUTION

TILES = "http://127.0.0.1:9/{z}/{x}/{y}.png"
OWN_CREDITS = ["Places: GeoNames (CC BY 4.0)", "Outlines: Natural Earth"]


def base_map(tiles_url: str, tiles_attribution: str) -> folium.Map:
    return build_base_map(
        view=MapView((48.5, 31.5), 6),
        tiles_url=tiles_url,
        tiles_attribution=tiles_attribution,
        assets=OfflineAssets.for_base_path(""),
    )


def tile_layers(built: folium.Map) -> list[folium.TileLayer]:
    return [child for child in built._children.values() if isinstance(child, folium.TileLayer)]


def credits(html: str) -> list[str]:
    """The credits the page gives Leaflet besides the tile layer's, as text."""
    found = re.search(r"credits: (\[.*?\]),\n", html)
    assert found is not None
    return [re.sub("<[^>]+>", "", credit) for credit in json.loads(found.group(1))]


def test_with_tiles_off_the_tile_server_is_not_credited() -> None:
    built = base_map("", DEFAULT_TILES_ATTRIBUTION)
    html = built.get_root().render()
    assert tile_layers(built) == []
    assert "OpenStreetMap" not in html
    assert credits(html) == OWN_CREDITS


def test_with_tiles_on_they_are_credited_as_set_and_as_text() -> None:
    built = base_map(TILES, "Tiles © <b>Example</b> & co")
    html = built.get_root().render()
    [tiles] = tile_layers(built)
    assert tiles.options["attribution"] == "Tiles © &lt;b&gt;Example&lt;/b&gt; &amp; co"
    assert "OpenStreetMap" not in html
    assert credits(html) == OWN_CREDITS
