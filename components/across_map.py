"""The map of every place across the articles in view: one marker per place, sized by its
mentions and shaded by how recent its latest mention is.

Thousands of places must draw fast, so the markers are not one folium element each: one
layer carries them as a compact JSON array and makes the Leaflet markers in a loop
(``L.markerClusterGroup`` when the page has Leaflet.markercluster, which gathers markers
that would overlap; else a plain group). Names are untrusted: a marker's ``title`` is set
as text by Leaflet, and its tooltip is built of text nodes from the JSON data.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import folium
from jinja2 import Template

from components.catalog import counted
from components.markup import escape_text
from components.place_map import MapView, MarkerClick, fit_view
from frontline.overview import PlaceTotal

# Newest first: (at most this many days before the range's end, colour, legend label).
RECENCY_BANDS: tuple[tuple[int, str, str], ...] = (
    (7, "#b71c1c", "last 7 days"),
    (30, "#e64a19", "8–30 days"),
    (90, "#f9a825", "31–90 days"),
    (365, "#7cb342", "91–365 days"),
)
OLDER_COLOR = "#78909c"
OLDER_LABEL = "older, or no date"
COLORS: tuple[str, ...] = (*(color for _days, color, _label in RECENCY_BANDS), OLDER_COLOR)
MIN_SIZE_PX = 12
MAX_SIZE_PX = 40
# Markers closer than this (screen pixels) gather into one cluster.
CLUSTER_RADIUS_PX = 40


def recency_color(latest: dt.date | None, end: dt.date | None) -> str:
    """The marker's colour: how long before the range's end the place was last named."""
    if latest is None or end is None:
        return OLDER_COLOR
    days = (end - latest).days
    for limit, color, _label in RECENCY_BANDS:
        if days <= limit:
            return color
    return OLDER_COLOR


def marker_size(mentions: int, most: int) -> int:
    """Icon diameter in pixels, on a log scale of mentions against the most mentioned."""
    if most <= 1:
        return MIN_SIZE_PX
    share = math.log(max(mentions, 1)) / math.log(most)
    return round(MIN_SIZE_PX + (MAX_SIZE_PX - MIN_SIZE_PX) * share)


def tooltip_text(total: PlaceTotal) -> str:
    """The line under the name in a marker's tooltip (set as text, never markup)."""
    latest = f", latest {total.latest.isoformat()}" if total.latest else ""
    return f"{counted(total.mentions, 'mention')} in {counted(total.articles, 'article')}{latest}"


@dataclass(frozen=True, slots=True)
class MarkerRow:
    lat: float
    lon: float
    size: int
    color: str
    title: str
    detail: str

    @property
    def rank(self) -> int:
        """The recency band's place in ``COLORS`` (0: the most recent)."""
        return COLORS.index(self.color)

    def as_list(self) -> list[object]:
        lat, lon = round(self.lat, 6), round(self.lon, 6)
        return [lat, lon, self.size, self.color, self.title, self.detail, self.rank]


def marker_rows(totals: Sequence[PlaceTotal], end: dt.date | None) -> list[MarkerRow]:
    mapped = [total for total in totals if total.has_point]
    most = max((total.mentions for total in mapped), default=1)
    return [
        MarkerRow(
            lat=float(total.lat or 0.0),
            lon=float(total.lon or 0.0),
            size=marker_size(total.mentions, most),
            color=recency_color(total.latest, end),
            title=total.name,
            detail=tooltip_text(total),
        )
        # Drawn smallest first, so the most mentioned sit on top.
        for total in sorted(mapped, key=lambda total: total.mentions)
    ]


