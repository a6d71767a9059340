"""Map layers for the front line: the occupied area, what changed hands, and a legend.

Views only: GeoJSON dicts and dates in (from ``frontline.territory.display_geojson`` and
``change_geojson``), folium objects out. Each builder returns a ``folium.FeatureGroup`` so
the app can hand it to streamlit-folium's ``feature_group_to_add`` and swap it without
reloading the base map. The legend is a Leaflet control that belongs to a layer: it shows
while that layer is on the map and goes with it, and it carries its own inline styles
because streamlit-folium renders only a layer's script, not page headers.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Mapping
from typing import Any

import folium
from branca.element import MacroElement
from jinja2 import Template

from frontline.territory import SOURCE_LICENSE, SOURCE_NAME, TerritoryChange

OCCUPIED_COLOR = "#c62828"
GAINED_COLOR = "#6d0000"
REGAINED_COLOR = "#1565c0"
SOURCE_URL = "https://github.com/cyterat/deepstate-map-data"
LICENSE_URL = "https://www.gnu.org/licenses/gpl-3.0.html"


def _style(color: str, fill_opacity: float, weight: float) -> dict[str, Any]:
    return {
        "color": color,
        "weight": weight,
        "opacity": 0.8,
        "fillColor": color,
        "fillOpacity": fill_opacity,
    }


def _has_features(geojson: Mapping[str, Any]) -> bool:
    return bool(geojson.get("features"))


def occupied_layer(
    geojson: Mapping[str, Any],
    *,
    snapshot_date: dt.date,
    name: str | None = None,
    show: bool = True,
) -> folium.FeatureGroup:
    """The occupied area, semi-transparent red so towns and roads stay readable under it."""
    label = name or f"Occupied territory ({snapshot_date.isoformat()})"
    group = folium.FeatureGroup(name=label, show=show)
    if _has_features(geojson):
        style = _style(OCCUPIED_COLOR, fill_opacity=0.25, weight=1.5)
        folium.GeoJson(
            dict(geojson),
            style_function=lambda _feature: style,
            tooltip=f"Occupied as of {snapshot_date.isoformat()} (DeepStateMap)",
            smooth_factor=0.5,
        ).add_to(group)
    return group


def change_layer(
    gained: Mapping[str, Any],
    regained: Mapping[str, Any],
    *,
    change: TerritoryChange,
    show: bool = True,
) -> folium.FeatureGroup:
    """Areas that changed hands between two snapshots: taken (dark red) and regained (blue)."""
    period = f"{change.earlier.isoformat()} → {change.later.isoformat()}"
    group = folium.FeatureGroup(name=f"Changed hands {period}", show=show)
    parts = (
        (gained, GAINED_COLOR, f"Taken by Russian forces {period}: {change.gained_km2:,.1f} km²"),
        (regained, REGAINED_COLOR, f"Regained by Ukraine {period}: {change.regained_km2:,.1f} km²"),
    )
    for geojson, color, tooltip in parts:
        if not _has_features(geojson):
            continue
        style = _style(color, fill_opacity=0.55, weight=2.0)
        folium.GeoJson(
            dict(geojson),
            style_function=lambda _feature, style=style: style,
            tooltip=tooltip,
            smooth_factor=0.5,
        ).add_to(group)
    return group


def _swatch(color: str, opacity: float) -> str:
    return (
        f'<span style="display:inline-block;width:12px;height:12px;margin-right:6px;'
        f"vertical-align:middle;border:1px solid {color};background:{color};"
        f'opacity:{opacity}"></span>'
    )


def legend_html(
    snapshot_date: dt.date,
    *,
    source: str = SOURCE_NAME,
    note: str | None = None,
    change: TerritoryChange | None = None,
    show_occupied: bool = True,
) -> str:
    """The legend's HTML; every text from outside is escaped here and only here."""
    escape = html.escape
    lines = []
    if show_occupied:
        lines.append(
            f"<div>{_swatch(OCCUPIED_COLOR, 0.5)}Occupied territory as of "
            f"{escape(snapshot_date.isoformat())}</div>"
        )
    if note:
        lines.append(f'<div style="color:#555">{escape(note)}</div>')
    if change is not None:
        period = f"{change.earlier.isoformat()} → {change.later.isoformat()}"
        lines.append(
            f"<div>{_swatch(GAINED_COLOR, 0.8)}Taken by Russian forces, {escape(period)}: "
            f"{change.gained_km2:,.1f} km²</div>"
        )
        lines.append(
            f"<div>{_swatch(REGAINED_COLOR, 0.8)}Regained by Ukraine, {escape(period)}: "
            f"{change.regained_km2:,.1f} km²</div>"
        )
    lines.append(
        '<div style="margin-top:4px;color:#555">Source: '
        f'<a href="{SOURCE_URL}" target="_blank" rel="noopener">{escape(source)}</a>, '
        f'<a href="{LICENSE_URL}" target="_blank" rel="noopener">{SOURCE_LICENSE}</a></div>'
    )
    return "".join(lines)


