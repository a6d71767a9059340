"""The map: a stable base map, with the places as layers that change without a reload.

The base map (tiles, country outlines under them, credits, the tile-error note, the "show all"
button, scroll and popup behaviour) depends only on the settings, so streamlit-folium keeps
the same Leaflet map across reruns; filters swap the marker layers through
``feature_group_to_add`` and move the view through ``center``/``zoom``.

What a reader meets without tiles or with them:
- Country outlines and coastlines (Natural Earth, ``frontline.outlines``) lie in a pane *under*
  the tiles: loaded tiles cover them; missing tiles leave them showing. "Plain" in the layer
  switch turns the tiles off on purpose.
- The credits name what is drawn: GeoNames and Natural Earth always, the tile server only
  while one of its tiles is on the map (not offline, nor on "Plain").
- The page scrolls over the map; Ctrl/⌘ + wheel zooms (Leaflet.GestureHandling), and so does
  the plain wheel after a click on the map, until the pointer leaves it.
- Point markers gather into a cluster only where they would overlap (Leaflet.markercluster);
  countries, seas and regions sit in a pane under the point markers, so they never take a
  point's click.
- An open popup is moved clear of the legend, the notes and the controls, and into view.

Each marker is one ``PlaceMarker`` element whose popup and tooltip are passed to Leaflet as
JSON strings of escaped HTML: no jQuery parsing, no JavaScript template literals, and the
same input always yields the same script (so an unchanged layer is not redrawn, and an open
popup stays open).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import folium
from branca.element import MacroElement
from jinja2 import Template

from components.catalog import (
    BROAD_KINDS,
    BROAD_LAYER_NAME,
    KIND_LABELS,
    Catalog,
    counted,
    country_name,
    mention_count,
)
from components.markup import Highlight, escape_text, highlight, shorten_around
from components.offline_assets import OfflineAssets
from frontline.first_view import theatre
from frontline.model import Article, Place
from frontline.naming import as_written
from frontline.outlines import OUTLINES_URL

GEONAMES_CREDIT = (
    'Places: <a href="https://www.geonames.org/" target="_blank" rel="noopener">GeoNames</a> '
    '(<a href="https://creativecommons.org/licenses/by/4.0/" target="_blank" '
    'rel="noopener">CC BY 4.0</a>)'
)
OUTLINES_ATTRIBUTION = (
    f'Outlines: <a href="{OUTLINES_URL}" target="_blank" rel="noopener">Natural Earth</a>'
)
TILES_UNAVAILABLE = "No map tiles: outlines from Natural Earth"
SHOW_ALL_LABEL = "Show all places"
SHOW_MAIN_LABEL = "Back to the main area"
# Markers closer than this (screen pixels) gather into one cluster; point icons are 16-20 px.
CLUSTER_RADIUS_PX = 20
PLACES_PANE = "markerPane"
MAX_ZOOM = 18
BROAD_PANE = "frontline-broad"
# The legend's height at the top right, plus a margin.
LEGEND_BAND_PX = 120
# Ukraine, for an article with no mappable place.
DEFAULT_VIEW_CENTER = (48.5, 31.5)
RETURNED_OBJECTS = (
    "last_object_clicked",
    "last_object_clicked_tooltip",
    "last_object_clicked_count",
)
POPUP_EXCERPT_CHARS = 240


@dataclass(frozen=True, slots=True)
class MarkerStyle:
    color: str
    shape: str  # "circle" | "diamond" | "square" | "ring"
    size: int


MARKER_STYLES: Mapping[str, MarkerStyle] = {
    "city": MarkerStyle("#c62828", "circle", 18),
    "admin": MarkerStyle("#6a1b9a", "diamond", 20),
    "landmark": MarkerStyle("#00695c", "square", 16),
    "country": MarkerStyle("#455a64", "ring", 24),
    "continent": MarkerStyle("#455a64", "ring", 28),
    "water": MarkerStyle("#1565c0", "ring", 24),
    "region": MarkerStyle("#6d4c41", "ring", 24),
    "other": MarkerStyle("#757575", "circle", 14),
}


def marker_svg(style: MarkerStyle) -> str:
    """A small SVG for a marker kind; white edges keep it visible on any tile."""
    size, color = style.size, style.color
    half = size / 2
    if style.shape == "diamond":
        shape = (
            f'<polygon points="{half},1 {size - 1},{half} {half},{size - 1} 1,{half}" '
            f'fill="{color}" stroke="#fff" stroke-width="2"/>'
        )
    elif style.shape == "square":
        shape = (
            f'<rect x="2" y="2" width="{size - 4}" height="{size - 4}" rx="2" '
            f'fill="{color}" stroke="#fff" stroke-width="2"/>'
        )
    elif style.shape == "ring":
        shape = (
            f'<circle cx="{half}" cy="{half}" r="{half - 3}" fill="{color}" fill-opacity="0.25" '
            f'stroke="{color}" stroke-width="3"/>'
        )
    else:
        shape = (
            f'<circle cx="{half}" cy="{half}" r="{half - 2}" fill="{color}" '
            f'stroke="#fff" stroke-width="2"/>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 {size} {size}">{shape}</svg>'
    )


def marker_icon_url(kind: str) -> str:
    return "data:image/svg+xml," + quote(
        marker_svg(MARKER_STYLES.get(kind, MARKER_STYLES["other"]))
    )


@dataclass(frozen=True, slots=True)
class MapView:
    center: tuple[float, float]
    zoom: int


def fit_view(
    points: Iterable[tuple[float, float]],
    *,
    # The map column's width on a laptop screen; wider screens just show more around it.
    width_px: int = 480,
    height_px: int = 520,
    padding_px: int = 48,
    # The front-line legend's band at the top right: the points stay below it.
    top_padding_px: int = LEGEND_BAND_PX,
    max_zoom: int = 9,
) -> MapView:
    """The centre and the largest zoom (Web Mercator) that show every point inside the map
    less its padding (more at the top, where the legend sits)."""
    coordinates = [(lat, lon) for lat, lon in points]
    if not coordinates:
        return MapView(DEFAULT_VIEW_CENTER, 5)

    def project(lat: float, lon: float) -> tuple[float, float]:
        clamped = max(min(lat, 85.0), -85.0)
        sine = math.sin(math.radians(clamped))
        return (lon + 180.0) / 360.0, 0.5 - math.log((1 + sine) / (1 - sine)) / (4 * math.pi)

    projected = [project(lat, lon) for lat, lon in coordinates]
    xs, ys = [x for x, _ in projected], [y for _, y in projected]
    x_center, y_center = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
    zoom = max_zoom
    usable_w = max(width_px - 2 * padding_px, 1)
    usable_h = max(height_px - padding_px - top_padding_px, 1)
    while zoom > 1 and (span_x * 256 * 2**zoom > usable_w or span_y * 256 * 2**zoom > usable_h):
        zoom -= 1
    # The points' middle sits half the extra top padding below the map's centre.
    y_center -= (top_padding_px - padding_px) / 2 / (256 * 2**zoom)
    lon_center = x_center * 360.0 - 180.0
    lat_center = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y_center))))
    return MapView((round(lat_center, 5), round(lon_center, 5)), zoom)


class _MapChrome(MacroElement):
    """Credits, outlines, gestures, popups kept clear, "show all" and the tiles note: set up
    once per page load by ``components/assets/frontline-map.js``."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        frontlineMap.setUp({{ this._parent.get_name() }}, {
            imagePath: {{ this.image_path|tojson }},
            credits: {{ this.credits|tojson }},
            outlinesUrl: {{ this.outlines_url|tojson }},
            broadPane: {{ this.broad_pane|tojson }},
            tileLayer: {{ this.tile_layer.get_name() if this.tile_layer else "null" }},
            tilesNote: {{ this.note|tojson }},
            showAll: {{ this.show_all|tojson }},
            showMain: {{ this.show_main|tojson }}
        });
        {% endmacro %}
        """
    )

    def __init__(
        self,
        *,
        image_path: str,
        credit: str,
        note: str,
        tile_layer: Any,
        outlines_url: str,
    ) -> None:
        super().__init__()
        self._name = "MapChrome"
        self.image_path = image_path
        self.credits = [credit, OUTLINES_ATTRIBUTION]
        self.note = note
        self.tile_layer = tile_layer
        self.outlines_url = outlines_url
        self.broad_pane = BROAD_PANE
        self.show_all = SHOW_ALL_LABEL
        self.show_main = SHOW_MAIN_LABEL


def build_base_map(
    *,
    view: MapView,
    tiles_url: str,
    tiles_attribution: str,
    assets: OfflineAssets,
) -> folium.Map:
    """The part of the map that stays put: tiles, credits, view. Build it fresh each run
    (streamlit-folium adds the layers to it), it is cheap."""
    base_map = folium.Map(
        location=list(view.center),
        zoom_start=view.zoom,
        tiles=None,
        control_scale=False,
        prefer_canvas=False,
        # Leaflet.GestureHandling: the page scrolls over the map, Ctrl/Cmd + wheel zooms.
        gesture_handling=True,
        # Set on the map itself: markercluster needs it, and with no tile layer (no tile
        # server set) nothing else would give it.
        maxZoom=MAX_ZOOM,
    )
    # Instance attributes shadow folium's CDN defaults for this map only.
    base_map.default_js = assets.js
    base_map.default_css = assets.css
    tile_layer = None
    if tiles_url.strip():
        tile_layer = folium.TileLayer(
            tiles=tiles_url, attr=escape_text(tiles_attribution) or "Map tiles", name="Base map"
        )
        tile_layer.add_to(base_map)
    _MapChrome(
        image_path=assets.leaflet_images,
        credit=GEONAMES_CREDIT,
        note=TILES_UNAVAILABLE,
        tile_layer=tile_layer,
        outlines_url=assets.outlines_url,
    ).add_to(base_map)
    return base_map


class PlaceMarker(MacroElement):
    """One place: an image icon (so Leaflet sets both ``title`` and ``alt``), keyboard
    focusable, with a tooltip and a popup given as JSON strings of escaped HTML."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.marker({{ this.location|tojson }}, {
            pane: {{ this.pane|tojson }},
            title: {{ this.title|tojson }},
            alt: {{ this.title|tojson }},
            keyboard: true,
            riseOnHover: true,
            icon: L.icon({
                iconUrl: {{ this.icon_url|tojson }},
                iconSize: [{{ this.icon_size }}, {{ this.icon_size }}],
                iconAnchor: [{{ this.icon_size / 2 }}, {{ this.icon_size / 2 }}],
                popupAnchor: [0, {{ -this.icon_size / 2 }}],
                tooltipAnchor: [0, {{ -this.icon_size / 2 }}],
                className: {{ this.class_name|tojson }}
            })
        })
        .bindTooltip({{ this.tooltip_html|tojson }}, {direction: "top"})
        .bindPopup({{ this.popup_html|tojson }}, {maxWidth: 320, autoPan: false})
        .addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        *,
        location: tuple[float, float],
        title: str,
        kind: str,
        tooltip_html: str,
        popup_html: str,
        pane: str = PLACES_PANE,
    ) -> None:
        super().__init__()
        self._name = "PlaceMarker"
        self.pane = pane
        self.location = [round(location[0], 6), round(location[1], 6)]
        self.title = title
        style = MARKER_STYLES.get(kind, MARKER_STYLES["other"])
        self.icon_url = marker_icon_url(kind)
        self.icon_size = style.size
        self.class_name = f"frontline-marker frontline-marker-{kind}"
        self.tooltip_html = tooltip_html
        self.popup_html = popup_html

    def _get_self_bounds(self) -> list[list[float | None]]:
        return [list(self.location), list(self.location)]