class MentionsLayer(folium.FeatureGroup):
    """Every place of the view in one layer (see the module doc)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var colors = {{ this.colors|tojson }};
            var options = {{ this.cluster_options|tojson }};
            // A cluster: how many places it gathers, in the colour of its most recent one.
            options.iconCreateFunction = function (cluster) {
                var children = cluster.getAllChildMarkers();
                var rank = Math.min.apply(null, children.map(function (child) {
                    return child.options.frontlineRank;
                }));
                var size = Math.min(48, Math.round(20 + 4 * Math.log2(children.length)));
                var badge = document.createElement("span");
                badge.style.cssText = "display:flex;align-items:center;justify-content:center;"
                    + "width:" + size + "px;height:" + size + "px;border-radius:50%;"
                    + "background:" + colors[rank] + ";color:#fff;font:bold 12px sans-serif;"
                    + "border:3px solid rgba(255,255,255,.8);box-sizing:border-box;"
                    + "box-shadow:0 0 3px rgba(0,0,0,.5)";
                badge.textContent = String(children.length);
                return L.divIcon({html: badge, className: "frontline-across-cluster",
                                  iconSize: [size, size]});
            };
            var group = L.markerClusterGroup ? L.markerClusterGroup(options) : L.featureGroup();
            group.options.frontlinePlaces = true;
            var rows = {{ this.rows|tojson }};
            var markers = rows.map(function (row) {
                var size = row[2];
                var icon = L.divIcon({
                    className: "frontline-across-marker",
                    html: '<span style="display:block;width:' + size + 'px;height:' + size
                        + 'px;border-radius:50%;background:' + colors[row[6]]
                        + ';opacity:.85;border:2px solid #fff;box-sizing:border-box;'
                        + 'box-shadow:0 0 2px rgba(0,0,0,.5)"></span>',
                    iconSize: [size, size],
                    iconAnchor: [size / 2, size / 2],
                    tooltipAnchor: [0, -size / 2]
                });
                // The place's name and figures as text nodes: no article text becomes markup.
                var tip = document.createElement("div");
                tip.appendChild(document.createElement("strong")).textContent = row[4];
                tip.appendChild(document.createElement("div")).textContent = row[5];
                return L.marker([row[0], row[1]], {
                    icon: icon, title: row[4], keyboard: true, riseOnHover: true,
                    frontlineRank: row[6]
                }).bindTooltip(tip, {direction: "top"});
            });
            if (group.addLayers) { group.addLayers(markers); }
            else { markers.forEach(function (marker) { group.addLayer(marker); }); }
            return group;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, rows: Sequence[MarkerRow], name: str = "Places in all articles") -> None:
        super().__init__(name=name, control=False)
        # streamlit-folium names the layer it adds after "feature_group": keep that name.
        self._name = "FeatureGroup"
        self.rows = [row.as_list() for row in rows]
        self.colors = list(COLORS)
        self.cluster_options = {
            "maxClusterRadius": CLUSTER_RADIUS_PX,
            "showCoverageOnHover": False,
            "spiderfyOnMaxZoom": True,
            "zoomToBoundsOnClick": True,
            "chunkedLoading": True,
        }


def view_of(totals: Sequence[PlaceTotal]) -> MapView:
    """The view that frames the places, the most mentioned first (at most 200 of them)."""
    leading = [(t.lat, t.lon) for t in totals if t.lat is not None and t.lon is not None][:200]
    return fit_view([(lat, lon) for lat, lon in leading], max_zoom=7)


def clicked_place(click: MarkerClick, totals: Sequence[PlaceTotal]) -> PlaceTotal | None:
    """The place whose marker was clicked: the one at the click's point."""
    if click.lat is None or click.lon is None:
        return None
    best: tuple[float, PlaceTotal] | None = None
    for total in totals:
        if total.lat is None or total.lon is None:
            continue
        distance = abs(round(total.lat, 6) - click.lat) + abs(round(total.lon, 6) - click.lon)
        if best is None or distance < best[0]:
            best = (distance, total)
    return best[1] if best is not None and best[0] < 1e-4 else None


def legend_html(end: dt.date | None) -> str:
    """Under the map: what the colours and sizes say (our own markup; no article text)."""
    swatch = (
        '<span style="display:inline-block;width:10px;height:10px;border-radius:50%;'
        'background:{color};margin:0 4px 0 10px"></span>{label}'
    )
    bands = "".join(
        swatch.format(color=color, label=escape_text(label))
        for _limit, color, label in RECENCY_BANDS
    )
    bands += swatch.format(color=OLDER_COLOR, label=escape_text(OLDER_LABEL))
    before = f" before {end.isoformat()}" if end else ""
    return (
        f'<div style="font-size:0.85rem;color:#555">Latest mention{escape_text(before)}:'
        f"{bands}. Larger markers: more mentions. A cluster gathers nearby places (it says "
        "how many) and takes the colour of the most recent.</div>"
    )