class FrontlineLegend(MacroElement):
    """A Leaflet control shown while its parent layer is on the map. Its title folds it to one
    line (remembered for the browser tab, so a rerun that redraws it keeps it folded)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var layer = {{ this._parent.get_name() }};
            var legend = L.control({position: {{ this.position_json }}});
            var FOLDED = "frontline-legend-folded";
            legend.onAdd = function () {
                var box = L.DomUtil.create("div", "frontline-legend");
                box.setAttribute("style", {{ this.box_style_json }});
                var toggle = L.DomUtil.create("button", "frontline-legend-toggle", box);
                toggle.type = "button";
                toggle.style.cssText = "all:unset;cursor:pointer;font-weight:600;display:block;";
                var body = L.DomUtil.create("div", "frontline-legend-body", box);
                body.style.marginTop = "4px";
                body.innerHTML = {{ this.html_json }};
                box.frontlineFold = function (folded) {
                    body.style.display = folded ? "none" : "";
                    toggle.textContent = folded ? "Front line \u25b8" : "Front line \u25be";
                    toggle.setAttribute("aria-expanded", folded ? "false" : "true");
                    toggle.title = folded ? "Show the legend" : "Fold the legend";
                    try { sessionStorage.setItem(FOLDED, folded ? "1" : ""); } catch (e) {}
                };
                var folded = false;
                try { folded = sessionStorage.getItem(FOLDED) === "1"; } catch (e) {}
                box.frontlineFold(folded);
                L.DomEvent.on(toggle, "click", function () {
                    box.frontlineFold(body.style.display !== "none");
                });
                L.DomEvent.disableClickPropagation(box);
                L.DomEvent.disableScrollPropagation(box);
                return box;
            };
            layer.on("add", function () { legend.addTo(layer._map); });
            layer.on("remove", function () { legend.remove(); });
            if (layer._map) { legend.addTo(layer._map); }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, body_html: str, *, position: str = "topright") -> None:
        super().__init__()
        self._name = "FrontlineLegend"
        self.body_html = body_html
        self.position_json = _script_json(position)
        self.box_style_json = _script_json(
            "background:rgba(255,255,255,0.92);padding:6px 8px;border-radius:4px;"
            "font:12px/1.4 sans-serif;color:#222;box-shadow:0 1px 4px rgba(0,0,0,0.3);"
            "max-width:300px"
        )
        self.html_json = _script_json(body_html)


def _script_json(value: str) -> str:
    # JSON is a JavaScript literal; "</" is split so no text can close the <script> early.
    return json.dumps(value).replace("</", "<\\/")


def frontline_legend(
    snapshot_date: dt.date,
    *,
    source: str = SOURCE_NAME,
    note: str | None = None,
    change: TerritoryChange | None = None,
    show_occupied: bool = True,
) -> FrontlineLegend:
    """The legend as an element to add to a layer (e.g. the occupied layer): shown with it."""
    return FrontlineLegend(
        legend_html(
            snapshot_date, source=source, note=note, change=change, show_occupied=show_occupied
        )
    )


def legend_layer(
    snapshot_date: dt.date,
    *,
    source: str = SOURCE_NAME,
    note: str | None = None,
    change: TerritoryChange | None = None,
    name: str = "Front line legend",
    show_occupied: bool = True,
) -> folium.FeatureGroup:
    """A layer holding only the legend, for apps that add and remove it on its own."""
    group = folium.FeatureGroup(name=name, control=False)
    group.add_child(
        frontline_legend(
            snapshot_date, source=source, note=note, change=change, show_occupied=show_occupied
        )
    )
    return group