def territory_line(place: Place) -> str:
    territory = place.territory
    if territory is None:
        return ""
    if territory.status == "occupied":
        text = "Occupied"
        # The edge runs along the front line but also the state border and the coast.
        if territory.distance_to_edge_km is not None:
            text += f", {territory.distance_to_edge_km:.1f} km from the edge of occupied territory"
    else:
        text = f"Free, {territory.distance_km:.1f} km from occupied territory"
    return f"{text} (front line of {territory.snapshot.isoformat()})"


def first_excerpt_html(place: Place, article: Article, max_chars: int = POPUP_EXCERPT_CHARS) -> str:
    """The sentence of the place's first mention, shortened around it, the mention marked."""
    if not place.mentions or not article.sentences:
        return ""
    first = min(place.mentions, key=lambda mention: mention.start)
    sentence = article.sentences[article.sentence_index_at(first.start)]
    start, end = shorten_around(
        article.text, sentence.start, sentence.end, [(first.start, first.end)], max_chars
    )
    marks = [Highlight(m.start, m.end) for m in place.mentions]
    body = highlight(article.text, marks, start, end)
    return ("… " if start > sentence.start else "") + body + (" …" if end < sentence.end else "")


def popup_html(name: str, place: Place, article: Article) -> str:
    candidate = place.candidate
    rows: list[str] = [f'<div class="frontline-popup"><strong>{escape_text(name)}</strong>']
    written = as_written(place)
    if written is not None:
        rows.append(f' <span style="color:#555">(“{escape_text(written)}” in the article)</span>')
    elif candidate is not None and candidate.name != name:
        rows.append(f" ({escape_text(candidate.name)})")
    rows.append(f'<div style="color:#555">{escape_text(KIND_LABELS.get(place.feature, ""))}</div>')
    if candidate is not None:
        if candidate.admin1:
            rows.append(f"<div>Region: {escape_text(candidate.admin1)}</div>")
        if candidate.country_code:
            rows.append(f"<div>Country: {escape_text(country_name(candidate.country_code))}</div>")
    count = mention_count(place)
    rows.append(f"<div>{counted(count, 'mention')}</div>")
    status = territory_line(place)
    if status:
        rows.append(f"<div>{escape_text(status)}</div>")
    excerpt = first_excerpt_html(place, article)
    if excerpt:
        rows.append(
            '<blockquote style="margin:6px 0 0;padding-left:6px;border-left:3px solid #ccc">'
            f"{excerpt}</blockquote>"
        )
    rows.append("</div>")
    return "".join(rows)


class PlaceCluster(folium.FeatureGroup):
    """The point places as one Leaflet.markercluster group: markers that would overlap gather
    into a cluster that spreads on click; every marker stays in the page (so each can be
    found and clicked once in view), and "Show all places" finds the group by its flag."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.markerClusterGroup({{ this.options|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, name: str) -> None:
        super().__init__(name=name, control=False)
        # streamlit-folium names the layer it adds after "feature_group": keep that name.
        self._name = "FeatureGroup"
        self.options = {
            "frontlinePlaces": True,
            "maxClusterRadius": CLUSTER_RADIUS_PX,
            "removeOutsideVisibleBounds": False,
            "showCoverageOnHover": False,
            "spiderfyOnMaxZoom": True,
            "zoomToBoundsOnClick": True,
        }


def place_layers(
    catalog: Catalog,
    names: Sequence[str],
    article: Article,
    *,
    show_broad: bool,
) -> list[folium.FeatureGroup]:
    """Feature groups for ``names``: local places, and (if asked) countries, seas, regions."""
    local = PlaceCluster("Places")
    broad = folium.FeatureGroup(name=BROAD_LAYER_NAME, control=False)
    for name in names:
        place = catalog.places[name]
        if not place.has_point or place.lat is None or place.lon is None:
            continue
        is_broad = place.feature in BROAD_KINDS
        if is_broad and not show_broad:
            continue
        PlaceMarker(
            location=(place.lat, place.lon),
            title=name,
            kind=place.feature,
            tooltip_html=escape_text(name),
            popup_html=popup_html(name, place, article),
            pane=BROAD_PANE if is_broad else PLACES_PANE,
        ).add_to(broad if is_broad else local)
    return [local, broad] if show_broad else [local]


# Countries and wide regions alone (nothing else to frame): their points, no closer than this.
BROAD_ONLY_MAX_ZOOM = 5
# The first view keeps a few hundred km around the theatre: the border, the coast, the front.
THEATRE_MAX_ZOOM = 7
# Places that fit together at this zoom (about a country's breadth) are all framed; a wider
# spread (Washington and Pokrovsk) leaves the far ones to "Show all places".
FRAME_ALL_FROM_ZOOM = 6


def view_for(
    catalog: Catalog, names: Sequence[str], *, theatre_only: bool = False, **fit: Any
) -> MapView:
    """The view that frames ``names``' point places (with ``theatre_only``, when they spread
    wider than a country, only those where they cluster: ``frontline.first_view``). Countries,
    seas and wide regions never set the view, unless they are all there is."""
    places = [catalog.places[name] for name in names if catalog.places[name].has_point]
    points = [place for place in places if place.feature not in BROAD_KINDS]
    if theatre_only and points:
        located = [(place.lat, place.lon) for place in points]
        whole = fit_view(
            [(lat, lon) for lat, lon in located if lat is not None and lon is not None], **fit
        )
        if whole.zoom >= FRAME_ALL_FROM_ZOOM:
            return whole
        points = list(theatre(points))
        fit.setdefault("max_zoom", THEATRE_MAX_ZOOM)
    if not points:
        fit.setdefault("max_zoom", BROAD_ONLY_MAX_ZOOM)
        points = places
    return fit_view(
        [
            (place.lat, place.lon)
            for place in points
            if place.lat is not None and place.lon is not None
        ],
        **fit,
    )


@dataclass(frozen=True, slots=True)
class MarkerClick:
    """What streamlit-folium reports about the last marker clicked; ``count`` grows with
    every click, so the same marker clicked twice is two different clicks."""

    count: int
    lat: float | None
    lon: float | None
    tooltip: str | None


def show_map(
    base_map: folium.Map,
    layers: Sequence[folium.FeatureGroup],
    view: MapView,
    *,
    key: str,
    height: int = 520,
) -> MarkerClick | None:
    from streamlit_folium import st_folium

    value = st_folium(
        base_map,
        key=key,
        height=height,
        use_container_width=True,
        returned_objects=list(RETURNED_OBJECTS),
        feature_group_to_add=list(layers),
        center=view.center,
        zoom=view.zoom,
    )
    return marker_click(value)


def marker_click(value: Mapping[str, Any] | None) -> MarkerClick | None:
    if not value or not value.get("last_object_clicked_count"):
        return None
    position = value.get("last_object_clicked") or {}
    return MarkerClick(
        count=int(value["last_object_clicked_count"]),
        lat=position.get("lat"),
        lon=position.get("lng"),
        tooltip=value.get("last_object_clicked_tooltip"),
    )


def clicked_name(click: MarkerClick, catalog: Catalog, shown: Sequence[str]) -> str | None:
    """The display name of the clicked marker: by its tooltip (the name), else by position."""
    if click.tooltip and click.tooltip.strip() in catalog.places:
        return click.tooltip.strip()
    if click.lat is None or click.lon is None:
        return None
    best: tuple[float, str] | None = None
    for name in shown:
        place = catalog.places[name]
        if place.lat is None or place.lon is None:
            continue
        distance = abs(place.lat - click.lat) + abs(place.lon - click.lon)
        if best is None or distance < best[0]:
            best = (distance, name)
    return best[1] if best is not None and best[0] < 1e-4 else None
